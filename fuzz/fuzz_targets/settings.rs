//! Fuzz target `settings`: a RINGS/CHANNELS/COALESCE/PAUSE/EEE or PRIVFLAGS reply body.
//! See `ethcfg_core::fuzz_entry::settings` and scripts/fuzz.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ethcfg_core::fuzz_entry::settings(data);
});
