//! The netlink socket behind a small trait, so the protocol code runs the
//! same over a blocking socket (the blocking API), a tokio socket (the
//! async API) and an in-memory fake kernel (tests).

use std::future::Future;
use std::io;

use netlink_sys::{protocols, Socket};

/// Runs a future whose I/O is blocking (a [`SyncSocket`]) to completion on
/// this thread. Unlike an executor's `block_on` it does not "enter" a
/// runtime, so it works anywhere — inside another executor, inside a
/// future — and never panics. A future that is not ready is polled again
/// (it cannot happen with a blocking socket).
pub(crate) fn run_sync<F: Future>(f: F) -> F::Output {
    use std::task::{Context, Poll, Wake, Waker};
    struct Noop;
    impl Wake for Noop {
        fn wake(self: std::sync::Arc<Self>) {}
    }
    let waker = Waker::from(std::sync::Arc::new(Noop));
    let mut cx = Context::from_waker(&waker);
    let mut f = std::pin::pin!(f);
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::yield_now();
    }
}

/// Sends whole netlink messages and receives whole datagrams.
pub(crate) trait Transport {
    /// Sends one or more messages in one datagram.
    fn send(&mut self, buf: &[u8]) -> impl Future<Output = io::Result<()>>;
    /// Receives one datagram into `buf` (replacing what it held).
    fn recv(
        &mut self,
        buf: &mut Vec<u8>,
    ) -> impl Future<Output = io::Result<()>>;
}

pub(crate) use protocols::{NETLINK_GENERIC, NETLINK_ROUTE};

/// Socket options every ethcfg socket gets: extended ACK (the kernel's
/// reasons), and capped ACKs (errors do not echo the whole request).
fn configure(sock: &mut Socket) -> io::Result<()> {
    sock.bind_auto()?;
    // Kernels without extended ACK (< 4.12) refuse the option: errors then
    // arrive without text, which the error type handles.
    let _ = sock.set_ext_ack(true);
    let _ = sock.set_cap_ack(true);
    Ok(())
}

/// A blocking netlink socket. Its futures complete at once, so the
/// blocking API drives them with [`run_sync`] and needs no runtime.
#[derive(Debug)]
pub(crate) struct SyncSocket {
    sock: Socket,
}

impl SyncSocket {
    pub(crate) fn new(protocol: isize) -> io::Result<Self> {
        let mut sock = Socket::new(protocol)?;
        configure(&mut sock)?;
        Ok(SyncSocket { sock })
    }

    /// Joins multicast group `group` of the socket's protocol (a
    /// generic-netlink family's group id, an `RTNLGRP_*`): its
    /// notifications arrive on this socket from now on.
    pub(crate) fn join(&mut self, group: u32) -> io::Result<()> {
        self.sock.add_membership(group)
    }

    /// Reads and drops what is queued, without waiting (see
    /// [`discard_queued`]).
    pub(crate) fn discard_queued(&self, buf: &mut Vec<u8>) {
        discard_queued(&self.sock, buf);
    }
}

/// Reads and drops every datagram queued on `sock` without waiting:
/// after an overrun the kernel drops further notifications silently
/// until the queue has been read empty (netlink's congested flag), so a
/// consumer empties it before it re-reads the state. Bounded, so a socket
/// flooded faster than it is read cannot hold the caller forever.
pub(crate) fn discard_queued(sock: &Socket, buf: &mut Vec<u8>) {
    for _ in 0..100_000 {
        buf.clear();
        buf.reserve(64 * 1024);
        match sock.recv(buf, libc::MSG_DONTWAIT | libc::MSG_TRUNC) {
            Ok(_) => {}
            Err(e)
                if e.kind() == io::ErrorKind::Interrupted
                    || e.raw_os_error() == Some(libc::ENOBUFS) => {}
            Err(_) => return,
        }
    }
}

