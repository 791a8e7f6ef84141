//! Changing interfaces safely, for `set`, `apply`, `revert` and `check`:
//! read every interface and plan before anything is sent; record the
//! state about to change; send; and if anything fails part-way, put back
//! what this run already changed. Written once over the session, so the
//! async and blocking APIs share it.

use crate::error::{Error, Result};
use crate::features::{
    plan_with, ChangeStatus, FeaturePlan, FeatureRequest, Features,
    FixedPolicy, SetOutcome,
};
use std::path::Path;

use crate::iface::IfaceRef;
use crate::profile::Profile;
use crate::session::Session;
use crate::state::{Record, StateDir};
use crate::system::{self, Device};
use crate::transport::Transport;

/// One interface of a [`ChangePlan`]: how it was when planned, and the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Target {
    /// The interface as read before planning.
    pub before: Features,
    /// What will be sent.
    pub plan: FeaturePlan,
}

/// A validated change to one or more interfaces; nothing has been sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChangePlan {
    /// What makes the change (a profile name, or `set`), for the records.
    pub by: String,
    /// The interfaces, in the order given.
    pub targets: Vec<Target>,
}

impl ChangePlan {
    /// What a dry run reports: planned changes and fixed refusals.
    pub fn planned(&self) -> Vec<SetOutcome> {
        self.outcomes(FeaturePlan::planned_changes)
    }

    /// What `check` reports: every feature whose active state differs.
    pub fn drift(&self) -> Vec<SetOutcome> {
        self.outcomes(FeaturePlan::drift)
    }

    /// One outcome per interface, without sending, with `changes` from `f`.
    fn outcomes(
        &self,
        f: impl Fn(&FeaturePlan) -> Vec<crate::features::FeatureChange>,
    ) -> Vec<SetOutcome> {
        self.targets
            .iter()
            .map(|t| SetOutcome {
                changes: f(&t.plan),
                ..SetOutcome::unchanged(&t.plan)
            })
            .collect()
    }
}

/// What was done to one interface in this run, for rollback.
struct Done {
    target_index: usize,
    prior_record: Option<Record>,
    touched: Vec<String>,
}

impl<T: Transport> Session<T> {
    /// Reads every interface and plans `req` for each. Unknown interfaces
    /// and names are errors here, before anything is sent.
    pub(crate) async fn plan_change(
        &mut self,
        by: &str,
        ifaces: &[IfaceRef],
        req: &FeatureRequest,
        policy: FixedPolicy,
    ) -> Result<ChangePlan> {
        let names = self.feature_names().await?;
        let mut targets = Vec::with_capacity(ifaces.len());
        for iface in ifaces {
            let before = self.features(iface).await?;
            if targets
                .iter()
                .any(|t: &Target| t.before.ifindex == before.ifindex)
            {
                continue; // named twice
            }
            let plan = plan_with(&before, &names, req, policy)?;
            targets.push(Target { before, plan });
        }
        Ok(ChangePlan { by: by.to_owned(), targets })
    }

    /// Sends a plan: records each interface's state before changing it,
    /// and rolls back this run's changes when one fails (or, `strict`, when
    /// anything is refused). The caller holds the state lock.
    pub(crate) async fn apply_change(
        &mut self,
        plan: &ChangePlan,
        state: &StateDir,
        strict: bool,
    ) -> Result<Vec<SetOutcome>> {
        if strict {
            if let Some(t) =
                plan.targets.iter().find(|t| !t.plan.fixed.is_empty())
            {
                return Err(Error::StrictRefused {
                    iface: t.plan.ifname.clone(),
                    features: t
                        .plan
                        .fixed
                        .iter()
                        .map(|b| b.name.clone())
                        .collect(),
                    outcomes: plan.planned(),
                });
            }
        }
        let mut done: Vec<Done> = Vec::new();
        let mut outcomes = Vec::with_capacity(plan.targets.len());
        for (i, t) in plan.targets.iter().enumerate() {
            if t.plan.is_empty() {
                outcomes.push(SetOutcome::unchanged(&t.plan));
                continue;
            }
            match self.apply_one(plan, t, state).await {
                Ok((out, prior_record)) => {
                    let mut touched: Vec<String> =
                        t.plan.bits.iter().map(|b| b.name.clone()).collect();
                    touched
                        .extend(out.changes.iter().map(|c| c.feature.clone()));
                    done.push(Done { target_index: i, prior_record, touched });
                    let refused: Vec<String> = out
                        .changes
                        .iter()
                        .filter(|c| c.status == ChangeStatus::Refused)
                        .map(|c| c.feature.clone())
                        .collect();
                    outcomes.push(out);
                    if strict && !refused.is_empty() {
                        let (_, failed) =
                            self.roll_back(plan, &done, state).await;
                        if !failed.is_empty() {
                            return Err(Error::ApplyFailed {
                                iface: t.plan.ifname.clone(),
                                source: Box::new(Error::StrictRefused {
                                    iface: t.plan.ifname.clone(),
                                    features: refused,
                                    outcomes,
                                }),
                                rolled_back: Vec::new(),
                                rollback_failed: failed,
                            });
                        }
                        return Err(Error::StrictRefused {
                            iface: t.plan.ifname.clone(),
                            features: refused,
                            outcomes,
                        });
                    }
                }
                Err(e) => {
                    let (rolled_back, rollback_failed) =
                        self.roll_back(plan, &done, state).await;
                    return Err(Error::ApplyFailed {
                        iface: t.plan.ifname.clone(),
                        source: Box::new(e),
                        rolled_back,
                        rollback_failed,
                    });
                }
            }
        }
        Ok(outcomes)
    }

