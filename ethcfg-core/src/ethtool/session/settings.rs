//! The settings operations of the ethtool session: read every group, plan, and execute (one SET per group,
//! a re-read, a status per value).

use super::{body, Session};
use crate::error::{Error, Result};
use crate::ethtool::settings::keys::{self, GroupDef};
use crate::ethtool::settings::read::{self, fields};
use crate::ethtool::settings::{
    plan, Group, GroupValues, SettingChange, Settings, SettingsPlan,
    SettingsRequest, Status, Value,
};
use crate::iface::IfaceRef;
use crate::netlink::transport::Transport;
use crate::netlink::wire::consts::*;
use crate::netlink::wire::header::{Dev, ReplyDev};
use crate::netlink::wire::settings::{self as ws, Scalar};
use crate::netlink::wire::strset;

/// What one group's SET carries.
enum SetBody {
    Scalars(Vec<(u16, Scalar, u32)>),
    Flags(Vec<(String, bool)>),
}

impl<T: Transport> Session<T> {
    /// One do-request; the payload of its first reply.
    async fn request_first(
        &mut self,
        op: &'static str,
        shown: &str,
        build: impl Fn(u16, u32) -> Option<Vec<u8>>,
    ) -> Result<Vec<u8>> {
        let family = self.family.id;
        self.conn.request_one(op, Some(shown), |seq| build(family, seq)).await
    }

