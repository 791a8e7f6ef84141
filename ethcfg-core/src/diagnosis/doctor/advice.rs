//! What every NIC finding that ends in a preset says the same way: whether
//! `/etc/network/interfaces` already applies it in the interface's own
//! stanza, the lines that keep it across reboots, and which bridge the
//! interface serves (the field report's `post-up` belongs under
//! `iface eno1`, and users put it under `iface vmbr0`).

use std::path::Path;

use crate::host::stack;

/// Whether `<root>/etc/network/interfaces` applies `profile` in
/// `ifname`'s stanza already (a `post-up ethcfg apply` line or the hook's
/// `ethcfg-profile` option).
pub(crate) fn persisted(root: &Path, ifname: &str, profile: &str) -> bool {
    let Ok(text) = crate::fs::read_regular_string(
        &root.join("etc/network/interfaces"),
        crate::fs::SYSFS_CAP,
    ) else {
        return false;
    };
    let mut inside = false;
    for line in text.lines().map(str::trim) {
        let mut w = line.split_whitespace();
        match w.next() {
            Some("iface") => inside = w.next() == Some(ifname),
            Some("auto" | "allow-hotplug" | "mapping" | "source") => {
                inside = false
            }
            Some(_) if inside => {
                let words: Vec<&str> = line.split_whitespace().collect();
                if words.contains(&profile)
                    && (words.first() == Some(&"ethcfg-profile")
                        || words.windows(2).any(|p| p == ["ethcfg", "apply"]))
                {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// Remedy lines that keep `profile` on `name` across reboots (or say it
/// is kept already). `known` is false when the interface does not exist
/// under the root (the stanza cannot be checked).
pub(crate) fn keep_lines(
    root: &Path,
    name: &str,
    profile: &str,
    known: bool,
) -> Vec<String> {
    if known && persisted(root, name, profile) {
        return vec![format!(
            "# already kept across reboots: /etc/network/interfaces applies {profile} to {name}"
        )];
    }
    vec![
        format!(
            "# keep it across reboots: add this line to the \"iface {name} ...\" stanza of /etc/network/interfaces:"
        ),
        format!("#     post-up ethcfg apply {profile} {name}"),
    ]
}

/// A sentence naming the bridge `name` serves (through a bond or a VLAN,
/// if so) and where the settings belong; `None` when it serves none and
/// is in no bond.
pub(crate) fn served_note(root: &Path, name: &str) -> Option<String> {
    let served = stack::bridges_served(root, name);
    if let Some(s) = served.first() {
        let b = &s.bridge;
        let path = if s.via.is_empty() {
            format!("{name} is a port of {b}")
        } else {
            format!("{name} serves bridge {b} through {}", s.via.join(" and "))
        };
        return Some(format!(
            "{path}: the settings belong to {name} itself, so the line goes in the \"iface {name}\" stanza, not in {b}'s."
        ));
    }
    // A master sysfs does not mark as a bridge is a bond (or a bridge
    // in a tree that says less than the kernel does).
    let master = std::fs::read_link(
        root.join("sys/class/net").join(name).join("master"),
    )
    .ok()
    .and_then(|t| Some(t.file_name()?.to_string_lossy().into_owned()));
    let upper = stack::uppers(root, name);
    let (path, first) = match master {
        Some(m) => (format!("{name} is a port of {m}"), m),
        None => {
            let first = upper.first()?.clone();
            (format!("{name} is under {}", upper.join(", ")), first)
        }
    };
    Some(format!(
        "{path}: the settings belong to {name} itself, so the line goes in the \"iface {name}\" stanza, not in {first}'s."
    ))
}
