//! Reading import sources into [`Page`]s: a folder of HTML files, or a JSON Lines file.
//! Each record becomes a page or a [`RecordError`] saying where and why; only a source that
//! cannot be read at all (missing folder or file) fails the whole import.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{RecordError, RecordLocation, RecordProblem, SearchError};
use crate::html::{extract_page, windows_1252_high};
use crate::page::{Page, PageUrl};

/// Largest HTML file indexed; larger ones are reported, not read.
pub const MAX_HTML_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Largest JSON Lines record (one line) accepted. A page's text is rarely above a few
/// hundred kilobytes; a longer line is almost always a broken export, and reading it whole
/// would only waste memory.
pub const MAX_JSONL_LINE_BYTES: usize = 4 * 1024 * 1024;

type Visitor<'a> = dyn FnMut(Result<Page, RecordError>) -> Result<(), SearchError> + 'a;

/// Calls `visit` with every `.html`/`.htm` file below `folder`, in path order.
pub(crate) fn for_each_html_page(
    folder: &Path,
    visit: &mut Visitor<'_>,
) -> Result<(), SearchError> {
    let mut files = Vec::new();
    collect_html_files(folder, folder, &mut files, visit)?;
    files.sort();
    for relative in files {
        visit(read_html_page(folder, &relative))?;
    }
    Ok(())
}

fn collect_html_files(
    root: &Path,
    folder: &Path,
    files: &mut Vec<PathBuf>,
    visit: &mut Visitor<'_>,
) -> Result<(), SearchError> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(source) if folder == root => {
            return Err(SearchError::Io {
                path: folder.to_owned(),
                source,
            });
        }
        Err(source) => {
            return visit(Err(unreadable(relative_to(root, folder), &source)));
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(source) => {
                visit(Err(unreadable(relative_to(root, folder), &source)))?;
                continue;
            }
        };
        let path = entry.path();
        // `DirEntry::file_type` does not follow symbolic links, so a link to a parent
        // folder cannot make the walk loop forever; linked files are still read.
        let Ok(file_type) = entry.file_type() else {
            visit(Err(unreadable(
                relative_to(root, &path),
                &std::io::Error::other("type de fichier inconnu"),
            )))?;
            continue;
        };
        if file_type.is_dir() {
            collect_html_files(root, &path, files, visit)?;
        } else if is_html_file_name(&path) {
            files.push(relative_to(root, &path));
        }
    }
    Ok(())
}

fn is_html_file_name(path: &Path) -> bool {
    path.extension()
        .and_then(|extension| extension.to_str())
        .is_some_and(|extension| {
            extension.eq_ignore_ascii_case("html") || extension.eq_ignore_ascii_case("htm")
        })
}

fn relative_to(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root)
        .map_or_else(|_| path.to_owned(), Path::to_owned)
}

fn unreadable(relative: PathBuf, source: &std::io::Error) -> RecordError {
    RecordError {
        location: RecordLocation::File(relative),
        problem: RecordProblem::Unreadable {
            detail: source.to_string(),
        },
    }
}

fn read_html_page(root: &Path, relative: &Path) -> Result<Page, RecordError> {
    let path = root.join(relative);
    let located = |problem| RecordError {
        location: RecordLocation::File(relative.to_owned()),
        problem,
    };
    let size = std::fs::metadata(&path)
        .map_err(|error| unreadable(relative.to_owned(), &error))?
        .len();
    if size > MAX_HTML_FILE_BYTES {
        return Err(located(RecordProblem::TooLarge {
            bytes: size,
            max_bytes: MAX_HTML_FILE_BYTES,
        }));
    }
    let bytes = std::fs::read(&path).map_err(|error| unreadable(relative.to_owned(), &error))?;
    let html = decode_html_bytes(bytes)
        .map_err(|byte_offset| located(RecordProblem::InvalidUtf8 { byte_offset }))?;
    let extracted = extract_page(&html);
    let relative_url = relative
        .components()
        .map(|component| component.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    let url_text = extracted.canonical_url.unwrap_or(relative_url);
    let url = PageUrl::parse(&url_text).map_err(|reason| {
        located(RecordProblem::InvalidField {
            field: "url",
            reason,
        })
    })?;
    if extracted.title.is_none() && extracted.text.is_empty() {
        return Err(located(RecordProblem::NothingToIndex));
    }
    let title = extracted.title.unwrap_or_else(|| url.as_str().to_owned());
    Ok(Page {
        url,
        title,
        text: extracted.text,
    })
}

/// Decodes an HTML file: UTF-8 (with or without a byte-order mark), or Windows-1252 /
/// ISO-8859-1(5) when the page declares one of those charsets, as older government pages
/// do. Anything else is refused with the offset of the first byte that is not UTF-8.
fn decode_html_bytes(bytes: Vec<u8>) -> Result<String, usize> {
    let bytes = match bytes.strip_prefix(b"\xef\xbb\xbf") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(error) => {
            let byte_offset = error.utf8_error().valid_up_to();
            let bytes = error.into_bytes();
            match declared_single_byte_charset(&bytes) {
                Some(SingleByteCharset::Windows1252) => Ok(bytes
                    .iter()
                    .map(|&byte| windows_1252_high(byte).unwrap_or(char::from(byte)))
                    .collect()),
                Some(SingleByteCharset::Latin9) => {
                    Ok(bytes.iter().map(|&byte| latin9_char(byte)).collect())
                }
                None => Err(byte_offset),
            }
        }
    }
}

enum SingleByteCharset {
    /// Also used for ISO-8859-1, as browsers do.
    Windows1252,
    Latin9,
}

