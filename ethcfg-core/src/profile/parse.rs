//! TOML → [`Profile`], with every error located: file, line, problem.

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use toml::Spanned;

use super::{Profile, ProfileFeature, ProfileSetting, Source};
use crate::error::{Error, Result};
use crate::ethtool::settings::{Group, Target};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    name: Spanned<String>,
    summary: Spanned<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    drivers: Vec<String>,
    #[serde(default)]
    disruptive: bool,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    replaces: bool,
    #[serde(default)]
    include: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    features: Option<Spanned<Features>>,
    #[serde(default)]
    rings: Option<Features>,
    #[serde(default)]
    channels: Option<Features>,
    #[serde(default)]
    coalesce: Option<Features>,
    #[serde(default)]
    pause: Option<Features>,
    #[serde(default)]
    eee: Option<Features>,
    #[serde(default, rename = "private-flags")]
    private_flags: Option<Features>,
}

/// The keys a section allows (`None`: any name — coalesce parameters are
/// checked against the device, private flags are the driver's own).
fn section_keys(group: Group) -> Option<&'static [&'static str]> {
    match group {
        Group::Rings => Some(&["rx", "rx-mini", "rx-jumbo", "tx"]),
        Group::Channels => Some(&["rx", "tx", "other", "combined"]),
        Group::Pause => Some(&["autoneg", "rx", "tx"]),
        Group::Eee => Some(&["enabled", "tx-lpi", "tx-lpi-timer"]),
        _ => None,
    }
}

/// What a section's value may be: a number, `"max"`, or on/off.
fn setting_value(
    group: Group,
    key: &str,
    v: &toml::Value,
) -> std::result::Result<Target, String> {
    let num = |i: i64| {
        u32::try_from(i)
            .map(Target::Num)
            .map_err(|_| format!("{i} is out of range (0 to 4294967295)"))
    };
    let onoff = |v: &toml::Value| match v {
        toml::Value::String(s) if s == "on" => Some(Target::Bool(true)),
        toml::Value::String(s) if s == "off" => Some(Target::Bool(false)),
        toml::Value::Boolean(b) => Some(Target::Bool(*b)),
        _ => None,
    };
    match (group, key, v) {
        (Group::Rings | Group::Channels, _, toml::Value::Integer(i)) => num(*i),
        (Group::Rings | Group::Channels, _, toml::Value::String(s)) if s == "max" => Ok(Target::Max),
        (Group::Rings | Group::Channels, _, other) => {
            Err(format!("must be a number or \"max\", not {}", describe(other)))
        }
        (Group::Eee, "tx-lpi-timer", toml::Value::Integer(i)) => num(*i),
        (Group::Eee, "tx-lpi-timer", other) => {
            Err(format!("must be a number of microseconds, not {}", describe(other)))
        }
        (Group::Coalesce, _, toml::Value::Integer(i)) => num(*i),
        (Group::Coalesce, _, other) => onoff(other).ok_or_else(|| {
            format!("must be a number, or \"on\"/\"off\" for the adaptive modes, not {}", describe(other))
        }),
        (_, _, other) => onoff(other).ok_or_else(|| format!("must be \"on\" or \"off\", not {}", describe(other))),
    }
}

/// `[features]` in file order.
#[derive(Default)]
pub(crate) struct Features(Vec<(String, Spanned<toml::Value>)>);

impl<'de> Deserialize<'de> for Features {
    fn deserialize<D: Deserializer<'de>>(
        d: D,
    ) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Features;
            fn expecting(
                &self,
                f: &mut std::fmt::Formatter<'_>,
            ) -> std::fmt::Result {
                f.write_str("a table of feature = \"on\" | \"off\"")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut m: A,
            ) -> std::result::Result<Features, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) =
                    m.next_entry::<String, Spanned<toml::Value>>()?
                {
                    out.push((k, v));
                }
                Ok(Features(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// A TOML value as the user wrote it, for messages.
pub(crate) fn describe(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("{s:?}"),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::Array(_) => "an array".to_owned(),
        toml::Value::Table(_) => "a table".to_owned(),
    }
}

pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).map_or(1, |s| s.matches('\n').count() + 1)
}

/// A name people can type and files can carry: lowercase letters, digits,
/// `-`, `_`, `.`; starting with a letter or digit.
pub(crate) fn valid_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.len() <= 64
        && chars.all(|c| {
            c.is_ascii_lowercase()
                || c.is_ascii_digit()
                || matches!(c, '-' | '_' | '.')
        })
}

/// Features and settings, in file order.
pub(crate) type Sections = (Vec<ProfileFeature>, Vec<ProfileSetting>);

