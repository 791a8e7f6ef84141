//! `ethcfg show [IFACE...] [--all-settings] [--json]`.

use std::io::Write;

use clap::Args;
use ethcfg_core::blocking::Client;
use ethcfg_core::host::{devices, HostRoot};
use ethcfg_core::settings::Settings;
use ethcfg_core::{Features, IfaceRef};

use crate::exit::{CliError, Exit};
use crate::render;

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// Interfaces to show; all of them (from one dump) when omitted
    #[arg(value_name = "IFACE")]
    pub(crate) ifaces: Vec<String>,
    /// Print JSON on stdout: [{"ifname", "ifindex", "driver", "features": {NAME: {"active", "requested", "fixed"}}}]
    #[arg(long)]
    pub(crate) json: bool,
    /// Also show rings, channels, coalesce, pause, EEE and private flags
    /// (JSON: "rings", "channels", "coalesce", "pause", "eee", "private-flags"; null and listed
    /// in "unsupported" when the driver does not have them)
    #[arg(long)]
    pub(crate) all_settings: bool,
}

pub(crate) fn run(a: &ShowArgs, out: &mut dyn Write) -> Result<Exit, CliError> {
    let refs = super::iface_refs(&a.ifaces)?;
    let mut client = Client::new()?;
    let all: Vec<Features> = if refs.is_empty() {
        client.features_all()?
    } else {
        refs.iter().map(|r| client.features(r)).collect::<Result<_, _>>()?
    };
    // The other settings, one interface at a time (a GET per group).
    let settings: Vec<Option<Settings>> = if a.all_settings {
        all.iter()
            .map(|f| client.settings(&IfaceRef::by_index(f.ifindex)).map(Some))
            .collect::<Result<_, _>>()?
    } else {
        all.iter().map(|_| None).collect()
    };
    if a.json {
        let ids: Vec<(&str, u32)> =
            all.iter().map(|f| (f.ifname.as_str(), f.ifindex)).collect();
        let devices = devices(&HostRoot::live(), &ids);
        render::features::json(out, || {
            all.iter()
                .zip(&devices)
                .zip(&settings)
                .map(|((f, d), s)| (f, d.driver_or_kind(), s.as_ref()))
        })?;
    } else {
        render::features::text_all(out, all.iter().zip(&settings))?;
    }
    Ok(Exit::Ok)
}
