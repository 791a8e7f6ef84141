//! Every ethtool setting besides the offload features: ring sizes
//! (`ethtool -g/-G`), channel counts (`-l/-L`), interrupt coalescing
//! (`-c/-C`), pause frames (`-a/-A`), Energy-Efficient Ethernet
//! (`--show-eee/--set-eee`) and the driver's private flags
//! (`--show-priv-flags/--set-priv-flags`), read and set over netlink.
//!
//! Setting follows the feature discipline: read and plan first (unknown
//! keys, values above the device's maximum and groups the driver lacks are
//! errors before anything is sent; values already as asked are dropped),
//! then one SET per group carrying only the values asked for, then a
//! re-read, and a [`Status`] per value saying what the driver did:
//! applied, adjusted (e1000e rounds ring sizes up to a multiple of 8), or
//! refused (an errno, or a success that kept the old value).
//!
//! ```no_run
//! use ethcfg_core::{blocking::Client, IfaceRef};
//! use ethcfg_core::settings::{Group, SettingsRequest, Target};
//!
//! let mut client = Client::new()?;
//! let eno1 = IfaceRef::by_name("eno1")?;
//! let req = SettingsRequest::new()
//!     .set(Group::Rings, "rx", Target::Max)
//!     .set(Group::Pause, "rx", Target::Bool(false));
//! let plan = client.plan_settings(&eno1, &req)?;
//! for c in client.execute_settings(&plan)? {
//!     // e.g. "rings rx: 256 -> 4096 (applied)"
//!     println!("{} {}: {} -> {} ({})", c.group, c.key, c.from, c.now, c.status);
//! }
//! # Ok::<(), ethcfg_core::Error>(())
//! ```
//!
//! Keys are the names `ethtool --json` uses where it has them (see
//! [`Group`]); private flags are the driver's own names.

use std::fmt;

pub use crate::ethtool::status::Status;

pub(crate) mod keys;
pub(crate) mod plan;
pub(crate) mod read;

#[cfg(test)]
mod tests;

/// A group of settings: one ethtool netlink message pair each.
///
/// Keys per group (settable; read-only values in parentheses):
/// - rings: `rx`, `rx-mini`, `rx-jumbo`, `tx` (`rx-max`, `rx-mini-max`,
///   `rx-jumbo-max`, `tx-max`)
/// - channels: `rx`, `tx`, `other`, `combined` (`rx-max`, `tx-max`,
///   `other-max`, `combined-max`)
/// - coalesce: `rx-usecs`, `rx-frames`, `rx-usecs-irq`, `rx-frames-irq`,
///   `tx-usecs`, `tx-frames`, `tx-usecs-irq`, `tx-frames-irq`,
///   `stats-block-usecs`, `adaptive-rx`, `adaptive-tx`, `pkt-rate-low`,
///   `rx-usecs-low`, `rx-frame-low`, `tx-usecs-low`, `tx-frame-low`,
///   `pkt-rate-high`, `rx-usecs-high`, `rx-frame-high`, `tx-usecs-high`,
///   `tx-frame-high`, `sample-interval`, `cqe-mode-rx`, `cqe-mode-tx`
///   (`ethtool -C`'s spellings `rx-frames-low` etc. are accepted too)
/// - pause: `autoneg`, `rx`, `tx`
/// - eee: `enabled`, `tx-lpi`, `tx-lpi-timer` (`active`); `ethtool
///   --set-eee`'s `eee` and `tx-timer` are accepted too
/// - private-flags: the driver's flag names
///
/// A key the driver does not implement is absent from what the device
/// reports (for rings and channels: a maximum of 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Group {
    /// Ring sizes (`RINGS_GET`/`RINGS_SET`).
    Rings,
    /// Channel counts (`CHANNELS_GET`/`CHANNELS_SET`).
    Channels,
    /// Interrupt coalescing (`COALESCE_GET`/`COALESCE_SET`).
    Coalesce,
    /// Pause frames, flow control (`PAUSE_GET`/`PAUSE_SET`).
    Pause,
    /// Energy-Efficient Ethernet (`EEE_GET`/`EEE_SET`).
    Eee,
    /// The driver's private flags (`PRIVFLAGS_GET`/`PRIVFLAGS_SET`).
    PrivateFlags,
}

