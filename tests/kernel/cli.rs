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
    .arg(bin())
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
