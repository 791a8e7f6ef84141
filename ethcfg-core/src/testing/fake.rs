//! A fake kernel behind the [`Transport`] trait, for tests of the protocol
//! engine ([`crate::ethtool::session`]) without a netlink socket.
//!
//! [`Fake`] hands every request to a scripted responder closure
//! (`FnMut(&[u8]) -> Vec<Vec<u8>>`), queues the datagrams it returns and
//! logs every request; `recv` on an empty queue is an I/O error, so a
//! client that waits for a reply that never comes fails instead of hanging.
//!
//! [`Kernel`] is a small model of a kernel with the ethtool family (family
//! id 21, a 36-bit feature table, `lo` and `eth0`) that answers the way
//! Linux does: controller reply, `STRSET_GET`, `FEATURES_GET` do and dump
//! (compact bitsets), `FEATURES_SET` with a `FEATURES_SET_REPLY` (wanted
//! diff and active diff, with the SG → TSO/GSO dependency rule), ACKs that
//! echo the request header (`NLM_F_CAPPED`) and errors with extended-ACK
//! text. Tests override single answers by matching the request in their
//! own closure and fall back to [`Kernel::respond`] for the rest.
//!
//! The message builders (`genl`, `nlmsg`, `Nla`, `bitset`, ...) encode
//! kernel-side messages independently of the crate's own `MsgBuilder`;
//! `wire::tests` uses them as well.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::rc::Rc;

use crate::netlink::transport::Transport;
use crate::netlink::wire::consts::*;

// ---------------------------------------------------------------------------
// Encoding kernel-side messages

/// The port id the fake kernel puts in its replies (the socket's).
pub(crate) const PORT: u32 = 0x0000_1092;
/// The ethtool family id the fake controller hands out.
pub(crate) const FAMILY_ID: u16 = 21;
/// The id of ethtool's `monitor` multicast group.
pub(crate) const MONITOR_GROUP: u32 = 5;
/// `CTRL_CMD_NEWFAMILY`.
pub(crate) const CTRL_CMD_NEWFAMILY: u8 = 1;
/// The controller family's genl version.
pub(crate) const CTRL_VERSION: u8 = 2;

/// One attribute of a message the fake kernel sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Nla {
    U16(u16, u16),
    U32(u16, u32),
    /// A string; the NUL is added.
    Str(u16, String),
    Flag(u16),
    /// Raw payload bytes (compact bitset words, garbage).
    Raw(u16, Vec<u8>),
    /// A nest with `NLA_F_NESTED`, as ethtool's `nla_nest_start()`.
    Nest(u16, Vec<Nla>),
    /// A nest without it, as the genl controller's `nla_nest_start_noflag()`.
    NestNoFlag(u16, Vec<Nla>),
}

/// Appends one attribute: `[len u16][type u16][value][padding to 4]`.
pub(crate) fn put_attr(out: &mut Vec<u8>, kind: u16, value: &[u8]) {
    let len = u16::try_from(4 + value.len()).expect("attribute fits u16");
    out.extend_from_slice(&len.to_ne_bytes());
    out.extend_from_slice(&kind.to_ne_bytes());
    out.extend_from_slice(value);
    out.resize(out.len() + (4 - value.len() % 4) % 4, 0);
}

/// Encodes a list of attributes, each padded to 4 bytes.
pub(crate) fn encode(attrs: &[Nla]) -> Vec<u8> {
    let mut out = Vec::new();
    for a in attrs {
        match a {
            Nla::U16(k, v) => put_attr(&mut out, *k, &v.to_ne_bytes()),
            Nla::U32(k, v) => put_attr(&mut out, *k, &v.to_ne_bytes()),
            Nla::Str(k, s) => {
                let mut v = s.as_bytes().to_vec();
                v.push(0);
                put_attr(&mut out, *k, &v);
            }
            Nla::Flag(k) => put_attr(&mut out, *k, &[]),
            Nla::Raw(k, b) => put_attr(&mut out, *k, b),
            Nla::Nest(k, inner) => {
                put_attr(&mut out, *k | NLA_F_NESTED, &encode(inner))
            }
            Nla::NestNoFlag(k, inner) => put_attr(&mut out, *k, &encode(inner)),
        }
    }
    out
}

/// A string attribute.
pub(crate) fn s(kind: u16, v: &str) -> Nla {
    Nla::Str(kind, v.to_owned())
}

/// One netlink message: `nlmsghdr` (length = 16 + payload) + payload.
pub(crate) fn nlmsg(ty: u16, flags: u16, seq: u32, payload: &[u8]) -> Vec<u8> {
    let len = u32::try_from(NLMSG_HDRLEN + payload.len()).expect("fits");
    let mut out = Vec::with_capacity(len as usize);
    out.extend_from_slice(&len.to_ne_bytes());
    out.extend_from_slice(&ty.to_ne_bytes());
    out.extend_from_slice(&flags.to_ne_bytes());
    out.extend_from_slice(&seq.to_ne_bytes());
    out.extend_from_slice(&PORT.to_ne_bytes());
    out.extend_from_slice(payload);
    out
}

/// A generic-netlink message: `nlmsghdr` + `genlmsghdr` + attributes.
pub(crate) fn genl(
    ty: u16,
    flags: u16,
    seq: u32,
    cmd: u8,
    version: u8,
    attrs: &[Nla],
) -> Vec<u8> {
    let mut payload = vec![cmd, version, 0, 0];
    payload.extend_from_slice(&encode(attrs));
    nlmsg(ty, flags, seq, &payload)
}

/// An ethtool-family message from the kernel (genl version 1).
pub(crate) fn ethtool_msg(
    flags: u16,
    seq: u32,
    cmd: u8,
    attrs: &[Nla],
) -> Vec<u8> {
    genl(FAMILY_ID, flags, seq, cmd, ETHTOOL_GENL_VERSION, attrs)
}

/// Several messages in one datagram (each already 4-byte aligned).
pub(crate) fn datagram(msgs: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in msgs {
        out.extend_from_slice(m);
        out.resize(out.len() + (4 - m.len() % 4) % 4, 0);
    }
    out
}

/// Compact bitset words for `size` bits with `bits` set, as host-endian
/// bytes (exactly `ceil(size/32)` words, as the kernel sends them).
pub(crate) fn words(size: u32, bits: &[u32]) -> Vec<u8> {
    let mut w = vec![0u32; size.div_ceil(32) as usize];
    for &b in bits {
        assert!(b < size, "bit {b} beyond size {size}");
        w[(b / 32) as usize] |= 1 << (b % 32);
    }
    w.iter().flat_map(|x| x.to_ne_bytes()).collect()
}

/// A compact value/mask bitset nest, in the kernel's attribute order.
pub(crate) fn bitset(kind: u16, size: u32, value: &[u32], mask: &[u32]) -> Nla {
    Nla::Nest(
        kind,
        vec![
            Nla::U32(ETHTOOL_A_BITSET_SIZE, size),
            Nla::Raw(ETHTOOL_A_BITSET_VALUE, words(size, value)),
            Nla::Raw(ETHTOOL_A_BITSET_MASK, words(size, mask)),
        ],
    )
}

/// A compact list (`NOMASK`) bitset nest.
pub(crate) fn bitset_list(kind: u16, size: u32, bits: &[u32]) -> Nla {
    Nla::Nest(
        kind,
        vec![
            Nla::Flag(ETHTOOL_A_BITSET_NOMASK),
            Nla::U32(ETHTOOL_A_BITSET_SIZE, size),
            Nla::Raw(ETHTOOL_A_BITSET_VALUE, words(size, bits)),
        ],
    )
}

/// The reply header nest: ifindex and primary name.
pub(crate) fn reply_header(index: u32, name: &str) -> Nla {
    Nla::Nest(
        ETHTOOL_A_FEATURES_HEADER,
        vec![
            Nla::U32(ETHTOOL_A_HEADER_DEV_INDEX, index),
            s(ETHTOOL_A_HEADER_DEV_NAME, name),
        ],
    )
}

// ---------------------------------------------------------------------------
// Kernel replies

/// ethtool's op table as a 6.x kernel reports it: GETs `0xe`
/// (do|dump|haspol), SETs `0x1a` (do|haspol|uns-admin), `WOL_GET` admin-only.
pub(crate) const ETHTOOL_OPS: &[(u32, u32)] = &[
    (1, 0xe),   // STRSET_GET
    (2, 0xe),   // LINKINFO_GET
    (3, 0x1a),  // LINKINFO_SET
    (4, 0xe),   // LINKMODES_GET
    (5, 0x1a),  // LINKMODES_SET
    (6, 0xe),   // LINKSTATE_GET
    (7, 0xe),   // DEBUG_GET
    (8, 0x1a),  // DEBUG_SET
    (9, 0x1e),  // WOL_GET
    (10, 0x1a), // WOL_SET
    (11, 0xe),  // FEATURES_GET
    (12, 0x1a), // FEATURES_SET
    (13, 0xe),  // PRIVFLAGS_GET
    (14, 0x1a), // PRIVFLAGS_SET
];

