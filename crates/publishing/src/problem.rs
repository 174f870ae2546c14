//! What a check reports: a problem with a stable snake_case code (a contract for the web
//! application, the JSON of `balise post check` and the store) and its message in French
//! and English.

/// The stable codes of every problem the rules can report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProblemCode {
    /// The text is empty (or only white space).
    Empty,
    /// The text is longer than the network allows, counted the way the network counts.
    TooLong,
    /// A blog post has fewer words than the policy asks (S3: 200 words).
    TooShort,
    /// Instagram: more hashtags than the network accepts.
    TooManyHashtags,
    /// YouTube: a character the network refuses (`<` or `>`).
    ForbiddenCharacter,
    /// X: a character X refuses (U+FFFE, U+FEFF, U+FFFF).
    InvalidCharacter,
    /// YouTube: the title is longer than 100 characters.
    TitleTooLong,
    /// YouTube: the title is empty.
    TitleMissing,
    /// An image has no alternative text.
    MissingAltText,
    /// An image's alternative text is longer than the network accepts.
    AltTextTooLong,
    /// A video has no subtitles.
    MissingSubtitles,
    /// The organisation's text is clearly not in French.
    NotFrench,
}

impl ProblemCode {
    /// Every code.
    pub const ALL: [ProblemCode; 12] = [
        ProblemCode::Empty,
        ProblemCode::TooLong,
        ProblemCode::TooShort,
        ProblemCode::TooManyHashtags,
        ProblemCode::ForbiddenCharacter,
        ProblemCode::InvalidCharacter,
        ProblemCode::TitleTooLong,
        ProblemCode::TitleMissing,
        ProblemCode::MissingAltText,
        ProblemCode::AltTextTooLong,
        ProblemCode::MissingSubtitles,
        ProblemCode::NotFrench,
    ];

    /// The stable snake_case id.
    pub fn id(self) -> &'static str {
        match self {
            ProblemCode::Empty => "empty",
            ProblemCode::TooLong => "too_long",
            ProblemCode::TooShort => "too_short",
            ProblemCode::TooManyHashtags => "too_many_hashtags",
            ProblemCode::ForbiddenCharacter => "forbidden_character",
            ProblemCode::InvalidCharacter => "invalid_character",
            ProblemCode::TitleTooLong => "title_too_long",
            ProblemCode::TitleMissing => "title_missing",
            ProblemCode::MissingAltText => "missing_alt_text",
            ProblemCode::AltTextTooLong => "alt_text_too_long",
            ProblemCode::MissingSubtitles => "missing_subtitles",
            ProblemCode::NotFrench => "not_french",
        }
    }
}

/// One problem found by a check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub code: ProblemCode,
    /// What a person reads, in French (the default locale).
    pub message_fr: String,
    /// The same in English.
    pub message_en: String,
    /// Where the problem is, as character (Unicode scalar value) offsets into the checked
    /// text, when it has a place: the forbidden characters of a YouTube description, the
    /// invalid characters of an X post. Empty otherwise.
    pub offsets: Vec<usize>,
    /// Which media item the problem is about (its index in the slice given to
    /// [`crate::check_media`]); `None` for problems of the text.
    pub media_index: Option<usize>,
}

impl Problem {
    pub(crate) fn new(code: ProblemCode, message_fr: String, message_en: String) -> Problem {
        Problem {
            code,
            message_fr,
            message_en,
            offsets: Vec::new(),
            media_index: None,
        }
    }

    pub(crate) fn at_offsets(mut self, offsets: Vec<usize>) -> Problem {
        self.offsets = offsets;
        self
    }

    pub(crate) fn for_media(mut self, index: usize) -> Problem {
        self.media_index = Some(index);
        self
    }

    /// The message in the asked language.
    pub fn message(&self, language: MessageLanguage) -> &str {
        match language {
            MessageLanguage::French => &self.message_fr,
            MessageLanguage::English => &self.message_en,
        }
    }
}

/// The language a message is shown in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageLanguage {
    French,
    English,
}

/// Formats a count the Quebec way: a narrow no-break space between thousands (63 206).
pub(crate) fn format_count_fr(value: usize) -> String {
    group_thousands(value, '\u{202f}')
}

/// Formats a count the English way: a comma between thousands (63,206).
pub(crate) fn format_count_en(value: usize) -> String {
    group_thousands(value, ',')
}

fn group_thousands(value: usize, separator: char) -> String {
    let digits = value.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(separator);
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(format_count_en(63_206), "63,206");
        assert_eq!(format_count_fr(63_206), "63\u{202f}206");
        assert_eq!(format_count_en(280), "280");
        assert_eq!(format_count_en(1_000_000), "1,000,000");
    }

    #[test]
    fn codes_are_distinct_snake_case() {
        let mut ids: Vec<&str> = ProblemCode::ALL.iter().map(|code| code.id()).collect();
        assert!(
            ids.iter()
                .all(|id| id.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        );
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), ProblemCode::ALL.len());
    }
}
