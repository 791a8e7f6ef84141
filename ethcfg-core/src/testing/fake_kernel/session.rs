//! Fake-kernel tests of the session: family resolution, features read and
//! set, dumps (errors mid-dump, interrupted dumps), pipelined sets and
//! their rollback, error mapping and extended ACKs, replies matched by
//! sequence number — against the scripted kernel of [`crate::testing::fake`].

use futures::executor::block_on;

use crate::change::Engine;
use crate::error::{Error, ErrorKind};
use crate::ethtool::features::{FeatureRequest, InterfaceOutcome, Status};
use crate::ethtool::session::Session;
use crate::iface::IfaceRef;
use crate::netlink::wire::consts::*;
use crate::testing::fake::*;

type Responder = Box<dyn FnMut(&[u8]) -> Vec<Vec<u8>>>;

fn connect(
    f: impl FnMut(&[u8]) -> Vec<Vec<u8>> + 'static,
) -> (crate::Result<Session<Fake<Responder>>>, Log) {
    let fake = Fake::new(Box::new(f) as Responder);
    let log = fake.log();
    (block_on(Session::connect(fake)), log)
}

fn session(
    f: impl FnMut(&[u8]) -> Vec<Vec<u8>> + 'static,
) -> (Session<Fake<Responder>>, Log) {
    let (s, log) = connect(f);
    (s.expect("connect"), log)
}

/// The standard kernel with one override: `f` answers the requests it
/// wants (`Some`), the kernel the rest.
fn kernel_with(
    mut f: impl FnMut(&Req, &mut Kernel) -> Option<Vec<Vec<u8>>> + 'static,
) -> impl FnMut(&[u8]) -> Vec<Vec<u8>> + 'static {
    let mut k = Kernel::new();
    move |raw| {
        let req = Req::parse(raw);
        f(&req, &mut k).unwrap_or_else(|| k.respond(raw))
    }
}

fn requests(log: &Log) -> Vec<Req> {
    log.borrow().iter().map(|r| Req::parse(r)).collect()
}

fn count(log: &Log, cmd: u8) -> usize {
    requests(log).iter().filter(|r| r.is(cmd)).count()
}

fn eth0() -> IfaceRef {
    IfaceRef::by_name("eth0").unwrap()
}

fn change<'a>(
    out: &'a InterfaceOutcome,
    name: &str,
) -> &'a crate::FeatureChange {
    out.changes
        .iter()
        .find(|c| c.feature == name)
        .unwrap_or_else(|| panic!("no change for {name}: {:?}", out.changes))
}

#[test]
fn connect_resolves_the_family_and_reads_features() {
    let (mut s, log) = session(Kernel::new().responder());
    assert_eq!(s.monitor_group(), Some(MONITOR_GROUP));

    let f = block_on(s.features(&eth0())).unwrap();
    assert_eq!((f.ifindex, f.ifname.as_str()), (2, "eth0"));
    // every named bit, none of the unnamed ones
    let named = FEATURE_TABLE.iter().filter(|n| !n.is_empty()).count();
    assert_eq!(f.len(), named);
    assert_eq!(f.iter().count(), named);
    assert!(f.by_index(2).is_none() && f.by_index(32).is_none());
    // bit 0 is a feature like any other
    let sg = f.get("tx-scatter-gather").unwrap();
    assert_eq!(
        (sg.index, sg.active, sg.requested, sg.fixed),
        (0, true, true, false)
    );
    // second word
    let accecn = f.get("tx-tcp-accecn-segmentation").unwrap();
    assert_eq!((accecn.index, accecn.active, accecn.fixed), (33, true, false));
    // fixed: not in HW, or in NOCHANGE
    assert!(
        f.get("highdma").unwrap().fixed && f.get("highdma").unwrap().active
    );
    assert!(f.get("rx-lro").unwrap().fixed && !f.get("rx-lro").unwrap().active);
    assert!(f.get("vlan-challenged").unwrap().fixed);
    // requested on, kept off
    let gro_hw = f.get("rx-gro-hw").unwrap();
    assert_eq!(
        (gro_hw.active, gro_hw.requested, gro_hw.fixed),
        (false, true, false)
    );

    // the table is fetched once per session
    block_on(s.features(&IfaceRef::by_index(1))).unwrap();
    assert_eq!(count(&log, ETHTOOL_MSG_STRSET_GET), 1);

    let reqs = requests(&log);
    assert_eq!((reqs[0].ty, reqs[0].cmd), (GENL_ID_CTRL, CTRL_CMD_GETFAMILY));
    assert_eq!(reqs[0].flags, NLM_F_REQUEST | NLM_F_ACK);
    // sequence numbers increase
    assert!(reqs.windows(2).all(|w| w[1].seq > w[0].seq), "{reqs:?}");
    for r in reqs.iter().filter(|r| r.is(ETHTOOL_MSG_FEATURES_GET)) {
        let h = r.header().unwrap();
        assert_eq!(h.flags, 1, "COMPACT_BITSETS only");
        assert!(h.nested);
    }
}

