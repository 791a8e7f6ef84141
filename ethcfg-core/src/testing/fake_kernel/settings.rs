//! Fake-kernel tests of the settings operations: the session against a
//! scripted kernel (crate::testing::fake) extended with a model of one NIC's
//! settings and its driver's habits — e1000e's ring rounding, its pause
//! quirk, refusals with and without extack. The model validates requests
//! as strictly as the kernel does: only settable attributes of the right
//! width, no unsupported coalescing parameter, compact GETs without STATS.

use std::collections::BTreeMap;

use futures::executor::block_on;

use crate::error::{Error, ErrorKind};
use crate::ethtool::session::Session;
use crate::ethtool::settings::*;
use crate::iface::IfaceRef;
use crate::netlink::wire::consts::*;
use crate::testing::fake::{
    ack, bitset, error, ethtool_msg, find, reply_header, stringset_of,
    stringsets, tlvs, Fake, Kernel, Log, Nla, Req,
};

type Responder = Box<dyn FnMut(&[u8]) -> Vec<Vec<u8>>>;

/// A settings GET's reply command, from its request command.
fn reply_cmd(get: u8) -> u8 {
    get + 1
}

/// The attributes a SET of `set` may carry, and whether each is a u8.
fn settable(set: u8) -> Vec<(u16, bool)> {
    match set {
        ETHTOOL_MSG_RINGS_SET => (6..=9).map(|a| (a, false)).collect(),
        ETHTOOL_MSG_CHANNELS_SET => (6..=9).map(|a| (a, false)).collect(),
        ETHTOOL_MSG_COALESCE_SET => {
            (2..=25).map(|a| (a, matches!(a, 11 | 12 | 24 | 25))).collect()
        }
        ETHTOOL_MSG_PAUSE_SET => vec![(2, true), (3, true), (4, true)],
        ETHTOOL_MSG_EEE_SET => vec![(5, true), (6, true), (7, false)],
        other => panic!("not a scalar SET: {other}"),
    }
}

/// Whether attribute `a` of the reply to `get` is a u8.
fn is_u8(get: u8, a: u16) -> bool {
    match get {
        ETHTOOL_MSG_COALESCE_GET => matches!(a, 11 | 12 | 24 | 25),
        ETHTOOL_MSG_PAUSE_GET => true,
        ETHTOOL_MSG_EEE_GET => matches!(a, 4..=6),
        _ => false,
    }
}

/// One NIC (ifindex 2, `eth0`) as its driver holds it.
#[derive(Debug, Clone)]
struct Nic {
    /// By GET command: attribute → value (maxima included). A missing
    /// group is a driver without the operation.
    groups: BTreeMap<u8, BTreeMap<u16, u32>>,
    /// Private flags by bit; `None`: no PRIVFLAGS operation.
    flags: Option<Vec<(String, bool)>>,
    /// e1000e: ring sizes are rounded up to a multiple of this.
    ring_round: u32,
    /// e1000e: `pause rx off` with autoneg on returns 0 and keeps rx on.
    pause_rx_sticks_with_autoneg: bool,
    /// SET command → (errno, extack) the driver answers with.
    refuse: BTreeMap<u8, (i32, Option<&'static str>)>,
}

impl Nic {
    /// An e1000e 82574L: rings 256/4096, no channels, coalesce rx-usecs
    /// only, pause on with autoneg, no EEE, two private flags.
    fn e1000e() -> Nic {
        let mut groups = BTreeMap::new();
        groups.insert(
            ETHTOOL_MSG_RINGS_GET,
            BTreeMap::from([(2, 4096), (5, 4096), (6, 256), (9, 256)]),
        );
        groups.insert(ETHTOOL_MSG_COALESCE_GET, BTreeMap::from([(2, 3)]));
        groups.insert(
            ETHTOOL_MSG_PAUSE_GET,
            BTreeMap::from([(2, 1), (3, 1), (4, 1)]),
        );
        Nic {
            groups,
            flags: Some(vec![
                ("s0ix-enabled".into(), true),
                ("disable-k1".into(), false),
            ]),
            ring_round: 8,
            pause_rx_sticks_with_autoneg: true,
            refuse: BTreeMap::new(),
        }
    }

