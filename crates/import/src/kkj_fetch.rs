//! Fetching from the 官公需情報ポータルサイト search API, which answers at most
//! `Count` (≤ 1000) results per request and has no paging: a query with more
//! hits is split by publication date (halving the period), and a single day
//! that still has more by LG_Code (the 47 prefectures) — keeping the national
//! bodies, which have no LG_Code, from the day's own answer — and a
//! prefecture-day that still has more by Category. What still overflows
//! after that is reported, not silently dropped.

use std::future::Future;

use domain::time::jst_parts;

/// The most results the API returns per request.
pub const MAX_COUNT: u32 = 1000;

/// A date (y, m, d) as days since 1970-01-01 and back, in JST.
fn day_of(ms: i64) -> i64 {
    (ms + 9 * 3_600_000).div_euclid(86_400_000)
}

fn ymd(day: i64) -> String {
    let (y, m, d, ..) = jst_parts(day * 86_400_000 - 9 * 3_600_000);
    format!("{y:04}-{m:02}-{d:02}")
}

/// One answer as fetched: held in memory (tests, small answers) or written
/// to a file as it arrived, so that its size does not matter.
pub trait Answer {
    /// The hits the API reported and the results the answer holds, read
    /// record by record.
    fn sizes(&self) -> Result<(u64, usize), String>;
}

impl Answer for Vec<u8> {
    fn sizes(&self) -> Result<(u64, usize), String> {
        sizes(self.as_slice())
    }
}

impl Answer for tempfile::NamedTempFile {
    fn sizes(&self) -> Result<(u64, usize), String> {
        let file =
            std::fs::File::open(self.path()).map_err(|e| format!("応答を読めません：{e}"))?;
        sizes(std::io::BufReader::with_capacity(1 << 16, file))
    }
}

