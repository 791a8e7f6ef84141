//! The merge of what the bindings matching one interface ask for. Each
//! binding brings parts (each profile it names, and its inline sections);
//! within a part a later mention wins, as in one `ethcfg set` (`tx = "off"`
//! then `tx-checksum-ipv4 = "on"` leaves IPv4 checksumming on); two parts
//! must agree wherever both say something.
//!
//! "Where" is a kernel feature, not a spelling: `tso`,
//! `tcp-segmentation-offload` and `tx-tcp-segmentation` overlap, and so do
//! `tx` and `tx-checksum-ipv4`. The comparison needs no live kernel: a
//! legacy keyword covers the kernel names its pattern matches, by
//! ethtool's own rule ([`names::pattern_matches`]), and which names exist
//! only decides which of them a kernel has, not whether two words
//! overlap. A kernel name either part writes is compared on its own; the
//! rest of a keyword's members (`tx-tcp*-segmentation` but the ones
//! named) are compared as one. `-` and `_` are one, as the resolver takes
//! them when the match is unique. Settings keys are compared by their
//! canonical name (`rx-frames-low` is `rx-frame-low`).

use std::borrow::Cow;

use crate::ethtool::names::{self, LegacyFlag};
use crate::ethtool::settings::Group;
use crate::profile::{ProfileFeature, ProfileSetting};

/// One profile or one inline section of a binding.
#[derive(Debug)]
pub(super) struct Part {
    /// How messages name it ("binding at line 3 (profile capture)").
    pub(super) who: String,
    /// Its binding's line.
    pub(super) line: usize,
    pub(super) features: Vec<ProfileFeature>,
    pub(super) settings: Vec<ProfileSetting>,
}

/// Two parts disagree: the error's text, and the line of the later one.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Conflict {
    pub(super) line: usize,
    pub(super) problem: String,
}

/// What a feature word covers.
#[derive(Debug)]
enum Word<'a> {
    /// A legacy keyword: every kernel name its pattern matches.
    Legacy(&'static LegacyFlag),
    /// One kernel name, `_` taken as `-`.
    Kernel(Cow<'a, str>),
}

fn word(name: &str) -> Word<'_> {
    match names::legacy(name) {
        Some(f) => Word::Legacy(f),
        None if name.contains('_') => {
            Word::Kernel(Cow::Owned(name.replace('_', "-")))
        }
        None => Word::Kernel(Cow::Borrowed(name)),
    }
}

/// Whether some kernel feature is named by both words. Two different
/// keywords never overlap (their patterns share no name; a test checks).
fn overlaps(a: &Word<'_>, b: &Word<'_>) -> bool {
    match (a, b) {
        (Word::Kernel(x), Word::Kernel(y)) => x == y,
        (Word::Legacy(f), Word::Kernel(k))
        | (Word::Kernel(k), Word::Legacy(f)) => {
            names::pattern_matches(k, f.pattern)
        }
        (Word::Legacy(f), Word::Legacy(g)) => f.short == g.short,
    }
}

/// A place two parts are compared at.
#[derive(Debug)]
enum Point<'a> {
    /// One kernel feature: its key (`_` as `-`) and its name as written.
    Kernel(Cow<'a, str>, &'a str),
    /// The members of a keyword's pattern that no part names on its own.
    Rest(&'static LegacyFlag),
}

fn covers(w: &Word<'_>, p: &Point<'_>) -> bool {
    match (w, p) {
        (Word::Kernel(k), Point::Kernel(key, _)) => k == key,
        (Word::Legacy(f), Point::Kernel(key, _)) => {
            names::pattern_matches(key, f.pattern)
        }
        (Word::Legacy(f), Point::Rest(g)) => f.short == g.short,
        (Word::Kernel(_), Point::Rest(_)) => false,
    }
}

/// The place `w` (written `name`) names on its own.
fn point<'a>(w: &Word<'a>, name: &'a str) -> Point<'a> {
    match w {
        // A pattern without `*` is one kernel name.
        Word::Legacy(f) if !f.pattern.contains('*') => {
            Point::Kernel(Cow::Borrowed(f.pattern), f.pattern)
        }
        Word::Legacy(f) => Point::Rest(f),
        Word::Kernel(k) => Point::Kernel(k.clone(), name),
    }
}

/// A part's features with their words, resolved once per comparison.
fn words(part: &Part) -> Vec<(&ProfileFeature, Word<'_>)> {
    part.features.iter().map(|f| (f, word(&f.name))).collect()
}

/// What a part asks of `p`: its last mention covering it.
fn effective<'a>(
    part: &[(&'a ProfileFeature, Word<'_>)],
    p: &Point<'_>,
) -> Option<&'a ProfileFeature> {
    part.iter().rev().find(|(_, w)| covers(w, p)).map(|(f, _)| *f)
}

