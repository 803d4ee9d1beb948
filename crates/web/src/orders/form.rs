//! The ordering company's side: its cases, the form to draft and correct
//! one, and submitting it for review.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::{CaseKind, CaseStatus, Category, Procedure, StaffRole};
use mail::CaseEvent;
use serde::Deserialize;
use store::{Case, Company, Entry, FileMeta, NewCase, SaveOrder, StoreError, User};

use super::{id_of, own_company};
use crate::auth::Viewer;
use crate::forms::{
    Errors, Field, FieldSet, FormData, Kind, checked_files, optional_datetime, optional_text,
    options, required_lines, required_text,
};
use crate::layout::Layout;
use crate::pages::{FormPage, MessagePage, render};
use crate::present::when;
use crate::{AppState, WebError};

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

fn notice(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "draft" => Some("下書きを保存しました。内容を確かめてから、審査に提出してください。"),
        "submitted" => Some(
            "審査に提出しました。運営事務局が確認し、公開または修正のお願いをメールでお知らせします。",
        ),
        "cancelled" => {
            Some("募集を中止しました。エントリーしていた企業にはメールでお知らせしました。")
        }
        "chosen" => Some(
            "取引先の選定を記録しました。エントリーしたすべての企業にメールでお知らせしました。",
        ),
        _ => None,
    }
}

#[derive(Template)]
#[template(path = "orders.html")]
struct ListPage {
    layout: Layout,
    orders: Vec<OrderRow>,
}

/// One of the company's own cases in its list.
struct OrderRow {
    id: i64,
    title: String,
    kind: &'static str,
    status: &'static str,
    /// How many entries it has received.
    entries: i64,
    updated: String,
}

pub async fn list(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    let (_, company) = own_company(&state, &viewer).await?;
    let orders = state
        .store
        .orders_of_company(company.id)
        .await?
        .into_iter()
        .map(|(c, entries)| OrderRow {
            id: c.id,
            title: c.fields.title,
            kind: c.fields.kind.label(),
            status: c.fields.status.label(),
            entries,
            updated: domain::time::jst_datetime(c.updated_at),
        })
        .collect();
    render(
        &ListPage {
            layout: Layout::for_viewer("登録した案件", &viewer),
            orders,
        },
        StatusCode::OK,
    )
}

/// The case as the form shows it: typed values or the stored ones.
struct Values {
    kind: String,
    title: String,
    description: String,
    category: String,
    procedure: String,
    prefecture: String,
    municipality: String,
    conditions: String,
    application_deadline: String,
    submission_deadline: String,
}

impl Values {
    fn blank(company: &Company) -> Values {
        Values {
            kind: CaseKind::PrivateOrder.as_str().into(),
            title: String::new(),
            description: String::new(),
            category: String::new(),
            procedure: Procedure::QuotationComparison.as_str().into(),
            prefecture: company.prefecture_code.to_string(),
            municipality: String::new(),
            conditions: String::new(),
            application_deadline: String::new(),
            submission_deadline: String::new(),
        }
    }

    fn of(c: &NewCase) -> Values {
        let input = |ms: Option<i64>| ms.map(domain::time::jst_input_value).unwrap_or_default();
        Values {
            kind: c.kind.as_str().into(),
            title: c.title.clone(),
            description: c.description.clone(),
            category: c.category.as_str().into(),
            procedure: c.procedure.as_str().into(),
            prefecture: c.prefecture_code.map(|p| p.to_string()).unwrap_or_default(),
            municipality: c.municipality_name.clone().unwrap_or_default(),
            conditions: c.qualification_grade.clone().unwrap_or_default(),
            application_deadline: input(c.application_deadline),
            submission_deadline: input(c.submission_deadline),
        }
    }

    fn typed(form: &FormData) -> Values {
        Values {
            kind: form.get("kind").into(),
            title: form.get("title").into(),
            description: form.get("description").into(),
            category: form.get("category").into(),
            procedure: form.get("procedure").into(),
            prefecture: form.get("prefecture").into(),
            municipality: form.get("municipality").into(),
            conditions: form.get("conditions").into(),
            application_deadline: form.get("application_deadline").into(),
            submission_deadline: form.get("submission_deadline").into(),
        }
    }
}

