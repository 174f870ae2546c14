//! The records a profile is made of. Each field holds an already-checked value, so a record
//! that exists is valid; the cross-record rules (carriers name declared roles, stages fit
//! their commitment, clause ids are unique) are held by `Profile`, which only the parser
//! builds.

use jiff::civil::Weekday;
use moderation::Category;
use serde::Serialize;

use super::types::{
    ContactKind, ContentType, Email, StepKind, Network, OrganisationKind, Permission, PhoneNumber, Role, RouteId,
    SourceRef, UsualProcessKind, WebAddress,
};
use crate::business_time::Budget;
use crate::calendar::{TimeWindow, WeekdayId};

/// Who the organisation is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// The profile id, a slug such as `mamh`.
    pub id: String,
    /// The official name, in French.
    pub name: String,
    pub abbreviation: String,
    pub kind: OrganisationKind,
    /// Language codes the organisation communicates in, e.g. `["fr"]`.
    pub languages: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<WebAddress>,
    /// The organisation's own public phone numbers (never personal information).
    pub public_phone_numbers: Vec<PhoneNumber>,
}

/// The document the profile is drawn from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceDocument {
    /// The short code the references use, e.g. `S2`.
    pub code: String,
    pub title: String,
    /// The year of the document, when it gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i64>,
    /// The sections the profile draws on.
    pub sections: Vec<String>,
}

/// An account of the organisation on a network.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Account {
    pub network: Network,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<WebAddress>,
    pub official: bool,
    pub source: SourceRef,
}

/// One stage of a response commitment, carried by one role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stage {
    pub id: String,
    /// French label, for people.
    pub label: String,
    #[serde(serialize_with = "serialize_budget")]
    pub budget: Budget,
    pub carrier: Role,
    pub source: SourceRef,
}

/// A response commitment: a total, split into stages that fit in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Commitment {
    pub id: String,
    pub label: String,
    #[serde(serialize_with = "serialize_budget")]
    pub total: Budget,
    pub stages: Vec<Stage>,
    pub source: SourceRef,
}

pub(crate) fn serialize_budget<S: serde::Serializer>(
    budget: &Budget,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&super::types::format_budget(budget))
}

/// Crisis, campaign or event mode (S2 §8.1): deadlines run on these days and windows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Vigilance {
    pub label: String,
    pub days: Vec<WeekdayId>,
    pub windows: Vec<TimeWindow>,
    /// Whether holidays count as open days during vigilance.
    pub includes_holidays: bool,
    /// Situations that call for it, in French.
    pub triggers: Vec<String>,
    pub source: SourceRef,
}

impl Vigilance {
    /// Whether vigilance covers `weekday`.
    pub fn covers(&self, weekday: Weekday) -> bool {
        self.days.iter().any(|day| day.0 == weekday)
    }
}

/// One netiquette clause, in the organisation's own words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Clause {
    /// Stable id, cited by verdicts and the audit log.
    pub id: String,
    #[serde(serialize_with = "serialize_category")]
    pub category: Category,
    /// The organisation's own French wording.
    pub wording: String,
    pub source: SourceRef,
}

fn serialize_category<S: serde::Serializer>(
    category: &Category,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(category.id())
}

/// The netiquette: an introduction and the clauses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Netiquette {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub introduction: Option<String>,
    pub clauses: Vec<Clause>,
    /// Commitments the organisation makes about comments (published in full, never removed
    /// for disagreement...), in its own words.
    pub commitments: Vec<String>,
    pub source: SourceRef,
}

/// What follows a netiquette breach.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModerationSettings {
    #[serde(serialize_with = "serialize_hide_rule")]
    pub hide_rule: moderation::HideRule,
    /// How far back the same text from the same author counts as repeated, in hours.
    pub repeat_window_hours: i64,
    /// How many distinct authors posting the same text make coordinated spam.
    pub repeat_distinct_authors: usize,
    /// Warnings an author gets before a block (0 = may block at once).
    pub warnings_before_block: u32,
    pub source: SourceRef,
}

pub(crate) fn hide_rule_id(rule: moderation::HideRule) -> &'static str {
    match rule {
        moderation::HideRule::AnyBreach => "any_breach",
        moderation::HideRule::OnlyWhenNothingRemains => "only_when_nothing_remains",
    }
}

fn serialize_hide_rule<S: serde::Serializer>(
    rule: &moderation::HideRule,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(hide_rule_id(*rule))
}

/// A redirection contact (press relations, access to documents, CIC...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Contact {
    /// Unique id within the profile, used by template placeholders: `{press_relations.url}`.
    pub id: String,
    pub kind: ContactKind,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<PhoneNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<WebAddress>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub source: SourceRef,
}

/// A sector or administrative unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Sector {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceRef>,
}

/// A regional directorate a person can be referred to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RegionalDirectorate {
    pub id: String,
    pub name: String,
    pub region: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<PhoneNumber>,
    /// The generic mailbox notified when a person is referred.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    /// True when the entry is demonstration data, not taken from the source document.
    pub demo: bool,
    pub source: SourceRef,
}

/// Another organisation a case can be redirected to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExternalOrganisation {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<WebAddress>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<PhoneNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceRef>,
}

/// A role as the organisation defines it, and what it may do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoleGrant {
    pub role: Role,
    /// French label, e.g. « Gestionnaire de communauté ».
    pub label: String,
    pub permissions: Vec<Permission>,
    /// Responsibilities in the organisation's words.
    pub responsibilities: Vec<String>,
    pub source: SourceRef,
}

