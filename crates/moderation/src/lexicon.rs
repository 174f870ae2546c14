//! The lexicon format and its compiler: data files in `crates/moderation/data/` become one
//! matcher over normalised text, built once when the engine starts.
//!
//! A data file is a list of entries grouped under `[section]` headers; `#` starts a comment.
//! An entry is a word or phrase written as people write it (accents, apostrophes and hyphens
//! are fine: it goes through the same normaliser as the text). `(a|b|)` gives alternatives
//! (an empty one makes the group optional); a trailing `*` makes the entry a stem that
//! matches any word starting with it. Entries match whole tokens only. ` + ` splits an entry
//! into slots that must follow one another (`(je|on) (vais|va) + (te|vous) + (tuer|buter)`):
//! each slot is expanded and compiled on its own, so that long combinations of alternatives
//! do not multiply into hundreds of thousands of patterns.
//!
//! As entries match whole tokens, the matcher works on tokens rather than bytes: a trie whose
//! edges are token ids (one hash lookup per token of the text, then one per step down the
//! trie). Every entry of every file is in that one trie, and a comment is matched in a
//! single pass over its tokens.

use std::collections::HashMap;

use crate::normalize::{normalize, Normalized, Token};
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

const HASH_MULTIPLIER: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// A multiply-rotate hash of a token (as in rustc's FxHash): tokens are short lowercase
/// ASCII words, which need no protection against chosen collisions, and hashing them is a
/// good part of the cost of matching.
#[inline]
fn token_hash(token: &[u8]) -> u64 {
    let mut hash = token.len() as u64;
    let (chunks, rest) = token.as_chunks::<8>();
    for chunk in chunks {
        hash = (hash.rotate_left(5) ^ u64::from_le_bytes(*chunk)).wrapping_mul(HASH_MULTIPLIER);
    }
    let mut last = 0u64;
    for (shift, byte) in rest.iter().enumerate() {
        last |= u64::from(*byte) << (8 * shift);
    }
    (hash.rotate_left(5) ^ last).wrapping_mul(HASH_MULTIPLIER)
}

/// The bytes `start..end` of `text` as one little-endian word, when there are at most
/// eight of them and eight bytes can be read from `start`: one load and a mask instead of
/// a loop over the bytes, for the short tokens that make up most text.
#[inline]
fn short_token_word(text: &[u8], start: usize, end: usize) -> Option<u64> {
    let length = end.checked_sub(start)?;
    if length > 8 {
        return None;
    }
    let eight: [u8; 8] = text.get(start..start + 8)?.try_into().ok()?;
    let mask = if length == 8 { u64::MAX } else { (1u64 << (8 * length)) - 1 };
    Some(u64::from_le_bytes(eight) & mask)
}

/// `token_hash` of a token of at most eight bytes given as `short_token_word` reads it.
#[inline]
fn short_token_hash(length: usize, word: u64) -> u64 {
    let hash = length as u64;
    if length == 8 {
        let hash = (hash.rotate_left(5) ^ word).wrapping_mul(HASH_MULTIPLIER);
        return hash.rotate_left(5).wrapping_mul(HASH_MULTIPLIER);
    }
    (hash.rotate_left(5) ^ word).wrapping_mul(HASH_MULTIPLIER)
}

/// Marks an empty slot of the open-addressing tables.
const EMPTY: u32 = u32::MAX;

/// The tokens of the patterns, each with an id: an open-addressing table (linear probing,
/// at most half full) over one string of all the tokens.
#[derive(Default)]
struct TokenTable {
    /// Slot → token id, or `EMPTY`.
    slots: Vec<u32>,
    /// Slot → the token's hash, id (or `EMPTY`) and length: what a look-up compares, in the
    /// slot itself rather than behind the id, so that a probe is one load.
    probes: Vec<Probe>,
    /// `64 - log2(slots.len())`: the shift from a hash to its home slot.
    home_shift: u32,
    /// Per token id: its hash, and its range in `characters`.
    tokens: Vec<(u64, u32, u32)>,
    characters: String,
}

/// One slot of `TokenTable::probes`.
#[derive(Clone, Copy)]
struct Probe {
    hash: u64,
    id: u32,
    length: u32,
}

const EMPTY_PROBE: Probe = Probe { hash: 0, id: EMPTY, length: 0 };

impl TokenTable {
    fn mask(&self) -> usize {
        self.slots.len().wrapping_sub(1)
    }

