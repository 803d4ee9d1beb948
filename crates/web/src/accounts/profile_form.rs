//! The company profile form, shared by the application, its correction and
//! the profile page: the fields, and parsing them into a `CompanyProfile`.

use domain::{CorporateNumber, Dealings, PhoneNumber, PostalCode, Prefecture};
use store::{Company, CompanyProfile, SimpleMaster, Store};

use crate::WebError;
use crate::forms::{
    Errors, Field, FieldSet, FormData, Kind, optional_number, optional_text, required_text,
};

/// The choices the form offers, read from the masters.
#[derive(Debug, Clone)]
pub struct Choices {
    prefectures: Vec<(String, String)>,
    divisions: Vec<(String, String)>,
    members: Vec<(String, String)>,
    triggers: Vec<(String, String)>,
}

impl Choices {
    pub async fn load(store: &Store) -> Result<Choices, WebError> {
        let pair = |id: i64, name: String| (id.to_string(), name);
        Ok(Choices {
            prefectures: store
                .prefectures()
                .await?
                .into_iter()
                .map(|(c, n)| pair(c, n))
                .collect(),
            divisions: store
                .industry_divisions()
                .await?
                .into_iter()
                .map(|d| {
                    (
                        d.code.clone(),
                        format!("{}：{}／{}", d.code, d.section_name, d.name),
                    )
                })
                .collect(),
            members: store
                .master_items(SimpleMaster::MemberOrganizations, false)
                .await?
                .into_iter()
                .map(|i| pair(i.id, i.name))
                .collect(),
            triggers: store
                .master_items(SimpleMaster::RegistrationTriggers, false)
                .await?
                .into_iter()
                .map(|i| pair(i.id, i.name))
                .collect(),
        })
    }
}

/// Which parts of the profile the form shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A new application or its correction: everything, legal identity included.
    Application,
    /// An approved company's own edits: the legal identity is shown, not
    /// edited; a change of dealings is parsed here and sent to review by the
    /// caller (`Store::update_company_profile` never changes them).
    Profile,
}

