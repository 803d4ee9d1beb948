//! Storage for chance-navi: one contract over SQLite (the embedded default) and
//! PostgreSQL (for several nodes).
//!
//! Queries are written once, in the subset both engines share, and run through
//! `sqlx::Any`; where the dialects differ the difference stays in this crate
//! (see `docs/decisions/0001-storage-two-engines.md`). No other crate holds SQL.

mod audit;
mod cases;
mod companies;
mod durable;
mod exports;
mod imports;
mod leases;
mod legal;
mod master_updates;
mod masters;
mod migrate;
mod notify;
mod orders;
mod outbox;
mod peer;
mod schema;
mod target;
mod tenders;
mod tokens;
mod users;

use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyConnection, AnyPool, Connection, Executor};

pub use audit::{Actor, AuditEntry, AuditFilter, AuditVerification, NewAuditEntry};
pub use cases::{Case, FieldChange, NewCase, Upserted, changes};
pub use companies::{Company, CompanyProfile, NewApplication, Review};
pub use exports::{COMPANIES as EXPORT_COMPANIES, CompanyRecord, ExportRecord};
pub use imports::{
    CaseResult, ImportRun, Quarantined, RunCounts, RunStatus, SILENT_RUN_MS, SourceHealth,
};
pub use leases::Lease;
pub use legal::LegalChange;
pub use master_updates::{DepartmentChange, DepartmentOp, MasterUpdate};
pub use masters::{
    ContractDepartment, IndustryDivision, IndustryEntry, MasterItem, OrderingOrganization,
    SimpleMaster,
};
pub use migrate::{MigrationReport, migration_files};
pub use notify::{NewNotifySetting, NotifySetting, NotifyStats};
pub use orders::{
    Entry, EntryMessage, FileMeta, NewFile, NewMessage, OrderDecision, PORTAL_SOURCE, SaveOrder,
    StoredFile, accepts_entries, entry_deadline,
};
pub use outbox::{NewMail, OutboxMail};
pub use peer::{Peer, PeerQuery, PeerRow};
pub use schema::{ColumnInfo, SchemaDescription};
pub use target::{DatabaseTarget, Engine, TargetError};
pub use tenders::{
    Application, BidResult, NewTender, OpeningRecord, Participant, Participation, Question,
    Receipt, SealedBid, TenderRecord,
};
pub use tokens::ApiToken;
pub use users::{NewUser, Session, TokenPurpose, User};

/// What can go wrong in the store. Messages name what and where, never secrets.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    // The cause is part of the message (and not a `source`), so that it is
    // printed once whether the caller shows the chain or not.
    #[error("cannot open the database at {target}: {cause}")]
    Connect { target: String, cause: sqlx::Error },
    #[error("cannot migrate the database at {target}: {cause}")]
    Migrate {
        target: String,
        cause: sqlx::migrate::MigrateError,
    },
    #[error(transparent)]
    Query(#[from] sqlx::Error),
    /// A value that must be unique already exists; names the field.
    #[error("{field} is already registered")]
    Conflict { field: &'static str },
    /// A value the database must not hold (a programming error upstream).
    #[error("invalid value: {0}")]
    Invalid(String),
    /// The row changed since it was read (another reviewer acted first).
    #[error("the record was changed by someone else; reload and try again")]
    Stale,
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// How the pool is sized and how long a caller waits for a connection.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: 10,
            // A burst (bids just before a deadline) waits its turn rather than fail.
            acquire_timeout: Duration::from_secs(30),
        }
    }
}

/// A handle on the database. Cheap to clone; every clone shares the pool.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    engine: Engine,
    target: String,
}

impl Store {
    /// Opens the database; SQLite files are created when missing, with WAL,
    /// foreign keys and a busy timeout set on every connection.
    pub async fn connect(target: &DatabaseTarget, settings: &PoolSettings) -> Result<Store> {
        install_default_drivers();
        let engine = target.engine();
        let shown = target.to_string();
        let mut options = AnyPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.acquire_timeout);
        if engine == Engine::Sqlite {
            options = options
                // SQLite takes one writer at a time; a small pool avoids
                // queuing writers behind each other inside SQLite's lock.
                .max_connections(settings.max_connections.min(8))
                .after_connect(|conn, _meta| {
                    Box::pin(async move {
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA foreign_keys = ON",
                            "PRAGMA busy_timeout = 5000",
                            "PRAGMA synchronous = NORMAL",
                        ] {
                            conn.execute(pragma).await?;
                        }
                        Ok(())
                    })
                });
        }
        let url = target.connection_url();
        let failed = |cause| StoreError::Connect {
            target: shown.clone(),
            cause,
        };
        // One direct connection first: it fails at once with the real cause
        // (refused, unknown host, bad password), where the pool would only
        // report a timeout after waiting.
        AnyConnection::connect(&url)
            .await
            .map_err(failed)?
            .close()
            .await
            .map_err(failed)?;
        let pool = options.connect(&url).await.map_err(failed)?;
        Ok(Store {
            pool,
            engine,
            target: shown,
        })
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The database's location with any password removed, for messages and logs.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Cheapest round trip to the database: proves it is reachable and answering.
    pub async fn ping(&self) -> Result<()> {
        let one: i32 = sqlx::query_scalar("SELECT 1").fetch_one(&self.pool).await?;
        debug_assert_eq!(one, 1);
        Ok(())
    }

    /// Waits for connections in use to be returned, then closes them all.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// Maps a unique-constraint violation to `Conflict` naming the field whose
/// column appears in the engine's message; other errors pass through.
pub(crate) fn conflict(e: sqlx::Error, fields: &[(&str, &'static str)]) -> StoreError {
    if let sqlx::Error::Database(db) = &e
        && db.kind() == sqlx::error::ErrorKind::UniqueViolation
    {
        let text = format!("{} {}", db.message(), db.constraint().unwrap_or(""));
        for (column, field) in fields {
            if text.contains(column) {
                return StoreError::Conflict { field };
            }
        }
    }
    StoreError::Query(e)
}
