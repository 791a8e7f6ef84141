//! FEATURES_GET and FEATURES_SET: requests by name, by index, as a dump, too
//! large, and replies.

use crate::netlink::wire::consts::*;
use crate::netlink::wire::header::{Dev, ReplyDev};
use crate::netlink::wire::message::{split, Received};
use crate::netlink::wire::{features, message};
use crate::testing::fake::{
    self, bitset, bitset_list, encode, find, reply_header, s, tlvs, Nla,
    FAMILY_ID,
};

use super::*;

#[test]
fn features_get_request_by_name_bytes() {
    let expected: Vec<u8> = cat(&[
        // nlmsghdr
        &[0x2c, 0x00, 0x00, 0x00], // length 44
        &[0x15, 0x00],             // type 21
        &[0x05, 0x00],             // flags NLM_F_REQUEST | NLM_F_ACK
        &[0x03, 0x00, 0x00, 0x00], // sequence number 3
        &[0x00, 0x00, 0x00, 0x00], // port id
        // genlmsghdr
        &[0x0b, 0x01, 0x00, 0x00], // cmd 11 FEATURES_GET, version 1
        // ETHTOOL_A_FEATURES_HEADER
        &[0x18, 0x00, 0x01, 0x80], // len 24, type 1 | NLA_F_NESTED
        // ETHTOOL_A_HEADER_DEV_NAME
        &[0x09, 0x00, 0x02, 0x00], // len 9, type 2
        b"eth0\0\0\0\0",           // "eth0\0" + 3 bytes padding
        // ETHTOOL_A_HEADER_FLAGS
        &[0x08, 0x00, 0x03, 0x00], // len 8, type 3
        &[0x01, 0x00, 0x00, 0x00], // ETHTOOL_FLAG_COMPACT_BITSETS
    ]);
    let got = features::get_request(FAMILY_ID, 3, Dev::Name("eth0")).unwrap();
    assert_eq!(got, expected);
}

#[test]
fn features_get_request_by_index_bytes() {
    let expected: Vec<u8> = cat(&[
        // nlmsghdr
        &[0x28, 0x00, 0x00, 0x00], // length 40
        &[0x15, 0x00],             // type 21
        &[0x05, 0x00],             // flags NLM_F_REQUEST | NLM_F_ACK
        &[0x09, 0x00, 0x00, 0x00], // sequence number 9
        &[0x00, 0x00, 0x00, 0x00], // port id
        // genlmsghdr
        &[0x0b, 0x01, 0x00, 0x00], // cmd 11 FEATURES_GET, version 1
        // ETHTOOL_A_FEATURES_HEADER
        &[0x14, 0x00, 0x01, 0x80], // len 20, type 1 | NLA_F_NESTED
        // ETHTOOL_A_HEADER_DEV_INDEX
        &[0x08, 0x00, 0x01, 0x00], // len 8, type 1
        &[0x02, 0x00, 0x00, 0x00], // ifindex 2
        // ETHTOOL_A_HEADER_FLAGS
        &[0x08, 0x00, 0x03, 0x00], // len 8, type 3
        &[0x01, 0x00, 0x00, 0x00], // ETHTOOL_FLAG_COMPACT_BITSETS
    ]);
    let got = features::get_request(FAMILY_ID, 9, Dev::Index(2)).unwrap();
    assert_eq!(got, expected);
}

