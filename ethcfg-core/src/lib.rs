//! # ethcfg-core
//!
//! A typed, panic-free client for the Linux kernel's generic-netlink
//! `ethtool` family: read every netdev feature of an interface (or of all of
//! them, from one dump) and change them — `ethtool -k` / `ethtool -K`
//! without the `ethtool` binary — with a result per feature that says what
//! the kernel really did: **applied**, **refused** (and which state it
//! stayed in), or changed as a **side effect** (`sg off` takes TSO and GSO
//! with it).
//!
//! ## Reading and setting, without a runtime
//!
//! ```
//! use ethcfg_core::{blocking::Client, IfaceRef};
//!
//! let mut client = Client::new()?;
//! let lo = client.features(&IfaceRef::by_name("lo")?)?;
//! let sg = lo.get("tx-scatter-gather").expect("every kernel has it");
//! println!("{}: scatter-gather is {}", lo.ifname, if sg.active { "on" } else { "off" });
//! # Ok::<(), ethcfg_core::Error>(())
//! ```
//!
//! Setting takes kernel names (`tx-tcp-segmentation`) and ethtool's legacy
//! names (`tso`, `tcp-segmentation-offload`, `rx`, `sg`, ...), which expand
//! by ethtool's own pattern rule against the running kernel's feature table:
//!
//! ```no_run
//! use ethcfg_core::{blocking::Client, Status, FeatureRequest, IfaceRef};
//!
//! let mut client = Client::new()?;
//! let req = FeatureRequest::new().disable("tso").disable("gso").disable("sg");
//! let out = client.set_features(&IfaceRef::by_name("eno1")?, &req)?;
//! for c in &out.changes {
//!     // e.g. "tx-tcp-segmentation: on -> off (applied)"
//!     println!("{}: {} -> {} ({})", c.feature, c.from, c.to, c.status);
//! }
//! if out.changes.iter().any(|c| c.status == Status::Refused) {
//!     eprintln!("the driver kept some features as they were");
//! }
//! # Ok::<(), ethcfg_core::Error>(())
//! ```
//!
//! ## Rings, channels, coalescing, pause, EEE, private flags
//!
//! [`settings`] reads and sets the other ethtool settings the same way:
//! planned first (`max` resolved, keys and limits checked against the
//! device), only the values asked for sent, then read back and reported per
//! value as applied, adjusted (the driver rounded it), refused or a side
//! effect.
//!
//! ```no_run
//! use ethcfg_core::{blocking::Client, settings::{Group, SettingsRequest, Target}, IfaceRef};
//!
//! let mut client = Client::new()?;
//! let eno1 = IfaceRef::by_name("eno1")?;
//! let req = SettingsRequest::new().set(Group::Rings, "rx", Target::Max).set(Group::Pause, "rx", Target::Bool(false));
//! let plan = client.plan_settings(&eno1, &req)?;
//! for c in client.execute_settings(&plan)? {
//!     println!("{} {}: {} -> {} ({})", c.group, c.key, c.from, c.now, c.status);
//! }
//! # Ok::<(), ethcfg_core::Error>(())
//! ```
//!
//! Profiles ([`profile`]), state records ([`state`]) and the safe change
//! engine ([`change`]: plan, record, apply, roll back, revert, check) build
//! on both; [`doctor`] and [`impact`] diagnose without changing anything.
//! [`events`] reports feature, settings and link changes as they happen
//! (a blocking iterator, and a stream with `tokio`). [`import`] reads the
//! ethtool settings of ifupdown, systemd and NetworkManager files into
//! bindings; [`config`] edits the config file that holds them.
//!
//! ## Async
//!
//! With the default `tokio` feature, [`Handle`] offers the same operations
//! as `async fn`s on a tokio reactor. Both APIs run the same protocol code.
//!
//! ## Errors
//!
//! [`Error`] is `#[non_exhaustive]`; [`Error::kind`] classifies it,
//! [`Error::errno`] and [`Error::extack`] carry what the kernel said,
//! [`Error::iface`] the interface. Every message says what failed and why
//! (for example "eno1: FEATURES_SET needs CAP_NET_ADMIN (kernel said
//! EPERM)"); what to do about it is the caller's to say. A `strict` run
//! that a refusal undid is not an error: [`change::ApplyReport::strict`].
//!
//! ## How the crate is built
//!
//! One folder per layer, lowest first: `fs` (safe file reading), `error`,
//! `iface`, `netlink` (sockets, one request/answer matcher, pipelining,
//! family resolution, the crate-private wire codecs), `ethtool` (the
//! feature and settings model and every ethtool operation), `host` (sysfs,
//! procfs and rtnetlink facts under a [`host::HostRoot`]), [`events`],
//! [`state`], [`profile`], [`config`], [`import`], [`change`], diagnosis
//! ([`doctor`], [`impact`], [`devlink`]) and the two APIs ([`blocking`],
//! [`Handle`]), generated from one list of operations. A layer uses only
//! those before it. The library reads no environment variable and no
//! global path on its own: directories, roots and management hints are
//! parameters with documented defaults (such as [`state::StateDir::DEFAULT`]
//! and [`profile::Profiles::DEFAULT_DIR`]).
//!
//! ## Privileges
//!
//! Reading needs none. Setting needs `CAP_NET_ADMIN` in the user namespace
//! that owns the interface's network namespace.

#![deny(missing_docs)]
// docs.rs builds on nightly with `--cfg docsrs` and marks `Handle` as
// needing the `tokio` feature; stable builds never see the unstable flag.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(clippy::print_stdout, clippy::print_stderr)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

// The layers, lowest first: each may use those listed before it, never
// one after it. Each layer's module doc says what it owns. The public
// modules are re-exported flat below, so a user's paths do not follow the
// internal layering. (rustfmt sorts the lines; the order, lowest first:
// fs, error, iface, netlink, ethtool, host, events, state, profile, config,
// import, change, diagnosis, api, watch.)
mod api;
pub mod change;
pub mod config;
mod diagnosis;
mod error;
mod ethtool;
pub mod events;
mod fs;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzz_entry;
pub mod host;
mod iface;
pub mod import;
mod netlink;
pub mod profile;
pub mod state;
#[cfg(test)]
mod testing;
pub mod watch;

pub use api::blocking;
pub use diagnosis::{devlink, doctor, impact, metrics};
pub use ethtool::{features, names, settings};

#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub use api::handle::Handle;
pub use error::{Errno, Error, ErrorKind, Result, RollbackFailure};
pub use features::{
    Feature, FeatureChange, FeaturePlan, FeatureRequest, Features, FixedPolicy,
    InterfaceOutcome, Status,
};
pub use iface::{IfaceRef, IFNAME_MAX};
