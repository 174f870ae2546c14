//! The normaliser: it turns what people type into a plain lowercase ASCII stream that the
//! lexicons can be matched against, while remembering, for every byte it produces, which
//! characters of the original text it came from. Evidence is always reported in the
//! original text (R-14: citizens' words are never edited, only pointed at).
//!
//! What it folds: case, accents, ligatures, fullwidth and mathematical letters, Cyrillic and
//! Greek look-alikes, leetspeak inside words (`0→o 1→i 3→e 4→a 5→s 7→t 8→b 9→g @→a $→s`),
//! masking characters inside words (`f*ck`), repeated letters (`tabarnaaaak`, the run
//! length is kept so that `crisse` and `crise` stay apart), and letters spelt out one by one
//! with spaces or punctuation between them (`t a b a r n a k`, `c.r.i.s.s`).
//!
//! Every step is a single left-to-right pass: the cost is linear in the length of the text.

use unicode_normalization::UnicodeNormalization;

/// Byte of the normalised stream that separates tokens.
pub const TOKEN_SEPARATOR: u8 = b' ';
/// Byte standing for a letter of a script the lexicons do not cover (CJK, Arabic...).
pub const FOREIGN_LETTER: u8 = b'#';

/// The normalised form of a text, with its map back to the original characters.
#[derive(Clone, Debug, Default)]
pub struct Normalized {
    /// Lowercase ASCII: letters `a-z`, digits, `#` for other scripts, single spaces between
    /// tokens. Never starts or ends with a space.
    pub text: String,
    /// For each byte of `text`, the char offset in the original of the first char it stands for.
    pub origin_start: Vec<u32>,
    /// For each byte of `text`, one past the char offset of the last char it stands for.
    pub origin_end: Vec<u32>,
    /// For each byte of `text`, how many times the letter was repeated in a row before the
    /// repetition was collapsed (1 for a single letter), saturating at 255.
    pub run_length: Vec<u8>,
    /// The tokens of `text`, in order.
    pub tokens: Vec<Token>,
    /// Number of chars in the original text.
    pub original_char_count: usize,
}

/// One token of the normalised stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// Byte range in `Normalized::text`.
    pub start: u32,
    pub end: u32,
    /// The first original char of the token is an uppercase letter.
    pub capitalised: bool,
    /// Every letter of the token is uppercase in the original (an acronym or shouting).
    pub all_uppercase: bool,
    /// The token opens a sentence (nothing but spaces since the start or since `.`, `!`, `?`).
    pub sentence_initial: bool,
    /// The token opens a clause: a sentence, or after `,` `;` `:` or a bracket. A negation
    /// before a clause boundary does not reach past it.
    pub clause_initial: bool,
}

impl Normalized {
    /// The normalised bytes of a token.
    pub fn token_text(&self, token: &Token) -> &str {
        self.text.get(token.start as usize..token.end as usize).unwrap_or("")
    }

    /// Index of the token containing (or starting after) normalised byte `offset`.
    pub fn token_index_at(&self, offset: usize) -> usize {
        self.tokens.partition_point(|token| (token.end as usize) <= offset)
    }

    /// The original char range `[start, end)` a normalised byte range stands for.
    pub fn original_range(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        if start >= end || end > self.text.len() {
            return None;
        }
        let first = *self.origin_start.get(start)? as usize;
        let last = *self.origin_end.get(end - 1)? as usize;
        Some((first, last))
    }
}

/// What one original character becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Folded {
    /// One or two ASCII bytes (`œ` → `oe`).
    Bytes(u8, Option<u8>),
    /// Removed without splitting the word (combining marks, zero-width chars, `*` masks).
    Dropped,
    /// Ends the current token.
    Separator,
}

/// A unit of the intermediate stream: one byte with the original char range it stands for.
#[derive(Clone, Copy, Debug)]
struct Unit {
    byte: u8,
    start: u32,
    end: u32,
    uppercase: bool,
}

#[derive(Clone, Copy, Debug)]
struct RawToken {
    start: usize,
    end: usize,
    sentence_initial: bool,
    clause_initial: bool,
}

/// Working buffers of the intermediate stream, kept between calls on the same thread so
/// that normalising a comment allocates nothing once they have grown to a typical size.
#[derive(Default)]
struct Workspace {
    units: Vec<Unit>,
    raw_tokens: Vec<RawToken>,
}

thread_local! {
    static WORKSPACE: std::cell::Cell<Workspace> = std::cell::Cell::new(Workspace::default());
}

/// Normalises `original`. Linear in its length.
pub fn normalize(original: &str) -> Normalized {
    let mut output = Normalized::default();
    normalize_into(original, &mut output);
    output
}