    /// The first slot to probe: the top bits of the hash, the best mixed by the multiply.
    #[inline]
    fn home(&self, hash: u64) -> usize {
        (hash >> (64 - self.slots.len().trailing_zeros().max(1))) as usize & self.mask()
    }

    /// The id of the token `text[start..end]` (ASCII, as the normaliser writes it).
    #[inline]
    fn get_in(&self, text: &[u8], start: usize, end: usize) -> Option<u32> {
        let probes = self.probes.as_slice();
        if probes.is_empty() {
            return None;
        }
        let length = end.checked_sub(start)?;
        let hash = match short_token_word(text, start, end) {
            Some(word) => short_token_hash(length, word),
            None => token_hash(text.get(start..end)?),
        };
        let mask = probes.len() - 1;
        let mut slot = (hash >> self.home_shift) as usize & mask;
        loop {
            let probe = probes.get(slot)?;
            if probe.id == EMPTY {
                return None;
            }
            // For at most eight bytes the hash is a bijection of the bytes once the length
            // is fixed (an xor with the length, then multiplications by an odd number):
            // equal hashes and lengths are equal tokens, no byte comparison needed.
            if probe.hash == hash
                && probe.length as usize == length
                && (length <= 8 || self.token_bytes(probe.id) == text.get(start..end))
            {
                return Some(probe.id);
            }
            slot = (slot + 1) & mask;
        }
    }

    /// The bytes of token `id`.
    fn token_bytes(&self, id: u32) -> Option<&[u8]> {
        let &(_, start, end) = self.tokens.get(id as usize)?;
        self.characters.as_bytes().get(start as usize..end as usize)
    }