    fn get_reply(&self, req: &Req) -> Vec<Vec<u8>> {
        let h = req.header().unwrap();
        assert_eq!(h.flags, 1, "GETs ask for compact bitsets, never STATS");
        if req.cmd == ETHTOOL_MSG_PRIVFLAGS_GET {
            let Some(flags) = &self.flags else {
                return vec![error(req, libc::EOPNOTSUPP, None)];
            };
            let n = flags.len() as u32;
            let on: Vec<u32> =
                (0..n).filter(|&i| flags[i as usize].1).collect();
            let all: Vec<u32> = (0..n).collect();
            let msg = ethtool_msg(
                0,
                req.seq,
                ETHTOOL_MSG_PRIVFLAGS_GET_REPLY,
                &[
                    reply_header(2, "eth0"),
                    bitset(ETHTOOL_A_PRIVFLAGS_FLAGS, n, &on, &all),
                ],
            );
            return vec![msg, ack(req)];
        }
        let Some(g) = self.groups.get(&req.cmd) else {
            return vec![error(req, libc::EOPNOTSUPP, None)];
        };
        let mut attrs = vec![reply_header(2, "eth0")];
        if req.cmd == ETHTOOL_MSG_EEE_GET {
            // the link-mode bitsets, to be skipped
            attrs.push(bitset(ETHTOOL_A_EEE_MODES_OURS, 92, &[5], &[3, 5]));
        }
        for (&a, &v) in g {
            attrs.push(if is_u8(req.cmd, a) {
                Nla::Raw(a, vec![u8::try_from(v).unwrap()])
            } else {
                Nla::U32(a, v)
            });
        }
        vec![ethtool_msg(0, req.seq, reply_cmd(req.cmd), &attrs), ack(req)]
    }

    fn strset_reply(&self, req: &Req) -> Vec<Vec<u8>> {
        let names: Vec<&str> =
            self.flags.iter().flatten().map(|(n, _)| n.as_str()).collect();
        let mut attrs = vec![reply_header(2, "eth0")];
        // the kernel omits an empty set
        if !names.is_empty() {
            attrs.push(stringsets(vec![stringset_of(
                ETH_SS_PRIV_FLAGS,
                &names,
            )]));
        }
        vec![
            ethtool_msg(0, req.seq, ETHTOOL_MSG_STRSET_GET_REPLY, &attrs),
            ack(req),
        ]
    }

