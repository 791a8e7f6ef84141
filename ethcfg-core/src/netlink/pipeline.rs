//! Request/answer matching, the one place that knows how the kernel
//! answers: reply payloads, then the ACK (or error ACK) of a do-request or
//! the `NLMSG_DONE` of a dump, all carrying the request's sequence number.
//! Do-requests, pipelined or single (a pipeline of one), and dumps all go
//! through [`Matcher`].
//!
//! Many requests go in one datagram: the kernel handles the messages of a
//! datagram in order, each with its own reply and ACK, and goes on after
//! one fails; so a run over many interfaces pays one `send` per
//! [`PIPELINE`] requests instead of one each. The answers of one datagram
//! are read before the next is sent. (Reading them on a second thread
//! while the next is sent was tried and measured slower on a 2-core VM:
//! every wake-up of the reader lands on the sender's critical path.)

use crate::error::{Error, Result};
use crate::netlink::wire::consts::NLM_F_DUMP_INTR;
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
    /// What is taken from a request's reply payloads until its ACK comes.
    type Partial: Default;
    /// How many requests there are.
    fn count(&self) -> usize;
    /// Appends request `p` with sequence number `seq` to `datagram` and
    /// gives it back (None: too large to encode). Written in place: a
    /// request built on its own and copied in cost a buffer each.
    fn request(&self, p: usize, seq: u32, datagram: Vec<u8>)
        -> Option<Vec<u8>>;
    /// The interface request `p` is for, for error messages.
    fn iface(&self, p: usize) -> Option<String>;
    /// Takes in one reply payload of request `p`, straight from the
    /// receive buffer (not copied first: a run over a thousand interfaces
    /// gets a thousand replies).
    fn reply(&self, p: usize, payload: &[u8], partial: &mut Self::Partial);
    /// Request `p`'s answer, from what its replies gave and its ACK's
    /// warnings.
    fn decode(
        &self,
        p: usize,
        partial: Self::Partial,
        warnings: Vec<String>,
    ) -> Result<Self::Out>;
}

/// One message of an answer to the request at some position.
#[derive(Debug)]
pub(crate) enum Part<'a> {
    /// A reply payload, borrowed straight from the receive buffer.
    Reply(&'a [u8]),
    /// The ACK (or `NLMSG_DONE`) that completes the request, with the
    /// kernel's warning if it gave one.
    Done(Option<String>),
    /// The error ACK (or `NLMSG_DONE` with an errno) that completes it.
    Failed {
        /// The errno.
        errno: i32,
        /// The kernel's extended-ACK text.
        msg: Option<String>,
    },
}

/// Matches the messages of received datagrams to requests `first_seq`,
/// `first_seq + 1`, ... by sequence number.
#[derive(Debug)]
pub(crate) struct Matcher {
    first_seq: u32,
    done: Vec<bool>,
    completed: usize,
    interrupted: bool,
}

impl Matcher {
    /// Matches the answers of `n` requests from `first_seq` on.
    pub(crate) fn new(first_seq: u32, n: usize) -> Self {
        Matcher {
            first_seq,
            done: vec![false; n],
            completed: 0,
            interrupted: false,
        }
    }

    /// How many requests have their final answer.
    pub(crate) fn completed(&self) -> usize {
        self.completed
    }

    /// Whether an answer was flagged `NLM_F_DUMP_INTR` (the object list
    /// changed during a dump: it must be redone).
    pub(crate) fn interrupted(&self) -> bool {
        self.interrupted
    }

    fn position(&self, seq: u32) -> Option<usize> {
        let p = usize::try_from(seq.wrapping_sub(self.first_seq)).ok()?;
        // Not ours (a stale answer to an abandoned request), or ours after
        // its final answer: ignored.
        (!*self.done.get(p)?).then_some(p)
    }

