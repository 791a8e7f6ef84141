//! The manual pages `ethcfg generate man DIR` writes: `ethcfg(8)` and one
//! page per command (`ethcfg-apply(8)`, ...) in section 8, since changing
//! an interface needs CAP_NET_ADMIN; `ethcfg-profile(5)` and
//! `ethcfg.toml(5)` for the file formats.
//!
//! The command pages come from the clap definitions — name, synopsis,
//! description, options — plus the sections clap has no place for (EXIT
//! STATUS, FILES, ENVIRONMENT, EXAMPLES, SEE ALSO), kept here as data. A
//! command's `after_help` becomes part of DESCRIPTION: its indented
//! two-column lines a tagged list, its `Example:` paragraphs EXAMPLES. The
//! roff is written through the `roff` crate, which escapes it.

use std::path::Path;

use clap::{Arg, ArgAction, Command, CommandFactory};
use roff::{bold, italic, roman, Inline, Roff};

use crate::cli::Cli;

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The date of this version's entry in CHANGELOG.md (`## [0.1.0] -
/// 2026-12-01`), for the pages' title lines: the same bytes from every
/// build, so the shipped pages can be compared with fresh ones.
fn release_date() -> String {
    let heading = format!("## [{VERSION}] - ");
    include_str!("../../CHANGELOG.md")
        .lines()
        .find_map(|l| l.strip_prefix(heading.as_str()))
        .map_or_else(|| "unreleased".to_owned(), |d| d.trim().to_owned())
}

/// Writes every page into `dir`.
pub(crate) fn write_pages(dir: &Path) -> std::io::Result<()> {
    let mut cli = Cli::command();
    cli.build();
    std::fs::write(dir.join("ethcfg.8"), top_page(&cli).render())?;
    for sub in visible_subcommands(&cli) {
        let page = command_page(sub);
        std::fs::write(
            dir.join(format!("ethcfg-{}.8", sub.get_name())),
            page.render(),
        )?;
    }
    for page in FORMAT_PAGES {
        std::fs::write(
            dir.join(format!("{}.5", page.name)),
            format_page(page).render(),
        )?;
    }
    Ok(())
}

fn visible_subcommands(cmd: &Command) -> impl Iterator<Item = &Command> {
    cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help")
}

/// The exit codes, DESIGN.md's contract.
const EXIT_CODES: &[(u8, &str)] = &[
    (0, "Done, or nothing to do (everything was already as asked)."),
    (1, "Error: the kernel refused the request, a permission is missing, the input is bad, \
         or an interface, feature or profile is unknown. Nothing is left half done: a run \
         that fails part-way rolls back what it changed."),
    (2, "Usage error: the command line does not parse."),
    (3, "Partially applied: the kernel or the driver refused some of the changes asked for \
         (each is reported as refused)."),
    (4, "Drift: check found interfaces that do not match the profile."),
];

/// doctor's own meaning of 4 (monitoring runs it and alerts on it).
const DOCTOR_FOUND: &str = "An error-severity finding was reported (a hardware hang, \
     a driver in safe mode, ...): the problem is on this machine now. Warnings and notes \
     alone exit 0.";

/// The exit codes a command's page lists.
fn exit_codes(command: &str) -> &'static [u8] {
    match command {
        "ethcfg" => &[0, 1, 2, 3, 4],
        "set" | "apply" | "revert" => &[0, 1, 2, 3],
        "check" | "doctor" => &[0, 1, 2, 4],
        _ => &[0, 1, 2],
    }
}

/// A file or variable and the pages that list it.
struct Entry {
    name: &'static str,
    pages: &'static [&'static str],
    text: &'static str,
}

