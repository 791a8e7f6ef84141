//! `doctor`: reads the kernel log and the system under a root directory,
//! recognises the failures of the field reports, and says what is wrong,
//! why, and the exact commands that fix it. Nothing is changed.
//!
//! Findings:
//!
//! - `e1000e-hang`: "Detected Hardware Unit Hang" (with the register dump
//!   that belongs to it): the e1000e-hang-safe profile, how to persist it,
//!   and, counting the hangs after ethcfg's recorded apply, the next step
//!   of the ladder (`profile::ladder`) by its `ethcfg` command — or, past
//!   the top step, what is left outside ethcfg (ASPM, module parameters,
//!   BIOS), each with its reference.
//! - `igc-link-drops`: an I225/I226 port's link going down again and
//!   again, or its PCIe link lost: the igc-eee-off profile.
//! - `r8169-tx-timeout`: "NETDEV WATCHDOG ... transmit queue 0 timed out"
//!   on a Realtek port (with "rtl_rxtx_empty_cond == 0"): the
//!   r8169-vlan-tx-csum-off profile, and whether the port carries VLANs.
//! - `ice-ddp-os-default`, `ice-ddp-safe-mode`: the ice driver runs the
//!   generic DDP package, or none; the package it asked for, what the
//!   firmware directory holds, and the links, initramfs rebuild and reboot
//!   that fix it.
//! - `iscsi-heartbeat-loss`: LIO's "Did not receive response to NOPIN" and
//!   the initiator's ping timeouts, tied to the NIC findings of the host.
//!
//! The work is split in three: [`log`] turns any kernel log into lines;
//! detectors (one module per finding) keep what they recognise while the
//! log streams past; the findings are written with the facts gathered
//! about the system (sysfs, the firmware directory, devlink, ethcfg's
//! state records and, on the live system, the interfaces' current
//! settings).

pub mod log;

mod advice;
mod e1000e;
mod ice;
mod igc;
mod iscsi;
mod r8169;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnosis::devlink;
use crate::error::{Error, Result};
use crate::host::{self, HostRoot};
use crate::iface::IfaceRef;
use crate::profile::ladder::E1000E_HANG;
use crate::profile::Profiles;
use crate::state::StateDir;

pub use log::{LogLine, LogSource};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Severity {
    /// Connectivity or data is being lost.
    Error,
    /// Degraded, or will be under load.
    Warning,
    /// Worth knowing.
    Info,
}

impl Severity {
    /// `error`, `warning`, `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One diagnosis.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finding {
    /// Stable identifier (`e1000e-hang`, `ice-ddp-os-default`, ...).
    pub id: String,
    /// How bad it is.
    pub severity: Severity,
    /// The interface concerned, resolved through sysfs.
    pub interface: Option<String>,
    /// Its device (PCI address).
    pub device: Option<String>,
    /// One line: what is wrong.
    pub summary: String,
    /// The log lines (and devlink values) it rests on.
    pub evidence: Vec<String>,
    /// Why it happens and what it does.
    pub explanation: String,
    /// Commands to run, in order; lines starting with `#` are notes for
    /// the person running them.
    pub remedy: Vec<String>,
}

/// What `doctor` found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// Findings, the log's NIC problems first.
    pub findings: Vec<Finding>,
    /// Where the log came from.
    pub source: String,
    /// Lines read from it.
    pub lines: usize,
}

/// What to examine.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// The system examined: sysfs, procfs, /lib/firmware and /etc are read
    /// under it. Devlink and the interfaces' current settings are read on
    /// the live system only; under a [`HostRoot::dir`] nothing outside the
    /// directory is read (unless [`Options::log`] or
    /// [`Options::state_dir`] name a place outside it) and no socket is
    /// opened.
    pub root: HostRoot,
    /// The kernel log; `None` reads `<root>/dev/kmsg`.
    pub log: Option<LogSource>,
    /// Only findings for these interfaces (and host-wide ones); all when
    /// empty.
    pub ifaces: Vec<String>,
    /// The state directory whose records say what ethcfg applied; `None`
    /// is [`StateDir::DEFAULT`] under the root. On the live system the
    /// calling thread's namespace's records are read, under a directory
    /// any namespace's.
    pub state_dir: Option<PathBuf>,
    /// The user profile directory, for comparing the live system's
    /// interfaces with a profile ([`Profiles::DEFAULT_DIR`] by default).
    pub profile_dir: PathBuf,
}

impl Options {
    /// The live system, its kernel log, every interface.
    pub fn new() -> Self {
        Options {
            root: HostRoot::live(),
            log: None,
            ifaces: Vec::new(),
            state_dir: None,
            profile_dir: PathBuf::from(Profiles::DEFAULT_DIR),
        }
    }

    /// The system whose files are under `dir` (a fixture tree, a copy of
    /// another machine's), its `<dir>/dev/kmsg`, every interface.
    pub fn rooted(dir: impl Into<PathBuf>) -> Self {
        Options { root: HostRoot::dir(dir), ..Self::new() }
    }
}

impl Default for Options {
    fn default() -> Self {
        Self::new()
    }
}

