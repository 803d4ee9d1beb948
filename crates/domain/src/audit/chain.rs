//! Checking a stored chain: every entry's hash (keyed from the boundary on),
//! every link, the head, and the checkpoints it must still contain.

use std::collections::BTreeMap;

use super::checkpoint::Checkpoint;
use super::keys::{AuditKeys, PublicKey};
use super::{AuditFields, unkeyed_entry_hash};

/// An entry as read back, with the hashes stored beside it.
#[derive(Debug, Clone)]
pub struct StoredEntry<'a> {
    pub fields: AuditFields<'a>,
    pub prev_hash: &'a str,
    pub hash: &'a str,
}

/// The first entry that does not fit, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    pub seq: i64,
    pub why: String,
}

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainSummary {
    /// Entries that were checked and fit.
    pub entries: i64,
    /// The first entry whose hash is keyed (the ones before are version 1).
    pub keyed_from: i64,
    /// Checkpoints the chain was held to.
    pub checkpoints: usize,
    /// The lowest entry found wrong; `None` when the chain is whole.
    pub first_broken: Option<Break>,
}

/// Fed the entries in order of `seq`, then the head; see `finish`.
#[derive(Debug)]
pub struct ChainCheck<'k> {
    keys: &'k AuditKeys,
    public: PublicKey,
    keyed_from: i64,
    start: i64,
    next_seq: i64,
    /// The hash the next entry must name as its previous; unknown for the
    /// first entry of a check that resumes at a checkpoint (which pins it).
    prev: Option<String>,
    /// seq → (hash, who saw it).
    pins: BTreeMap<i64, Vec<(String, String)>>,
    checkpoints: usize,
    breaks: Vec<Break>,
    stopped: bool,
}

impl<'k> ChainCheck<'k> {
    /// A check of the whole chain; `keyed_from` is the boundary the database records.
    pub fn new(keys: &'k AuditKeys, keyed_from: i64) -> Self {
        let mut check = Self::resume_at(keys, keyed_from, 1);
        check.prev = Some(String::new());
        check
    }

    /// A check of the entries from `seq` on; the caller pins a checkpoint at
    /// `seq`, which vouches for everything before it.
    pub fn resume_at(keys: &'k AuditKeys, keyed_from: i64, seq: i64) -> Self {
        let mut breaks = Vec::new();
        if keyed_from < 1 {
            breaks.push(Break {
                seq: 1,
                why: format!("the database says keyed hashes begin at entry {keyed_from}"),
            });
        }
        ChainCheck {
            keys,
            public: keys.public_key(),
            keyed_from,
            start: seq.max(1),
            next_seq: seq.max(1),
            prev: None,
            pins: BTreeMap::new(),
            checkpoints: 0,
            breaks,
            stopped: false,
        }
    }

    /// Holds the chain to `cp`: the entry at its `seq` must have its hash,
    /// and the boundary must be the one it states. `origin` names it in
    /// messages. Refused, with the reason, unless this server's key signed it.
    pub fn pin(&mut self, cp: &Checkpoint, origin: &str) -> Result<(), String> {
        if !self.public.verifies(cp) {
            return Err(format!(
                "{origin} (entry {}) is refused: its signature is not this server's audit key's",
                cp.seq
            ));
        }
        if cp.keyed_from != self.keyed_from {
            self.breaks.push(Break {
                seq: cp.keyed_from.min(self.keyed_from).max(1),
                why: format!(
                    "the database says keyed hashes begin at entry {}, but {origin} says {}: the boundary was moved",
                    self.keyed_from, cp.keyed_from
                ),
            });
        }
        if cp.seq == 0 {
            // The empty chain: nothing to compare.
            self.checkpoints += 1;
        } else if cp.seq >= self.start {
            self.pins
                .entry(cp.seq)
                .or_default()
                .push((cp.head_hash.clone(), origin.to_owned()));
        }
        Ok(())
    }

    /// Whether something was found already (the caller may stop reading).
    pub fn is_broken(&self) -> bool {
        self.stopped || !self.breaks.is_empty()
    }

    fn stop(&mut self, seq: i64, why: String) -> bool {
        self.breaks.push(Break { seq, why });
        self.stopped = true;
        false
    }

    /// Checks the next entry; false once the chain is broken (read no further).
    pub fn entry(&mut self, e: &StoredEntry<'_>) -> bool {
        if self.stopped {
            return false;
        }
        let seq = e.fields.seq;
        if seq != self.next_seq {
            let expected = self.next_seq;
            return self.stop(
                expected,
                format!("entry {expected} is missing (the next one is {seq})"),
            );
        }
        if self.prev.as_deref().is_some_and(|p| p != e.prev_hash) {
            return self.stop(
                seq,
                format!("entry {seq} does not follow the entry before it (previous hash differs)"),
            );
        }
        let keyed = seq >= self.keyed_from;
        let expected = if keyed {
            self.keys.entry_hash(e.prev_hash, &e.fields)
        } else {
            unkeyed_entry_hash(e.prev_hash, &e.fields)
        };
        if expected != e.hash {
            let why = if keyed {
                format!(
                    "entry {seq} was changed after it was written (its hash is not the one the audit key gives)"
                )
            } else {
                format!("entry {seq} was changed after it was written")
            };
            return self.stop(seq, why);
        }
        if let Some(pins) = self.pins.remove(&seq) {
            for (hash, origin) in pins {
                if hash != e.hash {
                    return self.stop(
                        seq,
                        format!(
                            "entry {seq} is not the one {origin} saw: the chain up to it was rewritten"
                        ),
                    );
                }
                self.checkpoints += 1;
            }
        }
        self.prev = Some(e.hash.to_owned());
        self.next_seq += 1;
        true
    }

