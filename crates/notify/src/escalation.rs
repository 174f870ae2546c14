//! The escalation routine: one pass over an organisation's open cases at an instant. The
//! server runs it periodically and `balise escalate` runs it once; running it again at the
//! same instant sends nothing new. Each notification is recorded after the relay accepted
//! it (a failed send is retried on the next pass; a crash between the two is the only way
//! one could go out twice).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use domain::audit::Attribution;
use domain::business_time::{Budget, PlannedStage, VigilancePeriod};
use domain::deadlines::{business_calendar, first_response_commitment, plan_first_response, vigilance_period};
use domain::entities::{CaseId, OrganisationId};
use domain::profile::Profile;
use jiff::{SignedDuration, Timestamp};
use store::respondents::{SentNotification, Transfer};
use store::Store;

use crate::compose::{compose, emergency_contacts};
use crate::referral::{notify_directorate_referrals, ReferralReport};
use crate::mailer::Mailer;
use crate::plan::{due_notifications, Calendars, CaseDeadlines, DueNotification, EscalationRules, Recipients};
use crate::NotifyError;

/// The route id of urgent cases.
const URGENT_ROUTE: &str = "urgent";

/// How long a running vigilance period is assumed to last when computing deadlines: until
/// stopped, which a pass cannot know; a year covers any deadline a pass computes.
const RUNNING_VIGILANCE_HORIZON: SignedDuration = SignedDuration::from_hours(24 * 366);

/// What one pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EscalationReport {
    /// Cases moved because an absence started or ended.
    pub transfers: Vec<Transfer>,
    /// What was due.
    pub due: Vec<DueNotification>,
    /// What was sent and recorded (empty in a dry run).
    pub sent: Vec<DueNotification>,
    /// Due but with no configured recipient (not recorded: it goes out once one is set).
    pub unaddressed: Vec<DueNotification>,
    /// Due but the relay refused it or none is configured, with the reason.
    pub failed: Vec<(DueNotification, String)>,
    /// Regional directorates told of the cases referred to them.
    pub referrals: ReferralReport,
}

/// Reads the organisation's recipients from its notification addresses (`communications_manager`,
/// `sector_manager:<sector>`, `urgent`, `user:<login>`); returns them with the per-login map.
fn recipients_from(addresses: &[(String, String)]) -> (Recipients, HashMap<String, String>) {
    let mut recipients = Recipients::default();
    let mut by_login = HashMap::new();
    let mut sector_managers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (recipient, address) in addresses {
        if recipient == "communications_manager" {
            recipients.communications_manager.push(address.clone());
        } else if recipient == "urgent" {
            recipients.urgent.push(address.clone());
        } else if let Some(sector) = recipient.strip_prefix("sector_manager:") {
            sector_managers.entry(sector.to_owned()).or_default().push(address.clone());
        } else if let Some(login) = recipient.strip_prefix("user:") {
            by_login.insert(login.to_owned(), address.clone());
        }
    }
    recipients.sector_managers = sector_managers;
    (recipients, by_login)
}