/// A kernel message about a device, split the way `dev_printk` and
/// `netdev_printk` build it: `ice 0000:3b:00.0: msg` (device) or
/// `e1000e 0000:00:1f.6 eno1: msg` (interface).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DevMsg<'a> {
    pub(crate) driver: &'a str,
    pub(crate) device: &'a str,
    pub(crate) ifname: Option<&'a str>,
    pub(crate) msg: &'a str,
}

/// `0000:00:1f.6`: domain, bus, slot and function as the kernel prints
/// them (domains above 0xffff have more digits).
pub(crate) fn is_pci_address(s: &str) -> bool {
    let mut parts = s.split(':');
    let (Some(dom), Some(bus), Some(sf), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let hex = |p: &str| p.chars().all(|c| c.is_ascii_hexdigit());
    let Some((slot, func)) = sf.split_once('.') else { return false };
    (4..=8).contains(&dom.len())
        && hex(dom)
        && bus.len() == 2
        && hex(bus)
        && slot.len() == 2
        && hex(slot)
        && func.len() == 1
        && func.chars().all(|c| ('0'..='7').contains(&c))
}

/// A name the kernel could give an interface, not mangled on the way
/// (a replacement character means the log's bytes were broken).
pub(crate) fn plausible_ifname(s: &str) -> bool {
    IfaceRef::by_name(s).is_ok() && !s.contains('\u{fffd}')
}

pub(crate) fn dev_msg(text: &str) -> Option<DevMsg<'_>> {
    let (driver, rest) = text.split_once(' ')?;
    if driver.is_empty()
        || !driver
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return None;
    }
    let (dev, rest) = rest.split_once(' ')?;
    if let Some(device) = dev.strip_suffix(':') {
        return is_pci_address(device).then_some(DevMsg {
            driver,
            device,
            ifname: None,
            msg: rest,
        });
    }
    if !is_pci_address(dev) {
        return None;
    }
    let (ifname, msg) = rest.split_once(": ")?;
    plausible_ifname(ifname).then_some(DevMsg {
        driver,
        device: dev,
        ifname: Some(ifname),
        msg,
    })
}

/// Evidence lines are kept to this length.
const EVIDENCE_WIDTH: usize = 400;

pub(crate) fn evidence(raw: &str) -> String {
    match raw.char_indices().nth(EVIDENCE_WIDTH) {
        Some((i, _)) => format!("{}...", raw.get(..i).unwrap_or(raw)),
        None => raw.to_owned(),
    }
}

/// How often, in words: "once", "twice", "5 times".
pub(crate) fn times(n: usize) -> String {
    match n {
        1 => "once".to_owned(),
        2 => "twice".to_owned(),
        n => format!("{n} times"),
    }
}

/// The log lines of one device's events of a kind, as evidence: when the
/// first and the last were, the first [`Sightings::KEEP`] lines and the
/// last one.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sightings {
    first_when: Option<String>,
    last_when: Option<String>,
    lines: Vec<String>,
    last: Option<String>,
}

impl Sightings {
    /// Lines kept per device: the first ones, then the last.
    const KEEP: usize = 8;

    /// Notes one more line.
    pub(crate) fn note(&mut self, l: &LogLine) {
        self.first_when = self.first_when.take().or_else(|| l.when.clone());
        self.last_when = l.when.clone();
        if self.lines.len() < Self::KEEP {
            self.lines.push(evidence(&l.raw));
        } else {
            self.last = Some(evidence(&l.raw));
        }
    }

    /// ", 10:01 to 10:07", ", at 10:01", or nothing when undated.
    pub(crate) fn span(&self) -> String {
        match (&self.first_when, &self.last_when) {
            (Some(a), Some(b)) if a != b => format!(", {a} to {b}"),
            (Some(a), _) => format!(", at {a}"),
            _ => String::new(),
        }
    }

    /// The lines kept, the last one included.
    pub(crate) fn lines(&self) -> Vec<String> {
        self.lines.iter().chain(&self.last).cloned().collect()
    }
}

/// The log, read once, through every detector.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub(crate) e1000e: e1000e::Detector,
    pub(crate) ice: ice::Detector,
    pub(crate) igc: igc::Detector,
    pub(crate) r8169: r8169::Detector,
    pub(crate) iscsi: iscsi::Detector,
}

impl Scan {
    pub(crate) fn feed(&mut self, l: &LogLine) {
        self.e1000e.feed(l);
        self.ice.feed(l);
        self.igc.feed(l);
        self.r8169.feed(l);
        self.iscsi.feed(l);
    }
}

/// Whether an interface's current settings match a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ProfileCheck {
    Matches,
    /// These features differ.
    Differs(Vec<String>),
    /// Could not be checked, and why.
    Unknown(String),
}

