//! Golden-byte tests of the wire layer, in the style of
//! netlink-packet-route's: requests compared byte for byte with what the
//! kernel expects, replies decoded from bytes as the kernel sends them,
//! and truncated / corrupted input that must give an error, never a panic.
//!
//! The byte arrays are little-endian (netlink is host-endian), so this
//! module only runs on little-endian targets.

#![cfg(target_endian = "little")]

use super::bitset::Bitset;
use super::builder::MsgBuilder;
use super::consts::*;
use super::header::{Dev, ReplyDev};
use super::message::{split, ExtAck, Received};
use super::{ctrl, features, message, strset};
use crate::testing::fake::{
    self, bitset, bitset_list, datagram, encode, ethtool_msg, family_reply,
    find, genl, nlmsg, reply_header, s, tlvs, Nla, ETHTOOL_OPS, FAMILY_ID,
    MONITOR_GROUP,
};

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// The attributes after `nlmsghdr` + `genlmsghdr` of a whole message.
fn body_of(msg: &[u8]) -> &[u8] {
    &msg[NLMSG_HDRLEN + GENL_HDRLEN..]
}

/// A raw-bytes attribute appended with the crate's own builder (which has
/// no raw-attribute method): `[len][type][bytes][padding]`.
fn raw_attr(b: &mut MsgBuilder, kind: u16, data: &[u8]) {
    let mut a = Vec::new();
    fake::put_attr(&mut a, kind, data);
    b.bytes(&a);
}

// ---------------------------------------------------------------------------
// Requests

#[test]
fn get_family_request_bytes() {
    let expected: Vec<u8> = cat(&[
        // nlmsghdr
        &[0x20, 0x00, 0x00, 0x00], // length 32
        &[0x10, 0x00],             // type 16 GENL_ID_CTRL
        &[0x05, 0x00],             // flags NLM_F_REQUEST | NLM_F_ACK
        &[0x07, 0x00, 0x00, 0x00], // sequence number 7
        &[0x00, 0x00, 0x00, 0x00], // port id 0 (the kernel fills it in)
        // genlmsghdr
        &[0x03, 0x02, 0x00, 0x00], // cmd 3 CTRL_CMD_GETFAMILY, version 2, reserved
        // CTRL_ATTR_FAMILY_NAME
        &[0x0c, 0x00, 0x02, 0x00], // len 12, type 2
        b"ethtool\0",              // NUL-terminated, no padding needed
    ]);
    assert_eq!(ctrl::get_family_request("ethtool", 7), expected);
}

#[test]
fn strset_request_bytes() {
    let expected: Vec<u8> = cat(&[
        // nlmsghdr
        &[0x28, 0x00, 0x00, 0x00], // length 40
        &[0x15, 0x00],             // type 21 (the ethtool family id)
        &[0x05, 0x00],             // flags NLM_F_REQUEST | NLM_F_ACK
        &[0x02, 0x00, 0x00, 0x00], // sequence number 2
        &[0x00, 0x00, 0x00, 0x00], // port id
        // genlmsghdr
        &[0x01, 0x01, 0x00, 0x00], // cmd 1 STRSET_GET, version 1
        // ETHTOOL_A_STRSET_HEADER: empty (global sets, no device, no flags)
        &[0x04, 0x00, 0x01, 0x80], // len 4, type 1 | NLA_F_NESTED
        // ETHTOOL_A_STRSET_STRINGSETS
        &[0x10, 0x00, 0x02, 0x80], // len 16, type 2 | NLA_F_NESTED
        // ETHTOOL_A_STRINGSETS_STRINGSET
        &[0x0c, 0x00, 0x01, 0x80], // len 12, type 1 | NLA_F_NESTED
        // ETHTOOL_A_STRINGSET_ID
        &[0x08, 0x00, 0x01, 0x00], // len 8, type 1
        &[0x04, 0x00, 0x00, 0x00], // ETH_SS_FEATURES
    ]);
    assert_eq!(
        strset::request(FAMILY_ID, 2, ETH_SS_FEATURES).unwrap(),
        expected
    );
}

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
        &[(0, "tx-scatter-gather", false), (14, "rx-gro", true)],
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
fn requests_too_large_for_an_attribute_are_refused() {
    let long = "x".repeat(70_000);
    assert_eq!(
        features::set_request(FAMILY_ID, 1, Dev::Index(1), &[(0, &long, true)]),
        None
    );
    // many bits overflow the WANTED nest's 16-bit length
    let names: Vec<String> =
        (0..3000).map(|i| format!("feature-name-{i:05}")).collect();
    let bits: Vec<(u32, &str, bool)> =
        names.iter().map(|n| (0, n.as_str(), true)).collect();
    assert_eq!(features::set_request(FAMILY_ID, 1, Dev::Index(1), &bits), None);
}

