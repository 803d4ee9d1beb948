//! Knowing, without a lock, that an SQLite database has not changed
//! (docs/decisions/0008).
//!
//! Every request for a kept page reads the site's change sequence first. On
//! SQLite that is a read transaction: the WAL's read-mark lock is taken and
//! given back with `fcntl`, under SQLite's process-wide mutex — about a
//! tenth of the CPU time of a kept page under load. Most of those reads
//! find that nothing changed.
//!
//! In WAL mode every commit, by any connection of any process, rewrites the
//! wal-index header at the start of the `-shm` file before the commit
//! returns: a counter moves with each transaction, and the header holds the
//! WAL's last frame, its checksum and its salts. SQLite's readers read it
//! without a lock, as two copies (written in the opposite order) and a
//! checksum, and retry when the copies differ (the format is described in
//! <https://www.sqlite.org/walformat.html>, "The WAL-Index Header"). We read
//! it the same way, with one `pread`.
//!
//! The rule: a header read before a sequence was read, and equal to the
//! header read now, means that no commit happened between the two reads of
//! the header — so the sequence read in between is still the current one.
//! Any other header (a commit, a torn read, a WAL started again) sends the
//! caller to the database, as before. A commit is never hidden: it changes
//! the header before it returns to its writer.
//!
//! The `-shm` file lives as long as some connection has the WAL open; SQLite
//! deletes it when the last one closes. The watch keeps a connection of its
//! own open for its whole life, so the file it reads is the one in use.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::{Mutex, RwLock};

use rusqlite::Connection;

/// One copy of the header: `iVersion, unused, iChange, isInit|bigEndCksum|
/// szPage, mxFrame, nPage, aFrameCksum[2], aSalt[2], aCksum[2]`.
const COPY: usize = 48;

/// The header's two copies, read together.
const BOTH: usize = 2 * COPY;

/// A consistent wal-index header: both copies equal, initialised, and
/// matching its checksum.
pub(crate) type Header = [u8; COPY];

/// The header in `bytes` (the start of a `-shm` file), or `None` when it is
/// being written (the copies differ), not initialised, or fails its
/// checksum — the caller must then ask the database.
pub(crate) fn consistent(bytes: &[u8; BOTH]) -> Option<Header> {
    let (first, second) = bytes.split_at(COPY);
    if first != second {
        return None;
    }
    // isInit
    if first[12] == 0 {
        return None;
    }
    let word = |i: usize| u32::from_ne_bytes([first[i], first[i + 1], first[i + 2], first[i + 3]]);
    // SQLite's checksum over the 40 bytes before it, in native byte order.
    let (mut s1, mut s2) = (0u32, 0u32);
    for i in (0..40).step_by(8) {
        s1 = s1.wrapping_add(word(i)).wrapping_add(s2);
        s2 = s2.wrapping_add(word(i + 4)).wrapping_add(s1);
    }
    if (s1, s2) != (word(40), word(44)) {
        return None;
    }
    first.try_into().ok()
}

/// Watches one SQLite database's wal-index header for commits.
#[derive(Debug)]
pub(crate) struct WalWatch {
    shm: File,
    /// Keeps the WAL, and so the `-shm` file, open; never used otherwise.
    _anchor: Mutex<Connection>,
    /// The last header read just before the sequence was read, and that
    /// sequence.
    seen: RwLock<Option<(Header, i64)>>,
}

