//! The triage scheme of S2 Annexe 2: from a moderated message to a suggested route with its reasons (R-20 to R-32).
//!
//! This module owns the routes (`Route`, `UsualProcessKind`), the plain-data description of
//! what the profile knows (`TriageContext`), and the pure decision (`triage`, or
//! `Triage::suggest` when one compiled context serves many messages). It never edits the
//! citizen's words: it reads a folded copy (lower case, accents removed, punctuation turned
//! into word and clause boundaries), scans it once with two Aho-Corasick automata (the
//! static Quebec-French lexicon below, and the context's names and keywords), and quotes
//! the original words in its reasons. A community manager confirms or changes every
//! suggestion.
//!
//! Annexe 2 is a picture missing from the text we have; S2 §8.2 lists the same scheme in
//! words, and the steps follow it:
//!
//! 1. urgency — the *second* step of §8.2, taken first because R-13 says an urgent case
//!    is never silently hidden: a threat that breaks the netiquette is still reported to
//!    the Centrale d'information criminelle;
//! 2. netiquette, when nothing acceptable remains (first step). When something remains,
//!    the offensive words (abusive, hateful) are set aside and the rest is routed, with
//!    netiquette as an alternative. A question judged only incomprehensible asks for
//!    precision (third step) rather than being removed (Annexe 7 « confus ou imprécis »);
//! 3. litigation, then the usual processes. In §8.2 they are bullets after the third
//!    step, but their own words ("répondent *seulement* que…", "*dans tous ces cas*… ne
//!    sont pas gérés sur les médias sociaux") hold even for a factual question the website
//!    could answer, so they come before it. A personal file held by another organisation
//!    ("mon remboursement d'impôt") goes to that organisation (R-25);
//! 4. the third step: the communications team's responsibilities, then public content on
//!    the website (answer with the link), then an incomplete or unclear question (ask for
//!    precision). The minister, in-depth discussions and other organisations come *after*
//!    this step, as in §8.2 — not before, as a plain summary might put them;
//! 5. the minister or the party in power, only when the message "cannot be answered
//!    administratively": a question naming the minister that the website or a sector can
//!    answer goes there, with the minister as an alternative. "Mentioned" means tagged
//!    (a `@handle` of the context in the message, or the thread's post tags them): no reply;
//! 6. in-depth discussions (regional directorate): only for a request ("une demande
//!    reçue"), not for a comment that names the directorate;
//! 7. another organisation's field; when one of our sectors is also named, the competence
//!    is shared and the sector's respondent coordinates;
//! 8. a question or request goes to the sector's respondent (R-28); a comment is neutral or
//!    positive (R-26 — a neutral comment takes the `positive` route, as the bullet reads
//!    « commentaire neutre ou positif ») or negative (R-27).
//!
//! The message kind does not change the scheme: §8.2 gives deliberate mentions and
//! discussions between users no different treatment. Automatic platform mentions are not
//! cases (R-18, footnote 16), unless urgent. A deliberate mention — someone else's post
//! that names the organisation — then goes to the respondent of the sector it concerns,
//! copy to the communications advisors, to say in time whether to share it (R-52); the
//! scheme's own route stays as the first alternative, or stays the route when no sector is
//! recognised. Urgency and the netiquette still come first.
//!
//! The knowledge-base hit is per message, so it is a field of `TriageInput`, not of the
//! context the engine compiles once.

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use moderation::{Category, EvidenceKind, UrgentKind, Verdict};

// ---------------------------------------------------------------------------------------
// Identifiers and errors
// ---------------------------------------------------------------------------------------

/// What can go wrong when parsing triage identifiers.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TriageError {
    #[error(
        "invalid target id `{value}`: expected 1 to 64 characters among a-z, 0-9, `_`, `-` and `.`"
    )]
    InvalidTargetId { value: String },
    #[error("unknown route `{value}`")]
    UnknownRoute { value: String },
    #[error("unknown usual process kind `{value}`")]
    UnknownUsualProcessKind { value: String },
    #[error("route `usual_process` needs a kind, e.g. `usual_process:complaint`")]
    MissingUsualProcessKind,
    #[error("route `{route}` takes no detail, got `{detail}`")]
    UnexpectedDetail { route: String, detail: String },
}

impl TriageError {
    /// A stable snake_case code the French templates translate.
    pub fn code(&self) -> &'static str {
        match self {
            TriageError::InvalidTargetId { .. } => "invalid_target_id",
            TriageError::UnknownRoute { .. } => "unknown_route",
            TriageError::UnknownUsualProcessKind { .. } => "unknown_usual_process_kind",
            TriageError::MissingUsualProcessKind => "missing_usual_process_kind",
            TriageError::UnexpectedDetail { .. } => "unexpected_route_detail",
        }
    }
}

/// The id of a regional directorate, an external organisation or a sector, as the profile
/// names it (`dr-bas-saint-laurent`, `shq`, `habitation`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TargetId(String);

impl TargetId {
    pub fn parse(value: &str) -> Result<Self, TriageError> {
        let valid = !value.is_empty()
            && value.len() <= 64
            && value.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.')
            });
        if valid {
            Ok(TargetId(value.to_owned()))
        } else {
            Err(TriageError::InvalidTargetId {
                value: value.to_owned(),
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TargetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for TargetId {
    type Err = TriageError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TargetId::parse(s)
    }
}

// ---------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------

/// Which usual process a message is directed to (R-22, R-30; S2 Annexe 7 gives the contacts).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UsualProcessKind {
    /// A wish to file a complaint.
    Complaint,
    /// Disclosure of wrongdoing: Commission municipale du Québec for municipal bodies.
    Wrongdoing,
    /// A complaint or comment about one of the organisation's employees.
    EmployeeComplaint,
    /// A media request: press relations.
    Media,
    /// An access-to-information request (Loi sur l'accès).
    AccessRequest,
    /// Jobs, applications, staffing: the human resources line.
    HumanResources,
    /// A person's own file: customer service (R-30, S0).
    PersonalCase,
}

impl UsualProcessKind {
    pub const ALL: [UsualProcessKind; 7] = [
        UsualProcessKind::Complaint,
        UsualProcessKind::Wrongdoing,
        UsualProcessKind::EmployeeComplaint,
        UsualProcessKind::Media,
        UsualProcessKind::AccessRequest,
        UsualProcessKind::HumanResources,
        UsualProcessKind::PersonalCase,
    ];

    pub fn id(self) -> &'static str {
        match self {
            UsualProcessKind::Complaint => "complaint",
            UsualProcessKind::Wrongdoing => "wrongdoing",
            UsualProcessKind::EmployeeComplaint => "employee_complaint",
            UsualProcessKind::Media => "media",
            UsualProcessKind::AccessRequest => "access_request",
            UsualProcessKind::HumanResources => "human_resources",
            UsualProcessKind::PersonalCase => "personal_case",
        }
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            UsualProcessKind::Complaint => "Plainte",
            UsualProcessKind::Wrongdoing => "Divulgation d'un acte répréhensible",
            UsualProcessKind::EmployeeComplaint => "Plainte au sujet d'un membre du personnel",
            UsualProcessKind::Media => "Demande médiatique",
            UsualProcessKind::AccessRequest => "Demande d'accès à l'information",
            UsualProcessKind::HumanResources => "Ressources humaines",
            UsualProcessKind::PersonalCase => "Dossier personnel",
        }
    }
}

impl fmt::Display for UsualProcessKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for UsualProcessKind {
    type Err = TriageError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        UsualProcessKind::ALL
            .into_iter()
            .find(|kind| kind.id() == s)
            .ok_or_else(|| TriageError::UnknownUsualProcessKind {
                value: s.to_owned(),
            })
    }
}

/// Where a case goes (S2 Annexe 2). `id()` is the stable family id; `Display` and `FromStr`
/// use `id` or `id:detail` (`usual_process:media`, `respondent:habitation`,
/// `minister:mentioned`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Route {
    /// R-13: threats, suicidal statements, suspicious activity.
    Urgent,
    /// R-12: nothing acceptable remains once the netiquette breaches are set aside.
    Netiquette,
    /// R-20: public content already on the organisation's website answers it.
    AnswerWithLink,
    /// R-20, R-29: incomplete, imprecise or incomprehensible; ask what the person means.
    AskPrecision,
    /// R-20: about the communications team's own responsibilities (the account, a broken
    /// link, a typo in a post, moderation).
    Communications,
    /// R-21: a matter before the courts.
    Litigation,
    /// R-22, R-30: not handled on social media; direct the person to the usual process.
    UsualProcess(UsualProcessKind),
    /// R-23: interpellation of the minister or the party in power. `mentioned`: the minister
    /// or the party is tagged, so the organisation does not answer; otherwise the case is
    /// forwarded to the press attaché.
    Minister { mentioned: bool },
    /// R-24: an in-depth discussion for the regional directorate, when identified.
    RegionalDirectorate(Option<TargetId>),
    /// R-25: another organisation's field, when identified.
    OtherOrganisation(Option<TargetId>),
    /// R-26: neutral or positive comment.
    Positive,
    /// R-27: other negative comment.
    Negative,
    /// R-28: everything else, to the respondent of the sector, when identified.
    Respondent(Option<TargetId>),
}

impl Route {
    /// Every route family id, in the order of the scheme.
    pub const IDS: [&'static str; 13] = [
        "urgent",
        "netiquette",
        "answer_with_link",
        "ask_precision",
        "communications",
        "litigation",
        "usual_process",
        "minister",
        "regional_directorate",
        "other_organisation",
        "positive",
        "negative",
        "respondent",
    ];

    /// The stable snake_case family id.
    pub fn id(&self) -> &'static str {
        match self {
            Route::Urgent => "urgent",
            Route::Netiquette => "netiquette",
            Route::AnswerWithLink => "answer_with_link",
            Route::AskPrecision => "ask_precision",
            Route::Communications => "communications",
            Route::Litigation => "litigation",
            Route::UsualProcess(_) => "usual_process",
            Route::Minister { .. } => "minister",
            Route::RegionalDirectorate(_) => "regional_directorate",
            Route::OtherOrganisation(_) => "other_organisation",
            Route::Positive => "positive",
            Route::Negative => "negative",
            Route::Respondent(_) => "respondent",
        }
    }

    /// The French label of the route family, for people.
    pub fn label_fr(&self) -> &'static str {
        match self {
            Route::Urgent => "Urgence",
            Route::Netiquette => "Non-respect de la nétiquette",
            Route::AnswerWithLink => "Réponse avec un lien",
            Route::AskPrecision => "Demande de précisions",
            Route::Communications => "Responsabilité de la Direction des communications",
            Route::Litigation => "Litige devant les tribunaux",
            Route::UsualProcess(kind) => kind.label_fr(),
            Route::Minister { .. } => "Interpellation du ministre ou du parti au pouvoir",
            Route::RegionalDirectorate(_) => "Direction régionale",
            Route::OtherOrganisation(_) => "Autre organisation",
            Route::Positive => "Commentaire neutre ou positif",
            Route::Negative => "Autre commentaire négatif",
            Route::Respondent(_) => "Répondant sectoriel",
        }
    }

    fn detail(&self) -> Option<&str> {
        match self {
            Route::UsualProcess(kind) => Some(kind.id()),
            Route::Minister { mentioned: true } => Some("mentioned"),
            Route::RegionalDirectorate(Some(id))
            | Route::OtherOrganisation(Some(id))
            | Route::Respondent(Some(id)) => Some(id.as_str()),
            _ => None,
        }
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.detail() {
            Some(detail) => write!(f, "{}:{}", self.id(), detail),
            None => f.write_str(self.id()),
        }
    }
}

