//! The protocol engine, written once over [`Transport`] and shared by the
//! async and the blocking API: sequence numbers, request/ACK matching,
//! multipart dumps (an errno inside `NLMSG_DONE` is an error; a dump flagged
//! `NLM_F_DUMP_INTR` is redone), family resolution and the feature
//! operations.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::ethtool::features::{
    self, FeatureName, FeaturePlan, FeatureRequest, Features, SetOutcome,
};
use crate::iface::IfaceRef;
use crate::netlink::pipeline::{Requests, Tracker, PIPELINE};
use crate::netlink::transport::Transport;
use crate::netlink::wire::consts::*;
use crate::netlink::wire::ctrl::{self, FamilyInfo};
use crate::netlink::wire::header::Dev;
use crate::netlink::wire::message::{self, Received};
use crate::netlink::wire::{features as wf, link, strset};

mod settings;

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

/// One datagram of the reply to a do-request: collects our payloads;
/// true once our ACK (or DONE) is seen; our error ACK is an error.
fn scan_reply(
    dgram: &[u8],
    op: &'static str,
    iface: Option<&dyn std::fmt::Display>,
    seq: u32,
    out: &mut Vec<Vec<u8>>,
) -> Result<bool> {
    for m in message::split(dgram).map_err(|e| Error::malformed(op, e))? {
        match m {
            Received::Data { seq: s, payload, .. } if s == seq => {
                out.push(payload.to_vec())
            }
            // (An ACK's warning matters for changes only, which go through
            // the pipeline and are reported with their outcome.)
            Received::Error { seq: s, errno: 0, .. } if s == seq => {
                return Ok(true);
            }
            Received::Error { seq: s, errno, ext } if s == seq => {
                return Err(Error::from_kernel(
                    op,
                    iface.map(ToString::to_string),
                    errno,
                    ext.msg,
                ));
            }
            Received::Done { seq: s, .. } if s == seq => return Ok(true),
            // Stale replies to an earlier, abandoned request.
            _ => {}
        }
    }
    Ok(false)
}

/// One datagram of a dump: hands our payloads to `each`, notes
/// NLM_F_DUMP_INTR; true at DONE; an errno in DONE (or an error ACK) is an
/// error.
fn scan_dump(
    dgram: &[u8],
    op: &'static str,
    seq: u32,
    each: &mut impl FnMut(Option<&[u8]>) -> Result<()>,
    interrupted: &mut bool,
) -> Result<bool> {
    for m in message::split(dgram).map_err(|e| Error::malformed(op, e))? {
        match m {
            Received::Data { seq: s, flags, payload, .. } if s == seq => {
                *interrupted |= flags & NLM_F_DUMP_INTR != 0;
                each(Some(payload))?;
            }
            Received::Done { seq: s, errno: 0, flags, .. } if s == seq => {
                *interrupted |= flags & NLM_F_DUMP_INTR != 0;
                return Ok(true);
            }
            Received::Done { seq: s, errno, ext, .. }
            | Received::Error { seq: s, errno, ext }
                if s == seq && errno != 0 =>
            {
                return Err(Error::from_kernel(op, None, errno, ext.msg));
            }
            _ => {}
        }
    }
    Ok(false)
}

impl<T: Transport> Conn<T> {
    pub(crate) fn new(t: T) -> Self {
        Conn { t, seq: 0, rbuf: Vec::new() }
    }

    pub(crate) fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    /// Sends one request (`None`: it could not be encoded).
    async fn send(
        &mut self,
        op: &'static str,
        req: Option<Vec<u8>>,
    ) -> Result<()> {
        let req = req.ok_or_else(|| too_large(op))?;
        self.send_datagram(&req).await
    }

    async fn send_datagram(&mut self, datagram: &[u8]) -> Result<()> {
        self.t
            .send(datagram)
            .await
            .map_err(|source| Error::Io { context: "send", source })
    }

