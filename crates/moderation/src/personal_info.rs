//! Personal information detectors: phones, e-mail addresses, NAS, RAMQ numbers,
//! payment cards, postal codes, street addresses.
//!
//! Every detector validates what it finds instead of matching bare digit patterns, because
//! comments to a public body are full of numbers that identify nobody: amounts, dates, years,
//! by-law and file numbers, percentages, times. The scan is one linear pass over the bytes,
//! eight at a time: it only stops at ASCII digits, `@`, closing brackets and the `b` of
//! "arobase", and every look-around it does from there is bounded, so the cost is linear in
//! the text length whatever the input.
//!
//! Decisions worth knowing:
//! - **Phones** follow the North American Numbering Plan (area code and exchange start with
//!   2-9, neither is an N11 code, area codes with a middle 9 are reserved), in every usual
//!   layout: "(418) 555-1234", "418.555.1234", "418/555-1234", "4185551234", "+1 514 555 1234",
//!   "1-819-555-1234". An extension ("poste 123", "ext. 12", "#204") belongs to the span.
//!   Not personal: toll-free and premium lines (800, 822, 833, 844, 855, 866, 877, 888, 900),
//!   every number of `public_phone_numbers` (compared on the ten digits, with or without the
//!   leading 1), numbers after a `+` other than +1, and numbers the same sentence introduces
//!   as an organisation's line ("composez le", "Info-Santé", "le bureau d'arrondissement",
//!   "la Direction des ressources humaines") unless a possessive, first-person or dwelling
//!   word says it is a person's ("appelez-moi", "mon cell", "son numéro", "le voisin").
//! - **E-mail addresses** (local@domain.tld, international letters allowed, one space
//!   tolerated on either side of the `@` before a common top-level domain, and the usual
//!   disguises of the `@` and the dots: "arobase", "(at)", "[at]", "point", "[dot]") are flagged,
//!   except plainly institutional ones: role mailboxes ("info@", "communications@",
//!   "mediassociaux@", "nepasrepondre@"…) on any domain, and any address on a government
//!   domain (gouv.qc.ca, gc.ca, canada.ca, quebec.ca), whose public servants' work
//!   addresses are public. A named address on a municipal or business domain is flagged:
//!   the caller only gives us its public phone numbers, so a moderator looks at it.
//! - **NAS** (social insurance number): 9 digits, bare or grouped 3-3-3 by spaces or dashes,
//!   Luhn-valid, first digit neither 0 nor 8 (9, temporary residents, is still personal).
//! - **RAMQ** health-insurance number: 4 letters then 8 digits whose first six encode a birth
//!   date (month + 50 for women, day valid for the month), "TREM 8501 1234" or "TREM85011234".
//! - **Payment cards**: 13 to 19 digits, bare or in groups of four (Amex 4-6-5), Luhn-valid,
//!   with a known issuer prefix (Visa, Mastercard, Amex, Discover, JCB, Diners).
//! - A number the same sentence **labels** ("mon NAS", "carte de crédit", "carte soleil")
//!   only needs the right shape: the writer says what it is, and a mistyped check digit does
//!   not make it less personal.
//! - **Postal codes**: "A1A 1A1" with the letters Canada Post uses (no D, F, I, O, Q, U; no
//!   W or Z first). A full postal code locates a handful of homes, so it is flagged unless,
//!   as for phones, its sentence presents it as an organisation's ("le code postal de
//!   l'hôtel de ville") with no possessive or dwelling word.
//! - **Street addresses** (civic number, street type, name: "123, rue Principale", "4500
//!   boul. Henri-Bourassa Est, app. 12") are flagged only when something in the same sentence
//!   makes them a person's address: a present-tense or possessive cue ("j'habite", "il
//!   demeure au", "elle reste au", "mon adresse", "chez moi"), an apartment number, or a
//!   postal code right after. A bare civic address is far more often the organisation's own
//!   published address, a venue or a place in the news, and past tenses ("habitait") are
//!   history, not doxxing. So "L'hôtel de ville est au 123, rue Principale" is not flagged.
//! - **Not personal**: numbers after a reference word ("dossier", "facture", "règlement",
//!   "no de référence", "NEQ"…, even Luhn-valid; cards excepted, people paste them to pay a
//!   "constat"), numbers followed by a currency, a percent sign or a unit, counts in French
//!   thousands after a quantity word ("passé de 123 456 789 à…"), decimals, dates,
//!   fractions, numbers glued to letters, and numbers inside web addresses.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

/// The kinds of personal information the detectors recognise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PersonalInfoKind {
    Phone,
    Email,
    SocialInsuranceNumber,
    HealthInsuranceNumber,
    PaymentCard,
    PostalCode,
    StreetAddress,
}

impl PersonalInfoKind {
    /// Every kind, in declaration order.
    pub const ALL: [PersonalInfoKind; 7] = [
        PersonalInfoKind::Phone,
        PersonalInfoKind::Email,
        PersonalInfoKind::SocialInsuranceNumber,
        PersonalInfoKind::HealthInsuranceNumber,
        PersonalInfoKind::PaymentCard,
        PersonalInfoKind::PostalCode,
        PersonalInfoKind::StreetAddress,
    ];

    /// Stable snake_case identifier.
    pub fn id(self) -> &'static str {
        match self {
            PersonalInfoKind::Phone => "phone",
            PersonalInfoKind::Email => "email",
            PersonalInfoKind::SocialInsuranceNumber => "social_insurance_number",
            PersonalInfoKind::HealthInsuranceNumber => "health_insurance_number",
            PersonalInfoKind::PaymentCard => "payment_card",
            PersonalInfoKind::PostalCode => "postal_code",
            PersonalInfoKind::StreetAddress => "street_address",
        }
    }

    /// What a moderator reads, in Quebec French.
    pub fn label_fr(self) -> &'static str {
        match self {
            PersonalInfoKind::Phone => "numéro de téléphone",
            PersonalInfoKind::Email => "adresse courriel",
            PersonalInfoKind::SocialInsuranceNumber => "numéro d'assurance sociale",
            PersonalInfoKind::HealthInsuranceNumber => "numéro d'assurance maladie",
            PersonalInfoKind::PaymentCard => "numéro de carte de paiement",
            PersonalInfoKind::PostalCode => "code postal",
            PersonalInfoKind::StreetAddress => "adresse civique",
        }
    }
}

/// One piece of personal information: its kind and its byte span in the original text
/// (both offsets on character boundaries).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PersonalInfoMatch {
    pub kind: PersonalInfoKind,
    pub byte_start: usize,
    pub byte_end: usize,
}

/// Finds the personal information in `text`, ordered by position, never overlapping.
///
/// `public_phone_numbers` are the organisation's published numbers, in any format: only
/// their digits count.
pub fn find_personal_info(text: &str, public_phone_numbers: &[String]) -> Vec<PersonalInfoMatch> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut position = 0;
    while let Some(at) = next_trigger(bytes, position) {
        let trigger = byte_at(bytes, at);
        if !trigger.is_ascii_digit() && trigger != b'@' {
            // The end of a spelled-out `@`: "(at)", "[at]", "arobase".
            position = match spelled_out_at_sign_around(bytes, at).and_then(
                |(marker_start, marker_end)| {
                    obfuscated_email_around(text, marker_start, marker_end)
                },
            ) {
                Some((start, end)) => {
                    push_match(&mut found, PersonalInfoKind::Email, start, end);
                    end
                }
                None => at + 1,
            };
        } else if trigger == b'@' {
            position = match email_at(text, at) {
                EmailOutcome::Personal { start, end } => {
                    push_match(&mut found, PersonalInfoKind::Email, start, end);
                    end
                }
                EmailOutcome::Institutional { end } => end,
                EmailOutcome::Nothing => at + 1,
            };
        } else {
            position = scan_digit_run(text, at, public_phone_numbers, &mut found).max(at + 1);
        }
    }
    found
}

fn is_trigger(byte: u8) -> bool {
    byte.is_ascii_digit() || matches!(byte, b'@' | b')' | b']' | b'}' | b'b' | b'B')
}

/// Whether the scan must stop at `index`: `b` is common in French, so it only stops inside
/// "arobas(e)".
fn is_trigger_at(bytes: &[u8], index: usize) -> bool {
    let byte = byte_at(bytes, index);
    if byte.eq_ignore_ascii_case(&b'b') {
        index >= 3
            && byte_at(bytes, index - 1).eq_ignore_ascii_case(&b'o')
            && byte_at(bytes, index - 2).eq_ignore_ascii_case(&b'r')
            && byte_at(bytes, index - 3).eq_ignore_ascii_case(&b'a')
    } else {
        is_trigger(byte)
    }
}

/// The first byte at or after `from` where a detector may start: an ASCII digit, `@`, a
/// closing bracket or a `b` (the ends of "(at)", "[at]" and the middle of "arobase"). Most of
/// a comment is none of these, so this looks at eight bytes at a time.
fn next_trigger(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let rest = bytes.get(from..)?;
    let (chunks, remainder) = rest.as_chunks::<8>();
    for (index, chunk) in chunks.iter().enumerate() {
        let word = u64::from_le_bytes(*chunk);
        let lower = word | (ONES * 0x20);
        // One range test covers `)`, the digits and `@` (0x29..=0x40); `]`/`}` and `b`/`B`
        // differ only in the case bit. The flags include false positives (the range holds
        // `,-./:;?`…, and a borrow can flag a byte after a true one), never a false negative,
        // so each flagged byte is checked.
        let mut flagged = bytes_strictly_between(word, b')' - 1, b'@' + 1)
            | bytes_equal_to(lower, b'}')
            | bytes_equal_to(lower, b'b');
        while flagged != 0 {
            // Little-endian: the lowest flagged bit belongs to the first byte.
            let byte_index = (flagged.trailing_zeros() / 8) as usize;
            let position = from + index * 8 + byte_index;
            if is_trigger_at(bytes, position) {
                return Some(position);
            }
            flagged &= flagged - 1;
        }
    }
    let offset = from + chunks.len() * 8;
    (offset..offset + remainder.len()).find(|&position| is_trigger_at(bytes, position))
}

/// The high bit of the bytes of `word` equal to `value` (Bit Twiddling Hacks, `haszero`):
/// exact up to the first one, possibly a false positive after it.
fn bytes_equal_to(word: u64, value: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
    let zero_where_equal = word ^ (ONES * u64::from(value));
    zero_where_equal.wrapping_sub(ONES) & !zero_where_equal & HIGH_BITS
}

/// The high bit of every byte of `word` whose value lies strictly between `low` and `high`
/// (both at most 128), after Bit Twiddling Hacks' `hasbetween`. With these bounds neither the
/// subtraction nor the addition crosses a byte, so the flags are exact byte by byte.
fn bytes_strictly_between(word: u64, low: u8, high: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
    let low_seven_bits = word & (ONES * 127);
    (ONES * (127 + u64::from(high))).wrapping_sub(low_seven_bits)
        & !word
        & low_seven_bits.wrapping_add(ONES * (127 - u64::from(low)))
        & HIGH_BITS
}

