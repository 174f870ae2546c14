//! The netiquette moderation engine: it reads what the public posts and says which of the
//! organisation's netiquette clauses it breaks, with the words that break them.
//!
//! This crate is pure (no IO, no async) and is the leaf of the workspace: the domain crate
//! depends on it for the category vocabulary, never the other way round.

pub mod category;

pub use category::{Category, UnknownCategory, UrgentKind};
pub mod policy;
pub mod verdict;

pub use policy::{HideRule, Policy, PolicyClause};
pub use verdict::{Action, Evidence, EvidenceKind, History, Message, PriorMessage, Verdict};
pub mod eval;
pub mod personal_info;

pub mod bench_corpus;
mod derogation;
mod engine;
pub mod lexicon;
pub mod normalize;
mod personal_info_adapter;
mod repeated;

pub use engine::{moderate, Engine};
