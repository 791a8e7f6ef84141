//! The readers on the public fixtures in `tests/fixtures/import/` (each
//! names its source), and the merge and preset rules.

use std::path::Path;

use super::*;

macro_rules! fixture {
    ($name:literal) => {
        (
            Path::new(concat!("/fx/", $name)),
            include_str!(concat!("../../../tests/fixtures/import/", $name)),
        )
    };
}

fn presets() -> Profiles {
    Profiles::builtin().unwrap()
}

fn one(src: (&Path, &str)) -> Import {
    let mut i = import([src]);
    i.name_presets(&presets());
    i
}

fn features(b: &Binding) -> Vec<(&str, bool)> {
    b.features.iter().map(|f| (f.name.as_str(), f.on)).collect()
}

fn settings(b: &Binding) -> Vec<(Group, &str, String)> {
    b.settings
        .iter()
        .map(|s| (s.group, s.key.as_str(), s.value.to_string()))
        .collect()
}

#[test]
fn the_field_reports_stanza_is_the_hang_safe_preset() {
    let i = one(fixture!("pve-field-report.interfaces"));
    assert_eq!(i.bindings.len(), 1);
    let b = &i.bindings[0];
    assert_eq!(b.matcher, Match::by_name("eno1"));
    assert_eq!(b.profile.as_deref(), Some("e1000e-hang-safe"));
    assert_eq!(b.origins()[0].line, 10);
    assert!(i.not_imported.is_empty());
    let toml = i.to_toml();
    assert!(toml.contains("profile = \"e1000e-hang-safe\""), "{toml}");
    assert!(toml.contains("# imported from /fx/pve-field-report.interfaces:10: post-up ethtool -K eno1 gso off"), "{toml}");
    assert!(!toml.contains("[bind.features]"), "{toml}");
}

#[test]
fn the_proxmox_community_scripts_unit_is_the_hang_safe_preset() {
    let i = one(fixture!("disable-nic-offload-eno1.service"));
    assert_eq!(i.bindings.len(), 1);
    assert_eq!(i.bindings[0].profile.as_deref(), Some("e1000e-hang-safe"));
    assert!(i.not_imported.is_empty());
}

#[test]
fn debian_and_ifupdown2_options_and_unsafe_lines() {
    let i = one(fixture!("debian-options.interfaces"));
    let names: Vec<_> =
        i.bindings.iter().map(|b| b.matcher.to_string()).collect();
    assert_eq!(names, ["name=eth0", "name=swp1", "name=eno2"]);
    let eth0 = &i.bindings[0];
    assert_eq!(features(eth0), [("gso", false), ("tso", false)]);
    assert_eq!(
        settings(eth0),
        [
            (Group::Rings, "rx", "1024".to_owned()),
            (Group::Coalesce, "rx-usecs", "50".to_owned()),
            (Group::Pause, "rx", "off".to_owned()),
            (Group::Pause, "tx", "off".to_owned()),
        ]
    );
    let swp1 = &i.bindings[1];
    assert_eq!(features(swp1), [("gro", false), ("lro", false)]);
    assert_eq!(settings(swp1).len(), 2);
    assert_eq!(i.bindings[2].profile, None);
    let why: Vec<(usize, &str)> = i
        .not_imported
        .iter()
        .map(|n| (n.origin.line, n.reason.as_str()))
        .collect();
    assert_eq!(why.len(), 5, "{why:?}");
    assert!(why[0].1.contains("link setting"));
    assert!(why[1].1.contains("shell variable"));
    assert!(why[2].1.contains("loop"));
    assert!(why[3].1.contains("||"));
    assert!(why[4].1.contains("ethtool -s"));
}

