//! Feature names: ethtool's legacy short/long names (`tso`,
//! `tcp-segmentation-offload`, ...) and their expansion into kernel
//! feature names by ethtool's own pattern rule, against the live
//! `ETH_SS_FEATURES` table — so `tso` also covers
//! `tx-tcp-accecn-segmentation` on kernels that have it. Plus "did you
//! mean" suggestions for unknown names.

/// One row of ethtool's `off_flag_def[]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LegacyFlag {
    /// The short name `ethtool -K` takes (`tso`).
    pub short: &'static str,
    /// The long name `ethtool -k` prints (`tcp-segmentation-offload`).
    pub long: &'static str,
    /// The kernel-name pattern: at most one `*`.
    pub pattern: &'static str,
}

/// ethtool's table (`common.c`, `off_flag_def[]`), in its order — which is
/// also the order `ethtool -k` prints the legacy lines in.
pub const LEGACY_FLAGS: &[LegacyFlag] = &[
    LegacyFlag { short: "rx", long: "rx-checksumming", pattern: "rx-checksum" },
    LegacyFlag {
        short: "tx",
        long: "tx-checksumming",
        pattern: "tx-checksum-*",
    },
    LegacyFlag {
        short: "sg",
        long: "scatter-gather",
        pattern: "tx-scatter-gather*",
    },
    LegacyFlag {
        short: "tso",
        long: "tcp-segmentation-offload",
        pattern: "tx-tcp*-segmentation",
    },
    LegacyFlag {
        short: "ufo",
        long: "udp-fragmentation-offload",
        pattern: "tx-udp-fragmentation",
    },
    LegacyFlag {
        short: "gso",
        long: "generic-segmentation-offload",
        pattern: "tx-generic-segmentation",
    },
    LegacyFlag {
        short: "gro",
        long: "generic-receive-offload",
        pattern: "rx-gro",
    },
    LegacyFlag {
        short: "lro",
        long: "large-receive-offload",
        pattern: "rx-lro",
    },
    LegacyFlag {
        short: "rxvlan",
        long: "rx-vlan-offload",
        pattern: "rx-vlan-hw-parse",
    },
    LegacyFlag {
        short: "txvlan",
        long: "tx-vlan-offload",
        pattern: "tx-vlan-hw-insert",
    },
    LegacyFlag {
        short: "ntuple",
        long: "ntuple-filters",
        pattern: "rx-ntuple-filter",
    },
    LegacyFlag {
        short: "rxhash",
        long: "receive-hashing",
        pattern: "rx-hashing",
    },
];

/// ethtool's `flag_pattern_match()`: without `*` an exact match; with one
/// `*`, the name starts with the part before it and ends with the part after.
pub fn pattern_matches(name: &str, pattern: &str) -> bool {
    match pattern.split_once('*') {
        None => name == pattern,
        Some((pre, post)) => {
            name.len() >= pre.len() + post.len()
                && name.starts_with(pre)
                && name.ends_with(post)
        }
    }
}

/// The legacy flag a word names (short or long form), if any.
pub fn legacy(word: &str) -> Option<&'static LegacyFlag> {
    LEGACY_FLAGS.iter().find(|f| f.short == word || f.long == word)
}

/// How a user's word maps onto kernel features.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A legacy alias and the bit indexes it expands to here (possibly none:
    /// `ufo` matches nothing on kernels since 4.16).
    Legacy(&'static LegacyFlag, Vec<u32>),
    /// A kernel feature name and its bit index.
    Kernel(u32),
}

