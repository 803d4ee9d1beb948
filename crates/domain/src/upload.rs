//! Files people upload (case documents, attachments to entries and replies):
//! which kinds are accepted, how large, and what name they are kept under.
//! The type is decided by the file's extension *and* checked against its first
//! bytes, so a script renamed to `.pdf` is refused.

use crate::Invalid;

/// The largest file accepted.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// At most this many files per form.
pub const MAX_FILES: usize = 5;
/// The longest file name kept (characters).
const MAX_NAME_CHARS: usize = 120;

/// What a file must start with, by kind.
#[derive(Debug, Clone, Copy)]
enum Magic {
    Pdf,
    Png,
    Jpeg,
    Gif,
    Webp,
    /// Office Open XML, OpenDocument and ZIP archives.
    Zip,
    /// Legacy Office (OLE compound file).
    Ole,
    /// Plain text: no NUL bytes.
    Text,
}

const KINDS: &[(&str, &str, Magic)] = &[
    ("pdf", "application/pdf", Magic::Pdf),
    ("png", "image/png", Magic::Png),
    ("jpg", "image/jpeg", Magic::Jpeg),
    ("jpeg", "image/jpeg", Magic::Jpeg),
    ("gif", "image/gif", Magic::Gif),
    ("webp", "image/webp", Magic::Webp),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Magic::Zip,
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Magic::Zip,
    ),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        Magic::Zip,
    ),
    ("odt", "application/vnd.oasis.opendocument.text", Magic::Zip),
    (
        "ods",
        "application/vnd.oasis.opendocument.spreadsheet",
        Magic::Zip,
    ),
    ("zip", "application/zip", Magic::Zip),
    ("doc", "application/msword", Magic::Ole),
    ("xls", "application/vnd.ms-excel", Magic::Ole),
    ("ppt", "application/vnd.ms-powerpoint", Magic::Ole),
    ("txt", "text/plain", Magic::Text),
    ("csv", "text/csv", Magic::Text),
];

/// The extensions accepted, for the form's hint.
pub fn accepted_extensions() -> String {
    KINDS
        .iter()
        .map(|(ext, ..)| *ext)
        .collect::<Vec<_>>()
        .join("、")
}

/// The `accept` attribute of a file input.
pub fn accept_attribute() -> String {
    KINDS
        .iter()
        .map(|(ext, ..)| format!(".{ext}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// A checked upload: a safe name and its content type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedFile {
    pub name: String,
    pub content_type: &'static str,
}

/// Checks one uploaded file and says in Japanese what is wrong with it.
pub fn check(name: &str, bytes: &[u8]) -> Result<CheckedFile, Invalid> {
    let name = clean_name(name);
    if name.is_empty() {
        return Err(Invalid::new("ファイル名のないファイルは添付できません。"));
    }
    if bytes.is_empty() {
        return Err(Invalid::new(format!("「{name}」は空のファイルです。")));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Invalid::new(format!(
            "「{name}」は大きすぎます。1ファイル{}MBまでです。",
            MAX_FILE_BYTES / 1024 / 1024
        )));
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let Some((_, content_type, magic)) = KINDS.iter().find(|(e, ..)| *e == ext) else {
        return Err(Invalid::new(format!(
            "「{name}」の種類のファイルは添付できません。添付できるのは {} です。",
            accepted_extensions()
        )));
    };
    if !starts_like(*magic, bytes) {
        return Err(Invalid::new(format!(
            "「{name}」の中身が拡張子（.{ext}）と合いません。ファイルを確認してください。"
        )));
    }
    Ok(CheckedFile { name, content_type })
}

fn starts_like(magic: Magic, b: &[u8]) -> bool {
    match magic {
        Magic::Pdf => b.starts_with(b"%PDF-"),
        Magic::Png => b.starts_with(b"\x89PNG\r\n\x1a\n"),
        Magic::Jpeg => b.starts_with(b"\xff\xd8\xff"),
        Magic::Gif => b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a"),
        Magic::Webp => b.starts_with(b"RIFF") && b.get(8..12) == Some(b"WEBP"),
        Magic::Zip => b.starts_with(b"PK\x03\x04"),
        Magic::Ole => b.starts_with(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
        Magic::Text => !b.contains(&0),
    }
}

/// The last path component, without control characters or characters that
/// mean something in a header or a path, at most 120 characters (keeping the
/// extension).
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let visible: String = base.chars().filter(|c| !c.is_control()).collect();
    let cleaned: String = crate::text::normalize(&visible)
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | ':' | '*' | '?'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_owned();
    if cleaned.chars().count() <= MAX_NAME_CHARS {
        return cleaned;
    }
    let (stem, ext) = match cleaned.rsplit_once('.') {
        Some((s, e)) if e.chars().count() <= 5 => (s, format!(".{e}")),
        _ => (cleaned.as_str(), String::new()),
    };
    let keep = MAX_NAME_CHARS - ext.chars().count();
    format!("{}{ext}", stem.chars().take(keep).collect::<String>())
}

/// "1.2 MB", "34 KB", "512 B".
pub fn size_label(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_is_accepted_by_its_extension_and_its_first_bytes() {
        let f = check("仕様書.PDF", b"%PDF-1.7\n...").unwrap();
        assert_eq!(f.content_type, "application/pdf");
        assert_eq!(f.name, "仕様書.PDF");
    }

    #[test]
    fn a_file_whose_bytes_do_not_match_its_extension_is_refused() {
        let e = check("見積書.pdf", b"<script>alert(1)</script>").unwrap_err();
        assert!(e.message().contains("拡張子"), "{e}");
        assert!(check("photo.png", b"%PDF-1.4").is_err());
    }

    #[test]
    fn unknown_kinds_empty_and_oversized_files_are_refused_with_a_reason() {
        assert!(
            check("run.exe", b"MZ....")
                .unwrap_err()
                .message()
                .contains("添付できるのは")
        );
        assert!(check("a.txt", b"").unwrap_err().message().contains("空"));
        let big = vec![b'a'; MAX_FILE_BYTES + 1];
        assert!(check("a.txt", &big).unwrap_err().message().contains("10MB"));
        assert!(check("a.txt", b"a\0b").is_err());
    }

    #[test]
    fn names_lose_direction_overrides_that_disguise_their_extension() {
        // With U+202E kept, this name would show as estimatefdp.png.
        assert_eq!(clean_name("estimate\u{202E}gnp.pdf"), "estimategnp.pdf");
        assert_eq!(clean_name("見積\u{200B}書.pdf"), "見積書.pdf");
    }

    #[test]
    fn names_lose_paths_control_characters_and_header_breakers() {
        assert_eq!(clean_name("C:\\Users\\me\\見積.xlsx"), "見積.xlsx");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("a\"\r\nb.txt"), "ab.txt");
        assert_eq!(clean_name(".hidden"), "hidden");
        let long = format!("{}.pdf", "あ".repeat(300));
        let cleaned = clean_name(&long);
        assert_eq!(cleaned.chars().count(), 120);
        assert!(cleaned.ends_with(".pdf"));
    }

    #[test]
    fn sizes_are_shown_in_the_largest_sensible_unit() {
        assert_eq!(size_label(512), "512 B");
        assert_eq!(size_label(34 * 1024 + 5), "34 KB");
        assert_eq!(size_label(1_300_000), "1.2 MB");
    }
}
