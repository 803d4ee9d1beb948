//! Private orders (民間発注案件) and technical needs (技術ニーズ): an ordering
//! company drafts them and submits them for review, an administrator approves
//! or returns them, receiving companies make entries (受注エントリー), the two
//! sides exchange messages, and the ordering company chooses its partner.
//! Uploaded files are kept in the database with the record they belong to.

use domain::{CaseStatus, EntryStatus};
use sqlx::{AnyConnection, Row};

use crate::audit::{Actor, NewAuditEntry};
use crate::cases::{self, Case, NewCase};
use crate::outbox::{self, NewMail};
use crate::{Result, Store, StoreError};

/// Where portal-authored cases say they come from.
pub const PORTAL_SOURCE: &str = "portal";

/// A file to store, already checked (`domain::upload::check`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFile {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// What is known about a stored file without its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMeta {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: i64,
}

impl FileMeta {
    /// Where it is downloaded from.
    pub fn href(&self) -> String {
        format!("/files/{}", self.id)
    }
}

/// A stored file with its content and who may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub meta: FileMeta,
    pub content: Vec<u8>,
    /// The case it is a document of.
    pub case_id: Option<i64>,
    /// For an attachment to a message: the entering company and the case's company.
    pub entry_parties: Option<(i64, i64)>,
    /// For a document of an application to take part in an e-tender: the
    /// applying company and the tender's case.
    pub applicant: Option<(i64, i64)>,
}

/// What a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileOwner {
    Case(i64),
    Message(i64),
    Participant(i64),
}

/// An ordering company's draft or correction of a case.
#[derive(Debug, Clone)]
pub struct SaveOrder<'a> {
    /// None for a new case.
    pub case_id: Option<i64>,
    pub company_id: i64,
    pub user_id: i64,
    /// The case as typed; status, source and documents are set here.
    pub fields: NewCase,
    pub new_files: &'a [NewFile],
    /// Ids of the case's documents to remove.
    pub remove_files: &'a [i64],
    /// Submit for review (otherwise kept as a draft).
    pub submit: bool,
}

/// A reviewer's decision on a submitted case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderDecision {
    Approve,
    Return,
}

/// A receiving company's entry, with the names the pages show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    pub case_id: i64,
    pub case_title: String,
    /// The ordering company.
    pub case_company_id: Option<i64>,
    pub company_id: i64,
    pub company_name: String,
    pub status: EntryStatus,
    pub messages: i64,
    pub last_message_at: i64,
    pub created_at: i64,
}

/// One message between the two companies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryMessage {
    pub id: i64,
    pub from_orderer: bool,
    pub author_name: String,
    pub body: String,
    pub created_at: i64,
    pub files: Vec<FileMeta>,
}

/// A message to add, by one side.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub from_orderer: bool,
    pub user_id: i64,
    pub author_name: &'a str,
    pub body: &'a str,
    pub files: &'a [NewFile],
}

pub(crate) fn file_meta(row: &sqlx::any::AnyRow) -> Result<FileMeta> {
    Ok(FileMeta {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        content_type: row.try_get("content_type")?,
        size: row.try_get("size")?,
        sha256: row.try_get("sha256")?,
        created_at: row.try_get("created_at")?,
    })
}

pub(crate) const FILE_META: &str = "id, name, content_type, size, sha256, created_at";