    fn set(&mut self, req: &Req) -> Vec<Vec<u8>> {
        let h = req.header().unwrap();
        assert_eq!(h.index, Some(2), "SETs go by index");
        assert_eq!(h.flags & 4, 0, "never STATS");
        if let Some(&(errno, msg)) = self.refuse.get(&req.cmd) {
            return vec![error(req, errno, msg)];
        }
        if req.cmd == ETHTOOL_MSG_PRIVFLAGS_SET {
            return self.set_flags(req);
        }
        let get = req.cmd - 1;
        let Some(cur) = self.groups.get(&get).cloned() else {
            return vec![error(req, libc::EOPNOTSUPP, None)];
        };
        let allowed = settable(req.cmd);
        let mut asked = Vec::new();
        for (kind, v) in tlvs(&req.body) {
            if kind & NLA_TYPE_MASK == 1 {
                continue;
            }
            let Some(&(_, u8_attr)) = allowed.iter().find(|(a, _)| *a == kind)
            else {
                return vec![error(
                    req,
                    libc::EINVAL,
                    Some("Unknown attribute type"),
                )];
            };
            let value = if u8_attr {
                assert_eq!(v.len(), 1, "attribute {kind} is a u8");
                u32::from(v[0])
            } else {
                assert_eq!(v.len(), 4, "attribute {kind} is a u32");
                u32::from_ne_bytes(v[..4].try_into().unwrap())
            };
            if req.cmd == ETHTOOL_MSG_COALESCE_SET && !cur.contains_key(&kind) {
                return vec![error(
                    req,
                    libc::EINVAL,
                    Some("cannot modify an unsupported parameter"),
                )];
            }
            asked.push((kind, value));
        }
        assert!(!asked.is_empty(), "a SET with nothing in it");
        let mut new = cur.clone();
        for (a, v) in asked {
            let v = match req.cmd {
                ETHTOOL_MSG_RINGS_SET | ETHTOOL_MSG_CHANNELS_SET => {
                    let max = cur.get(&(a - 4)).copied().unwrap_or(0);
                    if v > max {
                        let what = if req.cmd == ETHTOOL_MSG_RINGS_SET {
                            "requested ring size exceeds maximum"
                        } else {
                            "requested channel count exceeds maximum"
                        };
                        return vec![error(req, libc::EINVAL, Some(what))];
                    }
                    if req.cmd == ETHTOOL_MSG_RINGS_SET {
                        v.div_ceil(self.ring_round) * self.ring_round
                    } else {
                        v
                    }
                }
                _ => v,
            };
            new.insert(a, v);
        }
        if req.cmd == ETHTOOL_MSG_PAUSE_SET
            && self.pause_rx_sticks_with_autoneg
            && new[&ETHTOOL_A_PAUSE_AUTONEG] == 1
        {
            new.insert(ETHTOOL_A_PAUSE_RX, cur[&ETHTOOL_A_PAUSE_RX]);
        }
        self.groups.insert(get, new);
        vec![ack(req)]
    }

    /// PRIVFLAGS_SET: a verbose, name-keyed value/mask bitset.
    fn set_flags(&mut self, req: &Req) -> Vec<Vec<u8>> {
        let Some(flags) = &mut self.flags else {
            return vec![error(req, libc::EOPNOTSUPP, None)];
        };
        let (kind, nest) = find(&req.body, ETHTOOL_A_PRIVFLAGS_FLAGS).unwrap();
        assert_ne!(kind & NLA_F_NESTED, 0);
        let mut asked = Vec::new();
        for (k, bits) in tlvs(&nest) {
            assert_eq!(k, ETHTOOL_A_BITSET_BITS | NLA_F_NESTED, "only BITS");
            for (k, bit) in tlvs(&bits) {
                assert_eq!(k, ETHTOOL_A_BITSET_BITS_BIT | NLA_F_NESTED);
                let mut name = None;
                let mut on = false;
                for (k, v) in tlvs(&bit) {
                    match k {
                        ETHTOOL_A_BITSET_BIT_NAME => {
                            let end = v.iter().position(|&b| b == 0).unwrap();
                            name = Some(
                                String::from_utf8(v[..end].to_vec()).unwrap(),
                            );
                        }
                        ETHTOOL_A_BITSET_BIT_VALUE => on = true,
                        other => panic!("bit attribute {other}"),
                    }
                }
                asked.push((name.expect("flags by name"), on));
            }
        }
        for (name, on) in asked {
            let Some(f) = flags.iter_mut().find(|f| f.0 == name) else {
                return vec![error(
                    req,
                    libc::EOPNOTSUPP,
                    Some("bit name not found"),
                )];
            };
            f.1 = on;
        }
        vec![ack(req)]
    }

