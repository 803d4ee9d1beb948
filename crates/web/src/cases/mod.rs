//! 案件を探す: the search page and each case's page.

mod feeds;
pub(crate) mod params;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use domain::{CaseDate, CaseKind, CaseStatus, Category, Procedure, When};
use search::{OpenState, Sort};

use crate::auth::{Guarded, PUBLIC, Viewer};
use crate::layout::{Layout, NavItem};
use crate::pages::render;
use crate::{AppState, WebError};

pub use params::parse as parse_params;

pub fn routes(g: Guarded) -> Guarded {
    g.get("/cases", PUBLIC, get(search_page))
        .get("/cases/feed.atom", PUBLIC, get(feeds::feed))
        .get("/cases/{id}", PUBLIC, get(case_page))
        .get("/cases/{id}/calendar.ics", PUBLIC, get(feeds::ics))
}

struct FacetOption {
    value: String,
    label: String,
    count: Option<u64>,
    checked: bool,
}

struct FacetGroup {
    legend: &'static str,
    name: &'static str,
    input: &'static str,
    options: Vec<FacetOption>,
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
    pages: Vec<(String, Option<String>, bool)>,
    past_end: Option<PastEnd>,
    /// The filters' disclosure starts open when a filter is chosen.
    refine_open: bool,
}

fn day_input(ms: Option<i64>) -> String {
    ms.map(|ms| {
        let (y, m, d, ..) = domain::time::jst_parts(ms);
        format!("{y:04}-{m:02}-{d:02}")
    })
    .unwrap_or_default()
}

