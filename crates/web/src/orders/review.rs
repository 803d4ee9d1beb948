//! 発注企業の案件の審査: the queue of submitted cases, one case, and the
//! decision (publish, or return with a comment).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::CaseStatus;
use mail::CaseEvent;
use store::{OrderDecision, StoreError};

use super::id_of;
use crate::auth::actor;
use crate::auth::{ClientIp, Viewer};
use crate::forms::FormData;
use crate::layout::Layout;
use crate::mailing::mail_company;
use crate::pages::render;
use crate::{AppState, WebError};

/// The longest comment (characters).
const MAX_COMMENT: usize = 2_000;

#[derive(Template)]
#[template(path = "admin_orders.html")]
struct QueuePage {
    layout: Layout,
    cases: Vec<QueueRow>,
}

/// One private order waiting for review.
struct QueueRow {
    id: i64,
    title: String,
    kind: &'static str,
    /// The ordering company's name.
    company: String,
    submitted: String,
}

pub async fn queue(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<crate::pages::Done>,
) -> Result<Response, WebError> {
    let cases = state
        .store
        .orders_in_review()
        .await?
        .into_iter()
        .map(|c| QueueRow {
            id: c.id,
            title: c.fields.title,
            kind: c.fields.kind.label(),
            company: c.fields.organization_name,
            submitted: domain::time::jst_datetime(c.updated_at),
        })
        .collect();
    render(
        &QueuePage {
            layout: Layout::for_viewer("発注企業の案件の審査", &viewer).notice(q.done.as_deref()),
            cases,
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "admin_order.html")]
struct CasePage {
    layout: Layout,
    id: i64,
    title: String,
    kind: &'static str,
    status: CaseStatus,
    facts: Vec<(&'static str, String)>,
    description: String,
    documents: Vec<(String, String)>,
    csrf: String,
    comment: String,
    error: Option<String>,
    previous_comment: Option<String>,
}

async fn case_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    comment: &str,
    error: Option<String>,
) -> Result<Response, WebError> {
    let case = state
        .store
        .case(id)
        .await?
        .filter(|c| c.fields.kind.takes_entries())
        .ok_or_else(WebError::not_found)?;
    let facts = crate::facts::facts_of(state, &case.fields, crate::auth::now_ms()).await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let f = case.fields;
    render(
        &CasePage {
            layout: Layout::for_viewer(format!("審査：{}", f.title), viewer),
            id,
            title: f.title,
            kind: f.kind.label(),
            status: f.status,
            facts,
            description: f.description,
            documents: f.documents,
            csrf: viewer.csrf_token().to_owned(),
            comment: comment.to_owned(),
            error,
            previous_comment: state.store.review_comment(id).await?,
        },
        status,
    )
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    case_page(&state, &viewer, id_of(&id)?, "", None).await
}

pub async fn decide(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let id = id_of(&id)?;
    let case = state
        .store
        .case(id)
        .await?
        .filter(|c| c.fields.kind.takes_entries())
        .ok_or_else(WebError::not_found)?;
    let comment = domain::text::tidy_lines(form.get("comment"));
    let decision = match form.get("decision") {
        "approve" => OrderDecision::Approve,
        "return" => OrderDecision::Return,
        _ => {
            return case_page(
                &state,
                &viewer,
                id,
                &comment,
                Some("審査の結果を選んでください。".into()),
            )
            .await;
        }
    };
    if decision == OrderDecision::Return && comment.is_empty() {
        return case_page(
            &state,
            &viewer,
            id,
            &comment,
            Some("差し戻すときは、発注企業に修正してほしい点をコメントに書いてください。".into()),
        )
        .await;
    }
    if comment.chars().count() > MAX_COMMENT {
        return case_page(
            &state,
            &viewer,
            id,
            &comment,
            Some(format!(
                "コメントは{MAX_COMMENT}文字以内で入力してください。"
            )),
        )
        .await;
    }
    let Some(company) = case.fields.company_id else {
        return Err(WebError::not_found());
    };
    let event = match decision {
        OrderDecision::Approve => CaseEvent::Published,
        OrderDecision::Return => CaseEvent::Returned {
            comment: comment.clone(),
        },
    };
    let path = format!("/mypage/orders/{id}");
    let mails = mail_company(&state, company, |to, name| {
        state
            .mail
            .case_event(to, name, &case.fields.title, &event, &path)
    })
    .await?;
    let comment = (!comment.is_empty()).then_some(comment.as_str());
    match state
        .store
        .review_order(
            id,
            decision,
            comment,
            &actor(&viewer, &ip)?,
            &mails,
            crate::auth::now_ms(),
        )
        .await
    {
        Ok(()) => {}
        Err(StoreError::Stale) => {
            return case_page(
                &state,
                &viewer,
                id,
                "",
                Some("この案件は既に審査されたか、審査中ではありません。画面の内容を確かめてください。".into()),
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    }
    state.cases_written();
    state.mail_queued();
    let done = match decision {
        OrderDecision::Approve => "published",
        OrderDecision::Return => "returned",
    };
    Ok(Redirect::to(&format!("/admin/orders?done={done}")).into_response())
}
