//! The text of a post, checked against one network's rules: its length counted the way that
//! network counts it, and what else the network refuses (too many hashtags on Instagram,
//! `<` and `>` in a YouTube description), plus the organisation's own rule that its words are
//! in French.
//!
//! How each network counts (sources and decisions in `docs/publishing-rules.md`):
//! - X: twitter-text's weighted length (see [`crate::x`]).
//! - Bluesky: grapheme clusters (what a reader sees as one character).
//! - Mastodon: grapheme clusters, a link with a scheme counts 23, `@name@server` counts as
//!   `@name` (Mastodon's `StatusLengthValidator`).
//! - LinkedIn, Facebook, Instagram, YouTube title: UTF-16 code units, what the networks' web
//!   forms count (an emoji outside the Basic Multilingual Plane counts 2). LinkedIn counts the
//!   text as typed; its escaped form ([`escape_linkedin`]) is what the API receives.
//! - YouTube description: UTF-8 bytes.

use std::num::NonZeroUsize;

use unicode_segmentation::UnicodeSegmentation;

use crate::language::check_french;
use crate::network::Network;
use crate::problem::{Problem, ProblemCode, format_count_en, format_count_fr};
use crate::urls::{SchemeRule, find_urls};
use crate::x::{X_WEIGHTING_V3, parse_x};

/// Bluesky's limit, in grapheme clusters.
pub const BLUESKY_LIMIT: usize = 300;
/// Bluesky's second limit on the same text, in UTF-8 bytes (`app.bsky.feed.post`'s
/// `maxLength`): 300 long emoji sequences pass the grapheme limit but not this one.
pub const BLUESKY_LIMIT_BYTES: usize = 3_000;
/// Mastodon's default limit, in grapheme clusters (a server may set its own).
pub const MASTODON_DEFAULT_LIMIT: usize = 500;
/// LinkedIn's limit for a post's commentary.
pub const LINKEDIN_LIMIT: usize = 3_000;
/// Facebook's limit for a post.
pub const FACEBOOK_LIMIT: usize = 63_206;
/// Instagram's limit for a caption.
pub const INSTAGRAM_LIMIT: usize = 2_200;
/// Instagram's limit on hashtags in a caption, as the organisation's policy uses it.
pub const INSTAGRAM_HASHTAG_LIMIT: usize = 5;
/// YouTube's limit for a video title, in characters.
pub const YOUTUBE_TITLE_LIMIT: usize = 100;
/// YouTube's limit for a video description, in UTF-8 bytes.
pub const YOUTUBE_DESCRIPTION_LIMIT_BYTES: usize = 5_000;
/// What a link counts on Mastodon.
pub const MASTODON_URL_LENGTH: usize = 23;

/// A Mastodon server's post length limit: at least one character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MastodonLimit(NonZeroUsize);

/// A Mastodon limit of zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a Mastodon server's limit must be at least 1 character")]
pub struct InvalidMastodonLimit;

impl MastodonLimit {
    pub fn new(characters: usize) -> Result<MastodonLimit, InvalidMastodonLimit> {
        NonZeroUsize::new(characters)
            .map(MastodonLimit)
            .ok_or(InvalidMastodonLimit)
    }

    pub fn get(self) -> usize {
        self.0.get()
    }
}

impl Default for MastodonLimit {
    fn default() -> MastodonLimit {
        MastodonLimit(NonZeroUsize::new(MASTODON_DEFAULT_LIMIT).unwrap_or(NonZeroUsize::MIN))
    }
}

/// What a check needs to know besides the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckOptions {
    /// The Mastodon server's limit.
    pub mastodon_limit: MastodonLimit,
    /// Whether to flag text that is clearly not French. On by default; a bilingual
    /// organisation's English variant turns it off.
    pub require_french: bool,
}

impl Default for CheckOptions {
    fn default() -> CheckOptions {
        CheckOptions {
            mastodon_limit: MastodonLimit::default(),
            require_french: true,
        }
    }
}

