//! Storage for chance-navi: one contract over SQLite (the embedded default) and
//! PostgreSQL (for several nodes).
//!
//! Queries are written once, in the subset both engines share, and run through
//! `sqlx::Any`; where the dialects differ the difference stays in this crate
//! (see `docs/decisions/0001-storage-two-engines.md`). No other crate holds SQL.

mod audit;
mod bundle;
mod cases;
mod companies;
mod company_search;
mod content;
mod dealings;
mod directory;
mod durable;
mod exports;
mod gates;
mod imports;
mod layout;
mod leases;
mod legal;
mod master_updates;
mod masters;
mod media;
mod members;
mod migrate;
mod notify;
mod orders;
mod outbox;
mod peer;
mod read;
mod schema;
mod target;
mod tenders;
mod terms;
mod tokens;
mod users;
mod wal_watch;

use std::sync::Arc;
use std::time::Duration;

use domain::audit::{AuditKeys, PublicKey};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyConnection, AnyPool, Connection, Executor};

pub use audit::{
    AUDIT_SCHEMA_VERSION, Actor, AuditEntry, AuditFilter, AuditHead, AuditVerification,
    NewAuditEntry,
};
pub use bundle::{Action, BUNDLE_SCHEMA, BundlePlan, Exported, PlanSection, PlannedChange};
pub use cases::{Case, FieldChange, NewCase, Upserted, changes};
pub use companies::{Company, CompanyProfile, NewApplication, Review};
pub use company_search::CompanySearch;
pub use content::{
    ContentFilter, ContentItem, ContentSave, ContentState, EventFields, RevisionInfo,
};
pub use dealings::DealingsChange;
pub use directory::{Profile, ProfileEdit, ShownProfile};
pub use exports::{
    COMPANIES as EXPORT_COMPANIES, CompanyRecord, ExportProblem, ExportRecord, NewExport,
};
pub use gates::Passage;
pub use imports::{
    CaseResult, ImportRun, Quarantined, RunCounts, RunStatus, SILENT_RUN_MS, SourceHealth,
};
pub use layout::{BLOCK_KINDS, Block, MENUS, MenuEntry, MenuLink, TOPS};
pub use leases::Lease;
pub use legal::LegalChange;
pub use master_updates::{DepartmentChange, DepartmentOp, MasterUpdate};
pub use masters::{
    ContractDepartment, IndustryDivision, IndustryEntry, MasterItem, OrderingOrganization,
    SimpleMaster,
};
pub use media::{MediaInfo, NewMedia};
pub use members::{MemberChange, Reinvitation};
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
    Application, BidResult, CompanyTender, NewTender, OpeningRecord, Participant, Participation,
    Question, Receipt, SealedBid, TenderRecord,
};
pub use tokens::ApiToken;
pub use users::{Invited, NewInvitation, NewUser, Session, TokenPurpose, TokenState, User};

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
    /// A read on the SQLite read path failed (docs/decisions/0008).
    #[error("cannot read the database: {0}")]
    Read(String),
    /// The row changed since it was read (another reviewer acted first).
    #[error("the record was changed by someone else; reload and try again")]
    Stale,
    /// An audit entry was to be written by a store opened without the audit
    /// key (`Store::with_audit_keys`).
    #[error("the audit key is not loaded: this process cannot write to the audit log")]
    NoAuditKey,
    /// A checkpoint was asked for, but the chain does not verify.
    #[error("the audit log is broken at entry {seq}: {why}")]
    AuditBroken { seq: i64, why: String },
    /// A content bundle that cannot be applied (said in Japanese).
    #[error(transparent)]
    Bundle(#[from] ::content::bundle::BundleError),
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        StoreError::Bundle(e.into())
    }
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
    /// The audit chain's keys, which the database never holds; without them
    /// the store reads but writes no audit entry (and so no audited action).
    audit: Option<Arc<AuditKeys>>,
    /// SQLite: the connections pages read through on the caller's thread.
    reads: Option<Arc<read::SqliteReads>>,
}

