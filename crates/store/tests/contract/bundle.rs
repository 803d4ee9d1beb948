//! Content bundles: export from staging, plan and apply on production in
//! one transaction, rollback, and the refusal of bundles that are not whole
//! or not ours — on both engines, with every other table left byte for
//! byte as it was.

use content::bundle::{BundleError, BundleKey, BundleWriter, Header};
use store::{
    Action, Actor, BUNDLE_SCHEMA, Block, ContentSave, ContentState, MenuEntry, NewMedia, Store,
    StoreError,
};

const NOW: i64 = 1_800_000_000_000;
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x08\x08\x02\0\0\0";

fn key() -> BundleKey {
    BundleKey::from_bytes(&[42; 32])
}

fn editor() -> Actor {
    Actor::cli("test")
}

fn state(kind: &str, slug: &str, parent: Option<i64>) -> ContentState {
    ContentState {
        kind: kind.into(),
        parent_id: parent,
        slug: slug.into(),
        sort_order: 0,
        title: format!("{slug} のページ"),
        body: "本文です。".into(),
        summary: None,
        category: (kind == "post").then(|| "news".into()),
        tags: Vec::new(),
        status: "published".into(),
        published_at: Some(NOW),
        event: None,
        division: None,
        help_key: None,
    }
}

async fn save(store: &Store, id: Option<i64>, s: &ContentState) -> store::ContentItem {
    let revision = match id {
        Some(id) => Some(
            store
                .content_item(id)
                .await
                .expect("read")
                .expect("saved")
                .revision,
        ),
        None => None,
    };
    store
        .save_content(&ContentSave {
            id,
            revision,
            state: s,
            actor: &editor(),
            now: NOW,
        })
        .await
        .expect("store")
}

async fn export(store: &Store, k: &BundleKey) -> Vec<u8> {
    let mut out = Vec::new();
    store
        .export_content(&mut out, k, "https://staging.example.jp", NOW)
        .await
        .expect("store");
    out
}

async fn plan(store: &Store, bytes: &[u8]) -> store::Result<store::BundlePlan> {
    store.plan_bundle(|| Ok(bytes), &key()).await
}

async fn apply(store: &Store, bytes: &[u8]) -> store::Result<store::BundlePlan> {
    store
        .apply_bundle(|| Ok(bytes), &key(), &editor(), NOW, "import")
        .await
}

/// Every table but the content's and the audit log's (which an import
/// writes to by design), and the site's change sequence.
async fn others(store: &Store) -> Vec<(String, String)> {
    store
        .table_checksums()
        .await
        .expect("store")
        .into_iter()
        .filter(|(t, _)| {
            !t.starts_with("content_") && !t.starts_with("audit") && t != "site_changes"
        })
        .collect()
}

fn counts(p: &store::BundlePlan, label: &str) -> (usize, usize, usize, usize) {
    let s = p.sections.iter().find(|s| s.label == label).expect("store");
    (
        s.count(Action::Added),
        s.count(Action::Changed),
        s.count(Action::Removed),
        s.unchanged,
    )
}

/// A staging site: a page tree, a help page, two posts and an image.
async fn staging_site(store: &Store) -> (i64, i64) {
    let project = save(store, None, &state("page", "project", None)).await;
    let fair = save(store, None, &state("page", "fair", Some(project.id))).await;
    let mut help = state("page", "bid-help", None);
    help.help_key = Some("bid".into());
    save(store, None, &help).await;
    save(store, None, &state("post", "opening", None)).await;
    let mut draft = state("post", "draft-news", None);
    draft.status = "draft".into();
    draft.published_at = None;
    let draft = save(store, None, &draft).await;
    store
        .add_media(
            &NewMedia {
                sha256: &sha(PNG),
                name: "logo.png",
                content_type: "image/png",
                size: Some((16, 8)),
                alt: "ロゴ",
                content: PNG,
            },
            &editor(),
            NOW,
        )
        .await
        .expect("store");
    store
        .save_menu(
            "header",
            &[
                MenuEntry {
                    label: "フェア".into(),
                    item_id: Some(fair.id),
                    url: None,
                },
                MenuEntry {
                    label: "案件を探す".into(),
                    item_id: None,
                    url: Some("/cases".into()),
                },
            ],
            &editor(),
            NOW,
        )
        .await
        .expect("menu");
    store
        .save_blocks(
            "navi",
            &[Block {
                kind: "news".into(),
                title: "お知らせ".into(),
                body: String::new(),
                category: Some("news".into()),
                count: 5,
            }],
            &editor(),
            NOW,
        )
        .await
        .expect("blocks");
    (fair.id, draft.id)
}