/// What is known about the system, beyond the log.
#[derive(Debug, Clone)]
pub(crate) struct Facts {
    pub(crate) root: PathBuf,
    /// `root` is the running system.
    pub(crate) live: bool,
    pub(crate) devlink: Vec<devlink::Info>,
    /// Interface → does it match e1000e-hang-safe now (live only).
    pub(crate) hang_safe: BTreeMap<String, ProfileCheck>,
    /// Interface → when ethcfg first changed it with a step of the e1000e
    /// ladder (epoch seconds, from the state record).
    pub(crate) applied: BTreeMap<String, u64>,
    /// Interface → the ladder step that record names; absent for an
    /// `applied` entry means e1000e-hang-safe.
    pub(crate) applied_by: BTreeMap<String, String>,
    /// Interface → the highest ladder step its settings match now (live
    /// only).
    pub(crate) ladder_now: BTreeMap<String, String>,
}

impl Facts {
    pub(crate) fn fixture(root: &Path) -> Facts {
        Facts {
            root: root.to_path_buf(),
            live: false,
            devlink: Vec::new(),
            hang_safe: BTreeMap::new(),
            applied: BTreeMap::new(),
            applied_by: BTreeMap::new(),
            ladder_now: BTreeMap::new(),
        }
    }

    /// The interface a log line means: by PCI address through
    /// `<root>/sys/class/net/*/device`, else by the name it logged when
    /// that interface exists.
    pub(crate) fn interface(
        &self,
        device: Option<&str>,
        logged: Option<&str>,
    ) -> Option<String> {
        device.and_then(|d| host::interface_of_device(&self.root, d)).or_else(
            || {
                logged
                    .filter(|n| plausible_ifname(n))
                    .filter(|n| {
                        self.root.join("sys/class/net").join(n).exists()
                    })
                    .map(str::to_owned)
            },
        )
    }
}

/// Findings for a scanned log and what is known about the system.
pub(crate) fn findings(scan: &Scan, facts: &Facts) -> Vec<Finding> {
    let mut out = e1000e::findings(&scan.e1000e, facts);
    out.extend(ice::findings(&scan.ice, facts));
    out.extend(igc::findings(&scan.igc, facts));
    out.extend(r8169::findings(&scan.r8169, facts));
    let nic: Vec<Finding> = out.clone();
    out.extend(iscsi::findings(&scan.iscsi, &nic));
    out
}

/// The state directory whose records say what ethcfg applied: the one
/// asked for, else [`StateDir::DEFAULT`] under the root.
fn state_dir(opts: &Options) -> StateDir {
    match &opts.state_dir {
        Some(d) => StateDir::new(d),
        None => StateDir::new(
            opts.root.path().join(StateDir::DEFAULT.trim_start_matches('/')),
        ),
    }
}

/// Reads the kernel log and the system and diagnoses.
///
/// # Errors
/// [`Error::KernelLog`] when the log cannot be read;
/// [`Error::InvalidInterfaceName`] and [`Error::NoSuchInterface`] for the
/// interfaces asked about.
pub fn run(opts: &Options) -> Result<Report> {
    let root = opts.root.path();
    for i in &opts.ifaces {
        IfaceRef::by_name(i.as_str())?;
        if !root.join("sys/class/net").join(i).exists() {
            return Err(Error::NoSuchInterface { iface: i.clone() });
        }
    }
    let live = opts.root.is_live();
    let source = opts
        .log
        .clone()
        .unwrap_or_else(|| LogSource::Kmsg(root.join("dev/kmsg")));
    // Only this boot's /dev/kmsg can be dated with this boot's start.
    let btime = match &source {
        LogSource::Kmsg(_) => log::boot_time(root),
        _ => None,
    };
    let mut scan = Scan::default();
    let lines = log::read(&source, btime, &mut |l| scan.feed(&l))?;

    let mut facts = Facts::fixture(root);
    facts.live = live;
    let hung: Vec<String> = scan
        .e1000e
        .devices()
        .filter_map(|(dev, logged)| facts.interface(Some(dev), logged))
        .collect();
    let states = state_dir(opts);
    for i in &hung {
        // Another system's records: its namespaces are not the caller's,
        // and the caller's is not to be read. The ladder step in effect is
        // the profile of ethcfg's last apply to the interface, since then.
        let record =
            if live { states.load(i) } else { states.load_any_namespace(i) };
        if let Ok(Some(r)) = record {
            if E1000E_HANG.step_of(&r.last_by).is_some() {
                facts.applied.insert(i.clone(), r.last_at);
                facts.applied_by.insert(i.clone(), r.last_by.clone());
            }
        }
        if live {
            let check = e1000e::check_now(i, &opts.profile_dir);
            if let Some(step) =
                e1000e::ladder_step_now(i, &check, &opts.profile_dir)
            {
                facts.ladder_now.insert(i.clone(), step.to_owned());
            }
            facts.hang_safe.insert(i.clone(), check);
        }
    }
    if live {
        facts.devlink = devlink::info();
    }

    let mut findings = findings(&scan, &facts);
    if !opts.ifaces.is_empty() {
        findings.retain(|f| {
            f.interface.as_ref().is_none_or(|i| opts.ifaces.contains(i))
                && (f.interface.is_some() || f.device.is_none())
        });
    }
    Ok(Report { findings, source: source.to_string(), lines })
}

#[cfg(test)]
mod field_tests;
#[cfg(test)]
mod tests;
