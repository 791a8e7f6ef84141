//! Findings from real-shaped logs (the field reports' lines, in the
//! formats people save them in) against fixture trees.

use super::*;
use crate::testing::tree::Tree;

/// One e1000e hang as journalctl prints it (continuation lines indented).
fn hang_journal(time: &str, tdh: &str) -> String {
    let pad = " ".repeat(35);
    format!(
        "Sep 08 {time} miniserver kernel: e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:\n\
         {pad}  TDH                  <{tdh}>\n\
         {pad}  TDT                  <e4>\n\
         {pad}  next_to_use          <e4>\n\
         {pad}  next_to_clean        <a7>\n\
         {pad}buffer_info[next_to_clean]:\n\
         {pad}  time_stamp           <1000e7d53>\n\
         {pad}  next_to_watch        <a8>\n\
         {pad}  jiffies              <1000e8160>\n\
         {pad}  next_to_watch.status <0>\n\
         {pad}MAC Status             <40080083>\n\
         {pad}PHY Status             <796d>\n\
         {pad}PHY 1000BASE-T Status  <3800>\n\
         {pad}PHY Extended Status    <3000>\n\
         {pad}PCI Status             <10>\n"
    )
}

/// The PVE host of the first field report: I219-LM eno1 in bridge vmbr0.
fn pve_host() -> Tree {
    let t = Tree::new("pve");
    t.pci_nic("0000:00:1f.6", "e1000e", Some("e1000e"), "eno1", 2)
        .virtual_if("vmbr0", 3)
        .port_of("eno1", "vmbr0")
        .virtual_if("lo", 1)
        .default_route("vmbr0")
        .file(
            "etc/os-release",
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n",
        );
    t
}

fn pve_log() -> String {
    let mut log = String::from(
        "Sep 08 13:58:02 miniserver kernel: vmbr0: port 1(eno1) entered forwarding state\n",
    );
    for (i, s) in (39..60).step_by(2).enumerate() {
        log.push_str(&hang_journal(
            &format!("13:59:{s}"),
            &format!("{:x}", 0xa8 + i),
        ));
    }
    log.push_str(
        "Sep 08 13:59:44 miniserver kernel: e1000e 0000:00:1f.6 eno1: Reset adapter unexpectedly\n\
         Sep 08 13:59:44 miniserver kernel: vmbr0: port 1(eno1) entered disabled state\n\
         Sep 08 13:59:48 miniserver kernel: e1000e 0000:00:1f.6 eno1: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx\n\
         Sep 08 14:00:01 miniserver CRON[2211]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)\n",
    );
    log.push_str(&hang_journal("14:01:41", "c0"));
    log
}

fn run_on(t: &Tree, log: &str, ifaces: &[&str]) -> Report {
    t.file("kern.log", log);
    run(&Options {
        log: Some(LogSource::File(t.path("kern.log"))),
        ifaces: ifaces.iter().map(|s| (*s).to_owned()).collect(),
        ..Options::rooted(t.root())
    })
    .unwrap()
}

fn scan(log: &str) -> Scan {
    let mut s = Scan::default();
    log::parse(log.as_bytes(), &mut |l| s.feed(&l));
    s
}

fn one<'a>(r: &'a [Finding], id: &str) -> &'a Finding {
    let f: Vec<&Finding> = r.iter().filter(|f| f.id == id).collect();
    assert_eq!(f.len(), 1, "one {id} finding in {r:#?}");
    f[0]
}