impl FromStr for Route {
    type Err = TriageError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (family, detail) = match s.split_once(':') {
            Some((family, detail)) => (family, Some(detail)),
            None => (s, None),
        };
        let no_detail = |route: Route| match detail {
            None => Ok(route),
            Some(detail) => Err(TriageError::UnexpectedDetail {
                route: family.to_owned(),
                detail: detail.to_owned(),
            }),
        };
        let target = || detail.map(TargetId::parse).transpose();
        match family {
            "urgent" => no_detail(Route::Urgent),
            "netiquette" => no_detail(Route::Netiquette),
            "answer_with_link" => no_detail(Route::AnswerWithLink),
            "ask_precision" => no_detail(Route::AskPrecision),
            "communications" => no_detail(Route::Communications),
            "litigation" => no_detail(Route::Litigation),
            "positive" => no_detail(Route::Positive),
            "negative" => no_detail(Route::Negative),
            "usual_process" => match detail {
                Some(kind) => Ok(Route::UsualProcess(kind.parse()?)),
                None => Err(TriageError::MissingUsualProcessKind),
            },
            "minister" => match detail {
                None => Ok(Route::Minister { mentioned: false }),
                Some("mentioned") => Ok(Route::Minister { mentioned: true }),
                Some(other) => Err(TriageError::UnexpectedDetail {
                    route: family.to_owned(),
                    detail: other.to_owned(),
                }),
            },
            "regional_directorate" => Ok(Route::RegionalDirectorate(target()?)),
            "other_organisation" => Ok(Route::OtherOrganisation(target()?)),
            "respondent" => Ok(Route::Respondent(target()?)),
            _ => Err(TriageError::UnknownRoute {
                value: s.to_owned(),
            }),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------

/// How the message reached the organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageKind {
    Comment,
    Reply,
    PrivateMessage,
    Mention,
}

impl MessageKind {
    pub fn id(self) -> &'static str {
        match self {
            MessageKind::Comment => "comment",
            MessageKind::Reply => "reply",
            MessageKind::PrivateMessage => "private_message",
            MessageKind::Mention => "mention",
        }
    }
}

/// The best page of the knowledge base for the message, as the search crate scored it.
#[derive(Clone, Debug, PartialEq)]
pub struct KbHit {
    pub url: String,
    pub title: String,
    pub score: f32,
}

/// The minister and the party in power (R-23), from the profile.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MinisterContext {
    /// The minister's names as people write them ("Andrée Laforest", "Laforest").
    pub names: Vec<String>,
    /// Titles that designate the minister ("ministre des Affaires municipales").
    pub titles: Vec<String>,
    /// Network handles of the minister and the party, without `@` ("AndreeLaforest").
    pub handles: Vec<String>,
    /// The press attaché's names: a message naming them is about the cabinet.
    pub press_attache_names: Vec<String>,
    /// The governing party's names ("CAQ", "Coalition avenir Québec", "caquistes").
    pub party_names: Vec<String>,
}

/// A regional directorate and the places it serves (R-24).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionalDirectorateContext {
    pub id: TargetId,
    pub name: String,
    /// Region, MRC and city names of its territory.
    pub places: Vec<String>,
}

/// Another organisation and the words of its field (R-25).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalOrganisationContext {
    pub id: TargetId,
    pub name: String,
    /// Its names and the subjects it is responsible for ("SHQ", "HLM", "impôt").
    pub keywords: Vec<String>,
}

/// A sector of the organisation and the subjects its respondent answers (R-28).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SectorContext {
    pub id: TargetId,
    pub name: String,
    pub keywords: Vec<String>,
}

/// What the profile provides to the triage, as plain data the lead builds from it.
#[derive(Clone, Debug, PartialEq)]
pub struct TriageContext {
    /// The organisation's own names ("MAMH", "ministère des Affaires municipales et de
    /// l'Habitation"); a match hides the words it contains from the other lists, so the
    /// organisation's own name never reads as another organisation's field.
    pub organisation_names: Vec<String>,
    pub minister: MinisterContext,
    pub regional_directorates: Vec<RegionalDirectorateContext>,
    pub external_organisations: Vec<ExternalOrganisationContext>,
    pub sectors: Vec<SectorContext>,
    /// A knowledge-base hit scoring at least this answers the question with a link.
    pub knowledge_base_threshold: f32,
}

impl Default for TriageContext {
    fn default() -> Self {
        TriageContext {
            organisation_names: Vec::new(),
            minister: MinisterContext::default(),
            regional_directorates: Vec::new(),
            external_organisations: Vec::new(),
            sectors: Vec::new(),
            knowledge_base_threshold: 1.0,
        }
    }
}

/// One message to triage.
#[derive(Clone, Copy, Debug)]
pub struct TriageInput<'a> {
    /// The citizen's words, never modified.
    pub text: &'a str,
    pub kind: MessageKind,
    /// The moderation engine's verdict on the same text.
    pub verdict: &'a Verdict,
    /// The platform made this mention by itself (reply chains, quotes): not a case (R-18).
    pub automatic_mention: bool,
    /// The best knowledge-base page for this message, if the search found one. It is per
    /// message, so it lives here rather than in the context the engine compiles once.
    pub knowledge_base_hit: Option<&'a KbHit>,
    /// The post the message answers tags the minister or the party (R-23).
    pub thread_mentions_minister: bool,
}

// ---------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------

/// Why a route was suggested or set aside; stable codes for the store and the web.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReasonCode {
    AutomaticMention,
    Urgent,
    NetiquetteNothingRemains,
    NetiquetteWholeMessage,
    NetiquetteSubstanceRemains,
    IncomprehensibleQuestion,
    Litigation,
    UsualProcess,
    CommunicationsTeam,
    PublicContentLink,
    KnowledgeBaseBelowThreshold,
    UnclearQuestion,
    MinisterInterpellation,
    MinisterMentioned,
    MinisterAnswerableAdministratively,
    DeepDiscussion,
    RegionIdentified,
    OtherOrganisation,
    SharedCompetence,
    Positive,
    Neutral,
    Negative,
    MixedTone,
    QuestionForSector,
    SectorIdentified,
    NoSectorIdentified,
    MentionToShare,
}

impl ReasonCode {
    /// Every code, for the tables that say each one in a language.
    pub const ALL: [ReasonCode; 27] = [
        ReasonCode::AutomaticMention,
        ReasonCode::Urgent,
        ReasonCode::NetiquetteNothingRemains,
        ReasonCode::NetiquetteWholeMessage,
        ReasonCode::NetiquetteSubstanceRemains,
        ReasonCode::IncomprehensibleQuestion,
        ReasonCode::Litigation,
        ReasonCode::UsualProcess,
        ReasonCode::CommunicationsTeam,
        ReasonCode::PublicContentLink,
        ReasonCode::KnowledgeBaseBelowThreshold,
        ReasonCode::UnclearQuestion,
        ReasonCode::MinisterInterpellation,
        ReasonCode::MinisterMentioned,
        ReasonCode::MinisterAnswerableAdministratively,
        ReasonCode::DeepDiscussion,
        ReasonCode::RegionIdentified,
        ReasonCode::OtherOrganisation,
        ReasonCode::SharedCompetence,
        ReasonCode::Positive,
        ReasonCode::Neutral,
        ReasonCode::Negative,
        ReasonCode::MixedTone,
        ReasonCode::QuestionForSector,
        ReasonCode::SectorIdentified,
        ReasonCode::NoSectorIdentified,
        ReasonCode::MentionToShare,
    ];

    pub fn id(self) -> &'static str {
        match self {
            ReasonCode::AutomaticMention => "automatic_mention",
            ReasonCode::Urgent => "urgent",
            ReasonCode::NetiquetteNothingRemains => "netiquette_nothing_remains",
            ReasonCode::NetiquetteWholeMessage => "netiquette_whole_message",
            ReasonCode::NetiquetteSubstanceRemains => "netiquette_substance_remains",
            ReasonCode::IncomprehensibleQuestion => "incomprehensible_question",
            ReasonCode::Litigation => "litigation",
            ReasonCode::UsualProcess => "usual_process",
            ReasonCode::CommunicationsTeam => "communications_team",
            ReasonCode::PublicContentLink => "public_content_link",
            ReasonCode::KnowledgeBaseBelowThreshold => "knowledge_base_below_threshold",
            ReasonCode::UnclearQuestion => "unclear_question",
            ReasonCode::MinisterInterpellation => "minister_interpellation",
            ReasonCode::MinisterMentioned => "minister_mentioned",
            ReasonCode::MinisterAnswerableAdministratively => {
                "minister_answerable_administratively"
            }
            ReasonCode::DeepDiscussion => "deep_discussion",
            ReasonCode::RegionIdentified => "region_identified",
            ReasonCode::OtherOrganisation => "other_organisation",
            ReasonCode::SharedCompetence => "shared_competence",
            ReasonCode::Positive => "positive",
            ReasonCode::Neutral => "neutral",
            ReasonCode::Negative => "negative",
            ReasonCode::MixedTone => "mixed_tone",
            ReasonCode::QuestionForSector => "question_for_sector",
            ReasonCode::SectorIdentified => "sector_identified",
            ReasonCode::NoSectorIdentified => "no_sector_identified",
            ReasonCode::MentionToShare => "mention_to_share",
        }
    }
}

/// One reason: a stable code and a French sentence citing the step of S2 §8.2 / Annexe 2
/// and the citizen's words that support it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    pub code: ReasonCode,
    pub text_fr: String,
}

/// The triage's suggestion for one message; a community manager confirms or changes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    pub route: Route,
    pub reasons: Vec<Reason>,
    /// Other routes the message also fits, most relevant first, never the chosen route.
    pub alternatives: Vec<Route>,
    /// Whether the organisation is expected to answer the person (a deadline runs).
    pub reply_expected: bool,
    /// An automatic platform mention (R-18): recorded, but not a case to handle.
    pub not_a_case: bool,
    /// The page to suggest when the route or an alternative is `answer_with_link`.
    pub suggested_page: Option<KbHit>,
}

// ---------------------------------------------------------------------------------------
// The static lexicon of Quebec French cues
// ---------------------------------------------------------------------------------------

/// What a word of the static lexicon tells the triage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cue {
    LitigationStrong,
    LitigationWeak,
    Complaint,
    Wrongdoing,
    EmployeeReference,
    EmployeeConduct,
    Media,
    AccessRequest,
    HumanResources,
    PersonalCase,
    Communications,
    LinkWord,
    BrokenWord,
    DeepDiscussionRequest,
    DeepDiscussion,
    Question,
    ClauseStartQuestion,
    Request,
    Positive,
    Negative,
    MinisterWord,
    MinisterVeto,
    NegativeVeto,
    HumanResourcesVeto,
    VagueReference,
}

const CUE_COUNT: usize = 25;
// The counts array is indexed by `Cue as usize`; the last variant must fit.
const _: () = assert!(Cue::VagueReference as usize + 1 == CUE_COUNT);

