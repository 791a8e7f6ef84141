//! Fake-kernel tests: the library's operations end to end (session,
//! matching, pipelining, error mapping) against the scripted kernel of
//! [`super::fake`].

mod devlink;
mod events;
mod reconcile;
mod session;
mod settings;
