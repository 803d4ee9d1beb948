//! Migrations, probes and leases.

use std::time::Duration;

use store::{Engine, Store};
use testkit::TestDb;

on_both_engines!(migrating_twice_applies_nothing_the_second_time, |store| {
    let again = store.migrate().await.expect("second migration");
    assert!(again.applied.is_empty());
    assert_eq!(again.current, Store::latest_version());
    assert_eq!(
        store.applied_versions().await.expect("versions"),
        store::migration_files()
            .iter()
            .map(|f| f[..4].parse::<i64>().expect("numbered file"))
            .collect::<Vec<_>>()
    );
});

on_both_engines!(ping_answers_on_a_live_database, |store| {
    store.ping().await.expect("ping");
});

on_both_engines!(a_lease_is_held_by_one_holder_until_it_expires, |store| {
    let ttl = Duration::from_secs(60);
    assert!(
        store
            .try_acquire_lease("import:kkj", "node-a", ttl, 1_000)
            .await
            .unwrap()
    );
    assert!(
        !store
            .try_acquire_lease("import:kkj", "node-b", ttl, 2_000)
            .await
            .unwrap()
    );
    // Renewal by the holder keeps the first acquisition time.
    assert!(
        store
            .try_acquire_lease("import:kkj", "node-a", ttl, 30_000)
            .await
            .unwrap()
    );
    let lease = store.lease("import:kkj").await.unwrap().expect("held");
    assert_eq!(
        (lease.holder.as_str(), lease.acquired_at, lease.expires_at),
        ("node-a", 1_000, 90_000)
    );
    // After expiry another node may take it over.
    assert!(
        !store
            .try_acquire_lease("import:kkj", "node-b", ttl, 89_999)
            .await
            .unwrap()
    );
    assert!(
        store
            .try_acquire_lease("import:kkj", "node-b", ttl, 90_000)
            .await
            .unwrap()
    );
    let lease = store.lease("import:kkj").await.unwrap().expect("held");
    assert_eq!(
        (lease.holder.as_str(), lease.acquired_at),
        ("node-b", 90_000)
    );
});

on_both_engines!(releasing_a_lease_frees_it_only_for_its_holder, |store| {
    let ttl = Duration::from_secs(60);
    assert!(
        store
            .try_acquire_lease("notify", "node-a", ttl, 0)
            .await
            .unwrap()
    );
    assert!(!store.release_lease("notify", "node-b").await.unwrap());
    assert!(store.release_lease("notify", "node-a").await.unwrap());
    assert!(store.lease("notify").await.unwrap().is_none());
    assert!(
        store
            .try_acquire_lease("notify", "node-b", ttl, 1)
            .await
            .unwrap()
    );
});

on_both_engines!(leases_with_different_names_are_independent, |store| {
    let ttl = Duration::from_secs(5);
    assert!(
        store
            .try_acquire_lease("a", "node-a", ttl, 0)
            .await
            .unwrap()
    );
    assert!(
        store
            .try_acquire_lease("b", "node-b", ttl, 0)
            .await
            .unwrap()
    );
});

on_both_engines!(
    nodes_racing_for_one_lease_yield_exactly_one_winner,
    |store| {
        let mut tasks = Vec::new();
        for node in 0..8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                store
                    .try_acquire_lease(
                        "daily-digest",
                        &format!("node-{node}"),
                        Duration::from_secs(60),
                        5_000,
                    )
                    .await
                    .expect("acquire")
            }));
        }
        let mut winners = 0;
        for t in tasks {
            if t.await.expect("task") {
                winners += 1;
            }
        }
        assert_eq!(winners, 1);
    }
);

on_both_engines!(the_engine_is_reported_from_the_target, |store| {
    assert!(matches!(store.engine(), Engine::Sqlite | Engine::Postgres));
    assert!(!store.target().is_empty());
});

#[tokio::test]
async fn both_engines_migrate_to_the_same_tables_and_columns() {
    let sqlite = TestDb::sqlite().await;
    let postgres = TestDb::postgres().await;
    let a = sqlite
        .store()
        .describe_schema()
        .await
        .expect("sqlite schema");
    let b = postgres
        .store()
        .describe_schema()
        .await
        .expect("postgres schema");
    assert!(!a.is_empty(), "the migrations create tables");
    assert_eq!(a, b, "SQLite and PostgreSQL schemas differ");
}

#[test]
fn every_migration_file_exists_for_both_engines_or_in_common_and_is_embedded() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let list = |engine: &str| {
        let mut names: Vec<String> = std::fs::read_dir(dir.join(engine))
            .expect("migrations folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let embedded: Vec<String> = store::migration_files()
        .into_iter()
        .map(String::from)
        .collect();
    let common = list("common");
    let with_common = |engine: &str| {
        let mut all = list(engine);
        all.extend(common.iter().cloned());
        all.sort();
        all
    };
    assert_eq!(with_common("sqlite"), embedded);
    assert_eq!(with_common("postgres"), embedded);
    for c in &common {
        assert!(
            !list("sqlite").contains(c),
            "{c} is both common and per engine"
        );
    }
}

#[tokio::test]
async fn the_sqlite_test_database_lives_in_its_data_directory() {
    let db = TestDb::sqlite().await;
    assert!(db.data_dir().join("chance-navi.db").is_file());
    let postgres = TestDb::postgres().await;
    assert!(postgres.data_dir().is_dir());
}

/// The SQLite database, its WAL and shared memory are the portal's user's
/// alone; an installation from before is tightened when it is opened.
#[cfg(unix)]
#[tokio::test]
async fn the_sqlite_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let db = TestDb::sqlite().await;
    db.store()
        .upsert_case(&testkit::fixtures::case(1), 1_000)
        .await
        .expect("a write, so that the WAL exists");
    let file = db.data_dir().join("chance-navi.db");
    let mode = |suffix: &str| {
        let mut p = file.clone().into_os_string();
        p.push(suffix);
        std::fs::metadata(std::path::PathBuf::from(p))
            .expect("file")
            .permissions()
            .mode()
            & 0o777
    };
    for suffix in ["", "-wal", "-shm"] {
        assert_eq!(mode(suffix), 0o600, "chance-navi.db{suffix}");
    }
    // A database left readable by everyone (0644) is made private when opened.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let target = store::DatabaseTarget::sqlite(&file).expect("target");
    let again = Store::connect(&target, &store::PoolSettings::default())
        .await
        .expect("open");
    assert_eq!(mode(""), 0o600);
    again.close().await;
}
