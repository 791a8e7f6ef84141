//! `ethcfg doctor`: findings for people (wrapped explanation, the log lines,
//! the commands) and as JSON.

use std::io::{self, Write};

use ethcfg_core::doctor::{Finding, Report};
use serde::Serialize;

use super::json::{self, Each};

/// `text` in lines of at most `width` columns, each starting with `indent`.
fn wrap(
    out: &mut dyn Write,
    text: &str,
    indent: &str,
    width: usize,
) -> io::Result<()> {
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty()
            && indent.len() + line.len() + 1 + word.len() > width
        {
            writeln!(out, "{indent}{line}")?;
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        writeln!(out, "{indent}{line}")?;
    }
    Ok(())
}

fn finding_text(out: &mut dyn Write, f: &Finding) -> io::Result<()> {
    writeln!(out, "{} [{}: {}]", f.summary, f.severity, f.id)?;
    wrap(out, &f.explanation, "  ", 78)?;
    if !f.evidence.is_empty() {
        writeln!(out, "  From the log:")?;
        for e in &f.evidence {
            writeln!(out, "    {}", e.trim_end())?;
        }
    }
    if !f.remedy.is_empty() {
        writeln!(out, "  Run:")?;
        for r in &f.remedy {
            writeln!(out, "    {r}")?;
        }
    }
    Ok(())
}

/// The report for people: each finding, or that there is none and what
/// was read.
pub(crate) fn text(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    if report.findings.is_empty() {
        return writeln!(
            out,
            "No known NIC problem in the kernel log ({} line{} from {}).",
            report.lines,
            if report.lines == 1 { "" } else { "s" },
            report.source
        );
    }
    for (i, f) in report.findings.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        finding_text(out, f)?;
    }
    Ok(())
}

/// `{"findings": [...]}`.
pub(crate) fn json(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    json::write(out, &View { findings: Each::new(&report.findings) })
}

#[derive(Serialize)]
struct View<'a> {
    findings: Each<'a, Finding, FindingView<'a>>,
}

#[derive(Serialize)]
struct FindingView<'a> {
    id: &'a str,
    severity: &'static str,
    interface: Option<&'a str>,
    device: Option<&'a str>,
    summary: &'a str,
    evidence: &'a [String],
    explanation: &'a str,
    remedy: &'a [String],
}

impl<'a> From<&'a Finding> for FindingView<'a> {
    fn from(f: &'a Finding) -> Self {
        FindingView {
            id: &f.id,
            severity: f.severity.as_str(),
            interface: f.interface.as_deref(),
            device: f.device.as_deref(),
            summary: &f.summary,
            evidence: &f.evidence,
            explanation: &f.explanation,
            remedy: &f.remedy,
        }
    }
}
