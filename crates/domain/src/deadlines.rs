//! A profile's deadlines: its business calendar (office hours, holidays, time zone, and any
//! vigilance period in force) and the stage plan of its first-response commitment (R-02,
//! This is the glue between the profile and the business-time arithmetic.

use crate::business_time::{
    BusinessCalendar, BusinessTimeError, HolidaySource, StagePlan, VigilancePeriod,
};
use crate::calendar::WEEKDAYS_MONDAY_FIRST;
use crate::profile::{Commitment, Profile};
use jiff::Timestamp;
use jiff::civil::Time;
use std::sync::Arc;

/// Why a profile's deadlines cannot be computed.
#[derive(Debug, thiserror::Error)]
pub enum DeadlineError {
    #[error("le profil « {0} » n'a aucun engagement de réponse")]
    NoCommitment(String),
    #[error(transparent)]
    BusinessTime(#[from] BusinessTimeError),
}

impl DeadlineError {
    pub fn code(&self) -> &'static str {
        match self {
            DeadlineError::NoCommitment(_) => "no_commitment",
            DeadlineError::BusinessTime(error) => error.code(),
        }
    }
}

/// The business calendar of a profile, with the given vigilance periods in force.
pub fn business_calendar(
    profile: &Profile,
    vigilance: Vec<VigilancePeriod>,
) -> Result<BusinessCalendar, BusinessTimeError> {
    let hours = profile.business_hours();
    let weekly: [Vec<(Time, Time)>; 7] = WEEKDAYS_MONDAY_FIRST.map(|weekday| {
        hours
            .windows(weekday)
            .iter()
            .map(|window| (window.start(), window.end()))
            .collect()
    });
    let holidays: Arc<dyn HolidaySource> = Arc::new(profile.holidays().clone());
    Ok(BusinessCalendar::new(profile.time_zone().clone(), weekly, holidays)?.with_vigilance(vigilance))
}

/// A vigilance period (crisis, campaign, event) from `start` to `end` with the profile's
/// extended windows, or `None` when the profile defines no vigilance mode.
pub fn vigilance_period(
    profile: &Profile,
    start: Timestamp,
    end: Timestamp,
) -> Option<Result<VigilancePeriod, BusinessTimeError>> {
    let vigilance = profile.vigilance()?;
    let windows: Vec<(Time, Time)> = vigilance
        .windows
        .iter()
        .map(|window| (window.start(), window.end()))
        .collect();
    Some(VigilancePeriod::new(start, end, &windows))
}

/// The commitment that governs the first return to a citizen: the profile's first one.
pub fn first_response_commitment(profile: &Profile) -> Result<&Commitment, DeadlineError> {
    profile
        .commitments()
        .first()
        .ok_or_else(|| DeadlineError::NoCommitment(profile.id().to_owned()))
}

/// Plans the stages of the first-response commitment for a message received at `received`.
pub fn plan_first_response(
    profile: &Profile,
    calendar: &BusinessCalendar,
    received: Timestamp,
) -> Result<StagePlan, DeadlineError> {
    let commitment = first_response_commitment(profile)?;
    let stages: Vec<(String, crate::business_time::Budget)> = commitment
        .stages
        .iter()
        .map(|stage| (stage.id.clone(), stage.budget))
        .collect();
    Ok(calendar.plan_stages(received, &stages)?)
}

/// The commitment id of Balise's urgent plan. No source profile gives an urgent
/// deadline; S2 §8.2 says to call the Centrale d'information criminelle at once, so Balise
/// gives an urgent case one hour of clock time, every day and every hour (see the README's
/// section on cases).
pub const URGENT_COMMITMENT_ID: &str = "urgent";

/// The single stage of the urgent plan; also the stage the vigilance page is recorded under.
pub const URGENT_STAGE_ID: &str = "urgent";

/// How long an urgent case may wait for its first handling: clock time, 24 hours a day.
pub const URGENT_FIRST_RESPONSE: jiff::SignedDuration = jiff::SignedDuration::from_hours(1);

/// The commitment that holds the 24-hour clock-time fallback of R-25 in the presets.
pub const OTHER_ORGANISATION_COMMITMENT_ID: &str = "other_organisation_answer";

