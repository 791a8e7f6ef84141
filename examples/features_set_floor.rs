//! The floor for bulk feature changes: the least a program can do to send
//! the same FEATURES_SET requests ethcfg sends — one generic-netlink socket,
//! one request per interface with the named kernel features off (verbose
//! bitset, each bit by index and name, reply not omitted), waiting for each
//! ACK — with no reads, no planning, no records and no output. It reads the
//! bit indexes once (STRSET_GET), as ethcfg does. `benches/bulk.sh` times
//! `ethcfg apply` against it.
//!
//! Run: `features_set_floor FEATURE[,FEATURE...] IFACE...` (as root).
//! For experiments: `FLOOR_BATCH=k` sends k requests per datagram (as
//! ethcfg's pipeline does with 16; default 1, the floor as defined);
//! `FLOOR_NAMES_ONLY=1` keys bits by name alone (the kernel then searches
//! its name table for each); `FLOOR_ON=1` turns the features on instead
//! (to toggle interfaces back between timed runs).
//!
//! `FLOOR_PLAN=1` is the second floor, (c′) in `benches/bulk.sh`: the least
//! any tool that plans and records must do. It first reads every
//! interface with one FEATURES_GET dump (compact bitsets, as ethcfg asks
//! for them) and decodes each reply's four bitsets far enough to plan (the
//! device's index, name and the active, wanted and nochange words); then,
//! per interface given, it sends only the named features that are not
//! already off (fixed ones are left alone), by ifindex as a plan made from
//! the read does. Together with `FLOOR_BATCH=16` (ethcfg's pipeline
//! depth), that is one dump plus the same FEATURES_SETs 16 per datagram.
//! Written raw on netlink-sys, like the rest of this file, so that it stays
//! independent of ethcfg-core's code paths.

use netlink_sys::{protocols::NETLINK_GENERIC, Socket};

/// `N` bytes at `pos`, or an error for a short reply.
fn at<const N: usize>(buf: &[u8], pos: usize) -> Result<[u8; N], String> {
    buf.get(pos..pos + N)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| "short reply".to_owned())
}

fn attr(buf: &mut Vec<u8>, kind: u16, value: &[u8]) {
    buf.extend_from_slice(&((4 + value.len()) as u16).to_ne_bytes());
    buf.extend_from_slice(&kind.to_ne_bytes());
    buf.extend_from_slice(value);
    buf.resize(buf.len().div_ceil(4) * 4, 0);
}

/// Runs `fill` inside a nest of type `kind` (NLA_F_NESTED set).
fn nest(buf: &mut Vec<u8>, kind: u16, fill: impl FnOnce(&mut Vec<u8>)) {
    let start = buf.len();
    buf.extend_from_slice(&[0, 0]);
    buf.extend_from_slice(&(kind | 0x8000).to_ne_bytes());
    fill(buf);
    let len = (buf.len() - start) as u16;
    if let Some(slot) = buf.get_mut(start..start + 2) {
        slot.copy_from_slice(&len.to_ne_bytes());
    }
}

fn message(
    msg_type: u16,
    seq: u32,
    cmd: u8,
    version: u8,
    attrs: &[u8],
) -> Vec<u8> {
    let mut m = Vec::with_capacity(20 + attrs.len());
    m.extend_from_slice(&((20 + attrs.len()) as u32).to_ne_bytes());
    m.extend_from_slice(&msg_type.to_ne_bytes());
    m.extend_from_slice(&(1u16 | 4).to_ne_bytes()); // REQUEST | ACK
    m.extend_from_slice(&seq.to_ne_bytes());
    m.extend_from_slice(&0u32.to_ne_bytes());
    m.extend_from_slice(&[cmd, version, 0, 0]);
    m.extend_from_slice(attrs);
    m
}

/// The attributes of a nest's payload: (type without flags, value).
fn attrs(mut buf: &[u8]) -> Vec<(u16, &[u8])> {
    let mut out = Vec::new();
    while buf.len() >= 4 {
        let len = u16::from_ne_bytes([buf[0], buf[1]]) as usize;
        let kind = u16::from_ne_bytes([buf[2], buf[3]]) & 0x3fff;
        if len < 4 || len > buf.len() {
            break;
        }
        out.push((kind, &buf[4..len]));
        buf = &buf[(len.div_ceil(4) * 4).min(buf.len())..];
    }
    out
}

