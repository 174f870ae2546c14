//! Implicit derogation and dehumanisation, the `hateful` speech that names no slur: a group
//! (or a pronoun or demonstrative standing for one) compared to vermin or animals, told to go
//! back where it came from, generalised over (« tous les X sont des voleurs »), set apart
//! (« pas comme nous autres »), or named by a coded word. It owns `data/derogation.txt`,
//! where each section is one role of a phrase; the rules here combine roles within a
//! sentence. Text is read through the shared normaliser, so obfuscated spellings of the
//! words (leet, inserted punctuation, repeated letters, look-alike characters) are read as
//! the words.
//!
//! It is cheap by construction: the engine calls it only when one of the comment's tokens is
//! the anchor of a phrase that can make a breach (one bit test per token, on the ids the
//! engine's lexicon pass has already computed); otherwise it costs nothing more. When it
//! runs, it is one hash lookup per token and a few comparisons per phrase found.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use crate::lexicon::Lexicon;
use crate::normalize::{normalize, Normalized};

/// The data file, compiled into the binary.
const DATA: &str = include_str!("../data/derogation.txt");
const DATA_FILE_NAME: &str = "derogation.txt";

/// How many tokens may separate a subject from the link (« sont ») before its predicate.
const SUBJECT_TO_LINK_TOKENS: usize = 3;
/// How many tokens may separate a link from the noun it applies (« sont tous des rats »).
const LINK_TO_NOUN_TOKENS: usize = 2;
/// How many tokens may separate a subject from a noun applied to it, in all.
const SUBJECT_TO_NOUN_TOKENS: usize = 6;
/// How many tokens may separate a noun from words after it that apply it (« des cafards,
/// c'est tout ce qu'ils sont »), and those words from the subject.
const NOUN_TO_LINK_AFTER_TOKENS: usize = 3;
const NOUN_TO_SUBJECT_AFTER_TOKENS: usize = 8;
/// How many tokens may separate a group from a call to send it away that needs it.
const GROUP_TO_EXCLUSION_TOKENS: usize = 6;
/// How many tokens may separate a call to send away from the group named after it
/// (« faudrait tous les renvoyer dans leur pays, les Haïtiens »).
const EXCLUSION_TO_GROUP_AFTER_TOKENS: usize = 5;
/// How many tokens may separate a pronoun from the othering words it is the subject of.
const PRONOUN_TO_OTHERING_TOKENS: usize = 3;

/// The role of a phrase, one per section of the data file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Group,
    Referent,
    Pronoun,
    Dehumanising,
    DehumanisingVerb,
    Link,
    Treated,
    LinkAfter,
    Stereotype,
    Trait,
    Othering,
    Exclusion,
    ExclusionWeak,
    Coded,
    Invasion,
    Border,
    Literal,
}

impl Role {
    const ALL: [Role; 17] = [
        Role::Group,
        Role::Referent,
        Role::Pronoun,
        Role::Dehumanising,
        Role::DehumanisingVerb,
        Role::Link,
        Role::Treated,
        Role::LinkAfter,
        Role::Stereotype,
        Role::Trait,
        Role::Othering,
        Role::Exclusion,
        Role::ExclusionWeak,
        Role::Coded,
        Role::Invasion,
        Role::Border,
        Role::Literal,
    ];

    fn section(self) -> &'static str {
        match self {
            Role::Group => "group",
            Role::Referent => "referent",
            Role::Pronoun => "pronoun",
            Role::Dehumanising => "dehumanising",
            Role::DehumanisingVerb => "dehumanising_verb",
            Role::Link => "link",
            Role::Treated => "treated",
            Role::LinkAfter => "link_after",
            Role::Stereotype => "stereotype",
            Role::Trait => "trait",
            Role::Othering => "othering",
            Role::Exclusion => "exclusion",
            Role::ExclusionWeak => "exclusion_weak",
            Role::Coded => "coded",
            Role::Invasion => "invasion",
            Role::Border => "border",
            Role::Literal => "literal",
        }
    }

    fn bit(self) -> u32 {
        1 << (self as u32)
    }

    /// Roles without which no rule fires: one of their phrases must be in the comment.
    fn is_predicate(self) -> bool {
        matches!(
            self,
            Role::Dehumanising
                | Role::DehumanisingVerb
                | Role::Stereotype
                | Role::Trait
                | Role::Othering
                | Role::Exclusion
                | Role::ExclusionWeak
                | Role::Coded
                | Role::Invasion
        )
    }
}

