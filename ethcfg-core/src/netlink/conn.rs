//! One netlink connection: a socket, its sequence numbers and its reused
//! receive buffer, and the three ways to talk over it — a do-request, a
//! pipeline of do-requests, a dump — all matched by one [`Matcher`].
//!
//! Written over [`Transport`], so the blocking API, the async API and the
//! tests' fake kernel run the same code. Knows nothing of any family: the
//! callers build the requests and decode the replies.

use crate::error::{Error, Result};
use crate::netlink::pipeline::{Answers, Matcher, Part, Requests, PIPELINE};
use crate::netlink::transport::Transport;
use crate::netlink::wire::message;

/// How many times an interrupted dump is retried before giving up.
const DUMP_RETRIES: usize = 8;

/// One socket and its sequence numbers: request/reply exchanges.
#[derive(Debug)]
pub(crate) struct Conn<T> {
    t: T,
    seq: u32,
    /// The receive buffer, reused for every datagram.
    rbuf: Vec<u8>,
}

/// The attributes of a generic-netlink reply payload (after the genl
/// header).
pub(crate) fn genl_body<'a>(
    op: &'static str,
    payload: &'a [u8],
) -> Result<&'a [u8]> {
    message::genl_body(payload).map(|(_, b)| b).map_err(|e| e.for_op(op))
}

/// A single do-request, as a pipeline of one: its answer is its reply
/// payloads.
struct One<'a, F> {
    iface: Option<&'a str>,
    build: F,
}

impl<F: Fn(u32) -> Option<Vec<u8>>> Requests for One<'_, F> {
    type Out = Vec<Vec<u8>>;
    type Partial = Vec<Vec<u8>>;

    fn count(&self) -> usize {
        1
    }

    fn request(
        &self,
        _: usize,
        seq: u32,
        mut datagram: Vec<u8>,
    ) -> Option<Vec<u8>> {
        let req = (self.build)(seq)?;
        if datagram.is_empty() {
            return Some(req);
        }
        datagram.extend_from_slice(&req);
        Some(datagram)
    }

    fn iface(&self, _: usize) -> Option<String> {
        self.iface.map(str::to_owned)
    }

    fn reply(&self, _: usize, payload: &[u8], partial: &mut Vec<Vec<u8>>) {
        partial.push(payload.to_vec());
    }

    // (An ACK's warning matters for changes only, which go through a
    // pipeline of their own and are reported with their outcome.)
    fn decode(
        &self,
        _: usize,
        payloads: Vec<Vec<u8>>,
        _: Vec<String>,
    ) -> Result<Vec<Vec<u8>>> {
        Ok(payloads)
    }
}

impl<T: Transport> Conn<T> {
    pub(crate) fn new(t: T) -> Self {
        Conn { t, seq: 0, rbuf: Vec::new() }
    }

    fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    async fn send(&mut self, datagram: &[u8]) -> Result<()> {
        self.t
            .send(datagram)
            .await
            .map_err(|source| Error::Io { context: "send", source })
    }

