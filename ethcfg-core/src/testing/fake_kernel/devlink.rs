//! Fake-kernel tests of the devlink reader: the family resolved through the
//! scripted controller, device and info dumps decoded, errors mapped.

use futures::executor::block_on;

use crate::diagnosis::devlink::*;
use crate::error::{Error, Result};
use crate::netlink::conn::Conn;
use crate::netlink::wire::consts::DEVLINK_GENL_NAME;
use crate::netlink::wire::consts::*;
use crate::testing::fake::{self, Fake, Nla, Req};

const DEVLINK_ID: u16 = 27;

/// The controller's answer for "devlink" (nests without NLA_F_NESTED,
/// as ctrl_fill_info() sends them).
fn family_reply(seq: u32) -> Vec<u8> {
    fake::genl(
        GENL_ID_CTRL,
        0,
        seq,
        fake::CTRL_CMD_NEWFAMILY,
        fake::CTRL_VERSION,
        &[
            fake::s(CTRL_ATTR_FAMILY_NAME, DEVLINK_GENL_NAME),
            Nla::U16(CTRL_ATTR_FAMILY_ID, DEVLINK_ID),
            Nla::U32(3, 1),
            Nla::U32(4, 0),
            Nla::U32(5, 180),
            Nla::NestNoFlag(
                CTRL_ATTR_OPS,
                vec![Nla::NestNoFlag(
                    1,
                    vec![Nla::U32(1, 51), Nla::U32(2, 0xe)],
                )],
            ),
            Nla::NestNoFlag(
                CTRL_ATTR_MCAST_GROUPS,
                vec![Nla::NestNoFlag(
                    1,
                    vec![Nla::U32(2, 9), fake::s(1, "config")],
                )],
            ),
        ],
    )
}

fn ver(kind: u16, name: &str, value: &str) -> Nla {
    Nla::Nest(
        kind,
        vec![
            fake::s(DEVLINK_ATTR_INFO_VERSION_NAME, name),
            fake::s(DEVLINK_ATTR_INFO_VERSION_VALUE, value),
        ],
    )
}

/// One ice PF as ice_devlink_info_get() reports it (6.x attribute order).
fn ice_info(seq: u32, dev: &str, app: &str, app_ver: &str) -> Vec<u8> {
    let run = DEVLINK_ATTR_INFO_VERSION_RUNNING;
    fake::genl(
        DEVLINK_ID,
        NLM_F_MULTI,
        seq,
        DEVLINK_CMD_INFO_GET,
        DEVLINK_GENL_VERSION,
        &[
            fake::s(DEVLINK_ATTR_BUS_NAME, "pci"),
            fake::s(DEVLINK_ATTR_DEV_NAME, dev),
            fake::s(DEVLINK_ATTR_INFO_DRIVER_NAME, "ice"),
            fake::s(DEVLINK_ATTR_INFO_SERIAL_NUMBER, "00-01-02-ff-ff-03-04-05"),
            ver(DEVLINK_ATTR_INFO_VERSION_FIXED, "board.id", "K91258-000"),
            ver(run, "fw.mgmt", "7.3.4"),
            ver(run, "fw.mgmt.api", "1.7.11"),
            ver(run, "fw.undi", "1.3435.0"),
            ver(run, "fw.psid.api", "4.01"),
            ver(run, "fw.bundle_id", "0x8001a0c7"),
            ver(run, FW_APP_NAME, app),
            ver(run, FW_APP, app_ver),
            ver(run, "fw.app.bundle_id", "0xc0000001"),
            ver(DEVLINK_ATTR_INFO_VERSION_STORED, "fw.mgmt", "7.3.4"),
        ],
    )
}

type Responder = Box<dyn FnMut(&[u8]) -> Vec<Vec<u8>>>;

fn run(f: impl FnMut(&[u8]) -> Vec<Vec<u8>> + 'static) -> Result<Vec<Info>> {
    let fake = Fake::new(Box::new(f) as Responder);
    let mut conn = Conn::new(fake);
    block_on(dump_info(&mut conn))
}

