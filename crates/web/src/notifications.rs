//! おすすめ案件通知 in the browser: a company user's notification settings
//! (several, each named), made from scratch or from a search ("この条件で
//! 通知を受け取る"), each with what it would have matched in the last 30
//! days; the one-click unsubscribe from the mail, which needs no sign-in;
//! and the administrator's statistics.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::{CaseKind, Category, Procedure};
use notify::setting::{
    self, Cadence, Criteria, Criterion, Frequency, MAX_NAME_CHARS, MAX_SETTINGS_PER_USER,
};
use store::{NewNotifySetting, NotifySetting, StoreError};

use crate::auth::{ADMIN, COMPANY, Guarded, PUBLIC, Viewer};
use crate::forms::{Errors, Field, FieldSet, FormData, Kind, options, required_text};
use crate::layout::Layout;
use crate::pages::{Aside, FormPage, MessagePage, render};
use crate::{AppState, WebError};

pub fn routes(g: Guarded) -> Guarded {
    g.get("/mypage/notifications", COMPANY, get(list))
        .get("/mypage/notifications/new", COMPANY, get(new_form))
        .post("/mypage/notifications", COMPANY, post(create))
        .post("/mypage/notifications/resume", COMPANY, post(resume))
        .get("/mypage/notifications/{id}", COMPANY, get(edit_form))
        .post("/mypage/notifications/{id}", COMPANY, post(update))
        .get(
            "/mypage/notifications/{id}/delete",
            COMPANY,
            get(delete_form),
        )
        .post("/mypage/notifications/{id}/delete", COMPANY, post(delete))
        .get(
            "/notifications/unsubscribe/{token}",
            PUBLIC,
            get(unsubscribe_page),
        )
        .post(
            "/notifications/unsubscribe/{token}",
            PUBLIC,
            post(unsubscribe),
        )
        .get("/admin/notifications", ADMIN, get(stats))
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct ListPage {
    layout: Layout,
    csrf: String,
    notice: Option<&'static str>,
    /// (since, why) when the user's notifications are paused.
    paused: Option<(String, String)>,
    settings: Vec<SettingRow>,
}

/// One of the user's notification settings in their list.
struct SettingRow {
    id: i64,
    name: String,
    /// The criteria in one line.
    criteria: String,
    frequency: String,
    /// When it last sent a mail, or 「まだありません」.
    last_sent: String,
}

async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let user = viewer.user()?;
    let settings = state
        .store
        .notify_settings_of(user.id)
        .await?
        .iter()
        .map(|s| SettingRow {
            id: s.id,
            name: s.name.clone(),
            criteria: s.criteria.summary(),
            frequency: s.frequency.label(),
            last_sent: s
                .last_sent_at
                .map_or_else(|| "まだありません".to_owned(), domain::time::jst_datetime),
        })
        .collect();
    let paused = state
        .store
        .notify_pause(user.id)
        .await?
        .map(|(at, reason)| {
            (
                domain::time::jst_datetime(at),
                if reason == "unsubscribed" {
                    "メールの配信停止リンクから停止の手続きがありました。".to_owned()
                } else {
                    format!(
                        "メールアドレスに届きませんでした（{}）。",
                        reason.chars().take(120).collect::<String>()
                    )
                },
            )
        });
    let notice = match q.get("done").map(String::as_str) {
        Some("saved") => Some("通知設定を保存しました。"),
        Some("deleted") => Some("通知設定を削除しました。"),
        Some("resumed") => Some("通知を再開しました。"),
        _ => None,
    };
    render(
        &ListPage {
            layout: Layout::for_viewer("おすすめ案件の通知", &viewer),
            csrf: viewer.csrf_token().to_owned(),
            notice,
            paused,
            settings,
        },
        StatusCode::OK,
    )
}

