//! `ethcfg apply PROFILE IFACE... [--dry-run] [--force] [--strict] [--json]`:
//! a profile onto interfaces.

use std::io::Write;
use std::path::Path;

use clap::Args;
use ethcfg_core::blocking::Client;
use ethcfg_core::change::link_resetting;
use ethcfg_core::host::management_reasons;
use ethcfg_core::profile::Profiles;
use ethcfg_core::state::StateDir;
use ethcfg_core::Error;

use crate::exit::{CliError, Exit};
use crate::render;

#[derive(Debug, Args)]
#[command(
    after_help = "Before anything is sent, every interface is read and planned; features \
already in the profile's state are not sent again, so applying twice changes nothing. What is \
changed is recorded (ETHCFG_STATE_DIR, default /run/ethcfg) so `ethcfg revert` restores it. \
Features the device has fixed in the other state are reported as refused (exit 3).\n\n\
Example (ifupdown): post-up ethcfg apply e1000e-hang-safe eno1"
)]
pub(crate) struct ApplyArgs {
    /// Profile name (see `ethcfg profiles list`)
    pub(crate) profile: String,
    /// Interfaces to apply it to
    #[arg(value_name = "IFACE", required = true, num_args = 1..)]
    pub(crate) ifaces: Vec<String>,
    /// Plan and report (status "planned"), send nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Apply even to interfaces on drivers the profile is not for
    #[arg(long)]
    pub(crate) force: bool,
    /// All or nothing: if anything is refused, roll back every change of this run
    #[arg(long)]
    pub(crate) strict: bool,
    /// Print JSON on stdout, as for `set`
    #[arg(long)]
    pub(crate) json: bool,
}

pub(crate) fn run(
    a: &ApplyArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, CliError> {
    let refs = super::iface_refs(&a.ifaces)?;
    let profiles = Profiles::load(&Profiles::user_dir())?;
    let profile = profiles.get(&a.profile)?;
    let state = StateDir::from_env();
    let mut client = Client::new()?;
    // Serialise with other runs from before the read until the records are written.
    let _lock = if a.dry_run { None } else { Some(state.lock()?) };
    let (plan, devices) = client.plan_profile(profile, &refs, a.force)?;
    if a.dry_run {
        let planned = plan.planned();
        render::outcome::report(&planned, a.json, out, err)?;
        return Ok(Exit::of_outcomes(&planned));
    }
    for (t, d) in plan.targets.iter().zip(&devices) {
        let resets = link_resetting(t, d);
        if resets.is_empty() {
            continue;
        }
        let why = management_reasons(Path::new("/"), &d.ifname, d.ifindex);
        if !why.is_empty() {
            render::outcome::link_reset_notice(err, d, &resets, &why)?;
        }
    }
    match client.apply_change(&plan, &state, a.strict) {
        Ok(outcomes) => {
            render::outcome::report(&outcomes, a.json, out, err)?;
            Ok(Exit::of_outcomes(&outcomes))
        }
        Err(Error::StrictRefused { iface, features, outcomes }) => {
            render::outcome::report(&outcomes, a.json, out, err)?;
            Err(Error::StrictRefused { iface, features, outcomes: Vec::new() }
                .into())
        }
        Err(e) => Err(e.into()),
    }
}