/// Resolves `word` against the live feature table (`names[i]` = name of
/// bit `i`; empty = unused). Legacy names win, as in ethtool. A word that is
/// no name exactly but matches exactly one kernel name when `-` and `_` are
/// taken as the same resolves to it: ifupdown turns the option
/// `offload-tx-udp_tnl-segmentation` into `IF_OFFLOAD_TX_UDP_TNL_SEGMENTATION`,
/// and the `_` cannot be told from a `-` any more. `None` means the name is
/// unknown.
pub fn resolve(word: &str, names: &[String]) -> Option<Resolved> {
    if let Some(flag) = legacy(word) {
        let bits = indexes(names)
            .filter(|(_, n)| pattern_matches(n, flag.pattern))
            .map(|(i, _)| i)
            .collect();
        return Some(Resolved::Legacy(flag, bits));
    }
    if let Some((i, _)) = indexes(names).find(|(_, n)| *n == word) {
        return Some(Resolved::Kernel(i));
    }
    let same = |a: &str, b: &str| {
        a.len() == b.len()
            && a.bytes().zip(b.bytes()).all(|(x, y)| {
                x == y || (x == b'-' || x == b'_') && (y == b'-' || y == b'_')
            })
    };
    let mut matches = indexes(names).filter(|(_, n)| same(n, word));
    match (matches.next(), matches.next()) {
        (Some((i, _)), None) => Some(Resolved::Kernel(i)),
        _ => None,
    }
}

fn indexes(names: &[String]) -> impl Iterator<Item = (u32, &str)> {
    names
        .iter()
        .enumerate()
        .filter(|(_, n)| !n.is_empty())
        .filter_map(|(i, n)| u32::try_from(i).ok().map(|i| (i, n.as_str())))
}

/// Optimal-string-alignment distance: edits plus adjacent transpositions,
/// so `tos` is one step from `tso`.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    let at = |i: usize, j: usize| i * w + j;
    for i in 0..=a.len() {
        if let Some(x) = d.get_mut(at(i, 0)) {
            *x = i;
        }
    }
    for j in 0..=b.len() {
        if let Some(x) = d.get_mut(at(0, j)) {
            *x = j;
        }
    }
    let get = |d: &Vec<usize>, i, j| {
        d.get(at(i, j)).copied().unwrap_or(usize::MAX / 2)
    };
    for (i, ca) in a.iter().enumerate() {
        for (j, cb) in b.iter().enumerate() {
            let (i1, j1) = (i + 1, j + 1);
            let cost = usize::from(ca != cb);
            let mut v = (get(&d, i, j1) + 1)
                .min(get(&d, i1, j) + 1)
                .min(get(&d, i, j) + cost);
            if i > 0
                && j > 0
                && a.get(i - 1) == Some(cb)
                && b.get(j - 1) == Some(ca)
            {
                v = v.min(get(&d, i - 1, j - 1) + 1);
            }
            if let Some(x) = d.get_mut(at(i1, j1)) {
                *x = v;
            }
        }
    }
    get(&d, a.len(), b.len())
}

