//! Turning an HTML page into what the index needs: its title, its canonical address and
//! the text a visitor reads.
//!
//! The extractor is a single forward scan with no DOM: it tolerates the broken markup of
//! real sites (unclosed paragraphs, stray `<`, unknown entities) and runs in time linear in
//! the page. What it drops: `<script>`, `<style>`, `<noscript>`, `<template>`, `<svg>`,
//! `<textarea>`, `<nav>`, `<footer>`, elements marked `hidden` or `aria-hidden="true"`, and
//! comments. When the page has a `<main>` element (or `role="main"`), only its text is kept,
//! which leaves out the site's header and menus.

/// What the extractor found in one page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExtractedPage {
    /// The `<title>`, or else the first `<h1>`, with white space collapsed.
    pub title: Option<String>,
    /// The `<link rel="canonical">` address, or else `<meta property="og:url">`.
    pub canonical_url: Option<String>,
    /// The visible text, one line per block (paragraph, heading, list item…).
    pub text: String,
}

/// Extracts the title, canonical address and visible text of an HTML page.
pub fn extract_page(html: &str) -> ExtractedPage {
    let mut scanner = Scanner::default();
    scanner.run(html);
    scanner.finish()
}

/// Elements whose content is raw text up to their end tag (no markup inside).
const RAW_TEXT_ELEMENTS: &[&str] = &["script", "style", "textarea", "title", "noscript", "xmp"];

/// Elements whose content is not shown as page text.
const HIDDEN_ELEMENTS: &[&str] = &["nav", "footer", "template", "svg", "math", "select"];

/// Elements that never have content or an end tag.
const VOID_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param",
];

/// Elements that start a new line of text.
const BLOCK_ELEMENTS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "caption",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "td",
    "th",
    "tr",
    "ul",
    "option",
    "legend",
    "label",
    "button",
];

/// An element being tracked until its end tag: a hidden element, the `<main>` region or
/// the first `<h1>`. Nested elements of the same name are counted so that the right end
/// tag closes the region.
#[derive(Debug)]
struct Region {
    name: String,
    depth: usize,
}

#[derive(Default)]
struct Scanner {
    title: Option<String>,
    first_h1: Option<String>,
    canonical_url: Option<String>,
    og_url: Option<String>,
    all_text: String,
    main_text: String,
    hidden: Vec<Region>,
    main: Option<Region>,
    main_seen: bool,
    h1: Option<Region>,
    h1_text: String,
    h1_done: bool,
}

struct Tag<'a> {
    name: String,
    attributes: Vec<(String, String)>,
    self_closing: bool,
    /// The rest of the document after the tag's `>`.
    rest: &'a str,
}

impl Scanner {
    fn run(&mut self, html: &str) {
        let html = html.strip_prefix('\u{feff}').unwrap_or(html);
        let mut rest = html;
        while !rest.is_empty() {
            let Some(less_than) = rest.find('<') else {
                self.text(rest);
                break;
            };
            self.text(&rest[..less_than]);
            rest = &rest[less_than..];
            rest = self.markup(rest);
        }
    }

