//! Settings (rings, channels, coalesce, pause, EEE, private flags) against
//! the real kernel, on veth: veth implements CHANNELS only (rx/tx queue
//! counts, maxima = the queues it was created with), so channels are set
//! for real and every other group must read as unsupported and be refused
//! before anything is sent. `ethtool -l` is the oracle (ethtool 6.1 has no
//! `--json` for `-l`; its text is parsed into the key names that later
//! ethtool versions' JSON uses, `rx-max`, `rx`, ...).

use std::collections::BTreeMap;

use ethcfg_core::settings::{Group, SettingsRequest, Status, Target, Value};
use ethcfg_core::{blocking::Client, Error, ErrorKind, Handle, IfaceRef};

use crate::harness::{self, tests};
use crate::util::*;

tests! {
    harness::root: [
        veth_reports_channels_and_nothing_else,
        set_channels_max_and_back_matches_ethtool,
        channel_errors_before_and_from_the_kernel,
        groups_veth_lacks_are_refused_before_sending,
        async_settings_on_a_current_thread_runtime,
        a_profile_with_every_section_through_the_cli,
        set_and_revert_channels_through_the_cli_and_show_every_group,
    ],
}

/// `ethtool -l IFACE` as key → count; "n/a" entries are left out.
fn ethtool_channels(iface: &str) -> BTreeMap<String, u32> {
    let text = sh(&["ethtool", "-l", iface]);
    let mut out = BTreeMap::new();
    let mut suffix = None;
    for line in text.lines() {
        if line.starts_with("Pre-set maximums") {
            suffix = Some("-max");
            continue;
        }
        if line.starts_with("Current hardware settings") {
            suffix = Some("");
            continue;
        }
        let (Some(sfx), Some((name, value))) = (suffix, line.split_once(':'))
        else {
            continue;
        };
        let Ok(n) = value.trim().parse::<u32>() else { continue };
        out.insert(format!("{}{sfx}", name.trim().to_lowercase()), n);
    }
    out
}

fn channels_of(c: &mut Client, iface: &str) -> BTreeMap<String, u32> {
    let s = c.settings(&IfaceRef::by_name(iface).unwrap()).unwrap();
    let ch = s.channels.expect("veth implements CHANNELS_GET");
    ch.values
        .iter()
        .chain(&ch.read_only)
        .map(|(k, v)| match v {
            Value::Num(n) => (k.clone(), *n),
            other => panic!("{k} = {other}: channel counts are numbers"),
        })
        .collect()
}

fn veth_reports_channels_and_nothing_else() {
    in_netns(|| {
        veth("sra", "srb");
        let mut c = Client::new().unwrap();
        let s = c.settings(&IfaceRef::by_name("sra").unwrap()).unwrap();
        assert_eq!(s.ifname, "sra");
        let by_index = c.settings(&IfaceRef::by_index(s.ifindex)).unwrap();
        assert_eq!(by_index, s);
        for g in [
            Group::Rings,
            Group::Coalesce,
            Group::Pause,
            Group::Eee,
            Group::PrivateFlags,
        ] {
            assert!(s.group(g).is_none(), "{g} on veth: {:?}", s.group(g));
        }
        // exactly what ethtool shows; other and combined are n/a (max 0)
        let ours = channels_of(&mut c, "sra");
        assert_eq!(ours, ethtool_channels("sra"));
        assert!(ours.contains_key("rx") && ours.contains_key("tx-max"));
        assert!(!ours.contains_key("combined"));
        // an unknown interface is NotFound, as for features
        let gone = c.settings(&IfaceRef::by_name("nosuch0").unwrap());
        assert_eq!(gone.unwrap_err().kind(), ErrorKind::NotFound);
    });
}