/// Answers the controller; `dump` answers the INFO_GET dump.
fn kernel(
    mut dump: impl FnMut(&Req) -> Vec<Vec<u8>> + 'static,
) -> impl FnMut(&[u8]) -> Vec<Vec<u8>> + 'static {
    move |raw| {
        let req = Req::parse(raw);
        if req.ty == GENL_ID_CTRL {
            let name =
                fake::find(&req.body, CTRL_ATTR_FAMILY_NAME).map(|(_, v)| v);
            assert_eq!(name.as_deref(), Some(&b"devlink\0"[..]));
            return vec![fake::datagram(&[
                family_reply(req.seq),
                fake::ack(&req),
            ])];
        }
        assert_eq!(req.ty, DEVLINK_ID, "request on the resolved family");
        assert_eq!(req.cmd, DEVLINK_CMD_INFO_GET);
        assert_eq!(req.version, DEVLINK_GENL_VERSION);
        assert!(req.is_dump(), "INFO_GET is read as a dump");
        assert!(req.body.is_empty(), "a dump of every instance");
        dump(&req)
    }
}

#[test]
fn ice_devices_report_their_ddp_package() {
    let got = run(kernel(|req| {
        vec![
            fake::datagram(&[
                ice_info(
                    req.seq,
                    "0000:3b:00.0",
                    "ICE OS Default Package",
                    "1.3.28.0",
                ),
                ice_info(
                    req.seq,
                    "0000:3b:00.1",
                    "ICE COMMS Package",
                    "1.3.45.0",
                ),
            ]),
            fake::done(req.seq, 0, 0),
        ]
    }))
    .unwrap();
    assert_eq!(got.len(), 2);
    let a = &got[0];
    assert_eq!(a.handle(), "pci/0000:3b:00.0");
    assert_eq!(a.driver.as_deref(), Some("ice"));
    assert_eq!(a.running(FW_APP_NAME), Some("ICE OS Default Package"));
    assert_eq!(a.running(FW_APP), Some("1.3.28.0"));
    assert_eq!(a.running("fw.mgmt"), Some("7.3.4"));
    // fixed and stored versions are not running versions
    assert_eq!(a.running("board.id"), None);
    assert_eq!(a.fixed, [("board.id".into(), "K91258-000".into())]);
    assert_eq!(a.stored.len(), 1);
    assert_eq!(a.dsn_hex().as_deref(), Some("000102ffff030405"));
    assert_eq!(got[1].running(FW_APP_NAME), Some("ICE COMMS Package"));
}

#[test]
fn no_devlink_family_is_no_data() {
    let got = run(|raw| {
        let req = Req::parse(raw);
        vec![fake::error(&req, libc::ENOENT, None)]
    });
    assert_eq!(got.unwrap(), Vec::<Info>::new());
}

#[test]
fn no_devlink_devices_is_no_data() {
    let got = run(kernel(|req| vec![fake::done(req.seq, 0, 0)]));
    assert_eq!(got.unwrap(), Vec::<Info>::new());
}

#[test]
fn malformed_and_refused_dumps_are_errors_here() {
    // A reply whose attribute claims more bytes than there are.
    let e = run(kernel(|req| {
        let mut m = ice_info(req.seq, "0000:3b:00.0", "x", "1");
        let at = NLMSG_HDRLEN + GENL_HDRLEN;
        m[at..at + 2].copy_from_slice(&500u16.to_ne_bytes());
        vec![m, fake::done(req.seq, 0, 0)]
    }))
    .unwrap_err();
    assert!(matches!(e, Error::Malformed { .. }), "{e:?}");
    let e = run(kernel(|req| vec![fake::done(req.seq, libc::EPERM, 0)]))
        .unwrap_err();
    assert_eq!(e.errno(), Some(libc::EPERM));
}

#[test]
fn a_version_nest_without_a_name_is_skipped() {
    let got = run(kernel(|req| {
        vec![
            fake::genl(
                DEVLINK_ID,
                NLM_F_MULTI,
                req.seq,
                DEVLINK_CMD_INFO_GET,
                1,
                &[
                    fake::s(DEVLINK_ATTR_BUS_NAME, "pci"),
                    fake::s(DEVLINK_ATTR_DEV_NAME, "0000:5e:00.0"),
                    Nla::Nest(
                        DEVLINK_ATTR_INFO_VERSION_RUNNING,
                        vec![fake::s(
                            DEVLINK_ATTR_INFO_VERSION_VALUE,
                            "orphan",
                        )],
                    ),
                    Nla::Raw(200, vec![1, 2, 3]),
                ],
            ),
            fake::done(req.seq, 0, 0),
        ]
    }))
    .unwrap();
    assert_eq!(got.len(), 1);
    assert!(got[0].running.is_empty());
    assert_eq!(got[0].driver, None);
    assert_eq!(got[0].dsn_hex(), None);
}
