//! The audit log's hash chain (R-81): the canonical serialisation of an entry, its hash, and
//! the walk that finds the first altered, deleted or inserted entry. Pure: the backends feed
//! it rows.
//!
//! # Canonical serialisation
//!
//! An entry's canonical content is the compact JSON array, as written by `serde_json`
//! (no white space; strings escaped as JSON requires, non-ASCII kept as UTF-8):
//!
//! ```text
//! [at, actor, action, entity_kind, entity_id, before_json, after_json, rule]
//! ```
//!
//! where `at` is an integer (microseconds since the Unix epoch, UTC), `before_json`,
//! `after_json` and `rule` are strings or `null`, and the others strings, all exactly as
//! stored in `audit_log`. The entry's hash is the lowercase hex SHA-256 of the ASCII bytes of
//! the previous entry's hash (64 `0` for the first entry) followed by the UTF-8 bytes of the
//! canonical content.
//!
//! The sequence number is deliberately not hashed: an entry's place is protected by the
//! link to its predecessor, and leaving the number out lets verify tell an inserted entry
//! (the log was renumbered around it, but the chain skips it) from an altered one.

use sha2::{Digest, Sha256};

use domain::audit::{ChainBreak, ChainBreakKind};

/// The previous hash of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry's stored columns, as verify reads them back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredAuditRow {
    /// `sequence_number`.
    pub sequence: i64,
    /// `at`, microseconds since the epoch.
    pub at_microseconds: i64,
    /// `actor`.
    pub actor: String,
    /// `action`.
    pub action: String,
    /// `entity_kind`.
    pub entity_kind: String,
    /// `entity_id`.
    pub entity_id: String,
    /// `before_json`.
    pub before_json: Option<String>,
    /// `after_json`.
    pub after_json: Option<String>,
    /// `rule`.
    pub rule: Option<String>,
    /// `prev_hash`.
    pub prev_hash: String,
    /// `hash`.
    pub hash: String,
}

/// The canonical content of an entry (see the module documentation).
pub fn canonical_content(row: &StoredAuditRow) -> String {
    serde_json::Value::Array(vec![
        serde_json::Value::from(row.at_microseconds),
        serde_json::Value::from(row.actor.as_str()),
        serde_json::Value::from(row.action.as_str()),
        serde_json::Value::from(row.entity_kind.as_str()),
        serde_json::Value::from(row.entity_id.as_str()),
        row.before_json.as_deref().map_or(serde_json::Value::Null, serde_json::Value::from),
        row.after_json.as_deref().map_or(serde_json::Value::Null, serde_json::Value::from),
        row.rule.as_deref().map_or(serde_json::Value::Null, serde_json::Value::from),
    ])
    .to_string()
}

/// The hash of an entry whose predecessor's hash is `prev_hash`.
pub fn entry_hash(prev_hash: &str, row: &StoredAuditRow) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(canonical_content(row).as_bytes());
    hex::encode(hasher.finalize())
}

/// Walks the chain one entry at a time, with one entry of look-ahead, and stops at the
/// first break.
///
/// How each break is named:
/// - **altered**: the entry's content no longer gives its hash;
/// - **deleted**: a gap in the sequence numbers (the first missing number is named), an entry
///   that links neither to its predecessor nor to anything around it (entries were cut and
///   the log renumbered; the entry after the cut is named), or a head row that records more
///   entries than the log holds;
/// - **inserted**: an entry the chain skips, i.e. the next entry links to this entry's
///   predecessor, or this entry does not link but the next one links to its predecessor;
///   or entries beyond the head row.
///
/// An entry altered and then re-hashed by someone who knows the algorithm reads as a cut
/// just after it: the chain cannot say which, only where.
#[derive(Debug)]
pub struct ChainWalker {
    previous: Option<StoredAuditRow>,
    pending: Option<StoredAuditRow>,
    verified: u64,
    broken: Option<ChainBreak>,
}

impl Default for ChainWalker {
    fn default() -> Self {
        Self::new()
    }
}

impl ChainWalker {
    /// A walk from the start of the log.
    pub fn new() -> Self {
        ChainWalker { previous: None, pending: None, verified: 0, broken: None }
    }

    /// The first break found so far.
    pub fn broken(&self) -> Option<&ChainBreak> {
        self.broken.as_ref()
    }

    /// Feeds the next row in sequence order.
    pub fn push(&mut self, row: StoredAuditRow) {
        if self.broken.is_some() {
            return;
        }
        if let Some(pending) = self.pending.take() {
            self.check(pending, Some(&row));
        }
        self.pending = Some(row);
    }

