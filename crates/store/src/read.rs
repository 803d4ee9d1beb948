//! SQLite reads on the caller's thread (docs/decisions/0008).
//!
//! sqlx runs each SQLite connection on its own worker thread and sends every
//! statement and every row across a channel to it; a page that makes a few
//! small queries spends most of its time waking threads, not in SQLite. The
//! reads that serve pages go instead through a few read-only connections
//! (rusqlite, the same bundled SQLite) taken from a list, used on the
//! calling thread and put back. A read of a page's rows from SQLite's page
//! cache takes microseconds, as the index search the same handlers run does.
//! PostgreSQL keeps sqlx: its connections are sockets, without worker threads.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::wal_watch::WalWatch;
use crate::{Result, StoreError};

/// Connections kept open between reads; a burst opens more and closes the extra.
const IDLE: usize = 8;

/// Statements each connection keeps prepared.
const PREPARED: usize = 64;

const SITE_VERSION: &str = "SELECT seq FROM site_changes WHERE id = 1";

#[derive(Debug)]
pub(crate) struct SqliteReads {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    /// Made on the first read of the site's sequence (the database is in
    /// WAL mode by then); `None` when the file cannot be watched.
    watch: OnceLock<Option<WalWatch>>,
}

impl SqliteReads {
    pub(crate) fn new(path: &Path) -> SqliteReads {
        SqliteReads {
            path: path.to_path_buf(),
            idle: Mutex::new(Vec::new()),
            watch: OnceLock::new(),
        }
    }

    fn open(&self) -> Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.set_prepared_statement_cache_capacity(PREPARED);
        Ok(conn)
    }

    /// Runs one statement's read `f` (a statement is its own snapshot) on an
    /// idle connection, or a new one, and puts the connection back.
    pub(crate) fn one<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let taken = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let conn = match taken {
            Some(c) => c,
            None => self.open()?,
        };
        let result = f(&conn);
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < IDLE
            && conn.is_autocommit()
        {
            idle.push(conn);
        }
        result
    }

    /// The site's change sequence, read again only when a commit may have
    /// moved it since it was last read (see `wal_watch`).
    fn site_version(&self) -> Result<i64> {
        let watch = self
            .watch
            .get_or_init(|| WalWatch::new(self.open().ok()?, &self.path))
            .as_ref();
        // Read before the sequence is: see the rule in `wal_watch`.
        let header = watch.and_then(WalWatch::header);
        if let (Some(w), Some(h)) = (watch, &header)
            && let Some(seq) = w.unchanged(h)
        {
            return Ok(seq);
        }
        let seq = self.one(|c| {
            Ok(c.prepare_cached(SITE_VERSION)?
                .query_row([], |r| r.get(0))?)
        })?;
        if let (Some(w), Some(h)) = (watch, header) {
            w.remember(h, seq);
        }
        Ok(seq)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Read(e.to_string())
    }
}

impl crate::Store {
    /// The site's change sequence: it moves on with every committed change
    /// to what a visitor can see (cases and their documents, history and
    /// results, tenders' public parts, masters, companies), and with nothing
    /// else; a page rendered after reading N shows every change up to N.
    pub async fn site_version(&self) -> Result<i64> {
        match &self.reads {
            Some(reads) => reads.site_version(),
            None => Ok(sqlx::query_scalar(SITE_VERSION)
                .fetch_one(self.pool())
                .await?),
        }
    }
}

/// A value both drivers can read from a column.
pub(crate) trait Col:
    rusqlite::types::FromSql + for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>
{
}

impl<T> Col for T where
    T: rusqlite::types::FromSql + for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>
{
}

/// A row of either driver, read by column name: one conversion from a row
/// to a value serves both read paths.
pub(crate) trait Cols {
    fn col<T: Col>(&self, name: &str) -> Result<T>;
}

impl Cols for sqlx::any::AnyRow {
    fn col<T: Col>(&self, name: &str) -> Result<T> {
        Ok(sqlx::Row::try_get(self, name)?)
    }
}

impl Cols for rusqlite::Row<'_> {
    fn col<T: Col>(&self, name: &str) -> Result<T> {
        Ok(self.get(name)?)
    }
}

/// A value made from one row.
pub(crate) trait FromCols: Sized {
    fn from_cols<R: Cols>(row: &R) -> Result<Self>;
}