    /// Reads datagrams until `until` requests of `m` are complete, handing
    /// each message of theirs to `on` straight from the receive buffer,
    /// which is kept from datagram to datagram.
    async fn receive(
        &mut self,
        op: &'static str,
        m: &mut Matcher,
        until: usize,
        mut on: impl FnMut(usize, Part<'_>) -> Result<()>,
    ) -> Result<()> {
        while m.completed() < until {
            let mut buf = std::mem::take(&mut self.rbuf);
            let got = self
                .t
                .recv(&mut buf)
                .await
                .map_err(|source| Error::Io { context: "receive", source });
            let taken = got.and_then(|()| m.take(op, &buf, &mut on));
            self.rbuf = buf;
            taken?;
        }
        Ok(())
    }

    /// A do-request, built by `build` for its sequence number: returns the
    /// payloads of its replies, up to the ACK. An error ACK is an error
    /// (for `iface`, when it is about one).
    pub(crate) async fn request(
        &mut self,
        op: &'static str,
        iface: Option<&str>,
        build: impl Fn(u32) -> Option<Vec<u8>>,
    ) -> Result<Vec<Vec<u8>>> {
        let one = One { iface, build };
        self.pipeline(op, &one)
            .await?
            .into_iter()
            .next()
            .unwrap_or_else(|| Err(Error::unanswered(op)))
    }

    /// [`Conn::request`] for a request with one reply: its payload.
    pub(crate) async fn request_one(
        &mut self,
        op: &'static str,
        iface: Option<&str>,
        build: impl Fn(u32) -> Option<Vec<u8>>,
    ) -> Result<Vec<u8>> {
        let replies = self.request(op, iface, build).await?;
        replies.into_iter().next().ok_or_else(|| Error::no_reply(op))
    }

    /// Pipelined do-requests, [`PIPELINE`] per datagram, with consecutive
    /// sequence numbers. Each answer is decoded as it completes. After a
    /// request fails no further datagram is sent. Returns the answers of
    /// the requests sent, in order; `Err` when the socket fails, and then
    /// which requests took effect is unknown.
    pub(crate) async fn pipeline<Q: Requests>(
        &mut self,
        op: &'static str,
        requests: &Q,
    ) -> Result<Vec<Result<Q::Out>>> {
        let n = requests.count();
        let mut m = Matcher::new(self.seq.wrapping_add(1), n);
        let mut answers = Answers::new(op, requests);
        let mut sent = 0;
        let mut datagram = Vec::new();
        while sent < n {
            datagram.clear();
            let chunk = (n - sent).min(PIPELINE);
            for p in sent..sent + chunk {
                let seq = self.next_seq();
                datagram = requests
                    .request(p, seq, std::mem::take(&mut datagram))
                    .ok_or_else(|| Error::too_large(op))?;
            }
            self.send(&datagram).await?;
            sent += chunk;
            self.receive(op, &mut m, sent, |p, part| answers.on(p, part))
                .await?;
            if answers.failed {
                break;
            }
        }
        Ok(answers.into_vec(sent))
    }

    /// A dump: returns every reply payload; redone when the kernel flags
    /// the dump as interrupted (the object list changed under it).
    pub(crate) async fn dump(
        &mut self,
        op: &'static str,
        build: impl Fn(u32) -> Option<Vec<u8>>,
    ) -> Result<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        self.dump_each(op, build, |p| {
            match p {
                Some(p) => out.push(p.to_vec()),
                None => out.clear(),
            }
            Ok(())
        })
        .await?;
        Ok(out)
    }

    /// [`Conn::dump`] without copies: each reply payload is handed to
    /// `each` straight from the receive buffer; `None` means the dump
    /// starts over (it was interrupted): drop what was handed so far. An
    /// errno in `NLMSG_DONE` is an error.
    pub(crate) async fn dump_each(
        &mut self,
        op: &'static str,
        build: impl Fn(u32) -> Option<Vec<u8>>,
        mut each: impl FnMut(Option<&[u8]>) -> Result<()>,
    ) -> Result<()> {
        for _ in 0..DUMP_RETRIES {
            let seq = self.next_seq();
            let req = build(seq).ok_or_else(|| Error::too_large(op))?;
            self.send(&req).await?;
            let mut m = Matcher::new(seq, 1);
            self.receive(op, &mut m, 1, |_, part| match part {
                Part::Reply(p) => each(Some(p)),
                Part::Done(_) => Ok(()),
                Part::Failed { errno, msg } => {
                    Err(Error::from_kernel(op, None, errno, msg))
                }
            })
            .await?;
            if !m.interrupted() {
                return Ok(());
            }
            each(None)?;
        }
        Err(Error::Malformed {
            op,
            detail: format!(
                "dump interrupted {DUMP_RETRIES} times in a row (NLM_F_DUMP_INTR)"
            ),
        })
    }
}
