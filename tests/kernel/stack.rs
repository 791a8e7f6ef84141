//! Bridges, bonds, VLANs and macvlans over veths, resolved to their ports:
//! `apply` of a driver preset named for the stack stops and names the
//! ports; `--ports` goes down to them; ethtool says what changed where.
//!
//! ethcfg reads the stack from sysfs, and /sys shows the namespace that
//! mounted it: each ethcfg run here gets a private mount namespace with a
//! fresh sysfs of the test's network namespace (`unshare -m`), so nothing
//! of the host's /sys is touched.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::harness::{self, tests};
use crate::util::*;

tests! {
    harness::root: [
        a_driver_preset_on_a_bridge_stops_and_names_its_ports,
        ports_applies_to_the_devices_under_the_stack_and_says_which,
        bonds_and_vlans_resolve_to_their_ports_when_the_kernel_has_them,
        a_bridge_named_by_an_alternative_name_stops_too,
    ],
}

fn own_state(tag: &str) -> PathBuf {
    let d = scratch(&format!("state-stack-{tag}"));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// `ethcfg ARGS` with this network namespace's sysfs at /sys.
fn ethcfg_sysfs(state: &Path, args: &[&str]) -> Output {
    Command::new("unshare")
        .args([
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            "mount -t sysfs sysfs /sys && exec \"$0\" \"$@\"",
            env!("CARGO_BIN_EXE_ethcfg"),
        ])
        .args(args)
        .env("ETHCFG_STATE_DIR", state)
        .env("ETHCFG_PROFILE_DIR", scratch("no-profiles"))
        .output()
        .expect("run unshare")
}

/// Creates a link with `ip`; false when this kernel lacks the type (the
/// test kernel may be built without bonding or 802.1Q).
fn try_ip(args: &[&str]) -> bool {
    Command::new("ip").args(args).output().is_ok_and(|o| o.status.success())
}

fn active(iface: &str, name: &str) -> bool {
    ethtool_active(iface)
        .get(name)
        .copied()
        .unwrap_or_else(|| panic!("{iface} has no {name}"))
}

fn a_driver_preset_on_a_bridge_stops_and_names_its_ports() {
    in_netns(|| {
        let state = own_state("stop");
        veth("sta", "stb");
        veth("stc", "std");
        sh(&["ip", "link", "add", "stbr", "type", "bridge"]);
        sh(&["ip", "link", "set", "sta", "master", "stbr"]);
        sh(&["ip", "link", "set", "stc", "master", "stbr"]);
        let before =
            [ethtool_state("stbr"), ethtool_state("sta"), ethtool_state("stc")];

        let o = ethcfg_sysfs(&state, &["apply", "e1000e-hang-safe", "stbr"]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let e = stderr(&o);
        assert_eq!(e.lines().count(), 1, "one message: {e}");
        assert!(e.contains("stbr is a bridge, not a NIC"), "{e}");
        assert!(e.contains("sta (veth)") && e.contains("stc (veth)"), "{e}");
        assert!(
            e.contains("none of them is on e1000e")
                && e.contains("ethcfg apply e1000e-hang-safe --force sta stc"),
            "{e}"
        );
        // with --ports, the guard still holds: veths are not e1000e
        let o = ethcfg_sysfs(
            &state,
            &["apply", "e1000e-hang-safe", "--ports", "stbr"],
        );
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains("add --force"), "{}", stderr(&o));
        assert_eq!(
            [ethtool_state("stbr"), ethtool_state("sta"), ethtool_state("stc")],
            before,
            "nothing changed"
        );

        // a preset for any driver still applies to the bridge itself
        let o = ethcfg_sysfs(&state, &["apply", "capture", "stbr", "--json"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(!active("stbr", "rx-gro"));
        assert_eq!(ethtool_state("sta"), before[1], "ports untouched");
    });
}

/// sysfs lists a device under its primary name only; the kernel says
/// which device an alternative name is, and its stack is read by that.
fn a_bridge_named_by_an_alternative_name_stops_too() {
    in_netns(|| {
        let state = own_state("altname");
        veth("saa", "sab");
        sh(&["ip", "link", "add", "sabr", "type", "bridge"]);
        sh(&["ip", "link", "set", "saa", "master", "sabr"]);
        if !try_ip(&[
            "link",
            "property",
            "add",
            "dev",
            "sabr",
            "altname",
            "lanbridge",
        ]) {
            eprintln!("skipped: this kernel has no alternative names");
            return;
        }
        let before = [ethtool_state("sabr"), ethtool_state("saa")];
        let o =
            ethcfg_sysfs(&state, &["apply", "e1000e-hang-safe", "lanbridge"]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains("is a bridge, not a NIC"), "{e}");
        assert!(e.contains("saa (veth)"), "{e}");
        assert_eq!([ethtool_state("sabr"), ethtool_state("saa")], before);
    });
}

fn ports_applies_to_the_devices_under_the_stack_and_says_which() {
    in_netns(|| {
        let state = own_state("ports");
        veth("spa", "spb");
        veth("spc", "spd");
        veth("spe", "spf");
        sh(&["ip", "link", "add", "spbr", "type", "bridge"]);
        sh(&["ip", "link", "set", "spa", "master", "spbr"]);
        // a macvlan over spc in the bridge: its port is spc, via the macvlan
        sh(&[
            "ip", "link", "add", "spmv", "link", "spc", "type", "macvlan",
            "mode", "bridge",
        ]);
        sh(&["ip", "link", "set", "spmv", "master", "spbr"]);
        let bridge_before = ethtool_state("spbr");
        let mv_before = ethtool_state("spmv");
        let lone_before = ethtool_state("spe");

        let o = ethcfg_sysfs(
            &state,
            &[
                "apply",
                "e1000e-tso-off",
                "--ports",
                "--force",
                "spbr",
                "spe",
                "--json",
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let e = stderr(&o);
        assert!(
            e.contains("spbr is a bridge: applying e1000e-tso-off to its ports spa (veth), spc (veth, via spmv)"),
            "{e}"
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let names: Vec<&str> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["ifname"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["spa", "spc", "spe"]);
        // ethtool: TSO off on the ports and the plain interface named ...
        for i in ["spa", "spc", "spe"] {
            assert!(!active(i, "tx-tcp-segmentation"), "{i}");
        }
        // ... and nothing changed on the bridge or the macvlan
        assert_eq!(ethtool_state("spbr"), bridge_before);
        assert_eq!(ethtool_state("spmv"), mv_before);
        assert_ne!(ethtool_state("spe"), lone_before);

        // revert restores the ports
        let o = ethcfg_sysfs(&state, &["revert", "spa", "spc", "spe"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(active("spa", "tx-tcp-segmentation"));
    });
}

fn bonds_and_vlans_resolve_to_their_ports_when_the_kernel_has_them() {
    in_netns(|| {
        let state = own_state("bond");
        veth("sba", "sbb");
        veth("sbc", "sbd");
        let bond = try_ip(&["link", "add", "sbbond", "type", "bond"]);
        let vlan = try_ip(&[
            "link", "add", "link", "sbc", "name", "sbc.7", "type", "vlan",
            "id", "7",
        ]);
        if !bond && !vlan {
            eprintln!(
                "note: this kernel has neither bonding nor 802.1Q; bridge and macvlan stacks are tested elsewhere"
            );
            return;
        }
        let mut expect: Vec<&str> = Vec::new();
        sh(&["ip", "link", "add", "sbbr", "type", "bridge"]);
        if bond {
            sh(&["ip", "link", "set", "sba", "master", "sbbond"]);
            sh(&["ip", "link", "set", "sbbond", "master", "sbbr"]);
            expect.push("sba (veth, via sbbond)");
        }
        if vlan {
            sh(&["ip", "link", "set", "sbc.7", "master", "sbbr"]);
            expect.push("sbc (veth, via sbc.7)");
        }
        let o = ethcfg_sysfs(&state, &["apply", "e1000e-tso-off", "sbbr"]);
        assert_eq!(o.status.code(), Some(1));
        for p in &expect {
            assert!(stderr(&o).contains(p), "{p}: {}", stderr(&o));
        }
        let o = ethcfg_sysfs(
            &state,
            &["apply", "e1000e-tso-off", "--ports", "--force", "sbbr"],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        if bond {
            assert!(!active("sba", "tx-tcp-segmentation"));
        }
        if vlan {
            assert!(!active("sbc", "tx-tcp-segmentation"));
        }
    });
}
