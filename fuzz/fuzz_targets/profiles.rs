//! Fuzz target `profiles`: a profile directory (up to four files, includes resolved).
//! See `ethcfg_core::fuzz_entry::profiles` and scripts/fuzz.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ethcfg_core::fuzz_entry::profiles(data);
});
