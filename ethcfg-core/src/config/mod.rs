//! Bindings: the configuration file (`/etc/ethcfg/ethcfg.toml`) that
//! makes "this NIC gets this profile" a declared fact. Each `[[bind]]`
//! matches devices by name (a glob), address, permanent address, driver
//! or udev's `ID_PATH` — every key given must match — and names profiles
//! and/or carries inline sections like a profile's:
//!
//! ```toml
//! [[bind]]
//! match = { path = "pci-0000:00:1f.6" }
//! profile = "e1000e-hang-safe"
//! enforce = "drift"          # re-apply when something else changes it
//!
//! [[bind]]
//! match = { name = "veth*", driver = "veth" }
//! [bind.features]
//! tso = "off"
//! ```
//!
//! A binding that does not parse or validate is reported (file and line)
//! and skipped; the others stay. What an interface should be is the merge
//! of every binding matching it ([`Config::desired`]); two that disagree
//! on a value are an error naming both, compared on the kernel features
//! the names resolve to: `tso` in one and `tx-tcp-segmentation` in the
//! other are one feature (`merge.rs`). The file is trusted as profiles
//! are (owner, mode, no symbolic link). [`write`](mod@write) edits it in
//! place (appending and removing tables, comments and order kept) and
//! replaces it atomically.
//!
//! May use: `crate::error`, `crate::fs`, `crate::ethtool`, `crate::host`,
//! `crate::profile`.

mod merge;
mod parse;
pub mod persist;
pub mod write;

/// Where the config file is unless the caller says otherwise (the CLI
/// takes `--config FILE`, then `ETHCFG_CONFIG`).
pub const DEFAULT_PATH: &str = "/etc/ethcfg/ethcfg.toml";

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::host::Identity;
use crate::profile::{Profile, ProfileFeature, ProfileSetting, Profiles};

/// When a binding is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Enforce {
    /// When a matching interface appears (boot, hotplug, driver reload,
    /// rename, a move into the namespace).
    #[default]
    Appear,
    /// Also whenever something else changes what it sets.
    Drift,
}

impl Enforce {
    /// The word in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            Enforce::Appear => "appear",
            Enforce::Drift => "drift",
        }
    }
}

impl std::fmt::Display for Match {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> =
            self.pairs().iter().map(|(k, v)| format!("{k}={v}")).collect();
        f.write_str(&parts.join(" "))
    }
}

/// What a binding matches; every key given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Match {
    /// Interface name, a glob (`*`, `?`, `[a-z]`).
    pub name: Option<String>,
    /// Current hardware address (lowercase).
    pub mac: Option<String>,
    /// Permanent hardware address (lowercase).
    pub permanent_mac: Option<String>,
    /// Driver name.
    pub driver: Option<String>,
    /// udev's `ID_PATH` (`pci-0000:00:1f.6`).
    pub path: Option<String>,
}

impl Match {
    /// A match by interface name (a glob).
    pub fn by_name(name: &str) -> Match {
        Match { name: Some(name.to_owned()), ..Match::default() }
    }

    /// The keys given, in the config file's order and spelling.
    pub fn pairs(&self) -> Vec<(&'static str, &str)> {
        [
            ("name", &self.name),
            ("mac", &self.mac),
            ("permanent-mac", &self.permanent_mac),
            ("driver", &self.driver),
            ("path", &self.path),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
        .collect()
    }

    /// Whether `id` has every fact this match asks for.
    pub fn matches(&self, id: &Identity) -> bool {
        let eq = |want: &Option<String>, have: &Option<String>| {
            want.as_ref().is_none_or(|w| {
                have.as_ref().is_some_and(|h| h.eq_ignore_ascii_case(w))
            })
        };
        self.name.as_ref().is_none_or(|g| glob(g, &id.ifname))
            && eq(&self.mac, &id.mac)
            && eq(&self.permanent_mac, &id.permanent_mac)
            && self
                .driver
                .as_ref()
                .is_none_or(|d| id.driver.as_ref() == Some(d))
            && eq(&self.path, &id.path)
    }

    /// Whether it asks for the permanent address (read with one more
    /// request).
    pub fn needs_permanent_mac(&self) -> bool {
        self.permanent_mac.is_some()
    }
}

/// One `[[bind]]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Binding {
    /// Its line in the file (`[[bind]]`).
    pub line: usize,
    /// What it matches.
    pub matcher: Match,
    /// Profiles it applies, in order.
    pub profiles: Vec<String>,
    /// Inline feature states (`[bind.features]`).
    pub features: Vec<ProfileFeature>,
    /// Inline settings (`[bind.rings]`, ...).
    pub settings: Vec<ProfileSetting>,
    /// Apply even to drivers the profiles are not for.
    pub force: bool,
    /// When it is applied.
    pub enforce: Enforce,
}

