//! `ethcfg apply`, `ethcfg check` and `ethcfg revert`: profiles onto
//! interfaces, and back.

use std::io::Write;

use ethcfg_core::blocking::Client;
use ethcfg_core::change::link_resetting;
use ethcfg_core::host::stack::{self, Port, Stack};
use ethcfg_core::host::{management_reasons, HostRoot};
use ethcfg_core::profile::{Profile, Profiles};
use ethcfg_core::{Error, IfaceRef, SetOutcome};

use crate::env::Env;
use crate::exit::{CliError, Exit};
use crate::output;

pub(crate) struct ApplyArgs<'a> {
    pub(crate) profile: &'a str,
    pub(crate) ifaces: &'a [String],
    pub(crate) dry_run: bool,
    pub(crate) force: bool,
    pub(crate) ports: bool,
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
        output::json_array(out, outcomes.iter().map(output::outcome_json))?;
    } else {
        for o in outcomes {
            output::outcome_text(out, o)?;
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

/// `eno1 (e1000e, via bond0)`; virtual ports by their link kind.
fn describe_port(p: &Port, kinds: &[(String, String)]) -> String {
    let what = p.driver.clone().or_else(|| {
        kinds.iter().find(|(n, _)| *n == p.ifname).map(|(_, k)| k.clone())
    });
    let mut attrs: Vec<String> = what.into_iter().collect();
    if !p.via.is_empty() {
        attrs.push(format!("via {}", p.via.join(" > ")));
    }
    if attrs.is_empty() {
        p.ifname.clone()
    } else {
        format!("{} ({})", p.ifname, attrs.join(", "))
    }
}

/// Bridges, bonds and VLANs among `ifaces` resolved through sysfs: without
/// `--ports` a driver preset named for one stops with its ports and the
/// command to run; with `--ports` each is replaced by the ports under it
/// that the profile is for (every port with `--force`), and a note says
/// which.
fn resolve_stacks(
    a: &ApplyArgs<'_>,
    profile: &Profile,
    err: &mut dyn Write,
) -> Result<Vec<String>, CliError> {
    let live = HostRoot::live();
    let root = live.path();
    let stacks: Vec<(&String, Option<Stack>)> =
        a.ifaces.iter().map(|i| (i, stack::stack(root, i))).collect();
    if stacks.iter().all(|(_, s)| s.is_none()) {
        return Ok(a.ifaces.to_vec());
    }
    // Virtual ports have no driver in sysfs; their link kind says what
    // they are (veth, tun).
    let kinds: Vec<(String, String)> = ethcfg_core::host::link_kinds()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|l| Some((l.ifname, l.kind?)))
        .collect();
    let eligible =
        |p: &Port| a.force || profile.is_for_driver(p.driver.as_deref());
    let mut out: Vec<String> = Vec::new();
    for (name, s) in stacks {
        let Some(s) = s else {
            if !out.contains(name) {
                out.push(name.clone());
            }
            continue;
        };
        let described: Vec<String> =
            s.ports.iter().map(|p| describe_port(p, &kinds)).collect();
        let mine: Vec<&Port> = s.ports.iter().filter(|p| eligible(p)).collect();
        if !a.ports {
            // A preset for any driver is meaningful on the bridge itself.
            if profile.drivers.is_empty() {
                if !out.contains(name) {
                    out.push(name.clone());
                }
                continue;
            }
            let advice = if mine.is_empty() {
                format!(
                    "none of them is on {}; to apply it to them anyway run: ethcfg apply {} --force {}",
                    profile.drivers.join(" or "),
                    profile.name,
                    s.ports.iter().map(|p| p.ifname.as_str()).collect::<Vec<_>>().join(" ")
                )
            } else {
                format!(
                    "run: ethcfg apply {} {}   (or: ethcfg apply {} --ports {})",
                    profile.name,
                    mine.iter().map(|p| p.ifname.as_str()).collect::<Vec<_>>().join(" "),
                    profile.name,
                    s.ifname
                )
            };
            return Err(ethcfg_core::Error::StackedInterface {
                iface: s.ifname,
                kind: s.kind,
                profile: profile.name.clone(),
                ports: described,
                advice,
            }
            .into());
        }
        if mine.is_empty() {
            return Err(ethcfg_core::Error::StackedInterface {
                iface: s.ifname.clone(),
                kind: s.kind,
                profile: profile.name.clone(),
                ports: described,
                advice: format!(
                    "none of them is on {}; add --force to apply it to them anyway",
                    profile.drivers.join(" or ")
                ),
            }
            .into());
        }
        let skipped: Vec<String> = s
            .ports
            .iter()
            .zip(&described)
            .filter(|(p, _)| !eligible(p))
            .map(|(_, d)| d.clone())
            .collect();
        writeln!(
            err,
            "ethcfg: note: {} is a {}: applying {} to its ports {}{}",
            s.ifname,
            s.kind,
            profile.name,
            s.ports
                .iter()
                .zip(&described)
                .filter(|(p, _)| eligible(p))
                .map(|(_, d)| d.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            if skipped.is_empty() {
                String::new()
            } else {
                format!(
                    "; not to {} (the profile is for {})",
                    skipped.join(", "),
                    profile.drivers.join(" or ")
                )
            }
        )?;
        for p in mine {
            if !out.contains(&p.ifname) {
                out.push(p.ifname.clone());
            }
        }
    }
    Ok(out)
}

pub(crate) fn apply(
    a: ApplyArgs<'_>,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, CliError> {
    // Names are checked before sysfs is read with them.
    iface_refs(a.ifaces)?;
    let profiles = Profiles::load(env.profile_dir())?;
    let profile = profiles.get(a.profile)?;
    let ifaces = resolve_stacks(&a, profile, err)?;
    let refs = iface_refs(&ifaces)?;
    let state = env.state();
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
        let why = management_reasons(
            &HostRoot::live(),
            &env.hints,
            &d.ifname,
            d.ifindex,
        );
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
    env: &Env,
    out: &mut dyn Write,
) -> Result<Exit, CliError> {
    let refs = iface_refs(ifaces)?;
    let profiles = Profiles::load(env.profile_dir())?;
    let profile = profiles.get(profile)?;
    let mut client = Client::new()?;
    // check reports; the driver guard is for changes.
    let (plan, _) = client.plan_profile(profile, &refs, true)?;
    let drift = plan.drift();
    if json {
        output::json_array(out, drift.iter().map(output::outcome_json))?;
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
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, CliError> {
    let refs = iface_refs(ifaces)?;
    let state = env.state();
    let mut client = Client::new()?;
    let _lock = state.lock()?;
    let outcomes = client.revert(&refs, &state)?;
    report(&outcomes, json, out, err)?;
    Ok(refused(&outcomes))
}
