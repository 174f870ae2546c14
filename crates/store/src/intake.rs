//! What the intake pipeline keeps (issue 4): messages stored with their `automatic` flag,
//! the moderation verdict of each message, the triage suggestion and the deadlines of each
//! case, and which stored messages are still waiting to be processed.
//!
//! A message is pending until its outcome is recorded; a processing error is recorded next
//! to it and leaves it pending, so a crash or a bug never loses an acknowledged message.
//! Recording an outcome opens the case, writes the verdict, the suggestion and the deadlines
//! and appends their audit entries in one transaction. The records here are plain data: the
//! store does not depend on the moderation engine or the triage, the pipeline converts.

use jiff::Timestamp;

use domain::audit::Attribution;
use domain::entities::{AccountId, CaseId, Message, MessageId, NewMessage};

use crate::{MessageInsertion, Store, StoreError, postgres, sqlite};

/// A message to store, with what the platform says of it beyond the record itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncomingMessage {
    /// The message as received.
    pub message: NewMessage,
    /// The platform made this mention by itself: stored, never a case.
    pub automatic: bool,
}

/// A stored message whose intake is not finished.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingMessage {
    /// The stored message.
    pub message: Message,
    /// The platform made it by itself.
    pub automatic: bool,
    /// How many processing attempts failed so far.
    pub failed_attempts: u32,
}

/// The moderation engine's verdict, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerdictRecord {
    /// `publish`, `hide` or `review`.
    pub action: String,
    /// Category ids breached.
    pub categories: Vec<String>,
    /// Urgent kind id, if any.
    pub urgent: Option<String>,
    /// Clause ids of the policy applied.
    pub clauses: Vec<String>,
    /// The evidence as a JSON array (character offsets into the stored text).
    pub evidence_json: String,
    /// Detected language code.
    pub language: String,
    /// The engine's French explanation.
    pub explanation: String,
    /// Whether acceptable substance remains once the offending words are set aside.
    pub substance_remains: bool,
    /// Which engine produced it.
    pub engine_version: String,
}

/// The triage suggestion of a case, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuggestionRecord {
    /// The full route, `family` or `family:detail` (`usual_process:media`).
    pub route: String,
    /// The route's family id (`usual_process`).
    pub route_family: String,
    /// The kind or target id (`media`, a sector, a directorate), if any.
    pub target_id: Option<String>,
    /// The reasons as a JSON array of `{"code", "text_fr"}`.
    pub reasons_json: String,
    /// Other routes that fit, as a JSON array of route texts.
    pub alternatives_json: String,
    /// Whether a deadline runs (someone owes the person an answer).
    pub reply_expected: bool,
    /// The knowledge-base page proposed, as JSON `{"url", "title", "score"}`.
    pub suggested_page_json: Option<String>,
}

/// A case's confirmed route: who confirmed or changed the suggestion, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteConfirmation {
    /// The route set.
    pub route: String,
    /// The actor, as written in the audit log.
    pub by: String,
    /// When.
    pub at: Timestamp,
}

/// A stored suggestion with its confirmation, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredSuggestion {
    /// The suggestion.
    pub suggestion: SuggestionRecord,
    /// When it was made.
    pub suggested_at: Timestamp,
    /// The person's decision, once made.
    pub confirmation: Option<RouteConfirmation>,
}

/// One stage of a case's deadline plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageDeadline {
    /// Stage id from the profile's commitment (`triage`, `sector`, `review`, `response`).
    pub stage: String,
    /// When the stage's clock starts (the previous stage's planned end).
    pub starts: Timestamp,
    /// Its planned deadline.
    pub planned_due: Timestamp,
    /// When it actually ended, once known.
    pub ended_at: Option<Timestamp>,
}

/// A case's deadlines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadlineRecord {
    /// The profile's commitment the plan follows.
    pub commitment_id: String,
    /// When the clock started: receipt, or the next opening.
    pub clock_start: Timestamp,
    /// The stages, in order.
    pub stages: Vec<StageDeadline>,
    /// The current first-response deadline.
    pub first_response_due: Timestamp,
    /// The first-response deadline as planned at receipt; never moves.
    pub committed_due: Timestamp,
}

/// What the pipeline decided for one message. Results live a chunk at a time, so the size
/// difference between the variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntakeResult {
    /// Moderated and triaged.
    Processed {
        /// The message.
        message_id: MessageId,
        /// The moderation verdict.
        verdict: VerdictRecord,
        /// The clause or rule the verdict applies, for the audit entry (`mamh:netiquette:3`).
        verdict_rule: Option<String>,
        /// `None`: not a case (an automatic mention, R-18).
        case: Option<CaseIntake>,
    },
    /// Processing failed; the message stays pending with this error.
    Failed {
        /// The message.
        message_id: MessageId,
        /// What went wrong, for operators.
        error: String,
    },
}

/// The case part of an intake result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseIntake {
    /// The triage suggestion.
    pub suggestion: SuggestionRecord,
    /// The rule the suggestion applies, for the audit entry (`R-13`, `S2 Annexe 2`).
    pub suggestion_rule: Option<String>,
    /// The deadlines, when a reply is expected.
    pub deadlines: Option<DeadlineRecord>,
}

