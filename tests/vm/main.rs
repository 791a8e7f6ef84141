//! Real-driver tests: ethcfg against the real e1000e and e1000 drivers of
//! Debian's kernel, in qemu (see rig.rs). Each test is one boot (~7-15 s).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test scaffolding: failing loudly is the point

#[path = "../common/ethtool_oracle.rs"]
mod ethtool_oracle;
#[path = "../common/harness.rs"]
mod harness;
mod rig;
mod settings;
mod stack;

use std::process::ExitCode;
use std::time::Duration;

use ethcfg_core::names::pattern_matches;
use harness::tests;
use rig::{boot, Nic, Run};
use serde_json::Value;

tests! {
    rig::available: [
        show_json_agrees_with_ethtool_on_e1000e_and_e1000,
        set_each_hang_safe_name_off_and_on_on_e1000e,
        profile_apply_again_check_revert_on_e1000e,
        e1000e_profile_on_the_e1000_nic_is_refused_by_the_driver_guard,
        disruption_notice_for_e1000e_on_the_default_route,
        guest_module_data_shows_the_virtio_net_holder_chain,
        impact_against_the_guest_module_data,
        doctor_on_the_guest_with_a_real_e1000e,
        watch_reapplies_after_an_e1000e_driver_reload,
    ],
}

fn main() -> ExitCode {
    harness::run([tests(), settings::tests(), stack::tests()].concat())
}

pub(crate) const LIMIT: Duration = Duration::from_secs(120);
const HANG_SAFE: [&str; 8] =
    ["gso", "gro", "tso", "tx", "rx", "rxvlan", "txvlan", "sg"];

use ethtool_oracle::State;

/// `ethcfg show --json` output of one interface → (active, requested, fixed) by name.
fn ours(json: &str) -> State {
    assert!(!json.trim().is_empty(), "ethcfg printed nothing");
    let v: Value =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    v[0]["features"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, f)| {
            (
                k.clone(),
                (
                    f["active"].as_bool().unwrap(),
                    f["requested"].as_bool().unwrap(),
                    f["fixed"].as_bool().unwrap(),
                ),
            )
        })
        .collect()
}

/// `ethtool --json -k` output → the same (the oracle shared with the
/// real-kernel tests).
fn theirs(json: &str, names: &[String]) -> State {
    ethtool_oracle::ethtool_json_state(json, names)
}

fn members(word: &str, names: &[String]) -> Vec<String> {
    let flag = ethcfg_core::names::legacy(word).unwrap();
    names.iter().filter(|n| pattern_matches(n, flag.pattern)).cloned().collect()
}

fn names_of(run: &Run, step: &str) -> Vec<String> {
    ours(&run.step(step).out).into_keys().collect()
}

fn show_json_agrees_with_ethtool_on_e1000e_and_e1000() {
    let run = boot(
        "show",
        &[Nic::E1000e, Nic::E1000],
        "for i in eth0 eth1; do\n\
           step ours-$i ethcfg show --json $i\n\
           step theirs-$i ethtool --json -k $i\n\
           step driver-$i cat /sys/class/net/$i/device/uevent\n\
         done\n\
         step text ethcfg show eth0\n\
         step text-ethtool ethtool -k eth0\n",
        LIMIT,
    );
    for (i, driver) in [("eth0", "e1000e"), ("eth1", "e1000")] {
        let o = run.step(&format!("ours-{i}"));

        assert_eq!(o.rc, 0, "{}", o.err);
        let v: Value = serde_json::from_str(&o.out).unwrap();
        assert_eq!(
            v[0]["driver"],
            driver,
            "{}",
            run.step(&format!("driver-{i}")).out
        );
        let names = names_of(&run, &format!("ours-{i}"));
        let mine = ours(&o.out);
        let eth = theirs(&run.step(&format!("theirs-{i}")).out, &names);
        assert_eq!(mine, eth, "{i} ({driver}): ethcfg and ethtool disagree");
    }
    assert_eq!(run.step("text").out, run.step("text-ethtool").out);
}

