//! The demo's site content: the project's pages, a programme page for each
//! of its four parts, the guides the screens link to, and posts — a fair
//! with its dates and venue, a competition with both divisions and its
//! winners, market-support news, notices, and one post scheduled ahead —
//! so that `serve --demo` looks like a working public site.

use anyhow::Result;
use store::{Actor, Block, ContentSave, ContentState, EventFields, MenuEntry, Store};

const DAY: i64 = 86_400_000;

/// `days` from `now`, at `hour`:00 in Japan.
fn at(now: i64, days: i64, hour: u32) -> i64 {
    let (y, m, d, ..) = domain::time::jst_parts(now + days * DAY);
    domain::time::jst_to_ms(y, m, d, hour, 0)
}

fn item(kind: &str, slug: &str, title: &str, body: &str) -> ContentState {
    ContentState {
        kind: kind.into(),
        parent_id: None,
        slug: slug.into(),
        sort_order: 0,
        title: title.into(),
        body: body.into(),
        summary: None,
        category: None,
        tags: Vec::new(),
        status: "published".into(),
        published_at: None,
        event: None,
        division: None,
        help_key: None,
    }
}

async fn save(store: &Store, s: &ContentState, now: i64) -> Result<i64> {
    Ok(store
        .save_content(&ContentSave {
            id: None,
            revision: None,
            state: s,
            actor: &Actor::cli("demo"),
            now,
        })
        .await?
        .id)
}