/// Adds a match, dropping earlier ones it overlaps: only an e-mail address can reach back
/// before the scan position (its local part), and it is the better explanation.
fn push_match(
    found: &mut Vec<PersonalInfoMatch>,
    kind: PersonalInfoKind,
    start: usize,
    end: usize,
) {
    while found.last().is_some_and(|last| last.byte_end > start) {
        found.pop();
    }
    found.push(PersonalInfoMatch {
        kind,
        byte_start: start,
        byte_end: end,
    });
}

fn byte_at(bytes: &[u8], index: usize) -> u8 {
    bytes.get(index).copied().unwrap_or(0)
}

fn byte_before(bytes: &[u8], index: usize) -> u8 {
    index.checked_sub(1).map_or(0, |i| byte_at(bytes, i))
}

fn digit_run_end(bytes: &[u8], start: usize) -> usize {
    let mut end = start;
    while byte_at(bytes, end).is_ascii_digit() {
        end += 1;
    }
    end
}

fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

const NO_BREAK_SPACE: &[u8] = "\u{a0}".as_bytes();
const NARROW_NO_BREAK_SPACE: &[u8] = "\u{202f}".as_bytes();
const THIN_SPACE: &[u8] = "\u{2009}".as_bytes();

/// Length in bytes of a space-like character at `index` (ASCII space or the no-break spaces
/// French typography puts inside numbers), or 0.
fn space_len_at(bytes: &[u8], index: usize) -> usize {
    let rest = bytes.get(index..).unwrap_or(&[]);
    if rest.first() == Some(&b' ') {
        1
    } else if rest.starts_with(NO_BREAK_SPACE) {
        2
    } else if rest.starts_with(NARROW_NO_BREAK_SPACE) || rest.starts_with(THIN_SPACE) {
        3
    } else {
        0
    }
}

fn skip_spaces(bytes: &[u8], mut index: usize, max_chars: usize) -> usize {
    for _ in 0..max_chars {
        let len = space_len_at(bytes, index);
        if len == 0 {
            break;
        }
        index += len;
    }
    index
}

// ---------------------------------------------------------------------------------------
// Digit runs
// ---------------------------------------------------------------------------------------

/// Looks at the digit run starting at `start` and returns where scanning resumes.
fn scan_digit_run(
    text: &str,
    start: usize,
    public_phone_numbers: &[String],
    found: &mut Vec<PersonalInfoMatch>,
) -> usize {
    let bytes = text.as_bytes();
    let run_end = digit_run_end(bytes, start);
    let before = byte_before(bytes, start);
    let run_len = run_end - start;
    if before.is_ascii_alphabetic() {
        // Digits glued to letters are codes ("A1B", "COVID19"), postal codes or RAMQ numbers.
        if run_len == 1
            && let Some(end) = postal_code_at(bytes, start - 1)
        {
            // "Le code postal de l'hôtel de ville est G1R 4S9" is the organisation's.
            if !presented_as_the_organisations(bytes, start - 1) {
                push_match(found, PersonalInfoKind::PostalCode, start - 1, end);
            }
            return end;
        }
        if (run_len == 4 || run_len == 8)
            && let Some(letters_start) = start.checked_sub(4)
            && let Some(end) = health_number_at(bytes, letters_start)
        {
            push_match(
                found,
                PersonalInfoKind::HealthInsuranceNumber,
                letters_start,
                end,
            );
            return end;
        }
        return run_end;
    }
    if before == b'_' {
        return run_end;
    }
    if (run_len == 4 || run_len == 8)
        && let Some((letters_start, end)) = health_number_before_separator(bytes, start)
    {
        push_match(
            found,
            PersonalInfoKind::HealthInsuranceNumber,
            letters_start,
            end,
        );
        return end;
    }
    if run_len <= 6
        && may_start_street_after_civic(bytes, run_end)
        && let Some(end) = street_address_at(text, start, run_end)
    {
        push_match(found, PersonalInfoKind::StreetAddress, start, end);
        return end;
    }
    // A lone short number ("2023", "45 $") cannot be a card, a phone or a NAS.
    if run_len < 9 && separator_at(bytes, run_end).is_none() {
        return run_end;
    }
    match number_at(text, start, public_phone_numbers) {
        NumberOutcome::Personal { kind, start, end } => {
            push_match(found, kind, start, end);
            end
        }
        NumberOutcome::Public { end } => end,
        NumberOutcome::TooShort { last_group_start } => last_group_start.max(run_end),
        NumberOutcome::Nothing => run_end,
    }
}

const MAX_GROUPS: usize = 7;

/// How much of a number's own structure must hold. A number labelled in the sentence ("mon
/// NAS", "carte de crédit", "carte soleil") only needs the right shape: the writer says what
/// it is, and a mistyped check digit does not make it less personal.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Validation {
    Full,
    ShapeOnly,
}
const MAX_GROUP_DIGITS: usize = 19;

#[derive(Clone, Copy, Default)]
struct DigitGroup {
    start: usize,
    end: usize,
}

impl DigitGroup {
    fn len(self) -> usize {
        self.end - self.start
    }
}

/// What separates two digit groups.
#[derive(Clone, Copy, Default)]
struct GroupSeparator {
    /// Only spaces: the separator French uses for thousands.
    spaces_only: bool,
    has_dot: bool,
    has_parenthesis: bool,
    /// "418/555-1234" is a phone; a slash anywhere else in a number is a date or a fraction.
    has_slash: bool,
}

/// Up to `MAX_GROUPS` digit groups joined by short separators ("418 555-1234").
struct GroupedDigits {
    groups: [DigitGroup; MAX_GROUPS],
    /// `separators[i]` comes before `groups[i]`; `separators[0]` is unused.
    separators: [GroupSeparator; MAX_GROUPS],
    count: usize,
}

impl GroupedDigits {
    fn parse(bytes: &[u8], start: usize) -> GroupedDigits {
        let mut grouped = GroupedDigits {
            groups: [DigitGroup::default(); MAX_GROUPS],
            separators: [GroupSeparator::default(); MAX_GROUPS],
            count: 0,
        };
        let mut position = start;
        loop {
            let end = digit_run_end(bytes, position);
            grouped.groups[grouped.count] = DigitGroup {
                start: position,
                end,
            };
            grouped.count += 1;
            if grouped.count == MAX_GROUPS || end - position > MAX_GROUP_DIGITS {
                break;
            }
            match separator_at(bytes, end) {
                Some((separator, next)) => {
                    grouped.separators[grouped.count] = separator;
                    position = next;
                }
                None => break,
            }
        }
        grouped
    }

    fn lengths_start_with(&self, pattern: &[usize]) -> bool {
        pattern.len() <= self.count
            && pattern
                .iter()
                .zip(self.groups.iter())
                .all(|(&len, group)| group.len() == len)
    }

    /// The digits of groups `0..group_count`, concatenated, if they fit.
    fn digits(&self, bytes: &[u8], group_count: usize) -> Option<DigitBuffer> {
        let mut buffer = DigitBuffer {
            digits: [0; MAX_GROUP_DIGITS],
            len: 0,
        };
        for group in &self.groups[..group_count] {
            for index in group.start..group.end {
                if buffer.len == MAX_GROUP_DIGITS {
                    return None;
                }
                buffer.digits[buffer.len] = byte_at(bytes, index).wrapping_sub(b'0');
                buffer.len += 1;
            }
        }
        Some(buffer)
    }

    fn separators_without_dot_or_parenthesis(&self, group_count: usize) -> bool {
        self.separators[1..group_count].iter().all(|separator| {
            !separator.has_dot && !separator.has_parenthesis && !separator.has_slash
        })
    }
}

struct DigitBuffer {
    digits: [u8; MAX_GROUP_DIGITS],
    len: usize,
}

impl DigitBuffer {
    fn as_slice(&self) -> &[u8] {
        &self.digits[..self.len]
    }
}

/// A separator between digit groups: at most three characters among spaces, one dash or dot,
/// and parentheses ("(418) 555", "1 (819) 555", "418 - 555"), followed by a digit.
fn separator_at(bytes: &[u8], start: usize) -> Option<(GroupSeparator, usize)> {
    let first = byte_at(bytes, start);
    // The usual case, one ASCII character between groups ("418 555-1234"), needs no loop.
    if matches!(first, b' ' | b'-' | b'.') && byte_at(bytes, start + 1).is_ascii_digit() {
        let separator = GroupSeparator {
            spaces_only: first == b' ',
            has_dot: first == b'.',
            has_parenthesis: false,
            has_slash: false,
        };
        return Some((separator, start + 1));
    }
    let can_continue = |byte: u8| {
        matches!(
            byte,
            b' ' | b'-' | b'.' | b'(' | b')' | b'/' | 0xc2 | 0xe2 | 0xa0 | 0x80
        ) || byte.is_ascii_digit()
    };
    // Most separators end a number ("2023 à", "45 $"): rule them out on two bytes.
    if !can_continue(first) || !can_continue(byte_at(bytes, start + 1)) || first == 0xa0 {
        return None;
    }
    let mut separator = GroupSeparator {
        spaces_only: true,
        ..GroupSeparator::default()
    };
    let mut position = start;
    let mut punctuation = 0;
    let mut opening = 0;
    let mut closing = 0;
    for _ in 0..3 {
        let (len, kind) = match byte_at(bytes, position) {
            b' ' => (1, b' '),
            b'-' => (1, b'-'),
            b'.' => (1, b'.'),
            b'(' => (1, b'('),
            b')' => (1, b')'),
            b'/' => (1, b'/'),
            // U+00A0 no-break space.
            0xc2 if byte_at(bytes, position + 1) == 0xa0 => (2, b' '),
            0xe2 if byte_at(bytes, position + 1) == 0x80 => match byte_at(bytes, position + 2) {
                // U+202F narrow no-break space, U+2009 thin space.
                0xaf | 0x89 => (3, b' '),
                // U+2013 en dash, U+2011 non-breaking hyphen.
                0x93 | 0x91 => (3, b'-'),
                _ => break,
            },
            _ => break,
        };
        position += len;
        match kind {
            b' ' => {}
            b'(' => opening += 1,
            b')' => closing += 1,
            _ => punctuation += 1,
        }
        separator.spaces_only &= kind == b' ';
        separator.has_dot |= kind == b'.';
        separator.has_parenthesis |= kind == b'(' || kind == b')';
        separator.has_slash |= kind == b'/';
    }
    let valid = position > start && punctuation <= 1 && opening <= 1 && closing <= 1;
    (valid && byte_at(bytes, position).is_ascii_digit()).then_some((separator, position))
}

