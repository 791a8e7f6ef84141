//! Kernel constants, named as in `linux/netlink.h`, `linux/genetlink.h` and
//! `linux/ethtool_netlink.h`. One place for all of them.

#![allow(dead_code)]

// netlink.h
pub(crate) const NLMSG_HDRLEN: usize = 16;
pub(crate) const NLMSG_NOOP: u16 = 1;
pub(crate) const NLMSG_ERROR: u16 = 2;
pub(crate) const NLMSG_DONE: u16 = 3;
pub(crate) const NLMSG_OVERRUN: u16 = 4;

pub(crate) const NLM_F_REQUEST: u16 = 0x1;
pub(crate) const NLM_F_MULTI: u16 = 0x2;
pub(crate) const NLM_F_ACK: u16 = 0x4;
pub(crate) const NLM_F_DUMP_INTR: u16 = 0x10;
pub(crate) const NLM_F_DUMP: u16 = 0x300;
/// On NLMSG_ERROR: the echoed request was cut to its header.
pub(crate) const NLM_F_CAPPED: u16 = 0x100;
/// On NLMSG_ERROR / NLMSG_DONE: extended-ACK TLVs follow.
pub(crate) const NLM_F_ACK_TLVS: u16 = 0x200;

pub(crate) const NLA_F_NESTED: u16 = 0x8000;
pub(crate) const NLA_TYPE_MASK: u16 = 0x3fff;

pub(crate) const NLMSGERR_ATTR_MSG: u16 = 1;
pub(crate) const NLMSGERR_ATTR_OFFS: u16 = 2;
pub(crate) const NLMSGERR_ATTR_MISS_TYPE: u16 = 5;

// genetlink.h
pub(crate) const GENL_HDRLEN: usize = 4;
pub(crate) const GENL_ID_CTRL: u16 = 16;
pub(crate) const CTRL_CMD_GETFAMILY: u8 = 3;
pub(crate) const CTRL_ATTR_FAMILY_ID: u16 = 1;
pub(crate) const CTRL_ATTR_FAMILY_NAME: u16 = 2;
pub(crate) const CTRL_ATTR_OPS: u16 = 6;
pub(crate) const CTRL_ATTR_MCAST_GROUPS: u16 = 7;
pub(crate) const GENL_ADMIN_PERM: u32 = 0x1;
pub(crate) const GENL_CMD_CAP_DO: u32 = 0x2;
pub(crate) const GENL_CMD_CAP_DUMP: u32 = 0x4;
pub(crate) const GENL_UNS_ADMIN_PERM: u32 = 0x10;

// ethtool_netlink.h
pub(crate) const ETHTOOL_GENL_NAME: &str = "ethtool";
pub(crate) const ETHTOOL_GENL_VERSION: u8 = 1;
pub(crate) const ETHTOOL_MCGRP_MONITOR_NAME: &str = "monitor";

// user -> kernel
pub(crate) const ETHTOOL_MSG_STRSET_GET: u8 = 1;
pub(crate) const ETHTOOL_MSG_FEATURES_GET: u8 = 11;
pub(crate) const ETHTOOL_MSG_FEATURES_SET: u8 = 12;
// kernel -> user
pub(crate) const ETHTOOL_MSG_STRSET_GET_REPLY: u8 = 1;
pub(crate) const ETHTOOL_MSG_FEATURES_GET_REPLY: u8 = 11;
pub(crate) const ETHTOOL_MSG_FEATURES_SET_REPLY: u8 = 12;

pub(crate) const ETHTOOL_A_HEADER_DEV_INDEX: u16 = 1;
pub(crate) const ETHTOOL_A_HEADER_DEV_NAME: u16 = 2;
pub(crate) const ETHTOOL_A_HEADER_FLAGS: u16 = 3;