const FILES: &[Entry] = &[
    Entry {
        name: "/etc/ethcfg/profiles.d/*.toml",
        pages: &["ethcfg", "apply", "check", "profiles", "doctor"],
        text: "User profiles (see ethcfg-profile(5)). Like sudo, ethcfg refuses a file or \
               directory that is group- or world-writable or owned by anyone but root (or the \
               invoking user).",
    },
    Entry {
        name: "/etc/ethcfg/ethcfg.toml",
        pages: &["ethcfg"],
        text: "Bindings: which interface gets which profile (see ethcfg.toml(5)).",
    },
    Entry {
        name: "/run/ethcfg/",
        pages: &["ethcfg", "set", "apply", "revert", "doctor"],
        text: "Records of the state before ethcfg changed an interface, for revert and \
               rollback, and the lock that serialises runs. Gone at reboot, as the changes are.",
    },
    Entry {
        name: "/etc/network/if-up.d/ethcfg, /etc/network/if-down.d/ethcfg",
        pages: &["ethcfg", "apply", "revert"],
        text: "The ifupdown and ifupdown2 hooks: they apply the ethcfg-profile and \
               ethcfg-features options (and Debian's offload-*, hardware-dma-ring-*, \
               hardware-irq-coalesce-* and ethernet-pause-* options) of an \
               /etc/network/interfaces stanza when the interface comes up, and revert when it \
               goes down.",
    },
    Entry {
        name: "/dev/kmsg",
        pages: &["doctor"],
        text: "The kernel log doctor reads when no --kernel-log is given (what is buffered; \
               it never waits).",
    },
    Entry {
        name: "/proc/modules, /sys/module/",
        pages: &["impact"],
        text: "The loaded modules, their holders and use counts.",
    },
];

const ENVIRONMENT: &[Entry] = &[
    Entry {
        name: "ETHCFG_PROFILE_DIR",
        pages: &["ethcfg", "apply", "check", "profiles", "doctor"],
        text: "The user profile directory, instead of /etc/ethcfg/profiles.d.",
    },
    Entry {
        name: "ETHCFG_STATE_DIR",
        pages: &["ethcfg", "set", "apply", "revert", "doctor"],
        text: "The state directory, instead of /run/ethcfg.",
    },
    Entry {
        name: "SSH_CONNECTION",
        pages: &["ethcfg", "set", "apply", "impact"],
        text: "The interface that carries the SSH session is a management interface: ethcfg \
               warns before a change that resets its link, and impact marks it.",
    },
    Entry {
        name: "NOTIFY_SOCKET",
        pages: &["watch"],
        text: "Set by systemd for Type=notify units: a path, or @name in the abstract \
               namespace. watch sends READY=1 there once its sockets listen and the interfaces \
               present have their bindings (STATUS= says how many were applied and how many \
               failed), or when --ready-timeout passes first; RELOADING=1 then READY=1 around \
               a SIGHUP reload; STOPPING=1 on SIGTERM. Unset, nothing is sent. A failure to \
               send is logged and watch goes on.",
    },
    Entry {
        name: "ETHCFG",
        pages: &["ethcfg"],
        text: "The ifupdown hooks run this command instead of ethcfg from PATH.",
    },
];

/// An example: what it does, then the lines to type or write.
type Example = (&'static str, &'static str);

