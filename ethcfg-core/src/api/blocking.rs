//! The blocking API: the same protocol code as the async [`crate::Handle`],
//! on a blocking socket, with no async runtime at all.

use super::prelude::*;
use crate::netlink::transport::{run_sync, SyncSocket, NETLINK_GENERIC};

/// Writes the operations of `operations!` as blocking methods: each runs
/// its future to completion on this thread.
macro_rules! blocking_api {
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
        impl Client {
            $(
                $(#[$doc])*
                pub fn $name(&mut self, $($arg: $ty),*) -> $ret {
                    let $s = &mut self.session;
                    run_sync($body)
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
    };
}

/// A blocking ethtool-netlink client: one socket, used for every call.
///
/// ```no_run
/// use ethcfg_core::{blocking::Client, FeatureRequest, IfaceRef};
///
/// let mut client = Client::new()?;
/// let eth0 = IfaceRef::by_name("eth0")?;
/// for f in client.features(&eth0)?.iter() {
///     println!("{}: {}", f.name, if f.active { "on" } else { "off" });
/// }
/// let outcome = client.set_features(&eth0, &FeatureRequest::new().disable("tso"))?;
/// assert!(!outcome.any_refused());
/// # Ok::<(), ethcfg_core::Error>(())
/// ```
#[derive(Debug)]
pub struct Client {
    session: Session<SyncSocket>,
}

impl Client {
    /// Opens a generic-netlink socket and resolves the `ethtool` family.
    ///
    /// # Errors
    /// [`Error::FamilyUnavailable`] on kernels without ethtool netlink;
    /// [`Error::Io`] if the socket cannot be opened.
    pub fn new() -> Result<Self> {
        let sock = SyncSocket::new(NETLINK_GENERIC).map_err(|source| {
            Error::Io { context: "open generic netlink socket", source }
        })?;
        Ok(Client { session: run_sync(Session::connect(sock))? })
    }
}

operations!(blocking_api);
