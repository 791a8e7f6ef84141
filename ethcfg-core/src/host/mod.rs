//! Host facts: what the kernel tells about interfaces outside ethtool
//! netlink — the driver bound to a device, modules and the devices they
//! drive (sysfs, procfs), the kind, master and addresses of a link
//! (rtnetlink, in `host/rtnl.rs`), and which interfaces matter for
//! reaching the machine.
//!
//! Nothing here reads process state: where sysfs and procfs are, and
//! whether that is the running system (whose sockets may be opened), is a
//! [`HostRoot`]; what only the caller knows (the SSH session it runs in)
//! comes in [`ManagementHints`]. A [`HostRoot::dir`] is read as files
//! only, so fixture trees and another system's copies work the same way.
//!
//! May use: `crate::error`, `crate::fs`, `crate::netlink`, and the connection
//! (`ethtool::session::Conn`) the ethtool session is written on.

mod identity;
pub(crate) mod rtnl;

pub mod stack;

pub use identity::{identity, Identity};

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::netlink::conn::Conn;
use crate::netlink::transport::{run_sync, SyncSocket, NETLINK_ROUTE};

/// Where host facts are read: the running system, or a directory that
/// holds another system's sysfs and procfs (a fixture tree, a copy taken
/// from a machine in trouble).
///
/// Only the live system is asked over sockets (rtnetlink) and through the
/// calling thread's `/proc/thread-self`; under a [`HostRoot::dir`] nothing
/// outside the directory is read and no socket is opened, even when the
/// directory is `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostRoot {
    dir: PathBuf,
    live: bool,
}

impl HostRoot {
    /// The running system's root: where [`HostRoot::live`] reads sysfs
    /// (`/sys`) and procfs (`/proc`).
    pub const LIVE_DIR: &'static str = "/";

    /// The running system: files under [`HostRoot::LIVE_DIR`], the calling
    /// thread's network namespace, and rtnetlink for what files do not say.
    pub fn live() -> Self {
        HostRoot { dir: PathBuf::from(Self::LIVE_DIR), live: true }
    }

    /// The files under `dir`, and nothing else.
    pub fn dir(dir: impl Into<PathBuf>) -> Self {
        HostRoot { dir: dir.into(), live: false }
    }

    /// The directory files are read under.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Whether this is the running system (sockets may be opened).
    pub fn is_live(&self) -> bool {
        self.live
    }

    /// `<root>/proc/net/<file>`: on the live system, the calling thread's
    /// namespace's (tests move threads into namespaces, not processes).
    fn proc_net(&self, file: &str) -> PathBuf {
        if self.live {
            let p = self.dir.join("proc/thread-self/net").join(file);
            if p.exists() {
                return p;
            }
        }
        self.dir.join("proc/net").join(file)
    }
}

impl Default for HostRoot {
    /// [`HostRoot::live`].
    fn default() -> Self {
        Self::live()
    }
}

/// What only the caller knows about how this machine is reached; the
/// library reads no environment to find out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ManagementHints {
    /// The local address of the SSH session the caller runs in (the CLI
    /// takes it from `$SSH_CONNECTION`): the interface that carries it is
    /// a management interface. Looked up on the live system only.
    pub ssh_local: Option<IpAddr>,
}

impl ManagementHints {
    /// No hints: only the default routes say which interfaces matter.
    pub fn new() -> Self {
        Self::default()
    }

    /// The local address of the caller's SSH session.
    #[must_use]
    pub fn with_ssh_local(mut self, addr: Option<IpAddr>) -> Self {
        self.ssh_local = addr;
        self
    }