fn set_channels_max_and_back_matches_ethtool() {
    in_netns(|| {
        veth("sca", "scb");
        let mut c = Client::new().unwrap();
        let iface = IfaceRef::by_name("sca").unwrap();
        let before = ethtool_channels("sca");
        let (rx_max, tx_max) = (before["rx-max"], before["tx-max"]);

        let req = SettingsRequest::new()
            .set(Group::Channels, "rx", Target::Max)
            .set(Group::Channels, "tx", Target::Max);
        let plan = c.plan_settings(&iface, &req).unwrap();
        // planning sends nothing
        assert_eq!(ethtool_channels("sca"), before);
        let expected: Vec<_> =
            [("rx", before["rx"], rx_max), ("tx", before["tx"], tx_max)]
                .into_iter()
                .filter(|(_, from, to)| from != to)
                .collect();
        assert_eq!(plan.items.len(), expected.len(), "{:?}", plan.items);
        for (g, key, _, to) in &plan.items {
            assert_eq!(*g, Group::Channels);
            let want = if key == "rx" { rx_max } else { tx_max };
            assert_eq!(*to, Value::Num(want), "max resolves to the maximum");
        }
        let out = c.execute_settings(&plan).unwrap();
        assert_eq!(out.len(), expected.len());
        for ch in &out {
            assert_eq!(ch.status, Status::Applied, "{ch:?}");
            assert_eq!(ch.now, ch.to);
        }
        let after = ethtool_channels("sca");
        assert_eq!((after["rx"], after["tx"]), (rx_max, tx_max));
        assert_eq!(channels_of(&mut c, "sca"), after);

        // back to one queue each; doing it twice changes nothing the
        // second time
        let one = SettingsRequest::new()
            .set(Group::Channels, "rx", Target::Num(1))
            .set(Group::Channels, "tx", Target::Num(1));
        let plan = c.plan_settings(&iface, &one).unwrap();
        let out = c.execute_settings(&plan).unwrap();
        assert!(out.iter().all(|c| c.status == Status::Applied));
        let after = ethtool_channels("sca");
        assert_eq!((after["rx"], after["tx"]), (1, 1));
        assert!(c.plan_settings(&iface, &one).unwrap().is_empty());
    });
}

fn channel_errors_before_and_from_the_kernel() {
    in_netns(|| {
        veth("sea", "seb");
        let mut c = Client::new().unwrap();
        let iface = IfaceRef::by_name("sea").unwrap();
        let before = ethtool_channels("sea");
        let rx_max = before["rx-max"];

        // above the maximum: refused before sending
        let too_many = SettingsRequest::new().set(
            Group::Channels,
            "rx",
            Target::Num(rx_max + 1),
        );
        let e = c.plan_settings(&iface, &too_many).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(
            e.to_string().contains(&format!(
                "rx {} exceeds the maximum {rx_max}",
                rx_max + 1
            )),
            "{e}"
        );

        // veth has no combined channels: the device's keys are listed
        let combined = SettingsRequest::new().set(
            Group::Channels,
            "combined",
            Target::Num(1),
        );
        let e = c.plan_settings(&iface, &combined).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert!(
            matches!(&e, Error::UnknownSetting { known, .. } if known == &["rx", "tx"]),
            "{e:?}"
        );
        assert!(e.to_string().contains("it has: rx, tx"), "{e}");
        // a maximum is read-only
        let ro = SettingsRequest::new().set(
            Group::Channels,
            "rx-max",
            Target::Num(1),
        );
        assert_eq!(
            c.plan_settings(&iface, &ro).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        assert_eq!(ethtool_channels("sea"), before);

        // no rx and no tx channel: the kernel refuses with a reason, which
        // is a refused value, not an error of the call
        let none = SettingsRequest::new()
            .set(Group::Channels, "rx", Target::Num(0))
            .set(Group::Channels, "tx", Target::Num(0));
        let plan = c.plan_settings(&iface, &none).unwrap();
        let out = c.execute_settings(&plan).unwrap();
        assert_eq!(out.len(), 2);
        for ch in &out {
            assert_eq!(ch.status, Status::Refused, "{ch:?}");
            assert_eq!(ch.now, ch.from);
            let reason = ch.reason.as_deref().unwrap();
            assert!(reason.contains("no RX or TX channel"), "{reason}");
        }
        assert_eq!(ethtool_channels("sea"), before);
    });
}

fn groups_veth_lacks_are_refused_before_sending() {
    in_netns(|| {
        veth("sua", "sub");
        let mut c = Client::new().unwrap();
        let iface = IfaceRef::by_name("sua").unwrap();
        let cases = [
            (Group::Rings, "rx", Target::Num(256), "ring", "RINGS_GET"),
            (
                Group::Coalesce,
                "rx-usecs",
                Target::Num(10),
                "coalescing",
                "COALESCE_GET",
            ),
            (Group::Pause, "rx", Target::Bool(false), "pause", "PAUSE_GET"),
            (Group::Eee, "enabled", Target::Bool(false), "EEE", "EEE_GET"),
            (
                Group::PrivateFlags,
                "legacy-rx",
                Target::Bool(true),
                "private flag",
                "PRIVFLAGS_GET",
            ),
        ];
        for (g, key, to, noun, op) in cases {
            // a channel change in the same request is not sent either
            let req = SettingsRequest::new()
                .set(Group::Channels, "rx", Target::Max)
                .set(g, key, to);
            let e = c.plan_settings(&iface, &req).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::NotSupported, "{e}");
            let msg = e.to_string();
            assert!(
                msg.starts_with("sua: the driver does not support")
                    && msg.contains(noun)
                    && msg.contains(&format!("{op}: EOPNOTSUPP")),
                "{msg}"
            );
            assert!(matches!(e, Error::SettingUnsupported { .. }));
        }
        assert_eq!(ethtool_channels("sua")["rx"], 1);
    });
}

