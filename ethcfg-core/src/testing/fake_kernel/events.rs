//! The monitor end to end over the fake kernel: its start (family, group,
//! feature names, the links present, joined before the link dump) and the
//! iterator over a scripted sequence of datagrams and socket errors,
//! `ENOBUFS` among them.

use std::cell::Cell;
use std::collections::VecDeque;
use std::io;
use std::task::{Context, Poll};

use crate::events::decode::Source;
use crate::events::monitor::{start, Events, Wait};
use crate::events::Event;
use crate::netlink::transport::run_sync;
use crate::netlink::wire::consts::NLM_F_MULTI;
use crate::testing::fake::{
    done, features_reply, Fake, FakeIface, Kernel, MONITOR_GROUP, PORT,
};

const NEWLINK_X2: &[u8] =
    include_bytes!("../golden/testdata/newlink_x2_added.bin");
const DELLINK_X1: &[u8] = include_bytes!("../golden/testdata/dellink_x1.bin");

/// rtnetlink answering an `RTM_GETLINK` dump with the captured `x2`.
fn route(raw: &[u8]) -> Vec<Vec<u8>> {
    let seq = u32::from_ne_bytes(raw[8..12].try_into().unwrap());
    let mut link = NEWLINK_X2.to_vec();
    link[6..8].copy_from_slice(&NLM_F_MULTI.to_ne_bytes());
    link[8..12].copy_from_slice(&seq.to_ne_bytes());
    link[12..16].copy_from_slice(&PORT.to_ne_bytes());
    vec![link, done(seq, 0, 0)]
}

/// Datagrams and errors in order; then the socket fails (so a test that
/// reads one too many ends instead of hanging).
struct Script(VecDeque<(Source, io::Result<Vec<u8>>)>);

impl Wait for Script {
    fn poll_recv(
        &mut self,
        _: &mut Context<'_>,
        buf: &mut Vec<u8>,
    ) -> Poll<(Source, io::Result<()>)> {
        Poll::Ready(match self.0.pop_front() {
            Some((source, r)) => (source, r.map(|d| *buf = d)),
            None => (Source::Ethtool, Err(io::Error::other("script ended"))),
        })
    }
}

fn enobufs() -> io::Error {
    io::Error::from_raw_os_error(libc::ENOBUFS)
}

#[test]
fn monitor_starts_joined_then_iterates_events_overruns_and_ends_on_error() {
    let joined = Cell::new(None);
    let route_fake = Fake::new(route);
    let dumps = route_fake.log();
    let decoder = run_sync(start(
        Fake::new(Kernel::new().responder()),
        route_fake,
        |group| {
            assert!(dumps.borrow().is_empty(), "joined before the link dump");
            joined.set(Some(group));
            Ok(())
        },
    ))
    .unwrap();
    assert_eq!(joined.get(), Some(MONITOR_GROUP));

    let mut ntf = features_reply(0, 0, &FakeIface::eth0(), &[]);
    ntf[16] = 13; // FEATURES_NTF: the GET reply's attributes, pushed
    let script = Script(VecDeque::from([
        // x2 was in the dump: a NEWLINK in the same state is no event
        (Source::Route, Ok(NEWLINK_X2.to_vec())),
        (Source::Ethtool, Ok(ntf)),
        (Source::Route, Err(enobufs())),
        (Source::Ethtool, Err(io::Error::from(io::ErrorKind::Interrupted))),
        (Source::Route, Ok(DELLINK_X1.to_vec())),
    ]));
    let mut events = Events::new(script, decoder);
    match events.next() {
        Some(Ok(Event::FeaturesChanged { ifindex: 2, ifname, features })) => {
            assert_eq!(ifname, "eth0");
            assert!(features.get("tx-tcp-segmentation").unwrap().active);
            assert!(features.get("highdma").unwrap().fixed);
        }
        other => panic!("features event expected, got {other:?}"),
    }
    assert_eq!(events.next().unwrap().unwrap(), Event::Overrun);
    assert_eq!(
        events.next().unwrap().unwrap(),
        Event::LinkRemoved { ifindex: 5, ifname: "x1".into() }
    );
    let end = events.next().unwrap().unwrap_err();
    assert_eq!(end.kind(), crate::ErrorKind::Io, "{end}");
    assert!(events.next().is_none(), "a failed socket ends the iterator");
}

#[test]
fn a_bad_notification_is_an_error_item_and_the_monitor_goes_on() {
    let decoder = run_sync(start(
        Fake::new(Kernel::new().responder()),
        Fake::new(route),
        |_| Ok(()),
    ))
    .unwrap();
    let script = Script(VecDeque::from([
        (Source::Route, Ok(NEWLINK_X2[..40].to_vec())),
        (Source::Route, Ok(DELLINK_X1.to_vec())),
    ]));
    let mut events = Events::new(script, decoder);
    assert!(events.next().unwrap().is_err());
    assert!(matches!(
        events.next().unwrap().unwrap(),
        Event::LinkRemoved { ifindex: 5, .. }
    ));
}

#[test]
fn a_kernel_without_the_monitor_group_is_op_unsupported() {
    use crate::netlink::wire::consts::*;
    use crate::testing::fake::{
        genl, s, Nla, CTRL_CMD_NEWFAMILY, CTRL_VERSION, FAMILY_ID,
    };
    let mut kernel = Kernel::new();
    // The family, without its multicast groups.
    let responder = move |raw: &[u8]| {
        if raw[4..6] != GENL_ID_CTRL.to_ne_bytes() {
            return kernel.respond(raw);
        }
        let seq = u32::from_ne_bytes(raw[8..12].try_into().unwrap());
        let family = genl(
            GENL_ID_CTRL,
            0,
            seq,
            CTRL_CMD_NEWFAMILY,
            CTRL_VERSION,
            &[
                s(CTRL_ATTR_FAMILY_NAME, ETHTOOL_GENL_NAME),
                Nla::U16(CTRL_ATTR_FAMILY_ID, FAMILY_ID),
            ],
        );
        let mut replies = kernel.respond(raw);
        replies[0] = family;
        replies
    };
    let err =
        run_sync(start(Fake::new(responder), Fake::new(route), |_| Ok(())))
            .unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::NotSupported, "{err}");
}