/// The examples of a command's page besides the `Example:` paragraphs of
/// its help; `ethcfg(8)`'s is the first field report's fix, kept.
fn examples(command: &str) -> &'static [Example] {
    match command {
        "ethcfg" => &[
            (
                "An Intel I219-LM port on e1000e logs \"Detected Hardware Unit Hang\" under \
                 load. Ask what is wrong and what to run:",
                "ethcfg doctor eno1",
            ),
            (
                "See what the preset would change, then apply it (every offload moved to \
                 software; the link resets once):",
                "ethcfg apply --dry-run e1000e-hang-safe eno1\nethcfg apply e1000e-hang-safe eno1",
            ),
            (
                "Keep it: the ifupdown hook applies it whenever eno1 comes up. In \
                 /etc/network/interfaces (on Proxmox VE eno1 is the port under vmbr0):",
                "iface eno1 inet manual\n    ethcfg-profile e1000e-hang-safe",
            ),
            (
                "Or name the bridge and let ethcfg find its e1000e ports:",
                "ethcfg apply --ports e1000e-hang-safe vmbr0",
            ),
            (
                "Later: is it still in effect (exit 4 and the drifted features if not)? \
                 And undo it exactly:",
                "ethcfg check e1000e-hang-safe eno1\nethcfg revert eno1",
            ),
        ],
        "apply" => &[
            (
                "The e1000e preset on the port that logs \"Detected Hardware Unit Hang\", \
                 after looking at what it would change:",
                "ethcfg apply --dry-run e1000e-hang-safe eno1\nethcfg apply e1000e-hang-safe eno1",
            ),
            (
                "On Proxmox VE, name the bridge and apply it to the e1000e ports under it:",
                "ethcfg apply --ports e1000e-hang-safe vmbr0",
            ),
        ],
        "doctor" => &[(
            "What is wrong with eno1, from what the kernel logged since boot:",
            "ethcfg doctor eno1",
        )],
        "show" => &[
            ("Every interface, as ethtool -k prints one:", "ethcfg show"),
            (
                "One interface with its rings, channels, coalescing, pause, EEE and private \
                 flags, as JSON:",
                "ethcfg show eno1 --all-settings --json",
            ),
        ],
        "set" => &[(
            "Larger receive ring (e1000e rounds to a multiple of 8: adjusted) and no pause \
             frames:",
            "ethcfg set eno1 ring rx 4096 pause autoneg off pause rx off pause tx off",
        )],
        "check" => &[(
            "In a monitoring check:",
            "ethcfg check e1000e-hang-safe eno1 --json || alert",
        )],
        "revert" => &[("Undo everything ethcfg changed on eno1:", "ethcfg revert eno1")],
        "profiles" => &[
            ("The profiles, built-in and your own:", "ethcfg profiles list"),
            ("One in full: the problem, the cost, the reports:", "ethcfg profiles show e1000e-hang-safe"),
        ],
        _ => &[],
    }
}

fn owned(examples: &[Example]) -> Vec<(String, String)> {
    examples.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

/// The pages a command's page refers to, besides `ethcfg(8)`.
fn see_also(command: &str) -> &'static [&'static str] {
    match command {
        "apply" | "check" | "profiles" => {
            &["ethcfg-profile(5)", "interfaces(5)"]
        }
        "set" | "show" => &["ethtool(8)"],
        "doctor" => &["dmesg(1)", "journalctl(1)"],
        "impact" => &["modprobe(8)", "rmmod(8)"],
        _ => &[],
    }
}

fn title(roff: &mut Roff, name: &str, section: &str) {
    let upper = name.to_uppercase();
    let source = format!("ethcfg {VERSION}");
    let manual =
        if section == "8" { "System Administration" } else { "File Formats" };
    let date = release_date();
    roff.control(
        "TH",
        [upper.as_str(), section, date.as_str(), source.as_str(), manual],
    );
}

fn section(roff: &mut Roff, name: &str) {
    roff.control("SH", [name]);
}

fn tagged(roff: &mut Roff, term: Vec<Inline>, text: &str) {
    roff.control("TP", []);
    roff.text(term);
    roff.text(prose(text));
}

/// Help text as roff: `quoted` commands bold, the rest roman.
fn prose(text: &str) -> Vec<Inline> {
    text.split('`')
        .enumerate()
        .filter(|(_, part)| !part.is_empty())
        .map(|(i, part)| if i % 2 == 1 { bold(part) } else { roman(part) })
        .collect()
}

/// Lines set as written, indented: commands and file excerpts.
fn verbatim(roff: &mut Roff, text: &str) {
    roff.control("RS", ["4"]);
    roff.control("nf", []);
    for line in text.lines() {
        roff.text([roman(line)]);
    }
    roff.control("fi", []);
    roff.control("RE", []);
}

/// A word of a usage or a list term: placeholders (`IFACE`, `N`) italic,
/// literal words bold.
fn word(w: &str) -> Inline {
    let placeholder = w.chars().any(|c| c.is_ascii_uppercase())
        && w.chars().all(|c| c.is_ascii_uppercase() || c == '_');
    if placeholder {
        italic(w)
    } else {
        bold(w)
    }
}

/// `ring rx|tx N|max` as inlines: each word styled, the rest roman.
fn words(text: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        // `...` and `|` are roman between the styled words.
        if c.is_alphanumeric() || c == '-' || c == '_' {
            current.push(c);
        } else {
            if !current.is_empty() {
                out.push(word(&current));
                current.clear();
            }
            out.push(roman(c.to_string()));
        }
    }
    if !current.is_empty() {
        out.push(word(&current));
    }
    out
}

