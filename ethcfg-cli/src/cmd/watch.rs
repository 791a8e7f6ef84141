//! `ethcfg watch [--config FILE] [--json]`: keeps the configuration's
//! bindings applied. Listens to link and ethtool notifications (the
//! library's [`Monitor`]); applies a binding when a matching interface
//! appears (added, renamed into it, moved in) and, for `enforce =
//! "drift"`, when something else changes what it sets — damped
//! ([`Damper`]). An overrun resyncs everything; SIGHUP re-reads the
//! configuration (a broken one keeps the old); SIGTERM and SIGINT exit 0.
//! One line per action on stderr; `--json` prints them as JSON on stdout.
//! Under a service manager (`NOTIFY_SOCKET`, systemd's `Type=notify`) it
//! says when it is ready — its sockets joined and the interfaces present
//! brought to their bindings, or `--ready-timeout` passed — and when it
//! reloads and stops ([`Notifier`]).

use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use clap::Args;
use ethcfg_core::blocking::Client;
use ethcfg_core::change::{BindMode, BindingResult, BindingTarget};
use ethcfg_core::config::{Config, Enforce};
use ethcfg_core::events::{Event, Monitor};
use ethcfg_core::profile::Profiles;
use ethcfg_core::state::{Source, StateDir};
use ethcfg_core::watch::{Damper, Verdict};
use nix::sys::signal::{SigSet, Signal};

use crate::env::Env;
use crate::exit::{CliError, Exit};
use crate::notify::Notifier;

#[derive(Debug, Args)]
#[command(
    after_help = "Applies the configuration's bindings to the interfaces present, then whenever \
a matching interface appears (hotplug, driver reload, rename, move into the namespace) and, for \
bindings with enforce = \"drift\", whenever something else changes what they set. After too many \
re-applies on one interface within the damping window it stops enforcing there and logs an error \
naming the feature. SIGHUP re-reads the configuration (a broken one keeps the old); SIGTERM exits 0. \
Idle, it sleeps on its sockets.\n\n\
Run by systemd as a Type=notify service (NOTIFY_SOCKET set), it reports ready once its sockets \
listen and every interface present has its bindings, so units ordered after it (network-pre.target) \
start only then; the status line counts the interfaces applied and failed. A start-up apply still \
running after --ready-timeout seconds reports ready anyway and goes on, so a slow driver holds \
the boot at most that long. A reload reports RELOADING=1 then READY=1, SIGTERM STOPPING=1."
)]
pub(crate) struct WatchArgs {
    /// The configuration file (default: ETHCFG_CONFIG, else /etc/ethcfg/ethcfg.toml)
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Print one JSON object per action on stdout
    #[arg(long)]
    pub(crate) json: bool,
    /// Re-applies on one interface within --damp-window before enforcing stops there
    #[arg(long, default_value_t = Damper::DEFAULT_LIMIT, value_name = "N")]
    pub(crate) damp_limit: usize,
    /// The damping window, in seconds
    #[arg(long, default_value_t = Damper::DEFAULT_WINDOW.as_secs(), value_name = "SECONDS")]
    pub(crate) damp_window: u64,
    /// Under a service manager, report ready after this many seconds even if the start-up apply is still running
    #[arg(long, default_value_t = READY_TIMEOUT, value_name = "SECONDS")]
    pub(crate) ready_timeout: u64,
}

/// `--ready-timeout`'s default: below the unit's `TimeoutStartSec=` (45 s)
/// with room to spare, so systemd never gives up on a start that is only
/// slow (it would stop watch), and short enough that a slow driver holds
/// `network-pre.target` no longer than the boot oneshot's 30 s would.
const READY_TIMEOUT: u64 = 20;

/// What a run over many interfaces came to, for the service manager's
/// status line.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    /// Interfaces brought to their bindings (changed or already so).
    applied: usize,
    /// Interfaces whose bindings did not resolve or apply.
    failed: usize,
    /// The interfaces could not be listed: nothing was tried.
    unlisted: bool,
}

impl Tally {
    fn status(self, why: &str) -> String {
        if self.unlisted {
            return format!(
                "{why}: the interfaces could not be listed; watching"
            );
        }
        let plural = if self.applied == 1 { "" } else { "s" };
        format!(
            "{why}: {} interface{plural} applied, {} failed; watching",
            self.applied, self.failed
        )
    }
}

/// What the event loop and the signal thread share.
struct Shared {
    config: Config,
    profiles: Profiles,
    client: Client,
    damper: Damper,
    json: bool,
    state: StateDir,
}

fn lock(m: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One action line: text on stderr, or JSON on stdout.
fn log(json: bool, what: &str, ifname: &str, detail: &str) {
    if json {
        let line = serde_json::json!({ "event": what, "ifname": ifname, "detail": detail });
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}").and_then(|()| out.flush());
    } else {
        let _ = writeln!(
            std::io::stderr().lock(),
            "ethcfg watch: {ifname}: {what}: {detail}"
        );
    }
}