    /// Takes in one datagram, handing each message that answers a pending
    /// request to `on` with the request's position. An error from `on`
    /// stops the datagram there.
    pub(crate) fn take(
        &mut self,
        op: &'static str,
        dgram: &[u8],
        mut on: impl FnMut(usize, Part<'_>) -> Result<()>,
    ) -> Result<()> {
        for m in message::split(dgram).map_err(|e| e.for_op(op))? {
            let (seq, flags, part) = match m {
                Received::Data { seq, flags, payload, .. } => {
                    (seq, flags, Part::Reply(payload))
                }
                Received::Error { seq, errno: 0, ext } => {
                    (seq, 0, Part::Done(ext.msg))
                }
                Received::Done { seq, errno: 0, flags, ext } => {
                    (seq, flags, Part::Done(ext.msg))
                }
                Received::Error { seq, errno, ext } => {
                    (seq, 0, Part::Failed { errno, msg: ext.msg })
                }
                Received::Done { seq, errno, flags, ext } => {
                    (seq, flags, Part::Failed { errno, msg: ext.msg })
                }
                Received::Other => continue,
            };
            let Some(p) = self.position(seq) else { continue };
            self.interrupted |= flags & NLM_F_DUMP_INTR != 0;
            if !matches!(part, Part::Reply(_)) {
                if let Some(d) = self.done.get_mut(p) {
                    *d = true;
                    self.completed += 1;
                }
            }
            on(p, part)?;
        }
        Ok(())
    }
}

/// The answers of a pipelined run, decoded as each request's replies come
/// and completed by its ACK.
pub(crate) struct Answers<'a, Q: Requests> {
    op: &'static str,
    requests: &'a Q,
    /// The requests whose replies came and whose ACK has not: one at a
    /// time in practice (the kernel answers a datagram's requests in turn).
    pending: Vec<(usize, Q::Partial)>,
    /// The answers by position, pushed as they complete (in order in
    /// practice; a later one first leaves placeholders it fills in).
    answers: Vec<Result<Q::Out>>,
    /// Whether a request of the datagram being read failed.
    pub(crate) failed: bool,
}

impl<'a, Q: Requests> Answers<'a, Q> {
    pub(crate) fn new(op: &'static str, requests: &'a Q) -> Self {
        Answers {
            op,
            requests,
            pending: Vec::new(),
            answers: Vec::with_capacity(requests.count()),
            failed: false,
        }
    }

    /// What request `p`'s replies gave so far, taken out.
    fn take_pending(&mut self, p: usize) -> Q::Partial {
        match self.pending.iter().position(|(q, _)| *q == p) {
            Some(i) => self.pending.swap_remove(i).1,
            None => Q::Partial::default(),
        }
    }

    /// One message of request `p`'s answer.
    pub(crate) fn on(&mut self, p: usize, part: Part<'_>) -> Result<()> {
        let answer = match part {
            Part::Reply(payload) => {
                let i = match self.pending.iter().position(|(q, _)| *q == p) {
                    Some(i) => i,
                    None => {
                        self.pending.push((p, Q::Partial::default()));
                        self.pending.len() - 1
                    }
                };
                if let Some((_, partial)) = self.pending.get_mut(i) {
                    self.requests.reply(p, payload, partial);
                }
                return Ok(());
            }
            Part::Done(warning) => {
                let partial = self.take_pending(p);
                self.requests.decode(p, partial, warning.into_iter().collect())
            }
            Part::Failed { errno, msg } => {
                self.take_pending(p);
                self.failed = true;
                Err(Error::from_kernel(
                    self.op,
                    self.requests.iface(p),
                    errno,
                    msg,
                ))
            }
        };
        if p >= self.requests.count() {
            return Err(Error::unmatched(self.op));
        }
        while self.answers.len() < p {
            self.answers.push(Err(Error::unanswered(self.op)));
        }
        match self.answers.get_mut(p) {
            Some(slot) => *slot = answer,
            None => self.answers.push(answer),
        }
        Ok(())
    }

    /// The answers of the first `sent` requests, in order.
    pub(crate) fn into_vec(mut self, sent: usize) -> Vec<Result<Q::Out>> {
        self.answers.truncate(sent);
        self.answers
    }
}
