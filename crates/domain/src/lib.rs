//! Balise's domain: the organisation's policy profile, its business calendar, cases,
//! publications and audit events.
//!
//! **Architecture invariant:** this crate does no IO, no async, and knows nothing of SQL or
//! HTTP. Outer crates (store, web, the binary) call into it; it never calls outward.

pub mod audit;
pub mod business_time;
pub mod calendar;
pub mod deadlines;
pub mod editorial;
pub mod entities;
pub mod profile;
pub mod respondents;
pub mod triage;
