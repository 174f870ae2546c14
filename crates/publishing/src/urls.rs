//! Finding links in a post the way X's twitter-text finds them (the rules X, and Mastodon
//! through its copy of them, use to count every link as 23 characters): with or without
//! `http(s)://`, a host ending in a known top-level domain, an optional port, path and query
//! whose trailing punctuation is left out. Written from twitter-text's published rules.
//!
//! Like twitter-text's global regular expression, a candidate that matches the link syntax
//! but is then refused (a host label longer than 63 characters once Punycode-encoded, a bare
//! `example.ca` with neither scheme nor path) is skipped whole: the search resumes after it.

use crate::punycode::label_to_ascii;
use crate::tlds::{TldKind, is_special_short_country_code, match_tld};

/// The longest link X accepts, in UTF-16 code units, scheme included.
const MAX_URL_LENGTH: usize = 4096;

/// Longest host label, once encoded.
const MAX_DOMAIN_LABEL_LENGTH: usize = 63;

/// A link found in a text, as character (Unicode scalar value) offsets, end exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UrlSpan {
    pub start: usize,
    pub end: usize,
}

/// Whether links written without `http://` or `https://` count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemeRule {
    /// X: `www.quebec.ca` is a link.
    SchemeOptional,
    /// Mastodon: only `https://…` and `http://…` are links.
    SchemeRequired,
}

fn is_space(c: char) -> bool {
    matches!(c,
        '\u{09}'..='\u{0D}' | ' ' | '\u{85}' | '\u{A0}' | '\u{1680}' | '\u{180E}'
        | '\u{2000}'..='\u{200A}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}')
}

pub(crate) fn is_invalid_x_character(c: char) -> bool {
    matches!(c, '\u{FFFE}' | '\u{FEFF}' | '\u{FFFF}')
}

fn is_directional_marker(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{2066}'..='\u{2069}')
}

fn is_domain_char(c: char) -> bool {
    !(c.is_ascii_punctuation()
        || is_space(c)
        || is_invalid_x_character(c)
        || is_directional_marker(c))
}

fn is_latin_accent(c: char) -> bool {
    matches!(c,
        '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{FF}' | '\u{100}'..='\u{24F}'
        | '\u{253}' | '\u{254}' | '\u{256}' | '\u{257}' | '\u{259}' | '\u{25B}' | '\u{263}'
        | '\u{268}' | '\u{26F}' | '\u{272}' | '\u{289}' | '\u{28B}' | '\u{2BB}'
        | '\u{300}'..='\u{36F}' | '\u{1E00}'..='\u{1EFF}')
}

fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{400}'..='\u{4FF}')
}

fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || is_cyrillic(c)
        || is_latin_accent(c)
        || matches!(
            c,
            '!' | '*'
                | '\''
                | ';'
                | ':'
                | '='
                | '+'
                | ','
                | '.'
                | '$'
                | '/'
                | '%'
                | '#'
                | '['
                | ']'
                | '-'
                | '\u{2013}'
                | '_'
                | '~'
                | '|'
                | '&'
                | '@'
        )
}

fn is_path_ending_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || is_cyrillic(c)
        || is_latin_accent(c)
        || matches!(c, '+' | '-' | '=' | '_' | '#' | '/')
}

fn is_query_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '!' | '?'
                | '*'
                | '\''
                | '@'
                | '('
                | ')'
                | ';'
                | ':'
                | '&'
                | '='
                | '+'
                | '$'
                | '/'
                | '%'
                | '#'
                | '['
                | ']'
                | '-'
                | '_'
                | '.'
                | ','
                | '~'
                | '|'
        )
}

fn is_query_ending_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '&' | '=' | '#' | '/')
}

/// A character that may come right before a link.
fn may_precede_url(c: char) -> bool {
    !(c.is_ascii_alphanumeric()
        || matches!(c, '@' | '\u{FF20}' | '$' | '#' | '\u{FF03}')
        || is_invalid_x_character(c))
}

/// A link as the syntax matched it, before the checks that may refuse it.
struct Candidate {
    has_scheme: bool,
    /// Where the host starts and ends.
    host_start: usize,
    host_end: usize,
    tld_kind: TldKind,
    has_path: bool,
    /// Where the whole match ends.
    end: usize,
}

/// Every link in `text`, in order.
pub fn find_urls(text: &str, rule: SchemeRule) -> Vec<UrlSpan> {
    let chars: Vec<char> = text.chars().collect();
    find_urls_in_chars(&chars, rule)
}

