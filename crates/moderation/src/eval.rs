//! Evaluation of the engine against labelled sets: precision, recall, F1 per category and the false-positive rate on acceptable comments.
//!
//! This module owns the measurement, not the moderation: it reads labelled cases (the JSON
//! Lines format of `testdata/eval/*.jsonl`), feeds them in order to any `moderate` function
//! with a growing [`History`] (so that `repeated` can be judged), and accumulates
//! [`Scores`]: per-category confusion counts, breach recall, the false-positive rate on
//! acceptable comments and urgent recall, with a plain-text table. It stays pure: callers read
//! the files and print the results.

use std::fmt::{self, Write as _};

use crate::{
    Category, HideRule, History, Message, Policy, PolicyClause, PriorMessage, UrgentKind, Verdict,
};

/// What a message is labelled with (expected) or what the engine said (predicted).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Labelled {
    pub categories: Vec<Category>,
    pub urgent: Option<UrgentKind>,
}

impl Labelled {
    /// The labels an engine verdict amounts to.
    pub fn from_verdict(verdict: &Verdict) -> Labelled {
        Labelled {
            categories: verdict.categories.clone(),
            urgent: verdict.urgent,
        }
    }

    /// Acceptable: no category and nothing urgent. Anything else is a breach (a suicidal
    /// statement with no category still needs a person, so it counts as flagged).
    pub fn is_acceptable(&self) -> bool {
        self.categories.is_empty() && self.urgent.is_none()
    }

    fn has(&self, category: Category) -> bool {
        self.categories.contains(&category)
    }

    fn sorted(&self) -> Labelled {
        let mut categories = self.categories.clone();
        categories.sort();
        categories.dedup();
        Labelled {
            categories,
            urgent: self.urgent,
        }
    }
}

impl fmt::Display for Labelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<&str> = self
            .categories
            .iter()
            .map(|category| category.id())
            .collect();
        let urgent_label;
        if let Some(kind) = self.urgent {
            urgent_label = format!("urgent:{}", kind.id());
            parts.push(&urgent_label);
        }
        if parts.is_empty() {
            f.write_str("acceptable")
        } else {
            f.write_str(&parts.join(","))
        }
    }
}

/// Confusion counts of one binary decision (one category, or one urgent kind).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Confusion {
    pub true_positives: u64,
    pub false_positives: u64,
    pub false_negatives: u64,
    pub true_negatives: u64,
}

impl Confusion {
    fn add(&mut self, expected: bool, predicted: bool) {
        match (expected, predicted) {
            (true, true) => self.true_positives += 1,
            (false, true) => self.false_positives += 1,
            (true, false) => self.false_negatives += 1,
            (false, false) => self.true_negatives += 1,
        }
    }

    /// Messages expected positive.
    pub fn support(&self) -> u64 {
        self.true_positives + self.false_negatives
    }

    /// Messages predicted positive.
    pub fn predicted(&self) -> u64 {
        self.true_positives + self.false_positives
    }

    /// `None` when nothing was predicted positive (undefined, not zero).
    pub fn precision(&self) -> Option<f64> {
        ratio(self.true_positives, self.predicted())
    }

    /// `None` when nothing was expected positive.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.true_positives, self.support())
    }

    /// Harmonic mean of precision and recall; `None` when either is undefined, 0 when both
    /// are 0.
    pub fn f1(&self) -> Option<f64> {
        let precision = self.precision()?;
        let recall = self.recall()?;
        if precision + recall == 0.0 {
            Some(0.0)
        } else {
            Some(2.0 * precision * recall / (precision + recall))
        }
    }
}

fn ratio(numerator: u64, denominator: u64) -> Option<f64> {
    if denominator == 0 {
        None
    } else {
        Some(numerator as f64 / denominator as f64)
    }
}

/// A count out of a total, for the headline figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fraction {
    pub count: u64,
    pub total: u64,
}

impl Fraction {
    fn add(&mut self, hit: bool) {
        self.total += 1;
        if hit {
            self.count += 1;
        }
    }

    /// `None` when the total is zero.
    pub fn value(&self) -> Option<f64> {
        ratio(self.count, self.total)
    }
}

/// The accumulator of (expected, predicted) pairs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scores {
    per_category: [Confusion; Category::ALL.len()],
    per_urgent: [Confusion; UrgentKind::ALL.len()],
    messages: u64,
    /// Breaches flagged with any category or urgent kind, out of all breaches.
    breaches_caught: Fraction,
    /// Acceptable messages flagged, out of all acceptable messages.
    acceptable_flagged: Fraction,
    /// Urgent messages raised with the expected urgent kind, out of all urgent messages.
    urgent_raised: Fraction,
    /// Exact matches (same categories and urgent kind).
    exact: Fraction,
}