/// Normalises `original` into `output`, reusing its buffers (what it held is replaced): the
/// engine keeps one per thread so that a comment costs no allocation. Same result as
/// [`normalize`].
pub fn normalize_into(original: &str, output: &mut Normalized) {
    // Taken out of the thread-local rather than borrowed: nothing can observe it half-used.
    let mut workspace = WORKSPACE.take();
    normalize_with(original, &mut workspace, output);
    WORKSPACE.set(workspace);
}

fn normalize_with(original: &str, workspace: &mut Workspace, output: &mut Normalized) {
    let units = &mut workspace.units;
    units.clear();
    units.reserve(original.len());
    let raw_tokens = &mut workspace.raw_tokens;
    raw_tokens.clear();
    // About one token per five bytes of French: reserving avoids regrowing on every comment.
    raw_tokens.reserve(original.len() / 4 + 4);
    let mut token_open = false;
    let mut token_start = 0usize;
    let mut at_sentence_start = true;
    let mut token_sentence_initial = true;
    let mut at_clause_start = true;
    let mut token_clause_initial = true;
    let mut char_count: u32 = 0;

    for (char_index, character) in original.chars().enumerate() {
        let char_index = u32::try_from(char_index).unwrap_or(u32::MAX);
        char_count = char_index.saturating_add(1);
        // ASCII first: most chars of most comments, with neither tables nor range checks.
        let (uppercase, folded) = if character.is_ascii() {
            (character.is_ascii_uppercase(), fold_ascii(character as u8))
        } else {
            (is_uppercase(character), fold_char(character))
        };
        match folded {
            Folded::Bytes(first, second) => {
                if !token_open {
                    token_open = true;
                    token_start = units.len();
                    token_sentence_initial = at_sentence_start;
                    token_clause_initial = at_clause_start;
                }
                at_sentence_start = false;
                at_clause_start = false;
                units.push(Unit { byte: first, start: char_index, end: char_index + 1, uppercase });
                if let Some(second) = second {
                    units.push(Unit { byte: second, start: char_index, end: char_index + 1, uppercase });
                }
            }
            Folded::Dropped => {
                // A dropped char inside a token stretches the previous unit so that the
                // evidence covers it (a combining accent belongs to its letter).
                if token_open && let Some(last) = units.last_mut() {
                    last.end = char_index + 1;
                }
            }
            Folded::Separator => {
                if token_open {
                    raw_tokens.push(RawToken {
                        start: token_start,
                        end: units.len(),
                        sentence_initial: token_sentence_initial,
                        clause_initial: token_clause_initial,
                    });
                    token_open = false;
                }
                if matches!(character, '.' | '!' | '?' | '\n' | '…') {
                    at_sentence_start = true;
                    at_clause_start = true;
                }
                if matches!(character, ',' | ';' | ':' | '(' | ')' | '[' | ']' | '«' | '»' | '"' | '“' | '”') {
                    at_clause_start = true;
                }
            }
        }
    }
    if token_open {
        raw_tokens.push(RawToken {
            start: token_start,
            end: units.len(),
            sentence_initial: token_sentence_initial,
            clause_initial: token_clause_initial,
        });
    }

    apply_leetspeak(units, raw_tokens);
    split_symbol_only_tokens(units, raw_tokens);
    emit(units, raw_tokens, char_count as usize, output);
}

/// Digits and `@ $` become letters only inside tokens that contain a letter: amounts,
/// dates, by-law and file numbers stay digits.
fn apply_leetspeak(units: &mut [Unit], raw_tokens: &[RawToken]) {
    for token in raw_tokens {
        let Some(slice) = units.get_mut(token.start..token.end) else { continue };
        let has_letter = slice.iter().any(|unit| unit.byte.is_ascii_lowercase());
        if !has_letter {
            continue;
        }
        for unit in slice.iter_mut() {
            unit.byte = match unit.byte {
                b'0' => b'o',
                b'1' => b'i',
                b'3' => b'e',
                b'4' => b'a',
                b'5' => b's',
                b'7' => b't',
                b'8' => b'b',
                b'9' => b'g',
                b'@' => b'a',
                b'$' => b's',
                other => other,
            };
        }
    }
}

/// A token left with only `@` or `$` (a lone dollar sign, an `@` between spaces) carries no
/// word: it is dropped so that it cannot glue neighbours together.
fn split_symbol_only_tokens(units: &[Unit], raw_tokens: &mut Vec<RawToken>) {
    raw_tokens.retain(|token| {
        units
            .get(token.start..token.end)
            .is_some_and(|slice| slice.iter().any(|unit| unit.byte != b'@' && unit.byte != b'$'))
    });
}

