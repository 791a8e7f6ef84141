//! The hidden `ethcfg generate man|completions DIR`: the manual pages
//! ([`crate::man`]) and the shell completion scripts
//! ([`crate::complete`]), from the same clap definitions as `--help`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::exit::{CliError, Exit};

#[derive(Debug, Args)]
pub(crate) struct GenerateArgs {
    /// What to generate
    pub(crate) what: Generated,
    /// Directory to write into
    pub(crate) dir: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Generated {
    /// ethcfg.8, ethcfg-COMMAND.8, ethcfg-profile.5 and ethcfg.toml.5
    Man,
    /// ethcfg.bash, _ethcfg (zsh), ethcfg.fish: scripts that ask ethcfg
    Completions,
}

pub(crate) fn run(a: &GenerateArgs) -> Result<Exit, CliError> {
    std::fs::create_dir_all(&a.dir)?;
    match a.what {
        Generated::Man => crate::man::write_pages(&a.dir)?,
        Generated::Completions => crate::complete::write_scripts(&a.dir)?,
    }
    Ok(Exit::Ok)
}
