//! Golden-byte tests of the settings messages: every SET request compared
//! byte for byte with what the kernel parses, every GET reply decoded from
//! bytes as the kernel sends them (built with the fake kernel's own,
//! independent encoder), and malformed replies that must be errors.

use super::{body_of, cat};
use crate::netlink::wire::consts::*;
use crate::netlink::wire::header::{Dev, ReplyDev};
use crate::netlink::wire::settings::*;
use crate::netlink::wire::strset;
use crate::testing::fake::{
    bitset, bitset_list, ethtool_msg, reply_header, stringset_of, stringsets,
    Nla, FAMILY_ID,
};

fn u8_attr(kind: u16, v: u8) -> Nla {
    Nla::Raw(kind, vec![v])
}

/// nlmsghdr + genlmsghdr + the header nest for ifindex 2, no flags: the
/// first 32 bytes of every SET below.
fn set_prefix(len: u8, seq: u8, cmd: u8) -> Vec<u8> {
    cat(&[
        &[len, 0x00, 0x00, 0x00],  // length
        &[0x15, 0x00],             // type 21 (the ethtool family id)
        &[0x05, 0x00],             // NLM_F_REQUEST | NLM_F_ACK
        &[seq, 0x00, 0x00, 0x00],  // sequence number
        &[0x00, 0x00, 0x00, 0x00], // port id
        &[cmd, 0x01, 0x00, 0x00],  // cmd, version 1
        // header nest: len 12, type 1 | NLA_F_NESTED
        &[0x0c, 0x00, 0x01, 0x80],
        &[0x08, 0x00, 0x01, 0x00], // ETHTOOL_A_HEADER_DEV_INDEX
        &[0x02, 0x00, 0x00, 0x00], // ifindex 2
    ])
}

// ---------------------------------------------------------------------------
// Requests

#[test]
fn get_request_bytes() {
    let expected = cat(&[
        &[0x2c, 0x00, 0x00, 0x00], // length 44
        &[0x15, 0x00],             // type 21
        &[0x05, 0x00],             // NLM_F_REQUEST | NLM_F_ACK
        &[0x03, 0x00, 0x00, 0x00], // sequence number 3
        &[0x00, 0x00, 0x00, 0x00], // port id
        &[0x0f, 0x01, 0x00, 0x00], // cmd 15 RINGS_GET, version 1
        &[0x18, 0x00, 0x01, 0x80], // header nest, len 24
        &[0x09, 0x00, 0x02, 0x00], // ETHTOOL_A_HEADER_DEV_NAME, len 9
        b"eth0\0\0\0\0",           // "eth0\0" + padding
        &[0x08, 0x00, 0x03, 0x00], // ETHTOOL_A_HEADER_FLAGS
        &[0x01, 0x00, 0x00, 0x00], // COMPACT_BITSETS, never STATS
    ]);
    let got =
        get_request(FAMILY_ID, 3, ETHTOOL_MSG_RINGS_GET, Dev::Name("eth0"));
    assert_eq!(got.unwrap(), expected);
}

#[test]
fn rings_set_bytes() {
    let expected = cat(&[
        &set_prefix(0x30, 5, 16),  // length 48, cmd 16 RINGS_SET
        &[0x08, 0x00, 0x06, 0x00], // ETHTOOL_A_RINGS_RX
        &[0x00, 0x01, 0x00, 0x00], // 256
        &[0x08, 0x00, 0x09, 0x00], // ETHTOOL_A_RINGS_TX
        &[0x00, 0x02, 0x00, 0x00], // 512
    ]);
    let got = set_request(
        FAMILY_ID,
        5,
        ETHTOOL_MSG_RINGS_SET,
        Dev::Index(2),
        &[
            (ETHTOOL_A_RINGS_RX, Scalar::U32, 256),
            (ETHTOOL_A_RINGS_TX, Scalar::U32, 512),
        ],
    );
    assert_eq!(got.unwrap(), expected);
}

