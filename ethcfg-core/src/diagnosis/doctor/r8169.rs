//! `r8169-tx-timeout`: a Realtek RTL8111/8168 port (r8169) whose transmit
//! queue stalls: the kernel's watchdog logs "NETDEV WATCHDOG: ... transmit
//! queue 0 timed out", the driver resets the chip and waits in vain for it
//! ("rtl_rxtx_empty_cond == 0"), again and again. On ports carrying 802.1Q
//! VLANs, turning TX checksum offload off on the physical port stopped it
//! (the r8169-vlan-tx-csum-off profile).

use std::path::Path;

use super::advice::{keep_lines, served_note};
use super::{
    dev_msg, plausible_ifname, times, Facts, Finding, LogLine, Severity,
    Sightings,
};
use crate::host::stack;

/// The profile that mitigates it.
pub(crate) const PROFILE: &str = "r8169-vlan-tx-csum-off";

/// Lines kept as evidence per interface: the first ones, then the last.
/// One interface's stalls.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stalls {
    /// The PCI address, once a line with the device prefix names it.
    device: Option<String>,
    /// The interface name the log used.
    logged: Option<String>,
    /// NETDEV WATCHDOG timeouts.
    timeouts: usize,
    /// `rtl_*_empty_cond == 0`: the reset waited for the chip in vain.
    stuck: usize,
    seen: Sightings,
}

/// Collects r8169 transmit stalls while the log streams past.
#[derive(Debug, Default)]
pub(crate) struct Detector {
    stalls: Vec<Stalls>,
}

/// The older watchdog line, a WARN without the device prefix:
/// "NETDEV WATCHDOG: enp3s0 (r8169): transmit queue 0 timed out 9028 ms".
fn old_watchdog(text: &str) -> Option<&str> {
    let rest = text.trim_start().strip_prefix("NETDEV WATCHDOG: ")?;
    let (ifname, rest) = rest.split_once(" (r8169): ")?;
    (rest.starts_with("transmit queue") && plausible_ifname(ifname))
        .then_some(ifname)
}

impl Detector {
    fn entry(
        &mut self,
        device: Option<&str>,
        logged: Option<&str>,
    ) -> Option<&mut Stalls> {
        // Old watchdog lines name only the interface, the driver's own
        // lines both: one entry per interface name, else per device.
        let i = self.stalls.iter().position(|s| {
            (logged.is_some() && s.logged.as_deref() == logged)
                || (logged.is_none()
                    && device.is_some()
                    && s.device.as_deref() == device)
        });
        let i = match i {
            Some(i) => i,
            None => {
                self.stalls.push(Stalls::default());
                self.stalls.len() - 1
            }
        };
        let s = self.stalls.get_mut(i)?;
        if let Some(d) = device {
            s.device = Some(d.to_owned());
        }
        if let Some(n) = logged {
            s.logged = Some(n.to_owned());
        }
        Some(s)
    }

    pub(crate) fn feed(&mut self, l: &LogLine) {
        let (device, logged, timeout) = if let Some(d) = dev_msg(&l.text) {
            if d.driver != "r8169" {
                return;
            }
            if d.msg.starts_with("NETDEV WATCHDOG:")
                && d.msg.contains("timed out")
            {
                (Some(d.device), d.ifname, true)
            } else if d.msg.starts_with("rtl_")
                && d.msg.contains("_empty_cond == 0")
            {
                (Some(d.device), d.ifname, false)
            } else {
                return;
            }
        } else if let Some(ifname) = old_watchdog(&l.text) {
            (None, Some(ifname), true)
        } else {
            return;
        };
        let Some(s) = self.entry(device, logged) else { return };
        if timeout {
            s.timeouts += 1;
        } else {
            s.stuck += 1;
        }
        s.seen.note(l);
    }
}

/// The VLAN interfaces stacked on `ifname`.
fn vlans(root: &Path, ifname: &str) -> Vec<String> {
    stack::uppers(root, ifname)
        .into_iter()
        .filter(|u| stack::devtype(root, u).as_deref() == Some("vlan"))
        .collect()
}

/// One finding per r8169 interface whose transmit queue timed out.
pub(crate) fn findings(d: &Detector, facts: &Facts) -> Vec<Finding> {
    d.stalls
        .iter()
        .filter(|s| s.timeouts > 0)
        .map(|s| finding(s, facts))
        .collect()
}

fn finding(s: &Stalls, facts: &Facts) -> Finding {
    let interface = facts.interface(s.device.as_deref(), s.logged.as_deref());
    let name = interface
        .clone()
        .or_else(|| s.logged.clone())
        .unwrap_or_else(|| "IFACE".into());
    let span = s.seen.span();
    let who = match &s.device {
        Some(d) => format!("{name} (r8169, {d})"),
        None => format!("{name} (r8169)"),
    };
    let mut why = format!(
        "The kernel's watchdog found {name}'s transmit queue stuck {} (NETDEV WATCHDOG){}: nothing left the port for seconds, \
         and the driver reset the chip. Realtek RTL8111/8168 ports carrying 802.1Q VLAN interfaces did this on kernel 6.18.52 \
         (Home Assistant OS 18.3); turning transmit checksum offload off on the physical port stopped it on the boards that \
         reported back: profile {PROFILE}. It costs some CPU (TSO and scatter-gather go off with TX checksumming).",
        times(s.timeouts),
        if s.stuck > 0 {
            format!(
                ", and {} the reset waited in vain for the chip to drain (rtl_*_empty_cond == 0)",
                times(s.stuck)
            )
        } else {
            String::new()
        }
    );
    let tagged =
        interface.as_ref().map(|i| vlans(&facts.root, i)).unwrap_or_default();
    if interface.is_none() {
        why.push_str(&format!(
            " No interface {name} exists under {} now, so whether it carries VLANs (as in those reports) was not checked.",
            facts.root.join("sys/class/net").display()
        ));
    } else if tagged.is_empty() {
        why.push_str(&format!(
            " {name} carries no VLAN interface now: the reports this profile comes from all had one, so it may not help \
             here; it is cheap to try and to undo (ethcfg revert {name}). PCIe ASPM is the other known r8169 suspect."
        ));
    } else {
        why.push_str(&format!(
            " {name} carries the VLAN interface{} {}, as in those reports; the profile goes on {name} itself, not on the VLAN interface.",
            if tagged.len() == 1 { "" } else { "s" },
            tagged.join(", ")
        ));
    }
    if let Some(note) = served_note(&facts.root, &name) {
        why.push(' ');
        why.push_str(&note);
    }
    let mut remedy = vec![format!("ethcfg apply {PROFILE} {name}")];
    remedy.extend(keep_lines(&facts.root, &name, PROFILE, interface.is_some()));
    remedy.push(format!(
        "# if the timeouts go on: ethcfg revert {name}, and look at PCIe ASPM (see https://github.com/openwrt/openwrt/issues/13248)"
    ));
    let evidence = s.seen.lines();
    Finding {
        id: "r8169-tx-timeout".into(),
        severity: Severity::Error,
        interface,
        device: s.device.clone(),
        summary: format!(
            "{who}: the transmit queue timed out {}{span}",
            times(s.timeouts)
        ),
        evidence,
        explanation: why,
        remedy,
    }
}
