//! The engine: it runs every detector over one message and turns what they find into a
//! verdict for one organisation's policy. The lexicons are compiled once, when the engine
//! is built; judging a message is one normalisation pass, one automaton pass and a few
//! small context checks, all linear in the length of the text.

use std::sync::OnceLock;

use crate::lexicon::{self, Cue, LexKind, Language, Lexicon, SequenceSlot};
use crate::normalize::{normalize_into, Normalized};
use crate::repeated::is_repeated;
use crate::{
    Action, Category, Evidence, EvidenceKind, HideRule, History, Message, Policy, UrgentKind, Verdict,
};

/// The built-in data files, compiled into the binary (nothing is read at run time).
const DATA_FILES: &[(&str, &str)] = &[
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
];

/// How many tokens before a hit are searched for a negation.
const NEGATION_LOOKBEHIND_TOKENS: usize = 3;
/// How many tokens may separate a group from the words that dehumanise it.
const HATE_WINDOW_TOKENS: usize = 8;
/// How many tokens may separate a person from the crime they are accused of.
const DEFAMATION_WINDOW_TOKENS: usize = 20;
/// How many tokens before quoted words a reporting verb (« traiter de ») is looked for.
const REPORTING_WINDOW_TOKENS: usize = 6;

/// A word split into pieces (`sa-cr-a-ment`, `ost ie`) is put back together from at most
/// this many pieces, each of at most `MAXIMUM_PIECE_LENGTH` letters.
const MAXIMUM_PIECES: usize = 6;
const MAXIMUM_PIECE_LENGTH: usize = 4;
/// Shorter words (`con`, `cul`) come together by chance from ordinary short words.
const MINIMUM_JOINED_LENGTH: usize = 5;

const NEGATORS: &[&str] = &["ne", "n", "pas", "jamais", "aucun", "aucune", "non", "not", "never", "no", "nullement"];

/// The moderation engine. Build it once (`Engine::new`) and share it: it is immutable.
pub struct Engine {
    lexicon: Lexicon,
    /// The first three letters of every swear word and slur long enough to be looked for
    /// in pieces, as bits of a 26×26×26 table: pieces that cannot start one are skipped.
    split_word_starts: Vec<u64>,
    /// Per token id of the lexicon, the `SHAPE_*` bits of its text.
    token_shapes: Vec<u8>,
}

/// Index of three lowercase letters in the 26×26×26 table, `None` for anything else.
fn trigram_index(bytes: &[u8]) -> Option<usize> {
    let [first, second, third, ..] = *bytes else { return None };
    let letter = |byte: u8| byte.is_ascii_lowercase().then(|| usize::from(byte - b'a'));
    Some(letter(first)? * 676 + letter(second)? * 26 + letter(third)?)
}

fn split_word_starts(lexicon: &Lexicon) -> Vec<u64> {
    let mut bits = vec![0u64; 26 * 26 * 26 / 64 + 1];
    for (token, pattern) in lexicon.single_token_patterns() {
        let is_swear_word = lexicon.entries.get(pattern).is_some_and(|entries| {
            entries.iter().any(|entry| {
                matches!(entry.kind, LexKind::Breach(Category::Abusive | Category::Hateful)) && entry.slot.is_none() && !entry.prefix
            })
        });
        if is_swear_word
            && token.len() >= MINIMUM_JOINED_LENGTH
            && let Some(index) = trigram_index(token.as_bytes())
            && let Some(word) = bits.get_mut(index / 64)
        {
            *word |= 1 << (index % 64);
        }
    }
    bits
}

/// One thing a detector found, in normalised byte offsets.
#[derive(Clone, Copy, Debug)]
struct Hit {
    kind: LexKind,
    start: usize,
    end: usize,
}

/// A pattern found that is one slot of a sequence entry.
#[derive(Clone, Copy, Debug)]
struct SlotHit {
    slot: SequenceSlot,
    kind: LexKind,
    start: usize,
    end: usize,
}

/// Turns slot hits that follow one another, token after token, into whole hits of their
/// sequence entries. Slot hits are few (a handful per comment), and each step looks up the
/// next slot by binary search: the cost stays linear in practice.
fn chain_sequences(slot_hits: &mut [SlotHit], hits: &mut Vec<Hit>, allows: &mut Vec<(usize, usize)>) {
    // A chain needs a hit of every slot of its sequence. Common words fill some slots of
    // most comments (« est », « le », « vous »), but rarely every slot of one sequence:
    // one pass over the few hits, with the slots seen per sequence as bits (sequences
    // sharing a bucket only make the check pass more often, never skip a real chain).
    let mut slots_seen = [0u8; 64];
    for hit in slot_hits.iter() {
        if let Some(seen) = slots_seen.get_mut(hit.slot.sequence as usize % 64) {
            *seen |= 1u8.checked_shl(u32::from(hit.slot.slot)).unwrap_or(0);
        }
    }
    let every_slot_seen = |hit: &SlotHit| {
        let all_slots = 1u16.checked_shl(u32::from(hit.slot.slot_count)).map_or(u16::MAX, |bit| bit - 1) as u8;
        slots_seen.get(hit.slot.sequence as usize % 64).is_some_and(|seen| seen & all_slots == all_slots)
    };
    if !slot_hits.iter().any(every_slot_seen) {
        return;
    }
    // Nor can anything chain without some hit right after a hit of the slot before it,
    // token after token: the hits are few, so looking at every pair costs less than the
    // sort and the walk below.
    let follows = |next: &SlotHit| {
        next.slot.slot > 0
            && slot_hits.iter().any(|previous| {
                previous.slot.sequence == next.slot.sequence && previous.slot.slot + 1 == next.slot.slot && previous.end + 1 == next.start
            })
    };
    if !slot_hits.iter().any(follows) {
        return;
    }
    slot_hits.sort_unstable_by_key(|hit| (hit.slot.sequence, hit.slot.slot, hit.start, hit.end));
    let key = |hit: &SlotHit| (hit.slot.sequence, hit.slot.slot, hit.start);
    // Partial chains: (sequence, next slot, start of the chain, end so far, kind).
    let mut frontier: Vec<(u32, u8, usize, usize, LexKind)> = slot_hits
        .iter()
        .filter(|hit| hit.slot.slot == 0)
        .map(|hit| (hit.slot.sequence, 1u8, hit.start, hit.end, hit.kind))
        .collect();
    let mut next_frontier = Vec::new();
    while !frontier.is_empty() {
        next_frontier.clear();
        for (sequence, slot, chain_start, chain_end, kind) in frontier.drain(..) {
            let wanted = (sequence, slot, chain_end + 1);
            let first = slot_hits.partition_point(|hit| key(hit) < wanted);
            for hit in slot_hits.get(first..).unwrap_or(&[]).iter().take_while(|hit| key(hit) == wanted) {
                if hit.slot.slot + 1 == hit.slot.slot_count {
                    match kind {
                        LexKind::Allow => allows.push((chain_start, hit.end)),
                        _ => hits.push(Hit { kind, start: chain_start, end: hit.end }),
                    }
                } else {
                    next_frontier.push((sequence, slot + 1, chain_start, hit.end, kind));
                }
            }
        }
        std::mem::swap(&mut frontier, &mut next_frontier);
    }
}

