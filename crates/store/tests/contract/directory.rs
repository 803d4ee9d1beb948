//! Company profiles for the directory: every field set to every level is
//! shown to exactly the audiences that level names, and never otherwise.

use std::collections::BTreeMap;

use domain::Role;
use domain::directory::{Audience, ProfileField, Visibility};
use store::{Actor, ProfileEdit, ShownProfile};

/// Whether `shown` carries `field` at all.
fn carries(shown: &ShownProfile, field: ProfileField) -> bool {
    match field {
        ProfileField::NameKana => shown.name_kana.is_some(),
        ProfileField::Municipality => shown.municipality.is_some(),
        ProfileField::Description => shown.description.is_some(),
        ProfileField::Products => shown.products.is_some(),
        ProfileField::Keywords => shown.keywords.is_some(),
        ProfileField::Certifications => shown.certifications.is_some(),
        ProfileField::MemberOrganizations => shown.member_organization_ids.is_some(),
        ProfileField::Capital => shown.capital.is_some(),
        ProfileField::Employees => shown.employees.is_some(),
        ProfileField::Founded => shown.founded.is_some(),
        ProfileField::Website => shown.website.is_some(),
        ProfileField::Programmes => shown.programmes.is_some(),
    }
}

/// Every field filled in.
fn full(visibility: BTreeMap<ProfileField, Visibility>) -> ProfileEdit {
    ProfileEdit {
        listed: true,
        municipality: "大田区".into(),
        products: "精密板金部品、試作品".into(),
        certifications: vec!["iso9001".into(), "privacy-mark".into()],
        industries: vec!["24".into(), "09".into()],
        visibility,
    }
}

on_both_engines!(
    every_field_at_every_level_is_shown_to_exactly_its_audience,
    |db, store| {
        let user = testkit::people::person(&store, Role::ReceivingCompany, 1)
            .await
            .unwrap();
        let company = store.user(user).await.unwrap().unwrap().company_id.unwrap();
        // Operators record programmes; here behind the store's back.
        db.execute_raw(&format!(
            "INSERT INTO company_profiles (company_id, programmes, updated_at)
             VALUES ({company}, 'fair-exhibitor-2026', 1)"
        ))
        .await;
        let actor = Actor::cli("test");
        for field in ProfileField::ALL {
            for level in Visibility::ALL {
                let edit = full(BTreeMap::from([(*field, *level)]));
                store
                    .save_profile(company, &edit, &actor, 10)
                    .await
                    .unwrap();
                let profile = store.company_profile(company).await.unwrap().unwrap();
                assert_eq!(profile.edit.certifications, edit.certifications);
                for audience in Audience::ALL {
                    let shown = profile.shown(*audience);
                    assert_eq!(
                        carries(&shown, *field),
                        level.shown_to(*audience),
                        "{field:?} at {level:?} to {audience:?}"
                    );
                    // Every other field is public and so shown to all.
                    for other in ProfileField::ALL.iter().filter(|f| *f != field) {
                        assert!(carries(&shown, *other), "{other:?} to {audience:?}");
                    }
                }
            }
        }
        // The company may leave the directory; an unknown certification or
        // industry is refused and nothing changes.
        let mut edit = full(BTreeMap::new());
        edit.listed = false;
        store
            .save_profile(company, &edit, &actor, 20)
            .await
            .unwrap();
        let profile = store.company_profile(company).await.unwrap().unwrap();
        assert!(!profile.is_listed());
        assert_eq!(profile.updated_at, 20);
        let mut bad = full(BTreeMap::new());
        bad.certifications = vec!["iso-0000".into()];
        assert!(store.save_profile(company, &bad, &actor, 30).await.is_err());
        bad = full(BTreeMap::new());
        bad.industries = vec!["no-such-division".into()];
        assert!(store.save_profile(company, &bad, &actor, 30).await.is_err());
        assert_eq!(
            store
                .company_profile(company)
                .await
                .unwrap()
                .unwrap()
                .updated_at,
            20
        );
    }
);

on_both_engines!(
    a_company_without_a_profile_is_listed_with_its_application_fields,
    |store| {
        let user = testkit::people::person(&store, Role::ReceivingCompany, 2)
            .await
            .unwrap();
        let company = store.user(user).await.unwrap().unwrap().company_id.unwrap();
        let profile = store.company_profile(company).await.unwrap().unwrap();
        assert!(profile.is_listed());
        let shown = profile.shown(Audience::Visitor);
        assert_eq!(shown.capital.map(|c| c.0), Some("capital-10m"));
        assert_eq!(shown.employees.map(|c| c.1), Some("20〜49人"));
        assert_eq!(shown.industries.len(), 1);
        assert!(
            shown.municipality.is_none(),
            "nothing filled in is shown as nothing"
        );
    }
);
