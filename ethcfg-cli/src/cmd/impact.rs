//! `ethcfg impact MODULE [--root DIR] [--json]`: what unloading a module
//! takes with it.

use std::io::Write;
use std::path::Path;

use ethcfg_core::host::HostRoot;
use ethcfg_core::impact::{self, Impact, Removal};
use serde_json::{json, Value};

use crate::env::Env;
use crate::exit::{CliError, Exit};

fn removal_json(r: &Removal) -> Value {
    json!({
        "commands": r.commands,
        "unloads": r.unloads,
        "interfaces_lost": r.interfaces_lost,
        "uppers_affected": r.uppers_affected,
        "management_affected": r.management_affected,
    })
}

fn impact_json(i: &Impact) -> Value {
    let names: Vec<&str> =
        i.management.iter().map(|m| m.ifname.as_str()).collect();
    let why: Vec<Value> = i
        .management
        .iter()
        .map(|m| json!({"interface": m.ifname, "reasons": m.reasons}))
        .collect();
    json!({
        "module": i.module,
        "builtin": i.builtin,
        "holders": i.holders,
        "rmmod": removal_json(&i.rmmod),
        "modprobe_r": removal_json(&i.modprobe_r),
        "management_interfaces": names,
        "management": why,
        "safe_sequence": i.safe_sequence,
        "notes": i.notes,
    })
}

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
) -> std::io::Result<()> {
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

fn impact_text(out: &mut dyn Write, i: &Impact) -> std::io::Result<()> {
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

pub(crate) fn run(
    module: &str,
    root: Option<&Path>,
    json: bool,
    env: &Env,
    out: &mut dyn Write,
) -> Result<Exit, CliError> {
    let system = root.map_or_else(HostRoot::live, HostRoot::dir);
    let i = impact::impact(&system, &env.hints, module)?;
    if json {
        serde_json::to_writer_pretty(&mut *out, &impact_json(&i))
            .map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        impact_text(out, &i)?;
    }
    Ok(Exit::Ok)
}
