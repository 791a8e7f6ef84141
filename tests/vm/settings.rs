//! Rings, coalescing, pause, private flags and EEE on the real e1000e
//! driver (82574L in qemu), with ethtool as the oracle.

use serde_json::Value;

use crate::harness::tests;
use crate::rig::{boot, Nic};
use crate::LIMIT;

tests! {
    crate::rig::available: [
        rings_coalesce_pause_privflags_and_eee_on_e1000e,
    ],
}

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

/// The changes of one `set --json` result as (key, from, to, now, status).
fn settings_of(v: &Value) -> Vec<(String, Value, Value, Value, String)> {
    v[0]["settings"]
        .as_array()
        .unwrap_or_else(|| panic!("no settings in {v}"))
        .iter()
        .map(|c| {
            (
                format!(
                    "{}.{}",
                    c["group"].as_str().unwrap(),
                    c["key"].as_str().unwrap()
                ),
                c["from"].clone(),
                c["to"].clone(),
                c["now"].clone(),
                c["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The number after `label:` in the "Current hardware settings" part of
/// `ethtool -g` (or the only one, for `ethtool -c`).
fn current(text: &str, label: &str) -> u64 {
    let part = text.split("Current hardware settings:").last().unwrap();
    part.lines()
        .find_map(|l| {
            l.strip_prefix(label).map(|v| {
                v.trim().trim_start_matches(':').trim().parse().unwrap()
            })
        })
        .unwrap_or_else(|| panic!("no {label} in {text}"))
}

fn rings_coalesce_pause_privflags_and_eee_on_e1000e() {
    let run = boot(
        "settings",
        &[Nic::E1000e],
        "step all ethcfg show --all-settings --json eth0\n\
         step g0 ethtool -g eth0\n\
         step ring-adjusted ethcfg set eth0 ring rx 500 --json\n\
         step g1 ethtool -g eth0\n\
         step ring-max ethcfg set eth0 ring tx max --json\n\
         step g2 ethtool -g eth0\n\
         step ring-too-big ethcfg set eth0 ring rx 5000\n\
         step coalesce ethcfg set eth0 coalesce rx-usecs 50 --json\n\
         step c1 ethtool -c eth0\n\
         step a0 ethtool -a eth0\n\
         step pause-kept ethcfg set eth0 pause rx off --json\n\
         step a1 ethtool -a eth0\n\
         step pause-applied ethcfg set eth0 pause autoneg off pause rx off --json\n\
         step a2 ethtool -a eth0\n\
         step eee ethcfg set eth0 eee off\n\
         step privflag ethcfg set eth0 priv-flag no-such-flag on\n\
         step privflag-real ethcfg set eth0 priv-flag s0ix-enabled on --json\n\
         step revert ethcfg revert eth0\n\
         step g3 ethtool -g eth0\n\
         step a3 ethtool -a eth0\n\
         step eee-profile ethcfg apply e1000e-hang-safe-eee eth0 --json\n",
        LIMIT,
    );
    // show: every group, unsupported ones said so
    let all = json(&run.step("all").out);
    let dev = &all[0];
    assert_eq!(dev["rings"]["rx"], 256, "{dev}");
    assert_eq!(dev["rings"]["rx-max"], 4096, "{dev}");
    assert!(dev["coalesce"]["rx-usecs"].is_u64(), "{dev}");
    assert!(dev["pause"]["autoneg"].is_boolean(), "{dev}");
    assert!(dev["eee"].is_null(), "82574L has no EEE: {dev}");
    assert!(
        dev["unsupported"].as_array().unwrap().iter().any(|g| g == "eee"),
        "{dev}"
    );
    assert!(dev["features"].is_object());

    // e1000e rounds ring sizes up to a multiple of 8: adjusted, not applied
    let s = run.step("ring-adjusted");
    assert_eq!(s.rc, 0, "{}{}", s.out, s.err);
    let ch = settings_of(&json(&s.out));
    assert_eq!(
        ch,
        [(
            "rings.rx".into(),
            256.into(),
            500.into(),
            504.into(),
            "adjusted".into()
        )]
    );
    assert_eq!(current(&run.step("g1").out, "RX:"), 504);
    // max resolves to the device's maximum
    let ch = settings_of(&json(&run.step("ring-max").out));
    assert_eq!(ch[0].2, Value::from(4096));
    assert_eq!(ch[0].4, "applied");
    assert_eq!(current(&run.step("g2").out, "TX:"), 4096);
    // above the maximum: refused before sending, exit 1
    let s = run.step("ring-too-big");
    assert_eq!(s.rc, 1);
    assert!(s.err.contains("5000") && s.err.contains("4096"), "{}", s.err);

    let s = run.step("coalesce");
    assert_eq!(s.rc, 0, "{}{}", s.out, s.err);
    assert_eq!(current(&run.step("c1").out, "rx-usecs:"), 50);

    // pause rx off with autoneg on: the driver says yes and keeps rx on
    let s = run.step("pause-kept");
    assert_eq!(s.rc, 3, "refused must exit 3: {}{}", s.out, s.err);
    let ch = settings_of(&json(&s.out));
    assert_eq!(ch[0].0, "pause.rx");
    assert_eq!(ch[0].4, "refused", "{}", s.out);
    assert!(
        run.step("a1").out.contains("RX:\t\ton")
            || run
                .step("a1")
                .out
                .lines()
                .any(|l| l.starts_with("RX:") && l.ends_with("on"))
    );
    // with autoneg off it applies
    let s = run.step("pause-applied");
    assert_eq!(s.rc, 0, "{}{}", s.out, s.err);
    assert!(
        run.step("a2")
            .out
            .lines()
            .any(|l| l.starts_with("RX:") && l.ends_with("off")),
        "{}",
        run.step("a2").out
    );

    // EEE not supported on this PHY: a clear error, exit 1
    let s = run.step("eee");
    assert_eq!(s.rc, 1);
    assert!(
        s.err.contains("does not support")
            && s.err.to_lowercase().contains("eee"),
        "{}",
        s.err
    );
    // an unknown private flag
    let s = run.step("privflag");
    assert_eq!(s.rc, 1);
    assert!(
        s.err.contains("no-such-flag") && s.err.contains("s0ix-enabled"),
        "lists the flags there are: {}",
        s.err
    );
    // the flag e1000e has: the emulated 82574L says EINVAL, with no text
    assert!(dev["private-flags"]["s0ix-enabled"].is_boolean(), "{dev}");
    let s = run.step("privflag-real");
    assert_eq!(s.rc, 3, "{}{}", s.out, s.err);
    let v = json(&s.out);
    let c = &v[0]["settings"][0];
    assert_eq!(
        (c["key"].as_str(), c["status"].as_str()),
        (Some("s0ix-enabled"), Some("refused")),
        "{v}"
    );
    assert!(c["reason"].as_str().unwrap().contains("EINVAL"), "{v}");

    // revert brings rings and pause back
    assert_eq!(run.step("revert").rc, 0, "{}", run.step("revert").err);
    assert_eq!(run.step("g3").out, run.step("g0").out);
    assert_eq!(run.step("a3").out, run.step("a0").out);

    // the EEE profile: features applied, EEE skipped with a note
    let s = run.step("eee-profile");
    assert_eq!(s.rc, 0, "{}{}", s.out, s.err);
    assert!(
        s.err.contains("EEE") || s.err.contains("eee"),
        "a note that EEE was skipped: {}",
        s.err
    );
}
