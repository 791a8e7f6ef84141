//! `ethcfg watch [--config FILE] [--json]`: keeps the configuration's
//! bindings applied. Listens to link and ethtool notifications (the
//! library's [`Monitor`]); applies a binding when a matching interface
//! appears (added, renamed into it, moved in) and, for `enforce =
//! "drift"`, when something else changes what it sets — damped
//! ([`Damper`]). An overrun resyncs everything; SIGHUP re-reads the
//! configuration (a broken one keeps the old); SIGTERM and SIGINT exit 0.
//! One line per action on stderr; `--json` prints them as JSON on stdout.

use std::io::Write;
use std::path::PathBuf;
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

#[derive(Debug, Args)]
#[command(
    after_help = "Applies the configuration's bindings to the interfaces present, then whenever \
a matching interface appears (hotplug, driver reload, rename, move into the namespace) and, for \
bindings with enforce = \"drift\", whenever something else changes what they set. After too many \
re-applies on one interface within the damping window it stops enforcing there and logs an error \
naming the feature. SIGHUP re-reads the configuration (a broken one keeps the old); SIGTERM exits 0. \
Idle, it sleeps on its sockets."
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
    fn apply_all(&mut self, targets: &[BindingTarget], why: &str) {
        let _held = self.state.lock();
        let r = self.client.apply_bindings(
            targets,
            &self.state,
            Source::Watch,
            BindMode::Apply,
        );
        let results = match r {
            Ok(r) => r,
            Err(e) => return log(self.json, "error", "-", &e.to_string()),
        };
        for (name, r) in results {
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
    }

    /// Every interface present brought to its bindings (start, overrun,
    /// new configuration), in one run. A link dump that links being
    /// created keep interrupting is tried again at once; the events that
    /// interrupted it are queued for the monitor meanwhile.
    fn resync(&mut self, why: &str) {
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
                    return log(
                        self.json,
                        "error",
                        "-",
                        &format!("resync: {e}"),
                    )
                }
            }
        };
        // Removals lost in an overrun: what the damper keeps for gone
        // interfaces goes (ifindexes are never reused in a namespace).
        let present: std::collections::HashSet<u32> =
            links.iter().map(|l| l.ifindex).collect();
        self.damper.retain(|i| present.contains(&i));
        let targets: Vec<BindingTarget> = links
            .iter()
            .filter_map(|l| self.target(&l.ifname, l.ifindex))
            .filter(|t| t.desired.is_some())
            .collect();
        self.apply_all(&targets, why);
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
        let mut s = lock(&shared);
        s.resync("start");
        log(s.json, "watching", "-", &path.display().to_string());
    }
    let sig = Arc::clone(&shared);
    let env2 = env.clone();
    std::thread::Builder::new().name("signals".into()).spawn(move || loop {
        match set.wait() {
            Ok(Signal::SIGHUP) => {
                let mut s = lock(&sig);
                match load(&path, &env2) {
                    Ok((c, p)) => {
                        s.config = c;
                        s.profiles = p;
                        log(
                            s.json,
                            "reloaded",
                            "-",
                            &path.display().to_string(),
                        );
                        s.resync("configuration reloaded");
                    }
                    Err(e) => log(
                        s.json,
                        "reload failed",
                        "-",
                        &format!("{e}; keeping the configuration in use"),
                    ),
                }
            }
            Ok(_) => {
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
