//! Bad input as a table (issue 12, point 9): CLI words, profile files,
//! records files, the environment, kernel logs and `--root` trees. Every
//! row is a test of its own (named after the row, so a failure names it)
//! and runs in its own network namespace with the veth pair `bia`/`bib`;
//! each asserts the exit code, exactly one line on stderr in the
//! documented form (`ethcfg: error: ...`, or a warning or note) holding
//! the key facts, no doubled prefix, no raw control character, nothing on
//! stdout for an error, and — through `ethtool` — that nothing changed on
//! the veths. Every run has a time limit, so a run that blocks (a FIFO)
//! fails its row instead of hanging the suite.
//!
//! A NUL byte cannot be tested: argv strings end at the first NUL
//! (execve(2)), so no caller can hand ethcfg one; Rust's `Command` refuses
//! such an argument before it starts the process.
//!
//! `ETHCFG_TEST_BIN=/path/to/ethcfg` runs the rows against another build
//! (an older one, to see which rows it fails).

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{self, tests};
use crate::util::*;

/// Placeholders in a row's words and environment: `@a`/`@b` (whole
/// words) the veths, `@D` the row's own directory, `@S` its state
/// directory, `@P` its profile directory.
struct Fx {
    dir: PathBuf,
}

impl Fx {
    fn state(&self) -> PathBuf {
        self.dir.join("state")
    }
    fn profiles(&self) -> PathBuf {
        self.dir.join("profiles")
    }
    fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }
    fn expand(&self, w: &str) -> String {
        match w {
            "@a" => "bia".to_owned(),
            "@b" => "bib".to_owned(),
            _ => w
                .replace("@S", self.state().to_str().unwrap())
                .replace("@P", self.profiles().to_str().unwrap())
                .replace("@D", self.dir.to_str().unwrap()),
        }
    }
    /// `ethcfg ARGS` with the row's directories, as the harness runs it.
    fn ethcfg(&self, args: &[&str]) -> Output {
        timed(
            ethcfg_cmd()
                .env("ETHCFG_STATE_DIR", self.state())
                .env("ETHCFG_PROFILE_DIR", self.profiles())
                .args(args),
        )
    }
    fn write(&self, rel: &str, text: impl AsRef<[u8]>, mode: u32) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode))
            .unwrap();
    }
    fn profile(&self, file: &str, text: &str) {
        self.write(&format!("profiles/{file}"), text, 0o644);
    }
    fn mkfifo(&self, rel: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        assert!(Command::new("mkfifo").arg(&p).status().unwrap().success());
    }
    /// The records file of this namespace, written by a real run (a
    /// change on `bib`, before the row's snapshot).
    fn records(&self) -> PathBuf {
        let o = self.ethcfg(&["set", "bib", "rx-gro-list", "on"]);
        assert_eq!(o.status.code(), Some(0), "setup: {}", stderr(&o));
        std::fs::read_dir(self.state())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.file_name().unwrap().to_string_lossy().starts_with("records@")
            })
            .expect("a records file")
    }
}

/// What the one stderr line is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Says {
    Error,
    Warning,
    Note,
    /// Nothing on stderr.
    Nothing,
}

struct Case {
    args: &'static [&'static str],
    env: Vec<(&'static str, &'static str)>,
    setup: Option<fn(&Fx)>,
    code: i32,
    says: Says,
    needles: &'static [&'static str],
    nobody: bool,
    stdout: bool,
    stdin: &'static [u8],
    within: Duration,
    /// `ethcfg: warning:` lines before the one line (broken profiles
    /// besides the one asked for).
    warned: usize,
    /// Words neither stdout nor stderr may hold.
    lacks: &'static [&'static str],
}

/// A row running `ethcfg ARGS`.
fn c(args: &'static [&'static str]) -> Case {
    Case {
        args,
        env: Vec::new(),
        setup: None,
        code: 1,
        says: Says::Error,
        needles: &[],
        nobody: false,
        stdout: false,
        stdin: b"",
        within: Duration::from_secs(20),
        warned: 0,
        lacks: &[],
    }
}

impl Case {
    /// Exit `code`, one `ethcfg: error:` line with every needle.
    fn err(mut self, code: i32, needles: &'static [&'static str]) -> Self {
        (self.code, self.says, self.needles) = (code, Says::Error, needles);
        self
    }
    /// Exit `code` (stdout allowed), one `ethcfg: warning:` line.
    fn warn(mut self, code: i32, needles: &'static [&'static str]) -> Self {
        (self.code, self.says, self.needles) = (code, Says::Warning, needles);
        self.stdout = true;
        self
    }
    /// Exit `code` (stdout allowed), one `ethcfg: note:` line.
    fn note(mut self, code: i32, needles: &'static [&'static str]) -> Self {
        (self.code, self.says, self.needles) = (code, Says::Note, needles);
        self.stdout = true;
        self
    }
    /// Exit `code`, stdout allowed, stderr empty.
    fn quiet(mut self, code: i32) -> Self {
        (self.code, self.says, self.stdout) = (code, Says::Nothing, true);
        self
    }
    fn env(mut self, k: &'static str, v: &'static str) -> Self {
        self.env.push((k, v));
        self
    }
    fn setup(mut self, f: fn(&Fx)) -> Self {
        self.setup = Some(f);
        self
    }
    /// As `nobody`, without capabilities (setpriv).
    fn nobody(mut self) -> Self {
        self.nobody = true;
        self
    }
    fn stdin(mut self, bytes: &'static [u8]) -> Self {
        self.stdin = bytes;
        self
    }
    /// A report on stdout besides the error (a --strict refusal).
    fn report(mut self) -> Self {
        self.stdout = true;
        self
    }
    fn warned(mut self, n: usize) -> Self {
        self.warned = n;
        self
    }
    fn lacks(mut self, words: &'static [&'static str]) -> Self {
        self.lacks = words;
        self
    }
    fn within(mut self, d: Duration) -> Self {
        self.within = d;
        self
    }
}