    /// The next datagram, in the connection's receive buffer (taken out;
    /// hand it back with [`Conn::give_back`] so its capacity is reused).
    async fn recv(&mut self) -> Result<Vec<u8>> {
        let mut buf = std::mem::take(&mut self.rbuf);
        self.t
            .recv(&mut buf)
            .await
            .map_err(|source| Error::Io { context: "receive", source })?;
        Ok(buf)
    }

    fn give_back(&mut self, buf: Vec<u8>) {
        self.rbuf = buf;
    }

    /// A do-request: returns the payloads of the replies with our sequence
    /// number, up to and including the ACK. An error ACK is an error.
    pub(crate) async fn request(
        &mut self,
        op: &'static str,
        iface: Option<&dyn std::fmt::Display>,
        seq: u32,
        req: Option<Vec<u8>>,
    ) -> Result<Vec<Vec<u8>>> {
        self.send(op, req).await?;
        let mut out = Vec::new();
        loop {
            let dgram = self.recv().await?;
            let done = scan_reply(&dgram, op, iface, seq, &mut out);
            self.give_back(dgram);
            if done? {
                return Ok(out);
            }
        }
    }

    /// Pipelined do-requests ([`crate::netlink::pipeline`]), [`PIPELINE`] per
    /// datagram, with consecutive sequence numbers. Each answer is decoded
    /// as it completes. After a request fails no further datagram is sent.
    /// Returns the answers of the requests sent, in order; `Err` when the
    /// socket fails, and then which requests took effect is unknown.
    pub(crate) async fn pipeline<Q: Requests>(
        &mut self,
        op: &'static str,
        requests: &Q,
    ) -> Result<Vec<Result<Q::Out>>> {
        let n = requests.count();
        let first_seq = self.seq.wrapping_add(1);
        let mut tracker = Tracker::new(op, first_seq, requests);
        let (mut sent, mut answered) = (0, 0);
        let mut datagram = Vec::new();
        while sent < n {
            datagram.clear();
            let chunk = (n - sent).min(PIPELINE);
            for p in sent..sent + chunk {
                let seq = self.next_seq();
                let req =
                    requests.request(p, seq).ok_or_else(|| too_large(op))?;
                datagram.extend_from_slice(&req);
            }
            self.send_datagram(&datagram).await?;
            sent += chunk;
            let mut failed = false;
            while answered < sent {
                let dgram = self.recv().await?;
                let taken = tracker.take(&dgram);
                self.give_back(dgram);
                let (done, f) = taken?;
                answered += done;
                failed |= f;
            }
            if failed {
                break;
            }
        }
        Ok(tracker.answers(sent))
    }

    /// A dump: returns every reply payload; redone when the kernel flags
    /// the dump as interrupted (the device list changed under it).
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
    /// starts over (it was interrupted): drop what was handed so far.
    pub(crate) async fn dump_each(
        &mut self,
        op: &'static str,
        build: impl Fn(u32) -> Option<Vec<u8>>,
        mut each: impl FnMut(Option<&[u8]>) -> Result<()>,
    ) -> Result<()> {
        let mut attempt = 0;
        loop {
            let seq = self.next_seq();
            self.send(op, build(seq)).await?;
            let mut interrupted = false;
            loop {
                let dgram = self.recv().await?;
                let done =
                    scan_dump(&dgram, op, seq, &mut each, &mut interrupted);
                self.give_back(dgram);
                if done? {
                    break;
                }
            }
            if !interrupted {
                return Ok(());
            }
            each(None)?;
            attempt += 1;
            if attempt >= DUMP_RETRIES {
                return Err(Error::Malformed {
                    op,
                    detail: format!("dump interrupted {DUMP_RETRIES} times in a row (NLM_F_DUMP_INTR)"),
                });
            }
        }
    }
}

/// An ethtool-family session: the resolved family and the feature-name
/// table (global, fetched once per session).
#[derive(Debug)]
pub(crate) struct Session<T> {
    conn: Conn<T>,
    family: FamilyInfo,
    feature_names: Option<Arc<Vec<String>>>,
    /// The same names, shared by every decoded feature.
    feature_table: Option<Arc<Vec<FeatureName>>>,
}

