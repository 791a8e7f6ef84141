//! Test scaffolding: a private network namespace per test (on the test's
//! own thread, so nothing touches the host and tests run in parallel), veth
//! pairs, the built `ethcfg` binary, and `ethtool` as the independent oracle.

use std::collections::BTreeMap;
use std::process::{Command, Output};

use ethcfg_core::names::pattern_matches;
use serde_json::Value;

/// The legacy names the built-in `e1000e-hang-safe` profile turns off.
pub const HANG_SAFE: [&str; 8] =
    ["gso", "gro", "tso", "tx", "rx", "rxvlan", "txvlan", "sg"];

/// Runs `f` on a fresh thread moved into a new network namespace. Child
/// processes started from that thread (ip, ethtool, ethcfg) inherit it.
pub fn in_netns<F: FnOnce() + Send + 'static>(f: F) {
    std::thread::spawn(move || {
        #[allow(unsafe_code)]
        // SAFETY: unshare(2) takes a flag word and touches no memory of ours.
        let rc = unsafe { libc::unshare(libc::CLONE_NEWNET) };
        assert_eq!(
            rc,
            0,
            "unshare(CLONE_NEWNET) failed ({}): these tests need root (CAP_SYS_ADMIN)",
            std::io::Error::last_os_error()
        );
        f()
    })
    .join()
    .unwrap_or_else(|p| std::panic::resume_unwind(p));
}

/// Runs a command, panicking with its stderr if it fails.
pub fn sh(args: &[&str]) -> String {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Creates the veth pair `a`/`b` (both down: feature changes do not need a
/// link, and down links keep the kernel from sending anything).
pub fn veth(a: &str, b: &str) {
    sh(&["ip", "link", "add", a, "type", "veth", "peer", "name", b]);
}

/// Runs the built `ethcfg` binary.
pub fn ethcfg(args: &[&str]) -> Output {
    ethcfg_cmd().args(args).output().expect("run ethcfg")
}

/// A directory for this test process's files (state records, profiles),
/// never the host's /run/ethcfg or /etc/ethcfg.
pub fn scratch(sub: &str) -> std::path::PathBuf {
    let base = std::env::temp_dir()
        .join(format!("ethcfg-tests-{}", std::process::id()));
    // Traversable by all: the unprivileged rows run ethcfg as nobody in
    // directories under it, whichever test happens to make it first.
    if std::fs::create_dir_all(&base).is_ok() {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(
            &base,
            std::fs::Permissions::from_mode(0o755),
        );
    }
    base.join(sub)
}

/// The `ethcfg` binary under test: this build's, or the one
/// `ETHCFG_TEST_BIN` names (to show that a test fails on an older build).
pub fn bin() -> std::path::PathBuf {
    std::env::var_os("ETHCFG_TEST_BIN")
        .filter(|v| !v.is_empty())
        .map_or_else(|| env!("CARGO_BIN_EXE_ethcfg").into(), Into::into)
}

/// The `ethcfg` binary with state and profile directories under [`scratch`].
pub fn ethcfg_cmd() -> Command {
    let mut c = Command::new(bin());
    c.env("ETHCFG_STATE_DIR", scratch("state"))
        .env("ETHCFG_PROFILE_DIR", scratch("no-profiles"));
    c
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub use crate::ethtool_oracle::{ethtool_json_state, State};

/// The kernel's feature names, from ethcfg-core (for mapping ethtool's
/// legacy long names back to kernel names).
pub fn kernel_names() -> Vec<String> {
    ethcfg_core::blocking::Client::new().unwrap().feature_names().unwrap()
}

/// `ethtool --json -k IFACE`, mapped to kernel names: ethtool prints a
/// legacy long name instead of the kernel name when the legacy flag covers
/// exactly one feature, and adds group lines (fixed = null) for the others.
pub fn ethtool_state(iface: &str) -> State {
    ethtool_json_state(
        &sh(&["ethtool", "--json", "-k", iface]),
        &kernel_names(),
    )
}

/// `ethcfg show --json IFACE...` as states by interface name.
pub fn ethcfg_state(ifaces: &[&str]) -> BTreeMap<String, State> {
    let mut args = vec!["show", "--json"];
    args.extend_from_slice(ifaces);
    let o = ethcfg(&args);
    assert!(o.status.success(), "ethcfg show failed: {}", stderr(&o));
    parse_show(&stdout(&o))
}

pub fn parse_show(json: &str) -> BTreeMap<String, State> {
    let v: Value = serde_json::from_str(json).unwrap();
    let mut out = BTreeMap::new();
    for dev in v.as_array().unwrap() {
        let mut st = State::new();
        for (name, f) in dev["features"].as_object().unwrap() {
            let b = |k: &str| {
                f[k].as_bool().unwrap_or_else(|| panic!("{name}.{k}"))
            };
            st.insert(name.clone(), (b("active"), b("requested"), b("fixed")));
        }
        out.insert(dev["ifname"].as_str().unwrap().to_owned(), st);
    }
    out
}

/// Active state by kernel name, from ethtool.
pub fn ethtool_active(iface: &str) -> BTreeMap<String, bool> {
    ethtool_state(iface).into_iter().map(|(k, (a, _, _))| (k, a)).collect()
}

/// Kernel names a legacy word covers here.
pub fn members(word: &str) -> Vec<String> {
    let flag = ethcfg_core::names::legacy(word).unwrap();
    kernel_names()
        .into_iter()
        .filter(|n| !n.is_empty() && pattern_matches(n, flag.pattern))
        .collect()
}