fn is_single_letter(units: &[Unit], token: &RawToken) -> bool {
    token.end == token.start + 1 && units.get(token.start).is_some_and(|unit| unit.byte.is_ascii_lowercase())
}

/// Writes the output stream: joins runs of three or more one-letter tokens, collapses
/// repeated letters, and records the origin of every byte.
// Kept out of line: inlined into the first pass, it made both slower (measured).
#[inline(never)]
fn emit(units: &[Unit], raw_tokens: &[RawToken], original_char_count: usize, output: &mut Normalized) {
    // At most one byte per unit plus one separator per token: nothing regrows.
    let capacity = units.len() + raw_tokens.len();
    // Moved out into locals while they are filled: pushes through `output` had to reload
    // every vector's length after each store, which cost more than the work itself.
    let mut origin_start = std::mem::take(&mut output.origin_start);
    let mut origin_end = std::mem::take(&mut output.origin_end);
    let mut run_length = std::mem::take(&mut output.run_length);
    let mut tokens = std::mem::take(&mut output.tokens);
    origin_start.clear();
    origin_start.reserve(capacity);
    origin_end.clear();
    origin_end.reserve(capacity);
    run_length.clear();
    run_length.reserve(capacity);
    tokens.clear();
    tokens.reserve(raw_tokens.len());
    output.original_char_count = original_char_count;
    // Built as a `String` directly: every byte pushed is ASCII, so no validation pass.
    let mut bytes = std::mem::take(&mut output.text);
    bytes.clear();
    bytes.reserve(capacity);

    let mut index = 0;
    while index < raw_tokens.len() {
        // Group one-letter tokens spelt out (`t a b a r n a k`) into a single token.
        let mut group_end = index + 1;
        if raw_tokens.get(index).is_some_and(|token| is_single_letter(units, token)) {
            while raw_tokens.get(group_end).is_some_and(|token| is_single_letter(units, token)) {
                group_end += 1;
            }
            if group_end - index < 3 {
                group_end = index + 1;
            }
        }
        let Some(first) = raw_tokens.get(index) else { break };

        if !bytes.is_empty() {
            bytes.push(char::from(TOKEN_SEPARATOR));
            let next_origin = units.get(first.start).map_or(0, |unit| unit.start);
            origin_start.push(next_origin);
            origin_end.push(next_origin);
            run_length.push(1);
        }
        let token_start = bytes.len();
        let mut previous_letter: Option<u8> = None;
        let mut letter_count = 0usize;
        let mut uppercase_count = 0usize;
        for raw in raw_tokens.get(index..group_end).unwrap_or(&[]) {
            for unit in units.get(raw.start..raw.end).unwrap_or(&[]) {
                let byte = match unit.byte {
                    b'@' | b'$' => continue,
                    other => other,
                };
                if byte.is_ascii_alphabetic() {
                    letter_count += 1;
                    if unit.uppercase {
                        uppercase_count += 1;
                    }
                }
                let repeats = byte.is_ascii_lowercase() || byte == FOREIGN_LETTER;
                if repeats && previous_letter == Some(byte) && bytes.len() > token_start {
                    if let Some(run) = run_length.last_mut() {
                        *run = run.saturating_add(1);
                    }
                    if let Some(end) = origin_end.last_mut() {
                        *end = unit.end;
                    }
                    continue;
                }
                previous_letter = if repeats { Some(byte) } else { None };
                bytes.push(char::from(byte));
                origin_start.push(unit.start);
                origin_end.push(unit.end);
                run_length.push(1);
            }
        }
        let first_uppercase = units.get(first.start).is_some_and(|unit| unit.uppercase);
        if bytes.len() == token_start {
            // Every unit was a symbol: undo the separator written for it.
            if token_start > 0 {
                bytes.pop();
                origin_start.pop();
                origin_end.pop();
                run_length.pop();
            }
        } else {
            tokens.push(Token {
                start: token_start as u32,
                end: bytes.len() as u32,
                capitalised: first_uppercase,
                all_uppercase: letter_count > 1 && uppercase_count == letter_count,
                sentence_initial: first.sentence_initial,
                clause_initial: first.clause_initial,
            });
        }
        index = group_end;
    }
    output.text = bytes;
    output.origin_start = origin_start;
    output.origin_end = origin_end;
    output.run_length = run_length;
    output.tokens = tokens;
}