/// A finding kept for the verdict, before offsets are mapped to the original text.
#[derive(Clone, Copy, Debug)]
enum Span {
    /// Normalised byte range.
    Normalized { kind: EvidenceKind, start: usize, end: usize },
    /// Original char range.
    Original { kind: EvidenceKind, start: usize, end: usize },
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

impl Engine {
    /// Compiles the built-in lexicons.
    pub fn new() -> Engine {
        // The data files are part of the crate and are checked by the tests; a failure
        // here is a bug in them, not something a caller can act upon.
        let lexicon = lexicon::compile(DATA_FILES).expect("the built-in lexicons compile (checked by tests)");
        let split_word_starts = split_word_starts(&lexicon);
        let token_shapes = token_shapes(&lexicon);
        Engine { lexicon, split_word_starts, token_shapes }
    }

    /// Judges one message against the policy, the history giving earlier messages.
    pub fn moderate(&self, policy: &Policy, message: &Message, history: &History) -> Verdict {
        // Borrowed in place rather than moved out and back (a copy of every buffer's header
        // each way); a call made while it is borrowed (none is) gets buffers of its own.
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => self.moderate_with(policy, message, history, &mut scratch),
            Err(_) => self.moderate_with(policy, message, history, &mut Scratch::default()),
        })
    }

    fn moderate_with(&self, policy: &Policy, message: &Message, history: &History, scratch: &mut Scratch) -> Verdict {
        normalize_into(&message.text, &mut scratch.normalized);
        self.moderate_normalized(policy, message, history, &scratch.normalized, &mut scratch.token_ids, &mut scratch.buffers)
    }

    fn moderate_normalized(
        &self,
        policy: &Policy,
        message: &Message,
        history: &History,
        normalized: &Normalized,
        token_ids: &mut Vec<Option<u32>>,
        buffers: &mut ScanBuffers,
    ) -> Verdict {
        let scan = self.scan(normalized, &message.text, token_ids, buffers);

        let spans = &mut buffers.spans;
        if policy_enables(policy, Category::PersonalInfo) {
            for (start, end) in crate::personal_info_adapter::personal_info_char_ranges(&message.text, &policy.public_phone_numbers) {
                spans.push(Span::Original { kind: EvidenceKind::Category(Category::PersonalInfo), start, end });
            }
        }
        if policy_enables(policy, Category::Incomprehensible)
            && let Some((start, end)) = incomprehensible_range(normalized, &message.text, scan.stopword_count, token_ids, &self.token_shapes)
        {
            spans.push(Span::Original { kind: EvidenceKind::Category(Category::Incomprehensible), start, end });
        }
        if policy_enables(policy, Category::Repeated) && is_repeated(policy, message, normalized, history) {
            spans.push(Span::Original {
                kind: EvidenceKind::Category(Category::Repeated),
                start: 0,
                end: normalized.original_char_count,
            });
        }

        self.verdict(policy, message, normalized, buffers, &scan)
    }

    fn scan(&self, normalized: &Normalized, original: &str, token_ids: &mut Vec<Option<u32>>, buffers: &mut ScanBuffers) -> Scan {
        let text = normalized.text.as_bytes();
        // Buffers of the previous comment on this thread, emptied: no allocation once they
        // have grown to a typical comment.
        buffers.clear();
        let ScanBuffers { hits, allows, stopword_starts, slot_hits, spans, weak, reporting, .. } = buffers;
        let mut stopwords = StopwordCounts::default();

        // Most matches are plain common words: their case is small enough to be inlined in
        // the trie walk, the rest is a call.
        self.lexicon.for_each_match(normalized, token_ids, |pattern, start, end| {
            if end <= start || end > text.len() {
                return;
            }
            if let Some(Some(language)) = self.lexicon.plain_stopword.get(pattern) {
                stopwords.count(*language, start, stopword_starts);
                return;
            }
            self.record_match(normalized, pattern, start, end, &mut stopwords, stopword_starts, slot_hits, allows, hits);
        });
        let StopwordCounts { french: stopwords_french, english: stopwords_english } = stopwords;
        // Matches come token after token, so the starts are in order already but for a
        // pattern some day reported out of order.
        if !stopword_starts.is_sorted() {
            stopword_starts.sort_unstable();
        }
        stopword_starts.dedup();
        self.join_split_words(normalized, token_ids, hits);
        chain_sequences(slot_hits, hits, allows);
        hits.sort_unstable_by_key(|hit| (hit.end, hit.start));

        // An allowed phrase excuses a hit it covers, or one it starts inside and runs past
        // (« je vais mourir » followed by « mourir de rire »). Allowed phrases are short, so
        // only those ending within the longest pattern after the hit need a look: linear.
        if !allows.is_empty() {
            allows.sort_unstable_by_key(|(_, end)| *end);
            let longest = allows.iter().map(|(start, end)| end - start).max().unwrap_or(0);
            hits.retain(|hit| {
                let first = allows.partition_point(|(_, end)| *end < hit.end);
                !allows
                    .get(first..)
                    .unwrap_or(&[])
                    .iter()
                    .take_while(|(_, end)| *end <= hit.end + longest)
                    .any(|(start, end)| *start < hit.end && hit.start < *end)
            });
        }

        let counter_speech = hits.iter().any(|hit| hit.kind == LexKind::Cue(Cue::CounterSpeech));
        reporting.extend(
            hits.iter().filter(|hit| hit.kind == LexKind::Cue(Cue::Reporting)).map(|hit| normalized.token_index_at(hit.start)),
        );
        reporting.sort_unstable();
        // Quotation marks matter only for insults and hate; most comments have neither.
        let needs_quotes = hits.iter().any(|hit| {
            matches!(hit.kind, LexKind::Breach(Category::Hateful | Category::Abusive) | LexKind::Cue(Cue::HateGroup))
        });
        let quotes = if needs_quotes { QuoteMap::new(original) } else { QuoteMap { changes: Vec::new() } };
        let context = Context { normalized, quotes: &quotes, counter_speech, reporting };

        for hit in hits.iter() {
            match hit.kind {
                LexKind::Breach(category) => {
                    if needs_negation_check(EvidenceKind::Category(category)) && is_negated(normalized, hit.start) {
                        continue;
                    }
                    if matches!(category, Category::Hateful | Category::Abusive) && context.is_mentioned_not_used(hit.start) {
                        continue;
                    }
                    spans.push(Span::Normalized { kind: EvidenceKind::Category(category), start: hit.start, end: hit.end });
                }
                LexKind::Urgent(kind) => {
                    if is_negated(normalized, hit.start) {
                        continue;
                    }
                    spans.push(Span::Normalized { kind: EvidenceKind::Urgent(kind), start: hit.start, end: hit.end });
                    // A threat of violence is also violent speech, a netiquette breach in
                    // its own right (R-10 "violent").
                    if kind == UrgentKind::Threat {
                        spans.push(Span::Normalized { kind: EvidenceKind::Category(Category::Abusive), start: hit.start, end: hit.end });
                    }
                }
                LexKind::Weak(category) => weak.push((category, hit.start, hit.end)),
                LexKind::Cue(_) | LexKind::Allow | LexKind::Stopword(_) => {}
            }
        }

        // Weak cues count only in pairs of different words.
        for category in Category::ALL {
            if weak.is_empty() {
                break;
            }
            let mut of_category = weak.iter().filter(|(weak_category, _, _)| *weak_category == category);
            let Some(first) = of_category.next() else { continue };
            let first_text = normalized.text.get(first.1..first.2);
            let distinct = weak
                .iter()
                .filter(|(weak_category, _, _)| *weak_category == category)
                .any(|(_, start, end)| normalized.text.get(*start..*end) != first_text);
            let has_strong = spans.iter().any(|span| matches!(span, Span::Normalized { kind: EvidenceKind::Category(found), .. } if *found == category));
            if distinct || has_strong {
                for (_, start, end) in weak.iter().filter(|(weak_category, _, _)| *weak_category == category) {
                    spans.push(Span::Normalized { kind: EvidenceKind::Category(category), start: *start, end: *end });
                }
            }
        }

        self.hate_by_proximity(&context, hits, spans);
        // Implicit derogation (src/derogation.rs); one table load per token when nothing in the
        // comment can trigger it.
        crate::derogation::judge(
            &self.lexicon,
            token_ids,
            normalized,
            context.counter_speech,
            &|first, last| negation_between(normalized, first, last),
            &|start| context.is_mentioned_not_used(start),
            &mut |start, end| spans.push(Span::Normalized { kind: EvidenceKind::Category(Category::Hateful), start, end }),
        );
        self.defamation_by_proximity(normalized, hits, stopword_starts, spans);

        Scan { stopword_count: stopwords_french + stopwords_english, stopwords_french, stopwords_english }
    }

    /// Records a match of a pattern that is not a plain common word: each of its entries
    /// becomes a hit, a slot of a sequence, an allowed phrase or a common word.
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn record_match(
        &self,
        normalized: &Normalized,
        pattern: usize,
        start: usize,
        end: usize,
        stopwords: &mut StopwordCounts,
        stopword_starts: &mut Vec<usize>,
        slot_hits: &mut Vec<SlotHit>,
        allows: &mut Vec<(usize, usize)>,
        hits: &mut Vec<Hit>,
    ) {
        let Some(entries) = self.lexicon.entries.get(pattern) else { return };
        for entry in entries {
            if let Some(minimum_runs) = &entry.minimum_runs {
                let runs = normalized.run_length.get(start..end).unwrap_or(&[]);
                if runs.len() != minimum_runs.len() || runs.iter().zip(minimum_runs.iter()).any(|(have, need)| have < need) {
                    continue;
                }
            }
            if let Some(slot) = entry.slot {
                slot_hits.push(SlotHit { slot, kind: entry.kind, start, end });
                continue;
            }
            match entry.kind {
                LexKind::Allow => allows.push((start, end)),
                LexKind::Stopword(language) => stopwords.count(language, start, stopword_starts),
                kind => hits.push(Hit { kind, start, end }),
            }
        }
    }

    /// Swear words and slurs split into pieces to get past filters: `sa-cr-a-ment`, `ost ie`,
    /// `ta bar nak`. Letters spelt out one by one are joined by the normaliser already;
    /// here, short pieces next to one another are put back together and looked up as one
    /// word. Only around a piece no lexicon knows (`cr`, `nak`, `ie`): ordinary short words
    /// (« de », « la », « sur ») are all known, so ordinary text costs nothing here and its
    /// hyphens and initials (« Saint-Jean-sur-Richelieu », « C.-B. ») are left alone.
    fn join_split_words(&self, normalized: &Normalized, token_ids: &[Option<u32>], hits: &mut Vec<Hit>) {
        let tokens = &normalized.tokens;
        let is_piece = |index: usize| {
            tokens.get(index).is_some_and(|token| {
                let text = normalized.token_text(token);
                (1..=MAXIMUM_PIECE_LENGTH).contains(&text.len()) && text.bytes().all(|byte| byte.is_ascii_lowercase())
            })
        };
        for (index, id) in token_ids.iter().enumerate() {
            if id.is_some() || !is_piece(index) {
                continue;
            }
            let mut first = index;
            while first > 0 && index - first + 1 < MAXIMUM_PIECES && is_piece(first - 1) {
                first -= 1;
            }
            let mut last = index;
            while last + 1 < tokens.len() && last + 1 - first < MAXIMUM_PIECES && is_piece(last + 1) {
                last += 1;
            }
            if first == last {
                continue;
            }
            for start in first..=index {
                if !self.may_start_a_swear_word(normalized, start, last) {
                    continue;
                }
                for end in index.max(start + 1)..=last {
                    if end + 1 - start > MAXIMUM_PIECES {
                        break;
                    }
                    self.look_up_joined(normalized, start, end, hits);
                }
            }
        }
    }

    /// Whether the pieces from token `start` (up to `last`) begin with the first three letters
    /// of some swear word or slur.
    fn may_start_a_swear_word(&self, normalized: &Normalized, start: usize, last: usize) -> bool {
        let mut letters = [0u8; 3];
        let mut count = 0usize;
        for token in normalized.tokens.get(start..=last).unwrap_or(&[]) {
            for byte in normalized.token_text(token).bytes() {
                if count > 0 && letters.get(count - 1) == Some(&byte) {
                    continue;
                }
                if let Some(slot) = letters.get_mut(count) {
                    *slot = byte;
                    count += 1;
                }
            }
            if count == 3 {
                break;
            }
        }
        trigram_index(&letters).is_some_and(|index| self.split_word_starts.get(index / 64).is_some_and(|word| word & (1 << (index % 64)) != 0))
    }

    /// Looks up tokens `first..=last` joined into one word (repeats across the joins
    /// collapsed, as the normaliser would have), and records the swear words and slurs.
    fn look_up_joined(&self, normalized: &Normalized, first: usize, last: usize, hits: &mut Vec<Hit>) {
        const CAPACITY: usize = MAXIMUM_PIECES * MAXIMUM_PIECE_LENGTH;
        let mut joined = [0u8; CAPACITY];
        let mut runs = [0u8; CAPACITY];
        let mut length = 0usize;
        for token in normalized.tokens.get(first..=last).unwrap_or(&[]) {
            let (start, end) = (token.start as usize, token.end as usize);
            let bytes = normalized.text.as_bytes().get(start..end).unwrap_or(&[]);
            let token_runs = normalized.run_length.get(start..end).unwrap_or(&[]);
            for (byte, run) in bytes.iter().zip(token_runs) {
                if length > 0 && joined.get(length - 1) == Some(byte) {
                    if let Some(previous) = runs.get_mut(length - 1) {
                        *previous = previous.saturating_add(*run);
                    }
                    continue;
                }
                let (Some(slot), Some(run_slot)) = (joined.get_mut(length), runs.get_mut(length)) else { return };
                *slot = *byte;
                *run_slot = *run;
                length += 1;
            }
        }
        if length < MINIMUM_JOINED_LENGTH {
            return;
        }
        let Some(word) = joined.get(..length).and_then(|bytes| std::str::from_utf8(bytes).ok()) else { return };
        let Some(pattern) = self.lexicon.single_token_pattern(word) else { return };
        let (Some(first_token), Some(last_token)) = (normalized.tokens.get(first), normalized.tokens.get(last)) else { return };
        for entry in self.lexicon.entries.get(pattern).map_or(&[][..], Vec::as_slice) {
            let LexKind::Breach(category @ (Category::Abusive | Category::Hateful)) = entry.kind else { continue };
            if entry.slot.is_some() || entry.prefix {
                continue;
            }
            if let Some(minimum_runs) = &entry.minimum_runs {
                let have = runs.get(..length).unwrap_or(&[]);
                if have.len() != minimum_runs.len() || have.iter().zip(minimum_runs.iter()).any(|(have, need)| have < need) {
                    continue;
                }
            }
            hits.push(Hit { kind: LexKind::Breach(category), start: first_token.start as usize, end: last_token.end as usize });
        }
    }

    /// A group named next to words that dehumanise or reject it (`ces immigrants sont des
    /// parasites`, `retournez dans votre pays`), unless negated or quoted to condemn it.
    fn hate_by_proximity(&self, context: &Context<'_>, hits: &[Hit], spans: &mut Vec<Span>) {
        let normalized = context.normalized;
        let mut groups: Vec<(usize, &Hit)> = hits
            .iter()
            .filter(|hit| hit.kind == LexKind::Cue(Cue::HateGroup))
            .map(|hit| (normalized.token_index_at(hit.start), hit))
            .collect();
        if groups.is_empty() {
            return;
        }
        groups.sort_unstable_by_key(|(token, _)| *token);
        for dehumanising in hits.iter().filter(|hit| hit.kind == LexKind::Cue(Cue::Dehumanising)) {
            let dehumanising_token = normalized.token_index_at(dehumanising.start);
            let first = groups.partition_point(|(token, _)| *token + HATE_WINDOW_TOKENS < dehumanising_token);
            let near_group = groups
                .get(first..)
                .unwrap_or(&[])
                .iter()
                .take_while(|(token, _)| *token <= dehumanising_token + HATE_WINDOW_TOKENS)
                .map(|(_, group)| *group)
                .find(|group| !(group.start < dehumanising.end && dehumanising.start < group.end));
            let Some(group) = near_group else { continue };
            let first_start = group.start.min(dehumanising.start);
            let last_start = group.start.max(dehumanising.start);
            if negation_between(normalized, first_start, last_start) {
                continue;
            }
            // Implicit derogation cannot be told from its refutation once the comment
            // condemns or contradicts it (« ce n'est pas vrai que… », « c'est inacceptable »).
            if context.counter_speech || context.is_mentioned_not_used(first_start) {
                continue;
            }
            let kind = EvidenceKind::Category(Category::Hateful);
            spans.push(Span::Normalized { kind, start: group.start, end: group.end });
            spans.push(Span::Normalized { kind, start: dehumanising.start, end: dehumanising.end });
        }
    }

    /// A crime or corruption imputed to a named person or an office holder (`le maire est
    /// un fraudeur`, `Tremblay a volé`).
    fn defamation_by_proximity(&self, normalized: &Normalized, hits: &[Hit], stopword_starts: &[usize], spans: &mut Vec<Span>) {
        // Most comments accuse no one: then titles need not be gathered.
        if !hits.iter().any(|hit| hit.kind == LexKind::Cue(Cue::Accusation)) {
            return;
        }
        let mut titles: Vec<(usize, usize)> = hits
            .iter()
            .filter(|hit| hit.kind == LexKind::Cue(Cue::PersonTitle))
            .map(|hit| (normalized.token_index_at(hit.start), hit.end))
            .collect();
        titles.sort_unstable();
        let title_starts: Vec<usize> = {
            let mut starts: Vec<usize> = hits.iter().filter(|hit| hit.kind == LexKind::Cue(Cue::PersonTitle)).map(|hit| hit.start).collect();
            starts.sort_unstable();
            starts
        };
        for accusation in hits.iter().filter(|hit| hit.kind == LexKind::Cue(Cue::Accusation)) {
            let accusation_token = normalized.token_index_at(accusation.start);
            let window_start = accusation_token.saturating_sub(DEFAMATION_WINDOW_TOKENS);
            let first = titles.partition_point(|(token, _)| *token < window_start);
            let titled = titles
                .get(first..)
                .unwrap_or(&[])
                .iter()
                .take_while(|(token, _)| *token <= accusation_token)
                .any(|(_, end)| *end <= accusation.start);
            let named = titled
                || (window_start..accusation_token).any(|index| is_person_name(normalized, stopword_starts, &title_starts, index));
            if !named || is_negated(normalized, accusation.start) {
                continue;
            }
            spans.push(Span::Normalized {
                kind: EvidenceKind::Category(Category::Defamatory),
                start: accusation.start,
                end: accusation.end,
            });
        }
    }

    fn verdict(&self, policy: &Policy, message: &Message, normalized: &Normalized, buffers: &mut ScanBuffers, scan: &Scan) -> Verdict {
        let ScanBuffers { spans, stopword_starts, evidence_ranges, outermost, covered, .. } = buffers;
        let mut urgent: Option<(usize, UrgentKind)> = None;
        for &span in spans.iter() {
            let (kind, start, end) = match span {
                Span::Normalized { kind, start, end } => {
                    let Some((start, end)) = normalized.original_range(start, end) else { continue };
                    (kind, start, end)
                }
                Span::Original { kind, start, end } => (kind, start, end),
            };
            match kind {
                EvidenceKind::Urgent(urgent_kind) => {
                    if urgent.is_none_or(|(first_start, _)| start < first_start) {
                        urgent = Some((start, urgent_kind));
                    }
                }
                EvidenceKind::Category(category) => {
                    if !policy_enables(policy, category) {
                        continue;
                    }
                }
            }
            covered.push((start, end));
            evidence_ranges.push((kind, start, end));
        }
        // Nested matches of the same kind (« je vais faire sauter » inside « je vais faire
        // sauter l'édifice ») would repeat the same words: keep the outermost ranges.
        evidence_ranges.sort_by_key(|(kind, start, end)| (evidence_order(*kind), *start, std::cmp::Reverse(*end)));
        for &range in evidence_ranges.iter() {
            let nested = outermost.last().is_some_and(|(kind, _, end)| *kind == range.0 && range.2 <= *end);
            if !nested {
                outermost.push(range);
            }
        }
        let evidence_ranges = outermost;
        evidence_ranges.sort_by_key(|(kind, start, end)| (*start, *end, evidence_order(*kind)));

        let mut categories: Vec<Category> = Vec::new();
        for category in Category::ALL {
            if evidence_ranges.iter().any(|(kind, _, _)| *kind == EvidenceKind::Category(category)) {
                categories.push(category);
            }
        }
        let clauses: Vec<String> = categories
            .iter()
            .filter_map(|category| policy.clauses.iter().find(|clause| clause.category == *category))
            .map(|clause| clause.clause_id.clone())
            .collect();

        let evidence = build_evidence(&message.text, evidence_ranges);
        let substance_remains = substance_remains(normalized, covered, stopword_starts, &message.text);
        let urgent = urgent.map(|(_, kind)| kind);
        let action = if urgent.is_some() {
            Action::Review
        } else if categories.is_empty() {
            Action::Publish
        } else {
            match policy.hide_rule {
                HideRule::AnyBreach => Action::Hide,
                HideRule::OnlyWhenNothingRemains if substance_remains => Action::Review,
                HideRule::OnlyWhenNothingRemains => Action::Hide,
            }
        };
        let language = detect_language(scan.stopwords_french, scan.stopwords_english);
        let explanation = explain(policy, action, urgent, &categories, &evidence);
        Verdict { action, categories, urgent, clauses, evidence, substance_remains, language, explanation }
    }
}

