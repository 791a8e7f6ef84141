//! Typed netdev features: the state of every kernel feature of an
//! interface ([`Features`]), a request to change some of them
//! ([`FeatureRequest`]), the plan made from a request before anything is
//! sent ([`FeaturePlan`]), and what actually happened ([`InterfaceOutcome`]).
//!
//! Features are named by kernel name (`tx-tcp-segmentation`). Requests also
//! take ethtool's legacy names (`tso`, `rx-checksumming`), expanded against
//! the running kernel's feature table.

use std::fmt;
use std::sync::Arc;

use smallvec::SmallVec;

use crate::error::{Error, Result};
use crate::ethtool::names::{self, Resolved};
pub use crate::ethtool::status::Status;
use crate::netlink::wire::bitset::Bitset;
use crate::netlink::wire::features::{FeaturesReply, SetReply};

/// A kernel feature name (`tx-tcp-segmentation`). Shared, so cheap to
/// clone: a thousand interfaces carry sixty thousand features, all named
/// from one table. Compares with `&str` and `String`, and derefs to `str`.
///
/// One pointer wide (an `Arc<String>`, not the two words of an
/// `Arc<str>`): plans and outcomes hold one per feature, and a run over a
/// thousand interfaces holds tens of thousands.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FeatureName(Arc<String>);

impl FeatureName {
    /// The name.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl std::ops::Deref for FeatureName {
    type Target = str;
    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl serde::Serialize for FeatureName {
    fn serialize<S: serde::Serializer>(
        &self,
        s: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.0.as_str())
    }
}

impl AsRef<str> for FeatureName {
    fn as_ref(&self) -> &str {
        self.0.as_str()
    }
}

impl std::borrow::Borrow<str> for FeatureName {
    fn borrow(&self) -> &str {
        self.0.as_str()
    }
}

// `pad`, not `write_str`: names are printed in columns (`{:<30}`), and
// width, fill and alignment must apply as they do to a `str`.
impl fmt::Display for FeatureName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.0.as_str())
    }
}

impl fmt::Debug for FeatureName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0.as_str(), f)
    }
}

impl From<&str> for FeatureName {
    fn from(s: &str) -> Self {
        FeatureName(Arc::new(s.into()))
    }
}

impl From<String> for FeatureName {
    fn from(s: String) -> Self {
        FeatureName(Arc::new(s))
    }
}

impl PartialEq<str> for FeatureName {
    fn eq(&self, other: &str) -> bool {
        self.0.as_str() == other
    }
}

impl PartialEq<&str> for FeatureName {
    fn eq(&self, other: &&str) -> bool {
        self.0.as_str() == *other
    }
}

impl PartialEq<String> for FeatureName {
    fn eq(&self, other: &String) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<FeatureName> for str {
    fn eq(&self, other: &FeatureName) -> bool {
        self == other.0.as_str()
    }
}

impl PartialEq<FeatureName> for &str {
    fn eq(&self, other: &FeatureName) -> bool {
        *self == other.0.as_str()
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
///
/// Held compactly — three bitmaps and the run's shared name table — since
/// a run over a thousand interfaces holds a thousand of these: a
/// [`Feature`] is made when one is asked for.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Features {
    /// Interface index.
    pub ifindex: u32,
    /// Interface name (the primary name, as the kernel reports it).
    pub ifname: String,
    /// The kernel's feature names, by bit index (shared by every interface
    /// read in one session; empty names are unused bits).
    table: Arc<Vec<FeatureName>>,
    /// `active`, `requested` and `fixed`, `words` 64-bit words each.
    bits: Box<[u64]>,
    words: usize,
}

/// A set of feature bit indexes as a bitmap, inline up to 128 bits (a
/// kernel has a few hundred features at most, netdev features 64), so
/// making one allocates nothing; read back in order, each once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct FeatureBits(SmallVec<[u64; 2]>);

impl FeatureBits {
    pub(crate) fn of(bits: impl IntoIterator<Item = u32>) -> FeatureBits {
        let mut t = FeatureBits::default();
        for i in bits {
            let w = (i / 64) as usize;
            if t.0.len() <= w {
                t.0.resize(w + 1, 0);
            }
            if let Some(word) = t.0.get_mut(w) {
                *word |= 1 << (i % 64);
            }
        }
        t
    }

    pub(crate) fn contains(&self, i: u32) -> bool {
        word_bit(&self.0, i as usize)
    }

    /// Bits `64 w ..` as a word (zero beyond the set).
    pub(crate) fn word(&self, w: usize) -> u64 {
        self.0.get(w).copied().unwrap_or(0)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.0.iter().zip(0u32..).flat_map(|(&w, k)| {
            let mut w = w;
            std::iter::from_fn(move || {
                (w != 0).then(|| {
                    let b = w.trailing_zeros();
                    w &= w - 1;
                    k * 64 + b
                })
            })
        })
    }
}

/// Bit `i` of a bitmap of 64-bit words.
fn word_bit(words: &[u64], i: usize) -> bool {
    words.get(i / 64).is_some_and(|w| (w >> (i % 64)) & 1 == 1)
}

/// Which bits of `table` have a name, 64 to a word.
pub(crate) fn named_words(table: &[FeatureName]) -> SmallVec<[u64; 2]> {
    table
        .chunks(64)
        .map(|names| {
            names.iter().enumerate().fold(0u64, |m, (j, name)| {
                if name.is_empty() {
                    m
                } else {
                    m | 1 << j
                }
            })
        })
        .collect()
}

impl Features {
    /// Taken by value: the reply's interface name moves in, not copied.
    pub(crate) fn from_reply(
        r: FeaturesReply,
        table: &Arc<Vec<FeatureName>>,
    ) -> Features {
        Self::from_reply_named(r, table, &named_words(table))
    }

