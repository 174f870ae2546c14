//! Spontaneous flows (R-52): a press release or a bulletin becomes publications without
//! further approval — its title and link on X, its lead paragraph and link on Facebook. This
//! module reads a press release from a saved web page or from pasted text, and proposes
//! those variants for a community manager to publish. It proposes; it never publishes.

use scraper::{ElementRef, Html, Selector};

use crate::network::Network;
use crate::x::{X_WEIGHTING_V3, x_weighted_length};

/// A press release (or bulletin) as the product reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PressRelease {
    pub title: String,
    /// The lead paragraph: the first paragraph of substance.
    pub lead: String,
    /// Every paragraph, the lead included, separated by blank lines.
    pub body: String,
    /// The address of the release on the newswire or the web site.
    pub url: Option<String>,
}

/// A proposed publication for one network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant {
    pub network: Network,
    pub text: String,
}

/// Why a press release could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PressReleaseError {
    #[error("the press release is empty")]
    Empty,
    #[error("the press release has no title (no og:title, <h1> or <title>, or no first line)")]
    NoTitle,
    #[error(
        "the press release has no lead paragraph (no paragraph of at least {MIN_LEAD_WORDS} words)"
    )]
    NoLead,
}

impl PressReleaseError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            PressReleaseError::Empty => "empty",
            PressReleaseError::NoTitle => "no_title",
            PressReleaseError::NoLead => "no_lead",
        }
    }

    /// What a person reads, in French.
    pub fn message_fr(&self) -> String {
        match self {
            PressReleaseError::Empty => "Le communiqué est vide.".to_owned(),
            PressReleaseError::NoTitle => {
                "Le communiqué n'a pas de titre (ni og:title, ni <h1>, ni <title>, ni première ligne).".to_owned()
            }
            PressReleaseError::NoLead => format!(
                "Le communiqué n'a pas de paragraphe d'introduction (aucun paragraphe d'au moins {MIN_LEAD_WORDS} mots)."
            ),
        }
    }
}

/// A paragraph shorter than this is a dateline, a caption or a menu item, not a lead.
const MIN_LEAD_WORDS: usize = 8;

const ELLIPSIS: char = '…';

/// The variants of R-52: the title and link on X (shortened on a word boundary with an
/// ellipsis when it does not fit X's 280 weighted characters), the lead paragraph and link
/// on Facebook.
pub fn variants_from_press_release(release: &PressRelease) -> Vec<Variant> {
    let link = release
        .url
        .as_deref()
        .map(str::trim)
        .filter(|url| !url.is_empty());
    let x_text = fit_title_for_x(release.title.trim(), link);
    let facebook_text = match link {
        Some(link) => format!("{}\n\n{link}", release.lead.trim()),
        None => release.lead.trim().to_owned(),
    };
    vec![
        Variant {
            network: Network::X,
            text: x_text,
        },
        Variant {
            network: Network::Facebook,
            text: facebook_text,
        },
    ]
}

fn with_link(title: &str, link: Option<&str>) -> String {
    match link {
        Some(link) => format!("{title} {link}"),
        None => title.to_owned(),
    }
}

fn fit_title_for_x(title: &str, link: Option<&str>) -> String {
    let limit = X_WEIGHTING_V3.max_weighted_length;
    let whole = with_link(title, link);
    if x_weighted_length(&whole) <= limit {
        return whole;
    }
    // Drop words from the end until the shortened title, its ellipsis and the link fit.
    let words: Vec<&str> = title.split_whitespace().collect();
    for kept in (1..words.len()).rev() {
        let shortened = format!(
            "{}{ELLIPSIS}",
            words[..kept]
                .join(" ")
                .trim_end_matches([',', ';', ':', '-', '–'])
        );
        let candidate = with_link(&shortened, link);
        if x_weighted_length(&candidate) <= limit {
            return candidate;
        }
    }
    // A single word longer than the room left: cut it by characters.
    let mut characters: Vec<char> = title.chars().collect();
    while !characters.is_empty() {
        characters.pop();
        let shortened: String = characters.iter().collect::<String>() + &ELLIPSIS.to_string();
        let candidate = with_link(&shortened, link);
        if x_weighted_length(&candidate) <= limit {
            return candidate;
        }
    }
    link.unwrap_or_default().to_owned()
}