async fn field_sets(state: &AppState, v: &FormData) -> Result<Vec<FieldSet>, WebError> {
    let prefectures = state
        .store
        .prefectures()
        .await?
        .into_iter()
        .map(|(c, n)| (c.to_string(), n))
        .collect();
    let hours = (0..24).map(|h| (h.to_string(), format!("{h}時"))).collect();
    Ok(vec![
        FieldSet::new(
            None,
            vec![
                Field::new("name", "設定の名前", Kind::Text)
                    .required()
                    .hint(format!("{MAX_NAME_CHARS}文字以内。例：都内の清掃業務"))
                    .value(v.get("name")),
                Field::new("keywords", "キーワード", Kind::Text)
                    .hint("スペースで区切ると、すべてを含む案件（AND）をお知らせします。案件名・内容・発注機関から探します。")
                    .value(v.get("keywords")),
                Field::new("exclusions", "除外するキーワード", Kind::Text)
                    .hint("どれかを含む案件はお知らせしません（スペース区切り）。")
                    .value(v.get("exclusions")),
            ],
        ),
        FieldSet::new(
            Some("絞り込み（選ばなければすべて）"),
            vec![
                Field::new("kinds", "案件の種類", Kind::Checkboxes(options(CaseKind::ALL, |k| (k.as_str(), k.label()))))
                    .values(v.all("kinds")),
                Field::new("categories", "種別", Kind::Checkboxes(options(Category::ALL, |k| (k.as_str(), k.label()))))
                    .values(v.all("categories")),
                Field::new("procedures", "入札・契約方式", Kind::Checkboxes(options(Procedure::ALL, |k| (k.as_str(), k.label()))))
                    .values(v.all("procedures")),
                Field::new("prefectures", "都道府県", Kind::Checkboxes(prefectures))
                    .values(v.all("prefectures")),
                Field::new("organizations", "発注機関", Kind::TextArea)
                    .hint("1行に1つ、案件に表示される名前のとおりに入力してください。")
                    .value(v.get("organizations")),
            ],
        ),
        FieldSet::new(
            Some("届け方"),
            vec![
                Field::new(
                    "frequency",
                    "頻度",
                    Kind::Radios(options(Cadence::ALL, |c| (c.as_str(), c.label()))),
                )
                .required()
                .value(v.get("frequency")),
                Field::new("hour", "まとめて届ける時刻（日本時間）", Kind::Select(hours))
                    .hint("「1日1回まとめて」のときに使います。")
                    .value(v.get("hour")),
            ],
        ),
    ])
}

/// Reads the form into (name, criteria, frequency); errors beside the fields.
fn parse(form: &FormData, errors: &mut Errors) -> Option<(String, Criteria, Frequency)> {
    let name = required_text(errors, form, "name", "設定の名前", MAX_NAME_CHARS);
    let criteria = Criteria {
        keywords: setting::split_words(form.get("keywords")),
        exclusions: setting::split_words(form.get("exclusions")),
        kinds: facet(form, errors, Criterion::Kinds, CaseKind::parse),
        categories: facet(form, errors, Criterion::Categories, Category::parse),
        procedures: facet(form, errors, Criterion::Procedures, Procedure::parse),
        prefectures: form
            .all("prefectures")
            .iter()
            .filter_map(|p| p.parse().ok())
            .collect(),
        organizations: form
            .get("organizations")
            .lines()
            .map(domain::text::tidy)
            .filter(|l| !l.is_empty())
            .collect(),
    };
    if let Err(e) = criteria.check() {
        errors.add(e.criterion.as_str(), e.message());
    }
    let frequency = match Cadence::from_code(form.get("frequency")) {
        Ok(cadence) => Frequency::of(cadence, form.get("hour").parse().ok())
            .map_err(|e| errors.add("hour", e.message()))
            .ok(),
        Err(_) => {
            errors.add("frequency", "頻度を選んでください。");
            None
        }
    };
    if !errors.is_empty() {
        return None;
    }
    Some((name, criteria, frequency?))
}

/// The values of one facet's checkboxes (the field is named for its
/// criterion); a value the portal does not know is refused beside it.
fn facet<T>(
    form: &FormData,
    errors: &mut Errors,
    criterion: Criterion,
    parse: fn(&str) -> Result<T, domain::Invalid>,
) -> Vec<T> {
    let mut out = Vec::new();
    for v in form.all(criterion.as_str()) {
        match parse(&v) {
            Ok(v) => out.push(v),
            Err(e) => errors.add(criterion.as_str(), e.message()),
        }
    }
    out
}

