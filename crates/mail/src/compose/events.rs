//! The mails about a private order or technical need, an entry for one, or
//! an e-tender: one `CaseEvent` per thing that happened, one function per
//! event writing what its recipients read, one template around them all.

use askama::Template;
use store::NewMail;

use super::{Composer, text};

/// What happened to a private order or technical need, or to an entry for
/// one, or to an e-tender, that someone is told about by mail. It owns its
/// text, so one event is composed into a mail for each recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseEvent {
    /// To the ordering company: the case was approved and is public.
    Published,
    /// To the ordering company: the case was returned with the reviewer's comment.
    Returned { comment: String },
    /// To reviewers: a case was submitted for review.
    Submitted { company: String },
    /// To the ordering company: a receiving company entered.
    EntryReceived { company: String, message: String },
    /// To the receiving company: its entry was received.
    EntrySent,
    /// To the other side of an entry: a new message.
    Message { from: String, message: String },
    /// To the receiving company: it was chosen as the partner.
    Chosen { company: String },
    /// To a receiving company that was not chosen.
    NotChosen { company: String },
    /// To the ordering company: its choice was recorded.
    ChoiceMade { company: String },
    /// To an entrant: the ordering company called the case off.
    Cancelled { company: String },
    /// To the organisation's staff: a company applied to take part in an e-tender.
    TenderApplication { company: String },
    /// To the applying company: its application was received.
    TenderApplied,
    /// To the company: 資格審査 admitted it (or it was nominated: 指名通知).
    TenderAdmitted {
        nominated: bool,
        /// When bids are first accepted, as the mail writes it.
        bidding_opens: String,
    },
    /// To the company: 資格審査 did not admit it, with the reason.
    TenderRejected { reason: String },
    /// To every company taking part: 変更公告, with what changed.
    TenderAmended { changes: String },
    /// To every company taking part: the tender was called off (中止).
    TenderCancelled,
    /// To the organisation's staff: a question was asked.
    TenderQuestion { question: String },
    /// To every company taking part: an answer was published.
    TenderAnswered { question: String, answer: String },
    /// To every bidder: the result (落札決定 or 不調), as it is for that bidder.
    TenderResult { outcome: TenderOutcome },
}

/// How a tender ended for one bidder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenderOutcome {
    /// 落札決定, and this bidder is the winner.
    Won,
    /// 落札決定, and another bidder won.
    Lost,
    /// 不調: nobody won.
    Unsuccessful,
}

/// What one event's mail says, around the case's title and link.
struct Notice<'a> {
    subject: &'static str,
    /// The opening paragraph.
    lead: String,
    /// A quoted block under the case title: its heading and the text.
    quote: Option<(&'static str, &'a str)>,
    /// The sentence above the link.
    next_step: &'static str,
}

impl CaseEvent {
    /// Only dispatches: each event's words are in its own function below.
    fn notice(&self) -> Notice<'_> {
        match self {
            CaseEvent::Published => published(),
            CaseEvent::Returned { comment } => returned(comment),
            CaseEvent::Submitted { company } => submitted(company),
            CaseEvent::EntryReceived { company, message } => entry_received(company, message),
            CaseEvent::EntrySent => entry_sent(),
            CaseEvent::Message { from, message } => message_posted(from, message),
            CaseEvent::Chosen { company } => chosen(company),
            CaseEvent::NotChosen { company } => not_chosen(company),
            CaseEvent::ChoiceMade { company } => choice_made(company),
            CaseEvent::Cancelled { company } => cancelled(company),
            CaseEvent::TenderApplication { company } => tender_application(company),
            CaseEvent::TenderApplied => tender_applied(),
            CaseEvent::TenderAdmitted {
                nominated,
                bidding_opens,
            } => tender_admitted(*nominated, bidding_opens),
            CaseEvent::TenderRejected { reason } => tender_rejected(reason),
            CaseEvent::TenderAmended { changes } => tender_amended(changes),
            CaseEvent::TenderCancelled => tender_cancelled(),
            CaseEvent::TenderQuestion { question } => tender_question(question),
            CaseEvent::TenderAnswered { question, answer } => tender_answered(question, answer),
            CaseEvent::TenderResult { outcome } => tender_result(*outcome),
        }
    }
}

