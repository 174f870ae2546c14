//! The French analyser: how page text and citizens' questions become index terms.
//!
//! Both sides of a search go through the same chain, so a question matches a page whatever
//! its accents, case, elisions or inflections:
//!
//! 1. [`FrenchWordTokenizer`] splits on everything that is not a letter or digit and drops
//!    elided articles and pronouns (`l'`, `d'`, `qu'`, `jusqu'`…), so « l'inscription »
//!    yields `inscription`.
//! 2. Tokens longer than [`MAX_TOKEN_BYTES`] are dropped (they are URLs, hashes or junk).
//! 3. Lowercasing, then ASCII folding (`é`→`e`, `ç`→`c`, `œ`→`oe`).
//! 4. French stop words, folded the same way ([`FRENCH_STOP_WORDS`]).
//! 5. [`SuffixAccentFilter`]: the accent of the few suffixes the stemmer needs accented
//!    (`-ière`, `-ité`, `-ée`) is put back on the folded word.
//! 6. The Snowball French stemmer.
//!
//! Folding comes *before* stemming on purpose: citizens often type without accents, and
//! folding first makes « élection » and « election » give the same term by construction
//! (`analyse(folded(w)) == analyse(w)` for every word). Stemming first would not: Snowball
//! stems « financière » to `financi` but « financiere » to `financier`. Folding first alone
//! has the opposite flaw (« financière » and « financier » would differ), because some
//! Snowball rules are written for accented suffixes; step 5 restores exactly those suffix
//! accents on the folded word, which keeps the guarantee (it only reads folded text).
//!
//! What the stemmer joins and does not join (checked by the tests): inflections are
//! joined (`logement`/`logements`, `municipal`/`municipaux`/`municipalité`,
//! `financière`/`financier`, `élection`/`élections`, `réclamée`/`réclamer`), derivations
//! mostly are not: `inscrire` → `inscrir` while `inscription` → `inscript` (`évaluer` and
//! `évaluation` both give `evalu`, by luck). A question « m'inscrire » therefore does not
//! match `inscription` through that word; it matches through the other words it shares.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, Stemmer, StopWordFilter,
    TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

/// The name the analyser is registered under in the index's tokenizer manager.
pub const FRENCH_ANALYSER_NAME: &str = "balise_french";

/// Tokens longer than this (in bytes) are dropped: real French words are far shorter, and
/// very long tokens would only bloat the index.
pub const MAX_TOKEN_BYTES: usize = 40;

/// Elided words that are dropped when an apostrophe joins them to the next word. The list
/// is Lucene's French elision set.
const ELIDED_PREFIXES: &[&str] = &[
    "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu",
];

/// French stop words, written with their accents; they are folded before use.
///
/// The first block is the complete Snowball French list (tantivy ships a shortened copy
/// that lacks `a`, `est`, `été`, `son`…). The second block is Lucene's additions. The third
/// block holds the words that open questions and greetings on social media (« Bonjour,
/// comment est-ce que je peux… ») and the quantifiers and adverbs of complaints (« tous »,
/// « jamais », « rien »): they carry no subject, and leaving them in would rank pages by
/// how often they say « comment » or « tous ».
pub const FRENCH_STOP_WORDS: &[&str] = &[
    // Snowball.
    "au", "aux", "avec", "ce", "ces", "dans", "de", "des", "du", "elle", "en", "et", "eux", "il",
    "ils", "je", "la", "le", "les", "leur", "lui", "ma", "mais", "me", "même", "mes", "moi", "mon",
    "ne", "nos", "notre", "nous", "on", "ou", "où", "par", "pas", "pour", "qu", "que", "qui", "sa",
    "se", "ses", "son", "sur", "ta", "te", "tes", "toi", "ton", "tu", "un", "une", "vos", "votre",
    "vous", "c", "d", "j", "l", "à", "m", "n", "s", "t", "y", "été", "étée", "étées", "étés",
    "étant", "étante", "étants", "étantes", "suis", "es", "est", "sommes", "êtes", "sont", "serai",
    "seras", "sera", "serons", "serez", "seront", "serais", "serait", "serions", "seriez",
    "seraient", "étais", "était", "étions", "étiez", "étaient", "fus", "fut", "fûmes", "fûtes",
    "furent", "sois", "soit", "soyons", "soyez", "soient", "fusse", "fusses", "fût", "fussions",
    "fussiez", "fussent", "ayant", "ayante", "ayantes", "ayants", "eu", "eue", "eues", "eus", "ai",
    "as", "avons", "avez", "ont", "aurai", "auras", "aura", "aurons", "aurez", "auront", "aurais",
    "aurait", "aurions", "auriez", "auraient", "avais", "avait", "avions", "aviez", "avaient",
    "eut", "eûmes", "eûtes", "eurent", "aie", "aies", "ait", "ayons", "ayez", "aient", "eusse",
    "eusses", "eût", "eussions", "eussiez", "eussent", "a", // Lucene additions.
    "ceci", "cela", "celà", "cet", "cette", "ici", "leurs", "quel", "quels", "quelle", "quelles",
    "sans", "soi",
    // Questions, greetings and auxiliaries of social media messages.
    "comment", "pourquoi", "quand", "combien", "bonjour", "allo", "allô", "salut", "merci", "svp",
    "stp", "plaît", "plait", "ça", "ca", "si", "peux", "peut", "peuvent", "pouvez", "pourrais",
    "pourrait", "pourriez", "dois", "doit", "doivent", "devez", "faut", "faire", "fais", "fait",
    "veux", "veut", "voudrais", "aimerais", "savoir", "oui", "ya",
    // Quantifiers and adverbs that say nothing of the subject.
    "tout", "tous", "toute", "toutes", "rien", "très", "bien", "aussi", "alors", "donc", "car",
    "comme", "chez", "encore", "déjà", "jamais", "toujours", "beaucoup", "trop", "chaque",
    "vraiment",
];