pub(crate) fn find_urls_in_chars(chars: &[char], rule: SchemeRule) -> Vec<UrlSpan> {
    let run_has_dot = dotted_runs(chars);
    let mut urls = Vec::new();
    let mut start = 0;
    while start < chars.len() {
        if start > 0 && !may_precede_url(chars[start - 1]) {
            start += 1;
            continue;
        }
        let candidate = match match_at(chars, start, &run_has_dot) {
            Ok(candidate) => candidate,
            Err(NoMatch { skip_to }) => {
                start = skip_to.max(start + 1);
                continue;
            }
        };
        if let Some(span) = accept(chars, start, &candidate, rule) {
            urls.push(span);
        }
        // The preceding character of the next match must not belong to this one.
        start = candidate.end.max(start + 1) + 1;
    }
    urls
}

/// For each position, whether the run of host characters (and dots) it starts contains a
/// dot; a run without one cannot hold a host, which keeps the scan linear on long words.
fn dotted_runs(chars: &[char]) -> Vec<bool> {
    let mut has_dot = vec![false; chars.len() + 1];
    for index in (0..chars.len()).rev() {
        let c = chars[index];
        has_dot[index] = if c == '.' {
            true
        } else if is_domain_char(c) || c == '-' || c == '_' {
            has_dot[index + 1]
        } else {
            false
        };
    }
    has_dot
}

fn starts_with_ignore_case(chars: &[char], at: usize, prefix: &str) -> bool {
    let mut index = at;
    for expected in prefix.chars() {
        match chars.get(index) {
            Some(actual) if actual.to_ascii_lowercase() == expected => index += 1,
            _ => return false,
        }
    }
    true
}

/// No link starts at a position; `skip_to` is the first later position worth trying.
struct NoMatch {
    skip_to: usize,
}

fn match_at(chars: &[char], start: usize, run_has_dot: &[bool]) -> Result<Candidate, NoMatch> {
    for scheme in ["https://", "http://"] {
        if starts_with_ignore_case(chars, start, scheme) {
            let host_start = start + scheme.len();
            if let Ok(candidate) = match_rest(chars, host_start, true, run_has_dot) {
                return Ok(candidate);
            }
        }
    }
    match_rest(chars, start, false, run_has_dot)
}

