//! `ethcfg profiles [list|show NAME] [--json]`.

use std::io::Write;

use ethcfg_core::profile::{Profile, Profiles, Source};
use serde_json::{json, Value};

use crate::exit::{CliError, Exit};

fn profile_json(p: &Profile) -> Value {
    let features: serde_json::Map<String, Value> = p
        .features
        .iter()
        .map(|f| (f.name.clone(), json!(if f.on { "on" } else { "off" })))
        .collect();
    json!({
        "name": p.name,
        "summary": p.summary,
        "description": p.description,
        "drivers": p.drivers,
        "disruptive": p.disruptive,
        "references": p.references,
        "source": p.source.to_string(),
        "features": features,
    })
}

pub(crate) fn run(
    show: Option<&str>,
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, CliError> {
    let all = Profiles::load(&Profiles::user_dir())?;
    for n in &all.notes {
        writeln!(err, "ethcfg: note: {n}")?;
    }
    match show {
        None if json => {
            crate::output::json_array(
                out,
                all.profiles.iter().map(profile_json),
            )?;
        }
        None => {
            let width =
                all.profiles.iter().map(|p| p.name.len()).max().unwrap_or(0);
            for p in &all.profiles {
                let origin = if p.source == Source::Builtin {
                    String::new()
                } else {
                    format!(" [{}]", p.source)
                };
                writeln!(out, "{:<width$}  {}{origin}", p.name, p.summary)?;
            }
        }
        Some(name) => {
            let p = all.get(name)?;
            if json {
                serde_json::to_writer_pretty(&mut *out, &profile_json(p))
                    .map_err(std::io::Error::from)?;
                writeln!(out)?;
            } else {
                writeln!(out, "{} ({})\n  {}\n", p.name, p.source, p.summary)?;
                for line in p.description.lines() {
                    writeln!(out, "  {line}")?;
                }
                let drivers = if p.drivers.is_empty() {
                    "any".to_owned()
                } else {
                    p.drivers.join(", ")
                };
                writeln!(
                    out,
                    "\n  drivers: {drivers}\n  disruptive: {}",
                    if p.disruptive {
                        "yes (may reset the link)"
                    } else {
                        "no"
                    }
                )?;
                writeln!(out, "  features:")?;
                for f in &p.features {
                    writeln!(
                        out,
                        "    {} {}",
                        f.name,
                        if f.on { "on" } else { "off" }
                    )?;
                }
                for r in &p.references {
                    writeln!(out, "  see: {r}")?;
                }
            }
        }
    }
    Ok(Exit::Ok)
}
