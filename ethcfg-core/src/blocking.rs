//! The blocking API: the same protocol code as the async [`crate::Handle`],
//! on a blocking socket, with no async runtime at all.

use futures::executor::block_on;

use crate::error::{Error, Result};
use crate::features::{FeaturePlan, FeatureRequest, Features, SetOutcome};
use crate::iface::IfaceRef;
use crate::session::{self, Conn, Session};
use crate::system::LinkKind;
use crate::transport::{SyncSocket, NETLINK_GENERIC, NETLINK_ROUTE};

/// A blocking ethtool-netlink client: one socket, used for every call.
///
/// ```no_run
/// use ethcfg_core::{blocking::Client, FeatureRequest, IfaceRef};
///
/// let mut client = Client::new()?;
/// let eth0 = IfaceRef::name("eth0")?;
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
        Ok(Client { session: block_on(Session::connect(sock))? })
    }

    /// The kernel's feature names by bit index (`ETH_SS_FEATURES`); empty
    /// strings are unused bits.
    ///
    /// # Errors
    /// Kernel and socket errors.
    pub fn feature_names(&mut self) -> Result<Vec<String>> {
        Ok(block_on(self.session.feature_names())?.to_vec())
    }

    /// Every feature of one interface — `ethtool -k IFACE`.
    ///
    /// # Errors
    /// [`Error::NoSuchInterface`]; kernel and socket errors.
    pub fn features(&mut self, iface: &IfaceRef) -> Result<Features> {
        block_on(self.session.features(iface))
    }

    /// Every feature of every interface, from one dump.
    ///
    /// # Errors
    /// Kernel and socket errors.
    pub fn features_all(&mut self) -> Result<Vec<Features>> {
        block_on(self.session.features_all())
    }

    /// Reads the interface and plans `req` against it; sends nothing.
    ///
    /// # Errors
    /// [`Error::UnknownFeature`], [`Error::FixedFeature`],
    /// [`Error::AliasMatchesNothing`], [`Error::NoSuchInterface`].
    pub fn plan_features(
        &mut self,
        iface: &IfaceRef,
        req: &FeatureRequest,
    ) -> Result<FeaturePlan> {
        block_on(self.session.plan_features(iface, req))
    }

    /// Sends a plan and reports, per feature, what happened.
    ///
    /// # Errors
    /// [`Error::PermissionDenied`] without `CAP_NET_ADMIN`; kernel errors.
    pub fn execute(&mut self, plan: &FeaturePlan) -> Result<SetOutcome> {
        block_on(self.session.execute(plan))
    }

    /// Plans and executes `req` — `ethtool -K IFACE ...`, but with the
    /// result per feature: applied, refused, side effect.
    ///
    /// # Errors
    /// As [`Client::plan_features`] and [`Client::execute`].
    pub fn set_features(
        &mut self,
        iface: &IfaceRef,
        req: &FeatureRequest,
    ) -> Result<SetOutcome> {
        block_on(self.session.set_features(iface, req))
    }

    /// The `monitor` multicast group id of the ethtool family, if any.
    pub fn monitor_group(&self) -> Option<u32> {
        self.session.monitor_group()
    }
}

/// Link kinds (`veth`, `bridge`, ...) of every interface, by index, from
/// one rtnetlink dump.
///
/// # Errors
/// Socket and kernel errors.
pub fn link_kinds() -> Result<Vec<LinkKind>> {
    let sock = SyncSocket::new(NETLINK_ROUTE).map_err(|source| Error::Io {
        context: "open rtnetlink socket",
        source,
    })?;
    let mut conn = Conn::new(sock);
    let links = block_on(session::links(&mut conn))?;
    Ok(links
        .into_iter()
        .map(|l| LinkKind { ifindex: l.index, ifname: l.name, kind: l.kind })
        .collect())
}
