//! The intake pipeline: store first, then moderate, triage, open the case and plan its
//! deadlines.
//!
//! [`Pipeline::ingest`] validates each record, stores the valid ones in one durable batch
//! and acknowledges them; only then does [`Pipeline::process_pending`] moderate and triage
//! what the store holds but has not processed, and record the verdict, the case, the
//! suggested route and the deadlines in one audited transaction per chunk. A failure while
//! processing is recorded next to the message, which stays pending: a crash or a bug never
//! loses an acknowledged message, and a restart picks up where the last run stopped.

pub mod case_actions;
pub mod reader;
pub mod record;
mod triage_context;

use std::collections::HashMap;
use std::sync::Arc;

use domain::audit::{Actor, Attribution};
use domain::business_time::BusinessCalendar;
use domain::entities::{
    AccountId, CaseId, Message, MessageId, NewAccount, NewMessage, Organisation, OrganisationId, ProfileId,
};
use domain::profile::Profile;
use domain::triage::{KbHit, Route, Triage, TriageInput};
use moderation::{Engine, History, Policy, PriorMessage, Verdict};
use serde::Serialize;
use store::intake::{
    CaseIntake, DeadlineRecord, IncomingMessage as StoreIncoming, IntakeRecorded, IntakeResult,
    PendingMessage, StageDeadline, SuggestionRecord, VerdictRecord,
};
use store::{MessageInsertion, Store, StoreError};
use tokio::sync::Mutex;

pub use record::{FieldError, IncomingMessage, MAX_TEXT_CHARACTERS, ValidRecord};
pub use triage_context::triage_context;

/// Which engine produced a stored verdict.
pub const ENGINE_VERSION: &str = concat!("moderation-", env!("CARGO_PKG_VERSION"));

/// Earlier messages of the same account that the `repeated` detector sees.
const HISTORY_LIMIT: u32 = 50;

/// Messages processed per transaction.
const PROCESS_CHUNK: u32 = 500;

/// A processing error recorded this many times leaves the message pending but skipped until
/// an operator looks (it is never deleted).
pub const MAX_FAILED_ATTEMPTS: u32 = 5;

/// What can stop the pipeline (a record's own problems are [`FieldError`]s in the report).
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("profil de l'organisme {organisation} : {message}")]
    Profile {
        organisation: String,
        message: String,
    },
    /// The request cannot be done as asked (an unknown route, case or clause).
    #[error("{message}")]
    Refused { code: &'static str, message: String },
}

/// What became of one record given to [`Pipeline::ingest`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum RecordStatus {
    /// Stored now; durable.
    Stored { message_id: i64 },
    /// Already stored (same network and external id); nothing written.
    Duplicate,
    /// Not stored; the error says which field and why.
    Refused { error: FieldError },
}

/// The report of one `ingest` call, one entry per record in the batch's order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IngestReport {
    pub results: Vec<RecordStatus>,
}

impl IngestReport {
    pub fn stored(&self) -> usize {
        self.results
            .iter()
            .filter(|status| matches!(status, RecordStatus::Stored { .. }))
            .count()
    }
    pub fn duplicates(&self) -> usize {
        self.results
            .iter()
            .filter(|status| matches!(status, RecordStatus::Duplicate))
            .count()
    }
    pub fn refused(&self) -> usize {
        self.results
            .iter()
            .filter(|status| matches!(status, RecordStatus::Refused { .. }))
            .count()
    }
}

/// The report of one `process_pending` call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProcessReport {
    /// Messages looked at.
    pub processed: usize,
    pub cases_opened: usize,
    /// Automatic mentions.
    pub not_cases: usize,
    /// Failures recorded (the messages stay pending).
    pub failed: usize,
    /// Where the time went (for `balise bench` and the import benchmark).
    pub timings: PhaseTimings,
}

