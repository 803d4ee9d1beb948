//! Keeping the index in step with the database: every node follows the
//! cases' change sequence on its own, so its index never needs another node.

use store::Store;

use crate::SearchIndex;

/// Cases read from the database per batch.
const BATCH: i64 = 1000;

/// Why a catch-up could not run.
#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Search(#[from] crate::SearchError),
}

/// Applies every change after the index's sequence number; returns how many
/// cases were applied. If the index claims more than the database has handed
/// out (a database restored or replaced), it is rebuilt from scratch.
pub async fn catch_up(store: &Store, index: &SearchIndex) -> Result<usize, FollowError> {
    let latest = store.latest_case_seq().await?;
    if index.indexed_seq() > latest {
        tracing::warn!(
            index = index.indexed_seq(),
            database = latest,
            "search index is ahead of the database; rebuilding"
        );
        index.clear()?;
    }
    let mut applied = 0;
    loop {
        let after = index.indexed_seq();
        let cases = store.cases_changed_since(after, BATCH).await?;
        let Some(last) = cases.last().map(|c| c.change_seq) else {
            return Ok(applied);
        };
        // A batch may stop inside one sequence number; take the rest of it too,
        // so that the recorded number covers every case that carries it.
        let mut cases = cases;
        if cases.len() as i64 == BATCH {
            let rest = store.cases_with_seq(last).await?;
            cases.retain(|c| c.change_seq != last);
            cases.extend(rest);
        }
        index.apply(&cases)?;
        index.commit(last)?;
        applied += cases.len();
    }
}

/// Throws the index away and builds it again from the database.
pub async fn rebuild(store: &Store, index: &SearchIndex) -> Result<usize, FollowError> {
    index.clear()?;
    catch_up(store, index).await
}

/// Follows the database until `stop` says so: at once when `wake` is notified
/// (a case was written on this node), and every `interval` otherwise (for
/// changes made on other nodes).
pub async fn run_follower(
    store: Store,
    index: std::sync::Arc<SearchIndex>,
    wake: std::sync::Arc<tokio::sync::Notify>,
    interval: std::time::Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        match catch_up(&store, &index).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(cases = n, seq = index.indexed_seq(), "search index updated"),
            Err(e) => tracing::warn!(error = %e, "search index could not follow the database"),
        }
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(interval) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
}
