//! Profiles against the real kernel: apply, dry run, idempotence, check,
//! revert, rollback, strict, the driver guard, user profiles, locking and
//! the ifupdown hooks — with ethtool as the oracle.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use ethcfg_core::{blocking::Client, state::StateDir, Error, IfaceRef};
use serde_json::Value;

use crate::harness::{self, tests};
use crate::util::*;

tests! {
    harness::nothing: [
        profiles_list_and_show,
        user_profiles_are_trusted_only_when_only_root_can_write_them,
        the_hook_turns_debian_options_into_ethcfg_words,
    ],
    harness::root: [
        driver_guard_then_apply_with_force_then_again_then_check_then_revert,
        dry_run_sends_nothing_and_reports_planned,
        revert_restores_exactly_after_sg_side_effects,
        unknown_interface_is_caught_before_anything_is_sent,
        failure_mid_apply_rolls_back_what_was_done,
        interfaces_changed_after_a_failed_one_in_the_same_datagram_are_rolled_back,
        fixed_features_are_refused_without_being_sent_and_strict_rolls_back,
        concurrent_runs_are_serialised_by_the_state_lock,
        ifupdown_hooks_apply_on_ifup_and_revert_on_ifdown,
        debian_ethtool_hook_options_work_through_the_ethcfg_hook,
    ],
}

fn json(o: &std::process::Output) -> Value {
    serde_json::from_str(&stdout(o))
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(o), stderr(o)))
}

