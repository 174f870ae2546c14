//! `balise post check` as a user runs it: the JSON contract for every network, exit codes
//! 0 (valid), 1 (invalid) and 2 (bad input), both locales.

#![allow(clippy::unwrap_used)]

mod check;
mod helpers;