/// The company fields, filled from `form` (what the user typed) or `company`.
pub fn company_fields(
    choices: &Choices,
    form: Option<&FormData>,
    company: Option<&Company>,
    mode: Mode,
) -> Vec<FieldSet> {
    let v = |name: &str, stored: String| form.map_or(stored, |f| f.get(name).to_owned());
    let c = company;
    let opt = |x: Option<i64>| x.map_or_else(String::new, |n| n.to_string());
    let flag = |name: &str, stored: bool| {
        form.map_or(
            if stored {
                "1".to_owned()
            } else {
                String::new()
            },
            |f| f.get(name).to_owned(),
        )
    };
    let mut identity = Vec::new();
    if mode == Mode::Application {
        identity.push(
            Field::new("corporate_number", "法人番号", Kind::Text)
                .hint("13桁の数字です。全角やハイフン入りでも入力できます。個人事業主の方は空欄のまま、下の「個人事業主です」を選んでください。")
                .value(v("corporate_number", c.and_then(|c| c.corporate_number.clone()).unwrap_or_default())),
        );
        identity.push(
            Field::new(
                "sole_proprietor",
                "個人事業主です（法人番号がありません）",
                Kind::Checkbox,
            )
            .value(flag(
                "sole_proprietor",
                c.is_some_and(|c| c.sole_proprietor),
            )),
        );
        identity.push(
            Field::new("name", "会社名（屋号）", Kind::Text)
                .required()
                .autocomplete("organization")
                .value(v("name", c.map(|c| c.name.clone()).unwrap_or_default())),
        );
        identity.push(
            Field::new("name_kana", "会社名のフリガナ", Kind::Text)
                .required()
                .hint("全角カタカナで入力してください（例：ビジネスチャンスナビ）。")
                .value(v(
                    "name_kana",
                    c.map(|c| c.name_kana.clone()).unwrap_or_default(),
                )),
        );
    }
    identity.push(
        Field::new("representative", "代表者名", Kind::Text)
            .required()
            .value(v(
                "representative",
                c.map(|c| c.representative.clone()).unwrap_or_default(),
            )),
    );
    let members: Vec<String> = form.map_or_else(
        || {
            c.map(|c| {
                c.member_organization_ids
                    .iter()
                    .map(i64::to_string)
                    .collect()
            })
            .unwrap_or_default()
        },
        |f| f.all("member_organizations"),
    );
    let dealings: Vec<String> = form.map_or_else(
        || {
            let mut d = Vec::new();
            if c.is_some_and(|c| c.orders) {
                d.push("orders".to_owned());
            }
            if c.is_some_and(|c| c.receives) {
                d.push("receives".to_owned());
            }
            d
        },
        |f| f.all("dealings"),
    );
    let mut dealings_field = Field::new(
        "dealings",
        "ご利用の目的",
        Kind::Checkboxes(vec![
            ("receives".into(), "受注したい（受注企業）".into()),
            ("orders".into(), "発注したい（発注企業）".into()),
        ]),
    )
    .required()
    .values(dealings);
    if mode == Mode::Profile {
        dealings_field = dealings_field
            .hint("変更すると、運営事務局の確認後に反映します（それまでは現在の目的のままです）。");
    }
    vec![
        FieldSet::new(Some("会社の情報"), identity),
        FieldSet::new(
            Some("所在地・連絡先"),
            vec![
                Field::new("postal_code", "郵便番号", Kind::Text)
                    .required()
                    .autocomplete("postal-code")
                    .hint("7桁の数字です（例：100-0005）。")
                    .value(v(
                        "postal_code",
                        c.map(|c| c.postal_code.clone()).unwrap_or_default(),
                    )),
                Field::new(
                    "prefecture",
                    "都道府県",
                    Kind::Select(choices.prefectures.clone()),
                )
                .required()
                .value(v(
                    "prefecture",
                    c.map(|c| c.prefecture_code.to_string()).unwrap_or_default(),
                )),
                Field::new("address", "市区町村・番地・建物名", Kind::Text)
                    .required()
                    .autocomplete("street-address")
                    .value(v(
                        "address",
                        c.map(|c| c.address.clone()).unwrap_or_default(),
                    )),
                Field::new("phone", "電話番号", Kind::Tel)
                    .required()
                    .autocomplete("tel")
                    .hint("例：03-1234-5678")
                    .value(v(
                        "phone",
                        c.map(|c| domain::phone::hyphenate(&c.phone))
                            .unwrap_or_default(),
                    )),
                Field::new("website", "ウェブサイト", Kind::Url)
                    .autocomplete("url")
                    .hint("https:// から入力してください。")
                    .value(v(
                        "website",
                        c.and_then(|c| c.website.clone()).unwrap_or_default(),
                    )),
            ],
        ),
        FieldSet::new(
            Some("事業の内容"),
            vec![
                Field::new(
                    "industry",
                    "業種（日本標準産業分類）",
                    Kind::Select(choices.divisions.clone()),
                )
                .required()
                .value(v(
                    "industry",
                    c.map(|c| c.industry_division.clone()).unwrap_or_default(),
                )),
                Field::new("capital", "資本金（円）", Kind::Number)
                    .value(v("capital", opt(c.and_then(|c| c.capital_yen)))),
                Field::new("employees", "従業員数（人）", Kind::Number)
                    .value(v("employees", opt(c.and_then(|c| c.employees)))),
                Field::new("founded", "設立年（西暦）", Kind::Number)
                    .value(v("founded", opt(c.and_then(|c| c.founded_year)))),
                Field::new("description", "事業内容", Kind::TextArea)
                    .hint("ビジネスパートナー検索で表示されます（2,000文字以内）。")
                    .value(v(
                        "description",
                        c.map(|c| c.description.clone()).unwrap_or_default(),
                    )),
                Field::new("keywords", "得意分野・キーワード", Kind::Text)
                    .hint("空白で区切って入力してください（例：精密板金 溶接 試作）。")
                    .value(v(
                        "keywords",
                        c.map(|c| c.keywords.clone()).unwrap_or_default(),
                    )),
                dealings_field,
            ],
        ),
        FieldSet::new(
            Some("その他"),
            vec![
                Field::new(
                    "member_organizations",
                    "加盟団体",
                    Kind::Checkboxes(choices.members.clone()),
                )
                .hint("加盟している団体があれば選んでください（複数選択可）。")
                .values(members),
                Field::new(
                    "trigger",
                    "このサイトを知ったきっかけ",
                    Kind::Select(choices.triggers.clone()),
                )
                .value(v(
                    "trigger",
                    c.and_then(|c| c.registration_trigger_id)
                        .map(|i| i.to_string())
                        .unwrap_or_default(),
                )),
                Field::new("mail_magazine", "メールマガジンを受け取る", Kind::Checkbox)
                    .value(flag("mail_magazine", c.is_some_and(|c| c.mail_magazine))),
            ],
        ),
    ]
}

