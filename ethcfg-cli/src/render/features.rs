//! `ethcfg show`: an interface's features (and, with `--all-settings`, its
//! other settings), as `ethtool -k` prints them and as JSON.

use std::io::{self, Write};

use ethcfg_core::names::{pattern_matches, LEGACY_FLAGS};
use ethcfg_core::settings::Settings;
use ethcfg_core::{Feature, Features};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::value::RawValue;

use super::json::{self, Seq};
use super::{on_off, settings};

fn suffix(f: &Feature) -> String {
    f.note().map(|n| format!(" [{n}]")).unwrap_or_default()
}

/// `show` for people: each interface's features, then its other settings
/// when read, a blank line between interfaces.
pub(crate) fn text_all<'a>(
    w: &mut dyn Write,
    all: impl IntoIterator<Item = (&'a Features, &'a Option<Settings>)>,
) -> io::Result<()> {
    for (i, (f, s)) in all.into_iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        text(w, f)?;
        if let Some(s) = s {
            settings::text(w, s)?;
        }
    }
    Ok(())
}

/// `ethtool -k` text: legacy lines first (groups with their members
/// indented), then every other feature by kernel name, in bit order.
pub(crate) fn text(w: &mut dyn Write, f: &Features) -> io::Result<()> {
    writeln!(w, "Features for {}:", super::escape(&f.ifname))?;
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

/// `show --json`: an array of interfaces, each written as `all` yields
/// it — `show --json` of a thousand interfaces is 60,000 features.
pub(crate) fn json<'a, F, I>(w: &mut dyn Write, all: F) -> io::Result<()>
where
    F: Fn() -> I,
    I: Iterator<Item = (&'a Features, Option<&'a str>, Option<&'a Settings>)>,
{
    let states = States::new();
    json::write(
        w,
        &Seq(|| {
            all().map(|(features, driver, settings)| Interface {
                ifname: &features.ifname,
                ifindex: features.ifindex,
                driver,
                features: FeatureMap(features, &states),
                settings: settings.map(settings::View),
            })
        }),
    )
}

/// One element of `show --json`.
#[derive(Serialize)]
struct Interface<'a> {
    ifname: &'a str,
    ifindex: u32,
    driver: Option<&'a str>,
    features: FeatureMap<'a>,
    /// With `--all-settings`: a key per group, then "unsupported".
    #[serde(flatten)]
    settings: Option<settings::View<'a>>,
}

/// `{NAME: {"active", "requested", "fixed"}}` in bit order.
struct FeatureMap<'a>(&'a Features, &'a States);

impl Serialize for FeatureMap<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for f in self.0.iter() {
            let state = State::of(&f);
            match self.1.get(state) {
                Some(written) => map.serialize_entry(&f.name, written)?,
                None => map.serialize_entry(&f.name, &state)?,
            }
        }
        map.end()
    }
}

/// A feature's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
struct State {
    active: bool,
    requested: bool,
    fixed: bool,
}

impl State {
    fn of(f: &Feature) -> State {
        State { active: f.active, requested: f.requested, fixed: f.fixed }
    }

    /// 0..8, one number per state.
    fn index(self) -> usize {
        usize::from(self.active)
            | usize::from(self.requested) << 1
            | usize::from(self.fixed) << 2
    }
}

/// The eight states as `show --json` writes them, each serialised once.
/// `show --json` of a thousand interfaces writes 60,000 states: serialised
/// one by one (three keys escaped, a dozen small writes each) they cost a
/// third more instructions than the printer this module replaced; copied
/// from here, fewer.
#[derive(Debug)]
struct States(Vec<Box<RawValue>>);

impl States {
    /// A state is written on the line of its feature's name: two steps in
    /// (an element of the top-level array, its "features").
    const INDENT: usize = 2;

    /// Empty if serialising fails (it cannot): then each state is
    /// serialised where it is written.
    fn new() -> States {
        let all: Result<Vec<_>, _> = (0..8)
            .map(|i| State {
                active: i & 1 != 0,
                requested: i & 2 != 0,
                fixed: i & 4 != 0,
            })
            .map(|s| json::laid_out(&s, Self::INDENT))
            .collect();
        States(all.unwrap_or_default())
    }

    fn get(&self, s: State) -> Option<&RawValue> {
        self.0.get(s.index()).map(|b| &**b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An element of `show --json` with a states map of its own.
    #[derive(Serialize)]
    struct Element<'a> {
        ifname: &'a str,
        features: Map<'a>,
    }

    struct Map<'a>(&'a [(&'a str, State)], Option<&'a States>);

    impl Serialize for Map<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut map = s.serialize_map(None)?;
            for (name, state) in self.0 {
                match self.1.and_then(|all| all.get(*state)) {
                    Some(written) => map.serialize_entry(name, written)?,
                    None => map.serialize_entry(name, state)?,
                }
            }
            map.end()
        }
    }

    #[test]
    fn a_state_written_once_is_what_serialising_it_there_writes() {
        let states = States::new();
        assert_eq!(states.0.len(), 8);
        let all: Vec<(String, State)> = (0..8)
            .map(|i| State {
                active: i & 1 != 0,
                requested: i & 2 != 0,
                fixed: i & 4 != 0,
            })
            .enumerate()
            .map(|(i, s)| (format!("f{i}"), s))
            .collect();
        let pairs: Vec<(&str, State)> =
            all.iter().map(|(n, s)| (n.as_str(), *s)).collect();
        assert!(pairs.iter().all(|(_, s)| states.get(*s).is_some()));
        let text = |with: Option<&States>| {
            let mut out = Vec::new();
            let elements = [
                Element { ifname: "a", features: Map(&pairs, with) },
                Element { ifname: "b", features: Map(&pairs[..1], with) },
            ];
            json::write(&mut out, &Seq(|| elements.iter())).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(text(Some(&states)), text(None));
        assert!(text(None).contains(
            "\n    \"f5\": {\n      \"active\": true,\n      \"requested\": false,\n      \"fixed\": true\n    },\n"
        ));
    }
}
