//! How a citizen's words and the deadlines are shown: the text cut into plain and marked
//! segments from the verdict's evidence (character offsets into the unedited text), with
//! personal information replaced by `•` for roles that may not read it (R-82); the labels of
//! categories, routes and statuses in both languages; business-time countdowns ("2 h 15
//! ouvrables", "en retard de 1 h 05 ouvrable"). Nothing here escapes HTML: the templates
//! escape every segment.

use crate::i18n::Lang;
use jiff::SignedDuration;

/// The category id of personal information (moderation's stable vocabulary).
pub const PERSONAL_INFO: &str = "personal_info";

/// The masking character, one per hidden character.
pub const MASK: char = '•';

/// One piece of a citizen's text: plain, or marked as evidence of a category.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
    /// The category or urgent kind this piece is evidence of, with its label.
    pub mark: Option<Mark>,
}

/// Why a piece of text is marked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    pub category: String,
    pub label: String,
    /// The words were replaced by `•` (personal information, R-82).
    pub masked: bool,
}

/// One piece of evidence, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvidenceSpan {
    pub category: String,
    pub start: usize,
    pub end: usize,
    pub matched: String,
}

/// Reads the stored evidence; anything unreadable is ignored (the text is then shown
/// without marks, never lost).
pub fn parse_evidence(evidence_json: Option<&str>) -> Vec<EvidenceSpan> {
    let Some(json) = evidence_json else { return Vec::new() };
    let Ok(serde_json::Value::Array(items)) = serde_json::from_str::<serde_json::Value>(json) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let start = usize::try_from(item.get("start")?.as_u64()?).ok()?;
            let end = usize::try_from(item.get("end")?.as_u64()?).ok()?;
            (end > start).then(|| EvidenceSpan {
                category: item.get("category").and_then(|value| value.as_str()).unwrap_or("").to_owned(),
                start,
                end,
                matched: item.get("matched").and_then(|value| value.as_str()).unwrap_or("").to_owned(),
            })
        })
        .collect()
}

/// Cuts `text` into segments from the evidence. Offsets are in chars; spans past the end
/// are clipped; a span overlapping an earlier one starts where the earlier one ended. With
/// `mask_personal`, personal-information spans are replaced by as many `•` as they have
/// characters.
pub fn highlight(text: &str, evidence: &[EvidenceSpan], mask_personal: bool, lang: Lang) -> Vec<Segment> {
    // Byte offset of every char boundary, plus the end.
    let boundaries: Vec<usize> = text.char_indices().map(|(index, _)| index).chain(std::iter::once(text.len())).collect();
    let char_count = boundaries.len() - 1;
    let mut spans: Vec<&EvidenceSpan> = evidence.iter().collect();
    spans.sort_by_key(|span| (span.start, std::cmp::Reverse(span.end)));
    let mut segments = Vec::new();
    let mut cursor = 0usize;
    for span in spans {
        let start = span.start.max(cursor).min(char_count);
        let end = span.end.min(char_count);
        if end <= start {
            continue;
        }
        if start > cursor {
            segments.push(Segment { text: text[boundaries[cursor]..boundaries[start]].to_owned(), mark: None });
        }
        let masked = mask_personal && span.category == PERSONAL_INFO;
        let words = if masked {
            std::iter::repeat_n(MASK, end - start).collect()
        } else {
            text[boundaries[start]..boundaries[end]].to_owned()
        };
        segments.push(Segment {
            text: words,
            mark: Some(Mark { category: span.category.clone(), label: category_label(&span.category, lang).to_owned(), masked }),
        });
        cursor = end;
    }
    if cursor < char_count {
        segments.push(Segment { text: text[boundaries[cursor]..].to_owned(), mark: None });
    }
    segments
}

/// Replaces, in a text that may quote the citizen (the engine's explanation), every
/// personal-information span's words by `•`.
pub fn mask_quotes(text: &str, evidence: &[EvidenceSpan]) -> String {
    let mut masked = text.to_owned();
    for span in evidence.iter().filter(|span| span.category == PERSONAL_INFO && !span.matched.is_empty()) {
        let bullets: String = std::iter::repeat_n(MASK, span.matched.chars().count()).collect();
        masked = masked.replace(&span.matched, &bullets);
    }
    masked
}

