//! `ethcfg set IFACE NAME on|off [NAME on|off ...] [--json]`.

use std::io::Write;

use clap::Args;
use ethcfg_core::blocking::Client;
use ethcfg_core::change::{settings_request, MissingGroup};
use ethcfg_core::settings::{Group, Target};
use ethcfg_core::state::Source;
use ethcfg_core::{FeatureRequest, FixedPolicy, IfaceRef};

use crate::env::Env;
use crate::exit::{CliError, Exit};
use crate::render;

#[derive(Debug, Args)]
#[command(after_help = "SETTINGS, in any order:\n  \
NAME on|off                        a feature (like ethtool -K)\n  \
ring rx|tx|rx-mini|rx-jumbo N|max  ring sizes (like ethtool -G)\n  \
channels rx|tx|other|combined N|max  channel counts (like ethtool -L)\n  \
coalesce KEY VALUE                 interrupt coalescing, e.g. rx-usecs 50, adaptive-rx off (like ethtool -C)\n  \
pause autoneg|rx|tx on|off         flow control (like ethtool -A)\n  \
eee on|off, eee-tx-lpi on|off, eee-tx-timer N   Energy-Efficient Ethernet (like ethtool --set-eee)\n  \
priv-flag NAME on|off              a driver's private flag (like ethtool --set-priv-flags)\n\n\
NAME is a legacy ethtool name (tso, gso, gro, lro, rx, tx, sg, rxvlan, \
txvlan, ntuple, rxhash, or a long form such as tcp-segmentation-offload) or a kernel \
feature name (tx-tcp-segmentation, rx-gro-hw, ...). Legacy names expand to every kernel \
feature they cover on the running kernel.\n\nExample: ethcfg set eno1 gso off gro off tso off tx off rx off rxvlan off txvlan off sg off")]
pub(crate) struct SetArgs {
    /// The interface
    #[arg(value_name = "IFACE")]
    pub(crate) iface: String,
    /// What to set: NAME on|off pairs and the settings below
    #[arg(value_name = "SETTINGS", required = true, num_args = 1..)]
    pub(crate) words: Vec<String>,
    /// Print JSON on stdout: [{"ifname", "changed", "changes": [{"feature", "from", "to", "status"}]}]
    #[arg(long)]
    pub(crate) json: bool,
    /// What runs this, for the records: hook, config or watch (ifupdown
    /// hooks and the config/watch code pass it; people leave it out)
    #[arg(long, hide = true, default_value = "cli", value_parser = super::source)]
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

fn number(
    what: &str,
    word: Option<&String>,
    max: bool,
) -> Result<Target, CliError> {
    let hint = if max { "a number or `max`" } else { "a number" };
    match word.map(String::as_str) {
        Some("max") if max => Ok(Target::Max),
        Some(w) => w.parse::<u32>().map(Target::Num).map_err(|_| {
            usage(format!("`{what}` must be followed by {hint}, not `{w}`"))
        }),
        None => {
            Err(usage(format!("`{what}` has no value; add {hint} after it")))
        }
    }
}

/// A key of a group with a fixed set of keys.
fn key<'a>(
    group_word: &str,
    word: Option<&'a String>,
    keys: &[&str],
    example: &str,
) -> Result<&'a String, CliError> {
    match word {
        Some(k) if keys.contains(&k.as_str()) => Ok(k),
        Some(k) => Err(usage(format!(
            "`{group_word} {k}`: {k} is not one of {}; as in `{example}`",
            keys.join(", ")
        ))),
        None => Err(usage(format!(
            "`{group_word}` needs one of {} and a value, as in `{example}`",
            keys.join(", ")
        ))),
    }
}

/// Parses `NAME on|off`, `ring KEY N|max`, `channels KEY N|max`,
/// `coalesce KEY VALUE`, `pause KEY on|off`, `eee on|off`,
/// `eee-tx-lpi on|off`, `eee-tx-timer N` and `priv-flag NAME on|off`, in
/// any order. Anything else is a usage error that says what was expected.
pub(crate) fn parse_words(words: &[String]) -> Result<Words, CliError> {
    let mut out = Words::default();
    let mut w = words.iter().peekable();
    while let Some(word) = w.next() {
        match word.as_str() {
            "ring" => {
                let k = key(
                    "ring",
                    w.next(),
                    &["rx", "tx", "rx-mini", "rx-jumbo"],
                    "ring rx 4096",
                )?;
                let v = number(&format!("ring {k}"), w.next(), true)?;
                out.settings.push((Group::Rings, k.clone(), v));
            }
            "channels" => {
                let k = key(
                    "channels",
                    w.next(),
                    &["rx", "tx", "other", "combined"],
                    "channels combined 4",
                )?;
                let v = number(&format!("channels {k}"), w.next(), true)?;
                out.settings.push((Group::Channels, k.clone(), v));
            }
            "coalesce" => {
                let k = w.next().ok_or_else(|| {
                    usage("`coalesce` needs a parameter and a value, as in `coalesce rx-usecs 50`".into())
                })?;
                let what = format!("coalesce {k}");
                let v = match w.next().map(String::as_str) {
                    Some("on") => Target::Bool(true),
                    Some("off") => Target::Bool(false),
                    other => number(
                        &what,
                        other.map(ToOwned::to_owned).as_ref(),
                        false,
                    )?,
                };
                out.settings.push((Group::Coalesce, k.clone(), v));
            }
            "pause" => {
                let k = key(
                    "pause",
                    w.next(),
                    &["autoneg", "rx", "tx"],
                    "pause rx off",
                )?;
                let v = on_off(&format!("pause {k}"), w.next())?;
                out.settings.push((Group::Pause, k.clone(), Target::Bool(v)));
            }
            "eee" => out.settings.push((
                Group::Eee,
                "enabled".into(),
                Target::Bool(on_off("eee", w.next())?),
            )),
            "eee-tx-lpi" => out.settings.push((
                Group::Eee,
                "tx-lpi".into(),
                Target::Bool(on_off("eee-tx-lpi", w.next())?),
            )),
            "eee-tx-timer" => out.settings.push((
                Group::Eee,
                "tx-lpi-timer".into(),
                number("eee-tx-timer", w.next(), false)?,
            )),
            "priv-flag" => {
                let k = w.next().ok_or_else(|| {
                    usage("`priv-flag` needs a flag name and on or off, as in `priv-flag legacy-rx on`".into())
                })?;
                let v = on_off(&format!("priv-flag {k}"), w.next())?;
                out.settings.push((
                    Group::PrivateFlags,
                    k.clone(),
                    Target::Bool(v),
                ));
            }
            name => {
                let v = on_off(name, w.next())?;
                out.features = std::mem::take(&mut out.features).set(name, v);
            }
        }
    }
    Ok(out)
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
    let iface = IfaceRef::name(&a.iface)?;
    let state = env.state();
    let mut client = Client::new()?;
    let _lock = state.lock()?;
    // Features and settings are planned together before anything is sent,
    // and recorded like a profile, so `ethcfg revert IFACE` undoes them.
    let mut plan = client.plan_change_with(
        "set",
        &[iface],
        &words.features,
        &settings,
        FixedPolicy::Error,
        MissingGroup::Error,
    )?;
    plan.source = a.source;
    let outcomes = client.apply_change(&plan, &state, false)?;
    render::outcome::report(&outcomes, a.json, out, err)?;
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
             pause autoneg off pause rx on eee off eee-tx-lpi on eee-tx-timer 17 priv-flag legacy-rx on gro on",
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
