//! Fixture trees laid out as the kernel lays out sysfs and procfs, for the
//! field report's case (irdma holding ice and i40e), a bridged e1000e
//! port, the virtio chain, built-in drivers and modules in use.

use super::*;
use crate::testing::tree::Tree;

/// /proc/modules of an E810 (ice) + X722 (i40e) host with irdma loaded,
/// as the kernel prints it: "Used by" is comma-terminated.
const RDMA_MODULES: &str = "\
irdma 393216 0 - Live 0x0000000000000000
ice 1097728 1 irdma, Live 0x0000000000000000
i40e 528384 1 irdma, Live 0x0000000000000000
ib_uverbs 167936 1 irdma, Live 0x0000000000000000
ib_core 454656 2 irdma,ib_uverbs, Live 0x0000000000000000
gnss 24576 1 ice, Live 0x0000000000000000
ptp 32768 2 ice,i40e, Live 0x0000000000000000
pps_core 24576 1 ptp, Live 0x0000000000000000
";

/// Two E810 ports (ens1f0, ens1f1 on ice), two X722 ports (eno1, eno2 on
/// i40e), lo; the default route on `mgmt`.
fn rdma_host(mgmt: &str) -> Tree {
    let t = Tree::new("rdma");
    t.pci_nic("0000:3b:00.0", "ice", Some("ice"), "ens1f0", 4)
        .pci_nic("0000:3b:00.1", "ice", Some("ice"), "ens1f1", 5)
        .pci_nic("0000:5e:00.0", "i40e", Some("i40e"), "eno1", 2)
        .pci_nic("0000:5e:00.1", "i40e", Some("i40e"), "eno2", 3)
        .virtual_if("lo", 1)
        .file("proc/modules", RDMA_MODULES)
        .module("irdma", 0, &[])
        .module("ice", 1, &["irdma"])
        .module("i40e", 1, &["irdma"])
        .module("ib_uverbs", 1, &["irdma"])
        .module("ib_core", 2, &["irdma", "ib_uverbs"])
        .module("gnss", 1, &["ice"])
        .module("ptp", 2, &["ice", "i40e"])
        .module("pps_core", 1, &["ptp"])
        .default_route(mgmt);
    t
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| (*x).to_owned()).collect()
}

#[test]
fn proc_modules_lines() {
    let m = host::parse_proc_modules(
        "failover 16384 1 net_failover, Live 0xffffffffc0a1b000\n\
         vboxdrv 593920 2 vboxnetadp,vboxnetflt, Live 0x0000000000000000 (OE)\n\
         e1000e 356352 0 - Live 0x0000000000000000\n\
         core 16384 - [permanent], Live 0x0000000000000000\n\
         old_kernel 16384 - - Live 0x0\n\
         truncated 1\n\
         bad 1 x - Live\n\
         dash-name 1 0 - Loading 0x0\n",
    );
    let names: Vec<&str> = m.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(
        names,
        ["failover", "vboxdrv", "e1000e", "core", "old_kernel", "dash_name"]
    );
    assert_eq!(
        (m[0].refcount, m[0].users.clone()),
        (Some(1), s(&["net_failover"]))
    );
    assert_eq!(m[1].users, s(&["vboxnetadp", "vboxnetflt"]));
    assert!(m[2].users.is_empty());
    assert!(m[3].permanent && m[3].users.is_empty() && m[3].refcount.is_none());
    assert_eq!(m[4].refcount, None);
    assert_eq!(m[5].state, "Loading");
}

