//! Nothing lost: before ethcfg changes interfaces it records the state it
//! is about to change, in a state directory ([`StateDir::DEFAULT`] unless
//! the caller says otherwise; the CLI honours `ETHCFG_STATE_DIR`), so
//! `revert` can restore it and a failed run can roll back. One file per
//! network namespace holds the records of all its interfaces, so a run over
//! a thousand interfaces writes one file before it sends anything and at
//! most one after. Writes are atomic (an `O_EXCL|O_NOFOLLOW` temp file with
//! an unpredictable name, then rename); one lock file serialises runs.
//!
//! **Bound to the device.** A records file belongs to one network
//! namespace, named by its cookie (`SO_NETNS_COOKIE`, Linux ≥ 5.14: a
//! 64-bit counter the kernel never reuses) — `records@cookie<N>`. On older
//! kernels the namespace's nsfs inode names it (`records@netns<ino>`); the
//! kernel can reuse an inode once a namespace is freed, so there the
//! ifindex-and-name check below is the only guard against a new namespace
//! meeting an old one's records. Records are keyed by ifindex, never reused
//! within a namespace while it lives: a record whose ifindex now has another
//! name follows the renamed device, and a name now held by a device of
//! another ifindex is a stale record ([`crate::Error::RecordedDeviceGone`]),
//! never applied to the newcomer.
//!
//! **What a record holds** (v2, JSON — a format with escaping for any
//! string, so no name or `by` can corrupt the file): the device (name,
//! ifindex), the run's [`Source`], the profile or `set` and time of the
//! first and of the last apply, the state before ethcfg's first change of
//! *every changeable feature* of the interface, and of every value of the
//! settings groups it changed. Each is marked `managed` when a run asked
//! for it (whether it changed or was already so) or it changed as a side
//! effect; `revert` restores the managed ones, and nothing else: a feature
//! ethcfg never asked for and never saw change is left as the admin set
//! it. Recording all of them before the first change means a side effect
//! is never changed before its prior state is on disk.
//!
//! ```text
//! {"format":"ethcfg-records","version":2,"netns":{"cookie":4097},
//! "features":["tx-scatter-gather","rx-gro"],
//! "records":[
//! {"ifname":"eno1","ifindex":2,"source":"cli","by":"e1000e-hang-safe","created":1795323749,"last_by":"e1000e-hang-safe","last_at":1795323749,"features":"f9","settings":[{"group":"rings","key":"rx","value":256,"managed":true}]}
//! ]}
//! ```
//!
//! A record's `features` is one hex digit per name of the file's
//! `features` table: 1 recorded, 2 active, 4 requested, 8 managed (`f`:
//! on, asked for; `9`: off and not requested, changed as a side effect; `0`:
//! not recorded).
//!
//! **Whose it is.** Each managed item belongs to the [`Source`]s whose
//! runs asked for it or saw it change ([`Record::owners`]): a hook's
//! reconcile lets go of its own items and restores only those no other
//! source holds, so a person's `ethcfg set` is never undone by ifupdown.
//! When every managed item is the record's `source`'s — all files written
//! before this — the file says nothing more; otherwise the record carries
//! `"owners":[{"source":"hook","features":"0100…","settings":["rings/rx"]}]`,
//! one entry per source: a `1` per name of the feature table it holds, and
//! its settings as `group/key`. Readers before this refuse such a record
//! (unknown field) rather than misattribute it.
//!
//! **The journal.** Beside a records file of a namespace with many
//! interfaces, `records@cookie<N>.journal` takes a small run's changed
//! records, one self-contained line each, appended with one `write(2)`;
//! readers apply it over the file, and any whole-file write folds it in.
//! A run over one interface then writes a few hundred bytes however many
//! records the namespace has, and `ethcfg watch` ([`StateDir::cached`])
//! keeps the records in memory, revalidated by `lstat`, instead of
//! reading them per event. The format and its rules: `state/journal.rs`.
//!
//! The v1 line format (`<ifname> <ifindex> <by> <created> <feature>=<A><R>...
//! <group>/<key>=<value>...`, in `records@netns<ino>`) is still read, for
//! one release, and rewritten as v2 by the next write.
//!
//! **A safe directory.** The directory must be a real directory (not a
//! symlink) owned by root or the caller and not group- or world-writable —
//! the check profiles pass (`crate::fs::untrusted`); the lock and records must be
//! regular files (a FIFO is an error, never a hang) and records are read up
//! to [`MAX_RECORDS_BYTES`]. Temp files are removed on every failure path,
//! and those of killed runs at the next lock.
//!
//! Layer: state. May use: `crate::fs`, `crate::error`, `crate::iface`,
//! `crate::netlink` (the netns cookie), `crate::ethtool` (feature names,
//! settings values), `crate::host`.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ethtool::features::{FeatureBits, FeatureName, Features};
use crate::ethtool::settings::{Group, Value};
use crate::host::HostRoot;

/// The largest records file read: a thousand interfaces' records are
/// ~4 MiB; anything far larger is not ethcfg's.
pub const MAX_RECORDS_BYTES: u64 = 64 * 1024 * 1024;

mod features;
mod journal;
mod lock;

pub use features::RecordedFeatures;
use features::{owners_in, state_of, with_owners};
use features::{ACTIVE, MANAGED, RECORDED, REQUESTED};
pub use journal::{JOURNAL_COMPACT, JOURNAL_FROM, JOURNAL_MAX_IFACES};

const FORMAT: &str = "ethcfg-records";
const VERSION: u32 = 2;

/// What started a run: recorded, so `doctor` and a later run can tell an
/// admin's change from a boot hook's.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Source {
    /// A person at the command line.
    #[default]
    Cli,
    /// An ifupdown / networkd hook.
    Hook,
    /// The configuration file.
    Config,
    /// The long-running watcher.
    Watch,
}

impl Source {
    /// Every source.
    pub const ALL: [Source; 4] =
        [Source::Cli, Source::Hook, Source::Config, Source::Watch];

    /// The name written in records and taken by `--source`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Cli => "cli",
            Source::Hook => "hook",
            Source::Config => "config",
            Source::Watch => "watch",
        }
    }

    /// The source named `name`.
    pub fn from_name(name: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Source {
    fn bit(self) -> u8 {
        match self {
            Source::Cli => 1,
            Source::Hook => 2,
            Source::Config => 4,
            Source::Watch => 8,
        }
    }
}

/// The sources that manage one recorded item: what each asked for stays
/// until every source that asked for it has let it go, so a hook's
/// reconcile never undoes what a person set at the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Sources(u8);

impl Sources {
    /// No source.
    pub const NONE: Sources = Sources(0);

    /// The configuration's bindings: `apply --config` and `watch`, which
    /// act as one owner.
    pub const CONFIG: Sources = Sources(4 | 8);

    /// Just `source`.
    pub fn only(source: Source) -> Sources {
        Sources(source.bit())
    }

    /// Whether `source` is among them.
    pub fn contains(self, source: Source) -> bool {
        self.0 & source.bit() != 0
    }

    /// Adds `source`.
    pub fn insert(&mut self, source: Source) {
        self.0 |= source.bit();
    }

    /// Removes `source`.
    pub fn remove(&mut self, source: Source) {
        self.0 &= !source.bit();
    }

    /// Whether there is none.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether any of `o` is among them.
    pub fn intersects(self, o: Sources) -> bool {
        self.0 & o.0 != 0
    }

    /// Those not in `o`.
    pub fn without(self, o: Sources) -> Sources {
        Sources(self.0 & !o.0)
    }

    /// Each source, in [`Source::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Source> {
        Source::ALL.into_iter().filter(move |s| self.contains(*s))
    }
}

impl std::ops::BitOr for Sources {
    type Output = Sources;
    fn bitor(self, o: Sources) -> Sources {
        Sources(self.0 | o.0)
    }
}

impl std::ops::BitOrAssign for Sources {
    fn bitor_assign(&mut self, o: Sources) {
        self.0 |= o.0;
    }
}

/// The state of one feature before ethcfg changed it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedFeature {
    /// Kernel name. (A record holds its features as [`RecordedFeatures`];
    /// this is one of them as a value, to read or to add.)
    pub name: FeatureName,
    /// Active before.
    pub active: bool,
    /// Requested before — what revert asks for again.
    pub requested: bool,
    /// Whether revert restores it: a run asked for it, or it changed as a
    /// side effect of one.
    pub managed: bool,
    /// The sources whose runs manage it ([`Sources::NONE`] with `managed`:
    /// the record's [`Record::source`], as files before sources per item
    /// say — see [`Record::owners`]).
    pub owners: Sources,
}

impl RecordedFeature {
    /// A recorded feature state, managed.
    pub fn new(
        name: impl Into<FeatureName>,
        active: bool,
        requested: bool,
    ) -> Self {
        RecordedFeature {
            name: name.into(),
            active,
            requested,
            managed: true,
            owners: Sources::NONE,
        }
    }
}

/// The value of one setting before ethcfg changed it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedSetting {
    /// The group.
    pub group: Group,
    /// The key in it.
    pub key: String,
    /// The value before.
    pub value: Value,
    /// Whether revert restores it (asked for, or a side effect).
    pub managed: bool,
    /// The sources whose runs manage it (as [`RecordedFeature::owners`]).
    pub owners: Sources,
}

impl RecordedSetting {
    /// A recorded setting, managed.
    pub fn new(group: Group, key: impl Into<String>, value: Value) -> Self {
        RecordedSetting {
            group,
            key: key.into(),
            value,
            managed: true,
            owners: Sources::NONE,
        }
    }
}

