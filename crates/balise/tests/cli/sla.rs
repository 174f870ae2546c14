//! `balise sla`: the JSON contract and hand-checked deadlines for the MAMH and MESS presets.

use crate::helpers::{balise, stderr, stdout};
use serde_json::Value;

fn sla(profile: &str, received: &str) -> Value {
    let output = balise(&["sla", "--profile", profile, "--received", received, "--json"], "");
    assert!(output.status.success(), "{}", stderr(&output));
    serde_json::from_str(&stdout(&output)).unwrap()
}

/// `check(profile, received, clock_start, [stage dues], first_response_due)`.
fn check(profile: &str, received: &str, clock_start: &str, dues: &[&str], first: &str) {
    let plan = sla(profile, received);
    assert_eq!(plan["clock_start"], clock_start, "clock start for {received}");
    let got: Vec<&str> = plan["stages"].as_array().unwrap().iter().map(|s| s["due"].as_str().unwrap()).collect();
    assert_eq!(got, dues, "stage dues for {received}");
    assert_eq!(plan["first_response_due"], first, "first response for {received}");
}

#[test]
fn mamh_thursday_before_easter_skips_good_friday_and_easter_monday() {
    // 30 min on Thursday, then Tuesday 8:30 + 1 h; 11 h 30 more ends Wednesday 15:00.
    check(
        "mamh",
        "2025-04-17T16:00:00-04:00",
        "2025-04-17T16:00:00-04:00",
        &["2025-04-22T09:30:00-04:00", "2025-04-23T15:00:00-04:00", "2025-04-23T16:00:00-04:00"],
        "2025-04-23T16:00:00-04:00",
    );
}

#[test]
fn mamh_saturday_starts_monday_and_takes_two_business_days() {
    check(
        "mamh",
        "2025-11-22T10:00:00-05:00",
        "2025-11-24T08:30:00-05:00",
        &["2025-11-24T10:00:00-05:00", "2025-11-25T15:30:00-05:00", "2025-11-25T16:30:00-05:00"],
        "2025-11-25T16:30:00-05:00",
    );
}

#[test]
fn mamh_lunch_hour_does_not_count() {
    // Received Tuesday 12:15: the clock starts at 13:00, triage ends 14:30. The sector's
    // 11 h 30 = 2 h on Tuesday + 7 h on Wednesday + 2 h 30 on Thursday (8:30-11:00); the
    // review's hour ends exactly at noon, a window end, so noon is the due time.
    check(
        "mamh",
        "2025-06-10T12:15:00-04:00",
        "2025-06-10T13:00:00-04:00",
        &["2025-06-10T14:30:00-04:00", "2025-06-12T11:00:00-04:00", "2025-06-12T12:00:00-04:00"],
        "2025-06-12T12:00:00-04:00",
    );
}

#[test]
fn mess_one_business_day_across_christmas() {
    // 1 h 30 on 23 December; 24, 25, 26 are holidays; 5 h 30 on Monday 29.
    check(
        "mess",
        "2025-12-23T15:00:00-05:00",
        "2025-12-23T15:00:00-05:00",
        &["2025-12-29T15:00:00-05:00"],
        "2025-12-29T15:00:00-05:00",
    );
}

#[test]
fn received_is_echoed_in_the_profile_time_zone() {
    let plan = sla("mamh", "2025-07-02T12:00:00Z");
    assert_eq!(plan["received"], "2025-07-02T08:00:00-04:00");
    assert_eq!(plan["clock_start"], "2025-07-02T08:30:00-04:00");
}

#[test]
fn a_bad_date_is_a_clear_error() {
    let output = balise(&["sla", "--profile", "mamh", "--received", "demain matin"], "");
    assert!(!output.status.success());
    assert!(stderr(&output).contains("RFC 3339"), "{}", stderr(&output));
}
