//! What `apply --config`, `check --config` and `watch` share: the
//! configuration and profiles loaded (broken bindings told and skipped),
//! and the interfaces present turned into binding targets.

use std::io::Write;
use std::path::Path;

use ethcfg_core::change::BindingTarget;
use ethcfg_core::config::Config;
use ethcfg_core::host::{identity, HostRoot, Identity};
use ethcfg_core::profile::Profiles;
use ethcfg_core::{Error, IfaceRef};

use crate::exit::CliError;

/// The configuration at `path` with `profiles` checked against it; each
/// broken binding told on `err` (it is skipped, the others stay).
pub(crate) fn load(
    path: &Path,
    profiles: &Profiles,
    err: &mut dyn Write,
) -> Result<Config, CliError> {
    let mut config = Config::load(path)?;
    config.check_profiles(profiles);
    for b in &config.broken {
        writeln!(err, "ethcfg: error: {b}")?;
    }
    Ok(config)
}

/// The names of the interfaces present in this network namespace (from
/// rtnetlink: sysfs may show another namespace's).
pub(crate) fn present() -> Result<Vec<(String, u32)>, CliError> {
    let mut names: Vec<(String, u32)> = ethcfg_core::host::link_kinds()?
        .into_iter()
        .map(|l| (l.ifname, l.ifindex))
        .collect();
    names.sort();
    Ok(names)
}

/// The identity of `name`, reading the permanent address only when a
/// binding needs it.
pub(crate) fn identify(config: &Config, name: &str) -> Identity {
    // Bindings that match by name alone need nothing from sysfs (the
    // watcher asks on every link and features event).
    let by_name_only = config.bindings.iter().all(|b| {
        let m = &b.matcher;
        m.mac.is_none()
            && m.permanent_mac.is_none()
            && m.driver.is_none()
            && m.path.is_none()
    });
    if by_name_only {
        return Identity::named(name);
    }
    let root = if config.needs_permanent_mac() {
        HostRoot::live()
    } else {
        // The live files without the rtnetlink request.
        HostRoot::dir(HostRoot::LIVE_DIR)
    };
    identity(&root, name)
}

/// A target for the interface `name` (index `ifindex` when known): what
/// its bindings say, or the error that resolving them gave (contradicting
/// bindings). Sysfs facts of another device of that name (sysfs mounted
/// for another network namespace) are not used.
pub(crate) fn target_at(
    config: &Config,
    profiles: &Profiles,
    name: &str,
    ifindex: Option<u32>,
) -> Result<BindingTarget, Error> {
    let mut id = identify(config, name);
    if ifindex.is_some_and(|i| i != id.ifindex) {
        id = Identity::named(name);
    }
    let iface = match ifindex {
        Some(i) => IfaceRef::by_name_and_index(name, i)?,
        None => IfaceRef::by_name(name)?,
    };
    Ok(BindingTarget::new(iface, config.desired(&id, profiles)?))
}
