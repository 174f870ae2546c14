//! Conversions shared by both backends: times to and from their stored form, and the JSON
//! snapshots of records written as an audit entry's before and after.

use jiff::Timestamp;
use serde_json::json;

use domain::entities::{Account, Assignment, Case, Organisation, Post, User};

use crate::error::StoreError;

/// Stored form of a time: microseconds since the Unix epoch, UTC (both backends).
pub(crate) fn to_microseconds(timestamp: Timestamp) -> i64 {
    timestamp.as_microsecond()
}

/// Reads a stored time back.
pub(crate) fn from_microseconds(
    table: &'static str,
    column: &'static str,
    microseconds: i64,
) -> Result<Timestamp, StoreError> {
    Timestamp::from_microsecond(microseconds).map_err(|error| StoreError::CorruptRow {
        table,
        column,
        reason: error.to_string(),
    })
}

/// The current time, truncated to what the store keeps, so a record read back equals the
/// one returned when it was written.
pub(crate) fn now_truncated() -> Timestamp {
    let now = Timestamp::now();
    // A microsecond count of "now" always converts back: it came from a valid timestamp.
    Timestamp::from_microsecond(now.as_microsecond()).unwrap_or(now)
}

fn time_text(timestamp: Timestamp) -> String {
    timestamp.to_string()
}

pub(crate) fn organisation_json(organisation: &Organisation) -> String {
    json!({
        "id": organisation.id.as_str(),
        "name": organisation.name,
        "profile_id": organisation.profile_id.as_str(),
    })
    .to_string()
}

pub(crate) fn account_json(account: &Account) -> String {
    json!({
        "id": account.id.get(),
        "organisation_id": account.organisation_id.as_str(),
        "network": account.network.as_str(),
        "handle": account.handle.as_str(),
    })
    .to_string()
}

pub(crate) fn case_json(case: &Case) -> String {
    json!({
        "id": case.id.get(),
        "organisation_id": case.organisation_id.as_str(),
        "message_id": case.message_id.get(),
        "route": case.route.as_ref().map(|route| route.as_str()),
        "status": case.status.code(),
        "assignee_user_id": case.assignee.map(|user| user.get()),
        "opened_at": time_text(case.opened_at),
        "updated_at": time_text(case.updated_at),
    })
    .to_string()
}

pub(crate) fn assignment_json(assignment: &Assignment) -> String {
    json!({
        "id": assignment.id.get(),
        "case_id": assignment.case_id.get(),
        "user_id": assignment.user_id.get(),
        "assigned_at": time_text(assignment.assigned_at),
    })
    .to_string()
}

/// A user's snapshot leaves the password hash out: the audit log is shown to auditors.
pub(crate) fn user_json(user: &User) -> String {
    json!({
        "id": user.id.get(),
        "organisation_id": user.organisation_id.as_str(),
        "login": user.login.as_str(),
        "display_name": user.display_name,
        "role": user.role.as_str(),
    })
    .to_string()
}

pub(crate) fn post_json(post: &Post) -> String {
    json!({
        "id": post.id.get(),
        "organisation_id": post.organisation_id.as_str(),
        "account_id": post.account_id.map(|account| account.get()),
        "text": post.text,
        "status": post.status.code(),
        "created_at": time_text(post.created_at),
    })
    .to_string()
}