    /// Hints from the value of `$SSH_CONNECTION` (`client_ip client_port
    /// server_ip server_port`): its third field is the local address. An
    /// unparsable value gives no hint.
    pub fn from_ssh_connection(value: &str) -> Self {
        Self::new().with_ssh_local(
            value.split_whitespace().nth(2).and_then(|a| a.parse().ok()),
        )
    }
}

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
    // The driver link first: virtual devices have none, and fail here
    // without a second lookup.
    let target = std::fs::read_link(dir.join("device/driver")).ok()?;
    let idx = crate::fs::read_regular_string(
        &dir.join("ifindex"),
        crate::fs::SYSFS_CAP,
    )
    .ok()?;
    if idx.trim().parse::<u32>().ok()? != ifindex {
        return None;
    }
    target.file_name().map(|n| n.to_string_lossy().into_owned())
}

/// Link kinds (`veth`, `bridge`, ...) of every interface, from one
/// rtnetlink dump.
///
/// # Errors
/// Socket and kernel errors.
pub fn link_kinds() -> Result<Vec<LinkKind>> {
    let mut conn = route_conn()?;
    let links = run_sync(rtnl::links(&mut conn))?;
    Ok(links
        .into_iter()
        .map(|l| LinkKind { ifindex: l.index, ifname: l.name, kind: l.kind })
        .collect())
}

/// The kernel's primary name of the interface `name` names (itself, or
/// the interface an alternative name belongs to); `None` when this network
/// namespace has no such interface.
///
/// # Errors
/// Socket and kernel errors other than "no such device".
pub fn kernel_name(name: &str) -> Result<Option<String>> {
    let mut conn = route_conn()?;
    Ok(run_sync(rtnl::link_by_name(&mut conn, name))?.map(|l| l.name))
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
    run_sync(rtnl::addresses(&mut conn))
}

/// What an interface is: its bound driver (sysfs) and its link kind
/// (rtnetlink), either of which may be absent.
///
/// Which readers fill what: [`devices`] both (the kind on the live system,
/// for devices without a driver); [`drivers`] the driver only; the
/// crate's guard reads the driver only, and only for the drivers it asks
/// about.
/// A field a reader does not look up is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Device {
    /// Interface index.
    pub ifindex: u32,
    /// Interface name.
    pub ifname: String,
    /// The driver bound to its device (`e1000e`); `None` for virtual
    /// devices, and when the reader did not look it up.
    pub driver: Option<String>,
    /// The rtnetlink link kind (`veth`) of a device without a driver;
    /// `None` for physical devices, and when the reader did not look it up.
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

/// Drivers and kinds of `ifaces` ((name, index) pairs): drivers from
/// sysfs under `root`; on the live system, the link kind of every device
/// without a driver, from rtnetlink. Under a
/// [`HostRoot::dir`] there is no rtnetlink to ask, and kinds stay `None`.
pub fn devices(root: &HostRoot, ifaces: &[(&str, u32)]) -> Vec<Device> {
    let mut out = drivers(root.path(), ifaces);
    if root.is_live() {
        fill_kinds(&mut out);
    }
    out
}

/// [`devices`] without the link kinds: sysfs only, no netlink; `kind` is
/// `None` for every device.
pub fn drivers(root: &Path, ifaces: &[(&str, u32)]) -> Vec<Device> {
    ifaces
        .iter()
        .map(|(n, i)| Device {
            ifindex: *i,
            ifname: (*n).to_owned(),
            driver: sysfs_driver(root, n, *i),
            kind: None,
        })
        .collect()
}

