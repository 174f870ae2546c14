//! The lexicon format and its compiler: data files in `crates/moderation/data/` become one
//! Aho-Corasick automaton over normalised text, built once when the engine starts.
//!
//! A data file is a list of entries grouped under `[section]` headers; `#` starts a comment.
//! An entry is a word or phrase written as people write it (accents, apostrophes and hyphens
//! are fine: it goes through the same normaliser as the text). `(a|b|)` gives alternatives
//! (an empty one makes the group optional); a trailing `*` makes the entry a stem that
//! matches any word starting with it. Entries match whole tokens only. ` + ` splits an entry
//! into slots that must follow one another (`(je|on) (vais|va) + (te|vous) + (tuer|buter)`):
//! each slot is expanded and compiled on its own, so that long combinations of alternatives
//! do not multiply into hundreds of thousands of patterns.

use std::collections::HashMap;

use aho_corasick::automaton::Automaton;
use aho_corasick::nfa::contiguous::NFA;
use aho_corasick::{Anchored, MatchKind};

use crate::normalize::normalize;
use crate::{Category, UrgentKind};

/// A context cue: not a breach by itself, it only counts next to another cue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cue {
    /// A group of people protected from hate (immigrants, Muslims, gays...).
    HateGroup,
    /// Words that dehumanise or reject a group (parasites, dehors, retournez chez vous...).
    Dehumanising,
    /// An accusation of a crime or of corruption (voleur, fraudeur, corrompu...).
    Accusation,
    /// Someone who can be defamed: a title (le maire, la ministre) or a named person.
    PersonTitle,
    /// Words that condemn what is quoted (inacceptable, dénoncer...).
    CounterSpeech,
    /// Words that report someone else's words (traiter de, dire, le mot...).
    Reporting,
}

/// What a lexicon entry stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LexKind {
    /// A breach of the category by itself.
    Breach(Category),
    /// A breach only when another weak entry of the same category is present.
    Weak(Category),
    /// An urgent case.
    Urgent(UrgentKind),
    /// A benign phrase: a breach found entirely inside it is discarded.
    Allow,
    /// A context cue.
    Cue(Cue),
    /// A common word of a language, for language detection and substance.
    Stopword(Language),
}

/// Languages the engine tells apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Language {
    French,
    English,
}

/// Where a pattern sits in a sequence entry (`a + b + c`): the entry matches when one
/// pattern of each slot follows the previous one, token after token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SequenceSlot {
    /// The sequence entry, numbered in the order of the data files.
    pub sequence: u32,
    /// This pattern's slot, from 0.
    pub slot: u8,
    /// How many slots the sequence has.
    pub slot_count: u8,
}

/// One compiled entry attached to a pattern of the automaton.
#[derive(Clone, Debug)]
pub struct LexEntry {
    pub kind: LexKind,
    /// Set when the pattern is one slot of a sequence entry rather than a whole entry.
    pub slot: Option<SequenceSlot>,
    /// A stem: the match may end inside a word.
    pub prefix: bool,
    /// Minimum run length of each pattern byte, when some letter is doubled in the entry
    /// (`crisse` needs two `s`, so that `crise` does not match it).
    pub minimum_runs: Option<Box<[u8]>>,
}

/// The compiled lexicon.
pub struct Lexicon {
    /// Driven byte by byte by [`Lexicon::for_each_match`] rather than through an iterator
    /// of matches: most comments have a score of matches, and re-entering a search for
    /// each one cost more than walking the automaton.
    pub automaton: NFA,
    /// The start state of an unanchored search.
    start_state: aho_corasick::automaton::StateID,
    /// Entries of each automaton pattern, indexed by pattern id.
    pub entries: Vec<Vec<LexEntry>>,
    /// Length in bytes of each pattern (with its bounding spaces), indexed by pattern id.
    pattern_lengths: Vec<usize>,
    /// Length in bytes of the longest pattern. Sequence entries are longer than this: an
    /// allowed phrase is never a sequence.
    pub longest_pattern: usize,
    /// How many sequence entries there are.
    pub sequence_count: u32,
}

/// The separator of slots in a sequence entry.
const SLOT_SEPARATOR: &str = " + ";
/// At most this many slots in a sequence entry.
const MAXIMUM_SLOTS: usize = 8;