#[test]
fn channels_set_bytes() {
    let expected = cat(&[
        &set_prefix(0x28, 6, 18), // length 40, cmd 18 CHANNELS_SET
        &[0x08, 0x00, 0x09, 0x00], // ETHTOOL_A_CHANNELS_COMBINED_COUNT
        &[0x04, 0x00, 0x00, 0x00], // 4
    ]);
    let got = set_request(
        FAMILY_ID,
        6,
        ETHTOOL_MSG_CHANNELS_SET,
        Dev::Index(2),
        &[(ETHTOOL_A_CHANNELS_COMBINED_COUNT, Scalar::U32, 4)],
    );
    assert_eq!(got.unwrap(), expected);
}

#[test]
fn coalesce_set_bytes_u32_and_u8() {
    let expected = cat(&[
        &set_prefix(0x30, 7, 20), // length 48, cmd 20 COALESCE_SET
        &[0x08, 0x00, 0x02, 0x00], // ETHTOOL_A_COALESCE_RX_USECS
        &[0x0a, 0x00, 0x00, 0x00], // 10
        &[0x05, 0x00, 0x0b, 0x00], // ETHTOOL_A_COALESCE_USE_ADAPTIVE_RX, len 5
        &[0x01, 0x00, 0x00, 0x00], // 1 + padding
    ]);
    let got = set_request(
        FAMILY_ID,
        7,
        ETHTOOL_MSG_COALESCE_SET,
        Dev::Index(2),
        &[
            (ETHTOOL_A_COALESCE_RX_USECS, Scalar::U32, 10),
            // any non-zero boolean goes out as 1
            (ETHTOOL_A_COALESCE_USE_ADAPTIVE_RX, Scalar::Bool, 7),
        ],
    );
    assert_eq!(got.unwrap(), expected);
}

#[test]
fn pause_set_bytes() {
    let expected = cat(&[
        &set_prefix(0x30, 8, 22),  // length 48, cmd 22 PAUSE_SET
        &[0x05, 0x00, 0x02, 0x00], // ETHTOOL_A_PAUSE_AUTONEG, len 5
        &[0x00, 0x00, 0x00, 0x00], // off + padding
        &[0x05, 0x00, 0x03, 0x00], // ETHTOOL_A_PAUSE_RX, len 5
        &[0x00, 0x00, 0x00, 0x00], // off + padding
    ]);
    let got = set_request(
        FAMILY_ID,
        8,
        ETHTOOL_MSG_PAUSE_SET,
        Dev::Index(2),
        &[
            (ETHTOOL_A_PAUSE_AUTONEG, Scalar::Bool, 0),
            (ETHTOOL_A_PAUSE_RX, Scalar::Bool, 0),
        ],
    );
    assert_eq!(got.unwrap(), expected);
}

#[test]
fn eee_set_bytes() {
    let expected = cat(&[
        &set_prefix(0x30, 9, 24),  // length 48, cmd 24 EEE_SET
        &[0x05, 0x00, 0x05, 0x00], // ETHTOOL_A_EEE_ENABLED, len 5
        &[0x00, 0x00, 0x00, 0x00], // off + padding
        &[0x08, 0x00, 0x07, 0x00], // ETHTOOL_A_EEE_TX_LPI_TIMER
        &[0x64, 0x00, 0x00, 0x00], // 100 us
    ]);
    let got = set_request(
        FAMILY_ID,
        9,
        ETHTOOL_MSG_EEE_SET,
        Dev::Index(2),
        &[
            (ETHTOOL_A_EEE_ENABLED, Scalar::Bool, 0),
            (ETHTOOL_A_EEE_TX_LPI_TIMER, Scalar::U32, 100),
        ],
    );
    assert_eq!(got.unwrap(), expected);
}