    /// Answers the settings requests; `None` for the rest (the standard
    /// kernel model answers those).
    fn respond(&mut self, req: &Req) -> Option<Vec<Vec<u8>>> {
        if req.ty != crate::testing::fake::FAMILY_ID {
            return None;
        }
        let h = req.header()?;
        let per_device = h.index.is_some() || h.name.is_some();
        let ours = match req.cmd {
            ETHTOOL_MSG_STRSET_GET => per_device,
            c => (ETHTOOL_MSG_PRIVFLAGS_GET..=ETHTOOL_MSG_EEE_SET).contains(&c),
        };
        if !ours {
            return None;
        }
        if h.index.is_some_and(|i| i != 2)
            || h.name.as_deref().is_some_and(|n| n != "eth0")
        {
            return Some(vec![error(
                req,
                libc::ENODEV,
                Some("no device matches name"),
            )]);
        }
        Some(match req.cmd {
            ETHTOOL_MSG_STRSET_GET => self.strset_reply(req),
            c if c % 2 == 1 => self.get_reply(req),
            _ => self.set(req),
        })
    }
}

/// A session on the standard fake kernel plus `nic`, with the settings
/// ops (15..=24) in the op table unless `old_kernel`.
fn session_on(
    mut nic: Nic,
    old_kernel: bool,
) -> (Session<Fake<Responder>>, Log) {
    let mut k = Kernel::new();
    if !old_kernel {
        for op in 15..=24 {
            k.ops.push((op, if op % 2 == 1 { 0xe } else { 0x1a }));
        }
    }
    let responder = move |raw: &[u8]| {
        let req = Req::parse(raw);
        nic.respond(&req).unwrap_or_else(|| k.respond(raw))
    };
    let fake = Fake::new(Box::new(responder) as Responder);
    let log = fake.log();
    (block_on(Session::connect(fake)).unwrap(), log)
}

fn session(nic: Nic) -> (Session<Fake<Responder>>, Log) {
    session_on(nic, false)
}

fn eth0() -> IfaceRef {
    IfaceRef::by_name("eth0").unwrap()
}

fn requests(log: &Log) -> Vec<Req> {
    log.borrow().iter().map(|r| Req::parse(r)).collect()
}

const SETS: [u8; 6] = [
    ETHTOOL_MSG_PRIVFLAGS_SET,
    ETHTOOL_MSG_RINGS_SET,
    ETHTOOL_MSG_CHANNELS_SET,
    ETHTOOL_MSG_COALESCE_SET,
    ETHTOOL_MSG_PAUSE_SET,
    ETHTOOL_MSG_EEE_SET,
];

/// The SET requests sent so far.
fn sets(log: &Log) -> Vec<Req> {
    requests(log)
        .into_iter()
        .filter(|r| SETS.iter().any(|&c| r.is(c)))
        .collect()
}

/// A SET's attributes after the header: (type, payload).
fn set_attrs(r: &Req) -> Vec<(u16, Vec<u8>)> {
    tlvs(&r.body).into_iter().filter(|(k, _)| k & NLA_TYPE_MASK != 1).collect()
}

fn plan_and_execute(
    s: &mut Session<Fake<Responder>>,
    req: &SettingsRequest,
) -> crate::Result<Vec<SettingChange>> {
    let plan = block_on(s.plan_settings(&eth0(), req))?;
    block_on(s.execute_settings(&plan))
}

fn change<'a>(
    out: &'a [SettingChange],
    g: Group,
    key: &str,
) -> &'a SettingChange {
    out.iter()
        .find(|c| c.group == g && c.key == key)
        .unwrap_or_else(|| panic!("no change for {g} {key}: {out:?}"))
}

#[test]
fn settings_reads_every_group_and_none_for_what_the_driver_lacks() {
    let (mut s, log) = session(Nic::e1000e());
    let st = block_on(s.settings(&eth0())).unwrap();
    assert_eq!((st.ifname.as_str(), st.ifindex), ("eth0", 2));
    let rings = st.rings.as_ref().unwrap();
    assert_eq!(
        rings.values,
        [
            ("rx".to_owned(), Value::Num(256)),
            ("tx".to_owned(), Value::Num(256))
        ]
    );
    assert_eq!(rings.max("rx"), Some(4096));
    assert!(st.channels.is_none(), "CHANNELS_GET: EOPNOTSUPP");
    assert!(st.eee.is_none(), "EEE_GET: EOPNOTSUPP");
    assert_eq!(
        st.coalesce.as_ref().unwrap().values,
        [("rx-usecs".to_owned(), Value::Num(3))]
    );
    assert_eq!(
        st.pause.as_ref().unwrap().get("autoneg"),
        Some(Value::Bool(true))
    );
    assert_eq!(
        st.private_flags.as_ref().unwrap().values,
        [
            ("s0ix-enabled".to_owned(), Value::Bool(true)),
            ("disable-k1".to_owned(), Value::Bool(false))
        ]
    );
    // one per-device STRSET_GET (by name, as given), then one GET per
    // group by index
    let reqs = requests(&log);
    let strset: Vec<&Req> =
        reqs.iter().filter(|r| r.is(ETHTOOL_MSG_STRSET_GET)).collect();
    assert_eq!(strset.len(), 1);
    assert_eq!(strset[0].header().unwrap().name.as_deref(), Some("eth0"));
    for get in [13, 15, 17, 19, 21, 23] {
        let r: Vec<&Req> = reqs.iter().filter(|r| r.is(get)).collect();
        assert_eq!(r.len(), 1, "GET {get}");
        assert_eq!(r[0].header().unwrap().index, Some(2));
    }
    assert!(sets(&log).is_empty());
}