fn match_rest(
    chars: &[char],
    host_start: usize,
    has_scheme: bool,
    run_has_dot: &[bool],
) -> Result<Candidate, NoMatch> {
    if !run_has_dot.get(host_start).copied().unwrap_or(false) {
        return Err(NoMatch {
            skip_to: host_start + 1,
        });
    }
    let (host_end, tld_kind) = match_host(chars, host_start)?;
    let mut end = host_end;
    // Port.
    if chars.get(end) == Some(&':') {
        let digits = chars[end + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits > 0 {
            end += 1 + digits;
        }
    }
    let mut has_path = false;
    if chars.get(end) == Some(&'/') {
        has_path = true;
        end = match_path(chars, end + 1);
    }
    if chars.get(end) == Some(&'?')
        && let Some(query_end) = match_query(chars, end + 1)
    {
        end = query_end;
    }
    Ok(Candidate {
        has_scheme,
        host_start,
        host_end,
        tld_kind,
        has_path,
        end,
    })
}

/// Labels separated by dots, the last of which starts with a top-level domain. Returns where
/// the host ends (after the domain) and the domain's kind. When no label after the first
/// starts with a top-level domain, no start inside the first label can match either (they
/// share every later label), so the scan may skip to its end: this keeps a long run of
/// letters that ends in a dot linear instead of quadratic.
fn match_host(chars: &[char], start: usize) -> Result<(usize, TldKind), NoMatch> {
    let mut labels: Vec<(usize, usize)> = Vec::new();
    let mut position = start;
    loop {
        let length = chars[position..]
            .iter()
            .take_while(|&&c| is_domain_char(c) || c == '-' || c == '_')
            .count();
        labels.push((position, position + length));
        position += length;
        if chars.get(position) == Some(&'.') {
            position += 1;
        } else {
            break;
        }
    }
    let edge_ok = |(from, to): (usize, usize)| {
        to > from && is_domain_char(chars[from]) && is_domain_char(chars[to - 1])
    };
    // Labels before the domain name: inner hyphens and underscores allowed.
    let mut subdomains_valid_up_to = 0;
    while subdomains_valid_up_to < labels.len() && edge_ok(labels[subdomains_valid_up_to]) {
        subdomains_valid_up_to += 1;
    }
    let tld_matches: Vec<Option<(usize, TldKind)>> = labels
        .iter()
        .map(|&(label_start, _)| match_tld(&chars[label_start..]))
        .collect();
    if tld_matches.iter().skip(1).all(Option::is_none) {
        return Err(NoMatch {
            skip_to: labels[0].1,
        });
    }
    for tld_index in (1..labels.len()).rev() {
        let name = labels[tld_index - 1];
        if tld_index - 1 > subdomains_valid_up_to {
            continue;
        }
        let name_ok = edge_ok(name) && !chars[name.0..name.1].contains(&'_');
        if !name_ok {
            continue;
        }
        let tld_start = labels[tld_index].0;
        if let Some((length, kind)) = tld_matches[tld_index] {
            return Ok((tld_start + length, kind));
        }
    }
    Err(NoMatch { skip_to: start + 1 })
}

/// A balanced parenthesised group in a path, one level of nesting allowed.
fn balanced_parens(chars: &[char], open: usize) -> Option<usize> {
    let run = |from: usize| {
        chars[from.min(chars.len())..]
            .iter()
            .take_while(|&&c| is_path_char(c))
            .count()
    };
    let inner = open + 1;
    let first = run(inner);
    if first > 0 && chars.get(inner + first) == Some(&')') {
        return Some(inner + first + 1);
    }
    if chars.get(inner + first) == Some(&'(') {
        let nested = inner + first + 1;
        let middle = run(nested);
        if middle > 0 && chars.get(nested + middle) == Some(&')') {
            let after = nested + middle + 1;
            let last = run(after);
            if chars.get(after + last) == Some(&')') {
                return Some(after + last + 1);
            }
        }
    }
    None
}

/// The path after its first `/`: path characters and balanced parentheses, cut back to the
/// last character a path may end with. Returns where the path ends.
fn match_path(chars: &[char], from: usize) -> usize {
    let mut position = from;
    let mut last_good = from;
    while position < chars.len() {
        let c = chars[position];
        if c == '(' {
            match balanced_parens(chars, position) {
                Some(end) => {
                    position = end;
                    last_good = end;
                }
                None => break,
            }
        } else if is_path_char(c) {
            position += 1;
            if is_path_ending_char(c) {
                last_good = position;
            }
        } else {
            break;
        }
    }
    last_good
}

/// The query after `?`, cut back to its last valid ending character; `None` when it has none.
fn match_query(chars: &[char], from: usize) -> Option<usize> {
    let mut last_good = None;
    let mut position = from;
    while position < chars.len() && is_query_char(chars[position]) {
        position += 1;
        if is_query_ending_char(chars[position - 1]) {
            last_good = Some(position);
        }
    }
    last_good
}

fn utf16_length(chars: &[char]) -> usize {
    chars.iter().map(|c| c.len_utf16()).sum()
}

/// twitter-text's `isValidUrl`: every host label encodes to 1–63 characters, and the whole
/// link stays within 4,096 characters.
fn host_is_valid(chars: &[char], url_start: usize, candidate: &Candidate) -> bool {
    let host: String = chars[candidate.host_start..candidate.host_end]
        .iter()
        .collect();
    let mut encoded_length = 0;
    let mut label_count: usize = 0;
    for label in host.split('.') {
        let Some(encoded) = label_to_ascii(label) else {
            return false;
        };
        if encoded.is_empty() || encoded.len() > MAX_DOMAIN_LABEL_LENGTH {
            return false;
        }
        encoded_length += encoded.len();
        label_count += 1;
    }
    let encoded_host_length = encoded_length + label_count.saturating_sub(1);
    let host_length = utf16_length(&chars[candidate.host_start..candidate.host_end]);
    let url_length =
        utf16_length(&chars[url_start..candidate.end]) + encoded_host_length - host_length;
    let scheme_allowance = if candidate.has_scheme {
        0
    } else {
        "https://".len()
    };
    url_length + scheme_allowance <= MAX_URL_LENGTH
}

fn accept(
    chars: &[char],
    start: usize,
    candidate: &Candidate,
    rule: SchemeRule,
) -> Option<UrlSpan> {
    if !host_is_valid(chars, start, candidate) {
        return None;
    }
    if candidate.has_scheme {
        return Some(UrlSpan {
            start,
            end: candidate.end,
        });
    }
    if rule == SchemeRule::SchemeRequired {
        return None;
    }
    if start > 0 && matches!(chars[start - 1], '-' | '_' | '.' | '/') {
        return None;
    }
    // Without a scheme only the ASCII (and Latin-accented) tail of the host is a link.
    let host = &chars[candidate.host_start..candidate.host_end];
    let ascii_tail = host
        .iter()
        .rev()
        .take_while(|&&c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || is_latin_accent(c))
        .count();
    let mut tail_start = candidate.host_end - ascii_tail;
    while tail_start < candidate.host_end && chars[tail_start] == '.' {
        tail_start += 1;
    }
    let tail = &chars[tail_start..candidate.host_end];
    let dots = tail.iter().filter(|&&c| c == '.').count();
    if dots == 0 {
        return None;
    }
    if !candidate.has_path && dots == 1 && candidate.tld_kind == TldKind::CountryCode {
        let tld: String = tail.iter().skip_while(|&&c| c != '.').skip(1).collect();
        if !is_special_short_country_code(&tld) {
            return None;
        }
    }
    let end = if candidate.has_path {
        candidate.end
    } else {
        candidate.host_end
    };
    Some(UrlSpan {
        start: tail_start,
        end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(text: &str) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        find_urls(text, SchemeRule::SchemeOptional)
            .into_iter()
            .map(|span| chars[span.start..span.end].iter().collect())
            .collect()
    }

    #[test]
    fn links_with_and_without_scheme() {
        assert_eq!(
            urls("Voir https://www.quebec.ca/nouvelles. Merci"),
            ["https://www.quebec.ca/nouvelles"]
        );
        assert_eq!(
            urls("Détails : www.mamh.gouv.qc.ca, en ligne"),
            ["www.mamh.gouv.qc.ca"]
        );
        assert_eq!(urls("Hi http://test.co"), ["http://test.co"]);
        assert_eq!(urls("Écrivez à info@quebec.ca"), Vec::<String>::new());
    }

    #[test]
    fn a_bare_two_label_country_domain_is_not_a_link_but_with_a_path_it_is() {
        assert_eq!(urls("quebec.ca"), Vec::<String>::new());
        assert_eq!(urls("quebec.ca/avis"), ["quebec.ca/avis"]);
        assert_eq!(urls("example.com"), ["example.com"]);
        assert_eq!(urls("example.co"), ["example.co"]);
    }

    #[test]
    fn trailing_punctuation_and_queries() {
        assert_eq!(
            urls("(https://exemple.com/page)"),
            ["https://exemple.com/page"]
        );
        assert_eq!(
            urls("https://exemple.com/a?b=1&c=2."),
            ["https://exemple.com/a?b=1&c=2"]
        );
        assert_eq!(
            urls("https://fr.wikipedia.org/wiki/Baie-Comeau_(ville)!"),
            ["https://fr.wikipedia.org/wiki/Baie-Comeau_(ville)"]
        );
        assert_eq!(
            urls("https://exemple.com:8080/x"),
            ["https://exemple.com:8080/x"]
        );
    }

    #[test]
    fn words_with_dots_that_are_not_domains_are_not_links() {
        assert_eq!(urls("Fin de la séance.Merci à tous"), Vec::<String>::new());
        assert_eq!(urls("fichier rapport.pdf"), Vec::<String>::new());
    }

    #[test]
    fn a_host_label_over_63_characters_is_refused() {
        let label63 = "a".repeat(63);
        let label64 = "a".repeat(64);
        assert_eq!(urls(&format!("{label63}.com")).len(), 1);
        assert!(urls(&format!("{label64}.com")).is_empty());
    }

    #[test]
    fn hosts_written_in_another_script_need_a_scheme() {
        assert!(urls("日本語のテキスト.comと").is_empty());
        assert_eq!(urls("abc.def x.com"), ["x.com"]);
        assert_eq!(urls("abc.def http://exemple.com"), ["http://exemple.com"]);
    }

    #[test]
    fn mastodon_requires_a_scheme() {
        assert!(find_urls("www.quebec.ca", SchemeRule::SchemeRequired).is_empty());
        assert_eq!(
            find_urls("https://quebec.ca", SchemeRule::SchemeRequired).len(),
            1
        );
    }
}