/// A mistake in the data file.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DerogationDataError {
    #[error("{DATA_FILE_NAME}:{line}: unknown section `{section}`")]
    UnknownSection { line: usize, section: String },
    #[error("{DATA_FILE_NAME}:{line}: entry before any section")]
    EntryBeforeSection { line: usize },
    #[error("{DATA_FILE_NAME}:{line}: unbalanced or nested parentheses in `{entry}`")]
    Unbalanced { line: usize, entry: String },
    #[error("{DATA_FILE_NAME}: no token of these phrases is known to the engine's lexicon, so nothing would ever call the detector for them (add their words to a list of hate.txt): {phrases}")]
    Unanchored { phrases: String },
}

/// A multiply-rotate hasher for short lowercase tokens (as the lexicon's own table): they
/// need no protection against chosen collisions.
#[derive(Default)]
struct TokenHasher(u64);

impl Hasher for TokenHasher {
    fn write(&mut self, bytes: &[u8]) {
        const MULTIPLIER: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        for byte in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(*byte)).wrapping_mul(MULTIPLIER);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type TokenMap<V> = HashMap<Box<str>, V, BuildHasherDefault<TokenHasher>>;

/// The compiled phrases of the data file and the gate over the engine's token ids.
pub(crate) struct Derogation {
    /// Normalised phrase → bits of its roles.
    phrases: TokenMap<u32>,
    /// First token of a phrase → the most tokens a phrase starting with it has.
    first_tokens: TokenMap<u8>,
    /// Bits over the engine lexicon's token ids: the anchors of the predicate phrases.
    anchors: Vec<u64>,
}

/// One phrase found in a comment.
#[derive(Clone, Copy, Debug)]
struct Found {
    roles: u32,
    /// Token range `[first, last)`.
    first: usize,
    last: usize,
    /// Normalised byte range.
    start: usize,
    end: usize,
}

impl Found {
    fn is(&self, role: Role) -> bool {
        self.roles & role.bit() != 0
    }

    fn overlaps(&self, other: &Found) -> bool {
        self.first < other.last && other.first < self.last
    }
}

/// What the engine knows of the comment that the rules need: its helpers for negation and
/// for words mentioned rather than used, so that this detector judges them as the rest of
/// the engine does.
pub(crate) struct EngineContext<'a> {
    pub normalized: &'a Normalized,
    /// The comment condemns or contradicts what it quotes (« c'est du racisme »).
    pub counter_speech: bool,
    /// A negation just before the first normalised offset or anywhere up to the second.
    pub negated_between: &'a dyn Fn(usize, usize) -> bool,
    /// The words at this normalised offset are quoted or reported to condemn them.
    pub mentioned_not_used: &'a dyn Fn(usize) -> bool,
}

static DETECTOR: OnceLock<Derogation> = OnceLock::new();

