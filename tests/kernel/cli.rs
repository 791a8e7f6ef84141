//! Bad input: each case gets a clear one-line reason that says what to do,
//! a non-zero exit, and leaves the interface exactly as it was.

use crate::harness::{self, tests};
use crate::util::*;

tests! {
    harness::root: [
        unknown_interface,
        unknown_feature_name_suggests_close_names,
        fixed_feature,
        odd_number_of_words,
        value_other_than_on_or_off,
        interface_name_too_long,
        without_cap_net_admin,
    ],
    harness::nothing: [
        usage_errors_exit_2,
        shipped_man_pages_and_completions_are_generated_from_the_current_cli,
        man_pages_have_their_sections_and_no_stray_headings,
        bash_completion_offers_no_hidden_command_and_completes_names,
        every_contrib_file_is_in_both_packages,
    ],
}

/// Runs `args`, checks the exit code and that stderr has one line
/// containing every `needle`, and that ethtool sees `iface` unchanged.
fn refused(iface: &str, args: &[&str], code: i32, needles: &[&str]) {
    let before = ethtool_state(iface);
    let o = ethcfg(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(code), "{args:?}: stderr {err}");
    assert!(
        stdout(&o).is_empty(),
        "{args:?}: nothing on stdout, got {}",
        stdout(&o)
    );
    let lines: Vec<&str> =
        err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{args:?}: one line, got {err:?}");
    for n in needles {
        assert!(lines[0].contains(n), "{args:?}: {:?} lacks {n:?}", lines[0]);
    }
    assert_eq!(ethtool_state(iface), before, "{args:?} changed {iface}");
}

fn unknown_interface() {
    in_netns(|| {
        veth("uia", "uib");
        refused(
            "uia",
            &["set", "nosuch0", "gso", "off"],
            1,
            &["no such interface: nosuch0", "ip link"],
        );
        let o = ethcfg(&["show", "nosuch0"]);
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains("no such interface"));
    });
}

fn unknown_feature_name_suggests_close_names() {
    in_netns(|| {
        veth("ufa", "ufb");
        refused(
            "ufa",
            &["set", "ufa", "gso", "off", "tos", "off"],
            1,
            &["unknown feature \"tos\"", "did you mean", "tso"],
        );
        refused(
            "ufa",
            &["set", "ufa", "rx-gro-hx", "on"],
            1,
            &["unknown feature", "rx-gro-hw"],
        );
    });
}

