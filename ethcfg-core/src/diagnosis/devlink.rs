//! What `devlink dev info` shows, read over the devlink generic-netlink
//! family: for `doctor`, which DDP package an ice device really runs
//! (`fw.app.name`, `fw.app`) and its serial number (the PCIe Device Serial
//! Number the driver names its per-device package after).
//!
//! Reading never fails: a kernel without devlink, a kernel that refuses the
//! dump, or a machine without devlink devices simply yields nothing — the
//! kernel log and sysfs are the primary evidence, devlink only confirms.

use crate::error::Result;
use crate::netlink::conn::{genl_body, Conn};
use crate::netlink::family;
use crate::netlink::transport::{
    run_sync, SyncSocket, Transport, NETLINK_GENERIC,
};
use crate::netlink::wire::consts::DEVLINK_GENL_NAME;
use crate::netlink::wire::devlink as wire;

/// The running key under which ice reports the active DDP package's name.
pub const FW_APP_NAME: &str = "fw.app.name";
/// The running key under which ice reports the active DDP package version.
pub const FW_APP: &str = "fw.app";

/// One devlink instance (one PCI function for ice).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Info {
    /// Bus name (`pci`).
    pub bus: String,
    /// Device name on the bus (`0000:3b:00.0`).
    pub device: String,
    /// The driver, when the kernel reports it.
    pub driver: Option<String>,
    /// The serial number (`00-01-02-03-04-05-06-07` for ice: the PCIe
    /// Device Serial Number, most significant byte first).
    pub serial: Option<String>,
    /// Running versions, (name, value), in the kernel's order.
    pub running: Vec<(String, String)>,
    /// Fixed versions (`board.id`, ...).
    pub fixed: Vec<(String, String)>,
    /// Stored versions (flash contents).
    pub stored: Vec<(String, String)>,
}

impl Info {
    /// The devlink handle, as `devlink dev info` names it: `pci/0000:3b:00.0`.
    pub fn handle(&self) -> String {
        format!("{}/{}", self.bus, self.device)
    }

    /// A running version by name.
    pub fn running(&self, name: &str) -> Option<&str> {
        self.running.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The serial number as the 16 lower-case hex digits the ice driver
    /// puts in its per-device package name (`ice-<dsn>.pkg`); `None` when
    /// the serial is not eight bytes.
    pub fn dsn_hex(&self) -> Option<String> {
        let s = self.serial.as_deref()?;
        let hex: String =
            s.chars().filter(|c| *c != '-' && *c != ':').collect();
        (hex.len() == 16 && hex.chars().all(|c| c.is_ascii_hexdigit()))
            .then(|| hex.to_ascii_lowercase())
    }
}

impl From<wire::InfoReply> for Info {
    fn from(r: wire::InfoReply) -> Info {
        Info {
            bus: r.bus,
            device: r.dev,
            driver: r.driver,
            serial: r.serial,
            running: r.running,
            fixed: r.fixed,
            stored: r.stored,
        }
    }
}

/// Every devlink instance's info in the calling thread's network
/// namespace. Empty when the kernel has no devlink family, has no devlink
/// devices, or refuses the request.
pub fn info() -> Vec<Info> {
    let Ok(sock) = SyncSocket::new(NETLINK_GENERIC) else { return Vec::new() };
    let mut conn = Conn::new(sock);
    run_sync(dump_info(&mut conn)).unwrap_or_default()
}

/// Resolves the devlink family and dumps `DEVLINK_CMD_INFO_GET`. A kernel
/// without the family is `Ok(empty)`; other failures are errors (the
/// caller decides whether they matter).
pub(crate) async fn dump_info<T: Transport>(
    conn: &mut Conn<T>,
) -> Result<Vec<Info>> {
    const OP: &str = "DEVLINK_CMD_INFO_GET (dump)";
    // No family: no devlink in this kernel (CONFIG_NET_DEVLINK=n).
    let Some(family) = family::resolve(conn, DEVLINK_GENL_NAME).await? else {
        return Ok(Vec::new());
    };
    let replies =
        conn.dump(OP, |seq| wire::info_dump_request(family.id, seq)).await?;
    replies
        .iter()
        .map(|p| {
            wire::decode_info(genl_body(OP, p)?)
                .map(Info::from)
                .map_err(|e| e.for_op(OP))
        })
        .collect()
}
