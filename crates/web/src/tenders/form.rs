//! The e-tender form: staff of an ordering organisation write the notice —
//! what is procured, by which procedure and department, the documents, who
//! may take part, the schedule, 予定価格 and 最低制限価格, and how the winner
//! is chosen. The same reading serves the page and the JSON API.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::Category;
use domain::tender::{AwardMethod, GRADES};
use store::{Case, FileMeta, TenderRecord};

use crate::actions::tender_terms::{PROCEDURES, SCHEDULE, departments, keys_for, parse, sections};
use crate::actions::tenders::{self as ops, id_of};
use crate::auth::Viewer;
use crate::forms::options;
use crate::forms::{Errors, Field, FieldSet, FormData, Kind, checked_files};
use crate::layout::Layout;
use crate::pages::FormPage;
use crate::{AppState, WebError};

async fn field_sets(
    state: &AppState,
    viewer: &Viewer,
    v: &FormData,
    documents: &[FileMeta],
) -> Result<Vec<FieldSet>, WebError> {
    let prefectures: Vec<(String, String)> = state
        .store
        .prefectures()
        .await?
        .into_iter()
        .map(|(c, n)| (c.to_string(), n))
        .collect();
    let mut schedule = Vec::new();
    for (name, label) in SCHEDULE {
        schedule.push(
            Field::new(name, label, Kind::DateTime)
                .required()
                .value(v.get(name)),
        );
    }
    schedule[0] = schedule[0]
        .clone()
        .hint("日本時間。例：2026-12-01 09:00。各日時は、その前の日時より後にしてください。");
    schedule[4] = schedule[4]
        .clone()
        .hint("この時刻（サーバーの時計、秒単位）を過ぎた入札書は受け付けません。");
    let mut sets = vec![
        FieldSet::new(
            Some("案件の内容"),
            vec![
                Field::new(
                    "department",
                    "発注機関・契約部署",
                    Kind::Select(departments(state, viewer).await?),
                )
                .required()
                .value(v.get("department")),
                Field::new("title", "件名", Kind::Text)
                    .required()
                    .hint("200文字以内。例：庁舎空調設備保守点検業務委託")
                    .value(v.get("title")),
                Field::new("description", "内容", Kind::TextArea)
                    .required()
                    .hint("業務の概要、履行場所、履行期間など（20,000文字以内）。")
                    .value(v.get("description")),
                Field::new(
                    "category",
                    "種別",
                    Kind::Select(options(Category::ALL, |c| (c.as_str(), c.label()))),
                )
                .required()
                .value(v.get("category")),
                Field::new(
                    "procedure",
                    "入札・契約方式",
                    Kind::Select(options(&PROCEDURES, |p| (p.as_str(), p.label()))),
                )
                .required()
                .hint("指名競争入札では、公告の後に指名する企業を登録します。")
                .value(v.get("procedure")),
                Field::new(
                    "prefecture",
                    "履行場所の都道府県",
                    Kind::Select(prefectures.clone()),
                )
                .value(v.get("prefecture")),
                Field::new("municipality", "市区町村", Kind::Text)
                    .hint("任意。例：八王子市")
                    .value(v.get("municipality")),
            ],
        ),
        FieldSet::new(Some("日程（日本時間）"), schedule),
        FieldSet::new(
            Some("価格と落札方式"),
            vec![
                Field::new("ceiling_yen", "予定価格（円、税抜）", Kind::Number)
                    .required()
                    .hint("この額を超える入札は無効になります。")
                    .value(v.get("ceiling_yen")),
                Field::new("ceiling_public", "予定価格を事前に公表する", Kind::Checkbox)
                    .hint("公表しないときは、開札の後に入札結果とともに公表します。")
                    .value(v.get("ceiling_public")),
                Field::new("minimum_yen", "最低制限価格（円、税抜）", Kind::Number)
                    .hint("任意。この額を下回る入札は失格になります。開札の後に公表します。")
                    .value(v.get("minimum_yen")),
                Field::new(
                    "award_method",
                    "落札方式",
                    Kind::Radios(
                        AwardMethod::ALL
                            .iter()
                            .map(|m| (m.as_str().into(), format!("{}：{}", m.label(), m.rule())))
                            .collect(),
                    ),
                )
                .required()
                .value(v.get("award_method")),
            ],
        ),
        FieldSet::new(
            Some("参加資格"),
            vec![
                Field::new(
                    "grades",
                    "参加資格等級",
                    Kind::Checkboxes(
                        GRADES
                            .iter()
                            .map(|g| ((*g).to_owned(), format!("{g}等級")))
                            .collect(),
                    ),
                )
                .hint("任意。選んだ等級の企業だけが参加できます。選ばなければ等級は問いません。")
                .values(v.all("grades")),
                Field::new(
                    "regions",
                    "本店所在地（地域要件）",
                    Kind::Checkboxes(prefectures),
                )
                .hint("任意。選んだ都道府県に本店がある企業だけが参加できます。")
                .values(v.all("regions")),
                Field::new(
                    "industries",
                    "業種",
                    Kind::Checkboxes(sections(state).await?),
                )
                .hint("任意。選んだ業種（日本標準産業分類の大分類）の企業だけが参加できます。")
                .values(v.all("industries")),
                Field::new(
                    "requested_documents",
                    "参加申請に添付する書類",
                    Kind::TextArea,
                )
                .hint("任意。例：競争参加資格確認申請書、同種業務の実績調書（2,000文字以内）")
                .value(v.get("requested_documents")),
            ],
        ),
    ];
    let files = crate::forms::document_fields(
        documents,
        v.all("remove_file"),
        "入札説明書・仕様書などを添付する",
        "",
        state.settings.max_body_bytes,
    );
    sets.push(FieldSet::new(Some("入札説明書等"), files));
    Ok(sets)
}

