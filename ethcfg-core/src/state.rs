//! Nothing lost: before ethcfg changes an interface it records the state
//! it is about to change, in a state directory (`/run/ethcfg` unless
//! `ETHCFG_STATE_DIR` says otherwise), so `revert` can restore it and a
//! failed run can roll back. Records are written atomically (write, fsync,
//! rename); one lock file serialises concurrent runs.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::Features;

/// Where records live unless `ETHCFG_STATE_DIR` says otherwise.
pub const DEFAULT_STATE_DIR: &str = "/run/ethcfg";

/// The pre-change state of one feature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecordedFeature {
    /// Kernel name.
    pub name: String,
    /// Active before.
    pub active: bool,
    /// Requested before — what revert asks for again.
    pub requested: bool,
}

/// What ethcfg changed on one interface, and how it was before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Record {
    /// Interface name.
    pub ifname: String,
    /// Interface index when recorded.
    pub ifindex: u32,
    /// What made the change: a profile name, or `set`.
    pub by: String,
    /// Seconds since the epoch.
    pub created: u64,
    /// The features changed (requested and side effects), as they were
    /// before the first recorded change.
    pub features: Vec<RecordedFeature>,
}

impl Record {
    /// A record of every changeable feature of `before` (trimmed to what
    /// really changed once the change is done).
    pub(crate) fn snapshot(before: &Features, by: &str) -> Record {
        let created = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Record {
            ifname: before.ifname.clone(),
            ifindex: before.ifindex,
            by: by.to_owned(),
            created,
            features: before
                .iter()
                .filter(|f| !f.fixed)
                .map(|f| RecordedFeature {
                    name: f.name.clone(),
                    active: f.active,
                    requested: f.requested,
                })
                .collect(),
        }
    }

    /// Keeps the earliest known state: features already in `older` keep
    /// their recorded state; new ones are added from `self`.
    pub(crate) fn merged_into(self, older: Option<&Record>) -> Record {
        let Some(older) = older else { return self };
        let mut out = older.clone();
        for f in self.features {
            if !out.features.iter().any(|g| g.name == f.name) {
                out.features.push(f);
            }
        }
        out
    }

    /// Keeps only the named features.
    pub(crate) fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        self.features.retain(|f| keep(&f.name));
    }
}

/// The inode of the calling thread's network namespace
/// (`/proc/thread-self/ns/net` is `net:[4026531840]`).
fn netns_id() -> Option<u64> {
    let link = std::fs::read_link("/proc/thread-self/ns/net").ok()?;
    let s = link.to_str()?;
    s.strip_prefix("net:[")?.strip_suffix(']')?.parse().ok()
}

/// The state directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateDir {
    dir: PathBuf,
}

/// Holds the state directory's lock; dropping it unlocks.
#[derive(Debug)]
pub struct StateLock {
    _file: File,
}

fn io(path: &Path, what: &'static str) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::State { path, what, source }
}

