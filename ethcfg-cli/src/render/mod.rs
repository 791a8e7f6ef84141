//! Everything the CLI prints, in one place: for people (text, like
//! ethtool's, names in aligned columns) and for programs (`--json`, in the
//! shapes DESIGN.md fixes, through serde views on the library's results,
//! see [`json`]). One module per kind of result; commands hand results
//! here and decide nothing about how they look. No I/O decisions beyond
//! "write here".

pub(crate) mod doctor;
pub(crate) mod error;
pub(crate) mod features;
pub(crate) mod impact;
pub(crate) mod import;
pub(crate) mod json;
pub(crate) mod monitor;
pub(crate) mod outcome;
pub(crate) mod profile;
pub(crate) mod settings;

fn on_off(b: bool) -> &'static str {
    if b {
        "on"
    } else {
        "off"
    }
}