fn sha(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

on_both_engines!(
    a_bundle_goes_from_staging_to_production_keeping_ids_and_rolls_back,
    |store| {
        let production_db = testkit::TestDb::new(store_backend(&store)).await;
        let production = production_db.store().clone();
        let (fair_id, draft_id) = staging_site(&store).await;
        // Production has a page of its own that staging never had.
        save(&production, None, &state("page", "legacy", None)).await;

        let first = export(&store, &key()).await;
        let p = plan(&production, &first).await.unwrap();
        assert_eq!(counts(&p, "固定ページ"), (3, 0, 1, 0));
        assert_eq!(counts(&p, "投稿"), (2, 0, 0, 0));
        assert_eq!(counts(&p, "メディア"), (1, 0, 0, 0));
        // A plan writes nothing.
        assert!(production.content_at("/project").await.unwrap().is_none());

        let untouched = others(&production).await;
        apply(&production, &first).await.unwrap();
        assert_eq!(others(&production).await, untouched);
        let fair = production
            .content_at("/project/fair")
            .await
            .unwrap()
            .unwrap();
        let project = production.content_at("/project").await.unwrap().unwrap();
        assert_eq!(fair.state.parent_id, Some(project.id));
        assert!(production.content_at("/legacy").await.unwrap().is_none());
        let draft = production
            .content_at("/news/draft-news")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(draft.state.status, "draft", "draft stays a draft");
        assert_eq!(
            production
                .content_by_help_key("bid")
                .await
                .unwrap()
                .unwrap()
                .path,
            "/bid-help"
        );
        assert_eq!(production.media_list().await.unwrap().len(), 1);
        // The menu links production's own page, by production's id.
        let header = production.menu_links("header").await.unwrap();
        assert_eq!(header.len(), 2);
        assert_eq!(header[0].entry.item_id, Some(fair.id));
        assert_eq!(header[0].href, "/project/fair");
        assert_eq!(header[1].href, "/cases");
        assert_eq!(production.blocks("navi").await.unwrap().len(), 1);
        assert_eq!(counts(&p, "メニュー"), (0, 1, 0, 1));

        // The same bundle again changes nothing at all.
        let before = production.table_checksums().await.unwrap();
        let again = apply(&production, &first).await.unwrap();
        assert!(again.is_empty(), "{}", again.summary());
        assert_eq!(production.table_checksums().await.unwrap(), before);

        // Staging edits: the fair renamed and moved to the top, a post
        // removed, a new one added.
        let mut renamed = state("page", "fair-2027", None);
        renamed.title = "ビジネスフロンティア・フェア2027".into();
        save(&store, Some(fair_id), &renamed).await;
        assert!(
            store
                .delete_content(draft_id, &editor(), NOW)
                .await
                .unwrap()
        );
        save(&store, None, &state("post", "winners", None)).await;
        let second = export(&store, &key()).await;

        let rollback = export(&production, &key()).await;
        let p = plan(&production, &second).await.unwrap();
        assert_eq!(counts(&p, "固定ページ"), (0, 1, 0, 2));
        assert_eq!(counts(&p, "投稿"), (1, 0, 1, 1));
        let change = &p.sections[0].changes[0];
        assert_eq!(change.name, "/fair-2027");
        let fields: Vec<&str> = change.fields.iter().map(|f| f.field).collect();
        assert!(fields.contains(&"タイトル"), "{fields:?}");
        assert!(fields.contains(&"アドレス"), "{fields:?}");
        assert!(fields.contains(&"親ページ"), "{fields:?}");

        let untouched = others(&production).await;
        apply(&production, &second).await.unwrap();
        assert_eq!(others(&production).await, untouched);
        let moved = production.content_at("/fair-2027").await.unwrap().unwrap();
        assert_eq!(moved.id, fair.id, "the production id stays");
        assert_eq!(
            production.menu_links("header").await.unwrap()[0].href,
            "/fair-2027",
            "the menu follows the page"
        );
        assert_eq!(moved.state.parent_id, None);
        assert!(
            production
                .content_at("/news/draft-news")
                .await
                .unwrap()
                .is_none()
        );
        let revisions = production.content_revisions(moved.id).await.unwrap();
        assert_eq!(revisions.len(), 2, "the import is a revision");

        // Rollback returns to the content before the import.
        apply(&production, &rollback).await.unwrap();
        let back = production
            .content_at("/project/fair")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back.id, fair.id);
        assert!(production.content_at("/fair-2027").await.unwrap().is_none());
        assert!(
            production
                .content_at("/news/draft-news")
                .await
                .unwrap()
                .is_some()
        );
        assert!(plan(&production, &rollback).await.unwrap().is_empty());
        drop(production_db);
    }
);

