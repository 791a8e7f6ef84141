//! `ice-ddp-os-default` and `ice-ddp-safe-mode`: the ice driver (Intel
//! E800 series) programs the NIC's packet parser from a DDP package file.
//! At probe it asks for `intel/ice/ddp/ice-<DSN>.pkg` (the card's PCIe
//! Device Serial Number as 16 lower-case hex digits), then for
//! `intel/ice/ddp/ice.pkg` (normally a link to the generic "ICE OS
//! Default Package"); with neither it enters Safe Mode: no RSS beyond the
//! basics, no flow director, no RDMA. After a kernel or firmware-package
//! upgrade a link that pointed at the Comms package is often gone, and
//! storage traffic that needed the Comms package's parsing starves under
//! load.
//!
//! The remedy is written with the real names: the file the driver asked
//! for (from the failed-load line, else from the serial number devlink or
//! sysfs report), the packages present under `<root>/lib/firmware`, the
//! initramfs tool of the distribution under the root.

use std::path::Path;

use super::{dev_msg, evidence, Facts, Finding, LogLine, Severity};
use crate::diagnosis::devlink::{self, FW_APP, FW_APP_NAME};

/// Where the driver looks (under /lib/firmware).
const DDP_DIR: &str = "lib/firmware/intel/ice/ddp";
/// Where linux-firmware ships the Comms package.
const COMMS_DIR: &str = "lib/firmware/intel/ice/ddp-comms";
/// Searched before /lib/firmware by the firmware loader.
const UPDATES_DIR: &str = "lib/firmware/updates/intel/ice/ddp";
/// The name ice logs for the generic package.
const OS_DEFAULT: &str = "ICE OS Default Package";

/// What the driver last said about a device's package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ddp {
    /// Loaded (or already on the card): its name and version.
    Loaded { name: String, version: String },
    /// No usable package: Safe Mode.
    SafeMode,
}

/// What the log says about one ice PCI function.
#[derive(Debug, Clone, Default)]
pub(crate) struct IceDev {
    pub(crate) device: String,
    /// The per-device file the driver asked for: `ice-<dsn>.pkg`.
    pub(crate) requested: Option<String>,
    pub(crate) state: Option<Ddp>,
    /// Evidence: the failed load and the state lines, last load only.
    pub(crate) lines: Vec<String>,
}

/// Collects the DDP story per device while the log streams past.
#[derive(Debug, Default)]
pub(crate) struct Detector {
    devices: Vec<IceDev>,
}

/// `ice-0123456789abcdef.pkg` (optionally compressed): the per-device name.
fn device_package(path: &str) -> Option<&str> {
    let name = path.strip_prefix("intel/ice/ddp/")?;
    let hex = name.strip_prefix("ice-")?.get(..16)?;
    let rest = name.get(20..)?;
    (hex.chars().all(|c| c.is_ascii_hexdigit())
        && matches!(rest, ".pkg" | ".pkg.xz" | ".pkg.zst"))
    .then_some(name)
}

/// "<name> version <a.b.c.d>" after "loaded: " / "present on device: ".
fn package(msg: &str) -> Option<(String, String)> {
    let rest = ["successfully loaded: ", "already present on device: "]
        .iter()
        .find_map(|k| msg.split_once(k).map(|(_, r)| r))?;
    let (name, version) = rest.rsplit_once(" version ")?;
    let version = version.trim();
    let ok = !name.trim().is_empty()
        && version.split('.').count() == 4
        && version
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    ok.then(|| (name.trim().to_owned(), version.to_owned()))
}