// ---------------------------------------------------------------------------
// Bitsets

#[test]
fn compact_value_mask_bitset() {
    let nest: &[u8] = &[
        // ETHTOOL_A_BITSET_SIZE
        0x08, 0x00, 0x02, 0x00, // len 8, type 2
        0x28, 0x00, 0x00, 0x00, // 40 bits
        // ETHTOOL_A_BITSET_VALUE: bits 0, 3, 39
        0x0c, 0x00, 0x04, 0x00, // len 12, type 4
        0x09, 0x00, 0x00, 0x00, // word 0: 0b1001
        0x80, 0x00, 0x00, 0x00, // word 1: bit 39
        // ETHTOOL_A_BITSET_MASK: bits 0, 1, 3, 32, 39
        0x0c, 0x00, 0x05, 0x00, // len 12, type 5
        0x0b, 0x00, 0x00, 0x00, // word 0: 0b1011
        0x81, 0x00, 0x00, 0x00, // word 1: bits 32 and 39
    ];
    let b = Bitset::decode(nest).unwrap();
    assert_eq!(
        b,
        Bitset {
            size: 40,
            value: vec![0x9, 0x80],
            mask: Some(vec![0xb, 0x81])
        }
    );
    assert!(b.get(0), "bit 0");
    assert!(!b.get(1) && b.in_mask(1));
    assert!(!b.in_mask(2));
    assert!(b.get(39) && !b.get(40) && !b.get(1000));
    assert_eq!(b.mask_bits().collect::<Vec<_>>(), [0, 1, 3, 32, 39]);
}

#[test]
fn compact_nomask_list() {
    let nest: &[u8] = &[
        // ETHTOOL_A_BITSET_NOMASK
        0x04, 0x00, 0x01, 0x00, // len 4, type 1 (flag)
        // ETHTOOL_A_BITSET_SIZE
        0x08, 0x00, 0x02, 0x00, // len 8, type 2
        0x24, 0x00, 0x00, 0x00, // 36 bits
        // ETHTOOL_A_BITSET_VALUE: bits 0 and 33
        0x0c, 0x00, 0x04, 0x00, // len 12, type 4
        0x01, 0x00, 0x00, 0x00, // word 0: bit 0
        0x02, 0x00, 0x00, 0x00, // word 1: bit 33
    ];
    let b = Bitset::decode(nest).unwrap();
    assert_eq!(b.mask, None);
    assert!(b.get(0) && b.get(33) && !b.get(32));
    assert!(b.in_mask(5), "a list covers every bit");
    assert_eq!(b.mask_bits().collect::<Vec<_>>(), [0, 33]);
}