/// The sections a profile and a binding share (`[features]`, `[rings]`,
/// ...), checked and in file order; an error is its line and problem.
pub(crate) fn sections(
    text: &str,
    features_table: Option<Spanned<Features>>,
    sections: [(Group, Option<Features>); 6],
) -> std::result::Result<Sections, (Option<usize>, String)> {
    let err = |line: Option<usize>, problem: String| (line, problem);
    let at = |s: &std::ops::Range<usize>| Some(line_of(text, s.start));
    let mut features = Vec::new();
    if let Some(feats) = features_table {
        let feats_line = at(&feats.span());
        for (key, value) in feats.into_inner().0 {
            let line = line_of(text, value.span().start);
            let on = match value.get_ref() {
                toml::Value::String(s) if s == "on" => true,
                toml::Value::String(s) if s == "off" => false,
                toml::Value::Boolean(b) => *b,
                other => {
                    return Err(err(
                        Some(line),
                        format!("feature {key}: value must be \"on\" or \"off\", not {}", describe(other)),
                    ));
                }
            };
            if !valid_name(&key) {
                return Err(err(
                    Some(line),
                    format!("{key:?} is not a feature name"),
                ));
            }
            if features.iter().any(|f: &ProfileFeature| f.name == key) {
                return Err(err(
                    Some(line),
                    format!("feature {key} is set twice"),
                ));
            }
            features.push(ProfileFeature { name: key, on, line, from: None });
        }
        if features.is_empty() {
            return Err(err(feats_line, "[features] is empty: set a feature in it, or leave the table out".into()));
        }
    }
    let mut settings = Vec::new();
    for (group, table) in sections {
        for (key, value) in table.map(|t| t.0).unwrap_or_default() {
            let line = line_of(text, value.span().start);
            if let Some(keys) = section_keys(group) {
                if !keys.contains(&key.as_str()) {
                    return Err(err(
                        Some(line),
                        format!(
                            "[{group}] has no key {key:?}; it has {}",
                            keys.join(", ")
                        ),
                    ));
                }
            } else if !valid_name(&key) {
                return Err(err(
                    Some(line),
                    format!("[{group}]: {key:?} is not a parameter name"),
                ));
            }
            let v = setting_value(group, &key, value.get_ref()).map_err(
                |problem| {
                    err(Some(line), format!("[{group}] {key}: {problem}"))
                },
            )?;
            settings.push(ProfileSetting {
                group,
                key,
                value: v,
                line,
                from: None,
            });
        }
    }
    Ok((features, settings))
}