#[test]
fn features_get_request_by_name_and_index_bytes() {
    // IfaceRef::by_name_and_index sends both; the kernel checks they match
    let expected: Vec<u8> = cat(&[
        // nlmsghdr
        &[0x34, 0x00, 0x00, 0x00], // length 52
        &[0x15, 0x00],             // type 21
        &[0x05, 0x00],             // flags NLM_F_REQUEST | NLM_F_ACK
        &[0x04, 0x00, 0x00, 0x00], // sequence number 4
        &[0x00, 0x00, 0x00, 0x00], // port id
        // genlmsghdr
        &[0x0b, 0x01, 0x00, 0x00], // cmd 11 FEATURES_GET, version 1
        // ETHTOOL_A_FEATURES_HEADER
        &[0x20, 0x00, 0x01, 0x80], // len 32, type 1 | NLA_F_NESTED
        // ETHTOOL_A_HEADER_DEV_INDEX
        &[0x08, 0x00, 0x01, 0x00], // len 8, type 1
        &[0x02, 0x00, 0x00, 0x00], // ifindex 2
        // ETHTOOL_A_HEADER_DEV_NAME
        &[0x09, 0x00, 0x02, 0x00], // len 9, type 2
        b"eth0\0\0\0\0",           // "eth0\0" + 3 bytes padding
        // ETHTOOL_A_HEADER_FLAGS
        &[0x08, 0x00, 0x03, 0x00], // len 8, type 3
        &[0x01, 0x00, 0x00, 0x00], // ETHTOOL_FLAG_COMPACT_BITSETS
    ]);
    let iface = crate::IfaceRef::by_name_and_index("eth0", 2).unwrap();
    let got = features::get_request(FAMILY_ID, 4, Dev::of(&iface)).unwrap();
    assert_eq!(got, expected);
}

#[test]
fn features_get_dump_request_bytes() {
    let expected: Vec<u8> = cat(&[
        // nlmsghdr
        &[0x20, 0x00, 0x00, 0x00], // length 32
        &[0x15, 0x00],             // type 21
        &[0x01, 0x03],             // flags NLM_F_REQUEST | NLM_F_DUMP (0x301)
        &[0x0a, 0x00, 0x00, 0x00], // sequence number 10
        &[0x00, 0x00, 0x00, 0x00], // port id
        // genlmsghdr
        &[0x0b, 0x01, 0x00, 0x00], // cmd 11 FEATURES_GET, version 1
        // ETHTOOL_A_FEATURES_HEADER: flags only, no device
        &[0x0c, 0x00, 0x01, 0x80], // len 12, type 1 | NLA_F_NESTED
        // ETHTOOL_A_HEADER_FLAGS
        &[0x08, 0x00, 0x03, 0x00], // len 8, type 3
        &[0x01, 0x00, 0x00, 0x00], // ETHTOOL_FLAG_COMPACT_BITSETS
    ]);
    let got = features::get_request(FAMILY_ID, 10, Dev::None).unwrap();
    assert_eq!(got, expected);
}

#[test]
fn features_set_request_bytes() {
    let expected: Vec<u8> = cat(&[
        // nlmsghdr
        &[0x70, 0x00, 0x00, 0x00], // length 112
        &[0x15, 0x00],             // type 21
        &[0x05, 0x00],             // flags NLM_F_REQUEST | NLM_F_ACK
        &[0x04, 0x00, 0x00, 0x00], // sequence number 4
        &[0x00, 0x00, 0x00, 0x00], // port id
        // genlmsghdr
        &[0x0c, 0x01, 0x00, 0x00], // cmd 12 FEATURES_SET, version 1
        // ETHTOOL_A_FEATURES_HEADER
        &[0x14, 0x00, 0x01, 0x80], // len 20, type 1 | NLA_F_NESTED
        &[0x08, 0x00, 0x01, 0x00], // DEV_INDEX: len 8, type 1
        &[0x03, 0x00, 0x00, 0x00], // ifindex 3
        &[0x08, 0x00, 0x03, 0x00], // FLAGS: len 8, type 3
        &[0x01, 0x00, 0x00, 0x00], // COMPACT_BITSETS only (no OMIT_REPLY)
        // ETHTOOL_A_FEATURES_WANTED: no NOMASK, no SIZE
        &[0x48, 0x00, 0x03, 0x80], // len 72, type 3 | NLA_F_NESTED
        // ETHTOOL_A_BITSET_BITS
        &[0x44, 0x00, 0x03, 0x80], // len 68, type 3 | NLA_F_NESTED
        // ETHTOOL_A_BITSET_BITS_BIT: tx-scatter-gather off
        &[0x24, 0x00, 0x01, 0x80], // len 36, type 1 | NLA_F_NESTED
        &[0x08, 0x00, 0x01, 0x00], // BIT_INDEX: len 8, type 1
        &[0x00, 0x00, 0x00, 0x00], // bit 0
        &[0x16, 0x00, 0x02, 0x00], // BIT_NAME: len 22, type 2
        b"tx-scatter-gather\0\0\0", // 17 chars + NUL + 2 bytes padding
        // (no BIT_VALUE: off)
        // ETHTOOL_A_BITSET_BITS_BIT: rx-gro on
        &[0x1c, 0x00, 0x01, 0x80], // len 28, type 1 | NLA_F_NESTED
        &[0x08, 0x00, 0x01, 0x00], // BIT_INDEX: len 8, type 1
        &[0x0e, 0x00, 0x00, 0x00], // bit 14
        &[0x0b, 0x00, 0x02, 0x00], // BIT_NAME: len 11, type 2
        b"rx-gro\0\0",             // 6 chars + NUL + 1 byte padding
        &[0x04, 0x00, 0x03, 0x00], // BIT_VALUE flag: len 4, type 3
    ]);
    let got = features::set_request(
        FAMILY_ID,
        4,
        Dev::Index(3),
        [(0, "tx-scatter-gather", false), (14, "rx-gro", true)],
    )
    .unwrap();
    assert_eq!(got, expected);

    // structurally: the header flag word has no OMIT_REPLY (2), so the
    // kernel sends FEATURES_SET_REPLY
    let req = fake::Req::parse(&got);
    let h = req.header().unwrap();
    assert_eq!(h.flags & 2, 0);
    assert_eq!(h.index, Some(3));
    assert_eq!(
        req.wanted_bits_raw(),
        [
            (Some(0), Some("tx-scatter-gather".to_owned()), false),
            (Some(14), Some("rx-gro".to_owned()), true)
        ]
    );
    let (_, wanted) = find(body_of(&got), ETHTOOL_A_FEATURES_WANTED).unwrap();
    let kinds: Vec<u16> = tlvs(&wanted).iter().map(|a| a.0).collect();
    assert_eq!(
        kinds,
        [ETHTOOL_A_BITSET_BITS | NLA_F_NESTED],
        "no NOMASK, no SIZE"
    );
}

