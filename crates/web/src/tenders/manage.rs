//! The staff's page for one e-tender: 公告, 変更公告, 中止, 資格審査, 指名,
//! 技術点, 回答, the sealed bids' receipts, 開札 and 落札決定 — each a form
//! whose refusal comes back on the same page with its reason.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::tender::{Action, AwardMethod, Phase};
use store::{Case, Participation, TenderRecord};

use crate::actions::tender_terms::{SCHEDULE, schedule_of};
use crate::actions::tenders::{self as ops, id_of};
use crate::auth::Viewer;
use crate::confirm::{self, ConfirmPage};
use crate::forms::{Errors, FormData};
use crate::layout::Layout;
use crate::pages::render;
use crate::present::{when, yen};
use crate::{AppState, ErrorKind, WebError};

#[derive(Template)]
#[template(path = "org_tenders.html")]
struct ListPage {
    layout: Layout,
    tenders: Vec<TenderRow>,
}

/// One e-tender in the staff's list, newest first.
struct TenderRow {
    id: i64,
    title: String,
    organization: String,
    phase: &'static str,
    bid_deadline: String,
    opening: String,
}

pub async fn list(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    let user = viewer.user()?;
    let org = if user.staff_role == Some(domain::StaffRole::Admin) {
        None
    } else {
        Some(user.organization_id.unwrap_or(-1))
    };
    let now = crate::auth::now_ms();
    let tenders = state
        .store
        .staff_tenders(org)
        .await?
        .into_iter()
        .map(|(c, t)| TenderRow {
            id: c.id,
            title: c.fields.title,
            organization: c.fields.organization_name,
            phase: t.tender.phase(now).label(),
            bid_deadline: when(t.tender.schedule.bid_deadline),
            opening: when(t.tender.schedule.opening_at),
        })
        .collect();
    render(
        &ListPage {
            layout: Layout::for_viewer("電子入札案件の管理", &viewer),
            tenders,
        },
        StatusCode::OK,
    )
}

struct ParticipantRow {
    company_id: i64,
    company: String,
    status: &'static str,
    reason: Option<String>,
    grade: Option<String>,
    message: String,
    files: Vec<(String, String)>,
    unmet: Vec<String>,
    score: Option<i64>,
    decidable: bool,
    admitted: bool,
}

struct QuestionRow {
    id: i64,
    asked: String,
    company: String,
    question: String,
    answer: Option<String>,
}

/// One bid in the opening's results, in the order the opening ranked them.
struct ResultRow {
    bidder: String,
    amount: String,
    validity: &'static str,
    candidate: bool,
    /// 「くじ番号…」 when a tie was drawn, else empty.
    kuji: String,
    /// 技術点, empty when not scored.
    score: String,
}

/// One sealed bid's receipt: what staff may see before 開札.
struct BidRow {
    receipt_no: String,
    company: String,
    received: String,
    /// 入札 / 辞退.
    kind: &'static str,
}

#[derive(Template)]
#[template(path = "org_tender.html")]
struct ManagePage {
    layout: Layout,
    id: i64,
    title: String,
    notice: Option<&'static str>,
    error: Option<String>,
    phase: &'static str,
    draft: bool,
    csrf: String,
    facts: Vec<(&'static str, String)>,
    documents: Vec<(String, String)>,
    amendable: bool,
    schedule_inputs: Vec<(&'static str, &'static str, String)>,
    participants: Vec<ParticipantRow>,
    comprehensive: bool,
    deciding: bool,
    scoring: bool,
    questions: Vec<QuestionRow>,
    final_: bool,
    bids: Vec<BidRow>,
    openable: bool,
    results: Option<Vec<ResultRow>>,
    kuji: Option<String>,
    awardable: bool,
    has_winner: bool,
}

fn notice(done: &str) -> Option<&'static str> {
    Some(match done {
        "saved" => "下書きを保存しました。",
        "published" => "公告しました。案件のページが公開されました。",
        "amended" => "変更公告しました。参加申請した企業にメールでお知らせしました。",
        "cancelled" => "中止しました。参加申請した企業にメールでお知らせしました。",
        "decided" => "資格審査の結果を登録し、企業にメールでお知らせしました。",
        "nominated" => "指名し、指名通知をメールで送りました。",
        "scored" => "技術点を登録しました。",
        "answered" => "回答を公表し、参加申請した企業にメールでお知らせしました。",
        "opened" => "開札しました。結果を確認して、落札者を決定してください。",
        "awarded" => "落札者を決定し、入札結果を公表しました。入札者にメールでお知らせしました。",
        "unsuccessful" => "不調としました。入札者にメールでお知らせしました。",
        _ => return None,
    })
}

