//! The generic-netlink controller: the family request and replies.

use crate::netlink::wire::consts::*;
use crate::netlink::wire::message::{split, Received};
use crate::netlink::wire::{ctrl, message};
use crate::testing::fake::{
    self, encode, family_reply, s, Nla, ETHTOOL_OPS, FAMILY_ID, MONITOR_GROUP,
};

use super::*;

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
    assert_eq!(info.group(ETHTOOL_MCGRP_MONITOR_NAME), Some(MONITOR_GROUP));
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
    let monitor = info.group(ETHTOOL_MCGRP_MONITOR_NAME);
    assert_eq!((info.id, monitor, info.ops.len()), (30, None, 0));
    assert_eq!(info.group("other"), Some(9));

    let body = encode(&[s(CTRL_ATTR_FAMILY_NAME, "ethtool")]);
    assert!(ctrl::decode_family(&body).is_err());
    // a u16 id of the wrong width
    let body = encode(&[Nla::U32(CTRL_ATTR_FAMILY_ID, 21)]);
    assert!(ctrl::decode_family(&body).is_err());
}
