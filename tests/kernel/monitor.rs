//! `events::Monitor`, `events::AsyncMonitor` and `ethcfg monitor` against
//! the real kernel: features, settings and link changes made with ethtool
//! and ip arrive as events, within a bounded wait; `ethtool --monitor` sees
//! the same feature changes.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use ethcfg_core::events::{AsyncMonitor, Event, Monitor, SettingsGroup};
use ethcfg_core::settings::Group;
use serde_json::Value;

use crate::harness::{self, tests};
use crate::util::*;

tests! {
    harness::root: [
        library_iterator_sees_features_settings_and_links,
        cli_monitor_json_prints_events_and_exits_0_on_sigterm,
        cli_monitor_text_names_what_changed,
        async_monitor_runs_inside_tokio_spawn,
        overrun_is_an_event_and_the_monitor_goes_on,
        cli_monitor_notes_an_overrun_and_goes_on,
    ],
}

/// How long an expected event may take.
const WAIT: Duration = Duration::from_secs(10);

/// Receives from `rx` until `want` matches one item, or panics after
/// [`WAIT`] with everything seen.
fn expect<T: std::fmt::Debug>(
    rx: &Receiver<T>,
    what: &str,
    want: impl Fn(&T) -> bool,
) -> T {
    let deadline = Instant::now() + WAIT;
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(item) if want(&item) => return item,
            Ok(item) => seen.push(item),
            Err(_) => break,
        }
    }
    panic!("no {what} within {WAIT:?}; seen {seen:#?}")
}

/// The events of a monitor started now, on a thread of their own (it
/// ends when the receiver is gone and one more event arrives).
fn events() -> Receiver<Event> {
    let monitor = Monitor::new().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for e in monitor {
            if tx.send(e.unwrap()).is_err() {
                break;
            }
        }
    });
    rx
}

/// Whether `e` is a features event for `iface` with `feature` `active`.
fn features_of(e: &Event, iface: &str, feature: &str, active: bool) -> bool {
    matches!(e, Event::FeaturesChanged { ifname, features, .. }
        if ifname == iface
            && features.get(feature).is_some_and(|f| f.active == active))
}

