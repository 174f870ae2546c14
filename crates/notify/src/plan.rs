//! The pure decision of which notifications are due at an instant: a warning a set amount of
//! business time before each pending stage's deadline (computed with `subtract_business`, so
//! it never falls at night or on a holiday), a breach once the deadline has passed
//! (escalated to the sector manager and the communications manager), and a page for urgent
//! cases outside business hours during vigilance. Given what was already sent, nothing is
//! ever due twice.

use std::collections::{BTreeMap, BTreeSet};

use domain::business_time::{BusinessCalendar, BusinessTimeError, PlannedStage};
use domain::entities::{CaseId, CaseStatus};
use jiff::{SignedDuration, Timestamp};
use store::respondents::NotificationKind;

/// The stage name used for urgent pages (one per case).
pub const URGENT_STAGE: &str = "urgent";

/// One open case as the decision sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseDeadlines {
    pub case_id: CaseId,
    pub status: CaseStatus,
    /// The first-response commitment's stages, planned from receipt.
    pub stages: Vec<PlannedStage>,
    /// The case is on the urgent route.
    pub urgent: bool,
    pub sector: Option<String>,
    /// The address of whoever holds the case, if known.
    pub assignee_address: Option<String>,
}

/// Who receives what.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recipients {
    pub communications_manager: Vec<String>,
    /// Sector id → its manager's addresses.
    pub sector_managers: BTreeMap<String, Vec<String>>,
    /// Who is paged for urgent cases during vigilance.
    pub urgent: Vec<String>,
}

/// The escalation rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EscalationRules {
    /// How much business time before a deadline the warning goes out.
    pub warning_before: SignedDuration,
}

impl Default for EscalationRules {
    fn default() -> Self {
        EscalationRules { warning_before: SignedDuration::from_mins(30) }
    }
}

/// A notification to send now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueNotification {
    pub case_id: CaseId,
    pub stage: String,
    pub kind: NotificationKind,
    pub due: Timestamp,
    /// Business time from `due` to now: negative before the deadline (time left), positive
    /// after (lateness).
    pub business_offset: SignedDuration,
    /// Addresses, sorted and without duplicates; empty when nobody is configured (the caller
    /// reports it and does not record it, so it goes out once an address is set).
    pub recipients: Vec<String>,
}

fn addresses<'a>(lists: impl IntoIterator<Item = &'a Vec<String>>) -> Vec<String> {
    let set: BTreeSet<String> = lists.into_iter().flatten().cloned().collect();
    set.into_iter().collect()
}

