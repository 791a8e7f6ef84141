//! `ethcfg doctor` and `ethcfg impact` through the built binary, on
//! fixture trees laid out as the kernel lays out sysfs and procfs (relative
//! symlinks through /sys/devices), with the field reports' log lines; and
//! both commands against this machine's own kernel.

use std::io::Write;
use std::process::Stdio;

use serde_json::Value;

use crate::harness::{self, tests};
use crate::tree::Tree;
use crate::util::*;

tests! {
    harness::nothing: [
        doctor_json_on_a_fixture_with_the_field_reports,
        doctor_reads_stdin_and_kmsg_under_the_root_and_speaks_plainly,
        doctor_errors,
        impact_json_for_the_pf_ring_case,
        impact_errors_and_built_in_drivers,
        impact_on_this_machine,
        rooted_doctor_and_impact_read_only_under_the_root_and_open_no_socket,
    ],
    harness::root: [
        doctor_on_this_machine,
    ],
}

/// The fixture root as an argument.
fn root(t: &Tree) -> &str {
    t.root().to_str().unwrap()
}

/// The e1000e report (journalctl -k, as the PVE admin saved it), the
/// ice/iSCSI report (dmesg), and noise around them.
const LOG: &str = "\
Sep 08 13:58:02 miniserver kernel: ice: Intel(R) Ethernet Connection E800 Series Linux Driver
Sep 08 13:58:02 miniserver kernel: ice 0000:3b:00.0: firmware: failed to load intel/ice/ddp/ice-40a6b7fffe1c2d30.pkg (-2)
Sep 08 13:58:02 miniserver kernel: ice 0000:3b:00.0: firmware: direct-loading firmware intel/ice/ddp/ice.pkg
Sep 08 13:58:02 miniserver kernel: ice 0000:3b:00.0: The DDP package was successfully loaded: ICE OS Default Package version 1.3.30.0
Sep 08 13:58:09 miniserver systemd[1]: Started pvedaemon.service - PVE API Daemon.
Sep 08 13:59:39 miniserver kernel: e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:
                                     TDH                  <a8>
                                     TDT                  <e4>
                                     next_to_use          <e4>
                                     next_to_clean        <a7>
                                   buffer_info[next_to_clean]:
                                     time_stamp           <1000e7d53>
                                     next_to_watch        <a8>
                                     jiffies              <1000e8160>
                                     next_to_watch.status <0>
                                   MAC Status             <40080083>
                                   PHY Status             <796d>
                                   PHY 1000BASE-T Status  <3800>
                                   PHY Extended Status    <3000>
                                   PCI Status             <10>
Sep 08 13:59:41 miniserver kernel: e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:
                                     TDH                  <a8>
Sep 08 13:59:42 miniserver kernel: e1000e 0000:00:1f.6 eno1: Reset adapter unexpectedly
Sep 08 13:59:42 miniserver kernel: vmbr0: port 1(eno1) entered disabled state
Sep 08 14:00:11 miniserver kernel: Did not receive response to NOPIN on CID: 0, failing connection for I_T Nexus iqn.1993-08.org.debian:01:2f5f3c7a1b2,i,0x00023d000001,iqn.2003-01.org.linux-iscsi.storage1.x8664:sn.5a2b7c9d1e0f,t,0x01
Sep 08 14:00:12 miniserver kernel: igb 0000:02:00.0 enp2s0: Detected Tx Unit Hang
";

/// The host of the log: eno1 (e1000e) in vmbr0, an E810 (ice) on 3b:00.0,
/// Debian; the Comms package in /lib/firmware.
fn host() -> Tree {
    let t = Tree::new("doctor-host");
    t.pci_nic("0000:00:1f.6", "e1000e", Some("e1000e"), "eno1", 2)
        .pci_nic("0000:3b:00.0", "ice", Some("ice"), "ens1f0", 2)
        .virtual_if("vmbr0", 3)
        .port_of("eno1", "vmbr0")
        .default_route("vmbr0")
        .file(
            "etc/os-release",
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n",
        )
        .file("lib/firmware/intel/ice/ddp/ice-1.3.30.0.pkg", "pkg")
        .link("lib/firmware/intel/ice/ddp/ice.pkg", "ice-1.3.30.0.pkg")
        .file("lib/firmware/intel/ice/ddp-comms/ice_comms-1.3.45.0.pkg", "pkg")
        .file("kern.log", LOG);
    t
}

fn json_ok(args: &[&str]) -> Value {
    json_exit(args, 0)
}

