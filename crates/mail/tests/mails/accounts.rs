//! The mails about an account and its company: applying, review, sign-in,
//! invitations and requested changes.

use mail::Outcome;

use super::{TO, composer, shown};

const NAME: &str = "山田 太郎";
const COMPANY: &str = "株式会社テスト工業";

#[test]
fn an_applicant_is_asked_to_confirm_the_address() {
    let mail = shown(&composer().confirm_email(TO, NAME, "confirm-token-0123", 24));
    insta::assert_snapshot!(mail);
}

#[test]
fn an_address_already_registered_is_told_so_instead() {
    let mail = shown(&composer().address_in_use(TO));
    insta::assert_snapshot!(mail);
}

#[test]
fn an_applicant_hears_the_application_was_received() {
    let mail = shown(&composer().application_received(TO, NAME, COMPANY));
    insta::assert_snapshot!(mail);
}

fn review(outcome: Outcome, reason: Option<&str>) -> String {
    shown(&composer().review_result(TO, NAME, COMPANY, outcome, reason))
}

#[test]
fn an_approved_applicant_is_sent_to_sign_in() {
    let mail = review(Outcome::Approved, None);
    insta::assert_snapshot!(mail);
}

#[test]
fn a_rejected_applicant_hears_the_reason_and_gets_no_sign_in_link() {
    let mail = review(
        Outcome::Rejected,
        Some("登記簿の所在地を確認できませんでした。"),
    );
    insta::assert_snapshot!(mail);
}

#[test]
fn a_returned_application_asks_for_a_correction_with_the_reason() {
    let mail = review(Outcome::Returned, Some("担当者の電話番号が未記入です。"));
    insta::assert_snapshot!(mail);
}

#[test]
fn a_suspended_company_hears_the_reason() {
    let mail = review(
        Outcome::Suspended,
        Some("登録内容に虚偽の記載がありました。"),
    );
    insta::assert_snapshot!(mail);
}

#[test]
fn a_reinstated_company_is_sent_to_sign_in() {
    let mail = review(Outcome::Reinstated, None);
    insta::assert_snapshot!(mail);
}

#[test]
fn a_password_reset_carries_its_one_time_link() {
    let mail = shown(&composer().password_reset(TO, NAME, "reset-token-0123", 2));
    insta::assert_snapshot!(mail);
}

#[test]
fn an_invitation_carries_its_link_and_who_sent_it() {
    let mail =
        shown(&composer().invitation(TO, NAME, "鈴木 花子", COMPANY, "invite-token-0123", 72));
    insta::assert_snapshot!(mail);
}

#[test]
fn the_owner_of_a_registered_address_hears_of_an_invitation_without_a_link() {
    let mail = shown(&composer().invitation_to_registered(TO, "鈴木 花子", COMPANY));
    insta::assert_snapshot!(mail);
}

#[test]
fn an_approved_change_of_dealings_names_the_new_one() {
    let mail = shown(&composer().dealings_change_result(TO, NAME, "発注・受注", true, None));
    insta::assert_snapshot!(mail);
}

#[test]
fn a_refused_change_of_dealings_gives_the_reason() {
    let mail = shown(&composer().dealings_change_result(
        TO,
        NAME,
        "発注・受注",
        false,
        Some("発注の実績を確認できませんでした。"),
    ));
    insta::assert_snapshot!(mail);
}

#[test]
fn an_approved_change_of_legal_name_names_the_new_one() {
    let mail = shown(&composer().legal_change_result(
        TO,
        NAME,
        "株式会社テスト工業ホールディングス",
        true,
        None,
    ));
    insta::assert_snapshot!(mail);
}

#[test]
fn a_refused_change_of_legal_name_gives_the_reason() {
    let mail = shown(&composer().legal_change_result(
        TO,
        NAME,
        "株式会社テスト工業ホールディングス",
        false,
        Some("法人番号の変更を登記簿で確認できませんでした。"),
    ));
    insta::assert_snapshot!(mail);
}
