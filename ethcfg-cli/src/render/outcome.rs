//! What `set`, `apply`, `revert` and `check` did to each interface: the
//! changes for people (a line per feature or setting, in columns), notes
//! and kernel warnings on stderr, and the `--json` array.

use std::io::{self, Write};

use ethcfg_core::change::{StrictRollback, Undone};
use ethcfg_core::host::Device;
use ethcfg_core::settings::SettingChange;
use ethcfg_core::{FeatureChange, InterfaceOutcome, Status};
use serde::Serialize;

use super::json::{self, Each, Seq};
use super::on_off;
use super::settings::ValueView;

/// The outcomes on `out` (JSON or text), and what to tell about them on
/// `err`: fixed features left alone, notes, the kernel's warnings.
pub(crate) fn report(
    outcomes: &[InterfaceOutcome],
    as_json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<()> {
    report_as(outcomes, DRY_RUN, as_json, out, err)
}

/// How `planned` reads in a dry run.
const DRY_RUN: &str = "planned (dry run: nothing sent)";

/// The outcomes of a `--strict` run that was undone: as [`report`], but
/// a run refused before sending says so, not that it was a dry run.
pub(crate) fn strict_report(
    outcomes: &[InterfaceOutcome],
    undone: Undone,
    as_json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<()> {
    let planned = match undone {
        Undone::NothingSent => "planned (--strict: nothing sent)",
        _ => DRY_RUN,
    };
    report_as(outcomes, planned, as_json, out, err)
}

/// The error line of a `--strict` run that was undone: what was refused,
/// and what became of the run.
pub(crate) fn strict_line(s: &StrictRollback) -> String {
    let undone = match s.undone {
        Undone::NothingSent => "nothing was sent",
        _ => "every change of this run was rolled back",
    };
    format!(
        "{}: the kernel or driver refused {}; --strict: {undone}",
        s.iface,
        s.refused.join(", ")
    )
}

fn report_as(
    outcomes: &[InterfaceOutcome],
    planned: &str,
    as_json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<()> {
    for o in outcomes {
        for name in &o.skipped_fixed {
            writeln!(err, "ethcfg: note: {}: {name} is fixed on this device; left as it is", super::escape(&o.ifname))?;
        }
        for n in &o.notes {
            writeln!(err, "ethcfg: note: {}", super::escape(n))?;
        }
        for w in &o.warnings {
            writeln!(
                err,
                "ethcfg: kernel warning: {}",
                super::escape(&format!("{}: {w}", o.ifname))
            )?;
        }
    }
    if as_json {
        json(out, outcomes)
    } else {
        let mut buf = TextBuf::default();
        outcomes.iter().try_for_each(|o| text(out, o, planned, &mut buf))
    }
}

/// The `--json` array of `set`, `apply`, `revert` and `check`.
pub(crate) fn json(
    out: &mut dyn Write,
    outcomes: &[InterfaceOutcome],
) -> io::Result<()> {
    json::write(out, &Seq(|| outcomes.iter().map(Outcome::from)))
}

/// The labels of the per-interface count line, in order (the planned
/// one as a dry run reads; a strict run undone before sending says so).
const COUNTED: [(Status, &str); 5] = [
    (Status::Applied, "applied"),
    (Status::Refused, "refused"),
    (Status::SideEffect, "side effects"),
    (Status::Planned, DRY_RUN),
    (Status::Drift, "drifted"),
];

/// [`text`]'s buffers, kept from one interface to the next: the lines
/// being put together, and the last interface's feature lines with what
/// they were made from. The interfaces of a bulk run change alike, so
/// most take the last one's lines whole instead of making them again.
#[derive(Default)]
pub(crate) struct TextBuf {
    buf: Vec<u8>,
    /// (feature, status, from, to) of each change of `lines`.
    made_from: Vec<(ethcfg_core::features::FeatureName, Status, bool, bool)>,
    lines: Vec<u8>,
}

impl TextBuf {
    /// Whether `changes` make the feature lines held.
    fn holds(
        made_from: &[(
            ethcfg_core::features::FeatureName,
            Status,
            bool,
            bool,
        )],
        changes: &[FeatureChange],
    ) -> bool {
        made_from.len() == changes.len()
            && made_from.iter().zip(changes).all(|((f, s, from, to), c)| {
                *f == c.feature
                    && *s == c.status
                    && *from == c.from
                    && *to == c.to
            })
    }
}

/// What a change did to one interface, for people: a count per status,
/// then one line per feature and setting, names in one column.
///
/// The lines are put together as bytes (buffers reused from one interface
/// to the next) and written once: a run over a thousand interfaces
/// reports thirteen thousand changes, and the formatting machinery
/// through a `dyn Write` cost more than the rest of the report.
pub(crate) fn text(
    w: &mut dyn Write,
    o: &InterfaceOutcome,
    planned: &str,
    tb: &mut TextBuf,
) -> io::Result<()> {
    let TextBuf { buf, made_from, lines } = tb;
    buf.clear();
    if o.changes.is_empty() && o.settings.is_empty() {
        super::push_escaped(buf, &o.ifname);
        buf.extend_from_slice(
            b": nothing to change, everything asked for is already so\n",
        );
        return w.write_all(buf);
    }
    let mut counts = [0usize; COUNTED.len()];
    let slot = |status: Status| COUNTED.iter().position(|(s, _)| *s == status);
    for c in &o.changes {
        if let Some(n) = slot(c.status).and_then(|i| counts.get_mut(i)) {
            *n += 1;
        }
    }
    let mut adjusted = 0;
    for c in &o.settings {
        if c.status == Status::Adjusted {
            adjusted += 1;
        }
        if let Some(n) = slot(c.status).and_then(|i| counts.get_mut(i)) {
            *n += 1;
        }
    }
    super::push_escaped(buf, &o.ifname);
    buf.extend_from_slice(b": ");
    // "adjusted" goes second, after the first count (first if alone).
    let mut listed = 0;
    let mut count = |buf: &mut Vec<u8>, n: usize, label: &str| {
        if listed > 0 {
            buf.extend_from_slice(b", ");
        }
        push_number(buf, n);
        buf.push(b' ');
        buf.extend_from_slice(label.as_bytes());
        listed += 1;
    };
    for (&n, (status, label)) in counts.iter().zip(COUNTED.iter()) {
        if n == 0 {
            continue;
        }
        count(buf, n, if *status == Status::Planned { planned } else { label });
        if adjusted > 0 {
            count(buf, adjusted, "adjusted");
            adjusted = 0;
        }
    }
    if adjusted > 0 {
        count(buf, adjusted, "adjusted");
    }
    buf.push(b'\n');
    // Lines that depend on the changes alone (no reasons, no settings) are
    // those of the last interface when its changes were the same.
    let reusable =
        o.settings.is_empty() && o.changes.iter().all(|c| c.reason.is_none());
    if reusable && TextBuf::holds(made_from, &o.changes) {
        buf.extend_from_slice(lines);
        return w.write_all(buf);
    }
    let lines_from = buf.len();
    let width = o
        .changes
        .iter()
        .map(|c| c.feature.len())
        .chain(
            o.settings.iter().map(|c| c.group.as_str().len() + 1 + c.key.len()),
        )
        .max()
        .unwrap_or(0);
    for c in &o.changes {
        buf.extend_from_slice(b"  ");
        if let Some(tail) = common_tail(c) {
            // Nearly every line: the name, its padding and the two spaces
            // after it, then the rest in one piece.
            padded(buf, c.feature.as_str(), width + 2);
            buf.extend_from_slice(tail);
            continue;
        }
        padded(buf, c.feature.as_str(), width);
        buf.extend_from_slice(b"  ");
        let (from, to) = (on_off(c.from), on_off(c.to));
        match c.status {
            Status::Refused => match &c.reason {
                None => {
                    buf.extend_from_slice(b"stays ");
                    padded(buf, from, 4);
                    buf.extend_from_slice(b" refused: requested ");
                    buf.extend_from_slice(to.as_bytes());
                    buf.extend_from_slice(b", the kernel or driver kept it ");
                    buf.extend_from_slice(from.as_bytes());
                }
                Some(why) => {
                    buf.extend_from_slice(b"ends ");
                    padded(buf, from, 4);
                    buf.extend_from_slice(b"  refused: requested ");
                    buf.extend_from_slice(to.as_bytes());
                    buf.extend_from_slice(b", ");
                    buf.extend_from_slice(why.as_bytes());
                }
            },
            s => {
                buf.extend_from_slice(from.as_bytes());
                buf.extend_from_slice(b" -> ");
                padded(buf, to, 3);
                buf.push(b' ');
                buf.extend_from_slice(match s {
                    Status::SideEffect => {
                        b"side effect (not requested)".as_slice()
                    }
                    s => s.as_str().as_bytes(),
                });
            }
        }
        buf.push(b'\n');
    }
    for c in &o.settings {
        let name = format!("{} {}", c.group, c.key);
        let what = match c.status {
            Status::Refused => format!(
                "stays {}  refused: asked {}{}",
                c.now,
                c.to,
                c.reason
                    .as_ref()
                    .map(|r| format!(" — {r}"))
                    .unwrap_or_default()
            ),
            Status::Adjusted => format!(
                "{} -> {}  adjusted: asked {}, the driver took {}",
                c.from, c.now, c.to, c.now
            ),
            Status::SideEffect => {
                format!("{} -> {}  side effect (not asked)", c.from, c.now)
            }
            Status::Planned | Status::Drift => {
                format!("{} -> {}  {}", c.from, c.to, c.status)
            }
            s => format!("{} -> {}  {s}", c.from, c.now),
        };
        writeln!(buf, "  {name:<width$}  {what}")?;
    }
    if reusable {
        lines.clear();
        lines.extend_from_slice(buf.get(lines_from..).unwrap_or_default());
        made_from.clear();
        made_from.extend(
            o.changes
                .iter()
                .map(|c| (c.feature.clone(), c.status, c.from, c.to)),
        );
    }
    w.write_all(buf)
}

/// The end of a change's line for the two statuses nearly every line has
/// (as the general case below writes it: `from -> to` with `to` in three
/// columns, then the status), written whole.
fn common_tail(c: &FeatureChange) -> Option<&'static [u8]> {
    Some(match (c.status, c.from, c.to) {
        (Status::Applied, true, false) => b"on -> off applied\n",
        (Status::Applied, false, true) => b"off -> on  applied\n",
        (Status::Applied, true, true) => b"on -> on  applied\n",
        (Status::Applied, false, false) => b"off -> off applied\n",
        (Status::SideEffect, true, false) => {
            b"on -> off side effect (not requested)\n"
        }
        (Status::SideEffect, false, true) => {
            b"off -> on  side effect (not requested)\n"
        }
        (Status::SideEffect, true, true) => {
            b"on -> on  side effect (not requested)\n"
        }
        (Status::SideEffect, false, false) => {
            b"off -> off side effect (not requested)\n"
        }
        _ => return None,
    })
}

/// `s` left-aligned in `width` characters, as `{:<width$}` pads it.
fn padded(buf: &mut Vec<u8>, s: &str, width: usize) {
    buf.extend_from_slice(s.as_bytes());
    let chars = if s.is_ascii() { s.len() } else { s.chars().count() };
    buf.resize(buf.len() + width.saturating_sub(chars), b' ');
}

/// Appends `n` in decimal.
fn push_number(buf: &mut Vec<u8>, n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        if let Some(d) = digits.get_mut(at) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || at == 0 {
            break;
        }
    }
    buf.extend_from_slice(digits.get(at..).unwrap_or_default());
}

/// `check` for people: per interface, whether it matches `profile`, and
/// the features that differ.
pub(crate) fn drift_text(
    out: &mut dyn Write,
    drift: &[InterfaceOutcome],
    profile: &str,
) -> io::Result<()> {
    for o in drift {
        if o.changes.is_empty() {
            writeln!(
                out,
                "{}: matches profile {profile}",
                super::escape(&o.ifname)
            )?;
        } else {
            writeln!(
                out,
                "{}: {} feature(s) differ from profile {profile}",
                super::escape(&o.ifname),
                o.changes.len(),
            )?;
            for c in &o.changes {
                writeln!(
                    out,
                    "  {}  is {}, profile wants {}",
                    c.feature,
                    on_off(c.from),
                    on_off(c.to)
                )?;
            }
        }
    }
    Ok(())
}

/// Before an apply that resets the link of a management interface.
pub(crate) fn link_reset_notice(
    err: &mut dyn Write,
    d: &Device,
    resets: &[String],
    why: &[String],
) -> io::Result<()> {
    writeln!(
        err,
        "ethcfg: notice: {}: changing {} makes the {} driver reset the link, and {}: expect a few seconds without connectivity",
        super::escape(&d.ifname),
        resets.join(", "),
        d.driver.as_deref().unwrap_or("?"),
        why.join(" and ")
    )
}

/// One element of the `--json` array.
#[derive(Serialize)]
struct Outcome<'a> {
    ifname: &'a str,
    ifindex: u32,
    changed: bool,
    changes: Each<'a, FeatureChange, Change<'a>>,
    settings: Each<'a, SettingChange, Setting<'a>>,
    skipped_fixed: &'a [String],
    warnings: &'a [String],
    notes: &'a [String],
}

