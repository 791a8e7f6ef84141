//! The fuzz targets' seed corpus: real-shaped inputs from the fake kernel
//! (which answers as Linux does), the golden rtnetlink captures, the
//! built-in profiles and field-report log lines. `scripts/fuzz` starts
//! every target from `fuzz/corpus/<target>/`; this writes those files:
//!
//! ```text
//! cargo test -p ethcfg-core --features fuzzing --lib fuzz_entry::seeds -- --ignored
//! ```

use std::path::PathBuf;

use crate::netlink::wire::consts::*;
use crate::netlink::wire::header::Dev;
use crate::netlink::wire::{ctrl, features as wf, message, strset};
use crate::testing::fake::{
    self, bitset, bitset_list, reply_header, s, Kernel, Nla, Req, FAMILY_ID,
};

/// The attributes after the genl header of the first data message of a
/// datagram.
fn body(datagram: &[u8]) -> Vec<u8> {
    let msgs = message::split(datagram).expect("the fake kernel frames");
    let payload = msgs
        .iter()
        .find_map(|m| match m {
            message::Received::Data { payload, .. } => Some(*payload),
            _ => None,
        })
        .expect("a data message");
    message::genl_body(payload).expect("a genl header").1.to_vec()
}

/// Every datagram the fake kernel sends for `req`.
fn ask(kernel: &mut Kernel, req: &[u8]) -> Vec<Vec<u8>> {
    kernel.respond(req)
}

fn u8_attr(kind: u16, v: u8) -> Nla {
    Nla::Raw(kind, vec![v])
}

/// A scalar settings input: selector 0, then the mask of the attributes
/// that are `u8` booleans, then the body.
fn scalars(bools: &[u16], attrs: &[Nla]) -> Vec<u8> {
    let mask = bools.iter().fold(0u64, |m, a| m | 1 << a);
    let mut out = vec![0u8];
    out.extend_from_slice(&mask.to_le_bytes());
    out.extend_from_slice(&fake::encode(attrs));
    out
}

fn priv_flags_names() -> Nla {
    let strings = ["legacy-rx", "s0ix-enabled"]
        .iter()
        .enumerate()
        .map(|(i, n)| {
            Nla::Nest(
                ETHTOOL_A_STRINGS_STRING,
                vec![
                    Nla::U32(ETHTOOL_A_STRING_INDEX, i as u32),
                    s(ETHTOOL_A_STRING_VALUE, n),
                ],
            )
        })
        .collect();
    Nla::Nest(
        ETHTOOL_A_STRSET_STRINGSETS,
        vec![Nla::Nest(
            ETHTOOL_A_STRINGSETS_STRINGSET,
            vec![
                Nla::U32(ETHTOOL_A_STRINGSET_ID, ETH_SS_PRIV_FLAGS),
                Nla::U32(ETHTOOL_A_STRINGSET_COUNT, 2),
                Nla::Nest(ETHTOOL_A_STRINGSET_STRINGS, strings),
            ],
        )],
    )
}

fn devlink_version(kind: u16, name: &str, value: &str) -> Nla {
    Nla::Nest(
        kind,
        vec![
            s(DEVLINK_ATTR_INFO_VERSION_NAME, name),
            s(DEVLINK_ATTR_INFO_VERSION_VALUE, value),
        ],
    )
}

const NEWLINK: &[u8] =
    include_bytes!("../host/rtnl/testdata/newlink_veth_bridge_port.bin");
const NEWADDR: &[u8] = include_bytes!("../host/rtnl/testdata/newaddr_ipv4.bin");

const LOG_JOURNAL: &str = "\
Sep 08 13:58:02 miniserver kernel: vmbr0: port 1(eno1) entered forwarding state
Sep 08 13:59:39 miniserver kernel: e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:
                                     TDH                  <a8>
                                     TDT                  <e4>
                                   buffer_info[next_to_clean]:
                                     time_stamp           <1000e7d53>
                                   MAC Status             <40080083>
Sep 08 13:59:44 miniserver kernel: e1000e 0000:00:1f.6 eno1: Reset adapter unexpectedly
Sep 08 13:59:48 miniserver kernel: e1000e 0000:00:1f.6 eno1: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx
Sep 08 14:00:01 miniserver CRON[2211]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)
";

const LOG_DMESG: &str = "\
[    5.120000] ice 0000:3b:00.0: The DDP package was successfully loaded: ICE OS Default Package version 1.3.36.0
[    5.130000] ice 0000:3b:00.0: Package download failed. Advanced features disabled; Safe Mode enabled
[ 2044.821230] e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:
                 TDH                  <3e>