/// Builds the analyser described in the module documentation.
pub fn french_analyser() -> TextAnalyzer {
    TextAnalyzer::builder(FrenchWordTokenizer)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::remove(folded_stop_words()))
        .filter(SuffixAccentFilter)
        .filter(Stemmer::new(Language::French))
        .build()
}

/// Folded endings and the accented endings the Snowball French stemmer has rules for.
/// Longest first, so `ieres` wins over `es`-less forms. A word must keep at least
/// [`MIN_STEM_BEFORE_SUFFIX`] characters before the ending, so short words such as
/// `site` or `fee` are left alone.
const SUFFIX_ACCENTS: &[(&str, &str)] = &[
    ("ieres", "ières"),
    ("iere", "ière"),
    ("ites", "ités"),
    ("ite", "ité"),
    ("ees", "ées"),
    ("ee", "ée"),
];

/// See [`SUFFIX_ACCENTS`].
const MIN_STEM_BEFORE_SUFFIX: usize = 3;

/// Puts back the accent of the suffixes listed in [`SUFFIX_ACCENTS`] on folded words, so
/// the stemmer treats « financiere » like « financière ». It reads only folded text, so
/// accented and unaccented spellings of a word still give the same term.
#[derive(Clone, Copy, Debug, Default)]
pub struct SuffixAccentFilter;

impl TokenFilter for SuffixAccentFilter {
    type Tokenizer<T: Tokenizer> = SuffixAccentTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> SuffixAccentTokenizer<T> {
        SuffixAccentTokenizer { inner: tokenizer }
    }
}

/// The tokenizer [`SuffixAccentFilter`] wraps around the one before it.
#[derive(Clone, Debug)]
pub struct SuffixAccentTokenizer<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for SuffixAccentTokenizer<T> {
    type TokenStream<'a> = SuffixAccentTokenStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        SuffixAccentTokenStream {
            inner: self.inner.token_stream(text),
        }
    }
}

/// The token stream of [`SuffixAccentTokenizer`].
pub struct SuffixAccentTokenStream<S> {
    inner: S,
}

impl<S: TokenStream> TokenStream for SuffixAccentTokenStream<S> {
    fn advance(&mut self) -> bool {
        if !self.inner.advance() {
            return false;
        }
        let token = self.inner.token_mut();
        if let Some(accented) = with_suffix_accent(&token.text) {
            token.text = accented;
        }
        true
    }

    fn token(&self) -> &Token {
        self.inner.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.inner.token_mut()
    }
}

fn with_suffix_accent(word: &str) -> Option<String> {
    SUFFIX_ACCENTS.iter().find_map(|(folded, accented)| {
        let stem = word.strip_suffix(folded)?;
        (stem.len() >= MIN_STEM_BEFORE_SUFFIX).then(|| format!("{stem}{accented}"))
    })
}