/// What the split fetch gathered.
#[derive(Debug)]
pub struct Gathered<D> {
    /// Every answer, in the order fetched.
    pub documents: Vec<D>,
    /// Queries that still had more hits than one answer holds.
    pub truncated: Vec<String>,
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The request URL: `base` (which may carry its own query, e.g. `Query=清掃`)
/// plus the given parameters.
pub fn url(base: &str, params: &[(&str, String)]) -> String {
    let sep = if base.contains('?') { '&' } else { '?' };
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    format!("{base}{sep}{}", query.join("&"))
}

/// Hits and returned results of one answer, counted record by record.
fn sizes(doc: impl std::io::BufRead) -> Result<(u64, usize), String> {
    let mut returned = 0;
    let hits = crate::kkj::stream(doc, &mut |_| returned += 1)?;
    Ok((hits.unwrap_or(returned as u64), returned))
}

/// Fetches everything published from `from` to `to` (ms, inclusive days, JST)
/// for the query in `base`, splitting as needed. `fetch` gets a URL and
/// answers its body.
pub async fn gather<D, F, Fut>(
    base: &str,
    from: i64,
    to: i64,
    fetch: F,
) -> Result<Gathered<D>, String>
where
    D: Answer,
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<D, String>>,
{
    let mut out = Gathered {
        documents: Vec::new(),
        truncated: Vec::new(),
    };
    // (first day, last day) still to fetch.
    let mut periods = vec![(day_of(from), day_of(to))];
    while let Some((a, b)) = periods.pop() {
        let period = format!("{}/{}", ymd(a), ymd(b));
        let params = [
            ("CFT_Issue_Date", period.clone()),
            ("Count", MAX_COUNT.to_string()),
        ];
        let doc = fetch(url(base, &params)).await?;
        let (hits, returned) = doc.sizes()?;
        if hits <= returned as u64 {
            out.documents.push(doc);
        } else if a < b {
            let mid = a + (b - a) / 2;
            periods.push((mid + 1, b));
            periods.push((a, mid));
        } else {
            // One day with more than one answer holds: the day's answer is
            // kept for the national bodies (no LG_Code), then per prefecture.
            out.documents.push(doc);
            for code in 1..=47 {
                let lg = format!("{code:02}");
                let mut params = params.to_vec();
                params.push(("LG_Code", lg.clone()));
                let doc = fetch(url(base, &params)).await?;
                let (hits, returned) = doc.sizes()?;
                out.documents.push(doc);
                if hits > returned as u64 {
                    for category in 1..=3 {
                        let mut params = params.clone();
                        params.push(("Category", category.to_string()));
                        let u = url(base, &params);
                        let doc = fetch(u.clone()).await?;
                        let (hits, returned) = doc.sizes()?;
                        out.documents.push(doc);
                        if hits > returned as u64 {
                            out.truncated.push(u);
                        }
                    }
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn answer(hits: u64, keys: &[String]) -> Vec<u8> {
        let results: String = keys
            .iter()
            .map(|k| format!("<SearchResult><Key>{k}</Key><ProjectName>案件{k}</ProjectName><OrganizationName>某市</OrganizationName></SearchResult>"))
            .collect();
        format!("<Results><SearchResults><SearchHits>{hits}</SearchHits>{results}</SearchResults></Results>").into_bytes()
    }

    #[test]
    fn a_period_with_too_many_hits_is_halved_until_each_answer_is_whole() {
        // 1,500 hits over two days: 800 on the first, 700 on the second.
        let asked = Mutex::new(Vec::new());
        let fetch = |u: String| {
            asked.lock().unwrap().push(u.clone());
            let doc = if u.contains("2026-05-01%2F2026-05-02") {
                answer(
                    1500,
                    &(0..1000).map(|i| format!("x{i}")).collect::<Vec<_>>(),
                )
            } else if u.contains("2026-05-01%2F2026-05-01") {
                answer(800, &(0..800).map(|i| format!("a{i}")).collect::<Vec<_>>())
            } else {
                answer(700, &(0..700).map(|i| format!("b{i}")).collect::<Vec<_>>())
            };
            async move { Ok(doc) }
        };
        let from = domain::time::jst_to_ms(2026, 5, 1, 0, 0);
        let to = domain::time::jst_to_ms(2026, 5, 2, 0, 0);
        let g = futures_lite(gather(
            "https://kkj.example/api/?Query=%E6%B8%85%E6%8E%83",
            from,
            to,
            fetch,
        ));
        let g = g.unwrap();
        assert_eq!(g.documents.len(), 2);
        assert!(g.truncated.is_empty());
        let asked = asked.into_inner().unwrap();
        assert_eq!(asked.len(), 3);
        assert!(
            asked[0]
                .starts_with("https://kkj.example/api/?Query=%E6%B8%85%E6%8E%83&CFT_Issue_Date=")
        );
        assert!(asked[0].ends_with("&Count=1000"));
    }

    #[test]
    fn a_day_with_too_many_hits_is_split_by_prefecture_and_keeps_national_bodies() {
        let asked = Mutex::new(0usize);
        let fetch = |u: String| {
            *asked.lock().unwrap() += 1;
            let doc = if u.contains("LG_Code=13") && !u.contains("Category") {
                answer(1200, &["t".to_owned()])
            } else if u.contains("LG_Code") {
                answer(1, &[format!("k{}", u.len())])
            } else {
                answer(5000, &["national".to_owned()])
            };
            async move { Ok(doc) }
        };
        let day = domain::time::jst_to_ms(2026, 5, 1, 0, 0);
        let g = futures_lite(gather("https://kkj.example/api/", day, day, fetch)).unwrap();
        // The day, 47 prefectures, and 3 categories for Tokyo.
        assert_eq!(*asked.lock().unwrap(), 1 + 47 + 3);
        assert_eq!(g.documents.len(), 1 + 47 + 3);
        assert_eq!(g.truncated.len(), 0, "each category answer was whole");
    }

    /// Runs a future that never waits on I/O to completion.
    fn futures_lite<T>(f: impl Future<Output = T>) -> T {
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut f = std::pin::pin!(f);
        loop {
            if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }
}
