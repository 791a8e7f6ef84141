//! Fuzz target `profile`: one profile file's TOML text.
//! See `ethcfg_core::fuzz_entry::profile` and scripts/fuzz.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ethcfg_core::fuzz_entry::profile(data);
});