enum NumberOutcome {
    Personal {
        kind: PersonalInfoKind,
        start: usize,
        end: usize,
    },
    /// Too few digits in the whole run of groups: resume at the start of its last group.
    TooShort {
        last_group_start: usize,
    },
    /// A toll-free or published number: consumed, so its tail is not read as something else.
    Public {
        end: usize,
    },
    Nothing,
}

/// Tries a payment card, a phone number and a NAS starting at the digit group at `start`.
// Kept out of line so the per-number fast path stays small.
#[inline(never)]
fn number_at(text: &str, start: usize, public_phone_numbers: &[String]) -> NumberOutcome {
    let bytes = text.as_bytes();
    let grouped = GroupedDigits::parse(bytes, start);
    // Cards, phones and NAS all have at least nine digits: most numbers stop here.
    let total_digits: usize = grouped.groups[..grouped.count]
        .iter()
        .map(|group| group.len())
        .sum();
    if total_digits < 9 {
        // The groups after the first hold even fewer digits, so they cannot be a card, a
        // phone or a NAS either; only the last one may still be a civic number.
        if grouped.count < MAX_GROUPS {
            return NumberOutcome::TooShort {
                last_group_start: grouped.groups[grouped.count - 1].start,
            };
        }
        return NumberOutcome::Nothing;
    }
    let candidate = payment_card_in(bytes, &grouped, Validation::Full)
        .map(|end| (PersonalInfoKind::PaymentCard, start, end, None))
        .or_else(|| {
            phone_in(bytes, &grouped).map(|(phone_start, end, ten_digits)| {
                (PersonalInfoKind::Phone, phone_start, end, Some(ten_digits))
            })
        })
        .or_else(|| {
            social_insurance_number_in(bytes, &grouped, Validation::Full)
                .filter(|_| {
                    !(grouped.separators[1].spaces_only
                        && grouped.count > 1
                        && preceded_by_quantity_word(text, start))
                })
                .map(|end| (PersonalInfoKind::SocialInsuranceNumber, start, end, None))
        })
        .or_else(|| {
            social_insurance_number_in(bytes, &grouped, Validation::ShapeOnly)
                .filter(|_| labelled_as(bytes, start, NumberLabel::SocialInsurance))
                .map(|end| (PersonalInfoKind::SocialInsuranceNumber, start, end, None))
        })
        .or_else(|| {
            payment_card_in(bytes, &grouped, Validation::ShapeOnly)
                .filter(|_| labelled_as(bytes, start, NumberLabel::PaymentCard))
                .map(|end| (PersonalInfoKind::PaymentCard, start, end, None))
        });
    let Some((kind, span_start, digits_end, ten_digits)) = candidate else {
        return NumberOutcome::Nothing;
    };
    let span_end = match kind {
        PersonalInfoKind::Phone => phone_extension_end(bytes, digits_end).unwrap_or(digits_end),
        _ => digits_end,
    };
    // A Luhn-valid number with a card issuer's prefix is a card even after "constat" or
    // "facture": people paste their card to pay one.
    let reference_words_apply = kind != PersonalInfoKind::PaymentCard;
    if !number_context_is_personal(text, span_start, span_end, reference_words_apply) {
        return NumberOutcome::Nothing;
    }
    if let Some(ten_digits) = ten_digits
        && (is_toll_free_or_premium(&ten_digits)
            || is_public_phone(&ten_digits, public_phone_numbers)
            || presented_as_the_organisations(bytes, span_start))
    {
        return NumberOutcome::Public { end: span_end };
    }
    NumberOutcome::Personal {
        kind,
        start: span_start,
        end: span_end,
    }
}

fn luhn_valid(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (index, &digit) in digits.iter().rev().enumerate() {
        let mut value = u32::from(digit);
        if index % 2 == 1 {
            value *= 2;
            if value > 9 {
                value -= 9;
            }
        }
        sum += value;
    }
    sum.is_multiple_of(10)
}

fn leading_number(digits: &[u8], count: usize) -> u32 {
    digits
        .iter()
        .take(count)
        .fold(0, |acc, &digit| acc * 10 + u32::from(digit))
}

/// Issuer prefixes and lengths of the cards people actually hold in Quebec.
fn known_card_issuer(digits: &[u8]) -> bool {
    let len = digits.len();
    let two = leading_number(digits, 2);
    let three = leading_number(digits, 3);
    let four = leading_number(digits, 4);
    let visa = digits.first() == Some(&4) && matches!(len, 13 | 16 | 19);
    let mastercard = ((51..=55).contains(&two) || (2221..=2720).contains(&four)) && len == 16;
    let american_express = matches!(two, 34 | 37) && len == 15;
    let discover =
        (four == 6011 || two == 65 || (644..=649).contains(&three)) && (16..=19).contains(&len);
    let jcb = (3528..=3589).contains(&four) && (16..=19).contains(&len);
    let diners =
        ((300..=305).contains(&three) || two == 36 || two == 38) && (14..=19).contains(&len);
    visa || mastercard || american_express || discover || jcb || diners
}

/// A card number: one run of 13-19 digits, or groups of four (Amex 4-6-5, the last group
/// shorter) joined by spaces or dashes. Returns the end of its digits.
fn payment_card_in(bytes: &[u8], grouped: &GroupedDigits, validation: Validation) -> Option<usize> {
    for group_count in (1..=grouped.count).rev() {
        let groups = &grouped.groups[..group_count];
        let total: usize = groups.iter().map(|group| group.len()).sum();
        if !(13..=19).contains(&total) {
            continue;
        }
        let shape_ok = if group_count == 1 {
            true
        } else {
            let amex_shape = group_count == 3
                && groups[0].len() == 4
                && groups[1].len() == 6
                && groups[2].len() == 5;
            let fours = groups[..group_count - 1]
                .iter()
                .all(|group| group.len() == 4)
                && (1..=4).contains(&groups[group_count - 1].len());
            amex_shape || fours
        };
        if !shape_ok || !grouped.separators_without_dot_or_parenthesis(group_count) {
            continue;
        }
        let digits = grouped.digits(bytes, group_count)?;
        let valid = match validation {
            Validation::Full => {
                luhn_valid(digits.as_slice()) && known_card_issuer(digits.as_slice())
            }
            Validation::ShapeOnly => (15..=16).contains(&total),
        };
        if valid {
            return Some(groups[group_count - 1].end);
        }
    }
    None
}

/// A North American number: returns the span start (an opening parenthesis or `+` included),
/// the end of its digits and its ten digits without the country code.
fn phone_in(bytes: &[u8], grouped: &GroupedDigits) -> Option<(usize, usize, [u8; 10])> {
    let first = grouped.groups[0];
    let starts_with_country_code = byte_at(bytes, first.start) == b'1';
    let shapes: &[(&[usize], bool)] = &[
        (&[1, 3, 3, 4], true),
        (&[1, 3, 7], true),
        (&[1, 10], true),
        (&[11], true),
        (&[3, 3, 4], false),
        (&[3, 7], false),
        (&[10], false),
    ];
    for &(shape, with_country_code) in shapes {
        if with_country_code && !starts_with_country_code {
            continue;
        }
        if !grouped.lengths_start_with(shape) {
            continue;
        }
        let digits = grouped.digits(bytes, shape.len())?;
        let national = if with_country_code {
            &digits.as_slice()[1..]
        } else {
            digits.as_slice()
        };
        let mut ten_digits = [0u8; 10];
        ten_digits.copy_from_slice(national.get(..10)?);
        if !valid_north_american_number(&ten_digits) {
            continue;
        }
        // "+33 1 …" is not North American: a `+` must introduce the country code 1.
        let before = byte_before(bytes, first.start);
        if (before == b'+' && !with_country_code)
            || follows_international_prefix(bytes, first.start)
        {
            continue;
        }
        let span_start = if before == b'+' || before == b'(' {
            first.start - 1
        } else {
            first.start
        };
        return Some((span_start, grouped.groups[shape.len() - 1].end, ten_digits));
    }
    None
}

/// Whether the digit group at `start` continues a number that began with `+` ("+44 418 …").
fn follows_international_prefix(bytes: &[u8], start: usize) -> bool {
    let mut position = start;
    for _ in 0..3 {
        let mut separator_chars = 0;
        while separator_chars < 6
            && matches!(
                byte_before(bytes, position),
                b' ' | b'-' | b'.' | b'(' | b')' | 0xa0 | 0xc2
            )
        {
            position -= 1;
            separator_chars += 1;
        }
        if separator_chars == 0 {
            return false;
        }
        let mut digits = 0;
        while digits < 5 && byte_before(bytes, position).is_ascii_digit() {
            position -= 1;
            digits += 1;
        }
        if digits == 0 {
            return false;
        }
        if byte_before(bytes, position) == b'+' {
            return true;
        }
    }
    false
}

fn valid_north_american_number(ten_digits: &[u8; 10]) -> bool {
    let [a0, a1, a2, e0, e1, e2, ..] = *ten_digits;
    let area_ok = a0 >= 2 && !(a1 == 1 && a2 == 1) && a1 != 9;
    let exchange_ok = e0 >= 2 && !(e1 == 1 && e2 == 1);
    area_ok && exchange_ok
}

fn is_toll_free_or_premium(ten_digits: &[u8; 10]) -> bool {
    matches!(
        leading_number(ten_digits, 3),
        800 | 822 | 833 | 844 | 855 | 866 | 877 | 888 | 900
    )
}

fn is_public_phone(ten_digits: &[u8; 10], public_phone_numbers: &[String]) -> bool {
    public_phone_numbers.iter().any(|public| {
        let digits = public
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(|byte| byte - b'0');
        let count = public.bytes().filter(u8::is_ascii_digit).count();
        match count {
            10 => digits.eq(ten_digits.iter().copied()),
            11 => {
                public.bytes().find(u8::is_ascii_digit) == Some(b'1')
                    && digits.skip(1).eq(ten_digits.iter().copied())
            }
            _ => false,
        }
    })
}

/// What a writer may call a number just before giving it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NumberLabel {
    SocialInsurance,
    PaymentCard,
    HealthInsurance,
}

const NUMBER_LABELS: &[(&str, NumberLabel)] = &[
    ("nas", NumberLabel::SocialInsurance),
    ("n.a.s.", NumberLabel::SocialInsurance),
    ("assurance sociale", NumberLabel::SocialInsurance),
    ("assurance-sociale", NumberLabel::SocialInsurance),
    ("social insurance", NumberLabel::SocialInsurance),
    ("sin", NumberLabel::SocialInsurance),
    ("carte de crédit", NumberLabel::PaymentCard),
    ("carte de credit", NumberLabel::PaymentCard),
    ("carte de débit", NumberLabel::PaymentCard),
    ("carte de debit", NumberLabel::PaymentCard),
    ("carte bancaire", NumberLabel::PaymentCard),
    ("carte de paiement", NumberLabel::PaymentCard),
    ("numéro de carte", NumberLabel::PaymentCard),
    ("credit card", NumberLabel::PaymentCard),
    ("visa", NumberLabel::PaymentCard),
    ("mastercard", NumberLabel::PaymentCard),
    ("master card", NumberLabel::PaymentCard),
    ("amex", NumberLabel::PaymentCard),
    ("american express", NumberLabel::PaymentCard),
    ("carte soleil", NumberLabel::HealthInsurance),
    ("assurance maladie", NumberLabel::HealthInsurance),
    ("assurance-maladie", NumberLabel::HealthInsurance),
    ("ramq", NumberLabel::HealthInsurance),
    ("carte santé", NumberLabel::HealthInsurance),
    ("carte d'hôpital", NumberLabel::HealthInsurance),
];

