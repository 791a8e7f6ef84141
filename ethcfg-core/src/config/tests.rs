use std::path::Path;

use super::*;

fn cfg(text: &str) -> Config {
    Config::from_toml(text, Path::new("/etc/ethcfg/ethcfg.toml")).unwrap()
}

fn id(name: &str, driver: Option<&str>, path: Option<&str>) -> Identity {
    Identity {
        ifname: name.into(),
        driver: driver.map(Into::into),
        path: path.map(Into::into),
        mac: Some("52:54:00:12:34:56".into()),
        ..Identity::default()
    }
}

fn problem(e: &Error) -> (Option<usize>, String) {
    match e {
        Error::Config { file, line, problem } => {
            assert_eq!(file, "/etc/ethcfg/ethcfg.toml");
            (*line, problem.clone())
        }
        e => panic!("{e:?}"),
    }
}

#[test]
fn globs() {
    assert!(glob("veth*", "veth0"));
    assert!(glob("*", ""));
    assert!(glob("en?1", "eno1"));
    assert!(!glob("en?1", "eno12"));
    assert!(glob("eth[0-3]", "eth2"));
    assert!(!glob("eth[!0-3]", "eth2"));
    assert!(glob("a*b*c", "aXXbYYc"));
    assert!(!glob("a*b", "aXXc"));
    assert!(glob("eno1", "eno1"));
}

#[test]
fn parses_bindings_with_lines() {
    let c = cfg("# hosts\n\n[[bind]]\nmatch = { path = \"pci-0000:00:1f.6\" }\nprofile = \"e1000e-hang-safe\"\nenforce = \"drift\"\n\n[[bind]]\nmatch = { name = \"veth*\", mac = \"52:54:00:12:34:56\" }\nforce = true\n[bind.features]\ntso = \"off\"\n[bind.rings]\nrx = 256\n");
    assert!(c.broken.is_empty(), "{:?}", c.broken);
    let [a, b] = c.bindings.as_slice() else { panic!() };
    assert_eq!(a.line, 3);
    assert_eq!(a.matcher.path.as_deref(), Some("pci-0000:00:1f.6"));
    assert_eq!(a.profiles, ["e1000e-hang-safe"]);
    assert_eq!(a.enforce, Enforce::Drift);
    assert_eq!(b.line, 8);
    assert!(b.force);
    assert_eq!(b.enforce, Enforce::Appear);
    assert_eq!(
        b.features.first().map(|f| (f.name.as_str(), f.on, f.line)),
        Some(("tso", false, 12))
    );
    assert_eq!(b.settings.first().map(|s| s.line), Some(14));
}

#[test]
fn a_bad_binding_is_skipped_with_its_line_and_the_others_stay() {
    let c = cfg("[[bind]]\nmatch = { name = \"a*\" }\nprofile = \"x\"\n\n[[bind]]\nmatch = { nmae = \"b\" }\nprofile = \"x\"\n\n[[bind]]\nmatch = { name = \"c\" }\n[bind.features]\ntso = \"of\"\n\n[[bind]]\nmatch = { name = \"d\" }\nenforce = \"always\"\nprofile = \"x\"\n\n[[bind]]\nprofile = \"x\"\n\n[[bind]]\nmatch = { name = \"e\" }\n\n[[bind]]\nmatch = { mac = \"nope\" }\nprofile = \"x\"\n\n[[bind]]\nmatch = { name = \"f\" \n");
    assert_eq!(c.bindings.len(), 1);
    assert_eq!(c.bindings.first().map(|b| b.line), Some(1));
    let got: Vec<(Option<usize>, String)> =
        c.broken.iter().map(problem).collect();
    let lines: Vec<Option<usize>> = got.iter().map(|g| g.0).collect();
    assert_eq!(
        lines,
        [Some(6), Some(12), Some(16), Some(19), Some(22), Some(26), Some(30)],
        "{got:?}"
    );
    assert!(got.iter().any(|(_, p)| p.contains("nmae")), "{got:?}");
    assert!(
        got.iter().any(|(_, p)| p.contains("\"on\" or \"off\"")),
        "{got:?}"
    );
    assert!(
        got.iter().any(|(_, p)| p.contains("\"appear\" or \"drift\"")),
        "{got:?}"
    );
    assert!(got.iter().any(|(_, p)| p.contains("no `match`")), "{got:?}");
    assert!(got.iter().any(|(_, p)| p.contains("sets nothing")), "{got:?}");
}