[ 2046.036778] e1000e 0000:00:1f.6 eno1: Reset adapter unexpectedly
[ 2050.000000]  connection1:0: detected conn error (1020)
";

const LOG_SYSLOG: &str = "\
2025-09-08T13:59:39.123456+08:00 host kernel: [ 12.3] e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:
2025-09-08T13:59:44Z host kernel: e1000e 0000:00:1f.6 eno1: Reset adapter unexpectedly
<6>[ 1.0] kernel: iscsid: connection1:0 is operational after recovery
";

const LOG_KMSG: &str = "\
6,1021,2044821230,-;e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:\\x0a  TDH                  <3e>\\x0aMAC Status             <40080083>
 SUBSYSTEM=pci
 DEVICE=+pci:0000:00:1f.6
12,1022,2045000000,-;systemd[1]: injected by user space
6,1023,2046036778,-;e1000e 0000:00:1f.6 eno1: Reset adapter unexpectedly
";

const RECORDS: &str = "\
# ethcfg state records v1: <ifname> <ifindex> <by> <created> <feature>=<A><R>... <group>/<key>=<value>... (A: active, R: requested; as before ethcfg changed them)
eno1 2 e1000e-hang-safe 1795323749 tx-scatter-gather=11 rx-checksum=11 tx-tcp-segmentation=10 rings/rx=256 pause/rx=on eee/enabled=off
eth0 3 set 1795323750 rx-gro=01 private-flags/legacy-rx=off coalesce/rx-usecs=3
";

/// A records journal over a base file of inode 1: a record, a record with
/// owners and a setting, a removal, and a last line cut short.
const JOURNAL: &str = concat!(
    r#"{"format":"ethcfg-records-journal","version":1,"base":1}"#,
    "\n",
    r#"{"ifindex":7,"features":["tx-scatter-gather","rx-gro"],"record":{"ifname":"wb3","ifindex":7,"source":"watch","by":"config","created":1795323749,"last_by":"config","last_at":1795323749,"features":"f9","settings":[]}}"#,
    "\n",
    r#"{"ifindex":8,"features":["rx-gro"],"record":{"ifname":"eno1","ifindex":8,"source":"hook","by":"e1000e-hang-safe","created":1,"last_by":"set","last_at":2,"features":"f","settings":[{"group":"rings","key":"rx","value":256,"managed":true}],"owners":[{"source":"hook","features":"1","settings":["rings/rx"]},{"source":"cli","features":"1"}]}}"#,
    "\n",
    r#"{"ifindex":5,"record":null}"#,
    "\n",
    r#"{"ifindex":9,"record":nu"#,
);