/// A canned reply for a triage route (and, for `usual_process`, a kind).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReplyTemplate {
    pub route: RouteId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<UsualProcessKind>,
    /// French text with `{placeholders}`.
    pub text: String,
    pub source: SourceRef,
}

/// The kind of a consent-form field (S4 form).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentFieldKind {
    YesNo,
    Text,
    /// A date written DD/MM/YYYY.
    DateDdMmYyyy,
    Signature,
}

impl ConsentFieldKind {
    pub const IDS: [(&'static str, ConsentFieldKind); 4] = [
        ("yes_no", ConsentFieldKind::YesNo),
        ("text", ConsentFieldKind::Text),
        ("date_dd_mm_yyyy", ConsentFieldKind::DateDdMmYyyy),
        ("signature", ConsentFieldKind::Signature),
    ];
}

/// One field of the policy consent form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsentField {
    pub id: String,
    pub label: String,
    pub kind: ConsentFieldKind,
}

/// The employee's acknowledgement of the policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsentForm {
    pub title: String,
    /// How and when it is returned, in the organisation's words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_to: Option<String>,
    pub fields: Vec<ConsentField>,
    pub source: SourceRef,
}

/// One step of a sanctions ladder, mildest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Sanction {
    pub id: String,
    pub label: String,
    pub source: SourceRef,
}

/// An authorisation staff must obtain before acting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Authorisation {
    pub id: String,
    pub label: String,
    /// Who grants it, in the organisation's words.
    pub granted_by: String,
    pub source: SourceRef,
}

/// Another obligation of staff (e.g. update the profile at the end of employment, R-73).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Obligation {
    pub id: String,
    pub text: String,
    pub source: SourceRef,
}

/// What an employer policy asks of its staff (S3, S4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StaffObligations {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent_form: Option<ConsentForm>,
    pub sanctions: Vec<Sanction>,
    pub authorisations: Vec<Authorisation>,
    pub obligations: Vec<Obligation>,
}

/// Blog rules (S3 Annexe A, R-15, R-57).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BlogRules {
    pub editorial_committee: bool,
    pub min_words: u32,
    pub max_words: u32,
    pub update_every_days: u32,
    pub comments_filtered_before_publication: bool,
    /// Who filters comments and answers for the content.
    pub responsible: String,
    /// Say on the website when a blog goes quiet or ends.
    pub announce_inactivity: bool,
    pub source: SourceRef,
}

/// One step of an approval chain: who carries it and who helps (S2 Annexe 4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainStep {
    /// Unique within the chain, e.g. `approval_sector`; decisions name the step by this id.
    pub id: String,
    pub kind: StepKind,
    /// French label, for people.
    pub label: String,
    /// Roles that may do the step (« porteur »).
    pub carriers: Vec<Role>,
    /// Roles that help (« collaborateur »); they may comment, not decide.
    pub collaborators: Vec<Role>,
    /// An organisation outside this one whose decision a carrier records (e.g. the
    /// government's communications secretariat for infographics).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_validator: Option<String>,
    /// The step is skipped for variants already validated (S2 §7.3, infographics).
    pub skipped_when_already_validated: bool,
    pub source: SourceRef,
}

/// The approval chain of one content type: its steps in order, publication last.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApprovalChainDefinition {
    pub content_type: ContentType,
    pub label: String,
    pub steps: Vec<ChainStep>,
    /// What the policy leaves open about this chain, in French, when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub source: SourceRef,
}

impl ApprovalChainDefinition {
    /// A step by id.
    pub fn step(&self, id: &str) -> Option<&ChainStep> {
        self.steps.iter().find(|step| step.id == id)
    }

    /// The position of a step by id.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.steps.iter().position(|step| step.id == id)
    }
}

/// Campaign tags added to links (R-04, Annexe 5 « balises UTM »). Values may hold
/// `{network}`, `{campaign}` and `{content_type}`, filled per variant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UtmConvention {
    pub source: String,
    pub medium: String,
    pub campaign: String,
    pub reference: SourceRef,
}

/// How the organisation speaks on one network (S2 Annexe 1; R-55).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ToneGuidance {
    pub network: Network,
    /// Whom the network reaches, in the organisation's words.
    pub audience: String,
    /// How to write there, in the organisation's words.
    pub tone: String,
    pub source: SourceRef,
}

/// The editorial calendar's rules: approval chains per content type, UTM convention, tone
/// per network, the size of a staff suggestion's documentation and the live-video
/// threshold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EditorialRules {
    pub chains: Vec<ApprovalChainDefinition>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub utm: Option<UtmConvention>,
    pub tone: Vec<ToneGuidance>,
    /// « Une page » of documentation, measured: at most this many characters...
    pub suggestion_max_characters: u32,
    /// ...and at most this many words.
    pub suggestion_max_words: u32,
    /// How many of Annexe 6's ten criteria a live video needs.
    pub live_video_min_criteria: u32,
    pub source: SourceRef,
}

impl EditorialRules {
    /// The chain of a content type, falling back to the `regular` chain (always present).
    pub fn chain(&self, content_type: ContentType) -> &ApprovalChainDefinition {
        self.chains
            .iter()
            .find(|chain| chain.content_type == content_type)
            .or_else(|| {
                self.chains
                    .iter()
                    .find(|chain| chain.content_type == ContentType::Regular)
            })
            .unwrap_or(&self.chains[0])
    }

    /// The tone guidance for a network, if the profile gives one.
    pub fn tone_for(&self, network: Network) -> Option<&ToneGuidance> {
        self.tone.iter().find(|tone| tone.network == network)
    }
}
