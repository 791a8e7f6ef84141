//! Rendering for people (text, like ethtool's) and programs (`--json`, in
//! the shapes DESIGN.md fixes). No I/O decisions beyond "write here".

use std::io::{self, Write};

use ethcfg_core::names::{pattern_matches, LEGACY_FLAGS};
use ethcfg_core::settings::{
    Group, SettingStatus, Settings, Value as SettingValue,
};
use ethcfg_core::{ChangeStatus, Feature, Features, SetOutcome};
use serde_json::{json, Value};

fn on_off(b: bool) -> &'static str {
    if b {
        "on"
    } else {
        "off"
    }
}

fn suffix(f: &Feature) -> String {
    f.note().map(|n| format!(" [{n}]")).unwrap_or_default()
}

/// `ethtool -k` text: legacy lines first (groups with their members
/// indented), then every other feature by kernel name, in bit order.
pub(crate) fn features_text(w: &mut dyn Write, f: &Features) -> io::Result<()> {
    writeln!(w, "Features for {}:", f.ifname)?;
    let all: Vec<Feature> = f.iter().collect();
    let mut shown = vec![false; all.len()];
    for flag in LEGACY_FLAGS {
        let members: Vec<usize> = all
            .iter()
            .enumerate()
            .filter(|(_, x)| pattern_matches(&x.name, flag.pattern))
            .map(|(i, _)| i)
            .collect();
        match members.as_slice() {
            [] => continue,
            [one] => {
                if let Some(x) = all.get(*one) {
                    writeln!(
                        w,
                        "{}: {}{}",
                        flag.long,
                        on_off(x.active),
                        suffix(x)
                    )?;
                }
            }
            many => {
                let any =
                    many.iter().filter_map(|&i| all.get(i)).any(|x| x.active);
                writeln!(w, "{}: {}", flag.long, on_off(any))?;
                for x in many.iter().filter_map(|&i| all.get(i)) {
                    writeln!(
                        w,
                        "\t{}: {}{}",
                        x.name,
                        on_off(x.active),
                        suffix(x)
                    )?;
                }
            }
        }
        for &i in &members {
            if let Some(s) = shown.get_mut(i) {
                *s = true;
            }
        }
    }
    for (x, done) in all.iter().zip(&shown) {
        if !done {
            writeln!(w, "{}: {}{}", x.name, on_off(x.active), suffix(x))?;
        }
    }
    Ok(())
}

/// Writes a JSON array one element at a time, so output of any length
/// needs memory for one element only.
pub(crate) fn json_array(
    w: &mut dyn Write,
    items: impl IntoIterator<Item = Value>,
) -> io::Result<()> {
    json_array_with(w, items, |w, v| {
        serde_json::to_writer_pretty(w, &v).map_err(io::Error::from)
    })
}

/// [`json_array`] with a writer of our own for each element.
pub(crate) fn json_array_with<T>(
    w: &mut dyn Write,
    items: impl IntoIterator<Item = T>,
    mut each: impl FnMut(&mut dyn Write, T) -> io::Result<()>,
) -> io::Result<()> {
    w.write_all(b"[")?;
    for (i, v) in items.into_iter().enumerate() {
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        each(&mut *w, v)?;
    }
    w.write_all(b"\n]\n")
}

/// One element of `show --json`.
///
/// Written straight to `w` in serde_json's pretty layout: `show --json` of
/// a thousand interfaces is 60,000 features, and building a value tree for
/// them costs more than reading them from the kernel.
pub(crate) fn write_features_json(
    w: &mut dyn Write,
    f: &Features,
    driver: Option<&str>,
    settings: Option<&Settings>,
) -> io::Result<()> {
    let string = |w: &mut dyn Write, s: &str| {
        serde_json::to_writer(&mut *w, s).map_err(io::Error::from)
    };
    w.write_all(b"{\n  \"ifname\": ")?;
    string(w, &f.ifname)?;
    write!(w, ",\n  \"ifindex\": {},\n  \"driver\": ", f.ifindex)?;
    match driver {
        Some(d) => string(w, d)?,
        None => w.write_all(b"null")?,
    }
    w.write_all(b",\n  \"features\": {")?;
    for (i, x) in f.iter().enumerate() {
        w.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
        string(w, &x.name)?;
        write!(
            w,
            ": {{\n      \"active\": {},\n      \"requested\": {},\n      \"fixed\": {}\n    }}",
            x.active, x.requested, x.fixed
        )?;
    }
    w.write_all(if f.is_empty() { b"}" } else { b"\n  }" })?;
    if let Some(s) = settings {
        let mut unsupported = Vec::new();
        for g in Group::ALL {
            write!(w, ",\n  \"{}\": ", g.as_str())?;
            match s.group(g) {
                None => {
                    unsupported.push(g.as_str());
                    w.write_all(b"null")?;
                }
                Some(gv) => {
                    let mut obj = serde_json::Map::new();
                    for (k, v) in gv.values.iter().chain(&gv.read_only) {
                        obj.insert(k.clone(), value_json(*v));
                    }
                    serde_json::to_writer(&mut *w, &obj)
                        .map_err(io::Error::from)?;
                }
            }
        }
        w.write_all(b",\n  \"unsupported\": ")?;
        serde_json::to_writer(&mut *w, &unsupported)
            .map_err(io::Error::from)?;
    }
    w.write_all(b"\n}")
}