/// The stages still pending: none once answered or closed; when the plan records which
/// stages ended (the store's deadlines), those not ended; otherwise all of them while the
/// case is open (not yet triaged), the stages after the first once it is in progress.
fn pending_stages(case: &CaseDeadlines) -> &[PlannedStage] {
    if !matches!(case.status, CaseStatus::Open | CaseStatus::InProgress) {
        return &[];
    }
    if case.stages.iter().any(|stage| stage.ended.is_some()) {
        // Stages end in order: the pending ones are the tail after the last ended stage.
        let first_pending = case.stages.iter().rposition(|stage| stage.ended.is_some()).map_or(0, |last| last + 1);
        return &case.stages[first_pending..];
    }
    match case.status {
        CaseStatus::InProgress if case.stages.len() > 1 => &case.stages[1..],
        _ => &case.stages,
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Calendars<'a> {
    /// The organisation's business calendar with its vigilance periods.
    pub business: &'a BusinessCalendar,
    /// The same without vigilance, to tell "outside office hours" during vigilance.
    pub office: &'a BusinessCalendar,
    /// Whether a vigilance period covers the instant of the decision.
    pub vigilance_active: bool,
}

/// What is due at `at` for `cases`, given what was already `sent`.
pub fn due_notifications(
    calendars: Calendars<'_>,
    cases: &[CaseDeadlines],
    sent: &BTreeSet<(CaseId, String, NotificationKind)>,
    recipients: &Recipients,
    rules: EscalationRules,
    at: Timestamp,
) -> Result<Vec<DueNotification>, BusinessTimeError> {
    let Calendars { business: calendar, office: office_calendar, vigilance_active } = calendars;
    let already = |case_id: CaseId, stage: &str, kind: NotificationKind| {
        sent.contains(&(case_id, stage.to_owned(), kind))
    };
    let mut due = Vec::new();
    for case in cases {
        for stage in pending_stages(case) {
            if stage.due <= at {
                if !already(case.case_id, &stage.stage, NotificationKind::Breach) {
                    let sector_managers = case
                        .sector
                        .as_ref()
                        .and_then(|sector| recipients.sector_managers.get(sector));
                    // A late urgent case also reaches the urgent line.
                    let urgent_line = (stage.stage == URGENT_STAGE).then_some(&recipients.urgent);
                    due.push(DueNotification {
                        case_id: case.case_id,
                        stage: stage.stage.clone(),
                        kind: NotificationKind::Breach,
                        due: stage.due,
                        business_offset: calendar.business_between(stage.due, at)?,
                        recipients: addresses(
                            sector_managers
                                .into_iter()
                                .chain(urgent_line)
                                .chain([&recipients.communications_manager]),
                        ),
                    });
                }
                continue;
            }
            let warn_at = calendar.subtract_business(stage.due, rules.warning_before)?;
            if warn_at <= at && !already(case.case_id, &stage.stage, NotificationKind::Warning) {
                let holder: Vec<String> = case.assignee_address.iter().cloned().collect();
                let to = if holder.is_empty() { &recipients.communications_manager } else { &holder };
                due.push(DueNotification {
                    case_id: case.case_id,
                    stage: stage.stage.clone(),
                    kind: NotificationKind::Warning,
                    due: stage.due,
                    business_offset: calendar.business_between(stage.due, at)?,
                    recipients: addresses([to]),
                });
            }
            // Only the next deadline of a case warns; later stages wait their turn.
            break;
        }
        let paged = case.urgent
            && vigilance_active
            && !pending_stages(case).is_empty()
            && !office_calendar.is_business_instant(at)?
            && !already(case.case_id, URGENT_STAGE, NotificationKind::UrgentPage);
        if paged {
            let first_due = pending_stages(case).first().map_or(at, |stage| stage.due);
            due.push(DueNotification {
                case_id: case.case_id,
                stage: URGENT_STAGE.to_owned(),
                kind: NotificationKind::UrgentPage,
                due: first_due,
                business_offset: calendar.business_between(first_due, at)?,
                recipients: addresses([&recipients.urgent, &recipients.communications_manager]),
            });
        }
    }
    Ok(due)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use domain::business_time::Budget;
    use domain::deadlines::{business_calendar, plan_first_response, vigilance_period};
    use domain::profile::Profile;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn mamh_case(received: &str, status: CaseStatus, urgent: bool) -> (BusinessCalendar, CaseDeadlines) {
        let profile = Profile::preset("mamh").unwrap();
        let calendar = business_calendar(&profile, vec![]).unwrap();
        let plan = plan_first_response(&profile, &calendar, at(received)).unwrap();
        let case = CaseDeadlines {
            case_id: CaseId::new(7),
            status,
            stages: plan.stages,
            urgent,
            sector: Some("amenagement".into()),
            assignee_address: Some("repondant@example.org".into()),
        };
        (calendar, case)
    }

    fn recipients() -> Recipients {
        Recipients {
            communications_manager: vec!["dcom@example.org".into()],
            sector_managers: BTreeMap::from([("amenagement".into(), vec!["gestion@example.org".into()])]),
            urgent: vec!["garde@example.org".into()],
        }
    }

    #[test]
    fn the_warning_comes_thirty_business_minutes_before_never_at_night() {
        // Received Monday 2026-03-02 15:45 EST: triage (1 h 30) runs 45 min on Monday and
        // 45 min on Tuesday from 8:30, so it is due Tuesday 9:15; the warning 30 business
        // minutes earlier is Tuesday 8:45, not Monday evening.
        let (calendar, case) = mamh_case("2026-03-02T20:45:00Z", CaseStatus::Open, false);
        assert_eq!(case.stages[0].stage, "triage");
        assert!(matches!(case.stages[0].budget, Budget::Business(_)));
        let due_at = case.stages[0].due;
        assert_eq!(due_at, at("2026-03-03T14:15:00Z"));
        let none = BTreeSet::new();
        let plan = |now: &str| {
            due_notifications(Calendars { business: &calendar, office: &calendar, vigilance_active: false }, std::slice::from_ref(&case), &none, &recipients(), EscalationRules::default(), at(now))
                .unwrap()
        };
        assert!(plan("2026-03-03T02:00:00Z").is_empty(), "nothing at night");
        assert!(plan("2026-03-03T13:44:59Z").is_empty());
        let warning = plan("2026-03-03T13:45:00Z");
        assert_eq!(warning.len(), 1);
        assert_eq!((warning[0].kind, warning[0].stage.as_str()), (NotificationKind::Warning, "triage"));
        assert_eq!(warning[0].recipients, vec!["repondant@example.org".to_owned()]);
        assert_eq!(warning[0].business_offset, SignedDuration::from_mins(-30));
    }

    #[test]
    fn a_breach_goes_to_both_managers_once_with_its_lateness() {
        let (calendar, case) = mamh_case("2026-03-02T20:45:00Z", CaseStatus::Open, false);
        let now = at("2026-03-03T16:30:00Z"); // Tuesday 11:30: triage 2 h 15 late
        let mut sent = BTreeSet::new();
        let due = due_notifications(Calendars { business: &calendar, office: &calendar, vigilance_active: false }, std::slice::from_ref(&case), &sent, &recipients(), EscalationRules::default(), now).unwrap();
        let breach = due.iter().find(|n| n.kind == NotificationKind::Breach).unwrap();
        assert_eq!(breach.stage, "triage");
        assert_eq!(breach.business_offset, SignedDuration::from_mins(135));
        assert_eq!(breach.recipients, vec!["dcom@example.org".to_owned(), "gestion@example.org".to_owned()]);
        for notification in &due {
            sent.insert((notification.case_id, notification.stage.clone(), notification.kind));
        }
        let again = due_notifications(Calendars { business: &calendar, office: &calendar, vigilance_active: false }, std::slice::from_ref(&case), &sent, &recipients(), EscalationRules::default(), now).unwrap();
        assert!(again.is_empty(), "{again:?}");
        // Answered cases raise nothing.
        let answered = CaseDeadlines { status: CaseStatus::Answered, ..case };
        let none = BTreeSet::new();
        assert!(due_notifications(Calendars { business: &calendar, office: &calendar, vigilance_active: false }, &[answered], &none, &recipients(), EscalationRules::default(), now).unwrap().is_empty());
    }

    #[test]
    fn urgent_cases_are_paged_outside_hours_only_during_vigilance() {
        let profile = Profile::preset("mamh").unwrap();
        let (office, case) = mamh_case("2026-03-07T15:00:00Z", CaseStatus::Open, true); // Saturday
        let saturday_noon = at("2026-03-07T17:00:00Z");
        let none = BTreeSet::new();
        let plain = due_notifications(Calendars { business: &office, office: &office, vigilance_active: false }, std::slice::from_ref(&case), &none, &recipients(), EscalationRules::default(), saturday_noon).unwrap();
        assert!(plain.iter().all(|n| n.kind != NotificationKind::UrgentPage));
        let Some(period) = vigilance_period(&profile, at("2026-03-06T00:00:00Z"), at("2026-03-09T00:00:00Z")) else {
            panic!("the MAMH profile defines a vigilance mode");
        };
        let vigilant = business_calendar(&profile, vec![period.unwrap()]).unwrap();
        let paged = due_notifications(Calendars { business: &vigilant, office: &office, vigilance_active: true }, std::slice::from_ref(&case), &none, &recipients(), EscalationRules::default(), saturday_noon).unwrap();
        let page = paged.iter().find(|n| n.kind == NotificationKind::UrgentPage).unwrap();
        assert_eq!(page.recipients, vec!["dcom@example.org".to_owned(), "garde@example.org".to_owned()]);
    }
}