/// Collapses runs of white space to one space, keeping no-break spaces: French typography
/// puts them in "4,5 M$" and before « : », and the release's words are kept as written.
fn collapse_whitespace(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() && !matches!(c, '\u{a0}' | '\u{202f}' | '\u{2007}'))
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn word_total(text: &str) -> usize {
    text.split_whitespace().count()
}

fn selector(css: &str) -> Option<Selector> {
    Selector::parse(css).ok()
}

fn first_text(root: ElementRef<'_>, css: &str) -> Option<String> {
    let selector = selector(css)?;
    root.select(&selector)
        .map(|element| collapse_whitespace(&element.text().collect::<String>()))
        .find(|text| !text.is_empty())
}

fn meta_content(document: &Html, css: &str) -> Option<String> {
    let selector = selector(css)?;
    document
        .select(&selector)
        .filter_map(|element| {
            element
                .value()
                .attr("content")
                .or_else(|| element.value().attr("href"))
        })
        .map(collapse_whitespace)
        .find(|content| !content.is_empty())
}

/// Reads a press release from a saved HTML page. The title is `og:title`, else the first
/// `<h1>`, else `<title>`; the lead is the first paragraph of at least eight words inside
/// `<main>` or `<article>` when the page has one; the address is `url` when given, else the
/// page's `og:url` or canonical link.
pub fn parse_press_release_html(
    html: &str,
    url: Option<&str>,
) -> Result<PressRelease, PressReleaseError> {
    if html.trim().is_empty() {
        return Err(PressReleaseError::Empty);
    }
    let document = Html::parse_document(html);
    let root = document.root_element();
    let title = meta_content(&document, r#"meta[property="og:title"]"#)
        .or_else(|| first_text(root, "h1"))
        .or_else(|| first_text(root, "title"))
        .ok_or(PressReleaseError::NoTitle)?;
    let content_root = selector("main, article, [role=main]")
        .and_then(|main| document.select(&main).next())
        .unwrap_or(root);
    let paragraph_selector = selector("p").ok_or(PressReleaseError::NoLead)?;
    let paragraphs: Vec<String> = content_root
        .select(&paragraph_selector)
        .map(|paragraph| collapse_whitespace(&paragraph.text().collect::<String>()))
        .filter(|text| !text.is_empty())
        .collect();
    let lead = paragraphs
        .iter()
        .find(|paragraph| word_total(paragraph) >= MIN_LEAD_WORDS)
        .cloned()
        .ok_or(PressReleaseError::NoLead)?;
    let page_url = meta_content(&document, r#"meta[property="og:url"]"#)
        .or_else(|| meta_content(&document, r#"link[rel="canonical"]"#));
    let url = url.map(str::to_owned).or(page_url);
    Ok(PressRelease {
        title,
        lead,
        body: paragraphs.join("\n\n"),
        url,
    })
}

/// Reads a press release from pasted text: the first non-empty line is the title, the first
/// paragraph (lines up to a blank line) of at least eight words after it is the lead. The
/// text carries no address: set `url` on the result.
pub fn parse_press_release_text(text: &str) -> Result<PressRelease, PressReleaseError> {
    if text.trim().is_empty() {
        return Err(PressReleaseError::Empty);
    }
    let mut lines = text.lines();
    let title = lines
        .by_ref()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .map(collapse_whitespace)
        .ok_or(PressReleaseError::NoTitle)?;
    let rest: Vec<&str> = lines.collect();
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in rest.iter().map(|line| line.trim()) {
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(collapse_whitespace(&current.join(" ")));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(collapse_whitespace(&current.join(" ")));
    }
    let lead = paragraphs
        .iter()
        .find(|paragraph| word_total(paragraph) >= MIN_LEAD_WORDS)
        .cloned()
        .ok_or(PressReleaseError::NoLead)?;
    Ok(PressRelease {
        title,
        lead,
        body: paragraphs.join("\n\n"),
        url: None,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn release(title: &str, url: Option<&str>) -> PressRelease {
        PressRelease {
            title: title.to_owned(),
            lead: "La ministre annonce une aide de 4,5 M$ pour 60 logements abordables.".to_owned(),
            body: String::new(),
            url: url.map(str::to_owned),
        }
    }

    #[test]
    fn x_gets_the_title_and_link_facebook_the_lead_and_link() {
        let variants = variants_from_press_release(&release(
            "Québec annonce 60 logements abordables à Sept-Îles",
            Some("https://www.quebec.ca/nouvelles/actualites/details/60-logements"),
        ));
        assert_eq!(variants[0].network, Network::X);
        assert_eq!(
            variants[0].text,
            "Québec annonce 60 logements abordables à Sept-Îles https://www.quebec.ca/nouvelles/actualites/details/60-logements"
        );
        assert_eq!(variants[1].network, Network::Facebook);
        assert_eq!(
            variants[1].text,
            "La ministre annonce une aide de 4,5 M$ pour 60 logements abordables.\n\nhttps://www.quebec.ca/nouvelles/actualites/details/60-logements"
        );
    }

    #[test]
    fn a_long_title_is_cut_on_a_word_boundary_to_fit_280() {
        let words: Vec<String> = (0..60).map(|index| format!("mot{index}")).collect();
        let title = words.join(" ");
        let url = "https://www.quebec.ca/x";
        let variants = variants_from_press_release(&release(&title, Some(url)));
        let text = &variants[0].text;
        assert!(x_weighted_length(text) <= 280, "{text}");
        assert!(text.ends_with(&format!("… {url}")), "{text}");
        let shortened = text.trim_end_matches(&format!("… {url}"));
        // Cut between words, and as late as the limit allows: one more word would not fit.
        assert!(title.starts_with(&format!("{shortened} ")));
        let next_word = title[shortened.len() + 1..].split(' ').next().unwrap();
        assert!(x_weighted_length(&format!("{shortened} {next_word}… {url}")) > 280);
    }

    #[test]
    fn a_title_that_fits_exactly_is_not_cut() {
        // 256 characters, a space and a link (23): 280.
        let title = "a".repeat(256);
        let variants = variants_from_press_release(&release(&title, Some("https://quebec.ca/x")));
        assert_eq!(variants[0].text, format!("{title} https://quebec.ca/x"));
        let title = "a".repeat(257);
        let variants = variants_from_press_release(&release(&title, Some("https://quebec.ca/x")));
        // The ellipsis (U+2026) weighs 2 on X: 254 + 2 + 1 + 23 = 280.
        assert_eq!(
            variants[0].text,
            format!("{}… https://quebec.ca/x", "a".repeat(254))
        );
    }

    #[test]
    fn pasted_text_first_line_is_the_title_first_paragraph_the_lead() {
        let text = "Nouvelle politique d'habitation\n\nQUÉBEC, le 3 mars 2025\n\nLa ministre des Affaires municipales\net de l'Habitation dévoile aujourd'hui sa nouvelle politique.\n\nSecond paragraphe.";
        let parsed = parse_press_release_text(text).unwrap();
        assert_eq!(parsed.title, "Nouvelle politique d'habitation");
        assert_eq!(
            parsed.lead,
            "La ministre des Affaires municipales et de l'Habitation dévoile aujourd'hui sa nouvelle politique."
        );
        assert_eq!(parsed.url, None);
        assert_eq!(
            parse_press_release_text("  \n ").unwrap_err(),
            PressReleaseError::Empty
        );
        assert_eq!(
            parse_press_release_text("Titre\n\nCourt.").unwrap_err(),
            PressReleaseError::NoLead
        );
    }
}
