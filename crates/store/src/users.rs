//! Users (company users and staff), single-use tokens, sessions and sign-in attempts.

use domain::{CompanyStatus, EmailAddress, StaffRole};
use sqlx::{AnyConnection, Row};

use crate::audit::{Actor, NewAuditEntry};
use crate::outbox::{self, NewMail};
use crate::{Result, Store, StoreError, conflict};

/// A user to create; the password is already an argon2id hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub email: EmailAddress,
    pub name: String,
    pub password_hash: String,
}

/// A user as stored, with what decides what they may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub company_id: Option<i64>,
    pub staff_role: Option<StaffRole>,
    pub organization_id: Option<i64>,
    pub contract_department_id: Option<i64>,
    pub email_confirmed: bool,
    pub active: bool,
    /// 会社の管理者: may manage the company's colleagues.
    pub company_admin: bool,
    pub last_sign_in_at: Option<i64>,
    /// The company's status and dealings, for company users.
    pub company_status: Option<CompanyStatus>,
    pub company_orders: bool,
    pub company_receives: bool,
    /// The version of the terms of use the person last agreed to.
    pub terms_version: Option<String>,
}

/// What became of a single-use link (`Store::token_state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenState {
    pub user_id: i64,
    pub used: bool,
    /// Unused, and past its time.
    pub expired: bool,
}

/// What a single-use token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    ConfirmEmail,
    ResetPassword,
    /// An invited colleague sets a password and confirms the address in one go.
    Invitation,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::ConfirmEmail => "confirm_email",
            TokenPurpose::ResetPassword => "reset_password",
            TokenPurpose::Invitation => "invitation",
        }
    }
}

/// A live session and its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    /// Ends without a request by then (slid forward while in use).
    pub expires_at: i64,
    /// Ends at this time whatever the activity (fixed at sign-in).
    pub ends_at: i64,
    pub last_seen_at: i64,
}

/// A colleague to invite into a company, with both mails: `mail` (the
/// invitation) for a new address, `owner_mail` for one already registered.
#[derive(Debug, Clone, Copy)]
pub struct NewInvitation<'a> {
    pub company_id: i64,
    pub user: &'a NewUser,
    pub token_hash: &'a str,
    pub expires_at: i64,
    pub mail: &'a NewMail,
    pub owner_mail: &'a NewMail,
}

/// What inviting a colleague did; the inviter is told the same either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invited {
    /// A new user waiting to set a password.
    New(i64),
    /// A colleague of this company still invited, or removed: invited again
    /// with a new link (earlier links no longer work).
    Again(i64),
    /// The address already has an account (here or at another company):
    /// nothing was created, and its owner was mailed instead.
    AlreadyRegistered,
}

pub(crate) const USER_COLUMNS: &str =
    "u.id, u.email, u.name, u.password_hash, u.company_id, u.staff_role,
    u.organization_id, u.contract_department_id, u.email_confirmed_at, u.active, u.terms_version,
    u.company_admin, u.last_sign_in_at, c.status AS company_status, c.orders AS company_orders, c.receives AS company_receives";

pub(crate) const USER_FROM: &str = "FROM users u LEFT JOIN companies c ON c.id = u.company_id";

pub(crate) fn user<R: crate::read::Cols>(row: &R) -> Result<User> {
    let role: Option<String> = row.col("staff_role")?;
    let status: Option<String> = row.col("company_status")?;
    let confirmed: Option<i64> = row.col("email_confirmed_at")?;
    let orders: Option<i32> = row.col("company_orders")?;
    let receives: Option<i32> = row.col("company_receives")?;
    Ok(User {
        id: row.col("id")?,
        email: row.col("email")?,
        name: row.col("name")?,
        password_hash: row.col("password_hash")?,
        company_id: row.col("company_id")?,
        staff_role: role.as_deref().and_then(StaffRole::parse),
        organization_id: row.col("organization_id")?,
        contract_department_id: row.col("contract_department_id")?,
        email_confirmed: confirmed.is_some(),
        active: row.col::<i32>("active")? == 1,
        company_admin: row.col::<i32>("company_admin")? == 1,
        last_sign_in_at: row.col("last_sign_in_at")?,
        company_status: status
            .as_deref()
            .map(|s| crate::cases::parse(CompanyStatus::from_code(s)))
            .transpose()?,
        company_orders: orders == Some(1),
        company_receives: receives == Some(1),
        terms_version: row.col("terms_version")?,
    })
}

