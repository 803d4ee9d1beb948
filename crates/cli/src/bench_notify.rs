//! `chance-navi bench notify`: time to match M new cases against N
//! notification settings with the settings' index (`notify::Matcher`), and,
//! in the same run, the plain approach — every setting's criteria checked
//! against every case — on a sample of the settings, scaled to all of them
//! (its cost is exactly linear in the settings). Both find the same matches
//! on the sample, which the run checks.

use std::time::Instant;

use anyhow::{Result, bail};
use notify::{CaseFacts, Criteria, Matcher, plain_match};

use crate::corpus::Rng;

/// Cases matched at a time, as the notification pass reads them.
const BATCH: usize = 1_000;

/// Words people put in procurement searches: what is bought or done, where,
/// and for whom — from the corpus's own vocabulary and the usual 業種.
const VOCABULARY: &[&str] = &[
    "清掃",
    "警備",
    "設計",
    "保守",
    "点検",
    "印刷",
    "改修",
    "工事",
    "委託",
    "調査",
    "システム",
    "購入",
    "賃貸借",
    "給食",
    "測量",
    "舗装",
    "道路",
    "橋梁",
    "空調",
    "照明",
    "LED",
    "電気",
    "機械",
    "消防",
    "防災",
    "翻訳",
    "研修",
    "広報",
    "パンフレット",
    "運搬",
    "廃棄物",
    "除草",
    "樹木",
    "剪定",
    "公園",
    "学校",
    "庁舎",
    "病院",
    "下水道",
    "水道",
    "給水",
    "ポンプ",
    "エレベーター",
    "駐車場",
    "体育館",
    "図書館",
    "保育園",
    "福祉",
    "介護",
    "健康診断",
    "検診",
    "医療機器",
    "試薬",
    "事務用品",
    "コピー用紙",
    "トナー",
    "パソコン",
    "サーバー",
    "ネットワーク",
    "ソフトウェア",
    "ホームページ",
    "アプリ",
    "データ",
    "クラウド",
    "セキュリティ",
    "監視",
    "カメラ",
    "放送",
    "音響",
    "映像",
    "イベント",
    "展示",
    "会場",
    "運営",
    "コールセンター",
    "受付",
    "案内",
    "派遣",
    "人材",
    "研究",
    "開発",
    "実証",
    "分析",
    "計画",
    "策定",
    "アンケート",
    "統計",
    "地図",
    "航空写真",
    "ドローン",
    "太陽光",
    "再生可能エネルギー",
    "省エネ",
    "脱炭素",
    "電力",
    "ガス",
    "燃料",
    "車両",
    "バス",
    "除雪",
    "融雪",
    "河川",
    "護岸",
    "砂防",
    "造成",
    "解体",
    "耐震",
    "補強",
    "塗装",
    "防水",
    "屋根",
    "外壁",
    "内装",
    "家具",
    "什器",
    "厨房",
    "食品",
    "給食センター",
    "制服",
    "作業服",
    "寝具",
    "リネン",
    "クリーニング",
    "害虫駆除",
    "消毒",
    "水質検査",
    "環境調査",
    "騒音",
    "振動",
    "アスベスト",
    "ボーリング",
    "地質",
    "測定",
    "校正",
    "分析機器",
    "顕微鏡",
    "実験",
    "教材",
    "ICT",
    "タブレット",
    "電子黒板",
    "給湯",
    "ボイラー",
    "受変電",
    "発電機",
    "蓄電池",
    "充電",
    "EV",
];
const ORGANIZATIONS: &[&str] = &[
    "東京都",
    "八王子市",
    "横浜市",
    "川崎市",
    "さいたま市",
    "千葉市",
    "国土交通省",
    "防衛省",
    "独立行政法人国立病院機構",
    "東京都中小企業振興公社",
];