/// A problem in a data file (only the built-in files are compiled, so this is a bug).
#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    #[error("{file}:{line}: unknown section `{section}`")]
    UnknownSection { file: &'static str, line: usize, section: String },
    #[error("{file}:{line}: entry before any section")]
    NoSection { file: &'static str, line: usize },
    #[error("{file}:{line}: unbalanced parenthesis in `{entry}`")]
    Unbalanced { file: &'static str, line: usize, entry: String },
    #[error("{file}:{line}: `{entry}` expands to more than {limit} phrases")]
    TooManyExpansions { file: &'static str, line: usize, entry: String, limit: usize },
    #[error("{file}:{line}: `{entry}` has more than {limit} slots")]
    TooManySlots { file: &'static str, line: usize, entry: String, limit: usize },
    #[error("building the automaton failed: {0}")]
    Automaton(#[from] aho_corasick::BuildError),
    #[error("the automaton has no unanchored start: {0}")]
    Start(aho_corasick::MatchError),
}

const EXPANSION_LIMIT: usize = 50_000;

/// States this close to the start get a full transition table: the text keeps coming back
/// to them (every word starts there), the deeper ones are rarer and stay sparse.
const DENSE_DEPTH: usize = 3;

impl Lexicon {
    /// Calls `on_match(pattern, start, end)` for every occurrence of every pattern in
    /// `haystack`, overlapping ones included, in order of their end.
    #[inline]
    pub fn for_each_match(&self, haystack: &[u8], mut on_match: impl FnMut(usize, usize, usize)) {
        let automaton = &self.automaton;
        let mut state = self.start_state;
        for (index, &byte) in haystack.iter().enumerate() {
            state = automaton.next_state(Anchored::No, state, byte);
            if automaton.is_special(state) && automaton.is_match(state) {
                let end = index + 1;
                for match_index in 0..automaton.match_len(state) {
                    let pattern = automaton.match_pattern(state, match_index).as_usize();
                    let length = self.pattern_lengths.get(pattern).copied().unwrap_or(0);
                    on_match(pattern, end.saturating_sub(length), end);
                }
            }
        }
    }
}

fn parse_section(name: &str) -> Option<LexKind> {
    if let Some(category) = name.strip_prefix("weak:") {
        return category.parse::<Category>().ok().map(LexKind::Weak);
    }
    let kind = match name {
        "self_harm" => LexKind::Urgent(UrgentKind::SelfHarm),
        "threat" => LexKind::Urgent(UrgentKind::Threat),
        "allow" => LexKind::Allow,
        "cue:hate_group" => LexKind::Cue(Cue::HateGroup),
        "cue:dehumanising" => LexKind::Cue(Cue::Dehumanising),
        "cue:accusation" => LexKind::Cue(Cue::Accusation),
        "cue:person_title" => LexKind::Cue(Cue::PersonTitle),
        "cue:counter_speech" => LexKind::Cue(Cue::CounterSpeech),
        "cue:reporting" => LexKind::Cue(Cue::Reporting),
        "stopwords:fr" => LexKind::Stopword(Language::French),
        "stopwords:en" => LexKind::Stopword(Language::English),
        other => return other.parse::<Category>().ok().map(LexKind::Breach),
    };
    Some(kind)
}

/// Expands `(a|b|)` groups into every phrase they stand for.
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
            let options: Vec<&str> = inside.split('|').collect();
            let mut next = Vec::with_capacity(phrases.len() * options.len());
            for phrase in &phrases {
                for option in &options {
                    next.push(format!("{phrase}{option}"));
                }
            }
            phrases = next;
            if phrases.len() > EXPANSION_LIMIT {
                return Some(phrases);
            }
            rest = after_open.get(close + 1..)?;
        } else {
            let literal_end = rest.find('(').unwrap_or(rest.len());
            if rest.get(..literal_end)?.contains(')') {
                return None;
            }
            let literal = rest.get(..literal_end)?;
            for phrase in &mut phrases {
                phrase.push_str(literal);
            }
            rest = rest.get(literal_end..)?;
        }
    }
    Some(phrases)
}

/// Extra spellings where `l` was written `1` (the normaliser reads `1` as `i`): the
/// phrase with some of its `l` replaced by `1`, to be normalised like any entry.
fn one_for_l_variants(phrase: &str) -> Vec<String> {
    let positions: Vec<usize> = phrase.match_indices(['l', 'L']).map(|(index, _)| index).collect();
    if positions.is_empty() || positions.len() > 3 {
        return Vec::new();
    }
    let mut variants = Vec::new();
    for mask in 1u32..(1 << positions.len()) {
        let mut bytes = phrase.as_bytes().to_vec();
        for (bit, position) in positions.iter().enumerate() {
            if mask & (1 << bit) != 0
                && let Some(byte) = bytes.get_mut(*position)
            {
                *byte = b'1';
            }
        }
        if let Ok(variant) = String::from_utf8(bytes) {
            variants.push(variant);
        }
    }
    variants
}

/// Compiles the given data files (name, contents).
pub fn compile(files: &[(&'static str, &'static str)]) -> Result<Lexicon, LexiconError> {
    let mut pattern_ids: HashMap<String, usize> = HashMap::new();
    let mut patterns: Vec<String> = Vec::new();
    let mut entries: Vec<Vec<LexEntry>> = Vec::new();

    let mut add = |text: String, entry: LexEntry| {
        let id = *pattern_ids.entry(text.clone()).or_insert_with(|| {
            patterns.push(text);
            entries.push(Vec::new());
            patterns.len() - 1
        });
        if let Some(list) = entries.get_mut(id)
            && !list.iter().any(|existing| {
                existing.kind == entry.kind
                    && existing.slot == entry.slot
                    && existing.prefix == entry.prefix
                    && existing.minimum_runs == entry.minimum_runs
            })
        {
            list.push(entry);
        }
    };

    let mut sequence_count: u32 = 0;
    for (file, contents) in files {
        let mut section: Option<LexKind> = None;
        for (line_index, raw_line) in contents.lines().enumerate() {
            let line_number = line_index + 1;
            let line = raw_line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) {
                section = Some(parse_section(name.trim()).ok_or_else(|| LexiconError::UnknownSection {
                    file,
                    line: line_number,
                    section: name.to_owned(),
                })?);
                continue;
            }
            let kind = section.ok_or(LexiconError::NoSection { file, line: line_number })?;
            let (body, prefix) = match line.strip_suffix('*') {
                Some(stem) => (stem.trim_end(), true),
                None => (line, false),
            };
            let slots: Vec<&str> = body.split(SLOT_SEPARATOR).map(str::trim).collect();
            if slots.len() > MAXIMUM_SLOTS {
                return Err(LexiconError::TooManySlots { file, line: line_number, entry: line.to_owned(), limit: MAXIMUM_SLOTS });
            }
            let slot_count = slots.len() as u8;
            let sequence_id = sequence_count;
            if slots.len() > 1 {
                sequence_count += 1;
            }
            for (slot_index, slot_body) in slots.iter().enumerate() {
                let phrases = expand(slot_body).ok_or_else(|| LexiconError::Unbalanced {
                    file,
                    line: line_number,
                    entry: line.to_owned(),
                })?;
                if phrases.len() > EXPANSION_LIMIT {
                    return Err(LexiconError::TooManyExpansions { file, line: line_number, entry: line.to_owned(), limit: EXPANSION_LIMIT });
                }
                let slot = (slot_count > 1).then_some(SequenceSlot { sequence: sequence_id, slot: slot_index as u8, slot_count });
                let slot_prefix = prefix && slot_index + 1 == slots.len();
                for phrase in phrases {
                    let single_word = !phrase.trim().contains([' ', '\'', '-']);
                    let mut spellings = vec![phrase.clone()];
                    if single_word && slot.is_none() && matches!(kind, LexKind::Breach(_) | LexKind::Weak(_)) {
                        spellings.extend(one_for_l_variants(&phrase));
                    }
                    for spelling in spellings {
                        let normalized = normalize(&spelling);
                        if normalized.text.is_empty() {
                            continue;
                        }
                        let minimum_runs = if normalized.run_length.iter().any(|run| *run > 1) {
                            Some(normalized.run_length.clone().into_boxed_slice())
                        } else {
                            None
                        };
                        // Patterns carry their token boundaries (a space before, and after
                        // unless a stem) so that the automaton reports whole tokens only.
                        let bounded = if slot_prefix {
                            format!(" {}", normalized.text)
                        } else {
                            format!(" {} ", normalized.text)
                        };
                        add(bounded, LexEntry { kind, slot, prefix: slot_prefix, minimum_runs });
                    }
                }
            }
        }
    }

    // A contiguous NFA scans as fast as a DFA here (measured with `balise bench
    // moderation`) in a small fraction of the memory (about 2 MB instead of 35 MB). Every
    // pattern starts with a space, so a prefilter looking for the first byte would stop at
    // every word: it is off.
    let automaton = NFA::builder()
        .match_kind(MatchKind::Standard)
        .prefilter(false)
        .dense_depth(DENSE_DEPTH)
        .build(&patterns)?;
    let start_state = automaton.start_state(Anchored::No).map_err(LexiconError::Start)?;
    let longest_pattern = patterns.iter().map(|pattern| pattern.trim().len()).max().unwrap_or(0);
    let pattern_lengths = patterns.iter().map(String::len).collect();
    Ok(Lexicon { automaton, start_state, entries, pattern_lengths, longest_pattern, sequence_count })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn expands_alternatives_and_optional_groups() {
        let mut phrases = expand("je (vais|veux) (te |)tuer").unwrap();
        phrases.sort();
        assert_eq!(phrases, vec!["je vais te tuer", "je vais tuer", "je veux te tuer", "je veux tuer"]);
    }

    #[test]
    fn rejects_unbalanced_groups() {
        assert!(expand("je (vais tuer").is_none());
        assert!(expand("je vais) tuer").is_none());
    }

    #[test]
    fn unknown_section_is_an_error_naming_the_line() {
        let error = compile(&[("test.txt", "[nonsense]\nmot\n")]).err().unwrap();
        assert_eq!(error.to_string(), "test.txt:1: unknown section `nonsense`");
    }
}