async fn manage_page(
    state: &AppState,
    viewer: &Viewer,
    case: &Case,
    t: &TenderRecord,
    done: &str,
    error: Option<String>,
) -> Result<Response, WebError> {
    let now = crate::auth::now_ms();
    let phase = t.tender.phase(now);
    let divisions = state.store.industry_divisions().await?;
    let section_of = |division: &str| {
        divisions
            .iter()
            .find(|d| d.code == division)
            .map_or_else(String::new, |d| d.section_code.clone())
    };
    let deciding = matches!(
        phase,
        Phase::Announced | Phase::Applications | Phase::Qualification | Phase::Bidding
    );
    let comprehensive = t.award_method == AwardMethod::Comprehensive;
    let bids = state.store.sealed_bids(case.id).await?;
    let names = state.store.bid_company_names(case.id).await?;
    let participants: Vec<ParticipantRow> = state
        .store
        .participants(case.id)
        .await?
        .into_iter()
        .map(|p| ParticipantRow {
            unmet: t.requirements.unmet(
                p.declared_grade.as_deref(),
                p.prefecture_code,
                &section_of(&p.industry_division),
            ),
            decidable: deciding
                && p.status != Participation::Nominated
                && !bids.iter().any(|b| b.company_id == p.company_id),
            admitted: p.status.may_bid(),
            company_id: p.company_id,
            company: p.company_name,
            status: p.status.label(),
            reason: p.reason,
            grade: p.declared_grade,
            message: p.message,
            files: p.files.iter().map(|f| (f.name.clone(), f.href())).collect(),
            score: p.technical_score,
        })
        .collect();
    let companies: HashMap<i64, String> = participants
        .iter()
        .map(|p| (p.company_id, p.company.clone()))
        .collect();
    let questions = state
        .store
        .questions(case.id)
        .await?
        .into_iter()
        .map(|q| QuestionRow {
            id: q.id,
            asked: when(q.asked_at),
            company: companies
                .get(&q.company_id)
                .cloned()
                .unwrap_or_else(|| "参加申請していない企業".to_owned()),
            question: q.question,
            answer: q.answer,
        })
        .collect();
    let opening = state.store.opening(case.id).await?;
    let scores: HashMap<String, Option<i64>> = participants
        .iter()
        .map(|p| (p.company.clone(), p.score))
        .collect();
    let (results, kuji) = match &opening {
        None => (None, None),
        Some(o) => (
            Some(
                o.results
                    .iter()
                    .map(|r| ResultRow {
                        bidder: r.company_name.clone(),
                        amount: yen(r.amount_yen),
                        validity: r.validity.label(),
                        candidate: o.winner_bid == Some(r.bid_id),
                        kuji: r
                            .kuji_position
                            .map(|p| format!("くじ番号{p}（{:03}）", r.kuji))
                            .unwrap_or_default(),
                        score: scores
                            .get(&r.company_name)
                            .copied()
                            .flatten()
                            .map(|s| s.to_string())
                            .unwrap_or_default(),
                    })
                    .collect(),
            ),
            o.kuji_sum.zip(o.kuji_drawn).map(|(sum, drawn)| {
                format!("同点の入札があったため電子くじを引きました：合計 {sum}、くじ番号{drawn}が落札候補者です。")
            }),
        ),
    };
    let s = t.tender.schedule;
    let schedule_inputs = SCHEDULE
        .iter()
        .zip([
            s.published_at,
            s.application_deadline,
            s.qualification_notice_at,
            s.bidding_opens_at,
            s.bid_deadline,
            s.opening_at,
        ])
        .map(|((n, l), at)| (*n, *l, domain::time::jst_input_value(at)))
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        &ManagePage {
            layout: Layout::for_viewer(case.fields.title.clone(), viewer),
            id: case.id,
            title: case.fields.title.clone(),
            notice: notice(done),
            error,
            phase: phase.label(),
            draft: phase == Phase::Draft,
            csrf: viewer.csrf_token().to_owned(),
            facts: crate::facts::tender_facts(state, case, t).await?,
            documents: case.fields.documents.clone(),
            amendable: deciding,
            schedule_inputs,
            comprehensive,
            scoring: comprehensive
                && matches!(
                    phase,
                    Phase::Applications | Phase::Qualification | Phase::Bidding | Phase::Closed
                ),
            deciding,
            participants,
            questions,
            final_: phase.is_final(),
            bids: bids
                .iter()
                .map(|b| BidRow {
                    receipt_no: b.receipt.receipt_no.clone(),
                    company: names.get(&b.id).cloned().unwrap_or_default(),
                    received: domain::time::jst_datetime_ms(b.receipt.received_at),
                    kind: if b.receipt.declined {
                        "辞退"
                    } else {
                        "入札"
                    },
                })
                .collect(),
            openable: phase == Phase::Closed && now >= s.opening_at,
            awardable: phase == Phase::Opened,
            has_winner: opening.as_ref().is_some_and(|o| o.winner_bid.is_some()),
            results,
            kuji,
        },
        status,
    )
}