    /// Handles the markup at the start of `rest` (which begins with `<`) and returns what
    /// follows it.
    fn markup<'a>(&mut self, rest: &'a str) -> &'a str {
        if let Some(after) = rest.strip_prefix("<!--") {
            return after.find("-->").map_or("", |end| &after[end + 3..]);
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            return rest.find('>').map_or("", |end| &rest[end + 1..]);
        }
        if let Some(after) = rest.strip_prefix("</") {
            if after.starts_with(|c: char| c.is_ascii_alphabetic()) {
                let name_end = after
                    .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
                    .unwrap_or(after.len());
                let name = after[..name_end].to_ascii_lowercase();
                self.end_tag(&name);
                return after.find('>').map_or("", |end| &after[end + 1..]);
            }
            // `</` followed by something else is a bogus comment in HTML.
            return after.find('>').map_or("", |end| &after[end + 1..]);
        }
        let starts_element = rest[1..].starts_with(|c: char| c.is_ascii_alphabetic());
        if !starts_element {
            self.text("<");
            return &rest[1..];
        }
        let tag = parse_start_tag(&rest[1..]);
        let Tag {
            name,
            attributes,
            self_closing,
            rest: after,
        } = tag;
        if RAW_TEXT_ELEMENTS.contains(&name.as_str()) {
            let (content, after_end) = split_raw_text(after, &name);
            if name == "title" && self.title.is_none() && self.hidden.is_empty() {
                let title = collapse_whitespace(&decode_entities(content));
                if !title.is_empty() {
                    self.title = Some(title);
                }
            }
            return after_end;
        }
        self.start_tag(&name, &attributes, self_closing);
        after
    }

    fn start_tag(&mut self, name: &str, attributes: &[(String, String)], self_closing: bool) {
        let attribute = |wanted: &str| {
            attributes
                .iter()
                .find(|(key, _)| key == wanted)
                .map(|(_, v)| v.as_str())
        };
        match name {
            "link" => {
                let is_canonical = attribute("rel").is_some_and(|rel| {
                    rel.split_ascii_whitespace()
                        .any(|word| word.eq_ignore_ascii_case("canonical"))
                });
                if is_canonical && self.canonical_url.is_none() {
                    self.canonical_url = attribute("href")
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(str::to_owned);
                }
            }
            "meta"
                if self.og_url.is_none()
                    && attribute("property").is_some_and(|p| p.eq_ignore_ascii_case("og:url")) =>
            {
                self.og_url = attribute("content")
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned);
            }
            _ => {}
        }
        let is_void = VOID_ELEMENTS.contains(&name) || self_closing;
        if BLOCK_ELEMENTS.contains(&name) {
            self.line_break();
        }
        if is_void {
            return;
        }
        for region in self
            .hidden
            .iter_mut()
            .chain(self.main.iter_mut())
            .chain(self.h1.iter_mut())
        {
            if region.name == name {
                region.depth += 1;
            }
        }
        let hidden_by_attribute = attribute("hidden").is_some()
            || attribute("aria-hidden").is_some_and(|v| v.eq_ignore_ascii_case("true"));
        if HIDDEN_ELEMENTS.contains(&name) || hidden_by_attribute {
            if !self.hidden.iter().any(|region| region.name == name) {
                self.hidden.push(Region {
                    name: name.to_owned(),
                    depth: 1,
                });
            }
            return;
        }
        let is_main =
            name == "main" || attribute("role").is_some_and(|r| r.eq_ignore_ascii_case("main"));
        if is_main && self.main.is_none() && !self.main_seen {
            self.main = Some(Region {
                name: name.to_owned(),
                depth: 1,
            });
            self.main_seen = true;
        }
        if name == "h1" && self.h1.is_none() && !self.h1_done && self.hidden.is_empty() {
            self.h1 = Some(Region {
                name: name.to_owned(),
                depth: 1,
            });
        }
    }

    fn end_tag(&mut self, name: &str) {
        if let Some(position) = self.hidden.iter().position(|region| region.name == name) {
            self.hidden[position].depth -= 1;
            if self.hidden[position].depth == 0 {
                // Regions opened inside the closed one cannot outlive it.
                self.hidden.truncate(position);
            }
        }
        if let Some(main) = &mut self.main
            && main.name == name
        {
            main.depth -= 1;
            if main.depth == 0 {
                self.main = None;
            }
        }
        if let Some(h1) = &mut self.h1
            && h1.name == name
        {
            h1.depth -= 1;
            if h1.depth == 0 {
                self.h1 = None;
                self.h1_done = true;
                let heading = collapse_whitespace(&self.h1_text);
                if !heading.is_empty() {
                    self.first_h1 = Some(heading);
                }
            }
        }
        if BLOCK_ELEMENTS.contains(&name) {
            self.line_break();
        }
    }

    fn text(&mut self, raw: &str) {
        if raw.is_empty() || !self.hidden.is_empty() {
            return;
        }
        // Line breaks in the source are ordinary white space in HTML; only block elements
        // start a new line of text.
        let decoded = decode_entities(raw).replace(['\n', '\r', '\t', '\u{c}'], " ");
        self.all_text.push_str(&decoded);
        if self.main.is_some() {
            self.main_text.push_str(&decoded);
        }
        if self.h1.is_some() {
            self.h1_text.push_str(&decoded);
        }
    }

    fn line_break(&mut self) {
        if !self.hidden.is_empty() {
            return;
        }
        self.all_text.push('\n');
        if self.main.is_some() {
            self.main_text.push('\n');
        }
        if self.h1.is_some() {
            self.h1_text.push(' ');
        }
    }

    fn finish(self) -> ExtractedPage {
        let body = if self.main_seen && !self.main_text.trim().is_empty() {
            &self.main_text
        } else {
            &self.all_text
        };
        let first_h1 = self.first_h1.or_else(|| {
            // An `<h1>` left open until the end of the document still names the page.
            let heading = collapse_whitespace(&self.h1_text);
            (!heading.is_empty()).then_some(heading)
        });
        ExtractedPage {
            title: self.title.or(first_h1),
            canonical_url: self.canonical_url.or(self.og_url),
            text: collapse_lines(body),
        }
    }
}