/// `ethtool --monitor`, line-buffered so that its lines can be read as
/// they come, once it is listening (`None` without ethtool or stdbuf).
fn ethtool_monitor() -> Option<(Child, Receiver<String>)> {
    let mut child = std::process::Command::new("stdbuf")
        .args(["-oL", "ethtool", "--monitor"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let out = lines(child.stdout.take()?);
    expect(&out, "ethtool --monitor listening", |l| l.starts_with("listening"));
    Some((child, out))
}

/// The lines of `r`, as they come, on a thread of their own.
fn lines(r: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for l in BufReader::new(r).lines() {
            let Ok(l) = l else { break };
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    rx
}

fn stop(mut child: Child) -> std::process::ExitStatus {
    #[allow(unsafe_code)]
    // SAFETY: kill(2) takes a pid and a signal number.
    let rc = unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert_eq!(rc, 0);
    child.wait().unwrap()
}

fn library_iterator_sees_features_settings_and_links() {
    in_netns(|| {
        veth("mna", "mnb");
        let rx = events();
        let oracle = ethtool_monitor();
        // veth has GRO off until asked: on, then off, as two changes.
        sh(&["ethtool", "-K", "mna", "gro", "on"]);
        expect(&rx, "rx-gro on", |e| features_of(e, "mna", "rx-gro", true));
        sh(&["ethtool", "-K", "mna", "gro", "off"]);
        expect(&rx, "rx-gro off", |e| features_of(e, "mna", "rx-gro", false));

        // Channels: a veth has as many as CPUs, so only with two or more.
        let two_queues = std::process::Command::new("ethtool")
            .args(["-L", "mna", "rx", "2"])
            .status()
            .unwrap()
            .success();
        if two_queues {
            expect(&rx, "channels changed", |e| {
                matches!(e, Event::SettingsChanged { ifname, group, .. }
                    if ifname == "mna"
                        && *group == SettingsGroup::Settings(Group::Channels))
            });
        }

        sh(&[
            "ip", "link", "add", "mnc", "type", "veth", "peer", "name", "mnd",
        ]);
        let added = expect(
            &rx,
            "mnc added",
            |e| matches!(e, Event::LinkAdded { ifname, up: false, .. } if ifname == "mnc"),
        );
        let index = added.ifindex().unwrap();
        sh(&["ip", "link", "set", "mnc", "name", "mne"]);
        let renamed = expect(&rx, "mnc renamed", |e| {
            matches!(e, Event::LinkRenamed { .. })
        });
        assert_eq!(
            renamed,
            Event::LinkRenamed {
                ifindex: index,
                ifname: "mne".into(),
                old_name: "mnc".into()
            }
        );
        sh(&["ip", "link", "set", "mne", "up"]);
        expect(
            &rx,
            "mne up",
            |e| matches!(e, Event::LinkChanged { ifname, up: true, .. } if ifname == "mne"),
        );
        sh(&["ip", "link", "del", "mne"]);
        expect(&rx, "mne removed", |e| {
            *e == Event::LinkRemoved { ifindex: index, ifname: "mne".into() }
        });
        expect(
            &rx,
            "mnd removed",
            |e| matches!(e, Event::LinkRemoved { ifname, .. } if ifname == "mnd"),
        );

        // The oracle saw the same feature changes.
        if let Some((child, lines)) = oracle {
            expect(&lines, "ethtool --monitor: features of mna", |l| {
                l.contains("Features for mna")
            });
            if two_queues {
                expect(&lines, "ethtool --monitor: channels of mna", |l| {
                    l.contains("Channel parameters for mna")
                });
            }
            stop(child);
        }
    });
}

/// `ethcfg monitor ARGS` in the background (stdout and stderr piped),
/// once it is listening: `ip` flips `probe` until a line comes (so
/// nothing after is missed).
fn start_cli(args: &[&str], probe: &str) -> (Child, Receiver<String>) {
    let mut child = ethcfg_cmd()
        .arg("monitor")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let rx = lines(child.stdout.take().unwrap());
    let deadline = Instant::now() + WAIT;
    for up in [true, false].into_iter().cycle() {
        assert!(Instant::now() < deadline, "ethcfg monitor printed nothing");
        sh(&["ip", "link", "set", probe, if up { "up" } else { "down" }]);
        if rx.recv_timeout(Duration::from_millis(100)).is_ok() {
            break;
        }
    }
    sh(&["ip", "link", "set", probe, "down"]);
    (child, rx)
}

fn cli_monitor_json_prints_events_and_exits_0_on_sigterm() {
    in_netns(|| {
        veth("mja", "mjb");
        let (child, rx) = start_cli(&["--json"], "mjb");
        let json = |l: &String| serde_json::from_str::<Value>(l).unwrap();
        sh(&["ethtool", "-K", "mja", "gro", "on"]);
        let f =
            json(&expect(&rx, "features", |l| json(l)["event"] == "features"));
        assert_eq!(f["ifname"], "mja");
        assert_eq!(f["changed"]["rx-gro"]["active"], true, "{f}");
        assert_eq!(
            f["changed"].as_object().unwrap().len(),
            1,
            "only what changed since the last state: {f}"
        );
        sh(&[
            "ip", "link", "add", "mjc", "type", "veth", "peer", "name", "mjd",
        ]);
        expect(&rx, "link-added", |l| {
            let v = json(l);
            v["event"] == "link-added"
                && v["ifname"] == "mjc"
                && v["up"] == false
        });
        sh(&["ip", "link", "set", "mjc", "name", "mje"]);
        expect(&rx, "link-renamed", |l| {
            let v = json(l);
            v["event"] == "link-renamed"
                && v["ifname"] == "mje"
                && v["old_ifname"] == "mjc"
        });
        sh(&["ip", "link", "del", "mje"]);
        expect(&rx, "link-removed", |l| {
            let v = json(l);
            v["event"] == "link-removed" && v["ifname"] == "mje"
        });
        let status = stop(child);
        assert_eq!(status.code(), Some(0), "SIGTERM ends it with 0");
    });
}

fn cli_monitor_text_names_what_changed() {
    in_netns(|| {
        veth("mta", "mtb");
        let (child, rx) = start_cli(&[], "mtb");
        sh(&["ethtool", "-K", "mta", "tso", "off"]);
        let line =
            expect(&rx, "features line", |l| l.starts_with("mta: features:"));
        assert!(line.contains("tx-tcp-segmentation off"), "{line}");
        assert!(
            !line.contains("rx-gro"),
            "unchanged features not shown: {line}"
        );
        sh(&["ip", "link", "del", "mta"]);
        expect(&rx, "removed line", |l| l.starts_with("mta: link removed"));
        #[allow(unsafe_code)]
        // SAFETY: kill(2) takes a pid and a signal number.
        let rc = unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
        assert_eq!(rc, 0);
        let mut child = child;
        assert_eq!(
            child.wait().unwrap().code(),
            Some(0),
            "SIGINT ends it with 0"
        );
    });
}

/// The stream inside `tokio::spawn` on a multi-thread runtime: its
/// futures are `Send`, and it moves between worker threads.
fn async_monitor_runs_inside_tokio_spawn() {
    in_netns(|| {
        let rt = crate::api::runtime_in_this_netns();
        rt.block_on(async {
            let mut monitor =
                tokio::spawn(AsyncMonitor::new()).await.unwrap().unwrap();
            let task = tokio::spawn(async move {
                while let Some(e) = monitor.next().await {
                    if let Event::LinkAdded { ifname, .. } = e.unwrap() {
                        if ifname == "maa" {
                            return ifname;
                        }
                    }
                }
                String::new()
            });
            tokio::task::spawn_blocking(|| veth("maa", "mab")).await.unwrap();
            let got = tokio::time::timeout(WAIT, task).await;
            assert_eq!(got.unwrap().unwrap(), "maa");
        });
    });
}

/// Events coming faster than they are read overrun the socket: the
/// iterator says so ([`Event::Overrun`]) and goes on delivering.
fn overrun_is_an_event_and_the_monitor_goes_on() {
    in_netns(|| {
        let monitor = Monitor::new().unwrap();
        // Each new veth pair is two RTM_NEWLINKs of ~1.5 KiB (more in
        // socket memory): a few hundred fill the default receive buffer
        // while nobody reads.
        let batch: String = (0..400)
            .map(|i| format!("link add ova{i} type veth peer name ovb{i}\n"))
            .collect();
        let path = scratch("overrun-batch");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, batch).unwrap();
        sh(&["ip", "-batch", path.to_str().unwrap()]);
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for e in monitor {
                if tx.send(e.unwrap()).is_err() {
                    break;
                }
            }
        });
        expect(&rx, "an overrun", |e| *e == Event::Overrun);
        // What was queued still comes; the socket takes new notifications
        // once it is read empty.
        let deadline = Instant::now() + WAIT;
        while rx.recv_timeout(Duration::from_millis(300)).is_ok() {
            assert!(Instant::now() < deadline, "events never stopped");
        }
        veth("ovx", "ovy");
        expect(
            &rx,
            "ovx added after the overrun",
            |e| matches!(e, Event::LinkAdded { ifname, .. } if ifname == "ovx"),
        );
    });
}