impl WalWatch {
    /// A watch on `anchor`'s database, or `None` when it is not in WAL mode
    /// or its `-shm` file cannot be read (the caller then always asks the
    /// database).
    pub(crate) fn new(anchor: Connection, path: &Path) -> Option<WalWatch> {
        // A read opens the WAL and maps the -shm file, if the database is
        // in WAL mode; from then on this connection holds them open.
        let mode: String = anchor
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .ok()?;
        if !mode.eq_ignore_ascii_case("wal") {
            return None;
        }
        anchor
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            })
            .ok()?;
        let mut shm = path.as_os_str().to_owned();
        shm.push("-shm");
        let shm = File::open(shm).ok()?;
        let watch = WalWatch {
            shm,
            _anchor: Mutex::new(anchor),
            seen: RwLock::new(None),
        };
        watch.header()?;
        Some(watch)
    }

    /// The header now, if it could be read whole and consistent.
    pub(crate) fn header(&self) -> Option<Header> {
        let mut bytes = [0u8; BOTH];
        self.shm.read_exact_at(&mut bytes, 0).ok()?;
        consistent(&bytes)
    }

    /// The sequence read after `header` was, if `header` is that one.
    pub(crate) fn unchanged(&self, header: &Header) -> Option<i64> {
        match *self.seen.read().ok()? {
            Some((h, seq)) if h == *header => Some(seq),
            _ => None,
        }
    }

    /// Remembers that `seq` was read after `header` was.
    pub(crate) fn remember(&self, header: Header, seq: i64) {
        if let Ok(mut seen) = self.seen.write() {
            *seen = Some((header, seq));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A header as SQLite writes it: fields, then the checksum over them.
    fn written(change: u32, frame: u32) -> [u8; BOTH] {
        let mut copy = [0u8; COPY];
        copy[0..4].copy_from_slice(&3_007_000u32.to_ne_bytes());
        copy[8..12].copy_from_slice(&change.to_ne_bytes());
        copy[12] = 1;
        copy[14..16].copy_from_slice(&4096u16.to_ne_bytes());
        copy[16..20].copy_from_slice(&frame.to_ne_bytes());
        copy[32..36].copy_from_slice(&0x1234_5678u32.to_ne_bytes());
        let word =
            |c: &[u8; COPY], i: usize| u32::from_ne_bytes([c[i], c[i + 1], c[i + 2], c[i + 3]]);
        let (mut s1, mut s2) = (0u32, 0u32);
        for i in (0..40).step_by(8) {
            s1 = s1.wrapping_add(word(&copy, i)).wrapping_add(s2);
            s2 = s2.wrapping_add(word(&copy, i + 4)).wrapping_add(s1);
        }
        copy[40..44].copy_from_slice(&s1.to_ne_bytes());
        copy[44..48].copy_from_slice(&s2.to_ne_bytes());
        let mut both = [0u8; BOTH];
        both[..COPY].copy_from_slice(&copy);
        both[COPY..].copy_from_slice(&copy);
        both
    }

    #[test]
    fn a_header_as_sqlite_writes_it_is_read() {
        let both = written(7, 42);
        assert_eq!(
            consistent(&both).as_ref().map(|h| &h[..]),
            Some(&both[..COPY])
        );
    }

    #[test]
    fn a_header_being_written_is_not_read() {
        // SQLite writes the second copy first: caught between the two.
        let mut both = written(8, 43);
        both[..COPY].copy_from_slice(&written(7, 42)[..COPY]);
        assert_eq!(consistent(&both), None);
    }

    #[test]
    fn a_header_failing_its_checksum_or_not_initialised_is_not_read() {
        let mut both = written(7, 42);
        both[16] ^= 1;
        both[COPY + 16] ^= 1;
        assert_eq!(consistent(&both), None);
        let mut both = written(7, 42);
        both[12] = 0;
        both[COPY + 12] = 0;
        assert_eq!(consistent(&both), None);
        assert_eq!(consistent(&[0u8; BOTH]), None);
    }

    proptest! {
        /// Whatever the file holds, reading it never panics, and a header
        /// is accepted only when its copies agree and its checksum holds.
        #[test]
        fn any_bytes_are_read_safely(bytes in proptest::collection::vec(any::<u8>(), BOTH)) {
            let mut both = [0u8; BOTH];
            both.copy_from_slice(&bytes);
            if let Some(h) = consistent(&both) {
                prop_assert_eq!(&h[..], &both[..COPY]);
                prop_assert_eq!(&both[..COPY], &both[COPY..]);
            }
        }

        /// A header torn between two commits (read at any point while the
        /// next was written) is refused or read as one of the two — never
        /// as a third that could match an older one.
        #[test]
        fn a_torn_header_is_one_of_the_two_or_none(change in any::<u32>(), frame in any::<u32>(), tear in 0usize..=BOTH) {
            let before = written(change, frame);
            let after = written(change.wrapping_add(1), frame.wrapping_add(3));
            let mut torn = before;
            torn[..tear].copy_from_slice(&after[..tear]);
            let read = consistent(&torn);
            prop_assert!(read.is_none() || read == consistent(&before) || read == consistent(&after));
        }
    }
}
