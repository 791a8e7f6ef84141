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
    std::thread::sleep(std::time::Duration::from_millis(300));
    let mut text = String::new();
    for mut c in m {
        let _ = c.kill();
        let o = c.wait_with_output().unwrap();
        // ethtool's banner is no event
        for l in String::from_utf8_lossy(&o.stdout).lines() {
            if !l.trim().is_empty() && l != "listening..." {
                text.push_str(l);
                text.push('\n');
            }
        }
    }
    text
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
