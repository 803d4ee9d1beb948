//! A company's change of what it does here (受注・発注) goes to review.

use domain::{CompanyAction, CompanyStatus, Dealings};
use store::{Actor, NewApplication, Review, Store, StoreError};
use testkit::fixtures::{email, mail_to, new_user, profile};

/// An approved receiving company; returns (company, user).
async fn approved(store: &Store) -> (i64, i64) {
    let (company_id, user_id) = store
        .create_application(
            &NewApplication {
                profile: &profile(1),
                user: &new_user("taro"),
                confirmation_token_hash: "confirm-taro",
                token_expires_at: 3_600_000,
                mail: &mail_to(&email("taro"), "確認"),
                terms_version: "2026-12-03",
            },
            1_000,
        )
        .await
        .expect("test step");
    store
        .confirm_email("confirm-taro", None, 2_000)
        .await
        .expect("test step");
    store
        .review_company(
            &Review {
                company_id,
                seen: CompanyStatus::InReview,
                action: CompanyAction::Approve,
                reason: None,
                mail: None,
            },
            &Actor::cli("test"),
            3_000,
        )
        .await
        .expect("test step");
    (company_id, user_id)
}

fn both() -> Dealings {
    Dealings::new(true, true).expect("test step")
}

on_both_engines!(
    editing_the_profile_never_changes_what_a_company_does,
    |store| {
        let (company_id, _) = approved(&store).await;
        let mut edited = profile(1);
        edited.dealings = both();
        edited.description = "発注も始めたい".into();
        store
            .update_company_profile(company_id, &edited, 4_000)
            .await
            .expect("test step");
        let company = store
            .company(company_id)
            .await
            .expect("test step")
            .expect("test step");
        assert_eq!(company.description, "発注も始めたい");
        assert!(company.receives && !company.orders, "still receiving only");
    }
);

on_both_engines!(
    a_change_of_dealings_waits_for_review_and_applies_once_when_approved,
    |store| {
        let (company_id, user_id) = approved(&store).await;
        store
            .request_dealings_change(
                company_id,
                Some(Dealings::new(true, false).expect("test step")),
                user_id,
                4_000,
            )
            .await
            .expect("test step");
        // A second request replaces the first.
        let id = store
            .request_dealings_change(company_id, Some(both()), user_id, 5_000)
            .await
            .expect("test step")
            .expect("a request");
        let queue = store.pending_dealings_changes().await.expect("test step");
        assert_eq!(queue.len(), 1);
        assert_eq!((queue[0].id, queue[0].proposed), (id, both()));
        let company = store
            .company(company_id)
            .await
            .expect("test step")
            .expect("test step");
        assert!(!company.orders, "nothing changes before review");

        let mail = mail_to(&email("taro"), "ご利用の目的の変更を反映しました");
        store
            .review_dealings_change(id, true, None, Some(&mail), &Actor::cli("審査"), 6_000)
            .await
            .expect("test step");
        let company = store
            .company(company_id)
            .await
            .expect("test step")
            .expect("test step");
        assert!(company.orders && company.receives);
        assert!(
            store
                .pending_dealings_change(company_id)
                .await
                .expect("test step")
                .is_none()
        );
        assert!(matches!(
            store
                .review_dealings_change(id, false, Some("重複"), None, &Actor::cli("審査"), 7_000)
                .await,
            Err(StoreError::Stale)
        ));
        let log = store
            .audit_entries(&store::AuditFilter {
                action_prefix: Some("company.dealings_change".into()),
                ..Default::default()
            })
            .await
            .expect("test step");
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].action, "company.dealings_change.approve");
        assert_eq!(
            store
                .mail_to("taro@example.co.jp")
                .await
                .expect("test step")
                .len(),
            2
        );
    }
);

on_both_engines!(
    a_refused_or_withdrawn_change_leaves_the_roles_alone,
    |store| {
        let (company_id, user_id) = approved(&store).await;
        let id = store
            .request_dealings_change(company_id, Some(both()), user_id, 4_000)
            .await
            .expect("test step")
            .expect("test step");
        store
            .review_dealings_change(
                id,
                false,
                Some("発注の実績を確認できません"),
                None,
                &Actor::cli("審査"),
                5_000,
            )
            .await
            .expect("test step");
        let company = store
            .company(company_id)
            .await
            .expect("test step")
            .expect("test step");
        assert!(!company.orders);
        store
            .request_dealings_change(company_id, Some(both()), user_id, 6_000)
            .await
            .expect("test step");
        assert_eq!(
            store
                .request_dealings_change(company_id, None, user_id, 7_000)
                .await
                .expect("test step"),
            None
        );
        assert!(
            store
                .pending_dealings_change(company_id)
                .await
                .expect("test step")
                .is_none()
        );
    }
);
