//! Events: what changes on the host's interfaces, as it happens — the
//! ethtool family's `monitor` multicast group (features and settings
//! notifications) and rtnetlink's link group (`RTNLGRP_LINK`: interfaces
//! added, removed, renamed, brought up or down), decoded into one typed
//! [`Event`].
//!
//! Offered as a blocking iterator ([`Monitor`]) and, with the `tokio`
//! feature, an async stream ([`AsyncMonitor`]). Both are one definition:
//! the decoding and the bookkeeping (`decode.rs`) and the loop that turns
//! datagrams into events (`monitor.rs`) are shared; the two differ only in
//! how they wait for the next datagram. Idle, both sleep on their sockets:
//! no timer, no periodic wake-up.
//!
//! A notification socket can overflow when events come faster than they
//! are read; the kernel then drops some and says so (`ENOBUFS`), which
//! arrives as [`Event::Overrun`]: whoever keeps state from the events must
//! re-read it (a dump) at that point.
//!
//! May use: `crate::error`, `crate::netlink`, `crate::ethtool`,
//! `crate::host` (the rtnetlink link codec). Sits below the change layer
//! (a watcher builds on it) and the APIs; it changes nothing itself.

pub(crate) mod decode;
pub(crate) mod monitor;

use std::fmt;

use crate::ethtool::features::Features;
use crate::ethtool::settings::Group;

#[cfg(feature = "tokio")]
pub use monitor::AsyncMonitor;
pub use monitor::Monitor;

/// A change on an interface, as the kernel announced it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The interface's features changed (`FEATURES_NTF`): every feature's
    /// state after the change, kernel names. Which ones changed is the
    /// difference with the previous state the consumer holds.
    FeaturesChanged {
        /// Interface index.
        ifindex: u32,
        /// Interface name.
        ifname: String,
        /// The whole feature state after the change.
        features: Features,
    },
    /// One group of the interface's ethtool settings changed (`RINGS_NTF`,
    /// `CHANNELS_NTF`, ...); read the group to see its new values.
    SettingsChanged {
        /// Interface index.
        ifindex: u32,
        /// Interface name.
        ifname: String,
        /// Which settings.
        group: SettingsGroup,
    },
    /// An interface appeared: created, its driver bound, or moved into
    /// this network namespace.
    LinkAdded {
        /// Interface index.
        ifindex: u32,
        /// Interface name.
        ifname: String,
        /// Administratively up (`IFF_UP`).
        up: bool,
        /// Operationally up (`IFF_RUNNING`).
        running: bool,
    },
    /// An interface went away: deleted, unbound, or moved out of this
    /// network namespace.
    LinkRemoved {
        /// Interface index it had.
        ifindex: u32,
        /// Interface name it had.
        ifname: String,
    },
    /// An interface got a new name.
    LinkRenamed {
        /// Interface index.
        ifindex: u32,
        /// The new name.
        ifname: String,
        /// The name it had.
        old_name: String,
    },
    /// An interface went up or down, administratively or operationally.
    LinkChanged {
        /// Interface index.
        ifindex: u32,
        /// Interface name.
        ifname: String,
        /// Administratively up (`IFF_UP`).
        up: bool,
        /// Operationally up (`IFF_RUNNING`).
        running: bool,
    },
    /// The kernel dropped notifications because they came faster than
    /// they were read (`ENOBUFS`): any state kept from events may be stale
    /// and must be re-read (a dump). The notifications still queued when
    /// it is read are dropped with it: until the queue has been read empty
    /// the kernel drops further ones without saying so again, so emptying
    /// it first means a dump taken after this event misses nothing that
    /// follows. The monitor goes on; its own view of the links stays
    /// usable (a link it missed is reported as added when it next
    /// changes).
    Overrun,
}

impl Event {
    /// The interface the event is about (none for [`Event::Overrun`]).
    pub fn ifindex(&self) -> Option<u32> {
        match self {
            Event::FeaturesChanged { ifindex, .. }
            | Event::SettingsChanged { ifindex, .. }
            | Event::LinkAdded { ifindex, .. }
            | Event::LinkRemoved { ifindex, .. }
            | Event::LinkRenamed { ifindex, .. }
            | Event::LinkChanged { ifindex, .. } => Some(*ifindex),
            Event::Overrun => None,
        }
    }

    /// The interface's name (its new one for a rename).
    pub fn ifname(&self) -> Option<&str> {
        match self {
            Event::FeaturesChanged { ifname, .. }
            | Event::SettingsChanged { ifname, .. }
            | Event::LinkAdded { ifname, .. }
            | Event::LinkRemoved { ifname, .. }
            | Event::LinkRenamed { ifname, .. }
            | Event::LinkChanged { ifname, .. } => Some(ifname),
            Event::Overrun => None,
        }
    }
}

/// Which ethtool settings a [`Event::SettingsChanged`] is about: the six
/// groups ethcfg sets ([`Group`]) and the link settings (`ethtool -s`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SettingsGroup {
    /// Ring sizes, channels, coalescing, pause, EEE or private flags.
    Settings(Group),
    /// Port, PHY address, MDI-X (`LINKINFO_NTF`).
    LinkInfo,
    /// Autonegotiation, advertised modes, speed, duplex (`LINKMODES_NTF`).
    LinkModes,
}

impl SettingsGroup {
    /// The name shown and used in JSON: a [`Group`]'s own (`rings`, ...,
    /// `private-flags`), `link-info`, `link-modes`.
    pub fn as_str(self) -> &'static str {
        match self {
            SettingsGroup::Settings(g) => g.as_str(),
            SettingsGroup::LinkInfo => "link-info",
            SettingsGroup::LinkModes => "link-modes",
        }
    }
}

impl fmt::Display for SettingsGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
