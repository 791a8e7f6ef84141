//! The harness of the real-kernel and real-driver suites (`harness = false`
//! in Cargo.toml). libtest has no way for a test to find out at run time
//! that it cannot run here: these suites run through libtest-mimic, which
//! reports such a test as ignored, with the reason, and prints libtest's
//! own lines (`test NAME ... ignored (REASON)`, `test result: ok. N passed;
//! 0 failed; M ignored; ...`).
//!
//! Each test declares what it needs ([`Need`]: [`root`], [`nothing`], the
//! VM rig's `rig::available`) where its module registers it ([`tests!`]).
//! A need not met ignores the test; it never counts as passed. With
//! `ETHCFG_TESTS_REQUIRE_ALL=1` (scripts/test sets it) an unmet need is a
//! failure instead, so a privileged run that lost its rig says so. A test
//! whose need is met runs and fails as any test does: root without
//! `CAP_SYS_ADMIN`, or a rig that is there but broken, fails.

use std::process::ExitCode;

use libtest_mimic::{Arguments, Completion, Failed, Trial};

/// Turns an unmet need into a failure (set by scripts/test).
const REQUIRE_ALL: &str = "ETHCFG_TESTS_REQUIRE_ALL";

/// What a test needs from the machine it runs on: why it cannot run here,
/// or `None` when it can.
pub type Need = fn() -> Option<String>;

/// Nothing: runs everywhere.
#[allow(dead_code)] // not every suite has such tests
pub fn nothing() -> Option<String> {
    None
}

/// Root (the real-kernel tests: a private network namespace each, by
/// `unshare(CLONE_NEWNET)`, and `CAP_NET_ADMIN` in it).
pub fn root() -> Option<String> {
    #[allow(unsafe_code)]
    // SAFETY: geteuid(2) takes nothing and cannot fail.
    let euid = unsafe { libc::geteuid() };
    (euid != 0).then(|| "needs root".to_owned())
}

/// One test: its libtest name (`module::function`), its need, its body.
#[derive(Debug, Clone, Copy)]
pub struct Test {
    pub name: &'static str,
    pub need: Need,
    pub run: fn(),
}

/// Registers a module's tests by what they need:
/// `tests! { harness::root: [a, b], harness::nothing: [c] }` defines
/// `fn tests()`.
macro_rules! tests {
    ($($need:path: [$($f:ident),* $(,)?]),* $(,)?) => {
        /// This module's tests, for the harness.
        pub(crate) fn tests() -> Vec<$crate::harness::Test> {
            vec![$($($crate::harness::Test {
                name: concat!(module_path!(), "::", stringify!($f)),
                need: $need,
                run: $f,
            },)*)*]
        }
    };
}
pub(crate) use tests;

/// Runs `tests` as libtest would, with libtest's command line.
pub fn run(tests: Vec<Test>) -> ExitCode {
    let args = Arguments::from_args();
    let require_all = std::env::var_os(REQUIRE_ALL).is_some_and(|v| v == "1");
    let trials = tests
        .into_iter()
        .map(|t| {
            // libtest names a test by its path below the crate root
            let name = t.name.split_once("::").map_or(t.name, |(_, n)| n);
            Trial::ignorable_test(name, move || match (t.need)() {
                Some(why) if require_all => {
                    Err(Failed::from(format!("{why} ({REQUIRE_ALL}=1)")))
                }
                Some(why) => Ok(Completion::ignored_with(why)),
                None => {
                    (t.run)();
                    Ok(Completion::Completed)
                }
            })
        })
        .collect();
    libtest_mimic::run(&args, trials).exit_code()
}
