//! Encoding of request messages: netlink header, generic-netlink header and
//! (nested) attributes, 4-byte aligned. Writing is infallible by
//! construction: the buffer grows, lengths are patched when a nest or the
//! message is closed, and an attribute that would overflow the 16-bit
//! length field is reported by [`MsgBuilder::finish`] instead of wrapping.

use super::consts::*;

/// Builds one netlink message.
#[derive(Debug)]
pub(crate) struct MsgBuilder {
    buf: Vec<u8>,
    nests: Vec<usize>,
    overflow: bool,
}

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
        let mut b = Self::raw(family, flags, seq);
        b.buf.extend_from_slice(&[cmd, version, 0, 0]);
        b
    }

    /// A netlink message with no family header yet (the caller appends it).
    pub(crate) fn raw(msg_type: u16, flags: u16, seq: u32) -> Self {
        let mut buf = Vec::with_capacity(128);
        buf.extend_from_slice(&0u32.to_ne_bytes()); // length, patched in finish
        buf.extend_from_slice(&msg_type.to_ne_bytes());
        buf.extend_from_slice(&flags.to_ne_bytes());
        buf.extend_from_slice(&seq.to_ne_bytes());
        buf.extend_from_slice(&0u32.to_ne_bytes()); // port id: kernel fills in
        MsgBuilder { buf, nests: Vec::new(), overflow: false }
    }

    /// Appends raw bytes (a fixed family header such as `ifinfomsg`).
    pub(crate) fn bytes(&mut self, data: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(data);
        self
    }

    fn attr(&mut self, kind: u16, value: &[u8]) -> &mut Self {
        let len = 4 + value.len();
        let Ok(len16) = u16::try_from(len) else {
            self.overflow = true;
            return self;
        };
        self.buf.extend_from_slice(&len16.to_ne_bytes());
        self.buf.extend_from_slice(&kind.to_ne_bytes());
        self.buf.extend_from_slice(value);
        self.buf.resize(align4(self.buf.len()), 0);
        self
    }

    pub(crate) fn u32(&mut self, kind: u16, v: u32) -> &mut Self {
        self.attr(kind, &v.to_ne_bytes())
    }

    /// A NUL-terminated string attribute.
    pub(crate) fn str(&mut self, kind: u16, s: &str) -> &mut Self {
        let mut v = Vec::with_capacity(s.len() + 1);
        v.extend_from_slice(s.as_bytes());
        v.push(0);
        self.attr(kind, &v)
    }

    /// A flag attribute (no payload).
    pub(crate) fn flag(&mut self, kind: u16) -> &mut Self {
        self.attr(kind, &[])
    }

    /// Opens a nest; `NLA_F_NESTED` is always set (strict validation
    /// rejects nests without it).
    pub(crate) fn nest(&mut self, kind: u16) -> &mut Self {
        self.nests.push(self.buf.len());
        self.buf.extend_from_slice(&0u16.to_ne_bytes());
        self.buf.extend_from_slice(&(kind | NLA_F_NESTED).to_ne_bytes());
        self
    }

    pub(crate) fn end(&mut self) -> &mut Self {
        if let Some(start) = self.nests.pop() {
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

    /// Closes open nests, patches the message length and returns the bytes,
    /// or `None` when an attribute did not fit netlink's 16-bit length.
    pub(crate) fn finish(mut self) -> Option<Vec<u8>> {
        while !self.nests.is_empty() {
            self.end();
        }
        if self.overflow {
            return None;
        }
        let len = u32::try_from(self.buf.len()).ok()?;
        self.buf.get_mut(0..4)?.copy_from_slice(&len.to_ne_bytes());
        Some(self.buf)
    }
}
