//! Message framing, errors and extended ACKs: several messages per datagram,
//! lengths bounding payloads, truncated datagrams, garbage.

use crate::netlink::wire::bitset::Bitset;
use crate::netlink::wire::consts::*;
use crate::netlink::wire::header::{Dev, ReplyDev};
use crate::netlink::wire::message::{split, ExtAck, Received};
use crate::netlink::wire::{ctrl, features, message, strset};
use crate::testing::fake::{
    self, datagram, encode, ethtool_msg, find, nlmsg, reply_header, s, Nla,
    FAMILY_ID,
};

use super::*;

pub(super) const ERROR_CAPPED: &[u8] = &[
    // nlmsghdr
    0x44, 0x00, 0x00, 0x00, // length 68
    0x02, 0x00, // type 2 NLMSG_ERROR
    0x00, 0x03, // flags NLM_F_CAPPED | NLM_F_ACK_TLVS
    0x07, 0x00, 0x00, 0x00, // sequence number 7
    0x92, 0x10, 0x00, 0x00, // port id
    // struct nlmsgerr
    0xa1, 0xff, 0xff, 0xff, // error -95 (-EOPNOTSUPP)
    0x60, 0x00, 0x00, 0x00, // echoed header: length 96
    0x15, 0x00, // type 21
    0x05, 0x00, // flags REQUEST | ACK
    0x07, 0x00, 0x00, 0x00, // sequence number 7
    0x92, 0x10, 0x00, 0x00, // port id
    // NLMSGERR_ATTR_MSG
    0x17, 0x00, 0x01, 0x00, // len 23, type 1
    b'b', b'i', b't', b' ', b'n', b'a', b'm', b'e', b' ', b'n', b'o', b't',
    b' ', b'f', b'o', b'u', b'n', b'd', 0x00, // "bit name not found\0"
    0x00, // padding
    // NLMSGERR_ATTR_OFFS
    0x08, 0x00, 0x02, 0x00, // len 8, type 2
    0x34, 0x00, 0x00, 0x00, // offset 52: the first BIT nest's NAME
];

fn expected_extack() -> ExtAck {
    ExtAck {
        msg: Some("bit name not found".into()),
        offset: Some(52),
        missing_type: None,
    }
}

#[test]
fn error_with_extack_capped() {
    let r = split(ERROR_CAPPED).unwrap().into_vec();
    assert_eq!(
        r,
        [Received::Error { seq: 7, errno: 95, ext: expected_extack() }]
    );
}

#[test]
fn error_with_extack_uncapped_echoes_the_whole_request() {
    // the request whose BIT NAME the offset points at
    let req = features::set_request(
        FAMILY_ID,
        7,
        Dev::Index(3),
        [(70, "tx-bogus", false)],
    )
    .unwrap();
    let mut payload = (-libc::EOPNOTSUPP).to_ne_bytes().to_vec();
    payload.extend_from_slice(&req);
    payload.extend_from_slice(&encode(&[
        s(NLMSGERR_ATTR_MSG, "bit name not found"),
        Nla::U32(NLMSGERR_ATTR_OFFS, 60),
    ]));
    let msg = nlmsg(NLMSG_ERROR, NLM_F_ACK_TLVS, 7, &payload);
    let r = split(&msg).unwrap().into_vec();
    assert_eq!(
        r,
        [Received::Error {
            seq: 7,
            errno: 95,
            ext: ExtAck { offset: Some(60), ..expected_extack() }
        }]
    );
    // the offset is counted from the request's nlmsghdr: it is the NAME
    assert_eq!(&req[60 + 2..60 + 4], &ETHTOOL_A_BITSET_BIT_NAME.to_ne_bytes());

    // without ACK_TLVS, the echoed request is not mistaken for TLVs
    let msg = nlmsg(NLMSG_ERROR, 0, 7, &payload[..4 + req.len()]);
    assert_eq!(
        split(&msg).unwrap().into_vec(),
        [Received::Error { seq: 7, errno: 95, ext: ExtAck::default() }]
    );
}

#[test]
fn error_with_missing_attribute_type() {
    let mut payload = (-libc::EINVAL).to_ne_bytes().to_vec();
    payload.extend_from_slice(&ERROR_CAPPED[20..36]);
    payload.extend_from_slice(&encode(&[Nla::U32(NLMSGERR_ATTR_MISS_TYPE, 1)]));
    let msg = nlmsg(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 7, &payload);
    let r = split(&msg).unwrap().into_vec();
    let [Received::Error { errno: 22, ext, .. }] = r.as_slice() else {
        panic!("{r:?}")
    };
    assert_eq!(ext, &ExtAck { msg: None, offset: None, missing_type: Some(1) });
}

