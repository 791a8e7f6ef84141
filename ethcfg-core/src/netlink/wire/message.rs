//! Splitting a received datagram into netlink messages and classifying them:
//! data (with the generic-netlink command), `NLMSG_ERROR` (ACK or error, with
//! extended-ACK TLVs) and `NLMSG_DONE` (with the dump's errno).

use netlink_packet_core::NetlinkBuffer;

use super::attrs::{attrs, WireError, WireResult};
use super::consts::*;

/// The extended ACK: the kernel's text, the offending attribute offset and
/// the missing attribute type, when present.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ExtAck {
    pub(crate) msg: Option<String>,
    pub(crate) offset: Option<u32>,
    pub(crate) missing_type: Option<u32>,
}

/// One received netlink message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Received<'a> {
    /// A reply or notification. `payload` starts after the netlink header.
    Data { msg_type: u16, flags: u16, seq: u32, payload: &'a [u8] },
    /// `NLMSG_ERROR`: `errno` is 0 for an ACK (then `ext.msg` is a warning).
    Error { seq: u32, errno: i32, ext: ExtAck },
    /// `NLMSG_DONE` with the dump's errno (0 = success).
    Done { seq: u32, flags: u16, errno: i32, ext: ExtAck },
    /// `NLMSG_NOOP` / `NLMSG_OVERRUN` and other control messages.
    Other,
}

fn parse_ext_ack(tlvs: &[u8]) -> ExtAck {
    let mut ext = ExtAck::default();
    for a in attrs(tlvs) {
        let Ok(a) = a else { break };
        match a.kind {
            NLMSGERR_ATTR_MSG => ext.msg = Some(a.string()),
            NLMSGERR_ATTR_OFFS => ext.offset = a.u32("extack offset").ok(),
            NLMSGERR_ATTR_MISS_TYPE => {
                ext.missing_type = a.u32("extack missing type").ok()
            }
            _ => {}
        }
    }
    ext
}

fn read_i32(b: &[u8]) -> WireResult<i32> {
    b.get(..4)
        .and_then(|s| <[u8; 4]>::try_from(s).ok())
        .map(i32::from_ne_bytes)
        .ok_or_else(|| {
            WireError::new("error/done message shorter than 4 bytes")
        })
}

/// The errno of an error or done message: the kernel sends it negated, and
/// `i32::MIN` has no positive counterpart (negating it overflows).
fn read_errno(b: &[u8]) -> WireResult<i32> {
    read_i32(b)?.checked_neg().ok_or_else(|| {
        WireError::new("error/done message with an impossible errno")
    })
}

/// The messages of one datagram: inline up to two, the most an answer
/// to one request brings in a datagram (a reply, its ACK), so framing one
/// allocates nothing; a dump's datagrams of many spill to the heap.
pub(crate) type Messages<'a> = smallvec::SmallVec<[Received<'a>; 2]>;

/// Splits `datagram` into messages. Stops at the first malformed message
/// with an error (the rest of the datagram cannot be framed).
pub(crate) fn split(datagram: &[u8]) -> WireResult<Messages<'_>> {
    let mut out = Messages::new();
    let mut pos = 0usize;
    while pos < datagram.len() {
        let rest = datagram.get(pos..).unwrap_or(&[]);
        let nb = NetlinkBuffer::new_checked(rest).map_err(|e| {
            WireError::new(format!("truncated netlink message: {e}"))
        })?;
        let len = nb.length() as usize; // >= 16 and <= rest.len(), checked
        let msg = rest.get(..len).unwrap_or(&[]);
        let payload = msg.get(NLMSG_HDRLEN..).unwrap_or(&[]);
        let (msg_type, flags, seq) =
            (nb.message_type(), nb.flags(), nb.sequence_number());
        out.push(match msg_type {
            NLMSG_ERROR => {
                let errno = read_errno(payload)?;
                // After the errno: the echoed request header (whole request
                // unless CAPPED), then the TLVs when ACK_TLVS is set.
                let echoed = payload.get(4..).unwrap_or(&[]);
                let skip = if flags & NLM_F_CAPPED != 0 {
                    NLMSG_HDRLEN
                } else {
                    let n = NetlinkBuffer::new_checked(echoed)
                        .map(|b| b.length() as usize)
                        .unwrap_or(echoed.len());
                    (n + 3) & !3
                };
                let ext = if flags & NLM_F_ACK_TLVS != 0 {
                    parse_ext_ack(echoed.get(skip..).unwrap_or(&[]))
                } else {
                    ExtAck::default()
                };
                Received::Error { seq, errno, ext }
            }
            NLMSG_DONE => {
                // A DONE without payload is legal from very old kernels.
                let errno =
                    if payload.is_empty() { 0 } else { read_errno(payload)? };
                let ext = if flags & NLM_F_ACK_TLVS != 0 {
                    parse_ext_ack(payload.get(4..).unwrap_or(&[]))
                } else {
                    ExtAck::default()
                };
                Received::Done { seq, flags, errno, ext }
            }
            NLMSG_NOOP | NLMSG_OVERRUN => Received::Other,
            _ => Received::Data { msg_type, flags, seq, payload },
        });
        pos += (len + 3) & !3;
    }
    Ok(out)
}

/// The generic-netlink command and the attributes after the genl header.
pub(crate) fn genl_body(payload: &[u8]) -> WireResult<(u8, &[u8])> {
    let cmd = *payload.first().ok_or_else(|| {
        WireError::new("generic netlink message without header")
    })?;
    let body = payload
        .get(GENL_HDRLEN..)
        .ok_or_else(|| WireError::new("generic netlink header truncated"))?;
    Ok((cmd, body))
}
