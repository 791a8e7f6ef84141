//! Sets features by kernel or legacy name and prints what the kernel did,
//! per feature — `ethtool -K IFACE tso off gso off`.
//!
//! Run (as root): `cargo run --example set_feature -- eth0 tso off gso off`

use ethcfg_core::{blocking::Client, FeatureRequest, IfaceRef};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let iface = IfaceRef::by_name(
        args.next().ok_or("usage: set_feature IFACE NAME on|off ...")?,
    )?;
    let words: Vec<String> = args.collect();
    let mut req = FeatureRequest::new();
    for pair in words.chunks(2) {
        match pair {
            [name, v] if v == "on" || v == "off" => {
                req = req.set(name.clone(), v == "on")
            }
            _ => return Err("expected NAME on|off pairs".into()),
        }
    }
    let out = Client::new()?.set_features(&iface, &req)?;
    for c in &out.changes {
        println!("{}: {} -> {} ({})", c.feature, c.from, c.to, c.status);
    }
    Ok(())
}
