//! Demo data: staff in every role and companies at every stage of review, so
//! that a fresh installation shows the portal at work. Seeding twice adds nothing.

use anyhow::{Context, Result, anyhow};
use domain::{
    CompanyAction, CompanyStatus, CorporateNumber, Dealings, EmailAddress, Password, PhoneNumber,
    PostalCode, Prefecture, StaffRole,
};
use store::{Actor, CompanyProfile, NewApplication, NewMail, NewUser, Review, Store};

/// How many cases the demo holds.
pub const DEMO_CASES: usize = 3000;

/// Everyone in the demo signs in with this password.
pub const DEMO_PASSWORD: &str = "Demo-Navi-2026";
const DOMAIN: &str = "demo.chance-navi.jp";

struct DemoCompany {
    name: &'static str,
    kana: &'static str,
    prefecture: u8,
    address: &'static str,
    industry: &'static str,
    description: &'static str,
    keywords: &'static str,
    orders: bool,
    receives: bool,
    status: CompanyStatus,
    user: &'static str,
}

const COMPANIES: &[DemoCompany] = &[
    DemoCompany {
        name: "株式会社丸の内精工",
        kana: "マルノウチセイコウ",
        prefecture: 13,
        address: "千代田区丸の内二丁目7番3号",
        industry: "26",
        description: "半導体製造装置向けの精密部品を、試作から量産まで一貫して製造しています。",
        keywords: "精密加工 治具 試作 量産",
        orders: false,
        receives: true,
        status: CompanyStatus::Approved,
        user: "marunouchi",
    },
    DemoCompany {
        name: "有限会社隅田川印刷",
        kana: "スミダガワインサツ",
        prefecture: 13,
        address: "墨田区両国三丁目21番5号",
        industry: "15",
        description: "官公庁の報告書、パンフレット、ポスターの印刷・製本を行っています。",
        keywords: "印刷 製本 デザイン パンフレット",
        orders: false,
        receives: true,
        status: CompanyStatus::Approved,
        user: "sumidagawa",
    },
    DemoCompany {
        name: "多摩クリーンサービス株式会社",
        kana: "タマクリーンサービス",
        prefecture: 13,
        address: "立川市曙町二丁目8番18号",
        industry: "92",
        description: "庁舎・学校の清掃、設備の保守点検、警備を請け負っています。",
        keywords: "清掃 警備 設備保守 ビルメンテナンス",
        orders: true,
        receives: true,
        status: CompanyStatus::Approved,
        user: "tamaclean",
    },
    DemoCompany {
        name: "株式会社八王子ソフトウェア",
        kana: "ハチオウジソフトウェア",
        prefecture: 13,
        address: "八王子市明神町四丁目7番14号",
        industry: "39",
        description: "自治体向けの業務システムの開発と保守を行っています。",
        keywords: "システム開発 保守 クラウド",
        orders: true,
        receives: false,
        status: CompanyStatus::Approved,
        user: "hachioji",
    },
    DemoCompany {
        name: "城南ビル管理株式会社",
        kana: "ジョウナンビルカンリ",
        prefecture: 13,
        address: "品川区大崎一丁目6番1号",
        industry: "69",
        description: "オフィスビルの管理・運営を行っています。",
        keywords: "ビル管理 不動産",
        orders: false,
        receives: true,
        status: CompanyStatus::InReview,
        user: "jonan",
    },
    DemoCompany {
        name: "横浜港湾運輸株式会社",
        kana: "ヨコハマコウワンウンユ",
        prefecture: 14,
        address: "横浜市中区海岸通一丁目1番",
        industry: "44",
        description: "港湾地区の貨物輸送と倉庫保管を行っています。",
        keywords: "運送 倉庫 物流",
        orders: false,
        receives: true,
        status: CompanyStatus::InReview,
        user: "yokohama",
    },
    DemoCompany {
        name: "さいたま電設工業株式会社",
        kana: "サイタマデンセツコウギョウ",
        prefecture: 11,
        address: "さいたま市大宮区桜木町一丁目10番",
        industry: "08",
        description: "公共施設の電気設備工事を行っています。",
        keywords: "電気工事 設備工事 照明 LED",
        orders: false,
        receives: true,
        status: CompanyStatus::InReview,
        user: "saitama",
    },
    DemoCompany {
        name: "千葉グリーン造園",
        kana: "チバグリーンゾウエン",
        prefecture: 12,
        address: "千葉市中央区富士見二丁目3番1号",
        industry: "06",
        description: "公園の植栽管理と造園工事を行う個人事業です。",
        keywords: "造園 植栽 公園管理",
        orders: false,
        receives: true,
        status: CompanyStatus::Returned,
        user: "chibagreen",
    },
    DemoCompany {
        name: "株式会社新宿翻訳センター",
        kana: "シンジュクホンヤクセンター",
        prefecture: 13,
        address: "新宿区西新宿二丁目4番1号",
        industry: "72",
        description: "行政文書の翻訳・通訳を行っています。",
        keywords: "翻訳 通訳 多言語",
        orders: false,
        receives: true,
        status: CompanyStatus::EmailUnconfirmed,
        user: "shinjuku",
    },
];