#[test]
fn modprobe_r_irdma_takes_ice_and_i40e_and_the_management_port_on_ice() {
    let t = rdma_host("ens1f0");
    let i = impact(&HostRoot::dir(t.root()), &ManagementHints::new(), "irdma")
        .unwrap();
    assert_eq!(i.module, "irdma");
    assert!(!i.builtin);
    assert!(i.holders.is_empty());
    // rmmod irdma: irdma alone; no interface is lost
    assert_eq!(i.rmmod.commands, ["rmmod irdma"]);
    assert_eq!(i.rmmod.unloads, ["irdma"]);
    assert!(i.rmmod.interfaces_lost.is_empty());
    assert!(!i.rmmod.management_affected);
    // modprobe -r irdma: every module irdma was the last user of, recursively
    assert_eq!(i.modprobe_r.commands, ["modprobe -r irdma"]);
    assert_eq!(
        i.modprobe_r.unloads,
        [
            "irdma",
            "ice",
            "i40e",
            "ib_uverbs",
            "ib_core",
            "gnss",
            "ptp",
            "pps_core"
        ]
    );
    assert_eq!(
        i.modprobe_r.interfaces_lost,
        ["eno1", "eno2", "ens1f0", "ens1f1"]
    );
    assert!(i.modprobe_r.management_affected);
    assert_eq!(i.management.len(), 1);
    assert_eq!(i.management[0].ifname, "ens1f0");
    assert_eq!(i.safe_sequence, ["rmmod irdma", "modprobe irdma"]);
    assert!(
        i.notes
            .iter()
            .any(|n| n.contains("modprobe -r also unloads ice, i40e")
                && n.contains("eno1, eno2, ens1f0, ens1f1 vanish")),
        "{:?}",
        i.notes
    );
}

#[test]
fn the_pf_ring_reload_ice_with_management_on_i40e() {
    let t = rdma_host("eno1");
    let i = impact(&HostRoot::dir(t.root()), &ManagementHints::new(), "ice")
        .unwrap();
    assert_eq!(i.holders, ["irdma"], "irdma holds ice and must go first");
    assert_eq!(i.rmmod.commands, ["rmmod irdma", "rmmod ice"]);
    assert_eq!(i.rmmod.unloads, ["irdma", "ice"]);
    assert_eq!(i.rmmod.interfaces_lost, ["ens1f0", "ens1f1"]);
    assert!(!i.rmmod.management_affected);
    assert_eq!(i.modprobe_r.commands, ["modprobe -r irdma ice"]);
    // i40e goes because irdma was its only user: the management NIC with it
    assert!(i.modprobe_r.unloads.contains(&"i40e".to_owned()));
    assert!(i.modprobe_r.interfaces_lost.contains(&"eno1".to_owned()));
    assert!(i.modprobe_r.management_affected);
    assert_eq!(
        i.safe_sequence,
        ["rmmod irdma", "rmmod ice", "modprobe ice", "modprobe irdma"]
    );
}

#[test]
fn no_safe_sequence_when_the_management_port_is_on_the_module() {
    let t = rdma_host("ens1f1");
    let i = impact(&HostRoot::dir(t.root()), &ManagementHints::new(), "ice")
        .unwrap();
    assert!(i.rmmod.management_affected);
    assert!(i.safe_sequence.is_empty());
    assert!(
        i.notes.iter().any(|n| n.starts_with("no unload keeps ens1f1 up")),
        "{:?}",
        i.notes
    );
}

#[test]
fn a_bridged_e1000e_port_takes_the_bridge_with_the_default_route() {
    let t = Tree::new("pve");
    t.pci_nic("0000:00:1f.6", "e1000e", Some("e1000e"), "eno1", 2)
        .virtual_if("vmbr0", 3)
        .port_of("eno1", "vmbr0")
        .virtual_if("lo", 1)
        .file("proc/modules", "e1000e 356352 0 - Live 0x0000000000000000\nptp 32768 1 e1000e, Live 0x0\npps_core 24576 1 ptp, Live 0x0\n")
        .module("e1000e", 0, &[])
        .module("ptp", 1, &["e1000e"])
        .module("pps_core", 1, &["ptp"])
        .default_route("vmbr0");
    // the links resolve as on a real system
    let devs = host::net_devices(t.root());
    let eno1 = devs.iter().find(|d| d.ifname == "eno1").unwrap();
    assert_eq!(eno1.master.as_deref(), Some("vmbr0"));
    assert_eq!(eno1.uppers, ["vmbr0"]);
    assert_eq!(eno1.driver(), Some("e1000e"));
    assert_eq!(eno1.device.as_deref(), Some("0000:00:1f.6"));
    assert!(t.path("sys/class/net/vmbr0/lower_eno1/ifindex").exists());

    let i = impact(&HostRoot::dir(t.root()), &ManagementHints::new(), "e1000e")
        .unwrap();
    assert_eq!(i.rmmod.interfaces_lost, ["eno1"]);
    assert_eq!(i.rmmod.uppers_affected, ["vmbr0"]);
    assert!(i.rmmod.management_affected, "vmbr0 carries the default route");
    assert_eq!(i.modprobe_r.unloads, ["e1000e", "ptp", "pps_core"]);
    assert!(i.safe_sequence.is_empty());
    assert!(
        i.notes.iter().any(|n| n.contains("no unload keeps vmbr0 up")),
        "{:?}",
        i.notes
    );
}

