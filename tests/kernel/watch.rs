//! `ethcfg watch` as a child process in a private network namespace, with
//! ethtool (and, for thousands of interfaces, one library dump) as the
//! oracle: interfaces that appear or are renamed into a binding get it;
//! drift is re-applied under "drift" and left under "appear"; a fight is
//! damped and logged; an overrun ends with every interface right; SIGHUP
//! with a broken configuration keeps the old one; SIGTERM exits 0. Under a
//! service manager (NOTIFY_SOCKET: a socket the test binds, by path and in
//! the abstract namespace) READY=1 comes only once the interfaces present
//! have their bindings; a reload is RELOADING=1 then READY=1; SIGTERM
//! STOPPING=1.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use ethcfg_core::blocking::Client;

use crate::harness::{self, tests};
use crate::util::*;

tests! {
    harness::root: [
        new_and_renamed_interfaces_get_their_binding,
        a_thousand_created_one_by_one_none_missed,
        drift_is_reapplied_under_drift_and_left_under_appear,
        a_fight_is_damped_and_logged,
        two_thousand_at_once_overrun_and_all_end_right,
        sighup_with_a_broken_config_keeps_the_old_one,
        watch_and_cli_runs_share_the_records_journal,
        a_burst_with_unbound_peers_misses_none,
        readiness_reload_and_stop_are_notified_to_a_path,
        readiness_reload_and_stop_are_notified_to_an_abstract_socket,
        a_notify_socket_nobody_listens_on_is_logged_not_fatal,
    ],
}

const WAIT: Duration = Duration::from_secs(60);

struct Watch {
    child: Child,
    lines: Receiver<String>,
    config: PathBuf,
}

impl Watch {
    fn start(tag: &str, text: &str, extra: &[&str]) -> Watch {
        Watch::spawn(tag, text, extra, None)
    }

