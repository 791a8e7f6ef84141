//! The process environment, read in one place and nowhere else (the
//! library reads none): the state and profile directories
//! (`ETHCFG_STATE_DIR`, `ETHCFG_PROFILE_DIR`), the config file
//! (`ETHCFG_CONFIG`) and the SSH session ethcfg
//! runs in (`SSH_CONNECTION`), handed to the commands that need them.

use std::path::{Path, PathBuf};

use ethcfg_core::host::ManagementHints;
use ethcfg_core::profile::Profiles;
use ethcfg_core::state::StateDir;

/// What the environment says.
#[derive(Debug, Clone)]
pub(crate) struct Env {
    /// `ETHCFG_STATE_DIR` when set (even empty).
    state_dir: Option<PathBuf>,
    /// `ETHCFG_PROFILE_DIR`, or [`Profiles::DEFAULT_DIR`].
    profile_dir: PathBuf,
    /// `ETHCFG_CONFIG` when set.
    config: Option<PathBuf>,
    /// From `SSH_CONNECTION`: which interface carries this session.
    pub(crate) hints: ManagementHints,
}

impl Env {
    pub(crate) fn read() -> Env {
        Env {
            state_dir: std::env::var_os("ETHCFG_STATE_DIR").map(PathBuf::from),
            profile_dir: std::env::var_os("ETHCFG_PROFILE_DIR").map_or_else(
                || PathBuf::from(Profiles::DEFAULT_DIR),
                PathBuf::from,
            ),
            config: std::env::var_os("ETHCFG_CONFIG").map(PathBuf::from),
            hints: std::env::var("SSH_CONNECTION")
                .map(|v| ManagementHints::from_ssh_connection(&v))
                .unwrap_or_default(),
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

    /// The config file: `ETHCFG_CONFIG`, or the library's default.
    pub(crate) fn config_path(&self) -> PathBuf {
        self.config
            .clone()
            .unwrap_or_else(|| PathBuf::from(ethcfg_core::config::DEFAULT_PATH))
    }
}
