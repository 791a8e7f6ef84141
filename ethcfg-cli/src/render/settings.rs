//! The other ethtool settings of an interface (rings, channels, coalesce,
//! pause, EEE, private flags) as `show --all-settings` prints them.

use std::io::{self, Write};

use ethcfg_core::settings::{Group, GroupValues, Settings, Value};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::Serialize;

use super::json;

/// For people: one section per group, the values with their maxima;
/// groups the driver does not have say so.
pub(crate) fn text(w: &mut dyn Write, s: &Settings) -> io::Result<()> {
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

/// The settings' members of a `show --json` element: a key per group
/// (its values and maxima on one line, or null when the driver does not
/// have it), then "unsupported", the groups that were null, on one line.
pub(crate) struct View<'a>(pub(crate) &'a Settings);

impl Serialize for View<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for g in Group::ALL {
            match self.0.group(g) {
                None => map.serialize_entry(g.as_str(), &())?,
                Some(gv) => map.serialize_entry(
                    g.as_str(),
                    &json::compact::<_, S::Error>(&Values(gv))?,
                )?,
            }
        }
        map.serialize_entry(
            "unsupported",
            &json::compact::<_, S::Error>(&Unsupported(self.0))?,
        )?;
        map.end()
    }
}

/// `{KEY: VALUE}`: the settable values, then the read-only ones. Keys are
/// unique within a group (the maxima are `KEY-max`).
struct Values<'a>(&'a GroupValues);

impl Serialize for Values<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(
            self.0
                .values
                .iter()
                .chain(&self.0.read_only)
                .map(|(k, v)| (k, ValueView(*v))),
        )
    }
}

/// A number, or true/false.
pub(crate) struct ValueView(pub(crate) Value);

impl Serialize for ValueView {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Num(n) => s.serialize_u32(n),
            Value::Bool(b) => s.serialize_bool(b),
        }
    }
}

/// The names of the groups the driver does not have.
struct Unsupported<'a>(&'a Settings);

impl Serialize for Unsupported<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for g in Group::ALL.into_iter().filter(|&g| self.0.group(g).is_none()) {
            seq.serialize_element(g.as_str())?;
        }
        seq.end()
    }
}