    /// Records, sends and re-records one interface; on failure the record
    /// is put back as it was.
    async fn apply_one(
        &mut self,
        plan: &ChangePlan,
        t: &Target,
        state: &StateDir,
    ) -> Result<(SetOutcome, Option<Record>)> {
        let ifname = &t.plan.ifname;
        let prior = state.load(ifname)?;
        let record =
            Record::snapshot(&t.before, &plan.by).merged_into(prior.as_ref());
        state.store(&record)?;
        let out = match self.execute(&t.plan).await {
            Ok(out) => out,
            Err(e) => {
                // Nothing was changed; the record must not claim otherwise.
                let _ = state.restore(ifname, prior.as_ref());
                return Err(e);
            }
        };
        // Keep what this run touched (requested and side effects) and what
        // earlier runs recorded.
        let mut record = record;
        record.retain(|n| {
            t.plan.bits.iter().any(|b| b.name == n)
                || out.changes.iter().any(|c| c.feature == n)
                || prior
                    .as_ref()
                    .is_some_and(|p| p.features.iter().any(|f| f.name == n))
        });
        state.store(&record)?;
        Ok((out, prior))
    }

    /// Puts every interface changed in this run back as it was before the
    /// run. Returns (restored, could not restore).
    async fn roll_back(
        &mut self,
        plan: &ChangePlan,
        done: &[Done],
        state: &StateDir,
    ) -> (Vec<String>, Vec<String>) {
        let mut ok = Vec::new();
        let mut failed = Vec::new();
        for d in done.iter().rev() {
            let Some(t) = plan.targets.get(d.target_index) else { continue };
            let req = d.touched.iter().fold(FeatureRequest::new(), |r, n| {
                match t.before.get(n) {
                    Some(f) => r.set(n.clone(), f.requested),
                    None => r,
                }
            });
            match self
                .restore_requested(&t.before.ifname, t.before.ifindex, &req)
                .await
            {
                Ok(_) => {
                    let _ = state
                        .restore(&t.before.ifname, d.prior_record.as_ref());
                    ok.push(t.before.ifname.clone());
                }
                Err(_) => failed.push(t.before.ifname.clone()),
            }
        }
        (ok, failed)
    }

    async fn restore_requested(
        &mut self,
        ifname: &str,
        ifindex: u32,
        req: &FeatureRequest,
    ) -> Result<SetOutcome> {
        let iface = IfaceRef::name_and_index(ifname, ifindex)?;
        let now = self.features(&iface).await?;
        let names = self.feature_names().await?;
        let plan = plan_with(&now, &names, req, FixedPolicy::Refuse)?;
        self.execute(&plan).await
    }

    /// Restores what ethcfg's record of `iface` says it was before ethcfg
    /// changed it, and removes the record. The caller holds the state lock.
    pub(crate) async fn revert(
        &mut self,
        iface: &IfaceRef,
        state: &StateDir,
    ) -> Result<SetOutcome> {
        let now = self.features(iface).await?;
        let record =
            state.load(&now.ifname)?.ok_or_else(|| Error::NoRecord {
                iface: now.ifname.clone(),
                dir: state.path().to_path_buf(),
            })?;
        let req = record.features.iter().fold(FeatureRequest::new(), |r, f| {
            r.set(f.name.clone(), f.requested)
        });
        let names = self.feature_names().await?;
        let plan = plan_with(&now, &names, &req, FixedPolicy::Refuse)?;
        let mut out = self.execute(&plan).await?;
        // Asking again for what was requested before brings back the state
        // before; a feature that was already held off against its request
        // (gso with sg off) stays so, which is the state recorded.
        out.changes.retain(|c| {
            c.status != ChangeStatus::Refused
                || !record
                    .features
                    .iter()
                    .any(|f| f.name == c.feature && f.active == c.from)
        });
        if !out.any_refused() {
            state.remove(&now.ifname)?;
        }
        Ok(out)
    }
}

