//! Business-time arithmetic: deadlines counted in the organisation's office hours, skipping
//! weekends and holidays, in its time zone.
//!
//! This module owns the exact arithmetic only. It takes plain inputs (a time zone, one list
//! of civil windows per weekday, a [`HolidaySource`], optional [`VigilancePeriod`]s) so that
//! the profile and the holiday calendar can be glued in by their owners.
//!
//! # The model
//! Business time is a set of instants `B`, the union of half-open intervals `[open, close)`:
//!
//! * On each civil date (in the calendar's time zone) that is not a holiday, the instants
//!   whose wall-clock time falls inside one of that weekday's windows. Windows are civil
//!   times, so a window on a daylight-saving day is measured in real (elapsed) time: on the
//!   spring-forward day a 01:00–03:00 window lasts one hour, on the fall-back day three. A
//!   window lying entirely in the spring gap is empty that day; a window covering part of
//!   the autumn fold counts both passages of the repeated wall-clock times (it may become
//!   two intervals).
//! * Plus, during each vigilance period (`[start, end)` as instants), the instants whose
//!   wall-clock time falls inside the period's extended daily windows, on every day of the
//!   week, holidays included. Vigilance only adds business time: a normal window keeps
//!   counting during a vigilance period even if the extended windows do not cover it.
//!
//! A window's end of `00:00` means midnight at the end of the day (24:00), so `00:00–00:00`
//! is the whole day.
//!
//! # Conventions (all exact to the nanosecond)
//! * [`BusinessCalendar::clock_start`]: the receipt instant if it lies in `B`, else the next
//!   opening. An instant equal to a closing (16:30:00) is outside `B`.
//! * [`BusinessCalendar::add_business`]: the *earliest* instant `T ≥ start` such that `B`
//!   holds exactly `amount` between `start` and `T`. So an amount ending exactly at a
//!   closing is due at that closing, never at the next opening.
//! * [`BusinessCalendar::subtract_business`]: the *latest* instant `T ≤ due` such that `B`
//!   holds exactly `amount` between `T` and `due`. So a warning 30 business minutes before a
//!   9:00 deadline fires at the 8:30 opening, not at the previous evening's closing.
//! * [`BusinessCalendar::business_between`]: the measure of `B` between the two instants,
//!   negative when the second is earlier. It is additive.
//!
//! The arithmetic walks the calendar one civil date at a time and one window at a time; it
//! never steps minute by minute, so adding 50 000 business hours costs a few thousand
//! window visits.
//!
//! The walk assumes that civil dates advance with time, which holds in every zone whose
//! clock changes do not move the wall clock back across midnight (America/Toronto changes
//! at 2:00).

use std::sync::Arc;

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};

/// How much time a response stage is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Budget {
    /// Time counted only inside business hours (e.g. 1 h 30 of business time).
    Business(jiff::SignedDuration),
    /// Wall-clock time, every hour of every day (e.g. the 24-hour fallback of R-25).
    Clock(jiff::SignedDuration),
    /// Whole business days (a business day is one day's worth of business hours). See
    /// [`BusinessCalendar::add_business_days`] for the exact definition.
    BusinessDays(u32),
}

/// Tells whether a civil date is a holiday (not a business day). The profile's holiday
/// calendar implements it; tests may use a fixed set.
pub trait HolidaySource: Send + Sync {
    fn is_holiday(&self, date: jiff::civil::Date) -> bool;
}

/// How many consecutive days without any business time the arithmetic walks before giving
/// up. Ten years: a calendar that is closed that long is misconfigured (for instance a
/// holiday source that says every day is a holiday), and looping forever would hang.
const MAX_CLOSED_DAYS: u32 = 3_660;

/// Offsets are bounded by ±25:59:59 in jiff; 26 hours either side of a civil date's
/// midnight (read as UTC) therefore brackets every instant of that civil date.
const OFFSET_BOUND: SignedDuration = SignedDuration::from_hours(26);

const DAY: SignedDuration = SignedDuration::from_hours(24);

