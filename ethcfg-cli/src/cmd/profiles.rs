//! `ethcfg profiles [list|show NAME] [--json]`.

use std::io::Write;

use ethcfg_core::profile::{Profile, Profiles, Source};
use ethcfg_core::settings::{Group, Target};
use serde_json::{json, Value};

use crate::exit::{CliError, Exit};

fn profile_json(p: &Profile) -> Value {
    let features: serde_json::Map<String, Value> = p
        .features
        .iter()
        .map(|f| (f.name.clone(), json!(if f.on { "on" } else { "off" })))
        .collect();
    let mut v = json!({
        "name": p.name,
        "summary": p.summary,
        "description": p.description,
        "drivers": p.drivers,
        "disruptive": p.disruptive,
        "references": p.references,
        "source": p.source.to_string(),
        "include": p.include,
        "features": features,
    });
    for group in Group::ALL {
        let section: serde_json::Map<String, Value> = p
            .settings
            .iter()
            .filter(|s| s.group == group)
            .map(|s| {
                let value = match s.value {
                    Target::Num(n) => json!(n),
                    Target::Max => json!("max"),
                    Target::Bool(b) => {
                        json!(if b { "on" } else { "off" })
                    }
                };
                (s.key.clone(), value)
            })
            .collect();
        if let (false, Some(obj)) = (section.is_empty(), v.as_object_mut()) {
            obj.insert(group.as_str().to_owned(), Value::Object(section));
        }
    }
    v
}

/// "  (from PROFILE)" for a value an included profile brings.
fn from_note(from: &Option<String>) -> String {
    from.as_ref().map(|n| format!("  (from {n})")).unwrap_or_default()
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
            crate::render::json_array(
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
                if !p.include.is_empty() {
                    writeln!(out, "  includes: {}", p.include.join(", "))?;
                }
                if !p.features.is_empty() {
                    writeln!(out, "  features:")?;
                }
                for f in &p.features {
                    let from = from_note(&f.from);
                    writeln!(
                        out,
                        "    {} {}{from}",
                        f.name,
                        if f.on { "on" } else { "off" }
                    )?;
                }
                for group in Group::ALL {
                    let mut first = true;
                    for s in p.settings.iter().filter(|s| s.group == group) {
                        if first {
                            writeln!(out, "  {group}:")?;
                            first = false;
                        }
                        let from = from_note(&s.from);
                        writeln!(out, "    {} {}{from}", s.key, s.value)?;
                    }
                }
                for r in &p.references {
                    writeln!(out, "  see: {r}")?;
                }
            }
        }
    }
    Ok(Exit::Ok)
}
