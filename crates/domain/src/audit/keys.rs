//! The audit key: one secret kept outside the database, from which the key
//! of the entries' keyed hashes and the checkpoints' signing key are derived.

use ring::hmac;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};

use super::checkpoint::Checkpoint;
use super::{AuditFields, hex, serialise, unhex};

/// A key that could not be read. The key itself is never part of the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the audit key must be 64 hexadecimal digits")]
    BadSecret,
    #[error("a public key must be 64 hexadecimal digits")]
    BadPublicKey,
    #[error("the audit key cannot make a signing key")]
    Unusable,
}

/// The audit key as kept in its file or environment variable: 32 random bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditSecret([u8; 32]);

impl std::fmt::Debug for AuditSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditSecret(…)")
    }
}

impl AuditSecret {
    /// From 32 random bytes (the caller draws them: this crate does no I/O).
    pub fn from_bytes(bytes: [u8; 32]) -> AuditSecret {
        AuditSecret(bytes)
    }

    /// From 64 hexadecimal digits; surrounding white space (a key file's
    /// newline) is ignored.
    pub fn parse(text: &str) -> Result<AuditSecret, KeyError> {
        unhex::<32>(text.trim())
            .map(AuditSecret)
            .ok_or(KeyError::BadSecret)
    }

    /// 64 lower-case hexadecimal digits, for a key file.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }
}

/// What the audit key is used for, derived once: the key of the entries'
/// hashes and the checkpoints' Ed25519 key pair.
pub struct AuditKeys {
    entries: hmac::Key,
    signing: Ed25519KeyPair,
}

impl std::fmt::Debug for AuditKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKeys(public key {})", self.public_key().to_hex())
    }
}

impl AuditKeys {
    /// Derives both keys from the secret, each with a label of its own, so
    /// that neither reveals the other (HMAC-SHA-256 as a key derivation).
    pub fn derive(secret: &AuditSecret) -> AuditKeys {
        let root = hmac::Key::new(hmac::HMAC_SHA256, &secret.0);
        let entries = hmac::sign(&root, b"chance-navi audit entries v2");
        let seed = hmac::sign(&root, b"chance-navi audit checkpoints v1");
        // A 32-byte seed is all Ed25519 needs: any value is a valid key.
        let signing = Ed25519KeyPair::from_seed_unchecked(seed.as_ref())
            .unwrap_or_else(|_| unreachable!("an Ed25519 seed of 32 bytes is always accepted"));
        AuditKeys {
            entries: hmac::Key::new(hmac::HMAC_SHA256, entries.as_ref()),
            signing,
        }
    }

    /// Version 2: HMAC-SHA-256 under the audit key over the previous hash and
    /// every field (serialised as in version 1, with another tag). Lower-case hex.
    pub fn entry_hash(&self, prev_hash: &str, f: &AuditFields<'_>) -> String {
        let mut ctx = hmac::Context::with_key(&self.entries);
        serialise(b"chance-navi audit v2", prev_hash, f, &mut |b| {
            ctx.update(b)
        });
        hex(ctx.sign().as_ref())
    }

    /// The public half of the checkpoints' key pair, published with them.
    pub fn public_key(&self) -> PublicKey {
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(self.signing.public_key().as_ref());
        PublicKey(bytes)
    }

    /// Signs a checkpoint of the head `seq` / `head_hash`.
    pub fn checkpoint(&self, seq: i64, head_hash: &str, at: i64, keyed_from: i64) -> Checkpoint {
        let mut cp = Checkpoint {
            seq,
            head_hash: head_hash.to_owned(),
            at,
            keyed_from,
            signature: String::new(),
        };
        cp.signature = hex(self.signing.sign(cp.message().as_bytes()).as_ref());
        cp
    }
}

/// An Ed25519 public key, which anyone can use to check a checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey([u8; 32]);

impl PublicKey {
    pub fn parse(text: &str) -> Result<PublicKey, KeyError> {
        unhex::<32>(text.trim())
            .map(PublicKey)
            .ok_or(KeyError::BadPublicKey)
    }

    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// Whether `cp` was signed with the private half of this key.
    pub fn verifies(&self, cp: &Checkpoint) -> bool {
        let Some(signature) = unhex::<64>(&cp.signature) else {
            return false;
        };
        UnparsedPublicKey::new(&ED25519, &self.0)
            .verify(cp.message().as_bytes(), &signature)
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: u8) -> AuditKeys {
        AuditKeys::derive(&AuditSecret::from_bytes([n; 32]))
    }

    #[test]
    fn a_secret_is_64_hex_digits_and_never_printed() {
        let secret = AuditSecret::from_bytes([0xab; 32]);
        assert_eq!(
            AuditSecret::parse(&format!("{}\n", secret.to_hex())),
            Ok(secret.clone())
        );
        assert_eq!(AuditSecret::parse("abc"), Err(KeyError::BadSecret));
        assert_eq!(
            AuditSecret::parse(&"g".repeat(64)),
            Err(KeyError::BadSecret)
        );
        assert!(!format!("{secret:?}").contains("abab"));
        assert!(!format!("{:?}", keys(1)).contains(&AuditSecret::from_bytes([1; 32]).to_hex()));
    }

    #[test]
    fn the_same_secret_gives_the_same_keys_on_every_node() {
        assert_eq!(keys(3).public_key(), keys(3).public_key());
        assert_ne!(keys(3).public_key(), keys(4).public_key());
        let f = super::super::tests::fields("{}");
        assert_eq!(keys(3).entry_hash("", &f), keys(3).entry_hash("", &f));
    }

    #[test]
    fn a_checkpoint_verifies_under_its_key_only_and_only_as_signed() {
        let k = keys(5);
        let cp = k.checkpoint(12, &"a".repeat(64), 1_700_000_000_000, 3);
        assert!(k.public_key().verifies(&cp));
        assert!(!keys(6).public_key().verifies(&cp), "another key");
        for forged in [
            Checkpoint {
                seq: 11,
                ..cp.clone()
            },
            Checkpoint {
                head_hash: "b".repeat(64),
                ..cp.clone()
            },
            Checkpoint {
                at: cp.at + 1,
                ..cp.clone()
            },
            Checkpoint {
                keyed_from: 1,
                ..cp.clone()
            },
            Checkpoint {
                signature: "00".repeat(64),
                ..cp.clone()
            },
            Checkpoint {
                signature: "zz".into(),
                ..cp.clone()
            },
        ] {
            assert!(!k.public_key().verifies(&forged), "{forged:?}");
        }
        let public = PublicKey::parse(&k.public_key().to_hex()).unwrap();
        assert!(public.verifies(&cp));
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_only_as_64_hex_digits(text in "\\PC*") {
            let hex = text.trim().len() == 64 && text.trim().bytes().all(|b| b.is_ascii_hexdigit());
            proptest::prop_assert_eq!(AuditSecret::parse(&text).is_ok(), hex);
            proptest::prop_assert_eq!(PublicKey::parse(&text).is_ok(), hex);
        }

        #[test]
        fn any_secret_round_trips(bytes in proptest::array::uniform32(0u8..)) {
            let s = AuditSecret::from_bytes(bytes);
            proptest::prop_assert_eq!(AuditSecret::parse(&s.to_hex()), Ok(s));
        }
    }
}
