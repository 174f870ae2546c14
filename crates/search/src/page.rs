//! The unit the knowledge base stores: a page of the organisation's website or an FAQ
//! entry, identified by its address.

use std::fmt;

/// Longest address accepted, in characters; longer ones are not real page addresses.
pub const MAX_URL_CHARS: usize = 2048;

/// A page's address: the key of the knowledge base (importing a page again under the same
/// address replaces it). Any non-blank text without white space or control characters is
/// accepted, so an HTML folder without canonical links can use relative paths.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PageUrl(String);

impl PageUrl {
    /// Parses an address; surrounding white space is trimmed.
    pub fn parse(value: &str) -> Result<PageUrl, String> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Err("l'adresse est vide".to_owned());
        }
        if trimmed.chars().count() > MAX_URL_CHARS {
            return Err(format!("l'adresse dépasse {MAX_URL_CHARS} caractères"));
        }
        if let Some(character) = trimmed
            .chars()
            .find(|c| c.is_whitespace() || c.is_control())
        {
            return Err(format!(
                "l'adresse contient un caractère non permis {character:?}"
            ));
        }
        Ok(PageUrl(trimmed.to_owned()))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PageUrl {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// A page ready to be indexed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// Where the page lives.
    pub url: PageUrl,
    /// Its title, weighted above the body in searches.
    pub title: String,
    /// Its visible text.
    pub text: String,
}

/// A page found by a search.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// The page's address, to put in the reply.
    pub url: String,
    /// The page's title.
    pub title: String,
    /// The BM25 relevance score (title matches weigh [`crate::TITLE_BOOST`] times more).
    /// It grows with the number and rarity of the question's words found in the page; it
    /// is comparable between pages of one index, not between indexes.
    pub score: f32,
    /// The share of the question's distinct terms (after analysis: stop words dropped,
    /// words stemmed) that the page contains, from 0 to 1. Unlike the score, it does not
    /// depend on the size of the index, so it makes a steadier threshold for the triage:
    /// a page sharing one common word with a long complaint scores well but covers little.
    pub coverage: f32,
    /// A passage of the page around the matched words, for the person who confirms.
    pub snippet: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_trimmed_and_refused_when_blank_or_spaced() {
        assert_eq!(
            PageUrl::parse(" https://a.qc.ca/x ").map(|u| u.0),
            Ok("https://a.qc.ca/x".to_owned())
        );
        assert!(PageUrl::parse("  ").is_err());
        assert!(PageUrl::parse("https://a.qc.ca/une page").is_err());
        assert!(PageUrl::parse(&"a".repeat(MAX_URL_CHARS + 1)).is_err());
    }
}