/// The index terms the analyser makes of `text`, in order, duplicates kept.
pub fn analyse(text: &str) -> Vec<String> {
    let mut analyser = french_analyser();
    let mut stream = analyser.token_stream(text);
    let mut terms = Vec::new();
    while let Some(token) = stream.next() {
        terms.push(token.text.clone());
    }
    terms
}

/// The stop words passed through the same lowercasing and folding as the tokens they are
/// compared with, so « où » also stops « ou » typed without its accent.
fn folded_stop_words() -> Vec<String> {
    let mut folding = TextAnalyzer::builder(FrenchWordTokenizer)
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build();
    let mut words = Vec::with_capacity(FRENCH_STOP_WORDS.len());
    for word in FRENCH_STOP_WORDS {
        let mut stream = folding.token_stream(word);
        while let Some(token) = stream.next() {
            words.push(token.text.clone());
        }
    }
    words
}

/// Splits text into words: maximal runs of letters and digits. An apostrophe between two
/// letters ends the word before it, and that word is dropped when it is an elided article
/// or pronoun (`l'`, `qu'`…). Offsets are byte offsets into the original text, so
/// highlighting in snippets points at the original characters.
#[derive(Clone, Debug, Default)]
pub struct FrenchWordTokenizer;

/// The tokens of one text, computed eagerly: texts are page-sized, and a vector keeps the
/// splitting logic in one straight loop.
pub struct FrenchWordTokenStream {
    tokens: Vec<Token>,
    /// Index of the current token plus one; 0 before the first `advance`.
    next_index: usize,
}

impl Tokenizer for FrenchWordTokenizer {
    type TokenStream<'a> = FrenchWordTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> FrenchWordTokenStream {
        FrenchWordTokenStream {
            tokens: split_french_words(text),
            next_index: 0,
        }
    }
}

