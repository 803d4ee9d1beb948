//! Synthetic cases in the style of real notices, for the demo data and the
//! search benchmark: titles built from real procurement vocabulary, realistic
//! shares of kinds, categories, procedures, regions and organisations.

use domain::{CaseKind, CaseStatus, Category, Procedure};
use store::NewCase;

/// A small, fast, deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const PLACES: &[&str] = &[
    "本庁舎",
    "第二庁舎",
    "区民センター",
    "図書館",
    "小学校",
    "中学校",
    "総合体育館",
    "清掃工場",
    "浄水場",
    "市民病院",
    "保健所",
    "公園",
    "下水処理場",
    "消防署",
    "文化会館",
];
const SERVICES: &[&str] = &[
    "清掃業務委託",
    "警備業務委託",
    "設備保守点検業務",
    "植栽管理業務",
    "受付案内業務",
    "廃棄物収集運搬業務",
    "空調設備保守",
    "エレベーター保守点検",
    "電話交換業務",
    "施設管理業務",
];
const GOODS: &[&str] = &[
    "事務用品の購入",
    "LED照明器具の購入",
    "パーソナルコンピュータの購入",
    "消防用ホースの購入",
    "防災備蓄食料の購入",
    "複合機の賃貸借",
    "トナーカートリッジの購入",
    "作業服の購入",
    "医薬品の購入",
    "給食用食材の購入",
];
const WORKS: &[&str] = &[
    "外壁改修工事",
    "屋上防水改修工事",
    "空調設備更新工事",
    "受変電設備改修工事",
    "トイレ改修工事",
    "道路舗装補修工事",
    "橋梁塗装工事",
    "給排水設備改修工事",
    "耐震補強工事",
    "LED照明更新工事",
];
const PRINTS: &[&str] = &[
    "広報誌の印刷",
    "パンフレットの印刷製本",
    "ポスター印刷",
    "議会だよりの印刷",
    "統計書の印刷製本",
];
const STUDIES: &[&str] = &[
    "基本計画策定支援業務",
    "調査分析業務委託",
    "システム改修業務",
    "ホームページ運用保守業務",
    "データ入力業務",
    "翻訳業務委託",
];
const NEEDS: &[&str] = &[
    "精密部品の試作加工",
    "樹脂成形品の量産",
    "金属表面処理の協力先",
    "IoTセンサーの共同開発",
    "省エネ技術の導入提案",
    "検査装置の設計製作",
    "物流倉庫の自動化",
    "食品包装材の新規開発",
];
const ORGS: &[(&str, i64)] = &[
    ("東京都総務局", 13),
    ("東京都財務局", 13),
    ("東京都建設局", 13),
    ("東京都水道局", 13),
    ("東京都下水道局", 13),
    ("東京都教育庁", 13),
    ("千代田区", 13),
    ("新宿区", 13),
    ("世田谷区", 13),
    ("八王子市", 13),
    ("町田市", 13),
    ("横浜市", 14),
    ("川崎市", 14),
    ("さいたま市", 11),
    ("千葉市", 12),
    ("大阪市", 27),
    ("名古屋市", 23),
    ("札幌市", 1),
    ("福岡市", 40),
    ("仙台市", 4),
    ("国土交通省関東地方整備局", 13),
    ("防衛省", 13),
    ("厚生労働省", 13),
    ("独立行政法人国立病院機構", 13),
    ("公益財団法人東京都中小企業振興公社", 13),
];
const GRADES: &[&str] = &["A", "B", "C", "D"];