/// What ethcfg changed on one interface, and how it was before.
/// Equality compares the sources managing each item as
/// [`Record::owners`] gives them: an item with no owners of its own is the
/// record source's.
#[derive(Debug, Clone, Eq)]
#[non_exhaustive]
pub struct Record {
    /// Interface name (the latest ethcfg saw).
    pub ifname: String,
    /// Interface index: the device, within the records file's namespace.
    pub ifindex: u32,
    /// What started the first recorded run.
    pub source: Source,
    /// What made the first change: a profile name, or `set`.
    pub by: String,
    /// Seconds since the epoch, of the first change.
    pub created: u64,
    /// What made the last change.
    pub last_by: String,
    /// Seconds since the epoch, of the last change.
    pub last_at: u64,
    /// Features as they were before ethcfg's first change.
    pub features: RecordedFeatures,
    /// Other settings as they were before ethcfg's first change.
    pub settings: Vec<RecordedSetting>,
}

impl PartialEq for Record {
    fn eq(&self, o: &Record) -> bool {
        // By name: two records of the same state may list it in another
        // order (another table).
        type Entry = (FeatureName, bool, bool, bool, Sources);
        let features = |r: &Record| -> Vec<Entry> {
            let mut v: Vec<Entry> = r
                .features
                .iter()
                .map(|f| {
                    let o = r.owners(&f);
                    (f.name, f.active, f.requested, f.managed, o)
                })
                .collect();
            v.sort_by(|a, b| a.0.cmp(&b.0));
            v
        };
        let settings = |r: &Record| -> Vec<(Group, String, Value, Sources)> {
            r.settings
                .iter()
                .map(|s| (s.group, s.key.clone(), s.value, r.setting_owners(s)))
                .collect()
        };
        self.ifname == o.ifname
            && self.ifindex == o.ifindex
            && self.source == o.source
            && self.by == o.by
            && self.created == o.created
            && self.last_by == o.last_by
            && self.last_at == o.last_at
            && features(self) == features(o)
            && settings(self) == settings(o)
            && self
                .settings
                .iter()
                .map(|s| s.managed)
                .eq(o.settings.iter().map(|s| s.managed))
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Record {
    /// A new, empty record.
    pub fn new(ifname: &str, ifindex: u32, by: &str) -> Record {
        let created = now();
        Record {
            ifname: ifname.to_owned(),
            ifindex,
            source: Source::Cli,
            by: by.to_owned(),
            created,
            last_by: by.to_owned(),
            last_at: created,
            features: RecordedFeatures::new(),
            settings: Vec::new(),
        }
    }

    /// Notes a later run's change: `by` and now become the last apply.
    pub fn touched_by(&mut self, by: &str) {
        by.clone_into(&mut self.last_by);
        self.last_at = now();
    }

    /// Adds a feature's earlier state, unless an earlier one is recorded:
    /// the first state ethcfg saw is the one revert restores. A managed
    /// one makes the recorded one managed, and its owners owners of it.
    pub fn keep_earliest(&mut self, f: RecordedFeature) {
        let slot = self.features.slot_or_add(&f.name);
        let g = self.features.state(slot);
        let s = if g & RECORDED == 0 {
            state_of(&f)
        } else if f.managed {
            let owners = canonical(
                self.owners_at(g) | owners_of(true, f.owners, self.source),
                self.source,
            );
            with_owners(g | MANAGED, owners)
        } else {
            g
        };
        self.features.set_state(slot, s);
    }

    /// Starts the features on `table` (tests: a table other than the
    /// kernel's, to take record_prior's general path).
    #[cfg(test)]
    pub(crate) fn start_features_on(&mut self, table: &Arc<Vec<FeatureName>>) {
        self.features.start(table);
    }

    /// The sources managing the feature whose state byte is `s`.
    fn owners_at(&self, s: u8) -> Sources {
        owners_of(s & MANAGED != 0, owners_in(s), self.source)
    }

    /// Records the state before of every changeable feature of `before`
    /// not recorded yet (the first state ethcfg saw is the one revert
    /// restores), marking the bits at `asked` managed by `source`. A new
    /// record takes the kernel's table as it is: a slot is a bit.
    pub(crate) fn record_prior(
        &mut self,
        before: &Features,
        asked: &[u32],
        source: Source,
    ) {
        let table = before.table();
        if self.features.is_empty() {
            self.features.start(table);
        }
        let own = canonical(Sources::only(source), self.source);
        let record = self.source;
        // As a bitmap: this looks at every bit of every interface a run
        // changes.
        let asked = FeatureBits::of(asked.iter().copied());
        // The byte of a changeable bit after this run: the state before
        // if it was not recorded, and `source` among its managers if the
        // run asks for it.
        let next = |g: u8, active: bool, requested: bool, managed: bool| {
            if g & RECORDED == 0 {
                let s = RECORDED
                    | if active { ACTIVE } else { 0 }
                    | if requested { REQUESTED } else { 0 };
                if managed {
                    with_owners(s | MANAGED, own)
                } else {
                    s
                }
            } else if managed {
                let owners = owners_of(g & MANAGED != 0, owners_in(g), record)
                    | Sources::only(source);
                with_owners(g | MANAGED, canonical(owners, record))
            } else {
                g
            }
        };
        // The record on the kernel's table (a new one, or one a run moved
        // onto it): a word of bits at a time, the changeable named ones.
        if let Some(states) = self.features.states_on_mut(table) {
            let [active, requested, fixed] = before.state_words();
            let word = |ws: &[u64], w: usize| ws.get(w).copied().unwrap_or(0);
            for (w, named) in crate::ethtool::features::named_words(table)
                .into_iter()
                .enumerate()
            {
                let mut bits = named & !word(fixed, w);
                while bits != 0 {
                    let j = bits.trailing_zeros();
                    bits &= bits - 1;
                    let Some(g) = states.get_mut(w * 64 + j as usize) else {
                        continue;
                    };
                    let on = |ws: u64| ws >> j & 1 == 1;
                    *g = next(
                        *g,
                        on(word(active, w)),
                        on(word(requested, w)),
                        on(asked.word(w)),
                    );
                }
            }
            return;
        }
        for b in (0..table.len()).filter_map(|i| u32::try_from(i).ok()) {
            if before.name(b).is_none() || before.is_fixed(b) {
                continue;
            }
            let Some(slot) = self.features.slot_of_bit(before, b) else {
                continue;
            };
            let g = self.features.state(slot);
            self.features.set_state(
                slot,
                next(
                    g,
                    before.is_active(b),
                    before.is_requested(b),
                    asked.contains(b),
                ),
            );
        }
    }

    /// Marks bit `b` of `before` managed by `source` (a side effect, or a
    /// state another source already made), recorded from `before` if it
    /// was not. Returns whether the record changed.
    pub(crate) fn manage_bit(
        &mut self,
        before: &Features,
        b: u32,
        source: Source,
    ) -> bool {
        if before.name(b).is_none() {
            return false;
        }
        let Some(slot) = self.features.slot_of_bit(before, b) else {
            return false;
        };
        let g = self.features.state(slot);
        let s = if g & RECORDED == 0 {
            RECORDED
                | MANAGED
                | if before.is_active(b) { ACTIVE } else { 0 }
                | if before.is_requested(b) { REQUESTED } else { 0 }
        } else {
            if g & MANAGED != 0 && self.owners_at(g).contains(source) {
                return false;
            }
            g | MANAGED
        };
        let mut owners =
            if g & RECORDED == 0 { Sources::NONE } else { self.owners_at(g) };
        owners.insert(source);
        self.features
            .set_state(slot, with_owners(s, canonical(owners, self.source)));
        true
    }

    /// The state byte of bit `b` of `before` (0: not recorded), to put
    /// back with [`Record::put_bit_state`].
    pub(crate) fn bit_state(&self, before: &Features, b: u32) -> u8 {
        self.features.state_of_bit(before, b)
    }

    /// Puts back a state byte [`Record::bit_state`] returned.
    pub(crate) fn put_bit_state(&mut self, before: &Features, b: u32, s: u8) {
        if let Some(slot) = self.features.slot_of_bit(before, b) {
            self.features.set_state(slot, s);
        }
    }

    /// Whether bit `b` of `before` is recorded and managed here.
    pub(crate) fn manages_bit(&self, before: &Features, b: u32) -> bool {
        self.features.state_of_bit(before, b) & MANAGED != 0
    }

    /// Lets `source` go of feature `name`; returns whether it changed.
    pub(crate) fn release_feature(
        &mut self,
        name: &str,
        source: Source,
    ) -> bool {
        let own = self.source;
        let Some(slot) = self.features.slot(name, 0) else { return false };
        let g = self.features.state(slot);
        if g & RECORDED == 0 {
            return false;
        }
        let (mut managed, mut owners) = (g & MANAGED != 0, owners_in(g));
        let changed = release_one(&mut managed, &mut owners, own, source);
        let s = if managed { g | MANAGED } else { g & !MANAGED };
        self.features.set_state(slot, with_owners(s, owners));
        changed
    }

    /// Adds a setting's earlier value, unless an earlier one is recorded.
    pub fn keep_earliest_setting(&mut self, s: RecordedSetting) {
        let source = self.source;
        match self
            .settings
            .iter_mut()
            .find(|t| t.group == s.group && t.key == s.key)
        {
            Some(t) => {
                if s.managed {
                    t.owners = canonical(
                        owners_of(t.managed, t.owners, source)
                            | owners_of(true, s.owners, source),
                        source,
                    );
                }
                t.managed |= s.managed;
            }
            None => self.settings.push(s),
        }
    }

    /// The sources managing feature `f` of this record: its own owners, or
    /// — a record from before sources per item, or an item made with
    /// [`RecordedFeature::new`] — the record's source when it is managed.
    pub fn owners(&self, f: &RecordedFeature) -> Sources {
        owners_of(f.managed, f.owners, self.source)
    }

    /// [`Record::owners`] of a setting.
    pub fn setting_owners(&self, s: &RecordedSetting) -> Sources {
        owners_of(s.managed, s.owners, self.source)
    }

    /// Whether `source` manages anything here.
    pub fn managed_by(&self, source: Source) -> bool {
        self.features.slots().any(|(_, s)| self.owners_at(s).contains(source))
            || self
                .settings
                .iter()
                .any(|s| self.setting_owners(s).contains(source))
    }

    /// Whether any source manages anything here.
    pub fn manages_anything(&self) -> bool {
        self.features.slots().any(|(_, s)| s & MANAGED != 0)
            || self.settings.iter().any(|s| s.managed)
    }

    /// Lets `source` go of everything it manages here; what no other
    /// source manages becomes unmanaged (its state before stays recorded).
    /// Returns whether anything changed.
    pub fn release(&mut self, source: Source) -> bool {
        let own = self.source;
        let mut changed = false;
        for g in self.features.states_mut() {
            if *g & RECORDED == 0 {
                continue;
            }
            let (mut managed, mut owners) = (*g & MANAGED != 0, owners_in(*g));
            if release_one(&mut managed, &mut owners, own, source) {
                let s = if managed { *g | MANAGED } else { *g & !MANAGED };
                *g = with_owners(s, owners);
                changed = true;
            }
        }
        for s in &mut self.settings {
            changed |= release_one(&mut s.managed, &mut s.owners, own, source);
        }
        changed
    }

    /// Parses one v1 line (`<ifname> <ifindex> <by> <created> ...`).
    fn from_v1_line(line: &str) -> Option<Record> {
        let mut w = line.split_ascii_whitespace();
        let ifname = w.next()?.to_owned();
        let ifindex = w.next()?.parse().ok()?;
        let by = w.next()?.to_owned();
        let created = w.next()?.parse().ok()?;
        let mut features = Vec::new();
        let mut settings = Vec::new();
        for token in w {
            let (name, value) = token.rsplit_once('=')?;
            if name.is_empty() {
                return None;
            }
            if let Some((group, key)) = name.split_once('/') {
                let group =
                    Group::from_name(group).filter(|_| !key.is_empty())?;
                let value = match value {
                    "on" => Value::Bool(true),
                    "off" => Value::Bool(false),
                    n => Value::Num(n.parse().ok()?),
                };
                settings.push(RecordedSetting::new(group, key, value));
                continue;
            }
            let bit = |c: Option<char>| match c {
                Some('0') => Some(false),
                Some('1') => Some(true),
                _ => None,
            };
            let mut c = value.chars();
            let (active, requested) = (bit(c.next())?, bit(c.next())?);
            if c.next().is_some() {
                return None;
            }
            features.push(RecordedFeature::new(name, active, requested));
        }
        Some(Record {
            ifname,
            ifindex,
            source: Source::Cli,
            last_by: by.clone(),
            by,
            created,
            last_at: created,
            features: features.into_iter().collect(),
            settings,
        })
    }
}

/// The owners of an item: `owners`, or the record's source when the
/// item is managed and names none.
fn owners_of(managed: bool, owners: Sources, record: Source) -> Sources {
    match (managed, owners.is_empty()) {
        (false, _) => Sources::NONE,
        (true, true) => Sources::only(record),
        (true, false) => owners,
    }
}

/// Owners as stored: none when they are just the record's source (as in
/// files from before sources per item).
fn canonical(owners: Sources, record: Source) -> Sources {
    if owners == Sources::only(record) {
        Sources::NONE
    } else {
        owners
    }
}

/// Drops `source` from one item's owners; returns whether it changed.
pub(crate) fn release_one(
    managed: &mut bool,
    owners: &mut Sources,
    record: Source,
    source: Source,
) -> bool {
    let mut o = owners_of(*managed, *owners, record);
    if !o.contains(source) {
        return false;
    }
    o.remove(source);
    *managed = !o.is_empty();
    *owners = canonical(o, record);
    true
}

/// Every record of one network namespace, by ifindex.
pub type Records = BTreeMap<u32, Record>;

/// Puts records read from a file onto the kernel's feature `table`, so
/// that a run finds each feature by its bit instead of by name. A record
/// naming a feature the kernel does not (another kernel's, one the device
/// lost) keeps its own table.
pub(crate) fn rebase(records: &mut Records, table: &Arc<Vec<FeatureName>>) {
    let bits: HashMap<&str, usize> = table
        .iter()
        .enumerate()
        .filter(|(_, n)| !n.is_empty())
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    // One map per table the records use (one per file).
    let mut maps: Vec<(usize, Vec<Option<usize>>)> = Vec::new();
    for r in records.values_mut() {
        let own = r.features.table();
        if Arc::ptr_eq(own, table) {
            continue;
        }
        let key = Arc::as_ptr(own) as usize;
        let k = match maps.iter().position(|(p, _)| *p == key) {
            Some(k) => k,
            None => {
                let map =
                    own.iter().map(|n| bits.get(n.as_str()).copied()).collect();
                maps.push((key, map));
                maps.len() - 1
            }
        };
        if let Some((_, map)) = maps.get(k) {
            r.features.move_to(table, map);
        }
    }
}

/// For fuzzing: see the journal's reader.
#[cfg(feature = "fuzzing")]
pub(crate) fn fuzz_journal(bytes: &[u8]) {
    journal::fuzz(bytes);
}

/// The record named `ifname` in `records`, if any (the lowest ifindex when
/// stale ones share it).
pub fn by_name<'a>(records: &'a Records, ifname: &str) -> Option<&'a Record> {
    records.values().find(|r| r.ifname == ifname)
}

