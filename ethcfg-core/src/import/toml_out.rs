//! Bindings as `[[bind]]` tables in the config file's syntax: `match`
//! inline, `profile` when a preset is exactly it, else `[bind.features]`
//! and the settings sections as a profile writes them; a comment above
//! each naming the lines it came from.

use toml_edit::{value, ArrayOfTables, DocumentMut, InlineTable, Item, Table};

use super::{Binding, Import};
use crate::ethtool::settings::{Group, Target};

pub(crate) fn document(imp: &Import) -> DocumentMut {
    let mut doc = DocumentMut::new();
    let mut binds = ArrayOfTables::new();
    for b in &imp.bindings {
        binds.push(table(b));
    }
    if !binds.is_empty() {
        doc.insert("bind", Item::ArrayOfTables(binds));
    }
    if !imp.not_imported.is_empty() {
        let mut trailer = String::from(
            "\n# Not imported (keep these or translate them by hand):\n",
        );
        for n in &imp.not_imported {
            trailer.push_str(&format!(
                "#   {}: {}\n#     {}\n",
                n.origin, n.origin.text, n.reason
            ));
        }
        doc.set_trailing(trailer);
    }
    doc
}

pub(crate) fn table(b: &Binding) -> Table {
    let mut t = Table::new();
    let mut prefix = String::from("\n");
    for o in b.origins() {
        prefix.push_str(&format!("# imported from {o}: {}\n", o.text));
    }
    if let Some(n) = &b.note {
        prefix.push_str(&format!("# note: {n}\n"));
    }
    t.decor_mut().set_prefix(prefix);
    let mut m = InlineTable::new();
    for (k, v) in b.matcher.pairs() {
        m.insert(k, v.into());
    }
    t.insert("match", value(m));
    if let Some(p) = &b.profile {
        t.insert("profile", value(p.as_str()));
        return t;
    }
    if !b.features.is_empty() {
        let mut f = Table::new();
        for x in &b.features {
            f.insert(&x.name, value(if x.on { "on" } else { "off" }));
        }
        t.insert("features", Item::Table(f));
    }
    for g in Group::ALL {
        let mut s = Table::new();
        for x in b.settings.iter().filter(|x| x.group == g) {
            let v = match x.value {
                Target::Num(n) => value(i64::from(n)),
                Target::Max => value("max"),
                Target::Bool(on) => value(if on { "on" } else { "off" }),
            };
            s.insert(&x.key, v);
        }
        if !s.is_empty() {
            t.insert(g.as_str(), Item::Table(s));
        }
    }
    t
}
