//! Profiles: named, reviewed sets of desired feature states
//! (`e1000e-hang-safe`, ...), in TOML. Built-in presets are embedded at
//! build time; user profiles come from a directory the caller names
//! ([`Profiles::DEFAULT_DIR`], `/etc/ethcfg/profiles.d/*.toml`, unless the
//! CLI's `ETHCFG_PROFILE_DIR` says otherwise), read only from files and directories
//! that no one but root (or the invoking user) can write — as sudo does.
//!
//! ```toml
//! name = "e1000e-hang-safe"
//! summary = "Move offloads to software on e1000e NICs that hit 'Detected Hardware Unit Hang'"
//! description = "..."
//! drivers = ["e1000e"]            # applying elsewhere needs --force
//! disruptive = true               # e1000e resets the link when rx/rxvlan/txvlan change
//! references = ["https://bugzilla.kernel.org/show_bug.cgi?id=118721"]
//!
//! [features]
//! gso = "off"
//! tso = "off"
//! ```
//!
//! Layer: profiles. May use: `crate::fs`, `crate::error`, `crate::iface`,
//! `crate::ethtool` (names, settings groups), `crate::host`,
//! `crate::state`.

pub mod ladder;
mod load;
pub(crate) mod parse;

use std::fmt;
use std::path::PathBuf;

use crate::ethtool::features::FeatureRequest;
use crate::ethtool::settings::{Group, Target};

pub use load::{BrokenProfile, Profiles};

/// Where a profile came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// Embedded in ethcfg.
    Builtin,
    /// A user profile file.
    File(PathBuf),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Builtin => f.write_str("built-in"),
            Source::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// One wanted feature state of a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProfileFeature {
    /// Kernel or legacy name, as written.
    pub name: String,
    /// Wanted state.
    pub on: bool,
    /// Line in the profile file.
    pub line: usize,
    /// The included profile it comes from (`None`: this profile's own file).
    pub from: Option<String>,
}

/// One wanted setting of a profile (`[rings] rx = 4096`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProfileSetting {
    /// The section's group.
    pub group: Group,
    /// The key in it (`rx`, `rx-usecs`, a private flag's name).
    pub key: String,
    /// The wanted value.
    pub value: Target,
    /// Line in the profile file.
    pub line: usize,
    /// The included profile it comes from (`None`: this profile's own file).
    pub from: Option<String>,
}

/// A parsed, validated profile.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Profile {
    /// Its name (`e1000e-hang-safe`).
    pub name: String,
    /// One line: what it is for.
    pub summary: String,
    /// The problem it addresses, and its costs.
    pub description: String,
    /// Drivers it is meant for; empty = any. Applying it to an interface on
    /// another driver needs `force`.
    pub drivers: Vec<String>,
    /// Whether applying it may reset the link on the drivers it is for.
    pub disruptive: bool,
    /// Bug reports, documentation.
    pub references: Vec<String>,
    /// A user profile that deliberately takes a built-in's name.
    pub replaces: bool,
    /// Wanted feature states, in file order (included profiles' first).
    pub features: Vec<ProfileFeature>,
    /// Wanted settings from the `[rings]`, `[channels]`, `[coalesce]`,
    /// `[pause]`, `[eee]` and `[private-flags]` sections (included first).
    pub settings: Vec<ProfileSetting>,
    /// Profiles this one builds on (`include = [...]`), in order; their
    /// features and settings come first, this profile's own win.
    pub include: Vec<String>,
    /// Where it came from.
    pub source: Source,
}

impl Profile {
    /// The feature part as a request.
    pub fn feature_request(&self) -> FeatureRequest {
        self.features
            .iter()
            .fold(FeatureRequest::new(), |r, f| r.set(f.name.clone(), f.on))
    }

    /// Parses a profile from TOML text; `source` names it in errors.
    ///
    /// # Errors
    /// [`crate::Error::Profile`] with the file, the line and the problem.
    pub fn from_toml(text: &str, source: Source) -> crate::Result<Profile> {
        parse::parse(text, source)
    }

    /// An empty desired state named `name` (for any driver), to build in
    /// code with [`Profile::push_feature`] and [`Profile::push_setting`] —
    /// what an ifupdown stanza or a configuration binding asks for. Empty,
    /// it is "nothing": reconciling to it lets go of everything.
    pub fn new(name: impl Into<String>) -> Profile {
        Profile {
            name: name.into(),
            summary: String::new(),
            description: String::new(),
            drivers: Vec::new(),
            disruptive: false,
            references: Vec::new(),
            replaces: false,
            features: Vec::new(),
            settings: Vec::new(),
            include: Vec::new(),
            source: Source::Builtin,
        }
    }

    /// Adds a wanted feature state, after (so over) what is there; written
    /// in no file (line 0), so errors about it name no profile line.
    pub fn push_feature(&mut self, name: impl Into<String>, on: bool) {
        self.features.push(ProfileFeature {
            name: name.into(),
            on,
            line: 0,
            from: None,
        });
    }

    /// Adds a wanted setting, over what is there (see
    /// [`Profile::push_feature`]).
    pub fn push_setting(
        &mut self,
        group: Group,
        key: impl Into<String>,
        value: Target,
    ) {
        self.settings.push(ProfileSetting {
            group,
            key: key.into(),
            value,
            line: 0,
            from: None,
        });
    }

    /// Whether the profile is meant for `driver` (always, when it names none).
    pub fn is_for_driver(&self, driver: Option<&str>) -> bool {
        self.drivers.is_empty()
            || driver.is_some_and(|d| self.drivers.iter().any(|x| x == d))
    }
}

impl Profile {
    /// A profile made by the caller (a configuration binding's merged
    /// sections); `file` is where its lines are.
    pub(crate) fn from_parts(
        name: String,
        file: PathBuf,
        features: Vec<ProfileFeature>,
        settings: Vec<ProfileSetting>,
    ) -> Profile {
        Profile {
            summary: format!("bindings of {}", file.display()),
            name,
            description: String::new(),
            drivers: Vec::new(),
            disruptive: false,
            references: Vec::new(),
            replaces: false,
            features,
            settings,
            include: Vec::new(),
            source: Source::File(file),
        }
    }
}
