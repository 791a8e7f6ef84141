//! The async API, on tokio: the same operations as
//! [`crate::api::blocking::Client`], from the same list.

use super::prelude::*;
use crate::netlink::transport::{AsyncSocket, NETLINK_GENERIC};

/// Writes the operations of `operations!` as async methods. The futures
/// hold nothing but `Send` data across their awaits, so a `Handle` can be
/// moved into `tokio::spawn`.
macro_rules! async_api {
    (
        async { $(
            $(#[$doc:meta])*
            fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty =
                |$s:ident| $body:expr;
        )* }
        sync { $(
            $(#[$sdoc:meta])*
            fn $sname:ident() -> $sret:ty = |$ss:ident| $sbody:expr;
        )* }
    ) => {
        impl Handle {
            $(
                $(#[$doc])*
                pub async fn $name(&mut self, $($arg: $ty),*) -> $ret {
                    let $s = &mut self.session;
                    $body.await
                }
            )*
            $(
                $(#[$sdoc])*
                pub fn $sname(&self) -> $sret {
                    let $ss = &self.session;
                    $sbody
                }
            )*
        }

        /// Does not compile unless every operation's future is `Send`.
        #[cfg(test)]
        #[allow(dead_code)]
        mod futures_are_send {
            use super::*;

            fn assert_send<T: Send>(_: &T) {}

            $(
                fn $name(h: &mut Handle, $($arg: $ty),*) {
                    assert_send(&h.$name($($arg),*));
                }
            )*

            fn connect() {
                assert_send(&Handle::connect());
            }
        }
    };
}

/// An async ethtool-netlink handle: one socket on the tokio reactor.
/// `Handle` and the futures of its operations are `Send`: a handle can be
/// moved into `tokio::spawn` on a multi-thread runtime.
///
/// ```no_run
/// # async fn demo() -> Result<(), ethcfg_core::Error> {
/// use ethcfg_core::{FeatureRequest, Handle, IfaceRef};
///
/// let mut handle = Handle::connect().await?;
/// let eth0 = IfaceRef::by_name("eth0")?;
/// let out = handle.set_features(&eth0, &FeatureRequest::new().disable("gro")).await?;
/// for c in &out.changes {
///     println!("{}: {} -> {} ({})", c.feature, c.from, c.to, c.status);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub struct Handle {
    session: Session<AsyncSocket>,
}

impl Handle {
    /// Opens a socket and resolves the `ethtool` family. Must run inside a
    /// tokio runtime (with I/O enabled).
    ///
    /// # Errors
    /// [`Error::FamilyUnavailable`]; [`Error::Io`], also when there is no runtime.
    pub async fn connect() -> Result<Self> {
        let sock = AsyncSocket::new(NETLINK_GENERIC).map_err(|source| {
            Error::Io { context: "open generic netlink socket", source }
        })?;
        Ok(Handle { session: Session::connect(sock).await? })
    }
}

operations!(async_api);
