//! `ethcfg`: the command-line front end of ethcfg-core. Thin: parse, one or
//! two library calls, render, exit code.

mod cli;
mod cmd;
mod complete;
mod env;
mod exit;
mod lock;
mod man;
mod notify;
mod render;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;
use crate::exit::CliError;

fn main() -> ExitCode {
    // A shell asking for completions gets them and the process ends here.
    complete::answer_if_asked();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return parse_error(&e),
    };
    // Block-buffered: `show --json` of a thousand interfaces is megabytes.
    let mut out =
        std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let mut err = std::io::stderr();
    let env = env::Env::read();
    let result = cmd::run(&cli.command, &env, &mut out, &mut err);
    let result = result.and_then(|code| {
        out.flush()?;
        Ok(code)
    });
    match result {
        Ok(code) => code.into(),
        // A reader that went away (`ethcfg show | head`) is not a failure.
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = writeln!(err, "ethcfg: error: {}", render::escape(&e));
            e.code()
        }
    }
}

/// An argument-parser error as ethcfg's own usage errors look (one line,
/// exit 2); help and version go out as clap prints them.
fn parse_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2))
        }
        _ => {
            let usage = CliError::Usage(render::one_line_parse_error(
                &e.render().to_string(),
            ));
            let _ = writeln!(
                std::io::stderr(),
                "ethcfg: error: {}",
                render::escape(&usage)
            );
            usage.code()
        }
    }
}