async fn field_sets(
    state: &AppState,
    v: Values,
    documents: &[FileMeta],
    removed: &[String],
) -> Result<Vec<FieldSet>, WebError> {
    let kinds = options(&[CaseKind::PrivateOrder, CaseKind::TechnicalNeed], |k| {
        (k.as_str(), k.label())
    });
    let prefectures = state
        .store
        .prefectures()
        .await?
        .into_iter()
        .map(|(c, n)| (c.to_string(), n))
        .collect();
    let mut sets = vec![
        FieldSet::new(
            Some("案件の内容"),
            vec![
                Field::new("kind", "案件の種類", Kind::Radios(kinds))
                    .required()
                    .hint("発注したい業務・製品は「民間発注案件」、技術の提供や共同開発の相手を探すときは「技術ニーズ」を選んでください。")
                    .value(v.kind),
                Field::new("title", "件名", Kind::Text)
                    .required()
                    .hint("200文字以内。例：工場内空調設備の定期点検")
                    .value(v.title),
                Field::new("description", "内容", Kind::TextArea)
                    .required()
                    .hint("依頼したい内容、数量、納期、履行場所などを具体的に書いてください（20,000文字以内）。")
                    .value(v.description),
                Field::new("category", "種別", Kind::Select(options(Category::ALL, |c| (c.as_str(), c.label()))))
                    .required()
                    .value(v.category),
                Field::new("procedure", "契約方式", Kind::Select(options(Procedure::ALL, |p| (p.as_str(), p.label()))))
                    .required()
                    .hint("複数の企業から見積書を集めて選ぶ場合は「見積合わせ」です。")
                    .value(v.procedure),
                Field::new("conditions", "参加の条件", Kind::Text)
                    .hint("任意。資格、実績、対応地域など（200文字以内）")
                    .value(v.conditions),
            ],
        ),
        FieldSet::new(
            Some("地域"),
            vec![
                Field::new("prefecture", "都道府県", Kind::Select(prefectures)).value(v.prefecture),
                Field::new("municipality", "市区町村", Kind::Text)
                    .hint("任意。例：港区")
                    .value(v.municipality),
            ],
        ),
        FieldSet::new(
            Some("日程（日本時間）"),
            vec![
                Field::new("application_deadline", "エントリーの締切", Kind::DateTime)
                    .required()
                    .hint("例：2026-12-01 17:00。この日時を過ぎるとエントリーを受け付けません。")
                    .value(v.application_deadline),
                Field::new("submission_deadline", "見積書等の提出期限", Kind::DateTime)
                    .hint("任意。エントリーの締切より後の日時")
                    .value(v.submission_deadline),
            ],
        ),
    ];
    let files = crate::forms::document_fields(
        documents,
        removed.to_vec(),
        "資料を添付する",
        "任意。仕様書や図面など",
        state.settings.max_body_bytes,
    );
    sets.push(FieldSet::new(Some("資料"), files));
    Ok(sets)
}

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    case: Option<&Case>,
    values: Values,
    removed: &[String],
    errors: &Errors,
) -> Result<Response, WebError> {
    let documents = match case {
        Some(c) => state.store.case_files(c.id).await?,
        None => Vec::new(),
    };
    let sets = field_sets(state, values, &documents, removed).await?;
    let (title, action) = match case {
        Some(c) => ("案件の編集", format!("/mypage/orders/{}", c.id)),
        None => ("案件の登録", "/mypage/orders".to_owned()),
    };
    let mut page = FormPage::new(
        Layout::for_viewer(title, viewer),
        action,
        viewer.csrf_token(),
        sets,
        "",
    )
    .intro("登録した案件は、運営事務局の審査を経て公開されます。審査に提出するまでは、何度でも下書きとして保存できます。")
    // The first button is the one Enter submits: saving a draft, never
    // sending the case to review by accident.
    .button("draft", "下書きとして保存する", true)
    .button("submit", "審査に提出する", false)
    .link("/mypage/orders", "登録した案件の一覧に戻る");
    if !errors.is_empty() {
        page = page.with_errors(errors);
    }
    page.respond()
}

pub async fn new_form(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    let (_, company) = own_company(&state, &viewer).await?;
    form_page(
        &state,
        &viewer,
        None,
        Values::blank(&company),
        &[],
        &Errors::default(),
    )
    .await
}

