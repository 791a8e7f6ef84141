//! Reading the kernel log, whatever shape it comes in: `/dev/kmsg`
//! records (read without blocking: what is buffered, then stop), `dmesg`
//! output with or without `[  123.456789]` timestamps (and `dmesg -r`'s
//! `<3>` prefixes), `journalctl -k` (`Nov 22 04:00:01 host kernel: ...`,
//! the ISO and monotonic variants too) and syslog files.
//!
//! Logs are read line by line and never trusted: invalid UTF-8 is
//! replaced, terminal escapes and control characters are dropped, a line
//! longer than [`MAX_LINE`] is cut, and lines from user space (syslog
//! lines of other programs, `/dev/kmsg` records of a facility other than
//! the kernel's) are skipped. Multi-line messages — e1000e's register dump
//! after "Detected Hardware Unit Hang" — come out as one [`LogLine`] per
//! line with consecutive numbers, so detectors can tell what follows what.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Longer lines are cut here (kernel messages are at most 1 KiB).
pub const MAX_LINE: usize = 8192;

/// Where the kernel log comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogSource {
    /// The kernel's record buffer (`/dev/kmsg`, or that path under a root):
    /// everything buffered since boot, read without blocking.
    Kmsg(PathBuf),
    /// A saved log (`dmesg`, `journalctl -k`, syslog).
    File(PathBuf),
    /// A log on standard input.
    Stdin,
}

impl std::fmt::Display for LogSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LogSource::Kmsg(p) | LogSource::File(p) => {
                write!(f, "{}", p.display())
            }
            LogSource::Stdin => f.write_str("stdin"),
        }
    }
}

/// One line of kernel log.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LogLine {
    /// Position among the kernel lines read (1-based, consecutive).
    pub n: usize,
    /// Seconds since boot, when the log says.
    pub ts: Option<f64>,
    /// Seconds since the epoch, when known for sure: `/dev/kmsg` of this
    /// boot, or a journal line with an ISO timestamp.
    pub epoch: Option<f64>,
    /// The time as the log shows it (`Sep 08 13:59:39`, `[ 2044.821230]`).
    pub when: Option<String>,
    /// The kernel's message, without timestamps and syslog prefixes.
    pub text: String,
    /// The line as read (cleaned), for evidence.
    pub raw: String,
}

/// `/dev/kmsg` as a reader: `EAGAIN` (nothing more buffered) is the end,
/// `EPIPE` (the record under the read position was overwritten) moves on
/// to the next record.
#[derive(Debug)]
struct Kmsg(File);

impl Read for Kmsg {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.0.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    return Ok(0)
                }
                Err(e)
                    if e.kind() == io::ErrorKind::BrokenPipe
                        || e.kind() == io::ErrorKind::Interrupted =>
                {
                    continue
                }
                r => return r,
            }
        }
    }
}

/// Reads the next line (without its newline) into `buf`, cut at
/// [`MAX_LINE`]; `false` at the end.
fn next_line(r: &mut impl BufRead, buf: &mut Vec<u8>) -> io::Result<bool> {
    buf.clear();
    let mut any = false;
    loop {
        let avail = match r.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            return Ok(any);
        }
        any = true;
        let (chunk, used, done) = match avail.iter().position(|&b| b == b'\n') {
            Some(i) => (avail.get(..i).unwrap_or_default(), i + 1, true),
            None => (avail, avail.len(), false),
        };
        let room = MAX_LINE.saturating_sub(buf.len());
        buf.extend_from_slice(
            chunk.get(..room.min(chunk.len())).unwrap_or_default(),
        );
        r.consume(used);
        if done {
            return Ok(true);
        }
    }
}