/// `n` cases around `now` (ms), deterministic for a seed. Private orders and
/// technical needs go to `companies` (id, name) when any are given.
pub fn cases(
    n: usize,
    seed: u64,
    now: i64,
    companies: &[(i64, String)],
    source: &str,
) -> Vec<NewCase> {
    const DAY: i64 = 86_400_000;
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| {
            let roll = rng.below(100);
            let kind = match roll {
                0..=79 => CaseKind::PublicTender,
                80..=84 => CaseKind::ETender,
                85..=94 if !companies.is_empty() => CaseKind::PrivateOrder,
                95..=99 if !companies.is_empty() => CaseKind::TechnicalNeed,
                _ => CaseKind::PublicTender,
            };
            let (org, pref) = *rng.pick(ORGS);
            let place = rng.pick(PLACES);
            let (category, title) = match (kind, rng.below(10)) {
                (CaseKind::TechnicalNeed, _) => (Category::Other, rng.pick(NEEDS).to_string()),
                (_, 0..=3) => (Category::Services, format!("{place}{}", rng.pick(SERVICES))),
                (_, 4..=5) => (Category::Goods, rng.pick(GOODS).to_string()),
                (_, 6..=7) => (Category::Construction, format!("{place}{}", rng.pick(WORKS))),
                (_, 8) => (Category::Goods, rng.pick(PRINTS).to_string()),
                _ => (Category::Services, rng.pick(STUDIES).to_string()),
            };
            let procedure = match rng.below(10) {
                0..=5 => Procedure::OpenCompetitive,
                6 => Procedure::DesignatedCompetitive,
                7 => Procedure::QuotationComparison,
                8 => Procedure::Proposal,
                _ => Procedure::NegotiatedContract,
            };
            let published = now - rng.below(120) as i64 * DAY;
            let deadline = published + (7 + rng.below(40) as i64) * DAY + 17 * 3_600_000;
            let company = (matches!(kind, CaseKind::PrivateOrder | CaseKind::TechnicalNeed)).then(|| rng.pick(companies).clone());
            let organization_name = company.as_ref().map_or_else(|| org.to_owned(), |(_, name)| name.clone());
            // One case in ten thousand mentions a rare technology, for the benchmark's rare word.
            let rare = if i % 10_000 == 5 { "水素燃料電池の実証にも対応すること。" } else { "" };
            let description = format!(
                "{organization_name}が発注する「{title}」の案件です。履行場所は{place}、履行期間は契約締結日から令和9年3月31日まで。\
                 入札参加資格は{}等級以上とし、仕様書に定める条件を満たすこと。{rare}詳細は入札説明書を確認してください。",
                rng.pick(GRADES)
            );
            NewCase {
                kind,
                title: format!("{title}（{}）", i % 97 + 1),
                description,
                category,
                procedure,
                organization_name,
                organization_id: None,
                company_id: company.map(|(id, _)| id),
                contract_department_id: None,
                prefecture_code: Some(pref),
                municipality_code: None,
                municipality_name: None,
                qualification_grade: Some(rng.pick(GRADES).to_string()),
                published_at: Some(published),
                application_deadline: Some(deadline - 7 * DAY),
                submission_deadline: Some(deadline),
                opening_at: Some(deadline + DAY),
                period_end: None,
                day_only: domain::DayOnly::default(),
                status: CaseStatus::Open,
                source: if matches!(kind, CaseKind::PublicTender) { source.to_owned() } else { "portal".to_owned() },
                source_key: format!("{seed}-{i}"),
                source_url: matches!(kind, CaseKind::PublicTender).then(|| format!("https://www.kkj.go.jp/d/?D=demo{seed}{i}")),
                documents: vec![("入札説明書".to_owned(), format!("https://www.kkj.go.jp/doc/demo{seed}{i}.pdf"))],
                created_by: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_corpus_is_deterministic_and_covers_every_kind() {
        let companies = vec![(1, "株式会社テスト".to_owned())];
        let a = cases(2000, 7, 0, &companies, "kkj");
        let b = cases(2000, 7, 0, &companies, "kkj");
        assert_eq!(a, b);
        for kind in CaseKind::ALL {
            assert!(a.iter().any(|c| c.kind == *kind), "{kind:?}");
        }
        assert!(a.iter().any(|c| c.title.contains("清掃")));
        let keys: std::collections::HashSet<_> = a.iter().map(|c| &c.source_key).collect();
        assert_eq!(keys.len(), a.len());
    }
}
