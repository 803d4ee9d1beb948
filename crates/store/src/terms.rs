//! Which version of the terms of use each person agreed to.

use sqlx::AnyConnection;

use crate::audit::{Actor, NewAuditEntry};
use crate::{Result, Store, StoreError};

/// Records, inside the caller's transaction, that `user_id` agreed to the
/// terms' `version` at `now`.
pub(crate) async fn record_terms(
    conn: &mut AnyConnection,
    user_id: i64,
    version: &str,
    now: i64,
) -> Result<()> {
    let done =
        sqlx::query("UPDATE users SET terms_version = $2, terms_agreed_at = $3 WHERE id = $1")
            .bind(user_id)
            .bind(version)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Invalid(format!("no user {user_id}")));
    }
    Ok(())
}

impl Store {
    /// Records that the user agreed to the terms' `version`, with its audit
    /// entry, in one transaction.
    pub async fn agree_terms(
        &self,
        user_id: i64,
        version: &str,
        actor: &Actor,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        record_terms(&mut tx, user_id, version, now).await?;
        let detail = format!("version={version}");
        self.append_audit_in(
            &mut tx,
            &NewAuditEntry {
                at: now,
                actor,
                action: "terms.agreed",
                target_type: "user",
                target_id: &user_id.to_string(),
                detail: &detail,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