/// Runs one pass for `organisation_id` at `at`: moves cases whose respondent's absence
/// started or ended, then sends (unless `dry_run`) the warnings, breach escalations and
/// urgent pages due. Without a mailer nothing is sent and what was due is reported failed.
pub async fn run_escalation(
    store: &Store,
    by: &Attribution,
    organisation_id: &OrganisationId,
    at: Timestamp,
    mailer: Option<&Mailer>,
    rules: EscalationRules,
    dry_run: bool,
) -> Result<EscalationReport, NotifyError> {
    let organisation = store.get_organisation(organisation_id).await?.ok_or_else(|| {
        NotifyError::Config(format!("l'organisme « {organisation_id} » n'existe pas"))
    })?;
    let profile = Profile::resolve(organisation.profile_id.as_str())
        .map_err(|error| NotifyError::Config(format!("profil « {} » : {error}", organisation.profile_id)))?;
    let mut report = EscalationReport::default();
    if !dry_run {
        report.transfers = store.reassign_for_absences(by, organisation_id, at).await?;
    }

    let records = store.list_vigilance(organisation_id).await?;
    let vigilance_active = records.iter().any(|record| record.covers(at));
    let mut periods: Vec<VigilancePeriod> = Vec::new();
    for record in &records {
        let end = match record.end {
            Some(end) => end,
            None => record.start.checked_add(RUNNING_VIGILANCE_HORIZON).map_err(domain::business_time::BusinessTimeError::from)?,
        };
        if let Some(period) = vigilance_period(&profile, record.start, end) {
            periods.push(period?);
        }
    }
    let office_calendar = business_calendar(&profile, Vec::new())?;
    let calendar = business_calendar(&profile, periods)?;

    let addresses = store.notification_addresses(organisation_id).await?;
    let (recipients, by_login) = recipients_from(&addresses);
    let mut login_of = HashMap::new();
    for entry in store.list_respondents(organisation_id).await? {
        login_of.insert(entry.designation.respondent, entry.respondent_login.to_string());
        if let (Some(id), Some(login)) = (entry.designation.substitute, entry.substitute_login) {
            login_of.insert(id, login.to_string());
        }
    }

    let open = store.cases_for_deadlines(organisation_id).await?;
    let mut texts: HashMap<CaseId, String> = HashMap::new();
    let mut cases = Vec::with_capacity(open.len());
    for item in open {
        // The first-response commitment is re-planned with the vigilance periods in force
        // (they may have started after receipt), keeping which stages already ended; a plan
        // of another commitment (urgent's clock hour, the 24-hour fallback of R-25) is the
        // case's own and runs in clock time. A case opened by hand has none stored.
        let stored = store.get_deadlines(item.case.id).await?;
        let first_response = first_response_commitment(&profile)?.id.clone();
        let stages = match stored {
            Some(record) if record.commitment_id != first_response => record
                .stages
                .iter()
                .map(|stage| PlannedStage {
                    stage: stage.stage.clone(),
                    budget: Budget::Clock(stage.starts.duration_until(stage.planned_due)),
                    starts: stage.starts,
                    due: stage.planned_due,
                    ended: stage.ended_at,
                })
                .collect(),
            stored => {
                let mut stages = plan_first_response(&profile, &calendar, item.received_at)?.stages;
                for stage in &mut stages {
                    stage.ended = stored
                        .as_ref()
                        .and_then(|record| record.stages.iter().find(|kept| kept.stage == stage.stage))
                        .and_then(|kept| kept.ended_at);
                }
                stages
            }
        };
        let assignee_address = item
            .case
            .assignee
            .and_then(|user| login_of.get(&user))
            .and_then(|login| by_login.get(login))
            .cloned();
        cases.push(CaseDeadlines {
            case_id: item.case.id,
            status: item.case.status,
            stages,
            urgent: item.case.route.as_ref().is_some_and(|route| route.to_string() == URGENT_ROUTE),
            sector: item.sector.map(|sector| sector.as_str().to_owned()),
            assignee_address,
        });
        texts.insert(item.case.id, item.text);
    }
    let sent: BTreeSet<_> = store
        .sent_notifications(organisation_id)
        .await?
        .into_iter()
        .map(|sent| (sent.case_id, sent.stage, sent.kind))
        .collect();
    let calendars = Calendars { business: &calendar, office: &office_calendar, vigilance_active };
    report.due = due_notifications(calendars, &cases, &sent, &recipients, rules, at)?;
    if dry_run {
        return Ok(report);
    }
    if let Some(mailer) = mailer {
        report.referrals = notify_directorate_referrals(store, by, organisation_id, &profile, mailer).await?;
    }
    let contacts = emergency_contacts(&profile);
    for notification in report.due.clone() {
        if notification.recipients.is_empty() {
            report.unaddressed.push(notification);
            continue;
        }
        let Some(mailer) = mailer else {
            report.failed.push((notification, "aucun relais SMTP configuré".to_owned()));
            continue;
        };
        let text = texts.get(&notification.case_id).map_or("", String::as_str);
        let reference = format!("n° {}", notification.case_id.get());
        let email = compose(&notification, profile.time_zone(), &reference, text, mailer.public_url(), &contacts);
        if let Err(error) = mailer.send(&email).await {
            tracing::warn!(case = notification.case_id.get(), %error, "notification not sent");
            report.failed.push((notification, error.to_string()));
            continue;
        }
        let record = SentNotification { case_id: notification.case_id, stage: notification.stage.clone(), kind: notification.kind };
        store.record_notification_sent(by, organisation_id, &record, &notification.recipients).await?;
        report.sent.push(notification);
    }
    Ok(report)
}