/// The company's own case, or 404 (another company's case is not there for it).
async fn own_case(state: &AppState, company: &Company, id: &str) -> Result<Case, WebError> {
    let case = state
        .store
        .case(id_of(id)?)
        .await?
        .ok_or_else(WebError::not_found)?;
    if case.fields.company_id != Some(company.id) || !case.fields.kind.takes_entries() {
        return Err(WebError::not_found());
    }
    Ok(case)
}

pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (_, company) = own_company(&state, &viewer).await?;
    let case = own_case(&state, &company, &id).await?;
    if !case.fields.status.is_editable() {
        return not_editable(&viewer, case.id);
    }
    let values = Values::of(&case.fields);
    form_page(
        &state,
        &viewer,
        Some(&case),
        values,
        &[],
        &Errors::default(),
    )
    .await
}

fn not_editable(viewer: &Viewer, id: i64) -> Result<Response, WebError> {
    MessagePage::new(
        Layout::for_viewer("この案件は編集できません", viewer),
        &["審査中または公開済みの案件は編集できません。審査中の案件を直したいときは、運営事務局にご連絡ください。"],
    )
    .link(format!("/mypage/orders/{id}"), "案件のページに戻る")
    .respond(StatusCode::CONFLICT)
}

/// Reads the form into a case; errors go beside their fields.
fn parse(form: &FormData, submit: bool, now: i64, errors: &mut Errors) -> Option<NewCase> {
    let kind = match CaseKind::parse(form.get("kind")) {
        Ok(k) if k.takes_entries() => Some(k),
        _ => {
            errors.add("kind", "案件の種類を選んでください。");
            None
        }
    };
    let title = required_text(errors, form, "title", "件名", 200);
    let description = required_lines(errors, form, "description", "内容", 20_000);
    let category = Category::parse(form.get("category"))
        .map_err(|_| errors.add("category", "種別を選んでください。"))
        .ok();
    let procedure = Procedure::parse(form.get("procedure"))
        .map_err(|_| errors.add("procedure", "契約方式を選んでください。"))
        .ok();
    let prefecture = match form.get("prefecture") {
        "" => None,
        p => errors.take(
            "prefecture",
            domain::Prefecture::parse(p).map(|p| i64::from(p.code())),
        ),
    };
    let municipality = optional_text(errors, form, "municipality", "市区町村", 60);
    let conditions = optional_text(errors, form, "conditions", "参加の条件", 200);
    let application =
        optional_datetime(errors, form, "application_deadline", "エントリーの締切", 17);
    let submission = optional_datetime(
        errors,
        form,
        "submission_deadline",
        "見積書等の提出期限",
        17,
    );
    if form.get("application_deadline").trim().is_empty() {
        errors.add(
            "application_deadline",
            "エントリーの締切を入力してください。",
        );
    }
    if submit && application.is_some_and(|a| a <= now) {
        errors.add(
            "application_deadline",
            "エントリーの締切には、これから先の日時を入力してください。",
        );
    }
    if let (Some(a), Some(s)) = (application, submission)
        && s < a
    {
        errors.add(
            "submission_deadline",
            "見積書等の提出期限は、エントリーの締切より後の日時にしてください。",
        );
    }
    let some = |s: String| (!s.is_empty()).then_some(s);
    Some(NewCase {
        kind: kind?,
        title,
        description,
        category: category?,
        procedure: procedure?,
        organization_name: String::new(),
        organization_id: None,
        company_id: None,
        contract_department_id: None,
        prefecture_code: prefecture,
        municipality_code: None,
        municipality_name: some(domain::text::tidy(&municipality)),
        qualification_grade: some(domain::text::tidy(&conditions)),
        published_at: None,
        application_deadline: application,
        submission_deadline: submission,
        opening_at: None,
        period_end: None,
        day_only: domain::DayOnly::default(),
        status: CaseStatus::Draft,
        source: String::new(),
        source_key: String::new(),
        source_url: None,
        documents: Vec::new(),
        created_by: None,
    })
}