#[test]
fn no_ethtool_family_is_family_unavailable() {
    let (r, log) = connect(|raw| {
        let req = Req::parse(raw);
        vec![error(&req, libc::ENOENT, None)]
    });
    let e = r.unwrap_err();
    assert!(matches!(e, Error::FamilyUnavailable), "{e:?}");
    assert_eq!(e.kind(), ErrorKind::NotSupported);
    assert_eq!(e.errno(), Some(libc::ENOENT));
    assert!(e.to_string().contains("CONFIG_ETHTOOL_NETLINK"), "{e}");
    assert_eq!(log.borrow().len(), 1);
}

#[test]
fn controller_error_other_than_enoent_stays_a_kernel_error() {
    let (r, _) =
        connect(|raw| vec![error(&Req::parse(raw), libc::EPERM, None)]);
    let e = r.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied, "{e:?}");
}

#[test]
fn missing_features_set_op_is_op_unsupported() {
    let mut k = Kernel::new();
    k.ops.retain(|(id, _)| *id != u32::from(ETHTOOL_MSG_FEATURES_SET));
    let (mut s, log) = session(k.responder());
    // reading still works
    block_on(s.features(&eth0())).unwrap();
    let req = FeatureRequest::new().disable("tx-scatter-gather");
    let e = block_on(s.set_features(&eth0(), &req)).unwrap_err();
    assert!(
        matches!(e, Error::OpUnsupported { op: "FEATURES_SET", .. }),
        "{e:?}"
    );
    assert_eq!(e.kind(), ErrorKind::NotSupported);
    assert_eq!(count(&log, ETHTOOL_MSG_FEATURES_SET), 0);
}

#[test]
fn features_get_without_dump_flag_refuses_the_dump() {
    let mut k = Kernel::new();
    for op in &mut k.ops {
        if op.0 == u32::from(ETHTOOL_MSG_FEATURES_GET) {
            op.1 = GENL_CMD_CAP_DO;
        }
    }
    let (mut s, log) = session(k.responder());
    let e = block_on(s.features_all()).unwrap_err();
    assert!(matches!(e, Error::OpUnsupported { .. }), "{e:?}");
    assert!(requests(&log).iter().all(|r| !r.is_dump()));
    // the do form is still there
    block_on(s.features(&eth0())).unwrap();
}

#[test]
fn truncated_replies_are_malformed() {
    // the controller's reply cut short: nlmsg_len says more than arrived
    let (r, _) = connect(|raw| {
        let req = Req::parse(raw);
        let mut m = family_reply(req.seq, ETHTOOL_OPS);
        m.truncate(m.len() - 10);
        vec![m]
    });
    let e = r.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Malformed, "{e:?}");

    // a FEATURES_GET reply cut short
    let (mut s, _) = session(kernel_with(|req, k| {
        (req.is(ETHTOOL_MSG_FEATURES_GET) && !req.is_dump()).then(|| {
            let mut m = features_reply(req.seq, 0, &k.ifaces[1], &k.nochange);
            m.truncate(m.len() / 2);
            vec![m]
        })
    }));
    let e = block_on(s.features(&eth0())).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Malformed, "{e:?}");
    assert!(e.to_string().contains("FEATURES_GET"), "{e}");
}

/// `msg` with an attribute whose length runs past the message end
/// appended inside the genl payload (the netlink framing stays valid).
fn with_bad_attr(msg: &[u8]) -> Vec<u8> {
    let mut payload = msg[NLMSG_HDRLEN..].to_vec();
    payload.extend_from_slice(&[0xf0, 0x00, 0x02, 0x00, 0, 0, 0, 0]);
    nlmsg(
        u16::from_ne_bytes([msg[4], msg[5]]),
        u16::from_ne_bytes([msg[6], msg[7]]),
        u32_of(&msg[8..12]),
        &payload,
    )
}

