//! 受注エントリー: a receiving company enters a case with a message and
//! files; both companies then talk in the entry's thread, and the ordering
//! company chooses its partner there.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::{CaseStatus, EntryStatus};
use mail::CaseEvent;
use serde::Deserialize;
use store::{Case, Company, Entry, EntryMessage, NewMessage, StoreError, User};

use super::{id_of, own_company};
use crate::auth::Viewer;
use crate::forms::{Errors, Field, FieldSet, FormData, Kind, checked_files};
use crate::layout::Layout;
use crate::mailing::mail_company;
use crate::pages::{FormPage, MessagePage, render};
use crate::present::when;
use crate::{AppState, WebError};

/// The longest message (characters).
const MAX_MESSAGE: usize = 5_000;

fn message_fields(state: &AppState, body: &str, label: &str, hint: &str) -> Vec<FieldSet> {
    vec![FieldSet::new(
        None,
        vec![
            Field::new("body", label, Kind::TextArea)
                .required()
                .hint(hint)
                .value(body),
            Field::new("files", "ファイルを添付する", Kind::Files)
                .hint(format!(
                    "任意。{}個まで、1ファイル{}MBまで（送信する合計も{}MBまで）。添付できる形式：{}",
                    domain::upload::MAX_FILES,
                    domain::upload::MAX_FILE_BYTES / 1024 / 1024,
                    state.settings.max_body_bytes / 1024 / 1024,
                    domain::upload::accepted_extensions()
                ))
                .value(domain::upload::accept_attribute()),
        ],
    )]
}

/// A public case that takes entries, or 404.
async fn enterable(state: &AppState, id: &str) -> Result<Case, WebError> {
    let case = state
        .store
        .case(id_of(id)?)
        .await?
        .ok_or_else(WebError::not_found)?;
    if !case.fields.kind.takes_entries() || !case.fields.status.is_public() {
        return Err(WebError::not_found());
    }
    Ok(case)
}

/// Why the company cannot enter, if it cannot; with where to go instead.
async fn refusal(
    state: &AppState,
    company: &Company,
    case: &Case,
) -> Result<Option<(&'static str, String)>, WebError> {
    if case.fields.company_id == Some(company.id) {
        return Ok(Some((
            "自社が登録した案件にはエントリーできません。",
            format!("/mypage/orders/{}", case.id),
        )));
    }
    if let Some(e) = state.store.entry_of(case.id, company.id).await? {
        return Ok(Some((
            "貴社はこの案件にエントリー済みです。発注企業とのやり取りは、エントリーのページで続けられます。",
            format!("/mypage/entries/{}", e.id),
        )));
    }
    if !store::accepts_entries(&case.fields, crate::auth::now_ms()) {
        return Ok(Some((
            "この案件のエントリーの受付は終了しました。",
            format!("/cases/{}", case.id),
        )));
    }
    Ok(None)
}

fn refused(viewer: &Viewer, why: &str, link: String) -> Result<Response, WebError> {
    // The link is named for where it leads.
    let label = if link.starts_with("/mypage/entries/") {
        "エントリーのページを開く"
    } else if link.starts_with("/mypage/orders/") {
        "自社の案件のページを開く"
    } else {
        "案件のページに戻る"
    };
    MessagePage::new(Layout::for_viewer("エントリーできません", viewer), &[why])
        .link(link, label)
        .link("/cases", "案件を探す")
        .respond(StatusCode::CONFLICT)
}

fn entry_page(
    state: &AppState,
    viewer: &Viewer,
    case: &Case,
    body: &str,
    errors: &Errors,
) -> Result<Response, WebError> {
    let mut page = FormPage::new(
        Layout::for_viewer(format!("エントリー：{}", case.fields.title), viewer),
        format!("/cases/{}/entry", case.id),
        viewer.csrf_token(),
        message_fields(
            state,
            body,
            "発注企業へのメッセージ",
            "自社の強み、実績、対応できる時期や概算の費用など（5,000文字以内）。会社案内や見積書を添付できます。",
        ),
        "エントリーする",
    )
    .intro(format!(
        "「{}」（{}）にエントリーします。送信すると、発注企業にメールでお知らせします。",
        case.fields.title, case.fields.organization_name
    ))
    .link(format!("/cases/{}", case.id), "案件のページに戻る");
    if !errors.is_empty() {
        page = page.with_errors(errors);
    }
    page.respond()
}

