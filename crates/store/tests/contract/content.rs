//! Site content: addresses from the page tree, publication by the clock,
//! optimistic saves, revisions and their thinning.

use content::ContentKind;
use store::{
    Actor, ContentFilter, ContentItem, ContentSave, ContentState, EventFields, Store, StoreError,
};

const MINUTE: i64 = 60_000;
const NOW: i64 = 1_800_000_000_000;

fn editor() -> Actor {
    Actor {
        user_id: None,
        label: "運営者 テスト".into(),
        ip: Some("192.0.2.20".into()),
    }
}

fn page(slug: &str, parent: Option<i64>) -> ContentState {
    ContentState {
        kind: "page".into(),
        parent_id: parent,
        slug: slug.into(),
        sort_order: 0,
        title: format!("{slug} のページ"),
        body: "本文です。".into(),
        summary: None,
        category: None,
        tags: Vec::new(),
        status: "published".into(),
        published_at: Some(NOW),
        event: None,
        division: None,
        help_key: None,
    }
}

fn post(slug: &str, category: &str, status: &str, at: Option<i64>) -> ContentState {
    ContentState {
        kind: "post".into(),
        category: Some(category.into()),
        status: status.into(),
        published_at: at,
        tags: vec!["商談会".into(), "東京".into()],
        ..page(slug, None)
    }
}

async fn save(
    store: &Store,
    id: Option<i64>,
    revision: Option<i64>,
    state: &ContentState,
) -> store::Result<ContentItem> {
    store
        .save_content(&ContentSave {
            id,
            revision,
            state,
            actor: &editor(),
            now: NOW,
        })
        .await
}

on_both_engines!(
    a_page_takes_its_address_from_the_tree_and_moves_with_its_descendants,
    |store| {
        let project = save(&store, None, None, &page("project", None))
            .await
            .unwrap();
        let fair = save(&store, None, None, &page("fair", Some(project.id)))
            .await
            .unwrap();
        let year = save(&store, None, None, &page("2026", Some(fair.id)))
            .await
            .unwrap();
        assert_eq!(year.path, "/project/fair/2026");
        assert_eq!(
            store
                .content_at("/project/fair/2026")
                .await
                .unwrap()
                .map(|i| i.id),
            Some(year.id)
        );

        // Renaming the middle page moves the page below it.
        let mut renamed = fair.state.clone();
        renamed.slug = "ＦＡＩＲＳ".into();
        renamed.slug = content::Slug::parse(&renamed.slug).unwrap().to_string();
        let fair2 = save(&store, Some(fair.id), Some(fair.revision), &renamed)
            .await
            .unwrap();
        assert_eq!(fair2.path, "/project/fairs");
        assert_eq!(fair2.revision, fair.revision + 1);
        let year2 = store.content_item(year.id).await.unwrap().unwrap();
        assert_eq!(year2.path, "/project/fairs/2026");
        assert!(
            store
                .content_at("/project/fair/2026")
                .await
                .unwrap()
                .is_none()
        );

        let children = store.content_children(Some(project.id)).await.unwrap();
        assert_eq!(children.iter().map(|c| c.id).collect::<Vec<_>>(), [fair.id]);
    }
);

on_both_engines!(
    cycles_duplicate_addresses_and_reserved_slugs_are_refused,
    |store| {
        let a = save(&store, None, None, &page("a", None)).await.unwrap();
        let b = save(&store, None, None, &page("b", Some(a.id)))
            .await
            .unwrap();
        // a below b (its own child) and a below itself.
        for parent in [b.id, a.id] {
            let mut s = a.state.clone();
            s.parent_id = Some(parent);
            assert!(
                matches!(
                    save(&store, Some(a.id), Some(a.revision), &s).await,
                    Err(StoreError::Invalid(_))
                ),
                "parent {parent}"
            );
        }
        assert!(matches!(
            save(&store, None, None, &page("a", None)).await,
            Err(StoreError::Conflict { field: "path" })
        ));
        assert!(matches!(
            save(&store, None, None, &page("admin", None)).await,
            Err(StoreError::Invalid(_))
        ));
        // A post cannot be a parent.
        let p = save(
            &store,
            None,
            None,
            &post("fair-2026", "fair", "published", Some(NOW)),
        )
        .await
        .unwrap();
        assert_eq!(p.path, "/news/fair-2026");
        assert!(matches!(
            save(&store, None, None, &page("c", Some(p.id))).await,
            Err(StoreError::Invalid(_))
        ));
        // Nothing of the refused saves was written.
        let all = store.content_list(&ContentFilter::default()).await.unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(store.content_item(a.id).await.unwrap().unwrap().revision, 1);
    }
);