/// Common words found, by language.
#[derive(Default)]
struct StopwordCounts {
    french: usize,
    english: usize,
}

impl StopwordCounts {
    /// Counts a common word starting at normalised offset `start`, and records the offset.
    #[inline(always)]
    fn count(&mut self, language: Language, start: usize, stopword_starts: &mut Vec<usize>) {
        match language {
            Language::French => self.french += 1,
            Language::English => self.english += 1,
        }
        if stopword_starts.last() != Some(&start) {
            stopword_starts.push(start);
        }
    }
}

struct Scan {
    stopword_count: usize,
    stopwords_french: usize,
    stopwords_english: usize,
}

/// Working vectors of one moderation, kept per thread and emptied for the next comment.
#[derive(Default)]
struct ScanBuffers {
    hits: Vec<Hit>,
    allows: Vec<(usize, usize)>,
    /// Normalised offsets of the tokens that are common words, sorted.
    stopword_starts: Vec<usize>,
    slot_hits: Vec<SlotHit>,
    /// What the verdict is built from.
    spans: Vec<Span>,
    weak: Vec<(Category, usize, usize)>,
    /// Token indices of reporting verbs, sorted.
    reporting: Vec<usize>,
    /// The verdict's evidence before and after nested ranges are left out, and the original
    /// char ranges it covers.
    evidence_ranges: Vec<(EvidenceKind, usize, usize)>,
    outermost: Vec<(EvidenceKind, usize, usize)>,
    covered: Vec<(usize, usize)>,
}

