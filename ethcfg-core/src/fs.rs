//! Reading files ethcfg did not write: profiles, kernel logs, sysfs and
//! procfs under a `--root`, state records. Any of them may be a FIFO, a
//! device or a huge file planted by mistake or on purpose, so they are
//! opened without blocking (`O_NONBLOCK`: opening a FIFO for reading
//! otherwise blocks in `open` itself, before any check could run), checked
//! to be regular files on the open descriptor, and read up to a cap.
//! sysfs and procfs files are regular files whose `st_size` says 0 or 4096
//! whatever they hold, so the cap is enforced on what is read, never on
//! `st_size` alone.
//!
//! Also the trust rule for files and directories that decide what ethcfg
//! does (profiles, the state directory): owned by root or the effective
//! user, writable by no one else, not a symbolic link.
//!
//! May use: nothing else of the crate (the lowest layer, with `error`).

use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::Path;

/// A profile file: hand-written TOML is a few KiB.
pub(crate) const PROFILE_CAP: u64 = 1 << 20;
/// A saved kernel log (`dmesg`, `journalctl -k`, syslog); also the most
/// read from `/dev/kmsg`, whose buffer is at most 32 MiB on common builds.
pub(crate) const KERNEL_LOG_CAP: u64 = 64 << 20;
/// One sysfs or procfs file (`/proc/modules` with 4,000 modules is
/// ~300 KiB), or a small configuration file beside them.
pub(crate) const SYSFS_CAP: u64 = 1 << 20;
/// A table in procfs that grows with the machine: a router with a full
/// table lists about a million routes in `/proc/net/route`;
/// `/proc/modules` lists every loaded module.
pub(crate) const PROC_TABLE_CAP: u64 = 256 << 20;

fn opener(follow: bool) -> OpenOptions {
    let mut o = OpenOptions::new();
    let nofollow = if follow { 0 } else { libc::O_NOFOLLOW };
    o.read(true).custom_flags(libc::O_NONBLOCK | nofollow);
    o
}

fn not_regular(meta: &Metadata) -> io::Error {
    let ft = meta.file_type();
    let what = if ft.is_fifo() {
        "a FIFO"
    } else if ft.is_socket() {
        "a socket"
    } else if ft.is_char_device() || ft.is_block_device() {
        "a device"
    } else if ft.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    };
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("it is {what}; only regular files are read"),
    )
}

/// Opens `path` for reading without blocking and checks, on the open
/// descriptor, that it is a regular file. Follows symbolic links.
pub(crate) fn open_regular(path: &Path) -> io::Result<File> {
    let f = opener(true).open(path)?;
    let meta = f.metadata()?;
    if !meta.file_type().is_file() {
        return Err(not_regular(&meta));
    }
    Ok(f)
}

/// Reads all of `r`, failing when it holds more than `cap` bytes.
pub(crate) fn read_capped(r: impl Read, cap: u64) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    r.take(cap.saturating_add(1)).read_to_end(&mut buf)?;
    if u64::try_from(buf.len()).unwrap_or(u64::MAX) > cap {
        return Err(too_large(cap));
    }
    Ok(buf)
}

/// The error for a file past its cap.
pub(crate) fn too_large(cap: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!(
            "it holds more than {}, the most ethcfg reads from it",
            size(cap)
        ),
    )
}

fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// The regular file at `path` (symbolic links followed), up to `cap`
/// bytes; anything else (a FIFO, a device, a directory) or more is an
/// error, without blocking.
pub(crate) fn read_regular(path: &Path, cap: u64) -> io::Result<Vec<u8>> {
    read_capped(open_regular(path)?, cap)
}

