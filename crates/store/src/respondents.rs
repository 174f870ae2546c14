//! The store's side of respondents, substitutes and absences, vigilance
//! periods, notification addresses and the record of notifications sent (so a deadline
//! warning or a breach escalation is never sent twice). Every write is audited in its own
//! transaction, like the rest of the store; the SQL is in `backend_respondents.rs`.

use domain::audit::Attribution;
use domain::entities::{Assignment, Case, CaseId, Login, OrganisationId, UserId};
use domain::respondents::{Absence, Designation, Period, SectorId, UnitId, VigilanceRecord};
use jiff::Timestamp;

use crate::{postgres, sqlite, Store, StoreError};

/// A designation with the people's logins and names, as the respondent list shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RespondentEntry {
    pub designation: Designation,
    pub respondent_login: Login,
    pub respondent_name: String,
    pub substitute_login: Option<Login>,
    pub substitute_name: Option<String>,
}

/// A case moved from one holder to another because of an absence starting or ending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transfer {
    pub case_id: CaseId,
    pub from: Option<UserId>,
    pub to: UserId,
    pub assignment: Assignment,
}

/// What kind of notification went out for a case's stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NotificationKind {
    /// The stage is due soon (in business time).
    Warning,
    /// The stage's deadline passed: escalated to the managers.
    Breach,
    /// An urgent case paged outside business hours during vigilance.
    UrgentPage,
    /// A case routed to a regional directorate: its generic mailbox is told, once.
    DirectorateReferral,
}

impl NotificationKind {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            NotificationKind::Warning => "warning",
            NotificationKind::Breach => "breach",
            NotificationKind::UrgentPage => "urgent_page",
            NotificationKind::DirectorateReferral => "directorate_referral",
        }
    }

    /// Reads a stored code.
    pub fn parse(code: &str) -> Option<NotificationKind> {
        [
            NotificationKind::Warning,
            NotificationKind::Breach,
            NotificationKind::UrgentPage,
            NotificationKind::DirectorateReferral,
        ]
            .into_iter()
            .find(|kind| kind.code() == code)
    }
}

/// One notification already sent: at most one per (case, stage, kind).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SentNotification {
    pub case_id: CaseId,
    pub stage: String,
    pub kind: NotificationKind,
}

/// An open case with what its deadlines and notifications need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseForDeadlines {
    pub case: Case,
    /// When the citizen's message was received: the deadlines count from there.
    pub received_at: Timestamp,
    /// The citizen's words, unedited.
    pub text: String,
    pub unit: Option<UnitId>,
    pub sector: Option<SectorId>,
}

macro_rules! dispatch_respondents {
    ($store:expr, $function:ident ( $($argument:expr),* )) => {
        match $store {
            Store::Sqlite(pool) => sqlite::respondents::$function(pool, $($argument),*).await,
            Store::Postgres(pool) => postgres::respondents::$function(pool, $($argument),*).await,
        }
    };
}

impl Store {
    /// Designates the respondent (and optionally the substitute) of a unit. A unit that
    /// already has a respondent refuses a second one with `AlreadyExists`; use
    /// [`change_designation`](Self::change_designation) to replace them.
    pub async fn designate_respondent(&self, by: &Attribution, designation: &Designation) -> Result<Designation, StoreError> {
        dispatch_respondents!(self, designate_respondent(by, designation))
    }

    /// Replaces a unit's respondent (`Some`) and/or substitute (`Some(None)` removes it).
    pub async fn change_designation(
        &self,
        by: &Attribution,
        organisation_id: &OrganisationId,
        unit: &UnitId,
        respondent: Option<UserId>,
        substitute: Option<Option<UserId>>,
    ) -> Result<Designation, StoreError> {
        dispatch_respondents!(self, change_designation(by, organisation_id, unit, respondent, substitute))
    }

    /// The organisation's designations, by sector then unit.
    pub async fn list_designations(&self, organisation_id: &OrganisationId) -> Result<Vec<Designation>, StoreError> {
        dispatch_respondents!(self, list_designations(organisation_id))
    }

    /// The respondent list with logins and names, by sector then unit.
    pub async fn list_respondents(&self, organisation_id: &OrganisationId) -> Result<Vec<RespondentEntry>, StoreError> {
        dispatch_respondents!(self, list_respondents(organisation_id))
    }

    /// Records an absence of a member of the organisation.
    pub async fn record_absence(
        &self,
        by: &Attribution,
        organisation_id: &OrganisationId,
        user: UserId,
        period: Period,
        reason: &str,
    ) -> Result<Absence, StoreError> {
        dispatch_respondents!(self, record_absence(by, organisation_id, user, period, reason))
    }