fn load(
    path: &std::path::Path,
    env: &Env,
) -> Result<(Config, Profiles), ethcfg_core::Error> {
    let profiles = Profiles::load(env.profile_dir())?;
    let mut config = Config::load(path)?;
    config.check_profiles(&profiles);
    for b in &config.broken {
        log(false, "binding skipped", "-", &b.to_string());
    }
    Ok((config, profiles))
}

impl Shared {
    fn target(&self, name: &str, ifindex: u32) -> Option<BindingTarget> {
        match crate::cmd::config::target_at(
            &self.config,
            &self.profiles,
            name,
            Some(ifindex),
        ) {
            Ok(t) => Some(t),
            Err(e) => {
                log(self.json, "error", name, &e.to_string());
                None
            }
        }
    }

    /// Applies `t`, under the state lock, and logs what happened.
    fn apply(&mut self, t: &BindingTarget, why: &str) {
        self.apply_all(std::slice::from_ref(t), why);
    }

    /// Applies `targets` in one run, under the state lock, and logs what
    /// happened to each.
    fn apply_all(&mut self, targets: &[BindingTarget], why: &str) -> Tally {
        let _held = self.state.lock();
        let r = self.client.apply_bindings(
            targets,
            &self.state,
            Source::Watch,
            BindMode::Apply,
        );
        let results = match r {
            Ok(r) => r,
            Err(e) => {
                log(self.json, "error", "-", &e.to_string());
                return Tally { failed: targets.len(), ..Tally::default() };
            }
        };
        let mut tally = Tally::default();
        for (name, r) in results {
            match &r {
                Ok(BindingResult::Applied { .. }) => tally.applied += 1,
                Err(_) => tally.failed += 1,
                Ok(_) => {}
            }
            match r {
                Ok(BindingResult::Applied { outcome, .. }) => {
                    let changed: Vec<String> = outcome
                        .changes
                        .iter()
                        .map(|c| {
                            format!(
                                "{} {}",
                                c.feature,
                                if c.to { "on" } else { "off" }
                            )
                        })
                        .chain(outcome.settings.iter().map(|s| {
                            format!("{} {} {}", s.group, s.key, s.now)
                        }))
                        .collect();
                    if !changed.is_empty() {
                        log(
                            self.json,
                            "applied",
                            &name,
                            &format!("{why}: {}", changed.join(", ")),
                        );
                    }
                }
                Ok(BindingResult::Reverted(_)) => log(
                    self.json,
                    "reverted",
                    &name,
                    "no binding matches it any more",
                ),
                Ok(_) => {}
                Err(e) => log(self.json, "error", &name, &e.to_string()),
            }
        }
        tally
    }

    /// Every interface present brought to its bindings (start, overrun,
    /// new configuration), in one run. A link dump that links being
    /// created keep interrupting is tried again at once; the events that
    /// interrupted it are queued for the monitor meanwhile.
    fn resync(&mut self, why: &str) -> Tally {
        let mut tries = 0;
        let links = loop {
            match ethcfg_core::host::link_kinds() {
                Ok(l) => break l,
                Err(e) if tries < 100 => {
                    tries += 1;
                    let _ = e;
                    std::thread::yield_now();
                }
                Err(e) => {
                    log(self.json, "error", "-", &format!("resync: {e}"));
                    return Tally { unlisted: true, ..Tally::default() };
                }
            }
        };
        // Removals lost in an overrun: what the damper keeps for gone
        // interfaces goes (ifindexes are never reused in a namespace).
        let present: std::collections::HashSet<u32> =
            links.iter().map(|l| l.ifindex).collect();
        self.damper.retain(|i| present.contains(&i));
        let mut unresolved = 0;
        let targets: Vec<BindingTarget> = links
            .iter()
            .filter_map(|l| {
                let t = self.target(&l.ifname, l.ifindex);
                unresolved += usize::from(t.is_none());
                t
            })
            .filter(|t| t.desired.is_some())
            .collect();
        let mut tally = self.apply_all(&targets, why);
        tally.failed += unresolved;
        tally
    }