/// Whether a refusal is the one expected.
type Expected = fn(&BundleError) -> bool;

fn store_backend(store: &Store) -> testkit::Backend {
    match store.engine() {
        store::Engine::Sqlite => testkit::Backend::Sqlite,
        store::Engine::Postgres => testkit::Backend::Postgres,
    }
}

on_both_engines!(
    tampered_truncated_foreign_and_newer_bundles_are_refused_and_change_nothing,
    |store| {
        let production_db = testkit::TestDb::new(store_backend(&store)).await;
        let production = production_db.store().clone();
        staging_site(&store).await;
        save(&production, None, &state("page", "legacy", None)).await;
        let good = export(&store, &key()).await;
        let before = production.table_checksums().await.unwrap();

        let mut tampered = good.clone();
        let at = tampered
            .windows(6)
            .position(|w| w == "本文".as_bytes())
            .unwrap();
        tampered[at + 3] ^= 1;
        let truncated = &good[..good.len() / 2];
        let foreign = export(&store, &BundleKey::from_bytes(&[7; 32])).await;
        let newer = {
            let w = BundleWriter::new(
                Vec::new(),
                &key(),
                &Header {
                    schema: BUNDLE_SCHEMA + 1,
                    key_id: String::new(),
                    made_at: NOW,
                    source: "https://staging.example.jp".into(),
                },
            )
            .unwrap();
            w.finish().unwrap()
        };
        let cases: [(&[u8], Expected); 5] = [
            (&tampered, |e| matches!(e, BundleError::Tampered)),
            (truncated, |e| matches!(e, BundleError::Truncated)),
            (&foreign, |e| matches!(e, BundleError::WrongKey { .. })),
            (&newer, |e| matches!(e, BundleError::NewerSchema { .. })),
            (b"PK\x03\x04 not a bundle", |e| {
                matches!(e, BundleError::NotABundle)
            }),
        ];
        for (bytes, expected) in cases {
            for result in [
                plan(&production, bytes).await,
                apply(&production, bytes).await,
            ] {
                match result {
                    Err(StoreError::Bundle(e)) => {
                        assert!(expected(&e), "{e:?}");
                        assert!(!e.to_string().is_ascii(), "said in Japanese: {e}");
                    }
                    other => panic!("{other:?}"),
                }
            }
        }
        assert_eq!(production.table_checksums().await.unwrap(), before);
        assert!(production.content_at("/legacy").await.unwrap().is_some());
        drop(production_db);
    }
);

on_both_engines!(a_bundle_applies_while_other_writers_commit, |store| {
    let production_db = testkit::TestDb::new(store_backend(&store)).await;
    let production = production_db.store().clone();
    staging_site(&store).await;
    let first = export(&store, &key()).await;
    let empty_db = testkit::TestDb::new(store_backend(&store)).await;
    let empty = export(empty_db.store(), &key()).await;
    // Another writer commits all the while (cases, as an import does).
    let writer = production.clone();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stopped = stop.clone();
    let busy = tokio::spawn(async move {
        let mut n = 0u32;
        while !stopped.load(std::sync::atomic::Ordering::Relaxed) {
            n += 1;
            writer
                .upsert_cases(&[testkit::fixtures::case(n)], i64::from(n))
                .await
                .unwrap();
        }
    });
    for round in 0..6 {
        // Alternate between the staging content and none at all, so that
        // every round writes.
        let bytes = if round % 2 == 0 { &first } else { &empty };
        apply(&production, bytes).await.unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    busy.await.unwrap();
});

on_both_engines!(content_is_saved_while_other_writers_commit, |store| {
    let writer = store.clone();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stopped = stop.clone();
    let busy = tokio::spawn(async move {
        let mut n = 0u32;
        while !stopped.load(std::sync::atomic::Ordering::Relaxed) {
            n += 1;
            writer
                .upsert_cases(&[testkit::fixtures::case(n)], i64::from(n))
                .await
                .unwrap();
        }
    });
    let first = save(&store, None, &state("page", "busy", None)).await;
    for round in 0..20 {
        let mut s = first.state.clone();
        s.title = format!("第{round}版");
        save(&store, Some(first.id), &s).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    busy.await.unwrap();
});