/// `doctor` exits 4 when it reports a finding of severity error.
fn json_exit(args: &[&str], code: i32) -> Value {
    let o = ethcfg(args);
    assert_eq!(o.status.code(), Some(code), "{args:?}: {}", stderr(&o));
    serde_json::from_str(&stdout(&o))
        .unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)))
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_owned())
        .collect()
}

/// The ids of a `doctor --json` report's findings, in order.
fn finding_ids(v: &Value) -> Vec<&str> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect()
}

fn by_id<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no {id}: {v:#}"))
}

fn doctor_json_on_a_fixture_with_the_field_reports() {
    let t = host();
    let log = t.path("kern.log");
    let v = json_exit(
        &[
            "doctor",
            "--root",
            root(&t),
            "--kernel-log",
            log.to_str().unwrap(),
            "--json",
        ],
        4,
    );
    let ids = finding_ids(&v);
    assert_eq!(
        ids,
        ["e1000e-hang", "ice-ddp-os-default", "iscsi-heartbeat-loss"],
        "{v:#}"
    );
    for f in v["findings"].as_array().unwrap() {
        let keys: Vec<&String> = f.as_object().unwrap().keys().collect();
        for k in [
            "id",
            "severity",
            "interface",
            "device",
            "evidence",
            "explanation",
            "remedy",
        ] {
            assert!(keys.iter().any(|x| *x == k), "{k} in {keys:?}");
        }
    }

    let hang = by_id(&v, "e1000e-hang");
    assert_eq!(hang["severity"], "error");
    assert_eq!(hang["interface"], "eno1");
    assert_eq!(hang["device"], "0000:00:1f.6");
    let ev = strs(&hang["evidence"]);
    assert_eq!(
        ev.len(),
        16,
        "first hang with its 14 dump lines, then the second: {ev:#?}"
    );
    assert!(ev[0].starts_with("Sep 08 13:59:39 miniserver kernel: e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:"));
    let remedy = strs(&hang["remedy"]);
    assert_eq!(remedy[0], "ethcfg apply e1000e-hang-safe eno1");
    assert!(
        remedy.contains(
            &"#     post-up ethcfg apply e1000e-hang-safe eno1".to_owned()
        ),
        "{remedy:?}"
    );
    let why = hang["explanation"].as_str().unwrap();
    assert!(
        why.contains("port of vmbr0") && why.contains("not the running system"),
        "{why}"
    );

    let ice = by_id(&v, "ice-ddp-os-default");
    assert_eq!(ice["severity"], "warning");
    assert_eq!(ice["interface"], "ens1f0");
    assert_eq!(ice["device"], "0000:3b:00.0");
    assert_eq!(
        strs(&ice["remedy"]),
        [
            "cp /lib/firmware/intel/ice/ddp-comms/ice_comms-1.3.45.0.pkg /lib/firmware/intel/ice/ddp/",
            "ln -sf ice_comms-1.3.45.0.pkg /lib/firmware/intel/ice/ddp/ice.pkg",
            "ln -sf ice_comms-1.3.45.0.pkg /lib/firmware/intel/ice/ddp/ice-40a6b7fffe1c2d30.pkg",
            "update-initramfs -u",
            "reboot",
            "# after the reboot the kernel log says: ice 0000:3b:00.0: The DDP package was successfully loaded: ICE COMMS Package version 1.3.45.0",
        ]
    );
    let why = ice["explanation"].as_str().unwrap();
    assert!(why.contains("/lib/firmware/intel/ice/ddp holds: ice-1.3.30.0.pkg, ice.pkg -> ice-1.3.30.0.pkg"), "{why}");

    let iscsi = by_id(&v, "iscsi-heartbeat-loss");
    assert!(iscsi["interface"].is_null() && iscsi["device"].is_null());
    let why = iscsi["explanation"].as_str().unwrap();
    assert!(
        why.contains("e1000e-hang on eno1")
            && why.contains("ice-ddp-os-default on ens1f0"),
        "{why}"
    );

    // one interface: its findings and the host-wide one
    let v = json_exit(
        &[
            "doctor",
            "eno1",
            "--root",
            root(&t),
            "--kernel-log",
            log.to_str().unwrap(),
            "--json",
        ],
        4,
    );
    let ids = finding_ids(&v);
    assert_eq!(ids, ["e1000e-hang", "iscsi-heartbeat-loss"]);
}

