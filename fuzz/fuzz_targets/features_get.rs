//! Fuzz target `features_get`: a FEATURES_GET reply body, made into Features.
//! See `ethcfg_core::fuzz_entry::features_get` and scripts/fuzz.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ethcfg_core::fuzz_entry::features_get(data);
});
