//! What people do on a case after the intake (issue 4): confirm or change its route (with
//! the re-planning that follows), moderation decisions (hide, unhide, delete), warnings and
//! blocks of an author, replies that reach the outbox only once a person confirms
//! them, the respondent's proposed answer and its review, the case's history and audit
//! trail, and the commitment report (lateness per sector, stage and week, R-03).
//!
//! Citizens' words are never edited: a moderation decision is a record plus an outbox item
//! for the network connectors, never a change of the stored message. Every write records its
//! audit entry in the same transaction; the SQL is in `backend_case_actions.rs`.
//!
//! The store knows no profile: what depends on it (the deadlines of the new route, the
//! threshold of warnings before a block, the business calendar of the report) is computed by
//! the caller (`pipeline::case_actions`) and passed in.

use domain::audit::{Attribution, AuditEntry};
use domain::business_time::BusinessCalendar;
use domain::entities::{AccountId, Case, CaseId, MessageId, OrganisationId};
use domain::respondents::UnitId;
use jiff::Timestamp;

use crate::intake::DeadlineRecord;
use crate::{postgres, sqlite, Store, StoreError};

/// A moderation decision on the message of a case. The message row is never touched:
/// the decision is recorded and put in the outbox for the network's connector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModerationAction {
    /// Hide the comment on the network (it stays visible to its author and the page).
    Hide,
    /// Show a hidden comment again.
    Unhide,
    /// Delete the comment on the network.
    Delete,
}

impl ModerationAction {
    pub const ALL: [ModerationAction; 3] =
        [ModerationAction::Hide, ModerationAction::Unhide, ModerationAction::Delete];

    /// The stable code (`hide`, `unhide`, `delete`), also the outbox kind.
    pub fn code(self) -> &'static str {
        match self {
            ModerationAction::Hide => "hide",
            ModerationAction::Unhide => "unhide",
            ModerationAction::Delete => "delete",
        }
    }

    /// Reads a code.
    pub fn parse(code: &str) -> Option<ModerationAction> {
        ModerationAction::ALL.into_iter().find(|action| action.code() == code)
    }
}

/// A recorded moderation decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModerationDecision {
    pub id: i64,
    pub case_id: CaseId,
    pub message_id: MessageId,
    pub action: ModerationAction,
    /// The profile clause applied (`mamh-a7-injurieux`), if any.
    pub clause: Option<String>,
    /// The actor, as written in the audit log.
    pub decided_by: String,
    pub decided_at: Timestamp,
    /// The outbox item the connector carries out.
    pub outbox_id: i64,
}

/// What a warning led to: warnings are counted per author and account, and a block
/// is proposed (never done) once the count reaches the profile's `warnings_before_block`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WarningOutcome {
    pub warning_id: i64,
    /// Warnings the author has received on this account, this one included.
    pub warnings_on_account: u32,
    /// The count reached the threshold and the author is not blocked yet.
    pub block_proposed: bool,
}

/// An author blocked on one account (a confirmed decision, audited, put in the outbox).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockedAuthor {
    pub id: i64,
    pub organisation_id: OrganisationId,
    pub network: String,
    pub author_external_id: String,
    pub account_id: AccountId,
    /// The case the block was decided on.
    pub case_id: CaseId,
    pub reason: String,
    pub blocked_by: String,
    pub blocked_at: Timestamp,
    pub outbox_id: i64,
}

/// Where a reply stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReplyStatus {
    /// Prepared, editable, not sent.
    Draft,
    /// Confirmed by a person and put in the outbox.
    Confirmed,
}

impl ReplyStatus {
    pub fn code(self) -> &'static str {
        match self {
            ReplyStatus::Draft => "draft",
            ReplyStatus::Confirmed => "confirmed",
        }
    }

    pub fn parse(code: &str) -> Option<ReplyStatus> {
        [ReplyStatus::Draft, ReplyStatus::Confirmed].into_iter().find(|status| status.code() == code)
    }
}

/// A reply to the citizen: a draft until a person confirms it, the only way a reply reaches
/// the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub id: i64,
    pub case_id: CaseId,
    pub text: String,
    pub status: ReplyStatus,
    /// The approved proposed answer it comes from, if any.
    pub answer_id: Option<i64>,
    pub prepared_by: String,
    pub prepared_at: Timestamp,
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<Timestamp>,
    pub outbox_id: Option<i64>,
}

/// Where a respondent's proposed answer stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AnswerStatus {
    /// Waiting for the communications team's review.
    Proposed,
    /// Approved: it became a reply draft.
    Approved,
    /// Sent back to the respondent.
    ChangesRequested,
}

