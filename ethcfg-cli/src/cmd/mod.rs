//! One module per subcommand: arguments in, one or two library calls,
//! rendering out, an exit code back.

pub(crate) mod apply;
pub(crate) mod doctor;
pub(crate) mod generate;
pub(crate) mod impact;
pub(crate) mod profiles;
pub(crate) mod set;
pub(crate) mod show;
