//! Golden-byte tests of the wire codecs, in the style of
//! netlink-packet-route's, one file per topic: requests compared byte for
//! byte with what the kernel expects, replies decoded from bytes as the
//! kernel sends them (built with the fake kernel's own, independent
//! encoder), and truncated / corrupted input that must give an error, never
//! a panic.
//!
//! The byte arrays are little-endian (netlink is host-endian), so these
//! tests only run on little-endian targets.

#![cfg(target_endian = "little")]

use crate::netlink::wire::builder::MsgBuilder;
use crate::netlink::wire::consts::{GENL_HDRLEN, NLMSG_HDRLEN};
use crate::testing::fake;

mod bitset;
mod ctrl;
mod events;
mod features;
mod fuzz;
mod message;
mod settings;
mod strset;

pub(super) fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// The attributes after `nlmsghdr` + `genlmsghdr` of a whole message.
pub(super) fn body_of(msg: &[u8]) -> &[u8] {
    &msg[NLMSG_HDRLEN + GENL_HDRLEN..]
}

/// A raw-bytes attribute appended with the crate's own builder (which has
/// no raw-attribute method): `[len][type][bytes][padding]`.
pub(super) fn raw_attr(b: &mut MsgBuilder, kind: u16, data: &[u8]) {
    let mut a = Vec::new();
    fake::put_attr(&mut a, kind, data);
    b.bytes(&a);
}

/// Owned names, as the decoders return them.
pub(super) fn names(n: &[&str]) -> Vec<String> {
    n.iter().map(|s| s.to_string()).collect()
}
