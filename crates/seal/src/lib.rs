//! Sealed bids. Each tender has its own X25519 key pair. A bid is sealed to
//! the tender's public key the moment it arrives (an anonymous sealed box:
//! X25519 + XSalsa20-Poly1305), so what is stored cannot be read by anyone
//! holding the database alone. The tender's private key is stored only
//! wrapped (XChaCha20-Poly1305) under the server's key-encryption key (KEK),
//! which comes from a key file or the environment and never from the
//! database; the opening unwraps it, at or after the opening time.
//!
//! A sealed box is as long as what it seals, so every plaintext is padded
//! to one fixed size ([`PADDED_LEN`]) before it is sealed: a 1-yen bid and a
//! 999,999,999,999-yen bid, with or without 内訳, seal to the same number of
//! bytes. Bids sealed before padding (plain JSON) still open.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use crypto_box::{PublicKey, SecretKey};

/// The first byte of a wrapped key: the format, so that it can change.
const WRAP_V1: u8 = 1;

/// The first byte of a padded plaintext: the format. A plaintext sealed
/// before padding is JSON and starts with `{`, never with this.
const PAD_V1: u8 = 1;
/// The padding's header: its format byte and the content's length (u32, big-endian).
const PAD_HEADER: usize = 1 + 4;
/// Every plaintext is padded to this many bytes before it is sealed, so
/// that every sealed bid has the same length (`PADDED_LEN` + 48).
pub const PADDED_LEN: usize = 12 * 1024;
/// The most a plaintext may hold, padded to `PADDED_LEN`.
pub const CAPACITY: usize = PADDED_LEN - PAD_HEADER;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("the key-encryption key must be 64 hexadecimal digits (32 bytes)")]
    BadKek,
    #[error("the tender's key cannot be unwrapped with this key-encryption key")]
    Unwrap,
    #[error("the sealed bid cannot be opened with the tender's key")]
    Open,
    #[error("the operating system's random number generator is unavailable")]
    Random,
    #[error("the plaintext is longer than the {CAPACITY} bytes a sealed bid holds")]
    TooLong,
}

/// The server's key-encryption key.
#[derive(Clone)]
pub struct Kek([u8; 32]);

impl std::fmt::Debug for Kek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kek(…)")
    }
}

impl Kek {
    /// Reads 64 hexadecimal digits (surrounding whitespace ignored).
    pub fn parse(text: &str) -> Result<Kek, SealError> {
        let t = text.trim();
        if t.len() != 64 {
            return Err(SealError::BadKek);
        }
        let mut key = [0u8; 32];
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&t[2 * i..2 * i + 2], 16).map_err(|_| SealError::BadKek)?;
        }
        Ok(Kek(key))
    }

    /// A new random key.
    pub fn generate() -> Result<Kek, SealError> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|_| SealError::Random)?;
        Ok(Kek(key))
    }

    /// The key as 64 hexadecimal digits (for a key file).
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// A tender's keys as stored: the public key, and the private key wrapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenderKeys {
    pub public: [u8; 32],
    pub wrapped_secret: Vec<u8>,
}

fn aad(tender: i64) -> Vec<u8> {
    format!("chance-navi tender key {tender}").into_bytes()
}

/// Makes a key pair for tender `tender` and wraps its private key under `kek`.
pub fn new_tender_keys(kek: &Kek, tender: i64) -> Result<TenderKeys, SealError> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|_| SealError::Random)?;
    let secret = SecretKey::from(secret);
    let public = *secret.public_key().as_bytes();
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut nonce).map_err(|_| SealError::Random)?;
    let cipher = XChaCha20Poly1305::new((&kek.0).into());
    let wrapped = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &secret.to_bytes(),
                aad: &aad(tender),
            },
        )
        .map_err(|_| SealError::Random)?;
    let mut out = Vec::with_capacity(1 + 24 + wrapped.len());
    out.push(WRAP_V1);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&wrapped);
    Ok(TenderKeys {
        public,
        wrapped_secret: out,
    })
}

