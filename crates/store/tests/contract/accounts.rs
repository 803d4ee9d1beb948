//! Companies, users, tokens, sessions and sign-in attempts.

use domain::{CompanyAction, CompanyStatus, StaffRole};
use store::{Actor, NewApplication, Review, Store, StoreError, TokenPurpose};
use testkit::fixtures::{email, mail_to, new_user, profile};

const HOUR: i64 = 3_600_000;

/// Applies company `n` with user `local`; returns (company, user).
async fn apply(store: &Store, n: u32, local: &str) -> (i64, i64) {
    let user = new_user(local);
    let mail = mail_to(&user.email, "メールアドレスの確認");
    store
        .create_application(
            &NewApplication {
                profile: &profile(n),
                user: &user,
                confirmation_token_hash: &format!("confirm-{local}"),
                token_expires_at: 24 * HOUR,
                mail: &mail,
                terms_version: "2026-12-03",
            },
            1_000,
        )
        .await
        .expect("application")
}

fn review<'a>(
    company_id: i64,
    seen: CompanyStatus,
    action: CompanyAction,
    reason: Option<&'a str>,
    mail: Option<&'a store::NewMail>,
) -> Review<'a> {
    Review {
        company_id,
        seen,
        action,
        reason,
        mail,
    }
}

fn operator() -> Actor {
    Actor {
        user_id: None,
        label: "運営者 テスト".into(),
        ip: Some("192.0.2.10".into()),
    }
}

on_both_engines!(
    an_application_creates_the_company_its_user_and_the_confirmation_mail,
    |store| {
        let (company_id, user_id) = apply(&store, 1, "taro").await;
        let company = store.company(company_id).await.unwrap().expect("company");
        assert_eq!(company.status, CompanyStatus::EmailUnconfirmed);
        assert_eq!(company.name, "株式会社テスト精工1");
        assert_eq!(company.member_organization_ids, vec![1, 2]);
        assert_eq!(company.phone, "0312345678");
        assert!(company.receives && !company.orders);
        let user = store.user(user_id).await.unwrap().expect("user");
        assert_eq!(user.company_id, Some(company_id));
        assert!(!user.email_confirmed);
        let mail = store.mail_to("taro@example.co.jp").await.unwrap();
        assert_eq!(mail.len(), 1);
        assert_eq!(mail[0].subject, "メールアドレスの確認");
    }
);

on_both_engines!(
    a_taken_email_or_corporate_number_is_a_conflict_and_nothing_is_half_written,
    |store| {
        apply(&store, 1, "taro").await;
        let user = new_user("TARO"); // same address, other case
        let mail = mail_to(&user.email, "x");
        let err = store
            .create_application(
                &NewApplication {
                    profile: &profile(2),
                    user: &user,
                    confirmation_token_hash: "t2",
                    token_expires_at: HOUR,
                    mail: &mail,
                    terms_version: "2026-12-03",
                },
                2_000,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict { field: "email" }),
            "{err:?}"
        );
        assert!(
            store
                .companies_with_status(CompanyStatus::EmailUnconfirmed, 10, 0)
                .await
                .unwrap()
                .len()
                == 1
        );
        assert_eq!(store.mail_to("TARO@example.co.jp").await.unwrap().len(), 0);

        let user = new_user("hanako");
        let err = store
            .create_application(
                &NewApplication {
                    profile: &profile(1),
                    user: &user,
                    confirmation_token_hash: "t3",
                    token_expires_at: HOUR,
                    mail: &mail_to(&user.email, "x"),
                    terms_version: "2026-12-03",
                },
                2_000,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Conflict {
                    field: "corporate_number"
                }
            ),
            "{err:?}"
        );
        assert!(
            store
                .user_by_email(&email("hanako"))
                .await
                .unwrap()
                .is_none()
        );
    }
);

on_both_engines!(
    confirming_the_email_sends_the_application_to_review_once,
    |store| {
        let (company_id, user_id) = apply(&store, 1, "taro").await;
        let notice = mail_to(&email("review-desk"), "新しい利用申請");
        assert_eq!(
            store
                .confirm_email("confirm-taro", Some(&notice), 2_000)
                .await
                .unwrap(),
            Some(user_id)
        );
        assert_eq!(
            store.company(company_id).await.unwrap().unwrap().status,
            CompanyStatus::InReview
        );
        assert!(store.user(user_id).await.unwrap().unwrap().email_confirmed);
        assert_eq!(
            store
                .mail_to("review-desk@example.co.jp")
                .await
                .unwrap()
                .len(),
            1
        );
        // The link works once.
        assert_eq!(
            store
                .confirm_email("confirm-taro", Some(&notice), 3_000)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            store
                .mail_to("review-desk@example.co.jp")
                .await
                .unwrap()
                .len(),
            1
        );
    }
);