impl Scores {
    pub fn new() -> Scores {
        Scores::default()
    }

    /// Adds one message: what it is labelled with and what the engine said.
    pub fn add(&mut self, expected: &Labelled, predicted: &Labelled) {
        self.messages += 1;
        for (index, category) in Category::ALL.into_iter().enumerate() {
            self.per_category[index].add(expected.has(category), predicted.has(category));
        }
        for (index, kind) in UrgentKind::ALL.into_iter().enumerate() {
            self.per_urgent[index].add(
                expected.urgent == Some(kind),
                predicted.urgent == Some(kind),
            );
        }
        if expected.is_acceptable() {
            self.acceptable_flagged.add(!predicted.is_acceptable());
        } else {
            self.breaches_caught.add(!predicted.is_acceptable());
        }
        if let Some(kind) = expected.urgent {
            // The right kind matters: a suicidal person and a threat go to different people.
            self.urgent_raised.add(predicted.urgent == Some(kind));
        }
        self.exact.add(expected.sorted() == predicted.sorted());
    }

    /// Messages added.
    pub fn messages(&self) -> u64 {
        self.messages
    }

    pub fn category(&self, category: Category) -> Confusion {
        let index = Category::ALL
            .iter()
            .position(|candidate| *candidate == category);
        index
            .map(|index| self.per_category[index])
            .unwrap_or_default()
    }

    pub fn urgent(&self, kind: UrgentKind) -> Confusion {
        let index = UrgentKind::ALL
            .iter()
            .position(|candidate| *candidate == kind);
        index
            .map(|index| self.per_urgent[index])
            .unwrap_or_default()
    }

    /// Share of breaches flagged with any category or urgent kind.
    pub fn breach_recall(&self) -> Fraction {
        self.breaches_caught
    }

    /// Share of acceptable messages flagged with any category or urgent kind.
    pub fn false_positive_rate(&self) -> Fraction {
        self.acceptable_flagged
    }

    /// Share of urgent messages raised with their expected urgent kind.
    pub fn urgent_recall(&self) -> Fraction {
        self.urgent_raised
    }

    /// Share of messages whose categories and urgent kind are exactly the expected ones.
    pub fn exact_match(&self) -> Fraction {
        self.exact
    }

    /// A plain-text table with stable ids as row and column names, so that it reads the
    /// same in French and English: one row per category or urgent kind that was expected or
    /// predicted at least once, then the headline figures.
    pub fn render_table(&self) -> String {
        let mut rows: Vec<(String, Confusion)> = Vec::new();
        for category in Category::ALL {
            let confusion = self.category(category);
            if confusion.support() > 0 || confusion.predicted() > 0 {
                rows.push((category.id().to_owned(), confusion));
            }
        }
        for kind in UrgentKind::ALL {
            let confusion = self.urgent(kind);
            if confusion.support() > 0 || confusion.predicted() > 0 {
                rows.push((format!("urgent:{}", kind.id()), confusion));
            }
        }
        let name_width = rows
            .iter()
            .map(|(name, _)| name.len())
            .chain([8])
            .max()
            .unwrap_or(8);
        let mut table = String::new();
        // Writing into a String cannot fail; the results are ignored for that reason.
        let _ = writeln!(
            table,
            "{:<name_width$}  {:>5}  {:>5}  {:>5}  {:>5}  {:>6}  {:>6}  {:>6}",
            "category", "n", "tp", "fp", "fn", "P", "R", "F1"
        );
        let _ = writeln!(table, "{}", "-".repeat(name_width + 50));
        for (name, confusion) in &rows {
            let _ = writeln!(
                table,
                "{:<name_width$}  {:>5}  {:>5}  {:>5}  {:>5}  {:>6}  {:>6}  {:>6}",
                name,
                confusion.support(),
                confusion.true_positives,
                confusion.false_positives,
                confusion.false_negatives,
                format_score(confusion.precision()),
                format_score(confusion.recall()),
                format_score(confusion.f1()),
            );
        }
        let _ = writeln!(table, "{}", "-".repeat(name_width + 50));
        let _ = writeln!(table, "messages             {}", self.messages);
        for (name, fraction) in [
            ("breach_recall", self.breaches_caught),
            ("fp_rate_acceptable", self.acceptable_flagged),
            ("urgent_recall", self.urgent_raised),
            ("exact_match", self.exact),
        ] {
            let _ = writeln!(
                table,
                "{:<20} {}  ({}/{})",
                name,
                format_score(fraction.value()),
                fraction.count,
                fraction.total
            );
        }
        table
    }
}

/// Three decimals, or `-` when undefined.
pub fn format_score(score: Option<f64>) -> String {
    match score {
        Some(value) => format!("{value:.3}"),
        None => "-".to_owned(),
    }
}