impl StateDir {
    /// A state directory at `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        StateDir { dir: dir.into() }
    }

    /// `ETHCFG_STATE_DIR`, or `/run/ethcfg`.
    pub fn from_env() -> Self {
        Self::new(
            std::env::var_os("ETHCFG_STATE_DIR").map_or_else(
                || PathBuf::from(DEFAULT_STATE_DIR),
                PathBuf::from,
            ),
        )
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    fn ensure(&self) -> Result<()> {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)
            .map_err(io(&self.dir, "create the state directory"))
    }

    /// Takes the lock, waiting for any other ethcfg run that holds it.
    ///
    /// # Errors
    /// [`Error::State`] when the directory or lock file cannot be made.
    pub fn lock(&self) -> Result<StateLock> {
        let denied = |e: &Error| match e {
            Error::State { source, .. } => {
                source.kind() == std::io::ErrorKind::PermissionDenied
            }
            _ => false,
        };
        self.lock_inner().map_err(|e| {
            if denied(&e) {
                Error::StateNotWritable { path: self.dir.clone() }
            } else {
                e
            }
        })
    }

    fn lock_inner(&self) -> Result<StateLock> {
        self.ensure()?;
        let path = self.dir.join("lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&path)
            .map_err(io(&path, "open the lock file"))?;
        file.lock().map_err(io(&path, "lock the state directory"))?;
        Ok(StateLock { _file: file })
    }

    fn file(&self, ifname: &str) -> PathBuf {
        // Interface names never hold '/', and IfaceRef rejects them; the
        // prefix keeps the lock and temporary files apart. Names are per
        // network namespace, so records are too: containers sharing /run
        // each have their own eth0.
        match netns_id() {
            Some(ns) => self.dir.join(format!("iface-{ifname}@netns{ns}.toml")),
            None => self.dir.join(format!("iface-{ifname}.toml")),
        }
    }

    /// The record of `ifname`, if there is one.
    ///
    /// # Errors
    /// [`Error::State`] when it cannot be read or parsed.
    pub fn load(&self, ifname: &str) -> Result<Option<Record>> {
        let path = self.file(ifname);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(None)
            }
            Err(e) => return Err(io(&path, "read the state record")(e)),
        };
        toml::from_str(&text).map(Some).map_err(|e| Error::State {
            path: path.clone(),
            what: "parse the state record",
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                e.to_string(),
            ),
        })
    }

    /// Writes `rec` atomically.
    ///
    /// # Errors
    /// [`Error::State`].
    pub fn store(&self, rec: &Record) -> Result<()> {
        self.ensure()?;
        let path = self.file(&rec.ifname);
        let tmp =
            self.dir.join(format!(".{}.{}", rec.ifname, std::process::id()));
        let text = toml::to_string(rec).map_err(|e| Error::State {
            path: path.clone(),
            what: "encode the state record",
            source: std::io::Error::other(e.to_string()),
        })?;
        let mut f = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(io(&tmp, "write the state record"))?;
        // No fsync: the rename makes the replacement atomic, and records live
        // in /run (tmpfs), which a reboot empties anyway — as it should, the
        // interfaces come back in their default state.
        f.write_all(text.as_bytes())
            .map_err(io(&tmp, "write the state record"))?;
        std::fs::rename(&tmp, &path)
            .map_err(io(&path, "write the state record"))
    }

    /// Puts a record back as it was (or removes it, for `None`).
    ///
    /// # Errors
    /// [`Error::State`].
    pub fn restore(&self, ifname: &str, rec: Option<&Record>) -> Result<()> {
        match rec {
            Some(r) => self.store(r),
            None => self.remove(ifname),
        }
    }

    /// Removes the record of `ifname` (no record is fine).
    ///
    /// # Errors
    /// [`Error::State`].
    pub fn remove(&self, ifname: &str) -> Result<()> {
        let path = self.file(ifname);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(io(&path, "remove the state record")(e))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_load_merge_remove() {
        let d = std::env::temp_dir()
            .join(format!("ethcfg-state-{}", std::process::id()));
        let s = StateDir::new(&d);
        let _l = s.lock().unwrap();
        assert_eq!(s.load("eth0").unwrap(), None);
        let f = |n: &str, a| RecordedFeature {
            name: n.into(),
            active: a,
            requested: a,
        };
        let old = Record {
            ifname: "eth0".into(),
            ifindex: 2,
            by: "set".into(),
            created: 1,
            features: vec![f("rx-gro", false)],
        };
        s.store(&old).unwrap();
        assert_eq!(s.load("eth0").unwrap().as_ref(), Some(&old));
        let new = Record {
            features: vec![f("rx-gro", true), f("rx-lro", true)],
            ..old.clone()
        };
        let m = new.merged_into(Some(&old));
        assert_eq!(m.features, vec![f("rx-gro", false), f("rx-lro", true)]);
        s.restore("eth0", None).unwrap();
        assert_eq!(s.load("eth0").unwrap(), None);
        std::fs::write(s.file("bad"), "not = [toml").unwrap();
        assert!(matches!(s.load("bad"), Err(Error::State { .. })));
        std::fs::remove_dir_all(&d).unwrap();
    }
}
