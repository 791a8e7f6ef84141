//! The records journal, and the watcher's records kept in memory: what
//! makes a run over one interface cost the same whether the namespace has
//! one interface or a thousand.
//!
//! **The journal** (`records@cookie<N>.journal`, beside the base file) is
//! append-only: a head line naming the base file it goes over (its inode),
//! then one self-contained JSON line per changed record — the record as in
//! the base file, with its own feature table — or per removed one
//! (`"record":null`):
//!
//! ```text
//! {"format":"ethcfg-records-journal","version":1,"base":1234}
//! {"ifindex":7,"features":["tx-scatter-gather","rx-gro"],"record":{"ifname":"wb3",...,"features":"f9",...}}
//! {"ifindex":5,"record":null}
//! ```
//!
//! A run over at most [`JOURNAL_MAX_IFACES`] interfaces appends its lines
//! with one `write(2)` (`O_APPEND`) under the state lock, once the base
//! file is [`JOURNAL_FROM`] bytes or more (a smaller one is simply
//! rewritten: cheap, and one file stays easy to read). Readers apply the
//! lines over the base file in order; a last line without its `\n` (a
//! write cut short) is ignored, and cut off by the next append. Any
//! whole-file write ([`StateDir::store_all`]: a bulk run, `forget`,
//! `revert`) folds the journal in — writes the base, then removes the
//! journal — as does an append that would take the journal past the
//! larger of [`JOURNAL_COMPACT`] and the base file's size. A journal whose
//! head names another inode than the base file's (a run killed between
//! the two steps of a fold) is stale and ignored. The journal passes the
//! base file's checks: a regular file, opened `O_NOFOLLOW`, not writable
//! by others, at most [`super::MAX_RECORDS_BYTES`].
//!
//! **Kept in memory** ([`StateDir::cached`], for `ethcfg watch`): the
//! records, each kept as its encoded line against one feature table (a
//! few hundred bytes, not sixty decoded features), are revalidated per
//! run by `lstat` of the base file and the journal — device, inode, size,
//! times — rather than read again: a journal that grew is read from where
//! the cache stopped; anything else is read anew. A run then decodes only
//! the records of its interfaces.

use std::collections::BTreeMap;
use std::fs::{File, Metadata, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use serde::Deserialize;
use std::borrow::Cow;

use super::{
    feature_table, io, not_regular, open_regular, parse_records, unsafe_path,
    FeatureTable, NetnsId, Record, RecordV2, Records, StateDir,
    MAX_RECORDS_BYTES,
};
use crate::error::{Error, Result};
use crate::ethtool::features::FeatureName;

/// Runs over at most this many interfaces append to the journal; more
/// rewrite the base file (one write, whatever their number).
pub const JOURNAL_MAX_IFACES: usize = 16;
/// A base file smaller than this (about sixty interfaces' records) is
/// rewritten rather than journalled.
pub const JOURNAL_FROM: u64 = 16 * 1024;
/// A journal is folded into the base file when an append would take it
/// past this and past the base file's size: so a reader never reads more
/// than about twice the records, and a fold's cost spreads over the many
/// appends before it.
pub const JOURNAL_COMPACT: u64 = 128 * 1024;

const FORMAT: &str = "ethcfg-records-journal";
const VERSION: u32 = 1;

/// The journal of the base file at `base`.
pub(super) fn journal_path(base: &Path) -> PathBuf {
    let mut name = base.file_name().unwrap_or_default().to_owned();
    name.push(".journal");
    base.with_file_name(name)
}

/// The head line of a journal over the base file of inode `base`.
fn head_line(base: Option<u64>) -> Vec<u8> {
    let base = base.map_or_else(|| "null".to_owned(), |i| i.to_string());
    format!(
        "{{\"format\":\"{FORMAT}\",\"version\":{VERSION},\"base\":{base}}}\n"
    )
    .into_bytes()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Head<'a> {
    #[serde(borrow)]
    format: Cow<'a, str>,
    version: u32,
    base: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line<'a> {
    ifindex: u32,
    #[serde(borrow, default)]
    features: Vec<Cow<'a, str>>,
    #[serde(borrow)]
    record: Option<RecordV2<'a>>,
}

/// What a file was when read: a change of any of these is a write by
/// someone else (or a `chmod`/`chown`: `ctime`), so it is read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Fingerprint {
    dev: u64,
    ino: u64,
    size: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

impl Fingerprint {
    fn of(m: &Metadata) -> Self {
        Fingerprint {
            dev: m.dev(),
            ino: m.ino(),
            size: m.size(),
            mtime: (m.mtime(), m.mtime_nsec()),
            ctime: (m.ctime(), m.ctime_nsec()),
        }
    }
}

/// How far a journal was read.
#[derive(Debug, Clone)]
struct Seen {
    dev: u64,
    ino: u64,
    /// Its head line (empty: none whole yet).
    head: Vec<u8>,
    /// Bytes applied: up to the end of the last whole line.
    consumed: u64,
    /// Its size when read (a torn last line makes it more than
    /// `consumed`).
    size: u64,
    /// Its head names another base file: ignored.
    stale: bool,
}

/// A journal's changes: a record, or its removal.
type Changes = Vec<(u32, Option<Record>)>;

/// Parses the whole lines of `bytes` (which start at a line) into
/// `out`; returns the bytes used (up to the end of the last whole line).
fn parse_lines(
    bytes: &[u8],
    out: &mut Changes,
) -> std::result::Result<usize, String> {
    let mut used = 0;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        if line.last() != Some(&b'\n') {
            break; // cut short: ignored
        }
        let l: Line<'_> = serde_json::from_slice(line)
            .map_err(|e| format!("journal line at byte {used}: {e}"))?;
        let record = match l.record {
            None => None,
            Some(r) => {
                let table = feature_table(&l.features)?;
                let r = r.into_record(&table)?;
                if r.ifindex != l.ifindex {
                    return Err(format!(
                        "journal line at byte {used}: record of ifindex {} under {}",
                        r.ifindex, l.ifindex
                    ));
                }
                Some(r)
            }
        };
        out.push((l.ifindex, record));
        used += line.len();
    }
    Ok(used)
}

