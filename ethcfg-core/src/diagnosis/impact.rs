//! The blast radius of unloading a kernel module, before anyone types
//! `rmmod` or `modprobe -r`: which modules hold it and must go first, what
//! each command really unloads, which interfaces vanish with them, whether
//! the management interface is among them, and a sequence that keeps it up.
//!
//! Everything comes from the running kernel's own bookkeeping under a
//! [`HostRoot`] (fixture trees in tests): `/proc/modules` (reference counts,
//! "used by"), `/sys/module/*/holders`, and the driver behind every
//! `/sys/class/net/*` device and its parents. Nothing is changed.
//!
//! `rmmod` removes exactly the modules named, and fails while anything
//! holds them. `modprobe -r` also unloads each dependency whose use count
//! drops to zero, recursively — how a PF_RING driver reload that ran
//! `modprobe -r` took i40e (and the management NIC on it) away together
//! with irdma: irdma was i40e's only user. A NIC driver's use count does
//! not count its interfaces, so "unused" says nothing about traffic.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use crate::error::{Error, Result};
use crate::host::{
    self, module_name, HostRoot, LoadedModule, ManagementHints,
    ManagementInterface, NetDevice,
};

/// What one way of unloading does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Removal {
    /// The commands, in order.
    pub commands: Vec<String>,
    /// The modules unloaded, in the order they go.
    pub unloads: Vec<String>,
    /// Interfaces whose device (or a parent device) is driven by an
    /// unloaded module: they vanish.
    pub interfaces_lost: Vec<String>,
    /// Interfaces stacked on a lost one (bridge, bond, VLAN) that stay but
    /// lose it.
    pub uppers_affected: Vec<String>,
    /// A management interface is lost or stacked on a lost one.
    pub management_affected: bool,
}

/// The blast radius of unloading one module.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Impact {
    /// The module, as the kernel spells it.
    pub module: String,
    /// Built into the kernel: nothing can be unloaded.
    pub builtin: bool,
    /// Modules holding it, directly or through others, in the order they
    /// must be removed before it.
    pub holders: Vec<String>,
    /// `rmmod` of the holders, then of the module.
    pub rmmod: Removal,
    /// `modprobe -r` of the same modules: also every dependency whose use
    /// count drops to zero.
    pub modprobe_r: Removal,
    /// The management interfaces of the system.
    pub management: Vec<ManagementInterface>,
    /// Commands that unload and reload the module without taking a
    /// management interface down; empty when there is no such sequence
    /// (then [`Impact::notes`] says why).
    pub safe_sequence: Vec<String>,
    /// What else to know: built-in drivers, modules in use by something
    /// other than modules, modules that can never be unloaded.
    pub notes: Vec<String>,
}

/// The loaded modules and who uses whom. Indexed by name: a `--root`
/// copy may list tens of thousands of modules, and every walk over the
/// graph stays linear in its size.
#[derive(Debug)]
struct Graph {
    modules: Vec<LoadedModule>,
    index: HashMap<String, usize>,
}

impl Graph {
    /// `/proc/modules`, with holders from sysfs merged in (the two show
    /// the same links; a module list read mid-change may lack one).
    fn read(root: &Path, mut modules: Vec<LoadedModule>) -> Graph {
        for m in &mut modules {
            for h in host::module_holders(root, &m.name) {
                if !m.users.contains(&h) {
                    m.users.push(h);
                }
            }
        }
        let index = modules
            .iter()
            .enumerate()
            .map(|(i, m)| (m.name.clone(), i))
            .collect();
        Graph { modules, index }
    }

    fn get(&self, name: &str) -> Option<&LoadedModule> {
        self.index.get(name).and_then(|&i| self.modules.get(i))
    }

    fn holders(&self, name: &str) -> Vec<String> {
        let mut h = self.get(name).map(|m| m.users.clone()).unwrap_or_default();
        h.sort();
        h
    }

    /// `name` after everything holding it (depth first), each once: the
    /// order in which they can be removed.
    fn removal_order(&self, name: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut placed = HashSet::new();
        self.place(name, &mut out, &mut placed, 0);
        out
    }