/// eth1 is a virtio device on a virtio-pci function: two drivers in its
/// device chain, as sysfs shows a virtio-net NIC.
fn virtio_host() -> Tree {
    let t = Tree::new("virtio");
    let pci = "sys/devices/pci0000:00/0000:00:03.0";
    t.pci_nic("0000:00:02.0", "e1000e", Some("e1000e"), "eth0", 2)
        .file(&format!("{pci}/virtio0/net/eth1/ifindex"), "3\n")
        .link(&format!("{pci}/virtio0/net/eth1/device"), "../../../virtio0")
        .link(
            "sys/class/net/eth1",
            "../../devices/pci0000:00/0000:00:03.0/virtio0/net/eth1",
        )
        .link(
            &format!("{pci}/virtio0/driver"),
            "../../../../bus/virtio/drivers/virtio_net",
        )
        .link(
            "sys/bus/virtio/drivers/virtio_net/module",
            "../../../../module/virtio_net",
        )
        .link(&format!("{pci}/driver"), "../../../bus/pci/drivers/virtio-pci")
        .link(
            "sys/bus/pci/drivers/virtio-pci/module",
            "../../../../module/virtio_pci",
        )
        .file(
            "proc/modules",
            "virtio_net 61440 0 - Live 0x0\n\
             net_failover 24576 1 virtio_net, Live 0x0\n\
             failover 16384 1 net_failover, Live 0x0\n\
             virtio_pci 24576 0 - Live 0x0\n\
             virtio_pci_legacy_dev 16384 1 virtio_pci, Live 0x0\n\
             virtio_pci_modern_dev 20480 1 virtio_pci, Live 0x0\n\
             virtio_ring 40960 2 virtio_net,virtio_pci, Live 0x0\n\
             virtio 16384 2 virtio_net,virtio_pci, Live 0x0\n\
             e1000e 286720 0 - Live 0x0\n",
        )
        .module("virtio_net", 0, &[])
        .module("net_failover", 1, &["virtio_net"])
        .module("failover", 1, &["net_failover"])
        .module("virtio_pci", 0, &[])
        .module("virtio_ring", 2, &["virtio_net", "virtio_pci"])
        .module("virtio", 2, &["virtio_net", "virtio_pci"])
        .module("e1000e", 0, &[])
        .default_route("eth0");
    t
}