on_both_engines!(an_expired_confirmation_link_is_refused, |store| {
    apply(&store, 1, "taro").await;
    assert_eq!(
        store
            .confirm_email("confirm-taro", None, 24 * HOUR)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .confirm_email("no-such-token", None, 2_000)
            .await
            .unwrap(),
        None
    );
});

on_both_engines!(a_review_is_applied_once_recorded_and_mailed, |store| {
    let (company_id, _) = apply(&store, 1, "taro").await;
    store
        .confirm_email("confirm-taro", None, 2_000)
        .await
        .unwrap();
    let mail = mail_to(&email("taro"), "利用申請を承認しました");
    let next = store
        .review_company(
            &review(
                company_id,
                CompanyStatus::InReview,
                CompanyAction::Approve,
                None,
                Some(&mail),
            ),
            &operator(),
            3_000,
        )
        .await
        .unwrap();
    assert_eq!(next, CompanyStatus::Approved);
    // A second reviewer who saw the old status is told it changed.
    let stale = store
        .review_company(
            &review(
                company_id,
                CompanyStatus::InReview,
                CompanyAction::Reject,
                Some("x"),
                None,
            ),
            &operator(),
            3_001,
        )
        .await
        .unwrap_err();
    assert!(matches!(stale, StoreError::Stale), "{stale:?}");
    assert_eq!(
        store.company(company_id).await.unwrap().unwrap().status,
        CompanyStatus::Approved
    );
    let subjects: Vec<String> = store
        .mail_to("taro@example.co.jp")
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.subject)
        .collect();
    assert_eq!(subjects, ["メールアドレスの確認", "利用申請を承認しました"]);
    let log = store
        .audit_entries(&store::AuditFilter {
            action_prefix: Some("company.".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].action, "company.approve");
    assert_eq!(log[0].target_id, company_id.to_string());
    assert_eq!(log[0].ip.as_deref(), Some("192.0.2.10"));
});

on_both_engines!(an_impossible_review_action_is_refused, |store| {
    let (company_id, _) = apply(&store, 1, "taro").await;
    let err = store
        .review_company(
            &review(
                company_id,
                CompanyStatus::EmailUnconfirmed,
                CompanyAction::Approve,
                None,
                None,
            ),
            &operator(),
            2_000,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)));
});

on_both_engines!(suspending_a_company_signs_its_users_out_at_once, |store| {
    let (company_id, user_id) = apply(&store, 1, "taro").await;
    store
        .confirm_email("confirm-taro", None, 2_000)
        .await
        .unwrap();
    store
        .review_company(
            &review(
                company_id,
                CompanyStatus::InReview,
                CompanyAction::Approve,
                None,
                None,
            ),
            &operator(),
            3_000,
        )
        .await
        .unwrap();
    store
        .create_session("s1", user_id, "csrf", 4_000, 100 * HOUR, 100 * HOUR)
        .await
        .unwrap();
    let session = store
        .session("s1", 5_000)
        .await
        .unwrap()
        .expect("live session");
    assert_eq!(session.user.company_status, Some(CompanyStatus::Approved));
    store
        .review_company(
            &review(
                company_id,
                CompanyStatus::Approved,
                CompanyAction::Suspend,
                Some("規約違反"),
                None,
            ),
            &operator(),
            6_000,
        )
        .await
        .unwrap();
    assert!(store.session("s1", 7_000).await.unwrap().is_none());
    let company = store.company(company_id).await.unwrap().unwrap();
    assert_eq!(company.status_reason.as_deref(), Some("規約違反"));
});