/// A category or urgent-kind label in `lang`; an unknown id shows as itself.
pub fn category_label(id: &str, lang: Lang) -> &str {
    let key = match id {
        "incomprehensible" => "category.incomprehensible",
        "defamatory" => "category.defamatory",
        "hateful" => "category.hateful",
        "abusive" => "category.abusive",
        "illegal" => "category.illegal",
        "personal_info" => "category.personal_info",
        "advertising" => "category.advertising",
        "political" => "category.political",
        "repeated" => "category.repeated",
        "off_topic" => "category.off_topic",
        "self_harm" => "category.self_harm",
        "threat" => "category.threat",
        other => return other,
    };
    lang.t(key)
}

/// Every category and urgent-kind id, for the filter list.
pub const CATEGORY_IDS: [&str; 12] = [
    "self_harm",
    "threat",
    "incomprehensible",
    "defamatory",
    "hateful",
    "abusive",
    "illegal",
    "personal_info",
    "advertising",
    "political",
    "repeated",
    "off_topic",
];

/// A route family label in `lang`; an unknown id shows as itself.
pub fn route_label(id: &str, lang: Lang) -> &str {
    let family = id.split(':').next().unwrap_or(id);
    let key = match family {
        "urgent" => "route.urgent",
        "netiquette" => "route.netiquette",
        "answer_with_link" => "route.answer_with_link",
        "ask_precision" => "route.ask_precision",
        "communications" => "route.communications",
        "litigation" => "route.litigation",
        "usual_process" => "route.usual_process",
        "minister" => "route.minister",
        "regional_directorate" => "route.regional_directorate",
        "other_organisation" => "route.other_organisation",
        "positive" => "route.positive",
        "negative" => "route.negative",
        "respondent" => "route.respondent",
        other => return other,
    };
    lang.t(key)
}

/// A case status label in `lang`.
pub fn status_label(code: &str, lang: Lang) -> &str {
    match code {
        "open" => lang.t("status.open"),
        "in_progress" => lang.t("status.in_progress"),
        "answered" => lang.t("status.answered"),
        "closed" => lang.t("status.closed"),
        other => other,
    }
}

/// A verdict action label in `lang`.
pub fn action_label(code: &str, lang: Lang) -> &str {
    match code {
        "publish" => lang.t("verdict.publish"),
        "hide" => lang.t("verdict.hide"),
        "review" => lang.t("verdict.review"),
        other => other,
    }
}

/// A role label in `lang`.
pub fn role_label(id: &str, lang: Lang) -> &str {
    match id {
        "community_manager" => lang.t("role.community_manager"),
        "communications_manager" => lang.t("role.communications_manager"),
        "communications_advisor" => lang.t("role.communications_advisor"),
        "sector_manager" => lang.t("role.sector_manager"),
        "respondent" => lang.t("role.respondent"),
        "director" => lang.t("role.director"),
        "administrator" => lang.t("role.administrator"),
        "ethics_respondent" => lang.t("role.ethics_respondent"),
        "press_attache" => lang.t("role.press_attache"),
        "staff" => lang.t("role.staff"),
        other => other,
    }
}

/// A duration of business time as `2 h 15` (or `45 min` under an hour), rounded down to
/// the minute.
pub fn format_business_duration(duration: SignedDuration) -> (String, bool) {
    let minutes = duration.as_secs().unsigned_abs() / 60;
    let (hours, minutes) = (minutes / 60, minutes % 60);
    if hours == 0 {
        (format!("{minutes} min"), minutes >= 2)
    } else {
        (format!("{hours} h {minutes:02}"), hours >= 2)
    }
}

