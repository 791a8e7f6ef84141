//! Datagrams to events, once for every way of waiting: the ethtool
//! notifications by command, the rtnetlink link messages against the
//! links seen so far (which is how "added", "renamed" and "up/down" are
//! told apart: the kernel sends `RTM_NEWLINK` for all of them, and for
//! much else — an MTU, a feature change — that is no event here).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use netlink_packet_route::link::{LinkFlags, LinkHeader};
use netlink_packet_route::AddressFamily;

use super::{Event, SettingsGroup};
use crate::error::{Error, Result};
use crate::ethtool::features::{FeatureName, Features};
use crate::ethtool::settings::Group;
use crate::host::rtnl;
use crate::netlink::wire::attrs::attrs;
use crate::netlink::wire::message::{self, Received};
use crate::netlink::wire::{features as wf, header};

// Kernel-to-user ethtool commands (the reply/notification number space).
const LINKINFO_NTF: u8 = 3;
const LINKMODES_NTF: u8 = 5;
const FEATURES_NTF: u8 = 13;
const PRIVFLAGS_NTF: u8 = 15;
const RINGS_NTF: u8 = 17;
const CHANNELS_NTF: u8 = 19;
const COALESCE_NTF: u8 = 21;
const PAUSE_NTF: u8 = 23;
const EEE_NTF: u8 = 25;
/// Attribute 1 of every ethtool message is its header nest.
const ETHTOOL_A_HEADER: u16 = 1;

/// The rtnetlink multicast group of link notifications (`RTNLGRP_LINK`).
pub(crate) const RTNLGRP_LINK: u32 = 1;
const RTM_NEWLINK: u16 = 16;
const RTM_DELLINK: u16 = 17;

/// Which socket a datagram came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// The ethtool family's `monitor` group.
    Ethtool,
    /// rtnetlink's `RTNLGRP_LINK`.
    Route,
}

/// What is remembered of a link to tell its next message's meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Seen {
    pub(crate) name: String,
    pub(crate) up: bool,
    pub(crate) running: bool,
}

/// The decoder: the ethtool family id, the feature-name table, and the
/// links seen so far.
#[derive(Debug)]
pub(crate) struct Decoder {
    family: u16,
    table: Arc<Vec<FeatureName>>,
    links: HashMap<u32, Seen>,
}

/// An `RTM_NEWLINK`/`RTM_DELLINK` payload: index, name and state.
/// `None` for an `AF_BRIDGE` message (a bridge port's own notifications,
/// on the same group, about a link that did not change).
pub(crate) fn decode_link(payload: &[u8]) -> Result<Option<(u32, Seen)>> {
    const OP: &str = "RTM_NEWLINK";
    let bad = |detail: String| Error::Malformed { op: OP, detail };
    let h = LinkHeader::parse(payload)
        .map_err(|e| bad(format!("ifinfomsg: {e}")))?;
    if h.interface_family == AddressFamily::Bridge {
        return Ok(None);
    }
    let link = rtnl::decode_link(payload).map_err(bad)?;
    Ok(Some((
        link.index,
        Seen {
            name: link.name,
            up: h.flags.contains(LinkFlags::Up),
            running: h.flags.contains(LinkFlags::Running),
        },
    )))
}

impl Decoder {
    /// A decoder for the ethtool family `family`, naming feature bits by
    /// `table`, knowing the links `links` (from a dump taken after the
    /// sockets joined their groups, so that nothing falls in between).
    pub(crate) fn new(
        family: u16,
        table: Arc<Vec<FeatureName>>,
        links: impl IntoIterator<Item = (u32, Seen)>,
    ) -> Decoder {
        Decoder { family, table, links: links.into_iter().collect() }
    }