/// An argument as the synopsis and OPTIONS write it: `--kernel-log FILE`,
/// `IFACE...`.
fn arg_usage(a: &Arg) -> String {
    let value = a
        .get_value_names()
        .and_then(|n| n.first())
        .map(|n| n.as_str().to_owned())
        .unwrap_or_else(|| a.get_id().as_str().to_uppercase());
    let repeated = matches!(a.get_action(), ArgAction::Append)
        || a.get_num_args().is_some_and(|n| n.max_values() > 1);
    let dots = if repeated { "..." } else { "" };
    match (a.get_long(), a.get_short()) {
        _ if a.is_positional() => format!("{value}{dots}"),
        (long, short) => {
            let mut flag = match (short, long) {
                (Some(s), Some(l)) => format!("-{s}|--{l}"),
                (Some(s), None) => format!("-{s}"),
                (None, Some(l)) => format!("--{l}"),
                (None, None) => value.clone(),
            };
            if a.get_action().takes_values() {
                flag.push(' ');
                flag.push_str(&value);
            }
            flag.push_str(dots);
            flag
        }
    }
}

fn is_builtin_flag(a: &Arg) -> bool {
    matches!(a.get_id().as_str(), "help" | "version")
}

/// One synopsis line: `ethcfg apply PROFILE IFACE... [--dry-run] ...`.
fn usage_line(path: &str, cmd: &Command) -> Vec<Inline> {
    let mut line = vec![bold(path)];
    let args: Vec<&Arg> = cmd
        .get_arguments()
        .filter(|a| !a.is_hide_set() && !is_builtin_flag(a))
        .collect();
    for a in args.iter().filter(|a| a.is_positional()) {
        line.push(roman(" "));
        let u = arg_usage(a);
        if a.is_required_set() {
            line.extend(words(&u));
        } else {
            line.extend(words(&format!("[{u}]")));
        }
    }
    for a in args.iter().filter(|a| !a.is_positional()) {
        line.push(roman(" "));
        line.extend(words(&format!("[{}]", arg_usage(a))));
    }
    line
}

fn synopsis(roff: &mut Roff, path: &str, cmd: &Command) {
    let subs: Vec<&Command> = visible_subcommands(cmd).collect();
    let mut lines = Vec::new();
    if subs.is_empty() || !cmd.is_subcommand_required_set() {
        lines.push(usage_line(path, cmd));
    }
    for s in subs {
        let mut line = usage_line(&format!("{path} {}", s.get_name()), s);
        // A parent's global options (`profiles --json`) apply below it too.
        for a in cmd
            .get_arguments()
            .filter(|a| a.is_global_set() && !is_builtin_flag(a))
        {
            if s.get_arguments().all(|b| b.get_id() != a.get_id()) {
                line.push(roman(" "));
                line.extend(words(&format!("[{}]", arg_usage(a))));
            }
        }
        lines.push(line);
    }
    for (i, line) in lines.into_iter().enumerate() {
        if i > 0 {
            roff.control("br", []);
        }
        roff.text(line);
    }
}

/// A help paragraph: its indented `TERM  text` lines a tagged list, other
/// lines running text.
fn help_paragraph(roff: &mut Roff, paragraph: &str) {
    let mut prose = String::new();
    let flush = |roff: &mut Roff, prose: &mut String| {
        if !prose.is_empty() {
            roff.control("PP", []);
            roff.text(self::prose(prose.trim()));
            prose.clear();
        }
    };
    for line in paragraph.lines() {
        let item = line
            .strip_prefix("  ")
            .and_then(|l| l.trim_start().split_once("  "))
            .map(|(term, text)| (term.trim(), text.trim()));
        match item {
            Some((term, text)) => {
                flush(roff, &mut prose);
                tagged(roff, words(term), text);
            }
            None => {
                prose.push_str(line.trim());
                prose.push(' ');
            }
        }
    }
    flush(roff, &mut prose);
}

