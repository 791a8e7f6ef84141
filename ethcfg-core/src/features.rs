//! Typed netdev features: the state of every kernel feature of an
//! interface ([`Features`]), a request to change some of them
//! ([`FeatureRequest`]), the plan made from a request before anything is
//! sent ([`FeaturePlan`]), and what actually happened ([`SetOutcome`]).
//!
//! Features are named by kernel name (`tx-tcp-segmentation`). Requests also
//! take ethtool's legacy names (`tso`, `rx-checksumming`), expanded against
//! the running kernel's feature table.

use std::fmt;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::names::{self, Resolved};
use crate::wire::bitset::Bitset;
use crate::wire::features::{FeaturesReply, SetReply};

/// A kernel feature name (`tx-tcp-segmentation`). Shared, so cheap to
/// clone: a thousand interfaces carry sixty thousand features, all named
/// from one table. Compares with `&str` and `String`, and derefs to `str`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FeatureName(Arc<str>);

impl FeatureName {
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for FeatureName {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl serde::Serialize for FeatureName {
    fn serialize<S: serde::Serializer>(
        &self,
        s: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl AsRef<str> for FeatureName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for FeatureName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FeatureName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for FeatureName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<&str> for FeatureName {
    fn from(s: &str) -> Self {
        FeatureName(Arc::from(s))
    }
}

impl From<String> for FeatureName {
    fn from(s: String) -> Self {
        FeatureName(Arc::from(s))
    }
}

impl PartialEq<str> for FeatureName {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for FeatureName {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for FeatureName {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<FeatureName> for str {
    fn eq(&self, other: &FeatureName) -> bool {
        self == &*other.0
    }
}

impl PartialEq<FeatureName> for &str {
    fn eq(&self, other: &FeatureName) -> bool {
        *self == &*other.0
    }
}

impl PartialEq<FeatureName> for String {
    fn eq(&self, other: &FeatureName) -> bool {
        **self == *other.0
    }
}

/// One kernel feature of one interface.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Feature {
    /// Kernel name, e.g. `tx-tcp-segmentation`.
    pub name: FeatureName,
    /// Bit index in this kernel's feature table (not stable across kernels).
    pub index: u32,
    /// In effect now.
    pub active: bool,
    /// What was last asked for (`dev->wanted_features`); differs from
    /// `active` when the kernel or driver overrides it.
    pub requested: bool,
    /// The device does not let it change.
    pub fixed: bool,
}

impl Feature {
    /// What `ethtool -k` appends to the state: `fixed` when the device does
    /// not let it change, `requested on|off` when the kernel or driver keeps
    /// it in the other state than asked for.
    pub fn note(&self) -> Option<&'static str> {
        if self.fixed {
            Some("fixed")
        } else if self.active != self.requested {
            Some(if self.requested { "requested on" } else { "requested off" })
        } else {
            None
        }
    }
}

/// Every named feature of one interface, in kernel bit order — what
/// `ethtool -k` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Features {
    /// Interface index.
    pub ifindex: u32,
    /// Interface name (the primary name, as the kernel reports it).
    pub ifname: String,
    /// The features, by bit index.
    pub features: Vec<Feature>,
}

impl Features {
    pub(crate) fn from_reply(
        r: &FeaturesReply,
        names: &[FeatureName],
    ) -> Features {
        let features = names
            .iter()
            .enumerate()
            .filter(|(_, n)| !n.is_empty())
            .filter_map(|(i, n)| {
                let i = u32::try_from(i).ok()?;
                Some(Feature {
                    name: n.clone(),
                    index: i,
                    active: r.active.get(i),
                    requested: r.wanted.get(i),
                    // NOCHANGE wins over HW (ethtool, nispor #134).
                    fixed: !r.hw.get(i) || r.nochange.get(i),
                })
            })
            .collect();
        Features {
            ifindex: r.dev.index.unwrap_or(0),
            ifname: r.dev.name.clone().unwrap_or_default(),
            features,
        }
    }

    /// The feature with this kernel name.
    pub fn get(&self, name: &str) -> Option<&Feature> {
        self.features.iter().find(|f| f.name == name)
    }

    /// The feature at this bit index.
    pub fn by_index(&self, index: u32) -> Option<&Feature> {
        // Features are in ascending index order.
        self.features
            .binary_search_by_key(&index, |f| f.index)
            .ok()
            .and_then(|p| self.features.get(p))
    }

    /// Iterates the features in bit order.
    pub fn iter(&self) -> impl Iterator<Item = &Feature> {
        self.features.iter()
    }
}

/// A set of wanted feature states, by kernel or legacy name. Later entries
/// win over earlier ones for the same kernel feature.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeatureRequest {
    items: Vec<(String, bool)>,
}

impl FeatureRequest {
    /// An empty request.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks for `name` (kernel or legacy name) to be `on`.
    pub fn set(mut self, name: impl Into<String>, on: bool) -> Self {
        self.items.push((name.into(), on));
        self
    }

    /// Asks for `name` on.
    pub fn enable(self, name: impl Into<String>) -> Self {
        self.set(name, true)
    }

    /// Asks for `name` off.
    pub fn disable(self, name: impl Into<String>) -> Self {
        self.set(name, false)
    }

    /// The (name, on) pairs in order.
    pub fn items(&self) -> &[(String, bool)] {
        &self.items
    }

    /// Whether nothing is asked for.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// One bit a plan will send.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlannedBit {
    /// Kernel name.
    pub name: FeatureName,
    /// Bit index.
    pub index: u32,
    /// Active state now.
    pub from: bool,
    /// State asked for.
    pub to: bool,
}

/// What a [`FeatureRequest`] means for one interface now: which bits will
/// be sent. Made from a fresh read before anything is sent; unknown names
/// and fixed features are rejected here.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FeaturePlan {
    /// Interface index.
    pub ifindex: u32,
    /// Interface name.
    pub ifname: String,
    /// The bits to send (their `requested` or `active` state differs).
    pub bits: Vec<PlannedBit>,
    /// Members of a legacy group that are fixed in the other state; they
    /// are not sent (ethtool sends them and the kernel drops them).
    pub skipped_fixed: Vec<String>,
    /// Features fixed in the other state than asked for, planned with
    /// [`FixedPolicy::Refuse`]: never sent, reported as refused.
    pub fixed: Vec<PlannedBit>,
}

/// What planning does with a feature the device has fixed in the other
/// state than asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FixedPolicy {
    /// An error ([`Error::FixedFeature`]) when the user named it (or every
    /// member of the legacy group they named is fixed); fixed members of a
    /// group that has changeable ones are skipped. What `ethcfg set` does.
    Error,
    /// Never an error: every such feature is kept out of the request and
    /// reported as refused. What applying a profile (a desired state) does.
    Refuse,
}

impl FeaturePlan {
    /// Whether there is nothing to send.
    pub fn is_empty(&self) -> bool {
        self.bits.is_empty()
    }