fn fixed_feature() {
    in_netns(|| {
        veth("ffa", "ffb");
        // rx-lro is fixed off on veth; asking for it on is refused before
        // anything is sent, even together with a valid change.
        refused(
            "ffa",
            &["set", "ffa", "gso", "off", "lro", "on"],
            1,
            &["rx-lro is fixed off", "leave it out"],
        );
        refused("ffa", &["set", "ffa", "rx-lro", "on"], 1, &["fixed"]);
        // asking for the state it is fixed in is fine and changes nothing
        let o = ethcfg(&["set", "ffa", "lro", "off"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    });
}

fn odd_number_of_words() {
    in_netns(|| {
        veth("owa", "owb");
        refused(
            "owa",
            &["set", "owa", "gso", "off", "tso"],
            2,
            &["`tso` has no value", "on` or `off"],
        );
    });
}

fn value_other_than_on_or_off() {
    in_netns(|| {
        veth("vva", "vvb");
        refused(
            "vva",
            &["set", "vva", "gso", "of"],
            2,
            &["`gso` must be followed by `on` or `off`, not `of`"],
        );
        refused("vva", &["set", "vva", "gso", "1"], 2, &["not `1`"]);
    });
}

fn interface_name_too_long() {
    in_netns(|| {
        veth("tla", "tlb");
        refused(
            "tla",
            &["set", "abcdefghijklmnop", "gso", "off"],
            1,
            &["invalid interface name", "longer than 15 bytes"],
        );
        refused(
            "tla",
            &["set", "a/b", "gso", "off"],
            1,
            &["invalid interface name"],
        );
    });
}

/// Runs ethcfg as `nobody` with no capabilities (state directory: the
/// default /run/ethcfg, or `state`).
fn unprivileged(
    args: &[&str],
    state: Option<&std::path::Path>,
) -> std::process::Output {
    let mut c = std::process::Command::new("setpriv");
    if let Some(s) = state {
        c.env("ETHCFG_STATE_DIR", s);
    }
    c.args([
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--inh-caps=-all",
    ])
    .arg(env!("CARGO_BIN_EXE_ethcfg"))
    .args(args)
    .output()
    .expect("setpriv (util-linux)")
}

fn without_cap_net_admin() {
    in_netns(|| {
        veth("npa", "npb");
        let before = ethtool_state("npa");
        // The default state directory (/run/ethcfg) is root's; and with a
        // state directory the user can write, the kernel says EPERM. Both
        // say what is needed.
        let writable = scratch("nobody-state");
        std::fs::create_dir_all(&writable).unwrap();
        std::os::unix::fs::chown(&writable, Some(65534), Some(65534)).unwrap();
        for state in [None, Some(writable.as_path())] {
            let o = unprivileged(&["set", "npa", "gso", "off"], state);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(1), "{err}");
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(
                err.contains("needs CAP_NET_ADMIN")
                    && err.contains("run ethcfg as root"),
                "{err}"
            );
            assert_eq!(ethtool_state("npa"), before);
        }
        // reading needs no privilege
        let o = unprivileged(&["show", "npa"], None);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    });
}

fn usage_errors_exit_2() {
    for args in
        [&["set"][..], &["set", "eth0"], &["bogus"], &["show", "--frobnicate"]]
    {
        let o = ethcfg(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
    }
    let o = ethcfg(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("show") && stdout(&o).contains("set"));
}

fn shipped_man_pages_and_completions_are_generated_from_the_current_cli() {
    let dir =
        std::env::temp_dir().join(format!("ethcfg-gen-{}", std::process::id()));
    for (what, sub) in [("man", "man"), ("completions", "completions")] {
        let out = dir.join(sub);
        let o = ethcfg(&["generate", what, out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("contrib")
            .join(sub);
        let mut names: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert!(!names.is_empty());
        for n in names {
            let fresh = std::fs::read(out.join(&n)).unwrap();
            let old = std::fs::read(shipped.join(&n)).unwrap_or_default();
            assert!(
                fresh == old,
                "contrib/{sub}/{} is stale: run `cargo run -- generate {what} contrib/{sub}`",
                n.to_string_lossy()
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Every manual page has the sections a reader looks for, synopses mark
/// repeated words with `...`, and no clap default heading (EXTRA, VERSION)
/// is left; groff renders them without a warning.
fn man_pages_have_their_sections_and_no_stray_headings() {
    let dir =
        std::env::temp_dir().join(format!("ethcfg-man-{}", std::process::id()));
    let o = ethcfg(&["generate", "man", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    for want in
        ["ethcfg.8", "ethcfg-apply.8", "ethcfg-profile.5", "ethcfg.toml.5"]
    {
        assert!(pages.iter().any(|p| p == want), "{want} in {pages:?}");
    }
    for page in &pages {
        let text = std::fs::read_to_string(dir.join(page)).unwrap();
        let headings: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix(".SH "))
            .map(|h| h.trim_matches('"'))
            .collect();
        let mut want = vec!["NAME", "SYNOPSIS", "DESCRIPTION"];
        if page.ends_with(".8") {
            want.extend(["OPTIONS", "EXIT STATUS"]);
        }
        if page == "ethcfg.8" {
            want.extend(["FILES", "ENVIRONMENT", "EXAMPLES"]);
        }
        want.push("SEE ALSO");
        for w in &want {
            assert!(headings.contains(w), "{page}: no {w} in {headings:?}");
        }
        for stray in ["EXTRA", "VERSION", "AUTHORS"] {
            assert!(!headings.contains(&stray), "{page}: {stray} heading");
        }
        if page.ends_with(".8") {
            assert!(
                text.contains(".TH \"ETHCFG") || text.contains(".TH ETHCFG"),
                "{page}"
            );
            assert!(text.contains(" 8 "), "{page}: section 8");
        }
        let groff = std::process::Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(dir.join(page))
            .output();
        if let Ok(g) = groff {
            assert!(g.stderr.is_empty(), "{page}: {}", stderr(&g));
        }
    }
    let top = std::fs::read_to_string(dir.join("ethcfg.8")).unwrap();
    for usage in ["IFACE\\fR...", "SETTINGS\\fR...", "PROFILE"] {
        assert!(top.contains(usage), "ethcfg.8 synopsis lacks {usage}");
    }
    assert!(
        top.contains("ethcfg\\-profile e1000e\\-hang\\-safe"),
        "the persisted fix"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Drives the shipped bash completion as bash does (COMP_WORDS, the
/// registered function), with the built ethcfg first on PATH.
fn bash_completion_offers_no_hidden_command_and_completes_names() {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("contrib/completions/ethcfg.bash");
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_ethcfg"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let complete = |words: &[&str]| -> Vec<String> {
        let quoted: Vec<String> =
            words.iter().map(|w| format!("'{w}'")).collect();
        let driver = format!(
            "source '{}'\n\
             COMP_WORDS=({})\n\
             COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))\n\
             COMP_TYPE=9\n\
             _clap_complete_ethcfg ethcfg \"${{COMP_WORDS[COMP_CWORD]}}\"\n\
             printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
            script.display(),
            quoted.join(" ")
        );
        let o = std::process::Command::new("bash")
            .args(["--norc", "--noprofile", "-c", &driver])
            .env("PATH", &path)
            .env("ETHCFG_PROFILE_DIR", scratch("no-profiles"))
            .output()
            .expect("bash");
        assert!(o.status.success(), "{words:?}: {}", stderr(&o));
        stdout(&o)
            .lines()
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect()
    };
    let top = complete(&["ethcfg", ""]);
    for c in ["show", "set", "apply", "profiles", "doctor", "impact"] {
        assert!(top.contains(&c.to_owned()), "{c} in {top:?}");
    }
    assert!(!top.iter().any(|c| c == "generate"), "{top:?}");
    assert!(complete(&["ethcfg", "gen"]).is_empty());
    assert!(!complete(&["ethcfg", "help", ""]).iter().any(|c| c == "generate"));
    let profiles = complete(&["ethcfg", "apply", "e1000e-h"]);
    assert!(profiles.contains(&"e1000e-hang-safe".to_owned()), "{profiles:?}");
    assert!(complete(&["ethcfg", "profiles", "show", "igc"])
        .contains(&"igc-eee-off".to_owned()));
    let ifaces = complete(&["ethcfg", "apply", "e1000e-hang-safe", "l"]);
    assert!(ifaces.contains(&"lo".to_owned()), "{ifaces:?}");
    assert!(complete(&["ethcfg", "show", "l"]).contains(&"lo".to_owned()));
    let features = complete(&["ethcfg", "set", "lo", "tx-tcp-seg"]);
    assert!(
        features.contains(&"tx-tcp-segmentation".to_owned()),
        "{features:?}"
    );
    let legacy = complete(&["ethcfg", "set", "lo", "gs"]);
    assert!(legacy.contains(&"gso".to_owned()), "{legacy:?}");
    let value = complete(&["ethcfg", "set", "lo", "gso", "o"]);
    assert_eq!(value, ["off", "on"]);
}

/// Each file under the contrib folders the packages install from is
/// matched by an asset of the .deb and of the RPM (Cargo.toml's
/// package.metadata), so adding a unit, rule or hook there packages it —
/// or fails here until its destination is listed.
fn every_contrib_file_is_in_both_packages() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest: toml::Table =
        std::fs::read_to_string(root.join("Cargo.toml"))
            .unwrap()
            .parse()
            .unwrap();
    let meta = &manifest["package"]["metadata"];
    let deb: Vec<String> = meta["deb"]["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a[0].as_str().unwrap().to_owned())
        .collect();
    let rpm: Vec<String> = meta["generate-rpm"]["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["source"].as_str().unwrap().to_owned())
        .collect();
    let mut files = Vec::new();
    let mut dirs: Vec<std::path::PathBuf> = [
        "systemd",
        "udev",
        "NetworkManager",
        "ifupdown",
        "man",
        "completions",
        "etc",
    ]
    .iter()
    .map(|d| root.join("contrib").join(d))
    .collect();
    while let Some(d) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else {
                files.push(
                    p.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    assert!(files.len() > 10, "{files:?}");
    for f in &files {
        // scripts/package gzips the manual pages for the RPM.
        let staged = match f.strip_prefix("contrib/man/") {
            Some(page) => format!("target/package/man/{page}.gz"),
            None => f.clone(),
        };
        for (format, sources, f) in
            [("deb", &deb, f), ("generate-rpm", &rpm, &staged)]
        {
            assert!(
                sources.iter().any(|s| glob_matches(s, f)),
                "{f} is in no asset of [package.metadata.{format}]"
            );
        }
    }
}

/// `*` matches within one path component, as the packagers' globs do.
fn glob_matches(pattern: &str, path: &str) -> bool {
    let (p, f): (Vec<&str>, Vec<&str>) =
        (pattern.split('/').collect(), path.split('/').collect());
    p.len() == f.len()
        && p.iter().zip(&f).all(|(p, f)| match p.split_once('*') {
            Some((pre, post)) => {
                f.len() >= pre.len() + post.len()
                    && f.starts_with(pre)
                    && f.ends_with(post)
            }
            None => p == f,
        })
}
