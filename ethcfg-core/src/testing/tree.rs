//! Fixture trees for tests: a temporary root holding the parts of sysfs,
//! procfs and /lib/firmware that `doctor` and `impact` read, with symlinks
//! laid out the way the kernel makes them (relative, through
//! /sys/devices), so code that follows them meets what it meets on a
//! real system.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A fixture root, removed when dropped.
#[derive(Debug)]
pub(crate) struct Tree {
    pub(crate) root: PathBuf,
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

impl Tree {
    pub(crate) fn new(tag: &str) -> Tree {
        let root = std::env::temp_dir().join(format!(
            "ethcfg-tree-{}-{tag}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        Tree { root }
    }

    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub(crate) fn dir(&self, rel: &str) -> &Self {
        std::fs::create_dir_all(self.path(rel)).unwrap();
        self
    }

    pub(crate) fn file(&self, rel: &str, content: impl AsRef<[u8]>) -> &Self {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
        self
    }

    /// A symlink at `rel` pointing to `target` (relative to the link's
    /// directory, as the kernel makes them).
    pub(crate) fn link(&self, rel: &str, target: &str) -> &Self {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let _ = std::fs::remove_file(&p);
        std::os::unix::fs::symlink(target, &p).unwrap();
        self
    }

    /// A PCI function at `bdf` bound to `driver` (whose module is
    /// `module`, or built in), with network interface `ifname`.
    pub(crate) fn pci_nic(
        &self,
        bdf: &str,
        driver: &str,
        module: Option<&str>,
        ifname: &str,
        ifindex: u32,
    ) -> &Self {
        let dev = format!("sys/devices/pci0000:00/{bdf}");
        let net = format!("{dev}/net/{ifname}");
        self.file(&format!("{net}/ifindex"), format!("{ifindex}\n"))
            .link(&format!("{net}/device"), &format!("../../../{bdf}"))
            .link(
                &format!("sys/class/net/{ifname}"),
                &format!("../../devices/pci0000:00/{bdf}/net/{ifname}"),
            )
            .link(
                &format!("{dev}/driver"),
                &format!("../../../bus/pci/drivers/{driver}"),
            )
            .link(
                &format!("sys/bus/pci/drivers/{driver}/{bdf}"),
                &format!("../../../../devices/pci0000:00/{bdf}"),
            );
        if let Some(m) = module {
            self.link(
                &format!("sys/bus/pci/drivers/{driver}/module"),
                &format!("../../../../module/{m}"),
            )
            .dir(&format!("sys/module/{m}"));
        }
        self
    }

    /// A virtual interface (`/sys/devices/virtual/net/<ifname>`).
    pub(crate) fn virtual_if(&self, ifname: &str, ifindex: u32) -> &Self {
        self.file(
            &format!("sys/devices/virtual/net/{ifname}/ifindex"),
            format!("{ifindex}\n"),
        )
        .link(
            &format!("sys/class/net/{ifname}"),
            &format!("../../devices/virtual/net/{ifname}"),
        )
    }

    /// `lower` is a port of bridge/bond `upper`: `master` and `upper_*`
    /// links on the lower, `lower_*` on the upper (as netdev_upper_dev_link
    /// makes them).
    pub(crate) fn port_of(&self, lower: &str, upper: &str) -> &Self {
        let real =
            std::fs::canonicalize(self.path(&format!("sys/class/net/{lower}")))
                .unwrap();
        let rel =
            real.strip_prefix(&self.root).unwrap().to_str().unwrap().to_owned();
        // from sys/devices/.../net/<lower> up to sys/devices, then down
        let depth = rel.matches('/').count() - 1;
        let up = format!("{}virtual/net/{upper}", "../".repeat(depth));
        self.link(&format!("{rel}/master"), &up)
            .link(&format!("{rel}/upper_{upper}"), &up)
            .link(
                &format!("sys/devices/virtual/net/{upper}/lower_{lower}"),
                &format!("../../../../{}", rel.trim_start_matches("sys/")),
            )
    }

    /// A loaded module's sysfs directory with its holders.
    pub(crate) fn module(
        &self,
        name: &str,
        refcnt: u32,
        holders: &[&str],
    ) -> &Self {
        self.file(&format!("sys/module/{name}/refcnt"), format!("{refcnt}\n"))
            .file(&format!("sys/module/{name}/initstate"), "live\n")
            .dir(&format!("sys/module/{name}/holders"));
        for h in holders {
            self.link(
                &format!("sys/module/{name}/holders/{h}"),
                &format!("../../{h}"),
            );
        }
        self
    }

    /// `/proc/net/route` with a default route on `ifname`.
    pub(crate) fn default_route(&self, ifname: &str) -> &Self {
        self.file(
            "proc/net/route",
            format!(
                "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
                 {ifname}\t00000000\t0100000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n\
                 {ifname}\t0000000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
            ),
        )
        .file("proc/net/ipv6_route", "")
    }

    pub(crate) fn root(&self) -> &Path {
        &self.root
    }
}