/// Seals `plaintext` to a tender's public key, padded to `PADDED_LEN` so
/// that its length tells nothing. Anyone may seal; only the holder of the
/// private key can open. `TooLong` past `CAPACITY` bytes.
pub fn seal(public: &[u8; 32], plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
    let padded = pad(plaintext)?;
    let key = PublicKey::from(*public);
    key.seal(&mut crypto_box::aead::OsRng, &padded)
        .map_err(|_| SealError::Random)
}

/// `plaintext` behind its header, then zeros up to `PADDED_LEN`.
fn pad(plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
    if plaintext.len() > CAPACITY {
        return Err(SealError::TooLong);
    }
    let mut out = Vec::with_capacity(PADDED_LEN);
    out.push(PAD_V1);
    // CAPACITY is far below u32::MAX.
    out.extend_from_slice(&(plaintext.len() as u32).to_be_bytes());
    out.extend_from_slice(plaintext);
    out.resize(PADDED_LEN, 0);
    Ok(out)
}

/// What was sealed: a padded plaintext without its padding (which must be
/// well formed: the stated length within it, zeros after), or a plaintext
/// sealed before padding, as it is.
fn unpad(mut opened: Vec<u8>) -> Result<Vec<u8>, SealError> {
    if opened.first() != Some(&PAD_V1) {
        return Ok(opened);
    }
    let len = opened
        .get(1..PAD_HEADER)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(|b| u32::from_be_bytes(b) as usize)
        .ok_or(SealError::Open)?;
    let end = PAD_HEADER.checked_add(len).ok_or(SealError::Open)?;
    if end > opened.len() || opened[end..].iter().any(|b| *b != 0) {
        return Err(SealError::Open);
    }
    opened.truncate(end);
    opened.drain(..PAD_HEADER);
    Ok(opened)
}

fn unwrap_secret(kek: &Kek, tender: i64, wrapped: &[u8]) -> Result<SecretKey, SealError> {
    if wrapped.len() < 1 + 24 || wrapped[0] != WRAP_V1 {
        return Err(SealError::Unwrap);
    }
    let cipher = XChaCha20Poly1305::new((&kek.0).into());
    let secret = cipher
        .decrypt(
            XNonce::from_slice(&wrapped[1..25]),
            Payload {
                msg: &wrapped[25..],
                aad: &aad(tender),
            },
        )
        .map_err(|_| SealError::Unwrap)?;
    let bytes: [u8; 32] = secret.try_into().map_err(|_| SealError::Unwrap)?;
    Ok(SecretKey::from(bytes))
}

