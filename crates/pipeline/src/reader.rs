//! Streaming readers for `balise import`: JSON Lines or CSV, one record at a time from any
//! `BufRead`, never the whole file in memory. Bytes are read as bytes, so a line that is not
//! UTF-8 is one bad record (with its line and the byte offset) rather than a failed file.

use std::io::BufRead;

use crate::record::{FIELDS, FieldError, IncomingMessage};

/// The two accepted formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    JsonLines,
    Csv,
}

impl Format {
    /// By extension (`.jsonl`, `.ndjson`, `.json`, `.csv`), else by the first non-blank byte:
    /// `{` is JSON Lines, anything else CSV.
    pub fn detect(path: &std::path::Path, first_bytes: &[u8]) -> Format {
        match path
            .extension()
            .and_then(|extension| extension.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("jsonl" | "ndjson" | "json") => Format::JsonLines,
            Some("csv") => Format::Csv,
            _ => match first_bytes.iter().find(|byte| !byte.is_ascii_whitespace()) {
                Some(b'{') => Format::JsonLines,
                _ => Format::Csv,
            },
        }
    }
}

/// One record read: the line it starts on (1-based) and the record or what is wrong with it.
#[derive(Debug)]
pub struct ReadRecord {
    pub line: u64,
    pub record: Result<IncomingMessage, FieldError>,
    /// Bytes consumed so far (for a progress bar).
    pub bytes_read: u64,
}

/// Why reading stopped: an IO error (the records read so far stay valid).
#[derive(Debug, thiserror::Error)]
#[error("lecture impossible après la ligne {line} : {source}")]
pub struct ReadError {
    pub line: u64,
    #[source]
    pub source: std::io::Error,
}

fn utf8_error(field: &str, error: std::str::Utf8Error) -> FieldError {
    FieldError::new(
        field,
        "invalid_utf8",
        format!(
            "octets invalides en UTF-8 à la position {} de la ligne",
            error.valid_up_to()
        ),
    )
}

/// Reads JSON Lines; blank lines are skipped.
pub struct JsonLinesReader<R> {
    input: R,
    line: u64,
    bytes_read: u64,
    buffer: Vec<u8>,
}

impl<R: BufRead> JsonLinesReader<R> {
    pub fn new(input: R) -> Self {
        JsonLinesReader {
            input,
            line: 0,
            bytes_read: 0,
            buffer: Vec::with_capacity(4096),
        }
    }
}

impl<R: BufRead> Iterator for JsonLinesReader<R> {
    type Item = Result<ReadRecord, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buffer.clear();
            let read = match self.input.read_until(b'\n', &mut self.buffer) {
                Ok(read) => read,
                Err(source) => {
                    return Some(Err(ReadError {
                        line: self.line,
                        source,
                    }));
                }
            };
            if read == 0 {
                return None;
            }
            self.line += 1;
            self.bytes_read += read as u64;
            let bytes = self.buffer.strip_suffix(b"\n").unwrap_or(&self.buffer);
            let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
            let bytes = if self.line == 1 {
                bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
            } else {
                bytes
            };
            if bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let record = match std::str::from_utf8(bytes) {
                Err(error) => Err(utf8_error("", error)),
                Ok(text) => match serde_json::from_str::<serde_json::Value>(text) {
                    Err(error) => Err(FieldError::new(
                        "",
                        "invalid_json",
                        format!("JSON invalide à la colonne {} : {}", error.column(), error),
                    )),
                    Ok(value) => IncomingMessage::from_json(&value),
                },
            };
            return Some(Ok(ReadRecord {
                line: self.line,
                record,
                bytes_read: self.bytes_read,
            }));
        }
    }
}

/// Reads CSV with a header row naming the fields (any order; unknown columns refused).
pub struct CsvReader<R: std::io::Read> {
    reader: csv::Reader<R>,
    columns: Vec<Option<usize>>,
    header_error: Option<FieldError>,
    record: csv::ByteRecord,
}

impl<R: std::io::Read> CsvReader<R> {
    pub fn new(input: R) -> Self {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .from_reader(input);
        let mut header_error = None;
        let mut columns = Vec::new();
        match reader.byte_headers() {
            Ok(headers) => {
                for header in headers {
                    let name = String::from_utf8_lossy(header);
                    let name = name.trim().trim_start_matches('\u{feff}');
                    match FIELDS.iter().position(|field| *field == name) {
                        Some(index) => columns.push(Some(index)),
                        None => {
                            header_error.get_or_insert_with(|| {
                                FieldError::new(
                                    name,
                                    "unknown_field",
                                    format!(
                                        "colonne inconnue (colonnes permises : {})",
                                        FIELDS.join(", ")
                                    ),
                                )
                            });
                            columns.push(None);
                        }
                    }
                }
            }
            Err(error) => {
                header_error = Some(FieldError::new("", "invalid_csv", error.to_string()))
            }
        }
        CsvReader {
            reader,
            columns,
            header_error,
            record: csv::ByteRecord::new(),
        }
    }

