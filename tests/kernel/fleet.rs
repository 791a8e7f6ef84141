//! Fleet: `ethcfg metrics` read by the Prometheus project's own parser
//! (`prometheus_client`, and `promtool` where installed), and the Ansible
//! module run by real ansible-core. Both need the Python venv scripts/test
//! creates under target/ (`target/pyvenv`, with prometheus_client and
//! ansible-core from PyPI); without it the tests are skipped with the
//! reason (a failure under ETHCFG_TESTS_REQUIRE_ALL=1).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::harness::{self, tests};
use crate::util::*;

tests! {
    venv: [
        metrics_from_a_kernel_log_parse_with_prometheus_client,
    ],
    root_and_venv: [
        metrics_report_drift_features_and_findings_and_parse,
        metrics_per_binding_of_the_config_file,
        ansible_module_applies_is_idempotent_checks_and_restores_exactly,
    ],
}

/// The venv scripts/test makes (`ETHCFG_PYVENV` elsewhere).
fn pyvenv() -> PathBuf {
    std::env::var_os("ETHCFG_PYVENV").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pyvenv"),
        PathBuf::from,
    )
}

fn venv() -> Option<String> {
    let py = pyvenv().join("bin/python");
    let ok = Command::new(&py)
        .args(["-c", "import prometheus_client, ansible"])
        .output()
        .is_ok_and(|o| o.status.success());
    (!ok).then(|| {
        format!(
            "needs {} with prometheus_client and ansible-core (scripts/test makes it)",
            py.display()
        )
    })
}

fn root_and_venv() -> Option<String> {
    harness::root().or_else(venv)
}

/// Samples as (name, labels, value), by the prometheus_client parser.
fn parse(text: &str) -> Vec<(String, Value, f64)> {
    let script = r#"
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for f in text_string_to_metric_families(sys.stdin.read()):
    assert f.type == "gauge", (f.name, f.type)
    assert f.documentation, f.name
    for s in f.samples:
        out.append([s.name, s.labels, s.value])
print(json.dumps(out))
"#;
    let mut child = Command::new(pyvenv().join("bin/python"))
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(
        o.status.success(),
        "prometheus_client rejects it: {}\n{text}",
        stderr(&o)
    );
    let v: Vec<(String, Value, f64)> =
        serde_json::from_slice(&o.stdout).unwrap();
    v
}

/// `promtool check metrics` where it is installed (Debian: prometheus).
fn promtool(text: &str) {
    let Ok(mut child) = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    else {
        return;
    };
    use std::io::Write;
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(
        o.status.success(),
        "promtool check metrics: {}{}\n{text}",
        stdout(&o),
        stderr(&o)
    );
}

fn value(
    samples: &[(String, Value, f64)],
    name: &str,
    labels: &[(&str, &str)],
) -> Option<f64> {
    samples
        .iter()
        .find(|(n, l, _)| n == name && labels.iter().all(|(k, v)| l[k] == *v))
        .map(|s| s.2)
}

const HANGS: &str = "\
[  100.000000] e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:
[  100.000001]   TDH                  <0>
[  200.000000] e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:
[  300.000000] e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:
[  400.000000] r8169 0000:02:00.0 enp2s0: rtl_rxtx_empty_cond == 0 (loop: 42, delay: 100).
[  400.100000] NETDEV WATCHDOG: enp2s0 (r8169): transmit queue 0 timed out 5000 ms
";

fn kernel_log(name: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("kern.log");
    std::fs::write(&p, HANGS).unwrap();
    p
}

