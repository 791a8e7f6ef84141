//! The real-driver rig: Debian's kernel in qemu (TCG, no network) with
//! emulated Intel NICs driven by the real e1000e and e1000 drivers. Each
//! boot gets an initramfs holding busybox, the just-built `ethcfg` (or the
//! one `ETHCFG_VM_BINARY` names: the packaged binary) and its shared
//! libraries, Debian's `ethtool` as the oracle, the driver modules,
//! and an /init that runs one scenario script and prints an end marker.
//! Recipe: shared/reference/vm-test-rig.md.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Printed by /init after the scenario; a run without it failed.
pub const END: &str = "@@ETHCFG-VM-END";

/// Why the rig cannot run here, or `None` when it can: it needs root (the
/// privileged suite's, run by scripts/test: ~35 s of qemu CPU, and
/// distributions keep the kernel image readable by root only),
/// `qemu-system-x86_64` and a guest kernel. Anything else missing or broken
/// once these are there is a failure, not a skip.
pub fn available() -> Option<String> {
    if let Some(why) = crate::harness::root() {
        return Some(format!("{why}: the real-driver rig"));
    }
    let qemu = std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path)
            .any(|d| d.join("qemu-system-x86_64").is_file())
    });
    if !qemu {
        return Some(
            "no qemu-system-x86_64: apt-get install qemu-system-x86".to_owned(),
        );
    }
    if find_guest_kernel().is_none() {
        return Some(
            "no /boot/vmlinuz-* with /lib/modules: apt-get install linux-image-amd64"
                .to_owned(),
        );
    }
    None
}

/// The newest /boot/vmlinuz-VER that has /lib/modules/VER.
fn find_guest_kernel() -> Option<(PathBuf, String)> {
    let mut found: Vec<String> = std::fs::read_dir("/boot")
        .ok()?
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .strip_prefix("vmlinuz-")
                .map(str::to_owned)
        })
        .filter(|v| {
            Path::new("/lib/modules").join(v).join("modules.dep").exists()
        })
        .collect();
    found.sort();
    let ver = found.pop()?;
    Some((PathBuf::from(format!("/boot/vmlinuz-{ver}")), ver))
}

/// The guest kernel: /boot/vmlinuz-VER with /lib/modules/VER.
pub fn guest_kernel() -> (PathBuf, String) {
    find_guest_kernel().expect(
        "no /boot/vmlinuz-* with modules: apt-get install linux-image-amd64",
    )
}

/// NICs to give the guest, in order (eth0, eth1, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nic {
    E1000e,
    E1000,
    VirtioNet,
}

impl Nic {
    fn device(self) -> &'static str {
        match self {
            Nic::E1000e => "e1000e",
            Nic::E1000 => "e1000",
            Nic::VirtioNet => "virtio-net-pci",
        }
    }

    /// The modules that drive it (their dependencies come from modules.dep).
    fn modules(self) -> &'static [&'static str] {
        match self {
            Nic::E1000e => {
                &["kernel/drivers/net/ethernet/intel/e1000e/e1000e.ko"]
            }
            Nic::E1000 => &["kernel/drivers/net/ethernet/intel/e1000/e1000.ko"],
            // virtio_pci binds the device; virtio_net drives it
            Nic::VirtioNet => &[
                "kernel/drivers/virtio/virtio_pci.ko",
                "kernel/drivers/net/virtio_net.ko",
            ],
        }
    }
}

/// What the guest printed, by step: stdout, stderr, exit code.
#[derive(Debug, Default)]
pub struct Run {
    pub console: String,
    pub steps: BTreeMap<String, Step>,
}

#[derive(Debug, Default, Clone)]
pub struct Step {
    pub out: String,
    pub err: String,
    pub rc: i32,
}

impl Run {
    pub fn step(&self, name: &str) -> &Step {
        self.steps.get(name).unwrap_or_else(|| {
            panic!(
                "no step {name:?} in the guest's output:\n{}",
                tail(&self.console)
            )
        })
    }
}

