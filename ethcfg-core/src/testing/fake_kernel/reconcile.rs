//! Fake-kernel tests of the reconcile (`--source hook`, the configuration):
//! moving between desired states without touching what both want, silence
//! when nothing differs, letting go of what is no longer wanted, and never
//! undoing what another source manages.

use futures::executor::block_on;

use crate::change::Engine;
use crate::ethtool::features::{FeatureRequest, FixedPolicy, Status};
use crate::ethtool::session::Session;
use crate::iface::IfaceRef;
use crate::netlink::wire::consts::*;
use crate::profile::Profile;
use crate::state::{Source, StateDir};
use crate::testing::fake::*;

type Responder = Box<dyn FnMut(&[u8]) -> Vec<Vec<u8>>>;

fn sets(log: &Log) -> usize {
    log.borrow()
        .iter()
        .filter(|r| Req::parse(r).is(ETHTOOL_MSG_FEATURES_SET))
        .count()
}

fn desired(name: &str, features: &[(&str, bool)]) -> Profile {
    let mut p = Profile::new(name);
    for (f, on) in features {
        p.push_feature(*f, *on);
    }
    p
}

fn active(s: &mut Session<Fake<Responder>>, name: &str) -> bool {
    let f = block_on(s.features(&IfaceRef::by_name("eth0").unwrap())).unwrap();
    let on = f.iter().find(|g| g.name == name).map(|g| g.active).unwrap();
    on
}

#[test]
fn a_reconcile_moves_between_desired_states_and_never_undoes_another_source() {
    let fake = Fake::new(Box::new(Kernel::new().responder()) as Responder);
    let log = fake.log();
    let mut s = block_on(Session::connect(fake)).unwrap();
    let dir = std::env::temp_dir()
        .join(format!("ethcfg-fake-reconcile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let state = StateDir::new(&dir);
    let eth0 = [IfaceRef::by_name("eth0").unwrap()];
    let hook = |s: &mut Session<Fake<Responder>>, p: &Profile| {
        block_on(Engine::new(s).reconcile(
            Source::Hook,
            p,
            &eth0,
            true,
            &state,
            false,
        ))
        .unwrap()
    };

    // The stanza's first state: gro and gso off.
    let first = desired("p1", &[("gro", false), ("gso", false)]);
    let out = hook(&mut s, &first);
    assert!(out.outcomes[0].changed());
    assert!(
        !active(&mut s, "rx-gro") && !active(&mut s, "tx-generic-segmentation")
    );

    // The same again: nothing is sent, nothing recorded anew.
    let n = sets(&log);
    let text = std::fs::read_dir(&dir).unwrap().count();
    let out = hook(&mut s, &first);
    assert!(!out.outcomes[0].changed());
    assert_eq!(sets(&log), n, "a second reload sends nothing");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), text);

    // Another state: gso (wanted by both) untouched, gro back, tso off.
    let second = desired("p2", &[("gso", false), ("tso", false)]);
    let out = hook(&mut s, &second);
    let changed: Vec<(&str, bool, Status)> = out.outcomes[0]
        .changes
        .iter()
        .map(|c| (c.feature.as_str(), c.to, c.status))
        .collect();
    assert!(
        changed.contains(&("rx-gro", true, Status::Applied)),
        "{changed:?}"
    );
    assert!(
        changed.contains(&("tx-tcp-segmentation", false, Status::Applied)),
        "{changed:?}"
    );
    assert!(
        !changed.iter().any(|(f, _, _)| *f == "tx-generic-segmentation"),
        "what both want is not touched: {changed:?}"
    );
    assert!(
        active(&mut s, "rx-gro") && !active(&mut s, "tx-generic-segmentation")
    );

    // A person asks for tso off (already so) and tx-tcp6-segmentation off.
    let plan = block_on(Engine::new(&mut s).plan_change(
        "set",
        &eth0,
        &FeatureRequest::new().disable("tso").disable("tx-checksum-ipv6"),
        FixedPolicy::Error,
    ))
    .unwrap();
    block_on(Engine::new(&mut s).apply_change(&plan, &state, false)).unwrap();

    // The stanza drops everything: the hook lets go. gso comes back; tso
    // and tx-checksum-ipv6 stay off: the person's.
    let out = block_on(Engine::new(&mut s).revert_source(
        Source::Hook,
        &eth0,
        &state,
    ))
    .unwrap();
    assert!(out.outcomes[0].changed());
    assert!(active(&mut s, "tx-generic-segmentation"));
    assert!(!active(&mut s, "tx-tcp-segmentation"));
    assert!(!active(&mut s, "tx-checksum-ipv6"));
    let rec = state.load("eth0").unwrap().unwrap();
    assert!(!rec.managed_by(Source::Hook) && rec.managed_by(Source::Cli));
    // Nothing of the hook's left: a second revert of its is "no record".
    let e = block_on(Engine::new(&mut s).revert_source(
        Source::Hook,
        &eth0,
        &state,
    ))
    .unwrap_err();
    assert!(matches!(e, crate::Error::NoRecord { .. }), "{e}");

    // The person's revert restores the rest, exactly.
    block_on(Engine::new(&mut s).revert(&eth0, &state)).unwrap();
    assert!(
        active(&mut s, "tx-tcp-segmentation")
            && active(&mut s, "tx-checksum-ipv6")
    );
    assert_eq!(state.load("eth0").unwrap(), None);
    let _ = std::fs::remove_dir_all(&dir);
}