#[derive(Debug, serde::Deserialize)]
pub struct Done {
    #[serde(default)]
    done: String,
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let (case, t) = ops::managed(&state, &viewer, id_of(&id)?).await?;
    manage_page(&state, &viewer, &case, &t, &done.done, None).await
}

/// What a staff action that cannot be undone (公告, 中止, 開札, 落札決定,
/// 不調) asks before it acts.
struct Ask {
    heading: &'static str,
    lead: &'static str,
    warning: &'static str,
    button: &'static str,
    /// The form's own values carried to the confirmed POST.
    carry: &'static [&'static str],
    /// The action as the domain checks it: one it would refuse now is
    /// refused at once, not asked about.
    action: Action,
}

fn ask_page(
    viewer: &Viewer,
    case: &Case,
    t: &TenderRecord,
    action: &str,
    ask: &Ask,
    form: &FormData,
) -> Result<Response, WebError> {
    let s = &t.tender.schedule;
    let mut page = ConfirmPage::new(
        Layout::for_viewer(ask.heading, viewer),
        format!("/org/tenders/{}/{action}", case.id),
        viewer.csrf_token(),
        ask.button,
    )
    .lead(ask.lead)
    .fact("案件名", case.fields.title.clone())
    .fact("入札締切", when(s.bid_deadline))
    .fact("開札日時", when(s.opening_at))
    .warning(ask.warning)
    .cancel(
        format!("/org/tenders/{}", case.id),
        "操作せずに案件の管理に戻る",
    );
    for name in ask.carry {
        page = page.hidden(name, form.get(name));
    }
    page.respond()
}

/// Runs a staff action: on success back to the page with `done`; a refusal
/// is shown on the page with its reason. With `ask`, a POST without
/// `confirm=1` only shows the confirmation page.
async fn act<F, Fut>(
    state: AppState,
    viewer: Viewer,
    id: String,
    form: FormData,
    done: &str,
    ask: Option<(&str, Ask)>,
    f: F,
) -> Result<Response, WebError>
where
    F: FnOnce(AppState, Viewer, Case, TenderRecord, FormData) -> Fut,
    Fut: Future<Output = Result<(), WebError>>,
{
    form.check_csrf(&viewer)?;
    let (case, t) = ops::managed(&state, &viewer, id_of(&id)?).await?;
    if let Some((action, ask)) = &ask
        && !confirm::confirmed(&form)
    {
        if let Err(e) = t.tender.clone().apply(ask.action, crate::auth::now_ms()) {
            return manage_page(&state, &viewer, &case, &t, "", Some(e.message().to_owned())).await;
        }
        return ask_page(&viewer, &case, &t, action, ask, &form);
    }
    match f(state.clone(), viewer.clone(), case.clone(), t.clone(), form).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/org/tenders/{}?done={done}", case.id)).into_response())
        }
        Err(e) if e.kind() == ErrorKind::Unprocessable => {
            // Read again: the refusal may follow a change made meanwhile.
            let (case, t) = ops::managed(&state, &viewer, case.id).await?;
            manage_page(&state, &viewer, &case, &t, "", Some(e.message().to_owned())).await
        }
        Err(e) => Err(e),
    }
}

pub async fn publish(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    act(
        state,
        viewer,
        id,
        form,
        "published",
        Some((
            "publish",
            Ask {
                heading: "公告してよろしいですか",
                lead: "この入札案件を公告します。案件のページが公開され、参加申請の受付が始まります。",
                warning: "公告は取り消せません。公告の後に日程を変えるには変更公告を、取りやめるには中止をしてください。",
                button: "公告する",
                carry: &[],
                action: Action::Publish,
            },
        )),
        |s, v, c, _, _| async move { ops::publish(&s, &v, &c).await },
    )
    .await
}

