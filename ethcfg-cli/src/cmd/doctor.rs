//! `ethcfg doctor [IFACE...] [--kernel-log FILE|-] [--root DIR] [--json]`:
//! what the kernel log says is wrong, why, and what to run.

use std::io::Write;
use std::path::Path;

use ethcfg_core::doctor::{self, Finding, LogSource, Options};
use serde_json::{json, Value};

use crate::env::Env;
use crate::exit::{CliError, Exit};

fn finding_json(f: &Finding) -> Value {
    json!({
        "id": f.id,
        "severity": f.severity.as_str(),
        "interface": f.interface,
        "device": f.device,
        "summary": f.summary,
        "evidence": f.evidence,
        "explanation": f.explanation,
        "remedy": f.remedy,
    })
}

/// `text` in lines of at most `width` columns, each starting with `indent`.
fn wrap(
    out: &mut dyn Write,
    text: &str,
    indent: &str,
    width: usize,
) -> std::io::Result<()> {
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

fn finding_text(out: &mut dyn Write, f: &Finding) -> std::io::Result<()> {
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

pub(crate) fn run(
    ifaces: &[String],
    kernel_log: Option<&Path>,
    root: Option<&Path>,
    json: bool,
    env: &Env,
    out: &mut dyn Write,
) -> Result<Exit, CliError> {
    // Without --root, the running system: devlink, the interfaces' current
    // settings. With it, the files under it only.
    let mut opts = match root {
        Some(r) => Options::rooted(r),
        None => Options::new(),
    };
    opts.state_dir = env.state_dir_set().map(Path::to_path_buf);
    opts.profile_dir = env.profile_dir().to_path_buf();
    opts.log = kernel_log.map(|p| {
        if p == Path::new("-") {
            LogSource::Stdin
        } else {
            LogSource::File(p.to_path_buf())
        }
    });
    opts.ifaces = ifaces.to_vec();
    let report = doctor::run(&opts)?;
    if json {
        let findings: Vec<Value> =
            report.findings.iter().map(finding_json).collect();
        serde_json::to_writer_pretty(
            &mut *out,
            &json!({ "findings": findings }),
        )
        .map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(Exit::Ok);
    }
    if report.findings.is_empty() {
        writeln!(
            out,
            "No known NIC problem in the kernel log ({} line{} from {}).",
            report.lines,
            if report.lines == 1 { "" } else { "s" },
            report.source
        )?;
        return Ok(Exit::Ok);
    }
    for (i, f) in report.findings.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        finding_text(out, f)?;
    }
    Ok(Exit::Ok)
}
