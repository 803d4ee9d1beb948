//! The CSV formats the administrators hand to the portal (and the one it
//! hands back), described once: the parsers take their required headers
//! from here and the portal's help pages (`/help/formats/…`) are generated
//! from the same lists, so the two cannot drift apart.

/// Whether a column must be there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// The header and a value in every row.
    Value,
    /// The header; the value may be empty.
    Header,
    /// Neither.
    Optional,
}

impl Need {
    pub fn label(self) -> &'static str {
        match self {
            Need::Value => "必須",
            Need::Header => "列は必須",
            Need::Optional => "任意",
        }
    }

    pub fn required(self) -> bool {
        self != Need::Optional
    }
}

/// One column of a format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub need: Need,
    pub text: &'static str,
}

const fn col(name: &'static str, need: Need, text: &'static str) -> Column {
    Column { name, need, text }
}

/// A CSV format and how to write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    /// Its help page: `/help/formats/{slug}`.
    pub slug: &'static str,
    pub title: &'static str,
    /// Where the file is used, in a sentence or two.
    pub purpose: &'static str,
    pub columns: &'static [Column],
    /// What else to know (dates, encodings, how rows are compared).
    pub notes: &'static [&'static str],
    pub example: &'static str,
}

impl Format {
    /// The headers a file must have.
    pub fn required_headers(&self) -> Vec<&'static str> {
        self.columns
            .iter()
            .filter(|c| c.need.required())
            .map(|c| c.name)
            .collect()
    }

    pub fn help_path(&self) -> String {
        format!("/help/formats/{}", self.slug)
    }
}

const FILE: &str = "文字コードは UTF-8（BOM の有無は問いません）または Shift_JIS（Windows の CP932）です。区切りはカンマで、値にカンマ・改行・\" を含むときは \" で囲みます（RFC 4180）。1 行目は見出し行で、列の順番は自由です。表にない列は読み飛ばします。列名の全角・半角の違いは問いません。";
const DATES: &str = "日付と日時は 2026/05/21、2026-05-21、2026/05/21 17:00、2026年5月21日、令和8年5月21日（全角数字も可）のように書けます。時刻のない日付は、日付だけの値として取り込みます。読めない日付の行は、理由を付けて保留します。";
const HEADER_NOTE: &str = "「列は必須」は、見出し行にその列が必要で、値は空でもよいことを表します。必要な列がないファイルは、どの行も取り込まずに失敗します（理由は取込みの記録に残ります）。";

/// 東京都財務局's listing (取込み元 `tokyo`).
pub const TOKYO: Format = Format {
    slug: "tokyo",
    title: "東京都財務局の入札情報 CSV",
    purpose: "東京都電子調達システムの入札情報一覧を取り込むための形式です。管理画面の「取込みの状況」から、取込み元「東京都財務局」を選んでアップロードします。",
    columns: &[
        col(
            "案件番号",
            Need::Value,
            "東京都の案件番号。同じ番号の行は同じ案件として更新します。",
        ),
        col("件名", Need::Value, "案件の件名。"),
        col(
            "種目",
            Need::Header,
            "工事／物品（買入れ・購入）／委託・役務 など。「工事」を含めば工事、「物品」「買入」「購入」を含めば物品、「委託」「役務」「業務」を含めば役務、それ以外はその他として取り込みます。",
        ),
        col(
            "業種",
            Need::Optional,
            "業種（例：清掃、印刷、土木）。案件の概要に入ります。",
        ),
        col(
            "入札方式",
            Need::Header,
            "一般競争入札、指名競争入札、見積合わせ、公募型プロポーザル、随意契約。",
        ),
        col(
            "契約部署コード",
            Need::Header,
            "契約部署マスタの「東京都」の契約部署コード。年次更新で変わった古いコードは、更新の履歴をたどって現在の契約部署として読みます。マスタにも履歴にもないコードの行は保留します。",
        ),
        col(
            "契約部署名",
            Need::Optional,
            "契約部署の名前（マスタに部署があるときはマスタの名前を使います）。",
        ),
        col("公告日", Need::Header, "日付。"),
        col("参加申請締切", Need::Header, "日時。"),
        col("入札締切", Need::Header, "日時。"),
        col("開札日時", Need::Header, "日時。"),
        col("履行場所", Need::Header, "例：千代田区。"),
        col("等級", Need::Header, "競争入札参加資格の等級（例：A、B）。"),
        col("URL", Need::Header, "案件の詳細ページ。"),
    ],
    notes: &[
        FILE,
        HEADER_NOTE,
        DATES,
        "案件番号・契約部署コード・等級・URL は全角と半角を区別しません（０００１ と 0001 は同じ値です）。",
    ],
    example: "案件番号,件名,種目,業種,入札方式,契約部署コード,契約部署名,公告日,参加申請締切,入札締切,開札日時,履行場所,等級,URL\n2026-0001,庁舎清掃業務委託,委託,清掃,一般競争入札,0101,財務局経理部契約第一課,2026/05/01,2026/05/14 17:00,2026/05/21 17:00,2026/05/22 10:00,新宿区,B,https://www.e-procurement.metro.tokyo.lg.jp/\n",
};

