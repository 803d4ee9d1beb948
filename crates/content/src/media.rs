//! Files of the media library: which are accepted (images for pages, PDF
//! for handouts), checked by extension and first bytes like every upload,
//! and an image's width and height read from its header, so that pages give
//! `<img>` its size (no layout shift) without decoding the image.

use domain::Invalid;
use domain::upload::CheckedFile;

/// The largest file the library takes.
pub const MAX_MEDIA_BYTES: usize = 10 * 1024 * 1024;

/// Extensions the library takes (the rest of the portal's uploads are not
/// for pages).
pub const MEDIA_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "webp", "gif", "pdf"];

/// A file accepted into the library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaFile {
    pub name: String,
    pub content_type: &'static str,
    /// Width and height in pixels, for images.
    pub size: Option<(u32, u32)>,
}

impl MediaFile {
    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }

    /// The extension its URL carries.
    pub fn extension(&self) -> &'static str {
        extension_of(self.content_type)
    }
}

/// The extension a library file's URL carries, by its content type.
pub fn extension_of(content_type: &str) -> &'static str {
    match content_type {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/webp" => "webp",
        "image/gif" => "gif",
        _ => "pdf",
    }
}

/// Where a library file is served: its hash, and the extension of its type.
pub fn url_of(sha256: &str, content_type: &str) -> String {
    format!("/media/{sha256}.{}", extension_of(content_type))
}

/// Checks a file for the library and says in Japanese what is wrong.
pub fn check(name: &str, bytes: &[u8]) -> Result<MediaFile, Invalid> {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if !MEDIA_EXTENSIONS.contains(&ext.as_str()) {
        return Err(Invalid::new(format!(
            "メディアライブラリに登録できるのは {} のファイルです。",
            MEDIA_EXTENSIONS.join("、")
        )));
    }
    let CheckedFile { name, content_type } = domain::upload::check(name, bytes)?;
    if bytes.len() > MAX_MEDIA_BYTES {
        return Err(Invalid::new(format!(
            "「{name}」は大きすぎます。{}MBまでです。",
            MAX_MEDIA_BYTES / 1024 / 1024
        )));
    }
    let size = if content_type.starts_with("image/") {
        match dimensions(bytes) {
            Some(s) if s.0 > 0 && s.1 > 0 => Some(s),
            _ => {
                return Err(Invalid::new(format!(
                    "「{name}」の画像の大きさを読み取れません。壊れていないか確認してください。"
                )));
            }
        }
    } else {
        None
    };
    Ok(MediaFile {
        name,
        content_type,
        size,
    })
}

fn be16(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_be_bytes(
        b.get(at..at + 2)?.try_into().ok()?,
    )))
}

fn le16(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_le_bytes(
        b.get(at..at + 2)?.try_into().ok()?,
    )))
}

fn le24(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 3)?;
    Some(u32::from(s[0]) | u32::from(s[1]) << 8 | u32::from(s[2]) << 16)
}

/// Width and height of a PNG, GIF, JPEG or WebP image, from its header.
pub fn dimensions(b: &[u8]) -> Option<(u32, u32)> {
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        // The first chunk is IHDR: width and height, big-endian.
        if b.get(12..16)? != b"IHDR" {
            return None;
        }
        let w = u32::from_be_bytes(b.get(16..20)?.try_into().ok()?);
        let h = u32::from_be_bytes(b.get(20..24)?.try_into().ok()?);
        return Some((w, h));
    }
    if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        return Some((le16(b, 6)?, le16(b, 8)?));
    }
    if b.starts_with(b"\xff\xd8") {
        return jpeg(b);
    }
    if b.get(0..4)? == b"RIFF" && b.get(8..12)? == b"WEBP" {
        return match b.get(12..16)? {
            b"VP8X" => Some((le24(b, 24)? + 1, le24(b, 27)? + 1)),
            b"VP8L" => {
                if *b.get(20)? != 0x2f {
                    return None;
                }
                let bits = u32::from_le_bytes(b.get(21..25)?.try_into().ok()?);
                Some(((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1))
            }
            b"VP8 " => {
                if b.get(23..26)? != b"\x9d\x01\x2a" {
                    return None;
                }
                Some((le16(b, 26)? & 0x3fff, le16(b, 28)? & 0x3fff))
            }
            _ => None,
        };
    }
    None
}

