//! Where a visitor may be sent back to after signing in: a path on this site
//! and nothing else. Browsers drop tabs and newlines from a URL and read `\`
//! as `/`, so `/\t/evil.example` or `/\evil.example` would leave the site;
//! percent-encoded forms of those are refused too, whoever decodes them.

use crate::Invalid;

/// A same-origin path (with its query), safe to put in a `Location` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalPath(String);

impl LocalPath {
    /// Longer paths are refused; no page of the portal needs one.
    pub const MAX_LEN: usize = 2_000;

    /// Accepts `/…` made of visible ASCII only, with no `\`, not starting
    /// with `//`, and none of that hidden behind percent-encoding.
    pub fn parse(input: &str) -> Result<LocalPath, Invalid> {
        let bad = || Invalid::new("移動先のURLが正しくありません。");
        if input.is_empty() || input.len() > Self::MAX_LEN {
            return Err(bad());
        }
        // Visible ASCII only: no controls, spaces, DEL or anything a browser
        // would percent-encode (and a header would not carry) differently.
        if !input.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(bad());
        }
        let mut bytes = input.as_bytes().to_vec();
        // Decoding at most three times covers %252F; anything still encoded
        // deeper is refused rather than guessed at.
        for round in 0..=3 {
            if !is_local(&bytes) {
                return Err(bad());
            }
            let decoded = percent_decode(&bytes);
            if decoded == bytes {
                return Ok(LocalPath(input.to_owned()));
            }
            if round == 3 {
                return Err(bad());
            }
            bytes = decoded;
        }
        Err(bad())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for LocalPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Starts with one `/`, holds no `\` and no control character.
fn is_local(b: &[u8]) -> bool {
    b.first() == Some(&b'/')
        && b.get(1) != Some(&b'/')
        && !b.contains(&b'\\')
        && !b.iter().any(|c| c.is_ascii_control())
}

/// Decodes every `%XX` with two hex digits; everything else stays.
fn percent_decode(b: &[u8]) -> Vec<u8> {
    let hex = |c: u8| {
        char::from(c)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(h * 16 + l);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn paths_on_this_site_are_accepted_with_their_query() {
        for ok in [
            "/",
            "/mypage",
            "/cases?q=%E6%B8%85%E6%8E%83&page=2",
            "/cases/12#results",
            "/a%20b",
            "/a//b",
        ] {
            assert_eq!(LocalPath::parse(ok).map(|p| p.to_string()), Ok(ok.into()));
        }
    }

    #[test]
    fn anything_a_browser_could_read_as_another_site_is_refused() {
        for bad in [
            "",
            "mypage",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "\t//evil.example",
            " /mypage",
            "/mypage\nSet-Cookie: x=1",
            "https://evil.example/",
            "/%2F/evil.example",
            "/%2f/evil.example",
            "/%5Cevil.example",
            "/%09/evil.example",
            "/%0A",
            "/%0d%0a",
            "/%252F/evil.example",
            "/%25252F/evil.example",
            "/%2525252F/evil.example",
            "/ケース",
            "/\u{7f}",
        ] {
            assert!(LocalPath::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(LocalPath::parse(&format!("/{}", "a".repeat(LocalPath::MAX_LEN))).is_err());
    }

    /// Pieces that make up tricky redirects, to mix with arbitrary text.
    fn tricky() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("/".to_owned()),
            Just("\\".to_owned()),
            Just("%".to_owned()),
            Just("%2F".to_owned()),
            Just("%5c".to_owned()),
            Just("%25".to_owned()),
            Just("\t".to_owned()),
            Just("\n".to_owned()),
            Just("\r".to_owned()),
            Just(".".to_owned()),
            Just(":".to_owned()),
            Just("@".to_owned()),
            Just("evil.example".to_owned()),
            "[0-9a-fA-F]{1,2}",
            any::<String>(),
        ];
        proptest::collection::vec(piece, 0..8).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn whatever_is_accepted_stays_on_this_site(
            s in prop_oneof![any::<String>(), tricky(), tricky().prop_map(|t| format!("/{t}"))]
        ) {
            if let Ok(p) = LocalPath::parse(&s) {
                let base = url::Url::parse("https://navi.example.jp/login").expect("base");
                // As a browser resolves a Location header (it strips tabs and
                // newlines and reads \ as / on its own).
                let target = base.join(p.as_str()).expect("a path resolves");
                prop_assert_eq!(target.origin(), base.origin());
                // And after one more decoding, as a careless proxy might.
                let decoded = String::from_utf8_lossy(&percent_decode(p.as_str().as_bytes())).into_owned();
                let target = base.join(&decoded).expect("a decoded path resolves");
                prop_assert_eq!(target.origin(), base.origin());
                prop_assert!(p.as_str().bytes().all(|b| b.is_ascii_graphic()));
            }
        }
    }
}
