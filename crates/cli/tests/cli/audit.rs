//! `chance-navi audit …` on both engines, as an operator runs it, against a
//! database that an attacker without the audit key has written to.

use std::process::Output;

use store::{Actor, DatabaseTarget, NewAuditEntry};
use testkit::{Backend, TestDb};

use crate::{chance_navi, one_error_line};

/// Runs the function `body` once on each engine, as tests `name::sqlite` and `name::postgres`.
macro_rules! on_both_engines {
    ($name:ident, $body:ident) => {
        mod $name {
            #[test]
            fn sqlite() {
                super::$body(testkit::Backend::Sqlite);
            }

            #[test]
            fn postgres() {
                super::$body(testkit::Backend::Postgres);
            }
        }
    };
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// A test database with `n` audit entries written under the test audit key.
fn installation(rt: &tokio::runtime::Runtime, backend: Backend, n: i64) -> TestDb {
    rt.block_on(async {
        let db = TestDb::new(backend).await;
        let actor = Actor {
            user_id: None,
            label: "管理者 山田".into(),
            ip: Some("192.0.2.1".into()),
        };
        for i in 1..=n {
            db.store()
                .append_audit(&NewAuditEntry {
                    at: 1_700_000_000_000 + i,
                    actor: &actor,
                    action: "company.approve",
                    target_type: "company",
                    target_id: &i.to_string(),
                    detail: "status=approved",
                })
                .await
                .expect("append");
        }
        db
    })
}

/// `chance-navi <args>` on `db`'s installation, with the test audit key.
fn cli(db: &TestDb, args: &[&str]) -> Output {
    let mut cmd = chance_navi();
    cmd.env("CHANCE_NAVI_AUDIT_KEY", testkit::AUDIT_KEY_HEX)
        .arg("--data-dir")
        .arg(db.data_dir());
    if let DatabaseTarget::Postgres { url } = db.target() {
        cmd.env("DATABASE_URL", url);
    }
    cmd.args(args).output().expect("run chance-navi")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Keeps the published checkpoints in a file, as an outsider would.
fn keep_checkpoints(db: &TestDb) -> tempfile::NamedTempFile {
    let out = cli(db, &["audit", "latest-checkpoint", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = tempfile::NamedTempFile::new().expect("file");
    std::fs::write(file.path(), &out.stdout).expect("write");
    file
}

on_both_engines!(an_intact_chain_passes, intact);
fn intact(backend: Backend) {
    let rt = runtime();
    let db = installation(&rt, backend, 4);
    let out = cli(&db, &["audit", "verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout(&out).contains("audit log intact: 4 entries"),
        "{}",
        stdout(&out)
    );
    let made = cli(&db, &["audit", "checkpoint"]);
    assert!(made.status.success());
    assert!(stdout(&made).contains("記録の番号: 4"), "{}", stdout(&made));
    let kept = keep_checkpoints(&db);
    let out = cli(
        &db,
        &[
            "audit",
            "verify",
            "--checkpoints",
            kept.path().to_str().expect("as the test set it up"),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout(&out).contains("held to 2 checkpoint(s)"),
        "{}",
        stdout(&out)
    );
}

on_both_engines!(
    rewriting_an_entry_and_every_later_hash_with_plain_sql_is_named,
    rewritten
);
fn rewritten(backend: Backend) {
    let rt = runtime();
    let db = installation(&rt, backend, 5);
    rt.block_on(db.rewrite_audit_entry(3, "status=rejected"));
    let out = cli(&db, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    let line = one_error_line(&out);
    assert!(
        line.contains("broken at entry 3") && line.contains("changed"),
        "{line}"
    );
}

on_both_engines!(
    deleting_the_newest_entries_and_moving_the_head_back_fails_against_a_kept_checkpoint,
    truncated
);
fn truncated(backend: Backend) {
    let rt = runtime();
    let db = installation(&rt, backend, 6);
    assert!(cli(&db, &["audit", "checkpoint"]).status.success());
    let kept = keep_checkpoints(&db);
    // The attacker deletes entries 5 and 6, moves the head back and removes
    // the stored checkpoints too: the database alone no longer shows it…
    rt.block_on(async {
        db.truncate_audit(4).await;
        db.execute_raw("DELETE FROM audit_checkpoints").await;
    });
    let alone = cli(&db, &["audit", "verify"]);
    assert!(alone.status.success());
    assert!(stdout(&alone).contains("no checkpoint held the chain"));
    // …the checkpoint kept outside does.
    let out = cli(
        &db,
        &[
            "audit",
            "verify",
            "--checkpoints",
            kept.path().to_str().expect("as the test set it up"),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let line = one_error_line(&out);
    assert!(
        line.contains("broken at entry 5") && line.contains("entries 5 to 6 were deleted"),
        "{line}"
    );
}

on_both_engines!(a_forged_checkpoint_signature_is_refused, forged);
fn forged(backend: Backend) {
    let rt = runtime();
    let db = installation(&rt, backend, 3);
    assert!(cli(&db, &["audit", "checkpoint"]).status.success());
    let kept = keep_checkpoints(&db);
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(kept.path()).expect("as the test set it up"))
            .expect("as the test set it up");
    // A checkpoint claiming a longer chain, with a signature made up.
    doc["checkpoints"][0]["seq"] = 9.into();
    std::fs::write(kept.path(), doc.to_string()).expect("as the test set it up");
    let out = cli(
        &db,
        &[
            "audit",
            "verify",
            "--checkpoints",
            kept.path().to_str().expect("as the test set it up"),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("refused: checkpoint 1 of") && stderr.contains("signature"),
        "{stderr}"
    );
    assert!(stderr.contains("1 checkpoint(s) refused"), "{stderr}");
}

/// The schema version and the rows of every table the audit touches.
fn fingerprint(rt: &tokio::runtime::Runtime, db: &TestDb) -> (Vec<i64>, Vec<i64>) {
    rt.block_on(async {
        let store = db.store();
        let head = store.audit_head().await.expect("as the test set it up");
        let counts = vec![
            store
                .audit_entries(&store::AuditFilter::default())
                .await
                .expect("as the test set it up")
                .len() as i64,
            store
                .audit_checkpoints(0)
                .await
                .expect("as the test set it up")
                .len() as i64,
            head.seq,
            head.keyed_from,
            store
                .lease("audit-checkpoint")
                .await
                .expect("as the test set it up")
                .map_or(0, |l| l.expires_at),
        ];
        (
            store
                .applied_versions()
                .await
                .expect("as the test set it up"),
            counts,
        )
    })
}

on_both_engines!(audit_verify_changes_nothing_and_migrates_nothing, read_only);
fn read_only(backend: Backend) {
    let rt = runtime();
    let db = installation(&rt, backend, 3);
    assert!(cli(&db, &["audit", "checkpoint"]).status.success());
    let sqlite_file = match db.target() {
        DatabaseTarget::Sqlite { path } => Some(path.clone()),
        DatabaseTarget::Postgres { .. } => None,
    };
    let bytes = |p: &Option<std::path::PathBuf>| {
        p.as_ref()
            .map(|p| std::fs::read(p).expect("as the test set it up"))
    };
    let before = (fingerprint(&rt, &db), bytes(&sqlite_file));
    for args in [
        &["audit", "verify"][..],
        &["audit", "latest-checkpoint"][..],
    ] {
        assert!(cli(&db, args).status.success());
    }
    assert_eq!((fingerprint(&rt, &db), bytes(&sqlite_file)), before);

    // A schema that is behind is refused, and stays behind.
    rt.block_on(db.execute_raw(
        "DROP TABLE audit_checkpoints;
         ALTER TABLE audit_head DROP COLUMN keyed_from;
         DELETE FROM _sqlx_migrations WHERE version = 18;",
    ));
    let out = cli(&db, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    let line = one_error_line(&out);
    assert!(
        line.contains("schema version") && line.contains("chance-navi migrate"),
        "{line}"
    );
    let versions = rt
        .block_on(db.store().applied_versions())
        .expect("as the test set it up");
    assert!(!versions.contains(&18), "{versions:?}");
}

#[test]
fn audit_verify_never_makes_a_key_nor_a_database() {
    let tmp = tempfile::tempdir().expect("as the test set it up");
    let out = chance_navi()
        .args(["audit", "verify", "--data-dir"])
        .arg(tmp.path())
        .output()
        .expect("as the test set it up");
    assert_eq!(out.status.code(), Some(1));
    let line = one_error_line(&out);
    assert!(line.contains("audit key"), "{line}");
    assert!(!tmp.path().join("keys/audit").exists());
    let out = chance_navi()
        .env("CHANCE_NAVI_AUDIT_KEY", testkit::AUDIT_KEY_HEX)
        .args(["audit", "verify", "--data-dir"])
        .arg(tmp.path())
        .output()
        .expect("as the test set it up");
    assert_eq!(out.status.code(), Some(1));
    assert!(!tmp.path().join("chance-navi.db").exists());
}

#[test]
fn a_bad_audit_key_is_named_without_being_printed() {
    let tmp = tempfile::tempdir().expect("as the test set it up");
    let out = chance_navi()
        .env("CHANCE_NAVI_AUDIT_KEY", "not-a-key")
        .args(["audit", "verify", "--data-dir"])
        .arg(tmp.path())
        .output()
        .expect("as the test set it up");
    let line = one_error_line(&out);
    assert!(line.contains("CHANCE_NAVI_AUDIT_KEY"), "{line}");
    assert!(!line.contains("not-a-key"), "{line}");
}

/// `serve` signs a checkpoint of a chain that has none at start-up (an
/// upgraded installation), publishes it, and its public key is the one
/// `audit latest-checkpoint` prints.
#[test]
fn serve_signs_a_checkpoint_at_start_and_publishes_it() {
    let rt = runtime();
    let db = installation(&rt, Backend::Sqlite, 2);
    testkit::write_audit_key(db.data_dir());
    let server = crate::Server::start(db.data_dir(), None);
    let mut published = serde_json::Value::Null;
    for _ in 0..100 {
        let (status, body) = crate::serve::get(&server.url("/audit/checkpoints.json"));
        assert_eq!(status, 200);
        published = serde_json::from_str(&body).expect("as the test set it up");
        if published["checkpoints"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(server.terminate().success());
    assert_eq!(published["checkpoints"][0]["seq"], 2, "{published}");
    let latest = cli(&db, &["audit", "latest-checkpoint", "--json"]);
    let latest: serde_json::Value =
        serde_json::from_slice(&latest.stdout).expect("as the test set it up");
    assert_eq!(latest["public_key"], published["public_key"]);
    assert_eq!(latest["checkpoints"][0], published["checkpoints"][0]);
}