static NUMBER_LABEL_MATCHER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(NUMBER_LABELS.iter().map(|(pattern, _)| pattern))
        .expect("the label list is a short list of literals, which always builds")
});

/// Whether the sentence, in the 80 bytes before `start`, calls the number a `label`.
fn labelled_as(bytes: &[u8], start: usize, label: NumberLabel) -> bool {
    let window_start = sentence_start(bytes, start, 80);
    let Some(window) = bytes.get(window_start..start) else {
        return false;
    };
    NUMBER_LABEL_MATCHER
        .find_overlapping_iter(window)
        .any(|found| {
            let match_start = window_start + found.start();
            let match_end = window_start + found.end();
            let after = byte_at(bytes, match_end);
            let whole_word = !byte_before(bytes, match_start).is_ascii_alphabetic()
                && !after.is_ascii_alphabetic()
                && after != 0xc3;
            whole_word
                && NUMBER_LABELS
                    .get(found.pattern().as_usize())
                    .is_some_and(|(_, found_label)| *found_label == label)
        })
}

/// Who a phone number or a postal code belongs to, by the words before it in its sentence:
/// phrases that introduce an organisation's line or office ("composez le", "Info-Santé", "le
/// bureau d'arrondissement", "l'hôtel de ville"), and possessive, first-person or dwelling
/// words that make it a person's whatever else the sentence says ("appelez-moi", "mon cell",
/// "son numéro", "le voisin", "habite").
const OWNER_CUES: &[(&str, OwnerCue)] = &[
    ("composez", OwnerCue::Organisation),
    ("composer le", OwnerCue::Organisation),
    ("service à la clientèle", OwnerCue::Organisation),
    ("service a la clientele", OwnerCue::Organisation),
    ("service aux citoyens", OwnerCue::Organisation),
    ("services québec", OwnerCue::Organisation),
    ("services quebec", OwnerCue::Organisation),
    ("hôtel de ville", OwnerCue::Organisation),
    ("hotel de ville", OwnerCue::Organisation),
    ("info-santé", OwnerCue::Organisation),
    ("info-sante", OwnerCue::Organisation),
    ("info-social", OwnerCue::Organisation),
    ("clsc", OwnerCue::Organisation),
    ("ligne info", OwnerCue::Organisation),
    ("ligne d'information", OwnerCue::Organisation),
    ("ligne d’information", OwnerCue::Organisation),
    ("centre d'appels", OwnerCue::Organisation),
    ("centre d’appels", OwnerCue::Organisation),
    ("bureau municipal", OwnerCue::Organisation),
    ("la municipalité", OwnerCue::Organisation),
    ("la ville au", OwnerCue::Organisation),
    ("la mairie", OwnerCue::Organisation),
    ("sans frais", OwnerCue::Organisation),
    ("pour information", OwnerCue::Organisation),
    ("pour plus d'info", OwnerCue::Organisation),
    ("pour plus d’info", OwnerCue::Organisation),
    ("pour renseignements", OwnerCue::Organisation),
    ("pour plus de renseignements", OwnerCue::Organisation),
    ("arrondissement", OwnerCue::Organisation),
    ("direction", OwnerCue::Organisation),
    ("ministère", OwnerCue::Organisation),
    ("ministere", OwnerCue::Organisation),
    ("la ville", OwnerCue::Organisation),
    ("municipal", OwnerCue::Organisation),
    ("municipale", OwnerCue::Organisation),
    ("numéro indiqué", OwnerCue::Organisation),
    ("numero indique", OwnerCue::Organisation),
    ("numéro officiel", OwnerCue::Organisation),
    ("le 311", OwnerCue::Organisation),
    ("ressources humaines", OwnerCue::Organisation),
    ("greffe", OwnerCue::Organisation),
    ("secrétariat", OwnerCue::Organisation),
    ("secretariat", OwnerCue::Organisation),
    ("gouvernement", OwnerCue::Organisation),
    ("organisme", OwnerCue::Organisation),
    ("moi", OwnerCue::Person),
    ("mon", OwnerCue::Person),
    ("ma", OwnerCue::Person),
    ("mes", OwnerCue::Person),
    ("me", OwnerCue::Person),
    ("m'", OwnerCue::Person),
    ("m’", OwnerCue::Person),
    ("perso", OwnerCue::Person),
    ("cell", OwnerCue::Person),
    ("cellulaire", OwnerCue::Person),
    ("domicile", OwnerCue::Person),
    ("maison", OwnerCue::Person),
    ("texto", OwnerCue::Person),
    ("notre", OwnerCue::Person),
    ("nos", OwnerCue::Person),
    ("son", OwnerCue::Person),
    ("sa", OwnerCue::Person),
    ("ses", OwnerCue::Person),
    ("leur", OwnerCue::Person),
    ("voisin", OwnerCue::Person),
    ("voisine", OwnerCue::Person),
    ("habite", OwnerCue::Person),
    ("demeure", OwnerCue::Person),
    ("reste", OwnerCue::Person),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum OwnerCue {
    Organisation,
    Person,
}

static OWNER_CUE_MATCHER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(OWNER_CUES.iter().map(|(pattern, _)| pattern))
        .expect("the cue list is a short list of literals, which always builds")
});

/// Whether the sentence before a phone number or a postal code presents it as an
/// organisation's and nothing in it says it is a person's.
fn presented_as_the_organisations(bytes: &[u8], start: usize) -> bool {
    let window_start = sentence_start(bytes, start, 80);
    let Some(window) = bytes.get(window_start..start) else {
        return false;
    };
    let mut organisation = false;
    for found in OWNER_CUE_MATCHER.find_overlapping_iter(window) {
        let match_start = window_start + found.start();
        let match_end = window_start + found.end();
        let last = byte_before(bytes, match_end);
        let whole_word = !byte_before(bytes, match_start).is_ascii_alphabetic()
            && (matches!(last, b'\'' | 0x99)
                || (!byte_at(bytes, match_end).is_ascii_alphabetic()
                    && byte_at(bytes, match_end) != 0xc3));
        if !whole_word {
            continue;
        }
        match OWNER_CUES.get(found.pattern().as_usize()) {
            Some((_, OwnerCue::Person)) => return false,
            Some((_, OwnerCue::Organisation)) => organisation = true,
            None => {}
        }
    }
    organisation
}

/// "poste 123", ", ext. 12", " x 45", " #204" after a phone number.
fn phone_extension_end(bytes: &[u8], end: usize) -> Option<usize> {
    let mut position = end;
    if byte_at(bytes, position) == b',' {
        position += 1;
    }
    position = skip_spaces(bytes, position, 2);
    let opened = byte_at(bytes, position) == b'(';
    if opened {
        position += 1;
    }
    let word_start = position;
    while byte_at(bytes, position).is_ascii_alphabetic() && position - word_start < 10 {
        position += 1;
    }
    let word = bytes.get(word_start..position)?.to_ascii_lowercase();
    let marker = match word.as_slice() {
        b"poste" | b"p" | b"ext" | b"extension" | b"x" => true,
        b"" => byte_at(bytes, position) == b'#',
        _ => false,
    };
    if !marker {
        return None;
    }
    if byte_at(bytes, position) == b'.' || byte_at(bytes, position) == b'#' {
        position += 1;
    }
    position = skip_spaces(bytes, position, 2);
    let digits_end = digit_run_end(bytes, position);
    if digits_end == position || digits_end - position > 6 {
        return None;
    }
    position = digits_end;
    if opened && byte_at(bytes, position) == b')' {
        position += 1;
    }
    Some(position)
}

/// NAS: 3-3-3 grouped by spaces or dashes, or 9 bare digits; Luhn; first digit not 0 or 8.
fn social_insurance_number_in(
    bytes: &[u8],
    grouped: &GroupedDigits,
    validation: Validation,
) -> Option<usize> {
    let group_count = if grouped.lengths_start_with(&[3, 3, 3]) {
        3
    } else if grouped.lengths_start_with(&[9]) {
        1
    } else {
        return None;
    };
    if !grouped.separators_without_dot_or_parenthesis(group_count) {
        return None;
    }
    // "1 234 567 890": three-digit groups in a longer space-grouped number are thousands.
    if group_count == 3 {
        let followed_by_thousands =
            grouped.count > 3 && grouped.groups[3].len() == 3 && grouped.separators[3].spaces_only;
        if followed_by_thousands || preceded_by_thousands_group(bytes, grouped.groups[0].start) {
            return None;
        }
    }
    let digits = grouped.digits(bytes, group_count)?;
    let first = digits.as_slice().first().copied()?;
    let valid = validation == Validation::ShapeOnly
        || (first != 0 && first != 8 && luhn_valid(digits.as_slice()));
    valid.then_some(grouped.groups[group_count - 1].end)
}

/// Whether a group of one to three digits joined by spaces only comes right before `start`.
fn preceded_by_thousands_group(bytes: &[u8], start: usize) -> bool {
    let mut position = start;
    let mut spaces = 0;
    while spaces < 3 {
        let previous = byte_before(bytes, position);
        if previous == b' ' {
            position -= 1;
        } else if position >= 2 && bytes.get(position - 2..position) == Some(NO_BREAK_SPACE) {
            position -= 2;
        } else if position >= 3
            && matches!(bytes.get(position - 3..position), Some(s) if s == NARROW_NO_BREAK_SPACE || s == THIN_SPACE)
        {
            position -= 3;
        } else {
            break;
        }
        spaces += 1;
    }
    if spaces == 0 {
        return false;
    }
    let mut digits = 0;
    while digits < 4 && byte_before(bytes, position).is_ascii_digit() {
        position -= 1;
        digits += 1;
    }
    (1..=3).contains(&digits) && !is_word_byte(byte_before(bytes, position))
}

/// Whether what surrounds a candidate number leaves it personal: not glued to letters, not a
/// decimal, a date or an amount, not a file, invoice or by-law number.
fn number_context_is_personal(
    text: &str,
    start: usize,
    end: usize,
    reference_words_apply: bool,
) -> bool {
    let bytes = text.as_bytes();
    let after = byte_at(bytes, end);
    if is_word_byte(after) || after == b'@' {
        return false;
    }
    if matches!(after, b'.' | b',' | b'/') && byte_at(bytes, end + 1).is_ascii_digit() {
        return false;
    }
    let before = byte_before(bytes, start);
    if is_word_byte(before) {
        return false;
    }
    if matches!(before, b'.' | b',' | b'/') && byte_before(bytes, start - 1).is_ascii_digit() {
        return false;
    }
    if preceded_by_currency(bytes, start) || chunk_is_followed_by_amount_or_unit(text, end) {
        return false;
    }
    let is_reference = reference_words_apply && preceded_by_reference_word(text, start);
    !is_reference && !inside_web_address(bytes, start)
}

