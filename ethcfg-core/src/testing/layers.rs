//! The layering rule as a test: every `crate::` path in a layer's source
//! names that layer or one below it, in the order `lib.rs` lists them. A
//! lower layer never uses a higher one, so there is no import cycle
//! between layers.

use std::path::Path;

/// The layers, lowest first (as in `lib.rs`).
const ORDER: &[&str] = &[
    "fs",
    "error",
    "iface",
    "netlink",
    "ethtool",
    "host",
    "events",
    "state",
    "profile",
    "config",
    "import",
    "change",
    "diagnosis",
    "api",
    "watch",
];

/// The layer a `crate::NAME` path goes into: a layer module, or one of
/// the flat re-exports of `lib.rs`; `None` for what is no layer
/// (`testing`).
fn layer_of(name: &str) -> Option<&'static str> {
    if let Some(l) = ORDER.iter().find(|l| **l == name) {
        return Some(l);
    }
    Some(match name {
        "Error" | "ErrorKind" | "Errno" | "Result" | "RollbackFailure" => {
            "error"
        }
        "IfaceRef" | "IFNAME_MAX" => "iface",
        "features" | "names" | "settings" | "Feature" | "FeatureChange"
        | "FeaturePlan" | "FeatureRequest" | "Features" | "FixedPolicy"
        | "InterfaceOutcome" | "Status" => "ethtool",
        "devlink" | "doctor" | "impact" | "metrics" => "diagnosis",
        "blocking" | "Handle" => "api",
        _ => return None,
    })
}

fn rank(layer: &str) -> usize {
    ORDER.iter().position(|l| *l == layer).unwrap_or(usize::MAX)
}

fn each_rs(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            each_rs(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every `crate::NAME` in the code (not the comments) of `text`, with its
/// line number.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            // `crate::{a, b}` lists several
            if let Some(list) = after.strip_prefix('{') {
                let inner = list.split('}').next().unwrap_or("");
                for item in inner.split(',') {
                    let item: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !item.is_empty() {
                        out.push((n + 1, item));
                    }
                }
            } else if !name.is_empty() {
                out.push((n + 1, name));
            }
            rest = after;
        }
    }
    out
}

#[test]
fn no_layer_uses_a_higher_one() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    each_rs(&src, &mut files);
    let mut wrong = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        let top = rel.iter().next().unwrap().to_string_lossy();
        let top = top.trim_end_matches(".rs");
        if !ORDER.contains(&top) {
            continue; // lib.rs, testing/
        }
        let text = std::fs::read_to_string(f).unwrap();
        for (line, name) in crate_paths(&text) {
            let Some(to) = layer_of(&name) else { continue };
            if rank(to) > rank(top) {
                wrong.push(format!(
                    "{}:{line}: {top} uses crate::{name} ({to})",
                    rel.display()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}

#[test]
fn the_scanner_sees_paths_and_lists() {
    let got = crate_paths(
        "use crate::api::x;\n// crate::change in a comment\nuse crate::{error, change::y};\nlet v = crate::IfaceRef::by_name(n);",
    );
    let names: Vec<&str> = got.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["api", "error", "change", "IfaceRef"]);
}