    /// [`Features::from_reply`] with `table`'s [`named_words`] worked out
    /// once by the caller: a dump decodes a thousand replies against one
    /// table.
    pub(crate) fn from_reply_named(
        r: FeaturesReply,
        table: &Arc<Vec<FeatureName>>,
        named: &[u64],
    ) -> Features {
        let n = table.len();
        let words = n.div_ceil(64).max(1);
        let mut bits = vec![0u64; 3 * words].into_boxed_slice();
        // A word at a time: this runs for every interface of a dump, and
        // bit by bit it was most of decoding one (4,400 instructions).
        for w in 0..words {
            let named = named.get(w).copied().unwrap_or(0);
            // NOCHANGE wins over HW (ethtool, nispor #134); a bit beyond
            // what the kernel sent is off, so beyond HW it is fixed.
            let states = [
                r.active.word64(w),
                r.wanted.word64(w),
                !r.hw.word64(w) | r.nochange.word64(w),
            ];
            for (k, state) in states.into_iter().enumerate() {
                if let Some(slot) = bits.get_mut(k * words + w) {
                    *slot = state & named;
                }
            }
        }
        Features {
            ifindex: r.dev.index.unwrap_or(0),
            ifname: r.dev.name.unwrap_or_default(),
            table: Arc::clone(table),
            bits,
            words,
        }
    }

    /// `eth0` (index 7) over `table`: `bits` are the `active`,
    /// `requested` and `fixed` bitmaps one after the other, as many words
    /// each (tests).
    #[cfg(test)]
    pub(crate) fn of_bitmaps(
        table: &Arc<Vec<FeatureName>>,
        bits: Vec<u64>,
    ) -> Features {
        Features {
            ifindex: 7,
            ifname: "eth0".to_owned(),
            table: Arc::clone(table),
            words: bits.len() / 3,
            bits: bits.into_boxed_slice(),
        }
    }

    /// No features (tests).
    #[cfg(test)]
    pub(crate) fn empty(ifindex: u32, ifname: &str) -> Features {
        Features {
            ifindex,
            ifname: ifname.to_owned(),
            table: Arc::new(Vec::new()),
            bits: vec![0; 3].into_boxed_slice(),
            words: 1,
        }
    }

    fn set(&self, k: usize) -> &[u64] {
        self.bits.get(k * self.words..(k + 1) * self.words).unwrap_or_default()
    }

    /// The `active`, `requested` and `fixed` bitmaps, 64 bits a word.
    pub(crate) fn state_words(&self) -> [&[u64]; 3] {
        [self.set(0), self.set(1), self.set(2)]
    }

    /// The kernel's names by bit, shared by every read of one session.
    pub(crate) fn table(&self) -> &Arc<Vec<FeatureName>> {
        &self.table
    }

    /// The name of bit `i`, if the kernel names it.
    pub(crate) fn name(&self, i: u32) -> Option<&FeatureName> {
        self.table.get(i as usize).filter(|n| !n.is_empty())
    }

    /// Whether bit `i` is in effect.
    pub(crate) fn is_active(&self, i: u32) -> bool {
        word_bit(self.set(0), i as usize)
    }

    /// Whether bit `i` was last asked for.
    pub(crate) fn is_requested(&self, i: u32) -> bool {
        word_bit(self.set(1), i as usize)
    }

    /// Whether the device keeps bit `i` as it is.
    pub(crate) fn is_fixed(&self, i: u32) -> bool {
        word_bit(self.set(2), i as usize)
    }

    /// The feature with this kernel name.
    pub fn get(&self, name: &str) -> Option<Feature> {
        let i = self.table.iter().position(|n| !n.is_empty() && *n == name)?;
        self.by_index(u32::try_from(i).ok()?)
    }

    /// The feature at this bit index.
    pub fn by_index(&self, index: u32) -> Option<Feature> {
        Some(Feature {
            name: self.name(index)?.clone(),
            index,
            active: self.is_active(index),
            requested: self.is_requested(index),
            fixed: self.is_fixed(index),
        })
    }

    /// Iterates the features in bit order.
    pub fn iter(&self) -> impl Iterator<Item = Feature> + '_ {
        (0..self.table.len())
            .filter_map(|i| u32::try_from(i).ok())
            .filter_map(|i| self.by_index(i))
    }