#[test]
fn ack_with_a_warning() {
    let msg: Vec<u8> = cat(&[
        // nlmsghdr
        &[0x34, 0x00, 0x00, 0x00], // length 52
        &[0x02, 0x00],             // type 2 NLMSG_ERROR
        &[0x00, 0x03],             // flags NLM_F_CAPPED | NLM_F_ACK_TLVS
        &[0x0c, 0x00, 0x00, 0x00], // sequence number 12
        &[0x92, 0x10, 0x00, 0x00], // port id
        // struct nlmsgerr
        &[0x00, 0x00, 0x00, 0x00], // error 0: an ACK
        &[0x60, 0x00, 0x00, 0x00], // echoed header: length 96
        &[0x15, 0x00, 0x05, 0x00], // type 21, flags REQUEST | ACK
        &[0x0c, 0x00, 0x00, 0x00], // sequence number 12
        &[0x92, 0x10, 0x00, 0x00], // port id
        // NLMSGERR_ATTR_MSG
        &[0x0f, 0x00, 0x01, 0x00], // len 15, type 1
        b"deprecated\0\0",         // "deprecated" + NUL + padding
    ]);
    let r = split(&msg).unwrap().into_vec();
    let [Received::Error { seq: 12, errno: 0, ext }] = r.as_slice() else {
        panic!("{r:?}")
    };
    assert_eq!(ext.msg.as_deref(), Some("deprecated"));

    // a plain ACK
    let ack = &msg[..36];
    let mut ack = ack.to_vec();
    ack[0] = 36;
    ack[7] = 0x01; // NLM_F_CAPPED only
    assert_eq!(
        split(&ack).unwrap().into_vec(),
        [Received::Error { seq: 12, errno: 0, ext: ExtAck::default() }]
    );
}

#[test]
fn done_carries_the_dumps_errno() {
    let done_eio: &[u8] = &[
        0x14, 0x00, 0x00, 0x00, // length 20
        0x03, 0x00, // type 3 NLMSG_DONE
        0x02, 0x00, // flags NLM_F_MULTI
        0x0b, 0x00, 0x00, 0x00, // sequence number 11
        0x92, 0x10, 0x00, 0x00, // port id
        0xfb, 0xff, 0xff, 0xff, // -5 (-EIO)
    ];
    assert_eq!(
        split(done_eio).unwrap().into_vec(),
        [Received::Done {
            seq: 11,
            flags: NLM_F_MULTI,
            errno: 5,
            ext: ExtAck::default()
        }]
    );
    let mut done_ok = done_eio.to_vec();
    done_ok[16..20].copy_from_slice(&[0; 4]);
    assert_eq!(
        split(&done_ok).unwrap().into_vec(),
        [Received::Done {
            seq: 11,
            flags: NLM_F_MULTI,
            errno: 0,
            ext: ExtAck::default()
        }]
    );
    // an old kernel's DONE without payload
    let bare = nlmsg(NLMSG_DONE, NLM_F_MULTI, 11, &[]);
    assert!(matches!(
        split(&bare).unwrap().into_vec().as_slice(),
        [Received::Done { errno: 0, .. }]
    ));
    // with extended-ACK text
    let mut payload = (-libc::EMSGSIZE).to_ne_bytes().to_vec();
    payload.extend_from_slice(&encode(&[s(NLMSGERR_ATTR_MSG, "dump too big")]));
    let m = nlmsg(NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS, 11, &payload);
    let r = split(&m).unwrap().into_vec();
    let [Received::Done { errno, ext, .. }] = r.as_slice() else {
        panic!("{r:?}")
    };
    assert_eq!(
        (*errno, ext.msg.as_deref()),
        (libc::EMSGSIZE, Some("dump too big"))
    );
}

/// Two FEATURES_GET_REPLY dump parts, a NOOP and the DONE.
pub(super) fn multi_datagram() -> Vec<u8> {
    let a = ethtool_msg(
        NLM_F_MULTI,
        11,
        ETHTOOL_MSG_FEATURES_GET_REPLY,
        &[reply_header(1, "lo")],
    );
    let b = ethtool_msg(
        NLM_F_MULTI,
        11,
        ETHTOOL_MSG_FEATURES_GET_REPLY,
        &[reply_header(2, "eth0")],
    );
    let noop = nlmsg(NLMSG_NOOP, 0, 11, &[]);
    datagram(&[a, b, noop, fake::done(11, 0, 0)])
}

