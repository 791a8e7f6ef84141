//! Taking the state lock, and saying so when it takes a while: after a
//! second of waiting the user learns which pid holds it, then the run
//! blocks until it is free.

use std::io::Write;
use std::time::{Duration, Instant};

use ethcfg_core::state::{StateDir, StateLock};

use crate::exit::CliError;

/// How long a run waits quietly before it names the holder.
const QUIET: Duration = Duration::from_secs(1);

/// Takes `state`'s lock, with a note on `err` after [`QUIET`] naming the
/// run that holds it.
pub(crate) fn wait(
    state: &StateDir,
    err: &mut dyn Write,
) -> Result<StateLock, CliError> {
    let start = Instant::now();
    while start.elapsed() < QUIET {
        if let Some(lock) = state.try_lock()? {
            return Ok(lock);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    match state.lock_holder() {
        Some(pid) => writeln!(
            err,
            "ethcfg: note: waiting for the state lock held by pid {pid}"
        )?,
        None => writeln!(err, "ethcfg: note: waiting for the state lock")?,
    }
    Ok(state.lock()?)
}
