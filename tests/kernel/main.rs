#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test scaffolding: failing loudly is the point
//! Real-kernel tests: every test runs in its own network namespace with veth
//! pairs, and checks ethcfg against `ethtool` as an independent oracle.
//! Those that need root (for unshare and for setting features) are
//! reported as ignored without it (../common/harness.rs).

mod api;
mod bad_input;
mod badfiles;
mod bindings;
mod cli;
mod doctor;
#[path = "../common/ethtool_oracle.rs"]
mod ethtool_oracle;
mod fleet;
mod grammar;
#[path = "../common/harness.rs"]
mod harness;
mod host;
mod import;
mod monitor;
mod oracle;
mod profiles;
mod proxmox;
mod records;
mod settings;
// The one sysfs/procfs fixture builder, shared with ethcfg-core's own tests
// (it lives in that crate so that its package builds its tests alone).
mod stack;
#[allow(dead_code)] // not every builder is used here
#[path = "../../ethcfg-core/src/testing/tree.rs"]
mod tree;
mod util;
mod watch;

fn main() -> std::process::ExitCode {
    harness::run(
        [
            api::tests(),
            bad_input::tests(),
            badfiles::tests(),
            bindings::tests(),
            cli::tests(),
            doctor::tests(),
            fleet::tests(),
            grammar::tests(),
            host::tests(),
            import::tests(),
            monitor::tests(),
            oracle::tests(),
            profiles::tests(),
            proxmox::tests(),
            records::tests(),
            settings::tests(),
            stack::tests(),
            watch::tests(),
        ]
        .concat(),
    )
}