#[test]
fn a_set_request_appended_to_a_datagram_is_the_same_bytes_after_it() {
    let bits = [(0, "tx-scatter-gather", false), (14, "rx-gro", true)];
    let first =
        features::set_request(FAMILY_ID, 4, Dev::Index(3), bits).unwrap();
    let second =
        features::set_request(FAMILY_ID, 5, Dev::Index(7), bits).unwrap();
    let datagram = features::set_request_in(
        first.clone(),
        FAMILY_ID,
        5,
        Dev::Index(7),
        bits,
    )
    .unwrap();
    assert_eq!(datagram, [first, second].concat());
}

#[test]
fn requests_too_large_for_an_attribute_are_refused() {
    let long = "x".repeat(70_000);
    assert_eq!(
        features::set_request(
            FAMILY_ID,
            1,
            Dev::Index(1),
            [(0, long.as_str(), true)]
        ),
        None
    );
    // many bits overflow the WANTED nest's 16-bit length
    let names: Vec<String> =
        (0..3000).map(|i| format!("feature-name-{i:05}")).collect();
    let bits: Vec<(u32, &str, bool)> =
        names.iter().map(|n| (0, n.as_str(), true)).collect();
    assert_eq!(features::set_request(FAMILY_ID, 1, Dev::Index(1), bits), None);
}

pub(super) const SIZE: u32 = 40;

/// A FEATURES_GET_REPLY body as the kernel sends it with compact bitsets:
/// HW value/mask (mask = every bit), the other three lists.
pub(super) fn features_body(
    hw: &[u32],
    wanted: &[u32],
    active: &[u32],
    nochange: &[u32],
) -> Vec<u8> {
    let all: Vec<u32> = (0..SIZE).collect();
    encode(&[
        reply_header(2, "eth0"),
        bitset(ETHTOOL_A_FEATURES_HW, SIZE, hw, &all),
        bitset_list(ETHTOOL_A_FEATURES_WANTED, SIZE, wanted),
        bitset_list(ETHTOOL_A_FEATURES_ACTIVE, SIZE, active),
        bitset_list(ETHTOOL_A_FEATURES_NOCHANGE, SIZE, nochange),
    ])
}

pub(super) fn sample_features_body() -> Vec<u8> {
    features_body(&[0, 1, 6, 33, 39], &[0, 6, 33, 35], &[0, 5, 6, 33], &[13])
}

