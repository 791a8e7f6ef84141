//! Import: what admins already have — `/etc/network/interfaces` lines
//! running `ethtool`, Debian's and ifupdown2's ethtool options, systemd
//! units whose `ExecStart` runs `ethtool`, NetworkManager keyfiles'
//! `[ethtool]` section, systemd `.link` files — read into ethcfg bindings
//! (`[[bind]]` tables of `/etc/ethcfg/ethcfg.toml`). A binding whose
//! features and settings are exactly a built-in preset's names the preset.
//!
//! Pure: text in, bindings out; the only I/O is reading the files it is
//! given ([`read_files`]) and listing the default locations
//! ([`default_files`]). What cannot be translated safely (shell variables,
//! loops, command substitution, pipes, `&&`, `||`, unknown options) is
//! returned as [`NotImported`] with the reason, never guessed.
//!
//! One file per source format: `ifupdown` (`interfaces`), `unit`
//! (systemd services), `keyfile` (NetworkManager), `link` (systemd
//! `.link`); `shell` reads an `ethtool` command line; `ini` the
//! ini-style files.
//!
//! May use: `fs`, `ethtool` (feature names, settings keys), `profile`
//! (the presets).

mod ifupdown;
mod ini;
mod keyfile;
mod link;
mod shell;
mod toml_out;
mod unit;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::ethtool::names;
use crate::ethtool::settings::{Group, Target};
use crate::profile::Profiles;

/// The line a binding's value, or a refusal, comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Origin {
    /// The file.
    pub file: PathBuf,
    /// Its 1-based line (the first line of a continued one).
    pub line: usize,
    /// The line as written (continuations joined, trimmed).
    pub text: String,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// Which interfaces a binding applies to: the config file's own match
/// (every key given must match), so what `import` prints `apply --config`
/// reads the same way.
pub use crate::config::Match;

/// One wanted feature state, and where it was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportedFeature {
    /// ethtool's short name where it has one (`tso`), else as written.
    pub name: String,
    /// Wanted state.
    pub on: bool,
    /// Where.
    pub origin: Origin,
}

/// One wanted setting, and where it was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportedSetting {
    /// Its group.
    pub group: Group,
    /// The canonical key (`rx`, `rx-usecs`, `enabled`).
    pub key: String,
    /// The wanted value.
    pub value: Target,
    /// Where.
    pub origin: Origin,
}

/// A binding read from existing configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Binding {
    /// Which interfaces.
    pub matcher: Match,
    /// The built-in preset that is exactly this binding's features and
    /// settings (set by [`Import::name_presets`]); the inline sections
    /// stay for the record but are not written when it is set.
    pub profile: Option<String>,
    /// Features, in the order they were found (a later value replaced an
    /// earlier one of the same source).
    pub features: Vec<ImportedFeature>,
    /// Settings, likewise.
    pub settings: Vec<ImportedSetting>,
    /// Lines whose values are here through another line: the same value
    /// asked again, or a value a later line of the same file replaced.
    /// Old lines to remove as well.
    pub also: Vec<Origin>,
    /// What to know before using it (the preset is for one driver).
    pub note: Option<String>,
}

impl Binding {
    /// Every line this binding comes from, in order, once each: the old
    /// lines to remove once ethcfg applies it.
    pub fn origins(&self) -> Vec<&Origin> {
        let mut out: Vec<&Origin> = Vec::new();
        let all = self
            .features
            .iter()
            .map(|f| &f.origin)
            .chain(self.settings.iter().map(|s| &s.origin))
            .chain(self.also.iter());
        for o in all {
            if !out.contains(&o) {
                out.push(o);
            }
        }
        out.sort_by(|a, b| a.file.cmp(&b.file).then(a.line.cmp(&b.line)));
        out
    }
}

/// A line (or part of one) that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NotImported {
    /// Where.
    pub origin: Origin,
    /// Why not: what ethcfg cannot translate safely.
    pub reason: String,
}

/// What was read: the bindings, and what was left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Import {
    /// One per match, in the order first seen.
    pub bindings: Vec<Binding>,
    /// What was not imported, in the order found.
    pub not_imported: Vec<NotImported>,
}

