//! Reconcile: "make what `source` manages on these interfaces equal to
//! `desired`" — for the ifupdown hook (`--source hook`), and the
//! configuration bindings (`--source config`). Every recorded feature and
//! setting carries the sources that manage it
//! ([`crate::state::Record::owners`]). A reconcile
//!
//! * lets `source` go of what it manages and `desired` no longer asks
//!   for; what no other source manages is restored to its recorded state
//!   before ethcfg's first change (a person's `ethcfg set` of the same
//!   feature keeps it as set: the hook never undoes an interactive run);
//! * applies what `desired` asks for, taking it on as `source`'s;
//! * leaves what both the old and the new desired state want untouched —
//!   no revert-then-apply — and sends nothing at all when nothing differs,
//!   so a second `ifreload` is silent.
//!
//! Restores and new wants go out in one plan through
//! [`Engine::apply_change`], so recording, rollback and `strict` are the
//! same as for `apply`.
//!
//! This is the one reconcile: `bindings.rs` (`apply --config`, `watch`)
//! uses it too, acting for {config, watch} as one owner
//! ([`Engine::plan_reconcile_for`]) while recording its own source.

use std::collections::HashSet;

use super::{guard, locate, settings_request, ChangePlan, Engine};
use super::{InterfacePlan, MissingGroup, Released};
use crate::error::{Error, Result};
use crate::ethtool::features::{plan_resolved, resolve_request, FixedPolicy};
use crate::host::Device;
use crate::iface::IfaceRef;
use crate::netlink::transport::Transport;
use crate::profile::Profile;
use crate::state::{by_name, Source, Sources, StateDir};

