//! Diagnosis: reading what went wrong without changing anything.
//!
//! Owns [`doctor`] (kernel log → findings → remedies), [`impact`] (the
//! blast radius of unloading a module) and [`devlink`] (what `devlink dev
//! info` shows, for doctor) and [`metrics`] (what monitoring exports:
//! drift, applied features, findings counted).
//!
//! May use: [`crate::error`], `crate::fs`, [`crate::iface`], [`crate::netlink`],
//! [`crate::ethtool`], [`crate::host`], [`crate::state`],
//! [`crate::profile`], [`crate::change`].

pub mod devlink;
pub mod doctor;
pub mod impact;
pub mod metrics;
