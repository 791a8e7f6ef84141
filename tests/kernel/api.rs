//! The library API against the real kernel: blocking and async, by name
//! and by index, one dump for all.

use ethcfg_core::{
    blocking::Client, ChangeStatus, ErrorKind, FeatureRequest, Handle, IfaceRef,
};

use crate::harness::{self, tests};
use crate::util::*;

tests! {
    harness::root: [
        blocking_api_reads_by_name_and_index_and_dumps_all,
        blocking_api_plan_then_execute,
        async_api_on_a_current_thread_runtime,
    ],
    harness::nothing: [
        async_api_without_a_runtime_is_an_error_not_a_panic,
    ],
}

fn blocking_api_reads_by_name_and_index_and_dumps_all() {
    in_netns(|| {
        veth("baa", "bab");
        let mut c = Client::new().unwrap();
        let by_name = c.features(&IfaceRef::name("baa").unwrap()).unwrap();
        assert_eq!(by_name.ifname, "baa");
        let by_index = c.features(&IfaceRef::index(by_name.ifindex)).unwrap();
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
            IfaceRef::name_and_index("baa", by_name.ifindex + 1000).unwrap();
        assert_eq!(c.features(&wrong).unwrap_err().kind(), ErrorKind::NotFound);
    });
}

fn blocking_api_plan_then_execute() {
    in_netns(|| {
        veth("bpa", "bpb");
        let mut c = Client::new().unwrap();
        let iface = IfaceRef::name("bpa").unwrap();
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
            .all(|c| c.status == ChangeStatus::Planned));
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
            let iface = IfaceRef::name("asa").unwrap();
            let f = h.features(&iface).await.unwrap();
            assert!(f.get("tx-generic-segmentation").unwrap().active);
            let out = h
                .set_features(&iface, &FeatureRequest::new().disable("gso"))
                .await
                .unwrap();
            assert_eq!(out.changes.len(), 1);
            assert_eq!(out.changes[0].feature, "tx-generic-segmentation");
            assert_eq!(out.changes[0].status, ChangeStatus::Applied);
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
