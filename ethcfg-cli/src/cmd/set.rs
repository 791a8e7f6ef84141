//! `ethcfg set IFACE NAME on|off [NAME on|off ...] [--json]`.

use std::io::Write;

use ethcfg_core::blocking::Client;
use ethcfg_core::state::StateDir;
use ethcfg_core::{FeatureRequest, FixedPolicy, IfaceRef};

use crate::cmd::apply::report;
use crate::exit::{CliError, Exit};

/// Pairs the words up; anything else is a usage error.
pub(crate) fn parse_words(
    words: &[String],
) -> Result<FeatureRequest, CliError> {
    if !words.len().is_multiple_of(2) {
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
    let state = StateDir::from_env();
    let mut client = Client::new()?;
    let _lock = state.lock()?;
    // Recorded like a profile, so `ethcfg revert IFACE` undoes it.
    let plan = client.plan_change("set", &[iface], &req, FixedPolicy::Error)?;
    let outcomes = client.apply_change(&plan, &state, false)?;
    report(&outcomes, json, out, err)?;
    Ok(if outcomes.iter().any(|o| o.any_refused()) {
        Exit::Partial
    } else {
        Exit::Ok
    })
}