/// Saves the form as a new case (`case` None) or over an editable one.
async fn save(
    state: &AppState,
    viewer: &Viewer,
    user: &User,
    company: &Company,
    case: Option<&Case>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(viewer)?;
    // Only the deliberate second button submits; anything else (Enter in
    // an old page, a form without the button) saves a draft.
    let submit = form.get("intent") == "submit";
    let now = crate::auth::now_ms();
    let mut errors = Errors::default();
    let fields = parse(&form, submit, now, &mut errors);
    let files = checked_files(&mut errors, &form, "files");
    let documents = match case {
        Some(c) => state.store.case_files(c.id).await?,
        None => Vec::new(),
    };
    let removed = form.all("remove_file");
    let remove: Vec<i64> = documents
        .iter()
        .filter(|d| removed.contains(&d.id.to_string()))
        .map(|d| d.id)
        .collect();
    if documents.len() - remove.len() + files.len() > 20 {
        errors.add("files", "1つの案件に添付できる資料は20個までです。");
    }
    let Some(fields) = fields.filter(|_| errors.is_empty()) else {
        if !form.files("files").is_empty() {
            errors.add(
                "files",
                "入力内容に誤りがあったため、添付ファイルは保存していません。もう一度選択してください。",
            );
        }
        return form_page(state, viewer, case, Values::typed(&form), &removed, &errors).await;
    };
    let saved = state
        .store
        .save_order(
            &SaveOrder {
                case_id: case.map(|c| c.id),
                company_id: company.id,
                user_id: user.id,
                fields,
                new_files: &files,
                remove_files: &remove,
                submit,
            },
            now,
        )
        .await;
    let id = match saved {
        Ok(id) => id,
        Err(StoreError::Stale) => return not_editable(viewer, case.map_or(0, |c| c.id)),
        Err(e) => return Err(e.into()),
    };
    state.cases_written();
    if submit {
        tell_reviewers(state, company, id, form.get("title")).await?;
    }
    let done = if submit { "submitted" } else { "draft" };
    Ok(Redirect::to(&format!("/mypage/orders/{id}?done={done}")).into_response())
}

/// Tells operators and administrators that a case waits for review.
async fn tell_reviewers(
    state: &AppState,
    company: &Company,
    id: i64,
    title: &str,
) -> Result<(), WebError> {
    let now = crate::auth::now_ms();
    let event = CaseEvent::Submitted {
        company: company.name.clone(),
    };
    for u in state
        .store
        .active_staff(&[StaffRole::Operator, StaffRole::Admin])
        .await?
    {
        let mail = state.mail.case_event(
            &u.email,
            &u.name,
            &domain::text::tidy(title),
            &event,
            &format!("/admin/orders/{id}"),
        );
        state.store.enqueue_mail(&mail, now).await?;
    }
    state.mail_queued();
    Ok(())
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    form: FormData,
) -> Result<Response, WebError> {
    let (user, company) = own_company(&state, &viewer).await?;
    save(&state, &viewer, &user, &company, None, form).await
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    let (user, company) = own_company(&state, &viewer).await?;
    let case = own_case(&state, &company, &id).await?;
    if !case.fields.status.is_editable() {
        form.check_csrf(&viewer)?;
        return not_editable(&viewer, case.id);
    }
    save(&state, &viewer, &user, &company, Some(&case), form).await
}

/// Submits a draft as it is.
pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let (user, company) = own_company(&state, &viewer).await?;
    let case = own_case(&state, &company, &id).await?;
    let now = crate::auth::now_ms();
    if !case.fields.status.is_editable() {
        return not_editable(&viewer, case.id);
    }
    if case.fields.application_deadline.is_none_or(|d| d <= now) {
        return MessagePage::new(
            Layout::for_viewer("締切日時を確認してください", &viewer),
            &["エントリーの締切が過ぎているため、審査に提出できません。案件を編集して、締切をこれから先の日時にしてください。"],
        )
        .link(format!("/mypage/orders/{}/edit", case.id), "案件を編集する")
        .respond(StatusCode::UNPROCESSABLE_ENTITY);
    }
    let saved = state
        .store
        .save_order(
            &SaveOrder {
                case_id: Some(case.id),
                company_id: company.id,
                user_id: user.id,
                fields: case.fields.clone(),
                new_files: &[],
                remove_files: &[],
                submit: true,
            },
            now,
        )
        .await;
    match saved {
        Ok(_) => {}
        Err(StoreError::Stale) => return not_editable(&viewer, case.id),
        Err(e) => return Err(e.into()),
    }
    state.cases_written();
    tell_reviewers(&state, &company, case.id, &case.fields.title).await?;
    Ok(Redirect::to(&format!("/mypage/orders/{}?done=submitted", case.id)).into_response())
}

