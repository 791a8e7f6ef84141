//! `cargo bench --bench features`: ethcfg against `ethtool` on a real
//! kernel, in a private network namespace full of veth pairs.
//!
//! Plain `std::time::Instant`, no harness: the costs measured here are
//! netlink round trips and process start-ups (tens of µs to ms), far above
//! timer resolution. Needs root (unshare and FEATURES_SET). Arguments that
//! `cargo bench` passes (`--bench`, filters) are ignored.
//!
//! Environment:
//! - `ETHCFG_BENCH_N` (default 1000): how many veth interfaces (N/2 pairs)
//!   for the `show` and `set` comparisons;
//! - `ETHCFG_BENCH_ITERS` (default 2000): calls per single-interface
//!   library measurement.
//!
//! See benches/README.md for what each row means.

use std::error::Error;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ethcfg_core::blocking::Client;
use ethcfg_core::{FeatureRequest, IfaceRef};

type Res<T> = Result<T, Box<dyn Error>>;

/// The feature every SET toggles: GSO, which every veth lets change.
const FEATURE: &str = "tx-generic-segmentation";
/// One-process measurements are repeated this often; the median is shown.
const REPEATS: usize = 5;
/// Processes started to measure start-up alone.
const STARTS: usize = 300;
const ETHCFG: &str = env!("CARGO_BIN_EXE_ethcfg");