    /// Decodes one datagram from `source` into `out`. A message that does
    /// not decode becomes an `Err` item in its place; the rest of the
    /// datagram is still decoded.
    pub(crate) fn datagram(
        &mut self,
        source: Source,
        bytes: &[u8],
        out: &mut VecDeque<Result<Event>>,
    ) {
        let msgs = match message::split(bytes) {
            Ok(m) => m,
            Err(e) => {
                out.push_back(Err(e.for_op("notification")));
                return;
            }
        };
        for m in msgs {
            let Received::Data { msg_type, payload, .. } = m else {
                continue;
            };
            let decoded = match source {
                Source::Ethtool if msg_type == self.family => {
                    self.ethtool(payload).map(|e| out.extend(e.map(Ok)))
                }
                Source::Route => self.route(msg_type, payload, out),
                Source::Ethtool => Ok(()),
            };
            if let Err(e) = decoded {
                out.push_back(Err(e));
            }
        }
    }

    /// An ethtool notification; `None` for the kinds not reported.
    fn ethtool(&mut self, payload: &[u8]) -> Result<Option<Event>> {
        let (cmd, body) = message::genl_body(payload)
            .map_err(|e| e.for_op("ethtool notification"))?;
        let group = match cmd {
            FEATURES_NTF => {
                const OP: &str = "FEATURES_NTF";
                let r = wf::decode_get(body).map_err(|e| e.for_op(OP))?;
                let features = Features::from_reply(r, &self.table);
                return Ok(Some(Event::FeaturesChanged {
                    ifindex: features.ifindex,
                    ifname: features.ifname.clone(),
                    features,
                }));
            }
            RINGS_NTF => SettingsGroup::Settings(Group::Rings),
            CHANNELS_NTF => SettingsGroup::Settings(Group::Channels),
            COALESCE_NTF => SettingsGroup::Settings(Group::Coalesce),
            PAUSE_NTF => SettingsGroup::Settings(Group::Pause),
            EEE_NTF => SettingsGroup::Settings(Group::Eee),
            PRIVFLAGS_NTF => SettingsGroup::Settings(Group::PrivateFlags),
            LINKINFO_NTF => SettingsGroup::LinkInfo,
            LINKMODES_NTF => SettingsGroup::LinkModes,
            _ => return Ok(None),
        };
        const OP: &str = "settings notification";
        let mut dev = None;
        for a in attrs(body) {
            let a = a.map_err(|e| e.for_op(OP))?;
            if a.kind == ETHTOOL_A_HEADER {
                dev = Some(header::decode(a.value).map_err(|e| e.for_op(OP))?);
                break;
            }
        }
        let Some(ifindex) = dev.as_ref().and_then(|d| d.index) else {
            return Err(Error::Malformed {
                op: OP,
                detail: format!("{group} notification without device index"),
            });
        };
        let ifname = dev.and_then(|d| d.name).unwrap_or_default();
        Ok(Some(Event::SettingsChanged { ifindex, ifname, group }))
    }

    /// A link message, against the links seen so far: what changed, in
    /// `out`.
    fn route(
        &mut self,
        msg_type: u16,
        payload: &[u8],
        out: &mut VecDeque<Result<Event>>,
    ) -> Result<()> {
        if msg_type != RTM_NEWLINK && msg_type != RTM_DELLINK {
            return Ok(());
        }
        let Some((ifindex, now)) = decode_link(payload)? else {
            return Ok(());
        };
        if msg_type == RTM_DELLINK {
            // Also for a link never seen (it came and went during an
            // overrun): whoever keeps state may hold it.
            let ifname =
                self.links.remove(&ifindex).map_or(now.name, |s| s.name);
            out.push_back(Ok(Event::LinkRemoved { ifindex, ifname }));
            return Ok(());
        }
        let Some(before) = self.links.insert(ifindex, now.clone()) else {
            out.push_back(Ok(Event::LinkAdded {
                ifindex,
                ifname: now.name,
                up: now.up,
                running: now.running,
            }));
            return Ok(());
        };
        if before.name != now.name {
            out.push_back(Ok(Event::LinkRenamed {
                ifindex,
                ifname: now.name.clone(),
                old_name: before.name,
            }));
        }
        if (before.up, before.running) != (now.up, now.running) {
            out.push_back(Ok(Event::LinkChanged {
                ifindex,
                ifname: now.name,
                up: now.up,
                running: now.running,
            }));
        }
        Ok(())
    }
}