impl ScanBuffers {
    fn clear(&mut self) {
        self.hits.clear();
        self.allows.clear();
        self.stopword_starts.clear();
        self.slot_hits.clear();
        self.spans.clear();
        self.weak.clear();
        self.reporting.clear();
        self.evidence_ranges.clear();
        self.outermost.clear();
        self.covered.clear();
    }
}

fn evidence_order(kind: EvidenceKind) -> usize {
    match kind {
        EvidenceKind::Urgent(urgent) => urgent as usize,
        EvidenceKind::Category(category) => 10 + category as usize,
    }
}

fn policy_enables(policy: &Policy, category: Category) -> bool {
    policy.clauses.iter().any(|clause| clause.category == category)
}

/// Categories whose words mean nothing once negated (« je ne déteste pas les immigrants »).
/// Swear words and slurs stay breaches whatever surrounds them.
fn needs_negation_check(kind: EvidenceKind) -> bool {
    matches!(
        kind,
        EvidenceKind::Category(Category::Defamatory | Category::Illegal | Category::Political | Category::Advertising)
            | EvidenceKind::Urgent(_)
    )
}

fn is_negator(word: &str) -> bool {
    NEGATORS.contains(&word)
}

/// A negation among the few tokens just before normalised byte `start`, within its clause.
fn is_negated(normalized: &Normalized, start: usize) -> bool {
    let token = normalized.token_index_at(start);
    negation_in_tokens(normalized, token.saturating_sub(NEGATION_LOOKBEHIND_TOKENS), token)
}