/// `CTRL_CMD_NEWFAMILY` for "ethtool", in the attribute order of the
/// kernel's `ctrl_fill_info()` (nests without `NLA_F_NESTED`).
pub(crate) fn family_reply(seq: u32, ops: &[(u32, u32)]) -> Vec<u8> {
    let ops = ops
        .iter()
        .enumerate()
        .map(|(i, &(id, flags))| {
            Nla::NestNoFlag(
                u16::try_from(i + 1).expect("few ops"),
                vec![Nla::U32(1, id), Nla::U32(2, flags)],
            )
        })
        .collect();
    genl(
        GENL_ID_CTRL,
        0,
        seq,
        CTRL_CMD_NEWFAMILY,
        CTRL_VERSION,
        &[
            s(CTRL_ATTR_FAMILY_NAME, ETHTOOL_GENL_NAME),
            Nla::U16(CTRL_ATTR_FAMILY_ID, FAMILY_ID),
            Nla::U32(3, 1),  // CTRL_ATTR_VERSION
            Nla::U32(4, 0),  // CTRL_ATTR_HDRSIZE
            Nla::U32(5, 10), // CTRL_ATTR_MAXATTR
            Nla::NestNoFlag(CTRL_ATTR_OPS, ops),
            Nla::NestNoFlag(
                CTRL_ATTR_MCAST_GROUPS,
                vec![Nla::NestNoFlag(
                    1,
                    vec![
                        Nla::U32(2, MONITOR_GROUP),
                        s(1, ETHTOOL_MCGRP_MONITOR_NAME),
                    ],
                )],
            ),
        ],
    )
}

/// `NLMSG_ERROR` for `req`: errno (positive, 0 = ACK), the echoed request
/// header (`NLM_F_CAPPED`), and the extended-ACK TLVs (`NLM_F_ACK_TLVS`).
pub(crate) fn nlmsgerr(
    req: &Req,
    errno: i32,
    msg: Option<&str>,
    offset: Option<u32>,
) -> Vec<u8> {
    let mut payload = (-errno).to_ne_bytes().to_vec();
    payload.extend_from_slice(&req.raw[..NLMSG_HDRLEN]);
    let mut tlvs = Vec::new();
    if let Some(m) = msg {
        tlvs.push(s(NLMSGERR_ATTR_MSG, m));
    }
    if let Some(o) = offset {
        tlvs.push(Nla::U32(NLMSGERR_ATTR_OFFS, o));
    }
    let mut flags = NLM_F_CAPPED;
    if !tlvs.is_empty() {
        flags |= NLM_F_ACK_TLVS;
        payload.extend_from_slice(&encode(&tlvs));
    }
    nlmsg(NLMSG_ERROR, flags, req.seq, &payload)
}

/// The ACK for `req`.
pub(crate) fn ack(req: &Req) -> Vec<u8> {
    nlmsgerr(req, 0, None, None)
}

/// An ACK carrying a warning.
pub(crate) fn ack_warning(req: &Req, msg: &str) -> Vec<u8> {
    nlmsgerr(req, 0, Some(msg), None)
}

/// An error for `req` with extended-ACK text, when given.
pub(crate) fn error(req: &Req, errno: i32, msg: Option<&str>) -> Vec<u8> {
    nlmsgerr(req, errno, msg, None)
}

/// `NLMSG_DONE` ending a dump, with the dump's errno (positive, 0 = ok).
pub(crate) fn done(seq: u32, errno: i32, extra_flags: u16) -> Vec<u8> {
    nlmsg(NLMSG_DONE, NLM_F_MULTI | extra_flags, seq, &(-errno).to_ne_bytes())
}

/// `STRSET_GET_REPLY` holding `ETH_SS_FEATURES` (every index, empty names
/// included, as `strset_fill_set()` sends them).
pub(crate) fn strset_reply(seq: u32, names: &[&str]) -> Vec<u8> {
    let strings = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            Nla::Nest(
                ETHTOOL_A_STRINGS_STRING,
                vec![
                    Nla::U32(ETHTOOL_A_STRING_INDEX, i as u32),
                    s(ETHTOOL_A_STRING_VALUE, n),
                ],
            )
        })
        .collect();
    ethtool_msg(
        0,
        seq,
        ETHTOOL_MSG_STRSET_GET_REPLY,
        &[Nla::Nest(
            ETHTOOL_A_STRSET_STRINGSETS,
            vec![Nla::Nest(
                ETHTOOL_A_STRINGSETS_STRINGSET,
                vec![
                    Nla::U32(ETHTOOL_A_STRINGSET_ID, ETH_SS_FEATURES),
                    Nla::U32(ETHTOOL_A_STRINGSET_COUNT, names.len() as u32),
                    Nla::Nest(ETHTOOL_A_STRINGSET_STRINGS, strings),
                ],
            )],
        )],
    )
}

/// The feature table of the fake kernel: 36 bits, some unnamed (2, 19,
/// 25..=30 and 32, at the word boundary), `tx-tcp-accecn-segmentation` in
/// the second word.
pub(crate) const FEATURE_TABLE: &[&str] = &[
    "tx-scatter-gather",            // 0
    "tx-checksum-ipv4",             // 1
    "",                             // 2
    "tx-checksum-ip-generic",       // 3
    "tx-checksum-ipv6",             // 4
    "highdma",                      // 5
    "tx-tcp-segmentation",          // 6
    "tx-tcp-ecn-segmentation",      // 7
    "tx-tcp-mangleid-segmentation", // 8
    "tx-tcp6-segmentation",         // 9
    "tx-generic-segmentation",      // 10
    "rx-gro",                       // 11
    "rx-lro",                       // 12
    "vlan-challenged",              // 13
    "tx-udp-segmentation",          // 14
    "rx-checksum",                  // 15
    "rx-vlan-hw-parse",             // 16
    "tx-vlan-hw-insert",            // 17
    "rx-ntuple-filter",             // 18
    "",                             // 19
    "tx-gre-segmentation",          // 20
    "tx-udp_tnl-segmentation",      // 21
    "tx-gso-partial",               // 22
    "tx-sctp-segmentation",         // 23
    "tx-esp-segmentation",          // 24
    "",                             // 25
    "",                             // 26
    "",                             // 27
    "",                             // 28
    "",                             // 29
    "",                             // 30
    "rx-all",                       // 31
    "",                             // 32
    "tx-tcp-accecn-segmentation",   // 33
    "rx-hashing",                   // 34
    "rx-gro-hw",                    // 35
];

/// The size of [`FEATURE_TABLE`] (the bitsets' `SIZE`).
pub(crate) const NBITS: u32 = FEATURE_TABLE.len() as u32;

/// The bit index of a feature of [`FEATURE_TABLE`].
pub(crate) fn bit(name: &str) -> u32 {
    FEATURE_TABLE
        .iter()
        .position(|n| *n == name && !name.is_empty())
        .unwrap_or_else(|| panic!("{name} is not in the fake feature table"))
        as u32
}

fn bits(names: &[&str]) -> Vec<u32> {
    names.iter().map(|n| bit(n)).collect()
}

/// One device of the fake kernel; feature states are lists of bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FakeIface {
    pub(crate) index: u32,
    pub(crate) name: String,
    /// `hw_features`: what the user may change.
    pub(crate) hw: Vec<u32>,
    /// `wanted_features`.
    pub(crate) wanted: Vec<u32>,
    /// `features`.
    pub(crate) active: Vec<u32>,
    /// Bits the driver's `ndo_set_features` will not change.
    pub(crate) stuck: Vec<u32>,
}

/// Every named bit except `fixed`.
fn all_named_except(fixed: &[u32]) -> Vec<u32> {
    (0..NBITS)
        .filter(|&i| {
            !FEATURE_TABLE[i as usize].is_empty() && !fixed.contains(&i)
        })
        .collect()
}

impl FakeIface {
    /// A veth-like device at ifindex 2: `highdma` fixed on, `rx-lro` fixed
    /// off, `vlan-challenged` never changeable; `rx-gro-hw` requested on
    /// but off.
    pub(crate) fn eth0() -> FakeIface {
        let hw =
            all_named_except(&bits(&["highdma", "rx-lro", "vlan-challenged"]));
        let active = bits(&[
            "tx-scatter-gather",
            "tx-checksum-ipv4",
            "tx-checksum-ip-generic",
            "tx-checksum-ipv6",
            "highdma",
            "tx-tcp-segmentation",
            "tx-tcp-ecn-segmentation",
            "tx-tcp-mangleid-segmentation",
            "tx-tcp6-segmentation",
            "tx-generic-segmentation",
            "rx-gro",
            "tx-udp-segmentation",
            "rx-checksum",
            "rx-vlan-hw-parse",
            "tx-vlan-hw-insert",
            "tx-tcp-accecn-segmentation",
        ]);
        let mut wanted: Vec<u32> =
            active.iter().copied().filter(|b| hw.contains(b)).collect();
        wanted.push(bit("rx-gro-hw"));
        // the driver keeps rx-gro-hw off whatever is asked
        let stuck = vec![bit("rx-gro-hw")];
        FakeIface { index: 2, name: "eth0".into(), hw, wanted, active, stuck }
    }

