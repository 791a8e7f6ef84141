//! Applying the configuration's bindings: each interface made equal to
//! what its bindings say ([`crate::config::Desired`]), and what a
//! config-made record manages that no binding wants any more put back.
//!
//! The minimum of "reconcile" this needs, kept apart so it folds into
//! the change engine's own reconcile operation: for an interface with a
//! record made by the configuration or the watcher, features it manages
//! that the desired state no longer names are restored to their recorded
//! state first (and no longer managed); then the desired profile is
//! applied, which sends nothing for what is already so — a changed
//! binding moves the interface without flapping what both want. An
//! interface no binding matches any more is reverted.

use super::{Engine, InterfacePlan};
use crate::config::Desired;
use crate::error::{Error, Result};
use crate::ethtool::features::{
    resolve_request, FeatureRequest, InterfaceOutcome,
};
use crate::iface::IfaceRef;
use crate::netlink::transport::Transport;
use crate::state::{Source, StateDir};

/// One interface to bring to its bindings.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BindingTarget {
    /// The interface (by name and index).
    pub iface: IfaceRef,
    /// What its bindings say; `None`: no binding matches it.
    pub desired: Option<Desired>,
}

impl BindingTarget {
    /// `iface` and what it should be.
    pub fn new(iface: IfaceRef, desired: Option<Desired>) -> Self {
        BindingTarget { iface, desired }
    }
}

/// What [`apply_bindings`](crate::blocking::Client::apply_bindings) is to
/// do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BindMode {
    /// Change and record.
    Apply,
    /// Plan and report; send nothing.
    DryRun,
    /// Report drift; send nothing.
    Check,
}

/// What became of one interface.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BindingResult {
    /// Its bindings were applied (possibly changing nothing); `released`
    /// holds what was put back because no binding wants it any more.
    Applied {
        /// The apply's outcome.
        outcome: InterfaceOutcome,
        /// Features restored first, when a binding changed.
        released: Option<InterfaceOutcome>,
    },
    /// Dry run: what would change.
    Planned(InterfaceOutcome),
    /// Check: what differs.
    Drift(InterfaceOutcome),
    /// No binding matches it any more: its config-made record was
    /// reverted.
    Reverted(InterfaceOutcome),
    /// No binding matches it, and nothing of the configuration is on it.
    Unbound,
}

/// Whether a record was made by the configuration (and so is the
/// configuration's to undo).
fn config_made(source: Source) -> bool {
    matches!(source, Source::Config | Source::Watch)
}

