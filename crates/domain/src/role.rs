//! Who may do what (design.md, "Who uses it").

use std::fmt;

/// Staff of the portal or of an ordering organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StaffRole {
    /// 管理者: everything operators and organisations do, plus masters, case review, exports.
    Admin,
    /// 運営者: reviews company applications, answers inquiries.
    Operator,
    /// 運用・保守者: access filters, health, metrics, imports, backups, audit log.
    Ops,
    /// 発注組織の職員: e-tenders of their organisation.
    OrgStaff,
}

impl StaffRole {
    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::Admin => "admin",
            StaffRole::Operator => "operator",
            StaffRole::Ops => "ops",
            StaffRole::OrgStaff => "org_staff",
        }
    }

    pub fn parse(s: &str) -> Option<StaffRole> {
        match s {
            "admin" => Some(StaffRole::Admin),
            "operator" => Some(StaffRole::Operator),
            "ops" => Some(StaffRole::Ops),
            "org_staff" => Some(StaffRole::OrgStaff),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StaffRole::Admin => "管理者",
            StaffRole::Operator => "運営者",
            StaffRole::Ops => "運用・保守者",
            StaffRole::OrgStaff => "発注組織",
        }
    }
}

/// The kinds of visitor a route may admit. A company user is an orderer, a
/// receiver, or both, by what the company chose when it applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Visitor,
    /// A company user whose application was sent back for correction: may
    /// sign in only to correct and resubmit it.
    Applicant,
    ReceivingCompany,
    OrderingCompany,
    OrgStaff,
    Operator,
    Admin,
    Ops,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Visitor,
        Role::Applicant,
        Role::ReceivingCompany,
        Role::OrderingCompany,
        Role::OrgStaff,
        Role::Operator,
        Role::Admin,
        Role::Ops,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Role::Visitor => "訪問者",
            Role::Applicant => "申請者（修正待ち）",
            Role::ReceivingCompany => "受注企業",
            Role::OrderingCompany => "発注企業",
            Role::OrgStaff => "発注組織",
            Role::Operator => "運営者",
            Role::Admin => "管理者",
            Role::Ops => "運用・保守者",
        }
    }
}

impl From<StaffRole> for Role {
    fn from(r: StaffRole) -> Role {
        match r {
            StaffRole::Admin => Role::Admin,
            StaffRole::Operator => Role::Operator,
            StaffRole::Ops => Role::Ops,
            StaffRole::OrgStaff => Role::OrgStaff,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_roles_round_trip_through_their_names() {
        for r in [
            StaffRole::Admin,
            StaffRole::Operator,
            StaffRole::Ops,
            StaffRole::OrgStaff,
        ] {
            assert_eq!(StaffRole::parse(r.as_str()), Some(r));
        }
        assert_eq!(StaffRole::parse("root"), None);
    }
}

/// Why someone may not take away a colleague's access (remove, suspend) or
/// administrator's rights: a group must keep an administrator, and nobody
/// locks themselves out by mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The target is the person acting.
    Oneself,
    /// The target is the last (active) administrator.
    LastAdministrator,
}

/// Whether `by` may take away `target`'s access or administrator's rights;
/// `other_admins` counts the active administrators besides the target.
pub fn may_take_away(
    by: i64,
    target: i64,
    target_is_admin: bool,
    other_admins: i64,
) -> Result<(), Refusal> {
    if by == target {
        return Err(Refusal::Oneself);
    }
    if target_is_admin && other_admins < 1 {
        return Err(Refusal::LastAdministrator);
    }
    Ok(())
}

#[cfg(test)]
mod take_away_tests {
    use super::{Refusal, may_take_away};

    #[test]
    fn nobody_takes_away_their_own_access_or_the_last_administrators() {
        assert_eq!(may_take_away(1, 1, true, 5), Err(Refusal::Oneself));
        assert_eq!(may_take_away(1, 1, false, 0), Err(Refusal::Oneself));
        assert_eq!(
            may_take_away(1, 2, true, 0),
            Err(Refusal::LastAdministrator)
        );
        assert_eq!(may_take_away(1, 2, true, 1), Ok(()));
        assert_eq!(may_take_away(1, 2, false, 0), Ok(()));
    }
}
