//! One status vocabulary for every value a change touches: a feature bit
//! and a ring size come out of a change the same ways, so a program (and
//! the JSON) reads one set of words for both.

use std::fmt;

/// How one value (a feature, a ring size, a pause flag, ...) came out of
/// a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Status {
    /// Requested, and now in effect (read back as asked).
    Applied,
    /// Requested, and the driver took another value than asked (and not
    /// the old one): e1000e rounds ring sizes up to a multiple of 8.
    /// Features are on or off, so they are never adjusted.
    Adjusted,
    /// Requested, and not in effect: the kernel or driver said no (an
    /// errno), or said yes and kept the `from` state.
    Refused,
    /// Not requested, but changed along with the request (a dependency:
    /// `sg off` takes TSO and GSO with it; e1000e turns rx and tx pause
    /// back on with pause autoneg).
    SideEffect,
    /// Would change (dry run; nothing was sent).
    Planned,
    /// Differs from what a profile wants (`check`).
    Drift,
}

impl Status {
    /// The name used in JSON output: `applied`, `adjusted`, `refused`,
    /// `side-effect`, `planned`, `drift`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Applied => "applied",
            Status::Adjusted => "adjusted",
            Status::Refused => "refused",
            Status::SideEffect => "side-effect",
            Status::Planned => "planned",
            Status::Drift => "drift",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Status;

    #[test]
    fn json_words_are_unchanged() {
        let words: Vec<&str> = [
            Status::Applied,
            Status::Adjusted,
            Status::Refused,
            Status::SideEffect,
            Status::Planned,
            Status::Drift,
        ]
        .iter()
        .map(|s| s.as_str())
        .collect();
        assert_eq!(
            words,
            [
                "applied",
                "adjusted",
                "refused",
                "side-effect",
                "planned",
                "drift"
            ]
        );
    }
}