#[test]
fn decode_features_get_reply() {
    let r = features::decode_get(&sample_features_body()).unwrap();
    assert_eq!(r.dev, ReplyDev { index: Some(2), name: Some("eth0".into()) });
    assert_eq!(r.hw.size, SIZE);
    assert_eq!(r.hw.mask_bits().count(), SIZE as usize);
    assert!(r.hw.get(0) && r.hw.get(39) && !r.hw.get(5));
    assert_eq!(r.wanted.mask_bits().collect::<Vec<_>>(), [0, 6, 33, 35]);
    assert_eq!(r.active.mask_bits().collect::<Vec<_>>(), [0, 5, 6, 33]);
    assert_eq!(r.nochange.mask_bits().collect::<Vec<_>>(), [13]);
    assert!(r.wanted.mask.is_none() && r.active.mask.is_none());
}

#[test]
fn decode_features_get_reply_bytes() {
    // a whole reply message as bytes, 8 feature bits
    let msg: Vec<u8> = cat(&[
        // nlmsghdr
        &[0x8c, 0x00, 0x00, 0x00], // length 140
        &[0x15, 0x00],             // type 21
        &[0x00, 0x00],             // flags: none (a do reply)
        &[0x05, 0x00, 0x00, 0x00], // sequence number 5
        &[0x92, 0x10, 0x00, 0x00], // port id
        // genlmsghdr
        &[0x0b, 0x01, 0x00, 0x00], // cmd 11 FEATURES_GET_REPLY, version 1
        // ETHTOOL_A_FEATURES_HEADER
        &[0x14, 0x00, 0x01, 0x80], // len 20, type 1 | NLA_F_NESTED
        &[0x08, 0x00, 0x01, 0x00], // DEV_INDEX: len 8
        &[0x01, 0x00, 0x00, 0x00], // ifindex 1
        &[0x07, 0x00, 0x02, 0x00], // DEV_NAME: len 7
        b"lo\0\0",                 // "lo" + NUL + padding
        // ETHTOOL_A_FEATURES_HW: value/mask
        &[0x1c, 0x00, 0x02, 0x80], // len 28, type 2 | NLA_F_NESTED
        &[0x08, 0x00, 0x02, 0x00], // SIZE: len 8
        &[0x08, 0x00, 0x00, 0x00], // 8 bits
        &[0x08, 0x00, 0x04, 0x00], // VALUE: len 8
        &[0x01, 0x00, 0x00, 0x00], // bit 0 changeable
        &[0x08, 0x00, 0x05, 0x00], // MASK: len 8
        &[0xff, 0x00, 0x00, 0x00], // all 8 bits known
        // ETHTOOL_A_FEATURES_WANTED: list
        &[0x18, 0x00, 0x03, 0x80], // len 24, type 3 | NLA_F_NESTED
        &[0x04, 0x00, 0x01, 0x00], // NOMASK
        &[0x08, 0x00, 0x02, 0x00], // SIZE: len 8
        &[0x08, 0x00, 0x00, 0x00], // 8 bits
        &[0x08, 0x00, 0x04, 0x00], // VALUE: len 8
        &[0x01, 0x00, 0x00, 0x00], // bit 0
        // ETHTOOL_A_FEATURES_ACTIVE: list
        &[0x18, 0x00, 0x04, 0x80], // len 24, type 4 | NLA_F_NESTED
        &[0x04, 0x00, 0x01, 0x00], // NOMASK
        &[0x08, 0x00, 0x02, 0x00], // SIZE: len 8
        &[0x08, 0x00, 0x00, 0x00], // 8 bits
        &[0x08, 0x00, 0x04, 0x00], // VALUE: len 8
        &[0x23, 0x00, 0x00, 0x00], // bits 0, 1, 5
        // ETHTOOL_A_FEATURES_NOCHANGE: list
        &[0x18, 0x00, 0x05, 0x80], // len 24, type 5 | NLA_F_NESTED
        &[0x04, 0x00, 0x01, 0x00], // NOMASK
        &[0x08, 0x00, 0x02, 0x00], // SIZE: len 8
        &[0x08, 0x00, 0x00, 0x00], // 8 bits
        &[0x08, 0x00, 0x04, 0x00], // VALUE: len 8
        &[0x80, 0x00, 0x00, 0x00], // bit 7
    ]);
    let r = split(&msg).unwrap();
    let [Received::Data { msg_type: 21, flags: 0, seq: 5, payload }] =
        r.as_slice()
    else {
        panic!("{r:?}")
    };
    let (cmd, body) = message::genl_body(payload).unwrap();
    assert_eq!(cmd, ETHTOOL_MSG_FEATURES_GET_REPLY);
    let r = features::decode_get(body).unwrap();
    assert_eq!(r.dev, ReplyDev { index: Some(1), name: Some("lo".into()) });
    assert_eq!(r.active.mask_bits().collect::<Vec<_>>(), [0, 1, 5]);
    let table = names(&[
        "tx-scatter-gather",
        "tx-checksum-ipv4",
        "",
        "",
        "",
        "highdma",
        "",
        "vlan-challenged",
    ]);
    let shared: std::sync::Arc<Vec<crate::ethtool::features::FeatureName>> =
        std::sync::Arc::new(table.iter().map(|n| n.as_str().into()).collect());
    let f = crate::Features::from_reply(r, &shared);
    let sg = f.get("tx-scatter-gather").unwrap();
    assert!(sg.active && sg.requested && !sg.fixed);
    let csum = f.get("tx-checksum-ipv4").unwrap();
    assert!(csum.active && !csum.requested && csum.fixed);
    assert!(f.get("vlan-challenged").unwrap().fixed);
}

