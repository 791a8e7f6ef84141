//! systemd service units whose `ExecStart=` (or `ExecStartPre=`,
//! `ExecStartPost=`) runs `ethtool` — the Proxmox community script's
//! `disable-nic-offload-<if>.service` among them.

use std::path::Path;

use super::{ini, shell, Found, Origin};

pub(crate) fn read(path: &Path, text: &str) -> Found {
    let mut found = Found::default();
    for e in ini::entries(text) {
        if e.section != "Service"
            || !matches!(
                e.key.as_str(),
                "ExecStart" | "ExecStartPre" | "ExecStartPost"
            )
        {
            continue;
        }
        let origin = Origin {
            file: path.to_path_buf(),
            line: e.line,
            text: e.text.clone(),
        };
        // systemd's prefixes (`-` ignore failure, `@`, `+`, `!`, `:`)
        // change how it runs, not what
        let cmd = e.value.trim_start_matches(['-', '@', '+', '!', ':']);
        if cmd.contains('%') {
            found.skip(&origin, "a unit specifier (like %i): the interface is only known when systemd runs it");
            continue;
        }
        shell::read(cmd, &origin, &mut found);
    }
    found
}