/// A source format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// `/etc/network/interfaces` (ifupdown, ifupdown2).
    Interfaces,
    /// A systemd service unit.
    Unit,
    /// A NetworkManager keyfile (`*.nmconnection`).
    Keyfile,
    /// A systemd `.link` file.
    Link,
}

impl Format {
    /// The format of a file: by its extension, else by its sections
    /// (`[ethtool]`/`[connection]`, `[Match]`/`[Link]`, `[Service]`),
    /// else `interfaces`.
    pub fn detect(path: &Path, text: &str) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some("link") => return Format::Link,
            Some("nmconnection") => return Format::Keyfile,
            Some("service") => return Format::Unit,
            _ => {}
        }
        let has = |s: &str| text.lines().any(|l| l.trim() == s);
        if has("[ethtool]") || has("[connection]") {
            Format::Keyfile
        } else if has("[Match]") || has("[Link]") {
            Format::Link
        } else if has("[Service]") {
            Format::Unit
        } else {
            Format::Interfaces
        }
    }
}

/// Reading a file failed.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {}: {source}", path.display())]
#[non_exhaustive]
pub struct ReadError {
    /// The file.
    pub path: PathBuf,
    /// Why.
    pub source: std::io::Error,
}

/// The most read from one configuration file.
const FILE_CAP: u64 = crate::fs::SYSFS_CAP;

/// Where the formats live under `root` (`/` on a live host), in the
/// order they are read: `etc/network/interfaces` and `interfaces.d/*`,
/// `etc/systemd/system/*.service`, `etc/systemd/network/*.link`,
/// `etc/NetworkManager/system-connections/*.nmconnection`. Only what
/// exists; a directory that cannot be listed is skipped.
pub fn default_files(root: &Path) -> Vec<PathBuf> {
    let etc = root.join("etc");
    let mut out = Vec::new();
    let interfaces = etc.join("network/interfaces");
    if interfaces.is_file() {
        out.push(interfaces);
    }
    out.extend(listing(&etc.join("network/interfaces.d"), None));
    out.extend(listing(&etc.join("systemd/system"), Some("service")));
    out.extend(listing(&etc.join("systemd/network"), Some("link")));
    out.extend(listing(
        &etc.join("NetworkManager/system-connections"),
        Some("nmconnection"),
    ));
    out
}

/// The regular files of `dir` with extension `ext` (any, for `None`,
/// skipping ifupdown's ignored names: dot files and editor backups),
/// sorted.
fn listing(dir: &Path, ext: Option<&str>) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut v: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let ext_ok = match ext {
                Some(x) => p.extension().is_some_and(|e| e == x),
                None => !name.starts_with('.') && !name.ends_with('~'),
            };
            // a unit symlinked into a .wants/ is read at its own path
            ext_ok && p.symlink_metadata().is_ok_and(|m| m.is_file())
        })
        .collect();
    v.sort();
    v
}

/// Reads `files` (each a regular file, up to 1 MiB) and imports them.
///
/// # Errors
/// The first file that cannot be read.
pub fn read_files(files: &[PathBuf]) -> Result<Import, ReadError> {
    let mut sources = Vec::new();
    for path in files {
        let text = crate::fs::read_regular_string(path, FILE_CAP)
            .map_err(|source| ReadError { path: path.clone(), source })?;
        sources.push((path.clone(), text));
    }
    Ok(import(sources.iter().map(|(p, t)| (p.as_path(), t.as_str()))))
}

/// [`read_files`] for files nobody named ([`default_files`]): one that
/// cannot be read (NetworkManager's keyfiles are root's alone) is left
/// out and returned with why, and the others are imported.
pub fn read_files_lenient(files: &[PathBuf]) -> (Import, Vec<ReadError>) {
    let mut sources = Vec::new();
    let mut failed = Vec::new();
    for path in files {
        match crate::fs::read_regular_string(path, FILE_CAP) {
            Ok(text) => sources.push((path.clone(), text)),
            Err(source) => {
                failed.push(ReadError { path: path.clone(), source })
            }
        }
    }
    (import(sources.iter().map(|(p, t)| (p.as_path(), t.as_str()))), failed)
}

