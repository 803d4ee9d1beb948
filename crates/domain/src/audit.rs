//! The audit log's hash chain: each entry's hash covers its own fields and the
//! previous entry's hash, so an edited, inserted or deleted entry breaks every
//! hash after it.
//!
//! Since version 2 the hash is keyed (HMAC-SHA-256) with a key that is never in
//! the database, so someone who can only write to the database cannot rewrite
//! an entry and recompute the hashes after it. Entries written before the key
//! existed (version 1, plain SHA-256) stay as they were; the chain records from
//! which entry on hashes are keyed, and signed checkpoints of the head pin both
//! that boundary and the head, so that deleting the newest entries is found
//! too (see `docs/decisions/0006-audit-chain-anchored-outside.md`).

pub mod actions;
mod chain;
mod checkpoint;
mod keys;

use sha2::{Digest, Sha256};

pub use actions::{ACTIONS, action_label};
pub use chain::{Break, ChainCheck, ChainSummary, StoredEntry};
pub use checkpoint::{
    CHECKPOINT_EVERY_ENTRIES, CHECKPOINT_EVERY_MS, Checkpoint, CheckpointDocument, DOCUMENT_FORMAT,
    PublishedCheckpoint, SIGNATURE_ALGORITHM, checkpoint_due,
};
pub use keys::{AuditKeys, AuditSecret, KeyError, PublicKey};

/// The fields of an entry that its hash covers, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFields<'a> {
    pub seq: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_label: &'a str,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: &'a str,
    pub detail: &'a str,
    pub ip: Option<&'a str>,
}

/// Feeds the version tag, the previous hash and every field to `update`,
/// each length-prefixed so that no two different entries serialise alike.
fn serialise(tag: &[u8], prev_hash: &str, f: &AuditFields<'_>, update: &mut dyn FnMut(&[u8])) {
    let mut field = |bytes: &[u8]| {
        update(&(bytes.len() as u64).to_be_bytes());
        update(bytes);
    };
    field(tag);
    field(prev_hash.as_bytes());
    field(&f.seq.to_be_bytes());
    field(&f.at.to_be_bytes());
    match f.actor_id {
        Some(id) => field(&id.to_be_bytes()),
        None => field(b""),
    }
    field(f.actor_label.as_bytes());
    field(f.action.as_bytes());
    field(f.target_type.as_bytes());
    field(f.target_id.as_bytes());
    field(f.detail.as_bytes());
    field(f.ip.unwrap_or("").as_bytes());
}

/// Version 1, for entries written before the audit key existed: SHA-256 over
/// the previous hash and every field, without a key. Lower-case hex.
pub fn unkeyed_entry_hash(prev_hash: &str, f: &AuditFields<'_>) -> String {
    let mut h = Sha256::new();
    serialise(b"chance-navi audit v1", prev_hash, f, &mut |b| h.update(b));
    hex(&h.finalize())
}

/// SHA-256 of a secret token, for storing tokens and session ids without the tokens themselves.
pub fn token_hash(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

/// SHA-256 of any bytes, lowercase hex (files, sealed contents).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// Exactly `N` bytes from hexadecimal digits (either case), or None.
fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let t = text.as_bytes();
    if t.len() != 2 * N {
        return None;
    }
    let digit = |c: u8| {
        char::from(c)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = digit(t[2 * i])? << 4 | digit(t[2 * i + 1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn fields(detail: &str) -> AuditFields<'_> {
        AuditFields {
            seq: 1,
            at: 1_700_000_000_000,
            actor_id: Some(7),
            actor_label: "運営者 山田",
            action: "company.approve",
            target_type: "company",
            target_id: "42",
            detail,
            ip: Some("192.0.2.1"),
        }
    }

    #[test]
    fn the_hash_depends_on_every_field_and_on_the_previous_hash() {
        let keys = AuditKeys::derive(&AuditSecret::from_bytes([7; 32]));
        for hash in [
            &unkeyed_entry_hash as &dyn Fn(&str, &AuditFields<'_>) -> String,
            &|p: &str, f: &AuditFields<'_>| keys.entry_hash(p, f),
        ] {
            let base = hash("", &fields("{}"));
            assert_eq!(base.len(), 64);
            assert_eq!(base, hash("", &fields("{}")), "deterministic");
            assert_ne!(base, hash("x", &fields("{}")));
            assert_ne!(base, hash("", &fields("{ }")));
            let mut other = fields("{}");
            other.actor_id = None;
            assert_ne!(base, hash("", &other));
            let mut moved = fields("{}");
            moved.target_type = "compan";
            moved.target_id = "y42";
            assert_ne!(base, hash("", &moved), "length prefixes keep fields apart");
        }
    }

    #[test]
    fn the_unkeyed_hash_of_version_1_is_unchanged() {
        // Entries written before the upgrade must still verify: this value is
        // what the version 1 code computed for these fields.
        assert_eq!(
            unkeyed_entry_hash("", &fields("{}")),
            "18a23903a821b4ee14104df7934e62b74413d5c1ae6703123fa250aad0664703"
        );
    }

    #[test]
    fn keyed_and_unkeyed_hashes_differ_and_depend_on_the_key() {
        let a = AuditKeys::derive(&AuditSecret::from_bytes([1; 32]));
        let b = AuditKeys::derive(&AuditSecret::from_bytes([2; 32]));
        let f = fields("{}");
        assert_ne!(a.entry_hash("", &f), unkeyed_entry_hash("", &f));
        assert_ne!(a.entry_hash("", &f), b.entry_hash("", &f));
    }

    #[test]
    fn token_hashes_are_sha256_hex() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn hex_round_trips_and_refuses_other_lengths_and_digits() {
        let bytes = [0u8, 1, 0xab, 0xff];
        assert_eq!(unhex::<4>(&hex(&bytes)), Some(bytes));
        assert_eq!(unhex::<4>("0001ABFF"), Some(bytes));
        assert_eq!(unhex::<4>("0001abf"), None);
        assert_eq!(unhex::<4>("0001abfg"), None);
        assert_eq!(
            unhex::<2>("０１２３"),
            None,
            "full-width digits are not hex"
        );
    }
}
