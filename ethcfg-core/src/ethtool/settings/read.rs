//! Decoded replies to [`GroupValues`]: the keys the device reported, in
//! the vocabulary's order. A key the reply lacks is left out, never shown
//! as 0: for coalescing absence means the driver does not implement it,
//! for rings and channels a maximum of 0.

use super::keys::GroupDef;
use super::{GroupValues, Value};
use crate::netlink::wire::bitset::Bitset;
use crate::netlink::wire::settings::{Scalar, ScalarReply};

/// The (attribute, type) pairs a reply of `def` is decoded with.
pub(crate) fn fields(def: &GroupDef) -> Vec<(u16, Scalar)> {
    def.keys.iter().map(|k| (k.attr, k.ty)).collect()
}

pub(crate) fn value(ty: Scalar, raw: u32) -> Value {
    match ty {
        Scalar::U32 => Value::Num(raw),
        Scalar::Bool => Value::Bool(raw != 0),
    }
}

/// A RINGS/CHANNELS/COALESCE/PAUSE/EEE reply as values.
pub(crate) fn scalar_values(def: &GroupDef, r: &ScalarReply) -> GroupValues {
    let mut out = GroupValues::default();
    for k in def.keys {
        let Some(raw) = r.get(k.attr) else { continue };
        let entry = (k.key.to_owned(), value(k.ty, raw));
        if k.read_only {
            out.read_only.push(entry);
        } else {
            out.values.push(entry);
        }
    }
    out
}

/// A PRIVFLAGS reply as values: every flag the driver has (the mask), by
/// its name in the device's `ETH_SS_PRIV_FLAGS`. A flag without a name
/// cannot be set by name and is left out.
pub(crate) fn flag_values(flags: &Bitset, names: &[String]) -> GroupValues {
    let values = flags
        .mask_bits()
        .filter_map(|i| {
            let name = names.get(i as usize).filter(|n| !n.is_empty())?;
            Some((name.clone(), Value::Bool(flags.get(i))))
        })
        .collect();
    GroupValues { values, read_only: Vec::new() }
}