/// Why a business calendar could not be built or a computation could not be done.
///
/// The messages are French (they reach the person who configures the profile); [`code`]
/// gives a stable snake_case code for templates.
///
/// [`code`]: BusinessTimeError::code
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BusinessTimeError {
    #[error(
        "plage horaire invalide ({context}) : {start}–{end} ; la fin doit suivre le début (00:00 en fin veut dire minuit)"
    )]
    InvertedOrEmptyWindow {
        context: String,
        start: Time,
        end: Time,
    },
    #[error(
        "plages horaires qui se chevauchent ({context}) : {first_start}–{first_end} et {second_start}–{second_end}"
    )]
    OverlappingWindows {
        context: String,
        first_start: Time,
        first_end: Time,
        second_start: Time,
        second_end: Time,
    },
    #[error("aucune heure ouvrable dans la semaine : au moins un jour doit avoir une plage")]
    NoBusinessHours,
    #[error("période de vigilance invalide : la fin ({end}) doit suivre le début ({start})")]
    InvertedVigilancePeriod { start: Timestamp, end: Timestamp },
    #[error("période de vigilance sans plage horaire (du {start} au {end})")]
    EmptyVigilanceWindows { start: Timestamp, end: Timestamp },
    #[error(
        "aucune heure ouvrable pendant {days} jours à partir de {from} : vérifier les jours fériés et les plages"
    )]
    NoBusinessTimeWithin { from: Timestamp, days: u32 },
    #[error("date hors des limites représentables pendant le calcul d'une échéance")]
    OutOfRange,
    #[error("un engagement doit compter au moins une étape")]
    NoStages,
    #[error("étape {index} inexistante : l'engagement compte {count} étapes")]
    StageIndexOutOfRange { index: usize, count: usize },
}

impl BusinessTimeError {
    /// A stable snake_case code that templates translate.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvertedOrEmptyWindow { .. } => "business_window_inverted_or_empty",
            Self::OverlappingWindows { .. } => "business_windows_overlap",
            Self::NoBusinessHours => "business_hours_missing",
            Self::InvertedVigilancePeriod { .. } => "vigilance_period_inverted",
            Self::EmptyVigilanceWindows { .. } => "vigilance_windows_missing",
            Self::NoBusinessTimeWithin { .. } => "business_time_not_found",
            Self::OutOfRange => "business_time_out_of_range",
            Self::NoStages => "commitment_without_stages",
            Self::StageIndexOutOfRange { .. } => "stage_index_out_of_range",
        }
    }
}

impl From<jiff::Error> for BusinessTimeError {
    fn from(_: jiff::Error) -> Self {
        // Every jiff error reachable here comes from arithmetic leaving jiff's supported
        // range (years -9999..=9999); the civil inputs themselves are already validated.
        Self::OutOfRange
    }
}

/// A window of one civil day, as offsets from midnight; `end` may be 24 h.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct CivilWindow {
    start: SignedDuration,
    end: SignedDuration,
}

fn since_midnight(time: Time) -> SignedDuration {
    SignedDuration::new(
        i64::from(time.hour()) * 3_600 + i64::from(time.minute()) * 60 + i64::from(time.second()),
        time.subsec_nanosecond(),
    )
}

/// Checks one day's windows (no inverted, empty or overlapping ones) and returns them
/// sorted by start.
fn parse_day_windows(
    context: &str,
    windows: &[(Time, Time)],
) -> Result<Vec<CivilWindow>, BusinessTimeError> {
    let mut parsed: Vec<(CivilWindow, Time, Time)> = Vec::with_capacity(windows.len());
    for &(start, end) in windows {
        let start_offset = since_midnight(start);
        let end_offset = if end == Time::midnight() {
            DAY
        } else {
            since_midnight(end)
        };
        if end_offset <= start_offset {
            return Err(BusinessTimeError::InvertedOrEmptyWindow {
                context: context.to_owned(),
                start,
                end,
            });
        }
        parsed.push((
            CivilWindow {
                start: start_offset,
                end: end_offset,
            },
            start,
            end,
        ));
    }
    parsed.sort_by_key(|(window, _, _)| window.start);
    for pair in parsed.windows(2) {
        let (first, first_start, first_end) = pair[0];
        let (second, second_start, second_end) = pair[1];
        // Touching windows (12:00–13:00 then 13:00–16:30) are fine; they merge later.
        if second.start < first.end {
            return Err(BusinessTimeError::OverlappingWindows {
                context: context.to_owned(),
                first_start,
                first_end,
                second_start,
                second_end,
            });
        }
    }
    Ok(parsed.into_iter().map(|(window, _, _)| window).collect())
}