const STAFF: &[(StaffRole, &str, &str)] = &[
    (StaffRole::Admin, "admin", "管理 太郎"),
    (StaffRole::Operator, "operator", "運営 花子"),
    (StaffRole::Ops, "ops", "保守 次郎"),
    (StaffRole::OrgStaff, "orgstaff", "調達 三郎"),
];

/// One line of the sign-in table printed after seeding.
pub struct Login {
    pub who: String,
    pub email: String,
}

fn email(local: &str) -> Result<EmailAddress> {
    EmailAddress::parse(&format!("{local}@{DOMAIN}")).map_err(|e| anyhow!("demo address: {e}"))
}

fn corporate_number(n: usize) -> Result<Option<CorporateNumber>> {
    let base = format!("{:012}", 301_001_000_000u64 + n as u64 * 7919);
    let digits: Vec<u8> = base.bytes().map(|b| b - b'0').collect();
    let check = domain::corporate_number::check_digit(&digits);
    Ok(Some(
        CorporateNumber::parse(&format!("{check}{base}"))
            .map_err(|e| anyhow!("demo 法人番号: {e}"))?,
    ))
}

/// Seeds the demo data unless it is there already; returns who can sign in.
pub async fn seed(store: &Store, kek: Option<&seal::Kek>, now: i64) -> Result<Vec<Login>> {
    let hash =
        domain::password_hash::hash(&Password::parse(DEMO_PASSWORD).map_err(|e| anyhow!(e))?)
            .map_err(|e| anyhow!(e))?;
    let actor = Actor::cli("demo");
    let mut logins = Vec::new();
    let fresh = store.user_by_email(&email("admin")?).await?.is_none();
    for (role, local, name) in STAFF {
        let address = email(local)?;
        if fresh {
            let org = if *role == StaffRole::OrgStaff {
                let org = store
                    .ordering_organizations()
                    .await?
                    .first()
                    .map(|o| o.id)
                    .context("no ordering organisation")?;
                let dept = store.contract_departments(org).await?.first().map(|d| d.id);
                Some((org, dept))
            } else {
                None
            };
            let user = NewUser {
                email: address.clone(),
                name: (*name).to_owned(),
                password_hash: hash.clone(),
            };
            store.create_staff(&user, *role, org, &actor, now).await?;
        }
        logins.push(Login {
            who: format!("{}（{name}）", role.label()),
            email: address.to_string(),
        });
    }
    for (n, c) in COMPANIES.iter().enumerate() {
        let address = email(c.user)?;
        if fresh {
            let sole = c.kana == "チバグリーンゾウエン";
            let profile = CompanyProfile {
                corporate_number: if sole { None } else { corporate_number(n)? },
                sole_proprietor: sole,
                name: c.name.to_owned(),
                name_kana: c.kana.to_owned(),
                representative: "代表 一郎".to_owned(),
                prefecture: Prefecture::from_code(c.prefecture).context("prefecture")?,
                postal_code: PostalCode::parse("1000005").map_err(|e| anyhow!(e))?,
                address: c.address.to_owned(),
                phone: PhoneNumber::parse(&format!("03-5000-{:04}", 1000 + n))
                    .map_err(|e| anyhow!(e))?,
                website: Some(format!("https://{}.example.jp/", c.user)),
                industry_division: c.industry.to_owned(),
                capital_yen: Some(10_000_000 * (n as i64 + 1)),
                employees: Some(12 + 9 * n as i64),
                founded_year: Some(1960 + 5 * n as i64),
                description: c.description.to_owned(),
                keywords: c.keywords.to_owned(),
                member_organization_ids: vec![1 + (n as i64 % 3)],
                registration_trigger_id: Some(1 + (n as i64 % 4)),
                mail_magazine: n % 2 == 0,
                dealings: Dealings::new(c.orders, c.receives).map_err(|e| anyhow!(e))?,
            };
            let user = NewUser {
                email: address.clone(),
                name: format!("{} 担当", c.name),
                password_hash: hash.clone(),
            };
            let token = format!("demo-confirm-{n}");
            let token_hash = domain::audit::token_hash(&token);
            // Demo mail stays in the outbox's record but is never delivered.
            let mail = NewMail {
                to: address.to_string(),
                subject: "（デモ）".into(),
                body_text: String::new(),
                ..NewMail::default()
            };
            let (company_id, _) = store
                .create_application(
                    &NewApplication {
                        profile: &profile,
                        user: &user,
                        confirmation_token_hash: &token_hash,
                        token_expires_at: now + 86_400_000,
                        mail: &mail,
                        terms_version: web::site::TERMS_VERSION,
                    },
                    now,
                )
                .await?;
            if c.status != CompanyStatus::EmailUnconfirmed {
                store.confirm_email(&token_hash, None, now).await?;
            }
            let action = match c.status {
                CompanyStatus::Approved => Some((CompanyAction::Approve, None)),
                CompanyStatus::Returned => Some((
                    CompanyAction::Return,
                    Some("所在地を番地まで入力してください。"),
                )),
                _ => None,
            };
            if let Some((action, reason)) = action {
                store
                    .review_company(
                        &Review {
                            company_id,
                            seen: CompanyStatus::InReview,
                            action,
                            reason,
                            mail: None,
                        },
                        &actor,
                        now,
                    )
                    .await?;
            }
        }
        logins.push(Login {
            who: format!("{}（{}）", c.name, c.status.label()),
            email: address.to_string(),
        });
    }
    if fresh {
        // A few thousand cases of every kind; private orders and technical
        // needs belong to the approved demo companies that order.
        let mut ordering = Vec::new();
        for c in store
            .companies_with_status(CompanyStatus::Approved, 100, 0)
            .await?
        {
            if c.orders {
                ordering.push((c.id, c.name));
            }
        }
        for chunk in crate::corpus::cases(DEMO_CASES, 2026, now, &ordering, "kkj").chunks(500) {
            store.upsert_cases(chunk, now).await?;
        }
        seed_order_flow(store, now).await?;
        if let Some(kek) = kek {
            seed_tenders(store, kek, now).await?;
        }
        seed_notifications(store, now).await?;
        // The demo's cases are nobody's news: notifications start from here.
        store.skip_notify_cursor_to_latest().await?;
        // The demo's placeholder mails are not for delivery.
        store.discard_pending_mail_to_domain(DOMAIN).await?;
    }
    // Also into demo data made before the site had content.
    crate::demo_content::seed(store, now).await?;
    Ok(logins)
}