/// Wall-clock time per phase of processing, summed over the chunks of a call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PhaseTimings {
    /// Reading pending messages from the store.
    pub fetch: std::time::Duration,
    /// Reading each message's account history for the `repeated` detector.
    pub history: std::time::Duration,
    /// Moderation, knowledge-base search, triage and deadline planning.
    pub decide: std::time::Duration,
    /// Recording verdicts, cases, suggestions, deadlines and audit entries.
    pub record: std::time::Duration,
    /// Assigning cases to respondents.
    pub assign: std::time::Duration,
}

impl PhaseTimings {
    fn add(&mut self, other: PhaseTimings) {
        self.fetch += other.fetch;
        self.history += other.history;
        self.decide += other.decide;
        self.record += other.record;
        self.assign += other.assign;
    }
}

impl ProcessReport {
    fn add(&mut self, other: ProcessReport) {
        self.processed += other.processed;
        self.cases_opened += other.cases_opened;
        self.not_cases += other.not_cases;
        self.failed += other.failed;
        self.timings.add(other.timings);
    }
}

/// What the pipeline keeps per organisation, built once.
struct OrganisationRuntime {
    profile: Arc<Profile>,
    policy: Policy,
    triage: Triage,
    calendar: Result<BusinessCalendar, String>,
}

/// The intake pipeline over one store and the organisations it serves.
pub struct Pipeline {
    store: Store,
    organisations: HashMap<OrganisationId, OrganisationRuntime>,
    /// Where records on an unknown account go: the only organisation, or the one named.
    default_organisation: Option<OrganisationId>,
    knowledge_base: Option<Arc<search::KnowledgeBase>>,
    engine: Engine,
    by: Attribution,
    accounts: Mutex<HashMap<(String, String), AccountId>>,
    organisations_stored: Mutex<bool>,
    /// Every message with an id up to here is processed or skipped after repeated failures.
    /// Sound with several instances on one PostgreSQL database too: the store allocates
    /// message ids inside a write transaction that first locks the audit chain's head, so
    /// ids become visible in increasing order and none can appear below the watermark later.
    watermark: Mutex<Option<MessageId>>,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Pipeline")
            .field(
                "organisations",
                &self.organisations.keys().collect::<Vec<_>>(),
            )
            .field("default_organisation", &self.default_organisation)
            .finish_non_exhaustive()
    }
}

impl Pipeline {
    /// A pipeline for these organisations. With exactly one, records on an account the
    /// store does not know yet create the account for it; see [`Pipeline::with_default_organisation`].
    pub fn new(
        store: Store,
        organisations: Vec<(OrganisationId, Arc<Profile>)>,
        knowledge_base: Option<Arc<search::KnowledgeBase>>,
    ) -> Pipeline {
        let default_organisation = if organisations.len() == 1 {
            organisations.first().map(|(id, _)| id.clone())
        } else {
            None
        };
        let organisations = organisations
            .into_iter()
            .map(|(id, profile)| {
                let runtime = OrganisationRuntime {
                    policy: profile.moderation_policy(),
                    triage: Triage::new(triage_context(&profile)),
                    calendar: domain::deadlines::business_calendar(&profile, Vec::new())
                        .map_err(|error| error.to_string()),
                    profile,
                };
                (id, runtime)
            })
            .collect();
        let by = Attribution::by(
            Actor::system("pipeline").expect("`pipeline` is a valid component name"),
        );
        Pipeline {
            store,
            organisations,
            default_organisation,
            knowledge_base,
            engine: Engine::new(),
            by,
            accounts: Mutex::new(HashMap::new()),
            organisations_stored: Mutex::new(false),
            watermark: Mutex::new(None),
        }
    }

