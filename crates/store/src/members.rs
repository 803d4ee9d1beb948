//! Who belongs: a company's colleagues, managed by its administrators, and
//! the portal's staff, managed by administrators. Taking someone's access or
//! rights away follows `domain::role::may_take_away`, checked inside the
//! write transaction after the group's rows are locked, so two
//! administrators acting at once can never leave the group without one.

use domain::StaffRole;
use domain::role::{Refusal, may_take_away};
use sqlx::AnyConnection;

use crate::audit::{Actor, NewAuditEntry};
use crate::outbox::{self, NewMail};
use crate::users::{
    self, TokenPurpose, USER_COLUMNS, USER_FROM, User, insert_token, kill_invitations,
};
use crate::{Result, Store};

/// What a change to a member did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberChange {
    Done,
    /// No such member in the group (or not in the state the change needs).
    Missing,
    Refused(Refusal),
}

/// A new invitation link for a colleague who has not accepted yet.
#[derive(Debug, Clone, Copy)]
pub struct Reinvitation<'a> {
    pub company_id: i64,
    pub user_id: i64,
    pub token_hash: &'a str,
    pub expires_at: i64,
    pub mail: &'a NewMail,
}

/// Takes the write lock on the rows of a company's users before its
/// administrators are counted: row locks on PostgreSQL, the database's write
/// lock on SQLite.
async fn lock_company(conn: &mut AnyConnection, company_id: i64) -> Result<()> {
    sqlx::query("UPDATE users SET updated_at = updated_at WHERE company_id = $1")
        .bind(company_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The same for the portal's administrators.
async fn lock_staff_admins(conn: &mut AnyConnection) -> Result<()> {
    sqlx::query("UPDATE users SET updated_at = updated_at WHERE staff_role = 'admin'")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The user `id` if `filter` (which may use `$2`, bound to `key`) holds.
async fn one(
    conn: &mut AnyConnection,
    filter: &str,
    id: i64,
    key: Option<i64>,
) -> Result<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} {USER_FROM} WHERE u.id = $1 AND {filter}");
    let mut q = sqlx::query(&sql).bind(id);
    if let Some(key) = key {
        q = q.bind(key);
    }
    let row = q.fetch_optional(&mut *conn).await?;
    row.as_ref().map(users::user).transpose()
}

/// Active administrators of the company besides `except`.
async fn other_company_admins(
    conn: &mut AnyConnection,
    company_id: i64,
    except: i64,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM users
          WHERE company_id = $1 AND company_admin = 1 AND active = 1
            AND email_confirmed_at IS NOT NULL AND id <> $2",
    )
    .bind(company_id)
    .bind(except)
    .fetch_one(&mut *conn)
    .await?)
}

/// Active portal administrators besides `except`.
async fn other_staff_admins(conn: &mut AnyConnection, except: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE staff_role = 'admin' AND active = 1 AND id <> $1",
    )
    .bind(except)
    .fetch_one(&mut *conn)
    .await?)
}

