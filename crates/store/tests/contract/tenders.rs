//! E-tenders: the clock and the participation decide who may bid when;
//! a bid is stored once, with its receipt and audit entry.

use domain::Role;
use domain::tender::{Action, AwardMethod, Schedule};
use store::{Actor, NewTender, Participation, Store, StoreError};
use testkit::fixtures::case;
use testkit::people::person;

pub(super) const H: i64 = 3_600_000;
pub(super) const T0: i64 = 1_800_000_000_000;

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

pub(super) async fn company(store: &Store, n: u32) -> i64 {
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

pub(super) async fn tender(store: &Store) -> i64 {
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
            matches!(early, Err(StoreError::Invalid(ref m)) if m.contains("から始まります")),
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
            matches!(late, Err(StoreError::Invalid(ref m)) if m.contains("を過ぎました")),
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

fn pdf(name: &str) -> store::NewFile {
    store::NewFile {
        name: name.into(),
        content_type: "application/pdf".into(),
        bytes: b"%PDF-1.7\n".to_vec(),
    }
}

on_both_engines!(
    applications_decisions_and_nominations_follow_the_rules_and_keep_their_documents,
    |store| {
        let staff = Actor::cli("test");
        let id = tender(&store).await;
        let (a, b, c) = (
            company(&store, 1).await,
            company(&store, 2).await,
            company(&store, 3).await,
        );
        let apply = |company: i64, at: i64| {
            let store = store.clone();
            let staff = staff.clone();
            async move {
                let files = [pdf("申請書.pdf")];
                store
                    .apply_to_tender(
                        &store::Application {
                            case_id: id,
                            company_id: company,
                            user_id: None,
                            grade: Some("A"),
                            message: "よろしくお願いします。",
                            files: &files,
                        },
                        &staff,
                        &[],
                        at,
                    )
                    .await
            }
        };
        // Nothing before publication.
        let draft = store
            .decide_participation(id, a, Participation::Nominated, None, &staff, &[], T0)
            .await;
        assert!(matches!(draft, Err(StoreError::Invalid(ref m)) if m.contains("公告の後")));
        store
            .tender_action(id, Action::Publish, &staff, T0)
            .await
            .unwrap();
        apply(a, T0 + 2 * H).await.unwrap();
        apply(b, T0 + 2 * H).await.unwrap();
        assert!(matches!(
            apply(a, T0 + 3 * H).await,
            Err(StoreError::Conflict {
                field: "application"
            })
        ));
        assert!(
            matches!(apply(c, T0 + 10 * H).await, Err(StoreError::Invalid(_))),
            "the application period is over"
        );
        let list = store.participants(id).await.unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].declared_grade.as_deref(), Some("A"));
        assert_eq!(list[0].files.len(), 1, "the application keeps its document");
        let file = store.file(list[0].files[0].id).await.unwrap().unwrap();
        assert_eq!(file.applicant, Some((a, id)));
        // A refusal needs its reason; a company that did not apply cannot be decided on.
        let no_reason = store
            .decide_participation(
                id,
                b,
                Participation::Rejected,
                Some(" "),
                &staff,
                &[],
                T0 + 11 * H,
            )
            .await;
        assert!(matches!(no_reason, Err(StoreError::Invalid(ref m)) if m.contains("理由")));
        let stranger = store
            .decide_participation(
                id,
                c,
                Participation::Approved,
                None,
                &staff,
                &[],
                T0 + 11 * H,
            )
            .await;
        assert!(
            matches!(stranger, Err(StoreError::Invalid(ref m)) if m.contains("参加申請はありません"))
        );
        store
            .decide_participation(
                id,
                a,
                Participation::Approved,
                None,
                &staff,
                &[],
                T0 + 11 * H,
            )
            .await
            .unwrap();
        store
            .decide_participation(
                id,
                b,
                Participation::Rejected,
                Some("実績が不足"),
                &staff,
                &[],
                T0 + 11 * H,
            )
            .await
            .unwrap();
        store
            .decide_participation(
                id,
                c,
                Participation::Nominated,
                None,
                &staff,
                &[],
                T0 + 11 * H,
            )
            .await
            .unwrap();
        assert_eq!(
            store.participation(id, c).await.unwrap(),
            Some(Participation::Nominated)
        );
        // Once a company has bid, its standing no longer changes; nor anyone's after the deadline.
        store
            .submit_bid(id, a, None, Some(b"sealed"), &staff, T0 + 21 * H)
            .await
            .unwrap();
        let after_bid = store
            .decide_participation(
                id,
                a,
                Participation::Rejected,
                Some("x"),
                &staff,
                &[],
                T0 + 22 * H,
            )
            .await;
        assert!(matches!(after_bid, Err(StoreError::Invalid(ref m)) if m.contains("入札")));
        let late = store
            .decide_participation(
                id,
                b,
                Participation::Approved,
                None,
                &staff,
                &[],
                T0 + 30 * H,
            )
            .await;
        assert!(matches!(late, Err(StoreError::Invalid(_))));
        let rejected = store.participant(id, b).await.unwrap().unwrap();
        assert_eq!(rejected.reason.as_deref(), Some("実績が不足"));
    }
);

