use std::io::Write;
use std::process::{Output, Stdio};

use crate::{chance_navi, one_error_line};

fn user_create(data: &str, role: &str, email: &str, password: &str) -> Output {
    let mut child = chance_navi()
        .args([
            "user",
            "create",
            "--data-dir",
            data,
            "--role",
            role,
            "--email",
            email,
            "--name",
            "山田 花子",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // The command may exit before reading (a bad flag): a closed pipe is fine.
    let _ = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{password}\n").as_bytes());
    child.wait_with_output().expect("wait")
}

#[test]
fn user_create_bootstraps_an_administrator_from_standard_input() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().to_str().unwrap();
    let out = user_create(data, "admin", "admin@example.go.jp", "Tokyo2026navi!");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("created admin user #1 <admin@example.go.jp>"),
        "{text}"
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("Tokyo2026navi"));

    let again = user_create(data, "operator", "ADMIN@example.go.jp", "Tokyo2026navi!");
    assert_eq!(again.status.code(), Some(1));
    assert!(one_error_line(&again).contains("already exists"));
}

#[test]
fn user_create_refuses_a_weak_or_missing_password_and_a_bad_address() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().to_str().unwrap();
    let weak = user_create(data, "ops", "ops@example.go.jp", "short");
    assert_eq!(weak.status.code(), Some(1));
    assert!(one_error_line(&weak).contains("10文字以上"));
    let missing = user_create(data, "ops", "ops@example.go.jp", "");
    assert!(one_error_line(&missing).contains("no password"));
    let bad = user_create(data, "ops", "not-an-address", "Tokyo2026navi!");
    assert!(one_error_line(&bad).starts_with("error: --email:"));
    let role = user_create(data, "root", "ops@example.go.jp", "Tokyo2026navi!");
    assert_eq!(role.status.code(), Some(2));
}

#[test]
fn audit_verify_passes_an_intact_log_and_names_an_edited_or_deleted_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().to_str().unwrap();
    for (i, role) in ["admin", "operator", "ops"].iter().enumerate() {
        let out = user_create(
            data,
            role,
            &format!("staff{i}@example.go.jp"),
            "Tokyo2026navi!",
        );
        assert!(out.status.success());
    }
    let ok = crate::run(&["audit", "verify", "--data-dir", data]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        String::from_utf8(ok.stdout)
            .unwrap()
            .contains("audit log intact: 3 entries")
    );

    let target =
        store::DatabaseTarget::sqlite(tmp.path().canonicalize().unwrap().join("chance-navi.db"))
            .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(testkit::execute_raw(
        &target,
        "UPDATE audit_log SET detail = 'role=admin' WHERE seq = 2",
    ));
    let edited = crate::run(&["audit", "verify", "--data-dir", data]);
    assert_eq!(edited.status.code(), Some(1));
    let line = one_error_line(&edited);
    assert!(
        line.contains("broken at entry 2") && line.contains("changed"),
        "{line}"
    );

    rt.block_on(testkit::execute_raw(
        &target,
        "DELETE FROM audit_log WHERE seq = 2",
    ));
    let deleted = crate::run(&["audit", "verify", "--data-dir", data]);
    let line = one_error_line(&deleted);
    assert!(
        line.contains("broken at entry 2") && line.contains("missing"),
        "{line}"
    );
}

#[test]
fn demo_loads_staff_and_companies_at_every_stage_once_and_prints_how_to_sign_in() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().to_str().unwrap();
    let first = crate::run(&["demo", "--data-dir", data]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let text = String::from_utf8(first.stdout).unwrap();
    assert!(text.contains("password is Demo-Navi-2026"), "{text}");
    for who in [
        "管理者",
        "運営者",
        "運用・保守者",
        "発注組織",
        "承認済み",
        "審査中",
        "差し戻し",
        "e-tenders: one taking applications, one awarded by 電子くじ",
    ] {
        assert!(text.contains(who), "{who} missing in {text}");
    }
    let second = crate::run(&["demo", "--data-dir", data]);
    assert_eq!(
        String::from_utf8(second.stdout).unwrap(),
        text,
        "seeding twice adds nothing"
    );
    let verify = crate::run(&["audit", "verify", "--data-dir", data]);
    assert!(
        String::from_utf8(verify.stdout)
            .unwrap()
            .contains("audit log intact")
    );
}

#[test]
fn notify_run_matches_nothing_new_on_a_fresh_installation_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().to_str().unwrap();
    let out = crate::run(&["notify", "run", "--data-dir", data]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "notify: 0 cases read, matched against 0 settings, 0 new matches, 0 mails queued"
        ),
        "{text}"
    );
    // The demo's settings are not mailed the demo's cases: they are not news
    // (and with nothing new, the settings are not even read).
    assert!(crate::run(&["demo", "--data-dir", data]).status.success());
    let out = crate::run(&["notify", "run", "--data-dir", data]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "notify: 0 cases read, matched against 0 settings, 0 new matches, 0 mails queued"
        ),
        "{text}"
    );
}