impl Store {
    /// Opens the database; SQLite files are created when missing, with WAL,
    /// foreign keys and a busy timeout set on every connection.
    pub async fn connect(target: &DatabaseTarget, settings: &PoolSettings) -> Result<Store> {
        Self::open(target, settings, false).await
    }

    /// Opens the database for reading only: an SQLite file must exist and is
    /// opened read-only, a PostgreSQL session is read-only, so that nothing
    /// done through this store (not even a migration) can change the data.
    pub async fn connect_read_only(
        target: &DatabaseTarget,
        settings: &PoolSettings,
    ) -> Result<Store> {
        Self::open(target, settings, true).await
    }

    async fn open(
        target: &DatabaseTarget,
        settings: &PoolSettings,
        read_only: bool,
    ) -> Result<Store> {
        install_default_drivers();
        let engine = target.engine();
        let shown = target.to_string();
        let mut options = AnyPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.acquire_timeout);
        if engine == Engine::Sqlite && read_only {
            options = options
                .max_connections(settings.max_connections.min(8))
                .after_connect(|conn, _meta| {
                    Box::pin(async move {
                        conn.execute("PRAGMA busy_timeout = 5000").await?;
                        conn.execute("PRAGMA query_only = ON").await?;
                        Ok(())
                    })
                });
        } else if engine == Engine::Postgres && read_only {
            options = options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
                        .await?;
                    Ok(())
                })
            });
        } else if engine == Engine::Sqlite {
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
        let mut url = target.connection_url();
        if read_only && engine == Engine::Sqlite {
            // mode=ro: a missing file is an error instead of a new, empty database.
            url = url.replace("?mode=rwc", "?mode=ro");
        }
        let failed = |cause| StoreError::Connect {
            target: shown.clone(),
            cause,
        };
        if let (DatabaseTarget::Sqlite { path }, false) = (target, read_only) {
            private_sqlite_files(path);
        }
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
        if let (DatabaseTarget::Sqlite { path }, false) = (target, read_only) {
            // The WAL and shared-memory files now exist; an installation from
            // before this rule gets its modes tightened too.
            private_sqlite_files(path);
        }
        let reads = match target {
            DatabaseTarget::Sqlite { path } => Some(Arc::new(read::SqliteReads::new(path))),
            DatabaseTarget::Postgres { .. } => None,
        };
        Ok(Store {
            pool,
            engine,
            target: shown,
            audit: None,
            reads,
        })
    }

    /// The store with the audit chain's keys: every process that writes
    /// audited actions needs them (the same on every node). Tests use
    /// `testkit`'s fixed test key.
    pub fn with_audit_keys(mut self, keys: Arc<AuditKeys>) -> Store {
        self.audit = Some(keys);
        self
    }

    /// The key that checks the audit checkpoints, for publishing beside them.
    pub fn audit_public_key(&self) -> Option<PublicKey> {
        self.audit.as_ref().map(|k| k.public_key())
    }

    pub(crate) fn audit_keys(&self) -> Result<&AuditKeys> {
        self.audit.as_deref().ok_or(StoreError::NoAuditKey)
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

/// The SQLite database and its WAL and shared-memory files are for this
/// process's user only (0600): they hold personal data and, until sent,
/// password-reset links. A missing database file is created so (SQLite then
/// opens the empty file as a new database and gives its WAL the same mode).
fn private_sqlite_files(path: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if !path.exists() {
            let _ = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path);
        }
        let name = path.as_os_str().to_owned();
        for suffix in ["", "-wal", "-shm"] {
            let mut file = name.clone();
            file.push(suffix);
            let file = std::path::PathBuf::from(file);
            if let Ok(meta) = std::fs::metadata(&file)
                && meta.permissions().mode() & 0o077 != 0
            {
                let _ = std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600));
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}