    /// A feature or setting changed: under `enforce = "drift"`, re-apply
    /// what differs from the bindings, damped.
    fn drift(&mut self, name: &str, ifindex: u32) {
        // Every change the watcher itself makes comes back as an event:
        // without a binding that enforces against drift, nothing to look
        // up.
        if !self.config.bindings.iter().any(|b| b.enforce == Enforce::Drift)
            || self.damper.is_damped(ifindex)
        {
            return;
        }
        let Some(t) = self.target(name, ifindex) else { return };
        if !t.desired.as_ref().is_some_and(|d| d.enforce == Enforce::Drift) {
            return;
        }
        if self.damper.is_damped(ifindex) {
            return;
        }
        let drift = match self.client.apply_bindings(
            std::slice::from_ref(&t),
            &self.state,
            Source::Watch,
            BindMode::Check,
        ) {
            Ok(r) => r.into_iter().find_map(|(_, r)| match r {
                Ok(BindingResult::Drift(o)) => Some(o),
                _ => None,
            }),
            Err(e) => return log(self.json, "error", name, &e.to_string()),
        };
        let Some(o) =
            drift.filter(|o| !o.changes.is_empty() || !o.settings.is_empty())
        else {
            return;
        };
        let what: Vec<String> = o
            .changes
            .iter()
            .map(|c| c.feature.to_string())
            .chain(o.settings.iter().map(|s| format!("{} {}", s.group, s.key)))
            .collect();
        match self.damper.drift(ifindex, Instant::now()) {
            Verdict::Reapply => self.apply(&t, &format!("drift of {}", what.join(", "))),
            Verdict::Damp { count, window } => log(
                self.json,
                "error: damped",
                name,
                &format!(
                    "{} changed by something else {count} times within {}s; stopped enforcing on {name} until it appears again",
                    what.join(", "),
                    window.as_secs()
                ),
            ),
            _ => {}
        }
    }
}

/// Logs a notification that could not be sent; watch goes on regardless.
fn tell(json: bool, sent: std::io::Result<()>) {
    if let Err(e) = sent {
        log(json, "error", "-", &format!("notifying the service manager: {e}"));
    }
}

/// Start-up readiness: `READY=1` once the start-up apply is done, or when
/// `--ready-timeout` passes first; then the boot goes on while the apply
/// finishes, and its final status follows. The timer is a thread that
/// waits once and ends with the start-up: nothing wakes an idle watch.
struct Startup {
    notifier: Notifier,
    json: bool,
    /// Whether `READY=1` went out; held while sending, so the timer's
    /// message and the final one cannot cross.
    ready: Arc<Mutex<bool>>,
    /// Dropped when the start-up apply ends, which wakes the timer.
    done: Option<mpsc::Sender<()>>,
}

impl Startup {
    fn begin(notifier: &Notifier, json: bool, timeout: Duration) -> Startup {
        let mut s = Startup {
            notifier: notifier.clone(),
            json,
            ready: Arc::new(Mutex::new(false)),
            done: None,
        };
        if notifier.is_set() {
            let (tx, rx) = mpsc::channel::<()>();
            let (n, ready) = (notifier.clone(), Arc::clone(&s.ready));
            let timer = move || {
                if rx.recv_timeout(timeout) == Err(RecvTimeoutError::Timeout) {
                    let why = format!(
                        "the start-up apply is still running after {}s; \
                         ready so the boot goes on",
                        timeout.as_secs()
                    );
                    let mut sent = ready
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    if !*sent {
                        log(json, "ready", "-", &why);
                        tell(json, n.ready(&why));
                        *sent = true;
                    }
                }
            };
            match std::thread::Builder::new()
                .name("ready-timeout".into())
                .spawn(timer)
            {
                Ok(_) => s.done = Some(tx),
                // Ready when the apply ends, however long it takes.
                Err(e) => log(json, "error", "-", &format!("ready timer: {e}")),
            }
        }
        s
    }

    /// The start-up apply ended with `status`.
    fn done(mut self, status: &str) {
        drop(self.done.take());
        let mut sent = self
            .ready
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *sent {
            tell(self.json, self.notifier.status(status));
        } else if self.notifier.is_set() {
            log(self.json, "ready", "-", status);
            tell(self.json, self.notifier.ready(status));
            *sent = true;
        }
    }
}