/// Reads a whole journal over the base file of inode `base`: its head and
/// changes (none when stale).
fn parse_journal(
    bytes: &[u8],
    base: Option<u64>,
    out: &mut Changes,
) -> std::result::Result<(Vec<u8>, usize, bool), String> {
    let Some(nl) = bytes.iter().position(|&b| b == b'\n') else {
        // Not even the head is whole: nothing was journalled.
        return Ok((Vec::new(), 0, true));
    };
    let head = bytes.get(..=nl).unwrap_or_default();
    let h: Head<'_> = serde_json::from_slice(head)
        .map_err(|e| format!("journal head: {e}"))?;
    if h.format != FORMAT || h.version != VERSION {
        return Err(format!(
            "not an ethcfg records journal of version {VERSION} ({:?} version {})",
            h.format, h.version
        ));
    }
    if h.base != base {
        return Ok((head.to_vec(), bytes.len(), true));
    }
    let used = parse_lines(bytes.get(nl + 1..).unwrap_or_default(), out)?;
    Ok((head.to_vec(), nl + 1 + used, false))
}

/// For fuzzing: a journal's bytes read as a run reads them (over a base
/// file of inode 1), and each record it leaves kept as the watcher keeps
/// it (encoded against one table) and read back: the same record.
#[cfg(feature = "fuzzing")]
pub(crate) fn fuzz(bytes: &[u8]) {
    let mut changes = Changes::new();
    let Ok((_, used, _)) = parse_journal(bytes, Some(1), &mut changes) else {
        return;
    };
    assert!(used <= bytes.len(), "used past the end");
    let mut records = Records::new();
    apply(&mut records, changes);
    let mut table = Table::default();
    for r in records.values() {
        table.grow(r);
    }
    for r in records.values() {
        let again = table.decode(&table.encode(r));
        assert_eq!(again.as_ref().ok(), Some(r), "kept and read back");
    }
}

fn apply(records: &mut Records, changes: Changes) {
    for (i, r) in changes {
        match r {
            Some(r) => records.insert(i, r),
            None => records.remove(&i),
        };
    }
}

/// Reads `f` (at `path`) whole, up to the size cap.
fn read_capped(f: File, path: &Path) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    f.take(MAX_RECORDS_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io(path, "read the state records"))?;
    if bytes.len() as u64 > MAX_RECORDS_BYTES {
        return Err(too_large(path));
    }
    Ok(bytes)
}

fn too_large(path: &Path) -> Error {
    unsafe_path(
        path,
        format!("it is larger than {MAX_RECORDS_BYTES} bytes, so not ethcfg's records"),
    )
}

fn damaged(path: &Path, m: String) -> Error {
    Error::State {
        path: path.to_path_buf(),
        what: "parse the state records",
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, m),
    }
}

/// A base file and its journal, read.
pub(super) struct Loaded {
    /// Whether either file was there.
    pub(super) found: bool,
    pub(super) records: Records,
    base: Option<Fingerprint>,
    journal: Option<Seen>,
}