/// One labelled message of an evaluation set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalCase {
    pub id: String,
    pub text: String,
    pub author: Option<String>,
    pub account: Option<String>,
    pub thread: Option<String>,
    /// Seconds since the Unix epoch.
    pub created_at: Option<i64>,
    pub expected: Labelled,
    /// The kind of acceptable look-alike this case is, when it is one.
    pub trap: Option<String>,
    pub note: Option<String>,
}

impl EvalCase {
    /// The message the engine sees; the text is passed unchanged.
    pub fn message(&self) -> Message {
        Message {
            id: self.id.clone(),
            text: self.text.clone(),
            author: self.author.clone(),
            account: self.account.clone(),
            thread: self.thread.clone(),
            created_at: self.created_at,
        }
    }
}

/// Why one line of an evaluation file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseLineError {
    /// 1-based line number in the file.
    pub line: usize,
    /// The field at fault, when there is one.
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for CaseLineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "line {}, field `{}`: {}", self.line, field, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

impl std::error::Error for CaseLineError {}

/// Reads every line of a JSON Lines evaluation set. Blank lines are skipped; a bad line is
/// reported with its number and does not stop the others from being read.
pub fn parse_cases(source: &str) -> (Vec<EvalCase>, Vec<CaseLineError>) {
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for (index, line) in source.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match parse_case_line(line) {
            Ok(case) => cases.push(case),
            Err((field, message)) => errors.push(CaseLineError {
                line: index + 1,
                field,
                message,
            }),
        }
    }
    (cases, errors)
}

type FieldError = (Option<String>, String);

fn parse_case_line(line: &str) -> Result<EvalCase, FieldError> {
    let value = parse_json(line).map_err(|message| (None, message))?;
    let Json::Object(fields) = value else {
        return Err((None, "expected a JSON object".to_owned()));
    };
    let get = |name: &str| {
        fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    };
    let field_error = |name: &str, message: &str| (Some(name.to_owned()), message.to_owned());
    let required_string = |name: &str| match get(name) {
        Some(Json::String(text)) => Ok(text.clone()),
        Some(_) => Err(field_error(name, "expected a string")),
        None => Err(field_error(name, "missing")),
    };
    let optional_string = |name: &str| match get(name) {
        Some(Json::String(text)) => Ok(Some(text.clone())),
        Some(Json::Null) | None => Ok(None),
        Some(_) => Err(field_error(name, "expected a string or null")),
    };
    let id = required_string("id")?;
    let text = required_string("text")?;
    let categories = match get("categories") {
        Some(Json::Array(items)) => {
            let mut categories = Vec::with_capacity(items.len());
            for item in items {
                let Json::String(id) = item else {
                    return Err(field_error(
                        "categories",
                        "expected an array of category ids",
                    ));
                };
                let category = id
                    .parse::<Category>()
                    .map_err(|error| field_error("categories", &error.to_string()))?;
                if !categories.contains(&category) {
                    categories.push(category);
                }
            }
            categories
        }
        Some(_) => {
            return Err(field_error(
                "categories",
                "expected an array of category ids",
            ));
        }
        None => return Err(field_error("categories", "missing")),
    };
    let urgent = match optional_string("urgent")? {
        Some(id) => Some(
            id.parse::<UrgentKind>()
                .map_err(|_| field_error("urgent", &format!("unknown urgent kind `{id}`")))?,
        ),
        None => None,
    };
    let created_at = match optional_string("created_at")? {
        Some(timestamp) => {
            Some(parse_rfc3339(&timestamp).map_err(|message| field_error("created_at", &message))?)
        }
        None => None,
    };
    Ok(EvalCase {
        id,
        text,
        author: optional_string("author")?,
        account: optional_string("account")?,
        thread: optional_string("thread")?,
        created_at,
        expected: Labelled { categories, urgent },
        trap: optional_string("trap")?,
        note: optional_string("note")?,
    })
}

/// The labels of an MLMA tweet (Ousidhoum et al., 2019, French part) from its `sentiment`
/// column: one or more of `normal`, `offensive`, `abusive`, `disrespectful`, `hateful`,
/// `fearful` joined by `_`, one per annotator opinion. A lone `normal` is acceptable; any
/// other label makes a breach, even next to `normal`. `offensive`, `abusive` and
/// `disrespectful` are insults and vulgarity (`abusive`); `hateful` and `fearful` (fear of
/// a group, the fear-mongering kind of hate speech in the MLMA paper) are `hateful`. MLMA
/// has no urgent labels.
pub fn labels_from_mlma_sentiment(sentiment: &str) -> Result<Labelled, String> {
    let mut categories = Vec::new();
    let mut saw_label = false;
    for label in sentiment.trim().split('_') {
        saw_label = true;
        let category = match label {
            "normal" => continue,
            "offensive" | "abusive" | "disrespectful" => Category::Abusive,
            "hateful" | "fearful" => Category::Hateful,
            other => {
                return Err(format!(
                    "unknown MLMA sentiment label `{other}` in `{sentiment}`"
                ));
            }
        };
        if !categories.contains(&category) {
            categories.push(category);
        }
    }
    if !saw_label || sentiment.trim().is_empty() {
        return Err("empty MLMA sentiment".to_owned());
    }
    categories.sort();
    Ok(Labelled {
        categories,
        urgent: None,
    })
}

