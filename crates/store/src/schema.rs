//! What the migrated schema looks like, read back from the engine's catalogue,
//! so that a test can prove SQLite and PostgreSQL hold the same tables and columns.

use std::collections::BTreeMap;

use sqlx::Row;

use crate::{Engine, Result, Store};

/// A column as both engines can describe it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ColumnInfo {
    pub name: String,
    /// The type family: `integer`, `text`, `real`, `blob` or `boolean`.
    pub family: String,
    pub nullable: bool,
}

/// Table name → columns (sorted by name), without the migrations' own bookkeeping table.
pub type SchemaDescription = BTreeMap<String, Vec<ColumnInfo>>;

/// Maps an engine's type name to the family the portable subset uses.
fn family(type_name: &str) -> String {
    let t = type_name.to_ascii_lowercase();
    let f = if t.contains("int") || t == "serial" || t == "bigserial" {
        "integer"
    } else if t.contains("char") || t.contains("text") || t.contains("clob") || t == "json" {
        "text"
    } else if t.contains("real") || t.contains("floa") || t.contains("doub") {
        "real"
    } else if t.contains("blob") || t == "bytea" {
        "blob"
    } else if t.contains("bool") {
        "boolean"
    } else {
        return t;
    };
    f.to_owned()
}

impl Store {
    pub(crate) async fn table_exists(&self, table: &str) -> Result<bool> {
        let sql = match self.engine {
            Engine::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1"
            }
            Engine::Postgres => {
                "SELECT COUNT(*) FROM information_schema.tables
                  WHERE table_schema = current_schema() AND table_name = $1"
            }
        };
        let n: i64 = sqlx::query_scalar(sql)
            .bind(table)
            .fetch_one(self.pool())
            .await?;
        Ok(n > 0)
    }

    /// Every table and column of the application's schema.
    pub async fn describe_schema(&self) -> Result<SchemaDescription> {
        let sql = match self.engine {
            // pragma_table_info reports "notnull"; a PRIMARY KEY column is not null too.
            Engine::Sqlite => {
                "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type,
                        CASE WHEN p.\"notnull\" = 1 OR p.pk > 0 THEN 0 ELSE 1 END AS nullable
                   FROM sqlite_master m JOIN pragma_table_info(m.name) p
                  WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
                    AND m.name <> '_sqlx_migrations'"
            }
            Engine::Postgres => {
                "SELECT table_name::text AS table_name, column_name::text AS column_name,
                        data_type::text AS data_type,
                        CASE WHEN is_nullable = 'YES' THEN 1 ELSE 0 END AS nullable
                   FROM information_schema.columns
                  WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'"
            }
        };
        let rows = sqlx::query(sql).fetch_all(self.pool()).await?;
        let mut schema = SchemaDescription::new();
        for row in rows {
            let table: String = row.try_get("table_name")?;
            let data_type: String = row.try_get("data_type")?;
            let nullable: i32 = row.try_get("nullable")?;
            schema.entry(table).or_default().push(ColumnInfo {
                name: row.try_get("column_name")?,
                family: family(&data_type),
                nullable: nullable != 0,
            });
        }
        for columns in schema.values_mut() {
            columns.sort();
        }
        Ok(schema)
    }
}

impl Store {
    /// The tables whose changes move the site's change sequence (those with
    /// its triggers), read from the catalogue, sorted.
    pub async fn site_watched_tables(&self) -> Result<Vec<String>> {
        let sql = match self.engine {
            Engine::Sqlite => {
                "SELECT DISTINCT tbl_name AS t FROM sqlite_master
                  WHERE type = 'trigger' AND sql LIKE '%UPDATE site_changes%' ORDER BY t"
            }
            Engine::Postgres => {
                "SELECT DISTINCT c.relname::text AS t
                   FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
                   JOIN pg_proc p ON p.oid = g.tgfoid
                  WHERE p.proname = 'site_changed' ORDER BY t"
            }
        };
        let rows = sqlx::query(sql).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<String, _>("t")?))
            .collect()
    }
}

impl Store {
    /// A fingerprint of every row of every table (SHA-256 over the rows'
    /// text, in order), by table: to show that an act left tables as they
    /// were, byte for byte.
    pub async fn table_checksums(&self) -> Result<std::collections::BTreeMap<String, String>> {
        use sha2::{Digest, Sha256};
        let schema = self.describe_schema().await?;
        let mut out = std::collections::BTreeMap::new();
        for (table, columns) in &schema {
            // Names come from the catalogue, quoted; no value is spliced.
            let quoted = |c: &str| format!("\"{}\"", c.replace('"', "\"\""));
            let sql = match self.engine {
                Engine::Sqlite => {
                    let row = columns
                        .iter()
                        .map(|c| format!("quote({})", quoted(&c.name)))
                        .collect::<Vec<_>>()
                        .join(" || ',' || ");
                    format!(
                        "SELECT COALESCE(group_concat(r, '|'), '') AS v
                           FROM (SELECT {row} AS r FROM {} ORDER BY 1)",
                        quoted(table)
                    )
                }
                Engine::Postgres => format!(
                    "SELECT COALESCE(string_agg(x::text, '|' ORDER BY x::text), '') AS v
                       FROM {} x",
                    quoted(table)
                ),
            };
            let text: String = sqlx::query_scalar(&sql).fetch_one(self.pool()).await?;
            let digest = Sha256::digest(text.as_bytes());
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            out.insert(table.clone(), hex);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::family;

    #[test]
    fn both_engines_type_names_fall_into_the_same_families() {
        for (sqlite, postgres) in [
            ("INTEGER", "integer"),
            ("BIGINT", "bigint"),
            ("TEXT", "text"),
            ("TEXT", "character varying"),
            ("REAL", "double precision"),
            ("BLOB", "bytea"),
        ] {
            assert_eq!(family(sqlite), family(postgres), "{sqlite} vs {postgres}");
        }
    }
}