#[test]
fn privflags_set_bytes_verbose_by_name() {
    let expected = cat(&[
        &set_prefix(0x58, 10, 14), // length 88, cmd 14 PRIVFLAGS_SET
        // ETHTOOL_A_PRIVFLAGS_FLAGS: len 56, type 2 | NLA_F_NESTED
        &[0x38, 0x00, 0x02, 0x80],
        // ETHTOOL_A_BITSET_BITS: len 52 (no NOMASK, no SIZE: value/mask)
        &[0x34, 0x00, 0x03, 0x80],
        // ETHTOOL_A_BITSET_BITS_BIT: len 24
        &[0x18, 0x00, 0x01, 0x80],
        &[0x11, 0x00, 0x02, 0x00], // ETHTOOL_A_BITSET_BIT_NAME, len 17
        b"s0ix-enabled\0\0\0\0",   // + 3 bytes padding; no VALUE: off
        // ETHTOOL_A_BITSET_BITS_BIT: len 24
        &[0x18, 0x00, 0x01, 0x80],
        &[0x0f, 0x00, 0x02, 0x00], // ETHTOOL_A_BITSET_BIT_NAME, len 15
        b"disable-k1\0\0",         // + 1 byte padding
        &[0x04, 0x00, 0x03, 0x00], // ETHTOOL_A_BITSET_BIT_VALUE: on
    ]);
    let got = privflags_set_request(
        FAMILY_ID,
        10,
        Dev::Index(2),
        &[("s0ix-enabled", false), ("disable-k1", true)],
    );
    assert_eq!(got.unwrap(), expected);
}

#[test]
fn strset_device_request_bytes() {
    let expected = cat(&[
        &[0x34, 0x00, 0x00, 0x00], // length 52
        &[0x15, 0x00],             // type 21
        &[0x05, 0x00],             // NLM_F_REQUEST | NLM_F_ACK
        &[0x04, 0x00, 0x00, 0x00], // sequence number 4
        &[0x00, 0x00, 0x00, 0x00], // port id
        &[0x01, 0x01, 0x00, 0x00], // cmd 1 STRSET_GET, version 1
        // ETHTOOL_A_STRSET_HEADER: the device (a per-device set needs one)
        &[0x10, 0x00, 0x01, 0x80], // len 16
        &[0x09, 0x00, 0x02, 0x00], // ETHTOOL_A_HEADER_DEV_NAME, len 9
        b"eth0\0\0\0\0",
        &[0x10, 0x00, 0x02, 0x80], // ETHTOOL_A_STRSET_STRINGSETS, len 16
        &[0x0c, 0x00, 0x01, 0x80], // ETHTOOL_A_STRINGSETS_STRINGSET, len 12
        &[0x08, 0x00, 0x01, 0x00], // ETHTOOL_A_STRINGSET_ID
        &[0x02, 0x00, 0x00, 0x00], // ETH_SS_PRIV_FLAGS
    ]);
    let got = strset::device_request(
        FAMILY_ID,
        4,
        Dev::Name("eth0"),
        ETH_SS_PRIV_FLAGS,
    );
    assert_eq!(got.unwrap(), expected);
}

// ---------------------------------------------------------------------------
// Replies

fn fields(f: &[(u16, Scalar)]) -> Vec<(u16, Scalar)> {
    f.to_vec()
}