/// A message the engine got wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mistake {
    pub id: String,
    pub text: String,
    pub expected: Labelled,
    pub predicted: Labelled,
    pub trap: Option<String>,
}

impl Mistake {
    /// A breach the engine let through entirely.
    pub fn is_missed_breach(&self) -> bool {
        !self.expected.is_acceptable() && self.predicted.is_acceptable()
    }

    /// An acceptable message the engine flagged.
    pub fn is_false_alarm(&self) -> bool {
        self.expected.is_acceptable() && !self.predicted.is_acceptable()
    }
}

/// The outcome of running an evaluation set.
#[derive(Clone, Debug, Default)]
pub struct Evaluation {
    pub scores: Scores,
    pub mistakes: Vec<Mistake>,
}

impl Evaluation {
    /// One line per mistake, worst first (missed breaches and false alarms before category
    /// confusions), as `id [expected -> predicted] text`.
    pub fn render_mistakes(&self) -> String {
        let mut ordered: Vec<&Mistake> = self.mistakes.iter().collect();
        ordered.sort_by_key(|mistake| {
            if mistake.is_missed_breach() {
                0
            } else if mistake.is_false_alarm() {
                1
            } else {
                2
            }
        });
        let mut listing = String::new();
        for mistake in ordered {
            let kind = if mistake.is_missed_breach() {
                "missed"
            } else if mistake.is_false_alarm() {
                "false_alarm"
            } else {
                "confused"
            };
            // Writing into a String cannot fail.
            let _ = writeln!(
                listing,
                "{kind:<11} {} [{} -> {}] {}",
                mistake.id, mistake.expected, mistake.predicted, mistake.text
            );
        }
        listing
    }
}

/// Runs `moderate` on every case in order. Each message is judged against the earlier ones
/// (the history grows as a live account's would), which is what lets `repeated` be measured.
pub fn evaluate<F>(cases: &[EvalCase], mut moderate: F) -> Evaluation
where
    F: FnMut(&Message, &History) -> Verdict,
{
    let mut history = History::default();
    let mut evaluation = Evaluation::default();
    for case in cases {
        let message = case.message();
        let verdict = moderate(&message, &history);
        let predicted = Labelled::from_verdict(&verdict);
        evaluation.scores.add(&case.expected, &predicted);
        if case.expected.sorted() != predicted.sorted() {
            evaluation.mistakes.push(Mistake {
                id: case.id.clone(),
                text: case.text.clone(),
                expected: case.expected.clone(),
                predicted,
                trap: case.trap.clone(),
            });
        }
        history.messages.push(PriorMessage {
            author: message.author,
            account: message.account,
            text: message.text,
            created_at: message.created_at,
        });
    }
    evaluation
}

/// A policy enabling every category with the strictest hide rule, for measuring the engine
/// itself rather than one organisation's netiquette: repeat window of one day, coordinated
/// spam from five distinct authors, and the MAMH public number of S2 Annexe 7.
pub fn all_categories_policy() -> Policy {
    Policy {
        clauses: Category::ALL
            .into_iter()
            .map(|category| PolicyClause {
                clause_id: format!("eval-{}", category.id()),
                category,
                wording: category.label_fr().to_owned(),
            })
            .collect(),
        hide_rule: HideRule::AnyBreach,
        repeat_window_seconds: 86_400,
        repeat_distinct_authors: 5,
        public_phone_numbers: vec!["4186912025".to_owned()],
    }
}

