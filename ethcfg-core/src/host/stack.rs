//! Stacked interfaces resolved to the ports under them, and ports to the
//! bridges they serve, from sysfs under a root directory: a bridge lists
//! its ports in `brif/`, bonds, bridges, VLANs and macvlans link their
//! lower devices as `lower_<name>` and their upper ones as
//! `upper_<name>`, and a bridge or bond port links its `master`.
//!
//! Driver presets belong on the devices that have the driver: the field
//! report's `post-up ethtool -K` line works under `iface eno1` and does
//! nothing useful under `iface vmbr0`. `apply` uses [`stack`] to stop (or,
//! with `--ports`, to go down to the ports) and `doctor` uses
//! [`bridges_served`] to say which bridge an affected port serves.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Deeper stacks than this are not followed (a loop in a fixture tree, or
/// a sysfs that is not one, must not recurse forever).
const MAX_DEPTH: usize = 16;

/// A device at the bottom of a stack.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Port {
    /// Interface name.
    pub ifname: String,
    /// The driver bound to its device (`e1000e`); `None` for a virtual
    /// device (a veth, a dummy), which sysfs gives no driver.
    pub driver: Option<String>,
    /// The devices between the top of the stack and this port, top first
    /// (`bond0` for `vmbr0` → `bond0` → `eno1`); empty for a direct port.
    pub via: Vec<String>,
}

/// A bridge, bond, VLAN or other device stacked on others.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stack {
    /// Interface name.
    pub ifname: String,
    /// `bridge`, `bond`, `vlan`, `macvlan`, ... (sysfs `DEVTYPE`), or
    /// `stacked device` when sysfs does not say.
    pub kind: String,
    /// The devices at the bottom, by name, each once.
    pub ports: Vec<Port>,
}

/// A bridge a port serves, and what lies between.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Served {
    /// The bridge.
    pub bridge: String,
    /// The devices between the port and the bridge, port side first
    /// (`bond0` for `eno1` → `bond0` → `vmbr0`).
    pub via: Vec<String>,
}

fn class_dir(root: &Path, ifname: &str) -> Option<PathBuf> {
    plain(ifname).then(|| root.join("sys/class/net").join(ifname))
}

/// Names come from the command line and the kernel log: no path tricks.
fn plain(ifname: &str) -> bool {
    !(ifname.is_empty()
        || ifname.contains('/')
        || ifname == "."
        || ifname == "..")
}

fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn link_name(path: &Path) -> Option<String> {
    let t = std::fs::read_link(path).ok()?;
    Some(t.file_name()?.to_string_lossy().into_owned())
}

/// The `DEVTYPE` of `ifname`'s uevent (`bridge`, `bond`, `vlan`), if any.
pub fn devtype(root: &Path, ifname: &str) -> Option<String> {
    let dir = class_dir(root, ifname)?;
    let text = crate::fs::read_regular_string(
        &dir.join("uevent"),
        crate::fs::SYSFS_CAP,
    )
    .ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("DEVTYPE="))
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

fn is_bridge(root: &Path, ifname: &str) -> bool {
    class_dir(root, ifname).is_some_and(|d| d.join("bridge").is_dir())
        || devtype(root, ifname).as_deref() == Some("bridge")
}

fn kind(root: &Path, ifname: &str) -> String {
    if let Some(t) = devtype(root, ifname) {
        return t;
    }
    let Some(dir) = class_dir(root, ifname) else {
        return "stacked device".into();
    };
    if dir.join("bridge").is_dir() {
        "bridge".into()
    } else if dir.join("bonding").is_dir() {
        "bond".into()
    } else {
        "stacked device".into()
    }
}

/// The devices directly under `ifname`: a bridge's ports (`brif/`) and
/// every `lower_*` link, sorted, each once.
pub fn lowers(root: &Path, ifname: &str) -> Vec<String> {
    let Some(dir) = class_dir(root, ifname) else { return Vec::new() };
    let mut out: BTreeSet<String> = entries(&dir.join("brif"))
        .into_iter()
        .filter(|n| class_dir(root, n).is_some())
        .collect();
    out.extend(
        entries(&dir)
            .iter()
            .filter_map(|n| n.strip_prefix("lower_"))
            .filter(|n| class_dir(root, n).is_some())
            .map(str::to_owned),
    );
    out.into_iter().collect()
}

