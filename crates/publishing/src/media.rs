//! Accessibility of a post's media: every image has alternative text within the network's
//! limit, every video has subtitles (S2 Annexe 5, R-55). The limits and how each network
//! counts them are documented, with their sources, in `docs/publishing-rules.md`; where a
//! network publishes no limit, only the presence of the text is checked.

use unicode_segmentation::UnicodeSegmentation;

use crate::network::Network;
use crate::problem::{Problem, ProblemCode, format_count_en, format_count_fr};
use crate::text::utf16_length;

/// One image or video attached to a post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Media {
    Image {
        /// The alternative text; `None` or blank when missing.
        alt_text: Option<String>,
    },
    Video {
        /// Whether the video carries subtitles (burnt in or as a track).
        has_subtitles: bool,
    },
}

/// How a network counts the length of alternative text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AltTextLimit {
    /// At most this many characters (UTF-16 code units, as the web forms count).
    Characters(usize),
    /// At most this many grapheme clusters.
    Graphemes(usize),
    /// The network publishes no limit we know of.
    Unknown,
}

/// The alternative text limit of a network.
pub fn alt_text_limit(network: Network) -> AltTextLimit {
    match network {
        Network::X => AltTextLimit::Characters(1_000),
        Network::Bluesky => AltTextLimit::Graphemes(2_000),
        Network::Mastodon => AltTextLimit::Characters(1_500),
        Network::LinkedIn => AltTextLimit::Characters(4_086),
        Network::Facebook | Network::Instagram | Network::YouTube => AltTextLimit::Unknown,
    }
}

/// Checks the media of a post for a network. Each problem carries the index of its media.
pub fn check_media(network: Network, media: &[Media]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (index, item) in media.iter().enumerate() {
        let number = index + 1;
        match item {
            Media::Image { alt_text } => {
                let text = alt_text.as_deref().unwrap_or("");
                if text.trim().is_empty() {
                    problems.push(
                        Problem::new(
                            ProblemCode::MissingAltText,
                            format!("L'image {number} n'a pas de texte alternatif."),
                            format!("Image {number} has no alternative text."),
                        )
                        .for_media(index),
                    );
                    continue;
                }
                let (length, limit) = match alt_text_limit(network) {
                    AltTextLimit::Characters(limit) => (utf16_length(text), limit),
                    AltTextLimit::Graphemes(limit) => (text.graphemes(true).count(), limit),
                    AltTextLimit::Unknown => continue,
                };
                if length > limit {
                    problems.push(
                        Problem::new(
                            ProblemCode::AltTextTooLong,
                            format!(
                                "Le texte alternatif de l'image {number} compte {} caractères ; {} en accepte au plus {}.",
                                format_count_fr(length),
                                network.display_name(),
                                format_count_fr(limit)
                            ),
                            format!(
                                "The alternative text of image {number} has {} characters; {} accepts at most {}.",
                                format_count_en(length),
                                network.display_name(),
                                format_count_en(limit)
                            ),
                        )
                        .for_media(index),
                    );
                }
            }
            Media::Video { has_subtitles } => {
                if !has_subtitles {
                    problems.push(
                        Problem::new(
                            ProblemCode::MissingSubtitles,
                            format!("La vidéo {number} n'a pas de sous-titres."),
                            format!("Video {number} has no subtitles."),
                        )
                        .for_media(index),
                    );
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(alt: &str) -> Media {
        Media::Image {
            alt_text: Some(alt.to_owned()),
        }
    }

    fn codes(problems: &[Problem]) -> Vec<(&'static str, Option<usize>)> {
        problems
            .iter()
            .map(|problem| (problem.code.id(), problem.media_index))
            .collect()
    }

    #[test]
    fn missing_alt_text_and_subtitles_are_reported_per_item() {
        let media = [
            image("Le maire coupe le ruban devant la nouvelle bibliothèque."),
            Media::Image { alt_text: None },
            image("   "),
            Media::Video {
                has_subtitles: false,
            },
            Media::Video {
                has_subtitles: true,
            },
        ];
        assert_eq!(
            codes(&check_media(Network::Facebook, &media)),
            vec![
                ("missing_alt_text", Some(1)),
                ("missing_alt_text", Some(2)),
                ("missing_subtitles", Some(3))
            ]
        );
        assert_eq!(
            check_media(Network::X, &media)[0].message_fr,
            "L'image 2 n'a pas de texte alternatif."
        );
    }

    #[test]
    fn alt_text_limits_at_limit_and_limit_plus_one() {
        for (network, limit) in [
            (Network::X, 1_000),
            (Network::Mastodon, 1_500),
            (Network::LinkedIn, 4_086),
            (Network::Bluesky, 2_000),
        ] {
            assert!(
                check_media(network, &[image(&"a".repeat(limit))]).is_empty(),
                "{network}"
            );
            assert_eq!(
                codes(&check_media(network, &[image(&"a".repeat(limit + 1))])),
                vec![("alt_text_too_long", Some(0))],
                "{network}"
            );
        }
        // Bluesky counts graphemes: 2,000 family emoji are within its limit.
        assert!(check_media(Network::Bluesky, &[image(&"👨‍👩‍👧".repeat(2_000))]).is_empty());
        // No published limit: only presence is checked.
        assert!(check_media(Network::Facebook, &[image(&"a".repeat(10_000))]).is_empty());
    }
}
