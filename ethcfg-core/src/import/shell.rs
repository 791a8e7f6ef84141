//! A shell command line that runs `ethtool` (an ifupdown `post-up`, a
//! unit's `ExecStart`, its `sh -c` string), read into features and
//! settings — or refused with the reason when its meaning depends on the
//! shell at run time (variables, substitution, loops, pipes, `&&`, `||`)
//! or on an option ethcfg does not import.

use super::{
    on_off, plain_ifname, plausible_feature, setting_value, Found, Match,
    Origin,
};
use crate::ethtool::settings::Group;

/// What a line held.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Seen {
    /// No `ethtool` anywhere: not ethcfg's business.
    Nothing,
    /// Some `ethtool` command, imported or refused (into the `Found`).
    Ethtool,
}

/// Reads `line` (shell text) into `found`; `origin` names it.
pub(crate) fn read(line: &str, origin: &Origin, found: &mut Found) -> Seen {
    if !line
        .split(|c: char| {
            !c.is_ascii_alphanumeric() && c != '_' && c != '-' && c != '/'
        })
        .any(|w| w.rsplit('/').next() == Some("ethtool"))
    {
        return Seen::Nothing;
    }
    if let Some(why) = unsafe_shell(line) {
        found.skip(origin, why);
        return Seen::Ethtool;
    }
    let words = match split(line) {
        Ok(w) => w,
        Err(why) => {
            found.skip(origin, why);
            return Seen::Ethtool;
        }
    };
    for cmd in words.split(|w| w == ";") {
        let cmd: Vec<&str> = cmd
            .iter()
            .map(String::as_str)
            .filter(|w| !is_quiet_redirect(w))
            .collect();
        let Some((first, args)) = cmd.split_first() else { continue };
        if first.rsplit('/').next() == Some("ethtool") {
            ethtool(args, origin, found);
        } else if !args.is_empty()
            && matches!(
                *first,
                "sh" | "/bin/sh" | "bash" | "/bin/bash" | "/usr/bin/bash"
            )
        {
            // `sh -c '...'`: the quoted string is the command line
            match args {
                ["-c", inner] => {
                    read(inner, origin, found);
                }
                _ => found.skip(
                    origin,
                    format!(
                        "runs {first} with arguments other than -c 'COMMANDS'"
                    ),
                ),
            }
        } else {
            found.skip(
                origin,
                format!(
                    "the line also runs `{}`, which is not ethtool: keep that part",
                    cmd.join(" ")
                ),
            );
        }
    }
    Seen::Ethtool
}

/// Output thrown away changes nothing ethtool does.
fn is_quiet_redirect(w: &str) -> bool {
    matches!(
        w,
        ">/dev/null" | "2>/dev/null" | "&>/dev/null" | "2>&1" | "1>/dev/null"
    )
}

/// Why `line`'s meaning depends on the shell at run time, if it does.
fn unsafe_shell(line: &str) -> Option<String> {
    let spaced = line.replace(';', " ; ");
    let without_quiet: String = spaced
        .split_whitespace()
        .filter(|w| !is_quiet_redirect(w))
        .collect::<Vec<_>>()
        .join(" ");
    let l = without_quiet.as_str();
    let words: Vec<&str> =
        l.split(|c: char| c.is_whitespace() || c == ';').collect();
    let reason = if l.contains("$(") || l.contains('`') {
        "command substitution: the command is only known when the shell runs it"
    } else if words.iter().any(|w| {
        matches!(
            *w,
            "for"
                | "while"
                | "until"
                | "do"
                | "done"
                | "if"
                | "then"
                | "fi"
                | "case"
        )
    }) {
        "a loop or condition: what runs is only known when the shell runs it"
    } else if l.contains('$') {
        "a shell variable (like $IFACE): its value is only known when the shell runs it"
    } else if l.contains("&&") {
        "`&&`: the ethtool part runs only when another command succeeds"
    } else if l.contains("||") {
        "`||`: part of the line runs only when another command fails"
    } else if l.contains('|') {
        "a pipe"
    } else if l.contains('&') {
        "a background job (`&`)"
    } else if l.contains('>') || l.contains('<') {
        "a redirection other than to /dev/null"
    } else if l.contains('*')
        || l.contains('?')
        || l.contains('[')
        || l.contains('~')
    {
        "a glob or ~: the words are only known when the shell expands them"
    } else if l.contains('\\') {
        "a backslash escape"
    } else if l.contains('(') || l.contains('{') {
        "a subshell or group"
    } else {
        return None;
    };
    Some(reason.to_owned())
}

/// Words of a line free of the constructs [`unsafe_shell`] refuses:
/// blanks split, `'...'` and `"..."` quote, `;` is a word of its own.
fn split(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None => match c {
                '\'' | '"' => {
                    quote = Some(c);
                    in_word = true;
                }
                ';' => {
                    if in_word {
                        out.push(std::mem::take(&mut cur));
                        in_word = false;
                    }
                    out.push(";".to_owned());
                }
                c if c.is_whitespace() => {
                    if in_word {
                        out.push(std::mem::take(&mut cur));
                        in_word = false;
                    }
                }
                c => {
                    cur.push(c);
                    in_word = true;
                }
            },
        }
    }
    if quote.is_some() {
        return Err("an unterminated quote".to_owned());
    }
    if in_word {
        out.push(cur);
    }
    Ok(out)
}

