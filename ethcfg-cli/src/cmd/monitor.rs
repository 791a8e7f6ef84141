//! `ethcfg monitor [--json]`: feature, settings and link changes as they
//! happen, until SIGINT or SIGTERM (exit 0) or an error.

use std::collections::HashMap;
use std::io::Write;

use clap::Args;
use ethcfg_core::blocking::Client;
use ethcfg_core::events::{Event, Monitor};
use ethcfg_core::features::Feature;
use ethcfg_core::Features;
use nix::sys::signal::{SigSet, Signal};

use crate::exit::{CliError, Exit};
use crate::render::monitor::{self as render, Change};

#[derive(Debug, Args)]
#[command(
    after_help = "One line per change, with kernel names: for features, the ones whose state \
changed since the interface's last change (`eth0: features: rx-gro off`); for settings, the group that changed; for links, added, removed, \
renamed, up and down. Runs until SIGINT or SIGTERM (exit 0). When the kernel drops notifications \
(the socket overran) a note goes to stderr and monitoring goes on."
)]
pub(crate) struct MonitorArgs {
    /// Print one JSON object per line: {"event": EVENT, "ifindex": N, "ifname": NAME, ...}, EVENT one of features, settings, link-added, link-removed, link-renamed, link-changed, overrun
    #[arg(long)]
    pub(crate) json: bool,
}

/// SIGINT and SIGTERM end the run with exit 0: blocked here (before any
/// thread is started, so every thread inherits the mask) and waited for
/// by a thread of their own, which exits the process. The monitor stays
/// asleep on its sockets meanwhile, and every line written is already
/// flushed.
fn exit_on_signal() -> Result<(), CliError> {
    let mut set = SigSet::empty();
    set.add(Signal::SIGINT);
    set.add(Signal::SIGTERM);
    set.thread_block().map_err(|e| CliError::Io(e.into()))?;
    std::thread::Builder::new().name("signals".into()).spawn(move || {
        if set.wait().is_ok() {
            std::process::exit(0);
        }
    })?;
    Ok(())
}

/// The features of `now` whose state differs from `before`'s (all of
/// them when there is no `before`).
fn changed(before: Option<&Features>, now: &Features) -> Vec<Feature> {
    now.iter()
        .filter(|f| {
            before.and_then(|b| b.get(&f.name)).is_none_or(|b| {
                (b.active, b.requested) != (f.active, f.requested)
            })
        })
        .collect()
}

/// Every interface's features now, by ifindex: what the next change of
/// each is shown against.
fn baseline(client: &mut Client) -> Result<HashMap<u32, Features>, CliError> {
    let all = client.features_all()?;
    Ok(all.into_iter().map(|f| (f.ifindex, f)).collect())
}

pub(crate) fn run(
    a: &MonitorArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, CliError> {
    exit_on_signal()?;
    // Listening first, then the baseline: a change in between is seen.
    let monitor = Monitor::new()?;
    let mut client = Client::new()?;
    let mut last = baseline(&mut client)?;
    for event in monitor {
        let event = event?;
        let features = match &event {
            Event::FeaturesChanged { ifindex, features, .. } => {
                let c = changed(last.get(ifindex), features);
                last.insert(*ifindex, features.clone());
                c
            }
            Event::LinkRemoved { ifindex, .. } => {
                last.remove(ifindex);
                Vec::new()
            }
            Event::Overrun => {
                render::overrun_note(err)?;
                // What was missed is lost; what is shown next is a change
                // from the state now, not from before the overrun.
                last = baseline(&mut client)?;
                Vec::new()
            }
            _ => Vec::new(),
        };
        let change = Change { event: &event, features: &features };
        if a.json {
            render::json(out, &change)?;
        } else {
            render::text(out, &change)?;
        }
        out.flush()?;
    }
    Ok(Exit::Ok)
}