fn set_each_hang_safe_name_off_and_on_on_e1000e() {
    let mut script = String::from("step names ethcfg show --json eth0\nstep before ethtool --json -k eth0\n");
    for w in HANG_SAFE {
        script.push_str(&format!(
            "step set-{w}-off ethcfg set eth0 {w} off --json\nstep after-{w}-off ethtool --json -k eth0\n\
             step set-{w}-on ethcfg set eth0 {w} on --json\nstep after-{w}-on ethtool --json -k eth0\n"
        ));
    }
    script.push_str(
        "step pair-off ethcfg set eth0 rxvlan off txvlan off --json\nstep after-pair-off ethtool --json -k eth0\n\
         step pair-on ethcfg set eth0 rxvlan on txvlan on\n\
         step revert ethcfg revert eth0\n",
    );
    script.push_str("step end ethtool --json -k eth0\n");
    let run = boot("set", &[Nic::E1000e], &script, LIMIT);
    let names = names_of(&run, "names");
    let before = theirs(&run.step("before").out, &names);
    for w in HANG_SAFE {
        let m = members(w, &names);
        let changeable: Vec<&String> =
            m.iter().filter(|n| !before[*n].2).collect();
        assert!(!changeable.is_empty(), "{w} can be changed on e1000e");
        for v in ["off", "on"] {
            let s = run.step(&format!("set-{w}-{v}"));
            if w == "txvlan" && v == "off" {
                // e1000e_fix_features() keeps TX VLAN insertion in the state
                // of RX VLAN stripping: alone, txvlan off is refused, and
                // ethcfg must say so (exit 3), as ethtool sees it stay on.
                assert_eq!(s.rc, 3, "{}{}", s.out, s.err);
                let v: Value = serde_json::from_str(&s.out).unwrap();
                assert_eq!(v[0]["changes"][0]["feature"], "tx-vlan-hw-insert");
                assert_eq!(v[0]["changes"][0]["status"], "refused");
                assert!(
                    theirs(&run.step("after-txvlan-off").out, &names)
                        ["tx-vlan-hw-insert"]
                        .0
                );
                continue;
            }
            if w == "rxvlan" && v == "off" {
                let j: Value = serde_json::from_str(&s.out).unwrap();
                let side =
                    j[0]["changes"].as_array().unwrap().iter().any(|c| {
                        c["feature"] == "tx-vlan-hw-insert"
                            && c["status"] == "side-effect"
                    });
                assert!(
                    side,
                    "rxvlan off takes txvlan with it on e1000e: {}",
                    s.out
                );
            }
            assert_eq!(s.rc, 0, "set {w} {v}: {}{}", s.out, s.err);
            let after =
                theirs(&run.step(&format!("after-{w}-{v}")).out, &names);
            for n in &changeable {
                assert_eq!(
                    after[*n].0,
                    v == "on",
                    "{w} {v}: ethtool sees {n} {:?}\nethcfg said {}",
                    after[*n],
                    s.out
                );
            }
        }
    }
    let pair = run.step("pair-off");
    assert_eq!(pair.rc, 0, "{}{}", pair.out, pair.err);
    let after = theirs(&run.step("after-pair-off").out, &names);
    assert!(!after["rx-vlan-hw-parse"].0 && !after["tx-vlan-hw-insert"].0);
    assert_eq!(run.step("pair-on").rc, 0);
    // `tso on` turned on every tx-tcp*-segmentation member, including
    // tx-tcp-mangleid-segmentation, which e1000e starts with off (ethtool
    // -K does the same); the records of every set bring back the original.
    assert_eq!(run.step("revert").rc, 0, "{}", run.step("revert").err);
    assert_eq!(
        theirs(&run.step("end").out, &names),
        before,
        "revert restores the state before the first set"
    );
}