/// Like [`drivers`], but finds only interfaces bound to one of `wanted`
/// (every other device gets `driver: None`; `kind` is `None` for every
/// device), by listing those drivers'
/// devices in `<root>/sys/bus/*/drivers/<driver>/*/net/` instead of one
/// lookup per interface.
pub(crate) fn drivers_among(
    root: &Path,
    ifaces: &[(&str, u32)],
    wanted: &[&str],
) -> Vec<Device> {
    let mut found: std::collections::HashMap<String, String> =
        std::collections::HashMap::new();
    // A driver the kernel has not got (neither a module loaded nor built
    // in: both have `sys/module/NAME`, a PCI driver's named as it is) has
    // no devices: one lookup, not one per bus.
    let present: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|drv| {
            root.join("sys/module").join(drv).symlink_metadata().is_ok()
        })
        .collect();
    if present.is_empty() {
        return ifaces
            .iter()
            .map(|(n, i)| Device {
                ifindex: *i,
                ifname: (*n).to_owned(),
                driver: None,
                kind: None,
            })
            .collect();
    }
    let buses =
        std::fs::read_dir(root.join("sys/bus")).into_iter().flatten().flatten();
    for bus in buses {
        for drv in &present {
            let Ok(devs) =
                std::fs::read_dir(bus.path().join("drivers").join(drv))
            else {
                continue;
            };
            for dev in devs.flatten() {
                let Ok(nets) = std::fs::read_dir(dev.path().join("net")) else {
                    continue;
                };
                for n in nets.flatten() {
                    found.insert(
                        n.file_name().to_string_lossy().into_owned(),
                        (*drv).to_owned(),
                    );
                }
            }
        }
    }
    ifaces
        .iter()
        .map(|(n, i)| {
            // Confirm with the interface's own sysfs entry (and its index:
            // sysfs belongs to the namespace it was mounted in).
            let driver = found.get(*n).and_then(|_| sysfs_driver(root, n, *i));
            Device { ifindex: *i, ifname: (*n).to_owned(), driver, kind: None }
        })
        .collect()
}

/// Drivers with features whose change resets the link (see
/// `change::link_resetting`).
pub const LINK_RESET_DRIVERS: &[&str] = &["e1000e"];

/// Fills in the link kind of every device without a driver, over
/// rtnetlink in the calling thread's network namespace (the live system):
/// one request each for a few, one dump for many. A failure only costs the
/// kinds.
pub(crate) fn fill_kinds(devices: &mut [Device]) {
    let unknown = devices.iter().filter(|d| d.driver.is_none()).count();
    if unknown == 0 {
        return;
    }
    if unknown <= 16 {
        if let Ok(mut conn) = route_conn() {
            for d in devices.iter_mut().filter(|d| d.driver.is_none()) {
                d.kind = run_sync(rtnl::link(&mut conn, d.ifindex))
                    .ok()
                    .flatten()
                    .and_then(|l| l.kind);
            }
        }
    } else if let Ok(kinds) = link_kinds() {
        let by_index: std::collections::HashMap<u32, Option<String>> =
            kinds.into_iter().map(|k| (k.ifindex, k.kind)).collect();
        for d in devices.iter_mut().filter(|d| d.driver.is_none()) {
            d.kind = by_index.get(&d.ifindex).cloned().flatten();
        }
    }
}