    /// A loopback-like device at ifindex 1: almost everything fixed on.
    pub(crate) fn lo() -> FakeIface {
        let hw = bits(&["tx-scatter-gather", "rx-gro"]);
        let active = all_named_except(&bits(&[
            "rx-lro",
            "vlan-challenged",
            "rx-ntuple-filter",
            "rx-gro-hw",
        ]));
        FakeIface {
            index: 1,
            name: "lo".into(),
            hw: hw.clone(),
            wanted: hw,
            active,
            stuck: Vec::new(),
        }
    }

    /// Another veth-like device.
    pub(crate) fn named(index: u32, name: &str) -> FakeIface {
        FakeIface { index, name: name.into(), ..FakeIface::eth0() }
    }
}

/// `FEATURES_GET_REPLY` for `ifc`, compact, as `features_fill_reply()`.
pub(crate) fn features_reply(
    seq: u32,
    flags: u16,
    ifc: &FakeIface,
    nochange: &[u32],
) -> Vec<u8> {
    let all: Vec<u32> = (0..NBITS).collect();
    ethtool_msg(
        flags,
        seq,
        ETHTOOL_MSG_FEATURES_GET_REPLY,
        &[
            reply_header(ifc.index, &ifc.name),
            bitset(ETHTOOL_A_FEATURES_HW, NBITS, &ifc.hw, &all),
            bitset_list(ETHTOOL_A_FEATURES_WANTED, NBITS, &ifc.wanted),
            bitset_list(ETHTOOL_A_FEATURES_ACTIVE, NBITS, &ifc.active),
            bitset_list(ETHTOOL_A_FEATURES_NOCHANGE, NBITS, nochange),
        ],
    )
}

/// A (value, mask) pair of bit lists.
pub(crate) type Diff<'a> = (&'a [u32], &'a [u32]);

/// `FEATURES_SET_REPLY`: WANTED = (asked values, requested bits not in
/// effect), ACTIVE = (new active, bits that changed).
pub(crate) fn set_reply(
    seq: u32,
    ifc: &FakeIface,
    wanted: Diff<'_>,
    active: Diff<'_>,
) -> Vec<u8> {
    ethtool_msg(
        0,
        seq,
        ETHTOOL_MSG_FEATURES_SET_REPLY,
        &[
            reply_header(ifc.index, &ifc.name),
            bitset(ETHTOOL_A_FEATURES_WANTED, NBITS, wanted.0, wanted.1),
            bitset(ETHTOOL_A_FEATURES_ACTIVE, NBITS, active.0, active.1),
        ],
    )
}

// ---------------------------------------------------------------------------
// Reading requests

/// Splits attributes: (type with flag bits, value). Panics on a malformed
/// attribute: the client must never send one.
pub(crate) fn tlvs(mut buf: &[u8]) -> Vec<(u16, Vec<u8>)> {
    let mut out = Vec::new();
    while !buf.is_empty() {
        assert!(buf.len() >= 4, "attribute header truncated: {buf:?}");
        let len = u16::from_ne_bytes([buf[0], buf[1]]) as usize;
        let kind = u16::from_ne_bytes([buf[2], buf[3]]);
        assert!(len >= 4 && len <= buf.len(), "bad attribute length {len}");
        out.push((kind, buf[4..len].to_vec()));
        buf = &buf[((len + 3) & !3).min(buf.len())..];
    }
    out
}

fn u32_of(v: &[u8]) -> u32 {
    u32::from_ne_bytes(v[..4].try_into().expect("u32 attribute"))
}

fn str_of(v: &[u8]) -> String {
    let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
    String::from_utf8_lossy(&v[..end]).into_owned()
}

/// The first attribute of type `kind` (flags masked) in `buf`.
pub(crate) fn find(buf: &[u8], kind: u16) -> Option<(u16, Vec<u8>)> {
    tlvs(buf).into_iter().find(|(k, _)| k & NLA_TYPE_MASK == kind)
}

/// The request header nest as the kernel parses it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ReqHeader {
    pub(crate) index: Option<u32>,
    pub(crate) name: Option<String>,
    pub(crate) flags: u32,
    /// Whether the nest had `NLA_F_NESTED` (strict validation needs it).
    pub(crate) nested: bool,
}

/// One request as the fake kernel sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Req {
    pub(crate) ty: u16,
    pub(crate) flags: u16,
    pub(crate) seq: u32,
    pub(crate) cmd: u8,
    pub(crate) version: u8,
    /// The whole request, as sent.
    pub(crate) raw: Vec<u8>,
    /// The attributes after the genl header.
    pub(crate) body: Vec<u8>,
}

impl Req {
    /// Parses one request datagram (one message: its length field must be
    /// the datagram's size).
    pub(crate) fn parse(raw: &[u8]) -> Req {
        assert!(
            raw.len() >= NLMSG_HDRLEN + GENL_HDRLEN,
            "short request {raw:?}"
        );
        let len = u32_of(&raw[0..4]) as usize;
        assert_eq!(len, raw.len(), "nlmsg_len must be the datagram size");
        Req {
            ty: u16::from_ne_bytes([raw[4], raw[5]]),
            flags: u16::from_ne_bytes([raw[6], raw[7]]),
            seq: u32_of(&raw[8..12]),
            cmd: raw[16],
            version: raw[17],
            raw: raw.to_vec(),
            body: raw[20..].to_vec(),
        }
    }

    pub(crate) fn is_dump(&self) -> bool {
        self.flags & NLM_F_DUMP == NLM_F_DUMP
    }

    /// An ethtool-family request with command `cmd`.
    pub(crate) fn is(&self, cmd: u8) -> bool {
        self.ty == FAMILY_ID && self.cmd == cmd
    }

    /// The header nest (attribute 1 of every ethtool request).
    pub(crate) fn header(&self) -> Option<ReqHeader> {
        let (kind, v) = find(&self.body, 1)?;
        let mut h = ReqHeader {
            nested: kind & NLA_F_NESTED != 0,
            ..ReqHeader::default()
        };
        for (k, v) in tlvs(&v) {
            match k {
                ETHTOOL_A_HEADER_DEV_INDEX => h.index = Some(u32_of(&v)),
                ETHTOOL_A_HEADER_DEV_NAME => h.name = Some(str_of(&v)),
                ETHTOOL_A_HEADER_FLAGS => h.flags = u32_of(&v),
                other => panic!("unknown header attribute {other}"),
            }
        }
        Some(h)
    }

    /// The (name, value) bits of a verbose `FEATURES_SET` WANTED bitset.
    /// Panics on anything but the name-keyed value/mask form.
    /// The WANTED bits by name (an index-only bit by its table name).
    pub(crate) fn wanted_bits(&self) -> Vec<(String, bool)> {
        self.wanted_bits_raw()
            .into_iter()
            .map(|(i, n, on)| {
                let name = n.unwrap_or_else(|| {
                    let i = i.expect("bit by index or name") as usize;
                    FEATURE_TABLE[i].to_owned()
                });
                (name, on)
            })
            .collect()
    }

