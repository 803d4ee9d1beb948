//! A company's colleagues and the portal's staff: invitations resent and
//! withdrawn, colleagues removed, staff suspended or given another role —
//! never oneself, never the last administrator — and the audit log's filters.

use domain::StaffRole;
use domain::role::Refusal;
use store::{Actor, AuditFilter, MemberChange, NewApplication, Reinvitation, Store, TokenPurpose};
use testkit::fixtures::{mail_to, new_user, profile};

const HOUR: i64 = 3_600_000;

/// Company `n` whose applicant `local` has confirmed the address: (company, user).
async fn company(store: &Store, n: u32, local: &str) -> (i64, i64) {
    let user = new_user(local);
    let mail = mail_to(&user.email, "確認");
    let ids = store
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
        .expect("test step");
    store
        .confirm_email(&format!("confirm-{local}"), None, 1_500)
        .await
        .expect("test step");
    ids
}

async fn invite(
    store: &Store,
    company_id: i64,
    local: &str,
    token: &str,
    now: i64,
) -> store::Invited {
    let colleague = new_user(local);
    let mail = mail_to(&colleague.email, "招待");
    let owner = mail_to(&colleague.email, "登録済み");
    store
        .invite_user(
            &store::NewInvitation {
                company_id,
                user: &colleague,
                token_hash: token,
                expires_at: now + 72 * HOUR,
                mail: &mail,
                owner_mail: &owner,
            },
            now,
        )
        .await
        .expect("test step")
}

/// Invites `local` and lets them accept: the colleague's id.
async fn colleague(store: &Store, company_id: i64, local: &str) -> i64 {
    let token = format!("invite-{local}");
    let store::Invited::New(id) = invite(store, company_id, local, &token, 2_000).await else {
        panic!("a new address");
    };
    store
        .set_password_with_token(&token, TokenPurpose::Invitation, "h", 2_500)
        .await
        .expect("test step");
    id
}

fn actor(id: i64) -> Actor {
    Actor {
        user_id: Some(id),
        label: format!("利用者 {id}"),
        ip: Some("192.0.2.7".into()),
    }
}

async fn valid(store: &Store, token: &str) -> bool {
    store
        .token_is_valid(token, TokenPurpose::Invitation, 3_000)
        .await
        .expect("test step")
}

async fn actions(store: &Store) -> Vec<String> {
    store
        .audit_entries(&AuditFilter::default())
        .await
        .expect("test step")
        .into_iter()
        .map(|e| e.action)
        .collect()
}

on_both_engines!(
    inviting_a_pending_colleague_again_sends_a_new_link_and_kills_the_old,
    |store| {
        let (company_id, _) = company(&store, 1, "taro").await;
        let store::Invited::New(id) = invite(&store, company_id, "jiro", "first", 2_000).await
        else {
            panic!("a new address");
        };
        let again = invite(&store, company_id, "jiro", "second", 2_100).await;
        assert_eq!(again, store::Invited::Again(id));
        assert!(!valid(&store, "first").await);
        assert!(valid(&store, "second").await);
        let subjects: Vec<String> = store
            .mail_to(new_user("jiro").email.as_str())
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.subject)
            .collect();
        assert_eq!(
            subjects,
            ["招待", "招待"],
            "never the registered-owner mail"
        );
        // Another company inviting the same address learns nothing and
        // touches nothing.
        let (other, _) = company(&store, 2, "hanako").await;
        assert_eq!(
            invite(&store, other, "jiro", "third", 2_200).await,
            store::Invited::AlreadyRegistered
        );
        assert!(valid(&store, "second").await);
        assert_eq!(
            store.user(id).await.unwrap().unwrap().company_id,
            Some(company_id)
        );
    }
);

on_both_engines!(
    an_invitation_is_resent_or_withdrawn_until_it_is_accepted,
    |store| {
        let (company_id, taro) = company(&store, 1, "taro").await;
        let store::Invited::New(id) = invite(&store, company_id, "jiro", "first", 2_000).await
        else {
            panic!("a new address");
        };
        let mail = mail_to(&new_user("jiro").email, "再送");
        let resend = Reinvitation {
            company_id,
            user_id: id,
            token_hash: "second",
            expires_at: 100 * HOUR,
            mail: &mail,
        };
        assert!(
            store
                .resend_invitation(&resend, &actor(taro), 2_100)
                .await
                .unwrap()
        );
        assert!(!valid(&store, "first").await);
        assert!(valid(&store, "second").await);
        // Not from another company.
        let (other, hanako) = company(&store, 2, "hanako").await;
        assert!(
            !store
                .cancel_invitation(other, id, &actor(hanako), 2_200)
                .await
                .unwrap()
        );
        assert!(
            store
                .cancel_invitation(company_id, id, &actor(taro), 2_300)
                .await
                .unwrap()
        );
        assert!(!valid(&store, "second").await);
        assert!(!store.user(id).await.unwrap().unwrap().active);
        // An accepted colleague has no invitation to withdraw.
        let saburo = colleague(&store, company_id, "saburo").await;
        assert!(
            !store
                .cancel_invitation(company_id, saburo, &actor(taro), 2_400)
                .await
                .unwrap()
        );
        let logged = actions(&store).await;
        assert!(logged.contains(&"colleague.invitation_resent".to_owned()));
        assert!(logged.contains(&"colleague.invitation_cancelled".to_owned()));
    }
);

