//! The library's error type. Every variant says what failed and why, with
//! the facts a program needs (the interface, the operation, the errno, the
//! kernel's extended ACK, the profile, the path) and no advice for any one
//! front end: what to do about it is the caller's to say (the CLI adds
//! "use --force" or "run as root" when it prints one). [`Error::kind`]
//! classifies it for programs (the CLI maps kinds to exit codes),
//! [`Error::errno`] and [`Error::extack`] carry what the kernel said,
//! [`Error::iface`] the interface it is about.
//!
//! May use: nothing else of this crate (it is the lowest layer).

use std::fmt;

/// What kind of failure an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No such interface, or no such feature name.
    NotFound,
    /// The caller lacks `CAP_NET_ADMIN`.
    PermissionDenied,
    /// The kernel or the driver does not implement the operation.
    NotSupported,
    /// The request itself is wrong (bad name, fixed feature, ...).
    InvalidInput,
    /// The kernel refused the request with an errno.
    Kernel,
    /// The kernel's reply could not be decoded.
    Malformed,
    /// The netlink socket failed.
    Io,
}

/// An errno, printed by its symbolic name (`EOPNOTSUPP`, ...).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(pub i32);

impl Errno {
    /// nix's errno, whose variants are the C names; `None` for a number
    /// this platform does not define.
    fn known(self) -> Option<nix::errno::Errno> {
        match nix::errno::Errno::from_raw(self.0) {
            nix::errno::Errno::UnknownErrno => None,
            e => Some(e),
        }
    }

    /// The symbolic name (`EOPNOTSUPP`), when this platform defines the
    /// number.
    pub fn name(self) -> Option<String> {
        self.known().map(|e| format!("{e:?}"))
    }
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // nix's Errno is a C-like enum whose derived Debug is the C name.
        match self.known() {
            Some(e) => write!(f, "{e:?}"),
            None => write!(f, "errno {}", self.0),
        }
    }
}

fn iface_prefix(iface: &Option<String>) -> String {
    iface.as_ref().map(|i| format!("{i}: ")).unwrap_or_default()
}

fn kernel_says(extack: &Option<String>) -> String {
    match extack {
        Some(m) if !m.is_empty() => format!(": {m}"),
        _ => String::new(),
    }
}

fn rollback_text(done: &[String], failed: &[RollbackFailure]) -> String {
    let mut s = if done.is_empty() {
        "nothing had been changed".to_owned()
    } else {
        format!("rolled back {}", done.join(", "))
    };
    if !failed.is_empty() {
        let each: Vec<String> = failed
            .iter()
            .map(|f| match f.cause.iface() {
                Some(i) if i == f.iface => {
                    format!("{} ({})", f.iface, Unnamed(&f.cause))
                }
                _ => format!("{} ({})", f.iface, f.cause),
            })
            .collect();
        s.push_str(&format!("; COULD NOT roll back {}", each.join(", ")));
    }
    s
}

/// An error without its interface prefix, for a sentence that already
/// names the interface (`eno1: ...` once, not twice).
struct Unnamed<'e>(&'e Error);

impl fmt::Display for Unnamed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0.to_string();
        let prefix = self.0.iface().map(|i| format!("{i}: "));
        match prefix.as_deref().and_then(|p| whole.strip_prefix(p)) {
            Some(rest) => f.write_str(rest),
            None => f.write_str(&whole),
        }
    }
}

/// `ApplyFailed`'s cause, after the interface it names once.
fn cause_text(iface: &str, source: &Error) -> String {
    match source.iface() {
        Some(i) if i == iface => format!("{iface}: {}", Unnamed(source)),
        _ => format!("{iface}: {source}"),
    }
}

fn suggest(s: &[String]) -> String {
    match s {
        [] => String::new(),
        [one] => format!("; did you mean {one}?"),
        many => format!("; did you mean one of: {}?", many.join(", ")),
    }
}

/// The group in a sentence ("ring settings", not "rings settings").
fn group_noun(group: &str) -> &str {
    match group {
        "rings" => "ring",
        "channels" => "channel",
        "coalesce" => "interrupt coalescing",
        "pause" => "pause (flow control)",
        "eee" => "EEE",
        "private-flags" => "private flag",
        other => other,
    }
}

fn known_settings(known: &[String]) -> String {
    if known.is_empty() {
        "it has none of this kind".to_owned()
    } else {
        format!("it has: {}", known.join(", "))
    }
}

