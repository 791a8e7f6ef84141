//! Fuzz target `records`: a state records file.
//! See `ethcfg_core::fuzz_entry::records` and scripts/fuzz.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ethcfg_core::fuzz_entry::records(data);
});
