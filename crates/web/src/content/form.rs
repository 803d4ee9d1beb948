//! The authoring form: its fields filled from an item's state, and the
//! submitted form read back into a state with what the author must fix.

use content::publish::{Publication, Status};
use content::{ContentKind, Notice};
use store::{ContentFilter, ContentItem, ContentState, EventFields};

use crate::forms::{self, Errors, Field, FieldSet, FormData, Kind};
use crate::{AppState, WebError};

use content::DIVISIONS;

const MAX_TITLE: usize = 120;
const MAX_SUMMARY: usize = 300;
const MAX_TAGS: usize = 10;
const MAX_TAG: usize = 30;

/// The form's fields, filled from `s` (and `raw` where the author typed
/// something that did not parse).
pub async fn fields(
    state: &AppState,
    kind: ContentKind,
    s: &ContentState,
    item: Option<&ContentItem>,
    raw: Option<&FormData>,
) -> Result<Vec<FieldSet>, WebError> {
    let text = |name: &'static str, value: String| raw.map_or(value, |f| f.get(name).to_owned());
    let time = |name: &'static str, ms: Option<i64>| {
        text(
            name,
            ms.map(domain::time::jst_input_value).unwrap_or_default(),
        )
    };
    let mut main = vec![
        Field::new("title", "タイトル", Kind::Text)
            .required()
            .value(text("title", s.title.clone())),
        Field::new("slug", "スラッグ（アドレスの末尾）", Kind::Text)
            .required()
            .hint(match kind {
                ContentKind::Page => "半角の英小文字・数字・ハイフン。親ページのアドレスの後に付きます（例: fair → /project/fair）。",
                ContentKind::Post => "半角の英小文字・数字・ハイフン。/news/ の後に付きます（例: fair-2026 → /news/fair-2026）。",
            })
            .value(text("slug", s.slug.clone())),
    ];
    match kind {
        ContentKind::Page => {
            let own = item.map(|i| i.path.clone());
            let pages = state
                .store
                .content_list(&ContentFilter {
                    kind: Some(ContentKind::Page),
                    limit: 1000,
                    ..ContentFilter::default()
                })
                .await?;
            let options = pages
                .into_iter()
                .filter(|p| {
                    own.as_ref()
                        .is_none_or(|o| p.path != *o && !p.path.starts_with(&format!("{o}/")))
                })
                .map(|p| (p.id.to_string(), format!("{}（{}）", p.state.title, p.path)))
                .collect();
            main.push(
                Field::new("parent_id", "親ページ", Kind::Select(options))
                    .hint("選ばないと最上位のページになります。")
                    .value(text(
                        "parent_id",
                        s.parent_id.map(|p| p.to_string()).unwrap_or_default(),
                    )),
            );
            main.push(
                Field::new("sort_order", "並び順", Kind::Number)
                    .hint("同じ親の下で小さい順に並びます。")
                    .value(text("sort_order", s.sort_order.to_string())),
            );
            let categories = state
                .store
                .content_categories()
                .await?
                .into_iter()
                .map(|(c, n, _)| (c, n))
                .collect();
            main.push(
                Field::new("category", "事業のお知らせを載せる", Kind::Select(categories))
                    .hint("選ぶと、このページの下にそのカテゴリーの新しいお知らせを表示します（事業の案内ページ）。")
                    .value(text("category", s.category.clone().unwrap_or_default())),
            );
            main.push(
                Field::new("help_key", "ヘルプキー", Kind::Text)
                    .hint(
                        "画面から help:キー で参照されるヘルプページのとき、そのキー（例: bid）。",
                    )
                    .value(text("help_key", s.help_key.clone().unwrap_or_default())),
            );
        }
        ContentKind::Post => {
            let categories = state
                .store
                .content_categories()
                .await?
                .into_iter()
                .map(|(c, n, _)| (c, n))
                .collect();
            main.push(
                Field::new("category", "カテゴリー", Kind::Select(categories))
                    .required()
                    .value(text("category", s.category.clone().unwrap_or_default())),
            );
            main.push(
                Field::new("tags", "タグ", Kind::Text)
                    .hint("読点（、）またはカンマで区切って10個まで。")
                    .value(text("tags", s.tags.join("、"))),
            );
        }
    }
    main.push(
        Field::new("summary", "概要（検索結果や一覧に表示）", Kind::TextArea)
            .hint("空欄なら本文の書き出しを使います。")
            .value(text("summary", s.summary.clone().unwrap_or_default())),
    );
    main.push(
        Field::new("body", "本文（Markdown）", Kind::TextArea)
            .hint("見出しは #、箇条書きは -、リンクは [文字](URL)、表は | で書きます。HTML のタグは文字としてそのまま表示されます。")
            .value(text("body", s.body.clone())),
    );
    let mut sets = vec![FieldSet::new(None, main)];
    if kind == ContentKind::Post {
        let e = s.event.as_ref();
        sets.push(FieldSet::new(
            Some("イベント（催しの告知のとき）"),
            vec![
                Field::new("event_starts_at", "開始日時", Kind::DateTime)
                    .value(time("event_starts_at", e.map(|e| e.starts_at))),
                Field::new("event_ends_at", "終了日時", Kind::DateTime)
                    .value(time("event_ends_at", e.and_then(|e| e.ends_at))),
                Field::new("venue", "会場", Kind::Text).value(text(
                    "venue",
                    e.and_then(|e| e.venue.clone()).unwrap_or_default(),
                )),
                Field::new("apply_until", "申込締切", Kind::DateTime)
                    .value(time("apply_until", e.and_then(|e| e.apply_until))),
                Field::new(
                    "division",
                    "コンペティションの部門",
                    Kind::Select(
                        DIVISIONS
                            .iter()
                            .map(|(c, l)| ((*c).into(), (*l).into()))
                            .collect(),
                    ),
                )
                .value(text("division", s.division.clone().unwrap_or_default())),
            ],
        ));
    }
    let statuses = Status::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), s.label().to_owned()))
        .collect();
    // A scheduled item whose time has come is shown as published: it is,
    // and saving it as scheduled for a time gone by would be refused.
    let status = match Status::from_code(&s.status) {
        Ok(Status::Scheduled) if s.published_at.is_some_and(|at| at <= crate::auth::now_ms()) => {
            Status::Published.as_str().to_owned()
        }
        _ => s.status.clone(),
    };
    let scheduled_at = (status == Status::Scheduled.as_str())
        .then_some(s.published_at)
        .flatten();
    sets.push(FieldSet::new(
        Some("公開"),
        vec![
            Field::new("status", "公開状態", Kind::Radios(statuses))
                .required()
                .value(text("status", status)),
            Field::new("publish_at", "予約する日時", Kind::DateTime)
                .hint("「予約」のとき、この日時から公開されます（日本時間）。")
                .value(time("publish_at", scheduled_at)),
        ],
    ));
    Ok(sets)
}

