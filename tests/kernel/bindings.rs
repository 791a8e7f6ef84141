//! `ethcfg apply --config` and `check --config` on veths, with ethtool as
//! the oracle: bindings applied, drift found, a removed binding reverted,
//! a changed binding moving the interface without flapping what stays.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use crate::harness::{self, tests};
use crate::util::*;

tests! {
    harness::root: [
        apply_config_applies_bindings_and_check_sees_drift,
        a_removed_binding_is_reverted_and_a_changed_one_does_not_flap,
        a_bad_binding_is_skipped_and_the_others_apply,
        apply_without_profile_or_config_is_a_usage_error,
        persist_writes_keeps_comments_applies_and_unpersist_reverts,
        the_udev_rules_command_line_applies_on_its_own,
        the_nm_dispatcher_script_applies_on_pre_up,
    ],
    harness::nothing: [
        systemd_units_verify,
    ],
}

/// A configuration file with `text`, in a directory of its own (mode
/// 0755, as the trust check wants).
fn config(tag: &str, text: &str) -> PathBuf {
    let dir = scratch(&format!("config-{tag}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755))
        .unwrap();
    let f = dir.join("ethcfg.toml");
    std::fs::write(&f, text).unwrap();
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644))
        .unwrap();
    f
}

fn run(cfg: &PathBuf, state: &str, args: &[&str]) -> std::process::Output {
    ethcfg_cmd()
        .env("ETHCFG_CONFIG", cfg)
        .env("ETHCFG_STATE_DIR", scratch(state))
        .args(args)
        .output()
        .unwrap()
}

fn active(iface: &str, feature: &str) -> bool {
    *ethtool_active(iface).get(feature).unwrap_or_else(|| panic!("{feature}"))
}

