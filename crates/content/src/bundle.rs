//! A content bundle's framing (decision 0009): one file that carries the
//! site's content from a staging installation to production, signed with a
//! key the two share, read and written as a stream so that a bundle of
//! hundreds of megabytes never has to be in memory.
//!
//! ```text
//! CNB {header JSON}\n             the format's mark and the header
//! {frame JSON}\n                  a record ("t" names its type) …
//! {frame JSON with "blob": n}\n   … or a record followed by n raw bytes
//! <n bytes>\n
//! {"t":"end","frames":k}\n        how many frames came before
//! SIG <HMAC-SHA256, hex>\n        over every byte before "SIG"
//! ```
//!
//! The header names the schema the bundle was made by and the signing key
//! (by a fingerprint, never the key), so that a bundle from a newer
//! installation or signed by another key is refused with the reason before
//! anything is read further; a changed byte anywhere, a missing end or
//! anything after the signature is refused too. What the records mean is
//! the store's business; here a frame is JSON and, perhaps, bytes.

use std::io::{BufRead, Read, Write};

use ring::hmac;
use serde::{Deserialize, Serialize};

/// The mark a bundle starts with.
const MAGIC: &[u8] = b"CNB ";
const SIGNATURE: &[u8] = b"SIG ";
/// The longest JSON line read (a page's text is at most
/// `markdown::MAX_BYTES`; escaped, it stays well below this).
pub const MAX_LINE: usize = 8 << 20;
/// The largest blob read (a media file is at most `media::MAX_MEDIA_BYTES`).
pub const MAX_BLOB: usize = 64 << 20;

/// The shared secret both installations sign and check bundles with.
#[derive(Clone)]
pub struct BundleKey {
    key: hmac::Key,
    id: String,
}

impl std::fmt::Debug for BundleKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BundleKey({})", self.id)
    }
}

impl BundleKey {
    pub fn from_bytes(secret: &[u8; 32]) -> BundleKey {
        let root = hmac::Key::new(hmac::HMAC_SHA256, secret);
        let derived = hmac::sign(&root, b"chance-navi content bundles v1");
        let key = hmac::Key::new(hmac::HMAC_SHA256, derived.as_ref());
        let fingerprint = hmac::sign(&root, b"chance-navi content bundle key id");
        BundleKey {
            key,
            id: hex(&fingerprint.as_ref()[..8]),
        }
    }

    /// 64 hexadecimal digits (surrounding blanks ignored).
    pub fn parse_hex(text: &str) -> Result<BundleKey, String> {
        let t = text.trim();
        if t.len() != 64 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("a bundle key is 64 hexadecimal digits".into());
        }
        let mut bytes = [0u8; 32];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = u8::from_str_radix(&t[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())?;
        }
        Ok(BundleKey::from_bytes(&bytes))
    }

    /// The key's fingerprint, written into every bundle's header.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// What a bundle says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// The schema of the records (`SCHEMA` of the installation that made it).
    pub schema: u32,
    /// The fingerprint of the key that signed it.
    pub key_id: String,
    /// When it was made (ms).
    pub made_at: i64,
    /// Where it was made (the installation's public address).
    pub source: String,
}

/// Why a bundle is refused: said to the operator as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("コンテンツのバンドルではありません（ファイルの先頭が違います）。")]
    NotABundle,
    #[error(
        "このバンドルは新しい版のポータル（形式 {found}）で作られたため、この版（形式 {supported} まで）では取り込めません。先に本番のポータルを更新してください。"
    )]
    NewerSchema { found: u32, supported: u32 },
    #[error(
        "このバンドルは別の鍵で署名されています（鍵 {found}、この環境の鍵は {expected}）。ステージングと本番で同じバンドル鍵を使ってください。"
    )]
    WrongKey { found: String, expected: String },
    #[error(
        "バンドルの署名が合いません。作成後に書き換えられたか、壊れています。取り込みは行いませんでした。"
    )]
    Tampered,
    #[error(
        "バンドルが途中で切れています。転送が最後まで終わっていない可能性があります。取り込みは行いませんでした。"
    )]
    Truncated,
    #[error("バンドルの形式が正しくありません（{0}）。取り込みは行いませんでした。")]
    Malformed(String),
    #[error("バンドルを読み書きできませんでした（{0}）。")]
    Io(String),
}

impl From<std::io::Error> for BundleError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            BundleError::Truncated
        } else {
            BundleError::Io(e.to_string())
        }
    }
}