#[test]
fn e1000e_hang_from_the_pve_report() {
    let t = pve_host();
    let r = run_on(&t, &pve_log(), &[]);
    assert_eq!(r.findings.len(), 1, "{:#?}", r.findings);
    let f = one(&r.findings, "e1000e-hang");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.interface.as_deref(), Some("eno1"));
    assert_eq!(f.device.as_deref(), Some("0000:00:1f.6"));
    assert!(f.summary.contains("hung 12 times"), "{}", f.summary);
    assert!(
        f.summary.contains("Sep 08 13:59:39 to Sep 08 14:01:41"),
        "{}",
        f.summary
    );
    // the first hang whole: headline and its 14 dump lines
    assert!(f.evidence[0].ends_with("eno1: Detected Hardware Unit Hang:"));
    assert!(f.evidence[1].trim_start().starts_with("TDH"));
    assert!(f.evidence[14].trim_start().starts_with("PCI Status"));
    assert!(f
        .evidence
        .iter()
        .skip(15)
        .all(|e| e.contains("Detected Hardware Unit Hang")));
    assert!(f.evidence.last().unwrap().starts_with("Sep 08 14:01:41"));
    assert!(
        f.explanation.contains("it reset the adapter once in this log"),
        "{}",
        f.explanation
    );
    assert!(f.explanation.contains("port of vmbr0"), "{}", f.explanation);
    assert!(f.explanation.contains("not checked"), "{}", f.explanation);
    assert_eq!(f.remedy[0], "ethcfg apply e1000e-hang-safe eno1");
    assert!(
        f.remedy
            .iter()
            .any(|l| l == "#     post-up ethcfg apply e1000e-hang-safe eno1"),
        "{:?}",
        f.remedy
    );
    assert!(
        f.remedy.iter().any(|l| l.contains("\"iface eno1 ...\" stanza")),
        "{:?}",
        f.remedy
    );
    assert!(f.remedy.last().unwrap().contains("EEE is the next suspect"));

    // persisted already: the stanza has the line
    t.file(
        "etc/network/interfaces",
        "auto lo\niface lo inet loopback\n\niface eno1 inet manual\n    post-up ethcfg apply e1000e-hang-safe eno1\n\nauto vmbr0\niface vmbr0 inet static\n    bridge-ports eno1\n",
    );
    let r = run_on(&t, &pve_log(), &[]);
    let f = one(&r.findings, "e1000e-hang");
    assert!(
        f.remedy.iter().any(|l| l.starts_with("# already kept across reboots")),
        "{:?}",
        f.remedy
    );
    // ... in vmbr0's stanza it would not count
    t.file("etc/network/interfaces", "iface eno1 inet manual\niface vmbr0 inet dhcp\n    post-up ethcfg apply e1000e-hang-safe eno1\n");
    let r = run_on(&t, &pve_log(), &[]);
    assert!(!one(&r.findings, "e1000e-hang")
        .remedy
        .iter()
        .any(|l| l.starts_with("# already")));
}

#[test]
fn e1000e_hang_says_when_the_interface_already_matches() {
    let t = pve_host();
    let s = scan(&pve_log());
    let mut facts = Facts::fixture(t.root());
    facts.live = true;
    facts.hang_safe.insert("eno1".into(), ProfileCheck::Matches);
    let f = findings(&s, &facts);
    let f = one(&f, "e1000e-hang");
    assert!(
        f.explanation.contains("already match e1000e-hang-safe"),
        "{}",
        f.explanation
    );
    assert!(
        !f.remedy.iter().any(|l| l.starts_with("ethcfg apply")),
        "nothing to apply: {:?}",
        f.remedy
    );

    facts.hang_safe.insert(
        "eno1".into(),
        ProfileCheck::Differs(vec![
            "tx-tcp-segmentation".into(),
            "rx-gro".into(),
        ]),
    );
    let f = findings(&s, &facts);
    let f = one(&f, "e1000e-hang");
    assert!(f.explanation.contains("does not match e1000e-hang-safe now: 2 features differ (tx-tcp-segmentation, rx-gro)"), "{}", f.explanation);
    assert_eq!(f.remedy[0], "ethcfg apply e1000e-hang-safe eno1");
}