on_both_engines!(
    questions_are_asked_in_their_period_and_answered_publicly,
    |store| {
        let staff = Actor::cli("test");
        let id = tender(&store).await;
        let a = company(&store, 1).await;
        store
            .tender_action(id, Action::Publish, &staff, T0)
            .await
            .unwrap();
        let early = store.ask_question(id, a, "質問", &staff, &[], T0).await;
        assert!(
            matches!(early, Err(StoreError::Invalid(_))),
            "before 公告日"
        );
        let q = store
            .ask_question(id, a, "床面積は？", &staff, &[], T0 + 2 * H)
            .await
            .unwrap();
        assert!(
            store
                .ask_question(id, a, "遅い質問", &staff, &[], T0 + 20 * H)
                .await
                .is_err(),
            "bidding has opened"
        );
        let listed = store.questions(id).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].answer, None);
        store
            .answer_question(id, q, "約3,200㎡です。", &staff, &[], T0 + 3 * H)
            .await
            .unwrap();
        assert!(matches!(
            store
                .answer_question(id, q + 99, "x", &staff, &[], T0 + 3 * H)
                .await,
            Err(StoreError::Stale)
        ));
        let answered = &store.questions(id).await.unwrap()[0];
        assert_eq!(answered.answer.as_deref(), Some("約3,200㎡です。"));
        assert_eq!(answered.company_id, a);
    }
);

on_both_engines!(
    technical_scores_are_for_comprehensive_evaluation_and_admitted_companies_only,
    |store| {
        let staff = Actor::cli("test");
        let mut c = case(2);
        c.kind = domain::CaseKind::ETender;
        let id = store
            .create_tender(
                &NewTender {
                    case: c,
                    schedule: schedule(),
                    ceiling_yen: 1_000_000,
                    ceiling_public: false,
                    minimum_yen: None,
                    award_method: AwardMethod::Comprehensive,
                    requirements: Default::default(),
                    documents: vec![pdf("入札説明書.pdf")],
                    created_by: None,
                },
                |id| Ok((vec![id as u8; 32], vec![9; 57])),
                T0,
            )
            .await
            .unwrap();
        assert_eq!(store.case_files(id).await.unwrap().len(), 1);
        assert_eq!(
            store
                .case(id)
                .await
                .unwrap()
                .unwrap()
                .fields
                .documents
                .len(),
            1,
            "the document is listed on the case"
        );
        let lowest = tender(&store).await;
        let a = company(&store, 1).await;
        for t in [id, lowest] {
            store
                .tender_action(t, Action::Publish, &staff, T0)
                .await
                .unwrap();
        }
        let not_admitted = store
            .set_technical_score(id, a, 80, &staff, T0 + 2 * H)
            .await;
        assert!(matches!(not_admitted, Err(StoreError::Invalid(ref m)) if m.contains("参加資格")));
        for t in [id, lowest] {
            store
                .decide_participation(
                    t,
                    a,
                    Participation::Nominated,
                    None,
                    &staff,
                    &[],
                    T0 + 2 * H,
                )
                .await
                .unwrap();
        }
        store
            .set_technical_score(id, a, 80, &staff, T0 + 2 * H)
            .await
            .unwrap();
        assert_eq!(
            store
                .participant(id, a)
                .await
                .unwrap()
                .unwrap()
                .technical_score,
            Some(80)
        );
        assert!(matches!(
            store.set_technical_score(lowest, a, 80, &staff, T0 + 2 * H).await,
            Err(StoreError::Invalid(ref m)) if m.contains("総合評価")
        ));
        assert!(
            store
                .set_technical_score(id, a, -1, &staff, T0 + 2 * H)
                .await
                .is_err()
        );
        // A draft is rewritten freely; a published tender is not.
        let mut edit = NewTender {
            case: case(3),
            schedule: schedule(),
            ceiling_yen: 2_000_000,
            ceiling_public: true,
            minimum_yen: None,
            award_method: AwardMethod::LowestPrice,
            requirements: domain::tender::Requirements {
                grades: vec!["A".into()],
                prefectures: vec![13],
                industries: vec!["D".into()],
                documents: "申請書".into(),
            },
            documents: Vec::new(),
            created_by: None,
        };
        edit.case.kind = domain::CaseKind::ETender;
        let refused = store
            .update_tender_draft(id, &edit, &[], &staff, T0 + 3 * H)
            .await;
        assert!(matches!(refused, Err(StoreError::Invalid(ref m)) if m.contains("変更公告")));
        let draft = tender(&store).await;
        let files = store.case_files(id).await.unwrap();
        store
            .update_tender_draft(draft, &edit, &[files[0].id], &staff, T0 + 3 * H)
            .await
            .unwrap();
        let t = store.tender(draft).await.unwrap().unwrap();
        assert_eq!(t.ceiling_yen, 2_000_000);
        assert_eq!(t.requirements, edit.requirements);
        assert_eq!(
            store
                .case(draft)
                .await
                .unwrap()
                .unwrap()
                .fields
                .qualification_grade
                .as_deref(),
            Some("A等級")
        );
        assert_eq!(
            store.case_files(id).await.unwrap().len(),
            1,
            "another tender's document is not removed through this one"
        );
    }
);

