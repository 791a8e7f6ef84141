//! Pure encode/decode of the messages ethcfg exchanges with the kernel. No
//! I/O and no panics: every length comes from a checked buffer, every
//! malformed reply is a [`WireError`]. Built on netlink-packet-core's
//! checked framing and attribute iteration, and netlink-packet-generic's
//! controller messages.

pub(crate) mod attrs;
pub(crate) mod bitset;
pub(crate) mod builder;
pub(crate) mod consts;
pub(crate) mod ctrl;
pub(crate) mod devlink;
pub(crate) mod features;
pub(crate) mod header;
pub(crate) mod message;
pub(crate) mod settings;
pub(crate) mod strset;