/// Up to three known names closest to `word`: legacy names and kernel
/// names within a small edit distance, then names containing the word.
pub fn suggestions(word: &str, names: &[String]) -> Vec<String> {
    let candidates = LEGACY_FLAGS
        .iter()
        .flat_map(|f| [f.short, f.long])
        .chain(indexes(names).map(|(_, n)| n));
    let limit = (word.chars().count() / 3).clamp(1, 3);
    let mut scored: Vec<(usize, &str)> = candidates
        .filter_map(|c| {
            let d = distance(word, c);
            if d <= limit {
                Some((d, c))
            } else if word.len() >= 3 && c.contains(word) {
                Some((limit + 1, c))
            } else {
                None
            }
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, c)| c.to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn pattern_rule_is_ethtools() {
        assert!(pattern_matches("tx-tcp-segmentation", "tx-tcp*-segmentation"));
        assert!(pattern_matches(
            "tx-tcp6-segmentation",
            "tx-tcp*-segmentation"
        ));
        assert!(pattern_matches(
            "tx-tcp-accecn-segmentation",
            "tx-tcp*-segmentation"
        ));
        assert!(!pattern_matches(
            "tx-udp-segmentation",
            "tx-tcp*-segmentation"
        ));
        assert!(pattern_matches("tx-scatter-gather", "tx-scatter-gather*"));
        assert!(pattern_matches(
            "tx-scatter-gather-fraglist",
            "tx-scatter-gather*"
        ));
        assert!(pattern_matches("rx-gro", "rx-gro"));
        assert!(!pattern_matches("rx-gro-hw", "rx-gro"));
        // the part before and after `*` may not overlap
        assert!(!pattern_matches("ab", "ab*b"));
    }

    #[test]
    fn tso_expands_against_the_live_table() {
        let t = table(&[
            "tx-scatter-gather",
            "tx-checksum-ipv4",
            "",
            "tx-tcp-segmentation",
            "tx-tcp-ecn-segmentation",
            "tx-tcp-mangleid-segmentation",
            "tx-tcp6-segmentation",
            "tx-tcp-accecn-segmentation",
            "tx-udp-segmentation",
        ]);
        match resolve("tso", &t) {
            Some(Resolved::Legacy(f, bits)) => {
                assert_eq!(f.long, "tcp-segmentation-offload");
                assert_eq!(bits, vec![3, 4, 5, 6, 7]);
            }
            other => panic!("{other:?}"),
        }
        // long form, same result
        assert!(
            matches!(resolve("tcp-segmentation-offload", &t), Some(Resolved::Legacy(_, b)) if b.len() == 5)
        );
        // bit 0 is a feature like any other
        assert_eq!(
            resolve("sg", &t),
            Some(Resolved::Legacy(legacy("sg").unwrap(), vec![0]))
        );
        assert_eq!(resolve("tx-scatter-gather", &t), Some(Resolved::Kernel(0)));
        assert_eq!(
            resolve("ufo", &t),
            Some(Resolved::Legacy(legacy("ufo").unwrap(), vec![]))
        );
        assert_eq!(resolve("", &t), None);
        assert_eq!(resolve("tx-bogus", &t), None);
    }

    #[test]
    fn every_short_and_long_name_is_legacy() {
        for s in [
            "tso", "gso", "gro", "lro", "rx", "tx", "sg", "rxvlan", "txvlan",
            "ntuple", "rxhash", "ufo",
        ] {
            assert!(legacy(s).is_some(), "{s}");
        }
        for l in [
            "rx-checksumming",
            "tx-checksumming",
            "scatter-gather",
            "generic-receive-offload",
            "receive-hashing",
        ] {
            assert!(legacy(l).is_some(), "{l}");
        }
    }

    #[test]
    fn dashes_and_underscores_are_one_when_the_match_is_unique() {
        let t = table(&[
            "tx-udp_tnl-segmentation",
            "tx-udp_tnl-csum-segmentation",
            "rx-gro",
        ]);
        assert_eq!(
            resolve("tx-udp-tnl-segmentation", &t),
            Some(Resolved::Kernel(0))
        );
        assert_eq!(
            resolve("tx_udp_tnl_csum_segmentation", &t),
            Some(Resolved::Kernel(1))
        );
        assert_eq!(resolve("rx_gro", &t), Some(Resolved::Kernel(2)));
        assert_eq!(resolve("rx-gro-", &t), None);
        // ambiguous: no guess
        let t = table(&["a-b", "a_b"]);
        assert_eq!(resolve("a-b", &t), Some(Resolved::Kernel(0)));
        assert_eq!(resolve("a_b", &t), Some(Resolved::Kernel(1)));
        assert_eq!(resolve("a~b", &t), None);
        let t = table(&["x-y_z", "x_y-z"]);
        assert_eq!(resolve("x-y-z", &t), None);
    }

    #[test]
    fn suggestions_are_close() {
        let t =
            table(&["rx-gro", "rx-gro-hw", "rx-lro", "tx-tcp-segmentation"]);
        let s = suggestions("tos", &t);
        assert!(s.contains(&"tso".to_string()), "{s:?}");
        let s = suggestions("rx-gro-hx", &t);
        assert_eq!(s.first().map(String::as_str), Some("rx-gro-hw"));
        assert!(suggestions("zzzzzzzzzzzz", &t).is_empty());
    }
}