    /// How many named features there are.
    pub fn len(&self) -> usize {
        self.table.iter().filter(|n| !n.is_empty()).count()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for Features {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Features")
            .field("ifindex", &self.ifindex)
            .field("ifname", &self.ifname)
            .field("features", &self.iter().collect::<Vec<_>>())
            .finish()
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
    /// Features asked for that are already so: not sent, but still asked
    /// for, so one the kernel turns the other way along with the request
    /// (`sg off tso on` takes TSO off) is reported refused, not a side
    /// effect.
    pub kept: Vec<PlannedBit>,
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

    /// The plan as changes, for dry runs: [`Status::Planned`] for
    /// bits whose active state would change, [`Status::Refused`] for
    /// fixed ones.
    pub fn planned_changes(&self) -> Vec<FeatureChange> {
        let mut out = Vec::with_capacity(self.fixed.len() + self.bits.len());
        out.extend(self.refused_fixed_iter());
        out.extend(self.bits.iter().filter(|b| b.from != b.to).map(|b| {
            FeatureChange {
                feature: b.name.clone(),
                index: b.index,
                from: b.from,
                to: b.to,
                status: Status::Planned,
                reason: None,
            }
        }));
        out
    }

    /// The fixed features as refused changes (they stay as they are).
    pub fn refused_fixed(&self) -> Vec<FeatureChange> {
        self.refused_fixed_iter().collect()
    }

    /// [`FeaturePlan::refused_fixed`] without a list of its own, for
    /// callers that put them in theirs.
    fn refused_fixed_iter(
        &self,
    ) -> impl ExactSizeIterator<Item = FeatureChange> + '_ {
        self.fixed.iter().map(|b| FeatureChange {
            feature: b.name.clone(),
            index: b.index,
            from: b.from,
            to: b.to,
            status: Status::Refused,
            reason: None,
        })
    }

    /// The changes whose active state differs from what was asked —
    /// [`Status::Drift`] — for `check`.
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
                status: Status::Drift,
                reason: None,
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
pub(crate) struct ResolvedRequest {
    items: Vec<(String, bool, Resolved)>,
    /// Every bit the words name, in order and once: listed when the
    /// request is resolved, so that per interface [`Self::named_bits`] only
    /// filters it.
    bits: Vec<u32>,
    /// Every bit the words name, in first-mention order, with the state
    /// the last mention asks for and which states were asked for at all:
    /// what planning with [`FixedPolicy::Refuse`] needs of the request,
    /// worked out once instead of once per interface.
    wanted: Vec<WantedBit>,
}

/// One bit of a [`ResolvedRequest`], as every mention of it adds up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct WantedBit {
    index: u32,
    /// The state the last mention asks for.
    on: bool,
    /// Whether some mention asks for it on.
    asked_on: bool,
    /// Whether some mention asks for it off.
    asked_off: bool,
}

impl ResolvedRequest {
    /// The changeable bits of `current` this request names, whether or not
    /// they would change: what a run manages on the interface, for the
    /// records.
    /// Every bit the request names, whatever the interface (a superset
    /// of any interface's [`Self::named_bits`]).
    pub(crate) fn bits(&self) -> &[u32] {
        &self.bits
    }

    pub(crate) fn named_bits(&self, current: &Features) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.bits.len());
        out.extend(
            self.bits
                .iter()
                .copied()
                .filter(|&i| current.name(i).is_some() && !current.is_fixed(i)),
        );
        out
    }
}