on_both_engines!(
    a_returned_application_is_corrected_and_resubmitted,
    |store| {
        let (company_id, _) = apply(&store, 1, "taro").await;
        store
            .confirm_email("confirm-taro", None, 2_000)
            .await
            .unwrap();
        store
            .review_company(
                &review(
                    company_id,
                    CompanyStatus::InReview,
                    CompanyAction::Return,
                    Some("住所を番地まで"),
                    None,
                ),
                &operator(),
                3_000,
            )
            .await
            .unwrap();
        let mut corrected = profile(1);
        corrected.address = "千代田区丸の内一丁目1番1号".into();
        corrected.name = "株式会社テスト精工（訂正）".into();
        store
            .resubmit_application(company_id, &corrected, 4_000)
            .await
            .unwrap();
        let company = store.company(company_id).await.unwrap().unwrap();
        assert_eq!(company.status, CompanyStatus::InReview);
        assert_eq!(company.address, "千代田区丸の内一丁目1番1号");
        assert_eq!(company.name, "株式会社テスト精工（訂正）");
        assert!(company.status_reason.is_none());
        // Only a returned application can be resubmitted.
        assert!(matches!(
            store
                .resubmit_application(company_id, &corrected, 5_000)
                .await,
            Err(StoreError::Stale)
        ));
    }
);

on_both_engines!(profile_edits_keep_the_legal_identity, |store| {
    let (company_id, _) = apply(&store, 1, "taro").await;
    let mut edited = profile(1);
    edited.name = "別の会社名".into();
    edited.description = "レーザー加工も始めました。".into();
    edited.member_organization_ids = vec![3];
    store
        .update_company_profile(company_id, &edited, 5_000)
        .await
        .unwrap();
    let company = store.company(company_id).await.unwrap().unwrap();
    assert_eq!(company.name, "株式会社テスト精工1");
    assert_eq!(company.description, "レーザー加工も始めました。");
    assert_eq!(company.member_organization_ids, vec![3]);
});

on_both_engines!(a_reset_link_is_single_use_and_ends_every_session, |store| {
    let (_, user_id) = apply(&store, 1, "taro").await;
    store
        .create_session("s1", user_id, "c", 1_000, 100 * HOUR, 100 * HOUR)
        .await
        .unwrap();
    let mail = mail_to(&email("taro"), "パスワードの再設定");
    store
        .issue_token(
            user_id,
            TokenPurpose::ResetPassword,
            "reset-1",
            2 * HOUR,
            &mail,
            1_000,
        )
        .await
        .unwrap();
    assert!(
        store
            .token_is_valid("reset-1", TokenPurpose::ResetPassword, 2_000)
            .await
            .unwrap()
    );
    assert!(
        !store
            .token_is_valid("reset-1", TokenPurpose::Invitation, 2_000)
            .await
            .unwrap()
    );
    assert_eq!(
        store
            .set_password_with_token("reset-1", TokenPurpose::ResetPassword, "new-hash", 3_000)
            .await
            .unwrap(),
        Some(user_id)
    );
    assert_eq!(
        store.user(user_id).await.unwrap().unwrap().password_hash,
        "new-hash"
    );
    assert!(store.session("s1", 4_000).await.unwrap().is_none());
    assert_eq!(
        store
            .set_password_with_token("reset-1", TokenPurpose::ResetPassword, "other", 5_000)
            .await
            .unwrap(),
        None
    );
});

on_both_engines!(
    changing_the_password_keeps_only_the_current_session,
    |store| {
        let (_, user_id) = apply(&store, 1, "taro").await;
        store
            .create_session("here", user_id, "c", 1_000, 100 * HOUR, 100 * HOUR)
            .await
            .unwrap();
        store
            .create_session("elsewhere", user_id, "c", 1_000, 100 * HOUR, 100 * HOUR)
            .await
            .unwrap();
        store
            .change_password(user_id, "new-hash", "here", 2_000)
            .await
            .unwrap();
        assert!(store.session("here", 3_000).await.unwrap().is_some());
        assert!(store.session("elsewhere", 3_000).await.unwrap().is_none());
    }
);

