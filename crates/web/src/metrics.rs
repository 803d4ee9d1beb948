//! Request metrics in the Prometheus text exposition format (version 0.0.4):
//! per-route request counts by status and latency histograms. Routes are the
//! router's templates (`/cases/{id}`), so the label set stays small.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Default)]
struct RouteStats {
    by_status: BTreeMap<u16, u64>,
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

/// The server's counters. One lock for all routes: an update is a few additions.
#[derive(Debug)]
pub struct Metrics {
    routes: Mutex<BTreeMap<(String, String), RouteStats>>,
    in_flight: AtomicI64,
    started: SystemTime,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        Metrics {
            routes: Mutex::new(BTreeMap::new()),
            in_flight: AtomicI64::new(0),
            started: SystemTime::now(),
        }
    }

    /// Records one answered request.
    pub fn observe(&self, method: &Method, route: &str, status: StatusCode, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        let key = (method_label(method).to_owned(), route.to_owned());
        let mut routes = self.routes.lock().unwrap_or_else(|p| p.into_inner());
        let stats = routes.entry(key).or_default();
        *stats.by_status.entry(status.as_u16()).or_default() += 1;
        for (bound, n) in BUCKETS.iter().zip(stats.buckets.iter_mut()) {
            if secs <= *bound {
                *n += 1;
            }
        }
        stats.sum += secs;
        stats.count += 1;
    }

    /// Everything, in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let routes = self.routes.lock().unwrap_or_else(|p| p.into_inner());
        out.push_str(
            "# HELP http_requests_total Requests answered, by method, route and status.\n",
        );
        out.push_str("# TYPE http_requests_total counter\n");
        for ((method, route), stats) in routes.iter() {
            for (status, n) in &stats.by_status {
                let _ = writeln!(
                    out,
                    "http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(method),
                    escape(route)
                );
            }
        }
        out.push_str(
            "# HELP http_request_duration_seconds Time to answer a request, by method and route.\n",
        );
        out.push_str("# TYPE http_request_duration_seconds histogram\n");
        for ((method, route), stats) in routes.iter() {
            let labels = format!("method=\"{}\",route=\"{}\"", escape(method), escape(route));
            for (bound, n) in BUCKETS.iter().zip(stats.buckets.iter()) {
                let _ = writeln!(
                    out,
                    "http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                stats.count
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_sum{{{labels}}} {}",
                stats.sum
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_count{{{labels}}} {}",
                stats.count
            );
        }
        drop(routes);
        out.push_str("# HELP http_requests_in_flight Requests being answered now.\n");
        out.push_str("# TYPE http_requests_in_flight gauge\n");
        let _ = writeln!(
            out,
            "http_requests_in_flight {}",
            self.in_flight.load(Ordering::Relaxed)
        );
        out.push_str(
            "# HELP process_start_time_seconds Start time of the process since the Unix epoch.\n",
        );
        out.push_str("# TYPE process_start_time_seconds gauge\n");
        let started = self
            .started
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let _ = writeln!(out, "process_start_time_seconds {started}");
        out.push_str("# HELP chance_navi_build_info The running version.\n");
        out.push_str("# TYPE chance_navi_build_info gauge\n");
        let _ = writeln!(
            out,
            "chance_navi_build_info{{version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        out
    }
}

/// Known methods by name; anything else as OTHER, so that clients cannot
/// grow the label set at will.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

struct InFlight<'a>(&'a AtomicI64);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

pub(crate) async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().clone();
    state.metrics.in_flight.fetch_add(1, Ordering::Relaxed);
    let _in_flight = InFlight(&state.metrics.in_flight);
    let start = Instant::now();
    let response = next.run(req).await;
    state
        .metrics
        .observe(&method, &route, response.status(), start.elapsed());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_counted_by_status_and_lands_in_every_bucket_above_it() {
        let m = Metrics::new();
        m.observe(&Method::GET, "/", StatusCode::OK, Duration::from_millis(20));
        m.observe(
            &Method::GET,
            "/",
            StatusCode::NOT_FOUND,
            Duration::from_millis(2),
        );
        let text = m.render();
        assert!(
            text.contains("http_requests_total{method=\"GET\",route=\"/\",status=\"200\"} 1\n")
        );
        assert!(
            text.contains("http_requests_total{method=\"GET\",route=\"/\",status=\"404\"} 1\n")
        );
        assert!(text.contains(
            "http_request_duration_seconds_bucket{method=\"GET\",route=\"/\",le=\"0.001\"} 0\n"
        ));
        assert!(text.contains(
            "http_request_duration_seconds_bucket{method=\"GET\",route=\"/\",le=\"0.005\"} 1\n"
        ));
        assert!(text.contains(
            "http_request_duration_seconds_bucket{method=\"GET\",route=\"/\",le=\"0.025\"} 2\n"
        ));
        assert!(text.contains(
            "http_request_duration_seconds_bucket{method=\"GET\",route=\"/\",le=\"+Inf\"} 2\n"
        ));
        assert!(
            text.contains("http_request_duration_seconds_count{method=\"GET\",route=\"/\"} 2\n")
        );
    }

    #[test]
    fn unusual_methods_and_label_characters_cannot_break_the_format() {
        let m = Metrics::new();
        let odd = Method::from_bytes(b"BREW").unwrap();
        m.observe(&odd, "/a\"b\\c\nd", StatusCode::OK, Duration::ZERO);
        let text = m.render();
        assert!(text.contains(r#"method="OTHER",route="/a\"b\\c\nd""#));
        assert!(!text.contains("BREW"));
    }
}
