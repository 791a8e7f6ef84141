//! An error as one line for people: `IFACE: what failed: why; what to
//! do`. The library's message says what failed and why; what to do with
//! this CLI (which flag, which command, run as root) is added here, by
//! [`advice`], matching on the variant.

use ethcfg_core::{Error, ErrorKind};

/// What to do about an error, and how it joins the library's message
/// when it ends the line (`: run ethcfg as root`, ` (see ...)`, `; ...`).
pub(crate) struct Advice {
    sep: &'static str,
    text: String,
    close: &'static str,
}

impl Advice {
    fn new(sep: &'static str, text: impl Into<String>) -> Self {
        Advice { sep, text: text.into(), close: "" }
    }

    fn aside(text: impl Into<String>) -> Self {
        Advice { sep: " (", text: text.into(), close: ")" }
    }

    /// The advice as it ends a line.
    fn suffix(&self) -> String {
        format!("{}{}{}", self.sep, self.text, self.close)
    }
}

/// What a user of this CLI can do about `e`, if there is something to say.
pub(crate) fn advice(e: &Error) -> Option<Advice> {
    const ROOT: &str = "run ethcfg as root, e.g. with sudo";
    Some(match e {
        Error::NoSuchInterface { .. } => Advice::aside(
            "see `ip link` for the interfaces in this network namespace",
        ),
        Error::InvalidInterfaceName { .. } => {
            Advice::new("; ", "check the name with `ip link`")
        }
        Error::UnknownFeature { suggestions, .. } if suggestions.is_empty() => {
            Advice::new("; ", "`ethcfg show IFACE` lists the names this kernel knows")
        }
        Error::FixedFeature { .. } => {
            Advice::new("; ", "leave it out of the request")
        }
        Error::PermissionDenied { .. } | Error::StateNotWritable { .. } => {
            Advice::new(": ", ROOT)
        }
        Error::UnknownProfile { .. } => Advice::aside("see `ethcfg profiles list`"),
        Error::WrongDriver { .. } => {
            Advice::new("; ", "use --force to apply it anyway")
        }
        Error::SettingUnsupported { .. } => Advice::new("; ", "leave them out"),
        Error::UnknownSetting { known, .. } if known.is_empty() => {
            Advice::new("; ", "leave it out")
        }
        Error::UnknownSetting { .. } => Advice::aside("use one of those"),
        Error::InvalidSetting { iface, .. } => Advice::new(
            "; ",
            format!("`ethcfg show {iface} --all-settings` shows the values and limits"),
        ),
        Error::Kernel { extack: None, .. } => Advice::aside(
            "no reason given; the driver may have logged one: check `dmesg`",
        ),
        Error::UnknownModule { .. } => {
            Advice::new("; ", "`lsmod` lists the loaded modules")
        }
        Error::KernelLog { .. } if e.kind() == ErrorKind::PermissionDenied => {
            Advice::new(
                "; ",
                "run ethcfg as root (reading /dev/kmsg needs CAP_SYSLOG when \
                 kernel.dmesg_restrict=1), or save the log and pass it: \
                 journalctl -k > kern.log; ethcfg doctor --kernel-log kern.log",
            )
        }
        Error::KernelLog { .. } => Advice::new(
            "; ",
            "pass a saved log with --kernel-log FILE (- reads stdin)",
        ),
        // The entry's own advice, after where it is written.
        Error::ProfileEntry { source, .. } => return advice(source),
        Error::ApplyFailed { source, rollback_failed, .. } => {
            // After what the rollback did: the cause's advice, then what
            // to do about interfaces left changed.
            let mut todo: Vec<String> =
                advice(source).map(|a| a.text).into_iter().collect();
            if !rollback_failed.is_empty() {
                todo.push("run `ethcfg revert` on them".to_owned());
            }
            if todo.is_empty() {
                return None;
            }
            Advice::new("; ", todo.join("; "))
        }
        _ => return None,
    })
}