fn metrics_from_a_kernel_log_parse_with_prometheus_client() {
    let log = kernel_log("metrics-log");
    let o = ethcfg_cmd()
        .env("ETHCFG_STATE_DIR", scratch("metrics-log/none"))
        .args(["metrics", "--kernel-log"])
        .arg(&log)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    promtool(&text);
    let s = parse(&text);
    assert_eq!(value(&s, "ethcfg_records_up", &[]), Some(1.0), "{text}");
    assert_eq!(value(&s, "ethcfg_doctor_up", &[]), Some(1.0), "{text}");
    assert_eq!(
        value(&s, "ethcfg_doctor_findings", &[("finding", "e1000e-hang")]),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value(
            &s,
            "ethcfg_doctor_findings",
            &[("finding", "ice-ddp-safe-mode")]
        ),
        Some(0.0),
        "{text}"
    );
    assert_eq!(
        value(
            &s,
            "ethcfg_doctor_events",
            &[("finding", "e1000e-hang"), ("device", "0000:00:1f.6")]
        ),
        Some(3.0),
        "{text}"
    );
    assert_eq!(
        value(&s, "ethcfg_doctor_events", &[("finding", "r8169-tx-timeout")]),
        Some(1.0),
        "{text}"
    );
    assert!(!text.contains("ethcfg_managed{"), "{text}");
}

