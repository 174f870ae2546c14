//! The `repeated` detector: the same author posting the same or nearly the same text
//! again on the same account within the policy's window, or the same text coming from many
//! distinct authors (coordinated spam). The first occurrence is never a breach: only
//! earlier messages in the history count.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use crate::normalize::{normalize, Normalized};
use crate::{History, Message, Policy};

/// Two texts whose word-pair shingles overlap this much (Jaccard) are the same text.
const SIMILARITY_THRESHOLD: f64 = 0.8;
/// Texts shorter than this (normalised bytes) are too common (« Merci! ») to be spam when
/// several people write them.
const MINIMUM_COORDINATED_LENGTH: usize = 20;

/// Beyond this many distinct earlier texts the cache starts over, so that a long-running
/// process does not keep every comment it ever saw: about 700 bytes each, some 10 MB per
/// thread at most, while covering the histories seen in practice (a few thousand).
const PRIOR_CACHE_CAPACITY: usize = 16_384;

/// What the comparison needs from an earlier text, computed once per distinct text.
struct PriorShape {
    normalized_text: String,
    /// The shingle set, sorted and without duplicates.
    shingles: Vec<u64>,
}

thread_local! {
    /// Earlier texts already normalised on this thread: the history is handed over again
    /// with every message, and normalising all of it each time made the detector cost
    /// grow with the history. A pure function of the text, so caching changes no answer.
    static PRIOR_CACHE: std::cell::Cell<HashMap<String, PriorShape>> = std::cell::Cell::new(HashMap::new());
}

fn sorted_shingles(normalized: &Normalized) -> Vec<u64> {
    let mut shingles: Vec<u64> = shingles(normalized).into_iter().collect();
    shingles.sort_unstable();
    shingles
}

/// Jaccard index of two sorted sets without duplicates (two empty sets are the same text).
fn jaccard_sorted(first: &[u64], second: &[u64]) -> f64 {
    if first.is_empty() && second.is_empty() {
        return 1.0;
    }
    let (mut left, mut right, mut shared) = (0usize, 0usize, 0usize);
    while let (Some(a), Some(b)) = (first.get(left), second.get(right)) {
        match a.cmp(b) {
            std::cmp::Ordering::Less => left += 1,
            std::cmp::Ordering::Greater => right += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                left += 1;
                right += 1;
            }
        }
    }
    let union = first.len() + second.len() - shared;
    if union == 0 { 0.0 } else { shared as f64 / union as f64 }
}

/// Hashed word pairs (single words for texts of one word).
fn shingles(normalized: &Normalized) -> HashSet<u64> {
    let words: Vec<&str> = normalized.tokens.iter().map(|token| normalized.token_text(token)).collect();
    let mut set = HashSet::with_capacity(words.len());
    if words.len() < 2 {
        for word in &words {
            set.insert(hash_of(&[word]));
        }
        return set;
    }
    for pair in words.windows(2) {
        set.insert(hash_of(pair));
    }
    set
}

fn hash_of(words: &[&str]) -> u64 {
    let mut hasher = DefaultHasher::new();
    words.hash(&mut hasher);
    hasher.finish()
}

/// Whether `message` repeats an earlier message of `history` under `policy`.
pub fn is_repeated(policy: &Policy, message: &Message, normalized: &Normalized, history: &History) -> bool {
    if normalized.text.is_empty() || history.messages.is_empty() {
        return false;
    }
    let own_shingles = sorted_shingles(normalized);
    let mut cache = PRIOR_CACHE.take();
    if cache.len() > PRIOR_CACHE_CAPACITY {
        cache.clear();
    }
    let repeated = is_repeated_with(policy, message, normalized, history, &own_shingles, &mut cache);
    PRIOR_CACHE.set(cache);
    repeated
}

fn is_repeated_with(
    policy: &Policy,
    message: &Message,
    normalized: &Normalized,
    history: &History,
    own_shingles: &[u64],
    cache: &mut HashMap<String, PriorShape>,
) -> bool {
    let own_length = message.text.chars().count();
    let mut authors: HashSet<&str> = HashSet::new();
    if let Some(author) = message.author.as_deref() {
        authors.insert(author);
    }
    let coordinated_candidate = normalized.text.len() >= MINIMUM_COORDINATED_LENGTH;
    for prior in &history.messages {
        let prior_length = prior.text.chars().count();
        // Texts of very different lengths cannot be near-duplicates: skip normalising them.
        if prior_length * 10 < own_length * 7 || own_length * 10 < prior_length * 7 {
            continue;
        }
        if !cache.contains_key(prior.text.as_str()) {
            let prior_normalized = normalize(&prior.text);
            let shape = PriorShape { shingles: sorted_shingles(&prior_normalized), normalized_text: prior_normalized.text };
            cache.insert(prior.text.clone(), shape);
        }
        let Some(shape) = cache.get(prior.text.as_str()) else { continue };
        let similar = shape.normalized_text == normalized.text || jaccard_sorted(own_shingles, &shape.shingles) >= SIMILARITY_THRESHOLD;
        if !similar {
            continue;
        }
        let same_author = message.author.is_some() && prior.author == message.author && prior.account == message.account;
        let within_window = match (message.created_at, prior.created_at) {
            (Some(now), Some(then)) => now >= then && now - then <= policy.repeat_window_seconds,
            _ => true,
        };
        if same_author && within_window {
            return true;
        }
        if coordinated_candidate {
            if let Some(author) = prior.author.as_deref() {
                authors.insert(author);
            }
            if policy.repeat_distinct_authors >= 2 && authors.len() >= policy.repeat_distinct_authors {
                return true;
            }
        }
    }
    false
}