/// A private order waiting for review, and an entry with a reply on an open
/// one, so that the review queue and the entry pages have something to show.
async fn seed_order_flow(store: &Store, now: i64) -> Result<()> {
    let user_of = |local: &'static str| async move {
        store
            .user_by_email(&email(local)?)
            .await?
            .context("demo user")
    };
    let orderer = user_of("tamaclean").await?;
    let receiver = user_of("marunouchi").await?;
    let (Some(ordering), Some(receiving)) = (orderer.company_id, receiver.company_id) else {
        return Ok(());
    };
    let fields = store::NewCase {
        kind: domain::CaseKind::PrivateOrder,
        title: "事務所移転に伴うオフィス家具の搬出・搬入".into(),
        description: "本社事務所の移転に伴い、机・椅子・書庫など約80点の搬出、運搬、搬入と設置をお願いします。\n移転予定日：土日の2日間".into(),
        category: domain::Category::Services,
        procedure: domain::Procedure::QuotationComparison,
        organization_name: String::new(),
        organization_id: None,
        company_id: None,
        contract_department_id: None,
        prefecture_code: Some(13),
        municipality_code: None,
        municipality_name: Some("八王子市".into()),
        qualification_grade: None,
        published_at: None,
        application_deadline: Some(now + 21 * 86_400_000),
        submission_deadline: Some(now + 28 * 86_400_000),
        opening_at: None,
        period_end: None,
        day_only: domain::DayOnly::default(),
        status: domain::CaseStatus::Draft,
        source: String::new(),
        source_key: String::new(),
        source_url: None,
        documents: Vec::new(),
        created_by: None,
    };
    store
        .save_order(
            &store::SaveOrder {
                case_id: None,
                company_id: ordering,
                user_id: orderer.id,
                fields,
                new_files: &[],
                remove_files: &[],
                submit: true,
            },
            now,
        )
        .await?;
    let open = store
        .orders_of_company(ordering)
        .await?
        .into_iter()
        .map(|(c, _)| c)
        .find(|c| store::accepts_entries(&c.fields, now));
    if let Some(case) = open {
        let entry = store
            .create_entry(
                case.id,
                receiving,
                &store::NewMessage {
                    from_orderer: false,
                    user_id: receiver.id,
                    author_name: &receiver.name,
                    body: "同様の案件を多数担当してきました。ぜひお見積りさせてください。",
                    files: &[],
                },
                &[],
                now,
            )
            .await?;
        store
            .post_entry_message(
                entry,
                &store::NewMessage {
                    from_orderer: true,
                    user_id: orderer.id,
                    author_name: &orderer.name,
                    body: "ありがとうございます。概算の見積書をお送りください。",
                    files: &[],
                },
                &[],
                now,
            )
            .await?;
    }
    Ok(())
}

