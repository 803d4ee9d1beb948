//! Real API answers checked against the schemas the served OpenAPI document
//! gives for them (the path, the method and the status), with Python's
//! jsonschema (installed by scripts/test) as a JSON Schema 2020-12
//! validator — so the document says what the server answers, nulls and all.

use std::io::Write;
use std::sync::Mutex;

use serde_json::{Value, json};
use testkit::TestApp;

const SCRIPT: &str = r#"
import json, sys
from jsonschema import Draft202012Validator
doc = json.load(open(sys.argv[1]))
bad = 0
for seen in json.load(open(sys.argv[2])):
    root = {"components": doc["components"], **seen["schema"]}
    for e in list(Draft202012Validator(root).iter_errors(seen["body"]))[:5]:
        print(seen["label"], list(e.absolute_path), e.message[:300])
        bad += 1
sys.exit(1 if bad else 0)
"#;

/// The answers seen so far, and the document they are checked against.
#[derive(Debug)]
pub struct Conformance {
    doc: Value,
    seen: Mutex<Vec<Value>>,
    problems: Mutex<Vec<String>>,
}

impl Conformance {
    /// The document `app` serves.
    pub async fn of(app: &TestApp) -> Self {
        let doc = app
            .get("/api/v1/openapi.json")
            .await
            .json()
            .await
            .expect("the document");
        Conformance {
            doc,
            seen: Mutex::new(Vec::new()),
            problems: Mutex::new(Vec::new()),
        }
    }

    /// The documented path that `path` (a URL path, no query) is an instance of.
    fn template(&self, path: &str) -> Option<String> {
        let parts: Vec<&str> = path.split('/').collect();
        self.doc["paths"]
            .as_object()?
            .keys()
            .find(|t| {
                let pattern: Vec<&str> = t.split('/').collect();
                pattern.len() == parts.len()
                    && pattern.iter().zip(&parts).all(|(p, s)| {
                        (p.starts_with('{') && p.ends_with('}') && !s.is_empty()) || p == s
                    })
            })
            .cloned()
    }

    /// Records one answer: `method` `path` (query allowed) answered `status` with `body`.
    pub fn saw(&self, method: &str, path: &str, status: u16, body: &Value) {
        let label = format!("{method} {path} → {status}");
        let bare = path.split('?').next().unwrap_or(path);
        let Some(template) = self.template(bare) else {
            self.problem(format!("{label}: no documented path"));
            return;
        };
        let op = &self.doc["paths"][&template][method.to_lowercase()];
        let answer = &op["responses"][status.to_string()];
        let schema = &answer["content"]["application/json"]["schema"];
        if schema.is_null() {
            self.problem(format!("{label}: status not documented for {template}"));
            return;
        }
        self.seen
            .lock()
            .expect("seen")
            .push(json!({"label": label, "schema": schema, "body": body}));
    }

    fn problem(&self, p: String) {
        self.problems.lock().expect("problems").push(p);
    }

    /// Fails with every answer that does not match its schema.
    pub fn check(&self) {
        let problems = self.problems.lock().expect("problems").clone();
        assert!(problems.is_empty(), "{problems:#?}");
        let seen = std::mem::take(&mut *self.seen.lock().expect("seen"));
        assert!(!seen.is_empty(), "no answer was recorded");
        let file = |v: &Value| {
            let mut f = tempfile::NamedTempFile::new().expect("temp file");
            f.write_all(v.to_string().as_bytes()).expect("write");
            f
        };
        let (doc, answers) = (file(&self.doc), file(&Value::Array(seen)));
        let python = std::env::var("CHANCE_NAVI_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let out = std::process::Command::new(python)
            .args(["-c", SCRIPT])
            .arg(doc.path())
            .arg(answers.path())
            .output()
            .expect("python (jsonschema is installed by scripts/test)");
        assert!(
            out.status.success(),
            "answers that do not match the OpenAPI document:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[tokio::test]
async fn an_answer_that_breaks_its_schema_is_caught() {
    let app = TestApp::spawn().await;
    let c = Conformance::of(&app).await;
    c.saw(
        "GET",
        "/api/v1/cases/7",
        404,
        &json!({"error": {"code": "not_found", "message": "ありません"}}),
    );
    c.check();
    // A string given a number, and required fields left out.
    c.saw(
        "POST",
        "/api/v1/tenders/7/bids",
        201,
        &json!({"receipt_no": 12, "received_at": "2026-01-01T00:00:00+09:00"}),
    );
    let caught = std::panic::catch_unwind(|| c.check());
    assert!(caught.is_err(), "a receipt without its hash must not pass");
    // A status the document does not give.
    let c = Conformance::of(&app).await;
    c.saw("GET", "/api/v1/cases", 418, &json!({}));
    assert!(std::panic::catch_unwind(|| c.check()).is_err());
}