/// What recording one intake result did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntakeRecorded {
    /// A case is open for the message (opened now, or earlier by hand).
    CaseOpened(CaseId),
    /// Recorded, not a case.
    NotACase,
    /// The message was already processed; nothing written.
    AlreadyProcessed,
    /// The failure was recorded; the message stays pending.
    FailureRecorded,
}

/// Where a message's intake stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntakeStatus {
    /// Stored, not yet processed (perhaps after failures).
    Pending {
        /// Failed attempts so far.
        failed_attempts: u32,
        /// The last error, if any.
        last_error: Option<String>,
    },
    /// Processed; the case, if it is one.
    Processed {
        /// The case opened, if any.
        case_id: Option<CaseId>,
    },
}

/// Calls the same-named function of whichever backend the store runs on.
macro_rules! dispatch {
    ($store:expr, $function:ident ( $($argument:expr),* )) => {
        match $store {
            Store::Sqlite(pool) => sqlite::$function(pool, $($argument),*).await,
            Store::Postgres(pool) => postgres::$function(pool, $($argument),*).await,
        }
    };
}

impl Store {
    /// Stores a batch like [`Store::insert_messages`] (one transaction, idempotent on
    /// network and external id, one `messages_received` entry, durable on return), keeping
    /// each message's `automatic` flag. The new messages are pending.
    pub async fn insert_incoming(
        &self,
        by: &Attribution,
        batch: &[IncomingMessage],
    ) -> Result<Vec<MessageInsertion>, StoreError> {
        dispatch!(self, insert_incoming(by, batch))
    }

    /// Pending messages with an id greater than `after`, in id order, at most `limit`.
    pub async fn pending_messages(
        &self,
        after: Option<MessageId>,
        limit: u32,
    ) -> Result<Vec<PendingMessage>, StoreError> {
        dispatch!(self, pending_messages(after, limit))
    }

    /// How many messages are pending.
    pub async fn count_pending(&self) -> Result<u64, StoreError> {
        dispatch!(self, count_pending())
    }

    /// The messages received on `account_id` before message `before` (by id), newest
    /// first, at most `limit`: the history the `repeated` detector compares against.
    pub async fn recent_messages_on_account(
        &self,
        account_id: AccountId,
        before: MessageId,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError> {
        dispatch!(self, recent_messages_on_account(account_id, before, limit))
    }

    /// The messages received on `account_id` with an id in `[from, to)`, in id order: with
    /// [`recent_messages_on_account`](Self::recent_messages_on_account) before `from`, the
    /// history of a whole chunk of messages in two queries instead of one per message.
    pub async fn messages_on_account_in_range(
        &self,
        account_id: AccountId,
        from: MessageId,
        to: MessageId,
    ) -> Result<Vec<Message>, StoreError> {
        dispatch!(self, messages_on_account_in_range(account_id, from, to))
    }

    /// Records the pipeline's results in one transaction, with their audit entries:
    /// `verdict_recorded`, then for a case `case_opened`, `route_suggested` and
    /// `deadlines_planned`, or `intake_not_a_case`; a failure as `intake_failed`. A message
    /// already processed is left as it is.
    pub async fn record_intake(
        &self,
        by: &Attribution,
        results: &[IntakeResult],
    ) -> Result<Vec<IntakeRecorded>, StoreError> {
        dispatch!(self, record_intake(by, results))
    }

    /// Where a message's intake stands; `None` for an unknown message.
    pub async fn intake_status(
        &self,
        message_id: MessageId,
    ) -> Result<Option<IntakeStatus>, StoreError> {
        dispatch!(self, intake_status(message_id))
    }

    /// A message's verdict.
    pub async fn get_verdict(
        &self,
        message_id: MessageId,
    ) -> Result<Option<VerdictRecord>, StoreError> {
        dispatch!(self, get_verdict(message_id))
    }

    /// A case's suggestion and its confirmation.
    pub async fn get_suggestion(
        &self,
        case_id: CaseId,
    ) -> Result<Option<StoredSuggestion>, StoreError> {
        dispatch!(self, get_suggestion(case_id))
    }

    /// A case's deadlines.
    pub async fn get_deadlines(
        &self,
        case_id: CaseId,
    ) -> Result<Option<DeadlineRecord>, StoreError> {
        dispatch!(self, get_deadlines(case_id))
    }

    /// A community manager confirms or changes the suggested route (`family` or
    /// `family:detail`, already checked by the caller against the triage's routes): sets the
    /// case's route (its family) and the confirmation (who, when), audited as
    /// `route_confirmed` (same route) or `route_changed`, with before and after.
    pub async fn confirm_route(
        &self,
        by: &Attribution,
        case_id: CaseId,
        route: &str,
    ) -> Result<StoredSuggestion, StoreError> {
        dispatch!(self, confirm_route(by, case_id, route))
    }

    /// Records when a stage of a case's plan actually ended (audited `stage_ended`).
    pub async fn record_stage_end(
        &self,
        by: &Attribution,
        case_id: CaseId,
        stage: &str,
        at: Timestamp,
    ) -> Result<DeadlineRecord, StoreError> {
        dispatch!(self, record_stage_end(by, case_id, stage, at))
    }
}
