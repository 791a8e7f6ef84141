//! Test support, compiled for tests only: the fake kernel behind the
//! transport trait and fixture trees laid out like sysfs and procfs.

pub(crate) mod fake;
pub(crate) mod tree;
