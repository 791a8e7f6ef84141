//! `ethcfg set IFACE [NAME on|off]... [GROUP KEY VALUE...]... [--dry-run] [--json]`:
//! ethtool's `-K/-G/-L/-C/-A/--set-eee/--set-priv-flags` in one command.

use std::io::Write;

use clap::Args;
use ethcfg_core::blocking::Client;
use ethcfg_core::change::{settings_request, MissingGroup};
use ethcfg_core::settings::{Group, Target, ValueKind};
use ethcfg_core::state::Source;
use ethcfg_core::{FeatureRequest, FixedPolicy, IfaceRef};

use crate::env::Env;
use crate::exit::{CliError, Exit};
use crate::render;

#[derive(Debug, Args)]
#[command(
    after_help = "SETTINGS: features first, then groups. A group keyword takes every \
following KEY VALUE pair of its group until the next keyword, as ethtool -G/-L/-C/-A do; \
`features` returns to features:\n  \
NAME on|off ...                         features (like ethtool -K)\n  \
ring rx|tx|rx-mini|rx-jumbo N|max ...   ring sizes (like ethtool -G)\n  \
channels rx|tx|other|combined N|max ... channel counts (like ethtool -L)\n  \
coalesce KEY VALUE ...                  interrupt coalescing, e.g. rx-usecs 50 adaptive-rx off (like ethtool -C)\n  \
pause autoneg|rx|tx on|off ...          flow control (like ethtool -A)\n  \
eee on|off [tx-lpi on|off] [tx-timer N] Energy-Efficient Ethernet (like ethtool --set-eee)\n  \
priv-flag NAME on|off ...               a driver's private flags (like ethtool --set-priv-flags)\n  \
features NAME on|off ...                back to features\n\n\
Numbers are decimal or 0x hex, without a sign. A key given twice, a key its group does not have \
and a group keyword with nothing after it are usage errors (exit 2), found before any device is \
read.\n\n\
NAME is a legacy ethtool name (tso, gso, gro, lro, rx, tx, sg, rxvlan, \
txvlan, ntuple, rxhash, or a long form such as tcp-segmentation-offload) or a kernel \
feature name (tx-tcp-segmentation, rx-gro-hw, ...). Legacy names expand to every kernel \
feature they cover on the running kernel; one that covers none there (ufo since Linux 4.16) is \
skipped with a note, as ethtool does.\n\n\
Examples:\n  ethcfg set eno1 gso off gro off tso off tx off rx off rxvlan off txvlan off sg off\n  \
ethcfg set eno1 ring rx 4096 tx 4096 pause rx off tx off features gro on"
)]
pub(crate) struct SetArgs {
    /// The interface
    #[arg(value_name = "IFACE")]
    pub(crate) iface: String,
    /// What to set: NAME on|off pairs and the settings below
    #[arg(
        value_name = "SETTINGS",
        required = true,
        num_args = 1..,
        allow_negative_numbers = true
    )]
    pub(crate) words: Vec<String>,
    /// Plan and report (status "planned"), send nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Print JSON on stdout: [{"ifname", "changed", "changes": [{"feature", "from", "to", "status"}]}]
    #[arg(long)]
    pub(crate) json: bool,
    /// Who runs this, kept in the records: cli (the default), hook, config
    /// or watch; the ifupdown hooks and the units pass it
    #[arg(long, value_name = "SOURCE", default_value = "cli", value_parser = super::source)]
    pub(crate) source: Source,
}

/// What `set` was asked: features by name, and settings as (group, key,
/// value) in the groups' own words.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Words {
    pub(crate) features: FeatureRequest,
    pub(crate) settings: Vec<(Group, String, Target)>,
}

fn usage(msg: String) -> CliError {
    CliError::Usage(msg)
}

/// A group keyword: it takes every following KEY VALUE pair of its group
/// until the next keyword, as `ethtool -G/-L/-C/-A/--set-eee` and
/// `--set-priv-flags` take theirs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keyword {
    Ring,
    Channels,
    Coalesce,
    Pause,
    Eee,
    PrivFlag,
}

impl Keyword {
    fn of(word: &str) -> Option<Keyword> {
        Some(match word {
            "ring" => Keyword::Ring,
            "channels" => Keyword::Channels,
            "coalesce" => Keyword::Coalesce,
            "pause" => Keyword::Pause,
            "eee" => Keyword::Eee,
            "priv-flag" => Keyword::PrivFlag,
            _ => return None,
        })
    }

