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

/// What an ASCII byte is to the normaliser, looked up in one table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AsciiClass {
    Lowercase,
    Uppercase,
    Digit,
    /// `@` and `$`: letters inside a word (`$h1t`), nothing on their own.
    LeetSymbol,
    /// `*`: a mask inside a word (`f*ck`), dropped without splitting it.
    Mask,
    /// Ends the token and the sentence: `. ! ? \n`.
    SentenceEnd,
    /// Ends the token and the clause: `, ; : ( ) [ ] "`.
    ClauseEnd,
    /// Ends the token.
    Separator,
}

const fn ascii_class(byte: u8) -> AsciiClass {
    match byte {
        b'a'..=b'z' => AsciiClass::Lowercase,
        b'A'..=b'Z' => AsciiClass::Uppercase,
        b'0'..=b'9' => AsciiClass::Digit,
        b'@' | b'$' => AsciiClass::LeetSymbol,
        b'*' => AsciiClass::Mask,
        b'.' | b'!' | b'?' | b'\n' => AsciiClass::SentenceEnd,
        b',' | b';' | b':' | b'(' | b')' | b'[' | b']' | b'"' => AsciiClass::ClauseEnd,
        _ => AsciiClass::Separator,
    }
}

static ASCII_CLASSES: [AsciiClass; 128] = {
    let mut table = [AsciiClass::Separator; 128];
    let mut byte = 0u8;
    while byte < 128 {
        table[byte as usize] = ascii_class(byte);
        byte += 1;
    }
    table
};

/// Leetspeak reading of a digit or symbol inside a word; other bytes are themselves.
fn leet_letter(byte: u8) -> u8 {
    match byte {
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
    }
}