/// [`read_regular`] as UTF-8 text (invalid UTF-8 is an error).
pub(crate) fn read_regular_string(path: &Path, cap: u64) -> io::Result<String> {
    String::from_utf8(read_regular(path, cap)?)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// Why `meta` (of a file or directory called `what` in messages) may not
/// decide what ethcfg does: owned by someone other than root or the
/// effective user (whoever runs ethcfg already decides what it applies),
/// or writable by group or world. `None` when it is trusted.
pub(crate) fn untrusted(meta: &Metadata, what: &str) -> Option<String> {
    let uid = meta.uid();
    if uid != 0 && uid != nix::unistd::geteuid().as_raw() {
        return Some(format!(
            "the {what} is owned by uid {uid}, not by root or you; only trusted users may write it (chown root)"
        ));
    }
    let mode = meta.mode();
    if mode & 0o022 != 0 {
        let who = if mode & 0o002 != 0 { "world" } else { "group" };
        return Some(format!(
            "the {what} is {who}-writable, so anyone could change what ethcfg applies (chmod go-w)"
        ));
    }
    None
}

fn symlink_reason(what: &str) -> String {
    format!("the {what} is a symbolic link; ethcfg follows none here (put the real file or directory in its place)")
}

/// The trust check of a file or directory by path, without following a
/// symbolic link at `path`: `Err` says why it is refused (or cannot be
/// checked), for the caller's error.
pub(crate) fn check_trust(path: &Path, what: &str) -> Result<(), String> {
    let meta = std::fs::symlink_metadata(path)
        .map_err(|e| format!("cannot read the {what}: {e}"))?;
    if meta.file_type().is_symlink() {
        return Err(symlink_reason(what));
    }
    untrusted(&meta, what).map_or(Ok(()), Err)
}

/// Reads a trusted regular file: opened without following a symbolic
/// link and without blocking, then checked on the descriptor (no window
/// between the check and the read): a regular file, trusted as
/// [`untrusted`] says, at most `cap` bytes. `Err` says why, for the
/// caller's error.
pub(crate) fn read_trusted(
    path: &Path,
    what: &str,
    cap: u64,
) -> Result<Vec<u8>, String> {
    let f = opener(false).open(path).map_err(|e| {
        if e.raw_os_error() == Some(libc::ELOOP) {
            symlink_reason(what)
        } else {
            format!("cannot read the {what}: {e}")
        }
    })?;
    let meta =
        f.metadata().map_err(|e| format!("cannot read the {what}: {e}"))?;
    if !meta.file_type().is_file() {
        return Err(format!("cannot read the {what}: {}", not_regular(&meta)));
    }
    if let Some(why) = untrusted(&meta, what) {
        return Err(why);
    }
    read_capped(f, cap).map_err(|e| format!("cannot read the {what}: {e}"))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::time::{Duration, Instant};

    /// A FIFO at `path` (std has no mkfifo; nix's needs a feature).
    pub(crate) fn mkfifo(path: &Path) {
        let ok = std::process::Command::new("mkfifo")
            .arg("-m")
            .arg("644")
            .arg(path)
            .status()
            .unwrap()
            .success();
        assert!(ok, "mkfifo {}", path.display());
    }

    fn dir(tag: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir()
            .join(format!("ethcfg-fs-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755))
            .unwrap();
        d
    }

    #[test]
    fn fifos_devices_and_directories_are_refused_without_blocking() {
        let d = dir("fifo");
        let fifo = d.join("p.toml");
        mkfifo(&fifo);
        let t = Instant::now();
        let e = read_regular(&fifo, 10).unwrap_err();
        assert!(e.to_string().contains("a FIFO"), "{e}");
        let e = read_trusted(&fifo, "profile file", 10).unwrap_err();
        assert!(e.contains("a FIFO"), "{e}");
        let e = read_regular(Path::new("/dev/zero"), 10).unwrap_err();
        assert!(e.to_string().contains("a device"), "{e}");
        let e = read_regular(&d, 10).unwrap_err();
        assert!(e.to_string().contains("a directory"), "{e}");
        assert!(t.elapsed() < Duration::from_secs(2));
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn caps_are_enforced_on_what_is_read() {
        let d = dir("cap");
        let f = d.join("f");
        std::fs::write(&f, b"0123456789").unwrap();
        assert_eq!(read_regular(&f, 10).unwrap(), b"0123456789");
        let e = read_regular(&f, 9).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        assert!(e.to_string().contains("more than 9 bytes"), "{e}");
        assert!(too_large(1 << 20).to_string().contains("1 MiB"));
        // procfs says st_size 0 and holds more
        let stat =
            read_regular(Path::new("/proc/self/stat"), SYSFS_CAP).unwrap();
        assert!(!stat.is_empty());
        assert!(read_regular(Path::new("/proc/self/stat"), 3).is_err());
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn trust_refuses_symlinks_and_writable_files() {
        let d = dir("trust");
        let f = d.join("f");
        std::fs::write(&f, b"x").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644))
            .unwrap();
        assert_eq!(read_trusted(&f, "file", 10).unwrap(), b"x");
        assert_eq!(check_trust(&f, "file"), Ok(()));
        let l = d.join("l");
        std::os::unix::fs::symlink(&f, &l).unwrap();
        assert!(read_trusted(&l, "file", 10)
            .unwrap_err()
            .contains("symbolic link"));
        assert!(check_trust(&l, "file").unwrap_err().contains("symbolic link"));
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o664))
            .unwrap();
        assert!(read_trusted(&f, "file", 10)
            .unwrap_err()
            .contains("group-writable"));
        assert!(check_trust(&f, "file")
            .unwrap_err()
            .contains("group-writable"));
        std::fs::remove_dir_all(&d).unwrap();
    }
}
