//! The e1000e ladder through doctor, and the findings built from the
//! field reports' own log lines: igc link drops (TrueNAS, Bazzite), r8169
//! transmit timeouts (regzbot, a runbook, netdev), bridges served through
//! bonds.

use super::*;
use crate::state::{Record, Records};
use crate::testing::tree::Tree;

fn one<'a>(r: &'a [Finding], id: &str) -> &'a Finding {
    let f: Vec<&Finding> = r.iter().filter(|f| f.id == id).collect();
    assert_eq!(f.len(), 1, "one {id} finding in {r:#?}");
    f[0]
}

fn run_log(t: &Tree, log: &str) -> Report {
    t.file("kern.log", log);
    run(&Options {
        log: Some(LogSource::File(t.path("kern.log"))),
        ifaces: Vec::new(),
        ..Options::rooted(t.root())
    })
    .unwrap()
}

fn scan(log: &str) -> Scan {
    let mut s = Scan::default();
    log::parse(log.as_bytes(), &mut |l| s.feed(&l));
    s
}

/// Boot time of the fixture's /dev/kmsg records.
const BTIME: u64 = 1_757_311_000;

/// Two hangs of eno1 in this boot's /dev/kmsg, at boot + 100 s and + 700 s.
fn kmsg_scan() -> Scan {
    let kmsg = "3,10,100000000,-;e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:\\x0a  TDH                  <3e>\n\
                3,11,700000000,-;e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:\\x0a  TDH                  <3f>\n";
    let mut s = Scan::default();
    let mut p = log::Parser::new(Some(BTIME as f64));
    for l in kmsg.lines() {
        p.line(l.as_bytes(), &mut |x| s.feed(&x));
    }
    s
}

fn pve() -> Tree {
    let t = Tree::new("ladder");
    t.pci_nic("0000:00:1f.6", "e1000e", Some("e1000e"), "eno1", 2);
    t
}

fn commands(f: &Finding) -> Vec<&str> {
    f.remedy
        .iter()
        .filter(|l| !l.starts_with('#'))
        .map(String::as_str)
        .collect()
}

#[test]
fn hangs_after_each_step_recommend_the_next_one_by_its_ethcfg_command() {
    let t = pve();
    let s = kmsg_scan();
    let mut facts = Facts::fixture(t.root());
    facts.applied.insert("eno1".into(), BTIME + 300);
    for (applied, next) in [
        ("e1000e-tso-off", "e1000e-hang-safe"),
        ("e1000e-hang-safe", "e1000e-hang-safe-eee"),
    ] {
        facts.applied_by.insert("eno1".into(), applied.into());
        let f = findings(&s, &facts);
        let f = one(&f, "e1000e-hang");
        assert!(
            f.explanation.contains(&format!(
                "ethcfg applied {applied} to eno1 before 1 of these 2 hangs"
            )),
            "{}",
            f.explanation
        );
        assert!(f.explanation.contains(next), "{}", f.explanation);
        let expected = format!("ethcfg apply {next} eno1");
        assert_eq!(commands(f), [expected.as_str()], "{:?}", f.remedy);
        assert!(
            f.remedy.iter().any(
                |l| l == &format!("#     post-up ethcfg apply {next} eno1")
            ),
            "{:?}",
            f.remedy
        );
        assert!(
            !f.remedy.iter().any(|l| l.contains("ethtool")),
            "never an ethtool command: {:?}",
            f.remedy
        );
    }
    // after tso-off, the step after the recommended one is named too
    facts.applied_by.insert("eno1".into(), "e1000e-tso-off".into());
    let f = findings(&s, &facts);
    assert!(one(&f, "e1000e-hang").remedy.iter().any(|l| l.ends_with(
        "the next step is: ethcfg apply e1000e-hang-safe-eee eno1"
    )));
}