    fn word(self) -> &'static str {
        match self {
            Keyword::Ring => "ring",
            Keyword::Channels => "channels",
            Keyword::Coalesce => "coalesce",
            Keyword::Pause => "pause",
            Keyword::Eee => "eee",
            Keyword::PrivFlag => "priv-flag",
        }
    }

    fn group(self) -> Group {
        match self {
            Keyword::Ring => Group::Rings,
            Keyword::Channels => Group::Channels,
            Keyword::Coalesce => Group::Coalesce,
            Keyword::Pause => Group::Pause,
            Keyword::Eee => Group::Eee,
            Keyword::PrivFlag => Group::PrivateFlags,
        }
    }

    fn example(self) -> &'static str {
        match self {
            Keyword::Ring => "ring rx 4096 tx 4096",
            Keyword::Channels => "channels combined 4",
            Keyword::Coalesce => "coalesce rx-usecs 50",
            Keyword::Pause => "pause rx off tx off",
            Keyword::Eee => "eee on tx-lpi on tx-timer 17",
            Keyword::PrivFlag => "priv-flag legacy-rx on",
        }
    }

    /// The keys named in messages, in ethtool's words.
    fn keys(self) -> Vec<&'static str> {
        match self {
            Keyword::Ring => vec!["rx", "tx", "rx-mini", "rx-jumbo"],
            Keyword::Channels => vec!["rx", "tx", "other", "combined"],
            Keyword::Pause => vec!["autoneg", "rx", "tx"],
            Keyword::Eee => vec!["eee", "tx-lpi", "tx-timer"],
            Keyword::Coalesce | Keyword::PrivFlag => {
                self.group().settable_keys()
            }
        }
    }

    /// Whether `max` (the device's maximum) is a value.
    fn takes_max(self) -> bool {
        matches!(self, Keyword::Ring | Keyword::Channels)
    }
}

/// A word that ends the current group: a group keyword, `features`, or
/// one of the single-pair EEE words kept from earlier releases.
fn is_keyword(word: &str) -> bool {
    Keyword::of(word).is_some()
        || matches!(word, "features" | "eee-tx-lpi" | "eee-tx-timer")
}

/// What a group word is reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Features,
    Group(Keyword),
}

fn on_off(what: &str, word: Option<&String>) -> Result<bool, CliError> {
    match word.map(String::as_str) {
        Some("on") => Ok(true),
        Some("off") => Ok(false),
        Some(other) => Err(usage(format!(
            "`{what}` must be followed by `on` or `off`, not `{other}`"
        ))),
        None => Err(usage(format!(
            "`{what}` has no value; add `on` or `off` after it"
        ))),
    }
}

/// An unsigned 32-bit number as ethtool reads one (`strtoull` with base
/// 0): decimal, or hexadecimal after `0x`. Where ethtool would read
/// something else into it, this says no instead of guessing, and the error
/// says why: a sign (`strtoull` wraps `-1` around), a leading zero (octal
/// to ethtool), a value above 2^32 - 1.
fn parse_u32(w: &str) -> Result<u32, &'static str> {
    if w.starts_with(['+', '-']) {
        return Err(": numbers here are unsigned, without a sign");
    }
    let (digits, radix) =
        match w.strip_prefix("0x").or_else(|| w.strip_prefix("0X")) {
            Some(hex) => (hex, 16),
            None => (w, 10),
        };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err("");
    }
    if radix == 10 && digits.len() > 1 && digits.starts_with('0') {
        return Err(": ethtool would read a leading 0 as octal; write it without the 0, or in hex after 0x");
    }
    u32::from_str_radix(digits, radix)
        .map_err(|_| ": it is larger than 4294967295")
}

fn number(
    what: &str,
    word: Option<&String>,
    max: bool,
) -> Result<Target, CliError> {
    let hint = if max { "a number or `max`" } else { "a number" };
    match word.map(String::as_str) {
        Some("max") if max => Ok(Target::Max),
        Some(w) => parse_u32(w).map(Target::Num).map_err(|why| {
            // `channels rx 2 tx off`: the user meant the feature.
            let key = what.rsplit(' ').next().unwrap_or(what);
            let back = if matches!(w, "on" | "off") && what.contains(' ') {
                format!("; a group keyword takes every following pair of its group, so write `features {key} {w}` for the feature")
            } else {
                String::new()
            };
            usage(format!(
                "`{what}` must be followed by {hint}, not `{w}`{why}{back}"
            ))
        }),
        None => {
            Err(usage(format!("`{what}` has no value; add {hint} after it")))
        }
    }
}

