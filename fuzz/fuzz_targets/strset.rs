//! Fuzz target `strset`: a STRSET_GET reply body (features, private flags, device).
//! See `ethcfg_core::fuzz_entry::strset` and scripts/fuzz.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ethcfg_core::fuzz_entry::strset(data);
});