fn doctor_reads_stdin_and_kmsg_under_the_root_and_speaks_plainly() {
    let t = host();
    // journalctl -k | ethcfg doctor --kernel-log -
    let mut child = ethcfg_cmd()
        .args(["doctor", "--root", root(&t), "--kernel-log", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(LOG.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    // The e1000e hang is of severity error.
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.starts_with("eno1 (e1000e, 0000:00:1f.6): the NIC hung twice (\"Detected Hardware Unit Hang\"), Sep 08 13:59:39 to Sep 08 13:59:41 [error: e1000e-hang]"), "{text}");
    assert!(
        text.contains(
            "  From the log:\n    Sep 08 13:59:39 miniserver kernel: e1000e"
        ),
        "{text}"
    );
    assert!(
        text.contains("  Run:\n    ethcfg apply e1000e-hang-safe eno1\n"),
        "{text}"
    );
    assert!(text.contains("    ln -sf ice_comms-1.3.45.0.pkg /lib/firmware/intel/ice/ddp/ice-40a6b7fffe1c2d30.pkg\n"), "{text}");
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    // the explanation is wrapped for a terminal
    assert!(
        text.lines()
            .filter(|l| l.starts_with("  ") && !l.starts_with("    "))
            .all(|l| l.len() <= 78),
        "{text}"
    );

    // no --kernel-log: <root>/dev/kmsg, here a file of /dev/kmsg records
    t.file(
        "dev/kmsg",
        "6,1021,2044821230,-;e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:\\x0a  TDH                  <3e>\n \
         SUBSYSTEM=pci\n \
         DEVICE=+pci:0000:00:1f.6\n\
         12,1022,2045000000,-;e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang: (user space)\n",
    );
    let v = json_exit(&["doctor", "--root", root(&t), "--json"], 4);
    let f = by_id(&v, "e1000e-hang");
    assert_eq!(strs(&f["evidence"]), ["[ 2044.821230] e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:", "[ 2044.821230]   TDH                  <3e>"]);
    assert_eq!(v["findings"].as_array().unwrap().len(), 1, "{v:#}");

    let quiet = t.path("quiet.log");
    std::fs::write(&quiet, "[    0.000000] Linux version 6.1.0-56-amd64\n")
        .unwrap();
    let o = ethcfg(&[
        "doctor",
        "--root",
        root(&t),
        "--kernel-log",
        quiet.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        format!(
            "No known NIC problem in the kernel log (1 line from {}).\n",
            quiet.display()
        )
    );
}

fn doctor_errors() {
    let t = host();
    let o = ethcfg(&[
        "doctor",
        "--root",
        root(&t),
        "--kernel-log",
        "/nonexistent/kern.log",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("cannot read the kernel log from /nonexistent/kern.log")
            && err.contains("--kernel-log"),
        "{err}"
    );
    let o = ethcfg(&[
        "doctor",
        "nosuch0",
        "--root",
        root(&t),
        "--kernel-log",
        t.path("kern.log").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no such interface: nosuch0"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty());
}

fn doctor_on_this_machine() {
    // The live path: this kernel's /dev/kmsg (read without waiting), the
    // devlink family (none, or no devices, in a fresh namespace: no data,
    // no error), sysfs. Whatever the host logged, it runs and says so.
    in_netns(|| {
        assert_eq!(ethcfg_core::devlink::info(), Vec::new());
        let started = std::time::Instant::now();
        let v = json_ok(&["doctor", "--json"]);
        assert!(v["findings"].is_array());
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "doctor waited for the log"
        );
    });
}

/// /proc/modules of an E810 + X722 host with irdma loaded.
const RDMA_MODULES: &str = "\
irdma 393216 0 - Live 0x0000000000000000
ice 1097728 1 irdma, Live 0x0000000000000000
i40e 528384 1 irdma, Live 0x0000000000000000
ib_uverbs 167936 1 irdma, Live 0x0000000000000000
ib_core 454656 2 irdma,ib_uverbs, Live 0x0000000000000000
";

fn rdma_host(mgmt: &str) -> Tree {
    let t = Tree::new(&format!("impact-{mgmt}"));
    t.pci_nic("0000:3b:00.0", "ice", Some("ice"), "ens1f0", 2)
        .pci_nic("0000:3b:00.1", "ice", Some("ice"), "ens1f1", 2)
        .pci_nic("0000:5e:00.0", "i40e", Some("i40e"), "eno1", 2)
        .file("proc/modules", RDMA_MODULES)
        .module("irdma", 0, &[])
        .module("ice", 1, &["irdma"])
        .module("i40e", 1, &["irdma"])
        .module("ib_uverbs", 1, &["irdma"])
        .module("ib_core", 2, &["irdma", "ib_uverbs"])
        .default_route(mgmt);
    t
}

fn impact_json_for_the_pf_ring_case() {
    // management on i40e: reloading ice with modprobe -r takes it down
    let t = rdma_host("eno1");
    let v = json_ok(&["impact", "ice", "--root", root(&t), "--json"]);
    assert_eq!(v["module"], "ice");
    assert_eq!(v["builtin"], false);
    assert_eq!(strs(&v["holders"]), ["irdma"]);
    assert_eq!(strs(&v["rmmod"]["unloads"]), ["irdma", "ice"]);
    assert_eq!(strs(&v["rmmod"]["interfaces_lost"]), ["ens1f0", "ens1f1"]);
    assert_eq!(v["rmmod"]["management_affected"], false);
    assert_eq!(
        strs(&v["modprobe_r"]["unloads"]),
        ["irdma", "ice", "i40e", "ib_uverbs", "ib_core"]
    );
    assert_eq!(
        strs(&v["modprobe_r"]["interfaces_lost"]),
        ["eno1", "ens1f0", "ens1f1"]
    );
    assert_eq!(v["modprobe_r"]["management_affected"], true);
    assert_eq!(strs(&v["management_interfaces"]), ["eno1"]);
    assert_eq!(
        strs(&v["safe_sequence"]),
        ["rmmod irdma", "rmmod ice", "modprobe ice", "modprobe irdma"]
    );

    // management on ice: modprobe -r irdma takes it, rmmod irdma does not
    let t = rdma_host("ens1f0");
    let v = json_ok(&["impact", "irdma", "--root", root(&t), "--json"]);
    assert!(strs(&v["holders"]).is_empty());
    assert_eq!(strs(&v["rmmod"]["unloads"]), ["irdma"]);
    assert_eq!(v["rmmod"]["management_affected"], false);
    assert_eq!(
        strs(&v["modprobe_r"]["unloads"]),
        ["irdma", "ice", "i40e", "ib_uverbs", "ib_core"]
    );
    assert_eq!(v["modprobe_r"]["management_affected"], true);
    assert_eq!(strs(&v["safe_sequence"]), ["rmmod irdma", "modprobe irdma"]);

    // the text says the same to a person
    let o = ethcfg(&["impact", "irdma", "--root", root(&t)]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(text.contains("modprobe -r irdma:\n  unloads: irdma, ice, i40e, ib_uverbs, ib_core\n  interfaces lost: eno1, ens1f0 (MANAGEMENT), ens1f1\n  the management interface goes down\n"), "{text}");
    assert!(text.contains("safe sequence (keeps ens1f0 up):\n  rmmod irdma\n  modprobe irdma\n"), "{text}");
}

fn impact_errors_and_built_in_drivers() {
    let t = rdma_host("eno1");
    let o = ethcfg(&["impact", "nosuch", "--root", root(&t)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).is_empty());
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1);
    assert!(
        err.contains("unknown module \"nosuch\"") && err.contains("lsmod"),
        "{err}"
    );

    let b = Tree::new("builtin");
    b.pci_nic("0000:00:03.0", "virtio-pci", None, "eth0", 2)
        .dir("sys/module/virtio_pci/parameters");
    let v = json_ok(&["impact", "virtio-pci", "--root", root(&b), "--json"]);
    assert_eq!(v["module"], "virtio_pci");
    assert_eq!(v["builtin"], true);
    assert!(strs(&v["rmmod"]["unloads"]).is_empty());
    assert!(strs(&v["notes"])[0].contains("built into the kernel"));
}

fn impact_on_this_machine() {
    // This host's own kernel: the driver behind a physical interface is a
    // module (then rmmod unloads it) or built in (then nothing can be).
    let Some(dev) = std::fs::read_dir("/sys/class/net")
        .unwrap()
        .filter_map(|e| Some(e.ok()?.path().join("device")))
        .find(|d| d.join("driver").exists())
    else {
        return; // no physical interface here: nothing to ask about
    };
    let driver = std::fs::read_link(dev.join("driver")).unwrap();
    let driver = driver.file_name().unwrap().to_str().unwrap().to_owned();
    let module = std::fs::read_link(dev.join("driver/module"))
        .ok()
        .map(|m| m.file_name().unwrap().to_str().unwrap().to_owned());
    let v =
        json_ok(&["impact", module.as_deref().unwrap_or(&driver), "--json"]);
    match module {
        Some(m) => {
            assert_eq!(v["builtin"], false, "{v:#}");
            assert!(strs(&v["rmmod"]["unloads"]).contains(&m), "{v:#}");
        }
        None => {
            assert_eq!(v["builtin"], true, "{v:#}");
            assert!(strs(&v["rmmod"]["unloads"]).is_empty());
        }
    }
}

/// Runs `ethcfg ARGS` under strace: every path a file syscall named (the
/// program's own, after the dynamic loader), and every socket it created.
fn traced(args: &[&str], env: &[(&str, &str)]) -> (Vec<String>, Vec<String>) {
    let log =
        scratch(&format!("strace-{}.log", args.join("-").replace('/', "_")));
    let _ = std::fs::create_dir_all(log.parent().unwrap());
    let o = std::process::Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=%file,socket,set_robust_list", "-o"])
        .arg(&log)
        .arg(env!("CARGO_BIN_EXE_ethcfg"))
        .args(args)
        .env_remove("ETHCFG_STATE_DIR")
        .env_remove("ETHCFG_PROFILE_DIR")
        .envs(env.iter().copied())
        .output()
        .expect("strace is installed");
    // `impact` of a module this machine lacks fails, after looking; the
    // log's e1000e hang (in kern.log and /dev/kmsg under the root) is a
    // finding of severity error (exit 4)
    let expected = if args.first() == Some(&"doctor") { 4 } else { 0 };
    assert!(
        o.status.code() == Some(expected) || args.contains(&"/"),
        "{args:?}: {}",
        stderr(&o)
    );
    let text = std::fs::read_to_string(&log).unwrap();
    let _ = std::fs::remove_file(&log);
    let mut paths = Vec::new();
    let mut sockets = Vec::new();
    // Skip the dynamic loader's search for libraries: libc sets up the
    // first thread (set_robust_list) once every library is loaded.
    let program =
        text.lines().skip_while(|l| !l.contains("set_robust_list(")).skip(1);
    for line in program {
        if line.contains("socket(") {
            sockets.push(line.to_owned());
        } else if let Some(p) = line.split('"').nth(1) {
            paths.push(p.to_owned());
        }
    }
    (paths, sockets)
}

fn rooted_doctor_and_impact_read_only_under_the_root_and_open_no_socket() {
    let t = host();
    // a state record for eno1, as another system's ethcfg wrote it
    t.file(
        "run/ethcfg/records@netns4026531840",
        "# ethcfg state records v1\neno1 2 e1000e-hang-safe 1757311300 tx-scatter-gather=11\n",
    );
    // no --kernel-log: <root>/dev/kmsg, dated from <root>/proc/stat
    t.file(
        "dev/kmsg",
        "6,1021,2044821230,-;e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:\n",
    )
    .file("proc/stat", "cpu  1 2 3 4\nbtime 1757309255\n")
    .file("proc/modules", "e1000e 344064 0 - Live 0x0000000000000000\n");
    let root = t.root().to_str().unwrap().to_owned();
    let log = t.path("kern.log");
    let ssh = [("SSH_CONNECTION", "192.0.2.9 50000 10.0.0.1 22")];
    // Under the root; its parents (canonicalize walks them); an fd's own
    // `fstat` (""); libc's files; /proc/self/maps is where glibc finds the
    // main thread's stack for Rust's guard page.
    let allowed = |p: &str| {
        p.starts_with(&root)
            || p.is_empty()
            || std::path::Path::new(&root).starts_with(p)
            || p.starts_with("/etc/ld.so")
            || p.starts_with("/lib")
            || p.starts_with("/usr/lib")
            || p == "/proc/self/maps"
    };
    for args in [
        vec!["doctor", "--root", &root, "--kernel-log", log.to_str().unwrap()],
        vec!["doctor", "--root", &root, "--json"],
        vec!["impact", "e1000e", "--root", &root],
        // `/` as a root is files too, not the live system
        vec!["impact", "e1000e", "--root", "/", "--json"],
    ] {
        let (paths, sockets) = traced(&args, &ssh);
        assert!(sockets.is_empty(), "{args:?} opened sockets: {sockets:#?}");
        if args.contains(&"/") {
            continue;
        }
        let outside: Vec<&String> =
            paths.iter().filter(|p| !allowed(p)).collect();
        assert!(
            outside.is_empty(),
            "{args:?} read outside the root: {outside:#?}"
        );
        assert!(
            args[0] == "impact"
                || paths.iter().any(|p| p.ends_with("run/ethcfg")),
            "{args:?} did not look at the state records: {paths:#?}"
        );
    }
}
