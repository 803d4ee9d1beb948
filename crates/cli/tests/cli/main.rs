//! The `chance-navi` binary as an operator runs it: flags, settings, errors,
//! `serve` on both engines, signals.

mod accounts;
mod audit;
mod bad_input;
mod content;
mod import;
mod serve;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_chance-navi");

/// A command with a clean environment: no settings leak in from the developer's shell.
pub fn chance_navi() -> Command {
    let mut cmd = Command::new(BIN);
    for (key, _) in std::env::vars() {
        if key.starts_with("CHANCE_NAVI_") || key == "DATABASE_URL" || key == "RUST_LOG" {
            cmd.env_remove(key);
        }
    }
    cmd.stdin(Stdio::null());
    cmd
}

pub fn run(args: &[&str]) -> Output {
    chance_navi().args(args).output().expect("run chance-navi")
}

/// A `serve` process on a free port, killed when dropped.
#[derive(Debug)]
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Server {
    pub fn start(data_dir: &Path, database_url: Option<&str>) -> Server {
        Server::start_with(data_dir, database_url, None)
    }

    /// `start`, reading the config file `config` too.
    pub fn start_with(
        data_dir: &Path,
        database_url: Option<&str>,
        config: Option<&Path>,
    ) -> Server {
        let mut cmd = chance_navi();
        if let Some(config) = config {
            cmd.env("CHANCE_NAVI_CONFIG", config);
        }
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(url) = database_url {
            cmd.env("DATABASE_URL", url);
        }
        let mut child = cmd.spawn().expect("spawn serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read address");
        let base = line
            .trim()
            .strip_prefix("chance-navi listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_owned();
        Server { child, base }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        for _ in 0..100 {
            if let Some(exit) = self.child.try_wait().expect("wait") {
                return exit;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("serve did not stop within 5 s of SIGTERM");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Standard error as text, checked to be a single `error:` line without a panic.
pub fn one_error_line(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "exactly one line on stderr: {err:?}");
    assert!(lines[0].starts_with("error: "), "{err:?}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err:?}"
    );
    lines[0].to_owned()
}
