//! Balise's publication rules per network: lengths counted the way each network counts
//! them (X's weighted length, Bluesky's graphemes, Mastodon's server limit, YouTube's bytes…),
//! what each network refuses, the accessibility of media, the organisation's French,
//! UTM tags, blogs, live video criteria, tone per network and the
//! variants proposed from a press release.
//!
//! **Architecture invariant:** pure — no IO, no async, no database or HTTP. The command line
//! and the web application read the input and pass it in.

pub mod blog;
pub mod language;
pub mod live_video;
pub mod media;
pub mod network;
pub mod press_release;
pub mod problem;
mod punycode;
pub mod text;
mod tlds;
pub mod tone;
pub mod urls;
pub mod utm;
pub mod x;

pub use blog::{BLOG_MAX_WORDS, BLOG_MIN_WORDS, blog_overdue, check_blog_post, word_count};
pub use language::{LanguageGuess, check_french, guess_language};
pub use live_video::{
    LIVE_VIDEO_MAJORITY, LiveVideoCriterion, live_video_allowed, live_video_meets,
};
pub use media::{AltTextLimit, Media, alt_text_limit, check_media};
pub use network::{Network, UnknownNetwork};
pub use press_release::{
    PressRelease, PressReleaseError, Variant, parse_press_release_html, parse_press_release_text,
    variants_from_press_release,
};
pub use problem::{MessageLanguage, Problem, ProblemCode};
pub use text::{
    CheckOptions, InvalidMastodonLimit, LengthUnit, MastodonLimit, TextCheck, check_text,
    check_youtube_title, count_hashtags, escape_linkedin, text_length, text_limit,
};
pub use tone::tone_guidance;
pub use utm::{UtmConvention, add_utm};
pub use x::{X_WEIGHTING_V2, X_WEIGHTING_V3, XParse, XWeighting, parse_x, x_weighted_length};