    /// Records on an account the store does not know are taken as this organisation's.
    pub fn with_default_organisation(mut self, organisation: OrganisationId) -> Pipeline {
        self.default_organisation = Some(organisation);
        self
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Makes sure every organisation of the pipeline exists in the store (audited when
    /// created; nothing written when it already matches).
    async fn store_organisations(&self) -> Result<(), PipelineError> {
        let mut stored = self.organisations_stored.lock().await;
        if *stored {
            return Ok(());
        }
        for (id, runtime) in &self.organisations {
            if self.store.get_organisation(id).await?.is_some() {
                continue;
            }
            let profile_id =
                ProfileId::parse(runtime.profile.id()).map_err(|error| PipelineError::Profile {
                    organisation: id.to_string(),
                    message: error.to_string(),
                })?;
            let organisation = Organisation {
                id: id.clone(),
                name: runtime.profile.identity().name.clone(),
                profile_id,
            };
            self.store
                .upsert_organisation(&self.by, &organisation)
                .await?;
        }
        *stored = true;
        Ok(())
    }

    async fn account_for(
        &self,
        record: &ValidRecord,
    ) -> Result<Result<AccountId, FieldError>, PipelineError> {
        let key = (
            record.network.as_str().to_owned(),
            record.account.as_str().to_owned(),
        );
        let mut accounts = self.accounts.lock().await;
        if let Some(id) = accounts.get(&key) {
            return Ok(Ok(*id));
        }
        let account = match self
            .store
            .find_account(&record.network, &record.account)
            .await?
        {
            Some(account) => account,
            None => {
                let Some(organisation_id) = &self.default_organisation else {
                    return Ok(Err(FieldError::new(
                        "account",
                        "unknown_account",
                        format!(
                            "compte {} inconnu sur {} ; déclarez-le d'abord",
                            record.account, record.network
                        ),
                    )));
                };
                let new_account = NewAccount {
                    organisation_id: organisation_id.clone(),
                    network: record.network.clone(),
                    handle: record.account.clone(),
                };
                self.store.add_account(&self.by, &new_account).await?
            }
        };
        accounts.insert(key, account.id);
        Ok(Ok(account.id))
    }

    /// Validates each record and stores the valid ones in one durable batch (idempotent on
    /// network and external id). The report is the acknowledgement: what it calls stored or
    /// duplicate is in the store. Processing is separate: call [`Pipeline::process_pending`].
    pub async fn ingest(&self, batch: Vec<IncomingMessage>) -> Result<IngestReport, PipelineError> {
        self.store_organisations().await?;
        let mut results: Vec<Option<RecordStatus>> = vec![None; batch.len()];
        let mut to_store: Vec<StoreIncoming> = Vec::with_capacity(batch.len());
        let mut positions: Vec<usize> = Vec::with_capacity(batch.len());
        for (index, incoming) in batch.iter().enumerate() {
            let record = match incoming.validate() {
                Ok(record) => record,
                Err(error) => {
                    results[index] = Some(RecordStatus::Refused { error });
                    continue;
                }
            };
            let account_id = match self.account_for(&record).await? {
                Ok(id) => id,
                Err(error) => {
                    results[index] = Some(RecordStatus::Refused { error });
                    continue;
                }
            };
            to_store.push(StoreIncoming {
                message: NewMessage {
                    network: record.network,
                    account_id,
                    external_id: record.external_id,
                    thread: record.thread,
                    author: record.author,
                    text: record.text,
                    kind: record.kind,
                    received_at: record.received_at,
                },
                automatic: record.automatic,
            });
            positions.push(index);
        }
        let insertions = self.store.insert_incoming(&self.by, &to_store).await?;
        for (position, insertion) in positions.into_iter().zip(insertions) {
            results[position] = Some(match insertion {
                MessageInsertion::New(id) => RecordStatus::Stored {
                    message_id: id.get(),
                },
                MessageInsertion::AlreadyStored => RecordStatus::Duplicate,
            });
        }
        Ok(IngestReport {
            results: results
                .into_iter()
                .map(|status| status.unwrap_or(RecordStatus::Duplicate))
                .collect(),
        })
    }

    /// Processes up to `limit` stored messages not yet processed, oldest first: moderation
    /// (with the account's earlier messages as history), triage, the case (one per message),
    /// the suggested route, the deadlines, all recorded and audited. Returns what it did.
    pub async fn process_pending(&self, limit: usize) -> Result<ProcessReport, PipelineError> {
        self.store_organisations().await?;
        let mut report = ProcessReport::default();
        let mut watermark = self.watermark.lock().await;
        while report.processed + report.failed < limit {
            let remaining = limit - report.processed - report.failed;
            let chunk = u32::try_from(remaining)
                .unwrap_or(u32::MAX)
                .min(PROCESS_CHUNK);
            let mut timings = PhaseTimings::default();
            let clock = std::time::Instant::now();
            let pending = self.store.pending_messages(*watermark, chunk).await?;
            timings.fetch = clock.elapsed();
            let Some(last) = pending.last() else { break };
            let last_id = last.message.id;
            let mut results = Vec::with_capacity(pending.len());
            let clock = std::time::Instant::now();
            let earlier_by_account = self.chunk_history(&pending).await?;
            timings.history = clock.elapsed();
            for message in pending
                .iter()
                .filter(|message| message.failed_attempts < MAX_FAILED_ATTEMPTS)
            {
                let earlier = earlier_by_account
                    .get(&message.message.received.account_id)
                    .map_or(&[][..], Vec::as_slice);
                results.push(self.process_one(message, earlier, &mut timings));
            }
            let clock = std::time::Instant::now();
            let recorded = self.store.record_intake(&self.by, &results).await?;
            timings.record = clock.elapsed();
            let clock = std::time::Instant::now();
            self.assign_to_respondents(&pending, &results, &recorded).await?;
            self.copy_mentions_to_advisors(&pending, &results, &recorded).await?;
            timings.assign = clock.elapsed();
            let mut chunk_report = ProcessReport { timings, ..ProcessReport::default() };
            let mut retry_from: Option<MessageId> = None;
            for (result, outcome) in results.iter().zip(recorded) {
                match outcome {
                    IntakeRecorded::CaseOpened(_) => chunk_report.cases_opened += 1,
                    IntakeRecorded::NotACase => chunk_report.not_cases += 1,
                    IntakeRecorded::AlreadyProcessed => {}
                    IntakeRecorded::FailureRecorded => {
                        chunk_report.failed += 1;
                        if let IntakeResult::Failed { message_id, .. } = result {
                            retry_from.get_or_insert(*message_id);
                        }
                    }
                }
                if !matches!(outcome, IntakeRecorded::FailureRecorded) {
                    chunk_report.processed += 1;
                }
            }
            report.add(chunk_report);
            // A message that failed is retried by the next call until it reaches the limit
            // of attempts; the watermark stays below it.
            *watermark = match retry_from {
                Some(first_failed) => Some(MessageId::new(first_failed.get() - 1)).max(*watermark),
                None => Some(last_id),
            };
            if retry_from.is_some() {
                break;
            }
        }
        Ok(report)
    }

    /// A case routed to a sector's respondent goes to the respondent of the sector's
    /// first designated unit, or to its substitute during an absence; the store
    /// audits the assignment. A sector with no designation leaves the case unassigned for the
    /// community manager to route by hand.
    async fn assign_to_respondents(
        &self,
        pending: &[store::intake::PendingMessage],
        results: &[IntakeResult],
        recorded: &[IntakeRecorded],
    ) -> Result<(), PipelineError> {
        let mut designations_by_organisation: HashMap<OrganisationId, Vec<domain::respondents::Designation>> =
            HashMap::new();
        for (result, outcome) in results.iter().zip(recorded) {
            let (IntakeResult::Processed { message_id, case: Some(case), .. }, IntakeRecorded::CaseOpened(case_id)) =
                (result, outcome)
            else {
                continue;
            };
            if case.suggestion.route_family != "respondent" {
                continue;
            }
            let Some(sector) = case.suggestion.target_id.as_deref() else { continue };
            let Some(message) = pending.iter().find(|pending| pending.message.id == *message_id) else {
                continue;
            };
            let organisation_id = &message.message.organisation_id;
            if !designations_by_organisation.contains_key(organisation_id) {
                let designations = self.store.list_designations(organisation_id).await?;
                designations_by_organisation.insert(organisation_id.clone(), designations);
            }
            let unit = designations_by_organisation
                .get(organisation_id)
                .and_then(|designations| {
                    designations
                        .iter()
                        .filter(|designation| designation.sector.as_str() == sector)
                        .map(|designation| designation.unit.clone())
                        .min_by(|left, right| left.as_str().cmp(right.as_str()))
                });
            if let Some(unit) = unit {
                self.store
                    .assign_case_to_unit(&self.by, *case_id, &unit, jiff::Timestamp::now())
                    .await?;
            }
        }
        Ok(())
    }

    /// a case opened for a deliberate mention (someone else's post naming the
    /// organisation) is copied to each communications advisor of the organisation, who
    /// follows whether the respondent shares it. The copy is an audit entry per advisor
    /// (`mention_copied_to_advisor`, rule R-52) that the advisor's tools read; no e-mail
    /// kind exists for it in the store's notifications yet.
    async fn copy_mentions_to_advisors(
        &self,
        pending: &[store::intake::PendingMessage],
        results: &[IntakeResult],
        recorded: &[IntakeRecorded],
    ) -> Result<(), PipelineError> {
        let mut advisors_by_organisation: HashMap<OrganisationId, Vec<domain::entities::User>> = HashMap::new();
        for (result, outcome) in results.iter().zip(recorded) {
            let (IntakeResult::Processed { message_id, case: Some(case), .. }, IntakeRecorded::CaseOpened(case_id)) =
                (result, outcome)
            else {
                continue;
            };
            let Some(message) = pending.iter().find(|pending| pending.message.id == *message_id) else {
                continue;
            };
            if message.automatic || message.message.received.kind != domain::entities::MessageKind::Mention {
                continue;
            }
            let organisation_id = &message.message.organisation_id;
            if !advisors_by_organisation.contains_key(organisation_id) {
                let advisors = self
                    .store
                    .list_users(organisation_id)
                    .await?
                    .into_iter()
                    .filter(|user| user.role.as_str() == domain::profile::Role::CommunicationsAdvisor.id())
                    .collect();
                advisors_by_organisation.insert(organisation_id.clone(), advisors);
            }
            for advisor in advisors_by_organisation.get(organisation_id).into_iter().flatten() {
                let event = domain::audit::AuditEvent {
                    attribution: Attribution {
                        actor: self.by.actor.clone(),
                        rule: Some("R-52".to_owned()),
                    },
                    action: domain::audit::AuditAction::parse("mention_copied_to_advisor").map_err(|error| {
                        PipelineError::Refused { code: "invalid_action", message: error.to_string() }
                    })?,
                    entity_kind: domain::audit::EntityKind::Case,
                    entity_id: case_id.to_string(),
                    before_json: None,
                    after_json: Some(
                        serde_json::json!({
                            "advisor": advisor.id.get(),
                            "advisor_login": advisor.login.as_str(),
                            "route": case.suggestion.route,
                            "why": "Mention de l'organisme dans la publication d'une autre personne : copie à la conseillère ou au conseiller en communication (R-52).",
                        })
                        .to_string(),
                    ),
                };
                self.store.record_audit_event(&event).await?;
            }
        }
        Ok(())
    }

    /// Processes everything pending.
    pub async fn process_all_pending(&self) -> Result<ProcessReport, PipelineError> {
        let mut total = ProcessReport::default();
        loop {
            let report = self.process_pending(10_000).await?;
            total.add(report);
            if report.processed == 0 {
                return Ok(total);
            }
        }
    }

    fn process_one(
        &self,
        pending: &PendingMessage,
        earlier: &[Message],
        timings: &mut PhaseTimings,
    ) -> IntakeResult {
        let message = &pending.message;
        let Some(runtime) = self.organisations.get(&message.organisation_id) else {
            return IntakeResult::Failed {
                message_id: message.id,
                error: format!(
                    "aucun profil chargé pour l'organisme {}",
                    message.organisation_id
                ),
            };
        };
        let clock = std::time::Instant::now();
        let history = history_before(message, earlier, &runtime.policy);
        let result = self.decide(pending, runtime, &history);
        timings.decide += clock.elapsed();
        result
    }

    /// The earlier messages of every account of a chunk, in id order: the `HISTORY_LIMIT`
    /// before the chunk's first message on the account, then every message on it up to the
    /// chunk's last (pending or not). Two queries per account instead of one per message; each
    /// message then sees exactly what `recent_messages_on_account` would return for it.
    async fn chunk_history(
        &self,
        pending: &[PendingMessage],
    ) -> Result<HashMap<AccountId, Vec<Message>>, PipelineError> {
        let mut bounds: HashMap<AccountId, (MessageId, MessageId)> = HashMap::new();
        for item in pending {
            let id = item.message.id;
            bounds
                .entry(item.message.received.account_id)
                .and_modify(|(first, last)| {
                    *first = (*first).min(id);
                    *last = (*last).max(id);
                })
                .or_insert((id, id));
        }
        let mut earlier_by_account = HashMap::with_capacity(bounds.len());
        for (account, (first, last)) in bounds {
            let mut earlier = self
                .store
                .recent_messages_on_account(account, first, HISTORY_LIMIT)
                .await?;
            earlier.reverse();
            earlier.extend(self.store.messages_on_account_in_range(account, first, last).await?);
            earlier_by_account.insert(account, earlier);
        }
        Ok(earlier_by_account)
    }

    /// Moderation, knowledge-base search, triage and deadlines of one message: no IO but
    /// the knowledge base's index.
    fn decide(&self, pending: &PendingMessage, runtime: &OrganisationRuntime, history: &History) -> IntakeResult {
        let message = &pending.message;
        let received = &message.received;
        let moderated = moderation::Message {
            id: message.id.to_string(),
            text: received.text.clone(),
            author: Some(received.author.external_id.to_string()),
            account: Some(received.account_id.to_string()),
            thread: received.thread.as_ref().map(ToString::to_string),
            created_at: Some(received.received_at.as_second()),
        };
        let mut verdict = self.engine.moderate(&runtime.policy, &moderated, history);
        hold_blog_comment(&runtime.profile, received.network.as_str(), &mut verdict);
        let kb_hit = match (&self.knowledge_base, pending.automatic) {
            (Some(knowledge_base), false) => match knowledge_base.best_page(&received.text, 0.0) {
                // The coverage (share of the question's terms the page holds) does not
                // depend on the index size, so it is what the triage threshold compares.
                Ok(hit) => hit.map(|hit| KbHit {
                    url: hit.url,
                    title: hit.title,
                    score: hit.coverage,
                }),
                Err(error) => {
                    tracing::warn!(%error, "knowledge base search failed; triage without it");
                    None
                }
            },
            _ => None,
        };
        let input = TriageInput {
            text: &received.text,
            kind: triage_kind(received.kind),
            verdict: &verdict,
            automatic_mention: pending.automatic,
            knowledge_base_hit: kb_hit.as_ref(),
            thread_mentions_minister: false,
        };
        let mut suggestion = runtime.triage.suggest(&input);
        // an urgent message is never hidden nor left in an ordinary queue.
        if verdict.urgent.is_some() && suggestion.route != Route::Urgent {
            let previous = std::mem::replace(&mut suggestion.route, Route::Urgent);
            suggestion.alternatives.insert(0, previous);
            suggestion.reply_expected = true;
        }
        let verdict_record = verdict_record(&verdict);
        let verdict_rule = (!verdict.clauses.is_empty()).then(|| {
            verdict
                .clauses
                .iter()
                .map(|clause| format!("{}:netiquette:{clause}", runtime.profile.id()))
                .collect::<Vec<_>>()
                .join(",")
        });
        if pending.automatic || (suggestion.not_a_case && suggestion.route != Route::Urgent) {
            return IntakeResult::Processed {
                message_id: message.id,
                verdict: verdict_record,
                verdict_rule,
                case: None,
            };
        }
        let deadlines = if suggestion.route == Route::Urgent {
            // deadlines proportional to urgency — one clock hour, every day and hour.
            match runtime.calendar.as_ref().map_err(ToString::to_string).and_then(|calendar| {
                domain::deadlines::plan_urgent(calendar, received.received_at).map_err(|error| error.to_string())
            }) {
                Ok(plan) => Some(case_actions::deadline_record(domain::deadlines::URGENT_COMMITMENT_ID, &plan)),
                Err(error) => {
                    return IntakeResult::Failed {
                        message_id: message.id,
                        error,
                    };
                }
            }
        } else if suggestion.reply_expected {
            match plan_deadlines(runtime, received.received_at) {
                Ok(plan) => Some(plan),
                Err(error) => {
                    return IntakeResult::Failed {
                        message_id: message.id,
                        error,
                    };
                }
            }
        } else {
            None
        };
        let case = CaseIntake {
            suggestion: suggestion_record(&suggestion),
            suggestion_rule: Some(route_rule(&suggestion.route).to_owned()),
            deadlines,
        };
        IntakeResult::Processed {
            message_id: message.id,
            verdict: verdict_record,
            verdict_rule,
            case: Some(case),
        }
    }

    /// The case opened for a stored message, once processed.
    pub async fn case_for(&self, message_id: MessageId) -> Result<Option<CaseId>, PipelineError> {
        Ok(self
            .store
            .find_case_for_message(message_id)
            .await?
            .map(|case| case.id))
    }
}

/// The history the `repeated` detector sees for `message`: the last `HISTORY_LIMIT` of the
/// account's messages before it (`earlier` is in id order), within the policy's window.
fn history_before(message: &Message, earlier: &[Message], policy: &Policy) -> History {
    let before = earlier.partition_point(|prior| prior.id < message.id);
    let received = message.received.received_at.as_second();
    let messages = earlier[..before]
        .iter()
        .rev()
        .take(HISTORY_LIMIT as usize)
        .filter(|prior| {
            let age = received - prior.received.received_at.as_second();
            (0..=policy.repeat_window_seconds).contains(&age)
        })
        .map(|prior| PriorMessage {
            author: Some(prior.received.author.external_id.to_string()),
            account: Some(prior.received.account_id.to_string()),
            text: prior.received.text.clone(),
            created_at: Some(prior.received.received_at.as_second()),
        })
        .collect();
    History { messages }
}

fn triage_kind(kind: domain::entities::MessageKind) -> domain::triage::MessageKind {
    use domain::entities::MessageKind as Stored;
    use domain::triage::MessageKind as Triaged;
    match kind {
        Stored::Comment => Triaged::Comment,
        Stored::Reply => Triaged::Reply,
        Stored::PrivateMessage => Triaged::PrivateMessage,
        Stored::Mention => Triaged::Mention,
    }
}

/// The requirement each route applies (REQUIREMENTS.md), recorded as the audit entry's rule.
fn route_rule(route: &Route) -> &'static str {
    match route {
        Route::Urgent => "R-13",
        Route::Netiquette => "R-12",
        Route::AnswerWithLink | Route::AskPrecision | Route::Communications => "R-20",
        Route::Litigation => "R-21",
        Route::UsualProcess(_) => "R-22",
        Route::Minister { .. } => "R-23",
        Route::RegionalDirectorate(_) => "R-24",
        Route::OtherOrganisation(_) => "R-25",
        Route::Positive => "R-26",
        Route::Negative => "R-27",
        Route::Respondent(_) => "R-28",
    }
}

fn verdict_record(verdict: &Verdict) -> VerdictRecord {
    let evidence: Vec<serde_json::Value> = verdict
        .evidence
        .iter()
        .map(|evidence| {
            let category = match evidence.category {
                moderation::EvidenceKind::Category(category) => category.id(),
                moderation::EvidenceKind::Urgent(urgent) => urgent.id(),
            };
            serde_json::json!({
                "category": category,
                "start": evidence.start,
                "end": evidence.end,
                "matched": evidence.matched,
            })
        })
        .collect();
    VerdictRecord {
        action: verdict.action.id().to_owned(),
        categories: verdict
            .categories
            .iter()
            .map(|category| category.id().to_owned())
            .collect(),
        urgent: verdict.urgent.map(|urgent| urgent.id().to_owned()),
        clauses: verdict.clauses.clone(),
        evidence_json: serde_json::Value::from(evidence).to_string(),
        language: verdict.language.to_owned(),
        explanation: verdict.explanation.clone(),
        substance_remains: verdict.substance_remains,
        engine_version: ENGINE_VERSION.to_owned(),
    }
}

fn suggestion_record(suggestion: &domain::triage::Suggestion) -> SuggestionRecord {
    let route = suggestion.route.to_string();
    let target_id = route.split_once(':').map(|(_, detail)| detail.to_owned());
    let reasons: Vec<serde_json::Value> = suggestion
        .reasons
        .iter()
        .map(|reason| serde_json::json!({ "code": reason.code.id(), "text_fr": reason.text_fr }))
        .collect();
    let alternatives: Vec<String> = suggestion
        .alternatives
        .iter()
        .map(ToString::to_string)
        .collect();
    SuggestionRecord {
        route_family: suggestion.route.id().to_owned(),
        route,
        target_id,
        reasons_json: serde_json::Value::from(reasons).to_string(),
        alternatives_json: serde_json::Value::from(alternatives).to_string(),
        reply_expected: suggestion.reply_expected,
        suggested_page_json: suggestion.suggested_page.as_ref().map(|page| {
            serde_json::json!({ "url": page.url, "title": page.title, "score": page.score })
                .to_string()
        }),
    }
}

fn plan_deadlines(
    runtime: &OrganisationRuntime,
    received: jiff::Timestamp,
) -> Result<DeadlineRecord, String> {
    let calendar = runtime
        .calendar
        .as_ref()
        .map_err(|error| format!("calendrier du profil invalide : {error}"))?;
    let commitment = domain::deadlines::first_response_commitment(&runtime.profile)
        .map_err(|error| error.to_string())?;
    let plan = domain::deadlines::plan_first_response(&runtime.profile, calendar, received)
        .map_err(|error| error.to_string())?;
    Ok(DeadlineRecord {
        commitment_id: commitment.id.clone(),
        clock_start: plan.clock_start,
        stages: plan
            .stages
            .iter()
            .map(|stage| StageDeadline {
                stage: stage.stage.clone(),
                starts: stage.starts,
                planned_due: stage.due,
                ended_at: stage.ended,
            })
            .collect(),
        first_response_due: plan.first_response_due,
        committed_due: plan.committed_due,
    })
}

/// A blog whose rules filter comments before publication (S3 Annexe A, R-57) holds every
/// comment for a person's review, even one the engine would publish: the verdict's action
/// becomes `review` and its explanation says why. The citizen's words are untouched.
fn hold_blog_comment(profile: &Profile, network: &str, verdict: &mut moderation::Verdict) {
    let filtered = profile
        .blog()
        .is_some_and(|rules| rules.comments_filtered_before_publication);
    if network == "blog" && filtered && verdict.action == moderation::Action::Publish {
        verdict.action = moderation::Action::Review;
        verdict.explanation.push_str(
            " Commentaire de blogue retenu : les règles du blogue exigent de le filtrer avant sa publication.",
        );
    }
}
