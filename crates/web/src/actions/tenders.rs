//! What staff and bidders do to an e-tender, once for the pages and the JSON
//! API alike: who may, which rules refuse it (in Japanese), whom it mails.
//! A refusal is `Unprocessable` with the reason; a tender the viewer may not
//! manage is 404, so ids reveal nothing.

use domain::tender::{Action, Schedule};
use domain::{Role, StaffRole};
use mail::{CaseEvent, TenderOutcome};
use store::{Case, NewMail, Participation, StoreError, TenderRecord, User};

use crate::auth::Viewer;
use crate::{AppState, ErrorKind, WebError};

/// Staff of ordering organisations, and the portal's administrators.
pub const ORG_STAFF: &[Role] = &[Role::OrgStaff, Role::Admin];
/// Companies registered to receive orders: the bidders.
pub const BIDDERS: &[Role] = &[Role::ReceivingCompany];

/// A store refusal as the user is told it.
pub fn refused(e: StoreError) -> WebError {
    match e {
        StoreError::Invalid(m) => WebError::new(ErrorKind::Unprocessable, m),
        StoreError::Conflict {
            field: "application",
        } => WebError::new(
            ErrorKind::Conflict,
            "この案件には既に参加申請しています（または指名されています）。",
        ),
        StoreError::Conflict { .. } => WebError::new(
            ErrorKind::Conflict,
            "この案件には既に入札（または辞退）しています。入札は一度だけです。",
        ),
        StoreError::Stale => WebError::not_found(),
        other => WebError::internal(other),
    }
}

fn unprocessable(m: impl Into<String>) -> WebError {
    WebError::new(ErrorKind::Unprocessable, m)
}

/// A path id, or 404.
pub fn id_of(raw: &str) -> Result<i64, WebError> {
    raw.parse().map_err(|_| WebError::not_found())
}