/// The stored tender as the form's values.
pub fn values_of(case: &Case, t: &TenderRecord) -> FormData {
    let f = &case.fields;
    let s = t.tender.schedule;
    let mut p: Vec<(String, String)> = vec![
        (
            "department".into(),
            format!(
                "{}:{}",
                f.organization_id.unwrap_or_default(),
                f.contract_department_id
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            ),
        ),
        ("title".into(), f.title.clone()),
        ("description".into(), f.description.clone()),
        ("category".into(), f.category.as_str().into()),
        ("procedure".into(), f.procedure.as_str().into()),
        (
            "prefecture".into(),
            f.prefecture_code.map(|c| c.to_string()).unwrap_or_default(),
        ),
        (
            "municipality".into(),
            f.municipality_name.clone().unwrap_or_default(),
        ),
        ("ceiling_yen".into(), t.ceiling_yen.to_string()),
        (
            "minimum_yen".into(),
            t.minimum_yen.map(|m| m.to_string()).unwrap_or_default(),
        ),
        ("award_method".into(), t.award_method.as_str().into()),
        (
            "requested_documents".into(),
            t.requirements.documents.clone(),
        ),
    ];
    if t.ceiling_public {
        p.push(("ceiling_public".into(), "1".into()));
    }
    for (name, at) in SCHEDULE.iter().map(|(n, _)| *n).zip([
        s.published_at,
        s.application_deadline,
        s.qualification_notice_at,
        s.bidding_opens_at,
        s.bid_deadline,
        s.opening_at,
    ]) {
        p.push((name.into(), domain::time::jst_input_value(at)));
    }
    p.extend(
        t.requirements
            .grades
            .iter()
            .map(|g| ("grades".into(), g.clone())),
    );
    p.extend(
        t.requirements
            .prefectures
            .iter()
            .map(|r| ("regions".into(), r.to_string())),
    );
    p.extend(
        t.requirements
            .industries
            .iter()
            .map(|i| ("industries".into(), i.clone())),
    );
    FormData::from_pairs(p)
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    existing: Option<i64>,
    values: &FormData,
    errors: &Errors,
) -> Result<Response, WebError> {
    let documents = match existing {
        Some(id) => state.store.case_files(id).await?,
        None => Vec::new(),
    };
    let sets = field_sets(state, viewer, values, &documents).await?;
    let (title, action) = match existing {
        Some(id) => ("電子入札案件の編集", format!("/org/tenders/{id}")),
        None => ("電子入札案件の作成", "/org/tenders".to_owned()),
    };
    let mut page = FormPage::new(
        Layout::for_viewer(title, viewer),
        action,
        viewer.csrf_token(),
        sets,
        "下書きとして保存する",
    )
    .intro("保存した案件は下書きです。内容を確認してから、案件の管理ページで公告してください。公告の後は、日程の変更（変更公告）と中止だけができます。")
    .link("/org/tenders", "電子入札案件の一覧に戻る");
    if !errors.is_empty() {
        page = page.with_errors(errors);
    }
    page.respond()
}

pub async fn new_form(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    page(
        &state,
        &viewer,
        None,
        &FormData::default(),
        &Errors::default(),
    )
    .await
}

pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (case, tender) = ops::managed(&state, &viewer, id_of(&id)?).await?;
    page(
        &state,
        &viewer,
        Some(case.id),
        &values_of(&case, &tender),
        &Errors::default(),
    )
    .await
}

async fn save(
    state: &AppState,
    viewer: &Viewer,
    existing: Option<(Case, TenderRecord)>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(viewer)?;
    let now = crate::auth::now_ms();
    let mut errors = Errors::default();
    let parsed = parse(state, viewer, &form, &mut errors).await?;
    let files = checked_files(&mut errors, &form, "files");
    let id = existing.as_ref().map(|(c, _)| c.id);
    let (Some(mut tender), true) = (parsed, errors.is_empty()) else {
        if !form.files("files").is_empty() {
            errors.add(
                "files",
                "入力内容に誤りがあったため、添付ファイルは保存していません。もう一度選択してください。",
            );
        }
        return page(state, viewer, id, &form, &errors).await;
    };
    tender.documents = files;
    let actor = ops::staff_actor(viewer)?;
    let id = match existing {
        None => state
            .store
            .create_tender(&tender, keys_for(state)?, now)
            .await
            .map_err(ops::refused)?,
        Some((case, _)) => {
            let remove: Vec<i64> = form
                .all("remove_file")
                .iter()
                .filter_map(|f| f.parse().ok())
                .collect();
            state
                .store
                .update_tender_draft(case.id, &tender, &remove, &actor, now)
                .await
                .map_err(ops::refused)?;
            case.id
        }
    };
    state.cases_written();
    Ok(Redirect::to(&format!("/org/tenders/{id}?done=saved")).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    form: FormData,
) -> Result<Response, WebError> {
    save(&state, &viewer, None, form).await
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    let existing = ops::managed(&state, &viewer, id_of(&id)?).await?;
    save(&state, &viewer, Some(existing), form).await
}
