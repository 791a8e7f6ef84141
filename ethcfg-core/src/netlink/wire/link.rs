//! The one rtnetlink query ethcfg makes: `RTM_GETLINK`, for interface names
//! and the link kind (`veth`, `bridge`, ...) of virtual devices, which have
//! no driver in sysfs; and `RTM_GETADDR`, for the interface that carries an
//! SSH session.

use super::attrs::{attrs, WireResult};
use super::builder::MsgBuilder;
use super::consts::*;

/// `RTM_GETLINK` dump of every link in the socket's namespace.
pub(crate) fn dump_request(seq: u32) -> Option<Vec<u8>> {
    let mut b = MsgBuilder::raw(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq);
    b.bytes(&[0u8; IFINFOMSG_LEN]);
    b.finish()
}

/// `RTM_GETLINK` for the link with index `index`.
pub(crate) fn get_request(seq: u32, index: u32) -> Option<Vec<u8>> {
    let mut b = MsgBuilder::raw(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
    let mut ifi = [0u8; IFINFOMSG_LEN];
    if let Some(slot) = ifi.get_mut(4..8) {
        slot.copy_from_slice(&index.to_ne_bytes());
    }
    b.bytes(&ifi);
    b.finish()
}

/// Index, name and kind of one link.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LinkInfo {
    pub(crate) index: u32,
    pub(crate) name: String,
    pub(crate) kind: Option<String>,
}

/// Decodes an `RTM_NEWLINK` payload (after the netlink header).
pub(crate) fn decode(payload: &[u8]) -> WireResult<Option<LinkInfo>> {
    let Some(ifi) = payload.get(..IFINFOMSG_LEN) else { return Ok(None) };
    let index = ifi
        .get(4..8)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(i32::from_ne_bytes)
        .unwrap_or(0);
    let mut info =
        LinkInfo { index: index.max(0) as u32, ..LinkInfo::default() };
    for a in attrs(payload.get(IFINFOMSG_LEN..).unwrap_or(&[])) {
        let a = a?;
        match a.kind {
            IFLA_IFNAME => info.name = a.string(),
            IFLA_LINKINFO => {
                for l in attrs(a.value) {
                    let l = l?;
                    if l.kind == IFLA_INFO_KIND {
                        info.kind = Some(l.string());
                    }
                }
            }
            _ => {}
        }
    }
    Ok(Some(info))
}

/// `RTM_GETADDR` dump of every address.
pub(crate) fn addr_dump_request(seq: u32) -> Option<Vec<u8>> {
    let mut b = MsgBuilder::raw(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, seq);
    b.bytes(&[0u8; IFADDRMSG_LEN]);
    b.finish()
}

/// Decodes an `RTM_NEWADDR` payload into (ifindex, local address).
pub(crate) fn decode_addr(
    payload: &[u8],
) -> WireResult<Option<(u32, std::net::IpAddr)>> {
    let Some(ifa) = payload.get(..IFADDRMSG_LEN) else { return Ok(None) };
    let index = ifa
        .get(4..8)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(u32::from_ne_bytes)
        .unwrap_or(0);
    let mut local = None;
    let mut address = None;
    for a in attrs(payload.get(IFADDRMSG_LEN..).unwrap_or(&[])) {
        let a = a?;
        let ip = match a.value.len() {
            4 => <[u8; 4]>::try_from(a.value).ok().map(std::net::IpAddr::from),
            16 => {
                <[u8; 16]>::try_from(a.value).ok().map(std::net::IpAddr::from)
            }
            _ => None,
        };
        match a.kind {
            IFA_LOCAL => local = ip,
            IFA_ADDRESS => address = ip,
            _ => {}
        }
    }
    // IFA_LOCAL is the local end of point-to-point links; else IFA_ADDRESS.
    Ok(local.or(address).map(|ip| (index, ip)))
}