// Pattern syntax: words are folded like the message (lower case, no accents, punctuation
// and apostrophes as spaces). A trailing `*` matches a prefix ("plainte*" also matches
// "plaintes"); otherwise the pattern must end on a word boundary. A leading `|` anchors the
// pattern at the start of a clause (after `.`, `,`, `!`, `?`, `;`, `:` or a line break).
const LEXICON: &[(Cue, &[&str])] = &[
    (
        Cue::LitigationStrong,
        &[
            "recours collectif*",
            "action collective",
            "actions collectives",
            "devant les tribunaux",
            "devant le tribunal",
            "devant la cour",
            "en cour",
            "cour superieure",
            "cour d appel",
            "cour supreme",
            "cour du quebec",
            "litige*",
            "mise en demeure",
            "injonction",
            "poursuite contre",
            "poursuites contre",
            "poursuite judiciaire",
            "poursuites judiciaires",
            "poursuivre en justice",
            "poursuivi en justice",
            "poursuivis en justice",
            "poursuit le gouvernement",
            "poursuivent le gouvernement",
            "poursuivre le gouvernement",
            "poursuivre le ministere",
            "le jugement",
            "ce jugement",
            "un jugement",
            "jugement rendu",
            "porter en appel",
            "porte en appel",
            "porte la cause en appel",
            "interjeter appel",
            "contestation judiciaire",
            "recours judiciaire*",
            "avocats du gouvernement",
        ],
    ),
    (
        Cue::LitigationWeak,
        &[
            "poursuite",
            "poursuites",
            "jugement",
            "le juge",
            "la juge",
            "un juge",
            "avocat*",
            "proces",
            "plaidoir*",
            "tribunaux",
        ],
    ),
    (
        Cue::Complaint,
        &[
            "plainte*",
            "porter plainte",
            "porte plainte",
            "je me plains",
            "me plaindre",
            "se plaindre",
            "plaindre",
            "doleance*",
            "ombudsman",
            "protecteur du citoyen",
        ],
    ),
    (
        Cue::Wrongdoing,
        &[
            "divulgation*",
            "divulguer",
            "denoncer une situation",
            "a qui denoncer",
            "ou denoncer",
            "comment denoncer",
            "je veux denoncer",
            "denonciation*",
            "acte reprehensible",
            "actes reprehensibles",
            "reprehensible*",
            "corruption",
            "corrompu*",
            "collusion",
            "pot de vin",
            "pots de vin",
            "malversation*",
            "detournement de fonds",
            "lanceur d alerte",
            "lanceuse d alerte",
            "conflit d interet*",
            "conflits d interet*",
            "favoritisme",
            "enveloppe brune",
            "enveloppes brunes",
            "fraude*",
            "commission municipale",
        ],
    ),
    (
        Cue::EmployeeReference,
        &[
            "votre employe*",
            "vos employe*",
            "un employe*",
            "une employee",
            "l employe*",
            "cet employe",
            "cette employee",
            "un de vos employe*",
            "une de vos employe*",
            "fonctionnaire*",
            "prepose*",
            "preposee*",
            "votre agent*",
            "l agent*",
            "votre personnel",
            "la dame au telephone",
            "le monsieur au telephone",
            "la personne au telephone",
            "la personne qui m a repondu",
            "la madame",
            "le gars au telephone",
            "votre conseillere",
            "votre conseiller",
        ],
    ),
    (
        Cue::EmployeeConduct,
        &[
            "impoli*",
            "arrogant*",
            "m a raccroche",
            "raccroche au nez",
            "m a mal parle",
            "mal parle",
            "m a envoye promener",
            "manque de respect",
            "irrespectueu*",
            "condescendant*",
            "m a crie",
            "bete comme",
            "mal servi",
            "mal recu",
            "mal accueilli",
            "comportement",
            "attitude",
        ],
    ),
    (
        Cue::Media,
        &[
            "journaliste*",
            "demande d entrevue",
            "demande d entrevues",
            "accorder une entrevue",
            "entrevue avec",
            "pour un reportage",
            "pour notre reportage",
            "je prepare un reportage",
            "dans le cadre d un reportage",
            "relations de presse",
            "relations medias",
            "relationniste*",
            "salle de nouvelles",
            "recherchiste*",
            "demande mediatique",
            "demandes mediatiques",
            "pour notre article",
            "pour un article",
            "notre emission",
            "porte parole",
        ],
    ),
    (
        Cue::AccessRequest,
        &[
            "acces a l information",
            "loi sur l acces",
            "demande d acces",
            "demandes d acces",
            "acces aux documents",
            "responsable de l acces",
            "en vertu de la loi",
        ],
    ),
    (
        Cue::HumanResources,
        &[
            "emploi",
            "emplois",
            "offre d emploi",
            "offres d emploi",
            "poste affiche",
            "poste affiches",
            "ma candidature",
            "mon cv",
            "curriculum",
            "embauche*",
            "entrevue d embauche",
            "stage",
            "stages",
            "stagiaire*",
            "dotation",
            "recrutement",
            "postuler",
            "postule",
            "postulé",
            "travailler pour vous",
            "travailler chez vous",
            "travailler au ministere",
            "banque de candidature*",
            "processus de qualification",
            "affichage de poste*",
            "ressources humaines",
        ],
    ),
    (
        Cue::PersonalCase,
        &[
            "mon dossier",
            "mon numero de dossier",
            "numero de dossier",
            "ma demande de prestation",
            "ma prestation",
            "mon cas",
            "ma reclamation",
            "mon cheque",
            "mon paiement",
            "mon remboursement",
            "ma demande d aide",
            "ma demande de",
            "mon numero d assurance",
            "ma situation personnelle",
            "mon compte client",
            "notre dossier",
        ],
    ),
    (
        Cue::Communications,
        &[
            "lien brise",
            "liens brises",
            "lien est brise",
            "lien ne fonctionne pas",
            "lien fonctionne pas",
            "lien marche pas",
            "lien ne marche pas",
            "lien mort",
            "lien ne mene nulle part",
            "lien mene nulle part",
            "page introuvable",
            "erreur 404",
            "404",
            "coquille",
            "vous avez ecrit",
            "s ecrit avec",
            "ca s ecrit",
            "mal ecrit",
            "mal orthographi*",
            "erreur dans votre",
            "mauvais lien",
            "faute d orthographe",
            "faute de frappe",
            "fautes d orthographe",
            "une faute dans",
            "typo",
            "supprime mon commentaire",
            "efface mon commentaire",
            "masque mon commentaire",
            "cache mon commentaire",
            "retire mon commentaire",
            "enleve mon commentaire",
            "censur*",
            "m avez bloque",
            "m avez bloquee",
            "bloque de votre page",
            "qui gere cette page",
            "qui gere la page",
            "qui gere ce compte",
            "gestionnaire de communaute",
            "gestionnaires de communaute",
            "sous titre*",
            "texte alternatif",
            "video ne joue pas",
            "video joue pas",
            "video ne fonctionne pas",
            "pas de son",
            "netiquette",
            "regles d utilisation",
            "se desabonner",
            "infolettre",
            "compte officiel",
            "faux compte",
            "votre page facebook",
            "votre compte twitter",
            "votre compte x",
            "votre page linkedin",
            "vos heures de presence",
            "mauvaise date dans",
            "erreur dans votre publication",
            "erreur dans la publication",
            "erreur dans le texte",
        ],
    ),
    (
        Cue::DeepDiscussionRequest,
        &[
            "discuter avec quelqu un",
            "discuter avec vous",
            "discuter avec un",
            "parler a quelqu un",
            "parler avec quelqu un",
            "parler a une personne",
            "parler a un humain",
            "qui contacter",
            "qui dois je contacter",
            "qui je peux appeler",
            "qui appeler",
            "parler a un conseiller",
            "parler avec un conseiller",
            "joindre un conseiller",
            "parler a une conseillere",
            "parler avec une conseillere",
            "joindre une conseillere",
            "nous accompagner",
            "m accompagner",
            "prendre rendez vous",
            "avoir un rendez vous",
            "aimerions discuter",
            "aimerais discuter",
            "aimerait discuter",
            "voudrais discuter",
            "voudrions discuter",
            "aimerions rencontrer",
            "aimerais rencontrer",
            "aimerait rencontrer",
            "aimerais parler",
            "aimerions parler",
            "aimerait parler",
            "echanger avec quelqu un",
        ],
    ),
    // Signs of a subject to deepen; they route to the regional directorate only when the
    // message asks something ("une demande reçue", S2 §8.2).
    (
        Cue::DeepDiscussion,
        &[
            "en discuter",
            "discuter de",
            "rencontrer",
            "une rencontre",
            "accompagnement",
            "plus en detail",
            "en profondeur",
            "approfondir",
            "un rendez vous",
            "direction regionale",
            "directions regionales",
            "bureau regional",
            "situation particuliere",
            "cas particulier",
        ],
    ),
    (
        Cue::Question,
        &[
            "pourquoi",
            "comment",
            "combien",
            "est ce que",
            "est ce qu",
            "esce que",
            "qu est ce",
            "c est quoi",
            "cest quoi",
            "c quoi",
            "veut dire quoi",
            "quoi faire",
            "c tu",
            "ca tu",
            "ya tu",
            "y a tu",
            "y a t il",
            "y at il",
            "yatu",
            "c est tu",
            "cest tu",
            "est tu",
            "a quel",
            "a quelle",
            "quel est",
            "quelle est",
            "quels sont",
            "quelles sont",
            "quel delai",
            "quelle date",
            "quelle heure",
            "quel jour",
            "quel montant",
            "quand est ce",
            "c est quand",
            "cest quand",
            "c est ou",
            "cest ou",
            "c est qui",
            "cest qui",
            "a partir de quand",
            "jusqu a quand",
            "depuis quand",
            "savez vous",
            "pouvez vous",
            "pourriez vous",
            "avez vous",
            "est il possible",
            "est ce possible",
            "serait il possible",
            "je me demande",
            "on se demande",
            "j aimerais savoir",
            "je voudrais savoir",
            "je veux savoir",
            "j aimerais comprendre",
            "vous savez si",
            "savoir si",
            "quelqu un sait",
            "qqn sait",
            "qui peut m",
            "dites moi",
            "dis moi",
            "besoin d info*",
            "peux tu",
            "peut on",
            "doit on",
            "dois je",
            "puis je",
            "faut il",
            "faut tu",
            "on peut tu",
            "je peux tu",
            "va t il",
            "vont ils",
            "sera t il",
            "allez vous",
            "comptez vous",
            "prevoyez vous",
            "est ce normal",
            "c est normal",
            "c tu normal",
            "ca marche comment",
            "ca fonctionne comment",
            "on fait comment",
            "je fais comment",
            "vous faites quoi",
            "on fait quoi",
            "je fais quoi",
        ],
    ),
    (
        Cue::ClauseStartQuestion,
        &[
            "|quand",
            "|ou",
            "|qui",
            "|quel",
            "|quelle",
            "|quels",
            "|quelles",
            "|ca s applique",
            "|vous avez tu",
            "|est ce",
            "|c est vrai",
        ],
    ),
    (
        Cue::Request,
        &[
            "svp",
            "s il vous plait",
            "s v p",
            "j aimerais avoir",
            "j aimerais obtenir",
            "je voudrais avoir",
            "je voudrais obtenir",
            "j ai besoin",
            "nous avons besoin",
            "on a besoin",
            "besoin d aide",
            "aidez moi",
            "aidez nous",
            "envoyez moi",
            "envoyez nous",
            "merci de me",
            "merci de nous",
            "je cherche",
            "on cherche",
            "nous cherchons",
            "informez moi",
            "informez nous",
            "faites moi savoir",
            "je souhaite obtenir",
            "je souhaiterais",
            "pourriez",
        ],
    ),
    (
        Cue::Positive,
        &[
            "merci",
            "mercis",
            "bravo",
            "felicitation*",
            "excellent*",
            "super",
            "genial*",
            "belle initiative",
            "bonne initiative",
            "bon travail",
            "beau travail",
            "bonne nouvelle",
            "tres bonne nouvelle",
            "enfin",
            "tres bien",
            "j adore",
            "j aime",
            "on aime",
            "continuez",
            "wow",
            "formidable",
            "magnifique",
            "pas pire",
            "bien content",
            "bien contente",
            "tres contente",
            "tres content",
            "hate",
            "vraiment utile",
            "tres utile",
            "utile",
            "interessant*",
            "belle",
            "bonne idee",
            "chapeau",
            "gros merci",
            "top",
            "parfait",
            "appreci*",
            "a la bonne heure",
        ],
    ),
    // A link or a form that does not work is the communications team's (R-20).
    (
        Cue::LinkWord,
        &[
            "lien",
            "liens",
            "hyperlien*",
            "url",
            "site web",
            "site internet",
            "page web",
            "formulaire en ligne",
            "formulaire web",
            "formulaire",
        ],
    ),
    (
        Cue::BrokenWord,
        &[
            "mene nulle part",
            "mene a rien",
            "fonctionne pas",
            "fonctionne plus",
            "marche pas",
            "marche plus",
            "brise",
            "brises",
            "page d erreur",
            "message d erreur",
            "s ouvre pas",
            "ouvre pas",
            "bogue",
            "plante",
            "desuet",
        ],
    ),
    (
        Cue::Negative,
        &[
            "je denonce",
            "vous etes suppose*",
            "paperasse",
            "etouff*",
            "s en fout",
            "s en fou",
            "s en sacre",
            "sont oublie*",
            "on est oublie*",
            "nous oublie*",
            "vous oubliez",
            "toujours oublie*",
            "encore oublie*",
            "laisses pour compte",
            "nous denoncons",
            "on denonce",
            "penalis*",
            "repond jamais",
            "repondent jamais",
            "aucun retour",
            "ben voyons",
            "voyons donc",
            "promesse en l air",
            "promesses en l air",
            "honte",
            "honteu*",
            "scandale*",
            "scandaleu*",
            "ridicule*",
            "incompeten*",
            "n importe quoi",
            "pas fort",
            "decevant*",
            "deception",
            "decu",
            "decue",
            "decus",
            "gaspill*",
            "nul",
            "nulle",
            "pathetique",
            "inacceptable",
            "deplorable",
            "lamentable",
            "aberrant*",
            "absurde",
            "injuste",
            "injustice",
            "pas de bon sens",
            "pas d allure",
            "aucun bon sens",
            "tanne",
            "tannes",
            "ecoeur*",
            "fait pitie",
            "rire du monde",
            "riez de nous",
            "riez du monde",
            "deconnecte*",
            "catastroph*",
            "merci pour rien",
            "encore une fois",
            "toujours rien",
            "jamais de reponse",
            "aucune reponse",
            "personne repond",
            "personne ne repond",
            "fachee",
            "fache",
            "faches",
            "frustr*",
            "insulte",
            "insultant",
            "mepris*",
            "on paye",
            "nos taxes",
            "trop cher",
            "ca a pas d allure",
            "vous faites rien",
            "vous faites jamais rien",
            "rien ne bouge",
            "ca n avance pas",
            "ca avance pas",
            "pire",
            "mauvais*",
            "desastre*",
            "inutile*",
            "perte de temps",
            "tellement lent",
            "trop lent",
            "pas normal",
            "inadmissible",
            "revoltant*",
            "degueulasse",
            "bravo champion",
            "bravo les genies",
        ],
    ),
    (
        Cue::MinisterWord,
        &[
            "ministre",
            "ministres",
            "premier ministre",
            "cabinet du ministre",
            "cabinet de la ministre",
            "votre gouvernement",
            "ce gouvernement",
            "votre parti",
        ],
    ),
    (Cue::MinisterVeto, &["sous ministre", "sous ministres"]),
    // "Mode d'emploi" is a user manual, not a job.
    (
        Cue::HumanResourcesVeto,
        &["mode d emploi", "emploi du temps"],
    ),
    // "Pas pire" is praise in Quebec French; "nulle part" is not "nulle".
    (
        Cue::NegativeVeto,
        &["pas pire", "pas si pire", "nulle part", "pas mauvais*"],
    ),
    (
        Cue::VagueReference,
        &[
            "ca",
            "ceci",
            "cela",
            "ce truc",
            "cette affaire",
            "l affaire",
            "le truc",
            "ce machin",
            "la chose",
            "hein",
            "quoi",
        ],
    ),
];