/// Reads the base file at `path` and applies its journal.
pub(super) fn read_files(path: &Path) -> Result<Loaded> {
    // A reader without the lock (check, doctor, metrics) can open the base
    // file just before a fold replaces it and removes the journal: it then
    // has the old base without the lines folded in. Such a read is taken
    // again; a fold after the journal was opened is harmless (the old
    // journal goes with the old base).
    let mut tries = 0;
    loop {
        let loaded = read_once(path)?;
        let now = lstat(path)?.map(|m| m.ino());
        tries += 1;
        if now == loaded.base.map(|b| b.ino) || tries >= 5 {
            return Ok(loaded);
        }
    }
}

fn read_once(path: &Path) -> Result<Loaded> {
    let (mut records, base) = match open_regular(path)? {
        None => (Records::new(), None),
        Some(f) => {
            let m = f.metadata().map_err(io(path, "read the state records"))?;
            let bytes = read_capped(f, path)?;
            let r = parse_records(&bytes).map_err(|m| damaged(path, m))?;
            (r, Some(Fingerprint::of(&m)))
        }
    };
    let jpath = journal_path(path);
    let journal = match open_regular(&jpath)? {
        None => None,
        Some(f) => {
            let m =
                f.metadata().map_err(io(&jpath, "read the state records"))?;
            let bytes = read_capped(f, &jpath)?;
            let mut changes = Changes::new();
            let (head, consumed, stale) =
                parse_journal(&bytes, base.map(|b| b.ino), &mut changes)
                    .map_err(|m| damaged(&jpath, m))?;
            apply(&mut records, changes);
            Some(Seen {
                dev: m.dev(),
                ino: m.ino(),
                head,
                consumed: consumed as u64,
                size: bytes.len() as u64,
                stale,
            })
        }
    };
    Ok(Loaded {
        found: base.is_some() || journal.as_ref().is_some_and(|j| !j.stale),
        records,
        base,
        journal,
    })
}

/// `path`'s metadata, not following a symlink; `None` when there is none.
fn lstat(path: &Path) -> Result<Option<Metadata>> {
    match std::fs::symlink_metadata(path) {
        Ok(m) => Ok(Some(m)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(path, "read the state records")(e)),
    }
}

/// Whether `m` would pass [`open_regular`]'s checks.
fn trusted(m: &Metadata) -> bool {
    m.file_type().is_file()
        && crate::fs::untrusted(m, "state records file").is_none()
}

/// Where an append went.
struct Appended {
    dev: u64,
    ino: u64,
    /// The journal's size before (after cutting a torn line off).
    before: u64,
    after: u64,
    head: Vec<u8>,
}

/// Appends `lines` to the journal of the base file at `base` (inode
/// `base_ino`), starting a journal (or a stale one anew) with its head
/// and cutting off a torn last line first. `None`: the journal would pass
/// `limit` bytes; nothing was written, the caller folds it in instead.
fn append(
    base: &Path,
    base_ino: u64,
    lines: &[u8],
    limit: u64,
) -> Result<Option<Appended>> {
    let path = journal_path(base);
    let what = "write the state records";
    // O_NONBLOCK: a FIFO planted there is an error, never a hang.
    let f = match OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(&path)
    {
        Ok(f) => f,
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(unsafe_path(&path, "it is a symlink"))
        }
        Err(e) if e.raw_os_error() == Some(libc::ENXIO) => {
            return Err(unsafe_path(&path, "it is a FIFO, not a regular file"))
        }
        Err(e) => return Err(io(&path, what)(e)),
    };
    let m = f.metadata().map_err(io(&path, what))?;
    if !m.file_type().is_file() {
        return Err(unsafe_path(&path, not_regular(&m)));
    }
    if let Some(why) = crate::fs::untrusted(&m, "state records file") {
        return Err(unsafe_path(&path, why));
    }
    let head = head_line(Some(base_ino));
    let mut len = m.len();
    if len > MAX_RECORDS_BYTES {
        return Err(too_large(&path));
    }
    if len > 0 {
        let mut got = vec![0; head.len()];
        let ours = len >= head.len() as u64
            && f.read_exact_at(&mut got, 0).is_ok()
            && got == head;
        let mut last = [0u8];
        if !ours {
            // Stale (or its head cut short): started anew.
            f.set_len(0).map_err(io(&path, what))?;
            len = 0;
        } else if f.read_exact_at(&mut last, len - 1).is_ok() && last != [b'\n']
        {
            let mut all = Vec::new();
            (&f).take(MAX_RECORDS_BYTES)
                .read_to_end(&mut all)
                .map_err(io(&path, what))?;
            let keep = all
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p as u64 + 1);
            f.set_len(keep).map_err(io(&path, what))?;
            len = keep;
        }
    }
    let start = if len == 0 { head.len() as u64 } else { 0 };
    if len + start + lines.len() as u64 > limit {
        return Ok(None);
    }
    let mut buf = Vec::with_capacity(start as usize + lines.len());
    if len == 0 {
        buf.extend_from_slice(&head);
    }
    buf.extend_from_slice(lines);
    (&f).write_all(&buf).map_err(io(&path, what))?;
    Ok(Some(Appended {
        dev: m.dev(),
        ino: m.ino(),
        before: len,
        after: len + buf.len() as u64,
        head,
    }))
}