    fn place(
        &self,
        name: &str,
        out: &mut Vec<String>,
        placed: &mut HashSet<String>,
        depth: usize,
    ) {
        // A cycle cannot happen (the kernel refuses circular module
        // dependencies); the depth bound makes sure of it.
        if placed.contains(name) || depth > 64 {
            return;
        }
        for h in self.holders(name) {
            self.place(&h, out, placed, depth + 1);
        }
        if placed.insert(name.to_owned()) {
            out.push(name.to_owned());
        }
    }

    /// What is left of `m`'s use count once `gone` are unloaded.
    fn remaining_uses(&self, m: &LoadedModule, gone: &[String]) -> Option<u32> {
        let freed = m.users.iter().filter(|u| gone.contains(u)).count();
        m.refcount.map(|r| r.saturating_sub(freed as u32))
    }

    /// `modprobe -r`: after `removed`, every module one of them used whose
    /// use count has dropped to zero goes too, and so on — in rounds, each
    /// round's modules in `/proc/modules` order. Each use link is followed
    /// once: linear in the size of the graph.
    fn cascade(&self, removed: &[String]) -> Vec<String> {
        let n = self.modules.len();
        // uses[i]: the modules module i uses (it is among their users).
        let mut uses: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (j, m) in self.modules.iter().enumerate() {
            for u in &m.users {
                if let Some(slot) =
                    self.index.get(u).and_then(|&i| uses.get_mut(i))
                {
                    slot.push(j);
                }
            }
        }
        let mut gone = vec![false; n];
        let mut freed = vec![0u32; n];
        let mut frontier: Vec<usize> = Vec::new();
        for r in removed {
            if let Some(&i) = self.index.get(r) {
                if let Some(g) = gone.get_mut(i) {
                    if !*g {
                        *g = true;
                        frontier.push(i);
                    }
                }
            }
        }
        let mut out = removed.to_vec();
        while !frontier.is_empty() {
            let mut next = Vec::new();
            for i in frontier {
                for &j in uses.get(i).map_or(&[][..], Vec::as_slice) {
                    let (Some(m), Some(f), Some(g)) =
                        (self.modules.get(j), freed.get_mut(j), gone.get(j))
                    else {
                        continue;
                    };
                    if *g || m.permanent {
                        continue;
                    }
                    *f += 1;
                    if m.refcount.map(|r| r.saturating_sub(*f)) == Some(0) {
                        next.push(j);
                    }
                }
            }
            next.sort_unstable();
            next.dedup();
            for &j in &next {
                if let (Some(g), Some(m)) =
                    (gone.get_mut(j), self.modules.get(j))
                {
                    *g = true;
                    out.push(m.name.clone());
                }
            }
            frontier = next;
        }
        out
    }
}

/// Interfaces lost when `unloaded` go, and the uppers stacked on them.
fn lost(
    devices: &[NetDevice],
    unloaded: &[String],
) -> (Vec<String>, Vec<String>) {
    let unloaded: HashSet<&str> = unloaded.iter().map(String::as_str).collect();
    let lost: Vec<String> = devices
        .iter()
        .filter(|d| {
            d.drivers.iter().any(|b| {
                b.module
                    .as_ref()
                    .is_some_and(|m| unloaded.contains(module_name(m).as_str()))
            })
        })
        .map(|d| d.ifname.clone())
        .collect();
    let mut uppers = BTreeSet::new();
    let mut todo: Vec<String> = lost.clone();
    while let Some(i) = todo.pop() {
        let Some(d) = devices.iter().find(|d| d.ifname == i) else { continue };
        for u in d.uppers.iter().chain(d.master.iter()) {
            if !lost.contains(u) && uppers.insert(u.clone()) {
                todo.push(u.clone());
            }
        }
    }
    (lost, uppers.into_iter().collect())
}

fn removal(
    commands: Vec<String>,
    unloads: Vec<String>,
    devices: &[NetDevice],
    management: &[ManagementInterface],
) -> Removal {
    let (interfaces_lost, uppers_affected) = lost(devices, &unloads);
    let management_affected = management.iter().any(|m| {
        interfaces_lost.contains(&m.ifname)
            || uppers_affected.contains(&m.ifname)
    });
    Removal {
        commands,
        unloads,
        interfaces_lost,
        uppers_affected,
        management_affected,
    }
}