pub(crate) fn run(
    a: &WatchArgs,
    env: &Env,
    _out: &mut dyn Write,
    _err: &mut dyn Write,
) -> Result<Exit, CliError> {
    let path = a.config.clone().unwrap_or_else(|| env.config_path());
    // Signals are blocked before any thread starts, so every thread
    // inherits the mask and only the signal thread takes them.
    let mut set = SigSet::empty();
    set.add(Signal::SIGINT);
    set.add(Signal::SIGTERM);
    set.add(Signal::SIGHUP);
    set.thread_block().map_err(|e| CliError::Io(e.into()))?;
    let notifier = Notifier::new(env.notify_socket());
    let (config, profiles) = load(&path, env)?;
    // Joined before the first resync: nothing appearing meanwhile is missed.
    let monitor = Monitor::new()?;
    let shared = Arc::new(Mutex::new(Shared {
        config,
        profiles,
        client: Client::new()?,
        damper: Damper::new(a.damp_limit, Duration::from_secs(a.damp_window)),
        json: a.json,
        // Records kept in memory between events: an event costs the same
        // however many interfaces the namespace has.
        state: env.state().cached(),
    }));
    {
        let startup = Startup::begin(
            &notifier,
            a.json,
            Duration::from_secs(a.ready_timeout),
        );
        let mut s = lock(&shared);
        let tally = s.resync("start");
        log(s.json, "watching", "-", &path.display().to_string());
        startup.done(&tally.status("start"));
    }
    let sig = Arc::clone(&shared);
    let env2 = env.clone();
    let json = a.json;
    std::thread::Builder::new().name("signals".into()).spawn(move || loop {
        match set.wait() {
            Ok(Signal::SIGHUP) => {
                tell(json, notifier.reloading("reloading the configuration"));
                let mut s = lock(&sig);
                let status = match load(&path, &env2) {
                    Ok((c, p)) => {
                        s.config = c;
                        s.profiles = p;
                        log(
                            s.json,
                            "reloaded",
                            "-",
                            &path.display().to_string(),
                        );
                        s.resync("configuration reloaded")
                            .status("configuration reloaded")
                    }
                    Err(e) => {
                        log(
                            s.json,
                            "reload failed",
                            "-",
                            &format!("{e}; keeping the configuration in use"),
                        );
                        format!("reload failed, keeping the configuration in use: {e}")
                    }
                };
                tell(json, notifier.ready(&status));
            }
            Ok(_) => {
                tell(json, notifier.stopping("stopping"));
                // Not in the middle of an apply.
                let _s = lock(&sig);
                std::process::exit(0);
            }
            Err(_) => {}
        }
    })?;
    for event in monitor {
        let event = match event {
            Ok(e) => e,
            Err(e) => {
                log(a.json, "error", "-", &e.to_string());
                continue;
            }
        };
        let mut s = lock(&shared);
        match event {
            Event::LinkAdded { ifindex, ifname, .. } => {
                s.damper.forget(ifindex);
                if let Some(t) = s.target(&ifname, ifindex) {
                    if t.desired.is_some() {
                        s.apply(&t, "appeared");
                    }
                }
            }
            Event::LinkRenamed { ifindex, ifname, .. } => {
                if let Some(t) = s.target(&ifname, ifindex) {
                    if t.desired.is_some() {
                        s.apply(&t, "renamed");
                    }
                }
            }
            Event::LinkRemoved { ifindex, .. } => s.damper.forget(ifindex),
            Event::FeaturesChanged { ifindex, ifname, .. }
            | Event::SettingsChanged { ifindex, ifname, .. } => {
                s.drift(&ifname, ifindex)
            }
            Event::Overrun => {
                log(
                    s.json,
                    "overrun",
                    "-",
                    "notifications were lost; resyncing every interface",
                );
                s.resync("resync after overrun");
            }
            _ => {}
        }
    }
    Err(CliError::Failed(
        "the notification sockets failed; watch stopped".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixDatagram;

    fn socket(tag: &str) -> (UnixDatagram, Notifier, PathBuf) {
        let dir = std::env::temp_dir()
            .join(format!("ethcfg-startup-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("notify");
        let rx = UnixDatagram::bind(&path).unwrap();
        rx.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        (rx, Notifier::new(Some(path.as_os_str())), dir)
    }

    fn received(rx: &UnixDatagram) -> String {
        let mut buf = [0u8; 512];
        let n = rx.recv(&mut buf).unwrap();
        String::from_utf8(buf[..n].to_vec()).unwrap()
    }

    #[test]
    fn ready_when_the_start_up_apply_ends() {
        let (rx, n, dir) = socket("ends");
        let s = Startup::begin(&n, true, Duration::from_secs(600));
        s.done("start: 3 interfaces applied, 0 failed; watching");
        assert_eq!(
            received(&rx),
            "READY=1\nSTATUS=start: 3 interfaces applied, 0 failed; watching\n"
        );
        // The timer ended with the start-up: nothing more comes.
        rx.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        let mut buf = [0u8; 64];
        assert!(rx.recv(&mut buf).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn ready_at_the_timeout_then_the_final_status() {
        let (rx, n, dir) = socket("timeout");
        let s = Startup::begin(&n, true, Duration::ZERO);
        let first = received(&rx);
        assert!(
            first.starts_with(
                "READY=1\nSTATUS=the start-up apply is still running after 0s"
            ),
            "{first}"
        );
        s.done("start: 1 interface applied, 1 failed; watching");
        assert_eq!(
            received(&rx),
            "STATUS=start: 1 interface applied, 1 failed; watching\n"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn without_a_service_manager_nothing_starts() {
        let s = Startup::begin(&Notifier::new(None), true, Duration::ZERO);
        assert!(s.done.is_none());
        s.done("x");
    }
}