/// Parses a start tag; `input` begins with the tag name (after `<`).
fn parse_start_tag(input: &str) -> Tag<'_> {
    let bytes = input.as_bytes();
    let name_end = input
        .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
        .unwrap_or(input.len());
    let name = input[..name_end].to_ascii_lowercase();
    let mut attributes = Vec::new();
    let mut self_closing = false;
    let mut index = name_end;
    loop {
        while index < bytes.len() && (bytes[index].is_ascii_whitespace() || bytes[index] == b'/') {
            self_closing = bytes[index] == b'/';
            index += 1;
        }
        if index >= bytes.len() {
            return Tag {
                name,
                attributes,
                self_closing,
                rest: "",
            };
        }
        if bytes[index] == b'>' {
            return Tag {
                name,
                attributes,
                self_closing,
                rest: &input[index + 1..],
            };
        }
        self_closing = false;
        let key_start = index;
        while index < bytes.len()
            && !bytes[index].is_ascii_whitespace()
            && !matches!(bytes[index], b'=' | b'>' | b'/')
        {
            index += 1;
        }
        let key = input[key_start..index].to_ascii_lowercase();
        while index < bytes.len() && bytes[index].is_ascii_whitespace() {
            index += 1;
        }
        let mut value = String::new();
        if index < bytes.len() && bytes[index] == b'=' {
            index += 1;
            while index < bytes.len() && bytes[index].is_ascii_whitespace() {
                index += 1;
            }
            if index < bytes.len() && matches!(bytes[index], b'"' | b'\'') {
                let quote = bytes[index];
                let value_start = index + 1;
                let value_end = input[value_start..]
                    .find(quote as char)
                    .map_or(input.len(), |end| value_start + end);
                value = decode_entities(&input[value_start..value_end]);
                index = (value_end + 1).min(input.len());
            } else {
                let value_start = index;
                while index < bytes.len()
                    && !bytes[index].is_ascii_whitespace()
                    && bytes[index] != b'>'
                {
                    index += 1;
                }
                value = decode_entities(&input[value_start..index]);
            }
        }
        if !key.is_empty() {
            attributes.push((key, value));
        }
    }
}

/// Splits raw text content from what follows its end tag `</name>` (case-insensitive).
fn split_raw_text<'a>(input: &'a str, name: &str) -> (&'a str, &'a str) {
    let bytes = input.as_bytes();
    let mut search_from = 0;
    while let Some(found) = input[search_from..].find("</") {
        let start = search_from + found;
        let name_start = start + 2;
        let name_end = name_start + name.len();
        let matches_name = bytes
            .get(name_start..name_end)
            .is_some_and(|candidate| candidate.eq_ignore_ascii_case(name.as_bytes()));
        let ends_name = bytes
            .get(name_end)
            .is_none_or(|next| next.is_ascii_whitespace() || matches!(next, b'>' | b'/'));
        if matches_name && ends_name {
            let after = input[name_end..]
                .find('>')
                .map_or("", |end| &input[name_end + end + 1..]);
            return (&input[..start], after);
        }
        search_from = name_start;
    }
    (input, "")
}

/// Replaces character references by their characters. Unknown or malformed references are
/// kept as written: the text must never lose characters it cannot interpret.
pub fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut decoded = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(ampersand) = rest.find('&') {
        decoded.push_str(&rest[..ampersand]);
        rest = &rest[ampersand..];
        match decode_one_reference(rest) {
            Some((character, length)) => {
                decoded.push(character);
                rest = &rest[length..];
            }
            None => {
                decoded.push('&');
                rest = &rest[1..];
            }
        }
    }
    decoded.push_str(rest);
    decoded
}

