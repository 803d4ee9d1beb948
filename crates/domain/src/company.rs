//! A company's account: what it does here, and where its application stands.

use crate::{Invalid, labelled_enum};

/// Whether a company orders (発注企業), receives (受注企業), or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Dealings {
    pub orders: bool,
    pub receives: bool,
}

impl Dealings {
    pub fn new(orders: bool, receives: bool) -> Result<Self, Invalid> {
        if !(orders || receives) {
            return Err(Invalid::new(
                "「発注企業」「受注企業」のどちらか、または両方を選択してください。",
            ));
        }
        Ok(Dealings { orders, receives })
    }

    pub fn label(self) -> &'static str {
        match (self.orders, self.receives) {
            (true, true) => "発注・受注",
            (true, false) => "発注企業",
            _ => "受注企業",
        }
    }
}

labelled_enum!(
    /// Where a company's application (利用申請) stands.
    CompanyStatus, "利用申請の状態" {
        /// Applied; the first user has not yet confirmed the email address.
        EmailUnconfirmed = ("email_unconfirmed", "メールアドレス確認待ち"),
        /// Waiting for an operator's review (利用企業の審査).
        InReview = ("in_review", "審査中"),
        /// Sent back for correction (差し戻し); the applicant edits and resubmits.
        Returned = ("returned", "差し戻し（修正待ち）"),
        /// Refused; final.
        Rejected = ("rejected", "否認"),
        /// May use the member features.
        Approved = ("approved", "承認済み"),
        /// Stopped by staff; its users are signed out at once.
        Suspended = ("suspended", "利用停止"),
    }
);

/// What can happen to an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompanyAction {
    ConfirmEmail,
    Approve,
    Reject,
    Return,
    Resubmit,
    Suspend,
    Reinstate,
}

impl CompanyStatus {
    /// Only an approved company's users may sign in to member features.
    pub fn may_sign_in(self) -> bool {
        self == CompanyStatus::Approved
    }

    /// The status after `action`, or why it cannot happen now.
    pub fn apply(self, action: CompanyAction) -> Result<CompanyStatus, Invalid> {
        use CompanyAction as A;
        use CompanyStatus as S;
        match (self, action) {
            (S::EmailUnconfirmed, A::ConfirmEmail) => Ok(S::InReview),
            (S::InReview, A::Approve) => Ok(S::Approved),
            (S::InReview, A::Reject) => Ok(S::Rejected),
            (S::InReview, A::Return) => Ok(S::Returned),
            (S::Returned, A::Resubmit) => Ok(S::InReview),
            (S::Approved, A::Suspend) => Ok(S::Suspended),
            (S::Suspended, A::Reinstate) => Ok(S::Approved),
            (status, _) => Err(Invalid::new(format!(
                "この申請は「{}」のため、この操作はできません。",
                status.label()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CompanyAction as A;
    use CompanyStatus as S;

    #[test]
    fn an_application_goes_from_confirmation_through_review_to_approval() {
        let s = S::EmailUnconfirmed.apply(A::ConfirmEmail).unwrap();
        let s = s.apply(A::Return).unwrap();
        let s = s.apply(A::Resubmit).unwrap();
        let s = s.apply(A::Approve).unwrap();
        assert!(s.may_sign_in());
        let s = s.apply(A::Suspend).unwrap();
        assert!(!s.may_sign_in());
        assert_eq!(s.apply(A::Reinstate).unwrap(), S::Approved);
    }

    #[test]
    fn a_rejection_is_final_and_review_needs_a_confirmed_email() {
        let rejected = S::InReview.apply(A::Reject).unwrap();
        for action in [
            A::Approve,
            A::Resubmit,
            A::Reinstate,
            A::Return,
            A::ConfirmEmail,
        ] {
            assert!(rejected.apply(action).is_err());
        }
        assert!(
            S::EmailUnconfirmed
                .apply(A::Approve)
                .unwrap_err()
                .message()
                .contains("メールアドレス確認待ち")
        );
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for s in [
            S::EmailUnconfirmed,
            S::InReview,
            S::Returned,
            S::Rejected,
            S::Approved,
            S::Suspended,
        ] {
            assert_eq!(S::from_code(s.as_str()), Ok(s));
        }
    }

    #[test]
    fn a_company_must_order_or_receive() {
        assert!(Dealings::new(false, false).is_err());
        assert_eq!(Dealings::new(true, true).unwrap().label(), "発注・受注");
    }
}