pub(crate) const ETHTOOL_A_BITSET_NOMASK: u16 = 1;
pub(crate) const ETHTOOL_A_BITSET_SIZE: u16 = 2;
pub(crate) const ETHTOOL_A_BITSET_BITS: u16 = 3;
pub(crate) const ETHTOOL_A_BITSET_VALUE: u16 = 4;
pub(crate) const ETHTOOL_A_BITSET_MASK: u16 = 5;
pub(crate) const ETHTOOL_A_BITSET_BITS_BIT: u16 = 1;
pub(crate) const ETHTOOL_A_BITSET_BIT_INDEX: u16 = 1;
pub(crate) const ETHTOOL_A_BITSET_BIT_NAME: u16 = 2;
pub(crate) const ETHTOOL_A_BITSET_BIT_VALUE: u16 = 3;

pub(crate) const ETHTOOL_A_STRSET_HEADER: u16 = 1;
pub(crate) const ETHTOOL_A_STRSET_STRINGSETS: u16 = 2;
pub(crate) const ETHTOOL_A_STRINGSETS_STRINGSET: u16 = 1;
pub(crate) const ETHTOOL_A_STRINGSET_ID: u16 = 1;
pub(crate) const ETHTOOL_A_STRINGSET_COUNT: u16 = 2;
pub(crate) const ETHTOOL_A_STRINGSET_STRINGS: u16 = 3;
pub(crate) const ETHTOOL_A_STRINGS_STRING: u16 = 1;
pub(crate) const ETHTOOL_A_STRING_INDEX: u16 = 1;
pub(crate) const ETHTOOL_A_STRING_VALUE: u16 = 2;
pub(crate) const ETH_SS_FEATURES: u32 = 4;

pub(crate) const ETHTOOL_A_FEATURES_HEADER: u16 = 1;
pub(crate) const ETHTOOL_A_FEATURES_HW: u16 = 2;
pub(crate) const ETHTOOL_A_FEATURES_WANTED: u16 = 3;
pub(crate) const ETHTOOL_A_FEATURES_ACTIVE: u16 = 4;
pub(crate) const ETHTOOL_A_FEATURES_NOCHANGE: u16 = 5;

// rtnetlink.h / if_link.h (only what the link-kind lookup needs)
pub(crate) const RTM_NEWLINK: u16 = 16;
pub(crate) const RTM_GETLINK: u16 = 18;
pub(crate) const IFINFOMSG_LEN: usize = 16;
pub(crate) const IFLA_IFNAME: u16 = 3;
pub(crate) const IFLA_LINKINFO: u16 = 18;
pub(crate) const IFLA_INFO_KIND: u16 = 1;
pub(crate) const RTM_GETADDR: u16 = 22;
pub(crate) const IFADDRMSG_LEN: usize = 8;
pub(crate) const IFA_ADDRESS: u16 = 1;
pub(crate) const IFA_LOCAL: u16 = 2;

// devlink.h (only what reading `devlink dev info` needs; numbers checked
// against include/uapi/linux/devlink.h: the running-version nest is 101,
// 100 is the fixed-version nest)
pub(crate) const DEVLINK_GENL_NAME: &str = "devlink";
pub(crate) const DEVLINK_GENL_VERSION: u8 = 1;
pub(crate) const DEVLINK_CMD_INFO_GET: u8 = 51;
pub(crate) const DEVLINK_ATTR_BUS_NAME: u16 = 1;
pub(crate) const DEVLINK_ATTR_DEV_NAME: u16 = 2;
pub(crate) const DEVLINK_ATTR_INFO_DRIVER_NAME: u16 = 98;
pub(crate) const DEVLINK_ATTR_INFO_SERIAL_NUMBER: u16 = 99;
pub(crate) const DEVLINK_ATTR_INFO_VERSION_FIXED: u16 = 100;
pub(crate) const DEVLINK_ATTR_INFO_VERSION_RUNNING: u16 = 101;
pub(crate) const DEVLINK_ATTR_INFO_VERSION_STORED: u16 = 102;
pub(crate) const DEVLINK_ATTR_INFO_VERSION_NAME: u16 = 103;
pub(crate) const DEVLINK_ATTR_INFO_VERSION_VALUE: u16 = 104;
