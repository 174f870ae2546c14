//! X's weighted length (twitter-text version 3): the text is normalised (NFC), every link
//! counts 23, every emoji sequence counts 2, and every other character counts 1 or 2 by its
//! code point. The weights are those twitter-text publishes in its `config/v3.json`
//! (Apache-2.0); they are written here as constants so that nothing is read at run time.

use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

use crate::urls::{SchemeRule, find_urls_in_chars, is_invalid_x_character};

/// One weighting configuration of twitter-text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct XWeighting {
    /// The limit, in weighted characters.
    pub max_weighted_length: usize,
    /// Weights are integers scaled by this factor.
    pub scale: usize,
    /// The weight of a character outside every range.
    pub default_weight: usize,
    /// What a link counts, whatever its length.
    pub transformed_url_length: usize,
    /// Whether an emoji sequence counts once at the default weight.
    pub emoji_parsing_enabled: bool,
    /// Code point ranges (inclusive) and their weight.
    pub ranges: &'static [(u32, u32, usize)],
}

const V3_RANGES: &[(u32, u32, usize)] = &[
    (0, 4351, 100),
    (8192, 8205, 100),
    (8208, 8223, 100),
    (8242, 8247, 100),
];

/// The configuration X uses today (twitter-text `config/v3.json`).
pub const X_WEIGHTING_V3: XWeighting = XWeighting {
    max_weighted_length: 280,
    scale: 100,
    default_weight: 200,
    transformed_url_length: 23,
    emoji_parsing_enabled: true,
    ranges: V3_RANGES,
};

/// The previous configuration (`config/v2.json`): the same without emoji parsing.
pub const X_WEIGHTING_V2: XWeighting = XWeighting {
    emoji_parsing_enabled: false,
    ..X_WEIGHTING_V3
};

/// What twitter-text's `parseTweet` reports. Ranges are UTF-16 code unit indices into the
/// text as given (before normalisation), inclusive, as twitter-text gives them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct XParse {
    pub weighted_length: usize,
    pub valid: bool,
    /// Thousandths of the limit used, rounded down.
    pub permillage: usize,
    pub display_range_end: usize,
    pub valid_range_end: usize,
}

/// The weighted length of a post on X (version 3 weights).
pub fn x_weighted_length(text: &str) -> usize {
    parse_x(text, &X_WEIGHTING_V3).weighted_length
}

/// Parses a post as X does, under the given weighting.
pub fn parse_x(text: &str, weighting: &XWeighting) -> XParse {
    let normalized: String = text.nfc().collect();
    let chars: Vec<char> = normalized.chars().collect();
    let mut utf16_offsets = Vec::with_capacity(chars.len() + 1);
    let mut offset = 0;
    for c in &chars {
        utf16_offsets.push(offset);
        offset += c.len_utf16();
    }
    utf16_offsets.push(offset);
    let normalized_utf16_length = offset;

    let mut url_end_at = vec![None; chars.len()];
    for span in find_urls_in_chars(&chars, SchemeRule::SchemeOptional) {
        url_end_at[span.start] = Some(span.end);
    }
    let mut emoji_end_at = vec![None; chars.len()];
    if weighting.emoji_parsing_enabled {
        let mut char_index = 0;
        for grapheme in normalized.graphemes(true) {
            let length = grapheme.chars().count();
            if is_emoji_sequence(grapheme) {
                emoji_end_at[char_index] = Some(char_index + length);
            }
            char_index += length;
        }
    }

    let limit = weighting.max_weighted_length * weighting.scale;
    let mut weight = 0;
    let mut valid = true;
    let mut valid_display_index = 0;
    let mut index = 0;
    while index < chars.len() {
        let end = if let Some(end) = url_end_at[index] {
            weight += weighting.transformed_url_length * weighting.scale;
            end
        } else if let Some(end) = emoji_end_at[index] {
            weight += weighting.default_weight;
            end
        } else {
            weight += character_weight(chars[index], weighting);
            index + 1
        };
        if valid && is_invalid_x_character(chars[end - 1]) {
            valid = false;
        }
        if valid && weight <= limit {
            valid_display_index = utf16_offsets[end] - 1;
        }
        index = end;
    }
    let weighted_length = weight / weighting.scale;
    let valid = valid && weighted_length > 0 && weighted_length <= weighting.max_weighted_length;
    let permillage = weighted_length * 1000 / weighting.max_weighted_length;
    let original_utf16_length: usize = text.chars().map(char::len_utf16).sum();
    // twitter-text shifts the valid range by the change normalisation made to the length.
    let valid_range_end =
        (valid_display_index + original_utf16_length).saturating_sub(normalized_utf16_length);
    XParse {
        weighted_length,
        valid,
        permillage,
        display_range_end: original_utf16_length.saturating_sub(1),
        valid_range_end,
    }
}

fn character_weight(c: char, weighting: &XWeighting) -> usize {
    let code_point = u32::from(c);
    weighting
        .ranges
        .iter()
        .find(|(start, end, _)| (*start..=*end).contains(&code_point))
        .map_or(weighting.default_weight, |(_, _, weight)| *weight)
}

