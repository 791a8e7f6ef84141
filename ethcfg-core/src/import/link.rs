//! systemd `.link` files: `[Match]` (`OriginalName=`, `MACAddress=`,
//! `PermanentMACAddress=`, `Path=`, `Driver=`) becomes the binding's
//! match; the `[Link]` offload, ring, channel, coalesce and flow-control
//! keys its features and settings (systemd.link(5)).

use std::path::Path;

use super::{ini, Found, Match, Origin};
use crate::ethtool::settings::{Group, Target};

/// `[Link]` boolean keys and the ethtool feature each sets.
const FEATURES: &[(&str, &str)] = &[
    ("ReceiveChecksumOffload", "rx"),
    ("TransmitChecksumOffload", "tx"),
    ("TCPSegmentationOffload", "tso"),
    ("TCP6SegmentationOffload", "tx-tcp6-segmentation"),
    ("GenericSegmentationOffload", "gso"),
    ("GenericReceiveOffload", "gro"),
    ("GenericReceiveOffloadHardware", "rx-gro-hw"),
    ("LargeReceiveOffload", "lro"),
    ("ReceiveVLANCTAGHardwareAcceleration", "rxvlan"),
    ("TransmitVLANCTAGHardwareAcceleration", "txvlan"),
    ("ReceiveVLANCTAGFilter", "rx-vlan-filter"),
    ("TransmitVLANSTAGHardwareAcceleration", "tx-vlan-stag-hw-insert"),
    ("NTupleFilter", "ntuple"),
];

/// `[Link]` keys that set a numeric or boolean setting.
const SETTINGS: &[(&str, Group, &str)] = &[
    ("RxBufferSize", Group::Rings, "rx"),
    ("RxMiniBufferSize", Group::Rings, "rx-mini"),
    ("RxJumboBufferSize", Group::Rings, "rx-jumbo"),
    ("TxBufferSize", Group::Rings, "tx"),
    ("RxChannels", Group::Channels, "rx"),
    ("TxChannels", Group::Channels, "tx"),
    ("OtherChannels", Group::Channels, "other"),
    ("CombinedChannels", Group::Channels, "combined"),
    ("RxFlowControl", Group::Pause, "rx"),
    ("TxFlowControl", Group::Pause, "tx"),
    ("AutoNegotiationFlowControl", Group::Pause, "autoneg"),
    ("UseAdaptiveRxCoalesce", Group::Coalesce, "adaptive-rx"),
    ("UseAdaptiveTxCoalesce", Group::Coalesce, "adaptive-tx"),
    ("RxCoalesceSec", Group::Coalesce, "rx-usecs"),
    ("RxCoalesceIrqSec", Group::Coalesce, "rx-usecs-irq"),
    ("RxCoalesceLowSec", Group::Coalesce, "rx-usecs-low"),
    ("RxCoalesceHighSec", Group::Coalesce, "rx-usecs-high"),
    ("TxCoalesceSec", Group::Coalesce, "tx-usecs"),
    ("TxCoalesceIrqSec", Group::Coalesce, "tx-usecs-irq"),
    ("TxCoalesceLowSec", Group::Coalesce, "tx-usecs-low"),
    ("TxCoalesceHighSec", Group::Coalesce, "tx-usecs-high"),
    ("RxMaxCoalescedFrames", Group::Coalesce, "rx-frames"),
    ("RxMaxCoalescedIrqFrames", Group::Coalesce, "rx-frames-irq"),
    ("RxMaxCoalescedLowFrames", Group::Coalesce, "rx-frame-low"),
    ("RxMaxCoalescedHighFrames", Group::Coalesce, "rx-frame-high"),
    ("TxMaxCoalescedFrames", Group::Coalesce, "tx-frames"),
    ("TxMaxCoalescedIrqFrames", Group::Coalesce, "tx-frames-irq"),
    ("TxMaxCoalescedLowFrames", Group::Coalesce, "tx-frame-low"),
    ("TxMaxCoalescedHighFrames", Group::Coalesce, "tx-frame-high"),
    ("CoalescePacketRateLow", Group::Coalesce, "pkt-rate-low"),
    ("CoalescePacketRateHigh", Group::Coalesce, "pkt-rate-high"),
    ("CoalescePacketRateSampleIntervalSec", Group::Coalesce, "sample-interval"),
    ("StatisticsBlockCoalesceSec", Group::Coalesce, "stats-block-usecs"),
];