    /// [`Watch::start`] with `NOTIFY_SOCKET` set to `notify` (unset when
    /// `None`, whatever the test runner's own environment says).
    fn spawn(
        tag: &str,
        text: &str,
        extra: &[&str],
        notify: Option<&OsStr>,
    ) -> Watch {
        let dir = scratch(&format!("watch-{tag}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755))
            .unwrap();
        let config = dir.join("ethcfg.toml");
        std::fs::write(&config, text).unwrap();
        let mut cmd = ethcfg_cmd();
        match notify {
            Some(n) => cmd.env("NOTIFY_SOCKET", n),
            None => cmd.env_remove("NOTIFY_SOCKET"),
        };
        let mut child = cmd
            .env("ETHCFG_STATE_DIR", dir.join("state"))
            .args(["watch", "--config"])
            .arg(&config)
            .args(extra)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let err = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for l in BufReader::new(err).lines() {
                let Ok(l) = l else { break };
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        let w = Watch { child, lines, config };
        w.expect("watching", |l| l.contains("watching"));
        w
    }

    fn expect(&self, what: &str, want: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        let mut seen = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(l) if want(&l) => return l,
                Ok(l) => seen.push(l),
                Err(_) => break,
            }
        }
        panic!("no {what} within {WAIT:?}; seen {seen:#?}")
    }

    fn signal(&self, sig: &str) {
        sh(&["kill", sig, &self.child.id().to_string()]);
    }

    fn stop(mut self) {
        self.signal("-TERM");
        let st = self.child.wait().unwrap();
        assert_eq!(st.code(), Some(0), "watch exits 0 on SIGTERM");
    }
}

fn tso(iface: &str) -> bool {
    *ethtool_active(iface).get("tx-tcp-segmentation").unwrap()
}

/// Waits until `f` holds (the watcher acts asynchronously).
fn eventually(what: &str, f: impl Fn() -> bool) {
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{what}: not within {WAIT:?}");
}

const TSO_OFF: &str =
    "[[bind]]\nmatch = { name = \"wb*\" }\n[bind.features]\ntso = \"off\"\n";

fn new_and_renamed_interfaces_get_their_binding() {
    in_netns(|| {
        let w = Watch::start("new", TSO_OFF, &[]);
        veth("wb0", "xb0");
        eventually("wb0 tso off", || !tso("wb0"));
        assert!(tso("xb0"), "the unbound peer is left alone");
        // A rename into a bound name.
        veth("xr0", "xr1");
        assert!(tso("xr0"));
        sh(&["ip", "link", "set", "xr0", "name", "wbr0"]);
        eventually("wbr0 tso off", || !tso("wbr0"));
        w.expect("the rename logged", |l| {
            l.contains("wbr0") && l.contains("renamed")
        });
        w.stop();
    });
}

/// Every interface named `prefix*` has tso off, by one dump.
fn all_off(prefix: &str, n: usize) -> usize {
    let all = Client::new().unwrap().features_all().unwrap();
    let mine: Vec<_> =
        all.iter().filter(|f| f.ifname.starts_with(prefix)).collect();
    assert_eq!(mine.len(), n, "interfaces {prefix}*");
    mine.iter()
        .filter(|f| f.get("tx-tcp-segmentation").is_some_and(|x| x.active))
        .count()
}

fn batch(lines: impl Iterator<Item = String>) {
    let mut ip = std::process::Command::new("ip")
        .args(["-batch", "-"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut stdin = ip.stdin.take().unwrap();
        for l in lines {
            writeln!(stdin, "{l}").unwrap();
        }
    }
    assert!(ip.wait().unwrap().success());
}

fn a_thousand_created_one_by_one_none_missed() {
    in_netns(|| {
        let w = Watch::start("thousand", TSO_OFF, &[]);
        // One by one: each pair is created after the previous one.
        batch(
            (0..1000)
                .map(|i| format!("link add wb{i}k type veth peer name xk{i}")),
        );
        eventually("all 1000 tso off", || all_off("wb", 1000) == 0);
        w.stop();
    });
}

fn drift_is_reapplied_under_drift_and_left_under_appear() {
    in_netns(|| {
        let w = Watch::start(
            "drift",
            "[[bind]]\nmatch = { name = \"wd*\" }\nenforce = \"drift\"\n[bind.features]\ntso = \"off\"\n\n[[bind]]\nmatch = { name = \"wa*\" }\n[bind.features]\ntso = \"off\"\n",
            &[],
        );
        veth("wd0", "wa0");
        eventually("both off", || !tso("wd0") && !tso("wa0"));
        sh(&["ethtool", "-K", "wd0", "tso", "on"]);
        sh(&["ethtool", "-K", "wa0", "tso", "on"]);
        w.expect("drift re-applied", |l| {
            l.contains("wd0") && l.contains("drift")
        });
        eventually("wd0 back off", || !tso("wd0"));
        std::thread::sleep(Duration::from_millis(300));
        assert!(tso("wa0"), "appear: drift left alone");
        w.stop();
    });
}

fn a_fight_is_damped_and_logged() {
    in_netns(|| {
        let w = Watch::start(
            "fight",
            "[[bind]]\nmatch = { name = \"wf*\" }\nenforce = \"drift\"\n[bind.features]\ntso = \"off\"\n",
            &["--damp-limit", "5", "--damp-window", "30"],
        );
        veth("wf0", "xf0");
        eventually("wf0 off", || !tso("wf0"));
        // Another tool turning it back on every 10 ms.
        let flipper = std::thread::spawn(|| {
            for _ in 0..100 {
                let _ = std::process::Command::new("ethtool")
                    .args(["-K", "wf0", "tso", "on"])
                    .status();
                std::thread::sleep(Duration::from_millis(10));
            }
        });
        let l = w.expect("damping", |l| l.contains("damped"));
        assert!(
            l.contains("wf0")
                && l.contains("tx-tcp-segmentation")
                && l.contains("30s"),
            "{l}"
        );
        assert!(l.contains("error"), "{l}");
        flipper.join().unwrap();
        std::thread::sleep(Duration::from_millis(200));
        assert!(tso("wf0"), "no longer enforced after damping");
        w.stop();
    });
}

fn two_thousand_at_once_overrun_and_all_end_right() {
    in_netns(|| {
        let w = Watch::start("overrun", TSO_OFF, &[]);
        batch(
            (0..1000)
                .map(|i| format!("link add wb{i}o type veth peer name wb{i}p")),
        );
        eventually("all 2000 tso off", || all_off("wb", 2000) == 0);
        w.stop();
    });
}

fn sighup_with_a_broken_config_keeps_the_old_one() {
    in_netns(|| {
        let w = Watch::start("hup", TSO_OFF, &[]);
        std::fs::write(&w.config, "[[bind]\nthis is not toml").unwrap();
        w.signal("-HUP");
        w.expect("reload refused", |l| {
            l.contains("reload failed") && l.contains("keeping")
        });
        veth("wb1", "xb1");
        eventually("wb1 off with the old config", || !tso("wb1"));
        // A good new configuration is taken.
        std::fs::write(
            &w.config,
            "[[bind]]\nmatch = { name = \"wn*\" }\n[bind.features]\ntso = \"off\"\n",
        )
        .unwrap();
        w.signal("-HUP");
        w.expect("reloaded", |l| l.contains("reloaded"));
        veth("wn0", "wb2");
        eventually("wn0 off with the new config", || !tso("wn0"));
        assert!(tso("wb2"), "old binding gone");
        w.stop();
    });
}

/// With enough interfaces that small runs append to the records journal,
/// the watcher (records kept in memory) and command line runs see each
/// other's records: a revert finds what the watcher journalled, and the
/// watcher's next run keeps what a `set` journalled.
fn watch_and_cli_runs_share_the_records_journal() {
    in_netns(|| {
        // Present at the start: the first resync records them all with
        // one whole-file write.
        batch(
            (0..100)
                .map(|i| format!("link add jr{i} type veth peer name jp{i}")),
        );
        let w = Watch::start(
            "journal",
            "[[bind]]\nmatch = { name = \"jr*\" }\n[bind.features]\ntso = \"off\"\n\n[[bind]]\nmatch = { name = \"jrx*\" }\n[bind.features]\ngso = \"off\"\n",
            &[],
        );
        let state = scratch("watch-journal").join("state");
        let cli = |args: &[&str]| {
            let o = ethcfg_cmd()
                .env("ETHCFG_STATE_DIR", &state)
                .args(args)
                .output()
                .unwrap();
            assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        };
        let files = || -> Vec<String> {
            std::fs::read_dir(&state)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        };
        let journal = || files().iter().any(|f| f.ends_with(".journal"));
        let active = |iface: &str, f: &str| ethtool_active(iface)[f];
        eventually("all 100 tso off", || all_off("jr", 100) == 0);
        // The first resync's hundred notifications overrun the sockets,
        // and the resync after that would take jr100 in bulk: it comes
        // once that has passed, as one event of its own.
        std::thread::sleep(Duration::from_secs(1));
        veth("jr100", "jp100");
        w.expect("jr100 applied", |l| {
            l.contains("jr100") && l.contains("appeared")
        });
        assert!(!tso("jr100"));
        assert!(
            journal(),
            "the watcher's small run appended to the journal: {:?}",
            files()
        );
        // A command line run reads the watcher's journalled record.
        cli(&["revert", "jr100"]);
        assert!(tso("jr100"), "reverted from the journalled record");
        // The watcher reads a command line run's journalled record, and
        // its own next write keeps it.
        assert!(!active("jr7", "rx-gro"));
        cli(&["set", "jr7", "gro", "on"]);
        assert!(journal(), "the set appended to the journal");
        sh(&["ip", "link", "set", "jr7", "name", "jrx7"]);
        w.expect("jrx7 applied", |l| {
            l.contains("jrx7") && l.contains("renamed")
        });
        assert!(!active("jrx7", "tx-generic-segmentation"));
        cli(&["revert", "jrx7"]);
        assert!(!active("jrx7", "rx-gro"), "the set's gro kept and reverted");
        assert!(active("jrx7", "tx-generic-segmentation"));
        assert!(tso("jrx7"));
        w.stop();
    });
}

/// A hundred pairs at once, only one side bound: the watcher's own
/// applies overrun its sockets, and what comes while the queue is still
/// full is dropped by the kernel without a second ENOBUFS — unless the
/// watcher empties the queue before it resyncs. None is missed.
fn a_burst_with_unbound_peers_misses_none() {
    in_netns(|| {
        let w = Watch::start("burst", TSO_OFF, &[]);
        batch(
            (0..100)
                .map(|i| format!("link add wb{i}u type veth peer name ub{i}")),
        );
        eventually("all 100 tso off", || all_off("wb", 100) == 0);
        w.stop();
    });
}

/// The next notification on `rx`, as text.
fn notification(rx: &UnixDatagram) -> String {
    rx.set_read_timeout(Some(WAIT)).unwrap();
    let mut buf = [0u8; 4096];
    let n = rx.recv(&mut buf).expect("a notification within the wait");
    String::from_utf8(buf[..n].to_vec()).unwrap()
}

/// The start-up, reload and stop of watch as a `Type=notify` service sees
/// them, `rx` being the service manager's socket and `addr` its
/// `NOTIFY_SOCKET`.
fn notified(tag: &str, rx: &UnixDatagram, addr: &str) {
    // Present before watch starts: the start-up apply is what binds it.
    veth("wr0", "xr0");
    assert!(tso("wr0"));
    let mut w = Watch::spawn(tag, TSO_OFF_WR, &[], Some(OsStr::new(addr)));
    let ready = notification(rx);
    // ethtool as the oracle, at once: READY=1 came after the apply.
    assert!(!tso("wr0"), "READY=1 before wr0 had its binding: {ready}");
    assert!(tso("xr0"), "the unbound peer is left alone");
    let lines: Vec<&str> = ready.lines().collect();
    assert!(lines.contains(&"READY=1"), "{ready}");
    assert!(
        lines
            .contains(&"STATUS=start: 1 interface applied, 0 failed; watching"),
        "{ready}"
    );

    w.signal("-HUP");
    let reloading = notification(rx);
    let lines: Vec<&str> = reloading.lines().collect();
    assert_eq!(lines.first(), Some(&"RELOADING=1"), "{reloading}");
    assert!(
        lines.iter().any(|l| l
            .strip_prefix("MONOTONIC_USEC=")
            .is_some_and(|v| v.parse::<u64>().is_ok_and(|v| v > 0))),
        "{reloading}"
    );
    let ready = notification(rx);
    assert!(
        ready.lines().any(|l| l == "READY=1")
            && ready
                .contains("STATUS=configuration reloaded: 1 interface applied"),
        "{ready}"
    );
    w.expect("reloaded", |l| l.contains("reloaded"));

    w.signal("-TERM");
    let stopping = notification(rx);
    assert!(stopping.lines().any(|l| l == "STOPPING=1"), "{stopping}");
    let st = w.child.wait().unwrap();
    assert_eq!(st.code(), Some(0), "watch exits 0 on SIGTERM");
}

const TSO_OFF_WR: &str =
    "[[bind]]\nmatch = { name = \"wr*\" }\n[bind.features]\ntso = \"off\"\n";

fn readiness_reload_and_stop_are_notified_to_a_path() {
    in_netns(|| {
        let dir = scratch("notify-path");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("notify");
        let rx = UnixDatagram::bind(&path).unwrap();
        notified("notify-path", &rx, path.to_str().unwrap());
    });
}

fn readiness_reload_and_stop_are_notified_to_an_abstract_socket() {
    in_netns(|| {
        // Abstract names belong to the network namespace, which the test
        // thread and watch share.
        let name = format!("ethcfg-test-notify-{}", std::process::id());
        let rx = UnixDatagram::bind_addr(
            &SocketAddr::from_abstract_name(name.as_bytes()).unwrap(),
        )
        .unwrap();
        notified("notify-abstract", &rx, &format!("@{name}"));
    });
}

fn a_notify_socket_nobody_listens_on_is_logged_not_fatal() {
    in_netns(|| {
        let gone = scratch("notify-gone").join("no-such-socket");
        let w =
            Watch::spawn("notify-gone", TSO_OFF, &[], Some(gone.as_os_str()));
        w.expect("the failed READY=1 logged", |l| {
            l.contains("notifying the service manager")
        });
        veth("wb0", "xb0");
        eventually("wb0 tso off all the same", || !tso("wb0"));
        w.stop();
    });
}
