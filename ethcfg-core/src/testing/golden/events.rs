//! Notifications as the kernel sends them, decoded into events: captured
//! on Linux 6.18 in a network namespace with a veth pair `va`/`vb`
//! (ifindex 3/2) — raw netlink sockets joined to ethtool's `monitor` group
//! and `RTNLGRP_LINK` while `ethtool -K va tso off`, `ethtool -L va rx 2`,
//! `ip link add x1 type veth peer name x2` and `ip link del x1` ran.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::error::Result;
use crate::ethtool::features::FeatureName;
use crate::ethtool::settings::Group;
use crate::events::decode::{Decoder, Seen, Source};
use crate::events::{Event, SettingsGroup};

/// `FEATURES_NTF` for `va` after `tso off` (cmd 13, compact bitsets of 64 bits).
const FEATURES_NTF: &[u8] =
    include_bytes!("testdata/features_ntf_va_tso_off.bin");
/// `CHANNELS_NTF` for `va` (cmd 19).
const CHANNELS_NTF: &[u8] = include_bytes!("testdata/channels_ntf_va.bin");
/// The `RTM_NEWLINK` the feature change also sent (`ifi_change` 0).
const NEWLINK_VA: &[u8] =
    include_bytes!("testdata/newlink_va_features_changed.bin");
/// `RTM_NEWLINK` for the new `x2` (ifindex 4, down, `ifi_change` ~0).
const NEWLINK_X2: &[u8] = include_bytes!("testdata/newlink_x2_added.bin");
/// `RTM_DELLINK` for `x1` (ifindex 5).
const DELLINK_X1: &[u8] = include_bytes!("testdata/dellink_x1.bin");

/// The capture's family id.
const FAMILY: u16 = 21;

/// 64 feature names, the ones the tests look at as the kernel names them
/// (`netdev_features.h` bit numbers).
fn table() -> Arc<Vec<FeatureName>> {
    let mut t: Vec<FeatureName> =
        (0..64).map(|i| FeatureName::from(format!("bit{i}"))).collect();
    for (i, n) in [
        (0, "tx-scatter-gather"),
        (11, "tx-generic-segmentation"),
        (14, "rx-gro"),
        (16, "tx-tcp-segmentation"),
        (20, "tx-tcp6-segmentation"),
    ] {
        t[i] = FeatureName::from(n);
    }
    Arc::new(t)
}

fn seen(name: &str, up: bool) -> Seen {
    Seen { name: name.into(), up, running: false }
}

fn decoder() -> Decoder {
    Decoder::new(
        FAMILY,
        table(),
        [
            (1, seen("lo", false)),
            (2, seen("vb", false)),
            (3, seen("va", false)),
        ],
    )
}

fn decode(d: &mut Decoder, source: Source, bytes: &[u8]) -> Vec<Result<Event>> {
    let mut out = VecDeque::new();
    d.datagram(source, bytes, &mut out);
    out.into_iter().collect()
}

fn events(d: &mut Decoder, source: Source, bytes: &[u8]) -> Vec<Event> {
    decode(d, source, bytes).into_iter().map(|e| e.unwrap()).collect()
}

#[test]
fn features_ntf_decodes_to_the_whole_state_by_kernel_name() {
    let got = events(&mut decoder(), Source::Ethtool, FEATURES_NTF);
    let [Event::FeaturesChanged { ifindex, ifname, features }] = &got[..]
    else {
        panic!("one features event expected, got {got:?}");
    };
    assert_eq!((*ifindex, ifname.as_str()), (3, "va"));
    assert_eq!((features.ifindex, features.ifname.as_str()), (3, "va"));
    let tso = features.get("tx-tcp-segmentation").unwrap();
    assert!(!tso.active && !tso.requested && !tso.fixed, "{tso:?}");
    assert!(!features.get("tx-tcp6-segmentation").unwrap().active);
    assert!(features.get("tx-scatter-gather").unwrap().active);
    assert!(features.get("tx-generic-segmentation").unwrap().active);
    // veth has GRO off until asked (or XDP).
    assert!(!features.get("rx-gro").unwrap().active);
}

#[test]
fn settings_ntf_names_its_group_and_device() {
    let got = events(&mut decoder(), Source::Ethtool, CHANNELS_NTF);
    assert_eq!(
        got,
        [Event::SettingsChanged {
            ifindex: 3,
            ifname: "va".into(),
            group: SettingsGroup::Settings(Group::Channels),
        }]
    );
}

#[test]
fn another_familys_message_on_the_ethtool_socket_is_no_event() {
    let mut d = Decoder::new(FAMILY + 1, table(), []);
    assert!(decode(&mut d, Source::Ethtool, FEATURES_NTF).is_empty());
}

#[test]
fn newlink_of_an_unknown_link_is_added_then_nothing_until_it_changes() {
    let mut d = decoder();
    assert_eq!(
        events(&mut d, Source::Route, NEWLINK_X2),
        [Event::LinkAdded {
            ifindex: 4,
            ifname: "x2".into(),
            up: false,
            running: false
        }]
    );
    assert!(events(&mut d, Source::Route, NEWLINK_X2).is_empty());
}

#[test]
fn newlink_for_a_feature_change_is_no_link_event() {
    // The kernel sends RTM_NEWLINK for many changes (features, MTU, ...):
    // a known link in the same state is none of added/renamed/up/down.
    assert!(events(&mut decoder(), Source::Route, NEWLINK_VA).is_empty());
}

#[test]
fn newlink_with_a_new_name_or_state_is_renamed_or_changed() {
    let mut d = Decoder::new(
        FAMILY,
        table(),
        [(3, Seen { name: "old".into(), up: true, running: true })],
    );
    assert_eq!(
        events(&mut d, Source::Route, NEWLINK_VA),
        [
            Event::LinkRenamed {
                ifindex: 3,
                ifname: "va".into(),
                old_name: "old".into()
            },
            Event::LinkChanged {
                ifindex: 3,
                ifname: "va".into(),
                up: false,
                running: false
            },
        ]
    );
}

#[test]
fn dellink_is_removed_with_the_name_it_had() {
    let mut d = Decoder::new(FAMILY, table(), [(5, seen("x1", false))]);
    assert_eq!(
        events(&mut d, Source::Route, DELLINK_X1),
        [Event::LinkRemoved { ifindex: 5, ifname: "x1".into() }]
    );
    // Gone from what is known: its next appearance is an addition.
    let mut again = DELLINK_X1.to_vec();
    again[4] = 16; // RTM_NEWLINK
    assert!(matches!(
        events(&mut d, Source::Route, &again)[..],
        [Event::LinkAdded { ifindex: 5, .. }]
    ));
}

#[test]
fn truncated_or_corrupted_notifications_are_errors_never_panics() {
    for bytes in [FEATURES_NTF, CHANNELS_NTF, NEWLINK_X2, DELLINK_X1] {
        let source = if bytes[4] == FAMILY as u8 {
            Source::Ethtool
        } else {
            Source::Route
        };
        for cut in 0..bytes.len() {
            let _ = decode(&mut decoder(), source, &bytes[..cut]);
        }
        for i in 16..bytes.len().min(200) {
            let mut b = bytes.to_vec();
            b[i] ^= 0xff;
            let _ = decode(&mut decoder(), source, &b);
        }
    }
    // A framing error is reported, not skipped.
    let got = decode(&mut decoder(), Source::Ethtool, &FEATURES_NTF[..100]);
    assert!(matches!(got[..], [Err(_)]), "{got:?}");
}