/// `char::is_uppercase` without the Unicode tables for Latin-1, general punctuation and
/// emoji pictographs (a test checks every char).
fn is_uppercase(character: char) -> bool {
    let code = character as u32;
    if code < 0x100 {
        (0x41..=0x5A).contains(&code) || ((0xC0..=0xDE).contains(&code) && code != 0xD7)
    } else if matches!(code, 0x2000..=0x206F | 0x1F300..=0x1FAFF) {
        false
    } else {
        character.is_uppercase()
    }
}

/// Folds one character.
fn fold_char(character: char) -> Folded {
    if character.is_ascii() {
        return fold_ascii(character as u8);
    }
    let code = character as u32;
    match code {
        // Combining marks, zero-width characters, soft hyphen, variation selectors.
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F => {
            return Folded::Dropped;
        }
        0x00AD | 0x200B..=0x200D | 0x2060 | 0xFEFF | 0xFE00..=0xFE0F => return Folded::Dropped,
        // Fullwidth ASCII.
        0xFF01..=0xFF5E => {
            return char::from_u32(code - 0xFEE0).map_or(Folded::Separator, |ascii| fold_ascii(ascii as u8));
        }
        // General punctuation (dashes, curly quotes, ellipsis) and emoji pictographs are
        // neither letters nor digits and have no case (a test checks every char): no
        // table lookups for the most common non-ASCII chars of comments.
        0x2000..=0x206F | 0x1F300..=0x1FAFF => return Folded::Separator,
        _ => {}
    }
    // Uppercase Latin-1 letters (À to Þ, but not ×) are their lowercase minus 0x20: the
    // common case in French, without the Unicode case tables. No other Latin-1 char
    // changes when lowercased.
    let lower = if (0xC0..=0xDE).contains(&code) && code != 0xD7 {
        char::from_u32(code + 0x20).unwrap_or(character)
    } else if code < 0x100 {
        character
    } else {
        character.to_lowercase().next().unwrap_or(character)
    };
    if let Some(folded) = fold_latin(lower) {
        return folded;
    }
    if let Some(ascii) = fold_homoglyph(lower) {
        return Folded::Bytes(ascii, None);
    }
    if character.is_alphanumeric() {
        // Rare letters (circled, mathematical, accented outside Latin-1): compatibility
        // decomposition, then keep the first ASCII letter or digit it yields.
        for decomposed in std::iter::once(character).nfkd() {
            if decomposed.is_ascii_alphanumeric() {
                return fold_ascii(decomposed.to_ascii_lowercase() as u8);
            }
        }
        return Folded::Bytes(FOREIGN_LETTER, None);
    }
    if matches!(code, 0x2019 | 0x2018 | 0x02BC) {
        return Folded::Separator;
    }
    Folded::Separator
}

fn fold_ascii(byte: u8) -> Folded {
    match byte {
        b'a'..=b'z' | b'0'..=b'9' | b'@' | b'$' => Folded::Bytes(byte, None),
        b'A'..=b'Z' => Folded::Bytes(byte.to_ascii_lowercase(), None),
        b'*' => Folded::Dropped,
        _ => Folded::Separator,
    }
}

fn fold_latin(lower: char) -> Option<Folded> {
    let byte = match lower {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => b'a',
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => b'c',
        'ď' | 'đ' | 'ð' => b'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => b'e',
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => b'g',
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => b'i',
        'ł' | 'ľ' | 'ĺ' | 'ļ' => b'l',
        'ñ' | 'ń' | 'ņ' | 'ň' => b'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => b'o',
        'ŕ' | 'ř' | 'ŗ' => b'r',
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => b's',
        'ť' | 'ţ' | 'ț' => b't',
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => b'u',
        'ý' | 'ÿ' | 'ŷ' => b'y',
        'ź' | 'ż' | 'ž' => b'z',
        'œ' => return Some(Folded::Bytes(b'o', Some(b'e'))),
        'æ' => return Some(Folded::Bytes(b'a', Some(b'e'))),
        'ß' => return Some(Folded::Bytes(b's', Some(b's'))),
        'þ' => return Some(Folded::Bytes(b't', Some(b'h'))),
        _ => return None,
    };
    Some(Folded::Bytes(byte, None))
}