/// One realistic setting: most users keep 1–5 words and a few facets; some
/// keep facets only, some exclude a word.
fn setting(rng: &mut Rng) -> Criteria {
    // Common words are chosen more often (a Zipf-like draw).
    let word = |rng: &mut Rng| {
        let a = rng.below(VOCABULARY.len());
        let b = rng.below(VOCABULARY.len());
        VOCABULARY[a.min(b)].to_owned()
    };
    let count = match rng.below(100) {
        0..=4 => 0,
        5..=44 => 1,
        45..=79 => 2,
        80..=92 => 3,
        93..=97 => 4,
        _ => 5,
    };
    let keywords: Vec<String> = (0..count).map(|_| word(rng)).collect();
    let mut c = Criteria {
        keywords,
        ..Criteria::default()
    };
    if rng.below(10) == 0 {
        c.exclusions.push(word(rng));
    }
    if rng.below(10) < 3 || count == 0 {
        for _ in 0..=rng.below(3) {
            c.prefectures.push(1 + rng.below(47) as i64);
        }
    }
    if rng.below(10) < 2 {
        c.categories.push(domain::Category::ALL[rng.below(3)]);
    }
    if rng.below(10) == 0 {
        c.kinds.push(domain::CaseKind::ALL[rng.below(4)]);
    }
    if rng.below(20) == 0 {
        c.organizations
            .push(ORGANIZATIONS[rng.below(ORGANIZATIONS.len())].to_owned());
    }
    c
}

pub fn run(settings: usize, cases: usize, sample: usize) -> Result<()> {
    let now = crate::accounts::now_ms();
    let mut rng = Rng::new(7);
    let started = Instant::now();
    let all: Vec<(i64, Criteria)> = (0..settings)
        .map(|i| (i as i64 + 1, setting(&mut rng)))
        .collect();
    let facts: Vec<CaseFacts> = crate::corpus::cases(cases, 2027, now, &[], "kkj")
        .iter()
        .enumerate()
        .map(|(i, c)| {
            CaseFacts::new(
                i as i64 + 1,
                c.kind,
                c.category,
                c.procedure,
                c.prefecture_code,
                &c.organization_name,
                &c.title,
                &c.description,
            )
        })
        .collect();
    let generated = started.elapsed();
    let t = Instant::now();
    let matcher = Matcher::build(all.iter().map(|(id, c)| (*id, c)));
    let built = t.elapsed();
    // Cases arrive in batches, as the notification pass reads them; only the
    // sample's matches are kept, for the check below.
    let sample = sample.min(settings).max(1);
    let step = (settings / sample).max(1);
    let in_sample =
        |s: i64| ((s - 1) as usize).is_multiple_of(step) && ((s - 1) as usize / step) < sample;
    let t = Instant::now();
    let mut total = 0usize;
    let mut indexed: Vec<(i64, i64)> = Vec::new();
    for batch in facts.chunks(BATCH) {
        let found = matcher.match_all(batch);
        total += found.len();
        indexed.extend(found.into_iter().filter(|(_, s)| in_sample(*s)));
    }
    let matched = t.elapsed();
    // The plain approach on the sample of the settings, scaled to all of them.
    let sampled: Vec<(i64, Criteria)> = all.iter().step_by(step).take(sample).cloned().collect();
    let t = Instant::now();
    let mut plain = plain_match(&sampled, &facts);
    let plain_time = t.elapsed();
    let plain_scaled = plain_time.as_secs_f64() * settings as f64 / sampled.len() as f64;
    // The same matches for the sample.
    indexed.sort_unstable();
    plain.sort_unstable();
    if indexed != plain {
        bail!(
            "the index and the plain approach disagree on the sample: {} against {} matches",
            indexed.len(),
            plain.len()
        );
    }
    let secs = |d: std::time::Duration| format!("{:.2}", d.as_secs_f64());
    println!(
        "settings {settings}, cases {cases}, generated in {} s; {} matches ({:.1} per case); {} threads",
        secs(generated),
        total,
        total as f64 / cases.max(1) as f64,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!("| approach | settings | cases | build s | match s | total s | matches |");
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| indexed (Aho–Corasick over all words, settings filed under one anchor) | {settings} | {cases} | {} | {} | {} | {} |",
        secs(built),
        secs(matched),
        secs(built + matched),
        total
    );
    println!(
        "| plain (every setting against every case), measured on {} settings, scaled ×{:.0} | {settings} | {cases} | – | {:.2} | {:.2} | (same on the sample: {}) |",
        sampled.len(),
        settings as f64 / sampled.len() as f64,
        plain_scaled,
        plain_scaled,
        plain.len()
    );
    println!(
        "speed-up: {:.0}× (plain ÷ indexed, build included)",
        plain_scaled / (built + matched).as_secs_f64()
    );
    Ok(())
}