/// A tender and its case, as the staff who manage it see them: an
/// organisation's staff only their organisation's, administrators all.
pub async fn managed(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<(Case, TenderRecord), WebError> {
    let user = viewer.user()?;
    let case = state
        .store
        .case(id)
        .await?
        .ok_or_else(WebError::not_found)?;
    let tender = state
        .store
        .tender(id)
        .await?
        .ok_or_else(WebError::not_found)?;
    let admin = user.staff_role == Some(StaffRole::Admin);
    let own = user.staff_role == Some(StaffRole::OrgStaff)
        && user.organization_id.is_some()
        && user.organization_id == case.fields.organization_id;
    if !(admin || own) {
        return Err(WebError::not_found());
    }
    Ok((case, tender))
}

/// A published tender as a bidder sees it, or 404.
pub async fn public_tender(state: &AppState, id: i64) -> Result<(Case, TenderRecord), WebError> {
    let case = state
        .store
        .case(id)
        .await?
        .filter(|c| c.fields.status.is_public())
        .ok_or_else(WebError::not_found)?;
    let tender = state
        .store
        .tender(id)
        .await?
        .ok_or_else(WebError::not_found)?;
    Ok((case, tender))
}

/// A review's outcome as the page's radio and the API's `decision` name it
/// (`approve`, `reject`).
pub fn decision(word: &str) -> Result<Participation, WebError> {
    match word {
        "approve" => Ok(Participation::Approved),
        "reject" => Ok(Participation::Rejected),
        _ => Err(WebError::new(
            ErrorKind::Unprocessable,
            "審査の結果（decision）は approve（認める）か reject（認めない）を選んでください。",
        )),
    }
}

/// Who did it, for the audit log.
pub fn staff_actor(viewer: &Viewer) -> Result<store::Actor, WebError> {
    crate::auth::actor(viewer, "")
}

/// The bidder: (user, company id, actor).
pub fn bidder(viewer: &Viewer) -> Result<(User, i64, store::Actor), WebError> {
    let user = viewer.user()?.clone();
    let company = user.company_id.ok_or_else(|| {
        WebError::new(
            ErrorKind::Forbidden,
            "企業の利用者だけが電子入札に参加できます。",
        )
    })?;
    let actor = store::Actor {
        user_id: Some(user.id),
        label: format!("入札者 {}", user.name),
        ip: None,
    };
    Ok((user, company, actor))
}

/// One mail to every active user of each company in `companies`.
async fn mail_companies(
    state: &AppState,
    companies: impl IntoIterator<Item = i64>,
    compose: impl Fn(&str, &str) -> NewMail,
) -> Result<Vec<NewMail>, WebError> {
    let mut mails = Vec::new();
    for c in companies {
        mails.extend(crate::mailing::mail_company(state, c, &compose).await?);
    }
    Ok(mails)
}

/// One mail to each active staff member of the case's organisation.
async fn mail_staff(
    state: &AppState,
    case: &Case,
    compose: impl Fn(&str, &str) -> NewMail,
) -> Result<Vec<NewMail>, WebError> {
    Ok(state
        .store
        .active_staff(&[StaffRole::OrgStaff])
        .await?
        .iter()
        .filter(|u| u.organization_id.is_some() && u.organization_id == case.fields.organization_id)
        .map(|u| compose(&u.email, &u.name))
        .collect())
}

fn event_mail(
    state: &AppState,
    case: &Case,
    event: CaseEvent,
    path: &str,
) -> impl Fn(&str, &str) -> NewMail {
    let composer = mail::Composer::new(&state.settings.public_url);
    let title = case.fields.title.clone();
    let path = path.to_owned();
    move |to, name| composer.case_event(to, name, &title, &event, &path)
}

fn case_path(id: i64) -> String {
    format!("/cases/{id}")
}

fn manage_path(id: i64) -> String {
    format!("/org/tenders/{id}")
}

/// Every company taking part (applied, admitted, rejected or nominated).
async fn taking_part(state: &AppState, id: i64) -> Result<Vec<i64>, WebError> {
    Ok(state
        .store
        .participants(id)
        .await?
        .iter()
        .map(|p| p.company_id)
        .collect())
}

/// 公告: the draft goes public.
pub async fn publish(state: &AppState, viewer: &Viewer, case: &Case) -> Result<(), WebError> {
    let now = crate::auth::now_ms();
    state
        .store
        .tender_action(case.id, Action::Publish, &staff_actor(viewer)?, now)
        .await
        .map_err(refused)?;
    state.cases_written();
    state.mail_queued();
    Ok(())
}

/// What a 変更公告 changes, in words.
fn schedule_changes(old: &Schedule, new: &Schedule) -> String {
    let names = [
        ("公告日", old.published_at, new.published_at),
        (
            "参加申請締切",
            old.application_deadline,
            new.application_deadline,
        ),
        (
            "資格審査結果通知日",
            old.qualification_notice_at,
            new.qualification_notice_at,
        ),
        ("入札書受付開始", old.bidding_opens_at, new.bidding_opens_at),
        ("入札締切", old.bid_deadline, new.bid_deadline),
        ("開札日時", old.opening_at, new.opening_at),
    ];
    names
        .iter()
        .filter(|(_, a, b)| a != b)
        .map(|(n, a, b)| {
            format!(
                "{n}：{} → {}",
                crate::present::when(*a),
                crate::present::when(*b)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// 変更公告: a new schedule; every company taking part is told what changed.
pub async fn amend(
    state: &AppState,
    viewer: &Viewer,
    case: &Case,
    tender: &TenderRecord,
    schedule: Schedule,
    note: &str,
) -> Result<(), WebError> {
    let now = crate::auth::now_ms();
    let mut changes = schedule_changes(&tender.tender.schedule, &schedule);
    if changes.is_empty() {
        return Err(unprocessable("日程が変わっていません。"));
    }
    if !note.trim().is_empty() {
        changes = format!("{changes}\n\n{}", note.trim());
    }
    let mails = mail_companies(
        state,
        taking_part(state, case.id).await?,
        event_mail(
            state,
            case,
            CaseEvent::TenderAmended { changes },
            &case_path(case.id),
        ),
    )
    .await?;
    state
        .store
        .tender_action_mailing(
            case.id,
            Action::Amend(schedule),
            &staff_actor(viewer)?,
            &mails,
            now,
        )
        .await
        .map_err(refused)?;
    state.cases_written();
    state.mail_queued();
    Ok(())
}

/// 中止: every company taking part is told; no bid is ever opened.
pub async fn cancel(state: &AppState, viewer: &Viewer, case: &Case) -> Result<(), WebError> {
    let now = crate::auth::now_ms();
    let mails = mail_companies(
        state,
        taking_part(state, case.id).await?,
        event_mail(state, case, CaseEvent::TenderCancelled, &case_path(case.id)),
    )
    .await?;
    state
        .store
        .tender_action_mailing(case.id, Action::Cancel, &staff_actor(viewer)?, &mails, now)
        .await
        .map_err(refused)?;
    state.cases_written();
    state.mail_queued();
    Ok(())
}

/// 資格審査: admit (`reason` None) or refuse with a reason; or 指名.
pub async fn decide(
    state: &AppState,
    viewer: &Viewer,
    case: &Case,
    tender: &TenderRecord,
    company_id: i64,
    status: Participation,
    reason: Option<&str>,
) -> Result<(), WebError> {
    let now = crate::auth::now_ms();
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > 2_000) {
        return Err(unprocessable("理由は2,000文字以内で入力してください。"));
    }
    let opens = crate::present::when(tender.tender.schedule.bidding_opens_at);
    let event = match status {
        Participation::Rejected => CaseEvent::TenderRejected {
            reason: reason.unwrap_or_default().to_owned(),
        },
        // `Applied` is no decision: the store refuses it, and the mail with it.
        Participation::Approved | Participation::Nominated | Participation::Applied => {
            CaseEvent::TenderAdmitted {
                nominated: status == Participation::Nominated,
                bidding_opens: opens,
            }
        }
    };
    let path = if status == Participation::Rejected {
        case_path(case.id)
    } else {
        format!("/cases/{}/bid", case.id)
    };
    let mails = mail_companies(state, [company_id], event_mail(state, case, event, &path)).await?;
    state
        .store
        .decide_participation(
            case.id,
            company_id,
            status,
            reason,
            &staff_actor(viewer)?,
            &mails,
            now,
        )
        .await
        .map_err(refused)?;
    state.mail_queued();
    Ok(())
}

/// 指名: a receiving company named by its 法人番号.
pub async fn nominate(
    state: &AppState,
    viewer: &Viewer,
    case: &Case,
    tender: &TenderRecord,
    corporate_number: &str,
) -> Result<(), WebError> {
    let number =
        domain::CorporateNumber::parse(corporate_number).map_err(|e| unprocessable(e.message()))?;
    let company = match state
        .store
        .company_id_by_corporate_number(&number.as_string())
        .await?
    {
        Some(id) => state.store.company(id).await?,
        None => None,
    };
    let Some(company) = company.filter(|c| c.receives && c.status.may_sign_in()) else {
        return Err(unprocessable(
            "この法人番号の受注企業は、ポータルに登録されていません。",
        ));
    };
    decide(
        state,
        viewer,
        case,
        tender,
        company.id,
        Participation::Nominated,
        None,
    )
    .await
}

/// 技術点 for 総合評価.
pub async fn score(
    state: &AppState,
    viewer: &Viewer,
    case: &Case,
    company_id: i64,
    score: i64,
) -> Result<(), WebError> {
    let now = crate::auth::now_ms();
    state
        .store
        .set_technical_score(case.id, company_id, score, &staff_actor(viewer)?, now)
        .await
        .map_err(refused)
}

/// 回答: published with the question (never who asked); every company
/// taking part, and the one that asked, is told.
pub async fn answer(
    state: &AppState,
    viewer: &Viewer,
    case: &Case,
    question_id: i64,
    text: &str,
) -> Result<(), WebError> {
    let now = crate::auth::now_ms();
    let text = text.trim();
    if text.is_empty() {
        return Err(unprocessable("回答を入力してください。"));
    }
    if text.chars().count() > 4_000 {
        return Err(unprocessable("回答は4,000文字以内で入力してください。"));
    }
    let question = state
        .store
        .questions(case.id)
        .await?
        .into_iter()
        .find(|q| q.id == question_id)
        .ok_or_else(WebError::not_found)?;
    let mut companies = taking_part(state, case.id).await?;
    if !companies.contains(&question.company_id) {
        companies.push(question.company_id);
    }
    let mails = mail_companies(
        state,
        companies,
        event_mail(
            state,
            case,
            CaseEvent::TenderAnswered {
                question: question.question.clone(),
                answer: text.to_owned(),
            },
            &format!("/cases/{}#questions", case.id),
        ),
    )
    .await?;
    state
        .store
        .answer_question(
            case.id,
            question_id,
            text,
            &staff_actor(viewer)?,
            &mails,
            now,
        )
        .await
        .map_err(refused)?;
    state.mail_queued();
    Ok(())
}

/// 開札, at or after the opening time, with the server's key.
pub async fn open(
    state: &AppState,
    viewer: &Viewer,
    case: &Case,
) -> Result<store::OpeningRecord, WebError> {
    let now = crate::auth::now_ms();
    let kek = state.kek.as_ref().ok_or_else(|| {
        WebError::new(
            ErrorKind::Unavailable,
            "このサーバーには鍵暗号化鍵（KEK）が設定されていないため、開札できません。運用・保守者に連絡してください。",
        )
    })?;
    let record = etender::open(&state.store, kek, case.id, &staff_actor(viewer)?, now)
        .await
        .map_err(|e| match e {
            etender::TenderError::Refused(m) => unprocessable(m),
            etender::TenderError::Store(s) => refused(s),
            etender::TenderError::Seal(e) => WebError::internal(e),
        })?;
    state.cases_written();
    Ok(record)
}

/// 落札決定 (the opening's winner) or 不調; every bidder is told.
pub async fn award(
    state: &AppState,
    viewer: &Viewer,
    case: &Case,
    award: bool,
) -> Result<(), WebError> {
    let now = crate::auth::now_ms();
    let opening = state
        .store
        .opening(case.id)
        .await?
        .ok_or_else(|| unprocessable("開札の後に落札者を決定してください。"))?;
    if award && opening.winner_bid.is_none() {
        return Err(unprocessable(
            "有効な入札がないため、落札者を決定できません。不調としてください。",
        ));
    }
    let bids = state.store.sealed_bids(case.id).await?;
    let winner = opening
        .winner_bid
        .filter(|_| award)
        .and_then(|w| bids.iter().find(|b| b.id == w))
        .map(|b| b.company_id);
    let mut mails = Vec::new();
    for b in &bids {
        let outcome = if !award {
            TenderOutcome::Unsuccessful
        } else if Some(b.company_id) == winner {
            TenderOutcome::Won
        } else {
            TenderOutcome::Lost
        };
        mails.extend(
            mail_companies(
                state,
                [b.company_id],
                event_mail(
                    state,
                    case,
                    CaseEvent::TenderResult { outcome },
                    &case_path(case.id),
                ),
            )
            .await?,
        );
    }
    let action = if award {
        Action::Award
    } else {
        Action::DeclareUnsuccessful
    };
    state
        .store
        .tender_action_mailing(case.id, action, &staff_actor(viewer)?, &mails, now)
        .await
        .map_err(refused)?;
    state.cases_written();
    state.mail_queued();
    Ok(())
}

/// 参加希望申請 by the viewer's company; staff and the company are mailed.
pub async fn apply(
    state: &AppState,
    viewer: &Viewer,
    case: &Case,
    tender: &TenderRecord,
    grade: Option<&str>,
    message: &str,
    files: &[store::NewFile],
) -> Result<(), WebError> {
    let now = crate::auth::now_ms();
    let (user, company_id, actor) = bidder(viewer)?;
    if !tender.requirements.grades.is_empty()
        && !grade.is_some_and(|g| domain::tender::GRADES.contains(&g))
    {
        return Err(unprocessable("参加資格等級を選んでください。"));
    }
    if message.chars().count() > 4_000 {
        return Err(unprocessable("連絡事項は4,000文字以内で入力してください。"));
    }
    let company = state
        .store
        .company(company_id)
        .await?
        .ok_or_else(WebError::not_found)?;
    let mut mails = mail_staff(
        state,
        case,
        event_mail(
            state,
            case,
            CaseEvent::TenderApplication {
                company: company.name.clone(),
            },
            &manage_path(case.id),
        ),
    )
    .await?;
    mails.extend(
        mail_companies(
            state,
            [company_id],
            event_mail(state, case, CaseEvent::TenderApplied, &case_path(case.id)),
        )
        .await?,
    );
    state
        .store
        .apply_to_tender(
            &store::Application {
                case_id: case.id,
                company_id,
                user_id: Some(user.id),
                grade,
                message: message.trim(),
                files,
            },
            &actor,
            &mails,
            now,
        )
        .await
        .map_err(refused)?;
    state.mail_queued();
    Ok(())
}

/// 質問: recorded (who asked is for staff only) and staff are mailed.
pub async fn ask(
    state: &AppState,
    viewer: &Viewer,
    case: &Case,
    text: &str,
) -> Result<i64, WebError> {
    let now = crate::auth::now_ms();
    let (_, company_id, actor) = bidder(viewer)?;
    let text = text.trim();
    if text.is_empty() {
        return Err(unprocessable("質問を入力してください。"));
    }
    if text.chars().count() > 4_000 {
        return Err(unprocessable("質問は4,000文字以内で入力してください。"));
    }
    let mails = mail_staff(
        state,
        case,
        event_mail(
            state,
            case,
            CaseEvent::TenderQuestion {
                question: text.to_owned(),
            },
            &manage_path(case.id),
        ),
    )
    .await?;
    let id = state
        .store
        .ask_question(case.id, company_id, text, &actor, &mails, now)
        .await
        .map_err(refused)?;
    state.mail_queued();
    Ok(id)
}

/// The receipt mail (受付票) to the user who bid or declined: receipt
/// number, time and hash, never the amount.
fn receipt_mail(
    state: &AppState,
    case: &Case,
    user: &User,
) -> impl Fn(&store::Receipt) -> Vec<NewMail> + use<> {
    let composer = mail::Composer::new(&state.settings.public_url);
    let (to, name) = (user.email.clone(), user.name.clone());
    let reachable = user.active && user.email_confirmed;
    let (case_id, title) = (case.id, case.fields.title.clone());
    move |r| {
        if !reachable {
            return Vec::new();
        }
        let received_at = domain::time::jst_datetime_ms(r.received_at);
        vec![composer.bid_receipt(
            &to,
            &name,
            &mail::BidReceipt {
                case_id,
                case_title: &title,
                receipt_no: &r.receipt_no,
                received_at: &received_at,
                sealed_hash: &r.sealed_hash,
                declined: r.declined,
            },
        )]
    }
}

/// 入札: sealed to the tender's key and stored with its receipt by the
/// server's clock now, for the page and the API alike; the bidding user is
/// mailed the receipt in the same transaction.
pub async fn bid(
    state: &AppState,
    viewer: &Viewer,
    case: &Case,
    content: &etender::BidContent,
) -> Result<store::Receipt, WebError> {
    let now = crate::auth::now_ms();
    let (user, company_id, actor) = bidder(viewer)?;
    let receipt = etender::submit_mailing(
        &state.store,
        case.id,
        company_id,
        Some(user.id),
        content,
        &actor,
        receipt_mail(state, case, &user),
        now,
    )
    .await
    .map_err(|e| match e {
        etender::TenderError::Refused(m) => unprocessable(m),
        etender::TenderError::Store(s) => refused(s),
        etender::TenderError::Seal(e) => WebError::internal(e),
    })?;
    state.mail_queued();
    Ok(receipt)
}

/// 辞退, with the receipt mailed as for a bid.
pub async fn decline(
    state: &AppState,
    viewer: &Viewer,
    case: &Case,
) -> Result<store::Receipt, WebError> {
    let now = crate::auth::now_ms();
    let (user, company_id, actor) = bidder(viewer)?;
    let receipt = state
        .store
        .submit_bid_mailing(
            case.id,
            company_id,
            Some(user.id),
            None,
            &actor,
            receipt_mail(state, case, &user),
            now,
        )
        .await
        .map_err(refused)?;
    state.mail_queued();
    Ok(receipt)
}
