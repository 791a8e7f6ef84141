//! `import`: the bindings as TOML (text) or JSON, the lines not imported,
//! and after `--write` the config file written and the old lines to
//! remove.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use ethcfg_core::import::{Binding, Import, Origin};
use serde::Serialize;

/// Text: the TOML to put in the config file (not-imported lines as
/// comments at its end, so it stays valid TOML); after `--write`, what
/// was added and the old lines that now do the same work twice.
pub(crate) fn text(
    out: &mut dyn Write,
    files: &[PathBuf],
    imp: &Import,
    written: Option<(&Path, &Vec<usize>)>,
) -> io::Result<()> {
    if imp.bindings.is_empty() && imp.not_imported.is_empty() {
        writeln!(
            out,
            "# Nothing to import from {} file(s) read.",
            files.len()
        )?;
        return Ok(());
    }
    write!(out, "{}", imp.to_toml().trim_start_matches('\n'))?;
    let Some((config, added)) = written else { return Ok(()) };
    writeln!(out)?;
    if added.is_empty() {
        writeln!(out, "# {}: nothing added.", config.display())?;
        return Ok(());
    }
    writeln!(
        out,
        "# Added {} binding(s) to {}.",
        added.len(),
        config.display()
    )?;
    writeln!(
        out,
        "# Remove these old lines, which now do the same work a second way:"
    )?;
    for b in added.iter().filter_map(|i| imp.bindings.get(*i)) {
        for o in b.origins() {
            writeln!(out, "#   {o}: {}", o.text)?;
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonOrigin<'a> {
    file: &'a Path,
    line: usize,
    text: &'a str,
}

impl<'a> From<&'a Origin> for JsonOrigin<'a> {
    fn from(o: &'a Origin) -> Self {
        JsonOrigin { file: &o.file, line: o.line, text: &o.text }
    }
}

#[derive(Serialize)]
struct JsonBinding<'a> {
    #[serde(rename = "match")]
    matcher: Vec<(&'static str, &'a str)>,
    profile: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    features: Vec<(&'a str, &'static str)>,
    settings: Vec<(&'static str, &'a str, String)>,
    from: Vec<JsonOrigin<'a>>,
}

fn binding(b: &Binding) -> JsonBinding<'_> {
    JsonBinding {
        matcher: b.matcher.pairs(),
        profile: b.profile.as_deref(),
        note: b.note.as_deref(),
        features: b
            .features
            .iter()
            .map(|f| (f.name.as_str(), super::on_off(f.on)))
            .collect(),
        settings: b
            .settings
            .iter()
            .map(|s| (s.group.as_str(), s.key.as_str(), s.value.to_string()))
            .collect(),
        from: b.origins().into_iter().map(JsonOrigin::from).collect(),
    }
}

#[derive(Serialize)]
struct JsonSkip<'a> {
    #[serde(flatten)]
    origin: JsonOrigin<'a>,
    reason: &'a str,
}

#[derive(Serialize)]
struct JsonImport<'a> {
    files: &'a [PathBuf],
    bindings: Vec<JsonBinding<'a>>,
    not_imported: Vec<JsonSkip<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    written: Option<&'a Path>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remove: Option<Vec<JsonOrigin<'a>>>,
}

/// JSON: `{files, bindings: [{match, profile, features, settings, from}],
/// not_imported: [{file, line, text, reason}], written?, remove?}`.
pub(crate) fn json(
    out: &mut dyn Write,
    files: &[PathBuf],
    imp: &Import,
    written: Option<(&Path, &Vec<usize>)>,
) -> io::Result<()> {
    let remove = written.map(|(_, added)| {
        added
            .iter()
            .filter_map(|i| imp.bindings.get(*i))
            .flat_map(Binding::origins)
            .map(JsonOrigin::from)
            .collect()
    });
    super::json::write(
        out,
        &JsonImport {
            files,
            bindings: imp.bindings.iter().map(binding).collect(),
            not_imported: imp
                .not_imported
                .iter()
                .map(|n| JsonSkip {
                    origin: (&n.origin).into(),
                    reason: &n.reason,
                })
                .collect(),
            written: written.map(|(p, _)| p),
            remove,
        },
    )
}