#[test]
fn bad_attribute_lengths_are_malformed() {
    let (r, _) = connect(|raw| {
        let req = Req::parse(raw);
        vec![with_bad_attr(&family_reply(req.seq, ETHTOOL_OPS)), ack(&req)]
    });
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Malformed);

    let (mut s, _) = session(kernel_with(|req, k| {
        req.is(ETHTOOL_MSG_FEATURES_GET).then(|| {
            let m = features_reply(req.seq, 0, &k.ifaces[1], &k.nochange);
            vec![with_bad_attr(&m), ack(req)]
        })
    }));
    let e = block_on(s.features(&eth0())).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Malformed, "{e:?}");

    // a bitset length that lies inside a well-framed nest
    let (mut s, _) = session(kernel_with(|req, _| {
        req.is(ETHTOOL_MSG_STRSET_GET).then(|| {
            let m = ethtool_msg(
                0,
                req.seq,
                ETHTOOL_MSG_STRSET_GET_REPLY,
                &[Nla::Raw(
                    ETHTOOL_A_STRSET_STRINGSETS | NLA_F_NESTED,
                    vec![0x30, 0x00, 0x01, 0x80, 0x08, 0x00, 0x01, 0x00],
                )],
            );
            vec![m, ack(req)]
        })
    }));
    let e = block_on(s.features(&eth0())).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Malformed, "{e:?}");
    assert!(e.to_string().contains("STRSET_GET"), "{e}");
}

#[test]
fn a_kernel_that_never_answers_is_an_io_error() {
    let (r, _) = connect(|_| Vec::new());
    let e = r.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io, "{e:?}");
}

#[test]
fn an_empty_feature_table_is_malformed() {
    let (mut s, _) = session(kernel_with(|req, _| {
        req.is(ETHTOOL_MSG_STRSET_GET).then(|| {
            // the kernel omits empty sets
            vec![
                ethtool_msg(0, req.seq, ETHTOOL_MSG_STRSET_GET_REPLY, &[]),
                ack(req),
            ]
        })
    }));
    let e = block_on(s.features(&eth0())).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Malformed, "{e:?}");
}

#[test]
fn dump_reads_every_interface() {
    let (mut s, log) = session(kernel_with(|req, k| {
        // eth0 first: the result is sorted by ifindex anyway
        (req.is(ETHTOOL_MSG_FEATURES_GET) && req.is_dump()).then(|| {
            let a =
                features_reply(req.seq, NLM_F_MULTI, &k.ifaces[1], &k.nochange);
            let b =
                features_reply(req.seq, NLM_F_MULTI, &k.ifaces[0], &k.nochange);
            vec![a, datagram(&[b, done(req.seq, 0, 0)])]
        })
    }));
    let all = block_on(s.features_all()).unwrap();
    let names: Vec<(u32, &str)> =
        all.iter().map(|f| (f.ifindex, f.ifname.as_str())).collect();
    assert_eq!(names, [(1, "lo"), (2, "eth0")]);
    let dump = requests(&log).into_iter().find(|r| r.is_dump()).unwrap();
    assert_eq!(dump.flags, NLM_F_REQUEST | NLM_F_DUMP);
    assert_eq!(
        dump.header().unwrap(),
        ReqHeader { flags: 1, nested: true, ..ReqHeader::default() }
    );
}

#[test]
fn an_error_in_the_middle_of_a_dump_is_an_error() {
    for via_done in [true, false] {
        let (mut s, _) = session(kernel_with(move |req, k| {
            (req.is(ETHTOOL_MSG_FEATURES_GET) && req.is_dump()).then(|| {
                let a = features_reply(
                    req.seq,
                    NLM_F_MULTI,
                    &k.ifaces[0],
                    &k.nochange,
                );
                let b = features_reply(
                    req.seq,
                    NLM_F_MULTI,
                    &k.ifaces[1],
                    &k.nochange,
                );
                let end = if via_done {
                    done(req.seq, libc::EIO, 0)
                } else {
                    error(req, libc::EIO, Some("dump failed"))
                };
                vec![datagram(&[a, b]), end]
            })
        }));
        let e = block_on(s.features_all()).unwrap_err();
        assert_eq!(e.errno(), Some(libc::EIO), "{e:?}");
        assert_eq!(e.kind(), ErrorKind::Kernel);
    }
}