#[test]
fn hangs_after_the_profile_was_applied_point_at_eee() {
    let t = pve_host();
    // This boot's /dev/kmsg (dated from btime): hangs at 100 s and 700 s.
    let btime = 1_757_311_000.0;
    let kmsg = "3,10,100000000,-;e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:\\x0a  TDH                  <3e>\n\
                3,11,700000000,-;e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:\\x0a  TDH                  <3f>\n";
    let mut s = Scan::default();
    let mut p = log::Parser::new(Some(btime));
    for l in kmsg.lines() {
        p.line(l.as_bytes(), &mut |x| s.feed(&x));
    }
    let mut facts = Facts::fixture(t.root());
    // ethcfg applied e1000e-hang-safe at boot + 300 s: one hang after it
    facts.applied.insert("eno1".into(), 1_757_311_300);
    let f = findings(&s, &facts);
    let f = one(&f, "e1000e-hang");
    assert!(
        f.explanation.contains("before 1 of these 2 hangs"),
        "{}",
        f.explanation
    );
    assert!(
        f.explanation.contains("Energy-Efficient Ethernet"),
        "{}",
        f.explanation
    );
    // the next step by its ethcfg command, never an ethtool one
    assert!(
        f.remedy.contains(&"ethcfg apply e1000e-hang-safe-eee eno1".to_owned()),
        "{:?}",
        f.remedy
    );
    assert!(!f.remedy.iter().any(|l| l.contains("ethtool")), "{:?}", f.remedy);
    assert_eq!(
        f.evidence.len(),
        3,
        "first hang with its dump, then the second headline: {:?}",
        f.evidence
    );

    // applied after the last hang: no EEE advice beyond the conditional note
    facts.applied.insert("eno1".into(), 1_757_311_900);
    let f = findings(&s, &facts);
    let f = one(&f, "e1000e-hang");
    assert!(
        f.explanation.contains("after the last of these hangs"),
        "{}",
        f.explanation
    );
    assert!(!f
        .remedy
        .contains(&"ethcfg apply e1000e-hang-safe-eee eno1".to_owned()));
}

#[test]
fn old_style_e1000e_lines_and_unknown_devices() {
    let t = Tree::new("old");
    t.pci_nic("0000:00:19.0", "e1000e", Some("e1000e"), "eth0", 2);
    // "e1000e 0000:00:19.0: eth0: ..." (device prefix, name in the message),
    // and syslog lines with a kernel printk time, spaces squeezed
    let log = "Mar 14 14:17:10 server91 kernel: [6045453.108633] e1000e 0000:00:19.0: eth0: Detected Hardware Unit Hang:\n\
               Mar 14 14:17:10 server91 kernel: [6045453.108633] TDH <0>\n\
               Mar 14 14:17:10 server91 kernel: [6045453.108633] TDT <1>\n\
               Mar 14 14:17:10 server91 kernel: [6045453.108633] e1000e 0000:00:1f.6 eno9: Detected Hardware Unit Hang:\n";
    let r = run_on(&t, log, &[]);
    assert_eq!(r.findings.len(), 2);
    let a = &r.findings[0];
    assert_eq!(a.interface.as_deref(), Some("eth0"));
    assert_eq!(a.evidence.len(), 3, "{:?}", a.evidence);
    // a device that is not in this system: no interface, the logged name in the commands
    let b = &r.findings[1];
    assert_eq!(
        (b.interface.as_deref(), b.device.as_deref()),
        (None, Some("0000:00:1f.6"))
    );
    assert!(
        b.explanation.contains("(the log called it eno9)"),
        "{}",
        b.explanation
    );
    assert_eq!(b.remedy[0], "ethcfg apply e1000e-hang-safe eno9");
    // filtered to eth0, the other goes
    let r = run_on(&t, log, &["eth0"]);
    assert_eq!(r.findings.len(), 1);
    // an interface that does not exist is an error
    t.file("kern.log", log);
    let e = run(&Options {
        log: Some(LogSource::File(t.path("kern.log"))),
        ifaces: vec!["eno9".into()],
        ..Options::rooted(t.root())
    })
    .unwrap_err();
    assert!(matches!(e, Error::NoSuchInterface { .. }), "{e:?}");
}

