//! ethtool as the independent oracle, shared by the real-kernel and the
//! real-driver tests: `ethtool --json -k` output as (active, requested,
//! fixed) per kernel feature name.

use std::collections::BTreeMap;

use ethcfg_core::names::{pattern_matches, LEGACY_FLAGS};
use serde_json::Value;

/// (active, requested, fixed) per kernel feature name.
pub type State = BTreeMap<String, (bool, bool, bool)>;

/// Parses `ethtool --json -k` output. ethtool prints a legacy long name
/// instead of the kernel name when the legacy flag covers exactly one
/// feature, and adds group lines (fixed = null) for the others; `names`
/// (the kernel's feature table) maps the long names back.
pub fn ethtool_json_state(json: &str, names: &[String]) -> State {
    let v: Value =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    let mut out = State::new();
    for (key, st) in v[0].as_object().unwrap() {
        if key == "ifname" || st["fixed"].is_null() {
            continue;
        }
        let name = match LEGACY_FLAGS.iter().find(|f| f.long == key) {
            Some(flag) => {
                let m: Vec<&String> = names
                    .iter()
                    .filter(|n| pattern_matches(n, flag.pattern))
                    .collect();
                assert_eq!(m.len(), 1, "{key} printed as a single feature");
                m[0].clone()
            }
            None => key.clone(),
        };
        let b =
            |k: &str| st[k].as_bool().unwrap_or_else(|| panic!("{key}.{k}"));
        out.insert(name, (b("active"), b("requested"), b("fixed")));
    }
    out
}