/// Opens a sealed bid of tender `tender` with its wrapped private key.
pub fn open(
    kek: &Kek,
    tender: i64,
    keys: &TenderKeys,
    sealed: &[u8],
) -> Result<Vec<u8>, SealError> {
    let secret = unwrap_secret(kek, tender, &keys.wrapped_secret)?;
    unpad(secret.unseal(sealed).map_err(|_| SealError::Open)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_bid_opens_only_with_the_tenders_key_and_the_servers_kek() {
        let kek = Kek::generate().unwrap();
        let keys = new_tender_keys(&kek, 7).unwrap();
        let bid = "{\"amount\":1234567,\"kuji\":\"042\"}".as_bytes();
        let sealed = seal(&keys.public, bid).unwrap();
        assert!(
            !sealed.windows(7).any(|w| w == b"1234567"),
            "not in the clear"
        );
        assert_eq!(open(&kek, 7, &keys, &sealed).unwrap(), bid);
        // Another KEK, another tender id, another tender's key: nothing opens.
        assert_eq!(
            open(&Kek::generate().unwrap(), 7, &keys, &sealed),
            Err(SealError::Unwrap)
        );
        assert_eq!(open(&kek, 8, &keys, &sealed), Err(SealError::Unwrap));
        let other = new_tender_keys(&kek, 7).unwrap();
        assert_eq!(open(&kek, 7, &other, &sealed), Err(SealError::Open));
        // Tampering is detected.
        let mut bad = sealed.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert_eq!(open(&kek, 7, &keys, &bad), Err(SealError::Open));
    }

    #[test]
    fn every_sealed_bid_has_the_same_length_whatever_its_amount_and_breakdown() {
        let kek = Kek::generate().unwrap();
        let keys = new_tender_keys(&kek, 7).unwrap();
        let bids = [
            r#"{"amount":1,"kuji":"000","breakdown":""}"#.to_owned(),
            r#"{"amount":999999999999,"kuji":"999","breakdown":""}"#.to_owned(),
            format!(
                r#"{{"amount":999999999999,"kuji":"999","breakdown":"{}"}}"#,
                "本体工事費一式、諸経費一式。".repeat(100)
            ),
            "x".repeat(CAPACITY),
        ];
        let sealed: Vec<Vec<u8>> = bids
            .iter()
            .map(|b| seal(&keys.public, b.as_bytes()).unwrap())
            .collect();
        for s in &sealed {
            assert_eq!(s.len(), sealed[0].len(), "the length shows nothing");
        }
        assert_eq!(sealed[0].len(), PADDED_LEN + 48);
        for (bid, s) in bids.iter().zip(&sealed) {
            assert_eq!(
                open(&kek, 7, &keys, s).unwrap(),
                bid.as_bytes(),
                "exactly what was sent"
            );
        }
        assert_eq!(
            seal(&keys.public, &vec![b'x'; CAPACITY + 1]),
            Err(SealError::TooLong)
        );
        // The empty plaintext too.
        let empty = seal(&keys.public, b"").unwrap();
        assert_eq!(empty.len(), sealed[0].len());
        assert_eq!(open(&kek, 7, &keys, &empty).unwrap(), b"");
    }

    #[test]
    fn a_bid_sealed_before_padding_still_opens() {
        let kek = Kek::generate().unwrap();
        let keys = new_tender_keys(&kek, 7).unwrap();
        let old = br#"{"amount":1234567,"kuji":"042"}"#;
        // As `seal` did before padding: the plaintext as it is.
        let sealed = PublicKey::from(keys.public)
            .seal(&mut crypto_box::aead::OsRng, old)
            .unwrap();
        assert_eq!(sealed.len(), old.len() + 48);
        assert_eq!(open(&kek, 7, &keys, &sealed).unwrap(), old);
    }

    #[test]
    fn padding_that_is_not_well_formed_does_not_open() {
        // Stated longer than it is, or with something after the content.
        let mut long = pad(b"abc").unwrap();
        long[1..5].copy_from_slice(&(PADDED_LEN as u32).to_be_bytes());
        assert_eq!(unpad(long), Err(SealError::Open));
        let mut trailing = pad(b"abc").unwrap();
        trailing[PADDED_LEN - 1] = 1;
        assert_eq!(unpad(trailing), Err(SealError::Open));
        assert_eq!(unpad(vec![PAD_V1, 0]), Err(SealError::Open));
        assert_eq!(unpad(pad(b"abc").unwrap()).unwrap(), b"abc");
    }

    #[test]
    fn the_kek_is_64_hex_digits_and_is_never_printed() {
        let kek = Kek::generate().unwrap();
        let again = Kek::parse(&format!("  {}\n", kek.to_hex())).unwrap();
        assert_eq!(again.0, kek.0);
        assert_eq!(Kek::parse("abc").unwrap_err(), SealError::BadKek);
        assert_eq!(Kek::parse(&"zz".repeat(32)).unwrap_err(), SealError::BadKek);
        assert_eq!(format!("{kek:?}"), "Kek(…)");
    }
}