/// An E810 (ice) with two ports; the firmware directory as Debian's
/// firmware package leaves it plus the Comms package.
fn ice_host(os: &str) -> Tree {
    let t = Tree::new("ice");
    t.pci_nic("0000:3b:00.0", "ice", Some("ice"), "ens1f0", 4)
        .pci_nic("0000:3b:00.1", "ice", Some("ice"), "ens1f1", 5)
        .pci_nic("0000:5e:00.0", "i40e", Some("i40e"), "eno1", 2)
        .default_route("eno1")
        .file("etc/os-release", os);
    t
}

const DEBIAN: &str = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nID=debian\n";
const ROCKY: &str =
    "NAME=\"Rocky Linux\"\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n";

const ICE_OS_DEFAULT: &str = "\
[    3.201511] ice: Intel(R) Ethernet Connection E800 Series Linux Driver
[    3.201514] ice: Copyright (c) 2018, Intel Corporation.
[    3.512331] ice 0000:3b:00.0: firmware: failed to load intel/ice/ddp/ice-40a6b7fffe1c2d30.pkg (-2)
[    3.512360] ice 0000:3b:00.0: firmware: direct-loading firmware intel/ice/ddp/ice.pkg
[    3.873120] ice 0000:3b:00.0: The DDP package was successfully loaded: ICE OS Default Package version 1.3.30.0
[    3.925502] ice 0000:3b:00.0: 126.024 Gb/s available PCIe bandwidth, limited by 16.0 GT/s PCIe x8 link at 0000:3a:00.0 (capable of 252.048 Gb/s with 16.0 GT/s PCIe x16 link)
[    4.370011] ice 0000:3b:00.1: firmware: failed to load intel/ice/ddp/ice-40a6b7fffe1c2d30.pkg (-2)
[    4.371090] ice 0000:3b:00.1: DDP package already present on device: ICE OS Default Package version 1.3.30.0
";

#[test]
fn ice_on_the_os_default_package() {
    let t = ice_host(DEBIAN);
    t.file("lib/firmware/intel/ice/ddp/ice-1.3.30.0.pkg", "pkg")
        .link("lib/firmware/intel/ice/ddp/ice.pkg", "ice-1.3.30.0.pkg")
        .file("lib/firmware/intel/ice/ddp/ice_comms-1.3.40.0.pkg", "pkg")
        .file("lib/firmware/intel/ice/ddp/ice_comms-1.3.45.0.pkg", "pkg");
    let r = run_on(&t, ICE_OS_DEFAULT, &[]);
    assert_eq!(
        r.findings.len(),
        1,
        "one finding for the card: {:#?}",
        r.findings
    );
    let f = one(&r.findings, "ice-ddp-os-default");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(
        (f.interface.as_deref(), f.device.as_deref()),
        (Some("ens1f0"), Some("0000:3b:00.0"))
    );
    assert!(
        f.summary.contains("ICE OS Default Package 1.3.30.0"),
        "{}",
        f.summary
    );
    assert!(
        f.summary.contains("intel/ice/ddp/ice-40a6b7fffe1c2d30.pkg"),
        "{}",
        f.summary
    );
    assert!(f.explanation.contains("/lib/firmware/intel/ice/ddp holds: ice-1.3.30.0.pkg, ice.pkg -> ice-1.3.30.0.pkg, ice_comms-1.3.40.0.pkg, ice_comms-1.3.45.0.pkg"), "{}", f.explanation);
    assert!(
        f.explanation.contains("other port ens1f1 (0000:3b:00.1)"),
        "{}",
        f.explanation
    );
    assert_eq!(
        f.remedy,
        [
            "ln -sf ice_comms-1.3.45.0.pkg /lib/firmware/intel/ice/ddp/ice.pkg",
            "ln -sf ice_comms-1.3.45.0.pkg /lib/firmware/intel/ice/ddp/ice-40a6b7fffe1c2d30.pkg",
            "update-initramfs -u",
            "reboot",
            "# after the reboot the kernel log says: ice 0000:3b:00.0: The DDP package was successfully loaded: ICE COMMS Package version 1.3.45.0",
        ]
    );
    assert!(f.evidence.iter().any(
        |e| e.contains("failed to load intel/ice/ddp/ice-40a6b7fffe1c2d30.pkg")
    ));
    assert!(f.evidence.iter().any(|e| e.contains("ICE OS Default Package")));

    // after the fix and a reboot, the log says COMMS: nothing to report
    let fixed = format!(
        "{ICE_OS_DEFAULT}[    3.873120] ice 0000:3b:00.0: The DDP package was successfully loaded: ICE COMMS Package version 1.3.45.0\n\
         [    4.371090] ice 0000:3b:00.1: DDP package already present on device: ICE COMMS Package version 1.3.45.0\n"
    );
    assert!(run_on(&t, &fixed, &[]).findings.is_empty());
    // the "(mc)" variant of newer default packages is still the default
    let mc = ICE_OS_DEFAULT.replace(
        "ICE OS Default Package version",
        "ICE OS Default Package (mc) version",
    );
    assert_eq!(run_on(&t, &mc, &[]).findings.len(), 1);
}