fn profile_apply_again_check_revert_on_e1000e() {
    let run = boot(
        "profile",
        &[Nic::E1000e],
        "step names ethcfg show --json eth0\n\
         step before ethtool --json -k eth0\n\
         step apply ethcfg apply e1000e-hang-safe eth0 --json\n\
         step after ethtool --json -k eth0\n\
         step again ethcfg apply e1000e-hang-safe eth0 --json\n\
         step check ethcfg check e1000e-hang-safe eth0\n\
         step revert ethcfg revert eth0\n\
         step reverted ethtool --json -k eth0\n",
        LIMIT,
    );
    let names = names_of(&run, "names");
    let before = theirs(&run.step("before").out, &names);
    let apply = run.step("apply");
    assert_eq!(apply.rc, 0, "{}{}", apply.out, apply.err);
    let after = theirs(&run.step("after").out, &names);
    for w in HANG_SAFE {
        for n in members(w, &names) {
            assert!(
                after[&n].2 || !after[&n].0,
                "{w}: {n} still on after apply"
            );
        }
    }
    let again = run.step("again");
    assert_eq!(again.rc, 0);
    let v: Value = serde_json::from_str(&again.out).unwrap();
    assert_eq!(v[0]["changed"], false);
    assert!(v[0]["changes"].as_array().unwrap().is_empty());
    assert_eq!(run.step("check").rc, 0, "{}", run.step("check").out);
    assert_eq!(run.step("revert").rc, 0, "{}", run.step("revert").err);
    assert_eq!(theirs(&run.step("reverted").out, &names), before);
}

fn e1000e_profile_on_the_e1000_nic_is_refused_by_the_driver_guard() {
    let run = boot(
        "guard",
        &[Nic::E1000e, Nic::E1000],
        "step guard-before ethtool --json -k eth1\n\
         step guard ethcfg apply e1000e-hang-safe eth1\n\
         step guard-after ethtool --json -k eth1\n\
         step forced ethcfg apply e1000e-tso-off eth1 --force\n",
        LIMIT,
    );
    let guard = run.step("guard");
    assert_eq!(guard.rc, 1);
    assert!(
        guard.err.contains("is for e1000e interfaces")
            && guard.err.contains("an e1000 interface"),
        "{}",
        guard.err
    );
    assert_eq!(run.step("guard-before").out, run.step("guard-after").out);
    assert_eq!(
        run.step("forced").rc,
        0,
        "--force applies anyway: {}",
        run.step("forced").err
    );
}

fn disruption_notice_for_e1000e_on_the_default_route() {
    // Addresses from TEST-NET-1; the guest's network is restricted, nothing leaves it.
    let run = boot(
        "notice",
        &[Nic::E1000e],
        "ip link set eth0 up\n\
         ip addr add 192.0.2.15/24 dev eth0\n\
         ip route add default via 192.0.2.1 dev eth0\n\
         step route cat /proc/net/route\n\
         step tso ethcfg apply e1000e-tso-off eth0\n\
         step apply ethcfg apply e1000e-hang-safe eth0\n",
        LIMIT,
    );
    let tso = run.step("tso");
    assert_eq!(tso.rc, 0, "{}", tso.err);
    assert!(
        !tso.err.contains("notice"),
        "tso does not reset the link: {}",
        tso.err
    );
    let apply = run.step("apply");
    assert_eq!(apply.rc, 0, "{}{}", apply.out, apply.err);
    assert!(
        apply.err.contains("notice")
            && apply.err.contains("reset the link")
            && apply.err.contains("default route"),
        "route table:\n{}\nstderr: {}",
        run.step("route").out,
        apply.err
    );
}

fn guest_module_data_shows_the_virtio_net_holder_chain() {
    let run = boot(
        "modules",
        &[Nic::E1000e, Nic::VirtioNet],
        "step modules cat /proc/modules\n\
         step failover-holders ls /sys/module/failover/holders\n\
         step net_failover-holders ls /sys/module/net_failover/holders\n\
         step e1000e-holders ls /sys/module/e1000e/holders\n\
         step eth1-driver readlink /sys/class/net/eth1/device/driver\n\
         step ethcfg-eth1 ethcfg show --json eth1\n",
        LIMIT,
    );
    let modules = &run.step("modules").out;
    let used_by = |m: &str| -> String {
        let line = modules
            .lines()
            .find(|l| l.split_whitespace().next() == Some(m))
            .unwrap_or_else(|| panic!("{m} not in /proc/modules:\n{modules}"));
        line.split_whitespace().nth(3).unwrap().to_owned()
    };
    assert_eq!(used_by("failover"), "net_failover,");
    assert_eq!(used_by("net_failover"), "virtio_net,");
    assert_eq!(used_by("e1000e"), "-");
    assert_eq!(run.step("failover-holders").out.trim(), "net_failover");
    assert_eq!(run.step("net_failover-holders").out.trim(), "virtio_net");
    assert_eq!(run.step("e1000e-holders").out.trim(), "");
    // virtio-net's driver is virtio_net, bound through virtio (not PCI)
    let v: Value = serde_json::from_str(&run.step("ethcfg-eth1").out).unwrap();
    assert_eq!(v[0]["driver"], "virtio_net", "{}", run.step("eth1-driver").out);
}