/// The `FEATURES_SET` request for a plan. By index: the plan was made for
/// this interface instance; if it was replaced since, the kernel says
/// ENODEV rather than touching another.
fn set_request(family: u16, seq: u32, plan: &FeaturePlan) -> Option<Vec<u8>> {
    let bits: Vec<(u32, &str, bool)> =
        plan.bits.iter().map(|b| (b.index, b.name.as_str(), b.to)).collect();
    wf::set_request(family, seq, Dev::Index(plan.ifindex), &bits)
}

/// `FEATURES_SET` for each plan, pipelined.
struct FeatureSets<'a> {
    family: u16,
    plans: &'a [&'a FeaturePlan],
    names: &'a [FeatureName],
}

impl Requests for FeatureSets<'_> {
    type Out = SetOutcome;

    fn count(&self) -> usize {
        self.plans.len()
    }

    fn request(&self, p: usize, seq: u32) -> Option<Vec<u8>> {
        set_request(self.family, seq, self.plans.get(p)?)
    }

    fn iface(&self, p: usize) -> String {
        self.plans.get(p).map(|plan| plan.ifname.clone()).unwrap_or_default()
    }

    fn decode(
        &self,
        p: usize,
        replies: Vec<Vec<u8>>,
        warnings: Vec<String>,
    ) -> Result<SetOutcome> {
        let plan = self.plans.get(p).ok_or_else(|| Error::Malformed {
            op: "FEATURES_SET",
            detail: "an answer to no request".into(),
        })?;
        let mut out = set_outcome(plan, &replies, self.names)?;
        out.warnings = warnings;
        Ok(out)
    }
}

/// What a `FEATURES_SET` did, from the replies before its ACK.
fn set_outcome(
    plan: &FeaturePlan,
    replies: &[Vec<u8>],
    names: &[FeatureName],
) -> Result<SetOutcome> {
    const OP: &str = "FEATURES_SET";
    let reply =
        match replies.first() {
            Some(p) => wf::decode_set(body(OP, p)?)
                .map_err(|e| Error::malformed(OP, e))?,
            None => return Err(Error::Malformed {
                op: OP,
                detail:
                    "no FEATURES_SET_REPLY before the ACK (kernel before 5.7?)"
                        .into(),
            }),
        };
    Ok(SetOutcome::from_reply(plan, &reply, names))
}

/// The error for a request too large to encode.
fn too_large(op: &'static str) -> Error {
    Error::Malformed {
        op,
        detail: "request too large for a netlink attribute".into(),
    }
}

pub(crate) fn body<'a>(
    op: &'static str,
    payload: &'a [u8],
) -> Result<&'a [u8]> {
    message::genl_body(payload)
        .map(|(_, b)| b)
        .map_err(|e| Error::malformed(op, e))
}

impl<T: Transport> Session<T> {
    /// Resolves the `ethtool` family on `t`.
    pub(crate) async fn connect(t: T) -> Result<Self> {
        let mut conn = Conn::new(t);
        let seq = conn.next_seq();
        let req = ctrl::get_family_request(ETHTOOL_GENL_NAME, seq);
        let replies = match conn
            .request("CTRL_CMD_GETFAMILY", None, seq, Some(req))
            .await
        {
            Ok(r) => r,
            Err(e) if e.errno() == Some(libc::ENOENT) => {
                return Err(Error::FamilyUnavailable)
            }
            Err(e) => return Err(e),
        };
        let first = replies.first().ok_or_else(|| Error::Malformed {
            op: "CTRL_CMD_GETFAMILY",
            detail: "no reply before the ACK".into(),
        })?;
        let family = ctrl::decode_family(body("CTRL_CMD_GETFAMILY", first)?)
            .map_err(|e| Error::malformed("CTRL_CMD_GETFAMILY", e))?;
        Ok(Session { conn, family, feature_names: None, feature_table: None })
    }