#[test]
fn ice_in_safe_mode_with_a_dangling_link_on_a_rhel_like() {
    let t = ice_host(ROCKY);
    // ice.pkg points at a package an upgrade removed; the Comms package
    // is where linux-firmware ships it
    t.link("lib/firmware/intel/ice/ddp/ice.pkg", "ice-1.3.26.0.pkg")
        .file("lib/firmware/intel/ice/ddp-comms/ice_comms-1.3.45.0.pkg", "pkg");
    let log = "\
[    3.512331] ice 0000:3b:00.0: firmware: failed to load intel/ice/ddp/ice-40a6b7fffe1c2d30.pkg (-2)
[    3.512402] ice 0000:3b:00.0: firmware: failed to load intel/ice/ddp/ice.pkg (-2)
[    3.512405] ice 0000:3b:00.0: Direct firmware load for intel/ice/ddp/ice.pkg failed with error -2
[    3.512410] ice 0000:3b:00.0: The DDP package file was not found or could not be read. Entering Safe Mode
[    3.530022] ice 0000:3b:00.0: Package download failed. Advanced features disabled - Device now in Safe Mode
";
    let r = run_on(&t, log, &[]);
    let f = one(&r.findings, "ice-ddp-safe-mode");
    assert_eq!(f.severity, Severity::Error);
    assert!(f.summary.contains("Safe Mode"), "{}", f.summary);
    assert!(
        f.explanation
            .contains("ice.pkg -> ice-1.3.26.0.pkg (missing: a dangling link)"),
        "{}",
        f.explanation
    );
    assert!(f.explanation.contains("/lib/firmware/intel/ice/ddp-comms/ice_comms-1.3.45.0.pkg is present"), "{}", f.explanation);
    assert_eq!(
        f.remedy[..5],
        [
            "cp /lib/firmware/intel/ice/ddp-comms/ice_comms-1.3.45.0.pkg /lib/firmware/intel/ice/ddp/",
            "ln -sf ice_comms-1.3.45.0.pkg /lib/firmware/intel/ice/ddp/ice.pkg",
            "ln -sf ice_comms-1.3.45.0.pkg /lib/firmware/intel/ice/ddp/ice-40a6b7fffe1c2d30.pkg",
            "dracut -f",
            "reboot",
        ]
    );
}

/// A PCI config space with a Device Serial Number extended capability
/// behind an AER one, as `lspci -vvv` would decode it.
fn config_with_dsn(dsn: u64) -> Vec<u8> {
    let mut c = vec![0u8; 4096];
    let mut put =
        |at: usize, v: u32| c[at..at + 4].copy_from_slice(&v.to_le_bytes());
    put(0x100, 0x0001 | (1 << 16) | (0x148 << 20)); // AER, next 0x148
    put(0x148, 0x0003 | (1 << 16)); // DSN, last
    put(0x14c, dsn as u32);
    put(0x150, (dsn >> 32) as u32);
    c
}