/// Parses `ethcfg ... --json` output of a step.
fn json_of(run: &Run, step: &str) -> Value {
    json_exit_of(run, step, 0)
}

/// [`json_of`] for a step that exits `rc` (`doctor`: 4 when it reports a
/// finding of severity error).
fn json_exit_of(run: &Run, step: &str, rc: i32) -> Value {
    let s = run.step(step);
    assert_eq!(s.rc, rc, "{step}: {}{}", s.out, s.err);
    serde_json::from_str(&s.out)
        .unwrap_or_else(|e| panic!("{step}: {e}: {}", s.out))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x.as_str().unwrap().to_owned())
        .collect()
}

/// The "used by" column of /proc/modules for `m`.
fn used_by(modules: &str, m: &str) -> Vec<String> {
    let line = modules
        .lines()
        .find(|l| l.split_whitespace().next() == Some(m))
        .unwrap_or_else(|| panic!("{m} not in /proc/modules:\n{modules}"));
    line.split_whitespace()
        .nth(3)
        .unwrap()
        .split(',')
        .filter(|u| !u.is_empty() && *u != "-")
        .map(str::to_owned)
        .collect()
}

fn impact_against_the_guest_module_data() {
    // Addresses from TEST-NET-1; the guest's network is restricted.
    let run = boot(
        "impact",
        &[Nic::E1000e, Nic::VirtioNet],
        "ip link set eth0 up\n\
         ip addr add 192.0.2.15/24 dev eth0\n\
         ip route add default via 192.0.2.1 dev eth0\n\
         step modules cat /proc/modules\n\
         step failover ethcfg impact failover --json\n\
         step virtio_net ethcfg impact virtio_net --json\n\
         step e1000e ethcfg impact e1000e --json\n\
         step virtio_pci ethcfg impact virtio_pci --json\n\
         step text ethcfg impact failover\n\
         step unknown ethcfg impact nosuch\n\
         step rmmod-failover rmmod failover\n\
         step sequence sh -c 'rmmod virtio_net && rmmod net_failover && rmmod failover'\n\
         step after-modules cat /proc/modules\n\
         step after-links ls /sys/class/net\n",
        LIMIT,
    );
    let modules = &run.step("modules").out;

    // failover: net_failover holds it, virtio_net holds net_failover
    let f = json_of(&run, "failover");
    assert_eq!(f["module"], "failover");
    assert_eq!(f["builtin"], false);
    assert_eq!(
        strings(&f["holders"]),
        ["virtio_net", "net_failover"],
        "{modules}"
    );
    assert_eq!(
        strings(&f["rmmod"]["commands"]),
        ["rmmod virtio_net", "rmmod net_failover", "rmmod failover"]
    );
    assert_eq!(
        strings(&f["rmmod"]["unloads"]),
        ["virtio_net", "net_failover", "failover"]
    );
    assert_eq!(strings(&f["rmmod"]["interfaces_lost"]), ["eth1"]);
    assert_eq!(f["rmmod"]["management_affected"], false);
    assert_eq!(strings(&f["management_interfaces"]), ["eth0"]);
    assert_eq!(
        strings(&f["safe_sequence"]),
        [
            "rmmod virtio_net",
            "rmmod net_failover",
            "rmmod failover",
            "modprobe failover",
            "modprobe net_failover",
            "modprobe virtio_net"
        ]
    );

    // virtio_net: modprobe -r also takes net_failover and failover; virtio
    // and virtio_ring only if nothing but virtio_net uses them
    let v = json_of(&run, "virtio_net");
    assert!(strings(&v["holders"]).is_empty());
    assert_eq!(strings(&v["rmmod"]["unloads"]), ["virtio_net"]);
    assert_eq!(strings(&v["rmmod"]["interfaces_lost"]), ["eth1"]);
    let unloads = strings(&v["modprobe_r"]["unloads"]);
    assert_eq!(
        unloads[..3],
        ["virtio_net", "net_failover", "failover"],
        "{modules}"
    );
    for dep in ["virtio", "virtio_ring"] {
        let only_virtio_net = used_by(modules, dep) == ["virtio_net"];
        assert_eq!(
            unloads.contains(&dep.to_owned()),
            only_virtio_net,
            "{dep} is used by {:?}: {unloads:?}",
            used_by(modules, dep)
        );
    }
    assert_eq!(strings(&v["modprobe_r"]["interfaces_lost"]), ["eth1"]);

    // e1000e drives eth0, which carries the default route
    let e = json_of(&run, "e1000e");
    assert_eq!(strings(&e["rmmod"]["unloads"]), ["e1000e"]);
    assert!(
        strings(&e["rmmod"]["interfaces_lost"]).contains(&"eth0".to_owned())
    );
    assert_eq!(e["rmmod"]["management_affected"], true);
    assert!(strings(&e["safe_sequence"]).is_empty());
    assert!(
        strings(&e["notes"])
            .iter()
            .any(|n| n.starts_with("no unload keeps eth0 up")),
        "{e:#}"
    );

    // the PCI transport under virtio-net: eth1 goes with it
    let p = json_of(&run, "virtio_pci");
    assert_eq!(strings(&p["rmmod"]["interfaces_lost"]), ["eth1"], "{p:#}");

    let text = &run.step("text").out;
    assert!(
        text.starts_with("failover: held by virtio_net, net_failover"),
        "{text}"
    );
    let unknown = run.step("unknown");
    assert_eq!(unknown.rc, 1);
    assert!(
        unknown.err.contains("unknown module \"nosuch\""),
        "{}",
        unknown.err
    );

    // The real kernel agrees: rmmod failover is refused while it is held;
    // the rmmod sequence unloads exactly what impact said, eth1 vanishes,
    // eth0 stays.
    assert_ne!(
        run.step("rmmod-failover").rc,
        0,
        "rmmod failover must be refused while held"
    );
    let seq = run.step("sequence");
    assert_eq!(seq.rc, 0, "{}", seq.err);
    let after = &run.step("after-modules").out;
    for m in ["virtio_net", "net_failover", "failover"] {
        assert!(
            !after.lines().any(|l| l.starts_with(&format!("{m} "))),
            "{m} still loaded:\n{after}"
        );
    }
    for m in ["virtio", "virtio_ring", "virtio_pci", "e1000e"] {
        assert!(
            after.lines().any(|l| l.starts_with(&format!("{m} "))),
            "{m} gone:\n{after}"
        );
    }
    let links = &run.step("after-links").out;
    assert!(links.contains("eth0") && !links.contains("eth1"), "{links}");
}

