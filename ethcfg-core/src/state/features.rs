//! The feature states one record holds. A record keeps the state before
//! of *every* changeable feature of its interface (sixty on a veth), so a
//! thousand interfaces' records are sixty thousand states: held as one
//! byte each, against a table of names that the records of one run (the
//! kernel's names, by bit) or of one file share, instead of sixty
//! thousand separate values each holding its name. A record made by a run
//! uses the kernel's table as it is, so a feature's slot is its bit index.
//!
//! Layer: state. May use: `crate::ethtool::features`.

use std::fmt;
use std::sync::Arc;

use super::{RecordedFeature, Sources};
use crate::ethtool::features::{FeatureName, Features};

/// Bits of a state byte, also each feature's hex digit in a records
/// file; the high nibble is the owners ([`Sources`]).
pub(super) const RECORDED: u8 = 1;
pub(super) const ACTIVE: u8 = 2;
pub(super) const REQUESTED: u8 = 4;
pub(super) const MANAGED: u8 = 8;
const OWNERS_SHIFT: u8 = 4;

/// The features of one record and the state of each before ethcfg's first
/// change. Iterating gives the recorded ones as [`RecordedFeature`]s, in
/// the order of the record's table. Equality compares what is recorded,
/// whatever the tables.
#[derive(Clone, Default)]
pub struct RecordedFeatures {
    names: Arc<Vec<FeatureName>>,
    /// One per name (a name past the end is not recorded).
    states: Vec<u8>,
}

/// One feature's byte.
pub(super) fn state_of(f: &RecordedFeature) -> u8 {
    RECORDED
        | if f.active { ACTIVE } else { 0 }
        | if f.requested { REQUESTED } else { 0 }
        | if f.managed { MANAGED } else { 0 }
        | f.owners.0 << OWNERS_SHIFT
}

/// The owners of a state byte, as stored.
pub(super) fn owners_in(state: u8) -> Sources {
    Sources(state >> OWNERS_SHIFT)
}

/// `state` with `owners` stored.
pub(super) fn with_owners(state: u8, owners: Sources) -> u8 {
    (state & 0x0f) | owners.0 << OWNERS_SHIFT
}

/// The same name: the same shared string, or equal text.
fn same_name(a: &str, b: &str) -> bool {
    (std::ptr::eq(a.as_ptr(), b.as_ptr()) && a.len() == b.len()) || a == b
}

impl RecordedFeatures {
    /// None recorded.
    pub fn new() -> Self {
        Self::default()
    }

    /// States read from a file: `states[i]` of `names[i]`.
    pub(super) fn from_states(
        names: Arc<Vec<FeatureName>>,
        states: Vec<u8>,
    ) -> Self {
        RecordedFeatures { names, states }
    }

    /// How many features are recorded.
    pub fn len(&self) -> usize {
        self.states.iter().filter(|s| **s & RECORDED != 0).count()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        !self.states.iter().any(|s| *s & RECORDED != 0)
    }

