//! The mails the portal writes, in Japanese, each from a text template.
//! Every function returns a `NewMail` for the outbox; nothing is sent here.

use askama::Template;
use store::NewMail;

const PREFIX: &str = "【ビジネスチャンス・ナビ】";

/// Composes mails with links into the site at `site_url` (no trailing slash).
#[derive(Debug, Clone)]
pub struct Composer {
    site_url: String,
}

#[derive(Template)]
#[template(path = "confirm_email.txt", escape = "none")]
struct ConfirmEmail<'a> {
    site_url: &'a str,
    name: &'a str,
    link: &'a str,
    hours: i64,
}

#[derive(Template)]
#[template(path = "application_received.txt", escape = "none")]
struct ApplicationReceived<'a> {
    site_url: &'a str,
    name: &'a str,
    company: &'a str,
}

#[derive(Template)]
#[template(path = "review_result.txt", escape = "none")]
struct ReviewResult<'a> {
    site_url: &'a str,
    name: &'a str,
    company: &'a str,
    outcome: &'a str,
    reason: Option<&'a str>,
    next_step: &'a str,
    link: Option<String>,
}

#[derive(Template)]
#[template(path = "password_reset.txt", escape = "none")]
struct PasswordReset<'a> {
    site_url: &'a str,
    name: &'a str,
    link: &'a str,
    hours: i64,
}

#[derive(Template)]
#[template(path = "invitation.txt", escape = "none")]
struct Invitation<'a> {
    site_url: &'a str,
    name: &'a str,
    inviter: &'a str,
    company: &'a str,
    link: &'a str,
    hours: i64,
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

#[derive(Template)]
#[template(path = "bid_receipt.txt", escape = "none")]
struct BidReceiptText<'a> {
    site_url: &'a str,
    name: &'a str,
    what: &'a str,
    case_title: &'a str,
    receipt_no: &'a str,
    received_at: &'a str,
    sealed_hash: &'a str,
    declined: bool,
    link: &'a str,
}

/// The facts of an e-tender receipt (受付票) a bidder is mailed: never the
/// amount, which stays sealed until the opening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BidReceipt<'a> {
    pub case_id: i64,
    pub case_title: &'a str,
    pub receipt_no: &'a str,
    /// "2026年11月26日 14:05:09.123" (JST, to the millisecond).
    pub received_at: &'a str,
    pub sealed_hash: &'a str,
    /// 辞退 rather than a bid.
    pub declined: bool,
}

/// One case in a notification mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestCase {
    pub title: String,
    pub organization: String,
    /// "2026年12月1日（令和8年） 17:00", or empty.
    pub deadline: String,
    pub url: String,
}

/// The cases one setting matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestGroup {
    pub setting: String,
    pub cases: Vec<DigestCase>,
}

#[derive(Template)]
#[template(path = "notify_digest.txt", escape = "none")]
struct DigestText<'a> {
    site_url: &'a str,
    name: &'a str,
    total: usize,
    groups: &'a [DigestGroup],
    settings_url: &'a str,
    unsubscribe_url: &'a str,
}

#[derive(Template)]
#[template(path = "notify_digest.html")]
struct DigestHtml<'a> {
    site_url: &'a str,
    subject: &'a str,
    name: &'a str,
    total: usize,
    groups: &'a [DigestGroup],
    settings_url: &'a str,
    unsubscribe_url: &'a str,
}