on_both_engines!(
    an_invited_colleague_sets_a_password_and_is_confirmed,
    |store| {
        let (company_id, _) = apply(&store, 1, "taro").await;
        let colleague = new_user("jiro");
        let mail = mail_to(&colleague.email, "招待");
        let owner = mail_to(&colleague.email, "登録済み");
        let store::Invited::New(id) = store
            .invite_user(
                &store::NewInvitation {
                    company_id,
                    user: &colleague,
                    token_hash: "invite-1",
                    expires_at: 72 * HOUR,
                    mail: &mail,
                    owner_mail: &owner,
                },
                1_000,
            )
            .await
            .unwrap()
        else {
            panic!("a new address makes a new user");
        };
        assert!(!store.user(id).await.unwrap().unwrap().email_confirmed);
        assert_eq!(
            store
                .set_password_with_token("invite-1", TokenPurpose::Invitation, "h", 2_000)
                .await
                .unwrap(),
            Some(id)
        );
        let user = store.user(id).await.unwrap().unwrap();
        assert!(user.email_confirmed);
        assert_eq!(store.company_users(company_id).await.unwrap().len(), 2);
    }
);

on_both_engines!(sessions_expire_and_can_be_slid_or_ended, |store| {
    let (_, user_id) = apply(&store, 1, "taro").await;
    store
        .create_session("s", user_id, "csrf-1", 1_000, 10_000, 100 * HOUR)
        .await
        .unwrap();
    assert_eq!(
        store.session("s", 9_999).await.unwrap().unwrap().csrf_token,
        "csrf-1"
    );
    assert!(store.session("s", 10_000).await.unwrap().is_none());
    store.touch_session("s", 9_000, 20_000).await.unwrap();
    assert!(store.session("s", 15_000).await.unwrap().is_some());
    assert_eq!(store.purge_expired_sessions(25_000).await.unwrap(), 1);
    store
        .create_session("t", user_id, "c", 1_000, 10_000, 100 * HOUR)
        .await
        .unwrap();
    store.delete_session("t").await.unwrap();
    assert!(store.session("t", 2_000).await.unwrap().is_none());
});

