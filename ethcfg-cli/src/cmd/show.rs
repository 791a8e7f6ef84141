//! `ethcfg show [IFACE...] [--json]`.

use std::io::Write;
use std::path::Path;

use ethcfg_core::blocking::{link_kinds, Client};
use ethcfg_core::system::sysfs_driver;
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
        let drivers = drivers(&all);
        let v: Vec<_> = all
            .iter()
            .zip(&drivers)
            .map(|(f, d)| output::features_json(f, d.as_deref()))
            .collect();
        serde_json::to_writer_pretty(&mut *out, &v)
            .map_err(std::io::Error::from)?;
        writeln!(out)?;
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

/// The driver of each interface: the bound driver from sysfs, else the
/// rtnetlink link kind of a virtual device (`veth`), else none.
fn drivers(all: &[Features]) -> Vec<Option<String>> {
    let root = Path::new("/");
    let mut out: Vec<Option<String>> =
        all.iter().map(|f| sysfs_driver(root, &f.ifname, f.ifindex)).collect();
    if out.iter().any(Option::is_none) {
        // One dump for all of them; failure only costs the names.
        if let Ok(kinds) = link_kinds() {
            for (f, d) in
                all.iter().zip(out.iter_mut()).filter(|(_, d)| d.is_none())
            {
                *d = kinds
                    .iter()
                    .find(|k| k.ifindex == f.ifindex)
                    .and_then(|k| k.kind.clone());
            }
        }
    }
    out
}