on_both_engines!(
    a_colleague_is_removed_but_never_oneself_nor_the_last_administrator,
    |store| {
        let (company_id, taro) = company(&store, 1, "taro").await;
        let jiro = colleague(&store, company_id, "jiro").await;
        store
            .create_session("jiro-s", jiro, "c", 2_600, 100 * HOUR, 100 * HOUR)
            .await
            .unwrap();
        assert_eq!(
            store
                .remove_colleague(company_id, taro, taro, &actor(taro), 3_000)
                .await
                .unwrap(),
            MemberChange::Refused(Refusal::Oneself)
        );
        // jiro is no administrator: he may not be asked to remove taro by
        // the store's rules either, as taro is the last one.
        assert_eq!(
            store
                .remove_colleague(company_id, taro, jiro, &actor(jiro), 3_000)
                .await
                .unwrap(),
            MemberChange::Refused(Refusal::LastAdministrator)
        );
        assert_eq!(
            store
                .set_company_admin(company_id, taro, false, jiro, &actor(jiro), 3_000)
                .await
                .unwrap(),
            MemberChange::Refused(Refusal::LastAdministrator)
        );
        assert_eq!(
            store
                .remove_colleague(company_id, jiro, taro, &actor(taro), 3_100)
                .await
                .unwrap(),
            MemberChange::Done
        );
        assert!(store.session("jiro-s", 3_200).await.unwrap().is_none());
        let removed = store.user(jiro).await.unwrap().unwrap();
        assert!(!removed.active);
        assert_eq!(
            store
                .remove_colleague(company_id, jiro, taro, &actor(taro), 3_300)
                .await
                .unwrap(),
            MemberChange::Missing
        );
        // Another company cannot remove taro.
        let (other, hanako) = company(&store, 2, "hanako").await;
        assert_eq!(
            store
                .remove_colleague(other, taro, hanako, &actor(hanako), 3_400)
                .await
                .unwrap(),
            MemberChange::Missing
        );
        let entries = store
            .audit_entries(&AuditFilter {
                action: Some("colleague.removed".into()),
                ..AuditFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].target_id, jiro.to_string());
        // Invited again, the removed colleague starts over as invited.
        assert_eq!(
            invite(&store, company_id, "jiro", "back", 4_000).await,
            store::Invited::Again(jiro)
        );
        let back = store.user(jiro).await.unwrap().unwrap();
        assert!(back.active && !back.email_confirmed && !back.company_admin);
    }
);

on_both_engines!(a_second_administrator_lets_the_first_step_down, |store| {
    let (company_id, taro) = company(&store, 1, "taro").await;
    let jiro = colleague(&store, company_id, "jiro").await;
    assert!(
        store.user(taro).await.unwrap().unwrap().company_admin,
        "the applicant"
    );
    assert!(
        !store.user(jiro).await.unwrap().unwrap().company_admin,
        "an invited colleague"
    );
    assert_eq!(
        store
            .set_company_admin(company_id, jiro, true, taro, &actor(taro), 3_000)
            .await
            .unwrap(),
        MemberChange::Done
    );
    assert_eq!(
        store
            .set_company_admin(company_id, taro, false, jiro, &actor(jiro), 3_100)
            .await
            .unwrap(),
        MemberChange::Done
    );
    assert!(!store.user(taro).await.unwrap().unwrap().company_admin);
});

on_both_engines!(
    staff_are_suspended_or_given_another_role_never_leaving_no_administrator,
    |store| {
        let cli = Actor::cli("test");
        let admin = store
            .create_staff(&new_user("admin"), StaffRole::Admin, None, &cli, 1_000)
            .await
            .unwrap();
        let operator = store
            .create_staff(&new_user("op"), StaffRole::Operator, None, &cli, 1_000)
            .await
            .unwrap();
        store
            .create_session("op-s", operator, "c", 1_100, 100 * HOUR, 100 * HOUR)
            .await
            .unwrap();
        assert_eq!(
            store
                .set_staff_active(admin, false, admin, &actor(admin), 2_000)
                .await
                .unwrap(),
            MemberChange::Refused(Refusal::Oneself)
        );
        assert_eq!(
            store
                .set_staff_role(admin, StaffRole::Ops, operator, &actor(operator), 2_000)
                .await
                .unwrap(),
            MemberChange::Refused(Refusal::LastAdministrator)
        );
        assert_eq!(
            store
                .set_staff_active(admin, false, operator, &actor(operator), 2_000)
                .await
                .unwrap(),
            MemberChange::Refused(Refusal::LastAdministrator)
        );
        assert_eq!(
            store
                .set_staff_active(operator, false, admin, &actor(admin), 2_100)
                .await
                .unwrap(),
            MemberChange::Done
        );
        assert!(store.session("op-s", 2_200).await.unwrap().is_none());
        assert!(!store.user(operator).await.unwrap().unwrap().active);
        assert_eq!(
            store
                .set_staff_active(operator, true, admin, &actor(admin), 2_300)
                .await
                .unwrap(),
            MemberChange::Done
        );
        assert_eq!(
            store
                .set_staff_role(operator, StaffRole::Admin, admin, &actor(admin), 2_400)
                .await
                .unwrap(),
            MemberChange::Done
        );
        assert_eq!(
            store.user(operator).await.unwrap().unwrap().staff_role,
            Some(StaffRole::Admin)
        );
        // With two administrators, one may step the other down.
        assert_eq!(
            store
                .set_staff_role(admin, StaffRole::Ops, operator, &actor(operator), 2_500)
                .await
                .unwrap(),
            MemberChange::Done
        );
        let staff = store.staff_members().await.unwrap();
        assert_eq!(staff.len(), 2);
        let logged = actions(&store).await;
        for action in ["staff.suspended", "staff.reinstated", "staff.role_changed"] {
            assert!(logged.contains(&action.to_owned()), "{action}: {logged:?}");
        }
    }
);