/// A negation just before `first_start` or anywhere up to `last_start`, within the clause.
fn negation_between(normalized: &Normalized, first_start: usize, last_start: usize) -> bool {
    let first_token = normalized.token_index_at(first_start);
    let last_token = normalized.token_index_at(last_start);
    negation_in_tokens(normalized, first_token.saturating_sub(NEGATION_LOOKBEHIND_TOKENS), last_token)
}

/// A negator among tokens `[first, last)`, ignoring those before a clause boundary that
/// precedes `last`.
fn negation_in_tokens(normalized: &Normalized, first: usize, last: usize) -> bool {
    let mut index = last;
    while index > first {
        // A clause boundary at token `index` means nothing before it negates what follows.
        if normalized.tokens.get(index).is_some_and(|token| token.clause_initial) {
            return false;
        }
        index -= 1;
        if normalized.tokens.get(index).is_some_and(|token| is_negator(normalized.token_text(token))) {
            return true;
        }
    }
    false
}

/// Where quotation marks open and close in the original text, found in one pass so that
/// asking about many hits stays linear.
struct QuoteMap {
    /// Char offsets after which the text is inside quotes (`true`) or outside (`false`).
    changes: Vec<(usize, bool)>,
}

impl QuoteMap {
    fn new(original: &str) -> QuoteMap {
        let mut changes = Vec::new();
        let mut straight_open = false;
        let mut guillemet_depth = 0usize;
        // Bytes rather than decoded chars: the marks are `"`, `«` `»` (C2 AB, C2 BB) and
        // `“` `”` (E2 80 9C, E2 80 9D); every byte that is not a continuation starts a char.
        let bytes = original.as_bytes();
        let mut index = 0usize;
        let mut at = 0usize;
        while let Some(&byte) = bytes.get(at) {
            // Eight ASCII bytes with no `"` are eight chars with no mark: skipped at once.
            if let Some(chunk) = bytes.get(at..at + 8).and_then(|chunk| <[u8; 8]>::try_from(chunk).ok()) {
                const ONES: u64 = 0x0101_0101_0101_0101;
                const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
                let word = u64::from_le_bytes(chunk);
                let quotes = word ^ (ONES * u64::from(b'"'));
                let has_quote = quotes.wrapping_sub(ONES) & !quotes & HIGH_BITS != 0;
                if word & HIGH_BITS == 0 && !has_quote {
                    at += 8;
                    index += 8;
                    continue;
                }
            }
            at += 1;
            if byte & 0xC0 == 0x80 {
                continue;
            }
            index += 1;
            let was_inside = straight_open || guillemet_depth > 0;
            let opens = match byte {
                b'"' => None,
                0xC2 => match bytes.get(at) {
                    Some(0xAB) => Some(true),
                    Some(0xBB) => Some(false),
                    _ => continue,
                },
                0xE2 => match (bytes.get(at), bytes.get(at + 1)) {
                    (Some(0x80), Some(0x9C)) => Some(true),
                    (Some(0x80), Some(0x9D)) => Some(false),
                    _ => continue,
                },
                _ => continue,
            };
            match opens {
                None => straight_open = !straight_open,
                Some(true) => guillemet_depth += 1,
                Some(false) => guillemet_depth = guillemet_depth.saturating_sub(1),
            }
            let index = index - 1;
            let inside = straight_open || guillemet_depth > 0;
            if inside != was_inside {
                changes.push((index, inside));
            }
        }
        QuoteMap { changes }
    }

