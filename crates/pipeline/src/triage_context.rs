//! The triage's view of a profile: the organisation's names, its regional directorates with
//! their region, other organisations and sectors. The profile format does not hold keyword
//! lists or the minister's names yet, so those are the names the profile gives; the triage
//! still falls back on its own Quebec-French lexicon for everything else.

use domain::profile::Profile;
use domain::triage::{
    ExternalOrganisationContext, RegionalDirectorateContext, SectorContext, TargetId, TriageContext,
};

/// Coverage (share of the question's analysed terms the page holds) at or above which a
/// knowledge-base page answers the question with a link.
pub const KNOWLEDGE_BASE_COVERAGE_THRESHOLD: f32 = 0.6;

/// Builds the triage context of a profile. Entries whose id is not a valid target id are
/// left out (the profile check reports them).
pub fn triage_context(profile: &Profile) -> TriageContext {
    let identity = profile.identity();
    let mut organisation_names = vec![identity.name.clone()];
    if !identity.abbreviation.trim().is_empty() {
        organisation_names.push(identity.abbreviation.clone());
    }
    TriageContext {
        organisation_names,
        minister: Default::default(),
        regional_directorates: profile
            .regional_directorates()
            .iter()
            .filter_map(|directorate| {
                Some(RegionalDirectorateContext {
                    id: TargetId::parse(&directorate.id).ok()?,
                    name: directorate.name.clone(),
                    places: vec![directorate.region.clone()],
                })
            })
            .collect(),
        external_organisations: profile
            .external_organisations()
            .iter()
            .filter_map(|organisation| {
                Some(ExternalOrganisationContext {
                    id: TargetId::parse(&organisation.id).ok()?,
                    name: organisation.name.clone(),
                    keywords: Vec::new(),
                })
            })
            .collect(),
        sectors: profile
            .sectors()
            .iter()
            .filter_map(|sector| {
                Some(SectorContext {
                    id: TargetId::parse(&sector.id).ok()?,
                    name: sector.name.clone(),
                    keywords: sector_keywords(&sector.name),
                })
            })
            .collect(),
        knowledge_base_threshold: KNOWLEDGE_BASE_COVERAGE_THRESHOLD,
    }
}

/// Words of an administrative unit's name that say nothing of its subject.
const GENERIC_UNIT_WORDS: &[&str] = &[
    "direction", "directions", "generale", "général", "générale", "general", "service", "services",
    "bureau", "secteur", "division", "adjointe", "adjoint", "ministère", "ministere", "des", "de",
    "du", "la", "le", "les", "et", "l", "d", "en", "aux", "au", "pour",
];

/// The subject keywords of a sector, from its name: the whole name, and each word of five
/// letters or more that is not generic ("Direction générale de la fiscalité et de
/// l'évaluation foncière" gives "fiscalité", "évaluation", "foncière"). The profile format has
/// no keyword list yet; the name is what the organisation wrote.
fn sector_keywords(name: &str) -> Vec<String> {
    let mut keywords = vec![name.to_owned()];
    for word in name.split(|character: char| !character.is_alphanumeric()) {
        let lowered = word.to_lowercase();
        if lowered.chars().count() >= 5
            && !GENERIC_UNIT_WORDS.contains(&lowered.as_str())
            && !keywords.contains(&lowered)
        {
            keywords.push(lowered);
        }
    }
    keywords
}

#[cfg(test)]
mod sector_keyword_tests {
    use super::sector_keywords;

    #[test]
    fn subject_words_are_kept_and_generic_ones_dropped() {
        let keywords = sector_keywords("Direction générale de la fiscalité et de l'évaluation foncière");
        assert!(keywords.contains(&"fiscalité".to_owned()));
        assert!(keywords.contains(&"évaluation".to_owned()));
        assert!(keywords.contains(&"foncière".to_owned()));
        assert!(!keywords.contains(&"direction".to_owned()));
        assert!(!keywords.contains(&"générale".to_owned()));
    }
}
