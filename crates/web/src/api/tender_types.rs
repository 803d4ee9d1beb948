//! What the e-tender API answers, as types whose schemas the OpenAPI
//! document is generated from, and how each is made from the store's rows.
//! The Japanese doc comments are the document's descriptions.

use serde::Serialize;
use utoipa::ToSchema;

use super::openapi;
use crate::auth::Viewer;
use crate::{AppState, WebError};

/// A moment as the API gives it: RFC 3339 in Japan time.
fn time(ms: i64) -> String {
    domain::time::jst_rfc3339(ms)
}

/// 受付票
#[derive(Debug, Serialize, ToSchema)]
pub struct Receipt {
    /// 受付番号
    receipt_no: String,
    /// サーバーの受付時刻（日本時間）
    #[schema(format = DateTime)]
    received_at: String,
    /// 受付時刻（UNIX時刻のミリ秒。電子くじに使う）
    received_at_ms: i64,
    /// 封印した入札のSHA-256
    sealed_sha256: String,
    declined: bool,
}

impl From<&store::Receipt> for Receipt {
    fn from(r: &store::Receipt) -> Self {
        Receipt {
            receipt_no: r.receipt_no.clone(),
            received_at: time(r.received_at),
            received_at_ms: r.received_at,
            sealed_sha256: r.sealed_hash.clone(),
            declined: r.declined,
        }
    }
}

/// 操作の結果（ok は常に true）
#[derive(Debug, Serialize, ToSchema)]
pub struct Done {
    ok: bool,
    done: Action,
}

/// 行った操作
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Published,
    Amended,
    Cancelled,
    Decided,
    Nominated,
    Scored,
    Answered,
    Awarded,
    Unsuccessful,
}

impl Done {
    pub fn new(done: Action) -> Self {
        Done { ok: true, done }
    }
}

/// 参加申請を受け付けた
#[derive(Debug, Serialize, ToSchema)]
pub struct Applied {
    ok: bool,
    /// 参加状況（審査待ち）
    #[schema(examples("applied"))]
    participation: &'static str,
}

impl Applied {
    pub fn new() -> Self {
        Applied {
            ok: true,
            participation: "applied",
        }
    }
}

/// 質問を受け付けた
#[derive(Debug, Serialize, ToSchema)]
pub struct Asked {
    ok: bool,
    question_id: i64,
}

impl Asked {
    pub fn new(question_id: i64) -> Self {
        Asked {
            ok: true,
            question_id,
        }
    }
}

/// 電子入札案件
#[derive(Debug, Serialize, ToSchema)]
pub struct Tender {
    id: i64,
    /// 案件のページ
    #[schema(format = "uri")]
    url: String,
    title: String,
    description: String,
    /// 発注機関
    organization: String,
    /// 入札・契約方式
    #[schema(schema_with = openapi::tender_procedure)]
    procedure: &'static str,
    procedure_label: &'static str,
    /// 落札方式
    #[schema(schema_with = openapi::award_method)]
    award_method: String,
    /// いまの段階
    #[schema(schema_with = openapi::phase)]
    phase: String,
    phase_label: String,
    schedule: Schedule,
    /// 予定価格（事前公表または開札後。管理する職員にはいつでも）
    ceiling_yen: Option<i64>,
    /// 最低制限価格（開札後。管理する職員にはいつでも）
    minimum_yen: Option<i64>,
    requirements: Requirements,
    /// 入札説明書などの資料
    documents: Vec<TenderDocument>,
    /// 回答を公表した質問（質問者は含まない。管理する職員にはすべて）
    questions: Vec<Question>,
    /// 開札の結果。開札の前は null
    results: Option<Results>,
    /// 受注企業の利用者のとき：自社の参加状況と受付票（それ以外には含まない）
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    me: Option<Me>,
}

/// 日程（日本時間）
#[derive(Debug, Serialize, ToSchema)]
pub struct Schedule {
    /// 公告日
    #[schema(format = DateTime)]
    published_at: String,
    /// 参加申請締切
    #[schema(format = DateTime)]
    application_deadline: String,
    /// 資格審査結果通知日
    #[schema(format = DateTime)]
    qualification_notice_at: String,
    /// 入札書受付開始
    #[schema(format = DateTime)]
    bidding_opens_at: String,
    /// 入札締切
    #[schema(format = DateTime)]
    bid_deadline: String,
    /// 開札日時
    #[schema(format = DateTime)]
    opening_at: String,
}

/// 参加資格の要件
#[derive(Debug, Serialize, ToSchema)]
pub struct Requirements {
    /// 参加資格等級（空ならどの等級でも）
    grades: Vec<String>,
    /// 本店所在地の都道府県コード（空ならどこでも）
    prefectures: Vec<i64>,
    /// 日本標準産業分類の大分類コード（空ならどの業種でも）
    industries: Vec<String>,
    /// 参加申請に添付する書類
    documents: String,
}

