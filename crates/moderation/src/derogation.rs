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
//! the anchor of a phrase that can make a breach (one table load per token, on the ids the
//! engine's lexicon pass has already computed); otherwise it costs nothing more. When it
//! runs, it is one hash lookup per token and a few comparisons per phrase found.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use crate::lexicon::{LexKind, Lexicon};
use crate::normalize::{normalize, Normalized};

/// The data file, compiled into the binary.
const DATA: &str = include_str!("../data/derogation.txt");
const DATA_FILE_NAME: &str = "derogation.txt";

/// Anchors shorter than this (« l », « d », « qu ») are in most comments.
const MINIMUM_ANCHOR_LENGTH: usize = 3;
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
    NotAnchor,
}

impl Role {
    const ALL: [Role; 18] = [
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
        Role::NotAnchor,
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
            Role::NotAnchor => "not_anchor",
        }
    }

    fn bit(self) -> u32 {
        1 << (self as u32)
    }

    /// Roles whose phrases can make a breach without a group word in the comment: each of
    /// their phrases needs an anchor of its own. Every other rule needs a group word, or a
    /// predicate with an anchor of its own. Demonstratives (« ces gens-là ») and othering
    /// phrases (« pas la même culture ») are anchored when they have a rare enough word;
    /// those made of common words only (« ce monde-là », « pas comme nous ») are not, and
    /// count only in a comment the gate opened for something else.
    fn needs_anchor(self) -> bool {
        matches!(
            self,
            Role::Group
                | Role::Dehumanising
                | Role::DehumanisingVerb
                | Role::Exclusion
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
    #[error("{DATA_FILE_NAME}: no token of these phrases is both known to the engine's lexicon and not a common word, so nothing would ever call the detector for them (add a rarer word of each to a list of hate.txt, or drop the phrase): {phrases}")]
    Unanchored { phrases: String },
}

/// A multiply-rotate hasher for short lowercase tokens (as the lexicon's own table): they
/// need no protection against chosen collisions.
#[derive(Default)]
struct TokenHasher(u64);

impl Hasher for TokenHasher {
    fn write(&mut self, bytes: &[u8]) {
        const MULTIPLIER: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let (chunks, rest) = bytes.as_chunks::<8>();
        for chunk in chunks {
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(*chunk)).wrapping_mul(MULTIPLIER);
        }
        let mut last = 0u64;
        for (shift, byte) in rest.iter().enumerate() {
            last |= u64::from(*byte) << (8 * shift);
        }
        self.0 = (self.0.rotate_left(5) ^ last ^ ((bytes.len() as u64) << 56)).wrapping_mul(MULTIPLIER);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type TokenMap<V> = HashMap<Box<str>, V, BuildHasherDefault<TokenHasher>>;

/// The compiled phrases of the data file and the gate over the engine's token ids.
pub(crate) struct Derogation {
    /// Normalised phrase → bits of its roles, and every shorter run of its first tokens →
    /// 0 (or its own roles), so that a run no phrase starts with is given up at once.
    phrases: TokenMap<u32>,
    /// By the engine lexicon's token id: whether the token anchors a phrase without which no
    /// rule fires (groups, demonstratives, and the predicates that need neither). A byte per
    /// id rather than a bit: one load per token of every comment.
    anchors: Vec<bool>,
    /// By the engine lexicon's token id: whether some phrase starts with the token, so that
    /// looking for phrases costs no hashing at tokens none starts with.
    phrase_starts: Vec<bool>,
    /// Some phrase starts with a token the engine's lexicon does not know: tokens without
    /// an id must then be looked up.
    phrase_starts_without_id: bool,
    /// By the engine lexicon's token id: the entry of `phrases` for the token alone, if it
    /// has one, so that the first step of a run costs no hashing.
    single_token_roles: Vec<Option<u32>>,
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
    /// The engine lexicon's id of each token of `normalized`.
    pub token_ids: &'a [Option<u32>],
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
    let context = EngineContext { normalized, token_ids, counter_speech, negated_between, mentioned_not_used };
    detector.find(&context, breach);
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
        let expanded = crate::lexicon::expand(line).ok_or_else(|| DerogationDataError::Unbalanced { line: line_number, entry: line.to_owned() })?;
        for phrase in expanded {
            let normalized = normalize(&phrase).text;
            if !normalized.is_empty() {
                phrases.push((normalized, role));
            }
        }
    }
    Ok(phrases)
}

/// A common word of French or English by the engine's stop-word lists (« pas », « ici »,
/// « comme »): no use as an anchor, as most comments have one.
fn is_common_word(lexicon: &Lexicon, token: &str) -> bool {
    lexicon.single_token_pattern(token).and_then(|pattern| lexicon.entries.get(pattern)).is_some_and(|entries| {
        entries.iter().any(|entry| matches!(entry.kind, LexKind::Stopword(_)))
    })
}

impl Derogation {
    /// Compiles the data file; `lexicon` is the engine's, whose token ids gate the detector.
    pub(crate) fn new(lexicon: &Lexicon) -> Result<Derogation, DerogationDataError> {
        Derogation::from_data(DATA, lexicon)
    }

    fn from_data(data: &str, lexicon: &Lexicon) -> Result<Derogation, DerogationDataError> {
        let mut phrases: TokenMap<u32> = TokenMap::default();
        let mut anchors: Vec<bool> = Vec::new();
        let mut unanchored: Vec<String> = Vec::new();
        let mut phrase_starts: Vec<bool> = Vec::new();
        let mut phrase_starts_without_id = false;
        let parsed = parse(data)?;
        let too_common: Vec<&str> =
            parsed.iter().filter(|(_, role)| *role == Role::NotAnchor).map(|(word, _)| word.as_str()).collect();
        for (phrase, role) in parsed.iter().filter(|(_, role)| *role != Role::NotAnchor) {
            let tokens: Vec<&str> = phrase.split(' ').collect();
            match tokens.first().and_then(|first| lexicon.token_id(first)) {
                Some(id) => {
                    let id = id as usize;
                    if phrase_starts.len() <= id {
                        phrase_starts.resize(id + 1, false);
                    }
                    if let Some(slot) = phrase_starts.get_mut(id) {
                        *slot = true;
                    }
                }
                None => phrase_starts_without_id = true,
            }
            if role.needs_anchor() || matches!(role, Role::Othering | Role::Referent) {
                // The longest token the engine's lexicon knows that is not a common word: the
                // rarest, most likely, so that the gate stays shut on ordinary comments.
                let anchor = tokens
                    .iter()
                    .filter(|token| token.len() >= MINIMUM_ANCHOR_LENGTH && !too_common.contains(token) && !is_common_word(lexicon, token))
                    .filter_map(|token| lexicon.token_id(token).map(|id| (token.len(), id)))
                    .max();
                match anchor {
                    Some((_, anchor)) => {
                        let anchor = anchor as usize;
                        if anchors.len() <= anchor {
                            anchors.resize(anchor + 1, false);
                        }
                        if let Some(slot) = anchors.get_mut(anchor) {
                            *slot = true;
                        }
                    }
                    // Left out of the gate on purpose when a word of it is listed as too common.
                    None if role.needs_anchor() && !tokens.iter().any(|token| too_common.contains(token)) => {
                        unanchored.push(phrase.clone())
                    }
                    None => {}
                }
            }
            // The runs of its first tokens, each a prefix on the way to the phrase.
            let mut prefix_end = 0usize;
            for token in tokens.iter().take(tokens.len().saturating_sub(1)) {
                prefix_end += token.len();
                if let Some(prefix) = phrase.get(..prefix_end) {
                    phrases.entry(prefix.into()).or_insert(0);
                }
                prefix_end += 1;
            }
            *phrases.entry(phrase.as_str().into()).or_insert(0) |= role.bit();
        }
        if !unanchored.is_empty() {
            return Err(DerogationDataError::Unanchored { phrases: unanchored.join(", ") });
        }
        let mut single_token_roles: Vec<Option<u32>> = Vec::new();
        for (key, roles) in &phrases {
            if key.contains(' ') {
                continue;
            }
            if let Some(id) = lexicon.token_id(key) {
                let id = id as usize;
                if single_token_roles.len() <= id {
                    single_token_roles.resize(id + 1, None);
                }
                if let Some(slot) = single_token_roles.get_mut(id) {
                    *slot = Some(*roles);
                }
            }
        }
        Ok(Derogation { phrases, anchors, phrase_starts, phrase_starts_without_id, single_token_roles })
    }

    /// Whether a token of the comment (by its id in the engine's lexicon) anchors a phrase
    /// that can make a breach. When not, nothing here can fire.
    pub(crate) fn is_triggered(&self, token_ids: &[Option<u32>]) -> bool {
        token_ids.iter().flatten().any(|id| self.anchors.get(*id as usize).copied().unwrap_or(false))
    }

    /// Every phrase of the data file in the comment, overlapping ones included.
    fn phrases_in(&self, normalized: &Normalized, token_ids: &[Option<u32>]) -> Vec<Found> {
        let tokens = &normalized.tokens;
        let mut found = Vec::new();
        for (first, token) in tokens.iter().enumerate() {
            let may_start = match token_ids.get(first) {
                Some(Some(id)) => self.phrase_starts.get(*id as usize).copied().unwrap_or(false),
                Some(None) => self.phrase_starts_without_id,
                None => true,
            };
            if !may_start {
                continue;
            }
            let start = token.start as usize;
            for (last, last_token) in tokens.iter().enumerate().skip(first) {
                let end = last_token.end as usize;
                let Some(phrase) = normalized.text.get(start..end) else { break };
                let roles = match token_ids.get(first) {
                    Some(Some(id)) if last == first => self.single_token_roles.get(*id as usize).copied().flatten(),
                    _ => self.phrases.get(phrase).copied(),
                };
                match roles {
                    None => break,
                    Some(0) => {}
                    Some(roles) => found.push(Found { roles, first, last: last + 1, start, end }),
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
        let found = self.phrases_in(normalized, context.token_ids);
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
        assert_eq!(crate::lexicon::expand("(a|b|) c").unwrap(), vec!["a c", "b c", " c"]);
        assert!(crate::lexicon::expand("(a|b c").is_none());
        assert!(crate::lexicon::expand("a) b").is_none());
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

    use crate::{Category, Engine, EvidenceKind, History, Message};

    fn hateful_evidence(engine: &Engine, text: &str) -> Vec<String> {
        let policy = crate::eval::all_categories_policy();
        let message = Message { id: String::new(), text: text.to_owned(), author: None, account: None, thread: None, created_at: None };
        let verdict = engine.moderate(&policy, &message, &History::default());
        verdict
            .evidence
            .iter()
            .filter(|evidence| evidence.category == EvidenceKind::Category(Category::Hateful))
            .map(|evidence| {
                // Offsets are chars of the original text, and point at the words reported.
                let shown: String = text.chars().skip(evidence.start).take(evidence.end - evidence.start).collect();
                assert_eq!(shown, evidence.matched, "{text}");
                evidence.matched.clone()
            })
            .collect()
    }

    /// Every list of the engine, compiled as the engine compiles them (the engine's own
    /// lexicon is private to it; the token ids are the same for the same files).
    fn hate_lexicon() -> Lexicon {
        crate::lexicon::compile(&[
            ("sacres.txt", include_str!("../data/sacres.txt")),
            ("vulgarity.txt", include_str!("../data/vulgarity.txt")),
            ("hate.txt", include_str!("../data/hate.txt")),
            ("urgent.txt", include_str!("../data/urgent.txt")),
            ("advertising.txt", include_str!("../data/advertising.txt")),
            ("political.txt", include_str!("../data/political.txt")),
            ("defamation.txt", include_str!("../data/defamation.txt")),
            ("illegal.txt", include_str!("../data/illegal.txt")),
            ("off_topic.txt", include_str!("../data/off_topic.txt")),
            ("allow.txt", include_str!("../data/allow.txt")),
            ("stopwords.txt", include_str!("../data/stopwords.txt")),
        ])
        .unwrap()
    }

    fn token_ids(lexicon: &Lexicon, text: &str) -> Vec<Option<u32>> {
        let mut ids = Vec::new();
        lexicon.for_each_match(&normalize(text), &mut ids, |_, _, _| {});
        ids
    }

    #[test]
    fn the_built_in_data_compiles_and_every_phrase_that_needs_one_has_an_anchor() {
        let result = Derogation::new(&hate_lexicon());
        assert!(result.is_ok(), "{:?}", result.err());
        // A phrase whose every word is common can never open the gate.
        let error = Derogation::from_data("[coded]\npas de ça ici\n", &hate_lexicon()).err();
        assert!(matches!(error, Some(DerogationDataError::Unanchored { .. })), "{error:?}");
    }

    #[test]
    fn each_form_of_implicit_derogation_is_caught_with_its_words() {
        let engine = Engine::new();
        for (text, words) in [
            ("Ça se reproduit comme des lapins.", &["Ça", "se reproduit comme", "lapins"][..]),
            ("Des cafards, c'est tout ce qu'ils sont.", &["cafards", "ils"][..]),
            ("Qu'ils retournent chez eux, on en a assez.", &["Qu'ils retournent chez eux"][..]),
            ("Les réfugiés? On n'en veut pas ici.", &["réfugiés", "On n'en veut pas"][..]),
            ("Encore un Autochtone paresseux.", &["Autochtone", "paresseux"][..]),
            ("Ils sont pas comme nous autres, ils ont pas nos valeurs.", &["Ils", "pas comme nous autres", "ils", "pas nos valeurs"][..]),
            ("La remigration, c'est la seule solution.", &["remigration"][..]),
            ("Le Québec se fait envahir par le chemin Roxham.", &["se fait envahir"][..]),
        ] {
            let found = hateful_evidence(&engine, text);
            for word in words {
                assert!(found.iter().any(|evidence| evidence == word), "{text}: {word} not in {found:?}");
            }
        }
    }

    #[test]
    fn obfuscated_spellings_are_read_through_the_normaliser() {
        let engine = Engine::new();
        assert!(!hateful_evidence(&engine, "Les m-u-s-u-l-m-a-n-s pullulent partout.").is_empty());
        assert!(!hateful_evidence(&engine, "Ces gens-là sont des c4f4rds.").is_empty());
        assert!(!hateful_evidence(&engine, "Les réfugiéééés sont de la vermiiiiine").is_empty());
    }

    #[test]
    fn negation_counter_speech_and_literal_senses_are_not_breaches() {
        let engine = Engine::new();
        for text in [
            "Je ne dis pas que les immigrants sont des rats.",
            "Il n'y a pas d'islamisation du Québec.",
            "Le grand remplacement est un mythe raciste qu'il faut dénoncer.",
            "Il y a des rats dans le parc, ils sont partout, c'est de la vermine.",
            "Les coquerelles, ça se reproduit comme des lapins, appelez un exterminateur.",
            "On parque les demandeurs d'asile comme du bétail, c'est indigne.",
            "Un projet de condos, on n'en veut pas ici.",
            "Mon terrain se fait envahir par les mauvaises herbes.",
            "Les élus sont tous pareils, ils promettent et ils oublient.",
            "Retournez au comptoir 3 avec votre preuve de résidence.",
        ] {
            assert_eq!(hateful_evidence(&engine, text), Vec::<String>::new(), "{text}");
        }
    }

    #[test]
    fn the_gate_stays_shut_on_ordinary_comments() {
        let lexicon = hate_lexicon();
        let detector = Derogation::new(&lexicon).unwrap();
        let ordinary = "Bonjour, est-ce que la collecte des ordures est reportée à cause de la tempête? Tout le monde se demande ça.";
        assert!(!detector.is_triggered(&token_ids(&lexicon, ordinary)));
        assert!(detector.is_triggered(&token_ids(&lexicon, "Les immigrants arrivent au printemps.")));
        assert!(detector.is_triggered(&token_ids(&lexicon, "Ça se reproduit comme des lapins.")));
    }

    #[test]
    fn entries_are_normalised_like_the_text() {
        let phrases = parse("[exclusion]\nQu'ils retournent chez-eux\n").unwrap();
        assert_eq!(phrases, vec![("qu ils retournent chez eux".to_owned(), Role::Exclusion)]);
    }
}