    /// The recorded features, in the table's order.
    pub fn iter(&self) -> impl Iterator<Item = RecordedFeature> + '_ {
        self.slots().map(|(name, s)| entry(name, s))
    }

    /// The recorded feature named `name`.
    pub fn get(&self, name: &str) -> Option<RecordedFeature> {
        let slot = self.slot(name, 0)?;
        let s = self.state(slot);
        let name = self.names.get(slot)?;
        (s & RECORDED != 0).then(|| entry(name, s))
    }

    /// Whether `name` is recorded.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The recorded features as values (tests, comparisons).
    pub fn to_vec(&self) -> Vec<RecordedFeature> {
        self.iter().collect()
    }

    /// The recorded slots: name and state byte.
    pub(super) fn slots(&self) -> impl Iterator<Item = (&FeatureName, u8)> {
        self.names
            .iter()
            .zip(self.states.iter().copied())
            .filter(|(_, s)| s & RECORDED != 0)
    }

    /// Every slot's state byte, mutably.
    pub(super) fn states_mut(&mut self) -> &mut [u8] {
        &mut self.states
    }

    /// Every slot's state byte.
    pub(super) fn states(&self) -> &[u8] {
        &self.states
    }

    /// The states, when the slots are `table`'s bits (one slot per bit,
    /// every bit of the table there).
    pub(super) fn states_on_mut(
        &mut self,
        table: &Arc<Vec<FeatureName>>,
    ) -> Option<&mut [u8]> {
        (Arc::ptr_eq(&self.names, table) && self.states.len() >= table.len())
            .then_some(self.states.as_mut_slice())
    }

    /// The table of names the slots are of.
    pub(super) fn table(&self) -> &Arc<Vec<FeatureName>> {
        &self.names
    }

    pub(super) fn state(&self, slot: usize) -> u8 {
        self.states.get(slot).copied().unwrap_or(0)
    }

    pub(super) fn set_state(&mut self, slot: usize, state: u8) {
        if self.states.len() <= slot {
            self.states.resize(slot + 1, 0);
        }
        if let Some(s) = self.states.get_mut(slot) {
            *s = state;
        }
    }

    /// `name`'s slot, looked for at `guess` first.
    pub(super) fn slot(&self, name: &str, guess: usize) -> Option<usize> {
        match self.names.get(guess) {
            Some(n) if same_name(n, name) => Some(guess),
            _ => self.names.iter().position(|n| same_name(n, name)),
        }
    }

    /// `name`'s slot, added (unrecorded) when the table has none. A table
    /// shared with other records is copied first.
    pub(super) fn slot_or_add(&mut self, name: &FeatureName) -> usize {
        if let Some(slot) = self.slot(name, 0) {
            return slot;
        }
        Arc::make_mut(&mut self.names).push(name.clone());
        self.names.len() - 1
    }

    /// The slot of `before`'s bit `b`: the bit itself when this record's
    /// table is the kernel's.
    pub(super) fn slot_of_bit(
        &mut self,
        before: &Features,
        b: u32,
    ) -> Option<usize> {
        if Arc::ptr_eq(&self.names, before.table()) {
            return Some(b as usize);
        }
        let name = before.name(b)?;
        Some(self.slot_or_add(name))
    }

    /// The state byte of `before`'s bit `b` (0: not recorded).
    pub(super) fn state_of_bit(&self, before: &Features, b: u32) -> u8 {
        if Arc::ptr_eq(&self.names, before.table()) {
            return self.state(b as usize);
        }
        before
            .name(b)
            .and_then(|n| self.slot(n, 0))
            .map_or(0, |slot| self.state(slot))
    }

    /// The same states on `table`, when it names every recorded feature:
    /// `slots[i]` is where slot `i` goes. Returns whether it moved.
    pub(super) fn move_to(
        &mut self,
        table: &Arc<Vec<FeatureName>>,
        slots: &[Option<usize>],
    ) -> bool {
        let mut states = vec![0; table.len()];
        for (i, &st) in self.states.iter().enumerate() {
            if st & RECORDED == 0 {
                continue;
            }
            match slots
                .get(i)
                .copied()
                .flatten()
                .and_then(|j| states.get_mut(j))
            {
                Some(out) => *out = st,
                None => return false,
            }
        }
        self.names = Arc::clone(table);
        self.states = states;
        true
    }

    /// A record's first states, straight from a read: `table` is the
    /// kernel's.
    pub(super) fn start(&mut self, table: &Arc<Vec<FeatureName>>) {
        self.names = Arc::clone(table);
        self.states.clear();
        self.states.resize(table.len(), 0);
    }

    fn sorted(&self) -> Vec<(&str, u8)> {
        let mut v: Vec<(&str, u8)> =
            self.slots().map(|(n, s)| (n.as_str(), s)).collect();
        v.sort_unstable();
        v
    }
}

fn entry(name: &FeatureName, s: u8) -> RecordedFeature {
    RecordedFeature {
        name: name.clone(),
        active: s & ACTIVE != 0,
        requested: s & REQUESTED != 0,
        managed: s & MANAGED != 0,
        owners: owners_in(s),
    }
}

impl PartialEq for RecordedFeatures {
    fn eq(&self, o: &Self) -> bool {
        self.sorted() == o.sorted()
    }
}

impl Eq for RecordedFeatures {}

impl fmt::Debug for RecordedFeatures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> IntoIterator for &'a RecordedFeatures {
    type Item = RecordedFeature;
    type IntoIter = Box<dyn Iterator<Item = RecordedFeature> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl FromIterator<RecordedFeature> for RecordedFeatures {
    fn from_iter<I: IntoIterator<Item = RecordedFeature>>(it: I) -> Self {
        let mut out = RecordedFeatures::new();
        for f in it {
            let slot = out.slot_or_add(&f.name);
            out.set_state(slot, state_of(&f));
        }
        out
    }
}