#[test]
fn ice_without_a_logged_request_names_the_file_from_the_serial_number() {
    let t = ice_host("ID=ubuntu\nID_LIKE=debian\n");
    t.file("lib/firmware/intel/ice/ddp/ice-1.3.30.0.pkg", "pkg")
        .link("lib/firmware/intel/ice/ddp/ice.pkg", "ice-1.3.30.0.pkg")
        .link(
            "sys/bus/pci/devices/0000:3b:00.0",
            "../../../devices/pci0000:00/0000:3b:00.0",
        )
        .file(
            "sys/devices/pci0000:00/0000:3b:00.0/config",
            config_with_dsn(0x40a6_b7ff_fe1c_2d30),
        );
    assert_eq!(
        ice::dsn_from_config(t.root(), "0000:3b:00.0").as_deref(),
        Some("40a6b7fffe1c2d30")
    );
    // upstream kernels request the per-device file without a warning
    let log = "[    3.873120] ice 0000:3b:00.0: The DDP package was successfully loaded: ICE OS Default Package version 1.3.30.0\n";
    let r = run_on(&t, log, &[]);
    let f = one(&r.findings, "ice-ddp-os-default");
    assert!(
        f.explanation
            .contains("This card's own name is ice-40a6b7fffe1c2d30.pkg"),
        "{}",
        f.explanation
    );
    assert!(f.explanation.contains("No Comms package"), "{}", f.explanation);
    assert!(f.remedy[0].starts_with("# download Intel's"), "{:?}", f.remedy);
    assert!(f.remedy.contains(&"ln -sf ice_comms-<version>.pkg /lib/firmware/intel/ice/ddp/ice-40a6b7fffe1c2d30.pkg".to_owned()), "{:?}", f.remedy);
    assert!(f.remedy.contains(&"update-initramfs -u".to_owned()));
}

fn info(dev: &str, app: &str, ver: &str) -> crate::diagnosis::devlink::Info {
    crate::diagnosis::devlink::Info {
        bus: "pci".into(),
        device: dev.into(),
        driver: Some("ice".into()),
        serial: Some("40-a6-b7-ff-fe-1c-2d-30".into()),
        running: vec![
            ("fw.mgmt".into(), "7.3.4".into()),
            (crate::diagnosis::devlink::FW_APP_NAME.into(), app.into()),
            (crate::diagnosis::devlink::FW_APP.into(), ver.into()),
        ],
        fixed: Vec::new(),
        stored: Vec::new(),
    }
}

#[test]
fn devlink_reports_the_active_package_too() {
    let t = ice_host(DEBIAN);
    t.file("lib/firmware/intel/ice/ddp/ice_comms-1.3.45.0.pkg", "pkg");
    let mut facts = Facts::fixture(t.root());
    facts.live = true;
    // the log agrees with devlink: devlink's values join the evidence
    facts.devlink =
        vec![info("0000:3b:00.0", "ICE OS Default Package", "1.3.30.0")];
    let f = findings(&scan(ICE_OS_DEFAULT), &facts);
    let f = one(&f, "ice-ddp-os-default");
    assert!(
        f.evidence.contains(&"devlink pci/0000:3b:00.0: fw.app.name \"ICE OS Default Package\", fw.app 1.3.30.0".to_owned()),
        "{:?}",
        f.evidence
    );
    // no log at all (rotated away): devlink alone, the name from its serial
    let f = findings(&Scan::default(), &facts);
    let f = one(&f, "ice-ddp-os-default");
    assert_eq!(f.interface.as_deref(), Some("ens1f0"));
    assert!(f.remedy.contains(&"ln -sf ice_comms-1.3.45.0.pkg /lib/firmware/intel/ice/ddp/ice-40a6b7fffe1c2d30.pkg".to_owned()), "{:?}", f.remedy);
    // fixed since the log was written: devlink shows the Comms package now
    facts.devlink = vec![info("0000:3b:00.0", "ICE COMMS Package", "1.3.45.0")];
    assert!(findings(&scan(ICE_OS_DEFAULT), &facts).is_empty());
}

