//! The public APIs: the blocking [`blocking::Client`] and, with the
//! `tokio` feature, the async [`handle::Handle`]. Both run the same
//! protocol code; neither adds behaviour of its own.
//!
//! May use: every layer below.

pub mod blocking;
#[cfg(feature = "tokio")]
pub(crate) mod handle;