/// The on-disk form of a record (v2): the library's types stay free of
/// serde, and the file's field names are fixed here.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordV2<'a> {
    #[serde(borrow)]
    ifname: Cow<'a, str>,
    ifindex: u32,
    source: Source,
    #[serde(borrow)]
    by: Cow<'a, str>,
    created: u64,
    #[serde(borrow)]
    last_by: Cow<'a, str>,
    last_at: u64,
    /// One hex digit per name of the file's feature table (see
    /// [`FileV2::features`]).
    #[serde(borrow)]
    features: Cow<'a, str>,
    settings: Vec<SettingV2<'a>>,
    /// Which sources manage which items, when that is not simply
    /// `source` for every managed one (absent, as in files written before
    /// sources per item: all `source`'s). One entry per source.
    #[serde(borrow, default, skip_serializing_if = "Vec::is_empty")]
    owners: Vec<OwnedV2<'a>>,
}

/// What one source manages in a record: a `1` per feature of the file's
/// table it manages (else `0`), and its settings as `group/key`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OwnedV2<'a> {
    source: Source,
    #[serde(borrow)]
    features: Cow<'a, str>,
    #[serde(borrow, default)]
    settings: Vec<Cow<'a, str>>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingV2<'a> {
    #[serde(borrow)]
    group: Cow<'a, str>,
    #[serde(borrow)]
    key: Cow<'a, str>,
    value: ValueV2,
    managed: bool,
}

#[derive(Serialize, Deserialize, Clone, Copy)]
#[serde(untagged)]
enum ValueV2 {
    Num(u32),
    Bool(bool),
}

/// A namespace's identity as written in a records file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NetnsId {
    /// `SO_NETNS_COOKIE`: never reused while the system runs.
    Cookie(u64),
    /// The nsfs inode (kernels before 5.14): reusable once freed.
    Inode(u64),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileV2<'a> {
    #[serde(borrow)]
    format: Cow<'a, str>,
    version: u32,
    /// For people and other tools reading the file: ethcfg finds a
    /// namespace's file by its name, which carries the same identity.
    #[serde(default)]
    #[allow(dead_code)]
    netns: Option<NetnsId>,
    /// The feature names the records use, once for the file: a record's
    /// state of every changeable feature is then one hex digit each, not
    /// sixty JSON objects (a thousand interfaces' records stay ~150 KiB).
    #[serde(borrow, default)]
    features: Vec<Cow<'a, str>>,
    #[serde(borrow)]
    records: Vec<RecordV2<'a>>,
}

/// The file's feature table: every name the records use, in first-use
/// order, and where each record table's slots go in it. The records of
/// one run share one table (the kernel's), those read from one file
/// another: each distinct table is mapped once, and a record's digits are
/// then a copy by slot — no name is looked up per record.
struct FeatureTable<'a> {
    names: Vec<&'a str>,
    /// Per distinct record table (by address): each slot's place in
    /// `names` (`usize::MAX`: no record recorded it).
    maps: Vec<(usize, Vec<usize>)>,
}

