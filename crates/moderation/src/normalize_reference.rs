//! The first implementation of the normaliser (several passes over an intermediate stream
//! of units), kept for the tests only: the single-pass normaliser must produce exactly the
//! same output on any input, which a property test checks against this one.

use super::{fold_ascii, fold_char, is_uppercase, Folded, Normalized, Token, FOREIGN_LETTER, TOKEN_SEPARATOR};

pub fn normalize_reference(original: &str) -> Normalized {
    let mut workspace = Workspace::default();
    let mut output = Normalized::default();
    normalize_with(original, &mut workspace, &mut output);
    output
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

