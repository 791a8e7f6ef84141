//! The command line, as clap derive definitions only: no I/O here. The
//! same definitions generate `--help`, the man page and the completions.

use clap::{Parser, Subcommand, ValueEnum};

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
ETHCFG_STATE_DIR (records for revert, default /run/ethcfg).",
    propagate_version = true
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Show the features of interfaces, like `ethtool -k` (all interfaces when none is named)
    Show {
        /// Interfaces to show; all of them (from one dump) when omitted
        #[arg(value_name = "IFACE")]
        ifaces: Vec<String>,
        /// Print JSON on stdout: [{"ifname", "ifindex", "driver", "features": {NAME: {"active", "requested", "fixed"}}}]
        #[arg(long)]
        json: bool,
        /// Also show rings, channels, coalesce, pause, EEE and private flags
        /// (JSON: "rings", "channels", "coalesce", "pause", "eee", "private-flags"; null and listed
        /// in "unsupported" when the driver does not have them)
        #[arg(long)]
        all_settings: bool,
    },
    /// Set features and other ethtool settings, and report what actually changed
    #[command(after_help = "SETTINGS, in any order:\n  \
NAME on|off                        a feature (like ethtool -K)\n  \
ring rx|tx|rx-mini|rx-jumbo N|max  ring sizes (like ethtool -G)\n  \
channels rx|tx|other|combined N|max  channel counts (like ethtool -L)\n  \
coalesce KEY VALUE                 interrupt coalescing, e.g. rx-usecs 50, adaptive-rx off (like ethtool -C)\n  \
pause autoneg|rx|tx on|off         flow control (like ethtool -A)\n  \
eee on|off, eee-tx-lpi on|off, eee-tx-timer N   Energy-Efficient Ethernet (like ethtool --set-eee)\n  \
priv-flag NAME on|off              a driver's private flag (like ethtool --set-priv-flags)\n\n\
NAME is a legacy ethtool name (tso, gso, gro, lro, rx, tx, sg, rxvlan, \
txvlan, ntuple, rxhash, or a long form such as tcp-segmentation-offload) or a kernel \
feature name (tx-tcp-segmentation, rx-gro-hw, ...). Legacy names expand to every kernel \
feature they cover on the running kernel.\n\nExample: ethcfg set eno1 gso off gro off tso off tx off rx off rxvlan off txvlan off sg off")]
    Set {
        /// The interface
        #[arg(value_name = "IFACE")]
        iface: String,
        /// What to set: NAME on|off pairs and the settings below
        #[arg(value_name = "SETTINGS", required = true, num_args = 1..)]
        words: Vec<String>,
        /// Print JSON on stdout: [{"ifname", "changed", "changes": [{"feature", "from", "to", "status"}]}]
        #[arg(long)]
        json: bool,
    },
    /// Apply a profile to interfaces: plan, record, set, verify; roll back on failure
    #[command(
        after_help = "Before anything is sent, every interface is read and planned; features \
already in the profile's state are not sent again, so applying twice changes nothing. What is \
changed is recorded (ETHCFG_STATE_DIR, default /run/ethcfg) so `ethcfg revert` restores it. \
Features the device has fixed in the other state are reported as refused (exit 3).\n\n\
Example (ifupdown): post-up ethcfg apply e1000e-hang-safe eno1"
    )]
    Apply {
        /// Profile name (see `ethcfg profiles list`)
        profile: String,
        /// Interfaces to apply it to
        #[arg(value_name = "IFACE", required = true, num_args = 1..)]
        ifaces: Vec<String>,
        /// Plan and report (status "planned"), send nothing
        #[arg(long)]
        dry_run: bool,
        /// Apply even to interfaces on drivers the profile is not for
        #[arg(long)]
        force: bool,
        /// All or nothing: if anything is refused, roll back every change of this run
        #[arg(long)]
        strict: bool,
        /// Print JSON on stdout, as for `set`
        #[arg(long)]
        json: bool,
    },
    /// Check whether interfaces match a profile now (exit 4 and the drifted features if not)
    Check {
        /// Profile name
        profile: String,
        /// Interfaces to check
        #[arg(value_name = "IFACE", required = true, num_args = 1..)]
        ifaces: Vec<String>,
        /// Print JSON on stdout; drifted features have status "drift"
        #[arg(long)]
        json: bool,
    },
    /// Restore what the last apply/set changed on interfaces
    Revert {
        /// Interfaces to restore
        #[arg(value_name = "IFACE", required = true, num_args = 1..)]
        ifaces: Vec<String>,
        /// Print JSON on stdout, as for `set`
        #[arg(long)]
        json: bool,
    },
    /// List the profiles, or show one
    Profiles {
        #[command(subcommand)]
        action: Option<ProfilesAction>,
        /// Print JSON on stdout
        #[arg(long, global = true)]
        json: bool,
    },
    /// Diagnose NIC trouble from the kernel log: e1000e hangs, ice DDP packages, iSCSI heartbeats
    #[command(
        after_help = "Reads the kernel log (/dev/kmsg: what is buffered, without waiting; or a saved \
dmesg, journalctl -k or syslog file with --kernel-log, - for stdin) and the system, and says what \
is wrong, why, and the commands that fix it. Nothing is changed. Findings: e1000e-hang, \
ice-ddp-os-default, ice-ddp-safe-mode, iscsi-heartbeat-loss.\n\n\
Example: journalctl -k -b -1 | ethcfg doctor --kernel-log -"
    )]
    Doctor {
        /// Only findings for these interfaces (and host-wide ones)
        #[arg(value_name = "IFACE")]
        ifaces: Vec<String>,
        /// Kernel log to read instead of /dev/kmsg (dmesg, journalctl -k or syslog format; - is stdin)
        #[arg(long, value_name = "FILE")]
        kernel_log: Option<std::path::PathBuf>,
        /// Read sysfs, procfs, /lib/firmware and /etc under DIR instead of / (a rescue mount, a fixture)
        #[arg(long, value_name = "DIR")]
        root: Option<std::path::PathBuf>,
        /// Print JSON on stdout: {"findings": [{"id", "severity", "interface", "device", "evidence", "explanation", "remedy"}]}
        #[arg(long)]
        json: bool,
    },
    /// Show what unloading a kernel module takes with it, before anyone runs rmmod or modprobe -r
    #[command(
        after_help = "From /proc/modules, /sys/module/*/holders and the driver behind every network \
interface: the modules holding MODULE (they must go first), what rmmod of them and MODULE unloads, \
what modprobe -r unloads on top (dependencies whose use count drops to zero), the interfaces that \
vanish, whether a management interface (default route, SSH session) is among them, and a sequence \
that keeps it up. Nothing is changed.\n\nExample: ethcfg impact ice"
    )]
    Impact {
        /// The module (dashes and underscores are the same)
        module: String,
        /// Read sysfs and procfs under DIR instead of /
        #[arg(long, value_name = "DIR")]
        root: Option<std::path::PathBuf>,
        /// Print JSON on stdout: {"module", "holders", "rmmod", "modprobe_r", "management_interfaces", "safe_sequence"}
        #[arg(long)]
        json: bool,
    },
    /// Write the man page or shell completions (for packagers)
    #[command(hide = true)]
    Generate {
        /// What to generate
        what: Generated,
        /// Directory to write into
        dir: std::path::PathBuf,
    },
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

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Generated {
    /// ethcfg.1 and ethcfg-SUBCOMMAND.1
    Man,
    /// ethcfg.bash, _ethcfg (zsh), ethcfg.fish
    Completions,
}
