//! Pure tests of the settings model and planning: no kernel, fake or real.

use super::plan::plan;
use super::read::{flag_values, scalar_values};
use super::*;
use crate::error::{Error, ErrorKind};
use crate::netlink::wire::bitset::Bitset;
use crate::netlink::wire::consts::*;
use crate::netlink::wire::settings::ScalarReply;

fn gv(values: &[(&str, Value)], read_only: &[(&str, Value)]) -> GroupValues {
    let own = |l: &[(&str, Value)]| {
        l.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    };
    GroupValues { values: own(values), read_only: own(read_only) }
}

/// An e1000e-like device: rings (max 4096, no mini/jumbo), no channels,
/// coalesce rx-usecs only, pause, no EEE, two private flags.
fn e1000e() -> Settings {
    use Value::{Bool, Num};
    Settings {
        ifname: "eth0".into(),
        ifindex: 2,
        rings: Some(gv(
            &[("rx", Num(256)), ("tx", Num(256))],
            &[("rx-max", Num(4096)), ("tx-max", Num(4096))],
        )),
        channels: None,
        coalesce: Some(gv(&[("rx-usecs", Num(3))], &[])),
        pause: Some(gv(
            &[("autoneg", Bool(true)), ("rx", Bool(true)), ("tx", Bool(true))],
            &[],
        )),
        eee: None,
        private_flags: Some(gv(
            &[("s0ix-enabled", Bool(true)), ("disable-k1", Bool(false))],
            &[],
        )),
    }
}

fn plan_err(req: SettingsRequest) -> Error {
    plan(e1000e(), &req).unwrap_err()
}

#[test]
fn group_names_and_order() {
    let names: Vec<&str> = Group::ALL.iter().map(|g| g.as_str()).collect();
    assert_eq!(
        names,
        ["rings", "channels", "coalesce", "pause", "eee", "private-flags"]
    );
    let mut sorted = Group::ALL;
    sorted.sort();
    assert_eq!(sorted, Group::ALL, "Ord follows ALL");
    assert_eq!(Group::PrivateFlags.to_string(), "private-flags");
}

#[test]
fn values_targets_and_statuses_display() {
    assert_eq!(Value::Num(4096).to_string(), "4096");
    assert_eq!(Value::Bool(true).to_string(), "on");
    assert_eq!(Value::Bool(false).to_string(), "off");
    assert_eq!(Target::Max.to_string(), "max");
    assert_eq!(Target::Bool(false).to_string(), "off");
    let all = [
        Status::Applied,
        Status::Adjusted,
        Status::Refused,
        Status::Planned,
        Status::Drift,
    ];
    let names: Vec<String> = all.iter().map(|s| s.to_string()).collect();
    assert_eq!(names, ["applied", "adjusted", "refused", "planned", "drift"]);
}

#[test]
fn request_later_wins_in_place() {
    let r = SettingsRequest::new()
        .set(Group::Rings, "rx", Target::Num(512))
        .set(Group::Pause, "rx", Target::Bool(false))
        .set(Group::Rings, "rx", Target::Max);
    assert_eq!(r.items().len(), 2);
    assert_eq!(r.items()[0].group, Group::Rings);
    assert_eq!(r.items()[0].to, Target::Max);
    assert_eq!(r.items()[1].group, Group::Pause, "same key, other group");
    assert!(!r.is_empty() && SettingsRequest::new().is_empty());
}

#[test]
fn group_values_get_and_max() {
    let s = e1000e();
    let rings = s.group(Group::Rings).unwrap();
    assert_eq!(rings.get("rx"), Some(Value::Num(256)));
    assert_eq!(rings.get("rx-max"), Some(Value::Num(4096)), "read-only too");
    assert_eq!(rings.max("rx"), Some(4096));
    assert_eq!(rings.max("rx-mini"), None);
    assert_eq!(rings.get("rx-mini"), None);
    assert!(s.group(Group::Channels).is_none());
    assert!(s.group(Group::Eee).is_none());
}

