//! `ethcfg metrics`: the Prometheus text exposition format (version
//! 0.0.4), as node_exporter's textfile collector reads it. Every family
//! has its HELP and TYPE lines once, before its samples; label values
//! are escaped as the format says (backslash, double quote, newline).

use std::io::{self, Write};

use ethcfg_core::doctor::FINDINGS;
use ethcfg_core::metrics::{Drift, Snapshot};

/// A label value escaped for the exposition format.
fn label(v: &str) -> String {
    let mut s = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\n' => s.push_str("\\n"),
            c => s.push(c),
        }
    }
    s
}

/// HELP text escaped (backslash and newline only).
fn help(v: &str) -> String {
    v.replace('\\', "\\\\").replace('\n', "\\n")
}

/// One family: HELP, TYPE, then its samples (`labels` already rendered).
struct Family<'a> {
    name: &'a str,
    help: &'a str,
    samples: Vec<(String, String)>,
}

impl<'a> Family<'a> {
    fn new(name: &'a str, help: &'a str) -> Self {
        Family { name, help, samples: Vec::new() }
    }

    fn add(&mut self, labels: &[(&str, &str)], value: impl ToString) {
        let l: Vec<String> = labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", label(v)))
            .collect();
        let l = if l.is_empty() {
            String::new()
        } else {
            format!("{{{}}}", l.join(","))
        };
        self.samples.push((l, value.to_string()));
    }

    fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "# HELP {} {}", self.name, help(self.help))?;
        writeln!(out, "# TYPE {} gauge", self.name)?;
        for (l, v) in &self.samples {
            writeln!(out, "{}{l} {v}", self.name)?;
        }
        Ok(())
    }
}

/// The snapshot as exposition text; `now` is the run's time (epoch
/// seconds) for `ethcfg_metrics_timestamp_seconds`.
pub(crate) fn text(
    out: &mut dyn Write,
    s: &Snapshot,
    now: u64,
) -> io::Result<()> {
    let mut up = Family::new(
        "ethcfg_records_up",
        "Whether ethcfg could read its state records (1) or not (0).",
    );
    up.add(&[], u8::from(s.records_error.is_none()));
    up.write(out)?;

    let mut managed = Family::new(
        "ethcfg_managed",
        "An interface ethcfg changed and keeps a record of: the profile in effect (its last apply), the first one and the source of the first run.",
    );
    let mut checked = Family::new(
        "ethcfg_check_ok",
        "Whether the interface could be checked against its profile (0: a set-made record, a profile or interface gone).",
    );
    let mut drift = Family::new(
        "ethcfg_drift",
        "Whether the interface no longer matches the profile applied to it (1) or does (0).",
    );
    let mut drifted = Family::new(
        "ethcfg_drifted_values",
        "Features and settings that differ from the profile applied to the interface.",
    );
    let mut refused = Family::new(
        "ethcfg_refused_changes",
        "Changes the profile asks for that the device refuses (features fixed by the driver).",
    );
    let mut last = Family::new(
        "ethcfg_last_apply_timestamp_seconds",
        "When ethcfg last changed the interface, in seconds since the epoch.",
    );
    let mut feature = Family::new(
        "ethcfg_feature_active",
        "The state now (1 on, 0 off) of each feature ethcfg manages on the interface.",
    );
    for m in &s.interfaces {
        let e = &m.expected;
        let iface = e.ifname.as_str();
        let profile = e.profile.as_str();
        managed.add(
            &[
                ("interface", iface),
                ("profile", profile),
                ("first_profile", &e.first_by),
                ("source", e.source.as_str()),
            ],
            1,
        );
        last.add(&[("interface", iface), ("profile", profile)], e.last_apply);
        match &m.drift {
            Drift::Checked { drifted: d, refused: r } => {
                let l = [("interface", iface), ("profile", profile)];
                checked.add(&l, 1);
                drift.add(&l, u8::from(*d > 0));
                drifted.add(&l, d);
                refused.add(&l, r);
            }
            // Unknown drift is left out of ethcfg_drift: an alert on it
            // would fire on a record there is no profile for.
            _ => checked.add(&[("interface", iface), ("profile", profile)], 0),
        }
        for (name, on) in &m.features {
            feature
                .add(&[("interface", iface), ("feature", name)], u8::from(*on));
        }
    }
    for f in [&managed, &checked, &drift, &drifted, &refused, &last, &feature] {
        f.write(out)?;
    }

    if let Some(findings) = &s.findings {
        let mut up = Family::new(
            "ethcfg_doctor_up",
            "Whether ethcfg doctor could read the kernel log (1) or not (0).",
        );
        up.add(&[], u8::from(s.doctor_error.is_none()));
        up.write(out)?;
        let mut count = Family::new(
            "ethcfg_doctor_findings",
            "Findings of ethcfg doctor in the kernel log, by id (0 when none).",
        );
        let mut ids: Vec<&str> = FINDINGS.to_vec();
        for f in findings {
            if !ids.contains(&f.id.as_str()) {
                ids.push(&f.id);
            }
        }
        for id in ids {
            count.add(
                &[("finding", id)],
                findings.iter().filter(|f| f.id == id).count(),
            );
        }
        count.write(out)?;
        let mut events = Family::new(
            "ethcfg_doctor_events",
            "How many times the kernel log shows each finding's trouble (e1000e hangs, igc link drops, r8169 transmit timeouts, lost iSCSI heartbeats; 1 for ice's safe mode or default package), per interface and device.",
        );
        for f in findings {
            events.add(
                &[
                    ("finding", &f.id),
                    ("severity", f.severity.as_str()),
                    ("interface", f.interface.as_deref().unwrap_or("")),
                    ("device", f.device.as_deref().unwrap_or("")),
                ],
                f.events,
            );
        }
        events.write(out)?;
    }

    let mut ts = Family::new(
        "ethcfg_metrics_timestamp_seconds",
        "When ethcfg metrics wrote this file, in seconds since the epoch.",
    );
    ts.add(&[], now);
    ts.write(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
        assert_eq!(help("x\\y\nz"), "x\\\\y\\nz");
    }
}
