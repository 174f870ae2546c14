//! Sectoral respondents, their substitutes and absences: who answers for an
//! administrative unit at a given instant, vigilance periods as recorded by an
//! organisation, and the CSV form of the respondent list published to staff.
//!
//! The rule of R-40: at most one respondent per unit, and one substitute who takes over
//! while the respondent is absent and hands back when the absence ends.

use std::fmt;

use jiff::Timestamp;

use crate::entities::{OrganisationId, UserId};
use crate::profile::Profile;

/// Why a respondent-related value is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RespondentError {
    #[error("identifiant d'unité invalide « {0} » : lettres minuscules, chiffres, « - », « _ » ou « . », 1 à 64 caractères")]
    InvalidUnitId(String),
    #[error("le secteur « {sector} » n'existe pas dans le profil « {profile} »")]
    UnknownSector { sector: String, profile: String },
    #[error("période invalide : la fin ({end}) doit suivre le début ({start})")]
    EmptyPeriod { start: Timestamp, end: Timestamp },
    #[error("le substitut doit être une autre personne que le répondant")]
    SubstituteIsRespondent,
    #[error("le motif ne peut pas être vide")]
    EmptyReason,
}

impl RespondentError {
    /// A stable snake_case code for the user-facing layers.
    pub fn code(&self) -> &'static str {
        match self {
            RespondentError::InvalidUnitId(_) => "invalid_unit_id",
            RespondentError::UnknownSector { .. } => "unknown_sector",
            RespondentError::EmptyPeriod { .. } => "empty_period",
            RespondentError::SubstituteIsRespondent => "substitute_is_respondent",
            RespondentError::EmptyReason => "empty_reason",
        }
    }
}

/// An administrative unit's id, as the organisation names it (`urbanisme`, `dgfm.taxation`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnitId(String);

impl UnitId {
    /// Parses a unit id: 1 to 64 lowercase ASCII letters, digits, `-`, `_` or `.`.
    pub fn parse(text: &str) -> Result<UnitId, RespondentError> {
        let valid = !text.is_empty()
            && text.len() <= 64
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'));
        if valid { Ok(UnitId(text.to_owned())) } else { Err(RespondentError::InvalidUnitId(text.to_owned())) }
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnitId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// A sector id known to the organisation's profile.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SectorId(String);

impl SectorId {
    /// Accepts `id` only if the profile defines a sector with it.
    pub fn in_profile(profile: &Profile, id: &str) -> Result<SectorId, RespondentError> {
        if profile.sectors().iter().any(|sector| sector.id == id) {
            Ok(SectorId(id.to_owned()))
        } else {
            Err(RespondentError::UnknownSector { sector: id.to_owned(), profile: profile.id().to_owned() })
        }
    }

    /// Reads back an id the store holds (it was checked against the profile when written).
    pub fn from_stored(id: &str) -> Result<SectorId, RespondentError> {
        UnitId::parse(id).map(|unit| SectorId(unit.0))
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SectorId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// A half-open period `[start, end)`, never empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    start: Timestamp,
    end: Timestamp,
}

impl Period {
    /// A period; refused when `end` is not after `start`.
    pub fn new(start: Timestamp, end: Timestamp) -> Result<Period, RespondentError> {
        if end > start { Ok(Period { start, end }) } else { Err(RespondentError::EmptyPeriod { start, end }) }
    }

    /// First instant inside.
    pub fn start(&self) -> Timestamp {
        self.start
    }

    /// First instant after.
    pub fn end(&self) -> Timestamp {
        self.end
    }

    /// Whether `at` lies inside.
    pub fn contains(&self, at: Timestamp) -> bool {
        self.start <= at && at < self.end
    }
}

/// The respondent and substitute designated for a unit by its sector manager.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Designation {
    pub organisation_id: OrganisationId,
    pub unit: UnitId,
    pub sector: SectorId,
    pub respondent: UserId,
    pub substitute: Option<UserId>,
}

/// A recorded absence of a person (planned or not).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Absence {
    /// Store id.
    pub id: i64,
    pub organisation_id: OrganisationId,
    /// Who is absent.
    pub user: UserId,
    pub period: Period,
    pub reason: String,
}

/// Whether `user` is absent at `at` according to `absences`.
pub fn is_absent(user: UserId, absences: &[Absence], at: Timestamp) -> bool {
    absences.iter().any(|absence| absence.user == user && absence.period.contains(at))
}

/// Who answers for the unit at `at`: the respondent; while the respondent is absent, the
/// substitute (if there is one and they are not absent too); `None` when nobody is available.
/// Because it is a function of `at`, the case goes back to the respondent as soon as the
/// absence ends.
pub fn responsible_at(designation: &Designation, absences: &[Absence], at: Timestamp) -> Option<UserId> {
    if !is_absent(designation.respondent, absences, at) {
        return Some(designation.respondent);
    }
    designation.substitute.filter(|substitute| !is_absent(*substitute, absences, at))
}

/// A vigilance period (crisis, campaign, event) as an organisation records it: started by
/// someone for a reason, running until stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VigilanceRecord {
    /// Store id.
    pub id: i64,
    pub organisation_id: OrganisationId,
    pub start: Timestamp,
    /// `None` while it runs.
    pub end: Option<Timestamp>,
    pub reason: String,
    /// Who started it (audit actor text, `user:login` or `system:component`).
    pub started_by: String,
}