/// `after_help` split into description paragraphs and examples.
fn split_help(help: &str) -> (Vec<&str>, Vec<(String, String)>) {
    let mut paragraphs = Vec::new();
    let mut examples = Vec::new();
    for p in help.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        match p.strip_prefix("Example").and_then(|rest| rest.split_once(": ")) {
            Some((what, line)) => {
                let what =
                    what.trim().trim_start_matches('(').trim_end_matches(')');
                let intro: &'static str = match what {
                    "" => "",
                    "ifupdown" => "In an /etc/network/interfaces stanza:",
                    _ => "",
                };
                examples.push((intro.to_owned(), line.to_owned()));
            }
            None => paragraphs.push(p),
        }
    }
    (paragraphs, examples)
}

fn entries(roff: &mut Roff, heading: &str, list: &[Entry], command: &str) {
    let mine: Vec<&Entry> =
        list.iter().filter(|e| e.pages.contains(&command)).collect();
    if mine.is_empty() {
        return;
    }
    section(roff, heading);
    for e in mine {
        let mut term = Vec::new();
        for (i, n) in e.name.split(", ").enumerate() {
            if i > 0 {
                term.push(roman(", "));
            }
            term.push(italic(n));
        }
        tagged(roff, term, e.text);
    }
}

fn exit_status(roff: &mut Roff, command: &str) {
    section(roff, "EXIT STATUS");
    for code in exit_codes(command) {
        let text = match (command, code) {
            ("doctor", 4) => Some(DOCTOR_FOUND),
            _ => EXIT_CODES.iter().find(|(c, _)| c == code).map(|(_, t)| *t),
        };
        if let Some(text) = text {
            tagged(roff, vec![bold(code.to_string())], text);
        }
    }
}

fn example_section(roff: &mut Roff, examples: &[(String, String)]) {
    if examples.is_empty() {
        return;
    }
    section(roff, "EXAMPLES");
    for (intro, lines) in examples {
        if !intro.is_empty() {
            roff.control("PP", []);
            roff.text([roman(intro.as_str())]);
        }
        verbatim(roff, lines);
    }
}

fn see_also_section(roff: &mut Roff, pages: &[String]) {
    section(roff, "SEE ALSO");
    let mut line = Vec::new();
    for (i, p) in pages.iter().enumerate() {
        if i > 0 {
            line.push(roman(", "));
        }
        match p.split_once('(') {
            Some((name, rest)) => {
                line.push(bold(name));
                line.push(roman(format!("({rest}")));
            }
            None => line.push(bold(p.as_str())),
        }
    }
    roff.text(line);
}

/// The OPTIONS section: arguments first (`IFACE...`), then options.
fn options(roff: &mut Roff, cmd: &Command) {
    section(roff, "OPTIONS");
    let args: Vec<&Arg> =
        cmd.get_arguments().filter(|a| !a.is_hide_set()).collect();
    let ordered = args
        .iter()
        .filter(|a| a.is_positional())
        .chain(args.iter().filter(|a| !a.is_positional()));
    for a in ordered {
        let help = a
            .get_long_help()
            .or_else(|| a.get_help())
            .map(|h| h.to_string())
            .unwrap_or_default();
        let usage = arg_usage(a);
        // `-h|--help` in a synopsis, `-h, --help` in a list.
        tagged(roff, words(&usage.replace('|', ", ")), &help);
    }
}

