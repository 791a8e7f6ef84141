//! `metrics`: the facts a monitoring system needs about what ethcfg
//! manages, gathered without changing anything — for `ethcfg metrics`,
//! which writes them in Prometheus's text format for node_exporter.
//!
//! What is expected of an interface comes from its state record (the
//! profile of the last apply, its source, its time, the features ethcfg
//! manages there): [`from_records`]. Drift and refusals come from the
//! change engine's check (the same plan `ethcfg check` makes); the kernel
//! log's trouble from [`doctor`]'s findings, counted.
//!
//! With the config file's bindings, what is expected of an interface is
//! what its bindings say now ([`Expected::bound`]: the merged profile,
//! named after the bindings' lines, source `config`), whether or not it
//! was applied yet; [`gather_with`] checks those the same way.
//!
//! Layer: diagnosis (see [`crate::diagnosis`]).

use std::path::PathBuf;

use crate::change::Engine;
use crate::config::Desired;
use crate::diagnosis::doctor::{self, Severity};
use crate::ethtool::features::{Features, Status};
use crate::ethtool::session::Session;
use crate::iface::IfaceRef;
use crate::netlink::transport::{run_sync, SyncSocket, NETLINK_GENERIC};
use crate::profile::{Profile, Profiles};
use crate::state::{Record, Records, Source, StateDir};

/// What `set` records as the maker of a change: no profile to check against.
const SET: &str = "set";

/// What ethcfg is expected to keep true on one interface.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Expected {
    /// The interface's name now.
    pub ifname: String,
    /// Its index, when known: a name now held by another device is not
    /// checked as this one.
    pub ifindex: Option<u32>,
    /// The profile in effect (the last apply's), or `set`.
    pub profile: String,
    /// What made the first change (a profile, or `set`).
    pub first_by: String,
    /// What started the first recorded run.
    pub source: Source,
    /// Seconds since the epoch of the last change ethcfg made.
    pub last_apply: u64,
    /// The features ethcfg manages there (asked for, or side effects).
    pub features: Vec<String>,
    /// The profile to check against when it is no named profile (the
    /// bindings' merged one); `None`: look [`Expected::profile`] up.
    pub bound: Option<Profile>,
}

impl Expected {
    /// What the config file's bindings want of `ifname` (index `ifindex`):
    /// `desired` (from [`crate::config::Config::desired`]), with the time
    /// of the last change from its record, if ethcfg has one.
    pub fn bound(
        ifname: &str,
        ifindex: u32,
        desired: &Desired,
        record: Option<&Record>,
    ) -> Expected {
        let mut features: Vec<String> =
            desired.profile.features.iter().map(|f| f.name.clone()).collect();
        if let Some(r) = record {
            features.extend(
                r.features
                    .iter()
                    .filter(|f| f.managed)
                    .map(|f| f.name.to_string()),
            );
        }
        features.sort();
        features.dedup();
        Expected {
            ifname: ifname.to_owned(),
            ifindex: (ifindex != 0).then_some(ifindex),
            profile: desired.profile.name.clone(),
            first_by: record.map_or_else(String::new, |r| r.by.clone()),
            source: Source::Config,
            last_apply: record.map_or(0, |r| r.last_at),
            features,
            bound: Some(desired.profile.clone()),
        }
    }
}

/// The expectations of this namespace's state records, by interface name.
pub fn from_records(records: &Records) -> Vec<Expected> {
    let mut out: Vec<Expected> = records
        .values()
        .map(|r| Expected {
            ifname: r.ifname.clone(),
            ifindex: (r.ifindex != 0).then_some(r.ifindex),
            profile: r.last_by.clone(),
            first_by: r.by.clone(),
            source: r.source,
            last_apply: r.last_at,
            features: r
                .features
                .iter()
                .filter(|f| f.managed)
                .map(|f| f.name.to_string())
                .collect(),
            bound: None,
        })
        .collect();
    out.sort_by(|a, b| a.ifname.cmp(&b.ifname));
    out
}