/// Features whose change resets the link on `driver` (its `set_features`
/// reinitialises the adapter): changing them drops traffic for seconds.
pub(crate) fn link_reset_features(driver: &str) -> &'static [&'static str] {
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

/// Interfaces that carry a default route (IPv4 or IPv6), from
/// `<root>/proc/net/route` and `<root>/proc/net/ipv6_route` (on the live
/// system, the calling thread's namespace's).
pub(crate) fn default_route_interfaces(root: &HostRoot) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(t) = crate::fs::read_regular_string(
        &root.proc_net("route"),
        crate::fs::PROC_TABLE_CAP,
    ) {
        for line in t.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if let (Some(iface), Some(&"00000000"), Some(&"00000000")) =
                (f.first(), f.get(1), f.get(7))
            {
                out.push((*iface).to_owned());
            }
        }
    }
    if let Ok(t) = crate::fs::read_regular_string(
        &root.proc_net("ipv6_route"),
        crate::fs::PROC_TABLE_CAP,
    ) {
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

/// Why `ifname` matters for reaching this machine, if it does: it carries
/// the default route, or (on the live system) the SSH session of
/// `hints` — itself, or through a device stacked on it (its bridge, bond
/// or VLAN, at any depth, named: on Proxmox both are on `vmbr0`, not on
/// its port `eno1`, and a port's link reset cuts them all the same).
pub fn management_reasons(
    root: &HostRoot,
    hints: &ManagementHints,
    ifname: &str,
    ifindex: u32,
) -> Vec<String> {
    let mut why = own_management_reasons(root, hints, ifname, ifindex);
    // Breadth first over the uppers, each once, a bounded number: sysfs
    // has no cycles, but a directory tree given as root could.
    let mut seen = vec![ifname.to_owned()];
    let mut queue: std::collections::VecDeque<String> =
        stack::uppers(root.path(), ifname).into();
    while let Some(upper) = queue.pop_front() {
        if seen.contains(&upper) || seen.len() > 64 {
            continue;
        }
        seen.push(upper.clone());
        let index = crate::fs::read_regular_string(
            &root.path().join("sys/class/net").join(&upper).join("ifindex"),
            crate::fs::SYSFS_CAP,
        )
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(0);
        let kind = stack::devtype(root.path(), &upper)
            .unwrap_or_else(|| "upper device".to_owned());
        for r in own_management_reasons(root, hints, &upper, index) {
            why.push(format!(
                "its {kind} {upper} {}",
                r.strip_prefix("it ").unwrap_or(&r)
            ));
        }
        queue.extend(stack::uppers(root.path(), &upper));
    }
    why
}

/// [`management_reasons`] of `ifname` itself.
fn own_management_reasons(
    root: &HostRoot,
    hints: &ManagementHints,
    ifname: &str,
    ifindex: u32,
) -> Vec<String> {
    let mut why = Vec::new();
    if default_route_interfaces(root).iter().any(|i| i == ifname) {
        why.push("it carries the default route".to_owned());
    }
    if let Some(addr) = hints.ssh_local.filter(|_| root.is_live()) {
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

// ---------------------------------------------------------------------------
// Kernel modules and the devices they drive (for `impact`), and the
// management interfaces: sysfs and procfs under `root`.

/// One loaded module: a line of `/proc/modules`
/// (`name size refcount users state address [taints]`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoadedModule {
    /// Module name, with underscores (`net_failover`).
    pub name: String,
    /// Its reference count; `None` on kernels without module unloading
    /// (the column is `-`), where nothing can be unloaded.
    pub refcount: Option<u32>,
    /// Modules that use it ("Used by"), without the trailing commas.
    pub users: Vec<String>,
    /// `[permanent]`: it can never be unloaded.
    pub permanent: bool,
    /// `Live`, `Loading` or `Unloading`.
    pub state: String,
}

/// The kernel's spelling of a module name: `modprobe` accepts dashes,
/// `/proc/modules` and `/sys/module` use underscores.
pub(crate) fn module_name(name: &str) -> String {
    name.trim().replace('-', "_")
}

/// Parses `/proc/modules` text; lines that do not have the format are
/// skipped.
pub(crate) fn parse_proc_modules(text: &str) -> Vec<LoadedModule> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let (name, refs, users, state) =
                (f.first()?, f.get(2)?, f.get(3)?, f.get(4)?);
            let refcount = match *refs {
                "-" => None,
                n => Some(n.parse().ok()?),
            };
            let mut permanent = false;
            let users = users
                .split(',')
                .filter(|u| !u.is_empty() && *u != "-")
                .filter(|u| {
                    permanent |= *u == "[permanent]";
                    !u.starts_with('[')
                })
                .map(str::to_owned)
                .collect();
            Some(LoadedModule {
                name: module_name(name),
                refcount,
                users,
                permanent,
                state: (*state).to_owned(),
            })
        })
        .collect()
}

