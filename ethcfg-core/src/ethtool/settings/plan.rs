//! Planning: a [`SettingsRequest`] checked against the device as read,
//! with `max` resolved and values already as asked dropped. Every problem
//! is an error here, before anything is sent, so a bad request leaves the
//! interface exactly as it was.

use super::keys;
use super::{
    Group, GroupValues, Settings, SettingsPlan, SettingsRequest, Target, Value,
};
use crate::error::{Error, Result};

/// Plans `req` against `before`.
///
/// # Errors
/// [`Error::SettingUnsupported`] for a group the driver lacks;
/// [`Error::UnknownSetting`] for a key the device does not have;
/// [`Error::InvalidSetting`] for a read-only key, a value of the wrong
/// kind, `max` where there is none, or a value above the maximum.
pub(crate) fn plan(
    before: Settings,
    req: &SettingsRequest,
) -> Result<SettingsPlan> {
    // Canonical keys first, so that an alias and its key given in one
    // request are one value, the later winning.
    let mut asked: Vec<(Group, &str, Target)> = Vec::new();
    for s in req.items() {
        let key = keys::canonical(s.group, &s.key);
        match asked.iter_mut().find(|(g, k, _)| *g == s.group && *k == key) {
            Some(slot) => slot.2 = s.to,
            None => asked.push((s.group, key, s.to)),
        }
    }
    let mut items = Vec::new();
    for (g, key, to) in asked {
        let Some(gv) = before.group(g) else {
            return Err(Error::SettingUnsupported {
                iface: before.ifname.clone(),
                group: g.as_str(),
                detail: format!("{}: EOPNOTSUPP", keys::def(g).get_op),
            });
        };
        let (from, to) = check(&before.ifname, g, gv, key, to)?;
        if from != to {
            items.push((g, key.to_owned(), from, to));
        }
    }
    // One SET per group, sent in Group::ALL order; stable, so the order
    // asked is kept within a group.
    items.sort_by_key(|i| i.0);
    Ok(SettingsPlan {
        ifname: before.ifname.clone(),
        ifindex: before.ifindex,
        before,
        items,
    })
}

/// The current value and the resolved target of one key.
fn check(
    iface: &str,
    g: Group,
    gv: &GroupValues,
    key: &str,
    to: Target,
) -> Result<(Value, Value)> {
    let invalid = |problem: String| Error::InvalidSetting {
        iface: iface.to_owned(),
        group: g.as_str(),
        key: key.to_owned(),
        problem,
    };
    if gv.read_only.iter().any(|(k, _)| k == key) {
        return Err(invalid(format!(
            "{key} is read-only (what the device reports, not a setting)"
        )));
    }
    let Some(from) = gv.get(key) else {
        return Err(Error::UnknownSetting {
            iface: iface.to_owned(),
            group: g.as_str(),
            key: key.to_owned(),
            known: gv.values.iter().map(|(k, _)| k.clone()).collect(),
        });
    };
    let to = match (from, to) {
        (Value::Bool(_), Target::Bool(b)) => Value::Bool(b),
        (Value::Bool(_), _) => {
            return Err(invalid(format!(
                "{key} is on or off, not {}",
                target_words(to)
            )))
        }
        (Value::Num(_), Target::Bool(_)) => {
            return Err(invalid(format!("{key} takes a number, not on/off")))
        }
        (Value::Num(_), Target::Max) => match gv.max(key) {
            Some(m) => Value::Num(m),
            None => {
                return Err(invalid(format!(
                    "{key} has no maximum to use; give a number"
                )))
            }
        },
        (Value::Num(_), Target::Num(n)) => match gv.max(key) {
            Some(m) if n > m => {
                return Err(invalid(format!(
                    "{key} {n} exceeds the maximum {m}"
                )))
            }
            _ => Value::Num(n),
        },
    };
    Ok((from, to))
}

fn target_words(t: Target) -> String {
    match t {
        Target::Max => "max".to_owned(),
        other => format!("a number ({other})"),
    }
}