/// Parses an RFC 3339 timestamp (`2025-10-20T09:00:00-04:00`, fractional seconds allowed
/// and ignored) into seconds since the Unix epoch.
pub fn parse_rfc3339(text: &str) -> Result<i64, String> {
    let invalid =
        || format!("`{text}` is not an RFC 3339 timestamp (e.g. 2025-10-20T09:00:00-04:00)");
    let bytes = text.as_bytes();
    if bytes.len() < 20 || !text.is_ascii() {
        return Err(invalid());
    }
    let number = |range: std::ops::Range<usize>| -> Result<i64, String> {
        let digits = &text[range];
        if digits.bytes().all(|byte| byte.is_ascii_digit()) {
            digits.parse::<i64>().map_err(|_| invalid())
        } else {
            Err(invalid())
        }
    };
    if bytes[4] != b'-'
        || bytes[7] != b'-'
        || !matches!(bytes[10], b'T' | b't' | b' ')
        || bytes[13] != b':'
        || bytes[16] != b':'
    {
        return Err(invalid());
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return Err(invalid());
    }
    let mut position = 19;
    if bytes[position] == b'.' {
        position += 1;
        let start = position;
        while position < bytes.len() && bytes[position].is_ascii_digit() {
            position += 1;
        }
        if position == start {
            return Err(invalid());
        }
    }
    let offset_seconds = match &text[position..] {
        "Z" | "z" => 0,
        zone if zone.len() == 6
            && matches!(zone.as_bytes()[0], b'+' | b'-')
            && zone.as_bytes()[3] == b':' =>
        {
            let hours = number(position + 1..position + 3)?;
            let minutes = number(position + 4..position + 6)?;
            if hours > 23 || minutes > 59 {
                return Err(invalid());
            }
            let magnitude = hours * 3600 + minutes * 60;
            if zone.starts_with('-') {
                -magnitude
            } else {
                magnitude
            }
        }
        _ => return Err(invalid()),
    };
    let days = days_from_civil(year, month, day);
    Ok(days * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset_seconds)
}

fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = if year >= 0 { year } else { year - 399 } / 400;
    let year_of_era = year - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The JSON values an evaluation line may hold. A small reader of our own keeps this crate
/// free of a serialisation dependency for one test-data format.
#[derive(Clone, Debug, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

const MAX_JSON_DEPTH: usize = 32;

fn parse_json(text: &str) -> Result<Json, String> {
    let mut reader = JsonReader { text, position: 0 };
    reader.skip_whitespace();
    let value = reader.value(0)?;
    reader.skip_whitespace();
    if reader.position != text.len() {
        return Err(reader.error("unexpected text after the JSON value"));
    }
    Ok(value)
}

struct JsonReader<'a> {
    text: &'a str,
    /// Byte offset, always on a character boundary.
    position: usize,
}

