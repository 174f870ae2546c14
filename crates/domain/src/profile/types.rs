//! The value types of a profile: checked newtypes (e-mail, phone number, source reference,
//! budget) and the closed vocabularies (organisation kinds, networks, roles, permissions,
//! routes, contact kinds).

use std::fmt;

use jiff::SignedDuration;
use serde::Serialize;

use crate::business_time::Budget;

/// Declares a closed vocabulary with stable snake_case ids.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $id:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable snake_case id used in profiles and JSON.
            pub fn id(self) -> &'static str {
                match self { $($name::$variant => $id),+ }
            }

            /// Parses an id.
            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|value| value.id() == text)
            }

            /// Every id, comma-separated, for error messages.
            pub fn ids() -> String {
                Self::ALL.iter().map(|value| value.id()).collect::<Vec<_>>().join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.id())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.id())
            }
        }
    };
}

vocabulary!(
    /// What kind of public body the organisation is.
    OrganisationKind {
        Ministry => "ministry",
        Municipality => "municipality",
        NonProfit => "non_profit",
    }
);

vocabulary!(
    /// A social network (or a blog) an account lives on.
    Network {
        Facebook => "facebook",
        X => "x",
        LinkedIn => "linkedin",
        YouTube => "youtube",
        Instagram => "instagram",
        Pinterest => "pinterest",
        GoogleBusiness => "google_business",
        Blog => "blog",
    }
);

vocabulary!(
    /// A role a person holds in the organisation (S2 §6, Annexes 3 and 4; R-40).
    Role {
        /// Gestionnaire de communauté: moderates, triages, replies, publishes.
        CommunityManager => "community_manager",
        /// Gestionnaire de la DCOM: validates publications.
        CommunicationsManager => "communications_manager",
        /// Conseiller en communication: drafts with the community managers.
        CommunicationsAdvisor => "communications_advisor",
        /// Gestionnaire de secteur: designates the respondent and substitute.
        SectorManager => "sector_manager",
        /// Répondant sectoriel: supplies approved answers.
        Respondent => "respondent",
        /// Direction: reads everything, changes nothing.
        Director => "director",
        /// Administers the installation and the profile.
        Administrator => "administrator",
        /// Répondant ministériel à l'éthique: consulted when needed.
        EthicsRespondent => "ethics_respondent",
        /// Attaché de presse du cabinet: outside the organisation, receives interpellations.
        PressAttache => "press_attache",
        /// Personnel: suggests content; bound by the staff obligations.
        Staff => "staff",
    }
);

vocabulary!(
    /// Something a role may do in Balise.
    Permission {
        ReadCases => "read_cases",
        Moderate => "moderate",
        BlockAuthor => "block_author",
        Triage => "triage",
        Reply => "reply",
        Escalate => "escalate",
        SupplyAnswer => "supply_answer",
        SuggestPublication => "suggest_publication",
        DraftPublication => "draft_publication",
        ApprovePublication => "approve_publication",
        ValidatePublication => "validate_publication",
        Publish => "publish",
        ManageCalendar => "manage_calendar",
        ManageAccounts => "manage_accounts",
        DesignateRespondent => "designate_respondent",
        ManageUsers => "manage_users",
        ManageProfile => "manage_profile",
        ReadReports => "read_reports",
        ReadAudit => "read_audit",
        ReadPersonalInfo => "read_personal_info",
        ReceiveInterpellation => "receive_interpellation",
        ManageStaffObligations => "manage_staff_obligations",
        SignConsent => "sign_consent",
    }
);

vocabulary!(
    /// A kind of publication, each with its own approval chain (S2 §7.3, Annexe 4; ).
    ContentType {
        /// A proactive social publication (S2 Annexe 4's general case).
        Regular => "regular",
        /// A calendar of planned activities: the sector approves, the DCOM manager validates.
        PlannedActivities => "planned_activities",
        /// An infographic: DCOM, then sector, then the government's communications secretariat.
        Infographic => "infographic",
        /// LinkedIn posts of the human resources' communications plan.
        HumanResourcesLinkedin => "human_resources_linkedin",
        /// A press release, published without further approval.
        PressRelease => "press_release",
        /// A bulletin (E.F.express, Muni-Express; not the cyberbulletin), likewise.
        Bulletin => "bulletin",
    }
);

