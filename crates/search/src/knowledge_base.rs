//! The knowledge base itself: a tantivy index of [`Page`]s keyed by address, written by
//! imports and read by searches.
//!
//! An import is one tantivy commit: either every accepted page of the import becomes
//! visible, or (if the process dies first) none does and the previous pages stay intact.
//! Pages are upserted by address: a page imported again replaces the old one.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::directory::error::LockError;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    DocAddress, DocId, DocSet, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher,
    TantivyDocument, Term,
};

use crate::analyser::{FRENCH_ANALYSER_NAME, analyse, french_analyser};
use crate::error::{RecordError, SearchError};
use crate::import;
use crate::page::{Hit, Page};

/// How many times a word found in the title weighs more than one found in the body: a
/// page whose title names the subject of the question is usually the page to link.
pub const TITLE_BOOST: f32 = 2.5;

/// Questions are cut to this many distinct terms, so a pasted wall of text cannot make a
/// query with thousands of clauses.
pub const MAX_QUERY_TERMS: usize = 64;

/// Longest snippet returned with a hit, in characters.
pub const SNIPPET_MAX_CHARS: usize = 200;

/// Memory the index writer may use before it flushes a segment to disk.
const WRITER_MEMORY_BUDGET_BYTES: usize = 64 * 1024 * 1024;

/// Where the knowledge base of an organisation lives under the data directory:
/// `<data_dir>/kb/<organisation>`. `organisation` must already be a validated slug.
pub fn knowledge_base_dir(data_dir: &Path, organisation: &str) -> PathBuf {
    data_dir.join("kb").join(organisation)
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Pages written to the index (new or replacing an older page).
    pub indexed: usize,
    /// Of the pages written, those whose address was already in the index or earlier in
    /// the same import: they replaced the older version.
    pub replaced: usize,
    /// Records refused, in source order, each with where it is and why.
    pub errors: Vec<RecordError>,
}

#[derive(Clone, Copy, Debug)]
struct Fields {
    url: Field,
    title: Field,
    body: Field,
}

/// An organisation's searchable pages.
pub struct KnowledgeBase {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// For error messages: the folder, or `mémoire` for an in-memory base.
    location: String,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let french_text = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(FRENCH_ANALYSER_NAME)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let url = builder.add_text_field("url", STRING | STORED);
    let title = builder.add_text_field("title", french_text.clone());
    let body = builder.add_text_field("body", french_text);
    (builder.build(), Fields { url, title, body })
}

impl KnowledgeBase {
    /// Opens the knowledge base stored in `dir`, creating the folder and an empty index if
    /// they do not exist.
    pub fn open(dir: &Path) -> Result<KnowledgeBase, SearchError> {
        std::fs::create_dir_all(dir).map_err(|source| SearchError::Io {
            path: dir.to_owned(),
            source,
        })?;
        let directory = MmapDirectory::open(dir).map_err(|error| SearchError::Io {
            path: dir.to_owned(),
            source: std::io::Error::other(error.to_string()),
        })?;
        let (schema, fields) = schema();
        let index = Index::open_or_create(directory, schema).map_err(|error| match error {
            tantivy::TantivyError::SchemaError(detail) => SearchError::IncompatibleIndex {
                path: dir.to_owned(),
                detail,
            },
            other => SearchError::Engine(other),
        })?;
        // A base on disk may be updated by another process (`balise kb import` while the
        // server runs): its reader watches the index and picks up their commits.
        KnowledgeBase::with_index(
            index,
            fields,
            dir.display().to_string(),
            ReloadPolicy::OnCommitWithDelay,
        )
    }

    /// An empty knowledge base held in memory, for tests and evaluations.
    pub fn in_memory() -> Result<KnowledgeBase, SearchError> {
        let (schema, fields) = schema();
        let index = Index::create_in_ram(schema);
        KnowledgeBase::with_index(index, fields, "mémoire".to_owned(), ReloadPolicy::Manual)
    }

