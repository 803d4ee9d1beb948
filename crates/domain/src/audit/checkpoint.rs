//! Signed checkpoints of the chain's head, and the published form in which
//! outsiders keep copies of them.

use serde::{Deserialize, Serialize};

use super::keys::PublicKey;
use crate::Invalid;

/// A new checkpoint is due a day after the last one…
pub const CHECKPOINT_EVERY_MS: i64 = 24 * 3600 * 1000;
/// …or this many entries after it, whichever comes first.
pub const CHECKPOINT_EVERY_ENTRIES: i64 = 1000;

/// What the published document says it is.
pub const DOCUMENT_FORMAT: &str = "chance-navi audit checkpoints v1";
pub const SIGNATURE_ALGORITHM: &str = "Ed25519";

/// "The chain held `seq` entries, the newest with hash `head_hash`, at
/// `at`; entries from `keyed_from` on carry keyed hashes", signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    /// The newest entry's hash; empty for a checkpoint of the empty chain.
    pub head_hash: String,
    /// Milliseconds since the Unix epoch, UTC.
    pub at: i64,
    pub keyed_from: i64,
    /// Ed25519 signature of `message()`, 128 hexadecimal digits.
    pub signature: String,
}

impl Checkpoint {
    /// The signed text: ASCII lines that anyone can rebuild from the published
    /// fields and check with any Ed25519 library and the public key.
    pub fn message(&self) -> String {
        format!(
            "chance-navi audit checkpoint v1\nseq={}\nhead_hash={}\nat={}\nkeyed_from={}\n",
            self.seq, self.head_hash, self.at, self.keyed_from
        )
    }

    /// Lines for a report (the monthly report quotes the newest checkpoint).
    pub fn report(&self, public_key: &PublicKey) -> String {
        format!(
            "監査ログのチェックポイント\n\
             記録の番号: {}\n\
             最新の記録のハッシュ: {}\n\
             作成日時: {}\n\
             鍵付きハッシュの開始番号: {}\n\
             署名（Ed25519）: {}\n\
             公開鍵: {}\n",
            self.seq,
            if self.head_hash.is_empty() {
                "（記録なし）"
            } else {
                &self.head_hash
            },
            crate::time::jst_rfc3339(self.at),
            self.keyed_from,
            self.signature,
            public_key.to_hex()
        )
    }
}

/// Whether the node holding the schedule should make a checkpoint now:
/// something was appended since the newest one, and it is a day old or that
/// many entries behind (or there is none yet).
pub fn checkpoint_due(newest: Option<&Checkpoint>, head_seq: i64, now: i64) -> bool {
    match newest {
        None => head_seq > 0,
        Some(cp) => {
            head_seq > cp.seq
                && (now - cp.at >= CHECKPOINT_EVERY_MS
                    || head_seq - cp.seq >= CHECKPOINT_EVERY_ENTRIES)
        }
    }
}

/// The published list of checkpoints (`/audit/checkpoints.json`), which
/// `chance-navi audit verify --checkpoints FILE` reads back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointDocument {
    pub format: String,
    pub algorithm: String,
    /// The Ed25519 public key, 64 hexadecimal digits.
    pub public_key: String,
    /// Newest first.
    pub checkpoints: Vec<PublishedCheckpoint>,
}

/// One checkpoint as published: the signed fields, and the time for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedCheckpoint {
    pub seq: i64,
    pub head_hash: String,
    /// Milliseconds since the Unix epoch (signed).
    pub at: i64,
    /// `at` in Japan time, RFC 3339 (not signed; ignored when read back).
    #[serde(default)]
    pub time: String,
    pub keyed_from: i64,
    pub signature: String,
}

impl From<&Checkpoint> for PublishedCheckpoint {
    fn from(cp: &Checkpoint) -> Self {
        PublishedCheckpoint {
            seq: cp.seq,
            head_hash: cp.head_hash.clone(),
            at: cp.at,
            time: crate::time::jst_rfc3339(cp.at),
            keyed_from: cp.keyed_from,
            signature: cp.signature.clone(),
        }
    }
}

impl CheckpointDocument {
    pub fn new(public_key: &PublicKey, checkpoints: &[Checkpoint]) -> CheckpointDocument {
        CheckpointDocument {
            format: DOCUMENT_FORMAT.to_owned(),
            algorithm: SIGNATURE_ALGORITHM.to_owned(),
            public_key: public_key.to_hex(),
            checkpoints: checkpoints.iter().map(PublishedCheckpoint::from).collect(),
        }
    }

