//! The profile registry: built-ins plus the user's profile directory.

use std::path::{Path, PathBuf};

use super::parse::valid_name;
use super::{Profile, ProfileFeature, ProfileSetting, Source};
use crate::error::{Error, Result};

const BUILTIN: &[&str] = &[
    include_str!("../../profiles/e1000e-hang-safe.toml"),
    include_str!("../../profiles/e1000e-tso-off.toml"),
    include_str!("../../profiles/capture.toml"),
    include_str!("../../profiles/router-lro-off.toml"),
    include_str!("../../profiles/e1000e-hang-safe-eee.toml"),
    include_str!("../../profiles/igc-eee-off.toml"),
    include_str!("../../profiles/r8169-vlan-tx-csum-off.toml"),
    include_str!("../../profiles/bnxt-forwarding.toml"),
    include_str!("../../profiles/vmxnet3-udp-tunnel-off.toml"),
];

/// Every profile ethcfg knows: built-ins, then user profiles; and the
/// user profile files that cannot be used, each with its error, so that
/// one bad file fails only the runs that ask for it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Profiles {
    /// The usable profiles, built-ins first; a user profile that replaces
    /// a built-in stands in its place.
    pub profiles: Vec<Profile>,
    /// Things to tell the user (user profiles that replace built-ins).
    pub notes: Vec<String>,
    /// User profiles that cannot be used (unreadable, untrusted,
    /// malformed, a name taken twice, a broken or cyclic include), in file
    /// order. [`Profiles::get`] of one's name returns its error.
    pub broken: Vec<BrokenProfile>,
}

/// A user profile file that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BrokenProfile {
    /// The profile's name: from the file when it says one (even when the
    /// rest does not parse), else the file's name without `.toml`; `None`
    /// when neither is a profile name.
    pub name: Option<String>,
    /// The file.
    pub file: PathBuf,
    line: Option<usize>,
    problem: String,
    /// Refused before parsing (owner, mode, not a regular file,
    /// unreadable): an [`Error::ProfileAccess`], else an [`Error::Profile`].
    access: bool,
}

impl BrokenProfile {
    /// The error a run that asks for this profile fails with.
    pub fn error(&self) -> Error {
        if self.access {
            Error::ProfileAccess {
                path: self.file.clone(),
                reason: self.problem.clone(),
            }
        } else {
            Error::Profile {
                file: self.file.display().to_string(),
                line: self.line,
                problem: self.problem.clone(),
            }
        }
    }

    fn from_error(file: &Path, name: Option<String>, e: Error) -> Self {
        let (line, problem, access) = match e {
            Error::Profile { line, problem, .. } => (line, problem, false),
            Error::ProfileAccess { reason, .. } => (None, reason, true),
            other => (None, other.to_string(), false),
        };
        BrokenProfile { name, file: file.to_path_buf(), line, problem, access }
    }
}

impl std::fmt::Display for BrokenProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.error())
    }
}

/// The name a file that does not load would have had: its `name` when the
/// TOML parses that far, else the file's stem.
fn guess_name(path: &Path, text: Option<&str>) -> Option<String> {
    text.and_then(|t| toml::from_str::<toml::Table>(t).ok())
        .and_then(|t| t.get("name").and_then(|n| n.as_str()).map(str::to_owned))
        .filter(|n| valid_name(n))
        .or_else(|| {
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .filter(|n| valid_name(n))
        })
}

/// Refuses a path that someone other than root or us could have written,
/// or a symbolic link ([`crate::fs::check_trust`]).
fn check_trust(path: &Path, what: &str) -> Result<()> {
    crate::fs::check_trust(path, what).map_err(|reason| Error::ProfileAccess {
        path: path.to_path_buf(),
        reason,
    })
}

impl Profiles {
    /// Where user profiles live unless the caller says otherwise (the CLI
    /// takes `ETHCFG_PROFILE_DIR` when it is set).
    pub const DEFAULT_DIR: &'static str = "/etc/ethcfg/profiles.d";

