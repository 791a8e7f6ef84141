//! The hidden `ethcfg generate man|completions DIR`: the man page and shell
//! completions, from the same clap definitions as `--help`.

use std::path::PathBuf;

use clap::{Args, CommandFactory, ValueEnum};
use clap_complete::Shell;

use crate::cli::Cli;
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
    /// ethcfg.1 and ethcfg-SUBCOMMAND.1
    Man,
    /// ethcfg.bash, _ethcfg (zsh), ethcfg.fish
    Completions,
}

pub(crate) fn run(a: &GenerateArgs) -> Result<Exit, CliError> {
    std::fs::create_dir_all(&a.dir)?;
    let mut cmd = Cli::command();
    match a.what {
        // ethcfg.1 and one page per subcommand (ethcfg-show.1, ...), which
        // ethcfg.1 refers to.
        Generated::Man => clap_mangen::generate_to(cmd, &a.dir)?,
        Generated::Completions => {
            for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
                clap_complete::generate_to(shell, &mut cmd, "ethcfg", &a.dir)?;
            }
        }
    }
    Ok(Exit::Ok)
}