/// Words that carry no subject: a question made only of them is unclear (R-20, R-29).
const STOP_WORDS: &[&str] = &[
    "a",
    "ai",
    "as",
    "au",
    "aux",
    "avec",
    "c",
    "ca",
    "ce",
    "ces",
    "cest",
    "cela",
    "ceci",
    "d",
    "dans",
    "de",
    "des",
    "du",
    "elle",
    "en",
    "est",
    "et",
    "etre",
    "eu",
    "il",
    "ils",
    "j",
    "je",
    "l",
    "la",
    "le",
    "les",
    "leur",
    "lui",
    "m",
    "ma",
    "mais",
    "me",
    "mes",
    "moi",
    "mon",
    "n",
    "ne",
    "nous",
    "on",
    "ou",
    "pas",
    "pis",
    "pour",
    "qu",
    "que",
    "qui",
    "quoi",
    "s",
    "sa",
    "se",
    "ses",
    "si",
    "son",
    "sur",
    "t",
    "ta",
    "te",
    "tes",
    "toi",
    "ton",
    "tu",
    "un",
    "une",
    "vos",
    "votre",
    "vous",
    "y",
    "ya",
    "quand",
    "comment",
    "pourquoi",
    "combien",
    "quel",
    "quelle",
    "quels",
    "quelles",
    "hein",
    "bon",
    "ben",
    "bin",
    "allo",
    "bonjour",
    "salut",
    "merci",
    "svp",
    "alors",
    "donc",
    "aussi",
    "encore",
    "vrai",
    "ok",
    "oui",
    "non",
    "faire",
    "fait",
    "fais",
    "va",
    "vont",
    "peut",
    "veut",
    "dire",
    "marche",
    "fonctionne",
    "sont",
    "ont",
    "avez",
    "etes",
    "faut",
    "ici",
    "la",
    "ca",
    "chose",
    "truc",
    "affaire",
    "nous",
    "autres",
    "monde",
    "gens",
    "tout",
    "tous",
    "rien",
    "quelque",
    "pi",
    "puis",
    "lol",
    "mdr",
    "wow",
    "sa",
    "ce",
    "cette",
];

const POSITIVE_EMOJI: &[char] = &[
    '👍', '👏', '❤', '♥', '😍', '🥰', '😊', '🙂', '😀', '😃', '😄', '🙏', '🎉', '💪', '👌', '💯',
    '🤩', '😁', '✨', '💙', '💚', '🌟', '⭐',
];
const NEGATIVE_EMOJI: &[char] = &[
    '👎', '😡', '🤬', '😠', '🤮', '💩', '🙄', '😤', '😒', '😞', '😢', '😭', '🤡', '😩', '🤦',
];

struct StaticLexicon {
    automaton: AhoCorasick,
    patterns: Vec<CompiledPattern<Cue>>,
}

struct CompiledPattern<T> {
    target: T,
    prefix: bool,
}

static STATIC_LEXICON: LazyLock<StaticLexicon> = LazyLock::new(|| {
    let mut texts = Vec::new();
    let mut patterns = Vec::new();
    for (cue, words) in LEXICON {
        for word in *words {
            if let Some((text, prefix)) = compile_pattern(word) {
                texts.push(text);
                patterns.push(CompiledPattern {
                    target: *cue,
                    prefix,
                });
            }
        }
    }
    let automaton = AhoCorasickBuilder::new()
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::DFA))
        .build(&texts)
        // The patterns are the constant lexicon above; the test suite builds it, so a
        // failure here is a programming error caught before any release.
        .expect("the static triage lexicon builds an automaton");
    StaticLexicon {
        automaton,
        patterns,
    }
});

/// Turns a lexicon entry into the folded text to search and whether it is a prefix.
fn compile_pattern(entry: &str) -> Option<(String, bool)> {
    let (anchored, rest) = match entry.strip_prefix('|') {
        Some(rest) => (true, rest),
        None => (false, entry),
    };
    let (prefix, rest) = match rest.strip_suffix('*') {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    let folded = fold_words(rest);
    if folded.is_empty() {
        return None;
    }
    let lead = if anchored { "| " } else { " " };
    Some((format!("{lead}{folded}"), prefix))
}

// ---------------------------------------------------------------------------------------
// Folding
// ---------------------------------------------------------------------------------------

/// Lower-cases and removes the accents of one letter of Quebec French.
fn push_folded_char(c: char, out: &mut String) {
    for lower in c.to_lowercase() {
        match lower {
            'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => out.push('a'),
            'ç' => out.push('c'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'î' | 'ï' | 'í' | 'ì' => out.push('i'),
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' => out.push('o'),
            'ù' | 'û' | 'ü' | 'ú' => out.push('u'),
            'ÿ' | 'ý' => out.push('y'),
            'ñ' => out.push('n'),
            'œ' => out.push_str("oe"),
            'æ' => out.push_str("ae"),
            other => out.push(other),
        }
    }
}

fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

fn is_clause_boundary(c: char) -> bool {
    matches!(
        c,
        '.' | ',' | ';' | ':' | '!' | '?' | '\n' | '\r' | '…' | '•' | '¿' | '¡'
    )
}

/// Folds a lexicon or context word: folded letters and digits, single spaces between words.
fn fold_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            push_folded_char(c, &mut out);
        } else if !is_combining_mark(c) {
            pending_space = true;
        }
    }
    out
}

/// The folded copy of a message, with the way back to the original words.
struct FoldedMessage<'t> {
    original: &'t str,
    /// `| ` + words separated by ` ` or ` | ` + ` |`.
    text: String,
    /// For each byte of `text`, the byte offset in `original` of the char it came from.
    origin: Vec<u32>,
    question_mark: bool,
    hyphen_inversion: bool,
    positive_emoji: usize,
    negative_emoji: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Pending {
    None,
    Space,
    Boundary,
}

