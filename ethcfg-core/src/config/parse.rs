//! `ethcfg.toml` text → [`Config`]. Each `[[bind]]` table is parsed on its
//! own (lines kept), so one that does not parse is reported and skipped
//! while the others stay.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::{Binding, Config, Enforce, Match};
use crate::error::{Error, Result};
use crate::ethtool::settings::Group;
use crate::profile::parse::{line_of, sections, valid_name, Features};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    #[serde(default)]
    bind: Vec<Spanned<RawBind>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawMatch {
    name: Option<String>,
    mac: Option<String>,
    permanent_mac: Option<String>,
    driver: Option<String>,
    path: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBind {
    #[serde(rename = "match")]
    matcher: Option<Spanned<RawMatch>>,
    profile: Option<Spanned<OneOrMany>>,
    #[serde(default)]
    force: bool,
    enforce: Option<Spanned<String>>,
    features: Option<Spanned<Features>>,
    rings: Option<Features>,
    channels: Option<Features>,
    coalesce: Option<Features>,
    pause: Option<Features>,
    eee: Option<Features>,
    #[serde(rename = "private-flags")]
    private_flags: Option<Features>,
}

fn is_mac(s: &str) -> bool {
    let parts: Vec<&str> = s.split(':').collect();
    parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Where each `[[bind]]` starts: (byte offset, line).
fn chunks(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut off = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with("[[bind]]")
            || t.starts_with("[[ bind ]]")
            || t.starts_with("[[bind ]]")
            || t.starts_with("[[ bind]]")
        {
            out.push(off);
        }
        off += line.len();
    }
    out
}

pub(super) fn parse(text: &str, path: &Path) -> Result<Config> {
    let file = path.display().to_string();
    let err = |line: Option<usize>, problem: String| Error::Config {
        file: file.clone(),
        line,
        problem,
    };
    let starts = chunks(text);
    let head_end = starts.first().copied().unwrap_or(text.len());
    let head = text.get(..head_end).unwrap_or_default();
    toml::from_str::<Doc>(head).map_err(|e| {
        err(
            e.span().map(|s| line_of(head, s.start)),
            e.message().trim().to_owned(),
        )
    })?;
    let mut config = Config { path: path.to_path_buf(), ..Config::default() };
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        let first_line = line_of(text, start);
        // Padded with the lines before it, so spans give file lines.
        let mut chunk = "\n".repeat(first_line.saturating_sub(1));
        chunk.push_str(text.get(start..end).unwrap_or_default());
        match binding(&chunk, first_line) {
            Ok(b) => config.bindings.push(b),
            Err((line, problem)) => config
                .broken
                .push(err(Some(line.unwrap_or(first_line)), problem)),
        }
    }
    Ok(config)
}

type Problem = (Option<usize>, String);

fn binding(text: &str, line: usize) -> std::result::Result<Binding, Problem> {
    let doc: Doc = toml::from_str(text).map_err(|e| {
        (
            e.span().map(|s| line_of(text, s.start)),
            e.message().trim().to_owned(),
        )
    })?;
    let raw = doc
        .bind
        .into_iter()
        .next()
        .ok_or((Some(line), "empty binding".to_owned()))?
        .into_inner();
    let at = |s: std::ops::Range<usize>| Some(line_of(text, s.start));
    let m = raw.matcher.ok_or((
        Some(line),
        "binding has no `match`: say which interfaces it is for (name, mac, permanent-mac, driver or path)".to_owned(),
    ))?;
    let m_line = at(m.span());
    let m = m.into_inner();
    if m.name.is_none()
        && m.mac.is_none()
        && m.permanent_mac.is_none()
        && m.driver.is_none()
        && m.path.is_none()
    {
        return Err((
            m_line,
            "`match` is empty: give name, mac, permanent-mac, driver or path"
                .into(),
        ));
    }
    for (key, v) in [("mac", &m.mac), ("permanent-mac", &m.permanent_mac)] {
        if let Some(v) = v {
            if !is_mac(v) {
                return Err((m_line, format!("match {key} {v:?} is not an address like \"00:1b:21:aa:bb:cc\"")));
            }
        }
    }
    if let Some(n) = &m.name {
        if n.is_empty() || n.len() > 64 || n.contains('/') {
            return Err((
                m_line,
                format!("match name {n:?} is not an interface name or glob"),
            ));
        }
    }
    let profiles = match raw.profile {
        None => Vec::new(),
        Some(p) => {
            let l = at(p.span());
            let list = match p.into_inner() {
                OneOrMany::One(s) => vec![s],
                OneOrMany::Many(v) => v,
            };
            for n in &list {
                if !valid_name(n) {
                    return Err((l, format!("{n:?} is not a profile name")));
                }
            }
            list
        }
    };
    let enforce = match raw.enforce {
        None => Enforce::Appear,
        Some(e) => match e.get_ref().as_str() {
            "appear" => Enforce::Appear,
            "drift" => Enforce::Drift,
            other => {
                return Err((
                    at(e.span()),
                    format!(
                    "enforce must be \"appear\" or \"drift\", not {other:?}"
                ),
                ))
            }
        },
    };
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
    )?;
    if profiles.is_empty() && features.is_empty() && settings.is_empty() {
        return Err((
            Some(line),
            "binding sets nothing: give `profile` or inline sections ([bind.features], [bind.rings], ...)".into(),
        ));
    }
    let lower = |s: Option<String>| s.map(|s| s.to_ascii_lowercase());
    Ok(Binding {
        line,
        matcher: Match {
            name: m.name,
            mac: lower(m.mac),
            permanent_mac: lower(m.permanent_mac),
            driver: m.driver,
            path: m.path,
        },
        profiles,
        features,
        settings,
        force: raw.force,
        enforce,
    })
}