#[test]
fn rings_reply_decodes_present_values_and_skips_newer_ones() {
    // e1000e: no mini or jumbo rings (max 0: absent), and two attributes
    // of newer kernels (RX_BUF_LEN u32, TCP_DATA_SPLIT u8) we do not ask for
    let msg = ethtool_msg(
        0,
        1,
        ETHTOOL_MSG_RINGS_GET_REPLY,
        &[
            reply_header(2, "eth0"),
            Nla::U32(ETHTOOL_A_RINGS_RX_MAX, 4096),
            Nla::U32(ETHTOOL_A_RINGS_TX_MAX, 4096),
            Nla::U32(ETHTOOL_A_RINGS_RX, 256),
            Nla::U32(ETHTOOL_A_RINGS_TX, 256),
            Nla::U32(10, 0),
            u8_attr(11, 0),
        ],
    );
    let f = fields(&[
        (ETHTOOL_A_RINGS_RX_MAX, Scalar::U32),
        (ETHTOOL_A_RINGS_RX_MINI_MAX, Scalar::U32),
        (ETHTOOL_A_RINGS_TX_MAX, Scalar::U32),
        (ETHTOOL_A_RINGS_RX, Scalar::U32),
        (ETHTOOL_A_RINGS_RX_MINI, Scalar::U32),
        (ETHTOOL_A_RINGS_TX, Scalar::U32),
    ]);
    let r = decode_scalars(body_of(&msg), &f).unwrap();
    assert_eq!(r.dev, ReplyDev { index: Some(2), name: Some("eth0".into()) });
    assert_eq!(
        r.values,
        vec![
            (ETHTOOL_A_RINGS_RX_MAX, 4096),
            (ETHTOOL_A_RINGS_TX_MAX, 4096),
            (ETHTOOL_A_RINGS_RX, 256),
            (ETHTOOL_A_RINGS_TX, 256),
        ]
    );
    assert_eq!(r.get(ETHTOOL_A_RINGS_RX_MINI), None);
}

#[test]
fn channels_reply_decodes() {
    let msg = ethtool_msg(
        0,
        1,
        ETHTOOL_MSG_CHANNELS_GET_REPLY,
        &[
            reply_header(3, "va"),
            Nla::U32(ETHTOOL_A_CHANNELS_RX_MAX, 2),
            Nla::U32(ETHTOOL_A_CHANNELS_RX_COUNT, 1),
            Nla::U32(ETHTOOL_A_CHANNELS_TX_MAX, 2),
            Nla::U32(ETHTOOL_A_CHANNELS_TX_COUNT, 1),
        ],
    );
    let f = fields(&[
        (ETHTOOL_A_CHANNELS_RX_MAX, Scalar::U32),
        (ETHTOOL_A_CHANNELS_TX_MAX, Scalar::U32),
        (ETHTOOL_A_CHANNELS_RX_COUNT, Scalar::U32),
        (ETHTOOL_A_CHANNELS_TX_COUNT, Scalar::U32),
        (ETHTOOL_A_CHANNELS_COMBINED_COUNT, Scalar::U32),
    ]);
    let r = decode_scalars(body_of(&msg), &f).unwrap();
    assert_eq!(r.dev.index, Some(3));
    assert_eq!(r.get(ETHTOOL_A_CHANNELS_TX_COUNT), Some(1));
    assert_eq!(r.get(ETHTOOL_A_CHANNELS_RX_MAX), Some(2));
    assert_eq!(r.get(ETHTOOL_A_CHANNELS_COMBINED_COUNT), None);
}

#[test]
fn coalesce_reply_decodes_booleans_from_u8() {
    let msg = ethtool_msg(
        0,
        1,
        ETHTOOL_MSG_COALESCE_GET_REPLY,
        &[
            reply_header(2, "eth0"),
            Nla::U32(ETHTOOL_A_COALESCE_RX_USECS, 3),
            u8_attr(ETHTOOL_A_COALESCE_USE_ADAPTIVE_RX, 0),
            // "any non-zero value should be understood as true"
            u8_attr(ETHTOOL_A_COALESCE_USE_ADAPTIVE_TX, 2),
        ],
    );
    let f = fields(&[
        (ETHTOOL_A_COALESCE_RX_USECS, Scalar::U32),
        (ETHTOOL_A_COALESCE_TX_USECS, Scalar::U32),
        (ETHTOOL_A_COALESCE_USE_ADAPTIVE_RX, Scalar::Bool),
        (ETHTOOL_A_COALESCE_USE_ADAPTIVE_TX, Scalar::Bool),
    ]);
    let r = decode_scalars(body_of(&msg), &f).unwrap();
    assert_eq!(
        r.values,
        vec![
            (ETHTOOL_A_COALESCE_RX_USECS, 3),
            (ETHTOOL_A_COALESCE_USE_ADAPTIVE_RX, 0),
            (ETHTOOL_A_COALESCE_USE_ADAPTIVE_TX, 1),
        ]
    );
}