fn doctor_on_the_guest_with_a_real_e1000e() {
    let run = boot(
        "doctor",
        &[Nic::E1000e],
        "bdf=$(basename $(readlink /sys/class/net/eth0/device))\n\
         printf 'e1000e %s eth0: Detected Hardware Unit Hang:\\n  TDH                  <3e>\\n  TDT                  <6d>\\n' \"$bdf\" > /tmp/hang.log\n\
         step bdf echo $bdf\n\
         step before ethcfg doctor --kernel-log /tmp/hang.log --json\n\
         step apply ethcfg apply e1000e-hang-safe eth0\n\
         step after ethcfg doctor --kernel-log /tmp/hang.log --json\n\
         step kmsg ethcfg doctor --json\n\
         step kmsg-text ethcfg doctor\n",
        LIMIT,
    );
    let bdf = run.step("bdf").out.trim().to_owned();
    let before = json_exit_of(&run, "before", 4);
    let f = &before["findings"][0];
    assert_eq!(f["id"], "e1000e-hang");
    assert_eq!(f["interface"], "eth0");
    assert_eq!(f["device"], bdf.as_str());
    assert_eq!(f["evidence"].as_array().unwrap().len(), 3);
    let why = f["explanation"].as_str().unwrap();
    assert!(why.contains("eth0 does not match e1000e-hang-safe now"), "{why}");
    assert_eq!(f["remedy"][0], "ethcfg apply e1000e-hang-safe eth0");

    assert_eq!(run.step("apply").rc, 0, "{}", run.step("apply").err);
    // Still the same finding (the log has the hang), now with the profile
    // in place: still of severity error.
    let after = json_exit_of(&run, "after", 4);
    let f = &after["findings"][0];
    let why = f["explanation"].as_str().unwrap();
    assert!(why.contains("eth0's current settings already match e1000e-hang-safe (checked now)"), "{why}");
    assert!(why.contains("ethcfg applied e1000e-hang-safe to eth0"), "{why}");
    assert!(
        !strings(&f["remedy"]).iter().any(|r| r.starts_with("ethcfg apply")),
        "{f:#}"
    );

    // The guest's own /dev/kmsg (read without waiting) and devlink: no hang there.
    let k = json_of(&run, "kmsg");
    assert_eq!(k["findings"].as_array().unwrap().len(), 0, "{k:#}");
    assert!(run
        .step("kmsg-text")
        .out
        .starts_with("No known NIC problem in the kernel log ("));
    assert!(run.step("kmsg-text").out.contains("from /dev/kmsg"));
}