fn main() -> Res<()> {
    // Its own process, so the main thread can move itself: every thread and
    // child process started from here on lives in the new namespace, and
    // the namespace (with all its veths) goes away when the process exits.
    #[allow(unsafe_code)]
    // SAFETY: unshare(2) takes a flag word and touches no memory of ours.
    let rc = unsafe { libc::unshare(libc::CLONE_NEWNET) };
    if rc != 0 {
        return Err(format!(
            "unshare(CLONE_NEWNET) failed ({}): this benchmark needs root (CAP_SYS_ADMIN)",
            std::io::Error::last_os_error()
        )
        .into());
    }

    // `ethcfg set` may record what it changes in a state directory keyed by
    // interface name (`ETHCFG_STATE_DIR`, default /run/ethcfg), which is not
    // per network namespace: keep this run's records out of the host's, on
    // the same file system as the default, and remove them at the end.
    let state = TempDir::new(
        Path::new("/run").join(format!("ethcfg-bench-{}", std::process::id())),
    )?;
    std::env::set_var("ETHCFG_STATE_DIR", &state.0);

    let n = env_usize("ETHCFG_BENCH_N", 1000)?.max(2);
    let iters = env_usize("ETHCFG_BENCH_ITERS", 2000)?.max(2);

    println!("ethcfg feature benchmarks (private network namespace)");
    println!("  kernel:  {}", capture(&["uname", "-r"])?);
    println!("  nproc:   {}", capture(&["nproc"])?);
    println!("  ethtool: {}", capture(&["ethtool", "--version"])?);
    println!("  ethcfg:  {ETHCFG}");
    println!(
        "  state:   {} (ETHCFG_STATE_DIR; removed at exit)",
        state.0.display()
    );

    let t = Instant::now();
    let ifaces = create_veths(n)?;
    println!(
        "  created {} veth interfaces ({} pairs, one `ip -batch -`) in {:.0} ms",
        ifaces.len(),
        ifaces.len() / 2,
        ms(t.elapsed())
    );
    let first = ifaces.first().ok_or("no interfaces")?.clone();
    println!();

    let mut table = Table::default();
    let mut restore = Client::new()?;
    set_all(&mut restore, &ifaces, true)?;

    // ---- process start-up: the floor under every per-process row -------
    table.section(format!(
        "process start-up, {STARTS} processes each (no netlink)"
    ));
    for (args, cmp) in [
        (&["true"][..], None),
        (&["ethtool", "--version"][..], Some(Is(START))),
        (&[ETHCFG, "--version"][..], Some(Vs(START))),
    ] {
        run(args)?;
        let d = timed(|| {
            for _ in 0..STARTS {
                run(args)?;
            }
            Ok(())
        })?;
        table.row(&args.join(" ").replace(ETHCFG, "ethcfg"), STARTS, d, cmp);
    }

    // ---- (a) one interface, library round trips -----------------------
    table.section(format!(
        "one interface ({first}), {iters} library calls in one process"
    ));
    let iface = IfaceRef::by_name(first.clone())?;
    let off = FeatureRequest::new().disable(FEATURE);
    let on = FeatureRequest::new().enable(FEATURE);
    let mut client = Client::new()?;
    {
        client.features(&iface)?;
        let d = timed(|| {
            for _ in 0..iters {
                client.features(&iface)?;
            }
            Ok(())
        })?;
        table.row("FEATURES_GET: Client::features", iters, d, Vs(GET));
    }
    {
        // One plan per direction, each made while the feature is in the
        // other state, so that both carry the bit.
        let plan_off = client.plan_features(&iface, &off)?;
        client.execute(&plan_off)?;
        let plan_on = client.plan_features(&iface, &on)?;
        client.execute(&plan_on)?;
        if plan_off.is_empty() || plan_on.is_empty() {
            return Err(
                format!("{FEATURE} cannot be toggled on {first}").into()
            );
        }
        let mut unchanged = 0usize;
        let d = timed(|| {
            for k in 0..iters {
                let plan = if k % 2 == 0 { &plan_off } else { &plan_on };
                if !client.execute(plan)?.changed() {
                    unchanged += 1;
                }
            }
            Ok(())
        })?;
        if unchanged > 0 {
            return Err(format!(
                "{unchanged} of {iters} FEATURES_SETs changed nothing"
            )
            .into());
        }
        table.row(
            "FEATURES_SET: Client::execute(precomputed plan)",
            iters,
            d,
            Vs(SET),
        );
    }
    {
        let mut unchanged = 0usize;
        let d = timed(|| {
            for k in 0..iters {
                let req = if k % 2 == 0 { &off } else { &on };
                if !client.set_features(&iface, req)?.changed() {
                    unchanged += 1;
                }
            }
            Ok(())
        })?;
        if unchanged > 0 {
            return Err(format!(
                "{unchanged} of {iters} set_features calls changed nothing"
            )
            .into());
        }
        table.row("GET+SET: Client::set_features", iters, d, Vs(SET));
    }
    // An even number of toggles from `on`: back to `on`.
    verify_all(&mut restore, &ifaces, true)?;

    // ---- (b) show: N interfaces --------------------------------------
    table.section(format!("show: {} veth interfaces", ifaces.len()));
    {
        run(&["ethtool", "--json", "-k", &first])?; // warm the page cache
        let d = timed(|| {
            for i in &ifaces {
                run(&["ethtool", "--json", "-k", i])?;
            }
            Ok(())
        })?;
        table.row(
            "ethtool --json -k IFACE, one process each",
            ifaces.len(),
            d,
            Is(GET),
        );
    }
    {
        run(&[ETHCFG, "show", "--json", &first])?;
        let d = timed(|| {
            for i in &ifaces {
                run(&[ETHCFG, "show", "--json", i])?;
            }
            Ok(())
        })?;
        table.row(
            "ethcfg show --json IFACE, one process each",
            ifaces.len(),
            d,
            Vs(GET),
        );
    }
    let d = median(|| run(&[ETHCFG, "show", "--json"]))?;
    table.row(
        "ethcfg show --json (one process, all)",
        ifaces.len(),
        d,
        Vs(GET),
    );
    let d = median(|| run(&[ETHCFG, "show"]))?;
    table.row("ethcfg show (text; one process, all)", ifaces.len(), d, Vs(GET));
    {
        let mut client = Client::new()?;
        let mut seen = 0;
        let d = median(|| {
            seen = client.features_all()?.len();
            Ok(())
        })?;
        if seen < ifaces.len() {
            return Err(format!(
                "features_all saw {seen} interfaces, expected at least {}",
                ifaces.len()
            )
            .into());
        }
        table.row(
            "lib Client::features_all() (one dump)",
            ifaces.len(),
            d,
            Vs(GET),
        );
    }
    {
        let refs = iface_refs(&ifaces)?;
        let mut client = Client::new()?;
        let d = timed(|| {
            for r in &refs {
                client.features(r)?;
            }
            Ok(())
        })?;
        table.row(
            "lib Client::features(IFACE) each, one client",
            ifaces.len(),
            d,
            Vs(GET),
        );
    }

    // ---- (c) set: gso off on N interfaces -----------------------------
    // Every run starts with GSO on everywhere and must leave it off
    // everywhere: each timed call really changes something.
    table.section(format!(
        "set gso off: {} veth interfaces, every call changes it",
        ifaces.len()
    ));
    {
        let d = timed(|| {
            for i in &ifaces {
                run(&["ethtool", "-K", i, "gso", "off"])?;
            }
            Ok(())
        })?;
        verify_all(&mut restore, &ifaces, false)?;
        table.row(
            "ethtool -K IFACE gso off, one process each",
            ifaces.len(),
            d,
            Is(SET),
        );
    }
    {
        set_all(&mut restore, &ifaces, true)?;
        let d = timed(|| {
            for i in &ifaces {
                run(&[ETHCFG, "set", i, "gso", "off"])?;
            }
            Ok(())
        })?;
        verify_all(&mut restore, &ifaces, false)?;
        table.row(
            "ethcfg set IFACE gso off, one process each",
            ifaces.len(),
            d,
            Vs(SET),
        );
    }
    {
        set_all(&mut restore, &ifaces, true)?;
        let refs = iface_refs(&ifaces)?;
        let req = FeatureRequest::new().disable("gso");
        let mut client = Client::new()?;
        let d = timed(|| {
            for r in &refs {
                if !client.set_features(r, &req)?.changed() {
                    return Err(
                        format!("gso off on {r} changed nothing").into()
                    );
                }
            }
            Ok(())
        })?;
        verify_all(&mut restore, &ifaces, false)?;
        table.row(
            "lib Client::set_features(gso off) each, one client",
            ifaces.len(),
            d,
            Vs(SET),
        );
    }

    table.print();
    Ok(())
}