/// A stored setting as the form's values.
fn values_of(s: &NotifySetting) -> FormData {
    let c = &s.criteria;
    let f = s.frequency;
    let mut p: Vec<(String, String)> = vec![
        ("name".into(), s.name.clone()),
        ("keywords".into(), c.keywords.join(" ")),
        ("exclusions".into(), c.exclusions.join(" ")),
        ("organizations".into(), c.organizations.join("\n")),
        ("frequency".into(), f.cadence().as_str().into()),
        (
            "hour".into(),
            match f {
                Frequency::Daily(h) => h.to_string(),
                _ => "8".into(),
            },
        ),
    ];
    p.extend(c.kinds.iter().map(|v| ("kinds".into(), v.as_str().into())));
    p.extend(
        c.categories
            .iter()
            .map(|v| ("categories".into(), v.as_str().into())),
    );
    p.extend(
        c.procedures
            .iter()
            .map(|v| ("procedures".into(), v.as_str().into())),
    );
    p.extend(
        c.prefectures
            .iter()
            .map(|v| ("prefectures".into(), v.to_string())),
    );
    FormData::from_pairs(p)
}

/// What the criteria would have matched among the cases published in the
/// last 30 days (newest first, through the search index and its rules).
async fn preview(state: &AppState, c: &Criteria) -> Result<Aside, WebError> {
    let now = crate::auth::now_ms();
    let since = now - 30 * 86_400_000;
    let query = search::CaseQuery {
        per_page: 20,
        ..search::CaseQuery::for_criteria(c)
    };
    let found = state
        .search
        .search(&query, now)
        .map_err(WebError::internal)?;
    let items: Vec<(String, String, String)> = state
        .store
        .cases_by_ids(&found.ids)
        .await?
        .into_iter()
        .filter(|c| c.fields.published_at.is_some_and(|p| p >= since))
        .map(|c| {
            (
                format!("/cases/{}", c.id),
                c.fields.title,
                format!(
                    "{}（{}公開）",
                    c.fields.organization_name,
                    c.fields
                        .published_at
                        .map(domain::time::jst_date)
                        .unwrap_or_default()
                ),
            )
        })
        .collect();
    Ok(Aside {
        heading: "過去30日に公開された案件のうち、この条件に合うもの".into(),
        intro: if items.is_empty() {
            "過去30日に公開された案件には、この条件に合うものはありませんでした。".into()
        } else {
            format!("新しい順に{}件まで表示しています。", items.len())
        },
        items,
    })
}

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    id: Option<i64>,
    values: &FormData,
    errors: &Errors,
    preview_of: Option<&Criteria>,
) -> Result<Response, WebError> {
    let sets = field_sets(state, values).await?;
    let (title, action) = match id {
        Some(id) => ("通知設定の編集", format!("/mypage/notifications/{id}")),
        None => ("通知設定の作成", "/mypage/notifications".to_owned()),
    };
    let mut page = FormPage::new(
        Layout::for_viewer(title, viewer),
        action,
        viewer.csrf_token(),
        sets,
        "保存する",
    )
    .intro("キーワード、種類、地域などの条件を1つ以上指定してください。")
    .link("/mypage/notifications", "通知設定の一覧に戻る");
    if let Some(id) = id {
        page = page.link(
            format!("/mypage/notifications/{id}/delete"),
            "この設定を削除する",
        );
    }
    if let Some(c) = preview_of {
        page = page.aside(preview(state, c).await?);
    }
    if !errors.is_empty() {
        page = page.with_errors(errors);
    }
    page.respond()
}

