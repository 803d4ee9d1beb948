//! Slow and idle clients: a slow header, an idle kept-alive connection and a
//! half-sent request are each closed, and connections beyond the limit wait
//! (the server keeps answering once the slow ones are gone).

use std::time::{Duration, Instant};

use testkit::{Backend, TestApp};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn app_with(limits: web::ConnectionLimits) -> TestApp {
    let settings = web::WebSettings {
        connections: limits,
        ..web::WebSettings::default()
    };
    TestApp::spawn_with(Backend::Sqlite, web::routes(), settings).await
}

/// Reads until the server closes the connection; how long that took, and
/// what it sent.
async fn until_closed(stream: &mut TcpStream, limit: Duration) -> (Duration, Vec<u8>) {
    let start = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(limit, stream.read(&mut buf)).await {
            Err(_) => panic!("the server kept the connection open for {limit:?}"),
            Ok(Ok(0)) | Ok(Err(_)) => return (start.elapsed(), got),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

const SECOND: Duration = Duration::from_secs(1);

#[tokio::test]
async fn a_request_whose_headers_never_finish_is_closed() {
    let app = app_with(web::ConnectionLimits {
        header_timeout: SECOND,
        idle_timeout: Duration::from_secs(30),
        ..web::ConnectionLimits::default()
    })
    .await;
    let mut s = TcpStream::connect(app.addr).await.unwrap();
    // A byte every half second keeps the connection busy but never ends the headers.
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let drip = async {
        for _ in 0..20 {
            tokio::time::sleep(Duration::from_millis(500)).await;
            if s.write_all(b"X").await.is_err() {
                return;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), drip).await;
    let (_, got) = until_closed(&mut s, Duration::from_secs(5)).await;
    assert!(
        got.is_empty() || String::from_utf8_lossy(&got).starts_with("HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&got)
    );
}

#[tokio::test]
async fn an_idle_kept_alive_connection_and_a_half_sent_body_are_closed() {
    let app = app_with(web::ConnectionLimits {
        header_timeout: Duration::from_secs(30),
        idle_timeout: SECOND,
        ..web::ConnectionLimits::default()
    })
    .await;
    // Kept alive after a whole request and answer, then silent.
    let mut s = TcpStream::connect(app.addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let (took, got) = until_closed(&mut s, Duration::from_secs(10)).await;
    assert!(String::from_utf8_lossy(&got).starts_with("HTTP/1.1 200"));
    assert!(took < Duration::from_secs(5), "{took:?}");
    // A body announced as 100 bytes of which 10 arrive.
    let mut s = TcpStream::connect(app.addr).await.unwrap();
    s.write_all(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=a%40")
        .await
        .unwrap();
    let (took, _) = until_closed(&mut s, Duration::from_secs(10)).await;
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[tokio::test]
async fn a_request_the_server_cannot_read_gets_the_portals_own_page() {
    let app = app_with(web::ConnectionLimits::default()).await;
    let long_url = format!(
        "GET /cases?q={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "清".repeat(30_000)
    );
    let big_header = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nCookie: {}\r\n\r\n",
        "c".repeat(600_000)
    );
    for (request, status, says) in [
        (long_url.into_bytes(), "414", "URLが長すぎる"),
        (big_header.into_bytes(), "431", "Cookie"),
        (
            b"NOT HTTP AT ALL\x01\r\n\r\n".to_vec(),
            "400",
            "リクエストの内容が正しくありません",
        ),
    ] {
        let mut s = TcpStream::connect(app.addr).await.unwrap();
        // The server may answer (and close) before it has read everything.
        let _ = s.write_all(&request).await;
        let (_, got) = until_closed(&mut s, Duration::from_secs(10)).await;
        let got = String::from_utf8_lossy(&got);
        assert!(got.starts_with(&format!("HTTP/1.1 {status} ")), "{got}");
        let (head, body) = got.split_once("\r\n\r\n").expect("a head and a body");
        assert!(
            head.contains("content-type: text/html; charset=utf-8"),
            "{head}"
        );
        assert!(head.contains("content-security-policy: "), "{head}");
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .expect("a length")
            .parse()
            .expect("a number");
        assert_eq!(length, body.len(), "the body is whole");
        assert!(
            body.contains("<html lang=\"ja\">") && body.contains(says),
            "{body}"
        );
    }
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_and_the_server_answers_once_slow_ones_are_closed() {
    let app = app_with(web::ConnectionLimits {
        max_connections: 8,
        header_timeout: SECOND,
        idle_timeout: SECOND,
    })
    .await;
    // Eight clients open connections at once and send nothing.
    let mut slow = Vec::new();
    for _ in 0..8 {
        slow.push(TcpStream::connect(app.addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    // A ninth is not served while they hold every place…
    let waiting = tokio::spawn({
        let url = app.url("/healthz");
        async move {
            let start = Instant::now();
            let r = reqwest::get(url).await.expect("answered in the end");
            (start.elapsed(), r.status())
        }
    });
    // …until the slow ones are closed for their silence; then it is.
    let (took, status) = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("answered within the timeouts")
        .unwrap();
    assert_eq!(status, 200);
    assert!(
        took >= Duration::from_millis(500),
        "it waited for a place: {took:?}"
    );
    for mut s in slow {
        until_closed(&mut s, Duration::from_secs(5)).await;
    }
    // Many clients at once, within the limit in turns: every one answered.
    let client = reqwest::Client::new();
    let all = (0..40).map(|_| client.get(app.url("/healthz")).send());
    for r in futures_join(all).await {
        assert_eq!(r.expect("answered").status(), 200);
    }
}

async fn futures_join<F>(fs: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = fs.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}
