//! Private orders and technical needs: drafts, review, entries, messages,
//! the choice of a partner, and the files that go with them.

use domain::{CaseStatus, EntryStatus, Role};
use store::{Actor, NewFile, NewMessage, OrderDecision, SaveOrder, Store, StoreError};
use testkit::fixtures::{mail_to, order};
use testkit::people::person;

async fn company_of(store: &Store, role: Role, n: u32) -> (i64, i64) {
    let user = person(store, role, n).await.expect("person");
    let company = store
        .user(user)
        .await
        .expect("read")
        .expect("user")
        .company_id
        .expect("company");
    (user, company)
}

fn pdf(name: &str) -> NewFile {
    NewFile {
        name: name.to_owned(),
        content_type: "application/pdf".to_owned(),
        bytes: b"%PDF-1.7 test".to_vec(),
    }
}

async fn published(store: &Store, user: i64, company: i64) -> i64 {
    let id = store
        .save_order(
            &SaveOrder {
                case_id: None,
                company_id: company,
                user_id: user,
                fields: order(1),
                new_files: &[pdf("仕様書.pdf")],
                remove_files: &[],
                submit: true,
            },
            10,
        )
        .await
        .expect("published");
    store
        .review_order(
            id,
            OrderDecision::Approve,
            None,
            &Actor::cli("test"),
            &[],
            20,
        )
        .await
        .expect("published");
    id
}

fn message<'a>(user: i64, body: &'a str, files: &'a [NewFile]) -> NewMessage<'a> {
    NewMessage {
        from_orderer: false,
        user_id: user,
        author_name: "受注 太郎",
        body,
        files,
    }
}

on_both_engines!(a_draft_is_private_until_reviewed_and_approved, |store| {
    let (user, company) = company_of(&store, Role::OrderingCompany, 1).await;
    let draft = SaveOrder {
        case_id: None,
        company_id: company,
        user_id: user,
        fields: order(1),
        new_files: &[pdf("仕様書.pdf")],
        remove_files: &[],
        submit: false,
    };
    let id = store.save_order(&draft, 10).await.unwrap();
    let c = store.case(id).await.unwrap().unwrap();
    assert_eq!(c.fields.status, CaseStatus::Draft);
    assert_eq!(c.fields.company_id, Some(company));
    assert_eq!(c.fields.source, "portal");
    assert!(!c.fields.organization_name.is_empty(), "the company's name");
    let files = store.case_files(id).await.unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(
        c.fields.documents,
        [("仕様書.pdf".to_owned(), format!("/files/{}", files[0].id))]
    );

    // Submitted, returned with a comment, corrected, submitted, approved.
    let submit = SaveOrder {
        case_id: Some(id),
        submit: true,
        new_files: &[],
        ..draft.clone()
    };
    store.save_order(&submit, 20).await.unwrap();
    assert_eq!(store.orders_in_review().await.unwrap()[0].id, id);
    let actor = Actor::cli("test");
    store
        .review_order(
            id,
            OrderDecision::Return,
            Some("締切日を確認してください"),
            &actor,
            &[],
            30,
        )
        .await
        .unwrap();
    assert_eq!(
        store.review_comment(id).await.unwrap().as_deref(),
        Some("締切日を確認してください")
    );
    assert!(matches!(
        store
            .review_order(id, OrderDecision::Approve, None, &actor, &[], 31)
            .await,
        Err(StoreError::Stale)
    ));
    store.save_order(&submit, 40).await.unwrap();
    assert_eq!(store.review_comment(id).await.unwrap(), None);
    let seq_before = store.latest_case_seq().await.unwrap();
    store
        .review_order(
            id,
            OrderDecision::Approve,
            None,
            &actor,
            &[mail_to(&testkit::fixtures::email("o"), "公開")],
            50,
        )
        .await
        .unwrap();
    let c = store.case(id).await.unwrap().unwrap();
    assert_eq!(c.fields.status, CaseStatus::Open);
    assert_eq!(c.fields.published_at, Some(50));
    assert!(c.change_seq > seq_before, "the index is told");
    assert_eq!(c.fields.documents.len(), 1, "documents survive the review");
    // Published cases cannot be edited any more.
    assert!(matches!(
        store.save_order(&submit, 60).await,
        Err(StoreError::Stale)
    ));
});