fn metrics_report_drift_features_and_findings_and_parse() {
    let log = kernel_log("metrics-live");
    in_netns(move || {
        veth("fm0", "fm1");
        veth("fm2", "fm3");
        let o = ethcfg(&["apply", "e1000e-tso-off", "fm0", "fm2", "--force"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let o = ethcfg(&["set", "fm1", "gso", "off"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        // Someone else turns TSO back on fm2: drift.
        sh(&["ethtool", "-K", "fm2", "tso", "on"]);
        let dir = scratch("metrics-live/out");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("ethcfg.prom");
        let o = ethcfg_cmd()
            .args(["metrics", "--kernel-log"])
            .arg(&log)
            .arg("--output")
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{}", stdout(&o));
        // Only the file: the temporary one was renamed over it.
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["ethcfg.prom"]);
        let text = std::fs::read_to_string(&file).unwrap();
        promtool(&text);
        let s = parse(&text);
        let fm0 = [("interface", "fm0"), ("profile", "e1000e-tso-off")];
        let fm2 = [("interface", "fm2"), ("profile", "e1000e-tso-off")];
        assert_eq!(value(&s, "ethcfg_drift", &fm0), Some(0.0), "{text}");
        assert_eq!(value(&s, "ethcfg_drift", &fm2), Some(1.0), "{text}");
        assert!(
            value(&s, "ethcfg_drifted_values", &fm2).unwrap() >= 1.0,
            "{text}"
        );
        assert_eq!(
            value(&s, "ethcfg_refused_changes", &fm0),
            Some(0.0),
            "{text}"
        );
        assert_eq!(value(&s, "ethcfg_check_ok", &fm0), Some(1.0), "{text}");
        assert_eq!(
            value(
                &s,
                "ethcfg_managed",
                &[("interface", "fm0"), ("source", "cli")]
            ),
            Some(1.0),
            "{text}"
        );
        // A record made by set has no profile to drift from.
        assert_eq!(
            value(&s, "ethcfg_check_ok", &[("interface", "fm1")]),
            Some(0.0),
            "{text}"
        );
        assert_eq!(
            value(&s, "ethcfg_drift", &[("interface", "fm1")]),
            None,
            "{text}"
        );
        // The features' states, as ethtool sees them.
        for (iface, tso) in [("fm0", false), ("fm2", true)] {
            let active = ethtool_active(iface)["tx-tcp-segmentation"];
            assert_eq!(active, tso);
            assert_eq!(
                value(
                    &s,
                    "ethcfg_feature_active",
                    &[("interface", iface), ("feature", "tx-tcp-segmentation")]
                ),
                Some(f64::from(u8::from(tso))),
                "{text}"
            );
        }
        assert_eq!(
            value(
                &s,
                "ethcfg_feature_active",
                &[("interface", "fm1"), ("feature", "tx-generic-segmentation")]
            ),
            Some(0.0),
            "{text}"
        );
        let last =
            value(&s, "ethcfg_last_apply_timestamp_seconds", &fm0).unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        assert!(last <= now && last > now - 600.0, "{last} {now}");
        assert_eq!(
            value(&s, "ethcfg_doctor_events", &[("finding", "e1000e-hang")]),
            Some(3.0),
            "{text}"
        );
    });
}

/// Runs `tasks` (YAML, indented for a play's `tasks:`) against localhost
/// with ansible-playbook from the venv, as a child of this thread (so in
/// its network namespace); the play writes `results` (a Jinja expression)
/// as JSON, which is returned with the play's recap.
fn playbook(
    name: &str,
    tasks: &str,
    results: &str,
    extra: &[&str],
) -> (Value, String) {
    let dir = scratch(&format!("ansible/{name}"));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("results.json");
    let play = format!(
        "- hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n{tasks}\n    - name: results\n      ansible.builtin.copy:\n        content: \"{{{{ {results} | to_json }}}}\"\n        dest: {}\n      changed_when: false\n",
        out.display()
    );
    let book = dir.join("play.yml");
    std::fs::write(&book, play).unwrap();
    let venv = pyvenv();
    let o = Command::new(venv.join("bin/ansible-playbook"))
        .arg("-i")
        .arg("localhost,")
        .arg(&book)
        .args(extra)
        .env(
            "ANSIBLE_COLLECTIONS_PATH",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/ansible"),
        )
        .env("ANSIBLE_HOME", dir.join("home"))
        .env("ANSIBLE_LOCAL_TEMP", dir.join("tmp"))
        .env("ANSIBLE_REMOTE_TMP", dir.join("tmp"))
        .env("ANSIBLE_PYTHON_INTERPRETER", venv.join("bin/python"))
        .env("ANSIBLE_NOCOLOR", "1")
        .env("ANSIBLE_RETRY_FILES_ENABLED", "0")
        .env("LC_ALL", "C.UTF-8")
        .env("ETHCFG", env!("CARGO_BIN_EXE_ethcfg"))
        .env("ETHCFG_STATE_DIR", scratch("state"))
        .env("ETHCFG_PROFILE_DIR", scratch("no-profiles"))
        // persist writes bindings: never the host's /etc/ethcfg/ethcfg.toml
        .env("ETHCFG_CONFIG", scratch("ansible-ethcfg.toml"))
        .output()
        .unwrap();
    let log = format!("{}{}", stdout(&o), stderr(&o));
    assert!(o.status.success(), "ansible-playbook failed:\n{log}");
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    (v, log)
}

fn task(name: &str, args: &str, extra: &str) -> String {
    format!(
        "    - name: {name}\n      ethcfg.ethcfg.ethcfg:\n        executable: \"{{{{ lookup('env', 'ETHCFG') }}}}\"\n{args}      register: {name}\n{extra}"
    )
}

fn ansible_module_applies_is_idempotent_checks_and_restores_exactly() {
    in_netns(|| {
        veth("fa0", "fa1");
        let before = [ethtool_state("fa0"), ethtool_state("fa1")];
        let present = "        profile: e1000e-hang-safe\n        interfaces: [fa0, fa1]\n        force: true\n";
        let tasks = [
            task("check", present, "      check_mode: true\n"),
            task("apply", present, ""),
            task("again", present, ""),
        ]
        .concat();
        let (r, log) = playbook(
            "present",
            &tasks,
            "{'check': check, 'apply': apply, 'again': again}",
            &["--diff"],
        );
        // Check mode planned the change and sent nothing: the real run
        // then changed what it planned.
        assert_eq!(r["check"]["changed"], true, "{log}");
        assert!(r["check"]["cmd"].to_string().contains("--dry-run"), "{log}");
        let diff = r["check"]["diff"].to_string();
        assert!(
            diff.contains("tx-tcp-segmentation: on")
                && diff.contains("tx-tcp-segmentation: off"),
            "{diff}"
        );
        assert_eq!(r["apply"]["changed"], true, "{log}");
        // What check mode planned, the real run did (and may report side
        // effects the plan could not know of).
        let applied = r["apply"]["diff"].to_string();
        for line in diff.split("\\n").filter(|l| l.contains(": ")) {
            let line = line.trim_start_matches(['"', '[', '{', ',']);
            let line = line.rsplit('"').next().unwrap_or(line);
            assert!(applied.contains(line), "{line} missing in {applied}");
        }
        assert_eq!(r["again"]["changed"], false, "{log}");
        assert_eq!(r["again"]["diff"], Value::Array(vec![]), "{log}");
        for iface in ["fa0", "fa1"] {
            let now = ethtool_active(iface);
            for word in HANG_SAFE {
                for k in members(word) {
                    let st = &ethtool_state(iface)[&k];
                    if !st.2 {
                        assert!(!now[&k], "{iface} {k} still on\n{log}");
                    }
                }
            }
        }

        let absent = "        interfaces: [fa0, fa1]\n        state: absent\n";
        let tasks = [
            task("check", absent, "      check_mode: true\n"),
            task("revert", absent, ""),
            task("again", absent, ""),
            task(
                "unknown",
                "        profile: no-such-profile\n        interfaces: [fa0]\n",
                "      ignore_errors: true\n",
            ),
        ]
        .concat();
        let (r, log) = playbook(
            "absent",
            &tasks,
            "{'check': check, 'revert': revert, 'again': again, 'unknown': unknown}",
            &[],
        );
        assert_eq!(r["check"]["changed"], true, "{log}");
        assert_eq!(r["revert"]["changed"], true, "{log}");
        assert_eq!(r["again"]["changed"], false, "{log}");
        assert_eq!(
            [ethtool_state("fa0"), ethtool_state("fa1")],
            before,
            "{log}"
        );
        assert_eq!(r["unknown"]["failed"], true, "{log}");
        let msg = r["unknown"]["msg"].as_str().unwrap();
        assert!(
            msg.starts_with("ethcfg: error:")
                && msg.contains("no-such-profile"),
            "{msg}"
        );
        assert!(!msg.contains('\n'), "{msg}");

        // persist: a binding in the config, applied now; absent + persist
        // removes it and reverts.
        let config = scratch("ansible-ethcfg.toml");
        let _ = std::fs::remove_file(&config);
        let tasks = [
            task("persist", "        profile: e1000e-hang-safe\n        interfaces: [fa0]\n        force: true\n        persist: true\n", ""),
            task("unpersist", "        interfaces: [fa0]\n        state: absent\n        persist: true\n", ""),
        ]
        .concat();
        let (r, log) = playbook(
            "persist",
            &tasks,
            "{'persist': persist, 'unpersist': unpersist}",
            &[],
        );
        assert_eq!(r["persist"]["changed"], true, "{log}");
        assert_eq!(r["unpersist"]["changed"], true, "{log}");
        let written = std::fs::read_to_string(&config).unwrap_or_default();
        assert!(!written.contains("e1000e-hang-safe"), "{written}\n{log}");
        assert_eq!(
            [ethtool_state("fa0"), ethtool_state("fa1")],
            before,
            "{log}"
        );
    });
}

/// `metrics --config`: every interface a binding matches, checked against
/// what its bindings want, before and after `apply --config`; the output
/// parses with prometheus_client.
fn metrics_per_binding_of_the_config_file() {
    in_netns(|| {
        veth("mb0", "mq0");
        let dir = scratch("metrics-config");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(
            &dir,
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        let config = dir.join("ethcfg.toml");
        std::fs::write(
            &config,
            "[[bind]]\nmatch = { name = \"mb*\" }\nprofile = \"e1000e-tso-off\"\nforce = true\n",
        )
        .unwrap();
        let run = |args: &[&str]| {
            ethcfg_cmd()
                .env("ETHCFG_CONFIG", &config)
                .env("ETHCFG_STATE_DIR", dir.join("state"))
                .args(args)
                .output()
                .unwrap()
        };
        let mb0 = [("interface", "mb0"), ("profile", "e1000e-tso-off")];
        let o = run(&["metrics", "--config", "--no-kernel-log"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let text = stdout(&o);
        let s = parse(&text);
        // bound but not applied yet: drift
        assert_eq!(value(&s, "ethcfg_drift", &mb0), Some(1.0), "{text}");
        assert!(!text.contains("mq0"), "{text}");
        let o = run(&["apply", "--config"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let o = run(&["metrics", "--config", "--no-kernel-log"]);
        let text = stdout(&o);
        let s = parse(&text);
        assert_eq!(value(&s, "ethcfg_drift", &mb0), Some(0.0), "{text}");
        assert_eq!(
            value(
                &s,
                "ethcfg_managed",
                &[("interface", "mb0"), ("source", "config")]
            ),
            Some(1.0),
            "{text}"
        );
    });
}
