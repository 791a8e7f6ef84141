//! The state directory's lock: one `flock`ed file that serialises runs
//! changing interfaces. The run holding it writes its pid into the file,
//! so a run that finds it taken can say whom it waits for (the library
//! prints nothing; the caller decides whether and when to tell).

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use super::{io, not_regular, unsafe_path, StateDir, StateLock};
use crate::error::{Error, Result};

impl StateDir {
    /// Takes the lock, waiting for any other ethcfg run that holds it, and
    /// removes the temp files of runs killed mid-write.
    ///
    /// # Errors
    /// [`Error::StateNotWritable`] when this user cannot write the
    /// directory; [`Error::StateUnsafe`] for an untrusted directory or a
    /// lock that is not a regular file; [`Error::State`] otherwise.
    pub fn lock(&self) -> Result<StateLock> {
        let (path, file) = self.open_lock().map_err(|e| self.denied(e))?;
        file.lock()
            .map_err(io(&path, "lock the state directory"))
            .map_err(|e| self.denied(e))?;
        self.remove_stale_temps();
        Ok(held(file))
    }

    /// Takes the lock if no other run holds it; `None` if one does (see
    /// [`StateDir::lock_holder`]), without waiting.
    ///
    /// # Errors
    /// As [`StateDir::lock`].
    pub fn try_lock(&self) -> Result<Option<StateLock>> {
        let (path, file) = self.open_lock().map_err(|e| self.denied(e))?;
        match file.try_lock() {
            Ok(()) => {
                self.remove_stale_temps();
                Ok(Some(held(file)))
            }
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => {
                Err(self.denied(io(&path, "lock the state directory")(e)))
            }
        }
    }

    /// The pid of the run that holds (or last held) the lock, as it wrote
    /// it into the lock file; `None` when the file has none.
    pub fn lock_holder(&self) -> Option<u32> {
        let mut text = String::new();
        // A pid and a newline; more is not a pid.
        OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
            .open(self.lock_path())
            .ok()?
            .take(32)
            .read_to_string(&mut text)
            .ok()?;
        text.trim().parse().ok()
    }

    fn lock_path(&self) -> PathBuf {
        self.dir.join("lock")
    }

    fn open_lock(&self) -> Result<(PathBuf, File)> {
        self.ensure()?;
        let path = self.lock_path();
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
            .open(&path)
            .map_err(|e| match e.raw_os_error() {
                Some(libc::ELOOP) => unsafe_path(&path, "it is a symlink"),
                // O_NONBLOCK on a FIFO with no reader.
                Some(libc::ENXIO) => {
                    unsafe_path(&path, "it is a FIFO, not a regular file")
                }
                _ => io(&path, "open the lock file")(e),
            })?;
        let m = file.metadata().map_err(io(&path, "open the lock file"))?;
        if !m.file_type().is_file() {
            return Err(unsafe_path(&path, not_regular(&m)));
        }
        Ok((path, file))
    }

    /// A permission error says so, with what to do about it.
    fn denied(&self, e: Error) -> Error {
        match &e {
            Error::State { source, .. }
                if source.kind() == std::io::ErrorKind::PermissionDenied =>
            {
                Error::StateNotWritable { path: self.dir.clone() }
            }
            _ => e,
        }
    }
}

/// The lock, taken: the pid goes into the file for [`StateDir::lock_holder`].
fn held(file: File) -> StateLock {
    use std::os::unix::fs::FileExt;
    // Only a waiting run's note reads the pid: failing to write it (a full
    // disk) must not fail the run that got the lock.
    let pid = format!("{}\n", std::process::id());
    // A long-running process taking the lock again finds its own pid
    // there: one read instead of a truncate and a write.
    let mut got = [0u8; 16];
    let n = file.read_at(&mut got, 0).unwrap_or(0);
    if got.get(..n) != Some(pid.as_bytes()) {
        let _ =
            file.set_len(0).and_then(|()| file.write_all_at(pid.as_bytes(), 0));
    }
    StateLock { _file: file }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn try_lock_says_who_holds_it() {
        let dir = std::env::temp_dir()
            .join(format!("ethcfg-lock-test-{}", std::process::id()));
        let s = StateDir::new(&dir);
        let held = s.try_lock().unwrap();
        assert!(held.is_some());
        assert_eq!(s.lock_holder(), Some(std::process::id()));
        // flock locks belong to the open file: a second open conflicts,
        // even in the same process.
        assert!(s.try_lock().unwrap().is_none());
        drop(held);
        assert!(s.try_lock().unwrap().is_some());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