#[test]
fn the_virtio_chain() {
    let t = virtio_host();
    let devs = host::net_devices(t.root());
    let eth1 = devs.iter().find(|d| d.ifname == "eth1").unwrap();
    let chain: Vec<(&str, &str, Option<&str>)> = eth1
        .drivers
        .iter()
        .map(|b| (b.device.as_str(), b.driver.as_str(), b.module.as_deref()))
        .collect();
    assert_eq!(
        chain,
        [
            ("virtio0", "virtio_net", Some("virtio_net")),
            ("0000:00:03.0", "virtio-pci", Some("virtio_pci"))
        ]
    );

    let f =
        impact(&HostRoot::dir(t.root()), &ManagementHints::new(), "failover")
            .unwrap();
    assert_eq!(f.holders, ["virtio_net", "net_failover"]);
    assert_eq!(
        f.rmmod.commands,
        ["rmmod virtio_net", "rmmod net_failover", "rmmod failover"]
    );
    assert_eq!(f.rmmod.interfaces_lost, ["eth1"]);
    // virtio and virtio_ring stay: virtio_pci still uses them
    assert_eq!(
        f.modprobe_r.unloads,
        ["virtio_net", "net_failover", "failover"]
    );

    let v =
        impact(&HostRoot::dir(t.root()), &ManagementHints::new(), "virtio-net")
            .unwrap();
    assert_eq!(v.module, "virtio_net", "dashes are underscores");
    assert!(v.holders.is_empty());
    assert_eq!(v.rmmod.unloads, ["virtio_net"]);
    assert_eq!(
        v.modprobe_r.unloads,
        ["virtio_net", "net_failover", "failover"]
    );
    assert_eq!(v.safe_sequence, ["rmmod virtio_net", "modprobe virtio_net"]);

    // the PCI transport under it: eth1 goes too
    let p =
        impact(&HostRoot::dir(t.root()), &ManagementHints::new(), "virtio_pci")
            .unwrap();
    assert_eq!(p.rmmod.interfaces_lost, ["eth1"]);
    assert!(p.modprobe_r.unloads.contains(&"virtio_pci_modern_dev".to_owned()));
    assert!(
        !p.modprobe_r.unloads.contains(&"virtio".to_owned()),
        "virtio_net still uses it"
    );

    let e = impact(&HostRoot::dir(t.root()), &ManagementHints::new(), "e1000e")
        .unwrap();
    assert_eq!(e.rmmod.interfaces_lost, ["eth0"]);
    assert!(e.rmmod.management_affected);
    assert!(e.safe_sequence.is_empty());
}

#[test]
fn built_in_drivers_are_reported_as_such() {
    let t = Tree::new("builtin");
    t.pci_nic("0000:00:03.0", "e1000", None, "eth0", 2)
        .dir("sys/module/e1000/parameters")
        .file("proc/modules", "e1000e 286720 0 - Live 0x0\n");
    let i = impact(&HostRoot::dir(t.root()), &ManagementHints::new(), "e1000")
        .unwrap();
    assert!(i.builtin);
    assert!(i.rmmod.unloads.is_empty() && i.modprobe_r.unloads.is_empty());
    assert!(i.safe_sequence.is_empty());
    assert!(i.notes[0].contains("built into the kernel"), "{:?}", i.notes);
    assert!(i.notes[1].contains("drives eth0"), "{:?}", i.notes);

    // A kernel without loadable modules: no /proc/modules at all; the
    // driver has no /sys/module entry either (no parameters).
    let mono = Tree::new("monolithic");
    mono.pci_nic("0000:00:03.0", "virtio-pci", None, "eth0", 2);
    let i = impact(
        &HostRoot::dir(mono.root()),
        &ManagementHints::new(),
        "virtio_pci",
    )
    .unwrap();
    assert!(i.builtin);
    let e =
        impact(&HostRoot::dir(mono.root()), &ManagementHints::new(), "e1000e")
            .unwrap_err();
    // Nothing shows e1000e, but without the module list a built-in driver
    // with no device and no parameters is invisible: no claim either way.
    assert!(matches!(e, Error::ModulesUnreadable { .. }), "{e:?}");
    assert_eq!(e.kind(), crate::ErrorKind::NotFound);
    let msg = e.to_string();
    assert!(
        msg.starts_with(
            "cannot tell what unloading e1000e does: the module list "
        ),
        "{msg}"
    );
    assert!(!msg.contains("not built into"), "{msg}");
}

/// `modprobe -r` of the head of a chain of 20,000 modules, each the only
/// user of the next: every one goes, in chain order. The old simulation
/// was cubic (4,000 took 29 s); the bound here only catches a return to
/// anything like that (about 0.4 s in a debug build, 2 cores shared).
#[test]
fn a_long_chain_is_simulated_in_linear_time() {
    const N: usize = 20_000;
    let mut modules = String::new();
    for i in 0..N {
        let users =
            if i == 0 { "-".to_owned() } else { format!("m{},", i - 1) };
        let refs = usize::from(i != 0);
        modules.push_str(&format!("m{i} 16384 {refs} {users} Live 0x0\n"));
    }
    let t = Tree::new("chain");
    t.file("proc/modules", &modules);
    let start = std::time::Instant::now();
    let i = impact(&HostRoot::dir(t.root()), &ManagementHints::new(), "m0")
        .unwrap();
    let took = start.elapsed();
    assert_eq!(i.rmmod.unloads, ["m0"]);
    assert_eq!(i.modprobe_r.unloads.len(), N);
    assert_eq!(i.modprobe_r.unloads.last().map(String::as_str), Some("m19999"));
    assert!(
        i.modprobe_r
            .unloads
            .iter()
            .enumerate()
            .all(|(k, m)| *m == format!("m{k}")),
        "chain order"
    );
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
}

