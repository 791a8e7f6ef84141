//! The config file, `/etc/ethcfg/ethcfg.toml` ([`DEFAULT_PATH`]): its
//! `[[bind]]` tables. [`write`](mod@write) edits it in place (appending and removing
//! tables, comments and order kept) and replaces it atomically; the
//! bindings model and its parser come beside it.
//!
//! May use: `fs`, `error`, `profile`.

pub mod write;

/// Where the config file is unless the caller says otherwise (the CLI
/// takes `--config FILE`, then `ETHCFG_CONFIG`).
pub const DEFAULT_PATH: &str = "/etc/ethcfg/ethcfg.toml";