/// Looks for `charset=` in the first kilobytes (where `<meta>` must be).
fn declared_single_byte_charset(bytes: &[u8]) -> Option<SingleByteCharset> {
    let head = &bytes[..bytes.len().min(4096)];
    let head: String = head
        .iter()
        .map(|&byte| char::from(byte).to_ascii_lowercase())
        .collect();
    let start = head.find("charset=")? + "charset=".len();
    let name: String = head[start..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    match name.as_str() {
        "windows-1252" | "cp1252" | "iso-8859-1" | "latin1" | "latin-1" | "iso_8859-1"
        | "us-ascii" => Some(SingleByteCharset::Windows1252),
        "iso-8859-15" | "latin9" | "latin-9" => Some(SingleByteCharset::Latin9),
        _ => None,
    }
}

fn latin9_char(byte: u8) -> char {
    match byte {
        0xa4 => '€',
        0xa6 => 'Š',
        0xa8 => 'š',
        0xb4 => 'Ž',
        0xb8 => 'ž',
        0xbc => 'Œ',
        0xbd => 'œ',
        0xbe => 'Ÿ',
        _ => char::from(byte),
    }
}

/// One line of a JSON Lines import. Unknown fields are allowed: exports often carry more
/// (dates, language) and refusing them would lose good records.
#[derive(Deserialize)]
struct JsonlRecord {
    url: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
}

/// Calls `visit` with every non-blank line of the JSON Lines file at `path`.
pub(crate) fn for_each_jsonl_page(path: &Path, visit: &mut Visitor<'_>) -> Result<(), SearchError> {
    let file = File::open(path).map_err(|source| SearchError::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut reader = BufReader::with_capacity(256 * 1024, file);
    let mut line = Vec::new();
    let mut line_number: u64 = 0;
    loop {
        let outcome =
            read_bounded_line(&mut reader, &mut line, MAX_JSONL_LINE_BYTES).map_err(|source| {
                SearchError::Io {
                    path: path.to_owned(),
                    source,
                }
            })?;
        let line_length = match outcome {
            LineRead::EndOfFile => return Ok(()),
            LineRead::Line => None,
            LineRead::TooLong { length } => Some(length),
        };
        line_number += 1;
        let located = |problem| RecordError {
            location: RecordLocation::Line(line_number),
            problem,
        };
        if let Some(length) = line_length {
            visit(Err(located(RecordProblem::TooLarge {
                bytes: length,
                max_bytes: MAX_JSONL_LINE_BYTES as u64,
            })))?;
            continue;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        visit(parse_jsonl_line(&line).map_err(located))?;
    }
}

fn parse_jsonl_line(line: &[u8]) -> Result<Page, RecordProblem> {
    let text = std::str::from_utf8(line).map_err(|error| RecordProblem::InvalidUtf8 {
        byte_offset: error.valid_up_to(),
    })?;
    let record: JsonlRecord =
        serde_json::from_str(text).map_err(|error| RecordProblem::InvalidJson {
            column: error.column(),
            detail: french_json_error(&error),
        })?;
    let url = PageUrl::parse(&record.url).map_err(|reason| RecordProblem::InvalidField {
        field: "url",
        reason,
    })?;
    if record.title.trim().is_empty() && record.text.trim().is_empty() {
        return Err(RecordProblem::NothingToIndex);
    }
    let title = if record.title.trim().is_empty() {
        url.as_str().to_owned()
    } else {
        record.title
    };
    Ok(Page {
        url,
        title,
        text: record.text,
    })
}

/// serde_json's messages are English; the person importing reads French. The category
/// is translated and serde's own text kept after it, since it names the field.
fn french_json_error(error: &serde_json::Error) -> String {
    let category = match error.classify() {
        serde_json::error::Category::Syntax => "syntaxe JSON incorrecte",
        serde_json::error::Category::Eof => "ligne incomplète",
        serde_json::error::Category::Data => {
            "objet attendu {\"url\", \"title\", \"text\"} avec des chaînes"
        }
        serde_json::error::Category::Io => "lecture interrompue",
    };
    // serde appends " at line L column C"; the location is already given by the report.
    let detail = error.to_string();
    let detail = detail
        .split(" at line ")
        .next()
        .unwrap_or(&detail)
        .to_owned();
    format!("{category} ({detail})")
}

enum LineRead {
    EndOfFile,
    /// `line` holds the line, without its `\n` or `\r\n`.
    Line,
    /// The line was longer than allowed; it was skipped up to its end. `length` is its
    /// length in bytes.
    TooLong {
        length: u64,
    },
}

/// Reads one line into `line`, never holding more than `max_bytes` of it in memory. Blank
/// lines are returned like the others so that line numbers stay true.
fn read_bounded_line(
    reader: &mut impl BufRead,
    line: &mut Vec<u8>,
    max_bytes: usize,
) -> std::io::Result<LineRead> {
    line.clear();
    let mut length: u64 = 0;
    let mut too_long = false;
    let mut read_anything = false;
    loop {
        let buffer = match reader.fill_buf() {
            Ok(buffer) => buffer,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        if buffer.is_empty() {
            break;
        }
        read_anything = true;
        let (chunk, consumed, ended) = match buffer.iter().position(|&byte| byte == b'\n') {
            Some(newline) => (&buffer[..newline], newline + 1, true),
            None => (buffer, buffer.len(), false),
        };
        length += chunk.len() as u64;
        if !too_long {
            if line.len() + chunk.len() > max_bytes {
                too_long = true;
                line.clear();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        reader.consume(consumed);
        if ended {
            break;
        }
    }
    if !read_anything {
        return Ok(LineRead::EndOfFile);
    }
    if too_long {
        return Ok(LineRead::TooLong { length });
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(LineRead::Line)
}
