//! The rtnetlink readers: what the kernel tells about links and addresses
//! outside sysfs — link kinds (`veth`, `bridge`: virtual devices have no
//! driver in sysfs), masters, and the addresses that say which interface
//! carries an SSH session. The messages are netlink-packet-route's types;
//! the exchange goes through [`Conn`] like every other request.
//!
//! Attributes ethcfg does not use are skipped without being parsed (as the
//! controller's are in `netlink::wire::ctrl`), so what a newer kernel adds,
//! or a link type's data netlink-packet-route reads differently, cannot
//! break these reads.

use std::net::IpAddr;

use netlink_packet_core::{
    Emitable, NetlinkHeader, NetlinkMessage, NetlinkPayload, Nla, NlasIterator,
    Parseable, ParseableParametrized,
};
use netlink_packet_route::address::{
    AddressAttribute, AddressHeader, AddressMessage,
};
use netlink_packet_route::link::{
    InfoKind, LinkAttribute, LinkHeader, LinkInfo, LinkMessage,
};
use netlink_packet_route::RouteNetlinkMessage;

use crate::error::{Error, Result};
use crate::netlink::conn::Conn;
use crate::netlink::transport::Transport;
use crate::netlink::wire::consts::{NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST};

/// Index, name, kind and master of one link.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Link {
    pub(crate) index: u32,
    pub(crate) name: String,
    /// `IFLA_INFO_KIND`; `None` for physical devices.
    pub(crate) kind: Option<String>,
    /// `IFLA_MASTER`: the index of the bridge or bond it is a port of.
    pub(crate) master: Option<u32>,
    /// `IFLA_PERM_ADDRESS`: the hardware address the device came with.
    pub(crate) perm_address: Option<Vec<u8>>,
}

/// A whole rtnetlink request message.
fn encode(msg: RouteNetlinkMessage, flags: u16, seq: u32) -> Vec<u8> {
    let mut msg = NetlinkMessage::new(
        NetlinkHeader::default(),
        NetlinkPayload::from(msg),
    );
    msg.header.flags = flags;
    msg.header.sequence_number = seq;
    msg.finalize();
    let mut buf = vec![0u8; msg.buffer_len()];
    msg.serialize(&mut buf);
    buf
}

/// `RTM_GETLINK` dump of every link in the socket's namespace.
pub(crate) fn link_dump_request(seq: u32) -> Vec<u8> {
    let msg = RouteNetlinkMessage::GetLink(LinkMessage::default());
    encode(msg, NLM_F_REQUEST | NLM_F_DUMP, seq)
}

/// `RTM_GETLINK` for the link with index `index`.
pub(crate) fn link_request(seq: u32, index: u32) -> Vec<u8> {
    let mut link = LinkMessage::default();
    link.header.index = index;
    encode(RouteNetlinkMessage::GetLink(link), NLM_F_REQUEST | NLM_F_ACK, seq)
}

/// `RTM_GETLINK` for the link named `name` (the kernel looks alternative
/// names up too, and answers with the primary one).
pub(crate) fn link_by_name_request(seq: u32, name: &str) -> Vec<u8> {
    let mut link = LinkMessage::default();
    link.attributes.push(LinkAttribute::IfName(name.to_owned()));
    encode(RouteNetlinkMessage::GetLink(link), NLM_F_REQUEST | NLM_F_ACK, seq)
}

/// `RTM_GETADDR` dump of every address.
pub(crate) fn address_dump_request(seq: u32) -> Vec<u8> {
    let msg = RouteNetlinkMessage::GetAddress(AddressMessage::default());
    encode(msg, NLM_F_REQUEST | NLM_F_DUMP, seq)
}

/// The attribute type netlink-packet-route gives `attr` (so the numbers
/// are written once, there).
fn kind_of(attr: &impl Nla) -> u16 {
    attr.kind()
}

fn malformed(what: &str, e: impl std::fmt::Display) -> String {
    format!("{what}: {e}")
}

/// Decodes an `RTM_NEWLINK` payload (after the netlink header).
///
/// # Errors
/// A header or a used attribute that does not parse, as text.
pub(crate) fn decode_link(payload: &[u8]) -> std::result::Result<Link, String> {
    let header =
        LinkHeader::parse(payload).map_err(|e| malformed("ifinfomsg", e))?;
    let mut link = Link { index: header.index, ..Link::default() };
    let (name, master, info, perm) = (
        kind_of(&LinkAttribute::IfName(String::new())),
        kind_of(&LinkAttribute::Controller(0)),
        kind_of(&LinkAttribute::LinkInfo(Vec::new())),
        kind_of(&LinkAttribute::PermAddress(Vec::new())),
    );
    let attrs = payload.get(header.buffer_len()..).unwrap_or_default();
    for nla in NlasIterator::new(attrs) {
        let nla = nla.map_err(|e| malformed("link attribute", e))?;
        let k = nla.kind();
        if k == info {
            link.kind = info_kind(nla.value())?;
            continue;
        }
        if k == perm {
            link.perm_address = Some(nla.value().to_vec());
            continue;
        }
        if k != name && k != master {
            continue;
        }
        let attr =
            LinkAttribute::parse_with_param(&nla, header.interface_family)
                .map_err(|e| malformed("link attribute", e))?;
        match attr {
            LinkAttribute::IfName(n) => link.name = n,
            LinkAttribute::Controller(m) => link.master = Some(m),
            _ => {}
        }
    }
    Ok(link)
}

