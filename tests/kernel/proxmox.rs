//! The Proxmox VE layout — a port with the ethcfg options under its own
//! `iface ... inet manual` stanza, a bridge over it carrying the address —
//! under the real classic ifupdown, with the shipped hooks installed in
//! `/etc/network/if-{up,down}.d` and ethcfg at `/usr/sbin/ethcfg`, run
//! with the minimal PATH Proxmox's "Apply Configuration" uses. Each ifupdown
//! run gets a private mount namespace: the test's own /etc/network, /run
//! and an overlay of /usr/sbin holding the built binary; nothing of the
//! host's is touched. ethtool and `ip` are the oracles; `ethtool --monitor`
//! and `ip monitor link` count what a reload sends.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use crate::harness::{self, tests};
use crate::util::*;

tests! {
    harness::nothing: [
        conflicting_offload_attributes_are_named_and_a_failure_exits_0,
    ],
    harness::root: [
        proxmox_layout_under_classic_ifupdown,
        a_bridge_port_that_is_not_auto_under_classic_ifupdown,
        proxmox_layout_under_ifupdown2,
    ],
}

/// A private /etc/network, /run and /usr/sbin for ifupdown runs.
struct Rig {
    work: PathBuf,
}

/// Sets up the mount namespace, then runs the command with a minimal
/// environment, as Proxmox's GUI does.
const ENTER: &str = r#"set -e
w=$1; shift
mount --make-rprivate /
mount -t overlay overlay -o "lowerdir=$w/sbin:/usr/sbin" /usr/sbin
mount --bind "$w/etc" /etc/network
mount --bind "$w/run" /run
exec env -i PATH=/sbin:/bin:/usr/sbin:/usr/bin "$@"
"#;