/// Seeds the content unless the project's page is there already.
pub async fn seed(store: &Store, now: i64) -> Result<()> {
    if store.content_at("/project").await?.is_some() {
        return Ok(());
    }
    let mut top = item(
        "page",
        "project",
        "中小企業世界発信プロジェクト",
        "中小企業世界発信プロジェクトは、都内中小企業の優れた製品・技術・サービスを国内外に発信し、新たな販路の開拓と取引の拡大を支援する取組です。\n\n\
         下の4つの支援から、目的に合うものをお選びください。",
    );
    top.summary =
        Some("都内中小企業の製品・技術・サービスを国内外に発信し、販路の開拓を支援します。".into());
    let project = save(store, &top, now - 90 * DAY).await?;
    let programmes = [
        (
            "fair",
            "ビジネスフロンティア・フェア",
            "中小企業が自社の製品・技術・サービスを展示し、発注企業や商社との商談に臨む展示会です。\n\n\
             ## 出展のご案内\n\n\
             | 項目 | 内容 |\n|---|---|\n| 出展料 | 無料（小間装飾は主催者が用意します） |\n| 出展者数 | 約 300 社 |\n| 商談会 | 事前予約制（会期中に同時開催） |\n\n\
             最新の開催情報は[ビジネスフロンティア・フェアのお知らせ](/news/category/fair)をご覧ください。",
        ),
        (
            "market-support",
            "マーケットサポート",
            "大手企業や商社での経験を持つビジネスナビゲータが、販路開拓の計画づくりから商談の同行まで、個別に支援します。\n\n\
             ## 支援の流れ\n\n\
             1. 相談の申込み（ビジネスチャンス・ナビのお問い合わせから）\n\
             2. ビジネスナビゲータとの面談（製品・技術と目標市場の整理）\n\
             3. 紹介先の選定と商談の同行\n\
             4. 成約までのフォローアップ\n\n\
             相談は無料です。",
        ),
        (
            "competition",
            "世界発信コンペティション",
            "都内中小企業の優れた製品・技術とサービスを表彰し、その発信を支援します。\n\n\
             ## 部門\n\n\
             - **製品・技術（ベンチャー技術）部門** — 新規性・独創性のある製品や技術\n\
             - **サービス部門** — 新しい価値を生むサービス\n\n\
             ## 賞\n\n\
             | 賞 | 副賞 |\n|---|---|\n| 大賞 | 賞金 300 万円 |\n| 優秀賞 | 賞金 100 万円 |\n| 奨励賞 | 賞金 50 万円 |\n\n\
             受賞企業は、展示会への出展やマスメディアへの紹介などで発信を支援します。",
        ),
        (
            "support",
            "その他支援情報",
            "協議会の構成団体（産業支援機関、金融機関、商工団体）が実施する支援策をご案内します。\n\n\
             - 新製品・新技術の開発助成\n\
             - 海外展開の相談窓口\n\
             - 知的財産の相談\n\
             - 事業承継の支援\n\n\
             各団体の募集は[その他支援情報のお知らせ](/news/category/support)に掲載します。",
        ),
    ];
    for (n, (slug, title, body)) in programmes.iter().enumerate() {
        let mut p = item("page", slug, title, body);
        p.parent_id = Some(project);
        p.sort_order = n as i64 + 1;
        // Each programme's page lists its category's news.
        p.category = Some((*slug).into());
        p.summary = body.split("\n\n").next().map(str::to_owned);
        save(store, &p, now - 80 * DAY).await?;
    }
    let mut guide = item(
        "page",
        "guide",
        "ご利用ガイド",
        "ビジネスチャンス・ナビの使い方をご案内します。下のページからお読みください。",
    );
    guide.sort_order = 2;
    let guide = save(store, &guide, now - 80 * DAY).await?;
    let guides = [
        (
            "overview",
            "overview",
            "概要説明",
            "ビジネスチャンス・ナビは、官公庁の入札情報、公的団体の電子調達、民間企業の発注案件と技術ニーズを一か所で探せるサイトです。\n\n\
             利用申請をして承認されると、エントリーや電子入札への参加、おすすめ案件のメール受信ができます。",
        ),
        (
            "operation",
            "operation",
            "操作ヘルプ",
            "## 案件を探す\n\n「案件を探す」でキーワードを入力し、地域や業種で絞り込みます。\n\n\
             ## エントリーする\n\n案件のページの「この案件にエントリーする」から、メッセージと資料を送ります。",
        ),
        (
            "bid",
            "bid",
            "電子入札の操作ヘルプ",
            "## 入札書の提出\n\n1. 案件のページで競争参加資格を申請します。\n2. 資格ありと決定されたら、入札期間中に金額を入力して提出します。\n3. 受付番号が表示されます。控えておいてください。\n\n\
             入札書は開札まで誰にも読めない形で保管されます。",
        ),
        (
            "manual",
            "manual",
            "マニュアル",
            "利用企業向け・発注機関向けの操作マニュアルを掲載します。\n\n- 利用企業向けマニュアル（受注・発注）\n- 発注機関向けマニュアル（電子入札の公告から落札決定まで）",
        ),
        (
            "faq",
            "faq",
            "よくある質問",
            "## 利用料はかかりますか\n\nかかりません。\n\n## 個人事業主でも申請できますか\n\nできます。法人番号の欄は空けたまま申請してください。\n\n## パスワードを忘れました\n\nログイン画面の「パスワードを忘れた方」から再設定できます。",
        ),
    ];
    for (n, (slug, key, title, body)) in guides.iter().enumerate() {
        let mut p = item("page", slug, title, body);
        p.parent_id = Some(guide);
        p.sort_order = n as i64 + 1;
        p.help_key = Some((*key).into());
        save(store, &p, now - 70 * DAY).await?;
    }

    let post = |slug: &str, category: &str, title: &str, body: &str, days_ago: i64| {
        let mut p = item("post", slug, title, body);
        p.category = Some(category.into());
        p.published_at = Some(now - days_ago * DAY);
        p
    };
    let mut fair = post(
        "fair-2027",
        "fair",
        "ビジネスフロンティア・フェア2027 出展者を募集します",
        "都内中小企業の製品・技術・サービスを紹介する展示会「ビジネスフロンティア・フェア2027」の出展者を募集します。\n\n\
         ## 開催概要\n\n- 会期中は商談会を同時開催します（事前予約制）。\n- 出展料は無料です。\n\n\
         出展の申込みは申込締切までにお願いします。",
        3,
    );
    fair.tags = vec!["展示会".into(), "商談会".into(), "出展者募集".into()];
    fair.event = Some(EventFields {
        starts_at: at(now, 75, 10),
        ends_at: Some(at(now, 76, 17)),
        venue: Some("東京ビッグサイト 東1ホール（江東区有明3-11-1）".into()),
        apply_until: Some(at(now, 30, 17)),
    });
    save(store, &fair, now - 3 * DAY).await?;
    let mut meeting = post(
        "fair-2027-business-meeting",
        "fair",
        "フェア会期中の商談会 発注企業の参加受付を開始しました",
        "ビジネスフロンティア・フェア2027の会期中に開催する商談会について、発注企業の参加受付を開始しました。",
        2,
    );
    meeting.tags = vec!["商談会".into()];
    save(store, &meeting, now - 2 * DAY).await?;
    for (slug, division, title, days) in [
        (
            "competition-2026-product-winners",
            "product",
            "世界発信コンペティション2026 製品・技術（ベンチャー技術）部門の受賞企業が決まりました",
            20,
        ),
        (
            "competition-2026-service-winners",
            "service",
            "世界発信コンペティション2026 サービス部門の受賞企業が決まりました",
            20,
        ),
    ] {
        let mut p = post(
            slug,
            "competition",
            title,
            "厳正な審査の結果、次の企業の受賞が決まりました。\n\n| 賞 | 企業 | 受賞の対象 |\n|---|---|---|\n| 大賞 | 株式会社テスト精工1 | 高精度の微細加工技術 |\n| 優秀賞 | 東京テスト工業株式会社 | 省エネルギー型の制御装置 |\n| 奨励賞 | 多摩テストサービス株式会社 | 中小製造業向けの保守サービス |\n\n表彰式は来月、都内で行います。",
            days,
        );
        p.division = Some(division.into());
        p.tags = vec!["表彰".into()];
        save(store, &p, now - days * DAY).await?;
    }
    let mut entry = post(
        "competition-2027-call",
        "competition",
        "世界発信コンペティション2027 応募の受付を開始しました",
        "製品・技術（ベンチャー技術）部門とサービス部門の2部門で、応募を受け付けます。\n\n## スケジュール\n\n| 時期 | 内容 |\n|---|---|\n| 受付開始 | 本日 |\n| 応募締切 | 2か月後 |\n| 書類審査・面接審査 | 締切の翌月 |\n| 表彰式 | 審査の翌月 |",
        1,
    );
    entry.event = Some(EventFields {
        starts_at: at(now, 150, 14),
        ends_at: None,
        venue: Some("都庁第一本庁舎 5階大会議場".into()),
        apply_until: Some(at(now, 60, 17)),
    });
    save(store, &entry, now - DAY).await?;
    for (slug, category, title, body, days) in [
        (
            "market-support-navigators",
            "market-support",
            "ビジネスナビゲータによる販路開拓相談を受け付けています",
            "大手企業や商社での経験を持つビジネスナビゲータが、販路開拓の相談に応じます。相談は無料です。",
            10,
        ),
        (
            "market-support-results",
            "market-support",
            "マーケットサポートの成約事例を紹介します",
            "精密部品メーカーが、ビジネスナビゲータの紹介で医療機器メーカーとの取引を始めた事例を紹介します。",
            25,
        ),
        (
            "site-maintenance",
            "news",
            "システムメンテナンスのお知らせ",
            "システムの保守のため、次の日曜日の午前2時から午前6時まで、サイトを停止します。",
            5,
        ),
        (
            "new-search",
            "news",
            "案件検索に業種の絞り込みを追加しました",
            "案件を探す画面で、日本標準産業分類の業種による絞り込みができるようになりました。",
            15,
        ),
        (
            "tokyo-data",
            "news",
            "都内区市町村の入札情報の掲載を始めました",
            "東京都と都内区市町村が公開する入札情報を、毎日取り込んで掲載しています。",
            40,
        ),
        (
            "support-subsidy",
            "support",
            "新製品・新技術開発助成事業の募集",
            "協議会の構成団体が、新製品・新技術の開発にかかる経費の一部を助成します。",
            7,
        ),
    ] {
        save(
            store,
            &post(slug, category, title, body, days),
            now - days * DAY,
        )
        .await?;
    }
    // One post scheduled ahead: it appears at its time, with nothing run.
    let mut later = post(
        "fair-2027-exhibitors",
        "fair",
        "ビジネスフロンティア・フェア2027 出展者一覧を公開しました",
        "出展が決まった企業の一覧を公開しました。",
        0,
    );
    later.status = "scheduled".into();
    later.published_at = Some(at(now, 7, 10));
    save(store, &later, now).await?;
    layout(store, project, guide, now).await?;
    Ok(())
}