on_both_engines!(
    a_save_from_an_older_revision_is_refused_and_changes_nothing,
    |store| {
        let a = save(&store, None, None, &page("guide", None))
            .await
            .unwrap();
        let mut first = a.state.clone();
        first.title = "一人目の変更".into();
        save(&store, Some(a.id), Some(a.revision), &first)
            .await
            .unwrap();
        let mut second = a.state.clone();
        second.title = "二人目の変更".into();
        assert!(matches!(
            save(&store, Some(a.id), Some(a.revision), &second).await,
            Err(StoreError::Stale)
        ));
        let now = store.content_item(a.id).await.unwrap().unwrap();
        assert_eq!(now.state.title, "一人目の変更");
        assert_eq!(store.content_revisions(a.id).await.unwrap().len(), 2);
    }
);

on_both_engines!(
    a_scheduled_post_is_listed_from_its_time_on_without_anything_running,
    |store| {
        let due = NOW + MINUTE;
        save(
            &store,
            None,
            None,
            &post("now", "news", "published", Some(NOW - MINUTE)),
        )
        .await
        .unwrap();
        let later = save(
            &store,
            None,
            None,
            &post("later", "news", "scheduled", Some(due)),
        )
        .await
        .unwrap();
        save(&store, None, None, &post("draft", "news", "draft", None))
            .await
            .unwrap();
        save(
            &store,
            None,
            None,
            &post("fair", "fair", "published", Some(NOW)),
        )
        .await
        .unwrap();
        let public = |at: i64| {
            let store = store.clone();
            async move {
                store
                    .content_list(&ContentFilter {
                        kind: Some(ContentKind::Post),
                        category: Some("news"),
                        public_at: Some(at),
                        ..ContentFilter::default()
                    })
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|i| i.state.slug)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(public(NOW).await, ["now"]);
        assert_eq!(store.next_scheduled_content(NOW).await.unwrap(), Some(due));
        assert_eq!(public(due).await, ["later", "now"]);
        assert!(later.is_public(due) && !later.is_public(due - 1));
        assert_eq!(store.next_scheduled_content(due).await.unwrap(), None);
    }
);

on_both_engines!(
    every_save_is_a_revision_that_reads_back_whole_and_old_ones_are_thinned,
    |store| {
        let mut state = post("event", "fair", "draft", None);
        state.event = Some(EventFields {
            starts_at: NOW + 30 * 86_400_000,
            ends_at: Some(NOW + 32 * 86_400_000),
            venue: Some("東京ビッグサイト 東1ホール".into()),
            apply_until: Some(NOW + 20 * 86_400_000),
        });
        state.division = Some("service".into());
        let item = save(&store, None, None, &state).await.unwrap();
        assert_eq!(item.state, state);
        let mut revision = item.revision;
        // Sixty saves ten days apart, the first alone in its month: the 50
        // newest are kept, and before them one per month.
        for n in 1..=60 {
            let mut s = state.clone();
            s.body = format!("第{n}版");
            let saved = store
                .save_content(&ContentSave {
                    id: Some(item.id),
                    revision: Some(revision),
                    state: &s,
                    actor: &editor(),
                    now: NOW + (n + 3) * 10 * 86_400_000,
                })
                .await
                .unwrap();
            revision = saved.revision;
        }
        let revisions = store.content_revisions(item.id).await.unwrap();
        assert_eq!(revisions[0].number, 61);
        assert!(
            revisions.len() >= 50 && revisions.len() < 61,
            "{}",
            revisions.len()
        );
        let first = store
            .content_revision(item.id, 1)
            .await
            .unwrap()
            .expect("the oldest month keeps one");
        assert_eq!(first, state);
        assert_eq!(
            store
                .content_revision(item.id, 61)
                .await
                .unwrap()
                .map(|s| s.body),
            Some("第60版".to_owned())
        );
    }
);

on_both_engines!(
    saving_and_deleting_content_moves_the_site_sequence,
    |store| {
        let v0 = store.site_version().await.unwrap();
        let a = save(&store, None, None, &page("about", None))
            .await
            .unwrap();
        let v1 = store.site_version().await.unwrap();
        assert!(v1 > v0);
        assert!(store.delete_content(a.id, &editor(), NOW).await.unwrap());
        assert!(store.site_version().await.unwrap() > v1);
        assert!(store.content_item(a.id).await.unwrap().is_none());
    }
);

on_both_engines!(a_page_with_pages_below_it_cannot_be_deleted, |store| {
    let a = save(&store, None, None, &page("parent", None))
        .await
        .unwrap();
    save(&store, None, None, &page("child", Some(a.id)))
        .await
        .unwrap();
    assert!(matches!(
        store.delete_content(a.id, &editor(), NOW).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(store.content_item(a.id).await.unwrap().is_some());
});

on_both_engines!(
    any_unicode_text_reads_back_the_same_from_a_content_item,
    |store| {
        use proptest::strategy::{Strategy, ValueTree};
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let text = "\\PC{1,200}";
        for n in 0..20 {
            let mut s = post(&format!("text-{n}"), "news", "published", Some(NOW));
            s.title = text.new_tree(&mut runner).expect("text").current();
            s.body = text.new_tree(&mut runner).expect("text").current();
            s.summary = Some(text.new_tree(&mut runner).expect("text").current());
            let saved = save(&store, None, None, &s).await.unwrap();
            let read = store.content_item(saved.id).await.unwrap().unwrap();
            assert_eq!(read.state, s);
            assert_eq!(store.content_revision(saved.id, 1).await.unwrap(), Some(s));
        }
    }
);

fn png_media<'a>(sha: &'a str, bytes: &'a [u8]) -> store::NewMedia<'a> {
    store::NewMedia {
        sha256: sha,
        name: "会場の様子.png",
        content_type: "image/png",
        size: Some((640, 480)),
        alt: "展示会場の様子",
        content: bytes,
    }
}

on_both_engines!(
    a_media_file_is_kept_once_and_cannot_be_deleted_while_shown,
    |store| {
        let sha = "ab".repeat(32);
        let bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        let (m, added) = store
            .add_media(&png_media(&sha, &bytes), &editor(), NOW)
            .await
            .unwrap();
        assert!(added);
        assert_eq!(m.url(), format!("/media/{sha}.png"));
        assert_eq!(
            (m.width, m.height, m.bytes),
            (Some(640), Some(480), bytes.len() as i64)
        );
        let (again, added) = store
            .add_media(&png_media(&sha, &bytes), &editor(), NOW)
            .await
            .unwrap();
        assert!(!added && again.id == m.id, "the same bytes are one file");
        assert_eq!(
            store.media_content(&sha).await.unwrap(),
            Some(("image/png".to_owned(), bytes.clone()))
        );

        let mut p = post("with-photo", "fair", "published", Some(NOW));
        p.body = format!("会場です。\n\n![]({})", m.url());
        let shown = save(&store, None, None, &p).await.unwrap();
        assert_eq!(
            store.media_used_by(&sha).await.unwrap(),
            [(shown.id, p.title.clone(), "/news/with-photo".to_owned())]
        );
        assert!(matches!(
            store.delete_media(m.id, &editor(), NOW).await,
            Err(StoreError::Invalid(_))
        ));
        assert!(store.media(m.id).await.unwrap().is_some());

        assert!(
            store
                .set_media_alt(m.id, "東1ホールの会場", &editor(), NOW)
                .await
                .unwrap()
        );
        assert_eq!(
            store.media(m.id).await.unwrap().unwrap().alt,
            "東1ホールの会場"
        );
        store
            .delete_content(shown.id, &editor(), NOW)
            .await
            .unwrap();
        assert!(store.delete_media(m.id, &editor(), NOW).await.unwrap());
        assert!(store.media_content(&sha).await.unwrap().is_none());
        assert!(
            store
                .add_media(&png_media("not-a-hash", &bytes), &editor(), NOW)
                .await
                .is_err()
        );
    }
);
