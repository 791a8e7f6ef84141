//! Fuzz target `message`: a received datagram: splitting, classification, extended ACKs.
//! See `ethcfg_core::fuzz_entry::message` and scripts/fuzz.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ethcfg_core::fuzz_entry::message(data);
});