vocabulary!(
    /// The kind of a step of an approval chain, in the order they happen (S2 Annexe 4).
    StepKind {
        /// Suggestion de la publication sociale.
        Suggestion => "suggestion",
        /// Rédaction.
        Drafting => "drafting",
        /// Approbation.
        Approval => "approval",
        /// Validation.
        Validation => "validation",
        /// Diffusion.
        Publication => "publication",
    }
);

impl StepKind {
    /// The permission a carrier of this kind of step must hold (R-42: only holders of
    /// `publish` publish).
    pub fn permission(self) -> Permission {
        match self {
            StepKind::Suggestion => Permission::SuggestPublication,
            StepKind::Drafting => Permission::DraftPublication,
            StepKind::Approval => Permission::ApprovePublication,
            StepKind::Validation => Permission::ValidatePublication,
            StepKind::Publication => Permission::Publish,
        }
    }

    /// The French name of the step, for people.
    pub fn label_fr(self) -> &'static str {
        match self {
            StepKind::Suggestion => "Suggestion",
            StepKind::Drafting => "Rédaction",
            StepKind::Approval => "Approbation",
            StepKind::Validation => "Validation",
            StepKind::Publication => "Diffusion",
        }
    }
}

vocabulary!(
    /// A route of the triage scheme (S2 §8.2 and Annexe 2), keyed for reply templates.
    RouteId {
        Urgent => "urgent",
        Netiquette => "netiquette",
        AnswerWithLink => "answer_with_link",
        AskPrecision => "ask_precision",
        Communications => "communications",
        Litigation => "litigation",
        UsualProcess => "usual_process",
        Minister => "minister",
        RegionalDirectorate => "regional_directorate",
        OtherOrganisation => "other_organisation",
        Positive => "positive",
        Negative => "negative",
        Respondent => "respondent",
    }
);

vocabulary!(
    /// Which usual process a `usual_process` case is redirected to (S2 §8.2; S0).
    UsualProcessKind {
        Complaint => "complaint",
        Wrongdoing => "wrongdoing",
        EmployeeComplaint => "employee_complaint",
        Media => "media",
        AccessRequest => "access_request",
        HumanResources => "human_resources",
        PersonalCase => "personal_case",
    }
);

vocabulary!(
    /// What a redirection contact is for.
    ContactKind {
        /// Relations de presse / relations médias.
        PressRelations => "press_relations",
        /// Demandes d'accès aux documents.
        AccessToDocuments => "access_to_documents",
        /// Ressources humaines.
        HumanResources => "human_resources",
        /// Divulgation d'actes répréhensibles.
        WrongdoingDisclosure => "wrongdoing_disclosure",
        /// Service à la clientèle, plaintes, dossiers personnels.
        CustomerService => "customer_service",
        /// Centrale d'information criminelle (Sûreté du Québec).
        CriminalInformation => "criminal_information",
        /// The communications team's own address.
        Communications => "communications",
        /// Questions about the policy itself.
        PolicyQuestions => "policy_questions",
        /// Anything else.
        Other => "other",
    }
);

/// Where a clause, deadline or contact comes from in its source document, e.g. `S2 §8.1`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct SourceRef(String);