    #[inline]
    fn get(&self, token: &str) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let hash = token_hash(token.as_bytes());
        let mask = self.mask();
        let mut slot = self.home(hash);
        loop {
            let id = *self.slots.get(slot)?;
            if id == EMPTY {
                return None;
            }
            if let Some(&(stored_hash, start, end)) = self.tokens.get(id as usize)
                && stored_hash == hash
                && self.characters.get(start as usize..end as usize) == Some(token)
            {
                return Some(id);
            }
            slot = (slot + 1) & mask;
        }
    }

    fn intern(&mut self, token: &str) -> u32 {
        if let Some(id) = self.get(token) {
            return id;
        }
        if (self.tokens.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let id = self.tokens.len() as u32;
        let start = self.characters.len() as u32;
        self.characters.push_str(token);
        self.tokens.push((token_hash(token.as_bytes()), start, self.characters.len() as u32));
        self.place(id);
        id
    }

    fn place(&mut self, id: u32) {
        let Some(&(hash, _, _)) = self.tokens.get(id as usize) else { return };
        let mask = self.mask();
        let mut slot = self.home(hash);
        let length = self.token_bytes(id).map_or(0, <[u8]>::len) as u32;
        while let Some(existing) = self.slots.get_mut(slot) {
            if *existing == EMPTY {
                *existing = id;
                if let Some(probe) = self.probes.get_mut(slot) {
                    *probe = Probe { hash, id, length };
                }
                return;
            }
            slot = (slot + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(64);
        self.slots = vec![EMPTY; size];
        self.probes = vec![EMPTY_PROBE; size];
        self.home_shift = 64 - size.trailing_zeros().max(1);
        for id in 0..self.tokens.len() as u32 {
            self.place(id);
        }
    }

    fn len(&self) -> usize {
        self.tokens.len()
    }
}

/// Edges of the trie, (node, token id) → node: an open-addressing table keyed by the pair
/// packed in a `u64`.
#[derive(Default)]
struct EdgeTable {
    /// (key, value); a key of `u64::MAX` marks an empty slot.
    slots: Vec<(u64, u32)>,
    len: usize,
}

impl EdgeTable {
    #[inline]
    fn slot_of(&self, key: u64) -> usize {
        // The top bits of the product, where both halves of the key are mixed in.
        let bits = self.slots.len().trailing_zeros().max(1);
        ((key ^ (key >> 29)).wrapping_mul(HASH_MULTIPLIER) >> (64 - bits)) as usize & self.slots.len().wrapping_sub(1)
    }

    #[inline]
    fn get(&self, key: u64) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut slot = self.slot_of(key);
        loop {
            let &(stored, value) = self.slots.get(slot)?;
            if stored == key {
                return Some(value);
            }
            if stored == u64::MAX {
                return None;
            }
            slot = (slot + 1) & mask;
        }
    }

    fn insert(&mut self, key: u64, value: u32) {
        if (self.len + 1) * 2 > self.slots.len() {
            let old = std::mem::take(&mut self.slots);
            self.slots = vec![(u64::MAX, 0); (old.len() * 2).max(64)];
            self.len = 0;
            for (stored, stored_value) in old {
                if stored != u64::MAX {
                    self.insert(stored, stored_value);
                }
            }
        }
        let mask = self.slots.len() - 1;
        let mut slot = self.slot_of(key);
        while let Some(entry) = self.slots.get_mut(slot) {
            if entry.0 == u64::MAX || entry.0 == key {
                if entry.0 == u64::MAX {
                    self.len += 1;
                }
                *entry = (key, value);
                return;
            }
            slot = (slot + 1) & mask;
        }
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// The trie node every match starts from.
const ROOT: u32 = 0;

/// The compiled lexicon.
pub struct Lexicon {
    /// Every token that appears in some pattern, with its id.
    token_ids: TokenTable,
    /// The root's children by token id (`EMPTY` for none): the first step of every match.
    root_children: Vec<u32>,
    /// Trie edges below the root: (node, token id) → child node. A node is the sequence of
    /// tokens leading to it from the root.
    children: EdgeTable,
    /// Whether a node has children (most have none: no lookup then).
    has_children: Vec<bool>,
    /// Stem edges: (node, token id of the stem) → the pattern that ends with that stem.
    stems: EdgeTable,
    /// For each node, whether a stem leaves it, and the shortest such stem.
    shortest_stem_at: Vec<u8>,
    /// For each node, the pattern whose tokens lead exactly to it, if any.
    pattern_at: Vec<Option<u32>>,
    /// Entries of each pattern, indexed by pattern id.
    pub entries: Vec<Vec<LexEntry>>,
    /// For each pattern whose one entry is a plain common word (no slot, no minimum runs),
    /// its language: most matches in a comment are those, and they need no more than this.
    pub plain_stopword: Vec<Option<Language>>,
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

}

const EXPANSION_LIMIT: usize = 50_000;

/// No stem leaves this node.
const NO_STEM: u8 = u8::MAX;

fn edge_key(node: u32, token: u32) -> u64 {
    (u64::from(node) << 32) | u64::from(token)
}

impl Lexicon {
    /// The id of a token of some pattern, `None` for a word no pattern contains.
    #[inline]
    pub fn token_id(&self, token: &str) -> Option<u32> {
        self.token_ids.get(token)
    }

    /// The child of `node` by token `id`.
    #[inline]
    fn child(&self, node: u32, id: u32) -> Option<u32> {
        if node == ROOT {
            return self.root_children.get(id as usize).copied().filter(|child| *child != EMPTY);
        }
        if !self.has_children.get(node as usize).copied().unwrap_or(false) {
            return None;
        }
        self.children.get(edge_key(node, id))
    }

    /// The pattern made of exactly this one token (not a stem), if any: for words put back
    /// together from pieces (`sa-cr-a-ment`).
    pub fn single_token_pattern(&self, token: &str) -> Option<usize> {
        let id = self.token_id(token)?;
        let node = self.child(ROOT, id)?;
        self.pattern_at.get(node as usize).copied().flatten().map(|pattern| pattern as usize)
    }

    /// The text of every token of the patterns, in the order of their ids.
    pub fn token_texts(&self) -> impl Iterator<Item = &str> + '_ {
        self.token_ids.tokens.iter().map(|&(_, start, end)| self.token_ids.characters.get(start as usize..end as usize).unwrap_or(""))
    }

    /// Every pattern made of exactly one token (not a stem), with its token.
    pub fn single_token_patterns(&self) -> impl Iterator<Item = (&str, usize)> + '_ {
        self.root_children.iter().enumerate().filter_map(move |(id, child)| {
            let pattern = self.pattern_at.get(*child as usize).copied().flatten()?;
            let &(_, start, end) = self.token_ids.tokens.get(id)?;
            let token = self.token_ids.characters.get(start as usize..end as usize)?;
            Some((token, pattern as usize))
        })
    }

    /// Calls `on_match(pattern, start, end)` for every occurrence of every pattern in the
    /// normalised text, overlapping ones included, with byte offsets into `normalized.text`.
    /// `token_ids` is a buffer for the ids of the text's tokens.
    #[inline]
    pub fn for_each_match(&self, normalized: &Normalized, token_ids: &mut Vec<Option<u32>>, mut on_match: impl FnMut(usize, usize, usize)) {
        let tokens = &normalized.tokens;
        token_ids.clear();
        let text = normalized.text.as_bytes();
        token_ids.extend(tokens.iter().map(|token| self.token_ids.get_in(text, token.start as usize, token.end as usize)));
        if self.stems.is_empty() {
            self.for_each_match_without_stems(tokens, token_ids, on_match);
            return;
        }
        for (first, token) in tokens.iter().enumerate() {
            let start = token.start as usize;
            let mut node = ROOT;
            let following = token_ids.get(first..).unwrap_or(&[]);
            for (index, id) in (first..).zip(following) {
                self.stems_at(node, normalized, index, start, &mut on_match);
                let Some(id) = id else { break };
                let Some(child) = self.child(node, *id) else { break };
                node = child;
                if let Some(Some(pattern)) = self.pattern_at.get(node as usize) {
                    let end = tokens.get(index).map_or(start, |token| token.end as usize);
                    on_match(*pattern as usize, start, end);
                }
            }
        }
    }

    /// `for_each_match` when no pattern ends with a stem (the built-in lexicons have none):
    /// the first step, from the root, by direct index, and a walk further only from nodes
    /// that have children.
    #[inline]
    fn for_each_match_without_stems(&self, tokens: &[Token], token_ids: &[Option<u32>], mut on_match: impl FnMut(usize, usize, usize)) {
        for (first, (token, id)) in tokens.iter().zip(token_ids).enumerate() {
            let Some(id) = id else { continue };
            let Some(mut node) = self.root_children.get(*id as usize).copied().filter(|child| *child != EMPTY) else { continue };
            let start = token.start as usize;
            let mut end = token.end as usize;
            let mut following = tokens.iter().zip(token_ids).skip(first + 1);
            // One call site for `on_match`, so that it is inlined here.
            loop {
                if let Some(Some(pattern)) = self.pattern_at.get(node as usize) {
                    on_match(*pattern as usize, start, end);
                }
                if !self.has_children.get(node as usize).copied().unwrap_or(false) {
                    break;
                }
                let Some((next_token, Some(next_id))) = following.next() else { break };
                let Some(child) = self.children.get(edge_key(node, *next_id)) else { break };
                node = child;
                end = next_token.end as usize;
            }
        }
    }

    /// Stems leaving `node` that token `index` starts with.
    fn stems_at(&self, node: u32, normalized: &Normalized, index: usize, start: usize, on_match: &mut impl FnMut(usize, usize, usize)) {
        let shortest = self.shortest_stem_at.get(node as usize).copied().unwrap_or(NO_STEM);
        if shortest == NO_STEM {
            return;
        }
        let Some(token) = normalized.tokens.get(index) else { return };
        let text = normalized.token_text(token);
        for length in usize::from(shortest)..=text.len() {
            let Some(stem) = text.get(..length) else { continue };
            let Some(id) = self.token_id(stem) else { continue };
            if let Some(pattern) = self.stems.get(edge_key(node, id)) {
                on_match(pattern as usize, start, token.start as usize + length);
            }
        }
    }
}

/// Builds the trie as patterns are added.
#[derive(Default)]
struct TrieBuilder {
    token_ids: TokenTable,
    children: EdgeTable,
    has_children: Vec<bool>,
    stems: EdgeTable,
    shortest_stem_at: Vec<u8>,
    pattern_at: Vec<Option<u32>>,
    /// Pattern ids by (tokens, stem or not), so that the same pattern from two files is one.
    pattern_ids: HashMap<(String, bool), u32>,
}

impl TrieBuilder {
    fn new() -> TrieBuilder {
        TrieBuilder { shortest_stem_at: vec![NO_STEM], pattern_at: vec![None], has_children: vec![false], ..TrieBuilder::default() }
    }

    fn intern(&mut self, token: &str) -> u32 {
        self.token_ids.intern(token)
    }

    /// The pattern id of a normalised phrase (tokens separated by single spaces), adding it
    /// when new; `next_pattern` is the id a new pattern gets.
    fn pattern(&mut self, phrase: &str, stem: bool, next_pattern: u32) -> u32 {
        if let Some(&id) = self.pattern_ids.get(&(phrase.to_owned(), stem)) {
            return id;
        }
        let mut tokens: Vec<&str> = phrase.split(' ').collect();
        let last = if stem { tokens.pop() } else { None };
        let mut node = ROOT;
        for token in tokens {
            let id = self.intern(token);
            let key = edge_key(node, id);
            node = match self.children.get(key) {
                Some(child) => child,
                None => {
                    let child = self.pattern_at.len() as u32;
                    self.pattern_at.push(None);
                    self.shortest_stem_at.push(NO_STEM);
                    self.has_children.push(false);
                    if let Some(has_children) = self.has_children.get_mut(node as usize) {
                        *has_children = true;
                    }
                    self.children.insert(key, child);
                    child
                }
            };
        }
        match last {
            Some(stem_token) => {
                let id = self.intern(stem_token);
                self.stems.insert(edge_key(node, id), next_pattern);
                if let Some(shortest) = self.shortest_stem_at.get_mut(node as usize) {
                    *shortest = (*shortest).min(u8::try_from(stem_token.len()).unwrap_or(NO_STEM - 1));
                }
            }
            None => {
                if let Some(slot) = self.pattern_at.get_mut(node as usize) {
                    *slot = Some(next_pattern);
                }
            }
        }
        self.pattern_ids.insert((phrase.to_owned(), stem), next_pattern);
        next_pattern
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

/// Expands `(a|b|)` groups into every phrase they stand for; `None` when unbalanced or
/// nested. Stops early past `EXPANSION_LIMIT` phrases (the caller refuses such an entry).
pub(crate) fn expand(entry: &str) -> Option<Vec<String>> {
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
    let mut trie = TrieBuilder::new();
    let mut entries: Vec<Vec<LexEntry>> = Vec::new();
    let mut longest_pattern = 0usize;

    let mut add = |text: &str, entry: LexEntry| {
        longest_pattern = longest_pattern.max(text.len());
        let id = trie.pattern(text, entry.prefix, entries.len() as u32) as usize;
        if id == entries.len() {
            entries.push(Vec::new());
        }
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
                        add(&normalized.text, LexEntry { kind, slot, prefix: slot_prefix, minimum_runs });
                    }
                }
            }
        }
    }

    // The root's edges as a table indexed by token id: every token of the text looks there.
    let mut root_children = vec![EMPTY; trie.token_ids.len()];
    for (id, child) in root_children.iter_mut().enumerate() {
        if let Some(found) = trie.children.get(edge_key(ROOT, id as u32)) {
            *child = found;
        }
    }
    let plain_stopword = entries
        .iter()
        .map(|pattern_entries| match pattern_entries.as_slice() {
            [LexEntry { kind: LexKind::Stopword(language), slot: None, minimum_runs: None, .. }] => Some(*language),
            _ => None,
        })
        .collect();
    Ok(Lexicon {
        plain_stopword,
        token_ids: trie.token_ids,
        root_children,
        children: trie.children,
        has_children: trie.has_children,
        stems: trie.stems,
        shortest_stem_at: trie.shortest_stem_at,
        pattern_at: trie.pattern_at,
        entries,
        longest_pattern,
        sequence_count,
    })
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
    fn short_token_lookup_agrees_with_the_general_one() {
        let lexicon = compile(&[("test.txt", "[abusive]\nab\nabcdefg\nabcdefgh\nabcdefghi\nz\n[allow]\nabcdefgi\n")]).unwrap();
        // Every token and every slice of a text at every offset: the one-load reading
        // (with bytes after the token in the word) finds exactly what the general one finds.
        let text = b"abcdefghi abcdefgi zab abcdefg z ab abcdefgh xyz";
        for start in 0..text.len() {
            for end in start..=text.len() {
                let expected = std::str::from_utf8(&text[start..end]).ok().and_then(|token| lexicon.token_ids.get(token));
                assert_eq!(lexicon.token_ids.get_in(text, start, end), expected, "{start}..{end}");
                if let Some(word) = short_token_word(text, start, end) {
                    assert_eq!(short_token_hash(end - start, word), token_hash(&text[start..end]));
                }
            }
        }
        assert!(lexicon.token_ids.get_in(text, 0, 2).is_some());
    }

    #[test]
    fn unknown_section_is_an_error_naming_the_line() {
        let error = compile(&[("test.txt", "[nonsense]\nmot\n")]).err().unwrap();
        assert_eq!(error.to_string(), "test.txt:1: unknown section `nonsense`");
    }
}