impl<'t> FoldedMessage<'t> {
    /// Folds `original`, reading the chars inside `masked` (char offsets) as spaces.
    fn new(original: &'t str, masked: &[(usize, usize)]) -> Self {
        let mut text = String::with_capacity(original.len() + 8);
        let mut origin = Vec::with_capacity(original.len() + 8);
        text.push_str("| ");
        origin.extend([0, 0]);
        let mut pending = Pending::None;
        let mut question_mark = false;
        let mut hyphen_inversion = false;
        let mut positive_emoji = 0;
        let mut negative_emoji = 0;
        for (char_index, (byte_offset, c)) in original.char_indices().enumerate() {
            let offset = u32::try_from(byte_offset).unwrap_or(u32::MAX);
            let hidden = masked
                .iter()
                .any(|&(start, end)| char_index >= start && char_index < end);
            if hidden {
                pending = pending_max(pending, Pending::Space);
                continue;
            }
            if c.is_alphanumeric() {
                match pending {
                    Pending::None => {}
                    Pending::Space => {
                        text.push(' ');
                        origin.push(offset);
                    }
                    Pending::Boundary => {
                        text.push_str(" | ");
                        origin.extend([offset, offset, offset]);
                    }
                }
                pending = Pending::None;
                let before = text.len();
                push_folded_char(c, &mut text);
                origin.resize(text.len(), offset);
                debug_assert!(text.len() > before);
            } else if is_combining_mark(c) {
                // A decomposed accent belongs to the letter before it.
            } else if is_clause_boundary(c) {
                if c == '?' {
                    let next = original[byte_offset + 1..].chars().next();
                    if !next.is_some_and(char::is_alphanumeric) {
                        question_mark = true;
                    }
                }
                pending = Pending::Boundary;
            } else {
                if matches!(c, '-' | '\'' | '’' | 'ʼ') && !hyphen_inversion {
                    hyphen_inversion = is_inversion(original, byte_offset, c);
                }
                if POSITIVE_EMOJI.contains(&c) {
                    positive_emoji += 1;
                } else if NEGATIVE_EMOJI.contains(&c) {
                    negative_emoji += 1;
                }
                pending = pending_max(pending, Pending::Space);
            }
        }
        let end = u32::try_from(original.len()).unwrap_or(u32::MAX);
        text.push_str(" |");
        origin.extend([end, end]);
        FoldedMessage {
            original,
            text,
            origin,
            question_mark,
            hyphen_inversion,
            positive_emoji,
            negative_emoji,
        }
    }

    /// The original words behind a folded byte range (patterns start with a space or `| `).
    fn original_span(&self, start: usize, end: usize) -> &'t str {
        let bytes = self.text.as_bytes();
        let mut first = start;
        while first < end && matches!(bytes[first], b' ' | b'|') {
            first += 1;
        }
        let mut last = end;
        while last > first && matches!(bytes[last - 1], b' ' | b'|') {
            last -= 1;
        }
        if first >= last {
            return "";
        }
        let from = self.origin[first] as usize;
        let to_char = self.origin[last - 1] as usize;
        let to = self.original[to_char..]
            .chars()
            .next()
            .map_or(to_char, |c| to_char + c.len_utf8());
        self.original.get(from..to).unwrap_or("")
    }

    /// The match ends on a word boundary (or the pattern is a prefix).
    fn ends_on_boundary(&self, end: usize) -> bool {
        matches!(
            self.text.as_bytes().get(end),
            None | Some(b' ') | Some(b'|')
        )
    }

    /// Folded words of the message, without clause markers.
    fn words(&self) -> impl Iterator<Item = &str> {
        self.text
            .split(' ')
            .filter(|word| !word.is_empty() && *word != "|")
    }
}

fn pending_max(a: Pending, b: Pending) -> Pending {
    if a == Pending::Boundary || b == Pending::Boundary {
        Pending::Boundary
    } else if a == Pending::Space || b == Pending::Space {
        Pending::Space
    } else {
        Pending::None
    }
}

/// Quebec French asks with a verb-subject inversion or the particle "-tu": "c'tu",
/// "y'a-tu", "pouvez-vous", "y a-t-il". `rendez-vous` is a noun, not a question.
fn is_inversion(original: &str, byte_offset: usize, separator: char) -> bool {
    let after = &original[byte_offset + separator.len_utf8()..];
    let candidates: &[&str] = if separator == '-' {
        &[
            "tu", "t-il", "t-elle", "t-on", "t-ils", "t-elles", "vous", "je", "on", "il", "ils",
            "elle", "elles",
        ]
    } else {
        &["tu"]
    };
    let Some(found) = candidates.iter().find(|candidate| {
        after.len() >= candidate.len()
            && after.is_char_boundary(candidate.len())
            && after[..candidate.len()].eq_ignore_ascii_case(candidate)
            && !after[candidate.len()..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric)
    }) else {
        return false;
    };
    if *found == "vous" {
        // Only the few chars before the hyphen matter; keep the check bounded.
        let start = original[..byte_offset]
            .char_indices()
            .rev()
            .nth(7)
            .map_or(0, |(index, _)| index);
        let before = original[start..byte_offset].to_lowercase();
        if before.ends_with("rendez") || before.ends_with("chez") {
            return false;
        }
    }
    true
}

// ---------------------------------------------------------------------------------------
// The compiled engine
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ContextTarget {
    OwnName,
    Minister,
    Region(usize),
    ExternalOrganisation(usize),
    Sector(usize),
}

/// The triage engine with its context compiled once; use it for many messages.
pub struct Triage {
    context: TriageContext,
    automaton: Option<AhoCorasick>,
    patterns: Vec<CompiledPattern<ContextTarget>>,
    minister_handles: Vec<String>,
}

impl fmt::Debug for Triage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Triage")
            .field("context", &self.context)
            .finish_non_exhaustive()
    }
}

/// One hit of the scan: what it supports and where it is in the folded text.
#[derive(Clone, Copy, Debug)]
struct Hit<T> {
    target: T,
    start: usize,
    end: usize,
}

impl Triage {
    pub fn new(context: TriageContext) -> Self {
        let mut texts = Vec::new();
        let mut patterns = Vec::new();
        let mut add = |words: &[String], target: ContextTarget| {
            for word in words {
                let folded = fold_words(word);
                if !folded.is_empty() {
                    texts.push(format!(" {folded}"));
                    patterns.push(CompiledPattern {
                        target,
                        prefix: false,
                    });
                }
            }
        };
        add(&context.organisation_names, ContextTarget::OwnName);
        add(&context.minister.names, ContextTarget::Minister);
        add(&context.minister.titles, ContextTarget::Minister);
        add(
            &context.minister.press_attache_names,
            ContextTarget::Minister,
        );
        add(&context.minister.party_names, ContextTarget::Minister);
        for (index, directorate) in context.regional_directorates.iter().enumerate() {
            add(
                std::slice::from_ref(&directorate.name),
                ContextTarget::Region(index),
            );
            add(&directorate.places, ContextTarget::Region(index));
        }
        for (index, organisation) in context.external_organisations.iter().enumerate() {
            add(
                std::slice::from_ref(&organisation.name),
                ContextTarget::ExternalOrganisation(index),
            );
            add(
                &organisation.keywords,
                ContextTarget::ExternalOrganisation(index),
            );
        }
        for (index, sector) in context.sectors.iter().enumerate() {
            add(&sector.keywords, ContextTarget::Sector(index));
        }
        // Leftmost-longest, so that the organisation's own long name ("ministère des
        // Affaires municipales") hides the shorter keywords it contains ("municipal").
        let automaton = if texts.is_empty() {
            None
        } else {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&texts)
                .ok()
        };
        let minister_handles = context
            .minister
            .handles
            .iter()
            .map(|handle| handle.trim_start_matches('@').to_lowercase())
            .filter(|handle| !handle.is_empty())
            .collect();
        Triage {
            context,
            automaton,
            patterns,
            minister_handles,
        }
    }

    pub fn context(&self) -> &TriageContext {
        &self.context
    }

    /// Suggests a route for one message (S2 §8.2 and Annexe 2).
    pub fn suggest(&self, input: &TriageInput<'_>) -> Suggestion {
        Decision::new(self, input).decide()
    }

    fn minister_tagged(&self, text: &str) -> bool {
        if self.minister_handles.is_empty() {
            return false;
        }
        text.match_indices('@').any(|(at, _)| {
            let handle: String = text[at + 1..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.'))
                .flat_map(char::to_lowercase)
                .collect();
            self.minister_handles.contains(&handle)
        })
    }
}

/// Triage with a context compiled for this one message; prefer `Triage::new` once and
/// `Triage::suggest` per message when triaging many.
pub fn triage(input: &TriageInput<'_>, context: &TriageContext) -> Suggestion {
    Triage::new(context.clone()).suggest(input)
}

// ---------------------------------------------------------------------------------------
// The decision
// ---------------------------------------------------------------------------------------

struct Decision<'e, 'i> {
    engine: &'e Triage,
    input: &'e TriageInput<'i>,
    folded: FoldedMessage<'i>,
    counts: [usize; CUE_COUNT],
    cue_hits: Vec<Hit<Cue>>,
    context_hits: Vec<Hit<ContextTarget>>,
    reasons: Vec<Reason>,
    alternatives: Vec<Route>,
}

/// Categories whose evidence is pure offence: set aside before reading the substance.
fn is_offensive_only(category: Category) -> bool {
    matches!(category, Category::Abusive | Category::Hateful)
}

impl<'e, 'i> Decision<'e, 'i> {
    fn new(engine: &'e Triage, input: &'e TriageInput<'i>) -> Self {
        let masked: Vec<(usize, usize)> = if input.verdict.substance_remains {
            input
                .verdict
                .evidence
                .iter()
                .filter(|evidence| matches!(evidence.category, EvidenceKind::Category(c) if is_offensive_only(c)))
                .map(|evidence| (evidence.start, evidence.end))
                .collect()
        } else {
            Vec::new()
        };
        let folded = FoldedMessage::new(input.text, &masked);
        let mut decision = Decision {
            engine,
            input,
            folded,
            counts: [0; CUE_COUNT],
            cue_hits: Vec::new(),
            context_hits: Vec::new(),
            reasons: Vec::new(),
            alternatives: Vec::new(),
        };
        decision.scan();
        decision
    }

    fn scan(&mut self) {
        let lexicon = &*STATIC_LEXICON;
        for found in lexicon.automaton.find_overlapping_iter(&self.folded.text) {
            let pattern = &lexicon.patterns[found.pattern().as_usize()];
            if pattern.prefix || self.folded.ends_on_boundary(found.end()) {
                self.counts[pattern.target as usize] += 1;
                self.cue_hits.push(Hit {
                    target: pattern.target,
                    start: found.start(),
                    end: found.end(),
                });
            }
        }
        if let Some(automaton) = &self.engine.automaton {
            for found in automaton.find_iter(&self.folded.text) {
                let pattern = &self.engine.patterns[found.pattern().as_usize()];
                if pattern.prefix || self.folded.ends_on_boundary(found.end()) {
                    self.context_hits.push(Hit {
                        target: pattern.target,
                        start: found.start(),
                        end: found.end(),
                    });
                }
            }
        }
        // Words inside another organisation's name ("Tribunal administratif du logement")
        // are that organisation, not a matter before the courts.
        let inside_organisation_name = |hit: &Hit<Cue>, context_hits: &[Hit<ContextTarget>]| {
            context_hits.iter().any(|context| {
                matches!(context.target, ContextTarget::ExternalOrganisation(_))
                    && hit.start < context.end
                    && context.start < hit.end
            })
        };
        let mut discounted = Vec::new();
        self.cue_hits.retain(|hit| {
            let litigation = matches!(hit.target, Cue::LitigationStrong | Cue::LitigationWeak);
            let keep = !(litigation && inside_organisation_name(hit, &self.context_hits));
            if !keep {
                discounted.push(hit.target);
            }
            keep
        });
        for cue in discounted {
            self.counts[cue as usize] -= 1;
        }
        // "sous-ministre" is the deputy minister, an employee, not the minister.
        let veto = self.counts[Cue::MinisterVeto as usize];
        let minister = &mut self.counts[Cue::MinisterWord as usize];
        *minister = minister.saturating_sub(veto);
        let veto = self.counts[Cue::HumanResourcesVeto as usize];
        let jobs = &mut self.counts[Cue::HumanResources as usize];
        *jobs = jobs.saturating_sub(veto);
        let veto = self.counts[Cue::NegativeVeto as usize];
        let negative = &mut self.counts[Cue::Negative as usize];
        *negative = negative.saturating_sub(veto);
    }