/// Plans stages that start at `start` exactly when every budget is clock time (the clock
/// does not wait for the office to open), and from the next opening otherwise.
fn plan_from(
    calendar: &BusinessCalendar,
    start: Timestamp,
    stages: &[(String, crate::business_time::Budget)],
) -> Result<StagePlan, DeadlineError> {
    let all_clock = stages
        .iter()
        .all(|(_, budget)| matches!(budget, crate::business_time::Budget::Clock(_)));
    if !all_clock {
        return Ok(calendar.plan_stages(start, stages)?);
    }
    let mut cursor = start;
    let mut planned = Vec::with_capacity(stages.len());
    for (stage, budget) in stages {
        let due = calendar.apply(cursor, *budget)?;
        planned.push(crate::business_time::PlannedStage {
            stage: stage.clone(),
            budget: *budget,
            starts: cursor,
            due,
            ended: None,
        });
        cursor = due;
    }
    if planned.is_empty() {
        return Err(BusinessTimeError::NoStages.into());
    }
    Ok(StagePlan { clock_start: start, stages: planned, first_response_due: cursor, committed_due: cursor })
}

/// The urgent plan: one stage of [`URGENT_FIRST_RESPONSE`] of clock time from `start`.
pub fn plan_urgent(calendar: &BusinessCalendar, start: Timestamp) -> Result<StagePlan, DeadlineError> {
    plan_from(
        calendar,
        start,
        &[(URGENT_STAGE_ID.to_owned(), crate::business_time::Budget::Clock(URGENT_FIRST_RESPONSE))],
    )
}

/// Plans the stages of one of the profile's commitments from `start`; `None` when the
/// profile has no commitment with that id. A commitment counted only in clock time (the
/// 24-hour fallback of R-25) starts at `start`; others at the next opening.
pub fn plan_commitment(
    profile: &Profile,
    calendar: &BusinessCalendar,
    commitment_id: &str,
    start: Timestamp,
) -> Option<Result<StagePlan, DeadlineError>> {
    let commitment = profile.commitment(commitment_id)?;
    let stages: Vec<(String, crate::business_time::Budget)> = commitment
        .stages
        .iter()
        .map(|stage| (stage.id.clone(), stage.budget))
        .collect();
    Some(plan_from(calendar, start, &stages))
}

#[cfg(test)]
mod urgent_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_urgent_case_is_due_one_clock_hour_later_even_on_a_sunday_night() {
        let profile = Profile::preset("mamh").unwrap();
        let calendar = business_calendar(&profile, Vec::new()).unwrap();
        // Sunday 2026-03-08 23:30 in Quebec, a closed day.
        let received: Timestamp = "2026-03-09T03:30:00Z".parse().unwrap();
        let plan = plan_urgent(&calendar, received).unwrap();
        assert_eq!(plan.clock_start, received);
        assert_eq!(plan.first_response_due, "2026-03-09T04:30:00Z".parse::<Timestamp>().unwrap());
        assert_eq!(plan.stages.len(), 1);
        assert_eq!(plan.stages[0].stage, URGENT_STAGE_ID);
    }

    #[test]
    fn the_other_organisation_fallback_runs_24_clock_hours_from_the_start() {
        let profile = Profile::preset("mamh").unwrap();
        let calendar = business_calendar(&profile, Vec::new()).unwrap();
        let start: Timestamp = "2026-03-07T15:00:00Z".parse().unwrap(); // a Saturday
        let plan = plan_commitment(&profile, &calendar, OTHER_ORGANISATION_COMMITMENT_ID, start)
            .unwrap()
            .unwrap();
        assert_eq!(plan.clock_start, start);
        assert_eq!(plan.first_response_due, "2026-03-08T15:00:00Z".parse::<Timestamp>().unwrap());
        // An ordinary commitment still waits for the office to open.
        let first = plan_commitment(&profile, &calendar, "first_return", start).unwrap().unwrap();
        assert!(first.clock_start > start);
        assert!(plan_commitment(&profile, &calendar, "absent", start).is_none());
    }
}
