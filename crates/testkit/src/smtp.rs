//! A real SMTP server for tests: Python's aiosmtpd, started by the harness.
//! `scripts/test` installs aiosmtpd and sets `CHANCE_NAVI_TEST_PYTHON`.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SCRIPT: &str = include_str!("../smtp_sink.py");

/// A message as the SMTP server received it, decoded.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ReceivedMail {
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    pub text: Option<String>,
    pub html: Option<String>,
    pub headers: Vec<(String, String)>,
}

impl ReceivedMail {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first `http…` link in the text body that contains `part`.
    pub fn link(&self, part: &str) -> Option<String> {
        self.text
            .as_deref()?
            .split_whitespace()
            .find(|w| w.starts_with("http") && w.contains(part))
            .map(str::to_owned)
    }
}

/// The SMTP server; stopped when dropped. Can be stopped and started again on
/// the same port, to test delivery while the server is down.
#[derive(Debug)]
pub struct SmtpSink {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

fn python() -> String {
    std::env::var("CHANCE_NAVI_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        let mut sink = SmtpSink {
            port: free_port(),
            dir: tempfile::tempdir().expect("temporary directory"),
            child: None,
        };
        sink.resume();
        sink
    }

    /// `smtp://127.0.0.1:PORT` for the portal's `--smtp-url`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Starts the server (again) on its port.
    pub fn resume(&mut self) {
        let script = self.dir.path().join("smtp_sink.py");
        std::fs::write(&script, SCRIPT).expect("write smtp_sink.py");
        let mail_dir = self.mail_dir();
        let mut child = Command::new(python())
            .arg(&script)
            .arg(self.port.to_string())
            .arg(&mail_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {} for the test SMTP server: {e}", python()));
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read from the SMTP server");
        assert_eq!(
            line.trim(),
            "ready",
            "the test SMTP server did not start (is aiosmtpd installed? run scripts/test, \
             or pip install aiosmtpd and set CHANCE_NAVI_TEST_PYTHON)"
        );
        self.child = Some(child);
    }

    /// Stops the server; connections are refused until `resume`.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn mail_dir(&self) -> PathBuf {
        self.dir.path().join("mail")
    }

    /// Every message received so far, in order of arrival.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        let Ok(entries) = std::fs::read_dir(self.mail_dir()) else {
            return Vec::new();
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|p| {
                let text = std::fs::read_to_string(p).expect("read message");
                serde_json::from_str(&text).expect("message JSON")
            })
            .collect()
    }

    /// Waits until at least `n` messages have arrived (at most `timeout`).
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let start = Instant::now();
        loop {
            let got = self.messages();
            if got.len() >= n || start.elapsed() > timeout {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Messages to `address`.
    pub fn messages_to(&self, address: &str) -> Vec<ReceivedMail> {
        self.messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(address)))
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}
