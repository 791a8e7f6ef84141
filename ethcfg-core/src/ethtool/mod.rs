//! The ethtool model: what an interface's offload features and settings
//! are, the names people use for them, and the ethtool-family operations
//! that read and change them.
//!
//! Owns [`features`] (state, requests, plans, outcomes), [`names`]
//! (ethtool's legacy names expanded against the live string set),
//! [`settings`] (rings, channels, coalescing, pause, EEE, private flags)
//! one [`features::Status`] vocabulary for both, and the ethtool
//! [`session`] (the family, the feature-name table, and
//! each get/set operation over a connection).
//!
//! May use: [`crate::error`], [`crate::iface`], [`crate::netlink`].

pub mod features;
pub mod names;
pub(crate) mod session;
pub mod settings;
mod status;
