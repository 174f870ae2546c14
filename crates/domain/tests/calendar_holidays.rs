//! The Quebec public-service holiday calendar, checked by hand against known years, and its
//! invariants checked over many years.
#![allow(clippy::unwrap_used)]

use domain::business_time::HolidaySource;
use domain::calendar::{
    HolidayCalendar, ObservedHoliday, TimeWindow, WeeklyHours, easter_sunday, parse_clock,
};
use jiff::civil::{Date, Weekday, date, time};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn dates(year: i16) -> Vec<Date> {
    HolidayCalendar::quebec_public_service()
        .observed(year)
        .into_iter()
        .map(|holiday| holiday.date)
        .collect()
}

fn december_and_january(year: i16) -> (Vec<Date>, Vec<Date>) {
    let december = dates(year)
        .into_iter()
        .filter(|d| d.month() == 12)
        .collect();
    let january = dates(year + 1)
        .into_iter()
        .filter(|d| d.month() == 1)
        .collect();
    (december, january)
}

#[test]
fn winter_2011_2012_matches_what_the_public_service_observed() {
    let (december, january) = december_and_january(2011);
    assert_eq!(
        december,
        vec![
            date(2011, 12, 23),
            date(2011, 12, 26),
            date(2011, 12, 27),
            date(2011, 12, 30)
        ]
    );
    assert_eq!(january, vec![date(2012, 1, 2), date(2012, 1, 3)]);
}

#[test]
fn christmas_and_new_year_2020_to_2030() {
    // (year, December observed, January of year + 1 observed), worked out by hand from the
    // weekday of each date and the move rules.
    let expected: [(i16, [i8; 4], [i8; 2]); 11] = [
        (2020, [24, 25, 28, 31], [1, 4]), // 26 Sat -> Mon 28; 2021-01-02 Sat -> Mon 4
        (2021, [24, 27, 28, 31], [3, 4]), // 25 Sat, 26 Sun -> 27, 28; 2022-01-01 Sat, 2 Sun
        (2022, [23, 26, 27, 30], [2, 3]), // 24 Sat -> 23; 25 Sun -> 27; 31 Sat -> 30; 2023-01-01 Sun
        (2023, [22, 25, 26, 29], [1, 2]), // 24 Sun -> Fri 22; 31 Sun -> Fri 29
        (2024, [24, 25, 26, 31], [1, 2]),
        (2025, [24, 25, 26, 31], [1, 2]),
        (2026, [24, 25, 28, 31], [1, 4]), // 26 Sat -> 28; 2027-01-02 Sat -> Mon 4
        (2027, [24, 27, 28, 31], [3, 4]),
        (2028, [22, 25, 26, 29], [1, 2]), // 24 Sun -> 22; 31 Sun -> 29
        (2029, [24, 25, 26, 31], [1, 2]),
        (2030, [24, 25, 26, 31], [1, 2]),
    ];
    for (year, december_days, january_days) in expected {
        let (december, january) = december_and_january(year);
        let want_december: Vec<Date> = december_days.iter().map(|d| date(year, 12, *d)).collect();
        let want_january: Vec<Date> = january_days.iter().map(|d| date(year + 1, 1, *d)).collect();
        assert_eq!(december, want_december, "December {year}");
        assert_eq!(january, want_january, "January {}", year + 1);
    }
}

#[test]
fn easter_dates() {
    let known = [
        (2011, date(2011, 4, 24)),
        (2019, date(2019, 4, 21)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2038, date(2038, 4, 25)),
        (2285, date(2285, 3, 22)),
    ];
    for (year, sunday) in known {
        assert_eq!(easter_sunday(year), Some(sunday), "{year}");
    }
    let spring = |year: i16| -> Vec<Date> {
        dates(year)
            .into_iter()
            .filter(|d| (3..=4).contains(&d.month()))
            .collect()
    };
    assert_eq!(spring(2024), vec![date(2024, 3, 29), date(2024, 4, 1)]);
    assert_eq!(spring(2025), vec![date(2025, 4, 18), date(2025, 4, 21)]);
}

#[test]
fn monday_before_25_may_and_autumn_mondays() {
    let find = |year: i16, name: &str| {
        HolidayCalendar::quebec_public_service()
            .observed(year)
            .into_iter()
            .find(|holiday| holiday.name == name)
            .unwrap()
            .date
    };
    // 25 May 2026 is a Monday: the holiday is the Monday before, 18 May.
    assert_eq!(
        find(2026, "Journée nationale des patriotes"),
        date(2026, 5, 18)
    );
    assert_eq!(
        find(2025, "Journée nationale des patriotes"),
        date(2025, 5, 19)
    );
    assert_eq!(
        find(2024, "Journée nationale des patriotes"),
        date(2024, 5, 20)
    );
    assert_eq!(find(2024, "Fête du Travail"), date(2024, 9, 2));
    assert_eq!(find(2024, "Action de grâce"), date(2024, 10, 14));
    assert_eq!(find(2025, "Action de grâce"), date(2025, 10, 13));
    // 24 June 2023 was a Saturday, 1 July 2023 a Saturday: both move to Monday.
    assert_eq!(find(2023, "Fête nationale du Québec"), date(2023, 6, 26));
    assert_eq!(find(2023, "Fête du Canada"), date(2023, 7, 3));
}

