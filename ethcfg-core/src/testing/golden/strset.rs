//! String sets: the STRSET_GET request and replies, indexes kept, counts checked.

use crate::netlink::wire::consts::*;
use crate::netlink::wire::strset;
use crate::testing::fake::{
    encode, s, string, stringset, stringsets, Nla, FAMILY_ID,
};

use super::*;

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

pub(super) fn strset_body(sets: Vec<Nla>) -> Vec<u8> {
    encode(&[stringsets(sets)])
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
