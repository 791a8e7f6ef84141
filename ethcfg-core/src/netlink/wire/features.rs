//! `FEATURES_GET` (do and dump) and `FEATURES_SET`: request encoding and
//! reply decoding. Requests ask for compact reply bitsets (decoded against
//! the `ETH_SS_FEATURES` table); `FEATURES_SET` sends a verbose value/mask
//! bitset holding only the requested bits, each by index and name, and never sets
//! `OMIT_REPLY`, because the reply is how refusals and side effects are seen.

use super::attrs::{attrs, WireError, WireResult};
use super::bitset::{self, Bitset};
use super::builder::MsgBuilder;
use super::consts::*;
use super::header::{self, Dev, HeaderFlags, ReplyDev};

/// A features message up to its header nest; replies in compact bitsets.
fn begin(
    family: u16,
    flags: u16,
    seq: u32,
    cmd: u8,
    dev: Dev<'_>,
) -> MsgBuilder {
    header::request(family, flags, seq, cmd, dev, HeaderFlags::COMPACT_BITSETS)
}

/// `FEATURES_GET` for one device, or a dump of every device (`dev` = None).
pub(crate) fn get_request(
    family: u16,
    seq: u32,
    dev: Dev<'_>,
) -> Option<Vec<u8>> {
    let flags = match dev {
        Dev::None => NLM_F_REQUEST | NLM_F_DUMP,
        _ => NLM_F_REQUEST | NLM_F_ACK,
    };
    begin(family, flags, seq, ETHTOOL_MSG_FEATURES_GET, dev).finish()
}

/// The four bitsets of a `FEATURES_GET` reply / `FEATURES_NTF`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FeaturesReply {
    pub(crate) dev: ReplyDev,
    pub(crate) hw: Bitset,
    pub(crate) wanted: Bitset,
    pub(crate) active: Bitset,
    pub(crate) nochange: Bitset,
}

pub(crate) fn decode_get(body: &[u8]) -> WireResult<FeaturesReply> {
    let mut r = FeaturesReply::default();
    let mut seen = [false; 4];
    for a in attrs(body) {
        let a = a?;
        match a.kind {
            ETHTOOL_A_FEATURES_HEADER => r.dev = header::decode(a.value)?,
            ETHTOOL_A_FEATURES_HW => {
                r.hw = Bitset::decode(a.value)?;
                seen[0] = true;
            }
            ETHTOOL_A_FEATURES_WANTED => {
                r.wanted = Bitset::decode(a.value)?;
                seen[1] = true;
            }
            ETHTOOL_A_FEATURES_ACTIVE => {
                r.active = Bitset::decode(a.value)?;
                seen[2] = true;
            }
            ETHTOOL_A_FEATURES_NOCHANGE => {
                r.nochange = Bitset::decode(a.value)?;
                seen[3] = true;
            }
            _ => {}
        }
    }
    if seen != [true; 4] {
        return Err(WireError::new(
            "features reply lacks one of HW/WANTED/ACTIVE/NOCHANGE",
        ));
    }
    if r.dev.index.is_none() {
        return Err(WireError::new("features reply without device index"));
    }
    Ok(r)
}

/// `FEATURES_SET`: `bits` are (bit index, kernel feature name, wanted value).
#[cfg(test)]
pub(crate) fn set_request<'a, I>(
    family: u16,
    seq: u32,
    dev: Dev<'_>,
    bits: I,
) -> Option<Vec<u8>>
where
    I: IntoIterator<Item = (u32, &'a str, bool)>,
    I::IntoIter: Clone,
{
    set_request_in(Vec::with_capacity(128), family, seq, dev, bits)
}

/// A `FEATURES_SET` (`bits` as for `set_request`) appended to `buf`, the
/// datagram being filled: a pipelined run writes each request in place,
/// not in a buffer of its own copied over.
pub(crate) fn set_request_in<'a, I>(
    buf: Vec<u8>,
    family: u16,
    seq: u32,
    dev: Dev<'_>,
    bits: I,
) -> Option<Vec<u8>>
where
    I: IntoIterator<Item = (u32, &'a str, bool)>,
    I::IntoIter: Clone,
{
    let mut b = header::request_in(
        buf,
        family,
        NLM_F_REQUEST | NLM_F_ACK,
        seq,
        ETHTOOL_MSG_FEATURES_SET,
        dev,
        HeaderFlags::COMPACT_BITSETS,
    );
    bitset::encode_indexed(&mut b, ETHTOOL_A_FEATURES_WANTED, bits);
    b.finish()
}

/// A `FEATURES_SET_REPLY`: `wanted` masks the requested bits that did not
/// take effect (value = what was asked); `active` masks every bit whose
/// active state changed (value = new state).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SetReply {
    /// The interface's index (its name is not decoded: a bulk run gets a
    /// thousand replies, and the outcome is named from the plan).
    pub(crate) ifindex: Option<u32>,
    pub(crate) wanted_diff: Bitset,
    pub(crate) active_diff: Bitset,
}

pub(crate) fn decode_set(body: &[u8]) -> WireResult<SetReply> {
    let mut r = SetReply::default();
    for a in attrs(body) {
        let a = a?;
        match a.kind {
            ETHTOOL_A_FEATURES_HEADER => {
                r.ifindex = header::decode_index(a.value)?
            }
            ETHTOOL_A_FEATURES_WANTED => {
                r.wanted_diff = Bitset::decode(a.value)?
            }
            ETHTOOL_A_FEATURES_ACTIVE => {
                r.active_diff = Bitset::decode(a.value)?
            }
            _ => {}
        }
    }
    Ok(r)
}