#[test]
fn an_interrupted_dump_is_redone() {
    let mut dumps = 0;
    let (mut s, log) = session(kernel_with(move |req, k| {
        if !(req.is(ETHTOOL_MSG_FEATURES_GET) && req.is_dump()) {
            return None;
        }
        dumps += 1;
        Some(if dumps == 1 {
            // the device list changed under the first dump
            let flags = NLM_F_MULTI | NLM_F_DUMP_INTR;
            let a = features_reply(req.seq, flags, &k.ifaces[0], &k.nochange);
            vec![a, done(req.seq, 0, NLM_F_DUMP_INTR)]
        } else {
            k.ifaces.push(FakeIface::named(7, "veth0"));
            let msgs: Vec<Vec<u8>> = k
                .ifaces
                .iter()
                .map(|i| features_reply(req.seq, NLM_F_MULTI, i, &k.nochange))
                .collect();
            vec![datagram(&msgs), done(req.seq, 0, 0)]
        })
    }));
    let all = block_on(s.features_all()).unwrap();
    let names: Vec<&str> = all.iter().map(|f| f.ifname.as_str()).collect();
    assert_eq!(names, ["lo", "eth0", "veth0"]);
    let dumps: Vec<Req> =
        requests(&log).into_iter().filter(|r| r.is_dump()).collect();
    assert_eq!(dumps.len(), 2);
    assert_ne!(
        dumps[0].seq, dumps[1].seq,
        "a redone dump gets a new sequence number"
    );
}

#[test]
fn dump_intr_on_done_alone_also_redoes_the_dump() {
    let mut dumps = 0;
    let (mut s, log) = session(kernel_with(move |req, k| {
        (req.is(ETHTOOL_MSG_FEATURES_GET) && req.is_dump()).then(|| {
            dumps += 1;
            let a =
                features_reply(req.seq, NLM_F_MULTI, &k.ifaces[0], &k.nochange);
            let intr = if dumps == 1 { NLM_F_DUMP_INTR } else { 0 };
            vec![a, done(req.seq, 0, intr)]
        })
    }));
    assert_eq!(block_on(s.features_all()).unwrap().len(), 1);
    assert_eq!(requests(&log).iter().filter(|r| r.is_dump()).count(), 2);
}

#[test]
fn a_dump_interrupted_every_time_gives_up() {
    let (mut s, log) = session(kernel_with(|req, k| {
        (req.is(ETHTOOL_MSG_FEATURES_GET) && req.is_dump()).then(|| {
            let flags = NLM_F_MULTI | NLM_F_DUMP_INTR;
            let a = features_reply(req.seq, flags, &k.ifaces[0], &k.nochange);
            vec![datagram(&[a, done(req.seq, 0, 0)])]
        })
    }));
    let e = block_on(s.features_all()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Malformed, "{e:?}");
    assert!(e.to_string().contains("NLM_F_DUMP_INTR"), "{e}");
    let n = requests(&log).iter().filter(|r| r.is_dump()).count();
    assert_eq!(n, 8, "bounded retries");
}

#[test]
fn partial_refusal_is_reported_per_feature() {
    let (mut s, log) = session(kernel_with(|req, k| {
        req.is(ETHTOOL_MSG_FEATURES_SET).then(|| {
            let ifc = &k.ifaces[1];
            let (sg, gso, hashing) = (
                bit("tx-scatter-gather"),
                bit("tx-generic-segmentation"),
                bit("rx-hashing"),
            );
            // rx-hashing on was refused (still off); sg off applied,
            // and GSO went off with it
            let mut active = ifc.active.clone();
            active.retain(|b| *b != sg && *b != gso);
            let reply = set_reply(
                req.seq,
                ifc,
                (&[hashing], &[hashing]),
                (&active, &[sg, gso]),
            );
            vec![reply, ack(req)]
        })
    }));
    let req =
        FeatureRequest::new().disable("tx-scatter-gather").enable("rx-hashing");
    let out = block_on(s.set_features(&eth0(), &req)).unwrap();
    assert_eq!((out.ifindex, out.ifname.as_str()), (2, "eth0"));

    let refused = change(&out, "rx-hashing");
    assert_eq!(refused.status, Status::Refused);
    assert_eq!(
        (refused.from, refused.to),
        (false, true),
        "from = the state it stayed in"
    );
    let applied = change(&out, "tx-scatter-gather");
    assert_eq!(applied.status, Status::Applied);
    assert_eq!((applied.from, applied.to), (true, false));
    let side = change(&out, "tx-generic-segmentation");
    assert_eq!(side.status, Status::SideEffect);
    assert_eq!((side.from, side.to), (true, false));
    assert_eq!(out.changes.len(), 3, "{:?}", out.changes);
    assert_eq!(
        out.changes[2].status,
        Status::SideEffect,
        "requested ones first"
    );
    assert!(out.any_refused());
    assert!(out.changed());
    assert!(out.warnings.is_empty());

    // the request held exactly the requested bits, by name
    let set: Vec<Req> = requests(&log)
        .into_iter()
        .filter(|r| r.is(ETHTOOL_MSG_FEATURES_SET))
        .collect();
    assert_eq!(set.len(), 1);
    let mut bits = set[0].wanted_bits();
    bits.sort();
    assert_eq!(
        bits,
        [
            ("rx-hashing".to_owned(), true),
            ("tx-scatter-gather".to_owned(), false)
        ]
    );
    let h = set[0].header().unwrap();
    assert_eq!(
        h.index,
        Some(2),
        "by index: the interface the plan was made for"
    );
    assert_eq!(h.flags & 2, 0, "no OMIT_REPLY");
    assert_eq!(set[0].flags, NLM_F_REQUEST | NLM_F_ACK);
}