fn top_page(cli: &Command) -> Roff {
    let mut roff = Roff::new();
    title(&mut roff, "ethcfg", "8");
    section(&mut roff, "NAME");
    roff.text([roman(format!("ethcfg - {}", about(cli)))]);
    section(&mut roff, "SYNOPSIS");
    let mut first = true;
    for sub in visible_subcommands(cli) {
        if !first {
            roff.control("br", []);
        }
        first = false;
        synopsis(&mut roff, &format!("ethcfg {}", sub.get_name()), sub);
    }
    roff.control("br", []);
    roff.text(words("ethcfg -h|--help|-V|--version"));
    section(&mut roff, "DESCRIPTION");
    let long = cli.get_long_about().map(|s| s.to_string()).unwrap_or_default();
    // The exit codes and variables of --help have sections of their own.
    for p in long.split("\n\n").filter(|p| {
        !p.starts_with("Exit status:") && !p.starts_with("Environment:")
    }) {
        help_paragraph(&mut roff, p);
    }
    roff.control("SS", ["Commands"]);
    for sub in visible_subcommands(cli) {
        let page = format!("ethcfg-{}", sub.get_name());
        tagged(
            &mut roff,
            vec![bold(sub.get_name())],
            &format!("{}. See {page}(8).", about(sub)),
        );
    }
    options(&mut roff, cli);
    exit_status(&mut roff, "ethcfg");
    entries(&mut roff, "FILES", FILES, "ethcfg");
    entries(&mut roff, "ENVIRONMENT", ENVIRONMENT, "ethcfg");
    example_section(&mut roff, &owned(examples("ethcfg")));
    let mut also: Vec<String> = visible_subcommands(cli)
        .map(|s| format!("ethcfg-{}(8)", s.get_name()))
        .collect();
    also.extend(
        ["ethcfg-profile(5)", "ethcfg.toml(5)", "interfaces(5)", "ethtool(8)"]
            .map(String::from),
    );
    see_also_section(&mut roff, &also);
    roff
}

/// The one-line summary, without a final full stop.
fn about(cmd: &Command) -> String {
    cmd.get_about()
        .map(|s| s.to_string())
        .unwrap_or_default()
        .trim_end_matches('.')
        .to_owned()
}

fn command_page(cmd: &Command) -> Roff {
    let name = cmd.get_name();
    let mut roff = Roff::new();
    title(&mut roff, &format!("ethcfg-{name}"), "8");
    section(&mut roff, "NAME");
    let mut line = vec![roman(format!("ethcfg-{name} - "))];
    line.extend(prose(&about(cmd)));
    roff.text(line);
    section(&mut roff, "SYNOPSIS");
    synopsis(&mut roff, &format!("ethcfg {name}"), cmd);
    section(&mut roff, "DESCRIPTION");
    let long =
        cmd.get_long_about().or_else(|| cmd.get_about()).map(|s| s.to_string());
    roff.text(prose(&format!(
        "{}.",
        long.unwrap_or_default().trim_end_matches('.')
    )));
    let after = cmd
        .get_after_long_help()
        .or_else(|| cmd.get_after_help())
        .map(|s| s.to_string())
        .unwrap_or_default();
    let (paragraphs, mut from_help) = split_help(&after);
    for p in paragraphs {
        help_paragraph(&mut roff, p);
    }
    let subs: Vec<&Command> = visible_subcommands(cmd).collect();
    if !subs.is_empty() {
        roff.control("SS", ["Commands"]);
        for s in subs {
            tagged(&mut roff, vec![bold(s.get_name())], &about(s));
        }
    }
    options(&mut roff, cmd);
    exit_status(&mut roff, name);
    entries(&mut roff, "FILES", FILES, name);
    entries(&mut roff, "ENVIRONMENT", ENVIRONMENT, name);
    from_help.extend(owned(examples(name)));
    example_section(&mut roff, &from_help);
    let mut also = vec!["ethcfg(8)".to_owned()];
    also.extend(see_also(name).iter().map(|s| (*s).to_owned()));
    see_also_section(&mut roff, &also);
    roff
}

