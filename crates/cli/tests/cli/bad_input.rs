use crate::{one_error_line, run};

#[test]
fn an_unknown_flag_is_one_line_and_status_2() {
    let out = run(&["serve", "--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    let line = one_error_line(&out);
    assert!(line.contains("--bogus"), "{line}");
    assert!(line.contains("--help"), "{line}");
}

#[test]
fn a_malformed_value_is_named() {
    let out = run(&["serve", "--listen", "not-an-address"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(one_error_line(&out).contains("not-an-address"));
}

#[test]
fn a_missing_config_file_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("missing.toml");
    let out = run(&["migrate", "--config", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let line = one_error_line(&out);
    assert!(line.contains("cannot read the config file"), "{line}");
    assert!(line.contains("missing.toml"), "{line}");
}

#[test]
fn a_config_file_with_bad_toml_is_named_with_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("bad.toml");
    std::fs::write(&file, "log = \"info\"\ndata_dir = [unclosed\n").unwrap();
    let out = run(&["serve", "--config", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let line = one_error_line(&out);
    assert!(line.contains("bad.toml, line 2"), "{line}");
}

#[test]
fn a_data_directory_that_cannot_be_created_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let dir = file.join("data");
    let out = run(&["serve", "--data-dir", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let line = one_error_line(&out);
    assert!(line.contains("cannot create the data directory"), "{line}");
    assert!(line.contains("a-file/data"), "{line}");
}

#[test]
fn an_unreachable_database_is_named_without_its_password() {
    let tmp = tempfile::tempdir().unwrap();
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    let out = crate::chance_navi()
        .args(["serve", "--data-dir", tmp.path().to_str().unwrap()])
        .env("DATABASE_URL", "postgres://navi:hunter2@127.0.0.1:1/navi")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let line = one_error_line(&out);
    assert!(
        line.contains("cannot open the database at postgres://navi:***@127.0.0.1:1/navi"),
        "{line}"
    );
    assert!(line.contains("refused"), "{line}");
    assert!(!line.contains("hunter2"), "{line}");
}

#[test]
fn an_invalid_log_filter_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(&[
        "migrate",
        "--data-dir",
        tmp.path().to_str().unwrap(),
        "--log",
        "info,[[[",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(one_error_line(&out).contains("invalid log filter"));
}

#[test]
fn help_names_every_setting_with_its_environment_variable() {
    let out = run(&["serve", "--help"]);
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for setting in [
        "--config",
        "CHANCE_NAVI_CONFIG",
        "--data-dir",
        "CHANCE_NAVI_DATA_DIR",
        "--database-url",
        "DATABASE_URL",
        "--listen",
        "CHANCE_NAVI_LISTEN",
        "--request-timeout-secs",
        "--max-body-bytes",
        "--shutdown-grace-secs",
        "--db-max-connections",
        "--log",
        "--log-format",
    ] {
        assert!(help.contains(setting), "serve --help lacks {setting}");
    }
    let top = String::from_utf8(run(&["--help"]).stdout).unwrap();
    for command in ["serve", "migrate", "bench"] {
        assert!(top.contains(command), "--help lacks {command}");
    }
    assert!(
        top.contains("[serve]"),
        "--help shows the config file's layout"
    );
}
