//! Realistic values for tests: a company profile, a user, a mail.

use domain::{CorporateNumber, Dealings, EmailAddress, PhoneNumber, PostalCode, Prefecture};
use store::{CompanyProfile, NewMail, NewUser};

/// Valid 法人番号 for test companies: `corporate_number(n)` differs for each n.
pub fn corporate_number(n: u32) -> CorporateNumber {
    let base = format!("{:012}", 100_000_000_000u64 + u64::from(n));
    let digits: Vec<u8> = base.bytes().map(|b| b - b'0').collect();
    let check = domain::corporate_number::check_digit(&digits);
    CorporateNumber::parse(&format!("{check}{base}")).expect("valid by construction")
}

/// A receiving company in Tokyo, numbered so that names and 法人番号 differ.
pub fn profile(n: u32) -> CompanyProfile {
    CompanyProfile {
        corporate_number: Some(corporate_number(n)),
        sole_proprietor: false,
        name: format!("株式会社テスト精工{n}"),
        name_kana: "テストセイコウ".to_owned(),
        representative: "山田 太郎".to_owned(),
        prefecture: Prefecture::TOKYO,
        postal_code: PostalCode::parse("100-0005").expect("postal code"),
        address: "千代田区丸の内1-1-1".to_owned(),
        phone: PhoneNumber::parse("03-1234-5678").expect("phone"),
        website: Some("https://example.co.jp/".to_owned()),
        industry_division: "24".to_owned(),
        capital_yen: Some(10_000_000),
        employees: Some(25),
        founded_year: Some(1985),
        description: "精密板金加工と溶接を行っています。".to_owned(),
        keywords: "板金 溶接 試作".to_owned(),
        member_organization_ids: vec![1, 2],
        registration_trigger_id: Some(1),
        mail_magazine: true,
        dealings: Dealings::new(false, true).expect("dealings"),
    }
}

pub fn email(local: &str) -> EmailAddress {
    EmailAddress::parse(&format!("{local}@example.co.jp")).expect("email")
}

/// A user whose password hash is a placeholder the tests never verify.
pub fn new_user(local: &str) -> NewUser {
    NewUser {
        email: email(local),
        name: "山田 太郎".to_owned(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$dGVzdHNhbHQ$placeholder".to_owned(),
    }
}

pub fn mail_to(to: &EmailAddress, subject: &str) -> NewMail {
    NewMail {
        to: to.to_string(),
        subject: subject.to_owned(),
        body_text: format!("{subject}\n"),
        ..NewMail::default()
    }
}

/// A public tender from the national portal, numbered so that keys differ.
pub fn case(n: u32) -> store::NewCase {
    use domain::{CaseKind, CaseStatus, Category, Procedure};
    store::NewCase {
        kind: CaseKind::PublicTender,
        title: format!("庁舎清掃業務委託（その{n}）"),
        description: "本庁舎及び分庁舎の日常清掃、定期清掃を行う。履行期間は令和8年4月1日から令和9年3月31日まで。".to_owned(),
        category: Category::Services,
        procedure: Procedure::OpenCompetitive,
        organization_name: "東京都総務局".to_owned(),
        organization_id: None,
        company_id: None,
        contract_department_id: None,
        prefecture_code: Some(13),
        municipality_code: Some("130001".to_owned()),
        municipality_name: Some("東京都".to_owned()),
        qualification_grade: Some("B".to_owned()),
        published_at: Some(1_790_000_000_000),
        application_deadline: Some(1_791_000_000_000),
        submission_deadline: Some(1_792_000_000_000),
        opening_at: Some(1_792_100_000_000),
        period_end: None,
        day_only: domain::DayOnly::default(),
        status: CaseStatus::Open,
        source: "kkj".to_owned(),
        source_key: format!("kkj-{n}"),
        source_url: Some(format!("https://www.kkj.go.jp/d/?D={n}")),
        documents: vec![("入札説明書".to_owned(), format!("https://www.kkj.go.jp/doc/{n}.pdf"))],
        created_by: None,
    }
}

/// A private order as an ordering company types it (a draft), numbered.
pub fn order(n: u32) -> store::NewCase {
    use domain::{CaseKind, CaseStatus, Category, Procedure};
    store::NewCase {
        kind: CaseKind::PrivateOrder,
        title: format!("工場内設備の定期点検（その{n}）"),
        description: "工場内の空調設備と受変電設備の定期点検を依頼します。".to_owned(),
        category: Category::Services,
        procedure: Procedure::QuotationComparison,
        organization_name: String::new(),
        organization_id: None,
        company_id: None,
        contract_department_id: None,
        prefecture_code: Some(13),
        municipality_code: None,
        municipality_name: Some("港区".to_owned()),
        qualification_grade: None,
        published_at: None,
        // Far in the future, so that entries are open whatever the clock says.
        application_deadline: Some(4_000_000_000_000),
        submission_deadline: None,
        opening_at: None,
        period_end: None,
        day_only: domain::DayOnly::default(),
        status: CaseStatus::Draft,
        source: String::new(),
        source_key: String::new(),
        source_url: None,
        documents: Vec::new(),
        created_by: None,
    }
}