/// A letter that collapses when repeated in a row (`tabarnaaak`).
fn repeats(byte: u8) -> bool {
    byte.is_ascii_lowercase() || byte == FOREIGN_LETTER
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
///
/// One pass over the text writes the output directly: folding, collapsing repeats and
/// mapping offsets as each char is read. What needs a whole token (reading digits as
/// letters only in a word that has letters, dropping `@ $` alone, joining letters spelt
/// out one by one) is settled when the token ends, on the few bytes it wrote.
pub fn normalize_into(original: &str, output: &mut Normalized) {
    let mut writer = Writer::new(output, original.len());
    let bytes = original.as_bytes();
    let mut index = 0usize;
    let mut char_index: u32 = 0;
    while let Some(&byte) = bytes.get(index) {
        if byte.is_ascii_lowercase() {
            // A run of lowercase letters, most of every comment, in a loop of its own: one
            // hard-to-predict branch per run rather than a dispatch on every byte.
            let run_start = index;
            writer.lowercase_run_start(char_index);
            let mut current = byte;
            loop {
                writer.push_byte(current, char_index);
                index += 1;
                char_index = char_index.saturating_add(1);
                match bytes.get(index) {
                    Some(&next) if next.is_ascii_lowercase() => current = next,
                    _ => break,
                }
            }
            writer.lowercase_run_end((index - run_start) as u32);
            continue;
        }
        if byte < 0x80 {
            index += 1;
            match ASCII_CLASSES.get(byte as usize).copied().unwrap_or(AsciiClass::Separator) {
                AsciiClass::Lowercase => writer.letter(byte, char_index, false),
                AsciiClass::Uppercase => writer.letter(byte | 0x20, char_index, true),
                AsciiClass::Digit | AsciiClass::LeetSymbol => writer.symbol(byte, char_index),
                AsciiClass::Mask => writer.dropped(char_index),
                AsciiClass::SentenceEnd => writer.separator(true, true),
                AsciiClass::ClauseEnd => writer.separator(false, true),
                AsciiClass::Separator => writer.separator(false, false),
            }
        } else {
            let Some(character) = original.get(index..).and_then(|rest| rest.chars().next()) else { break };
            index += character.len_utf8();
            match fold_char(character) {
                Folded::Bytes(first, second) => {
                    let uppercase = is_uppercase(character);
                    writer.folded(first, char_index, uppercase);
                    if let Some(second) = second {
                        writer.folded(second, char_index, uppercase);
                    }
                }
                Folded::Dropped => writer.dropped(char_index),
                Folded::Separator => {
                    let sentence = character == '…';
                    writer.separator(sentence, sentence || matches!(character, '«' | '»' | '“' | '”'));
                }
            }
        }
        char_index = char_index.saturating_add(1);
    }
    writer.finish(output, char_index as usize);
}

/// The output vectors, sized once to the most the text can yield and written by index:
/// pushing (with a possible reallocation behind each push) kept every vector's length in
/// memory, and that cost more than the normalisation itself.
#[derive(Default)]
struct Stream {
    text: Vec<u8>,
    origin_start: Vec<u32>,
    origin_end: Vec<u32>,
    run_length: Vec<u8>,
    len: usize,
}

impl Stream {
    #[inline(always)]
    fn push(&mut self, byte: u8, start: u32, end: u32, run: u8) {
        let at = self.len;
        if let (Some(text), Some(origin_start), Some(origin_end), Some(run_length)) =
            (self.text.get_mut(at), self.origin_start.get_mut(at), self.origin_end.get_mut(at), self.run_length.get_mut(at))
        {
            *text = byte;
            *origin_start = start;
            *origin_end = end;
            *run_length = run;
            self.len = at + 1;
        }
    }

    #[inline(always)]
    fn byte(&self, at: usize) -> Option<u8> {
        if at < self.len { self.text.get(at).copied() } else { None }
    }

    #[inline(always)]
    fn last_byte(&self) -> Option<u8> {
        self.len.checked_sub(1).and_then(|at| self.byte(at))
    }

    /// The byte at `at` absorbs a repeat: its run grows by `run` and it now ends at `end`.
    #[inline(always)]
    fn extend(&mut self, at: usize, end: u32, run: u8) {
        if let (Some(run_length), Some(origin_end)) = (self.run_length.get_mut(at), self.origin_end.get_mut(at)) {
            *run_length = run_length.saturating_add(run);
            *origin_end = end;
        }
    }

    #[inline(always)]
    fn set_end(&mut self, at: usize, end: u32) {
        if let Some(origin_end) = self.origin_end.get_mut(at) {
            *origin_end = end;
        }
    }

    #[inline(always)]
    fn get(&self, at: usize) -> Option<(u8, u32, u32, u8)> {
        if at >= self.len {
            return None;
        }
        Some((*self.text.get(at)?, *self.origin_start.get(at)?, *self.origin_end.get(at)?, *self.run_length.get(at)?))
    }

    #[inline(always)]
    fn set(&mut self, at: usize, (byte, start, end, run): (u8, u32, u32, u8)) {
        if let (Some(text), Some(origin_start), Some(origin_end), Some(run_length)) =
            (self.text.get_mut(at), self.origin_start.get_mut(at), self.origin_end.get_mut(at), self.run_length.get_mut(at))
        {
            *text = byte;
            *origin_start = start;
            *origin_end = end;
            *run_length = run;
        }
    }
}

/// The output being written, moved out of `Normalized` into locals while it is filled:
/// pushes through `&mut Normalized` had to reload every vector's length after each store.
struct Writer {
    out: Stream,
    tokens: Vec<Token>,

    at_sentence_start: bool,
    at_clause_start: bool,

    /// A token is being written.
    token_open: bool,
    /// Where the open token's bytes start in `text`.
    token_start: usize,
    /// A separator was written before the open token (so removing it removes that too).
    token_has_separator: bool,
    /// Chars-turned-bytes of the open token, before collapsing repeats.
    token_units: u32,
    /// Letters (`a-z`) among them, and how many of those were uppercase.
    token_letters: u32,
    token_uppercase: u32,
    /// Digits, `@` or `$` among them.
    token_has_symbol: bool,
    token_capitalised: bool,
    token_sentence_initial: bool,
    token_clause_initial: bool,

    /// How many tokens of one letter were written in a row just before the open token.
    /// From three on they are one token (`t a b a r n a k`).
    single_letter_run: usize,
    /// Letters and uppercase letters of that run, for its `all_uppercase`.
    run_letters: u32,
    run_uppercase: u32,
}

impl Writer {
    fn new(output: &mut Normalized, original_len: usize) -> Writer {
        // The output never has more bytes than the original: a char yields at most two
        // bytes only when it takes two in UTF-8, and a separator byte replaces at least one
        // separating char.
        // The output's own vectors are written in place (no copy at the end): sized to the
        // original's length here, cut to what was written in `finish`.
        let mut out = Stream {
            text: std::mem::take(&mut output.text).into_bytes(),
            origin_start: std::mem::take(&mut output.origin_start),
            origin_end: std::mem::take(&mut output.origin_end),
            run_length: std::mem::take(&mut output.run_length),
            len: 0,
        };
        out.text.resize(original_len, 0);
        out.origin_start.resize(original_len, 0);
        out.origin_end.resize(original_len, 0);
        out.run_length.resize(original_len, 0);
        let mut tokens = std::mem::take(&mut output.tokens);
        tokens.clear();
        // About one token per five bytes of French.
        tokens.reserve(original_len / 4 + 4);
        Writer {
            out,
            tokens,
            at_sentence_start: true,
            at_clause_start: true,
            token_open: false,
            token_start: 0,
            token_has_separator: false,
            token_units: 0,
            token_letters: 0,
            token_uppercase: 0,
            token_has_symbol: false,
            token_capitalised: false,
            token_sentence_initial: false,
            token_clause_initial: false,
            single_letter_run: 0,
            run_letters: 0,
            run_uppercase: 0,
        }
    }

    #[inline(always)]
    fn open_token(&mut self, char_index: u32, uppercase: bool) {
        self.token_open = true;
        self.token_has_separator = self.out.len > 0;
        if self.token_has_separator {
            self.out.push(TOKEN_SEPARATOR, char_index, char_index, 1);
        }
        self.token_start = self.out.len;
        self.token_units = 0;
        self.token_letters = 0;
        self.token_uppercase = 0;
        self.token_has_symbol = false;
        self.token_capitalised = uppercase;
        self.token_sentence_initial = self.at_sentence_start;
        self.token_clause_initial = self.at_clause_start;
        self.at_sentence_start = false;
        self.at_clause_start = false;
    }

    /// Writes one byte of the open token, or stretches the previous one when it repeats it.
    #[inline(always)]
    fn push_byte(&mut self, byte: u8, char_index: u32) {
        if repeats(byte) && self.out.len > self.token_start && self.out.last_byte() == Some(byte) {
            self.out.extend(self.out.len - 1, char_index + 1, 1);
            return;
        }
        self.out.push(byte, char_index, char_index + 1, 1);
    }

    #[inline(always)]
    fn lowercase_run_start(&mut self, char_index: u32) {
        if !self.token_open {
            self.open_token(char_index, false);
        }
    }

    #[inline(always)]
    fn lowercase_run_end(&mut self, length: u32) {
        self.token_units += length;
        self.token_letters += length;
    }

    /// An ASCII letter (`byte` already lowercase).
    #[inline(always)]
    fn letter(&mut self, byte: u8, char_index: u32, uppercase: bool) {
        if !self.token_open {
            self.open_token(char_index, uppercase);
        }
        self.token_units += 1;
        self.token_letters += 1;
        self.token_uppercase += u32::from(uppercase);
        self.push_byte(byte, char_index);
    }

    /// A digit, `@` or `$`: settled when the token ends.
    #[inline(always)]
    fn symbol(&mut self, byte: u8, char_index: u32) {
        if !self.token_open {
            self.open_token(char_index, false);
        }
        self.token_units += 1;
        self.token_has_symbol = true;
        self.push_byte(byte, char_index);
    }

    /// A byte folded from a non-ASCII char: a letter, a digit or `#`.
    #[inline(always)]
    fn folded(&mut self, byte: u8, char_index: u32, uppercase: bool) {
        if byte.is_ascii_lowercase() {
            self.letter(byte, char_index, uppercase);
        } else if byte.is_ascii_digit() || byte == b'@' || byte == b'$' {
            // Fullwidth digits and symbols; never uppercase.
            if !self.token_open {
                self.open_token(char_index, uppercase);
            }
            self.token_units += 1;
            self.token_has_symbol = true;
            self.push_byte(byte, char_index);
        } else {
            if !self.token_open {
                self.open_token(char_index, uppercase);
            }
            self.token_units += 1;
            self.push_byte(byte, char_index);
        }
    }

    /// A char removed without splitting the word: it belongs to the previous byte.
    #[inline(always)]
    fn dropped(&mut self, char_index: u32) {
        if self.token_open && self.out.len > 0 {
            self.out.set_end(self.out.len - 1, char_index + 1);
        }
    }

    #[inline(always)]
    fn separator(&mut self, sentence: bool, clause: bool) {
        if self.token_open {
            self.close_token();
        }
        self.at_sentence_start |= sentence;
        self.at_clause_start |= clause;
    }

    #[inline(always)]
    fn close_token(&mut self) {
        self.token_open = false;
        if self.token_has_symbol {
            self.settle_symbols();
            if self.out.len == self.token_start {
                // Nothing but `@` and `$`: no word, and it must not keep apart the letters
                // around it. Its separator goes too.
                let cut = self.token_start - usize::from(self.token_has_separator);
                self.truncate(cut);
                return;
            }
        }
        let single_letter = self.token_units == 1 && self.token_letters == 1;
        if !single_letter {
            self.single_letter_run = 0;
            self.push_token(self.token_letters, self.token_uppercase);
            return;
        }
        match self.single_letter_run {
            0 | 1 => {
                if self.single_letter_run == 0 {
                    self.run_letters = 0;
                    self.run_uppercase = 0;
                }
                self.run_letters += 1;
                self.run_uppercase += self.token_uppercase;
                self.single_letter_run += 1;
                self.push_token(1, self.token_uppercase);
            }
            _ => {
                self.run_letters += 1;
                self.run_uppercase += self.token_uppercase;
                self.single_letter_run += 1;
                self.join_single_letters();
            }
        }
    }

    #[inline(always)]
    fn push_token(&mut self, letters: u32, uppercase: u32) {
        self.tokens.push(Token {
            start: self.token_start as u32,
            end: self.out.len as u32,
            capitalised: self.token_capitalised,
            all_uppercase: letters > 1 && uppercase == letters,
            sentence_initial: self.token_sentence_initial,
            clause_initial: self.token_clause_initial,
        });
    }

    /// Joins the token just written (one letter) to the run of one-letter tokens before it:
    /// the third of a run joins the two before it into one token, the next ones join it.
    #[inline(always)]
    fn join_single_letters(&mut self) {
        // The letters after the first of the run, each written as ` x`, re-written without
        // their separator and with repeats collapsed across them.
        let letter_count = if self.single_letter_run == 3 { 2 } else { 1 };
        let tail_start = self.out.len - 2 * letter_count;
        let mut letters = [(0u8, 0u32, 0u32); 2];
        for (slot, letter) in letters.iter_mut().enumerate().take(letter_count) {
            let at = tail_start + 2 * slot + 1;
            let (byte, start, end, _) = self.out.get(at).unwrap_or((b' ', 0, 0, 1));
            *letter = (byte, start, end);
        }
        if letter_count == 2 {
            // The second letter's own token is merged into the first's.
            self.tokens.pop();
        }
        self.truncate(tail_start);
        for &(byte, start, end) in letters.iter().take(letter_count) {
            if self.out.last_byte() == Some(byte) {
                self.out.extend(self.out.len - 1, end, 1);
            } else {
                self.out.push(byte, start, end, 1);
            }
        }
        let end = self.out.len as u32;
        let (letters, uppercase) = (self.run_letters, self.run_uppercase);
        if let Some(group) = self.tokens.last_mut() {
            group.end = end;
            group.all_uppercase = letters > 1 && uppercase == letters;
        }
    }

    /// Digits and `@ $` become letters only inside tokens that contain a letter: amounts,
    /// dates, by-law and file numbers stay digits; elsewhere `@ $` are dropped. Then
    /// repeats the reading made (`ss55`) are collapsed like any other.
    #[inline(always)]
    fn settle_symbols(&mut self) {
        let is_word = self.token_letters > 0;
        let mut write = self.token_start;
        let mut converted = 0u32;
        for read in self.token_start..self.out.len {
            let Some((byte, start, end, run)) = self.out.get(read) else { break };
            let byte = if is_word {
                let letter = leet_letter(byte);
                converted += u32::from(letter != byte);
                letter
            } else if byte == b'@' || byte == b'$' {
                continue;
            } else {
                byte
            };
            if write > self.token_start && repeats(byte) && self.out.byte(write - 1) == Some(byte) {
                self.out.extend(write - 1, end, run);
                continue;
            }
            self.out.set(write, (byte, start, end, run));
            write += 1;
        }
        self.truncate(write);
        // What reads as a letter now counts as one (never an uppercase one).
        self.token_letters += converted;
    }

    #[inline(always)]
    fn truncate(&mut self, length: usize) {
        self.out.len = self.out.len.min(length);
    }

    fn finish(mut self, output: &mut Normalized, original_char_count: usize) {
        if self.token_open {
            self.close_token();
        }
        output.original_char_count = original_char_count;
        let Stream { mut text, mut origin_start, mut origin_end, mut run_length, len } = self.out;
        text.truncate(len);
        origin_start.truncate(len);
        origin_end.truncate(len);
        run_length.truncate(len);
        output.origin_start = origin_start;
        output.origin_end = origin_end;
        output.run_length = run_length;
        // Every byte written is ASCII; the check is one fast pass and cannot fail.
        output.text = String::from_utf8(text).unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned());
        output.tokens = self.tokens;
    }
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
#[path = "normalize_reference.rs"]
mod reference;

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

    fn assert_same_as_reference(input: &str) {
        let single_pass = normalize(input);
        let reference = reference::normalize_reference(input);
        assert_eq!(single_pass.text, reference.text, "text of {input:?}");
        assert_eq!(single_pass.origin_start, reference.origin_start, "origin_start of {input:?}");
        assert_eq!(single_pass.origin_end, reference.origin_end, "origin_end of {input:?}");
        assert_eq!(single_pass.run_length, reference.run_length, "run_length of {input:?}");
        assert_eq!(single_pass.tokens, reference.tokens, "tokens of {input:?}");
        assert_eq!(single_pass.original_char_count, reference.original_char_count, "char count of {input:?}");
    }

    #[test]
    fn single_pass_matches_the_reference_on_known_traps() {
        for input in [
            "",
            "   ",
            "t a b a r n a k",
            "T A B A R N A K",
            "a $ b c d",
            "a a a a",
            "c.r.i.s.s de cave",
            "ss55 $$ @ 12$ $h1t t4b4rn4k 2000 $ 1er",
            "e\u{301} a\u{301} o\u{301} x",
            "œuvre ŒUVRE Œ æ ß",
            "ｆｕｃｋ １２３ ＠",
            "сriѕѕе 漢字漢 #",
            "$@ hello. $ Bonjour",
            "f*ck **** a*",
            "« Allo », dit-il… (oui) [non]; \"ok\": fin!\nSuite?",
        ] {
            assert_same_as_reference(input);
        }
    }

    fn normaliser_char() -> impl proptest::strategy::Strategy<Value = char> {
        use proptest::prelude::*;
        prop_oneof![
            proptest::char::range('a', 'f'),
            proptest::char::range('A', 'C'),
            proptest::sample::select(vec![' ', ' ', '.', ',', '-', '\'', '«', '»', '"', '*', '@', '$', '\n', '…', '?']),
            proptest::char::range('0', '9'),
            proptest::sample::select(vec!['é', 'È', 'œ', 'Æ', 'ß', 'ı', 'İ', 'ﬁ', 'а', 'Е', 'ѕ', 'ｆ', '１', '＠', '𝐚', 'ⓐ', '①']),
            proptest::sample::select(vec!['\u{0301}', '\u{200B}', '\u{00AD}', '\u{0000}', '😀', '中', 'ع', 'Ж']),
            proptest::prelude::any::<char>(),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        #[test]
        fn single_pass_matches_the_reference(chars in proptest::collection::vec(normaliser_char(), 0..60)) {
            let input: String = chars.into_iter().collect();
            assert_same_as_reference(&input);
        }

        #[test]
        fn single_pass_matches_the_reference_on_any_string(input in proptest::prelude::any::<String>()) {
            assert_same_as_reference(&input);
        }
    }

    #[test]
    fn single_pass_matches_the_reference_on_the_benchmark_corpus_and_the_evaluation_set() {
        for comment in crate::bench_corpus::realistic_comments(3_000) {
            assert_same_as_reference(&comment);
        }
        let (cases, _) = crate::eval::parse_cases(include_str!("../testdata/eval/quebec.jsonl"));
        for case in cases {
            assert_same_as_reference(&case.text);
            // Every letter doubled and shouted: runs of repeats across case changes.
            let doubled: String = case.text.chars().flat_map(|character| [character, character]).collect();
            assert_same_as_reference(&doubled);
            assert_same_as_reference(&case.text.to_uppercase());
        }
    }

    #[test]
    fn masks_inside_words_are_dropped() {
        check("f*ck", "fck");
    }
}
