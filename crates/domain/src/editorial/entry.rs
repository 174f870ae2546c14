//! A calendar entry's content: Annexe 5's fields (date and time, networks, message and
//! hashtags, link with UTM tags, image with alternative text or video with subtitles,
//! mentions, geolocation, budget), its plan or campaign, sector and content type, and one
//! variant per network. Also the one-page limit of a staff suggestion and the live-video
//! criteria of Annexe 6.

use std::fmt;

use jiff::Timestamp;
use serde::Serialize;

use crate::entities::{Network, OrganisationId};
use crate::profile::{ContentType, UtmConvention};

/// A calendar entry, as numbered by the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct EntryId(i64);

impl EntryId {
    /// Wraps an id the store handed out.
    pub const fn new(raw: i64) -> Self {
        Self(raw)
    }

    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What is wrong with an entry's content, with a French message for people.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditorialError {
    /// a suggestion comes with at most one page of documentation.
    #[error(
        "la documentation dépasse une page ({characters} caractères / {words} mots; maximum {max_characters} caractères et {max_words} mots)"
    )]
    DocumentationTooLong {
        characters: usize,
        words: usize,
        max_characters: u32,
        max_words: u32,
    },
    /// Annexe 6 has exactly ten criteria.
    #[error("l'évaluation d'un direct compte {given} critères au lieu de 10")]
    WrongCriteriaCount { given: usize },
    /// Two variants for the same network.
    #[error("deux variantes pour le réseau {network}")]
    DuplicateVariant { network: String },
    /// A field that must say something is empty.
    #[error("le champ « {field} » est vide")]
    EmptyField { field: &'static str },
}

impl EditorialError {
    /// A stable snake_case code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            EditorialError::DocumentationTooLong { .. } => "documentation_too_long",
            EditorialError::WrongCriteriaCount { .. } => "wrong_criteria_count",
            EditorialError::DuplicateVariant { .. } => "duplicate_variant",
            EditorialError::EmptyField { .. } => "empty_field",
        }
    }
}

/// A staff suggestion's documentation, at most one page. « Une page » is measured as
/// the profile says (3,000 characters and 500 words by default): both limits apply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct SuggestionDocumentation(String);

impl SuggestionDocumentation {
    pub fn parse(text: &str, max_characters: u32, max_words: u32) -> Result<Self, EditorialError> {
        let characters = text.chars().count();
        let words = text.split_whitespace().count();
        if characters > max_characters as usize || words > max_words as usize {
            return Err(EditorialError::DocumentationTooLong {
                characters,
                words,
                max_characters,
                max_words,
            });
        }
        Ok(Self(text.to_owned()))
    }

    /// Documentation read back from the store, checked when it was written.
    pub fn from_stored(text: &str) -> Self {
        Self(text.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The ten criteria of S2 Annexe 6, in order, as people read them.
pub const LIVE_VIDEO_CRITERIA_FR: [&str; 10] = [
    "Nature du contenu",
    "Collaboration",
    "Potentiel de découvrabilité du sujet",
    "Accessibilité",
    "Constance",
    "Ciblage",
    "Pérennité",
    "Caractère conversationnel",
    "Interactivité",
    "Authenticité",
];

/// Which of Annexe 6's ten criteria a planned live video satisfies, recorded with the entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LiveVideoAssessment {
    criteria: [bool; 10],
}

impl LiveVideoAssessment {
    pub fn new(criteria: [bool; 10]) -> Self {
        Self { criteria }
    }

    pub fn from_slice(criteria: &[bool]) -> Result<Self, EditorialError> {
        let array: [bool; 10] =
            criteria
                .try_into()
                .map_err(|_| EditorialError::WrongCriteriaCount {
                    given: criteria.len(),
                })?;
        Ok(Self::new(array))
    }

    pub fn criteria(&self) -> [bool; 10] {
        self.criteria
    }

    /// Ten `0`/`1` characters, criterion 1 first (the stored form).
    pub fn to_code(&self) -> String {
        self.criteria
            .iter()
            .map(|met| if *met { '1' } else { '0' })
            .collect()
    }

    /// Reads the stored form back.
    pub fn from_code(code: &str) -> Option<Self> {
        let flags: Vec<bool> = code
            .chars()
            .map(|ch| match ch {
                '1' => Some(true),
                '0' => Some(false),
                _ => None,
            })
            .collect::<Option<Vec<bool>>>()?;
        Self::from_slice(&flags).ok()
    }

    pub fn satisfied(&self) -> u32 {
        self.criteria.iter().filter(|met| **met).count() as u32
    }

    /// Whether at least `minimum` criteria are met (the profile's majority, R-54).
    pub fn meets(&self, minimum: u32) -> bool {
        self.satisfied() >= minimum
    }
}

/// The image or video of a variant, with its accessibility.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Media {
    Image {
        reference: String,
        alt_text: String,
    },
    Video {
        reference: String,
        subtitles: bool,
        live: bool,
    },
}

/// What one network says of the entry (the same news reads differently on each network).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant {
    pub network: Network,
    pub message: String,
    pub hashtags: Vec<String>,
    pub link: Option<String>,
    pub media: Option<Media>,
    pub mentions: Vec<String>,
}

impl Variant {
    /// The text as published: the message followed by the hashtags not already in it.
    pub fn full_text(&self) -> String {
        let mut text = self.message.clone();
        for tag in &self.hashtags {
            let tag = if tag.starts_with('#') {
                tag.clone()
            } else {
                format!("#{tag}")
            };
            if !text.contains(&tag) {
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(&tag);
            }
        }
        text
    }
}