/// `softdep` and `remove` rules for `modules` in the modprobe.d files under
/// `root`: `modprobe -r` follows them, and what they do is not computed
/// here, so they are pointed out.
fn modprobe_rules(root: &Path, modules: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for dir in [
        "etc/modprobe.d",
        "run/modprobe.d",
        "usr/lib/modprobe.d",
        "lib/modprobe.d",
    ] {
        let Ok(rd) = std::fs::read_dir(root.join(dir)) else { continue };
        let mut files: Vec<_> =
            rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        files.sort();
        for f in
            files.iter().filter(|f| f.extension().is_some_and(|e| e == "conf"))
        {
            let Ok(text) =
                crate::fs::read_regular_string(f, crate::fs::SYSFS_CAP)
            else {
                continue;
            };
            for line in text.lines().map(str::trim) {
                let mut w = line.split_whitespace();
                let (Some(kind @ ("softdep" | "remove")), Some(m)) =
                    (w.next(), w.next())
                else {
                    continue;
                };
                if modules.contains(&module_name(m)) {
                    out.push(format!(
                        "/{}/{} has \"{line}\": modprobe -r follows {kind} rules, which this report does not include",
                        dir,
                        f.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
                    ));
                }
            }
        }
    }
    out
}

/// Whether a driver named `driver` is `module` (`virtio-pci` is
/// `virtio_pci`).
fn same_name(driver: &str, module: &str) -> bool {
    module_name(driver) == module
}

/// The report for a module built into the kernel.
fn builtin(
    module: String,
    devices: &[NetDevice],
    management: Vec<ManagementInterface>,
) -> Impact {
    let driven: Vec<&NetDevice> = devices
        .iter()
        .filter(|d| {
            d.drivers
                .iter()
                .any(|b| b.module.is_none() && same_name(&b.driver, &module))
        })
        .collect();
    let mut notes = vec![format!(
        "{module} is built into the kernel: it cannot be unloaded, and rmmod and modprobe -r refuse it"
    )];
    if !driven.is_empty() {
        let names: Vec<&str> =
            driven.iter().map(|d| d.ifname.as_str()).collect();
        notes.push(format!(
            "it drives {}; a device can only be unbound from its driver (/sys/bus/*/drivers/DRIVER/unbind), one at a time",
            names.join(", ")
        ));
    }
    Impact {
        module,
        builtin: true,
        holders: Vec::new(),
        rmmod: Removal::default(),
        modprobe_r: Removal::default(),
        management,
        safe_sequence: Vec::new(),
        notes,
    }
}

/// Whether some driver bound to a device under `root` is called `module`
/// (built-in drivers have no `/sys/module` entry of their own name when
/// they have no parameters).
fn builtin_driver_exists(devices: &[NetDevice], module: &str) -> bool {
    devices.iter().any(|d| {
        d.drivers
            .iter()
            .any(|b| b.module.is_none() && same_name(&b.driver, module))
    })
}