#[test]
fn eee_is_read_with_its_link_modes_skipped() {
    let mut nic = Nic::e1000e();
    nic.groups.insert(
        ETHTOOL_MSG_EEE_GET,
        BTreeMap::from([(4, 0), (5, 1), (6, 1), (7, 17)]),
    );
    let (mut s, _) = session(nic);
    let eee = block_on(s.settings(&eth0())).unwrap().eee.unwrap();
    assert_eq!(
        eee.values,
        [
            ("enabled".to_owned(), Value::Bool(true)),
            ("tx-lpi".to_owned(), Value::Bool(true)),
            ("tx-lpi-timer".to_owned(), Value::Num(17)),
        ]
    );
    assert_eq!(eee.read_only, [("active".to_owned(), Value::Bool(false))]);
}

#[test]
fn a_group_the_driver_lacks_is_refused_before_any_set() {
    let (mut s, log) = session(Nic::e1000e());
    let req = SettingsRequest::new()
        .set(Group::Rings, "rx", Target::Num(512))
        .set(Group::Eee, "enabled", Target::Bool(false));
    let e = plan_and_execute(&mut s, &req).unwrap_err();
    assert!(
        matches!(&e, Error::SettingUnsupported { iface, group: "eee", detail }
            if iface == "eth0" && detail == "EEE_GET: EOPNOTSUPP"),
        "{e:?}"
    );
    assert_eq!(e.kind(), ErrorKind::NotSupported);
    assert!(sets(&log).is_empty(), "nothing was sent, not even the rings");
}

#[test]
fn max_resolves_to_the_maximum_and_only_asked_attributes_are_sent() {
    let (mut s, log) = session(Nic::e1000e());
    let req = SettingsRequest::new().set(Group::Rings, "rx", Target::Max);
    let out = plan_and_execute(&mut s, &req).unwrap();
    assert_eq!(
        out,
        [SettingChange {
            group: Group::Rings,
            key: "rx".into(),
            from: Value::Num(256),
            to: Value::Num(4096),
            now: Value::Num(4096),
            status: Status::Applied,
            reason: None,
        }]
    );
    let sent = sets(&log);
    assert_eq!(sent.len(), 1);
    assert!(sent[0].is(ETHTOOL_MSG_RINGS_SET));
    assert_eq!(sent[0].flags, NLM_F_REQUEST | NLM_F_ACK);
    assert_eq!(
        set_attrs(&sent[0]),
        [(ETHTOOL_A_RINGS_RX, 4096u32.to_ne_bytes().to_vec())],
        "only RX: not TX, not the maxima"
    );
    // re-read after the SET
    let after = requests(&log)
        .iter()
        .skip_while(|r| !r.is(ETHTOOL_MSG_RINGS_SET))
        .filter(|r| r.is(ETHTOOL_MSG_RINGS_GET))
        .count();
    assert_eq!(after, 1);
}