#[test]
fn pause_reply_skips_the_stats_nest() {
    let msg = ethtool_msg(
        0,
        1,
        ETHTOOL_MSG_PAUSE_GET_REPLY,
        &[
            reply_header(2, "eth0"),
            u8_attr(ETHTOOL_A_PAUSE_AUTONEG, 1),
            u8_attr(ETHTOOL_A_PAUSE_RX, 1),
            u8_attr(ETHTOOL_A_PAUSE_TX, 0),
            Nla::Nest(ETHTOOL_A_PAUSE_STATS, vec![Nla::Raw(1, vec![0; 4])]),
        ],
    );
    let f = fields(&[
        (ETHTOOL_A_PAUSE_AUTONEG, Scalar::Bool),
        (ETHTOOL_A_PAUSE_RX, Scalar::Bool),
        (ETHTOOL_A_PAUSE_TX, Scalar::Bool),
    ]);
    let r = decode_scalars(body_of(&msg), &f).unwrap();
    assert_eq!(
        r.values,
        vec![
            (ETHTOOL_A_PAUSE_AUTONEG, 1),
            (ETHTOOL_A_PAUSE_RX, 1),
            (ETHTOOL_A_PAUSE_TX, 0),
        ]
    );
}

#[test]
fn eee_reply_skips_the_link_mode_bitsets() {
    let msg = ethtool_msg(
        0,
        1,
        ETHTOOL_MSG_EEE_GET_REPLY,
        &[
            reply_header(2, "eth0"),
            bitset(ETHTOOL_A_EEE_MODES_OURS, 92, &[3, 5], &[3, 5]),
            bitset_list(ETHTOOL_A_EEE_MODES_PEER, 92, &[5]),
            u8_attr(ETHTOOL_A_EEE_ACTIVE, 0),
            u8_attr(ETHTOOL_A_EEE_ENABLED, 1),
            u8_attr(ETHTOOL_A_EEE_TX_LPI_ENABLED, 1),
            Nla::U32(ETHTOOL_A_EEE_TX_LPI_TIMER, 0),
        ],
    );
    let f = fields(&[
        (ETHTOOL_A_EEE_ENABLED, Scalar::Bool),
        (ETHTOOL_A_EEE_ACTIVE, Scalar::Bool),
        (ETHTOOL_A_EEE_TX_LPI_ENABLED, Scalar::Bool),
        (ETHTOOL_A_EEE_TX_LPI_TIMER, Scalar::U32),
    ]);
    let r = decode_scalars(body_of(&msg), &f).unwrap();
    assert_eq!(
        r.values,
        vec![
            (ETHTOOL_A_EEE_ACTIVE, 0),
            (ETHTOOL_A_EEE_ENABLED, 1),
            (ETHTOOL_A_EEE_TX_LPI_ENABLED, 1),
            (ETHTOOL_A_EEE_TX_LPI_TIMER, 0),
        ]
    );
}

#[test]
fn privflags_reply_decodes_the_compact_value_mask_bitset() {
    let msg = ethtool_msg(
        0,
        1,
        ETHTOOL_MSG_PRIVFLAGS_GET_REPLY,
        &[
            reply_header(2, "eth0"),
            bitset(ETHTOOL_A_PRIVFLAGS_FLAGS, 2, &[1], &[0, 1]),
        ],
    );
    let (dev, flags) = decode_privflags(body_of(&msg)).unwrap();
    assert_eq!(dev.index, Some(2));
    assert_eq!(flags.mask_bits().collect::<Vec<_>>(), vec![0, 1]);
    assert!(!flags.get(0) && flags.get(1));
}