/// `<root>/proc/modules`, parsed; an error when it cannot be read (a
/// kernel built without loadable modules has none; a FIFO or an oversized
/// file there is refused, never waited on).
pub(crate) fn loaded_modules(
    root: &Path,
) -> std::io::Result<Vec<LoadedModule>> {
    crate::fs::read_regular_string(
        &root.join("proc/modules"),
        crate::fs::PROC_TABLE_CAP,
    )
    .map(|text| parse_proc_modules(&text))
}

fn dir_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn link_name(path: &Path) -> Option<String> {
    let target = std::fs::read_link(path).ok()?;
    Some(target.file_name()?.to_string_lossy().into_owned())
}

/// The modules holding `module`: `<root>/sys/module/<module>/holders/*`.
pub(crate) fn module_holders(root: &Path, module: &str) -> Vec<String> {
    if module.is_empty() || module.contains('/') || module.starts_with('.') {
        return Vec::new();
    }
    dir_names(&root.join("sys/module").join(module).join("holders"))
        .iter()
        .map(|h| module_name(h))
        .collect()
}

/// Whether `<root>/sys/module/<module>` exists: a loaded module, or a
/// built-in one with parameters or a driver.
pub(crate) fn module_in_sysfs(root: &Path, module: &str) -> bool {
    !module.is_empty()
        && !module.contains('/')
        && !module.starts_with('.')
        && root.join("sys/module").join(module).is_dir()
}

/// A driver bound to a device, and the module it lives in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BoundDriver {
    /// The device's name on its bus (`0000:00:1f.6`, `virtio0`).
    pub device: String,
    /// The driver (`e1000e`, `virtio-pci`).
    pub driver: String,
    /// Its module (`virtio_pci`); `None` for a driver built into the kernel.
    pub module: Option<String>,
}

/// A network interface as sysfs shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NetDevice {
    /// Interface name.
    pub ifname: String,
    /// Interface index (per network namespace).
    pub ifindex: Option<u32>,
    /// Its device's name on its bus (`0000:00:1f.6`); `None` for virtual
    /// interfaces.
    pub device: Option<String>,
    /// Its device and every parent device bound to a driver, nearest
    /// first: `virtio0` (virtio_net), then `0000:00:03.0` (virtio-pci).
    /// Unloading any of their modules takes the interface away.
    pub drivers: Vec<BoundDriver>,
    /// The bridge or bond it is a port of.
    pub master: Option<String>,
    /// Interfaces stacked on it (bridge, bond, VLAN, macvlan).
    pub uppers: Vec<String>,
}

impl NetDevice {
    /// The driver bound to its own device.
    pub fn driver(&self) -> Option<&str> {
        self.drivers
            .first()
            .filter(|d| Some(&d.device) == self.device.as_ref())
            .map(|d| d.driver.as_str())
    }
}

/// The drivers bound to `dev` and its parents, up to `<root>/sys/devices`.
fn bound_drivers(root: &Path, dev: &Path) -> Vec<BoundDriver> {
    let mut out = Vec::new();
    let (Ok(top), Ok(mut cur)) = (
        std::fs::canonicalize(root.join("sys/devices")),
        std::fs::canonicalize(dev),
    ) else {
        return out;
    };
    while cur.starts_with(&top) && cur != top {
        if let Some(driver) = link_name(&cur.join("driver")) {
            out.push(BoundDriver {
                device: cur
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                driver,
                module: link_name(&cur.join("driver/module")),
            });
        }
        if !cur.pop() {
            break;
        }
    }
    out
}