    fn with_index(
        index: Index,
        fields: Fields,
        location: String,
        reload_policy: ReloadPolicy,
    ) -> Result<KnowledgeBase, SearchError> {
        // The analyser is code, not data: tantivy does not store it, so it is registered
        // again every time an index is opened.
        index
            .tokenizers()
            .register(FRENCH_ANALYSER_NAME, french_analyser());
        let reader = index
            .reader_builder()
            .reload_policy(reload_policy)
            .try_into()?;
        Ok(KnowledgeBase {
            index,
            reader,
            fields,
            location,
        })
    }

    /// How many pages the base holds.
    pub fn page_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Indexes every `.html` and `.htm` file below `folder` (see [`crate::html`] for what is
    /// extracted). A page's address is its canonical link, else its `og:url`, else its path
    /// relative to `folder` with `/` separators.
    pub fn import_html_folder(&self, folder: &Path) -> Result<ImportReport, SearchError> {
        let mut batch = self.start_import()?;
        import::for_each_html_page(folder, &mut |outcome| batch.add(outcome))?;
        batch.finish()
    }

    /// Indexes a JSON Lines file of `{"url", "title", "text"}` objects. Blank lines are
    /// skipped; a bad line is reported with its number and the others are kept.
    pub fn import_jsonl(&self, path: &Path) -> Result<ImportReport, SearchError> {
        let mut batch = self.start_import()?;
        import::for_each_jsonl_page(path, &mut |outcome| batch.add(outcome))?;
        batch.finish()
    }

    /// Indexes pages already in memory (from another source, or generated for benchmarks).
    pub fn add_pages(
        &self,
        pages: impl IntoIterator<Item = Page>,
    ) -> Result<ImportReport, SearchError> {
        let mut batch = self.start_import()?;
        for page in pages {
            batch.add(Ok(page))?;
        }
        batch.finish()
    }

    fn start_import(&self) -> Result<ImportBatch<'_>, SearchError> {
        let writer =
            self.index
                .writer(WRITER_MEMORY_BUDGET_BYTES)
                .map_err(|error| match error {
                    tantivy::TantivyError::LockFailure(LockError::LockBusy, _) => {
                        SearchError::IndexBusy {
                            path: self.location.clone(),
                        }
                    }
                    other => SearchError::Engine(other),
                })?;
        Ok(ImportBatch {
            knowledge_base: self,
            writer,
            searcher: self.reader.searcher(),
            urls_seen: HashSet::new(),
            report: ImportReport::default(),
        })
    }

