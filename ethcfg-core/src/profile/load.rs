//! The profile registry: built-ins plus the user's profile directory.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use nix::unistd::geteuid;

use super::{Profile, ProfileFeature, ProfileSetting, Source};
use crate::error::{Error, Result};

const BUILTIN: &[&str] = &[
    include_str!("../../profiles/e1000e-hang-safe.toml"),
    include_str!("../../profiles/e1000e-tso-off.toml"),
    include_str!("../../profiles/capture.toml"),
    include_str!("../../profiles/router-lro-off.toml"),
    include_str!("../../profiles/e1000e-hang-safe-eee.toml"),
];

/// Every profile ethcfg knows: built-ins, then user profiles.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Profiles {
    /// The profiles, built-ins first; a user profile that replaces a
    /// built-in stands in its place.
    pub profiles: Vec<Profile>,
    /// Things to tell the user (user profiles that replace built-ins).
    pub notes: Vec<String>,
}

/// Refuses a path that someone other than root or us (the effective uid:
/// whoever runs ethcfg already decides what it applies) could have
/// written.
fn check_trust(path: &Path, what: &str) -> Result<()> {
    let m = std::fs::metadata(path).map_err(|e| Error::ProfileAccess {
        path: path.to_path_buf(),
        reason: format!("cannot read the {what}: {e}"),
    })?;
    let uid = m.uid();
    if uid != 0 && uid != geteuid().as_raw() {
        return Err(Error::ProfileAccess {
            path: path.to_path_buf(),
            reason: format!(
                "the {what} is owned by uid {uid}, not by root or you; only trusted users may define profiles (chown root)"
            ),
        });
    }
    if m.mode() & 0o022 != 0 {
        let who = if m.mode() & 0o002 != 0 { "world" } else { "group" };
        return Err(Error::ProfileAccess {
            path: path.to_path_buf(),
            reason: format!("the {what} is {who}-writable, so anyone could change what ethcfg applies (chmod go-w)"),
        });
    }
    Ok(())
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
        let mut profiles = BUILTIN
            .iter()
            .map(|t| Profile::from_toml(t, Source::Builtin))
            .collect::<Result<Vec<_>>>()?;
        resolve_includes(&mut profiles)?;
        Ok(Profiles { profiles, notes: Vec::new() })
    }

    fn unresolved_builtins() -> Result<Profiles> {
        let profiles = BUILTIN
            .iter()
            .map(|t| Profile::from_toml(t, Source::Builtin))
            .collect::<Result<Vec<_>>>()?;
        Ok(Profiles { profiles, notes: Vec::new() })
    }

    /// Built-ins plus every `*.toml` in `dir` (a missing directory is
    /// fine; an untrusted or malformed one is an error).
    ///
    /// # Errors
    /// [`Error::ProfileAccess`] for files or a directory others can write;
    /// [`Error::Profile`] for a malformed file, or a user profile that takes
    /// a built-in's name without `replaces = true`, or two with one name.
    pub fn load(dir: &Path) -> Result<Profiles> {
        let mut all = Self::unresolved_builtins()?;
        if !dir.exists() {
            resolve_includes(&mut all.profiles)?;
            return Ok(all);
        }
        check_trust(dir, "profile directory")?;
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
            check_trust(&path, "profile file")?;
            let text = std::fs::read_to_string(&path).map_err(|e| {
                Error::ProfileAccess {
                    path: path.clone(),
                    reason: format!("cannot read the profile file: {e}"),
                }
            })?;
            let p = Profile::from_toml(&text, Source::File(path.clone()))?;
            match all.profiles.iter().position(|q| q.name == p.name) {
                Some(i)
                    if all
                        .profiles
                        .get(i)
                        .is_some_and(|q| q.source == Source::Builtin) =>
                {
                    if !p.replaces {
                        return Err(Error::Profile {
                            file: path.display().to_string(),
                            line: None,
                            problem: format!(
                                "{} is the name of a built-in profile; rename it, or add `replaces = true` to replace the built-in",
                                p.name
                            ),
                        });
                    }
                    all.notes.push(format!(
                        "{} from {} replaces the built-in profile",
                        p.name,
                        path.display()
                    ));
                    if let Some(slot) = all.profiles.get_mut(i) {
                        *slot = p;
                    }
                }
                Some(i) => {
                    let other = all
                        .profiles
                        .get(i)
                        .map(|q| q.source.to_string())
                        .unwrap_or_default();
                    return Err(Error::Profile {
                        file: path.display().to_string(),
                        line: None,
                        problem: format!(
                            "profile {} is also defined in {other}",
                            p.name
                        ),
                    });
                }
                None => all.profiles.push(p),
            }
        }
        resolve_includes(&mut all.profiles)?;
        Ok(all)
    }

    /// The profile with this name.
    ///
    /// # Errors
    /// [`Error::UnknownProfile`] listing the known ones.
    pub fn get(&self, name: &str) -> Result<&Profile> {
        self.profiles.iter().find(|p| p.name == name).ok_or_else(|| {
            Error::UnknownProfile {
                name: name.to_owned(),
                known: self.profiles.iter().map(|p| p.name.clone()).collect(),
            }
        })
    }
}