/// The countdown of a deadline: the business time left (positive) or the lateness
/// (negative), in words, and whether it is late.
pub fn countdown(remaining: SignedDuration, lang: Lang) -> (String, bool) {
    let late = remaining.is_negative();
    let (amount, plural) = format_business_duration(remaining);
    let text = match (lang, late, plural) {
        (Lang::Fr, false, true) => format!("{amount} ouvrables"),
        (Lang::Fr, false, false) => format!("{amount} ouvrable"),
        (Lang::Fr, true, true) => format!("en retard de {amount} ouvrables"),
        (Lang::Fr, true, false) => format!("en retard de {amount} ouvrable"),
        (Lang::En, false, _) => format!("{amount} business time left"),
        (Lang::En, true, _) => format!("{amount} business time overdue"),
    };
    (text, late)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn span(category: &str, start: usize, end: usize, matched: &str) -> EvidenceSpan {
        EvidenceSpan { category: category.into(), start, end, matched: matched.into() }
    }

    fn joined(segments: &[Segment]) -> String {
        segments.iter().map(|segment| segment.text.as_str()).collect()
    }

    #[test]
    fn spans_are_cut_on_char_boundaries_and_rejoin_to_the_text() {
        let text = "Élu crétin 😡, appelez-moi au 418-555-0199.";
        let start_insult = text.chars().position(|c| c == 'c').unwrap();
        let start_phone = text.chars().position(|c| c == '4').unwrap();
        let evidence = vec![
            span("abusive", start_insult, start_insult + 6, "crétin"),
            span("personal_info", start_phone, start_phone + 12, "418-555-0199"),
        ];
        let segments = highlight(text, &evidence, false, Lang::Fr);
        assert_eq!(joined(&segments), text);
        let marked: Vec<_> = segments.iter().filter(|segment| segment.mark.is_some()).map(|segment| segment.text.as_str()).collect();
        assert_eq!(marked, ["crétin", "418-555-0199"]);
        assert_eq!(segments[1].mark.as_ref().unwrap().label, "propos injurieux, vulgaires ou violents");

        let masked = highlight(text, &evidence, true, Lang::Fr);
        let shown = joined(&masked);
        assert!(!shown.contains("418-555-0199"));
        assert!(shown.contains("••••••••••••"));
        assert!(shown.contains("crétin"), "only personal information is masked");
        assert_eq!(shown.chars().count(), text.chars().count());
    }

    #[test]
    fn overlapping_and_out_of_range_spans_never_panic_or_duplicate() {
        let text = "abc déf";
        let evidence = vec![span("abusive", 0, 5, ""), span("hateful", 2, 6, ""), span("threat", 6, 99, ""), span("x", 50, 60, "")];
        let segments = highlight(text, &evidence, false, Lang::En);
        assert_eq!(joined(&segments), text);
        assert_eq!(segments.len(), 3);
        assert_eq!(segments[2].mark.as_ref().unwrap().label, "threat of violence");
    }

    #[test]
    fn unreadable_evidence_shows_the_text_unmarked() {
        assert!(parse_evidence(Some("not json")).is_empty());
        assert!(parse_evidence(None).is_empty());
        let parsed = parse_evidence(Some(r#"[{"category":"abusive","start":1,"end":3,"matched":"bc"},{"start":"x"}]"#));
        assert_eq!(parsed, vec![span("abusive", 1, 3, "bc")]);
    }

    #[test]
    fn quotes_of_personal_information_are_masked() {
        let evidence = vec![span("personal_info", 0, 4, "5551"), span("abusive", 0, 1, "x")];
        assert_eq!(mask_quotes("« 5551 » et x", &evidence), "« •••• » et x");
    }

    #[test]
    fn countdowns_read_naturally_in_both_languages() {
        let minutes = |count: i64| SignedDuration::from_secs(count * 60);
        assert_eq!(countdown(minutes(135), Lang::Fr), ("2 h 15 ouvrables".to_owned(), false));
        assert_eq!(countdown(minutes(-65), Lang::Fr), ("en retard de 1 h 05 ouvrable".to_owned(), true));
        assert_eq!(countdown(minutes(45), Lang::Fr), ("45 min ouvrables".to_owned(), false));
        assert_eq!(countdown(minutes(1), Lang::Fr), ("1 min ouvrable".to_owned(), false));
        assert_eq!(countdown(minutes(-600), Lang::En), ("10 h 00 business time overdue".to_owned(), true));
        assert_eq!(countdown(SignedDuration::from_secs(59), Lang::Fr).0, "0 min ouvrable");
    }
}
