//! The monitor: sockets joined to the notification groups, and one loop
//! that turns their datagrams into events ([`Events`]), written once over
//! a [`Wait`] — how the next datagram is waited for. [`Monitor`] waits
//! blocking (poll(2) on both sockets), [`AsyncMonitor`] on the tokio
//! reactor; the tests' fake hands out scripted datagrams.

use std::collections::VecDeque;
use std::io;
use std::task::{Context, Poll};

use super::decode::{self, Decoder, Seen, Source, RTNLGRP_LINK};
use super::Event;
use crate::error::{Error, Result};
use crate::ethtool::session::Session;
use crate::host::rtnl;
use crate::netlink::conn::Conn;
use crate::netlink::transport::{
    run_sync, wait_readable, SyncSocket, Transport, NETLINK_GENERIC,
    NETLINK_ROUTE,
};

/// How the next datagram is waited for: the one thing the blocking and
/// the async monitor do differently.
pub(crate) trait Wait {
    /// The next datagram into `buf`, and which socket it came from.
    /// Errors are the socket's (`ENOBUFS` for an overrun).
    fn poll_recv(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut Vec<u8>,
    ) -> Poll<(Source, io::Result<()>)>;

    /// Reads and drops every datagram already queued, without waiting
    /// (after an overrun; see [`Events::poll_next`]).
    fn discard_queued(&mut self, _buf: &mut Vec<u8>) {}
}

/// Datagrams to events over any [`Wait`].
#[derive(Debug)]
pub(crate) struct Events<W> {
    wait: W,
    decoder: Decoder,
    pending: VecDeque<Result<Event>>,
    buf: Vec<u8>,
    /// A socket failed (other than an overrun): nothing more will come.
    failed: bool,
}

impl<W: Wait> Events<W> {
    pub(crate) fn new(wait: W, decoder: Decoder) -> Self {
        Events {
            wait,
            decoder,
            pending: VecDeque::new(),
            buf: Vec::new(),
            failed: false,
        }
    }

    /// The next event; `None` after a socket error was reported.
    pub(crate) fn poll_next(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Event>>> {
        loop {
            if let Some(e) = self.pending.pop_front() {
                return Poll::Ready(Some(e));
            }
            if self.failed {
                return Poll::Ready(None);
            }
            let (source, r) = match self.wait.poll_recv(cx, &mut self.buf) {
                Poll::Ready(r) => r,
                Poll::Pending => return Poll::Pending,
            };
            match r {
                Ok(()) => {
                    self.decoder.datagram(source, &self.buf, &mut self.pending)
                }
                Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                    // Until the queue is read empty the kernel drops what
                    // comes next without another ENOBUFS: emptied now,
                    // before the consumer re-reads the state, so nothing
                    // is lost unsaid after its resync.
                    self.wait.discard_queued(&mut self.buf);
                    return Poll::Ready(Some(Ok(Event::Overrun)));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(source) => {
                    self.failed = true;
                    return Poll::Ready(Some(Err(Error::Io {
                        context: "receive notifications",
                        source,
                    })));
                }
            }
        }
    }
}

/// With a blocking [`Wait`], the events are an iterator.
impl<W: Wait> Iterator for Events<W> {
    type Item = Result<Event>;

    fn next(&mut self) -> Option<Result<Event>> {
        run_sync(std::future::poll_fn(|cx| self.poll_next(cx)))
    }
}

/// Resolves the ethtool family and its feature names over `ethtool`,
/// calls `join` with the `monitor` group's id (the monitor sockets join
/// their groups there), then reads the links over `route` — after
/// joining, so that no change falls between the dump and the first
/// notification.
pub(crate) async fn start<E: Transport, R: Transport>(
    ethtool: E,
    route: R,
    join: impl FnOnce(u32) -> io::Result<()>,
) -> Result<Decoder> {
    let mut session = Session::connect(ethtool).await?;
    let group = session.monitor_group().ok_or(Error::OpUnsupported {
        op: "the ethtool monitor group",
        needs: "Linux 5.6 or later",
    })?;
    let table = session.feature_table().await?;
    join(group).map_err(|source| Error::Io {
        context: "join the notification groups",
        source,
    })?;
    const OP: &str = "RTM_GETLINK (dump)";
    let mut conn = Conn::new(route);
    let mut links: Vec<(u32, Seen)> = Vec::new();
    conn.dump_each(
        OP,
        |seq| Some(rtnl::link_dump_request(seq)),
        |p| {
            match p {
                Some(p) => links.extend(decode::decode_link(p)?),
                None => links.clear(),
            }
            Ok(())
        },
    )
    .await?;
    Ok(Decoder::new(session.family_id(), table, links))
}

fn open(protocol: isize) -> Result<SyncSocket> {
    SyncSocket::new(protocol)
        .map_err(|source| Error::Io { context: "open netlink socket", source })
}

/// The blocking monitor's sockets.
#[derive(Debug)]
pub(crate) struct Blocking {
    ethtool: SyncSocket,
    route: SyncSocket,
    /// Which socket is looked at first next time (they take turns).
    first: usize,
}

impl Wait for Blocking {
    fn poll_recv(
        &mut self,
        _: &mut Context<'_>,
        buf: &mut Vec<u8>,
    ) -> Poll<(Source, io::Result<()>)> {
        let ready =
            match wait_readable(&[&self.ethtool, &self.route], self.first) {
                Ok(i) => i,
                Err(e) => return Poll::Ready((Source::Ethtool, Err(e))),
            };
        self.first = (ready + 1) % 2;
        let (source, sock) = if ready == 0 {
            (Source::Ethtool, &mut self.ethtool)
        } else {
            (Source::Route, &mut self.route)
        };
        Poll::Ready((source, run_sync(sock.recv(buf))))
    }

