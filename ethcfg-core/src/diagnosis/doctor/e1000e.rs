//! `e1000e-hang`: "Detected Hardware Unit Hang". e1000e's watchdog found
//! the transmit ring stuck (TDH, the head the hardware consumes, no longer
//! moves towards TDT), dumped the registers and reset the adapter. On
//! I217/I218/I219 ports it comes back under load, again and again; moving
//! the offloads to software (the e1000e-hang-safe profile) is the fix that
//! holds in the field, and Energy-Efficient Ethernet is the next suspect
//! when hangs go on without them.

use std::path::Path;

use super::advice::{keep_lines, served_note};
use super::{
    dev_msg, evidence, plausible_ifname, times, Facts, Finding, LogLine,
    ProfileCheck, Severity,
};
use crate::profile::ladder::E1000E_HANG;

/// The profile that fixes it in the field: step 2 of the ladder
/// ([`E1000E_HANG`]), the first one recommended when a log shows hangs.
pub(crate) const PROFILE: &str = "e1000e-hang-safe";

/// The register dump `e1000_print_hw_hang()` prints after the headline,
/// one key per line (whitespace varies: dmesg keeps it, syslog squeezes it).
const DUMP_KEYS: [&str; 14] = [
    "TDH",
    "TDT",
    "next_to_use",
    "next_to_clean",
    "buffer_info[next_to_clean]:",
    "time_stamp",
    "next_to_watch",
    "jiffies",
    "next_to_watch.status",
    "MAC Status",
    "PHY Status",
    "PHY 1000BASE-T Status",
    "PHY Extended Status",
    "PCI Status",
];

/// One line of the register dump: `  TDH                  <5f>`.
pub(crate) fn is_dump_line(text: &str) -> bool {
    let t = text.trim();
    if t == "buffer_info[next_to_clean]:" {
        return true;
    }
    DUMP_KEYS.iter().any(|k| {
        t.strip_prefix(k).is_some_and(|rest| {
            let v = rest.trim_start();
            rest.starts_with(' ')
                && v.starts_with('<')
                && v.ends_with('>')
                && v.len() > 2
                && v.get(1..v.len() - 1)
                    .is_some_and(|h| h.chars().all(|c| c.is_ascii_hexdigit()))
        })
    })
}

/// Later hang headlines kept as evidence (the first hang is kept whole).
const MORE_EVIDENCE: usize = 8;

/// The hangs of one device.
#[derive(Debug, Clone, Default)]
pub(crate) struct Hangs {
    pub(crate) device: String,
    /// The interface name the log used.
    pub(crate) logged: Option<String>,
    /// Each hang's time (epoch seconds), when the log dates it.
    pub(crate) times: Vec<Option<f64>>,
    pub(crate) first_when: Option<String>,
    pub(crate) last_when: Option<String>,
    /// The first hang, headline and dump.
    pub(crate) first: Vec<String>,
    /// Headlines of later hangs, capped.
    pub(crate) later: Vec<String>,
    pub(crate) last: Option<String>,
    /// "Reset adapter unexpectedly".
    pub(crate) resets: usize,
}

/// Collects hangs per device while the log streams past.
#[derive(Debug, Default)]
pub(crate) struct Detector {
    hangs: Vec<Hangs>,
    /// The hang whose dump may follow: (index, last line number).
    open: Option<(usize, usize)>,
}

