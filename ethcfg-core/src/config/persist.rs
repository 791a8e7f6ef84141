//! The bindings `ethcfg persist` writes and `ethcfg unpersist` removes:
//! one `[[bind]]` per interface, matching it by a stable identity, as
//! `toml_edit` tables for [`super::write`].

use toml_edit::{value, DocumentMut, InlineTable, Item, Table};

use super::Match;
use crate::host::Identity;

/// Which identity a persisted binding matches by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum By {
    /// The interface name.
    Name,
    /// The permanent hardware address (else the current one).
    Mac,
    /// udev's `ID_PATH`.
    Path,
}

/// The stable identity of `id`, as a `match` key and value: `by` when
/// given (`None` when the device has no such identity), else the PCI
/// path of a physical NIC, its permanent address where it has no path,
/// and the name of a virtual device.
pub fn stable_key(
    id: &Identity,
    by: Option<By>,
) -> Option<(&'static str, String)> {
    let mac = || {
        id.permanent_mac
            .clone()
            .map(|m| ("permanent-mac", m))
            .or_else(|| id.mac.clone().map(|m| ("mac", m)))
    };
    match by {
        Some(By::Name) => Some(("name", id.ifname.clone())),
        Some(By::Mac) => mac(),
        Some(By::Path) => id.path.clone().map(|p| ("path", p)),
        None if id.driver.is_none() => Some(("name", id.ifname.clone())),
        None => id
            .path
            .clone()
            .map(|p| ("path", p))
            .or_else(|| id.permanent_mac.clone().map(|m| ("permanent-mac", m)))
            .or_else(|| Some(("name", id.ifname.clone()))),
    }
}

/// A `[[bind]]` table matching `key = value`, applying `profile`.
pub fn binding_table(
    key: &str,
    val: &str,
    profile: &str,
    force: bool,
    comment: &str,
) -> Table {
    let mut t = Table::new();
    t.decor_mut().set_prefix(format!("\n# {comment}\n"));
    let mut m = InlineTable::new();
    m.insert(key, val.into());
    t.insert("match", value(m));
    t.insert("profile", value(profile));
    if force {
        t.insert("force", value(true));
    }
    t
}

/// The table as it reads in the file.
pub fn table_text(t: &Table) -> String {
    let mut doc = DocumentMut::new();
    let mut arr = toml_edit::ArrayOfTables::new();
    arr.push(t.clone());
    doc.insert("bind", Item::ArrayOfTables(arr));
    doc.to_string()
}

/// The `match` of a `[[bind]]` table, when it is one this module reads.
fn matcher(t: &Table) -> Option<Match> {
    let m = t.get("match")?;
    let get = |k: &str| m.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    Some(Match {
        name: get("name"),
        mac: get("mac").map(|s| s.to_ascii_lowercase()),
        permanent_mac: get("permanent-mac").map(|s| s.to_ascii_lowercase()),
        driver: get("driver"),
        path: get("path"),
    })
}

/// Whether `t` is a binding for exactly this device: its match names it
/// (no glob) and every key matches.
pub fn names_device(t: &Table, id: &Identity) -> bool {
    let Some(m) = matcher(t) else { return false };
    let exact = m.name.as_ref().is_none_or(|n| !n.contains(['*', '?', '[']));
    let specific = m.name.is_some()
        || m.mac.is_some()
        || m.permanent_mac.is_some()
        || m.path.is_some();
    exact && specific && m.matches(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(
        driver: Option<&str>,
        path: Option<&str>,
        perm: Option<&str>,
    ) -> Identity {
        Identity {
            ifname: "eno1".into(),
            driver: driver.map(Into::into),
            path: path.map(Into::into),
            permanent_mac: perm.map(Into::into),
            mac: Some("52:54:00:00:00:01".into()),
            ..Identity::default()
        }
    }

    #[test]
    fn stable_identity_defaults() {
        let k = |i: &Identity, by| {
            stable_key(i, by).map(|(k, v)| format!("{k}={v}"))
        };
        let nic = id(
            Some("e1000e"),
            Some("pci-0000:00:1f.6"),
            Some("aa:bb:cc:dd:ee:ff"),
        );
        assert_eq!(k(&nic, None).as_deref(), Some("path=pci-0000:00:1f.6"));
        assert_eq!(
            k(&nic, Some(By::Mac)).as_deref(),
            Some("permanent-mac=aa:bb:cc:dd:ee:ff")
        );
        assert_eq!(k(&nic, Some(By::Name)).as_deref(), Some("name=eno1"));
        let usb = id(Some("r8152"), None, Some("aa:bb:cc:dd:ee:ff"));
        assert_eq!(
            k(&usb, None).as_deref(),
            Some("permanent-mac=aa:bb:cc:dd:ee:ff")
        );
        assert_eq!(k(&usb, Some(By::Path)), None);
        let veth = id(None, None, None);
        assert_eq!(k(&veth, None).as_deref(), Some("name=eno1"));
        assert_eq!(
            k(&veth, Some(By::Mac)).as_deref(),
            Some("mac=52:54:00:00:00:01")
        );
    }

    #[test]
    fn tables_round_trip_and_name_their_device() {
        let t = binding_table(
            "path",
            "pci-0000:00:1f.6",
            "e1000e-hang-safe",
            true,
            "persisted",
        );
        let text = table_text(&t);
        assert!(
            text.contains("[[bind]]")
                && text.contains("match = { path = \"pci-0000:00:1f.6\" }")
                && text.contains("force = true"),
            "{text}"
        );
        let c =
            super::super::Config::from_toml(&text, std::path::Path::new("x"))
                .unwrap();
        assert_eq!(c.bindings.len(), 1);
        let nic = id(Some("e1000e"), Some("pci-0000:00:1f.6"), None);
        assert!(names_device(&t, &nic));
        assert!(!names_device(
            &t,
            &id(Some("e1000e"), Some("pci-0000:00:1f.7"), None)
        ));
        let glob = binding_table("name", "eno*", "x", false, "c");
        assert!(!names_device(&glob, &nic));
    }
}