    /// The `monitor` multicast group id, when the kernel has one.
    pub(crate) fn monitor_group(&self) -> Option<u32> {
        self.family.monitor_group
    }

    /// The connection and the ethtool family id, for the operations
    /// written in their own modules (settings).
    pub(crate) fn conn_and_family(&mut self) -> (&mut Conn<T>, u16) {
        (&mut self.conn, self.family.id)
    }

    pub(crate) fn require(
        &self,
        op: u8,
        name: &'static str,
        dump: bool,
    ) -> Result<()> {
        let needs = "Linux 5.7 or later";
        match self.family.op_flags(op) {
            None => Err(Error::OpUnsupported { op: name, needs }),
            Some(f) if dump && f & GENL_CMD_CAP_DUMP == 0 => {
                Err(Error::OpUnsupported { op: name, needs })
            }
            Some(_) => Ok(()),
        }
    }

    /// The kernel's feature names by bit (`ETH_SS_FEATURES`), cached.
    pub(crate) async fn feature_names(&mut self) -> Result<Arc<Vec<String>>> {
        if let Some(n) = &self.feature_names {
            return Ok(Arc::clone(n));
        }
        const OP: &str = "STRSET_GET";
        let seq = self.conn.next_seq();
        let req = strset::request(self.family.id, seq, ETH_SS_FEATURES);
        let replies = self.conn.request(OP, None, seq, req).await?;
        let first = replies.first().ok_or_else(|| Error::Malformed {
            op: OP,
            detail: "no reply before the ACK".into(),
        })?;
        let names = strset::decode(body(OP, first)?, ETH_SS_FEATURES)
            .map_err(|e| Error::malformed(OP, e))?;
        if names.iter().all(String::is_empty) {
            return Err(Error::Malformed {
                op: OP,
                detail: "the kernel sent no feature names".into(),
            });
        }
        let names = Arc::new(names);
        self.feature_table = Some(Arc::new(
            names.iter().map(|n| FeatureName::from(n.as_str())).collect(),
        ));
        self.feature_names = Some(Arc::clone(&names));
        Ok(names)
    }

    /// The feature names as shared [`FeatureName`]s, for decoding.
    pub(crate) async fn feature_table(
        &mut self,
    ) -> Result<Arc<Vec<FeatureName>>> {
        if self.feature_table.is_none() {
            self.feature_names().await?;
        }
        self.feature_table.clone().ok_or_else(|| Error::Malformed {
            op: "STRSET_GET",
            detail: "no feature table".into(),
        })
    }

    /// `FEATURES_GET` for one interface.
    pub(crate) async fn features(
        &mut self,
        iface: &IfaceRef,
    ) -> Result<Features> {
        const OP: &str = "FEATURES_GET";
        self.require(ETHTOOL_MSG_FEATURES_GET, OP, false)?;
        let names = self.feature_table().await?;
        let seq = self.conn.next_seq();
        let req = wf::get_request(self.family.id, seq, iface.dev());
        let replies = self.conn.request(OP, Some(iface), seq, req).await?;
        let first = replies.first().ok_or_else(|| Error::Malformed {
            op: OP,
            detail: "no reply before the ACK".into(),
        })?;
        let r = wf::decode_get(body(OP, first)?)
            .map_err(|e| Error::malformed(OP, e))?;
        Ok(Features::from_reply(&r, &names))
    }

    /// `FEATURES_GET` dump: every interface, in ifindex order.
    pub(crate) async fn features_all(&mut self) -> Result<Vec<Features>> {
        const OP: &str = "FEATURES_GET (dump)";
        self.require(ETHTOOL_MSG_FEATURES_GET, OP, true)?;
        let names = self.feature_table().await?;
        let family = self.family.id;
        let mut all = Vec::new();
        self.conn
            .dump_each(
                OP,
                |seq| wf::get_request(family, seq, Dev::None),
                |p| {
                    let Some(p) = p else {
                        all.clear();
                        return Ok(());
                    };
                    let r = wf::decode_get(body(OP, p)?)
                        .map_err(|e| Error::malformed(OP, e))?;
                    all.push(Features::from_reply(&r, &names));
                    Ok(())
                },
            )
            .await?;
        all.sort_by_key(|f| f.ifindex);
        Ok(all)
    }

