//! `ethcfg impact MODULE [--root DIR] [--json]`: what unloading a module
//! takes with it.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use ethcfg_core::host::HostRoot;
use ethcfg_core::impact;

use crate::env::Env;
use crate::exit::{CliError, Exit};
use crate::render;

#[derive(Debug, Args)]
#[command(
    after_help = "From /proc/modules, /sys/module/*/holders and the driver behind every network \
interface: the modules holding MODULE (they must go first), what rmmod of them and MODULE unloads, \
what modprobe -r unloads on top (dependencies whose use count drops to zero), the interfaces that \
vanish, whether a management interface (default route, SSH session) is among them, and a sequence \
that keeps it up. Nothing is changed.\n\nExample: ethcfg impact ice"
)]
pub(crate) struct ImpactArgs {
    /// The module (dashes and underscores are the same)
    pub(crate) module: String,
    /// Read sysfs and procfs under DIR instead of /
    #[arg(long, value_name = "DIR")]
    pub(crate) root: Option<PathBuf>,
    /// Print JSON on stdout: {"module", "holders", "rmmod", "modprobe_r", "management_interfaces", "safe_sequence"}
    #[arg(long)]
    pub(crate) json: bool,
}

pub(crate) fn run(
    a: &ImpactArgs,
    env: &Env,
    out: &mut dyn Write,
) -> Result<Exit, CliError> {
    let system = a.root.clone().map_or_else(HostRoot::live, HostRoot::dir);
    let i = impact::impact(&system, &env.hints, &a.module)?;
    if a.json {
        render::impact::json(out, &i)?;
    } else {
        render::impact::text(out, &i)?;
    }
    Ok(Exit::Ok)
}