pub(crate) fn read(path: &Path, text: &str) -> Found {
    let mut found = Found::default();
    let entries = ini::entries(text);
    let origin_of = |e: &ini::Entry| Origin {
        file: path.to_path_buf(),
        line: e.line,
        text: e.text.clone(),
    };
    let mut m = Match::default();
    let mut refuse: Option<String> = None;
    for e in entries.iter().filter(|e| e.section == "Match") {
        let slot = match e.key.as_str() {
            "OriginalName" => &mut m.name,
            "MACAddress" => &mut m.mac,
            "PermanentMACAddress" => &mut m.permanent_mac,
            "Path" => &mut m.path,
            "Driver" => &mut m.driver,
            "Name" => {
                refuse.get_or_insert("Name= is a .network match; a .link file matches names with OriginalName=, so what systemd does with this file is unclear".to_owned());
                continue;
            }
            other => {
                refuse.get_or_insert(format!("the file matches on {other}=, which a binding cannot express"));
                continue;
            }
        };
        let v = e.value.trim();
        if v.split_whitespace().count() != 1 || v.starts_with('!') {
            refuse.get_or_insert(format!("{}={v}: a list or a negation, which a binding's one value per key cannot express", e.key));
            continue;
        }
        let v = if e.key.ends_with("MACAddress") {
            v.to_ascii_lowercase()
        } else {
            v.to_owned()
        };
        *slot = Some(v);
    }
    if refuse.is_none() && m.pairs().is_empty() {
        refuse = Some("the file matches every interface (no [Match] key a binding can express)".to_owned());
    }
    for e in entries.iter().filter(|e| e.section == "Link") {
        let origin = origin_of(e);
        let feature = FEATURES.iter().find(|(k, _)| *k == e.key);
        let setting = SETTINGS.iter().find(|(k, _, _)| *k == e.key);
        if feature.is_none() && setting.is_none() {
            continue; // naming, MTU, WoL, ...: systemd's, not an ethtool setting
        }
        if let Some(why) = &refuse {
            found.skip(&origin, why.clone());
            continue;
        }
        if let Some((_, name)) = feature {
            match ini::boolean(&e.value) {
                Some(on) => found.feature(&m, name, on, &origin),
                None => {
                    found.skip(&origin, format!("{} takes a boolean", e.key))
                }
            }
        } else if let Some(&(key, group, canon)) = setting {
            match link_value(key, group, canon, &e.value) {
                Some(v) => found.setting(&m, group, canon, v, &origin),
                None => found.skip(
                    &origin,
                    format!(
                        "{key}={} is not a value ethcfg can translate exactly",
                        e.value
                    ),
                ),
            }
        }
    }
    found
}

fn link_value(key: &str, group: Group, canon: &str, v: &str) -> Option<Target> {
    use crate::ethtool::settings::ValueKind;
    let (_, kind) = group.settable_key(canon)?;
    match kind {
        ValueKind::Bool => Some(Target::Bool(ini::boolean(v)?)),
        ValueKind::Num
            if v == "max"
                && matches!(group, Group::Rings | Group::Channels) =>
        {
            Some(Target::Max)
        }
        ValueKind::Num if key.ends_with("Sec") => usecs(v).map(Target::Num),
        ValueKind::Num => v.parse().ok().map(Target::Num),
    }
}

/// A systemd time span in microseconds (`50us`, `1ms`, `2s`; a bare
/// number is seconds); only whole microseconds that fit a u32.
fn usecs(v: &str) -> Option<u32> {
    let digits = v.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = v.get(digits.len()..)?;
    let n: u64 = digits.trim().parse().ok()?;
    let mult: u64 = match unit {
        "us" | "usec" => 1,
        "ms" | "msec" => 1_000,
        "" | "s" | "sec" => 1_000_000,
        _ => return None,
    };
    u32::try_from(n.checked_mul(mult)?).ok()
}