    /// Ends the walk against the head row (`head_sequence`, `head_hash`); returns the number
    /// of entries verified, or the first break.
    pub fn finish(mut self, head_sequence: i64, head_hash: &str) -> Result<u64, ChainBreak> {
        if let Some(pending) = self.pending.take() {
            self.check(pending, None);
        }
        if let Some(broken) = self.broken {
            return Err(broken);
        }
        let (last_sequence, last_hash) = match &self.previous {
            Some(last) => (last.sequence, last.hash.as_str()),
            None => (0, GENESIS_HASH),
        };
        if head_sequence > last_sequence {
            return Err(ChainBreak {
                sequence: to_u64(last_sequence + 1),
                kind: ChainBreakKind::Deleted,
                detail: format!(
                    "le journal s'arrête à l'entrée {last_sequence} alors que sa tête en compte {head_sequence} : des entrées finales ont été supprimées"
                ),
            });
        }
        if head_sequence < last_sequence {
            return Err(ChainBreak {
                sequence: to_u64(head_sequence + 1),
                kind: ChainBreakKind::Inserted,
                detail: format!(
                    "l'entrée {} suit la dernière entrée enregistrée ({head_sequence}) : elle a été ajoutée hors de Balise",
                    head_sequence + 1
                ),
            });
        }
        if head_hash != last_hash {
            return Err(ChainBreak {
                sequence: to_u64(last_sequence),
                kind: ChainBreakKind::Altered,
                detail: format!(
                    "l'empreinte de l'entrée {last_sequence} ne correspond pas à celle que la tête du journal a enregistrée"
                ),
            });
        }
        Ok(self.verified)
    }

    fn check(&mut self, row: StoredAuditRow, next: Option<&StoredAuditRow>) {
        if self.broken.is_some() {
            return;
        }
        let expected_sequence = self.previous.as_ref().map_or(1, |previous| previous.sequence + 1);
        let expected_prev_hash =
            self.previous.as_ref().map_or(GENESIS_HASH, |previous| previous.hash.as_str());

        if entry_hash(&row.prev_hash, &row) != row.hash {
            self.broken = Some(ChainBreak {
                sequence: to_u64(row.sequence),
                kind: ChainBreakKind::Altered,
                detail: format!(
                    "le contenu de l'entrée {} ne correspond plus à son empreinte",
                    row.sequence
                ),
            });
            return;
        }
        if row.sequence != expected_sequence {
            self.broken = Some(ChainBreak {
                sequence: to_u64(expected_sequence),
                kind: ChainBreakKind::Deleted,
                detail: format!(
                    "les entrées {expected_sequence} à {} manquent",
                    row.sequence - 1
                ),
            });
            return;
        }
        if row.prev_hash != expected_prev_hash {
            let predecessor_of_previous =
                self.previous.as_ref().map(|previous| previous.prev_hash.as_str());
            if predecessor_of_previous == Some(row.prev_hash.as_str()) {
                let inserted = self.previous.as_ref().map_or(0, |previous| previous.sequence);
                self.broken = Some(ChainBreak {
                    sequence: to_u64(inserted),
                    kind: ChainBreakKind::Inserted,
                    detail: format!(
                        "l'entrée {inserted} a été insérée : l'entrée {} se rattache à celle qui la précède",
                        row.sequence
                    ),
                });
            } else if next.is_some_and(|next| next.prev_hash == expected_prev_hash) {
                self.broken = Some(ChainBreak {
                    sequence: to_u64(row.sequence),
                    kind: ChainBreakKind::Inserted,
                    detail: format!(
                        "l'entrée {} ne se rattache pas à la chaîne, qui reprend après elle : elle a été insérée",
                        row.sequence
                    ),
                });
            } else {
                self.broken = Some(ChainBreak {
                    sequence: to_u64(row.sequence),
                    kind: ChainBreakKind::Deleted,
                    detail: format!(
                        "l'entrée {} ne se rattache pas à l'entrée qui la précède : des entrées ont été supprimées avant elle (ou la précédente a été modifiée puis recalculée)",
                        row.sequence
                    ),
                });
            }
            return;
        }
        self.verified += 1;
        self.previous = Some(row);
    }
}