/// The devices directly above `ifname`: its `master` and every `upper_*`
/// link, sorted, each once.
pub fn uppers(root: &Path, ifname: &str) -> Vec<String> {
    let Some(dir) = class_dir(root, ifname) else { return Vec::new() };
    let mut out: BTreeSet<String> = entries(&dir)
        .iter()
        .filter_map(|n| n.strip_prefix("upper_"))
        .filter(|n| class_dir(root, n).is_some())
        .map(str::to_owned)
        .collect();
    out.extend(link_name(&dir.join("master")));
    out.into_iter().collect()
}

/// The driver bound to `ifname`'s device, from sysfs.
fn driver(root: &Path, ifname: &str) -> Option<String> {
    link_name(&class_dir(root, ifname)?.join("device/driver"))
}

/// `ifname` resolved to the devices at the bottom of its stack; `None`
/// when nothing is under it (it is a port itself, or does not exist).
pub fn stack(root: &Path, ifname: &str) -> Option<Stack> {
    let direct = lowers(root, ifname);
    if direct.is_empty() {
        return None;
    }
    let mut ports: Vec<Port> = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::from([ifname.to_owned()]);
    // Depth first, so each port's `via` is the path that reached it.
    let mut todo: Vec<(String, Vec<String>)> =
        direct.into_iter().rev().map(|n| (n, Vec::new())).collect();
    while let Some((name, via)) = todo.pop() {
        if !seen.insert(name.clone()) || via.len() > MAX_DEPTH {
            continue;
        }
        let below = lowers(root, &name);
        if below.is_empty() {
            ports.push(Port { driver: driver(root, &name), ifname: name, via });
            continue;
        }
        let mut deeper = via.clone();
        deeper.push(name);
        todo.extend(below.into_iter().rev().map(|n| (n, deeper.clone())));
    }
    ports.sort_by(|a, b| a.ifname.cmp(&b.ifname));
    Some(Stack { kind: kind(root, ifname), ifname: ifname.to_owned(), ports })
}

/// [`stack`] for each of `ifnames`, in order. Each name is looked up in
/// `sys/class/net` (one lookup each, in the directory held open; not a
/// listing: the kernel walks every network namespace's devices to list
/// one namespace's, 4.4 ms on a test machine, against ~1 µs a lookup).
///
/// A name sysfs does not have is asked of the kernel with `kernel_name`
/// (its primary name, `None` for no such interface), so that:
/// - an alternative name is resolved through its primary name;
/// - an interface that does not exist has nothing under it (the run
///   fails on it anyway);
/// - an interface the kernel has and sysfs does not means sysfs is
///   another network namespace's (`unshare -n` without mounting sysfs
///   again): it cannot say what is stacked on what here, so no further
///   name is looked up in it.
pub fn stacks(
    root: &Path,
    ifnames: &[String],
    kernel_name: &mut dyn FnMut(&str) -> Option<String>,
) -> Vec<Option<Stack>> {
    use nix::fcntl::AtFlags;
    let Ok(dir) = std::fs::File::open(root.join("sys/class/net")) else {
        return ifnames.iter().map(|_| None).collect();
    };
    let there = |n: &str| {
        plain(n)
            && nix::sys::stat::fstatat(&dir, n, AtFlags::AT_SYMLINK_NOFOLLOW)
                .is_ok()
    };
    let mut foreign = false;
    ifnames
        .iter()
        .map(|n| {
            if foreign || !plain(n) {
                return None;
            }
            if there(n) {
                return stack(root, n);
            }
            match kernel_name(n) {
                Some(primary) if primary != *n && there(&primary) => {
                    stack(root, &primary)
                }
                Some(_) => {
                    foreign = true;
                    None
                }
                None => None,
            }
        })
        .collect()
}