/// Whether the number sits in a web address ("facebook.com/…?id=4185551234"): post, photo
/// and video identifiers are long numbers that identify nobody.
fn inside_web_address(bytes: &[u8], start: usize) -> bool {
    let lowest = start.saturating_sub(300);
    let mut token_start = start;
    while token_start > lowest && !byte_before(bytes, token_start).is_ascii_whitespace() {
        token_start -= 1;
    }
    let token = bytes.get(token_start..start).unwrap_or(&[]);
    token.windows(3).any(|window| window == b"://")
        || token
            .windows(4)
            .any(|window| window.eq_ignore_ascii_case(b"www."))
}

fn preceded_by_currency(bytes: &[u8], start: usize) -> bool {
    let mut position = start;
    for _ in 0..2 {
        if byte_before(bytes, position) == b' ' {
            position -= 1;
        }
    }
    matches!(byte_before(bytes, position), b'$')
        || (position >= 3 && bytes.get(position - 3..position) == Some("€".as_bytes()))
}

/// Skips the rest of the number the candidate belongs to (at most a few groups, to stay
/// linear), then looks for a currency, a percent sign or a unit.
fn chunk_is_followed_by_amount_or_unit(text: &str, end: usize) -> bool {
    let bytes = text.as_bytes();
    let mut position = end;
    for _ in 0..8 {
        match separator_at(bytes, position) {
            Some((_, next)) => position = digit_run_end(bytes, next),
            None => break,
        }
    }
    if matches!(byte_at(bytes, position), b',' | b'.')
        && byte_at(bytes, position + 1).is_ascii_digit()
    {
        position = digit_run_end(bytes, position + 1);
    }
    position = skip_spaces(bytes, position, 2);
    let rest = bytes.get(position..).unwrap_or(&[]);
    if matches!(rest.first(), Some(b'$' | b'%'))
        || rest.starts_with("€".as_bytes())
        || rest.starts_with("¢".as_bytes())
    {
        return true;
    }
    let word = FoldedWord::read(text, position);
    match word.as_bytes() {
        b"dollars" | b"dollar" | b"piastres" | b"piasses" | b"cents" | b"euros" | b"pourcent"
        | b"pourcents" | b"habitants" | b"personnes" | b"citoyens" | b"km" | b"kg" | b"litres"
        | b"metres" | b"tonnes" | b"pieds" | b"votes" | b"millions" | b"milliards" | b"m"
        | b"k" => true,
        b"pour" => FoldedWord::read(text, skip_spaces(bytes, word.end, 2)).as_bytes() == b"cent",
        _ => false,
    }
}

/// Words that introduce a reference number rather than a person's number.
fn is_reference_word(word: &[u8]) -> bool {
    matches!(
        word,
        b"dossier"
            | b"dossiers"
            | b"reference"
            | b"ref"
            | b"facture"
            | b"factures"
            | b"reglement"
            | b"reglements"
            | b"regl"
            | b"resolution"
            | b"commande"
            | b"billet"
            | b"requete"
            | b"plainte"
            | b"permis"
            | b"contrat"
            | b"transaction"
            | b"confirmation"
            | b"suivi"
            | b"ticket"
            | b"lot"
            | b"lots"
            | b"cadastre"
            | b"matricule"
            | b"client"
            | b"compte"
            | b"reclamation"
            | b"police"
            | b"serie"
            | b"modele"
            | b"produit"
            | b"piece"
            | b"projet"
            | b"avis"
            | b"decret"
            | b"loi"
            | b"arrete"
            | b"constat"
            | b"infraction"
            | b"evenement"
            | b"incident"
            | b"demande"
            | b"neq"
            | b"entreprise"
            | b"tps"
            | b"tvq"
            | b"tva"
            | b"isbn"
            | b"issn"
            | b"colis"
            | b"envoi"
            | b"vol"
            | b"licence"
            | b"article"
            | b"cause"
            | b"jugement"
            | b"rapport"
            | b"formulaire"
            | b"inscription"
    )
}

/// Words that may sit between a reference word and its number ("dossier no : 123").
fn is_reference_filler(word: &[u8]) -> bool {
    matches!(
        word,
        b"no"
            | b"n"
            | b"numero"
            | b"num"
            | b"nro"
            | b"de"
            | b"du"
            | b"des"
            | b"d"
            | b"le"
            | b"la"
            | b"l"
            | b"est"
            | b"a"
            | b"au"
    )
}

fn preceded_by_reference_word(text: &str, start: usize) -> bool {
    let mut end = start;
    for _ in 0..5 {
        let Some((word, word_start)) = previous_word(text, end) else {
            return false;
        };
        if is_reference_word(word.as_bytes()) {
            return true;
        }
        if !is_reference_filler(word.as_bytes()) {
            return false;
        }
        end = word_start;
    }
    false
}

/// The word just before `end`, folded, and where it starts, skipping at most a few spaces
/// and punctuation signs; `None` when something else (a digit, a symbol) comes first.
fn previous_word(text: &str, end: usize) -> Option<(FoldedWord, usize)> {
    let before = text.get(..end)?;
    let mut word_end = end;
    let mut skipped = 0;
    let mut characters = before.char_indices().rev();
    let mut word_start = None;
    for (index, character) in characters.by_ref() {
        if character.is_alphabetic() {
            word_end = index + character.len_utf8();
            word_start = Some(index);
            break;
        }
        let skippable = character.is_whitespace()
            || matches!(
                character,
                ':' | '#'
                    | '°'
                    | 'º'
                    | '.'
                    | ','
                    | '-'
                    | '–'
                    | '('
                    | ')'
                    | '«'
                    | '»'
                    | '"'
                    | '\''
                    | '’'
            );
        skipped += 1;
        if !skippable || skipped > 6 {
            return None;
        }
    }
    let mut word_start = word_start?;
    for (index, character) in characters.take(24) {
        if !character.is_alphabetic() {
            break;
        }
        word_start = index;
    }
    let word = FoldedWord::read(text, word_start);
    (word.end == word_end).then_some((word, word_start))
}

/// Words that put a space-grouped number in a sentence about quantities ("passé de 123 456
/// 789 à…", "environ 130 692 544"), where it is a count, not a NAS.
fn preceded_by_quantity_word(text: &str, start: usize) -> bool {
    previous_word(text, start).is_some_and(|(word, _)| {
        matches!(
            word.as_bytes(),
            b"de"
                | b"d"
                | b"a"
                | b"environ"
                | b"plus"
                | b"moins"
                | b"total"
                | b"soit"
                | b"sur"
                | b"entre"
                | b"et"
                | b"pres"
                | b"presque"
                | b"quelque"
                | b"jusqu"
                | b"vers"
                | b"atteint"
                | b"compte"
                | b"comptait"
                | b"compter"
                | b"totalise"
                | b"totalisait"
        )
    })
}

/// A word read forward from a position, lower-cased with its French accents removed, so that
/// "Règlement" and "reglement" compare equal. Words too long for the buffer compare equal to
/// nothing.
struct FoldedWord {
    buffer: [u8; 24],
    len: usize,
    overflow: bool,
    /// Byte offset just past the word.
    end: usize,
}

impl FoldedWord {
    fn read(text: &str, start: usize) -> FoldedWord {
        let mut word = FoldedWord {
            buffer: [0; 24],
            len: 0,
            overflow: false,
            end: start,
        };
        if !text.is_char_boundary(start) {
            return word;
        }
        let bytes = text.as_bytes();
        loop {
            let byte = byte_at(bytes, word.end);
            // ASCII needs no decoding; only accented letters go through `char`.
            let (letter, len) = if byte.is_ascii_alphabetic() {
                (byte.to_ascii_lowercase(), 1)
            } else if byte < 0x80 {
                break;
            } else {
                match text.get(word.end..).and_then(|rest| rest.chars().next()) {
                    Some(character) if character.is_alphabetic() => {
                        (fold_letter(character), character.len_utf8())
                    }
                    _ => break,
                }
            };
            if word.len == word.buffer.len() {
                word.overflow = true;
                break;
            }
            word.buffer[word.len] = letter;
            word.len += 1;
            word.end += len;
        }
        word
    }

    fn as_bytes(&self) -> &[u8] {
        if self.overflow {
            &[0xff]
        } else {
            &self.buffer[..self.len]
        }
    }
}

fn fold_letter(character: char) -> u8 {
    if character.is_ascii() {
        return character.to_ascii_lowercase() as u8;
    }
    match character {
        'à' | 'â' | 'ä' | 'À' | 'Â' | 'Ä' => b'a',
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => b'e',
        'î' | 'ï' | 'Î' | 'Ï' => b'i',
        'ô' | 'ö' | 'Ô' | 'Ö' => b'o',
        'ù' | 'û' | 'ü' | 'Ù' | 'Û' | 'Ü' => b'u',
        'ç' | 'Ç' => b'c',
        'ÿ' => b'y',
        _ => 0xff,
    }
}

// ---------------------------------------------------------------------------------------
// E-mail addresses
// ---------------------------------------------------------------------------------------

fn is_local_part_char(character: char) -> bool {
    character.is_alphanumeric() || matches!(character, '.' | '_' | '%' | '+' | '-' | '\'')
}

fn is_domain_char(character: char) -> bool {
    character.is_alphanumeric() || character == '-'
}

enum EmailOutcome {
    Personal {
        start: usize,
        end: usize,
    },
    /// A role mailbox or a government address: consumed, not reported.
    Institutional {
        end: usize,
    },
    Nothing,
}

/// The e-mail address around the `@` at `at`, if its local part and domain hold up. One
/// space on either side of the `@` is tolerated ("gaston.lapointe @ outlook.com", a common
/// way to dodge filters) when the domain ends in a common top-level domain.
// Kept out of line so the per-number fast path stays small.
#[inline(never)]
fn email_at(text: &str, at: usize) -> EmailOutcome {
    let bytes = text.as_bytes();
    let space_before = byte_before(bytes, at) == b' ';
    let space_after = byte_at(bytes, at + 1) == b' ';
    let local_end = if space_before { at - 1 } else { at };
    let domain_start = if space_after { at + 2 } else { at + 1 };
    let Some(start) = email_local_part_start(text, local_end) else {
        return EmailOutcome::Nothing;
    };
    let Some((end, top_level_domain)) = email_domain_end(text, domain_start) else {
        return EmailOutcome::Nothing;
    };
    if (space_before || space_after) && !is_common_top_level_domain(top_level_domain) {
        return EmailOutcome::Nothing;
    }
    let local_part = bytes.get(start..local_end).unwrap_or(&[]);
    let domain = bytes.get(domain_start..end).unwrap_or(&[]);
    if is_role_mailbox(local_part) || is_government_domain(domain) {
        EmailOutcome::Institutional { end }
    } else {
        EmailOutcome::Personal { start, end }
    }
}