/// The other settings, for people: one section per group, the values with
/// their maxima; groups the driver does not have say so.
pub(crate) fn settings_text(w: &mut dyn Write, s: &Settings) -> io::Result<()> {
    for g in Group::ALL {
        match s.group(g) {
            None => writeln!(w, "{}: not supported by the driver", g.as_str())?,
            Some(gv) if gv.values.is_empty() && gv.read_only.is_empty() => {
                writeln!(w, "{}: none", g.as_str())?
            }
            Some(gv) => {
                writeln!(w, "{}:", g.as_str())?;
                for (k, v) in &gv.values {
                    match gv.max(k) {
                        Some(m) => writeln!(w, "\t{k}: {v} (max {m})")?,
                        None => writeln!(w, "\t{k}: {v}")?,
                    }
                }
                for (k, v) in
                    gv.read_only.iter().filter(|(k, _)| !k.ends_with("-max"))
                {
                    writeln!(w, "\t{k}: {v} (read-only)")?;
                }
            }
        }
    }
    Ok(())
}

/// One element of `set --json` (and later apply/revert/check).
fn value_json(v: SettingValue) -> Value {
    match v {
        SettingValue::Num(n) => json!(n),
        SettingValue::Bool(b) => json!(b),
    }
}

pub(crate) fn outcome_json(o: &SetOutcome) -> Value {
    let changes: Vec<Value> = o
        .changes
        .iter()
        .map(|c| json!({"feature": c.feature, "from": c.from, "to": c.to, "status": c.status.as_str()}))
        .collect();
    let settings: Vec<Value> = o
        .settings
        .iter()
        .map(|c| {
            json!({
                "group": c.group.as_str(),
                "key": c.key,
                "from": value_json(c.from),
                "to": value_json(c.to),
                "now": value_json(c.now),
                "status": c.status.as_str(),
                "reason": c.reason,
            })
        })
        .collect();
    json!({
        "ifname": o.ifname,
        "ifindex": o.ifindex,
        "changed": o.changed(),
        "changes": changes,
        "settings": settings,
        "skipped_fixed": o.skipped_fixed,
        "warnings": o.warnings,
        "notes": o.notes,
    })
}

/// What a set did, for people: one line per feature.
pub(crate) fn outcome_text(
    w: &mut dyn Write,
    o: &SetOutcome,
) -> io::Result<()> {
    if o.changes.is_empty() && o.settings.is_empty() {
        return writeln!(
            w,
            "{}: nothing to change, everything asked for is already so",
            o.ifname
        );
    }
    let counts: Vec<String> = [
        (ChangeStatus::Applied, "applied"),
        (ChangeStatus::Refused, "refused"),
        (ChangeStatus::SideEffect, "side effects"),
        (ChangeStatus::Planned, "planned (dry run: nothing sent)"),
        (ChangeStatus::Drift, "drifted"),
    ]
    .iter()
    .map(|(s, label)| {
        let settings = o
            .settings
            .iter()
            .filter(|c| c.status.as_str() == s.as_str())
            .count();
        (o.changes.iter().filter(|c| c.status == *s).count() + settings, label)
    })
    .filter(|(n, _)| *n > 0)
    .map(|(n, label)| format!("{n} {label}"))
    .collect();
    let mut counts = counts;
    let adjusted = o
        .settings
        .iter()
        .filter(|c| c.status == SettingStatus::Adjusted)
        .count();
    if adjusted > 0 {
        counts.insert(1.min(counts.len()), format!("{adjusted} adjusted"));
    }
    writeln!(w, "{}: {}", o.ifname, counts.join(", "))?;
    let width = o
        .changes
        .iter()
        .map(|c| c.feature.len())
        .chain(
            o.settings.iter().map(|c| c.group.as_str().len() + 1 + c.key.len()),
        )
        .max()
        .unwrap_or(0);
    // Written straight out, not formatted into strings first: a run over
    // a thousand interfaces reports thirteen thousand changes.
    for c in &o.changes {
        write!(w, "  {:<width$}  ", c.feature)?;
        let (from, to) = (on_off(c.from), on_off(c.to));
        match c.status {
            ChangeStatus::Refused => writeln!(
                w,
                "stays {from:<4} refused: requested {to}, the kernel or driver kept it {from}"
            )?,
            ChangeStatus::SideEffect => {
                writeln!(w, "{from} -> {to:<3} side effect (not requested)")?
            }
            s => writeln!(w, "{from} -> {to:<3} {s}")?,
        }
    }
    for c in &o.settings {
        let name = format!("{} {}", c.group, c.key);
        let what = match c.status {
            SettingStatus::Refused => format!(
                "stays {}  refused: asked {}{}",
                c.now,
                c.to,
                c.reason
                    .as_ref()
                    .map(|r| format!(" — {r}"))
                    .unwrap_or_default()
            ),
            SettingStatus::Adjusted => format!(
                "{} -> {}  adjusted: asked {}, the driver took {}",
                c.from, c.now, c.to, c.now
            ),
            SettingStatus::SideEffect => {
                format!("{} -> {}  side effect (not asked)", c.from, c.now)
            }
            SettingStatus::Planned | SettingStatus::Drift => {
                format!("{} -> {}  {}", c.from, c.to, c.status)
            }
            s => format!("{} -> {}  {s}", c.from, c.now),
        };
        writeln!(w, "  {name:<width$}  {what}")?;
    }
    Ok(())
}