impl TokenStream for FrenchWordTokenStream {
    fn advance(&mut self) -> bool {
        if self.next_index < self.tokens.len() {
            self.next_index += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        // tantivy calls `token` only after `advance` returned true, so the index is valid;
        // before that, the first token (or an empty one) is a harmless answer.
        let index = self.next_index.saturating_sub(1);
        self.tokens.get(index).unwrap_or(&EMPTY_TOKEN)
    }

    fn token_mut(&mut self) -> &mut Token {
        let index = self.next_index.saturating_sub(1);
        if index >= self.tokens.len() {
            self.tokens.push(Token::default());
        }
        &mut self.tokens[index]
    }
}

static EMPTY_TOKEN: Token = Token {
    offset_from: 0,
    offset_to: 0,
    position: 0,
    text: String::new(),
    position_length: 1,
};

fn is_apostrophe(character: char) -> bool {
    matches!(character, '\'' | '\u{2019}' | '\u{02BC}' | '\u{2018}' | '`')
}

fn is_elided_prefix(word: &str) -> bool {
    ELIDED_PREFIXES
        .iter()
        .any(|prefix| prefix.eq_ignore_ascii_case(word))
}

fn split_french_words(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut word_start: Option<usize> = None;
    let mut characters = text.char_indices().peekable();
    while let Some((offset, character)) = characters.next() {
        if character.is_alphanumeric() {
            if word_start.is_none() {
                word_start = Some(offset);
            }
            continue;
        }
        let Some(start) = word_start.take() else {
            continue;
        };
        let word = &text[start..offset];
        let followed_by_letter = characters
            .peek()
            .is_some_and(|(_, next)| next.is_alphanumeric());
        if is_apostrophe(character) && followed_by_letter && is_elided_prefix(word) {
            continue;
        }
        push_token(&mut tokens, text, start, offset);
    }
    if let Some(start) = word_start {
        push_token(&mut tokens, text, start, text.len());
    }
    tokens
}

fn push_token(tokens: &mut Vec<Token>, text: &str, start: usize, end: usize) {
    let position = tokens.len();
    tokens.push(Token {
        offset_from: start,
        offset_to: end,
        position,
        text: text[start..end].to_owned(),
        position_length: 1,
    });
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn words(text: &str) -> Vec<String> {
        split_french_words(text)
            .into_iter()
            .map(|token| token.text)
            .collect()
    }

    #[test]
    fn elided_articles_and_pronouns_are_dropped_with_any_apostrophe() {
        assert_eq!(words("l'inscription"), ["inscription"]);
        assert_eq!(words("d’aide qu'il jusqu'au"), ["aide", "il", "au"]);
        assert_eq!(
            words("m'inscrire, t'es, c'est, n'a, s'il, j'ai"),
            ["inscrire", "es", "est", "a", "il", "ai"]
        );
    }

    #[test]
    fn apostrophes_that_are_not_elisions_split_words_without_dropping_them() {
        assert_eq!(words("aujourd'hui"), ["aujourd", "hui"]);
        assert_eq!(words("l' espace"), ["l", "espace"]);
    }

    #[test]
    fn hyphens_and_punctuation_split_words_and_offsets_point_into_the_text() {
        let text = "Baie-Comeau, 2026 : élections!";
        let tokens = split_french_words(text);
        let spans: Vec<&str> = tokens
            .iter()
            .map(|token| &text[token.offset_from..token.offset_to])
            .collect();
        assert_eq!(spans, ["Baie", "Comeau", "2026", "élections"]);
        let positions: Vec<usize> = tokens.iter().map(|token| token.position).collect();
        assert_eq!(positions, [0, 1, 2, 3]);
    }

    #[test]
    fn accents_case_and_ligatures_are_folded() {
        assert_eq!(analyse("ÉLECTION"), analyse("election"));
        assert_eq!(analyse("façade"), analyse("facade"));
        assert_eq!(analyse("œuvre"), ["oeuvr"]);
        assert_eq!(analyse("financière"), analyse("financiere"));
    }

    #[test]
    fn folding_before_stemming_makes_every_word_accent_insensitive() {
        for word in [
            "évaluation",
            "propriété",
            "municipalité",
            "réclamée",
            "élu",
            "électeurs",
            "numéro",
            "conformément",
            "remboursé",
            "Québec",
            "fêtes",
            "reçu",
            "sinistrés",
            "financière",
            "première",
            "gratuité",
            "idée",
            "réclamées",
        ] {
            let unaccented: String = analyse_fold_only(word);
            assert_eq!(analyse(word), analyse(&unaccented), "{word}");
        }
    }

    fn analyse_fold_only(text: &str) -> String {
        let mut folding = TextAnalyzer::builder(FrenchWordTokenizer)
            .filter(AsciiFoldingFilter)
            .build();
        let mut stream = folding.token_stream(text);
        let mut out = String::new();
        while let Some(token) = stream.next() {
            out.push_str(&token.text);
        }
        out
    }

    #[test]
    fn inflections_are_joined_by_the_stemmer() {
        assert_eq!(analyse("logements"), analyse("logement"));
        assert_eq!(analyse("municipaux"), analyse("municipal"));
        assert_eq!(analyse("municipales"), analyse("municipale"));
        assert_eq!(analyse("financières"), analyse("financier"));
        assert_eq!(analyse("foncière"), analyse("fonciers"));
        assert_eq!(analyse("municipalités"), analyse("municipal"));
        assert_eq!(analyse("réclamée"), analyse("réclamer"));
        assert_eq!(analyse("élections"), analyse("élection"));
        assert_eq!(analyse("propriétaires"), analyse("propriétaire"));
        assert_eq!(analyse("sinistrés"), analyse("sinistre"));
    }

    #[test]
    fn suffix_accents_are_restored_only_on_long_enough_words() {
        assert_eq!(
            with_suffix_accent("financieres").as_deref(),
            Some("financières")
        );
        assert_eq!(
            with_suffix_accent("municipalite").as_deref(),
            Some("municipalité")
        );
        assert_eq!(with_suffix_accent("site"), None);
        assert_eq!(with_suffix_accent("logement"), None);
    }

    #[test]
    fn derivations_the_stemmer_does_not_join_are_documented() {
        // Snowball strips inflections, not derivations: this pins down the behaviour the
        // module documentation describes, so a stemmer change is noticed.
        assert_ne!(analyse("inscrire"), analyse("inscription"));
        assert_eq!(analyse("évaluation"), analyse("évaluer"));
    }

    #[test]
    fn stop_words_are_removed_with_or_without_accents() {
        assert!(analyse("Est-ce que c'est à vous ou à eux?").is_empty());
        assert!(analyse("Bonjour, comment faire svp ? où ou").is_empty());
        assert!(analyse("ete été").is_empty());
        assert_eq!(analyse("le logement"), analyse("logement"));
    }

    #[test]
    fn over_long_tokens_are_dropped() {
        let long_word = "a".repeat(MAX_TOKEN_BYTES + 1);
        assert!(analyse(&long_word).is_empty());
        assert_eq!(
            analyse(&format!("{long_word} logement")),
            analyse("logement")
        );
    }
}