fn tail(console: &str) -> String {
    let lines: Vec<&str> = console.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// Copies `bin` and every shared library `ldd` lists for it into `root`,
/// at their own paths.
fn copy_with_libs(bin: &Path, dest: &Path, root: &Path) {
    copy(bin, &root.join(dest.strip_prefix("/").unwrap()));
    let out = Command::new("ldd").arg(bin).output().expect("ldd");
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
        let path = line.split_whitespace().find(|w| w.starts_with('/'));
        if let Some(p) = path {
            copy(Path::new(p), &root.join(p.trim_start_matches('/')));
        }
    }
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(from, to).unwrap_or_else(|e| {
        panic!("copy {} -> {}: {e}", from.display(), to.display())
    });
}

const PRELUDE: &str = r#"
# step NAME CMD...: runs CMD, prints its stdout, stderr and exit code between markers.
step() {
    name=$1; shift
    "$@" >/tmp/step.out 2>/tmp/step.err
    rc=$?
    echo "@@OUT $name"; cat /tmp/step.out
    echo "@@ERR $name"; cat /tmp/step.err
    echo "@@RC $name $rc"
}
"#;

/// Builds the initramfs for `nics` and `scenario`, boots it, and returns
/// what the guest printed. Fails (with the console's tail) when the guest
/// does not reach its end marker within `limit`.
pub fn boot(tag: &str, nics: &[Nic], scenario: &str, limit: Duration) -> Run {
    boot_with(tag, nics, &[], scenario, limit)
}

