//! Encoding of request messages: netlink header, generic-netlink header and
//! (nested) attributes, 4-byte aligned. Writing is infallible by
//! construction: the buffer grows, lengths are patched when a nest or the
//! message is closed, and an attribute that would overflow the 16-bit
//! length field is reported by [`MsgBuilder::finish`] instead of wrapping.

use super::consts::*;

/// Builds one netlink message, at the end of a buffer that may already
/// hold others (a datagram of pipelined requests is written in place).
#[derive(Debug)]
pub(crate) struct MsgBuilder {
    buf: Vec<u8>,
    /// Where this message starts in `buf`.
    start: usize,
    /// The open nests' offsets: the first few in place (ethtool requests
    /// nest four deep), deeper ones in `deep` — no allocation per message.
    nests: [usize; SHALLOW],
    depth: usize,
    deep: Vec<usize>,
    overflow: bool,
}

/// Nests tracked without allocating.
const SHALLOW: usize = 8;

fn align4(n: usize) -> usize {
    (n + 3) & !3
}

impl MsgBuilder {
    /// A generic-netlink message: `nlmsghdr` + `genlmsghdr`.
    pub(crate) fn genl(
        family: u16,
        flags: u16,
        seq: u32,
        cmd: u8,
        version: u8,
    ) -> Self {
        Self::genl_in(Vec::with_capacity(128), family, flags, seq, cmd, version)
    }

    /// [`MsgBuilder::genl`] appended to `buf`, which [`MsgBuilder::finish`]
    /// gives back with the message at its end.
    pub(crate) fn genl_in(
        buf: Vec<u8>,
        family: u16,
        flags: u16,
        seq: u32,
        cmd: u8,
        version: u8,
    ) -> Self {
        let mut b = Self::raw_in(buf, family, flags, seq);
        b.buf.extend_from_slice(&[cmd, version, 0, 0]);
        b
    }

    /// A netlink message with no family header yet (the caller appends it).
    #[cfg(test)]
    pub(crate) fn raw(msg_type: u16, flags: u16, seq: u32) -> Self {
        Self::raw_in(Vec::with_capacity(128), msg_type, flags, seq)
    }

    /// A netlink message with no family header yet, appended to `buf`.
    fn raw_in(mut buf: Vec<u8>, msg_type: u16, flags: u16, seq: u32) -> Self {
        // Messages are 4-byte aligned in a datagram; ours always end so.
        let start = buf.len();
        buf.extend_from_slice(&0u32.to_ne_bytes()); // length, patched in finish
        buf.extend_from_slice(&msg_type.to_ne_bytes());
        buf.extend_from_slice(&flags.to_ne_bytes());
        buf.extend_from_slice(&seq.to_ne_bytes());
        buf.extend_from_slice(&0u32.to_ne_bytes()); // port id: kernel fills in
        MsgBuilder {
            buf,
            start,
            nests: [0; SHALLOW],
            depth: 0,
            deep: Vec::new(),
            overflow: false,
        }
    }

    /// Appends raw bytes (a fixed family header such as `ifinfomsg`).
    pub(crate) fn bytes(&mut self, data: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(data);
        self
    }

    /// Room for `additional` more bytes: a caller that knows its message's
    /// size (a `FEATURES_SET` of a dozen bits is ~500 bytes) saves the
    /// buffer's doublings, a thousand times over in a bulk run.
    pub(crate) fn reserve(&mut self, additional: usize) -> &mut Self {
        self.buf.reserve(additional);
        self
    }

    fn attr(&mut self, kind: u16, value: &[u8]) -> &mut Self {
        self.attr_parts(kind, value, &[])
    }

    /// An attribute whose payload is `head` then `tail` (a string and its
    /// NUL), written in place rather than joined in a temporary first.
    fn attr_parts(&mut self, kind: u16, head: &[u8], tail: &[u8]) -> &mut Self {
        let len = 4 + head.len() + tail.len();
        let Ok(len16) = u16::try_from(len) else {
            self.overflow = true;
            return self;
        };
        let [l0, l1] = len16.to_ne_bytes();
        let [k0, k1] = kind.to_ne_bytes();
        self.buf.reserve(align4(len));
        self.buf.extend_from_slice(&[l0, l1, k0, k1]);
        self.buf.extend_from_slice(head);
        self.buf.extend_from_slice(tail);
        let pad = align4(len) - len;
        self.buf.extend_from_slice([0; 3].get(..pad).unwrap_or_default());
        self
    }

    pub(crate) fn u32(&mut self, kind: u16, v: u32) -> &mut Self {
        self.attr(kind, &v.to_ne_bytes())
    }

    /// A NUL-terminated string attribute.
    pub(crate) fn str(&mut self, kind: u16, s: &str) -> &mut Self {
        self.attr_parts(kind, s.as_bytes(), &[0])
    }

    /// A flag attribute (no payload).
    pub(crate) fn flag(&mut self, kind: u16) -> &mut Self {
        self.attr(kind, &[])
    }

    /// Opens a nest; `NLA_F_NESTED` is always set (strict validation
    /// rejects nests without it).
    pub(crate) fn nest(&mut self, kind: u16) -> &mut Self {
        match self.nests.get_mut(self.depth) {
            Some(slot) => *slot = self.buf.len(),
            None => self.deep.push(self.buf.len()),
        }
        self.depth += 1;
        self.buf.extend_from_slice(&0u16.to_ne_bytes());
        self.buf.extend_from_slice(&(kind | NLA_F_NESTED).to_ne_bytes());
        self
    }

    pub(crate) fn end(&mut self) -> &mut Self {
        let start = match self.depth.checked_sub(1) {
            Some(d) if d >= SHALLOW => self.deep.pop(),
            Some(d) => self.nests.get(d).copied(),
            None => None,
        };
        self.depth = self.depth.saturating_sub(1);
        if let Some(start) = start {
            let len = self.buf.len() - start;
            match u16::try_from(len) {
                Ok(l) => {
                    if let Some(slot) = self.buf.get_mut(start..start + 2) {
                        slot.copy_from_slice(&l.to_ne_bytes());
                    }
                }
                Err(_) => self.overflow = true,
            }
        }
        self
    }

    /// Closes open nests, patches the message length and returns the bytes
    /// (with whatever the buffer held before the message), or `None` when
    /// an attribute did not fit netlink's 16-bit length.
    pub(crate) fn finish(mut self) -> Option<Vec<u8>> {
        while self.depth > 0 {
            self.end();
        }
        if self.overflow {
            return None;
        }
        let len = u32::try_from(self.buf.len() - self.start).ok()?;
        let at = self.start;
        self.buf.get_mut(at..at + 4)?.copy_from_slice(&len.to_ne_bytes());
        Some(self.buf)
    }
}