const PROFILE_INCLUDING: &str = "\
name = \"site-nic\"
summary = \"the site's NIC settings\"
include = [\"e1000e-hang-safe\", \"capture\"]
drivers = [\"e1000e\", \"igb\"]

[features]
rx-gro = \"off\"
tso = \"on\"

[rings]
rx = \"max\"
tx = 512
";

#[test]
#[ignore = "writes fuzz/corpus; run by hand when a decoder's input changes"]
fn write() {
    let corpus =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    let mut seeds: Vec<(&str, Vec<Vec<u8>>)> = Vec::new();

    // The protocol as the fake kernel speaks it: controller, STRSET,
    // FEATURES_GET (do and dump), FEATURES_SET, errors with extended ACK.
    let mut k = Kernel::new();
    let family = ask(&mut k, &ctrl::get_family_request(ETHTOOL_GENL_NAME, 1));
    let strset_req = strset::request(FAMILY_ID, 2, ETH_SS_FEATURES).unwrap();
    let strsets = ask(&mut k, &strset_req);
    let get =
        ask(&mut k, &wf::get_request(FAMILY_ID, 3, Dev::Index(2)).unwrap());
    let dump = ask(&mut k, &wf::get_request(FAMILY_ID, 4, Dev::None).unwrap());
    let set_req = wf::set_request(
        FAMILY_ID,
        5,
        Dev::Name("eth0"),
        [(0, "tx-scatter-gather", false), (35, "rx-gro-hw", true)],
    )
    .unwrap();
    let set = ask(&mut k, &set_req);
    let missing = ask(
        &mut k,
        &wf::get_request(FAMILY_ID, 6, Dev::Name("nosuch0")).unwrap(),
    );
    let req = Req::parse(&set_req);
    let mut datagrams: Vec<Vec<u8>> = Vec::new();
    for d in [&family, &strsets, &get, &dump, &set, &missing] {
        datagrams.extend(d.iter().cloned());
    }
    datagrams.push(fake::nlmsgerr(
        &req,
        libc::EINVAL,
        Some("bad bit"),
        Some(24),
    ));
    datagrams.push(fake::ack_warning(&req, "a warning"));
    datagrams.push(fake::done(
        4,
        libc::EINTR,
        NLM_F_DUMP_INTR | NLM_F_ACK_TLVS,
    ));
    seeds.push(("message", datagrams));

    seeds.push(("ctrl", vec![body(&family[0])]));
    seeds.push(("strset", vec![body(&strsets[0])]));
    let get_body = body(&get[0]);
    let set_body = body(&set[0]);
    seeds.push(("features_get", vec![get_body.clone(), body(&dump[0])]));
    seeds.push(("features_set", vec![set_body.clone()]));

    // Each bitset nest of those replies, and the verbose forms.
    let mut bitsets = Vec::new();
    for b in [&get_body, &set_body] {
        for (kind, v) in fake::tlvs(b) {
            if kind & !NLA_F_NESTED != ETHTOOL_A_FEATURES_HEADER {
                bitsets.push(v);
            }
        }
    }
    for nla in [
        bitset(2, 40, &[0, 33], &[0, 1, 33, 39]),
        bitset_list(2, 3, &[0, 2]),
        Nla::Nest(
            2,
            vec![
                Nla::U32(ETHTOOL_A_BITSET_SIZE, 36),
                Nla::Nest(
                    ETHTOOL_A_BITSET_BITS,
                    vec![
                        Nla::Nest(
                            ETHTOOL_A_BITSET_BITS_BIT,
                            vec![
                                Nla::U32(ETHTOOL_A_BITSET_BIT_INDEX, 0),
                                s(
                                    ETHTOOL_A_BITSET_BIT_NAME,
                                    "tx-scatter-gather",
                                ),
                                Nla::Flag(ETHTOOL_A_BITSET_BIT_VALUE),
                            ],
                        ),
                        Nla::Nest(
                            ETHTOOL_A_BITSET_BITS_BIT,
                            vec![Nla::U32(ETHTOOL_A_BITSET_BIT_INDEX, 35)],
                        ),
                    ],
                ),
            ],
        ),
    ] {
        let enc = fake::encode(&[nla]);
        bitsets.push(fake::tlvs(&enc).remove(0).1);
    }
    seeds.push(("bitset", bitsets));

    // Settings replies (driver-shaped: e1000e rings, coalescing with u8
    // booleans, pause with a stats nest, EEE with link-mode bitsets).
    let mut settings = vec![
        scalars(
            &[11],
            &[
                reply_header(2, "eth0"),
                Nla::U32(ETHTOOL_A_RINGS_RX_MAX, 4096),
                Nla::U32(ETHTOOL_A_RINGS_TX_MAX, 4096),
                Nla::U32(ETHTOOL_A_RINGS_RX, 256),
                Nla::U32(ETHTOOL_A_RINGS_TX, 256),
                Nla::U32(10, 0),
                u8_attr(11, 0),
            ],
        ),
        scalars(
            &[
                ETHTOOL_A_COALESCE_USE_ADAPTIVE_RX,
                ETHTOOL_A_COALESCE_USE_ADAPTIVE_TX,
            ],
            &[
                reply_header(2, "eth0"),
                Nla::U32(ETHTOOL_A_COALESCE_RX_USECS, 3),
                u8_attr(ETHTOOL_A_COALESCE_USE_ADAPTIVE_RX, 1),
                u8_attr(ETHTOOL_A_COALESCE_USE_ADAPTIVE_TX, 0),
            ],
        ),
        scalars(
            &[ETHTOOL_A_PAUSE_AUTONEG, ETHTOOL_A_PAUSE_RX, ETHTOOL_A_PAUSE_TX],
            &[
                reply_header(2, "eth0"),
                u8_attr(ETHTOOL_A_PAUSE_AUTONEG, 1),
                u8_attr(ETHTOOL_A_PAUSE_RX, 1),
                u8_attr(ETHTOOL_A_PAUSE_TX, 0),
                Nla::Nest(ETHTOOL_A_PAUSE_STATS, vec![Nla::Raw(1, vec![0; 4])]),
            ],
        ),
        scalars(
            &[
                ETHTOOL_A_EEE_ACTIVE,
                ETHTOOL_A_EEE_ENABLED,
                ETHTOOL_A_EEE_TX_LPI_ENABLED,
            ],
            &[
                reply_header(2, "eth0"),
                bitset(ETHTOOL_A_EEE_MODES_OURS, 92, &[5], &[5, 6]),
                bitset(ETHTOOL_A_EEE_MODES_PEER, 92, &[], &[5]),
                u8_attr(ETHTOOL_A_EEE_ACTIVE, 0),
                u8_attr(ETHTOOL_A_EEE_ENABLED, 1),
                u8_attr(ETHTOOL_A_EEE_TX_LPI_ENABLED, 1),
                Nla::U32(ETHTOOL_A_EEE_TX_LPI_TIMER, 0),
            ],
        ),
    ];
    let mut privflags = vec![1u8];
    privflags.extend_from_slice(&fake::encode(&[
        reply_header(2, "eth0"),
        bitset(ETHTOOL_A_PRIVFLAGS_FLAGS, 2, &[1], &[0, 1]),
    ]));
    settings.push(privflags);
    seeds.push(("settings", settings));
    if let Some((_, strset_seeds)) =
        seeds.iter_mut().find(|(t, _)| *t == "strset")
    {
        strset_seeds.push(fake::encode(&[
            Nla::Nest(
                ETHTOOL_A_STRSET_HEADER,
                vec![
                    Nla::U32(ETHTOOL_A_HEADER_DEV_INDEX, 2),
                    s(ETHTOOL_A_HEADER_DEV_NAME, "eth0"),
                ],
            ),
            priv_flags_names(),
        ]));
    }

    seeds.push((
        "devlink",
        vec![fake::encode(&[
            s(DEVLINK_ATTR_BUS_NAME, "pci"),
            s(DEVLINK_ATTR_DEV_NAME, "0000:3b:00.0"),
            s(DEVLINK_ATTR_INFO_DRIVER_NAME, "ice"),
            s(DEVLINK_ATTR_INFO_SERIAL_NUMBER, "00-01-02-ff-ff-03-04-05"),
            devlink_version(
                DEVLINK_ATTR_INFO_VERSION_FIXED,
                "board.id",
                "K91258-000",
            ),
            devlink_version(
                DEVLINK_ATTR_INFO_VERSION_RUNNING,
                "fw.app.name",
                "ICE OS Default Package",
            ),
            devlink_version(
                DEVLINK_ATTR_INFO_VERSION_RUNNING,
                "fw.app",
                "1.3.36.0",
            ),
            devlink_version(
                DEVLINK_ATTR_INFO_VERSION_STORED,
                "fw.mgmt",
                "7.3.4",
            ),
        ])],
    ));

    let tagged = |tag: u8, bytes: &[u8]| {
        let mut v = vec![tag];
        v.extend_from_slice(bytes);
        v
    };
    seeds.push(("rtnl", vec![tagged(0, NEWLINK), tagged(1, NEWADDR)]));

    let builtin: Vec<Vec<u8>> = [
        include_str!("../../profiles/e1000e-hang-safe.toml"),
        include_str!("../../profiles/e1000e-tso-off.toml"),
        include_str!("../../profiles/capture.toml"),
        include_str!("../../profiles/router-lro-off.toml"),
        include_str!("../../profiles/e1000e-hang-safe-eee.toml"),
        PROFILE_INCLUDING,
    ]
    .iter()
    .map(|t| t.as_bytes().to_vec())
    .collect();
    let mut dirs = vec![PROFILE_INCLUDING.as_bytes().to_vec()];
    let mut two = PROFILE_INCLUDING.as_bytes().to_vec();
    two.extend_from_slice(super::FILE_SEPARATOR);
    two.extend_from_slice(
        PROFILE_INCLUDING
            .replace("site-nic", "site-nic-2")
            .replace("\"capture\"", "\"site-nic\"")
            .as_bytes(),
    );
    dirs.push(two);
    seeds.push(("profile", builtin));
    seeds.push(("profiles", dirs));

    seeds.push(("records", vec![RECORDS.as_bytes().to_vec()]));
    seeds.push(("journal", vec![JOURNAL.as_bytes().to_vec()]));
    seeds.push((
        "kernel_log",
        vec![
            tagged(0, LOG_JOURNAL.as_bytes()),
            tagged(0, LOG_DMESG.as_bytes()),
            tagged(0, LOG_SYSLOG.as_bytes()),
            tagged(0, LOG_KMSG.as_bytes()),
            tagged(1, LOG_KMSG.as_bytes()),
        ],
    ));

    // (The fake kernel's feature table is longer than the targets' own:
    // bits beyond a table are a case to cover.)
    for (target, inputs) in seeds {
        let dir = corpus.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        for (i, input) in inputs.iter().enumerate() {
            std::fs::write(dir.join(format!("seed-{i}")), input).unwrap();
        }
    }
}
