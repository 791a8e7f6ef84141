//! `ethcfg show [IFACE...] [--json]`.

use std::io::Write;
use std::path::Path;

use ethcfg_core::blocking::Client;
use ethcfg_core::system::devices;
use ethcfg_core::{Features, IfaceRef};

use crate::exit::{CliError, Exit};
use crate::output;

pub(crate) fn run(
    ifaces: &[String],
    json: bool,
    out: &mut dyn Write,
) -> Result<Exit, CliError> {
    // Validate every name before the first request.
    let refs =
        ifaces.iter().map(IfaceRef::name).collect::<Result<Vec<_>, _>>()?;
    let mut client = Client::new()?;
    let all: Vec<Features> = if refs.is_empty() {
        client.features_all()?
    } else {
        refs.iter().map(|r| client.features(r)).collect::<Result<_, _>>()?
    };
    if json {
        let ids: Vec<(&str, u32)> =
            all.iter().map(|f| (f.ifname.as_str(), f.ifindex)).collect();
        let devices = devices(Path::new("/"), &ids);
        output::json_array_with(out, all.iter().zip(&devices), |w, (f, d)| {
            output::write_features_json(w, f, d.driver_or_kind())
        })?;
    } else {
        for (i, f) in all.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            output::features_text(out, f)?;
        }
    }
    Ok(Exit::Ok)
}