#[test]
fn refusal_and_side_effects_from_the_kernel_model() {
    let mut k = Kernel::new();
    k.ifaces[1].stuck.push(bit("rx-hashing"));
    let (mut s, _) = session(k.responder());
    let req = FeatureRequest::new().disable("sg").enable("rx-hashing");
    let out = block_on(s.set_features(&eth0(), &req)).unwrap();
    assert_eq!(change(&out, "rx-hashing").status, Status::Refused);
    assert_eq!(change(&out, "tx-scatter-gather").status, Status::Applied);
    for dep in [
        "tx-tcp-segmentation",
        "tx-tcp-ecn-segmentation",
        "tx-tcp-mangleid-segmentation",
        "tx-tcp6-segmentation",
        "tx-generic-segmentation",
    ] {
        let c = change(&out, dep);
        assert_eq!(
            (c.status, c.from, c.to),
            (Status::SideEffect, true, false),
            "{dep}"
        );
    }
    // not in the kernel's TSO mask: stays on
    assert!(out
        .changes
        .iter()
        .all(|c| c.feature != "tx-tcp-accecn-segmentation"));
    // a re-read shows the new state
    let f = block_on(s.features(&eth0())).unwrap();
    assert!(!f.get("tx-tcp-segmentation").unwrap().active);
    assert!(f.get("tx-tcp-accecn-segmentation").unwrap().active);
}

fn set_error(errno: i32, msg: Option<&'static str>) -> Error {
    let (mut s, _) = session(kernel_with(move |req, _| {
        req.is(ETHTOOL_MSG_FEATURES_SET).then(|| vec![error(req, errno, msg)])
    }));
    let req = FeatureRequest::new().disable("tso");
    block_on(s.set_features(&eth0(), &req)).unwrap_err()
}

#[test]
fn eperm_is_permission_denied() {
    let e = set_error(libc::EPERM, None);
    assert!(
        matches!(e, Error::PermissionDenied { op: "FEATURES_SET", .. }),
        "{e:?}"
    );
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    assert_eq!(e.errno(), Some(libc::EPERM));
    let msg = e.to_string();
    assert!(msg.contains("CAP_NET_ADMIN"), "{msg}");
    assert!(msg.starts_with("eth0: "), "{msg}");
}

#[test]
fn enodev_is_no_such_interface() {
    let e = set_error(libc::ENODEV, Some("no device matches ifindex"));
    assert!(
        matches!(&e, Error::NoSuchInterface { iface } if iface == "eth0"),
        "{e:?}"
    );
    assert_eq!(e.kind(), ErrorKind::NotFound);

    // and on a read, from the kernel model
    let (mut s, _) = session(Kernel::new().responder());
    let e = block_on(s.features(&IfaceRef::by_name("nosuch0").unwrap()))
        .unwrap_err();
    assert!(
        matches!(&e, Error::NoSuchInterface { iface } if iface == "nosuch0"),
        "{e:?}"
    );
}

#[test]
fn einval_keeps_the_kernels_reason() {
    let e = set_error(libc::EINVAL, Some("reserved bit set"));
    assert!(matches!(e, Error::Kernel { .. }), "{e:?}");
    assert_eq!(e.extack(), Some("reserved bit set"));
    assert_eq!(e.errno(), Some(libc::EINVAL));
    assert_eq!(e.kind(), ErrorKind::Kernel);
    let msg = e.to_string();
    assert!(
        msg.contains("EINVAL") && msg.contains("reserved bit set"),
        "{msg}"
    );

    // without a reason: the message says nothing the kernel did not (the
    // CLI points at dmesg, render/error.rs)
    let e = set_error(libc::EBUSY, None);
    assert_eq!(e.extack(), None);
    assert!(
        e.to_string().ends_with("kernel refused FEATURES_SET: EBUSY"),
        "{e}"
    );
    // EOPNOTSUPP classifies as not supported
    let e = set_error(libc::EOPNOTSUPP, Some("bit name not found"));
    assert_eq!(e.kind(), ErrorKind::NotSupported);
    assert_eq!(e.extack(), Some("bit name not found"));
}