    fn is_inside(&self, char_offset: usize) -> bool {
        let before = self.changes.partition_point(|(index, _)| *index < char_offset);
        before > 0 && self.changes.get(before - 1).is_some_and(|(_, inside)| *inside)
    }
}

/// What the context checks of one message need.
struct Context<'a> {
    normalized: &'a Normalized,
    quotes: &'a QuoteMap,
    counter_speech: bool,
    /// Token indices of reporting verbs (« traiter de », « dire »), sorted.
    reporting: &'a [usize],
}

impl Context<'_> {
    /// Words mentioned rather than used: quoted and reported (« se faire traiter de "…" »),
    /// or quoted or reported in a comment that condemns them.
    fn is_mentioned_not_used(&self, start: usize) -> bool {
        let token = self.normalized.token_index_at(start);
        let first = self.reporting.partition_point(|reporting_token| *reporting_token + REPORTING_WINDOW_TOKENS < token);
        let reported = self.reporting.get(first).is_some_and(|reporting_token| *reporting_token < token);
        let quoted = self
            .normalized
            .origin_start
            .get(start)
            .is_some_and(|offset| self.quotes.is_inside(*offset as usize));
        (quoted && reported) || (self.counter_speech && (quoted || reported))
    }
}

/// A token that names a person: capitalised in the original, not a common word, not an
/// institution, and either inside a sentence or followed by another capitalised word.
fn is_person_name(normalized: &Normalized, stopword_starts: &[usize], title_starts: &[usize], index: usize) -> bool {
    let Some(token) = normalized.tokens.get(index) else { return false };
    if !token.capitalised || token.all_uppercase || token.end - token.start < 2 {
        return false;
    }
    let start = token.start as usize;
    let excluded = stopword_starts.binary_search(&start).is_ok() || title_starts.binary_search(&start).is_ok();
    if excluded || INSTITUTIONS.contains(&normalized.token_text(token)) {
        return false;
    }
    if token.sentence_initial {
        return normalized.tokens.get(index + 1).is_some_and(|next| next.capitalised && !next.all_uppercase);
    }
    true
}

/// Capitalised words that name places or institutions, never a person who can be defamed.
const INSTITUTIONS: &[&str] = &[
    "quebec", "canada", "montreal", "ministere", "gouvernement", "ville", "etat", "municipalite", "mamh", "caq",
    "hydro", "saaq", "ramq", "revenu", "assemblee", "nationale", "cour", "gatineau", "laval", "sherbrooke", "levis",
    "saguenay", "ottawa", "france", "dieu", "bonjour", "merci", "allo", "salut",
];

/// Walks a text forwards char by char, eight bytes at a time over ASCII: the byte offsets
/// of a few char offsets without decoding every char.
struct CharCursor<'a> {
    bytes: &'a [u8],
    byte: usize,
    char: usize,
}

impl CharCursor<'_> {
    /// The byte offset of char `target` (at or after the cursor), the text's length for the
    /// char count, `None` past the end.
    fn advance_to(&mut self, target: usize) -> Option<usize> {
        const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
        while self.char < target {
            if target - self.char >= 8
                && let Some(chunk) = self.bytes.get(self.byte..self.byte + 8).and_then(|chunk| <[u8; 8]>::try_from(chunk).ok())
                && u64::from_le_bytes(chunk) & HIGH_BITS == 0
            {
                self.byte += 8;
                self.char += 8;
                continue;
            }
            let first = *self.bytes.get(self.byte)?;
            // The length of a char from its first byte (the text is valid UTF-8).
            self.byte += match first {
                0x00..=0x7F => 1,
                0x80..=0xDF => 2,
                0xE0..=0xEF => 3,
                _ => 4,
            };
            self.char += 1;
        }
        (self.byte <= self.bytes.len()).then_some(self.byte)
    }
}

fn build_evidence(original: &str, ranges: &[(EvidenceKind, usize, usize)]) -> Vec<Evidence> {
    if ranges.is_empty() {
        return Vec::new();
    }
    let evidence_at = |kind: EvidenceKind, start: usize, end: usize, byte_start: usize, byte_end: usize| {
        let matched = original.get(byte_start..byte_end)?.to_owned();
        Some(Evidence { category: kind, start, end, matched })
    };
    if original.is_ascii() {
        // Char offsets are byte offsets: no map to build.
        return ranges.iter().filter_map(|&(kind, start, end)| evidence_at(kind, start, end, start, end)).collect();
    }
    // Only the offsets the evidence needs, found in one walk over the chars (rather than a
    // map of every char of the text).
    let mut wanted: Vec<(usize, usize)> = Vec::with_capacity(ranges.len() * 2);
    for &(_, start, end) in ranges {
        wanted.push((start, usize::MAX));
        wanted.push((end, usize::MAX));
    }
    wanted.sort_unstable();
    wanted.dedup();
    let mut cursor = CharCursor { bytes: original.as_bytes(), byte: 0, char: 0 };
    for (wanted_char, byte) in wanted.iter_mut() {
        // Walk up to the wanted char (offsets past the end stay unmapped).
        let Some(byte_offset) = cursor.advance_to(*wanted_char) else { break };
        *byte = byte_offset;
    }
    let byte_of = |char_offset: usize| -> Option<usize> {
        let index = wanted.binary_search_by_key(&char_offset, |(wanted_char, _)| *wanted_char).ok()?;
        wanted.get(index).map(|(_, byte)| *byte).filter(|byte| *byte != usize::MAX)
    };
    ranges
        .iter()
        .filter_map(|&(kind, start, end)| evidence_at(kind, start, end, byte_of(start)?, byte_of(end)?))
        .collect()
}

/// Whether meaningful words remain once the evidence is set aside: at least two content
/// words (three letters or more, not a common function word), or one in a question.
fn substance_remains(normalized: &Normalized, covered: &mut [(usize, usize)], stopword_starts: &[usize], original: &str) -> bool {
    covered.sort_unstable();
    let mut next_covered = 0usize;
    let mut covered_until = 0usize;
    let mut content_words = 0usize;
    let mut stopword_index = 0usize;
    for token in &normalized.tokens {
        let start = token.start as usize;
        let (Some(first), Some(last)) = (normalized.origin_start.get(start), normalized.origin_end.get(token.end as usize - 1)) else {
            continue;
        };
        let (first, last) = (*first as usize, *last as usize);
        // Evidence ranges starting before the token's end, swept once in order.
        while let Some((range_start, range_end)) = covered.get(next_covered) {
            if *range_start >= last {
                break;
            }
            covered_until = covered_until.max(*range_end);
            next_covered += 1;
        }
        while stopword_starts.get(stopword_index).is_some_and(|stop| *stop < start) {
            stopword_index += 1;
        }
        if stopword_starts.get(stopword_index) == Some(&start) {
            continue;
        }
        let text = normalized.token_text(token);
        if text.len() < 3 || !text.bytes().any(|byte| byte.is_ascii_lowercase()) || covered_until > first {
            continue;
        }
        content_words += 1;
        if content_words >= 2 {
            return true;
        }
    }
    content_words == 1 && original.contains('?')
}