/// To the users of the ordering company, when an operator approves its
/// private order or technical need and it goes public.
fn published() -> Notice<'static> {
    Notice {
        subject: "案件を公開しました",
        lead: "ご登録の案件を審査し、公開しました。受注企業からのエントリーは、マイページでご確認いただけます。".into(),
        quote: None,
        next_step: "案件の状況は次のURLからご確認ください。",
    }
}

/// To the users of the ordering company, when an operator returns its case
/// for correction; quotes the operator's comment.
fn returned(comment: &str) -> Notice<'_> {
    Notice {
        subject: "案件の修正のお願い",
        lead: "ご登録の案件について、内容の修正をお願いすることになりました。".into(),
        quote: Some(("運営事務局からのコメント", comment)),
        next_step: "次のURLからログインして、案件を修正のうえ、再度審査に提出してください。",
    }
}

/// To every active operator and administrator, when a company submits a
/// private order or technical need for review.
fn submitted(company: &str) -> Notice<'static> {
    Notice {
        subject: "案件の審査依頼",
        lead: format!("{company} から案件の審査の依頼がありました。"),
        quote: None,
        next_step: "次のURLから審査してください。",
    }
}

/// To the users of the ordering company, when a receiving company enters
/// its case; quotes the entry's first message.
fn entry_received<'a>(company: &str, message: &'a str) -> Notice<'a> {
    Notice {
        subject: "案件にエントリーがありました",
        lead: format!("ご登録の案件に、{company} からエントリーがありました。"),
        quote: Some(("メッセージ", message)),
        next_step: "エントリーの内容の確認と返信は、次のURLから行えます。",
    }
}

/// To the users of the receiving company, when its entry was received
/// (sent together with `entry_received` to the orderer).
fn entry_sent() -> Notice<'static> {
    Notice {
        subject: "エントリーを受け付けました",
        lead: "次の案件へのエントリーを受け付けました。発注企業からの連絡は、メールとマイページでお知らせします。".into(),
        quote: None,
        next_step: "エントリーの内容は次のURLからご確認いただけます。",
    }
}

/// To the users of the other side of an entry, when one side posts a
/// message in its thread; quotes the message.
fn message_posted<'a>(from: &str, message: &'a str) -> Notice<'a> {
    Notice {
        subject: "エントリーへのメッセージが届きました",
        lead: format!("{from} からメッセージが届きました。"),
        quote: Some(("メッセージ", message)),
        next_step: "返信は次のURLから行えます。",
    }
}

/// To the users of the receiving company the ordering company chose as its
/// partner, when it chooses.
fn chosen(company: &str) -> Notice<'static> {
    Notice {
        subject: "取引先に選定されました",
        lead: format!(
            "{company} が、次の案件の取引先として貴社を選定しました。今後の進め方は、発注企業と直接ご相談ください。"
        ),
        quote: None,
        next_step: "やり取りの内容は次のURLからご確認いただけます。",
    }
}

/// To the users of every other entrant, when the ordering company chooses
/// its partner.
fn not_chosen(company: &str) -> Notice<'static> {
    Notice {
        subject: "エントリーの結果のお知らせ",
        lead: format!(
            "{company} の次の案件は、他の企業が取引先に選定されました。このたびはエントリーいただき、ありがとうございました。"
        ),
        quote: None,
        next_step: "エントリーの内容は次のURLからご確認いただけます。",
    }
}

/// To the user of the ordering company who chose a partner, as the record
/// that the choice was made and the entrants were told.
fn choice_made(company: &str) -> Notice<'static> {
    Notice {
        subject: "取引先の選定を記録しました",
        lead: format!(
            "次の案件の取引先として {company} を選定したことを記録し、エントリーしたすべての企業にお知らせしました。"
        ),
        quote: None,
        next_step: "案件の状況は次のURLからご確認ください。",
    }
}