/// The engine's one call: judges the comment for implicit derogation when one of its tokens
/// (`token_ids`, their ids in the engine's `lexicon`) anchors a phrase that can make a
/// breach, and calls `breach(start, end)` with the normalised byte ranges of the words that
/// make it. `negated_between` and `mentioned_not_used` are the engine's own helpers.
///
/// The detector is compiled on first use against the engine's lexicon: every engine compiles
/// the same built-in data files, so every engine gives a token the same id.
pub(crate) fn judge(
    lexicon: &Lexicon,
    token_ids: &[Option<u32>],
    normalized: &Normalized,
    counter_speech: bool,
    negated_between: &dyn Fn(usize, usize) -> bool,
    mentioned_not_used: &dyn Fn(usize) -> bool,
    breach: &mut dyn FnMut(usize, usize),
) {
    // The data file is part of the crate and checked by the tests; a failure here is a bug
    // in it, not something a caller can act upon.
    let detector = DETECTOR.get_or_init(|| Derogation::new(lexicon).expect("derogation.txt compiles (checked by tests)"));
    if !detector.is_triggered(token_ids) {
        return;
    }
    let context = EngineContext { normalized, counter_speech, negated_between, mentioned_not_used };
    detector.find(&context, breach);
}

/// Expands `(a|b|)` groups into every phrase they stand for; `None` when unbalanced.
fn expand(entry: &str) -> Option<Vec<String>> {
    let mut phrases = vec![String::new()];
    let mut rest = entry;
    while !rest.is_empty() {
        if let Some(after_open) = rest.strip_prefix('(') {
            let close = after_open.find(')')?;
            let inside = after_open.get(..close)?;
            if inside.contains('(') {
                return None;
            }
            phrases = phrases
                .iter()
                .flat_map(|phrase| inside.split('|').map(move |option| format!("{phrase}{option}")))
                .collect();
            rest = after_open.get(close + 1..)?;
        } else {
            let literal_end = rest.find('(').unwrap_or(rest.len());
            let literal = rest.get(..literal_end)?;
            if literal.contains(')') {
                return None;
            }
            for phrase in &mut phrases {
                phrase.push_str(literal);
            }
            rest = rest.get(literal_end..)?;
        }
    }
    Some(phrases)
}

/// The phrases of the data file, normalised, each with its role.
fn parse(data: &str) -> Result<Vec<(String, Role)>, DerogationDataError> {
    let mut phrases = Vec::new();
    let mut role: Option<Role> = None;
    for (index, raw_line) in data.lines().enumerate() {
        let line_number = index + 1;
        let line = raw_line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) {
            let name = name.trim();
            role = Some(Role::ALL.into_iter().find(|role| role.section() == name).ok_or_else(|| {
                DerogationDataError::UnknownSection { line: line_number, section: name.to_owned() }
            })?);
            continue;
        }
        let role = role.ok_or(DerogationDataError::EntryBeforeSection { line: line_number })?;
        let expanded = expand(line).ok_or_else(|| DerogationDataError::Unbalanced { line: line_number, entry: line.to_owned() })?;
        for phrase in expanded {
            let normalized = normalize(&phrase).text;
            if !normalized.is_empty() {
                phrases.push((normalized, role));
            }
        }
    }
    Ok(phrases)
}

impl Derogation {
    /// Compiles the data file; `lexicon` is the engine's, whose token ids gate the detector.
    pub(crate) fn new(lexicon: &Lexicon) -> Result<Derogation, DerogationDataError> {
        Derogation::from_data(DATA, lexicon)
    }

    fn from_data(data: &str, lexicon: &Lexicon) -> Result<Derogation, DerogationDataError> {
        let mut phrases: TokenMap<u32> = TokenMap::default();
        let mut first_tokens: TokenMap<u8> = TokenMap::default();
        let mut anchors: Vec<u64> = Vec::new();
        let mut unanchored: Vec<String> = Vec::new();
        for (phrase, role) in parse(data)? {
            let tokens: Vec<&str> = phrase.split(' ').collect();
            if role.is_predicate() {
                // The longest token the engine's lexicon knows: the rarest, most likely.
                let anchor = tokens.iter().filter_map(|token| lexicon.token_id(token).map(|id| (token.len(), id))).max();
                let Some((_, anchor)) = anchor else {
                    unanchored.push(phrase.clone());
                    continue;
                };
                let anchor = anchor as usize;
                if anchors.len() <= anchor / 64 {
                    anchors.resize(anchor / 64 + 1, 0);
                }
                if let Some(word) = anchors.get_mut(anchor / 64) {
                    *word |= 1 << (anchor % 64);
                }
            }
            if let Some(first) = tokens.first() {
                let count = u8::try_from(tokens.len()).unwrap_or(u8::MAX);
                let longest = first_tokens.entry((*first).into()).or_insert(0);
                *longest = (*longest).max(count);
            }
            *phrases.entry(phrase.into_boxed_str()).or_insert(0) |= role.bit();
        }
        if !unanchored.is_empty() {
            return Err(DerogationDataError::Unanchored { phrases: unanchored.join(", ") });
        }
        Ok(Derogation { phrases, first_tokens, anchors })
    }

