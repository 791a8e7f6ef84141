//! Pipelined do-requests on one socket: many requests per datagram, their
//! answers matched back by sequence number. The kernel handles the
//! messages of a datagram in order, each with its own reply and ACK, and
//! goes on after one fails; so a run over many interfaces pays one `send`
//! per [`PIPELINE`] requests instead of one each.
//!
//! The answers of one datagram are read before the next is sent. (Reading
//! them on a second thread while the next is sent was tried and measured
//! slower on a 2-core VM: every wake-up of the reader lands on the
//! sender's critical path.)

use crate::error::{Error, Result};
use crate::netlink::wire::message::{self, Received};

/// How many requests go in one datagram at most. Their answers wait in the
/// socket's receive buffer until read: sixteen `FEATURES_SET` replies and
/// ACKs take about 35 KiB of it (about 2 KiB of kernel memory each), well
/// inside even a small `net.core.rmem_default` (the kernel's default is
/// 208 KiB); an overflowing buffer would drop answers.
pub(crate) const PIPELINE: usize = 16;

/// What a pipelined run sends, and how its answers are read. Requests are
/// built a datagram at a time, not all first: a thousand interfaces'
/// requests would be ~600 KiB of memory touched once.
pub(crate) trait Requests {
    /// What one answer decodes to.
    type Out;
    /// How many requests there are.
    fn count(&self) -> usize;
    /// Request `p` with sequence number `seq` (None: too large to encode).
    fn request(&self, p: usize, seq: u32) -> Option<Vec<u8>>;
    /// The interface request `p` is for, for error messages.
    fn iface(&self, p: usize) -> String;
    /// Decodes request `p`'s answer: its reply payloads and its ACK's
    /// warnings.
    fn decode(
        &self,
        p: usize,
        payloads: Vec<Vec<u8>>,
        warnings: Vec<String>,
    ) -> Result<Self::Out>;
}

/// Matches answers to requests: their reply payloads, then their ACK (or
/// error), which completes them — decoded there and then.
pub(crate) struct Tracker<'a, Q: Requests> {
    op: &'static str,
    first_seq: u32,
    requests: &'a Q,
    payloads: Vec<Vec<Vec<u8>>>,
    answers: Vec<Option<Result<Q::Out>>>,
}

impl<'a, Q: Requests> Tracker<'a, Q> {
    /// Requests `first_seq`, `first_seq + 1`, ...
    pub(crate) fn new(
        op: &'static str,
        first_seq: u32,
        requests: &'a Q,
    ) -> Self {
        let n = requests.count();
        Tracker {
            op,
            first_seq,
            requests,
            payloads: (0..n).map(|_| Vec::new()).collect(),
            answers: (0..n).map(|_| None).collect(),
        }
    }

    fn position(&self, seq: u32) -> Option<usize> {
        let p = usize::try_from(seq.wrapping_sub(self.first_seq)).ok()?;
        (p < self.answers.len()).then_some(p)
    }
    /// Takes in one datagram. Returns how many requests it completed and
    /// whether one of them failed.
    pub(crate) fn take(&mut self, dgram: &[u8]) -> Result<(usize, bool)> {
        let op = self.op;
        let mut completed = 0;
        let mut failed = false;
        for m in message::split(dgram).map_err(|e| Error::malformed(op, e))? {
            let (seq, answer) = match m {
                Received::Data { seq, payload, .. } => {
                    if let Some(slot) = self
                        .position(seq)
                        .and_then(|p| self.payloads.get_mut(p))
                    {
                        slot.push(payload.to_vec());
                    }
                    continue;
                }
                Received::Error { seq, errno: 0, ext } => (seq, Ok(ext.msg)),
                Received::Done { seq, errno: 0, .. } => (seq, Ok(None)),
                Received::Error { seq, errno, ext }
                | Received::Done { seq, errno, ext, .. } => {
                    (seq, Err((errno, ext.msg)))
                }
                Received::Other => continue,
            };
            // Not ours (a stale answer to an abandoned request), or ours
            // twice: ignored.
            let Some(p) = self.position(seq) else { continue };
            if self.answers.get(p).is_none_or(Option::is_some) {
                continue;
            }
            let answer = match answer {
                Ok(warning) => {
                    let payloads = self
                        .payloads
                        .get_mut(p)
                        .map(std::mem::take)
                        .unwrap_or_default();
                    self.requests.decode(
                        p,
                        payloads,
                        warning.into_iter().collect(),
                    )
                }
                Err((errno, msg)) => {
                    failed = true;
                    Err(Error::from_kernel(
                        op,
                        Some(self.requests.iface(p)),
                        errno,
                        msg,
                    ))
                }
            };
            if let Some(slot) = self.answers.get_mut(p) {
                *slot = Some(answer);
                completed += 1;
            }
        }
        Ok((completed, failed))
    }

    /// The answers of the first `sent` requests, in order.
    pub(crate) fn answers(self, sent: usize) -> Vec<Result<Q::Out>> {
        self.answers.into_iter().take(sent).flatten().collect()
    }
}
