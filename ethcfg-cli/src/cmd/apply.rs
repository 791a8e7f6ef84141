//! `ethcfg apply PROFILE IFACE... [--ports] [--dry-run] [--force] [--strict] [--json]`:
//! a profile onto interfaces; `ethcfg apply --config [IFACE...]`: the
//! configuration's bindings onto the interfaces present (or those named).

use std::io::Write;

use clap::Args;
use ethcfg_core::blocking::Client;
use ethcfg_core::change::{
    link_resetting, ApplyReport, BindMode, BindingResult, ChangePlan,
};
use ethcfg_core::host::stack::{self, Port, Stack};
use ethcfg_core::host::{management_reasons, Device, HostRoot};
use ethcfg_core::profile::{Profile, Profiles};
use ethcfg_core::state::Source;

use crate::env::Env;
use crate::exit::{CliError, Exit};
use crate::render;

#[derive(Debug, Args)]
#[command(
    after_help = "Before anything is sent, every interface is read and planned; features \
already in the profile's state are not sent again, so applying twice changes nothing. What is \
changed is recorded (ETHCFG_STATE_DIR, default /run/ethcfg) so `ethcfg revert` restores it. \
Features the device has fixed in the other state are reported as refused (exit 3).\n\n\
With --config, the bindings of the configuration file (ETHCFG_CONFIG, default \
/etc/ethcfg/ethcfg.toml) are applied to every interface present, or to those named: each gets what \
its bindings say; a config-made record whose binding no longer matches is reverted. A bad binding \
is reported and skipped (exit 1 after the others are applied).\n\n\
Example (ifupdown): post-up /usr/sbin/ethcfg apply e1000e-hang-safe eno1\n\
Example (udev): ethcfg apply --config eno1"
)]
pub(crate) struct ApplyArgs {
    /// Profile name (see `ethcfg profiles list`); none with --config
    pub(crate) profile: Option<String>,
    /// Interfaces to apply it to (with --config: only these; default all)
    #[arg(value_name = "IFACE", num_args = 0..)]
    pub(crate) ifaces: Vec<String>,
    /// Apply the configuration file's bindings instead of a profile
    #[arg(long, conflicts_with_all = ["ports", "strict"])]
    pub(crate) config: bool,
    /// Plan and report (status "planned"), send nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Apply even to interfaces on drivers the profile is not for
    #[arg(long)]
    pub(crate) force: bool,
    /// For a bridge, bond or VLAN: apply to the devices at the bottom
    /// of its stack (those the profile is for) instead, and say which
    #[arg(long)]
    pub(crate) ports: bool,
    /// All or nothing: if anything is refused, roll back every change of this run
    #[arg(long)]
    pub(crate) strict: bool,
    /// Print JSON on stdout, as for `set`
    #[arg(long)]
    pub(crate) json: bool,
    /// Who runs this, kept in the records: cli (the default), hook, config
    /// or watch; the ifupdown hooks and the units pass it. Any but cli
    /// reconciles: what that source applied before and this run no longer
    /// asks for is restored, unless another source holds it
    #[arg(long, value_name = "SOURCE", default_value = "cli", value_parser = super::source)]
    pub(crate) source: Source,
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

/// A driver preset named for a bridge, bond or VLAN: its settings belong
/// on the ports under it, and `advice` says what to run instead.
fn stacked(
    iface: &str,
    kind: &str,
    profile: &Profile,
    ports: &[String],
    advice: &str,
) -> CliError {
    CliError::Failed(format!(
        "{iface} is a {kind}, not a NIC: profile {} belongs on the ports under it: {}; {advice}",
        profile.name,
        ports.join(", ")
    ))
}

/// Bridges, bonds and VLANs among `ifaces` resolved through sysfs: without
/// `--ports` a driver preset named for one stops with its ports and the
/// command to run; with `--ports` each is replaced by the ports under it
/// that the profile is for (every port with `--force`), and a note says
/// which. `None`: no name is a stack, the interfaces are those named.
fn resolve_stacks(
    a: &ApplyArgs,
    profile: &Profile,
    err: &mut dyn Write,
) -> Result<Option<Vec<String>>, CliError> {
    let live = HostRoot::live();
    let root = live.path();
    // A name sysfs lacks is asked of the kernel (an alternative name, or
    // a sysfs of another namespace); one that cannot be asked is taken as
    // sysfs has it: no stack.
    let found = stack::stacks(root, &a.ifaces, &mut |n: &str| {
        ethcfg_core::host::kernel_name(n).ok().flatten()
    });
    // Paired with the names only when one is a stack: a run over a
    // thousand plain interfaces builds no second list.
    if found.iter().all(Option::is_none) {
        return Ok(None);
    }
    let stacks: Vec<(&String, Option<Stack>)> =
        a.ifaces.iter().zip(found).collect();
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
            return Err(stacked(
                &s.ifname, &s.kind, profile, &described, &advice,
            ));
        }
        if mine.is_empty() {
            let advice = format!(
                "none of them is on {}; add --force to apply it to them anyway",
                profile.drivers.join(" or ")
            );
            return Err(stacked(
                &s.ifname, &s.kind, profile, &described, &advice,
            ));
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
    Ok(Some(out))
}

/// Warns, before sending, where a change resets the link of an interface
/// that carries the default route or this SSH session — itself or through
/// its bridge, bond or VLAN.
pub(crate) fn reset_notices(
    plan: &ChangePlan,
    devices: &[Device],
    env: &Env,
    err: &mut dyn Write,
) -> std::io::Result<()> {
    for (t, d) in plan.targets.iter().zip(devices) {
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
            render::outcome::link_reset_notice(err, d, &resets, &why)?;
        }
    }
    Ok(())
}

