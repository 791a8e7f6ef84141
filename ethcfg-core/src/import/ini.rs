//! The ini-style files of systemd (units, `.link`) and NetworkManager
//! (keyfiles): `[Section]` headers and `Key=Value` lines, `#`/`;`
//! comments, each entry with its line number. A trailing `\` continues a
//! line (systemd).

/// One `Key=Value`.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) section: String,
    pub(crate) key: String,
    pub(crate) value: String,
    pub(crate) line: usize,
    pub(crate) text: String,
}

pub(crate) fn entries(text: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut pending: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let (start, mut line) = match pending.take() {
            Some((start, acc)) => (start, format!("{acc} {}", raw.trim())),
            None => (i + 1, raw.trim().to_owned()),
        };
        if line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(body) = line.strip_suffix('\\') {
            pending = Some((start, body.trim_end().to_owned()));
            continue;
        }
        line = line.trim().to_owned();
        if let Some(name) =
            line.strip_prefix('[').and_then(|l| l.strip_suffix(']'))
        {
            name.clone_into(&mut section);
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            out.push(Entry {
                section: section.clone(),
                key: k.trim().to_owned(),
                value: v.trim().to_owned(),
                line: start,
                text: line.clone(),
            });
        }
    }
    out
}

/// systemd's and GLib's booleans.
pub(crate) fn boolean(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "yes" | "y" | "true" | "t" | "on" => Some(true),
        "0" | "no" | "n" | "false" | "f" | "off" => Some(false),
        _ => None,
    }
}
