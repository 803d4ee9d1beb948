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
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::{Result, StoreError};

/// Connections kept open between reads; a burst opens more and closes the extra.
const IDLE: usize = 8;

/// Statements each connection keeps prepared.
const PREPARED: usize = 64;

#[derive(Debug)]
pub(crate) struct SqliteReads {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl SqliteReads {
    pub(crate) fn new(path: &Path) -> SqliteReads {
        SqliteReads {
            path: path.to_path_buf(),
            idle: Mutex::new(Vec::new()),
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
        const SQL: &str = "SELECT seq FROM site_changes WHERE id = 1";
        match &self.reads {
            Some(reads) => reads.one(|c| Ok(c.prepare_cached(SQL)?.query_row([], |r| r.get(0))?)),
            None => Ok(sqlx::query_scalar(SQL).fetch_one(self.pool()).await?),
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

impl crate::Store {
    /// The rows of a read (`$1`… bound to `args`), each made into a `T`: on
    /// SQLite on this thread, on PostgreSQL through the pool.
    pub(crate) async fn read_rows<T: FromCols>(&self, sql: &str, args: &[i64]) -> Result<Vec<T>> {
        match &self.reads {
            Some(reads) => reads.one(|c| {
                let mut statement = c.prepare_cached(sql)?;
                let mut rows = statement.query(rusqlite::params_from_iter(args))?;
                let mut out = Vec::new();
                while let Some(row) = rows.next()? {
                    out.push(T::from_cols(row)?);
                }
                Ok(out)
            }),
            None => {
                let mut q = sqlx::query(sql);
                for a in args {
                    q = q.bind(*a);
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
