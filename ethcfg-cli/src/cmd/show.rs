//! `ethcfg show [IFACE...] [--json]`.

use std::io::Write;
use std::path::Path;

use ethcfg_core::blocking::Client;
use ethcfg_core::host::devices;
use ethcfg_core::settings::Settings;
use ethcfg_core::{Features, IfaceRef};

use crate::exit::{CliError, Exit};
use crate::render;

pub(crate) fn run(
    ifaces: &[String],
    json: bool,
    all_settings: bool,
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
    // The other settings, one interface at a time (a GET per group).
    let settings: Vec<Option<Settings>> = if all_settings {
        all.iter()
            .map(|f| client.settings(&IfaceRef::index(f.ifindex)).map(Some))
            .collect::<Result<_, _>>()?
    } else {
        all.iter().map(|_| None).collect()
    };
    if json {
        let ids: Vec<(&str, u32)> =
            all.iter().map(|f| (f.ifname.as_str(), f.ifindex)).collect();
        let devices = devices(Path::new("/"), &ids);
        render::json_array_with(
            out,
            all.iter().zip(&devices).zip(&settings),
            |w, ((f, d), s)| {
                render::write_features_json(
                    w,
                    f,
                    d.driver_or_kind(),
                    s.as_ref(),
                )
            },
        )?;
    } else {
        for (i, (f, s)) in all.iter().zip(&settings).enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            render::features_text(out, f)?;
            if let Some(s) = s {
                render::settings_text(out, s)?;
            }
        }
    }
    Ok(Exit::Ok)
}
