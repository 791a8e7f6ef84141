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
