//! Nothing lost: before ethcfg changes interfaces it records the state it
//! is about to change, in a state directory ([`StateDir::DEFAULT`] unless
//! the caller says otherwise; the CLI honours `ETHCFG_STATE_DIR`), so `revert` can restore it and a
//! failed run can roll back. One file per network namespace holds the
//! records of all its interfaces, so a run over a thousand interfaces
//! writes one file before it sends anything and one after, not two per
//! interface. Writes are atomic (write, rename); one lock file serialises
//! concurrent runs.
//!
//! The file is one line per interface, made to be read by ethcfg and by
//! people (`A` = active, `R` = requested, before ethcfg's first change):
//!
//! ```text
//! # ethcfg state records v1: <ifname> <ifindex> <by> <created> <feature>=<A><R>... <group>/<key>=<value>...
//! eno1 2 e1000e-hang-safe 1795323749 tx-scatter-gather=11 rx-checksum=11 rings/rx=256 pause/rx=on
//! ```
//!
//! Settings other than features (rings, channels, coalesce, pause, eee,
//! private flags) are recorded as `<group>/<key>=<value>`, the value a
//! number or on/off: feature names never hold a `/`.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::ethtool::features::FeatureName;
use crate::ethtool::settings::{Group, Value};
use crate::host::HostRoot;

mod lock;

const HEADER: &str = "# ethcfg state records v1: <ifname> <ifindex> <by> <created> <feature>=<A><R>... <group>/<key>=<value>... (A: active, R: requested; as before ethcfg changed them)";

/// The state of one feature before ethcfg changed it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedFeature {
    /// Kernel name (shared with the run's feature table: a thousand
    /// interfaces' records are thirteen thousand of these).
    pub name: FeatureName,
    /// Active before.
    pub active: bool,
    /// Requested before — what revert asks for again.
    pub requested: bool,
}

impl RecordedFeature {
    /// A recorded feature state.
    pub fn new(
        name: impl Into<FeatureName>,
        active: bool,
        requested: bool,
    ) -> Self {
        RecordedFeature { name: name.into(), active, requested }
    }
}

/// The value of one setting before ethcfg changed it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedSetting {
    /// The group.
    pub group: Group,
    /// The key in it.
    pub key: String,
    /// The value before.
    pub value: Value,
}

impl RecordedSetting {
    /// A recorded setting.
    pub fn new(group: Group, key: impl Into<String>, value: Value) -> Self {
        RecordedSetting { group, key: key.into(), value }
    }
}

/// What ethcfg changed on one interface, and how it was before.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Record {
    /// Interface name.
    pub ifname: String,
    /// Interface index when recorded.
    pub ifindex: u32,
    /// What made the first change: a profile name, or `set`.
    pub by: String,
    /// Seconds since the epoch.
    pub created: u64,
    /// The features changed — requested ones and side effects — as they
    /// were before ethcfg's first recorded change.
    pub features: Vec<RecordedFeature>,
    /// The other settings changed, as they were before ethcfg's first
    /// recorded change.
    pub settings: Vec<RecordedSetting>,
}

impl Record {
    /// A new, empty record.
    pub fn new(ifname: &str, ifindex: u32, by: &str) -> Record {
        let created = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Record {
            ifname: ifname.to_owned(),
            ifindex,
            by: by.to_owned(),
            created,
            features: Vec::new(),
            settings: Vec::new(),
        }
    }

    /// Adds a feature's earlier state, unless an earlier one is recorded:
    /// the first state ethcfg saw is the one revert restores.
    pub fn keep_earliest(&mut self, f: RecordedFeature) {
        if !self.features.iter().any(|g| g.name == f.name) {
            self.features.push(f);
        }
    }

    /// Adds a setting's earlier value, unless an earlier one is recorded.
    pub fn keep_earliest_setting(&mut self, s: RecordedSetting) {
        if !self.settings.iter().any(|t| t.group == s.group && t.key == s.key) {
            self.settings.push(s);
        }
    }

    fn to_line(&self, out: &mut String) {
        use std::fmt::Write as _;
        // Pushed, not formatted: a run over a thousand interfaces writes
        // thirteen thousand of these words, twice.
        out.push_str(&self.ifname);
        out.push(' ');
        push_number(out, u64::from(self.ifindex));
        out.push(' ');
        out.push_str(&self.by);
        out.push(' ');
        push_number(out, self.created);
        for f in &self.features {
            out.push(' ');
            out.push_str(&f.name);
            out.push('=');
            out.push(if f.active { '1' } else { '0' });
            out.push(if f.requested { '1' } else { '0' });
        }
        for t in &self.settings {
            // Value prints a number or on/off.
            let _ = write!(out, " {}/{}={}", t.group, t.key, t.value);
        }
        out.push('\n');
    }