impl Group {
    /// Every group, in the order they are read, set and reported.
    pub const ALL: [Group; 6] = [
        Group::Rings,
        Group::Channels,
        Group::Coalesce,
        Group::Pause,
        Group::Eee,
        Group::PrivateFlags,
    ];

    /// The group with this name (`rings`, ..., `private-flags`).
    pub fn from_name(name: &str) -> Option<Group> {
        Group::ALL.into_iter().find(|g| g.as_str() == name)
    }

    /// The name used in JSON output and profiles: `rings`, `channels`,
    /// `coalesce`, `pause`, `eee`, `private-flags`.
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Rings => "rings",
            Group::Channels => "channels",
            Group::Coalesce => "coalesce",
            Group::Pause => "pause",
            Group::Eee => "eee",
            Group::PrivateFlags => "private-flags",
        }
    }
}

/// What a settable key takes: a number, or on/off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValueKind {
    /// A count, a size, microseconds, ...
    Num,
    /// On or off.
    Bool,
}

impl Group {
    /// The keys of this group that can be set, canonical names first in
    /// ethtool's display order, then the other tools' spellings accepted
    /// for them (see [`Group`]). Empty for private flags: the driver names
    /// them. Lets a front end reject an unknown key before any device is
    /// read.
    pub fn settable_keys(self) -> Vec<&'static str> {
        let def = keys::def(self);
        def.keys
            .iter()
            .filter(|k| !k.read_only)
            .map(|k| k.key)
            .chain(keys::aliases(self))
            .collect()
    }

    /// The canonical name of a settable key (or of an alias of one) and
    /// what it takes; `None` for a key this group cannot set.
    pub fn settable_key(self, key: &str) -> Option<(&'static str, ValueKind)> {
        let k = keys::key(self, keys::canonical(self, key))
            .filter(|k| !k.read_only)?;
        let kind = match k.ty {
            crate::netlink::wire::settings::Scalar::U32 => ValueKind::Num,
            crate::netlink::wire::settings::Scalar::Bool => ValueKind::Bool,
        };
        Some((k.key, kind))
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A setting's value: a number, or on/off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// A count, a size, microseconds, ...
    Num(u32),
    /// On or off.
    Bool(bool),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Num(n) => write!(f, "{n}"),
            Value::Bool(true) => f.write_str("on"),
            Value::Bool(false) => f.write_str("off"),
        }
    }
}

/// What a setting is asked to become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// This number.
    Num(u32),
    /// The device's maximum (rings and channels).
    Max,
    /// On or off.
    Bool(bool),
}

impl From<Value> for Target {
    fn from(v: Value) -> Target {
        match v {
            Value::Num(n) => Target::Num(n),
            Value::Bool(b) => Target::Bool(b),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Num(n) => write!(f, "{n}"),
            Target::Max => f.write_str("max"),
            Target::Bool(b) => fmt::Display::fmt(&Value::Bool(*b), f),
        }
    }
}

/// One value of a [`SettingsRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Setting {
    /// Its group.
    pub group: Group,
    /// Its key within the group.
    pub key: String,
    /// What it should become.
    pub to: Target,
}

/// The settings to change on one interface.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsRequest {
    items: Vec<Setting>,
}

impl SettingsRequest {
    /// An empty request.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a value; a later one for the same group and key replaces the
    /// earlier (in its place).
    pub fn set(
        mut self,
        group: Group,
        key: impl Into<String>,
        to: Target,
    ) -> Self {
        let key = key.into();
        match self.items.iter_mut().find(|s| s.group == group && s.key == key) {
            Some(s) => s.to = to,
            None => self.items.push(Setting { group, key, to }),
        }
        self
    }

    /// The values, in the order first given.
    pub fn items(&self) -> &[Setting] {
        &self.items
    }

    /// Whether nothing is asked.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// The values of one group as the device reports them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct GroupValues {
    /// The settable values, in ethtool's order (private flags: by bit).
    pub values: Vec<(String, Value)>,
    /// What can only be read: the maxima (`rx-max`, ...) and EEE `active`.
    pub read_only: Vec<(String, Value)>,
}