/// Two e-tenders of the demo organisation: one taking applications (with an
/// application waiting for review and a question answered), and one already
/// awarded, its two equal bids settled by 電子くじ, so that 入札結果 shows.
async fn seed_tenders(store: &Store, kek: &seal::Kek, now: i64) -> Result<()> {
    use domain::tender::{Action, AwardMethod, Requirements, Schedule};
    const D: i64 = 86_400_000;
    let staff = store
        .user_by_email(&email("orgstaff")?)
        .await?
        .context("demo staff")?;
    let org = staff.organization_id.context("demo organisation")?;
    let org_name = store
        .ordering_organization(org)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    let actor = Actor {
        user_id: Some(staff.id),
        label: format!("発注組織 {}", staff.name),
        ip: None,
    };
    let company_of = |local: &'static str| async move {
        let u = store
            .user_by_email(&email(local)?)
            .await?
            .context("demo user")?;
        Ok::<_, anyhow::Error>((u.id, u.company_id.context("demo company")?))
    };
    let tender = |title: &str, description: &str, published: i64, method| {
        let case = store::NewCase {
            kind: domain::CaseKind::ETender,
            title: title.into(),
            description: description.into(),
            category: domain::Category::Services,
            procedure: domain::Procedure::OpenCompetitive,
            organization_name: org_name.clone(),
            organization_id: Some(org),
            company_id: None,
            contract_department_id: staff.contract_department_id,
            prefecture_code: Some(13),
            municipality_code: None,
            municipality_name: None,
            qualification_grade: None,
            published_at: None,
            application_deadline: None,
            submission_deadline: None,
            opening_at: None,
            period_end: None,
            day_only: domain::DayOnly::default(),
            status: domain::CaseStatus::Draft,
            source: String::new(),
            source_key: String::new(),
            source_url: None,
            documents: Vec::new(),
            created_by: Some(staff.id),
        };
        store::NewTender {
            case,
            schedule: Schedule {
                published_at: published,
                application_deadline: published + 7 * D,
                qualification_notice_at: published + 9 * D,
                bidding_opens_at: published + 10 * D,
                bid_deadline: published + 14 * D,
                opening_at: published + 15 * D,
            },
            ceiling_yen: 4_800_000,
            ceiling_public: false,
            minimum_yen: Some(3_900_000),
            award_method: method,
            requirements: Requirements {
                grades: vec!["A".into(), "B".into()],
                prefectures: vec![13],
                industries: Vec::new(),
                documents: "競争参加資格確認申請書、同種業務の履行実績調書".into(),
            },
            documents: Vec::new(),
            created_by: Some(staff.id),
        }
    };
    let keys = |id: i64| {
        let k = seal::new_tender_keys(kek, id).map_err(|e| e.to_string())?;
        Ok((k.public.to_vec(), k.wrapped_secret))
    };

    // Taking applications now.
    let open = tender(
        "本庁舎清掃業務委託（令和9年度）",
        "本庁舎（地上8階・地下1階、延べ床面積約12,000平方メートル）の日常清掃・定期清掃。\n履行期間：令和9年4月1日から令和10年3月31日まで。",
        now - 2 * D,
        AwardMethod::LowestPrice,
    );
    let id = store.create_tender(&open, keys, now - 3 * D).await?;
    store
        .tender_action(id, Action::Publish, &actor, now - 3 * D)
        .await?;
    let (user, company) = company_of("marunouchi").await?;
    store
        .apply_to_tender(
            &store::Application {
                case_id: id,
                company_id: company,
                user_id: Some(user),
                grade: Some("A"),
                message: "同種業務の実績があります。",
                files: &[],
            },
            &Actor::cli("demo"),
            &[],
            now - D,
        )
        .await?;
    let (_, asker) = company_of("sumidagawa").await?;
    let q = store
        .ask_question(
            id,
            asker,
            "地下駐車場は清掃の対象に含まれますか。",
            &Actor::cli("demo"),
            &[],
            now - D,
        )
        .await?;
    store
        .answer_question(id, q, "含みません。", &actor, &[], now - D / 2)
        .await?;

    // Awarded a month ago; two equal bids went to くじ.
    let start = now - 40 * D;
    let done = tender(
        "公園樹木剪定業務委託",
        "市内12公園の高木剪定と発生材の処分。",
        start,
        AwardMethod::LowestPrice,
    );
    let id = store.create_tender(&done, keys, start - D).await?;
    store
        .tender_action(id, Action::Publish, &actor, start - D)
        .await?;
    let offers = [
        ("marunouchi", 4_200_000, "381", 10 * D + 3_600_000 + 137),
        ("sumidagawa", 4_200_000, "905", 11 * D + 7_200_000 + 642),
        ("tamaclean", 3_850_000, "020", 12 * D + 1_800_000 + 58),
    ];
    for (local, amount, kuji, at) in offers {
        let (user, company) = company_of(local).await?;
        store
            .apply_to_tender(
                &store::Application {
                    case_id: id,
                    company_id: company,
                    user_id: Some(user),
                    grade: Some("B"),
                    message: "",
                    files: &[],
                },
                &Actor::cli("demo"),
                &[],
                start + D,
            )
            .await?;
        store
            .decide_participation(
                id,
                company,
                store::Participation::Approved,
                None,
                &actor,
                &[],
                start + 8 * D,
            )
            .await?;
        let bid = etender::BidContent {
            amount,
            kuji: kuji.into(),
            breakdown: String::new(),
        };
        etender::submit(
            store,
            id,
            company,
            Some(user),
            &bid,
            &Actor::cli("demo"),
            start + at,
        )
        .await
        .map_err(|e| anyhow!(e.to_string()))?;
    }
    etender::open(store, kek, id, &actor, start + 15 * D)
        .await
        .map_err(|e| anyhow!(e.to_string()))?;
    store
        .tender_action(id, Action::Award, &actor, start + 15 * D)
        .await?;
    Ok(())
}