impl AnswerStatus {
    pub fn code(self) -> &'static str {
        match self {
            AnswerStatus::Proposed => "proposed",
            AnswerStatus::Approved => "approved",
            AnswerStatus::ChangesRequested => "changes_requested",
        }
    }

    pub fn parse(code: &str) -> Option<AnswerStatus> {
        [AnswerStatus::Proposed, AnswerStatus::Approved, AnswerStatus::ChangesRequested]
            .into_iter()
            .find(|status| status.code() == code)
    }
}

/// The communications team's decision on a proposed answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReviewDecision {
    /// The answer becomes the reply draft.
    Approve,
    /// Back to the respondent.
    RequestChanges,
}

impl ReviewDecision {
    pub fn code(self) -> &'static str {
        match self {
            ReviewDecision::Approve => "approve",
            ReviewDecision::RequestChanges => "request_changes",
        }
    }

    pub fn parse(code: &str) -> Option<ReviewDecision> {
        [ReviewDecision::Approve, ReviewDecision::RequestChanges]
            .into_iter()
            .find(|decision| decision.code() == code)
    }
}

/// A respondent's proposed answer (`supply_answer`) and its review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProposedAnswer {
    pub id: i64,
    pub case_id: CaseId,
    pub text: String,
    pub status: AnswerStatus,
    pub proposed_by: String,
    pub proposed_at: Timestamp,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<Timestamp>,
    pub review_comment: Option<String>,
}

/// One earlier case of the same author, for the case page's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorCase {
    pub case_id: CaseId,
    pub message_id: MessageId,
    pub received_at: Timestamp,
    /// The confirmed route if any, else the suggested one.
    pub route: Option<String>,
}

/// An author's history in an organisation: their cases, warnings and blocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorHistory {
    /// Oldest first.
    pub cases: Vec<AuthorCase>,
    /// Warnings received, across the organisation's accounts.
    pub warnings: u32,
    /// Blocked on at least one of the organisation's accounts.
    pub blocked: bool,
}

/// An action waiting for (or done by) a network connector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxItem {
    pub id: i64,
    pub organisation_id: OrganisationId,
    pub case_id: Option<CaseId>,
    /// `hide`, `unhide`, `delete`, `block` or `reply`.
    pub kind: String,
    pub payload_json: String,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    pub created_at: Timestamp,
}

/// A case routed to a regional directorate whose mailbox has not been told yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingReferral {
    pub case_id: CaseId,
    /// The directorate's id in the profile (`demo-montreal`).
    pub directorate_id: String,
    pub received_at: Timestamp,
    /// The citizen's words, unedited.
    pub text: String,
    pub author_name: String,
}

/// What a route change re-plans, computed by the caller from the profile.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RouteReplan {
    /// The new deadlines (the route has its own commitment, or none were planned); `None`
    /// keeps the current plan.
    pub deadlines: Option<DeadlineRecord>,
    /// The unit whose respondent (or substitute) takes the case (`respondent:<sector>`).
    pub unit: Option<UnitId>,
    /// When the change happens (for the assignment's absence check).
    pub at: Option<Timestamp>,
}

/// One line of the commitment report: a sector's stage over one ISO week of receipt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitmentReportRow {
    /// The case's sector (from its unit), or `None` for cases not routed to a sector.
    pub sector: Option<String>,
    /// The stage id (`triage`, `sector`, `review`, `response`, …).
    pub stage: String,
    /// ISO year and week of the clock start, in the calendar's time zone: `2026-W47`.
    pub week: String,
    /// Cases whose plan has this stage.
    pub cases: u32,
    /// Ended by its planned deadline.
    pub on_time: u32,
    /// Ended after its planned deadline.
    pub late: u32,
    /// Not ended and past its planned deadline now.
    pub open_overdue: u32,
    /// Median lateness of the late ones, in business seconds; `None` when none was late.
    pub median_lateness_business_seconds: Option<i64>,
}

macro_rules! dispatch_case_actions {
    ($store:expr, $function:ident ( $($argument:expr),* )) => {
        match $store {
            Store::Sqlite(pool) => sqlite::case_actions::$function(pool, $($argument),*).await,
            Store::Postgres(pool) => postgres::case_actions::$function(pool, $($argument),*).await,
        }
    };
}