    /// The built-in presets only.
    ///
    /// # Errors
    /// Only if a built-in is malformed (a build defect, caught by tests).
    pub fn builtin() -> Result<Profiles> {
        let mut all = Self::unresolved_builtins()?;
        all.resolve_includes();
        match all.broken.first() {
            Some(b) => Err(b.error()),
            None => Ok(all),
        }
    }

    fn unresolved_builtins() -> Result<Profiles> {
        let profiles = BUILTIN
            .iter()
            .map(|t| Profile::from_toml(t, Source::Builtin))
            .collect::<Result<Vec<_>>>()?;
        Ok(Profiles { profiles, notes: Vec::new(), broken: Vec::new() })
    }

    /// Built-ins plus every `*.toml` in `dir` (a missing directory is
    /// fine). A file that cannot be used goes to [`Profiles::broken`] and
    /// takes nothing else down; only the directory itself can fail the
    /// load, since a directory others can write may hide or forge any of
    /// its profiles (a replacement of a built-in among them).
    ///
    /// # Errors
    /// [`Error::ProfileAccess`] for a directory others can write, a
    /// symbolic link, or one that cannot be listed.
    pub fn load(dir: &Path) -> Result<Profiles> {
        let mut all = Self::unresolved_builtins()?;
        match std::fs::symlink_metadata(dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                all.resolve_includes();
                return Ok(all);
            }
            _ => check_trust(dir, "profile directory")?,
        }
        let entries =
            std::fs::read_dir(dir).map_err(|e| Error::ProfileAccess {
                path: dir.to_path_buf(),
                reason: format!("cannot list the profile directory: {e}"),
            })?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        for path in files {
            if let Err(b) = all.add_file(&path) {
                all.broken.push(b);
            }
        }
        all.resolve_includes();
        Ok(all)
    }

    /// Reads, parses and registers one user profile file.
    fn add_file(
        &mut self,
        path: &Path,
    ) -> std::result::Result<(), BrokenProfile> {
        let access = |reason: String| {
            BrokenProfile::from_error(
                path,
                guess_name(path, None),
                Error::ProfileAccess { path: path.to_path_buf(), reason },
            )
        };
        let bytes = crate::fs::read_trusted(
            path,
            "profile file",
            crate::fs::PROFILE_CAP,
        )
        .map_err(access)?;
        let text = String::from_utf8(bytes).map_err(|e| {
            access(format!(
                "cannot read the profile file: it is not UTF-8 text ({e})"
            ))
        })?;
        let p = Profile::from_toml(&text, Source::File(path.to_path_buf()))
            .map_err(|e| {
                BrokenProfile::from_error(
                    path,
                    guess_name(path, Some(&text)),
                    e,
                )
            })?;
        let clash = |problem: String| BrokenProfile {
            name: Some(p.name.clone()),
            file: path.to_path_buf(),
            line: None,
            problem,
            access: false,
        };
        match self.profiles.iter().position(|q| q.name == p.name) {
            Some(i)
                if self
                    .profiles
                    .get(i)
                    .is_some_and(|q| q.source == Source::Builtin) =>
            {
                if !p.replaces {
                    return Err(clash(format!(
                        "{} is the name of a built-in profile; rename it, or add `replaces = true` to replace the built-in",
                        p.name
                    )));
                }
                self.notes.push(format!(
                    "{} from {} replaces the built-in profile",
                    p.name,
                    path.display()
                ));
                if let Some(slot) = self.profiles.get_mut(i) {
                    *slot = p;
                }
            }
            Some(i) => {
                let other = self
                    .profiles
                    .get(i)
                    .map(|q| q.source.to_string())
                    .unwrap_or_default();
                return Err(clash(format!(
                    "profile {} is also defined in {other}",
                    p.name
                )));
            }
            None => self.profiles.push(p),
        }
        Ok(())
    }

    /// The profile with this name.
    ///
    /// # Errors
    /// The error of a broken user profile of that name (it may have meant
    /// to replace a built-in, so the built-in is not silently used
    /// instead); else [`Error::UnknownProfile`] listing the known ones.
    pub fn get(&self, name: &str) -> Result<&Profile> {
        if let Some(b) = self.broken_named(name) {
            return Err(b.error());
        }
        self.profiles.iter().find(|p| p.name == name).ok_or_else(|| {
            Error::UnknownProfile {
                name: name.to_owned(),
                known: self.profiles.iter().map(|p| p.name.clone()).collect(),
            }
        })
    }

    fn broken_named(&self, name: &str) -> Option<&BrokenProfile> {
        self.broken.iter().find(|b| b.name.as_deref() == Some(name))
    }

    /// Replaces every profile's features and settings by those of the
    /// profiles it includes (recursively, in order) followed by its own; a
    /// later value for the same feature or setting wins. Each profile is
    /// resolved once and remembered, so a profile included many times over
    /// costs one resolution (linear, not exponential, in the includes). A
    /// profile whose includes fail moves to [`Profiles::broken`].
    fn resolve_includes(&mut self) {
        let mut r = Resolver {
            all: &self.profiles,
            broken: &self.broken,
            memo: vec![Mark::Todo; self.profiles.len()],
            stack: Vec::new(),
        };
        for i in 0..self.profiles.len() {
            // The outcome stays in the memo, read below.
            let _ = r.resolve(i);
        }
        let memo = r.memo;
        let mut kept = Vec::with_capacity(self.profiles.len());
        for (mut p, mark) in
            std::mem::take(&mut self.profiles).into_iter().zip(memo)
        {
            match mark {
                Mark::Done(Ok(e)) => {
                    if !p.include.is_empty() {
                        p.features = e.features.clone();
                        p.settings = e.settings.clone();
                    }
                    kept.push(p);
                }
                Mark::Done(Err(f)) => {
                    self.broken.push(BrokenProfile {
                        name: Some(p.name.clone()),
                        file: match &p.source {
                            Source::File(f) => f.clone(),
                            Source::Builtin => {
                                PathBuf::from(p.source.to_string())
                            }
                        },
                        line: None,
                        problem: f.problem,
                        access: false,
                    });
                }
                // resolve() marks every profile it is called for.
                Mark::Todo | Mark::Active => kept.push(p),
            }
        }
        self.profiles = kept;
    }
}