    /// The pages that best answer `query`, best first, at most `limit`. A query made only of
    /// stop words (« est-ce que c'est à vous ? ») has no terms and finds nothing.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, SearchError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let Some((query, terms)) = self.build_query(query) else {
            return Ok(Vec::new());
        };
        let searcher = self.reader.searcher();
        let top_documents =
            searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let mut snippets = SnippetGenerator::create(&searcher, &query, self.fields.body)?;
        snippets.set_max_num_chars(SNIPPET_MAX_CHARS);
        let mut hits = Vec::with_capacity(top_documents.len());
        for (score, address) in top_documents {
            let document: TantivyDocument = searcher.doc(address)?;
            let text_of = |field: Field| {
                document
                    .get_first(field)
                    .and_then(|value| value.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            let snippet = snippets.snippet_from_doc(&document);
            let snippet = if snippet.fragment().trim().is_empty() {
                text_of(self.fields.body)
                    .chars()
                    .take(SNIPPET_MAX_CHARS)
                    .collect()
            } else {
                snippet.fragment().to_owned()
            };
            // The body keeps one line per block; a snippet is read as one line.
            let snippet = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
            hits.push(Hit {
                url: text_of(self.fields.url),
                title: text_of(self.fields.title),
                score,
                coverage: self.coverage(&searcher, address, &terms)?,
                snippet,
            });
        }
        Ok(hits)
    }

    /// The page to suggest for the `answer_with_link` route: the best hit, if its score
    /// reaches `min_score`.
    pub fn best_page(&self, question: &str, min_score: f32) -> Result<Option<Hit>, SearchError> {
        let best = self.search(question, 1)?.into_iter().next();
        Ok(best.filter(|hit| hit.score >= min_score))
    }

    /// The share of `terms` found in the title or body of the document at `address`. It
    /// reads the postings of each term at one document, so it costs a few lookups per hit.
    fn coverage(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        terms: &[String],
    ) -> Result<f32, SearchError> {
        let segment = searcher.segment_reader(address.segment_ord);
        let title_index = segment.inverted_index(self.fields.title)?;
        let body_index = segment.inverted_index(self.fields.body)?;
        let mut found = 0usize;
        for term_text in terms {
            let mut present = false;
            for (field, inverted_index) in [
                (self.fields.title, &title_index),
                (self.fields.body, &body_index),
            ] {
                let term = Term::from_field_text(field, term_text);
                let postings = inverted_index
                    .read_postings(&term, IndexRecordOption::Basic)
                    .map_err(|error| SearchError::Engine(error.into()))?;
                if let Some(mut postings) = postings
                    && contains_document(&mut postings, address.doc_id)
                {
                    present = true;
                    break;
                }
            }
            found += usize::from(present);
        }
        // `terms` is never empty here: a query without terms returns before any hit.
        Ok(found as f32 / terms.len().max(1) as f32)
    }

    /// One `should` clause per distinct term and field, the title ones boosted, and the
    /// distinct terms. The query is built from analysed terms rather than parsed, so no
    /// character of a citizen's question (`:`, `"`, `-`, `(`) can be taken for query syntax.
    fn build_query(&self, text: &str) -> Option<(BooleanQuery, Vec<String>)> {
        let mut terms: Vec<String> = Vec::new();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for term_text in analyse(text) {
            if terms.len() == MAX_QUERY_TERMS {
                break;
            }
            if terms.contains(&term_text) {
                continue;
            }
            terms.push(term_text.clone());
            let title_term = Term::from_field_text(self.fields.title, &term_text);
            let body_term = Term::from_field_text(self.fields.body, &term_text);
            let title_query = TermQuery::new(title_term, IndexRecordOption::WithFreqs);
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(title_query), TITLE_BOOST)),
            ));
            clauses.push((
                Occur::Should,
                Box::new(TermQuery::new(body_term, IndexRecordOption::WithFreqs)),
            ));
        }
        (!clauses.is_empty()).then(|| (BooleanQuery::new(clauses), terms))
    }
}

/// One import in progress: the writer, and what the report will say.
struct ImportBatch<'a> {
    knowledge_base: &'a KnowledgeBase,
    writer: IndexWriter,
    /// The index as it was when the import started, to tell new pages from replacements.
    searcher: Searcher,
    urls_seen: HashSet<String>,
    report: ImportReport,
}

impl ImportBatch<'_> {
    fn add(&mut self, outcome: Result<Page, RecordError>) -> Result<(), SearchError> {
        let page = match outcome {
            Ok(page) => page,
            Err(error) => {
                self.report.errors.push(error);
                return Ok(());
            }
        };
        let fields = self.knowledge_base.fields;
        let url_term = Term::from_field_text(fields.url, page.url.as_str());
        let already_indexed = self.searcher.search(
            &TermQuery::new(url_term.clone(), IndexRecordOption::Basic),
            &Count,
        )? > 0;
        let seen_in_this_import = !self.urls_seen.insert(page.url.as_str().to_owned());
        if already_indexed || seen_in_this_import {
            self.report.replaced += 1;
        }
        // A delete applies to the documents added before it, so deleting then adding
        // replaces the old page and keeps the new one, even within one commit.
        self.writer.delete_term(url_term);
        let mut document = TantivyDocument::default();
        document.add_text(fields.url, page.url.as_str());
        document.add_text(fields.title, &page.title);
        document.add_text(fields.body, &page.text);
        self.writer.add_document(document)?;
        self.report.indexed += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<ImportReport, SearchError> {
        self.writer.commit()?;
        self.writer.wait_merging_threads()?;
        self.knowledge_base.reader.reload()?;
        Ok(self.report)
    }
}

/// Whether `postings` holds `document`. `seek` may only move forward, so a list that
/// starts after the document cannot hold it.
fn contains_document(postings: &mut impl DocSet, document: DocId) -> bool {
    let first = postings.doc();
    if first >= document {
        return first == document;
    }
    postings.seek(document) == document
}
