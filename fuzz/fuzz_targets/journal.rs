//! Fuzz target `journal`: a state records journal.
//! See `ethcfg_core::fuzz_entry::journal` and scripts/fuzz.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ethcfg_core::fuzz_entry::journal(data);
});