impl Store {
    /// A person confirms the suggested route or changes it (`family` or `family:detail`,
    /// already checked by the caller): the route and its confirmation are set (audited
    /// `route_confirmed` or `route_changed` with before and after), the `triage` stage ends
    /// if it has not, and what depends on the route is re-planned in the same transaction:
    /// new deadlines (audited `deadlines_replanned`), the assignment to a unit's respondent.
    pub async fn change_route(
        &self,
        by: &Attribution,
        case_id: CaseId,
        route: &str,
        replan: &RouteReplan,
    ) -> Result<Case, StoreError> {
        dispatch_case_actions!(self, change_route(by, case_id, route, replan))
    }

    /// Records a moderation decision on the case's message with the profile clause, and
    /// puts it in the outbox. The message itself is never modified.
    pub async fn record_moderation_action(
        &self,
        by: &Attribution,
        case_id: CaseId,
        action: ModerationAction,
        clause: Option<&str>,
    ) -> Result<ModerationDecision, StoreError> {
        dispatch_case_actions!(self, record_moderation_action(by, case_id, action, clause))
    }

    /// The case's moderation decisions, oldest first.
    pub async fn case_moderation_actions(&self, case_id: CaseId) -> Result<Vec<ModerationDecision>, StoreError> {
        dispatch_case_actions!(self, case_moderation_actions(case_id))
    }

    /// Warns the author of the case's message, counted per author and account; a
    /// block is proposed once the count reaches `warnings_before_block` (the profile's
    /// `[moderation] warnings_before_block`) and the author is not blocked yet.
    pub async fn warn_author(
        &self,
        by: &Attribution,
        case_id: CaseId,
        clause: Option<&str>,
        text: Option<&str>,
        warnings_before_block: u32,
    ) -> Result<WarningOutcome, StoreError> {
        dispatch_case_actions!(self, warn_author(by, case_id, clause, text, warnings_before_block))
    }

    /// Blocks the author of the case's message on the receiving account (a confirmed
    /// decision): recorded, audited and put in the outbox. `AlreadyExists` when blocked.
    pub async fn block_author(&self, by: &Attribution, case_id: CaseId, reason: &str) -> Result<BlockedAuthor, StoreError> {
        dispatch_case_actions!(self, block_author(by, case_id, reason))
    }

    /// Prepares a reply draft (the caller fills the default text from the profile's
    /// template; the person may have edited it). An open case moves to `in_progress`.
    pub async fn prepare_reply(&self, by: &Attribution, case_id: CaseId, text: &str) -> Result<Reply, StoreError> {
        dispatch_case_actions!(self, prepare_reply(by, case_id, text))
    }

    /// Replaces the text of a reply draft (audited with before and after).
    pub async fn edit_reply(&self, by: &Attribution, reply_id: i64, text: &str) -> Result<Reply, StoreError> {
        dispatch_case_actions!(self, edit_reply(by, reply_id, text))
    }

    /// A person confirms a reply draft: the only way a reply reaches the outbox. Every stage
    /// not ended yet ends now (the `review` stage is the first response's), and the case
    /// becomes `answered`. `InvalidRequest` when the reply is already confirmed.
    pub async fn confirm_reply(&self, by: &Attribution, reply_id: i64) -> Result<Reply, StoreError> {
        dispatch_case_actions!(self, confirm_reply(by, reply_id))
    }

    /// A respondent proposes an answer (`supply_answer`); the `sector` stage ends if the plan
    /// has one, and an open case moves to `in_progress`.
    pub async fn propose_answer(&self, by: &Attribution, case_id: CaseId, text: &str) -> Result<ProposedAnswer, StoreError> {
        dispatch_case_actions!(self, propose_answer(by, case_id, text))
    }

    /// The communications team reviews a proposed answer: approved, it becomes the case's
    /// reply draft; otherwise it goes back to the respondent with the comment.
    pub async fn review_answer(
        &self,
        by: &Attribution,
        answer_id: i64,
        decision: ReviewDecision,
        comment: Option<&str>,
    ) -> Result<ProposedAnswer, StoreError> {
        dispatch_case_actions!(self, review_answer(by, answer_id, decision, comment))
    }

    /// A reply by id.
    pub async fn get_reply(&self, reply_id: i64) -> Result<Option<Reply>, StoreError> {
        dispatch_case_actions!(self, get_reply(reply_id))
    }

    /// A proposed answer by id.
    pub async fn get_answer(&self, answer_id: i64) -> Result<Option<ProposedAnswer>, StoreError> {
        dispatch_case_actions!(self, get_answer(answer_id))
    }

    /// The case's replies, oldest first.
    pub async fn case_replies(&self, case_id: CaseId) -> Result<Vec<Reply>, StoreError> {
        dispatch_case_actions!(self, case_replies(case_id))
    }

    /// The case's proposed answers, oldest first.
    pub async fn case_answers(&self, case_id: CaseId) -> Result<Vec<ProposedAnswer>, StoreError> {
        dispatch_case_actions!(self, case_answers(case_id))
    }

