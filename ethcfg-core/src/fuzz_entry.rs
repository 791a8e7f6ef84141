//! Entry points for the coverage-guided fuzz targets in `fuzz/` (feature
//! `fuzzing`, never part of the public API): one thin function per decoder
//! that the kernel or a file feeds, taking the raw bytes an attacker or a
//! broken kernel could hand it, and walking the decoded result the way
//! the library's callers do. Each returns nothing: the only failure a
//! fuzzer looks for is a panic, an abort or a hang; errors are expected.
//!
//! The netlink targets take what their decoder sees in the library — the
//! whole datagram for [`message`], the attributes after the generic-netlink
//! header for the reply decoders, the rtnetlink payload after the netlink
//! header for [`rtnl`] — so the fuzzer's mutations are not spent on framing
//! that another target covers. The seed corpus (`fuzz/corpus/<target>/`)
//! is written by the ignored test `seeds::write` below from the fake
//! kernel's replies and the golden fixtures.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnosis::doctor::log::{self as kernel_log, LogLine, Parser};
use crate::diagnosis::doctor::{findings, Facts, Scan};
use crate::ethtool::features::{
    FeatureName, FeaturePlan, Features, PlannedBit,
};
use crate::netlink::wire::bitset::Bitset;
use crate::netlink::wire::consts::{ETH_SS_FEATURES, ETH_SS_PRIV_FLAGS};
use crate::netlink::wire::settings::Scalar;
use crate::netlink::wire::{
    ctrl, devlink, features as wf, message, settings as ws, strset,
};
use crate::profile::{Profile, Profiles, Source};
use crate::InterfaceOutcome;

/// A feature table like a 6.x kernel's start, with a hole (an unnamed
/// bit), for the targets that decode features against names.
const FEATURE_NAMES: &[&str] = &[
    "tx-scatter-gather",
    "tx-checksum-ipv4",
    "",
    "tx-checksum-ip-generic",
    "tx-checksum-ipv6",
    "highdma",
    "tx-scatter-gather-fraglist",
    "tx-vlan-hw-insert",
    "rx-vlan-hw-parse",
    "rx-vlan-filter",
    "vlan-challenged",
    "tx-generic-segmentation",
    "loopback",
    "rx-gro",
    "rx-lro",
    "tx-tcp-segmentation",
];

fn feature_table() -> Arc<Vec<FeatureName>> {
    Arc::new(FEATURE_NAMES.iter().map(|n| FeatureName::from(*n)).collect())
}

/// A datagram as a socket receives it: split into messages, each data
/// message's generic-netlink header taken off.
pub fn message(data: &[u8]) {
    let Ok(msgs) = message::split(data) else { return };
    for m in msgs {
        if let message::Received::Data { payload, .. } = m {
            let _ = message::genl_body(payload);
        }
    }
}

/// One bitset nest, then every query the library makes of one.
pub fn bitset(data: &[u8]) {
    let Ok(b) = Bitset::decode(data) else { return };
    for i in b.mask_bits() {
        let _ = (b.get(i), b.in_mask(i));
    }
}

/// A `FEATURES_GET_REPLY` body, made into [`Features`] as a read does.
pub fn features_get(body: &[u8]) {
    let Ok(r) = wf::decode_get(body) else { return };
    let f = Features::from_reply(r, &feature_table());
    for i in 0..FEATURE_NAMES.len() as u32 + 2 {
        let _ = (f.name(i), f.is_active(i), f.is_requested(i), f.is_fixed(i));
    }
}

/// A `FEATURES_SET_REPLY` body, made into the outcome of a plan that
/// asked for three bits (one of them unnamed and one beyond the table).
pub fn features_set(body: &[u8]) {
    let Ok(r) = wf::decode_set(body) else { return };
    let names = feature_table();
    let bit = |index: u32, to: bool| PlannedBit {
        name: names
            .get(index as usize)
            .cloned()
            .unwrap_or_else(|| FeatureName::from(format!("bit-{index}"))),
        index,
        from: !to,
        to,
    };
    let plan = FeaturePlan {
        ifindex: 2,
        ifname: "eth0".into(),
        bits: vec![bit(0, false), bit(15, false), bit(40, true)],
        skipped_fixed: Vec::new(),
        fixed: vec![bit(5, false)],
        kept: Vec::new(),
    };
    let out = InterfaceOutcome::from_reply(&plan, &r, &names);
    let _ = (out.changed(), out.any_refused());
}

