//! A deterministic corpus of realistic comments for the speed benchmarks: the criterion
//! bench and `balise bench moderation` measure the same thing.

const SENTENCES_FILE: &str = include_str!("../data/bench_corpus.txt");

/// The sentences of `data/bench_corpus.txt` (comment lines left out).
pub fn sentences() -> Vec<&'static str> {
    SENTENCES_FILE
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
}

/// `count` comments of one to four sentences, about 200 characters on average, always the
/// same for the same `count` (a fixed xorshift generator, no randomness from the system).
pub fn realistic_comments(count: usize) -> Vec<String> {
    let sentences = sentences();
    if sentences.is_empty() {
        return Vec::new();
    }
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|_| {
            let sentence_count = 1 + (next() % 4) as usize;
            let mut comment = String::new();
            for _ in 0..sentence_count {
                if !comment.is_empty() {
                    comment.push(' ');
                }
                let index = (next() % sentences.len() as u64) as usize;
                comment.push_str(sentences.get(index).copied().unwrap_or(""));
            }
            comment
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_is_deterministic_and_about_two_hundred_chars() {
        let comments = realistic_comments(2000);
        assert_eq!(comments, realistic_comments(2000));
        let mean = comments.iter().map(|comment| comment.chars().count()).sum::<usize>() / comments.len();
        assert!((150..=260).contains(&mean), "mean length {mean}");
    }
}