/// Drops what a terminal or a broken encoding put in a line: carriage
/// returns, ANSI escape sequences, other control characters (tabs become
/// spaces).
fn clean(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => {
                // CSI: ESC [ parameters... final byte in @..~
                if chars.peek() == Some(&'[') {
                    chars.next();
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
            }
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// `/dev/kmsg` escapes bytes outside printable ASCII (and `\`) as `\xNN`;
/// a multi-line message arrives as one record with `\x0a` in it.
fn unescape(msg: &str) -> String {
    let b = msg.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b.get(i..i + 4).and_then(|s| match s {
            [b'\\', b'x', h, l] => {
                let h = (*h as char).to_digit(16)?;
                let l = (*l as char).to_digit(16)?;
                u8::try_from(h * 16 + l).ok()
            }
            _ => None,
        });
        match hex {
            Some(v) => {
                out.push(v);
                i += 4;
            }
            None => {
                out.extend(b.get(i).copied());
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A `/dev/kmsg` record header: `prio,seq,ts_usec,flags[,more];message`.
fn kmsg_record(line: &str) -> Option<(u32, u64, &str)> {
    let (head, msg) = line.split_once(';')?;
    let mut f = head.split(',');
    let prio = f.next()?.parse().ok()?;
    let _seq: u64 = f.next()?.parse().ok()?;
    let ts = f.next()?.parse().ok()?;
    f.next()?; // flags: '-', 'c', '+'
    Some((prio, ts, msg))
}

/// A `[  123.456789]` timestamp (or `dmesg -T`'s `[Mon Sep  8 ...]`) at the
/// start: (seconds, the bracket's text, the rest).
fn bracket(s: &str) -> Option<(Option<f64>, &str, &str)> {
    let inner = s.strip_prefix('[')?;
    let (inside, rest) = inner.split_once(']')?;
    if inside.is_empty() || inside.len() > 40 {
        return None;
    }
    let t = inside.trim();
    let ts = (t.contains('.')
        && t.chars().all(|c| c.is_ascii_digit() || c == '.'))
    .then(|| t.parse().ok())
    .flatten();
    if ts.is_none() && !t.chars().any(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    Some((ts, inside, rest.strip_prefix(' ').unwrap_or(rest)))
}

/// `dmesg -r`'s `<3>` priority prefix.
fn strip_prio(s: &str) -> &str {
    if let Some(rest) = s.strip_prefix('<') {
        if let Some((p, msg)) = rest.split_once('>') {
            if !p.is_empty()
                && p.len() <= 4
                && p.chars().all(|c| c.is_ascii_digit())
            {
                return msg;
            }
        }
    }
    s
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
    "Nov", "Dec",
];

/// Whether `s` starts like a syslog or journal timestamp: `Sep 08 ...` or
/// `2025-09-08T...`.
fn syslog_start(s: &str) -> bool {
    let month = s.get(..4).is_some_and(|m| {
        m.ends_with(' ') && MONTHS.iter().any(|x| m.starts_with(x))
    });
    let iso = s.get(..11).is_some_and(|d| {
        d.bytes().enumerate().all(|(i, c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T' || c == b' ',
            _ => c.is_ascii_digit(),
        })
    });
    month || iso
}

/// Splits `<time> <host> <tag>: <message>` (syslog, `journalctl`): (time,
/// whether the tag is the kernel's, message). The tag is the word before
/// the first ": " (a time's own colons are never followed by a space).
fn syslog(s: &str) -> Option<(&str, bool, &str)> {
    let (head, msg) = s.split_once(": ")?;
    if head.len() > 160 {
        return None;
    }
    let (time_host, tag) = head.rsplit_once(' ')?;
    let time = time_host.rsplit_once(' ').map_or(time_host, |(t, _host)| t);
    Some((time.trim_end(), tag == "kernel", msg))
}

/// `journalctl -o short-monotonic` after its `[  12.345678]`: `<host>
/// kernel: <message>`; `None` for anything else (plain dmesg text).
fn monotonic_journal(s: &str) -> Option<&str> {
    let (host, rest) = s.split_once(' ')?;
    let msg = rest.strip_prefix("kernel: ")?;
    (!host.is_empty() && !host.contains(':')).then_some(msg)
}

/// Seconds since the epoch of an ISO 8601 time with an offset
/// (`2025-09-08T13:59:39+0800`, `...39.123456+08:00`, `...Z`).
fn iso_epoch(t: &str) -> Option<f64> {
    let num = |a: usize, b: usize| -> Option<i64> { t.get(a..b)?.parse().ok() };
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, mi, s) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let rest = t.get(19..)?;
    let (frac, zone) = match rest.strip_prefix('.') {
        Some(r) => {
            let end = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
            let digits = r.get(..end)?;
            (format!("0.{digits}").parse::<f64>().ok()?, r.get(end..)?)
        }
        None => (0.0, rest),
    };
    let offset = match zone {
        "Z" => 0,
        z if z.len() >= 5 && (z.starts_with('+') || z.starts_with('-')) => {
            let digits: String =
                z.chars().skip(1).filter(|c| *c != ':').collect();
            let hh: i64 = digits.get(..2)?.parse().ok()?;
            let mm: i64 = digits.get(2..4)?.parse().ok()?;
            let sign = if z.starts_with('-') { -1 } else { 1 };
            sign * (hh * 3600 + mm * 60)
        }
        _ => return None,
    };
    if !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
        || h > 23
        || mi > 59
        || s > 60
    {
        return None;
    }
    // days from civil (Howard Hinnant's algorithm)
    let yy = if mo <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + h * 3600 + mi * 60 + s - offset;
    Some(secs as f64 + frac)
}

/// Turns physical lines into [`LogLine`]s.
#[derive(Debug, Default)]
pub(crate) struct Parser {
    n: usize,
    /// Boot time (epoch seconds) when the log is this boot's `/dev/kmsg`.
    btime: Option<f64>,
    last_ts: Option<f64>,
    last_epoch: Option<f64>,
    last_when: Option<String>,
    /// After a kmsg record: indented lines are its dictionary.
    in_record: bool,
    /// The previous line was not the kernel's: its continuations are not.
    skipping: bool,
}

impl Parser {
    pub(crate) fn new(btime: Option<f64>) -> Self {
        Parser { btime, ..Parser::default() }
    }

    fn emit(&mut self, text: &str, raw: String, out: &mut dyn FnMut(LogLine)) {
        self.n += 1;
        out(LogLine {
            n: self.n,
            ts: self.last_ts,
            epoch: self.last_epoch,
            when: self.last_when.clone(),
            text: text.trim_end().to_owned(),
            raw,
        });
    }

    /// One physical line.
    pub(crate) fn line(&mut self, bytes: &[u8], out: &mut dyn FnMut(LogLine)) {
        let line = clean(&String::from_utf8_lossy(bytes));
        let line = line.trim_end();
        if line.is_empty() {
            return;
        }
        let indented = line.starts_with(' ');
        if indented && self.in_record {
            return; // " SUBSYSTEM=pci": a kmsg record's dictionary
        }
        if indented {
            // A continuation line of the previous message (dmesg and
            // journalctl indent them).
            if !self.skipping {
                self.emit(line.trim_start(), line.to_owned(), out);
            }
            return;
        }
        self.in_record = false;
        self.skipping = false;
        if let Some((prio, ts_us, msg)) = kmsg_record(line) {
            self.in_record = true;
            // Facility 0 is the kernel; user space writes as LOG_USER or
            // other facilities (systemd early in boot, `echo > /dev/kmsg`).
            if prio >> 3 != 0 {
                self.skipping = true;
                return;
            }
            let ts = ts_us as f64 / 1e6;
            self.last_ts = Some(ts);
            self.last_epoch = self.btime.map(|b| b + ts);
            let stamp =
                format!("[{:>5}.{:06}]", ts_us / 1_000_000, ts_us % 1_000_000);
            self.last_when = Some(stamp.clone());
            for part in unescape(msg).split('\n') {
                let part = clean(part);
                if !part.trim().is_empty() {
                    self.emit(&part, format!("{stamp} {part}"), out);
                }
            }
            return;
        }
        let mut text = strip_prio(line);
        self.last_epoch = None;
        if let Some((ts, inside, rest)) = bracket(text) {
            self.last_ts = ts;
            self.last_when = Some(format!("[{inside}]"));
            text = rest;
            // journalctl -o short-monotonic: "[  12.345678] host kernel: msg"
            if let Some(msg) = monotonic_journal(text) {
                text = msg;
            }
        } else if syslog_start(text) {
            let Some((time, kernel, msg)) = syslog(text) else {
                self.skipping = true;
                return;
            };
            if !kernel {
                self.skipping = true;
                return;
            }
            self.last_when = Some(time.to_owned());
            self.last_epoch = iso_epoch(time);
            self.last_ts = None;
            text = msg;
            // syslog of a kernel with printk times: "kernel: [ 12.3] msg"
            if let Some((ts, _, rest)) = bracket(text) {
                self.last_ts = ts;
                text = rest;
            }
        } else {
            // `dmesg -t`: no time at all (and a bare "kernel: " tag, as
            // syslog excerpts are often quoted)
            self.last_ts = None;
            self.last_when = None;
            text = text.strip_prefix("kernel: ").unwrap_or(text);
        }
        self.emit(text, line.to_owned(), out);
    }
}

/// Reads every line of `r` through `parser`; returns the number of
/// physical lines.
fn read_all(
    r: impl Read,
    parser: &mut Parser,
    out: &mut dyn FnMut(LogLine),
) -> io::Result<usize> {
    let mut r = BufReader::with_capacity(64 * 1024, r);
    let mut buf = Vec::with_capacity(1024);
    let mut lines = 0;
    while next_line(&mut r, &mut buf)? {
        lines += 1;
        parser.line(&buf, out);
    }
    Ok(lines)
}

/// Boot time from `<root>/proc/stat` (`btime <epoch seconds>`).
pub(crate) fn boot_time(root: &Path) -> Option<f64> {
    let stat = crate::fs::read_regular_string(
        &root.join("proc/stat"),
        crate::fs::SYSFS_CAP,
    )
    .ok()?;
    stat.lines()
        .find_map(|l| l.strip_prefix("btime "))
        .and_then(|v| v.trim().parse().ok())
}

/// Reads the kernel log from `source`, handing every kernel line to `out`;
/// returns the number of lines read. `btime` dates `/dev/kmsg` records.
///
/// # Errors
/// [`Error::KernelLog`] when the source cannot be opened or read.
pub fn read(
    source: &LogSource,
    btime: Option<f64>,
    out: &mut dyn FnMut(LogLine),
) -> Result<usize> {
    let name = source.to_string();
    let fail =
        |source: io::Error| Error::KernelLog { from: name.clone(), source };
    match source {
        LogSource::Kmsg(path) => {
            let f = std::fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(path)
                .map_err(fail)?;
            // The kernel's is a character device; a saved copy under a
            // root is a regular file. A FIFO or socket there could be fed
            // forever, so it is refused like any other odd file.
            let ft = f.metadata().map_err(fail)?.file_type();
            if !(ft.is_char_device() || ft.is_file()) {
                return Err(fail(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "it is neither the kernel's record device nor a regular file",
                )));
            }
            let mut p = Parser::new(btime);
            read_all(Capped::new(Kmsg(f)), &mut p, out).map_err(fail)
        }
        LogSource::File(path) => {
            let f = crate::fs::open_regular(path).map_err(fail)?;
            // A saved log's size is known: refuse before reading any.
            if f.metadata().map_err(fail)?.len() > crate::fs::KERNEL_LOG_CAP {
                return Err(fail(crate::fs::too_large(
                    crate::fs::KERNEL_LOG_CAP,
                )));
            }
            read_all(Capped::new(f), &mut Parser::new(None), out).map_err(fail)
        }
        LogSource::Stdin => {
            // A pipe is what stdin is for; the cap still holds.
            read_all(
                Capped::new(io::stdin().lock()),
                &mut Parser::new(None),
                out,
            )
            .map_err(fail)
        }
    }
}

/// A reader that fails once more than [`crate::fs::KERNEL_LOG_CAP`] bytes
/// have come through: a log is streamed, never held whole, but a device or
/// pipe that never ends must not keep doctor reading forever.
struct Capped<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Capped<R> {
    fn new(inner: R) -> Self {
        Capped { inner, left: crate::fs::KERNEL_LOG_CAP }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let got = u64::try_from(n).unwrap_or(u64::MAX);
        if got > self.left {
            return Err(crate::fs::too_large(crate::fs::KERNEL_LOG_CAP));
        }
        self.left -= got;
        Ok(n)
    }
}

/// Parses a log held in memory (tests, callers with their own source).
pub fn parse(bytes: &[u8], out: &mut dyn FnMut(LogLine)) -> usize {
    let mut p = Parser::new(None);
    read_all(bytes, &mut p, out).unwrap_or(0)
}

#[cfg(test)]
mod tests;