impl<'a> FeatureTable<'a> {
    fn of(records: &'a Records) -> Self {
        // (address, table, whether each slot is recorded anywhere)
        type Used<'t> = (usize, &'t Arc<Vec<FeatureName>>, Vec<bool>);
        let mut used: Vec<Used<'a>> = Vec::new();
        for r in records.values() {
            let t = r.features.table();
            let key = Arc::as_ptr(t) as usize;
            let k = match used.iter().position(|(p, _, _)| *p == key) {
                Some(k) => k,
                None => {
                    used.push((key, t, vec![false; t.len()]));
                    used.len() - 1
                }
            };
            let Some((_, _, u)) = used.get_mut(k) else { continue };
            for (slot, st) in r.features.states().iter().enumerate() {
                if st & RECORDED != 0 {
                    if let Some(x) = u.get_mut(slot) {
                        *x = true;
                    }
                }
            }
        }
        let mut names: Vec<&'a str> = Vec::new();
        let mut index: HashMap<&'a str, usize> = HashMap::new();
        let maps = used
            .into_iter()
            .map(|(key, t, u)| {
                let map = t
                    .iter()
                    .zip(u)
                    .map(|(n, used)| {
                        if !used {
                            return usize::MAX;
                        }
                        *index.entry(n.as_str()).or_insert_with(|| {
                            names.push(n.as_str());
                            names.len() - 1
                        })
                    })
                    .collect();
                (key, map)
            })
            .collect();
        FeatureTable { names, maps }
    }

    /// The table `names` as given (a journal's), with `r`'s table mapped
    /// onto it; a name `r` records that `names` lacks is left out.
    fn over(names: Vec<&'a str>, r: &Record) -> Self {
        let index: HashMap<&str, usize> =
            names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let t = r.features.table();
        let map = t
            .iter()
            .map(|n| index.get(n.as_str()).copied().unwrap_or(usize::MAX))
            .collect();
        FeatureTable { names, maps: vec![(Arc::as_ptr(t) as usize, map)] }
    }

    /// One digit per name of the table, from `digit` of each recorded
    /// state byte of `r` (`b'0'` elsewhere).
    fn digits(&self, r: &Record, digit: impl Fn(u8) -> Option<u8>) -> String {
        let mut digits = Vec::with_capacity(self.names.len());
        self.push_digits(&mut digits, r, digit);
        // Only ASCII digits were written.
        String::from_utf8(digits).unwrap_or_default()
    }

    /// [`FeatureTable::digits`] appended to `out`.
    fn push_digits(
        &self,
        out: &mut Vec<u8>,
        r: &Record,
        digit: impl Fn(u8) -> Option<u8>,
    ) {
        let key = Arc::as_ptr(r.features.table()) as usize;
        let map = self
            .maps
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, m)| m.as_slice())
            .unwrap_or_default();
        let start = out.len();
        out.resize(start + self.names.len(), b'0');
        let digits = out.get_mut(start..).unwrap_or_default();
        for (&st, &i) in r.features.states().iter().zip(map) {
            if st & RECORDED == 0 {
                continue;
            }
            if let (Some(d), Some(out)) = (digit(st), digits.get_mut(i)) {
                *out = d;
            }
        }
    }
}

/// The hex digit of a recorded state byte, as the file writes it.
fn hex_digit(st: u8) -> Option<u8> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    HEX.get(usize::from(st & 0x0f)).copied()
}

/// Whether every managed item of `r` is its own source's (the file then
/// writes no `owners`).
fn owned_plainly(r: &Record) -> bool {
    let only_own = Sources::only(r.source);
    r.features
        .slots()
        .map(|(_, st)| r.owners_at(st))
        .chain(r.settings.iter().map(|s| r.setting_owners(s)))
        .all(|o| o.is_empty() || o == only_own)
}

/// One record as the file's line: the bytes `serde_json` writes for its
/// [`RecordV2`] (a test holds them equal), put together directly for the
/// usual record — no settings, no owners apart from its source — since a
/// run over a thousand interfaces writes a thousand, and serde's
/// machinery (every key escaped, every piece a write) was most of the
/// time. Other records, and the strings that may need escaping, go
/// through serde_json.
fn push_record(
    out: &mut Vec<u8>,
    r: &Record,
    table: &FeatureTable<'_>,
) -> std::io::Result<()> {
    if !r.settings.is_empty() || !owned_plainly(r) {
        return serde_json::to_writer(&mut *out, &RecordV2::new(r, table))
            .map_err(std::io::Error::from);
    }
    let mut n = itoa::Buffer::new();
    out.extend_from_slice(b"{\"ifname\":");
    serde_json::to_writer(&mut *out, r.ifname.as_str())?;
    out.extend_from_slice(b",\"ifindex\":");
    out.extend_from_slice(n.format(r.ifindex).as_bytes());
    out.extend_from_slice(b",\"source\":\"");
    out.extend_from_slice(r.source.as_str().as_bytes());
    out.extend_from_slice(b"\",\"by\":");
    serde_json::to_writer(&mut *out, r.by.as_str())?;
    out.extend_from_slice(b",\"created\":");
    out.extend_from_slice(n.format(r.created).as_bytes());
    out.extend_from_slice(b",\"last_by\":");
    serde_json::to_writer(&mut *out, r.last_by.as_str())?;
    out.extend_from_slice(b",\"last_at\":");
    out.extend_from_slice(n.format(r.last_at).as_bytes());
    out.extend_from_slice(b",\"features\":\"");
    table.push_digits(out, r, hex_digit);
    out.extend_from_slice(b"\",\"settings\":[]}");
    Ok(())
}

impl<'a> RecordV2<'a> {
    fn new(r: &'a Record, table: &FeatureTable<'_>) -> Self {
        use std::borrow::Cow::Borrowed;
        let features = table.digits(r, hex_digit);
        let plain = owned_plainly(r);
        let owners = if plain {
            Vec::new()
        } else {
            Source::ALL
                .into_iter()
                .filter(|&src| r.managed_by(src))
                .map(|src| OwnedV2 {
                    source: src,
                    features: Cow::Owned(table.digits(r, |st| {
                        r.owners_at(st).contains(src).then_some(b'1')
                    })),
                    settings: r
                        .settings
                        .iter()
                        .filter(|s| r.setting_owners(s).contains(src))
                        .map(|s| Cow::Owned(format!("{}/{}", s.group, s.key)))
                        .collect(),
                })
                .collect()
        };
        RecordV2 {
            ifname: Borrowed(&r.ifname),
            ifindex: r.ifindex,
            source: r.source,
            by: Borrowed(&r.by),
            created: r.created,
            last_by: Borrowed(&r.last_by),
            last_at: r.last_at,
            features: Cow::Owned(features),
            settings: r
                .settings
                .iter()
                .map(|s| SettingV2 {
                    group: Borrowed(s.group.as_str()),
                    key: Borrowed(&s.key),
                    value: match s.value {
                        Value::Num(n) => ValueV2::Num(n),
                        Value::Bool(b) => ValueV2::Bool(b),
                    },
                    managed: s.managed,
                })
                .collect(),
            owners,
        }
    }

    fn into_record(
        self,
        table: &Arc<Vec<FeatureName>>,
    ) -> std::result::Result<Record, String> {
        if self.features.len() != table.len() {
            return Err(format!(
                "{}: {} feature states for {} feature names",
                self.ifname,
                self.features.len(),
                table.len()
            ));
        }
        let mut states = Vec::with_capacity(table.len());
        for (c, name) in self.features.chars().zip(table.iter()) {
            let d = c.to_digit(16).ok_or_else(|| {
                format!(
                    "{}: feature state {c:?} is not a hex digit",
                    self.ifname
                )
            })?;
            let d = u8::try_from(d).unwrap_or(0);
            if d & RECORDED == 0 && d != 0 {
                return Err(format!(
                    "{}: feature state {c:?} of {name} is not recorded",
                    self.ifname
                ));
            }
            states.push(d);
        }
        let mut settings = Vec::with_capacity(self.settings.len());
        for s in self.settings {
            let group = Group::from_name(&s.group).ok_or_else(|| {
                format!("unknown settings group {:?}", s.group)
            })?;
            settings.push(RecordedSetting {
                group,
                key: s.key.into_owned(),
                value: match s.value {
                    ValueV2::Num(n) => Value::Num(n),
                    ValueV2::Bool(b) => Value::Bool(b),
                },
                managed: s.managed,
                owners: Sources::NONE,
            });
        }
        for o in &self.owners {
            if o.features.len() != table.len() {
                return Err(format!(
                    "{}: {} owned feature marks for {} feature names",
                    self.ifname,
                    o.features.len(),
                    table.len()
                ));
            }
            for ((c, name), st) in
                o.features.chars().zip(table.iter()).zip(states.iter_mut())
            {
                match c {
                    '0' => {}
                    '1' => {
                        if *st & MANAGED != 0 {
                            let mut owners = owners_in(*st);
                            owners.insert(o.source);
                            *st = with_owners(*st, owners);
                        } else {
                            return Err(format!(
                                "{}: {} owns {name}, which is not managed",
                                self.ifname, o.source
                            ));
                        }
                    }
                    _ => {
                        return Err(format!(
                            "{}: owned feature mark {c:?} is not 0 or 1",
                            self.ifname
                        ))
                    }
                }
            }
            for gk in &o.settings {
                let found = gk.split_once('/').and_then(|(g, k)| {
                    settings.iter_mut().find(|s| {
                        s.managed && s.group.as_str() == g && s.key == k
                    })
                });
                match found {
                    Some(s) => s.owners.insert(o.source),
                    None => {
                        return Err(format!(
                            "{}: {} owns setting {gk:?}, which is not managed",
                            self.ifname, o.source
                        ))
                    }
                }
            }
        }
        Ok(Record {
            ifname: self.ifname.into_owned(),
            ifindex: self.ifindex,
            source: self.source,
            by: self.by.into_owned(),
            created: self.created,
            last_by: self.last_by.into_owned(),
            last_at: self.last_at,
            features: RecordedFeatures::from_states(Arc::clone(table), states),
            settings,
        })
    }
}