/// The parser's state: what has been read so far, and which keys, so a
/// repeated one is caught.
#[derive(Default)]
struct Parser {
    out: Words,
    seen_features: Vec<String>,
}

impl Parser {
    fn feature(&mut self, name: &str, on: bool) -> Result<(), CliError> {
        // `tso` and `tcp-segmentation-offload` are one name.
        let id = ethcfg_core::names::legacy(name)
            .map_or(name, |flag| flag.short)
            .to_owned();
        if self.seen_features.contains(&id) {
            return Err(usage(format!(
                "`{name}` is given twice; say once whether it is on or off"
            )));
        }
        self.seen_features.push(id);
        self.out.features =
            std::mem::take(&mut self.out.features).set(name, on);
        Ok(())
    }

    fn setting(
        &mut self,
        kw: &str,
        group: Group,
        key: &str,
        to: Target,
    ) -> Result<(), CliError> {
        if self.out.settings.iter().any(|(g, k, _)| *g == group && k == key) {
            return Err(usage(format!(
                "`{kw} {key}` is given twice; give each key once"
            )));
        }
        self.out.settings.push((group, key.to_owned(), to));
        Ok(())
    }

    /// One `KEY VALUE` pair of group `kw`, the key already read.
    fn pair(
        &mut self,
        kw: Keyword,
        key: &str,
        value: Option<&String>,
    ) -> Result<(), CliError> {
        let group = kw.group();
        let what = format!("{} {key}", kw.word());
        if kw == Keyword::PrivFlag {
            let on = on_off(&what, value)?;
            return self.setting(kw.word(), group, key, Target::Bool(on));
        }
        let Some((canon, kind)) = group.settable_key(key) else {
            // `ring rx 256 tso off`: a feature name after a group.
            let hint = ethcfg_core::names::legacy(key).is_some()
                || kw != Keyword::Coalesce
                    && (key.starts_with("rx-") || key.starts_with("tx-"));
            let hint = if hint {
                format!(
                    "; a group keyword takes every following pair of its group, so write `features {key} ...` for a feature"
                )
            } else {
                String::new()
            };
            return Err(usage(format!(
                "`{} {key}`: {key} is not one of {}; as in `{}`{hint}",
                kw.word(),
                kw.keys().join(", "),
                kw.example()
            )));
        };
        let to = match kind {
            ValueKind::Bool => Target::Bool(on_off(&what, value)?),
            _ => number(&what, value, kw.takes_max())?,
        };
        self.setting(kw.word(), group, canon, to)
    }
}

/// Parses the words after the interface. Features come first (`NAME
/// on|off`); a group keyword (`ring`, `channels`, `coalesce`, `pause`,
/// `eee`, `priv-flag`) takes every following KEY VALUE pair of its group
/// until the next keyword, and `features` returns to features.
/// `eee on|off` is EEE itself, as before; `eee-tx-lpi on|off` and
/// `eee-tx-timer N` set one EEE value and go on in the EEE group. A
/// repeated key, a key unknown to its group, a malformed number and an
/// empty group are usage errors that say what was expected.
pub(crate) fn parse_words(words: &[String]) -> Result<Words, CliError> {
    let mut p = Parser::default();
    let mut mode = Mode::Features;
    let mut w = words.iter().peekable();
    while let Some(word) = w.next() {
        let word = word.as_str();
        let entered = match word {
            "features" => Some(Mode::Features),
            "eee-tx-lpi" => {
                let on = on_off(word, w.next())?;
                p.setting("eee", Group::Eee, "tx-lpi", Target::Bool(on))?;
                mode = Mode::Group(Keyword::Eee);
                continue;
            }
            "eee-tx-timer" => {
                let n = number(word, w.next(), false)?;
                p.setting("eee", Group::Eee, "tx-lpi-timer", n)?;
                mode = Mode::Group(Keyword::Eee);
                continue;
            }
            _ => Keyword::of(word).map(Mode::Group),
        };
        if let Some(m) = entered {
            mode = m;
            let next = w.peek().map(|n| n.as_str());
            if m == Mode::Group(Keyword::Eee)
                && matches!(next, Some("on" | "off"))
            {
                // `eee on`: EEE itself, as `ethtool --set-eee IF eee on`.
                p.pair(Keyword::Eee, "enabled", w.next())?;
                continue;
            }
            // `eee eee on` is `ethtool --set-eee IF eee on` word for word.
            let eee_key = m == Mode::Group(Keyword::Eee) && next == Some("eee");
            if !eee_key && next.is_none_or(is_keyword) {
                return Err(usage(match m {
                    Mode::Features => "`features` needs NAME on|off pairs after it, as in `features tso off`".to_owned(),
                    Mode::Group(Keyword::Eee) => "`eee` has no value; add `on` or `off` after it, or KEY VALUE pairs as in `eee on tx-lpi on tx-timer 17`".to_owned(),
                    Mode::Group(Keyword::PrivFlag) => "`priv-flag` needs a flag name and on or off, as in `priv-flag legacy-rx on`".to_owned(),
                    Mode::Group(kw) => format!(
                        "`{}` needs one of {} and a value, as in `{}`",
                        kw.word(),
                        kw.keys().join(", "),
                        kw.example()
                    ),
                }));
            }
            continue;
        }
        match mode {
            Mode::Features => {
                let on = on_off(word, w.next())?;
                p.feature(word, on)?;
            }
            Mode::Group(kw) => p.pair(kw, word, w.next())?,
        }
    }
    Ok(p.out)
}