/// Imports texts (each with the path that names it and selects its
/// format, [`Format::detect`]), merging what each says about one match.
pub fn import<'a>(
    sources: impl IntoIterator<Item = (&'a Path, &'a str)>,
) -> Import {
    let mut out = Import::default();
    for (path, text) in sources {
        let found = match Format::detect(path, text) {
            Format::Interfaces => ifupdown::read(path, text),
            Format::Unit => unit::read(path, text),
            Format::Keyfile => keyfile::read(path, text),
            Format::Link => link::read(path, text),
        };
        out.merge(found);
    }
    out
}

/// What one source file yields before merging.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub(crate) items: Vec<(Match, Item)>,
    pub(crate) not_imported: Vec<NotImported>,
}

/// One wanted value.
#[derive(Debug, Clone)]
pub(crate) enum Item {
    Feature(ImportedFeature),
    Setting(ImportedSetting),
}

impl Found {
    pub(crate) fn skip(&mut self, origin: &Origin, reason: impl Into<String>) {
        self.not_imported.push(NotImported {
            origin: origin.clone(),
            reason: reason.into(),
        });
    }

    pub(crate) fn feature(
        &mut self,
        m: &Match,
        name: &str,
        on: bool,
        origin: &Origin,
    ) {
        self.items.push((
            m.clone(),
            Item::Feature(ImportedFeature {
                name: normal_feature(name),
                on,
                origin: origin.clone(),
            }),
        ));
    }

    pub(crate) fn setting(
        &mut self,
        m: &Match,
        group: Group,
        key: &str,
        value: Target,
        origin: &Origin,
    ) {
        self.items.push((
            m.clone(),
            Item::Setting(ImportedSetting {
                group,
                key: key.to_owned(),
                value,
                origin: origin.clone(),
            }),
        ));
    }

    fn append(&mut self, other: Found) {
        self.items.extend(other.items);
        self.not_imported.extend(other.not_imported);
    }
}

/// ethtool's short name for a legacy long name (`tcp-segmentation-offload`
/// → `tso`), so that presets compare equal; other names as written.
fn normal_feature(name: &str) -> String {
    names::legacy(name).map_or_else(|| name.to_owned(), |f| f.short.to_owned())
}

/// A feature name as ethtool and the kernel spell them: letters, digits,
/// `-` and `_` (ifupdown mangles nothing in the file itself).
pub(crate) fn plausible_feature(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// An interface name usable as a binding's `name` as-is (no glob, no
/// shell): what the kernel accepts.
pub(crate) fn plain_ifname(name: &str) -> bool {
    !name.is_empty()
        && name.len() < crate::IFNAME_MAX
        && name.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'@')
        })
}

/// on/off as ethtool and ifupdown write them.
pub(crate) fn on_off(word: &str) -> Option<bool> {
    match word {
        "on" => Some(true),
        "off" => Some(false),
        _ => None,
    }
}

/// A setting's value of the kind `key` takes: a number, or on/off.
pub(crate) fn setting_value(
    group: Group,
    key: &str,
    word: &str,
) -> Option<(String, Target)> {
    use crate::ethtool::settings::ValueKind;
    let (canon, kind) = group.settable_key(key)?;
    let v = match kind {
        ValueKind::Num => Target::Num(word.parse().ok()?),
        ValueKind::Bool => Target::Bool(on_off(word)?),
    };
    Some((canon.to_owned(), v))
}

impl Import {
    fn merge(&mut self, found: Found) {
        let Found { items, not_imported } = found;
        self.not_imported.extend(not_imported);
        for (m, item) in items {
            let idx = match self.bindings.iter().position(|b| b.matcher == m) {
                Some(i) => i,
                None => {
                    self.bindings.push(Binding {
                        matcher: m,
                        profile: None,
                        features: Vec::new(),
                        settings: Vec::new(),
                        also: Vec::new(),
                        note: None,
                    });
                    self.bindings.len() - 1
                }
            };
            let Some(b) = self.bindings.get_mut(idx) else { continue };
            if let Some(n) = add(b, item) {
                self.not_imported.push(n);
            }
        }
    }

