//! The command line's top: the program's own help and the list of
//! subcommands. Each subcommand's arguments are a `clap::Args` struct in its
//! command module (`cmd/show.rs` has `ShowArgs`), handed to it whole. The
//! same definitions generate `--help`, the man page and the completions.

use clap::{Parser, Subcommand};

use crate::cmd::{
    apply::ApplyArgs,
    check::CheckArgs,
    doctor::DoctorArgs,
    generate::GenerateArgs,
    impact::ImpactArgs,
    import::ImportArgs,
    metrics::MetricsArgs,
    monitor::MonitorArgs,
    persist::{PersistArgs, UnpersistArgs},
    profiles::ProfilesArgs,
    revert::RevertArgs,
    set::SetArgs,
    show::ShowArgs,
    watch::WatchArgs,
};

/// Netlink-native NIC configuration: show and set ethtool features without ethtool.
#[derive(Debug, Parser)]
#[command(
    name = "ethcfg",
    version,
    about,
    long_about = "ethcfg reads and sets network interface features (offloads: tso, gso, gro, rx, tx, \
sg, rxvlan, txvlan and every other kernel feature) over the kernel's ethtool netlink interface, \
and says exactly what the kernel did: applied, refused, or changed as a side effect.\n\n\
Exit status: 0 done (or nothing to do), 1 error (kernel, permission, bad input, unknown \
interface or feature), 2 usage error, 3 partially applied (the kernel or driver refused \
some requested change), 4 drift found by `check`.\n\n\
Environment: ETHCFG_PROFILE_DIR (user profiles, default /etc/ethcfg/profiles.d), \
ETHCFG_STATE_DIR (records for revert, default /run/ethcfg), \
ETHCFG_CONFIG (the config file, default /etc/ethcfg/ethcfg.toml).",
    propagate_version = true
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands. A variant's doc comment is the subcommand's one-line
/// help; the rest (arguments, long help) is with its `Args` struct.
///
/// Deferred: a run builds the arguments of its own subcommand only (the
/// man page, completions and `--help` build them all).
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub(crate) enum Command {
    /// Show the features of interfaces, like `ethtool -k` (all interfaces when none is named)
    Show(ShowArgs),
    /// Set features and other ethtool settings, and report what actually changed
    Set(SetArgs),
    /// Apply a profile to interfaces: plan, record, set, verify; roll back on failure
    Apply(ApplyArgs),
    /// Check whether interfaces match a profile now (exit 4 and the drifted features if not)
    Check(CheckArgs),
    /// Restore what apply/set changed on interfaces, as before the first recorded change
    Revert(RevertArgs),
    /// List the profiles, or show one
    Profiles(ProfilesArgs),
    /// Diagnose NIC trouble from the kernel log: e1000e hangs, igc link drops, r8169 transmit timeouts, ice DDP packages, iSCSI heartbeats
    Doctor(DoctorArgs),
    /// Show what unloading a kernel module takes with it, before anyone runs rmmod or modprobe -r
    Impact(ImpactArgs),
    /// Print feature, settings and link changes as they happen, like `ethtool --monitor`
    Monitor(MonitorArgs),
    /// Turn existing ethtool settings (ifupdown, systemd units and .link files, NetworkManager) into ethcfg bindings
    Import(ImportArgs),
    /// Write Prometheus metrics (drift, applied features, kernel log findings) for node_exporter's textfile collector
    Metrics(MetricsArgs),
    /// Keep the configuration's bindings applied: on hotplug, driver reload, rename, and drift
    Watch(WatchArgs),
    /// Bind a profile to interfaces in the configuration file by a stable identity, and apply it
    Persist(PersistArgs),
    /// Remove interfaces' bindings from the configuration file, and revert them
    Unpersist(UnpersistArgs),
    /// Write the man page or shell completions (for packagers)
    #[command(hide = true)]
    Generate(GenerateArgs),
}
