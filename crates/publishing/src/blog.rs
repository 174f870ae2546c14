//! Blogs (S3 Annexe A, R-57): a post has 200 to 500 words, and a blog is updated at least
//! once a week.

use jiff::{SignedDuration, Timestamp};

use crate::problem::{Problem, ProblemCode};

/// The fewest words a blog post should have.
pub const BLOG_MIN_WORDS: usize = 200;
/// The most words a blog post should have.
pub const BLOG_MAX_WORDS: usize = 500;
/// How long a blog may go without a post before it is overdue.
pub const BLOG_MAX_SILENCE: SignedDuration = SignedDuration::from_hours(7 * 24);

/// Words as a reader counts them: runs of letters or digits; an apostrophe or a hyphen
/// inside a word does not split it ("aujourd'hui", "Baie-Comeau" are one word each).
pub fn word_count(text: &str) -> usize {
    let mut count = 0;
    let mut in_word = false;
    let mut pending_joiner = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if !in_word {
                count += 1;
            }
            in_word = true;
            pending_joiner = false;
        } else if in_word && !pending_joiner && matches!(c, '\'' | '’' | '-') {
            pending_joiner = true;
        } else {
            in_word = false;
            pending_joiner = false;
        }
    }
    count
}

/// `too_short` or `too_long` when the post is outside 200–500 words.
pub fn check_blog_post(text: &str) -> Vec<Problem> {
    let words = word_count(text);
    if words < BLOG_MIN_WORDS {
        return vec![Problem::new(
            ProblemCode::TooShort,
            format!(
                "Le billet compte {words} mots ; un billet de blogue en compte de {BLOG_MIN_WORDS} à {BLOG_MAX_WORDS}."
            ),
            format!(
                "The post has {words} words; a blog post has {BLOG_MIN_WORDS} to {BLOG_MAX_WORDS}."
            ),
        )];
    }
    if words > BLOG_MAX_WORDS {
        return vec![Problem::new(
            ProblemCode::TooLong,
            format!(
                "Le billet compte {words} mots ; un billet de blogue en compte de {BLOG_MIN_WORDS} à {BLOG_MAX_WORDS}."
            ),
            format!(
                "The post has {words} words; a blog post has {BLOG_MIN_WORDS} to {BLOG_MAX_WORDS}."
            ),
        )];
    }
    Vec::new()
}

/// Whether a blog whose last post was at `last_post` has gone more than a week (7 × 24 h)
/// without one at `now`.
pub fn blog_overdue(last_post: Timestamp, now: Timestamp) -> bool {
    now.duration_since(last_post) > BLOG_MAX_SILENCE
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn words(count: usize) -> String {
        vec!["mot"; count].join(" ")
    }

    #[test]
    fn words_are_counted_as_a_reader_counts_them() {
        assert_eq!(
            word_count("Aujourd'hui, à Baie-Comeau, 12 élus l’ont dit."),
            7
        );
        assert_eq!(word_count("  "), 0);
        assert_eq!(word_count("fin - début"), 2);
    }

    #[test]
    fn two_hundred_to_five_hundred_words() {
        assert_eq!(check_blog_post(&words(199))[0].code.id(), "too_short");
        assert!(check_blog_post(&words(200)).is_empty());
        assert!(check_blog_post(&words(500)).is_empty());
        assert_eq!(check_blog_post(&words(501))[0].code.id(), "too_long");
    }

    #[test]
    fn overdue_after_exactly_one_week() {
        let last: Timestamp = "2025-03-03T14:00:00Z".parse().unwrap();
        assert!(!blog_overdue(last, "2025-03-10T14:00:00Z".parse().unwrap()));
        assert!(blog_overdue(last, "2025-03-10T14:00:01Z".parse().unwrap()));
        assert!(!blog_overdue(last, "2025-03-05T09:00:00Z".parse().unwrap()));
    }
}