fn canonical(s: &ProfileSetting) -> &str {
    s.group.settable_key(&s.key).map_or(s.key.as_str(), |(k, _)| k)
}

fn onoff(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

/// The first disagreement of part `j` with an earlier part, naming both.
pub(super) fn check(
    parts: &[Part],
    j: usize,
    ifname: &str,
) -> Option<Conflict> {
    let later = parts.get(j)?;
    let lw = words(later);
    for earlier in parts.get(..j)? {
        let ew = words(earlier);
        let points = ew.iter().chain(&lw).map(|(f, w)| point(w, &f.name));
        for p in points {
            let (Some(a), Some(b)) = (effective(&ew, &p), effective(&lw, &p))
            else {
                continue;
            };
            if a.on == b.on {
                continue;
            }
            let on = if a.name == b.name {
                format!("{} ({} vs {})", a.name, onoff(a.on), onoff(b.on))
            } else {
                let what = match &p {
                    Point::Kernel(_, shown) => {
                        format!("kernel feature {shown}")
                    }
                    Point::Rest(f) => format!("kernel features {}", f.pattern),
                };
                format!(
                    "{what} ({} {} vs {} {})",
                    a.name,
                    onoff(a.on),
                    b.name,
                    onoff(b.on)
                )
            };
            return Some(disagree(earlier, later, ifname, &on));
        }
        for s in &later.settings {
            let key = canonical(s);
            let (Some(a), Some(b)) = (
                last_setting(earlier, s.group, key),
                last_setting(later, s.group, key),
            ) else {
                continue;
            };
            if a.value == b.value {
                continue;
            }
            let on = if a.key == b.key {
                format!("[{}] {}", s.group, a.key)
            } else {
                format!(
                    "[{}] {key} ({} = {} vs {} = {})",
                    s.group, a.key, a.value, b.key, b.value
                )
            };
            return Some(disagree(earlier, later, ifname, &on));
        }
    }
    None
}

/// What `part` asks of `group`'s canonical `key`: its last mention.
fn last_setting<'a>(
    part: &'a Part,
    group: Group,
    key: &str,
) -> Option<&'a ProfileSetting> {
    part.settings.iter().rev().find(|o| o.group == group && canonical(o) == key)
}

fn disagree(earlier: &Part, later: &Part, ifname: &str, on: &str) -> Conflict {
    Conflict {
        line: later.line,
        problem: format!(
            "{} and {} both match {ifname} and disagree on {on}",
            earlier.who, later.who
        ),
    }
}

/// The parts' features and settings as one list, in order, for parts that
/// [`check`] found agreeing. A later part's mention is left out when the
/// same mention is already there and nothing after it that overlaps asks
/// otherwise (so every feature it names already ends as it asks); else it
/// stays, as what makes its value stick.
pub(super) fn merge(
    parts: Vec<Part>,
) -> (Vec<ProfileFeature>, Vec<ProfileSetting>) {
    // One part (the common case): nothing to merge.
    if parts.len() == 1 {
        if let Some(p) = parts.into_iter().next() {
            return (p.features, p.settings);
        }
        return (Vec::new(), Vec::new());
    }
    let mut all: Vec<(usize, ProfileFeature)> = Vec::new();
    let mut settings: Vec<ProfileSetting> = Vec::new();
    for (i, part) in parts.into_iter().enumerate() {
        all.extend(part.features.into_iter().map(|f| (i, f)));
        if i == 0 {
            settings = part.settings;
            continue;
        }
        for s in part.settings {
            let key = canonical(&s);
            let redundant = settings
                .iter()
                .rev()
                .filter(|o| o.group == s.group && canonical(o) == key)
                .find(|o| o.value != s.value || o.key == s.key)
                .is_some_and(|o| o.value == s.value);
            if !redundant {
                settings.push(s);
            }
        }
    }
    let keep = kept(&all);
    let features = all
        .into_iter()
        .zip(keep)
        .filter_map(|((_, f), k)| k.then_some(f))
        .collect();
    (features, settings)
}

/// Which of `all` (each with its part's index) [`merge`] keeps; the first
/// part's are all kept.
fn kept(all: &[(usize, ProfileFeature)]) -> Vec<bool> {
    let ws: Vec<Word<'_>> = all.iter().map(|(_, f)| word(&f.name)).collect();
    let mut keep: Vec<bool> = Vec::with_capacity(all.len());
    for (i, ((part, f), w)) in all.iter().zip(&ws).enumerate() {
        let redundant = *part > 0
            && all
                .iter()
                .zip(&ws)
                .zip(&keep)
                .take(i)
                .rev()
                .filter(|((_, gw), k)| **k && overlaps(gw, w))
                .map(|(((_, g), _), _)| g)
                .find(|g| g.on != f.on || g.name == f.name)
                .is_some_and(|g| g.on == f.on);
        keep.push(!redundant);
    }
    keep
}