/// Writes a bundle: the header, frames, then the end and the signature.
pub struct BundleWriter<W: Write> {
    out: W,
    mac: hmac::Context,
    frames: u64,
}

impl<W: Write> BundleWriter<W> {
    pub fn new(out: W, key: &BundleKey, header: &Header) -> Result<Self, BundleError> {
        let mut w = BundleWriter {
            out,
            mac: hmac::Context::with_key(&key.key),
            frames: 0,
        };
        let mut header = header.clone();
        header.key_id = key.id.clone();
        w.put(MAGIC)?;
        w.put(&json_line(&header)?)?;
        Ok(w)
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), BundleError> {
        self.mac.update(bytes);
        self.out.write_all(bytes)?;
        Ok(())
    }

    /// One record: `value` must serialise to a JSON object.
    pub fn frame<T: Serialize>(&mut self, value: &T) -> Result<(), BundleError> {
        let line = json_line(value)?;
        self.put(&line)?;
        self.frames += 1;
        Ok(())
    }

    /// One record followed by `blob` (its length goes into the record as
    /// `blob`).
    pub fn frame_with_blob<T: Serialize>(
        &mut self,
        value: &T,
        blob: &[u8],
    ) -> Result<(), BundleError> {
        let mut v = serde_json::to_value(value).map_err(|e| BundleError::Io(e.to_string()))?;
        let Some(obj) = v.as_object_mut() else {
            return Err(BundleError::Io("a frame is a JSON object".into()));
        };
        obj.insert("blob".into(), serde_json::Value::from(blob.len() as u64));
        self.put(&json_line(&v)?)?;
        self.put(blob)?;
        self.put(b"\n")?;
        self.frames += 1;
        Ok(())
    }

    /// Writes the end and the signature; returns the writer.
    pub fn finish(mut self) -> Result<W, BundleError> {
        let end = serde_json::json!({ "t": "end", "frames": self.frames });
        self.put(&json_line(&end)?)?;
        let tag = self.mac.sign();
        self.out.write_all(SIGNATURE)?;
        self.out.write_all(hex(tag.as_ref()).as_bytes())?;
        self.out.write_all(b"\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> std::fmt::Debug for BundleWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BundleWriter({} frames)", self.frames)
    }
}

impl<R: BufRead> std::fmt::Debug for BundleReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BundleReader({:?}, {} frames)", self.header, self.frames)
    }
}

fn json_line<T: Serialize>(value: &T) -> Result<Vec<u8>, BundleError> {
    let mut line = serde_json::to_vec(value).map_err(|e| BundleError::Io(e.to_string()))?;
    line.push(b'\n');
    Ok(line)
}

/// One record as read: its JSON and, if it has one, its blob.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// The record's type (`t`).
    pub kind: String,
    pub json: serde_json::Value,
    pub blob: Option<Vec<u8>>,
}

impl Frame {
    /// The record as `T`.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, BundleError> {
        serde_json::from_value(self.json.clone())
            .map_err(|e| BundleError::Malformed(format!("{} の記録: {e}", self.kind)))
    }
}

/// Reads a bundle frame by frame. The signature is checked when the end is
/// reached: until [`BundleReader::next_frame`] has returned `Ok(None)`, nothing
/// read may be trusted, and a caller that writes as it reads does so in a
/// transaction it commits only then.
pub struct BundleReader<R: BufRead> {
    input: R,
    mac: hmac::Context,
    key: hmac::Key,
    header: Header,
    frames: u64,
    done: bool,
    /// Blobs are skipped (hashed, not kept) when false.
    keep_blobs: bool,
}