impl Detector {
    pub(crate) fn feed(&mut self, l: &LogLine) {
        let Some(d) = dev_msg(&l.text) else { return };
        if d.driver != "ice" {
            return;
        }
        let requested = (d.msg.contains("failed to load ")
            || d.msg.contains("Direct firmware load for "))
        .then(|| {
            d.msg
                .split(|c: char| c.is_whitespace() || c == '(')
                .find_map(device_package)
        })
        .flatten();
        let state = if let Some((name, version)) = package(d.msg) {
            Some(Ddp::Loaded { name, version })
        } else if d.msg.contains("Entering Safe Mode")
            || d.msg.contains("in Safe Mode")
        {
            Some(Ddp::SafeMode)
        } else {
            None
        };
        if requested.is_none() && state.is_none() {
            return;
        }
        let dev = match self.devices.iter().position(|x| x.device == d.device) {
            Some(i) => self.devices.get_mut(i),
            None => {
                self.devices.push(IceDev {
                    device: d.device.to_owned(),
                    ..IceDev::default()
                });
                self.devices.last_mut()
            }
        };
        let Some(dev) = dev else { return };
        if let Some(r) = requested {
            // A new probe (reboot, reload): what came before is history.
            if dev.state.is_some() {
                dev.state = None;
                dev.lines.clear();
            }
            dev.requested = Some(r.to_owned());
            dev.lines.push(evidence(&l.raw));
        }
        if let Some(s) = state {
            if dev.state.as_ref().is_some_and(|old| *old != s) {
                // a later probe, without a logged request, that ended
                // differently: what came before is history
                dev.lines.clear();
            }
            dev.state = Some(s);
            if dev.lines.len() < 6 {
                dev.lines.push(evidence(&l.raw));
            }
        }
    }
}

/// A package file in a firmware directory.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PkgFile {
    name: String,
    /// Where it points, for a symlink.
    link: Option<String>,
    /// The file (or the link's target) exists.
    exists: bool,
}

fn pkg_suffix(name: &str) -> Option<&'static str> {
    [".pkg", ".pkg.xz", ".pkg.zst"].into_iter().find(|s| name.ends_with(s))
}