#[test]
fn a_ring_size_the_driver_rounds_is_adjusted() {
    let mut nic = Nic::e1000e();
    nic.groups.get_mut(&ETHTOOL_MSG_RINGS_GET).unwrap().insert(6, 1024);
    let (mut s, _) = session(nic);
    let req = SettingsRequest::new()
        .set(Group::Rings, "rx", Target::Num(250))
        .set(Group::Rings, "tx", Target::Num(1024));
    let out = plan_and_execute(&mut s, &req).unwrap();
    assert_eq!(
        change(&out, Group::Rings, "rx"),
        &SettingChange {
            group: Group::Rings,
            key: "rx".into(),
            from: Value::Num(1024),
            to: Value::Num(250),
            now: Value::Num(256),
            status: Status::Adjusted,
            reason: None,
        },
        "250 is read back as 256 (a multiple of 8)"
    );
    assert_eq!(change(&out, Group::Rings, "tx").status, Status::Applied);

    // rounded to what it already was: by the rules, the driver kept the
    // old value
    let req = SettingsRequest::new().set(Group::Rings, "rx", Target::Num(251));
    let out = plan_and_execute(&mut s, &req).unwrap();
    assert_eq!(
        (out[0].from, out[0].now, out[0].status, out[0].reason.as_deref()),
        (
            Value::Num(256),
            Value::Num(256),
            Status::Refused,
            Some("the driver kept the old value")
        )
    );
}

#[test]
fn einval_with_extack_refuses_that_group_and_the_others_go_on() {
    let mut nic = Nic::e1000e();
    nic.refuse.insert(
        ETHTOOL_MSG_COALESCE_SET,
        (libc::EINVAL, Some("rx-usecs 2 is reserved")),
    );
    let (mut s, log) = session(nic);
    let req = SettingsRequest::new()
        .set(Group::Coalesce, "rx-usecs", Target::Num(2))
        .set(Group::Rings, "tx", Target::Num(512))
        .set(Group::Pause, "autoneg", Target::Bool(false));
    let out = plan_and_execute(&mut s, &req).unwrap();
    assert_eq!(out.len(), 3);
    // reported in group order: rings, coalesce, pause
    let groups: Vec<Group> = out.iter().map(|c| c.group).collect();
    assert_eq!(groups, [Group::Rings, Group::Coalesce, Group::Pause]);
    let c = change(&out, Group::Coalesce, "rx-usecs");
    assert_eq!(c.status, Status::Refused);
    assert_eq!(c.reason.as_deref(), Some("rx-usecs 2 is reserved"));
    assert_eq!(c.now, Value::Num(3), "re-read: unchanged");
    assert_eq!(change(&out, Group::Rings, "tx").status, Status::Applied);
    assert_eq!(change(&out, Group::Pause, "autoneg").status, Status::Applied);
    assert_eq!(sets(&log).len(), 3);
}

#[test]
fn refusal_without_extack_points_at_dmesg() {
    for (errno, name) in [
        (libc::EINVAL, "EINVAL"),
        (libc::EBUSY, "EBUSY"),
        (libc::EOPNOTSUPP, "EOPNOTSUPP"),
    ] {
        let mut nic = Nic::e1000e();
        nic.refuse.insert(ETHTOOL_MSG_RINGS_SET, (errno, None));
        let (mut s, _) = session(nic);
        let req = SettingsRequest::new()
            .set(Group::Rings, "rx", Target::Num(512))
            .set(Group::Rings, "tx", Target::Num(512));
        let out = plan_and_execute(&mut s, &req).unwrap();
        assert_eq!(out.len(), 2);
        for c in &out {
            assert_eq!(c.status, Status::Refused);
            assert_eq!(c.now, c.from);
            assert_eq!(
                c.reason.as_deref(),
                Some(&*format!(
                    "{name} from the driver (no reason given; see dmesg)"
                ))
            );
        }
    }
}