#[test]
fn verbose_bitset_keeps_bit_zero() {
    let nest: Vec<u8> = cat(&[
        // ETHTOOL_A_BITSET_SIZE
        &[0x08, 0x00, 0x02, 0x00], // len 8, type 2
        &[0x24, 0x00, 0x00, 0x00], // 36 bits
        // ETHTOOL_A_BITSET_BITS
        &[0x44, 0x00, 0x03, 0x80], // len 68, type 3 | NLA_F_NESTED
        // ETHTOOL_A_BITSET_BITS_BIT: index 0, on
        &[0x28, 0x00, 0x01, 0x80], // len 40, type 1 | NLA_F_NESTED
        &[0x08, 0x00, 0x01, 0x00], // BIT_INDEX: len 8, type 1
        &[0x00, 0x00, 0x00, 0x00], // index 0
        &[0x16, 0x00, 0x02, 0x00], // BIT_NAME: len 22, type 2
        b"tx-scatter-gather\0\0\0", // name + NUL + padding
        &[0x04, 0x00, 0x03, 0x00], // BIT_VALUE flag
        // ETHTOOL_A_BITSET_BITS_BIT: index 11, off (in the mask only)
        &[0x18, 0x00, 0x01, 0x80], // len 24, type 1 | NLA_F_NESTED
        &[0x08, 0x00, 0x01, 0x00], // BIT_INDEX: len 8, type 1
        &[0x0b, 0x00, 0x00, 0x00], // index 11
        &[0x0b, 0x00, 0x02, 0x00], // BIT_NAME: len 11, type 2
        b"rx-gro\0\0",             // name + NUL + padding
    ]);
    let b = Bitset::decode(&nest).unwrap();
    assert_eq!(
        b,
        Bitset { size: 36, value: vec![0x1, 0], mask: Some(vec![0x801, 0]) }
    );
    assert!(b.get(0) && b.in_mask(0), "bit 0 survives decoding");
    assert!(!b.get(11) && b.in_mask(11));
    assert_eq!(b.mask_bits().collect::<Vec<_>>(), [0, 11]);
}

#[test]
fn bit_zero_survives_every_encoding() {
    // verbose list: listed = set, VALUE flag or not
    let list = encode(&[
        Nla::Flag(ETHTOOL_A_BITSET_NOMASK),
        Nla::U32(ETHTOOL_A_BITSET_SIZE, 8),
        Nla::Nest(
            ETHTOOL_A_BITSET_BITS,
            vec![
                Nla::Nest(
                    ETHTOOL_A_BITSET_BITS_BIT,
                    vec![Nla::U32(ETHTOOL_A_BITSET_BIT_INDEX, 0)],
                ),
                Nla::Nest(
                    ETHTOOL_A_BITSET_BITS_BIT,
                    vec![
                        Nla::U32(ETHTOOL_A_BITSET_BIT_INDEX, 7),
                        Nla::Flag(ETHTOOL_A_BITSET_BIT_VALUE),
                    ],
                ),
            ],
        ),
    ]);
    let b = Bitset::decode(&list).unwrap();
    assert_eq!(b.mask, None);
    assert_eq!(b.mask_bits().collect::<Vec<_>>(), [0, 7]);
    // compact, only bit 0
    for nest in [
        encode(&[
            Nla::U32(ETHTOOL_A_BITSET_SIZE, 1),
            Nla::Raw(ETHTOOL_A_BITSET_VALUE, vec![1, 0, 0, 0]),
            Nla::Raw(ETHTOOL_A_BITSET_MASK, vec![1, 0, 0, 0]),
        ]),
        encode(&[
            Nla::Flag(ETHTOOL_A_BITSET_NOMASK),
            Nla::U32(ETHTOOL_A_BITSET_SIZE, 1),
            Nla::Raw(ETHTOOL_A_BITSET_VALUE, vec![1, 0, 0, 0]),
        ]),
    ] {
        let b = Bitset::decode(&nest).unwrap();
        assert!(b.get(0));
        assert_eq!(b.mask_bits().collect::<Vec<_>>(), [0]);
    }
    // through a whole FEATURES_GET reply
    let body = features_body(&[0], &[0], &[0], &[]);
    let r = features::decode_get(&body).unwrap();
    assert!(r.hw.get(0) && r.wanted.get(0) && r.active.get(0));
    let table: Vec<crate::ethtool::features::FeatureName> =
        names(&["tx-scatter-gather"])
            .iter()
            .map(|n| n.as_str().into())
            .collect();
    let shared: std::sync::Arc<Vec<crate::ethtool::features::FeatureName>> =
        std::sync::Arc::new(table.iter().map(|n| n.as_str().into()).collect());
    let f = crate::Features::from_reply(&r, &shared);
    assert!(f.get("tx-scatter-gather").unwrap().active);
}

