//! Reading a tender's terms from a form — the notice, the schedule, the
//! keys a new tender is sealed with — for the tender pages and the JSON API
//! alike.

use domain::tender::{AwardMethod, GRADES, Requirements, Schedule};
use domain::{CaseKind, CaseStatus, Category, Procedure, StaffRole};
use store::{NewCase, NewTender};

use crate::auth::Viewer;
use crate::forms::{
    Errors, FormData, optional_datetime, optional_number, optional_text, required_lines,
    required_text,
};
use crate::{AppState, ErrorKind, WebError};

/// The procedures an e-tender may follow.
pub const PROCEDURES: [Procedure; 4] = [
    Procedure::OpenCompetitive,
    Procedure::DesignatedCompetitive,
    Procedure::QuotationComparison,
    Procedure::Proposal,
];

/// The schedule's fields: (name, label).
pub const SCHEDULE: [(&str, &str); 6] = [
    ("published_at", "公告日"),
    ("application_deadline", "参加申請締切"),
    ("qualification_notice_at", "資格審査結果通知日"),
    ("bidding_opens_at", "入札書受付開始"),
    ("bid_deadline", "入札締切"),
    ("opening_at", "開札日時"),
];

/// The organisations and departments the viewer may create tenders for:
/// ("org:dept", "organisation　department").
pub async fn departments(
    state: &AppState,
    viewer: &Viewer,
) -> Result<Vec<(String, String)>, WebError> {
    let user = viewer.user()?;
    let mut out = Vec::new();
    for org in state.store.ordering_organizations().await? {
        let mine =
            user.staff_role == Some(StaffRole::Admin) || (user.organization_id == Some(org.id));
        if !mine || !org.active {
            continue;
        }
        out.push((
            format!("{}:", org.id),
            format!("{}（部署を指定しない）", org.name),
        ));
        for d in state.store.contract_departments(org.id).await? {
            if d.active {
                out.push((
                    format!("{}:{}", org.id, d.id),
                    format!("{}　{}（{}）", org.name, d.name, d.code),
                ));
            }
        }
    }
    Ok(out)
}

/// JSIC sections: (code, name).
pub async fn sections(state: &AppState) -> Result<Vec<(String, String)>, WebError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for d in state.store.industry_divisions().await? {
        if !out.iter().any(|(c, _)| *c == d.section_code) {
            out.push((d.section_code, d.section_name));
        }
    }
    Ok(out)
}

