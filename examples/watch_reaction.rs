//! The reaction time of whatever applies bindings when an interface
//! appears: `N` veth pairs are created one at a time (`ip link add wbI
//! type veth peer name xbI`), and for each the time from its RTM_NEWLINK
//! (as this program's monitor receives it) to the ethtool notification
//! that shows `tx-tcp-segmentation` off on it. With `udev` as the mode,
//! this program plays udev: on each new `wb*` link it runs `ETHCFG apply
//! --config --source config IFACE` (a fresh process per event, as the
//! rule does); with `watch`, an `ethcfg watch` started by the caller does
//! the work. Run as root inside a network namespace (benches/watch.sh).
//!
//! Usage: watch_reaction watch|udev N [ETHCFG]

use std::process::Command;
use std::time::{Duration, Instant};

use ethcfg_core::blocking::Client;
use ethcfg_core::events::{Event, Monitor};
use ethcfg_core::IfaceRef;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map(String::as_str).unwrap_or("watch");
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let ethcfg = args.get(3).cloned().unwrap_or_else(|| "ethcfg".into());
    let mut monitor = Monitor::new()?;
    let mut client = Client::new()?;
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let name = format!("wb{i}");
        let st = Command::new("ip")
            .args([
                "link",
                "add",
                &name,
                "type",
                "veth",
                "peer",
                "name",
                &format!("xb{i}"),
            ])
            .status()?;
        if !st.success() {
            return Err(format!("ip link add {name} failed").into());
        }
        // From this program's read of the link notification to a read
        // of the features showing the binding applied (polled: the
        // features notification may be read before the link one).
        let t0 = loop {
            let Some(ev) = monitor.next() else {
                return Err("monitor ended".into());
            };
            if let Event::LinkAdded { ifname, .. } = ev? {
                if ifname == name {
                    break Instant::now();
                }
            }
        };
        if mode == "udev" {
            let st = Command::new(&ethcfg)
                .args(["apply", "--config", "--source", "config", &name])
                .stdout(std::process::Stdio::null())
                .status()?;
            if !st.success() {
                return Err(format!("apply --config {name} failed").into());
            }
        }
        let iface = IfaceRef::by_name(&name)?;
        loop {
            let f = client.features(&iface)?;
            if f.get("tx-tcp-segmentation").is_some_and(|f| !f.active) {
                times.push(t0.elapsed());
                break;
            }
            if t0.elapsed() > Duration::from_secs(10) {
                return Err(format!("{name}: not applied within 10 s").into());
            }
        }
    }
    times.sort();
    let pct = |p: usize| {
        times
            .get((times.len() * p / 100).min(times.len().saturating_sub(1)))
            .copied()
            .unwrap_or(Duration::ZERO)
    };
    println!(
        "{mode}: {} creations: median {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        times.len(),
        pct(50).as_secs_f64() * 1e3,
        pct(99).as_secs_f64() * 1e3,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
    Ok(())
}