#[test]
fn compact_value_shorter_than_size_is_an_error() {
    let nest: &[u8] = &[
        0x08, 0x00, 0x02, 0x00, // SIZE: len 8
        0x28, 0x00, 0x00, 0x00, // 40 bits: two words needed
        0x08, 0x00, 0x04, 0x00, // VALUE: len 8, one word only
        0x01, 0x00, 0x00, 0x00, //
        0x0c, 0x00, 0x05, 0x00, // MASK: len 12
        0x01, 0x00, 0x00, 0x00, //
        0x00, 0x00, 0x00, 0x00, //
    ];
    assert!(Bitset::decode(nest).is_err());

    // the mask too short
    let mut b = MsgBuilder::raw(0, 0, 0);
    b.u32(ETHTOOL_A_BITSET_SIZE, 40);
    raw_attr(&mut b, ETHTOOL_A_BITSET_VALUE, &[0; 8]);
    raw_attr(&mut b, ETHTOOL_A_BITSET_MASK, &[0; 4]);
    let msg = b.finish().unwrap();
    assert!(Bitset::decode(&msg[NLMSG_HDRLEN..]).is_err());

    // words not a multiple of 4 bytes
    let nest = encode(&[
        Nla::U32(ETHTOOL_A_BITSET_SIZE, 8),
        Nla::Raw(ETHTOOL_A_BITSET_VALUE, vec![1, 0, 0, 0, 0]),
        Nla::Raw(ETHTOOL_A_BITSET_MASK, vec![1, 0, 0, 0]),
    ]);
    assert!(Bitset::decode(&nest).is_err());
    // no SIZE
    let nest = encode(&[Nla::Raw(ETHTOOL_A_BITSET_VALUE, vec![1, 0, 0, 0])]);
    assert!(Bitset::decode(&nest).is_err());
    // value/mask without the mask
    let nest = encode(&[
        Nla::U32(ETHTOOL_A_BITSET_SIZE, 8),
        Nla::Raw(ETHTOOL_A_BITSET_VALUE, vec![1, 0, 0, 0]),
    ]);
    assert!(Bitset::decode(&nest).is_err());
    // SIZE 0 with empty words (as the kernel sends it): an empty set
    let nest = encode(&[
        Nla::U32(ETHTOOL_A_BITSET_SIZE, 0),
        Nla::Raw(ETHTOOL_A_BITSET_VALUE, vec![]),
        Nla::Raw(ETHTOOL_A_BITSET_MASK, vec![]),
    ]);
    let b = Bitset::decode(&nest).unwrap();
    assert_eq!(b.mask_bits().count(), 0);
}

#[test]
fn verbose_bit_index_beyond_size_is_an_error() {
    let bit = |i| {
        Nla::Nest(
            ETHTOOL_A_BITSET_BITS_BIT,
            vec![
                Nla::U32(ETHTOOL_A_BITSET_BIT_INDEX, i),
                s(ETHTOOL_A_BITSET_BIT_NAME, "x"),
            ],
        )
    };
    let nest = |i| {
        encode(&[
            Nla::U32(ETHTOOL_A_BITSET_SIZE, 8),
            Nla::Nest(ETHTOOL_A_BITSET_BITS, vec![bit(0), bit(i)]),
        ])
    };
    assert!(Bitset::decode(&nest(7)).is_ok());
    assert!(Bitset::decode(&nest(8)).is_err());
    assert!(Bitset::decode(&nest(u32::MAX)).is_err());
    // a bit without an index
    let nest = encode(&[
        Nla::U32(ETHTOOL_A_BITSET_SIZE, 8),
        Nla::Nest(
            ETHTOOL_A_BITSET_BITS,
            vec![Nla::Nest(
                ETHTOOL_A_BITSET_BITS_BIT,
                vec![s(ETHTOOL_A_BITSET_BIT_NAME, "x")],
            )],
        ),
    ]);
    assert!(Bitset::decode(&nest).is_err());
}