/// Cyrillic and Greek letters that look like Latin ones, used to dodge filters.
fn fold_homoglyph(lower: char) -> Option<u8> {
    let byte = match lower {
        'а' | 'α' => b'a',
        'в' | 'β' | 'ь' | 'б' => b'b',
        'с' | 'ϲ' => b'c',
        'ԁ' => b'd',
        'е' | 'ё' | 'ε' | 'є' => b'e',
        'ɡ' => b'g',
        'н' | 'һ' | 'η' => b'h',
        'і' | 'ї' | 'ι' | 'ɩ' => b'i',
        'ј' => b'j',
        'к' | 'κ' => b'k',
        'м' => b'm',
        'п' | 'ո' => b'n',
        'о' | 'ο' | 'σ' | 'ө' => b'o',
        'р' | 'ρ' => b'p',
        'ԛ' => b'q',
        'г' => b'r',
        'ѕ' => b's',
        'т' | 'τ' => b't',
        'υ' | 'ս' => b'u',
        'ν' | 'ѵ' => b'v',
        'ԝ' | 'ω' | 'ш' => b'w',
        'х' | 'χ' => b'x',
        'у' | 'γ' | 'ү' => b'y',
        'ᴢ' => b'z',
        _ => return None,
    };
    Some(byte)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The folding before the shortcuts for common chars, to check them against.
    fn fold_char_reference(character: char) -> Folded {
        if character.is_ascii() {
            return fold_ascii(character as u8);
        }
        let code = character as u32;
        match code {
            // Combining marks, zero-width characters, soft hyphen, variation selectors.
            0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F => {
                return Folded::Dropped;
            }
            0x00AD | 0x200B..=0x200D | 0x2060 | 0xFEFF | 0xFE00..=0xFE0F => return Folded::Dropped,
            // Fullwidth ASCII.
            0xFF01..=0xFF5E => {
                return char::from_u32(code - 0xFEE0).map_or(Folded::Separator, |ascii| fold_ascii(ascii as u8));
            }
            _ => {}
        }
        // Uppercase Latin-1 letters (À to Þ, but not ×) are their lowercase minus 0x20: the
        // common case in French, without the Unicode case tables.
        let lower = if (0xC0..=0xDE).contains(&code) && code != 0xD7 {
            char::from_u32(code + 0x20).unwrap_or(character)
        } else {
            character.to_lowercase().next().unwrap_or(character)
        };
        if let Some(folded) = fold_latin(lower) {
            return folded;
        }
        if let Some(ascii) = fold_homoglyph(lower) {
            return Folded::Bytes(ascii, None);
        }
        if character.is_alphanumeric() {
            // Rare letters (circled, mathematical, accented outside Latin-1): compatibility
            // decomposition, then keep the first ASCII letter or digit it yields.
            for decomposed in std::iter::once(character).nfkd() {
                if decomposed.is_ascii_alphanumeric() {
                    return fold_ascii(decomposed.to_ascii_lowercase() as u8);
                }
            }
            return Folded::Bytes(FOREIGN_LETTER, None);
        }
        if matches!(code, 0x2019 | 0x2018 | 0x02BC) {
            return Folded::Separator;
        }
        Folded::Separator
    }

    #[test]
    fn shortcuts_for_common_chars_fold_and_case_every_char_as_before() {
        for character in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            assert_eq!(fold_char(character), fold_char_reference(character), "folding {character:?}");
            assert_eq!(is_uppercase(character), character.is_uppercase(), "case of {character:?}");
        }
    }

    fn check(input: &str, expected: &str) {
        assert_eq!(normalize(input).text, expected, "normalising {input:?}");
    }

    #[test]
    fn folds_case_accents_and_ligatures() {
        check("Câlisse ÉCŒURANT", "calise ecoeurant");
    }

    #[test]
    fn folds_leetspeak_only_inside_words() {
        check("t4b4rn4k 2000 $ 1er", "tabarnak 2000 ier");
        check("$h1t", "shit");
    }

    #[test]
    fn joins_letters_spelt_out() {
        check("t a b a r n a k", "tabarnak");
        check("c.r.i.s.s de cave", "cris de cave");
        check("il y a", "il y a");
    }

    #[test]
    fn folds_homoglyphs_and_fullwidth() {
        check("сriѕѕе", "crise");
        check("ｆｕｃｋ", "fuck");
    }

    #[test]
    fn collapses_repeats_and_keeps_run_length() {
        let normalized = normalize("crissssse");
        assert_eq!(normalized.text, "crise");
        assert_eq!(normalized.run_length, vec![1, 1, 1, 5, 1]);
    }

    #[test]
    fn maps_back_to_original_chars() {
        let original = "Oh  tâbârnâââk!";
        let normalized = normalize(original);
        assert_eq!(normalized.text, "oh tabarnak");
        let (start, end) = normalized.original_range(3, 11).unwrap();
        let matched: String = original.chars().skip(start).take(end - start).collect();
        assert_eq!(matched, "tâbârnâââk");
    }

    #[test]
    fn masks_inside_words_are_dropped() {
        check("f*ck", "fck");
    }
}
