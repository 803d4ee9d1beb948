//! Master data seeded by the migrations and edited by the administrator.

use store::{Actor, SimpleMaster, StoreError};

on_both_engines!(the_masters_are_seeded, |store| {
    let prefectures = store.prefectures().await.unwrap();
    assert_eq!(prefectures.len(), 47);
    assert_eq!(prefectures[12], (13, "東京都".to_owned()));
    let divisions = store.industry_divisions().await.unwrap();
    assert_eq!(divisions.len(), 99);
    assert_eq!(divisions[0].section_code, "A");
    assert!(
        divisions
            .iter()
            .any(|d| d.code == "15" && d.name == "印刷・同関連業")
    );
    assert!(
        !store
            .master_items(SimpleMaster::MemberOrganizations, false)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        !store
            .master_items(SimpleMaster::RegistrationTriggers, false)
            .await
            .unwrap()
            .is_empty()
    );
    let orgs = store.ordering_organizations().await.unwrap();
    assert!(!orgs.is_empty());
    assert!(
        !store
            .contract_departments(orgs[0].id)
            .await
            .unwrap()
            .is_empty()
    );
});

on_both_engines!(
    the_administrator_adds_renames_and_retires_entries,
    |store| {
        let admin = Actor::cli("test");
        let id = store
            .add_master_item(SimpleMaster::RegistrationTriggers, "ラジオ", &admin, 1_000)
            .await
            .unwrap();
        let items = store
            .master_items(SimpleMaster::RegistrationTriggers, false)
            .await
            .unwrap();
        let added = items.last().unwrap().clone();
        assert_eq!((added.id, added.name.as_str()), (id, "ラジオ"));
        assert!(matches!(
            store
                .add_master_item(SimpleMaster::RegistrationTriggers, "ラジオ", &admin, 1_000)
                .await,
            Err(StoreError::Conflict { field: "name" })
        ));
        let mut retired = added.clone();
        retired.active = false;
        retired.name = "ラジオ・テレビ".into();
        assert!(
            store
                .update_master_item(SimpleMaster::RegistrationTriggers, &retired, &admin, 2_000)
                .await
                .unwrap()
        );
        assert!(
            !store
                .master_items(SimpleMaster::RegistrationTriggers, false)
                .await
                .unwrap()
                .iter()
                .any(|i| i.id == id)
        );
        let all = store
            .master_items(SimpleMaster::RegistrationTriggers, true)
            .await
            .unwrap();
        assert_eq!(
            all.iter().find(|i| i.id == id).unwrap().name,
            "ラジオ・テレビ"
        );
        let log = store
            .audit_entries(&store::AuditFilter {
                action_prefix: Some("master.".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(log.len(), 2);
    }
);

on_both_engines!(
    ordering_organisations_and_their_contract_departments_are_edited_and_audited,
    |store| {
        let admin = Actor::cli("test");
        let org = store
            .add_ordering_organization("東京都水道局", "トウキョウトスイドウキョク", &admin, 1_000)
            .await
            .unwrap();
        assert!(matches!(
            store
                .add_ordering_organization("東京都水道局", "x", &admin, 1_000)
                .await,
            Err(StoreError::Conflict { field: "name" })
        ));
        let dept = store
            .add_contract_department(org, "W01", "総務部 契約課", &admin, 1_000)
            .await
            .unwrap();
        assert!(matches!(
            store
                .add_contract_department(org, "W01", "重複", &admin, 1_000)
                .await,
            Err(StoreError::Conflict { field: "code" })
        ));
        let mut d = store.contract_departments(org).await.unwrap()[0].clone();
        assert_eq!(d.id, dept);
        d.name = "経理部 契約課".into();
        d.active = false;
        assert!(
            store
                .update_contract_department(&d, &admin, 2_000)
                .await
                .unwrap()
        );
        assert_eq!(store.contract_departments(org).await.unwrap()[0], d);
        let mut o = store.ordering_organization(org).await.unwrap().unwrap();
        o.active = false;
        assert!(
            store
                .update_ordering_organization(&o, &admin, 3_000)
                .await
                .unwrap()
        );
        assert!(
            !store
                .ordering_organization(org)
                .await
                .unwrap()
                .unwrap()
                .active
        );
        let log = store
            .audit_entries(&store::AuditFilter {
                action_prefix: Some("master.".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(log.len(), 4);
    }
);

on_both_engines!(industries_are_renamed_and_retired, |store| {
    let admin = Actor::cli("test");
    let entries = store.industry_entries().await.unwrap();
    assert_eq!(entries.len(), 20 + 99);
    assert_eq!(
        (entries[0].code.as_str(), entries[0].section_code.as_deref()),
        ("A", None)
    );
    assert_eq!(entries[1].section_code.as_deref(), Some("A"));
    let mut printing = entries.iter().find(|e| e.code == "15").unwrap().clone();
    printing.active = false;
    assert!(
        store
            .update_industry(&printing, &admin, 1_000)
            .await
            .unwrap()
    );
    assert!(
        !store
            .industry_divisions()
            .await
            .unwrap()
            .iter()
            .any(|d| d.code == "15")
    );
    let mut section = entries[0].clone();
    section.name = "農業・林業".into();
    assert!(
        store
            .update_industry(&section, &admin, 1_000)
            .await
            .unwrap()
    );
    assert_eq!(
        store.industry_divisions().await.unwrap()[0].section_name,
        "農業・林業"
    );
});

on_both_engines!(a_prefecture_is_renamed_under_its_code, |store| {
    let admin = Actor::cli("test");
    assert!(
        store
            .rename_prefecture(13, "東京都（テスト）", &admin, 1_000)
            .await
            .unwrap()
    );
    assert_eq!(store.prefecture_name(13).await.unwrap(), "東京都（テスト）");
    assert!(matches!(
        store
            .rename_prefecture(14, "東京都（テスト）", &admin, 1_000)
            .await,
        Err(StoreError::Conflict { field: "name" })
    ));
    assert!(
        !store
            .rename_prefecture(99, "なし", &admin, 1_000)
            .await
            .unwrap()
    );
});