    fn from_line(line: &str) -> Option<Record> {
        let mut w = line.split_ascii_whitespace();
        let ifname = w.next()?.to_owned();
        let ifindex = w.next()?.parse().ok()?;
        let by = w.next()?.to_owned();
        let created = w.next()?.parse().ok()?;
        let mut features = Vec::new();
        let mut settings = Vec::new();
        for token in w {
            let (name, value) = token.rsplit_once('=')?;
            if name.is_empty() {
                return None;
            }
            if let Some((group, key)) = name.split_once('/') {
                let group =
                    Group::from_name(group).filter(|_| !key.is_empty())?;
                let value = match value {
                    "on" => Value::Bool(true),
                    "off" => Value::Bool(false),
                    n => Value::Num(n.parse().ok()?),
                };
                settings.push(RecordedSetting::new(group, key, value));
                continue;
            }
            let bit = |c: Option<char>| match c {
                Some('0') => Some(false),
                Some('1') => Some(true),
                _ => None,
            };
            let mut c = value.chars();
            let (active, requested) = (bit(c.next())?, bit(c.next())?);
            if c.next().is_some() {
                return None;
            }
            features.push(RecordedFeature::new(name, active, requested));
        }
        Some(Record { ifname, ifindex, by, created, features, settings })
    }
}

/// Appends `n` in decimal, without the formatting machinery (two numbers
/// per record line).
fn push_number(out: &mut String, n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        if let Some(d) = digits.get_mut(at) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || at == 0 {
            break;
        }
    }
    for &d in digits.get(at..).unwrap_or_default() {
        out.push(char::from(d));
    }
}

/// Every record of one network namespace, by interface name.
pub type Records = BTreeMap<String, Record>;

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

/// The inode of the calling thread's network namespace
/// (`/proc/thread-self/ns/net` of the live system is `net:[4026531840]`):
/// the namespace whose interfaces this thread's netlink sockets change.
fn netns_id() -> Option<u64> {
    let link = std::fs::read_link(
        Path::new(HostRoot::LIVE_DIR).join("proc/thread-self/ns/net"),
    )
    .ok()?;
    let s = link.to_str()?;
    s.strip_prefix("net:[")?.strip_suffix(']')?.parse().ok()
}

impl StateDir {
    /// Where records live unless the caller says otherwise (the CLI takes
    /// `ETHCFG_STATE_DIR` when it is set). A tmpfs: a reboot empties it,
    /// as it should, since the interfaces come back in their default state.
    pub const DEFAULT: &'static str = "/run/ethcfg";

    /// A state directory at `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        StateDir { dir: dir.into() }
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

    /// The records file of the calling thread's network namespace:
    /// interface names are per namespace, so containers sharing /run each
    /// have their own eth0.
    fn file(&self) -> PathBuf {
        match netns_id() {
            Some(ns) => self.dir.join(format!("records@netns{ns}")),
            None => self.dir.join("records"),
        }
    }

    /// Every record of this network namespace.
    ///
    /// # Errors
    /// [`Error::State`] when the file cannot be read or a line is damaged.
    pub fn load_all(&self) -> Result<Records> {
        Self::load_file(&self.file())
    }