/// [`boot`] with more modules loaded after the NICs' (paths under
/// /lib/modules/VER, e.g. `kernel/net/bridge/bridge.ko`).
pub fn boot_with(
    tag: &str,
    nics: &[Nic],
    extra: &[&str],
    scenario: &str,
    limit: Duration,
) -> Run {
    let (kernel, ver) = guest_kernel();
    let work = std::env::temp_dir()
        .join(format!("ethcfg-vm-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let root = work.join("root");
    for d in ["bin", "sbin", "proc", "sys", "dev", "tmp", "run", "etc"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    // busybox and its applets; it must be the static build (no libraries)
    let ldd = Command::new("ldd").arg("/bin/busybox").output().expect("ldd");
    assert!(
        !ldd.status.success()
            || String::from_utf8_lossy(&ldd.stdout).contains("not a dynamic"),
        "/bin/busybox is dynamically linked: apt-get install busybox-static"
    );
    copy(Path::new("/bin/busybox"), &root.join("bin/busybox"));
    let list = Command::new("/bin/busybox")
        .arg("--list")
        .output()
        .expect("busybox-static");
    for applet in String::from_utf8_lossy(&list.stdout).lines() {
        let _ = std::os::unix::fs::symlink(
            "busybox",
            root.join("bin").join(applet),
        );
    }
    // The binary under test: the one cargo just built, or the packaged
    // one (scripts/test-package runs a scenario with the .deb's).
    let ethcfg = std::env::var_os("ETHCFG_VM_BINARY").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_ethcfg")),
        PathBuf::from,
    );
    copy_with_libs(&ethcfg, Path::new("/usr/bin/ethcfg"), &root);
    let ethtool = ["/usr/sbin/ethtool", "/sbin/ethtool"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("ethtool");
    copy_with_libs(Path::new(ethtool), Path::new("/usr/sbin/ethtool"), &root);

    let mut order = Vec::new();
    let deps = modules_dep(&ver);
    for nic in nics {
        for m in nic.modules() {
            load_order(m, &deps, &mut order);
        }
    }
    for m in extra {
        load_order(m, &deps, &mut order);
    }
    let mut insmod = String::new();
    for m in &order {
        {
            let src = Path::new("/lib/modules").join(&ver).join(m);
            copy(&src, &root.join("lib/modules").join(&ver).join(m));
            insmod.push_str(&format!("insmod /lib/modules/{ver}/{m} || echo \"@@INSMOD-FAILED {m}\"\n"));
        }
    }
    let init = format!(
        "#!/bin/sh\nexport PATH=/usr/sbin:/usr/bin:/sbin:/bin\n\
         mount -t proc proc /proc\nmount -t sysfs sys /sys\nmount -t devtmpfs dev /dev\n\
         mount -t tmpfs run /run\ndmesg -n 1\n{insmod}\
         n=0\nwhile [ ! -e /sys/class/net/eth{last} ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n+1)); done\n\
         ip link set lo up\n{PRELUDE}\n{scenario}\necho \"{END}\"\npoweroff -f\n",
        last = nics.len().saturating_sub(1)
    );
    std::fs::write(root.join("init"), init).unwrap();
    std::fs::set_permissions(
        root.join("init"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();

    let initrd = work.join("initrd.cpio");
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "cd {} && find . | cpio -o -H newc --quiet > {}",
            root.display(),
            initrd.display()
        ))
        .status()
        .expect("cpio");
    assert!(status.success(), "cpio failed");

    let mut cmd = Command::new("qemu-system-x86_64");
    cmd.args([
        "-accel",
        "tcg",
        "-cpu",
        "max",
        "-m",
        "512",
        "-nographic",
        "-no-reboot",
        "-nodefaults",
        "-serial",
        "stdio",
    ])
    .arg("-kernel")
    .arg(&kernel)
    .arg("-initrd")
    .arg(&initrd)
    .args(["-append", "console=ttyS0 quiet panic=-1"])
    .args(["-nic", "none"]);
    for (i, nic) in nics.iter().enumerate() {
        // restrict=on: the guest reaches no network, not even the host's.
        cmd.args(["-netdev", &format!("user,id=n{i},restrict=on")]);
        cmd.args(["-device", &format!("{},netdev=n{i}", nic.device())]);
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("qemu-system-x86_64");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let start = Instant::now();
    let timed_out = loop {
        if child.try_wait().unwrap().is_some() {
            break false;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break true;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let console =
        String::from_utf8_lossy(&reader.join().unwrap()).replace('\r', "");
    let _ = std::fs::remove_dir_all(&work);
    assert!(
        !timed_out,
        "qemu did not finish within {limit:?}; console tail:\n{}",
        tail(&console)
    );
    assert!(
        console.contains(END),
        "the guest never reached its end marker; console tail:\n{}",
        tail(&console)
    );
    assert!(
        !console.contains("@@INSMOD-FAILED"),
        "a module did not load:\n{}",
        tail(&console)
    );
    Run { steps: parse_steps(&console), console }
}

/// modules.dep: module -> its dependencies.
fn modules_dep(ver: &str) -> BTreeMap<String, Vec<String>> {
    let text =
        std::fs::read_to_string(format!("/lib/modules/{ver}/modules.dep"))
            .expect("modules.dep");
    text.lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(m, d)| {
            (m.to_owned(), d.split_whitespace().map(str::to_owned).collect())
        })
        .collect()
}

/// Appends `m` after everything it needs (depth first), once.
fn load_order(
    m: &str,
    deps: &BTreeMap<String, Vec<String>>,
    order: &mut Vec<String>,
) {
    if order.iter().any(|o| o == m) {
        return;
    }
    for d in deps.get(m).into_iter().flatten() {
        load_order(d, deps, order);
    }
    order.push(m.to_owned());
}

fn parse_steps(console: &str) -> BTreeMap<String, Step> {
    let mut steps = BTreeMap::new();
    let mut cur: Option<(String, bool)> = None; // (name, in stderr?)
    let mut step = Step::default();
    for line in console.lines() {
        // The firmware's terminal escapes can precede the first marker.
        let marker = |m: &str| line.find(m).map(|p| &line[p + m.len()..]);
        if let Some(n) = marker("@@OUT ") {
            cur = Some((n.to_owned(), false));
            step = Step::default();
        } else if let Some(n) = marker("@@ERR ") {
            cur = Some((n.to_owned(), true));
        } else if let Some(rest) = marker("@@RC ") {
            let (n, rc) = rest.rsplit_once(' ').unwrap();
            step.rc = rc.parse().unwrap();
            steps.insert(n.to_owned(), std::mem::take(&mut step));
            cur = None;
        } else if let Some((_, err)) = &cur {
            let s = if *err { &mut step.err } else { &mut step.out };
            s.push_str(line);
            s.push('\n');
        }
    }
    steps
}
