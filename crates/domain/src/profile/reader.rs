//! A walker over a spanned TOML tree that collects every problem instead of stopping at the
//! first: each table remembers which keys were read, so unknown keys are found everywhere,
//! and each value knows its key path and position for the report.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::error::{ProblemCode, ProfileProblem};

/// Collects problems and turns byte offsets into lines and columns.
pub(crate) struct Collector<'s> {
    file: &'s str,
    text: &'s str,
    line_starts: Vec<usize>,
    pub(crate) problems: Vec<ProfileProblem>,
}

impl<'s> Collector<'s> {
    pub(crate) fn new(file: &'s str, text: &'s str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(index, _)| index + 1));
        Self {
            file,
            text,
            line_starts,
            problems: Vec::new(),
        }
    }

    fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line_index = match self.line_starts.binary_search(&offset) {
            Ok(index) => index,
            Err(index) => index.saturating_sub(1),
        };
        let line_start = self.line_starts[line_index];
        let column = self
            .text
            .get(line_start..offset)
            .map(|prefix| prefix.chars().count())
            .unwrap_or(0);
        (line_index + 1, column + 1)
    }

    /// Records one problem at `span`.
    pub(crate) fn report(
        &mut self,
        span: &Range<usize>,
        key_path: &str,
        code: ProblemCode,
        message: impl Into<String>,
        message_fr: impl Into<String>,
    ) {
        let (line, column) = self.position(span.start);
        self.problems.push(ProfileProblem {
            file: self.file.to_owned(),
            line,
            column,
            key_path: key_path.to_owned(),
            code,
            message: message.into(),
            message_fr: message_fr.into(),
        });
    }
}

/// The TOML type name a person understands, in English and in French.
fn type_names(value: &DeValue<'_>) -> (&'static str, &'static str) {
    match value {
        DeValue::String(_) => ("a string", "une chaîne"),
        DeValue::Integer(_) => ("an integer", "un entier"),
        DeValue::Float(_) => ("a float", "un nombre décimal"),
        DeValue::Boolean(_) => ("a boolean", "un booléen"),
        DeValue::Datetime(_) => ("a date-time", "une date"),
        DeValue::Array(_) => ("an array", "un tableau"),
        DeValue::Table(_) => ("a table", "une table"),
    }
}

/// One value found under a key (or at an array index), with its key path and position.
#[derive(Clone)]
pub(crate) struct Field<'t, 'i> {
    pub(crate) path: String,
    pub(crate) span: Range<usize>,
    pub(crate) value: &'t DeValue<'i>,
}

fn wrong_type(
    c: &mut Collector<'_>,
    path: &str,
    span: &Range<usize>,
    value: &DeValue<'_>,
    want_en: &str,
    want_fr: &str,
) {
    let (got_en, got_fr) = type_names(value);
    c.report(
        span,
        path,
        ProblemCode::WrongType,
        format!("expected {want_en}, found {got_en}"),
        format!("attendu : {want_fr}; trouvé : {got_fr}"),
    );
}

impl<'t, 'i> Field<'t, 'i> {
    pub(crate) fn string(&self, c: &mut Collector<'_>) -> Option<String> {
        match self.value {
            DeValue::String(text) => Some(text.to_string()),
            other => {
                wrong_type(c, &self.path, &self.span, other, "a string", "une chaîne");
                None
            }
        }
    }

    pub(crate) fn boolean(&self, c: &mut Collector<'_>) -> Option<bool> {
        match self.value {
            DeValue::Boolean(flag) => Some(*flag),
            other => {
                wrong_type(c, &self.path, &self.span, other, "a boolean", "un booléen");
                None
            }
        }
    }

    pub(crate) fn integer(&self, c: &mut Collector<'_>) -> Option<i64> {
        match self.value {
            DeValue::Integer(integer) => {
                let parsed =
                    i64::from_str_radix(&integer.as_str().replace('_', ""), integer.radix()).ok();
                if parsed.is_none() {
                    c.report(
                        &self.span,
                        &self.path,
                        ProblemCode::BadValue,
                        "integer out of range",
                        "entier hors limites",
                    );
                }
                parsed
            }
            other => {
                wrong_type(c, &self.path, &self.span, other, "an integer", "un entier");
                None
            }
        }
    }

    /// An integer within `range`, reported otherwise.
    pub(crate) fn integer_in(
        &self,
        c: &mut Collector<'_>,
        range: std::ops::RangeInclusive<i64>,
    ) -> Option<i64> {
        let value = self.integer(c)?;
        if range.contains(&value) {
            Some(value)
        } else {
            c.report(
                &self.span,
                &self.path,
                ProblemCode::BadValue,
                format!("{value} is outside {}..={}", range.start(), range.end()),
                format!(
                    "{value} est hors de l'intervalle {}..={}",
                    range.start(),
                    range.end()
                ),
            );
            None
        }
    }

