//! `ethcfg metrics [--config] [--output FILE] [--kernel-log FILE|-]`: what ethcfg
//! manages and what the kernel log says, in Prometheus's text format for
//! node_exporter's textfile collector, written atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use ethcfg_core::doctor::{self, LogSource};
use ethcfg_core::metrics::{self, Options};

use crate::env::Env;
use crate::exit::{CliError, Exit};
use crate::render;

#[derive(Debug, Args)]
#[command(
    after_help = "Exports, per interface ethcfg keeps a record of: the profile in effect \
(ethcfg_managed), drift from it (ethcfg_drift 0/1, ethcfg_drifted_values), changes the device \
refuses (ethcfg_refused_changes), the managed features' states (ethcfg_feature_active), the \
time of the last apply (ethcfg_last_apply_timestamp_seconds); and from the kernel log the \
count of each doctor finding (ethcfg_doctor_findings) and its events (ethcfg_doctor_events: \
e1000e hangs, igc link drops, r8169 transmit timeouts, ice safe mode). A part that cannot be \
read is exported as ethcfg_records_up 0 or ethcfg_doctor_up 0; the exit is 0 unless the \
output cannot be written.\n\n\
--output writes a temporary file in the same directory and renames it over FILE, so the \
textfile collector never reads half a file. Example (the ethcfg-metrics.timer does this): \
ethcfg metrics --output /var/lib/prometheus/node-exporter/ethcfg.prom"
)]
pub(crate) struct MetricsArgs {
    /// Write to FILE atomically instead of stdout (- is stdout)
    #[arg(long, short = 'o', value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Kernel log to read instead of /dev/kmsg (dmesg, journalctl -k or syslog format; - is stdin)
    #[arg(long, value_name = "FILE", conflicts_with = "no_kernel_log")]
    pub(crate) kernel_log: Option<PathBuf>,
    /// Leave the kernel log out (no ethcfg_doctor_* metrics)
    #[arg(long)]
    pub(crate) no_kernel_log: bool,
    /// Per binding of the configuration file (ETHCFG_CONFIG, default
    /// /etc/ethcfg/ethcfg.toml) instead of per record: every interface a
    /// binding matches, checked against what its bindings want
    #[arg(long)]
    pub(crate) config: bool,
}

/// What the configuration's bindings want of each interface present (its
/// profile named after the bindings' lines); broken bindings and
/// interfaces whose bindings contradict each other are told on stderr.
fn bound(
    env: &Env,
    state: &ethcfg_core::state::StateDir,
) -> Result<(Vec<metrics::Expected>, Option<String>), CliError> {
    let mut err = std::io::stderr();
    let profiles = ethcfg_core::profile::Profiles::load(env.profile_dir())?;
    let config = super::config::load(&env.config_path(), &profiles, &mut err)?;
    let (records, records_error) = match state.load_all() {
        Ok(r) => (r, None),
        Err(e) => (Default::default(), Some(e.to_string())),
    };
    let mut out = Vec::new();
    for (name, ifindex) in super::config::present()? {
        let id = super::config::identify(&config, &name);
        match config.desired(&id, &profiles) {
            Ok(Some(d)) => out.push(metrics::Expected::bound(
                &name,
                ifindex,
                &d,
                records.get(&ifindex),
            )),
            Ok(None) => {}
            Err(e) => writeln!(err, "ethcfg: error: {name}: {e}")?,
        }
    }
    Ok((out, records_error))
}

pub(crate) fn run(
    a: &MetricsArgs,
    env: &Env,
    out: &mut dyn Write,
) -> Result<Exit, CliError> {
    let mut opts = Options::new(env.state());
    opts.profile_dir = env.profile_dir().to_path_buf();
    opts.doctor = (!a.no_kernel_log).then(|| {
        let mut d = doctor::Options::new();
        d.state_dir = env.state_dir_set().map(Path::to_path_buf);
        d.profile_dir = env.profile_dir().to_path_buf();
        d.log = a.kernel_log.as_deref().map(|p| {
            if p == Path::new("-") {
                LogSource::Stdin
            } else {
                LogSource::File(p.to_path_buf())
            }
        });
        d
    });
    let snapshot = if a.config {
        let (expected, records_error) = bound(env, &opts.state)?;
        metrics::gather_with(&expected, records_error, &opts)
    } else {
        metrics::gather(&opts)
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut text = Vec::new();
    render::metrics::text(&mut text, &snapshot, now)?;
    match a.output.as_deref() {
        None => out.write_all(&text)?,
        Some(p) if p == Path::new("-") => out.write_all(&text)?,
        Some(p) => write_atomic(p, &text).map_err(|e| {
            std::io::Error::new(e.kind(), format!("write {}: {e}", p.display()))
        })?,
    }
    Ok(Exit::Ok)
}

/// Writes `bytes` to a new file beside `path` and renames it over
/// `path`: a reader sees the old file or the new one, never a part. The
/// temporary name does not end in `.prom`, so the collector skips it.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path.file_name().map_or_else(
        || std::ffi::OsString::from("metrics"),
        std::ffi::OsStr::to_os_string,
    );
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(&name);
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = dir.join(tmp_name);
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().inspect_err(|_| {
        // Nothing half-written is left behind for the next run to trip on.
        let _ = std::fs::remove_file(&tmp);
    })
}