/// 資料
#[derive(Debug, Serialize, ToSchema)]
pub struct TenderDocument {
    title: String,
    #[schema(format = "uri")]
    url: String,
}

/// 質問と回答
#[derive(Debug, Serialize, ToSchema)]
pub struct Question {
    id: i64,
    question: String,
    #[schema(format = DateTime)]
    asked_at: String,
    answer: Option<String>,
    #[schema(format = DateTime)]
    answered_at: Option<String>,
    /// 質問した企業（管理する職員にだけ）
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    company_id: Option<i64>,
}

/// 開札の結果：入札者、金額、判定、落札者、電子くじの数値、各入札の受付票
#[derive(Debug, Serialize, ToSchema)]
pub struct Results {
    #[schema(format = DateTime)]
    opened_at: String,
    /// 落札した入札（bids[].bid_id）。不調なら null
    winner_bid: Option<i64>,
    /// 同額の入札を電子くじで決めたときの数値
    kuji: Option<Kuji>,
    bids: Vec<OpenedBid>,
}

/// 電子くじ：同額の入札者を受付順に0, 1, 2…と番号付けし、各入札の値（くじ入力番号＋受付時刻のミリ秒の下3桁）の和を人数で割った余りの番号が落札者
#[derive(Debug, Serialize, ToSchema)]
pub struct Kuji {
    /// 各入札の値の和
    sum: i64,
    /// 和を人数で割った余り：落札した入札の kuji_position
    drawn: i64,
}

/// 開札した入札
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenedBid {
    bid_id: i64,
    /// 入札者
    bidder: String,
    amount_yen: i64,
    technical_score: i64,
    /// 判定
    #[schema(schema_with = openapi::validity)]
    validity: String,
    validity_label: String,
    winner: bool,
    /// くじ入力番号（3桁）
    kuji_number: String,
    /// 電子くじでの番号（受付順に0, 1, 2…。くじがなければ null）
    kuji_position: Option<i64>,
    /// 電子くじでのこの入札の値（くじ入力番号＋受付時刻のミリ秒の下3桁。くじがなければ null）
    kuji_part: Option<i64>,
    /// 入札者の受付票（受付番号と封印した入札のSHA-256。入札者が自社の受付票と照合できる）
    receipt: Receipt,
}

/// 自社の参加状況と受付票
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// 参加状況（申請していなければ null）
    #[schema(schema_with = openapi::participation_or_none)]
    participation: Option<String>,
    participation_label: Option<String>,
    /// 参加資格を認められなかった理由
    reason: Option<String>,
    /// 入札または辞退の受付票
    receipt: Option<Receipt>,
}

/// The tender as anyone may see it once published; with `me` for the
/// signed-in company, and everything for the staff who manage it.
pub async fn tender(
    state: &AppState,
    case: &store::Case,
    t: &store::TenderRecord,
    viewer: &Viewer,
    staff: bool,
) -> Result<Tender, WebError> {
    let now = crate::auth::now_ms();
    let phase = t.tender.phase(now);
    let s = t.tender.schedule;
    let site = &state.settings.public_url;
    let opening = state.store.opening(case.id).await?;
    let opened = opening.is_some();
    let questions = state
        .store
        .questions(case.id)
        .await?
        .iter()
        .filter(|q| staff || q.answer.is_some())
        .map(|q| Question {
            id: q.id,
            question: q.question.clone(),
            asked_at: time(q.asked_at),
            answer: q.answer.clone(),
            answered_at: q.answered_at.map(time),
            company_id: staff.then_some(q.company_id),
        })
        .collect();
    let results = opening.as_ref().map(|o| Results {
        opened_at: time(o.opened_at),
        winner_bid: o.winner_bid,
        kuji: o
            .kuji_sum
            .zip(o.kuji_drawn)
            .map(|(sum, drawn)| Kuji { sum, drawn }),
        bids: o
            .results
            .iter()
            .map(|r| OpenedBid {
                bid_id: r.bid_id,
                bidder: r.company_name.clone(),
                amount_yen: r.amount_yen,
                technical_score: r.technical_score,
                validity: r.validity.as_str().to_owned(),
                validity_label: r.validity.label().to_owned(),
                winner: o.winner_bid == Some(r.bid_id),
                kuji_number: format!("{:03}", r.kuji),
                kuji_position: r.kuji_position,
                kuji_part: r.kuji_part,
                receipt: (&r.receipt).into(),
            })
            .collect(),
    });
    let me = match viewer.user.as_ref().and_then(|u| u.company_id) {
        Some(company) => {
            let me = state.store.participant(case.id, company).await?;
            let receipt = state
                .store
                .sealed_bids(case.id)
                .await?
                .into_iter()
                .find(|b| b.company_id == company)
                .map(|b| Receipt::from(&b.receipt));
            Some(Me {
                participation: me.as_ref().map(|p| p.status.as_str().to_owned()),
                participation_label: me.as_ref().map(|p| p.status.label().to_owned()),
                reason: me.as_ref().and_then(|p| p.reason.clone()),
                receipt,
            })
        }
        None => None,
    };
    let f = &case.fields;
    Ok(Tender {
        id: case.id,
        url: format!("{site}/cases/{}", case.id),
        title: f.title.clone(),
        description: f.description.clone(),
        organization: f.organization_name.clone(),
        procedure: f.procedure.as_str(),
        procedure_label: f.procedure.label(),
        award_method: t.award_method.as_str().to_owned(),
        phase: phase.as_str().to_owned(),
        phase_label: phase.label().to_owned(),
        schedule: Schedule {
            published_at: time(s.published_at),
            application_deadline: time(s.application_deadline),
            qualification_notice_at: time(s.qualification_notice_at),
            bidding_opens_at: time(s.bidding_opens_at),
            bid_deadline: time(s.bid_deadline),
            opening_at: time(s.opening_at),
        },
        ceiling_yen: (t.ceiling_public || opened || staff).then_some(t.ceiling_yen),
        minimum_yen: if opened || staff { t.minimum_yen } else { None },
        requirements: Requirements {
            grades: t.requirements.grades.clone(),
            prefectures: t.requirements.prefectures.clone(),
            industries: t.requirements.industries.clone(),
            documents: t.requirements.documents.clone(),
        },
        documents: f
            .documents
            .iter()
            .map(|(title, url)| TenderDocument {
                title: title.clone(),
                url: format!("{site}{url}"),
            })
            .collect(),
        questions,
        results,
        me,
    })
}