impl GroupValues {
    /// A value by key, settable or read-only.
    pub fn get(&self, key: &str) -> Option<Value> {
        self.values
            .iter()
            .chain(&self.read_only)
            .find(|(k, _)| k == key)
            .map(|&(_, v)| v)
    }

    /// The device's maximum for `key` (the read-only `<key>-max`).
    pub fn max(&self, key: &str) -> Option<u32> {
        let name = format!("{key}-max");
        match self.read_only.iter().find(|(k, _)| *k == name) {
            Some((_, Value::Num(n))) => Some(*n),
            _ => None,
        }
    }
}

/// Every settings group of one interface — `ethtool -g -l -c -a
/// --show-eee --show-priv-flags`. `None`: the driver does not implement
/// the group (its GET said `EOPNOTSUPP`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Settings {
    /// The interface's primary name.
    pub ifname: String,
    /// Its index.
    pub ifindex: u32,
    /// Ring sizes.
    pub rings: Option<GroupValues>,
    /// Channel counts.
    pub channels: Option<GroupValues>,
    /// Interrupt coalescing.
    pub coalesce: Option<GroupValues>,
    /// Pause frames.
    pub pause: Option<GroupValues>,
    /// Energy-Efficient Ethernet.
    pub eee: Option<GroupValues>,
    /// Private flags.
    pub private_flags: Option<GroupValues>,
}

impl Settings {
    /// One group's values; `None` when the driver does not implement it.
    pub fn group(&self, g: Group) -> Option<&GroupValues> {
        self.slot(g).as_ref()
    }

    fn slot(&self, g: Group) -> &Option<GroupValues> {
        match g {
            Group::Rings => &self.rings,
            Group::Channels => &self.channels,
            Group::Coalesce => &self.coalesce,
            Group::Pause => &self.pause,
            Group::Eee => &self.eee,
            Group::PrivateFlags => &self.private_flags,
        }
    }

    pub(crate) fn slot_mut(&mut self, g: Group) -> &mut Option<GroupValues> {
        match g {
            Group::Rings => &mut self.rings,
            Group::Channels => &mut self.channels,
            Group::Coalesce => &mut self.coalesce,
            Group::Pause => &mut self.pause,
            Group::Eee => &mut self.eee,
            Group::PrivateFlags => &mut self.private_flags,
        }
    }
}

/// One value's change.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SettingChange {
    /// Its group.
    pub group: Group,
    /// Its key (canonical: `rx-frame-low`, not `rx-frames-low`).
    pub key: String,
    /// Before.
    pub from: Value,
    /// Asked for (`max` resolved to the number).
    pub to: Value,
    /// Read back after the SET (for Planned and Drift: `from`).
    pub now: Value,
    /// What happened.
    pub status: Status,
    /// Why it was refused: the kernel's extack text, `"<ERRNO> from the
    /// driver (no reason given; see dmesg)"`, or `"the driver kept the old
    /// value"`.
    pub reason: Option<String>,
}

/// A validated settings change for one interface; nothing has been sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SettingsPlan {
    /// The interface's primary name.
    pub ifname: String,
    /// Its index (the SETs go by index: a replaced interface is ENODEV,
    /// never another interface).
    pub ifindex: u32,
    /// The groups asked for, as read when planning (the groups not asked
    /// for are not read, and are `None` here).
    pub before: Settings,
    /// (group, key, from, to) for each value that will change, by group
    /// in [`Group::ALL`] order, then in the order asked.
    pub items: Vec<(Group, String, Value, Value)>,
}

impl SettingsPlan {
    /// Whether nothing would change.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The plan as changes, for dry runs ([`Status::Planned`]).
    pub fn planned(&self) -> Vec<SettingChange> {
        self.unsent(Status::Planned)
    }

    /// The plan as differences, for `check` ([`Status::Drift`]).
    pub fn drift(&self) -> Vec<SettingChange> {
        self.unsent(Status::Drift)
    }

    fn unsent(&self, status: Status) -> Vec<SettingChange> {
        self.items
            .iter()
            .map(|(group, key, from, to)| SettingChange {
                group: *group,
                key: key.clone(),
                from: *from,
                to: *to,
                now: *from,
                status,
                reason: None,
            })
            .collect()
    }
}
