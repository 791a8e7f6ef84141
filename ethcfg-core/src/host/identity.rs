//! What identifies a network device to a binding: its name, addresses,
//! driver and udev's `ID_PATH` — read from sysfs under a [`HostRoot`]
//! (and, on the live system, the permanent address from rtnetlink).

use std::path::{Component, Path};

use super::HostRoot;
use crate::fs::{read_regular_string, SYSFS_CAP};

/// The stable and unstable names of one interface.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Identity {
    /// The interface name now.
    pub ifname: String,
    /// Its index, from sysfs (0 when unreadable).
    pub ifindex: u32,
    /// Its hardware address now, lowercase `aa:bb:...`.
    pub mac: Option<String>,
    /// The address it came with (`IFLA_PERM_ADDRESS`); only read on the
    /// live system, and only devices that have one.
    pub permanent_mac: Option<String>,
    /// The driver bound to its device; none for virtual devices.
    pub driver: Option<String>,
    /// udev's `ID_PATH` for a PCI device (`pci-0000:00:1f.6`), as
    /// `path_id` builds it: the PCI function the device hangs off.
    pub path: Option<String>,
}

impl Identity {
    /// An identity that knows only the name.
    pub fn named(ifname: &str) -> Identity {
        Identity { ifname: ifname.to_owned(), ..Identity::default() }
    }
}

/// A sysfs name component safe to join (no `/`, no `..`).
fn safe_name(ifname: &str) -> bool {
    !(ifname.is_empty()
        || ifname.contains('/')
        || ifname == "."
        || ifname == "..")
}

/// `0000:00:1f.6`: domain, bus, device and function.
fn is_pci_address(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 12
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b':',
            10 => *c == b'.',
            _ => c.is_ascii_hexdigit(),
        })
}

/// udev's `ID_PATH` from the device's place in `/sys/devices`: the last
/// PCI function on the way (a virtio NIC sits below one and is named by
/// it, as `path_id` skips the virtio level); none for virtual devices.
pub(crate) fn pci_path(class_link: &Path) -> Option<String> {
    let parts: Vec<String> = class_link
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    let start = parts.iter().position(|p| p == "devices")?;
    let rest = parts.get(start + 1..)?;
    if !rest.first().is_some_and(|p| p.starts_with("pci")) {
        return None;
    }
    rest.iter().rev().find(|p| is_pci_address(p)).map(|p| format!("pci-{p}"))
}

fn format_mac(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":")
}

/// What identifies `ifname` under `root`. Unreadable facts are `None`.
pub fn identity(root: &HostRoot, ifname: &str) -> Identity {
    let mut id = Identity { ifname: ifname.to_owned(), ..Identity::default() };
    if !safe_name(ifname) {
        return id;
    }
    let dir = root.path().join("sys/class/net").join(ifname);
    let read = |f: &str| {
        read_regular_string(&dir.join(f), SYSFS_CAP)
            .ok()
            .map(|s| s.trim().to_ascii_lowercase())
    };
    id.ifindex = read("ifindex").and_then(|s| s.parse().ok()).unwrap_or(0);
    id.mac = read("address").filter(|m| !m.is_empty());
    id.driver = std::fs::read_link(dir.join("device/driver"))
        .ok()
        .and_then(|t| t.file_name().map(|n| n.to_string_lossy().into_owned()));
    id.path = std::fs::read_link(&dir).ok().and_then(|l| pci_path(&l));
    if root.is_live() && id.ifindex != 0 {
        id.permanent_mac = super::route_conn()
            .ok()
            .and_then(|mut c| {
                crate::netlink::transport::run_sync(super::rtnl::link(
                    &mut c, id.ifindex,
                ))
                .ok()
            })
            .flatten()
            .and_then(|l| l.perm_address)
            .filter(|a| a.iter().any(|b| *b != 0))
            .map(|a| format_mac(&a));
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_path_as_udev_builds_it() {
        let p = |s: &str| pci_path(Path::new(s));
        assert_eq!(
            p("../../devices/pci0000:00/0000:00:1f.6/net/eno1").as_deref(),
            Some("pci-0000:00:1f.6")
        );
        assert_eq!(
            p("../../devices/pci0000:00/0000:00:1c.0/0000:02:00.0/net/enp2s0")
                .as_deref(),
            Some("pci-0000:02:00.0")
        );
        assert_eq!(
            p("../../devices/pci0000:00/0000:00:03.0/virtio0/net/ens3")
                .as_deref(),
            Some("pci-0000:00:03.0")
        );
        assert_eq!(p("../../devices/virtual/net/veth0"), None);
        assert_eq!(p("garbage"), None);
    }

    #[test]
    fn identity_from_a_fixture_tree() {
        let d = std::env::temp_dir()
            .join(format!("ethcfg-identity-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        struct T(std::path::PathBuf);
        impl T {
            fn path(&self) -> &Path {
                &self.0
            }
        }
        let t = T(d);
        let dev = t.path().join("sys/devices/pci0000:00/0000:00:1f.6");
        let net = dev.join("net/eno1");
        std::fs::create_dir_all(&net).unwrap();
        std::fs::create_dir_all(t.path().join("sys/bus/pci/drivers/e1000e"))
            .unwrap();
        std::os::unix::fs::symlink(
            "../../../bus/pci/drivers/e1000e",
            dev.join("driver"),
        )
        .unwrap();
        std::os::unix::fs::symlink("../..", net.join("device")).unwrap();
        std::fs::write(net.join("address"), "AA:bb:cc:00:11:22\n").unwrap();
        std::fs::write(net.join("ifindex"), "2\n").unwrap();
        std::fs::create_dir_all(t.path().join("sys/class/net")).unwrap();
        std::os::unix::fs::symlink(
            "../../devices/pci0000:00/0000:00:1f.6/net/eno1",
            t.path().join("sys/class/net/eno1"),
        )
        .unwrap();
        let id = identity(&HostRoot::dir(t.path()), "eno1");
        assert_eq!(id.ifindex, 2);
        assert_eq!(id.mac.as_deref(), Some("aa:bb:cc:00:11:22"));
        assert_eq!(id.driver.as_deref(), Some("e1000e"));
        assert_eq!(id.path.as_deref(), Some("pci-0000:00:1f.6"));
        assert_eq!(id.permanent_mac, None);
        assert_eq!(identity(&HostRoot::dir(t.path()), "../x").mac, None);
        std::fs::remove_dir_all(t.path()).unwrap();
    }
}