/// An entry's content: everything people write, as opposed to where it stands in the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryContent {
    pub organisation_id: OrganisationId,
    /// A short subject for the calendar views.
    pub title: String,
    /// Date and time of publication, when planned.
    pub scheduled_at: Option<Timestamp>,
    pub content_type: ContentType,
    /// The communications plan or campaign.
    pub campaign: Option<String>,
    /// The sector concerned (a sector id of the profile, or free text).
    pub sector: Option<String>,
    pub geolocation: Option<String>,
    /// Budget, as written (« 500 $ »).
    pub budget: Option<String>,
    /// A staff suggestion's documentation.
    pub documentation: Option<SuggestionDocumentation>,
    /// A variant of a publication already validated (infographics skip the external step).
    pub already_validated: bool,
    /// For a live video: Annexe 6's criteria.
    pub live_video: Option<LiveVideoAssessment>,
    pub variants: Vec<Variant>,
}

impl EntryContent {
    /// Checks what the parts cannot check alone: a title, one variant per network.
    pub fn check(&self) -> Result<(), EditorialError> {
        if self.title.trim().is_empty() {
            return Err(EditorialError::EmptyField { field: "title" });
        }
        for (index, variant) in self.variants.iter().enumerate() {
            if self.variants[..index]
                .iter()
                .any(|other| other.network == variant.network)
            {
                return Err(EditorialError::DuplicateVariant {
                    network: variant.network.to_string(),
                });
            }
        }
        Ok(())
    }

    /// Whether a variant carries a live video.
    pub fn is_live(&self) -> bool {
        self.variants
            .iter()
            .any(|variant| matches!(variant.media, Some(Media::Video { live: true, .. })))
    }
}

/// The link with the profile's UTM tags filled for a network and campaign; the tags
/// themselves are added by the caller through the publishing rules. Returns the three
/// values (source, medium, campaign).
pub fn link_with_utm(
    convention: &UtmConvention,
    network: &Network,
    campaign: Option<&str>,
    content_type: ContentType,
) -> (String, String, String) {
    let fill = |template: &str| {
        template
            .replace("{network}", network.as_str())
            .replace("{campaign}", &slugify(campaign.unwrap_or("balise")))
            .replace("{content_type}", content_type.id())
    };
    (
        fill(&convention.source),
        fill(&convention.medium),
        fill(&convention.campaign),
    )
}

/// Lowercase ASCII letters and digits joined by `-`: campaign names become tag values.
fn slugify(text: &str) -> String {
    let mut out = String::new();
    for ch in text.chars() {
        let folded = match ch {
            'à' | 'â' | 'ä' | 'À' | 'Â' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' => 'e',
            'î' | 'ï' | 'Î' => 'i',
            'ô' | 'ö' | 'Ô' => 'o',
            'ù' | 'û' | 'ü' | 'Ù' | 'Û' => 'u',
            'ç' | 'Ç' => 'c',
            other => other,
        };
        if folded.is_ascii_alphanumeric() {
            out.push(folded.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn one_page_is_three_thousand_characters_and_five_hundred_words() {
        assert!(SuggestionDocumentation::parse(&"a".repeat(3000), 3000, 500).is_ok());
        let error = SuggestionDocumentation::parse(&"é".repeat(3001), 3000, 500).unwrap_err();
        assert_eq!(error.code(), "documentation_too_long");
        let words = "mot ".repeat(501);
        assert!(words.chars().count() < 3000);
        assert!(SuggestionDocumentation::parse(&words, 3000, 500).is_err());
        assert!(SuggestionDocumentation::parse(&"mot ".repeat(500), 3000, 500).is_ok());
    }

    #[test]
    fn live_video_needs_the_majority() {
        let mut criteria = [false; 10];
        criteria[..5].fill(true);
        assert!(!LiveVideoAssessment::new(criteria).meets(6));
        criteria[5] = true;
        assert!(LiveVideoAssessment::new(criteria).meets(6));
        assert_eq!(
            LiveVideoAssessment::from_slice(&[true; 9])
                .unwrap_err()
                .code(),
            "wrong_criteria_count"
        );
    }

    #[test]
    fn utm_values_are_filled_and_campaigns_slugified() {
        let convention = UtmConvention {
            source: "{network}".into(),
            medium: "social".into(),
            campaign: "{campaign}-{content_type}".into(),
            reference: crate::profile::SourceRef::parse("S9").unwrap(),
        };
        let (source, medium, campaign) = link_with_utm(
            &convention,
            &Network::parse("facebook").unwrap(),
            Some("Sécurité des piscines 2026"),
            ContentType::Regular,
        );
        assert_eq!((source.as_str(), medium.as_str()), ("facebook", "social"));
        assert_eq!(campaign, "securite-des-piscines-2026-regular");
    }

    #[test]
    fn hashtags_are_appended_once() {
        let variant = Variant {
            network: Network::parse("x").unwrap(),
            message: "Piscines : soyez prudents #sécurité".into(),
            hashtags: vec!["sécurité".into(), "#été".into()],
            link: None,
            media: None,
            mentions: vec![],
        };
        assert_eq!(
            variant.full_text(),
            "Piscines : soyez prudents #sécurité #été"
        );
    }
}