/// Reads the form into a tender (documents left to the caller), checking
/// that the viewer may create tenders for the chosen department.
pub async fn parse(
    state: &AppState,
    viewer: &Viewer,
    form: &FormData,
    errors: &mut Errors,
) -> Result<Option<NewTender>, WebError> {
    let allowed = departments(state, viewer).await?;
    let department = form.get("department");
    let (org, dept) = match department.split_once(':') {
        Some((o, d)) if allowed.iter().any(|(v, _)| v == department) => {
            (o.parse::<i64>().ok(), d.parse::<i64>().ok())
        }
        _ => {
            errors.add("department", "発注機関・契約部署を選んでください。");
            (None, None)
        }
    };
    let title = required_text(errors, form, "title", "件名", 200);
    let description = required_lines(errors, form, "description", "内容", 20_000);
    let category = Category::parse(form.get("category"))
        .map_err(|_| errors.add("category", "種別を選んでください。"))
        .ok();
    let procedure = Procedure::parse(form.get("procedure"))
        .ok()
        .filter(|p| PROCEDURES.contains(p));
    if procedure.is_none() {
        errors.add("procedure", "入札・契約方式を選んでください。");
    }
    let prefecture = match form.get("prefecture") {
        "" => None,
        p => errors.take(
            "prefecture",
            domain::Prefecture::parse(p).map(|p| i64::from(p.code())),
        ),
    };
    let municipality =
        domain::text::tidy(&optional_text(errors, form, "municipality", "市区町村", 60));
    let mut at = [0i64; 6];
    for (i, (name, label)) in SCHEDULE.iter().enumerate() {
        if form.get(name).trim().is_empty() {
            errors.add(name, format!("{label}を入力してください。"));
        }
        at[i] = optional_datetime(errors, form, name, label, 9).unwrap_or(0);
    }
    let schedule = Schedule {
        published_at: at[0],
        application_deadline: at[1],
        qualification_notice_at: at[2],
        bidding_opens_at: at[3],
        bid_deadline: at[4],
        opening_at: at[5],
    };
    if errors.is_empty()
        && let Err(e) = schedule.check()
    {
        // The message names the later date; put it beside that field.
        let field = SCHEDULE
            .iter()
            .find(|(_, label)| e.message().starts_with(label))
            .map_or("opening_at", |(n, _)| *n);
        errors.add(field, e.message());
    }
    let ceiling = optional_number(errors, form, "ceiling_yen", "予定価格", 1_000_000_000_000);
    if ceiling.is_none() && errors.get("ceiling_yen").is_none() {
        errors.add("ceiling_yen", "予定価格を入力してください。");
    }
    let minimum = optional_number(
        errors,
        form,
        "minimum_yen",
        "最低制限価格",
        1_000_000_000_000,
    );
    if let (Some(c), Some(m)) = (ceiling, minimum)
        && m > c
    {
        errors.add("minimum_yen", "最低制限価格は予定価格以下にしてください。");
    }
    let award_method = AwardMethod::from_code(form.get("award_method")).ok();
    if award_method.is_none() {
        errors.add("award_method", "落札方式を選んでください。");
    }
    let grades: Vec<String> = form.all("grades");
    if grades.iter().any(|g| !GRADES.contains(&g.as_str())) {
        errors.add("grades", "参加資格等級はA〜Dから選んでください。");
    }
    let mut regions = Vec::new();
    for r in form.all("regions") {
        match domain::Prefecture::parse(&r) {
            Ok(p) => regions.push(i64::from(p.code())),
            Err(_) => errors.add("regions", "地域要件の都道府県を選び直してください。"),
        }
    }
    let known = sections(state).await?;
    let industries = form.all("industries");
    if industries
        .iter()
        .any(|i| !known.iter().any(|(c, _)| c == i))
    {
        errors.add("industries", "業種を選び直してください。");
    }
    let requested = optional_text(
        errors,
        form,
        "requested_documents",
        "参加申請に添付する書類",
        2_000,
    );
    if !errors.is_empty() {
        return Ok(None);
    }
    let organization_name = match org {
        Some(o) => state
            .store
            .ordering_organization(o)
            .await?
            .map(|o| o.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let some = |s: String| (!s.is_empty()).then_some(s);
    let (Some(category), Some(procedure), Some(ceiling), Some(award_method)) =
        (category, procedure, ceiling, award_method)
    else {
        return Ok(None);
    };
    Ok(Some(NewTender {
        case: NewCase {
            kind: CaseKind::ETender,
            title,
            description,
            category,
            procedure,
            organization_name,
            organization_id: org,
            company_id: None,
            contract_department_id: dept,
            prefecture_code: prefecture,
            municipality_code: None,
            municipality_name: some(municipality),
            qualification_grade: None,
            published_at: None,
            application_deadline: None,
            submission_deadline: None,
            opening_at: None,
            period_end: None,
            day_only: domain::DayOnly::default(),
            status: CaseStatus::Draft,
            source: String::new(),
            source_key: String::new(),
            source_url: None,
            documents: Vec::new(),
            created_by: viewer.user.as_ref().map(|u| u.id),
        },
        schedule,
        ceiling_yen: ceiling,
        ceiling_public: form.checked("ceiling_public"),
        minimum_yen: minimum,
        award_method,
        requirements: Requirements {
            grades,
            prefectures: regions,
            industries,
            documents: requested,
        },
        documents: Vec::new(),
        created_by: viewer.user.as_ref().map(|u| u.id),
    }))
}

/// A new tender's (public key, wrapped private key), or why not.
type Keys = Result<(Vec<u8>, Vec<u8>), String>;

/// Keys for a new tender, wrapped under the server's KEK.
pub fn keys_for(state: &AppState) -> Result<impl FnOnce(i64) -> Keys, WebError> {
    let kek = state.kek.clone().ok_or_else(|| {
        WebError::new(
            ErrorKind::Unavailable,
            "このサーバーには鍵暗号化鍵（KEK）が設定されていないため、電子入札案件を作成できません。運用・保守者に連絡してください。",
        )
    })?;
    Ok(move |id| {
        let keys = seal::new_tender_keys(&kek, id).map_err(|e| {
            tracing::error!(error = %e, "tender keys could not be made");
            "入札案件の鍵を作成できませんでした。運用・保守者に連絡してください。".to_owned()
        })?;
        Ok((keys.public.to_vec(), keys.wrapped_secret))
    })
}

/// The schedule from a form, or every error in one sentence.
pub fn schedule_of(form: &FormData) -> Result<Schedule, WebError> {
    let mut errors = Errors::default();
    let mut at = [0i64; 6];
    for (i, (name, label)) in SCHEDULE.iter().enumerate() {
        match optional_datetime(&mut errors, form, name, label, 9) {
            Some(v) => at[i] = v,
            None => errors.add(name, format!("{label}を入力してください。")),
        }
    }
    if !errors.is_empty() {
        return Err(WebError::new(ErrorKind::Unprocessable, errors.joined()));
    }
    Ok(Schedule {
        published_at: at[0],
        application_deadline: at[1],
        qualification_notice_at: at[2],
        bidding_opens_at: at[3],
        bid_deadline: at[4],
        opening_at: at[5],
    })
}
