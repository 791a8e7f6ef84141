//! `DEVLINK_CMD_INFO_GET` (what `devlink dev info` shows): the request
//! for a dump of every devlink instance, and the decoding of one reply —
//! bus and device name, driver, serial number and the version nests.
//! Only what `doctor` reads: ice reports its active DDP package as the
//! running versions `fw.app.name` and `fw.app`.

use super::attrs::{attrs, WireResult};
use super::builder::MsgBuilder;
use super::consts::*;

/// `DEVLINK_CMD_INFO_GET` dump request on the devlink family `family`.
pub(crate) fn info_dump_request(family: u16, seq: u32) -> Option<Vec<u8>> {
    MsgBuilder::genl(
        family,
        NLM_F_REQUEST | NLM_F_DUMP,
        seq,
        DEVLINK_CMD_INFO_GET,
        DEVLINK_GENL_VERSION,
    )
    .finish()
}

/// One devlink instance's info, as the kernel sent it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct InfoReply {
    pub(crate) bus: String,
    pub(crate) dev: String,
    pub(crate) driver: Option<String>,
    pub(crate) serial: Option<String>,
    pub(crate) fixed: Vec<(String, String)>,
    pub(crate) running: Vec<(String, String)>,
    pub(crate) stored: Vec<(String, String)>,
}

/// One `DEVLINK_ATTR_INFO_VERSION_*` nest: (name, value). A nest without
/// a name is skipped; unknown attributes inside are ignored.
fn version(nest: &[u8]) -> WireResult<Option<(String, String)>> {
    let mut name = None;
    let mut value = String::new();
    for a in attrs(nest) {
        let a = a?;
        match a.kind {
            DEVLINK_ATTR_INFO_VERSION_NAME => name = Some(a.string()),
            DEVLINK_ATTR_INFO_VERSION_VALUE => value = a.string(),
            _ => {}
        }
    }
    Ok(name.map(|n| (n, value)))
}

/// Decodes an info reply body (the attributes after the genl header).
/// Attributes this code does not need are skipped, so a newer kernel's
/// additions cannot break it.
pub(crate) fn decode_info(body: &[u8]) -> WireResult<InfoReply> {
    let mut out = InfoReply::default();
    for a in attrs(body) {
        let a = a?;
        match a.kind {
            DEVLINK_ATTR_BUS_NAME => out.bus = a.string(),
            DEVLINK_ATTR_DEV_NAME => out.dev = a.string(),
            DEVLINK_ATTR_INFO_DRIVER_NAME => out.driver = Some(a.string()),
            DEVLINK_ATTR_INFO_SERIAL_NUMBER => out.serial = Some(a.string()),
            DEVLINK_ATTR_INFO_VERSION_FIXED => {
                out.fixed.extend(version(a.value)?);
            }
            DEVLINK_ATTR_INFO_VERSION_RUNNING => {
                out.running.extend(version(a.value)?);
            }
            DEVLINK_ATTR_INFO_VERSION_STORED => {
                out.stored.extend(version(a.value)?);
            }
            _ => {}
        }
    }
    Ok(out)
}
