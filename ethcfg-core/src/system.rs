//! What the kernel tells about interfaces outside ethtool netlink: the
//! driver bound to a device (sysfs) and the kind of a virtual link
//! (rtnetlink). Paths are rooted at a configurable directory so tests can
//! use fixture trees.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::session::{self, Conn};
use crate::transport::{run_sync, SyncSocket, NETLINK_ROUTE};

/// The rtnetlink link kind of one interface.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LinkKind {
    /// Interface index.
    pub ifindex: u32,
    /// Interface name.
    pub ifname: String,
    /// `IFLA_INFO_KIND` (`veth`, `bridge`, `vlan`, ...); `None` for
    /// physical devices.
    pub kind: Option<String>,
}

/// The driver bound to `ifname`'s device, from
/// `<root>/sys/class/net/<ifname>/device/driver`. `None` for virtual
/// devices (no `device` link), and when sysfs shows a different interface
/// of that name (sysfs belongs to the namespace it was mounted in, so the
/// ifindex must match).
pub fn sysfs_driver(root: &Path, ifname: &str, ifindex: u32) -> Option<String> {
    if ifname.is_empty()
        || ifname.contains('/')
        || ifname == "."
        || ifname == ".."
    {
        return None;
    }
    let dir = root.join("sys/class/net").join(ifname);
    let idx = std::fs::read_to_string(dir.join("ifindex")).ok()?;
    if idx.trim().parse::<u32>().ok()? != ifindex {
        return None;
    }
    let target = std::fs::read_link(dir.join("device/driver")).ok()?;
    target.file_name().map(|n| n.to_string_lossy().into_owned())
}

/// Link kinds (`veth`, `bridge`, ...) of every interface, from one
/// rtnetlink dump.
///
/// # Errors
/// Socket and kernel errors.
pub fn link_kinds() -> Result<Vec<LinkKind>> {
    let mut conn = route_conn()?;
    let links = run_sync(session::links(&mut conn))?;
    Ok(links
        .into_iter()
        .map(|l| LinkKind { ifindex: l.index, ifname: l.name, kind: l.kind })
        .collect())
}

fn route_conn() -> Result<Conn<SyncSocket>> {
    let sock = SyncSocket::new(NETLINK_ROUTE).map_err(|source| Error::Io {
        context: "open rtnetlink socket",
        source,
    })?;
    Ok(Conn::new(sock))
}

/// Every address of every interface: (ifindex, address), from one dump.
///
/// # Errors
/// Socket and kernel errors.
pub fn addresses() -> Result<Vec<(u32, IpAddr)>> {
    let mut conn = route_conn()?;
    run_sync(session::addresses(&mut conn))
}

/// What an interface is: its bound driver (sysfs) and its link kind
/// (rtnetlink), either of which may be absent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Device {
    /// Interface index.
    pub ifindex: u32,
    /// Interface name.
    pub ifname: String,
    /// The driver bound to its device (`e1000e`); `None` for virtual devices.
    pub driver: Option<String>,
    /// The rtnetlink link kind (`veth`); `None` for physical devices.
    pub kind: Option<String>,
}

impl Device {
    /// The driver, or the link kind of a virtual device.
    pub fn driver_or_kind(&self) -> Option<&str> {
        self.driver.as_deref().or(self.kind.as_deref())
    }

    /// For messages: "an e1000 interface", "a virtual veth device".
    pub fn describe(&self) -> String {
        match (&self.driver, &self.kind) {
            (Some(d), _) => format!("an {d} interface"),
            (None, Some(k)) => format!("a virtual {k} device (no driver)"),
            (None, None) => "a device with no driver in sysfs".to_owned(),
        }
    }
}

/// Drivers and kinds of `ifaces` ((name, index) pairs); sysfs under `root`.
pub fn devices(root: &Path, ifaces: &[(&str, u32)]) -> Vec<Device> {
    let mut out: Vec<Device> = ifaces
        .iter()
        .map(|(n, i)| Device {
            ifindex: *i,
            ifname: (*n).to_owned(),
            driver: sysfs_driver(root, n, *i),
            kind: None,
        })
        .collect();
    let unknown = out.iter().filter(|d| d.driver.is_none()).count();
    // A few: ask for each; many: one dump. Either way a failure only costs
    // the kinds.
    if unknown > 0 && unknown <= 16 {
        if let Ok(mut conn) = route_conn() {
            for d in out.iter_mut().filter(|d| d.driver.is_none()) {
                d.kind = run_sync(session::link(&mut conn, d.ifindex))
                    .ok()
                    .flatten()
                    .and_then(|l| l.kind);
            }
        }
    } else if unknown > 16 {
        if let Ok(kinds) = link_kinds() {
            for d in out.iter_mut().filter(|d| d.driver.is_none()) {
                d.kind = kinds
                    .iter()
                    .find(|k| k.ifindex == d.ifindex)
                    .and_then(|k| k.kind.clone());
            }
        }
    }
    out
}

