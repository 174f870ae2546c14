//! The problems a profile can have, each located by file, line, column and key path, with a
//! stable code and an English and a French message; and the errors of loading a profile.

use std::fmt;

/// The kind of a profile problem, as a stable snake_case code (for tests and tools).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProblemCode {
    TomlSyntax,
    UnknownKey,
    MissingKey,
    WrongType,
    BadValue,
    BadTime,
    EmptyWindow,
    OverlappingWindows,
    BadDate,
    BadHolidayRule,
    UnknownCategory,
    DuplicateId,
    UnknownRole,
    UnknownPermission,
    UnknownRoute,
    UnknownPlaceholder,
    BadBudget,
    BudgetKindsMismatch,
    BudgetDoesNotFit,
    UnknownTimeZone,
    BadEmail,
    BadPhone,
    BadUrl,
    MissingSource,
    StepOutOfOrder,
    RoleLacksPermission,
}

impl ProblemCode {
    pub fn id(self) -> &'static str {
        match self {
            ProblemCode::TomlSyntax => "toml_syntax",
            ProblemCode::UnknownKey => "unknown_key",
            ProblemCode::MissingKey => "missing_key",
            ProblemCode::WrongType => "wrong_type",
            ProblemCode::BadValue => "bad_value",
            ProblemCode::BadTime => "bad_time",
            ProblemCode::EmptyWindow => "empty_window",
            ProblemCode::OverlappingWindows => "overlapping_windows",
            ProblemCode::BadDate => "bad_date",
            ProblemCode::BadHolidayRule => "bad_holiday_rule",
            ProblemCode::UnknownCategory => "unknown_category",
            ProblemCode::DuplicateId => "duplicate_id",
            ProblemCode::UnknownRole => "unknown_role",
            ProblemCode::UnknownPermission => "unknown_permission",
            ProblemCode::UnknownRoute => "unknown_route",
            ProblemCode::UnknownPlaceholder => "unknown_placeholder",
            ProblemCode::BadBudget => "bad_budget",
            ProblemCode::BudgetKindsMismatch => "budget_kinds_mismatch",
            ProblemCode::BudgetDoesNotFit => "budget_does_not_fit",
            ProblemCode::UnknownTimeZone => "unknown_time_zone",
            ProblemCode::BadEmail => "bad_email",
            ProblemCode::BadPhone => "bad_phone",
            ProblemCode::BadUrl => "bad_url",
            ProblemCode::MissingSource => "missing_source",
            ProblemCode::StepOutOfOrder => "step_out_of_order",
            ProblemCode::RoleLacksPermission => "role_lacks_permission",
        }
    }
}

impl fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One problem found in a profile file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ProfileProblem {
    /// The file (or source name) the profile came from.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The key path, e.g. `business_hours.monday[1].end`; empty for the whole file.
    pub key_path: String,
    /// Stable code of the problem.
    #[serde(serialize_with = "serialize_code")]
    pub code: ProblemCode,
    /// What is wrong, in English (the CLI's default wording).
    pub message: String,
    /// What is wrong, in French.
    pub message_fr: String,
}

fn serialize_code<S: serde::Serializer>(
    code: &ProblemCode,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(code.id())
}

impl fmt::Display for ProfileProblem {
    /// `FILE:LINE:COL: KEY: message` (the key is left out when the problem has none).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.key_path.is_empty() {
            write!(f, "{}: ", self.key_path)?;
        }
        write!(f, "{}", self.message)
    }
}

/// Every problem found in one profile, sorted by position. Never empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileErrors {
    problems: Vec<ProfileProblem>,
}

impl ProfileErrors {
    pub(crate) fn new(mut problems: Vec<ProfileProblem>) -> Self {
        problems
            .sort_by(|a, b| (a.line, a.column, &a.key_path).cmp(&(b.line, b.column, &b.key_path)));
        problems.dedup();
        Self { problems }
    }

    pub fn problems(&self) -> &[ProfileProblem] {
        &self.problems
    }

    pub fn len(&self) -> usize {
        self.problems.len()
    }

    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }
}

impl fmt::Display for ProfileErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ProfileErrors {}

/// Why `Profile::resolve` could not give a profile.
#[derive(Debug, thiserror::Error)]
pub enum ProfileLoadError {
    /// Neither a preset id nor a readable file.
    #[error("`{id_or_path}` is neither a preset ({presets}) nor a readable file: {source}")]
    NotFound {
        id_or_path: String,
        presets: String,
        #[source]
        source: std::io::Error,
    },
    /// The file was read but has problems.
    #[error("{0}")]
    Invalid(#[from] ProfileErrors),
}