/// A file's (or a journal line's) feature table, shared by its records.
/// A name twice would give one feature two states: an error.
pub(super) fn feature_table(
    names: &[Cow<'_, str>],
) -> std::result::Result<Arc<Vec<FeatureName>>, String> {
    let mut sorted: Vec<&str> = names.iter().map(|n| n.as_ref()).collect();
    sorted.sort_unstable();
    if let Some(w) = sorted.windows(2).find(|w| w.first() == w.last()) {
        return Err(format!(
            "feature {:?} is twice in the feature table",
            w.first().copied().unwrap_or_default()
        ));
    }
    Ok(Arc::new(names.iter().map(|n| FeatureName::from(n.as_ref())).collect()))
}

/// Parses a records file's bytes, v2 (JSON) or v1 (lines): the one entry
/// point for every reader, and for fuzzing. The error says what is wrong
/// (for v1, which line).
///
/// # Errors
/// A message when the bytes are not a records file of a known version.
pub fn parse_records(bytes: &[u8]) -> std::result::Result<Records, String> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'{') {
        let file: FileV2<'_> =
            serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if file.format != FORMAT || file.version != VERSION {
            return Err(format!(
                "not an ethcfg records file of version {VERSION} ({:?} version {})",
                file.format, file.version
            ));
        }
        let table = feature_table(&file.features)?;
        let mut out = Records::new();
        for r in file.records {
            let r = r.into_record(&table)?;
            out.insert(r.ifindex, r);
        }
        return Ok(out);
    }
    let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
    let mut out = Records::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let rec = Record::from_v1_line(line)
            .ok_or_else(|| format!("line {} is damaged", n + 1))?;
        out.insert(rec.ifindex, rec);
    }
    Ok(out)
}

/// Writes `records` as a v2 file: one record a line, so a person can
/// still read it.
pub(crate) fn write_records(
    w: &mut impl Write,
    netns: Option<NetnsId>,
    records: &Records,
) -> std::io::Result<()> {
    let table = FeatureTable::of(records);
    w.write_all(b"{\"format\":\"ethcfg-records\",\"version\":2,\"netns\":")?;
    serde_json::to_writer(&mut *w, &netns)?;
    w.write_all(b",\n\"features\":")?;
    serde_json::to_writer(&mut *w, &table.names)?;
    w.write_all(b",\n\"records\":[")?;
    let mut line = Vec::with_capacity(256);
    for (i, r) in records.values().enumerate() {
        line.clear();
        line.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
        push_record(&mut line, r, &table)?;
        w.write_all(&line)?;
    }
    w.write_all(b"\n]}\n")
}

/// The state directory.
#[derive(Debug, Clone)]
pub struct StateDir {
    dir: PathBuf,
    /// The namespace's records kept between runs ([`StateDir::cached`]).
    cache: Option<journal::Shared>,
}

impl PartialEq for StateDir {
    fn eq(&self, o: &StateDir) -> bool {
        self.dir == o.dir
    }
}

impl Eq for StateDir {}

/// Holds the state directory's lock; dropping it unlocks.
#[derive(Debug)]
pub struct StateLock {
    _file: File,
}

fn io(path: &Path, what: &'static str) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::State { path, what, source }
}

fn unsafe_path(path: &Path, reason: impl Into<String>) -> Error {
    Error::StateUnsafe { path: path.to_path_buf(), reason: reason.into() }
}

/// The cookie of the calling thread's network namespace, from a socket
/// made in it; `None` before Linux 5.14 (ENOPROTOOPT).
fn netns_cookie() -> Option<u64> {
    use nix::sys::socket::{
        getsockopt, socket, AddressFamily, SockFlag, SockType,
    };
    // asm-generic's value; the architectures with their own numbering
    // fall back to the inode.
    #[cfg(not(any(target_arch = "sparc64", target_arch = "sparc")))]
    const SO_NETNS_COOKIE: libc::c_int = 71;
    #[derive(Debug, Clone, Copy)]
    struct NetnsCookie;
    #[cfg(not(any(target_arch = "sparc64", target_arch = "sparc")))]
    nix::getsockopt_impl!(
        NetnsCookie,
        libc::SOL_SOCKET,
        SO_NETNS_COOKIE,
        u64,
        nix::sys::socket::sockopt::GetStruct<u64>
    );
    #[cfg(any(target_arch = "sparc64", target_arch = "sparc"))]
    return None;
    #[cfg(not(any(target_arch = "sparc64", target_arch = "sparc")))]
    {
        let fd = socket(
            AddressFamily::Unix,
            SockType::Datagram,
            SockFlag::SOCK_CLOEXEC,
            None,
        )
        .ok()?;
        getsockopt(&fd, NetnsCookie).ok()
    }
}

/// The inode of the calling thread's network namespace
/// (`/proc/thread-self/ns/net` of the live system is `net:[4026531840]`).
fn netns_inode() -> Option<u64> {
    let link = std::fs::read_link(
        Path::new(HostRoot::LIVE_DIR).join("proc/thread-self/ns/net"),
    )
    .ok()?;
    let s = link.to_str()?;
    s.strip_prefix("net:[")?.strip_suffix(']')?.parse().ok()
}

/// The calling thread's namespace: the one whose interfaces this thread's
/// netlink sockets change.
fn netns_id() -> Option<NetnsId> {
    netns_cookie()
        .map(NetnsId::Cookie)
        .or_else(|| netns_inode().map(NetnsId::Inode))
}

/// A fresh, unpredictable suffix for a temp file: std's per-process
/// random hash keys over the pid and the time.
fn random_suffix() -> u64 {
    use std::hash::BuildHasher;
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    std::collections::hash_map::RandomState::new()
        .hash_one((std::process::id(), t))
}

/// Opens `path` for reading without following a symlink or blocking on a
/// FIFO, and checks it is a regular file. `None`: there is none.
fn open_regular(path: &Path) -> Result<Option<File>> {
    let f = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(unsafe_path(path, "it is a symlink"))
        }
        Err(e) => return Err(io(path, "read the state records")(e)),
    };
    let m = f.metadata().map_err(io(path, "read the state records"))?;
    if !m.file_type().is_file() {
        return Err(unsafe_path(path, not_regular(&m)));
    }
    // Checked on the descriptor, as profiles are: a records file others
    // can write would let them choose what revert sends.
    if let Some(why) = crate::fs::untrusted(&m, "state records file") {
        return Err(unsafe_path(path, why));
    }
    Ok(Some(f))
}

/// Records of a file named by the namespace's inode, which a namespace
/// made after this one's end can reuse: a record whose ifindex belongs to
/// a device of another name now is taken for another namespace's, not for
/// a rename (the files named so never followed renames), and dropped, so
/// that revert cannot send it to that device.
fn this_namespace_only(mut records: Records) -> Records {
    records.retain(|&i, r| {
        // nix answers an index no device has with an empty name
        nix::net::if_::if_indextoname(i)
            .ok()
            .filter(|now| !now.is_empty())
            .is_none_or(|now| now.to_bytes() == r.ifname.as_bytes())
    });
    records
}

fn not_regular(m: &std::fs::Metadata) -> &'static str {
    let t = m.file_type();
    if t.is_fifo() {
        "it is a FIFO, not a regular file"
    } else if t.is_dir() {
        "it is a directory, not a regular file"
    } else {
        "it is not a regular file"
    }
}

impl StateDir {
    /// Where records live unless the caller says otherwise (the CLI takes
    /// `ETHCFG_STATE_DIR` when it is set). A tmpfs: a reboot empties it,
    /// as it should, since the interfaces come back in their default state.
    pub const DEFAULT: &'static str = "/run/ethcfg";

