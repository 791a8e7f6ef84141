//! The one ethtool bitset codec: decodes both encodings the kernel sends
//! (compact `SIZE`/`VALUE`/`MASK` words and verbose `BITS`/`BIT` lists, with
//! or without `NOMASK`) and encodes the verbose value/mask forms the SET
//! requests need: keyed by index and name (features, whose table the run
//! has read) or by name alone (private flags). Bit 0 is a bit like any other.

use smallvec::SmallVec;

use super::attrs::{attrs, WireError, WireResult};
use super::builder::MsgBuilder;
use super::consts::*;

/// A decoded bitset: `value` and, unless the kernel sent a list (`NOMASK`),
/// `mask`; words are host-endian `u32`s, least significant first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Bitset {
    pub(crate) size: u32,
    pub(crate) value: Words,
    pub(crate) mask: Option<Words>,
}

/// A bitset's words: inline up to 128 bits (features are 64, link modes
/// about 120), so decoding one allocates nothing.
pub(crate) type Words = SmallVec<[u32; 4]>;

fn bit(words: &[u32], i: u32) -> bool {
    words.get((i / 32) as usize).is_some_and(|w| (w >> (i % 32)) & 1 == 1)
}

fn set_bit(words: &mut Words, i: u32) {
    let w = (i / 32) as usize;
    if words.len() <= w {
        words.resize(w + 1, 0);
    }
    if let Some(word) = words.get_mut(w) {
        *word |= 1 << (i % 32);
    }
}

impl Bitset {
    /// Value of bit `i` (false beyond the end).
    pub(crate) fn get(&self, i: u32) -> bool {
        bit(&self.value, i)
    }

    /// Whether bit `i` is in the mask; a list (no mask) covers every bit.
    pub(crate) fn in_mask(&self, i: u32) -> bool {
        self.mask.as_ref().is_none_or(|m| bit(m, i))
    }

    /// Indexes of the bits in the mask (value/mask bitsets) or set (lists),
    /// in order.
    pub(crate) fn mask_bits(&self) -> impl Iterator<Item = u32> + '_ {
        let words = self.mask.as_ref().unwrap_or(&self.value);
        let size = self.size;
        // Word by word, set bits only: a reply's diff has a few bits of 64.
        words
            .iter()
            .zip((0u32..).step_by(32))
            .take_while(move |&(_, base)| base < size)
            .flat_map(|(&w, base)| {
                let mut w = w;
                std::iter::from_fn(move || {
                    (w != 0).then(|| {
                        let j = w.trailing_zeros();
                        w &= w - 1;
                        base + j
                    })
                })
            })
            .filter(move |&i| i < size)
    }

    /// Whether bit `i` is one of [`Bitset::mask_bits`].
    pub(crate) fn listed(&self, i: u32) -> bool {
        i < self.size && bit(self.mask.as_ref().unwrap_or(&self.value), i)
    }

    /// The 64-bit word `w` of the value (bits `64 w ..`), zero beyond the end.
    pub(crate) fn word64(&self, w: usize) -> u64 {
        let half =
            |k: usize| u64::from(self.value.get(k).copied().unwrap_or(0));
        half(2 * w) | half(2 * w + 1) << 32
    }

    /// Decodes a bitset nest's contents.
    pub(crate) fn decode(nest: &[u8]) -> WireResult<Bitset> {
        let mut nomask = false;
        let mut size = None;
        let mut value = None;
        let mut mask = None;
        let mut bits = None;
        for a in attrs(nest) {
            let a = a?;
            match a.kind {
                ETHTOOL_A_BITSET_NOMASK => nomask = true,
                ETHTOOL_A_BITSET_SIZE => size = Some(a.u32("bitset size")?),
                ETHTOOL_A_BITSET_VALUE => value = Some(words(a.value)?),
                ETHTOOL_A_BITSET_MASK => mask = Some(words(a.value)?),
                ETHTOOL_A_BITSET_BITS => bits = Some(a.value),
                _ => {}
            }
        }
        let size = size.ok_or_else(|| {
            WireError::new("bitset without ETHTOOL_A_BITSET_SIZE")
        })?;
        if let Some(bits) = bits {
            return decode_verbose(size, nomask, bits);
        }
        let need = size.div_ceil(32) as usize;
        let value = value.unwrap_or_default();
        if value.len() < need {
            return Err(WireError::new(format!(
                "compact bitset value has {} words, size {size} needs {need}",
                value.len()
            )));
        }
        let mask = if nomask {
            None
        } else {
            let m = mask
                .ok_or_else(|| WireError::new("compact bitset without mask"))?;
            if m.len() < need {
                return Err(WireError::new("compact bitset mask too short"));
            }
            Some(m)
        };
        Ok(Bitset { size, value, mask })
    }
}

fn words(b: &[u8]) -> WireResult<Words> {
    if !b.len().is_multiple_of(4) {
        return Err(WireError::new("bitset words not a multiple of 4 bytes"));
    }
    Ok(b.chunks_exact(4)
        .filter_map(|c| <[u8; 4]>::try_from(c).ok())
        .map(u32::from_ne_bytes)
        .collect())
}

/// No kernel bitset comes near this (features: 64, link modes: ~120); a
/// larger size means a corrupt reply and must not size an allocation.
const MAX_BITS: u32 = 1 << 16;

