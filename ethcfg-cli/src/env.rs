//! The process environment, read in one place and nowhere else (the
//! library reads none): the state and profile directories
//! (`ETHCFG_STATE_DIR`, `ETHCFG_PROFILE_DIR`), the config file
//! (`ETHCFG_CONFIG`), the SSH session ethcfg runs in (`SSH_CONNECTION`)
//! and the service manager's notification socket (`NOTIFY_SOCKET`, for
//! `watch`), handed to the commands that need them; and the
//! variables of a shell's completion request ([`completion_requested`],
//! [`completion_word`]). clap_complete's engine reads its own again once a
//! request is made.

use std::path::{Path, PathBuf};

use ethcfg_core::host::ManagementHints;
use ethcfg_core::profile::Profiles;
use ethcfg_core::state::StateDir;

/// What the environment says.
#[derive(Debug, Clone)]
pub(crate) struct Env {
    /// `ETHCFG_STATE_DIR` when set and not empty (empty would mean the
    /// current directory, where `revert` from elsewhere could not find
    /// the records).
    state_dir: Option<PathBuf>,
    /// `ETHCFG_PROFILE_DIR`, or [`Profiles::DEFAULT_DIR`].
    profile_dir: PathBuf,
    /// `ETHCFG_CONFIG` when set.
    config: Option<PathBuf>,
    /// From `SSH_CONNECTION`: which interface carries this session.
    pub(crate) hints: ManagementHints,
    /// `NOTIFY_SOCKET`: where a service manager (systemd's `Type=notify`)
    /// waits for readiness.
    notify_socket: Option<std::ffi::OsString>,
}

impl Env {
    pub(crate) fn read() -> Env {
        Env::from_vars(|k| std::env::var_os(k))
    }

    /// The environment as `var` gives it (a seam for tests).
    fn from_vars(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Env {
        Env {
            state_dir: var("ETHCFG_STATE_DIR")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            profile_dir: var("ETHCFG_PROFILE_DIR").map_or_else(
                || PathBuf::from(Profiles::DEFAULT_DIR),
                PathBuf::from,
            ),
            config: var("ETHCFG_CONFIG").map(PathBuf::from),
            hints: var("SSH_CONNECTION")
                .and_then(|v| v.into_string().ok())
                .map(|v| ManagementHints::from_ssh_connection(&v))
                .unwrap_or_default(),
            notify_socket: var("NOTIFY_SOCKET"),
        }
    }

    /// The state directory: `ETHCFG_STATE_DIR`, or [`StateDir::DEFAULT`].
    pub(crate) fn state(&self) -> StateDir {
        StateDir::new(
            self.state_dir
                .clone()
                .unwrap_or_else(|| PathBuf::from(StateDir::DEFAULT)),
        )
    }

    /// `ETHCFG_STATE_DIR` when set: `doctor` reads it in place of the
    /// default under its root.
    pub(crate) fn state_dir_set(&self) -> Option<&Path> {
        self.state_dir.as_deref()
    }

    /// The user profile directory.
    pub(crate) fn profile_dir(&self) -> &Path {
        &self.profile_dir
    }

    /// `NOTIFY_SOCKET`, when a service manager set it.
    pub(crate) fn notify_socket(&self) -> Option<&std::ffi::OsStr> {
        self.notify_socket.as_deref()
    }

    /// The config file: `ETHCFG_CONFIG`, or the library's default.
    pub(crate) fn config_path(&self) -> PathBuf {
        self.config
            .clone()
            .unwrap_or_else(|| PathBuf::from(ethcfg_core::config::DEFAULT_PATH))
    }
}

/// Whether a shell asked for completions: the registered scripts set
/// `var` (`_ETHCFG_COMPLETE=bash`) when they call ethcfg.
pub(crate) fn completion_requested(var: &str) -> bool {
    std::env::var_os(var).is_some()
}

/// The index of the word being completed among the words after `--`, as
/// bash and zsh pass it (`_CLAP_COMPLETE_INDEX`; fish cuts the line at the
/// cursor and passes none).
pub(crate) fn completion_word() -> Option<usize> {
    std::env::var("_CLAP_COMPLETE_INDEX").ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_state_dir_is_unset() {
        let env = |v: &'static str| {
            Env::from_vars(move |k| {
                (k == "ETHCFG_STATE_DIR").then(|| std::ffi::OsString::from(v))
            })
        };
        assert_eq!(env("").state().path(), Path::new(StateDir::DEFAULT));
        assert_eq!(env("").state_dir_set(), None);
        assert_eq!(env("/tmp/s").state().path(), Path::new("/tmp/s"));
        let unset = Env::from_vars(|_| None);
        assert_eq!(unset.state().path(), Path::new(StateDir::DEFAULT));
    }
}
