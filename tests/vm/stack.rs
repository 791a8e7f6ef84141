//! A bridge over a bond and a VLAN of real NICs (e1000e and e1000) in the
//! guest: `apply` of the e1000e preset on the bridge stops and names the
//! ports with their drivers; `--ports` applies it to the e1000e port only;
//! `doctor` names the bridge the hung port serves. ethtool is the oracle.

use crate::harness::tests;
use crate::rig::{self, boot_with, Nic};
use crate::LIMIT;

tests! {
    rig::available: [
        bridge_over_a_bond_and_a_vlan_of_real_nics,
    ],
}

const MODULES: &[&str] = &[
    "kernel/net/bridge/bridge.ko",
    "kernel/drivers/net/bonding/bonding.ko",
    "kernel/net/8021q/8021q.ko",
];

fn bridge_over_a_bond_and_a_vlan_of_real_nics() {
    let run = boot_with(
        "stack",
        &[Nic::E1000e, Nic::E1000],
        MODULES,
        // bonding.ko makes bond0; eth0 joins it, eth1.5 (802.1Q) and bond0
        // join br0.
        "[ -e /sys/class/net/bond0 ] || echo +bond0 > /sys/class/net/bonding_masters\n\
         ip link set eth0 down\n\
         echo +eth0 > /sys/class/net/bond0/bonding/slaves\n\
         vconfig add eth1 5 >/dev/null\n\
         brctl addbr br0\n\
         brctl addif br0 bond0\n\
         brctl addif br0 eth1.5\n\
         bdf=$(basename $(readlink /sys/class/net/eth0/device))\n\
         printf 'e1000e %s eth0: Detected Hardware Unit Hang:\\n' \"$bdf\" > /tmp/hang.log\n\
         step links ls /sys/class/net\n\
         step before0 ethtool -k eth0\n\
         step before1 ethtool -k eth1\n\
         step beforebr ethtool -k br0\n\
         step stop ethcfg apply e1000e-hang-safe br0\n\
         step ports ethcfg apply e1000e-tso-off --ports br0 --json\n\
         step after0 ethtool -k eth0\n\
         step after1 ethtool -k eth1\n\
         step afterbr ethtool -k br0\n\
         step doctor ethcfg doctor --kernel-log /tmp/hang.log --json\n",
        LIMIT,
    );
    let links = &run.step("links").out;
    for l in ["br0", "bond0", "eth1.5"] {
        assert!(links.contains(l), "{l} not made: {links}");
    }
    let stop = run.step("stop");
    assert_eq!(stop.rc, 1, "{}{}", stop.out, stop.err);
    assert_eq!(stop.err.lines().count(), 1, "one message: {}", stop.err);
    for part in [
        "br0 is a bridge, not a NIC",
        "eth0 (e1000e, via bond0)",
        "eth1 (e1000, via eth1.5)",
        "run: ethcfg apply e1000e-hang-safe eth0",
        "ethcfg apply e1000e-hang-safe --ports br0",
    ] {
        assert!(stop.err.contains(part), "{part}: {}", stop.err);
    }
    assert!(
        run.step("before0").out.contains("tcp-segmentation-offload: on"),
        "{}",
        run.step("before0").out
    );
    let ports = run.step("ports");
    assert_eq!(ports.rc, 0, "{}{}", ports.out, ports.err);
    assert!(
        ports.err.contains(
            "br0 is a bridge: applying e1000e-tso-off to its ports eth0 (e1000e, via bond0); not to eth1 (e1000, via eth1.5)"
        ),
        "{}",
        ports.err
    );
    let v: serde_json::Value = serde_json::from_str(&ports.out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["ifname"], "eth0");
    // ethtool: TSO off on eth0; eth1 and the bridge as they were
    let after0 = &run.step("after0").out;
    assert!(after0.contains("tcp-segmentation-offload: off"), "{after0}");
    assert!(after0.contains("generic-receive-offload: on"), "{after0}");
    assert_eq!(run.step("before1").out, run.step("after1").out);
    assert_eq!(run.step("beforebr").out, run.step("afterbr").out);

    let d: serde_json::Value =
        serde_json::from_str(&run.step("doctor").out).unwrap();
    let f = &d["findings"][0];
    assert_eq!(f["id"], "e1000e-hang");
    let why = f["explanation"].as_str().unwrap();
    assert!(
        why.contains("eth0 serves bridge br0 through bond0")
            && why.contains("\"iface eth0\" stanza, not in br0's"),
        "{why}"
    );
}
