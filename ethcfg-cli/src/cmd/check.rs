//! `ethcfg check PROFILE IFACE... [--json]`: whether interfaces match a
//! profile now; `ethcfg check --config [IFACE...]`: their bindings.

use std::io::Write;

use clap::Args;
use ethcfg_core::blocking::Client;
use ethcfg_core::change::BindMode;
use ethcfg_core::profile::Profiles;
use ethcfg_core::state::Source;

use crate::env::Env;
use crate::exit::{CliError, Exit};
use crate::render;

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Profile name; none with --config
    pub(crate) profile: Option<String>,
    /// Interfaces to check (with --config: only these; default all)
    #[arg(value_name = "IFACE", num_args = 0..)]
    pub(crate) ifaces: Vec<String>,
    /// Check the configuration file's bindings (ETHCFG_CONFIG, default
    /// /etc/ethcfg/ethcfg.toml) instead of a profile
    #[arg(long)]
    pub(crate) config: bool,
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
    if a.config {
        let names: Vec<String> =
            a.profile.iter().chain(&a.ifaces).cloned().collect();
        return super::apply::run_config(
            &names,
            BindMode::Check,
            Source::Config,
            a.json,
            env,
            out,
            err,
        );
    }
    let Some(profile_name) = a.profile.as_deref() else {
        return Err(CliError::Usage(
            "check needs a profile and interfaces, or --config".into(),
        ));
    };
    if a.ifaces.is_empty() {
        return Err(CliError::Usage(format!(
            "check {profile_name}: name the interfaces to check"
        )));
    }
    let refs = super::iface_refs(&a.ifaces)?;
    let profiles = Profiles::load(env.profile_dir())?;
    render::profile::broken(err, &profiles.broken, Some(profile_name))?;
    let profile = profiles.get(profile_name)?;
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