/// The bridges `ifname` carries traffic for, directly or through bonds
/// and VLANs above it, nearest first.
pub fn bridges_served(root: &Path, ifname: &str) -> Vec<Served> {
    let mut out = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::from([ifname.to_owned()]);
    let mut level: Vec<(String, Vec<String>)> =
        vec![(ifname.to_owned(), Vec::new())];
    for _ in 0..MAX_DEPTH {
        let mut next = Vec::new();
        for (name, via) in level {
            for up in uppers(root, &name) {
                if !seen.insert(up.clone()) {
                    continue;
                }
                if is_bridge(root, &up) {
                    out.push(Served { bridge: up.clone(), via: via.clone() });
                }
                // A bridge can be stacked on too (vmbr0.10 over vmbr0).
                let mut deeper = via.clone();
                deeper.push(up.clone());
                next.push((up, deeper));
            }
        }
        if next.is_empty() {
            break;
        }
        level = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::tree::Tree;

    fn bridge(t: &Tree, name: &str, idx: u32) {
        t.virtual_if(name, idx)
            .file(
                &format!("sys/devices/virtual/net/{name}/uevent"),
                format!("DEVTYPE=bridge\nINTERFACE={name}\nIFINDEX={idx}\n"),
            )
            .dir(&format!("sys/devices/virtual/net/{name}/bridge"));
    }

    fn brif(t: &Tree, port: &str, br: &str) {
        t.port_of(port, br).link(
            &format!("sys/devices/virtual/net/{br}/brif/{port}"),
            &format!("../../../../../class/net/{port}/brport"),
        );
    }

    fn devtyped(t: &Tree, name: &str, idx: u32, devtype: &str) {
        t.virtual_if(name, idx).file(
            &format!("sys/devices/virtual/net/{name}/uevent"),
            format!("DEVTYPE={devtype}\nINTERFACE={name}\n"),
        );
    }

    /// vmbr0 over bond0 over eno1 + eno2; vmbr1 over eno3.20 (VLAN) over
    /// eno3; vmbr1 also has a veth; eno3 is in no bridge directly.
    fn host() -> Tree {
        let t = Tree::new("stack");
        t.pci_nic("0000:00:1f.6", "e1000e", Some("e1000e"), "eno1", 2)
            .pci_nic("0000:01:00.0", "igc", Some("igc"), "eno2", 3)
            .pci_nic("0000:02:00.0", "r8169", Some("r8169"), "eno3", 4);
        bridge(&t, "vmbr0", 10);
        bridge(&t, "vmbr1", 11);
        devtyped(&t, "bond0", 12, "bond");
        t.dir("sys/devices/virtual/net/bond0/bonding");
        devtyped(&t, "eno3.20", 13, "vlan");
        t.virtual_if("veth0", 14);
        t.port_of("eno1", "bond0").port_of("eno2", "bond0");
        brif(&t, "bond0", "vmbr0");
        // a VLAN links lower/upper but has no master
        t.link(
            "sys/devices/virtual/net/eno3.20/lower_eno3",
            "../../../pci0000:00/0000:02:00.0/net/eno3",
        )
        .link(
            "sys/devices/pci0000:00/0000:02:00.0/net/eno3/upper_eno3.20",
            "../../../../virtual/net/eno3.20",
        );
        brif(&t, "eno3.20", "vmbr1");
        brif(&t, "veth0", "vmbr1");
        t
    }

    #[test]
    fn bridges_bonds_and_vlans_resolve_to_their_ports() {
        let t = host();
        let r = t.root();
        let s = stack(r, "vmbr0").unwrap();
        assert_eq!(s.kind, "bridge");
        let ports: Vec<(&str, Option<&str>, Vec<&str>)> = s
            .ports
            .iter()
            .map(|p| {
                (
                    p.ifname.as_str(),
                    p.driver.as_deref(),
                    p.via.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            ports,
            [
                ("eno1", Some("e1000e"), vec!["bond0"]),
                ("eno2", Some("igc"), vec!["bond0"])
            ]
        );
        let s = stack(r, "bond0").unwrap();
        assert_eq!(s.kind, "bond");
        assert_eq!(s.ports.len(), 2);
        assert!(s.ports.iter().all(|p| p.via.is_empty()));
        let s = stack(r, "vmbr1").unwrap();
        let names: Vec<&str> =
            s.ports.iter().map(|p| p.ifname.as_str()).collect();
        assert_eq!(names, ["eno3", "veth0"]);
        assert_eq!(s.ports[0].via, ["eno3.20"]);
        assert_eq!(s.ports[1].driver, None, "a veth has no sysfs driver");
        let s = stack(r, "eno3.20").unwrap();
        assert_eq!(s.kind, "vlan");
        assert_eq!(s.ports[0].ifname, "eno3");
        // ports and unknown names are not stacks
        for n in ["eno1", "veth0", "nope", "..", "a/b", ""] {
            assert_eq!(stack(r, n), None, "{n}");
        }
    }

    #[test]
    fn stacks_of_many_are_stack_of_each() {
        let t = host();
        let r = t.root();
        let names: Vec<String> = ["vmbr0", "eno1", "gone", "bond0", "..", ""]
            .map(str::to_owned)
            .into();
        let each: Vec<Option<Stack>> =
            names.iter().map(|n| stack(r, n)).collect();
        let mut asked = Vec::new();
        let mut none = |n: &str| {
            asked.push(n.to_owned());
            None
        };
        assert_eq!(stacks(r, &names, &mut none), each);
        assert_eq!(asked, ["gone"], "only a name sysfs lacks is asked");
        assert!(each.first().is_some_and(Option::is_some));
        assert_eq!(each.iter().filter(|s| s.is_some()).count(), 2);
    }

    #[test]
    fn an_alternative_name_is_looked_up_by_its_primary_name() {
        let t = host();
        let r = t.root();
        let names: Vec<String> = ["lan", "bond0"].map(str::to_owned).into();
        let found = stacks(r, &names, &mut |n: &str| {
            (n == "lan").then(|| "vmbr0".to_owned())
        });
        assert_eq!(found.first().cloned().flatten(), stack(r, "vmbr0"));
        assert_eq!(found.get(1).cloned().flatten(), stack(r, "bond0"));
    }

    #[test]
    fn a_sysfs_without_the_kernels_interface_is_not_read_further() {
        // The kernel has veth9 and sysfs does not: sysfs is another
        // network namespace's, and its bond0 is not this one's.
        let t = host();
        let r = t.root();
        let names: Vec<String> =
            ["vmbr0", "veth9", "bond0"].map(str::to_owned).into();
        let found = stacks(r, &names, &mut |n: &str| Some(n.to_owned()));
        assert_eq!(found.first().cloned().flatten(), stack(r, "vmbr0"));
        assert_eq!(found.get(1), Some(&None));
        assert_eq!(found.get(2), Some(&None));
        assert!(stack(r, "bond0").is_some());
    }

    #[test]
    fn ports_name_the_bridges_they_serve() {
        let t = host();
        let r = t.root();
        let b = bridges_served(r, "eno1");
        assert_eq!(
            b,
            [Served { bridge: "vmbr0".into(), via: vec!["bond0".into()] }]
        );
        let b = bridges_served(r, "eno3");
        assert_eq!(
            b,
            [Served { bridge: "vmbr1".into(), via: vec!["eno3.20".into()] }]
        );
        assert_eq!(bridges_served(r, "veth0")[0].bridge, "vmbr1");
        assert!(bridges_served(r, "vmbr0").is_empty());
        assert!(bridges_served(r, "nope").is_empty());
        assert_eq!(uppers(r, "eno1"), ["bond0"]);
        assert_eq!(lowers(r, "vmbr1"), ["eno3.20", "veth0"]);
    }

    #[test]
    fn a_loop_in_the_tree_ends() {
        let t = Tree::new("loop");
        t.virtual_if("a", 2).virtual_if("b", 3);
        t.port_of("a", "b").port_of("b", "a");
        // a and b are each other's lower: no port at the bottom
        assert_eq!(stack(t.root(), "a").map(|s| s.ports), Some(Vec::new()));
        assert!(bridges_served(t.root(), "a").is_empty());
    }
}
