//! [`IfaceRef`]: which interface a request is about — by name, by index,
//! or both — with names validated the way the kernel validates them, so a
//! bad name is an error here and never a silently truncated request.
//!
//! May use: [`crate::error`].

use std::fmt;

use crate::error::{Error, Result};

/// `IFNAMSIZ - 1`: the longest interface name.
pub const IFNAME_MAX: usize = 15;

/// A reference to a network interface.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IfaceRef {
    name: Option<String>,
    index: Option<u32>,
}

impl IfaceRef {
    /// An interface by name. The name must be 1..=15 bytes with no NUL,
    /// `/`, `:` or whitespace, and not `.` or `..` (the kernel's own rules).
    ///
    /// # Errors
    /// [`Error::InvalidInterfaceName`] saying what is wrong with it.
    pub fn by_name(name: impl Into<String>) -> Result<Self> {
        let name = name.into();
        validate(&name)?;
        Ok(IfaceRef { name: Some(name), index: None })
    }

    /// An interface by index (as `ip link` shows it; per network namespace).
    pub fn by_index(index: u32) -> Self {
        IfaceRef { name: None, index: Some(index) }
    }

    /// Both. Both are sent, and the kernel checks that they belong to the
    /// same interface: a request for a name and an index of two different
    /// interfaces fails with [`Error::NoSuchInterface`] (the kernel's
    /// ENODEV), never reaching either.
    ///
    /// # Errors
    /// As [`IfaceRef::by_name`].
    pub fn by_name_and_index(
        name: impl Into<String>,
        index: u32,
    ) -> Result<Self> {
        let mut r = Self::by_name(name)?;
        r.index = Some(index);
        Ok(r)
    }

    /// The name, if the reference has one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The index, if the reference has one.
    pub fn index(&self) -> Option<u32> {
        self.index
    }
}

fn validate(name: &str) -> Result<()> {
    let bad = |reason| {
        Err(Error::InvalidInterfaceName { name: name.to_owned(), reason })
    };
    if name.is_empty() {
        return bad("it is empty");
    }
    if name.len() > IFNAME_MAX {
        return bad("longer than 15 bytes, the kernel's limit (IFNAMSIZ)");
    }
    if name == "." || name == ".." {
        return bad("`.` and `..` are not allowed");
    }
    if name.contains('\0') {
        return bad("it contains a NUL byte");
    }
    if name.contains('/') {
        return bad("it contains `/`");
    }
    if name.contains(':') {
        return bad("it contains `:`");
    }
    if name.chars().any(char::is_whitespace) {
        return bad("it contains whitespace");
    }
    Ok(())
}

impl fmt::Display for IfaceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.name, self.index) {
            (Some(n), _) => f.write_str(n),
            (None, Some(i)) => write!(f, "ifindex {i}"),
            (None, None) => f.write_str("(no interface)"),
        }
    }
}

impl std::str::FromStr for IfaceRef {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        IfaceRef::by_name(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_names() {
        for n in ["eth0", "eno1", "a", "123456789012345", "veth-x.10", "br_lan"]
        {
            assert!(IfaceRef::by_name(n).is_ok(), "{n}");
        }
    }

    #[test]
    fn invalid_names() {
        for n in [
            "",
            "1234567890123456",
            ".",
            "..",
            "a/b",
            "a:b",
            "a b",
            "a\tb",
            "a\0",
        ] {
            let e = IfaceRef::by_name(n).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidInput, "{n:?}");
        }
    }
}