#[test]
fn every_key_given_must_match() {
    let c = cfg("[[bind]]\nmatch = { name = \"en*\", driver = \"e1000e\", path = \"pci-0000:00:1f.6\", mac = \"52:54:00:12:34:56\" }\nprofile = \"e1000e-hang-safe\"\n");
    let m = &c.bindings.first().unwrap().matcher;
    assert!(m.matches(&id("eno1", Some("e1000e"), Some("pci-0000:00:1f.6"))));
    assert!(!m.matches(&id("eno1", Some("igb"), Some("pci-0000:00:1f.6"))));
    assert!(!m.matches(&id("eno1", Some("e1000e"), None)));
    assert!(!m.matches(&id("wlan0", Some("e1000e"), Some("pci-0000:00:1f.6"))));
    let mut other = id("eno1", Some("e1000e"), Some("pci-0000:00:1f.6"));
    other.mac = Some("52:54:00:12:34:57".into());
    assert!(!m.matches(&other));
    other.mac = Some("52:54:00:12:34:56".to_uppercase());
    assert!(m.matches(&other));
}

#[test]
fn merged_and_contradicting_bindings() {
    let profiles = Profiles::builtin().unwrap();
    let c = cfg("[[bind]]\nmatch = { name = \"v*\" }\n[bind.features]\ntso = \"off\"\n\n[[bind]]\nmatch = { name = \"veth*\" }\nenforce = \"drift\"\n[bind.features]\ngso = \"off\"\ntso = \"off\"\n\n[[bind]]\nmatch = { name = \"veth9\" }\n[bind.features]\ntso = \"on\"\n");
    let d = c.desired(&id("veth0", None, None), &profiles).unwrap().unwrap();
    assert_eq!(d.lines, [1, 6]);
    assert_eq!(d.enforce, Enforce::Drift);
    let f: Vec<(&str, bool)> =
        d.profile.features.iter().map(|f| (f.name.as_str(), f.on)).collect();
    assert_eq!(f, [("tso", false), ("gso", false)]);
    assert_eq!(c.desired(&id("eth0", None, None), &profiles).unwrap(), None);
    let e = c.desired(&id("veth9", None, None), &profiles).unwrap_err();
    let (line, p) = problem(&e);
    assert_eq!(line, Some(13));
    assert!(
        p.contains("binding at line 1")
            && p.contains("binding at line 13")
            && p.contains("tso")
            && p.contains("veth9"),
        "{p}"
    );
}

#[test]
fn unknown_profiles_are_skipped_bindings() {
    let profiles = Profiles::builtin().unwrap();
    let mut c = cfg("[[bind]]\nmatch = { name = \"a\" }\nprofile = \"no-such-profile\"\n\n[[bind]]\nmatch = { driver = \"e1000e\" }\nprofile = \"e1000e-hang-safe\"\n");
    c.check_profiles(&profiles);
    assert_eq!(c.bindings.len(), 1);
    let (line, p) = problem(c.broken.first().unwrap());
    assert_eq!(line, Some(1));
    assert!(p.contains("no-such-profile"), "{p}");
    let d = c
        .desired(&id("eno1", Some("e1000e"), None), &profiles)
        .unwrap()
        .unwrap();
    assert_eq!(d.profile.name, "e1000e-hang-safe");
    assert_eq!(d.profile.drivers, ["e1000e"]);
}