    /// Compares the end of what was read with the head (`head_seq`,
    /// `head_hash`) and with every checkpoint not met yet.
    pub fn finish(mut self, head_seq: i64, head_hash: &str) -> ChainSummary {
        let last = self.next_seq - 1;
        if !self.stopped {
            let last_hash = self.prev.clone().unwrap_or_default();
            if head_seq > last {
                self.breaks.push(Break {
                    seq: last + 1,
                    why: format!(
                        "the log ends at entry {last} but {head_seq} were written: the newest entries were deleted"
                    ),
                });
            } else if head_seq < last || (last >= self.start && head_hash != last_hash) {
                self.breaks.push(Break {
                    seq: head_seq.clamp(1, last.max(1)),
                    why: format!(
                        "the head says entry {head_seq} is the newest but the log holds {last}: the head was moved"
                    ),
                });
            }
            if let Some((seq, pins)) = self.pins.range(last + 1..).next() {
                let origin = pins.first().map_or("", |(_, o)| o.as_str());
                self.breaks.push(Break {
                    seq: last + 1,
                    why: format!(
                        "entries {} to {seq} were deleted: {origin} saw entry {seq}, and the log ends at {last}",
                        last + 1
                    ),
                });
            }
            if self.keyed_from > last + 1 {
                self.breaks.push(Break {
                    seq: last + 1,
                    why: format!(
                        "keyed hashes begin at entry {}, but the log ends at {last}: the newest entries were deleted",
                        self.keyed_from
                    ),
                });
            }
        }
        let first_broken = self.breaks.into_iter().min_by_key(|b| b.seq);
        let entries = match &first_broken {
            Some(b) => (b.seq - 1).min(last),
            None => last,
        };
        ChainSummary {
            entries,
            keyed_from: self.keyed_from,
            checkpoints: self.checkpoints,
            first_broken,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::AuditSecret;

    struct Row {
        seq: i64,
        detail: String,
        prev: String,
        hash: String,
    }

    fn fields(r: &Row) -> AuditFields<'_> {
        AuditFields {
            seq: r.seq,
            at: 1_000 + r.seq,
            actor_id: None,
            actor_label: "コマンド test",
            action: "test",
            target_type: "t",
            target_id: "1",
            detail: &r.detail,
            ip: None,
        }
    }

    /// `n` entries, the first `keyed_from - 1` unkeyed.
    fn chain(keys: &AuditKeys, n: i64, keyed_from: i64) -> Vec<Row> {
        let mut rows: Vec<Row> = Vec::new();
        for seq in 1..=n {
            let prev = rows.last().map_or(String::new(), |r| r.hash.clone());
            let mut r = Row {
                seq,
                detail: format!("d{seq}"),
                prev,
                hash: String::new(),
            };
            r.hash = rehash(keys, &r, keyed_from);
            rows.push(r);
        }
        rows
    }

    fn rehash(keys: &AuditKeys, r: &Row, keyed_from: i64) -> String {
        if r.seq >= keyed_from {
            keys.entry_hash(&r.prev, &fields(r))
        } else {
            unkeyed_entry_hash(&r.prev, &fields(r))
        }
    }

    fn check(
        keys: &AuditKeys,
        rows: &[Row],
        keyed_from: i64,
        head: Option<(i64, String)>,
        cps: &[Checkpoint],
    ) -> ChainSummary {
        let mut c = ChainCheck::new(keys, keyed_from);
        for cp in cps {
            c.pin(cp, "the checkpoint").unwrap();
        }
        for r in rows {
            let e = StoredEntry {
                fields: fields(r),
                prev_hash: &r.prev,
                hash: &r.hash,
            };
            if !c.entry(&e) {
                break;
            }
        }
        let (seq, hash) = head.unwrap_or_else(|| {
            rows.last()
                .map_or((0, String::new()), |r| (r.seq, r.hash.clone()))
        });
        c.finish(seq, &hash)
    }

    fn keys(n: u8) -> AuditKeys {
        AuditKeys::derive(&AuditSecret::from_bytes([n; 32]))
    }

    #[test]
    fn an_intact_chain_with_unkeyed_and_keyed_entries_passes() {
        let k = keys(1);
        let rows = chain(&k, 6, 4);
        let cp = k.checkpoint(3, &rows[2].hash, 5, 4);
        let s = check(&k, &rows, 4, None, &[cp]);
        assert_eq!(s.first_broken, None);
        assert_eq!((s.entries, s.checkpoints, s.keyed_from), (6, 1, 4));
    }

    #[test]
    fn rewriting_a_keyed_entry_and_every_later_hash_without_the_key_is_named() {
        let k = keys(1);
        let mut rows = chain(&k, 5, 1);
        // The attacker knows the layout but not the key: the best they can
        // do is an unkeyed (or wrongly keyed) hash for every entry from 3 on.
        let forger = keys(2);
        rows[2].detail = "rewritten".into();
        for i in 2..5 {
            rows[i].prev = if i == 0 {
                String::new()
            } else {
                rows[i - 1].hash.clone()
            };
            rows[i].hash = rehash(&forger, &rows[i], 1);
        }
        let head = (5, rows[4].hash.clone());
        let b = check(&k, &rows, 1, Some(head), &[]).first_broken.unwrap();
        assert_eq!(b.seq, 3);
        assert!(b.why.contains("changed"), "{}", b.why);
    }

    #[test]
    fn moving_the_boundary_to_pass_rewritten_entries_off_as_unkeyed_is_found_by_a_checkpoint() {
        let k = keys(1);
        let mut rows = chain(&k, 5, 1);
        let cp = k.checkpoint(2, &rows[1].hash, 5, 1);
        // Every entry recomputed unkeyed, and the boundary moved past the end.
        rows[3].detail = "rewritten".into();
        for i in 0..5 {
            rows[i].prev = if i == 0 {
                String::new()
            } else {
                rows[i - 1].hash.clone()
            };
            rows[i].hash = rehash(&k, &rows[i], 6);
        }
        let b = check(&k, &rows, 6, None, &[cp]).first_broken.unwrap();
        assert_eq!(b.seq, 1, "{}", b.why);
        assert!(b.why.contains("boundary"), "{}", b.why);
    }

    #[test]
    fn truncation_with_the_head_moved_back_is_found_by_a_kept_checkpoint_only() {
        let k = keys(1);
        let rows = chain(&k, 6, 1);
        let cp = k.checkpoint(6, &rows[5].hash, 9, 1);
        let kept = &rows[..4];
        let head = Some((4, rows[3].hash.clone()));
        assert_eq!(check(&k, kept, 1, head.clone(), &[]).first_broken, None);
        let b = check(&k, kept, 1, head, &[cp]).first_broken.unwrap();
        assert_eq!(b.seq, 5);
        assert!(b.why.contains("deleted"), "{}", b.why);
        assert!(b.why.contains("entries 5 to 6"), "{}", b.why);
    }

    #[test]
    fn truncation_without_moving_the_head_is_found_without_a_checkpoint() {
        let k = keys(1);
        let rows = chain(&k, 5, 1);
        let head = Some((5, rows[4].hash.clone()));
        let b = check(&k, &rows[..3], 1, head, &[]).first_broken.unwrap();
        assert_eq!(b.seq, 4);
        assert!(b.why.contains("deleted"), "{}", b.why);
    }

    #[test]
    fn a_forged_checkpoint_is_refused() {
        let k = keys(1);
        let rows = chain(&k, 3, 1);
        let forged = keys(2).checkpoint(3, &rows[2].hash, 5, 1);
        let mut c = ChainCheck::new(&k, 1);
        let why = c.pin(&forged, "checkpoint #1 of kept.json").unwrap_err();
        assert!(why.contains("kept.json"), "{why}");
        assert!(why.contains("signature"), "{why}");
    }

    #[test]
    fn a_rewritten_unkeyed_prefix_is_found_where_a_checkpoint_pinned_it() {
        let k = keys(1);
        let mut rows = chain(&k, 5, 4);
        let cp = k.checkpoint(3, &rows[2].hash, 5, 4);
        rows[0].detail = "rewritten".into();
        for i in 0..3 {
            rows[i].prev = if i == 0 {
                String::new()
            } else {
                rows[i - 1].hash.clone()
            };
            rows[i].hash = rehash(&k, &rows[i], 4);
        }
        // Unkeyed hashes can be recomputed, but the checkpoint pinned entry 3.
        let b = check(&k, &rows, 4, None, &[cp]).first_broken.unwrap();
        assert_eq!(b.seq, 3, "{b:?}");
        assert!(b.why.contains("rewritten"), "{}", b.why);
    }

    #[test]
    fn a_check_resumed_at_a_checkpoint_reads_only_what_follows() {
        let k = keys(1);
        let rows = chain(&k, 6, 1);
        let cp = k.checkpoint(4, &rows[3].hash, 5, 1);
        let mut c = ChainCheck::resume_at(&k, 1, 4);
        c.pin(&cp, "the newest checkpoint").unwrap();
        for r in &rows[3..] {
            assert!(c.entry(&StoredEntry {
                fields: fields(r),
                prev_hash: &r.prev,
                hash: &r.hash,
            }));
        }
        let s = c.finish(6, &rows[5].hash);
        assert_eq!((s.first_broken, s.checkpoints, s.entries), (None, 1, 6));
    }
}