/// Runs `cmd` with a 20 s limit (a run that blocks is killed and fails).
fn timed(cmd: &mut Command) -> Output {
    timed_in(cmd, b"", Duration::from_secs(20))
}

fn timed_in(cmd: &mut Command, input: &[u8], limit: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut i = child.stdin.take().unwrap();
        let _ = i.write_all(input);
    }
    // Drain the pipes on threads: a chatty run must not block on them.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let o = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut v).unwrap();
        v
    });
    let e = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut v).unwrap();
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} blocked (killed after {limit:?})");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output { status, stdout: o.join().unwrap(), stderr: e.join().unwrap() }
}

/// What must not change: every feature of both veths (ethtool), their
/// channel counts, and the namespace's list of links.
fn snapshot() -> (State, State, String, String) {
    (
        ethtool_state("bia"),
        ethtool_state("bib"),
        sh(&["ethtool", "-l", "bia"]),
        sh(&["ip", "-o", "link", "show"])
            .lines()
            .map(|l| l.split(':').take(2).collect::<Vec<_>>().join(":"))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

fn run_row(name: &'static str, case: Case) {
    in_netns(move || {
        let fx = Fx { dir: scratch(&format!("bad-input/{name}")) };
        let _ = std::fs::remove_dir_all(&fx.dir);
        std::fs::create_dir_all(&fx.dir).unwrap();
        std::fs::set_permissions(
            &fx.dir,
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
        sh(&[
            "ip",
            "link",
            "add",
            "bia",
            "numtxqueues",
            "2",
            "numrxqueues",
            "2",
            "type",
            "veth",
            "peer",
            "name",
            "bib",
        ]);
        if let Some(f) = case.setup {
            f(&fx);
        }
        let before = snapshot();
        let args: Vec<String> =
            case.args.iter().map(|w| fx.expand(w)).collect();
        let mut cmd = if case.nobody {
            let mut c = Command::new("setpriv");
            c.args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "--inh-caps=-all",
            ])
            .arg(bin());
            c
        } else {
            Command::new(bin())
        };
        cmd.args(&args)
            .env("ETHCFG_STATE_DIR", fx.state())
            .env("ETHCFG_PROFILE_DIR", fx.profiles())
            .env_remove("SSH_CONNECTION")
            // An empty ETHCFG_STATE_DIR once meant here: never the worktree.
            .current_dir(&fx.dir);
        for (k, v) in &case.env {
            cmd.env(k, fx.expand(v));
        }
        let o = timed_in(&mut cmd, case.stdin, case.within);
        let err = stderr(&o);
        let what = format!(
            "{name}: ethcfg {args:?}\nstdout: {}\nstderr: {err}",
            stdout(&o)
        );
        assert_eq!(o.status.code(), Some(case.code), "exit code; {what}");
        assert!(
            err.chars().all(|ch| ch == '\n' || !ch.is_control()),
            "a raw control character on stderr; {what}"
        );
        assert!(
            // tabs indent group members, as ethtool -k does
            stdout(&o)
                .chars()
                .all(|ch| ch == '\n' || ch == '\t' || !ch.is_control()),
            "a raw control character on stdout; {what}"
        );
        let mut lines: Vec<&str> = err.lines().collect();
        let warnings = lines.len().saturating_sub(1).min(case.warned);
        for w in lines.drain(..warnings) {
            assert!(w.starts_with("ethcfg: warning: "), "{w:?}; {what}");
        }
        assert_eq!(warnings, case.warned, "warnings; {what}");
        for w in case.lacks {
            assert!(
                !err.contains(w) && !stdout(&o).contains(w),
                "says {w:?}; {what}"
            );
        }
        let prefix = match case.says {
            Says::Error => "ethcfg: error: ",
            Says::Warning => "ethcfg: warning: ",
            Says::Note => "ethcfg: note: ",
            Says::Nothing => {
                assert!(err.is_empty(), "stderr; {what}");
                ""
            }
        };
        if case.says != Says::Nothing {
            assert_eq!(lines.len(), 1, "one line on stderr; {what}");
            let line = lines[0];
            let rest = line
                .strip_prefix(prefix)
                .unwrap_or_else(|| panic!("not {prefix:?}...; {what}"));
            assert!(!rest.contains("ethcfg: "), "doubled prefix; {what}");
            if let Some((head, tail)) = rest.split_once(": ") {
                assert!(
                    !tail.starts_with(&format!("{head}: ")),
                    "doubled {head:?}; {what}"
                );
            }
            for n in case.needles {
                let n = fx.expand(n);
                assert!(line.contains(&n), "lacks {n:?}; {what}");
            }
        }
        if !case.stdout {
            assert!(o.stdout.is_empty(), "stdout; {what}");
        }
        assert!(snapshot() == before, "the veths changed; {what}");
        assert!(!fx.path("lock").exists(), "state written to the cwd; {what}");
        // kept when the row fails, for a look
        let _ = std::fs::remove_dir_all(&fx.dir);
    });
}

/// One test per row, named after it.
macro_rules! rows {
    ($($name:ident: $case:expr;)*) => {
        tests! { harness::root: [$($name),*] }
        $(fn $name() { run_row(stringify!($name), $case) })*
    };
}

const TYPO: &str =
    "name = \"typo\"\nsummary = \"s\"\n[features]\ngro = \"of\"\n";

rows! {
    // --- the `set` grammar (issue 12 point 5): usage errors, exit 2,
    // before any device is read
    set_channels_pair_then_feature_word: c(&["set", "@a", "channels", "rx", "1", "tx", "off"])
        .err(2, &["`channels tx` must be followed by a number or `max`, not `off`"]);
    set_feature_twice_contradicting: c(&["set", "@a", "tso", "on", "tso", "off"])
        .err(2, &["`tso` is given twice"]);
    set_feature_twice_by_long_name: c(&["set", "@a", "tso", "off", "tcp-segmentation-offload", "on"])
        .err(2, &["twice"]);
    set_channel_key_twice: c(&["set", "@a", "channels", "rx", "1", "rx", "2"])
        .err(2, &["`channels rx` is given twice"]);
    set_ring_key_twice: c(&["set", "@a", "ring", "rx", "256", "rx", "512"])
        .err(2, &["`ring rx` is given twice"]);
    set_unknown_coalesce_key: c(&["set", "@a", "coalesce", "rx-usecs", "1", "rx-usec", "2"])
        .err(2, &["rx-usec is not one of"]);
    set_unknown_channels_key: c(&["set", "@a", "channels", "rxx", "1"])
        .err(2, &["rxx"]);
    set_unknown_pause_key: c(&["set", "@a", "pause", "auto", "off"])
        .err(2, &["auto"]);
    set_number_with_minus: c(&["set", "@a", "channels", "rx", "-1"])
        .err(2, &["without a sign"]);
    set_number_with_plus: c(&["set", "@a", "channels", "rx", "+1"])
        .err(2, &["without a sign"]);
    set_number_with_leading_zero: c(&["set", "@a", "channels", "rx", "010"])
        .err(2, &["010"]);
    set_number_overflows_u32: c(&["set", "@a", "channels", "rx", "4294967296"])
        .err(2, &["4294967296"]);
    set_hex_without_digits: c(&["set", "@a", "channels", "rx", "0x"])
        .err(2, &["0x"]);
    set_number_not_a_number: c(&["set", "@a", "ring", "rx", "lots"])
        .err(2, &["`ring rx` must be followed by a number or `max`, not `lots`"]);
    set_feature_after_group_key: c(&["set", "@a", "ring", "rx", "256", "tso", "off"])
        .err(2, &["tso is not one of rx, tx"]);
    set_group_keyword_alone: c(&["set", "@a", "ring"])
        .err(2, &["ring"]);
    set_group_keyword_at_the_end: c(&["set", "@a", "gso", "off", "channels"])
        .err(2, &["channels"]);
    set_features_keyword_alone: c(&["set", "@a", "features"])
        .err(2, &["features"]);
    set_group_key_without_value: c(&["set", "@a", "channels", "rx"])
        .err(2, &["rx"]);
    set_pause_value_not_on_off: c(&["set", "@a", "pause", "rx", "maybe"])
        .err(2, &["maybe"]);
    set_eee_value_not_on_off: c(&["set", "@a", "eee", "perhaps"])
        .err(2, &["perhaps"]);
    set_coalesce_adaptive_takes_on_off: c(&["set", "@a", "coalesce", "adaptive-rx", "5"])
        .err(2, &["adaptive-rx"]);
    set_priv_flag_without_value: c(&["set", "@a", "priv-flag", "foo"])
        .err(2, &["foo"]);
    set_odd_number_of_words: c(&["set", "@a", "gso", "off", "tso"])
        .err(2, &["`tso` has no value"]);
    set_value_of_instead_of_off: c(&["set", "@a", "gso", "of"])
        .err(2, &["`gso` must be followed by `on` or `off`, not `of`"]);
    set_value_one_instead_of_on: c(&["set", "@a", "gso", "1"])
        .err(2, &["not `1`"]);
    set_misspelt_group_keyword: c(&["set", "@a", "rings", "rx", "1"])
        .err(2, &["`rings` must be followed by `on` or `off`, not `rx`"]);
    set_json_usage_error_prints_no_json: c(&["set", "@a", "gso", "of", "--json"])
        .err(2, &["not `of`"]);
    set_grammar_before_any_device_is_read: c(&["set", "nosuch0", "tso", "on", "tso", "off"])
        .err(2, &["given twice"]);
    set_dry_run_with_a_trap: c(&["set", "@a", "--dry-run", "channels", "rx", "1", "tx", "off"])
        .err(2, &["`channels tx`"]);

    // --- argument-parser errors: the same one-line style, exit 2
    cli_unknown_option: c(&["show", "--frobnicate"])
        .err(2, &["--frobnicate"]);
    cli_unknown_subcommand: c(&["bogus"])
        .err(2, &["bogus"]);
    cli_set_without_interface: c(&["set"])
        .err(2, &["IFACE"]);
    cli_set_without_words: c(&["set", "@a"])
        .err(2, &[]);
    cli_apply_without_interface: c(&["apply", "capture"])
        .err(2, &["IFACE"]);
    cli_doctor_kernel_log_without_value: c(&["doctor", "--kernel-log"])
        .err(2, &["--kernel-log"]);

    // --- unknown or impossible names, exit 1, nothing sent
    legacy_name_the_kernel_lacks: c(&["set", "@a", "--dry-run", "ufo", "off"])
        .note(0, &["bia: `ufo` names no feature on this kernel; skipped"]);
    unknown_interface: c(&["set", "nosuch0", "gso", "off"])
        .err(1, &["no such interface: nosuch0", "ip link"]);
    unknown_interface_in_show: c(&["show", "nosuch0"])
        .err(1, &["no such interface: nosuch0"]);
    unknown_interface_among_known_ones: c(&["apply", "capture", "@a", "nosuch0"])
        .err(1, &["nosuch0"]);
    unknown_feature_with_suggestion: c(&["set", "@a", "gso", "off", "tos", "off"])
        .err(1, &["unknown feature \"tos\"", "did you mean", "tso"]);
    unknown_feature_without_suggestion: c(&["set", "@a", "zzzzqqqq", "off"])
        .err(1, &["zzzzqqqq", "ethcfg show"]);
    fixed_feature_alone: c(&["set", "@a", "rx-lro", "on"])
        .err(1, &["rx-lro is fixed off", "leave it out"]);
    fixed_feature_with_a_valid_change: c(&["set", "@a", "gso", "off", "lro", "on"])
        .err(1, &["rx-lro is fixed off"]);
    group_the_driver_lacks: c(&["set", "@a", "ring", "rx", "256", "tx", "256"])
        .err(1, &["bia", "ring"]);
    eee_the_driver_lacks: c(&["set", "@a", "gso", "off", "eee", "off"])
        .err(1, &["bia", "EEE"]);
    channel_count_over_the_maximum: c(&["set", "@a", "channels", "rx", "64"])
        .err(1, &["bia", "rx"]);
    name_too_long: c(&["set", "abcdefghijklmnop", "gso", "off"])
        .err(1, &["invalid interface name", "longer than 15 bytes"]);
    name_with_slash: c(&["set", "a/b", "gso", "off"])
        .err(1, &["invalid interface name", "a/b"]);
    name_with_colon: c(&["set", "a:b", "gso", "off"])
        .err(1, &["invalid interface name"]);
    name_with_space: c(&["set", "a b", "gso", "off"])
        .err(1, &["invalid interface name"]);
    name_empty: c(&["set", "", "gso", "off"])
        .err(1, &["invalid interface name"]);
    name_dot_dot: c(&["set", "..", "gso", "off"])
        .err(1, &["invalid interface name"]);
    name_with_newline: c(&["set", "bia\nbib", "gso", "off"])
        .err(1, &["invalid interface name", "\\n"]);
    name_with_escape_sequence_unknown: c(&["set", "\x1b[31mred", "gso", "off"])
        .err(1, &["no such interface", "red"]);
    name_with_control_character_of_a_real_device: c(&["set", "ctl\x01x", "rx-lro", "on"])
        .setup(|_| sh(&["ip", "link", "add", "ctl\x01x", "type", "veth", "peer", "name", "ctlpeer"]).truncate(0))
        .err(1, &["rx-lro is fixed off"]);
    revert_of_a_name_with_control_character: c(&["revert", "ctl\x07x"])
        .setup(|_| sh(&["ip", "link", "add", "ctl\x07x", "type", "veth", "peer", "name", "ctlpeer"]).truncate(0))
        .err(1, &["nothing to revert"]);
    show_of_a_name_with_an_escape_sequence: c(&["show", "ctl\x1b[2Jx"])
        .setup(|_| sh(&["ip", "link", "add", "ctl\x1b[2Jx", "type", "veth", "peer", "name", "ctlpeer"]).truncate(0))
        .quiet(0);
    set_dry_run_of_a_name_with_an_escape_sequence: c(&["set", "--dry-run", "ctl\x1b[2Jx", "gso", "off"])
        .setup(|_| sh(&["ip", "link", "add", "ctl\x1b[2Jx", "type", "veth", "peer", "name", "ctlpeer"]).truncate(0))
        .quiet(0);
    feature_name_with_newline: c(&["set", "@a", "gso\noff", "on"])
        .err(1, &["unknown feature", "\\n"]);
    feature_name_with_escape: c(&["set", "@a", "\x1b]0;x\x07", "on"])
        .err(1, &["unknown feature"]);

    // --- hostile words: never a shell, never a path
    hostile_command_substitution_as_interface: c(&["set", "$(reboot)", "gso", "off"])
        .err(1, &["no such interface: $(reboot)"]);
    hostile_semicolon_as_feature: c(&["set", "@a", ";reboot", "off"])
        .err(1, &["unknown feature \";reboot\""]);
    hostile_one_word_with_spaces: c(&["set", "@a", "gso off tso off"])
        .err(2, &["gso off tso off"]);
    hostile_path_as_profile_name: c(&["apply", "../../../etc/passwd", "@a"])
        .err(1, &["unknown profile \"../../../etc/passwd\"", "ethcfg profiles list"]);
    hostile_backticks_as_profile_name: c(&["check", "`id`", "@a"])
        .err(1, &["unknown profile \"`id`\""]);

    // --- profiles and commands over them
    unknown_profile: c(&["apply", "nosuch", "@a"])
        .err(1, &["unknown profile \"nosuch\"", "capture"]);
    unknown_profile_in_check: c(&["check", "nosuch", "@a"])
        .err(1, &["unknown profile \"nosuch\""]);
    unknown_profile_in_show: c(&["profiles", "show", "nosuch"])
        .err(1, &["unknown profile \"nosuch\""]);
    profile_for_another_driver: c(&["apply", "e1000e-hang-safe", "@a"])
        .err(1, &["bia", "e1000e", "veth", "--force"]);
    profile_with_a_typo_asked_for: c(&["apply", "typo", "@a"])
        .setup(|f| f.profile("typo.toml", TYPO))
        .err(1, &["typo.toml:4:", "\"on\" or \"off\""]);
    profile_with_a_typo_beside_a_builtin: c(&["apply", "--dry-run", "capture", "@a"])
        .setup(|f| f.profile("typo.toml", TYPO))
        .warn(0, &["typo.toml:4:"]);
    profile_toml_syntax_error: c(&["apply", "broken", "@a"])
        .setup(|f| f.profile("broken.toml", "name = \"broken\"\n[features\ngso = \"off\"\n"))
        .err(1, &["broken.toml"]);
    profile_number_as_feature_value: c(&["apply", "num", "@a"])
        .setup(|f| f.profile("num.toml", "name = \"num\"\nsummary = \"s\"\n[features]\ngro = 1\n"))
        .err(1, &["num.toml"]);
    profile_unknown_feature: c(&["apply", "unk", "@a"])
        .setup(|f| f.profile("unk.toml", "name = \"unk\"\nsummary = \"s\"\n[features]\ngos = \"off\"\n"))
        .err(1, &["gos"]);
    profile_negative_ring_size: c(&["apply", "neg", "@a"])
        .setup(|f| f.profile("neg.toml", "name = \"neg\"\nsummary = \"s\"\n[rings]\nrx = -1\n"))
        .err(1, &["neg.toml"]);
    profile_fifo: c(&["apply", "fifo", "@a"])
        .setup(|f| f.mkfifo("profiles/fifo.toml"))
        .err(1, &["fifo.toml", "a FIFO"]);
    profile_over_one_mib: c(&["apply", "big", "@a"])
        .setup(|f| f.profile("big.toml", &format!("name = \"big\"\nsummary = \"s\"\ndescription = \"{}\"\n", "x".repeat(1 << 20))))
        .err(1, &["big.toml", "more than 1 MiB"]);
    profile_symlink: c(&["apply", "link", "@a"])
        .setup(|f| {
            f.write("elsewhere/link.toml", "name = \"link\"\nsummary = \"s\"\n[features]\ngso = \"off\"\n", 0o644);
            std::fs::create_dir_all(f.profiles()).unwrap();
            std::os::unix::fs::symlink(f.path("elsewhere/link.toml"), f.profiles().join("link.toml")).unwrap();
        })
        .err(1, &["link.toml"]);
    profile_world_writable: c(&["apply", "open", "@a"])
        .setup(|f| f.write("profiles/open.toml", "name = \"open\"\nsummary = \"s\"\n[features]\ngso = \"off\"\n", 0o666))
        .err(1, &["open.toml", "writable"]);
    profile_takes_a_builtin_name: c(&["apply", "capture", "@a"])
        .setup(|f| f.profile("capture.toml", "name = \"capture\"\nsummary = \"s\"\n[features]\ngso = \"off\"\n"))
        .err(1, &["capture.toml", "replaces"]);
    profile_name_taken_twice: c(&["apply", "twin", "@a"])
        .setup(|f| {
            f.profile("one.toml", "name = \"twin\"\nsummary = \"s\"\n[features]\ngso = \"off\"\n");
            f.profile("two.toml", "name = \"twin\"\nsummary = \"s\"\n[features]\ngro = \"off\"\n");
        })
        .err(1, &["twin"]);
    profile_include_cycle: c(&["apply", "ca", "@a"])
        .setup(|f| {
            f.profile("ca.toml", "name = \"ca\"\nsummary = \"s\"\ninclude = [\"cb\"]\n[features]\ngso = \"off\"\n");
            f.profile("cb.toml", "name = \"cb\"\nsummary = \"s\"\ninclude = [\"ca\"]\n[features]\ngro = \"off\"\n");
        })
        .warned(1)
        .err(1, &["include cycle: ca -> cb -> ca"]);
    profile_include_unknown: c(&["apply", "inc", "@a"])
        .setup(|f| f.profile("inc.toml", "name = \"inc\"\nsummary = \"s\"\ninclude = [\"nowhere\"]\n"))
        .err(1, &["nowhere"]);
    profile_includes_a_broken_one: c(&["apply", "outer", "@a"])
        .setup(|f| {
            f.profile("typo.toml", TYPO);
            f.profile("outer.toml", "name = \"outer\"\nsummary = \"s\"\ninclude = [\"typo\"]\n");
        })
        .warned(1)
        .err(1, &["typo"]);
    profile_thirty_levels_of_double_includes: c(&["check", "p30", "@a"])
        .setup(|f| {
            for i in 0..=30 {
                let inc = if i == 0 { String::new() } else {
                    format!("include = [\"p{0}\", \"p{0}\"]\n", i - 1)
                };
                f.profile(&format!("p{i}.toml"), &format!(
                    "name = \"p{i}\"\nsummary = \"s\"\n{inc}[features]\ngso = \"{}\"\n",
                    if i == 30 { "on" } else { "off" }));
            }
        })
        .within(Duration::from_secs(5))
        .quiet(0);
    profile_dir_world_writable: c(&["apply", "capture", "@a"])
        .setup(|f| {
            std::fs::create_dir_all(f.profiles()).unwrap();
            std::fs::set_permissions(f.profiles(), std::fs::Permissions::from_mode(0o777)).unwrap();
        })
        .err(1, &["refusing profiles from", "profiles"]);
    profile_dir_is_a_file: c(&["apply", "capture", "@a"])
        .setup(|f| f.write("profiles", "", 0o644))
        .err(1, &["profiles"]);

    // --- records files and the state directory
    revert_never_applied: c(&["revert", "@a"])
        .err(1, &["bia: nothing to revert"]);
    revert_unknown_interface: c(&["revert", "nosuch0"])
        .err(1, &["nosuch0"]);
    revert_a_recreated_device: c(&["revert", "@a"])
        .setup(|f| {
            let o = f.ethcfg(&["set", "bia", "tso", "off"]);
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
            sh(&["ip", "link", "del", "bia"]);
            sh(&["ip", "link", "add", "bia", "numtxqueues", "2", "numrxqueues", "2", "type", "veth", "peer", "name", "bib"]);
            sh(&["ethtool", "-K", "bia", "tso", "off", "gso", "off"]);
        })
        .err(1, &["is gone", "ethcfg revert --forget bia"]);
    // an empty file holds no records (ethcfg never leaves one: it
    // writes a temp file and renames it)
    revert_a_deleted_device: c(&["revert", "del0"])
        .setup(|f| {
            sh(&["ip", "link", "add", "del0", "type", "veth", "peer", "name", "del1"]);
            let o = f.ethcfg(&["set", "del0", "tso", "off"]);
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
            sh(&["ip", "link", "del", "del0"]);
        })
        .err(1, &["no such interface: del0"]);
    records_empty: c(&["revert", "@b"])
        .setup(|f| std::fs::write(f.records(), "").unwrap())
        .err(1, &["bib: nothing to revert"]);
    records_damaged_json: c(&["revert", "@a"])
        .setup(|f| std::fs::write(f.records(), "{\"format\": \"ethcfg-records\", \"version\": 2, \"records\": [").unwrap())
        .err(1, &["records@"]);
    records_foreign_version: c(&["revert", "@a"])
        .setup(|f| std::fs::write(f.records(), "{\"format\": \"ethcfg-records\", \"version\": 99, \"records\": []}\n").unwrap())
        .err(1, &["records@", "99"]);
    records_foreign_format: c(&["set", "@a", "gso", "off"])
        .setup(|f| std::fs::write(f.records(), "{\"hello\": \"world\"}\n").unwrap())
        .err(1, &["records@"]);
    records_damaged_v1: c(&["revert", "@b"])
        .setup(|f| {
            let p = f.records();
            std::fs::remove_file(&p).unwrap();
            let ino = std::fs::read_link("/proc/thread-self/ns/net").unwrap();
            let ino = ino.to_str().unwrap().trim_start_matches("net:[").trim_end_matches(']').to_owned();
            std::fs::write(f.state().join(format!("records@netns{ino}")),
                "# ethcfg state records v1\nbib notanumber set x tso=2\n").unwrap();
        })
        .err(1, &["records@netns"]);
    // issue 12 point 1: a v1 file is named by the namespace's inode,
    // which a new namespace reuses; its record of another device at
    // bia's ifindex is not bia's
    records_v1_of_an_older_namespace_with_the_inode: c(&["revert", "@a"])
        .setup(|f| {
            std::fs::create_dir_all(f.state()).unwrap();
            let ino = std::fs::read_link("/proc/thread-self/ns/net").unwrap();
            let ino = ino.to_str().unwrap().trim_start_matches("net:[").trim_end_matches(']').to_owned();
            let index = sh(&["ip", "-o", "link", "show", "dev", "bia"]);
            let index = index.split(':').next().unwrap().trim().to_owned();
            std::fs::write(f.state().join(format!("records@netns{ino}")), format!(
                "# ethcfg state records v1\ngone0 {index} set 1796121037 rx-gro-list=11 tx-generic-segmentation=00\n")).unwrap();
        })
        .err(1, &["bia: nothing to revert"]);
    records_over_the_size_cap: c(&["revert", "@b"])
        .setup(|f| {
            let p = f.records();
            std::fs::OpenOptions::new().write(true).open(&p).unwrap()
                .set_len(64 * 1024 * 1024 + 1).unwrap();
        })
        .err(1, &["records@", "larger than"]);
    records_fifo: c(&["revert", "@b"])
        .setup(|f| {
            let p = f.records();
            std::fs::remove_file(&p).unwrap();
            assert!(Command::new("mkfifo").arg(&p).status().unwrap().success());
        })
        .err(1, &["records@"]);
    records_symlink: c(&["revert", "@b"])
        .setup(|f| {
            let p = f.records();
            std::fs::rename(&p, f.path("moved")).unwrap();
            std::os::unix::fs::symlink(f.path("moved"), &p).unwrap();
        })
        .err(1, &["records@"]);
    records_world_writable: c(&["revert", "@b"])
        .setup(|f| {
            std::fs::set_permissions(f.records(), std::fs::Permissions::from_mode(0o666)).unwrap();
        })
        .err(1, &["records@"]);
    state_dir_world_writable: c(&["set", "@a", "gso", "off"])
        .setup(|f| {
            std::fs::create_dir_all(f.state()).unwrap();
            std::fs::set_permissions(f.state(), std::fs::Permissions::from_mode(0o777)).unwrap();
        })
        .err(1, &["refusing the state directory", "writable"]);
    state_dir_symlink: c(&["set", "@a", "gso", "off"])
        .setup(|f| {
            std::fs::create_dir_all(f.path("real-state")).unwrap();
            std::os::unix::fs::symlink(f.path("real-state"), f.state()).unwrap();
        })
        .err(1, &["refusing the state directory", "symlink"]);
    state_dir_owned_by_nobody: c(&["set", "@a", "gso", "off"])
        .setup(|f| {
            std::fs::create_dir_all(f.state()).unwrap();
            std::os::unix::fs::chown(f.state(), Some(65534), Some(65534)).unwrap();
        })
        .err(1, &["refusing the state directory", "owned"]);
    state_dir_is_a_file: c(&["set", "@a", "gso", "off"])
        .setup(|f| f.write("state", "", 0o644))
        .err(1, &["state"]);
    state_lock_symlink: c(&["set", "@a", "gso", "off"])
        .setup(|f| {
            std::fs::create_dir_all(f.state()).unwrap();
            std::os::unix::fs::symlink(f.path("planted"), f.state().join("lock")).unwrap();
        })
        .err(1, &["lock"]);
    state_lock_fifo: c(&["set", "@a", "gso", "off"])
        .setup(|f| f.mkfifo("state/lock"))
        .err(1, &["lock"]);
    state_dir_empty_is_unset: c(&["revert", "@a"])
        .env("ETHCFG_STATE_DIR", "")
        .err(1, &["nothing to revert", "/run/ethcfg"]);
    revert_forget_without_record: c(&["revert", "--forget", "@a"])
        .note(0, &["bia: no record to forget"]);

    // --- unprivileged
    unprivileged_set: c(&["set", "@a", "gso", "off"])
        .nobody()
        .setup(|f| {
            std::fs::create_dir_all(f.state()).unwrap();
            std::os::unix::fs::chown(f.state(), Some(65534), Some(65534)).unwrap();
        })
        .err(1, &["needs CAP_NET_ADMIN", "run ethcfg as root"]);
    unprivileged_set_with_root_s_state_dir: c(&["set", "@a", "gso", "off"])
        .nobody()
        .setup(|f| std::fs::create_dir_all(f.state()).unwrap())
        .err(1, &["CAP_NET_ADMIN", "run ethcfg as root"]);
    unprivileged_apply: c(&["apply", "capture", "@a"])
        .nobody()
        .setup(|f| {
            std::fs::create_dir_all(f.state()).unwrap();
            std::os::unix::fs::chown(f.state(), Some(65534), Some(65534)).unwrap();
        })
        .err(1, &["CAP_NET_ADMIN", "run ethcfg as root"]);
    unprivileged_revert_of_root_s_change: c(&["revert", "@b"])
        .nobody()
        .setup(|f| { f.records(); })
        .err(1, &["run ethcfg as root"]);

    // --- --strict
    strict_fixed_feature_sends_nothing: c(&["apply", "--strict", "lro", "@a"])
        .setup(|f| f.profile("lro.toml", "name = \"lro\"\nsummary = \"s\"\n[features]\ngso = \"off\"\nlro = \"on\"\n"))
        .err(1, &["bia: the kernel or driver refused rx-lro", "nothing was sent"])
        .report()
        .lacks(&["rolled back"]);
    strict_dry_run_says_no_rollback: c(&["apply", "--strict", "--dry-run", "lro", "@a"])
        .setup(|f| f.profile("lro.toml", "name = \"lro\"\nsummary = \"s\"\n[features]\ngso = \"off\"\nlro = \"on\"\n"))
        .quiet(3)
        .lacks(&["rolled back", "--strict: nothing sent"]);
    strict_dependency_refusal_rolls_back: c(&["apply", "--strict", "sgtso", "@a"])
        .setup(|f| f.profile("sgtso.toml", "name = \"sgtso\"\nsummary = \"s\"\n[features]\nsg = \"off\"\ntso = \"on\"\n"))
        .err(1, &["bia: the kernel or driver refused tx-tcp-segmentation", "every change of this run was rolled back"])
        .report();

    // --- kernel logs
    kernel_log_missing: c(&["doctor", "--root", "@D/root", "--kernel-log", "@D/nowhere.log"])
        .setup(|f| std::fs::create_dir_all(f.path("root/sys/class/net")).unwrap())
        .err(1, &["nowhere.log"]);
    kernel_log_fifo: c(&["doctor", "--root", "@D/root", "--kernel-log", "@D/log.fifo"])
        .setup(|f| {
            std::fs::create_dir_all(f.path("root/sys/class/net")).unwrap();
            f.mkfifo("log.fifo");
        })
        .err(1, &["log.fifo", "a FIFO"]);
    kernel_log_directory: c(&["doctor", "--root", "@D/root", "--kernel-log", "@D/root"])
        .setup(|f| std::fs::create_dir_all(f.path("root/sys/class/net")).unwrap())
        .err(1, &["directory"]);
    kernel_log_over_64_mib: c(&["doctor", "--root", "@D/root", "--kernel-log", "@D/big.log"])
        .setup(|f| {
            std::fs::create_dir_all(f.path("root/sys/class/net")).unwrap();
            let file = std::fs::File::create(f.path("big.log")).unwrap();
            file.set_len(64 * 1024 * 1024 + 1).unwrap();
        })
        .err(1, &["big.log", "64 MiB"]);
    kernel_log_binary: c(&["doctor", "--root", "@D/root", "--kernel-log", "@D/bin.log"])
        .setup(|f| {
            std::fs::create_dir_all(f.path("root/sys/class/net")).unwrap();
            let bytes: Vec<u8> = (0..=255u8).cycle().take(1 << 16).collect();
            f.write("bin.log", bytes, 0o644);
        })
        .quiet(0);
    kernel_log_binary_on_stdin: c(&["doctor", "--root", "@D/root", "--kernel-log", "-"])
        .setup(|f| std::fs::create_dir_all(f.path("root/sys/class/net")).unwrap())
        .stdin(b"\x00\x01\x1b[2J\xff\xfe e1000e \x00 Detected Hardware Unit Hang\x07\n")
        .quiet(0);

    // --- --root trees
    root_missing: c(&["doctor", "--root", "@D/nowhere"])
        .err(1, &["nowhere"]);
    root_fifos_everywhere: c(&["impact", "e1000e", "--root", "@D/root"])
        .setup(|f| {
            for p in ["root/proc/modules", "root/proc/net/route", "root/etc/network/interfaces"] {
                f.mkfifo(p);
            }
            std::fs::create_dir_all(f.path("root/sys/class/net")).unwrap();
        })
        .err(1, &["cannot tell", "e1000e"]);
    root_without_proc_modules: c(&["impact", "veth", "--root", "@D/root"])
        .setup(|f| std::fs::create_dir_all(f.path("root/sys/class/net")).unwrap())
        .err(1, &["cannot tell what unloading veth does"]);
    root_unknown_module: c(&["impact", "nosuchmod", "--root", "@D/root"])
        .setup(|f| {
            std::fs::create_dir_all(f.path("root/sys/class/net")).unwrap();
            f.write("root/proc/modules", "e1000e 286720 0 - Live 0x0000000000000000\n", 0o644);
        })
        .err(1, &["unknown module \"nosuchmod\"", "lsmod"]);
    root_kmsg_fifo: c(&["doctor", "--root", "@D/root"])
        .setup(|f| {
            std::fs::create_dir_all(f.path("root/sys/class/net")).unwrap();
            f.mkfifo("root/dev/kmsg");
        })
        .err(1, &["kmsg"]);
}
