//! Staging → production (decision 0009): the content bundle made, planned,
//! applied and rolled back — one service used by the administration pages,
//! the API a staging server pushes to, and `chance-navi content`.
//!
//! Before a bundle changes anything, the content as it was is written to
//! the data directory as a bundle of its own (`rollback.cnb`); rolling
//! back applies that bundle. Applying is serialised on a node, so that two
//! imports never write the rollback file over each other.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use content::bundle::BundleKey;
use serde::Serialize;
use store::{Action, Actor, BundlePlan, Exported, Store};

use crate::errors::ErrorKind;
use crate::{AppState, WebError};

/// Who applies bundles and rolls them back: the operations role (運用・保守者)
/// and administrators.
pub const APPLIERS: &[domain::Role] = &[domain::Role::Ops, domain::Role::Admin];

/// Where bundles are signed and kept on this installation.
#[derive(Debug, Clone)]
pub struct Bundles {
    key: BundleKey,
    dir: PathBuf,
    one_at_a_time: Arc<tokio::sync::Mutex<()>>,
}

/// The file a bundle is read from, opened anew for each pass.
fn opener(path: &Path) -> impl Fn() -> std::io::Result<BufReader<std::fs::File>> + '_ {
    move || {
        Ok(BufReader::with_capacity(
            256 * 1024,
            std::fs::File::open(path)?,
        ))
    }
}

impl Bundles {
    /// `dir` is made when first written to.
    pub fn new(key: BundleKey, dir: PathBuf) -> Bundles {
        Bundles {
            key,
            dir,
            one_at_a_time: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    pub fn key(&self) -> &BundleKey {
        &self.key
    }

    /// The content as it was before the last import.
    pub fn rollback_file(&self) -> PathBuf {
        self.dir.join("rollback.cnb")
    }

    /// When the rollback bundle was made (ms), if there is one.
    pub fn rollback_made_at(&self) -> Option<i64> {
        let modified = std::fs::metadata(self.rollback_file())
            .ok()?
            .modified()
            .ok()?;
        let ms = modified
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_millis();
        i64::try_from(ms).ok()
    }

    /// A new file name in the bundles' folder (for uploads and exports).
    pub fn scratch(&self, prefix: &str) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(&self.dir)?;
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(std::io::Error::other)?;
        let name: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Ok(self.dir.join(format!("{prefix}-{name}.cnb")))
    }

    /// An upload kept between its plan and its application, by the name the
    /// plan page carries (32 hexadecimal digits, nothing else).
    pub fn pending(&self, name: &str) -> Option<PathBuf> {
        (name.len() == 32 && name.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| self.dir.join(format!("pending-{name}.cnb")))
            .filter(|p| p.exists())
    }

    /// Writes the whole content to `path` (through a file beside it, so
    /// that `path` is a whole bundle or is not there).
    pub async fn export(
        &self,
        store: &Store,
        path: &Path,
        source: &str,
        now: i64,
    ) -> store::Result<Exported> {
        let partial = path.with_extension("partial");
        let file = std::fs::File::create(&partial)?;
        let out = std::io::BufWriter::with_capacity(256 * 1024, file);
        let written = store.export_content(out, &self.key, source, now).await;
        match written {
            Ok(n) => {
                std::fs::rename(&partial, path)?;
                Ok(n)
            }
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                Err(e)
            }
        }
    }

    /// What the bundle at `path` would change here.
    pub async fn plan(&self, store: &Store, path: &Path) -> store::Result<BundlePlan> {
        store.plan_bundle(opener(path), &self.key).await
    }

    /// Applies the bundle at `path`, keeping the content as it was for a
    /// rollback first. A bundle that changes nothing leaves the rollback
    /// bundle as it is.
    pub async fn import(
        &self,
        store: &Store,
        path: &Path,
        source: &str,
        actor: &Actor,
        now: i64,
    ) -> store::Result<BundlePlan> {
        let _turn = self.one_at_a_time.lock().await;
        let plan = self.plan(store, path).await?;
        if plan.is_empty() {
            return Ok(plan);
        }
        std::fs::create_dir_all(&self.dir)?;
        self.export(store, &self.rollback_file(), source, now)
            .await?;
        store
            .apply_bundle(opener(path), &self.key, actor, now, "import")
            .await
    }

    /// Returns the content to what it was before the last import; `None`
    /// when there was none.
    pub async fn rollback(
        &self,
        store: &Store,
        actor: &Actor,
        now: i64,
    ) -> store::Result<Option<BundlePlan>> {
        let _turn = self.one_at_a_time.lock().await;
        let file = self.rollback_file();
        if !file.exists() {
            return Ok(None);
        }
        store
            .apply_bundle(opener(&file), &self.key, actor, now, "rollback")
            .await
            .map(Some)
    }
}

/// This installation's bundles, or a 503 saying the key is missing.
pub fn configured(state: &AppState) -> Result<&Bundles, WebError> {
    state.settings.bundles.as_ref().ok_or_else(|| {
        WebError::new(
            ErrorKind::Unavailable,
            "この環境にはバンドル鍵が設定されていないため、コンテンツのバンドルを扱えません（--bundle-key-file）。",
        )
    })
}

/// A plan as the page and the API show it.
#[derive(Debug, Serialize)]
pub struct PlanView {
    pub source: String,
    pub made_at: String,
    pub summary: String,
    pub empty: bool,
    pub sections: Vec<SectionView>,
}

#[derive(Debug, Serialize)]
pub struct SectionView {
    pub label: &'static str,
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    pub unchanged: usize,
    pub changes: Vec<ChangeView>,
}

#[derive(Debug, Serialize)]
pub struct ChangeView {
    /// 追加, 変更 or 削除.
    pub action: &'static str,
    pub name: String,
    pub fields: Vec<FieldView>,
    #[serde(skip)]
    pub diffs: Vec<content::diff::FieldDiff>,
}

#[derive(Debug, Serialize)]
pub struct FieldView {
    pub field: &'static str,
    /// Lines prefixed with "-", "+" or " ".
    pub lines: Vec<String>,
}

impl PlanView {
    pub fn of(plan: &BundlePlan) -> PlanView {
        PlanView {
            source: plan.header.source.clone(),
            made_at: domain::time::jst_datetime(plan.header.made_at),
            summary: plan.summary(),
            empty: plan.is_empty(),
            sections: plan
                .sections
                .iter()
                .map(|s| SectionView {
                    label: s.label,
                    added: s.count(Action::Added),
                    changed: s.count(Action::Changed),
                    removed: s.count(Action::Removed),
                    unchanged: s.unchanged,
                    changes: s
                        .changes
                        .iter()
                        .map(|c| ChangeView {
                            action: c.action.label(),
                            name: c.name.clone(),
                            fields: c
                                .fields
                                .iter()
                                .map(|f| FieldView {
                                    field: f.field,
                                    lines: f
                                        .lines
                                        .iter()
                                        .map(|l| format!("{}{}", l.sign, l.text))
                                        .collect(),
                                })
                                .collect(),
                            diffs: c.fields.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// A file's bytes, 256 KiB at a time (a download's body, a push's request).
pub fn file_stream(
    file: tokio::fs::File,
) -> impl futures_util::Stream<Item = std::io::Result<Vec<u8>>> + Send + 'static {
    use futures_util::StreamExt;
    // Fused: the compression layer polls once more after the end.
    futures_util::stream::unfold(file, |mut file| async move {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 256 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(buf), file))
            }
            Err(e) => Some((Err(e), file)),
        }
    })
    .fuse()
}