impl Rig {
    fn new(tag: &str) -> Rig {
        let work = scratch(&format!("pve-{tag}"));
        let _ = std::fs::remove_dir_all(&work);
        for d in [
            "etc/if-pre-up.d",
            "etc/if-up.d",
            "etc/if-down.d",
            "etc/if-post-down.d",
            "run/network",
            "sbin",
        ] {
            std::fs::create_dir_all(work.join(d)).unwrap();
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for hook in ["if-up.d/ethcfg", "if-down.d/ethcfg"] {
            let to = work.join("etc").join(hook);
            std::fs::copy(root.join("contrib/ifupdown").join(hook), &to)
                .unwrap();
            std::fs::set_permissions(
                &to,
                std::fs::Permissions::from_mode(0o755),
            )
            .unwrap();
        }
        std::os::unix::fs::symlink(
            env!("CARGO_BIN_EXE_ethcfg"),
            work.join("sbin/ethcfg"),
        )
        .unwrap();
        Rig { work }
    }

    /// Writes /etc/network/interfaces: the Proxmox layout, `options` under
    /// the port's stanza. Classic ifupdown runs a port's stanza only when
    /// it is `auto` (or brought up by name), hence `auto pxe1`; the bridge
    /// is made by pre-up lines (bridge-utils' `bridge-ports` does the same).
    fn interfaces(&self, options: &str) {
        let text = format!(
            "auto lo\niface lo inet loopback\n\n\
             auto pxe1\niface pxe1 inet manual\n{options}\n\
             auto pvmbr0\niface pvmbr0 inet static\n    address 192.0.2.10/24\n    \
             pre-up ip link add pvmbr0 type bridge && ip link set pxe1 master pvmbr0\n    \
             post-down ip link del pvmbr0\n"
        );
        std::fs::write(self.work.join("etc/interfaces"), text).unwrap();
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("unshare")
            .args(["-m", "sh", "-c", ENTER, "sh"])
            .arg(&self.work)
            .args(args)
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> Output {
        let o = self.run(args);
        assert!(o.status.success(), "{args:?}: {}{}", stdout(&o), stderr(&o));
        o
    }
}

/// `ethtool --monitor` and `ip monitor link`, started; stopped and read
/// by [`stop`].
fn monitors() -> [Child; 2] {
    let spawn = |args: &[&str]| {
        Command::new(args[0])
            .args(&args[1..])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let m =
        [spawn(&["ethtool", "--monitor"]), spawn(&["ip", "monitor", "link"])];
    std::thread::sleep(std::time::Duration::from_millis(300));
    m
}

fn stop(m: [Child; 2]) -> String {
    let (ethtool, link) = stop_each(m);
    ethtool + &link
}

/// What `ethtool --monitor` and `ip monitor link` printed, apart.
fn stop_each(m: [Child; 2]) -> (String, String) {
    std::thread::sleep(std::time::Duration::from_millis(300));
    let mut out = m.map(|mut c| {
        let _ = c.kill();
        let o = c.wait_with_output().unwrap();
        // ethtool's banner is no event
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter(|l| !l.trim().is_empty() && *l != "listening...")
            .map(|l| format!("{l}\n"))
            .collect::<String>()
    });
    let link = std::mem::take(&mut out[1]);
    (std::mem::take(&mut out[0]), link)
}

fn bridge_address() -> bool {
    sh(&["ip", "-o", "addr", "show", "dev", "pvmbr0"]).contains("192.0.2.10/24")
}

fn proxmox_layout_under_classic_ifupdown() {
    in_netns(|| {
        let rig = Rig::new("classic");
        veth("pxe1", "pxp1");
        let before = ethtool_state("pxe1");

        // Applied by ifup -a, ethcfg found at /usr/sbin/ethcfg under the
        // minimal PATH; the bridge comes up with its address.
        rig.interfaces("    ethcfg-profile capture\n");
        let o = rig.ok(&["ifup", "-a"]);
        let now = ethtool_active("pxe1");
        assert!(
            !now["tx-generic-segmentation"] && !now["tx-scatter-gather"],
            "{}{}",
            stdout(&o),
            stderr(&o)
        );
        assert!(bridge_address());

        // Brought up again (`ifup --force`, as a reload does): nothing sent.
        let m = monitors();
        let o = rig.ok(&["ifup", "--force", "pxe1"]);
        let events = stop(m);
        assert!(
            events.trim().is_empty(),
            "{events}\n{}{}",
            stdout(&o),
            stderr(&o)
        );

        // Another profile wanting tso off too: tso is not touched.
        rig.interfaces(
            "    ethcfg-profile e1000e-tso-off\n    ethcfg-force yes\n",
        );
        let m = monitors();
        let o = rig.ok(&["ifup", "--force", "pxe1"]);
        let events = stop(m);
        assert!(!events.contains("tx-tcp-segmentation"), "{events}");
        let now = ethtool_active("pxe1");
        assert!(
            !now["tx-tcp-segmentation"] && now["tx-scatter-gather"],
            "moved from capture to e1000e-tso-off: {}{}",
            stdout(&o),
            stderr(&o)
        );

        // The option removed: the next ifup puts back what the hook did.
        rig.interfaces("");
        rig.ok(&["ifup", "--force", "pxe1"]);
        assert_eq!(ethtool_state("pxe1"), before);

        // ethcfg fails (a typo in the profile name): the interface and the
        // bridge come up all the same, and the reason is said.
        rig.ok(&["ifdown", "-a"]);
        rig.interfaces("    ethcfg-profile e1000e-hang-saf\n");
        let o = rig.ok(&["ifup", "-a"]);
        assert!(bridge_address());
        assert!(
            stderr(&o).contains("ethcfg: pxe1: not applied (exit 1)")
                && stderr(&o).contains("unknown profile"),
            "{}",
            stderr(&o)
        );
        assert_eq!(ethtool_state("pxe1"), before);

        // ifdown reverts exactly.
        rig.ok(&["ifdown", "-a"]);
        rig.interfaces("    ethcfg-profile capture\n    offload-gro on\n");
        rig.ok(&["ifup", "-a"]);
        assert_ne!(ethtool_state("pxe1"), before);
        rig.ok(&["ifdown", "-a"]);
        assert_eq!(ethtool_state("pxe1"), before);
        assert!(!rig.work.join("run/ethcfg").read_dir().unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("records")));
    });
}

fn conflicting_offload_attributes_are_named_and_a_failure_exits_0() {
    // As ifupdown2 runs the hook for `iface eno1` with its own
    // `rx-offload on` and Debian's `offload-gso on` next to a profile that
    // wants both off. The interface does not exist here: ethcfg fails, and
    // the hook still exits 0 (no ethcfg-strict) with one line saying why.
    let hook = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("contrib/ifupdown/if-up.d/ethcfg");
    let run = |strict: &str| {
        Command::new("sh")
            .arg(&hook)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("ETHCFG", env!("CARGO_BIN_EXE_ethcfg"))
            .env("ETHCFG_STATE_DIR", scratch("pve-conflict"))
            .env("IFACE", "nosuch0")
            .env("MODE", "start")
            .env("PHASE", "post-up")
            .env("IF_ETHCFG_PROFILE", "e1000e-hang-safe")
            .env("IF_ETHCFG_STRICT", strict)
            .env("IF_RX_OFFLOAD", "on")
            .env("IF_TSO_OFFLOAD", "off")
            .env("IF_OFFLOAD_GSO", "on")
            .output()
            .unwrap()
    };
    let o = run("no");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("ifupdown2's rx-offload on contradicts profile e1000e-hang-safe's rx off")
            && err.contains("reset the link"),
        "{err}"
    );
    assert!(
        err.contains(
            "offload-gso on contradicts profile e1000e-hang-safe's gso off"
        ),
        "{err}"
    );
    assert!(!err.contains("tso-offload"), "tso off agrees: {err}");
    assert!(err.contains("ethcfg: nosuch0: not applied (exit 1)"), "{err}");
    let o = run("yes");
    assert_eq!(o.status.code(), Some(1), "ethcfg-strict yes: {}", stderr(&o));
}

fn a_bridge_port_that_is_not_auto_under_classic_ifupdown() {
    // The Proxmox layout exactly (the port not `auto`): classic ifupdown
    // never runs the port's stanza, so the hook does it when the bridge
    // comes up (bridge-ports), and undoes it when the bridge goes down.
    in_netns(|| {
        let rig = Rig::new("classic-noauto");
        let text = "auto lo\niface lo inet loopback\n\n\
             iface pxe1 inet manual\n    ethcfg-profile capture\n    offload-gro on\n\n\
             auto pvmbr0\niface pvmbr0 inet static\n    address 192.0.2.10/24\n    \
             bridge-ports pxe1\n    \
             pre-up ip link add pvmbr0 type bridge && ip link set pxe1 master pvmbr0\n    \
             post-down ip link del pvmbr0\n";
        std::fs::write(rig.work.join("etc/interfaces"), text).unwrap();
        veth("pxe1", "pxp1");
        let before = ethtool_state("pxe1");
        let o = rig.ok(&["ifup", "-a"]);
        let now = ethtool_active("pxe1");
        assert!(
            !now["tx-generic-segmentation"] && now["rx-gro"],
            "{}{}",
            stdout(&o),
            stderr(&o)
        );
        assert!(bridge_address());
        let o = rig.ok(&["ifdown", "-a"]);
        assert_eq!(
            ethtool_state("pxe1"),
            before,
            "{}{}",
            stdout(&o),
            stderr(&o)
        );
    });
}

/// Debian's ifupdown2, which conflicts with the classic ifupdown the other
/// tests use: installed by debootstrap into a root in the machine's test
/// cache (`ETHCFG_TEST_CACHE`, default /var/cache/ethcfg-tests, so a fresh
/// clone on the same machine reuses it), made once and reused
/// (`scripts/test` installs debootstrap; the mirror is Debian's).
fn ifupdown2_root() -> PathBuf {
    let cache = std::env::var_os("ETHCFG_TEST_CACHE").map_or_else(
        || PathBuf::from("/var/cache/ethcfg-tests"),
        PathBuf::from,
    );
    let _ = std::fs::create_dir_all(&cache);
    let root = cache.join("ifupdown2-root");
    // Not exists(): the root's links are absolute, into the host's /.
    if std::fs::symlink_metadata(root.join("usr/sbin/ifreload")).is_ok() {
        return root;
    }
    let tmp = root.with_extension("tmp");
    let _ = std::fs::remove_dir_all(&tmp);
    let o = Command::new("debootstrap")
        .args([
            "--variant=minbase",
            "--include=ifupdown2,iproute2,ethtool",
            "bookworm",
        ])
        .arg(&tmp)
        .arg("http://deb.debian.org/debian")
        .output()
        .unwrap_or_else(|e| {
            panic!("debootstrap (scripts/test installs it): {e}")
        });
    assert!(o.status.success(), "debootstrap: {}{}", stdout(&o), stderr(&o));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::rename(&tmp, &root).unwrap();
    root
}

/// Enters a private mount namespace and chroots into the ifupdown2 root,
/// with this namespace's sysfs, the test's /etc/network, /run and
/// /var/tmp (ifupdown2's state), and the built binary at /usr/sbin/ethcfg.
const ENTER_CHROOT: &str = r#"set -e
r=$1; w=$2; bin=$3; shift 3
mount --make-rprivate /
mount --bind /proc "$r/proc"
mount -t sysfs sysfs "$r/sys"
mount --bind /dev "$r/dev"
mount --bind "$w/etc" "$r/etc/network"
mount --bind "$w/run" "$r/run"
mount --bind "$w/vartmp" "$r/var/tmp"
[ -e "$r/usr/sbin/ethcfg" ] || : > "$r/usr/sbin/ethcfg"
mount --bind "$bin" "$r/usr/sbin/ethcfg"
mount --bind "$w/logger" "$r/usr/bin/logger"
exec chroot "$r" env -i PATH=/sbin:/bin:/usr/sbin:/usr/bin "$@"
"#;

fn proxmox_layout_under_ifupdown2() {
    let root = ifupdown2_root();
    in_netns(move || {
        let rig = Rig::new("ifupdown2");
        for d in ["etc/ifupdown2", "vartmp"] {
            std::fs::create_dir_all(rig.work.join(d)).unwrap();
        }
        // ifupdown2's own configuration, as installed
        for f in std::fs::read_dir(root.join("etc/network/ifupdown2")).unwrap()
        {
            let f = f.unwrap();
            if f.file_type().unwrap().is_file() {
                std::fs::copy(
                    f.path(),
                    rig.work.join("etc/ifupdown2").join(f.file_name()),
                )
                .unwrap();
            }
        }
        // syslog, as the hook sees it: ifupdown2 discards scripts' output
        let logger = rig.work.join("logger");
        std::fs::write(&logger, "#!/bin/sh\necho \"$*\" >> /run/syslog\n")
            .unwrap();
        std::fs::set_permissions(
            &logger,
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
        let syslog = || {
            std::fs::read_to_string(rig.work.join("run/syslog"))
                .unwrap_or_default()
        };
        let run = |args: &[&str]| {
            Command::new("unshare")
                .args(["-m", "sh", "-c", ENTER_CHROOT, "sh"])
                .arg(&root)
                .arg(&rig.work)
                .arg(env!("CARGO_BIN_EXE_ethcfg"))
                .args(args)
                .output()
                .unwrap()
        };
        let ok = |args: &[&str]| {
            let o = run(args);
            assert!(
                o.status.success(),
                "{args:?}: {}{}",
                stdout(&o),
                stderr(&o)
            );
            o
        };
        // The Proxmox layout as written: the port not `auto`, ifupdown2
        // brings it up as the bridge's port and runs its stanza's hook.
        let interfaces = |options: &str| {
            let text = format!(
                "auto lo\niface lo inet loopback\n\n\
                 iface pxe1 inet manual\n{options}\n\
                 auto pvmbr0\niface pvmbr0 inet static\n    address 192.0.2.10/24\n    \
                 bridge-ports pxe1\n    bridge-stp off\n    bridge-fd 0\n"
            );
            std::fs::write(rig.work.join("etc/interfaces"), text).unwrap();
        };
        veth("pxe1", "pxp1");
        let before = ethtool_state("pxe1");

        interfaces("    ethcfg-profile capture\n");
        let o = ok(&["ifreload", "-a"]);
        let now = ethtool_active("pxe1");
        assert!(
            !now["tx-generic-segmentation"] && !now["tx-scatter-gather"],
            "{}{}",
            stdout(&o),
            stderr(&o)
        );
        assert!(bridge_address());

        // The second reload sends nothing: no ethtool notification (every
        // feature or setting change makes one). Link events are not
        // counted here: ifupdown2's own reload of a bridge makes one to
        // three RTM_NEWLINK, as many with a hook that only sleeps (the
        // classic ifupdown test counts them: none).
        let m = monitors();
        ok(&["ifreload", "-a"]);
        let (features, _) = stop_each(m);
        assert!(features.is_empty(), "{features}");

        // Switching profiles: tso, off in both, is not touched.
        interfaces("    ethcfg-profile e1000e-tso-off\n    ethcfg-force yes\n");
        let m = monitors();
        ok(&["ifreload", "-a"]);
        let (events, _) = stop_each(m);
        assert!(!events.contains("tx-tcp-segmentation"), "{events}");
        let now = ethtool_active("pxe1");
        assert!(!now["tx-tcp-segmentation"] && now["tx-scatter-gather"]);

        // The option removed: the next reload reverts.
        interfaces("");
        ok(&["ifreload", "-a"]);
        assert_eq!(ethtool_state("pxe1"), before);

        // ethcfg failing leaves the bridge and its address up.
        interfaces("    ethcfg-profile e1000e-hang-saf\n");
        ok(&["ifdown", "-a"]);
        ok(&["ifup", "-a"]);
        assert!(bridge_address());
        assert_eq!(ethtool_state("pxe1"), before);
        assert!(
            syslog().contains(
                "-t ethcfg -- pxe1: not applied (exit 1): unknown profile"
            ),
            "{}",
            syslog()
        );

        // A native attribute contradicting the profile warns; Debian's
        // offload-* options work under ifupdown2 through the hook.
        interfaces("    ethcfg-profile capture\n    gso-offload on\n    offload-gro on\n");
        let o = run(&["ifreload", "-a"]);
        let text = format!("{}{}", stdout(&o), stderr(&o));
        assert!(
            syslog().contains("ifupdown2's gso-offload on contradicts profile capture's gso off"),
            "{}",
            syslog()
        );
        assert!(ethtool_active("pxe1")["rx-gro"], "offload-gro on: {text}");

        // ifdown reverts exactly.
        ok(&["ifdown", "-a"]);
        assert_eq!(ethtool_state("pxe1"), before);
    });
}
