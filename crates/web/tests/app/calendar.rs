//! A case's calendar file offers only dates still ahead: none for a
//! finished case (落札, 不調, 中止), and never a deadline already past.

use testkit::{TestApp, attrs};

const H: i64 = 3_600_000;

#[tokio::test]
async fn a_finished_case_or_one_with_every_date_past_offers_no_calendar_and_a_live_one_only_its_dates_ahead()
 {
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let now = web::auth::now_ms();
    let with = |n: u32, status: domain::CaseStatus, dates: [Option<i64>; 4]| {
        let mut c = testkit::fixtures::case(n);
        c.status = status;
        [
            c.application_deadline,
            c.submission_deadline,
            c.opening_at,
            c.period_end,
        ] = dates;
        c
    };
    let live = with(
        1,
        domain::CaseStatus::Open,
        [Some(now - H), Some(now + H), Some(now + 2 * H), None],
    );
    let awarded = with(
        2,
        domain::CaseStatus::Awarded,
        [None, Some(now + H), Some(now + 2 * H), Some(now + 100 * H)],
    );
    let past = with(
        3,
        domain::CaseStatus::Open,
        [Some(now - 3 * H), Some(now - 2 * H), Some(now - H), None],
    );
    let mut ids = Vec::new();
    for c in [&live, &awarded, &past] {
        ids.push(store.upsert_case(c, now - 10 * H).await.expect("case").id());
    }
    let link = |id: i64| format!("/cases/{id}/calendar.ics");

    let (_, page) = app.page(&format!("/cases/{}", ids[0])).await;
    assert_eq!(attrs(&page, "a[download]", "href"), [link(ids[0])]);
    let body = app.get(&link(ids[0])).await.text().await.expect("body");
    assert_eq!(
        body.matches("BEGIN:VEVENT").count(),
        2,
        "submission and opening, not the past application deadline: {body}"
    );
    assert!(!body.contains("参加申請の締切"), "{body}");

    for id in [ids[1], ids[2]] {
        let (status, page) = app.page(&format!("/cases/{id}")).await;
        assert_eq!(status, 200);
        assert!(
            attrs(&page, &format!("a[href='{}']", link(id)), "href").is_empty(),
            "no calendar link on /cases/{id}"
        );
        assert_eq!(app.get(&link(id)).await.status(), 404, "{}", link(id));
    }
    app.shutdown().await;
}