/// Whether a grapheme cluster is an emoji (what twitter-text's emoji parser matches): a
/// pictographic character with or without modifiers and joiners, a flag, a keycap, or a
/// text-style symbol turned emoji by U+FE0F.
pub(crate) fn is_emoji_sequence(grapheme: &str) -> bool {
    let mut chars = grapheme.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if is_pictographic(first) || is_regional_indicator(first) {
        return true;
    }
    let rest: Vec<char> = chars.collect();
    if rest.contains(&'\u{20E3}') && (first.is_ascii_digit() || first == '#' || first == '*') {
        return true;
    }
    rest.first() == Some(&'\u{FE0F}')
        && matches!(
            first,
            '\u{A9}' | '\u{AE}' | '\u{203C}' | '\u{2049}' | '\u{2122}' | '\u{2139}' | '\u{2194}'
                ..='\u{21AA}'
        )
}

fn is_regional_indicator(c: char) -> bool {
    matches!(c, '\u{1F1E6}'..='\u{1F1FF}')
}

/// Code points that are pictographic (emoji presentation or commonly used as emoji).
fn is_pictographic(c: char) -> bool {
    matches!(c,
        '\u{1F000}'..='\u{1F0FF}' | '\u{1F10D}'..='\u{1F10F}' | '\u{1F12F}' | '\u{1F16C}'..='\u{1F171}'
        | '\u{1F17E}' | '\u{1F17F}' | '\u{1F18E}' | '\u{1F191}'..='\u{1F19A}' | '\u{1F201}'..='\u{1F251}'
        | '\u{1F300}'..='\u{1F64F}' | '\u{1F680}'..='\u{1F6FF}' | '\u{1F7E0}'..='\u{1F7FF}'
        | '\u{1F900}'..='\u{1FAFF}' | '\u{231A}' | '\u{231B}' | '\u{2328}' | '\u{23CF}'
        | '\u{23E9}'..='\u{23F3}' | '\u{23F8}'..='\u{23FA}' | '\u{24C2}' | '\u{25AA}' | '\u{25AB}'
        | '\u{25B6}' | '\u{25C0}' | '\u{25FB}'..='\u{25FE}' | '\u{2600}'..='\u{27BF}'
        | '\u{2934}' | '\u{2935}' | '\u{2B05}'..='\u{2B07}' | '\u{2B1B}' | '\u{2B1C}' | '\u{2B50}'
        | '\u{2B55}' | '\u{3030}' | '\u{303D}' | '\u{3297}' | '\u{3299}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weighted(text: &str) -> usize {
        x_weighted_length(text)
    }

    #[test]
    fn latin_text_counts_one_per_character_and_accents_are_normalised() {
        assert_eq!(weighted("Bonjour Québec"), 14);
        // "e" followed by a combining acute accent becomes one "é".
        assert_eq!(weighted("e\u{301}t\u{e9}"), 3);
    }

    #[test]
    fn cjk_and_other_wide_characters_count_two() {
        assert_eq!(weighted("日本"), 4);
        assert_eq!(weighted("€"), 2); // U+20AC is outside the light ranges.
        assert_eq!(weighted("«\u{a0}»"), 3);
        assert_eq!(weighted("—"), 1); // U+2014 is in the 8208–8223 range.
    }

    #[test]
    fn an_emoji_sequence_counts_two_whatever_its_length() {
        assert_eq!(weighted("👍"), 2);
        assert_eq!(weighted("👍🏽"), 2);
        assert_eq!(weighted("👩\u{200D}🚒"), 2);
        assert_eq!(weighted("🇨🇦"), 2);
        assert_eq!(weighted("1\u{FE0F}\u{20E3}"), 2);
        assert_eq!(weighted("⚜️"), 2); // fleur-de-lis with its presentation selector
        assert_eq!(parse_x("👩\u{200D}🚒", &X_WEIGHTING_V2).weighted_length, 5);
    }

    #[test]
    fn a_link_counts_23_whatever_its_length() {
        let long = "https://www.quebec.ca/nouvelles/actualites/details/un-tres-long-chemin-pour-une-nouvelle-importante";
        assert_eq!(weighted(long), 23);
        assert_eq!(weighted("Voir quebec.ca/avis"), 5 + 23);
        assert_eq!(weighted("http://a.co"), 23);
    }

    #[test]
    fn limit_and_limit_plus_one() {
        let at_limit = "a".repeat(280);
        let parse = parse_x(&at_limit, &X_WEIGHTING_V3);
        assert_eq!(
            (parse.weighted_length, parse.valid, parse.permillage),
            (280, true, 1000)
        );
        let over = "a".repeat(281);
        let parse = parse_x(&over, &X_WEIGHTING_V3);
        assert_eq!(
            (parse.weighted_length, parse.valid, parse.valid_range_end),
            (281, false, 279)
        );
        // 257 characters and a link: 280 exactly.
        let with_link = format!("{} https://quebec.ca/x", "a".repeat(256));
        assert_eq!(parse_x(&with_link, &X_WEIGHTING_V3).weighted_length, 280);
        assert!(parse_x(&with_link, &X_WEIGHTING_V3).valid);
        // 140 wide characters are 280; one more is 282.
        assert!(parse_x(&"日".repeat(140), &X_WEIGHTING_V3).valid);
        assert!(!parse_x(&"日".repeat(141), &X_WEIGHTING_V3).valid);
    }

    #[test]
    fn empty_and_invalid_characters_are_not_valid() {
        assert!(!parse_x("", &X_WEIGHTING_V3).valid);
        let parse = parse_x("ab\u{FFFF}c", &X_WEIGHTING_V3);
        assert!(!parse.valid);
        assert_eq!(parse.valid_range_end, 1);
    }
}