impl SourceRef {
    /// A non-empty reference, trimmed.
    pub fn parse(text: &str) -> Option<Self> {
        let trimmed = text.trim();
        (!trimmed.is_empty()).then(|| Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A syntactically valid e-mail address (`local@domain.tld`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(text: &str) -> Option<Self> {
        let (local, domain) = text.split_once('@')?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && local
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || "._%+-'".contains(ch));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label
                        .chars()
                        .all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
            })
            && labels.last().is_some_and(|tld| {
                tld.len() >= 2 && tld.chars().all(|ch| ch.is_ascii_alphabetic())
            });
        (local_ok && domain_ok).then(|| Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A North American phone number as the organisation writes it (`418 691-2025`,
/// `1 800 569-4264`), with its digits (10, or 11 starting with 1).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber {
    written: String,
    digits: String,
}

impl PhoneNumber {
    pub fn parse(text: &str) -> Option<Self> {
        let trimmed = text.trim();
        if trimmed.is_empty()
            || !trimmed
                .chars()
                .all(|ch| ch.is_ascii_digit() || " -.()+".contains(ch))
            || (trimmed.contains('+') && !trimmed.starts_with('+'))
        {
            return None;
        }
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        let valid = digits.len() == 10 || (digits.len() == 11 && digits.starts_with('1'));
        valid.then(|| Self {
            written: trimmed.to_owned(),
            digits,
        })
    }

    /// As written in the profile.
    pub fn as_str(&self) -> &str {
        &self.written
    }

    /// Digits only, e.g. `18005694264`.
    pub fn digits(&self) -> &str {
        &self.digits
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.written)
    }
}

impl Serialize for PhoneNumber {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.written)
    }
}

/// An `http(s)://` address.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct WebAddress(String);

impl WebAddress {
    pub fn parse(text: &str) -> Option<Self> {
        let rest = text
            .strip_prefix("https://")
            .or_else(|| text.strip_prefix("http://"))?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        let ok = host.contains('.') && !host.is_empty() && !text.chars().any(char::is_whitespace);
        ok.then(|| Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Parses a budget: business time `1h30`, `11 h 30`, `45min`, `1h`; clock time with the
/// word `clock` (`24h clock`); whole business days `2 business days` / `1 business day`.
pub fn parse_budget(text: &str) -> Option<Budget> {
    let trimmed = text.trim();
    if let Some(count) = trimmed
        .strip_suffix("business days")
        .or_else(|| trimmed.strip_suffix("business day"))
    {
        let days: u32 = count.trim().parse().ok()?;
        return (days > 0).then_some(Budget::BusinessDays(days));
    }
    if let Some(duration) = trimmed.strip_suffix("clock") {
        return parse_duration(duration).map(Budget::Clock);
    }
    parse_duration(trimmed).map(Budget::Business)
}

/// Parses `1h30`, `1 h 30`, `11h`, `45min`, `1h05min`; refuses zero and anything else.
pub fn parse_duration(text: &str) -> Option<SignedDuration> {
    let compact: String = text.chars().filter(|ch| !ch.is_whitespace()).collect();
    let (hours, minutes) = if let Some(minutes_text) = compact.strip_suffix("min") {
        match minutes_text.split_once('h') {
            Some((hours, minutes)) => (hours, minutes),
            None => ("0", minutes_text),
        }
    } else {
        let (hours, minutes) = compact.split_once('h')?;
        (hours, if minutes.is_empty() { "0" } else { minutes })
    };
    let number = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())?
    };
    let hours = number(hours)?;
    let minutes = number(minutes)?;
    if compact.contains('h') && !compact.ends_with("min") && minutes >= 60 {
        return None;
    }
    let total = hours * 3600 + minutes * 60;
    (total > 0).then(|| SignedDuration::from_secs(total))
}

/// Writes a budget back the way a profile would.
pub fn format_budget(budget: &Budget) -> String {
    match budget {
        Budget::Business(duration) => format_duration(*duration),
        Budget::Clock(duration) => format!("{} clock", format_duration(*duration)),
        Budget::BusinessDays(1) => "1 business day".to_owned(),
        Budget::BusinessDays(days) => format!("{days} business days"),
    }
}

/// `1h30`, `14h`, `45min`.
pub fn format_duration(duration: SignedDuration) -> String {
    let minutes = duration.as_secs() / 60;
    let (hours, minutes) = (minutes / 60, minutes % 60);
    match (hours, minutes) {
        (0, m) => format!("{m}min"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m:02}"),
    }
}