/// Ends every session of the user and kills their outstanding links.
async fn shut_out(conn: &mut AnyConnection, user_id: i64, now: i64) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE user_tokens SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL")
        .bind(user_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A company's colleague who has accepted the invitation.
const COLLEAGUE: &str = "u.company_id = $2 AND u.active = 1 AND u.email_confirmed_at IS NOT NULL";

impl Store {
    async fn audit_member(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        action: &str,
        user_id: i64,
        detail: &str,
        now: i64,
    ) -> Result<()> {
        self.append_audit_in(
            conn,
            &NewAuditEntry {
                at: now,
                actor,
                action,
                target_type: "user",
                target_id: &user_id.to_string(),
                detail,
            },
        )
        .await?;
        Ok(())
    }

    /// Sends a colleague who has not accepted yet a new invitation link;
    /// earlier links stop working. False when there is no such invitation.
    pub async fn resend_invitation(
        &self,
        r: &Reinvitation<'_>,
        actor: &Actor,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        let found: Option<i64> = sqlx::query_scalar(
            "UPDATE users SET updated_at = $3
              WHERE id = $1 AND company_id = $2 AND active = 1 AND email_confirmed_at IS NULL
              RETURNING id",
        )
        .bind(r.user_id)
        .bind(r.company_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        if found.is_none() {
            return Ok(false);
        }
        kill_invitations(&mut tx, r.user_id, now).await?;
        insert_token(
            &mut tx,
            r.token_hash,
            r.user_id,
            TokenPurpose::Invitation,
            now,
            r.expires_at,
        )
        .await?;
        outbox::enqueue(&mut tx, r.mail, now).await?;
        self.audit_member(
            &mut tx,
            actor,
            "colleague.invitation_resent",
            r.user_id,
            "",
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Withdraws an invitation not yet accepted: its links stop working and
    /// the colleague leaves the list. False when there is no such invitation.
    pub async fn cancel_invitation(
        &self,
        company_id: i64,
        user_id: i64,
        actor: &Actor,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        let found: Option<i64> = sqlx::query_scalar(
            "UPDATE users SET active = 0, updated_at = $3
              WHERE id = $1 AND company_id = $2 AND active = 1 AND email_confirmed_at IS NULL
              RETURNING id",
        )
        .bind(user_id)
        .bind(company_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        if found.is_none() {
            return Ok(false);
        }
        shut_out(&mut tx, user_id, now).await?;
        self.audit_member(
            &mut tx,
            actor,
            "colleague.invitation_cancelled",
            user_id,
            "",
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Removes a colleague who has accepted: they can no longer sign in, and
    /// their sessions end. Never `by` themselves, never the last administrator.
    pub async fn remove_colleague(
        &self,
        company_id: i64,
        user_id: i64,
        by: i64,
        actor: &Actor,
        now: i64,
    ) -> Result<MemberChange> {
        let mut tx = self.pool().begin().await?;
        lock_company(&mut tx, company_id).await?;
        let Some(target) = one(&mut tx, COLLEAGUE, user_id, Some(company_id)).await? else {
            return Ok(MemberChange::Missing);
        };
        let others = other_company_admins(&mut tx, company_id, user_id).await?;
        if let Err(refusal) = may_take_away(by, user_id, target.company_admin, others) {
            return Ok(MemberChange::Refused(refusal));
        }
        sqlx::query(
            "UPDATE users SET active = 0, company_admin = 0, updated_at = $2 WHERE id = $1",
        )
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        shut_out(&mut tx, user_id, now).await?;
        self.audit_member(&mut tx, actor, "colleague.removed", user_id, "", now)
            .await?;
        tx.commit().await?;
        Ok(MemberChange::Done)
    }

    /// Makes a colleague who has accepted an administrator of the company,
    /// or no longer one (never `by` themselves, never the last one).
    pub async fn set_company_admin(
        &self,
        company_id: i64,
        user_id: i64,
        admin: bool,
        by: i64,
        actor: &Actor,
        now: i64,
    ) -> Result<MemberChange> {
        let mut tx = self.pool().begin().await?;
        lock_company(&mut tx, company_id).await?;
        let Some(target) = one(&mut tx, COLLEAGUE, user_id, Some(company_id)).await? else {
            return Ok(MemberChange::Missing);
        };
        if !admin {
            let others = other_company_admins(&mut tx, company_id, user_id).await?;
            if let Err(refusal) = may_take_away(by, user_id, target.company_admin, others) {
                return Ok(MemberChange::Refused(refusal));
            }
        }
        sqlx::query("UPDATE users SET company_admin = $2, updated_at = $3 WHERE id = $1")
            .bind(user_id)
            .bind(i32::from(admin))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let action = if admin {
            "colleague.admin_granted"
        } else {
            "colleague.admin_revoked"
        };
        self.audit_member(&mut tx, actor, action, user_id, "", now)
            .await?;
        tx.commit().await?;
        Ok(MemberChange::Done)
    }

    /// Every staff member (portal and organisations), administrators first.
    pub async fn staff_members(&self) -> Result<Vec<User>> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} {USER_FROM} WHERE u.staff_role IS NOT NULL
              ORDER BY u.active DESC, u.staff_role, u.id"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(users::user).collect()
    }

    /// Suspends a staff member (their sessions end, sign-in is refused) or
    /// reinstates one. Never `by` themselves, never the last active administrator.
    pub async fn set_staff_active(
        &self,
        user_id: i64,
        active: bool,
        by: i64,
        actor: &Actor,
        now: i64,
    ) -> Result<MemberChange> {
        let mut tx = self.pool().begin().await?;
        lock_staff_admins(&mut tx).await?;
        let Some(target) = one(&mut tx, "u.staff_role IS NOT NULL", user_id, None).await? else {
            return Ok(MemberChange::Missing);
        };
        if by == user_id {
            return Ok(MemberChange::Refused(Refusal::Oneself));
        }
        if !active {
            let is_admin = target.staff_role == Some(StaffRole::Admin) && target.active;
            let others = other_staff_admins(&mut tx, user_id).await?;
            if let Err(refusal) = may_take_away(by, user_id, is_admin, others) {
                return Ok(MemberChange::Refused(refusal));
            }
        }
        sqlx::query("UPDATE users SET active = $2, updated_at = $3 WHERE id = $1")
            .bind(user_id)
            .bind(i32::from(active))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        if !active {
            shut_out(&mut tx, user_id, now).await?;
        }
        let action = if active {
            "staff.reinstated"
        } else {
            "staff.suspended"
        };
        self.audit_member(&mut tx, actor, action, user_id, "", now)
            .await?;
        tx.commit().await?;
        Ok(MemberChange::Done)
    }

    /// Gives a portal staff member another portal role (管理者, 運営者,
    /// 運用・保守者). Never `by` themselves, never the last active administrator.
    pub async fn set_staff_role(
        &self,
        user_id: i64,
        role: StaffRole,
        by: i64,
        actor: &Actor,
        now: i64,
    ) -> Result<MemberChange> {
        if role == StaffRole::OrgStaff {
            return Ok(MemberChange::Missing);
        }
        let mut tx = self.pool().begin().await?;
        lock_staff_admins(&mut tx).await?;
        let Some(target) = one(
            &mut tx,
            "u.staff_role IN ('admin', 'operator', 'ops')",
            user_id,
            None,
        )
        .await?
        else {
            return Ok(MemberChange::Missing);
        };
        let was_admin = target.staff_role == Some(StaffRole::Admin) && target.active;
        let others = other_staff_admins(&mut tx, user_id).await?;
        let demoted = was_admin && role != StaffRole::Admin;
        if let Err(refusal) = may_take_away(by, user_id, demoted, others) {
            return Ok(MemberChange::Refused(refusal));
        }
        sqlx::query("UPDATE users SET staff_role = $2, updated_at = $3 WHERE id = $1")
            .bind(user_id)
            .bind(role.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let detail = format!(
            "role={}→{}",
            target.staff_role.map_or("", StaffRole::as_str),
            role.as_str()
        );
        self.audit_member(&mut tx, actor, "staff.role_changed", user_id, &detail, now)
            .await?;
        tx.commit().await?;
        Ok(MemberChange::Done)
    }
}
