//! Validating what the portal publishes as OCDS against the OCDS 1.1.5
//! schema (the files kept in crates/import/tests/samples), with Python's
//! jsonschema (installed by scripts/test).

use std::io::Write;

/// Which package schema a document must meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Package {
    Release,
    Record,
}

const SCRIPT: &str = r#"
import json, sys
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
schema_dir, package_file, doc = sys.argv[1], sys.argv[2], sys.argv[3]
release = json.load(open(schema_dir + "/release-schema.json"))
package = json.load(open(schema_dir + "/" + package_file))
registry = Registry().with_resource(
    "https://standard.open-contracting.org/schema/1__1__5/release-schema.json",
    Resource.from_contents(release, default_specification=DRAFT4))
errors = list(Draft4Validator(package, registry=registry).iter_errors(json.load(open(doc))))
for e in errors[:20]:
    print(list(e.absolute_path), e.message)
sys.exit(1 if errors else 0)
"#;

/// The OCDS 1.1.5 schema folder.
pub fn schema_dir() -> String {
    format!(
        "{}/../import/tests/samples/ocds/schema-1.1.5",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Checks the document in `file`; `Err` with the validator's findings.
pub fn validate_file(file: &std::path::Path, package: Package) -> Result<(), String> {
    let python = std::env::var("CHANCE_NAVI_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let schema = match package {
        Package::Release => "release-package-schema.json",
        Package::Record => "record-package-schema.json",
    };
    let out = std::process::Command::new(python)
        .args(["-c", SCRIPT, &schema_dir(), schema])
        .arg(file)
        .output()
        .map_err(|e| format!("cannot run python (jsonschema is installed by scripts/test): {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Checks `doc`.
pub fn validate(doc: &serde_json::Value, package: Package) -> Result<(), String> {
    let mut f = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
    f.write_all(doc.to_string().as_bytes())
        .map_err(|e| e.to_string())?;
    validate_file(f.path(), package)
}