/// One journal line for `ifindex`: its record against `table` (given as
/// JSON and as positions), or its removal.
fn line(out: &mut Vec<u8>, ifindex: u32, record: Option<(&[u8], &[u8])>) {
    out.extend_from_slice(b"{\"ifindex\":");
    out.extend_from_slice(ifindex.to_string().as_bytes());
    match record {
        None => out.extend_from_slice(b",\"record\":null}\n"),
        Some((table, rec)) => {
            out.extend_from_slice(b",\"features\":");
            out.extend_from_slice(table);
            out.extend_from_slice(b",\"record\":");
            out.extend_from_slice(rec);
            out.extend_from_slice(b"}\n");
        }
    }
}

/// A feature table: names in order, shared by the records decoded
/// against it.
#[derive(Debug, Default)]
struct Table {
    names: Arc<Vec<FeatureName>>,
    json: Vec<u8>,
}

impl Table {
    /// Adds the names of `r` it lacks; the length before when it grew.
    fn grow(&mut self, r: &Record) -> Option<usize> {
        let before = self.names.len();
        for f in &r.features {
            if !self.names.iter().any(|n| n == &f.name) {
                Arc::make_mut(&mut self.names).push(f.name.clone());
            }
        }
        let grew = self.names.len() > before;
        if grew || self.json.is_empty() {
            let names: Vec<&str> =
                self.names.iter().map(|n| n.as_str()).collect();
            self.json = serde_json::to_vec(&names).unwrap_or_default();
        }
        grew.then_some(before)
    }

    fn encode(&self, r: &Record) -> Box<[u8]> {
        let table = FeatureTable::over(
            self.names.iter().map(|n| n.as_str()).collect(),
            r,
        );
        serde_json::to_vec(&RecordV2::new(r, &table))
            .unwrap_or_default()
            .into_boxed_slice()
    }

    fn decode(&self, bytes: &[u8]) -> std::result::Result<Record, String> {
        let v: RecordV2<'_> =
            serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        v.into_record(&self.names)
    }
}

/// One namespace's records, kept between runs (see the module doc).
#[derive(Debug, Default)]
pub(super) struct Cache {
    valid: bool,
    base: Option<Fingerprint>,
    journal: Option<Seen>,
    table: Table,
    /// Each record encoded against `table`.
    records: BTreeMap<u32, Box<[u8]>>,
}

impl Cache {
    fn put(&mut self, r: &Record) {
        if let Some(before) = self.table.grow(r) {
            if !self.records.is_empty() {
                // A new feature name: every record is encoded again
                // against the longer table (rare: a new driver's).
                let short = Table {
                    names: Arc::new(
                        self.table.names.iter().take(before).cloned().collect(),
                    ),
                    json: Vec::new(),
                };
                let old = std::mem::take(&mut self.records);
                for (i, bytes) in old {
                    if let Ok(rec) = short.decode(&bytes) {
                        self.records.insert(i, self.table.encode(&rec));
                    }
                }
            }
        }
        self.records.insert(r.ifindex, self.table.encode(r));
    }

    fn fill(&mut self, loaded: Loaded) {
        self.table = Table::default();
        self.records.clear();
        for r in loaded.records.values() {
            self.put(r);
        }
        self.base = loaded.base;
        self.journal = loaded.journal;
        self.valid = true;
    }

    fn get(&self, ifindex: u32) -> Result<Option<Record>> {
        let Some(bytes) = self.records.get(&ifindex) else { return Ok(None) };
        self.table.decode(bytes).map(Some).map_err(|m| Error::State {
            path: PathBuf::new(),
            what: "read the state records kept in memory",
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, m),
        })
    }
}

/// The namespace's files and records, shared by a [`StateDir`]'s clones.
#[derive(Debug, Default)]
pub(super) struct Kept {
    /// The namespace's files, found once: the process stays in its
    /// namespace.
    files: OnceLock<(PathBuf, Option<NetnsId>, Option<PathBuf>)>,
    records: Mutex<Cache>,
}

pub(super) type Shared = Arc<Kept>;