    /// Whether a token of the comment (by its id in the engine's lexicon) anchors a phrase
    /// that can make a breach. When not, nothing here can fire.
    pub(crate) fn is_triggered(&self, token_ids: &[Option<u32>]) -> bool {
        token_ids.iter().flatten().any(|id| {
            let id = *id as usize;
            self.anchors.get(id / 64).is_some_and(|word| word & (1 << (id % 64)) != 0)
        })
    }

    /// Every phrase of the data file in the comment, overlapping ones included.
    fn phrases_in(&self, normalized: &Normalized) -> Vec<Found> {
        let tokens = &normalized.tokens;
        let mut found = Vec::new();
        for (first, token) in tokens.iter().enumerate() {
            let Some(&longest) = self.first_tokens.get(normalized.token_text(token)) else { continue };
            for count in 1..=usize::from(longest) {
                let Some(last_token) = tokens.get(first + count - 1) else { break };
                let (start, end) = (token.start as usize, last_token.end as usize);
                let Some(phrase) = normalized.text.get(start..end) else { break };
                if let Some(&roles) = self.phrases.get(phrase) {
                    found.push(Found { roles, first, last: first + count, start, end });
                }
            }
        }
        found
    }

    /// Calls `breach(start, end)` with the normalised byte ranges of the words that make each
    /// implicit derogation found.
    pub(crate) fn find(&self, context: &EngineContext<'_>, breach: &mut dyn FnMut(usize, usize)) {
        // Implicit derogation cannot be told from its refutation once the comment condemns
        // or contradicts it, as in the engine's own pairing of groups and cues.
        if context.counter_speech {
            return;
        }
        let normalized = context.normalized;
        let found = self.phrases_in(normalized);
        if found.is_empty() {
            return;
        }
        // Sentence number of each token, to keep subjects and predicates together.
        let mut sentence_of = Vec::with_capacity(normalized.tokens.len());
        let mut sentence = 0usize;
        for token in &normalized.tokens {
            if token.sentence_initial {
                sentence += 1;
            }
            sentence_of.push(sentence);
        }
        let same_sentence = |first: usize, second: usize| sentence_of.get(first) == sentence_of.get(second);
        let of = |role: Role| found.iter().filter(move |phrase| phrase.is(role));
        let cancelled = |subject: &Found, predicate: &Found| {
            let (first, last) = (subject.start.min(predicate.start), subject.start.max(predicate.start));
            (context.negated_between)(first, last) || (context.mentioned_not_used)(first)
        };
        let mut report = |subject: Option<&Found>, predicate: &Found| {
            if let Some(subject) = subject {
                breach(subject.start, subject.end);
            }
            breach(predicate.start, predicate.end);
        };

        // A noun of vermin or beasts is applied to someone after a link word just before it
        // (« sont des rats ») or one just after it (« des cafards, c'est tout ce qu'ils
        // sont »); anywhere else it is meant as said (« des rats dans le parc »).
        let applied_before = |noun: &Found| {
            of(Role::Link).any(|link| link.last <= noun.first && link.last + LINK_TO_NOUN_TOKENS >= noun.first && !link.overlaps(noun))
        };
        let applied_after = |noun: &Found| {
            of(Role::LinkAfter).find(|link| link.first >= noun.last && link.first <= noun.last + NOUN_TO_LINK_AFTER_TOKENS).copied()
        };
        // Real animals in the comment: then a pronoun stands for them, not for people.
        let literal = of(Role::Literal).next().is_some()
            || of(Role::Dehumanising).any(|noun| !applied_before(noun) && applied_after(noun).is_none());
        let named_group = |before: usize| of(Role::Group).any(|group| group.first < before);
        let is_subject = |phrase: &Found, allow_pronoun: bool| {
            phrase.is(Role::Group) || phrase.is(Role::Referent) || (allow_pronoun && phrase.is(Role::Pronoun) && !literal)
        };

        // Calls to expel and coded words: breaches by themselves.
        for phrase in found.iter().filter(|phrase| phrase.is(Role::Exclusion) || phrase.is(Role::Coded)) {
            if !cancelled(phrase, phrase) {
                report(None, phrase);
            }
        }

        // Dehumanising nouns applied to a group or to a pronoun standing for one.
        for noun in of(Role::Dehumanising) {
            let subject = if applied_before(noun) {
                found
                    .iter()
                    .filter(|subject| is_subject(subject, true) && !subject.overlaps(noun))
                    .filter(|subject| subject.last <= noun.first && subject.last + SUBJECT_TO_NOUN_TOKENS >= noun.first)
                    .filter(|subject| same_sentence(subject.first, noun.first))
                    .max_by_key(|subject| subject.last)
            } else if let Some(link) = applied_after(noun) {
                found
                    .iter()
                    .filter(|subject| is_subject(subject, true) && !subject.overlaps(noun))
                    .filter(|subject| subject.first >= link.first && subject.first <= link.last + NOUN_TO_SUBJECT_AFTER_TOKENS)
                    .filter(|subject| same_sentence(subject.first, noun.first))
                    .min_by_key(|subject| subject.first)
            } else {
                None
            };
            // « On parque les migrants comme du bétail » speaks for them.
            let treated = of(Role::Treated).any(|verb| verb.last <= noun.first && same_sentence(verb.first, noun.first));
            if let Some(subject) = subject
                && !treated
                && !cancelled(subject, noun)
            {
                report(Some(subject), noun);
            }
        }

        // Verbs of swarms and pests with a group or a pronoun as their subject.
        for verb in of(Role::DehumanisingVerb) {
            let subject = found
                .iter()
                .filter(|subject| is_subject(subject, true) && !subject.overlaps(verb))
                .filter(|subject| subject.last <= verb.first && subject.last + LINK_TO_NOUN_TOKENS >= verb.first)
                .max_by_key(|subject| subject.last);
            if let Some(subject) = subject
                && !cancelled(subject, verb)
            {
                report(Some(subject), verb);
            }
        }

        // A vice generalised over a group: a group (or a pronoun after one) as the subject
        // of a link and the vice (« les X sont tous des voleurs »), or of a predicate of its
        // own (« vivent sur le BS »); a derogatory adjective right after a group word.
        for vice in found.iter().filter(|phrase| phrase.is(Role::Stereotype) || phrase.is(Role::Trait)) {
            let predicate_of = |subject: &Found| {
                let linked = of(Role::Link).any(|link| {
                    link.first >= subject.last
                        && link.first <= subject.last + SUBJECT_TO_LINK_TOKENS
                        && link.last <= vice.first
                        && link.last + LINK_TO_NOUN_TOKENS >= vice.first
                });
                let own_predicate = vice.last - vice.first >= 2 && subject.last <= vice.first && subject.last + SUBJECT_TO_LINK_TOKENS >= vice.first;
                let adjective = vice.is(Role::Trait) && subject.last == vice.first && subject.is(Role::Group);
                (linked || own_predicate || adjective) && same_sentence(subject.first, vice.first)
            };
            let subject = found
                .iter()
                .filter(|subject| !subject.overlaps(vice))
                .filter(|subject| {
                    subject.is(Role::Group) || ((subject.is(Role::Pronoun) || subject.is(Role::Referent)) && named_group(subject.first))
                })
                .filter(|subject| predicate_of(subject))
                .max_by_key(|subject| subject.last);
            if let Some(subject) = subject
                && !cancelled(subject, vice)
            {
                report(Some(subject), vice);
            }
        }

        // Othering: with a group word, once; with a pronoun alone, said twice.
        let mut othering_with_pronoun: Vec<(&Found, &Found)> = Vec::new();
        for othering in of(Role::Othering) {
            let subject = found
                .iter()
                .filter(|subject| !subject.overlaps(othering) && subject.last <= othering.first)
                .filter(|subject| subject.last + PRONOUN_TO_OTHERING_TOKENS >= othering.first)
                .filter(|subject| same_sentence(subject.first, othering.first))
                .filter(|subject| is_subject(subject, true) || subject.is(Role::Pronoun))
                .max_by_key(|subject| subject.last);
            let Some(subject) = subject else { continue };
            if cancelled(subject, othering) {
                continue;
            }
            if subject.is(Role::Group) || named_group(subject.first) {
                report(Some(subject), othering);
            } else {
                othering_with_pronoun.push((subject, othering));
            }
        }
        let distinct_othering = othering_with_pronoun
            .iter()
            .any(|(_, first)| othering_with_pronoun.iter().any(|(_, second)| second.first >= first.last));
        if distinct_othering {
            for (subject, othering) in &othering_with_pronoun {
                report(Some(subject), othering);
            }
        }

        // Calls to send away that need a group, or a demonstrative meaning one, nearby.
        for exclusion in of(Role::ExclusionWeak) {
            let subject = found
                .iter()
                .filter(|subject| (subject.is(Role::Group) || subject.is(Role::Referent)) && !subject.overlaps(exclusion))
                // A group asked about just before may stand in a sentence of its own
                // (« Les réfugiés? On n'en veut pas ici. »): the window is what bounds it.
                .find(|subject| {
                    (subject.last <= exclusion.first && subject.last + GROUP_TO_EXCLUSION_TOKENS >= exclusion.first)
                        || (subject.first >= exclusion.last && subject.first <= exclusion.last + EXCLUSION_TO_GROUP_AFTER_TOKENS)
                });
            if let Some(subject) = subject
                && !cancelled(subject, exclusion)
            {
                report(Some(subject), exclusion);
            }
        }

        // An invasion of the land, said about borders or migration.
        if of(Role::Border).next().is_some() {
            for invasion in of(Role::Invasion) {
                if !cancelled(invasion, invasion) {
                    report(None, invasion);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn alternatives_expand_and_unbalanced_ones_are_refused() {
        assert_eq!(expand("(a|b|) c").unwrap(), vec!["a c", "b c", " c"]);
        assert!(expand("(a|b c").is_none());
        assert!(expand("a) b").is_none());
    }

    #[test]
    fn data_errors_name_the_line() {
        let error = parse("# note\n[nonsense]\nrats\n").unwrap_err();
        assert_eq!(error.to_string(), "derogation.txt:2: unknown section `nonsense`");
        let error = parse("rats\n").unwrap_err();
        assert_eq!(error, DerogationDataError::EntryBeforeSection { line: 1 });
        let error = parse("[coded]\n(a|b\n").unwrap_err();
        assert_eq!(error, DerogationDataError::Unbalanced { line: 2, entry: "(a|b".to_owned() });
    }

    #[test]
    fn entries_are_normalised_like_the_text() {
        let phrases = parse("[exclusion]\nQu'ils retournent chez-eux\n").unwrap();
        assert_eq!(phrases, vec![("qu ils retournent chez eux".to_owned(), Role::Exclusion)]);
    }
}