#[test]
fn ack_warnings_reach_the_outcome() {
    let (mut s, _) = session(kernel_with(|req, k| {
        req.is(ETHTOOL_MSG_FEATURES_SET).then(|| {
            let mut replies = k.respond(&req.raw);
            let last = replies.len() - 1;
            replies[last] =
                ack_warning(req, "feature change deferred until link up");
            replies
        })
    }));
    let req = FeatureRequest::new().disable("rx-gro");
    let out = block_on(s.set_features(&eth0(), &req)).unwrap();
    assert_eq!(out.warnings, ["feature change deferred until link up"]);
    assert_eq!(change(&out, "rx-gro").status, Status::Applied);
}

#[test]
fn unknown_feature_is_rejected_before_sending() {
    let (mut s, log) = session(Kernel::new().responder());
    let req =
        FeatureRequest::new().disable("rx-gro").disable("tx-scater-gather");
    let e = block_on(s.set_features(&eth0(), &req)).unwrap_err();
    match &e {
        Error::UnknownFeature { name, suggestions, iface } => {
            assert_eq!(name, "tx-scater-gather");
            assert_eq!(iface.as_deref(), Some("eth0"));
            assert!(
                suggestions.iter().any(|s| s == "tx-scatter-gather"),
                "{suggestions:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(count(&log, ETHTOOL_MSG_FEATURES_SET), 0);
    assert_eq!(
        count(&log, ETHTOOL_MSG_FEATURES_GET),
        1,
        "planned from a fresh read"
    );
}

#[test]
fn fixed_feature_is_rejected_before_sending() {
    let (mut s, log) = session(Kernel::new().responder());
    for (name, on, active) in [
        ("rx-lro", true, false),
        ("highdma", false, true),
        ("vlan-challenged", true, false),
    ] {
        let req = FeatureRequest::new().set(name, on);
        let e = block_on(s.set_features(&eth0(), &req)).unwrap_err();
        match &e {
            Error::FixedFeature { name: n, active: a, .. } => {
                assert_eq!((n.as_str(), *a), (name, active))
            }
            other => panic!("{name}: {other:?}"),
        }
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
    }
    assert_eq!(count(&log, ETHTOOL_MSG_FEATURES_SET), 0);
}

#[test]
fn nothing_to_change_sends_nothing() {
    let (mut s, log) = session(Kernel::new().responder());
    // already on and requested on; fixed and already in that state
    let req = FeatureRequest::new()
        .enable("rx-gro")
        .enable("highdma")
        .disable("rx-lro");
    let plan = block_on(s.plan_features(&eth0(), &req)).unwrap();
    assert!(plan.is_empty(), "{plan:?}");
    let out = block_on(s.execute(&plan)).unwrap();
    assert!(out.changes.is_empty() && !out.changed() && !out.any_refused());
    let out = block_on(s.set_features(&eth0(), &req)).unwrap();
    assert!(out.changes.is_empty());
    assert_eq!(count(&log, ETHTOOL_MSG_FEATURES_SET), 0);
}

#[test]
fn tso_expands_against_the_kernel_table() {
    let (mut s, log) = session(Kernel::new().responder());
    let req = FeatureRequest::new().disable("tso");
    let out = block_on(s.set_features(&eth0(), &req)).unwrap();
    let tso = [
        "tx-tcp-segmentation",
        "tx-tcp-ecn-segmentation",
        "tx-tcp-mangleid-segmentation",
        "tx-tcp6-segmentation",
        "tx-tcp-accecn-segmentation",
    ];
    let set = requests(&log)
        .into_iter()
        .find(|r| r.is(ETHTOOL_MSG_FEATURES_SET))
        .unwrap();
    let mut sent = set.wanted_bits();
    sent.sort();
    let mut want: Vec<(String, bool)> =
        tso.iter().map(|n| (n.to_string(), false)).collect();
    want.sort();
    assert_eq!(sent, want);
    for n in tso {
        let c = change(&out, n);
        assert_eq!(
            (c.status, c.from, c.to),
            (Status::Applied, true, false),
            "{n}"
        );
    }
    assert_eq!(out.changes.len(), tso.len(), "{:?}", out.changes);
    // the long name is the same flag
    let plan = block_on(s.plan_features(
        &eth0(),
        &FeatureRequest::new().enable("tcp-segmentation-offload"),
    ))
    .unwrap();
    assert_eq!(plan.bits.len(), tso.len());
}

#[test]
fn replies_with_another_sequence_number_are_skipped() {
    let (mut s, _) = session(|raw: &[u8]| {
        let req = Req::parse(raw);
        let mut stale = req.clone();
        stale.seq = req.seq.wrapping_sub(1);
        let mut k = Kernel::new();
        let mut out = vec![
            // an error for an abandoned request, and someone else's data
            error(&stale, libc::EINVAL, Some("stale")),
            datagram(&[
                features_reply(req.seq + 100, 0, &FakeIface::lo(), &[]),
                ack(&stale),
            ]),
        ];
        out.extend(k.respond(raw));
        out
    });
    let f = block_on(s.features(&eth0())).unwrap();
    assert_eq!(f.ifname, "eth0");
    assert!(f.get("tx-scatter-gather").unwrap().active);
}

#[test]
fn reply_and_ack_in_one_datagram() {
    let (mut s, _) = session(|raw: &[u8]| {
        let mut k = Kernel::new();
        vec![datagram(&k.respond(raw))]
    });
    let f = block_on(s.features(&eth0())).unwrap();
    assert_eq!(f.ifindex, 2);
}

#[test]
fn requested_changes_are_in_bit_order() {
    let (mut s, _) = session(Kernel::new().responder());
    let req =
        FeatureRequest::new().disable("rx-gro").disable("tx-scatter-gather");
    let out = block_on(s.set_features(&eth0(), &req)).unwrap();
    let requested: Vec<&str> = out
        .changes
        .iter()
        .filter(|c| c.status != Status::SideEffect)
        .map(|c| c.feature.as_str())
        .collect();
    assert_eq!(requested, ["tx-scatter-gather", "rx-gro"]);
}

#[test]
fn warnings_belong_to_the_request_that_carried_them() {
    let (mut s, _) = session(kernel_with(|req, k| {
        req.is(ETHTOOL_MSG_FEATURES_GET).then(|| {
            let mut replies = k.respond(&req.raw);
            let last = replies.len() - 1;
            replies[last] = ack_warning(req, "warning about the read");
            replies
        })
    }));
    let req = FeatureRequest::new().disable("rx-gro");
    let out = block_on(s.set_features(&eth0(), &req)).unwrap();
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
}

#[test]
fn missing_set_reply_is_malformed() {
    // a kernel before 5.7 answers FEATURES_SET with the bare ACK
    let (mut s, _) = session(kernel_with(|req, _| {
        req.is(ETHTOOL_MSG_FEATURES_SET).then(|| vec![ack(req)])
    }));
    let e = block_on(
        s.set_features(&eth0(), &FeatureRequest::new().disable("gro")),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Malformed, "{e:?}");
}

#[test]
fn apply_pipelines_feature_sets_and_rolls_back_past_a_failure() {
    // eth0, eth1 (fails: gone), eth2: the three FEATURES_SETs go out
    // in one datagram; the kernel answers each; eth2, changed after
    // the failure, is rolled back with eth0.
    let fake = Fake::new(Box::new(kernel_with(|req, k| {
        if k.ifaces.len() == 2 {
            k.ifaces.push(FakeIface::named(3, "eth1"));
            k.ifaces.push(FakeIface::named(4, "eth2"));
        }
        let h = req.header()?;
        (req.is(ETHTOOL_MSG_FEATURES_SET) && h.index == Some(3))
            .then(|| vec![error(req, libc::ENODEV, None)])
    })) as Responder);
    let log = fake.log();
    let sends = fake.datagrams();
    let mut s = block_on(Session::connect(fake)).unwrap();
    let ifaces: Vec<IfaceRef> = ["eth0", "eth1", "eth2"]
        .iter()
        .map(|n| IfaceRef::by_name(*n).unwrap())
        .collect();
    let req = FeatureRequest::new().disable("gro");
    let plan = block_on(Engine::new(&mut s).plan_change(
        "set",
        &ifaces,
        &req,
        crate::ethtool::features::FixedPolicy::Error,
    ))
    .unwrap();
    let before: Vec<_> =
        plan.targets.iter().map(|t| t.before.clone()).collect();
    let dir = std::env::temp_dir()
        .join(format!("ethcfg-fake-pipeline-{}", std::process::id()));
    let state = crate::state::StateDir::new(&dir);
    let (logged, sent) = (log.borrow().len(), *sends.borrow());
    let e = block_on(Engine::new(&mut s).apply_change(&plan, &state, false))
        .unwrap_err();
    let Error::ApplyFailed { iface, rolled_back, rollback_failed, source } = e
    else {
        panic!("{e:?}")
    };
    assert_eq!(iface, "eth1");
    assert_eq!(source.errno(), Some(libc::ENODEV));
    assert_eq!(rolled_back, ["eth2", "eth0"]);
    assert!(rollback_failed.is_empty());
    let reqs = requests(&log);
    let sets: Vec<&Req> = reqs[logged..]
        .iter()
        .filter(|r| r.is(ETHTOOL_MSG_FEATURES_SET))
        .collect();
    let targets: Vec<Option<u32>> =
        sets.iter().map(|r| r.header().unwrap().index).collect();
    // three sets pipelined, then one restore each for eth2 and eth0
    assert_eq!(targets, [Some(2), Some(3), Some(4), Some(4), Some(2)]);
    assert_eq!(
        *sends.borrow() - sent,
        1 + 2 * 2,
        "one datagram for the three sets; a read and a set per restore"
    );
    for b in &before {
        let now = block_on(s.features(&IfaceRef::by_index(b.ifindex))).unwrap();
        assert_eq!(&now, b, "{} restored", b.ifname);
    }
    assert_eq!(state.load_all().unwrap().len(), 0, "records put back");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_rollback_names_only_the_interfaces_that_were_changed() {
    // eth0's driver keeps gro on (a refusal: nothing changed there), eth1
    // fails, eth2 changed: only eth2 is "rolled back".
    let fake = Fake::new(Box::new(kernel_with(|req, k| {
        if k.ifaces.len() == 2 {
            if let Some(e) = k.ifaces.iter_mut().find(|i| i.name == "eth0") {
                e.stuck = vec![bit("rx-gro")];
            }
            k.ifaces.push(FakeIface::named(3, "eth1"));
            k.ifaces.push(FakeIface::named(4, "eth2"));
        }
        let h = req.header()?;
        (req.is(ETHTOOL_MSG_FEATURES_SET) && h.index == Some(3))
            .then(|| vec![error(req, libc::ENODEV, None)])
    })) as Responder);
    let mut s = block_on(Session::connect(fake)).unwrap();
    let ifaces: Vec<IfaceRef> = ["eth0", "eth1", "eth2"]
        .iter()
        .map(|n| IfaceRef::by_name(*n).unwrap())
        .collect();
    let plan = block_on(Engine::new(&mut s).plan_change(
        "set",
        &ifaces,
        &FeatureRequest::new().disable("gro"),
        crate::ethtool::features::FixedPolicy::Error,
    ))
    .unwrap();
    let dir = std::env::temp_dir()
        .join(format!("ethcfg-fake-rollback-only-{}", std::process::id()));
    let state = crate::state::StateDir::new(&dir);
    let e = block_on(Engine::new(&mut s).apply_change(&plan, &state, false))
        .unwrap_err();
    let Error::ApplyFailed { rolled_back, rollback_failed, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(rolled_back, &["eth2"], "{e}");
    assert!(rollback_failed.is_empty());
    // one interface prefix, not two
    assert!(e.to_string().starts_with("eth1: no such interface"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_feature_asked_on_that_the_request_turns_off_is_refused_with_why() {
    // issue 12: `sg off tso on` with TSO already on: the kernel drops TSO
    // (it needs SG). TSO was asked for: refused, with the reason — not a
    // side effect.
    let (mut s, _) = session(Kernel::new().responder());
    let req = FeatureRequest::new()
        .disable("tx-scatter-gather")
        .enable("tx-tcp-segmentation");
    let out = block_on(s.set_features(&eth0(), &req)).unwrap();
    let tso = change(&out, "tx-tcp-segmentation");
    assert_eq!(tso.status, Status::Refused, "{tso:?}");
    assert_eq!((tso.from, tso.to), (false, true));
    assert_eq!(
        tso.reason.as_deref(),
        Some("depends on tx-scatter-gather, which this request turns off")
    );
    assert!(out.any_refused());
    // what was not asked for stays a side effect, without a reason
    let gso = change(&out, "tx-tcp6-segmentation");
    assert_eq!((gso.status, gso.reason.as_deref()), (Status::SideEffect, None));
    assert_eq!(change(&out, "tx-scatter-gather").status, Status::Applied);
}