#[test]
fn units_keyfiles_and_link_files() {
    let i = one(fixture!("disable-offload.service"));
    assert_eq!(features(&i.bindings[0]), [("gro", false), ("lro", false)]);
    assert!(i.not_imported[0].reason.contains("%i"));

    let i = one(fixture!("eno1.nmconnection"));
    let b = &i.bindings[0];
    assert_eq!(b.matcher, Match::by_name("eno1"));
    assert_eq!(features(b), [("gro", false), ("tso", false)]);
    assert_eq!(settings(b).len(), 4);

    let i = one(fixture!("10-offload.link"));
    let b = &i.bindings[0];
    assert_eq!(b.matcher.mac.as_deref(), Some("00:a0:de:63:7a:e6"));
    assert_eq!(b.matcher.driver.as_deref(), Some("e1000e"));
    assert_eq!(features(b), [("tso", false), ("gso", false), ("gro", false)]);
    assert_eq!(
        settings(b),
        [
            (Group::Rings, "rx", "max".to_owned()),
            (Group::Coalesce, "rx-usecs", "50".to_owned()),
            (Group::Pause, "rx", "off".to_owned()),
        ]
    );
    let i = one(fixture!("20-path.link"));
    assert_eq!(i.bindings[0].matcher.path.as_deref(), Some("pci-0000:00:1f.6"));
    assert_eq!(i.bindings[0].profile.as_deref(), Some("e1000e-tso-off"));
    for f in [fixture!("30-type.link"), fixture!("40-name-glob.link")] {
        let i = one(f);
        assert!(i.bindings.is_empty());
        assert!(!i.not_imported.is_empty());
    }
}

#[test]
fn formats_are_told_by_extension_then_sections() {
    let (p, t) = fixture!("eno1.nmconnection");
    assert_eq!(Format::detect(p, t), Format::Keyfile);
    assert_eq!(Format::detect(Path::new("/x/conn"), t), Format::Keyfile);
    let (_, t) = fixture!("10-offload.link");
    assert_eq!(Format::detect(Path::new("/x/y"), t), Format::Link);
    let (_, t) = fixture!("disable-offload.service");
    assert_eq!(Format::detect(Path::new("/x/y"), t), Format::Unit);
    assert_eq!(
        Format::detect(Path::new("/x/interfaces"), "iface eno1"),
        Format::Interfaces
    );
}

#[test]
fn long_names_compare_as_short_and_extra_features_name_no_preset() {
    let i = one((Path::new("/i"), "iface eno1\n post-up ethtool --features eno1 tcp-segmentation-offload off\n"));
    assert_eq!(i.bindings[0].profile.as_deref(), Some("e1000e-tso-off"));
    let i = one((
        Path::new("/i"),
        "iface eno1\n post-up ethtool -K eno1 tso off gro off\n",
    ));
    assert_eq!(i.bindings[0].profile, None);
    // the eight plus EEE off is step 3 of the ladder
    let i = one((
        Path::new("/i"),
        "iface eno1\n post-up ethtool -K eno1 gso off gro off tso off tx off rx off rxvlan off txvlan off sg off\n post-up ethtool --set-eee eno1 eee off\n",
    ));
    assert_eq!(i.bindings[0].profile.as_deref(), Some("e1000e-hang-safe-eee"));
}

#[test]
fn lines_of_one_file_merge_and_other_files_that_contradict_are_left_out() {
    let i = one((Path::new("/i"), "iface eno1\n post-up ethtool -K eno1 tso off\n post-up ethtool -K eno1 tso on gso off\n"));
    assert_eq!(features(&i.bindings[0]), [("tso", true), ("gso", false)]);
    assert!(i.not_imported.is_empty());
    let mut i = import([
        (Path::new("/a"), "iface eno1\n post-up ethtool -K eno1 tso off\n"),
        (
            Path::new("/b.service"),
            "[Service]\nExecStart=/sbin/ethtool -K eno1 tso on gro off\n",
        ),
    ]);
    i.name_presets(&presets());
    assert_eq!(features(&i.bindings[0]), [("tso", false), ("gro", false)]);
    assert_eq!(i.not_imported.len(), 1);
    assert!(
        i.not_imported[0].reason.contains("contradicts /a:2"),
        "{:?}",
        i.not_imported
    );
}