pub(crate) fn run(
    a: &SetArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, CliError> {
    let words = parse_words(&a.words)?;
    let settings = settings_request(
        words.settings.iter().map(|(g, k, v)| (*g, k.as_str(), *v)),
    );
    let iface = IfaceRef::by_name(&a.iface)?;
    let state = env.state();
    let mut client = Client::new()?;
    let _lock =
        if a.dry_run { None } else { Some(crate::lock::wait(&state, err)?) };
    let mut features = words.features;
    // Features and settings are planned together before anything is sent,
    // and recorded like a profile, so `ethcfg revert IFACE` undoes them.
    let plan = loop {
        match client.plan_change_with(
            "set",
            std::slice::from_ref(&iface),
            &features,
            &settings,
            FixedPolicy::Error,
            MissingGroup::Error,
        ) {
            Ok(mut plan) => {
                plan.source = a.source;
                break plan;
            }
            // A legacy name this kernel has no feature for (`ufo` since
            // 4.16): ethtool goes on without it, and so do old scripts.
            // Each round drops one word, so this ends.
            Err(ethcfg_core::Error::AliasMatchesNothing { name, .. })
                if features.items().iter().any(|(w, _)| *w == name) =>
            {
                writeln!(
                    err,
                    "ethcfg: note: {}: `{name}` names no feature on this kernel; skipped, as ethtool does",
                    a.iface
                )?;
                features = features
                    .items()
                    .iter()
                    .filter(|(w, _)| *w != name)
                    .fold(FeatureRequest::new(), |r, (w, on)| {
                        r.set(w.clone(), *on)
                    });
            }
            Err(e) => return Err(e.into()),
        }
    };
    if a.dry_run {
        let planned = plan.planned();
        render::outcome::report(&planned, a.json, out, err)?;
        return Ok(Exit::of_outcomes(&planned));
    }
    // Not strict: the report is never a strict rollback.
    let outcomes = client.apply_change(&plan, &state, false)?.outcomes;
    crate::exit::reported(
        "the change was applied and recorded (`ethcfg revert IFACE` undoes it)",
        render::outcome::report(&outcomes, a.json, out, err),
        out,
    )?;
    Ok(Exit::of_outcomes(&outcomes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    fn err(s: &str) -> String {
        match parse_words(&words(s)) {
            Err(CliError::Usage(m)) => m,
            other => panic!("{s:?}: {other:?}"),
        }
    }

    #[test]
    fn every_form_parses() {
        let w = parse_words(&words(
            "tso off ring rx 4096 ring tx max channels combined 2 coalesce rx-usecs 50 coalesce adaptive-rx off \
             pause autoneg off pause rx on eee off eee-tx-lpi on eee-tx-timer 17 priv-flag legacy-rx on features gro on",
        ))
        .unwrap();
        assert_eq!(
            w.features,
            FeatureRequest::new().disable("tso").enable("gro")
        );
        let got: Vec<(&str, &str, Target)> = w
            .settings
            .iter()
            .map(|(g, k, v)| (g.as_str(), k.as_str(), *v))
            .collect();
        assert_eq!(
            got,
            [
                ("rings", "rx", Target::Num(4096)),
                ("rings", "tx", Target::Max),
                ("channels", "combined", Target::Num(2)),
                ("coalesce", "rx-usecs", Target::Num(50)),
                ("coalesce", "adaptive-rx", Target::Bool(false)),
                ("pause", "autoneg", Target::Bool(false)),
                ("pause", "rx", Target::Bool(true)),
                ("eee", "enabled", Target::Bool(false)),
                ("eee", "tx-lpi", Target::Bool(true)),
                ("eee", "tx-lpi-timer", Target::Num(17)),
                ("private-flags", "legacy-rx", Target::Bool(true)),
            ]
        );
    }

    #[test]
    fn mistakes_say_what_was_expected() {
        assert!(err("tso").contains("`tso` has no value; add `on` or `off`"));
        assert!(err("gso of")
            .contains("`gso` must be followed by `on` or `off`, not `of`"));
        assert!(err("ring")
            .contains("`ring` needs one of rx, tx, rx-mini, rx-jumbo"));
        assert!(err("ring rxx 4")
            .contains("rxx is not one of rx, tx, rx-mini, rx-jumbo"));
        assert!(err("ring rx lots").contains(
            "`ring rx` must be followed by a number or `max`, not `lots`"
        ));
        assert!(err("ring rx").contains("`ring rx` has no value"));
        assert!(err("channels combined -1").contains("not `-1`"));
        assert!(err("coalesce").contains("coalesce rx-usecs 50"));
        assert!(err("coalesce rx-usecs max")
            .contains("must be followed by a number, not `max`"));
        assert!(err("pause rx maybe")
            .contains("`pause rx` must be followed by `on` or `off`"));
        assert!(err("pause speed off")
            .contains("speed is not one of autoneg, rx, tx"));
        assert!(err("eee").contains("`eee` has no value"));
        assert!(err("eee-tx-timer x")
            .contains("`eee-tx-timer` must be followed by a number"));
        assert!(err("priv-flag").contains("priv-flag legacy-rx on"));
    }

    /// Settings as (group, key, value) for compact assertions.
    fn settings(s: &str) -> Vec<(&'static str, String, Target)> {
        parse_words(&words(s))
            .unwrap()
            .settings
            .into_iter()
            .map(|(g, k, v)| (g.as_str(), k, v))
            .collect()
    }

    #[test]
    fn a_group_keyword_takes_every_pair_of_its_group() {
        assert_eq!(
            settings("ring rx 256 tx 256"),
            [
                ("rings", "rx".into(), Target::Num(256)),
                ("rings", "tx".into(), Target::Num(256))
            ]
        );
        assert_eq!(
            settings("pause rx off tx off autoneg on"),
            [
                ("pause", "rx".into(), Target::Bool(false)),
                ("pause", "tx".into(), Target::Bool(false)),
                ("pause", "autoneg".into(), Target::Bool(true)),
            ]
        );
        assert_eq!(
            settings("eee on tx-lpi on tx-timer 17"),
            [
                ("eee", "enabled".into(), Target::Bool(true)),
                ("eee", "tx-lpi".into(), Target::Bool(true)),
                ("eee", "tx-lpi-timer".into(), Target::Num(17)),
            ]
        );
        assert_eq!(
            settings("eee eee off"),
            [("eee", "enabled".into(), Target::Bool(false))]
        );
        assert_eq!(
            settings("priv-flag legacy-rx on disable-fw-lldp off"),
            [
                ("private-flags", "legacy-rx".into(), Target::Bool(true)),
                (
                    "private-flags",
                    "disable-fw-lldp".into(),
                    Target::Bool(false)
                ),
            ]
        );
        // `features` returns to features; another keyword ends a group.
        let w = parse_words(&words(
            "tso off ring rx 512 features gro off channels combined 0x10 coalesce adaptive-rx on rx-usecs 0 features lro on",
        ))
        .unwrap();
        assert_eq!(
            w.features,
            FeatureRequest::new().disable("tso").disable("gro").enable("lro")
        );
        assert_eq!(w.settings.len(), 4);
        assert_eq!(w.settings[1].2, Target::Num(16), "0x hex as in ethtool");
    }

    #[test]
    fn nothing_after_a_group_keyword_is_read_as_a_feature() {
        let e = err("channels rx 2 tx off");
        assert!(
            e.contains("`channels tx` must be followed by a number or `max`, not `off`"),
            "{e}"
        );
        assert!(e.contains("write `features tx off` for the feature"), "{e}");
        let e = err("ring rx 256 tso off");
        assert!(
            e.contains("tso is not one of rx, tx, rx-mini, rx-jumbo"),
            "{e}"
        );
        assert!(e.contains("`features tso ...`"), "{e}");
        // A flag named like a feature is still a flag: priv-flag names are
        // the driver's.
        assert_eq!(
            settings("priv-flag tso on"),
            [("private-flags", "tso".into(), Target::Bool(true))]
        );
        assert!(err("ring features tso off").contains("`ring` needs one of"));
        assert!(err("features").contains("`features` needs NAME on|off pairs"));
        assert!(err("tso off features ring rx 1").contains("`features` needs"));
    }

    #[test]
    fn numbers_are_decimal_or_hex_and_unsigned() {
        for (word, n) in [
            ("0", 0),
            ("10", 10),
            ("0x10", 16),
            ("0XfF", 255),
            ("4294967295", u32::MAX),
            ("0xffffffff", u32::MAX),
        ] {
            assert_eq!(
                settings(&format!("ring rx {word}")),
                [("rings", "rx".into(), Target::Num(n))],
                "{word}"
            );
        }
        assert!(err("ring rx -1").contains("without a sign"));
        assert!(err("ring rx +1").contains("without a sign"));
        assert!(err("ring rx -0").contains("without a sign"));
        assert!(err("ring rx 010").contains("octal"));
        assert!(err("ring rx 4294967296").contains("larger than 4294967295"));
        assert!(err("ring rx 0x100000000").contains("larger than 4294967295"));
        assert!(err("ring rx 0x").contains("not `0x`"));
        assert!(err("ring rx 0xg").contains("not `0xg`"));
        assert!(err("ring rx 1e3").contains("not `1e3`"));
        assert!(err("eee-tx-timer 0x").contains("not `0x`"));
    }

    #[test]
    fn repeated_keys_are_usage_errors() {
        assert!(err("tso on tso off").contains("`tso` is given twice"));
        assert!(err("tso on tcp-segmentation-offload on")
            .contains("`tcp-segmentation-offload` is given twice"));
        assert!(err("tso on features tso on").contains("given twice"));
        assert!(
            err("channels rx 1 rx 2").contains("`channels rx` is given twice")
        );
        assert!(err("ring rx 1 ring rx 2").contains("`ring rx` is given twice"));
        assert!(err("eee on eee off").contains("`eee enabled` is given twice"));
        assert!(err("eee on enabled off").contains("given twice"));
        assert!(err("eee-tx-timer 1 tx-timer 2").contains("given twice"));
        assert!(err("coalesce rx-frames-low 1 rx-frame-low 2")
            .contains("given twice"));
        assert!(err("priv-flag a on a off")
            .contains("`priv-flag a` is given twice"));
        // The same key in different groups is not a repetition.
        assert_eq!(settings("ring rx 1 channels rx 2 pause rx on").len(), 3);
        // A legacy name and one kernel feature under it: ethtool's way to
        // say "all of tso but this one".
        assert!(parse_words(&words("tso off tx-tcp6-segmentation on")).is_ok());
    }

    #[test]
    fn unknown_keys_are_usage_errors() {
        let e = err("coalesce foo on");
        assert!(
            e.contains(
                "`coalesce foo`: foo is not one of adaptive-rx, adaptive-tx"
            ),
            "{e}"
        );
        assert!(err("coalesce rx-usecs 1 rx-usecs-lo 2")
            .contains("rx-usecs-lo is not one of"));
        assert!(err("eee advertise 0x4321")
            .contains("advertise is not one of eee, tx-lpi, tx-timer"));
        assert!(
            err("eee active on").contains("active is not one of"),
            "read-only"
        );
        assert!(
            err("ring rx-max 4").contains("rx-max is not one of"),
            "read-only"
        );
    }

    #[test]
    fn every_key_named_in_messages_is_one_the_library_sets() {
        for kw in [
            Keyword::Ring,
            Keyword::Channels,
            Keyword::Coalesce,
            Keyword::Pause,
            Keyword::Eee,
        ] {
            for k in kw.keys() {
                assert!(kw.group().settable_key(k).is_some(), "{kw:?} {k}");
            }
        }
        assert!(Keyword::PrivFlag.keys().is_empty());
    }

    /// ethtool's own `test-cmdline.c` cases for `-A`, `-C`, `-G`, `-L`,
    /// `--set-eee` and `-K` (ethtool 6.x, git 891500f), translated to
    /// `set` words: `-A devname` is `pause`, `-C` `coalesce`, `-G` `ring`,
    /// `-L` `channels`, `--set-eee devname` `eee`. Each case has
    /// ethtool's accept/reject decision and ethcfg's, and where they
    /// differ, why. `-a/-c/-g/-l/-k` without a device and `-X` with no
    /// arguments at all are the argument parser's (clap's) business.
    const ETHTOOL_CASES: &[(&str, &str, bool, bool, &str)] = &[
        // (ethtool's words, set's words, ethtool accepts, set accepts, why they differ)
        ("-A devname autoneg on", "pause autoneg on", true, true, ""),
        ("--pause devname autoneg foo", "pause autoneg foo", false, false, ""),
        ("-A devname autoneg", "pause autoneg", false, false, ""),
        ("--pause devname rx off", "pause rx off", true, true, ""),
        ("-A devname tx on rx on autoneg off", "pause tx on rx on autoneg off", true, true, ""),
        ("--pause devname foo on", "pause foo on", false, false, ""),
        ("-A", "pause", false, false, ""),
        ("-C devname adaptive-rx on adaptive-tx off rx-usecs 1 rx-frames 2 rx-usecs-irq 3 rx-frames-irq 4 tx-usecs 5 tx-frames 6 tx-usecs-irq 7 tx-frames-irq 8 stats-block-usecs 9 pkt-rate-low 10",
         "coalesce adaptive-rx on adaptive-tx off rx-usecs 1 rx-frames 2 rx-usecs-irq 3 rx-frames-irq 4 tx-usecs 5 tx-frames 6 tx-usecs-irq 7 tx-frames-irq 8 stats-block-usecs 9 pkt-rate-low 10", true, true, ""),
        ("--coalesce devname rx-usecs-low 11 rx-frames-low 12 tx-usecs-low 13 tx-frames-low 14 pkt-rate-high 15 rx-usecs-high 16 rx-frames-high 17 tx-usecs-high 18 tx-frames-high 19 sample-interval 20",
         "coalesce rx-usecs-low 11 rx-frames-low 12 tx-usecs-low 13 tx-frames-low 14 pkt-rate-high 15 rx-usecs-high 16 rx-frames-high 17 tx-usecs-high 18 tx-frames-high 19 sample-interval 20", true, true, ""),
        ("-C devname adaptive-rx foo", "coalesce adaptive-rx foo", false, false, ""),
        ("--coalesce devname adaptive-rx", "coalesce adaptive-rx", false, false, ""),
        ("-C devname foo on", "coalesce foo on", false, false, ""),
        ("-C", "coalesce", false, false, ""),
        ("-G devname rx 1 rx-mini 2 rx-jumbo 3 tx 4", "ring rx 1 rx-mini 2 rx-jumbo 3 tx 4", true, true, ""),
        ("--set-ring devname rx 1 rx-mini 2 rx-jumbo 3 tx 4", "ring rx 1 rx-mini 2 rx-jumbo 3 tx 4", true, true, ""),
        ("-G devname rx foo", "ring rx foo", false, false, ""),
        ("--set-ring devname rx", "ring rx", false, false, ""),
        ("-G devname foo 1", "ring foo 1", false, false, ""),
        ("-G", "ring", false, false, ""),
        ("-L devname rx 1 tx 2 other 3 combined 4", "channels rx 1 tx 2 other 3 combined 4", true, true, ""),
        ("--set-channels devname rx 1 tx 2 other 3 combined 4", "channels rx 1 tx 2 other 3 combined 4", true, true, ""),
        ("-L devname rx foo", "channels rx foo", false, false, ""),
        ("--set-channels devname rx", "channels rx", false, false, ""),
        ("-L devname", "channels", true, false,
         "ethtool then reports that no channel parameter changed; a keyword with nothing after it is taken for a mistake"),
        ("-L", "channels", false, false, ""),
        ("--set-eee devname", "eee", false, false, ""),
        ("--set-eee devname foo", "eee foo", false, false, ""),
        ("--set-eee devname eee on", "eee eee on", true, true, ""),
        ("--set-eee devname eee on", "eee on", true, true, ""),
        ("--set-eee devname eee off", "eee eee off", true, true, ""),
        ("--set-eee devname eee foo", "eee eee foo", false, false, ""),
        ("--set-eee devname tx-lpi on", "eee tx-lpi on", true, true, ""),
        ("--set-eee devname tx-lpi off", "eee tx-lpi off", true, true, ""),
        ("--set-eee devname tx-lpi foo", "eee tx-lpi foo", false, false, ""),
        ("--set-eee devname tx-timer 42 advertise 0x4321", "eee tx-timer 42 advertise 0x4321", true, false,
         "ethcfg does not set EEE link modes (advertise); an unknown key is refused rather than skipped"),
        ("--set-eee devname tx-timer 42", "eee tx-timer 42", true, true, ""),
        ("--set-eee devname tx-timer foo", "eee tx-timer foo", false, false, ""),
        ("--set-eee devname advertise foo", "eee advertise foo", false, false, ""),
        // -K: parse_generic_cmdline over the legacy and kernel names.
        ("-K devname tso off gro on", "tso off gro on", true, true, ""),
        ("-K devname tso", "tso", false, false, ""),
        ("-K devname tso maybe", "tso maybe", false, false, ""),
        ("-K devname tso on tso off", "tso on tso off", true, false,
         "ethtool lets the last one win; two contradicting words in one command are taken for a mistake"),
        // Numbers go through get_uint_range(): strtoull, base 0.
        ("-G devname rx 0x10", "ring rx 0x10", true, true, ""),
        ("-G devname rx 4294967295", "ring rx 4294967295", true, true, ""),
        ("-G devname rx 4294967296", "ring rx 4294967296", false, false, ""),
        ("-G devname rx -1", "ring rx -1", false, false, ""),
        ("-G devname rx +1", "ring rx +1", true, false,
         "strtoull takes a plus sign; a sign on a count is refused"),
        ("-G devname rx 010", "ring rx 010", true, false,
         "ethtool reads 010 as octal 8; a leading zero is refused instead of read either way"),
        ("-G devname rx 1 rx 2", "ring rx 1 rx 2", true, false,
         "ethtool lets the last one win; a repeated key is taken for a mistake"),
    ];

    #[test]
    fn ethtool_test_cmdline_cases() {
        for &(ethtool, set, ethtool_ok, ok, why) in ETHTOOL_CASES {
            assert_eq!(
                ethtool_ok != ok,
                !why.is_empty(),
                "{ethtool}: a difference from ethtool needs a reason, and only a difference has one"
            );
            match parse_words(&words(set)) {
                Ok(_) => assert!(ok, "{ethtool} -> set {set}: accepted"),
                Err(CliError::Usage(m)) => {
                    assert!(!ok, "{ethtool} -> set {set}: refused: {m}");
                }
                Err(e) => panic!("{set}: {e:?}"),
            }
        }
        assert!(ETHTOOL_CASES.len() >= 45, "{}", ETHTOOL_CASES.len());
    }

    #[test]
    fn any_words_parse_or_fail_without_panicking() {
        let vocab = [
            "ring",
            "channels",
            "coalesce",
            "pause",
            "eee",
            "eee-tx-lpi",
            "eee-tx-timer",
            "priv-flag",
            "features",
            "0x10",
            "010",
            "+1",
            "rx",
            "tx",
            "rx-mini",
            "combined",
            "autoneg",
            "rx-usecs",
            "on",
            "off",
            "max",
            "0",
            "4096",
            "4294967296",
            "-1",
            "tso",
            "",
            " ",
            "\u{0}",
            "é",
            "--json",
        ];
        // A fixed-seed xorshift: every run tries the same 20,000 sentences.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            let mut words = Vec::new();
            for _ in 0..(x % 7) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                words.push(vocab[(x % vocab.len() as u64) as usize].to_owned());
            }
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            match parse_words(&words) {
                Ok(_) | Err(CliError::Usage(_)) => {}
                Err(e) => panic!("{words:?}: {e:?}"),
            }
        }
    }
}