/// A state directory of its own, so tests do not see each other's records.
fn own_state(tag: &str) -> PathBuf {
    let d = scratch(&format!("state-{tag}"));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn run(state: &Path, args: &[&str]) -> std::process::Output {
    ethcfg_cmd().env("ETHCFG_STATE_DIR", state).args(args).output().unwrap()
}

fn changeable_members_off(iface: &str, words: &[&str]) {
    let st = ethtool_state(iface);
    for w in words {
        for m in members(w) {
            let (active, _, fixed) = st[&m];
            assert!(fixed || !active, "{iface}: {w} covers {m}, still on");
        }
    }
}

fn profiles_list_and_show() {
    let o = ethcfg(&["profiles", "list", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let names: Vec<String> = json(&o)
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "e1000e-hang-safe",
            "e1000e-tso-off",
            "capture",
            "router-lro-off",
            "e1000e-hang-safe-eee",
            "igc-eee-off",
            "r8169-vlan-tx-csum-off",
            "bnxt-forwarding",
            "vmxnet3-udp-tunnel-off"
        ]
    );
    let o = ethcfg(&["profiles", "show", "e1000e-hang-safe", "--json"]);
    let p = json(&o);
    assert_eq!(p["drivers"], serde_json::json!(["e1000e"]));
    assert_eq!(
        p["features"].as_object().unwrap().keys().collect::<Vec<_>>(),
        HANG_SAFE.iter().collect::<Vec<_>>()
    );
    assert!(p["references"][0].as_str().unwrap().starts_with("https://"));
    let text = stdout(&ethcfg(&["profiles"]));
    assert!(text.contains("e1000e-tso-off") && text.contains("router-lro-off"));
    let o = ethcfg(&["profiles", "show", "nope"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("unknown profile \"nope\""));
}

fn driver_guard_then_apply_with_force_then_again_then_check_then_revert() {
    in_netns(|| {
        let state = own_state("guard");
        veth("pga", "pgb");
        let before = ethtool_state("pga");

        let o = run(&state, &["apply", "e1000e-hang-safe", "pga"]);
        assert_eq!(o.status.code(), Some(1));
        assert!(
            stderr(&o).contains("is for e1000e interfaces")
                && stderr(&o).contains("virtual veth"),
            "{}",
            stderr(&o)
        );
        assert!(stderr(&o).contains("--force"));
        assert_eq!(ethtool_state("pga"), before);

        let o = run(
            &state,
            &["apply", "e1000e-hang-safe", "pga", "--force", "--json"],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let v = json(&o);
        assert_eq!(v[0]["ifname"], "pga");
        assert_eq!(v[0]["changed"], true);
        for c in v[0]["changes"].as_array().unwrap() {
            assert!(
                ["applied", "side-effect"]
                    .contains(&c["status"].as_str().unwrap()),
                "{c}"
            );
            assert!(
                c["feature"].is_string()
                    && c["from"].is_boolean()
                    && c["to"].is_boolean()
            );
        }
        changeable_members_off("pga", &HANG_SAFE);

        // again: nothing to do, nothing sent, exit 0
        let o = run(
            &state,
            &["apply", "e1000e-hang-safe", "pga", "--force", "--json"],
        );
        assert_eq!(o.status.code(), Some(0));
        let v = json(&o);
        assert_eq!(v[0]["changed"], false);
        assert!(v[0]["changes"].as_array().unwrap().is_empty());

        let o = run(&state, &["check", "e1000e-hang-safe", "pga"]);
        assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));

        sh(&["ethtool", "-K", "pga", "gso", "on", "sg", "on"]);
        let o = run(&state, &["check", "e1000e-hang-safe", "pga", "--json"]);
        assert_eq!(o.status.code(), Some(4));
        let drift: Vec<(String, String)> = json(&o)[0]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["feature"].as_str().unwrap().to_owned(),
                    c["status"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert!(
            drift.contains(&("tx-generic-segmentation".into(), "drift".into())),
            "{drift:?}"
        );
        assert!(
            drift.contains(&("tx-scatter-gather".into(), "drift".into())),
            "{drift:?}"
        );

        // revert restores the state before the first apply, side effects included
        let o = run(&state, &["revert", "pga"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(ethtool_state("pga"), before);
        let o = run(&state, &["revert", "pga"]);
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains("nothing to revert"), "{}", stderr(&o));
    });
}

fn dry_run_sends_nothing_and_reports_planned() {
    in_netns(|| {
        let state = own_state("dry");
        veth("dra", "drb");
        let before = ethtool_state("dra");
        let o =
            run(&state, &["apply", "capture", "dra", "--dry-run", "--json"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let v = json(&o);
        let changes = v[0]["changes"].as_array().unwrap();
        assert!(!changes.is_empty());
        assert!(
            changes.iter().all(|c| c["status"] == "planned"),
            "{changes:?}"
        );
        assert_eq!(v[0]["changed"], false);
        assert_eq!(ethtool_state("dra"), before);
        assert_eq!(StateDir::new(&state).load("dra").unwrap(), None);
    });
}

fn revert_restores_exactly_after_sg_side_effects() {
    in_netns(|| {
        let state = own_state("side");
        veth("rsa", "rsb");
        // a state with requested != active before ethcfg touches it
        sh(&["ethtool", "-K", "rsa", "gso", "off", "gro", "on"]);
        let before = ethtool_state("rsa");
        let o = run(&state, &["set", "rsa", "sg", "off", "tx", "off"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_ne!(ethtool_state("rsa"), before);
        let o = run(&state, &["apply", "capture", "rsa"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let o = run(&state, &["revert", "rsa", "--json"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(ethtool_state("rsa"), before);
    });
}

fn unknown_interface_is_caught_before_anything_is_sent() {
    in_netns(|| {
        let state = own_state("unknown");
        veth("uka", "ukb");
        let before = ethtool_state("uka");
        let o = run(&state, &["apply", "capture", "uka", "nosuch9"]);
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains("no such interface: nosuch9"));
        assert_eq!(ethtool_state("uka"), before);
        assert_eq!(StateDir::new(&state).load("uka").unwrap(), None);
    });
}

fn failure_mid_apply_rolls_back_what_was_done() {
    in_netns(|| {
        let state = StateDir::new(own_state("rollback"));
        veth("rba", "rbb");
        veth("rbc", "rbd");
        let before = ethtool_state("rba");
        let profiles = ethcfg_core::profile::Profiles::builtin().unwrap();
        let profile = profiles.get("capture").unwrap();
        let mut c = Client::new().unwrap();
        let _lock = state.lock().unwrap();
        let ifaces = [
            IfaceRef::by_name("rba").unwrap(),
            IfaceRef::by_name("rbc").unwrap(),
        ];
        let (plan, _) = c.plan_profile(profile, &ifaces, false).unwrap();
        // The second interface vanishes between planning and sending.
        sh(&["ip", "link", "del", "rbc"]);
        match c.apply_change(&plan, &state, false) {
            Err(Error::ApplyFailed {
                iface,
                rolled_back,
                rollback_failed,
                source,
            }) => {
                assert_eq!(iface, "rbc");
                assert_eq!(rolled_back, ["rba"]);
                assert!(rollback_failed.is_empty());
                assert_eq!(source.kind(), ethcfg_core::ErrorKind::NotFound);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(ethtool_state("rba"), before);
        assert_eq!(state.load("rba").unwrap(), None);
        assert_eq!(state.load("rbc").unwrap(), None);
    });
}

fn interfaces_changed_after_a_failed_one_in_the_same_datagram_are_rolled_back()
{
    // The sets go out pipelined: the kernel goes on past the one that
    // fails, so the interfaces after it changed too and must come back.
    in_netns(|| {
        let state = StateDir::new(own_state("rollback-pipelined"));
        let names = ["rpa", "rpc", "rpe", "rpg"];
        for (a, b) in names.iter().zip(["rpb", "rpd", "rpf", "rph"]) {
            veth(a, b);
        }
        let before: Vec<_> = names.iter().map(|n| ethtool_state(n)).collect();
        let profiles = ethcfg_core::profile::Profiles::builtin().unwrap();
        let profile = profiles.get("e1000e-hang-safe").unwrap();
        let mut c = Client::new().unwrap();
        let _lock = state.lock().unwrap();
        let ifaces: Vec<IfaceRef> =
            names.iter().map(|n| IfaceRef::by_name(*n).unwrap()).collect();
        let (plan, _) = c.plan_profile(profile, &ifaces, true).unwrap();
        sh(&["ip", "link", "del", "rpc"]);
        match c.apply_change(&plan, &state, false) {
            Err(Error::ApplyFailed {
                iface,
                mut rolled_back,
                rollback_failed,
                ..
            }) => {
                assert_eq!(iface, "rpc");
                rolled_back.sort();
                assert_eq!(rolled_back, ["rpa", "rpe", "rpg"]);
                assert!(rollback_failed.is_empty());
            }
            other => panic!("{other:?}"),
        }
        for (n, b) in names.iter().zip(&before).filter(|(n, _)| **n != "rpc") {
            assert_eq!(&ethtool_state(n), b, "{n} as before");
            assert_eq!(state.load(n).unwrap(), None);
        }
    });
}

/// A profile directory with one user profile (root-owned, 0644, in a 0755 dir).
fn profile_dir(tag: &str, files: &[(&str, &str)]) -> PathBuf {
    let d = scratch(&format!("profiles-{tag}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755))
        .unwrap();
    for (name, text) in files {
        let p = d.join(name);
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644))
            .unwrap();
    }
    d
}

const WANTS_LRO: &str = "name = \"wants-lro\"\nsummary = \"test\"\n[features]\ngso = \"off\"\nlro = \"on\"\n";

fn fixed_features_are_refused_without_being_sent_and_strict_rolls_back() {
    in_netns(|| {
        let state = own_state("strict");
        let dir = profile_dir("strict", &[("wants-lro.toml", WANTS_LRO)]);
        veth("sta", "stb");
        let before = ethtool_state("sta");
        let go = |args: &[&str]| {
            ethcfg_cmd()
                .env("ETHCFG_STATE_DIR", &state)
                .env("ETHCFG_PROFILE_DIR", &dir)
                .args(args)
                .output()
                .unwrap()
        };

        let o = go(&["apply", "wants-lro", "sta", "--strict", "--json"]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("--strict") && stderr(&o).contains("rx-lro"),
            "{}",
            stderr(&o)
        );
        assert_eq!(ethtool_state("sta"), before, "strict: nothing changed");
        // nothing was sent, and the text says so: not a dry run, and
        // nothing "rolled back"
        let o = go(&["apply", "wants-lro", "sta", "--strict"]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let (out, err) = (String::from_utf8_lossy(&o.stdout), stderr(&o));
        assert!(
            !out.contains("dry run") && !err.contains("rolled back"),
            "{out}{err}"
        );
        assert!(
            err.contains("ethcfg: error: sta: the kernel or driver refused rx-lro; --strict: nothing was sent"),
            "{err}"
        );
        assert!(out.contains("planned (--strict: nothing sent)"), "{out}");
        assert_eq!(ethtool_state("sta"), before, "strict: nothing changed");

        let o = go(&["apply", "wants-lro", "sta", "--json"]);
        assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
        let v = json(&o);
        let st = |f: &str| {
            v[0]["changes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["feature"] == f)
                .map(|c| c["status"].as_str().unwrap().to_owned())
        };
        assert_eq!(st("rx-lro").as_deref(), Some("refused"));
        assert_eq!(st("tx-generic-segmentation").as_deref(), Some("applied"));
        assert!(!ethtool_active("sta")["tx-generic-segmentation"]);
    });
}

fn user_profiles_are_trusted_only_when_only_root_can_write_them() {
    let ok = profile_dir("trust-ok", &[("wants-lro.toml", WANTS_LRO)]);
    let list = |dir: &Path| {
        ethcfg_cmd()
            .env("ETHCFG_PROFILE_DIR", dir)
            .args(["profiles", "list"])
            .output()
            .unwrap()
    };
    let o = list(&ok);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("wants-lro"));

    let ww = profile_dir("trust-ww", &[("wants-lro.toml", WANTS_LRO)]);
    std::fs::set_permissions(
        ww.join("wants-lro.toml"),
        std::fs::Permissions::from_mode(0o666),
    )
    .unwrap();
    let o = list(&ww);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("world-writable")
            && stderr(&o).contains("chmod go-w"),
        "{}",
        stderr(&o)
    );

    let bad = profile_dir(
        "trust-bad",
        &[(
            "x.toml",
            "name = \"x\"\nsummary = \"s\"\n[features]\ngso = \"maybe\"\n",
        )],
    );
    let o = list(&bad);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("x.toml:4:"), "{}", stderr(&o));

    let shadow = profile_dir(
        "trust-shadow",
        &[(
            "c.toml",
            "name = \"capture\"\nsummary = \"s\"\n[features]\ngso = \"off\"\n",
        )],
    );
    let o = list(&shadow);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("replaces = true"), "{}", stderr(&o));
}

fn concurrent_runs_are_serialised_by_the_state_lock() {
    in_netns(|| {
        let dir = own_state("lock");
        veth("lka", "lkb");
        let state = StateDir::new(&dir);
        let lock = state.lock().unwrap();
        let mut child = ethcfg_cmd()
            .env("ETHCFG_STATE_DIR", &dir)
            .args(["apply", "capture", "lka"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(400));
        assert!(
            child.try_wait().unwrap().is_none(),
            "apply ran while another run held the lock"
        );
        assert!(
            ethtool_active("lka")["tx-generic-segmentation"],
            "nothing changed while waiting"
        );
        drop(lock);
        assert!(child.wait().unwrap().success());
        assert!(!ethtool_active("lka")["tx-generic-segmentation"]);
    });
}

fn ifupdown_hooks_apply_on_ifup_and_revert_on_ifdown() {
    in_netns(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let work = scratch("ifupdown");
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(work.join("run")).unwrap();
        let bin = Path::new(env!("CARGO_BIN_EXE_ethcfg")).parent().unwrap();
        let up = root.join("contrib/ifupdown/if-up.d/ethcfg");
        let down = root.join("contrib/ifupdown/if-down.d/ethcfg");
        let env = format!(
            "ETHCFG={}/ethcfg ETHCFG_STATE_DIR={}",
            bin.display(),
            work.join("state").display()
        );
        // A feature list with shell metacharacters must not run anything.
        let interfaces = format!(
            "iface ifa inet manual\n    ethcfg-profile capture\n    ethcfg-features rx-gro-hw off tx-checksum-sctp off\n    \
             post-up {env} {}\n    pre-down {env} {}\n\n\
             iface ifb inet manual\n    ethcfg-features gso off ;touch {}/pwned\n    post-up {env} {}\n",
            up.display(),
            down.display(),
            work.display(),
            up.display()
        );
        std::fs::write(work.join("interfaces"), interfaces).unwrap();
        veth("ifa", "ifb");
        let before = ethtool_state("ifa");
        let ifupdown = |cmd: &str, iface: &str| {
            std::process::Command::new(cmd)
                .args([
                    "--no-scripts",
                    "-i",
                    work.join("interfaces").to_str().unwrap(),
                    "--state-dir",
                    work.join("run").to_str().unwrap(),
                    iface,
                ])
                .output()
                .unwrap()
        };
        let o = ifupdown("ifup", "ifa");
        assert!(o.status.success(), "ifup: {}{}", stdout(&o), stderr(&o));
        changeable_members_off(
            "ifa",
            &["gro", "lro", "gso", "tso", "sg", "rxvlan"],
        );
        assert!(!ethtool_active("ifa")["tx-checksum-sctp"]);
        let o = ifupdown("ifdown", "ifa");
        assert!(o.status.success(), "ifdown: {}{}", stdout(&o), stderr(&o));
        assert_eq!(ethtool_state("ifa"), before);

        // The hostile option is rejected by ethcfg as words, never run.
        let o = ifupdown("ifup", "ifb");
        assert!(!work.join("pwned").exists());
        assert!(stderr(&o).contains("ethcfg: error"), "{}", stderr(&o));
    });
}

fn debian_ethtool_hook_options_work_through_the_ethcfg_hook() {
    in_netns(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let work = scratch("ifupdown-debian");
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(work.join("run")).unwrap();
        let bin = Path::new(env!("CARGO_BIN_EXE_ethcfg")).parent().unwrap();
        let env = format!(
            "ETHCFG={}/ethcfg ETHCFG_STATE_DIR={}",
            bin.display(),
            work.join("state").display()
        );
        // Options as people already have them for Debian's ethtool hook,
        // including a kernel name with an underscore that ifupdown mangles,
        // and a ring size veth does not support (reported, not fatal).
        let interfaces = format!(
            "iface dba inet manual\n    offload-gso off\n    offload-tx-udp_tnl-segmentation off\n    \
             hardware-dma-ring-rx 512\n    post-up {env} {}\n    pre-down {env} {}\n",
            root.join("contrib/ifupdown/if-up.d/ethcfg").display(),
            root.join("contrib/ifupdown/if-down.d/ethcfg").display(),
        );
        std::fs::write(work.join("interfaces"), interfaces).unwrap();
        veth("dba", "dbb");
        let before = ethtool_state("dba");
        assert!(
            before["tx-udp_tnl-segmentation"].0
                && before["tx-generic-segmentation"].0
        );
        let run = |cmd: &str| {
            std::process::Command::new(cmd)
                // --no-scripts: only the stanza's lines, not the hooks this
                // machine has in /etc/network/if-*.d (Debian's ethtool hook
                // would act on the same options, and fail on the mangled name).
                .args([
                    "--no-scripts",
                    "-i",
                    work.join("interfaces").to_str().unwrap(),
                    "--state-dir",
                    work.join("run").to_str().unwrap(),
                    "dba",
                ])
                .output()
                .unwrap()
        };
        let o = run("ifup");
        assert!(o.status.success(), "ifup: {}{}", stdout(&o), stderr(&o));
        let now = ethtool_active("dba");
        assert!(
            !now["tx-generic-segmentation"] && !now["tx-udp_tnl-segmentation"],
            "{}",
            stderr(&o)
        );
        // One run for the stanza: the ring the driver lacks is skipped
        // and said, the rest applied (as Debian's hook goes on past a
        // family that fails).
        assert!(
            stderr(&o).contains("dba: the driver has no rings settings"),
            "the ring size is reported: {}",
            stderr(&o)
        );
        let o = run("ifdown");
        assert!(o.status.success(), "ifdown: {}{}", stdout(&o), stderr(&o));
        assert_eq!(ethtool_state("dba"), before);
    });
}

fn the_hook_turns_debian_options_into_ethcfg_words() {
    // ETHCFG=echo: the words the hook would give ethcfg — one run for the
    // whole stanza, so one reconcile sees everything it wants (as a hook:
    // `--source hook` goes into the records).
    let hook = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("contrib/ifupdown/if-up.d/ethcfg");
    let o = std::process::Command::new("sh")
        .arg(&hook)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("ETHCFG", "echo")
        .env("IFACE", "eno1")
        .env("IF_OFFLOAD_TSO", "off")
        .env("IF_OFFLOAD_TX_UDP_TNL_SEGMENTATION", "off")
        .env("IF_HARDWARE_DMA_RING_RX", "1024")
        .env("IF_HARDWARE_IRQ_COALESCE_RX_USECS", "50")
        .env("IF_HARDWARE_IRQ_COALESCE_ADAPTIVE_RX", "off")
        .env("IF_ETHERNET_PAUSE_AUTONEG", "off")
        .env("IF_ETHERNET_PAUSE_RX", "off")
        .env("IF_ETHCFG_FEATURES", "gro off; rm -rf /")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<String> = stdout(&o).lines().map(str::to_owned).collect();
    assert_eq!(
        lines,
        [
            "set --source hook eno1 tso off tx-udp-tnl-segmentation off gro off; rm -rf / \
             ring rx 1024 coalesce adaptive-rx off coalesce rx-usecs 50 \
             pause autoneg off pause rx off",
        ]
    );
}