#[test]
fn the_toml_is_a_valid_bindings_document() {
    let mut i = import([
        fixture!("debian-options.interfaces"),
        fixture!("pve-field-report.interfaces"),
    ]);
    i.name_presets(&presets());
    let text = i.to_toml();
    let doc: toml::Table = toml::from_str(&text).unwrap();
    let binds = doc["bind"].as_array().unwrap();
    assert_eq!(binds.len(), 4);
    assert_eq!(binds[0]["match"]["name"].as_str(), Some("eth0"));
    assert_eq!(binds[0]["rings"]["rx"].as_integer(), Some(1024));
    assert_eq!(binds[0]["features"]["tso"].as_str(), Some("off"));
    assert_eq!(binds[3]["profile"].as_str(), Some("e1000e-hang-safe"));
    assert!(text.contains("# Not imported"), "{text}");
}

#[test]
fn default_files_are_listed_under_a_root() {
    let root = std::env::temp_dir()
        .join(format!("ethcfg-import-root-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for d in [
        "etc/network/interfaces.d",
        "etc/systemd/system",
        "etc/systemd/network",
        "etc/NetworkManager/system-connections",
    ] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    for f in [
        "etc/network/interfaces",
        "etc/network/interfaces.d/eno1",
        "etc/network/interfaces.d/.hidden",
        "etc/systemd/system/x.service",
        "etc/systemd/system/x.timer",
        "etc/systemd/network/10-a.link",
        "etc/NetworkManager/system-connections/a.nmconnection",
    ] {
        std::fs::write(root.join(f), "").unwrap();
    }
    let got: Vec<String> = default_files(&root)
        .iter()
        .map(|p| p.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    assert_eq!(
        got,
        [
            "etc/network/interfaces",
            "etc/network/interfaces.d/eno1",
            "etc/systemd/system/x.service",
            "etc/systemd/network/10-a.link",
            "etc/NetworkManager/system-connections/a.nmconnection",
        ]
    );
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn unreadable_default_files_are_left_out_and_named() {
    let dir = std::env::temp_dir()
        .join(format!("ethcfg-import-lenient-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("x.service");
    std::fs::write(
        &good,
        "[Service]\nExecStart=/sbin/ethtool -K eno1 tso off\n",
    )
    .unwrap();
    let missing = dir.join("gone.link");
    let (i, unread) = read_files_lenient(&[missing.clone(), good.clone()]);
    assert_eq!(i.bindings[0].profile, None);
    assert_eq!(features(&i.bindings[0]), [("tso", false)]);
    assert_eq!(unread.len(), 1);
    assert_eq!(unread[0].path, missing);
    assert!(read_files(&[missing, good]).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn presets_for_one_driver_are_named_only_where_they_would_apply() {
    let link = |driver: &str| {
        format!("[Match]\nDriver={driver}\nMACAddress=00:11:22:33:44:55\n\n[Link]\nTCPSegmentationOffload=no\n")
    };
    let t = link("igc");
    let i = one((Path::new("/a.link"), t.as_str()));
    assert_eq!(i.bindings[0].profile, None);
    assert!(i.to_toml().contains("[bind.features]\ntso = \"off\""));
    let t = link("e1000e");
    let i = one((Path::new("/a.link"), t.as_str()));
    assert_eq!(i.bindings[0].profile.as_deref(), Some("e1000e-tso-off"));
    assert_eq!(i.bindings[0].note, None);
    let i = one(fixture!("pve-field-report.interfaces"));
    assert!(i.bindings[0].note.as_deref().unwrap().contains("force = true"));
    assert!(i
        .to_toml()
        .contains("# note: e1000e-hang-safe is meant for e1000e"));
}