fn cannot_call_off(viewer: &Viewer, id: i64) -> Result<Response, WebError> {
    MessagePage::new(
        Layout::for_viewer("この案件は中止できません", viewer),
        &["公開中でない案件や、取引先を選定済みの案件は中止できません。"],
    )
    .link(format!("/mypage/orders/{id}"), "案件のページに戻る")
    .respond(StatusCode::CONFLICT)
}

/// The company calls off its public case (after a confirmation step);
/// entrants still waiting are told.
pub async fn cancel(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let (_, company) = own_company(&state, &viewer).await?;
    let case = own_case(&state, &company, &id).await?;
    if !case.fields.status.may_call_off() {
        return cannot_call_off(&viewer, case.id);
    }
    if !crate::confirm::confirmed(&form) {
        return crate::confirm::ConfirmPage::new(
            Layout::for_viewer("募集を中止してよろしいですか", &viewer),
            format!("/mypage/orders/{}/cancel", case.id),
            viewer.csrf_token(),
            "募集を中止する",
        )
        .lead("この案件の募集を中止します。返事を待っているエントリー企業にメールでお知らせします。")
        .fact("案件名", case.fields.title.clone())
        .warning("募集の中止は取り消せません。中止した案件にはエントリーできず、取引先も選定できません。")
        .cancel(format!("/mypage/orders/{}", case.id), "中止せずに案件のページに戻る")
        .respond();
    }
    let mut mails = Vec::new();
    let event = CaseEvent::Cancelled {
        company: company.name.clone(),
    };
    for entry in state.store.entries_for_case(case.id).await? {
        if entry.status == domain::EntryStatus::Submitted {
            mails.extend(
                super::entries::mail_other_side(
                    &state,
                    &entry,
                    super::entries::Side::Orderer,
                    &event,
                )
                .await?,
            );
        }
    }
    match state
        .store
        .cancel_order(case.id, company.id, &mails, crate::auth::now_ms())
        .await
    {
        Ok(()) => {}
        Err(StoreError::Stale) => return cannot_call_off(&viewer, case.id),
        Err(e) => return Err(e.into()),
    }
    state.cases_written();
    state.mail_queued();
    Ok(Redirect::to(&format!("/mypage/orders/{}?done=cancelled", case.id)).into_response())
}

#[derive(Template)]
#[template(path = "order.html")]
struct OrderPage {
    layout: Layout,
    notice: Option<&'static str>,
    id: i64,
    csrf: String,
    title: String,
    kind: &'static str,
    status: CaseStatus,
    comment: Option<String>,
    facts: Vec<(&'static str, String)>,
    description: String,
    documents: Vec<(String, String)>,
    entries: Vec<Entry>,
    /// (entry id, received, last message) as shown.
    entry_times: Vec<(String, String)>,
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    let (_, company) = own_company(&state, &viewer).await?;
    let case = own_case(&state, &company, &id).await?;
    let now = crate::auth::now_ms();
    let facts = crate::facts::facts_of(&state, &case.fields, now).await?;
    let comment = state.store.review_comment(case.id).await?;
    let entries = state.store.entries_for_case(case.id).await?;
    let entry_times = entries
        .iter()
        .map(|e| (when(e.created_at), when(e.last_message_at)))
        .collect();
    let f = case.fields;
    render(
        &OrderPage {
            layout: Layout::for_viewer(f.title.clone(), &viewer),
            notice: notice(q.done.as_deref()),
            id: case.id,
            csrf: viewer.csrf_token().to_owned(),
            title: f.title,
            kind: f.kind.label(),
            status: f.status,
            comment: comment.filter(|_| f.status == CaseStatus::Returned),
            facts,
            description: f.description,
            documents: f.documents,
            entries,
            entry_times,
        },
        StatusCode::OK,
    )
}