pub async fn entry_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (_, company) = own_company(&state, &viewer).await?;
    let case = enterable(&state, &id).await?;
    if let Some((why, link)) = refusal(&state, &company, &case).await? {
        return refused(&viewer, why, link);
    }
    entry_page(&state, &viewer, &case, "", &Errors::default())
}

/// Reads a message and its files; errors go beside their fields.
fn read_message(form: &FormData, errors: &mut Errors) -> (String, Vec<store::NewFile>) {
    let body = domain::text::tidy_lines(form.get("body"));
    if body.is_empty() {
        errors.add("body", "メッセージを入力してください。");
    } else if body.chars().count() > MAX_MESSAGE {
        errors.add(
            "body",
            format!("メッセージは{MAX_MESSAGE}文字以内で入力してください。"),
        );
    }
    let files = checked_files(errors, form, "files");
    if !errors.is_empty() && !form.files("files").is_empty() && errors.get("files").is_none() {
        errors.add(
            "files",
            "入力内容に誤りがあったため、添付ファイルは送信していません。もう一度選択してください。",
        );
    }
    (body, files)
}

pub async fn enter(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let (user, company) = own_company(&state, &viewer).await?;
    let case = enterable(&state, &id).await?;
    if let Some((why, link)) = refusal(&state, &company, &case).await? {
        return refused(&viewer, why, link);
    }
    let mut errors = Errors::default();
    let (body, files) = read_message(&form, &mut errors);
    if !errors.is_empty() {
        return entry_page(&state, &viewer, &case, form.get("body"), &errors);
    }
    let title = &case.fields.title;
    // The entry's id is known only after it is written; the mails link to
    // pages that list entries instead.
    let mut mails = Vec::new();
    if let Some(orderer) = case.fields.company_id {
        let event = CaseEvent::EntryReceived {
            company: company.name.clone(),
            message: body.clone(),
        };
        let path = format!("/mypage/orders/{}", case.id);
        mails.extend(
            mail_company(&state, orderer, |to, name| {
                state.mail.case_event(to, name, title, &event, &path)
            })
            .await?,
        );
    }
    mails.extend(
        mail_company(&state, company.id, |to, name| {
            state
                .mail
                .case_event(to, name, title, &CaseEvent::EntrySent, "/mypage/entries")
        })
        .await?,
    );
    let first = NewMessage {
        from_orderer: false,
        user_id: user.id,
        author_name: &user.name,
        body: &body,
        files: &files,
    };
    let now = crate::auth::now_ms();
    match state
        .store
        .create_entry(case.id, company.id, &first, &mails, now)
        .await
    {
        Ok(entry) => {
            state.mail_queued();
            Ok(Redirect::to(&format!("/mypage/entries/{entry}?done=entered")).into_response())
        }
        Err(StoreError::Stale | StoreError::Conflict { .. }) => {
            match refusal(&state, &company, &case).await? {
                Some((why, link)) => refused(&viewer, why, link),
                None => refused(
                    &viewer,
                    "この案件のエントリーの受付は終了しました。",
                    format!("/cases/{}", case.id),
                ),
            }
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "entries.html")]
struct ListPage {
    layout: Layout,
    entries: Vec<EntryRow>,
}

/// One of the company's entries, with its two times shown in JST.
struct EntryRow {
    entry: Entry,
    entered: String,
    last_message: String,
}

pub async fn list(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    let (_, company) = own_company(&state, &viewer).await?;
    let entries = state
        .store
        .entries_of_company(company.id)
        .await?
        .into_iter()
        .map(|e| EntryRow {
            entered: when(e.created_at),
            last_message: when(e.last_message_at),
            entry: e,
        })
        .collect();
    render(
        &ListPage {
            layout: Layout::for_viewer("エントリーした案件", &viewer),
            entries,
        },
        StatusCode::OK,
    )
}

/// Which side of an entry the viewer's company is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    Orderer,
    Entrant,
}

