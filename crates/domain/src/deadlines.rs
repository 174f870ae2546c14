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
