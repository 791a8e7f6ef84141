//! Host facts against the real kernel: link kinds and addresses over
//! rtnetlink (netlink-packet-route), filled into `Device` as documented,
//! and the SSH hint naming the interface that carries it — on the live
//! system only.

use std::net::IpAddr;

use ethcfg_core::host::{
    self, devices, management_reasons, HostRoot, ManagementHints,
};

use crate::harness::{self, tests};
use crate::util::*;

tests! {
    harness::root: [
        devices_get_link_kinds_one_by_one_and_from_one_dump,
        the_ssh_hint_names_the_interface_that_carries_its_address,
    ],
}

fn devices_get_link_kinds_one_by_one_and_from_one_dump() {
    in_netns(|| {
        sh(&["ip", "link", "add", "hkbr", "type", "bridge"]);
        for i in 0..9 {
            veth(&format!("hka{i}"), &format!("hkb{i}"));
        }
        sh(&["ip", "link", "set", "hka0", "master", "hkbr"]);
        let links = host::link_kinds().unwrap();
        let kind = |n: &str| {
            links.iter().find(|l| l.ifname == n).and_then(|l| l.kind.clone())
        };
        assert_eq!(kind("hkbr").as_deref(), Some("bridge"));
        assert_eq!(kind("hka3").as_deref(), Some("veth"));
        assert_eq!(kind("lo"), None);
        let ids: Vec<(&str, u32)> = links
            .iter()
            .filter(|l| l.ifname.starts_with("hk"))
            .map(|l| (l.ifname.as_str(), l.ifindex))
            .collect();
        assert_eq!(ids.len(), 19);
        // A few: one RTM_GETLINK each; many (more than 16): one dump.
        for some in [&ids[..3], &ids[..]] {
            let d = devices(&HostRoot::live(), some);
            assert_eq!(d.len(), some.len());
            for (dev, (name, index)) in d.iter().zip(some) {
                assert_eq!((dev.ifname.as_str(), dev.ifindex), (*name, *index));
                // virtual devices: no driver in sysfs, a kind from rtnetlink
                assert_eq!(dev.driver, None, "{dev:?}");
                let want = if *name == "hkbr" { "bridge" } else { "veth" };
                assert_eq!(dev.kind.as_deref(), Some(want), "{dev:?}");
                assert_eq!(dev.driver_or_kind(), Some(want));
            }
        }
        // Under a directory nothing is asked over rtnetlink.
        let d = devices(&HostRoot::dir(scratch("no-sysfs")), &ids[..3]);
        assert!(d.iter().all(|d| d.kind.is_none() && d.driver.is_none()));
    });
}

fn the_ssh_hint_names_the_interface_that_carries_its_address() {
    in_netns(|| {
        veth("hsa", "hsb");
        sh(&["ip", "addr", "add", "192.0.2.7/24", "dev", "hsa"]);
        sh(&["ip", "addr", "add", "2001:db8::7/64", "dev", "hsb", "nodad"]);
        let index = |n: &str| {
            host::link_kinds()
                .unwrap()
                .into_iter()
                .find(|l| l.ifname == n)
                .unwrap()
                .ifindex
        };
        let (a, b) = (index("hsa"), index("hsb"));
        let addrs = host::addresses().unwrap();
        assert!(
            addrs.contains(&(a, IpAddr::from([192, 0, 2, 7]))),
            "{addrs:?}"
        );
        assert!(
            addrs.contains(&(b, "2001:db8::7".parse().unwrap())),
            "{addrs:?}"
        );
        let hints = ManagementHints::from_ssh_connection(
            "198.51.100.1 50000 192.0.2.7 22",
        );
        let live = HostRoot::live();
        assert_eq!(
            management_reasons(&live, &hints, "hsa", a),
            ["it carries this SSH session (192.0.2.7)"]
        );
        assert!(management_reasons(&live, &hints, "hsb", b).is_empty());
        assert!(management_reasons(&live, &ManagementHints::new(), "hsa", a)
            .is_empty());
        // `/` as a directory is not the live system: no rtnetlink lookup
        assert!(management_reasons(
            &HostRoot::dir(HostRoot::LIVE_DIR),
            &hints,
            "hsa",
            a
        )
        .is_empty());
    });
}