#[test]
fn eperm_and_enodev_end_the_call() {
    for (errno, kind) in [
        (libc::EPERM, ErrorKind::PermissionDenied),
        (libc::ENODEV, ErrorKind::NotFound),
    ] {
        let mut nic = Nic::e1000e();
        nic.refuse.insert(ETHTOOL_MSG_PAUSE_SET, (errno, None));
        let (mut s, log) = session(nic);
        let req = SettingsRequest::new()
            .set(Group::Pause, "tx", Target::Bool(false))
            .set(Group::PrivateFlags, "disable-k1", Target::Bool(true));
        let e = plan_and_execute(&mut s, &req).unwrap_err();
        assert_eq!(e.kind(), kind, "{e:?}");
        if errno == libc::EPERM {
            assert!(
                matches!(e, Error::PermissionDenied { op: "PAUSE_SET", .. }),
                "{e:?}"
            );
        } else {
            assert!(
                matches!(&e, Error::NoSuchInterface { iface } if iface == "eth0"),
                "{e:?}"
            );
        }
        // the private flags (after pause) were not sent
        assert!(!sets(&log).iter().any(|r| r.is(ETHTOOL_MSG_PRIVFLAGS_SET)));
    }
}

#[test]
fn pause_rx_kept_with_autoneg_on_is_refused_and_applies_with_autoneg_off() {
    let (mut s, log) = session(Nic::e1000e());
    let rx_off =
        SettingsRequest::new().set(Group::Pause, "rx", Target::Bool(false));
    let out = plan_and_execute(&mut s, &rx_off).unwrap();
    assert_eq!(
        out,
        [SettingChange {
            group: Group::Pause,
            key: "rx".into(),
            from: Value::Bool(true),
            to: Value::Bool(false),
            now: Value::Bool(true),
            status: Status::Refused,
            reason: Some("the driver kept the old value".into()),
        }],
        "the SET returned 0, and that must not read as applied"
    );
    let sent = sets(&log);
    assert_eq!(set_attrs(&sent[0]), [(ETHTOOL_A_PAUSE_RX, vec![0])], "a u8");

    let both = rx_off.set(Group::Pause, "autoneg", Target::Bool(false));
    let out = plan_and_execute(&mut s, &both).unwrap();
    assert_eq!(out.len(), 2);
    assert!(out.iter().all(|c| c.status == Status::Applied), "{out:?}");
    let sent = sets(&log);
    assert_eq!(
        set_attrs(&sent[1]),
        [(ETHTOOL_A_PAUSE_RX, vec![0]), (ETHTOOL_A_PAUSE_AUTONEG, vec![0])],
        "one SET with both, in the order asked"
    );
}

#[test]
fn a_private_flag_is_set_by_name_alone() {
    let (mut s, log) = session(Nic::e1000e());
    let req = SettingsRequest::new()
        .set(Group::PrivateFlags, "disable-k1", Target::Bool(true))
        .set(Group::PrivateFlags, "s0ix-enabled", Target::Bool(true)); // already
    let out = plan_and_execute(&mut s, &req).unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(
        (out[0].key.as_str(), out[0].status, out[0].now),
        ("disable-k1", Status::Applied, Value::Bool(true))
    );
    let sent = sets(&log);
    assert_eq!(sent.len(), 1);
    assert!(sent[0].is(ETHTOOL_MSG_PRIVFLAGS_SET));
    // FLAGS → BITS → one BIT { NAME "disable-k1", VALUE }
    let attrs = set_attrs(&sent[0]);
    assert_eq!(attrs.len(), 1);
    assert_eq!(attrs[0].0, ETHTOOL_A_PRIVFLAGS_FLAGS | NLA_F_NESTED);
    let bits = tlvs(&attrs[0].1);
    assert_eq!(bits.len(), 1, "no NOMASK, no SIZE: value/mask by name");
    let bit = tlvs(&tlvs(&bits[0].1)[0].1);
    assert_eq!(bit[0], (ETHTOOL_A_BITSET_BIT_NAME, b"disable-k1\0".to_vec()));
    assert_eq!(bit[1], (ETHTOOL_A_BITSET_BIT_VALUE, vec![]));
    assert_eq!(bit.len(), 2);
    // s0ix-enabled untouched
    let st = block_on(s.settings(&eth0())).unwrap();
    assert_eq!(
        st.private_flags.unwrap().get("s0ix-enabled"),
        Some(Value::Bool(true))
    );
}