#[test]
fn verbose_bitset_with_implausible_size_is_an_error() {
    // SIZE u32::MAX: decode_verbose allocates 2 x 512 MiB before looking
    // at a single bit; strset::decode rejects counts above 65536 for
    // exactly this reason.
    let nest = encode(&[
        Nla::U32(ETHTOOL_A_BITSET_SIZE, u32::MAX),
        Nla::Nest(ETHTOOL_A_BITSET_BITS, vec![]),
    ]);
    assert!(Bitset::decode(&nest).is_err());
}

// ---------------------------------------------------------------------------
// String sets

fn names(n: &[&str]) -> Vec<String> {
    n.iter().map(|s| s.to_string()).collect()
}

fn string(i: u32, v: &str) -> Nla {
    Nla::Nest(
        ETHTOOL_A_STRINGS_STRING,
        vec![Nla::U32(ETHTOOL_A_STRING_INDEX, i), s(ETHTOOL_A_STRING_VALUE, v)],
    )
}

fn stringset(id: u32, count: u32, strings: Vec<Nla>) -> Nla {
    Nla::Nest(
        ETHTOOL_A_STRINGSETS_STRINGSET,
        vec![
            Nla::U32(ETHTOOL_A_STRINGSET_ID, id),
            Nla::U32(ETHTOOL_A_STRINGSET_COUNT, count),
            Nla::Nest(ETHTOOL_A_STRINGSET_STRINGS, strings),
        ],
    )
}

fn strset_body(sets: Vec<Nla>) -> Vec<u8> {
    encode(&[Nla::Nest(ETHTOOL_A_STRSET_STRINGSETS, sets)])
}

#[test]
fn strset_reply_bytes() {
    let body: Vec<u8> = cat(&[
        // ETHTOOL_A_STRSET_STRINGSETS
        &[0x40, 0x00, 0x02, 0x80], // len 64, type 2 | NLA_F_NESTED
        // ETHTOOL_A_STRINGSETS_STRINGSET
        &[0x3c, 0x00, 0x01, 0x80], // len 60, type 1 | NLA_F_NESTED
        &[0x08, 0x00, 0x01, 0x00], // STRINGSET_ID: len 8, type 1
        &[0x04, 0x00, 0x00, 0x00], // ETH_SS_FEATURES
        &[0x08, 0x00, 0x02, 0x00], // STRINGSET_COUNT: len 8, type 2
        &[0x02, 0x00, 0x00, 0x00], // 2
        // ETHTOOL_A_STRINGSET_STRINGS
        &[0x28, 0x00, 0x03, 0x80], // len 40, type 3 | NLA_F_NESTED
        // ETHTOOL_A_STRINGS_STRING
        &[0x10, 0x00, 0x01, 0x80], // len 16, type 1 | NLA_F_NESTED
        &[0x08, 0x00, 0x01, 0x00], // STRING_INDEX: len 8, type 1
        &[0x00, 0x00, 0x00, 0x00], // index 0
        &[0x04, 0x00, 0x02, 0x00], // STRING_VALUE: len 4: no bytes at all
        // ETHTOOL_A_STRINGS_STRING
        &[0x14, 0x00, 0x01, 0x80], // len 20, type 1 | NLA_F_NESTED
        &[0x08, 0x00, 0x01, 0x00], // STRING_INDEX: len 8, type 1
        &[0x01, 0x00, 0x00, 0x00], // index 1
        &[0x05, 0x00, 0x02, 0x00], // STRING_VALUE: len 5
        b"\0\0\0\0",               // "" (NUL) + padding
    ]);
    assert_eq!(strset::decode(&body, ETH_SS_FEATURES).unwrap(), ["", ""]);
}

