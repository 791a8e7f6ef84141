use super::*;

fn lines(input: &[u8]) -> Vec<LogLine> {
    let mut out = Vec::new();
    parse(input, &mut |l| out.push(l));
    out
}

fn texts(input: &[u8]) -> Vec<String> {
    lines(input).into_iter().map(|l| l.text).collect()
}

#[test]
fn kmsg_records_with_a_multi_line_message_and_dictionaries() {
    // As /dev/kmsg hands them out: one record per read, the register dump
    // inside the record as \x0a escapes, dictionary lines indented.
    let log = b"6,1021,2044821230,-;e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:\\x0a  TDH                  <3e>\\x0a  TDT                  <6d>\\x0aMAC Status             <40080083>\n \
SUBSYSTEM=pci\n \
DEVICE=+pci:0000:00:1f.6\n\
12,1022,2045000000,-;systemd[1]: injected by user space\n\
6,1023,2046036778,-;e1000e 0000:00:1f.6 eno1: Reset adapter unexpectedly\n";
    let mut p = Parser::new(Some(1_700_000_000.0));
    let mut got = Vec::new();
    for l in log.split(|b| *b == b'\n') {
        p.line(l, &mut |x| got.push(x));
    }
    let t: Vec<&str> = got.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        t,
        [
            "e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:",
            "  TDH                  <3e>",
            "  TDT                  <6d>",
            "MAC Status             <40080083>",
            "e1000e 0000:00:1f.6 eno1: Reset adapter unexpectedly",
        ]
    );
    // consecutive numbers: the dump follows its headline
    assert_eq!(got.iter().map(|l| l.n).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
    assert_eq!(got[0].ts, Some(2044.82123));
    assert_eq!(got[0].epoch, Some(1_700_000_000.0 + 2044.82123));
    assert_eq!(
        got[0].raw,
        "[ 2044.821230] e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:"
    );
    assert_eq!(got[1].ts, got[0].ts);
}

#[test]
fn dmesg_with_and_without_timestamps() {
    let log = br"[ 2044.821230] e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:
                 TDH                  <3e>
               buffer_info[next_to_clean]:
[ 2046.036778] e1000e 0000:00:1f.6 eno1: Reset adapter unexpectedly
";
    let got = lines(log);
    assert_eq!(got.len(), 4);
    assert_eq!(got[1].text, "TDH                  <3e>");
    assert_eq!(got[2].text, "buffer_info[next_to_clean]:");
    assert_eq!(got[1].ts, Some(2044.82123), "continuations keep the time");
    assert_eq!(got[3].ts, Some(2046.036778));
    assert_eq!(got[0].when.as_deref(), Some("[ 2044.821230]"));
    // a saved dmesg is not dated: which boot it came from is unknown
    assert!(got.iter().all(|l| l.epoch.is_none()));

    let plain = texts(b"e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:\n  TDH <3e>\nMAC Status <80083>\n");
    assert_eq!(
        plain,
        [
            "e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:",
            "TDH <3e>",
            "MAC Status <80083>"
        ]
    );

    // dmesg -r, dmesg -T
    let raw = lines(b"<3>[154888.236235] Did not receive response to NOPIN on CID: 1\n[Mon Sep  8 13:59:39 2025] ice 0000:3b:00.0: x\n");
    assert_eq!(raw[0].text, "Did not receive response to NOPIN on CID: 1");
    assert_eq!(raw[0].ts, Some(154888.236235));
    assert_eq!(raw[1].text, "ice 0000:3b:00.0: x");
    assert_eq!(raw[1].ts, None);
    assert_eq!(raw[1].when.as_deref(), Some("[Mon Sep  8 13:59:39 2025]"));
}

#[test]
fn journalctl_and_syslog_formats() {
    let log = br"Sep 08 13:59:39 miniserver kernel: e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:
                                     TDH                  <a8>
Sep 08 13:59:40 miniserver systemd[1]: Started something.
                                     TDH                  <ff>
Sep  8 13:59:41 miniserver kernel: [6045453.108633] TDT <e4>
2025-09-08T13:59:39+0800 miniserver kernel: ice 0000:3b:00.0: iso
[   12.345678] miniserver kernel: ice 0000:3b:00.0: monotonic
-- Boot 0f1e2d3c4b5a69788796a5b4c3d2e1f0 --
";
    let got = lines(log);
    let t: Vec<&str> = got.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        t,
        [
            "e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:",
            "TDH                  <a8>",
            // systemd's line and its continuation are not the kernel's
            "TDT <e4>",
            "ice 0000:3b:00.0: iso",
            "ice 0000:3b:00.0: monotonic",
            "-- Boot 0f1e2d3c4b5a69788796a5b4c3d2e1f0 --",
        ]
    );
    assert_eq!(got[0].when.as_deref(), Some("Sep 08 13:59:39"));
    assert_eq!(got[1].when.as_deref(), Some("Sep 08 13:59:39"));
    assert_eq!(got[2].ts, Some(6045453.108633));
    assert_eq!(got[2].when.as_deref(), Some("Sep  8 13:59:41"));
    assert_eq!(got[3].epoch, Some(1_757_311_179.0));
    assert_eq!(got[4].ts, Some(12.345678));
}

