//! Netlink plumbing: everything that knows sockets and bytes, and nothing
//! about what the messages mean to a user.
//!
//! Owns the socket behind the [`transport::Transport`] trait (blocking,
//! tokio, and the tests' fake kernel), the connection ([`conn`]: sequence
//! numbers, do-requests, pipelines and dumps), the one request/answer
//! matcher ([`pipeline`]: a single request is a pipeline of one, a dump is
//! matched the same way), generic-netlink family resolution ([`family`]),
//! and the crate-private [`wire`] codecs (pure, no I/O, no panics,
//! golden-byte tested).
//!
//! May use: [`crate::error`], [`crate::iface`] (how a request names its
//! device). Nothing above it.

pub(crate) mod conn;
pub(crate) mod family;
pub(crate) mod pipeline;
pub(crate) mod transport;
pub(crate) mod wire;