/// To the users of every entrant still awaiting an answer, when the ordering
/// company calls its case off.
fn cancelled(company: &str) -> Notice<'static> {
    Notice {
        subject: "案件の中止のお知らせ",
        lead: format!(
            "{company} は、次の案件の募集を中止しました。このたびはエントリーいただき、ありがとうございました。"
        ),
        quote: None,
        next_step: "エントリーの内容は次のURLからご確認いただけます。",
    }
}

/// To the staff of the tender's organisation, when a company applies to
/// take part (参加希望申請).
fn tender_application(company: &str) -> Notice<'static> {
    Notice {
        subject: "参加申請がありました",
        lead: format!("{company} から、次の電子入札案件への参加申請がありました。"),
        quote: None,
        next_step: "資格審査は次のURLから行えます。",
    }
}

/// To the users of the applying company, when its application is received
/// (sent together with `tender_application` to the staff).
fn tender_applied() -> Notice<'static> {
    Notice {
        subject: "参加申請を受け付けました",
        lead: "次の電子入札案件への参加申請を受け付けました。資格審査の結果は、メールでお知らせします。".into(),
        quote: None,
        next_step: "案件の内容は次のURLからご確認いただけます。",
    }
}

/// To the users of a company, when staff admit it in 資格審査 or, with
/// `nominated`, name it for a 指名競争入札 (指名通知); says when bids open.
fn tender_admitted(nominated: bool, bidding_opens: &str) -> Notice<'static> {
    let (subject, lead) = if nominated {
        (
            "指名通知",
            format!(
                "次の電子入札案件について、貴社を指名しました（指名通知）。入札書は {bidding_opens} から受け付けます。"
            ),
        )
    } else {
        (
            "資格審査の結果（参加資格あり）",
            format!(
                "次の電子入札案件について、貴社の参加資格を認めました。入札書は {bidding_opens} から受け付けます。"
            ),
        )
    };
    Notice {
        subject,
        lead,
        quote: None,
        next_step: "入札は次のURLから行えます。",
    }
}

/// To the users of a company, when staff refuse it in 資格審査; quotes
/// their reason.
fn tender_rejected(reason: &str) -> Notice<'_> {
    Notice {
        subject: "資格審査の結果（参加資格なし）",
        lead: "次の電子入札案件について、審査の結果、貴社の参加資格を認めませんでした。".into(),
        quote: Some(("理由", reason)),
        next_step: "案件の内容は次のURLからご確認いただけます。",
    }
}

/// To the users of every company taking part, when staff amend the
/// tender's schedule (変更公告); quotes what changed and the staff's note.
fn tender_amended(changes: &str) -> Notice<'_> {
    Notice {
        subject: "変更公告のお知らせ",
        lead: "参加いただいている次の電子入札案件について、変更公告を行いました。".into(),
        quote: Some(("変更の内容", changes)),
        next_step: "変更後の内容は次のURLからご確認ください。",
    }
}

/// To the users of every company taking part, when staff call the tender
/// off (中止): no bid is opened.
fn tender_cancelled() -> Notice<'static> {
    Notice {
        subject: "入札中止のお知らせ",
        lead: "参加いただいている次の電子入札案件は、中止になりました。提出いただいた入札書は開封されません。".into(),
        quote: None,
        next_step: "案件の状況は次のURLからご確認いただけます。",
    }
}

/// To the staff of the tender's organisation, when a company asks a
/// question; quotes it (the page will never say who asked).
fn tender_question(question: &str) -> Notice<'_> {
    Notice {
        subject: "質問がありました",
        lead: "次の電子入札案件に質問がありました。回答は案件のページに公表されます（質問者の名前は公表されません）。".into(),
        quote: Some(("質問", question)),
        next_step: "回答は次のURLから行えます。",
    }
}

/// To the users of every company taking part and of the one that asked,
/// when staff publish an answer; gives the question and quotes the answer.
fn tender_answered<'a>(question: &str, answer: &'a str) -> Notice<'a> {
    Notice {
        subject: "質問への回答",
        lead: format!("次の電子入札案件の質問に回答しました。\n\n質問：{question}"),
        quote: Some(("回答", answer)),
        next_step: "すべての質問と回答は、次のURLからご確認いただけます。",
    }
}

