//! Graded presets: the built-in profiles that mitigate one driver bug in
//! steps, each step including the one before, and what is left when the
//! top step is not enough. `doctor` reads a ladder to recommend the step
//! after the one in effect, by its exact `ethcfg` command; `profiles`
//! and the profiles' own descriptions tell the same story.

/// A mitigation ethcfg cannot apply: a kernel parameter, a module
/// parameter, a firmware setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Beyond {
    /// What to do, as one line a person can follow.
    pub what: &'static str,
    /// How to make it so (a command or a file line), when there is one.
    pub how: Option<&'static str>,
    /// The public page that documents or reports it.
    pub reference: &'static str,
}

/// Mitigations of one bug, cheapest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Ladder {
    /// The driver whose bug it is.
    pub driver: &'static str,
    /// Built-in profile names, in order; each includes what the one before
    /// sets.
    pub steps: &'static [&'static str],
    /// What is left past the top step, outside ethcfg's reach.
    pub beyond: &'static [Beyond],
}

impl Ladder {
    /// The position of `profile` on the ladder.
    pub fn step_of(&self, profile: &str) -> Option<usize> {
        self.steps.iter().position(|s| *s == profile)
    }

    /// The step after `profile`'s; `None` past the top or off the ladder.
    pub fn next_after(&self, profile: &str) -> Option<&'static str> {
        self.step_of(profile).and_then(|i| self.steps.get(i + 1)).copied()
    }

    /// The top step.
    pub fn top(&self) -> Option<&'static str> {
        self.steps.last().copied()
    }
}

/// e1000e "Detected Hardware Unit Hang": TSO off alone often suffices
/// (the field's advice is to disable as few offloads as possible); then
/// the full eight; then EEE; then outside ethtool.
pub const E1000E_HANG: Ladder = Ladder {
    driver: "e1000e",
    steps: &["e1000e-tso-off", "e1000e-hang-safe", "e1000e-hang-safe-eee"],
    beyond: &[
        Beyond {
            what: "turn PCIe Active State Power Management off (kernel command line pcie_aspm=off, then update-grub and reboot)",
            how: Some("GRUB_CMDLINE_LINUX_DEFAULT=\"... pcie_aspm=off\" in /etc/default/grub"),
            reference: "https://github.com/siutsin/otaru/pull/2637",
        },
        Beyond {
            what: "e1000e module parameters: SmartPowerDownEnable=0 (no PHY power-down) and a fixed InterruptThrottleRate (e.g. 3000), then reload e1000e or reboot",
            how: Some("options e1000e SmartPowerDownEnable=0 InterruptThrottleRate=3000 in /etc/modprobe.d/e1000e.conf"),
            reference: "https://docs.kernel.org/networking/device_drivers/ethernet/intel/e1000e.html",
        },
        Beyond {
            what: "in the BIOS/UEFI setup: disable deep package C-states and PCIe ASPM (some boards do not honour pcie_aspm=off), and update the BIOS",
            how: None,
            reference: "https://github.com/lxc/incus-os/issues/849",
        },
        Beyond {
            what: "if nothing holds: a NIC on another driver (a PCIe or USB adapter) for the busy traffic",
            how: None,
            reference: "https://bugzilla.kernel.org/show_bug.cgi?id=118721",
        },
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profiles;

    #[test]
    fn the_e1000e_ladder_is_built_in_in_order_each_step_including_the_last() {
        let b = Profiles::builtin().unwrap();
        let l = E1000E_HANG;
        let mut before: Vec<String> = Vec::new();
        for (i, name) in l.steps.iter().enumerate() {
            let p = b.get(name).unwrap();
            assert_eq!(p.drivers, [l.driver]);
            let own: Vec<String> =
                p.features.iter().map(|f| f.name.clone()).collect();
            assert!(
                before.iter().all(|f| own.contains(f)),
                "{name} keeps every feature of the step below: {before:?} vs {own:?}"
            );
            before = own;
            // each description says what it costs and where to go next
            assert!(p.description.contains("Cost"), "{name}");
            match l.steps.get(i + 1) {
                Some(next) => {
                    assert!(p.description.contains(next), "{name} -> {next}")
                }
                None => assert!(
                    p.description.contains("pcie_aspm=off")
                        && p.description.contains("SmartPowerDownEnable")
                        && p.description.contains("BIOS"),
                    "the top step names what is left"
                ),
            }
        }
        assert_eq!(l.next_after("e1000e-tso-off"), Some("e1000e-hang-safe"));
        assert_eq!(
            l.next_after("e1000e-hang-safe"),
            Some("e1000e-hang-safe-eee")
        );
        assert_eq!(l.next_after("e1000e-hang-safe-eee"), None);
        assert_eq!(l.next_after("capture"), None);
        assert_eq!(l.top(), Some("e1000e-hang-safe-eee"));
        assert!(l.beyond.iter().all(|m| m.reference.starts_with("https://")));
    }

    #[test]
    fn presets_from_field_reports_name_their_drivers_symptoms_and_sources() {
        let b = Profiles::builtin().unwrap();
        for (name, driver, symptom) in [
            ("igc-eee-off", "igc", Some("NIC Link is Down")),
            (
                "r8169-vlan-tx-csum-off",
                "r8169",
                Some("NETDEV WATCHDOG: CPU: 1: transmit queue 0 timed"),
            ),
            ("bnxt-forwarding", "bnxt_en", None),
            ("vmxnet3-udp-tunnel-off", "vmxnet3", None),
        ] {
            let p = b.get(name).unwrap();
            assert_eq!(p.drivers, [driver], "{name}");
            assert!(!p.summary.is_empty());
            assert!(p.description.contains("Cost"), "{name}");
            match symptom {
                Some(s) => assert!(p.description.contains(s), "{name}"),
                None => assert!(
                    p.description.contains("no kernel log line"),
                    "{name} says it has no log line"
                ),
            }
            assert!(p.references.len() >= 2, "{name}");
            assert!(p.references.iter().all(|r| r.starts_with("https://")));
            assert!(!p.features.is_empty() || !p.settings.is_empty());
        }
        let bnxt = b.get("bnxt-forwarding").unwrap();
        let f: Vec<(&str, bool)> =
            bnxt.features.iter().map(|f| (f.name.as_str(), f.on)).collect();
        assert_eq!(f, [("lro", false), ("rx-gro-hw", false)]);
        let vmx = b.get("vmxnet3-udp-tunnel-off").unwrap();
        let f: Vec<&str> =
            vmx.features.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            f,
            ["tx-udp_tnl-segmentation", "tx-udp_tnl-csum-segmentation"]
        );
    }
}