/// The configuration file, parsed: the bindings that are valid, and the
/// errors of those that are not.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Config {
    /// The file.
    pub path: PathBuf,
    /// Valid bindings, in file order.
    pub bindings: Vec<Binding>,
    /// Bindings skipped, each an [`Error::Config`] with its line.
    pub broken: Vec<Error>,
}

/// What one interface should be, from every binding matching it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Desired {
    /// The bindings' profiles and inline sections merged into one
    /// profile (its name says where it comes from, for the records).
    pub profile: Profile,
    /// Any matching binding says `force`.
    pub force: bool,
    /// `Drift` when any matching binding says so.
    pub enforce: Enforce,
    /// The matching bindings' lines.
    pub lines: Vec<usize>,
}

impl Config {
    /// Where the file is unless told otherwise.
    pub const DEFAULT_PATH: &'static str = DEFAULT_PATH;

    /// Reads and parses `path`, checked as profiles are (owner, mode, not
    /// a symbolic link, size).
    ///
    /// # Errors
    /// [`Error::Config`] when the file cannot be read or trusted, or is
    /// not TOML at all; a bad binding is in [`Config::broken`] instead.
    pub fn load(path: &Path) -> Result<Config> {
        let bytes = crate::fs::read_trusted(
            path,
            "configuration file",
            crate::fs::PROFILE_CAP,
        )
        .map_err(|problem| Error::Config {
            file: path.display().to_string(),
            line: None,
            problem,
        })?;
        let text = String::from_utf8(bytes).map_err(|e| Error::Config {
            file: path.display().to_string(),
            line: None,
            problem: format!("it is not UTF-8 text ({e})"),
        })?;
        Config::from_toml(&text, path)
    }

    /// Parses configuration text; `path` names it in errors.
    ///
    /// # Errors
    /// As [`Config::load`].
    pub fn from_toml(text: &str, path: &Path) -> Result<Config> {
        parse::parse(text, path)
    }

    /// Moves the bindings naming a profile `profiles` does not have (or
    /// a broken one) to [`Config::broken`], so they are reported once and
    /// the others apply.
    pub fn check_profiles(&mut self, profiles: &Profiles) {
        let file = self.path.display().to_string();
        let mut broken = Vec::new();
        self.bindings.retain(|b| {
            match b.profiles.iter().find_map(|n| profiles.get(n).err()) {
                None => true,
                Some(e) => {
                    broken.push(Error::Config {
                        file: file.clone(),
                        line: Some(b.line),
                        problem: format!("binding skipped: {e}"),
                    });
                    false
                }
            }
        });
        self.broken.extend(broken);
    }

    /// Whether any binding needs the permanent address to match.
    pub fn needs_permanent_mac(&self) -> bool {
        self.bindings.iter().any(|b| b.matcher.needs_permanent_mac())
    }