/// Blocks until one of `socks` has a datagram or an error to read (an
/// overrun is one) and gives its position, looking from `start` on (so a
/// busy socket cannot starve the others): no timeout, so an idle caller
/// sleeps in the kernel until the next notification.
pub(crate) fn wait_readable(
    socks: &[&SyncSocket],
    start: usize,
) -> io::Result<usize> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use std::os::fd::AsFd;
    let mut fds: Vec<PollFd<'_>> = socks
        .iter()
        .map(|s| PollFd::new(s.sock.as_fd(), PollFlags::POLLIN))
        .collect();
    loop {
        match poll(&mut fds, PollTimeout::NONE) {
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(io::Error::from(e)),
            Ok(_) => {}
        }
        // POLLERR and POLLHUP count: the recv that follows reports them.
        let n = fds.len();
        let ready = |i: &usize| {
            fds.get(*i).and_then(PollFd::revents).is_some_and(|r| !r.is_empty())
        };
        if let Some(i) = (0..n).map(|k| (start + k) % n).find(ready) {
            return Ok(i);
        }
    }
}

/// One datagram from a blocking socket into `buf`, whose capacity is kept
/// from call to call: one syscall per datagram, no allocation once the
/// buffer has grown. Replies to what ethcfg asks for are at most a few KiB,
/// and dump chunks at most 32 KiB (the kernel sizes them to the reader's
/// buffer); a larger datagram is an error, never a silent truncation.
fn recv_blocking(sock: &Socket, buf: &mut Vec<u8>) -> io::Result<()> {
    const CAP: usize = 64 * 1024;
    loop {
        buf.clear();
        buf.reserve(CAP);
        let cap = buf.capacity();
        match sock.recv(buf, libc::MSG_TRUNC) {
            Ok(n) if n > cap => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("a netlink message of {n} bytes exceeds the {cap}-byte receive buffer"),
                ))
            }
            Ok(_) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Sends one datagram on a blocking socket.
fn send_blocking(sock: &Socket, buf: &[u8]) -> io::Result<()> {
    loop {
        match sock.send(buf, 0) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => return r.map(|_| ()),
        }
    }
}

impl Transport for SyncSocket {
    fn send(&mut self, buf: &[u8]) -> impl Future<Output = io::Result<()>> {
        std::future::ready(send_blocking(&self.sock, buf))
    }

    fn recv(
        &mut self,
        buf: &mut Vec<u8>,
    ) -> impl Future<Output = io::Result<()>> {
        std::future::ready(recv_blocking(&self.sock, buf))
    }
}

#[cfg(feature = "tokio")]
pub(crate) use self::tokio_socket::AsyncSocket;

#[cfg(feature = "tokio")]
mod tokio_socket {
    use super::*;
    use netlink_sys::{AsyncSocket as _, AsyncSocketExt, TokioSocket};

    /// A netlink socket on the tokio reactor.
    pub(crate) struct AsyncSocket {
        sock: TokioSocket,
    }

    impl std::fmt::Debug for AsyncSocket {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("AsyncSocket").finish_non_exhaustive()
        }
    }

    impl AsyncSocket {
        pub(crate) fn new(protocol: isize) -> io::Result<Self> {
            // TokioSocket::new would panic outside a runtime; say so instead.
            if tokio::runtime::Handle::try_current().is_err() {
                return Err(io::Error::other(
                    "the async API needs a tokio runtime (use ethcfg_core::blocking without one)",
                ));
            }
            let mut sock = TokioSocket::new(protocol)?;
            configure(sock.socket_mut())?;
            Ok(AsyncSocket { sock })
        }

        /// Joins multicast group `group`, as [`SyncSocket::join`].
        pub(crate) fn join(&mut self, group: u32) -> io::Result<()> {
            self.sock.socket_mut().add_membership(group)
        }

        /// As [`SyncSocket::discard_queued`].
        pub(crate) fn discard_queued(&mut self, buf: &mut Vec<u8>) {
            super::discard_queued(self.sock.socket_mut(), buf);
        }

        /// Polls for one datagram into `buf` (replacing what it held),
        /// waking `cx` when the socket becomes readable. Notifications are
        /// a few KiB at most; the buffer holds 64 KiB.
        pub(crate) fn poll_recv(
            &self,
            cx: &mut std::task::Context<'_>,
            buf: &mut Vec<u8>,
        ) -> std::task::Poll<io::Result<()>> {
            buf.clear();
            buf.reserve(64 * 1024);
            self.sock.poll_recv(cx, buf)
        }
    }

    impl Transport for AsyncSocket {
        async fn send(&mut self, buf: &[u8]) -> io::Result<()> {
            self.sock.send(buf).await.map(|_| ())
        }

        async fn recv(&mut self, buf: &mut Vec<u8>) -> io::Result<()> {
            *buf = self.sock.recv_from_full().await?.0;
            Ok(())
        }
    }
}