#[test]
fn privflags_reply_without_flags_is_no_flags() {
    let msg = ethtool_msg(
        0,
        1,
        ETHTOOL_MSG_PRIVFLAGS_GET_REPLY,
        &[reply_header(2, "eth0")],
    );
    let (_, flags) = decode_privflags(body_of(&msg)).unwrap();
    assert_eq!(flags.mask_bits().count(), 0);
}

#[test]
fn strset_device_reply_gives_the_device_and_the_names() {
    let msg = ethtool_msg(
        0,
        1,
        ETHTOOL_MSG_STRSET_GET_REPLY,
        &[
            reply_header(7, "eno1"),
            stringsets(vec![stringset_of(
                ETH_SS_PRIV_FLAGS,
                &["s0ix-enabled", "disable-k1"],
            )]),
        ],
    );
    let b = body_of(&msg);
    let dev = strset::decode_device(b).unwrap();
    assert_eq!(dev, ReplyDev { index: Some(7), name: Some("eno1".into()) });
    assert_eq!(
        strset::decode(b, ETH_SS_PRIV_FLAGS).unwrap(),
        vec!["s0ix-enabled", "disable-k1"]
    );
    // a driver without flags: the kernel omits the empty set
    let empty = ethtool_msg(
        0,
        1,
        ETHTOOL_MSG_STRSET_GET_REPLY,
        &[reply_header(3, "va")],
    );
    assert_eq!(strset::decode_device(body_of(&empty)).unwrap().index, Some(3));
    assert!(strset::decode(body_of(&empty), ETH_SS_PRIV_FLAGS)
        .unwrap()
        .is_empty());
}

#[test]
fn malformed_replies_are_errors_not_panics() {
    let f = fields(&[
        (ETHTOOL_A_PAUSE_RX, Scalar::Bool),
        (ETHTOOL_A_RINGS_RX_MAX, Scalar::U32),
    ]);
    // an empty u8
    let msg = ethtool_msg(0, 1, 22, &[Nla::Raw(ETHTOOL_A_PAUSE_RX, vec![])]);
    assert!(decode_scalars(body_of(&msg), &f).is_err());
    // a two-byte u32
    let msg =
        ethtool_msg(0, 1, 16, &[Nla::Raw(ETHTOOL_A_RINGS_RX_MAX, vec![1, 2])]);
    assert!(decode_scalars(body_of(&msg), &f).is_err());
    // an attribute length beyond the buffer, at every truncation
    let msg = ethtool_msg(
        0,
        1,
        ETHTOOL_MSG_RINGS_GET_REPLY,
        &[reply_header(2, "eth0"), Nla::U32(ETHTOOL_A_RINGS_RX_MAX, 4096)],
    );
    let body = body_of(&msg);
    for cut in 1..body.len() {
        let _ = decode_scalars(&body[..cut], &f);
        let _ = decode_privflags(&body[..cut]);
        let _ = strset::decode_device(&body[..cut]);
    }
    let mut bad = body.to_vec();
    bad[0] = 0xff; // header nest length beyond the body
    assert!(decode_scalars(&bad, &f).is_err());
    assert!(decode_privflags(&bad).is_err());
    // a flags bitset with a value shorter than its size
    let msg = ethtool_msg(
        0,
        1,
        ETHTOOL_MSG_PRIVFLAGS_GET_REPLY,
        &[Nla::Nest(
            ETHTOOL_A_PRIVFLAGS_FLAGS,
            vec![
                Nla::U32(ETHTOOL_A_BITSET_SIZE, 40),
                Nla::Raw(ETHTOOL_A_BITSET_VALUE, vec![0; 4]),
                Nla::Raw(ETHTOOL_A_BITSET_MASK, vec![0; 4]),
            ],
        )],
    );
    assert!(decode_privflags(body_of(&msg)).is_err());
    // no device header in a string set reply
    let msg = ethtool_msg(0, 1, ETHTOOL_MSG_STRSET_GET_REPLY, &[]);
    assert!(strset::decode_device(body_of(&msg)).is_err());
}
