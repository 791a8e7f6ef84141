//! Golden bytes: requests as the kernel expects them, and replies captured
//! from a real kernel (Linux 6.x, little-endian), decoded through
//! netlink-packet-route's types; truncated and corrupted replies give an
//! error, never a panic.
//!
//! `testdata/newlink_veth_bridge_port.bin`: `RTM_GETLINK` of veth0 (index
//! 4), a port of br0 (index 2), after `ip link add br0 type bridge; ip link
//! add veth0 type veth peer name veth1; ip link set veth0 master br0`;
//! `testdata/newaddr_ipv4.bin`: its `RTM_NEWADDR` after `ip addr add
//! 192.0.2.7/24 dev veth0`. Both without the 16-byte netlink header, as
//! the connection hands payloads over.

#![cfg(target_endian = "little")]

use super::*;

const NEWLINK: &[u8] = include_bytes!("testdata/newlink_veth_bridge_port.bin");
const NEWADDR: &[u8] = include_bytes!("testdata/newaddr_ipv4.bin");

#[test]
fn link_dump_request_bytes() {
    assert_eq!(
        link_dump_request(7),
        [
            32, 0, 0, 0, // nlmsg_len: header + ifinfomsg
            18, 0, // RTM_GETLINK
            1, 3, // NLM_F_REQUEST | NLM_F_DUMP
            7, 0, 0, 0, // seq
            0, 0, 0, 0, // port id: the kernel's
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, // ifinfomsg: all
        ]
    );
}

#[test]
fn link_request_by_index_bytes() {
    assert_eq!(
        link_request(9, 0x0102_0304),
        [
            32, 0, 0, 0, 18, 0, //
            5, 0, // NLM_F_REQUEST | NLM_F_ACK
            9, 0, 0, 0, 0, 0, 0, 0, //
            0, 0, 0, 0, // family, pad, type
            4, 3, 2, 1, // ifi_index
            0, 0, 0, 0, 0, 0, 0, 0, // flags, change
        ]
    );
}

#[test]
fn address_dump_request_bytes() {
    assert_eq!(
        address_dump_request(3),
        [
            24, 0, 0, 0, // header + ifaddrmsg
            22, 0, // RTM_GETADDR
            1, 3, 3, 0, 0, 0, 0, 0, 0, 0, //
            0, 0, 0, 0, 0, 0, 0, 0, // ifaddrmsg: every family, every link
        ]
    );
}

#[test]
fn captured_newlink_of_a_veth_bridge_port() {
    assert_eq!(
        decode_link(NEWLINK),
        Ok(Link {
            index: 4,
            name: "veth0".into(),
            kind: Some("veth".into()),
            master: Some(2),
            perm_address: None,
        })
    );
}

#[test]
fn the_same_link_through_netlink_packet_route_whole() {
    // What the selective decoder reads agrees with the crate's full parse.
    let whole = LinkMessage::parse(NEWLINK).unwrap();
    assert_eq!(whole.header.index, 4);
    assert!(whole.attributes.contains(&LinkAttribute::IfName("veth0".into())));
    assert!(whole.attributes.contains(&LinkAttribute::Controller(2)));
    assert!(whole.attributes.iter().any(|a| matches!(
        a,
        LinkAttribute::LinkInfo(i) if i.contains(&LinkInfo::Kind(InfoKind::Veth))
    )));
}

#[test]
fn a_physical_link_has_no_kind_and_no_master() {
    // ifinfomsg for index 2 with only IFLA_IFNAME "eno1".
    let mut p = vec![0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    p.extend_from_slice(&[9, 0, 3, 0, b'e', b'n', b'o', b'1', 0, 0, 0, 0]);
    assert_eq!(
        decode_link(&p),
        Ok(Link {
            index: 2,
            name: "eno1".into(),
            kind: None,
            master: None,
            perm_address: None,
        })
    );
}

#[test]
fn captured_newaddr() {
    assert_eq!(
        decode_address(NEWADDR),
        Ok(Some((4, IpAddr::from([192, 0, 2, 7]))))
    );
}

#[test]
fn ifa_local_wins_over_ifa_address() {
    // A point-to-point link: IFA_ADDRESS is the peer, IFA_LOCAL ours.
    let mut p = vec![2, 32, 0, 0, 5, 0, 0, 0];
    p.extend_from_slice(&[8, 0, 1, 0, 10, 0, 0, 2]); // IFA_ADDRESS 10.0.0.2
    p.extend_from_slice(&[8, 0, 2, 0, 10, 0, 0, 1]); // IFA_LOCAL 10.0.0.1
    assert_eq!(decode_address(&p), Ok(Some((5, IpAddr::from([10, 0, 0, 1])))));
}

#[test]
fn truncated_and_corrupted_replies_fail_cleanly() {
    for n in 0..NEWLINK.len() {
        let _ = decode_link(&NEWLINK[..n]);
    }
    for n in 0..NEWADDR.len() {
        let _ = decode_address(&NEWADDR[..n]);
    }
    assert!(decode_link(&NEWLINK[..10]).is_err());
    assert!(decode_address(&NEWADDR[..4]).is_err());
    for i in 0..NEWLINK.len() {
        let mut b = NEWLINK.to_vec();
        b[i] ^= 0xff;
        let _ = decode_link(&b);
    }
    // A kind attribute cut short inside its nest is an error, not a panic.
    let mut p = vec![0u8; 16];
    p.extend_from_slice(&[12, 0, 18, 0, 8, 0, 1, 0, b'v', b'e', b't', b'h']);
    p.truncate(p.len() - 2);
    assert!(decode_link(&p).is_err());
}