fn detect_language(french: usize, english: usize) -> &'static str {
    if french == 0 && english == 0 {
        "und"
    } else if french >= english {
        "fr"
    } else {
        "en"
    }
}

/// Keyboard rows typed in a row, in QWERTY and AZERTY.
const KEYBOARD_RUNS: &[&str] = &[
    "qwer", "wert", "erty", "rtyu", "tyui", "yuio", "uiop", "asdf", "sdfg", "dfgh", "fghj", "ghjk", "hjkl", "zxcv",
    "xcvb", "cvbn", "vbnm", "azer", "zert", "qsdf", "wxcv", "poiu", "lkjh", "mnbv", "jklm",
];

fn keyboard_runs_packed() -> &'static [u32] {
    static PACKED: OnceLock<Vec<u32>> = OnceLock::new();
    PACKED.get_or_init(|| {
        let mut packed: Vec<u32> = KEYBOARD_RUNS
            .iter()
            .filter_map(|run| <[u8; 4]>::try_from(run.as_bytes()).ok())
            .map(u32::from_be_bytes)
            .collect();
        packed.sort_unstable();
        packed
    })
}

/// For each first letter, the set of second letters (bit `letter - 'a'`) that start a
/// keyboard run.
fn keyboard_run_starts() -> &'static [u32; 26] {
    static STARTS: OnceLock<[u32; 26]> = OnceLock::new();
    STARTS.get_or_init(|| {
        let mut starts = [0u32; 26];
        for run in KEYBOARD_RUNS {
            if let [first, second, ..] = run.as_bytes()
                && let Some(set) = starts.get_mut(usize::from(first.wrapping_sub(b'a')))
            {
                *set |= 1 << (second.wrapping_sub(b'a') & 31);
            }
        }
        starts
    })
}

/// `runs` are the token's run lengths (`Normalized::run_length`), looked at only for a
/// token of one letter.
fn is_gibberish_token(token: &str, runs: &[u8]) -> bool {
    let length = token.len();
    if length == 1 {
        let longest_run = runs.iter().copied().max().unwrap_or(1);
        return token.bytes().all(|byte| byte.is_ascii_lowercase()) && longest_run >= 4 && !matches!(token, "a" | "o" | "e" | "h" | "m");
    }
    if length < 4 {
        return false;
    }
    let mut vowels = 0usize;
    let mut consonant_run = 0usize;
    let mut longest_consonant_run = 0usize;
    for byte in token.bytes() {
        // Only lowercase letters can make gibberish; one pass for that and the counts.
        if !byte.is_ascii_lowercase() {
            return false;
        }
        if matches!(byte, b'a' | b'e' | b'i' | b'o' | b'u' | b'y') {
            vowels += 1;
            consonant_run = 0;
        } else {
            consonant_run += 1;
            longest_consonant_run = longest_consonant_run.max(consonant_run);
        }
    }
    if vowels == 0 || longest_consonant_run >= 5 || (length >= 8 && vowels * 6 < length) {
        return true;
    }
    // Four letters at a time as one integer, looked up in the sorted keyboard runs only
    // when their first two letters start one: this runs for most words of most comments.
    let starts = keyboard_run_starts();
    if token.as_bytes().windows(4).any(|window| {
        let second_letters = starts.get(usize::from(window[0].wrapping_sub(b'a'))).copied().unwrap_or(0);
        let starts_a_run = second_letters & (1u32 << (window[1].wrapping_sub(b'a') & 31)) != 0;
        starts_a_run && {
            let packed = u32::from_be_bytes([window[0], window[1], window[2], window[3]]);
            keyboard_runs_packed().binary_search(&packed).is_ok()
        }
    }) {
        return true;
    }
    false
}

/// Keyboard mashing, strings of consonants, or punctuation alone: nothing a person can read.
/// Returns the original char range of the unreadable part.
/// What `incomprehensible_range` needs of a token the lexicon knows, computed once per
/// token of the lexicon rather than once per occurrence: bit 0, it has a lowercase letter;
/// bit 1, it is gibberish (tokens of two letters or more, whose verdict is their text's).
const SHAPE_HAS_LOWERCASE: u8 = 1;
const SHAPE_GIBBERISH: u8 = 2;

fn token_shapes(lexicon: &Lexicon) -> Vec<u8> {
    lexicon
        .token_texts()
        .map(|text| {
            let mut shape = 0u8;
            if text.bytes().any(|byte| byte.is_ascii_lowercase()) {
                shape |= SHAPE_HAS_LOWERCASE;
            }
            if text.len() >= 2 && is_gibberish_token(text, &[]) {
                shape |= SHAPE_GIBBERISH;
            }
            shape
        })
        .collect()
}

fn incomprehensible_range(
    normalized: &Normalized,
    original: &str,
    stopword_count: usize,
    token_ids: &[Option<u32>],
    token_shapes: &[u8],
) -> Option<(usize, usize)> {
    // Common words make up more than half of ordinary text: then nothing below can fire,
    // and most comments stop here.
    if stopword_count * 2 > normalized.tokens.len() {
        return None;
    }
    let mut words = 0usize;
    let mut gibberish = 0usize;
    let mut first_gibberish: Option<usize> = None;
    let mut last_gibberish = 0usize;
    // With a common word present, only a majority of gibberish words can fire: stop as soon
    // as readable words make that impossible (most comments, after a few words).
    let token_count = normalized.tokens.len();
    for (index, token) in normalized.tokens.iter().enumerate() {
        if stopword_count > 0 && (words - gibberish) * 2 >= token_count {
            return None;
        }
        let text = normalized.token_text(token);
        let start = token.start as usize;
        let end = token.end as usize;
        let known_shape = match token_ids.get(index) {
            Some(Some(id)) if text.len() >= 2 => token_shapes.get(*id as usize).copied(),
            _ => None,
        };
        let is_gibberish = match known_shape {
            Some(shape) => {
                if shape & SHAPE_HAS_LOWERCASE == 0 {
                    continue;
                }
                shape & SHAPE_GIBBERISH != 0
            }
            None => {
                if !text.bytes().any(|byte| byte.is_ascii_lowercase()) {
                    continue;
                }
                is_gibberish_token(text, normalized.run_length.get(start..end).unwrap_or(&[]))
            }
        };
        words += 1;
        if is_gibberish {
            gibberish += 1;
            first_gibberish.get_or_insert(start);
            last_gibberish = end;
        }
    }
    if words == 0 {
        let visible = original.chars().filter(|character| !character.is_whitespace()).count();
        let punctuation_only = visible >= 3 && original.chars().all(|character| character.is_whitespace() || character.is_ascii_punctuation());
        if punctuation_only && normalized.tokens.is_empty() {
            return Some((0, normalized.original_char_count));
        }
        return None;
    }
    // Strings of short nonsense syllables or one word said over and over (« bla bla blo »,
    // « ok ok ok ok ok ok »), with no common word at all.
    let short_words_only = normalized.tokens.iter().all(|token| token.end - token.start <= 4);
    if gibberish == 0 && words >= 5 && stopword_count == 0 && short_words_only {
        return Some((0, normalized.original_char_count));
    }
    let mostly_gibberish = gibberish * 2 > words || (gibberish >= 1 && words <= 2 && stopword_count == 0);
    if gibberish == 0 || !mostly_gibberish || stopword_count * 2 > words {
        return None;
    }
    let first = first_gibberish?;
    normalized.original_range(first, last_gibberish)
}

