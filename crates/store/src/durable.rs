//! Transactions whose commit survives a power cut, not only a crash of the
//! process: what a bid needs, since the bidder holds a receipt for it.
//!
//! SQLite runs in WAL mode with `synchronous = NORMAL` for every other write
//! (the write-ahead log is synced at checkpoints only, so the last commits
//! may be lost with the power). For a durable transaction its connection is
//! switched to `synchronous = FULL` (the log is synced at that commit, which
//! also makes every commit before it durable) and switched back afterwards;
//! SQLite allows the switch only outside a transaction. PostgreSQL is told
//! `SET LOCAL synchronous_commit = on` inside the transaction, whatever the
//! server's, database's or role's default is.

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Connection, Transaction};

use crate::target::Engine;
use crate::{Result, Store};

/// A pooled connection set up for durable commits until `release`.
pub(crate) struct Durable {
    conn: PoolConnection<Any>,
    engine: Engine,
    /// SQLite: the connection's `synchronous` level before, to put back.
    restore: Option<i64>,
}

/// SQLite's `PRAGMA synchronous` levels: 2 is FULL.
const FULL: i64 = 2;

impl Durable {
    pub(crate) async fn acquire(store: &Store) -> Result<Durable> {
        let mut conn = store.pool().acquire().await?;
        let mut restore = None;
        if store.engine() == Engine::Sqlite {
            let level: i64 = sqlx::query_scalar("PRAGMA synchronous")
                .fetch_one(&mut *conn)
                .await?;
            if level < FULL {
                sqlx::query("PRAGMA synchronous = FULL")
                    .execute(&mut *conn)
                    .await?;
                restore = Some(level);
            }
        }
        Ok(Durable {
            conn,
            engine: store.engine(),
            restore,
        })
    }

    /// Begins the durable transaction.
    pub(crate) async fn begin(&mut self) -> Result<Transaction<'_, Any>> {
        let mut tx = self.conn.begin().await?;
        if self.engine == Engine::Postgres {
            sqlx::query("SET LOCAL synchronous_commit = on")
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }

    /// Puts the connection back as the pool hands it out. Should that fail,
    /// the connection is closed rather than left to slow every other write.
    /// (A caller dropped midway returns it at FULL: slower, never less safe.)
    pub(crate) async fn release(mut self) {
        if let Some(level) = self.restore {
            let back = sqlx::query(&format!("PRAGMA synchronous = {level}"))
                .execute(&mut *self.conn)
                .await;
            if let Err(e) = back {
                tracing::warn!(error = %e, "cannot restore synchronous after a durable commit; closing the connection");
                self.conn.close_on_drop();
            }
        }
    }
}

/// What the engine says about the commit of the transaction `conn` is in:
/// SQLite's `synchronous` ("off", "normal", "full", "extra"), PostgreSQL's
/// `synchronous_commit` ("on", "off", "local", …).
pub(crate) async fn level(conn: &mut AnyConnection, engine: Engine) -> Result<String> {
    Ok(match engine {
        Engine::Sqlite => {
            let level: i64 = sqlx::query_scalar("PRAGMA synchronous")
                .fetch_one(&mut *conn)
                .await?;
            match level {
                0 => "off",
                1 => "normal",
                2 => "full",
                3 => "extra",
                _ => "unknown",
            }
            .to_owned()
        }
        Engine::Postgres => {
            sqlx::query_scalar("SHOW synchronous_commit")
                .fetch_one(&mut *conn)
                .await?
        }
    })
}

#[cfg(test)]
mod tests {
    use crate::{DatabaseTarget, PoolSettings, Store};

    /// The level the pool hands out (one connection, so it is the one used).
    async fn pooled_level(store: &Store) -> i64 {
        sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(store.pool())
            .await
            .expect("pragma")
    }

    #[tokio::test]
    async fn a_bid_commits_at_full_and_leaves_the_connection_as_it_found_it() {
        let dir = tempfile::tempdir().expect("dir");
        let target = DatabaseTarget::sqlite(dir.path().join("t.db")).expect("target");
        let store = Store::connect(
            &target,
            &PoolSettings {
                max_connections: 1,
                ..PoolSettings::default()
            },
        )
        .await
        .expect("connect");
        assert_eq!(
            pooled_level(&store).await,
            1,
            "NORMAL for every other write"
        );
        assert_eq!(store.bid_commit_durability().await.expect("level"), "full");
        assert_eq!(pooled_level(&store).await, 1, "put back");
        // A durable transaction that fails midway puts it back too.
        let mut durable = super::Durable::acquire(&store).await.expect("acquire");
        let failed: crate::Result<()> = async {
            let mut tx = durable.begin().await?;
            sqlx::query("SELECT * FROM no_such_table")
                .execute(&mut *tx)
                .await?;
            Ok(())
        }
        .await;
        assert!(failed.is_err());
        durable.release().await;
        assert_eq!(pooled_level(&store).await, 1);
        store.close().await;
    }
}