const NOPIN: &str = "[ 5012.553120] Did not receive response to NOPIN on CID: 0, failing connection for I_T Nexus iqn.1993-08.org.debian:01:2f5f3c7a1b2,i,0x00023d000001,iqn.2003-01.org.linux-iscsi.storage1.x8664:sn.5a2b7c9d1e0f,t,0x01\n";
const PING: &str = "[ 1584.148092]  connection4:0: ping timeout of 5 secs expired, recv timeout 5, last rx 4296241093, last ping 4296246144, now 4296251392\n\
[ 1584.148816]  connection4:0: detected conn error (1022)\n";

#[test]
fn iscsi_heartbeat_loss_is_tied_to_the_nic_findings() {
    let t = ice_host(DEBIAN);
    t.file("lib/firmware/intel/ice/ddp/ice_comms-1.3.45.0.pkg", "pkg");
    let r = run_on(&t, &format!("{ICE_OS_DEFAULT}{NOPIN}{NOPIN}"), &[]);
    assert_eq!(r.findings.len(), 2);
    let f = one(&r.findings, "iscsi-heartbeat-loss");
    assert_eq!((f.interface.as_deref(), f.device.as_deref()), (None, None));
    assert!(f.summary.contains("lost 2 times"), "{}", f.summary);
    assert!(
        f.explanation.contains("the target (LIO) got no answer"),
        "{}",
        f.explanation
    );
    assert!(
        f.explanation.contains("also shows ice-ddp-os-default on ens1f0"),
        "{}",
        f.explanation
    );
    assert!(
        f.remedy[0].contains("ice-ddp-os-default on ens1f0"),
        "{:?}",
        f.remedy
    );
    assert_eq!(f.evidence.len(), 2);
    // kept when filtering to one interface: it is the host's
    assert_eq!(
        run_on(&t, &format!("{ICE_OS_DEFAULT}{NOPIN}"), &["ens1f0"])
            .findings
            .len(),
        2
    );
    assert_eq!(
        run_on(&t, &format!("{ICE_OS_DEFAULT}{NOPIN}"), &["eno1"])
            .findings
            .len(),
        1
    );

    // initiator side, and no NIC finding
    let r = run_on(&t, PING, &[]);
    let f = one(&r.findings, "iscsi-heartbeat-loss");
    assert!(
        f.explanation.contains("the initiator got no answer"),
        "{}",
        f.explanation
    );
    assert!(
        f.explanation.contains("no NIC problem ethcfg recognises"),
        "{}",
        f.explanation
    );
    assert_eq!(f.evidence.len(), 1);
}

/// Lines that look like the signatures but are not: truncated,
/// other drivers, user space, garbage.
const NOISE: &[u8] = b"\
[   12.000000] igb 0000:01:00.0 eth1: Detected Tx Unit Hang\n\
[   12.100000] e1000 0000:02:01.0 eth2: Detected Tx Unit Hang\n\
[   12.200000] e1000e 0000:00:1f.6 eno1: Detected Hardware Un\n\
[   12.300000] Detected Hardware Unit Hang: said nobody\n\
[   12.400000] e1000e: Detected Hardware Unit Hang\n\
[   12.450000] e1000e 0000:00:1f.6 eno1 Detected Hardware Unit Hang: no colon\n\
[   12.500000] ice 0000:3b:00.0: The DDP package was successfully loaded: ICE OS Def\n\
[   12.510000] ice 0000:3b:00.0: The DDP package was successfully loaded: ICE OS Default Package version 1.3\n\
[   12.600000] ice 0000:3b:00.0: Entering Safe Mo\n\
[   12.700000] ice 0000:3b:00.0: firmware: failed to load intel/ice/ddp/ice-0123.pkg (-2)\n\
[   12.800000] i40e 0000:5e:00.0: The DDP package was successfully loaded: ICE OS Default Package version 1.3.30.0\n\
[   12.900000] Did not receive response to NOP\n\
[   13.000000] connection1:0: ping timeout of\n\
[   13.100000] sd 6:0:0:0: [sdb] ping timeout of 5 secs expired\n\
12,99,13200000,-;e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:\n\
\xff\xfe\xfd\x00\x01\x02 e1000e \xc3 0000:00:1f.6 \x80 eno1: Detected Hardware Unit Hang:\n\
[   13.300000] e1000e 0000:00:1f.6 en\xffo1: Detected Hardware Unit Hang:\n\
[   13.400000] e1000e 0000:0g:1f.6 eno1: Detected Hardware Unit Hang:\n\
[   13.500000] e1000e 0000:00:1f.9 eno1: Detected Hardware Unit Hang:\n\
TDH <3e>\n\
MAC Status <40080083>\n\
[\x1b[31m   13.6] ice 0000:3b:00.0: Safe Mode\x1b[0m\n\
Sep 08 13:59:39 host kernel\n\
Sep 08 13:59:39 host systemd[1]: e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:\n\
\x20   TDH <3e>\n";