/// 東京電子自治体共同運営's listing (取込み元 `tokyo-municipal`).
pub const TOKYO_MUNICIPAL: Format = Format {
    slug: "tokyo-municipal",
    title: "東京電子自治体共同運営の入札情報 CSV",
    purpose: "東京電子自治体共同運営 電子調達サービス（都内の区市町村）の入札情報一覧を取り込むための形式です。東京都財務局の形式との違いは「団体コード」「団体名」があることと、「種目」が「種別」であることです。",
    columns: &[
        col(
            "団体コード",
            Need::Value,
            "地方公共団体コード（6 桁。例：132012 八王子市）。",
        ),
        col(
            "団体名",
            Need::Value,
            "例：八王子市。発注機関マスタの名前と一致させます。",
        ),
        col(
            "案件番号",
            Need::Value,
            "団体の案件番号。「団体コード-案件番号」を同じ案件の識別子とします。",
        ),
        col("件名", Need::Value, "案件の件名。"),
        col(
            "種別",
            Need::Header,
            "工事／物品／委託 など（分け方は東京都財務局の形式の「種目」と同じです）。",
        ),
        col("業種", Need::Optional, "業種。案件の概要に入ります。"),
        col("入札方式", Need::Header, "東京都財務局の形式と同じです。"),
        col(
            "契約部署コード",
            Need::Header,
            "契約部署マスタの、その団体の契約部署コード。マスタにない団体・コードの行は保留します（コードが空の行は、団体だけを対応づけます）。",
        ),
        col("契約部署名", Need::Optional, "契約部署の名前。"),
        col("公告日", Need::Header, "日付。"),
        col("参加申請締切", Need::Header, "日時。"),
        col("入札締切", Need::Header, "日時。"),
        col("開札日時", Need::Header, "日時。"),
        col("履行場所", Need::Header, "例：八王子市元本郷町。"),
        col("等級", Need::Header, "等級。"),
        col("URL", Need::Header, "案件の詳細ページ。"),
    ],
    notes: &[FILE, HEADER_NOTE, DATES],
    example: "団体コード,団体名,案件番号,件名,種別,業種,入札方式,契約部署コード,契約部署名,公告日,参加申請締切,入札締切,開札日時,履行場所,等級,URL\n132012,八王子市,R8-001,市民センター清掃業務,委託,清掃,一般競争入札,01,総務部契約課,2026/05/01,2026/05/14 17:00,2026/05/21 17:00,2026/05/22 10:00,八王子市元本郷町,B,https://www.e-tokyo.lg.jp/\n",
};

