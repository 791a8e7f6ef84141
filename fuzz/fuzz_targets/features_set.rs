//! Fuzz target `features_set`: a FEATURES_SET reply body, made into a SetOutcome.
//! See `ethcfg_core::fuzz_entry::features_set` and scripts/fuzz.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ethcfg_core::fuzz_entry::features_set(data);
});