    /// The document's key and checkpoints, once it says it is what it should be.
    /// Signatures are not checked here: the verifier checks each against the
    /// server's own key.
    pub fn read(self) -> Result<(PublicKey, Vec<Checkpoint>), Invalid> {
        if self.format != DOCUMENT_FORMAT {
            return Err(Invalid::new(format!(
                "format {:?} is not {DOCUMENT_FORMAT:?}",
                self.format
            )));
        }
        if self.algorithm != SIGNATURE_ALGORITHM {
            return Err(Invalid::new(format!(
                "algorithm {:?} is not {SIGNATURE_ALGORITHM}",
                self.algorithm
            )));
        }
        let key = PublicKey::parse(&self.public_key).map_err(|e| Invalid::new(e.to_string()))?;
        let checkpoints = self
            .checkpoints
            .into_iter()
            .map(|p| Checkpoint {
                seq: p.seq,
                head_hash: p.head_hash,
                at: p.at,
                keyed_from: p.keyed_from,
                signature: p.signature,
            })
            .collect();
        Ok((key, checkpoints))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{AuditKeys, AuditSecret};

    fn cp(seq: i64, at: i64) -> Checkpoint {
        Checkpoint {
            seq,
            head_hash: "h".into(),
            at,
            keyed_from: 1,
            signature: String::new(),
        }
    }

    #[test]
    fn a_checkpoint_is_due_a_day_or_a_thousand_entries_after_the_last_once_the_head_moved() {
        let day = CHECKPOINT_EVERY_MS;
        assert!(!checkpoint_due(None, 0, 0), "nothing to pin yet");
        assert!(
            checkpoint_due(None, 1, 0),
            "the first entry, or an upgraded chain"
        );
        assert!(
            !checkpoint_due(Some(&cp(5, 0)), 5, 10 * day),
            "head unchanged"
        );
        assert!(!checkpoint_due(Some(&cp(5, 0)), 6, day - 1));
        assert!(checkpoint_due(Some(&cp(5, 0)), 6, day));
        assert!(!checkpoint_due(
            Some(&cp(5, 0)),
            5 + CHECKPOINT_EVERY_ENTRIES - 1,
            1
        ));
        assert!(checkpoint_due(
            Some(&cp(5, 0)),
            5 + CHECKPOINT_EVERY_ENTRIES,
            1
        ));
    }

    #[test]
    fn the_signed_message_is_plain_ascii_lines() {
        assert_eq!(
            cp(3, 1_700_000_000_000).message(),
            "chance-navi audit checkpoint v1\nseq=3\nhead_hash=h\nat=1700000000000\nkeyed_from=1\n"
        );
    }

    #[test]
    fn the_published_document_reads_back_what_was_signed() {
        let keys = AuditKeys::derive(&AuditSecret::from_bytes([9; 32]));
        let cps = vec![
            keys.checkpoint(2, &"b".repeat(64), 1_700_000_100_000, 1),
            keys.checkpoint(1, &"a".repeat(64), 1_700_000_000_000, 1),
        ];
        let doc = CheckpointDocument::new(&keys.public_key(), &cps);
        assert_eq!(doc.checkpoints[0].time, "2023-11-15T07:15:00+09:00");
        let (key, read) = doc.clone().read().unwrap();
        assert_eq!(key, keys.public_key());
        assert_eq!(read, cps);
        assert!(read.iter().all(|c| key.verifies(c)));
        let other = CheckpointDocument {
            format: "something else".into(),
            ..doc.clone()
        };
        assert!(other.read().is_err());
        let bad_key = CheckpointDocument {
            public_key: "xyz".into(),
            ..doc
        };
        assert!(bad_key.read().is_err());
    }

    #[test]
    fn the_report_names_the_checkpoint_in_japanese() {
        let keys = AuditKeys::derive(&AuditSecret::from_bytes([9; 32]));
        let c = keys.checkpoint(42, &"c".repeat(64), 1_700_000_000_000, 1);
        let text = c.report(&keys.public_key());
        assert!(text.contains("記録の番号: 42"), "{text}");
        assert!(text.contains(&c.signature), "{text}");
        assert!(text.contains(&keys.public_key().to_hex()), "{text}");
        assert!(text.contains("2023-11-15T07:13:20+09:00"), "{text}");
    }
}