/// The form read into a state, with what the author must fix.
pub fn read(
    form: &FormData,
    kind: ContentKind,
    before: Option<&ContentItem>,
    media: &dyn content::Media,
    now: i64,
) -> (ContentState, Errors, Vec<Notice>) {
    let mut errors = Errors::default();
    let title = forms::required_text(&mut errors, form, "title", "タイトル", MAX_TITLE);
    let slug = match content::Slug::parse(form.get("slug")) {
        Ok(s) => s.to_string(),
        Err(e) => {
            errors.add("slug", e.to_string());
            form.get("slug").trim().to_owned()
        }
    };
    let body = form.get("body").replace("\r\n", "\n");
    let mut notices = Vec::new();
    match content::render(&body, media) {
        Ok(r) => {
            if let Some(n) = r.notices.iter().find(|n| n.blocks_saving()) {
                errors.add("body", n.message());
            }
            notices = r.notices;
        }
        Err(e) => errors.add("body", e.to_string()),
    }
    let summary = forms::optional_text(&mut errors, form, "summary", "概要", MAX_SUMMARY);
    let mut state = ContentState {
        kind: kind.as_str().into(),
        parent_id: None,
        slug,
        sort_order: 0,
        title,
        body,
        summary: (!summary.is_empty()).then_some(summary),
        category: None,
        tags: Vec::new(),
        status: Status::Draft.as_str().into(),
        published_at: None,
        event: None,
        division: None,
        help_key: None,
    };
    match kind {
        ContentKind::Page => {
            state.parent_id = form.get("parent_id").trim().parse().ok();
            let category = form.get("category").trim();
            state.category = (!category.is_empty()).then(|| category.to_owned());
            state.sort_order =
                forms::optional_number(&mut errors, form, "sort_order", "並び順", 1_000_000)
                    .unwrap_or(0);
            let key = domain::text::normalize(form.get("help_key"))
                .trim()
                .trim_start_matches("help:")
                .to_lowercase();
            if !key.is_empty() {
                match content::Slug::parse(&key) {
                    Ok(k) => state.help_key = Some(k.to_string()),
                    Err(_) => errors.add(
                        "help_key",
                        "ヘルプキーは半角の英小文字・数字・ハイフンで入力してください。",
                    ),
                }
            }
        }
        ContentKind::Post => {
            let category = form.get("category").trim();
            if category.is_empty() {
                errors.add("category", "カテゴリーを選んでください。");
            }
            state.category = Some(category.to_owned());
            let tags: Vec<String> = domain::text::normalize(form.get("tags"))
                .split([',', '、', '，', '\n'])
                .map(domain::text::tidy)
                .filter(|t| !t.is_empty())
                .fold(Vec::new(), |mut acc, t| {
                    if !acc.contains(&t) {
                        acc.push(t);
                    }
                    acc
                });
            if tags.len() > MAX_TAGS || tags.iter().any(|t| t.chars().count() > MAX_TAG) {
                errors.add(
                    "tags",
                    format!("タグは{MAX_TAG}文字以内で、{MAX_TAGS}個までにしてください。"),
                );
            }
            state.tags = tags;
            let starts =
                forms::optional_datetime(&mut errors, form, "event_starts_at", "開始日時", 10);
            let ends = forms::optional_datetime(&mut errors, form, "event_ends_at", "終了日時", 17);
            let venue = forms::optional_text(&mut errors, form, "venue", "会場", 200);
            let apply = forms::optional_datetime(&mut errors, form, "apply_until", "申込締切", 17);
            match starts {
                Some(starts_at) => {
                    if ends.is_some_and(|e| e < starts_at) {
                        errors.add("event_ends_at", "終了日時は開始日時より後にしてください。");
                    }
                    state.event = Some(EventFields {
                        starts_at,
                        ends_at: ends,
                        venue: (!venue.is_empty()).then_some(venue),
                        apply_until: apply,
                    });
                }
                None if ends.is_some() || !venue.is_empty() || apply.is_some() => {
                    errors.add("event_starts_at", "イベントの開始日時を入力してください。");
                }
                None => {}
            }
            let division = form.get("division").trim();
            if !division.is_empty() {
                if content::division_label(division).is_none() {
                    errors.add("division", "部門を選び直してください。");
                }
                state.division = Some(division.to_owned());
            }
        }
    }
    let wanted = Status::from_code(form.get("status")).unwrap_or(Status::Draft);
    let at = forms::optional_datetime(&mut errors, form, "publish_at", "予約する日時", 9);
    match content::publish::decide(wanted, at, before.map(|b| b.publication), now) {
        Ok(Publication { status, at }) => {
            state.status = status.as_str().into();
            state.published_at = at;
        }
        Err(e) => {
            errors.add("publish_at", e.to_string());
            state.status = wanted.as_str().into();
            state.published_at = at;
        }
    }
    (state, errors, notices)
}
