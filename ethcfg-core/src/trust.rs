//! Whether a file or directory ethcfg acts on could have been written by
//! someone less trusted than the caller: the one owner/mode check shared by
//! profiles (what ethcfg applies) and the state directory (what it restores).
//! Uses nothing but std and nix.

use std::fs::Metadata;
use std::os::unix::fs::MetadataExt;

use nix::unistd::geteuid;

/// Why a path is not trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Untrusted {
    /// Owned by this uid, neither root nor the effective uid.
    Owner(u32),
    /// Writable by the group (`"group"`) or everyone (`"world"`).
    Writable(&'static str),
}

/// Refuses metadata that someone other than root or us (the effective uid:
/// whoever runs ethcfg already decides what it does) could have written.
pub(crate) fn check(m: &Metadata) -> Result<(), Untrusted> {
    let uid = m.uid();
    if uid != 0 && uid != geteuid().as_raw() {
        return Err(Untrusted::Owner(uid));
    }
    if m.mode() & 0o022 != 0 {
        let who = if m.mode() & 0o002 != 0 { "world" } else { "group" };
        return Err(Untrusted::Writable(who));
    }
    Ok(())
}