#[test]
fn garbage_never_panics() {
    for t in [
        "",
        "\0",
        "[[bind]]",
        "[[bind]]\nmatch = 3",
        "x = 1",
        "[[bind]]\nmatch = { name = \"[\" }\nprofile = \"a\"",
        "[[bind]]\n[[bind]]\n",
    ] {
        let _ = Config::from_toml(t, Path::new("x"));
    }
    assert!(!glob("[", "a"));
    assert!(glob("[", "["));
}

/// The features `d` asks for, as written.
fn asked(d: &Desired) -> Vec<(&str, bool)> {
    d.profile.features.iter().map(|f| (f.name.as_str(), f.on)).collect()
}

#[test]
fn an_alias_and_a_kernel_name_contradicting_are_one_feature() {
    let profiles = Profiles::builtin().unwrap();
    let c = cfg("[[bind]]\nmatch = { name = \"v*\" }\n[bind.features]\ntso = \"off\"\n\n[[bind]]\nmatch = { name = \"veth*\" }\n[bind.features]\ntx-tcp-segmentation = \"on\"\n");
    let e = c.desired(&id("veth0", None, None), &profiles).unwrap_err();
    let (line, p) = problem(&e);
    assert_eq!(line, Some(6));
    assert_eq!(
        p,
        "binding at line 1 and binding at line 6 both match veth0 and disagree on kernel feature tx-tcp-segmentation (tso off vs tx-tcp-segmentation on)"
    );
    // sg and its kernel name, the kernel name written first
    let c = cfg("[[bind]]\nmatch = { name = \"v*\" }\n[bind.features]\ntx-scatter-gather = \"on\"\n\n[[bind]]\nmatch = { name = \"veth*\" }\n[bind.features]\nscatter-gather = \"off\"\n");
    let (line, p) =
        problem(&c.desired(&id("veth0", None, None), &profiles).unwrap_err());
    assert_eq!(line, Some(6));
    assert!(
        p.contains("kernel feature tx-scatter-gather (tx-scatter-gather on vs scatter-gather off)"),
        "{p}"
    );
    // a keyword's short and long names, on the members nobody names
    let c = cfg("[[bind]]\nmatch = { name = \"v*\" }\n[bind.features]\ntso = \"off\"\n\n[[bind]]\nmatch = { name = \"veth*\" }\n[bind.features]\ntcp-segmentation-offload = \"on\"\n");
    let (_, p) =
        problem(&c.desired(&id("veth0", None, None), &profiles).unwrap_err());
    assert!(
        p.contains("kernel features tx-tcp*-segmentation (tso off vs tcp-segmentation-offload on)"),
        "{p}"
    );
    // `_` and `-` are one, as the resolver takes them
    let c = cfg("[[bind]]\nmatch = { name = \"v*\" }\n[bind.features]\ntx-udp_tnl-segmentation = \"off\"\n\n[[bind]]\nmatch = { name = \"veth*\" }\n[bind.features]\ntx-udp-tnl-segmentation = \"on\"\n");
    let (_, p) =
        problem(&c.desired(&id("veth0", None, None), &profiles).unwrap_err());
    assert!(p.contains("kernel feature tx-udp_tnl-segmentation"), "{p}");
    // a keyword whose pattern is one name: gro is rx-gro
    let c = cfg("[[bind]]\nmatch = { name = \"v*\" }\n[bind.features]\nrx-gro = \"off\"\n\n[[bind]]\nmatch = { name = \"veth*\" }\n[bind.features]\ngro = \"on\"\n");
    let (_, p) =
        problem(&c.desired(&id("veth0", None, None), &profiles).unwrap_err());
    assert!(p.contains("kernel feature rx-gro (rx-gro off vs gro on)"), "{p}");
}