/// A receiving company's notification settings, so that the settings page
/// and the administrator's statistics have something to show.
async fn seed_notifications(store: &Store, now: i64) -> Result<()> {
    let user = store
        .user_by_email(&email("marunouchi")?)
        .await?
        .context("demo user")?;
    for (name, criteria, frequency) in [
        (
            "都内の清掃・設備保守",
            notify::Criteria {
                keywords: vec!["保守".into()],
                prefectures: vec![13],
                ..notify::Criteria::default()
            },
            notify::Frequency::Daily(8),
        ),
        (
            "精密部品の調達",
            notify::Criteria {
                keywords: vec!["部品".into()],
                exclusions: vec!["中古".into()],
                categories: vec![domain::Category::Goods],
                ..notify::Criteria::default()
            },
            notify::Frequency::Immediate,
        ),
    ] {
        store
            .save_notify_setting(
                None,
                &store::NewNotifySetting {
                    user_id: user.id,
                    name,
                    criteria: &criteria,
                    frequency,
                },
                notify::setting::MAX_SETTINGS_PER_USER,
                now,
            )
            .await?;
    }
    Ok(())
}

/// The sign-in table, for the terminal.
pub fn print(logins: &[Login], url: &str) {
    println!(
        "demo data is ready at {url} — {DEMO_CASES} cases; every account's password is {DEMO_PASSWORD}"
    );
    for l in logins {
        println!("  {:<44} {}", l.email, l.who);
    }
    println!(
        "  e-tenders: one taking applications, one awarded by 電子くじ — staff manage them at {url}/org/tenders"
    );
}