fn lock(c: &Shared) -> MutexGuard<'_, Cache> {
    c.records.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl StateDir {
    /// This state directory, keeping its namespace's records in memory
    /// between runs (for a long-running process such as `ethcfg watch`,
    /// which stays in one network namespace): a run over a few interfaces
    /// then neither reads nor writes the others' records (see
    /// `state/journal.rs`).
    #[must_use]
    pub fn cached(mut self) -> Self {
        self.cache = Some(Shared::default());
        self
    }

    /// The namespace's files, once per cache.
    pub(super) fn files_cached(
        &self,
    ) -> (PathBuf, Option<NetnsId>, Option<PathBuf>) {
        match &self.cache {
            Some(c) => c.files.get_or_init(|| self.files()).clone(),
            None => self.files(),
        }
    }

    /// The records of `ifindexes` — at least: all of them unless this
    /// directory keeps them in memory and the run is small. The caller
    /// holds the state lock when it goes on to [`StateDir::store_for`].
    ///
    /// # Errors
    /// As [`StateDir::load_all`].
    pub fn load_for(&self, ifindexes: &[u32]) -> Result<Records> {
        let Some(cache) = &self.cache else { return self.load_all() };
        let (path, id, _) = self.files_cached();
        if ifindexes.len() > JOURNAL_MAX_IFACES
            || !matches!(id, Some(NetnsId::Cookie(_)))
        {
            return self.load_all();
        }
        if !self.path().exists() {
            return Ok(Records::new());
        }
        self.check_dir()?;
        let mut c = lock(cache);
        refresh(&mut c, &path)?;
        let mut out = Records::new();
        for &i in ifindexes {
            if let Some(r) = c.get(i)? {
                out.insert(i, r);
            }
        }
        Ok(out)
    }

    /// Stores what [`StateDir::load_for`] gave for `ifindexes` (as changed
    /// since): their records become those of `records` (absent: removed),
    /// the others stay. A small run appends to the journal; any other
    /// writes the whole file.
    ///
    /// # Errors
    /// As [`StateDir::store_all`].
    pub fn store_for(
        &self,
        records: &Records,
        ifindexes: &[u32],
    ) -> Result<()> {
        let (path, id, legacy) = self.files_cached();
        let small = ifindexes.len() <= JOURNAL_MAX_IFACES
            && matches!(id, Some(NetnsId::Cookie(_)))
            && match legacy.filter(|l| *l != path) {
                Some(l) => lstat(&l)?.is_none(),
                None => true,
            };
        if !small {
            return self.store_all(records);
        }
        let Some(cache) = &self.cache else {
            // `records` holds every record: load_for read them all.
            let base = lstat(&path)?;
            let Some(base) =
                base.filter(|m| trusted(m) && m.len() >= JOURNAL_FROM)
            else {
                return self.store_all(records);
            };
            if records.is_empty() {
                return self.store_all(records);
            }
            let mut lines = Vec::new();
            for &i in ifindexes {
                match records.get(&i) {
                    None => line(&mut lines, i, None),
                    Some(r) => {
                        let mut t = Table::default();
                        t.grow(r);
                        let rec = t.encode(r);
                        line(&mut lines, i, Some((&t.json, &rec)));
                    }
                }
            }
            let limit = JOURNAL_COMPACT.max(base.len());
            return match append(&path, base.ino(), &lines, limit)? {
                Some(_) => Ok(()),
                None => self.store_all(records),
            };
        };
        self.ensure()?;
        let mut c = lock(cache);
        let r = store_cached(self, &mut c, &path, records, ifindexes);
        if r.is_err() {
            c.valid = false;
        }
        r
    }
}

/// Brings the cache up to date with the files at `path`.
fn refresh(c: &mut Cache, path: &Path) -> Result<()> {
    let jpath = journal_path(path);
    let base = lstat(path)?;
    let journal = lstat(&jpath)?;
    let base_fp = base.as_ref().map(Fingerprint::of);
    let trusted_all = base.as_ref().is_none_or(trusted)
        && journal.as_ref().is_none_or(trusted);
    if c.valid && trusted_all && c.base == base_fp {
        match (&c.journal, &journal) {
            (None, None) => return Ok(()),
            (Some(j), Some(m)) if j.dev == m.dev() && j.ino == m.ino() => {
                if m.len() == j.size {
                    return Ok(());
                }
                if m.len() > j.size && !j.stale && !j.head.is_empty() {
                    if let Some(()) = read_on(c, &jpath)? {
                        return Ok(());
                    }
                }
            }
            _ => {}
        }
    }
    let loaded = read_files(path)?;
    c.fill(loaded);
    Ok(())
}

