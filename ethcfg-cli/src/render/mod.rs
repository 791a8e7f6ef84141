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
pub(crate) mod metrics;
pub(crate) mod monitor;
pub(crate) mod outcome;
pub(crate) mod profile;
pub(crate) mod settings;

/// `text` with every control character escaped (`\n`, `\u{1b}`): a
/// message quotes names the user or the kernel chose (an interface may be
/// called `a\x1b[2J`), and stays one line that cannot drive the terminal.
pub(crate) fn escape(text: &impl std::fmt::Display) -> String {
    let text = text.to_string();
    if !text.chars().any(char::is_control) {
        return text;
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Appends `text` to `buf`, escaped as [`escape`] does, without a copy
/// when there is nothing to escape (a report of a thousand interfaces).
pub(crate) fn push_escaped(buf: &mut Vec<u8>, text: &str) {
    if text.chars().any(char::is_control) {
        buf.extend_from_slice(escape(&text).as_bytes());
    } else {
        buf.extend_from_slice(text.as_bytes());
    }
}

/// clap's rendered error (`error: WHAT`, indented context lines, a tip,
/// then the usage and a pointer to `--help`) as one line: what and its
/// context, without the usage (the caller adds where help is).
pub(crate) fn one_line_parse_error(rendered: &str) -> String {
    let body = rendered.split("\nUsage:").next().unwrap_or(rendered);
    let body = body.split("\nFor more information").next().unwrap_or(body);
    let mut line = String::new();
    for part in body.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let part = part.strip_prefix("error: ").unwrap_or(part);
        if !line.is_empty() {
            line.push_str(if line.ends_with(':') { " " } else { "; " });
        }
        line.push_str(part);
    }
    line
}

fn on_off(b: bool) -> &'static str {
    if b {
        "on"
    } else {
        "off"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            escape(&"no such interface: a\x1b[2Jb\n"),
            "no such interface: a\\u{1b}[2Jb\\n"
        );
        assert_eq!(escape(&"plain"), "plain");
    }

    #[test]
    fn a_parse_error_is_one_line() {
        let rendered = "error: the following required arguments were not provided:\n  <IFACE>\n  <SETTINGS>...\n\nUsage: ethcfg set <IFACE> <SETTINGS>...\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_line_parse_error(rendered),
            "the following required arguments were not provided: <IFACE>; <SETTINGS>..."
        );
        let rendered = "error: unexpected argument '--frobnicate' found\n\n  tip: to pass '--frobnicate' as a value, use '-- --frobnicate'\n\nUsage: ethcfg show [OPTIONS] [IFACE]...\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_line_parse_error(rendered),
            "unexpected argument '--frobnicate' found; tip: to pass '--frobnicate' as a value, use '-- --frobnicate'"
        );
    }
}