/// Walks a JPEG's markers to its start of frame (SOF0–SOF15 but DHT, JPG
/// and DAC), which holds the height and width.
fn jpeg(b: &[u8]) -> Option<(u32, u32)> {
    let mut at = 2;
    loop {
        // Markers may be padded with 0xff.
        while *b.get(at)? == 0xff && *b.get(at + 1)? == 0xff {
            at += 1;
        }
        if *b.get(at)? != 0xff {
            return None;
        }
        let marker = *b.get(at + 1)?;
        at += 2;
        match marker {
            0xd8 | 0x01 | 0xd0..=0xd7 => continue,
            0xd9 | 0xda => return None,
            _ => {}
        }
        let len = be16(b, at)? as usize;
        if len < 2 {
            return None;
        }
        if (0xc0..=0xcf).contains(&marker) && !matches!(marker, 0xc4 | 0xc8 | 0xcc) {
            let h = be16(b, at + 3)?;
            let w = be16(b, at + 5)?;
            return Some((w, h));
        }
        at += len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        b.extend_from_slice(&w.to_be_bytes());
        b.extend_from_slice(&h.to_be_bytes());
        b.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        b
    }

    fn jpeg(w: u16, h: u16) -> Vec<u8> {
        let mut b = vec![0xff, 0xd8, 0xff, 0xe0, 0, 16];
        b.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        b.extend_from_slice(&[0xff, 0xc0, 0, 17, 8]);
        b.extend_from_slice(&h.to_be_bytes());
        b.extend_from_slice(&w.to_be_bytes());
        b.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        b.extend_from_slice(&[0xff, 0xd9]);
        b
    }

    #[test]
    fn each_kind_of_image_gives_its_size() {
        assert_eq!(dimensions(&png(640, 480)), Some((640, 480)));
        assert_eq!(dimensions(&jpeg(1920, 1080)), Some((1920, 1080)));
        assert_eq!(
            dimensions(b"GIF89a\x40\x01\xf0\x00\0\0\0"),
            Some((320, 240))
        );
        // WebP, lossless (VP8L): 14-bit width-1 and height-1.
        let bits: u32 = 99 | (49 << 14);
        let mut webp = b"RIFF\0\0\0\0WEBPVP8L\0\0\0\0\x2f".to_vec();
        webp.extend_from_slice(&bits.to_le_bytes());
        assert_eq!(dimensions(&webp), Some((100, 50)));
        // WebP, extended (VP8X): 24-bit width-1 and height-1.
        let mut x = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
        x.extend_from_slice(&[0x1f, 0x03, 0x00, 0xdf, 0x01, 0x00]);
        assert_eq!(dimensions(&x), Some((800, 480)));
    }

    #[test]
    fn the_library_takes_images_and_pdf_checked_by_their_first_bytes() {
        let photo = check("会場の様子.PNG", &png(640, 480)).expect("png");
        assert_eq!(photo.content_type, "image/png");
        assert_eq!(photo.size, Some((640, 480)));
        assert_eq!(photo.extension(), "png");
        let pdf = check("案内.pdf", b"%PDF-1.7\n").expect("pdf");
        assert_eq!((pdf.size, pdf.is_image()), (None, false));
        assert!(check("script.png", b"<script>alert(1)</script>").is_err());
        assert!(check("page.html", b"<html>").is_err());
        assert!(check("table.xlsx", b"PK\x03\x04").is_err(), "not for pages");
        let broken = check("broken.png", b"\x89PNG\r\n\x1a\n").expect_err("no header");
        assert!(broken.message().contains("大きさを読み取れません"));
        assert!(check("big.png", &[png(1, 1), vec![0; MAX_MEDIA_BYTES]].concat()).is_err());
    }

    proptest! {
        #[test]
        fn any_bytes_are_read_or_refused_without_panicking(b in prop::collection::vec(any::<u8>(), 0..200)) {
            let _ = dimensions(&b);
            let _ = check("x.jpg", &b);
        }

        #[test]
        fn any_bytes_after_a_valid_header_keep_its_size(w in 1u16.., h in 1u16.., tail in prop::collection::vec(any::<u8>(), 0..64)) {
            let mut b = jpeg(w, h);
            b.extend_from_slice(&tail);
            prop_assert_eq!(dimensions(&b), Some((u32::from(w), u32::from(h))));
            let mut p = png(u32::from(w), u32::from(h));
            p.extend_from_slice(&tail);
            prop_assert_eq!(dimensions(&p), Some((u32::from(w), u32::from(h))));
        }

        #[test]
        fn jpeg_markers_before_the_frame_are_walked(segments in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 0..6)) {
            let mut b = vec![0xff, 0xd8];
            for s in &segments {
                b.extend_from_slice(&[0xff, 0xe1]);
                b.extend_from_slice(&((s.len() + 2) as u16).to_be_bytes());
                b.extend_from_slice(s);
            }
            b.extend_from_slice(&jpeg(300, 200)[2..]);
            prop_assert_eq!(dimensions(&b), Some((300, 200)));
        }
    }
}
