//! Test support and the tests built on it, compiled for tests only: the
//! fake kernel behind the transport trait ([`fake`]), fixture trees laid out
//! like sysfs and procfs ([`tree`]), and the tests that exercise the crate
//! through them.
//!
//! Where a test lives:
//! - golden bytes (a message compared with, or decoded from, the bytes the
//!   kernel sends) → [`golden`], one file per topic;
//! - the fake kernel (an operation run end to end against the scripted
//!   kernel) → [`fake_kernel`], one file per topic;
//! - a pure unit test of one module's own functions, with no kernel, fake or
//!   real, and no bytes beyond what that module builds — including tests of
//!   a reader on fixture trees (`doctor`, `impact`) — stays beside its
//!   module as `mod tests` (a `tests.rs` next to it when large).
//!
//! They stay inside the crate (not in `tests/`) because they need
//! crate-private items: the wire codecs, the session, the transport trait.
//! Tests that need no crate-private item and a real kernel live in
//! `tests/kernel` and `tests/vm`.

pub(crate) mod fake;
mod fake_kernel;
mod golden;
mod layers;
pub(crate) mod tree;
