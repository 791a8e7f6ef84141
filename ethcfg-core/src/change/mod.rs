//! Changing interfaces safely, for `set`, `apply`, `revert` and `check`:
//! read every interface and plan before anything is sent — features and
//! the other ethtool settings alike; record the state about to change;
//! send; and if anything fails part-way, put back what this run already
//! changed. Written once, as an `Engine` borrowing the ethtool session
//! (never methods of the session itself), so the async and blocking APIs
//! share it.
//!
//! **What a run records, and revert restores.** Before the first change a
//! run records, for each interface it will change, the state of *every*
//! changeable feature (already read for planning, so free) and every value
//! of the settings groups it asks for — so no side effect can change before
//! its prior state is on disk. It marks as *managed* what it asked for
//! (whether that changes or is already so); after sending, it marks the
//! side effects it observed. `revert` restores the managed set — asked for
//! ∪ observed side effects ∪ already-so asked for, over every recorded run —
//! to the state before ethcfg's first change, and leaves every other
//! feature as it is now (an admin's unrelated `ethtool -K` stays). A run
//! that cannot write the records after sending rolls back (exit 1): a side
//! effect revert would not know of is never left behind. Records are
//! matched to devices by ifindex in the namespace's file (see
//! [`crate::state`]): a name now held by another device is never reverted.
//!
//! **Whose it is.** Each managed item records the [`Source`]s that asked
//! for it or saw it change. A hook or the configuration does not apply on
//! top of what it applied before: it *reconciles* (`reconcile.rs`) —
//! "make what this source manages on the interface equal to this desired
//! state" — restoring what it no longer wants unless another source holds
//! it, and sending nothing when nothing differs.
//!
//! Layer: the change engine. May use: `crate::fs`, `crate::error`,
//! `crate::iface`, `crate::netlink`, `crate::ethtool`, `crate::host`,
//! `crate::events`, `crate::state`, `crate::profile`, `crate::config`.

mod bindings;

use crate::error::{Error, Result, RollbackFailure};
use crate::ethtool::features::{
    plan_resolved, plan_with, resolve_request, FeatureBits, FeatureChange,
    FeaturePlan, FeatureRequest, Features, FixRules, FixedPolicy,
    InterfaceOutcome, ResolvedRequest, Status,
};
use crate::ethtool::session::Session;
use crate::ethtool::settings::{
    Group, SettingChange, SettingsPlan, SettingsRequest, Target as To,
};
use crate::host::{self, Device, HostRoot};
use crate::iface::IfaceRef;
use crate::netlink::transport::Transport;
use crate::profile::Profile;
use crate::state::{
    by_name, rebase, release_one, Record, RecordedSetting, Records, Source,
    Sources, StateDir,
};

pub use bindings::{BindMode, BindingResult, BindingTarget};
mod reconcile;

/// One interface of a [`ChangePlan`]: how it was when planned, and the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InterfacePlan {
    /// The interface's features as read before planning.
    pub before: Features,
    /// The features to send.
    pub plan: FeaturePlan,
    /// The other settings to send, if any were asked for (boxed: most
    /// runs ask for none, and a plan inline made every target ~650 bytes).
    pub settings: Option<Box<SettingsPlan>>,
    /// Things to tell (settings the driver does not have, skipped).
    pub notes: Vec<String>,
}

impl InterfacePlan {
    /// Whether anything is to be sent.
    pub fn has_work(&self) -> bool {
        !self.plan.is_empty()
            || self.settings.as_ref().is_some_and(|s| !s.is_empty())
    }
}

/// A validated change to one or more interfaces; nothing has been sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChangePlan {
    /// What makes the change (a profile name, or `set`), for the records.
    pub by: String,
    /// What started the run, for the records ([`Source::Cli`] unless the
    /// caller says otherwise).
    pub source: Source,
    /// The interfaces, in the order given.
    pub targets: Vec<InterfacePlan>,
    /// The features asked for, resolved: what the run manages on each
    /// interface, changed or already so.
    asked: ResolvedRequest,
    /// The settings asked for.
    asked_settings: SettingsRequest,
    /// A reconcile's items that [`ChangePlan::source`] lets go of, per
    /// ifindex: restored when no other source manages them, and no longer
    /// its own after the run.
    released: Vec<(u32, Released)>,
    /// The sources a reconcile acts for besides [`ChangePlan::source`]
    /// (the configuration and the watcher act as one): what it releases
    /// is let go by all of them.
    releasing: Sources,
}

/// What a reconciling source no longer wants on one interface.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Released {
    features: Vec<crate::ethtool::features::FeatureName>,
    settings: Vec<(Group, String)>,
}

impl ChangePlan {
    /// What a dry run reports: planned changes and fixed refusals.
    pub fn planned(&self) -> Vec<InterfaceOutcome> {
        self.outcomes(FeaturePlan::planned_changes, SettingsPlan::planned)
    }

    /// What `check` reports: everything whose state differs.
    pub fn drift(&self) -> Vec<InterfaceOutcome> {
        self.outcomes(FeaturePlan::drift, SettingsPlan::drift)
    }

    /// One outcome per interface, without sending.
    fn outcomes(
        &self,
        f: impl Fn(&FeaturePlan) -> Vec<FeatureChange>,
        s: impl Fn(&SettingsPlan) -> Vec<SettingChange>,
    ) -> Vec<InterfaceOutcome> {
        self.targets
            .iter()
            .map(|t| InterfaceOutcome {
                changes: f(&t.plan),
                settings: t.settings.as_deref().map(&s).unwrap_or_default(),
                notes: t.notes.clone(),
                ..InterfaceOutcome::unchanged(&t.plan)
            })
            .collect()
    }
}

