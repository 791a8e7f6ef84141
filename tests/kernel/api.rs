//! The library API against the real kernel: blocking and async, by name
//! and by index, one dump for all.

use ethcfg_core::{
    blocking::Client, ErrorKind, FeatureRequest, Handle, IfaceRef, Status,
};

use crate::harness::{self, tests};
use crate::util::*;

tests! {
    harness::root: [
        blocking_api_reads_by_name_and_index_and_dumps_all,
        blocking_api_plan_then_execute,
        async_api_on_a_current_thread_runtime,
        every_handle_operation_runs_inside_tokio_spawn,
    ],
    harness::nothing: [
        async_api_without_a_runtime_is_an_error_not_a_panic,
    ],
}

fn blocking_api_reads_by_name_and_index_and_dumps_all() {
    in_netns(|| {
        veth("baa", "bab");
        let mut c = Client::new().unwrap();
        let by_name = c.features(&IfaceRef::by_name("baa").unwrap()).unwrap();
        assert_eq!(by_name.ifname, "baa");
        let by_index =
            c.features(&IfaceRef::by_index(by_name.ifindex)).unwrap();
        assert_eq!(by_index, by_name);
        // bit 0 is tx-scatter-gather and is not lost
        assert_eq!(
            by_name.by_index(0).map(|f| f.name.to_string()).as_deref(),
            Some("tx-scatter-gather")
        );
        let all = c.features_all().unwrap();
        assert!(all.iter().any(|f| f.ifname == "bab"));
        assert_eq!(all.iter().find(|f| f.ifname == "baa"), Some(&by_name));
        // a mismatched name and index is the kernel's ENODEV
        let wrong =
            IfaceRef::by_name_and_index("baa", by_name.ifindex + 1000).unwrap();
        assert_eq!(c.features(&wrong).unwrap_err().kind(), ErrorKind::NotFound);
        // the name of one and the index of the other: the kernel refuses
        // (both are sent; before, only the index was, and this read "bab")
        let bab = c.features(&IfaceRef::by_name("bab").unwrap()).unwrap();
        let mixed = IfaceRef::by_name_and_index("baa", bab.ifindex).unwrap();
        let e = c.features(&mixed).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound, "{e:?}");
        assert_eq!(e.errno(), Some(libc::ENODEV), "{e:?}");
        // and the matching pair reads the interface
        let both = IfaceRef::by_name_and_index("bab", bab.ifindex).unwrap();
        assert_eq!(c.features(&both).unwrap(), bab);
    });
}

fn blocking_api_plan_then_execute() {
    in_netns(|| {
        veth("bpa", "bpb");
        let mut c = Client::new().unwrap();
        let iface = IfaceRef::by_name("bpa").unwrap();
        let plan = c
            .plan_features(&iface, &FeatureRequest::new().disable("tso"))
            .unwrap();
        // planning sends nothing
        assert!(ethtool_active("bpa")["tx-tcp-segmentation"]);
        let names: Vec<&str> =
            plan.bits.iter().map(|b| b.name.as_str()).collect();
        for m in members("tso") {
            assert!(
                names.contains(&m.as_str()),
                "tso plan covers {m}: {names:?}"
            );
        }
        assert!(plan
            .planned_changes()
            .iter()
            .all(|c| c.status == Status::Planned));
        let out = c.execute(&plan).unwrap();
        assert!(out.changed() && !out.any_refused());
        assert!(!ethtool_active("bpa")["tx-tcp-segmentation"]);
    });
}

fn async_api_on_a_current_thread_runtime() {
    in_netns(|| {
        veth("asa", "asb");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .unwrap();
        rt.block_on(async {
            let mut h = Handle::connect().await.unwrap();
            let iface = IfaceRef::by_name("asa").unwrap();
            let f = h.features(&iface).await.unwrap();
            assert!(f.get("tx-generic-segmentation").unwrap().active);
            let out = h
                .set_features(&iface, &FeatureRequest::new().disable("gso"))
                .await
                .unwrap();
            assert_eq!(out.changes.len(), 1);
            assert_eq!(out.changes[0].feature, "tx-generic-segmentation");
            assert_eq!(out.changes[0].status, Status::Applied);
            assert_eq!(h.features_all().await.unwrap().len(), 3);
        });
        assert!(!ethtool_active("asa")["tx-generic-segmentation"]);
    });
}

fn async_api_without_a_runtime_is_an_error_not_a_panic() {
    // Polled once, outside any runtime: it must answer at once, with an error.
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let mut f = std::pin::pin!(Handle::connect());
    match std::future::Future::poll(f.as_mut(), &mut cx) {
        std::task::Poll::Ready(r) => {
            assert_eq!(r.unwrap_err().kind(), ErrorKind::Io)
        }
        std::task::Poll::Pending => {
            panic!("connect() waited for a runtime that is not there")
        }
    }
}