/// The entry and the viewer's side, or 404 for anyone else.
async fn entry_for(
    state: &AppState,
    company: &Company,
    id: &str,
) -> Result<(Entry, Side), WebError> {
    let entry = state
        .store
        .entry(id_of(id)?)
        .await?
        .ok_or_else(WebError::not_found)?;
    let side = if entry.case_company_id == Some(company.id) {
        Side::Orderer
    } else if entry.company_id == company.id {
        Side::Entrant
    } else {
        return Err(WebError::not_found());
    };
    Ok((entry, side))
}

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

struct ShownMessage {
    mine: bool,
    who: String,
    at: String,
    message: EntryMessage,
}

#[derive(Template)]
#[template(path = "entry.html")]
struct ThreadPage {
    layout: Layout,
    notice: Option<&'static str>,
    entry: Entry,
    orderer: bool,
    other_party: String,
    case_status: CaseStatus,
    messages: Vec<ShownMessage>,
    may_choose: bool,
    csrf: String,
    form_summary: Vec<(String, String)>,
    sets: Vec<FieldSet>,
}

async fn thread_page(
    state: &AppState,
    viewer: &Viewer,
    company: &Company,
    (entry, side): (Entry, Side),
    notice: Option<&'static str>,
    body: &str,
    errors: &Errors,
) -> Result<Response, WebError> {
    let case = state
        .store
        .case(entry.case_id)
        .await?
        .ok_or_else(WebError::not_found)?;
    let orderer = side == Side::Orderer;
    let other_party = if orderer {
        entry.company_name.clone()
    } else {
        case.fields.organization_name.clone()
    };
    let messages = state
        .store
        .entry_messages(entry.id)
        .await?
        .into_iter()
        .map(|m| ShownMessage {
            mine: m.from_orderer == orderer,
            who: format!(
                "{}（{}）",
                if m.from_orderer == orderer {
                    &company.name
                } else {
                    &other_party
                },
                m.author_name
            ),
            at: when(m.created_at),
            message: m,
        })
        .collect();
    let mut sets = message_fields(
        state,
        body,
        "返信",
        "5,000文字以内。送信すると、相手の企業にメールでお知らせします。",
    );
    let form_summary = errors.apply(&mut sets);
    let may_choose = orderer
        && entry.status == EntryStatus::Submitted
        && matches!(case.fields.status, CaseStatus::Open | CaseStatus::Closed);
    let page = ThreadPage {
        layout: Layout::for_viewer(format!("エントリー：{}", entry.case_title), viewer),
        notice,
        orderer,
        other_party,
        case_status: case.fields.status,
        messages,
        may_choose,
        csrf: viewer.csrf_token().to_owned(),
        form_summary,
        sets,
        entry,
    };
    render(&page, crate::pages::status_for(!errors.is_empty()))
}

pub async fn thread(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    let (_, company) = own_company(&state, &viewer).await?;
    let (entry, side) = entry_for(&state, &company, &id).await?;
    let notice = match q.done.as_deref() {
        Some("entered") => Some("エントリーしました。発注企業にメールでお知らせしました。"),
        Some("sent") => Some("メッセージを送信しました。"),
        Some("chosen") => Some(
            "この企業を取引先に選定しました。エントリーしたすべての企業にメールでお知らせしました。",
        ),
        _ => None,
    };
    thread_page(
        &state,
        &viewer,
        &company,
        (entry, side),
        notice,
        "",
        &Errors::default(),
    )
    .await
}

/// The users of the other side get a mail about `event`.
pub(super) async fn mail_other_side(
    state: &AppState,
    entry: &Entry,
    side: Side,
    event: &CaseEvent,
) -> Result<Vec<store::NewMail>, WebError> {
    let other = match side {
        Side::Orderer => Some(entry.company_id),
        Side::Entrant => entry.case_company_id,
    };
    let Some(other) = other else {
        return Ok(Vec::new());
    };
    let path = format!("/mypage/entries/{}", entry.id);
    mail_company(state, other, |to, name| {
        state
            .mail
            .case_event(to, name, &entry.case_title, event, &path)
    })
    .await
}