/// Where the local part ending at `local_end` starts: no leading or trailing dot, no "..".
fn email_local_part_start(text: &str, local_end: usize) -> Option<usize> {
    let before = text.get(..local_end)?;
    let mut start = local_end;
    for (index, character) in before.char_indices().rev() {
        if !is_local_part_char(character) {
            break;
        }
        start = index;
    }
    let bytes = text.as_bytes();
    if let Some(double_dot) = bytes
        .get(start..local_end)?
        .windows(2)
        .rposition(|pair| pair == b"..")
    {
        start += double_dot + 2;
    }
    while start < local_end && matches!(byte_at(bytes, start), b'.' | b'\'' | b'-' | b'+' | b'%') {
        start += 1;
    }
    (start < local_end && byte_before(bytes, local_end) != b'.').then_some(start)
}

/// The end of a domain of at least two labels starting at `domain_start`, with its last
/// label (the top-level domain, letters only, at least two).
fn email_domain_end(text: &str, domain_start: usize) -> Option<(usize, &[u8])> {
    let bytes = text.as_bytes();
    let mut label_start = domain_start;
    let mut labels = 0;
    let mut end = domain_start;
    let mut last_label_start = domain_start;
    let mut last_label_alphabetic_chars = 0;
    loop {
        let rest = text.get(label_start..)?;
        let mut label_end = label_start;
        let mut alphabetic = true;
        let mut chars = 0;
        for character in rest.chars() {
            if !is_domain_char(character) {
                break;
            }
            alphabetic &= character.is_alphabetic();
            chars += 1;
            label_end += character.len_utf8();
        }
        if label_end == label_start
            || byte_at(bytes, label_start) == b'-'
            || byte_before(bytes, label_end) == b'-'
        {
            break;
        }
        labels += 1;
        end = label_end;
        last_label_start = label_start;
        last_label_alphabetic_chars = if alphabetic { chars } else { 0 };
        let dot_follows = byte_at(bytes, label_end) == b'.';
        let next_is_label = text
            .get(label_end + 1..)
            .and_then(|next| next.chars().next())
            .is_some_and(is_domain_char);
        if dot_follows && next_is_label {
            label_start = label_end + 1;
        } else {
            break;
        }
    }
    (labels >= 2 && last_label_alphabetic_chars >= 2)
        .then(|| (end, bytes.get(last_label_start..end).unwrap_or(&[])))
}

fn is_common_top_level_domain(top_level_domain: &[u8]) -> bool {
    matches!(
        top_level_domain.to_ascii_lowercase().as_slice(),
        b"com"
            | b"ca"
            | b"org"
            | b"net"
            | b"fr"
            | b"qc"
            | b"info"
            | b"be"
            | b"ch"
            | b"io"
            | b"co"
            | b"me"
            | b"us"
            | b"biz"
    )
}

/// Mailboxes that belong to a function, not a person ("info@", "mediassociaux@",
/// "service.clientele@"): an organisation's published address, never personal information.
fn is_role_mailbox(local_part: &[u8]) -> bool {
    let mut folded = [0u8; 32];
    let mut len = 0;
    for &byte in local_part {
        if byte.is_ascii_alphanumeric() {
            if len == folded.len() {
                return false;
            }
            folded[len] = byte.to_ascii_lowercase();
            len += 1;
        }
    }
    matches!(
        &folded[..len],
        b"info"
            | b"infos"
            | b"information"
            | b"informations"
            | b"renseignements"
            | b"communications"
            | b"communication"
            | b"mediassociaux"
            | b"medias"
            | b"media"
            | b"presse"
            | b"reception"
            | b"accueil"
            | b"service"
            | b"services"
            | b"serviceclient"
            | b"serviceclientele"
            | b"servicealaclientele"
            | b"servicesauxcitoyens"
            | b"citoyens"
            | b"support"
            | b"soutien"
            | b"aide"
            | b"admin"
            | b"administration"
            | b"secretariat"
            | b"greffe"
            | b"direction"
            | b"plaintes"
            | b"requetes"
            | b"contact"
            | b"contactez"
            | b"courrier"
            | b"nepasrepondre"
            | b"noreply"
            | b"donotreply"
            | b"rh"
            | b"emplois"
            | b"emploi"
            | b"carrieres"
            | b"urbanisme"
            | b"loisirs"
            | b"travauxpublics"
            | b"webmestre"
            | b"webmaster"
    )
}

/// Government domains (Quebec, Canada): their addresses are public servants' or offices',
/// published by the state, not a citizen's personal information.
fn is_government_domain(domain: &[u8]) -> bool {
    let lower = domain.to_ascii_lowercase();
    [
        b"gouv.qc.ca".as_slice(),
        b"gc.ca",
        b"canada.ca",
        b"quebec.ca",
    ]
    .iter()
    .any(|suffix| {
        lower.ends_with(suffix)
            && (lower.len() == suffix.len() || lower[lower.len() - suffix.len() - 1] == b'.')
    })
}

/// The spelled-out `@` whose closing bracket or `b` is at `index`: "(at)", "[at]", "{at}",
/// "(a)", "[a]", or "arobase"/"arobas" as a whole word. Returns its span.
fn spelled_out_at_sign_around(bytes: &[u8], index: usize) -> Option<(usize, usize)> {
    let byte = byte_at(bytes, index);
    if byte.eq_ignore_ascii_case(&b'b') {
        let start = index.checked_sub(3)?;
        if !bytes.get(start..index)?.eq_ignore_ascii_case(b"aro")
            || byte_before(bytes, start).is_ascii_alphabetic()
        {
            return None;
        }
        let mut end = index + 1;
        if !bytes.get(end..end + 2)?.eq_ignore_ascii_case(b"as") {
            return None;
        }
        end += 2;
        if byte_at(bytes, end).eq_ignore_ascii_case(&b'e') {
            end += 1;
        }
        return (!byte_at(bytes, end).is_ascii_alphabetic()).then_some((start, end));
    }
    let opening = match byte {
        b')' => b'(',
        b']' => b'[',
        b'}' => b'{',
        _ => return None,
    };
    for inner in [b"at".as_slice(), b"a"] {
        let Some(start) = index.checked_sub(inner.len() + 1) else {
            continue;
        };
        if byte_at(bytes, start) == opening
            && bytes
                .get(start + 1..index)
                .is_some_and(|found| found.eq_ignore_ascii_case(inner))
        {
            return Some((start, index + 1));
        }
    }
    None
}

/// The address around a spelled-out `@` between `marker_start` and `marker_end`: a local
/// part on the left, a domain on the right whose labels are joined by dots or by "point",
/// "dot", "[.]"…, ending in a common top-level domain.
fn obfuscated_email_around(
    text: &str,
    marker_start: usize,
    marker_end: usize,
) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let local_end = if byte_before(bytes, marker_start) == b' ' {
        marker_start - 1
    } else {
        marker_start
    };
    let mut start = email_local_part_start(text, local_end)?;
    // "jean point tremblay arobase …": earlier labels of the local part.
    for _ in 0..3 {
        let Some(separator_start) = obfuscated_dot_before(bytes, start) else {
            break;
        };
        match email_local_part_start(text, separator_start) {
            Some(label_start) => start = label_start,
            None => break,
        }
    }
    let mut position = skip_spaces(bytes, marker_end, 1);
    let mut labels = 0;
    let mut end = position;
    let mut last_label = (position, position);
    for _ in 0..6 {
        let label_end = domain_label_end(text, position);
        if label_end == position {
            break;
        }
        labels += 1;
        end = label_end;
        last_label = (position, label_end);
        match obfuscated_dot_after(bytes, label_end) {
            Some(next) if domain_label_end(text, next) > next => position = next,
            _ => break,
        }
    }
    let top_level_domain = bytes.get(last_label.0..last_label.1)?;
    (labels >= 2 && is_common_top_level_domain(top_level_domain) && start < local_end)
        .then_some((start, end))
}

fn domain_label_end(text: &str, start: usize) -> usize {
    let mut end = start;
    if let Some(rest) = text.get(start..) {
        for character in rest.chars() {
            if !is_domain_char(character) || end - start > 63 {
                break;
            }
            end += character.len_utf8();
        }
    }
    end
}

/// A dot between domain labels, plain or spelled out, starting at `position`: returns where
/// the next label starts.
fn obfuscated_dot_after(bytes: &[u8], position: usize) -> Option<usize> {
    if byte_at(bytes, position) == b'.' {
        return Some(position + 1);
    }
    let after_space = skip_spaces(bytes, position, 1);
    let rest = bytes.get(after_space..)?;
    for spelling in [
        b"point".as_slice(),
        b"dot",
        b"[dot]",
        b"(dot)",
        b"[.]",
        b"(.)",
        b"[point]",
        b"(point)",
        b".",
    ] {
        if rest.len() >= spelling.len() && rest[..spelling.len()].eq_ignore_ascii_case(spelling) {
            let after = after_space + spelling.len();
            if spelling[0].is_ascii_alphabetic() && byte_at(bytes, after).is_ascii_alphabetic() {
                continue;
            }
            return Some(skip_spaces(bytes, after, 1));
        }
    }
    None
}

/// A spelled-out dot ending right before `end` (" point ", " dot ", "[.]"), for the labels of
/// a local part: returns where the dot starts.
fn obfuscated_dot_before(bytes: &[u8], end: usize) -> Option<usize> {
    let before_space = if byte_before(bytes, end) == b' ' {
        end - 1
    } else {
        end
    };
    for spelling in [
        b"point".as_slice(),
        b"dot",
        b"[dot]",
        b"(dot)",
        b"[.]",
        b"(.)",
    ] {
        let Some(start) = before_space.checked_sub(spelling.len()) else {
            continue;
        };
        let word_ok =
            !spelling[0].is_ascii_alphabetic() || !byte_before(bytes, start).is_ascii_alphabetic();
        if word_ok
            && bytes
                .get(start..before_space)
                .is_some_and(|found| found.eq_ignore_ascii_case(spelling))
        {
            return Some(if byte_before(bytes, start) == b' ' {
                start - 1
            } else {
                start
            });
        }
    }
    None
}

// ---------------------------------------------------------------------------------------
// Postal codes and RAMQ numbers
// ---------------------------------------------------------------------------------------

fn is_postal_first_letter(byte: u8) -> bool {
    matches!(
        byte.to_ascii_uppercase(),
        b'A' | b'B' | b'C' | b'E' | b'G' | b'H' | b'J'
            ..=b'N' | b'P' | b'R' | b'S' | b'T' | b'V' | b'X' | b'Y'
    )
}

