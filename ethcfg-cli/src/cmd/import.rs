//! `ethcfg import [FILE...] [--write] [--config FILE] [--json]`: existing
//! ethtool settings (ifupdown, ifupdown2, systemd units and `.link`
//! files, NetworkManager keyfiles) as ethcfg bindings; `--write` adds
//! them to the config file and lists the old lines to remove.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use ethcfg_core::config::write;
use ethcfg_core::import::{self, Import};
use ethcfg_core::profile::Profiles;

use crate::env::Env;
use crate::exit::{CliError, Exit};
use crate::render;

#[derive(Debug, Args)]
#[command(
    long_about = "Read the ethtool settings a host already has and print the equivalent \
ethcfg bindings ([[bind]] tables of the config file), naming the built-in preset when the \
settings are exactly one.\n\n\
Reads: /etc/network/interfaces and interfaces.d/* (pre-up/up/post-up lines running ethtool -K, -G, \
-L, -C, -A, --set-eee; Debian's offload-*, hardware-dma-ring-*, hardware-irq-coalesce-*, \
ethernet-pause-* options; ifupdown2's *-offload, rx-vlan-filter, ring-rx, ring-tx), systemd \
units in /etc/systemd/system whose ExecStart runs ethtool, systemd .link files in \
/etc/systemd/network, and NetworkManager keyfiles' [ethtool] section \
(/etc/NetworkManager/system-connections). Give FILEs to read those instead; the format is told \
by the extension (.service, .link, .nmconnection) or the sections, else interfaces(5).\n\n\
What cannot be translated safely (shell variables such as $IFACE, loops, command substitution, \
pipes, &&, ||, unknown ethtool options, link settings) is listed as not imported, with the \
reason; nothing is guessed."
)]
pub(crate) struct ImportArgs {
    /// Files to read (default: the locations above)
    #[arg(value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
    /// Add the bindings to the config file (comments and order kept; atomic) and list the old lines to remove
    #[arg(long)]
    pub(crate) write: bool,
    /// The config file --write edits (default: ETHCFG_CONFIG, else /etc/ethcfg/ethcfg.toml)
    #[arg(long, value_name = "FILE", requires = "write")]
    pub(crate) config: Option<PathBuf>,
    /// Print JSON on stdout
    #[arg(long)]
    pub(crate) json: bool,
}

pub(crate) fn run(
    a: &ImportArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, CliError> {
    let (files, mut imported) = if a.files.is_empty() {
        let files = import::default_files(Path::new("/"));
        let (imported, unread) = import::read_files_lenient(&files);
        for e in unread {
            writeln!(err, "ethcfg: warning: {e}; skipped")?;
        }
        (files, imported)
    } else {
        let imported = import::read_files(&a.files)
            .map_err(|e| CliError::Failed(e.to_string()))?;
        (a.files.clone(), imported)
    };
    imported.name_presets(&Profiles::builtin()?);
    let config = a.config.clone().unwrap_or_else(|| env.config_path());
    let written = if a.write {
        Some(add_to_config(&imported, &config, err)?)
    } else {
        None
    };
    if a.json {
        render::import::json(
            out,
            &files,
            &imported,
            written.as_ref().map(|w| (config.as_path(), w)),
        )?;
    } else {
        render::import::text(
            out,
            &files,
            &imported,
            written.as_ref().map(|w| (config.as_path(), w)),
        )?;
    }
    Ok(Exit::Ok)
}

/// Appends the bindings whose match the config file has no binding for
/// yet; says which were already there. The indexes of those added.
fn add_to_config(
    imported: &Import,
    config: &Path,
    err: &mut dyn Write,
) -> Result<Vec<usize>, CliError> {
    let failed = |e: write::WriteError| CliError::Failed(e.to_string());
    let mut doc = write::load(config).map_err(failed)?;
    let existing: Vec<String> = write::binds(&doc)
        .iter()
        .filter_map(|t| t.get("match").map(|m| normal(&m.to_string())))
        .collect();
    let mut added = Vec::new();
    let mut tables = Vec::new();
    for (i, (b, t)) in
        imported.bindings.iter().zip(imported.bind_tables()).enumerate()
    {
        let m =
            t.get("match").map(|m| normal(&m.to_string())).unwrap_or_default();
        if existing.contains(&m) {
            writeln!(
                err,
                "ethcfg: {} already has a binding for {}; not added again",
                config.display(),
                b.matcher
            )?;
            continue;
        }
        added.push(i);
        tables.push(t);
    }
    if !tables.is_empty() {
        write::append_binds(&mut doc, tables).map_err(|r| {
            CliError::Failed(format!("{}: {r}", config.display()))
        })?;
        write::save(config, &doc).map_err(failed)?;
    }
    Ok(added)
}

/// A `match` value without its decoration, to compare two.
fn normal(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
