//! `ethcfg set IFACE NAME on|off [NAME on|off ...] [--json]`.

use std::io::Write;

use ethcfg_core::blocking::Client;
use ethcfg_core::{FeatureRequest, IfaceRef};

use crate::exit::{CliError, Exit};
use crate::output;

/// Pairs the words up; anything else is a usage error.
pub(crate) fn parse_words(
    words: &[String],
) -> Result<FeatureRequest, CliError> {
    if words.len() % 2 != 0 {
        let last = words.last().map(String::as_str).unwrap_or_default();
        return Err(CliError::Usage(format!(
            "expected NAME on|off pairs, but got {} word{}: `{last}` has no value; add `on` or `off` after it",
            words.len(),
            if words.len() == 1 { "" } else { "s" }
        )));
    }
    let mut req = FeatureRequest::new();
    for pair in words.chunks(2) {
        if let [name, value] = pair {
            let on = match value.as_str() {
                "on" => true,
                "off" => false,
                other => {
                    return Err(CliError::Usage(format!(
                    "`{name}` must be followed by `on` or `off`, not `{other}`"
                )))
                }
            };
            req = req.set(name.clone(), on);
        }
    }
    Ok(req)
}

pub(crate) fn run(
    iface: &str,
    words: &[String],
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, CliError> {
    let req = parse_words(words)?;
    let iface = IfaceRef::name(iface)?;
    let mut client = Client::new()?;
    let outcome = client.set_features(&iface, &req)?;
    for name in &outcome.skipped_fixed {
        writeln!(
            err,
            "ethcfg: note: {}: {name} is fixed on this device; left as it is",
            outcome.ifname
        )?;
    }
    for w in &outcome.warnings {
        writeln!(err, "ethcfg: kernel warning: {}: {w}", outcome.ifname)?;
    }
    if json {
        serde_json::to_writer_pretty(
            &mut *out,
            &[output::outcome_json(&outcome)],
        )
        .map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        output::outcome_text(out, &outcome)?;
    }
    Ok(if outcome.any_refused() { Exit::Partial } else { Exit::Ok })
}