/// How an interface compares with what was applied.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Drift {
    /// Checked against the profile: the values that differ now, and the
    /// ones the driver cannot take (fixed features the profile wants).
    Checked {
        /// Features and settings that differ from the profile.
        drifted: usize,
        /// Changes the device refuses (fixed features).
        refused: usize,
    },
    /// Not checked, and why (a `set` record, a profile gone, the
    /// interface gone).
    Unknown(String),
}

/// One managed interface as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Managed {
    /// What is expected.
    pub expected: Expected,
    /// Drift from it.
    pub drift: Drift,
    /// The managed features' states now (name, active), when the
    /// interface could be read.
    pub features: Vec<(String, bool)>,
}

/// A doctor finding, counted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FindingCount {
    /// The finding's id (`e1000e-hang`).
    pub id: String,
    /// Its severity.
    pub severity: Severity,
    /// The interface, when the finding is about one.
    pub interface: Option<String>,
    /// The device (PCI address), when known.
    pub device: Option<String>,
    /// How many times the log shows it (hangs, drops, timeouts).
    pub events: usize,
}

/// Everything exported.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Snapshot {
    /// The managed interfaces, by name.
    pub interfaces: Vec<Managed>,
    /// Why the records could not be read, when they could not.
    pub records_error: Option<String>,
    /// The kernel log's findings; `None` when doctor was not asked.
    pub findings: Option<Vec<FindingCount>>,
    /// Why doctor failed, when it did.
    pub doctor_error: Option<String>,
}

/// What to gather.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// The state records.
    pub state: StateDir,
    /// The user profiles (the built-in ones are always known).
    pub profile_dir: PathBuf,
    /// Doctor's options; `None` leaves the kernel log alone.
    pub doctor: Option<doctor::Options>,
}

impl Options {
    /// Records in `state`, profiles in [`Profiles::DEFAULT_DIR`], the live
    /// kernel log.
    pub fn new(state: StateDir) -> Self {
        Options {
            state,
            profile_dir: PathBuf::from(Profiles::DEFAULT_DIR),
            doctor: Some(doctor::Options::new()),
        }
    }
}

/// Reads records, checks each interface against its profile, and counts
/// the kernel log's findings. Failures become part of the snapshot (a
/// monitoring run should say what it could not see, not fail whole).
pub fn gather(opts: &Options) -> Snapshot {
    let (expected, records_error) = match opts.state.load_all() {
        Ok(r) => (from_records(&r), None),
        Err(e) => (Vec::new(), Some(e.to_string())),
    };
    gather_with(&expected, records_error, opts)
}

/// As [`gather`], for expectations the caller made (the bindings':
/// [`Expected::bound`]); `records_error` says why the records could not
/// be read, when they could not.
pub fn gather_with(
    expected: &[Expected],
    records_error: Option<String>,
    opts: &Options,
) -> Snapshot {
    let interfaces = check(expected, opts);
    let (findings, doctor_error) = match &opts.doctor {
        None => (None, None),
        Some(d) => match doctor::run(d) {
            Ok(report) => (Some(count(&report.findings)), None),
            Err(e) => (Some(Vec::new()), Some(e.to_string())),
        },
    };
    Snapshot { interfaces, records_error, findings, doctor_error }
}

/// The findings with their event counts.
pub fn count(findings: &[doctor::Finding]) -> Vec<FindingCount> {
    findings
        .iter()
        .map(|f| FindingCount {
            id: f.id.clone(),
            severity: f.severity,
            interface: f.interface.clone(),
            device: f.device.clone(),
            events: f.events,
        })
        .collect()
}

