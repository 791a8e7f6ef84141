//! `ethcfg profiles [list|show NAME] [--json]`.

use std::io::Write;

use clap::{Args, Subcommand};
use ethcfg_core::profile::Profiles;

use crate::env::Env;
use crate::exit::{CliError, Exit};
use crate::render;

#[derive(Debug, Args)]
pub(crate) struct ProfilesArgs {
    #[command(subcommand)]
    pub(crate) action: Option<ProfilesAction>,
    /// Print JSON on stdout
    #[arg(long, global = true)]
    pub(crate) json: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ProfilesAction {
    /// List every profile: built-in and from the profile directory (the default)
    List,
    /// Show one profile in full
    Show {
        /// Profile name
        name: String,
    },
}

pub(crate) fn run(
    a: &ProfilesArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, CliError> {
    let all = Profiles::load(env.profile_dir())?;
    render::profile::notes(err, &all.notes)?;
    match &a.action {
        None | Some(ProfilesAction::List) => {
            if a.json {
                render::profile::list_json(out, &all.profiles)?;
            } else {
                render::profile::list_text(out, &all.profiles)?;
            }
            // The list is how a profile directory is checked: the usable
            // profiles are listed, and a file that cannot be used fails
            // it (one warning each, the first as the error).
            if let Some((first, rest)) = all.broken.split_first() {
                render::profile::broken(err, rest, None)?;
                return Err(first.error().into());
            }
        }
        Some(ProfilesAction::Show { name }) => {
            render::profile::broken(err, &all.broken, Some(name))?;
            let p = all.get(name)?;
            if a.json {
                render::profile::json(out, p)?;
            } else {
                render::profile::text(out, p)?;
            }
        }
    }
    Ok(Exit::Ok)
}
