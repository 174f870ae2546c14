//! The `balise` binary as a user runs it: exit codes, output contracts, both locales.

#![allow(clippy::unwrap_used)]

mod helpers;
mod sla;
mod help;
mod moderate;
mod moderate_history;
mod profile;