#[test]
fn past_the_top_step_doctor_lists_what_ethcfg_cannot_do_with_references() {
    let t = pve();
    let s = kmsg_scan();
    let mut facts = Facts::fixture(t.root());
    facts.applied.insert("eno1".into(), BTIME + 300);
    facts.applied_by.insert("eno1".into(), "e1000e-hang-safe-eee".into());
    let f = findings(&s, &facts);
    let f = one(&f, "e1000e-hang");
    assert!(commands(f).is_empty(), "nothing left to apply: {:?}", f.remedy);
    assert!(
        f.explanation.contains("top of ethcfg's ladder"),
        "{}",
        f.explanation
    );
    let text = f.remedy.join("\n");
    for (what, reference) in [
        ("pcie_aspm=off", "https://github.com/siutsin/otaru/pull/2637"),
        (
            "SmartPowerDownEnable=0",
            "https://docs.kernel.org/networking/device_drivers/ethernet/intel/e1000e.html",
        ),
        ("InterruptThrottleRate", "e1000e.html"),
        ("BIOS", "https://github.com/lxc/incus-os/issues/849"),
    ] {
        let line = f
            .remedy
            .iter()
            .find(|l| l.contains(what))
            .unwrap_or_else(|| panic!("{what} in {text}"));
        assert!(
            line.contains(reference) || text.contains(reference),
            "{what}: {line}"
        );
    }
    assert!(!text.contains("ethtool "), "{text}");

    // the live settings can put it at the top too (record: hang-safe)
    facts.applied_by.insert("eno1".into(), "e1000e-hang-safe".into());
    facts.ladder_now.insert("eno1".into(), "e1000e-hang-safe-eee".into());
    let f = findings(&s, &facts);
    let f = one(&f, "e1000e-hang");
    assert!(commands(f).is_empty(), "{:?}", f.remedy);
    assert!(
        f.explanation.contains("match e1000e-hang-safe-eee now"),
        "{}",
        f.explanation
    );
}

#[test]
fn the_state_record_names_the_step_and_dates_the_apply() {
    let t = pve();
    // this boot started at BTIME; /dev/kmsg under the root holds the log
    t.file("proc/stat", format!("cpu 1 2 3\nbtime {BTIME}\n"));
    t.file(
        "dev/kmsg",
        "3,10,100000000,-;e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:\n\
         3,11,700000000,-;e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:\n\
         3,12,800000000,-;e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:\n",
    );
    let states = state_dir(&Options::rooted(t.root()));
    let mut r = Record::new("eno1", 2, "e1000e-tso-off");
    r.created = BTIME + 300;
    r.last_at = BTIME + 300;
    let mut all = Records::new();
    all.insert(2, r);
    states.store_all(&all).unwrap();
    let rep = run(&Options {
        log: None,
        ifaces: Vec::new(),
        ..Options::rooted(t.root())
    })
    .unwrap();
    let f = one(&rep.findings, "e1000e-hang");
    assert!(
        f.explanation.contains(
            "ethcfg applied e1000e-tso-off to eno1 before 2 of these 3 hangs"
        ),
        "{}",
        f.explanation
    );
    assert_eq!(commands(f), ["ethcfg apply e1000e-hang-safe eno1"]);

    // a record of something else (set, capture) is not a ladder step
    let mut r = Record::new("eno1", 2, "capture");
    r.created = BTIME + 300;
    r.last_at = BTIME + 300;
    all.insert(2, r);
    states.store_all(&all).unwrap();
    let rep = run(&Options {
        log: None,
        ifaces: Vec::new(),
        ..Options::rooted(t.root())
    })
    .unwrap();
    let f = one(&rep.findings, "e1000e-hang");
    assert!(!f.explanation.contains("ethcfg applied"), "{}", f.explanation);
    assert_eq!(commands(f)[0], "ethcfg apply e1000e-hang-safe eno1");
}