/// Parses the company fields; `current` supplies the legal identity in `Mode::Profile`.
pub fn parse_company(
    form: &FormData,
    errors: &mut Errors,
    mode: Mode,
    current: Option<&Company>,
    choices: &Choices,
) -> Option<CompanyProfile> {
    let (corporate_number, sole_proprietor, name, name_kana) = match (mode, current) {
        (Mode::Profile, Some(c)) => (
            c.corporate_number
                .as_deref()
                .and_then(|n| CorporateNumber::parse(n).ok()),
            c.sole_proprietor,
            c.name.clone(),
            c.name_kana.clone(),
        ),
        _ => {
            let sole = form.checked("sole_proprietor");
            let raw = form.get("corporate_number").trim();
            let number = if raw.is_empty() {
                if !sole {
                    errors.add(
                        "corporate_number",
                        "法人番号を入力してください。個人事業主の方は「個人事業主です」を選んでください。",
                    );
                }
                None
            } else {
                errors.take("corporate_number", CorporateNumber::parse(raw))
            };
            let name = required_text(errors, form, "name", "会社名", 100);
            let kana = domain::text::normalize(form.get("name_kana"));
            if kana.is_empty() {
                errors.add("name_kana", "会社名のフリガナを入力してください。");
            } else if !domain::text::is_katakana_reading(&kana) {
                errors.add("name_kana", "フリガナは全角カタカナで入力してください。");
            } else if kana.chars().count() > 100 {
                errors.add("name_kana", "フリガナは100文字以内で入力してください。");
            }
            (number, sole, name, kana)
        }
    };
    let representative = required_text(errors, form, "representative", "代表者名", 50);
    let postal_code = errors.take("postal_code", PostalCode::parse(form.get("postal_code")));
    let prefecture = errors.take("prefecture", Prefecture::parse(form.get("prefecture")));
    let address = required_text(errors, form, "address", "住所", 200);
    let phone = errors.take("phone", PhoneNumber::parse(form.get("phone")));
    let website = optional_text(errors, form, "website", "ウェブサイト", 200);
    if !(website.is_empty() || website.starts_with("https://") || website.starts_with("http://")) {
        errors.add(
            "website",
            "ウェブサイトは https:// から始まるURLで入力してください。",
        );
    }
    let industry = form.get("industry").to_owned();
    if !choices.divisions.iter().any(|(code, _)| *code == industry) {
        errors.add("industry", "業種を選択してください。");
    }
    let capital_yen = optional_number(errors, form, "capital", "資本金", 10_000_000_000_000);
    let employees = optional_number(errors, form, "employees", "従業員数", 10_000_000);
    let founded_year = optional_number(errors, form, "founded", "設立年", 9999);
    if let Some(y) = founded_year
        && !(1600..=2100).contains(&y)
    {
        errors.add("founded", "設立年は西暦4桁で入力してください（例：1985）。");
    }
    let description = domain::text::tidy_lines(&optional_text(
        errors,
        form,
        "description",
        "事業内容",
        2000,
    ));
    let keywords =
        domain::text::normalize(&optional_text(errors, form, "keywords", "キーワード", 200));
    let dealing_values = form.all("dealings");
    let dealings = errors.take(
        "dealings",
        Dealings::new(
            dealing_values.iter().any(|d| d == "orders"),
            dealing_values.iter().any(|d| d == "receives"),
        ),
    );
    let mut member_organization_ids = Vec::new();
    for raw in form.all("member_organizations") {
        match choices.members.iter().find(|(id, _)| *id == raw) {
            Some((id, _)) => member_organization_ids.push(id.parse().unwrap_or_default()),
            None => errors.add("member_organizations", "加盟団体の選択が正しくありません。"),
        }
    }
    let trigger = form.get("trigger");
    let registration_trigger_id = if trigger.is_empty() {
        None
    } else if let Some((id, _)) = choices.triggers.iter().find(|(id, _)| id == trigger) {
        id.parse().ok()
    } else {
        errors.add("trigger", "きっかけの選択が正しくありません。");
        None
    };
    if !errors.is_empty() {
        return None;
    }
    Some(CompanyProfile {
        corporate_number,
        sole_proprietor: sole_proprietor && corporate_number.is_none(),
        name,
        name_kana,
        representative,
        prefecture: prefecture?,
        postal_code: postal_code?,
        address,
        phone: phone?,
        website: (!website.is_empty()).then_some(website),
        industry_division: industry,
        capital_yen,
        employees,
        founded_year,
        description,
        keywords,
        member_organization_ids,
        registration_trigger_id,
        mail_magazine: form.checked("mail_magazine"),
        dealings: dealings?,
    })
}