fn to_u64(sequence: i64) -> u64 {
    u64::try_from(sequence).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn chain(length: i64) -> Vec<StoredAuditRow> {
        let mut rows = Vec::new();
        let mut prev_hash = GENESIS_HASH.to_owned();
        for sequence in 1..=length {
            let mut row = StoredAuditRow {
                sequence,
                at_microseconds: 1_700_000_000_000_000 + sequence,
                actor: "system:test".into(),
                action: "thing_done".into(),
                entity_kind: "other".into(),
                entity_id: format!("e{sequence}"),
                before_json: None,
                after_json: Some(format!("{{\"n\":{sequence}}}")),
                rule: None,
                prev_hash: prev_hash.clone(),
                hash: String::new(),
            };
            row.hash = entry_hash(&prev_hash, &row);
            prev_hash = row.hash.clone();
            rows.push(row);
        }
        rows
    }

    fn walk(rows: Vec<StoredAuditRow>, head_sequence: i64, head_hash: &str) -> Result<u64, ChainBreak> {
        let mut walker = ChainWalker::new();
        for row in rows {
            walker.push(row);
        }
        walker.finish(head_sequence, head_hash)
    }

    #[test]
    fn canonical_content_is_the_documented_array() {
        let row = &chain(1)[0];
        assert_eq!(
            canonical_content(row),
            r#"[1700000000000001,"system:test","thing_done","other","e1",null,"{\"n\":1}",null]"#
        );
    }

    #[test]
    fn intact_chain_verifies() {
        let rows = chain(5);
        let head = rows[4].hash.clone();
        assert_eq!(walk(rows, 5, &head), Ok(5));
        assert_eq!(walk(Vec::new(), 0, GENESIS_HASH), Ok(0));
    }

    #[test]
    fn altered_content_is_named() {
        let mut rows = chain(5);
        let head = rows[4].hash.clone();
        rows[2].after_json = Some("{\"n\":999}".into());
        let broken = walk(rows, 5, &head).unwrap_err();
        assert_eq!((broken.sequence, broken.kind), (3, ChainBreakKind::Altered));
    }

    #[test]
    fn gap_is_a_deletion_of_the_first_missing_number() {
        let mut rows = chain(5);
        let head = rows[4].hash.clone();
        rows.remove(2);
        let broken = walk(rows, 5, &head).unwrap_err();
        assert_eq!((broken.sequence, broken.kind), (3, ChainBreakKind::Deleted));
    }

    #[test]
    fn renumbered_deletion_is_named_at_the_entry_after_the_cut() {
        let mut rows = chain(5);
        let head = rows[4].hash.clone();
        rows.remove(2);
        for row in rows.iter_mut().skip(2) {
            row.sequence -= 1;
        }
        let broken = walk(rows, 4, &head).unwrap_err();
        assert_eq!((broken.sequence, broken.kind), (3, ChainBreakKind::Deleted));
    }

    #[test]
    fn forged_entry_linked_to_its_predecessor_is_an_insertion() {
        let mut rows = chain(5);
        let head = rows[4].hash.clone();
        let mut forged = rows[1].clone();
        forged.entity_id = "forged".into();
        forged.prev_hash = rows[1].hash.clone();
        forged.hash = entry_hash(&forged.prev_hash, &forged);
        rows.insert(2, forged);
        for (index, row) in rows.iter_mut().enumerate() {
            row.sequence = i64::try_from(index).unwrap() + 1;
        }
        let broken = walk(rows, 6, &head).unwrap_err();
        assert_eq!((broken.sequence, broken.kind), (3, ChainBreakKind::Inserted));
    }

    #[test]
    fn unlinked_entry_the_chain_skips_is_an_insertion() {
        let mut rows = chain(5);
        let head = rows[4].hash.clone();
        let mut forged = rows[1].clone();
        forged.prev_hash = "f".repeat(64);
        forged.hash = entry_hash(&forged.prev_hash, &forged);
        rows.insert(2, forged);
        for (index, row) in rows.iter_mut().enumerate() {
            row.sequence = i64::try_from(index).unwrap() + 1;
        }
        let broken = walk(rows, 6, &head).unwrap_err();
        assert_eq!((broken.sequence, broken.kind), (3, ChainBreakKind::Inserted));
    }

    #[test]
    fn truncated_tail_and_appended_tail_are_caught_by_the_head() {
        let mut rows = chain(5);
        let head = rows[4].hash.clone();
        rows.pop();
        let broken = walk(rows.clone(), 5, &head).unwrap_err();
        assert_eq!((broken.sequence, broken.kind), (5, ChainBreakKind::Deleted));
        let head_of_three = rows[2].hash.clone();
        let broken = walk(rows, 3, &head_of_three).unwrap_err();
        assert_eq!((broken.sequence, broken.kind), (4, ChainBreakKind::Inserted));
    }
}