/// Next year's contract-department master (契約部署マスタの年次更新).
pub const CONTRACT_DEPARTMENTS: Format = Format {
    slug: "contract-departments",
    title: "契約部署マスタ CSV（年次更新）",
    purpose: "来年度の契約部署マスタを、管理画面の「契約部署マスタの年次更新」で取り込むための形式です。取り込むと、現在のマスタとの違い（新設・名称変更・コード変更・統合・廃止）と、それぞれを参照している案件・利用者の数を確かめてから、一度に適用できます。",
    columns: &[
        col(
            "発注機関",
            Need::Value,
            "発注機関マスタの名前と同じ名前。マスタにない発注機関の行があると適用できません（先に発注機関を登録します）。",
        ),
        col(
            "契約部署コード",
            Need::Value,
            "来年度のコード。発注機関の中で重複できません。",
        ),
        col("契約部署名", Need::Value, "来年度の名前。"),
        col(
            "旧契約部署コード",
            Need::Optional,
            "この部署が引き継ぐ現在のコード。コードが変わるときは旧コードを 1 つ、統合するときは統合元のコードを ; で区切って書きます。",
        ),
    ],
    notes: &[
        FILE,
        "ファイルに書かれた発注機関ごとに、現在の有効な契約部署と比べます（ファイルにない発注機関は変わりません）。現在にないコードで旧コードもなければ新設、同じコードで名前が違えば名称変更、旧コードが 1 つで新しいコードが現在になければコード変更、旧コードが 2 つ以上なら統合、現在のコードがファイルのどこにも出てこなければ廃止です。",
        "統合・廃止した部署は削除せずに無効として残すため、過去の案件の表示や古い一覧の取込みで名前を引けます。",
    ],
    example: "発注機関,契約部署コード,契約部署名,旧契約部署コード\n東京都,0101,財務局経理部契約第一課,\n東京都,0110,財務局経理部契約課,0102;0103\n東京都,0201,建設局総務部契約課,0200\n東京都,0500,デジタルサービス局総務部契約課,\n",
};

const O: Need = Need::Optional;

/// The companies the portal hands to the CRM (出力; read, not taken in).
pub const COMPANIES_EXPORT: Format = Format {
    slug: "companies-export",
    title: "顧客管理システムへの出力（企業）",
    purpose: "管理画面の「顧客管理システムへの出力」で作るファイルの列です。承認済み（利用停止中を含む）の企業を 1 行（JSON Lines では 1 行 1 件のオブジェクト）ずつ書き出します。JSON Lines のキーは括弧内の英字です。",
    columns: &[
        col("企業ID", O, "ポータルの企業の番号（id）。変わりません。"),
        col(
            "法人番号",
            O,
            "13 桁（corporate_number）。個人事業主は空です。",
        ),
        col("個人事業主", O, "はい／いいえ（sole_proprietor）。"),
        col("会社名", O, "（name）"),
        col("フリガナ", O, "（name_kana）"),
        col("代表者", O, "（representative）"),
        col("郵便番号", O, "7 桁の数字（postal_code）。"),
        col("都道府県", O, "（prefecture）"),
        col("住所", O, "都道府県より後（address）。"),
        col("電話番号", O, "数字だけ（phone）。"),
        col("ウェブサイト", O, "（website）"),
        col(
            "業種コード",
            O,
            "日本標準産業分類の中分類（industry_code）。",
        ),
        col("業種", O, "（industry）"),
        col("資本金", O, "円（capital_yen）。"),
        col("従業員数", O, "（employees）"),
        col("設立年", O, "西暦（founded_year）。"),
        col("事業内容", O, "（description）"),
        col("キーワード", O, "（keywords）"),
        col("加盟団体", O, "「、」区切り（member_organizations）。"),
        col("登録のきっかけ", O, "（registration_trigger）"),
        col("メールマガジン", O, "はい／いいえ（mail_magazine）。"),
        col("発注", O, "はい／いいえ（orders）。"),
        col("受注", O, "はい／いいえ（receives）。"),
        col("状態", O, "承認済み／利用停止中（status）。"),
        col("担当者名", O, "最初に登録された利用者（contact_name）。"),
        col("担当者メール", O, "（contact_email）"),
        col("登録日時", O, "日本時間の RFC 3339（created_at）。"),
        col("更新日時", O, "日本時間の RFC 3339（updated_at）。"),
    ],
    notes: &[
        "CSV（UTF-8）は BOM 付き、CSV（Shift_JIS）は CP932 で書き、CP932 にない文字は 〓 に置き換えて、企業と項目を画面に示します。行の区切りは CRLF です。",
        "表計算ソフトで数式として実行される値（=、+、-、@、タブ、CR で始まるもの）は、先頭に ' を付けて文字として書きます。",
        "出力するたびに監査ログに記録されます。",
    ],
    example: "企業ID,法人番号,個人事業主,会社名,…\r\n1,7000012050002,いいえ,株式会社丸の内精工,…\r\n",
};

