//! Family resolution through the generic-netlink controller
//! (netlink-packet-generic's `GenlCtrl`): the ethtool family id, its op
//! table (what this kernel implements, dump support, admin-only ops) and its
//! multicast groups by name.

use netlink_packet_core::{
    NetlinkHeader, NetlinkMessage, NetlinkPayload, NlaBuffer, Parseable,
};
use netlink_packet_generic::ctrl::nlas::{
    GenlCtrlAttrs, McastGrpAttrs, OpAttrs,
};
use netlink_packet_generic::ctrl::{GenlCtrl, GenlCtrlCmd};
use netlink_packet_generic::GenlMessage;

use super::attrs::{attrs, WireError, WireResult};
use super::consts::*;

/// What the controller told us about a family.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FamilyInfo {
    pub(crate) id: u16,
    /// (op id, `GENL_*` flags) for every op the kernel implements.
    pub(crate) ops: Vec<(u32, u32)>,
    /// (name, id) of every multicast group of the family.
    pub(crate) groups: Vec<(String, u32)>,
}

impl FamilyInfo {
    pub(crate) fn op_flags(&self, op: u8) -> Option<u32> {
        self.ops.iter().find(|(id, _)| *id == u32::from(op)).map(|(_, f)| *f)
    }

    /// The id of the multicast group `name`, when the family has one.
    pub(crate) fn group(&self, name: &str) -> Option<u32> {
        self.groups.iter().find(|(n, _)| n == name).map(|(_, id)| *id)
    }
}

/// `CTRL_CMD_GETFAMILY` for `name`.
pub(crate) fn get_family_request(name: &str, seq: u32) -> Vec<u8> {
    let ctrl = GenlCtrl {
        cmd: GenlCtrlCmd::GetFamily,
        nlas: vec![GenlCtrlAttrs::FamilyName(name.to_owned())],
    };
    let mut msg = NetlinkMessage::new(
        NetlinkHeader::default(),
        NetlinkPayload::from(GenlMessage::from_payload(ctrl)),
    );
    msg.header.flags = NLM_F_REQUEST | NLM_F_ACK;
    msg.header.sequence_number = seq;
    msg.finalize();
    let mut buf = vec![0u8; msg.buffer_len()];
    msg.serialize(&mut buf);
    buf
}

/// Decodes a `CTRL_CMD_NEWFAMILY` reply body (attributes after the genl
/// header). Attributes this code does not need are skipped, so a newer
/// kernel's additions cannot break resolution.
pub(crate) fn decode_family(body: &[u8]) -> WireResult<FamilyInfo> {
    let mut info = FamilyInfo::default();
    let mut have_id = false;
    let mut pos = 0usize;
    for a in attrs(body) {
        let a = a?;
        let raw = body.get(pos..).unwrap_or(&[]);
        pos += (4 + a.value.len() + 3) & !3;
        if !matches!(
            a.kind,
            CTRL_ATTR_FAMILY_ID | CTRL_ATTR_OPS | CTRL_ATTR_MCAST_GROUPS
        ) {
            continue;
        }
        let nla = NlaBuffer::new_checked(raw).map_err(|e| {
            WireError::new(format!("controller attribute: {e}"))
        })?;
        let parsed = GenlCtrlAttrs::parse(&nla)
            .map_err(|e| WireError::new(format!("controller reply: {e}")))?;
        match parsed {
            GenlCtrlAttrs::FamilyId(id) => {
                info.id = id;
                have_id = true;
            }
            GenlCtrlAttrs::Ops(ops) => {
                for op in ops {
                    let mut id = None;
                    let mut flags = 0;
                    for o in op {
                        match o {
                            OpAttrs::Id(i) => id = Some(i),
                            OpAttrs::Flags(f) => flags = f,
                        }
                    }
                    if let Some(id) = id {
                        info.ops.push((id, flags));
                    }
                }
            }
            GenlCtrlAttrs::McastGroups(groups) => {
                for g in groups {
                    let mut name = None;
                    let mut id = None;
                    for a in g {
                        match a {
                            McastGrpAttrs::Name(n) => name = Some(n),
                            McastGrpAttrs::Id(i) => id = Some(i),
                        }
                    }
                    if let (Some(name), Some(id)) = (name, id) {
                        info.groups.push((name, id));
                    }
                }
            }
            _ => {}
        }
    }
    if !have_id {
        return Err(WireError::new(
            "controller reply without CTRL_ATTR_FAMILY_ID",
        ));
    }
    Ok(info)
}
