//! `ethcfg check PROFILE IFACE... [--json]`: whether interfaces match a
//! profile now.

use std::io::Write;

use clap::Args;
use ethcfg_core::blocking::Client;
use ethcfg_core::profile::Profiles;

use crate::env::Env;
use crate::exit::{CliError, Exit};
use crate::render;

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Profile name
    pub(crate) profile: String,
    /// Interfaces to check
    #[arg(value_name = "IFACE", required = true, num_args = 1..)]
    pub(crate) ifaces: Vec<String>,
    /// Print JSON on stdout; drifted features have status "drift"
    #[arg(long)]
    pub(crate) json: bool,
}

pub(crate) fn run(
    a: &CheckArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, CliError> {
    let refs = super::iface_refs(&a.ifaces)?;
    let profiles = Profiles::load(env.profile_dir())?;
    render::profile::broken(err, &profiles.broken, Some(&a.profile))?;
    let profile = profiles.get(&a.profile)?;
    let mut client = Client::new()?;
    // check reports; the driver guard is for changes.
    let (plan, _) = client.plan_profile(profile, &refs, true)?;
    let drift = plan.drift();
    if a.json {
        render::outcome::json(out, &drift)?;
    } else {
        render::outcome::drift_text(out, &drift, &profile.name)?;
    }
    Ok(if drift.iter().any(|o| !o.changes.is_empty()) {
        Exit::Drift
    } else {
        Exit::Ok
    })
}