    /// The WANTED bits as sent: (INDEX, NAME, VALUE).
    pub(crate) fn wanted_bits_raw(
        &self,
    ) -> Vec<(Option<u32>, Option<String>, bool)> {
        let (kind, wanted) = find(&self.body, ETHTOOL_A_FEATURES_WANTED)
            .expect("WANTED attribute");
        assert_ne!(kind & NLA_F_NESTED, 0, "WANTED without NLA_F_NESTED");
        let mut out = Vec::new();
        for (k, v) in tlvs(&wanted) {
            assert_eq!(
                k,
                ETHTOOL_A_BITSET_BITS | NLA_F_NESTED,
                "only BITS in WANTED (no NOMASK, SIZE, VALUE, MASK)"
            );
            for (k, bit) in tlvs(&v) {
                assert_eq!(k, ETHTOOL_A_BITSET_BITS_BIT | NLA_F_NESTED);
                let mut name = None;
                let mut index = None;
                let mut on = false;
                for (k, v) in tlvs(&bit) {
                    match k {
                        ETHTOOL_A_BITSET_BIT_INDEX => {
                            index = Some(u32::from_ne_bytes(
                                v[..4].try_into().expect("u32 index"),
                            ))
                        }
                        ETHTOOL_A_BITSET_BIT_NAME => name = Some(str_of(&v)),
                        ETHTOOL_A_BITSET_BIT_VALUE => {
                            assert!(v.is_empty(), "VALUE is a flag");
                            on = true;
                        }
                        other => panic!("unexpected bit attribute {other}"),
                    }
                }
                assert!(
                    index.is_some() || name.is_some(),
                    "bit by index or name"
                );
                out.push((index, name, on));
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------
// The kernel model

/// A small model of a kernel with the ethtool family.
#[derive(Debug, Clone)]
pub(crate) struct Kernel {
    /// The ethtool op table the controller reports.
    pub(crate) ops: Vec<(u32, u32)>,
    /// Devices, in ifindex order.
    pub(crate) ifaces: Vec<FakeIface>,
    /// `NETIF_F_NEVER_CHANGE`.
    pub(crate) nochange: Vec<u32>,
}

impl Kernel {
    /// `lo` and `eth0`, the full op table.
    pub(crate) fn new() -> Kernel {
        Kernel {
            ops: ETHTOOL_OPS.to_vec(),
            ifaces: vec![FakeIface::lo(), FakeIface::eth0()],
            nochange: vec![bit("vlan-challenged")],
        }
    }

    /// This kernel as a responder for [`Fake`].
    pub(crate) fn responder(mut self) -> impl FnMut(&[u8]) -> Vec<Vec<u8>> {
        move |raw| self.respond(raw)
    }

    /// The datagrams the kernel sends in answer to `raw`.
    pub(crate) fn respond(&mut self, raw: &[u8]) -> Vec<Vec<u8>> {
        let req = Req::parse(raw);
        assert_ne!(
            req.flags & NLM_F_REQUEST,
            0,
            "requests carry NLM_F_REQUEST"
        );
        if req.ty == GENL_ID_CTRL {
            if req.cmd != CTRL_CMD_GETFAMILY {
                return vec![error(&req, libc::EOPNOTSUPP, None)];
            }
            let name =
                find(&req.body, CTRL_ATTR_FAMILY_NAME).map(|(_, v)| str_of(&v));
            if name.as_deref() != Some(ETHTOOL_GENL_NAME) {
                return vec![error(&req, libc::ENOENT, None)];
            }
            return vec![family_reply(req.seq, &self.ops), ack(&req)];
        }
        if req.ty != FAMILY_ID {
            return vec![error(&req, libc::EOPNOTSUPP, None)];
        }
        let Some(&(_, opflags)) =
            self.ops.iter().find(|(id, _)| *id == u32::from(req.cmd))
        else {
            return vec![error(&req, libc::EOPNOTSUPP, None)];
        };
        if req.is_dump() && opflags & GENL_CMD_CAP_DUMP == 0 {
            return vec![error(&req, libc::EOPNOTSUPP, None)];
        }
        assert_eq!(req.version, ETHTOOL_GENL_VERSION, "ethtool genl version");
        let Some(h) = req.header() else {
            return vec![error(&req, libc::EINVAL, None)];
        };
        if !h.nested {
            return vec![nlmsgerr(
                &req,
                libc::EINVAL,
                Some("NLA_F_NESTED is missing"),
                Some(20),
            )];
        }
        if h.flags & !(1 | 2) != 0 {
            return vec![error(&req, libc::EINVAL, Some("reserved bit set"))];
        }
        match req.cmd {
            ETHTOOL_MSG_STRSET_GET => {
                vec![strset_reply(req.seq, FEATURE_TABLE), ack(&req)]
            }
            ETHTOOL_MSG_FEATURES_GET if req.is_dump() => {
                let msgs: Vec<Vec<u8>> = self
                    .ifaces
                    .iter()
                    .map(|i| {
                        features_reply(req.seq, NLM_F_MULTI, i, &self.nochange)
                    })
                    .collect();
                vec![datagram(&msgs), done(req.seq, 0, 0)]
            }
            ETHTOOL_MSG_FEATURES_GET => match self.dev(&h) {
                Ok(i) => vec![
                    features_reply(req.seq, 0, &self.ifaces[i], &self.nochange),
                    ack(&req),
                ],
                Err(e) => vec![error(&req, e.0, Some(e.1))],
            },
            ETHTOOL_MSG_FEATURES_SET => match self.dev(&h) {
                Ok(i) => self.features_set(&req, &h, i),
                Err(e) => vec![error(&req, e.0, Some(e.1))],
            },
            _ => vec![error(&req, libc::EOPNOTSUPP, None)],
        }
    }

    fn dev(&self, h: &ReqHeader) -> Result<usize, (i32, &'static str)> {
        let by_index =
            h.index.map(|x| self.ifaces.iter().position(|i| i.index == x));
        let by_name = h
            .name
            .as_ref()
            .map(|x| self.ifaces.iter().position(|i| i.name == *x));
        match (by_index, by_name) {
            (None, None) => {
                Err((libc::EINVAL, "neither ifindex nor name specified"))
            }
            (Some(None), _) => Err((libc::ENODEV, "no device matches ifindex")),
            (_, Some(None)) => Err((libc::ENODEV, "no device matches name")),
            (Some(Some(a)), Some(Some(b))) if a != b => {
                Err((libc::ENODEV, "ifindex and name do not match"))
            }
            (Some(Some(a)), _) | (None, Some(Some(a))) => Ok(a),
        }
    }

    /// `ethnl_set_features()`: apply the wanted bits the device lets
    /// change, run the feature update (stuck bits stay, no SG drops TSO
    /// and GSO) and reply with the two diffs.
    fn features_set(
        &mut self,
        req: &Req,
        h: &ReqHeader,
        i: usize,
    ) -> Vec<Vec<u8>> {
        let mut asked = Vec::new();
        // ethnl_parse_bit(): the index when given (its name must agree),
        // else a search by name.
        for (index, name, on) in req.wanted_bits_raw() {
            if let Some(i) = index {
                if i >= NBITS {
                    return vec![error(
                        req,
                        libc::EOPNOTSUPP,
                        Some("bit index too high"),
                    )];
                }
                if name
                    .as_deref()
                    .is_some_and(|n| n != FEATURE_TABLE[i as usize])
                {
                    return vec![error(
                        req,
                        libc::EINVAL,
                        Some("bit index and name mismatch"),
                    )];
                }
                asked.push((i, on));
                continue;
            }
            let name = name.unwrap_or_default();
            match FEATURE_TABLE.iter().position(|n| !n.is_empty() && *n == name)
            {
                Some(b) => asked.push((b as u32, on)),
                None => {
                    return vec![error(
                        req,
                        libc::EOPNOTSUPP,
                        Some("bit name not found"),
                    )]
                }
            }
        }
        if asked.iter().any(|(b, _)| self.nochange.contains(b)) {
            return vec![error(
                req,
                libc::EINVAL,
                Some("attempt to change non-ethtool features"),
            )];
        }
        let ifc = &mut self.ifaces[i];
        let old = ifc.active.clone();
        for &(b, on) in &asked {
            if ifc.hw.contains(&b) {
                ifc.wanted.retain(|&x| x != b);
                if on {
                    ifc.wanted.push(b);
                }
            }
        }
        let mut active: Vec<u32> = (0..NBITS)
            .filter(|b| {
                if ifc.hw.contains(b) && !ifc.stuck.contains(b) {
                    ifc.wanted.contains(b)
                } else {
                    old.contains(b)
                }
            })
            .collect();
        if !active.contains(&bit("tx-scatter-gather")) {
            let dropped = bits(&[
                "tx-tcp-segmentation",
                "tx-tcp-ecn-segmentation",
                "tx-tcp-mangleid-segmentation",
                "tx-tcp6-segmentation",
                "tx-generic-segmentation",
            ]);
            active.retain(|b| !dropped.contains(b));
        }
        ifc.active = active.clone();
        let asked_on: Vec<u32> =
            asked.iter().filter(|a| a.1).map(|a| a.0).collect();
        let wanted_mask: Vec<u32> = asked
            .iter()
            .filter(|(b, on)| active.contains(b) != *on)
            .map(|a| a.0)
            .collect();
        let active_mask: Vec<u32> = (0..NBITS)
            .filter(|b| old.contains(b) != active.contains(b))
            .collect();
        let mut out = Vec::new();
        if h.flags & 2 == 0 {
            out.push(set_reply(
                req.seq,
                ifc,
                (&asked_on, &wanted_mask),
                (&active, &active_mask),
            ));
        }
        out.push(ack(req));
        out
    }
}

// ---------------------------------------------------------------------------
// The transport

/// Every request the client sent, shared with the test.
pub(crate) type Log = Rc<RefCell<Vec<Vec<u8>>>>;

/// An in-memory kernel behind [`Transport`].
pub(crate) struct Fake<F> {
    responder: F,
    queue: VecDeque<Vec<u8>>,
    log: Log,
    /// How many datagrams (sends) the client made.
    datagrams: Rc<RefCell<usize>>,
}

impl<F> fmt::Debug for Fake<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fake")
            .field("queued", &self.queue.len())
            .field("requests", &self.log.borrow().len())
            .finish_non_exhaustive()
    }
}

impl<F: FnMut(&[u8]) -> Vec<Vec<u8>>> Fake<F> {
    pub(crate) fn new(responder: F) -> Self {
        Fake {
            responder,
            queue: VecDeque::new(),
            log: Log::default(),
            datagrams: Rc::default(),
        }
    }

    /// The number of sends so far (shared, like the log).
    pub(crate) fn datagrams(&self) -> Rc<RefCell<usize>> {
        Rc::clone(&self.datagrams)
    }

    /// The request log (shared: it stays readable after the fake moved
    /// into a session).
    pub(crate) fn log(&self) -> Log {
        Rc::clone(&self.log)
    }
}

impl<F: FnMut(&[u8]) -> Vec<Vec<u8>>> Transport for Fake<F> {
    async fn send(&mut self, buf: &[u8]) -> io::Result<()> {
        *self.datagrams.borrow_mut() += 1;
        // As netlink_rcv_skb(): every message of a datagram in turn, each
        // answered on its own; the log holds one entry per message.
        let mut rest = buf;
        while rest.len() >= 16 {
            let len = u32::from_ne_bytes(rest[..4].try_into().expect("4 bytes"))
                as usize;
            if len < 16 || len > rest.len() {
                break;
            }
            let (msg, tail) = rest.split_at(len);
            self.log.borrow_mut().push(msg.to_vec());
            let replies = (self.responder)(msg);
            self.queue.extend(replies);
            rest =
                tail.get(len.next_multiple_of(4) - len..).unwrap_or_default();
        }
        if !rest.is_empty() {
            self.log.borrow_mut().push(rest.to_vec());
            let replies = (self.responder)(rest);
            self.queue.extend(replies);
        }
        Ok(())
    }

    async fn recv(&mut self, buf: &mut Vec<u8>) -> io::Result<()> {
        *buf = self.queue.pop_front().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::WouldBlock,
                "fake kernel: nothing queued (the client waits for a reply that never comes)",
            )
        })?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Session tests

#[cfg(test)]
mod tests {
    use futures::executor::block_on;