    /// A TOML local date (`2011-12-23`) or a string holding one.
    pub(crate) fn date(&self, c: &mut Collector<'_>) -> Option<jiff::civil::Date> {
        let text = match self.value {
            DeValue::Datetime(datetime) => datetime.to_string(),
            DeValue::String(text) => text.to_string(),
            other => {
                wrong_type(
                    c,
                    &self.path,
                    &self.span,
                    other,
                    "a date (YYYY-MM-DD)",
                    "une date (AAAA-MM-JJ)",
                );
                return None;
            }
        };
        match text.parse::<jiff::civil::Date>() {
            Ok(date) if text.len() == 10 => Some(date),
            _ => {
                c.report(
                    &self.span,
                    &self.path,
                    ProblemCode::BadDate,
                    format!("`{text}` is not a date written YYYY-MM-DD"),
                    format!("« {text} » n'est pas une date au format AAAA-MM-JJ"),
                );
                None
            }
        }
    }

    pub(crate) fn table(&self, c: &mut Collector<'_>) -> Option<Table<'t, 'i>> {
        match self.value {
            DeValue::Table(table) => Some(Table::new(self.path.clone(), self.span.clone(), table)),
            other => {
                wrong_type(c, &self.path, &self.span, other, "a table", "une table");
                None
            }
        }
    }

    /// The elements of an array, each with its path `key[i]`.
    pub(crate) fn array(&self, c: &mut Collector<'_>) -> Option<Vec<Field<'t, 'i>>> {
        match self.value {
            DeValue::Array(items) => Some(
                items
                    .iter()
                    .enumerate()
                    .map(|(index, item)| Field {
                        path: format!("{}[{index}]", self.path),
                        span: item.span(),
                        value: item.get_ref(),
                    })
                    .collect(),
            ),
            other => {
                wrong_type(c, &self.path, &self.span, other, "an array", "un tableau");
                None
            }
        }
    }

    /// An array of strings; wrong elements are reported and skipped.
    pub(crate) fn strings(&self, c: &mut Collector<'_>) -> Vec<(String, Field<'t, 'i>)> {
        let Some(items) = self.array(c) else {
            return Vec::new();
        };
        items
            .into_iter()
            .filter_map(|field| field.string(c).map(|text| (text, field)))
            .collect()
    }
}

/// A TOML table being read. Call `finish` once every known key has been read, to report the
/// keys nobody asked for.
pub(crate) struct Table<'t, 'i> {
    pub(crate) path: String,
    pub(crate) span: Range<usize>,
    entries: &'t DeTable<'i>,
    used: RefCell<BTreeSet<String>>,
}

impl<'t, 'i> Table<'t, 'i> {
    pub(crate) fn new(path: String, span: Range<usize>, entries: &'t DeTable<'i>) -> Self {
        Self {
            path,
            span,
            entries,
            used: RefCell::new(BTreeSet::new()),
        }
    }

    /// The path of a child key (also for keys that are absent, for "missing" reports).
    pub(crate) fn child_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The value under `key`, if present; marks the key as known.
    pub(crate) fn get(&self, key: &str) -> Option<Field<'t, 'i>> {
        self.used.borrow_mut().insert(key.to_owned());
        let value = self.entries.get(key)?;
        Some(Field {
            path: self.child_path(key),
            span: value.span(),
            value: value.get_ref(),
        })
    }

    /// The value under `key`, reporting it as missing if absent.
    pub(crate) fn require(&self, c: &mut Collector<'_>, key: &str) -> Option<Field<'t, 'i>> {
        let field = self.get(key);
        if field.is_none() {
            let what = if self.path.is_empty() {
                "the file".to_owned()
            } else {
                format!("[{}]", self.path)
            };
            let what_fr = if self.path.is_empty() {
                "du fichier".to_owned()
            } else {
                format!("de [{}]", self.path)
            };
            c.report(
                &self.span,
                &self.child_path(key),
                ProblemCode::MissingKey,
                format!("missing required key `{key}` in {what}"),
                format!("clé obligatoire « {key} » absente {what_fr}"),
            );
        }
        field
    }

    pub(crate) fn required_string(&self, c: &mut Collector<'_>, key: &str) -> Option<String> {
        let field = self.require(c, key)?;
        let text = field.string(c)?;
        if text.trim().is_empty() {
            c.report(
                &field.span,
                &field.path,
                ProblemCode::BadValue,
                "must not be empty",
                "ne doit pas être vide",
            );
            return None;
        }
        Some(text)
    }

    pub(crate) fn optional_string(&self, c: &mut Collector<'_>, key: &str) -> Option<String> {
        self.get(key)?.string(c)
    }

    /// Reports every key of this table that was never asked for.
    pub(crate) fn finish(&self, c: &mut Collector<'_>) {
        let used = self.used.borrow();
        for (key, _) in self.entries.iter() {
            let name: &str = key.get_ref();
            if !used.contains(name) {
                c.report(
                    &key.span(),
                    &self.child_path(name),
                    ProblemCode::UnknownKey,
                    format!("unknown key `{name}`"),
                    format!("clé inconnue « {name} »"),
                );
            }
        }
    }
}