#[test]
fn scalar_reply_to_values_in_ethtool_order() {
    let def = keys::def(Group::Eee);
    let r = ScalarReply {
        dev: Default::default(),
        values: vec![
            (ETHTOOL_A_EEE_TX_LPI_TIMER, 17),
            (ETHTOOL_A_EEE_ACTIVE, 1),
            (ETHTOOL_A_EEE_ENABLED, 1),
        ],
    };
    let v = scalar_values(&def, &r);
    assert_eq!(
        v,
        gv(
            &[("enabled", Value::Bool(true)), ("tx-lpi-timer", Value::Num(17))],
            &[("active", Value::Bool(true))],
        )
    );
}

#[test]
fn flag_values_by_name_unnamed_left_out() {
    let flags = Bitset {
        size: 3,
        value: [0b101].into_iter().collect(),
        mask: Some([0b111].into_iter().collect()),
    };
    let names = vec!["a".to_owned(), String::new(), "c".to_owned()];
    let v = flag_values(&flags, &names);
    assert_eq!(
        v,
        gv(&[("a", Value::Bool(true)), ("c", Value::Bool(true))], &[])
    );
    // fewer names than bits: the nameless ones are left out, no panic
    assert_eq!(flag_values(&flags, &[]).values.len(), 0);
}

#[test]
fn plan_resolves_max_and_drops_what_is_already_so() {
    let req = SettingsRequest::new()
        .set(Group::PrivateFlags, "disable-k1", Target::Bool(true))
        .set(Group::Pause, "autoneg", Target::Bool(true)) // already on
        .set(Group::Rings, "tx", Target::Num(256)) // already 256
        .set(Group::Rings, "rx", Target::Max)
        .set(Group::Pause, "rx", Target::Bool(false));
    let p = plan(e1000e(), &req).unwrap();
    assert_eq!((p.ifname.as_str(), p.ifindex), ("eth0", 2));
    assert_eq!(
        p.items,
        vec![
            (Group::Rings, "rx".into(), Value::Num(256), Value::Num(4096)),
            (Group::Pause, "rx".into(), Value::Bool(true), Value::Bool(false)),
            (
                Group::PrivateFlags,
                "disable-k1".into(),
                Value::Bool(false),
                Value::Bool(true)
            ),
        ],
        "group order, then the order asked"
    );
    assert_eq!(p.before, e1000e());
    let planned = p.planned();
    assert_eq!(planned.len(), 3);
    assert!(planned
        .iter()
        .all(|c| c.status == Status::Planned && c.now == c.from));
    let drift = p.drift();
    assert_eq!(drift[0].to, Value::Num(4096));
    assert!(drift.iter().all(|c| c.status == Status::Drift));
    assert!(!p.is_empty());
    let noop = SettingsRequest::new().set(Group::Rings, "rx", Target::Num(256));
    assert!(plan(e1000e(), &noop).unwrap().is_empty());
}

#[test]
fn plan_takes_other_tools_spellings_and_the_later_wins() {
    let mut s = e1000e();
    s.coalesce = Some(gv(&[("rx-frame-low", Value::Num(0))], &[]));
    let req = SettingsRequest::new()
        .set(Group::Coalesce, "rx-frames-low", Target::Num(5))
        .set(Group::Coalesce, "rx-frame-low", Target::Num(7));
    let p = plan(s.clone(), &req).unwrap();
    assert_eq!(
        p.items,
        vec![(
            Group::Coalesce,
            "rx-frame-low".into(),
            Value::Num(0),
            Value::Num(7)
        )]
    );
    // the later one asks for what is already there: nothing to do
    let req = SettingsRequest::new()
        .set(Group::Coalesce, "rx-frames-low", Target::Num(5))
        .set(Group::Coalesce, "rx-frame-low", Target::Num(0));
    assert!(plan(s, &req).unwrap().is_empty());
}

