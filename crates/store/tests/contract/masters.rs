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