    /// Cancels an absence (kept in the log, no longer in force).
    pub async fn cancel_absence(&self, by: &Attribution, organisation_id: &OrganisationId, absence_id: i64) -> Result<Absence, StoreError> {
        dispatch_respondents!(self, cancel_absence(by, organisation_id, absence_id))
    }

    /// The absences in force (not cancelled), past and future.
    pub async fn list_absences(&self, organisation_id: &OrganisationId) -> Result<Vec<Absence>, StoreError> {
        dispatch_respondents!(self, list_absences(organisation_id))
    }

    /// Routes a case to a unit and hands it to whoever answers for the unit at `at` (the
    /// respondent, or the substitute during an absence), audited under R-41. `None` when
    /// nobody is available (the unit is recorded and the log says why).
    pub async fn assign_case_to_unit(
        &self,
        by: &Attribution,
        case_id: CaseId,
        unit: &UnitId,
        at: Timestamp,
    ) -> Result<Option<Assignment>, StoreError> {
        dispatch_respondents!(self, assign_case_to_unit(by, case_id, unit, at))
    }

    /// Moves every open case routed to a unit to whoever answers for it at `at`: to the
    /// substitute when the respondent's absence starts, back when it ends. Each transfer is
    /// audited under R-41. Running it twice at the same `at` moves nothing the second time.
    pub async fn reassign_for_absences(
        &self,
        by: &Attribution,
        organisation_id: &OrganisationId,
        at: Timestamp,
    ) -> Result<Vec<Transfer>, StoreError> {
        dispatch_respondents!(self, reassign_for_absences(by, organisation_id, at))
    }

    /// Starts a vigilance period; `AlreadyExists` while another one runs.
    pub async fn start_vigilance(
        &self,
        by: &Attribution,
        organisation_id: &OrganisationId,
        start: Timestamp,
        reason: &str,
    ) -> Result<VigilanceRecord, StoreError> {
        dispatch_respondents!(self, start_vigilance(by, organisation_id, start, reason))
    }

    /// Stops the running vigilance period, if any.
    pub async fn stop_vigilance(
        &self,
        by: &Attribution,
        organisation_id: &OrganisationId,
        end: Timestamp,
    ) -> Result<Option<VigilanceRecord>, StoreError> {
        dispatch_respondents!(self, stop_vigilance(by, organisation_id, end))
    }

    /// Every vigilance period of the organisation, oldest first.
    pub async fn list_vigilance(&self, organisation_id: &OrganisationId) -> Result<Vec<VigilanceRecord>, StoreError> {
        dispatch_respondents!(self, list_vigilance(organisation_id))
    }

    /// Sets the e-mail address of a notification recipient: `communications_manager`,
    /// `sector_manager:<sector>`, `urgent` or `user:<login>`.
    pub async fn set_notification_address(
        &self,
        by: &Attribution,
        organisation_id: &OrganisationId,
        recipient: &str,
        address: &str,
    ) -> Result<(), StoreError> {
        dispatch_respondents!(self, set_notification_address(by, organisation_id, recipient, address))
    }

    /// The organisation's notification addresses, as (recipient, address).
    pub async fn notification_addresses(&self, organisation_id: &OrganisationId) -> Result<Vec<(String, String)>, StoreError> {
        dispatch_respondents!(self, notification_addresses(organisation_id))
    }

    /// The notifications already sent for the organisation's cases.
    pub async fn sent_notifications(&self, organisation_id: &OrganisationId) -> Result<Vec<SentNotification>, StoreError> {
        dispatch_respondents!(self, sent_notifications(organisation_id))
    }

    /// Records a notification as sent (audited with its recipients). `false` when it was
    /// already recorded: the caller must not send it again.
    pub async fn record_notification_sent(
        &self,
        by: &Attribution,
        organisation_id: &OrganisationId,
        sent: &SentNotification,
        recipients: &[String],
    ) -> Result<bool, StoreError> {
        dispatch_respondents!(self, record_notification_sent(by, organisation_id, sent, recipients))
    }

    /// The organisation's open cases with their receipt time, words, unit and sector.
    pub async fn cases_for_deadlines(&self, organisation_id: &OrganisationId) -> Result<Vec<CaseForDeadlines>, StoreError> {
        dispatch_respondents!(self, cases_for_deadlines(organisation_id))
    }
}