/// The package files in `<root>/<rel>`, by name.
fn packages(root: &Path, rel: &str) -> Vec<PkgFile> {
    let dir = root.join(rel);
    let mut out: Vec<PkgFile> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    pkg_suffix(&name)?;
                    let path = dir.join(&name);
                    Some(PkgFile {
                        link: std::fs::read_link(&path)
                            .ok()
                            .map(|t| t.to_string_lossy().into_owned()),
                        exists: path.exists(),
                        name,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// `ice_comms-1.3.45.0.pkg` → [1, 3, 45, 0].
fn comms_version(name: &str) -> Option<Vec<u32>> {
    let v = name.strip_prefix("ice_comms-")?;
    let v = v.get(..v.len() - pkg_suffix(v)?.len())?;
    v.split('.').map(|p| p.parse().ok()).collect()
}

/// The newest Comms package: (directory, file name), `ddp/` preferred on
/// a tie (no copy needed).
fn best_comms(root: &Path) -> Option<(&'static str, String)> {
    let mut best: Option<(Vec<u32>, &'static str, String)> = None;
    for dir in [DDP_DIR, UPDATES_DIR, COMMS_DIR] {
        for p in packages(root, dir) {
            let Some(v) = comms_version(&p.name) else { continue };
            if !p.exists {
                continue;
            }
            if best.as_ref().is_none_or(|(bv, _, _)| v > *bv) {
                best = Some((v, dir, p.name));
            }
        }
    }
    best.map(|(_, d, n)| (d, n))
}

/// The generic package `ice-a.b.c.d.pkg` with the highest version.
fn best_default(pkgs: &[PkgFile]) -> Option<&PkgFile> {
    pkgs.iter()
        .filter(|p| p.exists && p.link.is_none())
        .filter(|p| {
            p.name
                .strip_prefix("ice-")
                .and_then(|v| {
                    v.get(..v.len() - pkg_suffix(v).map_or(0, str::len))
                })
                .is_some_and(|v| {
                    v.split('.').count() == 4
                        && v.split('.').all(|x| x.parse::<u32>().is_ok())
                })
        })
        .max_by_key(|p| {
            p.name
                .trim_start_matches("ice-")
                .split('.')
                .filter_map(|x| x.parse::<u32>().ok())
                .collect::<Vec<_>>()
        })
}

/// The initramfs rebuild for the distribution under `root`
/// (`/etc/os-release`: ID and ID_LIKE).
pub(crate) fn initramfs_command(root: &Path) -> Option<&'static str> {
    let text = crate::fs::read_regular_string(
        &root.join("etc/os-release"),
        crate::fs::SYSFS_CAP,
    )
    .or_else(|_| {
        crate::fs::read_regular_string(
            &root.join("usr/lib/os-release"),
            crate::fs::SYSFS_CAP,
        )
    })
    .ok()?;
    let mut ids = Vec::new();
    for line in text.lines() {
        if let Some(v) =
            line.strip_prefix("ID=").or_else(|| line.strip_prefix("ID_LIKE="))
        {
            ids.extend(
                v.trim_matches(|c| c == '"' || c == '\'')
                    .split_whitespace()
                    .map(str::to_owned),
            );
        }
    }
    let has = |names: &[&str]| ids.iter().any(|i| names.contains(&i.as_str()));
    if has(&["debian", "ubuntu"]) {
        Some("update-initramfs -u")
    } else if has(&[
        "rhel",
        "fedora",
        "centos",
        "rocky",
        "almalinux",
        "ol",
        "suse",
        "opensuse",
        "sles",
    ]) {
        Some("dracut -f")
    } else if has(&["arch"]) {
        Some("mkinitcpio -P")
    } else {
        None
    }
}

/// The PCIe Device Serial Number from the device's config space
/// (`<root>/sys/bus/pci/devices/<dev>/config`, readable past 64 bytes by
/// root only), as ice formats it: 16 lower-case hex digits.
pub(crate) fn dsn_from_config(root: &Path, device: &str) -> Option<String> {
    let cfg = crate::fs::read_regular(
        &root.join("sys/bus/pci/devices").join(device).join("config"),
        crate::fs::SYSFS_CAP,
    )
    .ok()?;
    let dword = |at: usize| -> Option<u32> {
        Some(u32::from_le_bytes(cfg.get(at..at + 4)?.try_into().ok()?))
    };
    // Extended capabilities start at 0x100: id (16 bits), version (4),
    // next (12). DSN is id 3: low dword at +4, high dword at +8.
    let mut at = 0x100;
    for _ in 0..256 {
        let h = dword(at)?;
        if h == 0 || h == u32::MAX {
            return None;
        }
        if h & 0xffff == 3 {
            let v =
                (u64::from(dword(at + 8)?) << 32) | u64::from(dword(at + 4)?);
            return Some(format!("{v:016x}"));
        }
        let next = (h >> 20) as usize & !3;
        if next < 0x100 {
            return None;
        }
        at = next;
    }
    None
}

fn show(rel: &str) -> String {
    format!("/{rel}")
}

/// What the firmware directory holds, for the explanation.
fn describe_dir(root: &Path, rel: &str, pkgs: &[PkgFile]) -> String {
    if !root.join(rel).is_dir() {
        return format!("{} does not exist.", show(rel));
    }
    if pkgs.is_empty() {
        return format!("{} holds no package.", show(rel));
    }
    let list: Vec<String> = pkgs
        .iter()
        .map(|p| match (&p.link, p.exists) {
            (Some(t), true) => format!("{} -> {t}", p.name),
            (Some(t), false) => {
                format!("{} -> {t} (missing: a dangling link)", p.name)
            }
            (None, _) => p.name.clone(),
        })
        .collect();
    format!("{} holds: {}.", show(rel), list.join(", "))
}

/// One finding per card (ports of one card share a package).
pub(crate) fn findings(d: &Detector, facts: &Facts) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    let mut done: Vec<String> = Vec::new();
    let slot = |dev: &str| {
        dev.rsplit_once('.').map_or(dev.to_owned(), |(s, _)| s.to_owned())
    };
    // The log first: every device whose last word was OS default or safe mode.
    for dev in &d.devices {
        let id = match &dev.state {
            Some(Ddp::SafeMode) => "ice-ddp-safe-mode",
            Some(Ddp::Loaded { name, .. }) if name.starts_with(OS_DEFAULT) => {
                "ice-ddp-os-default"
            }
            _ => continue,
        };
        // devlink of this function, else of another port of the card (the
        // package is the card's)
        let dl = facts
            .devlink
            .iter()
            .filter(|i| i.bus == "pci")
            .find(|i| i.device == dev.device)
            .or_else(|| {
                facts.devlink.iter().find(|i| {
                    i.bus == "pci" && slot(&i.device) == slot(&dev.device)
                })
            });
        // devlink shows what runs now: a package other than the default
        // means the log's story is over (fixed and reloaded since).
        if id == "ice-ddp-os-default" {
            if let Some(name) = dl.and_then(|i| i.running(FW_APP_NAME)) {
                if !name.is_empty() && !name.starts_with(OS_DEFAULT) {
                    continue;
                }
            }
        }
        if done.contains(&slot(&dev.device)) {
            if let Some(f) = out.iter_mut().find(|f| {
                f.device
                    .as_deref()
                    .is_some_and(|x| slot(x) == slot(&dev.device))
            }) {
                let port = facts
                    .interface(Some(&dev.device), None)
                    .unwrap_or_else(|| dev.device.clone());
                f.explanation.push_str(&format!(
                    " The card's other port {port} ({}) is in the same state.",
                    dev.device
                ));
            }
            continue;
        }
        done.push(slot(&dev.device));
        out.push(finding(id, dev, dl, facts));
    }
    // devlink alone: a device running the default package that the log
    // (rotated, or from another boot) does not mention.
    for i in &facts.devlink {
        if i.bus != "pci" || done.contains(&slot(&i.device)) {
            continue;
        }
        let Some(name) = i.running(FW_APP_NAME) else { continue };
        if !name.starts_with(OS_DEFAULT) {
            continue;
        }
        done.push(slot(&i.device));
        let dev = IceDev {
            device: i.device.clone(),
            requested: None,
            state: Some(Ddp::Loaded {
                name: name.to_owned(),
                version: i.running(FW_APP).unwrap_or_default().to_owned(),
            }),
            lines: Vec::new(),
        };
        out.push(finding("ice-ddp-os-default", &dev, Some(i), facts));
    }
    out
}

fn finding(
    id: &str,
    dev: &IceDev,
    dl: Option<&devlink::Info>,
    facts: &Facts,
) -> Finding {
    let root = facts.root.as_path();
    let interface = facts.interface(Some(&dev.device), None);
    let who = match &interface {
        Some(i) => format!("{i} (ice, {})", dev.device),
        None => format!("{} (ice)", dev.device),
    };
    // The per-device file: as logged, else from the serial number.
    let requested = dev.requested.clone().or_else(|| {
        dl.and_then(devlink::Info::dsn_hex)
            .or_else(|| dsn_from_config(root, &dev.device))
            .map(|dsn| format!("ice-{dsn}.pkg"))
    });
    let ddp = packages(root, DDP_DIR);
    let ice_pkg = ddp.iter().find(|p| p.name == "ice.pkg");
    let comms = best_comms(root);

    let mut evidence_lines = dev.lines.clone();
    if let Some(i) = dl {
        if let Some(name) = i.running(FW_APP_NAME) {
            evidence_lines.push(format!(
                "devlink {}: {FW_APP_NAME} \"{name}\", {FW_APP} {}",
                i.handle(),
                i.running(FW_APP).unwrap_or("?")
            ));
        }
    }

    let (severity, summary, mut why) = match &dev.state {
        Some(Ddp::Loaded { name, version }) => (
            Severity::Warning,
            format!(
                "{who}: running the generic DDP package ({name} {version}), not a package made for this card{}",
                requested.as_ref().map(|r| format!(" (the driver asked for intel/ice/ddp/{r})")).unwrap_or_default()
            ),
            format!(
                "At probe the ice driver looks for intel/ice/ddp/ice-<serial number>.pkg, then for intel/ice/ddp/ice.pkg. \
                 It found only the second, which is {name} {version}: the package the distribution ships as a fallback. \
                 It parses fewer protocols than the Comms package, so receive-side steering and offloads fall back to the CPU \
                 for traffic it does not know; under heavy load interrupts pile up and latency-sensitive traffic — \
                 iSCSI and cluster heartbeats — misses its deadlines."
            ),
        ),
        _ => (
            Severity::Error,
            format!("{who}: no DDP package loaded: the ice driver runs in Safe Mode"),
            "The ice driver could not load a DDP package (no intel/ice/ddp/ice-<serial number>.pkg, and \
             intel/ice/ddp/ice.pkg missing, unreadable or refused) and entered Safe Mode: of its offloads only \
             scatter-gather is left — no checksum offload, no TSO, no VLAN offload, no flow director, no RDMA, and \
             channel changes are refused. Under load the CPU does all of it, and storage and cluster heartbeats \
             time out."
                .to_owned(),
        ),
    };
    why.push(' ');
    why.push_str(&describe_dir(root, DDP_DIR, &ddp));
    let updates = packages(root, UPDATES_DIR);
    if !updates.is_empty() {
        why.push(' ');
        why.push_str(&describe_dir(root, UPDATES_DIR, &updates));
        why.push_str(" (searched first)");
    }
    match ice_pkg {
        Some(p) if !p.exists => why.push_str(" ice.pkg is a dangling link: the package it named is gone (a firmware package upgrade removes old versions)."),
        None => why.push_str(" There is no ice.pkg."),
        _ => {}
    }
    match &comms {
        Some((dir, name)) => why.push_str(&format!(" The Comms package {} is present.", show(&format!("{dir}/{name}")))),
        None => why.push_str(" No Comms package (ice_comms-*.pkg) is present under /lib/firmware/intel/ice."),
    }
    if dev.requested.is_none() {
        if let Some(r) = &requested {
            why.push_str(&format!(
                " This card's own name is {r} (from its PCIe serial number{}).",
                if dl.and_then(devlink::Info::dsn_hex).is_some() {
                    ", as devlink reports it"
                } else {
                    ""
                }
            ));
        }
    }
    why.push_str(
        " A package is loaded once per card, by its first port, at probe: reloading one port does not change it — reboot.",
    );

    // The fix, with the real file names.
    let mut remedy = Vec::new();
    let ddp_shown = show(DDP_DIR);
    let target = match &comms {
        Some((dir, name)) => {
            if *dir != DDP_DIR {
                remedy.push(format!(
                    "cp {} {ddp_shown}/",
                    show(&format!("{dir}/{name}"))
                ));
            }
            Some(name.clone())
        }
        None => {
            remedy.push(format!(
                "# download Intel's \"E810 DDP for Comms\" package and copy its ice_comms-<version>.pkg to {ddp_shown}/, then:"
            ));
            // Out of Safe Mode at least, with the package that is there.
            if let (Some(Ddp::SafeMode), Some(p)) =
                (&dev.state, best_default(&ddp))
            {
                remedy.push(format!(
                    "# or, to leave Safe Mode with the generic package now:  ln -sf {} {ddp_shown}/ice.pkg",
                    p.name
                ));
            }
            None
        }
    };
    let target_shown =
        target.clone().unwrap_or_else(|| "ice_comms-<version>.pkg".into());
    let suffix = pkg_suffix(&target_shown).unwrap_or(".pkg");
    remedy.push(format!("ln -sf {target_shown} {ddp_shown}/ice{suffix}"));
    if let Some(r) = &requested {
        let base =
            r.get(..r.len() - pkg_suffix(r).map_or(0, str::len)).unwrap_or(r);
        remedy
            .push(format!("ln -sf {target_shown} {ddp_shown}/{base}{suffix}"));
    } else {
        remedy.push(format!(
            "# and the card's own name (ice-<16 hex digits>.pkg: look for \"intel/ice/ddp/ice-\" in the boot log): ln -sf {target_shown} {ddp_shown}/ice-<serial>{suffix}"
        ));
    }
    if suffix != ".pkg" && ddp.iter().any(|p| p.name == "ice.pkg") {
        // The loader tries the uncompressed name first.
        remedy.push(format!("rm {ddp_shown}/ice.pkg"));
    }
    match initramfs_command(root) {
        Some(c) => remedy.push(c.to_owned()),
        None => remedy.push("# rebuild the initramfs so early boot has the package: update-initramfs -u (Debian, Ubuntu) or dracut -f (RHEL and alikes)".into()),
    }
    remedy.push("reboot".into());
    let version = target
        .as_deref()
        .and_then(comms_version)
        .map(|v| v.iter().map(u32::to_string).collect::<Vec<_>>().join("."))
        .unwrap_or_else(|| "<version>".into());
    remedy.push(format!(
        "# after the reboot the kernel log says: ice {}: The DDP package was successfully loaded: ICE COMMS Package version {version}",
        dev.device
    ));

    Finding {
        id: id.to_owned(),
        severity,
        interface,
        device: Some(dev.device.clone()),
        summary,
        evidence: evidence_lines,
        explanation: why,
        remedy,
        events: 1,
    }
}
