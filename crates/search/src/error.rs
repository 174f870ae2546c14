//! The errors of the knowledge base: [`SearchError`] when a whole operation fails, and
//! [`RecordError`] for one bad record of an import, which is reported while the other
//! records are kept. Messages are in French because they reach the person running the
//! import; [`RecordProblem::code`] gives a stable code for the web interface.

use std::fmt;
use std::path::PathBuf;

/// Why an operation on the knowledge base failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// A file or folder could not be read or created.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder concerned.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// Another process (or another import in this one) is writing to the index.
    #[error(
        "l'index {path} est déjà ouvert en écriture par un autre processus ; réessayez quand il aura terminé"
    )]
    IndexBusy {
        /// The index folder.
        path: String,
    },
    /// The folder holds an index made by an incompatible version of Balise.
    #[error(
        "le dossier {path} contient un index incompatible avec cette version de Balise ({detail}) ; supprimez-le et réimportez les pages"
    )]
    IncompatibleIndex {
        /// The index folder.
        path: PathBuf,
        /// tantivy's description.
        detail: String,
    },
    /// The search engine failed (corrupt index, disk full…).
    #[error("erreur du moteur de recherche : {0}")]
    Engine(#[from] tantivy::TantivyError),
}

/// Where a bad record sits in its source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordLocation {
    /// A file of an HTML folder, relative to the folder.
    File(PathBuf),
    /// A line of a JSON Lines file, counted from 1.
    Line(u64),
}

impl fmt::Display for RecordLocation {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordLocation::File(path) => write!(formatter, "fichier {}", path.display()),
            RecordLocation::Line(line) => write!(formatter, "ligne {line}"),
        }
    }
}

/// What is wrong with one record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordProblem {
    /// The file could not be read.
    Unreadable {
        /// What the system said.
        detail: String,
    },
    /// The bytes are not UTF-8 (and, for HTML, declare no charset Balise can decode).
    InvalidUtf8 {
        /// Byte offset of the first invalid byte within the record.
        byte_offset: usize,
    },
    /// The record is larger than the import accepts.
    TooLarge {
        /// The record's size, or a lower bound of it, in bytes.
        bytes: u64,
        /// The largest size accepted, in bytes.
        max_bytes: u64,
    },
    /// The line is not a JSON object of the expected shape.
    InvalidJson {
        /// Column (in characters, from 1) where the parser stopped.
        column: usize,
        /// The parser's description.
        detail: String,
    },
    /// A field is present but its value is not acceptable.
    InvalidField {
        /// The field's name.
        field: &'static str,
        /// Why it was refused, in French.
        reason: String,
    },
    /// The record has neither a title nor any text to index.
    NothingToIndex,
}

impl RecordProblem {
    /// A stable snake_case code for the problem, for interfaces that translate it.
    pub fn code(&self) -> &'static str {
        match self {
            RecordProblem::Unreadable { .. } => "unreadable",
            RecordProblem::InvalidUtf8 { .. } => "invalid_utf8",
            RecordProblem::TooLarge { .. } => "too_large",
            RecordProblem::InvalidJson { .. } => "invalid_json",
            RecordProblem::InvalidField { .. } => "invalid_field",
            RecordProblem::NothingToIndex => "nothing_to_index",
        }
    }
}

impl fmt::Display for RecordProblem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordProblem::Unreadable { detail } => {
                write!(formatter, "lecture impossible : {detail}")
            }
            RecordProblem::InvalidUtf8 { byte_offset } => write!(
                formatter,
                "texte non UTF-8 (octet invalide après {byte_offset} octets valides)"
            ),
            RecordProblem::TooLarge { bytes, max_bytes } => write!(
                formatter,
                "enregistrement trop volumineux ({bytes} octets ou plus ; maximum {max_bytes} octets)"
            ),
            RecordProblem::InvalidJson { column, detail } => {
                write!(formatter, "JSON invalide à la colonne {column} : {detail}")
            }
            RecordProblem::InvalidField { field, reason } => {
                write!(formatter, "champ « {field} » invalide : {reason}")
            }
            RecordProblem::NothingToIndex => {
                write!(formatter, "ni titre ni texte visible : rien à indexer")
            }
        }
    }
}

/// One record an import refused, and where it is.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{location} : {problem}")]
pub struct RecordError {
    /// Where the record is.
    pub location: RecordLocation,
    /// What is wrong with it.
    pub problem: RecordProblem,
}