/// `e` as the CLI prints it after `ethcfg: error: `.
pub(crate) fn line(e: &Error) -> String {
    match advice(e) {
        Some(a) => format!("{e}{}", a.suffix()),
        None => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advice_is_the_clis_and_the_message_the_librarys() {
        let e = Error::PermissionDenied {
            iface: Some("eno1".into()),
            op: "FEATURES_SET",
        };
        assert_eq!(
            e.to_string(),
            "eno1: FEATURES_SET needs CAP_NET_ADMIN (kernel said EPERM)"
        );
        assert_eq!(
            line(&e),
            "eno1: FEATURES_SET needs CAP_NET_ADMIN (kernel said EPERM): \
             run ethcfg as root, e.g. with sudo"
        );
    }

    #[test]
    fn a_failed_apply_names_its_interface_once() {
        let e = Error::ApplyFailed {
            iface: "eno1".into(),
            source: Box::new(Error::PermissionDenied {
                iface: Some("eno1".into()),
                op: "FEATURES_SET",
            }),
            rolled_back: Vec::new(),
            rollback_failed: Vec::new(),
        };
        assert_eq!(
            line(&e),
            "eno1: FEATURES_SET needs CAP_NET_ADMIN (kernel said EPERM); \
             nothing had been changed; run ethcfg as root, e.g. with sudo"
        );
    }

    /// The lines the library printed whole before its messages lost their
    /// advice: the CLI prints them byte for byte as before.
    #[test]
    fn lines_are_as_before() {
        let cases: Vec<(Error, &str)> = vec![
            (
                Error::SettingUnsupported {
                    iface: "eth0".into(),
                    group: "eee",
                    detail: "EEE_GET: EOPNOTSUPP".into(),
                },
                "eth0: the driver does not support EEE settings \
                 (EEE_GET: EOPNOTSUPP); leave them out",
            ),
            (
                Error::UnknownSetting {
                    iface: "eth0".into(),
                    group: "coalesce",
                    key: "tx-usecs".into(),
                    known: vec!["rx-usecs".into()],
                },
                "eth0: this device has no interrupt coalescing setting \
                 \"tx-usecs\"; it has: rx-usecs (use one of those)",
            ),
            (
                Error::UnknownSetting {
                    iface: "eth0".into(),
                    group: "rings",
                    key: "rx".into(),
                    known: Vec::new(),
                },
                "eth0: this device has no ring setting \"rx\"; it has none \
                 of this kind; leave it out",
            ),
            (
                Error::Kernel {
                    iface: Some("eth0".into()),
                    op: "FEATURES_SET",
                    errno: ethcfg_core::Errno(libc::EBUSY),
                    extack: None,
                },
                "eth0: kernel refused FEATURES_SET: EBUSY (no reason given; \
                 the driver may have logged one: check `dmesg`)",
            ),
            (
                Error::Kernel {
                    iface: Some("eth0".into()),
                    op: "FEATURES_SET",
                    errno: ethcfg_core::Errno(libc::EINVAL),
                    extack: Some("reserved bit set".into()),
                },
                "eth0: kernel refused FEATURES_SET: EINVAL: reserved bit set",
            ),
            (
                Error::UnknownModule {
                    name: "nosuch".into(),
                    modules: "/proc/modules".into(),
                },
                "unknown module \"nosuch\": it is not loaded (not in \
                 /proc/modules) and not built into this kernel; `lsmod` \
                 lists the loaded modules",
            ),
            (
                Error::KernelLog {
                    from: "kern.log".into(),
                    source: std::io::Error::from(std::io::ErrorKind::NotFound),
                },
                "cannot read the kernel log from kern.log: entity not found; \
                 pass a saved log with --kernel-log FILE (- reads stdin)",
            ),
            (
                Error::NoSuchInterface { iface: "nope0".into() },
                "no such interface: nope0 (see `ip link` for the interfaces \
                 in this network namespace)",
            ),
            (
                Error::UnknownFeature {
                    iface: Some("eth0".into()),
                    name: "zzz".into(),
                    suggestions: Vec::new(),
                },
                "eth0: unknown feature \"zzz\"; `ethcfg show IFACE` lists \
                 the names this kernel knows",
            ),
            (
                Error::UnknownFeature {
                    iface: None,
                    name: "tos".into(),
                    suggestions: vec!["tso".into()],
                },
                "unknown feature \"tos\"; did you mean tso?",
            ),
            (
                Error::FixedFeature {
                    iface: "eth0".into(),
                    name: "rx-lro".into(),
                    active: false,
                },
                "eth0: feature rx-lro is fixed off on this device and cannot \
                 be turned on; leave it out of the request",
            ),
            (
                Error::UnknownProfile {
                    name: "x".into(),
                    known: vec!["a".into(), "b".into()],
                },
                "unknown profile \"x\"; known profiles: a, b (see `ethcfg \
                 profiles list`)",
            ),
            (
                Error::WrongDriver {
                    iface: "eth0".into(),
                    profile: "e1000e-hang-safe".into(),
                    wanted: vec!["e1000e".into()],
                    found: "a virtual veth device".into(),
                },
                "eth0: profile e1000e-hang-safe is for e1000e interfaces, and \
                 this is a virtual veth device; use --force to apply it anyway",
            ),
            (
                Error::StateNotWritable { path: "/run/ethcfg".into() },
                "changing interfaces needs CAP_NET_ADMIN, and ethcfg records \
                 what it changes in /run/ethcfg which this user cannot write: \
                 run ethcfg as root, e.g. with sudo",
            ),
            (
                Error::ProfileEntry {
                    file: "profile mine (/etc/ethcfg/profiles/mine.toml)"
                        .into(),
                    line: Some(9),
                    source: Box::new(Error::UnknownSetting {
                        iface: "va".into(),
                        group: "channels",
                        key: "combined".into(),
                        known: vec!["rx".into(), "tx".into()],
                    }),
                },
                "profile mine (/etc/ethcfg/profiles/mine.toml):9: va: this \
                 device has no channel setting \"combined\"; it has: rx, tx \
                 (use one of those)",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(line(&e), want, "{e:?}");
        }
    }

    #[test]
    fn a_rollback_that_failed_keeps_its_cause_and_says_what_to_do() {
        let e = Error::ApplyFailed {
            iface: "eno1".into(),
            source: Box::new(Error::Refused {
                iface: "eno1".into(),
                features: vec!["rx-gro".into()],
            }),
            rolled_back: vec!["eno3".into()],
            rollback_failed: vec![ethcfg_core::RollbackFailure::new(
                "eno2",
                Error::Kernel {
                    iface: Some("eno2".into()),
                    op: "FEATURES_SET",
                    errno: ethcfg_core::Errno(libc::EBUSY),
                    extack: Some("device busy".into()),
                },
            )],
        };
        assert_eq!(
            line(&e),
            "eno1: the kernel or driver refused rx-gro; rolled back eno3; \
             COULD NOT roll back eno2 (kernel refused FEATURES_SET: EBUSY: \
             device busy); run `ethcfg revert` on them"
        );
    }
}
