//! Applying the configuration's bindings: each interface made equal to
//! what its bindings say ([`crate::config::Desired`]) by the change
//! engine's one reconcile (`reconcile.rs`), acting for the configuration
//! and the watcher as one owner ({config, watch}) while recording the
//! run's own source: what a binding no longer asks for is let go and,
//! unless another source (a person's `set`, the hook) holds it, restored
//! — in the same plan as the new wants, so a changed binding moves the
//! interface without flapping what both want, with one read of its
//! features and one of its records. An interface no binding matches any
//! more gets the reconcile to nothing (`Reverted`).
//!
//! Dry runs and checks plan the desired profile and send nothing.

use super::Engine;
use crate::config::Desired;
use crate::error::{Error, Result};
use crate::ethtool::features::{FeatureName, InterfaceOutcome};
use crate::iface::IfaceRef;
use crate::netlink::transport::Transport;
use crate::profile::Profile;
use crate::state::{Source, Sources, StateDir};

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

/// The sources the configuration's bindings act for as one: what `apply
/// --config` or `watch` applied, either may let go of.
const CONFIG: Sources = Sources::CONFIG;

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

    /// Many interfaces wanting the same thing (a resync, a boot):
    /// reconciled together, so the records are read and written once, not
    /// once per interface. A group that fails is left to the one-by-one
    /// path (which tells whose error it is).
    async fn apply_grouped(
        &mut self,
        targets: &[BindingTarget],
        state: &StateDir,
        source: Source,
        out: &mut [Option<(String, Result<BindingResult>)>],
    ) -> Result<()> {
        let mut groups: Vec<(&Desired, Vec<usize>)> = Vec::new();
        for (i, t) in targets.iter().enumerate() {
            let Some(d) = &t.desired else { continue };
            if t.iface.index().is_none() {
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
            let Ok((plan, _)) = self
                .plan_reconcile_for(
                    (CONFIG, source),
                    &d.profile,
                    &ifaces,
                    d.force,
                    state,
                    false,
                )
                .await
            else {
                continue;
            };
            if plan.targets.len() != members.len() {
                continue;
            }
            let released: Vec<(u32, Vec<FeatureName>)> = plan
                .released
                .iter()
                .map(|(i, r)| (*i, r.features.clone()))
                .collect();
            let Ok(report) = self.apply_change(&plan, state, false).await
            else {
                continue;
            };
            if report.outcomes.len() != members.len() {
                continue;
            }
            for (&i, outcome) in members.iter().zip(report.outcomes) {
                let back = released
                    .iter()
                    .find(|(x, _)| *x == outcome.ifindex)
                    .map_or(&[][..], |(_, f)| f.as_slice());
                let (outcome, released) = split(outcome, back);
                if let Some(slot) = out.get_mut(i) {
                    *slot = Some((
                        outcome.ifname.clone(),
                        Ok(BindingResult::Applied { outcome, released }),
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
        let ifaces = std::slice::from_ref(&t.iface);
        let Some(d) = &t.desired else {
            if mode != BindMode::Apply {
                return Ok(BindingResult::Unbound);
            }
            // What the configuration manages there, let go of; what no
            // other source holds, restored.
            let (plan, _) = self
                .plan_reconcile_for(
                    (CONFIG, source),
                    &Profile::new("revert"),
                    ifaces,
                    true,
                    state,
                    false,
                )
                .await?;
            if plan.released.is_empty() {
                return Ok(BindingResult::Unbound);
            }
            let report = self.apply_change(&plan, state, false).await?;
            return Ok(BindingResult::Reverted(first(report.outcomes)?));
        };
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
                let (plan, _) = self
                    .plan_reconcile_for(
                        (CONFIG, source),
                        &d.profile,
                        ifaces,
                        d.force,
                        state,
                        false,
                    )
                    .await?;
                let released: Vec<FeatureName> = plan
                    .released
                    .iter()
                    .flat_map(|(_, r)| r.features.iter().cloned())
                    .collect();
                let report = self.apply_change(&plan, state, false).await?;
                let (outcome, released) =
                    split(first(report.outcomes)?, &released);
                Ok(BindingResult::Applied { outcome, released })
            }
        }
    }
}

/// One reconcile's outcome told as before the reconcile was one: what
/// the binding asks for, and apart, the features put back because no
/// binding wants them any more (`None` when there are none).
fn split(
    mut outcome: InterfaceOutcome,
    released: &[FeatureName],
) -> (InterfaceOutcome, Option<InterfaceOutcome>) {
    if released.is_empty() {
        return (outcome, None);
    }
    let (back, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut outcome.changes)
        .into_iter()
        .partition(|c| released.contains(&c.feature));
    let mut restored = outcome.clone();
    restored.changes = back;
    restored.settings = Vec::new();
    restored.notes = Vec::new();
    outcome.changes = rest;
    (outcome, Some(restored))
}
