//! `ethcfg apply`, `ethcfg check` and `ethcfg revert`: profiles onto
//! interfaces, and back.

use std::io::Write;
use std::path::Path;

use ethcfg_core::blocking::Client;
use ethcfg_core::change::link_resetting;
use ethcfg_core::host::management_reasons;
use ethcfg_core::profile::Profiles;
use ethcfg_core::state::StateDir;
use ethcfg_core::{Error, IfaceRef, SetOutcome};

use crate::exit::{CliError, Exit};
use crate::render;

pub(crate) struct ApplyArgs<'a> {
    pub(crate) profile: &'a str,
    pub(crate) ifaces: &'a [String],
    pub(crate) dry_run: bool,
    pub(crate) force: bool,
    pub(crate) strict: bool,
    pub(crate) json: bool,
}

fn iface_refs(ifaces: &[String]) -> Result<Vec<IfaceRef>, CliError> {
    Ok(ifaces.iter().map(IfaceRef::name).collect::<Result<Vec<_>, _>>()?)
}

/// Prints outcomes (JSON or text) and notes to stderr.
pub(crate) fn report(
    outcomes: &[SetOutcome],
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), CliError> {
    for o in outcomes {
        for name in &o.skipped_fixed {
            writeln!(err, "ethcfg: note: {}: {name} is fixed on this device; left as it is", o.ifname)?;
        }
        for n in &o.notes {
            writeln!(err, "ethcfg: note: {n}")?;
        }
        for w in &o.warnings {
            writeln!(err, "ethcfg: kernel warning: {}: {w}", o.ifname)?;
        }
    }
    if json {
        render::json_array(out, outcomes.iter().map(render::outcome_json))?;
    } else {
        for o in outcomes {
            render::outcome_text(out, o)?;
        }
    }
    Ok(())
}

fn refused(outcomes: &[SetOutcome]) -> Exit {
    if outcomes.iter().any(SetOutcome::any_refused) {
        Exit::Partial
    } else {
        Exit::Ok
    }
}

pub(crate) fn apply(
    a: ApplyArgs<'_>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, CliError> {
    let refs = iface_refs(a.ifaces)?;
    let profiles = Profiles::load(&Profiles::user_dir())?;
    let profile = profiles.get(a.profile)?;
    let state = StateDir::from_env();
    let mut client = Client::new()?;
    // Serialise with other runs from before the read until the records are written.
    let _lock = if a.dry_run { None } else { Some(state.lock()?) };
    let (plan, devices) = client.plan_profile(profile, &refs, a.force)?;
    if a.dry_run {
        let planned = plan.planned();
        report(&planned, a.json, out, err)?;
        return Ok(refused(&planned));
    }
    for (t, d) in plan.targets.iter().zip(&devices) {
        let resets = link_resetting(t, d);
        if resets.is_empty() {
            continue;
        }
        let why = management_reasons(Path::new("/"), &d.ifname, d.ifindex);
        if !why.is_empty() {
            writeln!(
                err,
                "ethcfg: notice: {}: changing {} makes the {} driver reset the link, and {}: expect a few seconds without connectivity",
                d.ifname,
                resets.join(", "),
                d.driver.as_deref().unwrap_or("?"),
                why.join(" and ")
            )?;
        }
    }
    match client.apply_change(&plan, &state, a.strict) {
        Ok(outcomes) => {
            report(&outcomes, a.json, out, err)?;
            Ok(refused(&outcomes))
        }
        Err(Error::StrictRefused { iface, features, outcomes }) => {
            report(&outcomes, a.json, out, err)?;
            Err(Error::StrictRefused { iface, features, outcomes: Vec::new() }
                .into())
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn check(
    profile: &str,
    ifaces: &[String],
    json: bool,
    out: &mut dyn Write,
) -> Result<Exit, CliError> {
    let refs = iface_refs(ifaces)?;
    let profiles = Profiles::load(&Profiles::user_dir())?;
    let profile = profiles.get(profile)?;
    let mut client = Client::new()?;
    // check reports; the driver guard is for changes.
    let (plan, _) = client.plan_profile(profile, &refs, true)?;
    let drift = plan.drift();
    if json {
        render::json_array(out, drift.iter().map(render::outcome_json))?;
    } else {
        for o in &drift {
            if o.changes.is_empty() {
                writeln!(
                    out,
                    "{}: matches profile {}",
                    o.ifname, profile.name
                )?;
            } else {
                writeln!(
                    out,
                    "{}: {} feature(s) differ from profile {}",
                    o.ifname,
                    o.changes.len(),
                    profile.name
                )?;
                for c in &o.changes {
                    let on_off = |b| if b { "on" } else { "off" };
                    writeln!(
                        out,
                        "  {}  is {}, profile wants {}",
                        c.feature,
                        on_off(c.from),
                        on_off(c.to)
                    )?;
                }
            }
        }
    }
    Ok(if drift.iter().any(|o| !o.changes.is_empty()) {
        Exit::Drift
    } else {
        Exit::Ok
    })
}

pub(crate) fn revert(
    ifaces: &[String],
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, CliError> {
    let refs = iface_refs(ifaces)?;
    let state = StateDir::from_env();
    let mut client = Client::new()?;
    let _lock = state.lock()?;
    let outcomes = client.revert(&refs, &state)?;
    report(&outcomes, json, out, err)?;
    Ok(refused(&outcomes))
}
