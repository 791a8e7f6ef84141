//! `ethcfg revert IFACE... [--json]`: back to before the last apply or set.

use std::io::Write;

use clap::Args;
use ethcfg_core::blocking::Client;

use crate::env::Env;
use crate::exit::{CliError, Exit};
use crate::render;

#[derive(Debug, Args)]
pub(crate) struct RevertArgs {
    /// Interfaces to restore
    #[arg(value_name = "IFACE", required = true, num_args = 1..)]
    pub(crate) ifaces: Vec<String>,
    /// Print JSON on stdout, as for `set`
    #[arg(long)]
    pub(crate) json: bool,
}

pub(crate) fn run(
    a: &RevertArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, CliError> {
    let refs = super::iface_refs(&a.ifaces)?;
    let state = env.state();
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