const WEEKDAY_NAMES: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];

/// A period of vigilance (crisis, campaign, event: R-03, S2 §8.1) during which every day of
/// the week, holidays included, counts with extended daily windows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VigilancePeriod {
    start: Timestamp,
    end: Timestamp,
    daily_windows: Vec<CivilWindow>,
}

impl VigilancePeriod {
    /// A vigilance period over `[start, end)` with the given civil windows applied to every
    /// day. Rejects an inverted period and empty, inverted or overlapping windows.
    pub fn new(
        start: Timestamp,
        end: Timestamp,
        daily_windows: &[(Time, Time)],
    ) -> Result<Self, BusinessTimeError> {
        if end <= start {
            return Err(BusinessTimeError::InvertedVigilancePeriod { start, end });
        }
        if daily_windows.is_empty() {
            return Err(BusinessTimeError::EmptyVigilanceWindows { start, end });
        }
        let daily_windows = parse_day_windows("vigilance", daily_windows)?;
        Ok(Self {
            start,
            end,
            daily_windows,
        })
    }

    pub fn start(&self) -> Timestamp {
        self.start
    }

    pub fn end(&self) -> Timestamp {
        self.end
    }
}

/// An organisation's business calendar: time zone, weekly windows, holidays and vigilance
/// periods. Cheap to clone.
#[derive(Clone)]
pub struct BusinessCalendar {
    time_zone: TimeZone,
    /// Monday first, each sorted and non-overlapping.
    weekly_windows: [Vec<CivilWindow>; 7],
    holidays: Arc<dyn HolidaySource>,
    vigilance: Vec<VigilancePeriod>,
}

impl std::fmt::Debug for BusinessCalendar {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("BusinessCalendar")
            .field("time_zone", &self.time_zone.iana_name())
            .field("weekly_windows", &self.weekly_windows)
            .field("vigilance", &self.vigilance)
            .finish_non_exhaustive()
    }
}

/// One stage of a commitment as planned: it starts when the previous stage is due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedStage {
    pub stage: String,
    pub budget: Budget,
    pub starts: Timestamp,
    pub due: Timestamp,
    /// When the stage actually ended, once known (set by [`StagePlan::replan_after`]).
    pub ended: Option<Timestamp>,
}

/// A commitment's stages with their deadlines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StagePlan {
    pub clock_start: Timestamp,
    pub stages: Vec<PlannedStage>,
    /// The current deadline of the last stage: the first response to the citizen.
    pub first_response_due: Timestamp,
    /// The first-response deadline as first planned at receipt. It never moves: lateness
    /// towards the citizen is measured against it even when a late stage pushes
    /// [`first_response_due`](Self::first_response_due) later.
    pub committed_due: Timestamp,
}

impl BusinessCalendar {
    /// Builds a calendar from a time zone, one list of civil windows per weekday (Monday
    /// first; an end of 00:00 means 24:00) and a holiday source. Rejects inverted, empty or
    /// overlapping windows, and a week without any window.
    pub fn new(
        time_zone: TimeZone,
        weekly_windows: [Vec<(Time, Time)>; 7],
        holidays: Arc<dyn HolidaySource>,
    ) -> Result<Self, BusinessTimeError> {
        let mut parsed: [Vec<CivilWindow>; 7] = Default::default();
        for (index, windows) in weekly_windows.iter().enumerate() {
            parsed[index] = parse_day_windows(WEEKDAY_NAMES[index], windows)?;
        }
        if parsed.iter().all(Vec::is_empty) {
            return Err(BusinessTimeError::NoBusinessHours);
        }
        Ok(Self {
            time_zone,
            weekly_windows: parsed,
            holidays,
            vigilance: Vec::new(),
        })
    }

    /// Adds vigilance periods (they may overlap; their business time is united).
    pub fn with_vigilance(mut self, periods: Vec<VigilancePeriod>) -> Self {
        self.vigilance.extend(periods);
        self
    }

    pub fn time_zone(&self) -> &TimeZone {
        &self.time_zone
    }

