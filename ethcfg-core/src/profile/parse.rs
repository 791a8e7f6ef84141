//! TOML → [`Profile`], with every error located: file, line, problem.

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use toml::Spanned;

use super::{Profile, ProfileFeature, Source};
use crate::error::{Error, Result};

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
    features: Option<Spanned<Features>>,
}

/// `[features]` in file order.
#[derive(Default)]
struct Features(Vec<(String, Spanned<toml::Value>)>);

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
fn describe(v: &toml::Value) -> String {
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

fn line_of(text: &str, offset: usize) -> usize {
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
    let Some(feats) = raw.features else {
        return Err(err(
            None,
            "no [features] table: a profile must set at least one feature"
                .into(),
        ));
    };
    let feats_line = at(&feats.span());
    let mut features = Vec::new();
    for (key, value) in feats.into_inner().0 {
        let line = line_of(text, value.span().start);
        let on = match value.get_ref() {
            toml::Value::String(s) if s == "on" => true,
            toml::Value::String(s) if s == "off" => false,
            toml::Value::Boolean(b) => *b,
            other => {
                return Err(err(Some(line), format!("feature {key}: value must be \"on\" or \"off\", not {}", describe(other))));
            }
        };
        if !valid_name(&key) {
            return Err(err(
                Some(line),
                format!("{key:?} is not a feature name"),
            ));
        }
        if features.iter().any(|f: &ProfileFeature| f.name == key) {
            return Err(err(Some(line), format!("feature {key} is set twice")));
        }
        features.push(ProfileFeature { name: key, on, line });
    }
    if features.is_empty() {
        return Err(err(
            feats_line,
            "[features] is empty: a profile must set at least one feature"
                .into(),
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
}