#[test]
fn plan_errors_before_anything_is_sent() {
    // a group the driver lacks
    let e = plan_err(SettingsRequest::new().set(
        Group::Eee,
        "enabled",
        Target::Bool(false),
    ));
    assert_eq!(e.kind(), ErrorKind::NotSupported);
    assert_eq!(
        e.to_string(),
        "eth0: the driver does not support EEE settings (EEE_GET: EOPNOTSUPP)"
    );
    let e = plan_err(SettingsRequest::new().set(
        Group::Channels,
        "combined",
        Target::Max,
    ));
    assert!(
        matches!(&e, Error::SettingUnsupported { group: "channels", .. }),
        "{e:?}"
    );

    // an unknown key, or one this driver does not implement
    let e = plan_err(SettingsRequest::new().set(
        Group::Coalesce,
        "tx-usecs",
        Target::Num(10),
    ));
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(
        matches!(&e, Error::UnknownSetting { known, key, .. }
            if known == &["rx-usecs"] && key == "tx-usecs"),
        "{e:?}"
    );
    assert!(e.to_string().contains("it has: rx-usecs"), "{e}");
    let e = plan_err(SettingsRequest::new().set(
        Group::PrivateFlags,
        "legacy-rx",
        Target::Bool(true),
    ));
    assert!(e.to_string().contains("it has: s0ix-enabled, disable-k1"), "{e}");

    // above the maximum
    let e = plan_err(SettingsRequest::new().set(
        Group::Rings,
        "rx",
        Target::Num(5000),
    ));
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(
        matches!(&e, Error::InvalidSetting { problem, .. }
            if problem == "rx 5000 exceeds the maximum 4096"),
        "{e:?}"
    );
    assert!(e.to_string().starts_with("eth0: ring rx 5000 exceeds"), "{e}");

    // read-only, wrong kind, max without a maximum
    for (g, key, to, words) in [
        (Group::Rings, "rx-max", Target::Num(1), "read-only"),
        (Group::Rings, "rx", Target::Bool(true), "takes a number"),
        (Group::Pause, "rx", Target::Num(1), "on or off"),
        (Group::Pause, "rx", Target::Max, "on or off, not max"),
        (Group::Coalesce, "rx-usecs", Target::Max, "no maximum"),
    ] {
        let e = plan_err(SettingsRequest::new().set(g, key, to));
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
        assert!(e.to_string().contains(words), "{key}: {e}");
    }
}

#[test]
fn eee_aliases_of_ethtool_set_eee() {
    let mut s = e1000e();
    s.eee = Some(gv(
        &[
            ("enabled", Value::Bool(true)),
            ("tx-lpi", Value::Bool(true)),
            ("tx-lpi-timer", Value::Num(0)),
        ],
        &[("active", Value::Bool(false))],
    ));
    let req = SettingsRequest::new()
        .set(Group::Eee, "eee", Target::Bool(false))
        .set(Group::Eee, "tx-timer", Target::Num(20));
    let keys: Vec<String> =
        plan(s.clone(), &req).unwrap().items.into_iter().map(|i| i.1).collect();
    assert_eq!(keys, ["enabled", "tx-lpi-timer"]);
    let ro =
        SettingsRequest::new().set(Group::Eee, "active", Target::Bool(true));
    assert_eq!(plan(s, &ro).unwrap_err().kind(), ErrorKind::InvalidInput);
}

#[test]
fn settable_keys_and_their_canonical_names() {
    assert_eq!(
        Group::Rings.settable_keys(),
        ["rx", "rx-mini", "rx-jumbo", "tx"]
    );
    assert_eq!(
        Group::Eee.settable_keys(),
        ["enabled", "tx-lpi", "tx-lpi-timer", "eee", "tx-timer"]
    );
    assert!(Group::PrivateFlags.settable_keys().is_empty());
    assert_eq!(
        Group::Eee.settable_key("tx-timer"),
        Some(("tx-lpi-timer", ValueKind::Num))
    );
    assert_eq!(
        Group::Coalesce.settable_key("adaptive-rx"),
        Some(("adaptive-rx", ValueKind::Bool))
    );
    assert_eq!(
        Group::Coalesce.settable_key("rx-frames-low"),
        Some(("rx-frame-low", ValueKind::Num))
    );
    assert_eq!(Group::Rings.settable_key("rx-max"), None, "read-only");
    assert_eq!(Group::Eee.settable_key("active"), None, "read-only");
    assert_eq!(Group::Pause.settable_key("speed"), None);
}