/// Resolves every word of `req` against `names` (the live table).
///
/// # Errors
/// [`Error::UnknownFeature`] (with suggestions) and
/// [`Error::AliasMatchesNothing`], without an interface.
pub(crate) fn resolve_request(
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
    let mut bits: Vec<u32> = Vec::new();
    for (_, _, r) in &items {
        match r {
            Resolved::Kernel(i) => bits.push(*i),
            Resolved::Legacy(_, b) => bits.extend(b),
        }
    }
    bits.sort_unstable();
    bits.dedup();
    let mut wanted: Vec<WantedBit> = Vec::with_capacity(bits.len());
    for (_, on, r) in &items {
        let on = *on;
        let named: &[u32] = match r {
            Resolved::Kernel(i) => std::slice::from_ref(i),
            Resolved::Legacy(_, b) => b,
        };
        for &index in named {
            match wanted.iter_mut().find(|w| w.index == index) {
                Some(w) => {
                    w.on = on;
                    w.asked_on |= on;
                    w.asked_off |= !on;
                }
                None => wanted.push(WantedBit {
                    index,
                    on,
                    asked_on: on,
                    asked_off: !on,
                }),
            }
        }
    }
    Ok(ResolvedRequest { items, bits, wanted })
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
pub(crate) fn plan_resolved(
    current: &Features,
    req: &ResolvedRequest,
    policy: FixedPolicy,
) -> Result<FeaturePlan> {
    match policy {
        FixedPolicy::Refuse => plan_refusing(current, req),
        FixedPolicy::Error => plan_each_word(current, req, policy),
    }
}

/// [`plan_resolved`] with [`FixedPolicy::Refuse`] (a profile, planned for
/// every interface of a run) from the request's bits as resolved once:
/// what [`plan_each_word`] works out word by word comes to this.
///
/// - A changeable bit is wanted in the state its last mention asks for,
///   in first-mention order; it is sent when its active or requested state
///   differs, else kept.
/// - A fixed bit is refused when some mention asks for the state it is
///   not in (and then that is what the refusal asks for); it is not sent.
/// - A kernel name the interface's table does not name is an error.
fn plan_refusing(
    current: &Features,
    req: &ResolvedRequest,
) -> Result<FeaturePlan> {
    let named = |i: u32| current.name(i).is_some();
    if let Some((word, _, _)) = req
        .items
        .iter()
        .find(|(_, _, r)| matches!(r, Resolved::Kernel(i) if !named(*i)))
    {
        return Err(Error::UnknownFeature {
            iface: Some(current.ifname.clone()),
            name: word.clone(),
            suggestions: Vec::new(),
        });
    }
    let differs = |w: &WantedBit| {
        current.is_active(w.index) != w.on
            || current.is_requested(w.index) != w.on
    };
    let (mut sending, mut keeping, mut refusing) = (0, 0, 0);
    for w in req.wanted.iter().filter(|w| named(w.index)) {
        if !current.is_fixed(w.index) {
            if differs(w) {
                sending += 1;
            } else {
                keeping += 1;
            }
        } else if refused(current, w) {
            refusing += 1;
        }
    }
    // Sized first: a thousand plans stay in memory until the run ends.
    let mut bits: Vec<PlannedBit> = Vec::with_capacity(sending);
    let mut kept: Vec<PlannedBit> = Vec::with_capacity(keeping);
    let mut fixed: Vec<PlannedBit> = Vec::with_capacity(refusing);
    for w in &req.wanted {
        let Some(name) = current.name(w.index) else { continue };
        let from = current.is_active(w.index);
        if current.is_fixed(w.index) {
            if refused(current, w) {
                fixed.push(PlannedBit {
                    name: name.clone(),
                    index: w.index,
                    from,
                    to: !from,
                });
            }
            continue;
        }
        let b =
            PlannedBit { name: name.clone(), index: w.index, from, to: w.on };
        if differs(w) {
            bits.push(b);
        } else {
            kept.push(b);
        }
    }
    fixed.sort_by_key(|b| b.index);
    Ok(FeaturePlan {
        ifindex: current.ifindex,
        ifname: current.ifname.clone(),
        bits,
        skipped_fixed: Vec::new(),
        fixed,
        kept,
    })
}

/// Whether a fixed bit is asked for in the state it is not in.
fn refused(current: &Features, w: &WantedBit) -> bool {
    if current.is_active(w.index) {
        w.asked_off
    } else {
        w.asked_on
    }
}

/// [`plan_resolved`] word by word, for either policy.
fn plan_each_word(
    current: &Features,
    req: &ResolvedRequest,
    policy: FixedPolicy,
) -> Result<FeaturePlan> {
    // Bit tests on the compact state: this runs once per interface.
    let named = |i: u32| current.name(i).is_some();
    let conflicting =
        |i: u32, on: bool| current.is_fixed(i) && current.is_active(i) != on;
    // On the stack: this runs once per interface, and a request names a
    // few dozen bits at most (more spill to the heap).
    let mut fixed_bits: SmallVec<[(u32, bool); 8]> = SmallVec::new();
    // index -> wanted state, in first-mention order; later mentions win.
    let mut wanted: SmallVec<[(u32, bool); 64]> = SmallVec::new();
    // Which bits `wanted` holds, so a first mention (nearly all of them)
    // is a push and not a search.
    let mut seen = [0u64; 4];
    let mut put = |i: u32, on: bool| {
        let (w, m) = ((i / 64) as usize, 1u64 << (i % 64));
        let first = seen.get_mut(w).map(|s| {
            let first = *s & m == 0;
            *s |= m;
            first
        });
        if first == Some(true) {
            wanted.push((i, on));
        } else {
            match wanted.iter_mut().find(|(j, _)| *j == i) {
                Some(slot) => slot.1 = on,
                None => wanted.push((i, on)),
            }
        }
    };
    let mut skipped_fixed = Vec::new();
    for (word, on, resolved) in &req.items {
        let on = *on;
        match resolved {
            Resolved::Kernel(i) => {
                let i = *i;
                if !named(i) {
                    return Err(Error::UnknownFeature {
                        iface: Some(current.ifname.clone()),
                        name: word.clone(),
                        suggestions: Vec::new(),
                    });
                }
                if conflicting(i, on) {
                    if policy == FixedPolicy::Error {
                        return Err(fixed(current, i));
                    }
                    fixed_bits.push((i, on));
                }
                if !current.is_fixed(i) {
                    put(i, on);
                }
            }
            Resolved::Legacy(_, bits) => {
                let members = || bits.iter().copied().filter(|&i| named(i));
                if policy == FixedPolicy::Refuse {
                    fixed_bits.extend(
                        members()
                            .filter(|&i| conflicting(i, on))
                            .map(|i| (i, on)),
                    );
                } else {
                    if members().all(|i| current.is_fixed(i)) {
                        if let Some(i) = members().find(|&i| conflicting(i, on))
                        {
                            return Err(fixed(current, i));
                        }
                    }
                    skipped_fixed.extend(
                        members()
                            .filter(|&i| conflicting(i, on))
                            .filter_map(|i| current.name(i))
                            .map(ToString::to_string),
                    );
                }
                for i in members().filter(|&i| !current.is_fixed(i)) {
                    put(i, on);
                }
            }
        }
    }
    let planned = |(i, on): (u32, bool)| {
        Some(PlannedBit {
            name: current.name(i)?.clone(),
            index: i,
            from: current.is_active(i),
            to: on,
        })
    };
    let differs = |&(i, on): &(u32, bool)| {
        current.is_active(i) != on || current.is_requested(i) != on
    };
    // Sized first: a thousand plans stay in memory until the run ends, and
    // growing them leaves each at twice its size on fresh pages.
    let sending = wanted.iter().filter(|w| differs(w)).count();
    let mut bits: Vec<PlannedBit> = Vec::with_capacity(sending);
    let mut kept: Vec<PlannedBit> = Vec::with_capacity(wanted.len() - sending);
    for w in wanted {
        if differs(&w) {
            bits.extend(planned(w));
        } else {
            kept.extend(planned(w));
        }
    }
    skipped_fixed.sort();
    skipped_fixed.dedup();
    // A later request for the same fixed bit wins, as for changeable bits.
    let mut fixed = Vec::<PlannedBit>::new();
    for (i, on) in fixed_bits {
        let Some(name) = current.name(i) else { continue };
        fixed.retain(|b| b.index != i);
        if current.is_active(i) != on {
            fixed.push(PlannedBit {
                name: name.clone(),
                index: i,
                from: current.is_active(i),
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
        kept,
    })
}

fn fixed(current: &Features, i: u32) -> Error {
    Error::FixedFeature {
        iface: current.ifname.clone(),
        name: current.name(i).map(ToString::to_string).unwrap_or_default(),
        active: current.is_active(i),
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
    pub status: Status,
    /// Why, when it was refused and ethcfg can tell (`depends on
    /// tx-scatter-gather, which this request turns off`). A boxed `str`:
    /// a run over a thousand interfaces holds fourteen thousand changes,
    /// nearly all without a reason, and this keeps each at 32 bytes.
    pub reason: Option<Box<str>>,
}

/// The kernel's feature dependencies (`netdev_fix_features` in
/// net/core/dev.c) that a request can break: a feature that is kept off
/// while one of these is off.
const DEPENDS_ON: &[(&str, &[&str])] = &[
    ("tx-tcp-segmentation", &["tx-scatter-gather"]),
    ("tx-tcp6-segmentation", &["tx-scatter-gather"]),
    ("tx-tcp-ecn-segmentation", &["tx-scatter-gather", "tx-tcp-segmentation"]),
    (
        "tx-tcp-mangleid-segmentation",
        &["tx-scatter-gather", "tx-tcp-segmentation"],
    ),
    ("tx-tcp-accecn-segmentation", &["tx-scatter-gather"]),
    ("rx-gro-hw", &["rx-checksum"]),
    ("tls-hw-rx-offload", &["rx-checksum"]),
];

/// What keeps a feature on in the kernel's `netdev_fix_features`
/// (net/core/dev.c): whatever was asked, the feature is turned off unless
/// every feature of one of its alternatives is on. A request that turns
/// those off turns it off too, a side effect. [`FixRules`] predicts them
/// so that apply records them before the change (one records write, not
/// two); what a driver's own `ndo_fix_features` does, or a kernel without
/// a rule (USO needs checksumming only since 6.11), shows after the change
/// and is recorded then.
const KEPT_ON_BY: &[(&str, &[&[&str]])] = &[
    (
        "tx-tcp-segmentation",
        &[
            &["tx-scatter-gather", "tx-checksum-ip-generic"],
            &["tx-scatter-gather", "tx-checksum-ipv4"],
        ],
    ),
    (
        "tx-tcp6-segmentation",
        &[
            &["tx-scatter-gather", "tx-checksum-ip-generic"],
            &["tx-scatter-gather", "tx-checksum-ipv6"],
        ],
    ),
    (
        "tx-tcp-mangleid-segmentation",
        &[&["tx-scatter-gather", "tx-tcp-segmentation"]],
    ),
    (
        "tx-tcp-ecn-segmentation",
        &[
            &["tx-scatter-gather", "tx-tcp-segmentation"],
            &["tx-scatter-gather", "tx-tcp6-segmentation"],
            &["tx-scatter-gather", "tx-tcp-mangleid-segmentation"],
        ],
    ),
    ("tx-tcp-accecn-segmentation", &[&["tx-scatter-gather"]]),
    (
        "tx-udp-segmentation",
        &[
            &["tx-checksum-ip-generic"],
            &["tx-checksum-ipv4", "tx-checksum-ipv6"],
        ],
    ),
    (
        "tls-hw-tx-offload",
        &[
            &["tx-checksum-ip-generic"],
            &["tx-checksum-ipv4", "tx-checksum-ipv6"],
        ],
    ),
    ("rx-gro-hw", &[&["rx-checksum"]]),
    ("tls-hw-rx-offload", &[&["rx-checksum"]]),
];

/// [`KEPT_ON_BY`] as bit masks of one kernel's feature table (netdev
/// features are the bits below 64).
#[derive(Debug)]
pub(crate) struct FixRules {
    table: Arc<Vec<FeatureName>>,
    /// Each feature's bit, and the masks of its alternatives.
    rules: Vec<(u32, SmallVec<[u64; 3]>)>,
}

impl FixRules {
    /// The rules over `table`: names it does not have are off, so an
    /// alternative needing one never holds.
    pub(crate) fn new(table: &Arc<Vec<FeatureName>>) -> FixRules {
        let bit = |name: &str| {
            table
                .iter()
                .position(|n| n.as_str() == name)
                .and_then(|i| u32::try_from(i).ok())
                .filter(|&i| i < 64)
        };
        let rules = KEPT_ON_BY
            .iter()
            .filter_map(|(feature, alternatives)| {
                let masks = alternatives
                    .iter()
                    .filter_map(|all| {
                        all.iter().try_fold(0u64, |m, n| Some(m | 1 << bit(n)?))
                    })
                    .collect();
                Some((bit(feature)?, masks))
            })
            .collect();
        FixRules { table: Arc::clone(table), rules }
    }

    /// Whether these are the rules over `table`.
    pub(crate) fn is_for(&self, table: &Arc<Vec<FeatureName>>) -> bool {
        Arc::ptr_eq(&self.table, table)
    }

    /// The features on in `before` that the kernel turns off when `plan`
    /// is sent, as a mask of bits: neither asked for nor fixed.
    pub(crate) fn side_effects(
        &self,
        before: &Features,
        plan: &FeaturePlan,
    ) -> u64 {
        if !Arc::ptr_eq(&self.table, before.table()) {
            return 0;
        }
        let word = |k: usize| before.set(k).first().copied().unwrap_or(0);
        let (active, fixed) = (word(0), word(2));
        let (mut asked, mut after) = (0u64, active);
        for b in plan.bits.iter().chain(&plan.kept).filter(|b| b.index < 64) {
            asked |= 1 << b.index;
            if b.to {
                after |= 1 << b.index;
            } else {
                after &= !(1 << b.index);
            }
        }
        // The kernel checks its rules once, in an order that lets a
        // feature turned off count for the rules after it; repeating until
        // nothing changes comes to the same without depending on order.
        let free = !(asked | fixed);
        loop {
            let mut changed = false;
            for (f, alternatives) in &self.rules {
                let m = 1u64 << f;
                if after & m & free != 0
                    && !alternatives.iter().any(|a| after & a == *a)
                {
                    after &= !m;
                    changed = true;
                }
            }
            if !changed {
                return active & !after & free;
            }
        }
    }
}

/// Why `feature` ended off: a dependency of it that `changes` (this
/// request's) turned off, if there is one.
fn broken_dependency(
    feature: &str,
    changes: &[FeatureChange],
) -> Option<Box<str>> {
    let (_, deps) = DEPENDS_ON.iter().find(|(f, _)| *f == feature)?;
    let off = changes.iter().find(|c| {
        deps.contains(&c.feature.as_ref())
            && c.status == Status::Applied
            && !c.to
    })?;
    Some(
        format!("depends on {}, which this request turns off", off.feature)
            .into(),
    )
}

/// What a `FEATURES_SET` did to one interface, decoded from the kernel's
/// reply: every requested bit that took effect (`Applied`) or did not
/// (`Refused`), and every other bit that changed (`SideEffect`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InterfaceOutcome {
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
    pub settings: Vec<crate::ethtool::settings::SettingChange>,
    /// Things to tell: settings a profile names that the driver does not
    /// have, skipped.
    pub notes: Vec<String>,
}

impl InterfaceOutcome {
    /// A place for an outcome to come: no interface, nothing in it (and
    /// nothing allocated).
    pub(crate) fn empty() -> InterfaceOutcome {
        InterfaceOutcome {
            ifindex: 0,
            ifname: String::new(),
            changes: Vec::new(),
            skipped_fixed: Vec::new(),
            warnings: Vec::new(),
            settings: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The outcome of a plan with nothing to send: only fixed refusals.
    pub fn unchanged(plan: &FeaturePlan) -> InterfaceOutcome {
        InterfaceOutcome {
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
    ) -> InterfaceOutcome {
        // The requested bits as a bitmap (feature bits are below 64 on
        // every kernel so far; beyond 256 they are looked for in the plan).
        let mut asked = [0u64; 4];
        let mut listed = 0;
        let mut changed_asked = 0;
        for b in &plan.bits {
            if let Some(w) = asked.get_mut((b.index / 64) as usize) {
                *w |= 1 << (b.index % 64);
            }
            let changed = changed(&reply.active_diff, b.index);
            listed += usize::from(reply.wanted_diff.listed(b.index) || changed);
            changed_asked += usize::from(reply.active_diff.listed(b.index));
        }
        let requested = |i: u32| match asked.get((i / 64) as usize) {
            Some(w) => (w >> (i % 64)) & 1 == 1,
            None => plan.bits.iter().any(|b| b.index == i),
        };
        let side_effects =
            reply.active_diff.mask_bits().count().saturating_sub(changed_asked);
        // Sized exactly: a thousand outcomes are held until the report, and
        // a list that outgrew its guess was copied to fresh pages.
        let mut changes =
            Vec::with_capacity(plan.fixed.len() + listed + side_effects);
        changes.extend(plan.refused_fixed_iter());
        // The requested bits in bit order, sorted on the stack (a plan
        // sends a few dozen bits at most; more spill to the heap).
        let mut requested_bits: SmallVec<[&PlannedBit; 32]> =
            plan.bits.iter().collect();
        requested_bits.sort_by_key(|b| b.index);
        for b in requested_bits {
            if reply.wanted_diff.listed(b.index) {
                changes.push(FeatureChange {
                    feature: b.name.clone(),
                    index: b.index,
                    from: !b.to,
                    to: b.to,
                    status: Status::Refused,
                    reason: None,
                });
            } else if changed(&reply.active_diff, b.index) {
                let now = reply.active_diff.get(b.index);
                changes.push(FeatureChange {
                    feature: b.name.clone(),
                    index: b.index,
                    from: !now,
                    to: now,
                    status: Status::Applied,
                    reason: None,
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
            // Asked for and already so, then turned the other way along
            // with the request: the user's request was not met.
            let asked = plan.kept.iter().find(|b| b.index == i);
            changes.push(match asked.filter(|b| b.to != now) {
                Some(b) => FeatureChange {
                    feature: name,
                    index: i,
                    from: now,
                    to: b.to,
                    status: Status::Refused,
                    reason: Some(
                        format!(
                            "the kernel or driver turned it {} with this request",
                            if now { "on" } else { "off" }
                        )
                        .into(),
                    ),
                },
                None => FeatureChange {
                    feature: name,
                    index: i,
                    from: !now,
                    to: now,
                    status: Status::SideEffect,
                    reason: None,
                },
            });
        }
        // A refusal the kernel's dependency rules explain says so. Looked
        // for in place: nearly every run has no refusal at all.
        let unexplained = |c: &FeatureChange| {
            c.status == Status::Refused
                && c.to
                && !c.from
                && !plan.fixed.iter().any(|b| b.index == c.index)
        };
        for n in 0..changes.len() {
            let why = match changes.get(n) {
                Some(c) if unexplained(c) => {
                    broken_dependency(&c.feature, &changes)
                }
                _ => None,
            };
            if let (Some(why), Some(c)) = (why, changes.get_mut(n)) {
                c.reason = Some(why);
            }
        }
        InterfaceOutcome {
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
        let changed = |s: Status| {
            matches!(s, Status::Applied | Status::Adjusted | Status::SideEffect)
        };
        self.changes.iter().any(|c| changed(c.status))
            || self.settings.iter().any(|c| changed(c.status))
    }

    /// Whether any requested change was refused.
    pub fn any_refused(&self) -> bool {
        self.changes.iter().any(|c| c.status == Status::Refused)
            || self.settings.iter().any(|c| c.status == Status::Refused)
    }
}

fn changed(diff: &Bitset, i: u32) -> bool {
    diff.mask.is_some() && diff.in_mask(i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::fake::FEATURE_TABLE;

    /// Interface states from a seed: every named bit active, requested
    /// and fixed or not, as a small generator (xorshift) picks.
    fn features(seed: u64) -> Features {
        let table: Arc<Vec<FeatureName>> = Arc::new(
            FEATURE_TABLE.iter().map(|n| FeatureName::from(*n)).collect(),
        );
        let words = table.len().div_ceil(64);
        let mut x = seed | 1;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut bits = vec![0u64; 3 * words];
        for (i, name) in table.iter().enumerate() {
            if name.is_empty() {
                continue;
            }
            let r = next();
            for (k, m) in [(0, 0b011), (1, 0b101), (2, 0b1_1000)].iter() {
                // fixed about one bit in four
                let set = if *k == 2 { r & m == *m } else { r & m != 0 };
                if set {
                    bits[k * words + i / 64] |= 1 << (i % 64);
                }
            }
        }
        Features::of_bitmaps(&table, bits)
    }

    /// Every named feature of the fake table on, `fixed` fixed.
    fn all_on(fixed: &[&str]) -> Features {
        let table: Arc<Vec<FeatureName>> = Arc::new(
            FEATURE_TABLE.iter().map(|n| FeatureName::from(*n)).collect(),
        );
        let words = table.len().div_ceil(64);
        let mut bits = vec![0u64; 3 * words];
        for (i, name) in table.iter().enumerate().filter(|(_, n)| !n.is_empty())
        {
            bits[i / 64] |= 1 << (i % 64);
            bits[words + i / 64] |= 1 << (i % 64);
            if fixed.contains(&name.as_str()) {
                bits[2 * words + i / 64] |= 1 << (i % 64);
            }
        }
        Features::of_bitmaps(&table, bits)
    }

    /// The names of the side effects `FixRules` predicts for turning
    /// `off` off.
    fn predicted(f: &Features, off: &[&str]) -> Vec<String> {
        let req = off.iter().fold(FeatureRequest::new(), |r, n| r.disable(*n));
        let names: Vec<String> =
            FEATURE_TABLE.iter().map(|n| n.to_string()).collect();
        let plan = plan_with(f, &names, &req, FixedPolicy::Refuse).unwrap();
        let mask = FixRules::new(f.table()).side_effects(f, &plan);
        (0..64u32)
            .filter(|b| mask >> b & 1 == 1)
            .map(|b| f.name(b).unwrap().to_string())
            .collect()
    }

    #[test]
    fn names_are_one_pointer_and_changes_32_bytes() {
        // Plans and outcomes of a thousand interfaces hold tens of
        // thousands of each: their size is the run's memory.
        assert_eq!(std::mem::size_of::<FeatureName>(), 8);
        assert!(std::mem::size_of::<FeatureChange>() <= 32);
        assert!(std::mem::size_of::<PlannedBit>() <= 16);
    }

    #[test]
    fn side_effects_follow_the_kernels_rules() {
        let f = all_on(&[]);
        // USO needs the generic checksum or both IP ones; TSO the generic
        // or IPv4 one and scatter-gather; ECN any TSO left.
        assert_eq!(
            predicted(&f, &["tx-checksum-ip-generic", "tx-checksum-ipv4"]),
            [
                "tx-tcp-segmentation",
                "tx-tcp-mangleid-segmentation",
                "tx-udp-segmentation"
            ]
        );
        assert_eq!(
            predicted(&f, &["tx-scatter-gather"]),
            [
                "tx-tcp-segmentation",
                "tx-tcp-ecn-segmentation",
                "tx-tcp-mangleid-segmentation",
                "tx-tcp6-segmentation",
                "tx-tcp-accecn-segmentation"
            ]
        );
        assert_eq!(predicted(&f, &["rx-checksum"]), ["rx-gro-hw"]);
        // What is asked for is no side effect, and a fixed one stays.
        assert_eq!(
            predicted(&f, &["tx-scatter-gather", "tx-tcp-segmentation"]),
            [
                "tx-tcp-ecn-segmentation",
                "tx-tcp-mangleid-segmentation",
                "tx-tcp6-segmentation",
                "tx-tcp-accecn-segmentation"
            ]
        );
        let fixed = all_on(&["tx-udp-segmentation"]);
        assert!(predicted(
            &fixed,
            &["tx-checksum-ip-generic", "tx-checksum-ipv4"]
        )
        .iter()
        .all(|n| n != "tx-udp-segmentation"));
        assert!(predicted(&f, &["rx-gro", "highdma"]).is_empty());
        // Rules over another table predict nothing for these features.
        let other = all_on(&[]);
        let plan = plan_with(
            &f,
            &FEATURE_TABLE.iter().map(|n| n.to_string()).collect::<Vec<_>>(),
            &FeatureRequest::new().disable("tx-scatter-gather"),
            FixedPolicy::Refuse,
        )
        .unwrap();
        assert_eq!(FixRules::new(other.table()).side_effects(&f, &plan), 0);
    }

    #[test]
    fn planning_a_profile_from_the_resolved_bits_is_planning_word_by_word() {
        let names: Vec<String> =
            FEATURE_TABLE.iter().map(|n| (*n).to_owned()).collect();
        let requests = [
            FeatureRequest::new()
                .disable("tso")
                .disable("gso")
                .disable("gro")
                .disable("tx")
                .disable("rx")
                .disable("rxvlan")
                .disable("txvlan")
                .disable("sg"),
            // later mentions win, in either direction, by legacy and kernel name
            FeatureRequest::new()
                .enable("sg")
                .disable("tx-scatter-gather")
                .enable("tso")
                .disable("tx-tcp-segmentation")
                .enable("tx-tcp-segmentation")
                .disable("rx-gro")
                .enable("gro"),
            FeatureRequest::new().enable("tx").enable("rx").enable("lro"),
        ];
        let mut seen = [false; 3];
        for req in &requests {
            let resolved = resolve_request(&names, req).unwrap();
            for seed in 1..200u64 {
                let f = features(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
                let p = plan_refusing(&f, &resolved).unwrap();
                seen[0] |= !p.bits.is_empty();
                seen[1] |= !p.kept.is_empty();
                seen[2] |= !p.fixed.is_empty();
                assert_eq!(
                    plan_refusing(&f, &resolved).map_err(|e| e.to_string()),
                    plan_each_word(&f, &resolved, FixedPolicy::Refuse)
                        .map_err(|e| e.to_string()),
                    "{req:?} seed {seed}"
                );
            }
        }
        assert_eq!(seen, [true; 3], "sent, kept and refused bits all seen");
    }

    #[test]
    fn a_feature_name_pads_like_a_str() {
        let n = FeatureName::from("rx-gro");
        assert_eq!(format!("{n:<10}|"), "rx-gro    |");
        assert_eq!(format!("{n:>10}|"), "    rx-gro|");
        assert_eq!(format!("{n:*^10}|"), "**rx-gro**|");
        assert_eq!(format!("{n:.2}|"), "rx|");
        assert_eq!(format!("{n:3}|"), "rx-gro|");
    }
}