impl<R: BufRead> BundleReader<R> {
    /// Reads the header and refuses a bundle of a newer schema or signed
    /// by another key.
    pub fn open(mut input: R, key: &BundleKey, schema: u32) -> Result<Self, BundleError> {
        let mut mac = hmac::Context::with_key(&key.key);
        let mut magic = [0u8; 4];
        match input.read_exact(&mut magic) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err(BundleError::NotABundle);
            }
            Err(e) => return Err(e.into()),
        }
        if magic != MAGIC {
            return Err(BundleError::NotABundle);
        }
        mac.update(&magic);
        let line = read_line(&mut input)?;
        mac.update(&line);
        let header: Header = serde_json::from_slice(&line)
            .map_err(|e| BundleError::Malformed(format!("ヘッダー: {e}")))?;
        if header.schema > schema {
            return Err(BundleError::NewerSchema {
                found: header.schema,
                supported: schema,
            });
        }
        if header.key_id != key.id {
            return Err(BundleError::WrongKey {
                found: header.key_id,
                expected: key.id.clone(),
            });
        }
        Ok(BundleReader {
            input,
            mac,
            key: key.key.clone(),
            header,
            frames: 0,
            done: false,
            keep_blobs: true,
        })
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Blobs are read and signed but not kept (for a diff, which needs only
    /// what the records say).
    pub fn skip_blobs(mut self) -> Self {
        self.keep_blobs = false;
        self
    }

    /// The next record; `Ok(None)` once the end was read and the signature
    /// checked.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, BundleError> {
        if self.done {
            return Ok(None);
        }
        let line = read_line(&mut self.input)?;
        self.mac.update(&line);
        let json: serde_json::Value =
            serde_json::from_slice(&line).map_err(|_| BundleError::Tampered)?;
        let kind = json
            .get("t")
            .and_then(|t| t.as_str())
            .ok_or(BundleError::Tampered)?
            .to_owned();
        if kind == "end" {
            let count = json.get("frames").and_then(serde_json::Value::as_u64);
            self.check_signature()?;
            if count != Some(self.frames) {
                return Err(BundleError::Tampered);
            }
            self.done = true;
            return Ok(None);
        }
        let blob = match json.get("blob") {
            None => None,
            Some(n) => {
                let n = n
                    .as_u64()
                    .filter(|n| *n as usize <= MAX_BLOB)
                    .ok_or(BundleError::Tampered)? as usize;
                Some(self.read_blob(n)?)
            }
        };
        self.frames += 1;
        Ok(Some(Frame { kind, json, blob }))
    }

    fn read_blob(&mut self, n: usize) -> Result<Vec<u8>, BundleError> {
        let mut kept = Vec::with_capacity(if self.keep_blobs { n } else { 0 });
        let mut left = n;
        let mut chunk = [0u8; 64 * 1024];
        while left > 0 {
            let take = left.min(chunk.len());
            self.input.read_exact(&mut chunk[..take])?;
            self.mac.update(&chunk[..take]);
            if self.keep_blobs {
                kept.extend_from_slice(&chunk[..take]);
            }
            left -= take;
        }
        let mut nl = [0u8; 1];
        self.input.read_exact(&mut nl)?;
        self.mac.update(&nl);
        if nl != *b"\n" {
            return Err(BundleError::Tampered);
        }
        Ok(kept)
    }

    fn check_signature(&mut self) -> Result<(), BundleError> {
        let mut sig = Vec::new();
        (&mut self.input)
            .take(SIGNATURE.len() as u64 + 65)
            .read_to_end(&mut sig)?;
        let expected = {
            let mac = std::mem::replace(&mut self.mac, hmac::Context::with_key(&self.key));
            mac.sign()
        };
        if sig.len() < SIGNATURE.len() + 65 {
            return Err(BundleError::Truncated);
        }
        let given = &sig[SIGNATURE.len()..SIGNATURE.len() + 64];
        let want = hex(expected.as_ref());
        let same = given
            .iter()
            .zip(want.as_bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
        if !sig.starts_with(SIGNATURE) || sig[sig.len() - 1] != b'\n' || !same {
            return Err(BundleError::Tampered);
        }
        // Nothing may follow the signature.
        let mut extra = [0u8; 1];
        if self.input.read(&mut extra)? != 0 {
            return Err(BundleError::Tampered);
        }
        Ok(())
    }
}

