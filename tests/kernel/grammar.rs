//! `set`'s ethtool-compatible grammar and the diagnostics that tell the
//! truth, through the binary as a user meets them: group keywords taking
//! every pair of their group, usage errors before any device is read,
//! `--dry-run`, legacy names the kernel no longer has, the lock note, an
//! output failure after a change, and the exit codes of `doctor` and
//! `impact`.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::harness::{self, tests};
use crate::tree::Tree;
use crate::util::*;

tests! {
    harness::root: [
        group_keywords_take_every_pair_and_features_returns,
        grammar_traps_are_usage_errors_before_any_device_is_read,
        dry_run_plans_and_sends_nothing,
        legacy_names_the_kernel_lacks_are_skipped_with_a_note,
        waiting_for_the_lock_names_the_holder,
        an_output_failure_after_a_change_says_it_was_applied,
    ],
    harness::nothing: [
        doctor_exits_4_on_an_error_finding_only,
        impact_without_proc_modules_cannot_tell,
    ],
}

fn ethtool_channel(iface: &str, key: &str) -> String {
    // "Current hardware settings:" comes second; its value is the last.
    let text = sh(&["ethtool", "-l", iface]);
    text.lines()
        .filter_map(|l| l.strip_prefix(&format!("{key}:")))
        .map(|v| v.trim().to_owned())
        .next_back()
        .unwrap_or_default()
}