/// Features whose change resets the link on `driver` (its `set_features`
/// reinitialises the adapter): changing them drops traffic for seconds.
pub fn link_reset_features(driver: &str) -> &'static [&'static str] {
    match driver {
        // e1000e_set_features(): a change in RXCSUM, RXHASH, RXFCS, RXALL or
        // the VLAN bits reinitialises the adapter (netdev.c).
        "e1000e" => &[
            "rx-checksum",
            "rx-vlan-hw-parse",
            "tx-vlan-hw-insert",
            "rx-hashing",
            "rx-fcs",
            "rx-all",
        ],
        _ => &[],
    }
}

fn proc_net(root: &Path, file: &str) -> PathBuf {
    if root == Path::new("/") {
        // The calling thread's namespace (tests move threads, not processes).
        let p = PathBuf::from("/proc/thread-self/net").join(file);
        if p.exists() {
            return p;
        }
    }
    root.join("proc/net").join(file)
}

/// Interfaces that carry a default route (IPv4 or IPv6), from
/// `<root>/proc/net/route` and `<root>/proc/net/ipv6_route`.
pub fn default_route_interfaces(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(t) = std::fs::read_to_string(proc_net(root, "route")) {
        for line in t.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if let (Some(iface), Some(&"00000000"), Some(&"00000000")) =
                (f.first(), f.get(1), f.get(7))
            {
                out.push((*iface).to_owned());
            }
        }
    }
    if let Ok(t) = std::fs::read_to_string(proc_net(root, "ipv6_route")) {
        for line in t.lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            let zero = f
                .first()
                .is_some_and(|d| d.len() == 32 && d.chars().all(|c| c == '0'));
            if zero && f.get(1) == Some(&"00") {
                if let Some(iface) = f.last().filter(|i| **i != "lo") {
                    out.push((*iface).to_owned());
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The local address of the SSH session this process runs in
/// (`$SSH_CONNECTION`'s third field).
pub fn ssh_local_address() -> Option<IpAddr> {
    let v = std::env::var("SSH_CONNECTION").ok()?;
    v.split_whitespace().nth(2)?.parse().ok()
}

/// Why `ifname` matters for reaching this machine, if it does: it carries
/// the default route, or the SSH session ethcfg runs in.
pub fn management_reasons(
    root: &Path,
    ifname: &str,
    ifindex: u32,
) -> Vec<String> {
    let mut why = Vec::new();
    if default_route_interfaces(root).iter().any(|i| i == ifname) {
        why.push("it carries the default route".to_owned());
    }
    if let Some(addr) = ssh_local_address() {
        if addresses()
            .unwrap_or_default()
            .iter()
            .any(|(i, a)| *i == ifindex && *a == addr)
        {
            why.push(format!("it carries this SSH session ({addr})"));
        }
    }
    why
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn driver_from_fixture_tree() {
        let root = std::env::temp_dir()
            .join(format!("ethcfg-sysfs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let net = root.join("sys/class/net/eno1");
        let drv = root.join("sys/bus/pci/drivers/e1000e");
        let dev = root.join("sys/devices/pci0000:00/0000:00:1f.6");
        std::fs::create_dir_all(&net).unwrap();
        std::fs::create_dir_all(&drv).unwrap();
        std::fs::create_dir_all(&dev).unwrap();
        std::fs::write(net.join("ifindex"), "2\n").unwrap();
        std::os::unix::fs::symlink(&dev, net.join("device")).unwrap();
        std::os::unix::fs::symlink(&drv, dev.join("driver")).unwrap();
        assert_eq!(sysfs_driver(&root, "eno1", 2).as_deref(), Some("e1000e"));
        // another namespace's eno1
        assert_eq!(sysfs_driver(&root, "eno1", 7), None);
        assert_eq!(sysfs_driver(&root, "missing", 2), None);
        assert_eq!(sysfs_driver(&root, "../x", 2), None);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn default_routes_from_fixture_proc() {
        let root = std::env::temp_dir()
            .join(format!("ethcfg-proc-{}", std::process::id()));
        let net = root.join("proc/net");
        std::fs::create_dir_all(&net).unwrap();
        std::fs::write(
            net.join("route"),
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
             eno1\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n\
             eno1\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n\
             eno2\t0002A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n",
        )
        .unwrap();
        std::fs::write(
            net.join("ipv6_route"),
            "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003 eno3\n\
             fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001 eno2\n\
             00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200 lo\n",
        )
        .unwrap();
        assert_eq!(default_route_interfaces(&root), ["eno1", "eno3"]);
        assert!(management_reasons(&root, "eno2", 3).is_empty());
        assert_eq!(
            management_reasons(&root, "eno1", 2),
            ["it carries the default route"]
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn e1000e_link_resetting_features() {
        assert!(link_reset_features("e1000e").contains(&"rx-vlan-hw-parse"));
        assert!(!link_reset_features("e1000e").contains(&"tx-tcp-segmentation"));
        assert!(link_reset_features("veth").is_empty());
    }
}