#[test]
fn an_alias_and_a_kernel_name_agreeing_merge() {
    let profiles = Profiles::builtin().unwrap();
    let c = cfg("[[bind]]\nmatch = { name = \"v*\" }\n[bind.features]\ntso = \"off\"\nsg = \"on\"\n\n[[bind]]\nmatch = { name = \"veth*\" }\n[bind.features]\ntx-tcp-segmentation = \"off\"\ntx-tcp6-segmentation = \"off\"\ntx-scatter-gather = \"on\"\ntso = \"off\"\n");
    let d = c.desired(&id("veth0", None, None), &profiles).unwrap().unwrap();
    assert_eq!(d.lines, [1, 7]);
    // Both spellings stay (each resolves on the device); the second
    // `tso = "off"` adds nothing after the first and is left out.
    assert_eq!(
        asked(&d),
        [
            ("tso", false),
            ("sg", true),
            ("tx-tcp-segmentation", false),
            ("tx-tcp6-segmentation", false),
            ("tx-scatter-gather", true),
        ]
    );
}

#[test]
fn a_keyword_and_one_of_its_members() {
    let profiles = Profiles::builtin().unwrap();
    let c = cfg("[[bind]]\nmatch = { name = \"v*\" }\n[bind.features]\ntx = \"off\"\n\n[[bind]]\nmatch = { name = \"veth*\" }\n[bind.features]\ntx-checksum-ipv4 = \"on\"\n");
    let (line, p) =
        problem(&c.desired(&id("veth0", None, None), &profiles).unwrap_err());
    assert_eq!(line, Some(6));
    assert!(
        p.contains(
            "kernel feature tx-checksum-ipv4 (tx off vs tx-checksum-ipv4 on)"
        ),
        "{p}"
    );
    // Within one binding a later mention wins, as in `ethtool -K`: all
    // checksums off but IPv4's. Another binding asking IPv4 on agrees,
    // and one asking IPv6 off too; one asking all of them off does not.
    let c = cfg("[[bind]]\nmatch = { name = \"v*\" }\n[bind.features]\ntx-checksum-ipv4 = \"on\"\n\n[[bind]]\nmatch = { name = \"veth*\" }\n[bind.features]\ntx = \"off\"\ntx-checksum-ipv4 = \"on\"\n\n[[bind]]\nmatch = { name = \"veth0\" }\n[bind.features]\ntx-checksum-ipv6 = \"off\"\n\n[[bind]]\nmatch = { name = \"veth9\" }\n[bind.features]\ntx-checksumming = \"off\"\n");
    let d = c.desired(&id("veth0", None, None), &profiles).unwrap().unwrap();
    // The second IPv4 mention stays: after `tx = "off"` it is what keeps
    // IPv4 on.
    assert_eq!(
        asked(&d),
        [
            ("tx-checksum-ipv4", true),
            ("tx", false),
            ("tx-checksum-ipv4", true),
            ("tx-checksum-ipv6", false),
        ]
    );
    let (line, p) =
        problem(&c.desired(&id("veth9", None, None), &profiles).unwrap_err());
    assert_eq!(line, Some(17));
    assert!(
        p.starts_with("binding at line 1 and binding at line 17")
            && p.contains("tx-checksum-ipv4 on vs tx-checksumming off"),
        "{p}"
    );
}

#[test]
fn a_profile_list_resolves_too() {
    let profiles = Profiles::builtin().unwrap();
    // capture: sg, tso, ... off
    let c = cfg("[[bind]]\nmatch = { name = \"v*\" }\nprofile = [\"e1000e-tso-off\", \"capture\"]\n\n[[bind]]\nmatch = { name = \"veth*\" }\n[bind.features]\ntx-tcp6-segmentation = \"on\"\n");
    let (line, p) =
        problem(&c.desired(&id("veth0", None, None), &profiles).unwrap_err());
    assert_eq!(line, Some(5));
    assert_eq!(
        p,
        "binding at line 1 (profile e1000e-tso-off) and binding at line 5 both match veth0 and disagree on kernel feature tx-tcp6-segmentation (tso off vs tx-tcp6-segmentation on)"
    );
    // A profile against an inline section of the same binding.
    let c = cfg("[[bind]]\nmatch = { name = \"v*\" }\nprofile = \"capture\"\n[bind.features]\ntx-scatter-gather = \"on\"\n");
    let (_, p) =
        problem(&c.desired(&id("veth0", None, None), &profiles).unwrap_err());
    assert!(
        p.starts_with("binding at line 1 (profile capture) and binding at line 1 both match veth0")
            && p.contains("tx-scatter-gather (sg off vs tx-scatter-gather on)"),
        "{p}"
    );
    // Agreeing: kernel names the profiles' keywords cover, set the same.
    let c = cfg("[[bind]]\nmatch = { name = \"v*\" }\nprofile = [\"e1000e-tso-off\", \"capture\"]\n\n[[bind]]\nmatch = { name = \"veth*\" }\n[bind.features]\ntx-tcp6-segmentation = \"off\"\nrx-gro = \"off\"\n");
    let d = c.desired(&id("veth0", None, None), &profiles).unwrap().unwrap();
    assert_eq!(d.profile.name, "e1000e-tso-off+capture+bind@5");
    assert!(asked(&d).contains(&("tx-tcp6-segmentation", false)));
}

