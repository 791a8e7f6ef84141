//! The public APIs: the blocking [`blocking::Client`] and, with the
//! `tokio` feature, the async [`handle::Handle`]. Both run the same
//! protocol code; neither adds behaviour of its own.
//!
//! Their operations are listed once, in `operations!`, and written out
//! as blocking methods by `blocking.rs` and as async methods by
//! `handle.rs`, so the two cannot drift apart.
//!
//! May use: every layer below.

/// Every operation of [`blocking::Client`] and [`handle::Handle`], once:
/// hands the list to the macro `$api`, which writes each as a method.
///
/// An `async` entry is `fn name(args) -> Ret = |s| future;` where `s` is
/// the `&mut Session` and `future` what the operation awaits; a `sync`
/// entry is `fn name() -> Ret = |s| value;` over a `&Session`.
macro_rules! operations {
    ($api:ident) => {
        $api! {
            async {
                /// The kernel's feature names by bit index
                /// (`ETH_SS_FEATURES`); empty strings are unused bits.
                ///
                /// # Errors
                /// Kernel and socket errors.
                fn feature_names() -> Result<Vec<String>> = |s| async move {
                    Ok(s.feature_names().await?.to_vec())
                };

                /// Every feature of one interface — `ethtool -k IFACE`.
                ///
                /// # Errors
                /// [`Error::NoSuchInterface`]; kernel and socket errors.
                fn features(iface: &IfaceRef) -> Result<Features> =
                    |s| s.features(iface);

                /// Every feature of every interface, from one dump.
                ///
                /// # Errors
                /// Kernel and socket errors.
                fn features_all() -> Result<Vec<Features>> =
                    |s| s.features_all();

                /// Reads the interface and plans `req` against it; sends
                /// nothing.
                ///
                /// # Errors
                /// [`Error::UnknownFeature`], [`Error::FixedFeature`],
                /// [`Error::AliasMatchesNothing`], [`Error::NoSuchInterface`].
                fn plan_features(
                    iface: &IfaceRef,
                    req: &FeatureRequest
                ) -> Result<FeaturePlan> = |s| s.plan_features(iface, req);

                /// Sends a plan and reports, per feature, what happened.
                ///
                /// # Errors
                /// [`Error::PermissionDenied`] without `CAP_NET_ADMIN`;
                /// kernel errors.
                fn execute(plan: &FeaturePlan) -> Result<InterfaceOutcome> =
                    |s| s.execute(plan);

                /// Plans and executes `req` — `ethtool -K IFACE ...`, but
                /// with the result per feature: applied, refused, side
                /// effect.
                ///
                /// # Errors
                /// As [`Self::plan_features`] and [`Self::execute`].
                fn set_features(
                    iface: &IfaceRef,
                    req: &FeatureRequest
                ) -> Result<InterfaceOutcome> = |s| s.set_features(iface, req);

                /// Reads `ifaces` and plans `req` for each; sends nothing.
                /// Unknown interfaces and names are errors here.
                ///
                /// # Errors
                /// As [`Self::plan_features`].
                fn plan_change(
                    by: &str,
                    ifaces: &[IfaceRef],
                    req: &FeatureRequest,
                    policy: FixedPolicy
                ) -> Result<ChangePlan> =
                    |s| Engine::new(s).plan_change(by, ifaces, req, policy);

                /// [`Self::plan_change`] with other ethtool settings
                /// (rings, channels, coalesce, pause, EEE, private flags)
                /// planned too, per interface.
                ///
                /// # Errors
                /// As [`Self::plan_change`]; [`Error::SettingUnsupported`]
                /// (with [`MissingGroup::Error`]), [`Error::UnknownSetting`],
                /// [`Error::InvalidSetting`].
                fn plan_change_with(
                    by: &str,
                    ifaces: &[IfaceRef],
                    req: &FeatureRequest,
                    settings: &SettingsRequest,
                    policy: FixedPolicy,
                    missing: MissingGroup
                ) -> Result<ChangePlan> = |s| {
                    Engine::new(s).plan_change_with(
                        by, ifaces, req, settings, policy, missing,
                    )
                };

                /// Plans `profile` for `ifaces` with the driver guard
                /// (unless `force`); sends nothing. Returns the plan and
                /// each interface's [`Device`], its driver read from the
                /// live system's sysfs: every interface's when the guard
                /// runs (the profile names drivers and `force` is not
                /// set), else only those of
                /// [`crate::host::LINK_RESET_DRIVERS`] (the disruption
                /// notice needs no more). Link kinds are not looked up
                /// (`kind` is `None`), except to word a
                /// [`Error::WrongDriver`].
                ///
                /// # Errors
                /// [`Error::WrongDriver`], [`Error::Profile`] (a feature
                /// this kernel does not know, with file and line),
                /// [`Error::NoSuchInterface`].
                fn plan_profile(
                    profile: &Profile,
                    ifaces: &[IfaceRef],
                    force: bool
                ) -> Result<(ChangePlan, Vec<Device>)> =
                    |s| Engine::new(s).plan_profile(profile, ifaces, force);

                /// Sends a plan, recording each interface's state in
                /// `state` first; rolls back this run's changes if one
                /// fails (or, with `strict`, if anything is refused). Hold
                /// [`StateDir::lock`] from planning on.
                ///
                /// # Errors
                /// [`Error::ApplyFailed`] (with what was rolled back, and
                /// why each interface that could not be was not),
                /// [`Error::State`]. A `strict` refusal is not an error:
                /// the report's [`ApplyReport::strict`] says so.
                fn apply_change(
                    plan: &ChangePlan,
                    state: &StateDir,
                    strict: bool
                ) -> Result<ApplyReport> =
                    |s| Engine::new(s).apply_change(plan, state, strict);

                /// Plans a reconcile: "make what `source` manages on
                /// `ifaces` equal to `desired`" (see [`crate::change`]'s
                /// reconcile). What `source` applied and `desired` no
                /// longer asks for is restored to its recorded state unless
                /// another source manages it too; what both want is left
                /// alone; nothing differing, nothing is sent. With the
                /// driver guard of `desired` unless `force`. Returns the
                /// plan and the devices, as [`Self::plan_profile`]; send it
                /// with [`Self::apply_change`]. Hold [`StateDir::lock`]
                /// from here on (the records are read).
                ///
                /// # Errors
                /// As [`Self::plan_profile`]; [`Error::State`].
                fn plan_reconcile(
                    source: Source,
                    desired: &Profile,
                    ifaces: &[IfaceRef],
                    force: bool,
                    state: &StateDir
                ) -> Result<(ChangePlan, Vec<Device>)> = |s| {
                    Engine::new(s)
                        .plan_reconcile(source, desired, ifaces, force, state)
                };

                /// Reconciles `source` on `ifaces` to `desired` and sends
                /// it: [`Self::plan_reconcile`] then
                /// [`Self::apply_change`]. Hold [`StateDir::lock`].
                ///
                /// # Errors
                /// As both.
                fn reconcile(
                    source: Source,
                    desired: &Profile,
                    ifaces: &[IfaceRef],
                    force: bool,
                    state: &StateDir,
                    strict: bool
                ) -> Result<ApplyReport> = |s| {
                    Engine::new(s).reconcile(
                        source, desired, ifaces, force, state, strict,
                    )
                };

                /// Lets `source` go of everything it manages on `ifaces`
                /// — `ethcfg revert --source hook` — restoring what no
                /// other source manages; records of other sources stay.
                /// Hold [`StateDir::lock`].
                ///
                /// # Errors
                /// [`Error::NoRecord`] where `source` manages nothing
                /// (checked before anything is sent); kernel errors.
                fn revert_source(
                    source: Source,
                    ifaces: &[IfaceRef],
                    state: &StateDir
                ) -> Result<ApplyReport> =
                    |s| Engine::new(s).revert_source(source, ifaces, state);

                /// Restores each of `ifaces` to its state before ethcfg's
                /// recorded changes and removes its record — `ethcfg
                /// revert`. Hold [`StateDir::lock`].
                ///
                /// # Errors
                /// [`Error::NoRecord`] (checked for every interface before
                /// anything is sent); kernel errors.
                fn revert(
                    ifaces: &[IfaceRef],
                    state: &StateDir
                ) -> Result<Vec<InterfaceOutcome>> =
                    |s| Engine::new(s).revert(ifaces, state);

                /// Brings each target to what its configuration bindings
                /// say, recording with `source`: applies (sending nothing
                /// for what is already so), restores first what a
                /// config-made record manages that no binding wants any
                /// more, and reverts interfaces no binding matches that a
                /// config-made record holds. Per interface, so one's error
                /// does not stop the others. Hold [`StateDir::lock`] with
                /// [`BindMode::Apply`].
                ///
                /// # Errors
                /// Per interface, as [`Self::plan_profile`],
                /// [`Self::apply_change`] and [`Self::revert`].
                fn apply_bindings(
                    targets: &[BindingTarget],
                    state: &StateDir,
                    source: Source,
                    mode: BindMode
                ) -> Result<Vec<(String, Result<BindingResult>)>> =
                    |s| Engine::new(s).apply_bindings(targets, state, source, mode);

                /// Every settings group of one interface — `ethtool -g -l
                /// -c -a --show-eee --show-priv-flags`; a group the driver
                /// does not implement is `None`.
                ///
                /// # Errors
                /// [`Error::NoSuchInterface`]; kernel and socket errors.
                fn settings(iface: &IfaceRef) -> Result<Settings> =
                    |s| s.settings(iface);

                /// Reads the interface and plans `req` against it: resolves
                /// `max`, checks every key and value, drops values already
                /// as asked; sends nothing.
                ///
                /// # Errors
                /// [`Error::SettingUnsupported`], [`Error::UnknownSetting`],
                /// [`Error::InvalidSetting`], [`Error::NoSuchInterface`].
                fn plan_settings(
                    iface: &IfaceRef,
                    req: &SettingsRequest
                ) -> Result<SettingsPlan> = |s| s.plan_settings(iface, req);

                /// Sends a plan — one SET per group, only the values asked
                /// — re-reads and reports per value: applied, adjusted or
                /// refused. A driver's refusal (EINVAL, EOPNOTSUPP, EBUSY,
                /// ...) is a `Refused` value, not an error.
                ///
                /// # Errors
                /// [`Error::PermissionDenied`] without `CAP_NET_ADMIN`;
                /// [`Error::NoSuchInterface`]; socket and decoding errors.
                fn execute_settings(
                    plan: &SettingsPlan
                ) -> Result<Vec<SettingChange>> =
                    |s| s.execute_settings(plan);
            }
            sync {
                /// The `monitor` multicast group id of the ethtool family,
                /// if any.
                fn monitor_group() -> Option<u32> = |s| s.monitor_group();
            }
        }
    };
}

pub mod blocking;
#[cfg(feature = "tokio")]
pub(crate) mod handle;

/// What the operations' signatures and bodies name, for the two files
/// that write them out.
mod prelude {
    pub(super) use crate::change::{
        ApplyReport, BindMode, BindingResult, BindingTarget, ChangePlan,
        Engine, MissingGroup,
    };
    pub(super) use crate::error::{Error, Result};
    pub(super) use crate::ethtool::features::{
        FeaturePlan, FeatureRequest, Features, FixedPolicy, InterfaceOutcome,
    };
    pub(super) use crate::ethtool::session::Session;
    pub(super) use crate::ethtool::settings::{
        SettingChange, Settings, SettingsPlan, SettingsRequest,
    };
    pub(super) use crate::host::Device;
    pub(super) use crate::iface::IfaceRef;
    pub(super) use crate::profile::Profile;
    pub(super) use crate::state::{Source, StateDir};
}