/// To the users of every company that bid, when staff decide the winner
/// (落札決定) or that there is none (不調): each reads its own outcome.
fn tender_result(outcome: TenderOutcome) -> Notice<'static> {
    let (subject, lead) = match outcome {
        TenderOutcome::Won => (
            "落札者決定のお知らせ",
            "次の電子入札案件について、貴社を落札者に決定しました。契約の手続きは、発注機関からご連絡します。",
        ),
        TenderOutcome::Lost => (
            "入札結果のお知らせ",
            "次の電子入札案件の落札者が決定しました。入札いただき、ありがとうございました。",
        ),
        TenderOutcome::Unsuccessful => (
            "入札結果のお知らせ",
            "次の電子入札案件は、有効な入札がなかったため不調となりました。",
        ),
    };
    Notice {
        subject,
        lead: lead.into(),
        quote: None,
        next_step: "入札結果は次のURLで公表しています。",
    }
}

#[derive(Template)]
#[template(path = "case_notice.txt", escape = "none")]
struct CaseNotice<'a> {
    site_url: &'a str,
    name: &'a str,
    lead: &'a str,
    case_title: &'a str,
    quote: Option<(&'a str, &'a str)>,
    next_step: &'a str,
    link: &'a str,
}

impl Composer {
    /// The mail about `event` to one recipient; `path` is the page to open,
    /// e.g. "/mypage/orders/12". Borrows the event, so a caller composes
    /// one mail per recipient from the same event.
    pub fn case_event(
        &self,
        to: &str,
        name: &str,
        case_title: &str,
        event: &CaseEvent,
        path: &str,
    ) -> NewMail {
        let notice = event.notice();
        let link = format!("{}{path}", self.site_url);
        Self::mail(
            to,
            notice.subject,
            text(&CaseNotice {
                site_url: &self.site_url,
                name,
                lead: &notice.lead,
                case_title,
                quote: notice.quote,
                next_step: notice.next_step,
                link: &link,
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_mail_names_the_company_quotes_the_message_and_links_the_page() {
        let c = Composer::new("https://navi.example.jp");
        let m = c.case_event(
            "o@example.jp",
            "発注 花子",
            "工場内設備の定期点検",
            &CaseEvent::EntryReceived {
                company: "株式会社受注".into(),
                message: "ぜひ担当させてください。".into(),
            },
            "/mypage/entries/7",
        );
        assert_eq!(
            m.subject,
            "【ビジネスチャンス・ナビ】案件にエントリーがありました"
        );
        assert!(m.body_text.starts_with("発注 花子 様\n"));
        assert!(
            m.body_text
                .contains("株式会社受注 からエントリーがありました")
        );
        assert!(m.body_text.contains("■ 案件名\n工場内設備の定期点検\n"));
        assert!(
            m.body_text
                .contains("■ メッセージ\nぜひ担当させてください。\n")
        );
        assert!(
            m.body_text
                .contains("https://navi.example.jp/mypage/entries/7\n")
        );
    }

    #[test]
    fn one_event_composes_a_mail_for_each_recipient() {
        let c = Composer::new("https://navi.example.jp");
        let event = CaseEvent::TenderAmended {
            changes: "入札締切日時を変更しました。".into(),
        };
        let mails: Vec<NewMail> = [("a@example.jp", "山田 太郎"), ("b@example.jp", "鈴木 花子")]
            .iter()
            .map(|(to, name)| c.case_event(to, name, "庁舎清掃", &event, "/cases/1"))
            .collect();
        assert_eq!(mails[0].to, "a@example.jp");
        assert_eq!(mails[1].to, "b@example.jp");
        assert!(mails[1].body_text.starts_with("鈴木 花子 様\n"));
        for m in &mails {
            assert!(
                m.body_text
                    .contains("■ 変更の内容\n入札締切日時を変更しました。\n")
            );
        }
    }
}