#[test]
fn iso_times() {
    assert_eq!(iso_epoch("2025-09-08T13:59:39+0800"), Some(1_757_311_179.0));
    assert_eq!(iso_epoch("2025-09-08T05:59:39Z"), Some(1_757_311_179.0));
    assert_eq!(
        iso_epoch("2024-02-29T23:00:00.500000+00:00"),
        Some(1_709_247_600.5)
    );
    assert_eq!(iso_epoch("2024-13-29T23:00:00Z"), None);
    assert_eq!(
        iso_epoch("2024-02-29T23:00:00"),
        None,
        "no zone: local time, unknown"
    );
    assert_eq!(iso_epoch("garbage"), None);
}

#[test]
fn noise_never_breaks_parsing() {
    let mut log = Vec::new();
    log.extend_from_slice(
        b"\x1b[0;1;31me1000e 0000:00:1f.6 eno1: colour\x1b[0m\r\n",
    );
    log.extend_from_slice(b"\xff\xfe\x00g\x00a\x00r\x00b\x00a\x00g\x00e\n");
    log.extend_from_slice(b"ice 0000:3b:00.0: \xc3\x28 broken utf-8\n");
    log.extend_from_slice(
        b"6,1,2,-;escaped \\x5c backslash \\xZZ not hex \\x\n",
    );
    log.extend_from_slice(b"[ 12.5 no bracket end\n");
    log.extend_from_slice(b"[\n]\n<>\n,,,;\n1,2,3;\n");
    log.extend(std::iter::repeat_n(b'x', 3 * MAX_LINE));
    log.extend_from_slice(b"\nlast line without newline");
    let got = lines(&log);
    assert_eq!(got[0].text, "e1000e 0000:00:1f.6 eno1: colour");
    assert_eq!(got[1].text, "\u{fffd}\u{fffd}garbage");
    assert!(got[2].text.contains('\u{fffd}'));
    assert_eq!(got[3].text, "escaped \\ backslash \\xZZ not hex \\x");
    let long = got.iter().find(|l| l.text.starts_with("xxx")).unwrap();
    assert_eq!(long.text.len(), MAX_LINE, "cut at MAX_LINE");
    assert_eq!(got.last().unwrap().text, "last line without newline");
}

#[test]
fn sources_kmsg_file_and_missing() {
    let dir =
        std::env::temp_dir().join(format!("ethcfg-log-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let kmsg = dir.join("kmsg");
    std::fs::write(&kmsg, "6,1,5000000,-;a kernel line\n").unwrap();
    let mut got = Vec::new();
    let n =
        read(&LogSource::Kmsg(kmsg.clone()), Some(100.0), &mut |l| got.push(l))
            .unwrap();
    assert_eq!(n, 1);
    assert_eq!(got[0].epoch, Some(105.0));
    got.clear();
    read(&LogSource::File(kmsg.clone()), Some(100.0), &mut |l| got.push(l))
        .unwrap();
    assert_eq!(got[0].epoch, None, "a file is not this boot's record buffer");
    let e = read(&LogSource::File(dir.join("nope")), None, &mut |_| {})
        .unwrap_err();
    assert!(matches!(e, Error::KernelLog { .. }), "{e:?}");
    assert_eq!(e.kind(), crate::ErrorKind::NotFound);
    // what to do (`--kernel-log`) is the CLI's to say (render/error.rs)
    assert!(
        e.to_string().starts_with("cannot read the kernel log from"),
        "{e}"
    );
    assert!(!e.to_string().contains("--kernel-log"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_real_dev_kmsg_is_read_without_blocking() {
    // Whatever this kernel has buffered, reading ends at EAGAIN (or fails
    // cleanly without the privilege); it must never wait for new records.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut n = 0usize;
        let r = read(
            &LogSource::Kmsg("/dev/kmsg".into()),
            boot_time(Path::new(crate::host::HostRoot::LIVE_DIR)),
            &mut |_| n += 1,
        );
        let _ = tx.send((r.map_err(|e| e.to_string()), n));
    });
    let (r, _) = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("reading /dev/kmsg blocked");
    if let Err(e) = r {
        assert!(e.contains("/dev/kmsg"), "{e}");
    }
    assert!(boot_time(Path::new(crate::host::HostRoot::LIVE_DIR))
        .is_some_and(|b| b > 1e9));
}

#[test]
fn fifos_and_oversize_logs_are_refused_without_blocking() {
    let dir = std::env::temp_dir()
        .join(format!("ethcfg-log-odd-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("kern.log");
    crate::fs::tests::mkfifo(&fifo);
    let (tx, rx) = std::sync::mpsc::channel();
    let f = fifo.clone();
    std::thread::spawn(move || {
        let file = read(&LogSource::File(f.clone()), None, &mut |_| {})
            .map_err(|e| e.to_string());
        let kmsg = read(&LogSource::Kmsg(f), None, &mut |_| {})
            .map_err(|e| e.to_string());
        let _ = tx.send((file, kmsg));
    });
    let (file, kmsg) = rx
        .recv_timeout(std::time::Duration::from_secs(5))
        .expect("reading a FIFO blocked");
    let e = file.unwrap_err();
    assert!(e.contains("kern.log") && e.contains("a FIFO"), "{e}");
    let e = kmsg.unwrap_err();
    assert!(e.contains("neither the kernel's record device"), "{e}");

    let big = dir.join("big.log");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(crate::fs::KERNEL_LOG_CAP + 1).unwrap(); // sparse
    let e = read(&LogSource::File(big), None, &mut |_| {}).unwrap_err();
    assert!(e.to_string().contains("more than 64 MiB"), "{e}");

    // A device that never ends stops at the cap.
    let e = read(&LogSource::Kmsg("/dev/zero".into()), None, &mut |_| {})
        .unwrap_err();
    assert!(e.to_string().contains("more than 64 MiB"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}