/// Reads until the ACK of `seq`; returns the datagrams' bytes seen before it
/// (none when `keep` is false: the SET replies, which the floor does not read).
fn wait_ack(
    sock: &Socket,
    seq: u32,
    buf: &mut Vec<u8>,
    keep: bool,
) -> Result<Vec<u8>, String> {
    let mut replies = Vec::new();
    loop {
        buf.clear();
        sock.recv(buf, 0).map_err(|e| e.to_string())?;
        let mut pos = 0;
        while pos + 16 <= buf.len() {
            let len = u32::from_ne_bytes(at(buf, pos)?) as usize;
            let ty = u16::from_ne_bytes(at(buf, pos + 4)?);
            let s = u32::from_ne_bytes(at(buf, pos + 8)?);
            if len < 16 || pos + len > buf.len() {
                return Err("malformed reply".into());
            }
            if ty == 2 {
                // An ACK or an error, for this or an earlier request of a batch.
                let err = i32::from_ne_bytes(at(buf, pos + 16)?);
                if err != 0 {
                    return Err(format!("request {s}: errno {}", -err));
                }
                if s == seq {
                    return Ok(replies);
                }
            }
            if keep {
                replies.extend_from_slice(
                    buf.get(pos..pos + len).unwrap_or_default(),
                );
            }
            pos += len.div_ceil(4) * 4;
        }
    }
}

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let features: Vec<String> = args
        .next()
        .ok_or("usage: features_set_floor FEATURE[,FEATURE...] IFACE...")?
        .split(',')
        .map(str::to_owned)
        .collect();
    let ifaces: Vec<String> = args.collect();
    let mut sock = Socket::new(NETLINK_GENERIC).map_err(|e| e.to_string())?;
    sock.bind_auto().map_err(|e| e.to_string())?;
    let mut buf = Vec::with_capacity(65536);

    // The ethtool family id (CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_NAME).
    let mut a = Vec::new();
    attr(&mut a, 2, b"ethtool\0");
    sock.send(&message(16, 1, 3, 1, &a), 0).map_err(|e| e.to_string())?;
    let reply = wait_ack(&sock, 1, &mut buf, true)?;
    let mut family = None;
    let mut pos = 20;
    while pos + 4 <= reply.len() {
        let len = u16::from_ne_bytes(at(&reply, pos)?) as usize;
        let kind = u16::from_ne_bytes(at(&reply, pos + 2)?) & 0x3fff;
        if kind == 1 {
            family = Some(u16::from_ne_bytes(at(&reply, pos + 4)?));
        }
        pos += len.max(4).div_ceil(4) * 4;
    }
    let family = family.ok_or("no ethtool family")?;

    // The feature names' bit indexes (STRSET_GET of ETH_SS_FEATURES): the
    // requests name each bit by index and name, as ethcfg's do.
    let mut a = Vec::new();
    nest(&mut a, 1, |_| {}); // ETHTOOL_A_STRSET_HEADER
    nest(&mut a, 2, |b| {
        // STRINGSETS
        nest(b, 1, |b| attr(b, 1, &4u32.to_ne_bytes())); // STRINGSET ID = ETH_SS_FEATURES
    });
    sock.send(&message(family, 2, 1, 1, &a), 0).map_err(|e| e.to_string())?;
    let reply = wait_ack(&sock, 2, &mut buf, true)?;
    let mut index = std::collections::HashMap::new();
    for (k, sets) in attrs(reply.get(20..).unwrap_or_default()) {
        if k != 2 {
            continue;
        }
        for (_, set) in attrs(sets) {
            for (k, strings) in attrs(set) {
                if k != 3 {
                    continue;
                }
                for (_, string) in attrs(strings) {
                    let mut idx = None;
                    let mut name = None;
                    for (k, v) in attrs(string) {
                        match k {
                            1 => idx = Some(u32::from_ne_bytes(at(v, 0)?)),
                            2 => {
                                name = Some(
                                    String::from_utf8_lossy(v)
                                        .trim_end_matches('\0')
                                        .to_owned(),
                                )
                            }
                            _ => {}
                        }
                    }
                    if let (Some(i), Some(n)) = (idx, name) {
                        index.insert(n, i);
                    }
                }
            }
        }
    }
    let bits: Vec<(u32, &String)> = features
        .iter()
        .map(|f| index.get(f).map(|&i| (i, f)).ok_or(format!("no feature {f}")))
        .collect::<Result<_, _>>()?;

    // FLOOR_BATCH=k: k requests per send (pipelined), default 1.
    let batch: usize = std::env::var("FLOOR_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1);
    let on = std::env::var_os("FLOOR_ON").is_some();
    let names_only = std::env::var_os("FLOOR_NAMES_ONLY").is_some();
    let mut seq = 2;

    // Each request: (device, the bits to send). Without FLOOR_PLAN, every
    // interface by name, every bit; with it, what the dump says differs.
    let plans: Vec<(Target<'_>, Vec<(u32, &String)>)> =
        if std::env::var_os("FLOOR_PLAN").is_some() {
            seq += 1;
            let devices = dump(&sock, family, seq, &mut buf)?;
            ifaces
                .iter()
                .map(|iface| {
                    let d = devices
                        .get(iface.as_str())
                        .ok_or(format!("{iface}: not in the dump"))?;
                    let send: Vec<(u32, &String)> = bits
                        .iter()
                        .filter(|(i, _)| {
                            !bit(&d.nochange, *i)
                                && (bit(&d.active, *i) != on
                                    || bit(&d.wanted, *i) != on)
                        })
                        .copied()
                        .collect();
                    Ok((Target::Index(d.index), send))
                })
                .filter(|p| {
                    p.as_ref().map_or(true, |(_, send)| !send.is_empty())
                })
                .collect::<Result<_, String>>()?
        } else {
            ifaces.iter().map(|i| (Target::Name(i), bits.clone())).collect()
        };

    for chunk in plans.chunks(batch) {
        let mut out = Vec::with_capacity(512 * chunk.len());
        for (dev, bits) in chunk {
            seq += 1;
            let mut a = Vec::with_capacity(512);
            nest(&mut a, 1, |b| {
                match dev {
                    Target::Name(iface) => {
                        let mut name = iface.as_bytes().to_vec();
                        name.push(0);
                        attr(b, 2, &name); // ETHTOOL_A_HEADER_DEV_NAME
                    }
                    Target::Index(i) => attr(b, 1, &i.to_ne_bytes()), // DEV_INDEX
                }
                attr(b, 3, &1u32.to_ne_bytes()); // FLAGS: COMPACT_BITSETS (as ethcfg)
            });
            nest(&mut a, 3, |b| {
                // WANTED
                nest(b, 3, |b| {
                    // BITS
                    for (i, f) in bits {
                        nest(b, 1, |b| {
                            if !names_only {
                                attr(b, 1, &i.to_ne_bytes()); // BIT INDEX
                            }
                            let mut name = f.as_bytes().to_vec();
                            name.push(0);
                            attr(b, 2, &name); // BIT NAME, no VALUE flag: off
                            if on {
                                attr(b, 3, &[]); // VALUE: on (FLOOR_ON=1)
                            }
                        });
                    }
                });
            });
            out.extend_from_slice(&message(family, seq, 12, 1, &a));
        }
        sock.send(&out, 0).map_err(|e| e.to_string())?;
        wait_ack(&sock, seq, &mut buf, false).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Which device a FEATURES_SET is for.
enum Target<'a> {
    Name(&'a str),
    Index(u32),
}

/// What a plan needs of one interface's FEATURES_GET reply.
#[derive(Default)]
struct Device {
    index: u32,
    wanted: Vec<u32>,
    active: Vec<u32>,
    nochange: Vec<u32>,
}

fn bit(words: &[u32], i: u32) -> bool {
    words.get((i / 32) as usize).is_some_and(|w| (w >> (i % 32)) & 1 == 1)
}

/// The value words of a compact bitset nest (`ETHTOOL_A_BITSET_VALUE`).
fn value_words(nest: &[u8]) -> Vec<u32> {
    attrs(nest)
        .into_iter()
        .find(|(k, _)| *k == 4)
        .map(|(_, v)| {
            v.chunks_exact(4)
                .filter_map(|c| c.try_into().ok())
                .map(u32::from_ne_bytes)
                .collect()
        })
        .unwrap_or_default()
}

/// One FEATURES_GET dump of every interface (compact bitsets), by name.
fn dump(
    sock: &Socket,
    family: u16,
    seq: u32,
    buf: &mut Vec<u8>,
) -> Result<std::collections::HashMap<String, Device>, String> {
    let mut a = Vec::new();
    nest(&mut a, 1, |b| attr(b, 3, &1u32.to_ne_bytes())); // HEADER: COMPACT_BITSETS
    let mut req = message(family, seq, 11, 1, &a); // FEATURES_GET
    if let Some(flags) = req.get_mut(6..8) {
        flags.copy_from_slice(&(1u16 | 0x300).to_ne_bytes()); // REQUEST | DUMP
    }
    sock.send(&req, 0).map_err(|e| e.to_string())?;
    let mut devices = std::collections::HashMap::new();
    loop {
        buf.clear();
        sock.recv(buf, 0).map_err(|e| e.to_string())?;
        let mut pos = 0;
        while pos + 16 <= buf.len() {
            let len = u32::from_ne_bytes(at(buf, pos)?) as usize;
            let ty = u16::from_ne_bytes(at(buf, pos + 4)?);
            let s = u32::from_ne_bytes(at(buf, pos + 8)?);
            if len < 16 || pos + len > buf.len() {
                return Err("malformed reply".into());
            }
            if s == seq {
                match ty {
                    2 | 3 => {
                        // ERROR or DONE: an errno ends the dump badly.
                        let err = i32::from_ne_bytes(at(buf, pos + 16)?);
                        if err != 0 {
                            return Err(format!("dump: errno {}", -err));
                        }
                        return Ok(devices);
                    }
                    _ => {
                        let mut d = Device::default();
                        let mut name = String::new();
                        let body =
                            buf.get(pos + 20..pos + len).unwrap_or_default();
                        for (k, v) in attrs(body) {
                            match k {
                                1 => {
                                    for (k, v) in attrs(v) {
                                        match k {
                                            1 => {
                                                d.index = u32::from_ne_bytes(
                                                    at(v, 0)?,
                                                )
                                            }
                                            2 => {
                                                name =
                                                    String::from_utf8_lossy(v)
                                                        .trim_end_matches('\0')
                                                        .to_owned()
                                            }
                                            _ => {}
                                        }
                                    }
                                }
                                3 => d.wanted = value_words(v),
                                4 => d.active = value_words(v),
                                5 => d.nochange = value_words(v),
                                _ => {}
                            }
                        }
                        devices.insert(name, d);
                    }
                }
            }
            pos += len.div_ceil(4) * 4;
        }
    }
}
