//! Fuzz target `ctrl`: a genl controller CTRL_CMD_NEWFAMILY reply body.
//! See `ethcfg_core::fuzz_entry::ctrl` and scripts/fuzz.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ethcfg_core::fuzz_entry::ctrl(data);
});