#[test]
fn holiday_source_answers_for_observed_days_only() {
    let calendar = HolidayCalendar::quebec_public_service();
    let source: &dyn HolidaySource = &calendar;
    assert!(source.is_holiday(date(2011, 12, 23)));
    assert!(source.is_holiday(date(2012, 1, 3)));
    assert!(
        !source.is_holiday(date(2011, 12, 24)),
        "the nominal Saturday is not the observed day"
    );
    assert!(!source.is_holiday(date(2011, 12, 28)));
}

#[test]
fn an_override_replaces_the_computed_year() {
    let mut overrides = BTreeMap::new();
    overrides.insert(
        2030,
        vec![ObservedHoliday {
            date: date(2030, 3, 4),
            name: "Congé spécial".to_owned(),
        }],
    );
    let base = HolidayCalendar::quebec_public_service();
    let calendar = HolidayCalendar::new(base.rules().to_vec(), overrides);
    assert_eq!(calendar.observed(2030).len(), 1);
    assert!(calendar.is_holiday(date(2030, 3, 4)));
    assert!(!calendar.is_holiday(date(2030, 12, 25)));
    assert!(
        calendar.is_holiday(date(2029, 12, 25)),
        "other years keep the rules"
    );
}

#[test]
fn clock_times_accept_both_forms_and_refuse_impossible_ones() {
    assert_eq!(parse_clock("08:30"), Some(time(8, 30, 0, 0)));
    assert_eq!(parse_clock("8:30"), Some(time(8, 30, 0, 0)));
    assert_eq!(parse_clock("8h30"), Some(time(8, 30, 0, 0)));
    assert_eq!(parse_clock("8 h 30"), Some(time(8, 30, 0, 0)));
    assert_eq!(parse_clock("16h"), Some(time(16, 0, 0, 0)));
    assert_eq!(parse_clock("24:00"), Some(jiff::civil::Time::MAX));
    for bad in [
        "25:00", "12:60", "noon", "8", "8:3", "", "24:01", "-1:00", "16",
    ] {
        assert_eq!(parse_clock(bad), None, "{bad:?}");
    }
}

#[test]
fn weekly_hours_refuse_overlaps_and_count_a_seven_hour_day() {
    let hours = WeeklyHours::quebec_public_service();
    assert_eq!(
        hours.open_time(Weekday::Monday),
        jiff::SignedDuration::from_hours(7)
    );
    assert_eq!(
        hours.business_day_length(),
        jiff::SignedDuration::from_hours(7)
    );
    assert!(!hours.is_open_day(Weekday::Saturday));
    let morning = TimeWindow::new(time(8, 30, 0, 0), time(12, 0, 0, 0)).unwrap();
    let overlapping = TimeWindow::new(time(11, 0, 0, 0), time(13, 0, 0, 0)).unwrap();
    let mut days: [Vec<TimeWindow>; 7] = Default::default();
    days[0] = vec![overlapping, morning];
    assert!(WeeklyHours::new(days).is_err());
    assert!(TimeWindow::new(time(12, 0, 0, 0), time(12, 0, 0, 0)).is_err());
}

/// Built once: each calendar precomputes its cached years.
static PUBLIC_SERVICE: std::sync::LazyLock<HolidayCalendar> =
    std::sync::LazyLock::new(HolidayCalendar::quebec_public_service);

proptest! {
    #[test]
    fn every_year_has_thirteen_distinct_weekday_holidays(year in 1900i16..2400) {
        let observed = PUBLIC_SERVICE.observed(year);
        prop_assert_eq!(observed.len(), 13);
        let mut seen = std::collections::BTreeSet::new();
        for holiday in &observed {
            prop_assert!(!matches!(holiday.date.weekday(), Weekday::Saturday | Weekday::Sunday));
            prop_assert_eq!(holiday.date.year(), year);
            prop_assert!(seen.insert(holiday.date));
        }
    }

    #[test]
    fn is_holiday_agrees_with_observed(year in 1950i16..2150, ordinal in 1i16..=365) {
        let calendar = &*PUBLIC_SERVICE;
        let day = date(year, 1, 1).checked_add(jiff::Span::new().days(i64::from(ordinal - 1))).unwrap();
        let listed = calendar.observed(day.year()).iter().any(|holiday| holiday.date == day);
        prop_assert_eq!(calendar.is_holiday(day), listed);
    }
}