/// An interface whose rollback failed, and why: its record stays, so it
/// can still be reverted.
#[derive(Debug)]
#[non_exhaustive]
pub struct RollbackFailure {
    /// The interface left changed.
    pub iface: String,
    /// What stopped its rollback.
    pub cause: Error,
}

impl RollbackFailure {
    /// `iface` could not be rolled back because of `cause`.
    pub fn new(iface: impl Into<String>, cause: Error) -> Self {
        RollbackFailure { iface: iface.into(), cause }
    }
}

/// Everything that can go wrong in ethcfg-core.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The kernel has no `ethtool` generic-netlink family.
    #[error(
        "this kernel has no ethtool netlink interface (family \"ethtool\" not found): \
         it needs Linux 5.6 or later built with CONFIG_ETHTOOL_NETLINK=y"
    )]
    FamilyUnavailable,

    /// The running kernel does not implement an operation.
    #[error("this kernel does not support {op} over ethtool netlink (it needs {needs})")]
    OpUnsupported {
        /// The operation, e.g. `FEATURES_SET`.
        op: &'static str,
        /// What would provide it.
        needs: &'static str,
    },

    /// No interface with this name or index (in this network namespace).
    #[error("no such interface: {iface}")]
    NoSuchInterface {
        /// The interface as the caller named it.
        iface: String,
    },

    /// An interface name the kernel could never accept.
    #[error("invalid interface name {name:?}: {reason}")]
    InvalidInterfaceName {
        /// The rejected name.
        name: String,
        /// Why it is invalid.
        reason: &'static str,
    },

    /// A feature name that is neither a kernel feature nor a legacy alias.
    #[error(
        "{}unknown feature {name:?}{}",
        iface_prefix(iface),
        suggest(suggestions)
    )]
    UnknownFeature {
        /// The interface, when known.
        iface: Option<String>,
        /// The name as given.
        name: String,
        /// Close known names.
        suggestions: Vec<String>,
    },

    /// A legacy name with no feature behind it on this kernel (`ufo`).
    #[error("{}{name:?} matches no feature of this kernel (ethtool pattern {pattern:?}); there is nothing to set", iface_prefix(iface))]
    AliasMatchesNothing {
        /// The interface, when known.
        iface: Option<String>,
        /// The legacy name.
        name: String,
        /// Its kernel-name pattern.
        pattern: &'static str,
    },

    /// A feature the device does not let anyone change.
    #[error(
        "{iface}: feature {name} is fixed {} on this device and cannot be turned {}",
        if *active { "on" } else { "off" },
        if *active { "off" } else { "on" }
    )]
    FixedFeature {
        /// The interface.
        iface: String,
        /// The kernel feature name.
        name: String,
        /// Its fixed state.
        active: bool,
    },

    /// The operation needs `CAP_NET_ADMIN`.
    #[error(
        "{}{op} needs CAP_NET_ADMIN (kernel said EPERM)",
        iface_prefix(iface)
    )]
    PermissionDenied {
        /// The interface, when known.
        iface: Option<String>,
        /// What was attempted.
        op: &'static str,
    },

    /// A profile file that does not parse or validate.
    #[error("{file}{}: {problem}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Profile {
        /// The file (or "built-in").
        file: String,
        /// The line, when known.
        line: Option<usize>,
        /// What is wrong.
        problem: String,
    },

    /// The configuration file (`ethcfg.toml`) or one of its bindings does
    /// not parse, validate or resolve; or bindings disagree.
    #[error("{file}{}: {problem}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Config {
        /// The file.
        file: String,
        /// The line, when known.
        line: Option<usize>,
        /// What is wrong.
        problem: String,
    },

    /// A profile entry this kernel or device cannot take (an unknown
    /// feature or setting, a value out of range): where it is written,
    /// and the error itself.
    #[error("{file}{}: {source}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    ProfileEntry {
        /// The profile and its file (or "built-in").
        file: String,
        /// The line, when known.
        line: Option<usize>,
        /// What is wrong with it.
        #[source]
        source: Box<Error>,
    },

    /// A profile path ethcfg will not trust, or cannot read.
    #[error("refusing profiles from {}: {reason}", path.display())]
    ProfileAccess {
        /// The file or directory.
        path: std::path::PathBuf,
        /// Why.
        reason: String,
    },

    /// No profile with this name.
    #[error("unknown profile {name:?}; known profiles: {}", known.join(", "))]
    UnknownProfile {
        /// The name asked for.
        name: String,
        /// The profiles there are.
        known: Vec<String>,
    },

    /// The state directory (records for revert and rollback) failed.
    #[error("cannot {what} {}: {source}", path.display())]
    State {
        /// The file or directory.
        path: std::path::PathBuf,
        /// What was being done.
        what: &'static str,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },

    /// The state directory is not writable by this user.
    #[error("changing interfaces needs CAP_NET_ADMIN, and ethcfg records what it changes in {} which this user cannot write", path.display())]
    StateNotWritable {
        /// The state directory.
        path: std::path::PathBuf,
    },

    /// The state directory or one of its files is not safe to use: a
    /// symlink, not a regular file, or writable by someone less trusted
    /// than the caller.
    #[error("refusing the state directory: {}: {reason}", path.display())]
    StateUnsafe {
        /// The directory or file.
        path: std::path::PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// `revert NAME` where the device ethcfg recorded under NAME is gone and
    /// NAME is now another device: nothing was touched.
    #[error("{iface}: the device ethcfg recorded as {iface} (ifindex {recorded}) is gone; {iface} is now another device (ifindex {now}) and was not touched; drop the stale record with `ethcfg revert --forget {iface}`")]
    RecordedDeviceGone {
        /// The name asked for.
        iface: String,
        /// The ifindex in the record.
        recorded: u32,
        /// The ifindex of the device that has the name now.
        now: u32,
    },

    /// `revert` of an interface ethcfg has no record for.
    #[error("{iface}: nothing to revert: ethcfg has no record of changing it in {} (records last until reboot)", dir.display())]
    NoRecord {
        /// The interface.
        iface: String,
        /// The state directory searched.
        dir: std::path::PathBuf,
    },

    /// A profile meant for other drivers.
    #[error("{iface}: profile {profile} is for {} interfaces, and this is {found}", wanted.join(" or "))]
    WrongDriver {
        /// The interface.
        iface: String,
        /// The profile.
        profile: String,
        /// The drivers it is for.
        wanted: Vec<String>,
        /// What the interface is (`an igb interface`, `a virtual veth device`).
        found: String,
    },

    /// A change failed part-way; what was already changed was rolled back.
    #[error(
        "{}; {}",
        cause_text(iface, source),
        rollback_text(rolled_back, rollback_failed)
    )]
    ApplyFailed {
        /// The interface where it failed.
        iface: String,
        /// Why.
        #[source]
        source: Box<Error>,
        /// Interfaces restored to their state before this run.
        rolled_back: Vec<String>,
        /// Interfaces that could not be restored, each with what stopped
        /// it (their records stay, for a later revert).
        rollback_failed: Vec<RollbackFailure>,
    },

    /// Requested changes the kernel or driver refused, where a refusal
    /// is a failure (`strict`): the cause of an [`Error::ApplyFailed`]
    /// whose rollback did not complete. A strict run that rolled back
    /// cleanly is a report, not an error.
    #[error("{iface}: the kernel or driver refused {}", features.join(", "))]
    Refused {
        /// The first interface with a refusal.
        iface: String,
        /// The refused features and settings there.
        features: Vec<String>,
    },

    /// A settings group (rings, channels, ...) the driver does not
    /// implement, asked to be set.
    #[error(
        "{iface}: the driver does not support {} settings ({detail})",
        group_noun(group)
    )]
    SettingUnsupported {
        /// The interface.
        iface: String,
        /// The group, as `settings::Group::as_str` names it.
        group: &'static str,
        /// What said so, e.g. `RINGS_GET: EOPNOTSUPP`.
        detail: String,
    },

    /// A setting this device does not have (an unknown name, or a value
    /// its driver does not implement).
    #[error(
        "{iface}: this device has no {} setting {key:?}; {}",
        group_noun(group),
        known_settings(known)
    )]
    UnknownSetting {
        /// The interface.
        iface: String,
        /// The group, as `settings::Group::as_str` names it.
        group: &'static str,
        /// The key as given.
        key: String,
        /// The keys of this group the device has.
        known: Vec<String>,
    },

    /// A value the device cannot take (above its maximum, of the wrong
    /// kind, or a read-only value).
    #[error("{iface}: {} {problem}", group_noun(group))]
    InvalidSetting {
        /// The interface.
        iface: String,
        /// The group, as `settings::Group::as_str` names it.
        group: &'static str,
        /// The key as given.
        key: String,
        /// What is wrong, e.g. `rx 5000 exceeds the maximum 4096`.
        problem: String,
    },

    /// The kernel refused a request.
    #[error(
        "{}kernel refused {op}: {errno}{}",
        iface_prefix(iface),
        kernel_says(extack)
    )]
    Kernel {
        /// The interface, when known.
        iface: Option<String>,
        /// The request, e.g. `FEATURES_SET`.
        op: &'static str,
        /// The errno.
        errno: Errno,
        /// The kernel's extended-ACK text.
        extack: Option<String>,
    },

    /// A reply that does not follow the protocol (truncated, malformed).
    #[error("malformed reply from the kernel to {op}: {detail}")]
    Malformed {
        /// The request whose reply was bad.
        op: &'static str,
        /// What was wrong with it.
        detail: String,
    },

    /// `impact` of a module that is neither loaded nor built in.
    #[error("unknown module {name:?}: it is not loaded (not in {}) and not built into this kernel", modules.display())]
    UnknownModule {
        /// The module as asked for.
        name: String,
        /// The module list read (`/proc/modules` under the root).
        modules: std::path::PathBuf,
    },

    /// `impact` without the kernel's module list: whether the module is
    /// loaded, built in or absent cannot be told.
    #[error("cannot tell what unloading {name} does: the module list {} cannot be read: {source}", modules.display())]
    ModulesUnreadable {
        /// The module as asked for.
        name: String,
        /// The module list (`/proc/modules` under the root).
        modules: std::path::PathBuf,
        /// Why it could not be read.
        #[source]
        source: std::io::Error,
    },

    /// The kernel log could not be read.
    #[error("cannot read the kernel log from {from}: {source}")]
    KernelLog {
        /// Where it was read from (`/dev/kmsg`, a file, `stdin`).
        from: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },

    /// The socket failed.
    #[error("netlink socket: {context}: {source}")]
    Io {
        /// What was being done.
        context: &'static str,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

/// Shorthand for results in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The class of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::FamilyUnavailable | Error::OpUnsupported { .. } => {
                ErrorKind::NotSupported
            }
            Error::NoSuchInterface { .. }
            | Error::UnknownFeature { .. }
            | Error::AliasMatchesNothing { .. } => ErrorKind::NotFound,
            Error::InvalidInterfaceName { .. }
            | Error::FixedFeature { .. }
            | Error::Profile { .. }
            | Error::Config { .. }
            | Error::ProfileEntry { .. }
            | Error::ProfileAccess { .. } => ErrorKind::InvalidInput,
            Error::UnknownProfile { .. }
            | Error::NoRecord { .. }
            | Error::RecordedDeviceGone { .. } => ErrorKind::NotFound,
            Error::WrongDriver { .. } | Error::Refused { .. } => {
                ErrorKind::InvalidInput
            }
            Error::State { .. } => ErrorKind::Io,
            Error::StateUnsafe { .. } => ErrorKind::PermissionDenied,
            Error::ApplyFailed { source, .. } => source.kind(),
            Error::PermissionDenied { .. } | Error::StateNotWritable { .. } => {
                ErrorKind::PermissionDenied
            }
            Error::SettingUnsupported { .. } => ErrorKind::NotSupported,
            Error::UnknownSetting { .. } => ErrorKind::NotFound,
            Error::InvalidSetting { .. } => ErrorKind::InvalidInput,
            Error::Kernel { errno, .. } if errno.0 == libc::EOPNOTSUPP => {
                ErrorKind::NotSupported
            }
            Error::Kernel { .. } => ErrorKind::Kernel,
            Error::UnknownModule { .. } => ErrorKind::NotFound,
            Error::ModulesUnreadable { source, .. } => match source.kind() {
                std::io::ErrorKind::PermissionDenied => {
                    ErrorKind::PermissionDenied
                }
                std::io::ErrorKind::NotFound => ErrorKind::NotFound,
                _ => ErrorKind::Io,
            },
            Error::KernelLog { source, .. } => match source.kind() {
                std::io::ErrorKind::PermissionDenied => {
                    ErrorKind::PermissionDenied
                }
                std::io::ErrorKind::NotFound => ErrorKind::NotFound,
                _ => ErrorKind::Io,
            },
            Error::Malformed { .. } => ErrorKind::Malformed,
            Error::Io { .. } => ErrorKind::Io,
        }
    }

    /// The errno the kernel returned, if this error came from one.
    pub fn errno(&self) -> Option<i32> {
        match self {
            Error::Kernel { errno, .. } => Some(errno.0),
            Error::PermissionDenied { .. } => Some(libc::EPERM),
            Error::NoSuchInterface { .. } => Some(libc::ENODEV),
            Error::FamilyUnavailable => Some(libc::ENOENT),
            Error::Io { source, .. } => source.raw_os_error(),
            _ => None,
        }
    }

    /// The kernel's extended-ACK message, if it sent one.
    pub fn extack(&self) -> Option<&str> {
        match self {
            Error::Kernel { extack, .. } => extack.as_deref(),
            _ => None,
        }
    }

    /// The interface this error is about, when it names one.
    pub fn iface(&self) -> Option<&str> {
        match self {
            Error::NoSuchInterface { iface }
            | Error::FixedFeature { iface, .. }
            | Error::NoRecord { iface, .. }
            | Error::WrongDriver { iface, .. }
            | Error::ApplyFailed { iface, .. }
            | Error::Refused { iface, .. }
            | Error::SettingUnsupported { iface, .. }
            | Error::UnknownSetting { iface, .. }
            | Error::InvalidSetting { iface, .. } => Some(iface),
            Error::UnknownFeature { iface, .. }
            | Error::AliasMatchesNothing { iface, .. }
            | Error::PermissionDenied { iface, .. }
            | Error::Kernel { iface, .. } => iface.as_deref(),
            Error::ProfileEntry { source, .. } => source.iface(),
            _ => None,
        }
    }

    /// Names `iface` in a name-resolution error that was made without one.
    pub(crate) fn for_iface(mut self, ifname: &str) -> Error {
        if let Error::UnknownFeature { iface, .. }
        | Error::AliasMatchesNothing { iface, .. } = &mut self
        {
            if iface.is_none() {
                *iface = Some(ifname.to_owned());
            }
        }
        self
    }

    /// Turns a kernel errno for `op` into the most specific error.
    pub(crate) fn from_kernel(
        op: &'static str,
        iface: Option<String>,
        errno: i32,
        extack: Option<String>,
    ) -> Error {
        match errno {
            libc::EPERM | libc::EACCES => Error::PermissionDenied { iface, op },
            libc::ENODEV if iface.is_some() => {
                Error::NoSuchInterface { iface: iface.unwrap_or_default() }
            }
            _ => Error::Kernel { iface, op, errno: Errno(errno), extack },
        }
    }

    /// A request that should have had a reply was only ACKed.
    pub(crate) fn no_reply(op: &'static str) -> Error {
        Error::Malformed { op, detail: "no reply before the ACK".into() }
    }

    /// A request too large to encode (an attribute over 64 KiB).
    pub(crate) fn too_large(op: &'static str) -> Error {
        Error::Malformed {
            op,
            detail: "request too large for a netlink attribute".into(),
        }
    }

    /// An answer matched to a request that is not there.
    pub(crate) fn unmatched(op: &'static str) -> Error {
        Error::Malformed { op, detail: "an answer to no request".into() }
    }

    /// A request sent and never answered.
    pub(crate) fn unanswered(op: &'static str) -> Error {
        Error::Malformed { op, detail: "no answer to the request".into() }
    }
}

#[cfg(test)]
mod tests {
    use super::Errno;

    #[test]
    fn errnos_print_by_their_c_names() {
        assert_eq!(Errno(libc::EOPNOTSUPP).to_string(), "EOPNOTSUPP");
        assert_eq!(Errno(libc::EAGAIN).to_string(), "EAGAIN");
        assert_eq!(Errno(libc::ENODEV).to_string(), "ENODEV");
        assert_eq!(format!("{:?}", Errno(libc::EPERM)), "EPERM");
        assert_eq!(Errno(libc::EMSGSIZE).name().as_deref(), Some("EMSGSIZE"));
        assert_eq!(Errno(100_000).to_string(), "errno 100000");
        assert_eq!(Errno(100_000).name(), None);
    }
}
