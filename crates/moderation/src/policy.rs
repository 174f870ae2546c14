//! What the engine needs to know of an organisation's netiquette: which categories its
//! clauses enable, under which ids and wording, and what follows a breach. The domain crate
//! builds a `Policy` from a profile; the engine never reads profiles itself.

use crate::Category;

/// One netiquette clause of the organisation, as the engine cites it in a verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyClause {
    /// The profile's stable clause id, e.g. `mamh-a7-vulgaire`.
    pub clause_id: String,
    /// The category this clause enables.
    pub category: Category,
    /// The organisation's own French wording of the clause.
    pub wording: String,
}

/// What a breach leads to (S2 §8.2 first step).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HideRule {
    /// Hide any comment that breaks the netiquette.
    AnyBreach,
    /// Hide only when nothing acceptable remains once the offending words are set aside
    /// (MAMH); otherwise the comment goes to a person for review.
    OnlyWhenNothingRemains,
}

/// The moderation policy of one organisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// The enabled clauses. A category with no clause here is not a breach for this
    /// organisation (its verdict neither cites nor hides for it).
    pub clauses: Vec<PolicyClause>,
    /// What follows a breach.
    pub hide_rule: HideRule,
    /// How far back, in seconds, the same author's same text counts as `repeated`.
    pub repeat_window_seconds: i64,
    /// How many distinct authors posting the same text make coordinated spam.
    pub repeat_distinct_authors: usize,
    /// The organisation's own public phone numbers (digits only, e.g. `18005694264`), never
    /// personal information.
    pub public_phone_numbers: Vec<String>,
}