    /// Names the built-in preset a binding is exactly (same features,
    /// same settings, nothing more or less).
    pub fn name_presets(&mut self, presets: &Profiles) {
        for b in &mut self.bindings {
            let found = presets.profiles.iter().find(|p| {
                same_as_profile(b, p)
                    // a match on another driver would need `force`: the
                    // lines did not, so they stay inline
                    && b.matcher.driver.as_deref().is_none_or(|d| p.is_for_driver(Some(d)))
            });
            b.profile = found.map(|p| p.name.clone());
            b.note = found.filter(|p| !p.drivers.is_empty() && b.matcher.driver.is_none()).map(|p| {
                format!(
                    "{} is meant for {}; on another driver, apply refuses it unless the binding says force = true",
                    p.name,
                    p.drivers.join(", ")
                )
            });
        }
    }

    /// The bindings as `[[bind]]` tables of a TOML document, each with a
    /// comment naming the lines it comes from; the not-imported lines as
    /// comments after them.
    pub fn to_toml(&self) -> String {
        toml_out::document(self).to_string()
    }

    /// The bindings as `[[bind]]` tables, for appending to a config file
    /// (`config::write`).
    pub fn bind_tables(&self) -> Vec<toml_edit::Table> {
        self.bindings.iter().map(toml_out::table).collect()
    }
}

/// Adds one value to `b`. The same source asking twice is ethtool
/// running twice: the later wins. Another file asking otherwise is a
/// contradiction ethcfg cannot settle: the later is left out, with why.
fn add(b: &mut Binding, item: Item) -> Option<NotImported> {
    match item {
        Item::Feature(f) => {
            if let Some(old) = b.features.iter_mut().find(|o| o.name == f.name)
            {
                if old.on != f.on && old.origin.file != f.origin.file {
                    return Some(contradiction(&f.origin, &old.origin));
                }
                if old.on == f.on {
                    b.also.push(f.origin);
                } else {
                    b.also.push(std::mem::replace(old, f).origin);
                }
            } else {
                b.features.push(f);
            }
        }
        Item::Setting(s) => {
            if let Some(old) = b
                .settings
                .iter_mut()
                .find(|o| o.group == s.group && o.key == s.key)
            {
                if old.value != s.value && old.origin.file != s.origin.file {
                    return Some(contradiction(&s.origin, &old.origin));
                }
                if old.value == s.value {
                    b.also.push(s.origin);
                } else {
                    b.also.push(std::mem::replace(old, s).origin);
                }
            } else {
                b.settings.push(s);
            }
        }
    }
    None
}

fn contradiction(new: &Origin, old: &Origin) -> NotImported {
    NotImported {
        origin: new.clone(),
        reason: format!(
            "contradicts {old} for the same interface; which one wins depends on the order the tools run in, so decide by hand"
        ),
    }
}

fn same_as_profile(b: &Binding, p: &crate::profile::Profile) -> bool {
    if b.features.is_empty() && b.settings.is_empty() {
        return false;
    }
    let mut want: Vec<(String, bool)> =
        p.features.iter().map(|f| (normal_feature(&f.name), f.on)).collect();
    let mut have: Vec<(String, bool)> =
        b.features.iter().map(|f| (f.name.clone(), f.on)).collect();
    want.sort();
    want.dedup();
    have.sort();
    if want != have {
        return false;
    }
    let key = |g: Group, k: &str, v: &Target| {
        (g.as_str(), k.to_owned(), v.to_string())
    };
    let mut want: Vec<_> =
        p.settings.iter().map(|s| key(s.group, &s.key, &s.value)).collect();
    let mut have: Vec<_> =
        b.settings.iter().map(|s| key(s.group, &s.key, &s.value)).collect();
    want.sort();
    have.sort();
    want == have
}

#[cfg(test)]
mod tests;