impl<T: Transport> Engine<'_, T> {
    /// Brings each target to its bindings (see the module doc); one
    /// interface's error does not stop the others.
    pub(crate) async fn apply_bindings(
        &mut self,
        targets: &[BindingTarget],
        state: &StateDir,
        source: Source,
        mode: BindMode,
    ) -> Result<Vec<(String, Result<BindingResult>)>> {
        let mut out: Vec<Option<(String, Result<BindingResult>)>> =
            targets.iter().map(|_| None).collect();
        if mode == BindMode::Apply && targets.len() > 1 {
            self.apply_grouped(targets, state, source, &mut out).await?;
        }
        for (t, slot) in targets.iter().zip(out.iter_mut()) {
            if slot.is_none() {
                let name = t.iface.name().unwrap_or_default().to_owned();
                *slot = Some((
                    name,
                    self.apply_binding(t, state, source, mode).await,
                ));
            }
        }
        Ok(out.into_iter().flatten().collect())
    }

    /// Many interfaces wanting the same thing (a resync, a boot), none
    /// holding a config-made record: planned and applied together, so the
    /// records are read and written once, not once per interface. A group
    /// that fails is left to the one-by-one path (which tells whose
    /// error it is).
    async fn apply_grouped(
        &mut self,
        targets: &[BindingTarget],
        state: &StateDir,
        source: Source,
        out: &mut [Option<(String, Result<BindingResult>)>],
    ) -> Result<()> {
        let records = state.load_all()?;
        let held: std::collections::HashSet<u32> = records
            .values()
            .filter(|r| config_made(r.source))
            .map(|r| r.ifindex)
            .collect();
        let mut groups: Vec<(&Desired, Vec<usize>)> = Vec::new();
        for (i, t) in targets.iter().enumerate() {
            let Some(d) = &t.desired else { continue };
            if t.iface.index().is_none_or(|x| held.contains(&x)) {
                continue;
            }
            match groups.iter_mut().find(|(g, _)| *g == d) {
                Some((_, v)) => v.push(i),
                None => groups.push((d, vec![i])),
            }
        }
        for (d, members) in groups.into_iter().filter(|(_, m)| m.len() > 1) {
            let ifaces: Vec<IfaceRef> = members
                .iter()
                .filter_map(|&i| targets.get(i).map(|t| t.iface.clone()))
                .collect();
            let Ok((mut plan, _)) =
                self.plan_profile(&d.profile, &ifaces, d.force).await
            else {
                continue;
            };
            plan.source = source;
            let outcomes = if plan.targets.iter().any(InterfacePlan::has_work) {
                match self.apply_change(&plan, state, false).await {
                    Ok(r) => r.outcomes,
                    Err(_) => continue,
                }
            } else {
                plan.planned()
            };
            if outcomes.len() != members.len() {
                continue;
            }
            for (&i, outcome) in members.iter().zip(outcomes) {
                if let Some(slot) = out.get_mut(i) {
                    *slot = Some((
                        outcome.ifname.clone(),
                        Ok(BindingResult::Applied { outcome, released: None }),
                    ));
                }
            }
        }
        Ok(())
    }

    async fn apply_binding(
        &mut self,
        t: &BindingTarget,
        state: &StateDir,
        source: Source,
        mode: BindMode,
    ) -> Result<BindingResult> {
        let first = |v: Vec<InterfaceOutcome>| {
            v.into_iter().next().ok_or(Error::Malformed {
                op: "apply bindings",
                detail: "a plan without its interface".into(),
            })
        };
        let Some(d) = &t.desired else {
            if mode != BindMode::Apply {
                return Ok(BindingResult::Unbound);
            }
            let now = self.session.features(&t.iface).await?;
            let records = state.load_all()?;
            let ours = records.get(&now.ifindex).is_some_and(|r| {
                r.ifname == now.ifname && config_made(r.source)
            });
            if !ours {
                return Ok(BindingResult::Unbound);
            }
            let out = self
                .revert(std::slice::from_ref(&t.iface), state)
                .await
                .and_then(first)?;
            return Ok(BindingResult::Reverted(out));
        };
        let ifaces = std::slice::from_ref(&t.iface);
        match mode {
            BindMode::DryRun | BindMode::Check => {
                let (plan, _) =
                    self.plan_profile(&d.profile, ifaces, true).await?;
                Ok(if mode == BindMode::Check {
                    BindingResult::Drift(first(plan.drift())?)
                } else {
                    BindingResult::Planned(first(plan.planned())?)
                })
            }
            BindMode::Apply => {
                let released = self.release(t, d, state).await?;
                let (mut plan, _) =
                    self.plan_profile(&d.profile, ifaces, d.force).await?;
                plan.source = source;
                if !plan.targets.iter().any(InterfacePlan::has_work) {
                    // Nothing to send: nothing to record either.
                    return Ok(BindingResult::Applied {
                        outcome: first(plan.planned())?,
                        released,
                    });
                }
                let report = self.apply_change(&plan, state, false).await?;
                Ok(BindingResult::Applied {
                    outcome: first(report.outcomes)?,
                    released,
                })
            }
        }
    }

    /// Restores the features a config-made record manages on `t` that
    /// `d` no longer names, and stops managing them.
    async fn release(
        &mut self,
        t: &BindingTarget,
        d: &Desired,
        state: &StateDir,
    ) -> Result<Option<InterfaceOutcome>> {
        let mut records = state.load_all()?;
        let now = self.session.features(&t.iface).await?;
        let Some(rec) = records.get_mut(&now.ifindex) else { return Ok(None) };
        if rec.ifname != now.ifname || !config_made(rec.source) {
            return Ok(None);
        }
        let names = self.session.feature_names().await?.to_vec();
        let wanted = resolve_request(&names, &d.profile.feature_request())?
            .named_bits(&now);
        let wanted: Vec<&str> = wanted
            .iter()
            .filter_map(|b| now.name(*b))
            .map(|n| n.as_str())
            .collect();
        let mut req = FeatureRequest::new();
        let mut any = false;
        let unwanted: Vec<_> = rec
            .features
            .iter()
            .filter(|f| f.managed && !wanted.contains(&f.name.as_str()))
            .collect();
        for f in unwanted {
            req = req.set(f.name.to_string(), f.requested);
            rec.unmanage_feature(&f.name);
            any = true;
        }
        if !any {
            return Ok(None);
        }
        let out =
            self.restore_requested(&now.ifname, now.ifindex, &req).await?;
        state.store_all(&records)?;
        Ok(Some(out))
    }
}