/// A `STRSET_GET_REPLY` body, read as both string sets ethcfg asks for and
/// for its device header.
pub fn strset(body: &[u8]) {
    let _ = strset::decode(body, ETH_SS_FEATURES);
    let _ = strset::decode(body, ETH_SS_PRIV_FLAGS);
    let _ = strset::decode_device(body);
}

/// A settings reply: the first byte picks the decoder (PRIVFLAGS, or the
/// scalar one with the next eight bytes saying which attributes 1..=63
/// are booleans; the others are `u32`s); the rest is the body.
pub fn settings(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else { return };
    if which & 1 == 1 {
        if let Ok((_, flags)) = ws::decode_privflags(rest) {
            let _: Vec<(u32, bool)> =
                flags.mask_bits().map(|i| (i, flags.get(i))).collect();
        }
        return;
    }
    let (types, body) = rest.split_at(rest.len().min(8));
    let mut mask = [0u8; 8];
    for (m, t) in mask.iter_mut().zip(types) {
        *m = *t;
    }
    let mask = u64::from_le_bytes(mask);
    let fields: Vec<(u16, Scalar)> = (1u16..64)
        .map(|a| {
            let ty =
                if mask >> a & 1 == 1 { Scalar::Bool } else { Scalar::U32 };
            (a, ty)
        })
        .collect();
    if let Ok(r) = ws::decode_scalars(body, &fields) {
        for (a, _) in &fields {
            let _ = r.get(*a);
        }
    }
}

/// A `CTRL_CMD_NEWFAMILY` body, and the op look-ups a session makes.
pub fn ctrl(body: &[u8]) {
    let Ok(f) = ctrl::decode_family(body) else { return };
    for op in 0..=u8::MAX {
        let _ = f.op_flags(op);
    }
}

/// A `DEVLINK_CMD_INFO_GET` reply body.
pub fn devlink(body: &[u8]) {
    let _ = devlink::decode_info(body);
}

/// An rtnetlink payload (after the netlink header): `RTM_NEWLINK` when the
/// first byte is even, `RTM_NEWADDR` when it is odd.
pub fn rtnl(data: &[u8]) {
    let Some((&which, payload)) = data.split_first() else { return };
    if which & 1 == 0 {
        let _ = crate::host::rtnl::decode_link(payload);
    } else {
        let _ = crate::host::rtnl::decode_address(payload);
    }
}

/// One profile file's text.
pub fn profile(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(p) = Profile::from_toml(text, Source::Builtin) {
        let _ = (p.feature_request(), p.is_for_driver(Some("e1000e")));
    }
}

/// A scratch directory of this process for the targets that read files,
/// made once (under `TMPDIR`; `scripts/fuzz` points it at a directory it
/// removes).
fn scratch(what: &str) -> Option<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let dir = std::env::temp_dir()
        .join(format!("ethcfg-fuzz-{}-{what}", std::process::id()));
    if !dir.is_dir() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .ok()?;
    }
    Some(dir)
}

fn write_private(path: &Path, data: &[u8]) -> Option<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .mode(0o600)
        .open(path)
        .ok()?;
    f.write_all(data).ok()
}

/// The separator between the files of a [`profiles`] input.
pub const FILE_SEPARATOR: &[u8] = b"\n#~~~\n";

/// A profile directory: the input cut at [`FILE_SEPARATOR`] into at most
/// four files `p0.toml`..., loaded with the built-ins (includes resolved)
/// and each profile looked up as `apply` does.
pub fn profiles(data: &[u8]) {
    let Some(dir) = scratch("profiles") else { return };
    let mut files = Vec::new();
    let mut rest = data;
    while files.len() < 3 {
        let Some(at) = rest
            .windows(FILE_SEPARATOR.len())
            .position(|w| w == FILE_SEPARATOR)
        else {
            break;
        };
        let (file, tail) = rest.split_at(at);
        files.push(file);
        rest = tail.get(FILE_SEPARATOR.len()..).unwrap_or_default();
    }
    files.push(rest);
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let _ = std::fs::remove_file(e.path());
        }
    }
    for (i, f) in files.iter().enumerate() {
        if write_private(&dir.join(format!("p{i}.toml")), f).is_none() {
            return;
        }
    }
    let Ok(all) = Profiles::load(&dir) else { return };
    let names: Vec<String> =
        all.profiles.iter().map(|p| p.name.clone()).collect();
    for n in names {
        if let Ok(p) = all.get(&n) {
            let _ = p.feature_request();
        }
    }
}