/// Every interface under `<root>/sys/class/net`, by name.
pub fn net_devices(root: &Path) -> Vec<NetDevice> {
    let class = root.join("sys/class/net");
    dir_names(&class)
        .into_iter()
        .map(|ifname| {
            let dir = class.join(&ifname);
            let uppers = dir_names(&dir)
                .iter()
                .filter_map(|n| n.strip_prefix("upper_").map(str::to_owned))
                .collect();
            NetDevice {
                ifindex: crate::fs::read_regular_string(
                    &dir.join("ifindex"),
                    crate::fs::SYSFS_CAP,
                )
                .ok()
                .and_then(|s| s.trim().parse().ok()),
                device: std::fs::canonicalize(dir.join("device"))
                    .ok()
                    .and_then(|p| {
                        Some(p.file_name()?.to_string_lossy().into_owned())
                    }),
                drivers: bound_drivers(root, &dir.join("device")),
                master: link_name(&dir.join("master")),
                uppers,
                ifname,
            }
        })
        .collect()
}

/// The interface whose device is `device` (a PCI address such as
/// `0000:00:1f.6`), through `<root>/sys/class/net/*/device`. The first by
/// name when a device has several (multi-port functions are rare).
pub(crate) fn interface_of_device(root: &Path, device: &str) -> Option<String> {
    let class = root.join("sys/class/net");
    dir_names(&class).into_iter().find(|ifname| {
        std::fs::canonicalize(class.join(ifname).join("device"))
            .ok()
            .is_some_and(|p| p.file_name().is_some_and(|n| n == device))
    })
}

/// An interface that matters for reaching this machine, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ManagementInterface {
    /// Interface name.
    pub ifname: String,
    /// "it carries the default route", "it carries this SSH session (...)".
    pub reasons: Vec<String>,
}