    /// Reads the interface and plans `req` against it.
    pub(crate) async fn plan_features(
        &mut self,
        iface: &IfaceRef,
        req: &FeatureRequest,
    ) -> Result<FeaturePlan> {
        let current = self.features(iface).await?;
        let names = self.feature_names().await?;
        features::plan(&current, &names, req)
    }

    /// Sends a plan (nothing when it is empty) and decodes what happened.
    pub(crate) async fn execute(
        &mut self,
        plan: &FeaturePlan,
    ) -> Result<SetOutcome> {
        const OP: &str = "FEATURES_SET";
        if plan.is_empty() {
            return Ok(SetOutcome::unchanged(plan));
        }
        // The same path as many interfaces: a pipeline of one.
        self.execute_many(&[plan]).await?.into_iter().next().unwrap_or_else(
            || {
                Err(Error::Malformed {
                    op: OP,
                    detail: "no answer to the request".into(),
                })
            },
        )
    }

    /// Sends non-empty plans pipelined ([`Conn::pipeline`], at most
    /// [`PIPELINE`] at a time) and decodes each outcome, in order. `Err`
    /// only when the socket fails (which plans took effect is unknown).
    pub(crate) async fn execute_many(
        &mut self,
        plans: &[&FeaturePlan],
    ) -> Result<Vec<Result<SetOutcome>>> {
        const OP: &str = "FEATURES_SET";
        self.require(ETHTOOL_MSG_FEATURES_SET, OP, false)?;
        let names = self.feature_table().await?;
        let sets = FeatureSets { family: self.family.id, plans, names: &names };
        self.conn.pipeline(OP, &sets).await
    }

    /// Plan and execute.
    pub(crate) async fn set_features(
        &mut self,
        iface: &IfaceRef,
        req: &FeatureRequest,
    ) -> Result<SetOutcome> {
        let plan = self.plan_features(iface, req).await?;
        self.execute(&plan).await
    }
}

/// Names and link kinds of every interface (`RTM_GETLINK` dump) on an
/// rtnetlink connection.
pub(crate) async fn links<T: Transport>(
    conn: &mut Conn<T>,
) -> Result<Vec<link::LinkInfo>> {
    const OP: &str = "RTM_GETLINK (dump)";
    let replies = conn.dump(OP, link::dump_request).await?;
    let mut out = Vec::new();
    for p in &replies {
        if let Some(l) = link::decode(p).map_err(|e| Error::malformed(OP, e))? {
            out.push(l);
        }
    }
    Ok(out)
}

/// One link (`RTM_GETLINK` by index).
pub(crate) async fn link<T: Transport>(
    conn: &mut Conn<T>,
    index: u32,
) -> Result<Option<link::LinkInfo>> {
    const OP: &str = "RTM_GETLINK";
    let seq = conn.next_seq();
    let replies =
        conn.request(OP, None, seq, link::get_request(seq, index)).await?;
    match replies.first() {
        Some(p) => link::decode(p).map_err(|e| Error::malformed(OP, e)),
        None => Ok(None),
    }
}

/// Every address of every interface (`RTM_GETADDR` dump).
pub(crate) async fn addresses<T: Transport>(
    conn: &mut Conn<T>,
) -> Result<Vec<(u32, std::net::IpAddr)>> {
    const OP: &str = "RTM_GETADDR (dump)";
    let replies = conn.dump(OP, link::addr_dump_request).await?;
    let mut out = Vec::new();
    for p in &replies {
        if let Some(a) =
            link::decode_addr(p).map_err(|e| Error::malformed(OP, e))?
        {
            out.push(a);
        }
    }
    Ok(out)
}