#[test]
fn features_reply_missing_a_bitset_is_an_error() {
    let all: Vec<u32> = (0..SIZE).collect();
    let body = encode(&[
        reply_header(2, "eth0"),
        bitset(ETHTOOL_A_FEATURES_HW, SIZE, &[0], &all),
        bitset_list(ETHTOOL_A_FEATURES_WANTED, SIZE, &[0]),
        bitset_list(ETHTOOL_A_FEATURES_ACTIVE, SIZE, &[0]),
    ]);
    assert!(features::decode_get(&body).is_err());
    // no device index in the header
    let body = encode(&[
        Nla::Nest(
            ETHTOOL_A_FEATURES_HEADER,
            vec![s(ETHTOOL_A_HEADER_DEV_NAME, "eth0")],
        ),
        bitset(ETHTOOL_A_FEATURES_HW, SIZE, &[0], &all),
        bitset_list(ETHTOOL_A_FEATURES_WANTED, SIZE, &[0]),
        bitset_list(ETHTOOL_A_FEATURES_ACTIVE, SIZE, &[0]),
        bitset_list(ETHTOOL_A_FEATURES_NOCHANGE, SIZE, &[]),
    ]);
    assert!(features::decode_get(&body).is_err());
}

#[test]
fn decode_features_set_reply() {
    let body = encode(&[
        reply_header(3, "eth1"),
        // rx-hashing (34) asked on, not in effect
        bitset(ETHTOOL_A_FEATURES_WANTED, SIZE, &[34], &[34]),
        // sg (0) and tso (6) went off, rx-gro (11) on
        bitset(ETHTOOL_A_FEATURES_ACTIVE, SIZE, &[11, 33], &[0, 6, 11]),
    ]);
    let r = features::decode_set(&body).unwrap();
    assert_eq!(r.ifindex, Some(3));
    assert_eq!(r.wanted_diff.mask_bits().collect::<Vec<_>>(), [34]);
    assert!(r.wanted_diff.get(34));
    assert_eq!(r.active_diff.mask_bits().collect::<Vec<_>>(), [0, 6, 11]);
    assert!(
        !r.active_diff.get(0) && !r.active_diff.get(6) && r.active_diff.get(11)
    );

    // nothing changed: empty diffs
    let body = encode(&[
        reply_header(3, "eth1"),
        bitset(ETHTOOL_A_FEATURES_WANTED, SIZE, &[], &[]),
        bitset(ETHTOOL_A_FEATURES_ACTIVE, SIZE, &[0], &[]),
    ]);
    let r = features::decode_set(&body).unwrap();
    assert_eq!(
        r.wanted_diff.mask_bits().count() + r.active_diff.mask_bits().count(),
        0
    );
}