/// Reads what was appended to the journal since the cache read it;
/// `None` when it is not the journal read before.
fn read_on(c: &mut Cache, jpath: &Path) -> Result<Option<()>> {
    let Some(j) = c.journal.clone() else { return Ok(None) };
    let Some(f) = open_regular(jpath)? else { return Ok(None) };
    let m = f.metadata().map_err(io(jpath, "read the state records"))?;
    if m.dev() != j.dev || m.ino() != j.ino || m.len() < j.consumed {
        return Ok(None);
    }
    let mut head = vec![0; j.head.len()];
    if f.read_exact_at(&mut head, 0).is_err() || head != j.head {
        return Ok(None);
    }
    let want = m.len() - j.consumed;
    if want > MAX_RECORDS_BYTES {
        return Err(too_large(jpath));
    }
    let mut bytes = vec![0; usize::try_from(want).unwrap_or(0)];
    f.read_exact_at(&mut bytes, j.consumed)
        .map_err(io(jpath, "read the state records"))?;
    let mut changes = Changes::new();
    let used =
        parse_lines(&bytes, &mut changes).map_err(|m| damaged(jpath, m))?;
    for (i, r) in changes {
        match r {
            Some(r) => c.put(&r),
            None => {
                c.records.remove(&i);
            }
        }
    }
    if let Some(s) = c.journal.as_mut() {
        s.consumed = j.consumed + used as u64;
        s.size = m.len();
    }
    Ok(Some(()))
}

