//! The async API, on tokio: the same operations as [`crate::api::blocking::Client`].

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
use crate::netlink::transport::{AsyncSocket, NETLINK_GENERIC};
use crate::profile::Profile;
use crate::state::StateDir;

/// An async ethtool-netlink handle: one socket on the tokio reactor.
///
/// ```no_run
/// # async fn demo() -> Result<(), ethcfg_core::Error> {
/// use ethcfg_core::{FeatureRequest, Handle, IfaceRef};
///
/// let mut handle = Handle::connect().await?;
/// let eth0 = IfaceRef::name("eth0")?;
/// let out = handle.set_features(&eth0, &FeatureRequest::new().disable("gro")).await?;
/// for c in &out.changes {
///     println!("{}: {} -> {} ({})", c.feature, c.from, c.to, c.status);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
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

    /// The kernel's feature names by bit index.
    ///
    /// # Errors
    /// Kernel and socket errors.
    pub async fn feature_names(&mut self) -> Result<Vec<String>> {
        Ok(self.session.feature_names().await?.to_vec())
    }

    /// Every feature of one interface — `ethtool -k IFACE`.
    ///
    /// # Errors
    /// [`Error::NoSuchInterface`]; kernel and socket errors.
    pub async fn features(&mut self, iface: &IfaceRef) -> Result<Features> {
        self.session.features(iface).await
    }

    /// Every feature of every interface, from one dump.
    ///
    /// # Errors
    /// Kernel and socket errors.
    pub async fn features_all(&mut self) -> Result<Vec<Features>> {
        self.session.features_all().await
    }

    /// Reads the interface and plans `req` against it; sends nothing.
    ///
    /// # Errors
    /// As [`crate::api::blocking::Client::plan_features`].
    pub async fn plan_features(
        &mut self,
        iface: &IfaceRef,
        req: &FeatureRequest,
    ) -> Result<FeaturePlan> {
        self.session.plan_features(iface, req).await
    }

    /// Sends a plan and reports what happened.
    ///
    /// # Errors
    /// As [`crate::api::blocking::Client::execute`].
    pub async fn execute(&mut self, plan: &FeaturePlan) -> Result<SetOutcome> {
        self.session.execute(plan).await
    }

    /// Plans and executes `req` — `ethtool -K`.
    ///
    /// # Errors
    /// As [`crate::api::blocking::Client::set_features`].
    pub async fn set_features(
        &mut self,
        iface: &IfaceRef,
        req: &FeatureRequest,
    ) -> Result<SetOutcome> {
        self.session.set_features(iface, req).await
    }
    /// Every settings group of one interface; a group the driver does
    /// not implement is `None`.
    ///
    /// # Errors
    /// As [`crate::api::blocking::Client::settings`].
    pub async fn settings(&mut self, iface: &IfaceRef) -> Result<Settings> {
        self.session.settings(iface).await
    }

    /// Reads the interface and plans `req` against it; sends nothing.
    ///
    /// # Errors
    /// As [`crate::api::blocking::Client::plan_settings`].
    pub async fn plan_settings(
        &mut self,
        iface: &IfaceRef,
        req: &SettingsRequest,
    ) -> Result<SettingsPlan> {
        self.session.plan_settings(iface, req).await
    }

    /// Sends a plan and reports per value what the driver did.
    ///
    /// # Errors
    /// As [`crate::api::blocking::Client::execute_settings`].
    pub async fn execute_settings(
        &mut self,
        plan: &SettingsPlan,
    ) -> Result<Vec<SettingChange>> {
        self.session.execute_settings(plan).await
    }

    /// Reads `ifaces` and plans `req` for each; sends nothing. Unknown
    /// interfaces and names are errors here.
    ///
    /// # Errors
    /// As [`Handle::plan_features`].
    pub async fn plan_change(
        &mut self,
        by: &str,
        ifaces: &[IfaceRef],
        req: &FeatureRequest,
        policy: FixedPolicy,
    ) -> Result<ChangePlan> {
        self.session.plan_change(by, ifaces, req, policy).await
    }

    /// [`Self::plan_change`] with other ethtool settings (rings, channels,
    /// coalesce, pause, EEE, private flags) planned too, per interface.
    ///
    /// # Errors
    /// As [`Self::plan_change`]; [`Error::SettingUnsupported`] (with
    /// [`MissingGroup::Error`]), [`Error::UnknownSetting`],
    /// [`Error::InvalidSetting`].
    pub async fn plan_change_with(
        &mut self,
        by: &str,
        ifaces: &[IfaceRef],
        req: &FeatureRequest,
        settings: &SettingsRequest,
        policy: FixedPolicy,
        missing: MissingGroup,
    ) -> Result<ChangePlan> {
        self.session
            .plan_change_with(by, ifaces, req, settings, policy, missing)
            .await
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
    pub async fn plan_profile(
        &mut self,
        profile: &Profile,
        ifaces: &[IfaceRef],
        force: bool,
    ) -> Result<(ChangePlan, Vec<Device>)> {
        self.session.plan_profile(profile, ifaces, force).await
    }

    /// Sends a plan, recording each interface's state in `state` first;
    /// rolls back this run's changes if one fails (or, with `strict`, if
    /// anything is refused). Hold [`StateDir::lock`] from planning on.
    ///
    /// # Errors
    /// [`Error::ApplyFailed`] (with what was rolled back),
    /// [`Error::StrictRefused`], [`Error::State`].
    pub async fn apply_change(
        &mut self,
        plan: &ChangePlan,
        state: &StateDir,
        strict: bool,
    ) -> Result<Vec<SetOutcome>> {
        self.session.apply_change(plan, state, strict).await
    }

    /// Restores each of `ifaces` to its state before ethcfg's recorded
    /// changes and removes its record — `ethcfg revert`. Hold
    /// [`StateDir::lock`].
    ///
    /// # Errors
    /// [`Error::NoRecord`] (checked for every interface before anything is
    /// sent); kernel errors.
    pub async fn revert(
        &mut self,
        ifaces: &[IfaceRef],
        state: &StateDir,
    ) -> Result<Vec<SetOutcome>> {
        self.session.revert(ifaces, state).await
    }
}
