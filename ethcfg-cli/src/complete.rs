//! Shell completion. The shell asks the binary itself (clap_complete's
//! dynamic engine: `_ETHCFG_COMPLETE=bash ethcfg -- ethcfg apply e1`), so
//! what is offered comes from the running system — profiles (built-in and
//! the profile directory), interfaces (`/sys/class/net`), kernel modules
//! (`/sys/module`), the running kernel's feature names — and from the same
//! clap definitions as `--help`, minus every hidden command and option.
//! The scripts in the shells' completion directories only register that
//! call; [`write_scripts`] writes them (`ethcfg generate completions`).

use std::ffi::{OsStr, OsString};
use std::path::Path;

use clap::{Arg, Command, CommandFactory, ValueHint};
use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};
use clap_complete::env::{Bash, EnvCompleter, Fish, Zsh};
use clap_complete::CompleteEnv;
use ethcfg_core::names::LEGACY_FLAGS;
use ethcfg_core::profile::Profiles;

use crate::cli::Cli;

/// The variable the registered scripts set when they call ethcfg. Not the
/// engine's default `COMPLETE`: a variable of that common name left in a
/// hook's or a unit's environment must not turn a run into a completion.
pub(crate) const VAR: &str = "_ETHCFG_COMPLETE";

/// Answers a completion request and exits when the shell made one (the
/// variable is set); otherwise returns at once and the run goes on.
pub(crate) fn answer_if_asked() {
    // The engine reads the working directory before it looks at the
    // variable; a normal run must not pay for that (nor show it to a test
    // that traces what `doctor --root` touches).
    if !crate::env::completion_requested(VAR) {
        return;
    }
    CompleteEnv::with_factory(completion_command)
        .var(VAR)
        .bin("ethcfg")
        .completer("ethcfg")
        .complete();
}

/// The registration scripts, by file name: `ethcfg.bash`
/// (bash-completion's directory), `_ethcfg` (zsh's `fpath`), `ethcfg.fish`.
pub(crate) fn write_scripts(dir: &Path) -> std::io::Result<()> {
    let shells: [(&str, &dyn EnvCompleter); 3] =
        [("ethcfg.bash", &Bash), ("_ethcfg", &Zsh), ("ethcfg.fish", &Fish)];
    for (file, shell) in shells {
        let mut script = Vec::new();
        shell.write_registration(
            VAR,
            "ethcfg",
            "ethcfg",
            "ethcfg",
            &mut script,
        )?;
        if file == "_ethcfg" {
            // Autoloaded from fpath, the file is the body of `_ethcfg` and
            // runs at the first TAB: it registers the completer for the
            // next ones, so it must also answer this one.
            script.extend_from_slice(
                b"\nif [[ ${funcstack[1]-} == _ethcfg ]]; then\n    \
                  _clap_dynamic_completer_ethcfg \"$@\"\nfi\n",
            );
        }
        std::fs::write(dir.join(file), script)?;
    }
    Ok(())
}

/// The command line as completion sees it: no hidden subcommand (clap's
/// engine would still offer one that is the only match of a prefix, and
/// `help` would list it), no hidden option, and a completer on every
/// argument by the kind of value it names.
pub(crate) fn completion_command() -> Command {
    // Built first: the subcommands' arguments are deferred (cli.rs). The
    // tree below gets its own `help` subcommand when it is built.
    let mut full = Cli::command();
    full.build();
    let visible = full
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        .map(|s| visible_only(s.clone()))
        .collect::<Vec<_>>();
    Command::new("ethcfg")
        .version(env!("CARGO_PKG_VERSION"))
        .propagate_version(true)
        .subcommand_required(true)
        .subcommands(visible)
}

/// Completers on a subcommand's arguments, and its subcommands'. clap
/// cannot remove an argument from a Command, and its engine offers a
/// hidden option when it is the only match; so the CLI has no hidden
/// option below the top (a test says so), and hidden subcommands are left
/// out where the tree is built.
fn visible_only(cmd: Command) -> Command {
    cmd.mut_args(with_completer).mut_subcommands(visible_only)
}

/// A completer (or a path hint) chosen by the argument's value name, so a
/// command added later gets them by naming its arguments as the others do.
fn with_completer(a: Arg) -> Arg {
    let name = a
        .get_value_names()
        .and_then(|n| n.first())
        .map(|n| n.as_str().to_owned())
        .unwrap_or_else(|| a.get_id().as_str().to_uppercase());
    match name.as_str() {
        "IFACE" => a.add(ArgValueCompleter::new(interfaces)),
        "PROFILE" => a.add(ArgValueCompleter::new(profiles)),
        "NAME" if a.is_positional() => a.add(ArgValueCompleter::new(profiles)),
        "SETTINGS" => a.add(ArgValueCompleter::new(settings)),
        "MODULE" => a.add(ArgValueCompleter::new(modules)),
        "FILE" => a.value_hint(ValueHint::FilePath),
        "DIR" => a.value_hint(ValueHint::DirPath),
        _ => a,
    }
}