fn group_keywords_take_every_pair_and_features_returns() {
    in_netns(|| {
        sh(&[
            "ip",
            "link",
            "add",
            "gka",
            "numtxqueues",
            "4",
            "numrxqueues",
            "4",
            "type",
            "veth",
            "peer",
            "name",
            "gkb",
        ]);
        let o = ethcfg(&[
            "set", "gka", "channels", "rx", "2", "tx", "0x2", "features",
            "gso", "off", "--json",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(ethtool_channel("gka", "RX"), "2");
        assert_eq!(ethtool_channel("gka", "TX"), "2");
        assert!(!ethtool_active("gka")["tx-generic-segmentation"]);
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let keys: Vec<&str> = v[0]["settings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["key"].as_str().unwrap())
            .collect();
        assert_eq!(keys, ["rx", "tx"], "{v:#}");
        let o = ethcfg(&["revert", "gka"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    });
}

/// Exit 2, one line naming the problem, nothing on stdout, nothing changed.
fn usage(iface: &str, args: &[&str], needles: &[&str]) {
    let before = ethtool_state(iface);
    let o = ethcfg(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(stdout(&o).is_empty(), "{args:?}");
    assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: {err:?} lacks {n:?}");
    }
    assert_eq!(ethtool_state(iface), before, "{args:?} changed {iface}");
}

fn grammar_traps_are_usage_errors_before_any_device_is_read() {
    in_netns(|| {
        veth("gta", "gtb");
        // Once TX checksumming off: 3 applied, 5 side effects.
        usage(
            "gta",
            &["set", "gta", "channels", "rx", "1", "tx", "off"],
            &["`channels tx` must be followed by a number or `max`, not `off`", "features tx off"],
        );
        usage(
            "gta",
            &["set", "gta", "tso", "on", "tso", "off"],
            &["`tso` is given twice"],
        );
        usage(
            "gta",
            &["set", "gta", "channels", "rx", "1", "rx", "2"],
            &["`channels rx` is given twice"],
        );
        usage(
            "gta",
            &["set", "gta", "coalesce", "rx-usecs", "1", "rx-usec", "2"],
            &["rx-usec is not one of"],
        );
        usage(
            "gta",
            &["set", "gta", "channels", "rx", "-1"],
            &["without a sign"],
        );
        usage(
            "gta",
            &["set", "gta", "ring", "rx", "256", "tso", "off"],
            &["tso is not one of rx, tx"],
        );
        // Before any device is read: the interface need not exist.
        usage(
            "gta",
            &["set", "nosuch0", "tso", "on", "tso", "off"],
            &["given twice"],
        );
    });
}

fn dry_run_plans_and_sends_nothing() {
    in_netns(|| {
        veth("dra", "drb");
        let before = ethtool_state("dra");
        let o = ethcfg(&["set", "dra", "gso", "off", "--dry-run", "--json"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let changes = v[0]["changes"].as_array().unwrap();
        assert!(!changes.is_empty(), "{v:#}");
        assert!(changes.iter().all(|c| c["status"] == "planned"), "{v:#}");
        assert_eq!(ethtool_state("dra"), before);
        // Nothing recorded either: there is nothing to revert.
        let o = ethcfg(&["revert", "dra"]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    });
}

fn legacy_names_the_kernel_lacks_are_skipped_with_a_note() {
    if kernel_names().iter().any(|n| n == "tx-udp-fragmentation") {
        return; // a kernel before 4.16: ufo still names a feature
    }
    in_netns(|| {
        veth("uoa", "uob");
        let o = ethcfg(&["set", "uoa", "ufo", "off", "gso", "off"]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(0), "{err}");
        assert!(err.contains("ethcfg: note: uoa: `ufo` names no feature on this kernel; skipped"), "{err}");
        assert!(!ethtool_active("uoa")["tx-generic-segmentation"]);
        // A typo stays an error, with suggestions.
        let o = ethcfg(&["set", "uoa", "ufoo", "off"]);
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains("did you mean"), "{}", stderr(&o));
    });
}

fn waiting_for_the_lock_names_the_holder() {
    in_netns(|| {
        veth("wla", "wlb");
        // A state directory of its own: the other tests are not held up.
        let state = scratch("lock-held");
        std::fs::create_dir_all(&state).unwrap();
        let lock = state.join("lock");
        std::fs::write(&lock, "").unwrap();
        let mut holder = std::process::Command::new("flock")
            .arg(&lock)
            .args(["sleep", "2"])
            .spawn()
            .unwrap();
        // What an ethcfg run holding the lock writes into it.
        std::fs::write(&lock, format!("{}\n", holder.id())).unwrap();
        std::thread::sleep(Duration::from_millis(200));
        let start = Instant::now();
        let o = ethcfg_cmd()
            .env("ETHCFG_STATE_DIR", &state)
            .args(["set", "wla", "gso", "off"])
            .output()
            .unwrap();
        let waited = start.elapsed();
        holder.wait().unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(0), "{err}");
        assert!(
            err.contains(&format!(
                "ethcfg: note: waiting for the state lock held by pid {}",
                holder.id()
            )),
            "{err}"
        );
        assert!(waited >= Duration::from_millis(1500), "{waited:?}");
        assert!(!ethtool_active("wla")["tx-generic-segmentation"]);
        // Free: no note.
        let o = ethcfg_cmd()
            .env("ETHCFG_STATE_DIR", &state)
            .args(["set", "wla", "gso", "on"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0));
        assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    });
}

fn an_output_failure_after_a_change_says_it_was_applied() {
    in_netns(|| {
        veth("ofa", "ofb");
        let full =
            std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let o = ethcfg_cmd()
            .args(["set", "ofa", "gso", "off"])
            .stdout(full)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with("ethcfg: error: the change was applied and recorded (`ethcfg revert IFACE` undoes it), but its report could not be written: "),
            "{err}"
        );
        assert!(!ethtool_active("ofa")["tx-generic-segmentation"]);
        // Recorded: revert brings it back.
        let o = ethcfg(&["revert", "ofa"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(ethtool_active("ofa")["tx-generic-segmentation"]);
        // Before any change, an output failure is a plain one.
        let full =
            std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let o =
            ethcfg_cmd().args(["show", "ofa"]).stdout(full).output().unwrap();
        assert_eq!(o.status.code(), Some(1));
        assert!(!stderr(&o).contains("applied"), "{}", stderr(&o));
    });
}

/// A host whose kernel log has an e1000e hang (severity error), and one
/// whose log has nothing.
fn doctor_exits_4_on_an_error_finding_only() {
    let t = Tree::new("doctor-exit");
    t.pci_nic("0000:00:1f.6", "e1000e", Some("e1000e"), "eno1", 2)
        .file(
            "hang.log",
            "[  100.000000] e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:\n\
             [  102.000000] e1000e 0000:00:1f.6 eno1: Reset adapter unexpectedly\n",
        )
        .file("quiet.log", "[    0.000000] Linux version 6.1.0\n");
    let root = t.root().to_str().unwrap();
    for (log, code) in [("hang.log", 4), ("quiet.log", 0)] {
        let path = t.path(log);
        for json in [false, true] {
            let mut args = vec![
                "doctor",
                "--root",
                root,
                "--kernel-log",
                path.to_str().unwrap(),
            ];
            if json {
                args.push("--json");
            }
            let o = ethcfg(&args);
            assert_eq!(
                o.status.code(),
                Some(code),
                "{args:?}: {}{}",
                stdout(&o),
                stderr(&o)
            );
            assert!(!stdout(&o).is_empty());
        }
    }
    let o = ethcfg(&["doctor", "--help"]);
    assert!(stdout(&o).contains("4 when at least one is"), "{}", stdout(&o));
}

fn impact_without_proc_modules_cannot_tell() {
    let t = Tree::new("no-proc-modules");
    t.dir("sys/class/net");
    let o = ethcfg(&["impact", "veth", "--root", t.root().to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("cannot tell what unloading veth does"), "{err}");
    assert!(!err.contains("not built into"), "{err}");
}
