//! `/etc/network/interfaces` (ifupdown and ifupdown2): per `iface`
//! stanza, the `pre-up`/`up`/`post-up` lines running `ethtool`, Debian's
//! ethtool-hook options (`offload-*`, `hardware-dma-ring-*`,
//! `hardware-irq-coalesce-*`, `ethernet-pause-*`) and ifupdown2's ethtool
//! addon attributes (`gro-offload` ... `rx-offload`, `rx-vlan-filter`,
//! `ring-rx`, `ring-tx`; its `addons/ethtool.py`).

use std::path::Path;

use super::{on_off, setting_value, shell, Found, Match, Origin};
use crate::ethtool::settings::Group;

/// ifupdown2's offload attributes and the ethtool feature each sets.
const IFUPDOWN2_OFFLOADS: &[(&str, &str)] = &[
    ("gro-offload", "gro"),
    ("lro-offload", "lro"),
    ("gso-offload", "gso"),
    ("tso-offload", "tso"),
    ("ufo-offload", "ufo"),
    ("tx-offload", "tx"),
    ("rx-offload", "rx"),
    ("rx-vlan-filter", "rx-vlan-filter"),
];

/// Options of both hooks that set what ethcfg does not (link modes, WoL).
const LINK_OPTIONS: &[&str] = &[
    "link-speed",
    "link-duplex",
    "link-autoneg",
    "link-fec",
    "link-lanes",
    "ethernet-autoneg",
    "ethernet-port",
    "ethernet-wol",
];

pub(crate) fn read(path: &Path, text: &str) -> Found {
    let mut found = Found::default();
    let mut iface: Option<String> = None;
    for (line, body) in logical_lines(text) {
        let origin =
            Origin { file: path.to_path_buf(), line, text: body.clone() };
        let mut words = body.split_whitespace();
        let Some(key) = words.next() else { continue };
        let rest: Vec<&str> = words.collect();
        match key {
            "iface" => {
                iface = rest.first().map(|s| (*s).to_owned());
                continue;
            }
            "auto" | "mapping" | "source" | "source-directory" | "rename" => {
                iface = None;
                continue;
            }
            k if k.starts_with("allow-") => {
                iface = None;
                continue;
            }
            _ => {}
        }
        let Some(name) = iface.as_deref() else { continue };
        let m = Match::by_name(name);
        let value = rest.join(" ");
        option(&mut found, &m, key, &value, &origin);
    }
    found
}

/// `interfaces(5)` lines: `#` comments, `\` continuations joined.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let (start, acc) = match pending.take() {
            Some((s, acc)) => (s, format!("{acc} {}", raw.trim())),
            None => {
                let t = raw.trim();
                if t.starts_with('#') {
                    continue;
                }
                (i + 1, t.to_owned())
            }
        };
        if let Some(body) = acc.strip_suffix('\\') {
            pending = Some((start, body.trim_end().to_owned()));
        } else if !acc.is_empty() {
            out.push((start, acc));
        }
    }
    if let Some(p) = pending {
        out.push(p);
    }
    out
}

fn option(
    found: &mut Found,
    m: &Match,
    key: &str,
    value: &str,
    origin: &Origin,
) {
    if matches!(key, "pre-up" | "up" | "post-up") {
        shell::read(value, origin, found);
        return;
    }
    let word = value.trim();
    if let Some(feature) = key.strip_prefix("offload-") {
        match on_off(word) {
            Some(on) if super::plausible_feature(feature) => {
                found.feature(m, feature, on, origin)
            }
            _ => found
                .skip(origin, format!("{key} takes on or off, not `{word}`")),
        }
        return;
    }
    if let Some(&(_, feature)) =
        IFUPDOWN2_OFFLOADS.iter().find(|(k, _)| *k == key)
    {
        match on_off(word) {
            Some(on) => found.feature(m, feature, on, origin),
            None => found
                .skip(origin, format!("{key} takes on or off, not `{word}`")),
        }
        return;
    }
    let setting = [
        ("hardware-dma-ring-", Group::Rings),
        ("hardware-irq-coalesce-", Group::Coalesce),
        ("ethernet-pause-", Group::Pause),
        ("ring-", Group::Rings),
    ]
    .into_iter()
    .find_map(|(prefix, g)| key.strip_prefix(prefix).map(|k| (g, k)));
    if let Some((group, k)) = setting {
        match setting_value(group, k, word) {
            Some((canon, v)) => found.setting(m, group, &canon, v, origin),
            None => found.skip(
                origin,
                format!("{key} `{word}` is not a {group} setting ethcfg knows"),
            ),
        }
        return;
    }
    if LINK_OPTIONS.contains(&key) {
        found.skip(origin, "a link setting (speed, duplex, autonegotiation, FEC, WoL), which ethcfg does not set: keep it");
    }
}
