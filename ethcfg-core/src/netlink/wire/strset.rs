//! `STRSET_GET` for one global string set (the feature names,
//! `ETH_SS_FEATURES`) or one set of a device (its private flag names,
//! `ETH_SS_PRIV_FLAGS`): request encoding and reply decoding into a table
//! indexed by bit. Unused bits have empty names and stay empty.

use super::attrs::{attrs, WireError, WireResult};
use super::consts::*;
use super::header::{self, Dev, HeaderFlags};

pub(crate) fn request(family: u16, seq: u32, set_id: u32) -> Option<Vec<u8>> {
    request_for(family, seq, Dev::None, set_id)
}

/// `STRSET_GET` of one per-device set (`ETH_SS_PRIV_FLAGS`) of `dev`; the
/// kernel refuses a per-device set without a device.
pub(crate) fn device_request(
    family: u16,
    seq: u32,
    dev: Dev<'_>,
    set_id: u32,
) -> Option<Vec<u8>> {
    request_for(family, seq, dev, set_id)
}

/// The device a per-device reply is about (its header: index and primary
/// name, whatever name or index the request used).
pub(crate) fn decode_device(body: &[u8]) -> WireResult<header::ReplyDev> {
    for a in attrs(body) {
        let a = a?;
        if a.kind == ETHTOOL_A_STRSET_HEADER {
            return header::decode(a.value);
        }
    }
    Err(WireError::new("string set reply without a device header"))
}

fn request_for(
    family: u16,
    seq: u32,
    dev: Dev<'_>,
    set_id: u32,
) -> Option<Vec<u8>> {
    let mut b = header::request(
        family,
        NLM_F_REQUEST | NLM_F_ACK,
        seq,
        ETHTOOL_MSG_STRSET_GET,
        dev,
        HeaderFlags::empty(),
    );
    b.nest(ETHTOOL_A_STRSET_STRINGSETS)
        .nest(ETHTOOL_A_STRINGSETS_STRINGSET)
        .u32(ETHTOOL_A_STRINGSET_ID, set_id)
        .end()
        .end();
    b.finish()
}

/// Decodes the reply body; returns the strings of `set_id` by index. A set
/// the kernel omitted (it omits empty sets) decodes as an empty table.
pub(crate) fn decode(body: &[u8], set_id: u32) -> WireResult<Vec<String>> {
    for a in attrs(body) {
        let a = a?;
        if a.kind != ETHTOOL_A_STRSET_STRINGSETS {
            continue;
        }
        for set in attrs(a.value) {
            let set = set?;
            if set.kind != ETHTOOL_A_STRINGSETS_STRINGSET {
                continue;
            }
            let mut id = None;
            let mut count = None;
            let mut strings = None;
            for f in attrs(set.value) {
                let f = f?;
                match f.kind {
                    ETHTOOL_A_STRINGSET_ID => {
                        id = Some(f.u32("string set id")?)
                    }
                    ETHTOOL_A_STRINGSET_COUNT => {
                        count = Some(f.u32("string set count")?)
                    }
                    ETHTOOL_A_STRINGSET_STRINGS => strings = Some(f.value),
                    _ => {}
                }
            }
            if id != Some(set_id) {
                continue;
            }
            // A count far above any real set means a corrupt reply; do not
            // let it size an allocation.
            let count = count.unwrap_or(0);
            if count > 1 << 16 {
                return Err(WireError::new(format!(
                    "string set count {count} is implausible"
                )));
            }
            let mut table = vec![String::new(); count as usize];
            for s in attrs(strings.unwrap_or(&[])) {
                let s = s?;
                if s.kind != ETHTOOL_A_STRINGS_STRING {
                    continue;
                }
                let mut index = None;
                let mut value = None;
                for f in attrs(s.value) {
                    let f = f?;
                    match f.kind {
                        ETHTOOL_A_STRING_INDEX => {
                            index = Some(f.u32("string index")?)
                        }
                        ETHTOOL_A_STRING_VALUE => value = Some(f.string()),
                        _ => {}
                    }
                }
                let (Some(i), Some(v)) = (index, value) else {
                    return Err(WireError::new(
                        "string without index or value",
                    ));
                };
                let slot = table.get_mut(i as usize).ok_or_else(|| {
                    WireError::new(format!(
                        "string index {i} beyond count {count}"
                    ))
                })?;
                *slot = v;
            }
            return Ok(table);
        }
    }
    Ok(Vec::new())
}