on_both_engines!(a_company_cannot_edit_another_companys_order, |store| {
    let (user, company) = company_of(&store, Role::OrderingCompany, 1).await;
    let (other_user, other) = company_of(&store, Role::OrderingCompany, 2).await;
    let mine = SaveOrder {
        case_id: None,
        company_id: company,
        user_id: user,
        fields: order(1),
        new_files: &[],
        remove_files: &[],
        submit: false,
    };
    let id = store.save_order(&mine, 10).await.unwrap();
    let theirs = SaveOrder {
        case_id: Some(id),
        company_id: other,
        user_id: other_user,
        ..mine
    };
    assert!(matches!(
        store.save_order(&theirs, 20).await,
        Err(StoreError::Stale)
    ));
});

on_both_engines!(removed_documents_are_gone_and_kept_ones_stay, |store| {
    let (user, company) = company_of(&store, Role::OrderingCompany, 1).await;
    let first = SaveOrder {
        case_id: None,
        company_id: company,
        user_id: user,
        fields: order(1),
        new_files: &[pdf("a.pdf"), pdf("b.pdf")],
        remove_files: &[],
        submit: false,
    };
    let id = store.save_order(&first, 10).await.unwrap();
    let files = store.case_files(id).await.unwrap();
    let again = SaveOrder {
        case_id: Some(id),
        new_files: &[pdf("c.pdf")],
        remove_files: &[files[0].id],
        ..first
    };
    store.save_order(&again, 20).await.unwrap();
    let names: Vec<String> = store
        .case_files(id)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(names, ["b.pdf", "c.pdf"]);
    assert!(store.file(files[0].id).await.unwrap().is_none());
    let kept = store.file(files[1].id).await.unwrap().unwrap();
    assert_eq!(kept.content, b"%PDF-1.7 test");
    assert_eq!(kept.case_id, Some(id));
    assert_eq!(
        kept.meta.sha256,
        domain::audit::sha256_hex(b"%PDF-1.7 test")
    );
});

on_both_engines!(an_entry_its_messages_and_the_choice_of_a_partner, |store| {
    let (orderer, ordering) = company_of(&store, Role::OrderingCompany, 1).await;
    let (a_user, a) = company_of(&store, Role::ReceivingCompany, 2).await;
    let (b_user, b) = company_of(&store, Role::ReceivingCompany, 3).await;
    let case_id = published(&store, orderer, ordering).await;

    let notice = [mail_to(&testkit::fixtures::email("orderer"), "エントリー")];
    let attachment = [pdf("会社案内.pdf")];
    let entry_a = store
        .create_entry(
            case_id,
            a,
            &message(a_user, "ぜひ担当させてください。", &attachment),
            &notice,
            100,
        )
        .await
        .unwrap();
    let entry_b = store
        .create_entry(
            case_id,
            b,
            &message(b_user, "実績があります。", &[]),
            &[],
            110,
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .create_entry(case_id, a, &message(a_user, "二度目", &[]), &[], 120)
            .await,
        Err(StoreError::Conflict { field: "entry" })
    ));
    assert!(
        matches!(
            store
                .create_entry(case_id, ordering, &message(orderer, "自社", &[]), &[], 120)
                .await,
            Err(StoreError::Stale)
        ),
        "a company cannot enter its own case"
    );

    store
        .post_entry_message(
            entry_a,
            &NewMessage {
                from_orderer: true,
                user_id: orderer,
                author_name: "発注 花子",
                body: "見積書をお送りください。",
                files: &[],
            },
            &[],
            130,
        )
        .await
        .unwrap();
    let thread = store.entry_messages(entry_a).await.unwrap();
    assert_eq!(thread.len(), 2);
    assert!(!thread[0].from_orderer && thread[1].from_orderer);
    assert_eq!(thread[0].files[0].name, "会社案内.pdf");
    let file = store.file(thread[0].files[0].id).await.unwrap().unwrap();
    assert_eq!(file.entry_parties, Some((a, ordering)));
    assert_eq!(file.case_id, None);

    let entries = store.entries_for_case(case_id).await.unwrap();
    assert_eq!(
        entries.iter().map(|e| e.id).collect::<Vec<_>>(),
        [entry_a, entry_b]
    );
    assert_eq!(entries[0].messages, 2);
    assert_eq!(entries[0].last_message_at, 130);
    assert_eq!(
        store.entries_of_company(a).await.unwrap()[0].case_id,
        case_id
    );
    assert_eq!(
        store.entry_of(case_id, b).await.unwrap().unwrap().id,
        entry_b
    );

    store
        .choose_entry(case_id, entry_a, &[], 200)
        .await
        .unwrap();
    assert_eq!(
        store.entry(entry_a).await.unwrap().unwrap().status,
        EntryStatus::Chosen
    );
    assert_eq!(
        store.entry(entry_b).await.unwrap().unwrap().status,
        EntryStatus::NotChosen
    );
    assert_eq!(
        store.case(case_id).await.unwrap().unwrap().fields.status,
        CaseStatus::Awarded
    );
    assert!(matches!(
        store.choose_entry(case_id, entry_b, &[], 210).await,
        Err(StoreError::Stale)
    ));
    let (_, c_company) = company_of(&store, Role::ReceivingCompany, 4).await;
    assert!(
        matches!(
            store
                .create_entry(
                    case_id,
                    c_company,
                    &message(a_user, "遅れて", &[]),
                    &[],
                    220
                )
                .await,
            Err(StoreError::Stale)
        ),
        "a decided case takes no more entries"
    );
    let queued = store
        .mail_to(&testkit::fixtures::email("orderer").to_string())
        .await
        .unwrap();
    assert_eq!(queued.len(), 1, "the entry's mail was queued with it");
});

