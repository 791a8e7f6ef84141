//! What the kernel tells about interfaces outside ethtool netlink: the
//! driver bound to a device (sysfs) and the kind of a virtual link
//! (rtnetlink). Paths are rooted at a configurable directory so tests can
//! use fixture trees.

use std::path::Path;

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
}
