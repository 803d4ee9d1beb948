//! The facts pages list about a case and a tender, as (label, value) rows:
//! the case page, the order pages and the tender pages all show them, so
//! they live here rather than in any one feature.

use domain::{CaseDate, CaseStatus};
use store::{Case, TenderRecord};

use crate::present::{when, yen};
use crate::{AppState, WebError};

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

/// Who may take part in a tender (参加資格), with names for the codes.
pub async fn requirement_facts(
    state: &AppState,
    t: &TenderRecord,
) -> Result<Vec<(&'static str, String)>, WebError> {
    let r = &t.requirements;
    let prefectures = state.store.prefectures().await?;
    let divisions = state.store.industry_divisions().await?;
    let any = |v: Vec<String>| {
        if v.is_empty() {
            "問わない".to_owned()
        } else {
            v.join("、")
        }
    };
    Ok(vec![
        (
            "参加資格等級",
            any(r.grades.iter().map(|g| format!("{g}等級")).collect()),
        ),
        (
            "本店所在地",
            any(r
                .prefectures
                .iter()
                .filter_map(|c| prefectures.iter().find(|(p, _)| p == c))
                .map(|(_, n)| n.clone())
                .collect()),
        ),
        (
            "業種",
            any(r
                .industries
                .iter()
                .filter_map(|s| divisions.iter().find(|d| d.section_code == *s))
                .map(|d| d.section_name.clone())
                .collect()),
        ),
        (
            "参加申請に添付する書類",
            if r.documents.is_empty() {
                "指定なし".to_owned()
            } else {
                r.documents.clone()
            },
        ),
    ])
}

/// The facts of the notice as its staff see them: the organisation, the
/// schedule, both prices and who may take part.
pub async fn tender_facts(
    state: &AppState,
    case: &Case,
    t: &TenderRecord,
) -> Result<Vec<(&'static str, String)>, WebError> {
    let s = t.tender.schedule;
    let mut facts = vec![
        ("発注機関", case.fields.organization_name.clone()),
        ("入札・契約方式", case.fields.procedure.label().to_owned()),
        ("落札方式", t.award_method.label().to_owned()),
        ("公告日", when(s.published_at)),
        ("参加申請締切", when(s.application_deadline)),
        ("資格審査結果通知日", when(s.qualification_notice_at)),
        ("入札書受付開始", when(s.bidding_opens_at)),
        ("入札締切", when(s.bid_deadline)),
        ("開札日時", when(s.opening_at)),
    ];
    facts.push((
        "予定価格",
        format!(
            "{}（{}）",
            yen(t.ceiling_yen),
            if t.ceiling_public {
                "事前公表"
            } else {
                "開札後に公表"
            }
        ),
    ));
    facts.push((
        "最低制限価格",
        t.minimum_yen.map_or_else(|| "設けない".to_owned(), yen),
    ));
    facts.extend(requirement_facts(state, t).await?);
    Ok(facts)
}