    fn count(&self, cue: Cue) -> usize {
        self.counts[cue as usize]
    }

    fn has(&self, cue: Cue) -> bool {
        self.count(cue) > 0
    }

    /// The citizen's words behind a cue, quoted, at most three.
    fn quote(&self, cues: &[Cue]) -> String {
        let ranges = self
            .cue_hits
            .iter()
            .filter(|hit| {
                cues.contains(&hit.target)
                    && !(hit.target == Cue::MinisterWord && self.count(Cue::MinisterWord) == 0)
            })
            .map(|hit| (hit.start, hit.end));
        self.quote_ranges(ranges)
    }

    fn quote_context(&self, wanted: impl Fn(ContextTarget) -> bool) -> String {
        let ranges = self
            .context_hits
            .iter()
            .filter(|hit| wanted(hit.target))
            .map(|hit| (hit.start, hit.end));
        self.quote_ranges(ranges)
    }

    /// Quotes the original words of folded ranges, leaving out a range another one holds
    /// ("poursuite" inside "poursuite contre").
    fn quote_ranges(&self, ranges: impl Iterator<Item = (usize, usize)>) -> String {
        let mut kept: Vec<(usize, usize)> = Vec::new();
        // Three quotes are shown; the first few dozen hits are plenty to choose them and
        // keep this step bounded on a pathological message.
        for (start, end) in ranges.take(64) {
            if kept.iter().any(|&(s, e)| s <= start && end <= e) {
                continue;
            }
            kept.retain(|&(s, e)| !(start <= s && e <= end));
            kept.push((start, end));
        }
        kept.sort_unstable();
        quote_spans(
            kept.into_iter()
                .map(|(start, end)| self.folded.original_span(start, end)),
        )
    }

    fn reason(&mut self, code: ReasonCode, text_fr: String) {
        self.reasons.push(Reason { code, text_fr });
    }

    fn alternative(&mut self, route: Route) {
        if !self.alternatives.contains(&route) {
            self.alternatives.push(route);
        }
    }

    fn is_question(&self) -> bool {
        self.folded.question_mark
            || self.folded.hyphen_inversion
            || self.has(Cue::Question)
            || self.clause_start_question()
    }

    /// "Quand j'ai appelé, …" starts with "quand" but tells, it does not ask.
    fn clause_start_question(&self) -> bool {
        self.cue_hits.iter().any(|hit| {
            hit.target == Cue::ClauseStartQuestion && {
                let rest = &self.folded.text[hit.end..];
                !(rest.starts_with(" j ")
                    || rest.starts_with(" je ")
                    || rest.starts_with(" bien ")
                    || rest.starts_with(" sinon "))
            }
        })
    }

    /// The message asks something: a question or a request.
    fn asks(&self) -> bool {
        self.is_question() || self.has(Cue::Request)
    }

    fn content_word_count(&self) -> usize {
        self.folded
            .words()
            .filter(|word| word.len() >= 3 && !STOP_WORDS.contains(word))
            .count()
    }

    fn best_context<F: Fn(ContextTarget) -> Option<usize>>(
        &self,
        index_of: F,
    ) -> Option<(usize, Vec<usize>)> {
        let mut scores: Vec<(usize, usize)> = Vec::new();
        for hit in &self.context_hits {
            if let Some(index) = index_of(hit.target) {
                match scores.iter_mut().find(|(i, _)| *i == index) {
                    Some((_, score)) => *score += 1,
                    None => scores.push((index, 1)),
                }
            }
        }
        // Highest score first; ties keep the context's order, which the profile controls.
        scores.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut indices = scores.into_iter().map(|(index, _)| index);
        let best = indices.next()?;
        Some((best, indices.collect()))
    }

    fn usual_process_kinds(&self) -> Vec<UsualProcessKind> {
        let mut kinds = Vec::new();
        if self.has(Cue::Wrongdoing) {
            kinds.push(UsualProcessKind::Wrongdoing);
        }
        if self.has(Cue::EmployeeReference)
            && (self.has(Cue::EmployeeConduct)
                || self.has(Cue::Complaint)
                || self.has(Cue::Negative))
        {
            kinds.push(UsualProcessKind::EmployeeComplaint);
        }
        if self.has(Cue::Complaint) {
            kinds.push(UsualProcessKind::Complaint);
        }
        if self.has(Cue::AccessRequest) {
            kinds.push(UsualProcessKind::AccessRequest);
        }
        if self.has(Cue::Media) {
            kinds.push(UsualProcessKind::Media);
        }
        if self.has(Cue::HumanResources) {
            kinds.push(UsualProcessKind::HumanResources);
        }
        if self.has(Cue::PersonalCase) {
            kinds.push(UsualProcessKind::PersonalCase);
        }
        kinds
    }