    /// The bindings matching `id`.
    pub fn matching<'a>(
        &'a self,
        id: &'a Identity,
    ) -> impl Iterator<Item = &'a Binding> + 'a {
        self.bindings.iter().filter(move |b| b.matcher.matches(id))
    }

    /// What `id` should be: every matching binding merged (profiles
    /// first, in order, then inline sections); `None` when none matches.
    ///
    /// # Errors
    /// [`Error::Config`] for a profile that does not exist (at the
    /// binding's line), or two bindings (or profiles) that set one kernel
    /// feature or setting differently, however each spells it (naming
    /// both, at the later one's line).
    pub fn desired(
        &self,
        id: &Identity,
        profiles: &Profiles,
    ) -> Result<Option<Desired>> {
        let file = self.path.display().to_string();
        let mut parts: Vec<merge::Part> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        let mut drivers: Vec<String> = Vec::new();
        let mut any_driver = false;
        let mut lines = Vec::new();
        let mut force = false;
        let mut enforce = Enforce::Appear;
        let mut disruptive = false;
        for b in self.matching(id) {
            lines.push(b.line);
            force |= b.force;
            if b.enforce == Enforce::Drift {
                enforce = Enforce::Drift;
            }
            let first_new = parts.len();
            for name in &b.profiles {
                let p = profiles.get(name).map_err(|e| Error::Config {
                    file: file.clone(),
                    line: Some(b.line),
                    problem: format!("binding: {e}"),
                })?;
                if p.drivers.is_empty() {
                    any_driver = true;
                }
                drivers.extend(p.drivers.iter().cloned());
                disruptive |= p.disruptive;
                names.push(p.name.clone());
                parts.push(merge::Part {
                    who: format!(
                        "binding at line {} (profile {})",
                        b.line, p.name
                    ),
                    line: b.line,
                    features: p.features.clone(),
                    settings: p.settings.clone(),
                });
            }
            if !b.features.is_empty() || !b.settings.is_empty() {
                any_driver = true;
                names.push(format!("bind@{}", b.line));
                parts.push(merge::Part {
                    who: format!("binding at line {}", b.line),
                    line: b.line,
                    features: b.features.clone(),
                    settings: b.settings.clone(),
                });
            }
            for j in first_new..parts.len() {
                if let Some(c) = merge::check(&parts, j, &id.ifname) {
                    return Err(Error::Config {
                        file,
                        line: Some(c.line),
                        problem: c.problem,
                    });
                }
            }
        }
        if lines.is_empty() {
            return Ok(None);
        }
        let (features, settings) = merge::merge(parts);
        let mut profile = Profile::from_parts(
            names.join("+"),
            self.path.clone(),
            features,
            settings,
        );
        // A binding's inline sections are for whatever it matched: the
        // driver guard only holds when every part is for named drivers.
        if !any_driver {
            drivers.sort();
            drivers.dedup();
            profile.drivers = drivers;
        }
        profile.disruptive = disruptive;
        Ok(Some(Desired { profile, force, enforce, lines }))
    }
}

/// Shell-style glob: `*`, `?`, `[abc]`, `[a-z]`, `[!a]`.
pub fn glob(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    glob_at(&p, &n)
}

fn glob_at(p: &[char], n: &[char]) -> bool {
    match p.split_first() {
        None => n.is_empty(),
        Some(('*', rest)) => (0..=n.len())
            .any(|i| n.get(i..).is_some_and(|tail| glob_at(rest, tail))),
        Some(('?', rest)) => {
            n.split_first().is_some_and(|(_, tail)| glob_at(rest, tail))
        }
        Some(('[', rest)) => {
            let Some(close) = rest.iter().skip(1).position(|c| *c == ']')
            else {
                return n.first() == Some(&'[')
                    && glob_at(rest, n.get(1..).unwrap_or_default());
            };
            let class = rest.get(..close + 1).unwrap_or_default();
            let after = rest.get(close + 2..).unwrap_or_default();
            let Some((c, tail)) = n.split_first() else { return false };
            let (negate, class) = match class.split_first() {
                Some(('!' | '^', r)) => (true, r),
                _ => (false, class),
            };
            let mut hit = false;
            let mut i = 0;
            while let Some(&a) = class.get(i) {
                if class.get(i + 1) == Some(&'-') {
                    if let Some(&b) = class.get(i + 2) {
                        hit |= a <= *c && *c <= b;
                        i += 3;
                        continue;
                    }
                }
                hit |= a == *c;
                i += 1;
            }
            hit != negate && glob_at(after, tail)
        }
        Some((c, rest)) => n
            .split_first()
            .is_some_and(|(h, tail)| h == c && glob_at(rest, tail)),
    }
}

#[cfg(test)]
mod tests;