impl<T: Transport> Engine<'_, T> {
    /// Plans the reconcile of `source` on `ifaces` to `desired` (see the
    /// module doc), with the driver guard of `desired` unless `force`.
    /// Reads the records: the caller holds the state lock from here until
    /// [`Engine::apply_change`] has run.
    pub(crate) async fn plan_reconcile(
        &mut self,
        source: Source,
        desired: &Profile,
        ifaces: &[IfaceRef],
        force: bool,
        state: &StateDir,
    ) -> Result<(ChangePlan, Vec<Device>)> {
        self.plan_reconcile_for(
            (Sources::only(source), source),
            desired,
            ifaces,
            force,
            state,
            true,
        )
        .await
    }

    /// [`Engine::plan_reconcile`] acting for every source of `acting` as
    /// one: what any of them manages and `desired` no longer asks for is
    /// let go by all of them (and restored unless a source outside
    /// `acting` holds it); new wants are recorded as `source`'s. The
    /// configuration's bindings act for {config, watch}. The devices (for
    /// the disruption notice) are looked up only when `want_devices`; the
    /// driver guard runs either way.
    pub(crate) async fn plan_reconcile_for(
        &mut self,
        (acting, source): (Sources, Source),
        desired: &Profile,
        ifaces: &[IfaceRef],
        force: bool,
        state: &StateDir,
        want_devices: bool,
    ) -> Result<(ChangePlan, Vec<Device>)> {
        let acting = acting | Sources::only(source);
        let names = self.session.feature_names().await?;
        let want = desired.feature_request();
        let resolved =
            resolve_request(&names, &want).map_err(|e| locate(desired, e))?;
        let want_settings = settings_request(
            desired.settings.iter().map(|s| (s.group, s.key.as_str(), s.value)),
        );
        let current = self.read_many(ifaces).await?;
        let keys: Vec<u32> = current.iter().map(|f| f.ifindex).collect();
        let records = state.load_for(&keys)?;
        let mut seen = HashSet::with_capacity(current.len());
        let mut targets = Vec::with_capacity(current.len());
        let mut released = Vec::new();
        for before in current {
            if !seen.insert(before.ifindex) {
                continue;
            }
            let wanted = resolved.named_bits(&before);
            let mut features = want.clone();
            let mut settings = want_settings.clone();
            let mut rel = Released::default();
            if let Some(rec) = records.get(&before.ifindex) {
                for f in &rec.features {
                    let owners = rec.owners(&f);
                    if !owners.intersects(acting) {
                        continue;
                    }
                    let bit = before
                        .iter()
                        .find(|g| g.name == f.name)
                        .map(|g| (g.index, g.fixed));
                    if bit.is_some_and(|(b, _)| wanted.contains(&b)) {
                        continue;
                    }
                    rel.features.push(f.name.clone());
                    // Another source still wants it as it is; a feature
                    // the device lost or fixed cannot be sent.
                    if owners.without(acting).is_empty()
                        && bit.is_some_and(|(_, fixed)| !fixed)
                    {
                        features =
                            features.set(f.name.to_string(), f.requested);
                    }
                }
                for s in &rec.settings {
                    let owners = rec.setting_owners(s);
                    if !owners.intersects(acting)
                        || want_settings
                            .items()
                            .iter()
                            .any(|w| w.group == s.group && w.key == s.key)
                    {
                        continue;
                    }
                    rel.settings.push((s.group, s.key.clone()));
                    if owners.without(acting).is_empty() {
                        settings = settings.set(
                            s.group,
                            s.key.clone(),
                            s.value.into(),
                        );
                    }
                }
            }
            let all = resolve_request(&names, &features)
                .map_err(|e| locate(desired, e))?;
            let plan = plan_resolved(&before, &all, FixedPolicy::Refuse)
                .map_err(|e| locate(desired, e))?;
            let (settings, notes) = if settings.is_empty() {
                (None, Vec::new())
            } else {
                self.plan_settings_for(&before, &settings, MissingGroup::Skip)
                    .await
                    .map_err(|e| locate(desired, e))?
            };
            if rel != Released::default() {
                released.push((before.ifindex, rel));
            }
            let settings = settings.map(Box::new);
            targets.push(InterfacePlan { before, plan, settings, notes });
        }
        let plan = ChangePlan {
            by: desired.name.clone(),
            source,
            targets,
            asked: resolved,
            asked_settings: want_settings,
            released,
            releasing: acting,
        };
        let devices = if want_devices || (!force && !desired.drivers.is_empty())
        {
            guard(desired, &plan, force)?
        } else {
            // Nobody prints the disruption notice: no sysfs lookups.
            Vec::new()
        };
        Ok((plan, devices))
    }

    /// [`Engine::plan_reconcile`], then [`Engine::apply_change`].
    pub(crate) async fn reconcile(
        &mut self,
        source: Source,
        desired: &Profile,
        ifaces: &[IfaceRef],
        force: bool,
        state: &StateDir,
        strict: bool,
    ) -> Result<super::ApplyReport> {
        let (plan, _) =
            self.plan_reconcile(source, desired, ifaces, force, state).await?;
        self.apply_change(&plan, state, strict).await
    }

    /// Lets `source` go of everything it manages on `ifaces` — `ethcfg
    /// revert --source hook` — restoring what no other source manages.
    /// An interface where `source` manages nothing is
    /// [`Error::NoRecord`], checked before anything is sent. The caller
    /// holds the state lock.
    pub(crate) async fn revert_source(
        &mut self,
        source: Source,
        ifaces: &[IfaceRef],
        state: &StateDir,
    ) -> Result<super::ApplyReport> {
        let records = state.load_all()?;
        let current = self.read_many(ifaces).await?;
        for now in &current {
            let mine =
                records.get(&now.ifindex).is_some_and(|r| r.managed_by(source));
            if !mine {
                return Err(match by_name(&records, &now.ifname) {
                    Some(stale) if stale.ifindex != now.ifindex => {
                        Error::RecordedDeviceGone {
                            iface: now.ifname.clone(),
                            recorded: stale.ifindex,
                            now: now.ifindex,
                        }
                    }
                    _ => Error::NoRecord {
                        iface: now.ifname.clone(),
                        dir: state.path().to_path_buf(),
                    },
                });
            }
        }
        let (plan, _) = self
            .plan_reconcile(
                source,
                &Profile::new("revert"),
                ifaces,
                true,
                state,
            )
            .await?;
        self.apply_change(&plan, state, false).await
    }
}