    /// The civil date of an instant in the calendar's time zone.
    pub fn civil_date(&self, instant: Timestamp) -> Date {
        self.time_zone.to_datetime(instant).date()
    }

    /// The business intervals `[open, close)` of one civil date, sorted, disjoint and with
    /// touching intervals merged (so the lunch hour separates two intervals, but a 24/7
    /// calendar gives one interval per day).
    pub fn business_intervals_on(
        &self,
        date: Date,
    ) -> Result<Vec<(Timestamp, Timestamp)>, BusinessTimeError> {
        let weekday_index = usize::try_from(date.weekday().to_monday_zero_offset())
            .expect("to_monday_zero_offset is always in 0..=6");
        let normal: &[CivilWindow] = if self.holidays.is_holiday(date) {
            &[]
        } else {
            &self.weekly_windows[weekday_index]
        };
        let midnight_as_utc = Offset::UTC.to_timestamp(DateTime::from(date))?;
        let day_low = midnight_as_utc.checked_sub(OFFSET_BOUND)?;
        let day_high = midnight_as_utc
            .checked_add(DAY)?
            .checked_add(OFFSET_BOUND)?;
        let active_vigilance: Vec<&VigilancePeriod> = self
            .vigilance
            .iter()
            .filter(|period| period.start < day_high && period.end > day_low)
            .collect();
        if normal.is_empty() && active_vigilance.is_empty() {
            return Ok(Vec::new());
        }
        let segments = self.constant_offset_segments(day_low, day_high);
        let mut intervals = Vec::new();
        for window in normal {
            push_window_intervals(&mut intervals, &segments, midnight_as_utc, *window, None)?;
        }
        for period in active_vigilance {
            for window in &period.daily_windows {
                push_window_intervals(
                    &mut intervals,
                    &segments,
                    midnight_as_utc,
                    *window,
                    Some((period.start, period.end)),
                )?;
            }
        }
        Ok(merge_intervals(intervals))
    }

    /// Splits `[low, high)` into pieces over which the zone's offset is constant.
    fn constant_offset_segments(
        &self,
        low: Timestamp,
        high: Timestamp,
    ) -> Vec<(Timestamp, Timestamp, Offset)> {
        let mut segments = Vec::with_capacity(3);
        let mut segment_start = low;
        for transition in self.time_zone.following(low) {
            let at = transition.timestamp();
            if at >= high {
                break;
            }
            if at > segment_start {
                segments.push((segment_start, at, self.time_zone.to_offset(segment_start)));
                segment_start = at;
            }
        }
        segments.push((segment_start, high, self.time_zone.to_offset(segment_start)));
        segments
    }

    /// Whether an instant lies inside business hours.
    pub fn is_business_instant(&self, instant: Timestamp) -> Result<bool, BusinessTimeError> {
        Ok(self.clock_start(instant)? == instant)
    }

    /// When the clock starts for something received at `received`: `received` itself if it
    /// lies inside business hours, else the next opening.
    pub fn clock_start(&self, received: Timestamp) -> Result<Timestamp, BusinessTimeError> {
        let (open, _close) = ForwardWalk::new(self, received)?.next_interval()?;
        Ok(open)
    }

    /// The earliest instant at which `amount` of business time has elapsed since `start`.
    /// A negative amount counts backwards (see [`subtract_business`](Self::subtract_business)).
    /// A zero amount returns `start` unchanged.
    pub fn add_business(
        &self,
        start: Timestamp,
        amount: SignedDuration,
    ) -> Result<Timestamp, BusinessTimeError> {
        if amount.is_negative() {
            return self.subtract_business(
                start,
                amount.checked_neg().ok_or(BusinessTimeError::OutOfRange)?,
            );
        }
        if amount.is_zero() {
            return Ok(start);
        }
        let mut remaining = amount;
        let mut walk = ForwardWalk::new(self, start)?;
        loop {
            let (open, close) = walk.next_interval()?;
            let length = close.duration_since(open);
            if length >= remaining {
                return Ok(open.checked_add(remaining)?);
            }
            remaining -= length;
        }
    }

