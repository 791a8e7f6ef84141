//! Prints every feature of one interface, like `ethtool -k IFACE`, with the
//! blocking API.
//!
//! Run: `cargo run --example show_features -- eth0`

use ethcfg_core::{blocking::Client, IfaceRef};

fn main() -> Result<(), ethcfg_core::Error> {
    let name = std::env::args().nth(1).unwrap_or_else(|| "lo".to_owned());
    let mut client = Client::new()?;
    let features = client.features(&IfaceRef::by_name(name)?)?;
    println!(
        "Features for {} (ifindex {}):",
        features.ifname, features.ifindex
    );
    for f in features.iter() {
        let state = if f.active { "on" } else { "off" };
        let note = f.note().map(|n| format!(" [{n}]")).unwrap_or_default();
        println!("{}: {state}{note}", f.name);
    }
    Ok(())
}