/// eno1 in bond0 in bridge vmbr0, as the kernel shows it.
fn bonded() -> Tree {
    let t = pve();
    t.virtual_if("bond0", 3)
        .file("sys/devices/virtual/net/bond0/uevent", "DEVTYPE=bond\n")
        .virtual_if("vmbr0", 4)
        .file("sys/devices/virtual/net/vmbr0/uevent", "DEVTYPE=bridge\n")
        .dir("sys/devices/virtual/net/vmbr0/bridge")
        .port_of("eno1", "bond0")
        .port_of("bond0", "vmbr0");
    t
}

#[test]
fn doctor_names_the_bridge_a_port_serves_through_a_bond() {
    let t = bonded();
    let r = run_log(
        &t,
        "Sep 08 13:59:39 miniserver kernel: e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:\n",
    );
    let f = one(&r.findings, "e1000e-hang");
    assert!(
        f.explanation.contains("eno1 serves bridge vmbr0 through bond0")
            && f.explanation.contains("\"iface eno1\" stanza, not in vmbr0's"),
        "{}",
        f.explanation
    );
}

/// TrueNAS, /var/log/messages (github: an I225-V notes page).
const TRUENAS: &str = "Nov  8 05:01:54 truenas kernel: igc 0000:06:00.0 enp6s0: NIC Link is Down
Nov  8 05:01:54 truenas kernel: br0: port 1(enp6s0) entered disabled state
Nov  8 05:02:00 truenas kernel: igc 0000:06:00.0 enp6s0: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: RX
Nov  8 05:02:00 truenas kernel: br0: port 1(enp6s0) entered blocking state
Nov  8 05:02:00 truenas kernel: br0: port 1(enp6s0) entered listening state
Nov  8 05:02:06 truenas kernel: igc 0000:06:00.0 enp6s0: NIC Link is Down
Nov  8 05:02:06 truenas kernel: br0: port 1(enp6s0) entered disabled state
";

/// ublue-os/bazzite#5337, journal with ISO times.
const BAZZITE: &str = "2026-07-30T11:50:07.262550-05:00 kernel: igc 0000:0a:00.0 eno1: PCIe link lost, device now detached
2026-07-30T11:50:07.263246-05:00 kernel: igc: Failed to read reg 0xc030!
";

#[test]
fn igc_link_drops_name_the_eee_preset() {
    let t = Tree::new("igc");
    t.pci_nic("0000:06:00.0", "igc", Some("igc"), "enp6s0", 2)
        .virtual_if("br0", 3)
        .file("sys/devices/virtual/net/br0/uevent", "DEVTYPE=bridge\n")
        .port_of("enp6s0", "br0");
    let r = run_log(&t, TRUENAS);
    assert_eq!(r.findings.len(), 1, "{:#?}", r.findings);
    let f = one(&r.findings, "igc-link-drops");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.interface.as_deref(), Some("enp6s0"));
    assert!(f.summary.contains("the link went down twice"), "{}", f.summary);
    assert!(f.summary.contains("Nov  8 05:01:54 to Nov  8 05:02:06"));
    assert_eq!(f.remedy[0], "ethcfg apply igc-eee-off enp6s0");
    assert!(f
        .remedy
        .contains(&"#     post-up ethcfg apply igc-eee-off enp6s0".to_owned()));
    assert!(
        f.explanation.contains("enp6s0 is a port of br0"),
        "{}",
        f.explanation
    );
    assert_eq!(f.evidence.len(), 2);

    // one drop is a cable pulled, not a finding
    let once: String =
        TRUENAS.lines().take(5).map(|l| format!("{l}\n")).collect();
    assert!(run_log(&t, &once).findings.is_empty());

    // the PCIe link lost: an error, reboot and ASPM
    let t = Tree::new("igc-lost");
    t.pci_nic("0000:0a:00.0", "igc", Some("igc"), "eno1", 2);
    let r = run_log(&t, BAZZITE);
    let f = one(&r.findings, "igc-link-drops");
    assert_eq!(f.severity, Severity::Error);
    assert!(f.summary.contains("PCIe link was lost"), "{}", f.summary);
    assert_eq!(f.remedy[0], "ethcfg apply igc-eee-off eno1");
    assert!(f.remedy.iter().any(|l| l.contains("pcie_aspm=off")));
    assert!(f.remedy.iter().any(|l| l.contains("reboot")));
}