/// Every format with a help page.
pub const ALL: &[&Format] = &[
    &TOKYO,
    &TOKYO_MUNICIPAL,
    &CONTRACT_DEPARTMENTS,
    &COMPANIES_EXPORT,
];

/// The format with this help-page slug.
pub fn by_slug(slug: &str) -> Option<&'static Format> {
    ALL.iter().copied().find(|f| f.slug == slug)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokyo::Departments;

    fn without(format: &Format, drop: Option<&str>) -> Vec<u8> {
        let header: Vec<&str> = format
            .columns
            .iter()
            .map(|c| c.name)
            .filter(|n| Some(*n) != drop)
            .collect();
        format!("{}\n", header.join(",")).into_bytes()
    }

    fn parse(format: &Format, csv: &[u8]) -> Result<(), String> {
        match format.slug {
            "tokyo" => crate::tokyo::parse(csv, false, &Departments::default()).map(|_| ()),
            "tokyo-municipal" => {
                crate::tokyo::parse(csv, true, &Departments::default()).map(|_| ())
            }
            "contract-departments" => crate::departments::parse(csv).map(|_| ()),
            other => panic!("no parser for {other}"),
        }
    }

    #[test]
    fn the_export_help_page_lists_the_exports_own_columns_in_order() {
        let names: Vec<&str> = COMPANIES_EXPORT.columns.iter().map(|c| c.name).collect();
        let exported: Vec<&str> = crate::export::fields().iter().map(|(h, _)| *h).collect();
        assert_eq!(names, exported);
        for (column, (_, key)) in COMPANIES_EXPORT.columns.iter().zip(crate::export::fields()) {
            assert!(
                column.text.contains(&format!("（{key}）")),
                "{}: {key}",
                column.name
            );
        }
    }

    #[test]
    fn each_parser_wants_exactly_the_columns_its_help_page_calls_required() {
        for format in ALL.iter().filter(|f| f.slug != COMPANIES_EXPORT.slug) {
            assert!(
                parse(format, &without(format, None)).is_ok(),
                "{}",
                format.slug
            );
            for column in format.columns {
                let result = parse(format, &without(format, Some(column.name)));
                assert_eq!(
                    result.is_err(),
                    column.need.required(),
                    "{}: without {} → {result:?}",
                    format.slug,
                    column.name
                );
            }
        }
    }

    #[test]
    fn each_example_reads() {
        for format in ALL.iter().filter(|f| f.slug != COMPANIES_EXPORT.slug) {
            let header = format.example.lines().next().unwrap_or_default();
            for column in format.columns {
                assert!(
                    header.contains(column.name),
                    "{}: {}",
                    format.slug,
                    column.name
                );
            }
            if format.slug == "contract-departments" {
                assert!(crate::departments::parse(format.example.as_bytes()).is_ok());
            }
        }
    }
}