/// "2026年1月15日（令和8年） 17:00".
pub fn when(ms: i64) -> String {
    domain::When::At(ms).label()
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

    let counted = |list: &[(String, u64)], value: &str| {
        list.iter().find(|(v, _)| v == value).map(|(_, n)| *n)
    };
    let f = &result.facets;
    let mut groups = vec![
        FacetGroup {
            legend: "募集状況",
            name: "status",
            input: "radio",
            options: vec![
                FacetOption {
                    value: String::new(),
                    label: "すべて".into(),
                    count: Some(f.open + f.closed),
                    checked: q.state.is_none(),
                },
                FacetOption {
                    value: "open".into(),
                    label: "募集中".into(),
                    count: Some(f.open),
                    checked: q.state == Some(OpenState::Open),
                },
                FacetOption {
                    value: "closed".into(),
                    label: "締切・終了".into(),
                    count: Some(f.closed),
                    checked: q.state == Some(OpenState::Closed),
                },
            ],
        },
        FacetGroup {
            legend: "案件の種類",
            name: "kind",
            input: "checkbox",
            options: CaseKind::ALL
                .iter()
                .map(|k| FacetOption {
                    value: k.as_str().into(),
                    label: k.label().into(),
                    count: counted(&f.kind, k.as_str()).or(Some(0)),
                    checked: q.kinds.contains(k),
                })
                .collect(),
        },
        FacetGroup {
            legend: "種別",
            name: "category",
            input: "checkbox",
            options: Category::ALL
                .iter()
                .map(|k| FacetOption {
                    value: k.as_str().into(),
                    label: k.label().into(),
                    count: counted(&f.category, k.as_str()).or(Some(0)),
                    checked: q.categories.contains(k),
                })
                .collect(),
        },
        FacetGroup {
            legend: "入札・契約方式",
            name: "procedure",
            input: "checkbox",
            options: Procedure::ALL
                .iter()
                .map(|k| FacetOption {
                    value: k.as_str().into(),
                    label: k.label().into(),
                    count: counted(&f.procedure, k.as_str()).or(Some(0)),
                    checked: q.procedures.contains(k),
                })
                .collect(),
        },
    ];
    // Regions and organisations: those with hits, and whatever is selected.
    let mut regions: Vec<FacetOption> = f
        .prefecture
        .iter()
        .filter_map(|(code, n)| code.parse::<i64>().ok().map(|c| (c, *n)))
        .map(|(c, n)| FacetOption {
            value: c.to_string(),
            label: pref_name(c),
            count: Some(n),
            checked: q.prefectures.contains(&c),
        })
        .collect();
    for c in &q.prefectures {
        if !regions.iter().any(|o| o.value == c.to_string()) {
            regions.push(FacetOption {
                value: c.to_string(),
                label: pref_name(*c),
                count: Some(0),
                checked: true,
            });
        }
    }
    groups.push(FacetGroup {
        legend: "都道府県",
        name: "prefecture",
        input: "checkbox",
        options: regions,
    });
    let mut orgs: Vec<FacetOption> = f
        .organization
        .iter()
        .take(20)
        .map(|(o, n)| FacetOption {
            value: o.clone(),
            label: o.clone(),
            count: Some(*n),
            checked: q.organizations.contains(o),
        })
        .collect();
    for o in &q.organizations {
        if !orgs.iter().any(|x| &x.value == o) {
            orgs.push(FacetOption {
                value: o.clone(),
                label: o.clone(),
                count: Some(0),
                checked: true,
            });
        }
    }
    groups.push(FacetGroup {
        legend: "発注機関",
        name: "organization",
        input: "checkbox",
        options: orgs,
    });

    let per_page = q.per_page.max(1);
    let page_count = result.total.div_ceil(per_page).min(params::MAX_PAGE);
    let current = q.page + 1;
    let pages = pager(current, page_count, |p| {
        format!("/cases?{}", params::to_query_string(&q, p))
    });
    // Past the last page: say where the results end, and link to it.
    let past_end = (items.is_empty() && result.total > 0).then(|| PastEnd {
        last: page_count,
        href: format!("/cases?{}", params::to_query_string(&q, page_count)),
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

/// Where a page past the last one sends people.
struct PastEnd {
    last: usize,
    href: String,
}

/// The pager's links, (label, href, current): the first and the last page
/// always, the three on either side of the current one, and 前へ／次へ;
/// "…" (no link) where pages are left out.
fn pager(
    current: usize,
    page_count: usize,
    href: impl Fn(usize) -> String,
) -> Vec<(String, Option<String>, bool)> {
    let mut pages = Vec::new();
    if page_count <= 1 {
        return pages;
    }
    if current > 1 {
        let to = current.min(page_count + 1) - 1;
        pages.push(("前へ".to_owned(), Some(href(to)), false));
    }
    let lo = current.saturating_sub(3).max(1);
    let hi = (current + 3).min(page_count);
    if lo > 1 {
        pages.push(("1".to_owned(), Some(href(1)), false));
        if lo > 2 {
            pages.push(("…".to_owned(), None, false));
        }
    }
    for p in lo..=hi {
        pages.push((p.to_string(), Some(href(p)), p == current));
    }
    if hi < page_count && lo <= page_count {
        if hi + 1 < page_count {
            pages.push(("…".to_owned(), None, false));
        }
        pages.push((page_count.to_string(), Some(href(page_count)), false));
    }
    if current < page_count {
        pages.push(("次へ".to_owned(), Some(href(current + 1)), false));
    }
    pages
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

pub(crate) fn yen(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}{out}円", if n < 0 { "-" } else { "" })
}

/// A bid's validity as the opening recorded it, in words.
pub(crate) fn validity_label(v: &str) -> &'static str {
    match v {
        "valid" => "有効",
        "over_ceiling" => "無効（予定価格超過）",
        "under_minimum" => "失格（最低制限価格未満）",
        _ => "無効",
    }
}

async fn tender_panel(
    state: &AppState,
    viewer: &Viewer,
    case: &store::Case,
    now: i64,
    asked: bool,
) -> Result<Option<TenderPanel>, WebError> {
    let id = case.id;
    let Some(t) = state.store.tender(id).await? else {
        return Ok(None);
    };
    let phase = t.tender.phase(now);
    let facts = crate::tenders::manage::tender_facts(state, case, &t, false).await?;
    let requirements = facts
        .into_iter()
        .filter(|(k, _)| {
            matches!(
                *k,
                "参加資格等級" | "本店所在地" | "業種" | "参加申請に添付する書類"
            )
        })
        .collect();
    let bidder = viewer.has(domain::Role::ReceivingCompany);
    let mine = match viewer.user.as_ref().and_then(|u| u.company_id) {
        Some(company) if bidder => state
            .store
            .participant(id, company)
            .await?
            .map(|p| (p.status.label(), p.status.may_bid())),
        _ => None,
    };
    let answers = state
        .store
        .questions(id)
        .await?
        .into_iter()
        .filter_map(|q| {
            let at = q.answered_at?;
            Some((q.question, q.answer?, when(at)))
        })
        .collect();
    let opening = state.store.opening(id).await?;
    let opened = opening.is_some();
    let validity = validity_label;
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
                        validity: validity(&r.validity),
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
        method: match t.award_method {
            domain::tender::AwardMethod::LowestPrice => "最低価格落札方式",
            domain::tender::AwardMethod::Comprehensive => "総合評価落札方式（除算方式）",
        },
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

/// The facts a case page lists, in order, worded for the case's kind, with
/// the time left until each deadline while the case is open.
pub async fn facts_of(
    state: &AppState,
    f: &store::NewCase,
    now: i64,
) -> Result<Vec<(&'static str, String)>, WebError> {
    let company_case = f.kind.takes_entries();
    let mut facts: Vec<(&'static str, String)> = vec![
        ("種別", f.category.label().to_owned()),
        ("入札・契約方式", f.procedure.label().to_owned()),
        (
            if company_case {
                "発注企業"
            } else {
                "発注機関"
            },
            f.organization_name.clone(),
        ),
    ];
    let region = [
        match f.prefecture_code {
            Some(c) => state.store.prefecture_name(c).await?,
            None => String::new(),
        },
        f.municipality_name.clone().unwrap_or_default(),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(" ");
    if !region.is_empty() {
        facts.push(("地域", region));
    }
    if let Some(g) = f.qualification_grade.as_ref().filter(|g| !g.is_empty()) {
        facts.push((
            if company_case {
                "参加の条件"
            } else {
                "等級"
            },
            g.clone(),
        ));
    }
    // A date the source gave without a time is shown as the day alone.
    let dated = |label: &'static str, d: CaseDate, left: bool| {
        f.when(d).map(|w| {
            let mut v = w.label();
            if left && f.status == CaseStatus::Open {
                v.push_str(&format!("（{}）", domain::case::time_left(now, w.end_ms())));
            }
            (label, v)
        })
    };
    let (application, submission) = if company_case {
        ("エントリーの締切", "見積書等の提出期限")
    } else {
        ("参加申請の締切", "入札・提出の締切")
    };
    facts.extend(
        [
            dated("公告日", CaseDate::Published, false),
            dated(application, CaseDate::ApplicationDeadline, true),
            dated(submission, CaseDate::SubmissionDeadline, true),
            dated("開札日時", CaseDate::Opening, false),
            dated("納入・履行期限", CaseDate::PeriodEnd, false),
        ]
        .into_iter()
        .flatten(),
    );
    Ok(facts)
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
    let facts = facts_of(&state, &f, now).await?;
    let entry = entry_panel(&state, &viewer, id, &f, now).await?;
    let asked = query.iter().any(|(k, v)| k == "asked" && v == "1");
    let tender = tender_panel(&state, &viewer, &case_for_panel, now, asked).await?;
    let results = state
        .store
        .case_results(id)
        .await?
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
    let history = state
        .store
        .case_history(id)
        .await?
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
            csrf: viewer.csrf_token.clone(),
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

#[cfg(test)]
mod tests {
    use super::pager;

    /// The pager as text: "[n]" the current page, "n→h" a link.
    fn shown(current: usize, count: usize) -> Vec<String> {
        pager(current, count, |p| format!("p{p}"))
            .into_iter()
            .map(|(label, href, now)| match (href, now) {
                (_, true) => format!("[{label}]"),
                (None, _) => label,
                (Some(h), _) => format!("{label}→{h}"),
            })
            .collect()
    }

    #[test]
    fn the_pager_always_offers_the_first_and_the_last_page() {
        assert_eq!(shown(1, 1), Vec::<String>::new());
        assert_eq!(shown(1, 3), ["[1]", "2→p2", "3→p3", "次へ→p2"]);
        assert_eq!(
            shown(10, 20),
            [
                "前へ→p9",
                "1→p1",
                "…",
                "7→p7",
                "8→p8",
                "9→p9",
                "[10]",
                "11→p11",
                "12→p12",
                "13→p13",
                "…",
                "20→p20",
                "次へ→p11"
            ]
        );
        assert_eq!(
            shown(20, 20),
            [
                "前へ→p19",
                "1→p1",
                "…",
                "17→p17",
                "18→p18",
                "19→p19",
                "[20]"
            ]
        );
        assert_eq!(shown(5, 8)[..3], ["前へ→p4", "1→p1", "2→p2"]);
        // Past the end: back to the last page, and the first.
        assert_eq!(shown(100, 15), ["前へ→p15", "1→p1", "…"]);
    }
}