/// A value bound to a read's `$n`, by either driver.
pub(crate) trait Param: rusqlite::ToSql + Sync {
    fn bind_to<'q>(&self, q: AnyQuery<'q>) -> AnyQuery<'q>;
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

impl Param for i64 {
    fn bind_to<'q>(&self, q: AnyQuery<'q>) -> AnyQuery<'q> {
        q.bind(*self)
    }
}

/// A number or a text, for reads that bind both.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Arg<'a> {
    Int(i64),
    Text(&'a str),
}

impl rusqlite::ToSql for Arg<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            Arg::Int(i) => i.to_sql(),
            Arg::Text(t) => t.to_sql(),
        }
    }
}

impl Param for Arg<'_> {
    fn bind_to<'q>(&self, q: AnyQuery<'q>) -> AnyQuery<'q> {
        match self {
            Arg::Int(i) => q.bind(*i),
            Arg::Text(t) => q.bind((*t).to_owned()),
        }
    }
}

impl crate::Store {
    /// The rows of a read (`$1`… bound to `args`), each made into a `T`: on
    /// SQLite on this thread, on PostgreSQL through the pool.
    pub(crate) async fn read_rows<T: FromCols, P: Param>(
        &self,
        sql: &str,
        args: &[P],
    ) -> Result<Vec<T>> {
        match &self.reads {
            Some(reads) => reads.one(|c| {
                let mut statement = c.prepare_cached(sql)?;
                // By name, as sqlx does: SQLite numbers `$n` in the order the
                // names first appear, not by n.
                let mut bound = 0;
                for (i, a) in args.iter().enumerate() {
                    if let Some(at) = statement.parameter_index(&format!("${}", i + 1))? {
                        statement.raw_bind_parameter(at, a)?;
                        bound += 1;
                    }
                }
                if bound != statement.parameter_count() {
                    return Err(StoreError::Read(format!(
                        "{bound} of {} parameters bound",
                        statement.parameter_count()
                    )));
                }
                let mut rows = statement.raw_query();
                let mut out = Vec::new();
                while let Some(row) = rows.next()? {
                    out.push(T::from_cols(row)?);
                }
                Ok(out)
            }),
            None => {
                let mut q = sqlx::query(sql);
                for a in args {
                    q = a.bind_to(q);
                }
                q.fetch_all(self.pool())
                    .await?
                    .iter()
                    .map(T::from_cols)
                    .collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database(dir: &Path) -> (PathBuf, Connection) {
        let path = dir.join("site.db");
        let writer = Connection::open(&path).expect("open");
        writer
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 CREATE TABLE site_changes (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL);
                 INSERT INTO site_changes VALUES (1, 10);",
            )
            .expect("schema");
        (path, writer)
    }

    #[test]
    fn the_site_version_is_answered_from_the_wal_header_until_a_commit() {
        let dir = tempfile::tempdir().expect("dir");
        let (path, writer) = database(dir.path());
        let reads = SqliteReads::new(&path);
        assert_eq!(reads.site_version().expect("read"), 10);
        let watch = reads.watch.get().and_then(Option::as_ref).expect("watched");
        let header = watch.header().expect("a consistent header");
        assert_eq!(
            watch.unchanged(&header),
            Some(10),
            "answered without a query"
        );
        for n in 11..=40 {
            writer
                .execute("UPDATE site_changes SET seq = ?1", [n])
                .expect("commit");
            assert_eq!(watch.unchanged(&watch.header().expect("header")), None);
            assert_eq!(reads.site_version().expect("read"), n, "commit {n} seen");
        }
        // A commit that leaves the sequence as it was still changes the file.
        writer
            .execute("CREATE TABLE sessions (id INTEGER)", [])
            .expect("commit");
        assert_eq!(reads.site_version().expect("read"), 40);
    }

    #[test]
    fn a_database_not_in_wal_mode_is_read_every_time() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("rollback.db");
        let writer = Connection::open(&path).expect("open");
        writer
            .execute_batch(
                "CREATE TABLE site_changes (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL);
                 INSERT INTO site_changes VALUES (1, 1);",
            )
            .expect("schema");
        let reads = SqliteReads::new(&path);
        assert_eq!(reads.site_version().expect("read"), 1);
        assert!(reads.watch.get().is_some_and(Option::is_none));
        writer
            .execute("UPDATE site_changes SET seq = 2", [])
            .expect("commit");
        assert_eq!(reads.site_version().expect("read"), 2);
    }
}