/// The menus and the two top pages' blocks.
async fn layout(store: &Store, project: i64, guide: i64, now: i64) -> Result<()> {
    let actor = Actor::cli("demo");
    let faq = store.content_at("/guide/faq").await?.map(|p| p.id);
    let link = |label: &str, item_id: Option<i64>, url: Option<&str>| MenuEntry {
        label: label.into(),
        item_id,
        url: url.map(str::to_owned),
    };
    store
        .save_menu(
            "header",
            &[
                link("中小企業世界発信プロジェクト", Some(project), None),
                link("ご利用ガイド", Some(guide), None),
            ],
            &actor,
            now,
        )
        .await?;
    store
        .save_menu(
            "footer",
            &[
                link("よくある質問", faq, faq.is_none().then_some("/guide")),
                link("新着案件のフィード（Atom）", None, Some("/cases/feed.atom")),
            ],
            &actor,
            now,
        )
        .await?;
    let block = |kind: &str, title: &str, body: &str, category: Option<&str>, count: i64| Block {
        kind: kind.into(),
        title: title.into(),
        body: body.into(),
        category: category.map(str::to_owned),
        count,
    };
    store
        .save_blocks(
            "navi",
            &[
                block("cases", "新着の募集中案件", "", None, 5),
                block("news", "お知らせ", "", None, 5),
                block("programmes", "中小企業世界発信プロジェクト", "", None, 4),
                block(
                    "links",
                    "はじめての方へ",
                    "- [概要説明](/guide/overview)\n- [操作ヘルプ](/guide/operation)\n- [よくある質問](/guide/faq)\n- [利用申請](/apply)",
                    None,
                    5,
                ),
            ],
            &actor,
            now,
        )
        .await?;
    store
        .save_blocks(
            "project",
            &[
                block("programmes", "4つの支援", "", None, 4),
                block("news", "ビジネスフロンティア・フェア", "", Some("fair"), 3),
                block(
                    "news",
                    "世界発信コンペティション",
                    "",
                    Some("competition"),
                    3,
                ),
                block("news", "マーケットサポート", "", Some("market-support"), 3),
                block(
                    "lead",
                    "",
                    "入札情報や発注案件は[ビジネスチャンス・ナビ](/cases)で探せます。",
                    None,
                    1,
                ),
            ],
            &actor,
            now,
        )
        .await?;
    Ok(())
}
