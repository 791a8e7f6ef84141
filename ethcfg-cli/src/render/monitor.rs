//! `ethcfg monitor`: one line per event — text like `ethtool --monitor`'s
//! but saying what changed (`eth0: features: rx-gro off`), or one JSON
//! object per line (`{"event": "features", ...}`), through serde views on
//! the library's [`Event`]s.

use std::io::{self, Write};

use ethcfg_core::events::Event;
use ethcfg_core::features::Feature;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::on_off;

/// An event and, for a features event, the features whose state changed
/// since the interface's last one (every feature when there was none).
#[derive(Debug)]
pub(crate) struct Change<'a> {
    pub(crate) event: &'a Event,
    pub(crate) features: &'a [Feature],
}

fn link_state(up: bool, running: bool) -> &'static str {
    match (up, running) {
        (true, true) => "up",
        (true, false) => "up, no carrier",
        (false, _) => "down",
    }
}

/// The text line of `c`; nothing for an overrun (that is a note on
/// stderr, see [`overrun_note`]) or an event of a kind this version does
/// not show.
pub(crate) fn text(w: &mut dyn Write, c: &Change<'_>) -> io::Result<()> {
    match c.event {
        Event::FeaturesChanged { ifname, .. } => {
            write!(w, "{}: features:", super::escape(ifname))?;
            if c.features.is_empty() {
                write!(w, " unchanged")?;
            }
            for (i, f) in c.features.iter().enumerate() {
                let sep = if i == 0 { " " } else { ", " };
                write!(w, "{sep}{} {}", f.name, on_off(f.active))?;
                if f.requested != f.active {
                    write!(w, " [requested {}]", on_off(f.requested))?;
                }
            }
            writeln!(w)
        }
        Event::SettingsChanged { ifname, group, .. } => {
            writeln!(w, "{}: settings: {group} changed", super::escape(ifname))
        }
        Event::LinkAdded { ifindex, ifname, up, running } => writeln!(
            w,
            "{}: link added (index {ifindex}, {})",
            super::escape(ifname),
            link_state(*up, *running)
        ),
        Event::LinkRemoved { ifindex, ifname } => {
            writeln!(
                w,
                "{}: link removed (index {ifindex})",
                super::escape(ifname)
            )
        }
        Event::LinkRenamed { ifindex, ifname, old_name } => {
            writeln!(
                w,
                "{}: renamed from {} (index {ifindex})",
                super::escape(ifname),
                super::escape(old_name)
            )
        }
        Event::LinkChanged { ifname, up, running, .. } => {
            writeln!(
                w,
                "{}: link {}",
                super::escape(ifname),
                link_state(*up, *running)
            )
        }
        _ => Ok(()),
    }
}

/// The note an overrun prints on stderr.
pub(crate) fn overrun_note(w: &mut dyn Write) -> io::Result<()> {
    writeln!(
        w,
        "ethcfg: note: the kernel dropped notifications (socket overrun): \
changes made meanwhile are not shown"
    )
}

/// `c` as one JSON object on one line.
pub(crate) fn json(w: &mut dyn Write, c: &Change<'_>) -> io::Result<()> {
    serde_json::to_writer(&mut *w, c).map_err(io::Error::from)?;
    writeln!(w)
}

/// `{"active", "requested"}` of a changed feature.
struct State<'a>(&'a Feature);

impl Serialize for State<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("active", &self.0.active)?;
        m.serialize_entry("requested", &self.0.requested)?;
        m.end()
    }
}

/// `{NAME: {"active", "requested"}, ...}`, in bit order.
struct Changed<'a>(&'a [Feature]);

impl Serialize for Changed<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|f| (&f.name, State(f))))
    }
}

impl Serialize for Change<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        let iface = |m: &mut S::SerializeMap,
                     ifindex: &u32,
                     ifname: &String|
         -> Result<(), S::Error> {
            m.serialize_entry("ifindex", ifindex)?;
            m.serialize_entry("ifname", ifname)
        };
        match self.event {
            Event::FeaturesChanged { ifindex, ifname, .. } => {
                m.serialize_entry("event", "features")?;
                iface(&mut m, ifindex, ifname)?;
                m.serialize_entry("changed", &Changed(self.features))?;
            }
            Event::SettingsChanged { ifindex, ifname, group } => {
                m.serialize_entry("event", "settings")?;
                iface(&mut m, ifindex, ifname)?;
                m.serialize_entry("group", group.as_str())?;
            }
            Event::LinkAdded { ifindex, ifname, up, running } => {
                m.serialize_entry("event", "link-added")?;
                iface(&mut m, ifindex, ifname)?;
                m.serialize_entry("up", up)?;
                m.serialize_entry("running", running)?;
            }
            Event::LinkRemoved { ifindex, ifname } => {
                m.serialize_entry("event", "link-removed")?;
                iface(&mut m, ifindex, ifname)?;
            }
            Event::LinkRenamed { ifindex, ifname, old_name } => {
                m.serialize_entry("event", "link-renamed")?;
                iface(&mut m, ifindex, ifname)?;
                m.serialize_entry("old_ifname", old_name)?;
            }
            Event::LinkChanged { ifindex, ifname, up, running } => {
                m.serialize_entry("event", "link-changed")?;
                iface(&mut m, ifindex, ifname)?;
                m.serialize_entry("up", up)?;
                m.serialize_entry("running", running)?;
            }
            Event::Overrun => m.serialize_entry("event", "overrun")?,
            _ => m.serialize_entry("event", "other")?,
        }
        m.end()
    }
}