#[derive(Debug, Default)]
struct Expanded {
    features: Vec<ProfileFeature>,
    settings: Vec<ProfileSetting>,
}

/// Why a profile's includes do not resolve.
#[derive(Debug, Clone, Default)]
struct Failure {
    /// This profile's problem, as its error says it.
    problem: String,
    /// The first failure down the includes, with its file, for includers.
    cause: String,
    /// Indexes of the profiles in an include cycle found below, which
    /// each get the cycle as their own problem.
    cycle: Vec<usize>,
}

impl Failure {
    fn new(p: &Profile, problem: String, cycle: Vec<usize>) -> Failure {
        let cause = format!("{}: {problem}", p.source);
        Failure { problem, cause, cycle }
    }
}

#[derive(Debug, Clone)]
enum Mark {
    Todo,
    Active,
    Done(std::result::Result<std::rc::Rc<Expanded>, Failure>),
}

struct Resolver<'a> {
    all: &'a [Profile],
    broken: &'a [BrokenProfile],
    memo: Vec<Mark>,
    stack: Vec<usize>,
}

impl Resolver<'_> {
    fn resolve(
        &mut self,
        i: usize,
    ) -> std::result::Result<std::rc::Rc<Expanded>, Failure> {
        match self.memo.get(i) {
            Some(Mark::Done(r)) => return r.clone(),
            Some(Mark::Active) | None => {
                // The caller checks for Active (a cycle) before recursing.
                return Err(Failure::default());
            }
            Some(Mark::Todo) => {}
        }
        let Some(p) = self.all.get(i) else {
            return Err(Failure::default());
        };
        if let Some(m) = self.memo.get_mut(i) {
            *m = Mark::Active;
        }
        self.stack.push(i);
        let r = self.expand(i, p);
        self.stack.pop();
        if let Some(m) = self.memo.get_mut(i) {
            *m = Mark::Done(r.clone());
        }
        r
    }

    fn expand(
        &mut self,
        i: usize,
        p: &Profile,
    ) -> std::result::Result<std::rc::Rc<Expanded>, Failure> {
        let mut out = Expanded::default();
        let here = |problem: String| Failure::new(p, problem, Vec::new());
        for inc in &p.include {
            if let Some(b) = self
                .broken
                .iter()
                .find(|b| b.name.as_deref() == Some(inc.as_str()))
            {
                return Err(here(format!(
                    "includes {inc}, which cannot be used: {}",
                    b.error()
                )));
            }
            let Some(j) = self.all.iter().position(|q| q.name == *inc) else {
                let known: Vec<&str> =
                    self.all.iter().map(|q| q.name.as_str()).collect();
                return Err(here(format!(
                    "profile {} includes unknown profile {inc:?}; known profiles: {}",
                    p.name,
                    known.join(", ")
                )));
            };
            if matches!(self.memo.get(j), Some(Mark::Active)) {
                let from = self.stack.iter().position(|&k| k == j).unwrap_or(0);
                let cycle: Vec<usize> =
                    self.stack.get(from..).unwrap_or_default().to_vec();
                let names: Vec<&str> = cycle
                    .iter()
                    .filter_map(|&k| self.all.get(k).map(|q| q.name.as_str()))
                    .collect();
                let problem =
                    format!("include cycle: {} -> {inc}", names.join(" -> "));
                return Err(Failure::new(p, problem, cycle));
            }
            let q = match self.resolve(j) {
                Ok(q) => q,
                Err(f) if f.cycle.contains(&i) => {
                    // In the cycle: the cycle is this profile's own problem.
                    return Err(Failure::new(p, f.problem, f.cycle));
                }
                Err(f) => {
                    return Err(Failure {
                        problem: format!(
                            "includes {inc}, which cannot be used: {}",
                            f.cause
                        ),
                        cause: f.cause,
                        cycle: Vec::new(),
                    });
                }
            };
            let name = self.all.get(j).map(|q| q.name.as_str());
            merge(&mut out, &q.features, &q.settings, name);
        }
        merge(&mut out, &p.features, &p.settings, None);
        Ok(std::rc::Rc::new(out))
    }
}

