//! One module per `balise` subcommand. Each exports a clap `Args` struct documented in
//! French (the default locale), a `run` function, and `HELP_EN`: the English help strings
//! keyed by `subcommand` or `subcommand.argument`, used when the locale is English.

pub mod audit;
pub mod bench;
pub mod calendar;
pub mod case;
pub mod editorial;
pub mod escalate;
pub mod eval;
pub mod import;
pub mod kb;
pub mod moderate;
pub mod post;
pub mod profile;
pub mod respondents;
pub mod serve;
pub mod sla;
pub mod user;
pub mod vigilance;