fn async_settings_on_a_current_thread_runtime() {
    in_netns(|| {
        veth("saa", "sab");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .unwrap();
        let max = ethtool_channels("saa")["tx-max"];
        rt.block_on(async {
            let mut h = Handle::connect().await.unwrap();
            let iface = IfaceRef::by_name("saa").unwrap();
            let s = h.settings(&iface).await.unwrap();
            assert!(s.rings.is_none() && s.channels.is_some());
            let req =
                SettingsRequest::new().set(Group::Channels, "tx", Target::Max);
            let plan = h.plan_settings(&iface, &req).await.unwrap();
            let out = h.execute_settings(&plan).await.unwrap();
            if max > 1 {
                assert_eq!(out.len(), 1);
                assert_eq!(out[0].status, Status::Applied);
            } else {
                assert!(out.is_empty());
            }
        });
        assert_eq!(ethtool_channels("saa")["tx"], max);
    });
}

/// A profile with every settings section, through the CLI on veth: the
/// groups veth lacks are skipped with a note, channels are applied,
/// `check` agrees, and `revert` brings the channel count back.
fn a_profile_with_every_section_through_the_cli() {
    in_netns(|| {
        let dir = scratch("profiles-every-section");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let state = scratch("state-every-section");
        let _ = std::fs::remove_dir_all(&state);
        std::fs::write(
            dir.join("all.toml"),
            "name = \"all\"\nsummary = \"every section\"\ninclude = [\"capture\"]\n\
             [rings]\nrx = \"max\"\n[channels]\nrx = \"max\"\n[coalesce]\nrx-usecs = 50\n\
             [pause]\nrx = \"off\"\n[eee]\nenabled = \"off\"\n[private-flags]\nlegacy-rx = \"on\"\n",
        )
        .unwrap();
        veth("sxa", "sxb");
        let before = ethtool_channels("sxa");
        let go = |args: &[&str]| {
            ethcfg_cmd()
                .env("ETHCFG_PROFILE_DIR", &dir)
                .env("ETHCFG_STATE_DIR", &state)
                .args(args)
                .output()
                .unwrap()
        };
        let o = go(&["apply", "all", "sxa", "--json"]);
        assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
        let err = stderr(&o);
        for g in ["rings", "coalesce", "pause", "eee", "private-flags"] {
            assert!(err.contains(&format!("[{g}] is skipped")), "{g}: {err}");
        }
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let s = &v[0]["settings"][0];
        assert_eq!(
            (s["group"].as_str(), s["key"].as_str(), s["status"].as_str()),
            (Some("channels"), Some("rx"), Some("applied"))
        );
        assert_eq!(s["to"], before["rx-max"]);
        assert_eq!(ethtool_channels("sxa")["rx"], before["rx-max"]);
        assert!(
            !ethtool_active("sxa")["rx-gro"]
                || ethtool_state("sxa")["rx-gro"].2,
            "capture's features came along"
        );
        assert_eq!(go(&["check", "all", "sxa"]).status.code(), Some(0));
        let o = go(&["revert", "sxa"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(ethtool_channels("sxa"), before);
    });
}

fn set_and_revert_channels_through_the_cli_and_show_every_group() {
    in_netns(|| {
        veth("sca", "scb");
        let before = ethtool_channels("sca");
        let o = ethcfg(&["show", "sca", "--all-settings", "--json"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(v[0]["channels"]["rx"], before["rx"]);
        assert_eq!(v[0]["channels"]["rx-max"], before["rx-max"]);
        assert!(v[0]["rings"].is_null() && v[0]["eee"].is_null());
        let unsupported: Vec<&str> = v[0]["unsupported"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g.as_str().unwrap())
            .collect();
        assert_eq!(
            unsupported,
            ["rings", "coalesce", "pause", "eee", "private-flags"]
        );
        let o = ethcfg(&[
            "set", "sca", "channels", "rx", "max", "features", "gso", "off",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(ethtool_channels("sca")["rx"], before["rx-max"]);
        // a group veth does not have: exit 1, nothing sent (gso still on)
        let o = ethcfg(&[
            "set", "sca", "ring", "rx", "512", "features", "gso", "on",
        ]);
        assert_eq!(o.status.code(), Some(1));
        assert!(
            stderr(&o).contains("does not support ring settings"),
            "{}",
            stderr(&o)
        );
        assert!(!ethtool_active("sca")["tx-generic-segmentation"]);
        let o = ethcfg(&["revert", "sca"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(ethtool_channels("sca"), before);
        assert!(ethtool_active("sca")["tx-generic-segmentation"]);
    });
}