    use super::*;
    use crate::change::Engine;
    use crate::error::{Error, ErrorKind};
    use crate::ethtool::features::{ChangeStatus, FeatureRequest, SetOutcome};
    use crate::ethtool::session::Session;
    use crate::iface::IfaceRef;

    type Responder = Box<dyn FnMut(&[u8]) -> Vec<Vec<u8>>>;

    fn connect(
        f: impl FnMut(&[u8]) -> Vec<Vec<u8>> + 'static,
    ) -> (crate::Result<Session<Fake<Responder>>>, Log) {
        let fake = Fake::new(Box::new(f) as Responder);
        let log = fake.log();
        (block_on(Session::connect(fake)), log)
    }

    fn session(
        f: impl FnMut(&[u8]) -> Vec<Vec<u8>> + 'static,
    ) -> (Session<Fake<Responder>>, Log) {
        let (s, log) = connect(f);
        (s.expect("connect"), log)
    }

    /// The standard kernel with one override: `f` answers the requests it
    /// wants (`Some`), the kernel the rest.
    fn kernel_with(
        mut f: impl FnMut(&Req, &mut Kernel) -> Option<Vec<Vec<u8>>> + 'static,
    ) -> impl FnMut(&[u8]) -> Vec<Vec<u8>> + 'static {
        let mut k = Kernel::new();
        move |raw| {
            let req = Req::parse(raw);
            f(&req, &mut k).unwrap_or_else(|| k.respond(raw))
        }
    }

    fn requests(log: &Log) -> Vec<Req> {
        log.borrow().iter().map(|r| Req::parse(r)).collect()
    }

    fn count(log: &Log, cmd: u8) -> usize {
        requests(log).iter().filter(|r| r.is(cmd)).count()
    }

    fn eth0() -> IfaceRef {
        IfaceRef::name("eth0").unwrap()
    }