fn explain(policy: &Policy, action: Action, urgent: Option<UrgentKind>, categories: &[Category], evidence: &[Evidence]) -> String {
    // Written with `push_str` rather than `format!`: one explanation per comment, and the
    // formatting machinery cost more than the rest of the verdict.
    let quoted_words = |sentence: &mut String, filter: &dyn Fn(&EvidenceKind) -> bool| {
        let mut shown_words: [&str; 4] = [""; 4];
        let mut shown_count = 0usize;
        for item in evidence.iter().filter(|item| filter(&item.category)) {
            // The first 60 chars, borrowed rather than collected into a String of their own.
            let shown = item.matched.char_indices().nth(60).map_or(item.matched.as_str(), |(byte, _)| item.matched.get(..byte).unwrap_or(""));
            let shown = shown.trim();
            if shown_words.iter().take(shown_count).any(|already| *already == shown) {
                continue;
            }
            if let Some(slot) = shown_words.get_mut(shown_count) {
                *slot = shown;
            }
            if shown_count > 0 {
                sentence.push_str(", ");
            }
            sentence.push_str("« ");
            sentence.push_str(shown);
            sentence.push_str(" »");
            shown_count += 1;
            if shown_count == 4 {
                break;
            }
        }
    };
    if let Some(kind) = urgent {
        let what = match kind {
            UrgentKind::SelfHarm => "des propos suicidaires",
            UrgentKind::Threat => "une menace de violence ou d'acte criminel",
        };
        let mut sentence = String::with_capacity(200);
        sentence.push_str("Ce commentaire contient ");
        sentence.push_str(what);
        sentence.push_str(" (");
        quoted_words(&mut sentence, &|kind| matches!(kind, EvidenceKind::Urgent(_)));
        sentence.push_str(") et doit être examiné en priorité par une personne, sans être masqué.");
        return sentence;
    }
    if categories.is_empty() {
        return "Ce commentaire respecte la nétiquette et peut être publié intégralement.".to_owned();
    }
    let mut sentence = String::with_capacity(256);
    sentence.push_str("Ce commentaire enfreint la nétiquette, clause ");
    let mut first_clause = true;
    for category in categories {
        let Some(clause) = policy.clauses.iter().find(|clause| clause.category == *category) else { continue };
        if !first_clause {
            sentence.push_str(" et ");
        }
        first_clause = false;
        sentence.push_str("« ");
        sentence.push_str(clause.wording.trim().trim_end_matches(['.', ';']));
        sentence.push_str(" » (");
        sentence.push_str(&clause.clause_id);
        sentence.push(')');
    }
    sentence.push_str(" : ");
    quoted_words(&mut sentence, &|kind| matches!(kind, EvidenceKind::Category(_)));
    sentence.push_str(" ; ");
    sentence.push_str(match action {
        Action::Hide => "il est masqué",
        Action::Review => "il reste un propos recevable, une personne doit l'examiner",
        Action::Publish => "il peut être publié",
    });
    sentence.push('.');
    sentence
}

/// Buffers one moderation fills and the next one reuses on the same thread.
#[derive(Default)]
struct Scratch {
    normalized: Normalized,
    /// The lexicon's ids of the comment's tokens.
    token_ids: Vec<Option<u32>>,
    buffers: ScanBuffers,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

static SHARED_ENGINE: OnceLock<Engine> = OnceLock::new();

/// Judges one message with a process-wide engine built on first use.
pub fn moderate(policy: &Policy, message: &Message, history: &History) -> Verdict {
    SHARED_ENGINE.get_or_init(Engine::new).moderate(policy, message, history)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Quote changes found char by char, as before the byte-level scan.
    fn quote_changes_by_chars(original: &str) -> Vec<(usize, bool)> {
        let mut changes = Vec::new();
        let mut straight_open = false;
        let mut guillemet_depth = 0usize;
        for (index, character) in original.chars().enumerate() {
            let was_inside = straight_open || guillemet_depth > 0;
            match character {
                '"' => straight_open = !straight_open,
                '«' | '“' => guillemet_depth += 1,
                '»' | '”' => guillemet_depth = guillemet_depth.saturating_sub(1),
                _ => continue,
            }
            let inside = straight_open || guillemet_depth > 0;
            if inside != was_inside {
                changes.push((index, inside));
            }
        }
        changes
    }

    fn check_offsets(text: &str) {
        assert_eq!(QuoteMap::new(text).changes, quote_changes_by_chars(text), "quotes of {text:?}");
        let char_count = text.chars().count();
        let byte_offsets: Vec<usize> = text.char_indices().map(|(byte, _)| byte).chain(std::iter::once(text.len())).collect();
        let mut cursor = CharCursor { bytes: text.as_bytes(), byte: 0, char: 0 };
        for target in (0..=char_count + 2).step_by(3) {
            assert_eq!(cursor.advance_to(target), byte_offsets.get(target).copied(), "char {target} of {text:?}");
        }
        let mut cursor = CharCursor { bytes: text.as_bytes(), byte: 0, char: 0 };
        for target in 0..=char_count + 1 {
            assert_eq!(cursor.advance_to(target), byte_offsets.get(target).copied(), "char {target} of {text:?}");
        }
    }

    #[test]
    fn byte_level_scans_agree_with_chars() {
        for text in [
            "",
            "« Maudit » qu'il a dit, \"ok\" et “ça” — ensuite « « deux » »",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa é",
            "ééééééééééééééééé 😀😀 漢字 \"x\" «",
            "»“”«\"",
        ] {
            check_offsets(text);
        }
        for comment in crate::bench_corpus::realistic_comments(500) {
            check_offsets(&comment);
        }
    }

    fn offset_char() -> impl proptest::strategy::Strategy<Value = char> {
        use proptest::prelude::*;
        prop_oneof![
            proptest::char::range('a', 'e'),
            proptest::sample::select(vec![' ', '"', '«', '»', '“', '”', 'é', '€', '😀', '\u{0080}', '\u{07FF}', '\u{FFFF}']),
            any::<char>(),
        ]
    }

    proptest::proptest! {
        #[test]
        fn byte_level_scans_agree_with_chars_on_any_text(chars in proptest::collection::vec(offset_char(), 0..80)) {
            let text: String = chars.into_iter().collect();
            check_offsets(&text);
        }
    }
}