on_both_engines!(
    api_tokens_find_their_user_until_revoked_and_only_their_owner_revokes_them,
    |store| {
        let actor = Actor::cli("test");
        let owner = person(&store, Role::ReceivingCompany, 1).await.unwrap();
        let other = person(&store, Role::ReceivingCompany, 2).await.unwrap();
        let id = store
            .create_api_token(owner, "連携", "hash-1", &actor, T0)
            .await
            .unwrap();
        let found = store.user_by_api_token("hash-1", T0 + 1).await.unwrap();
        assert_eq!(found.map(|u| u.id), Some(owner));
        assert!(
            store
                .user_by_api_token("hash-2", T0)
                .await
                .unwrap()
                .is_none()
        );
        let listed = store.api_tokens(owner).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].last_used_at, Some(T0 + 1));
        assert!(matches!(
            store.revoke_api_token(other, id, &actor, T0 + 2).await,
            Err(StoreError::Stale)
        ));
        store
            .revoke_api_token(owner, id, &actor, T0 + 2)
            .await
            .unwrap();
        assert!(
            store
                .user_by_api_token("hash-1", T0 + 3)
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(
            store.api_tokens(owner).await.unwrap()[0].revoked_at,
            Some(T0 + 2)
        );
    }
);

on_both_engines!(staff_see_their_own_organisations_tenders, |store| {
    let id = tender(&store).await;
    let org = store
        .case(id)
        .await
        .unwrap()
        .unwrap()
        .fields
        .organization_id;
    assert_eq!(store.staff_tenders(None).await.unwrap().len(), 1);
    assert_eq!(store.staff_tenders(Some(-1)).await.unwrap().len(), 0);
    if let Some(org) = org {
        assert_eq!(store.staff_tenders(Some(org)).await.unwrap().len(), 1);
    }
});

on_both_engines!(
    a_companys_tenders_list_each_participation_with_its_receipt,
    |store| {
        let staff = Actor::cli("test");
        let id = tender(&store).await;
        let (a, b, c, d) = (
            company(&store, 1).await,
            company(&store, 2).await,
            company(&store, 3).await,
            company(&store, 4).await,
        );
        store
            .tender_action(id, Action::Publish, &staff, T0)
            .await
            .unwrap();
        for (who, status) in [
            (a, Participation::Nominated),
            (b, Participation::Approved),
            (c, Participation::Applied),
        ] {
            store
                .set_participation(id, who, status, None, &staff, T0 + 5 * H)
                .await
                .unwrap();
        }
        let bid = store
            .submit_bid(id, a, None, Some(b"sealed-a"), &staff, T0 + 21 * H)
            .await
            .unwrap();
        let declined = store
            .submit_bid(id, b, None, None, &staff, T0 + 22 * H)
            .await
            .unwrap();
        let mine = |company| {
            let store = store.clone();
            async move { store.company_tenders(company).await.unwrap() }
        };
        let a_list = mine(a).await;
        assert_eq!(a_list.len(), 1);
        assert_eq!(a_list[0].case.id, id);
        assert_eq!(a_list[0].participation, Participation::Nominated);
        assert_eq!(a_list[0].receipt.as_ref(), Some(&bid));
        assert_eq!(a_list[0].tender.tender.schedule, schedule());
        let b_list = mine(b).await;
        assert_eq!(b_list[0].receipt.as_ref(), Some(&declined));
        assert!(b_list[0].receipt.as_ref().unwrap().declined);
        let c_list = mine(c).await;
        assert_eq!(c_list[0].participation, Participation::Applied);
        assert!(c_list[0].receipt.is_none());
        assert!(mine(d).await.is_empty(), "no part, no tender");
    }
);

on_both_engines!(
    an_unknown_stored_code_is_an_error_not_a_default,
    |db, store| {
        let id = tender(&store).await;
        // Stored codes read back as what was stored.
        let t = store.tender(id).await.unwrap().unwrap();
        assert_eq!(t.award_method, AwardMethod::LowestPrice);
        // A code this version does not know (written by a newer version, or
        // a damaged row) is refused, where the old reader made it 最低価格.
        db.execute_raw(&format!(
            "UPDATE tenders SET award_method = 'median_price' WHERE case_id = {id}"
        ))
        .await;
        let read = store.tender(id).await;
        assert!(
            matches!(read, Err(StoreError::Invalid(ref m)) if m.contains("median_price")),
            "{read:?}"
        );
        db.execute_raw(&format!(
            "UPDATE tenders SET award_method = 'comprehensive', stage = 'paused' WHERE case_id = {id}"
        ))
        .await;
        assert!(matches!(
            store.tender(id).await,
            Err(StoreError::Invalid(_))
        ));
    }
);