    /// The record of `ifname` in the records file of any namespace (the
    /// first by file name): for a copy of another system's state
    /// directory, whose namespaces say nothing about the caller's.
    ///
    /// # Errors
    /// As [`StateDir::load_all`], for the files read.
    pub(crate) fn load_any_namespace(
        &self,
        ifname: &str,
    ) -> Result<Option<Record>> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                    n == "records"
                        || (n.starts_with("records@netns") && !n.contains('.'))
                })
            })
            .collect();
        files.sort();
        for f in files {
            if let Some(r) = Self::load_file(&f)?.remove(ifname) {
                return Ok(Some(r));
            }
        }
        Ok(None)
    }

    fn load_file(path: &Path) -> Result<Records> {
        let path = path.to_path_buf();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Records::new())
            }
            Err(e) => return Err(io(&path, "read the state records")(e)),
        };
        let mut out = Records::new();
        for (n, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let rec = Record::from_line(line).ok_or_else(|| Error::State {
                path: path.clone(),
                what: "parse the state records",
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("line {} is damaged", n + 1),
                ),
            })?;
            out.insert(rec.ifname.clone(), rec);
        }
        Ok(out)
    }

    /// The record of `ifname`, if there is one.
    ///
    /// # Errors
    /// As [`StateDir::load_all`].
    pub fn load(&self, ifname: &str) -> Result<Option<Record>> {
        Ok(self.load_all()?.remove(ifname))
    }

    /// Replaces every record of this namespace, atomically; no records
    /// removes the file.
    ///
    /// # Errors
    /// [`Error::State`].
    pub fn store_all(&self, records: &Records) -> Result<()> {
        let path = self.file();
        if records.is_empty() {
            return match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(io(&path, "remove the state records")(e))
                }
                _ => Ok(()),
            };
        }
        self.ensure()?;
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let f = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(io(&tmp, "write the state records"))?;
        // Written in 64 KiB pieces rather than built whole: a thousand
        // interfaces' records are ~400 KiB.
        let written = (|| -> std::io::Result<()> {
            let mut w = std::io::BufWriter::with_capacity(64 * 1024, f);
            let mut line = String::with_capacity(1024);
            w.write_all(HEADER.as_bytes())?;
            w.write_all(b"\n")?;
            for r in records.values() {
                line.clear();
                r.to_line(&mut line);
                w.write_all(line.as_bytes())?;
            }
            // No fsync: the rename makes the replacement atomic, and records
            // live in /run (tmpfs), which a reboot empties anyway — as it
            // should: the interfaces come back in their default state.
            w.into_inner().map_err(std::io::IntoInnerError::into_error)?;
            Ok(())
        })();
        written.map_err(io(&tmp, "write the state records"))?;
        std::fs::rename(&tmp, &path)
            .map_err(io(&path, "write the state records"))
    }

    /// Removes the record of `ifname` (no record is fine).
    ///
    /// # Errors
    /// [`Error::State`].
    pub fn remove(&self, ifname: &str) -> Result<()> {
        let mut all = self.load_all()?;
        if all.remove(ifname).is_some() {
            self.store_all(&all)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_load_keep_earliest_remove() {
        let d = std::env::temp_dir()
            .join(format!("ethcfg-state-{}", std::process::id()));
        let s = StateDir::new(&d);
        let _l = s.lock().unwrap();
        assert_eq!(s.load("eth0").unwrap(), None);
        let mut r = Record::new("eth0", 2, "set");
        r.keep_earliest(RecordedFeature::new("rx-gro", false, true));
        r.keep_earliest(RecordedFeature::new("rx-gro", true, true)); // later: ignored
        r.keep_earliest(RecordedFeature::new("tx-scatter-gather", true, false));
        r.keep_earliest_setting(RecordedSetting::new(
            Group::Rings,
            "rx",
            Value::Num(256),
        ));
        r.keep_earliest_setting(RecordedSetting::new(
            Group::Rings,
            "rx",
            Value::Num(4096),
        )); // later: ignored
        r.keep_earliest_setting(RecordedSetting::new(
            Group::PrivateFlags,
            "legacy-rx",
            Value::Bool(true),
        ));
        let mut all = Records::new();
        all.insert("eth0".into(), r.clone());
        let mut other = Record::new("br_lan.10", 9, "capture");
        other.keep_earliest(RecordedFeature::new(
            "rx-vlan-hw-parse",
            true,
            true,
        ));
        all.insert("br_lan.10".into(), other);
        s.store_all(&all).unwrap();
        assert_eq!(s.load_all().unwrap(), all);
        assert_eq!(s.load("eth0").unwrap().unwrap().features, r.features);
        s.remove("eth0").unwrap();
        assert_eq!(s.load("eth0").unwrap(), None);
        s.remove("br_lan.10").unwrap();
        assert!(!s.file().exists(), "no records, no file");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn another_systems_records_are_found_in_any_namespace() {
        let d = std::env::temp_dir()
            .join(format!("ethcfg-state-any-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        let line = |ifname: &str, by: &str| {
            let mut s = format!("{HEADER}\n");
            Record::new(ifname, 2, by).to_line(&mut s);
            s
        };
        std::fs::write(d.join("records@netns4026531840"), line("eno1", "a"))
            .unwrap();
        std::fs::write(d.join("records@netns4026532000"), line("eth0", "b"))
            .unwrap();
        // a write in progress is not a records file
        std::fs::write(
            d.join("records@netns4026532000.tmp9"),
            line("eno2", "c"),
        )
        .unwrap();
        let s = StateDir::new(&d);
        assert_eq!(s.load_any_namespace("eno1").unwrap().unwrap().by, "a");
        assert_eq!(s.load_any_namespace("eth0").unwrap().unwrap().by, "b");
        assert_eq!(s.load_any_namespace("eno2").unwrap(), None);
        assert_eq!(
            StateDir::new(d.join("missing"))
                .load_any_namespace("eno1")
                .unwrap(),
            None
        );
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn numbers_are_written_in_decimal() {
        for n in [0, 7, 10, 4_294_967_295, 1_795_323_749, u64::MAX] {
            let mut s = String::from("x");
            push_number(&mut s, n);
            assert_eq!(s, format!("x{n}"));
        }
    }

    #[test]
    fn a_damaged_file_is_an_error_naming_the_line() {
        let d = std::env::temp_dir()
            .join(format!("ethcfg-state-bad-{}", std::process::id()));
        let s = StateDir::new(&d);
        std::fs::create_dir_all(&d).unwrap();
        for bad in [
            "eth0 2 set",
            "eth0 x set 1",
            "eth0 2 set 1 rx-gro=2",
            "eth0 2 set 1 rx-gro=111",
            "eth0 2 set 1 =11",
            "\u{0}",
        ] {
            std::fs::write(s.file(), format!("{HEADER}\n{bad}\n")).unwrap();
            let e = s.load_all().unwrap_err();
            assert!(
                e.to_string().contains("line 2 is damaged"),
                "{bad:?}: {e}"
            );
        }
        std::fs::remove_dir_all(&d).unwrap();
    }
}
