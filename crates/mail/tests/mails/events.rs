//! The mails about a private order or technical need, an entry for one, or
//! an e-tender: one per `CaseEvent` variant, and one per branch of its text.

use mail::{CaseEvent, TenderOutcome};

use super::{TO, composer, shown};

const NAME: &str = "山田 太郎";
const ORDER: &str = "工場内設備の定期点検";
const TENDER: &str = "市庁舎清掃業務委託（令和9年度）";

fn order_mail(event: CaseEvent, path: &str) -> String {
    shown(&composer().case_event(TO, NAME, ORDER, &event, path))
}

fn tender_mail(event: CaseEvent, path: &str) -> String {
    shown(&composer().case_event(TO, NAME, TENDER, &event, path))
}

#[test]
fn the_orderer_hears_its_case_was_published() {
    let mail = order_mail(CaseEvent::Published, "/mypage/orders/12");
    insta::assert_snapshot!(mail);
}

#[test]
fn the_orderer_hears_its_case_was_returned_with_the_comment() {
    let mail = order_mail(
        CaseEvent::Returned {
            comment: "納期の欄に具体的な日付を入れてください。".into(),
        },
        "/mypage/orders/12",
    );
    insta::assert_snapshot!(mail);
}

#[test]
fn reviewers_hear_a_case_was_submitted() {
    let mail = order_mail(
        CaseEvent::Submitted {
            company: "株式会社発注テスト".into(),
        },
        "/admin/orders/12",
    );
    insta::assert_snapshot!(mail);
}

#[test]
fn the_orderer_hears_of_an_entry_with_its_message() {
    let mail = order_mail(
        CaseEvent::EntryReceived {
            company: "株式会社受注テスト".into(),
            message: "ぜひ担当させてください。\n同様の点検を年20件行っています。".into(),
        },
        "/mypage/orders/12",
    );
    insta::assert_snapshot!(mail);
}

#[test]
fn the_entrant_hears_its_entry_was_received() {
    let mail = order_mail(CaseEvent::EntrySent, "/mypage/entries");
    insta::assert_snapshot!(mail);
}

#[test]
fn the_other_side_of_an_entry_hears_of_a_message() {
    let mail = order_mail(
        CaseEvent::Message {
            from: "株式会社発注テスト".into(),
            message: "来週、現地をご案内できます。ご都合のよい日をお知らせください。".into(),
        },
        "/mypage/entries/7",
    );
    insta::assert_snapshot!(mail);
}

#[test]
fn the_chosen_entrant_hears_it_was_chosen() {
    let mail = order_mail(
        CaseEvent::Chosen {
            company: "株式会社発注テスト".into(),
        },
        "/mypage/entries/7",
    );
    insta::assert_snapshot!(mail);
}

#[test]
fn an_entrant_not_chosen_hears_another_was() {
    let mail = order_mail(
        CaseEvent::NotChosen {
            company: "株式会社発注テスト".into(),
        },
        "/mypage/entries/8",
    );
    insta::assert_snapshot!(mail);
}

#[test]
fn the_orderer_hears_its_choice_was_recorded() {
    let mail = order_mail(
        CaseEvent::ChoiceMade {
            company: "株式会社受注テスト".into(),
        },
        "/mypage/orders/12",
    );
    insta::assert_snapshot!(mail);
}

#[test]
fn an_entrant_hears_the_case_was_called_off() {
    let mail = order_mail(
        CaseEvent::Cancelled {
            company: "株式会社発注テスト".into(),
        },
        "/mypage/entries/7",
    );
    insta::assert_snapshot!(mail);
}

#[test]
fn staff_hear_a_company_applied_to_a_tender() {
    let mail = tender_mail(
        CaseEvent::TenderApplication {
            company: "株式会社受注テスト".into(),
        },
        "/org/tenders/42",
    );
    insta::assert_snapshot!(mail);
}

#[test]
fn the_applicant_hears_its_application_was_received() {
    let mail = tender_mail(CaseEvent::TenderApplied, "/cases/42");
    insta::assert_snapshot!(mail);
}

#[test]
fn an_admitted_company_hears_when_bidding_opens() {
    let mail = tender_mail(
        CaseEvent::TenderAdmitted {
            nominated: false,
            bidding_opens: "2027年1月12日（令和9年） 09:00".into(),
        },
        "/cases/42/bid",
    );
    insta::assert_snapshot!(mail);
}

#[test]
fn a_nominated_company_gets_the_nomination_notice() {
    let mail = tender_mail(
        CaseEvent::TenderAdmitted {
            nominated: true,
            bidding_opens: "2027年1月12日（令和9年） 09:00".into(),
        },
        "/cases/42/bid",
    );
    insta::assert_snapshot!(mail);
}

#[test]
fn a_refused_company_hears_the_reason() {
    let mail = tender_mail(
        CaseEvent::TenderRejected {
            reason: "建物清掃の資格等級がA等級ではありません。".into(),
        },
        "/cases/42",
    );
    insta::assert_snapshot!(mail);
}

#[test]
fn companies_taking_part_hear_of_an_amendment_with_the_changes() {
    let mail = tender_mail(
        CaseEvent::TenderAmended {
            changes: "入札締切日時：2027年1月19日（令和9年） 17:00 → 2027年1月26日（令和9年） 17:00\n\n仕様書の誤りを訂正したためです。".into(),
        },
        "/cases/42",
    );
    insta::assert_snapshot!(mail);
}

#[test]
fn companies_taking_part_hear_the_tender_was_called_off() {
    let mail = tender_mail(CaseEvent::TenderCancelled, "/cases/42");
    insta::assert_snapshot!(mail);
}

#[test]
fn staff_hear_of_a_question() {
    let mail = tender_mail(
        CaseEvent::TenderQuestion {
            question: "清掃範囲に地下駐車場は含まれますか。".into(),
        },
        "/org/tenders/42",
    );
    insta::assert_snapshot!(mail);
}

#[test]
fn companies_taking_part_hear_an_answer_with_its_question() {
    let mail = tender_mail(
        CaseEvent::TenderAnswered {
            question: "清掃範囲に地下駐車場は含まれますか。".into(),
            answer: "含まれません。仕様書2ページの図をご覧ください。".into(),
        },
        "/cases/42#questions",
    );
    insta::assert_snapshot!(mail);
}

#[test]
fn the_winning_bidder_hears_it_won() {
    let mail = tender_mail(
        CaseEvent::TenderResult {
            outcome: TenderOutcome::Won,
        },
        "/cases/42",
    );
    insta::assert_snapshot!(mail);
}

#[test]
fn a_bidder_that_did_not_win_hears_the_winner_was_decided() {
    let mail = tender_mail(
        CaseEvent::TenderResult {
            outcome: TenderOutcome::Lost,
        },
        "/cases/42",
    );
    insta::assert_snapshot!(mail);
}

#[test]
fn every_bidder_hears_the_tender_was_unsuccessful() {
    let mail = tender_mail(
        CaseEvent::TenderResult {
            outcome: TenderOutcome::Unsuccessful,
        },
        "/cases/42",
    );
    insta::assert_snapshot!(mail);
}