#[test]
fn strset_decode_keeps_indexes() {
    let body = strset_body(vec![
        // another set first: skipped
        stringset(9, 1, vec![string(0, "10baseT/Half")]),
        stringset(
            ETH_SS_FEATURES,
            6,
            vec![
                string(0, "tx-scatter-gather"),
                string(1, ""),
                string(2, "tx-checksum-ip-generic"),
                // index 3 not sent at all
                string(5, "rx-gro"),
                string(4, "tx-tcp-segmentation"),
            ],
        ),
    ]);
    let t = strset::decode(&body, ETH_SS_FEATURES).unwrap();
    assert_eq!(
        t,
        [
            "tx-scatter-gather",
            "",
            "tx-checksum-ip-generic",
            "",
            "tx-tcp-segmentation",
            "rx-gro"
        ]
    );
    assert_eq!(strset::decode(&body, 9).unwrap(), ["10baseT/Half"]);
}

#[test]
fn strset_index_beyond_count_is_an_error() {
    let body = strset_body(vec![stringset(
        ETH_SS_FEATURES,
        2,
        vec![string(0, "tx-scatter-gather"), string(2, "rx-gro")],
    )]);
    assert!(strset::decode(&body, ETH_SS_FEATURES).is_err());
    // a string without an index
    let body = strset_body(vec![stringset(
        ETH_SS_FEATURES,
        2,
        vec![Nla::Nest(
            ETHTOOL_A_STRINGS_STRING,
            vec![s(ETHTOOL_A_STRING_VALUE, "x")],
        )],
    )]);
    assert!(strset::decode(&body, ETH_SS_FEATURES).is_err());
    // an implausible count
    let body = strset_body(vec![stringset(ETH_SS_FEATURES, u32::MAX, vec![])]);
    assert!(strset::decode(&body, ETH_SS_FEATURES).is_err());
}

#[test]
fn strset_missing_set_is_empty() {
    let body =
        strset_body(vec![stringset(9, 1, vec![string(0, "10baseT/Half")])]);
    assert_eq!(
        strset::decode(&body, ETH_SS_FEATURES).unwrap(),
        Vec::<String>::new()
    );
    assert!(strset::decode(&[], ETH_SS_FEATURES).unwrap().is_empty());
    // the set without strings: every name empty
    let body = strset_body(vec![stringset(ETH_SS_FEATURES, 3, vec![])]);
    assert_eq!(strset::decode(&body, ETH_SS_FEATURES).unwrap(), ["", "", ""]);
}

// ---------------------------------------------------------------------------
// Controller

#[test]
fn decode_family_reply() {
    let msg = family_reply(1, ETHTOOL_OPS);
    let r = split(&msg).unwrap();
    let [Received::Data { msg_type, payload, .. }] = r.as_slice() else {
        panic!("{r:?}")
    };
    assert_eq!(*msg_type, GENL_ID_CTRL);
    let (cmd, body) = message::genl_body(payload).unwrap();
    assert_eq!(cmd, fake::CTRL_CMD_NEWFAMILY);
    let info = ctrl::decode_family(body).unwrap();
    assert_eq!(info.id, FAMILY_ID);
    assert_eq!(info.monitor_group, Some(MONITOR_GROUP));
    assert_eq!(info.ops.len(), ETHTOOL_OPS.len());
    assert_eq!(info.op_flags(ETHTOOL_MSG_FEATURES_GET), Some(0xe));
    assert_eq!(info.op_flags(ETHTOOL_MSG_FEATURES_SET), Some(0x1a));
    assert_eq!(info.op_flags(ETHTOOL_MSG_STRSET_GET), Some(0xe));
    assert_eq!(info.op_flags(99), None);
}

#[test]
fn decode_family_skips_unknown_and_needs_the_id() {
    // an attribute from a newer kernel, another multicast group, no ops
    let body = encode(&[
        Nla::Raw(99, vec![1, 2, 3]),
        Nla::U16(CTRL_ATTR_FAMILY_ID, 30),
        Nla::NestNoFlag(
            CTRL_ATTR_MCAST_GROUPS,
            vec![Nla::NestNoFlag(1, vec![Nla::U32(2, 9), s(1, "other")])],
        ),
    ]);
    let info = ctrl::decode_family(&body).unwrap();
    assert_eq!((info.id, info.monitor_group, info.ops.len()), (30, None, 0));

    let body = encode(&[s(CTRL_ATTR_FAMILY_NAME, "ethtool")]);
    assert!(ctrl::decode_family(&body).is_err());
    // a u16 id of the wrong width
    let body = encode(&[Nla::U32(CTRL_ATTR_FAMILY_ID, 21)]);
    assert!(ctrl::decode_family(&body).is_err());
}