/// `IFLA_INFO_KIND` inside an `IFLA_LINKINFO` nest; the kind's data
/// (`IFLA_INFO_DATA`) is left unparsed.
fn info_kind(nest: &[u8]) -> std::result::Result<Option<String>, String> {
    let want = kind_of(&LinkInfo::Kind(InfoKind::Dummy));
    for nla in NlasIterator::new(nest) {
        let nla = nla.map_err(|e| malformed("IFLA_LINKINFO", e))?;
        if nla.kind() == want {
            let k = InfoKind::parse(&nla)
                .map_err(|e| malformed("IFLA_INFO_KIND", e))?;
            return Ok(Some(k.to_string()));
        }
    }
    Ok(None)
}

/// Decodes an `RTM_NEWADDR` payload into (ifindex, address): `IFA_LOCAL`
/// when there is one (the local end of a point-to-point link), else
/// `IFA_ADDRESS`.
///
/// # Errors
/// A header or a used attribute that does not parse, as text.
pub(crate) fn decode_address(
    payload: &[u8],
) -> std::result::Result<Option<(u32, IpAddr)>, String> {
    let header =
        AddressHeader::parse(payload).map_err(|e| malformed("ifaddrmsg", e))?;
    let unspecified = IpAddr::from([0u8; 4]);
    let (address, local) = (
        kind_of(&AddressAttribute::Address(unspecified)),
        kind_of(&AddressAttribute::Local(unspecified)),
    );
    let (mut found_local, mut found_address) = (None, None);
    let attrs = payload.get(header.buffer_len()..).unwrap_or_default();
    for nla in NlasIterator::new(attrs) {
        let nla = nla.map_err(|e| malformed("address attribute", e))?;
        if nla.kind() != address && nla.kind() != local {
            continue;
        }
        match AddressAttribute::parse(&nla)
            .map_err(|e| malformed("address attribute", e))?
        {
            AddressAttribute::Local(ip) => found_local = Some(ip),
            AddressAttribute::Address(ip) => found_address = Some(ip),
            _ => {}
        }
    }
    Ok(found_local.or(found_address).map(|ip| (header.index, ip)))
}

fn wire_error(op: &'static str) -> impl Fn(String) -> Error {
    move |detail| Error::Malformed { op, detail }
}

/// Every link (`RTM_GETLINK` dump) on an rtnetlink connection.
pub(crate) async fn links<T: Transport>(
    conn: &mut Conn<T>,
) -> Result<Vec<Link>> {
    const OP: &str = "RTM_GETLINK (dump)";
    let mut out = Vec::new();
    conn.dump_each(
        OP,
        |seq| Some(link_dump_request(seq)),
        |p| {
            match p {
                Some(p) => out.push(decode_link(p).map_err(wire_error(OP))?),
                None => out.clear(),
            }
            Ok(())
        },
    )
    .await?;
    Ok(out)
}

/// One link (`RTM_GETLINK` by index).
pub(crate) async fn link<T: Transport>(
    conn: &mut Conn<T>,
    index: u32,
) -> Result<Option<Link>> {
    const OP: &str = "RTM_GETLINK";
    let replies =
        conn.request(OP, None, |seq| Some(link_request(seq, index))).await?;
    replies.first().map(|p| decode_link(p).map_err(wire_error(OP))).transpose()
}

/// One link by name (`RTM_GETLINK`); `None` when there is none (ENODEV).
pub(crate) async fn link_by_name<T: Transport>(
    conn: &mut Conn<T>,
    name: &str,
) -> Result<Option<Link>> {
    const OP: &str = "RTM_GETLINK";
    match conn
        .request(OP, None, |seq| Some(link_by_name_request(seq, name)))
        .await
    {
        Ok(replies) => replies
            .first()
            .map(|p| decode_link(p).map_err(wire_error(OP)))
            .transpose(),
        Err(e) if e.errno() == Some(libc::ENODEV) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Every address of every interface (`RTM_GETADDR` dump).
pub(crate) async fn addresses<T: Transport>(
    conn: &mut Conn<T>,
) -> Result<Vec<(u32, IpAddr)>> {
    const OP: &str = "RTM_GETADDR (dump)";
    let mut out = Vec::new();
    conn.dump_each(
        OP,
        |seq| Some(address_dump_request(seq)),
        |p| {
            match p {
                Some(p) => {
                    out.extend(decode_address(p).map_err(wire_error(OP))?)
                }
                None => out.clear(),
            }
            Ok(())
        },
    )
    .await?;
    Ok(out)
}

#[cfg(test)]
mod tests;
