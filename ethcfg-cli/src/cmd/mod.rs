//! One module per subcommand: its arguments (a `clap::Args` struct), one or
//! two library calls, the results handed to [`crate::render`], an exit code
//! back. Commands share nothing but [`iface_refs`]; what they print is the
//! render module's.

use std::io::Write;

use ethcfg_core::state::Source;
use ethcfg_core::IfaceRef;

use crate::cli::Command;
use crate::env::Env;
use crate::exit::{CliError, Exit};

pub(crate) mod apply;
pub(crate) mod check;
pub(crate) mod config;
pub(crate) mod doctor;
pub(crate) mod generate;
pub(crate) mod impact;
pub(crate) mod import;
pub(crate) mod metrics;
pub(crate) mod monitor;
pub(crate) mod persist;
pub(crate) mod profiles;
pub(crate) mod revert;
pub(crate) mod set;
pub(crate) mod show;
pub(crate) mod watch;

/// Runs `command`: results on `out`, notes and warnings on `err`.
pub(crate) fn run(
    command: &Command,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, CliError> {
    match command {
        Command::Show(a) => show::run(a, out),
        Command::Set(a) => set::run(a, env, out, err),
        Command::Apply(a) => apply::run(a, env, out, err),
        Command::Check(a) => check::run(a, env, out, err),
        Command::Revert(a) => revert::run(a, env, out, err),
        Command::Profiles(a) => profiles::run(a, env, out, err),
        Command::Doctor(a) => doctor::run(a, env, out),
        Command::Impact(a) => impact::run(a, env, out),
        Command::Monitor(a) => monitor::run(a, out, err),
        Command::Watch(a) => watch::run(a, env, out, err),
        Command::Persist(a) => persist::run(a, env, out, err),
        Command::Unpersist(a) => persist::run_unpersist(a, env, out, err),
        Command::Import(a) => import::run(a, env, out, err),
        Command::Metrics(a) => metrics::run(a, env, out),
        Command::Generate(a) => generate::run(a),
    }
}

/// Every name checked before the first request.
/// `--source`: one of [`Source::ALL`] by name.
pub(crate) fn source(s: &str) -> Result<Source, String> {
    Source::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = Source::ALL.iter().map(|s| s.as_str()).collect();
        format!("one of {}", names.join(", "))
    })
}

fn iface_refs(ifaces: &[String]) -> Result<Vec<IfaceRef>, CliError> {
    Ok(ifaces.iter().map(IfaceRef::by_name).collect::<Result<Vec<_>, _>>()?)
}