    /// An author's cases, warnings and blocks in an organisation.
    pub async fn author_history(
        &self,
        organisation_id: &OrganisationId,
        network: &str,
        author_external_id: &str,
    ) -> Result<AuthorHistory, StoreError> {
        dispatch_case_actions!(self, author_history(organisation_id, network, author_external_id))
    }

    /// The audit entries about the case or its message, oldest first.
    pub async fn case_audit(&self, case_id: CaseId) -> Result<Vec<AuditEntry>, StoreError> {
        dispatch_case_actions!(self, case_audit(case_id))
    }

    /// The organisation's cases whose confirmed route is `regional_directorate:<id>` and
    /// whose directorate has not been notified yet (no `directorate_referral` sent).
    pub async fn pending_directorate_referrals(&self, organisation_id: &OrganisationId) -> Result<Vec<PendingReferral>, StoreError> {
        dispatch_case_actions!(self, pending_directorate_referrals(organisation_id))
    }

    /// The organisation's outbox items with this status (`pending`, `sent`, `failed`),
    /// oldest first.
    pub async fn outbox_items(&self, organisation_id: &OrganisationId, status: &str) -> Result<Vec<OutboxItem>, StoreError> {
        dispatch_case_actions!(self, outbox_items(organisation_id, status))
    }

    /// Lateness per sector, stage and ISO week of clock start, for cases whose clock started
    /// in `[from, to)` (either bound optional). Lateness is counted in the calendar's
    /// business time; `open_overdue` compares with the present time.
    pub async fn commitment_report(
        &self,
        organisation_id: &OrganisationId,
        calendar: &BusinessCalendar,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
    ) -> Result<Vec<CommitmentReportRow>, StoreError> {
        let stages = dispatch_case_actions!(self, report_stages(organisation_id, from, to))?;
        aggregate_report(&stages, calendar, Timestamp::now())
    }
}

/// One stage of one case, as the report reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ReportStage {
    pub(crate) sector: Option<String>,
    pub(crate) stage: String,
    pub(crate) clock_start: Timestamp,
    pub(crate) planned_due: Timestamp,
    pub(crate) ended_at: Option<Timestamp>,
}

/// Groups stages by sector, stage and ISO week of clock start, in that order.
fn aggregate_report(
    stages: &[ReportStage],
    calendar: &BusinessCalendar,
    now: Timestamp,
) -> Result<Vec<CommitmentReportRow>, StoreError> {
    use std::collections::BTreeMap;
    type Key = (Option<String>, String, String);
    let mut groups: BTreeMap<Key, (CommitmentReportRow, Vec<i64>)> = BTreeMap::new();
    let business = |error: domain::business_time::BusinessTimeError| StoreError::InvalidRequest(error.to_string());
    for stage in stages {
        let week_date = calendar.civil_date(stage.clock_start).iso_week_date();
        let week = format!("{:04}-W{:02}", week_date.year(), week_date.week());
        let key = (stage.sector.clone(), stage.stage.clone(), week.clone());
        let (row, lateness) = groups.entry(key).or_insert_with(|| {
            (
                CommitmentReportRow {
                    sector: stage.sector.clone(),
                    stage: stage.stage.clone(),
                    week,
                    cases: 0,
                    on_time: 0,
                    late: 0,
                    open_overdue: 0,
                    median_lateness_business_seconds: None,
                },
                Vec::new(),
            )
        });
        row.cases += 1;
        match stage.ended_at {
            Some(ended) if ended <= stage.planned_due => row.on_time += 1,
            Some(ended) => {
                row.late += 1;
                lateness.push(calendar.lateness(stage.planned_due, ended).map_err(business)?.as_secs());
            }
            None if now > stage.planned_due => row.open_overdue += 1,
            None => {}
        }
    }
    Ok(groups
        .into_values()
        .map(|(mut row, mut lateness)| {
            lateness.sort_unstable();
            row.median_lateness_business_seconds = median(&lateness);
            row
        })
        .collect())
}

/// The median of sorted values (the mean of the two middle ones for an even count).
fn median(sorted: &[i64]) -> Option<i64> {
    let middle = sorted.len() / 2;
    match sorted.len() {
        0 => None,
        length if length % 2 == 1 => sorted.get(middle).copied(),
        _ => Some((sorted.get(middle - 1)? + sorted.get(middle)?) / 2),
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[5]), Some(5));
        assert_eq!(median(&[1, 3, 10]), Some(3));
        assert_eq!(median(&[1, 3, 5, 11]), Some(4));
    }
}