/// A new setting's form, filled from a search's parameters when given.
async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let get = |k: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let parsed = search::query::parse(&get("q").join(" "));
    let mut p: Vec<(String, String)> = vec![
        (
            "name".into(),
            if parsed.required.is_empty() {
                "検索条件から".into()
            } else {
                parsed
                    .required
                    .join(" ")
                    .chars()
                    .take(MAX_NAME_CHARS)
                    .collect()
            },
        ),
        ("keywords".into(), parsed.required.join(" ")),
        ("exclusions".into(), parsed.excluded.join(" ")),
        ("organizations".into(), get("organization").join("\n")),
        ("frequency".into(), "daily".into()),
        ("hour".into(), "8".into()),
    ];
    for (from, to) in [
        ("kind", "kinds"),
        ("category", "categories"),
        ("procedure", "procedures"),
        ("prefecture", "prefectures"),
    ] {
        p.extend(get(from).into_iter().map(|v| (to.to_owned(), v)));
    }
    let values = FormData::from_pairs(p);
    let from_search = pairs.iter().any(|(k, _)| k != "page");
    let criteria = from_search
        .then(|| parse(&values, &mut Errors::default()).map(|(_, c, _)| c))
        .flatten();
    form_page(
        &state,
        &viewer,
        None,
        &values,
        &Errors::default(),
        criteria.as_ref(),
    )
    .await
}

async fn save(
    state: &AppState,
    viewer: &Viewer,
    id: Option<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(viewer)?;
    let user = viewer.user()?;
    let mut errors = Errors::default();
    let Some((name, criteria, frequency)) = parse(&form, &mut errors) else {
        return form_page(state, viewer, id, &form, &errors, None).await;
    };
    let saved = state
        .store
        .save_notify_setting(
            id,
            &NewNotifySetting {
                user_id: user.id,
                name: &name,
                criteria: &criteria,
                frequency,
            },
            MAX_SETTINGS_PER_USER,
            crate::auth::now_ms(),
        )
        .await;
    match saved {
        Ok(_) => Ok(Redirect::to("/mypage/notifications?done=saved").into_response()),
        Err(StoreError::Invalid(m)) => {
            errors.add("name", m);
            form_page(state, viewer, id, &form, &errors, None).await
        }
        Err(StoreError::Stale) => Err(WebError::not_found()),
        Err(e) => Err(e.into()),
    }
}

async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    form: FormData,
) -> Result<Response, WebError> {
    save(&state, &viewer, None, form).await
}

/// One of the viewer's own settings, or 404.
async fn own(state: &AppState, viewer: &Viewer, id: &str) -> Result<NotifySetting, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::not_found())?;
    let user = viewer.user()?;
    state
        .store
        .notify_setting(id)
        .await?
        .filter(|s| s.user_id == user.id)
        .ok_or_else(WebError::not_found)
}

async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let s = own(&state, &viewer, &id).await?;
    let c = s.criteria.clone();
    form_page(
        &state,
        &viewer,
        Some(s.id),
        &values_of(&s),
        &Errors::default(),
        Some(&c),
    )
    .await
}

async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    let s = own(&state, &viewer, &id).await?;
    save(&state, &viewer, Some(s.id), form).await
}

async fn delete_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let s = own(&state, &viewer, &id).await?;
    FormPage::new(
        Layout::for_viewer(format!("通知設定「{}」の削除", s.name), &viewer),
        format!("/mypage/notifications/{}/delete", s.id),
        viewer.csrf_token(),
        Vec::new(),
        "削除する",
    )
    .intro("この通知設定を削除します。この設定によるお知らせは届かなくなります。")
    .link(format!("/mypage/notifications/{}", s.id), "削除せずに戻る")
    .respond()
}

