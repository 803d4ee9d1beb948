//! The audit log's hash chain: each entry's hash covers its own fields and the
//! previous entry's hash, so an edited, inserted or deleted entry breaks every
//! hash after it.

use sha2::{Digest, Sha256};

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

/// SHA-256 over the previous hash and every field, each length-prefixed so
/// that no two different entries serialise alike. Lower-case hex.
pub fn entry_hash(prev_hash: &str, f: &AuditFields<'_>) -> String {
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    };
    field(b"chance-navi audit v1");
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

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(detail: &str) -> AuditFields<'_> {
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
        let base = entry_hash("", &fields("{}"));
        assert_eq!(base.len(), 64);
        assert_eq!(base, entry_hash("", &fields("{}")), "deterministic");
        assert_ne!(base, entry_hash("x", &fields("{}")));
        assert_ne!(base, entry_hash("", &fields("{ }")));
        let mut other = fields("{}");
        other.actor_id = None;
        assert_ne!(base, entry_hash("", &other));
        let mut moved = fields("{}");
        moved.target_type = "compan";
        moved.target_id = "y42";
        assert_ne!(
            base,
            entry_hash("", &moved),
            "length prefixes keep fields apart"
        );
    }

    #[test]
    fn token_hashes_are_sha256_hex() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
