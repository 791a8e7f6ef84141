//! NetworkManager keyfiles (`*.nmconnection`): the `[ethtool]` section's
//! `feature-*`, `ring-*`, `coalesce-*`, `pause-*`, `channels-*` and
//! `eee-*` keys, bound to the connection's `interface-name` (or, without
//! one, its `[ethernet] mac-address`).

use std::path::Path;

use super::{ini, Found, Match, Origin};
use crate::ethtool::settings::{Group, Target, ValueKind};

pub(crate) fn read(path: &Path, text: &str) -> Found {
    let mut found = Found::default();
    let entries = ini::entries(text);
    let get = |section: &str, key: &str| {
        entries
            .iter()
            .find(|e| {
                e.section == section && e.key == key && !e.value.is_empty()
            })
            .map(|e| e.value.clone())
    };
    let m = if let Some(name) = get("connection", "interface-name") {
        Match { name: Some(name), ..Match::default() }
    } else if let Some(mac) = get("ethernet", "mac-address") {
        Match { mac: Some(mac.to_ascii_lowercase()), ..Match::default() }
    } else {
        Match::default()
    };
    for e in entries.iter().filter(|e| e.section == "ethtool") {
        let origin = Origin {
            file: path.to_path_buf(),
            line: e.line,
            text: e.text.clone(),
        };
        if m.pairs().is_empty() {
            found.skip(&origin, "the connection names no interface-name or mac-address, so it applies to whichever device NetworkManager activates it on");
            continue;
        }
        if let Some(feature) = e.key.strip_prefix("feature-") {
            match ini::boolean(&e.value) {
                Some(on) if super::plausible_feature(feature) => {
                    found.feature(&m, feature, on, &origin)
                }
                _ => found
                    .skip(&origin, format!("{} takes true or false", e.key)),
            }
            continue;
        }
        let Some((group, key)) = [
            ("ring-", Group::Rings),
            ("coalesce-", Group::Coalesce),
            ("pause-", Group::Pause),
            ("channels-", Group::Channels),
            ("eee-", Group::Eee),
        ]
        .into_iter()
        .find_map(|(p, g)| e.key.strip_prefix(p).map(|k| (g, k))) else {
            found.skip(
                &origin,
                format!("{} is not a key ethcfg imports", e.key),
            );
            continue;
        };
        // NetworkManager's spelling of one coalesce key
        let key =
            if key == "rate-sample-interval" { "sample-interval" } else { key };
        let value = group.settable_key(key).and_then(|(canon, kind)| {
            let v = match kind {
                ValueKind::Num => Target::Num(e.value.parse().ok()?),
                ValueKind::Bool => Target::Bool(ini::boolean(&e.value)?),
            };
            Some((canon, v))
        });
        match value {
            Some((canon, v)) => found.setting(&m, group, canon, v, &origin),
            None => found.skip(
                &origin,
                format!(
                    "{}={} is not a {group} setting ethcfg knows",
                    e.key, e.value
                ),
            ),
        }
    }
    found
}