/// The unit a length is counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LengthUnit {
    /// X's weighted characters.
    WeightedCharacters,
    /// Grapheme clusters.
    Graphemes,
    /// UTF-16 code units.
    Utf16Units,
    /// UTF-8 bytes.
    Bytes,
}

impl LengthUnit {
    pub fn label_fr(self) -> &'static str {
        match self {
            LengthUnit::WeightedCharacters => "caractères pondérés",
            LengthUnit::Graphemes | LengthUnit::Utf16Units => "caractères",
            LengthUnit::Bytes => "octets",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            LengthUnit::WeightedCharacters => "weighted characters",
            LengthUnit::Graphemes | LengthUnit::Utf16Units => "characters",
            LengthUnit::Bytes => "bytes",
        }
    }
}

/// The result of checking one text for one network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextCheck {
    pub network: Network,
    /// The length, counted as the network counts it (YouTube: the description in bytes).
    pub length: usize,
    pub limit: usize,
    pub unit: LengthUnit,
    pub problems: Vec<Problem>,
    /// LinkedIn only: the text as its API must receive it, reserved characters escaped
    /// ([`escape_linkedin`]); shown beside the typed text, not counted.
    pub linkedin_escaped: Option<String>,
}

impl TextCheck {
    /// Whether the network (and the organisation's rules) accept the text.
    pub fn valid(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The limit of a network's post text, and its unit.
pub fn text_limit(network: Network, options: &CheckOptions) -> (usize, LengthUnit) {
    match network {
        Network::X => (
            X_WEIGHTING_V3.max_weighted_length,
            LengthUnit::WeightedCharacters,
        ),
        Network::Bluesky => (BLUESKY_LIMIT, LengthUnit::Graphemes),
        Network::Mastodon => (options.mastodon_limit.get(), LengthUnit::Graphemes),
        Network::LinkedIn => (LINKEDIN_LIMIT, LengthUnit::Utf16Units),
        Network::Facebook => (FACEBOOK_LIMIT, LengthUnit::Utf16Units),
        Network::Instagram => (INSTAGRAM_LIMIT, LengthUnit::Utf16Units),
        Network::YouTube => (YOUTUBE_DESCRIPTION_LIMIT_BYTES, LengthUnit::Bytes),
    }
}

/// The length of a post's text, counted as the network counts it.
pub fn text_length(network: Network, text: &str) -> usize {
    match network {
        Network::X => parse_x(text, &X_WEIGHTING_V3).weighted_length,
        Network::Bluesky => grapheme_count(text),
        Network::Mastodon => mastodon_length(text),
        Network::LinkedIn | Network::Facebook | Network::Instagram => utf16_length(text),
        Network::YouTube => text.len(),
    }
}

/// Grapheme clusters, as Bluesky counts.
pub fn grapheme_count(text: &str) -> usize {
    text.graphemes(true).count()
}

/// UTF-16 code units.
pub fn utf16_length(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

/// Mastodon's count: graphemes, with each link (with a scheme) replaced by 23 characters and
/// each `@name@server` mention by `@name`.
pub fn mastodon_length(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let mut countable = String::with_capacity(text.len());
    let urls = find_urls(text, SchemeRule::SchemeRequired);
    let mut next_url = urls.iter().peekable();
    let mut index = 0;
    while index < chars.len() {
        if let Some(url) = next_url.peek()
            && url.start == index
        {
            countable.extend(std::iter::repeat_n('x', MASTODON_URL_LENGTH));
            index = url.end;
            next_url.next();
            continue;
        }
        if let Some((mention_end, name_end)) = remote_mention_at(&chars, index) {
            countable.extend(&chars[index..name_end]);
            index = mention_end;
            continue;
        }
        countable.push(chars[index]);
        index += 1;
    }
    grapheme_count(&countable)
}

fn is_username_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// A `@name@server.tld` mention starting at `index` (preceded by a non-word character):
/// returns where the mention ends and where its `@name` part ends.
fn remote_mention_at(chars: &[char], index: usize) -> Option<(usize, usize)> {
    if chars.get(index) != Some(&'@') {
        return None;
    }
    if index > 0
        && (chars[index - 1].is_alphanumeric() || matches!(chars[index - 1], '_' | '@' | '/'))
    {
        return None;
    }
    let name_length = chars[index + 1..]
        .iter()
        .take_while(|&&c| is_username_char(c) || c == '.' || c == '-')
        .count();
    let mut name_end = index + 1 + name_length;
    // A name does not end with a dot or hyphen.
    while name_end > index + 1 && matches!(chars[name_end - 1], '.' | '-') {
        name_end -= 1;
    }
    if name_end == index + 1 || chars.get(name_end) != Some(&'@') {
        return None;
    }
    let domain_start = name_end + 1;
    let domain_length = chars[domain_start..]
        .iter()
        .take_while(|&&c| c.is_alphanumeric() || c == '-' || c == '.')
        .count();
    let mut domain_end = domain_start + domain_length;
    while domain_end > domain_start && matches!(chars[domain_end - 1], '.' | '-') {
        domain_end -= 1;
    }
    let domain = &chars[domain_start..domain_end];
    if !domain.contains(&'.') {
        return None;
    }
    Some((domain_end, name_end))
}

/// The characters of LinkedIn's "little text format" that must be escaped with a backslash
/// in a post's commentary.
pub const LINKEDIN_RESERVED: &[char] = &[
    '|', '{', '}', '@', '[', ']', '(', ')', '<', '>', '#', '\\', '*', '_', '~',
];

/// The text as LinkedIn's API must receive it: every reserved character preceded by a
/// backslash, so that it shows as typed instead of being read as markup.
pub fn escape_linkedin(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        if LINKEDIN_RESERVED.contains(&c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Hashtags in a text: `#` (or `＃`) at the start or after a non-word character, followed by
/// at least one letter, digit or underscore, with at least one letter or underscore (`#1`
/// is a number, not a hashtag).
pub fn count_hashtags(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let mut count = 0;
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        let at_boundary = index == 0
            || !(chars[index - 1].is_alphanumeric()
                || chars[index - 1] == '_'
                || chars[index - 1] == '&');
        if (c == '#' || c == '\u{FF03}') && at_boundary {
            let body: Vec<char> = chars[index + 1..]
                .iter()
                .copied()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || is_combining_mark(*c))
                .collect();
            if body.iter().any(|c| c.is_alphabetic() || *c == '_') {
                count += 1;
            }
            index += 1 + body.len();
            continue;
        }
        index += 1;
    }
    count
}

fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36F}')
}

/// Checks a post's text for a network. For YouTube, `text` is the video's description; check
/// the title with [`check_youtube_title`].
pub fn check_text(network: Network, text: &str, options: &CheckOptions) -> TextCheck {
    let (limit, unit) = text_limit(network, options);
    let length = text_length(network, text);
    let mut problems = Vec::new();
    let media_carries_the_post = matches!(network, Network::Instagram | Network::YouTube);
    if text.trim().is_empty() && !media_carries_the_post {
        problems.push(Problem::new(
            ProblemCode::Empty,
            format!(
                "Le texte de la publication pour {} est vide.",
                network.display_name()
            ),
            format!("The post's text for {} is empty.", network.display_name()),
        ));
    }
    if length > limit {
        problems.push(too_long(network, length, limit, unit));
    }
    if network == Network::Bluesky && text.len() > BLUESKY_LIMIT_BYTES && length <= limit {
        problems.push(Problem::new(
            ProblemCode::TooLong,
            format!(
                "Le texte occupe {} octets ; Bluesky en accepte au plus {} (les émojis composés comptent plusieurs octets).",
                format_count_fr(text.len()),
                format_count_fr(BLUESKY_LIMIT_BYTES)
            ),
            format!(
                "The text takes {} bytes; Bluesky accepts at most {} (composed emoji take several bytes).",
                format_count_en(text.len()),
                format_count_en(BLUESKY_LIMIT_BYTES)
            ),
        ));
    }
    if network == Network::X {
        let offsets: Vec<usize> = text
            .chars()
            .enumerate()
            .filter(|(_, c)| crate::urls::is_invalid_x_character(*c))
            .map(|(offset, _)| offset)
            .collect();
        if !offsets.is_empty() {
            problems.push(
                Problem::new(
                    ProblemCode::InvalidCharacter,
                    "Le texte contient un caractère invisible que X refuse (U+FEFF, U+FFFE ou U+FFFF).".to_owned(),
                    "The text contains an invisible character X refuses (U+FEFF, U+FFFE or U+FFFF).".to_owned(),
                )
                .at_offsets(offsets),
            );
        }
    }
    if network == Network::Instagram {
        let hashtags = count_hashtags(text);
        if hashtags > INSTAGRAM_HASHTAG_LIMIT {
            problems.push(Problem::new(
                ProblemCode::TooManyHashtags,
                format!(
                    "La légende compte {hashtags} mots-clics ; Instagram en accepte au plus {INSTAGRAM_HASHTAG_LIMIT}."
                ),
                format!("The caption has {hashtags} hashtags; Instagram accepts at most {INSTAGRAM_HASHTAG_LIMIT}."),
            ));
        }
    }
    if network == Network::YouTube
        && let Some(problem) = forbidden_youtube_characters(text, "description")
    {
        problems.push(problem);
    }
    if options.require_french
        && let Some(problem) = check_french(text)
    {
        problems.push(problem);
    }
    TextCheck {
        network,
        length,
        limit,
        unit,
        problems,
        linkedin_escaped: (network == Network::LinkedIn).then(|| escape_linkedin(text)),
    }
}

fn too_long(network: Network, length: usize, limit: usize, unit: LengthUnit) -> Problem {
    let excess = length - limit;
    Problem::new(
        ProblemCode::TooLong,
        format!(
            "Le texte compte {} {} ; {} en accepte au plus {} ({} de trop).",
            format_count_fr(length),
            unit.label_fr(),
            network.display_name(),
            format_count_fr(limit),
            format_count_fr(excess),
        ),
        format!(
            "The text has {} {}; {} accepts at most {} ({} too many).",
            format_count_en(length),
            unit.label_en(),
            network.display_name(),
            format_count_en(limit),
            format_count_en(excess),
        ),
    )
}

fn forbidden_youtube_characters(text: &str, field: &str) -> Option<Problem> {
    let offsets: Vec<usize> = text
        .chars()
        .enumerate()
        .filter(|(_, c)| matches!(c, '<' | '>'))
        .map(|(offset, _)| offset)
        .collect();
    if offsets.is_empty() {
        return None;
    }
    let listed = offsets
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let (field_fr, field_en) = match field {
        "title" => ("Le titre", "The title"),
        _ => ("La description", "The description"),
    };
    Some(
        Problem::new(
            ProblemCode::ForbiddenCharacter,
            format!("{field_fr} contient « < » ou « > », que YouTube refuse (position {listed})."),
            format!("{field_en} contains `<` or `>`, which YouTube refuses (offset {listed})."),
        )
        .at_offsets(offsets),
    )
}

/// Checks a YouTube video title: present, at most 100 characters, no `<` or `>`.
pub fn check_youtube_title(title: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    let length = utf16_length(title);
    if title.trim().is_empty() {
        problems.push(Problem::new(
            ProblemCode::TitleMissing,
            "La vidéo n'a pas de titre.".to_owned(),
            "The video has no title.".to_owned(),
        ));
    }
    if length > YOUTUBE_TITLE_LIMIT {
        problems.push(Problem::new(
            ProblemCode::TitleTooLong,
            format!("Le titre compte {length} caractères ; YouTube en accepte au plus {YOUTUBE_TITLE_LIMIT}."),
            format!("The title has {length} characters; YouTube accepts at most {YOUTUBE_TITLE_LIMIT}."),
        ));
    }
    if let Some(problem) = forbidden_youtube_characters(title, "title") {
        problems.push(problem);
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(check: &TextCheck) -> Vec<&'static str> {
        check
            .problems
            .iter()
            .map(|problem| problem.code.id())
            .collect()
    }

    fn no_language() -> CheckOptions {
        CheckOptions {
            require_french: false,
            ..CheckOptions::default()
        }
    }

    #[test]
    fn bluesky_counts_graphemes_up_to_300() {
        let text = format!("{}👩‍👩‍👧", "é".repeat(299));
        let check = check_text(Network::Bluesky, &text, &no_language());
        assert_eq!((check.length, check.valid()), (300, true));
        let check = check_text(Network::Bluesky, &format!("{text}a"), &no_language());
        assert_eq!((check.length, ids(&check)), (301, vec!["too_long"]));
    }

    #[test]
    fn bluesky_also_limits_bytes() {
        // 166 families of 18 bytes: 166 graphemes but 2,988 bytes, then 3,006.
        let family = "👩\u{200D}👩\u{200D}👧";
        assert_eq!(family.len(), 18);
        let within = family.repeat(166);
        assert!(check_text(Network::Bluesky, &within, &no_language()).valid());
        let over = check_text(Network::Bluesky, &family.repeat(167), &no_language());
        assert_eq!((over.length, ids(&over)), (167, vec!["too_long"]));
        assert!(over.problems[0].message_fr.contains("3\u{202f}006 octets"));
    }

    #[test]
    fn mastodon_counts_links_as_23_and_remote_mentions_by_name() {
        assert_eq!(
            mastodon_length("Salut @ville@mastodon.quebec !"),
            "Salut @ville !".len()
        );
        assert_eq!(
            mastodon_length("https://www.quebec.ca/une/tres/longue/adresse/pour/voir"),
            23
        );
        // Without a scheme, Mastodon counts the characters.
        assert_eq!(mastodon_length("www.quebec.ca"), 13);
        assert_eq!(mastodon_length("courriel@ville.qc.ca"), 20);
    }

    #[test]
    fn mastodon_limit_and_limit_plus_one_with_a_server_limit() {
        let options = CheckOptions {
            mastodon_limit: MastodonLimit::new(50).unwrap_or_default(),
            require_french: false,
        };
        let at = "a".repeat(50);
        assert!(check_text(Network::Mastodon, &at, &options).valid());
        let over = check_text(Network::Mastodon, &"a".repeat(51), &options);
        assert_eq!(
            (over.length, over.limit, ids(&over)),
            (51, 50, vec!["too_long"])
        );
        assert_eq!(
            check_text(Network::Mastodon, &"a".repeat(500), &no_language()).limit,
            500
        );
        assert!(MastodonLimit::new(0).is_err());
    }

    #[test]
    fn linkedin_limit_counts_the_typed_text_and_escapes_reserved_characters() {
        assert_eq!(
            escape_linkedin("Soirée (gratuite) #Québec @MAMH_ 50 % *"),
            "Soirée \\(gratuite\\) \\#Québec \\@MAMH\\_ 50 % \\*"
        );
        assert_eq!(
            escape_linkedin("a\\b|c{d}[e]<f>~"),
            "a\\\\b\\|c\\{d\\}\\[e\\]\\<f\\>\\~"
        );
        let at = "(".repeat(3_000);
        let check = check_text(Network::LinkedIn, &at, &no_language());
        assert_eq!((check.length, check.valid()), (3_000, true));
        let check = check_text(Network::LinkedIn, &"a".repeat(3_001), &no_language());
        assert_eq!(ids(&check), vec!["too_long"]);
        let check = check_text(Network::LinkedIn, "Inscription (gratuite)", &no_language());
        assert_eq!(check.length, 22);
        assert_eq!(
            check.linkedin_escaped.as_deref(),
            Some("Inscription \\(gratuite\\)")
        );
        assert_eq!(
            check_text(Network::Facebook, "(a)", &no_language()).linkedin_escaped,
            None
        );
    }

    #[test]
    fn facebook_limit_and_limit_plus_one() {
        assert!(check_text(Network::Facebook, &"a".repeat(63_206), &no_language()).valid());
        let over = check_text(Network::Facebook, &"a".repeat(63_207), &no_language());
        assert_eq!(
            over.problems[0].message_fr,
            "Le texte compte 63\u{202f}207 caractères ; Facebook en accepte au plus 63\u{202f}206 (1 de trop)."
        );
        assert_eq!(
            over.problems[0].message_en,
            "The text has 63,207 characters; Facebook accepts at most 63,206 (1 too many)."
        );
    }

    #[test]
    fn an_emoji_outside_the_basic_plane_counts_two_utf16_units() {
        assert_eq!(text_length(Network::Facebook, "🎉"), 2);
        assert_eq!(text_length(Network::Bluesky, "🎉"), 1);
    }

    #[test]
    fn instagram_limit_and_five_hashtags() {
        assert!(check_text(Network::Instagram, &"a".repeat(2_200), &no_language()).valid());
        assert_eq!(
            ids(&check_text(
                Network::Instagram,
                &"a".repeat(2_201),
                &no_language()
            )),
            vec!["too_long"]
        );
        let five = "#Québec #MRC #habitation #municipal #Côte_Nord";
        assert_eq!(count_hashtags(five), 5);
        assert!(check_text(Network::Instagram, five, &no_language()).valid());
        let six = format!("{five} #été2025");
        assert_eq!(
            ids(&check_text(Network::Instagram, &six, &no_language())),
            vec!["too_many_hashtags"]
        );
        // Numbers, anchors and entities are not hashtags.
        assert_eq!(count_hashtags("Lot #3, page.html#haut, &#39; C#"), 0);
    }

    #[test]
    fn youtube_description_in_bytes_without_angle_brackets() {
        // "é" is two bytes: 2,500 of them are exactly 5,000 bytes.
        let at = "é".repeat(2_500);
        let check = check_text(Network::YouTube, &at, &no_language());
        assert_eq!((check.length, check.valid()), (5_000, true));
        let over = check_text(Network::YouTube, &format!("{at}a"), &no_language());
        assert_eq!((over.length, ids(&over)), (5_001, vec!["too_long"]));
        let angle = check_text(Network::YouTube, "a <b> c", &no_language());
        assert_eq!(ids(&angle), vec!["forbidden_character"]);
        assert_eq!(angle.problems[0].offsets, vec![2, 4]);
        assert!(check_text(Network::YouTube, "", &no_language()).valid());
    }

    #[test]
    fn youtube_title_limit_and_limit_plus_one() {
        assert!(check_youtube_title(&"é".repeat(100)).is_empty());
        let ids: Vec<&str> = check_youtube_title(&"é".repeat(101))
            .iter()
            .map(|p| p.code.id())
            .collect();
        assert_eq!(ids, vec!["title_too_long"]);
        let ids: Vec<&str> = check_youtube_title(" ")
            .iter()
            .map(|p| p.code.id())
            .collect();
        assert_eq!(ids, vec!["title_missing"]);
    }

    #[test]
    fn x_reports_weighted_length_and_invalid_characters() {
        let check = check_text(Network::X, "Avis\u{FEFF} public", &no_language());
        assert_eq!(ids(&check), vec!["invalid_character"]);
        assert_eq!(check.problems[0].offsets, vec![4]);
        let check = check_text(Network::X, "", &no_language());
        assert_eq!(ids(&check), vec!["empty"]);
    }
}