#[test]
fn a_noisy_log_yields_no_false_finding() {
    let t = pve_host();
    let r = run_on(&t, &String::from_utf8_lossy(NOISE), &[]);
    // lossy conversion is what the reader does too; feed the raw bytes as well
    t.file("raw.log", NOISE);
    let raw = run(&Options {
        log: Some(LogSource::File(t.path("raw.log"))),
        ..Options::rooted(t.root())
    })
    .unwrap();
    for rep in [&r, &raw] {
        assert!(rep.findings.is_empty(), "{:#?}", rep.findings);
    }
    assert!(r.lines > 20);
}

#[test]
fn random_bytes_never_panic() {
    // xorshift: deterministic garbage, mixed with fragments of real lines
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let frags: [&[u8]; 8] = [
        b"e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:",
        b"  TDH <",
        b"ice 0000:3b:00.0: ",
        b"intel/ice/ddp/ice-",
        b"6,1,2,-;",
        b"\\x0a",
        b"[ 1.0] ",
        b"Sep 08 13:59:39 h kernel: ",
    ];
    let t = Tree::new("fuzz");
    for _ in 0..200 {
        let mut buf = Vec::new();
        for _ in 0..64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            match x % 5 {
                0 => buf
                    .extend_from_slice(frags[(x >> 8) as usize % frags.len()]),
                1 => buf.push(b'\n'),
                _ => buf.push((x >> 16) as u8),
            }
        }
        let s = {
            let mut s = Scan::default();
            log::parse(&buf, &mut |l| s.feed(&l));
            s
        };
        let _ = findings(&s, &Facts::fixture(t.root()));
    }
}

#[test]
fn device_prefixes() {
    let d = dev_msg("e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:")
        .unwrap();
    assert_eq!(
        (d.driver, d.device, d.ifname, d.msg),
        (
            "e1000e",
            "0000:00:1f.6",
            Some("eno1"),
            "Detected Hardware Unit Hang:"
        )
    );
    let d = dev_msg("ice 0000:3b:00.0: firmware: failed to load x").unwrap();
    assert_eq!(
        (d.device, d.ifname, d.msg),
        ("0000:3b:00.0", None, "firmware: failed to load x")
    );
    let d = dev_msg("vmd 10000:00:02.0: x").unwrap();
    assert_eq!(d.device, "10000:00:02.0");
    for bad in [
        "e1000e",
        "e1000e 0000:00:1f.6",
        "e1000e 00:1f.6 eno1: x",
        "e1000e 0000:00:1f.8: x",
        "e1000e 0000:00:1f.6 a/b: x",
        "x: 0000:00:1f.6: y",
    ] {
        assert!(dev_msg(bad).is_none(), "{bad}");
    }
}

#[test]
fn live_only_when_asked_for() {
    // The live system is the default, and only a choice: a root, even
    // `/`, is files only (no devlink socket, no ethtool netlink, no
    // /proc/thread-self).
    assert!(Options::new().root.is_live());
    assert!(Options::default().root.is_live());
    assert!(!Options::rooted("/").root.is_live());
    assert_eq!(
        Options::rooted("/srv/copy").root.path(),
        Path::new("/srv/copy")
    );
    assert_eq!(Options::new().state_dir, None);
    assert_eq!(
        Options::new().profile_dir,
        Path::new(crate::profile::Profiles::DEFAULT_DIR)
    );
}