/// A piece of a hand-written page.
enum Block {
    /// A paragraph.
    P(&'static str),
    /// A tagged item: the term (usage words), its text.
    Tp(&'static str, &'static str),
    /// Lines set as written.
    Ex(&'static str),
}

/// A section 5 page.
struct FormatPage {
    name: &'static str,
    summary: &'static str,
    synopsis: &'static str,
    sections: &'static [(&'static str, &'static [Block])],
    see_also: &'static [&'static str],
}

const FORMAT_PAGES: &[FormatPage] = &[PROFILE_PAGE, CONFIG_PAGE];

const PROFILE_PAGE: FormatPage = FormatPage {
    name: "ethcfg-profile",
    summary: "ethcfg profile files: named sets of interface features and settings",
    synopsis: "/etc/ethcfg/profiles.d/*.toml",
    sections: &[
        (
            "DESCRIPTION",
            &[
                Block::P(
                    "A profile names the ethtool features and settings an interface should \
                     have, why, and for which drivers. ethcfg apply PROFILE IFACE sets them, \
                     ethcfg check PROFILE IFACE compares, ethcfg profiles list and show print \
                     them. The built-in presets come from public field reports and cite them; \
                     user profiles are TOML files in /etc/ethcfg/profiles.d (or \
                     ETHCFG_PROFILE_DIR), one profile per file.",
                ),
                Block::P(
                    "Like sudo, ethcfg refuses a profile file or directory that is group- or \
                     world-writable or owned by anyone but root (or the invoking user). A \
                     broken user profile fails only a run that asks for it; errors name the \
                     file, the line and the problem.",
                ),
            ],
        ),
        (
            "KEYS",
            &[
                Block::Tp("name = \"NAME\"", "Required. Lowercase letters, digits and dashes."),
                Block::Tp("summary = \"TEXT\"", "Required. One line: what it is for."),
                Block::Tp("description = \"TEXT\"", "The problem it addresses, its cost, when to step up."),
                Block::Tp(
                    "drivers = [\"DRIVER\", ...]",
                    "The drivers it is meant for; applying it to an interface on another \
                     driver, or to a virtual device, needs --force. Empty or absent: any.",
                ),
                Block::Tp(
                    "disruptive = true|false",
                    "Whether applying it may reset the link; ethcfg warns before it does so on \
                     a management interface.",
                ),
                Block::Tp("references = [\"URL\", ...]", "Bug reports and documentation."),
                Block::Tp(
                    "include = [\"PROFILE\", ...]",
                    "Profiles this one builds on: their values come first, this profile's own \
                     win.",
                ),
                Block::Tp(
                    "replaces = true",
                    "Needed for a user profile to take the name of a built-in one.",
                ),
            ],
        ),
        (
            "SECTIONS",
            &[
                Block::P(
                    "Each section sends only the values it names; a section the driver does \
                     not have is skipped with a note. Records, revert, rollback and check cover \
                     every section exactly as they do features.",
                ),
                Block::Tp(
                    "[features]",
                    "NAME = \"on\" or \"off\": ethtool's legacy names (tso, gso, gro, lro, rx, \
                     tx, sg, rxvlan, txvlan, ntuple, rxhash and the long forms), expanded \
                     against the running kernel's feature table as ethtool expands them, or \
                     kernel feature names (tx-tcp-segmentation, rx-gro-hw).",
                ),
                Block::Tp("[rings]", "rx, rx-mini, rx-jumbo, tx = N or \"max\" (ethtool -G)."),
                Block::Tp(
                    "[channels]",
                    "rx, tx, other, combined = N or \"max\" (ethtool -L).",
                ),
                Block::Tp(
                    "[coalesce]",
                    "The keys of ethtool -C: rx-usecs = 50, adaptive-rx = \"off\", ...",
                ),
                Block::Tp("[pause]", "autoneg, rx, tx = \"on\" or \"off\" (ethtool -A)."),
                Block::Tp(
                    "[eee]",
                    "enabled, tx-lpi = \"on\" or \"off\"; tx-lpi-timer = N (ethtool \
                     --set-eee).",
                ),
                Block::Tp(
                    "[private-flags]",
                    "FLAG = \"on\" or \"off\": the driver's private flags (ethtool \
                     --set-priv-flags).",
                ),
            ],
        ),
        (
            "EXAMPLES",
            &[
                Block::P(
                    "The built-in e1000e-hang-safe, step 2 of the e1000e \"Detected Hardware \
                     Unit Hang\" ladder (ethcfg profiles show e1000e-hang-safe prints it in \
                     full):",
                ),
                Block::Ex(
                    "name = \"e1000e-hang-safe\"\n\
                     summary = \"Step 2 of the e1000e 'Hardware Unit Hang' ladder: every offload moved to software\"\n\
                     drivers = [\"e1000e\"]\n\
                     disruptive = true\n\
                     references = [\"https://bugzilla.kernel.org/show_bug.cgi?id=118721\"]\n\
                     \n\
                     [features]\n\
                     gso = \"off\"\n\
                     gro = \"off\"\n\
                     tso = \"off\"\n\
                     tx = \"off\"\n\
                     rx = \"off\"\n\
                     rxvlan = \"off\"\n\
                     txvlan = \"off\"\n\
                     sg = \"off\"",
                ),
                Block::P("A site profile on top of it, in /etc/ethcfg/profiles.d/site-eno1.toml:"),
                Block::Ex(
                    "name = \"site-eno1\"\n\
                     summary = \"e1000e-hang-safe with a larger receive ring\"\n\
                     include = [\"e1000e-hang-safe\"]\n\
                     drivers = [\"e1000e\"]\n\
                     \n\
                     [rings]\n\
                     rx = 4096",
                ),
            ],
        ),
    ],
    see_also: &["ethcfg(8)", "ethcfg-apply(8)", "ethcfg-profiles(8)", "ethcfg.toml(5)"],
};

const CONFIG_PAGE: FormatPage = FormatPage {
    name: "ethcfg.toml",
    summary: "ethcfg bindings: which interface gets which profile",
    synopsis: "/etc/ethcfg/ethcfg.toml",
    sections: &[
        (
            "DESCRIPTION",
            &[
                Block::P(
                    "The bindings file says which network interface gets which profile, so \
                     the host keeps it true at boot, on hotplug and against drift. Each \
                     [[bind]] table matches interfaces and names what they get. ETHCFG_CONFIG \
                     or --config FILE names another file.",
                ),
                Block::P(
                    "The packaged file has every binding commented out: installing ethcfg \
                     changes no interface until the administrator writes one.",
                ),
            ],
        ),
        (
            "BINDINGS",
            &[
                Block::Tp(
                    "match = { KEY = \"VALUE\", ... }",
                    "Which interfaces: name (a glob: \"eno*\"), mac, permanent-mac, driver, \
                     path (the udev ID_PATH, \"pci-0000:00:1f.6\": stable across renames). \
                     Every key given must match.",
                ),
                Block::Tp(
                    "profile = \"PROFILE\"",
                    "The profile to apply, or a list of them (see ethcfg-profile(5)).",
                ),
                Block::Tp(
                    "enforce = \"appear\"|\"drift\"",
                    "appear: apply when the interface appears; drift: also re-apply when \
                     something else changes it.",
                ),
                Block::P(
                    "Every binding matching an interface applies. Two that set one kernel \
                     feature or setting to different values are an error naming both, \
                     however each spells it: tso in one and tx-tcp-segmentation in the \
                     other, or tx and tx-checksum-ipv4, are the same feature. Within one \
                     binding or profile a later name wins, as with ethtool -K.",
                ),
            ],
        ),
        (
            "EXAMPLES",
            &[
                Block::P("The e1000e port of the field report, by its PCI path:"),
                Block::Ex(
                    "[[bind]]\n\
                     match = { path = \"pci-0000:00:1f.6\" }\n\
                     profile = \"e1000e-hang-safe\"\n\
                     enforce = \"appear\"",
                ),
            ],
        ),
    ],
    see_also: &["ethcfg(8)", "ethcfg-apply(8)", "ethcfg-profile(5)"],
};

fn format_page(page: &FormatPage) -> Roff {
    let mut roff = Roff::new();
    title(&mut roff, page.name, "5");
    section(&mut roff, "NAME");
    roff.text([roman(format!("{} - {}", page.name, page.summary))]);
    section(&mut roff, "SYNOPSIS");
    roff.text([italic(page.synopsis)]);
    for (heading, blocks) in page.sections {
        section(&mut roff, heading);
        for b in *blocks {
            match b {
                Block::P(text) => {
                    roff.control("PP", []);
                    roff.text([roman(*text)]);
                }
                Block::Tp(term, text) => {
                    tagged(&mut roff, vec![bold(*term)], text)
                }
                Block::Ex(text) => verbatim(&mut roff, text),
            }
        }
    }
    let also: Vec<String> =
        page.see_also.iter().map(|s| (*s).to_owned()).collect();
    see_also_section(&mut roff, &also);
    roff
}