/// The management interfaces: those carrying a default route
/// (`<root>/proc/net/route`, `<root>/proc/net/ipv6_route`) and, on the
/// live system, the one carrying the SSH session of `hints`.
pub fn management_interfaces(
    root: &HostRoot,
    hints: &ManagementHints,
) -> Vec<ManagementInterface> {
    let mut out: Vec<ManagementInterface> = default_route_interfaces(root)
        .into_iter()
        .map(|ifname| ManagementInterface {
            ifname,
            reasons: vec!["it carries the default route".to_owned()],
        })
        .collect();
    if !root.is_live() {
        // A fixture or another system's tree: the caller's SSH session
        // says nothing about it, and there is no rtnetlink to ask.
        return out;
    }
    let Some(addr) = hints.ssh_local else { return out };
    let indexes: Vec<u32> = addresses()
        .unwrap_or_default()
        .iter()
        .filter(|(_, a)| *a == addr)
        .map(|(i, _)| *i)
        .collect();
    for d in net_devices(root.path()) {
        if !d.ifindex.is_some_and(|i| indexes.contains(&i)) {
            continue;
        }
        let why = format!("it carries this SSH session ({addr})");
        match out.iter_mut().find(|m| m.ifname == d.ifname) {
            Some(m) => m.reasons.push(why),
            None => out.push(ManagementInterface {
                ifname: d.ifname,
                reasons: vec![why],
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::tree::Tree;

    #[test]
    fn management_reasons_follow_bridges_bonds_and_vlans_above_a_port() {
        // Proxmox: eno1 a port of vmbr0, which has the default route.
        let t = Tree::new("mgmt-uppers");
        t.pci_nic("0000:00:1f.6", "e1000e", Some("e1000e"), "eno1", 2)
            .pci_nic("0000:00:1f.7", "e1000e", Some("e1000e"), "eno2", 3)
            .virtual_if("vmbr0", 5)
            .file(
                "sys/devices/virtual/net/vmbr0/uevent",
                "DEVTYPE=bridge\nINTERFACE=vmbr0\n",
            )
            .port_of("eno1", "vmbr0")
            .default_route("vmbr0");
        let host = HostRoot::dir(t.root());
        let none = ManagementHints::new();
        assert_eq!(
            management_reasons(&host, &none, "eno1", 2),
            ["its bridge vmbr0 carries the default route"]
        );
        assert!(management_reasons(&host, &none, "eno2", 3).is_empty());
        assert_eq!(
            management_reasons(&host, &none, "vmbr0", 5),
            ["it carries the default route"]
        );

        // Two levels: eno1 in bond0, a VLAN on the bond with the route.
        let t = Tree::new("mgmt-uppers-vlan");
        t.pci_nic("0000:00:1f.6", "e1000e", Some("e1000e"), "eno1", 2)
            .virtual_if("bond0", 6)
            .file("sys/devices/virtual/net/bond0/uevent", "DEVTYPE=bond\n")
            .virtual_if("bond0.20", 7)
            .file("sys/devices/virtual/net/bond0.20/uevent", "DEVTYPE=vlan\n")
            .port_of("eno1", "bond0")
            .port_of("bond0", "bond0.20")
            .default_route("bond0.20");
        let host = HostRoot::dir(t.root());
        assert_eq!(
            management_reasons(&host, &none, "eno1", 2),
            ["its vlan bond0.20 carries the default route"]
        );
    }

    #[test]
    fn driver_from_fixture_tree() {
        let t = Tree::new("sysfs-driver");
        t.pci_nic("0000:00:1f.6", "e1000e", Some("e1000e"), "eno1", 2);
        let root = t.root();
        assert_eq!(sysfs_driver(root, "eno1", 2).as_deref(), Some("e1000e"));
        // another namespace's eno1
        assert_eq!(sysfs_driver(root, "eno1", 7), None);
        assert_eq!(sysfs_driver(root, "missing", 2), None);
        assert_eq!(sysfs_driver(root, "../x", 2), None);
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
        let host = HostRoot::dir(&root);
        assert_eq!(default_route_interfaces(&host), ["eno1", "eno3"]);
        // Under a directory, an SSH hint names nothing (and opens no
        // socket to look its address up).
        let ssh = ManagementHints::from_ssh_connection(
            "192.0.2.9 50000 192.0.2.1 22",
        );
        assert!(management_reasons(&host, &ssh, "eno2", 3).is_empty());
        assert_eq!(
            management_reasons(&host, &ssh, "eno1", 2),
            ["it carries the default route"]
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn drivers_among_finds_interfaces_from_the_driver_directories() {
        let root = std::env::temp_dir()
            .join(format!("ethcfg-among-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let dev = root.join("sys/devices/pci0000:00/0000:00:1f.6");
        let drv = root.join("sys/bus/pci/drivers/e1000e");
        std::fs::create_dir_all(dev.join("net/eno1")).unwrap();
        std::fs::create_dir_all(&drv).unwrap();
        std::fs::create_dir_all(root.join("sys/class/net")).unwrap();
        std::fs::create_dir_all(root.join("sys/module/e1000e")).unwrap();
        std::fs::write(dev.join("net/eno1/ifindex"), "2\n").unwrap();
        std::os::unix::fs::symlink(&drv, dev.join("driver")).unwrap();
        std::os::unix::fs::symlink(&dev, drv.join("0000:00:1f.6")).unwrap();
        std::os::unix::fs::symlink(&dev, dev.join("net/eno1/device")).unwrap();
        std::os::unix::fs::symlink(
            dev.join("net/eno1"),
            root.join("sys/class/net/eno1"),
        )
        .unwrap();
        let d = drivers_among(
            &root,
            &[("eno1", 2), ("veth0", 3)],
            LINK_RESET_DRIVERS,
        );
        assert_eq!(d[0].driver.as_deref(), Some("e1000e"));
        assert_eq!(d[1].driver, None);
        // another namespace's eno1 (index differs): not this one
        assert_eq!(
            drivers_among(&root, &[("eno1", 5)], LINK_RESET_DRIVERS)[0].driver,
            None
        );
        // a driver the kernel has not got has no devices, whatever is
        // under sys/bus
        std::fs::remove_dir(root.join("sys/module/e1000e")).unwrap();
        let d = drivers_among(&root, &[("eno1", 2)], LINK_RESET_DRIVERS);
        assert_eq!(d[0].driver, None);
        assert_eq!(d[0].ifname, "eno1");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn fifos_under_a_root_read_as_absent_without_blocking() {
        let root = std::env::temp_dir()
            .join(format!("ethcfg-fifo-root-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("proc/net")).unwrap();
        std::fs::create_dir_all(root.join("sys/class/net/eno1")).unwrap();
        for f in
            ["proc/net/route", "proc/modules", "sys/class/net/eno1/ifindex"]
        {
            crate::fs::tests::mkfifo(&root.join(f));
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let r = root.clone();
        std::thread::spawn(move || {
            let routes = default_route_interfaces(&HostRoot::dir(&r));
            let modules = loaded_modules(&r).ok();
            let devs = net_devices(&r);
            let _ = tx.send((routes, modules, devs));
        });
        let (routes, modules, devs) = rx
            .recv_timeout(std::time::Duration::from_secs(5))
            .expect("a FIFO under the root blocked");
        assert!(routes.is_empty());
        assert_eq!(modules, None);
        assert_eq!(devs[0].ifindex, None);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn live_is_explicit_and_a_directory_is_never_live() {
        assert!(HostRoot::live().is_live());
        assert_eq!(HostRoot::live().path(), Path::new(HostRoot::LIVE_DIR));
        assert_eq!(HostRoot::default(), HostRoot::live());
        // `/` given as a directory is read as files, like any other.
        let slash = HostRoot::dir(HostRoot::LIVE_DIR);
        assert!(!slash.is_live());
        assert_eq!(slash.path(), Path::new("/"));
        assert_eq!(
            slash.proc_net("route"),
            Path::new("/proc/net/route"),
            "not the calling thread's /proc/thread-self"
        );
    }

    #[test]
    fn ssh_hints_from_ssh_connection() {
        let h = ManagementHints::from_ssh_connection(
            "2001:db8::9 50123 2001:db8::1 22",
        );
        assert_eq!(h.ssh_local, "2001:db8::1".parse().ok());
        let h =
            ManagementHints::from_ssh_connection("192.0.2.9 5 192.0.2.1 22");
        assert_eq!(h.ssh_local, Some(IpAddr::from([192, 0, 2, 1])));
        assert_eq!(ManagementHints::from_ssh_connection("").ssh_local, None);
        assert_eq!(
            ManagementHints::from_ssh_connection("a b not-an-ip 22").ssh_local,
            None
        );
        assert_eq!(ManagementHints::new().ssh_local, None);
    }

    #[test]
    fn readers_fill_what_device_promises() {
        let t = Tree::new("devices");
        t.pci_nic("0000:00:1f.6", "e1000e", Some("e1000e"), "eno1", 2)
            .virtual_if("veth0", 3);
        let root = t.root();
        let ids = [("eno1", 2), ("veth0", 3)];
        // Under a directory there is no rtnetlink to ask: drivers only.
        for d in [devices(&HostRoot::dir(root), &ids), drivers(root, &ids)] {
            assert_eq!(d[0].driver.as_deref(), Some("e1000e"));
            assert_eq!(d[0].kind, None);
            assert_eq!(d[1].driver, None);
            assert_eq!(d[1].kind, None);
            assert_eq!(d[0].describe(), "an e1000e interface");
        }
        // drivers_among: only the drivers asked about.
        let d = drivers_among(root, &ids, &["ixgbe"]);
        assert!(d.iter().all(|d| d.driver.is_none() && d.kind.is_none()));
    }

    #[test]
    fn e1000e_link_resetting_features() {
        for d in LINK_RESET_DRIVERS {
            assert!(!link_reset_features(d).is_empty(), "{d}");
        }
        assert!(link_reset_features("e1000e").contains(&"rx-vlan-hw-parse"));
        assert!(!link_reset_features("e1000e").contains(&"tx-tcp-segmentation"));
        assert!(link_reset_features("veth").is_empty());
    }
}
