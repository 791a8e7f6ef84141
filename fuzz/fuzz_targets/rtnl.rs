//! Fuzz target `rtnl`: an rtnetlink RTM_NEWLINK or RTM_NEWADDR payload.
//! See `ethcfg_core::fuzz_entry::rtnl` and scripts/fuzz.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ethcfg_core::fuzz_entry::rtnl(data);
});