pub async fn amend(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    act(
        state,
        viewer,
        id,
        form,
        "amended",
        None,
        |s, v, c, t, f| async move {
            let schedule = schedule_of(&f)?;
            ops::amend(&s, &v, &c, &t, schedule, f.get("note")).await
        },
    )
    .await
}

pub async fn cancel(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    act(
        state,
        viewer,
        id,
        form,
        "cancelled",
        Some((
            "cancel",
            Ask {
                heading: "入札を中止してよろしいですか",
                lead: "この入札を中止します。参加申請した企業にメールでお知らせし、受け付けた入札書は開封しません。",
                warning: "中止は取り消せません。",
                button: "中止する",
                carry: &[],
                action: Action::Cancel,
            },
        )),
        |s, v, c, _, _| async move { ops::cancel(&s, &v, &c).await },
    )
    .await
}

fn company_of(form: &FormData) -> Result<i64, WebError> {
    form.get("company")
        .parse()
        .map_err(|_| WebError::new(ErrorKind::Unprocessable, "企業を指定してください。"))
}

pub async fn decide(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    act(
        state,
        viewer,
        id,
        form,
        "decided",
        None,
        |s, v, c, t, f| async move {
            let company = company_of(&f)?;
            let status = ops::decision(f.get("decision"))?;
            let reason = (status == Participation::Rejected).then(|| f.get("reason"));
            ops::decide(&s, &v, &c, &t, company, status, reason).await
        },
    )
    .await
}

pub async fn nominate(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    act(state, viewer, id, form, "nominated",
        None, |s, v, c, t, f| async move {
        ops::nominate(&s, &v, &c, &t, f.get("corporate_number")).await
    })
    .await
}

pub async fn score(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    act(
        state,
        viewer,
        id,
        form,
        "scored",
        None,
        |s, v, c, _, f| async move {
            let company = company_of(&f)?;
            let mut errors = Errors::default();
            let score =
                crate::forms::optional_number(&mut errors, &f, "score", "技術点", 1_000_000)
                    .filter(|_| errors.is_empty())
                    .ok_or_else(|| {
                        WebError::new(
                            ErrorKind::Unprocessable,
                            "技術点は0以上の整数で入力してください。",
                        )
                    })?;
            ops::score(&s, &v, &c, company, score).await
        },
    )
    .await
}

pub async fn answer(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    act(
        state,
        viewer,
        id,
        form,
        "answered",
        None,
        |s, v, c, _, f| async move {
            let question = f
                .get("question")
                .parse()
                .map_err(|_| WebError::not_found())?;
            ops::answer(&s, &v, &c, question, f.get("answer")).await
        },
    )
    .await
}

pub async fn open(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    act(
        state,
        viewer,
        id,
        form,
        "opened",
        Some((
            "open",
            Ask {
                heading: "開札してよろしいですか",
                lead: "受け付けた入札書をすべて開封し、予定価格・最低制限価格と照らして落札候補者を決めます（同額なら電子くじ）。",
                warning: "開札は一度だけで、取り消せません。開札の後は入札を受け付けられません。",
                button: "開札する",
                carry: &[],
                action: Action::Open,
            },
        )),
        |s, v, c, _, _| async move { ops::open(&s, &v, &c).await.map(|_| ()) },
    )
    .await
}

pub async fn award(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    let award = form.get("decision") == "award";
    let done = if award { "awarded" } else { "unsuccessful" };
    let ask = if award {
        Ask {
            heading: "落札者を決定してよろしいですか",
            lead: "開札の結果の落札候補者を落札者に決定し、入札結果を公表します。入札者にメールでお知らせします。",
            warning: "落札決定は取り消せません。",
            button: "落札者を決定する",
            carry: &["decision"],
            action: Action::Award,
        }
    } else {
        Ask {
            heading: "不調としてよろしいですか",
            lead: "この入札を不調（落札者なし）とし、入札者にメールでお知らせします。",
            warning: "不調の決定は取り消せません。",
            button: "不調とする",
            carry: &["decision"],
            action: Action::DeclareUnsuccessful,
        }
    };
    act(
        state,
        viewer,
        id,
        form,
        done,
        Some(("award", ask)),
        move |s, v, c, _, _| async move { ops::award(&s, &v, &c, award).await },
    )
    .await
}
