//! The input and output of one moderation: the message, the history it is judged against,
//! and the verdict with its evidence.

use crate::{Category, UrgentKind};

/// A message as the engine sees it. The text is never modified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub id: String,
    pub text: String,
    pub author: Option<String>,
    pub account: Option<String>,
    pub thread: Option<String>,
    /// Seconds since the Unix epoch, when known.
    pub created_at: Option<i64>,
}

/// An earlier message the `repeated` detector compares against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriorMessage {
    pub author: Option<String>,
    pub account: Option<String>,
    pub text: String,
    pub created_at: Option<i64>,
}

/// Earlier messages of the same organisation (from the same run or the store).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    pub messages: Vec<PriorMessage>,
}

/// What should happen to the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Respects the netiquette: published in full, without corrections.
    Publish,
    /// Breaks the netiquette and nothing requires a person first.
    Hide,
    /// A person must look: urgent, or a breach with acceptable substance left.
    Review,
}

impl Action {
    pub fn id(self) -> &'static str {
        match self {
            Action::Publish => "publish",
            Action::Hide => "hide",
            Action::Review => "review",
        }
    }
}

/// The words that triggered a category.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    pub category: EvidenceKind,
    /// Offsets in Unicode scalar values (chars) into the original text: `text.chars()
    /// .skip(start).take(end - start)` is exactly `matched`.
    pub start: usize,
    pub end: usize,
    pub matched: String,
}

/// What a piece of evidence supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvidenceKind {
    Category(Category),
    Urgent(UrgentKind),
}

/// The engine's answer for one message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub action: Action,
    /// Categories breached, among those the policy enables, in `Category::ALL` order.
    pub categories: Vec<Category>,
    pub urgent: Option<UrgentKind>,
    /// Clause ids of the policy applied, one per breached category.
    pub clauses: Vec<String>,
    pub evidence: Vec<Evidence>,
    /// Whether something acceptable remains once the offending words are set aside.
    pub substance_remains: bool,
    /// ISO 639-1 code of the detected language (`fr`, `en`, or `und`).
    pub language: &'static str,
    /// One sentence in French explaining the verdict.
    pub explanation: String,
}
