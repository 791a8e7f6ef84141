//! The request header nest (`ETHTOOL_A_*_HEADER`, attribute 1 of every
//! ethtool message): device by index and/or name, and the flag word.

use bitflags::bitflags;

use super::builder::MsgBuilder;
use super::consts::*;
use crate::iface::IfaceRef;

bitflags! {
    /// `ETHTOOL_A_HEADER_FLAGS`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(crate) struct HeaderFlags: u32 {
        const COMPACT_BITSETS = 1;
        const OMIT_REPLY = 2;
        const STATS = 4;
    }
}

/// Which device a request is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dev<'a> {
    None,
    Index(u32),
    Name(&'a str),
    /// Both: the kernel (`ethnl_parse_header_dev_get`) looks the device up
    /// by index and refuses a name that is not its name (ENODEV, with an
    /// extended ACK).
    Both(u32, &'a str),
}

impl<'a> Dev<'a> {
    /// How `iface` is named in a request: everything it has, so the
    /// kernel checks a name against an index.
    pub(crate) fn of(iface: &'a IfaceRef) -> Self {
        match (iface.index(), iface.name()) {
            (Some(i), Some(n)) => Dev::Both(i, n),
            (Some(i), None) => Dev::Index(i),
            (None, Some(n)) => Dev::Name(n),
            (None, None) => Dev::None,
        }
    }
}

pub(crate) fn encode(
    b: &mut MsgBuilder,
    kind: u16,
    dev: Dev<'_>,
    flags: HeaderFlags,
) {
    b.nest(kind);
    match dev {
        Dev::None => {}
        Dev::Index(i) => {
            b.u32(ETHTOOL_A_HEADER_DEV_INDEX, i);
        }
        Dev::Name(n) => {
            b.str(ETHTOOL_A_HEADER_DEV_NAME, n);
        }
        Dev::Both(i, n) => {
            b.u32(ETHTOOL_A_HEADER_DEV_INDEX, i);
            b.str(ETHTOOL_A_HEADER_DEV_NAME, n);
        }
    }
    if !flags.is_empty() {
        b.u32(ETHTOOL_A_HEADER_FLAGS, flags.bits());
    }
    b.end();
}

/// An ethtool request up to and including its header nest (attribute 1
/// of every ethtool message): `nlmsghdr`, `genlmsghdr`, the device and the
/// header flags. Every request ethcfg sends starts here.
pub(crate) fn request(
    family: u16,
    nl_flags: u16,
    seq: u32,
    cmd: u8,
    dev: Dev<'_>,
    flags: HeaderFlags,
) -> MsgBuilder {
    request_in(Vec::with_capacity(128), family, nl_flags, seq, cmd, dev, flags)
}

/// [`request`] appended to `buf` (a datagram of pipelined requests).
pub(crate) fn request_in(
    buf: Vec<u8>,
    family: u16,
    nl_flags: u16,
    seq: u32,
    cmd: u8,
    dev: Dev<'_>,
    flags: HeaderFlags,
) -> MsgBuilder {
    let mut b = MsgBuilder::genl_in(
        buf,
        family,
        nl_flags,
        seq,
        cmd,
        ETHTOOL_GENL_VERSION,
    );
    encode(&mut b, 1, dev, flags);
    b
}

/// The device identity the kernel put in a reply header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ReplyDev {
    pub(crate) index: Option<u32>,
    pub(crate) name: Option<String>,
}

pub(crate) fn decode(nest: &[u8]) -> super::attrs::WireResult<ReplyDev> {
    let mut d = ReplyDev::default();
    for a in super::attrs::attrs(nest) {
        let a = a?;
        match a.kind {
            ETHTOOL_A_HEADER_DEV_INDEX => {
                d.index = Some(a.u32("header ifindex")?)
            }
            ETHTOOL_A_HEADER_DEV_NAME => d.name = Some(a.string()),
            _ => {}
        }
    }
    Ok(d)
}

/// The device index of a reply header, without its name.
pub(crate) fn decode_index(
    nest: &[u8],
) -> super::attrs::WireResult<Option<u32>> {
    let mut index = None;
    for a in super::attrs::attrs(nest) {
        let a = a?;
        if a.kind == ETHTOOL_A_HEADER_DEV_INDEX {
            index = Some(a.u32("header ifindex")?);
        }
    }
    Ok(index)
}