    /// The latest instant before `due` at which exactly `amount` of business time remains
    /// until `due`. Used for warnings ("30 business minutes before"), so none fires at
    /// night. A negative amount counts forwards; zero returns `due`.
    pub fn subtract_business(
        &self,
        due: Timestamp,
        amount: SignedDuration,
    ) -> Result<Timestamp, BusinessTimeError> {
        if amount.is_negative() {
            return self.add_business(
                due,
                amount.checked_neg().ok_or(BusinessTimeError::OutOfRange)?,
            );
        }
        if amount.is_zero() {
            return Ok(due);
        }
        let mut remaining = amount;
        let mut walk = BackwardWalk::new(self, due)?;
        loop {
            let (open, close) = walk.next_interval()?;
            let length = close.duration_since(open);
            if length >= remaining {
                return Ok(close.checked_sub(remaining)?);
            }
            remaining -= length;
        }
    }

    /// The business time between two instants: positive when `to` is later, negative when
    /// earlier. Used for countdowns ("2 h 15 ouvrables") and lateness.
    pub fn business_between(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<SignedDuration, BusinessTimeError> {
        if to < from {
            return Ok(-self.business_between(to, from)?);
        }
        let mut total = SignedDuration::ZERO;
        if to == from {
            return Ok(total);
        }
        let last_date = self.civil_date(to).tomorrow()?;
        let mut date = self.civil_date(from).yesterday()?;
        while date <= last_date {
            for (open, close) in self.business_intervals_on(date)? {
                let open = open.max(from);
                let close = close.min(to);
                if close > open {
                    // Bounded by the span between two valid timestamps: cannot overflow.
                    total += close.duration_since(open);
                }
            }
            date = date.tomorrow()?;
        }
        Ok(total)
    }

    /// How late `actual_end` is against `due`, in business time; zero when on time.
    pub fn lateness(
        &self,
        due: Timestamp,
        actual_end: Timestamp,
    ) -> Result<SignedDuration, BusinessTimeError> {
        Ok(self
            .business_between(due, actual_end)?
            .max(SignedDuration::ZERO))
    }

    /// `n` business days after `start`, where a business day is one civil date's business
    /// hours. Precisely: let `s = clock_start(start)` on civil date `D`, and `e` the business
    /// time of `D` elapsed before `s`.
    ///
    /// * If `e` is zero (`s` is `D`'s first opening), the result is the last closing of the
    ///   `n`-th business day counting `D` as the first (received Saturday, one business day:
    ///   Monday 16:30).
    /// * Otherwise the result is the instant of the `n`-th business day after `D` at which
    ///   `e` of that day's business time has elapsed, i.e. the same business time of day
    ///   (received Monday 10:00, one business day: Tuesday 10:00); if that day holds less
    ///   than `e`, its last closing.
    ///
    /// With days of equal length this equals `add_business(start, n × day length)`.
    /// `n = 0` returns `start` unchanged.
    pub fn add_business_days(
        &self,
        start: Timestamp,
        n: u32,
    ) -> Result<Timestamp, BusinessTimeError> {
        if n == 0 {
            return Ok(start);
        }
        let clock_start = self.clock_start(start)?;
        let start_date = self.civil_date(clock_start);
        let mut elapsed = SignedDuration::ZERO;
        for (open, close) in self.business_intervals_on(start_date)? {
            if open < clock_start {
                elapsed += close.min(clock_start).duration_since(open);
            }
        }
        let mut date = start_date;
        let mut days_left = if elapsed.is_zero() { n - 1 } else { n };
        let mut intervals = self.business_intervals_on(date)?;
        while days_left > 0 {
            let mut closed_days = 0;
            loop {
                date = date.tomorrow()?;
                intervals = self.business_intervals_on(date)?;
                if !intervals.is_empty() {
                    break;
                }
                closed_days += 1;
                if closed_days > MAX_CLOSED_DAYS {
                    return Err(BusinessTimeError::NoBusinessTimeWithin {
                        from: start,
                        days: MAX_CLOSED_DAYS,
                    });
                }
            }
            days_left -= 1;
        }
        let last_close = intervals
            .last()
            .map(|&(_, close)| close)
            .ok_or(BusinessTimeError::OutOfRange)?;
        if elapsed.is_zero() {
            return Ok(last_close);
        }
        let mut remaining = elapsed;
        for (open, close) in intervals {
            let length = close.duration_since(open);
            if length >= remaining {
                return Ok(open.checked_add(remaining)?);
            }
            remaining -= length;
        }
        Ok(last_close)
    }

    /// The deadline of a budget starting at `start`. `Clock` is plain elapsed time.
    pub fn apply(&self, start: Timestamp, budget: Budget) -> Result<Timestamp, BusinessTimeError> {
        match budget {
            Budget::Business(amount) => self.add_business(start, amount),
            Budget::Clock(amount) => Ok(start.checked_add(amount)?),
            Budget::BusinessDays(days) => self.add_business_days(start, days),
        }
    }

    /// Plans a commitment's stages for something received at `received`: the first stage
    /// starts at [`clock_start`](Self::clock_start), each next stage starts when the previous
    /// one is due, and the first response is due when the last stage is.
    pub fn plan_stages(
        &self,
        received: Timestamp,
        stages: &[(String, Budget)],
    ) -> Result<StagePlan, BusinessTimeError> {
        if stages.is_empty() {
            return Err(BusinessTimeError::NoStages);
        }
        let clock_start = self.clock_start(received)?;
        let mut cursor = clock_start;
        let mut planned = Vec::with_capacity(stages.len());
        for (stage, budget) in stages {
            let due = self.apply(cursor, *budget)?;
            planned.push(PlannedStage {
                stage: stage.clone(),
                budget: *budget,
                starts: cursor,
                due,
                ended: None,
            });
            cursor = due;
        }
        Ok(StagePlan {
            clock_start,
            stages: planned,
            first_response_due: cursor,
            committed_due: cursor,
        })
    }
}

impl StagePlan {
    /// Re-plans after stage `stage_index` actually ended at `actual_end`.
    ///
    /// The stage records `ended`; its own `due` is kept (lateness is measured against it).
    /// The next stage starts at `actual_end`. Every following stage `j` is then due at the
    /// later of its current planned due and `actual_end` plus the budgets of the stages
    /// after `stage_index` up to `j`:
    ///
    /// * a stage that ends early hands its spare time to the following stages: their
    ///   deadlines (and the first response's) stay where the commitment put them, never
    ///   earlier;
    /// * a stage that ends late does not eat the following stages' budgets: each keeps its
    ///   full budget from `actual_end`, so lateness is charged to the stage that caused it,
    ///   and [`first_response_due`](Self::first_response_due) moves later while
    ///   [`committed_due`](Self::committed_due) stays.
    pub fn replan_after(
        &self,
        calendar: &BusinessCalendar,
        stage_index: usize,
        actual_end: Timestamp,
    ) -> Result<StagePlan, BusinessTimeError> {
        let count = self.stages.len();
        if stage_index >= count {
            return Err(BusinessTimeError::StageIndexOutOfRange {
                index: stage_index,
                count,
            });
        }
        let mut replanned = self.clone();
        replanned.stages[stage_index].ended = Some(actual_end);
        let mut chained_due = actual_end;
        let mut starts = actual_end;
        for stage in &mut replanned.stages[stage_index + 1..] {
            chained_due = calendar.apply(chained_due, stage.budget)?;
            stage.starts = starts;
            stage.due = stage.due.max(chained_due);
            stage.ended = None;
            starts = stage.due;
        }
        if let Some(last) = replanned.stages.last() {
            replanned.first_response_due = last.due;
        }
        Ok(replanned)
    }

