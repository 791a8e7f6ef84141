//! Fuzz target `devlink`: a devlink INFO_GET reply body.
//! See `ethcfg_core::fuzz_entry::devlink` and scripts/fuzz.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ethcfg_core::fuzz_entry::devlink(data);
});
