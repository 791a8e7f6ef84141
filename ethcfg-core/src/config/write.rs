//! Editing the config file without losing what the admin wrote: the file
//! is read as a `toml_edit` document (comments, blank lines and order
//! kept), `[[bind]]` tables are appended or removed, and the result
//! replaces the file atomically (a temporary file in the same directory,
//! synced, then renamed over it). A symbolic link, or a file or directory
//! someone other than root (or the user) could write, is refused, as for
//! profiles (`crate::fs`).

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table};

/// The config file cannot be read, parsed or written.
#[derive(Debug, thiserror::Error)]
#[error("{}: {reason}", path.display())]
#[non_exhaustive]
pub struct WriteError {
    /// The config file.
    pub path: PathBuf,
    /// What went wrong.
    pub reason: String,
}

fn err(path: &Path, reason: impl Into<String>) -> WriteError {
    WriteError { path: path.to_path_buf(), reason: reason.into() }
}

/// The most a config file may hold.
const CAP: u64 = crate::fs::PROFILE_CAP;

/// The config file as a document; a missing file is an empty one.
///
/// # Errors
/// A file that is a symbolic link, untrusted, not a regular file, too
/// large, not UTF-8 or not TOML.
pub fn load(path: &Path) -> Result<DocumentMut, WriteError> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(DocumentMut::new())
        }
        _ => {}
    }
    let bytes = crate::fs::read_trusted(path, "config file", CAP)
        .map_err(|r| err(path, r))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| err(path, format!("not UTF-8: {e}")))?;
    text.parse::<DocumentMut>().map_err(|e| err(path, format!("not TOML: {e}")))
}

/// Appends `tables` as `[[bind]]` tables after those already there.
///
/// # Errors
/// When `bind` exists and is not an array of tables (`bind = 1`).
pub fn append_binds(
    doc: &mut DocumentMut,
    tables: impl IntoIterator<Item = Table>,
) -> Result<(), String> {
    let item =
        doc.entry("bind").or_insert(Item::ArrayOfTables(ArrayOfTables::new()));
    let Some(arr) = item.as_array_of_tables_mut() else {
        return Err("`bind` is not a list of [[bind]] tables".to_owned());
    };
    for t in tables {
        arr.push(t);
    }
    Ok(())
}

/// The `[[bind]]` tables there are (none when `bind` is missing or not
/// tables).
pub fn binds(doc: &DocumentMut) -> Vec<&Table> {
    doc.get("bind")
        .and_then(Item::as_array_of_tables)
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// Removes the `[[bind]]` tables `remove` says yes to; how many.
pub fn remove_binds(
    doc: &mut DocumentMut,
    mut remove: impl FnMut(&Table) -> bool,
) -> usize {
    let Some(arr) = doc.get_mut("bind").and_then(Item::as_array_of_tables_mut)
    else {
        return 0;
    };
    let before = arr.len();
    arr.retain(|t| !remove(t));
    before - arr.len()
}

/// Replaces the file at `path` by `doc` atomically, mode 0644; creates
/// its directory (0755) when missing.
///
/// # Errors
/// A symbolic link or an untrusted file or directory at the destination,
/// or the write failing (the old file is then left as it was).
pub fn save(path: &Path, doc: &DocumentMut) -> Result<(), WriteError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o755)
            .create(&dir)
            .map_err(|e| {
                err(path, format!("cannot create {}: {e}", dir.display()))
            })?;
    }
    crate::fs::check_trust(&dir, "config directory")
        .map_err(|r| err(path, r))?;
    if std::fs::symlink_metadata(path).is_ok() {
        crate::fs::check_trust(path, "config file")
            .map_err(|r| err(path, r))?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&tmp)?;
        f.write_all(doc.to_string().as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(err(path, format!("cannot write: {e}")));
    }
    // the rename is durable once the directory is synced
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir()
            .join(format!("ethcfg-cfgw-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755))
            .unwrap();
        d
    }

    fn bind(name: &str) -> Table {
        let mut t = Table::new();
        let mut m = toml_edit::InlineTable::new();
        m.insert("name", name.into());
        t.insert("match", toml_edit::value(m));
        t.insert("profile", toml_edit::value("e1000e-hang-safe"));
        t
    }

    #[test]
    fn comments_and_order_are_kept_and_the_write_is_atomic() {
        let d = dir("keep");
        let p = d.join("ethcfg.toml");
        let before = "# my hosts\n\n[[bind]]\n# the uplink\nmatch = { name = \"eno1\" } # inline\nprofile = \"e1000e-tso-off\"\n";
        std::fs::write(&p, before).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644))
            .unwrap();
        let mut doc = load(&p).unwrap();
        append_binds(&mut doc, [bind("eno2")]).unwrap();
        save(&p, &doc).unwrap();
        let after = std::fs::read_to_string(&p).unwrap();
        assert!(after.starts_with(before), "{after}");
        assert!(after.contains("match = { name = \"eno2\" }"), "{after}");
        assert_eq!(binds(&load(&p).unwrap()).len(), 2);
        let mut doc = load(&p).unwrap();
        let n = remove_binds(&mut doc, |t| {
            t.get("match").and_then(|m| m.get("name")).and_then(|v| v.as_str())
                == Some("eno2")
        });
        assert_eq!(n, 1);
        save(&p, &doc).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), before);
        // no temporary file left behind
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn symlinks_and_writable_files_are_refused() {
        let d = dir("trust");
        let real = d.join("real.toml");
        std::fs::write(&real, "").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o644))
            .unwrap();
        let link = d.join("ethcfg.toml");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert!(load(&link).unwrap_err().reason.contains("symbolic link"));
        assert!(save(&link, &DocumentMut::new())
            .unwrap_err()
            .reason
            .contains("symbolic link"));
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o666))
            .unwrap();
        assert!(load(&real).unwrap_err().reason.contains("world-writable"));
        assert!(save(&real, &DocumentMut::new())
            .unwrap_err()
            .reason
            .contains("world-writable"));
        let missing = d.join("new/ethcfg.toml");
        assert!(load(&missing).unwrap().is_empty());
        save(&missing, &DocumentMut::new()).unwrap();
        assert!(missing.is_file());
        std::fs::remove_dir_all(&d).unwrap();
    }
}
