//! The peers of the search benchmark (`chance-navi bench search`): the same
//! questions answered by SQLite FTS5 with its trigram tokenizer and by a plain
//! LIKE scan — what a team would otherwise reach for. SQLite only.

use sqlx::Row;

use crate::{Engine, Result, Store, StoreError};

/// A case reduced to what the benchmark's queries look at.
#[derive(Debug, Clone)]
pub struct PeerRow {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub organization: String,
    pub category: String,
    pub prefecture: i64,
    pub published: i64,
    pub deadline: i64,
}

/// One benchmark question: words ANDed, and optional filters.
#[derive(Debug, Clone, Default)]
pub struct PeerQuery {
    pub words: Vec<String>,
    pub category: Option<String>,
    pub prefecture: Option<i64>,
    /// Only cases whose deadline is after this instant.
    pub open_after: Option<i64>,
}

/// Which peer answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// FTS5 trigram for words of three characters or more, LIKE for shorter
    /// ones (a trigram index cannot answer them).
    Fts5Trigram,
    Like,
}

impl Store {
    fn sqlite_only(&self) -> Result<()> {
        if self.engine() == Engine::Sqlite {
            Ok(())
        } else {
            Err(StoreError::Invalid(
                "the benchmark peers run on SQLite only".into(),
            ))
        }
    }

    /// Creates the peers' tables (dropping earlier ones).
    pub async fn peer_setup(&self) -> Result<()> {
        self.sqlite_only()?;
        for sql in [
            "DROP TABLE IF EXISTS peer_fts",
            "DROP TABLE IF EXISTS peer_cases",
            "CREATE TABLE peer_cases (id INTEGER PRIMARY KEY, title TEXT NOT NULL, description TEXT NOT NULL,
                organization TEXT NOT NULL, category TEXT NOT NULL, prefecture INTEGER NOT NULL,
                published BIGINT NOT NULL, deadline BIGINT NOT NULL)",
            "CREATE INDEX peer_cases_published ON peer_cases (published)",
            "CREATE VIRTUAL TABLE peer_fts USING fts5(title, description, organization, tokenize = 'trigram')",
        ] {
            sqlx::query(sql).execute(self.pool()).await?;
        }
        Ok(())
    }

    /// Adds rows to both peers in one transaction.
    pub async fn peer_insert(&self, rows: &[PeerRow]) -> Result<()> {
        self.sqlite_only()?;
        let mut tx = self.pool().begin().await?;
        for r in rows {
            sqlx::query(
                "INSERT INTO peer_cases (id, title, description, organization, category, prefecture, published, deadline)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(r.id)
            .bind(&r.title)
            .bind(&r.description)
            .bind(&r.organization)
            .bind(&r.category)
            .bind(r.prefecture)
            .bind(r.published)
            .bind(r.deadline)
            .execute(&mut *tx)
            .await?;
            sqlx::query("INSERT INTO peer_fts (rowid, title, description, organization) VALUES ($1, $2, $3, $4)")
                .bind(r.id)
                .bind(&r.title)
                .bind(&r.description)
                .bind(&r.organization)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Answers `q` with `peer`: the number of matches and the 20 newest ids.
    pub async fn peer_search(&self, peer: Peer, q: &PeerQuery) -> Result<(i64, Vec<i64>)> {
        self.sqlite_only()?;
        let mut conditions = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        let param = |binds: &mut Vec<String>, v: String| {
            binds.push(v);
            format!("${}", binds.len())
        };
        let (fts_words, like_words): (Vec<&String>, Vec<&String>) = match peer {
            Peer::Fts5Trigram => q.words.iter().partition(|w| w.chars().count() >= 3),
            Peer::Like => (Vec::new(), q.words.iter().collect()),
        };
        if !fts_words.is_empty() {
            let expr = fts_words
                .iter()
                .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(" AND ");
            let p = param(&mut binds, expr);
            conditions.push(format!(
                "c.id IN (SELECT rowid FROM peer_fts WHERE peer_fts MATCH {p})"
            ));
        }
        for w in like_words {
            let p = param(&mut binds, format!("%{w}%"));
            conditions.push(format!(
                "(c.title LIKE {p} OR c.description LIKE {p} OR c.organization LIKE {p})"
            ));
        }
        if let Some(cat) = &q.category {
            let p = param(&mut binds, cat.clone());
            conditions.push(format!("c.category = {p}"));
        }
        let mut ints: Vec<(usize, i64)> = Vec::new();
        if let Some(pref) = q.prefecture {
            binds.push(String::new());
            ints.push((binds.len(), pref));
            conditions.push(format!("c.prefecture = ${}", binds.len()));
        }
        if let Some(after) = q.open_after {
            binds.push(String::new());
            ints.push((binds.len(), after));
            conditions.push(format!("c.deadline > ${}", binds.len()));
        }
        let filter = if conditions.is_empty() {
            "1 = 1".to_owned()
        } else {
            conditions.join(" AND ")
        };
        let count_sql = format!("SELECT COUNT(*) AS n FROM peer_cases c WHERE {filter}");
        let total: i64 = bind_all(&count_sql, &binds, &ints)
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        let top_sql = format!(
            "SELECT c.id FROM peer_cases c WHERE {filter} ORDER BY c.published DESC LIMIT 20"
        );
        let ids = bind_all(&top_sql, &binds, &ints)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<std::result::Result<Vec<i64>, _>>()?;
        Ok((total, ids))
    }
}

/// Binds text parameters, except those listed in `ints`, which are numbers.
fn bind_all<'q>(
    sql: &'q str,
    binds: &[String],
    ints: &[(usize, i64)],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let mut query = sqlx::query(sql);
    for (i, b) in binds.iter().enumerate() {
        match ints.iter().find(|(n, _)| *n == i + 1) {
            Some((_, v)) => query = query.bind(*v),
            None => query = query.bind(b.clone()),
        }
    }
    query
}