fn decode_verbose(size: u32, nomask: bool, bits: &[u8]) -> WireResult<Bitset> {
    if size > MAX_BITS {
        return Err(WireError::new(format!(
            "bitset size {size} is implausible"
        )));
    }
    let mut value: Words = SmallVec::from_elem(0, size.div_ceil(32) as usize);
    let mut mask = value.clone();
    for b in attrs(bits) {
        let b = b?;
        if b.kind != ETHTOOL_A_BITSET_BITS_BIT {
            continue;
        }
        let mut index = None;
        let mut on = false;
        for a in attrs(b.value) {
            let a = a?;
            match a.kind {
                ETHTOOL_A_BITSET_BIT_INDEX => index = Some(a.u32("bit index")?),
                ETHTOOL_A_BITSET_BIT_VALUE => on = true,
                _ => {}
            }
        }
        let i =
            index.ok_or_else(|| WireError::new("verbose bit without index"))?;
        if i >= size {
            return Err(WireError::new(format!(
                "bit index {i} beyond size {size}"
            )));
        }
        set_bit(&mut mask, i);
        // In a list every listed bit is set, VALUE flag or not.
        if on || nomask {
            set_bit(&mut value, i);
        }
    }
    Ok(Bitset { size, value, mask: if nomask { None } else { Some(mask) } })
}

/// A verbose value/mask bitset of only `bits` = (index, name, value): only
/// the listed bits are in the mask, so every other bit is left alone (never
/// `NOMASK`, which `FEATURES_SET` rejects).
/// Each bit carries its index, so the kernel finds it without searching
/// its name table (a string compare per name per bit: ~15 % of a
/// `FEATURES_SET` on veth), and its name, which the kernel checks against
/// the index: a table read from another kernel fails ("bit index and name
/// mismatch") instead of changing the wrong feature.
pub(crate) fn encode_indexed<'a, I>(b: &mut MsgBuilder, kind: u16, bits: I)
where
    I: IntoIterator<Item = (u32, &'a str, bool)>,
    I::IntoIter: Clone,
{
    // Taken as an iterator, walked twice (size, then bits), so that the
    // caller needs no list of its own per request.
    let bits = bits.into_iter();
    // Each bit: its nest, index and flag (20 bytes) and its name, aligned.
    let size: usize = bits.clone().map(|(_, n, _)| 24 + n.len()).sum();
    b.reserve(8 + size).nest(kind).nest(ETHTOOL_A_BITSET_BITS);
    for (index, name, on) in bits {
        if !indexed_bit(b, index, name, on) {
            // A name too long for an attribute: the builder says so.
            b.nest(ETHTOOL_A_BITSET_BITS_BIT)
                .u32(ETHTOOL_A_BITSET_BIT_INDEX, index)
                .str(ETHTOOL_A_BITSET_BIT_NAME, name);
            if on {
                b.flag(ETHTOOL_A_BITSET_BIT_VALUE);
            }
            b.end();
        }
    }
    b.end().end();
}

/// One `BITS_BIT` nest of [`encode_indexed`] — index, name and the value
/// flag — written as three pieces, its length known beforehand: a bulk
/// run writes thirteen thousand of them, and attribute by attribute it
/// was most of sending one. The bytes are those the builder's `nest`,
/// `u32`, `str` and `flag` write. False (nothing written) when the name
/// does not fit an attribute's 16-bit length.
fn indexed_bit(b: &mut MsgBuilder, index: u32, name: &str, on: bool) -> bool {
    let name_len = 4 + name.len() + 1;
    let padded = (name_len + 3) & !3;
    let nest_len = 4 + 8 + padded + if on { 4 } else { 0 };
    let (Ok(name_len), Ok(nest_len)) =
        (u16::try_from(name_len), u16::try_from(nest_len))
    else {
        return false;
    };
    let [t0, t1] = nest_len.to_ne_bytes();
    let [k0, k1] = (ETHTOOL_A_BITSET_BITS_BIT | NLA_F_NESTED).to_ne_bytes();
    let [l0, l1] = 8u16.to_ne_bytes();
    let [i0, i1] = ETHTOOL_A_BITSET_BIT_INDEX.to_ne_bytes();
    let [x0, x1, x2, x3] = index.to_ne_bytes();
    let [n0, n1] = name_len.to_ne_bytes();
    let [m0, m1] = ETHTOOL_A_BITSET_BIT_NAME.to_ne_bytes();
    b.bytes(&[t0, t1, k0, k1, l0, l1, i0, i1, x0, x1, x2, x3, n0, n1, m0, m1]);
    b.bytes(name.as_bytes());
    // The NUL, then the padding; then the value flag (a bare header).
    let [f0, f1] = 4u16.to_ne_bytes();
    let [v0, v1] = ETHTOOL_A_BITSET_BIT_VALUE.to_ne_bytes();
    let tail = [0, 0, 0, 0, f0, f1, v0, v1];
    let nul = 1 + padded - usize::from(name_len);
    let end = if on { 8 } else { 4 };
    b.bytes(tail.get(4 - nul..end).unwrap_or_default());
    true
}

/// A verbose value/mask bitset of only `bits` = (name, value).
pub(crate) fn encode_named(
    b: &mut MsgBuilder,
    kind: u16,
    bits: &[(&str, bool)],
) {
    b.nest(kind).nest(ETHTOOL_A_BITSET_BITS);
    for (name, on) in bits {
        b.nest(ETHTOOL_A_BITSET_BITS_BIT).str(ETHTOOL_A_BITSET_BIT_NAME, name);
        if *on {
            b.flag(ETHTOOL_A_BITSET_BIT_VALUE);
        }
        b.end();
    }
    b.end().end();
}
