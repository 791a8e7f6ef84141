//! The settings vocabulary: for each group, its netlink messages and, for
//! each key, the attribute that carries it, its type and whether it can be
//! set. Keys are the names `ethtool --json` prints (and, where its JSON
//! has none or an ambiguous one, the names `ethtool -C` takes: ethtool
//! 6.1 prints both adaptive and CQE modes as `rx`/`tx`). The order is
//! ethtool's display order.

use super::Group;
use crate::netlink::wire::consts::*;
use crate::netlink::wire::settings::Scalar;

/// One key of a scalar group.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyDef {
    pub(crate) key: &'static str,
    pub(crate) attr: u16,
    pub(crate) ty: Scalar,
    /// Maxima and EEE `active`: reported, never sent.
    pub(crate) read_only: bool,
}

const fn num(key: &'static str, attr: u16) -> KeyDef {
    KeyDef { key, attr, ty: Scalar::U32, read_only: false }
}

const fn flag(key: &'static str, attr: u16) -> KeyDef {
    KeyDef { key, attr, ty: Scalar::Bool, read_only: false }
}

const fn max(key: &'static str, attr: u16) -> KeyDef {
    KeyDef { key, attr, ty: Scalar::U32, read_only: true }
}

/// A group's messages and keys (none for private flags: the driver names
/// them).
#[derive(Debug, Clone, Copy)]
pub(crate) struct GroupDef {
    pub(crate) get: u8,
    pub(crate) set: u8,
    pub(crate) get_op: &'static str,
    pub(crate) set_op: &'static str,
    pub(crate) keys: &'static [KeyDef],
}

const RINGS: &[KeyDef] = &[
    max("rx-max", ETHTOOL_A_RINGS_RX_MAX),
    max("rx-mini-max", ETHTOOL_A_RINGS_RX_MINI_MAX),
    max("rx-jumbo-max", ETHTOOL_A_RINGS_RX_JUMBO_MAX),
    max("tx-max", ETHTOOL_A_RINGS_TX_MAX),
    num("rx", ETHTOOL_A_RINGS_RX),
    num("rx-mini", ETHTOOL_A_RINGS_RX_MINI),
    num("rx-jumbo", ETHTOOL_A_RINGS_RX_JUMBO),
    num("tx", ETHTOOL_A_RINGS_TX),
];

const CHANNELS: &[KeyDef] = &[
    max("rx-max", ETHTOOL_A_CHANNELS_RX_MAX),
    max("tx-max", ETHTOOL_A_CHANNELS_TX_MAX),
    max("other-max", ETHTOOL_A_CHANNELS_OTHER_MAX),
    max("combined-max", ETHTOOL_A_CHANNELS_COMBINED_MAX),
    num("rx", ETHTOOL_A_CHANNELS_RX_COUNT),
    num("tx", ETHTOOL_A_CHANNELS_TX_COUNT),
    num("other", ETHTOOL_A_CHANNELS_OTHER_COUNT),
    num("combined", ETHTOOL_A_CHANNELS_COMBINED_COUNT),
];

const COALESCE: &[KeyDef] = &[
    flag("adaptive-rx", ETHTOOL_A_COALESCE_USE_ADAPTIVE_RX),
    flag("adaptive-tx", ETHTOOL_A_COALESCE_USE_ADAPTIVE_TX),
    num("stats-block-usecs", ETHTOOL_A_COALESCE_STATS_BLOCK_USECS),
    num("sample-interval", ETHTOOL_A_COALESCE_RATE_SAMPLE_INTERVAL),
    num("pkt-rate-low", ETHTOOL_A_COALESCE_PKT_RATE_LOW),
    num("pkt-rate-high", ETHTOOL_A_COALESCE_PKT_RATE_HIGH),
    num("rx-usecs", ETHTOOL_A_COALESCE_RX_USECS),
    num("rx-frames", ETHTOOL_A_COALESCE_RX_MAX_FRAMES),
    num("rx-usecs-irq", ETHTOOL_A_COALESCE_RX_USECS_IRQ),
    num("rx-frames-irq", ETHTOOL_A_COALESCE_RX_MAX_FRAMES_IRQ),
    num("tx-usecs", ETHTOOL_A_COALESCE_TX_USECS),
    num("tx-frames", ETHTOOL_A_COALESCE_TX_MAX_FRAMES),
    num("tx-usecs-irq", ETHTOOL_A_COALESCE_TX_USECS_IRQ),
    num("tx-frames-irq", ETHTOOL_A_COALESCE_TX_MAX_FRAMES_IRQ),
    num("rx-usecs-low", ETHTOOL_A_COALESCE_RX_USECS_LOW),
    num("rx-frame-low", ETHTOOL_A_COALESCE_RX_MAX_FRAMES_LOW),
    num("tx-usecs-low", ETHTOOL_A_COALESCE_TX_USECS_LOW),
    num("tx-frame-low", ETHTOOL_A_COALESCE_TX_MAX_FRAMES_LOW),
    num("rx-usecs-high", ETHTOOL_A_COALESCE_RX_USECS_HIGH),
    num("rx-frame-high", ETHTOOL_A_COALESCE_RX_MAX_FRAMES_HIGH),
    num("tx-usecs-high", ETHTOOL_A_COALESCE_TX_USECS_HIGH),
    num("tx-frame-high", ETHTOOL_A_COALESCE_TX_MAX_FRAMES_HIGH),
    flag("cqe-mode-rx", ETHTOOL_A_COALESCE_USE_CQE_MODE_RX),
    flag("cqe-mode-tx", ETHTOOL_A_COALESCE_USE_CQE_MODE_TX),
];

