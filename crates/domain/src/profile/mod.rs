//! The policy profile: one organisation's rules as a TOML file the product loads —
//! identity and accounts, office hours and holidays, response commitments, netiquette,
//! moderation settings, redirection contacts, units, roles and permissions, reply templates,
//! and, for employer policies, staff obligations and blog rules. This module owns the format
//! (documented in `docs/profile-format.md`), its parser that reports every problem with its
//! file, line, column and key path, and the five presets shipped in `profiles/`.

mod error;
mod model;
mod parse;
mod reader;
mod types;

use std::collections::BTreeMap;

use jiff::SignedDuration;
use serde::Serialize;

pub use error::{ProblemCode, ProfileErrors, ProfileLoadError, ProfileProblem};
pub use model::*;
pub use parse::{DEFAULT_TIME_ZONE, IDENTITY_PLACEHOLDERS, RUNTIME_PLACEHOLDERS};
pub use types::{
    ContactKind, ContentType, Email, Network, StepKind, OrganisationKind, Permission, PhoneNumber, Role, RouteId,
    SourceRef, UsualProcessKind, WebAddress, format_budget, format_duration, parse_budget,
    parse_duration,
};

use crate::business_time::Budget;
use crate::calendar::{HolidayCalendar, WeeklyHours};

/// The presets shipped with Balise, by id, embedded at build time from `profiles/`.
const PRESETS: [(&str, &str); 5] = [
    ("mtrav", include_str!("../../../../profiles/mtrav.toml")),
    ("mess", include_str!("../../../../profiles/mess.toml")),
    ("mamh", include_str!("../../../../profiles/mamh.toml")),
    (
        "baie-comeau",
        include_str!("../../../../profiles/baie-comeau.toml"),
    ),
    ("opeq", include_str!("../../../../profiles/opeq.toml")),
];

/// One organisation's policy profile. Only `Profile::parse` builds one, so every profile in
/// hand has passed every check of the format.
#[derive(Clone, Debug, Serialize)]
pub struct Profile {
    identity: Identity,
    source: SourceDocument,
    accounts: Vec<Account>,
    #[serde(rename = "time_zone")]
    time_zone_name: String,
    #[serde(skip)]
    time_zone: jiff::tz::TimeZone,
    business_hours: WeeklyHours,
    holidays: HolidayCalendar,
    commitments: Vec<Commitment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vigilance: Option<Vigilance>,
    netiquette: Netiquette,
    moderation: ModerationSettings,
    contacts: Vec<Contact>,
    sectors: Vec<Sector>,
    regional_directorates: Vec<RegionalDirectorate>,
    external_organisations: Vec<ExternalOrganisation>,
    roles: Vec<RoleGrant>,
    templates: Vec<ReplyTemplate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    staff: Option<StaffObligations>,
    #[serde(skip_serializing_if = "Option::is_none")]
    blog: Option<BlogRules>,
    #[serde(skip_serializing_if = "Option::is_none")]
    editorial: Option<EditorialRules>,
}

impl Profile {
    /// Parses a profile from TOML text. `source_name` (a file path, or `preset:mamh`) is
    /// only used to locate problems. Every problem is reported, not just the first.
    pub fn parse(source_name: &str, text: &str) -> Result<Profile, ProfileErrors> {
        parse::parse(source_name, text)
    }