/// A multi-thread runtime whose workers (and blocking threads) live in the
/// calling thread's network namespace, as the test thread does after
/// `unshare`: without this they would sit in the host's namespace.
pub(crate) fn runtime_in_this_netns() -> tokio::runtime::Runtime {
    let ns = std::fs::File::open("/proc/thread-self/ns/net").unwrap();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .enable_time()
        .on_thread_start(move || {
            use std::os::fd::AsRawFd;
            #[allow(unsafe_code)]
            // SAFETY: setns(2) takes a namespace fd we hold open and a flag.
            let rc = unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) };
            assert_eq!(rc, 0, "setns: {}", std::io::Error::last_os_error());
        })
        .build()
        .unwrap()
}

/// Every `Handle` operation, each in a task of its own on a multi-thread
/// runtime: `tokio::spawn` needs the futures to be `Send`, and the handle
/// moves from task to task (and so from thread to thread).
fn every_handle_operation_runs_inside_tokio_spawn() {
    use ethcfg_core::change::MissingGroup;
    use ethcfg_core::settings::{Group, SettingsRequest, Target};
    use ethcfg_core::state::StateDir;
    use ethcfg_core::FixedPolicy;

    in_netns(|| {
        sh(&[
            "ip",
            "link",
            "add",
            "spa",
            "numtxqueues",
            "4",
            "numrxqueues",
            "4",
            "type",
            "veth",
            "peer",
            "name",
            "spb",
        ]);
        let dir = scratch("state-spawn");
        let _ = std::fs::remove_dir_all(&dir);
        let state = StateDir::new(&dir);
        let rt = runtime_in_this_netns();
        rt.block_on(async move {
            // Runs one operation in a task of its own, handing the handle
            // back with the result.
            macro_rules! spawned {
                ($h:ident, |$x:ident| $op:expr) => {{
                    let mut $x = $h;
                    tokio::spawn(async move {
                        let r = $op.await;
                        ($x, r)
                    })
                    .await
                    .unwrap()
                }};
            }
            let h = tokio::spawn(Handle::connect()).await.unwrap().unwrap();
            assert!(h.monitor_group().is_some());
            let iface = IfaceRef::by_name("spa").unwrap();
            let ifaces = vec![iface.clone()];

            let (h, names) = spawned!(h, |h| h.feature_names());
            assert!(names
                .unwrap()
                .iter()
                .any(|n| n == "tx-generic-segmentation"));
            let i = iface.clone();
            let (h, f) = spawned!(h, |h| h.features(&i));
            assert!(f.unwrap().get("tx-generic-segmentation").unwrap().active);
            let (h, all) = spawned!(h, |h| h.features_all());
            assert_eq!(all.unwrap().len(), 3);

            let i = iface.clone();
            let (h, plan) = spawned!(h, |h| h
                .plan_features(&i, &FeatureRequest::new().disable("gso")));
            let plan = plan.unwrap();
            let (h, out) = spawned!(h, |h| h.execute(&plan));
            assert_eq!(out.unwrap().changes[0].status, Status::Applied);
            let i = iface.clone();
            let (h, out) = spawned!(h, |h| h
                .set_features(&i, &FeatureRequest::new().enable("gso")));
            assert_eq!(out.unwrap().changes[0].status, Status::Applied);

            let i = iface.clone();
            let (h, s) = spawned!(h, |h| h.settings(&i));
            let s = s.unwrap();
            assert!(s.rings.is_none() && s.channels.is_some());
            let req =
                SettingsRequest::new().set(Group::Channels, "tx", Target::Max);
            let i = iface.clone();
            let (h, splan) = spawned!(h, |h| h.plan_settings(&i, &req));
            let splan = splan.unwrap();
            let (h, changes) = spawned!(h, |h| h.execute_settings(&splan));
            changes.unwrap();

            let is = ifaces.clone();
            let (h, cplan) = spawned!(h, |h| h.plan_change(
                "set",
                &is,
                &FeatureRequest::new().disable("gso"),
                FixedPolicy::Error
            ));
            assert_eq!(cplan.unwrap().targets.len(), 1);
            let is = ifaces.clone();
            let req = SettingsRequest::new();
            let (h, cplan) = spawned!(h, |h| h.plan_change_with(
                "set",
                &is,
                &FeatureRequest::new().disable("gso"),
                &req,
                FixedPolicy::Error,
                MissingGroup::Error
            ));
            let cplan = cplan.unwrap();
            let profiles = ethcfg_core::profile::Profiles::builtin().unwrap();
            let profile = profiles.get("capture").unwrap().clone();
            let is = ifaces.clone();
            let (h, pplan) =
                spawned!(h, |h| h.plan_profile(&profile, &is, true));
            assert_eq!(pplan.unwrap().0.targets.len(), 1);

            let lock = state.lock().unwrap();
            let st = state.clone();
            let (h, applied) =
                spawned!(h, |h| h.apply_change(&cplan, &st, false));
            assert_eq!(applied.unwrap().outcomes.len(), 1);
            let i = iface.clone();
            let (h, after) = spawned!(h, |h| h.features(&i));
            assert!(
                !after.unwrap().get("tx-generic-segmentation").unwrap().active
            );
            let st = state.clone();
            let is = ifaces.clone();
            let (_h, reverted) = spawned!(h, |h| h.revert(&is, &st));
            assert_eq!(reverted.unwrap().len(), 1);
            drop(lock);
        });
        assert!(ethtool_active("spa")["tx-generic-segmentation"]);
    });
}