#[test]
fn several_messages_in_one_datagram() {
    let d = multi_datagram();
    let r = split(&d).unwrap().into_vec();
    assert_eq!(r.len(), 4, "{r:?}");
    for (m, (index, name)) in r.iter().zip([(1, "lo"), (2, "eth0")]) {
        let Received::Data {
            msg_type: 21,
            flags: NLM_F_MULTI,
            seq: 11,
            payload,
        } = m
        else {
            panic!("{m:?}")
        };
        let (cmd, body) = message::genl_body(payload).unwrap();
        assert_eq!(cmd, ETHTOOL_MSG_FEATURES_GET_REPLY);
        let (_, h) = find(body, ETHTOOL_A_FEATURES_HEADER).unwrap();
        let dev = crate::netlink::wire::header::decode(&h).unwrap();
        assert_eq!(
            dev,
            ReplyDev { index: Some(index), name: Some(name.into()) }
        );
    }
    assert_eq!(r[2], Received::Other);
    assert!(matches!(r[3], Received::Done { seq: 11, errno: 0, .. }));
}

#[test]
fn message_payload_is_bounded_by_its_length() {
    // a message whose length is not a multiple of 4, then another one
    let a = nlmsg(30, 0, 1, &[1, 2, 3, 4, 5]);
    let b = nlmsg(31, 0, 2, &[9, 9, 9, 9]);
    let d = datagram(&[a, b]);
    let r = split(&d).unwrap().into_vec();
    assert_eq!(
        r,
        [
            Received::Data {
                msg_type: 30,
                flags: 0,
                seq: 1,
                payload: &[1, 2, 3, 4, 5]
            },
            Received::Data {
                msg_type: 31,
                flags: 0,
                seq: 2,
                payload: &[9, 9, 9, 9]
            },
        ]
    );
}

#[test]
fn truncated_datagram_is_an_error() {
    let d = multi_datagram();
    // the last message's length field is larger than what is left
    assert!(split(&d[..d.len() - 4]).is_err());
    // a length field larger than the whole buffer
    let mut m = nlmsg(NLMSG_DONE, NLM_F_MULTI, 1, &0i32.to_ne_bytes());
    m[0] = 0xff;
    assert!(split(&m).is_err());
    // a length field below the header size (would never advance)
    let mut m = nlmsg(NLMSG_DONE, NLM_F_MULTI, 1, &0i32.to_ne_bytes());
    m[0..4].copy_from_slice(&0u32.to_ne_bytes());
    assert!(split(&m).is_err());
    // an NLMSG_ERROR too short for its errno
    let m = nlmsg(NLMSG_ERROR, 0, 1, &[0, 0]);
    assert!(split(&m).is_err());
}

#[test]
fn garbage_never_panics() {
    assert!(split(&[]).unwrap().into_vec().is_empty());
    let cases: [&[u8]; 8] = [
        &[0u8][..],
        &[0xff; 3],
        &[0; 15],
        &[0; 16],
        &[0xff; 16],
        &[0xff; 64],
        &[16, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        &[16, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xde, 0xad],
    ];
    for g in cases {
        let _ = split(g);
    }
    assert!(message::genl_body(&[]).is_err());
    assert!(message::genl_body(&[11, 1]).is_err());
    assert_eq!(message::genl_body(&[11, 1, 0, 0]).unwrap(), (11, &[][..]));
    // pseudo-random bytes
    let mut x: u32 = 0x1234_5678;
    for n in 0..2000 {
        let buf: Vec<u8> = (0..n % 97)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();
        let _ = split(&buf);
        let _ = Bitset::decode(&buf);
        let _ = features::decode_get(&buf);
        let _ = features::decode_set(&buf);
        let _ = strset::decode(&buf, ETH_SS_FEATURES);
        let _ = ctrl::decode_family(&buf);
    }
}

// ---------------------------------------------------------------------------
// Crashes the coverage-guided fuzzer found (fuzz/, scripts/fuzz)

#[test]
fn fuzz_errno_i32_min_is_an_error_not_an_overflow() {
    // fuzz target `message`, minimized: an NLMSG_ERROR whose errno is
    // i32::MIN, which has no positive counterpart (negating it panicked
    // with overflow checks and wrapped to a negative errno without)
    let found = [
        0x20, 0, 0, 0, 0x02, 0, 0, 0x03, 0x05, 0, 0x81, 0, 0x02, 0, 0,
        0, //
        0, 0, 0, 0x80, 0x0c, 0, 0, 0, 0, 0x10, 0, 0, 0xfd, 0, 0, 0x15,
    ];
    assert!(split(&found).is_err());
    let m =
        crate::testing::fake::nlmsg(NLMSG_ERROR, 0, 1, &i32::MIN.to_ne_bytes());
    assert!(split(&m).is_err());
    let m = crate::testing::fake::nlmsg(
        NLMSG_DONE,
        NLM_F_MULTI,
        1,
        &i32::MIN.to_ne_bytes(),
    );
    assert!(split(&m).is_err());
    // the largest errno still decodes
    let m = crate::testing::fake::nlmsg(
        NLMSG_ERROR,
        0,
        1,
        &(-i32::MAX).to_ne_bytes(),
    );
    assert!(matches!(
        split(&m).unwrap().into_vec()[..],
        [Received::Error { errno: i32::MAX, .. }]
    ));
}
