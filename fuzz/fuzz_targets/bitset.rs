//! Fuzz target `bitset`: one ethtool bitset nest (compact and verbose).
//! See `ethcfg_core::fuzz_entry::bitset` and scripts/fuzz.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ethcfg_core::fuzz_entry::bitset(data);
});
