//! `ethcfg profiles`: the list, one profile in full, and their JSON.

use std::io::{self, Write};

use ethcfg_core::profile::{BrokenProfile, Profile, ProfileSetting, Source};
use ethcfg_core::settings::{Group, Target};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::json::{self, Seq, Shown};
use super::on_off;

/// What loading the profiles had to say (a file skipped, a built-in
/// replaced), on stderr.
pub(crate) fn notes(err: &mut dyn Write, notes: &[String]) -> io::Result<()> {
    notes
        .iter()
        .try_for_each(|n| writeln!(err, "ethcfg: note: {}", super::escape(n)))
}

/// One warning line per user profile file that cannot be used, except
/// the one named `asked` (the run fails with its error instead): every
/// run that loads profiles says so, so a typo in a profile that is not
/// used today is seen before the day it is.
pub(crate) fn broken(
    err: &mut dyn Write,
    broken: &[BrokenProfile],
    asked: Option<&str>,
) -> io::Result<()> {
    broken
        .iter()
        .filter(|b| asked.is_none() || b.name.as_deref() != asked)
        .try_for_each(|b| {
            writeln!(
                err,
                "ethcfg: warning: {} (profile not loaded)",
                super::escape(b)
            )
        })
}

/// The list for people: names in one column, then the summary and, for a
/// user profile, its file.
pub(crate) fn list_text(
    out: &mut dyn Write,
    all: &[Profile],
) -> io::Result<()> {
    let width = all.iter().map(|p| p.name.len()).max().unwrap_or(0);
    for p in all {
        let origin = if p.source == Source::Builtin {
            String::new()
        } else {
            format!(" [{}]", p.source)
        };
        writeln!(out, "{:<width$}  {}{origin}", p.name, p.summary)?;
    }
    Ok(())
}

/// "  (from PROFILE)" for a value an included profile brings.
fn from_note(from: &Option<String>) -> String {
    from.as_ref().map(|n| format!("  (from {n})")).unwrap_or_default()
}

/// One profile in full, for people.
pub(crate) fn text(out: &mut dyn Write, p: &Profile) -> io::Result<()> {
    writeln!(out, "{} ({})\n  {}\n", p.name, p.source, p.summary)?;
    for line in p.description.lines() {
        writeln!(out, "  {line}")?;
    }
    let drivers = if p.drivers.is_empty() {
        "any".to_owned()
    } else {
        p.drivers.join(", ")
    };
    writeln!(
        out,
        "\n  drivers: {drivers}\n  disruptive: {}",
        if p.disruptive { "yes (may reset the link)" } else { "no" }
    )?;
    if !p.include.is_empty() {
        writeln!(out, "  includes: {}", p.include.join(", "))?;
    }
    if !p.features.is_empty() {
        writeln!(out, "  features:")?;
    }
    for f in &p.features {
        let from = from_note(&f.from);
        writeln!(out, "    {} {}{from}", f.name, on_off(f.on))?;
    }
    for group in Group::ALL {
        let mut first = true;
        for s in p.settings.iter().filter(|s| s.group == group) {
            if first {
                writeln!(out, "  {group}:")?;
                first = false;
            }
            let from = from_note(&s.from);
            writeln!(out, "    {} {}{from}", s.key, s.value)?;
        }
    }
    for r in &p.references {
        writeln!(out, "  see: {r}")?;
    }
    Ok(())
}

/// `profiles --json`: every profile.
pub(crate) fn list_json(
    out: &mut dyn Write,
    all: &[Profile],
) -> io::Result<()> {
    json::write(out, &Seq(|| all.iter().map(View)))
}

/// `profiles show NAME --json`.
pub(crate) fn json(out: &mut dyn Write, p: &Profile) -> io::Result<()> {
    json::write(out, &View(p))
}

/// A profile as JSON: its fields, "features" as `{NAME: "on"|"off"}`, then
/// a `{KEY: VALUE}` object per settings group it has. Feature names and a
/// group's keys are unique in a loaded profile (later ones replace earlier
/// ones when it is loaded).
struct View<'a>(&'a Profile);

impl Serialize for View<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.0;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("name", &p.name)?;
        map.serialize_entry("summary", &p.summary)?;
        map.serialize_entry("description", &p.description)?;
        map.serialize_entry("drivers", &p.drivers)?;
        map.serialize_entry("disruptive", &p.disruptive)?;
        map.serialize_entry("references", &p.references)?;
        map.serialize_entry("source", &Shown(&p.source))?;
        map.serialize_entry("include", &p.include)?;
        map.serialize_entry("features", &Features(p))?;
        for group in Group::ALL {
            if p.settings.iter().any(|s| s.group == group) {
                map.serialize_entry(group.as_str(), &Section(p, group))?;
            }
        }
        map.end()
    }
}

struct Features<'a>(&'a Profile);

impl Serialize for Features<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.features.iter().map(|f| (&f.name, on_off(f.on))))
    }
}

/// One group's settings.
struct Section<'a>(&'a Profile, Group);

impl Serialize for Section<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Section(p, group) = *self;
        s.collect_map(
            p.settings
                .iter()
                .filter(|s| s.group == group)
                .map(|s: &ProfileSetting| (&s.key, TargetView(s.value))),
        )
    }
}

/// A number, "max", or "on"/"off".
struct TargetView(Target);

impl Serialize for TargetView {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Target::Num(n) => s.serialize_u32(n),
            Target::Max => s.serialize_str("max"),
            Target::Bool(b) => s.serialize_str(on_off(b)),
        }
    }
}
