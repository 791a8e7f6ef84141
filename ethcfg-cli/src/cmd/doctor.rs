//! `ethcfg doctor [IFACE...] [--kernel-log FILE|-] [--root DIR] [--json]`:
//! what the kernel log says is wrong, why, and what to run.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use ethcfg_core::doctor::{self, LogSource, Options};

use crate::env::Env;
use crate::exit::{CliError, Exit};
use crate::render;

#[derive(Debug, Args)]
#[command(
    after_help = "Reads the kernel log (/dev/kmsg: what is buffered, without waiting; or a saved \
dmesg, journalctl -k or syslog file with --kernel-log, - for stdin) and the system, and says what \
is wrong, why, and the commands that fix it. Nothing is changed. Findings: e1000e-hang, \
ice-ddp-os-default, ice-ddp-safe-mode, iscsi-heartbeat-loss.\n\n\
Exit status: 0 when no finding is of severity error (warnings and notes alone included), \
4 when at least one is (the code check uses for drift: something found that needs action), \
1 when doctor itself failed, 2 for a usage error.\n\n\
Example: journalctl -k -b -1 | ethcfg doctor --kernel-log -"
)]
pub(crate) struct DoctorArgs {
    /// Only findings for these interfaces (and host-wide ones)
    #[arg(value_name = "IFACE")]
    pub(crate) ifaces: Vec<String>,
    /// Kernel log to read instead of /dev/kmsg (dmesg, journalctl -k or syslog format; - is stdin)
    #[arg(long, value_name = "FILE")]
    pub(crate) kernel_log: Option<PathBuf>,
    /// Read sysfs, procfs, /lib/firmware and /etc under DIR instead of / (a rescue mount, a fixture)
    #[arg(long, value_name = "DIR")]
    pub(crate) root: Option<PathBuf>,
    /// Print JSON on stdout: {"findings": [{"id", "severity", "interface", "device", "evidence", "explanation", "remedy"}]}
    #[arg(long)]
    pub(crate) json: bool,
}

pub(crate) fn run(
    a: &DoctorArgs,
    env: &Env,
    out: &mut dyn Write,
) -> Result<Exit, CliError> {
    // Without --root, the running system: devlink, the interfaces' current
    // settings. With it, the files under it only.
    let mut opts = match &a.root {
        Some(r) => Options::rooted(r),
        None => Options::new(),
    };
    opts.state_dir = env.state_dir_set().map(Path::to_path_buf);
    opts.profile_dir = env.profile_dir().to_path_buf();
    opts.log = a.kernel_log.as_deref().map(|p| {
        if p == Path::new("-") {
            LogSource::Stdin
        } else {
            LogSource::File(p.to_path_buf())
        }
    });
    opts.ifaces.clone_from(&a.ifaces);
    let report = doctor::run(&opts)?;
    if a.json {
        render::doctor::json(out, &report)?;
    } else {
        render::doctor::text(out, &report)?;
    }
    // Monitoring runs `ethcfg doctor` and looks at the exit status only.
    if report.findings.iter().any(|f| f.severity == doctor::Severity::Error) {
        Ok(Exit::Drift)
    } else {
        Ok(Exit::Ok)
    }
}