impl JsonReader<'_> {
    fn error(&self, message: &str) -> String {
        let column = self.text[..self.position].chars().count() + 1;
        format!("invalid JSON at column {column}: {message}")
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.position).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.position += 1;
        }
    }

    fn expect_literal(&mut self, literal: &str, value: Json) -> Result<Json, String> {
        if self.text[self.position..].starts_with(literal) {
            self.position += literal.len();
            Ok(value)
        } else {
            Err(self.error("unknown literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, String> {
        if depth > MAX_JSON_DEPTH {
            return Err(self.error("nesting too deep"));
        }
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Json::String),
            Some(b'n') => self.expect_literal("null", Json::Null),
            Some(b't') => self.expect_literal("true", Json::Bool(true)),
            Some(b'f') => self.expect_literal("false", Json::Bool(false)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a value")),
            None => Err(self.error("unexpected end of line")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, String> {
        self.position += 1;
        let mut fields: Vec<(String, Json)> = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.position += 1;
            return Ok(Json::Object(fields));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a field name"));
            }
            let key = self.string()?;
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.error("expected `:`"));
            }
            self.position += 1;
            self.skip_whitespace();
            let value = self.value(depth + 1)?;
            if fields.iter().any(|(existing, _)| *existing == key) {
                return Err(self.error(&format!("duplicate field `{key}`")));
            }
            fields.push((key, value));
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.position += 1,
                Some(b'}') => {
                    self.position += 1;
                    return Ok(Json::Object(fields));
                }
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, String> {
        self.position += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.position += 1;
            return Ok(Json::Array(items));
        }
        loop {
            self.skip_whitespace();
            items.push(self.value(depth + 1)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.position += 1,
                Some(b']') => {
                    self.position += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.position;
        while matches!(
            self.peek(),
            Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
        ) {
            self.position += 1;
        }
        self.text[start..self.position]
            .parse::<f64>()
            .map(Json::Number)
            .map_err(|_| self.error("invalid number"))
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .text
            .get(self.position..self.position + 4)
            .ok_or_else(|| self.error("truncated \\u escape"))?;
        if !digits.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return Err(self.error("invalid \\u escape"));
        }
        let value =
            u32::from_str_radix(digits, 16).map_err(|_| self.error("invalid \\u escape"))?;
        self.position += 4;
        Ok(value)
    }

    fn string(&mut self) -> Result<String, String> {
        self.position += 1;
        let mut decoded = String::new();
        loop {
            let Some(character) = self.text[self.position..].chars().next() else {
                return Err(self.error("unterminated string"));
            };
            self.position += character.len_utf8();
            match character {
                '"' => return Ok(decoded),
                '\\' => {
                    let Some(escape) = self.peek() else {
                        return Err(self.error("unterminated escape"));
                    };
                    self.position += 1;
                    match escape {
                        b'"' => decoded.push('"'),
                        b'\\' => decoded.push('\\'),
                        b'/' => decoded.push('/'),
                        b'b' => decoded.push('\u{8}'),
                        b'f' => decoded.push('\u{c}'),
                        b'n' => decoded.push('\n'),
                        b'r' => decoded.push('\r'),
                        b't' => decoded.push('\t'),
                        b'u' => {
                            let first = self.hex4()?;
                            let scalar = if (0xD800..0xDC00).contains(&first) {
                                if !self.text[self.position..].starts_with("\\u") {
                                    return Err(self.error("lone high surrogate"));
                                }
                                self.position += 2;
                                let second = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&second) {
                                    return Err(self.error("invalid low surrogate"));
                                }
                                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                            } else {
                                first
                            };
                            let decoded_char = char::from_u32(scalar)
                                .ok_or_else(|| self.error("invalid code point"))?;
                            decoded.push(decoded_char);
                        }
                        _ => return Err(self.error("unknown escape")),
                    }
                }
                control if (control as u32) < 0x20 => {
                    return Err(self.error("control character in string"));
                }
                other => decoded.push(other),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn labels(categories: &[Category], urgent: Option<UrgentKind>) -> Labelled {
        Labelled {
            categories: categories.to_vec(),
            urgent,
        }
    }

    const CLOSE: f64 = 1e-12;

    #[test]
    fn confusion_precision_recall_f1_by_hand() {
        // 3 tp, 1 fp, 2 fn: P = 3/4, R = 3/5, F1 = 2*0.75*0.6/1.35 = 2/3.
        let confusion = Confusion {
            true_positives: 3,
            false_positives: 1,
            false_negatives: 2,
            true_negatives: 10,
        };
        assert!((confusion.precision().unwrap() - 0.75).abs() < CLOSE);
        assert!((confusion.recall().unwrap() - 0.6).abs() < CLOSE);
        assert!((confusion.f1().unwrap() - 2.0 / 3.0).abs() < CLOSE);
        assert_eq!(confusion.support(), 5);
        assert_eq!(confusion.predicted(), 4);
    }

    #[test]
    fn undefined_scores_are_none_and_zero_hits_give_zero_f1() {
        let nothing = Confusion::default();
        assert_eq!(nothing.precision(), None);
        assert_eq!(nothing.recall(), None);
        assert_eq!(nothing.f1(), None);
        let all_wrong = Confusion {
            true_positives: 0,
            false_positives: 2,
            false_negatives: 3,
            true_negatives: 0,
        };
        assert_eq!(all_wrong.precision(), Some(0.0));
        assert_eq!(all_wrong.recall(), Some(0.0));
        assert_eq!(all_wrong.f1(), Some(0.0));
    }

    #[test]
    fn scores_on_a_small_hand_computed_set() {
        use Category::*;
        let mut scores = Scores::new();
        // 1. abusive caught exactly.
        scores.add(&labels(&[Abusive], None), &labels(&[Abusive], None));
        // 2. hateful caught as abusive only: a breach caught, a hateful miss, an abusive fp.
        scores.add(&labels(&[Hateful], None), &labels(&[Abusive], None));
        // 3. personal info missed entirely.
        scores.add(&labels(&[PersonalInfo], None), &labels(&[], None));
        // 4. acceptable, flagged abusive: a false alarm.
        scores.add(&labels(&[], None), &labels(&[Abusive], None));
        // 5. acceptable, published.
        scores.add(&labels(&[], None), &labels(&[], None));
        // 6. self-harm with no category, raised with the right kind.
        scores.add(
            &labels(&[], Some(UrgentKind::SelfHarm)),
            &labels(&[], Some(UrgentKind::SelfHarm)),
        );
        // 7. threat raised as self-harm: flagged (a breach caught) but urgent recall misses.
        scores.add(
            &labels(&[Abusive], Some(UrgentKind::Threat)),
            &labels(&[], Some(UrgentKind::SelfHarm)),
        );

        assert_eq!(scores.messages(), 7);
        let abusive = scores.category(Abusive);
        assert_eq!(
            (
                abusive.true_positives,
                abusive.false_positives,
                abusive.false_negatives,
                abusive.true_negatives
            ),
            (1, 2, 1, 3)
        );
        assert!((abusive.precision().unwrap() - 1.0 / 3.0).abs() < CLOSE);
        assert!((abusive.recall().unwrap() - 0.5).abs() < CLOSE);
        // F1 = 2 * (1/3) * (1/2) / (5/6) = 0.4
        assert!((abusive.f1().unwrap() - 0.4).abs() < CLOSE);
        assert_eq!(scores.category(Hateful).false_negatives, 1);
        assert_eq!(scores.category(PersonalInfo).recall(), Some(0.0));
        assert_eq!(scores.category(Political).support(), 0);

        // Breaches: 1, 2, 3, 6, 7; caught: 1, 2, 6, 7.
        assert_eq!(scores.breach_recall(), Fraction { count: 4, total: 5 });
        // Acceptable: 4, 5; flagged: 4.
        assert_eq!(
            scores.false_positive_rate(),
            Fraction { count: 1, total: 2 }
        );
        assert_eq!(scores.false_positive_rate().value(), Some(0.5));
        // Urgent: 6, 7; raised with the right kind: 6.
        assert_eq!(scores.urgent_recall(), Fraction { count: 1, total: 2 });
        let threat = scores.urgent(UrgentKind::Threat);
        assert_eq!((threat.true_positives, threat.false_negatives), (0, 1));
        let self_harm = scores.urgent(UrgentKind::SelfHarm);
        assert_eq!(
            (self_harm.true_positives, self_harm.false_positives),
            (1, 1)
        );
        // Exact: 1, 5, 6.
        assert_eq!(scores.exact_match(), Fraction { count: 3, total: 7 });
    }

    #[test]
    fn category_order_does_not_matter_for_exact_match() {
        let mut scores = Scores::new();
        scores.add(
            &labels(&[Category::Hateful, Category::Abusive], None),
            &labels(&[Category::Abusive, Category::Hateful], None),
        );
        assert_eq!(scores.exact_match(), Fraction { count: 1, total: 1 });
    }

    #[test]
    fn table_lists_only_seen_rows_and_the_headline_figures() {
        let mut scores = Scores::new();
        scores.add(
            &labels(&[Category::Abusive], None),
            &labels(&[Category::Abusive], None),
        );
        scores.add(&labels(&[], None), &labels(&[], None));
        let table = scores.render_table();
        assert!(table.contains("abusive"), "{table}");
        assert!(!table.contains("political"), "{table}");
        assert!(
            table.contains("breach_recall        1.000  (1/1)"),
            "{table}"
        );
        assert!(
            table.contains("fp_rate_acceptable   0.000  (0/1)"),
            "{table}"
        );
        assert!(table.contains("urgent_recall        -  (0/0)"), "{table}");
    }

    #[test]
    fn reads_a_labelled_line() {
        let line = r#"{"id": "x-1", "text": "Tabarnak \"enfin\" \u00e9t\u00e9 \ud83d\ude00", "categories": ["abusive", "repeated"], "urgent": "threat", "trap": null, "note": "n", "author": "a", "account": "acc", "created_at": "2025-10-20T09:00:00-04:00"}"#;
        let (cases, errors) = parse_cases(line);
        assert!(errors.is_empty(), "{errors:?}");
        let case = &cases[0];
        assert_eq!(case.id, "x-1");
        assert_eq!(case.text, "Tabarnak \"enfin\" été 😀");
        assert_eq!(
            case.expected,
            labels(
                &[Category::Abusive, Category::Repeated],
                Some(UrgentKind::Threat)
            )
        );
        assert_eq!(case.created_at, Some(1_760_965_200));
        assert_eq!(case.author.as_deref(), Some("a"));
        assert_eq!(case.trap, None);
    }

    #[test]
    fn bad_lines_are_reported_with_line_and_field_and_the_others_are_kept() {
        let source = concat!(
            r#"{"id": "a", "text": "ok", "categories": []}"#,
            "\n",
            "\n",
            r#"{"id": "b", "text": "x", "categories": ["swearing"]}"#,
            "\n",
            r#"{"id": "c", "text": "x", "categories": [], "urgent": "panic"}"#,
            "\n",
            r#"{"id": "d", "categories": []}"#,
            "\n",
            r#"{"id": "e", "text": "x", "categories": [], "created_at": "hier"}"#,
            "\n",
            r#"{"id": "f", "text": "x""#,
            "\n",
            r#"{"id": "g", "text": "fine", "categories": ["hateful"], "urgent": null}"#,
            "\n",
        );
        let (cases, errors) = parse_cases(source);
        assert_eq!(
            cases
                .iter()
                .map(|case| case.id.as_str())
                .collect::<Vec<_>>(),
            ["a", "g"]
        );
        let located: Vec<(usize, Option<&str>)> = errors
            .iter()
            .map(|error| (error.line, error.field.as_deref()))
            .collect();
        assert_eq!(
            located,
            [
                (3, Some("categories")),
                (4, Some("urgent")),
                (5, Some("text")),
                (6, Some("created_at")),
                (7, None)
            ]
        );
        assert_eq!(
            errors[0].to_string(),
            "line 3, field `categories`: unknown category `swearing`"
        );
    }

    #[test]
    fn json_reader_rejects_malformed_input() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\" 1}",
            "{\"a\":1,}",
            "\"\\x\"",
            "\"\\ud800\"",
            "nul",
            "{\"a\":1} x",
            "{\"a\":1,\"a\":2}",
            "\"tab\there\"",
        ] {
            assert!(parse_json(bad).is_err(), "accepted {bad:?}");
        }
        assert_eq!(
            parse_json(r#"{"a": [true, false, null, -1.5e2, {}]}"#).unwrap(),
            Json::Object(vec![(
                "a".to_owned(),
                Json::Array(vec![
                    Json::Bool(true),
                    Json::Bool(false),
                    Json::Null,
                    Json::Number(-150.0),
                    Json::Object(vec![])
                ])
            )])
        );
    }

    #[test]
    fn rfc3339_timestamps() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_rfc3339("1969-12-31T23:59:59+00:00"), Ok(-1));
        assert_eq!(parse_rfc3339("2000-02-29T23:59:59+05:30"), Ok(951_848_999));
        assert_eq!(
            parse_rfc3339("2025-10-20T09:00:00.250-04:00"),
            Ok(1_760_965_200)
        );
        for bad in [
            "2025-02-29T00:00:00Z",
            "2025-10-20 09:00",
            "2025-13-01T00:00:00Z",
            "2025-10-20T09:00:00",
            "2025-10-20T09:00:00+5:00",
            "2025-10-20T24:00:00Z",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "accepted {bad}");
        }
    }

    #[test]
    fn evaluate_feeds_the_growing_history_and_records_mistakes() {
        let source = concat!(
            r#"{"id": "1", "text": "Bonjour", "categories": [], "author": "a"}"#,
            "\n",
            r#"{"id": "2", "text": "Bonjour", "categories": ["repeated"], "author": "a"}"#,
            "\n",
        );
        let (cases, errors) = parse_cases(source);
        assert!(errors.is_empty());
        let mut history_sizes = Vec::new();
        // A stand-in judge that only looks at the history it is given, to check the harness.
        let evaluation = evaluate(&cases, |message, history| {
            history_sizes.push(history.messages.len());
            let repeated = history
                .messages
                .iter()
                .any(|prior| prior.text == message.text && prior.author == message.author);
            Verdict {
                action: crate::Action::Publish,
                categories: if repeated {
                    vec![Category::Repeated]
                } else {
                    vec![Category::Abusive]
                },
                urgent: None,
                clauses: Vec::new(),
                evidence: Vec::new(),
                substance_remains: true,
                language: "fr",
                explanation: String::new(),
            }
        });
        assert_eq!(history_sizes, [0, 1]);
        assert_eq!(
            evaluation
                .scores
                .category(Category::Repeated)
                .true_positives,
            1
        );
        assert_eq!(evaluation.mistakes.len(), 1);
        assert_eq!(evaluation.mistakes[0].id, "1");
        assert!(evaluation.mistakes[0].is_false_alarm());
        assert!(
            evaluation
                .render_mistakes()
                .starts_with("false_alarm 1 [acceptable -> abusive] Bonjour")
        );
    }

    #[test]
    fn mlma_sentiments_map_to_categories() {
        assert_eq!(labels_from_mlma_sentiment("normal"), Ok(labels(&[], None)));
        assert_eq!(
            labels_from_mlma_sentiment("offensive"),
            Ok(labels(&[Category::Abusive], None))
        );
        assert_eq!(
            labels_from_mlma_sentiment("disrespectful_normal"),
            Ok(labels(&[Category::Abusive], None))
        );
        assert_eq!(
            labels_from_mlma_sentiment("fearful"),
            Ok(labels(&[Category::Hateful], None))
        );
        assert_eq!(
            labels_from_mlma_sentiment("fearful_abusive_offensive_hateful_normal"),
            Ok(labels(&[Category::Hateful, Category::Abusive], None).sorted())
        );
        assert!(labels_from_mlma_sentiment("").is_err());
        assert!(labels_from_mlma_sentiment("angry").is_err());
        assert!(labels_from_mlma_sentiment("normal_").is_err());
    }

    #[test]
    fn the_evaluation_policy_enables_every_category() {
        let policy = all_categories_policy();
        for category in Category::ALL {
            assert!(
                policy
                    .clauses
                    .iter()
                    .any(|clause| clause.category == category),
                "{category}"
            );
        }
        assert_eq!(policy.repeat_window_seconds, 86_400);
        assert_eq!(policy.repeat_distinct_authors, 5);
    }
}
