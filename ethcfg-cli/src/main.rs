//! `ethcfg`: the command-line front end of ethcfg-core. Thin: parse, one or
//! two library calls, render, exit code.

mod cli;
mod cmd;
mod exit;
mod render;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::exit::CliError;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Block-buffered: `show --json` of a thousand interfaces is megabytes.
    let mut out =
        std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let mut err = std::io::stderr();
    let result = match &cli.command {
        Command::Show { ifaces, json, all_settings } => {
            cmd::show::run(ifaces, *json, *all_settings, &mut out)
        }
        Command::Set { iface, words, json } => {
            cmd::set::run(iface, words, *json, &mut out, &mut err)
        }
        Command::Apply { profile, ifaces, dry_run, force, strict, json } => {
            cmd::apply::apply(
                cmd::apply::ApplyArgs {
                    profile,
                    ifaces,
                    dry_run: *dry_run,
                    force: *force,
                    strict: *strict,
                    json: *json,
                },
                &mut out,
                &mut err,
            )
        }
        Command::Check { profile, ifaces, json } => {
            cmd::apply::check(profile, ifaces, *json, &mut out)
        }
        Command::Revert { ifaces, json } => {
            cmd::apply::revert(ifaces, *json, &mut out, &mut err)
        }
        Command::Profiles { action, json } => {
            let show = match action {
                Some(cli::ProfilesAction::Show { name }) => Some(name.as_str()),
                Some(cli::ProfilesAction::List) | None => None,
            };
            cmd::profiles::run(show, *json, &mut out, &mut err)
        }
        Command::Doctor { ifaces, kernel_log, root, json } => cmd::doctor::run(
            ifaces,
            kernel_log.as_deref(),
            root.as_deref(),
            *json,
            &mut out,
        ),
        Command::Impact { module, root, json } => {
            cmd::impact::run(module, root.as_deref(), *json, &mut out)
        }
        Command::Generate { what, dir } => cmd::generate::run(*what, dir),
    };
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
            let _ = writeln!(err, "ethcfg: error: {e}");
            e.code()
        }
    }
}
