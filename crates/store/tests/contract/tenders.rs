//! E-tenders: the clock and the participation decide who may bid when;
//! a bid is stored once, with its receipt and audit entry.

use domain::Role;
use domain::tender::{Action, AwardMethod, Schedule};
use store::{Actor, NewTender, Participation, Store, StoreError};
use testkit::fixtures::case;
use testkit::people::person;

const H: i64 = 3_600_000;
const T0: i64 = 1_800_000_000_000;

fn schedule() -> Schedule {
    Schedule {
        published_at: T0 + H,
        application_deadline: T0 + 10 * H,
        qualification_notice_at: T0 + 12 * H,
        bidding_opens_at: T0 + 20 * H,
        bid_deadline: T0 + 30 * H,
        opening_at: T0 + 31 * H,
    }
}

async fn company(store: &Store, n: u32) -> i64 {
    let user = person(store, Role::ReceivingCompany, n)
        .await
        .expect("person");
    store
        .user(user)
        .await
        .expect("read")
        .expect("user")
        .company_id
        .expect("company")
}

async fn tender(store: &Store) -> i64 {
    let mut c = case(1);
    c.kind = domain::CaseKind::ETender;
    store
        .create_tender(
            &NewTender {
                case: c,
                schedule: schedule(),
                ceiling_yen: 1_000_000,
                ceiling_public: false,
                minimum_yen: Some(700_000),
                award_method: AwardMethod::LowestPrice,
                requirements: Default::default(),
                documents: Vec::new(),
                created_by: None,
            },
            |id| Ok((vec![id as u8; 32], vec![9; 57])),
            T0,
        )
        .await
        .expect("tender")
}

on_both_engines!(
    bids_are_taken_only_in_time_from_approved_companies_and_once,
    |store| {
        let staff = Actor::cli("test");
        let id = tender(&store).await;
        let (a, b, c) = (
            company(&store, 1).await,
            company(&store, 2).await,
            company(&store, 3).await,
        );
        store
            .tender_action(id, Action::Publish, &staff, T0)
            .await
            .unwrap();
        assert_eq!(
            store.case(id).await.unwrap().unwrap().fields.status,
            domain::CaseStatus::Open
        );
        // Applications only in the application period.
        assert!(matches!(
            store
                .set_participation(id, a, Participation::Applied, None, &staff, T0)
                .await,
            Err(StoreError::Invalid(_))
        ));
        for co in [a, b, c] {
            store
                .set_participation(id, co, Participation::Applied, None, &staff, T0 + 2 * H)
                .await
                .unwrap();
        }
        store
            .set_participation(id, a, Participation::Approved, None, &staff, T0 + 11 * H)
            .await
            .unwrap();
        store
            .set_participation(id, b, Participation::Approved, None, &staff, T0 + 11 * H)
            .await
            .unwrap();
        store
            .set_participation(
                id,
                c,
                Participation::Rejected,
                Some("等級が要件を満たしません"),
                &staff,
                T0 + 11 * H,
            )
            .await
            .unwrap();
        // Not yet, then in time, then once only.
        let early = store
            .submit_bid(id, a, None, Some(b"sealed-a"), &staff, T0 + 19 * H)
            .await;
        assert!(
            matches!(early, Err(StoreError::Invalid(ref m)) if m.contains("受付期間")),
            "{early:?}"
        );
        let receipt = store
            .submit_bid(id, a, None, Some(b"sealed-a"), &staff, T0 + 30 * H - 1)
            .await
            .unwrap();
        assert!(receipt.receipt_no.starts_with(&format!("{id}-")));
        assert_eq!(receipt.sealed_hash, domain::audit::sha256_hex(b"sealed-a"));
        assert!(matches!(
            store
                .submit_bid(id, a, None, Some(b"again"), &staff, T0 + 30 * H - 1)
                .await,
            Err(StoreError::Conflict { field: "bid" })
        ));
        let late = store
            .submit_bid(id, b, None, Some(b"sealed-b"), &staff, T0 + 30 * H)
            .await;
        assert!(
            matches!(late, Err(StoreError::Invalid(ref m)) if m.contains("入札締切")),
            "{late:?}"
        );
        let rejected = store
            .submit_bid(id, c, None, None, &staff, T0 + 25 * H)
            .await;
        assert!(
            matches!(rejected, Err(StoreError::Invalid(ref m)) if m.contains("参加資格")),
            "{rejected:?}"
        );
        let declined = store
            .submit_bid(id, b, None, None, &staff, T0 + 25 * H)
            .await
            .unwrap();
        assert!(declined.declined);
        let bids = store.sealed_bids(id).await.unwrap();
        assert_eq!(bids.len(), 2);
        assert_eq!(bids[0].company_id, b, "in order of receipt");
        assert_eq!(bids[1].sealed.as_deref(), Some(&b"sealed-a"[..]));
        // Opening waits for its time; then a result, once.
        assert!(
            store
                .tender_action(id, Action::Open, &staff, T0 + 31 * H - 1)
                .await
                .is_err()
        );
        store
            .tender_action(id, Action::Open, &staff, T0 + 31 * H)
            .await
            .unwrap();
        store
            .tender_action(id, Action::Award, &staff, T0 + 32 * H)
            .await
            .unwrap();
        assert!(
            store
                .tender_action(id, Action::Cancel, &staff, T0 + 33 * H)
                .await
                .is_err()
        );
        assert_eq!(
            store.case(id).await.unwrap().unwrap().fields.status,
            domain::CaseStatus::Awarded
        );
        // Every step is in the audit log, and the chain holds.
        let entries = store
            .audit_entries(&store::AuditFilter {
                action_prefix: Some("tender.".into()),
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(
            entries.iter().any(
                |e| e.action == "tender.bid_received" && e.detail.contains(&receipt.receipt_no)
            )
        );
        assert!(entries.iter().any(|e| e.action == "tender.bid_declined"));
        assert_eq!(store.verify_audit_chain().await.unwrap().first_broken, None);
    }
);