#[test]
fn settings_keys_written_two_ways_are_one() {
    let profiles = Profiles::builtin().unwrap();
    let c = cfg("[[bind]]\nmatch = { name = \"v*\" }\n[bind.coalesce]\nrx-frames-low = 8\n\n[[bind]]\nmatch = { name = \"veth*\" }\n[bind.coalesce]\nrx-frame-low = 16\n");
    let (line, p) =
        problem(&c.desired(&id("veth0", None, None), &profiles).unwrap_err());
    assert_eq!(line, Some(6));
    assert_eq!(
        p,
        "binding at line 1 and binding at line 6 both match veth0 and disagree on [coalesce] rx-frame-low (rx-frames-low = 8 vs rx-frame-low = 16)"
    );
    // Agreeing: merged, both spellings kept; the same key as written is
    // one entry; one spelling as before.
    let c = cfg("[[bind]]\nmatch = { name = \"v*\" }\n[bind.coalesce]\nrx-frames-low = 8\nrx-usecs = 3\n\n[[bind]]\nmatch = { name = \"veth*\" }\n[bind.coalesce]\nrx-frame-low = 8\nrx-usecs = 3\n");
    let d = c.desired(&id("veth0", None, None), &profiles).unwrap().unwrap();
    let s: Vec<&str> =
        d.profile.settings.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(s, ["rx-frames-low", "rx-usecs", "rx-frame-low"]);
    let c = cfg("[[bind]]\nmatch = { name = \"v*\" }\n[bind.rings]\nrx = 256\n\n[[bind]]\nmatch = { name = \"veth*\" }\n[bind.rings]\nrx = 512\n");
    let (_, p) =
        problem(&c.desired(&id("veth0", None, None), &profiles).unwrap_err());
    assert_eq!(
        p,
        "binding at line 1 and binding at line 6 both match veth0 and disagree on [rings] rx"
    );
}

/// Two different keywords never name one kernel feature, which the merge
/// relies on: with at most one `*` each, two patterns share a name when
/// one's prefix starts the other's and one's suffix ends the other's.
#[test]
fn no_two_legacy_patterns_overlap() {
    use crate::ethtool::names::LEGACY_FLAGS;
    let split = |p: &'static str| p.split_once('*').unwrap_or((p, ""));
    for (i, a) in LEGACY_FLAGS.iter().enumerate() {
        for b in LEGACY_FLAGS.iter().skip(i + 1) {
            let shared =
                match (a.pattern.contains('*'), b.pattern.contains('*')) {
                    (false, false) => a.pattern == b.pattern,
                    (false, true) => crate::ethtool::names::pattern_matches(
                        a.pattern, b.pattern,
                    ),
                    (true, false) => crate::ethtool::names::pattern_matches(
                        b.pattern, a.pattern,
                    ),
                    (true, true) => {
                        let ((ap, as_), (bp, bs)) =
                            (split(a.pattern), split(b.pattern));
                        (ap.starts_with(bp) || bp.starts_with(ap))
                            && (as_.ends_with(bs) || bs.ends_with(as_))
                    }
                };
            assert!(!shared, "{} and {} overlap", a.short, b.short);
        }
    }
}