pub async fn reply(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let (user, company) = own_company(&state, &viewer).await?;
    let (entry, side) = entry_for(&state, &company, &id).await?;
    let mut errors = Errors::default();
    let (body, files) = read_message(&form, &mut errors);
    if !errors.is_empty() {
        let typed = form.get("body").to_owned();
        return thread_page(
            &state,
            &viewer,
            &company,
            (entry, side),
            None,
            &typed,
            &errors,
        )
        .await;
    }
    let mails = mail_other_side(
        &state,
        &entry,
        side,
        &CaseEvent::Message {
            from: company.name.clone(),
            message: body.clone(),
        },
    )
    .await?;
    state
        .store
        .post_entry_message(
            entry.id,
            &NewMessage {
                from_orderer: side == Side::Orderer,
                user_id: user.id,
                author_name: &user.name,
                body: &body,
                files: &files,
            },
            &mails,
            crate::auth::now_ms(),
        )
        .await?;
    state.mail_queued();
    Ok(Redirect::to(&format!("/mypage/entries/{}?done=sent", entry.id)).into_response())
}

pub async fn choose(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let (user, company) = own_company(&state, &viewer).await?;
    let (entry, side) = entry_for(&state, &company, &id).await?;
    if side != Side::Orderer {
        return Err(WebError::not_found());
    }
    if !crate::confirm::confirmed(&form) {
        return crate::confirm::ConfirmPage::new(
            Layout::for_viewer("取引先に選定してよろしいですか", &viewer),
            format!("/mypage/entries/{}/choose", entry.id),
            viewer.csrf_token(),
            "取引先に選定する",
        )
        .lead(format!(
            "{} をこの案件の取引先に選定します。選定した企業と、エントリーしたほかの企業にメールでお知らせします。",
            entry.company_name
        ))
        .fact("案件名", entry.case_title.clone())
        .fact("選定する企業", entry.company_name.clone())
        .warning("選定は取り消せません。選定すると募集は終わり、ほかの企業は選定できません。")
        .cancel(format!("/mypage/entries/{}", entry.id), "選定せずにやり取りに戻る")
        .respond();
    }
    let mut mails = Vec::new();
    for other in state.store.entries_for_case(entry.case_id).await? {
        let event = if other.id == entry.id {
            CaseEvent::Chosen {
                company: company.name.clone(),
            }
        } else {
            CaseEvent::NotChosen {
                company: company.name.clone(),
            }
        };
        mails.extend(mail_other_side(&state, &other, Side::Orderer, &event).await?);
    }
    mails.extend(mails_to_user(
        &state,
        &user,
        &entry,
        &CaseEvent::ChoiceMade {
            company: entry.company_name.clone(),
        },
    ));
    match state
        .store
        .choose_entry(entry.case_id, entry.id, &mails, crate::auth::now_ms())
        .await
    {
        Ok(()) => {}
        Err(StoreError::Stale) => {
            return MessagePage::new(
                Layout::for_viewer("取引先は選定済みです", &viewer),
                &["この案件の取引先は既に選定されているか、案件が終了しています。"],
            )
            .link(
                format!("/mypage/orders/{}", entry.case_id),
                "案件のページに戻る",
            )
            .respond(StatusCode::CONFLICT);
        }
        Err(e) => return Err(e.into()),
    }
    state.cases_written();
    state.mail_queued();
    Ok(Redirect::to(&format!("/mypage/orders/{}?done=chosen", entry.case_id)).into_response())
}

/// The user who acted gets a confirmation.
fn mails_to_user(
    state: &AppState,
    user: &User,
    entry: &Entry,
    event: &CaseEvent,
) -> Option<store::NewMail> {
    user.email_confirmed.then(|| {
        state.mail.case_event(
            &user.email,
            &user.name,
            &entry.case_title,
            event,
            &format!("/mypage/orders/{}", entry.case_id),
        )
    })
}