    /// The ids of the shipped presets.
    pub fn preset_ids() -> Vec<&'static str> {
        PRESETS.iter().map(|(id, _)| *id).collect()
    }

    /// The TOML text of a shipped preset.
    pub fn preset_text(id: &str) -> Option<&'static str> {
        PRESETS
            .iter()
            .find(|(preset, _)| *preset == id)
            .map(|(_, text)| *text)
    }

    /// A shipped preset, parsed. The presets are checked by the test suite, so `None` means
    /// only "no such id".
    pub fn preset(id: &str) -> Option<Profile> {
        let text = Self::preset_text(id)?;
        Self::parse(&format!("profiles/{id}.toml"), text).ok()
    }

    /// A preset id, else a file path read from disk. This is the one place the domain reads
    /// a file, so that every front end resolves profiles the same way.
    pub fn resolve(id_or_path: &str) -> Result<Profile, ProfileLoadError> {
        if let Some(text) = Self::preset_text(id_or_path) {
            return Ok(Self::parse(&format!("profiles/{id_or_path}.toml"), text)?);
        }
        match std::fs::read_to_string(id_or_path) {
            Ok(text) => Ok(Self::parse(id_or_path, &text)?),
            Err(source) => Err(ProfileLoadError::NotFound {
                id_or_path: id_or_path.to_owned(),
                presets: Self::preset_ids().join(", "),
                source,
            }),
        }
    }

    pub fn id(&self) -> &str {
        &self.identity.id
    }

    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    pub fn source(&self) -> &SourceDocument {
        &self.source
    }

    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    /// The IANA name of the organisation's time zone.
    pub fn time_zone_name(&self) -> &str {
        &self.time_zone_name
    }

    pub fn time_zone(&self) -> &jiff::tz::TimeZone {
        &self.time_zone
    }

    pub fn business_hours(&self) -> &WeeklyHours {
        &self.business_hours
    }

    /// The length of one business day (7 h for the public service's windows).
    pub fn business_day_length(&self) -> SignedDuration {
        self.business_hours.business_day_length()
    }

    pub fn holidays(&self) -> &HolidayCalendar {
        &self.holidays
    }

    pub fn commitments(&self) -> &[Commitment] {
        &self.commitments
    }

    /// A commitment by id (e.g. `first_return`).
    pub fn commitment(&self, id: &str) -> Option<&Commitment> {
        self.commitments
            .iter()
            .find(|commitment| commitment.id == id)
    }

    /// A budget expressed in business time, with business days at this profile's day
    /// length; `None` for clock time.
    pub fn business_time_of(&self, budget: &Budget) -> Option<SignedDuration> {
        match budget {
            Budget::Business(duration) => Some(*duration),
            Budget::BusinessDays(days) => {
                Some(self.business_day_length() * i32::try_from(*days).unwrap_or(i32::MAX))
            }
            Budget::Clock(_) => None,
        }
    }

    pub fn vigilance(&self) -> Option<&Vigilance> {
        self.vigilance.as_ref()
    }

    /// The vigilance windows as a week (for deadlines in crisis mode), if the profile has
    /// vigilance.
    pub fn vigilance_hours(&self) -> Option<WeeklyHours> {
        let vigilance = self.vigilance.as_ref()?;
        let mut days: [Vec<crate::calendar::TimeWindow>; 7] = Default::default();
        for day in &vigilance.days {
            days[day.0.to_monday_zero_offset() as usize] = vigilance.windows.clone();
        }
        // The windows were checked for overlaps when parsed; the same list on each day
        // cannot overlap either.
        WeeklyHours::new(days).ok()
    }

    pub fn netiquette(&self) -> &Netiquette {
        &self.netiquette
    }

    /// A netiquette clause by id.
    pub fn clause(&self, id: &str) -> Option<&Clause> {
        self.netiquette
            .clauses
            .iter()
            .find(|clause| clause.id == id)
    }

    pub fn moderation_settings(&self) -> &ModerationSettings {
        &self.moderation
    }

    pub fn contacts(&self) -> &[Contact] {
        &self.contacts
    }

    /// The first contact of a kind.
    pub fn contact(&self, kind: ContactKind) -> Option<&Contact> {
        self.contacts.iter().find(|contact| contact.kind == kind)
    }

    pub fn sectors(&self) -> &[Sector] {
        &self.sectors
    }

    pub fn regional_directorates(&self) -> &[RegionalDirectorate] {
        &self.regional_directorates
    }

    pub fn external_organisations(&self) -> &[ExternalOrganisation] {
        &self.external_organisations
    }

    pub fn roles(&self) -> &[RoleGrant] {
        &self.roles
    }

    /// Whether `role` may do `permission` under this profile.
    pub fn may(&self, role: Role, permission: Permission) -> bool {
        self.roles
            .iter()
            .any(|grant| grant.role == role && grant.permissions.contains(&permission))
    }

    pub fn templates(&self) -> &[ReplyTemplate] {
        &self.templates
    }

    /// The template for a route (and kind, for `usual_process`); falls back to the
    /// route's template without kind.
    pub fn template(
        &self,
        route: RouteId,
        kind: Option<UsualProcessKind>,
    ) -> Option<&ReplyTemplate> {
        self.templates
            .iter()
            .find(|template| template.route == route && template.kind == kind)
            .or_else(|| {
                self.templates
                    .iter()
                    .find(|template| template.route == route && template.kind.is_none())
            })
    }

    /// The template's text with the profile's own placeholders filled (contacts and
    /// identity) and the runtime ones filled from `values` when given; a runtime placeholder
    /// without a value is left as written.
    pub fn fill_template(&self, template: &ReplyTemplate, values: &BTreeMap<&str, &str>) -> String {
        let mut out = String::with_capacity(template.text.len());
        let mut last = 0;
        for (start, name) in parse::placeholders(&template.text) {
            out.push_str(&template.text[last..start]);
            let end = start + name.len() + 2;
            match self
                .placeholder_value(name)
                .or_else(|| values.get(name).map(|v| (*v).to_owned()))
            {
                Some(value) => out.push_str(&value),
                None => out.push_str(&template.text[start..end]),
            }
            last = end;
        }
        out.push_str(&template.text[last..]);
        out
    }

    fn placeholder_value(&self, name: &str) -> Option<String> {
        match name {
            "organisation.name" => return Some(self.identity.name.clone()),
            "organisation.abbreviation" => return Some(self.identity.abbreviation.clone()),
            "organisation.website" => {
                return self
                    .identity
                    .website
                    .as_ref()
                    .map(|w| w.as_str().to_owned());
            }
            _ => {}
        }
        let (id, field) = name.split_once('.')?;
        let contact = self.contacts.iter().find(|contact| contact.id == id)?;
        parse::contact_field(contact, field).map(str::to_owned)
    }

    pub fn staff(&self) -> Option<&StaffObligations> {
        self.staff.as_ref()
    }

    pub fn blog(&self) -> Option<&BlogRules> {
        self.blog.as_ref()
    }

    /// The editorial calendar's rules (approval chains, UTM, tone), when the profile has them.
    pub fn editorial(&self) -> Option<&EditorialRules> {
        self.editorial.as_ref()
    }

    /// Every public phone number the profile names (the organisation's, its contacts',
    /// directorates' and partner organisations'), digits only, sorted, without duplicates.
    /// These are never personal information.
    pub fn public_phone_digits(&self) -> Vec<String> {
        let mut digits: Vec<String> = self
            .identity
            .public_phone_numbers
            .iter()
            .chain(self.contacts.iter().filter_map(|c| c.phone.as_ref()))
            .chain(
                self.regional_directorates
                    .iter()
                    .filter_map(|d| d.phone.as_ref()),
            )
            .chain(
                self.external_organisations
                    .iter()
                    .filter_map(|o| o.phone.as_ref()),
            )
            .map(|number| number.digits().to_owned())
            .collect();
        digits.sort();
        digits.dedup();
        digits
    }

    /// What the moderation engine needs of this profile.
    pub fn moderation_policy(&self) -> moderation::Policy {
        moderation::Policy {
            clauses: self
                .netiquette
                .clauses
                .iter()
                .map(|clause| moderation::PolicyClause {
                    clause_id: clause.id.clone(),
                    category: clause.category,
                    wording: clause.wording.clone(),
                })
                .collect(),
            hide_rule: self.moderation.hide_rule,
            repeat_window_seconds: self.moderation.repeat_window_hours * 3600,
            repeat_distinct_authors: self.moderation.repeat_distinct_authors,
            public_phone_numbers: self.public_phone_digits(),
        }
    }
}
