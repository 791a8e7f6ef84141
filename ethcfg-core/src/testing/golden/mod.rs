//! Golden-byte tests of the wire codecs, netlink-packet-route style: requests
//! compared byte for byte with what the kernel parses, replies decoded from
//! the bytes the kernel sends, malformed input that must be an error.

mod settings;
mod wire;