/// What an output failure after a change says happened.
const APPLIED: &str =
    "the change was applied and recorded (`ethcfg revert IFACE` undoes it)";

pub(crate) fn run(
    a: &ApplyArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, CliError> {
    if a.config {
        let names: Vec<String> =
            a.profile.iter().chain(&a.ifaces).cloned().collect();
        let mode = if a.dry_run { BindMode::DryRun } else { BindMode::Apply };
        let source =
            if a.source == Source::Cli { Source::Config } else { a.source };
        return run_config(&names, mode, source, a.json, env, out, err);
    }
    let Some(profile_name) = a.profile.as_deref() else {
        return Err(CliError::Usage(
            "apply needs a profile and interfaces, or --config".into(),
        ));
    };
    if a.ifaces.is_empty() {
        return Err(CliError::Usage(format!(
            "apply {profile_name}: name the interfaces to apply it to (IFACE...), or use --config"
        )));
    }
    // Names are checked before sysfs is read with them; the references
    // made then are the run's unless a name is a bridge or a bond.
    let refs = super::iface_refs(&a.ifaces)?;
    let profiles = Profiles::load(env.profile_dir())?;
    render::profile::broken(err, &profiles.broken, Some(profile_name))?;
    let profile = profiles.get(profile_name)?;
    let refs = match resolve_stacks(a, profile, err)? {
        Some(ifaces) => super::iface_refs(&ifaces)?,
        None => refs,
    };
    let state = env.state();
    let mut client = Client::new()?;
    // Serialise with other runs from before the read until the records are written.
    let _lock =
        if a.dry_run { None } else { Some(crate::lock::wait(&state, err)?) };
    // A hook or the configuration reconciles: what it applied before and
    // the profile no longer asks for goes back; a person's run applies.
    let (plan, devices) = if a.source == Source::Cli {
        client.plan_profile(profile, &refs, a.force)?
    } else {
        client.plan_reconcile(a.source, profile, &refs, a.force, &state)?
    };
    if a.dry_run {
        let planned = plan.planned();
        render::outcome::report(&planned, a.json, out, err)?;
        return Ok(Exit::of_outcomes(&planned));
    }
    reset_notices(&plan, &devices, env, err)?;
    // Neither is needed any more: the run's memory is its plan, records
    // and outcomes.
    drop((devices, refs));
    let report = client.apply_change(&plan, &state, a.strict)?;
    let result = reported(a, &report, out, err);
    // The process ends after the report: freeing a thousand interfaces'
    // plan and outcomes one by one would be work for nothing.
    std::mem::forget((plan, report));
    result
}

/// What apply says of a run that was sent: the outcomes, or the strict
/// refusal and its rollback.
fn reported(
    a: &ApplyArgs,
    report: &ApplyReport,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, CliError> {
    match &report.strict {
        None => {
            crate::exit::reported(
                APPLIED,
                render::outcome::report(&report.outcomes, a.json, out, err),
                out,
            )?;
            Ok(Exit::of_outcomes(&report.outcomes))
        }
        Some(s) => {
            crate::exit::reported(
                "the rollback was done",
                render::outcome::strict_report(
                    &report.outcomes,
                    s.undone,
                    a.json,
                    out,
                    err,
                ),
                out,
            )?;
            Err(CliError::Failed(render::outcome::strict_line(s)))
        }
    }
}

/// `apply --config` and `check --config`: every binding onto the
/// interfaces present (or `names`), one interface's failure told and the
/// others done.
pub(crate) fn run_config(
    names: &[String],
    mode: BindMode,
    source: Source,
    json: bool,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, CliError> {
    super::iface_refs(names)?;
    let profiles = Profiles::load(env.profile_dir())?;
    render::profile::broken(err, &profiles.broken, None)?;
    let config = super::config::load(&env.config_path(), &profiles, err)?;
    let mut failed = !config.broken.is_empty();
    let present = super::config::present()?;
    let names: Vec<(String, Option<u32>)> = if names.is_empty() {
        present.into_iter().map(|(n, i)| (n, Some(i))).collect()
    } else {
        names
            .iter()
            .map(|n| {
                let i = present.iter().find(|(p, _)| p == n).map(|(_, i)| *i);
                (n.clone(), i)
            })
            .collect()
    };
    let mut targets = Vec::with_capacity(names.len());
    for (n, i) in &names {
        match super::config::target_at(&config, &profiles, n, *i) {
            Ok(t) => targets.push(t),
            Err(e) => {
                failed = true;
                writeln!(err, "ethcfg: error: {n}: {e}")?;
            }
        }
    }
    let state = env.state();
    let _lock = if mode == BindMode::Apply {
        Some(crate::lock::wait(&state, err)?)
    } else {
        None
    };
    let mut client = Client::new()?;
    let results = client.apply_bindings(&targets, &state, source, mode)?;
    let mut outcomes = Vec::new();
    let mut drift = false;
    for (name, r) in results {
        match r {
            Ok(BindingResult::Applied { outcome, released }) => {
                if let Some(r) = released.filter(|r| r.changed()) {
                    writeln!(err, "ethcfg: note: {name}: restored what its bindings no longer set")?;
                    outcomes.push(r);
                }
                outcomes.push(outcome);
            }
            Ok(BindingResult::Planned(o)) => outcomes.push(o),
            Ok(BindingResult::Drift(o)) => {
                drift |= !o.changes.is_empty() || !o.settings.is_empty();
                outcomes.push(o);
            }
            Ok(BindingResult::Reverted(o)) => {
                writeln!(err, "ethcfg: note: {name}: no binding matches it any more: reverted")?;
                outcomes.push(o);
            }
            Ok(BindingResult::Unbound) => {}
            Ok(_) => {}
            Err(e) => {
                failed = true;
                writeln!(err, "ethcfg: error: {name}: {e}")?;
            }
        }
    }
    if mode == BindMode::Check {
        if json {
            render::outcome::json(out, &outcomes)?;
        } else {
            for o in &outcomes {
                render::outcome::drift_text(
                    out,
                    std::slice::from_ref(o),
                    "its bindings",
                )?;
            }
        }
    } else {
        crate::exit::reported(
            APPLIED,
            render::outcome::report(&outcomes, json, out, err),
            out,
        )?;
    }
    if failed {
        return Err(CliError::Failed(
            "some bindings or interfaces were not applied (see above); the others were".into(),
        ));
    }
    Ok(if drift { Exit::Drift } else { Exit::of_outcomes(&outcomes) })
}
