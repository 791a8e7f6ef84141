//! `ethcfg persist PROFILE IFACE... [--force] [--by name|mac|path]
//! [--dry-run]` and `ethcfg unpersist IFACE...`: bindings written to (and
//! removed from) the configuration file, comments and order kept, the
//! file replaced atomically; applied (or reverted) at once; and how this
//! host will re-apply them.

use std::io::Write;
use std::path::Path;

use clap::{Args, ValueEnum};
use ethcfg_core::change::BindMode;
use ethcfg_core::config::persist::{self, By};
use ethcfg_core::config::write;
use ethcfg_core::host::{identity, HostRoot, Identity};
use ethcfg_core::profile::Profiles;
use ethcfg_core::state::Source;

use crate::env::Env;
use crate::exit::{CliError, Exit};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ByArg {
    /// The interface name
    Name,
    /// The permanent hardware address (else the current one)
    Mac,
    /// The PCI path (udev's ID_PATH)
    Path,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Writes one [[bind]] per interface to the configuration file (ETHCFG_CONFIG, \
default /etc/ethcfg/ethcfg.toml), matching it by a stable identity: the PCI path for a physical \
NIC, the permanent address where it has no path, the name for a virtual device (--by to choose). \
Comments and order in the file are kept; it is replaced atomically. The bindings are applied at \
once, and the output says which unit or rule re-applies them on this host (or how to enable one)."
)]
pub(crate) struct PersistArgs {
    /// Profile name
    pub(crate) profile: String,
    /// Interfaces to bind it to
    #[arg(value_name = "IFACE", required = true, num_args = 1..)]
    pub(crate) ifaces: Vec<String>,
    /// Bind even to interfaces on drivers the profile is not for
    #[arg(long)]
    pub(crate) force: bool,
    /// Match by this identity instead of the default
    #[arg(long, value_enum)]
    pub(crate) by: Option<ByArg>,
    /// Print what would be written; write and apply nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
}

#[derive(Debug, Args)]
pub(crate) struct UnpersistArgs {
    /// Interfaces whose bindings to remove (and revert)
    #[arg(value_name = "IFACE", required = true, num_args = 1..)]
    pub(crate) ifaces: Vec<String>,
}

/// The identity of `name` in this network namespace (sysfs facts only
/// when sysfs shows this namespace's device of that name).
fn identify(name: &str) -> Result<Identity, CliError> {
    let present = super::config::present()?;
    let Some((_, index)) = present.iter().find(|(n, _)| n == name) else {
        return Err(CliError::Failed(format!("no such interface: {name}")));
    };
    let id = identity(&HostRoot::live(), name);
    Ok(if id.ifindex == *index { id } else { Identity::named(name) })
}

/// What re-applies bindings on this host: the units and rules installed
/// and enabled under `root`, or the command that enables one.
pub(crate) fn reapplied_by(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let wants = root.join("etc/systemd/system");
    for unit in ["ethcfg-watch.service", "ethcfg-apply.service"] {
        let enabled = std::fs::read_dir(&wants)
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".wants"))
            .any(|e| {
                e.path().join(unit).exists()
                    || std::fs::symlink_metadata(e.path().join(unit)).is_ok()
            });
        if enabled {
            out.push(format!(
                "{unit} is enabled: it applies them at boot{}",
                if unit.contains("watch") {
                    " and whenever a matching interface appears or drifts"
                } else {
                    ""
                }
            ));
        }
    }
    for dir in ["etc/udev/rules.d", "usr/lib/udev/rules.d", "lib/udev/rules.d"]
    {
        let rule = root.join(dir).join("80-ethcfg.rules");
        if rule.exists() {
            out.push(format!("the udev rule {} applies them when an interface is added or moved", Path::new("/").join(dir).join("80-ethcfg.rules").display()));
            break;
        }
    }
    let nm = root.join("etc/NetworkManager/dispatcher.d/pre-up.d/50-ethcfg");
    if nm.exists() {
        out.push("the NetworkManager dispatcher script applies them before a connection comes up".into());
    }
    out
}