/// 参加申請と受け付けた入札書（受付票）
#[derive(Debug, Serialize, ToSchema)]
pub struct Participants {
    participants: Vec<Participant>,
    /// 受け付けた入札書と辞退の受付票（入札の内容は開札まで含まない）
    bids: Vec<BidReceipt>,
}

/// 参加する企業
#[derive(Debug, Serialize, ToSchema)]
pub struct Participant {
    company_id: i64,
    /// 企業名
    company: String,
    /// 参加状況
    #[schema(schema_with = openapi::participation)]
    status: String,
    status_label: String,
    /// 参加資格を認めなかった理由
    reason: Option<String>,
    /// 申告した参加資格等級
    declared_grade: Option<String>,
    /// 申請のメッセージ
    message: String,
    /// 技術点（総合評価）
    technical_score: Option<i64>,
    #[schema(format = DateTime)]
    applied_at: Option<String>,
    #[schema(format = DateTime)]
    decided_at: Option<String>,
    /// 満たしていない要件（日本語）
    unmet_requirements: Vec<String>,
    /// 申請書類
    documents: Vec<ParticipantDocument>,
}

/// 申請書類
#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipantDocument {
    name: String,
    #[schema(format = "uri")]
    url: String,
    sha256: String,
}

/// 受付票と、それを受け取った企業
#[derive(Debug, Serialize, ToSchema)]
pub struct BidReceipt {
    #[serde(flatten)]
    receipt: Receipt,
    company_id: i64,
}

pub async fn participants(
    state: &AppState,
    case: &store::Case,
    t: &store::TenderRecord,
) -> Result<Participants, WebError> {
    let divisions = state.store.industry_divisions().await?;
    let participants = state
        .store
        .participants(case.id)
        .await?
        .iter()
        .map(|p| {
            let section = divisions
                .iter()
                .find(|d| d.code == p.industry_division)
                .map(|d| d.section_code.clone())
                .unwrap_or_default();
            Participant {
                company_id: p.company_id,
                company: p.company_name.clone(),
                status: p.status.as_str().to_owned(),
                status_label: p.status.label().to_owned(),
                reason: p.reason.clone(),
                declared_grade: p.declared_grade.clone(),
                message: p.message.clone(),
                technical_score: p.technical_score,
                applied_at: p.applied_at.map(time),
                decided_at: p.decided_at.map(time),
                unmet_requirements: t.requirements.unmet(
                    p.declared_grade.as_deref(),
                    p.prefecture_code,
                    &section,
                ),
                documents: p
                    .files
                    .iter()
                    .map(|f| ParticipantDocument {
                        name: f.name.clone(),
                        url: format!("{}{}", state.settings.public_url, f.href()),
                        sha256: f.sha256.clone(),
                    })
                    .collect(),
            }
        })
        .collect();
    let bids = state
        .store
        .sealed_bids(case.id)
        .await?
        .iter()
        .map(|b| BidReceipt {
            receipt: (&b.receipt).into(),
            company_id: b.company_id,
        })
        .collect();
    Ok(Participants { participants, bids })
}