    /// The plan as changes, for dry runs: [`ChangeStatus::Planned`] for
    /// bits whose active state would change, [`ChangeStatus::Refused`] for
    /// fixed ones.
    pub fn planned_changes(&self) -> Vec<FeatureChange> {
        let mut out = self.refused_fixed();
        out.extend(self.bits.iter().filter(|b| b.from != b.to).map(|b| {
            FeatureChange {
                feature: b.name.clone(),
                index: b.index,
                from: b.from,
                to: b.to,
                status: ChangeStatus::Planned,
            }
        }));
        out
    }

    /// The fixed features as refused changes (they stay as they are).
    pub fn refused_fixed(&self) -> Vec<FeatureChange> {
        self.fixed
            .iter()
            .map(|b| FeatureChange {
                feature: b.name.clone(),
                index: b.index,
                from: b.from,
                to: b.to,
                status: ChangeStatus::Refused,
            })
            .collect()
    }

    /// The changes whose active state differs from what was asked —
    /// [`ChangeStatus::Drift`] — for `check`.
    pub fn drift(&self) -> Vec<FeatureChange> {
        self.fixed
            .iter()
            .chain(self.bits.iter())
            .filter(|b| b.from != b.to)
            .map(|b| FeatureChange {
                feature: b.name.clone(),
                index: b.index,
                from: b.from,
                to: b.to,
                status: ChangeStatus::Drift,
            })
            .collect()
    }
}

/// Plans `req` against `current`, with `names` the live feature table.
///
/// # Errors
/// [`Error::UnknownFeature`] (with suggestions) for a name the kernel does
/// not know; [`Error::AliasMatchesNothing`] for a legacy name with no
/// feature behind it on this kernel; [`Error::FixedFeature`] for a feature
/// the device does not let change, asked to be in the other state.
pub fn plan(
    current: &Features,
    names: &[String],
    req: &FeatureRequest,
) -> Result<FeaturePlan> {
    plan_with(current, names, req, FixedPolicy::Error)
}

/// A request resolved against the kernel's feature table: which bits each
/// word names. It is the same for every interface, so a run over many
/// interfaces resolves once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedRequest {
    items: Vec<(String, bool, Resolved)>,
}

