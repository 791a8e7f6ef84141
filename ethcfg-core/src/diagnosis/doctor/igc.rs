//! `igc-link-drops`: Intel I225/I226 ports (igc) that lose their link
//! again and again ("NIC Link is Down", then Up, then Down), or whose
//! PCIe link is lost altogether ("PCIe link lost, device now detached").
//! Energy-Efficient Ethernet off is the mitigation Intel gave and routers
//! ship (the igc-eee-off profile); a detached device needs a reboot, and
//! the reports turn PCIe ASPM off for that.

use super::advice::{keep_lines, served_note};
use super::{dev_msg, times, Facts, Finding, LogLine, Severity, Sightings};

/// The profile that mitigates it.
pub(crate) const PROFILE: &str = "igc-eee-off";

/// A link that went down once is a cable pulled; this many times is a
/// port that flaps.
const FLAPS: usize = 2;

/// One device's link losses.
#[derive(Debug, Clone, Default)]
pub(crate) struct Drops {
    device: String,
    logged: Option<String>,
    downs: usize,
    /// "PCIe link lost, device now detached".
    lost: usize,
    seen: Sightings,
}

/// Collects igc link losses while the log streams past.
#[derive(Debug, Default)]
pub(crate) struct Detector {
    drops: Vec<Drops>,
}

impl Detector {
    pub(crate) fn feed(&mut self, l: &LogLine) {
        let Some(d) = dev_msg(&l.text) else { return };
        if d.driver != "igc" {
            return;
        }
        let down = d.msg.starts_with("NIC Link is Down");
        let lost = d.msg.starts_with("PCIe link lost");
        if !down && !lost {
            return;
        }
        let i = match self.drops.iter().position(|x| x.device == d.device) {
            Some(i) => i,
            None => {
                self.drops.push(Drops {
                    device: d.device.to_owned(),
                    ..Drops::default()
                });
                self.drops.len() - 1
            }
        };
        let Some(x) = self.drops.get_mut(i) else { return };
        if let Some(n) = d.ifname {
            x.logged = Some(n.to_owned());
        }
        if down {
            x.downs += 1;
        } else {
            x.lost += 1;
        }
        x.seen.note(l);
    }
}

/// One finding per igc device whose link flapped or was lost.
pub(crate) fn findings(d: &Detector, facts: &Facts) -> Vec<Finding> {
    d.drops
        .iter()
        .filter(|x| x.downs >= FLAPS || x.lost > 0)
        .map(|x| finding(x, facts))
        .collect()
}

fn finding(x: &Drops, facts: &Facts) -> Finding {
    let interface = facts.interface(Some(&x.device), x.logged.as_deref());
    let name = interface
        .clone()
        .or_else(|| x.logged.clone())
        .unwrap_or_else(|| "IFACE".into());
    let span = x.seen.span();
    let mut what = Vec::new();
    if x.downs > 0 {
        what.push(format!("the link went down {}", times(x.downs)));
    }
    if x.lost > 0 {
        what.push("the PCIe link was lost and the device detached".to_owned());
    }
    let mut why = format!(
        "{} (igc, an Intel I225/I226 port): {}{span}. These ports are known for link drops under load and at idle; \
         the mitigation Intel gave, and the one routers ship, is to turn Energy-Efficient Ethernet off: profile {PROFILE}. \
         It costs the PHY's idle power saving, and the link renegotiates once when it is applied. \
         A bad cable or switch port flaps a link too: if EEE off changes nothing, try another cable and port.",
        x.device,
        what.join(", and ")
    );
    if x.lost > 0 {
        why.push_str(&format!(
            " After \"PCIe link lost, device now detached\" {name} stays unusable (it may still show UP) until a reboot; \
             EEE off is not known to prevent it, and the reports turn PCIe ASPM off for it."
        ));
    }
    if let Some(note) = served_note(&facts.root, &name) {
        why.push(' ');
        why.push_str(&note);
    }
    let mut remedy = vec![format!("ethcfg apply {PROFILE} {name}")];
    remedy.extend(keep_lines(&facts.root, &name, PROFILE, interface.is_some()));
    if x.lost > 0 {
        remedy.push(format!(
            "# {name} detached from PCIe: reboot to bring it back (see https://github.com/ublue-os/bazzite/issues/5337)"
        ));
        remedy.push(
            "# and turn PCIe ASPM off: add pcie_aspm=off (or pcie_aspm.policy=performance) to the kernel command line \
             (see https://github.com/ublue-os/bazzite/pull/4565)"
                .to_owned(),
        );
    }
    let evidence = x.seen.lines();
    Finding {
        id: "igc-link-drops".into(),
        severity: if x.lost > 0 { Severity::Error } else { Severity::Warning },
        interface,
        device: Some(x.device.clone()),
        summary: format!(
            "{name} (igc, {}): {}{span}",
            x.device,
            what.join(", and ")
        ),
        evidence,
        explanation: why,
        remedy,
    }
}
