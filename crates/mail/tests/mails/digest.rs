//! おすすめ案件通知: the cases the user's notification settings matched.

use mail::{DigestCase, DigestGroup};

use super::{SITE, TO, composer, shown};

const TOKEN: &str = "unsub-0123456789abcdef";

fn case(id: i64, title: &str, organization: &str, deadline: &str) -> DigestCase {
    DigestCase {
        title: title.into(),
        organization: organization.into(),
        deadline: deadline.into(),
        url: format!("{SITE}/cases/{id}"),
    }
}

#[test]
fn a_digest_of_one_setting_lists_its_cases_with_their_deadlines() {
    let groups = [DigestGroup {
        setting: "清掃（東京都）".into(),
        cases: vec![
            case(
                101,
                "市庁舎清掃業務委託",
                "東京都八王子市",
                "2026年12月1日（令和8年） 17:00",
            ),
            case(
                102,
                "図書館清掃業務",
                "東京都立川市",
                "2026年12月3日（令和8年） 12:00",
            ),
        ],
    }];
    let mail = shown(&composer().notify_digest(TO, "山田 太郎", &groups, TOKEN));
    insta::assert_snapshot!(mail);
}

#[test]
fn a_digest_of_several_settings_groups_the_cases_by_setting() {
    let groups = [
        DigestGroup {
            setting: "清掃（東京都）".into(),
            cases: vec![case(
                101,
                "市庁舎清掃業務委託",
                "東京都八王子市",
                "2026年12月1日（令和8年） 17:00",
            )],
        },
        DigestGroup {
            setting: "システム開発".into(),
            cases: vec![
                case(
                    201,
                    "施設予約システム改修業務（A&B棟）",
                    "神奈川県",
                    "2026年12月10日（令和8年） 17:00",
                ),
                // No deadline known: the line says nothing of one.
                case(202, "庁内ネットワーク保守", "神奈川県横浜市", ""),
            ],
        },
    ];
    let mail = shown(&composer().notify_digest(TO, "山田 太郎", &groups, TOKEN));
    insta::assert_snapshot!(mail);
}

#[test]
fn a_deadline_given_as_a_day_is_written_without_a_time() {
    let groups = [DigestGroup {
        setting: "清掃（東京都）".into(),
        cases: vec![case(
            103,
            "公園トイレ清掃業務",
            "東京都府中市",
            "2026年12月4日（令和8年）",
        )],
    }];
    let mail = shown(&composer().notify_digest(TO, "山田 太郎", &groups, TOKEN));
    insta::assert_snapshot!(mail);
}