/// Each expectation checked through one session.
pub fn check(expected: &[Expected], opts: &Options) -> Vec<Managed> {
    let unknown = |e: &Expected, why: String| Managed {
        expected: e.clone(),
        drift: Drift::Unknown(why),
        features: Vec::new(),
    };
    if expected.is_empty() {
        return Vec::new();
    }
    let profiles = Profiles::load(&opts.profile_dir)
        .or_else(|_| Profiles::builtin())
        .map_err(|e| e.to_string());
    // The session and the change engine directly: diagnosis sits below
    // the public APIs and does not use them.
    let session = SyncSocket::new(NETLINK_GENERIC)
        .map_err(|source| crate::Error::Io {
            context: "open generic netlink socket",
            source,
        })
        .and_then(|sock| run_sync(Session::connect(sock)));
    let mut session = match session {
        Ok(s) => s,
        Err(e) => {
            let why = e.to_string();
            return expected.iter().map(|x| unknown(x, why.clone())).collect();
        }
    };
    expected
        .iter()
        .map(|e| {
            let iface = match e.ifindex {
                Some(i) => IfaceRef::by_name_and_index(e.ifname.as_str(), i),
                None => IfaceRef::by_name(e.ifname.as_str()),
            };
            let iface = match iface {
                Ok(i) => i,
                Err(err) => return unknown(e, err.to_string()),
            };
            let profile = match (&e.bound, &profiles) {
                (Some(b), _) => Ok(b),
                (None, Ok(p)) if e.profile != SET => {
                    p.get(&e.profile).map_err(|err| err.to_string())
                }
                (None, Ok(_)) => {
                    Err("made by set: there is no profile to compare with"
                        .into())
                }
                (None, Err(err)) => Err(err.clone()),
            };
            let (drift, now) = match profile {
                Ok(p) => {
                    let planned =
                        run_sync(Engine::new(&mut session).plan_profile(
                            p,
                            std::slice::from_ref(&iface),
                            true,
                        ));
                    match planned {
                        Ok((plan, _)) => {
                            let mut drifted = 0;
                            let mut refused = 0;
                            for o in plan.drift() {
                                for s in
                                    o.changes.iter().map(|c| c.status).chain(
                                        o.settings.iter().map(|c| c.status),
                                    )
                                {
                                    match s {
                                        Status::Refused => refused += 1,
                                        _ => drifted += 1,
                                    }
                                }
                            }
                            let now = plan
                                .targets
                                .into_iter()
                                .next()
                                .map(|t| t.before);
                            (Drift::Checked { drifted, refused }, now)
                        }
                        Err(err) => return unknown(e, err.to_string()),
                    }
                }
                Err(why) => match run_sync(session.features(&iface)) {
                    Ok(f) => (Drift::Unknown(why), Some(f)),
                    Err(err) => return unknown(e, err.to_string()),
                },
            };
            Managed {
                expected: e.clone(),
                drift,
                features: now
                    .map(|f| states(&f, &e.features))
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// The named features' states in `f`, in the order named.
fn states(f: &Features, names: &[String]) -> Vec<(String, bool)> {
    names
        .iter()
        .filter_map(|n| f.get(n).map(|x| (n.clone(), x.active)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::RecordedFeature;

    #[test]
    fn records_become_expectations_by_name() {
        let mut b = Record::new("b0", 7, "e1000e-hang-safe");
        b.touched_by("e1000e-tso-off");
        b.keep_earliest(RecordedFeature::new(
            "tx-tcp-segmentation",
            true,
            true,
        ));
        let mut side = RecordedFeature::new("rx-gro", true, true);
        side.managed = false;
        b.keep_earliest(side);
        let a = Record::new("a0", 3, "set");
        let records: Records = [(7, b), (3, a)].into_iter().collect();
        let e = from_records(&records);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].ifname, "a0");
        assert_eq!(e[0].profile, "set");
        assert_eq!(e[1].ifname, "b0");
        assert_eq!(e[1].ifindex, Some(7));
        assert_eq!(e[1].profile, "e1000e-tso-off");
        assert_eq!(e[1].first_by, "e1000e-hang-safe");
        assert_eq!(e[1].features, ["tx-tcp-segmentation"]);
    }
}