on_both_engines!(sign_ins_are_counted_per_account_and_audited, |store| {
    for i in 0..3 {
        store
            .record_sign_in("taro@example.co.jp", "198.51.100.7", None, false, 1_000 + i)
            .await
            .unwrap();
    }
    store
        .record_sign_in("jiro@example.co.jp", "198.51.100.7", None, false, 2_000)
        .await
        .unwrap();
    store
        .record_sign_in("taro@example.co.jp", "203.0.113.1", Some(1), true, 3_000)
        .await
        .unwrap();
    assert_eq!(
        store.sign_ins_since("taro@example.co.jp", 0).await.unwrap(),
        (3, 1)
    );
    assert_eq!(
        store
            .sign_ins_since("taro@example.co.jp", 1_002)
            .await
            .unwrap(),
        (1, 1)
    );
    assert_eq!(
        store.sign_ins_since("jiro@example.co.jp", 0).await.unwrap(),
        (1, 0)
    );
    let log = store
        .audit_entries(&store::AuditFilter {
            action_prefix: Some("sign_in.".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(log.len(), 5);
    assert_eq!(log[0].action, "sign_in.succeeded");
    assert!(
        log.iter().all(|e| !e.detail.contains("taro")),
        "no address in the log"
    );
});

on_both_engines!(staff_are_created_confirmed_and_audited, |store| {
    let id = store
        .create_staff(
            &new_user("admin"),
            StaffRole::Admin,
            None,
            &Actor::cli("user create"),
            1_000,
        )
        .await
        .unwrap();
    let user = store.user(id).await.unwrap().unwrap();
    assert_eq!(user.staff_role, Some(StaffRole::Admin));
    assert!(user.email_confirmed && user.company_id.is_none());
    assert!(matches!(
        store
            .create_staff(
                &new_user("org"),
                StaffRole::OrgStaff,
                None,
                &Actor::cli("x"),
                1_000
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
    let org = store.ordering_organizations().await.unwrap()[0].id;
    let dept = store.contract_departments(org).await.unwrap()[0].id;
    let id = store
        .create_staff(
            &new_user("org"),
            StaffRole::OrgStaff,
            Some((org, Some(dept))),
            &Actor::cli("x"),
            1_000,
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .user(id)
            .await
            .unwrap()
            .unwrap()
            .contract_department_id,
        Some(dept)
    );
});

on_both_engines!(
    a_legal_change_waits_for_review_and_is_applied_or_refused,
    |store| {
        let (company_id, user_id) = apply(&store, 1, "taro").await;
        let new_number = testkit::fixtures::corporate_number(77);
        store
            .request_legal_change(
                company_id,
                "株式会社新社名",
                "シンシャメイ",
                Some(new_number),
                user_id,
                2_000,
            )
            .await
            .unwrap();
        // A second request replaces the first.
        let id = store
            .request_legal_change(
                company_id,
                "株式会社新社名2",
                "シンシャメイ",
                Some(new_number),
                user_id,
                3_000,
            )
            .await
            .unwrap();
        let pending = store
            .pending_legal_change(company_id)
            .await
            .unwrap()
            .expect("pending");
        assert_eq!(
            (pending.id, pending.proposed_name.as_str()),
            (id, "株式会社新社名2")
        );
        assert_eq!(store.pending_legal_changes().await.unwrap().len(), 1);
        // Until reviewed, the company keeps its name.
        assert_eq!(
            store.company(company_id).await.unwrap().unwrap().name,
            "株式会社テスト精工1"
        );
        store
            .review_legal_change(id, true, None, None, &operator(), 4_000)
            .await
            .unwrap();
        let company = store.company(company_id).await.unwrap().unwrap();
        assert_eq!(company.name, "株式会社新社名2");
        assert_eq!(company.corporate_number, Some(new_number.to_string()));
        assert!(
            store
                .pending_legal_change(company_id)
                .await
                .unwrap()
                .is_none()
        );
        assert!(matches!(
            store
                .review_legal_change(id, true, None, None, &operator(), 5_000)
                .await,
            Err(StoreError::Stale)
        ));

        // Refused: nothing changes. Another company's 法人番号: a conflict, nothing half-applied.
        let (other, other_user) = apply(&store, 2, "jiro").await;
        let refused = store
            .request_legal_change(other, "変更案", "ヘンコウアン", None, other_user, 6_000)
            .await
            .unwrap();
        store
            .review_legal_change(
                refused,
                false,
                Some("登記簿で確認できません"),
                None,
                &operator(),
                7_000,
            )
            .await
            .unwrap();
        assert_eq!(
            store.company(other).await.unwrap().unwrap().name,
            "株式会社テスト精工2"
        );
        let clash = store
            .request_legal_change(
                other,
                "変更案",
                "ヘンコウアン",
                Some(new_number),
                other_user,
                8_000,
            )
            .await
            .unwrap();
        let err = store
            .review_legal_change(clash, true, None, None, &operator(), 9_000)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Conflict {
                    field: "corporate_number"
                }
            ),
            "{err:?}"
        );
        assert!(
            store.pending_legal_change(other).await.unwrap().is_some(),
            "still pending after the conflict"
        );
    }
);

on_both_engines!(old_sign_in_attempts_are_purged, |store| {
    store
        .record_sign_in("a@example.jp", "192.0.2.1", None, false, 1_000)
        .await
        .unwrap();
    store
        .record_sign_in("a@example.jp", "192.0.2.1", None, false, 5_000)
        .await
        .unwrap();
    assert_eq!(store.purge_sign_in_attempts(2_000).await.unwrap(), 1);
    assert_eq!(
        store.sign_ins_since("a@example.jp", 0).await.unwrap(),
        (1, 0)
    );
});

on_both_engines!(
    inviting_a_registered_address_creates_nothing_and_mails_its_owner,
    |store| {
        let (_, _) = apply(&store, 1, "taro").await;
        let (other_company, _) = apply(&store, 2, "hanako").await;
        // Another company invites taro's address (in another case).
        let colleague = new_user("TARO");
        let invitation = mail_to(&colleague.email, "アカウントへのご招待");
        let owner = mail_to(&colleague.email, "ご招待について");
        let result = store
            .invite_user(
                &store::NewInvitation {
                    company_id: other_company,
                    user: &colleague,
                    token_hash: "invite-x",
                    expires_at: 72 * HOUR,
                    mail: &invitation,
                    owner_mail: &owner,
                },
                5_000,
            )
            .await
            .unwrap();
        assert_eq!(result, store::Invited::AlreadyRegistered);
        assert_eq!(store.company_users(other_company).await.unwrap().len(), 1);
        assert!(
            !store
                .token_is_valid("invite-x", TokenPurpose::Invitation, 6_000)
                .await
                .unwrap()
        );
        let mails = store.mail_to(colleague.email.as_str()).await.unwrap();
        let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
        assert_eq!(subjects, ["ご招待について"], "to the address as typed");
    }
);
