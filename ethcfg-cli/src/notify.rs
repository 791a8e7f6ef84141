//! The service manager's notification protocol (sd_notify(3)), for
//! `watch` under `Type=notify`: one datagram of `KEY=VALUE` lines per
//! message to the socket `NOTIFY_SOCKET` names, a path or `@name` in the
//! abstract namespace. Without it nothing is sent and nothing fails.
//! Sending is best effort: the caller logs a failure and goes on, since
//! readiness is a courtesy to the boot, never a reason to stop applying
//! bindings.
//!
//! Written here (a socket and a send, from std) rather than taken from
//! the sd-notify crate: its 0.5 reads `NOTIFY_SOCKET` itself, where only
//! `env.rs` reads the environment, and connects to `@name` as a file
//! path, so abstract sockets fail with ENOENT. No credentials are passed
//! by hand: systemd sets SO_PASSCRED on its socket and the kernel adds the
//! sender's pid, which `NotifyAccess=main` checks.

use std::ffi::OsStr;
use std::io;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};

/// Where notifications go, if anywhere.
#[derive(Debug, Clone)]
pub(crate) struct Notifier {
    /// `None`: not run by a service manager. `Err`: `NOTIFY_SOCKET` is set
    /// to something that is no socket address (told on each send).
    to: Option<Result<SocketAddr, String>>,
}

impl Notifier {
    /// The notifier for `NOTIFY_SOCKET`'s value (from [`crate::env::Env`]).
    pub(crate) fn new(socket: Option<&OsStr>) -> Notifier {
        Notifier { to: socket.filter(|s| !s.is_empty()).map(address) }
    }

    /// Whether a service manager listens.
    pub(crate) fn is_set(&self) -> bool {
        self.to.is_some()
    }

    /// Start-up (or a reload) is done: `READY=1` with a status line.
    pub(crate) fn ready(&self, status: &str) -> io::Result<()> {
        self.send(&format!("READY=1\nSTATUS={}\n", one_line(status)))
    }

    /// A status line alone.
    pub(crate) fn status(&self, status: &str) -> io::Result<()> {
        self.send(&format!("STATUS={}\n", one_line(status)))
    }

    /// A reload begins: `RELOADING=1` with the monotonic time, which
    /// `Type=notify-reload` (systemd 253) requires to match the reload to
    /// its request and earlier versions ignore. `READY=1` ends it.
    pub(crate) fn reloading(&self, status: &str) -> io::Result<()> {
        let now = nix::time::clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC)
            .map_err(io::Error::from)?;
        let usec = i128::from(now.tv_sec()) * 1_000_000
            + i128::from(now.tv_nsec()) / 1_000;
        self.send(&format!(
            "RELOADING=1\nMONOTONIC_USEC={usec}\nSTATUS={}\n",
            one_line(status)
        ))
    }

    /// The process is about to exit: `STOPPING=1`.
    pub(crate) fn stopping(&self, status: &str) -> io::Result<()> {
        self.send(&format!("STOPPING=1\nSTATUS={}\n", one_line(status)))
    }

    fn send(&self, message: &str) -> io::Result<()> {
        let addr = match &self.to {
            None => return Ok(()),
            Some(Ok(a)) => a,
            Some(Err(e)) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    e.clone(),
                ))
            }
        };
        let sock = UnixDatagram::unbound()?;
        let sent = sock.send_to_addr(message.as_bytes(), addr)?;
        if sent == message.len() {
            Ok(())
        } else {
            Err(io::Error::new(
                io::ErrorKind::WriteZero,
                format!("{sent} of {} bytes sent", message.len()),
            ))
        }
    }
}

/// `NOTIFY_SOCKET` as sd_notify(3) reads it: `/path`, or `@name` for the
/// abstract namespace.
fn address(v: &OsStr) -> Result<SocketAddr, String> {
    let bytes = v.as_bytes();
    let r = match bytes.split_first() {
        Some((b'@', name)) => SocketAddr::from_abstract_name(name),
        Some((b'/', _)) => SocketAddr::from_pathname(v),
        _ => {
            return Err(format!(
                "NOTIFY_SOCKET={} is neither a path nor @name",
                v.to_string_lossy()
            ))
        }
    };
    r.map_err(|e| format!("NOTIFY_SOCKET={}: {e}", v.to_string_lossy()))
}

/// A status is one line of the message.
fn one_line(s: &str) -> String {
    s.replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn received(rx: &UnixDatagram) -> String {
        let mut buf = [0u8; 512];
        let n = rx.recv(&mut buf).unwrap();
        String::from_utf8(buf[..n].to_vec()).unwrap()
    }

    #[test]
    fn unset_sends_nothing_and_garbage_is_an_error_not_a_panic() {
        let n = Notifier::new(None);
        assert!(!n.is_set());
        n.ready("x").unwrap();
        assert!(!Notifier::new(Some(OsStr::new(""))).is_set());
        let bad = Notifier::new(Some(OsStr::new("vsock:2:9")));
        assert!(bad.is_set());
        let e = bad.ready("x").unwrap_err();
        assert!(e.to_string().contains("neither a path nor @name"), "{e}");
    }

    #[test]
    fn a_path_and_an_abstract_name_both_receive() {
        let dir = std::env::temp_dir()
            .join(format!("ethcfg-notify-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("notify");
        let rx = UnixDatagram::bind(&path).unwrap();
        let n = Notifier::new(Some(path.as_os_str()));
        n.ready("3 applied\n0 failed").unwrap();
        assert_eq!(received(&rx), "READY=1\nSTATUS=3 applied 0 failed\n");
        n.stopping("bye").unwrap();
        assert_eq!(received(&rx), "STOPPING=1\nSTATUS=bye\n");
        std::fs::remove_dir_all(&dir).unwrap();

        let name = format!("ethcfg-notify-test-{}", std::process::id());
        let rx = UnixDatagram::bind_addr(
            &SocketAddr::from_abstract_name(name.as_bytes()).unwrap(),
        )
        .unwrap();
        let n = Notifier::new(Some(OsStr::new(&format!("@{name}"))));
        n.reloading("reloading").unwrap();
        let got = received(&rx);
        let lines: Vec<&str> = got.lines().collect();
        assert_eq!(lines.first(), Some(&"RELOADING=1"), "{got}");
        let usec: u64 = lines
            .get(1)
            .and_then(|l| l.strip_prefix("MONOTONIC_USEC="))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{got}"));
        assert!(usec > 0);
        assert_eq!(lines.get(2), Some(&"STATUS=reloading"));
        n.status("watching").unwrap();
        assert_eq!(received(&rx), "STATUS=watching\n");
    }
}
