#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test scaffolding: failing loudly is the point
//! Real-kernel tests: every test runs in its own network namespace with veth
//! pairs, and checks ethcfg against `ethtool` as an independent oracle.
//! They need root (for unshare and for setting features).

mod api;
mod cli;
mod doctor;
#[path = "../common/ethtool_oracle.rs"]
mod ethtool_oracle;
mod oracle;
mod profiles;
mod settings;
mod stack;
mod util;