const PAUSE: &[KeyDef] = &[
    flag("autoneg", ETHTOOL_A_PAUSE_AUTONEG),
    flag("rx", ETHTOOL_A_PAUSE_RX),
    flag("tx", ETHTOOL_A_PAUSE_TX),
];

const EEE: &[KeyDef] = &[
    flag("enabled", ETHTOOL_A_EEE_ENABLED),
    KeyDef {
        key: "active",
        attr: ETHTOOL_A_EEE_ACTIVE,
        ty: Scalar::Bool,
        read_only: true,
    },
    flag("tx-lpi", ETHTOOL_A_EEE_TX_LPI_ENABLED),
    num("tx-lpi-timer", ETHTOOL_A_EEE_TX_LPI_TIMER),
];

/// Private flags are named by the driver, not by this table.
const NO_KEYS: &[KeyDef] = &[];

pub(crate) fn def(g: Group) -> GroupDef {
    let (get, set, get_op, set_op, keys) = match g {
        Group::Rings => (
            ETHTOOL_MSG_RINGS_GET,
            ETHTOOL_MSG_RINGS_SET,
            "RINGS_GET",
            "RINGS_SET",
            RINGS,
        ),
        Group::Channels => (
            ETHTOOL_MSG_CHANNELS_GET,
            ETHTOOL_MSG_CHANNELS_SET,
            "CHANNELS_GET",
            "CHANNELS_SET",
            CHANNELS,
        ),
        Group::Coalesce => (
            ETHTOOL_MSG_COALESCE_GET,
            ETHTOOL_MSG_COALESCE_SET,
            "COALESCE_GET",
            "COALESCE_SET",
            COALESCE,
        ),
        Group::Pause => (
            ETHTOOL_MSG_PAUSE_GET,
            ETHTOOL_MSG_PAUSE_SET,
            "PAUSE_GET",
            "PAUSE_SET",
            PAUSE,
        ),
        Group::Eee => (
            ETHTOOL_MSG_EEE_GET,
            ETHTOOL_MSG_EEE_SET,
            "EEE_GET",
            "EEE_SET",
            EEE,
        ),
        Group::PrivateFlags => (
            ETHTOOL_MSG_PRIVFLAGS_GET,
            ETHTOOL_MSG_PRIVFLAGS_SET,
            "PRIVFLAGS_GET",
            "PRIVFLAGS_SET",
            NO_KEYS,
        ),
    };
    GroupDef { get, set, get_op, set_op, keys }
}

/// The key `key` of group `g`, if ethcfg knows it.
pub(crate) fn key(g: Group, key: &str) -> Option<KeyDef> {
    def(g).keys.iter().find(|k| k.key == key).copied()
}

/// Other tools' spellings of a key: `ethtool -C` says `rx-frames-low`
/// where its JSON says `rx-frame-low`; `ethtool --set-eee` says `eee` and
/// `tx-timer`. Profiles and command lines written for ethtool work as-is.
const ALIASES: &[(Group, &str, &str)] = &[
    (Group::Coalesce, "rx-frames-low", "rx-frame-low"),
    (Group::Coalesce, "tx-frames-low", "tx-frame-low"),
    (Group::Coalesce, "rx-frames-high", "rx-frame-high"),
    (Group::Coalesce, "tx-frames-high", "tx-frame-high"),
    (Group::Eee, "eee", "enabled"),
    (Group::Eee, "tx-timer", "tx-lpi-timer"),
];

/// The canonical key for `key` (itself unless it is an alias).
pub(crate) fn canonical(g: Group, key: &str) -> &str {
    ALIASES
        .iter()
        .find(|(ag, alias, _)| *ag == g && *alias == key)
        .map_or(key, |&(_, _, canon)| canon)
}

/// The aliases of group `g`'s keys.
pub(crate) fn aliases(g: Group) -> impl Iterator<Item = &'static str> {
    ALIASES
        .iter()
        .filter(move |(ag, _, _)| *ag == g)
        .map(|&(_, alias, _)| alias)
}
