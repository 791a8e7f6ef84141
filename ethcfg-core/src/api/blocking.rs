//! The blocking API: the same protocol code as the async [`crate::Handle`],
//! on a blocking socket, with no async runtime at all.

use crate::change::{ChangePlan, MissingGroup};
use crate::error::{Error, Result};
use crate::ethtool::features::{
    FeaturePlan, FeatureRequest, Features, FixedPolicy, SetOutcome,
};
use crate::ethtool::session::Session;
use crate::ethtool::settings::{
    SettingChange, Settings, SettingsPlan, SettingsRequest,
};
use crate::host::Device;
use crate::iface::IfaceRef;
use crate::netlink::transport::{run_sync, SyncSocket, NETLINK_GENERIC};
use crate::profile::Profile;
use crate::state::StateDir;

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
        Ok(Client { session: run_sync(Session::connect(sock))? })
    }

    /// The kernel's feature names by bit index (`ETH_SS_FEATURES`); empty
    /// strings are unused bits.
    ///
    /// # Errors
    /// Kernel and socket errors.
    pub fn feature_names(&mut self) -> Result<Vec<String>> {
        Ok(run_sync(self.session.feature_names())?.to_vec())
    }

    /// Every feature of one interface — `ethtool -k IFACE`.
    ///
    /// # Errors
    /// [`Error::NoSuchInterface`]; kernel and socket errors.
    pub fn features(&mut self, iface: &IfaceRef) -> Result<Features> {
        run_sync(self.session.features(iface))
    }

    /// Every feature of every interface, from one dump.
    ///
    /// # Errors
    /// Kernel and socket errors.
    pub fn features_all(&mut self) -> Result<Vec<Features>> {
        run_sync(self.session.features_all())
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
        run_sync(self.session.plan_features(iface, req))
    }

    /// Sends a plan and reports, per feature, what happened.
    ///
    /// # Errors
    /// [`Error::PermissionDenied`] without `CAP_NET_ADMIN`; kernel errors.
    pub fn execute(&mut self, plan: &FeaturePlan) -> Result<SetOutcome> {
        run_sync(self.session.execute(plan))
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
        run_sync(self.session.set_features(iface, req))
    }

    /// Reads `ifaces` and plans `req` for each; sends nothing. Unknown
    /// interfaces and names are errors here.
    ///
    /// # Errors
    /// As [`Client::plan_features`].
    pub fn plan_change(
        &mut self,
        by: &str,
        ifaces: &[IfaceRef],
        req: &FeatureRequest,
        policy: FixedPolicy,
    ) -> Result<ChangePlan> {
        run_sync(self.session.plan_change(by, ifaces, req, policy))
    }

    /// [`Self::plan_change`] with other ethtool settings (rings, channels,
    /// coalesce, pause, EEE, private flags) planned too, per interface.
    ///
    /// # Errors
    /// As [`Self::plan_change`]; [`Error::SettingUnsupported`] (with
    /// [`MissingGroup::Error`]), [`Error::UnknownSetting`],
    /// [`Error::InvalidSetting`].
    pub fn plan_change_with(
        &mut self,
        by: &str,
        ifaces: &[IfaceRef],
        req: &FeatureRequest,
        settings: &SettingsRequest,
        policy: FixedPolicy,
        missing: MissingGroup,
    ) -> Result<ChangePlan> {
        run_sync(
            self.session
                .plan_change_with(by, ifaces, req, settings, policy, missing),
        )
    }

    /// Plans `profile` for `ifaces` with the driver guard (unless `force`);
    /// sends nothing. Returns the plan and each interface's [`Device`],
    /// its driver read from the live system's sysfs: every interface's
    /// when the guard runs (the profile names drivers and `force` is not
    /// set), else only those of [`crate::host::LINK_RESET_DRIVERS`] (the
    /// disruption notice needs no more). Link kinds are not looked up
    /// (`kind` is `None`), except to word a [`Error::WrongDriver`].
    ///
    /// # Errors
    /// [`Error::WrongDriver`], [`Error::Profile`] (a feature this kernel
    /// does not know, with file and line), [`Error::NoSuchInterface`].
    pub fn plan_profile(
        &mut self,
        profile: &Profile,
        ifaces: &[IfaceRef],
        force: bool,
    ) -> Result<(ChangePlan, Vec<Device>)> {
        run_sync(self.session.plan_profile(profile, ifaces, force))
    }

    /// Sends a plan, recording each interface's state in `state` first;
    /// rolls back this run's changes if one fails (or, with `strict`, if
    /// anything is refused). Hold [`StateDir::lock`] from planning on.
    ///
    /// # Errors
    /// [`Error::ApplyFailed`] (with what was rolled back),
    /// [`Error::StrictRefused`], [`Error::State`].
    pub fn apply_change(
        &mut self,
        plan: &ChangePlan,
        state: &StateDir,
        strict: bool,
    ) -> Result<Vec<SetOutcome>> {
        run_sync(self.session.apply_change(plan, state, strict))
    }

    /// Restores each of `ifaces` to its state before ethcfg's recorded
    /// changes and removes its record — `ethcfg revert`. Hold
    /// [`StateDir::lock`].
    ///
    /// # Errors
    /// [`Error::NoRecord`] (checked for every interface before anything is
    /// sent); kernel errors.
    pub fn revert(
        &mut self,
        ifaces: &[IfaceRef],
        state: &StateDir,
    ) -> Result<Vec<SetOutcome>> {
        run_sync(self.session.revert(ifaces, state))
    }

    /// Every settings group of one interface — `ethtool -g -l -c -a
    /// --show-eee --show-priv-flags`; a group the driver does not
    /// implement is `None`.
    ///
    /// # Errors
    /// [`Error::NoSuchInterface`]; kernel and socket errors.
    pub fn settings(&mut self, iface: &IfaceRef) -> Result<Settings> {
        run_sync(self.session.settings(iface))
    }

    /// Reads the interface and plans `req` against it: resolves `max`,
    /// checks every key and value, drops values already as asked; sends
    /// nothing.
    ///
    /// # Errors
    /// [`Error::SettingUnsupported`], [`Error::UnknownSetting`],
    /// [`Error::InvalidSetting`], [`Error::NoSuchInterface`].
    pub fn plan_settings(
        &mut self,
        iface: &IfaceRef,
        req: &SettingsRequest,
    ) -> Result<SettingsPlan> {
        run_sync(self.session.plan_settings(iface, req))
    }

    /// Sends a plan — one SET per group, only the values asked — re-reads
    /// and reports per value: applied, adjusted or refused. A driver's
    /// refusal (EINVAL, EOPNOTSUPP, EBUSY, ...) is a `Refused` value, not
    /// an error.
    ///
    /// # Errors
    /// [`Error::PermissionDenied`] without `CAP_NET_ADMIN`;
    /// [`Error::NoSuchInterface`]; socket and decoding errors.
    pub fn execute_settings(
        &mut self,
        plan: &SettingsPlan,
    ) -> Result<Vec<SettingChange>> {
        run_sync(self.session.execute_settings(plan))
    }

    /// The `monitor` multicast group id of the ethtool family, if any.
    pub fn monitor_group(&self) -> Option<u32> {
        self.session.monitor_group()
    }
}
