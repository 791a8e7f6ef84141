//! Generic-netlink family resolution: `CTRL_CMD_GETFAMILY` for a family
//! name gives its id, its op table (what this kernel implements) and its
//! multicast groups by name — for ethtool, devlink, and any family or
//! multicast group (a watcher's `monitor`) later.

use crate::error::Result;
use crate::netlink::conn::{genl_body, Conn};
use crate::netlink::transport::Transport;
use crate::netlink::wire::ctrl;

pub(crate) use crate::netlink::wire::ctrl::FamilyInfo as Family;

/// Resolves family `name` on `conn`: `None` when this kernel does not
/// have it.
pub(crate) async fn resolve<T: Transport>(
    conn: &mut Conn<T>,
    name: &str,
) -> Result<Option<Family>> {
    const OP: &str = "CTRL_CMD_GETFAMILY";
    let reply = match conn
        .request_one(OP, None, |seq| Some(ctrl::get_family_request(name, seq)))
        .await
    {
        Ok(r) => r,
        Err(e) if e.errno() == Some(libc::ENOENT) => return Ok(None),
        Err(e) => return Err(e),
    };
    ctrl::decode_family(genl_body(OP, &reply)?)
        .map(Some)
        .map_err(|e| e.for_op(OP))
}
