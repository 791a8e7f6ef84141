//! Decoding of attributes, on netlink-packet-core's checked `NlasIterator`.
//! Every accessor returns a [`WireError`] instead of indexing out of range.

use netlink_packet_core::NlasIterator;

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
    NlasIterator::new(buf).map(|r| match r {
        Ok(nla) => {
            let kind = nla.kind() & NLA_TYPE_MASK;
            // new_checked guaranteed 4 <= length <= buffer length
            let len = usize::from(nla.length());
            let value = nla.into_inner().get(4..len).unwrap_or(&[]);
            Ok(Attr { kind, value })
        }
        Err(e) => Err(WireError::new(format!("malformed attribute: {e}"))),
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