/// Decodes the reference at the start of `text` (which begins with `&`): the character and
/// how many bytes the reference spans.
fn decode_one_reference(text: &str) -> Option<(char, usize)> {
    let body_end = text[1..]
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
        .map_or(text.len(), |end| end + 1);
    let body = &text[1..body_end];
    let has_semicolon = text[body_end..].starts_with(';');
    let length = body_end + usize::from(has_semicolon);
    if let Some(number) = body.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse::<u32>().ok()?,
        };
        let character = match code {
            // Windows-1252 code points that pages often write as numeric references.
            0x80..=0x9f => windows_1252_high(code as u8).unwrap_or('\u{fffd}'),
            0 => '\u{fffd}',
            _ => char::from_u32(code).unwrap_or('\u{fffd}'),
        };
        return Some((character, length));
    }
    if !has_semicolon && !matches!(body, "amp" | "lt" | "gt" | "quot" | "nbsp") {
        return None;
    }
    let character = match body {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "laquo" => '«',
        "raquo" => '»',
        "lsquo" => '\u{2018}',
        "rsquo" => '\u{2019}',
        "ldquo" => '\u{201c}',
        "rdquo" => '\u{201d}',
        "ndash" => '\u{2013}',
        "mdash" => '\u{2014}',
        "hellip" => '\u{2026}',
        "euro" => '€',
        "copy" => '©',
        "reg" => '®',
        "deg" => '°',
        "middot" => '·',
        "bull" => '•',
        "shy" => '\u{ad}',
        "agrave" => 'à',
        "Agrave" => 'À',
        "acirc" => 'â',
        "Acirc" => 'Â',
        "auml" => 'ä',
        "Auml" => 'Ä',
        "ccedil" => 'ç',
        "Ccedil" => 'Ç',
        "eacute" => 'é',
        "Eacute" => 'É',
        "egrave" => 'è',
        "Egrave" => 'È',
        "ecirc" => 'ê',
        "Ecirc" => 'Ê',
        "euml" => 'ë',
        "Euml" => 'Ë',
        "icirc" => 'î',
        "Icirc" => 'Î',
        "iuml" => 'ï',
        "Iuml" => 'Ï',
        "ocirc" => 'ô',
        "Ocirc" => 'Ô',
        "ouml" => 'ö',
        "Ouml" => 'Ö',
        "ugrave" => 'ù',
        "Ugrave" => 'Ù',
        "ucirc" => 'û',
        "Ucirc" => 'Û',
        "uuml" => 'ü',
        "Uuml" => 'Ü',
        "yuml" => 'ÿ',
        "Yuml" => 'Ÿ',
        "oelig" => 'œ',
        "OElig" => 'Œ',
        "aelig" => 'æ',
        "AElig" => 'Æ',
        _ => return None,
    };
    Some((character, length))
}

/// The characters Windows-1252 puts at 0x80–0x9F (where ISO-8859-1 has control codes).
pub(crate) fn windows_1252_high(byte: u8) -> Option<char> {
    Some(match byte {
        0x80 => '€',
        0x82 => '‚',
        0x83 => 'ƒ',
        0x84 => '„',
        0x85 => '…',
        0x86 => '†',
        0x87 => '‡',
        0x88 => 'ˆ',
        0x89 => '‰',
        0x8a => 'Š',
        0x8b => '‹',
        0x8c => 'Œ',
        0x8e => 'Ž',
        0x91 => '\u{2018}',
        0x92 => '\u{2019}',
        0x93 => '\u{201c}',
        0x94 => '\u{201d}',
        0x95 => '•',
        0x96 => '–',
        0x97 => '—',
        0x98 => '˜',
        0x99 => '™',
        0x9a => 'š',
        0x9b => '›',
        0x9c => 'œ',
        0x9e => 'ž',
        0x9f => 'Ÿ',
        _ => return None,
    })
}