/// The third field report's driver reload, on the real e1000e: the udev
/// rule's command line and the boot oneshot's apply the binding on their
/// own; with `ethcfg watch` running, `rmmod e1000e` and loading it again
/// bring eth0 back with the profile applied.
fn watch_reapplies_after_an_e1000e_driver_reload() {
    let run = boot(
        "watch",
        &[Nic::E1000e],
        "mkdir -p /etc/ethcfg\n\
         printf '[[bind]]\\nmatch = { driver = \"e1000e\" }\\nprofile = \"e1000e-hang-safe\"\\n' > /etc/ethcfg/ethcfg.toml\n\
         chmod 755 /etc/ethcfg; chmod 644 /etc/ethcfg/ethcfg.toml\n\
         step names ethcfg show --json eth0\n\
         step before ethtool --json -k eth0\n\
         step udev ethcfg apply --config --source config eth0\n\
         step after-udev ethtool --json -k eth0\n\
         step revert1 ethcfg revert eth0\n\
         step oneshot ethcfg apply --config\n\
         step after-oneshot ethtool --json -k eth0\n\
         step revert2 ethcfg revert eth0\n\
         ethcfg watch 2>/tmp/watch.log &\n\
         wp=$!\n\
         sleep 2\n\
         step after-start ethtool --json -k eth0\n\
         ko=$(find /lib/modules -name 'e1000e.ko*' | head -n 1)\n\
         step rmmod rmmod e1000e\n\
         sleep 1\n\
         step insmod insmod $ko\n\
         i=0; while [ $i -lt 50 ] && ! [ -e /sys/class/net/eth0 ]; do sleep 0.2; i=$((i+1)); done\n\
         sleep 2\n\
         step after-reload ethtool --json -k eth0\n\
         kill -TERM $wp; wait $wp; echo \"@@WATCH-RC $?\"\n\
         step log cat /tmp/watch.log\n",
        LIMIT,
    );
    let names = names_of(&run, "names");
    let before = theirs(&run.step("before").out, &names);
    assert_eq!(run.step("udev").rc, 0, "{}", run.step("udev").err);
    let all_off = |step: &str| {
        let now = theirs(&run.step(step).out, &names);
        for w in HANG_SAFE {
            for n in members(w, &names) {
                assert!(
                    now[&n].2 || !now[&n].0,
                    "{step}: {w}: {n} still on; log: {}",
                    run.step("log").out
                );
            }
        }
    };
    all_off("after-udev");
    assert_eq!(run.step("oneshot").rc, 0, "{}", run.step("oneshot").err);
    all_off("after-oneshot");
    assert_eq!(run.step("revert2").rc, 0, "{}", run.step("revert2").err);
    all_off("after-start");
    assert_eq!(run.step("rmmod").rc, 0, "{}", run.step("rmmod").err);
    assert_eq!(run.step("insmod").rc, 0, "{}", run.step("insmod").err);
    // The reloaded driver came back with every offload on...
    assert!(before.values().any(|f| f.0), "{before:?}");
    // ...and watch put the profile back.
    all_off("after-reload");
    let log = &run.step("log").out;
    assert!(log.contains("eth0") && log.contains("appeared"), "{log}");
    assert!(run.console.contains("@@WATCH-RC 0"), "watch exits 0 on SIGTERM");
}