    /// Lateness of each stage that has ended, in business time (zero when on time); `None`
    /// for stages not ended yet.
    pub fn lateness_per_stage(
        &self,
        calendar: &BusinessCalendar,
    ) -> Result<Vec<Option<SignedDuration>>, BusinessTimeError> {
        self.stages
            .iter()
            .map(|stage| {
                stage
                    .ended
                    .map(|ended| calendar.lateness(stage.due, ended))
                    .transpose()
            })
            .collect()
    }
}

/// Adds the intervals of one civil window on the date whose midnight (read as UTC) is
/// `midnight_as_utc`, one per constant-offset segment it meets, optionally clipped.
fn push_window_intervals(
    intervals: &mut Vec<(Timestamp, Timestamp)>,
    segments: &[(Timestamp, Timestamp, Offset)],
    midnight_as_utc: Timestamp,
    window: CivilWindow,
    clip: Option<(Timestamp, Timestamp)>,
) -> Result<(), BusinessTimeError> {
    let civil_open = midnight_as_utc.checked_add(window.start)?;
    let civil_close = midnight_as_utc.checked_add(window.end)?;
    for &(segment_start, segment_end, offset) in segments {
        // Under a fixed offset, the instant showing civil time `c` is `c - offset`.
        let offset = SignedDuration::from_secs(i64::from(offset.seconds()));
        let mut open = civil_open.checked_sub(offset)?.max(segment_start);
        let mut close = civil_close.checked_sub(offset)?.min(segment_end);
        if let Some((clip_start, clip_end)) = clip {
            open = open.max(clip_start);
            close = close.min(clip_end);
        }
        if close > open {
            intervals.push((open, close));
        }
    }
    Ok(())
}

fn merge_intervals(mut intervals: Vec<(Timestamp, Timestamp)>) -> Vec<(Timestamp, Timestamp)> {
    intervals.sort();
    let mut merged: Vec<(Timestamp, Timestamp)> = Vec::with_capacity(intervals.len());
    for (open, close) in intervals {
        match merged.last_mut() {
            Some(last) if open <= last.1 => last.1 = last.1.max(close),
            _ => merged.push((open, close)),
        }
    }
    merged
}

/// Yields the business intervals after an instant in time order, clipped to start there.
struct ForwardWalk<'a> {
    calendar: &'a BusinessCalendar,
    from: Timestamp,
    date: Date,
    pending: std::vec::IntoIter<(Timestamp, Timestamp)>,
    closed_days: u32,
}

