//! `iscsi-heartbeat-loss`: iSCSI keeps its connections alive with NOP
//! pings. A target (LIO) that gets no answer logs "Did not receive response
//! to NOPIN ... failing connection"; an initiator (libiscsi) logs
//! "connectionN:M: ping timeout of S secs expired". Either way the storage
//! path stalled for seconds — and on a host whose NIC hangs or runs without
//! its offloads, the NIC is the first suspect.

use super::{evidence, Finding, LogLine, Severity};

/// Heartbeat lines kept as evidence: the first few and the last.
const KEEP: usize = 6;

/// Collects heartbeat losses while the log streams past.
#[derive(Debug, Default)]
pub(crate) struct Detector {
    target: usize,
    initiator: usize,
    lines: Vec<String>,
    last: Option<String>,
    first_when: Option<String>,
    last_when: Option<String>,
}

/// libiscsi's "connection1:0: ping timeout of 5 secs expired, ...".
fn initiator_timeout(text: &str) -> bool {
    let Some((conn, rest)) = text.trim_start().split_once(": ") else {
        return false;
    };
    let id = conn.strip_prefix("connection").unwrap_or("");
    let mut parts = id.split(':');
    let numeric = |p: Option<&str>| {
        p.is_some_and(|p| {
            !p.is_empty() && p.chars().all(|c| c.is_ascii_digit())
        })
    };
    numeric(parts.next())
        && numeric(parts.next())
        && rest.starts_with("ping timeout of ")
        && rest.contains(" secs expired")
}

impl Detector {
    pub(crate) fn feed(&mut self, l: &LogLine) {
        if l.text.contains("Did not receive response to NOPIN on CID") {
            self.target += 1;
        } else if initiator_timeout(&l.text) {
            self.initiator += 1;
        } else {
            return;
        }
        self.first_when = self.first_when.take().or_else(|| l.when.clone());
        self.last_when = l.when.clone();
        if self.lines.len() < KEEP {
            self.lines.push(evidence(&l.raw));
        } else {
            self.last = Some(evidence(&l.raw));
        }
    }
}

/// The finding, tied to the NIC findings of the same log.
pub(crate) fn findings(d: &Detector, nic: &[Finding]) -> Vec<Finding> {
    let n = d.target + d.initiator;
    if n == 0 {
        return Vec::new();
    }
    let side = match (d.target, d.initiator) {
        (0, _) => "the initiator got no answer to its pings from the target",
        (_, 0) => "the target (LIO) got no answer to its NOP-In pings from the initiator",
        _ => "both ends missed each other's pings",
    };
    let when = match (&d.first_when, &d.last_when) {
        (Some(a), Some(b)) if a != b => format!(", {a} to {b}"),
        (Some(a), _) => format!(", at {a}"),
        _ => String::new(),
    };
    let mut why = format!(
        "iSCSI sessions send pings to prove the other end is alive; {side}, so the connection was dropped and I/O \
         on it stalled until it was re-established (a ZFS pool or a VM on that storage hangs meanwhile)."
    );
    let related: Vec<String> = nic
        .iter()
        .map(|f| match &f.interface {
            Some(i) => format!("{} on {i}", f.id),
            None => {
                format!("{} on {}", f.id, f.device.as_deref().unwrap_or("?"))
            }
        })
        .collect();
    let mut remedy = Vec::new();
    if related.is_empty() {
        why.push_str(
            " This log shows no NIC problem ethcfg recognises: look at the path the iSCSI traffic takes — \
             link errors and drops on the NIC, the switch, the other end's load.",
        );
        remedy.push("ip -s link".to_owned());
    } else {
        why.push_str(&format!(
            " This host's log also shows {}: a NIC that hangs or runs without its offloads loses exactly these \
             heartbeats under load. Fix that first.",
            related.join(", ")
        ));
        remedy.push(format!(
            "# first the NIC: {} (see those findings)",
            related.join(", ")
        ));
    }
    remedy.push("iscsiadm -m session -P 3   # on an initiator: which NIC and portal each session uses".into());
    let mut evidence = d.lines.clone();
    evidence.extend(d.last.iter().cloned());
    vec![Finding {
        id: "iscsi-heartbeat-loss".into(),
        severity: Severity::Error,
        interface: None,
        device: None,
        summary: format!(
            "iSCSI heartbeats lost {} time{}{when}: the storage network path stalled",
            n,
            if n == 1 { "" } else { "s" }
        ),
        evidence,
        explanation: why,
        remedy,
        events: n,
    }]
}