    /// As [`Session::request_first`], but `None` when the kernel answered
    /// `EOPNOTSUPP`: the driver lacks the operation.
    async fn get_or_unsupported(
        &mut self,
        op: &'static str,
        shown: &str,
        build: impl Fn(u16, u32) -> Option<Vec<u8>>,
    ) -> Result<Option<Vec<u8>>> {
        match self.request_first(op, shown, build).await {
            Ok(p) => Ok(Some(p)),
            Err(Error::Kernel { errno, .. }) if errno.0 == libc::EOPNOTSUPP => {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// The device as the kernel names it, and its private flag names
    /// (`ETH_SS_PRIV_FLAGS`; empty when the driver has none). One request
    /// that resolves the device whatever the driver implements.
    async fn device_and_flag_names(
        &mut self,
        dev: Dev<'_>,
        shown: &str,
    ) -> Result<(u32, String, Vec<String>)> {
        const OP: &str = "STRSET_GET";
        self.require(ETHTOOL_MSG_STRSET_GET, OP, false)?;
        let payload = self
            .request_first(OP, shown, |family, seq| {
                strset::device_request(family, seq, dev, ETH_SS_PRIV_FLAGS)
            })
            .await?;
        let b = body(OP, &payload)?;
        let ReplyDev { index, name } =
            strset::decode_device(b).map_err(|e| e.for_op(OP))?;
        let index = index.ok_or_else(|| Error::Malformed {
            op: OP,
            detail: "reply header without the device index".into(),
        })?;
        let names =
            strset::decode(b, ETH_SS_PRIV_FLAGS).map_err(|e| e.for_op(OP))?;
        Ok((index, name.unwrap_or_else(|| shown.to_string()), names))
    }

    /// One group's GET: `None` when the driver does not implement it.
    async fn read_group(
        &mut self,
        g: Group,
        ifindex: u32,
        shown: &str,
        flag_names: &[String],
    ) -> Result<Option<GroupValues>> {
        let def = keys::def(g);
        self.require(def.get, def.get_op, false)?;
        let cmd = def.get;
        let Some(payload) = self
            .get_or_unsupported(def.get_op, shown, |family, seq| {
                ws::get_request(family, seq, cmd, Dev::Index(ifindex))
            })
            .await?
        else {
            return Ok(None);
        };
        let b = body(def.get_op, &payload)?;
        let values = if g == Group::PrivateFlags {
            let (_, flags) =
                ws::decode_privflags(b).map_err(|e| e.for_op(def.get_op))?;
            read::flag_values(&flags, flag_names)
        } else {
            let r = ws::decode_scalars(b, &fields(&def))
                .map_err(|e| e.for_op(def.get_op))?;
            read::scalar_values(&def, &r)
        };
        Ok(Some(values))
    }

    /// Every settings group of one interface.
    pub(crate) async fn settings(
        &mut self,
        iface: &IfaceRef,
    ) -> Result<Settings> {
        self.settings_of(iface, &Group::ALL).await
    }

    /// The settings groups `groups` of one interface (the others read as
    /// `None`): one GET per group asked for, after the one request that
    /// resolves the device.
    async fn settings_of(
        &mut self,
        iface: &IfaceRef,
        groups: &[Group],
    ) -> Result<Settings> {
        let (ifindex, ifname, names) = self
            .device_and_flag_names(Dev::of(iface), &iface.to_string())
            .await?;
        let mut s = Settings {
            ifname,
            ifindex,
            rings: None,
            channels: None,
            coalesce: None,
            pause: None,
            eee: None,
            private_flags: None,
        };
        let shown = s.ifname.clone();
        for g in Group::ALL.into_iter().filter(|g| groups.contains(g)) {
            *s.slot_mut(g) =
                self.read_group(g, ifindex, &shown, &names).await?;
        }
        Ok(s)
    }

    /// Reads the interface and plans `req` against it; sends nothing.
    pub(crate) async fn plan_settings(
        &mut self,
        iface: &IfaceRef,
        req: &SettingsRequest,
    ) -> Result<SettingsPlan> {
        // Only the groups asked for: a profile's [channels] over a thousand
        // interfaces should not cost six more GETs each.
        let mut groups: Vec<Group> =
            req.items().iter().map(|s| s.group).collect();
        groups.sort();
        groups.dedup();
        let before = self.settings_of(iface, &groups).await?;
        plan::plan(before, req)
    }

    /// Sends one SET per group of `plan`, re-reads each group sent, and
    /// says per value what the driver did. A group the driver refuses
    /// with an errno is reported as refused and the others still go; only
    /// EPERM, ENODEV and socket or decoding failures end the call.
    pub(crate) async fn execute_settings(
        &mut self,
        plan: &SettingsPlan,
    ) -> Result<Vec<SettingChange>> {
        // Everything that can be wrong with the plan is found before the
        // first SET goes out.
        let mut sets = Vec::new();
        for g in Group::ALL {
            let items: Vec<_> =
                plan.items.iter().filter(|i| i.0 == g).collect();
            if items.is_empty() {
                continue;
            }
            let def = keys::def(g);
            self.require(def.set, def.set_op, false)?;
            let set_body = set_body(plan, g, &items)?;
            sets.push((g, def, items, set_body));
        }
        let shown = plan.ifname.as_str();
        let mut names = Vec::new();
        if sets.iter().any(|s| s.0 == Group::PrivateFlags) {
            names = self
                .device_and_flag_names(Dev::Index(plan.ifindex), shown)
                .await?
                .2;
        }
        let mut out = Vec::with_capacity(plan.items.len());
        for (g, def, items, set_body) in sets {
            let refusal = match self.send_set(&def, plan, set_body).await {
                Ok(()) => None,
                Err(e) => Some(refusal_reason(e)?),
            };
            let after = self.read_group(g, plan.ifindex, shown, &names).await?;
            for (_, key, from, to) in &items {
                let now = after.as_ref().and_then(|a| a.get(key));
                out.push(judge(g, key, *from, *to, now, refusal.as_deref()));
            }
            // Values of the group that changed though not asked for.
            if let (Some(after), Some(before)) =
                (after.as_ref(), plan.before.group(g))
            {
                for (key, was) in &before.values {
                    let asked = items.iter().any(|(_, k, _, _)| k == key);
                    match after.get(key) {
                        Some(now) if !asked && now != *was => {
                            out.push(SettingChange {
                                group: g,
                                key: key.clone(),
                                from: *was,
                                to: now,
                                now,
                                status: Status::SideEffect,
                                reason: None,
                            })
                        }
                        _ => {}
                    }
                }
            }
        }
        Ok(out)
    }

    async fn send_set(
        &mut self,
        def: &GroupDef,
        plan: &SettingsPlan,
        set_body: SetBody,
    ) -> Result<()> {
        let family = self.family.id;
        // By index: the plan was made for this interface instance; if it
        // was replaced since, the kernel says ENODEV rather than touching
        // another.
        let dev = Dev::Index(plan.ifindex);
        let flags: Vec<(&str, bool)> = match &set_body {
            SetBody::Flags(f) => {
                f.iter().map(|(n, on)| (n.as_str(), *on)).collect()
            }
            SetBody::Scalars(_) => Vec::new(),
        };
        let build = |seq| match &set_body {
            SetBody::Scalars(v) => {
                ws::set_request(family, seq, def.set, dev, v)
            }
            SetBody::Flags(_) => {
                ws::privflags_set_request(family, seq, dev, &flags)
            }
        };
        self.conn.request(def.set_op, Some(&plan.ifname), build).await?;
        Ok(())
    }
}

/// The attributes of one group's SET: only the values asked for.
fn set_body(
    plan: &SettingsPlan,
    g: Group,
    items: &[&(Group, String, Value, Value)],
) -> Result<SetBody> {
    if g == Group::PrivateFlags {
        let flags = items
            .iter()
            .map(|(_, key, _, to)| {
                let on = match to {
                    Value::Bool(b) => *b,
                    Value::Num(n) => *n != 0,
                };
                (key.clone(), on)
            })
            .collect();
        return Ok(SetBody::Flags(flags));
    }
    let mut attrs = Vec::with_capacity(items.len());
    for (_, key, _, to) in items {
        // The plan's fields are public: a key or value changed after
        // planning is checked again rather than sent blindly.
        let Some(k) = keys::key(g, key).filter(|k| !k.read_only) else {
            return Err(Error::UnknownSetting {
                iface: plan.ifname.clone(),
                group: g.as_str(),
                key: key.clone(),
                known: plan
                    .before
                    .group(g)
                    .map(|gv| {
                        gv.values.iter().map(|(k, _)| k.clone()).collect()
                    })
                    .unwrap_or_default(),
            });
        };
        let raw = match (k.ty, to) {
            (Scalar::U32, Value::Num(n)) => *n,
            (Scalar::Bool, Value::Bool(b)) => u32::from(*b),
            _ => {
                return Err(Error::InvalidSetting {
                    iface: plan.ifname.clone(),
                    group: g.as_str(),
                    key: key.clone(),
                    problem: format!("{key} {to} is of the wrong kind"),
                })
            }
        };
        attrs.push((k.attr, k.ty, raw));
    }
    Ok(SetBody::Scalars(attrs))
}

/// Why a group's SET failed, when the failure is the driver's refusal
/// (reported per value) rather than an error of the whole call.
fn refusal_reason(e: Error) -> Result<String> {
    match e {
        Error::Kernel { errno, extack, .. } => Ok(match extack {
            Some(m) if !m.is_empty() => m,
            _ => {
                format!("{errno} from the driver (no reason given; see dmesg)")
            }
        }),
        other => Err(other),
    }
}

/// One value's status from what was read back.
fn judge(
    group: Group,
    key: &str,
    from: Value,
    to: Value,
    now: Option<Value>,
    refusal: Option<&str>,
) -> SettingChange {
    let (now, status, reason) = match (now, refusal) {
        (now, Some(r)) => {
            (now.unwrap_or(from), Status::Refused, Some(r.to_owned()))
        }
        (None, None) => (
            from,
            Status::Refused,
            Some("the driver no longer reports this value".to_owned()),
        ),
        (Some(now), None) if now == to => (now, Status::Applied, None),
        (Some(now), None) if now == from => (
            now,
            Status::Refused,
            Some("the driver kept the old value".to_owned()),
        ),
        (Some(now), None) => (now, Status::Adjusted, None),
    };
    SettingChange { group, key: key.to_owned(), from, to, now, status, reason }
}