fn apply_config_applies_bindings_and_check_sees_drift() {
    in_netns(|| {
        veth("cfa0", "cfb0");
        veth("other0", "other1");
        let cfg = config(
            "apply",
            "# veths under test\n[[bind]]\nmatch = { name = \"cfa*\" }\n[bind.features]\ntso = \"off\"\ngro = \"on\"\n",
        );
        let o = run(&cfg, "state-apply", &["apply", "--config", "--json"]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("cfa0"), "{}", stdout(&o));
        assert!(!active("cfa0", "tx-tcp-segmentation"));
        assert!(active("other0", "tx-tcp-segmentation"), "unbound left alone");
        let o = run(&cfg, "state-apply", &["check", "--config"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        sh(&["ethtool", "-K", "cfa0", "tso", "on"]);
        let o = run(&cfg, "state-apply", &["check", "--config", "cfa0"]);
        assert_eq!(o.status.code(), Some(4), "{}", stdout(&o));
        assert!(stdout(&o).contains("tx-tcp-segmentation"), "{}", stdout(&o));
        // The records carry the source.
        let o = run(&cfg, "state-apply", &["apply", "--config", "cfa0"]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(!active("cfa0", "tx-tcp-segmentation"));
        let records: String = std::fs::read_dir(scratch("state-apply"))
            .unwrap()
            .filter_map(|e| std::fs::read_to_string(e.unwrap().path()).ok())
            .collect();
        assert!(records.contains("\"source\":\"config\""), "{records}");
    });
}

fn a_removed_binding_is_reverted_and_a_changed_one_does_not_flap() {
    in_netns(|| {
        veth("cfr0", "cfr1");
        let cfg = config(
            "changed",
            "[[bind]]\nmatch = { name = \"cfr0\" }\n[bind.features]\ntso = \"off\"\ngso = \"off\"\n",
        );
        let o = run(&cfg, "state-changed", &["apply", "--config"]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(!active("cfr0", "tx-tcp-segmentation"));
        assert!(!active("cfr0", "tx-generic-segmentation"));
        // The binding drops gso: gso goes back, tso is not sent again.
        std::fs::write(
            &cfg,
            "[[bind]]\nmatch = { name = \"cfr0\" }\n[bind.features]\ntso = \"off\"\n",
        )
        .unwrap();
        let o = run(&cfg, "state-changed", &["apply", "--config", "--json"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let out = stdout(&o);
        assert!(out.contains("tx-generic-segmentation"), "{out}");
        assert!(!out.contains("\"tx-tcp-segmentation\""), "tso flapped: {out}");
        assert!(active("cfr0", "tx-generic-segmentation"));
        assert!(!active("cfr0", "tx-tcp-segmentation"));
        // No binding matches any more: reverted.
        std::fs::write(
            &cfg,
            "[[bind]]\nmatch = { name = \"nothing\" }\n[bind.features]\ntso = \"off\"\n",
        )
        .unwrap();
        let o = run(&cfg, "state-changed", &["apply", "--config"]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stderr(&o).contains("reverted"), "{}", stderr(&o));
        assert!(active("cfr0", "tx-tcp-segmentation"));
    });
}

fn a_bad_binding_is_skipped_and_the_others_apply() {
    in_netns(|| {
        veth("cfg0", "cfg1");
        let cfg = config(
            "bad",
            "[[bind]]\nmatch = { name = \"cfg0\" }\n[bind.features]\ntso = \"of\"\n\n[[bind]]\nmatch = { name = \"cfg1\" }\n[bind.features]\ntso = \"off\"\n\n[[bind]]\nmatch = { name = \"cfg1\" }\nprofile = \"no-such\"\n",
        );
        let o = run(&cfg, "state-bad", &["apply", "--config"]);
        assert_eq!(o.status.code(), Some(1));
        let err = stderr(&o);
        assert!(err.contains("ethcfg.toml:4:"), "{err}");
        assert!(
            err.contains("ethcfg.toml:11:") && err.contains("no-such"),
            "{err}"
        );
        assert!(!active("cfg1", "tx-tcp-segmentation"));
        assert!(active("cfg0", "tx-tcp-segmentation"));
        // Two bindings disagreeing on one interface: an error naming both.
        let cfg = config(
            "conflict",
            "[[bind]]\nmatch = { name = \"cfg0\" }\n[bind.features]\ntso = \"off\"\n\n[[bind]]\nmatch = { name = \"cfg*\" }\n[bind.features]\ntso = \"on\"\n",
        );
        let o = run(&cfg, "state-bad", &["apply", "--config", "cfg0"]);
        assert_eq!(o.status.code(), Some(1));
        let err = stderr(&o);
        assert!(err.contains("line 1") && err.contains("line 6"), "{err}");
    });
}

fn apply_without_profile_or_config_is_a_usage_error() {
    let o = ethcfg(&["apply"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = ethcfg(&["check", "e1000e-hang-safe"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

fn persist_writes_keeps_comments_applies_and_unpersist_reverts() {
    in_netns(|| {
        veth("cfp0", "cfp1");
        let cfg = config(
            "persist",
            "# the admin's note\n\n[[bind]]\nmatch = { name = \"other\" }   # theirs\nprofile = \"capture\"\n",
        );
        // e1000e-hang-safe is for e1000e: a veth needs --force.
        let o = run(
            &cfg,
            "state-persist",
            &["persist", "e1000e-hang-safe", "cfp0"],
        );
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let o = run(
            &cfg,
            "state-persist",
            &["persist", "--dry-run", "--force", "e1000e-hang-safe", "cfp0"],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            stdout(&o).contains("match = { name = \"cfp0\" }"),
            "{}",
            stdout(&o)
        );
        assert!(!std::fs::read_to_string(&cfg).unwrap().contains("cfp0"));
        assert!(active("cfp0", "tx-tcp-segmentation"));
        let o = run(
            &cfg,
            "state-persist",
            &["persist", "--force", "e1000e-hang-safe", "cfp0"],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let out = stdout(&o);
        assert!(
            out.contains("[[bind]]")
                && out.contains("profile = \"e1000e-hang-safe\""),
            "{out}"
        );
        assert!(
            out.contains("systemctl enable") || out.contains("Re-applied"),
            "{out}"
        );
        let text = std::fs::read_to_string(&cfg).unwrap();
        assert!(text.starts_with("# the admin's note\n\n[[bind]]\nmatch = { name = \"other\" }   # theirs\n"), "{text}");
        assert!(text.contains("match = { name = \"cfp0\" }"), "{text}");
        assert!(!active("cfp0", "tx-tcp-segmentation"));
        let o = run(&cfg, "state-persist", &["unpersist", "cfp0"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let text = std::fs::read_to_string(&cfg).unwrap();
        assert!(!text.contains("cfp0") && text.contains("# theirs"), "{text}");
        assert!(active("cfp0", "tx-tcp-segmentation"), "reverted");
    });
}

/// The repository's contrib file `rel`.
fn contrib(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("contrib").join(rel)
}

fn the_udev_rules_command_line_applies_on_its_own() {
    in_netns(|| {
        veth("cfu0", "cfu1");
        let cfg = config(
            "udev",
            "[[bind]]\nmatch = { name = \"cfu0\" }\n[bind.features]\ntso = \"off\"\n",
        );
        let rule =
            std::fs::read_to_string(contrib("udev/80-ethcfg.rules")).unwrap();
        let line = rule
            .lines()
            .find(|l| !l.starts_with('#') && !l.trim().is_empty())
            .unwrap();
        assert!(
            line.contains("ACTION==\"add|move\"")
                && line.contains("SUBSYSTEM==\"net\""),
            "{line}"
        );
        let cmdline =
            line.split("RUN+=\"").nth(1).unwrap().trim_end_matches('"');
        let words: Vec<String> = cmdline
            .split_whitespace()
            .map(
                |w| if w == "$name" { "cfu0".to_owned() } else { w.to_owned() },
            )
            .collect();
        assert_eq!(words[0], "/usr/sbin/ethcfg");
        let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
        let o = run(&cfg, "state-udev", &args);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(!active("cfu0", "tx-tcp-segmentation"));
        assert!(active("cfu1", "tx-tcp-segmentation"));
    });
}

fn the_nm_dispatcher_script_applies_on_pre_up() {
    in_netns(|| {
        veth("cfn0", "cfn1");
        let cfg = config(
            "nm",
            "[[bind]]\nmatch = { name = \"cfn0\" }\n[bind.features]\ntso = \"off\"\n",
        );
        // The script as installed, with the test's binary and config file.
        let script = std::fs::read_to_string(contrib(
            "NetworkManager/pre-up.d/50-ethcfg",
        ))
        .unwrap()
        .replace("/usr/sbin/ethcfg", env!("CARGO_BIN_EXE_ethcfg"))
        .replace("/etc/ethcfg/ethcfg.toml", cfg.to_str().unwrap());
        let sh = |action: &str| {
            std::process::Command::new("sh")
                .args(["-c", &script, "50-ethcfg", "cfn0", action])
                .env("ETHCFG_CONFIG", &cfg)
                .env("ETHCFG_STATE_DIR", scratch("state-nm"))
                .output()
                .unwrap()
        };
        assert!(sh("up").status.success());
        assert!(active("cfn0", "tx-tcp-segmentation"), "only pre-up applies");
        let o = sh("pre-up");
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(!active("cfn0", "tx-tcp-segmentation"));
        // A broken config never fails the activation: exit 0, said on
        // stderr (and syslog).
        std::fs::write(&cfg, "[[bind]\n").unwrap();
        let o = sh("pre-up");
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("ethcfg apply --config exited 1"),
            "{}",
            stderr(&o)
        );
    });
}

/// `systemd-analyze verify` on the units, with ExecStart pointing at the
/// built binary (verify checks that it exists); skipped where systemd is
/// not installed.
fn systemd_units_verify() {
    let Ok(status) =
        std::process::Command::new("systemd-analyze").arg("--version").output()
    else {
        eprintln!("systemd-analyze not installed: units not verified");
        return;
    };
    assert!(status.status.success());
    let dir = scratch("units");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut units = Vec::new();
    for u in ["ethcfg-watch.service", "ethcfg-apply.service"] {
        let text = std::fs::read_to_string(contrib(&format!("systemd/{u}")))
            .unwrap()
            .replace("/usr/sbin/ethcfg", env!("CARGO_BIN_EXE_ethcfg"));
        for want in [
            "Before=network-pre.target",
            "CapabilityBoundingSet=CAP_NET_ADMIN",
            "NoNewPrivileges=yes",
            "ProtectSystem=strict",
            "RuntimeDirectory=ethcfg",
            "RuntimeDirectoryPreserve=yes",
        ] {
            assert!(text.contains(want), "{u}: {want}");
        }
        if u == "ethcfg-watch.service" {
            watch_unit_reports_ready_before_systemd_gives_up(&text);
        }
        let p = dir.join(u);
        std::fs::write(&p, text).unwrap();
        units.push(p);
    }
    let o = std::process::Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .args(&units)
        .env("SYSTEMD_LOG_LEVEL", "warning")
        .output()
        .unwrap();
    assert!(
        o.status.success() && o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The watch unit is `Type=notify` and watch reports ready on its own
/// (`--ready-timeout`) well before systemd's start timeout would stop it.
fn watch_unit_reports_ready_before_systemd_gives_up(text: &str) {
    for want in ["Type=notify\n", "NotifyAccess=main\n"] {
        assert!(text.contains(want), "ethcfg-watch.service: {want}");
    }
    let value = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .unwrap_or_else(|| panic!("ethcfg-watch.service: no {key}"))
            .to_owned()
    };
    let timeout: u64 = value("TimeoutStartSec=")
        .strip_suffix('s')
        .and_then(|v| v.parse().ok())
        .expect("TimeoutStartSec in seconds");
    let exec = value("ExecStart=");
    let ready: u64 = exec
        .split_once("--ready-timeout ")
        .and_then(|(_, v)| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("ExecStart={exec}: no --ready-timeout"));
    assert!(
        ready + 15 <= timeout,
        "--ready-timeout {ready} too close to TimeoutStartSec={timeout}s"
    );
}