impl<T: Transport> Session<T> {
    /// Plans a profile for `ifaces`: reads them, plans (fixed features
    /// become refusals), and applies the driver guard — all before
    /// anything is sent. Returns the plan and what each interface is.
    pub(crate) async fn plan_profile(
        &mut self,
        profile: &Profile,
        ifaces: &[IfaceRef],
        force: bool,
    ) -> Result<(ChangePlan, Vec<Device>)> {
        let plan = self
            .plan_change(
                &profile.name,
                ifaces,
                &profile.feature_request(),
                FixedPolicy::Refuse,
            )
            .await
            .map_err(|e| locate(profile, e))?;
        let ids: Vec<(&str, u32)> = plan
            .targets
            .iter()
            .map(|t| (t.before.ifname.as_str(), t.before.ifindex))
            .collect();
        let devices = system::devices(Path::new("/"), &ids);
        if !force {
            if let Some(d) = devices
                .iter()
                .find(|d| !profile.is_for_driver(d.driver.as_deref()))
            {
                return Err(Error::WrongDriver {
                    iface: d.ifname.clone(),
                    profile: profile.name.clone(),
                    wanted: profile.drivers.clone(),
                    found: d.describe(),
                });
            }
        }
        Ok((plan, devices))
    }
}

/// A feature name a profile uses but this kernel does not know is the
/// profile's problem: say where it is written.
fn locate(profile: &Profile, e: Error) -> Error {
    let name = match &e {
        Error::UnknownFeature { name, .. }
        | Error::AliasMatchesNothing { name, .. } => name.clone(),
        _ => return e,
    };
    Error::Profile {
        file: format!("profile {} ({})", profile.name, profile.source),
        line: profile.features.iter().find(|f| f.name == name).map(|f| f.line),
        problem: e.to_string(),
    }
}

/// The features in `target`'s plan whose change resets the link on
/// `device`'s driver.
pub fn link_resetting(target: &Target, device: &Device) -> Vec<String> {
    let resets = device
        .driver
        .as_deref()
        .map(system::link_reset_features)
        .unwrap_or_default();
    target
        .plan
        .bits
        .iter()
        .filter(|b| resets.contains(&b.name.as_str()))
        .map(|b| b.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::{Feature, FeaturePlan, PlannedBit};

    fn target(bits: &[&str]) -> Target {
        let before = Features {
            ifindex: 2,
            ifname: "eno1".into(),
            features: Vec::<Feature>::new(),
        };
        let plan = FeaturePlan {
            ifindex: 2,
            ifname: "eno1".into(),
            bits: bits
                .iter()
                .enumerate()
                .map(|(i, n)| PlannedBit {
                    name: (*n).into(),
                    index: i as u32,
                    from: true,
                    to: false,
                })
                .collect(),
            skipped_fixed: Vec::new(),
            fixed: Vec::new(),
        };
        Target { before, plan }
    }

    fn device(driver: Option<&str>, kind: Option<&str>) -> Device {
        Device {
            ifindex: 2,
            ifname: "eno1".into(),
            driver: driver.map(Into::into),
            kind: kind.map(Into::into),
        }
    }

    #[test]
    fn e1000e_link_reset_is_detected_for_rx_and_vlan_changes_only() {
        let t = target(&[
            "tx-tcp-segmentation",
            "rx-checksum",
            "rx-vlan-hw-parse",
            "tx-generic-segmentation",
        ]);
        assert_eq!(
            link_resetting(&t, &device(Some("e1000e"), None)),
            ["rx-checksum", "rx-vlan-hw-parse"]
        );
        assert!(link_resetting(
            &target(&["tx-tcp-segmentation"]),
            &device(Some("e1000e"), None)
        )
        .is_empty());
        assert!(link_resetting(&t, &device(Some("igb"), None)).is_empty());
        assert!(link_resetting(&t, &device(None, Some("veth"))).is_empty());
    }
}
