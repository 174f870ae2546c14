//! Business-time arithmetic: hand-checked cases with the MAMH and MESS commitments across
//! weekends, holidays, the lunch hour, both daylight-saving changes and year ends, plus
//! properties checked with proptest.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::sync::{Arc, LazyLock};

use domain::business_time::{
    Budget, BusinessCalendar, BusinessTimeError, HolidaySource, StagePlan, VigilancePeriod,
};
use jiff::civil::{Date, Time, date, time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

/// A fixed set of holidays, standing in for the profile's holiday calendar.
struct FixedHolidays(BTreeSet<Date>);

impl HolidaySource for FixedHolidays {
    fn is_holiday(&self, date: Date) -> bool {
        self.0.contains(&date)
    }
}

fn test_holidays() -> Arc<FixedHolidays> {
    Arc::clone(&TEST_HOLIDAYS)
}

/// Built once: the minute-by-minute reference below asks about holidays millions of times.
static TEST_HOLIDAYS: LazyLock<Arc<FixedHolidays>> = LazyLock::new(|| {
    Arc::new(FixedHolidays(BTreeSet::from([
        date(2025, 4, 18),
        date(2025, 4, 21),
        date(2025, 12, 24),
        date(2025, 12, 25),
        date(2025, 12, 26),
        date(2025, 12, 31),
        date(2026, 1, 1),
        date(2026, 1, 2),
    ])))
});

fn toronto() -> TimeZone {
    TimeZone::get("America/Toronto").unwrap()
}

/// MAMH office hours: Monday to Friday 8:30–12:00 and 13:00–16:30.
fn mamh_calendar() -> BusinessCalendar {
    let day = vec![
        (time(8, 30, 0, 0), time(12, 0, 0, 0)),
        (time(13, 0, 0, 0), time(16, 30, 0, 0)),
    ];
    BusinessCalendar::new(
        toronto(),
        [
            day.clone(),
            day.clone(),
            day.clone(),
            day.clone(),
            day,
            Vec::new(),
            Vec::new(),
        ],
        test_holidays(),
    )
    .unwrap()
}

/// Every hour of every day (00:00–00:00 is the whole day), no holidays.
fn always_open_calendar() -> BusinessCalendar {
    let day = vec![(Time::midnight(), Time::midnight())];
    BusinessCalendar::new(
        toronto(),
        std::array::from_fn(|_| day.clone()),
        no_holidays(),
    )
    .unwrap()
}

fn no_holidays() -> Arc<FixedHolidays> {
    Arc::new(FixedHolidays(BTreeSet::new()))
}

/// Windows chosen to straddle the 2:00 daylight-saving changes every day of the week.
fn dst_straddling_calendar() -> BusinessCalendar {
    let day = vec![
        (time(1, 0, 0, 0), time(3, 0, 0, 0)),
        (time(8, 30, 0, 0), time(12, 0, 0, 0)),
    ];
    BusinessCalendar::new(
        toronto(),
        std::array::from_fn(|_| day.clone()),
        test_holidays(),
    )
    .unwrap()
}

/// An instant given as Toronto wall-clock time, "YYYY-MM-DD HH:MM[:SS[.fff]]".
fn at(civil: &str) -> Timestamp {
    civil
        .parse::<jiff::civil::DateTime>()
        .unwrap()
        .to_zoned(toronto())
        .unwrap()
        .timestamp()
}

fn hours(h: i64) -> SignedDuration {
    SignedDuration::from_hours(h)
}

fn minutes(m: i64) -> SignedDuration {
    SignedDuration::from_mins(m)
}

fn mamh_stages() -> Vec<(String, Budget)> {
    vec![
        ("triage".to_owned(), Budget::Business(minutes(90))),
        ("sector".to_owned(), Budget::Business(minutes(690))),
        ("review".to_owned(), Budget::Business(hours(1))),
    ]
}

/// Checks a MAMH plan: clock start, then the due time of triage, sector and review.
fn check_mamh(received: &str, clock_start: &str, dues: [&str; 3]) {
    let calendar = mamh_calendar();
    let plan = calendar.plan_stages(at(received), &mamh_stages()).unwrap();
    assert_eq!(
        plan.clock_start,
        at(clock_start),
        "clock start for {received}"
    );
    let got: Vec<Timestamp> = plan.stages.iter().map(|stage| stage.due).collect();
    let expected: Vec<Timestamp> = dues.iter().map(|due| at(due)).collect();
    assert_eq!(got, expected, "stage dues for {received}");
    assert_eq!(plan.first_response_due, at(dues[2]));
    assert_eq!(plan.committed_due, at(dues[2]));
    assert_eq!(plan.stages[0].starts, at(clock_start));
    assert_eq!(plan.stages[1].starts, at(dues[0]));
    assert_eq!(plan.stages[2].starts, at(dues[1]));
    // The whole commitment is two business days of 7 h.
    assert_eq!(
        calendar
            .business_between(plan.clock_start, plan.first_response_due)
            .unwrap(),
        hours(14)
    );
}

#[test]
fn mamh_received_friday_afternoon_runs_over_the_weekend() {
    // Fri 2025-05-02 16:00: 30 min left Friday, then Monday and Tuesday.
    check_mamh(
        "2025-05-02 16:00",
        "2025-05-02 16:00",
        ["2025-05-05 09:30", "2025-05-06 15:00", "2025-05-06 16:00"],
    );
}

#[test]
fn mamh_received_during_lunch_starts_at_one_and_ends_at_noon_not_one() {
    // Wed 2025-05-07 12:15: clock starts at 13:00; review ends exactly at Friday's noon
    // closing, which is the due time (not the 13:00 reopening).
    check_mamh(
        "2025-05-07 12:15",
        "2025-05-07 13:00",
        ["2025-05-07 14:30", "2025-05-09 11:00", "2025-05-09 12:00"],
    );
}

#[test]
fn mamh_received_on_good_friday_waits_for_tuesday_after_easter_monday() {
    check_mamh(
        "2025-04-18 10:00",
        "2025-04-22 08:30",
        ["2025-04-22 10:00", "2025-04-23 15:30", "2025-04-23 16:30"],
    );
}

#[test]
fn mamh_received_exactly_at_closing_starts_at_next_opening() {
    check_mamh(
        "2025-05-02 16:30:00",
        "2025-05-05 08:30",
        ["2025-05-05 10:00", "2025-05-06 15:30", "2025-05-06 16:30"],
    );
}

#[test]
fn mamh_received_one_second_before_closing_keeps_that_second() {
    let calendar = mamh_calendar();
    let received = at("2025-05-02 16:29:59");
    assert_eq!(calendar.clock_start(received).unwrap(), received);
    assert_eq!(
        calendar
            .add_business(received, SignedDuration::from_secs(1))
            .unwrap(),
        at("2025-05-02 16:30:00")
    );
    assert_eq!(
        calendar
            .add_business(received, SignedDuration::from_secs(2))
            .unwrap(),
        at("2025-05-05 08:30:01")
    );
    // Sub-second: half a second before closing plus one second.
    let received = at("2025-05-02 16:29:59.5");
    assert_eq!(
        calendar
            .add_business(received, SignedDuration::from_secs(1))
            .unwrap(),
        at("2025-05-05 08:30:00.5")
    );
    check_mamh(
        "2025-05-02 16:29:59",
        "2025-05-02 16:29:59",
        [
            "2025-05-05 09:59:59",
            "2025-05-06 15:29:59",
            "2025-05-06 16:29:59",
        ],
    );
}

#[test]
fn mamh_received_saturday_starts_monday() {
    check_mamh(
        "2025-05-03 14:00",
        "2025-05-05 08:30",
        ["2025-05-05 10:00", "2025-05-06 15:30", "2025-05-06 16:30"],
    );
}

#[test]
fn mamh_across_christmas_skips_the_holidays() {
    // Tue 2025-12-23 15:00: triage ends at 16:30 that day; 24–26 are holidays, then the
    // weekend; the sector works Monday 29 and Tuesday 30.
    check_mamh(
        "2025-12-23 15:00",
        "2025-12-23 15:00",
        ["2025-12-23 16:30", "2025-12-30 14:00", "2025-12-30 15:00"],
    );
}

#[test]
fn mamh_across_the_year_end_skips_new_year_holidays() {
    // Tue 2025-12-30 15:00: Dec 31, Jan 1 and Jan 2 are holidays, then the weekend.
    check_mamh(
        "2025-12-30 15:00",
        "2025-12-30 15:00",
        ["2025-12-30 16:30", "2026-01-06 14:00", "2026-01-06 15:00"],
    );
}

#[test]
fn mamh_across_spring_daylight_saving_change() {
    // 2026-03-08 (Sunday) clocks go forward. Fri 16:00 EST + 1 h = Mon 9:00 EDT.
    let calendar = mamh_calendar();
    let friday = at("2026-03-06 16:00");
    assert_eq!(
        calendar.add_business(friday, hours(1)).unwrap(),
        at("2026-03-09 09:00")
    );
    assert_eq!(
        calendar
            .business_between(friday, at("2026-03-09 09:00"))
            .unwrap(),
        hours(1)
    );
    check_mamh(
        "2026-03-06 16:00",
        "2026-03-06 16:00",
        ["2026-03-09 09:30", "2026-03-10 15:00", "2026-03-10 16:00"],
    );
}

#[test]
fn mamh_across_autumn_daylight_saving_change() {
    // 2025-11-02 (Sunday) clocks go back. Fri 16:00 EDT + 1 h = Mon 9:00 EST.
    let calendar = mamh_calendar();
    let friday = at("2025-10-31 16:00");
    assert_eq!(
        calendar.add_business(friday, hours(1)).unwrap(),
        at("2025-11-03 09:00")
    );
    assert_eq!(
        calendar
            .business_between(friday, at("2025-11-03 09:00"))
            .unwrap(),
        hours(1)
    );
    check_mamh(
        "2025-10-31 16:00",
        "2025-10-31 16:00",
        ["2025-11-03 09:30", "2025-11-04 15:00", "2025-11-04 16:00"],
    );
}

#[test]
fn mess_one_stage_of_seven_business_hours_equals_one_business_day() {
    let calendar = mamh_calendar();
    for (received, due) in [
        ("2025-05-05 10:00", "2025-05-06 10:00"),
        ("2025-05-02 16:00", "2025-05-05 16:00"),
        ("2025-05-03 09:00", "2025-05-05 16:30"),
        ("2025-05-05 12:30", "2025-05-06 12:00"),
        ("2025-12-23 11:00", "2025-12-29 11:00"),
    ] {
        for budget in [Budget::Business(hours(7)), Budget::BusinessDays(1)] {
            let plan = calendar
                .plan_stages(at(received), &[("response".to_owned(), budget)])
                .unwrap();
            assert_eq!(
                plan.first_response_due,
                at(due),
                "{budget:?} received {received}"
            );
        }
    }
}

#[test]
fn business_days_keep_the_business_time_of_day() {
    let calendar = mamh_calendar();
    // Monday 10:00 + 2 business days over Good Friday/Easter Monday-free week.
    assert_eq!(
        calendar
            .add_business_days(at("2025-05-05 10:00"), 2)
            .unwrap(),
        at("2025-05-07 10:00")
    );
    // Thursday 17 April + 1 business day skips Good Friday, the weekend and Easter Monday.
    assert_eq!(
        calendar
            .add_business_days(at("2025-04-17 14:00"), 1)
            .unwrap(),
        at("2025-04-22 14:00")
    );
    // Received at closing: clock starts at the next opening, one day is that day's close.
    assert_eq!(
        calendar
            .add_business_days(at("2025-05-02 16:30"), 1)
            .unwrap(),
        at("2025-05-05 16:30")
    );
    assert_eq!(
        calendar
            .add_business_days(at("2025-05-05 10:00"), 0)
            .unwrap(),
        at("2025-05-05 10:00")
    );
}

#[test]
fn clock_budget_is_plain_elapsed_time() {
    let calendar = mamh_calendar();
    // Across the autumn change: 24 h of elapsed time shows 23:00 on the wall clock.
    assert_eq!(
        calendar
            .apply(at("2025-11-01 23:00"), Budget::Clock(hours(24)))
            .unwrap(),
        at("2025-11-02 22:00")
    );
}

#[test]
fn subtract_business_warns_inside_business_hours() {
    let calendar = mamh_calendar();
    // 30 business minutes before Monday 9:00 is the 8:30 opening, not Friday 16:30.
    assert_eq!(
        calendar
            .subtract_business(at("2025-05-05 09:00"), minutes(30))
            .unwrap(),
        at("2025-05-05 08:30")
    );
    assert_eq!(
        calendar
            .subtract_business(at("2025-05-05 08:45"), minutes(30))
            .unwrap(),
        at("2025-05-02 16:15")
    );
    assert_eq!(
        calendar
            .subtract_business(at("2025-05-05 08:30"), minutes(30))
            .unwrap(),
        at("2025-05-02 16:00")
    );
    // Before a 13:30 deadline, 1 h back lands at 11:30 (the lunch hour does not count).
    assert_eq!(
        calendar
            .subtract_business(at("2025-05-05 13:30"), hours(1))
            .unwrap(),
        at("2025-05-05 11:30")
    );
    // Across Easter: 1 h before Tuesday 9:00 is Thursday 16:00.
    assert_eq!(
        calendar
            .subtract_business(at("2025-04-22 09:00"), hours(1))
            .unwrap(),
        at("2025-04-17 16:00")
    );
    // A negative addition is a subtraction.
    assert_eq!(
        calendar
            .add_business(at("2025-05-05 09:00"), minutes(-30))
            .unwrap(),
        at("2025-05-05 08:30")
    );
}

#[test]
fn business_between_counts_down_and_measures_lateness() {
    let calendar = mamh_calendar();
    let now = at("2025-05-05 15:45");
    let due = at("2025-05-06 10:00");
    assert_eq!(
        calendar.business_between(now, due).unwrap(),
        minutes(45 + 90)
    );
    assert_eq!(
        calendar.business_between(due, now).unwrap(),
        -minutes(45 + 90)
    );
    assert_eq!(
        calendar.lateness(due, at("2025-05-06 13:30")).unwrap(),
        minutes(150)
    );
    assert_eq!(calendar.lateness(due, now).unwrap(), SignedDuration::ZERO);
    // A weekend in between counts nothing.
    assert_eq!(
        calendar
            .business_between(at("2025-05-02 16:30"), at("2025-05-05 08:30"))
            .unwrap(),
        SignedDuration::ZERO
    );
}

#[test]
fn always_open_calendar_measures_real_time_across_both_changes() {
    let calendar = always_open_calendar();
    // The spring-forward day lasts 23 h, the fall-back day 25 h.
    assert_eq!(
        calendar
            .business_between(at("2026-03-08 00:00"), at("2026-03-09 00:00"))
            .unwrap(),
        hours(23)
    );
    assert_eq!(
        calendar
            .business_between(at("2025-11-02 00:00"), at("2025-11-03 00:00"))
            .unwrap(),
        hours(25)
    );
    // 3 h from 00:30 EST on the spring day is 04:30 EDT.
    assert_eq!(
        calendar
            .add_business(at("2026-03-08 00:30"), hours(3))
            .unwrap(),
        at("2026-03-08 04:30")
    );
    // 3 h from 00:30 EDT on the autumn day is 02:30 EST (01:xx happens twice).
    let expected = "2025-11-02T02:30:00-05:00".parse::<Timestamp>().unwrap();
    assert_eq!(
        calendar
            .add_business(at("2025-11-02 00:30"), hours(3))
            .unwrap(),
        expected
    );
    // Every instant is business time, so the clock starts at once.
    let instant = at("2026-03-08 03:15:07");
    assert_eq!(calendar.clock_start(instant).unwrap(), instant);
    // Year end: a window ending at 24:00 flows into the next year.
    assert_eq!(
        calendar
            .add_business(at("2025-12-31 23:00"), hours(2))
            .unwrap(),
        at("2026-01-01 01:00")
    );
}

#[test]
fn windows_straddling_the_changes_count_real_elapsed_time() {
    let calendar = dst_straddling_calendar();
    let intervals_length = |day: Date| -> SignedDuration {
        calendar
            .business_intervals_on(day)
            .unwrap()
            .iter()
            .map(|(open, close)| close.duration_since(*open))
            .sum()
    };
    // An ordinary day: 2 h + 3 h 30.
    assert_eq!(intervals_length(date(2026, 3, 7)), minutes(330));
    // Spring day: 01:00–03:00 only lasts 1 h (02:00–03:00 does not exist).
    assert_eq!(intervals_length(date(2026, 3, 8)), minutes(270));
    // Autumn day: 01:00–03:00 lasts 3 h (01:00–02:00 happens twice).
    assert_eq!(intervals_length(date(2025, 11, 2)), minutes(390));
    // Received at 01:30 EST during the autumn fold (the second 01:30): still in the window.
    let second_passage = "2025-11-02T01:30:00-05:00".parse::<Timestamp>().unwrap();
    assert_eq!(
        calendar.clock_start(second_passage).unwrap(),
        second_passage
    );
    assert_eq!(
        calendar.add_business(second_passage, hours(2)).unwrap(),
        "2025-11-02T09:00:00-05:00".parse::<Timestamp>().unwrap()
    );
}

#[test]
fn a_window_inside_the_spring_gap_is_empty_and_one_in_the_fold_counts_both_passages() {
    let gap_window = vec![
        (time(2, 0, 0, 0), time(2, 30, 0, 0)),
        (time(9, 0, 0, 0), time(10, 0, 0, 0)),
    ];
    let calendar = BusinessCalendar::new(
        toronto(),
        std::array::from_fn(|_| gap_window.clone()),
        no_holidays(),
    )
    .unwrap();
    let spring = calendar.business_intervals_on(date(2026, 3, 8)).unwrap();
    assert_eq!(
        spring,
        vec![(at("2026-03-08 09:00"), at("2026-03-08 10:00"))]
    );
    // Received 01:59 on the spring day: the gap window does not exist, next opening is 9:00.
    assert_eq!(
        calendar.clock_start(at("2026-03-08 01:59")).unwrap(),
        at("2026-03-08 09:00")
    );
    let fold_window = vec![(time(1, 0, 0, 0), time(1, 30, 0, 0))];
    let calendar = BusinessCalendar::new(
        toronto(),
        std::array::from_fn(|_| fold_window.clone()),
        no_holidays(),
    )
    .unwrap();
    let autumn = calendar.business_intervals_on(date(2025, 11, 2)).unwrap();
    let ts = |s: &str| s.parse::<Timestamp>().unwrap();
    assert_eq!(
        autumn,
        vec![
            (
                ts("2025-11-02T01:00:00-04:00"),
                ts("2025-11-02T01:30:00-04:00")
            ),
            (
                ts("2025-11-02T01:00:00-05:00"),
                ts("2025-11-02T01:30:00-05:00")
            ),
        ]
    );
    // 45 business minutes from the first 01:00 end at the second 01:15.
    assert_eq!(
        calendar
            .add_business(ts("2025-11-02T01:00:00-04:00"), minutes(45))
            .unwrap(),
        ts("2025-11-02T01:15:00-05:00")
    );
}

#[test]
fn vigilance_counts_weekends_and_holidays_with_extended_windows() {
    let extended = [(time(8, 0, 0, 0), time(20, 0, 0, 0))];
    // The Easter weekend, Good Friday to Easter Monday included.
    let period =
        VigilancePeriod::new(at("2025-04-18 00:00"), at("2025-04-22 00:00"), &extended).unwrap();
    let calendar = mamh_calendar().with_vigilance(vec![period]);
    // Received Thursday 16:00: 30 min Thursday, then Good Friday from 8:00.
    assert_eq!(
        calendar
            .add_business(at("2025-04-17 16:00"), minutes(90))
            .unwrap(),
        at("2025-04-18 09:00")
    );
    // Saturday 19:30 + 1 h: 30 min Saturday, then Sunday 8:00 + 30 min.
    assert_eq!(
        calendar
            .add_business(at("2025-04-19 19:30"), hours(1))
            .unwrap(),
        at("2025-04-20 08:30")
    );
    // The lunch hour counts during vigilance (the extended window covers it).
    assert_eq!(
        calendar
            .add_business(at("2025-04-21 11:30"), hours(1))
            .unwrap(),
        at("2025-04-21 12:30")
    );
    // After the period, normal hours again: Easter Monday 19:30 + 1 h = Tuesday 9:00.
    assert_eq!(
        calendar
            .add_business(at("2025-04-21 19:30"), hours(1))
            .unwrap(),
        at("2025-04-22 09:00")
    );
    // The period boundary is an instant: a period ending Saturday 12:00 cuts that day.
    let period =
        VigilancePeriod::new(at("2025-05-02 00:00"), at("2025-05-03 12:00"), &extended).unwrap();
    let calendar = mamh_calendar().with_vigilance(vec![period]);
    assert_eq!(
        calendar
            .business_between(at("2025-05-03 00:00"), at("2025-05-04 00:00"))
            .unwrap(),
        hours(4)
    );
}

#[test]
fn invalid_windows_are_rejected_with_the_day_named() {
    let calendar = |monday: Vec<(Time, Time)>| {
        BusinessCalendar::new(
            toronto(),
            [
                monday,
                Vec::new(),
                Vec::new(),
                Vec::new(),
                Vec::new(),
                Vec::new(),
                Vec::new(),
            ],
            no_holidays(),
        )
    };
    let inverted = calendar(vec![(time(12, 0, 0, 0), time(8, 30, 0, 0))]).unwrap_err();
    assert!(
        matches!(&inverted, BusinessTimeError::InvertedOrEmptyWindow { context, .. } if context == "lundi"),
        "{inverted:?}"
    );
    let empty = calendar(vec![(time(9, 0, 0, 0), time(9, 0, 0, 0))]).unwrap_err();
    assert_eq!(empty.code(), "business_window_inverted_or_empty");
    let overlapping = calendar(vec![
        (time(13, 0, 0, 0), time(16, 30, 0, 0)),
        (time(8, 30, 0, 0), time(13, 30, 0, 0)),
    ])
    .unwrap_err();
    assert_eq!(overlapping.code(), "business_windows_overlap");
    assert!(overlapping.to_string().contains("lundi"), "{overlapping}");
    assert_eq!(
        calendar(Vec::new()).unwrap_err(),
        BusinessTimeError::NoBusinessHours
    );
    // Touching windows are accepted.
    assert!(
        calendar(vec![
            (time(8, 30, 0, 0), time(12, 0, 0, 0)),
            (time(12, 0, 0, 0), time(16, 30, 0, 0))
        ])
        .is_ok()
    );
    let period = VigilancePeriod::new(
        at("2025-05-03 00:00"),
        at("2025-05-02 00:00"),
        &[(time(8, 0, 0, 0), time(20, 0, 0, 0))],
    );
    assert_eq!(period.unwrap_err().code(), "vigilance_period_inverted");
}

#[test]
fn a_calendar_that_never_opens_reports_an_error_instead_of_looping() {
    struct EveryDay;
    impl HolidaySource for EveryDay {
        fn is_holiday(&self, _date: Date) -> bool {
            true
        }
    }
    let day = vec![(time(8, 30, 0, 0), time(16, 30, 0, 0))];
    let calendar = BusinessCalendar::new(
        toronto(),
        std::array::from_fn(|_| day.clone()),
        Arc::new(EveryDay),
    )
    .unwrap();
    let error = calendar
        .add_business(at("2025-05-05 10:00"), hours(1))
        .unwrap_err();
    assert_eq!(error.code(), "business_time_not_found");
    assert_eq!(
        calendar
            .clock_start(at("2025-05-05 10:00"))
            .unwrap_err()
            .code(),
        "business_time_not_found"
    );
}

fn mamh_plan(received: &str) -> (BusinessCalendar, StagePlan) {
    let calendar = mamh_calendar();
    let plan = calendar.plan_stages(at(received), &mamh_stages()).unwrap();
    (calendar, plan)
}

#[test]
fn a_stage_ending_early_hands_its_time_to_the_next_ones() {
    // Planned: triage Mon 9:30, sector Tue 15:00, review Tue 16:00.
    let (calendar, plan) = mamh_plan("2025-05-02 16:00");
    let replanned = plan
        .replan_after(&calendar, 0, at("2025-05-05 08:45"))
        .unwrap();
    assert_eq!(replanned.stages[0].ended, Some(at("2025-05-05 08:45")));
    assert_eq!(replanned.stages[0].due, at("2025-05-05 09:30"));
    assert_eq!(replanned.stages[1].starts, at("2025-05-05 08:45"));
    assert_eq!(replanned.stages[1].due, at("2025-05-06 15:00"));
    assert_eq!(replanned.stages[2].due, at("2025-05-06 16:00"));
    assert_eq!(replanned.first_response_due, plan.first_response_due);
    let lateness = replanned.lateness_per_stage(&calendar).unwrap();
    assert_eq!(lateness, vec![Some(SignedDuration::ZERO), None, None]);
}

#[test]
fn a_late_stage_is_charged_its_lateness_and_the_next_keep_their_budgets() {
    let (calendar, plan) = mamh_plan("2025-05-02 16:00");
    // The sector answers Wednesday 9:00: 2 h of business time late (Tue 15:00 → 16:30,
    // then Wed 8:30 → 9:00).
    let replanned = plan
        .replan_after(&calendar, 1, at("2025-05-07 09:00"))
        .unwrap();
    assert_eq!(replanned.stages[2].starts, at("2025-05-07 09:00"));
    assert_eq!(replanned.stages[2].due, at("2025-05-07 10:00"));
    assert_eq!(replanned.first_response_due, at("2025-05-07 10:00"));
    assert_eq!(replanned.committed_due, at("2025-05-06 16:00"));
    let lateness = replanned.lateness_per_stage(&calendar).unwrap();
    assert_eq!(lateness, vec![None, Some(hours(2)), None]);
    // Then review delivers at 9:40: on time against its own re-planned deadline, but 1 h 40
    // late against the commitment made to the citizen (Tue 16:00 → 16:30, Wed 8:30 → 9:40).
    let delivered = replanned
        .replan_after(&calendar, 2, at("2025-05-07 09:40"))
        .unwrap();
    assert_eq!(
        delivered.lateness_per_stage(&calendar).unwrap()[2],
        Some(SignedDuration::ZERO)
    );
    assert_eq!(
        calendar
            .lateness(delivered.committed_due, at("2025-05-07 09:40"))
            .unwrap(),
        minutes(100)
    );
    assert_eq!(
        plan.replan_after(&calendar, 3, at("2025-05-07 09:00"))
            .unwrap_err(),
        BusinessTimeError::StageIndexOutOfRange { index: 3, count: 3 }
    );
    assert_eq!(
        calendar
            .plan_stages(at("2025-05-07 09:00"), &[])
            .unwrap_err(),
        BusinessTimeError::NoStages
    );
}

#[test]
fn fifty_thousand_business_hours_are_walked_window_by_window() {
    let calendar = mamh_calendar();
    let start = at("2025-05-05 10:00");
    let due = calendar.add_business(start, hours(50_000)).unwrap();
    assert_eq!(
        calendar.business_between(start, due).unwrap(),
        hours(50_000)
    );
    assert_eq!(
        calendar.subtract_business(due, hours(50_000)).unwrap(),
        start
    );
    // 50 000 h is 7 142 business days and 6 h; about 27 years and a half later.
    assert_eq!(calendar.civil_date(due).year(), 2052);
}

// ---------------------------------------------------------------------------------------
// Properties.

/// Instants in 2000–2100, to the nanosecond.
fn instant_2000_2100() -> impl Strategy<Value = Timestamp> {
    let low = at("2000-01-01 00:00").as_second();
    let high = at("2100-12-31 00:00").as_second();
    (low..high, 0..1_000_000_000i32)
        .prop_map(|(second, nanosecond)| Timestamp::new(second, nanosecond).unwrap())
}

/// Amounts up to 300 business hours, to the nanosecond.
fn amount() -> impl Strategy<Value = SignedDuration> {
    (0..300 * 3_600i64, 0..1_000_000_000i32)
        .prop_map(|(second, nanosecond)| SignedDuration::new(second, nanosecond))
}

fn calendars() -> impl Strategy<Value = BusinessCalendar> {
    prop_oneof![
        Just(mamh_calendar()),
        Just(always_open_calendar()),
        Just(dst_straddling_calendar())
    ]
}

/// An instant counts as a valid deadline when it lies inside a window or at its end.
fn inside_or_at_window_end(calendar: &BusinessCalendar, instant: Timestamp) -> bool {
    let day = calendar.civil_date(instant);
    [day.yesterday().unwrap(), day].iter().any(|&day| {
        calendar
            .business_intervals_on(day)
            .unwrap()
            .iter()
            .any(|&(open, close)| open <= instant && instant <= close)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn adding_then_measuring_gives_back_the_amount(calendar in calendars(), start in instant_2000_2100(), amount in amount()) {
        let due = calendar.add_business(start, amount).unwrap();
        prop_assert_eq!(calendar.business_between(start, due).unwrap(), amount);
        prop_assert!(due >= start);
    }

    #[test]
    fn the_due_time_is_inside_a_window_or_at_its_end(calendar in calendars(), start in instant_2000_2100(), amount in amount()) {
        prop_assume!(!amount.is_zero());
        let due = calendar.add_business(start, amount).unwrap();
        prop_assert!(inside_or_at_window_end(&calendar, due), "due {} outside business hours", due);
        let clock_start = calendar.clock_start(start).unwrap();
        prop_assert!(clock_start >= start);
        prop_assert!(calendar.is_business_instant(clock_start).unwrap());
        prop_assert_eq!(calendar.business_between(start, clock_start).unwrap(), SignedDuration::ZERO);
    }

    #[test]
    fn adding_is_monotonic_in_the_amount(calendar in calendars(), start in instant_2000_2100(), first in amount(), second in amount()) {
        let (smaller, larger) = if first <= second { (first, second) } else { (second, first) };
        prop_assert!(calendar.add_business(start, smaller).unwrap() <= calendar.add_business(start, larger).unwrap());
    }

    #[test]
    fn subtracting_inverts_adding(calendar in calendars(), start in instant_2000_2100(), amount in amount()) {
        prop_assume!(!amount.is_zero());
        let due = calendar.add_business(start, amount).unwrap();
        // Going back lands on the clock start: the latest instant with that much business
        // time before the due time.
        prop_assert_eq!(calendar.subtract_business(due, amount).unwrap(), calendar.clock_start(start).unwrap());
        let warning = calendar.subtract_business(start, amount).unwrap();
        prop_assert_eq!(calendar.business_between(warning, start).unwrap(), amount);
        prop_assert!(calendar.is_business_instant(warning).unwrap());
    }

    #[test]
    fn measuring_is_additive(calendar in calendars(), a in instant_2000_2100(), offsets in (0..40 * 86_400i64, 0..40 * 86_400i64)) {
        let b = a.checked_add(SignedDuration::from_secs(offsets.0)).unwrap();
        let c = b.checked_sub(SignedDuration::from_secs(offsets.1)).unwrap();
        let ab = calendar.business_between(a, b).unwrap();
        let bc = calendar.business_between(b, c).unwrap();
        prop_assert_eq!(ab + bc, calendar.business_between(a, c).unwrap());
        prop_assert_eq!(calendar.business_between(b, a).unwrap(), -ab);
    }

    #[test]
    fn business_days_equal_seven_hour_multiples_with_mamh_hours(start in instant_2000_2100(), days in 1..30u32) {
        let calendar = mamh_calendar();
        prop_assert_eq!(
            calendar.add_business_days(start, days).unwrap(),
            calendar.add_business(start, hours(7 * i64::from(days))).unwrap()
        );
    }

    #[test]
    fn planning_never_fails_in_2000_2100(calendar in calendars(), received in instant_2000_2100(), ended_after in amount()) {
        let stages = vec![
            ("triage".to_owned(), Budget::Business(minutes(90))),
            ("sector".to_owned(), Budget::BusinessDays(2)),
            ("fallback".to_owned(), Budget::Clock(hours(24))),
        ];
        let plan = calendar.plan_stages(received, &stages).unwrap();
        prop_assert!(plan.stages.windows(2).all(|pair| pair[0].due <= pair[1].due && pair[1].starts == pair[0].due));
        let actual_end = plan.stages[0].starts.checked_add(ended_after).unwrap();
        let replanned = plan.replan_after(&calendar, 0, actual_end).unwrap();
        prop_assert!(replanned.first_response_due >= plan.first_response_due);
        prop_assert_eq!(replanned.committed_due, plan.committed_due);
        prop_assert!(replanned.stages.windows(2).all(|pair| pair[0].due <= pair[1].due));
    }
}

// ---------------------------------------------------------------------------------------
// A deliberately naive reference, independent of the window arithmetic: it walks minute by
// minute and asks the wall clock whether each minute is a business minute. Toronto offsets
// are whole hours, so a minute-aligned instant starts a whole civil minute.

/// Which calendar the reference mirrors: `(calendar, is_business_minute)`.
type Reference = (BusinessCalendar, fn(Timestamp) -> bool);

fn local(instant: Timestamp) -> jiff::civil::DateTime {
    toronto().to_datetime(instant)
}

fn in_any(time_of_day: Time, windows: &[(Time, Time)]) -> bool {
    windows
        .iter()
        .any(|&(open, close)| open <= time_of_day && time_of_day < close)
}

fn reference_mamh_minute(instant: Timestamp) -> bool {
    let civil = local(instant);
    let weekday = civil.date().weekday().to_monday_zero_offset();
    weekday < 5
        && !test_holidays().is_holiday(civil.date())
        && in_any(
            civil.time(),
            &[
                (time(8, 30, 0, 0), time(12, 0, 0, 0)),
                (time(13, 0, 0, 0), time(16, 30, 0, 0)),
            ],
        )
}

fn reference_dst_straddling_minute(instant: Timestamp) -> bool {
    let civil = local(instant);
    !test_holidays().is_holiday(civil.date())
        && in_any(
            civil.time(),
            &[
                (time(1, 0, 0, 0), time(3, 0, 0, 0)),
                (time(8, 30, 0, 0), time(12, 0, 0, 0)),
            ],
        )
}

fn holiday_vigilance_period() -> VigilancePeriod {
    VigilancePeriod::new(
        at("2025-12-20 10:00"),
        at("2026-01-03 15:00"),
        &[(time(7, 0, 0, 0), time(19, 0, 0, 0))],
    )
    .unwrap()
}

fn reference_mamh_with_vigilance_minute(instant: Timestamp) -> bool {
    let in_period = at("2025-12-20 10:00") <= instant && instant < at("2026-01-03 15:00");
    reference_mamh_minute(instant)
        || (in_period
            && in_any(
                local(instant).time(),
                &[(time(7, 0, 0, 0), time(19, 0, 0, 0))],
            ))
}

fn references() -> impl Strategy<Value = Reference> {
    prop_oneof![
        Just((
            mamh_calendar(),
            reference_mamh_minute as fn(Timestamp) -> bool
        )),
        Just((
            dst_straddling_calendar(),
            reference_dst_straddling_minute as fn(Timestamp) -> bool
        )),
        Just((
            mamh_calendar().with_vigilance(vec![holiday_vigilance_period()]),
            reference_mamh_with_vigilance_minute as fn(Timestamp) -> bool
        )),
    ]
}

/// Minute-aligned instants: a third in 2000–2100, a third in the autumn 2025 – spring 2026
/// season that holds both daylight-saving changes and the year-end holidays, a third around
/// the vigilance period.
fn minute_instant() -> impl Strategy<Value = Timestamp> {
    let wide = (at("2000-01-01 00:00").as_second() / 60)..(at("2100-12-31 00:00").as_second() / 60);
    let season =
        (at("2025-10-25 00:00").as_second() / 60)..(at("2026-03-15 00:00").as_second() / 60);
    let vigilance =
        (at("2025-12-19 00:00").as_second() / 60)..(at("2026-01-05 00:00").as_second() / 60);
    prop_oneof![wide, season, vigilance]
        .prop_map(|minute| Timestamp::from_second(minute * 60).unwrap())
}

const ONE_MINUTE: SignedDuration = SignedDuration::from_mins(1);

fn reference_add(
    is_business_minute: fn(Timestamp) -> bool,
    start: Timestamp,
    minutes: i64,
) -> Timestamp {
    let mut cursor = start;
    let mut remaining = minutes;
    while remaining > 0 {
        if is_business_minute(cursor) {
            remaining -= 1;
        }
        cursor = cursor.checked_add(ONE_MINUTE).unwrap();
    }
    cursor
}

fn reference_clock_start(
    is_business_minute: fn(Timestamp) -> bool,
    received: Timestamp,
) -> Timestamp {
    let mut cursor = received;
    while !is_business_minute(cursor) {
        cursor = cursor.checked_add(ONE_MINUTE).unwrap();
    }
    cursor
}

fn reference_between(
    is_business_minute: fn(Timestamp) -> bool,
    from: Timestamp,
    to: Timestamp,
) -> SignedDuration {
    let mut cursor = from;
    let mut count = 0;
    while cursor < to {
        if is_business_minute(cursor) {
            count += 1;
        }
        cursor = cursor.checked_add(ONE_MINUTE).unwrap();
    }
    minutes(count)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]

    #[test]
    fn agrees_with_a_minute_by_minute_reference(
        (calendar, is_business_minute) in references(),
        received in minute_instant(),
        amount_minutes in 1..=14 * 60i64,
        later_minutes in 0..6 * 24 * 60i64,
    ) {
        prop_assert_eq!(calendar.clock_start(received).unwrap(), reference_clock_start(is_business_minute, received));
        prop_assert_eq!(
            calendar.add_business(received, minutes(amount_minutes)).unwrap(),
            reference_add(is_business_minute, received, amount_minutes)
        );
        let later = received.checked_add(minutes(later_minutes)).unwrap();
        prop_assert_eq!(
            calendar.business_between(received, later).unwrap(),
            reference_between(is_business_minute, received, later)
        );
    }

    #[test]
    fn mamh_plans_agree_with_the_reference(received in minute_instant()) {
        let calendar = mamh_calendar();
        let plan = calendar.plan_stages(received, &mamh_stages()).unwrap();
        let triage = reference_add(reference_mamh_minute, received, 90);
        let sector = reference_add(reference_mamh_minute, triage, 690);
        let review = reference_add(reference_mamh_minute, sector, 60);
        let dues: Vec<Timestamp> = plan.stages.iter().map(|stage| stage.due).collect();
        prop_assert_eq!(dues, vec![triage, sector, review]);
    }
}