on_both_engines!(
    the_audit_log_is_filtered_by_person_action_and_dates_and_names_people,
    |store| {
        let cli = Actor::cli("test");
        let admin = store
            .create_staff(&new_user("yamada"), StaffRole::Admin, None, &cli, 1_000)
            .await
            .unwrap();
        let key = new_user("yamada").email.key().to_owned();
        store
            .record_sign_in(&key, "192.0.2.1", Some(admin), true, 5_000)
            .await
            .unwrap();
        store
            .record_sign_in(&key, "192.0.2.1", Some(admin), false, 6_000)
            .await
            .unwrap();
        let user = store.user(admin).await.unwrap().unwrap();
        assert_eq!(user.last_sign_in_at, Some(5_000), "only a success counts");
        let all = store.audit_entries(&AuditFilter::default()).await.unwrap();
        let sign_in = all
            .iter()
            .find(|e| e.action == "sign_in.succeeded")
            .unwrap();
        assert_eq!(sign_in.actor_label, user.name, "a name, not a number");
        assert_eq!(sign_in.actor_name.as_deref(), Some(user.name.as_str()));
        let by = |f: AuditFilter| {
            let store = store.clone();
            async move {
                store
                    .audit_entries(&f)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|e| e.action)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            by(AuditFilter {
                action: Some("sign_in.failed".into()),
                ..AuditFilter::default()
            })
            .await,
            ["sign_in.failed"]
        );
        assert_eq!(
            by(AuditFilter {
                person: Some(user.name.chars().take(2).collect()),
                from: Some(5_000),
                until: Some(6_000),
                ..AuditFilter::default()
            })
            .await,
            ["sign_in.succeeded"]
        );
        assert_eq!(
            by(AuditFilter {
                person: Some("YAMADA@".into()),
                ..AuditFilter::default()
            })
            .await
            .len(),
            2,
            "by mail address, in any case"
        );
        assert!(
            by(AuditFilter {
                person: Some("%".into()),
                ..AuditFilter::default()
            })
            .await
            .is_empty(),
            "a wildcard is a character"
        );
    }
);

on_both_engines!(
    companies_are_found_by_name_number_or_mail_and_counted_by_status,
    |store| {
        let (first, _) = company(&store, 1, "taro").await;
        let (second, _) = company(&store, 22, "hanako").await;
        let search = |text: &str| store::CompanySearch { text: text.into() };
        let ids = |found: Vec<store::Company>| found.into_iter().map(|c| c.id).collect::<Vec<_>>();
        assert_eq!(
            ids(store
                .search_companies(None, &search("精工22"), 50, 0)
                .await
                .unwrap()),
            [second]
        );
        let number = testkit::fixtures::corporate_number(1).to_string();
        assert_eq!(
            ids(store
                .search_companies(None, &search(&number), 50, 0)
                .await
                .unwrap()),
            [first]
        );
        assert_eq!(
            ids(store
                .search_companies(None, &search("HANAKO@"), 50, 0)
                .await
                .unwrap()),
            [second],
            "a user's address, in any case"
        );
        assert_eq!(
            ids(store
                .search_companies(None, &search("ＴＥＳＴ"), 50, 0)
                .await
                .unwrap())
            .len(),
            0,
            "full-width letters are read as ASCII (none match here)"
        );
        assert!(
            store
                .search_companies(None, &search("%"), 50, 0)
                .await
                .unwrap()
                .is_empty(),
            "a wildcard is a character"
        );
        let in_review = domain::CompanyStatus::InReview;
        assert_eq!(
            store
                .search_companies(Some(in_review), &search(""), 50, 0)
                .await
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            store.company_status_counts(&search("")).await.unwrap(),
            [(in_review, 2)]
        );
        assert_eq!(
            store
                .company_status_counts(&search("精工22"))
                .await
                .unwrap(),
            [(in_review, 1)]
        );
    }
);