/// `ethcfg monitor` stopped (SIGSTOP) while a few hundred interfaces
/// appear: once it runs again it notes the overrun on stderr, says
/// `{"event": "overrun"}`, and goes on.
fn cli_monitor_notes_an_overrun_and_goes_on() {
    in_netns(|| {
        veth("moa", "mob");
        let (mut child, rx) = start_cli(&["--json"], "mob");
        let err = lines(child.stderr.take().unwrap());
        let signal = |sig| {
            #[allow(unsafe_code)]
            // SAFETY: kill(2) takes a pid and a signal number.
            let rc = unsafe { libc::kill(child.id() as i32, sig) };
            assert_eq!(rc, 0);
        };
        signal(libc::SIGSTOP);
        let batch: String = (0..400)
            .map(|i| format!("link add oca{i} type veth peer name ocb{i}\n"))
            .collect();
        let path = scratch("overrun-batch-cli");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, batch).unwrap();
        sh(&["ip", "-batch", path.to_str().unwrap()]);
        signal(libc::SIGCONT);
        expect(&rx, "overrun line", |l| l == r#"{"event":"overrun"}"#);
        expect(&err, "overrun note", |l| {
            l.contains("note:") && l.contains("overrun")
        });
        let deadline = Instant::now() + WAIT;
        while rx.recv_timeout(Duration::from_millis(300)).is_ok() {
            assert!(Instant::now() < deadline, "events never stopped");
        }
        sh(&["ip", "link", "del", "moa"]);
        expect(&rx, "moa removed after the overrun", |l| {
            l.contains(r#""event":"link-removed""#)
                && l.contains(r#""ifname":"moa""#)
        });
        assert_eq!(stop(child).code(), Some(0));
    });
}