pub(crate) async fn insert(
    conn: &mut AnyConnection,
    u: &NewUser,
    company_id: Option<i64>,
    staff: Option<(StaffRole, Option<i64>, Option<i64>)>,
    now: i64,
) -> Result<i64> {
    let (role, org, dept) = match staff {
        Some((r, o, d)) => (Some(r.as_str()), o, d),
        None => (None, None, None),
    };
    sqlx::query_scalar(
        "INSERT INTO users (email, email_key, name, password_hash, company_id, staff_role,
                            organization_id, contract_department_id, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9) RETURNING id",
    )
    .bind(u.email.as_str())
    .bind(u.email.key())
    .bind(&u.name)
    .bind(&u.password_hash)
    .bind(company_id)
    .bind(role)
    .bind(org)
    .bind(dept)
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| conflict(e, &[("email", "email")]))
}

pub(crate) async fn insert_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    user_id: i64,
    purpose: TokenPurpose,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO user_tokens (token_hash, user_id, purpose, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(now)
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Makes every outstanding invitation link of `user_id` unusable.
pub(crate) async fn kill_invitations(
    conn: &mut AnyConnection,
    user_id: i64,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE user_tokens SET used_at = $2
          WHERE user_id = $1 AND purpose = 'invitation' AND used_at IS NULL",
    )
    .bind(user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Marks the token used if it is unused, unexpired and for `purpose`; the user it belongs to.
async fn consume_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    purpose: TokenPurpose,
    now: i64,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "UPDATE user_tokens SET used_at = $3
          WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
          RETURNING user_id",
    )
    .bind(token_hash)
    .bind(purpose.as_str())
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?)
}

