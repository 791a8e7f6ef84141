//! Bitsets: compact value/mask and no-mask lists, verbose bit lists, bit 0 in every
//! encoding, and the sizes and indexes that must be errors.

use crate::netlink::wire::bitset::Bitset;
use crate::netlink::wire::builder::MsgBuilder;
use crate::netlink::wire::consts::*;
use crate::netlink::wire::features;
use crate::testing::fake::{encode, s, Nla};

use super::features::features_body;
use super::*;

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
            value: [0x9, 0x80].into_iter().collect(),
            mask: Some([0xb, 0x81].into_iter().collect())
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
        Bitset {
            size: 36,
            value: [0x1, 0].into_iter().collect(),
            mask: Some([0x801, 0].into_iter().collect())
        }
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
    let f = crate::Features::from_reply(r, &shared);
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

#[test]
fn builder_nests_deeper_than_it_tracks_in_place() {
    use crate::netlink::wire::builder::MsgBuilder;
    // Ten nests, each holding the next and, innermost, one u32.
    let mut b = MsgBuilder::raw(16, 1, 7);
    for k in 1..=10 {
        b.nest(k);
    }
    b.u32(1, 0xabcd);
    let msg = b.finish().unwrap();
    assert_eq!(msg.len(), 16 + 10 * 4 + 8);
    for k in 0..10u16 {
        let at = 16 + 4 * usize::from(k);
        let len = u16::from_ne_bytes([msg[at], msg[at + 1]]);
        let kind = u16::from_ne_bytes([msg[at + 2], msg[at + 3]]);
        assert_eq!(usize::from(len), 8 + 4 * (10 - usize::from(k)), "nest {k}");
        assert_eq!(kind, (k + 1) | NLA_F_NESTED);
    }
}

#[test]
fn bitset_words_and_listed_bits_stop_at_size() {
    // Bits past `size` in the last word are not the kernel's: never listed.
    let b = Bitset {
        size: 36,
        value: [0x8000_0001, 0xffff_fffa].into_iter().collect(),
        mask: None,
    };
    assert_eq!(b.mask_bits().collect::<Vec<_>>(), [0, 31, 33, 35]);
    assert!(b.listed(0) && b.listed(35) && !b.listed(36) && !b.listed(34));
    assert_eq!(b.word64(0), 0xffff_fffa_8000_0001);
    assert_eq!(b.word64(1), 0, "beyond the words: zero");
    let m = Bitset {
        size: 64,
        value: [0, 0].into_iter().collect(),
        mask: Some([0x4, 0x1].into_iter().collect()),
    };
    assert_eq!(m.mask_bits().collect::<Vec<_>>(), [2, 32]);
    assert!(m.listed(32) && !m.get(32));
    assert_eq!(Bitset::default().mask_bits().count(), 0);
}
