//! A cheap check that the organisation's own words are in French: the share of
//! French and English function words ("le", "des", "pour" against "the", "and", "for").
//! It only flags a text that is clearly English: short texts (fewer than 8 words), mixed
//! texts and texts with few function words pass, because a false alarm on a French post
//! costs more than a missed English one that a person reviews anyway.

use crate::problem::{Problem, ProblemCode};

/// Fewer words than this and the check says nothing.
const MIN_WORDS: usize = 8;

/// French function words, lowercase, without elided forms (handled by splitting on
/// apostrophes).
const FRENCH: &[&str] = &[
    "le", "la", "les", "un", "une", "des", "du", "de", "et", "ou", "est", "sont", "pour", "par",
    "avec", "dans", "sur", "au", "aux", "ce", "cette", "ces", "qui", "que", "quoi", "nous", "vous",
    "ils", "elles", "il", "elle", "son", "sa", "ses", "leur", "leurs", "notre", "nos", "votre",
    "vos", "en", "ne", "pas", "plus", "mais", "donc", "car", "sont", "été", "être", "avoir",
    "fait", "entre", "chez", "sans", "sous", "vers", "depuis", "aussi", "très", "tous", "toutes",
    "tout", "même", "où", "dont", "lors", "afin", "ainsi", "selon", "déjà", "à", "l", "d", "qu",
    "n", "s", "c", "j", "m", "t",
];

/// English function words, lowercase.
const ENGLISH: &[&str] = &[
    "the", "and", "of", "to", "in", "is", "are", "for", "with", "at", "by", "from", "this", "that",
    "these", "those", "it", "its", "we", "you", "they", "our", "your", "their", "be", "was",
    "were", "been", "has", "have", "had", "will", "would", "can", "could", "should", "not", "but",
    "or", "an", "as", "about", "into", "more", "all", "who", "which", "what", "when", "where",
    "how", "there", "here", "new", "please", "join", "us",
];

/// What the detector concludes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LanguageGuess {
    French,
    English,
    /// Too short, mixed, or without enough function words to say.
    Unknown,
}

/// Guesses whether a text is French or English from its function words.
pub fn guess_language(text: &str) -> LanguageGuess {
    let mut words = 0;
    let mut french = 0;
    let mut english = 0;
    for raw in text.split(|c: char| !(c.is_alphanumeric() || c == '-')) {
        if raw.is_empty() || raw.chars().all(|c| c.is_ascii_digit() || c == '-') {
            continue;
        }
        words += 1;
        let word = raw.to_lowercase();
        if FRENCH.contains(&word.as_str()) {
            french += 1;
        }
        if ENGLISH.contains(&word.as_str()) {
            english += 1;
        }
    }
    if words < MIN_WORDS {
        return LanguageGuess::Unknown;
    }
    // Clearly English: enough English function words, and far more than French ones.
    if english >= 3 && english * 5 >= words && english >= 3 * french.max(1) {
        return LanguageGuess::English;
    }
    if french >= 3 && french * 5 >= words && french >= 3 * english.max(1) {
        return LanguageGuess::French;
    }
    LanguageGuess::Unknown
}

/// The `not_french` problem when the text is clearly English.
pub fn check_french(text: &str) -> Option<Problem> {
    (guess_language(text) == LanguageGuess::English).then(|| {
        Problem::new(
            ProblemCode::NotFrench,
            "Le texte semble rédigé en anglais ; les publications de l'organisme sont en français."
                .to_owned(),
            "The text looks English; the organisation publishes in French.".to_owned(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quebec_posts_in_french_are_not_flagged() {
        let posts = [
            "Le programme d'aide financière aux municipalités est maintenant ouvert. Les demandes doivent être déposées avant le 30 septembre. Tous les détails : https://www.quebec.ca/habitation",
            "Avis d'ébullition préventive : les résidents du secteur Mingan doivent faire bouillir l'eau pendant une minute avant de la consommer.",
            "Rappel : le déneigement des rues commence ce soir à 23 h. Merci de déplacer vos véhicules! #BaieComeau",
            "Félicitations aux 12 municipalités lauréates du prix Leadership municipal 2025 pour leurs projets en habitation durable.",
            "La ministre annonce 4,5 M$ pour la construction de 60 logements abordables à Sept-Îles.",
        ];
        for post in posts {
            assert_ne!(guess_language(post), LanguageGuess::English, "{post}");
            assert!(check_french(post).is_none(), "{post}");
        }
        assert_eq!(guess_language(posts[0]), LanguageGuess::French);
    }

    #[test]
    fn clearly_english_posts_are_flagged() {
        let posts = [
            "The municipal housing program is now open. Applications must be submitted before September 30 and all the details are on our website.",
            "Join us this Saturday at the town hall for a public consultation on the new urban plan. Everyone is welcome!",
        ];
        for post in posts {
            assert_eq!(guess_language(post), LanguageGuess::English, "{post}");
            assert_eq!(
                check_french(post).map(|problem| problem.code.id()),
                Some("not_french")
            );
        }
    }

    #[test]
    fn short_or_mixed_texts_are_not_flagged() {
        assert_eq!(
            guess_language("Thank you for your help!"),
            LanguageGuess::Unknown
        );
        assert_eq!(
            guess_language("Merci! Thank you! Bonne journée à tous et à toutes, have a nice day."),
            LanguageGuess::Unknown
        );
        // Bilingual notice, French first, as some bodies post for an emergency.
        let bilingual = "Avis de fermeture de la route 138 entre Baie-Comeau et Chute-aux-Outardes. Notice: Route 138 is closed between Baie-Comeau and Chute-aux-Outardes.";
        assert!(check_french(bilingual).is_none());
    }
}
