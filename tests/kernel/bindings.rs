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