pub(super) fn parse(text: &str, source: Source) -> Result<Profile> {
    let err = |line: Option<usize>, problem: String| Error::Profile {
        file: source.to_string(),
        line,
        problem,
    };
    let raw: Raw = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        err(line, e.message().trim().to_owned())
    })?;
    let at = |s: &std::ops::Range<usize>| Some(line_of(text, s.start));

    let name = raw.name.get_ref().clone();
    if !valid_name(&name) {
        return Err(err(
            at(&raw.name.span()),
            format!("profile name {name:?} must be lowercase letters, digits, '-', '_' or '.'"),
        ));
    }
    if raw.summary.get_ref().trim().is_empty() {
        return Err(err(
            at(&raw.summary.span()),
            "summary is empty: say in one line what the profile is for".into(),
        ));
    }
    for d in &raw.drivers {
        if !valid_name(d) {
            return Err(err(
                None,
                format!("driver name {d:?} is not a kernel module name"),
            ));
        }
    }
    let (features, settings) = sections(
        text,
        raw.features,
        [
            (Group::Rings, raw.rings),
            (Group::Channels, raw.channels),
            (Group::Coalesce, raw.coalesce),
            (Group::Pause, raw.pause),
            (Group::Eee, raw.eee),
            (Group::PrivateFlags, raw.private_flags),
        ],
    )
    .map_err(|(line, problem)| err(line, problem))?;
    let (include, include_line) = match raw.include {
        Some(inc) => {
            let line = at(&inc.span());
            (inc.into_inner(), line)
        }
        None => (Vec::new(), None),
    };
    for i in &include {
        if !valid_name(i) {
            return Err(err(
                include_line,
                format!("include: {i:?} is not a profile name"),
            ));
        }
        if *i == name {
            return Err(err(
                include_line,
                format!("profile {name} includes itself"),
            ));
        }
    }
    if features.is_empty() && settings.is_empty() && include.is_empty() {
        return Err(err(
            None,
            "the profile sets nothing: add a [features] table (or [rings], [channels], [coalesce], [pause], [eee], [private-flags], or include = [...])".into(),
        ));
    }
    Ok(Profile {
        name,
        summary: raw.summary.into_inner().trim().to_owned(),
        description: raw.description.trim().to_owned(),
        drivers: raw.drivers,
        disruptive: raw.disruptive,
        references: raw.references,
        replaces: raw.replaces,
        features,
        settings,
        include,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Profile> {
        parse(text, Source::File("/etc/ethcfg/profiles.d/t.toml".into()))
    }

    fn problem(text: &str) -> (Option<usize>, String) {
        match p(text).unwrap_err() {
            Error::Profile { file, line, problem } => {
                assert_eq!(file, "/etc/ethcfg/profiles.d/t.toml");
                (line, problem)
            }
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn parses_in_file_order_with_lines() {
        let prof = p("name = \"x\"\nsummary = \"s\"\n[features]\ntso = \"off\"\nrx-gro-hw = \"on\"\ngso = false\n").unwrap();
        let got: Vec<_> = prof
            .features
            .iter()
            .map(|f| (f.name.as_str(), f.on, f.line))
            .collect();
        assert_eq!(
            got,
            [("tso", false, 4), ("rx-gro-hw", true, 5), ("gso", false, 6)]
        );
        assert!(prof.drivers.is_empty() && !prof.disruptive && !prof.replaces);
    }

    #[test]
    fn errors_name_the_line_and_the_problem() {
        let (line, msg) = problem(
            "name = \"x\"\nsummary = \"s\"\n[features]\ntso = \"of\"\n",
        );
        assert_eq!(line, Some(4));
        assert!(msg.contains("\"on\" or \"off\""), "{msg}");

        let (line, msg) = problem("name = \"x\"\nsummary = \"s\"\nbogus = 1\n[features]\ntso = \"off\"\n");
        assert_eq!(line, Some(3));
        assert!(msg.contains("bogus"), "{msg}");

        let (line, msg) = problem("name = \"x\"\nsummary = \"s\"\n[features]\ntso = \"off\"\ntso = \"on\"\n");
        assert_eq!(line, Some(5), "{msg}");

        let (line, _) = problem("name = \"x\"\nsummary = \"s\"\n[features\n");
        assert_eq!(line, Some(3));

        let (_, msg) = problem("name = \"x\"\nsummary = \"s\"\n");
        assert!(msg.contains("[features]"), "{msg}");

        let (line, msg) = problem(
            "name = \"Bad Name\"\nsummary = \"s\"\n[features]\ntso = \"off\"\n",
        );
        assert_eq!(line, Some(1));
        assert!(msg.contains("lowercase"), "{msg}");

        let (_, msg) = problem("summary = \"s\"\n[features]\ntso = \"off\"\n");
        assert!(msg.contains("name"), "{msg}");
    }

    #[test]
    fn garbage_never_panics() {
        for t in [
            "",
            "\0",
            "[",
            "name = [",
            "features = 3",
            "name=\"a\"\nsummary=\"b\"\n[features]\n\"\" = \"on\"",
            "\u{feff}x",
        ] {
            assert!(p(t).is_err(), "{t:?}");
        }
    }

    #[test]
    fn settings_sections_parse_and_are_checked() {
        let prof = p("name = \"x\"\nsummary = \"s\"\n[rings]\nrx = 4096\ntx = \"max\"\n[channels]\ncombined = 2\n[coalesce]\nrx-usecs = 50\nadaptive-rx = \"off\"\n[pause]\nautoneg = false\nrx = \"off\"\n[eee]\nenabled = \"off\"\ntx-lpi-timer = 17\n[private-flags]\nlegacy-rx = \"on\"\n").unwrap();
        let got: Vec<(&str, &str, Target, usize)> = prof
            .settings
            .iter()
            .map(|s| (s.group.as_str(), s.key.as_str(), s.value, s.line))
            .collect();
        assert_eq!(
            got,
            [
                ("rings", "rx", Target::Num(4096), 4),
                ("rings", "tx", Target::Max, 5),
                ("channels", "combined", Target::Num(2), 7),
                ("coalesce", "rx-usecs", Target::Num(50), 9),
                ("coalesce", "adaptive-rx", Target::Bool(false), 10),
                ("pause", "autoneg", Target::Bool(false), 12),
                ("pause", "rx", Target::Bool(false), 13),
                ("eee", "enabled", Target::Bool(false), 15),
                ("eee", "tx-lpi-timer", Target::Num(17), 16),
                ("private-flags", "legacy-rx", Target::Bool(true), 18),
            ]
        );
        assert!(prof.features.is_empty());

        let (line, msg) =
            problem("name = \"x\"\nsummary = \"s\"\n[rings]\nrxx = 1\n");
        assert_eq!(line, Some(4));
        assert!(
            msg.contains("no key \"rxx\"") && msg.contains("rx-jumbo"),
            "{msg}"
        );
        let (line, msg) =
            problem("name = \"x\"\nsummary = \"s\"\n[rings]\nrx = -1\n");
        assert_eq!(line, Some(4));
        assert!(msg.contains("out of range"), "{msg}");
        let (_, msg) =
            problem("name = \"x\"\nsummary = \"s\"\n[pause]\nrx = 1\n");
        assert!(msg.contains("\"on\" or \"off\""), "{msg}");
        let (_, msg) =
            problem("name = \"x\"\nsummary = \"s\"\n[rings]\nrx = \"lots\"\n");
        assert!(msg.contains("\"max\""), "{msg}");
        let (_, msg) =
            problem("name = \"x\"\nsummary = \"s\"\ninclude = [\"x\"]\n");
        assert!(msg.contains("includes itself"), "{msg}");
        let (_, msg) =
            problem("name = \"x\"\nsummary = \"s\"\n[ring]\nrx = 1\n");
        assert!(msg.contains("ring"), "{msg}");
    }
}