impl<'a> From<&'a InterfaceOutcome> for Outcome<'a> {
    fn from(o: &'a InterfaceOutcome) -> Self {
        Outcome {
            ifname: &o.ifname,
            ifindex: o.ifindex,
            changed: o.changed(),
            changes: Each::new(&o.changes),
            settings: Each::new(&o.settings),
            skipped_fixed: &o.skipped_fixed,
            warnings: &o.warnings,
            notes: &o.notes,
        }
    }
}

#[derive(Serialize)]
struct Change<'a> {
    feature: &'a str,
    from: bool,
    to: bool,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

impl<'a> From<&'a FeatureChange> for Change<'a> {
    fn from(c: &'a FeatureChange) -> Self {
        Change {
            feature: &c.feature,
            from: c.from,
            to: c.to,
            status: c.status.as_str(),
            reason: c.reason.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct Setting<'a> {
    group: &'static str,
    key: &'a str,
    from: ValueView,
    to: ValueView,
    now: ValueView,
    status: &'static str,
    reason: Option<&'a str>,
}

impl<'a> From<&'a SettingChange> for Setting<'a> {
    fn from(c: &'a SettingChange) -> Self {
        Setting {
            group: c.group.as_str(),
            key: &c.key,
            from: ValueView(c.from),
            to: ValueView(c.to),
            now: ValueView(c.now),
            status: c.status.as_str(),
            reason: c.reason.as_deref(),
        }
    }
}