// ---------------------------------------------------------------------------
// Features

const SIZE: u32 = 40;

/// A FEATURES_GET_REPLY body as the kernel sends it with compact bitsets:
/// HW value/mask (mask = every bit), the other three lists.
fn features_body(
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

fn sample_features_body() -> Vec<u8> {
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
    let f = crate::Features::from_reply(&r, &shared);
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
    assert_eq!(r.dev.index, Some(3));
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

// ---------------------------------------------------------------------------
// Message framing, errors, extended ACK

const ERROR_CAPPED: &[u8] = &[
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
    let r = split(ERROR_CAPPED).unwrap();
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
        &[(70, "tx-bogus", false)],
    )
    .unwrap();
    let mut payload = (-libc::EOPNOTSUPP).to_ne_bytes().to_vec();
    payload.extend_from_slice(&req);
    payload.extend_from_slice(&encode(&[
        s(NLMSGERR_ATTR_MSG, "bit name not found"),
        Nla::U32(NLMSGERR_ATTR_OFFS, 60),
    ]));
    let msg = nlmsg(NLMSG_ERROR, NLM_F_ACK_TLVS, 7, &payload);
    let r = split(&msg).unwrap();
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
        split(&msg).unwrap(),
        [Received::Error { seq: 7, errno: 95, ext: ExtAck::default() }]
    );
}

#[test]
fn error_with_missing_attribute_type() {
    let mut payload = (-libc::EINVAL).to_ne_bytes().to_vec();
    payload.extend_from_slice(&ERROR_CAPPED[20..36]);
    payload.extend_from_slice(&encode(&[Nla::U32(NLMSGERR_ATTR_MISS_TYPE, 1)]));
    let msg = nlmsg(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 7, &payload);
    let r = split(&msg).unwrap();
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
    let r = split(&msg).unwrap();
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
        split(&ack).unwrap(),
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
        split(done_eio).unwrap(),
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
        split(&done_ok).unwrap(),
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
        split(&bare).unwrap().as_slice(),
        [Received::Done { errno: 0, .. }]
    ));
    // with extended-ACK text
    let mut payload = (-libc::EMSGSIZE).to_ne_bytes().to_vec();
    payload.extend_from_slice(&encode(&[s(NLMSGERR_ATTR_MSG, "dump too big")]));
    let m = nlmsg(NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS, 11, &payload);
    let r = split(&m).unwrap();
    let [Received::Done { errno, ext, .. }] = r.as_slice() else {
        panic!("{r:?}")
    };
    assert_eq!(
        (*errno, ext.msg.as_deref()),
        (libc::EMSGSIZE, Some("dump too big"))
    );
}