async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let s = own(&state, &viewer, &id).await?;
    match state.store.delete_notify_setting(s.user_id, s.id).await {
        Ok(()) | Err(StoreError::Stale) => {
            Ok(Redirect::to("/mypage/notifications?done=deleted").into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn resume(
    State(state): State<AppState>,
    viewer: Viewer,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let user = viewer.user()?;
    state.store.resume_notifications(user.id).await?;
    Ok(Redirect::to("/mypage/notifications?done=resumed").into_response())
}

/// The unsubscribe link opened in a browser: one button, no sign-in.
async fn unsubscribe_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let known = if token.len() > 100 {
        None
    } else {
        state.store.unsubscribe_token_state(&token).await?
    };
    match known {
        None => {
            return MessagePage::new(
                Layout::for_viewer("このURLは使えません", &viewer),
                &["この配信停止のURLは正しくありません。メールに記載されたURLを、途中で切れていないか確かめて、もう一度開いてください。ログインして、マイページの「おすすめ案件の通知」から停止することもできます。"],
            )
            .link("/mypage/notifications", "おすすめ案件の通知の設定")
            .respond(StatusCode::NOT_FOUND);
        }
        Some(true) => {
            return MessagePage::new(
                Layout::for_viewer("配信は停止しています", &viewer),
                &["おすすめ案件のお知らせメールの配信は、既に停止しています。再開は、マイページの「おすすめ案件の通知」からいつでもできます。"],
            )
            .link("/mypage/notifications", "おすすめ案件の通知の設定")
            .respond(StatusCode::OK);
        }
        Some(false) => {}
    }
    FormPage::new(
        Layout::for_viewer("おすすめ案件のお知らせの配信停止", &viewer),
        format!("/notifications/unsubscribe/{}", crate::auth::encode_query(&token)),
        viewer.csrf_token(),
        Vec::new(),
        "配信を停止する",
    )
    .intro("このボタンを押すと、おすすめ案件のお知らせメールの配信を停止します。ログインは不要です。再開は、マイページの「おすすめ案件の通知」からいつでもできます。")
    .respond()
}

/// One-click unsubscribe (RFC 8058): the mail client's POST, or the page's
/// button. The token in the link is the only credential, by design.
async fn unsubscribe(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let now = crate::auth::now_ms();
    if token.len() > 100 {
        return Err(WebError::not_found());
    }
    match state.store.unsubscribe_notifications(&token, now).await? {
        Some(_) => MessagePage::new(
            Layout::for_viewer("配信を停止しました", &viewer),
            &["おすすめ案件のお知らせメールの配信を停止しました。再開は、マイページの「おすすめ案件の通知」からいつでもできます。"],
        )
        .link("/", "トップページへ")
        .respond(StatusCode::OK),
        None => Err(WebError::not_found()),
    }
}

#[derive(Template)]
#[template(path = "admin_notifications.html")]
struct StatsPage {
    layout: Layout,
    settings: i64,
    users: i64,
    /// (facet label, [(value label, settings)]).
    facets: Vec<(&'static str, Vec<(String, i64)>)>,
}

async fn stats(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    let s = state.store.notify_stats().await?;
    let prefectures = state.store.prefectures().await?;
    let label = |facet: &str, value: &str| -> String {
        match facet {
            "kind" => CaseKind::parse(value)
                .map(|v| v.label().to_owned())
                .unwrap_or_else(|_| value.to_owned()),
            "category" => Category::parse(value)
                .map(|v| v.label().to_owned())
                .unwrap_or_else(|_| value.to_owned()),
            "procedure" => Procedure::parse(value)
                .map(|v| v.label().to_owned())
                .unwrap_or_else(|_| value.to_owned()),
            "prefecture" => value
                .parse::<i64>()
                .ok()
                .and_then(|c| prefectures.iter().find(|(p, _)| *p == c))
                .map_or_else(|| value.to_owned(), |(_, n)| n.clone()),
            "frequency" => Cadence::from_code(value)
                .map(|v| v.label().to_owned())
                .unwrap_or_else(|_| value.to_owned()),
            _ => value.to_owned(),
        }
    };
    let mut facets = Vec::new();
    for (facet, title) in [
        ("keyword", "よく使われるキーワード"),
        ("exclusion", "よく使われる除外キーワード"),
        ("kind", "案件の種類"),
        ("category", "種別"),
        ("procedure", "入札・契約方式"),
        ("prefecture", "都道府県"),
        ("organization", "発注機関"),
        ("frequency", "頻度"),
    ] {
        let rows: Vec<(String, i64)> = s
            .terms
            .iter()
            .filter(|(f, _, _)| f == facet)
            .take(30)
            .map(|(_, v, n)| (label(facet, v), *n))
            .collect();
        if !rows.is_empty() {
            facets.push((title, rows));
        }
    }
    render(
        &StatsPage {
            layout: Layout::for_viewer("通知設定の利用状況", &viewer),
            settings: s.settings,
            users: s.users,
            facets,
        },
        StatusCode::OK,
    )
}
