//! State records bound to the device, exact revert, a safe state directory
//! (issue 12, points 1-3): each test checks against `ethtool` that what
//! must not be touched is not, and that what revert restores is exactly
//! the state before.

use std::path::{Path, PathBuf};

use ethcfg_core::change::MissingGroup;
use ethcfg_core::settings::SettingsRequest;
use ethcfg_core::state::{Source, StateDir};
use ethcfg_core::{blocking::Client, FeatureRequest, FixedPolicy, IfaceRef};

use crate::harness::{self, tests};
use crate::util::*;

tests! {
    harness::root: [
        a_recreated_device_is_not_reverted_and_forget_drops_the_stale_record,
        a_renamed_device_s_record_follows_it,
        a_device_that_takes_the_name_is_not_touched,
        a_name_starting_with_hash_reverts,
        a_by_with_spaces_and_newlines_from_the_library_keeps_the_file_sound,
        revert_restores_what_the_profile_manages_even_if_unchanged,
        a_v1_records_file_is_still_read_and_rewritten_as_v2,
        a_failed_second_records_write_rolls_back_and_leaves_no_temp,
    ],
}

fn own_state(tag: &str) -> PathBuf {
    let d = scratch(&format!("state-rec-{tag}"));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn run(state: &Path, args: &[&str]) -> std::process::Output {
    ethcfg_cmd().env("ETHCFG_STATE_DIR", state).args(args).output().unwrap()
}

fn code(o: &std::process::Output) -> Option<i32> {
    o.status.code()
}

fn a_recreated_device_is_not_reverted_and_forget_drops_the_stale_record() {
    in_netns(|| {
        let state = own_state("recreated");
        veth("rca", "rcb");
        let o = run(&state, &["set", "rca", "tso", "off"]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        sh(&["ip", "link", "del", "rca"]);
        veth("rca", "rcb");
        sh(&["ethtool", "-K", "rca", "tso", "off", "gso", "off"]);
        let before = ethtool_state("rca");
        let o = run(&state, &["revert", "rca"]);
        assert_eq!(code(&o), Some(1), "{}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains("is gone"), "{e}");
        assert!(e.contains("ethcfg revert --forget rca"), "{e}");
        assert_eq!(ethtool_state("rca"), before, "the new device is untouched");
        let o = run(&state, &["revert", "--forget", "rca"]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        let o = run(&state, &["revert", "rca"]);
        assert_eq!(code(&o), Some(1));
        assert!(stderr(&o).contains("nothing to revert"), "{}", stderr(&o));
        assert_eq!(ethtool_state("rca"), before);
    });
}

fn a_renamed_device_s_record_follows_it() {
    in_netns(|| {
        let state = own_state("renamed");
        veth("rna", "rnb");
        let before = ethtool_state("rna");
        let o = run(&state, &["set", "--source", "hook", "rna", "tso", "off"]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        assert_ne!(ethtool_state("rna"), before);
        let o = run(&state, &["apply", "capture", "rna"]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        let r = StateDir::new(&state).load("rna").unwrap().unwrap();
        assert_eq!(r.source, Source::Hook, "the first run's source");
        assert_eq!((r.by.as_str(), r.last_by.as_str()), ("set", "capture"));
        sh(&["ip", "link", "set", "rna", "name", "rnz"]);
        let o = run(&state, &["revert", "rnz"]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        assert_eq!(ethtool_state("rnz"), before);
        assert_eq!(StateDir::new(&state).load_all().unwrap().len(), 0);
    });
}

fn a_device_that_takes_the_name_is_not_touched() {
    in_netns(|| {
        let state = own_state("taken");
        veth("tka", "tkb");
        let before = ethtool_state("tka");
        let o = run(&state, &["set", "tka", "tso", "off"]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        sh(&["ip", "link", "set", "tka", "name", "tkz"]);
        veth("tka", "tkc");
        sh(&["ethtool", "-K", "tka", "tso", "off"]);
        let newcomer = ethtool_state("tka");
        let o = run(&state, &["revert", "tka"]);
        assert_eq!(code(&o), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("is gone"), "{}", stderr(&o));
        assert_eq!(ethtool_state("tka"), newcomer, "the newcomer is untouched");
        let o = run(&state, &["revert", "tkz"]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        assert_eq!(ethtool_state("tkz"), before);
        assert_eq!(ethtool_state("tka"), newcomer);
    });
}

fn a_name_starting_with_hash_reverts() {
    in_netns(|| {
        let state = own_state("hash");
        veth("#ha", "hab");
        let before = ethtool_state("#ha");
        let o = run(&state, &["set", "#ha", "tso", "off"]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        assert_ne!(ethtool_state("#ha"), before);
        let o = run(&state, &["revert", "#ha"]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        assert_eq!(ethtool_state("#ha"), before);
    });
}

fn a_by_with_spaces_and_newlines_from_the_library_keeps_the_file_sound() {
    in_netns(|| {
        let dir = own_state("by");
        veth("bya", "byb");
        veth("byc", "byd");
        let (a0, c0) = (ethtool_state("bya"), ethtool_state("byc"));
        let state = StateDir::new(&dir);
        let mut client = Client::new().unwrap();
        {
            let _lock = state.lock().unwrap();
            let plan = client
                .plan_change_with(
                    "my tool v2\n#3 run",
                    &[IfaceRef::by_name("bya").unwrap()],
                    &FeatureRequest::new().disable("tso"),
                    &SettingsRequest::new(),
                    FixedPolicy::Error,
                    MissingGroup::Error,
                )
                .unwrap();
            client.apply_change(&plan, &state, false).unwrap();
        }
        // a later run reads the file and adds to it
        let o = run(&dir, &["set", "byc", "gso", "off"]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        let r = state.load("bya").unwrap().unwrap();
        assert_eq!(r.by, "my tool v2\n#3 run");
        let o = run(&dir, &["revert", "bya", "byc"]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        assert_eq!((ethtool_state("bya"), ethtool_state("byc")), (a0, c0));
    });
}

fn revert_restores_what_the_profile_manages_even_if_unchanged() {
    in_netns(|| {
        let state = own_state("exact");
        veth("exa", "exb");
        // gro off before: the profile asks for off, so it is not sent
        sh(&["ethtool", "-K", "exa", "gro", "off"]);
        let before = ethtool_state("exa");
        let o = run(&state, &["apply", "--force", "e1000e-hang-safe", "exa"]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        sh(&["ethtool", "-K", "exa", "gro", "on"]);
        let o = run(&state, &["revert", "exa"]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        assert_eq!(ethtool_state("exa"), before, "gro is back off");

        // a feature no run asked for and none saw change stays as set
        let o = run(&state, &["set", "exa", "tso", "off"]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        sh(&["ethtool", "-K", "exa", "rx-gro-list", "on"]);
        let mut want = before.clone();
        want.insert("rx-gro-list".into(), ethtool_state("exa")["rx-gro-list"]);
        let o = run(&state, &["revert", "exa"]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        assert_eq!(ethtool_state("exa"), want);
    });
}

/// The index of `iface` in the calling thread's namespace.
fn ifindex(iface: &str) -> u32 {
    let out = sh(&["ip", "-o", "link", "show", "dev", iface]);
    out.split(':').next().unwrap().trim().parse().unwrap()
}

fn a_v1_records_file_is_still_read_and_rewritten_as_v2() {
    in_netns(|| {
        let dir = own_state("v1");
        std::fs::create_dir_all(&dir).unwrap();
        veth("v1a", "v1b");
        let before = ethtool_state("v1a");
        // what ethcfg 0.1 wrote after `set v1a tso off`
        sh(&["ethtool", "-K", "v1a", "tso", "off"]);
        let after = ethtool_state("v1a");
        let words: Vec<String> = before
            .iter()
            .filter(|(n, s)| after.get(*n) != Some(*s))
            .map(|(n, (a, r, _))| {
                format!("{n}={}{}", u8::from(*a), u8::from(*r))
            })
            .collect();
        assert!(!words.is_empty());
        let link = std::fs::read_link("/proc/thread-self/ns/net").unwrap();
        let ino = link
            .to_str()
            .unwrap()
            .trim_start_matches("net:[")
            .trim_end_matches(']')
            .to_owned();
        let v1 = dir.join(format!("records@netns{ino}"));
        std::fs::write(
            &v1,
            format!(
                "# ethcfg state records v1: <ifname> <ifindex> <by> <created> ...\n\
                 v1a {} set 1795323749 {}\n",
                ifindex("v1a"),
                words.join(" ")
            ),
        )
        .unwrap();
        // the next write is v2, holding the v1 record too
        let o = run(&dir, &["set", "v1b", "gso", "off"]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        assert!(!v1.exists(), "the v1 file is replaced");
        let v2: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.starts_with("records@"))
            .collect();
        assert_eq!(v2.len(), 1, "{v2:?}");
        let text = std::fs::read_to_string(dir.join(&v2[0])).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["version"], 2);
        assert_eq!(doc["records"].as_array().unwrap().len(), 2);
        let o = run(&dir, &["revert", "v1a", "v1b"]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        assert_eq!(ethtool_state("v1a"), before);
    });
}

/// Moves the calling thread into a private mount namespace, so a tmpfs
/// mounted from it (and seen by the children it starts) stays there.
fn private_mounts() {
    #[allow(unsafe_code)]
    // SAFETY: unshare(2) takes a flag word and touches no memory of ours.
    let rc = unsafe { libc::unshare(libc::CLONE_NEWNS) };
    assert_eq!(
        rc,
        0,
        "unshare(CLONE_NEWNS): {}",
        std::io::Error::last_os_error()
    );
    sh(&["mount", "--make-rprivate", "/"]);
}

fn a_failed_second_records_write_rolls_back_and_leaves_no_temp() {
    in_netns(|| {
        private_mounts();
        veth("nsa", "nsb");
        // How large the records of this change are, on a sibling.
        let probe = own_state("enospc-probe");
        let o = run(&probe, &["set", "nsb", "sg", "off"]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        let size: u64 = std::fs::read_dir(&probe)
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.file_name().to_string_lossy().starts_with("records"))
            .map(|e| e.metadata().unwrap().len())
            .sum();
        let o = run(&probe, &["revert", "nsb"]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        // Room for the lock (it holds the holder's pid: a page) and the
        // first write, but not for the second beside it.
        let pages = (size + 64).div_ceil(4096);
        let dir = own_state("enospc");
        std::fs::create_dir_all(&dir).unwrap();
        let opts = format!("size={}k,mode=0700", (2 * pages) * 4);
        sh(&[
            "mount",
            "-t",
            "tmpfs",
            "-o",
            &opts,
            "tmpfs",
            dir.to_str().unwrap(),
        ]);
        let before = ethtool_state("nsa");
        let o = run(&dir, &["set", "nsa", "sg", "off"]);
        let e = stderr(&o);
        assert_eq!(code(&o), Some(1), "{e}");
        assert!(e.contains("rolled back"), "{e}");
        assert_eq!(ethtool_state("nsa"), before, "rolled back");
        let left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(left, ["lock"], "no temp file, no record left");
        sh(&["umount", dir.to_str().unwrap()]);
    });
}
