//! Fuzz target `kernel_log`: a kernel log, read and run through doctor's findings.
//! See `ethcfg_core::fuzz_entry::kernel_log` and scripts/fuzz.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ethcfg_core::fuzz_entry::kernel_log(data);
});