/// Resolves every word of `req` against `names` (the live table).
///
/// # Errors
/// [`Error::UnknownFeature`] (with suggestions) and
/// [`Error::AliasMatchesNothing`], without an interface.
pub fn resolve_request(
    names: &[String],
    req: &FeatureRequest,
) -> Result<ResolvedRequest> {
    let mut items = Vec::with_capacity(req.items().len());
    for (word, on) in req.items() {
        match names::resolve(word, names) {
            None => {
                return Err(Error::UnknownFeature {
                    iface: None,
                    name: word.clone(),
                    suggestions: names::suggestions(word, names),
                })
            }
            Some(Resolved::Legacy(flag, bits)) if bits.is_empty() => {
                return Err(Error::AliasMatchesNothing {
                    iface: None,
                    name: word.clone(),
                    pattern: flag.pattern,
                })
            }
            Some(r) => items.push((word.clone(), *on, r)),
        }
    }
    Ok(ResolvedRequest { items })
}

/// [`plan`] with a choice of what fixed features mean.
///
/// # Errors
/// As [`plan`]; with [`FixedPolicy::Refuse`] never [`Error::FixedFeature`].
pub fn plan_with(
    current: &Features,
    names: &[String],
    req: &FeatureRequest,
    policy: FixedPolicy,
) -> Result<FeaturePlan> {
    let resolved = resolve_request(names, req)
        .map_err(|e| e.for_iface(&current.ifname))?;
    plan_resolved(current, &resolved, policy)
}