/// The ethtool rows the others are compared with.
const GET: &str = "ethtool -k";
const SET: &str = "ethtool -K";
const START: &str = "ethtool --version";

/// How a row relates to a baseline: it is one, or is compared with one.
enum Cmp {
    Is(&'static str),
    Vs(&'static str),
}
use Cmp::{Is, Vs};

/// Result rows, printed at the end as one table (ratios are worked out
/// then, so a row may come before its baseline).
#[derive(Default)]
struct Table {
    lines: Vec<Line>,
    baselines: Vec<(&'static str, f64)>,
}

enum Line {
    Section(String),
    Row { op: String, n: usize, total: Duration, per_us: f64, cmp: Option<Cmp> },
}

impl Table {
    fn section(&mut self, title: String) {
        self.lines.push(Line::Section(title));
    }

    fn row(
        &mut self,
        op: &str,
        n: usize,
        total: Duration,
        cmp: impl Into<Option<Cmp>>,
    ) {
        let per_us = total.as_secs_f64() * 1e6 / n as f64;
        let cmp = cmp.into();
        if let Some(Is(name)) = cmp {
            self.baselines.push((name, per_us));
        }
        self.lines.push(Line::Row { op: op.to_owned(), n, total, per_us, cmp });
    }

    fn print(&self) {
        let w = 52;
        let header = format!(
            "{:<w$} {:>6} {:>10} {:>12} {:>12}",
            "operation", "N", "total ms", "per-item µs", "vs ethtool"
        );
        println!("{header}");
        println!("{}", "-".repeat(header.chars().count()));
        for l in &self.lines {
            match l {
                Line::Section(s) => println!("[{s}]"),
                Line::Row { op, n, total, per_us, cmp } => {
                    let vs = match cmp {
                        None => String::new(),
                        Some(Is(_)) => "(baseline)".to_owned(),
                        Some(Vs(name)) => {
                            match self.baselines.iter().find(|(b, _)| b == name)
                            {
                                Some((_, b)) => ratio(b / per_us),
                                None => "-".to_owned(),
                            }
                        }
                    };
                    println!(
                        "{op:<w$} {n:>6} {:>10.1} {per_us:>12.1} {vs:>12}",
                        ms(*total)
                    );
                }
            }
        }
        println!();
        println!("per-item = total / N: per interface, or per call in the one-interface rows.");
        println!("vs ethtool = ethtool's per-item time / this row's (>1: faster than ethtool);");
        println!("  start-up is compared with `ethtool --version`;");
        println!("  GETs are compared with one `ethtool --json -k IFACE` process per interface,");
        println!(
            "  SETs with one `ethtool -K IFACE gso off` process per interface."
        );
        println!("One-process `show` rows and features_all are the median of {REPEATS} runs; the rest are one run.");
    }
}

/// `6.2x`, `0.86x`: two significant digits below 1.
fn ratio(x: f64) -> String {
    if x < 1.0 {
        format!("{x:.2}x")
    } else {
        format!("{x:.1}x")
    }
}

fn env_usize(var: &str, default: usize) -> Res<usize> {
    match std::env::var(var) {
        Ok(s) => {
            Ok(s.trim().parse().map_err(|e| format!("{var}={s:?}: {e}"))?)
        }
        Err(std::env::VarError::NotPresent) => Ok(default),
        Err(e) => Err(format!("{var}: {e}").into()),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn timed(mut f: impl FnMut() -> Res<()>) -> Res<Duration> {
    let t = Instant::now();
    f()?;
    Ok(t.elapsed())
}

/// One warm-up run, then the median of [`REPEATS`] timed runs.
fn median(mut f: impl FnMut() -> Res<()>) -> Res<Duration> {
    f()?;
    let mut ds =
        (0..REPEATS).map(|_| timed(&mut f)).collect::<Res<Vec<_>>>()?;
    ds.sort();
    ds.get(REPEATS / 2).copied().ok_or_else(|| "no runs".into())
}

/// A directory removed (with its contents) when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(path: PathBuf) -> Res<Self> {
        std::fs::create_dir_all(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs a command with output to /dev/null; a failure is an error.
fn run(args: &[&str]) -> Res<()> {
    let (prog, rest) = args.split_first().ok_or("empty command")?;
    let st = Command::new(prog)
        .args(rest)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("{prog}: {e}"))?;
    if !st.success() {
        return Err(format!("{args:?} failed: {st}").into());
    }
    Ok(())
}

/// Runs a command and returns its trimmed stdout.
fn capture(args: &[&str]) -> Res<String> {
    let (prog, rest) = args.split_first().ok_or("empty command")?;
    let out = Command::new(prog)
        .args(rest)
        .output()
        .map_err(|e| format!("{prog}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Creates ceil(n/2) veth pairs `vbNNNNa`/`vbNNNNb` with one `ip -batch -`
/// and returns their names (both ends).
fn create_veths(n: usize) -> Res<Vec<String>> {
    let pairs = n.div_ceil(2);
    let mut script = String::new();
    let mut names = Vec::with_capacity(pairs * 2);
    for p in 0..pairs {
        let (a, b) = (format!("vb{p:04}a"), format!("vb{p:04}b"));
        script.push_str(&format!("link add {a} type veth peer name {b}\n"));
        names.push(a);
        names.push(b);
    }
    let mut child = Command::new("ip")
        .args(["-batch", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("ip: {e}"))?;
    child.stdin.take().ok_or("ip: no stdin")?.write_all(script.as_bytes())?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        return Err(format!(
            "ip -batch failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(names)
}

fn iface_refs(names: &[String]) -> Res<Vec<IfaceRef>> {
    Ok(names
        .iter()
        .map(|n| IfaceRef::by_name(n.as_str()))
        .collect::<Result<Vec<_>, _>>()?)
}

/// Puts GSO in state `on` on every interface (untimed), and checks it.
fn set_all(client: &mut Client, ifaces: &[String], on: bool) -> Res<()> {
    let req = FeatureRequest::new().set(FEATURE, on);
    for r in iface_refs(ifaces)? {
        client.set_features(&r, &req)?;
    }
    verify_all(client, ifaces, on)
}

/// Checks that GSO is in state `on` on every interface, from one dump.
fn verify_all(client: &mut Client, ifaces: &[String], on: bool) -> Res<()> {
    let all = client.features_all()?;
    let wrong = ifaces
        .iter()
        .filter(|i| {
            let f = all.iter().find(|f| &f.ifname == *i);
            f.and_then(|f| f.get(FEATURE)).map(|x| x.active) != Some(on)
        })
        .count();
    if wrong > 0 {
        let state = if on { "on" } else { "off" };
        return Err(format!(
            "{wrong} interfaces do not have {FEATURE} {state}"
        )
        .into());
    }
    Ok(())
}
