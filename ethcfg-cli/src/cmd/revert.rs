//! `ethcfg revert IFACE... [--json]`: back to before the first recorded
//! apply or set; `--forget NAME...` drops records without touching devices.

use std::io::Write;

use clap::Args;
use ethcfg_core::blocking::Client;
use ethcfg_core::state::Source;

use crate::env::Env;
use crate::exit::{CliError, Exit};
use crate::render;

#[derive(Debug, Args)]
#[command(
    after_help = "What revert restores: every feature and setting ethcfg's recorded runs \
managed on the interface (asked for, whether it changed or was already so, or changed as a \
side effect) to its state before ethcfg's first recorded change, then removes the record. A \
feature no run asked for and none saw change is left as it is. The record is bound to the \
device (network namespace, ifindex): a renamed interface is found under its new name; when \
the name now belongs to another device, nothing is touched and the exit is 1; `--forget \
NAME` drops the stale record."
)]
pub(crate) struct RevertArgs {
    /// Interfaces to restore (with --forget: names whose records to drop)
    #[arg(value_name = "IFACE", required = true, num_args = 1..)]
    pub(crate) ifaces: Vec<String>,
    /// Drop the records of these names without touching any device (for a
    /// device that is gone)
    #[arg(long)]
    pub(crate) forget: bool,
    /// Print JSON on stdout, as for `set`
    #[arg(long)]
    pub(crate) json: bool,
    /// Who runs this: cli (the default), hook, config or watch; the
    /// ifupdown hooks and the units pass it
    #[arg(long, value_name = "SOURCE", default_value = "cli", value_parser = super::source)]
    pub(crate) source: Source,
}

pub(crate) fn run(
    a: &RevertArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, CliError> {
    let state = env.state();
    if a.forget {
        let _lock = state.lock()?;
        for name in &a.ifaces {
            let n = state.forget(name)?;
            writeln!(
                err,
                "{name}: {}",
                if n == 0 {
                    "no record to forget".to_owned()
                } else {
                    format!(
                        "forgot {n} record{}",
                        if n == 1 { "" } else { "s" }
                    )
                }
            )?;
        }
        return Ok(Exit::Ok);
    }
    let refs = super::iface_refs(&a.ifaces)?;
    let mut client = Client::new()?;
    let _lock = crate::lock::wait(&state, err)?;
    let outcomes = client.revert(&refs, &state)?;
    crate::exit::reported(
        "the revert was applied and recorded",
        render::outcome::report(&outcomes, a.json, out, err),
        out,
    )?;
    Ok(Exit::of_outcomes(&outcomes))
}
