//! The hidden `ethcfg generate man|completions DIR`: the man page and shell
//! completions, from the same clap definitions as `--help`.

use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, Generated};
use crate::exit::{CliError, Exit};

pub(crate) fn run(what: Generated, dir: &Path) -> Result<Exit, CliError> {
    std::fs::create_dir_all(dir)?;
    let mut cmd = Cli::command();
    match what {
        // ethcfg.1 and one page per subcommand (ethcfg-show.1, ...), which
        // ethcfg.1 refers to.
        Generated::Man => clap_mangen::generate_to(cmd, dir)?,
        Generated::Completions => {
            for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
                clap_complete::generate_to(shell, &mut cmd, "ethcfg", dir)?;
            }
        }
    }
    Ok(Exit::Ok)
}