#[test]
fn unknown_modules_are_a_clear_error() {
    let t = rdma_host("eno1");
    for name in ["nosuch", "", "../ice", "ice/../irdma"] {
        let e = impact(&HostRoot::dir(t.root()), &ManagementHints::new(), name)
            .unwrap_err();
        assert!(matches!(e, Error::UnknownModule { .. }), "{name}: {e:?}");
        assert_eq!(e.kind(), crate::ErrorKind::NotFound);
    }
    let msg =
        impact(&HostRoot::dir(t.root()), &ManagementHints::new(), "nosuch")
            .unwrap_err()
            .to_string();
    assert!(
        // `lsmod` is the CLI's advice (render/error.rs)
        msg.contains("unknown module \"nosuch\"") && !msg.contains("lsmod"),
        "{msg}"
    );
}

#[test]
fn a_module_held_by_something_else_blocks_rmmod() {
    let t = Tree::new("inuse");
    t.file(
        "proc/modules",
        // ib_uverbs: one user beyond irdma (an open /dev/infiniband/uverbs0)
        "irdma 393216 0 - Live 0x0\nib_uverbs 167936 2 irdma, Live 0x0\nlocked 16384 - [permanent], Live 0x0\n",
    )
    .module("irdma", 0, &[])
    .module("ib_uverbs", 2, &["irdma"]);
    let i =
        impact(&HostRoot::dir(t.root()), &ManagementHints::new(), "ib_uverbs")
            .unwrap();
    assert_eq!(i.rmmod.unloads, ["irdma", "ib_uverbs"]);
    assert!(i.safe_sequence.is_empty());
    assert!(
        i.notes.iter().any(|n| n.contains("rmmod ib_uverbs will fail")),
        "{:?}",
        i.notes
    );
    // and modprobe -r irdma leaves it loaded
    let i = impact(&HostRoot::dir(t.root()), &ManagementHints::new(), "irdma")
        .unwrap();
    assert_eq!(i.modprobe_r.unloads, ["irdma"]);
    let i = impact(&HostRoot::dir(t.root()), &ManagementHints::new(), "locked")
        .unwrap();
    assert!(
        i.notes.iter().any(|n| n.contains("can never be unloaded")),
        "{:?}",
        i.notes
    );
    assert!(i.safe_sequence.is_empty());
}

#[test]
fn modprobe_d_rules_for_the_modules_are_pointed_out() {
    let t = rdma_host("eno1");
    t.file(
        "etc/modprobe.d/pfring.conf",
        "# PF_RING ZC\nsoftdep ice pre: pf_ring\nremove i40e /sbin/rmmod i40e\noptions ice foo=1\nsoftdep e1000e post: x\n",
    )
    .file("etc/modprobe.d/README", "softdep ice pre: ignored (not a .conf)\n");
    let i = impact(&HostRoot::dir(t.root()), &ManagementHints::new(), "ice")
        .unwrap();
    let rules: Vec<&String> =
        i.notes.iter().filter(|n| n.contains("modprobe.d")).collect();
    assert_eq!(rules.len(), 2, "{:?}", i.notes);
    assert!(
        rules[0].starts_with(
            "/etc/modprobe.d/pfring.conf has \"softdep ice pre: pf_ring\""
        ),
        "{}",
        rules[0]
    );
    assert!(rules[1].contains("\"remove i40e /sbin/rmmod i40e\": modprobe -r follows remove rules"), "{}", rules[1]);
}