/// linux-regtracking (5.18 regression report), journal lines.
const REGZBOT: &str = "kernel: NETDEV WATCHDOG: enp37s0 (r8169): transmit queue 0 timed out
kernel: r8169 0000:25:00.0 enp37s0: rtl_rxtx_empty_cond == 0 (loop: 42, delay: 100).
";

/// A runbook's copy of the 6.x line (netdev_crit, with the CPU and ms).
const RUNBOOK: &str = "r8169 0000:03:00.0 enp3s0: NETDEV WATCHDOG: CPU: 7: transmit queue 0 timed out 5567 ms
r8169 0000:03:00.0 enp3s0: rtl_txcfg_empty_cond == 0 (loop: 666, delay: 100).
";

#[test]
fn r8169_transmit_timeouts_name_the_vlan_preset() {
    // the old WARN line names the interface only; the driver's line the device
    let s = scan(REGZBOT);
    let t = Tree::new("r8169-old");
    t.pci_nic("0000:25:00.0", "r8169", Some("r8169"), "enp37s0", 2);
    let f = findings(&s, &Facts::fixture(t.root()));
    let f = one(&f, "r8169-tx-timeout");
    assert_eq!(f.device.as_deref(), Some("0000:25:00.0"));
    assert_eq!(f.interface.as_deref(), Some("enp37s0"));
    assert!(f.summary.contains("timed out once"), "{}", f.summary);
    assert!(
        f.explanation.contains("once the reset waited in vain"),
        "{}",
        f.explanation
    );
    assert!(
        f.explanation.contains("carries no VLAN interface now"),
        "{}",
        f.explanation
    );
    assert_eq!(f.remedy[0], "ethcfg apply r8169-vlan-tx-csum-off enp37s0");
    assert_eq!(f.evidence.len(), 2);

    // the 6.x line, on a port carrying a VLAN
    let t = Tree::new("r8169-vlan");
    t.pci_nic("0000:03:00.0", "r8169", Some("r8169"), "enp3s0", 2)
        .virtual_if("enp3s0.30", 3)
        .file("sys/devices/virtual/net/enp3s0.30/uevent", "DEVTYPE=vlan\n")
        .link(
            "sys/devices/pci0000:00/0000:03:00.0/net/enp3s0/upper_enp3s0.30",
            "../../../../virtual/net/enp3s0.30",
        );
    let r = run_log(&t, RUNBOOK);
    let f = one(&r.findings, "r8169-tx-timeout");
    assert_eq!(f.severity, Severity::Error);
    assert!(
        f.explanation.contains("carries the VLAN interface enp3s0.30"),
        "{}",
        f.explanation
    );
    assert_eq!(f.remedy[0], "ethcfg apply r8169-vlan-tx-csum-off enp3s0");

    // Realtek's own r8125 driver logs the same line: not this preset's
    let r8125 = "[ 1356.296930] r8125 0000:22:04.0 eth4: NETDEV WATCHDOG: CPU: 3: transmit queue 0 timed out 5010 ms\n\
                 [ 1356.350008] r8125 0000:22:04.0 eth4: rtl_rxtx_empty_cond == 0 (loop: 42, delay: 100).\n";
    assert!(run_log(&t, r8125).findings.is_empty());
    // an r8169 chip that only waits, with no watchdog, is no finding
    assert!(findings(
        &scan("r8169 0000:02:00.0 enp2s0: rtl_rxtx_empty_cond == 0 (loop: 42, delay: 100).\n"),
        &Facts::fixture(t.root())
    )
    .is_empty());
}
