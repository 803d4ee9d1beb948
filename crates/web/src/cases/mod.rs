//! 案件を探す: the search page and each case's page.

mod facets;
mod feeds;
mod paging;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use domain::{CaseDate, CaseStatus, When};
use search::Sort;

use crate::auth::{Guarded, PUBLIC, Viewer};
use crate::layout::{Layout, NavItem};
use crate::pages::render;
use crate::present::{day_input, when, yen};
use crate::{AppState, WebError};
use facets::FacetGroup;
use paging::{PageLink, PastEnd, pager};

use crate::case_query as params;

pub fn routes(g: Guarded) -> Guarded {
    g.shared("/cases", get(search_page))
        .get("/cases/feed.atom", PUBLIC, get(feeds::feed))
        .shared("/cases/{id}", get(case_page))
        .get("/cases/{id}/calendar.ics", PUBLIC, get(feeds::ics))
}

struct Item {
    id: i64,
    title: String,
    kind: &'static str,
    category: &'static str,
    organization: String,
    region: String,
    published: Option<String>,
    deadline: Option<String>,
    time_left: String,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct SearchPage {
    layout: Layout,
    text: String,
    groups: Vec<FacetGroup>,
    deadline_from: String,
    deadline_to: String,
    sorts: Vec<(&'static str, &'static str)>,
    sort: &'static str,
    total: usize,
    first: usize,
    feed: String,
    /// The notification form filled with this search.
    save_search: String,
    items: Vec<Item>,
    pages: Vec<PageLink>,
    past_end: Option<PastEnd>,
    /// The filters' disclosure starts open when a filter is chosen.
    refine_open: bool,
}

async fn search_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let q = params::parse(&pairs)?;
    let now = crate::auth::now_ms();
    let result = state.search.search(&q, now).map_err(WebError::internal)?;
    let cases = state.store.cases_by_ids(&result.ids).await?;
    let prefectures = state.store.prefectures().await?;
    let pref_name = |code: i64| {
        prefectures
            .iter()
            .find(|(c, _)| *c == code)
            .map_or_else(String::new, |(_, n)| n.clone())
    };
    let items: Vec<Item> = cases
        .into_iter()
        .map(|c| {
            let f = c.fields;
            Item {
                id: c.id,
                kind: f.kind.label(),
                category: f.category.label(),
                region: [
                    f.prefecture_code.map(pref_name).unwrap_or_default(),
                    f.municipality_name.clone().unwrap_or_default(),
                ]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" "),
                published: f.when(CaseDate::Published).map(|w| w.day().label()),
                deadline: f.when(CaseDate::SubmissionDeadline).map(When::label),
                organization: f.organization_name,
                time_left: f
                    .submission_deadline
                    .map(|d| domain::case::time_left(now, d))
                    .unwrap_or_default(),
                title: f.title,
            }
        })
        .collect();

    let groups = facets::groups(&q, &result.facets, pref_name);
    let per_page = q.per_page.max(1);
    let page_count = search::page_count(result.total, per_page);
    let current = q.page + 1;
    let pages = pager(current, page_count, |p| {
        format!("/cases?{}", params::to_query_string(&q, p))
    });
    // Past the last page: say where the results end, and link to it.
    let past_end = (items.is_empty() && result.total > 0).then(|| PastEnd {
        last: page_count,
        href: format!("/cases?{}", params::to_query_string(&q, page_count)),
        depth: (result.total > search::MAX_DEPTH).then(|| crate::present::count(search::MAX_DEPTH)),
    });
    let mut layout = Layout::for_viewer("案件を探す", &viewer);
    layout.current = Some(NavItem::Cases);
    render(
        &SearchPage {
            layout,
            text: q.text.clone(),
            groups,
            deadline_from: day_input(q.deadline_from),
            deadline_to: day_input(q.deadline_to.map(|t| t - 86_400_000)),
            sorts: vec![
                ("newest", "新着順"),
                ("deadline", "締切が近い順"),
                ("relevance", "キーワードに合う順"),
            ],
            sort: match q.sort {
                Sort::Newest => "newest",
                Sort::Deadline => "deadline",
                Sort::Relevance => "relevance",
            },
            total: result.total,
            first: q.page * per_page + 1,
            save_search: format!(
                "/mypage/notifications/new?{}",
                params::to_query_string(&q, 1)
            ),
            feed: {
                let qs = params::to_query_string(&q, 1);
                if qs.is_empty() {
                    "/cases/feed.atom".to_owned()
                } else {
                    format!("/cases/feed.atom?{qs}")
                }
            },
            items,
            pages,
            past_end,
            refine_open: pairs.iter().any(|(k, v)| {
                !v.is_empty() && !matches!(k.as_str(), "q" | "page" | "sort" | "per_page")
            }),
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    layout: Layout,
    csrf: String,
    title: String,
    kind: &'static str,
    status: &'static str,
    facts: Vec<(&'static str, String)>,
    description: String,
    documents: Vec<(String, String)>,
    source_url: Option<String>,
    source_name: &'static str,
    id: i64,
    has_dates: bool,
    entry: EntryPanel,
    tender: Option<TenderPanel>,
    results: Vec<ResultRow>,
    /// Amendments, newest first.
    history: Vec<(String, Vec<ChangeRow>)>,
}

/// One changed field: (field, before, after).
type ChangeRow = (String, String, String);

/// An e-tender's terms and, once opened, its results (入札結果).
struct TenderPanel {
    phase: &'static str,
    /// Bids are being accepted now.
    bidding: bool,
    /// 予定価格, when published beforehand or after the opening.
    ceiling: Option<String>,
    minimum: Option<String>,
    method: &'static str,
    opened: bool,
    bids: Vec<OpenedBidRow>,
    /// "sum mod n = drawn" for a tie.
    kuji: Option<String>,
    unsuccessful: bool,
    /// 参加資格 and the documents an application brings.
    requirements: Vec<(&'static str, String)>,
    /// Applications are accepted now.
    applications: bool,
    /// Questions are accepted now.
    asking: bool,
    /// The viewing company's part: its status, whether it may bid.
    mine: Option<(&'static str, bool)>,
    /// The viewer is a receiving company.
    bidder: bool,
    /// Answered questions: (question, answer, answered at).
    answers: Vec<(String, String, String)>,
    asked: bool,
}

/// One row of the published 入札結果.
struct OpenedBidRow {
    bidder: String,
    amount: String,
    validity: &'static str,
    won: bool,
    /// くじ number and part, for a tied bid.
    kuji: Option<String>,
    /// 受付番号 and the SHA-256 of the sealed bid, as on the bidder's
    /// receipt: each bidder checks that what was opened is what it sent.
    receipt_no: String,
    sealed_hash: String,
}

async fn tender_panel(
    state: &AppState,
    viewer: &Viewer,
    case: &store::Case,
    now: i64,
    asked: bool,
) -> Result<Option<TenderPanel>, WebError> {
    let id = case.id;
    // Only e-tenders run here (and only they have a tender's row).
    if case.fields.kind != domain::CaseKind::ETender {
        return Ok(None);
    }
    let Some(t) = state.store.tender(id).await? else {
        return Ok(None);
    };
    let phase = t.tender.phase(now);
    let bidder = viewer.has(domain::Role::ReceivingCompany);
    let company = viewer
        .user
        .as_ref()
        .and_then(|u| u.company_id)
        .filter(|_| bidder);
    let (requirements, participant, questions, opening) = tokio::try_join!(
        crate::facts::requirement_facts(state, &t),
        async {
            Ok::<_, WebError>(match company {
                Some(company) => state.store.participant(id, company).await?,
                None => None,
            })
        },
        async { Ok::<_, WebError>(state.store.questions(id).await?) },
        async { Ok::<_, WebError>(state.store.opening(id).await?) },
    )?;
    let mine = participant.map(|p| (p.status.label(), p.status.may_bid()));
    let answers = questions
        .into_iter()
        .filter_map(|q| {
            let at = q.answered_at?;
            Some((q.question, q.answer?, when(at)))
        })
        .collect();
    let opened = opening.is_some();
    let (bids, kuji) = match &opening {
        None => (Vec::new(), None),
        Some(o) => {
            let tied = o
                .results
                .iter()
                .filter(|r| r.kuji_position.is_some())
                .count();
            (
                o.results
                    .iter()
                    .map(|r| OpenedBidRow {
                        bidder: r.company_name.clone(),
                        amount: yen(r.amount_yen),
                        validity: r.validity.label(),
                        won: o.winner_bid == Some(r.bid_id),
                        kuji: r.kuji_position.map(|p| {
                            let part = r.kuji_part.unwrap_or(0);
                            format!("くじ番号{p}：{:03}＋{:03}＝{part}", r.kuji, part - r.kuji)
                        }),
                        receipt_no: r.receipt.receipt_no.clone(),
                        sealed_hash: r.receipt.sealed_hash.clone(),
                    })
                    .collect(),
                o.kuji_sum.zip(o.kuji_drawn).map(|(sum, drawn)| {
                    format!(
                        "合計 {sum} ÷ {tied}人 の余り ＝ {drawn}（くじ番号{drawn}の事業者が落札）"
                    )
                }),
            )
        }
    };
    Ok(Some(TenderPanel {
        phase: t.tender.phase(now).label(),
        // The same rule as the bid page and the store.
        bidding: t.tender.bid_window(now).is_ok(),
        ceiling: (t.ceiling_public || opened).then(|| yen(t.ceiling_yen)),
        minimum: opened.then(|| t.minimum_yen.map(yen)).flatten(),
        method: t.award_method.label(),
        unsuccessful: opened && opening.as_ref().is_some_and(|o| o.winner_bid.is_none()),
        requirements,
        applications: phase == domain::tender::Phase::Applications,
        asking: matches!(
            phase,
            domain::tender::Phase::Applications | domain::tender::Phase::Qualification
        ),
        mine,
        bidder,
        answers,
        asked,
        opened,
        bids,
        kuji,
    }))
}

/// An award or a bid a source published, as the case page shows it.
struct ResultRow {
    kind: &'static str,
    party: String,
    amount: String,
    status: String,
    date: String,
}

fn source_name(source: &str) -> &'static str {
    match source {
        "kkj" => "官公需情報ポータルサイト（中小企業庁）",
        "tokyo" => "東京都電子調達システム（東京都財務局）",
        "tokyo_municipal" => "東京電子自治体共同運営 電子調達サービス",
        "ocds" => "公開された調達データ（OCDS）",
        _ => "発注機関のサイト",
    }
}

/// What the case page offers about entries (private orders and technical needs).
enum EntryPanel {
    None,
    /// Entries are closed or the case was decided.
    Closed,
    /// A visitor: sign in first.
    SignIn,
    /// A receiving company that may enter.
    Enter,
    /// The viewer's company already entered.
    Entered(i64),
    /// The viewer's company posted the case.
    Own,
    /// Signed in, but not as a receiving company.
    NotReceiving,
}

async fn entry_panel(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    f: &store::NewCase,
    now: i64,
) -> Result<EntryPanel, WebError> {
    if !f.kind.takes_entries() {
        return Ok(EntryPanel::None);
    }
    let company = viewer.user.as_ref().and_then(|u| u.company_id);
    if company.is_some() && company == f.company_id {
        return Ok(EntryPanel::Own);
    }
    if let Some(c) = company
        && let Some(e) = state.store.entry_of(id, c).await?
    {
        return Ok(EntryPanel::Entered(e.id));
    }
    if !store::accepts_entries(f, now) {
        return Ok(EntryPanel::Closed);
    }
    Ok(if !viewer.is_signed_in() {
        EntryPanel::SignIn
    } else if viewer.has(domain::Role::ReceivingCompany) {
        EntryPanel::Enter
    } else {
        EntryPanel::NotReceiving
    })
}

async fn case_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::not_found())?;
    let case = state
        .store
        .case(id)
        .await?
        .ok_or_else(WebError::not_found)?;
    let case_for_panel = case.clone();
    let f = case.fields;
    if !f.status.is_public() {
        return Err(WebError::not_found());
    }
    let now = crate::auth::now_ms();
    let asked = query.iter().any(|(k, v)| k == "asked" && v == "1");
    // The rest of the page's reads at once: on PostgreSQL one round trip's
    // wait instead of one after another; on SQLite each is done inline.
    let (facts, entry, tender, results, history) = tokio::try_join!(
        crate::facts::facts_of(&state, &f, now),
        entry_panel(&state, &viewer, id, &f, now),
        tender_panel(&state, &viewer, &case_for_panel, now, asked),
        async { Ok::<_, WebError>(state.store.case_results(id).await?) },
        async { Ok::<_, WebError>(state.store.case_history(id).await?) },
    )?;
    let results = results
        .into_iter()
        .map(|r| ResultRow {
            kind: if r.kind == "award" {
                "落札・契約"
            } else {
                "入札"
            },
            party: r.party,
            amount: match (r.amount, r.currency) {
                (Some(a), Some(c)) if c == "JPY" => format!("{a}円"),
                (Some(a), Some(c)) => format!("{a} {c}"),
                (Some(a), None) => a,
                _ => "—".to_owned(),
            },
            status: r.status.unwrap_or_default(),
            date: r.date.map(domain::time::jst_date).unwrap_or_default(),
        })
        .collect();
    let short = |v: &serde_json::Value| -> String {
        let s = v.as_str().unwrap_or_default();
        if s.chars().count() > 120 {
            format!("{}…", s.chars().take(120).collect::<String>())
        } else if s.is_empty() {
            "（なし）".to_owned()
        } else {
            s.to_owned()
        }
    };
    let history = history
        .into_iter()
        .map(|(at, _, changes)| {
            (
                domain::time::jst_datetime(at),
                changes
                    .iter()
                    .map(|c| {
                        (
                            c["field"].as_str().unwrap_or_default().to_owned(),
                            short(&c["before"]),
                            short(&c["after"]),
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    render(
        &CasePage {
            layout: Layout::for_viewer(f.title.clone(), &viewer),
            // Only a bidder is shown a form (the question form).
            csrf: if viewer.has(domain::Role::ReceivingCompany) {
                viewer.csrf_token().to_owned()
            } else {
                String::new()
            },
            title: f.title,
            kind: f.kind.label(),
            status: if f.status == CaseStatus::Open
                && f.submission_deadline.is_some_and(|d| d <= now)
            {
                "締切"
            } else {
                f.status.label()
            },
            facts,
            description: f.description,
            documents: f.documents,
            has_dates: !feeds::dates_ahead(&case_for_panel, now).is_empty(),
            // Checked at import, and again here: only http(s) becomes a link.
            source_url: f.source_url.filter(|u| domain::link::http_url(u).is_ok()),
            source_name: source_name(&f.source),
            id,
            entry,
            tender,
            results,
            history,
        },
        StatusCode::OK,
    )
}