/// Adds `fs` and `ss` to `out`, a later value for the same feature or
/// setting replacing the earlier in its place; values without an origin
/// are marked as coming from `from`.
fn merge(
    out: &mut Expanded,
    fs: &[ProfileFeature],
    ss: &[ProfileSetting],
    from: Option<&str>,
) {
    for f in fs {
        let mut f = f.clone();
        if f.from.is_none() {
            f.from = from.map(str::to_owned);
        }
        match out.features.iter_mut().find(|g| g.name == f.name) {
            Some(g) => *g = f,
            None => out.features.push(f),
        }
    }
    for s in ss {
        let mut s = s.clone();
        if s.from.is_none() {
            s.from = from.map(str::to_owned);
        }
        match out
            .settings
            .iter_mut()
            .find(|t| t.group == s.group && t.key == s.key)
        {
            Some(t) => *t = s,
            None => out.settings.push(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn tmpdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir()
            .join(format!("ethcfg-prof-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755))
            .unwrap();
        d
    }

    fn write(dir: &Path, name: &str, text: &str, mode: u32) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode))
            .unwrap();
        p
    }

    /// The first broken file's error, from a load that succeeded with
    /// every built-in still there.
    fn broken(d: &Path) -> Error {
        let all = Profiles::load(d).unwrap();
        assert!(all.get("capture").is_ok(), "{:?}", all.broken);
        all.broken.first().expect("a broken profile").error()
    }

    const MINE: &str =
        "name = \"mine\"\nsummary = \"s\"\n[features]\ngro = \"off\"\n";

    #[test]
    fn builtins_are_the_presets_and_valid() {
        let b = Profiles::builtin().unwrap();
        let names: Vec<&str> =
            b.profiles.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "e1000e-hang-safe",
                "e1000e-tso-off",
                "capture",
                "router-lro-off",
                "e1000e-hang-safe-eee",
                "igc-eee-off",
                "r8169-vlan-tx-csum-off",
                "bnxt-forwarding",
                "vmxnet3-udp-tunnel-off"
            ]
        );
        let hs = b.get("e1000e-hang-safe").unwrap();
        let f: Vec<(&str, bool)> =
            hs.features.iter().map(|f| (f.name.as_str(), f.on)).collect();
        assert_eq!(
            f,
            [
                ("gso", false),
                ("gro", false),
                ("tso", false),
                ("tx", false),
                ("rx", false),
                ("rxvlan", false),
                ("txvlan", false),
                ("sg", false)
            ]
        );
        assert_eq!(hs.drivers, ["e1000e"]);
        // e1000e-hang-safe-eee: all of e1000e-hang-safe, plus EEE off
        let eee = b.get("e1000e-hang-safe-eee").unwrap();
        assert_eq!(eee.include, ["e1000e-hang-safe"]);
        assert_eq!(
            eee.features
                .iter()
                .map(|f| (f.name.as_str(), f.on))
                .collect::<Vec<_>>(),
            hs.features
                .iter()
                .map(|f| (f.name.as_str(), f.on))
                .collect::<Vec<_>>()
        );
        assert!(eee
            .features
            .iter()
            .all(|f| f.from.as_deref() == Some("e1000e-hang-safe")));
        assert_eq!(eee.settings.len(), 1);
        assert_eq!(
            (
                eee.settings[0].group,
                eee.settings[0].key.as_str(),
                eee.settings[0].value
            ),
            (
                crate::ethtool::settings::Group::Eee,
                "enabled",
                crate::ethtool::settings::Target::Bool(false)
            )
        );
        assert_eq!(eee.settings[0].from, None);
        for p in &b.profiles {
            assert!(
                !p.summary.is_empty()
                    && !p.description.is_empty()
                    && !p.references.is_empty(),
                "{}",
                p.name
            );
        }
        assert_eq!(b.get("e1000e-tso-off").unwrap().features.len(), 1);
        assert!(matches!(b.get("nope"), Err(Error::UnknownProfile { .. })));
    }

    #[test]
    fn user_profiles_load_and_missing_dir_is_fine() {
        let d = tmpdir("ok");
        write(&d, "mine.toml", MINE, 0o644);
        write(&d, "README", "not a profile", 0o644);
        let all = Profiles::load(&d).unwrap();
        assert_eq!(
            all.get("mine").unwrap().source,
            Source::File(d.join("mine.toml"))
        );
        assert_eq!(
            Profiles::load(&d.join("absent")).unwrap().profiles.len(),
            BUILTIN.len()
        );
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn writable_by_others_is_refused() {
        let d = tmpdir("ww");
        let f = write(&d, "mine.toml", MINE, 0o666);
        let e = broken(&d);
        assert!(e.to_string().contains("world-writable"), "{e}");
        let e = Profiles::load(&d).unwrap().get("mine").unwrap_err();
        assert!(e.to_string().contains("world-writable"), "{e}");
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o664))
            .unwrap();
        assert!(broken(&d).to_string().contains("group-writable"));
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644))
            .unwrap();
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o777))
            .unwrap();
        let e = Profiles::load(&d).unwrap_err();
        assert!(
            e.to_string().contains("profile directory is world-writable"),
            "{e}"
        );
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    #[ignore = "needs root (chowns a file to another user); scripts/test runs it"]
    fn not_owned_by_root_or_us_is_refused() {
        let d = tmpdir("own");
        let f = write(&d, "mine.toml", MINE, 0o644);
        std::os::unix::fs::chown(&f, Some(65534), Some(65534)).unwrap();
        let e = broken(&d);
        assert!(e.to_string().contains("owned by uid 65534"), "{e}");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn taking_a_builtin_name_needs_replaces() {
        let d = tmpdir("rep");
        let text = "name = \"capture\"\nsummary = \"mine\"\n[features]\ngro = \"off\"\n";
        write(&d, "c.toml", text, 0o644);
        let all = Profiles::load(&d).unwrap();
        let e = all.broken[0].error();
        assert!(e.to_string().contains("replaces = true"), "{e}");
        // It may have meant to replace the built-in: asking for it fails.
        let e = all.get("capture").unwrap_err();
        assert!(e.to_string().contains("replaces = true"), "{e}");
        write(&d, "c.toml", &format!("replaces = true\n{text}"), 0o644);
        let all = Profiles::load(&d).unwrap();
        assert_eq!(all.get("capture").unwrap().summary, "mine");
        assert_eq!(all.notes.len(), 1);
        assert_eq!(all.profiles.len(), BUILTIN.len());
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn includes_merge_in_order_own_values_win_and_cycles_are_errors() {
        let d = tmpdir("inc");
        write(&d, "a.toml", "name = \"a\"\nsummary = \"s\"\ninclude = [\"capture\"]\n[features]\ngro = \"on\"\n[rings]\nrx = \"max\"\n", 0o644);
        write(&d, "b.toml", "name = \"b\"\nsummary = \"s\"\ninclude = [\"a\"]\n[rings]\nrx = 512\n", 0o644);
        let all = Profiles::load(&d).unwrap();
        let b = all.get("b").unwrap();
        let gro = b.features.iter().find(|f| f.name == "gro").unwrap();
        assert!(gro.on, "a's own gro on wins over capture's gro off");
        assert_eq!(gro.from.as_deref(), Some("a"));
        assert_eq!(
            b.features.len(),
            all.get("capture").unwrap().features.len()
        );
        assert_eq!(b.settings.len(), 1);
        assert_eq!(
            b.settings[0].value,
            crate::ethtool::settings::Target::Num(512)
        );

        write(
            &d,
            "c.toml",
            "name = \"c\"\nsummary = \"s\"\ninclude = [\"d\"]\n",
            0o644,
        );
        write(
            &d,
            "d.toml",
            "name = \"d\"\nsummary = \"s\"\ninclude = [\"c\"]\n",
            0o644,
        );
        let all = Profiles::load(&d).unwrap();
        let e = all.get("c").unwrap_err();
        assert!(e.to_string().contains("include cycle: c -> d -> c"), "{e}");
        let e = all.get("d").unwrap_err();
        assert!(e.to_string().contains("include cycle"), "{e}");
        assert!(e.to_string().contains("d.toml"), "{e}");
        assert!(all.get("b").is_ok() && all.get("capture").is_ok());
        std::fs::remove_file(d.join("c.toml")).unwrap();
        std::fs::remove_file(d.join("d.toml")).unwrap();
        write(
            &d,
            "e.toml",
            "name = \"e\"\nsummary = \"s\"\ninclude = [\"nope\"]\n",
            0o644,
        );
        let e = broken(&d);
        assert!(e.to_string().contains("unknown profile \"nope\""), "{e}");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_broken_file_is_named_and_fails_only_what_asks_for_it() {
        let d = tmpdir("typo");
        write(&d, "mine.toml", MINE, 0o644);
        write(
            &d,
            "t.toml",
            "name = \"typo\"\nsummary = \"s\"\n[features]\ngro = \"of\"\n",
            0o644,
        );
        write(&d, "syntax.toml", "name = \"x\"\n[features\n", 0o644);
        write(
            &d,
            "uses.toml",
            "name = \"uses\"\nsummary = \"s\"\ninclude = [\"typo\"]\n",
            0o644,
        );
        write(
            &d,
            "dup.toml",
            "name = \"mine\"\nsummary = \"s\"\n[features]\ngso = \"off\"\n",
            0o644,
        );
        let all = Profiles::load(&d).unwrap();
        assert_eq!(all.profiles.len(), BUILTIN.len() + 1, "{:?}", all.broken);
        assert!(all.get("capture").is_ok());
        let names: Vec<(Option<&str>, String)> = all
            .broken
            .iter()
            .map(|b| {
                (
                    b.name.as_deref(),
                    b.file.file_name().unwrap().to_string_lossy().into_owned(),
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                (Some("mine"), "mine.toml".to_owned()),
                (Some("syntax"), "syntax.toml".to_owned()),
                (Some("typo"), "t.toml".to_owned()),
                (Some("uses"), "uses.toml".to_owned()),
            ]
        );
        let e = all.get("typo").unwrap_err().to_string();
        assert!(e.contains("/t.toml:4: feature gro"), "{e}");
        assert_eq!(e, all.broken[2].to_string());
        let e = all.get("uses").unwrap_err().to_string();
        assert!(
            e.contains("uses.toml: includes typo, which cannot be used: ")
                && e.contains("/t.toml:4:"),
            "{e}"
        );
        let e = all.get("syntax").unwrap_err().to_string();
        assert!(e.contains("syntax.toml:2:"), "{e}");
        // two files, one name: neither is silently chosen
        let e = all.get("mine").unwrap_err().to_string();
        assert!(e.contains("also defined in"), "{e}");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn includes_resolve_in_linear_time() {
        let d = tmpdir("chain");
        let levels = 30;
        for i in 0..levels {
            let inc = if i + 1 < levels {
                format!("include = [\"p{n}\", \"p{n}\"]\n", n = i + 1)
            } else {
                String::new()
            };
            write(
                &d,
                &format!("p{i}.toml"),
                &format!("name = \"p{i}\"\nsummary = \"s\"\n{inc}[features]\nf{i} = \"off\"\n"),
                0o644,
            );
        }
        let t = std::time::Instant::now();
        let all = Profiles::load(&d).unwrap();
        let took = t.elapsed();
        #[allow(clippy::print_stderr)] // the time is worth seeing in the log
        {
            eprintln!("30 levels of double includes: loaded in {took:?}");
        }
        // Loose: only an exponential blow-up (2^30 expansions) fails it.
        assert!(took < std::time::Duration::from_secs(5), "{took:?}");
        assert!(all.broken.is_empty(), "{:?}", all.broken);
        let p0 = all.get("p0").unwrap();
        assert_eq!(p0.features.len(), levels);
        assert_eq!(p0.features[0].name, "f29");
        assert_eq!(p0.features[0].from.as_deref(), Some("p29"));
        assert_eq!(p0.features[levels - 1].from, None);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn only_regular_files_of_a_sane_size_are_read() {
        let d = tmpdir("odd");
        write(&d, "mine.toml", MINE, 0o644);
        crate::fs::tests::mkfifo(&d.join("fifo.toml"));
        let big = format!("{MINE}description = \"{}\"\n", "x".repeat(1 << 20));
        write(&d, "big.toml", &big, 0o644);
        std::os::unix::fs::symlink(d.join("mine.toml"), d.join("link.toml"))
            .unwrap();
        let t = std::time::Instant::now();
        let all = Profiles::load(&d).unwrap();
        assert!(t.elapsed() < std::time::Duration::from_secs(2));
        assert!(all.get("mine").is_ok());
        let e = all.get("fifo").unwrap_err().to_string();
        assert!(e.contains("fifo.toml") && e.contains("a FIFO"), "{e}");
        let e = all.get("big").unwrap_err().to_string();
        assert!(e.contains("more than 1 MiB"), "{e}");
        let e = all.get("link").unwrap_err().to_string();
        assert!(e.contains("symbolic link"), "{e}");
        assert_eq!(all.broken.len(), 3);
        std::fs::remove_dir_all(&d).unwrap();
    }
}
