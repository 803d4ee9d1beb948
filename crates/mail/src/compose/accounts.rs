//! The mails about an account and its company: applying (利用申請), the
//! review of a company, signing in, invitations, and requested changes.

use askama::Template;
use store::NewMail;

use super::{Composer, text};

/// The outcome of a review, as the applicant is told it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Approved,
    Rejected,
    Returned,
    Suspended,
    Reinstated,
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
#[template(path = "address_in_use.txt", escape = "none")]
struct AddressInUse<'a> {
    site_url: &'a str,
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
    about: &'a str,
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
#[template(path = "invitation_to_registered.txt", escape = "none")]
struct InvitationToRegistered<'a> {
    site_url: &'a str,
    inviter: &'a str,
    company: &'a str,
}

#[derive(Template)]
#[template(path = "dealings_changed.txt", escape = "none")]
struct DealingsChanged<'a> {
    site_url: &'a str,
    name: &'a str,
    dealings: &'a str,
}

#[derive(Template)]
#[template(path = "dealings_refused.txt", escape = "none")]
struct DealingsRefused<'a> {
    site_url: &'a str,
    name: &'a str,
    dealings: &'a str,
    reason: &'a str,
}

#[derive(Template)]
#[template(path = "legal_changed.txt", escape = "none")]
struct LegalChanged<'a> {
    site_url: &'a str,
    name: &'a str,
    company: &'a str,
}

#[derive(Template)]
#[template(path = "legal_refused.txt", escape = "none")]
struct LegalRefused<'a> {
    site_url: &'a str,
    name: &'a str,
    reason: &'a str,
}

impl Composer {
    /// To the address given in a 利用申請, at once: the link that confirms
    /// it, valid for `hours`.
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

    /// To an address given in a 利用申請 that already has an account,
    /// instead of `confirm_email` (so the form tells nobody whether an
    /// address is registered): where to reset the password.
    pub fn address_in_use(&self, to: &str) -> NewMail {
        Self::mail(
            to,
            "このメールアドレスは登録済みです",
            text(&AddressInUse {
                site_url: &self.site_url,
            }),
        )
    }

    /// To the applicant, when the address is confirmed: the application
    /// goes to the operators' review.
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

    /// To the company's contact, when an operator approves, rejects or
    /// returns its 利用申請, or suspends or reinstates the company; with
    /// the operator's reason when one was given, and a sign-in link when
    /// there is something to do.
    pub fn review_result(
        &self,
        to: &str,
        name: &str,
        company: &str,
        outcome: Outcome,
        reason: Option<&str>,
    ) -> NewMail {
        // What the news is about: the application while it is reviewed,
        // the company's use of the portal once it was approved.
        let about = match outcome {
            Outcome::Approved | Outcome::Rejected | Outcome::Returned => "利用申請について、",
            Outcome::Suspended | Outcome::Reinstated => "ビジネスチャンス・ナビの",
        };
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
                about,
                outcome: said,
                reason,
                next_step: next,
                link,
            }),
        )
    }

    /// To a user who asked on the forgotten-password page: a one-time link,
    /// valid for `hours`, to set a new password.
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

    /// To an address a colleague (or an administrator, for staff) invites,
    /// and again when the invitation is resent: the link, valid for
    /// `hours`, that sets the password of the new account.
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

    /// To the owner of an address someone tried to invite into a company
    /// while it already has an account (here or elsewhere): that nothing
    /// was done. The inviter is told nothing more than for any other
    /// address.
    pub fn invitation_to_registered(&self, to: &str, inviter: &str, company: &str) -> NewMail {
        Self::mail(
            to,
            "ビジネスチャンス・ナビへのご招待について",
            text(&InvitationToRegistered {
                site_url: &self.site_url,
                inviter,
                company,
            }),
        )
    }

    /// To the company's contact, when an operator decides a requested change
    /// of what the company does here (受注・発注); `dealings` is the
    /// requested one's label, `reason` the operator's when refused.
    pub fn dealings_change_result(
        &self,
        to: &str,
        name: &str,
        dealings: &str,
        approved: bool,
        reason: Option<&str>,
    ) -> NewMail {
        let site_url = &self.site_url;
        if approved {
            Self::mail(
                to,
                "ご利用の目的の変更を反映しました",
                text(&DealingsChanged {
                    site_url,
                    name,
                    dealings,
                }),
            )
        } else {
            Self::mail(
                to,
                "ご利用の目的の変更について",
                text(&DealingsRefused {
                    site_url,
                    name,
                    dealings,
                    reason: reason.unwrap_or("—"),
                }),
            )
        }
    }

    /// To the company's contact, when an operator decides a requested change
    /// of legal name or 法人番号; `company` is the requested name, `reason`
    /// the operator's when refused.
    pub fn legal_change_result(
        &self,
        to: &str,
        name: &str,
        company: &str,
        approved: bool,
        reason: Option<&str>,
    ) -> NewMail {
        let site_url = &self.site_url;
        if approved {
            Self::mail(
                to,
                "会社名・法人番号の変更を反映しました",
                text(&LegalChanged {
                    site_url,
                    name,
                    company,
                }),
            )
        } else {
            Self::mail(
                to,
                "会社名・法人番号の変更について",
                text(&LegalRefused {
                    site_url,
                    name,
                    reason: reason.unwrap_or("—"),
                }),
            )
        }
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