/// Replaces every profile's features and settings by those of the
/// profiles it includes (recursively, in order) followed by its own; a
/// later value for the same feature or setting wins.
fn resolve_includes(profiles: &mut [Profile]) -> Result<()> {
    let originals: Vec<Profile> = profiles.to_vec();
    let mut expanded = HashMap::new();
    for p in profiles.iter_mut().filter(|p| !p.include.is_empty()) {
        let mut stack = vec![p.name.clone()];
        let (features, settings) =
            expand(&originals, p, &mut stack, &mut expanded)?;
        p.features = features;
        p.settings = settings;
    }
    Ok(())
}

type Expanded = (Vec<ProfileFeature>, Vec<ProfileSetting>);

/// `expanded` holds each profile's expansion once made: it does not depend
/// on who includes it (a cycle through the includer would have failed it),
/// and without it a profile included twice at every level of a chain is
/// expanded exponentially often.
fn expand(
    all: &[Profile],
    p: &Profile,
    stack: &mut Vec<String>,
    expanded: &mut HashMap<String, Expanded>,
) -> Result<Expanded> {
    let problem = |problem: String| Error::Profile {
        file: p.source.to_string(),
        line: None,
        problem,
    };
    let mut features: Vec<ProfileFeature> = Vec::new();
    let mut settings: Vec<ProfileSetting> = Vec::new();
    let mut merge = |fs: Vec<ProfileFeature>,
                     ss: Vec<ProfileSetting>,
                     from: Option<&str>| {
        for mut f in fs {
            if f.from.is_none() {
                f.from = from.map(str::to_owned);
            }
            match features.iter_mut().find(|g| g.name == f.name) {
                Some(g) => *g = f,
                None => features.push(f),
            }
        }
        for mut s in ss {
            if s.from.is_none() {
                s.from = from.map(str::to_owned);
            }
            match settings
                .iter_mut()
                .find(|t| t.group == s.group && t.key == s.key)
            {
                Some(t) => *t = s,
                None => settings.push(s),
            }
        }
    };
    for inc in &p.include {
        if stack.contains(inc) {
            return Err(problem(format!(
                "include cycle: {} -> {inc}",
                stack.join(" -> ")
            )));
        }
        let q = all.iter().find(|q| q.name == *inc).ok_or_else(|| {
            let known: Vec<&str> = all.iter().map(|q| q.name.as_str()).collect();
            problem(format!("profile {} includes unknown profile {inc:?}; known profiles: {}", p.name, known.join(", ")))
        })?;
        let (qf, qs) = match expanded.get(inc) {
            Some(e) => e.clone(),
            None => {
                stack.push(inc.clone());
                let e = expand(all, q, stack, expanded)?;
                stack.pop();
                expanded.insert(inc.clone(), e.clone());
                e
            }
        };
        merge(qf, qs, Some(&q.name));
    }
    merge(p.features.clone(), p.settings.clone(), None);
    Ok((features, settings))
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
                "e1000e-hang-safe-eee"
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
        let e = Profiles::load(&d).unwrap_err();
        assert!(e.to_string().contains("world-writable"), "{e}");
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o664))
            .unwrap();
        assert!(Profiles::load(&d)
            .unwrap_err()
            .to_string()
            .contains("group-writable"));
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
    fn not_owned_by_root_or_us_is_refused() {
        let d = tmpdir("own");
        let f = write(&d, "mine.toml", MINE, 0o644);
        std::os::unix::fs::chown(&f, Some(65534), Some(65534)).unwrap();
        let e = Profiles::load(&d).unwrap_err();
        assert!(e.to_string().contains("owned by uid 65534"), "{e}");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn taking_a_builtin_name_needs_replaces() {
        let d = tmpdir("rep");
        let text = "name = \"capture\"\nsummary = \"mine\"\n[features]\ngro = \"off\"\n";
        write(&d, "c.toml", text, 0o644);
        let e = Profiles::load(&d).unwrap_err();
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
        let e = Profiles::load(&d).unwrap_err();
        assert!(e.to_string().contains("include cycle"), "{e}");
        std::fs::remove_file(d.join("c.toml")).unwrap();
        std::fs::remove_file(d.join("d.toml")).unwrap();
        write(
            &d,
            "e.toml",
            "name = \"e\"\nsummary = \"s\"\ninclude = [\"nope\"]\n",
            0o644,
        );
        let e = Profiles::load(&d).unwrap_err();
        assert!(e.to_string().contains("unknown profile \"nope\""), "{e}");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn fuzz_repeated_includes_resolve_in_linear_time() {
        // fuzz target `profiles`: four files, each including the next 300
        // times (3.9 KB) — 27 million expansions, a libFuzzer timeout,
        // before each profile's expansion was kept
        let d = tmpdir("fuzz-incl");
        let names = ["a", "b", "c", "d"];
        for (i, n) in names.iter().enumerate() {
            let include = names.get(i + 1).map_or(String::new(), |next| {
                let one = format!("\"{next}\"");
                format!("include = [{}]\n", vec![one; 300].join(","))
            });
            let text = format!("name = \"{n}\"\nsummary = \"s\"\n{include}[features]\ngro = \"off\"\n");
            write(&d, &format!("p{i}.toml"), &text, 0o600);
        }
        let start = std::time::Instant::now();
        let all = Profiles::load(&d).unwrap();
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        let a = all.get("a").unwrap();
        assert_eq!(a.features.len(), 1);
        assert_eq!(a.features[0].from, None, "a's own gro wins");
        std::fs::remove_dir_all(&d).unwrap();
    }
}