    /// A state directory at `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        StateDir { dir: dir.into(), cache: None }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Creates the directory if needed and refuses one that is a symlink,
    /// not a directory, or writable by someone less trusted than us.
    fn ensure(&self) -> Result<()> {
        // As `mkdir -p -m 0700`: missing parents get the default mode (a
        // recursive 0700 would make, say, a whole test tree or a shared
        // /var/lib/something private), the state directory itself 0700.
        if let Some(parent) =
            self.dir.parent().filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent)
                .map_err(io(parent, "create the state directory"))?;
        }
        match std::fs::DirBuilder::new().mode(0o700).create(&self.dir) {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                return Err(io(&self.dir, "create the state directory")(e))
            }
            _ => {}
        }
        self.check_dir()
    }

    fn check_dir(&self) -> Result<()> {
        let m = std::fs::symlink_metadata(&self.dir)
            .map_err(io(&self.dir, "read the state directory"))?;
        if m.file_type().is_symlink() {
            return Err(unsafe_path(
                &self.dir,
                "it is a symlink; give the real directory",
            ));
        }
        if !m.is_dir() {
            return Err(unsafe_path(&self.dir, "it is not a directory"));
        }
        match crate::fs::untrusted(&m, "state directory") {
            None => Ok(()),
            Some(why) => Err(unsafe_path(&self.dir, why)),
        }
    }

    /// Temp files are only written under the lock: any there while we
    /// hold it is a killed run's. Best effort: a leftover is harmless.
    fn remove_stale_temps(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return };
        for e in entries.flatten() {
            let name = e.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.starts_with("records") && name.contains(".tmp") {
                // unlink never follows a symlink.
                let _ = std::fs::remove_file(e.path());
            }
        }
    }

    /// The records file of the calling thread's network namespace —
    /// interface names and indexes are per namespace — and the v1 file
    /// it replaces, if it has another name.
    fn files(&self) -> (PathBuf, Option<NetnsId>, Option<PathBuf>) {
        let id = netns_id();
        let legacy = netns_inode()
            .map(|ino| self.dir.join(format!("records@netns{ino}")));
        match id {
            Some(NetnsId::Cookie(c)) => {
                (self.dir.join(format!("records@cookie{c}")), id, legacy)
            }
            Some(NetnsId::Inode(_)) => (
                legacy.clone().unwrap_or_else(|| self.dir.join("records")),
                id,
                None,
            ),
            None => (self.dir.join("records"), None, None),
        }
    }

    #[cfg(test)]
    fn file(&self) -> PathBuf {
        self.files().0
    }

    /// Every record of this network namespace. A v1 file of the
    /// namespace's inode is read when there is no v2 file yet.
    ///
    /// # Errors
    /// [`Error::State`] when the file cannot be read or is damaged;
    /// [`Error::StateUnsafe`] when it or the directory is not safe.
    pub fn load_all(&self) -> Result<Records> {
        if !self.dir.exists() {
            return Ok(Records::new());
        }
        self.check_dir()?;
        let (file, id, legacy) = self.files_cached();
        match Self::load_file(&file)? {
            Some(r) if matches!(id, Some(NetnsId::Cookie(_))) => Ok(r),
            Some(r) => Ok(this_namespace_only(r)),
            None => match legacy {
                Some(l) => Ok(this_namespace_only(
                    Self::load_file(&l)?.unwrap_or_default(),
                )),
                None => Ok(Records::new()),
            },
        }
    }

    /// The record of `ifname` in the records file of any namespace (the
    /// first by file name): for a copy of another system's state
    /// directory, whose namespaces say nothing about the caller's.
    ///
    /// # Errors
    /// As [`StateDir::load_all`], for the files read.
    pub(crate) fn load_any_namespace(
        &self,
        ifname: &str,
    ) -> Result<Option<Record>> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                    n == "records"
                        || ((n.starts_with("records@netns")
                            || n.starts_with("records@cookie"))
                            && !n.contains('.'))
                })
            })
            .collect();
        files.sort();
        for f in files {
            let all = Self::load_file(&f)?.unwrap_or_default();
            if let Some(r) = by_name(&all, ifname) {
                return Ok(Some(r.clone()));
            }
        }
        Ok(None)
    }

    /// The records of the base file at `path` with its journal applied;
    /// `None` when there is neither.
    fn load_file(path: &Path) -> Result<Option<Records>> {
        let loaded = journal::read_files(path)?;
        Ok(loaded.found.then_some(loaded.records))
    }

    /// The record of device `ifname`, if there is one (by name: the
    /// caller checks the ifindex).
    ///
    /// # Errors
    /// As [`StateDir::load_all`].
    pub fn load(&self, ifname: &str) -> Result<Option<Record>> {
        Ok(by_name(&self.load_all()?, ifname).cloned())
    }

    /// Replaces every record of this namespace, atomically; no records
    /// removes the file. A v1 file it replaces goes.
    ///
    /// # Errors
    /// [`Error::State`]; [`Error::StateUnsafe`].
    pub fn store_all(&self, records: &Records) -> Result<()> {
        let (path, id, legacy) = self.files_cached();
        if records.is_empty() {
            let journal = journal::journal_path(&path);
            // The base first: a journal left by a failure here names it,
            // so it is ignored as stale.
            for p in std::iter::once(&path)
                .chain(std::iter::once(&journal))
                .chain(legacy.as_ref())
            {
                match std::fs::remove_file(p) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(io(p, "remove the state records")(e))
                    }
                    _ => {}
                }
            }
            return Ok(());
        }
        self.replace_records(|w| write_records(w, id, records))
    }

    /// Replaces the namespace's records file, atomically, with what
    /// `write` writes; the v1 file it replaces goes, and the journal is
    /// folded in.
    fn replace_records(
        &self,
        // A concrete writer, not `dyn Write`: serde_json writes a records
        // file in many small pieces, each a call through a vtable otherwise
        // (a third of a thousand-interface write).
        write: impl FnOnce(&mut std::io::BufWriter<File>) -> std::io::Result<()>,
    ) -> Result<()> {
        let (path, _, legacy) = self.files_cached();
        self.ensure()?;
        let mut name = path.file_name().unwrap_or_default().to_owned();
        name.push(format!(".tmp{:016x}", random_suffix()));
        let tmp = path.with_file_name(name);
        // O_EXCL|O_NOFOLLOW: never through a planted symlink, never into
        // someone else's file.
        let f = OpenOptions::new()
            .create_new(true)
            .write(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&tmp)
            .map_err(io(&tmp, "write the state records"))?;
        // Written in 64 KiB pieces rather than built whole.
        let written = (|| -> std::io::Result<()> {
            let mut w = std::io::BufWriter::with_capacity(64 * 1024, f);
            write(&mut w)?;
            // No fsync: the rename makes the replacement atomic, and records
            // live in /run (tmpfs), which a reboot empties anyway — as it
            // should: the interfaces come back in their default state.
            w.into_inner().map_err(std::io::IntoInnerError::into_error)?;
            Ok(())
        })()
        .map_err(io(&tmp, "write the state records"))
        .and_then(|()| {
            std::fs::rename(&tmp, &path)
                .map_err(io(&path, "write the state records"))
        });
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        if let Some(l) = legacy.filter(|l| *l != path) {
            let _ = std::fs::remove_file(l);
        }
        // Folded in: its lines are in the base now. Should this fail, its
        // head names the replaced base, so it is ignored as stale.
        let _ = std::fs::remove_file(journal::journal_path(&path));
        Ok(())
    }

    /// Removes every record named `ifname` — stale ones of devices gone,
    /// and the current device's — without touching any device. Returns
    /// how many went.
    ///
    /// # Errors
    /// [`Error::State`]; [`Error::StateUnsafe`].
    pub fn forget(&self, ifname: &str) -> Result<usize> {
        let mut all = self.load_all()?;
        let n = all.len();
        all.retain(|_, r| r.ifname != ifname);
        let gone = n - all.len();
        if gone > 0 {
            self.store_all(&all)?;
        }
        Ok(gone)
    }

    /// Removes the record of `ifname` (no record is fine).
    ///
    /// # Errors
    /// [`Error::State`].
    pub fn remove(&self, ifname: &str) -> Result<()> {
        self.forget(ifname).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_load_keep_earliest_remove() {
        let d = std::env::temp_dir()
            .join(format!("ethcfg-state-{}", std::process::id()));
        let s = StateDir::new(&d);
        let _l = s.lock().unwrap();
        assert_eq!(s.load("eth0").unwrap(), None);
        let mut r = Record::new("eth0", 2, "set");
        r.keep_earliest(RecordedFeature::new("rx-gro", false, true));
        r.keep_earliest(RecordedFeature::new("rx-gro", true, true)); // later: ignored
        r.keep_earliest(RecordedFeature::new("tx-scatter-gather", true, false));
        r.keep_earliest_setting(RecordedSetting::new(
            Group::Rings,
            "rx",
            Value::Num(256),
        ));
        r.keep_earliest_setting(RecordedSetting::new(
            Group::Rings,
            "rx",
            Value::Num(4096),
        )); // later: ignored
        r.keep_earliest_setting(RecordedSetting::new(
            Group::PrivateFlags,
            "legacy-rx",
            Value::Bool(true),
        ));
        let mut all = Records::new();
        all.insert(2, r.clone());
        let mut other = Record::new("br_lan.10", 9, "capture");
        other.keep_earliest(RecordedFeature::new(
            "rx-vlan-hw-parse",
            true,
            true,
        ));
        all.insert(9, other);
        s.store_all(&all).unwrap();
        assert_eq!(s.load_all().unwrap(), all);
        assert_eq!(s.load("eth0").unwrap().unwrap().features, r.features);
        s.remove("eth0").unwrap();
        assert_eq!(s.load("eth0").unwrap(), None);
        s.remove("br_lan.10").unwrap();
        assert!(!s.file().exists(), "no records, no file");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn another_systems_records_are_found_in_any_namespace() {
        let d = std::env::temp_dir()
            .join(format!("ethcfg-state-any-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        let line = |ifname: &str, by: &str| {
            format!("# ethcfg state records v1\n{ifname} 2 {by} 1795323749\n")
        };
        std::fs::write(d.join("records@netns4026531840"), line("eno1", "a"))
            .unwrap();
        std::fs::write(d.join("records@netns4026532000"), line("eth0", "b"))
            .unwrap();
        // a write in progress is not a records file
        std::fs::write(
            d.join("records@netns4026532000.tmp9"),
            line("eno2", "c"),
        )
        .unwrap();
        let s = StateDir::new(&d);
        assert_eq!(s.load_any_namespace("eno1").unwrap().unwrap().by, "a");
        assert_eq!(s.load_any_namespace("eth0").unwrap().unwrap().by, "b");
        assert_eq!(s.load_any_namespace("eno2").unwrap(), None);
        assert_eq!(
            StateDir::new(d.join("missing"))
                .load_any_namespace("eno1")
                .unwrap(),
            None
        );
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_damaged_file_is_an_error_naming_the_line() {
        let d = std::env::temp_dir()
            .join(format!("ethcfg-state-bad-{}", std::process::id()));
        let s = StateDir::new(&d);
        std::fs::create_dir_all(&d).unwrap();
        for bad in [
            "eth0 2 set",
            "eth0 x set 1",
            "eth0 2 set 1 rx-gro=2",
            "eth0 2 set 1 rx-gro=111",
            "eth0 2 set 1 =11",
            "\u{0}",
        ] {
            std::fs::write(s.file(), format!("# v1\n{bad}\n")).unwrap();
            let e = s.load_all().unwrap_err();
            assert!(
                e.to_string().contains("line 2 is damaged"),
                "{bad:?}: {e}"
            );
        }
        std::fs::remove_dir_all(&d).unwrap();
    }

    fn fresh(tag: &str) -> PathBuf {
        let d = std::env::temp_dir()
            .join(format!("ethcfg-state-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    /// record_prior works a word at a time when the record is on the
    /// kernel's table, bit by bit otherwise: the same records either way,
    /// for new records and for ones other runs and sources made.
    #[test]
    fn record_prior_is_the_same_on_the_kernels_table_and_on_another() {
        use crate::ethtool::features::Features;
        let table: Arc<Vec<FeatureName>> = Arc::new(
            [
                "tx-scatter-gather",
                "",
                "rx-gro",
                "rx-checksum",
                "highdma",
                "",
                "tx-x",
            ]
            .map(FeatureName::from)
            .to_vec(),
        );
        let other: Arc<Vec<FeatureName>> = Arc::new(table.to_vec());
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..300 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let f = Features::of_bitmaps(
                &table,
                vec![x, x >> 8, x >> 16 & x >> 24],
            );
            let mut fast = Record::new("eth0", 7, "a");
            let mut general = Record::new("eth0", 7, "a");
            fast.start_features_on(&table);
            general.start_features_on(&other);
            // An earlier run's state of one feature, the same in both.
            for r in [&mut fast, &mut general] {
                let mut pre = RecordedFeature::new("rx-gro", x & 1 == 1, true);
                pre.owners = Sources::only(Source::Watch);
                r.keep_earliest(pre);
            }
            for (round, source) in [Source::Cli, Source::Config, Source::Cli]
                .into_iter()
                .enumerate()
            {
                let asked: Vec<u32> = (0..7u32)
                    .filter(|b| (x >> (b + round as u32 * 7)) & 1 == 1)
                    .collect();
                fast.record_prior(&f, &asked, source);
                general.record_prior(&f, &asked, source);
                assert_eq!(fast, general, "{x:x} round {round}");
            }
        }
    }

    /// The records writer puts the usual line together itself: it must be
    /// byte for byte what serde_json writes for the record's [`RecordV2`],
    /// for names and `by`s that need escaping, any numbers, and records it
    /// hands to serde (settings, items another source owns).
    #[test]
    fn a_records_line_is_what_serde_writes_for_it() {
        let mut all = Records::new();
        let mut plain = Record::new("eth0", 2, "e1000e-hang-safe");
        plain.keep_earliest(RecordedFeature::new("rx-gro", true, true));
        plain.keep_earliest(RecordedFeature::new(
            "tx-scatter-gather",
            false,
            true,
        ));
        all.insert(2, plain);
        let mut odd = Record::new("a\"b\\c\u{1}\u{7f}é", 3, "tool \"x\"\n\t</");
        odd.last_by = "ü\u{2028}".into();
        odd.created = u64::MAX;
        odd.last_at = 0;
        odd.source = Source::Watch;
        odd.keep_earliest(RecordedFeature::new("highdma", true, false));
        all.insert(3, odd);
        all.insert(4, Record::new("", u32::MAX, ""));
        let mut set = Record::new("eno1", 5, "set");
        set.keep_earliest_setting(RecordedSetting::new(
            Group::Rings,
            "rx",
            Value::Num(256),
        ));
        all.insert(5, set);
        let mut shared = Record::new("eno2", 6, "capture");
        let mut f = RecordedFeature::new("rx-gro", true, true);
        f.managed = true;
        f.owners = Sources::only(Source::Config);
        f.owners.insert(Source::Cli);
        shared.keep_earliest(f);
        all.insert(6, shared);
        let table = FeatureTable::of(&all);
        for r in all.values() {
            let mut fast = Vec::new();
            push_record(&mut fast, r, &table).unwrap();
            let serde = serde_json::to_vec(&RecordV2::new(r, &table)).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&fast),
                String::from_utf8_lossy(&serde),
                "{}",
                r.ifname
            );
        }
    }

    #[test]
    fn any_name_and_any_by_round_trip_without_corrupting_the_file() {
        let d = fresh("names");
        let s = StateDir::new(&d);
        let _l = s.lock().unwrap();
        let mut all = Records::new();
        let mut r = Record::new("#hash", 7, "my tool v2\nrun 3 #x\t\"q\"");
        r.source = Source::Hook;
        r.keep_earliest(RecordedFeature::new("rx-gro", false, false));
        all.insert(7, r);
        all.insert(8, Record::new("x y", 8, " "));
        all.insert(9, Record::new("ok", 9, "set"));
        s.store_all(&all).unwrap();
        assert_eq!(s.load_all().unwrap(), all);
        assert_eq!(s.load("#hash").unwrap().unwrap().ifindex, 7);
        assert_eq!(s.load("ok").unwrap().unwrap().by, "set");
        std::fs::remove_dir_all(&d).unwrap();
    }

    /// A v1 file is named by the namespace's inode, which a later
    /// namespace reuses: a record at an ifindex another device holds now
    /// is not taken for a rename of it.
    #[test]
    fn a_v1_record_at_the_index_of_another_device_is_an_older_namespace_s() {
        let Some(ino) = netns_inode() else { return };
        let d = fresh("v1-reused");
        let s = StateDir::new(&d);
        let _l = s.lock().unwrap();
        // ifindex 1 is lo in every namespace
        std::fs::write(
            d.join(format!("records@netns{ino}")),
            "# ethcfg state records v1: ...\neno1 1 set 1795323749 rx-gro=11\n",
        )
        .unwrap();
        assert_eq!(s.load_all().unwrap(), Records::new());
        std::fs::write(
            d.join(format!("records@netns{ino}")),
            "# ethcfg state records v1: ...\nlo 1 set 1795323749 rx-gro=11\n",
        )
        .unwrap();
        let all = s.load_all().unwrap();
        assert_eq!(
            all.values().map(|r| r.ifname.as_str()).collect::<Vec<_>>(),
            ["lo"]
        );
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_v1_file_is_read_and_rewritten_as_v2() {
        let Some(ino) = netns_inode() else { return };
        let d = fresh("v1");
        let s = StateDir::new(&d);
        let _l = s.lock().unwrap();
        let v1 = d.join(format!("records@netns{ino}"));
        std::fs::write(
            &v1,
            // an ifindex no device here has (one that another device
            // holds is read as an older namespace's: see the next test)
            "# ethcfg state records v1: ...\neno1 2147483632 e1000e-hang-safe 1795323749 rx-gro=11 rings/rx=256\n",
        )
        .unwrap();
        let all = s.load_all().unwrap();
        let r = all.get(&2147483632).unwrap();
        assert_eq!(
            (r.ifname.as_str(), r.by.as_str()),
            ("eno1", "e1000e-hang-safe")
        );
        assert_eq!(
            r.features.to_vec(),
            [RecordedFeature::new("rx-gro", true, true)]
        );
        s.store_all(&all).unwrap();
        assert_eq!(s.load_all().unwrap(), all);
        if netns_cookie().is_some() {
            assert!(!v1.exists(), "the v1 file is replaced");
            let text = std::fs::read_to_string(s.file()).unwrap();
            assert!(
                text.starts_with(
                    "{\"format\":\"ethcfg-records\",\"version\":2"
                ),
                "{text}"
            );
        }
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn an_untrusted_directory_and_planted_files_are_refused() {
        use std::os::unix::fs::PermissionsExt;
        // a 0777 directory: anyone could plant the lock or the temp file
        let d = fresh("0777");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o777))
            .unwrap();
        let e = StateDir::new(&d).lock().unwrap_err();
        assert!(matches!(e, Error::StateUnsafe { .. }), "{e}");
        assert!(e.to_string().contains("world-writable"), "{e}");
        let mut one = Records::new();
        one.insert(2, Record::new("eth0", 2, "set"));
        assert!(StateDir::new(&d).store_all(&one).is_err());
        assert_eq!(
            std::fs::read_dir(&d).unwrap().count(),
            0,
            "nothing created"
        );
        std::fs::remove_dir_all(&d).unwrap();

        // a symlink as the lock or the records: refused, the target untouched
        let d = fresh("planted");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700))
            .unwrap();
        let target = d.with_extension("target");
        std::fs::write(&target, "precious").unwrap();
        std::os::unix::fs::symlink(&target, d.join("lock")).unwrap();
        let e = StateDir::new(&d).lock().unwrap_err();
        assert!(e.to_string().contains("symlink"), "{e}");
        std::fs::remove_file(d.join("lock")).unwrap();
        let s = StateDir::new(&d);
        std::os::unix::fs::symlink(&target, s.file()).unwrap();
        let e = s.load_all().unwrap_err();
        assert!(e.to_string().contains("symlink"), "{e}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
        std::fs::remove_file(s.file()).unwrap();

        // the directory itself a symlink
        let link = d.with_extension("link");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&d, &link).unwrap();
        let e = StateDir::new(&link).lock().unwrap_err();
        assert!(e.to_string().contains("symlink"), "{e}");
        std::fs::remove_file(&link).unwrap();
        std::fs::remove_file(&target).unwrap();
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_fifo_as_lock_or_records_is_an_error_not_a_hang() {
        let d = fresh("fifo");
        std::fs::create_dir_all(&d).unwrap();
        let s = StateDir::new(&d);
        let mkfifo = |p: &Path| {
            let ok = std::process::Command::new("mkfifo")
                .arg(p)
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "mkfifo {}", p.display());
        };
        mkfifo(&s.file());
        let e = s.load_all().unwrap_err();
        assert!(e.to_string().contains("FIFO"), "{e}");
        mkfifo(&d.join("lock"));
        let e = s.lock().unwrap_err();
        assert!(e.to_string().contains("FIFO"), "{e}");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn temp_files_have_unpredictable_names_and_stale_ones_go_at_the_next_lock()
    {
        let d = fresh("temps");
        let s = StateDir::new(&d);
        std::fs::create_dir_all(&d).unwrap();
        let stale = d.join("records@cookie1.tmp1234");
        std::fs::write(&stale, "half").unwrap();
        let _l = s.lock().unwrap();
        assert!(!stale.exists(), "a killed run's temp file is removed");
        assert_ne!(random_suffix(), random_suffix());
        let mut one = Records::new();
        one.insert(2, Record::new("eth0", 2, "set"));
        s.store_all(&one).unwrap();
        let names: Vec<String> = std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(names.iter().all(|n| !n.contains(".tmp")), "{names:?}");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_records_file_over_the_cap_is_refused() {
        let d = fresh("cap");
        std::fs::create_dir_all(&d).unwrap();
        let s = StateDir::new(&d);
        let f = std::fs::File::create(s.file()).unwrap();
        f.set_len(MAX_RECORDS_BYTES + 1).unwrap();
        let e = s.load_all().unwrap_err();
        assert!(e.to_string().contains("larger than"), "{e}");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn sources_per_item_round_trip_and_old_files_read_as_the_record_source() {
        let mut r = Record::new("eno1", 2, "e1000e-hang-safe");
        r.source = Source::Hook;
        let mut gro = RecordedFeature::new("rx-gro", true, true);
        gro.owners = Sources::only(Source::Hook);
        gro.owners.insert(Source::Cli);
        r.keep_earliest(gro);
        r.keep_earliest(RecordedFeature::new("tx-scatter-gather", true, true));
        let mut lro = RecordedFeature::new("rx-lro", false, false);
        lro.managed = false;
        r.keep_earliest(lro);
        let mut ring =
            RecordedSetting::new(Group::Rings, "rx", Value::Num(256));
        ring.owners = Sources::only(Source::Config);
        r.keep_earliest_setting(ring);
        let mut all = Records::new();
        all.insert(2, r.clone());
        let mut buf = Vec::new();
        write_records(&mut buf, None, &all).unwrap();
        let text = String::from_utf8(buf.clone()).unwrap();
        assert!(text.contains("\"owners\":[{\"source\":\"cli\""), "{text}");
        let back = parse_records(&buf).unwrap();
        let b = back.get(&2).unwrap();
        let owners: Vec<(String, Vec<Source>)> = b
            .features
            .iter()
            .map(|f| (f.name.to_string(), b.owners(&f).iter().collect()))
            .collect();
        assert_eq!(
            owners,
            [
                ("rx-gro".into(), vec![Source::Cli, Source::Hook]),
                ("tx-scatter-gather".into(), vec![Source::Hook]),
                ("rx-lro".into(), vec![]),
            ]
        );
        assert_eq!(
            b.settings.iter().map(|s| b.setting_owners(s)).collect::<Vec<_>>(),
            [Sources::only(Source::Config)]
        );
        // One source for everything: the file is as before sources per
        // item, and reads back the same.
        let mut plain = Records::new();
        plain.insert(3, Record::new("eth0", 3, "set"));
        if let Some(p) = plain.get_mut(&3) {
            p.keep_earliest(RecordedFeature::new("rx-gro", true, true));
        }
        let mut buf = Vec::new();
        write_records(&mut buf, None, &plain).unwrap();
        assert!(!String::from_utf8_lossy(&buf).contains("owners"));
        let p = parse_records(&buf).unwrap();
        let p = p.get(&3).unwrap();
        assert_eq!(
            p.owners(&p.features.to_vec()[0]),
            Sources::only(Source::Cli)
        );
        // Releasing: the hook lets go; the person's stays managed.
        let mut b = b.clone();
        assert!(b.release(Source::Hook));
        let bf = b.features.to_vec();
        assert!(bf[0].managed && !bf[1].managed);
        assert!(!b.managed_by(Source::Hook) && b.manages_anything());
    }

    #[test]
    fn only_the_state_directory_itself_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let base = std::env::temp_dir()
            .join(format!("ethcfg-state-parents-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        StateDir::new(base.join("a/b/state")).ensure().unwrap();
        // what the same umask gives a directory made without a mode
        std::fs::create_dir_all(base.join("control")).unwrap();
        let mode = |p: &str| {
            std::fs::metadata(base.join(p)).unwrap().permissions().mode()
                & 0o777
        };
        assert_eq!(mode("a"), mode("control"));
        assert_eq!(mode("a/b"), mode("control"));
        assert_eq!(mode("a/b/state"), 0o700);
        std::fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn records_read_from_a_file_move_onto_the_kernels_table_unchanged() {
        let file = |features: &str, table: &str| {
            format!(
                r#"{{"format":"ethcfg-records","version":2,"netns":null,"features":{table},"records":[{{"ifname":"e","ifindex":2,"source":"hook","by":"set","created":1,"last_by":"set","last_at":1,"features":"{features}","settings":[],"owners":[{{"source":"cli","features":"10"}}]}}]}}"#
            )
        };
        let kernel: Arc<Vec<FeatureName>> = Arc::new(
            ["", "tx-scatter-gather", "x", "rx-gro"]
                .into_iter()
                .map(FeatureName::from)
                .collect(),
        );
        let read = parse_records(
            file("f3", r#"["rx-gro","tx-scatter-gather"]"#).as_bytes(),
        )
        .unwrap();
        let mut moved = read.clone();
        rebase(&mut moved, &kernel);
        let r = moved.get(&2).unwrap();
        assert!(Arc::ptr_eq(r.features.table(), &kernel));
        assert_eq!(moved, read);
        assert_eq!(r.features.states(), [0, 3, 0, 0x1f]);
        // written again, it is the same file
        let mut a = Vec::new();
        let mut b = Vec::new();
        write_records(&mut a, None, &read).unwrap();
        write_records(&mut b, None, &moved).unwrap();
        assert_eq!(parse_records(&a).unwrap(), parse_records(&b).unwrap());
        // a feature this kernel does not name: the record keeps its table
        let other = parse_records(
            file("f3", r#"["rx-gro","tx-lost-feature"]"#).as_bytes(),
        )
        .unwrap();
        let mut kept = other.clone();
        rebase(&mut kept, &kernel);
        assert!(!Arc::ptr_eq(kept.get(&2).unwrap().features.table(), &kernel));
        assert_eq!(kept, other);
    }

    #[test]
    fn a_damaged_v2_file_is_an_error_not_a_panic() {
        let rec = |features: &str| {
            format!(
                r#"{{"format":"ethcfg-records","version":2,"netns":null,"features":["rx-gro","tx-scatter-gather"],"records":[{{"ifname":"e","ifindex":2,"source":"cli","by":"set","created":1,"last_by":"set","last_at":1,"features":"{features}","settings":[]}}]}}"#
            )
        };
        let ok = parse_records(rec("f0").as_bytes()).unwrap();
        assert_eq!(
            ok.get(&2).unwrap().features.to_vec(),
            [RecordedFeature::new("rx-gro", true, true)]
        );
        for bad in [
            rec("f0").replace("\"tx-scatter-gather\"]", "\"rx-gro\"]"),
            rec("f"),
            rec("fz"),
            rec("f2"),
            rec("f00"),
            rec("f0").replace("\"version\":2", "\"version\":3"),
            rec("f0").replace("\"source\":\"cli\"", "\"source\":\"x\""),
            rec("f0").replace("\"settings\":[]", "\"settings\":[],\"x\":1"),
            rec("f0").replace("\"settings\":[]", "\"settings\":[{\"group\":\"nope\",\"key\":\"rx\",\"value\":1,\"managed\":true}]"),
            // owners: of the right width, of managed items, 0 or 1
            rec("f0").replace("\"settings\":[]", "\"settings\":[],\"owners\":[{\"source\":\"hook\",\"features\":\"1\"}]"),
            rec("f0").replace("\"settings\":[]", "\"settings\":[],\"owners\":[{\"source\":\"hook\",\"features\":\"01\"}]"),
            rec("f0").replace("\"settings\":[]", "\"settings\":[],\"owners\":[{\"source\":\"hook\",\"features\":\"20\"}]"),
            rec("f0").replace("\"settings\":[]", "\"settings\":[],\"owners\":[{\"source\":\"hook\",\"features\":\"10\",\"settings\":[\"rings/rx\"]}]"),
            "{".to_owned(),
        ] {
            assert!(parse_records(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_configuration_s_sources_are_config_and_watch() {
        assert_eq!(
            Sources::CONFIG,
            Sources::only(Source::Config) | Sources::only(Source::Watch)
        );
        let both = Sources::CONFIG | Sources::only(Source::Cli);
        assert!(both.intersects(Sources::only(Source::Watch)));
        assert!(!Sources::CONFIG.intersects(Sources::only(Source::Hook)));
        assert_eq!(both.without(Sources::CONFIG), Sources::only(Source::Cli));
    }
}