fn store_cached(
    dir: &StateDir,
    c: &mut Cache,
    path: &Path,
    records: &Records,
    ifindexes: &[u32],
) -> Result<()> {
    refresh(c, path)?;
    for &i in ifindexes {
        match records.get(&i) {
            Some(r) => c.put(r),
            None => {
                c.records.remove(&i);
            }
        }
    }
    let base = c.base.filter(|b| b.size >= JOURNAL_FROM);
    if let Some(base) = base.filter(|_| !c.records.is_empty()) {
        let mut lines = Vec::new();
        for &i in ifindexes {
            let rec =
                c.records.get(&i).map(|b| (c.table.json.as_slice(), &**b));
            line(&mut lines, i, rec);
        }
        let limit = JOURNAL_COMPACT.max(base.size);
        if let Some(a) = append(path, base.ino, &lines, limit)? {
            match c.journal.as_mut() {
                Some(j)
                    if j.dev == a.dev
                        && j.ino == a.ino
                        && !j.stale
                        && j.size == a.before
                        && j.consumed == a.before =>
                {
                    j.consumed = a.after;
                    j.size = a.after;
                }
                _ if a.before == 0 => {
                    c.journal = Some(Seen {
                        dev: a.dev,
                        ino: a.ino,
                        head: a.head,
                        consumed: a.after,
                        size: a.after,
                        stale: false,
                    });
                }
                _ => c.valid = false,
            }
            return Ok(());
        }
    }
    // Folded: the whole file written from the records in memory as they
    // are (encoded against one table, as the file wants them), without
    // decoding a thousand records for it.
    if c.records.is_empty() {
        dir.store_all(&Records::new())?;
    } else {
        let id = dir.files_cached().1;
        dir.replace_records(|w| {
            w.write_all(
                b"{\"format\":\"ethcfg-records\",\"version\":2,\"netns\":",
            )?;
            serde_json::to_writer(&mut *w, &id)?;
            w.write_all(b",\n\"features\":")?;
            w.write_all(&c.table.json)?;
            w.write_all(b",\n\"records\":[")?;
            for (i, r) in c.records.values().enumerate() {
                w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
                w.write_all(r)?;
            }
            w.write_all(b"\n]}\n")
        })?;
    }
    c.base = lstat(path)?.as_ref().map(Fingerprint::of);
    c.journal = None;
    c.valid = true;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::RecordedFeature;
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn fresh(tag: &str) -> (PathBuf, StateDir) {
        let d = std::env::temp_dir()
            .join(format!("ethcfg-journal-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700))
            .unwrap();
        let s = StateDir::new(&d);
        (d, s)
    }

    fn record(i: u32, by: &str) -> Record {
        let mut r = Record::new(&format!("wb{i}"), i, by);
        for f in 0..60 {
            r.keep_earliest(RecordedFeature::new(
                format!("feature-{f}").as_str(),
                f % 2 == 0,
                f % 3 == 0,
            ));
        }
        r
    }

    /// Enough records for a base file past [`JOURNAL_FROM`].
    fn many() -> Records {
        (1..=120).map(|i| (i, record(i, "bulk"))).collect()
    }

    fn journal(s: &StateDir) -> PathBuf {
        journal_path(&s.file())
    }

    #[test]
    fn a_small_run_appends_and_readers_apply_it_over_the_base() {
        let (d, s) = fresh("append");
        let mut all = many();
        s.store_all(&all).unwrap();
        assert!(std::fs::metadata(s.file()).unwrap().len() >= JOURNAL_FROM);
        let base = std::fs::read(s.file()).unwrap();
        all.insert(7, record(7, "changed"));
        all.remove(&9);
        s.store_for(&all, &[7, 9]).unwrap();
        assert_eq!(std::fs::read(s.file()).unwrap(), base, "base untouched");
        let j = std::fs::read_to_string(journal(&s)).unwrap();
        assert_eq!(j.lines().count(), 3, "head and two lines: {j}");
        assert!(j.contains("\"record\":null"), "{j}");
        assert_eq!(s.load_all().unwrap(), all);
        assert_eq!(
            std::fs::metadata(journal(&s)).unwrap().permissions().mode()
                & 0o777,
            0o600
        );
        // A whole-file write folds the journal in.
        s.store_all(&all).unwrap();
        assert!(!journal(&s).exists());
        assert_eq!(s.load_all().unwrap(), all);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_small_base_is_rewritten_not_journalled() {
        let (d, s) = fresh("small");
        let mut all: Records = (1..=3).map(|i| (i, record(i, "x"))).collect();
        s.store_all(&all).unwrap();
        all.insert(2, record(2, "y"));
        s.store_for(&all, &[2]).unwrap();
        assert!(!journal(&s).exists());
        assert_eq!(s.load_all().unwrap(), all);
        // Everything gone: no file left.
        s.store_for(&Records::new(), &[1, 2, 3]).unwrap();
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 0);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_torn_last_line_is_ignored_and_cut_off_by_the_next_append() {
        let (d, s) = fresh("torn");
        let mut all = many();
        s.store_all(&all).unwrap();
        all.insert(3, record(3, "first"));
        s.store_for(&all, &[3]).unwrap();
        let whole = all.clone();
        // A write cut short: half a line, no newline.
        let mut f = OpenOptions::new().append(true).open(journal(&s)).unwrap();
        f.write_all(b"{\"ifindex\":4,\"features\":[\"feat").unwrap();
        drop(f);
        assert_eq!(s.load_all().unwrap(), whole);
        let cached = StateDir::new(&d).cached();
        assert_eq!(cached.load_for(&[3]).unwrap().get(&3), whole.get(&3));
        all.insert(5, record(5, "after"));
        s.store_for(&all, &[5]).unwrap();
        let j = std::fs::read_to_string(journal(&s)).unwrap();
        assert!(!j.contains("feat\""), "torn part cut: {j}");
        assert!(j.ends_with('\n'));
        assert_eq!(s.load_all().unwrap(), all);
        assert_eq!(cached.load_for(&[5]).unwrap().get(&5), all.get(&5));
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn the_journal_is_folded_in_when_it_grows_past_the_base() {
        let (d, s) = fresh("fold");
        let mut all = many();
        s.store_all(&all).unwrap();
        let mut folded = false;
        for n in 0..400 {
            let i = 1 + n % 120;
            all.insert(i, record(i, &format!("run{n}")));
            s.store_for(&all, &[i]).unwrap();
            let j =
                std::fs::metadata(journal(&s)).map(|m| m.len()).unwrap_or(0);
            assert!(
                j <= JOURNAL_COMPACT
                    .max(std::fs::metadata(s.file()).unwrap().len())
            );
            folded |= j == 0;
        }
        assert!(folded, "the journal was folded in at least once");
        assert_eq!(s.load_all().unwrap(), all);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn kept_records_fold_the_journal_from_memory() {
        let (d, s) = fresh("fold-kept");
        let watch = StateDir::new(&d).cached();
        let mut all = many();
        s.store_all(&all).unwrap();
        let mut folded = 0;
        for n in 0..400 {
            let i = 1 + n % 130;
            let mut mine = watch.load_for(&[i]).unwrap();
            assert_eq!(mine.get(&i), all.get(&i));
            let r = record(i, &format!("watch{n}"));
            mine.insert(i, r.clone());
            watch.store_for(&mine, &[i]).unwrap();
            all.insert(i, r);
            folded += usize::from(!journal(&s).exists());
        }
        assert!(folded > 0, "folded at least once");
        assert_eq!(s.load_all().unwrap(), all);
        // Folded once more: the base alone holds them all.
        let mut mine = watch.load_for(&[1]).unwrap();
        mine.remove(&1);
        all.remove(&1);
        s.store_all(&s.load_all().unwrap()).unwrap();
        watch.store_for(&mine, &[1]).unwrap();
        assert_eq!(s.load_all().unwrap(), all);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn kept_records_see_other_writers_and_they_see_its_writes() {
        let (d, s) = fresh("kept");
        let watch = StateDir::new(&d).cached();
        let mut all = many();
        s.store_all(&all).unwrap();
        assert_eq!(watch.load_for(&[1]).unwrap().get(&1), all.get(&1));
        // The watcher's write, read by another run.
        let mut mine = watch.load_for(&[8]).unwrap();
        let r = record(8, "watch");
        mine.insert(8, r.clone());
        watch.store_for(&mine, &[8]).unwrap();
        all.insert(8, r);
        assert_eq!(s.load_all().unwrap(), all);
        // Another run's append, read on from where the watcher stopped.
        all.insert(9, record(9, "cli"));
        s.store_for(&all, &[9]).unwrap();
        assert_eq!(watch.load_for(&[9, 8]).unwrap().get(&9), all.get(&9));
        assert_eq!(watch.load_for(&[8]).unwrap().get(&8), all.get(&8));
        // Another run's whole-file write.
        all.insert(10, record(10, "bulk again"));
        all.remove(&11);
        s.store_all(&all).unwrap();
        let got = watch.load_for(&[10, 11]).unwrap();
        assert_eq!(got.get(&10), all.get(&10));
        assert_eq!(got.get(&11), None);
        // A new feature name grows the watcher's table.
        let mut r = record(12, "new feature");
        r.keep_earliest(RecordedFeature::new("brand-new", true, true));
        let mut mine = watch.load_for(&[12]).unwrap();
        mine.insert(12, r.clone());
        watch.store_for(&mine, &[12]).unwrap();
        all.insert(12, r);
        assert_eq!(s.load_all().unwrap(), all);
        assert_eq!(watch.load_for(&[12, 1]).unwrap().get(&1), all.get(&1));
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_stale_journal_is_ignored_and_started_anew() {
        let (d, s) = fresh("stale");
        let mut all = many();
        s.store_all(&all).unwrap();
        let old = all.clone();
        all.insert(2, record(2, "journalled"));
        s.store_for(&all, &[2]).unwrap();
        let j = std::fs::read(journal(&s)).unwrap();
        // A fold killed between writing the base and removing the
        // journal: the base is new, the journal names the old one.
        s.store_all(&old).unwrap();
        std::fs::write(journal(&s), &j).unwrap();
        std::fs::set_permissions(
            journal(&s),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
        assert_eq!(s.load_all().unwrap(), old, "stale lines not applied");
        let mut now = old.clone();
        now.insert(4, record(4, "fresh"));
        s.store_for(&now, &[4]).unwrap();
        let j = std::fs::read_to_string(journal(&s)).unwrap();
        assert_eq!(j.lines().count(), 2, "started anew: {j}");
        assert_eq!(s.load_all().unwrap(), now);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn an_unsafe_journal_is_refused_like_the_base_file() {
        let (d, s) = fresh("unsafe");
        let mut all = many();
        s.store_all(&all).unwrap();
        all.insert(2, record(2, "j"));
        // Writable by others.
        s.store_for(&all, &[2]).unwrap();
        std::fs::set_permissions(
            journal(&s),
            std::fs::Permissions::from_mode(0o666),
        )
        .unwrap();
        let e = s.load_all().unwrap_err();
        assert!(matches!(e, Error::StateUnsafe { .. }), "{e}");
        let e = StateDir::new(&d).cached().load_for(&[2]).unwrap_err();
        assert!(matches!(e, Error::StateUnsafe { .. }), "{e}");
        assert!(s.store_for(&all, &[2]).is_err());
        std::fs::remove_file(journal(&s)).unwrap();
        // A symlink: refused, its target untouched.
        let target = d.with_extension("target");
        std::fs::write(&target, "precious").unwrap();
        std::os::unix::fs::symlink(&target, journal(&s)).unwrap();
        let e = s.load_all().unwrap_err();
        assert!(e.to_string().contains("symlink"), "{e}");
        let e = s.store_for(&all, &[2]).unwrap_err();
        assert!(e.to_string().contains("symlink"), "{e}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
        std::fs::remove_file(journal(&s)).unwrap();
        std::fs::remove_file(&target).unwrap();
        // A FIFO: an error, never a hang.
        let ok = std::process::Command::new("mkfifo")
            .arg(journal(&s))
            .status()
            .unwrap()
            .success();
        assert!(ok);
        assert!(s.load_all().is_err());
        assert!(s.store_for(&all, &[2]).is_err());
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_damaged_journal_line_is_an_error_not_a_panic() {
        let (d, s) = fresh("damaged");
        let all = many();
        s.store_all(&all).unwrap();
        let ino = std::fs::metadata(s.file()).unwrap().ino();
        let mut bytes = head_line(Some(ino));
        bytes.extend_from_slice(
            b"{\"ifindex\":1,\"record\":{\"nonsense\":1}}\n",
        );
        std::fs::write(journal(&s), &bytes).unwrap();
        std::fs::set_permissions(
            journal(&s),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
        let e = s.load_all().unwrap_err();
        assert!(matches!(e, Error::State { .. }), "{e}");
        std::fs::remove_dir_all(&d).unwrap();
    }
}