impl<'a> ForwardWalk<'a> {
    fn new(calendar: &'a BusinessCalendar, from: Timestamp) -> Result<Self, BusinessTimeError> {
        // Starting one date early costs little and keeps an interval that began on the
        // previous civil date (a window ending at 24:00) from being missed.
        let date = calendar.civil_date(from).yesterday()?;
        let pending = calendar.business_intervals_on(date)?.into_iter();
        Ok(Self {
            calendar,
            from,
            date,
            pending,
            closed_days: 0,
        })
    }

    fn next_interval(&mut self) -> Result<(Timestamp, Timestamp), BusinessTimeError> {
        loop {
            for (open, close) in self.pending.by_ref() {
                if close > self.from {
                    self.closed_days = 0;
                    let open = open.max(self.from);
                    self.from = close;
                    return Ok((open, close));
                }
            }
            self.closed_days += 1;
            if self.closed_days > MAX_CLOSED_DAYS {
                return Err(BusinessTimeError::NoBusinessTimeWithin {
                    from: self.from,
                    days: MAX_CLOSED_DAYS,
                });
            }
            self.date = self.date.tomorrow()?;
            self.pending = self.calendar.business_intervals_on(self.date)?.into_iter();
        }
    }
}

/// Yields the business intervals before an instant in reverse time order, clipped to end
/// there.
struct BackwardWalk<'a> {
    calendar: &'a BusinessCalendar,
    until: Timestamp,
    date: Date,
    pending: std::iter::Rev<std::vec::IntoIter<(Timestamp, Timestamp)>>,
    closed_days: u32,
}

impl<'a> BackwardWalk<'a> {
    fn new(calendar: &'a BusinessCalendar, until: Timestamp) -> Result<Self, BusinessTimeError> {
        let date = calendar.civil_date(until).tomorrow()?;
        let pending = calendar.business_intervals_on(date)?.into_iter().rev();
        Ok(Self {
            calendar,
            until,
            date,
            pending,
            closed_days: 0,
        })
    }

    fn next_interval(&mut self) -> Result<(Timestamp, Timestamp), BusinessTimeError> {
        loop {
            for (open, close) in self.pending.by_ref() {
                if open < self.until {
                    self.closed_days = 0;
                    let close = close.min(self.until);
                    self.until = open;
                    return Ok((open, close));
                }
            }
            self.closed_days += 1;
            if self.closed_days > MAX_CLOSED_DAYS {
                return Err(BusinessTimeError::NoBusinessTimeWithin {
                    from: self.until,
                    days: MAX_CLOSED_DAYS,
                });
            }
            self.date = self.date.yesterday()?;
            self.pending = self
                .calendar
                .business_intervals_on(self.date)?
                .into_iter()
                .rev();
        }
    }
}