impl VigilanceRecord {
    /// Whether the period covers `at`.
    pub fn covers(&self, at: Timestamp) -> bool {
        self.start <= at && self.end.is_none_or(|end| at < end)
    }
}

/// A vigilance reason: the words are kept as given, but it must say something.
pub fn check_reason(reason: &str) -> Result<&str, RespondentError> {
    if reason.trim().is_empty() { Err(RespondentError::EmptyReason) } else { Ok(reason) }
}

/// One CSV field for a spreadsheet: a value starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return is prefixed with `'` so no spreadsheet runs it as a formula; the field is
/// quoted when it holds a comma, quote or line break, quotes doubled (RFC 4180).
pub fn csv_field(value: &str) -> String {
    let neutralised = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if neutralised.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", neutralised.replace('"', "\"\""))
    } else {
        neutralised
    }
}

/// One CSV line (with its CRLF ending, as RFC 4180 says).
pub fn csv_line<S: AsRef<str>>(fields: &[S]) -> String {
    let mut line = fields.iter().map(|field| csv_field(field.as_ref())).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn designation(substitute: Option<i64>) -> Designation {
        Designation {
            organisation_id: OrganisationId::parse("mamh").unwrap(),
            unit: UnitId::parse("urbanisme").unwrap(),
            sector: SectorId::from_stored("amenagement").unwrap(),
            respondent: UserId::new(1),
            substitute: substitute.map(UserId::new),
        }
    }

    fn absence(user: i64, start: &str, end: &str) -> Absence {
        Absence {
            id: 1,
            organisation_id: OrganisationId::parse("mamh").unwrap(),
            user: UserId::new(user),
            period: Period::new(at(start), at(end)).unwrap(),
            reason: "vacances".into(),
        }
    }

    #[test]
    fn the_substitute_answers_during_the_absence_and_hands_back_after() {
        let designation = designation(Some(2));
        let absences = [absence(1, "2026-07-06T12:00:00Z", "2026-07-10T12:00:00Z")];
        assert_eq!(responsible_at(&designation, &absences, at("2026-07-06T11:59:59Z")), Some(UserId::new(1)));
        assert_eq!(responsible_at(&designation, &absences, at("2026-07-06T12:00:00Z")), Some(UserId::new(2)));
        assert_eq!(responsible_at(&designation, &absences, at("2026-07-10T11:59:59Z")), Some(UserId::new(2)));
        assert_eq!(responsible_at(&designation, &absences, at("2026-07-10T12:00:00Z")), Some(UserId::new(1)));
    }

    #[test]
    fn nobody_answers_when_both_are_absent_or_there_is_no_substitute() {
        let absences = [
            absence(1, "2026-07-06T12:00:00Z", "2026-07-10T12:00:00Z"),
            absence(2, "2026-07-08T00:00:00Z", "2026-07-09T00:00:00Z"),
        ];
        assert_eq!(responsible_at(&designation(Some(2)), &absences, at("2026-07-08T10:00:00Z")), None);
        assert_eq!(responsible_at(&designation(Some(2)), &absences, at("2026-07-09T10:00:00Z")), Some(UserId::new(2)));
        assert_eq!(responsible_at(&designation(None), &absences, at("2026-07-07T10:00:00Z")), None);
        // Someone else's absence changes nothing.
        let other = [absence(9, "2026-07-06T12:00:00Z", "2026-07-10T12:00:00Z")];
        assert_eq!(responsible_at(&designation(Some(2)), &other, at("2026-07-07T10:00:00Z")), Some(UserId::new(1)));
    }

    #[test]
    fn periods_and_ids_are_checked() {
        assert!(Period::new(at("2026-07-06T12:00:00Z"), at("2026-07-06T12:00:00Z")).is_err());
        assert!(UnitId::parse("Urbanisme").is_err());
        assert!(UnitId::parse("").is_err());
        assert!(UnitId::parse("dgfm.taxation-2").is_ok());
        let profile = Profile::preset("mamh").unwrap();
        let first = profile.sectors()[0].id.clone();
        assert_eq!(SectorId::in_profile(&profile, &first).unwrap().as_str(), first);
        assert!(matches!(SectorId::in_profile(&profile, "inexistant"), Err(RespondentError::UnknownSector { .. })));
        assert!(check_reason("  ").is_err());
    }

    #[test]
    fn vigilance_covers_until_stopped() {
        let mut record = VigilanceRecord {
            id: 1,
            organisation_id: OrganisationId::parse("mamh").unwrap(),
            start: at("2026-07-06T12:00:00Z"),
            end: None,
            reason: "inondations".into(),
            started_by: "user:dcom".into(),
        };
        assert!(record.covers(at("2030-01-01T00:00:00Z")));
        assert!(!record.covers(at("2026-07-06T11:00:00Z")));
        record.end = Some(at("2026-07-07T12:00:00Z"));
        assert!(!record.covers(at("2026-07-07T12:00:00Z")));
    }

    #[test]
    fn csv_fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(csv_field("Tremblay, Marie"), "\"Tremblay, Marie\"");
        assert_eq!(csv_field("dit \"Mimi\""), "\"dit \"\"Mimi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("+1"), "'+1");
        assert_eq!(csv_field("-2"), "'-2");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("ligne\nsuivante"), "\"ligne\nsuivante\"");
        assert_eq!(csv_field("Urbanisme"), "Urbanisme");
        assert_eq!(csv_line(&["a", "b,c"]), "a,\"b,c\"\r\n");
    }
}