fn collapse_whitespace(text: &str) -> String {
    text.split(|c: char| c.is_whitespace())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Collapses white space inside each line and drops empty lines.
fn collapse_lines(text: &str) -> String {
    text.lines()
        .map(collapse_whitespace)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn title_canonical_and_main_text_are_extracted() {
        let page = extract_page(
            r#"<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
            <title>Aide au  logement | Québec.ca</title>
            <link rel="canonical" href="https://www.quebec.ca/habitation/aide">
            <style>body { color: red }</style><script>var x = "<p>non</p>";</script>
            </head><body><header>Menu du site</header><nav><ul><li>Accueil</li></ul></nav>
            <main><h1>Aide au logement</h1><p>Le programme offre une aide&nbsp;financière.</p>
            <!-- commentaire --><ul><li>Critère 1</li><li>Critère&#32;2</li></ul></main>
            <footer>Droits d'auteur</footer></body></html>"#,
        );
        assert_eq!(page.title.as_deref(), Some("Aide au logement | Québec.ca"));
        assert_eq!(
            page.canonical_url.as_deref(),
            Some("https://www.quebec.ca/habitation/aide")
        );
        assert_eq!(
            page.text,
            "Aide au logement\nLe programme offre une aide financière.\nCritère 1\nCritère 2"
        );
    }

    #[test]
    fn without_main_the_body_minus_hidden_parts_is_kept() {
        let page = extract_page(
            "<body><nav>Menu <nav>sous-menu</nav> fin</nav><p>Texte <b>gras</b>visible</p>\
             <div hidden>caché</div><span aria-hidden=\"true\">icône</span><p>Fin",
        );
        assert_eq!(page.text, "Texte grasvisible\nFin");
        assert_eq!(page.title, None);
    }

    #[test]
    fn source_line_breaks_inside_a_paragraph_are_spaces() {
        let page = extract_page("<p>ligne un\nligne\r\ndeux</p><p>suite</p>");
        assert_eq!(page.text, "ligne un ligne deux\nsuite");
    }

    #[test]
    fn first_h1_is_the_title_when_there_is_no_title_element() {
        let page = extract_page("<body><h1>Évaluation <em>foncière</em></h1><h1>Autre</h1></body>");
        assert_eq!(page.title.as_deref(), Some("Évaluation foncière"));
    }

    #[test]
    fn og_url_is_used_when_there_is_no_canonical_link() {
        let page = extract_page(
            "<head><meta property='og:url' content='https://exemple.qc.ca/a'><link rel=stylesheet href=x.css></head>",
        );
        assert_eq!(
            page.canonical_url.as_deref(),
            Some("https://exemple.qc.ca/a")
        );
    }

    #[test]
    fn broken_markup_loses_no_text() {
        let page = extract_page("a < b et c > d <p>x &unknown; y &amp z</p><p>fin < ");
        assert_eq!(page.text, "a < b et c > d\nx &unknown; y & z\nfin <");
        let page = extract_page("<script>jamais fermé");
        assert_eq!(page.text, "");
        let page = extract_page("<p class=\"non fermé");
        assert_eq!(page.text, "");
    }

    #[test]
    fn script_end_tag_is_found_case_insensitively_and_not_by_prefix() {
        let page = extract_page("<SCRIPT>a</scripts>b</SCRIPT >après");
        assert_eq!(page.text, "après");
    }

    #[test]
    fn numeric_and_named_references_are_decoded() {
        assert_eq!(
            decode_entities("&#233;t&eacute; &#x153;uvre &#146; &OElig;"),
            "été œuvre \u{2019} Œ"
        );
        assert_eq!(decode_entities("&#xZZ; & &;"), "&#xZZ; & &;");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Pieces of real-world markup, well-formed or not, mixed with arbitrary text.
    fn html_piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("<p>".to_owned()),
            Just("</p>".to_owned()),
            Just("<main>".to_owned()),
            Just("</main>".to_owned()),
            Just("<nav>".to_owned()),
            Just("</nav>".to_owned()),
            Just("<script>".to_owned()),
            Just("</script>".to_owned()),
            Just("<title>".to_owned()),
            Just("<h1>".to_owned()),
            Just("</h1>".to_owned()),
            Just("<div hidden>".to_owned()),
            Just("</div>".to_owned()),
            Just("<a href=\"x\" title='é'>".to_owned()),
            Just("<!--".to_owned()),
            Just("-->".to_owned()),
            Just("<".to_owned()),
            Just(">".to_owned()),
            Just("&".to_owned()),
            Just("&#".to_owned()),
            Just("&eacute;".to_owned()),
            Just("\"".to_owned()),
            "\\PC{0,8}",
        ]
    }

    proptest! {
        #[test]
        fn any_markup_is_extracted_without_panicking_into_clean_lines(
            pieces in proptest::collection::vec(html_piece(), 0..40)
        ) {
            let page = extract_page(&pieces.concat());
            prop_assert!(!page.text.contains("\n\n"));
            prop_assert!(page.text.lines().all(|line| line == line.trim() && !line.is_empty()));
        }

        #[test]
        fn text_without_markup_loses_nothing(text in "[^<&]{0,200}") {
            let page = extract_page(&text);
            // A leading byte-order mark is an encoding artefact, not text.
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            let words: Vec<&str> = text.split_whitespace().collect();
            let extracted: Vec<&str> = page.text.split_whitespace().collect();
            prop_assert_eq!(extracted, words);
        }
    }
}