/// What a driver lacking a settings group means while planning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MissingGroup {
    /// An error ([`Error::SettingUnsupported`]): `ethcfg set` was asked
    /// for it.
    Error,
    /// Skipped with a note: a profile describes a wanted state, and the
    /// part of it the device has no such thing for does not apply (EEE on
    /// a PHY without EEE).
    Skip,
}

/// `(group, key, value)` words — from a profile, a record or the command
/// line — as a settings request.
pub fn settings_request<'a>(
    items: impl IntoIterator<Item = (Group, &'a str, To)>,
) -> SettingsRequest {
    items
        .into_iter()
        .fold(SettingsRequest::new(), |r, (g, k, v)| r.set(g, k, v))
}

/// What [`apply_change`](crate::blocking::Client::apply_change) did: each
/// interface's outcome, and whether `strict` undid the run.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApplyReport {
    /// Per interface, in plan order: what the kernel did (with `strict`
    /// and a refusal, what it did before the rollback; or, when the
    /// refusal was known before sending, what was planned).
    pub outcomes: Vec<InterfaceOutcome>,
    /// `Some` when `strict` refused the run: nothing of it is in effect.
    pub strict: Option<StrictRollback>,
}

/// Why a `strict` run is not in effect, and how it was undone.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StrictRollback {
    /// The first interface with a refusal.
    pub iface: String,
    /// What was refused there (features, and `group key` settings).
    pub refused: Vec<String>,
    /// What became of the run.
    pub undone: Undone,
}

/// How a `strict` run was undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Undone {
    /// The refusal was known from the plan (a fixed feature): nothing was
    /// sent.
    NothingSent,
    /// The refusal came from the kernel: every change of this run was
    /// rolled back.
    RolledBack,
}

/// What one interface's run did, for rollback: its index in the plan, the
/// feature bits it touched, the settings it changed (with their values
/// before).
struct Done {
    index: usize,
    bits: Touched,
    settings: Vec<SettingChange>,
}

/// The change engine over one ethtool session: every operation of
/// `set`, `apply`, `revert` and `check` that needs more than one ethtool
/// request. Borrowed for the length of an operation.
pub(crate) struct Engine<'s, T> {
    session: &'s mut Session<T>,
}

impl<'s, T: Transport> Engine<'s, T> {
    /// The engine over `session`.
    pub(crate) fn new(session: &'s mut Session<T>) -> Self {
        Engine { session }
    }

    /// Reads every interface and plans `req` for each. Unknown interfaces
    /// and names are errors here, before anything is sent. Many interfaces
    /// are read with one dump instead of one request each.
    pub(crate) async fn plan_change(
        &mut self,
        by: &str,
        ifaces: &[IfaceRef],
        req: &FeatureRequest,
        policy: FixedPolicy,
    ) -> Result<ChangePlan> {
        self.plan_change_with(
            by,
            ifaces,
            req,
            &SettingsRequest::new(),
            policy,
            MissingGroup::Error,
        )
        .await
    }

    /// [`Engine::plan_change`] with other settings too.
    pub(crate) async fn plan_change_with(
        &mut self,
        by: &str,
        ifaces: &[IfaceRef],
        req: &FeatureRequest,
        settings: &SettingsRequest,
        policy: FixedPolicy,
        missing: MissingGroup,
    ) -> Result<ChangePlan> {
        let names = self.session.feature_names().await?;
        let resolved = resolve_request(&names, req)?;
        let current = self.read_many(ifaces).await?;
        let mut seen = std::collections::HashSet::with_capacity(current.len());
        let mut targets = Vec::with_capacity(current.len());
        for before in current {
            if !seen.insert(before.ifindex) {
                continue; // named twice
            }
            let plan = plan_resolved(&before, &resolved, policy)?;
            let (settings, notes) = if settings.is_empty() {
                (None, Vec::new())
            } else {
                self.plan_settings_for(&before, settings, missing).await?
            };
            let settings = settings.map(Box::new);
            targets.push(InterfacePlan { before, plan, settings, notes });
        }
        Ok(ChangePlan {
            by: by.to_owned(),
            source: Source::default(),
            targets,
            asked: resolved,
            asked_settings: settings.clone(),
            released: Vec::new(),
            releasing: Sources::NONE,
        })
    }