/// Two FEATURES_GET_REPLY dump parts, a NOOP and the DONE.
fn multi_datagram() -> Vec<u8> {
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
    let r = split(&d).unwrap();
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
        let dev = super::header::decode(&h).unwrap();
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
    let r = split(&d).unwrap();
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
    assert!(split(&[]).unwrap().is_empty());
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
// Fuzz-ish: every prefix and every flipped byte of valid input

fn decode_all(buf: &[u8]) {
    if let Ok(msgs) = split(buf) {
        for m in msgs {
            if let Received::Data { payload, .. } = m {
                if let Ok((_, body)) = message::genl_body(payload) {
                    decode_body(body);
                }
            }
        }
    }
}

fn decode_body(body: &[u8]) {
    let _ = features::decode_get(body);
    let _ = features::decode_set(body);
    let _ = Bitset::decode(body);
    let _ = strset::decode(body, ETH_SS_FEATURES);
    let _ = ctrl::decode_family(body);
    for a in super::attrs::attrs(body).flatten() {
        let _ = Bitset::decode(a.value);
    }
}

/// Valid inputs: whole datagrams and bare bodies.
fn corpus() -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let verbose = encode(&[
        Nla::U32(ETHTOOL_A_BITSET_SIZE, 36),
        Nla::Nest(
            ETHTOOL_A_BITSET_BITS,
            vec![
                Nla::Nest(
                    ETHTOOL_A_BITSET_BITS_BIT,
                    vec![
                        Nla::U32(ETHTOOL_A_BITSET_BIT_INDEX, 0),
                        s(ETHTOOL_A_BITSET_BIT_NAME, "tx-scatter-gather"),
                        Nla::Flag(ETHTOOL_A_BITSET_BIT_VALUE),
                    ],
                ),
                Nla::Nest(
                    ETHTOOL_A_BITSET_BITS_BIT,
                    vec![Nla::U32(ETHTOOL_A_BITSET_BIT_INDEX, 33)],
                ),
            ],
        ),
    ]);
    let strset = strset_body(vec![stringset(
        ETH_SS_FEATURES,
        4,
        vec![
            string(0, "tx-scatter-gather"),
            string(1, ""),
            string(3, "rx-gro"),
        ],
    )]);
    let set = encode(&[
        reply_header(3, "eth1"),
        bitset(ETHTOOL_A_FEATURES_WANTED, SIZE, &[34], &[34]),
        bitset(ETHTOOL_A_FEATURES_ACTIVE, SIZE, &[11], &[0, 11]),
    ]);
    let family = body_of(&family_reply(1, ETHTOOL_OPS)).to_vec();
    let datagrams = vec![
        multi_datagram(),
        datagram(&[
            genl(FAMILY_ID, 0, 3, ETHTOOL_MSG_FEATURES_GET_REPLY, 1, &[]),
            ERROR_CAPPED.to_vec(),
        ]),
        family_reply(1, ETHTOOL_OPS),
        fake::features_reply(4, 0, &fake::FakeIface::eth0(), &[13]),
    ];
    (datagrams, vec![sample_features_body(), verbose, strset, set, family])
}

#[test]
fn every_prefix_decodes_or_fails_cleanly() {
    let (datagrams, bodies) = corpus();
    for d in &datagrams {
        for n in 0..=d.len() {
            let _ = split(&d[..n]);
            decode_all(&d[..n]);
        }
        assert!(split(d).is_ok());
    }
    for b in &bodies {
        for n in 0..=b.len() {
            decode_body(&b[..n]);
        }
    }
    // the strict decoders reject every proper prefix that cuts an attribute
    let body = sample_features_body();
    for n in 1..body.len() {
        if features::decode_get(&body[..n]).is_ok() {
            panic!("prefix {n} of {} decoded", body.len());
        }
    }
    assert!(features::decode_get(&body).is_ok());
}

#[test]
fn every_flipped_byte_decodes_or_fails_cleanly() {
    let (datagrams, bodies) = corpus();
    for input in datagrams.iter().chain(&bodies) {
        let mut buf = input.clone();
        for i in 0..buf.len() {
            buf[i] ^= 0xff;
            decode_all(&buf);
            decode_body(&buf);
            buf[i] ^= 0xff;
        }
        assert_eq!(&buf, input);
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
    let m = nlmsg(NLMSG_ERROR, 0, 1, &i32::MIN.to_ne_bytes());
    assert!(split(&m).is_err());
    let m = nlmsg(NLMSG_DONE, NLM_F_MULTI, 1, &i32::MIN.to_ne_bytes());
    assert!(split(&m).is_err());
    // the largest errno still decodes
    let m = nlmsg(NLMSG_ERROR, 0, 1, &(-i32::MAX).to_ne_bytes());
    assert!(matches!(
        split(&m).unwrap()[..],
        [Received::Error { errno: i32::MAX, .. }]
    ));
}
