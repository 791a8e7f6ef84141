//! The settings messages: RINGS, CHANNELS, COALESCE, PAUSE and EEE (flat
//! lists of scalar attributes) and PRIVFLAGS (one bitset). GET requests,
//! SET requests holding only the attributes asked for (strict validation
//! rejects an attribute the driver does not support even when it carries
//! the current value), and reply decoding. One codec per attribute type:
//! `u32`, the `u8` boolean, and bitset.rs for the flags. Which attribute
//! means what is the settings model's table, not this file's.

use super::attrs::{attrs, WireError, WireResult};
use super::bitset::{self, Bitset};
use super::builder::MsgBuilder;
use super::consts::*;
use super::header::{self, Dev, HeaderFlags, ReplyDev};

/// The two scalar attribute types of the settings messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scalar {
    /// `NLA_U32`.
    U32,
    /// `NLA_U8` read as a boolean: 0 is off, anything else on; sent as 1.
    Bool,
}

/// A `*_GET` for one device. Compact bitsets: EEE's link modes and
/// PRIVFLAGS' flags come as words (the flag names come from the device's
/// string set). Never `ETHTOOL_FLAG_STATS`: it is rejected as a reserved
/// bit by every message but a few, and we want no statistics.
pub(crate) fn get_request(
    family: u16,
    seq: u32,
    cmd: u8,
    dev: Dev<'_>,
) -> Option<Vec<u8>> {
    header::request(
        family,
        NLM_F_REQUEST | NLM_F_ACK,
        seq,
        cmd,
        dev,
        HeaderFlags::COMPACT_BITSETS,
    )
    .finish()
}

/// A `*_SET` up to its header nest (no flags: these SETs have no reply).
fn begin_set(family: u16, seq: u32, cmd: u8, dev: Dev<'_>) -> MsgBuilder {
    header::request(
        family,
        NLM_F_REQUEST | NLM_F_ACK,
        seq,
        cmd,
        dev,
        HeaderFlags::empty(),
    )
}

/// An `NLA_U8`: `[len 5][type][value]` and three bytes of padding.
/// (`MsgBuilder` has no `u8`; its raw `bytes` carries the one attribute.)
fn put_u8(b: &mut MsgBuilder, kind: u16, v: u8) {
    let mut a = Vec::with_capacity(8);
    a.extend_from_slice(&5u16.to_ne_bytes());
    a.extend_from_slice(&kind.to_ne_bytes());
    a.extend_from_slice(&[v, 0, 0, 0]);
    b.bytes(&a);
}

/// A RINGS/CHANNELS/COALESCE/PAUSE/EEE `*_SET` carrying exactly `values`
/// (attribute, type, value; a boolean is 0 or 1), in the order given.
pub(crate) fn set_request(
    family: u16,
    seq: u32,
    cmd: u8,
    dev: Dev<'_>,
    values: &[(u16, Scalar, u32)],
) -> Option<Vec<u8>> {
    let mut b = begin_set(family, seq, cmd, dev);
    for &(attr, ty, v) in values {
        match ty {
            Scalar::U32 => {
                b.u32(attr, v);
            }
            Scalar::Bool => put_u8(&mut b, attr, u8::from(v != 0)),
        }
    }
    b.finish()
}

/// `PRIVFLAGS_SET`: a verbose, name-keyed value/mask bitset holding only
/// the flags asked for, so every other flag is left alone.
pub(crate) fn privflags_set_request(
    family: u16,
    seq: u32,
    dev: Dev<'_>,
    flags: &[(&str, bool)],
) -> Option<Vec<u8>> {
    let mut b = begin_set(family, seq, ETHTOOL_MSG_PRIVFLAGS_SET, dev);
    bitset::encode_named(&mut b, ETHTOOL_A_PRIVFLAGS_FLAGS, flags);
    b.finish()
}

/// A decoded RINGS/CHANNELS/COALESCE/PAUSE/EEE reply: the device and the
/// wanted attributes that were present (booleans as 0/1), in reply order.
/// An absent attribute is information (unsupported by the driver), so
/// absence is kept, never filled in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ScalarReply {
    pub(crate) dev: ReplyDev,
    pub(crate) values: Vec<(u16, u32)>,
}

impl ScalarReply {
    pub(crate) fn get(&self, attr: u16) -> Option<u32> {
        self.values.iter().find(|(a, _)| *a == attr).map(|&(_, v)| v)
    }
}

/// Decodes a reply body, keeping the attributes of `fields` (any other,
/// from a newer kernel or a nest such as EEE's link modes, is skipped).
pub(crate) fn decode_scalars(
    body: &[u8],
    fields: &[(u16, Scalar)],
) -> WireResult<ScalarReply> {
    let mut r = ScalarReply::default();
    for a in attrs(body) {
        let a = a?;
        if a.kind == ETHTOOL_A_SETTINGS_HEADER {
            r.dev = header::decode(a.value)?;
            continue;
        }
        let Some(&(_, ty)) = fields.iter().find(|(k, _)| *k == a.kind) else {
            continue;
        };
        let v = match ty {
            Scalar::U32 => a.u32("settings attribute")?,
            Scalar::Bool => {
                let b = a.value.first().ok_or_else(|| {
                    WireError::new(format!(
                        "attribute {} should be a u8 and is empty",
                        a.kind
                    ))
                })?;
                u32::from(*b != 0)
            }
        };
        r.values.push((a.kind, v));
    }
    Ok(r)
}

/// Decodes a `PRIVFLAGS_GET_REPLY`: the device and the flags bitset (mask
/// = the flags the driver has, value = those on). A reply without FLAGS
/// is a driver with no flags.
pub(crate) fn decode_privflags(body: &[u8]) -> WireResult<(ReplyDev, Bitset)> {
    let mut dev = ReplyDev::default();
    let mut flags = Bitset::default();
    for a in attrs(body) {
        let a = a?;
        match a.kind {
            ETHTOOL_A_PRIVFLAGS_HEADER => dev = header::decode(a.value)?,
            ETHTOOL_A_PRIVFLAGS_FLAGS => flags = Bitset::decode(a.value)?,
            _ => {}
        }
    }
    Ok((dev, flags))
}
