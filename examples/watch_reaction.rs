//! The reaction time of whatever applies bindings when an interface
//! appears: `N` veth pairs are created one at a time (`wbI` with peer
//! `xbI`, by an RTM_NEWLINK request this program sends itself), and for
//! each the time from just before that request is sent to a read of the
//! features showing `tx-tcp-segmentation` off on `wbI`. The time includes
//! the kernel's creating the pair: an upper bound of the reaction, never
//! flattered by when this program gets round to reading its own
//! notification (with `ip link add` as a separate process, the watcher
//! had applied the binding before the program saw the link appear). With
//! `udev` as the mode, this program plays udev: on each new `wb*` link
//! its monitor reports, it runs `ETHCFG apply --config --source config
//! IFACE` (a fresh process per event, as the rule does); with `watch`, an
//! `ethcfg watch` started by the caller does the work. Run as root inside
//! a network namespace (benches/watch.sh).
//!
//! Usage: watch_reaction watch|udev N [ETHCFG]

use std::process::Command;
use std::time::{Duration, Instant};

use ethcfg_core::blocking::Client;
use ethcfg_core::events::{Event, Monitor};
use ethcfg_core::IfaceRef;
use netlink_sys::{protocols::NETLINK_ROUTE, Socket, SocketAddr};

/// A netlink attribute: length, type, value, padded to 4 bytes.
fn attr(buf: &mut Vec<u8>, kind: u16, value: &[u8]) {
    buf.extend_from_slice(&((4 + value.len()) as u16).to_ne_bytes());
    buf.extend_from_slice(&kind.to_ne_bytes());
    buf.extend_from_slice(value);
    buf.resize(buf.len().next_multiple_of(4), 0);
}

/// `f`'s attributes nested in attribute `kind`.
fn nest(buf: &mut Vec<u8>, kind: u16, f: impl FnOnce(&mut Vec<u8>)) {
    let start = buf.len();
    buf.extend_from_slice(&[0; 4]);
    f(buf);
    let len = (buf.len() - start) as u16;
    buf[start..start + 2].copy_from_slice(&len.to_ne_bytes());
    buf[start + 2..start + 4].copy_from_slice(&(kind | 0x8000).to_ne_bytes());
}

fn cstr(name: &str) -> Vec<u8> {
    let mut v = name.as_bytes().to_vec();
    v.push(0);
    v
}

/// Creates veth `name` with peer `peer` (RTM_NEWLINK, as `ip link add`
/// sends it) and waits for the kernel's answer.
fn create_veth(
    rtnl: &Socket,
    name: &str,
    peer: &str,
    seq: u32,
) -> Result<(), Box<dyn std::error::Error>> {
    const RTM_NEWLINK: u16 = 16;
    const IFLA_IFNAME: u16 = 3;
    const IFLA_LINKINFO: u16 = 18;
    const IFLA_INFO_KIND: u16 = 1;
    const IFLA_INFO_DATA: u16 = 2;
    const VETH_INFO_PEER: u16 = 1;
    // NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE
    const FLAGS: u16 = 0x1 | 0x4 | 0x200 | 0x400;
    let mut m = vec![0u8; 16 + 16]; // header, then struct ifinfomsg
    attr(&mut m, IFLA_IFNAME, &cstr(name));
    nest(&mut m, IFLA_LINKINFO, |b| {
        attr(b, IFLA_INFO_KIND, b"veth");
        nest(b, IFLA_INFO_DATA, |b| {
            nest(b, VETH_INFO_PEER, |b| {
                b.extend_from_slice(&[0; 16]);
                attr(b, IFLA_IFNAME, &cstr(peer));
            });
        });
    });
    let len = m.len() as u32;
    m[0..4].copy_from_slice(&len.to_ne_bytes());
    m[4..6].copy_from_slice(&RTM_NEWLINK.to_ne_bytes());
    m[6..8].copy_from_slice(&FLAGS.to_ne_bytes());
    m[8..12].copy_from_slice(&seq.to_ne_bytes());
    rtnl.send(&m, 0)?;
    let mut buf = vec![0u8; 8192];
    let n = rtnl.recv(&mut &mut buf[..], 0)?;
    // NLMSG_ERROR (2) with error 0 is the ACK.
    let kind = u16::from_ne_bytes([buf[4], buf[5]]);
    let err = i32::from_ne_bytes([buf[16], buf[17], buf[18], buf[19]]);
    if n < 20 || kind != 2 || err != 0 {
        return Err(format!("creating {name}: errno {}", -err).into());
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map(String::as_str).unwrap_or("watch");
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let ethcfg = args.get(3).cloned().unwrap_or_else(|| "ethcfg".into());
    // Only the udev mode reads link notifications (it acts on them).
    let mut monitor = if mode == "udev" { Some(Monitor::new()?) } else { None };
    let mut client = Client::new()?;
    let mut rtnl = Socket::new(NETLINK_ROUTE)?;
    rtnl.bind_auto()?;
    rtnl.connect(&SocketAddr::new(0, 0))?;
    let mut times = Vec::with_capacity(n);
    let mut creations = Vec::with_capacity(n);
    for i in 0..n {
        let name = format!("wb{i}");
        let t0 = Instant::now();
        create_veth(&rtnl, &name, &format!("xb{i}"), i as u32 + 1)?;
        creations.push(t0.elapsed());
        if let Some(monitor) = monitor.as_mut() {
            // udev's part: act on the link notification.
            loop {
                let Some(ev) = monitor.next() else {
                    return Err("monitor ended".into());
                };
                if let Event::LinkAdded { ifname, .. } = ev? {
                    if ifname == name {
                        break;
                    }
                }
            }
        }
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
    creations.sort();
    let pct = |v: &[Duration], p: usize| {
        v.get((v.len() * p / 100).min(v.len().saturating_sub(1)))
            .copied()
            .unwrap_or(Duration::ZERO)
            .as_secs_f64()
            * 1e3
    };
    println!(
        "{mode}: {} creations: median {:.3} ms, p99 {:.3} ms, max {:.3} ms \
         (of which the kernel's creating the pair: median {:.3} ms, p99 {:.3} ms)",
        times.len(),
        pct(&times, 50),
        pct(&times, 99),
        times.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        pct(&creations, 50),
        pct(&creations, 99),
    );
    Ok(())
}