    /// The header's problem, if any: then no record is read.
    pub fn header_error(&self) -> Option<&FieldError> {
        self.header_error.as_ref()
    }
}

impl<R: std::io::Read> Iterator for CsvReader<R> {
    type Item = Result<ReadRecord, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.header_error.is_some() {
            return None;
        }
        let more = match self.reader.read_byte_record(&mut self.record) {
            Ok(more) => more,
            Err(error) => {
                let line = error.position().map_or(0, csv::Position::line);
                if let csv::ErrorKind::Io(_) = error.kind() {
                    return Some(Err(ReadError {
                        line,
                        source: std::io::Error::other(error.to_string()),
                    }));
                }
                return Some(Ok(ReadRecord {
                    line,
                    record: Err(FieldError::new("", "invalid_csv", error.to_string())),
                    bytes_read: self.reader.position().byte(),
                }));
            }
        };
        if !more {
            return None;
        }
        let line = self.record.position().map_or(0, csv::Position::line);
        let mut message = IncomingMessage::default();
        let mut problem = None;
        for (column, bytes) in self.record.iter().enumerate() {
            let Some(Some(field_index)) = self.columns.get(column) else {
                problem.get_or_insert_with(|| {
                    FieldError::new(
                        "",
                        "extra_column",
                        format!("colonne {} en trop", column + 1),
                    )
                });
                continue;
            };
            let field = FIELDS[*field_index];
            match std::str::from_utf8(bytes) {
                Err(error) => {
                    problem.get_or_insert_with(|| utf8_error(field, error));
                }
                Ok(text) => {
                    let value = Some(text.to_owned());
                    match field {
                        "network" => message.network = value,
                        "account" => message.account = value,
                        "external_id" => message.external_id = value,
                        "thread" => message.thread = value,
                        "author" => message.author = value,
                        "author_name" => message.author_name = value,
                        "text" => message.text = value,
                        "kind" => message.kind = value,
                        "received_at" => message.received_at = value,
                        _ => message.automatic = value,
                    }
                }
            }
        }
        let record = match problem {
            Some(problem) => Err(problem),
            None => Ok(message),
        };
        Some(Ok(ReadRecord {
            line,
            record,
            bytes_read: self.reader.position().byte(),
        }))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn json_lines_report_bad_lines_and_keep_going() {
        let input: &[u8] =
            b"{\"network\":\"facebook\"}\n\n{oops\n{\"text\":\"caf\xC3\"}\n{\"text\":\"ok\"}\n";
        let records: Vec<ReadRecord> = JsonLinesReader::new(input).map(Result::unwrap).collect();
        let summary: Vec<(u64, Option<&str>)> = records
            .iter()
            .map(|read| {
                (
                    read.line,
                    read.record.as_ref().err().map(|error| error.code),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (1, None),
                (3, Some("invalid_json")),
                (4, Some("invalid_utf8")),
                (5, None)
            ]
        );
    }

    #[test]
    fn csv_reads_fields_by_header_and_reports_invalid_utf8_per_field() {
        let input: &[u8] =
            b"network,text,kind\nfacebook,\"deux\nlignes\",comment\nx,caf\xC3,reply\n";
        let records: Vec<ReadRecord> = CsvReader::new(input).map(Result::unwrap).collect();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].line, 2);
        assert_eq!(
            records[0].record.as_ref().unwrap().text.as_deref(),
            Some("deux\nlignes")
        );
        assert_eq!(records[1].line, 4);
        let error = records[1].record.as_ref().unwrap_err();
        assert_eq!((error.field.as_str(), error.code), ("text", "invalid_utf8"));
    }

    #[test]
    fn format_is_taken_from_the_extension_then_the_content() {
        assert_eq!(
            Format::detect(std::path::Path::new("a.csv"), b"{"),
            Format::Csv
        );
        assert_eq!(
            Format::detect(std::path::Path::new("a.txt"), b"  {\"a\":1}"),
            Format::JsonLines
        );
        assert_eq!(
            Format::detect(std::path::Path::new("a"), b"network,text"),
            Format::Csv
        );
    }
}