fn is_postal_letter(byte: u8) -> bool {
    matches!(byte.to_ascii_uppercase(), b'A' | b'B' | b'C' | b'E' | b'G' | b'H' | b'J'..=b'N' | b'P' | b'R' | b'S' | b'T' | b'V'..=b'Z')
}

/// A Canadian postal code starting at `start`: "G1R 4S5", "g1r4s5", "H2X-1Y4".
// Kept out of line so the per-number fast path stays small.
#[inline(never)]
fn postal_code_at(bytes: &[u8], start: usize) -> Option<usize> {
    if is_word_byte(byte_before(bytes, start)) {
        return None;
    }
    let first_half = bytes.get(start..start + 3)?;
    if !(is_postal_first_letter(first_half[0])
        && first_half[1].is_ascii_digit()
        && is_postal_letter(first_half[2]))
    {
        return None;
    }
    let mut position = start + 3;
    let space = space_len_at(bytes, position);
    if space > 0 {
        position += space;
    } else if byte_at(bytes, position) == b'-' {
        position += 1;
    }
    let second_half = bytes.get(position..position + 3)?;
    if !(second_half[0].is_ascii_digit()
        && is_postal_letter(second_half[1])
        && second_half[2].is_ascii_digit())
    {
        return None;
    }
    let end = position + 3;
    (!is_word_byte(byte_at(bytes, end))).then_some(end)
}

/// Lower-case four-letter French words that precede eight-digit numbers in ordinary text.
fn is_common_four_letter_word(letters: &[u8]) -> bool {
    matches!(
        [
            letters[0].to_ascii_lowercase(),
            letters[1].to_ascii_lowercase(),
            letters[2].to_ascii_lowercase(),
            letters[3].to_ascii_lowercase()
        ]
        .as_slice(),
        b"pour"
            | b"dans"
            | b"avec"
            | b"sans"
            | b"vers"
            | b"chez"
            | b"tous"
            | b"code"
            | b"date"
            | b"page"
            | b"cell"
            | b"dont"
            | b"mais"
            | b"donc"
            | b"plus"
            | b"sont"
            | b"elle"
            | b"nous"
            | b"vous"
            | b"leur"
            | b"tout"
            | b"lots"
            | b"aout"
            | b"juin"
            | b"mars"
            | b"mois"
            | b"jour"
            | b"fois"
            | b"soit"
            | b"ceci"
            | b"cela"
    )
}

/// A RAMQ number starting at its four letters: "TREM 8501 1234", "TREM85011234".
// Kept out of line so the per-number fast path stays small.
#[inline(never)]
fn health_number_at(bytes: &[u8], start: usize) -> Option<usize> {
    let (end, birth_date_valid) = health_number_shape_at(bytes, start)?;
    (birth_date_valid || labelled_as(bytes, start, NumberLabel::HealthInsurance)).then_some(end)
}

/// Four letters and eight digits from `start`: their end and whether the digits hold a
/// birth date.
fn health_number_shape_at(bytes: &[u8], start: usize) -> Option<(usize, bool)> {
    if is_word_byte(byte_before(bytes, start)) {
        return None;
    }
    let letters = bytes.get(start..start + 4)?;
    if !letters.iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    let all_upper = letters.iter().all(u8::is_ascii_uppercase);
    if !all_upper && is_common_four_letter_word(letters) {
        return None;
    }
    let mut position = start + 4;
    let separator =
        space_len_at(bytes, position).max(usize::from(byte_at(bytes, position) == b'-'));
    position += separator;
    let mut digits = [0u8; 8];
    let mut count = 0;
    let mut inner_separators = 0;
    while count < 8 {
        let byte = byte_at(bytes, position);
        if byte.is_ascii_digit() {
            digits[count] = byte - b'0';
            count += 1;
            position += 1;
        } else if count == 4 && inner_separators == 0 {
            let separator = space_len_at(bytes, position).max(usize::from(byte == b'-'));
            if separator == 0 {
                return None;
            }
            inner_separators += 1;
            position += separator;
        } else {
            return None;
        }
    }
    if is_word_byte(byte_at(bytes, position)) {
        return None;
    }
    Some((position, valid_health_number_birth_date(&digits)))
}

/// The six digits after the letters are YYMMDD, with 50 added to the month for women.
fn valid_health_number_birth_date(digits: &[u8; 8]) -> bool {
    let month = u32::from(digits[2]) * 10 + u32::from(digits[3]);
    let day = u32::from(digits[4]) * 10 + u32::from(digits[5]);
    let month = if month > 50 { month - 50 } else { month };
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 => 29,
        _ => return false,
    };
    (1..=days_in_month).contains(&day)
}

/// A RAMQ number whose digits, at `digits_start`, follow its letters after a separator.
fn health_number_before_separator(bytes: &[u8], digits_start: usize) -> Option<(usize, usize)> {
    let separator_len = if byte_before(bytes, digits_start) == b' '
        || byte_before(bytes, digits_start) == b'-'
    {
        1
    } else if digits_start >= 2 && bytes.get(digits_start - 2..digits_start) == Some(NO_BREAK_SPACE)
    {
        2
    } else {
        return None;
    };
    let letters_start = digits_start.checked_sub(separator_len + 4)?;
    health_number_at(bytes, letters_start).map(|end| (letters_start, end))
}

// ---------------------------------------------------------------------------------------
// Street addresses
// ---------------------------------------------------------------------------------------

/// Street types used in Quebec addresses, folded, with their usual abbreviations.
fn is_street_type(word: &[u8]) -> bool {
    matches!(
        word,
        b"rue"
            | b"avenue"
            | b"av"
            | b"ave"
            | b"boulevard"
            | b"boul"
            | b"blvd"
            | b"bd"
            | b"chemin"
            | b"ch"
            | b"rang"
            | b"route"
            | b"rte"
            | b"place"
            | b"montee"
            | b"cote"
            | b"croissant"
            | b"impasse"
            | b"allee"
            | b"terrasse"
            | b"promenade"
            | b"ruelle"
            | b"carre"
            | b"sentier"
    )
}

/// A direction after a street name. "est" is also the verb, and a lone letter is anything,
/// so those two count only capitalised ("Henri-Bourassa Est", "Sherbrooke O.").
fn is_direction(word: &[u8], capitalised: bool) -> bool {
    match word {
        b"ouest" | b"nord" | b"sud" => true,
        b"est" | b"e" | b"o" | b"n" | b"s" => capitalised,
        _ => false,
    }
}

fn is_name_particle(word: &[u8]) -> bool {
    matches!(
        word,
        b"de" | b"du" | b"des" | b"la" | b"le" | b"les" | b"aux"
    )
}

/// A cheap look at the two bytes after a civic number: every street type starts with one of
/// these letters, possibly after a comma, a space, an ordinal or a letter suffix.
fn may_start_street_after_civic(bytes: &[u8], civic_end: usize) -> bool {
    let next = byte_at(bytes, civic_end);
    let after = byte_at(bytes, civic_end + 1);
    match next {
        b' ' => {
            after.is_ascii_digit()
                || street_type_prefix(after, byte_at(bytes, civic_end + 2))
                || matches!(after, b' ' | 0xc2 | 0xe2)
        }
        b',' | b'-' | 0xc2 | 0xe2 => true,
        byte => byte.is_ascii_alphabetic(),
    }
}

/// Whether two bytes can begin one of the street types of `is_street_type`.
fn street_type_prefix(first: u8, second: u8) -> bool {
    matches!(
        (first.to_ascii_lowercase(), second.to_ascii_lowercase()),
        (b'r', b'u')
            | (b'a', b'v')
            | (b'b', b'o')
            | (b'b', b'l')
            | (b'b', b'd')
            | (b'c', b'h')
            | (b'r', b'a')
            | (b'r', b'o')
            | (b'r', b't')
            | (b'p', b'l')
            | (b'm', b'o')
            | (b'c', b'o')
            | (b'c', b'r')
            | (b'i', b'm')
            | (b'a', b'l')
            | (b't', b'e')
            | (b'p', b'r')
            | (b'c', b'a')
            | (b's', b'e')
            | (b'c', 0xc3)
    )
}

/// A civic address starting at the civic number at `start` ("123, rue Principale",
/// "4500 boul. Henri-Bourassa Est, app. 12"), if something marks it as a person's address.
// Kept out of line so the per-number fast path stays small.
#[inline(never)]
fn street_address_at(text: &str, start: usize, civic_end: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    if civic_end - start > 6 || !may_start_street_after_civic(bytes, civic_end) {
        return None;
    }
    let mut position = civic_end;
    // "123A", "12-345" (unit-civic), "123-125".
    let next = byte_at(bytes, position);
    if next.is_ascii_alphabetic()
        && !next.eq_ignore_ascii_case(&b'e')
        && !is_word_byte(byte_at(bytes, position + 1))
        && byte_at(bytes, position + 1) < 0x80
    {
        position += 1;
    } else if next == b'-' && byte_at(bytes, position + 1).is_ascii_digit() {
        let end = digit_run_end(bytes, position + 1);
        if end - position > 7 {
            return None;
        }
        position = end;
    }
    if byte_at(bytes, position) == b',' {
        position += 1;
    }
    let after_spaces = skip_spaces(bytes, position, 2);
    if after_spaces == position {
        return None;
    }
    position = after_spaces;

    // "45, 3e Avenue": an ordinal street with no name after its type.
    let mut ordinal = false;
    if byte_at(bytes, position).is_ascii_digit() {
        let digits_end = digit_run_end(bytes, position);
        let suffix = FoldedWord::read(text, digits_end);
        if digits_end - position > 3
            || !matches!(
                suffix.as_bytes(),
                b"e" | b"er" | b"re" | b"ere" | b"eme" | b"ieme"
            )
        {
            return None;
        }
        let after = skip_spaces(bytes, suffix.end, 2);
        if after == suffix.end {
            return None;
        }
        position = after;
        ordinal = true;
    }

    let street_type = FoldedWord::read(text, position);
    if !is_street_type(street_type.as_bytes()) {
        return None;
    }
    position = street_type.end;
    if byte_at(bytes, position) == b'.' {
        position += 1;
    }
    let numbered_road = matches!(street_type.as_bytes(), b"route" | b"rte" | b"rang");
    let end = if ordinal {
        directions_end(text, position)
    } else if numbered_road && let Some(number_end) = road_number_end(bytes, position) {
        // Rural addresses: "1234, route 132", "56 rang 4".
        directions_end(text, number_end)
    } else {
        street_name_end(text, position)?
    };
    let (end, has_apartment) = match apartment_end(text, end) {
        Some(apartment_end) => (apartment_end, true),
        None => (end, false),
    };
    let personal = has_apartment
        || has_personal_cue_around(bytes, start, end)
        || postal_code_follows(bytes, end);
    personal.then_some(end)
}