/// [`plan_with`] for a request resolved once ([`resolve_request`]).
///
/// # Errors
/// [`Error::FixedFeature`] with [`FixedPolicy::Error`].
pub fn plan_resolved(
    current: &Features,
    req: &ResolvedRequest,
    policy: FixedPolicy,
) -> Result<FeaturePlan> {
    let mut fixed_bits: Vec<(u32, bool)> = Vec::new();
    // index -> wanted state, in first-mention order; later mentions win.
    let mut wanted: Vec<(u32, bool)> = Vec::new();
    let mut put =
        |i: u32, on: bool| match wanted.iter_mut().find(|(j, _)| *j == i) {
            Some(slot) => slot.1 = on,
            None => wanted.push((i, on)),
        };
    let mut skipped_fixed = Vec::new();
    for (word, on, resolved) in &req.items {
        let on = *on;
        match resolved {
            Resolved::Kernel(i) => {
                let i = *i;
                let f = current.by_index(i).ok_or_else(|| {
                    Error::UnknownFeature {
                        iface: Some(current.ifname.clone()),
                        name: word.clone(),
                        suggestions: Vec::new(),
                    }
                })?;
                if f.fixed && f.active != on {
                    if policy == FixedPolicy::Error {
                        return Err(fixed(current, f));
                    }
                    fixed_bits.push((i, on));
                }
                if !f.fixed {
                    put(i, on);
                }
            }
            Resolved::Legacy(_, bits) => {
                // Iterated, not collected: this runs for every interface.
                let members =
                    || bits.iter().filter_map(|&i| current.by_index(i));
                let conflicting = |f: &&Feature| f.fixed && f.active != on;
                if policy == FixedPolicy::Refuse {
                    fixed_bits.extend(
                        members().filter(conflicting).map(|f| (f.index, on)),
                    );
                } else {
                    if members().all(|f| f.fixed) {
                        if let Some(f) = members().find(conflicting) {
                            return Err(fixed(current, f));
                        }
                    }
                    skipped_fixed.extend(
                        members()
                            .filter(conflicting)
                            .map(|f| f.name.to_string()),
                    );
                }
                for f in members().filter(|f| !f.fixed) {
                    put(f.index, on);
                }
            }
        }
    }
    let bits = wanted
        .into_iter()
        .filter_map(|(i, on)| current.by_index(i).map(|f| (f, on)))
        .filter(|(f, on)| f.active != *on || f.requested != *on)
        .map(|(f, on)| PlannedBit {
            name: f.name.clone(),
            index: f.index,
            from: f.active,
            to: on,
        })
        .collect();
    skipped_fixed.sort();
    skipped_fixed.dedup();
    // A later request for the same fixed bit wins, as for changeable bits.
    let mut fixed = Vec::<PlannedBit>::new();
    for (i, on) in fixed_bits {
        let Some(f) = current.by_index(i) else { continue };
        fixed.retain(|b| b.index != i);
        if f.active != on {
            fixed.push(PlannedBit {
                name: f.name.clone(),
                index: i,
                from: f.active,
                to: on,
            });
        }
    }
    fixed.sort_by_key(|b| b.index);
    Ok(FeaturePlan {
        ifindex: current.ifindex,
        ifname: current.ifname.clone(),
        bits,
        skipped_fixed,
        fixed,
    })
}

fn fixed(current: &Features, f: &Feature) -> Error {
    Error::FixedFeature {
        iface: current.ifname.clone(),
        name: f.name.to_string(),
        active: f.active,
    }
}

/// How one feature came out of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChangeStatus {
    /// Requested, and now in effect.
    Applied,
    /// Requested, and not in effect: the kernel or driver kept it in the
    /// `from` state.
    Refused,
    /// Not requested, but changed along with the request (a dependency:
    /// `sg off` takes TSO and GSO with it).
    SideEffect,
    /// Would change (dry run; nothing was sent).
    Planned,
    /// Differs from what a profile wants (`check`).
    Drift,
}

impl ChangeStatus {
    /// The name used in JSON output: `applied`, `refused`, `side-effect`,
    /// `planned`, `drift`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeStatus::Applied => "applied",
            ChangeStatus::Refused => "refused",
            ChangeStatus::SideEffect => "side-effect",
            ChangeStatus::Planned => "planned",
            ChangeStatus::Drift => "drift",
        }
    }
}

impl fmt::Display for ChangeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One feature's change.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FeatureChange {
    /// Kernel name.
    pub feature: FeatureName,
    /// Its bit index in this kernel's feature table.
    pub index: u32,
    /// Active state before (for `Refused`: the state it stayed in).
    pub from: bool,
    /// Active state after (for `Refused`/`Planned`/`Drift`: the state asked for).
    pub to: bool,
    /// What happened.
    pub status: ChangeStatus,
}

