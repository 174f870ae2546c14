//! The knowledge base: an index of the organisation's web pages and FAQ, searched in French,
//! so that the triage can answer a citizen's question with a link.
//!
//! - [`analyser`]: the French analyser (elisions, folding, stop words, Snowball stemming).
//! - [`html`]: title, canonical address and visible text of an HTML page.
//! - [`KnowledgeBase`]: the on-disk (or in-memory) tantivy index; imports from an HTML
//!   folder or a JSON Lines file, upserted by address; searches and the best page to link.
//!
//! **API boundary:** callers see [`Page`], [`Hit`], [`ImportReport`] and the errors; tantivy
//! types never leave this crate.

pub mod analyser;
mod error;
pub mod html;
mod import;
mod knowledge_base;
mod page;

pub use error::{RecordError, RecordLocation, RecordProblem, SearchError};
pub use import::{MAX_HTML_FILE_BYTES, MAX_JSONL_LINE_BYTES};
pub use knowledge_base::{
    ImportReport, KnowledgeBase, MAX_QUERY_TERMS, SNIPPET_MAX_CHARS, TITLE_BOOST,
    knowledge_base_dir,
};
pub use page::{Hit, MAX_URL_CHARS, Page, PageUrl};