/// The name after a street type: particles, one word of any case, then capitalised words
/// and directions ("de la Montagne", "Henri-Bourassa Est", "principale").
fn street_name_end(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut position = skip_spaces(bytes, start, 2);
    if position == start {
        return None;
    }
    for _ in 0..2 {
        let word = FoldedWord::read(text, position);
        if !is_name_particle(word.as_bytes()) {
            break;
        }
        let after = skip_spaces(bytes, word.end, 1);
        if after == word.end {
            break;
        }
        position = after;
    }
    let mut end = name_word_end(text, position)?;
    for _ in 0..4 {
        let next = skip_spaces(bytes, end, 1);
        if next == end {
            break;
        }
        let starts_upper = text
            .get(next..)
            .and_then(|rest| rest.chars().next())
            .is_some_and(char::is_uppercase);
        let word = FoldedWord::read(text, next);
        if is_direction(word.as_bytes(), starts_upper) {
            end = word.end;
            if byte_at(bytes, end) == b'.' && word.len == 1 {
                end += 1;
            }
        } else if starts_upper && let Some(word_end) = name_word_end(text, next) {
            end = word_end;
        } else {
            break;
        }
    }
    Some(end)
}

/// The number of a numbered road after its type: one to three digits standing alone.
fn road_number_end(bytes: &[u8], start: usize) -> Option<usize> {
    let number_start = skip_spaces(bytes, start, 1);
    let number_end = digit_run_end(bytes, number_start);
    let length = number_end - number_start;
    ((1..=3).contains(&length) && !is_word_byte(byte_at(bytes, number_end))).then_some(number_end)
}

/// Directions after an ordinal street ("3e Avenue Ouest").
fn directions_end(text: &str, end: usize) -> usize {
    let bytes = text.as_bytes();
    let next = skip_spaces(bytes, end, 1);
    let word = FoldedWord::read(text, next);
    let capitalised = byte_at(bytes, next).is_ascii_uppercase();
    if next > end && is_direction(word.as_bytes(), capitalised) && word.len > 1 {
        word.end
    } else {
        end
    }
}

/// One word of a street name: letters, digits, hyphens and apostrophes, starting with a
/// letter ("Saint-Jean-Baptiste", "l'Église", "D'Youville").
fn name_word_end(text: &str, start: usize) -> Option<usize> {
    let rest = text.get(start..)?;
    let mut end = start;
    for (index, character) in rest.chars().enumerate() {
        let allowed = if index == 0 {
            character.is_alphabetic()
        } else {
            character.is_alphanumeric() || matches!(character, '-' | '\'' | '’')
        };
        if !allowed || index == 60 {
            break;
        }
        end += character.len_utf8();
    }
    let bytes = text.as_bytes();
    while end > start && matches!(byte_before(bytes, end), b'-' | b'\'') {
        end -= 1;
    }
    (end > start).then_some(end)
}

/// ", app. 12", " apt 3", ", appartement 4B", " #204", ", logement 2".
fn apartment_end(text: &str, end: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut position = end;
    if byte_at(bytes, position) == b',' {
        position += 1;
    }
    position = skip_spaces(bytes, position, 2);
    if byte_at(bytes, position) == b'#' {
        position += 1;
    } else {
        let word = FoldedWord::read(text, position);
        if !matches!(
            word.as_bytes(),
            b"app"
                | b"apt"
                | b"appartement"
                | b"appart"
                | b"logement"
                | b"log"
                | b"unite"
                | b"suite"
        ) {
            return None;
        }
        position = word.end;
        if byte_at(bytes, position) == b'.' {
            position += 1;
        }
        position = skip_spaces(bytes, position, 2);
        if byte_at(bytes, position) == b'#' {
            position += 1;
        }
    }
    let digits_end = digit_run_end(bytes, position);
    if digits_end == position || digits_end - position > 5 {
        return None;
    }
    let mut apartment_end = digits_end;
    if byte_at(bytes, apartment_end).is_ascii_alphabetic()
        && !is_word_byte(byte_at(bytes, apartment_end + 1))
    {
        apartment_end += 1;
    }
    (!is_word_byte(byte_at(bytes, apartment_end))).then_some(apartment_end)
}

/// Present-tense and possessive phrases that make an address somebody's home. Both
/// apostrophes are listed because phones type the curly one.
const PERSONAL_ADDRESS_CUES: &[&str] = &[
    "habite",
    "habites",
    "habitons",
    "habitez",
    "habitent",
    "demeure au",
    "demeure à",
    "demeure sur",
    "demeures au",
    "demeurons",
    "demeurez",
    "demeurent",
    "reste au",
    "reste à",
    "reste sur",
    "restes au",
    "restons",
    "restez au",
    "restent au",
    "réside",
    "résides",
    "résidons",
    "résidez",
    "reside",
    "vit au",
    "vit à",
    "vis au",
    "vis à",
    "vivons",
    "vivent au",
    "mon adresse",
    "ma adresse",
    "notre adresse",
    "son adresse",
    "leur adresse",
    "ton adresse",
    "adresse personnelle",
    "adresse de domicile",
    "adresse domiciliaire",
    "mon domicile",
    "son domicile",
    "notre domicile",
    "domicilié",
    "domiciliée",
    "je vis",
    "on vit",
    "chez moi",
    "chez nous",
    "chez lui",
    "chez elle",
    "chez eux",
    "chez toi",
    "ma maison",
    "sa maison",
    "notre maison",
    "mon logement",
    "son logement",
    "mon appart",
    "son appart",
    "mon condo",
    "mon bloc",
    "mon duplex",
    "mon triplex",
    "ma résidence",
    "sa résidence",
    "déménagé",
    "déménagée",
    "déménagés",
    "déménage",
    "déménager",
    "déménageons",
    "demenage",
    "demenager",
    "appartement",
    "app.",
    "apt",
    "mon voisin",
    "ma voisine",
    "mes voisins",
    "son voisin",
    "sa voisine",
    "venez chez",
    "viens chez",
    "j’habite",
    "j'habite",
];

static PERSONAL_ADDRESS_CUE_MATCHER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(PERSONAL_ADDRESS_CUES)
        .expect("the cue list is a short list of literals, which always builds")
});

/// Whether a personal cue appears shortly before the address or right after it.
fn has_personal_cue_around(bytes: &[u8], start: usize, end: usize) -> bool {
    let window_start = sentence_start(bytes, start, 120);
    let window_end = sentence_end(bytes, end, 40);
    let Some(window) = bytes.get(window_start..window_end) else {
        return false;
    };
    PERSONAL_ADDRESS_CUE_MATCHER.find_iter(window).any(|found| {
        // Whole words only: "réside" is a cue, "résidents" of a building are not.
        let after = byte_at(bytes, window_start + found.end());
        !byte_before(bytes, window_start + found.start()).is_ascii_alphabetic()
            && !after.is_ascii_alphabetic()
            && after != 0xc3
    })
}

/// Where the sentence holding `position` starts, looking back at most `limit` bytes: after
/// a line break, or after `.`, `!` or `?` followed by a space and a capital letter ("J'habite
/// à Québec. Le 12 rue…" holds two sentences, "app. 4, 12 rue…" one).
fn sentence_start(bytes: &[u8], position: usize, limit: usize) -> usize {
    let lowest = position.saturating_sub(limit);
    let mut index = position;
    while index > lowest {
        let byte = byte_at(bytes, index - 1);
        if byte == b'\n' || (ends_sentence_at(bytes, index - 1)) {
            return index;
        }
        index -= 1;
    }
    // Never start inside a character: the cue matcher reads bytes, but a clean start is
    // cheaper to reason about.
    while index < position && (byte_at(bytes, index) & 0xc0) == 0x80 {
        index += 1;
    }
    index
}

/// Where the sentence holding `position` ends, looking ahead at most `limit` bytes.
fn sentence_end(bytes: &[u8], position: usize, limit: usize) -> usize {
    let highest = (position + limit).min(bytes.len());
    (position..highest)
        .find(|&index| byte_at(bytes, index) == b'\n' || ends_sentence_at(bytes, index))
        .unwrap_or(highest)
}

/// Whether the byte at `index` is `.`, `!` or `?` closing a sentence: a space and a capital
/// letter follow, or a digit after a word too long to be an abbreviation ("secret. 123"
/// ends a sentence, "app. 4" does not).
fn ends_sentence_at(bytes: &[u8], index: usize) -> bool {
    let mark = byte_at(bytes, index);
    if !matches!(mark, b'.' | b'!' | b'?') || byte_at(bytes, index + 1) != b' ' {
        return false;
    }
    let next = byte_at(bytes, index + 2);
    if next.is_ascii_uppercase() || next == 0xc3 {
        return true;
    }
    if !next.is_ascii_digit() {
        return false;
    }
    if mark != b'.' {
        return true;
    }
    let mut letters = 0;
    while letters < 5 && byte_before(bytes, index - letters).is_ascii_alphabetic() {
        letters += 1;
    }
    letters == 5
}

/// Whether a postal code follows within a short distance (the city in between).
fn postal_code_follows(bytes: &[u8], end: usize) -> bool {
    let limit = (end + 60).min(bytes.len());
    (end..limit).any(|position| {
        byte_at(bytes, position).is_ascii_alphabetic() && postal_code_at(bytes, position).is_some()
    })
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn luhn_accepts_known_valid_numbers_and_rejects_altered_ones() {
        assert!(luhn_valid(&[0, 4, 6, 4, 5, 4, 2, 8, 6]));
        assert!(!luhn_valid(&[0, 4, 6, 4, 5, 4, 2, 8, 7]));
    }

    #[test]
    fn word_at_a_time_scan_stops_inside_arobase_wherever_it_falls() {
        for offset in 0..17 {
            let text = format!("{}jean arobase gmail", "x".repeat(offset));
            let expected = offset + "jean aro".len();
            assert_eq!(
                next_trigger(text.as_bytes(), 0),
                Some(expected),
                "offset {offset}"
            );
        }
        assert_eq!(next_trigger(b"bonjour les bacs du robinet", 0), None);
    }

    #[test]
    fn word_at_a_time_scan_agrees_with_a_byte_at_a_time_scan() {
        // Every byte value at every position of two words, on backgrounds next to the flags.
        for background in [
            b'a',
            0x00,
            0x2f,
            0x41,
            0x7f,
            0x80,
            0xc3,
            0xff,
            b'c',
            b']' ^ 0x20,
        ] {
            for value in 0..=255u8 {
                for index in 0..19 {
                    let mut bytes = vec![background; 19];
                    bytes[index] = value;
                    let expected = (0..bytes.len()).find(|&at| is_trigger_at(&bytes, at));
                    assert_eq!(
                        next_trigger(&bytes, 0),
                        expected,
                        "value {value:#x} at {index} on {background:#x}"
                    );
                    let from = index.min(3);
                    let expected_from = (from..bytes.len()).find(|&at| is_trigger_at(&bytes, at));
                    assert_eq!(next_trigger(&bytes, from), expected_from);
                }
            }
        }
    }
}