    fn usual_process_cues(kind: UsualProcessKind) -> &'static [Cue] {
        match kind {
            UsualProcessKind::Complaint => &[Cue::Complaint],
            UsualProcessKind::Wrongdoing => &[Cue::Wrongdoing],
            UsualProcessKind::EmployeeComplaint => {
                &[Cue::EmployeeReference, Cue::EmployeeConduct, Cue::Complaint]
            }
            UsualProcessKind::Media => &[Cue::Media],
            UsualProcessKind::AccessRequest => &[Cue::AccessRequest],
            UsualProcessKind::HumanResources => &[Cue::HumanResources],
            UsualProcessKind::PersonalCase => &[Cue::PersonalCase],
        }
    }

    fn is_litigation(&self) -> bool {
        self.has(Cue::LitigationStrong) || self.count(Cue::LitigationWeak) >= 2
    }

    /// Named, titled or tagged in the message itself; a tag in the thread alone is not an
    /// interpellation, it only decides whether to answer one.
    fn minister_interpellated(&self) -> bool {
        self.has(Cue::MinisterWord)
            || self
                .context_hits
                .iter()
                .any(|hit| hit.target == ContextTarget::Minister)
            || self.engine.minister_tagged(self.input.text)
    }

    fn external_organisation_named(&self) -> bool {
        self.context_hits
            .iter()
            .any(|hit| matches!(hit.target, ContextTarget::ExternalOrganisation(_)))
    }

    fn sector_hits(&self) -> Option<(usize, Vec<usize>)> {
        self.best_context(|target| match target {
            ContextTarget::Sector(index) => Some(index),
            _ => None,
        })
    }

    fn tone(&self) -> (usize, usize) {
        let positive = self.count(Cue::Positive) + self.folded.positive_emoji;
        let negative = self.count(Cue::Negative) + self.folded.negative_emoji;
        (positive, negative)
    }

    fn decide(mut self) -> Suggestion {
        let verdict = self.input.verdict;
        let not_a_case = self.input.automatic_mention && verdict.urgent.is_none();
        if self.input.automatic_mention {
            let text = if not_a_case {
                "Mention automatique faite par la plateforme (chaîne de réponses ou citation) : ce n'est pas un cas à traiter (S2 § 8.2, note 16; R-18)."
            } else {
                "Mention automatique faite par la plateforme, mais le message est urgent : il est traité comme un cas (R-13, R-18)."
            };
            self.reason(ReasonCode::AutomaticMention, text.to_owned());
        }
        let scheme_route = self.route();
        let route = if self.input.kind == MessageKind::Mention && !self.input.automatic_mention {
            self.mention_to_share(scheme_route)
        } else {
            scheme_route
        };
        let reply_expected = self.reply_expected(&route);
        self.alternatives
            .retain(|alternative| *alternative != route);
        let wants_page =
            route == Route::AnswerWithLink || self.alternatives.contains(&Route::AnswerWithLink);
        let suggested_page = if wants_page {
            self.input.knowledge_base_hit.cloned()
        } else {
            None
        };
        Suggestion {
            route,
            reasons: self.reasons,
            alternatives: self.alternatives,
            reply_expected: reply_expected && !not_a_case,
            not_a_case,
            suggested_page,
        }
    }

    fn reply_expected(&self, route: &Route) -> bool {
        match route {
            Route::Urgent | Route::Netiquette | Route::Positive | Route::Negative => false,
            Route::Minister { .. } => false,
            Route::OtherOrganisation(_) => self.asks(),
            Route::AnswerWithLink
            | Route::AskPrecision
            | Route::Communications
            | Route::Litigation
            | Route::UsualProcess(_)
            | Route::RegionalDirectorate(_)
            | Route::Respondent(_) => true,
        }
    }

    /// The steps in the order of S2 §8.2 (see the module documentation for where it
    /// departs from a plain reading, and why). Each step either routes or passes.
    fn route(&mut self) -> Route {
        self.urgent_step()
            .or_else(|| self.netiquette_step())
            .or_else(|| self.litigation_step())
            .or_else(|| self.usual_process_step())
            .or_else(|| self.communications_step())
            .or_else(|| self.answer_with_link_step())
            .or_else(|| self.ask_precision_step())
            .or_else(|| self.minister_step())
            .or_else(|| self.regional_directorate_step())
            .or_else(|| self.other_organisation_step())
            .unwrap_or_else(|| self.last_bullets())
    }

    /// R-52: someone else's post that mentions the organisation goes to the sector's
    /// respondent (copy to the advisors), who says in time whether to share it. Urgency and a
    /// message with nothing acceptable left keep their route. When no sector is recognised,
    /// the scheme's route (R-18) stays and the community manager picks the respondent;
    /// otherwise the scheme's route becomes the first alternative.
    fn mention_to_share(&mut self, scheme_route: Route) -> Route {
        if matches!(scheme_route, Route::Urgent | Route::Netiquette) {
            return scheme_route;
        }
        let sector = match &scheme_route {
            Route::Respondent(Some(id)) => Some(id.clone()),
            _ => self.sector_hits().map(|(index, others)| {
                let sector_context = &self.engine.context.sectors[index];
                let words = self.quote_context(|target| target == ContextTarget::Sector(index));
                let (id, name) = (sector_context.id.clone(), sector_context.name.clone());
                self.reason(
                    ReasonCode::SectorIdentified,
                    format!("Secteur choisi : {name}{words}."),
                );
                for other in others {
                    self.alternative(Route::Respondent(Some(
                        self.engine.context.sectors[other].id.clone(),
                    )));
                }
                id
            }),
        };
        let Some(sector) = sector else {
            self.reason(
                ReasonCode::MentionToShare,
                format!("Publication d'une autre personne qui mentionne l'organisme (R-52) : aucun secteur n'y est reconnu, la route du schéma (« {} », R-18) est gardée; le gestionnaire de communauté choisit le répondant sectoriel qui dira à temps s'il faut la partager ou non, avec copie à la conseillère ou au conseiller en communication.", scheme_route.label_fr()),
            );
            self.alternative(Route::Respondent(None));
            return scheme_route;
        };
        let route = Route::Respondent(Some(sector.clone()));
        let sector_name = self
            .engine
            .context
            .sectors
            .iter()
            .find(|candidate| candidate.id == sector)
            .map_or_else(
                || sector.as_str().to_owned(),
                |candidate| candidate.name.clone(),
            );
        let scheme = if scheme_route == route {
            String::new()
        } else {
            format!(
                " Traitée comme un commentaire (R-18), elle irait à « {} » : cette route reste proposée.",
                scheme_route.label_fr()
            )
        };
        self.reason(
            ReasonCode::MentionToShare,
            format!("Publication d'une autre personne qui mentionne l'organisme (R-52) : elle va au répondant sectoriel du secteur {sector_name}, avec copie à la conseillère ou au conseiller en communication, qui dit à temps s'il faut la partager ou non.{scheme}"),
        );
        if scheme_route != route {
            self.alternatives
                .retain(|alternative| *alternative != scheme_route);
            self.alternatives.insert(0, scheme_route);
        }
        route
    }

    /// Second step of §8.2, taken first (R-13).
    fn urgent_step(&mut self) -> Option<Route> {
        let verdict = self.input.verdict;
        // Urgency: R-13 says never silently hidden, so it comes before the netiquette step.
        if let Some(kind) = verdict.urgent {
            let words =
                quote_spans(verdict.evidence.iter().filter_map(
                    |evidence| match evidence.category {
                        EvidenceKind::Urgent(_) => Some(evidence.matched.as_str()),
                        EvidenceKind::Category(_) => None,
                    },
                ));
            let what = match kind {
                UrgentKind::SelfHarm => "des propos suicidaires",
                UrgentKind::Threat => "une menace de nature criminelle",
            };
            self.reason(
                ReasonCode::Urgent,
                format!(
                    "S2 § 8.2, deuxième étape (R-13) : le message contient {what}{words}. Appeler la Centrale d'information criminelle au 1 800 569-4264 en cas d'urgence, sinon écrire à cic@surete.qc.ca avec les captures d'écran."
                ),
            );
            if !verdict.categories.is_empty() {
                self.alternative(Route::Netiquette);
            }
            return Some(Route::Urgent);
        }
        None
    }

    /// First step of §8.2 (R-12).
    fn netiquette_step(&mut self) -> Option<Route> {
        let verdict = self.input.verdict;
        if !verdict.categories.is_empty() {
            let labels = verdict
                .categories
                .iter()
                .map(|c| c.label_fr())
                .collect::<Vec<_>>()
                .join(", ");
            let only_incomprehensible = verdict
                .categories
                .iter()
                .all(|c| *c == Category::Incomprehensible);
            if only_incomprehensible && self.asks() {
                // Annexe 7 lets the organisation remove a confused comment, but the third
                // step of §8.2 asks for precision when the person asks something: the
                // kinder reading wins and removal stays one click away.
                self.reason(
                    ReasonCode::IncomprehensibleQuestion,
                    "S2 § 8.2, troisième étape (R-20, R-29) : la question est jugée incompréhensible; demander des précisions plutôt que la retirer (Annexe 7, « confus ou imprécis »).".to_owned(),
                );
                self.alternative(Route::Netiquette);
                return Some(Route::AskPrecision);
            }
            // Advertising and a repeated copy are breaches as a whole: the words left once
            // the lure is set aside ("un iPhone", "entrez le code") are no citizen's request,
            // so unless the person asks something they are not routed as one.
            let whole_message_breach = verdict
                .categories
                .iter()
                .any(|c| matches!(c, Category::Advertising | Category::Repeated));
            if whole_message_breach && verdict.substance_remains && !self.asks() {
                self.reason(
                    ReasonCode::NetiquetteWholeMessage,
                    format!("S2 § 8.2, première étape (R-12) : le message entier est contraire à la nétiquette ({labels}) et ne demande rien."),
                );
                return Some(Route::Netiquette);
            }
            if !verdict.substance_remains {
                self.reason(
                    ReasonCode::NetiquetteNothingRemains,
                    format!("S2 § 8.2, première étape (R-12) : il ne reste rien du message une fois retirés les propos contraires à la nétiquette ({labels})."),
                );
                return Some(Route::Netiquette);
            }
            self.reason(
                ReasonCode::NetiquetteSubstanceRemains,
                format!("S2 § 8.2, première étape (R-12) : le message enfreint la nétiquette ({labels}), mais il en reste un propos recevable, aiguillé ci-dessous; le retrait reste possible."),
            );
            self.alternative(Route::Netiquette);
        }
        None
    }

    /// Bullet « litige » (R-21).
    fn litigation_step(&mut self) -> Option<Route> {
        let kinds = self.usual_process_kinds();
        if self.is_litigation() {
            let words = self.quote(&[Cue::LitigationStrong, Cue::LitigationWeak]);
            self.reason(
                ReasonCode::Litigation,
                format!("S2 § 8.2, puce « litige » (R-21) : le message porte sur une affaire devant les tribunaux{words}; répondre seulement que l'organisation ne commente pas un dossier en litige."),
            );
            for kind in kinds {
                self.alternative(Route::UsualProcess(kind));
            }
            return Some(Route::Litigation);
        }
        None
    }

    /// Bullet « plainte, demande médiatique et demande d'accès » (R-22, R-30).
    fn usual_process_step(&mut self) -> Option<Route> {
        let kinds = self.usual_process_kinds();
        // Usual processes (R-22, R-30): "dans tous ces cas", even for a factual question.
        // A personal file held by another organisation ("mon remboursement d'impôt") is
        // that organisation's to handle: R-25 directs the person there.
        let personal_case_elsewhere =
            kinds == [UsualProcessKind::PersonalCase] && self.external_organisation_named();
        if personal_case_elsewhere {
            self.alternative(Route::UsualProcess(UsualProcessKind::PersonalCase));
        } else if let Some((&kind, others)) = kinds.split_first() {
            let words = self.quote(Self::usual_process_cues(kind));
            let process = match kind {
                UsualProcessKind::Complaint => "le processus de traitement des plaintes",
                UsualProcessKind::Wrongdoing => {
                    "la Commission municipale du Québec (divulgation d'actes répréhensibles)"
                }
                UsualProcessKind::EmployeeComplaint => {
                    "le processus de traitement des plaintes au sujet du personnel"
                }
                UsualProcessKind::Media => "les relations de presse",
                UsualProcessKind::AccessRequest => {
                    "la section « Demande d'accès aux documents » du site Web"
                }
                UsualProcessKind::HumanResources => "la Direction des ressources humaines",
                UsualProcessKind::PersonalCase => {
                    "le service à la clientèle (un dossier personnel ne se traite pas sur les médias sociaux)"
                }
            };
            self.reason(
                ReasonCode::UsualProcess,
                format!("S2 § 8.2, puce « plainte, demande médiatique et demande d'accès » (R-22, R-30) : {}{words}; diriger la personne vers {process}.", kind.label_fr().to_lowercase()),
            );
            for other in others {
                self.alternative(Route::UsualProcess(*other));
            }
            return Some(Route::UsualProcess(kind));
        }
        None
    }

    /// Third step of §8.2: the communications team's responsibilities (R-20).
    fn communications_step(&mut self) -> Option<Route> {
        let asks = self.asks();
        let kb_above = self.knowledge_base_page_above_threshold();
        // Third step of §8.2: the communications team's own responsibilities.
        let broken_link = self.has(Cue::LinkWord) && self.has(Cue::BrokenWord);
        if self.has(Cue::Communications) || broken_link {
            let words = if self.has(Cue::Communications) {
                self.quote(&[Cue::Communications])
            } else {
                self.quote(&[Cue::LinkWord, Cue::BrokenWord])
            };
            self.reason(
                ReasonCode::CommunicationsTeam,
                format!("S2 § 8.2, troisième étape (R-20) : le message porte sur les responsabilités de la Direction des communications{words}; le gestionnaire de communauté répond directement."),
            );
            if asks && kb_above.is_some() {
                self.alternative(Route::AnswerWithLink);
            }
            return Some(Route::Communications);
        }
        None
    }

    /// Third step of §8.2: public content already on the website (R-20).
    fn answer_with_link_step(&mut self) -> Option<Route> {
        let asks = self.asks();
        let kb_above = self.knowledge_base_page_above_threshold();
        if asks {
            if let Some(hit) = kb_above {
                self.reason(
                    ReasonCode::PublicContentLink,
                    format!(
                        "S2 § 8.2, troisième étape (R-20) : la question porte sur un contenu public déjà présent sur le site Web : « {} » ({}), pertinence {:.2} (seuil {:.2}).",
                        hit.title, hit.url, hit.score, self.engine.context.knowledge_base_threshold
                    ),
                );
                if self.minister_interpellated() {
                    self.alternative(Route::Minister {
                        mentioned: self.minister_mentioned(),
                    });
                }
                if let Some((sector, _)) = self.sector_hits() {
                    self.alternative(Route::Respondent(Some(
                        self.engine.context.sectors[sector].id.clone(),
                    )));
                }
                return Some(Route::AnswerWithLink);
            }
            if let Some(hit) = self.input.knowledge_base_hit {
                self.reason(
                    ReasonCode::KnowledgeBaseBelowThreshold,
                    format!(
                        "La meilleure page du site Web, « {} », a une pertinence de {:.2}, sous le seuil de {:.2} : elle n'est pas proposée d'emblée.",
                        hit.title, hit.score, self.engine.context.knowledge_base_threshold
                    ),
                );
                self.alternative(Route::AnswerWithLink);
            }
        }
        None
    }

    /// Third step of §8.2: incomplete or unclear (R-20, R-29).
    fn ask_precision_step(&mut self) -> Option<Route> {
        let question = self.is_question();
        if question && self.is_unclear() {
            self.reason(
                ReasonCode::UnclearQuestion,
                "S2 § 8.2, troisième étape (R-20, R-29) : la question est incomplète ou imprécise (aucun sujet reconnu); demander à la personne ce qu'elle veut dire.".to_owned(),
            );
            return Some(Route::AskPrecision);
        }
        None
    }

    /// Bullet « interpellation des ministres » (R-23).
    fn minister_step(&mut self) -> Option<Route> {
        let asks = self.asks();
        if self.minister_interpellated() {
            let mentioned = self.minister_mentioned();
            let (_, negative) = self.tone();
            let administrative = asks && negative == 0 && self.sector_hits().is_some();
            let words = {
                let static_words = self.quote(&[Cue::MinisterWord]);
                if static_words.is_empty() {
                    self.quote_context(|target| target == ContextTarget::Minister)
                } else {
                    static_words
                }
            };
            if administrative {
                self.reason(
                    ReasonCode::MinisterAnswerableAdministratively,
                    format!("S2 § 8.2, puce « interpellation des ministres » (R-23) : le message nomme le ministre ou le parti au pouvoir{words}, mais il pose une question à laquelle on peut répondre de façon administrative; elle va au répondant sectoriel."),
                );
                self.alternative(Route::Minister { mentioned });
            } else {
                if mentioned {
                    self.reason(
                        ReasonCode::MinisterMentioned,
                        format!("S2 § 8.2, puce « interpellation des ministres » (R-23) : le ministre ou le parti au pouvoir est mentionné technologiquement{words}; ne pas répondre, le cabinet traite le commentaire avec son propre compte."),
                    );
                } else {
                    self.reason(
                        ReasonCode::MinisterInterpellation,
                        format!("S2 § 8.2, puce « interpellation des ministres » (R-23) : le message interpelle le ministre ou le parti au pouvoir{words} sans le mentionner technologiquement; transmettre à l'attaché de presse du cabinet."),
                    );
                }
                return Some(Route::Minister { mentioned });
            }
        }
        None
    }

    /// Bullet « discussions approfondies » (R-24).
    fn regional_directorate_step(&mut self) -> Option<Route> {
        let asks = self.asks();
        // In-depth discussions: regional directorate (R-24).
        let region = self.best_context(|target| match target {
            ContextTarget::Region(index) => Some(index),
            _ => None,
        });
        let region_id = region
            .as_ref()
            .map(|(index, _)| self.engine.context.regional_directorates[*index].id.clone());
        if self.has(Cue::DeepDiscussionRequest) || (self.has(Cue::DeepDiscussion) && asks) {
            let words = self.quote(&[Cue::DeepDiscussionRequest, Cue::DeepDiscussion]);
            self.reason(
                ReasonCode::DeepDiscussion,
                format!("S2 § 8.2, puce « discussions approfondies » (R-24) : la demande nécessite d'approfondir le sujet{words}; inviter la personne à joindre sa direction régionale par téléphone ou par courriel et en informer le répondant sectoriel."),
            );
            self.region_reason(region.as_ref());
            if let Some((sector, _)) = self.sector_hits() {
                self.alternative(Route::Respondent(Some(
                    self.engine.context.sectors[sector].id.clone(),
                )));
            }
            return Some(Route::RegionalDirectorate(region_id));
        }
        None
    }

    /// Bullet « autre organisation » (R-25).
    fn other_organisation_step(&mut self) -> Option<Route> {
        let asks = self.asks();
        // Another organisation's field (R-25).
        let organisation = self.best_context(|target| match target {
            ContextTarget::ExternalOrganisation(index) => Some(index),
            _ => None,
        });
        let sector = self.sector_hits();
        if let Some((index, others)) = organisation {
            let external = &self.engine.context.external_organisations[index];
            let organisation_route = Route::OtherOrganisation(Some(external.id.clone()));
            let words =
                self.quote_context(|target| target == ContextTarget::ExternalOrganisation(index));
            if let Some((sector_index, _)) = sector {
                let sector_context = &self.engine.context.sectors[sector_index];
                self.reason(
                    ReasonCode::SharedCompetence,
                    format!("S2 § 8.2, puce « autre organisation » (R-25) : le sujet relève en partie de {}{words} et en partie du secteur {}; le répondant sectoriel s'arrime avec l'autre organisation.", external.name, sector_context.name),
                );
                let route = Route::Respondent(Some(sector_context.id.clone()));
                self.alternative(organisation_route);
                return Some(route);
            }
            let action = if asks {
                "diriger la personne vers elle (mention technologique ou coordonnées)"
            } else {
                "l'aviser en privé et l'inviter à répondre sur notre page; sans réponse en 24 h, diriger la personne vers elle"
            };
            self.reason(
                ReasonCode::OtherOrganisation,
                format!("S2 § 8.2, puce « autre organisation » (R-25) : le sujet relève de {}{words}; {action}.", external.name),
            );
            for other in others {
                self.alternative(Route::OtherOrganisation(Some(
                    self.engine.context.external_organisations[other].id.clone(),
                )));
            }
            return Some(organisation_route);
        }
        None
    }

    /// The last bullets: a question goes to the sector's respondent (R-28); a comment is
    /// neutral or positive (R-26) or negative (R-27).
    fn last_bullets(&mut self) -> Route {
        let asks = self.asks();
        let region = self.best_context(|target| match target {
            ContextTarget::Region(index) => Some(index),
            _ => None,
        });
        let region_id = region
            .as_ref()
            .map(|(index, _)| self.engine.context.regional_directorates[*index].id.clone());
        let sector = self.sector_hits();
        if region.is_some() {
            self.alternative(Route::RegionalDirectorate(region_id.clone()));
        }

        let (positive, negative) = self.tone();
        if asks {
            return self.respondent(sector, positive, negative);
        }

        // Neutral or positive (R-26), other negative comments (R-27).
        if negative > 0 && negative >= positive {
            let words = self.quote(&[Cue::Negative]);
            self.reason(
                ReasonCode::Negative,
                format!("S2 § 8.2, puce « tout autre commentaire négatif » (R-27) : commentaire critique sans question{words}; ne rien répondre, accuser réception, inviter à joindre la direction régionale ou apporter un complément d'information."),
            );
            if positive > 0 {
                self.reason(ReasonCode::MixedTone, "Le message mêle des mots positifs et négatifs (possible ironie) : le ton négatif l'emporte.".to_owned());
                self.alternative(Route::Positive);
            }
            if let Some((sector, _)) = sector {
                self.alternative(Route::Respondent(Some(
                    self.engine.context.sectors[sector].id.clone(),
                )));
            }
            return Route::Negative;
        }
        if positive > 0 {
            let words = self.quote(&[Cue::Positive]);
            self.reason(
                ReasonCode::Positive,
                format!("S2 § 8.2, puce « commentaire neutre ou positif » (R-26) : commentaire positif{words}; ne rien répondre, remercier ou proposer de l'information complémentaire."),
            );
            if negative > 0 {
                self.reason(
                    ReasonCode::MixedTone,
                    "Le message mêle des mots positifs et négatifs : le ton positif l'emporte."
                        .to_owned(),
                );
                self.alternative(Route::Negative);
            }
        } else {
            self.reason(
                ReasonCode::Neutral,
                "S2 § 8.2, puce « commentaire neutre ou positif » (R-26) : commentaire sans question ni critique; le gestionnaire de communauté juge si une réponse est utile.".to_owned(),
            );
        }
        if let Some((sector, _)) = sector {
            self.alternative(Route::Respondent(Some(
                self.engine.context.sectors[sector].id.clone(),
            )));
        }
        Route::Positive
    }

    fn knowledge_base_page_above_threshold(&self) -> Option<&'i KbHit> {
        let threshold = self.engine.context.knowledge_base_threshold;
        self.input
            .knowledge_base_hit
            .filter(|hit| hit.score >= threshold)
    }

    fn respondent(
        &mut self,
        sector: Option<(usize, Vec<usize>)>,
        positive: usize,
        negative: usize,
    ) -> Route {
        self.reason(
            ReasonCode::QuestionForSector,
            "S2 § 8.2, dernière puce (R-28) : la question ne correspond à aucune autre puce; la transférer au répondant sectoriel, qui trouve une réponse complète.".to_owned(),
        );
        if negative > 0 {
            self.alternative(Route::Negative);
        } else if positive > 0 {
            self.alternative(Route::Positive);
        }
        match sector {
            Some((index, others)) => {
                let sector_context = &self.engine.context.sectors[index];
                let words = self.quote_context(|target| target == ContextTarget::Sector(index));
                self.reason(
                    ReasonCode::SectorIdentified,
                    format!("Secteur choisi : {}{words}.", sector_context.name),
                );
                for other in others {
                    self.alternative(Route::Respondent(Some(
                        self.engine.context.sectors[other].id.clone(),
                    )));
                }
                Route::Respondent(Some(sector_context.id.clone()))
            }
            None => {
                self.reason(ReasonCode::NoSectorIdentified, "Aucun secteur reconnu dans le message : le gestionnaire de communauté choisit le répondant.".to_owned());
                Route::Respondent(None)
            }
        }
    }

    fn region_reason(&mut self, region: Option<&(usize, Vec<usize>)>) {
        if let Some((index, others)) = region {
            let directorate = &self.engine.context.regional_directorates[*index];
            let words = self.quote_context(|target| target == ContextTarget::Region(*index));
            self.reason(
                ReasonCode::RegionIdentified,
                format!(
                    "Direction régionale reconnue : {}{words}; aviser sa boîte courriel générique.",
                    directorate.name
                ),
            );
            for other in others {
                self.alternative(Route::RegionalDirectorate(Some(
                    self.engine.context.regional_directorates[*other].id.clone(),
                )));
            }
        }
    }

    fn minister_mentioned(&self) -> bool {
        self.input.thread_mentions_minister || self.engine.minister_tagged(self.input.text)
    }

    /// A question with no subject the triage recognises and almost no content words.
    fn is_unclear(&self) -> bool {
        let recognised = self
            .context_hits
            .iter()
            .any(|hit| hit.target != ContextTarget::OwnName)
            || self.has(Cue::DeepDiscussion)
            || self.has(Cue::DeepDiscussionRequest)
            || self.has(Cue::MinisterWord);
        // A knowledge-base hit does not count: the search always returns a best page, and a
        // page above the threshold has already answered the question.
        if recognised {
            return false;
        }
        let content = self.content_word_count();
        content == 0 || (content <= 2 && self.has(Cue::VagueReference))
    }
}