    fn discard_queued(&mut self, buf: &mut Vec<u8>) {
        self.ethtool.discard_queued(buf);
        self.route.discard_queued(buf);
    }
}

/// Interface changes as they happen, as a blocking iterator: features and
/// settings (the ethtool `monitor` group) and links (rtnetlink's
/// `RTNLGRP_LINK`) of the calling thread's network namespace.
///
/// `next` blocks until something happens (no timeout). An item is `Err`
/// for a notification that does not decode (the monitor goes on) or a
/// socket error (then the iterator ends); an overrun is
/// [`Event::Overrun`].
///
/// ```no_run
/// use ethcfg_core::events::{Event, Monitor};
///
/// for event in Monitor::new()? {
///     match event? {
///         Event::FeaturesChanged { ifname, features, .. } => {
///             println!("{ifname}: {} features", features.len())
///         }
///         Event::Overrun => println!("events lost: re-read everything"),
///         other => println!("{other:?}"),
///     }
/// }
/// # Ok::<(), ethcfg_core::Error>(())
/// ```
#[derive(Debug)]
pub struct Monitor {
    events: Events<Blocking>,
}

impl Monitor {
    /// Joins the notification groups and reads the links present (to tell
    /// a new link from a changed one). Needs no privilege.
    ///
    /// # Errors
    /// [`Error::FamilyUnavailable`] and [`Error::OpUnsupported`] on a
    /// kernel without ethtool netlink; socket and kernel errors.
    pub fn new() -> Result<Monitor> {
        let mut ethtool = open(NETLINK_GENERIC)?;
        let mut route = open(NETLINK_ROUTE)?;
        let decoder = run_sync(start(
            open(NETLINK_GENERIC)?,
            open(NETLINK_ROUTE)?,
            |group| {
                ethtool.join(group)?;
                route.join(RTNLGRP_LINK)
            },
        ))?;
        let wait = Blocking { ethtool, route, first: 0 };
        Ok(Monitor { events: Events::new(wait, decoder) })
    }
}

impl Iterator for Monitor {
    type Item = Result<Event>;

    fn next(&mut self) -> Option<Result<Event>> {
        self.events.next()
    }
}

#[cfg(feature = "tokio")]
pub use self::tokio_monitor::AsyncMonitor;

#[cfg(feature = "tokio")]
mod tokio_monitor {
    use super::*;
    use crate::netlink::transport::AsyncSocket;

    fn open(protocol: isize) -> Result<AsyncSocket> {
        AsyncSocket::new(protocol).map_err(|source| Error::Io {
            context: "open netlink socket",
            source,
        })
    }

    /// The async monitor's sockets, on the tokio reactor.
    #[derive(Debug)]
    pub(crate) struct Reactor {
        ethtool: AsyncSocket,
        route: AsyncSocket,
        first: usize,
    }

    impl Wait for Reactor {
        fn poll_recv(
            &mut self,
            cx: &mut Context<'_>,
            buf: &mut Vec<u8>,
        ) -> Poll<(Source, io::Result<()>)> {
            // Both are polled (in turns, so neither starves), so both
            // register the waker.
            for k in 0..2 {
                let i = (self.first + k) % 2;
                let (source, sock) = if i == 0 {
                    (Source::Ethtool, &self.ethtool)
                } else {
                    (Source::Route, &self.route)
                };
                if let Poll::Ready(r) = sock.poll_recv(cx, buf) {
                    self.first = (i + 1) % 2;
                    return Poll::Ready((source, r));
                }
            }
            Poll::Pending
        }

        fn discard_queued(&mut self, buf: &mut Vec<u8>) {
            self.ethtool.discard_queued(buf);
            self.route.discard_queued(buf);
        }
    }

    /// [`Monitor`] as an async stream on a tokio reactor: the same events,
    /// decoded by the same code; only the waiting differs. Its futures are
    /// `Send`, so it runs inside `tokio::spawn`.
    ///
    /// ```no_run
    /// # async fn f() -> ethcfg_core::Result<()> {
    /// let mut monitor = ethcfg_core::events::AsyncMonitor::new().await?;
    /// while let Some(event) = monitor.next().await {
    ///     println!("{:?}", event?);
    /// }
    /// # Ok(()) }
    /// ```
    #[derive(Debug)]
    pub struct AsyncMonitor {
        events: Events<Reactor>,
    }

    impl AsyncMonitor {
        /// As [`Monitor::new`], on the current tokio runtime.
        ///
        /// # Errors
        /// As [`Monitor::new`]; also outside a tokio runtime.
        pub async fn new() -> Result<AsyncMonitor> {
            let mut ethtool = open(NETLINK_GENERIC)?;
            let mut route = open(NETLINK_ROUTE)?;
            let decoder =
                start(open(NETLINK_GENERIC)?, open(NETLINK_ROUTE)?, |group| {
                    ethtool.join(group)?;
                    route.join(RTNLGRP_LINK)
                })
                .await?;
            let wait = Reactor { ethtool, route, first: 0 };
            Ok(AsyncMonitor { events: Events::new(wait, decoder) })
        }

        /// The next event, as [`Monitor`]'s `next`; waits without
        /// blocking the thread.
        pub async fn next(&mut self) -> Option<Result<Event>> {
            std::future::poll_fn(|cx| self.events.poll_next(cx)).await
        }
    }

    impl futures_core::Stream for AsyncMonitor {
        type Item = Result<Event>;

        fn poll_next(
            self: std::pin::Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Event>>> {
            self.get_mut().events.poll_next(cx)
        }
    }
}