/// The blast radius of unloading `module` on `system`;
/// `hints` help find its management interfaces (on the live system).
///
/// # Errors
/// [`Error::UnknownModule`] when the module is neither loaded nor built in.
pub fn impact(
    system: &HostRoot,
    hints: &ManagementHints,
    module: &str,
) -> Result<Impact> {
    let root = system.path();
    let name = module_name(module);
    let devices = host::net_devices(root);
    let management = host::management_interfaces(system, hints);
    let unknown = || Error::UnknownModule {
        name: module.to_owned(),
        modules: root.join("proc/modules"),
    };
    if name.is_empty() || name.contains('/') {
        return Err(unknown());
    }
    let list = root.join("proc/modules");
    let loaded = host::loaded_modules(root);
    let is_loaded =
        loaded.as_ref().is_ok_and(|l| l.iter().any(|m| m.name == name));
    if !is_loaded {
        if host::module_in_sysfs(root, &name)
            || builtin_driver_exists(&devices, &name)
        {
            return Ok(builtin(name, &devices, management));
        }
        // Without the module list (a kernel without loadable modules, or
        // a copy of a system that lacks it), "not loaded and not built
        // in" would be a guess: say that it cannot be told.
        return Err(match loaded {
            Ok(_) => unknown(),
            Err(source) => Error::ModulesUnreadable {
                name: module.to_owned(),
                modules: list,
                source,
            },
        });
    }
    let loaded = loaded.unwrap_or_default();
    let graph = Graph::read(root, loaded);
    let order = graph.removal_order(&name);
    let holders: Vec<String> =
        order.iter().filter(|m| **m != name).cloned().collect();

    let rmmod = removal(
        order.iter().map(|m| format!("rmmod {m}")).collect(),
        order.clone(),
        &devices,
        &management,
    );
    let modprobe_r = removal(
        vec![format!("modprobe -r {}", order.join(" "))],
        graph.cascade(&order),
        &devices,
        &management,
    );

    let mut notes = Vec::new();
    let mut blocked = false;
    for (i, m) in order.iter().enumerate() {
        let Some(lm) = graph.get(m) else { continue };
        let before = order.get(..i).unwrap_or_default();
        if lm.permanent || lm.refcount.is_none() {
            blocked = true;
            notes.push(format!(
                "{m} can never be unloaded ({})",
                if lm.permanent {
                    "marked permanent"
                } else {
                    "this kernel was built without module unloading"
                }
            ));
        } else if let Some(n) =
            graph.remaining_uses(lm, before).filter(|n| *n > 0)
        {
            blocked = true;
            notes.push(format!(
                "rmmod {m} will fail while something other than a module holds it (use count {n} after its holders are gone: an open device, a mount, a bound consumer)"
            ));
        }
        if lm.state != "Live" {
            notes.push(format!("{m} is {} right now", lm.state.to_lowercase()));
        }
    }
    let extra: Vec<&String> = modprobe_r
        .unloads
        .iter()
        .filter(|m| !rmmod.unloads.contains(m))
        .collect();
    if !extra.is_empty() {
        let names: Vec<&str> = extra.iter().map(|s| s.as_str()).collect();
        let lost_more: Vec<&String> = modprobe_r
            .interfaces_lost
            .iter()
            .filter(|i| !rmmod.interfaces_lost.contains(i))
            .collect();
        let mut n = format!(
            "modprobe -r also unloads {}: nothing else uses {} once {} {} gone",
            names.join(", "),
            if names.len() == 1 { "it" } else { "them" },
            order.join(" and "),
            if order.len() == 1 { "is" } else { "are" }
        );
        if !lost_more.is_empty() {
            let l: Vec<&str> = lost_more.iter().map(|s| s.as_str()).collect();
            n.push_str(&format!(
                ", and with {} {} {}",
                if names.len() == 1 { "it" } else { "them" },
                l.join(", "),
                if l.len() == 1 { "vanishes" } else { "vanish" }
            ));
        }
        notes.push(n);
    }

    notes.extend(modprobe_rules(root, &modprobe_r.unloads));

    let mgmt_names: Vec<&str> =
        management.iter().map(|m| m.ifname.as_str()).collect();
    let safe_sequence = if blocked {
        Vec::new()
    } else if rmmod.management_affected {
        let hit: Vec<&str> = mgmt_names
            .iter()
            .filter(|m| {
                rmmod.interfaces_lost.iter().any(|i| i == *m)
                    || rmmod.uppers_affected.iter().any(|i| i == *m)
            })
            .copied()
            .collect();
        notes.push(format!(
            "no unload keeps {} up: it depends on {}; do it from the console or another way in",
            hit.join(", "),
            order.join(", ")
        ));
        Vec::new()
    } else {
        // rmmod, never modprobe -r: it takes only what is named. Then
        // load them back, the module first, its holders after.
        let mut s: Vec<String> =
            order.iter().map(|m| format!("rmmod {m}")).collect();
        s.extend(order.iter().rev().map(|m| format!("modprobe {m}")));
        s
    };
    Ok(Impact {
        module: name,
        builtin: false,
        holders,
        rmmod,
        modprobe_r,
        management,
        safe_sequence,
        notes,
    })
}

#[cfg(test)]
mod tests;