/// ` (« a », « b »)` for the first three distinct non-empty spans, or nothing.
fn quote_spans<'s>(spans: impl Iterator<Item = &'s str>) -> String {
    let mut distinct: Vec<&str> = Vec::new();
    for span in spans {
        if !span.is_empty() && !distinct.iter().any(|seen| seen.eq_ignore_ascii_case(span)) {
            distinct.push(span);
            if distinct.len() == 3 {
                break;
            }
        }
    }
    if distinct.is_empty() {
        return String::new();
    }
    let quoted = distinct
        .iter()
        .map(|span| format!("« {span} »"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(" ({quoted})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lexicon_entry_compiles_to_a_pattern() {
        for (cue, entries) in LEXICON {
            for entry in *entries {
                assert!(compile_pattern(entry).is_some(), "{cue:?}: `{entry}`");
            }
        }
        assert!(STATIC_LEXICON.patterns.len() > 500);
    }

    #[test]
    fn folding_keeps_the_way_back_to_the_original_words() {
        let original = "Où en est la POURSUITE, svp? C’tu réglé…";
        let folded = FoldedMessage::new(original, &[]);
        assert_eq!(folded.text, "| ou en est la poursuite | svp | c tu regle |");
        assert!(folded.question_mark);
        assert!(folded.hyphen_inversion);
        let start = folded.text.find(" poursuite").unwrap_or(0);
        assert_eq!(
            folded.original_span(start, start + " poursuite".len()),
            "POURSUITE"
        );
    }

    #[test]
    fn masked_words_are_read_as_spaces() {
        let original = "Gang de caves, c'est quand?";
        let folded = FoldedMessage::new(original, &[(8, 13)]);
        assert_eq!(folded.text, "| gang de | c est quand |");
    }
}
