//! `ethcfg impact`: what unloading a module takes with it, for people and
//! as JSON.

use std::io::{self, Write};

use ethcfg_core::host::ManagementInterface;
use ethcfg_core::impact::{Impact, Removal};
use serde::Serialize;

use super::json::{self, Each};

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "none".to_owned()
    } else {
        v.join(", ")
    }
}

fn removal_text(
    out: &mut dyn Write,
    title: &str,
    r: &Removal,
    mgmt: &[String],
) -> io::Result<()> {
    writeln!(out, "{title}:")?;
    writeln!(out, "  unloads: {}", list(&r.unloads))?;
    // Interfaces, the management ones marked.
    let marked = |ifs: &[String]| -> Vec<String> {
        ifs.iter()
            .map(|i| {
                if mgmt.contains(i) {
                    format!("{i} (MANAGEMENT)")
                } else {
                    i.clone()
                }
            })
            .collect()
    };
    let lost = marked(&r.interfaces_lost);
    writeln!(out, "  interfaces lost: {}", list(&lost))?;
    if !r.uppers_affected.is_empty() {
        let up = marked(&r.uppers_affected);
        writeln!(out, "  stacked on them, losing a port: {}", list(&up))?;
    }
    if r.management_affected {
        writeln!(out, "  the management interface goes down")?;
    }
    Ok(())
}

/// For people: who holds the module, what each way of removing it
/// unloads and loses, the management interfaces, a safe sequence.
pub(crate) fn text(out: &mut dyn Write, i: &Impact) -> io::Result<()> {
    let mgmt: Vec<String> =
        i.management.iter().map(|m| m.ifname.clone()).collect();
    if i.builtin {
        writeln!(out, "{}: built into the kernel", i.module)?;
    } else if i.holders.is_empty() {
        writeln!(out, "{}: no module holds it", i.module)?;
    } else {
        writeln!(
            out,
            "{}: held by {} (they must be removed first)",
            i.module,
            i.holders.join(", ")
        )?;
    }
    if !i.builtin {
        removal_text(out, &i.rmmod.commands.join("; "), &i.rmmod, &mgmt)?;
        removal_text(
            out,
            &i.modprobe_r.commands.join("; "),
            &i.modprobe_r,
            &mgmt,
        )?;
    }
    for m in &i.management {
        writeln!(
            out,
            "management interface {}: {}",
            m.ifname,
            m.reasons.join(", ")
        )?;
    }
    if i.management.is_empty() {
        writeln!(
            out,
            "no management interface found (no default route, no SSH session)"
        )?;
    }
    for n in &i.notes {
        writeln!(out, "note: {n}")?;
    }
    if !i.safe_sequence.is_empty() {
        if mgmt.is_empty() {
            writeln!(out, "safe sequence (rmmod takes only what it names):")?;
        } else {
            writeln!(out, "safe sequence (keeps {} up):", mgmt.join(", "))?;
        }
        for c in &i.safe_sequence {
            writeln!(out, "  {c}")?;
        }
    }
    Ok(())
}

pub(crate) fn json(out: &mut dyn Write, i: &Impact) -> io::Result<()> {
    json::write(out, &View::from(i))
}

#[derive(Serialize)]
struct View<'a> {
    module: &'a str,
    builtin: bool,
    holders: &'a [String],
    rmmod: RemovalView<'a>,
    modprobe_r: RemovalView<'a>,
    /// The names alone, then with the reasons.
    management_interfaces: Each<'a, ManagementInterface, Name<'a>>,
    management: Each<'a, ManagementInterface, Management<'a>>,
    safe_sequence: &'a [String],
    notes: &'a [String],
}

impl<'a> From<&'a Impact> for View<'a> {
    fn from(i: &'a Impact) -> Self {
        View {
            module: &i.module,
            builtin: i.builtin,
            holders: &i.holders,
            rmmod: RemovalView::from(&i.rmmod),
            modprobe_r: RemovalView::from(&i.modprobe_r),
            management_interfaces: Each::new(&i.management),
            management: Each::new(&i.management),
            safe_sequence: &i.safe_sequence,
            notes: &i.notes,
        }
    }
}

#[derive(Serialize)]
struct RemovalView<'a> {
    commands: &'a [String],
    unloads: &'a [String],
    interfaces_lost: &'a [String],
    uppers_affected: &'a [String],
    management_affected: bool,
}

impl<'a> From<&'a Removal> for RemovalView<'a> {
    fn from(r: &'a Removal) -> Self {
        RemovalView {
            commands: &r.commands,
            unloads: &r.unloads,
            interfaces_lost: &r.interfaces_lost,
            uppers_affected: &r.uppers_affected,
            management_affected: r.management_affected,
        }
    }
}

#[derive(Serialize)]
#[serde(transparent)]
struct Name<'a>(&'a str);

impl<'a> From<&'a ManagementInterface> for Name<'a> {
    fn from(m: &'a ManagementInterface) -> Self {
        Name(&m.ifname)
    }
}

#[derive(Serialize)]
struct Management<'a> {
    interface: &'a str,
    reasons: &'a [String],
}

impl<'a> From<&'a ManagementInterface> for Management<'a> {
    fn from(m: &'a ManagementInterface) -> Self {
        Management { interface: &m.ifname, reasons: &m.reasons }
    }
}