/// `names` that start with what was typed, sorted, without duplicates.
fn matching(
    current: &OsStr,
    names: impl IntoIterator<Item = String>,
) -> Vec<CompletionCandidate> {
    let prefix = current.to_string_lossy();
    let mut names: Vec<String> =
        names.into_iter().filter(|n| n.starts_with(prefix.as_ref())).collect();
    names.sort();
    names.dedup();
    names.into_iter().map(CompletionCandidate::new).collect()
}

/// Directory entry names under `dir` (nothing when it cannot be read).
fn entries(dir: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default()
}

fn interfaces(current: &OsStr) -> Vec<CompletionCandidate> {
    matching(current, entries("/sys/class/net"))
}

fn modules(current: &OsStr) -> Vec<CompletionCandidate> {
    matching(current, entries("/sys/module"))
}

fn profiles(current: &OsStr) -> Vec<CompletionCandidate> {
    let env = crate::env::Env::read();
    // A broken user profile directory still leaves the built-in presets.
    let all =
        Profiles::load(env.profile_dir()).or_else(|_| Profiles::builtin());
    let names = all
        .map(|p| p.profiles.iter().map(|p| p.name.clone()).collect::<Vec<_>>())
        .unwrap_or_default();
    matching(current, names)
}

/// The words of `set IFACE ...`: what may follow the word before the one
/// being completed, read from the command line the shell passed.
fn settings(current: &OsStr) -> Vec<CompletionCandidate> {
    // The shell passes `ethcfg -- ethcfg WORD...`; bash and zsh say which
    // word is being completed (they pass the words after it too), fish
    // cuts the line at the cursor.
    let args: Vec<OsString> = std::env::args_os().skip(2).collect();
    let current_index = crate::env::completion_word()
        .unwrap_or_else(|| args.len().saturating_sub(1));
    let previous = current_index
        .checked_sub(1)
        .and_then(|i| args.get(i))
        .map(|w| w.to_string_lossy().into_owned())
        .unwrap_or_default();
    let words =
        |w: &[&str]| w.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let next = match previous.as_str() {
        "ring" => words(&["rx", "tx", "rx-mini", "rx-jumbo"]),
        "channels" => words(&["rx", "tx", "other", "combined"]),
        "pause" => words(&["autoneg", "rx", "tx"]),
        "coalesce" => words(&[
            "rx-usecs",
            "rx-frames",
            "tx-usecs",
            "tx-frames",
            "adaptive-rx",
            "adaptive-tx",
        ]),
        "eee" | "eee-tx-lpi" | "autoneg" | "adaptive-rx" | "adaptive-tx" => {
            words(&["on", "off"])
        }
        p if is_feature(p) => words(&["on", "off"]),
        _ => {
            let mut all = feature_names();
            all.extend(words(&[
                "ring",
                "channels",
                "coalesce",
                "pause",
                "eee",
                "eee-tx-lpi",
                "eee-tx-timer",
                "priv-flag",
            ]));
            all
        }
    };
    matching(current, next)
}

fn is_feature(word: &str) -> bool {
    LEGACY_FLAGS.iter().any(|f| f.short == word || f.long == word)
        || (word.contains('-') && feature_names().iter().any(|n| n == word))
}

/// ethtool's legacy names and the running kernel's feature names (the
/// table is the kernel's, the same for every interface: `lo` has it all).
fn feature_names() -> Vec<String> {
    let mut names: Vec<String> =
        LEGACY_FLAGS.iter().map(|f| f.short.to_owned()).collect();
    let kernel = ethcfg_core::blocking::Client::new()
        .and_then(|mut c| c.features(&ethcfg_core::IfaceRef::by_name("lo")?));
    if let Ok(lo) = kernel {
        names.extend(lo.iter().map(|f| f.name.as_str().to_owned()));
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(cmd: &Command, out: &mut Vec<String>) {
        for a in cmd.get_arguments().filter(|a| a.is_hide_set()) {
            out.push(format!("{} {}", cmd.get_name(), a.get_id()));
        }
        for s in cmd.get_subcommands() {
            if s.is_hide_set() {
                out.push(s.get_name().to_owned());
            }
            all(s, out);
        }
    }

    /// clap's engine offers a hidden option or subcommand when it is the
    /// only match; the completion tree has none to offer.
    #[test]
    fn the_completion_tree_has_nothing_hidden() {
        let mut cmd = completion_command();
        cmd.build();
        let mut hidden = Vec::new();
        all(&cmd, &mut hidden);
        assert!(hidden.is_empty(), "hidden in completion: {hidden:?}");
        assert!(cmd.find_subcommand("generate").is_none());
        assert!(cmd.find_subcommand("apply").is_some());
    }
}