    fn change<'a>(out: &'a SetOutcome, name: &str) -> &'a crate::FeatureChange {
        out.changes.iter().find(|c| c.feature == name).unwrap_or_else(|| {
            panic!("no change for {name}: {:?}", out.changes)
        })
    }

    #[test]
    fn connect_resolves_the_family_and_reads_features() {
        let (mut s, log) = session(Kernel::new().responder());
        assert_eq!(s.monitor_group(), Some(MONITOR_GROUP));

        let f = block_on(s.features(&eth0())).unwrap();
        assert_eq!((f.ifindex, f.ifname.as_str()), (2, "eth0"));
        // every named bit, none of the unnamed ones
        let named = FEATURE_TABLE.iter().filter(|n| !n.is_empty()).count();
        assert_eq!(f.len(), named);
        assert_eq!(f.iter().count(), named);
        assert!(f.by_index(2).is_none() && f.by_index(32).is_none());
        // bit 0 is a feature like any other
        let sg = f.get("tx-scatter-gather").unwrap();
        assert_eq!(
            (sg.index, sg.active, sg.requested, sg.fixed),
            (0, true, true, false)
        );
        // second word
        let accecn = f.get("tx-tcp-accecn-segmentation").unwrap();
        assert_eq!(
            (accecn.index, accecn.active, accecn.fixed),
            (33, true, false)
        );
        // fixed: not in HW, or in NOCHANGE
        assert!(
            f.get("highdma").unwrap().fixed && f.get("highdma").unwrap().active
        );
        assert!(
            f.get("rx-lro").unwrap().fixed && !f.get("rx-lro").unwrap().active
        );
        assert!(f.get("vlan-challenged").unwrap().fixed);
        // requested on, kept off
        let gro_hw = f.get("rx-gro-hw").unwrap();
        assert_eq!(
            (gro_hw.active, gro_hw.requested, gro_hw.fixed),
            (false, true, false)
        );

        // the table is fetched once per session
        block_on(s.features(&IfaceRef::index(1))).unwrap();
        assert_eq!(count(&log, ETHTOOL_MSG_STRSET_GET), 1);

        let reqs = requests(&log);
        assert_eq!(
            (reqs[0].ty, reqs[0].cmd),
            (GENL_ID_CTRL, CTRL_CMD_GETFAMILY)
        );
        assert_eq!(reqs[0].flags, NLM_F_REQUEST | NLM_F_ACK);
        // sequence numbers increase
        assert!(reqs.windows(2).all(|w| w[1].seq > w[0].seq), "{reqs:?}");
        for r in reqs.iter().filter(|r| r.is(ETHTOOL_MSG_FEATURES_GET)) {
            let h = r.header().unwrap();
            assert_eq!(h.flags, 1, "COMPACT_BITSETS only");
            assert!(h.nested);
        }
    }

    #[test]
    fn no_ethtool_family_is_family_unavailable() {
        let (r, log) = connect(|raw| {
            let req = Req::parse(raw);
            vec![error(&req, libc::ENOENT, None)]
        });
        let e = r.unwrap_err();
        assert!(matches!(e, Error::FamilyUnavailable), "{e:?}");
        assert_eq!(e.kind(), ErrorKind::NotSupported);
        assert_eq!(e.errno(), Some(libc::ENOENT));
        assert!(e.to_string().contains("CONFIG_ETHTOOL_NETLINK"), "{e}");
        assert_eq!(log.borrow().len(), 1);
    }

    #[test]
    fn controller_error_other_than_enoent_stays_a_kernel_error() {
        let (r, _) =
            connect(|raw| vec![error(&Req::parse(raw), libc::EPERM, None)]);
        let e = r.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PermissionDenied, "{e:?}");
    }

    #[test]
    fn missing_features_set_op_is_op_unsupported() {
        let mut k = Kernel::new();
        k.ops.retain(|(id, _)| *id != u32::from(ETHTOOL_MSG_FEATURES_SET));
        let (mut s, log) = session(k.responder());
        // reading still works
        block_on(s.features(&eth0())).unwrap();
        let req = FeatureRequest::new().disable("tx-scatter-gather");
        let e = block_on(s.set_features(&eth0(), &req)).unwrap_err();
        assert!(
            matches!(e, Error::OpUnsupported { op: "FEATURES_SET", .. }),
            "{e:?}"
        );
        assert_eq!(e.kind(), ErrorKind::NotSupported);
        assert_eq!(count(&log, ETHTOOL_MSG_FEATURES_SET), 0);
    }

    #[test]
    fn features_get_without_dump_flag_refuses_the_dump() {
        let mut k = Kernel::new();
        for op in &mut k.ops {
            if op.0 == u32::from(ETHTOOL_MSG_FEATURES_GET) {
                op.1 = GENL_CMD_CAP_DO;
            }
        }
        let (mut s, log) = session(k.responder());
        let e = block_on(s.features_all()).unwrap_err();
        assert!(matches!(e, Error::OpUnsupported { .. }), "{e:?}");
        assert!(requests(&log).iter().all(|r| !r.is_dump()));
        // the do form is still there
        block_on(s.features(&eth0())).unwrap();
    }

    #[test]
    fn truncated_replies_are_malformed() {
        // the controller's reply cut short: nlmsg_len says more than arrived
        let (r, _) = connect(|raw| {
            let req = Req::parse(raw);
            let mut m = family_reply(req.seq, ETHTOOL_OPS);
            m.truncate(m.len() - 10);
            vec![m]
        });
        let e = r.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Malformed, "{e:?}");

        // a FEATURES_GET reply cut short
        let (mut s, _) = session(kernel_with(|req, k| {
            (req.is(ETHTOOL_MSG_FEATURES_GET) && !req.is_dump()).then(|| {
                let mut m =
                    features_reply(req.seq, 0, &k.ifaces[1], &k.nochange);
                m.truncate(m.len() / 2);
                vec![m]
            })
        }));
        let e = block_on(s.features(&eth0())).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Malformed, "{e:?}");
        assert!(e.to_string().contains("FEATURES_GET"), "{e}");
    }

    /// `msg` with an attribute whose length runs past the message end
    /// appended inside the genl payload (the netlink framing stays valid).
    fn with_bad_attr(msg: &[u8]) -> Vec<u8> {
        let mut payload = msg[NLMSG_HDRLEN..].to_vec();
        payload.extend_from_slice(&[0xf0, 0x00, 0x02, 0x00, 0, 0, 0, 0]);
        nlmsg(
            u16::from_ne_bytes([msg[4], msg[5]]),
            u16::from_ne_bytes([msg[6], msg[7]]),
            u32_of(&msg[8..12]),
            &payload,
        )
    }

    #[test]
    fn bad_attribute_lengths_are_malformed() {
        let (r, _) = connect(|raw| {
            let req = Req::parse(raw);
            vec![with_bad_attr(&family_reply(req.seq, ETHTOOL_OPS)), ack(&req)]
        });
        assert_eq!(r.unwrap_err().kind(), ErrorKind::Malformed);

        let (mut s, _) = session(kernel_with(|req, k| {
            req.is(ETHTOOL_MSG_FEATURES_GET).then(|| {
                let m = features_reply(req.seq, 0, &k.ifaces[1], &k.nochange);
                vec![with_bad_attr(&m), ack(req)]
            })
        }));
        let e = block_on(s.features(&eth0())).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Malformed, "{e:?}");

        // a bitset length that lies inside a well-framed nest
        let (mut s, _) = session(kernel_with(|req, _| {
            req.is(ETHTOOL_MSG_STRSET_GET).then(|| {
                let m = ethtool_msg(
                    0,
                    req.seq,
                    ETHTOOL_MSG_STRSET_GET_REPLY,
                    &[Nla::Raw(
                        ETHTOOL_A_STRSET_STRINGSETS | NLA_F_NESTED,
                        vec![0x30, 0x00, 0x01, 0x80, 0x08, 0x00, 0x01, 0x00],
                    )],
                );
                vec![m, ack(req)]
            })
        }));
        let e = block_on(s.features(&eth0())).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Malformed, "{e:?}");
        assert!(e.to_string().contains("STRSET_GET"), "{e}");
    }

    #[test]
    fn a_kernel_that_never_answers_is_an_io_error() {
        let (r, _) = connect(|_| Vec::new());
        let e = r.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io, "{e:?}");
    }

    #[test]
    fn an_empty_feature_table_is_malformed() {
        let (mut s, _) = session(kernel_with(|req, _| {
            req.is(ETHTOOL_MSG_STRSET_GET).then(|| {
                // the kernel omits empty sets
                vec![
                    ethtool_msg(0, req.seq, ETHTOOL_MSG_STRSET_GET_REPLY, &[]),
                    ack(req),
                ]
            })
        }));
        let e = block_on(s.features(&eth0())).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Malformed, "{e:?}");
    }

    #[test]
    fn dump_reads_every_interface() {
        let (mut s, log) = session(kernel_with(|req, k| {
            // eth0 first: the result is sorted by ifindex anyway
            (req.is(ETHTOOL_MSG_FEATURES_GET) && req.is_dump()).then(|| {
                let a = features_reply(
                    req.seq,
                    NLM_F_MULTI,
                    &k.ifaces[1],
                    &k.nochange,
                );
                let b = features_reply(
                    req.seq,
                    NLM_F_MULTI,
                    &k.ifaces[0],
                    &k.nochange,
                );
                vec![a, datagram(&[b, done(req.seq, 0, 0)])]
            })
        }));
        let all = block_on(s.features_all()).unwrap();
        let names: Vec<(u32, &str)> =
            all.iter().map(|f| (f.ifindex, f.ifname.as_str())).collect();
        assert_eq!(names, [(1, "lo"), (2, "eth0")]);
        let dump = requests(&log).into_iter().find(|r| r.is_dump()).unwrap();
        assert_eq!(dump.flags, NLM_F_REQUEST | NLM_F_DUMP);
        assert_eq!(
            dump.header().unwrap(),
            ReqHeader { flags: 1, nested: true, ..ReqHeader::default() }
        );
    }

    #[test]
    fn an_error_in_the_middle_of_a_dump_is_an_error() {
        for via_done in [true, false] {
            let (mut s, _) = session(kernel_with(move |req, k| {
                (req.is(ETHTOOL_MSG_FEATURES_GET) && req.is_dump()).then(|| {
                    let a = features_reply(
                        req.seq,
                        NLM_F_MULTI,
                        &k.ifaces[0],
                        &k.nochange,
                    );
                    let b = features_reply(
                        req.seq,
                        NLM_F_MULTI,
                        &k.ifaces[1],
                        &k.nochange,
                    );
                    let end = if via_done {
                        done(req.seq, libc::EIO, 0)
                    } else {
                        error(req, libc::EIO, Some("dump failed"))
                    };
                    vec![datagram(&[a, b]), end]
                })
            }));
            let e = block_on(s.features_all()).unwrap_err();
            assert_eq!(e.errno(), Some(libc::EIO), "{e:?}");
            assert_eq!(e.kind(), ErrorKind::Kernel);
        }
    }

    #[test]
    fn an_interrupted_dump_is_redone() {
        let mut dumps = 0;
        let (mut s, log) = session(kernel_with(move |req, k| {
            if !(req.is(ETHTOOL_MSG_FEATURES_GET) && req.is_dump()) {
                return None;
            }
            dumps += 1;
            Some(if dumps == 1 {
                // the device list changed under the first dump
                let flags = NLM_F_MULTI | NLM_F_DUMP_INTR;
                let a =
                    features_reply(req.seq, flags, &k.ifaces[0], &k.nochange);
                vec![a, done(req.seq, 0, NLM_F_DUMP_INTR)]
            } else {
                k.ifaces.push(FakeIface::named(7, "veth0"));
                let msgs: Vec<Vec<u8>> = k
                    .ifaces
                    .iter()
                    .map(|i| {
                        features_reply(req.seq, NLM_F_MULTI, i, &k.nochange)
                    })
                    .collect();
                vec![datagram(&msgs), done(req.seq, 0, 0)]
            })
        }));
        let all = block_on(s.features_all()).unwrap();
        let names: Vec<&str> = all.iter().map(|f| f.ifname.as_str()).collect();
        assert_eq!(names, ["lo", "eth0", "veth0"]);
        let dumps: Vec<Req> =
            requests(&log).into_iter().filter(|r| r.is_dump()).collect();
        assert_eq!(dumps.len(), 2);
        assert_ne!(
            dumps[0].seq, dumps[1].seq,
            "a redone dump gets a new sequence number"
        );
    }

    #[test]
    fn dump_intr_on_done_alone_also_redoes_the_dump() {
        let mut dumps = 0;
        let (mut s, log) = session(kernel_with(move |req, k| {
            (req.is(ETHTOOL_MSG_FEATURES_GET) && req.is_dump()).then(|| {
                dumps += 1;
                let a = features_reply(
                    req.seq,
                    NLM_F_MULTI,
                    &k.ifaces[0],
                    &k.nochange,
                );
                let intr = if dumps == 1 { NLM_F_DUMP_INTR } else { 0 };
                vec![a, done(req.seq, 0, intr)]
            })
        }));
        assert_eq!(block_on(s.features_all()).unwrap().len(), 1);
        assert_eq!(requests(&log).iter().filter(|r| r.is_dump()).count(), 2);
    }

    #[test]
    fn a_dump_interrupted_every_time_gives_up() {
        let (mut s, log) = session(kernel_with(|req, k| {
            (req.is(ETHTOOL_MSG_FEATURES_GET) && req.is_dump()).then(|| {
                let flags = NLM_F_MULTI | NLM_F_DUMP_INTR;
                let a =
                    features_reply(req.seq, flags, &k.ifaces[0], &k.nochange);
                vec![datagram(&[a, done(req.seq, 0, 0)])]
            })
        }));
        let e = block_on(s.features_all()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Malformed, "{e:?}");
        assert!(e.to_string().contains("NLM_F_DUMP_INTR"), "{e}");
        let n = requests(&log).iter().filter(|r| r.is_dump()).count();
        assert_eq!(n, 8, "bounded retries");
    }

    #[test]
    fn partial_refusal_is_reported_per_feature() {
        let (mut s, log) = session(kernel_with(|req, k| {
            req.is(ETHTOOL_MSG_FEATURES_SET).then(|| {
                let ifc = &k.ifaces[1];
                let (sg, gso, hashing) = (
                    bit("tx-scatter-gather"),
                    bit("tx-generic-segmentation"),
                    bit("rx-hashing"),
                );
                // rx-hashing on was refused (still off); sg off applied,
                // and GSO went off with it
                let mut active = ifc.active.clone();
                active.retain(|b| *b != sg && *b != gso);
                let reply = set_reply(
                    req.seq,
                    ifc,
                    (&[hashing], &[hashing]),
                    (&active, &[sg, gso]),
                );
                vec![reply, ack(req)]
            })
        }));
        let req = FeatureRequest::new()
            .disable("tx-scatter-gather")
            .enable("rx-hashing");
        let out = block_on(s.set_features(&eth0(), &req)).unwrap();
        assert_eq!((out.ifindex, out.ifname.as_str()), (2, "eth0"));

        let refused = change(&out, "rx-hashing");
        assert_eq!(refused.status, ChangeStatus::Refused);
        assert_eq!(
            (refused.from, refused.to),
            (false, true),
            "from = the state it stayed in"
        );
        let applied = change(&out, "tx-scatter-gather");
        assert_eq!(applied.status, ChangeStatus::Applied);
        assert_eq!((applied.from, applied.to), (true, false));
        let side = change(&out, "tx-generic-segmentation");
        assert_eq!(side.status, ChangeStatus::SideEffect);
        assert_eq!((side.from, side.to), (true, false));
        assert_eq!(out.changes.len(), 3, "{:?}", out.changes);
        assert_eq!(
            out.changes[2].status,
            ChangeStatus::SideEffect,
            "requested ones first"
        );
        assert!(out.any_refused());
        assert!(out.changed());
        assert!(out.warnings.is_empty());

        // the request held exactly the requested bits, by name
        let set: Vec<Req> = requests(&log)
            .into_iter()
            .filter(|r| r.is(ETHTOOL_MSG_FEATURES_SET))
            .collect();
        assert_eq!(set.len(), 1);
        let mut bits = set[0].wanted_bits();
        bits.sort();
        assert_eq!(
            bits,
            [
                ("rx-hashing".to_owned(), true),
                ("tx-scatter-gather".to_owned(), false)
            ]
        );
        let h = set[0].header().unwrap();
        assert_eq!(
            h.index,
            Some(2),
            "by index: the interface the plan was made for"
        );
        assert_eq!(h.flags & 2, 0, "no OMIT_REPLY");
        assert_eq!(set[0].flags, NLM_F_REQUEST | NLM_F_ACK);
    }

    #[test]
    fn refusal_and_side_effects_from_the_kernel_model() {
        let mut k = Kernel::new();
        k.ifaces[1].stuck.push(bit("rx-hashing"));
        let (mut s, _) = session(k.responder());
        let req = FeatureRequest::new().disable("sg").enable("rx-hashing");
        let out = block_on(s.set_features(&eth0(), &req)).unwrap();
        assert_eq!(change(&out, "rx-hashing").status, ChangeStatus::Refused);
        assert_eq!(
            change(&out, "tx-scatter-gather").status,
            ChangeStatus::Applied
        );
        for dep in [
            "tx-tcp-segmentation",
            "tx-tcp-ecn-segmentation",
            "tx-tcp-mangleid-segmentation",
            "tx-tcp6-segmentation",
            "tx-generic-segmentation",
        ] {
            let c = change(&out, dep);
            assert_eq!(
                (c.status, c.from, c.to),
                (ChangeStatus::SideEffect, true, false),
                "{dep}"
            );
        }
        // not in the kernel's TSO mask: stays on
        assert!(out
            .changes
            .iter()
            .all(|c| c.feature != "tx-tcp-accecn-segmentation"));
        // a re-read shows the new state
        let f = block_on(s.features(&eth0())).unwrap();
        assert!(!f.get("tx-tcp-segmentation").unwrap().active);
        assert!(f.get("tx-tcp-accecn-segmentation").unwrap().active);
    }

    fn set_error(errno: i32, msg: Option<&'static str>) -> Error {
        let (mut s, _) = session(kernel_with(move |req, _| {
            req.is(ETHTOOL_MSG_FEATURES_SET)
                .then(|| vec![error(req, errno, msg)])
        }));
        let req = FeatureRequest::new().disable("tso");
        block_on(s.set_features(&eth0(), &req)).unwrap_err()
    }

    #[test]
    fn eperm_is_permission_denied() {
        let e = set_error(libc::EPERM, None);
        assert!(
            matches!(e, Error::PermissionDenied { op: "FEATURES_SET", .. }),
            "{e:?}"
        );
        assert_eq!(e.kind(), ErrorKind::PermissionDenied);
        assert_eq!(e.errno(), Some(libc::EPERM));
        let msg = e.to_string();
        assert!(msg.contains("CAP_NET_ADMIN"), "{msg}");
        assert!(msg.starts_with("eth0: "), "{msg}");
    }

    #[test]
    fn enodev_is_no_such_interface() {
        let e = set_error(libc::ENODEV, Some("no device matches ifindex"));
        assert!(
            matches!(&e, Error::NoSuchInterface { iface } if iface == "eth0"),
            "{e:?}"
        );
        assert_eq!(e.kind(), ErrorKind::NotFound);

        // and on a read, from the kernel model
        let (mut s, _) = session(Kernel::new().responder());
        let e = block_on(s.features(&IfaceRef::name("nosuch0").unwrap()))
            .unwrap_err();
        assert!(
            matches!(&e, Error::NoSuchInterface { iface } if iface == "nosuch0"),
            "{e:?}"
        );
    }

    #[test]
    fn einval_keeps_the_kernels_reason() {
        let e = set_error(libc::EINVAL, Some("reserved bit set"));
        assert!(matches!(e, Error::Kernel { .. }), "{e:?}");
        assert_eq!(e.extack(), Some("reserved bit set"));
        assert_eq!(e.errno(), Some(libc::EINVAL));
        assert_eq!(e.kind(), ErrorKind::Kernel);
        let msg = e.to_string();
        assert!(
            msg.contains("EINVAL") && msg.contains("reserved bit set"),
            "{msg}"
        );

        // without a reason: point at dmesg
        let e = set_error(libc::EBUSY, None);
        assert_eq!(e.extack(), None);
        assert!(e.to_string().contains("dmesg"), "{e}");
        // EOPNOTSUPP classifies as not supported
        let e = set_error(libc::EOPNOTSUPP, Some("bit name not found"));
        assert_eq!(e.kind(), ErrorKind::NotSupported);
        assert_eq!(e.extack(), Some("bit name not found"));
    }

    #[test]
    fn ack_warnings_reach_the_outcome() {
        let (mut s, _) = session(kernel_with(|req, k| {
            req.is(ETHTOOL_MSG_FEATURES_SET).then(|| {
                let mut replies = k.respond(&req.raw);
                let last = replies.len() - 1;
                replies[last] =
                    ack_warning(req, "feature change deferred until link up");
                replies
            })
        }));
        let req = FeatureRequest::new().disable("rx-gro");
        let out = block_on(s.set_features(&eth0(), &req)).unwrap();
        assert_eq!(out.warnings, ["feature change deferred until link up"]);
        assert_eq!(change(&out, "rx-gro").status, ChangeStatus::Applied);
    }

    #[test]
    fn unknown_feature_is_rejected_before_sending() {
        let (mut s, log) = session(Kernel::new().responder());
        let req =
            FeatureRequest::new().disable("rx-gro").disable("tx-scater-gather");
        let e = block_on(s.set_features(&eth0(), &req)).unwrap_err();
        match &e {
            Error::UnknownFeature { name, suggestions, iface } => {
                assert_eq!(name, "tx-scater-gather");
                assert_eq!(iface.as_deref(), Some("eth0"));
                assert!(
                    suggestions.iter().any(|s| s == "tx-scatter-gather"),
                    "{suggestions:?}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(count(&log, ETHTOOL_MSG_FEATURES_SET), 0);
        assert_eq!(
            count(&log, ETHTOOL_MSG_FEATURES_GET),
            1,
            "planned from a fresh read"
        );
    }

    #[test]
    fn fixed_feature_is_rejected_before_sending() {
        let (mut s, log) = session(Kernel::new().responder());
        for (name, on, active) in [
            ("rx-lro", true, false),
            ("highdma", false, true),
            ("vlan-challenged", true, false),
        ] {
            let req = FeatureRequest::new().set(name, on);
            let e = block_on(s.set_features(&eth0(), &req)).unwrap_err();
            match &e {
                Error::FixedFeature { name: n, active: a, .. } => {
                    assert_eq!((n.as_str(), *a), (name, active))
                }
                other => panic!("{name}: {other:?}"),
            }
            assert_eq!(e.kind(), ErrorKind::InvalidInput);
        }
        assert_eq!(count(&log, ETHTOOL_MSG_FEATURES_SET), 0);
    }

    #[test]
    fn nothing_to_change_sends_nothing() {
        let (mut s, log) = session(Kernel::new().responder());
        // already on and requested on; fixed and already in that state
        let req = FeatureRequest::new()
            .enable("rx-gro")
            .enable("highdma")
            .disable("rx-lro");
        let plan = block_on(s.plan_features(&eth0(), &req)).unwrap();
        assert!(plan.is_empty(), "{plan:?}");
        let out = block_on(s.execute(&plan)).unwrap();
        assert!(out.changes.is_empty() && !out.changed() && !out.any_refused());
        let out = block_on(s.set_features(&eth0(), &req)).unwrap();
        assert!(out.changes.is_empty());
        assert_eq!(count(&log, ETHTOOL_MSG_FEATURES_SET), 0);
    }

    #[test]
    fn tso_expands_against_the_kernel_table() {
        let (mut s, log) = session(Kernel::new().responder());
        let req = FeatureRequest::new().disable("tso");
        let out = block_on(s.set_features(&eth0(), &req)).unwrap();
        let tso = [
            "tx-tcp-segmentation",
            "tx-tcp-ecn-segmentation",
            "tx-tcp-mangleid-segmentation",
            "tx-tcp6-segmentation",
            "tx-tcp-accecn-segmentation",
        ];
        let set = requests(&log)
            .into_iter()
            .find(|r| r.is(ETHTOOL_MSG_FEATURES_SET))
            .unwrap();
        let mut sent = set.wanted_bits();
        sent.sort();
        let mut want: Vec<(String, bool)> =
            tso.iter().map(|n| (n.to_string(), false)).collect();
        want.sort();
        assert_eq!(sent, want);
        for n in tso {
            let c = change(&out, n);
            assert_eq!(
                (c.status, c.from, c.to),
                (ChangeStatus::Applied, true, false),
                "{n}"
            );
        }
        assert_eq!(out.changes.len(), tso.len(), "{:?}", out.changes);
        // the long name is the same flag
        let plan = block_on(s.plan_features(
            &eth0(),
            &FeatureRequest::new().enable("tcp-segmentation-offload"),
        ))
        .unwrap();
        assert_eq!(plan.bits.len(), tso.len());
    }

    #[test]
    fn replies_with_another_sequence_number_are_skipped() {
        let (mut s, _) = session(|raw: &[u8]| {
            let req = Req::parse(raw);
            let mut stale = req.clone();
            stale.seq = req.seq.wrapping_sub(1);
            let mut k = Kernel::new();
            let mut out = vec![
                // an error for an abandoned request, and someone else's data
                error(&stale, libc::EINVAL, Some("stale")),
                datagram(&[
                    features_reply(req.seq + 100, 0, &FakeIface::lo(), &[]),
                    ack(&stale),
                ]),
            ];
            out.extend(k.respond(raw));
            out
        });
        let f = block_on(s.features(&eth0())).unwrap();
        assert_eq!(f.ifname, "eth0");
        assert!(f.get("tx-scatter-gather").unwrap().active);
    }

    #[test]
    fn reply_and_ack_in_one_datagram() {
        let (mut s, _) = session(|raw: &[u8]| {
            let mut k = Kernel::new();
            vec![datagram(&k.respond(raw))]
        });
        let f = block_on(s.features(&eth0())).unwrap();
        assert_eq!(f.ifindex, 2);
    }

    #[test]
    fn requested_changes_are_in_bit_order() {
        let (mut s, _) = session(Kernel::new().responder());
        let req = FeatureRequest::new()
            .disable("rx-gro")
            .disable("tx-scatter-gather");
        let out = block_on(s.set_features(&eth0(), &req)).unwrap();
        let requested: Vec<&str> = out
            .changes
            .iter()
            .filter(|c| c.status != ChangeStatus::SideEffect)
            .map(|c| c.feature.as_str())
            .collect();
        assert_eq!(requested, ["tx-scatter-gather", "rx-gro"]);
    }

    #[test]
    fn warnings_belong_to_the_request_that_carried_them() {
        let (mut s, _) = session(kernel_with(|req, k| {
            req.is(ETHTOOL_MSG_FEATURES_GET).then(|| {
                let mut replies = k.respond(&req.raw);
                let last = replies.len() - 1;
                replies[last] = ack_warning(req, "warning about the read");
                replies
            })
        }));
        let req = FeatureRequest::new().disable("rx-gro");
        let out = block_on(s.set_features(&eth0(), &req)).unwrap();
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    }

    #[test]
    fn missing_set_reply_is_malformed() {
        // a kernel before 5.7 answers FEATURES_SET with the bare ACK
        let (mut s, _) = session(kernel_with(|req, _| {
            req.is(ETHTOOL_MSG_FEATURES_SET).then(|| vec![ack(req)])
        }));
        let e = block_on(
            s.set_features(&eth0(), &FeatureRequest::new().disable("gro")),
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Malformed, "{e:?}");
    }

    #[test]
    fn apply_pipelines_feature_sets_and_rolls_back_past_a_failure() {
        // eth0, eth1 (fails: gone), eth2: the three FEATURES_SETs go out
        // in one datagram; the kernel answers each; eth2, changed after
        // the failure, is rolled back with eth0.
        let fake = Fake::new(Box::new(kernel_with(|req, k| {
            if k.ifaces.len() == 2 {
                k.ifaces.push(FakeIface::named(3, "eth1"));
                k.ifaces.push(FakeIface::named(4, "eth2"));
            }
            let h = req.header()?;
            (req.is(ETHTOOL_MSG_FEATURES_SET) && h.index == Some(3))
                .then(|| vec![error(req, libc::ENODEV, None)])
        })) as Responder);
        let log = fake.log();
        let sends = fake.datagrams();
        let mut s = block_on(Session::connect(fake)).unwrap();
        let ifaces: Vec<IfaceRef> = ["eth0", "eth1", "eth2"]
            .iter()
            .map(|n| IfaceRef::name(*n).unwrap())
            .collect();
        let req = FeatureRequest::new().disable("gro");
        let plan = block_on(Engine::new(&mut s).plan_change(
            "set",
            &ifaces,
            &req,
            crate::ethtool::features::FixedPolicy::Error,
        ))
        .unwrap();
        let before: Vec<_> =
            plan.targets.iter().map(|t| t.before.clone()).collect();
        let dir = std::env::temp_dir()
            .join(format!("ethcfg-fake-pipeline-{}", std::process::id()));
        let state = crate::state::StateDir::new(&dir);
        let (logged, sent) = (log.borrow().len(), *sends.borrow());
        let e =
            block_on(Engine::new(&mut s).apply_change(&plan, &state, false))
                .unwrap_err();
        let Error::ApplyFailed { iface, rolled_back, rollback_failed, source } =
            e
        else {
            panic!("{e:?}")
        };
        assert_eq!(iface, "eth1");
        assert_eq!(source.errno(), Some(libc::ENODEV));
        assert_eq!(rolled_back, ["eth2", "eth0"]);
        assert!(rollback_failed.is_empty());
        let reqs = requests(&log);
        let sets: Vec<&Req> = reqs[logged..]
            .iter()
            .filter(|r| r.is(ETHTOOL_MSG_FEATURES_SET))
            .collect();
        let targets: Vec<Option<u32>> =
            sets.iter().map(|r| r.header().unwrap().index).collect();
        // three sets pipelined, then one restore each for eth2 and eth0
        assert_eq!(targets, [Some(2), Some(3), Some(4), Some(4), Some(2)]);
        assert_eq!(
            *sends.borrow() - sent,
            1 + 2 * 2,
            "one datagram for the three sets; a read and a set per restore"
        );
        for b in &before {
            let now =
                block_on(s.features(&IfaceRef::index(b.ifindex))).unwrap();
            assert_eq!(&now, b, "{} restored", b.ifname);
        }
        assert_eq!(state.load_all().unwrap().len(), 0, "records put back");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
