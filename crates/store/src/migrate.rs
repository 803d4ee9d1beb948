//! Migrations, embedded in the binary: one folder per engine for schema, kept
//! in step (same file names; a test proves the migrated schemas agree), and
//! `common/` for SQL both engines run as it is (seed data).

use std::borrow::Cow;

use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use std::future::Future;
use std::pin::Pin;

use crate::{Engine, Result, Store, StoreError};

/// A migration file: its version, its name, and its SQL for each engine.
#[derive(Debug)]
struct Step {
    version: i64,
    file: &'static str,
    description: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

/// A migration whose SQL is the same on both engines (data, not schema).
macro_rules! common_step {
    ($version:literal, $file:literal, $description:literal) => {
        Step {
            version: $version,
            file: $file,
            description: $description,
            sqlite: include_str!(concat!("../migrations/common/", $file)),
            postgres: include_str!(concat!("../migrations/common/", $file)),
        }
    };
}

macro_rules! step {
    ($version:literal, $file:literal, $description:literal) => {
        Step {
            version: $version,
            file: $file,
            description: $description,
            sqlite: include_str!(concat!("../migrations/sqlite/", $file)),
            postgres: include_str!(concat!("../migrations/postgres/", $file)),
        }
    };
}

/// Every migration, oldest first. A new migration adds one file to each folder and one line here.
const STEPS: &[Step] = &[
    step!(1, "0001_foundation.sql", "foundation"),
    step!(2, "0002_accounts.sql", "accounts"),
    common_step!(3, "0003_master_seed.sql", "master seed"),
    step!(4, "0004_cases.sql", "cases"),
    step!(5, "0005_orders.sql", "private orders, entries and files"),
    step!(
        6,
        "0006_imports.sql",
        "import runs, quarantine and case history"
    ),
    step!(7, "0007_exports.sql", "exports of personal data"),
    step!(
        8,
        "0008_master_updates.sql",
        "yearly contract-department master updates"
    ),
    step!(
        9,
        "0009_tenders.sql",
        "e-tenders, participants and sealed bids"
    ),
    step!(10, "0010_openings.sql", "e-tender openings and bid results"),
    step!(
        11,
        "0011_tender_workflow.sql",
        "e-tender requirements, applications, questions and API tokens"
    ),
    step!(12, "0012_notify.sql", "notification settings and matches"),
    step!(
        13,
        "0013_case_dates.sql",
        "period end and day-only dates of cases"
    ),
    step!(
        14,
        "0014_import_runs.sql",
        "import run heartbeats and skipped records"
    ),
    step!(15, "0015_ocds_releases.sql", "OCDS releases by process"),
    step!(
        16,
        "0016_export_destinations.sql",
        "export destinations and unmappable values"
    ),
    step!(
        17,
        "0017_account_security.sql",
        "sign-in gates and known devices, sessions' absolute end, reviewed changes of dealings"
    ),
    step!(
        18,
        "0018_audit_keyed.sql",
        "keyed audit hashes and signed checkpoints"
    ),
    step!(
        19,
        "0019_terms_agreed.sql",
        "the version of the terms of use each person agreed to"
    ),
    step!(
        20,
        "0020_colleagues_and_staff.sql",
        "company administrators, users' last sign-in"
    ),
    step!(
        21,
        "0021_site_changes.sql",
        "the site's change sequence for the render cache"
    ),
    step!(
        22,
        "0022_content.sql",
        "site content: pages, posts, categories and revisions"
    ),
    step!(23, "0023_media.sql", "the media library of site content"),
    step!(
        24,
        "0024_site_layout.sql",
        "the site's menus and its top pages' blocks"
    ),
    step!(
        25,
        "0025_directory.sql",
        "the business-partner directory's company profiles"
    ),
];

/// The file names this crate embeds, for the test that no file on disk is forgotten.
pub fn migration_files() -> Vec<&'static str> {
    STEPS.iter().map(|s| s.file).collect()
}

/// What `migrate` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    pub applied: Vec<i64>,
    pub current: i64,
}

#[derive(Debug)]
struct Embedded(Engine);

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(
        self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 's>> {
        Box::pin(async move {
            Ok(STEPS
                .iter()
                .map(|step| {
                    let sql = match self.0 {
                        Engine::Sqlite => step.sqlite,
                        Engine::Postgres => step.postgres,
                    };
                    Migration::new(
                        step.version,
                        Cow::Borrowed(step.description),
                        MigrationType::Simple,
                        Cow::Borrowed(sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

impl Store {
    /// Brings the schema up to date; applying twice changes nothing.
    pub async fn migrate(&self) -> Result<MigrationReport> {
        let wrap = |cause| StoreError::Migrate {
            target: self.target.clone(),
            cause,
        };
        let migrator = Migrator::new(Embedded(self.engine)).await.map_err(wrap)?;
        let before = self.applied_versions().await?;
        migrator.run(self.pool()).await.map_err(wrap)?;
        let after = self.applied_versions().await?;
        Ok(MigrationReport {
            applied: after
                .iter()
                .copied()
                .filter(|v| !before.contains(v))
                .collect(),
            current: after.last().copied().unwrap_or(0),
        })
    }

    /// The versions recorded as applied, oldest first (none before the first run).
    pub async fn applied_versions(&self) -> Result<Vec<i64>> {
        let exists = self.table_exists("_sqlx_migrations").await?;
        if !exists {
            return Ok(Vec::new());
        }
        Ok(sqlx::query_scalar(
            "SELECT version FROM _sqlx_migrations WHERE success = TRUE ORDER BY version",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// The newest version this binary knows.
    pub fn latest_version() -> i64 {
        STEPS.last().map_or(0, |s| s.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_increase_and_match_file_names() {
        // Numbers are handed out to parallel branches, so a gap may stay
        // open until the branch holding it is merged; order is what matters.
        let files = migration_files();
        assert_eq!(files.len(), STEPS.len());
        let mut last = 0;
        for (step, file) in STEPS.iter().zip(files) {
            assert!(step.version > last, "{file} is out of order");
            last = step.version;
            assert!(file.starts_with(&format!("{:04}_", step.version)), "{file}");
        }
    }
}