on_both_engines!(no_entry_after_the_deadline, |store| {
    let (orderer, ordering) = company_of(&store, Role::OrderingCompany, 1).await;
    let (a_user, a) = company_of(&store, Role::ReceivingCompany, 2).await;
    let case_id = published(&store, orderer, ordering).await;
    let deadline = store
        .case(case_id)
        .await
        .unwrap()
        .unwrap()
        .fields
        .application_deadline
        .unwrap();
    assert!(matches!(
        store
            .create_entry(case_id, a, &message(a_user, "締切後", &[]), &[], deadline)
            .await,
        Err(StoreError::Stale)
    ));
    assert!(store.entries_for_case(case_id).await.unwrap().is_empty());
});

on_both_engines!(
    a_cancelled_order_takes_no_entries_and_tells_its_entrants,
    |store| {
        let (orderer, ordering) = company_of(&store, Role::OrderingCompany, 1).await;
        let (other_user, other) = company_of(&store, Role::OrderingCompany, 2).await;
        let (a_user, a) = company_of(&store, Role::ReceivingCompany, 3).await;
        let case_id = published(&store, orderer, ordering).await;
        let entry = store
            .create_entry(case_id, a, &message(a_user, "エントリー", &[]), &[], 100)
            .await
            .unwrap();
        assert!(
            matches!(
                store.cancel_order(case_id, other, &[], 110).await,
                Err(StoreError::Stale)
            ),
            "only its own company may call it off ({other_user})"
        );
        let notice = [mail_to(&testkit::fixtures::email("entrant"), "中止")];
        store
            .cancel_order(case_id, ordering, &notice, 120)
            .await
            .unwrap();
        let c = store.case(case_id).await.unwrap().unwrap();
        assert_eq!(c.fields.status, CaseStatus::Cancelled);
        assert_eq!(
            store.entry(entry).await.unwrap().unwrap().status,
            EntryStatus::NotChosen
        );
        assert!(matches!(
            store.choose_entry(case_id, entry, &[], 130).await,
            Err(StoreError::Stale)
        ));
        assert!(matches!(
            store.cancel_order(case_id, ordering, &[], 140).await,
            Err(StoreError::Stale)
        ));
        assert_eq!(
            store
                .mail_to(&testkit::fixtures::email("entrant").to_string())
                .await
                .unwrap()
                .len(),
            1
        );
    }
);
