//! Exit codes (DESIGN.md's contract) and the CLI's error type.

use std::process::ExitCode;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// 0: done, or nothing to do.
    Ok,
    /// 3: the kernel or driver refused some requested change.
    Partial,
    /// 4: `check` found drift.
    Drift,
}

impl Exit {
    /// After a change: 3 if the kernel or driver refused anything asked.
    pub(crate) fn of_outcomes(
        outcomes: &[ethcfg_core::InterfaceOutcome],
    ) -> Exit {
        if outcomes.iter().any(ethcfg_core::InterfaceOutcome::any_refused) {
            Exit::Partial
        } else {
            Exit::Ok
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        match e {
            Exit::Ok => ExitCode::SUCCESS,
            Exit::Partial => ExitCode::from(3),
            Exit::Drift => ExitCode::from(4),
        }
    }
}

/// 1 for errors, 2 for usage errors.
#[derive(Debug)]
pub(crate) enum CliError {
    /// Bad command line (exit 2).
    Usage(String),
    /// The library failed (exit 1).
    Core(ethcfg_core::Error),
    /// The run did not do what was asked, for a reason the CLI found or
    /// the library reported (exit 1): the whole line after `error: `.
    Failed(String),
    /// Writing output failed (exit 1; a closed pipe is not an error).
    Io(std::io::Error),
    /// Writing the report failed after the change it reports was made
    /// (exit 1): what was done, and the write error.
    Unreported(&'static str, std::io::Error),
}

/// The result of writing the report of a change that was made: an output
/// failure says the change happened (a closed pipe stays a success).
/// Flushes `out` so that a failure of buffered output is caught here.
pub(crate) fn reported(
    done: &'static str,
    report: std::io::Result<()>,
    out: &mut dyn std::io::Write,
) -> Result<(), CliError> {
    match report.and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::Unreported(done, e))
        }
        r => Ok(r?),
    }
}

impl From<ethcfg_core::Error> for CliError {
    fn from(e: ethcfg_core::Error) -> Self {
        CliError::Core(e)
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Io(e)
    }
}

impl CliError {
    pub(crate) fn code(&self) -> ExitCode {
        match self {
            CliError::Usage(_) => ExitCode::from(2),
            CliError::Core(_)
            | CliError::Failed(_)
            | CliError::Io(_)
            | CliError::Unreported(..) => ExitCode::from(1),
        }
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Usage(m) => write!(f, "{m} (see `ethcfg --help`)"),
            CliError::Core(e) => f.write_str(&crate::render::error::line(e)),
            CliError::Failed(m) => f.write_str(m),
            CliError::Io(e) => write!(f, "{e}"),
            CliError::Unreported(done, e) => {
                write!(f, "{done}, but its report could not be written: {e}")
            }
        }
    }
}