    /// Plans `req` for one interface; with [`MissingGroup::Skip`], a group
    /// the driver lacks is dropped from the request with a note.
    async fn plan_settings_for(
        &mut self,
        before: &Features,
        req: &SettingsRequest,
        missing: MissingGroup,
    ) -> Result<(Option<SettingsPlan>, Vec<String>)> {
        let iface =
            IfaceRef::by_name_and_index(before.ifname.clone(), before.ifindex)?;
        let mut req = req.clone();
        let mut notes = Vec::new();
        loop {
            match self.session.plan_settings(&iface, &req).await {
                Ok(p) => return Ok((Some(p), notes)),
                Err(Error::SettingUnsupported { group, .. })
                    if missing == MissingGroup::Skip =>
                {
                    notes.push(format!(
                        "{}: the driver has no {group} settings; the profile's [{group}] is skipped",
                        before.ifname
                    ));
                    req = req
                        .items()
                        .iter()
                        .filter(|s| s.group.as_str() != group)
                        .fold(SettingsRequest::new(), |r, s| {
                            r.set(s.group, s.key.clone(), s.to)
                        });
                    if req.is_empty() {
                        return Ok((None, notes));
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The features of `ifaces`, in the order given: one request each for
    /// a few, one dump for many (a dump costs about what eight requests do).
    async fn read_many(
        &mut self,
        ifaces: &[IfaceRef],
    ) -> Result<Vec<Features>> {
        const DUMP_FROM: usize = 8;
        let mut out = Vec::with_capacity(ifaces.len());
        if ifaces.len() < DUMP_FROM {
            for iface in ifaces {
                out.push(self.session.features(iface).await?);
            }
            return Ok(out);
        }
        let all = self.session.features_all().await?;
        // Each interface's place in the dump, found through sorted lists
        // borrowing the dump's names (no hashing, no name copied).
        let mut by_name: Vec<(u128, usize)> = all
            .iter()
            .enumerate()
            .filter_map(|(i, f)| Some((name_key(&f.ifname)?, i)))
            .collect();
        by_name.sort_unstable();
        let mut by_index: Vec<(u32, usize)> =
            all.iter().enumerate().map(|(i, f)| (f.ifindex, i)).collect();
        by_index.sort_unstable();
        let slots: Vec<Option<usize>> = ifaces
            .iter()
            .map(|iface| match (iface.index(), iface.name()) {
                (Some(i), _) => by_index
                    .binary_search_by_key(&i, |e| e.0)
                    .ok()
                    .and_then(|k| by_index.get(k))
                    .map(|e| e.1),
                (None, Some(n)) => name_key(n)
                    .and_then(|n| {
                        by_name.binary_search_by_key(&n, |e| e.0).ok()
                    })
                    .and_then(|k| by_name.get(k))
                    .map(|e| e.1),
                (None, None) => None,
            })
            .collect();
        drop((by_name, by_index));
        // Taken out of the dump, not copied: a thousand interfaces are
        // sixty thousand features.
        let mut all: Vec<Option<Features>> =
            all.into_iter().map(Some).collect();
        for (iface, slot) in ifaces.iter().zip(slots) {
            let found = slot
                .and_then(|i| all.get_mut(i))
                .and_then(Option::take)
                .filter(|f| iface.name().is_none_or(|n| n == f.ifname));
            match found {
                Some(f) => out.push(f),
                // Not in the dump under that name (an alternative name, a
                // name given twice, or gone): ask for it alone, for the
                // kernel's own answer.
                None => out.push(self.session.features(iface).await?),
            }
        }
        Ok(out)
    }

    /// Sends a plan. First the state of everything about to be asked for
    /// is recorded (one write for the whole run); then each interface is
    /// changed — features, then the other settings; then the side effects
    /// are added to the records (one more write). If one interface fails —
    /// or, `strict`, anything is refused — every change of this run is
    /// rolled back and the records are put back as they were. The caller
    /// holds the state lock.
    pub(crate) async fn apply_change(
        &mut self,
        plan: &ChangePlan,
        state: &StateDir,
        strict: bool,
    ) -> Result<ApplyReport> {
        if strict {
            if let Some(t) =
                plan.targets.iter().find(|t| !t.plan.fixed.is_empty())
            {
                return Ok(ApplyReport {
                    outcomes: plan.planned(),
                    strict: Some(StrictRollback {
                        iface: t.plan.ifname.clone(),
                        refused: t
                            .plan
                            .fixed
                            .iter()
                            .map(|b| b.name.to_string())
                            .collect(),
                        undone: Undone::NothingSent,
                    }),
                });
            }
        }
        let unchanged = |t: &InterfacePlan| InterfaceOutcome {
            notes: t.notes.clone(),
            ..InterfaceOutcome::unchanged(&t.plan)
        };
        // Only these interfaces' records are read and written: a run over
        // a few costs the same however many the namespace has.
        let keys: Vec<u32> =
            plan.targets.iter().map(|t| t.before.ifindex).collect();
        if !plan.targets.iter().any(InterfacePlan::has_work) {
            // Nothing to send, but the records may need to say whose the
            // state is: a reconcile lets go of what other sources manage
            // too, and a run asking for what another source already did
            // takes it on, so that source letting go does not undo it.
            let mut records = state.load_for(&keys)?;
            if let Some(t) = plan.targets.first() {
                rebase(&mut records, t.before.table());
            }
            if !records.is_empty() {
                let adopted = adopt(&mut records, plan);
                if release(&mut records, plan) | adopted {
                    state.store_for(&records, &keys)?;
                }
            }
            return Ok(ApplyReport {
                outcomes: plan.targets.iter().map(unchanged).collect(),
                strict: None,
            });
        }
        // Everything the run manages or may change is recorded before the
        // first change: every changeable feature (read for planning anyway)
        // and every value of the settings groups asked for, marked managed
        // when asked for, and the side effects the kernel's rules predict;
        // the side effects found after the run that were not predicted
        // (and predictions that did not come true) are written then.
        let mut prior = state.load_for(&keys)?;
        if let Some(t) = plan.targets.first() {
            rebase(&mut prior, t.before.table());
        }
        let mut records = prior.clone();
        let mut rules: Option<FixRules> = None;
        // (target, bit, its record's state byte before the prediction)
        let mut predicted: Vec<(usize, u32, u8)> = Vec::new();
        for (i, t) in
            plan.targets.iter().enumerate().filter(|(_, t)| t.has_work())
        {
            let asked = plan.asked.named_bits(&t.before);
            let rec = entry(&mut records, &t.before, plan);
            rec.record_prior(&t.before, &asked, plan.source);
            let table = t.before.table();
            let fix = match &mut rules {
                Some(r) if r.is_for(table) => r,
                r => r.insert(FixRules::new(table)),
            };
            let mut effects = fix.side_effects(&t.before, &t.plan);
            while effects != 0 {
                let b = effects.trailing_zeros();
                effects &= effects - 1;
                if !let_go(plan, t, b) {
                    let was = rec.bit_state(&t.before, b);
                    if rec.manage_bit(&t.before, b, plan.source) {
                        predicted.push((i, b, was));
                    }
                }
            }
            if let Some(sp) = &t.settings {
                record_settings_before(
                    rec,
                    sp,
                    &plan.asked_settings,
                    plan.source,
                );
            }
        }
        // What the run needs is reserved before anything is sent: an
        // allocation failure (ulimit -v) ends the run here, not half-way.
        let n = plan.targets.len();
        let mut done: Vec<Done> = Vec::new();
        // Each target's outcome in plan order, put in its place as it comes
        // (a pipelined one after the unchanged ones behind it); empty until
        // then, which allocates nothing.
        let mut slots: Vec<InterfaceOutcome> = Vec::new();
        let mut batch: Vec<usize> = Vec::new();
        done.try_reserve_exact(n)
            .and_then(|()| slots.try_reserve_exact(n))
            .and_then(|()| batch.try_reserve_exact(n))
            .map_err(|e| Error::State {
                path: state.path().to_path_buf(),
                what: "reserve memory for the records of",
                source: std::io::Error::new(std::io::ErrorKind::OutOfMemory, e),
            })?;
        slots.extend(plan.targets.iter().map(|_| InterfaceOutcome::empty()));
        state.store_for(&records, &keys)?;

        // Interfaces with only features to change go out pipelined, in
        // plan order; one with other settings too goes alone, in its turn.
        let mut failure = None;
        for (i, t) in plan.targets.iter().enumerate() {
            if !t.has_work() {
                if let Some(s) = slots.get_mut(i) {
                    *s = unchanged(t);
                }
                continue;
            }
            let features_only =
                t.settings.as_deref().is_none_or(SettingsPlan::is_empty);
            if features_only {
                batch.push(i);
                continue;
            }
            if let Err(f) =
                self.send_batch(plan, &mut batch, &mut done, &mut slots).await
            {
                failure = Some(f);
                break;
            }
            match self.apply_target(i, t, &mut done).await {
                Ok(out) => {
                    if let Some(s) = slots.get_mut(i) {
                        *s = out;
                    }
                }
                Err(e) => {
                    failure = Some((t.plan.ifname.clone(), e));
                    break;
                }
            }
        }
        if failure.is_none() {
            failure = self
                .send_batch(plan, &mut batch, &mut done, &mut slots)
                .await
                .err();
        }
        if let Some((iface, e)) = failure {
            let (rolled_back, rollback_failed) =
                self.undo(plan, &done, state, &prior, &records, &keys).await;
            return Err(Error::ApplyFailed {
                iface,
                source: Box::new(e),
                rolled_back,
                rollback_failed,
            });
        }
        let outcomes = slots;
        if strict {
            if let Some(o) = outcomes.iter().find(|o| o.any_refused()) {
                let iface = o.ifname.clone();
                let mut features: Vec<String> = o
                    .changes
                    .iter()
                    .filter(|c| c.status == Status::Refused)
                    .map(|c| c.feature.to_string())
                    .collect();
                features.extend(
                    o.settings
                        .iter()
                        .filter(|c| c.status == Status::Refused)
                        .map(|c| format!("{} {}", c.group, c.key)),
                );
                let (rolled_back, failed) = self
                    .undo(plan, &done, state, &prior, &records, &keys)
                    .await;
                if failed.is_empty() {
                    return Ok(ApplyReport {
                        outcomes,
                        strict: Some(StrictRollback {
                            iface,
                            refused: features,
                            undone: Undone::RolledBack,
                        }),
                    });
                }
                return Err(Error::ApplyFailed {
                    iface: iface.clone(),
                    source: Box::new(Error::Refused { iface, features }),
                    rolled_back,
                    rollback_failed: failed,
                });
            }
        }
        // Side effects: their state before, for the record (revert brings
        // features back by restoring what was requested, and settings by
        // setting their values before).
        let mut grew = false;
        let named = Touched::of(plan.asked.bits().iter().copied());
        for d in &done {
            let Some(t) = plan.targets.get(d.index) else { continue };
            let Some(rec) = records.get_mut(&t.before.ifindex) else {
                continue;
            };
            // The bits asked for are managed already (record_prior): only
            // the others, side effects, can add to the record.
            let asked = |b: u32| {
                named.contains(b)
                    && t.before.name(b).is_some()
                    && !t.before.is_fixed(b)
            };
            for b in d.bits.iter().filter(|&b| !asked(b)) {
                if !let_go(plan, t, b) {
                    grew |= rec.manage_bit(&t.before, b, plan.source);
                }
            }
            for c in
                d.settings.iter().filter(|c| c.status == Status::SideEffect)
            {
                let was = rec
                    .settings
                    .iter()
                    .find(|s| s.group == c.group && s.key == c.key)
                    .map(|s| rec.setting_owners(s));
                let mut rs =
                    RecordedSetting::new(c.group, c.key.clone(), c.from);
                rs.owners = Sources::only(plan.source);
                rec.keep_earliest_setting(rs);
                grew |= !was.is_some_and(|o| o.contains(plan.source));
            }
        }
        // A predicted side effect the kernel did not make is not managed.
        if !predicted.is_empty() {
            let mut at = vec![usize::MAX; n];
            for (k, d) in done.iter().enumerate() {
                if let Some(slot) = at.get_mut(d.index) {
                    *slot = k;
                }
            }
            for &(i, b, was) in &predicted {
                let happened = at
                    .get(i)
                    .and_then(|&k| done.get(k))
                    .is_some_and(|d| d.bits.contains(b));
                let t = plan.targets.get(i);
                if let Some((t, rec)) = t.filter(|_| !happened).and_then(|t| {
                    Some((t, records.get_mut(&t.before.ifindex)?))
                }) {
                    rec.put_bit_state(&t.before, b, was);
                    grew = true;
                }
            }
        }
        grew |= release(&mut records, plan);
        // Written again only when side effects added to what the first
        // write holds. If that fails, revert could not restore the side
        // effects: the run is undone.
        if grew {
            if let Err(e) = state.store_for(&records, &keys) {
                let (rolled_back, rollback_failed) = self
                    .undo(plan, &done, state, &prior, &records, &keys)
                    .await;
                let iface = done
                    .first()
                    .and_then(|d| plan.targets.get(d.index))
                    .map(|t| t.before.ifname.clone())
                    .unwrap_or_default();
                return Err(Error::ApplyFailed {
                    iface,
                    source: Box::new(e),
                    rolled_back,
                    rollback_failed,
                });
            }
        }
        Ok(ApplyReport { outcomes, strict: None })
    }

    /// Sends the features of the interfaces at `batch` (emptied) pipelined,
    /// and notes in `done` every one that changed — those the kernel went
    /// on to after a failed one too — so a rollback covers them. Returns the
    /// first failure: (interface, error).
    async fn send_batch(
        &mut self,
        plan: &ChangePlan,
        batch: &mut Vec<usize>,
        done: &mut Vec<Done>,
        slots: &mut [InterfaceOutcome],
    ) -> std::result::Result<(), (String, Error)> {
        if batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(batch);
        // A slice at a time (16 a datagram either way): the answers to a
        // thousand interfaces are never all held at once, beside the
        // outcomes they are moved into.
        for part in batch.chunks(SEND_SLICE) {
            self.send_slice(plan, part, done, slots).await?;
        }
        Ok(())
    }

    /// [`Engine::send_batch`] of one slice of the batch.
    async fn send_slice(
        &mut self,
        plan: &ChangePlan,
        part: &[usize],
        done: &mut Vec<Done>,
        slots: &mut [InterfaceOutcome],
    ) -> std::result::Result<(), (String, Error)> {
        let targets: Vec<(usize, &InterfacePlan)> = part
            .iter()
            .filter_map(|&i| Some((i, plan.targets.get(i)?)))
            .collect();
        let plans: Vec<&FeaturePlan> =
            targets.iter().map(|(_, t)| &t.plan).collect();
        let results = match self.session.execute_many(&plans).await {
            Ok(r) => r,
            Err(e) => {
                // The socket failed: which requests took effect is
                // unknown, so all of them are rolled back (a rollback reads
                // first and sends nothing to an interface as it was).
                for (i, t) in &targets {
                    let bits = Touched::of(t.plan.bits.iter().map(|b| b.index));
                    done.push(Done { index: *i, bits, settings: Vec::new() });
                }
                let iface =
                    plans.first().map(|p| p.ifname.clone()).unwrap_or_default();
                return Err((iface, e));
            }
        };
        let mut first_failure = None;
        for ((i, t), result) in targets.into_iter().zip(results) {
            match result {
                Ok(mut out) => {
                    let bits = touched(&t.plan, &out);
                    done.push(Done { index: i, bits, settings: Vec::new() });
                    out.notes = t.notes.clone();
                    if let Some(s) = slots.get_mut(i) {
                        *s = out;
                    }
                }
                Err(e) => {
                    first_failure
                        .get_or_insert_with(|| (t.plan.ifname.clone(), e));
                }
            }
        }
        first_failure.map_or(Ok(()), Err)
    }

    /// Sends one interface's features, then its settings; notes in `done`
    /// what was changed as soon as it is, so a failure after it rolls it
    /// back too.
    async fn apply_target(
        &mut self,
        i: usize,
        t: &InterfacePlan,
        done: &mut Vec<Done>,
    ) -> Result<InterfaceOutcome> {
        let mut out = if t.plan.is_empty() {
            InterfaceOutcome::unchanged(&t.plan)
        } else {
            self.session.execute(&t.plan).await?
        };
        let bits = touched(&t.plan, &out);
        done.push(Done { index: i, bits, settings: Vec::new() });
        if let Some(sp) = t.settings.as_ref().filter(|s| !s.is_empty()) {
            let changes = self.session.execute_settings(sp).await?;
            if let Some(d) = done.last_mut() {
                d.settings = changes.clone();
            }
            out.settings = changes;
        }
        out.notes = t.notes.clone();
        Ok(out)
    }

    /// Puts every interface changed in this run back as it was before the
    /// run. Returns (restored, could not restore).
    /// Undoes the run: rolls back what `done` changed and puts the
    /// records back as before the run, but for interfaces that could not
    /// be restored (see [`restored_records`]). Returns what rolled back
    /// and what could not.
    async fn undo(
        &mut self,
        plan: &ChangePlan,
        done: &[Done],
        state: &StateDir,
        prior: &Records,
        records: &Records,
        keys: &[u32],
    ) -> (Vec<String>, Vec<RollbackFailure>) {
        let (rolled_back, failed) = self.roll_back(plan, done).await;
        let _ = state.store_for(
            &restored_records(prior, records, plan, &failed_names(&failed)),
            keys,
        );
        (rolled_back, failed)
    }

    async fn roll_back(
        &mut self,
        plan: &ChangePlan,
        done: &[Done],
    ) -> (Vec<String>, Vec<RollbackFailure>) {
        let mut ok = Vec::new();
        let mut failed = Vec::new();
        for d in done.iter().rev() {
            let Some(t) = plan.targets.get(d.index) else { continue };
            let req = d.bits.iter().fold(FeatureRequest::new(), |r, b| match t
                .before
                .by_index(b)
            {
                Some(f) => r.set(f.name.to_string(), f.requested),
                None => r,
            });
            let settings = d
                .settings
                .iter()
                .filter(|c| {
                    matches!(
                        c.status,
                        Status::Applied | Status::Adjusted | Status::SideEffect
                    )
                })
                .fold(SettingsRequest::new(), |r, c| {
                    r.set(c.group, c.key.clone(), c.from.into())
                });
            // Only what was changed is said to be rolled back: a feature
            // rollback that finds the interface as it was sends nothing.
            let result = match self
                .restore_requested(&t.before.ifname, t.before.ifindex, &req)
                .await
            {
                Ok(out) if settings.is_empty() => Ok(out.changed()),
                Ok(_) => self
                    .restore_settings(
                        &t.before.ifname,
                        t.before.ifindex,
                        &settings,
                    )
                    .await
                    .map(|()| true),
                Err(e) => Err(e),
            };
            match result {
                Ok(true) => ok.push(t.before.ifname.clone()),
                Ok(false) => {}
                Err(e) => failed
                    .push(RollbackFailure::new(t.before.ifname.clone(), e)),
            }
        }
        (ok, failed)
    }

    async fn restore_requested(
        &mut self,
        ifname: &str,
        ifindex: u32,
        req: &FeatureRequest,
    ) -> Result<InterfaceOutcome> {
        let iface = IfaceRef::by_name_and_index(ifname, ifindex)?;
        let now = self.session.features(&iface).await?;
        let names = self.session.feature_names().await?;
        let plan = plan_with(&now, &names, req, FixedPolicy::Refuse)?;
        self.session.execute(&restoring(plan)).await
    }

    async fn restore_settings(
        &mut self,
        ifname: &str,
        ifindex: u32,
        req: &SettingsRequest,
    ) -> Result<()> {
        let iface = IfaceRef::by_name_and_index(ifname, ifindex)?;
        let plan = self.session.plan_settings(&iface, req).await?;
        let out = self.session.execute_settings(&plan).await?;
        if out.iter().any(|c| c.status == Status::Refused) {
            return Err(Error::Malformed {
                op: "rollback",
                detail: format!("{ifname}: a setting could not be restored"),
            });
        }
        Ok(())
    }

    /// Restores each of `ifaces` to its state before ethcfg's recorded
    /// changes — features and settings — and removes its record (one read
    /// and one write of the records for all). The caller holds the state
    /// lock. Every interface must have a record; that is checked before
    /// anything is sent.
    pub(crate) async fn revert(
        &mut self,
        ifaces: &[IfaceRef],
        state: &StateDir,
    ) -> Result<Vec<InterfaceOutcome>> {
        let mut records = state.load_all()?;
        let current = self.read_many(ifaces).await?;
        let mut todo = Vec::with_capacity(current.len());
        for now in current {
            // By ifindex, never reused in the namespace: a renamed
            // device's record follows it, and a name now held by another
            // device is not that device's.
            let record = match records.get(&now.ifindex) {
                Some(r) => r.clone(),
                None => {
                    return Err(match by_name(&records, &now.ifname) {
                        Some(stale) => Error::RecordedDeviceGone {
                            iface: now.ifname.clone(),
                            recorded: stale.ifindex,
                            now: now.ifindex,
                        },
                        None => Error::NoRecord {
                            iface: now.ifname.clone(),
                            dir: state.path().to_path_buf(),
                        },
                    })
                }
            };
            todo.push((now, record));
        }
        let names = self.session.feature_names().await?;
        let mut outcomes = Vec::with_capacity(todo.len());
        let mut result = Ok(());
        for (now, record) in &todo {
            // What the runs managed, and nothing else: a feature they
            // never asked for and never saw change stays as it is now.
            let req = record
                .features
                .iter()
                .filter(|f| f.managed)
                .fold(FeatureRequest::new(), |r, f| {
                    r.set(f.name.to_string(), f.requested)
                });
            let settings = settings_request(
                record
                    .settings
                    .iter()
                    .filter(|s| s.managed)
                    .map(|s| (s.group, s.key.as_str(), s.value.into())),
            );
            let out = match plan_with(now, &names, &req, FixedPolicy::Refuse) {
                Ok(plan) => self.session.execute(&restoring(plan)).await,
                Err(e) => Err(e),
            };
            let mut out = match out {
                Ok(o) => o,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            };
            // Asking again for what was requested before brings back the
            // state before; a feature that was already held off against its
            // request (gso with sg off) stays so, which is the state recorded.
            out.changes.retain(|c| {
                c.status != Status::Refused
                    || !record.features.iter().any(|f| {
                        f.managed && f.name == c.feature && f.active == c.from
                    })
            });
            if !settings.is_empty() {
                let iface = IfaceRef::by_name_and_index(
                    now.ifname.clone(),
                    now.ifindex,
                )?;
                let sent =
                    match self.session.plan_settings(&iface, &settings).await {
                        Ok(plan) => self.session.execute_settings(&plan).await,
                        Err(e) => Err(e),
                    };
                match sent {
                    Ok(s) => out.settings = s,
                    Err(e) => {
                        result = Err(e);
                        break;
                    }
                }
            }
            if !out.any_refused() {
                records.remove(&now.ifindex);
            }
            outcomes.push(out);
        }
        // Records of what was restored go, even when a later one failed.
        state.store_all(&records)?;
        result.map(|()| outcomes)
    }
}

/// Takes on, for the plan's source, what it asks for that a record
/// already manages for another source (the state is already as asked, so
/// nothing is sent). Returns whether the records changed.
fn adopt(records: &mut Records, plan: &ChangePlan) -> bool {
    let mut changed = false;
    for t in &plan.targets {
        let Some(rec) = records.get_mut(&t.before.ifindex) else { continue };
        for b in plan.asked.named_bits(&t.before) {
            if rec.manages_bit(&t.before, b) {
                changed |= rec.manage_bit(&t.before, b, plan.source);
            }
        }
        let own = rec.source;
        for s in rec.settings.iter_mut().filter(|s| {
            s.managed
                && plan
                    .asked_settings
                    .items()
                    .iter()
                    .any(|a| a.group == s.group && a.key == s.key)
        }) {
            if s.owners.is_empty() {
                s.owners = Sources::only(own);
            }
            if !s.owners.contains(plan.source) {
                s.owners.insert(plan.source);
                changed = true;
            }
        }
    }
    changed
}

/// Lets the plan's source go of what its reconcile released; a record
/// left managing nothing goes. Returns whether the records changed.
fn release(records: &mut Records, plan: &ChangePlan) -> bool {
    let mut changed = false;
    let acting = plan.releasing | Sources::only(plan.source);
    for (ifindex, r) in &plan.released {
        let Some(rec) = records.get_mut(ifindex) else { continue };
        let own = rec.source;
        for name in &r.features {
            for src in acting.iter() {
                changed |= rec.release_feature(name, src);
            }
        }
        for s in rec.settings.iter_mut().filter(|s| {
            r.settings.iter().any(|(g, k)| *g == s.group && *k == s.key)
        }) {
            for src in acting.iter() {
                changed |= release_one(&mut s.managed, &mut s.owners, own, src);
            }
        }
        if !rec.manages_anything() {
            records.remove(ifindex);
            changed = true;
        }
    }
    changed
}

/// Records every value of the settings groups read for `sp` (the groups
/// asked for), marking the keys asked for managed.
fn record_settings_before(
    rec: &mut Record,
    sp: &SettingsPlan,
    asked: &SettingsRequest,
    source: Source,
) {
    for g in Group::ALL {
        let Some(values) = sp.before.group(g) else { continue };
        for (key, value) in &values.values {
            let mut rs = RecordedSetting::new(g, key.clone(), *value);
            rs.managed =
                asked.items().iter().any(|s| s.group == g && s.key == *key);
            if rs.managed {
                rs.owners = Sources::only(source);
            }
            rec.keep_earliest_setting(rs);
        }
    }
}

/// The feature bits a plan's run asked for or changed.
/// An interface name as one number that sorts and compares as the name
/// does: its bytes, first byte highest, zero-padded. Names the kernel
/// gives are at most 15 bytes and have no NUL; a longer one (an
/// alternative name) has no key and is never in a dump.
fn name_key(name: &str) -> Option<u128> {
    let mut b = [0u8; 16];
    b.get_mut(..name.len())?.copy_from_slice(name.as_bytes());
    Some(u128::from_be_bytes(b))
}

/// Whether bit `b` of `t` is one a reconcile restored: let go of, not
/// taken on.
fn let_go(plan: &ChangePlan, t: &InterfacePlan, b: u32) -> bool {
    plan.released.iter().find(|(i, _)| *i == t.before.ifindex).is_some_and(
        |(_, r)| t.before.name(b).is_some_and(|n| r.features.contains(n)),
    )
}

/// How many interfaces' feature requests [`Engine::send_batch`] hands the
/// pipeline at once: a multiple of its 16 a datagram, so the datagrams
/// are the same as for the whole batch.
const SEND_SLICE: usize = 16 * crate::netlink::pipeline::PIPELINE;

/// The feature bits a run touched on one interface: noting them
/// allocates nothing, and they read back in order, each once.
type Touched = FeatureBits;

fn touched(plan: &FeaturePlan, out: &InterfaceOutcome) -> Touched {
    Touched::of(
        plan.bits
            .iter()
            .map(|b| b.index)
            .chain(out.changes.iter().map(|c| c.index)),
    )
}

/// A plan that restores recorded states: what it asks for that is
/// already so is no request of the user's, so one that the restore turns
/// the other way (gso going off again with sg) is the side effect it was
/// when recorded, not a refusal.
fn restoring(mut plan: FeaturePlan) -> FeaturePlan {
    plan.kept.clear();
    plan
}

/// The interfaces of `failed`, by name.
fn failed_names(failed: &[RollbackFailure]) -> Vec<String> {
    failed.iter().map(|f| f.iface.clone()).collect()
}

/// `before`'s record — by ifindex, so a renamed device's record follows
/// it under its new name — made when there is none, and noted as changed
/// by this run.
fn entry<'a>(
    records: &'a mut Records,
    before: &Features,
    plan: &ChangePlan,
) -> &'a mut Record {
    let rec = records.entry(before.ifindex).or_insert_with(|| {
        let mut r = Record::new(&before.ifname, before.ifindex, &plan.by);
        r.source = plan.source;
        r
    });
    if rec.ifname != before.ifname {
        before.ifname.clone_into(&mut rec.ifname);
    }
    rec.touched_by(&plan.by);
    rec
}

/// The records to keep after a rollback: as before the run, except for
/// interfaces that could not be restored, whose new records stay so that
/// `revert` can finish the job.
fn restored_records(
    prior: &Records,
    records: &Records,
    plan: &ChangePlan,
    failed: &[String],
) -> Records {
    let mut out = prior.clone();
    for t in &plan.targets {
        if failed.contains(&t.before.ifname) {
            if let Some(r) = records.get(&t.before.ifindex) {
                out.insert(t.before.ifindex, r.clone());
            }
        }
    }
    out
}

impl<T: Transport> Engine<'_, T> {
    /// Plans a profile for `ifaces`: reads them, plans (fixed features
    /// become refusals; settings groups the driver lacks are skipped with a
    /// note), and applies the driver guard — all before anything is sent.
    /// Returns the plan and each interface's [`Device`] (see
    /// [`crate::blocking::Client::plan_profile`] for which fields are
    /// filled).
    pub(crate) async fn plan_profile(
        &mut self,
        profile: &Profile,
        ifaces: &[IfaceRef],
        force: bool,
    ) -> Result<(ChangePlan, Vec<Device>)> {
        let settings = settings_request(
            profile.settings.iter().map(|s| (s.group, s.key.as_str(), s.value)),
        );
        let plan = self
            .plan_change_with(
                &profile.name,
                ifaces,
                &profile.feature_request(),
                &settings,
                FixedPolicy::Refuse,
                MissingGroup::Skip,
            )
            .await
            .map_err(|e| locate(profile, e))?;
        let devices = guard(profile, &plan, force)?;
        Ok((plan, devices))
    }
}

/// The driver guard (unless `force`, or the profile names no driver) and
/// the devices the disruption notice needs, for a planned profile.
fn guard(
    profile: &Profile,
    plan: &ChangePlan,
    force: bool,
) -> Result<Vec<Device>> {
    let ids: Vec<(&str, u32)> = plan
        .targets
        .iter()
        .map(|t| (t.before.ifname.as_str(), t.before.ifindex))
        .collect();
    let guard = !force && !profile.drivers.is_empty();
    // The driver of every interface is needed for the guard only; the
    // disruption notice needs just the interfaces of drivers that reset
    // the link, found from those drivers' own sysfs directories — a few
    // lookups whatever the number of interfaces. The link kind of a
    // virtual device only says what it is when the guard refuses it.
    // The interfaces were just read from the calling thread's
    // namespace: their drivers are in the live system's sysfs.
    let live = HostRoot::live();
    let devices = if guard {
        host::drivers(live.path(), &ids)
    } else {
        host::drivers_among(live.path(), &ids, host::LINK_RESET_DRIVERS)
    };
    if guard {
        if let Some(d) =
            devices.iter().find(|d| !profile.is_for_driver(d.driver.as_deref()))
        {
            let mut d = d.clone();
            host::fill_kinds(std::slice::from_mut(&mut d));
            return Err(Error::WrongDriver {
                iface: d.ifname.clone(),
                profile: profile.name.clone(),
                wanted: profile.drivers.clone(),
                found: d.describe(),
            });
        }
    }
    Ok(devices)
}

/// A feature name or setting a profile uses that this kernel or device
/// does not know is the profile's problem: say where it is written.
fn locate(profile: &Profile, e: Error) -> Error {
    let line = match &e {
        Error::UnknownFeature { name, .. }
        | Error::AliasMatchesNothing { name, .. } => profile
            .features
            .iter()
            .find(|f| f.name == *name)
            .map(|f| (f.line, f.from.clone())),
        Error::UnknownSetting { group, key, .. }
        | Error::InvalidSetting { group, key, .. } => profile
            .settings
            .iter()
            .find(|s| s.group.as_str() == *group && s.key == *key)
            .map(|s| (s.line, s.from.clone())),
        _ => return e,
    };
    let (line, from) = match line {
        // Added in code (an ifupdown option), not written in the profile.
        Some((0, _)) => return e,
        Some((l, f)) => (Some(l), f),
        None => (None, None),
    };
    let name = from.unwrap_or_else(|| profile.name.clone());
    let source = if name == profile.name {
        profile.source.to_string()
    } else {
        format!("included by {}", profile.name)
    };
    Error::ProfileEntry {
        file: format!("profile {name} ({source})"),
        line,
        source: Box::new(e),
    }
}

/// The features in `target`'s plan whose change resets the link on
/// `device`'s driver.
pub fn link_resetting(target: &InterfacePlan, device: &Device) -> Vec<String> {
    let resets = device
        .driver
        .as_deref()
        .map(host::link_reset_features)
        .unwrap_or_default();
    target
        .plan
        .bits
        .iter()
        .filter(|b| resets.contains(&b.name.as_str()))
        .map(|b| b.name.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ethtool::features::{FeaturePlan, PlannedBit};

    fn target(bits: &[&str]) -> InterfacePlan {
        let before = Features::empty(2, "eno1");
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
            kept: Vec::new(),
        };
        InterfacePlan { before, plan, settings: None, notes: Vec::new() }
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
    fn touched_bits_are_each_once_in_order() {
        let mut t = target(&["a", "b", "c"]);
        for (b, i) in t.plan.bits.iter_mut().zip([130u32, 3, 64]) {
            b.index = i;
        }
        let mut out = InterfaceOutcome::unchanged(&t.plan);
        for i in [64u32, 2, 200, 3, 0] {
            out.changes.push(crate::ethtool::features::FeatureChange {
                feature: "x".into(),
                index: i,
                from: true,
                to: false,
                status: Status::SideEffect,
                reason: None,
            });
        }
        let bits: Vec<u32> = touched(&t.plan, &out).iter().collect();
        assert_eq!(bits, [0, 2, 3, 64, 130, 200]);
        assert!(touched(&t.plan, &out).contains(130));
        assert!(!touched(&t.plan, &out).contains(131));
        let none = target(&[]);
        assert!(touched(&none.plan, &InterfaceOutcome::unchanged(&none.plan))
            .iter()
            .next()
            .is_none());
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
