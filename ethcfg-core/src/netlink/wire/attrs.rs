//! Decoding of attributes: the walk netlink-packet-core's checked
//! `NlasIterator` makes (a test holds them to the same answers on any
//! bytes), written out because it is the innermost loop of every reply —
//! a thousand-interface apply walks some thirty thousand attributes, and
//! the iterator's checked buffer per attribute was a fifteenth of the
//! run's instructions. Every accessor returns a [`WireError`] instead of
//! indexing out of range.

use super::consts::NLA_TYPE_MASK;

/// A reply that does not have the shape the protocol promises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WireError(pub(crate) String);

impl WireError {
    /// The library error for a reply to `op` this codec could not
    /// decode (here, not in `error`: the error layer knows no codecs).
    pub(crate) fn for_op(self, op: &'static str) -> crate::error::Error {
        crate::error::Error::Malformed { op, detail: self.0 }
    }

    pub(crate) fn new(msg: impl Into<String>) -> Self {
        WireError(msg.into())
    }
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub(crate) type WireResult<T> = Result<T, WireError>;

/// One attribute: type (flags masked off) and payload.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attr<'a> {
    pub(crate) kind: u16,
    pub(crate) value: &'a [u8],
}

/// Iterates the attributes in `buf`; a malformed attribute is an error
/// (the kernel never sends one, so it means a truncated or corrupt reply).
pub(crate) fn attrs(
    buf: &[u8],
) -> impl Iterator<Item = WireResult<Attr<'_>>> + '_ {
    let mut rest = buf;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let header = rest.get(..4).and_then(|h| <[u8; 4]>::try_from(h).ok());
        let Some([l0, l1, t0, t1]) = header else {
            let n = rest.len();
            rest = &[];
            return Some(Err(WireError::new(format!(
                "malformed attribute: {n} bytes, fewer than an attribute header"
            ))));
        };
        let len = usize::from(u16::from_ne_bytes([l0, l1]));
        let Some(value) = rest.get(4..len).filter(|_| len >= 4) else {
            let n = rest.len();
            rest = &[];
            return Some(Err(WireError::new(format!(
                "malformed attribute: length {len} with {n} bytes left"
            ))));
        };
        rest = rest.get((len + 3) & !3..).unwrap_or(&[]);
        Some(Ok(Attr {
            kind: u16::from_ne_bytes([t0, t1]) & NLA_TYPE_MASK,
            value,
        }))
    })
}

impl<'a> Attr<'a> {
    pub(crate) fn u32(&self, what: &str) -> WireResult<u32> {
        let b: [u8; 4] =
            self.value.get(..4).and_then(|s| s.try_into().ok()).ok_or_else(
                || WireError::new(format!("{what}: expected u32")),
            )?;
        Ok(u32::from_ne_bytes(b))
    }

    /// A NUL-terminated (or unterminated) string; invalid UTF-8 is replaced,
    /// never an error: names are shown to people, not trusted as keys.
    pub(crate) fn string(&self) -> String {
        let end =
            self.value.iter().position(|&b| b == 0).unwrap_or(self.value.len());
        let bytes = self.value.get(..end).unwrap_or(&[]);
        String::from_utf8_lossy(bytes).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use netlink_packet_core::NlasIterator;

    /// What netlink-packet-core's iterator makes of `buf`: each attribute
    /// as (type, value), `None` where it fails (it stops there).
    fn oracle(buf: &[u8]) -> Vec<Option<(u16, Vec<u8>)>> {
        NlasIterator::new(buf)
            .map(|r| {
                r.ok().map(|nla| {
                    let len = usize::from(nla.length());
                    let v =
                        nla.into_inner().get(4..len).unwrap_or(&[]).to_vec();
                    (nla.kind() & NLA_TYPE_MASK, v)
                })
            })
            .collect()
    }

    fn ours(buf: &[u8]) -> Vec<Option<(u16, Vec<u8>)>> {
        attrs(buf).map(|r| r.ok().map(|a| (a.kind, a.value.to_vec()))).collect()
    }

    #[test]
    fn walks_any_bytes_as_netlink_packet_core_does() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let (mut failing, mut whole) = (0, 0);
        for _ in 0..20_000 {
            // Mostly well-formed attributes with a corrupted one now and
            // then: lengths short, long, unaligned, zero; tails cut.
            let mut buf = Vec::new();
            for _ in 0..(next() % 6) {
                let r = next();
                let value_len = (r % 13) as usize;
                let len = match r >> 8 & 15 {
                    0 => (r >> 12 & 7) as u16,
                    1 => (value_len + 4 + (r >> 12 & 31) as usize) as u16,
                    _ => (value_len + 4) as u16,
                };
                buf.extend_from_slice(&len.to_ne_bytes());
                buf.extend_from_slice(&((r >> 16) as u16).to_ne_bytes());
                buf.extend((0..value_len).map(|i| (r >> (i % 8)) as u8));
                if r >> 20 & 1 == 1 {
                    buf.resize(buf.len().div_ceil(4) * 4, 0);
                }
            }
            let cut = if next() % 4 == 0 {
                (next() as usize) % (buf.len() + 1)
            } else {
                buf.len()
            };
            let buf = &buf[..cut];
            let expected = oracle(buf);
            if expected.iter().any(Option::is_none) {
                failing += 1;
            } else if expected.len() > 1 {
                whole += 1;
            }
            assert_eq!(ours(buf), expected, "{buf:02x?}");
        }
        assert!(failing > 2_000 && whole > 2_000, "{failing} {whole}");
        // The edges by hand: empty, a partial header, a zero length, a
        // length past the end, an exact fit without the last padding.
        for buf in [
            &[][..],
            &[8, 0, 1][..],
            &[0, 0, 1, 0, 9, 9, 9, 9][..],
            &[9, 0, 1, 0, 1, 2, 3, 4][..],
            &[5, 0, 1, 0, 7][..],
            &[5, 0, 1, 0, 7, 0, 0, 0, 4, 0, 2, 0][..],
        ] {
            assert_eq!(ours(buf), oracle(buf), "{buf:02x?}");
        }
    }
}