impl Detector {
    pub(crate) fn feed(&mut self, l: &LogLine) {
        if let Some((i, n)) = self.open {
            if l.n == n + 1 && is_dump_line(&l.text) {
                if let Some(h) = self.hangs.get_mut(i) {
                    if h.times.len() == 1 && h.first.len() < 16 {
                        h.first.push(evidence(&l.raw));
                    }
                }
                self.open = Some((i, l.n));
                return;
            }
        }
        self.open = None;
        let Some(d) = dev_msg(&l.text) else { return };
        if d.driver != "e1000e" {
            return;
        }
        let i = match self.hangs.iter().position(|h| h.device == d.device) {
            Some(i) => i,
            None => {
                self.hangs.push(Hangs {
                    device: d.device.to_owned(),
                    ..Hangs::default()
                });
                self.hangs.len() - 1
            }
        };
        let Some(h) = self.hangs.get_mut(i) else { return };
        if let Some(pos) = d.msg.find("Detected Hardware Unit Hang") {
            // Old kernels: "e1000e 0000:00:19.0: eth0: Detected ..."
            let logged = d.ifname.or_else(|| {
                d.msg
                    .get(..pos)?
                    .trim()
                    .strip_suffix(':')
                    .filter(|n| plausible_ifname(n))
            });
            if let Some(name) = logged {
                h.logged = Some(name.to_owned());
            }
            h.times.push(l.epoch);
            h.first_when = h.first_when.take().or_else(|| l.when.clone());
            h.last_when = l.when.clone();
            let line = evidence(&l.raw);
            if h.times.len() == 1 {
                h.first.push(line);
            } else if h.later.len() < MORE_EVIDENCE {
                h.later.push(line);
            } else {
                h.last = Some(line);
            }
            self.open = Some((i, l.n));
        } else if d.msg.contains("Reset adapter unexpectedly") {
            h.resets += 1;
        }
    }

    /// (device, logged interface name) of every device that hung.
    pub(crate) fn devices(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.hangs
            .iter()
            .filter(|h| !h.times.is_empty())
            .map(|h| (h.device.as_str(), h.logged.as_deref()))
    }
}

/// Whether `ifname`'s current settings match [`PROFILE`], over ethtool
/// netlink (the live system only).
pub(crate) fn check_now(ifname: &str, profile_dir: &Path) -> ProfileCheck {
    check_profile_now(ifname, PROFILE, profile_dir)
}

/// The highest step of the ladder `ifname`'s current settings match (the
/// live system only); `known` is the check of [`PROFILE`] already made.
pub(crate) fn ladder_step_now(
    ifname: &str,
    known: &ProfileCheck,
    profile_dir: &Path,
) -> Option<&'static str> {
    E1000E_HANG.steps.iter().rev().copied().find(|step| {
        let check = if *step == PROFILE {
            known.clone()
        } else {
            check_profile_now(ifname, step, profile_dir)
        };
        check == ProfileCheck::Matches
    })
}