#[test]
fn an_unknown_key_lists_the_devices_keys() {
    let (mut s, log) = session(Nic::e1000e());
    let req =
        SettingsRequest::new().set(Group::Coalesce, "tx-usecs", Target::Num(8));
    let e = plan_and_execute(&mut s, &req).unwrap_err();
    assert!(
        matches!(&e, Error::UnknownSetting { group: "coalesce", key, known, .. }
            if key == "tx-usecs" && known == &["rx-usecs"]),
        "{e:?}"
    );
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(
        e.to_string(),
        "eth0: this device has no interrupt coalescing setting \"tx-usecs\"; \
         it has: rx-usecs"
    );
    let req = SettingsRequest::new().set(
        Group::PrivateFlags,
        "legacy-rx",
        Target::Bool(true),
    );
    let e = plan_and_execute(&mut s, &req).unwrap_err();
    assert!(
        matches!(&e, Error::UnknownSetting { known, .. }
            if known == &["s0ix-enabled", "disable-k1"]),
        "{e:?}"
    );
    let req = SettingsRequest::new().set(Group::Rings, "rx", Target::Num(4097));
    let e = plan_and_execute(&mut s, &req).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(sets(&log).is_empty());
}

#[test]
fn an_empty_plan_sends_nothing() {
    let (mut s, log) = session(Nic::e1000e());
    let req = SettingsRequest::new().set(Group::Rings, "rx", Target::Num(256));
    let plan = block_on(s.plan_settings(&eth0(), &req)).unwrap();
    assert!(plan.is_empty());
    let n = log.borrow().len();
    assert!(block_on(s.execute_settings(&plan)).unwrap().is_empty());
    assert_eq!(log.borrow().len(), n, "not a single request");
}

#[test]
fn an_interface_that_is_gone_is_no_such_interface() {
    let (mut s, log) = session(Nic::e1000e());
    let e = block_on(s.settings(&IfaceRef::by_name("nosuch0").unwrap()))
        .unwrap_err();
    assert!(
        matches!(&e, Error::NoSuchInterface { iface } if iface == "nosuch0"),
        "{e:?}"
    );
    // replaced between plan and execute: the SET by index is ENODEV
    let req = SettingsRequest::new().set(Group::Rings, "rx", Target::Num(512));
    let mut plan = block_on(s.plan_settings(&eth0(), &req)).unwrap();
    plan.ifindex = 9;
    let e = block_on(s.execute_settings(&plan)).unwrap_err();
    assert!(
        matches!(&e, Error::NoSuchInterface { iface } if iface == "eth0"),
        "{e:?}"
    );
    let sent = sets(&log);
    assert_eq!(sent.len(), 1, "sent by index, refused with ENODEV");
    assert_eq!(sent[0].header().unwrap().index, Some(9));
}

#[test]
fn a_plan_edited_after_planning_is_checked_again() {
    let (mut s, log) = session(Nic::e1000e());
    let req = SettingsRequest::new().set(Group::Rings, "rx", Target::Num(512));
    let mut plan = block_on(s.plan_settings(&eth0(), &req)).unwrap();
    plan.items[0].1 = "rx-max".into();
    let e = block_on(s.execute_settings(&plan)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    plan.items[0].1 = "rx".into();
    plan.items[0].3 = Value::Bool(true);
    let e = block_on(s.execute_settings(&plan)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(sets(&log).is_empty());
}

#[test]
fn a_kernel_without_the_ops_is_op_unsupported() {
    // the standard fake kernel's op table stops at PRIVFLAGS_SET (14)
    let (mut s, log) = session_on(Nic::e1000e(), true);
    let e = block_on(s.settings(&eth0())).unwrap_err();
    assert!(matches!(e, Error::OpUnsupported { op: "RINGS_GET", .. }), "{e:?}");
    assert_eq!(e.kind(), ErrorKind::NotSupported);
    assert!(!requests(&log).iter().any(|r| r.is(ETHTOOL_MSG_RINGS_GET)));
}
