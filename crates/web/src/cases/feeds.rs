//! A case's deadlines as an iCalendar file (RFC 5545), and any search as an
//! Atom feed (RFC 4287), so that people can follow both in their own tools.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use domain::{CaseDate, When};
use store::Case;

use crate::{AppState, WebError};

use content::ics::{text as ics_text, utc as ics_time};

/// Folds a content line at 75 octets without splitting a character.
fn fold(line: &str) -> String {
    let mut out = String::new();
    content::ics::fold(&mut out, line);
    out
}

fn ics_date(ms: i64) -> String {
    let (y, mo, d, ..) = domain::time::jst_parts(ms);
    format!("{y:04}{mo:02}{d:02}")
}

/// The case's dates still ahead at `now`, for a calendar: none once the
/// case is finished (落札, 不調, 中止), and never one already past.
pub fn dates_ahead(c: &Case, now: i64) -> Vec<(&'static str, &'static str, When)> {
    if c.fields.status.is_finished() {
        return Vec::new();
    }
    [
        (
            "application",
            "参加申請の締切",
            CaseDate::ApplicationDeadline,
        ),
        (
            "submission",
            "入札・提出の締切",
            CaseDate::SubmissionDeadline,
        ),
        ("opening", "開札", CaseDate::Opening),
        ("period-end", "納入・履行期限", CaseDate::PeriodEnd),
    ]
    .into_iter()
    .filter_map(|(key, label, date)| {
        let at = c.fields.when(date)?;
        (at.end_ms() >= now).then_some((key, label, at))
    })
    .collect()
}

/// The calendar of one case's dates still ahead.
pub fn calendar(c: &Case, site: &str, now: i64) -> String {
    let f = &c.fields;
    let mut out = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//chance-navi//案件の締切//JA\r\nCALSCALE:GREGORIAN\r\n",
    );
    for (key, label, at) in dates_ahead(c, now) {
        // A date given without a time is an all-day event (RFC 5545 DATE).
        let (start, end) = match at {
            When::Day(..) => (
                format!("DTSTART;VALUE=DATE:{}", ics_date(at.start_ms())),
                format!("DTEND;VALUE=DATE:{}", ics_date(at.end_ms() + 1)),
            ),
            When::At(ms) => (
                format!("DTSTART:{}", ics_time(ms)),
                format!("DTEND:{}", ics_time(ms)),
            ),
        };
        let url = format!("{site}/cases/{}", c.id);
        for line in [
            "BEGIN:VEVENT".to_owned(),
            format!("UID:case-{}-{key}@chance-navi", c.id),
            format!("DTSTAMP:{}", ics_time(now)),
            start,
            end,
            format!("SUMMARY:{}", ics_text(&format!("【{label}】{}", f.title))),
            format!(
                "DESCRIPTION:{}",
                ics_text(&format!("{}\n{url}", f.organization_name))
            ),
            format!("URL:{url}"),
            "BEGIN:VALARM".to_owned(),
            "ACTION:DISPLAY".to_owned(),
            "TRIGGER:-P1D".to_owned(),
            format!(
                "DESCRIPTION:{}",
                ics_text(&format!("明日は{label}です：{}", f.title))
            ),
            "END:VALARM".to_owned(),
            "END:VEVENT".to_owned(),
        ] {
            out.push_str(&fold(&line));
        }
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

pub async fn ics(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::not_found())?;
    let case = state
        .store
        .case(id)
        .await?
        .filter(|c| c.fields.status.is_public())
        .ok_or_else(WebError::not_found)?;
    let now = crate::auth::now_ms();
    if dates_ahead(&case, now).is_empty() {
        return Err(WebError::not_found());
    }
    let body = calendar(&case, &state.settings.public_url, now);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"case-{id}.ics\""))
                    .map_err(WebError::internal)?,
            ),
        ],
        body,
    )
        .into_response())
}

/// The Atom feed of a search's newest cases.
pub fn atom(cases: &[Case], site: &str, self_href: &str, now: i64) -> String {
    let entries: Vec<crate::atom::Entry> = cases
        .iter()
        .map(|c| {
            let f = &c.fields;
            let deadline = f
                .when(CaseDate::SubmissionDeadline)
                .map(|d| format!("締切：{}　", d.label()))
                .unwrap_or_default();
            crate::atom::Entry {
                title: f.title.clone(),
                url: format!("{site}/cases/{}", c.id),
                updated: c.updated_at.max(f.published_at.unwrap_or(0)),
                author: if f.organization_name.is_empty() {
                    "ビジネスチャンス・ナビ".to_owned()
                } else {
                    f.organization_name.clone()
                },
                category: Some((f.kind.as_str().to_owned(), f.kind.label().to_owned())),
                summary: format!(
                    "{deadline}{}",
                    f.description.chars().take(200).collect::<String>()
                ),
            }
        })
        .collect();
    crate::atom::feed(
        &crate::atom::Feed {
            title: "ビジネスチャンス・ナビ 新着案件",
            self_url: format!("{site}{self_href}"),
            alternate_url: format!(
                "{site}{}",
                self_href.replacen("/cases/feed.atom", "/cases", 1)
            ),
            updated: cases.iter().map(|c| c.updated_at).max().unwrap_or(now),
        },
        &entries,
    )
}

pub async fn feed(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let mut q = super::params::parse(&pairs)?;
    q.sort = search::Sort::Newest;
    q.page = 0;
    q.per_page = 50;
    let now = crate::auth::now_ms();
    let result = state.search.search(&q, now).map_err(WebError::internal)?;
    let cases = state.store.cases_by_ids(&result.ids).await?;
    let query = super::params::to_query_string(&q, 1)
        .replace("&per_page=50", "")
        .replace("per_page=50", "");
    let self_href = if query.is_empty() {
        "/cases/feed.atom".to_owned()
    } else {
        format!("/cases/feed.atom?{query}")
    };
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/atom+xml; charset=utf-8"),
        )],
        atom(&cases, &state.settings.public_url, &self_href, now),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let line = format!("SUMMARY:{}", "清".repeat(40));
        let folded = fold(&line);
        for part in folded.split("\r\n").filter(|p| !p.is_empty()) {
            assert!(part.len() <= 75, "{} octets", part.len());
        }
        assert_eq!(folded.replace("\r\n ", "").trim_end(), line);
    }

    #[test]
    fn text_values_are_escaped() {
        assert_eq!(ics_text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn times_are_written_in_utc() {
        assert_eq!(
            ics_time(domain::time::jst_to_ms(2026, 1, 15, 17, 0)),
            "20260115T080000Z"
        );
    }
}