/// Whether `ifname`'s current settings match `profile_name`.
fn check_profile_now(
    ifname: &str,
    profile_name: &str,
    profile_dir: &Path,
) -> ProfileCheck {
    use crate::change::Engine;
    use crate::ethtool::session::Session;
    use crate::netlink::transport::{run_sync, SyncSocket, NETLINK_GENERIC};
    use crate::profile::Profiles;
    let check = || -> crate::Result<ProfileCheck> {
        let profiles =
            Profiles::load(profile_dir).or_else(|_| Profiles::builtin())?;
        let profile = profiles.get(profile_name)?;
        let iface = crate::IfaceRef::by_name(ifname)?;
        // The session and the change engine directly: diagnosis sits
        // below the public APIs and does not use them.
        let sock = SyncSocket::new(NETLINK_GENERIC).map_err(|source| {
            crate::Error::Io { context: "open generic netlink socket", source }
        })?;
        let mut session = run_sync(Session::connect(sock))?;
        let (plan, _) = run_sync(Engine::new(&mut session).plan_profile(
            profile,
            &[iface],
            true,
        ))?;
        let differ: Vec<String> = plan
            .drift()
            .iter()
            .flat_map(|o| o.changes.iter().map(|c| c.feature.to_string()))
            .collect();
        Ok(if differ.is_empty() {
            ProfileCheck::Matches
        } else {
            ProfileCheck::Differs(differ)
        })
    };
    check().unwrap_or_else(|e| ProfileCheck::Unknown(e.to_string()))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn span(h: &Hangs) -> String {
    match (&h.first_when, &h.last_when) {
        (Some(a), Some(b)) if a != b => format!(", {a} to {b}"),
        (Some(a), _) => format!(", at {a}"),
        _ => String::new(),
    }
}

/// One finding per device that hung.
pub(crate) fn findings(d: &Detector, facts: &Facts) -> Vec<Finding> {
    d.hangs
        .iter()
        .filter(|h| !h.times.is_empty())
        .map(|h| finding(h, facts))
        .collect()
}

fn finding(h: &Hangs, facts: &Facts) -> Finding {
    let interface = facts.interface(Some(&h.device), h.logged.as_deref());
    // Commands need a name: the one sysfs has now, else the one logged.
    let name = interface
        .clone()
        .or_else(|| h.logged.clone())
        .unwrap_or_else(|| "IFACE".into());
    let n = h.times.len();
    let mut why = format!(
        "The e1000e driver found the transmit unit of {} stuck {} — packets queued, none sent — and dumped its registers{}. \
         While it is stuck nothing leaves the port: the link looks up, the host is unreachable. \
         Intel I217/I218/I219 ports (e1000e) do this under load; \
         the fix that holds in the field is to move the offloads to software (checksums, scatter-gather, TSO/GSO, GRO, VLAN tagging): \
         profile {PROFILE}. It costs some CPU at high packet rates.",
        h.device,
        times(n),
        if h.resets > 0 {
            format!("; it reset the adapter {} in this log", times(h.resets))
        } else {
            String::new()
        }
    );
    if interface.is_none() {
        why.push_str(&format!(
            " No interface of {} exists under {} now{}.",
            h.device,
            facts.root.join("sys/class/net").display(),
            h.logged
                .as_ref()
                .map(|l| format!(" (the log called it {l})"))
                .unwrap_or_default()
        ));
    }
    // When ethcfg applied the profile, and whether hangs came after.
    let applied =
        interface.as_ref().and_then(|i| facts.applied.get(i)).copied();
    // Only dated hangs can be compared (this boot's /dev/kmsg, ISO
    // journal times); a second of slack for the record's whole seconds.
    let dated: Vec<f64> = h.times.iter().flatten().copied().collect();
    let after = applied
        .filter(|_| !dated.is_empty())
        .map(|t| dated.iter().filter(|e| **e > t as f64 + 2.0).count());
    let check = interface.as_ref().and_then(|i| facts.hang_safe.get(i));
    let matches = matches!(check, Some(ProfileCheck::Matches));
    match check {
        Some(ProfileCheck::Matches) => why.push_str(&format!(
            " {name}'s current settings already match {PROFILE} (checked now)."
        )),
        Some(ProfileCheck::Differs(f)) => why.push_str(&format!(
            " {name} does not match {PROFILE} now: {} ({}{}).",
            plural(f.len(), "feature differs", "features differ"),
            f.iter().take(5).cloned().collect::<Vec<_>>().join(", "),
            if f.len() > 5 { ", ..." } else { "" }
        )),
        Some(ProfileCheck::Unknown(e)) => why.push_str(&format!(
            " Could not read {name}'s current settings ({e})."
        )),
        None if !facts.live => why.push_str(&format!(
            " {name}'s current settings were not checked: this is not the running system (--root)."
        )),
        None => {}
    }
    // The ladder step in effect: the one ethcfg's record names (an old
    // record without a name means PROFILE, the only one doctor knew), or
    // the highest one the settings match now, whichever is higher.
    let recorded = applied.map(|_| {
        interface
            .as_ref()
            .and_then(|i| facts.applied_by.get(i))
            .map_or(PROFILE, String::as_str)
    });
    let live = interface.as_ref().and_then(|i| facts.ladder_now.get(i));
    let step = [recorded, live.map(String::as_str)]
        .into_iter()
        .flatten()
        .filter_map(|p| E1000E_HANG.step_of(p).map(|i| (i, p)))
        .max()
        .map(|(_, p)| p);
    let went_on = matches!(after, Some(k) if k > 0);
    let shown = recorded.unwrap_or(PROFILE);
    if applied.is_some() && after.is_none() {
        why.push_str(&format!(
            " ethcfg applied {shown} to {name} (its state record says so), but this log does not date its lines \
             in a way that compares with that record (only /dev/kmsg of this boot and ISO journal times do)."
        ));
    }
    let escalate_from = step.filter(|_| went_on);
    let next = escalate_from.and_then(|s| E1000E_HANG.next_after(s));
    if let (Some(_), Some(k)) = (applied, after) {
        if k > 0 {
            let which = if k == n {
                format!("all {} of these hangs", n)
            } else {
                format!("{k} of these {n} hangs")
            };
            why.push_str(&format!(
                " ethcfg applied {shown} to {name} before {which}: they went on with it in effect"
            ));
            if let Some(at) = escalate_from.filter(|s| *s != shown) {
                why.push_str(&format!(
                    " (and {name}'s settings match {at} now)"
                ));
            }
            match next {
                Some(nx) if nx == "e1000e-hang-safe-eee" => why.push_str(&format!(
                    ", so the next step is {nx}: the offloads stay off and Energy-Efficient Ethernet (EEE), \
                     whose low-power idle these parts mishandle, goes off too."
                )),
                Some(nx) => why.push_str(&format!(
                    ", so the next step of the ladder is {nx}."
                )),
                None => why.push_str(&format!(
                    ". {} is the top of ethcfg's ladder (offloads and EEE off): what is left is outside ethtool's reach — \
                     PCIe power management, the e1000e module parameters, the BIOS.",
                    escalate_from.unwrap_or(shown)
                )),
            }
        } else {
            why.push_str(&format!(
                " ethcfg applied {shown} to {name} after the last of these hangs."
            ));
        }
    }
    if let Some(note) = served_note(&facts.root, &name) {
        why.push(' ');
        why.push_str(&note);
    }
    let known = interface.is_some();

    let mut remedy = Vec::new();
    let top = E1000E_HANG.top().unwrap_or(PROFILE);
    match (escalate_from, next) {
        (Some(_), Some(nx)) => {
            remedy.push(format!("ethcfg apply {nx} {name}"));
            remedy.extend(keep_lines(&facts.root, &name, nx, known));
            if nx != top {
                remedy.push(format!(
                    "# if hangs go on with {nx} in effect, the next step is: ethcfg apply {} {name}",
                    E1000E_HANG.next_after(nx).unwrap_or(top)
                ));
            }
        }
        (Some(at), None) => {
            remedy.push(format!(
                "# {at} is in effect and {name} still hangs: ethcfg has no further step; outside its reach, in this order:"
            ));
            for (i, m) in E1000E_HANG.beyond.iter().enumerate() {
                remedy.push(format!(
                    "# {}. {} (see {})",
                    i + 1,
                    m.what,
                    m.reference
                ));
                if let Some(how) = m.how {
                    remedy.push(format!("#      {how}"));
                }
            }
        }
        (None, _) => {
            if !matches {
                remedy.push(format!("ethcfg apply {PROFILE} {name}"));
                remedy.push(format!(
                    "# cheaper, if you would rather start lower on the ladder: ethcfg apply {} {name} (TSO only; step up to {PROFILE} if hangs go on)",
                    E1000E_HANG.steps.first().copied().unwrap_or(PROFILE)
                ));
            }
            let kept = step.filter(|s| {
                E1000E_HANG.step_of(s) > E1000E_HANG.step_of(PROFILE)
            });
            remedy.extend(keep_lines(
                &facts.root,
                &name,
                kept.unwrap_or(PROFILE),
                known,
            ));
            let from = kept.unwrap_or(PROFILE);
            match E1000E_HANG.next_after(from) {
                Some(nx) if nx == top => remedy.push(format!(
                    "# if hangs go on with {from} in effect, EEE is the next suspect: ethcfg apply {nx} {name}"
                )),
                Some(nx) => remedy.push(format!(
                    "# if hangs go on with {from} in effect, the next step is: ethcfg apply {nx} {name}"
                )),
                None => remedy.push(format!(
                    "# if hangs go on with {from} in effect, what is left is outside ethcfg: run ethcfg doctor again after the next hang"
                )),
            }
        }
    }

    let mut ev = h.first.clone();
    ev.extend(h.later.iter().cloned());
    ev.extend(h.last.iter().cloned());
    let who = match &interface {
        Some(i) => format!("{i} (e1000e, {})", h.device),
        None => format!(
            "{} (e1000e{})",
            h.device,
            h.logged
                .as_ref()
                .map(|l| format!(", logged as {l}"))
                .unwrap_or_default()
        ),
    };
    Finding {
        id: "e1000e-hang".into(),
        severity: Severity::Error,
        interface,
        device: Some(h.device.clone()),
        summary: format!(
            "{who}: the NIC hung {} (\"Detected Hardware Unit Hang\"){}",
            times(n),
            span(h)
        ),
        evidence: ev,
        explanation: why,
        remedy,
    }
}
