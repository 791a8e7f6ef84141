//! Bad files never take the good ones down: a broken user profile is
//! named in a warning and fails only the runs that ask for it; FIFOs and
//! other odd files as profiles, kernel logs or under `--root` are refused
//! at once instead of blocking (every command here runs under a timeout,
//! so a regression fails instead of hanging).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{self, tests};
use crate::tree::Tree;
use crate::util::*;

tests! {
    harness::nothing: [
        a_fifo_named_toml_is_named_and_never_blocks,
        fifos_as_kernel_log_or_under_root_never_block,
    ],
    harness::root: [
        a_typod_user_profile_warns_and_builtins_still_apply,
    ],
}

/// Runs `cmd` for at most 20 s; a run that takes longer is killed and
/// fails the test (it blocked).
fn timed(mut cmd: Command) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} blocked (killed after 20 s)");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn with_profiles(dir: &Path, args: &[&str]) -> Output {
    let mut c = ethcfg_cmd();
    c.env("ETHCFG_PROFILE_DIR", dir).args(args);
    timed(c)
}

fn profile_dir(tag: &str, files: &[(&str, &str)]) -> PathBuf {
    let d = scratch(&format!("badfiles-{tag}"));
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

fn mkfifo(path: &Path) {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d).unwrap();
    }
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

const TYPO: &str =
    "name = \"typo\"\nsummary = \"s\"\n[features]\ngro = \"of\"\n";
const GOOD: &str =
    "name = \"good\"\nsummary = \"s\"\n[features]\ngso = \"off\"\n";

fn a_typod_user_profile_warns_and_builtins_still_apply() {
    in_netns(|| {
        let dir =
            profile_dir("typo", &[("typo.toml", TYPO), ("good.toml", GOOD)]);
        let state = scratch("state-badfiles-typo");
        let _ = std::fs::remove_dir_all(&state);
        veth("bfa", "bfb");
        let run = |args: &[&str]| {
            let mut c = ethcfg_cmd();
            c.env("ETHCFG_PROFILE_DIR", &dir)
                .env("ETHCFG_STATE_DIR", &state)
                .args(args);
            timed(c)
        };
        // A built-in: applied, with one warning naming the broken file.
        let o = run(&["apply", "capture", "bfa"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let warnings: Vec<String> = stderr(&o)
            .lines()
            .filter(|l| l.starts_with("ethcfg: warning:"))
            .map(str::to_owned)
            .collect();
        assert_eq!(warnings.len(), 1, "{}", stderr(&o));
        assert!(
            warnings[0].contains("typo.toml:4:")
                && warnings[0].contains("\"on\" or \"off\""),
            "{}",
            warnings[0]
        );
        assert!(!ethtool_active("bfa")["tx-generic-segmentation"]);
        // Another user profile: applied too.
        let o = run(&["apply", "good", "bfb"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(!ethtool_active("bfb")["tx-generic-segmentation"]);
        // The broken one itself: its error, once, and nothing changed.
        let before = ethtool_state("bfb");
        let o = run(&["apply", "typo", "bfb"]);
        assert_eq!(o.status.code(), Some(1));
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("ethcfg: error:") && err.contains("typo.toml:4:"),
            "{err}"
        );
        assert_eq!(ethtool_state("bfb"), before);
        let o = run(&["check", "capture", "bfa"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(stderr(&o).contains("typo.toml:4:"), "{}", stderr(&o));
    });
}

fn a_fifo_named_toml_is_named_and_never_blocks() {
    let dir = profile_dir("fifo", &[("good.toml", GOOD)]);
    mkfifo(&dir.join("fifo.toml"));
    let o = with_profiles(&dir, &["profiles", "list"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("good") && stdout(&o).contains("capture"));
    let err = stderr(&o);
    assert!(err.contains("fifo.toml") && err.contains("a FIFO"), "{err}");
    let o = with_profiles(&dir, &["profiles", "show", "good"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).starts_with("ethcfg: warning:"), "{}", stderr(&o));

    // One over the 1 MiB cap.
    let big = profile_dir(
        "big",
        &[(
            "big.toml",
            &format!("{GOOD}description = \"{}\"\n", "x".repeat(1 << 20)),
        )],
    );
    let o = with_profiles(&big, &["profiles", "show", "big"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("more than 1 MiB"), "{}", stderr(&o));
}

fn fifos_as_kernel_log_or_under_root_never_block() {
    let t = Tree::new("badfiles-fifo");
    t.pci_nic("0000:00:1f.6", "e1000e", Some("e1000e"), "eno1", 2).file(
        "kern.log",
        "e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:\n",
    );
    let root = t.root().to_str().unwrap().to_owned();
    let run = |args: &[&str]| {
        let mut c = ethcfg_cmd();
        c.args(args);
        timed(c)
    };

    // The kernel log given as a FIFO.
    mkfifo(&t.path("log.fifo"));
    let fifo = t.path("log.fifo");
    let o = run(&[
        "doctor",
        "--root",
        &root,
        "--kernel-log",
        fifo.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("log.fifo") && err.contains("a FIFO"), "{err}");

    // /dev/kmsg under the root is a FIFO.
    mkfifo(&t.path("dev/kmsg"));
    mkfifo(&t.path("proc/stat"));
    let o = run(&["doctor", "--root", &root]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("neither the kernel's record device"),
        "{}",
        stderr(&o)
    );

    // sysfs and procfs files under the root are FIFOs: read as missing,
    // never waited on.
    let ifindex = "sys/devices/pci0000:00/0000:00:1f.6/net/eno1/ifindex";
    std::fs::remove_file(t.path(ifindex)).unwrap();
    for f in [
        ifindex,
        "proc/modules",
        "proc/net/route",
        "proc/net/ipv6_route",
        "etc/os-release",
        "etc/network/interfaces",
    ] {
        mkfifo(&t.path(f));
    }
    let log = t.path("kern.log");
    let o = run(&[
        "doctor",
        "--root",
        &root,
        "--kernel-log",
        log.to_str().unwrap(),
    ]);
    assert!(o.status.code().is_some(), "{}", stderr(&o));
    let o = run(&["impact", "e1000e", "--root", &root]);
    assert!(o.status.code().is_some(), "{}", stderr(&o));
}
