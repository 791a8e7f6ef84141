//! Netlink plumbing: everything that knows sockets and bytes, and nothing
//! about what the messages mean to a user.
//!
//! Owns the socket behind the [`transport::Transport`] trait (blocking,
//! tokio, and the tests' fake kernel), sequence numbers and request/answer
//! matching ([`pipeline`]: a single request is a pipeline of one), dumps,
//! generic-netlink family resolution, and the crate-private [`wire`]
//! codecs (pure, no I/O, no panics, golden-byte tested).
//!
//! May use: [`crate::error`]. Nothing above it.

pub(crate) mod pipeline;
pub(crate) mod transport;
pub(crate) mod wire;