/// A state records file's bytes (v1 lines or v2 JSON), through the one
/// parser the state directory reads them with; what it reads is written
/// again and must read back the same (and the same once moved onto
/// another feature table, as a run does).
pub fn records(data: &[u8]) {
    use crate::state::{parse_records, rebase, write_records};
    let Ok(all) = parse_records(data) else { return };
    for r in all.values() {
        let _ = (r.features.len(), r.settings.len(), r.source.as_str());
    }
    let mut bytes = Vec::new();
    if write_records(&mut bytes, None, &all).is_err() {
        return;
    }
    let again = parse_records(&bytes);
    assert_eq!(again.as_ref().ok(), Some(&all), "written and read again");
    // every name once, in another order than the file's
    let mut names: Vec<FeatureName> =
        all.values().flat_map(|r| r.features.iter().map(|f| f.name)).collect();
    names.sort();
    names.dedup();
    names.reverse();
    let mut moved = all.clone();
    rebase(&mut moved, &Arc::new(names));
    assert_eq!(moved, all, "moved onto another feature table");
}

/// A state records journal's bytes, through the reader runs use, and each
/// record it leaves through the watcher's in-memory form and back.
pub fn journal(data: &[u8]) {
    crate::state::fuzz_journal(data);
}

/// A kernel log: parsed as a file (first byte even) or as `/dev/kmsg`
/// records dated with a boot time (odd), then run through doctor's
/// detectors and findings against an empty system root.
pub fn kernel_log(data: &[u8]) {
    let Some((&which, log)) = data.split_first() else { return };
    let mut scan = Scan::default();
    let mut feed = |l: LogLine| scan.feed(&l);
    if which & 1 == 0 {
        kernel_log::parse(log, &mut feed);
    } else {
        let mut p = Parser::new(Some(1_700_000_000.0));
        for line in log.split(|&b| b == b'\n') {
            p.line(line, &mut feed);
        }
    }
    let Some(root) = system_root() else { return };
    let mut facts = Facts::fixture(&root);
    // As if ethcfg had applied e1000e-hang-safe to eno1 in September 2025.
    facts.applied.insert("eno1".into(), 1_757_000_000);
    let _ = findings(&scan, &facts);
}

/// A system root with the field reports' two NICs, so log lines about
/// them resolve to interfaces: eno1 (e1000e, `0000:00:1f.6`) and ens1f0
/// (ice, `0000:3b:00.0`), laid out as sysfs does. Made once per process.
fn system_root() -> Option<PathBuf> {
    use std::os::unix::fs::symlink;
    let root = scratch("root")?;
    if root.join("sys/class/net/eno1").exists() {
        return Some(root);
    }
    for (bdf, driver, ifname) in
        [("0000:00:1f.6", "e1000e", "eno1"), ("0000:3b:00.0", "ice", "ens1f0")]
    {
        let dev = root.join("sys/devices/pci0000:00").join(bdf);
        let net = dev.join("net").join(ifname);
        let drivers = root.join("sys/bus/pci/drivers").join(driver);
        for d in [&net, &drivers, &root.join("sys/class/net")] {
            std::fs::create_dir_all(d).ok()?;
        }
        let links = [
            (format!("../../../{bdf}"), net.join("device")),
            (
                format!("../../devices/pci0000:00/{bdf}/net/{ifname}"),
                root.join("sys/class/net").join(ifname),
            ),
            (format!("../../../bus/pci/drivers/{driver}"), dev.join("driver")),
        ];
        for (target, link) in links {
            let _ = symlink(target, link);
        }
    }
    Some(root)
}

#[cfg(test)]
mod seeds;