/// What a `FEATURES_SET` did to one interface, decoded from the kernel's
/// reply: every requested bit that took effect (`Applied`) or did not
/// (`Refused`), and every other bit that changed (`SideEffect`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SetOutcome {
    /// Interface index.
    pub ifindex: u32,
    /// Interface name.
    pub ifname: String,
    /// The changes, requested ones first, in bit order.
    pub changes: Vec<FeatureChange>,
    /// Legacy-group members left alone because they are fixed.
    pub skipped_fixed: Vec<String>,
    /// Extended-ACK warnings the kernel sent with its success.
    pub warnings: Vec<String>,
    /// What happened to the other ethtool settings asked for (rings,
    /// channels, coalesce, pause, EEE, private flags).
    pub settings: Vec<crate::settings::SettingChange>,
    /// Things to tell: settings a profile names that the driver does not
    /// have, skipped.
    pub notes: Vec<String>,
}

impl SetOutcome {
    /// The outcome of a plan with nothing to send: only fixed refusals.
    pub fn unchanged(plan: &FeaturePlan) -> SetOutcome {
        SetOutcome {
            ifindex: plan.ifindex,
            ifname: plan.ifname.clone(),
            changes: plan.refused_fixed(),
            skipped_fixed: plan.skipped_fixed.clone(),
            warnings: Vec::new(),
            settings: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub(crate) fn from_reply(
        plan: &FeaturePlan,
        reply: &SetReply,
        names: &[FeatureName],
    ) -> SetOutcome {
        let mut changes = plan.refused_fixed();
        let requested = |i: u32| plan.bits.iter().any(|b| b.index == i);
        let refused: Vec<u32> = reply.wanted_diff.mask_bits().collect();
        let mut requested_bits: Vec<&PlannedBit> = plan.bits.iter().collect();
        requested_bits.sort_by_key(|b| b.index);
        for b in requested_bits {
            if refused.contains(&b.index) {
                changes.push(FeatureChange {
                    feature: b.name.clone(),
                    index: b.index,
                    from: !b.to,
                    to: b.to,
                    status: ChangeStatus::Refused,
                });
            } else if changed(&reply.active_diff, b.index) {
                let now = reply.active_diff.get(b.index);
                changes.push(FeatureChange {
                    feature: b.name.clone(),
                    index: b.index,
                    from: !now,
                    to: now,
                    status: ChangeStatus::Applied,
                });
            }
        }
        for i in reply.active_diff.mask_bits().filter(|&i| !requested(i)) {
            let now = reply.active_diff.get(i);
            let name = names
                .get(i as usize)
                .filter(|n| !n.is_empty())
                .cloned()
                .unwrap_or_else(|| FeatureName::from(format!("bit-{i}")));
            changes.push(FeatureChange {
                feature: name,
                index: i,
                from: !now,
                to: now,
                status: ChangeStatus::SideEffect,
            });
        }
        SetOutcome {
            ifindex: plan.ifindex,
            ifname: plan.ifname.clone(),
            changes,
            skipped_fixed: plan.skipped_fixed.clone(),
            warnings: Vec::new(),
            settings: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Whether any feature's active state changed.
    pub fn changed(&self) -> bool {
        use crate::settings::SettingStatus as S;
        self.changes.iter().any(|c| {
            matches!(c.status, ChangeStatus::Applied | ChangeStatus::SideEffect)
        }) || self.settings.iter().any(|c| {
            matches!(c.status, S::Applied | S::Adjusted | S::SideEffect)
        })
    }

    /// Whether any requested change was refused.
    pub fn any_refused(&self) -> bool {
        self.changes.iter().any(|c| c.status == ChangeStatus::Refused)
            || self
                .settings
                .iter()
                .any(|c| c.status == crate::settings::SettingStatus::Refused)
    }
}

fn changed(diff: &Bitset, i: u32) -> bool {
    diff.mask.is_some() && diff.in_mask(i)
}
