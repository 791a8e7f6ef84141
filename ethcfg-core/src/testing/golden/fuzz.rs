//! Fuzz-ish: every prefix and every flipped byte of valid input decodes or
//! fails cleanly, never panics.

use crate::netlink::wire::bitset::Bitset;
use crate::netlink::wire::consts::*;
use crate::netlink::wire::message::{split, Received};
use crate::netlink::wire::{ctrl, features, message, strset};
use crate::testing::fake::{
    self, bitset, datagram, encode, family_reply, genl, reply_header, s,
    string, stringset, Nla, ETHTOOL_OPS, FAMILY_ID,
};

use super::features::{sample_features_body, SIZE};
use super::message::{multi_datagram, ERROR_CAPPED};
use super::strset::strset_body;
use super::*;

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
    for a in crate::netlink::wire::attrs::attrs(body).flatten() {
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