pub(crate) async fn insert_file(
    conn: &mut AnyConnection,
    owner: FileOwner,
    f: &NewFile,
    user_id: Option<i64>,
    now: i64,
) -> Result<i64> {
    let (case, message, participant) = match owner {
        FileOwner::Case(id) => (Some(id), None, None),
        FileOwner::Message(id) => (None, Some(id), None),
        FileOwner::Participant(id) => (None, None, Some(id)),
    };
    Ok(sqlx::query_scalar(
        "INSERT INTO files (case_id, message_id, participant_id, name, content_type, size, sha256,
                            content, uploaded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(case)
    .bind(message)
    .bind(participant)
    .bind(&f.name)
    .bind(&f.content_type)
    .bind(f.bytes.len() as i64)
    .bind(domain::audit::sha256_hex(&f.bytes))
    .bind(f.bytes.as_slice())
    .bind(user_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

pub(crate) async fn case_files(conn: &mut AnyConnection, case_id: i64) -> Result<Vec<FileMeta>> {
    let rows = sqlx::query(&format!(
        "SELECT {FILE_META} FROM files WHERE case_id = $1 ORDER BY id"
    ))
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(file_meta).collect()
}

/// Rewrites a case with new fields under a new sequence number, so that the
/// search index follows.
async fn rewrite(conn: &mut AnyConnection, id: i64, fields: &NewCase, now: i64) -> Result<()> {
    let seq = cases::next_seq(conn).await?;
    cases::write(conn, Some(id), fields, &fields.content_hash(), seq, now).await?;
    Ok(())
}

async fn enqueue_all(conn: &mut AnyConnection, mails: &[NewMail], now: i64) -> Result<()> {
    for m in mails {
        outbox::enqueue(conn, m, now).await?;
    }
    Ok(())
}

const ENTRY_SELECT: &str =
    "SELECT e.id, e.case_id, c.title AS case_title, c.company_id AS case_company_id,
        e.company_id, co.name AS company_name, e.status, e.created_at,
        (SELECT COUNT(*) FROM entry_messages m WHERE m.entry_id = e.id) AS messages,
        (SELECT MAX(m.created_at) FROM entry_messages m WHERE m.entry_id = e.id) AS last_message_at
   FROM case_entries e
   JOIN cases c ON c.id = e.case_id
   JOIN companies co ON co.id = e.company_id";

async fn add_message(
    conn: &mut AnyConnection,
    entry_id: i64,
    m: &NewMessage<'_>,
    now: i64,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO entry_messages (entry_id, from_orderer, user_id, author_name, body, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(entry_id)
    .bind(i32::from(m.from_orderer))
    .bind(m.user_id)
    .bind(m.author_name)
    .bind(m.body)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    for f in m.files {
        insert_file(conn, FileOwner::Message(id), f, Some(m.user_id), now).await?;
    }
    Ok(id)
}

/// The deadline for entries: the application deadline, else the submission deadline.
pub fn entry_deadline(c: &NewCase) -> Option<i64> {
    c.application_deadline.or(c.submission_deadline)
}

/// Whether a receiving company may still enter the case at `now`.
pub fn accepts_entries(c: &NewCase, now: i64) -> bool {
    c.kind.takes_entries()
        && c.status == CaseStatus::Open
        && entry_deadline(c).is_none_or(|d| now < d)
}

impl Store {
    /// Saves an ordering company's case as a draft, or submits it for review.
    /// An existing case must be the company's own and still editable (a
    /// draft or returned); otherwise `Stale`. Returns the case id.
    pub async fn save_order(&self, o: &SaveOrder<'_>, now: i64) -> Result<i64> {
        if !o.fields.kind.takes_entries() {
            return Err(StoreError::Invalid(
                "only private orders and technical needs are posted by companies".into(),
            ));
        }
        let mut tx = self.pool().begin().await?;
        let mut fields = o.fields.clone();
        fields.company_id = Some(o.company_id);
        fields.status = if o.submit {
            CaseStatus::InReview
        } else {
            CaseStatus::Draft
        };
        fields.source = PORTAL_SOURCE.to_owned();
        fields.created_by = Some(o.user_id);
        // The ordering company is the case's organisation: shown, searched and faceted.
        fields.organization_name = sqlx::query_scalar("SELECT name FROM companies WHERE id = $1")
            .bind(o.company_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::Stale)?;
        let id = match o.case_id {
            Some(id) => {
                let old = cases::load(&mut tx, id).await?.ok_or(StoreError::Stale)?;
                if old.fields.company_id != Some(o.company_id) || !old.fields.status.is_editable() {
                    return Err(StoreError::Stale);
                }
                fields.source_key = old.fields.source_key;
                fields.published_at = old.fields.published_at;
                for file in o.remove_files {
                    sqlx::query("DELETE FROM files WHERE id = $1 AND case_id = $2")
                        .bind(*file)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                id
            }
            None => {
                let seq = cases::next_seq(&mut tx).await?;
                // A key no other portal case has: the company and this write's
                // sequence number, which no other transaction receives.
                fields.source_key = format!("{}-{seq}", o.company_id);
                fields.documents.clear();
                cases::write(&mut tx, None, &fields, &fields.content_hash(), seq, now).await?
            }
        };
        for f in o.new_files {
            insert_file(&mut tx, FileOwner::Case(id), f, Some(o.user_id), now).await?;
        }
        fields.documents = case_files(&mut tx, id)
            .await?
            .into_iter()
            .map(|f| (f.name.clone(), f.href()))
            .collect();
        rewrite(&mut tx, id, &fields, now).await?;
        sqlx::query("UPDATE cases SET review_comment = NULL WHERE id = $1 AND $2 = 1")
            .bind(id)
            .bind(i32::from(o.submit))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Approves (publishes) or returns a case that is in review; records the
    /// decision in the audit log and queues `mails`, in one transaction.
    /// `Stale` when the case is no longer in review.
    pub async fn review_order(
        &self,
        case_id: i64,
        decision: OrderDecision,
        comment: Option<&str>,
        actor: &Actor,
        mails: &[NewMail],
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let mut c = cases::load(&mut tx, case_id)
            .await?
            .ok_or(StoreError::Stale)?;
        if c.fields.status != CaseStatus::InReview {
            return Err(StoreError::Stale);
        }
        let (status, action) = match decision {
            OrderDecision::Approve => (CaseStatus::Open, "case.approve"),
            OrderDecision::Return => (CaseStatus::Returned, "case.return"),
        };
        c.fields.status = status;
        if decision == OrderDecision::Approve {
            c.fields.published_at = Some(now);
        }
        rewrite(&mut tx, case_id, &c.fields, now).await?;
        sqlx::query("UPDATE cases SET review_comment = $2 WHERE id = $1")
            .bind(case_id)
            .bind(comment)
            .execute(&mut *tx)
            .await?;
        self.append_audit_in(
            &mut tx,
            &NewAuditEntry {
                at: now,
                actor,
                action,
                target_type: "case",
                target_id: &case_id.to_string(),
                detail: comment.unwrap_or(""),
            },
        )
        .await?;
        enqueue_all(&mut tx, mails, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The reviewer's comment on a case, if any.
    pub async fn review_comment(&self, case_id: i64) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT review_comment FROM cases WHERE id = $1")
                .bind(case_id)
                .fetch_optional(self.pool())
                .await?
                .flatten(),
        )
    }

    /// A company's own private orders and technical needs, newest first.
    pub async fn orders_of_company(&self, company_id: i64) -> Result<Vec<(Case, i64)>> {
        let rows = sqlx::query(&format!(
            "SELECT {}, (SELECT COUNT(*) FROM case_entries e WHERE e.case_id = cases.id) AS entries
               FROM cases WHERE company_id = $1 AND source = $2 ORDER BY updated_at DESC, id DESC",
            cases::COLUMNS
        ))
        .bind(company_id)
        .bind(PORTAL_SOURCE)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((cases::case(r)?, r.try_get("entries")?)))
            .collect()
    }

    /// Cases waiting for review, oldest submission first.
    pub async fn orders_in_review(&self) -> Result<Vec<Case>> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM cases WHERE status = $1 ORDER BY updated_at, id",
            cases::COLUMNS
        ))
        .bind(CaseStatus::InReview.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(cases::case).collect()
    }

    /// The documents uploaded to a case.
    pub async fn case_files(&self, case_id: i64) -> Result<Vec<FileMeta>> {
        let mut conn = self.pool().acquire().await?;
        case_files(&mut conn, case_id).await
    }

    /// A stored file with its content and owners.
    pub async fn file(&self, id: i64) -> Result<Option<StoredFile>> {
        let row = sqlx::query(
            "SELECT f.id, f.name, f.content_type, f.size, f.sha256, f.created_at, f.content,
                    f.case_id, e.company_id AS entry_company_id, c.company_id AS case_company_id,
                    p.company_id AS applicant_company_id, p.case_id AS applicant_case_id
               FROM files f
               LEFT JOIN entry_messages m ON m.id = f.message_id
               LEFT JOIN case_entries e ON e.id = m.entry_id
               LEFT JOIN cases c ON c.id = e.case_id
               LEFT JOIN tender_participants p ON p.id = f.participant_id
              WHERE f.id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let entry_company: Option<i64> = row.try_get("entry_company_id")?;
        let case_company: Option<i64> = row.try_get("case_company_id")?;
        Ok(Some(StoredFile {
            meta: file_meta(&row)?,
            content: row.try_get("content")?,
            case_id: row.try_get("case_id")?,
            entry_parties: entry_company.zip(case_company),
            applicant: row
                .try_get::<Option<i64>, _>("applicant_company_id")?
                .zip(row.try_get::<Option<i64>, _>("applicant_case_id")?),
        }))
    }

    /// A receiving company enters an open case with a first message and
    /// attachments, and `mails` are queued, in one transaction. `Stale` when
    /// the case no longer takes entries (closed, deadline passed, its own
    /// company); `Conflict { field: "entry" }` when the company already entered.
    pub async fn create_entry(
        &self,
        case_id: i64,
        company_id: i64,
        first: &NewMessage<'_>,
        mails: &[NewMail],
        now: i64,
    ) -> Result<i64> {
        let mut tx = self.pool().begin().await?;
        // Lock out a concurrent choice or edit of the case while entering.
        cases::next_seq(&mut tx).await?;
        let c = cases::load(&mut tx, case_id)
            .await?
            .ok_or(StoreError::Stale)?;
        if !accepts_entries(&c.fields, now) || c.fields.company_id == Some(company_id) {
            return Err(StoreError::Stale);
        }
        let existing: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM case_entries WHERE case_id = $1 AND company_id = $2",
        )
        .bind(case_id)
        .bind(company_id)
        .fetch_optional(&mut *tx)
        .await?;
        if existing.is_some() {
            return Err(StoreError::Conflict { field: "entry" });
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO case_entries (case_id, company_id, user_id, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
        )
        .bind(case_id)
        .bind(company_id)
        .bind(first.user_id)
        .bind(EntryStatus::Submitted.as_str())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        add_message(&mut tx, id, first, now).await?;
        enqueue_all(&mut tx, mails, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Entries matching `filter` (SQL over `e`, with $1 and $2 bound to
    /// `a` and `b`), in `order`. `$2 = $2` keeps $2 used when the filter
    /// does not need it: PostgreSQL refuses a bound parameter it never sees.
    async fn entries_where(&self, filter: &str, a: i64, b: i64, order: &str) -> Result<Vec<Entry>> {
        self.read_rows(
            &format!("{ENTRY_SELECT} WHERE {filter} AND $2 = $2 ORDER BY {order}"),
            &[a, b],
        )
        .await
    }

    pub async fn entry(&self, id: i64) -> Result<Option<Entry>> {
        Ok(self.entries_where("e.id = $1", id, 0, "e.id").await?.pop())
    }

    /// The entry a company made for a case, if any.
    pub async fn entry_of(&self, case_id: i64, company_id: i64) -> Result<Option<Entry>> {
        Ok(self
            .entries_where(
                "e.case_id = $1 AND e.company_id = $2",
                case_id,
                company_id,
                "e.id",
            )
            .await?
            .pop())
    }

    /// The entries for a case, in the order they came.
    pub async fn entries_for_case(&self, case_id: i64) -> Result<Vec<Entry>> {
        self.entries_where("e.case_id = $1", case_id, 0, "e.id")
            .await
    }

    /// A company's own entries, newest first.
    pub async fn entries_of_company(&self, company_id: i64) -> Result<Vec<Entry>> {
        self.entries_where("e.company_id = $1", company_id, 0, "e.id DESC")
            .await
    }

    /// The messages of an entry, oldest first, with their attachments.
    pub async fn entry_messages(&self, entry_id: i64) -> Result<Vec<EntryMessage>> {
        let rows = sqlx::query(
            "SELECT id, from_orderer, author_name, body, created_at FROM entry_messages
              WHERE entry_id = $1 ORDER BY id",
        )
        .bind(entry_id)
        .fetch_all(self.pool())
        .await?;
        let files = sqlx::query(&format!(
            "SELECT {FILE_META}, message_id FROM files
              WHERE message_id IN (SELECT id FROM entry_messages WHERE entry_id = $1) ORDER BY id"
        ))
        .bind(entry_id)
        .fetch_all(self.pool())
        .await?;
        let mut out = rows
            .iter()
            .map(|r| {
                let from: i32 = r.try_get("from_orderer")?;
                Ok(EntryMessage {
                    id: r.try_get("id")?,
                    from_orderer: from != 0,
                    author_name: r.try_get("author_name")?,
                    body: r.try_get("body")?,
                    created_at: r.try_get("created_at")?,
                    files: Vec::new(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        for f in &files {
            let message_id: i64 = f.try_get("message_id")?;
            if let Some(m) = out.iter_mut().find(|m| m.id == message_id) {
                m.files.push(file_meta(f)?);
            }
        }
        Ok(out)
    }

    /// Adds a message to an entry and queues `mails`, in one transaction.
    pub async fn post_entry_message(
        &self,
        entry_id: i64,
        m: &NewMessage<'_>,
        mails: &[NewMail],
        now: i64,
    ) -> Result<i64> {
        let mut tx = self.pool().begin().await?;
        let id = add_message(&mut tx, entry_id, m, now).await?;
        sqlx::query("UPDATE case_entries SET updated_at = $2 WHERE id = $1")
            .bind(entry_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        enqueue_all(&mut tx, mails, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The ordering company calls off its own public case (中止): the case
    /// becomes 中止, every entry still waiting is not chosen, and `mails` are
    /// queued, in one transaction. `Stale` when the case is not the company's
    /// or is no longer open or closed.
    pub async fn cancel_order(
        &self,
        case_id: i64,
        company_id: i64,
        mails: &[NewMail],
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let seq = cases::next_seq(&mut tx).await?;
        let mut c = cases::load(&mut tx, case_id)
            .await?
            .ok_or(StoreError::Stale)?;
        if c.fields.company_id != Some(company_id) || !c.fields.status.may_call_off() {
            return Err(StoreError::Stale);
        }
        sqlx::query(
            "UPDATE case_entries SET status = $2, updated_at = $3 WHERE case_id = $1 AND status = $4",
        )
        .bind(case_id)
        .bind(EntryStatus::NotChosen.as_str())
        .bind(now)
        .bind(EntryStatus::Submitted.as_str())
        .execute(&mut *tx)
        .await?;
        c.fields.status = CaseStatus::Cancelled;
        cases::write(
            &mut tx,
            Some(case_id),
            &c.fields,
            &c.fields.content_hash(),
            seq,
            now,
        )
        .await?;
        enqueue_all(&mut tx, mails, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The ordering company chooses one entry as its partner: that entry is
    /// chosen, every other one not chosen, and the case becomes 決定済み;
    /// `mails` are queued, all in one transaction. `Stale` when the case was
    /// already decided or the entry is not one of the case's.
    pub async fn choose_entry(
        &self,
        case_id: i64,
        entry_id: i64,
        mails: &[NewMail],
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        // The sequence row first: it serialises this with entries arriving.
        let seq = cases::next_seq(&mut tx).await?;
        let mut c = cases::load(&mut tx, case_id)
            .await?
            .ok_or(StoreError::Stale)?;
        if !matches!(c.fields.status, CaseStatus::Open | CaseStatus::Closed) {
            return Err(StoreError::Stale);
        }
        let chosen = sqlx::query(
            "UPDATE case_entries SET status = $3, updated_at = $4
              WHERE id = $1 AND case_id = $2 AND status = $5",
        )
        .bind(entry_id)
        .bind(case_id)
        .bind(EntryStatus::Chosen.as_str())
        .bind(now)
        .bind(EntryStatus::Submitted.as_str())
        .execute(&mut *tx)
        .await?;
        if chosen.rows_affected() != 1 {
            return Err(StoreError::Stale);
        }
        sqlx::query(
            "UPDATE case_entries SET status = $2, updated_at = $3 WHERE case_id = $1 AND id <> $4",
        )
        .bind(case_id)
        .bind(EntryStatus::NotChosen.as_str())
        .bind(now)
        .bind(entry_id)
        .execute(&mut *tx)
        .await?;
        c.fields.status = CaseStatus::Awarded;
        cases::write(
            &mut tx,
            Some(case_id),
            &c.fields,
            &c.fields.content_hash(),
            seq,
            now,
        )
        .await?;
        enqueue_all(&mut tx, mails, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

impl crate::read::FromCols for Entry {
    fn from_cols<R: crate::read::Cols>(row: &R) -> Result<Self> {
        let status: String = row.col("status")?;
        Ok(Entry {
            id: row.col("id")?,
            case_id: row.col("case_id")?,
            case_title: row.col("case_title")?,
            case_company_id: row.col("case_company_id")?,
            company_id: row.col("company_id")?,
            company_name: row.col("company_name")?,
            status: EntryStatus::parse(&status).map_err(|e| StoreError::Invalid(e.to_string()))?,
            messages: row.col("messages")?,
            last_message_at: row.col("last_message_at")?,
            created_at: row.col("created_at")?,
        })
    }
}
