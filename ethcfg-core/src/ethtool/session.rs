//! The ethtool session: the resolved `ethtool` family, the feature-name
//! table, and every ethtool operation — feature names, features get and
//! dump, plan and execute features here; settings get, plan and execute
//! in [`settings`]. Written once over [`Transport`] and shared by the async
//! and the blocking API; the socket, matching and dumps are the
//! [`Conn`]'s.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::ethtool::features::{
    self, FeatureName, FeaturePlan, FeatureRequest, Features, InterfaceOutcome,
};
use crate::iface::IfaceRef;
use crate::netlink::conn::{genl_body as body, Conn};
use crate::netlink::family::{self, Family};
use crate::netlink::pipeline::Requests;
use crate::netlink::transport::Transport;
use crate::netlink::wire::consts::*;
use crate::netlink::wire::header::Dev;
use crate::netlink::wire::{features as wf, strset};

mod settings;

/// An ethtool-family session: the resolved family and the feature-name
/// table (global, fetched once per session).
#[derive(Debug)]
pub(crate) struct Session<T> {
    conn: Conn<T>,
    family: Family,
    feature_names: Option<Arc<Vec<String>>>,
    /// The same names, shared by every decoded feature.
    feature_table: Option<Arc<Vec<FeatureName>>>,
}

/// The `FEATURES_SET` request for a plan. By index: the plan was made for
/// this interface instance; if it was replaced since, the kernel says
/// ENODEV rather than touching another.
fn set_request(
    datagram: Vec<u8>,
    family: u16,
    seq: u32,
    plan: &FeaturePlan,
) -> Option<Vec<u8>> {
    let bits = plan.bits.iter().map(|b| (b.index, b.name.as_str(), b.to));
    wf::set_request_in(datagram, family, seq, Dev::Index(plan.ifindex), bits)
}

/// `FEATURES_SET` for each plan, pipelined.
struct FeatureSets<'a> {
    family: u16,
    plans: &'a [&'a FeaturePlan],
    names: &'a [FeatureName],
}

impl Requests for FeatureSets<'_> {
    type Out = InterfaceOutcome;
    /// The outcome decoded from the first reply (the only one there is).
    type Partial = Option<Result<InterfaceOutcome>>;

    fn count(&self) -> usize {
        self.plans.len()
    }

    fn request(
        &self,
        p: usize,
        seq: u32,
        datagram: Vec<u8>,
    ) -> Option<Vec<u8>> {
        set_request(datagram, self.family, seq, self.plans.get(p)?)
    }

    fn iface(&self, p: usize) -> Option<String> {
        self.plans.get(p).map(|plan| plan.ifname.clone())
    }

    fn reply(
        &self,
        p: usize,
        payload: &[u8],
        partial: &mut Option<Result<InterfaceOutcome>>,
    ) {
        if partial.is_none() {
            *partial = Some(match self.plans.get(p) {
                Some(plan) => set_outcome(plan, payload, self.names),
                None => Err(Error::unmatched("FEATURES_SET")),
            });
        }
    }

    fn decode(
        &self,
        p: usize,
        partial: Option<Result<InterfaceOutcome>>,
        warnings: Vec<String>,
    ) -> Result<InterfaceOutcome> {
        if self.plans.get(p).is_none() {
            return Err(Error::unmatched("FEATURES_SET"));
        }
        let mut out = partial.unwrap_or_else(|| {
            Err(Error::Malformed {
                op: "FEATURES_SET",
                detail:
                    "no FEATURES_SET_REPLY before the ACK (kernel before 5.7?)"
                        .into(),
            })
        })?;
        out.warnings = warnings;
        Ok(out)
    }
}

/// What a `FEATURES_SET` did, from its reply.
fn set_outcome(
    plan: &FeaturePlan,
    reply: &[u8],
    names: &[FeatureName],
) -> Result<InterfaceOutcome> {
    const OP: &str = "FEATURES_SET";
    let reply = wf::decode_set(body(OP, reply)?).map_err(|e| e.for_op(OP))?;
    Ok(InterfaceOutcome::from_reply(plan, &reply, names))
}

impl<T: Transport> Session<T> {
    /// Resolves the `ethtool` family on `t`.
    pub(crate) async fn connect(t: T) -> Result<Self> {
        let mut conn = Conn::new(t);
        let family = family::resolve(&mut conn, ETHTOOL_GENL_NAME)
            .await?
            .ok_or(Error::FamilyUnavailable)?;
        Ok(Session { conn, family, feature_names: None, feature_table: None })
    }

    /// The family's id: the `nlmsg_type` of its messages and notifications.
    pub(crate) fn family_id(&self) -> u16 {
        self.family.id
    }

    /// The `monitor` multicast group id, when the kernel has one.
    pub(crate) fn monitor_group(&self) -> Option<u32> {
        self.family.group(ETHTOOL_MCGRP_MONITOR_NAME)
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
        let family = self.family.id;
        let reply = self
            .conn
            .request_one(OP, None, |seq| {
                strset::request(family, seq, ETH_SS_FEATURES)
            })
            .await?;
        let names = strset::decode(body(OP, &reply)?, ETH_SS_FEATURES)
            .map_err(|e| e.for_op(OP))?;
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
        let family = self.family.id;
        let shown = iface.to_string();
        let reply = self
            .conn
            .request_one(OP, Some(&shown), |seq| {
                wf::get_request(family, seq, Dev::of(iface))
            })
            .await?;
        let r = wf::decode_get(body(OP, &reply)?).map_err(|e| e.for_op(OP))?;
        Ok(Features::from_reply(r, &names))
    }

    /// `FEATURES_GET` dump: every interface, in ifindex order.
    pub(crate) async fn features_all(&mut self) -> Result<Vec<Features>> {
        const OP: &str = "FEATURES_GET (dump)";
        self.require(ETHTOOL_MSG_FEATURES_GET, OP, true)?;
        let names = self.feature_table().await?;
        let named = features::named_words(&names);
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
                        .map_err(|e| e.for_op(OP))?;
                    all.push(Features::from_reply_named(r, &names, &named));
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
    ) -> Result<InterfaceOutcome> {
        const OP: &str = "FEATURES_SET";
        if plan.is_empty() {
            return Ok(InterfaceOutcome::unchanged(plan));
        }
        // The same path as many interfaces: a pipeline of one.
        self.execute_many(&[plan])
            .await?
            .into_iter()
            .next()
            .unwrap_or_else(|| Err(Error::unanswered(OP)))
    }

    /// Sends non-empty plans pipelined ([`Conn::pipeline`], at most
    /// [`PIPELINE`](crate::netlink::pipeline::PIPELINE) at a time) and decodes each outcome, in order. `Err`
    /// only when the socket fails (which plans took effect is unknown).
    pub(crate) async fn execute_many(
        &mut self,
        plans: &[&FeaturePlan],
    ) -> Result<Vec<Result<InterfaceOutcome>>> {
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
    ) -> Result<InterfaceOutcome> {
        let plan = self.plan_features(iface, req).await?;
        self.execute(&plan).await
    }
}