/// The group an ethtool setting option sets, with the option's own name.
fn setting_group(opt: &str) -> Option<Group> {
    Some(match opt {
        "-G" | "--set-ring" => Group::Rings,
        "-L" | "--set-channels" => Group::Channels,
        "-C" | "--coalesce" => Group::Coalesce,
        "-A" | "--pause" => Group::Pause,
        "--set-eee" => Group::Eee,
        "--set-priv-flags" => Group::PrivateFlags,
        _ => return None,
    })
}

/// One `ethtool OPTION IFACE WORDS...`: all of it, or nothing.
fn ethtool(args: &[&str], origin: &Origin, found: &mut Found) {
    let text = format!("ethtool {}", args.join(" "));
    let Some((opt, rest)) = args.split_first() else {
        found.skip(origin, format!("`{text}` sets nothing"));
        return;
    };
    let Some((iface, pairs)) = rest.split_first() else {
        found.skip(origin, format!("`{text}` names no interface"));
        return;
    };
    if !plain_ifname(iface) {
        found.skip(origin, format!("`{iface}` is not an interface name"));
        return;
    }
    let m = Match::by_name(iface);
    let mut staged = Found::default();
    let is_features = matches!(*opt, "-K" | "--features" | "--offload");
    let group = setting_group(opt);
    if !is_features && group.is_none() {
        found.skip(
            origin,
            format!("ethtool {opt} is not an option ethcfg imports (-K, -G, -L, -C, -A, --set-eee, --set-priv-flags)"),
        );
        return;
    }
    if pairs.is_empty() || pairs.len() % 2 != 0 {
        found.skip(origin, format!("`{text}`: the words after the interface are not NAME VALUE pairs"));
        return;
    }
    for pair in pairs.chunks(2) {
        let [name, value] = pair else { continue };
        let ok = if is_features {
            match on_off(value) {
                Some(on) if plausible_feature(name) => {
                    staged.feature(&m, name, on, origin);
                    true
                }
                _ => false,
            }
        } else if let Some(g @ Group::PrivateFlags) = group {
            match on_off(value) {
                Some(on) if plausible_feature(name) => {
                    staged.setting(
                        &m,
                        g,
                        name,
                        crate::ethtool::settings::Target::Bool(on),
                        origin,
                    );
                    true
                }
                _ => false,
            }
        } else if let Some(g) = group {
            match setting_value(g, name, value) {
                Some((key, v)) => {
                    staged.setting(&m, g, &key, v, origin);
                    true
                }
                None => false,
            }
        } else {
            false
        };
        if !ok {
            found.skip(
                origin,
                format!("ethtool {opt}: `{name} {value}` is not a setting and value ethcfg knows"),
            );
            return;
        }
    }
    found.append(staged);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o() -> Origin {
        Origin { file: "/x".into(), line: 1, text: String::new() }
    }

    #[test]
    fn unsafe_lines_are_refused_with_the_reason() {
        for (line, why) in [
            ("ethtool -K $IFACE tso off", "shell variable"),
            ("ethtool -K ${IFACE} tso off", "shell variable"),
            ("ethtool -K $(ls) tso off", "command substitution"),
            ("ethtool -K `x` tso off", "command substitution"),
            ("for i in eno1; do ethtool -K eno1 tso off; done", "loop"),
            ("ethtool -K eno1 tso off && echo", "&&"),
            ("ethtool -K eno1 tso off || true", "||"),
            ("ethtool -K eno1 tso off | logger", "pipe"),
            ("ethtool -s eno1 speed 100", "not an option"),
            ("ethtool -K eno1 tso", "pairs"),
            ("ethtool -G eno1 bogus 12", "not a setting"),
        ] {
            let mut f = Found::default();
            assert_eq!(read(line, &o(), &mut f), Seen::Ethtool, "{line}");
            assert!(f.items.is_empty(), "{line}");
            let r = &f.not_imported[0].reason;
            assert!(r.contains(why), "{line}: {r}");
        }
    }

    #[test]
    fn commands_quotes_and_quiet_redirects() {
        let mut f = Found::default();
        read(
            "/sbin/ethtool -K eno1 tso off 2>/dev/null; /usr/sbin/ethtool --set-ring eno1 rx 4096 tx 4096; sleep 1",
            &o(),
            &mut f,
        );
        assert_eq!(f.items.len(), 3);
        assert_eq!(f.not_imported.len(), 1, "{:?}", f.not_imported);
        assert!(f.not_imported[0].reason.contains("sleep 1"));
        let mut f = Found::default();
        read("/bin/sh -c '/sbin/ethtool -A eno1 rx off tx off; ethtool --set-eee eno1 eee off'", &o(), &mut f);
        assert_eq!(f.items.len(), 3, "{:?}", f.not_imported);
        let mut f = Found::default();
        assert_eq!(read("ip link set eno1 up", &o(), &mut f), Seen::Nothing);
    }
}