/// A line up to its `\n` (kept), at most [`MAX_LINE`] bytes.
fn read_line<R: BufRead>(input: &mut R) -> Result<Vec<u8>, BundleError> {
    let mut line = Vec::new();
    input
        .take(MAX_LINE as u64 + 1)
        .read_until(b'\n', &mut line)?;
    if line.last() != Some(&b'\n') {
        return Err(if line.len() > MAX_LINE {
            BundleError::Tampered
        } else {
            BundleError::Truncated
        });
    }
    Ok(line)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(n: u8) -> BundleKey {
        BundleKey::from_bytes(&[n; 32])
    }

    fn header() -> Header {
        Header {
            schema: 1,
            key_id: String::new(),
            made_at: 1_700_000_000_000,
            source: "https://staging.example.jp".into(),
        }
    }

    fn sample(k: &BundleKey) -> Vec<u8> {
        let mut w = BundleWriter::new(Vec::new(), k, &header()).unwrap();
        w.frame(&serde_json::json!({"t": "item", "title": "お知らせ\n改行"}))
            .unwrap();
        w.frame_with_blob(
            &serde_json::json!({"t": "media", "sha256": "x"}),
            b"\x89PNG\n\0bytes",
        )
        .unwrap();
        w.frame(&serde_json::json!({"t": "category", "code": "news"}))
            .unwrap();
        w.finish().unwrap()
    }

    fn read_all(bytes: &[u8], k: &BundleKey) -> Result<Vec<Frame>, BundleError> {
        let mut r = BundleReader::open(bytes, k, 1)?;
        let mut out = Vec::new();
        while let Some(f) = r.next_frame()? {
            out.push(f);
        }
        Ok(out)
    }

    #[test]
    fn a_bundle_reads_back_frame_by_frame_with_its_blobs() {
        let k = key(7);
        let frames = read_all(&sample(&k), &k).unwrap();
        assert_eq!(frames.len(), 3);
        assert_eq!(frames[0].json["title"], "お知らせ\n改行");
        assert_eq!(frames[1].blob.as_deref(), Some(&b"\x89PNG\n\0bytes"[..]));
        assert_eq!(frames[2].kind, "category");
    }

    #[test]
    fn another_key_is_named_as_such() {
        let bytes = sample(&key(7));
        match read_all(&bytes, &key(8)) {
            Err(BundleError::WrongKey { .. }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_newer_schema_is_refused_before_anything_else() {
        let k = key(7);
        let mut h = header();
        h.schema = 2;
        let w = BundleWriter::new(Vec::new(), &k, &h).unwrap();
        let bytes = w.finish().unwrap();
        let err = read_all(&bytes, &k).unwrap_err();
        assert_eq!(
            err,
            BundleError::NewerSchema {
                found: 2,
                supported: 1
            }
        );
        assert!(err.to_string().contains("新しい版"));
    }

    #[test]
    fn anything_after_the_signature_is_refused() {
        let k = key(7);
        let mut bytes = sample(&k);
        bytes.extend_from_slice(b"{\"t\":\"item\"}\n");
        assert_eq!(read_all(&bytes, &k).unwrap_err(), BundleError::Tampered);
    }

    #[test]
    fn a_stripped_signature_is_truncation() {
        let k = key(7);
        let bytes = sample(&k);
        let cut = bytes.len() - 69;
        assert_eq!(
            read_all(&bytes[..cut], &k).unwrap_err(),
            BundleError::Truncated
        );
    }

    #[test]
    fn a_key_is_parsed_from_hex_and_refused_otherwise() {
        let hexkey = "ab".repeat(32);
        assert_eq!(
            BundleKey::parse_hex(&format!(" {hexkey}\n")).unwrap().id(),
            BundleKey::from_bytes(&[0xab; 32]).id()
        );
        assert!(BundleKey::parse_hex("abc").is_err());
        assert!(BundleKey::parse_hex(&"zz".repeat(32)).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Every changed byte is refused: no change reads back as a bundle.
        #[test]
        fn any_changed_byte_is_refused(at in 0usize..10_000, bit in 0u8..8) {
            let k = key(7);
            let mut bytes = sample(&k);
            let at = at % bytes.len();
            bytes[at] ^= 1 << bit;
            prop_assert!(read_all(&bytes, &k).is_err());
        }

        /// Every cut is refused.
        #[test]
        fn any_truncation_is_refused(at in 0usize..10_000) {
            let k = key(7);
            let bytes = sample(&k);
            let at = at % bytes.len();
            prop_assert!(read_all(&bytes[..at], &k).is_err());
        }

        /// Arbitrary bytes, text or not, never make the reader panic or
        /// accept them.
        #[test]
        fn arbitrary_input_is_refused_without_panicking(
            text in "\\PC{0,200}",
            bytes in proptest::collection::vec(any::<u8>(), 0..300),
        ) {
            let k = key(7);
            let mut framed = b"CNB ".to_vec();
            framed.extend_from_slice(text.as_bytes());
            prop_assert!(read_all(text.as_bytes(), &k).is_err());
            prop_assert!(read_all(&framed, &k).is_err());
            prop_assert!(read_all(&bytes, &k).is_err());
        }
    }
}
