//! The search's parameters, shared by the page and the API, read leniently
//! from the query string: an unknown value is a clear error, never a 500.

use domain::{CaseKind, Category, Procedure};
use search::{CaseQuery, OpenState, Sort};

use crate::{ErrorKind, WebError};

pub use search::{DEFAULT_PER_PAGE, MAX_DEPTH, MAX_PER_PAGE};

/// Parses the query string's pairs into a search.
pub fn parse(pairs: &[(String, String)]) -> Result<CaseQuery, WebError> {
    let mut q = CaseQuery {
        per_page: DEFAULT_PER_PAGE,
        ..CaseQuery::default()
    };
    let bad = |what: &str, value: &str| {
        let shown: String = value.chars().take(40).collect();
        WebError::new(
            ErrorKind::BadRequest,
            format!("検索条件の「{what}」に使えない値（{shown}）が指定されています。"),
        )
    };
    for (key, value) in pairs {
        let v = value.trim();
        if v.is_empty() {
            continue;
        }
        match key.as_str() {
            "q" => {
                if !q.text.is_empty() {
                    q.text.push(' ');
                }
                q.text.push_str(v);
            }
            "kind" => q
                .kinds
                .push(CaseKind::parse(v).map_err(|_| bad("種類", v))?),
            "category" => q
                .categories
                .push(Category::parse(v).map_err(|_| bad("種別", v))?),
            "procedure" => q
                .procedures
                .push(Procedure::parse(v).map_err(|_| bad("入札方式", v))?),
            "prefecture" => {
                let code = v
                    .parse::<i64>()
                    .ok()
                    .filter(|c| (1..=47).contains(c))
                    .ok_or_else(|| bad("都道府県", v))?;
                q.prefectures.push(code);
            }
            "organization" => q.organizations.push(v.chars().take(200).collect()),
            "status" => {
                q.state = Some(match v {
                    "open" => OpenState::Open,
                    "closed" => OpenState::Closed,
                    _ => return Err(bad("募集状況", v)),
                })
            }
            "deadline_from" => {
                q.deadline_from = Some(date(v).ok_or_else(|| bad("締切日（から）", v))?)
            }
            "deadline_to" => {
                // Inclusive of the whole day.
                q.deadline_to = Some(date(v).ok_or_else(|| bad("締切日（まで）", v))? + 86_400_000);
            }
            "sort" => {
                q.sort = match v {
                    "newest" => Sort::Newest,
                    "deadline" => Sort::Deadline,
                    "relevance" => Sort::Relevance,
                    _ => return Err(bad("並び順", v)),
                }
            }
            "page" => {
                // A page past the last one — or past the index's depth
                // (search::MAX_DEPTH) — is answered as empty, and the page
                // says where the results end; the number is bounded so that
                // links stay short.
                let p = v
                    .parse::<u64>()
                    .ok()
                    .filter(|p| *p >= 1)
                    .ok_or_else(|| bad("ページ", v))?;
                q.page = usize::try_from(p - 1).unwrap_or(MAX_DEPTH).min(MAX_DEPTH);
            }
            "per_page" => {
                q.per_page = v
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_PER_PAGE).contains(n))
                    .ok_or_else(|| bad("表示件数", v))?;
            }
            // Other parameters (tracking tags and the like) are ignored.
            _ => {}
        }
    }
    Ok(q)
}

/// "2026-01-15" (JST) → the day's first millisecond in UTC.
fn date(s: &str) -> Option<i64> {
    let s: String = domain::text::normalize(s);
    let mut parts = s.split(['-', '/']);
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if parts.next().is_some()
        || !(1900..=2200).contains(&y)
        || !(1..=12).contains(&m)
        || !(1..=31).contains(&d)
    {
        return None;
    }
    Some(domain::time::jst_to_ms(y, m, d, 0, 0))
}

/// The query string for `q`, with `page` (1-based), for links.
pub fn to_query_string(q: &CaseQuery, page: usize) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if !q.text.is_empty() {
        pairs.push(("q", q.text.clone()));
    }
    pairs.extend(q.kinds.iter().map(|k| ("kind", k.as_str().to_owned())));
    pairs.extend(
        q.categories
            .iter()
            .map(|k| ("category", k.as_str().to_owned())),
    );
    pairs.extend(
        q.procedures
            .iter()
            .map(|k| ("procedure", k.as_str().to_owned())),
    );
    pairs.extend(q.prefectures.iter().map(|p| ("prefecture", p.to_string())));
    pairs.extend(q.organizations.iter().map(|o| ("organization", o.clone())));
    match q.state {
        Some(OpenState::Open) => pairs.push(("status", "open".into())),
        Some(OpenState::Closed) => pairs.push(("status", "closed".into())),
        None => {}
    }
    let day = |ms: i64| {
        let (y, m, d, ..) = domain::time::jst_parts(ms);
        format!("{y:04}-{m:02}-{d:02}")
    };
    if let Some(f) = q.deadline_from {
        pairs.push(("deadline_from", day(f)));
    }
    if let Some(t) = q.deadline_to {
        pairs.push(("deadline_to", day(t - 86_400_000)));
    }
    match q.sort {
        Sort::Newest => {}
        Sort::Deadline => pairs.push(("sort", "deadline".into())),
        Sort::Relevance => pairs.push(("sort", "relevance".into())),
    }
    if q.per_page != DEFAULT_PER_PAGE {
        pairs.push(("per_page", q.per_page.to_string()));
    }
    if page > 1 {
        pairs.push(("page", page.to_string()));
    }
    pairs
        .into_iter()
        .map(|(k, v)| format!("{k}={}", crate::auth::encode_query(&v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(s: &[(&str, &str)]) -> Vec<(String, String)> {
        s.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn parameters_round_trip_through_the_query_string() {
        let q = parse(&pairs(&[
            ("q", "清掃 -駐車場"),
            ("kind", "public_tender"),
            ("category", "役務"),
            ("prefecture", "13"),
            ("status", "open"),
            ("deadline_from", "2026-01-01"),
            ("deadline_to", "2026-01-31"),
            ("sort", "deadline"),
            ("page", "2"),
        ]))
        .unwrap();
        assert_eq!(q.page, 1);
        assert_eq!(q.categories, [Category::Services]);
        let again = parse(
            &to_query_string(&q, 2)
                .split('&')
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap();
                    (k.to_owned(), percent_decode(v))
                })
                .collect::<Vec<_>>(),
        )
        .unwrap();
        assert_eq!(format!("{again:?}"), format!("{q:?}"));
    }

    fn percent_decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn unknown_values_are_a_clear_error() {
        for (k, v) in [
            ("kind", "xyz"),
            ("prefecture", "48"),
            ("status", "maybe"),
            ("page", "0"),
            ("per_page", "1000"),
            ("deadline_from", "2026-13-01"),
            ("sort", "random"),
        ] {
            let e = parse(&pairs(&[(k, v)])).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::BadRequest, "{k}={v}");
        }
        assert!(parse(&pairs(&[("utm_source", "mail"), ("q", "")])).is_ok());
    }
}