impl Store {
    pub async fn user(&self, id: i64) -> Result<Option<User>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} {USER_FROM} WHERE u.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(user).transpose()
    }

    pub async fn user_by_email(&self, email: &EmailAddress) -> Result<Option<User>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} {USER_FROM} WHERE u.email_key = $1"
        ))
        .bind(email.key())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(user).transpose()
    }

    pub async fn company_users(&self, company_id: i64) -> Result<Vec<User>> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} {USER_FROM} WHERE u.company_id = $1 ORDER BY u.id"
        ))
        .bind(company_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(user).collect()
    }

    /// Active portal staff holding one of `roles` (to tell them of work waiting).
    pub async fn active_staff(&self, roles: &[StaffRole]) -> Result<Vec<User>> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} {USER_FROM} WHERE u.staff_role IS NOT NULL AND u.active = 1 ORDER BY u.id"
        ))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(user)
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .filter(|u| u.staff_role.is_some_and(|r| roles.contains(&r)))
            .collect())
    }

    /// Creates a staff user (from the command line or the admin area) and records it.
    pub async fn create_staff(
        &self,
        u: &NewUser,
        role: StaffRole,
        organization: Option<(i64, Option<i64>)>,
        actor: &Actor,
        now: i64,
    ) -> Result<i64> {
        if (role == StaffRole::OrgStaff) != organization.is_some() {
            return Err(StoreError::Invalid(
                "organisation staff, and only they, belong to an ordering organisation".into(),
            ));
        }
        let mut tx = self.pool().begin().await?;
        let (org, dept) = organization.map_or((None, None), |(o, d)| (Some(o), d));
        let id = insert(&mut tx, u, None, Some((role, org, dept)), now).await?;
        sqlx::query("UPDATE users SET email_confirmed_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let detail = format!("role={}", role.as_str());
        self.append_audit_in(
            &mut tx,
            &NewAuditEntry {
                at: now,
                actor,
                action: "user.create_staff",
                target_type: "user",
                target_id: &id.to_string(),
                detail: &detail,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Confirms the address behind a confirmation link; an application then
    /// goes to review and `notify` (the operators' notice) is queued. The user,
    /// or `None` when the link is unknown, used or expired.
    pub async fn confirm_email(
        &self,
        token_hash: &str,
        notify: Option<&NewMail>,
        now: i64,
    ) -> Result<Option<i64>> {
        let mut tx = self.pool().begin().await?;
        let Some(user_id) =
            consume_token(&mut tx, token_hash, TokenPurpose::ConfirmEmail, now).await?
        else {
            return Ok(None);
        };
        sqlx::query("UPDATE users SET email_confirmed_at = $2, updated_at = $2 WHERE id = $1")
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let moved = sqlx::query(
            "UPDATE companies SET status = $2, updated_at = $3
              WHERE id = (SELECT company_id FROM users WHERE id = $1) AND status = $4",
        )
        .bind(user_id)
        .bind(CompanyStatus::InReview.as_str())
        .bind(now)
        .bind(CompanyStatus::EmailUnconfirmed.as_str())
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() == 1
            && let Some(mail) = notify
        {
            outbox::enqueue(&mut tx, mail, now).await?;
        }
        tx.commit().await?;
        Ok(Some(user_id))
    }

    /// Issues a single-use token for `user_id` and queues the mail carrying it.
    pub async fn issue_token(
        &self,
        user_id: i64,
        purpose: TokenPurpose,
        token_hash: &str,
        expires_at: i64,
        mail: &NewMail,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        insert_token(&mut tx, token_hash, user_id, purpose, now, expires_at).await?;
        outbox::enqueue(&mut tx, mail, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether a token would be accepted now (to show the form it opens).
    pub async fn token_is_valid(
        &self,
        token_hash: &str,
        purpose: TokenPurpose,
        now: i64,
    ) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM user_tokens
              WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .bind(now)
        .fetch_one(self.pool())
        .await?;
        Ok(n > 0)
    }

    /// What became of a single-use link: `None` when no such link was ever
    /// made; else its user and whether it was used, or expired unused.
    pub async fn token_state(
        &self,
        token_hash: &str,
        purpose: TokenPurpose,
        now: i64,
    ) -> Result<Option<TokenState>> {
        let row: Option<(i64, Option<i64>, i64)> = sqlx::query_as(
            "SELECT user_id, used_at, expires_at FROM user_tokens
              WHERE token_hash = $1 AND purpose = $2",
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(user_id, used_at, expires_at)| TokenState {
            user_id,
            used: used_at.is_some(),
            expired: used_at.is_none() && expires_at <= now,
        }))
    }

    /// Sets a new password through a reset or invitation link: the token is
    /// used up, other reset links die, and every session of the user ends.
    pub async fn set_password_with_token(
        &self,
        token_hash: &str,
        purpose: TokenPurpose,
        password_hash: &str,
        now: i64,
    ) -> Result<Option<i64>> {
        let mut tx = self.pool().begin().await?;
        let Some(user_id) = consume_token(&mut tx, token_hash, purpose, now).await? else {
            return Ok(None);
        };
        write_password(&mut tx, user_id, password_hash, now, None).await?;
        if purpose == TokenPurpose::Invitation {
            sqlx::query("UPDATE users SET email_confirmed_at = $2 WHERE id = $1 AND email_confirmed_at IS NULL")
                .bind(user_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Some(user_id))
    }

    /// Changes the password of a signed-in user; their other sessions end.
    pub async fn change_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep_session: &str,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        write_password(&mut tx, user_id, password_hash, now, Some(keep_session)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Invites a colleague into the company: a user without a usable password,
    /// an invitation token and `mail`, in one transaction. When the address is
    /// already registered anywhere, nothing is created and `owner_mail` goes to
    /// the address instead, so the inviter cannot learn whose address it is.
    pub async fn invite_user(&self, invitation: &NewInvitation<'_>, now: i64) -> Result<Invited> {
        let NewInvitation {
            company_id,
            user: u,
            token_hash,
            expires_at,
            mail,
            owner_mail,
        } = *invitation;
        let mut tx = self.pool().begin().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO users (email, email_key, name, password_hash, company_id, active,
                                created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 1, $6, $6)
             ON CONFLICT (email_key) DO NOTHING RETURNING id",
        )
        .bind(u.email.as_str())
        .bind(u.email.key())
        .bind(&u.name)
        .bind(&u.password_hash)
        .bind(company_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let id = match id {
            Some(id) => id,
            None => {
                // This company's colleague still invited, or removed: invited
                // (again), with a new link and the old ones dead.
                let again: Option<i64> = sqlx::query_scalar(
                    "UPDATE users SET active = 1, name = $3, password_hash = $4,
                            email_confirmed_at = NULL, company_admin = 0, updated_at = $5
                      WHERE email_key = $1 AND company_id = $2
                        AND (active = 0 OR email_confirmed_at IS NULL)
                      RETURNING id",
                )
                .bind(u.email.key())
                .bind(company_id)
                .bind(&u.name)
                .bind(&u.password_hash)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(id) = again else {
                    outbox::enqueue(&mut tx, owner_mail, now).await?;
                    tx.commit().await?;
                    return Ok(Invited::AlreadyRegistered);
                };
                kill_invitations(&mut tx, id, now).await?;
                insert_token(
                    &mut tx,
                    token_hash,
                    id,
                    TokenPurpose::Invitation,
                    now,
                    expires_at,
                )
                .await?;
                outbox::enqueue(&mut tx, mail, now).await?;
                tx.commit().await?;
                return Ok(Invited::Again(id));
            }
        };
        insert_token(
            &mut tx,
            token_hash,
            id,
            TokenPurpose::Invitation,
            now,
            expires_at,
        )
        .await?;
        outbox::enqueue(&mut tx, mail, now).await?;
        tx.commit().await?;
        Ok(Invited::New(id))
    }

    // --- sessions --------------------------------------------------------

    /// A new session: it ends after `expires_at` unless slid forward
    /// (`touch_session`), and at `ends_at` in any case.
    pub async fn create_session(
        &self,
        id_hash: &str,
        user_id: i64,
        csrf_token: &str,
        now: i64,
        expires_at: i64,
        ends_at: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ends_at)
             VALUES ($1, $2, $3, $4, $4, $5, $6)",
        )
        .bind(id_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(now)
        .bind(expires_at)
        .bind(ends_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The session with this id, and its user, unless it has gone idle for
    /// too long or reached its absolute end.
    pub async fn session(&self, id_hash: &str, now: i64) -> Result<Option<Session>> {
        use crate::read::Arg;
        let mut rows: Vec<Session> = self
            .read_rows(
                &format!(
                    "SELECT {USER_COLUMNS}, s.csrf_token, s.expires_at, s.ends_at, s.last_seen_at
                       FROM sessions s JOIN users u ON u.id = s.user_id
                       LEFT JOIN companies c ON c.id = u.company_id
                      WHERE s.id_hash = $1 AND s.expires_at > $2 AND s.ends_at > $2"
                ),
                &[Arg::Text(id_hash), Arg::Int(now)],
            )
            .await?;
        Ok(rows.pop())
    }

    /// Slides an idle session's expiry forward.
    pub async fn touch_session(&self, id_hash: &str, now: i64, expires_at: i64) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE id_hash = $1")
            .bind(id_hash)
            .bind(now)
            .bind(expires_at)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Removes sessions that have expired or ended; returns how many.
    pub async fn purge_expired_sessions(&self, now: i64) -> Result<u64> {
        Ok(
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR ends_at <= $1")
                .bind(now)
                .execute(self.pool())
                .await?
                .rows_affected(),
        )
    }

    // --- sign-in attempts ------------------------------------------------

    /// Records a sign-in attempt; a staff or company sign-in also goes to the audit log.
    pub async fn record_sign_in(
        &self,
        email_key: &str,
        ip: &str,
        user_id: Option<i64>,
        succeeded: bool,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO sign_in_attempts (email_key, ip, at, succeeded) VALUES ($1, $2, $3, $4)",
        )
        .bind(email_key)
        .bind(ip)
        .bind(now)
        .bind(i32::from(succeeded))
        .execute(&mut *tx)
        .await?;
        let name: Option<String> = match user_id {
            Some(id) => {
                if succeeded {
                    sqlx::query("UPDATE users SET last_sign_in_at = $2 WHERE id = $1")
                        .bind(id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            None => None,
        };
        let actor = Actor {
            user_id,
            label: match (user_id, name) {
                (Some(_), Some(name)) => name,
                (Some(id), None) => format!("利用者 #{id}"),
                (None, _) => "不明な利用者".to_owned(),
            },
            ip: Some(ip.to_owned()),
        };
        self.append_audit_in(
            &mut tx,
            &NewAuditEntry {
                at: now,
                actor: &actor,
                action: if succeeded {
                    "sign_in.succeeded"
                } else {
                    "sign_in.failed"
                },
                target_type: "user",
                target_id: &user_id.map_or_else(String::new, |id| id.to_string()),
                detail: "",
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forgets sign-in attempts older than `before`, and the sign-in gates
    /// untouched since then (every gate forgets within hours); returns how
    /// many attempts. Known devices go `DEVICE_LIFETIME_MS` after their last use.
    pub async fn purge_sign_in_attempts(&self, before: i64) -> Result<u64> {
        let mut tx = self.pool().begin().await?;
        let n = sqlx::query("DELETE FROM sign_in_attempts WHERE at < $1")
            .bind(before)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM sign_in_gates WHERE updated_at < $1 AND open_at < $1")
            .bind(before)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sign_in_devices WHERE last_used_at < $1")
            .bind(before - domain::throttle::DEVICE_LIFETIME_MS)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Sign-in attempts recorded since `since` naming `email_key` (each was
    /// checked against a password): (failed, succeeded).
    pub async fn sign_ins_since(&self, email_key: &str, since: i64) -> Result<(i64, i64)> {
        let row = sqlx::query(
            "SELECT COALESCE(SUM(CASE WHEN succeeded = 0 THEN 1 ELSE 0 END), 0) AS failed,
                    COALESCE(SUM(succeeded), 0) AS succeeded
               FROM sign_in_attempts WHERE email_key = $1 AND at >= $2",
        )
        .bind(email_key)
        .bind(since)
        .fetch_one(self.pool())
        .await?;
        Ok((row.try_get("failed")?, row.try_get("succeeded")?))
    }
}

/// Stores the new hash, kills outstanding reset links, and ends every session
/// of the user but `keep_session`.
async fn write_password(
    conn: &mut AnyConnection,
    user_id: i64,
    password_hash: &str,
    now: i64,
    keep_session: Option<&str>,
) -> Result<()> {
    sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
        .bind(user_id)
        .bind(password_hash)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE user_tokens SET used_at = $2 WHERE user_id = $1 AND purpose = 'reset_password' AND used_at IS NULL")
        .bind(user_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND ($2 IS NULL OR id_hash <> $2)")
        .bind(user_id)
        .bind(keep_session)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl crate::read::FromCols for Session {
    fn from_cols<R: crate::read::Cols>(row: &R) -> Result<Self> {
        Ok(Session {
            user: user(row)?,
            csrf_token: row.col("csrf_token")?,
            expires_at: row.col("expires_at")?,
            ends_at: row.col("ends_at")?,
            last_seen_at: row.col("last_seen_at")?,
        })
    }
}