/// What happened to a private order or technical need, or to an entry for
/// one, that someone is told about by mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseEvent<'a> {
    /// To the ordering company: the case was approved and is public.
    Published,
    /// To the ordering company: the case was returned with the reviewer's comment.
    Returned { comment: &'a str },
    /// To reviewers: a case was submitted for review.
    Submitted { company: &'a str },
    /// To the ordering company: a receiving company entered.
    EntryReceived { company: &'a str, message: &'a str },
    /// To the receiving company: its entry was received.
    EntrySent,
    /// To the other side of an entry: a new message.
    Message { from: &'a str, message: &'a str },
    /// To the receiving company: it was chosen as the partner.
    Chosen { company: &'a str },
    /// To a receiving company that was not chosen.
    NotChosen { company: &'a str },
    /// To the ordering company: its choice was recorded.
    ChoiceMade { company: &'a str },
    /// To an entrant: the ordering company called the case off.
    Cancelled { company: &'a str },
    /// To the organisation's staff: a company applied to take part in an e-tender.
    TenderApplication { company: &'a str },
    /// To the applying company: its application was received.
    TenderApplied,
    /// To the company: 資格審査 admitted it (or it was nominated: 指名通知).
    TenderAdmitted {
        nominated: bool,
        bidding_opens: &'a str,
    },
    /// To the company: 資格審査 did not admit it, with the reason.
    TenderRejected { reason: &'a str },
    /// To every company taking part: 変更公告, with what changed.
    TenderAmended { changes: &'a str },
    /// To every company taking part: the tender was called off (中止).
    TenderCancelled,
    /// To the organisation's staff: a question was asked.
    TenderQuestion { question: &'a str },
    /// To every company taking part: an answer was published.
    TenderAnswered { question: &'a str, answer: &'a str },
    /// To every bidder: the result (落札決定 or 不調).
    TenderResult { won: bool, unsuccessful: bool },
}

/// The outcome of a review, as the applicant is told it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Approved,
    Rejected,
    Returned,
    Suspended,
    Reinstated,
}

fn text(t: &impl Template) -> String {
    // Templates are checked at compile time; rendering fails only on a
    // formatting error of a value, which none of ours can produce.
    t.render()
        .unwrap_or_else(|e| format!("（本文を作成できませんでした: {e}）"))
}

impl Composer {
    pub fn new(site_url: &str) -> Self {
        Composer {
            site_url: site_url.trim_end_matches('/').to_owned(),
        }
    }

    pub fn site_url(&self) -> &str {
        &self.site_url
    }

    fn mail(to: &str, subject: &str, body: String) -> NewMail {
        NewMail {
            to: to.to_owned(),
            subject: format!("{PREFIX}{subject}"),
            body_text: body,
            ..NewMail::default()
        }
    }

    /// おすすめ案件通知: the cases each setting matched, grouped by setting,
    /// in text and HTML, with a link to the settings and a one-click
    /// unsubscribe (RFC 8058) that needs no sign-in.
    pub fn notify_digest(
        &self,
        to: &str,
        name: &str,
        groups: &[DigestGroup],
        unsubscribe_token: &str,
    ) -> NewMail {
        let total = groups.iter().map(|g| g.cases.len()).sum();
        let settings_url = format!("{}/mypage/notifications", self.site_url);
        let unsubscribe_url = format!(
            "{}/notifications/unsubscribe/{unsubscribe_token}",
            self.site_url
        );
        let subject = format!("{PREFIX}おすすめ案件のお知らせ（{total}件）");
        let body_text = text(&DigestText {
            site_url: &self.site_url,
            name,
            total,
            groups,
            settings_url: &settings_url,
            unsubscribe_url: &unsubscribe_url,
        });
        let body_html = text(&DigestHtml {
            site_url: &self.site_url,
            subject: &subject,
            name,
            total,
            groups,
            settings_url: &settings_url,
            unsubscribe_url: &unsubscribe_url,
        });
        NewMail {
            to: to.to_owned(),
            subject,
            body_text,
            body_html: Some(body_html),
            headers: vec![
                ("List-Unsubscribe".into(), format!("<{unsubscribe_url}>")),
                (
                    "List-Unsubscribe-Post".into(),
                    "List-Unsubscribe=One-Click".into(),
                ),
            ],
            dedupe_key: None,
        }
    }

    pub fn confirm_email(&self, to: &str, name: &str, token: &str, hours: i64) -> NewMail {
        let link = format!("{}/apply/confirm/{token}", self.site_url);
        Self::mail(
            to,
            "メールアドレスの確認のお願い",
            text(&ConfirmEmail {
                site_url: &self.site_url,
                name,
                link: &link,
                hours,
            }),
        )
    }

    pub fn application_received(&self, to: &str, name: &str, company: &str) -> NewMail {
        Self::mail(
            to,
            "利用申請を受け付けました",
            text(&ApplicationReceived {
                site_url: &self.site_url,
                name,
                company,
            }),
        )
    }

    pub fn review_result(
        &self,
        to: &str,
        name: &str,
        company: &str,
        outcome: Outcome,
        reason: Option<&str>,
    ) -> NewMail {
        let (subject, said, next, link) = match outcome {
            Outcome::Approved => (
                "利用申請を承認しました",
                "審査の結果、承認しました",
                "次のURLからログインして、ご利用を始めてください。",
                Some(format!("{}/login", self.site_url)),
            ),
            Outcome::Rejected => (
                "利用申請の審査結果のお知らせ",
                "審査の結果、承認を見送ることになりました",
                "ご不明な点は、運営事務局までお問い合わせください。",
                None,
            ),
            Outcome::Returned => (
                "利用申請の修正のお願い",
                "申請内容の修正をお願いすることになりました",
                "次のURLからログインして、申請内容を修正のうえ、再度申請してください。",
                Some(format!("{}/login", self.site_url)),
            ),
            Outcome::Suspended => (
                "ご利用停止のお知らせ",
                "ご利用を停止しました",
                "ご不明な点は、運営事務局までお問い合わせください。",
                None,
            ),
            Outcome::Reinstated => (
                "ご利用再開のお知らせ",
                "ご利用を再開できるようになりました",
                "次のURLからログインしてください。",
                Some(format!("{}/login", self.site_url)),
            ),
        };
        Self::mail(
            to,
            subject,
            text(&ReviewResult {
                site_url: &self.site_url,
                name,
                company,
                outcome: said,
                reason,
                next_step: next,
                link,
            }),
        )
    }

    /// Someone applied with an address that already has an account.
    pub fn address_in_use(&self, to: &str) -> NewMail {
        let body = format!(
            "ビジネスチャンス・ナビの利用申請で、このメールアドレスが入力されましたが、\n\
             このメールアドレスは既に登録されています。\n\n\
             パスワードをお忘れの場合は、次のURLから再設定できます。\n\n\
             {site}/password/forgot\n\n\
             お心当たりのない場合は、このメールを破棄してください。\n\n\
             ――――――――――――――――――――――――――――――\n\
             ビジネスチャンス・ナビ運営事務局\n{site}/\n",
            site = self.site_url
        );
        Self::mail(to, "このメールアドレスは登録済みです", body)
    }

    /// Someone invited this address into a company, but it already has an
    /// account (here or elsewhere): its owner hears of it, the inviter is
    /// told nothing more than for any other address.
    pub fn invitation_to_registered(&self, to: &str, inviter: &str, company: &str) -> NewMail {
        let body = format!(
            "{company} の {inviter} 様が、ビジネスチャンス・ナビの利用者として\n\
             このメールアドレスを招待しようとしましたが、\n\
             このメールアドレスは既に登録されているため、招待は行われていません。\n\n\
             これまでどおり、登録済みのアカウントでログインしてご利用ください。\n\
             パスワードをお忘れの場合は、次のURLから再設定できます。\n\n\
             {site}/password/forgot\n\n\
             お心当たりのない場合は、このメールを破棄してください。\n\n\
             ――――――――――――――――――――――――――――――\n\
             ビジネスチャンス・ナビ運営事務局\n{site}/\n",
            site = self.site_url
        );
        Self::mail(to, "ビジネスチャンス・ナビへのご招待について", body)
    }

    /// The outcome of a requested change of what the company does here
    /// (受注・発注); `dealings` is the requested one's label.
    pub fn dealings_change_result(
        &self,
        to: &str,
        name: &str,
        dealings: &str,
        approved: bool,
        reason: Option<&str>,
    ) -> NewMail {
        let (subject, body) = if approved {
            (
                "ご利用の目的の変更を反映しました",
                format!(
                    "{name} 様\n\nお申し込みいただいたご利用の目的（受注・発注）の変更を確認し、登録内容に反映しました。\n新しいご利用の目的：{dealings}\n\n次回のページ表示から、新しいご利用の目的でご利用いただけます。\n"
                ),
            )
        } else {
            (
                "ご利用の目的の変更について",
                format!(
                    "{name} 様\n\nお申し込みいただいたご利用の目的（{dealings}）への変更は、反映を見送りました。\n\n【理由】\n{}\n\nご不明な点は、運営事務局までお問い合わせください。\n",
                    reason.unwrap_or("—")
                ),
            )
        };
        Self::mail(
            to,
            subject,
            format!(
                "{body}\n――――――――――――――――――――――――――――――\nビジネスチャンス・ナビ運営事務局\n{}/\n",
                self.site_url
            ),
        )
    }

    /// The outcome of a requested change of legal name or 法人番号.
    pub fn legal_change_result(
        &self,
        to: &str,
        name: &str,
        company: &str,
        approved: bool,
        reason: Option<&str>,
    ) -> NewMail {
        let (subject, body) = if approved {
            (
                "会社名・法人番号の変更を反映しました",
                format!(
                    "{name} 様\n\nお申し込みいただいた会社名・法人番号の変更を確認し、登録内容に反映しました。\n新しい登録名：{company}\n"
                ),
            )
        } else {
            (
                "会社名・法人番号の変更について",
                format!(
                    "{name} 様\n\nお申し込みいただいた会社名・法人番号の変更は、反映を見送りました。\n\n【理由】\n{}\n\nご不明な点は、運営事務局までお問い合わせください。\n",
                    reason.unwrap_or("—")
                ),
            )
        };
        Self::mail(
            to,
            subject,
            format!(
                "{body}\n――――――――――――――――――――――――――――――\nビジネスチャンス・ナビ運営事務局\n{}/\n",
                self.site_url
            ),
        )
    }

    /// A mail about a private order or technical need (or an entry for one);
    /// `path` is the page to open, e.g. "/mypage/orders/12".
    pub fn case_event(
        &self,
        to: &str,
        name: &str,
        case_title: &str,
        event: CaseEvent<'_>,
        path: &str,
    ) -> NewMail {
        let lead: String;
        let (subject, quote, next) = match event {
            CaseEvent::Published => {
                lead = "ご登録の案件を審査し、公開しました。受注企業からのエントリーは、マイページでご確認いただけます。".into();
                (
                    "案件を公開しました",
                    None,
                    "案件の状況は次のURLからご確認ください。",
                )
            }
            CaseEvent::Returned { comment } => {
                lead = "ご登録の案件について、内容の修正をお願いすることになりました。".into();
                (
                    "案件の修正のお願い",
                    Some(("運営事務局からのコメント", comment)),
                    "次のURLからログインして、案件を修正のうえ、再度審査に提出してください。",
                )
            }
            CaseEvent::Submitted { company } => {
                lead = format!("{company} から案件の審査の依頼がありました。");
                ("案件の審査依頼", None, "次のURLから審査してください。")
            }
            CaseEvent::EntryReceived { company, message } => {
                lead = format!("ご登録の案件に、{company} からエントリーがありました。");
                (
                    "案件にエントリーがありました",
                    Some(("メッセージ", message)),
                    "エントリーの内容の確認と返信は、次のURLから行えます。",
                )
            }
            CaseEvent::EntrySent => {
                lead = "次の案件へのエントリーを受け付けました。発注企業からの連絡は、メールとマイページでお知らせします。".into();
                (
                    "エントリーを受け付けました",
                    None,
                    "エントリーの内容は次のURLからご確認いただけます。",
                )
            }
            CaseEvent::Message { from, message } => {
                lead = format!("{from} からメッセージが届きました。");
                (
                    "エントリーへのメッセージが届きました",
                    Some(("メッセージ", message)),
                    "返信は次のURLから行えます。",
                )
            }
            CaseEvent::Chosen { company } => {
                lead = format!(
                    "{company} が、次の案件の取引先として貴社を選定しました。今後の進め方は、発注企業と直接ご相談ください。"
                );
                (
                    "取引先に選定されました",
                    None,
                    "やり取りの内容は次のURLからご確認いただけます。",
                )
            }
            CaseEvent::NotChosen { company } => {
                lead = format!(
                    "{company} の次の案件は、他の企業が取引先に選定されました。このたびはエントリーいただき、ありがとうございました。"
                );
                (
                    "エントリーの結果のお知らせ",
                    None,
                    "エントリーの内容は次のURLからご確認いただけます。",
                )
            }
            CaseEvent::Cancelled { company } => {
                lead = format!(
                    "{company} は、次の案件の募集を中止しました。このたびはエントリーいただき、ありがとうございました。"
                );
                (
                    "案件の中止のお知らせ",
                    None,
                    "エントリーの内容は次のURLからご確認いただけます。",
                )
            }
            CaseEvent::ChoiceMade { company } => {
                lead = format!(
                    "次の案件の取引先として {company} を選定したことを記録し、エントリーしたすべての企業にお知らせしました。"
                );
                (
                    "取引先の選定を記録しました",
                    None,
                    "案件の状況は次のURLからご確認ください。",
                )
            }
            CaseEvent::TenderApplication { company } => {
                lead = format!("{company} から、次の電子入札案件への参加申請がありました。");
                (
                    "参加申請がありました",
                    None,
                    "資格審査は次のURLから行えます。",
                )
            }
            CaseEvent::TenderApplied => {
                lead = "次の電子入札案件への参加申請を受け付けました。資格審査の結果は、メールでお知らせします。".into();
                (
                    "参加申請を受け付けました",
                    None,
                    "案件の内容は次のURLからご確認いただけます。",
                )
            }
            CaseEvent::TenderAdmitted {
                nominated,
                bidding_opens,
            } => {
                lead = if nominated {
                    format!(
                        "次の電子入札案件について、貴社を指名しました（指名通知）。入札書は {bidding_opens} から受け付けます。"
                    )
                } else {
                    format!(
                        "次の電子入札案件について、貴社の参加資格を認めました。入札書は {bidding_opens} から受け付けます。"
                    )
                };
                (
                    if nominated {
                        "指名通知"
                    } else {
                        "資格審査の結果（参加資格あり）"
                    },
                    None,
                    "入札は次のURLから行えます。",
                )
            }
            CaseEvent::TenderRejected { reason } => {
                lead = "次の電子入札案件について、審査の結果、貴社の参加資格を認めませんでした。"
                    .into();
                (
                    "資格審査の結果（参加資格なし）",
                    Some(("理由", reason)),
                    "案件の内容は次のURLからご確認いただけます。",
                )
            }
            CaseEvent::TenderAmended { changes } => {
                lead =
                    "参加申請をいただいた次の電子入札案件について、変更公告を行いました。".into();
                (
                    "変更公告のお知らせ",
                    Some(("変更の内容", changes)),
                    "変更後の内容は次のURLからご確認ください。",
                )
            }
            CaseEvent::TenderCancelled => {
                lead = "参加申請をいただいた次の電子入札案件は、中止になりました。提出いただいた入札書は開封されません。".into();
                (
                    "入札中止のお知らせ",
                    None,
                    "案件の状況は次のURLからご確認いただけます。",
                )
            }
            CaseEvent::TenderQuestion { question } => {
                lead = "次の電子入札案件に質問がありました。回答は案件のページに公表されます（質問者の名前は公表されません）。".into();
                (
                    "質問がありました",
                    Some(("質問", question)),
                    "回答は次のURLから行えます。",
                )
            }
            CaseEvent::TenderAnswered { question, answer } => {
                lead = format!("次の電子入札案件の質問に回答しました。\n\n質問：{question}");
                (
                    "質問への回答",
                    Some(("回答", answer)),
                    "すべての質問と回答は、次のURLからご確認いただけます。",
                )
            }
            CaseEvent::TenderResult { won, unsuccessful } => {
                lead = if won {
                    "次の電子入札案件について、貴社を落札者に決定しました。契約の手続きは、発注機関からご連絡します。".into()
                } else if unsuccessful {
                    "次の電子入札案件は、有効な入札がなかったため不調となりました。".into()
                } else {
                    "次の電子入札案件の落札者が決定しました。入札いただき、ありがとうございました。"
                        .into()
                };
                (
                    if won {
                        "落札者決定のお知らせ"
                    } else {
                        "入札結果のお知らせ"
                    },
                    None,
                    "入札結果は次のURLで公表しています。",
                )
            }
        };
        let link = format!("{}{path}", self.site_url);
        Self::mail(
            to,
            subject,
            text(&CaseNotice {
                site_url: &self.site_url,
                name,
                lead: &lead,
                case_title,
                quote,
                next_step: next,
                link: &link,
            }),
        )
    }

    /// 受付票: to the user who bid (or declined), the receipt's facts.
    pub fn bid_receipt(&self, to: &str, name: &str, r: &BidReceipt<'_>) -> NewMail {
        let what = if r.declined { "辞退" } else { "入札" };
        let link = format!("{}/cases/{}", self.site_url, r.case_id);
        Self::mail(
            to,
            &format!("{what}を受け付けました（受付番号 {}）", r.receipt_no),
            text(&BidReceiptText {
                site_url: &self.site_url,
                name,
                what,
                case_title: r.case_title,
                receipt_no: r.receipt_no,
                received_at: r.received_at,
                sealed_hash: r.sealed_hash,
                declined: r.declined,
                link: &link,
            }),
        )
    }

    pub fn password_reset(&self, to: &str, name: &str, token: &str, hours: i64) -> NewMail {
        let link = format!("{}/password/reset/{token}", self.site_url);
        Self::mail(
            to,
            "パスワードの再設定",
            text(&PasswordReset {
                site_url: &self.site_url,
                name,
                link: &link,
                hours,
            }),
        )
    }

    pub fn invitation(
        &self,
        to: &str,
        name: &str,
        inviter: &str,
        company: &str,
        token: &str,
        hours: i64,
    ) -> NewMail {
        let link = format!("{}/invitation/{token}", self.site_url);
        Self::mail(
            to,
            "アカウントへのご招待",
            text(&Invitation {
                site_url: &self.site_url,
                name,
                inviter,
                company,
                link: &link,
                hours,
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_confirmation_mail_carries_the_link_and_its_lifetime() {
        let c = Composer::new("https://navi.example.jp/");
        let m = c.confirm_email("taro@example.co.jp", "山田 太郎", "tok123", 24);
        assert_eq!(
            m.subject,
            "【ビジネスチャンス・ナビ】メールアドレスの確認のお願い"
        );
        assert!(m.body_text.starts_with("山田 太郎 様\n"));
        assert!(
            m.body_text
                .contains("https://navi.example.jp/apply/confirm/tok123\n")
        );
        assert!(m.body_text.contains("24 時間"));
        assert!(m.body_text.contains("ビジネスチャンス・ナビ運営事務局"));
    }

    #[test]
    fn a_bid_receipt_carries_the_receipt_number_time_and_hash() {
        let c = Composer::new("https://navi.example.jp");
        let m = c.bid_receipt(
            "a@example.jp",
            "山田 太郎",
            &BidReceipt {
                case_id: 42,
                case_title: "庁舎清掃業務委託",
                receipt_no: "42-0000007",
                received_at: "2026年12月10日 10:00:01.234",
                sealed_hash: "ab12",
                declined: false,
            },
        );
        assert_eq!(
            m.subject,
            "【ビジネスチャンス・ナビ】入札を受け付けました（受付番号 42-0000007）"
        );
        for fact in [
            "山田 太郎 様",
            "案件名：庁舎清掃業務委託",
            "受付番号：42-0000007",
            "受付時刻：2026年12月10日 10:00:01.234（日本時間",
            "（SHA-256）：ab12",
            "https://navi.example.jp/cases/42\n",
        ] {
            assert!(m.body_text.contains(fact), "{fact} in {}", m.body_text);
        }
    }

    #[test]
    fn a_rejection_gives_the_reason_and_no_sign_in_link() {
        let c = Composer::new("https://navi.example.jp");
        let m = c.review_result(
            "a@example.jp",
            "山田",
            "株式会社テスト",
            Outcome::Rejected,
            Some("所在地を確認できませんでした。"),
        );
        assert!(
            m.body_text
                .contains("【理由】\n所在地を確認できませんでした。")
        );
        assert!(!m.body_text.contains("/login"));
        let m = c.review_result(
            "a@example.jp",
            "山田",
            "株式会社テスト",
            Outcome::Approved,
            None,
        );
        assert!(m.body_text.contains("https://navi.example.jp/login"));
        assert!(!m.body_text.contains("【理由】"));
    }

    #[test]
    fn an_entry_mail_names_the_company_quotes_the_message_and_links_the_page() {
        let c = Composer::new("https://navi.example.jp");
        let m = c.case_event(
            "o@example.jp",
            "発注 花子",
            "工場内設備の定期点検",
            CaseEvent::EntryReceived {
                company: "株式会社受注",
                message: "ぜひ担当させてください。",
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
    fn the_owner_of_a_registered_address_hears_of_an_invitation_without_a_link_to_accept() {
        let c = Composer::new("https://navi.example.jp");
        let m = c.invitation_to_registered("taro@example.co.jp", "鈴木 花子", "株式会社テスト");
        assert_eq!(m.to, "taro@example.co.jp");
        assert!(m.subject.contains("ご招待について"));
        assert!(m.body_text.contains("株式会社テスト の 鈴木 花子 様"));
        assert!(m.body_text.contains("既に登録されている"));
        assert!(
            m.body_text
                .contains("https://navi.example.jp/password/forgot")
        );
        assert!(!m.body_text.contains("/invitation/"));
    }

    #[test]
    fn a_dealings_decision_says_what_was_asked_and_why_it_was_refused() {
        let c = Composer::new("https://navi.example.jp");
        let ok = c.dealings_change_result("a@example.jp", "山田 太郎", "発注・受注", true, None);
        assert_eq!(
            ok.subject,
            "【ビジネスチャンス・ナビ】ご利用の目的の変更を反映しました"
        );
        assert!(ok.body_text.contains("新しいご利用の目的：発注・受注"));
        let no = c.dealings_change_result(
            "a@example.jp",
            "山田 太郎",
            "発注・受注",
            false,
            Some("実績を確認できません"),
        );
        assert_eq!(
            no.subject,
            "【ビジネスチャンス・ナビ】ご利用の目的の変更について"
        );
        assert!(no.body_text.contains("【理由】\n実績を確認できません"));
    }
}