fn tell_reapply(out: &mut dyn Write) -> Result<(), CliError> {
    let how = reapplied_by(Path::new("/"));
    if how.is_empty() {
        writeln!(out, "Nothing re-applies them on this host yet: run `systemctl enable --now ethcfg-watch.service` (or `systemctl enable ethcfg-apply.service` for a boot-time apply without a daemon).")?;
    } else {
        for h in how {
            writeln!(out, "Re-applied: {h}.")?;
        }
    }
    Ok(())
}

pub(crate) fn run(
    a: &PersistArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, CliError> {
    super::iface_refs(&a.ifaces)?;
    let profiles = Profiles::load(env.profile_dir())?;
    let profile = profiles.get(&a.profile)?;
    let path = env.config_path();
    let failed = |e: write::WriteError| CliError::Failed(e.to_string());
    let mut doc = write::load(&path).map_err(failed)?;
    let by = a.by.map(|b| match b {
        ByArg::Name => By::Name,
        ByArg::Mac => By::Mac,
        ByArg::Path => By::Path,
    });
    let mut tables = Vec::new();
    for name in &a.ifaces {
        let id = identify(name)?;
        if !a.force && !profile.is_for_driver(id.driver.as_deref()) {
            return Err(CliError::Failed(format!(
                "{name} is on {}, not {}: profile {} is not for it; use --force to bind it anyway",
                id.driver.as_deref().unwrap_or("no driver"),
                profile.drivers.join(" or "),
                profile.name
            )));
        }
        let Some((key, val)) = persist::stable_key(&id, by) else {
            return Err(CliError::Failed(format!(
                "{name} has no such identity to match by"
            )));
        };
        // A binding for this device already there is replaced.
        write::remove_binds(&mut doc, |t| persist::names_device(t, &id));
        let comment = format!(
            "{name}{}: persisted by `ethcfg persist {} {name}`",
            id.driver.as_deref().map(|d| format!(" ({d})")).unwrap_or_default(),
            profile.name
        );
        tables.push(persist::binding_table(
            key,
            &val,
            &profile.name,
            a.force,
            &comment,
        ));
    }
    for t in &tables {
        write!(out, "{}", persist::table_text(t))?;
    }
    if a.dry_run {
        writeln!(out, "(dry run: {} not written)", path.display())?;
        return Ok(Exit::Ok);
    }
    write::append_binds(&mut doc, tables)
        .map_err(|r| CliError::Failed(format!("{}: {r}", path.display())))?;
    write::save(&path, &doc).map_err(failed)?;
    writeln!(out, "Written to {}.", path.display())?;
    let exit = super::apply::run_config(
        &a.ifaces,
        BindMode::Apply,
        Source::Config,
        false,
        env,
        out,
        err,
    )?;
    tell_reapply(out)?;
    Ok(exit)
}

pub(crate) fn run_unpersist(
    a: &UnpersistArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, CliError> {
    super::iface_refs(&a.ifaces)?;
    let path = env.config_path();
    let failed = |e: write::WriteError| CliError::Failed(e.to_string());
    let mut doc = write::load(&path).map_err(failed)?;
    let mut removed = 0;
    for name in &a.ifaces {
        let id = identify(name)?;
        let n =
            write::remove_binds(&mut doc, |t| persist::names_device(t, &id));
        if n == 0 {
            writeln!(
                err,
                "ethcfg: note: {name}: no binding in {} names it",
                path.display()
            )?;
        }
        removed += n;
    }
    if removed > 0 {
        write::save(&path, &doc).map_err(failed)?;
        writeln!(out, "Removed {removed} binding(s) from {}.", path.display())?;
    }
    // Applying the configuration now reverts what its records hold.
    super::apply::run_config(
        &a.ifaces,
        BindMode::Apply,
        Source::Config,
        false,
        env,
        out,
        err,
    )
}
