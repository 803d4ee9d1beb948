//! The e-tender (電子入札) lifecycle as a state machine driven by the clock
//! and by staff actions: draft → 公告 → 参加申請 → 資格審査 → 入札受付 →
//! 締切 → 開札 → 落札決定 / 不調, or 中止 at any point before a result.
//!
//! Only what cannot be derived is stored ([`Stage`]); the phases between
//! publication and opening follow from the schedule and the time, so a
//! deadline is kept to the millisecond by every node without a job that
//! moves tenders along. Every action is checked here; a refused action says
//! why in Japanese.

use crate::Invalid;
use crate::case::CaseStatus;
use crate::labelled_enum;

/// 公告日, 参加申請締切, 資格審査結果通知日, 入札書受付開始, 入札締切, 開札日時
/// (UTC milliseconds), in that order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub published_at: i64,
    pub application_deadline: i64,
    pub qualification_notice_at: i64,
    pub bidding_opens_at: i64,
    pub bid_deadline: i64,
    pub opening_at: i64,
}

impl Schedule {
    /// The dates in order, each with its name.
    fn named(&self) -> [(&'static str, i64); 6] {
        [
            ("公告日", self.published_at),
            ("参加申請締切", self.application_deadline),
            ("資格審査結果通知日", self.qualification_notice_at),
            ("入札書受付開始", self.bidding_opens_at),
            ("入札締切", self.bid_deadline),
            ("開札日時", self.opening_at),
        ]
    }

    /// Whether `new` may replace this schedule once bidding has opened:
    /// bidders have planned (and some have bid) by it, so the dates up to
    /// 入札書受付開始 stay as they were, and 入札締切 and 開札日時 may move
    /// later but never earlier — a 変更公告 may extend bidding, not cut it
    /// short under the bidders' feet.
    pub fn check_extension(&self, new: &Schedule) -> Result<(), Invalid> {
        let (old, new) = (self.named(), new.named());
        for ((name, was), (_, is)) in old.iter().zip(new.iter()).take(4) {
            if was != is {
                return Err(Invalid::new(format!(
                    "入札書の受付が始まった後は、{name}は変更できません（変更できるのは入札締切と開札日時の延長だけです）。"
                )));
            }
        }
        for ((name, was), (_, is)) in old.iter().zip(new.iter()).skip(4) {
            if is < was {
                return Err(Invalid::new(format!(
                    "入札書の受付が始まった後は、{name}を早めることはできません（延長だけできます）。"
                )));
            }
        }
        Ok(())
    }

    /// Each date must be on or after the one before it.
    pub fn check(&self) -> Result<(), Invalid> {
        let named = self.named();
        for pair in named.windows(2) {
            let ((a, at), (b, bt)) = (pair[0], pair[1]);
            if bt < at {
                return Err(Invalid::new(format!(
                    "{b}は{a}より後の日時にしてください。"
                )));
            }
        }
        Ok(())
    }
}

labelled_enum!(
    /// What is stored about a tender's progress.
    Stage, "入札案件の段階" {
        Draft = ("draft", "下書き"),
        /// Published; the phase follows from the schedule and the time.
        Live = ("live", "公告中"),
        Opened = ("opened", "開札済み"),
        Awarded = ("awarded", "落札決定"),
        Unsuccessful = ("unsuccessful", "不調"),
        Cancelled = ("cancelled", "中止"),
    }
);

impl Stage {
    /// The case status a tender at this stage shows in search and lists.
    pub fn case_status(self) -> CaseStatus {
        match self {
            Stage::Draft => CaseStatus::Draft,
            Stage::Live => CaseStatus::Open,
            Stage::Opened => CaseStatus::Closed,
            Stage::Awarded => CaseStatus::Awarded,
            Stage::Unsuccessful => CaseStatus::Unsuccessful,
            Stage::Cancelled => CaseStatus::Cancelled,
        }
    }
}

labelled_enum!(
    /// Where a tender stands at an instant.
    Phase, "入札案件の状況" {
        Draft = ("draft", "下書き"),
        /// Published, before applications open (公告日 in the future).
        Announced = ("announced", "公告予定"),
        /// 参加申請受付中.
        Applications = ("applications", "参加申請受付中"),
        /// 資格審査中 (applications closed, bidding not yet open).
        Qualification = ("qualification", "資格審査中"),
        /// 入札書受付中.
        Bidding = ("bidding", "入札書受付中"),
        /// 入札締切後、開札前.
        Closed = ("closed", "開札待ち"),
        Opened = ("opened", "開札済み"),
        Awarded = ("awarded", "落札決定"),
        Unsuccessful = ("unsuccessful", "不調"),
        Cancelled = ("cancelled", "中止"),
    }
);

impl Phase {
    /// A result was reached or the tender was called off: nothing more happens.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Phase::Awarded | Phase::Unsuccessful | Phase::Cancelled
        )
    }
}

/// Why a bid cannot be made now, with the date that matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BidShut {
    /// 入札書受付開始 is ahead.
    NotYet { opens_at: i64 },
    /// 入札締切 has passed; the opening is ahead.
    PastDeadline { deadline: i64, opening_at: i64 },
    /// The bids have been opened (and perhaps a result decided).
    Opened,
    /// 中止.
    Cancelled,
}

impl BidShut {
    /// Why, and when, in Japanese: 「入札の受付は2026年12月10日 10:00 から始まります。」.
    pub fn message(self) -> String {
        let at = |ms| crate::When::At(ms).label();
        match self {
            BidShut::NotYet { opens_at } => {
                format!("入札の受付は{} から始まります。", at(opens_at))
            }
            BidShut::PastDeadline {
                deadline,
                opening_at,
            } => format!(
                "入札の締切（{}）を過ぎました。開札は {} の予定です。",
                at(deadline),
                at(opening_at)
            ),
            BidShut::Opened => "開札済みです。入札の結果は案件のページで公表しています。".into(),
            BidShut::Cancelled => "この案件は中止されました。入札はできません。".into(),
        }
    }
}

/// What someone asks of a tender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Staff publish a draft (公告).
    Publish,
    /// Staff change the schedule (変更公告), before bidding closes.
    Amend(Schedule),
    /// Staff call the tender off (中止).
    Cancel,
    /// A company applies to take part (参加希望申請).
    Apply,
    /// A company submits its sealed bid, or declines (辞退).
    Bid,
    Decline,
    /// A company asks a question (質問), from 公告 until bidding opens.
    Ask,
    /// Staff nominate a company (指名通知) or decide on an application
    /// (資格審査), until bidding closes.
    Decide,
    /// Staff record a 技術点 for 総合評価, until the opening.
    Score,
    /// Staff open the bids (開札).
    Open,
    /// Staff decide the winner (落札決定), or that there is none (不調).
    Award,
    DeclareUnsuccessful,
}

/// A tender: its stored stage and its schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tender {
    pub stage: Stage,
    pub schedule: Schedule,
}

fn refused(message: &str) -> Invalid {
    Invalid::new(message)
}

impl Tender {
    pub fn draft(schedule: Schedule) -> Tender {
        Tender {
            stage: Stage::Draft,
            schedule,
        }
    }

    /// The phase at `now`.
    pub fn phase(&self, now: i64) -> Phase {
        let s = &self.schedule;
        match self.stage {
            Stage::Draft => Phase::Draft,
            Stage::Opened => Phase::Opened,
            Stage::Awarded => Phase::Awarded,
            Stage::Unsuccessful => Phase::Unsuccessful,
            Stage::Cancelled => Phase::Cancelled,
            Stage::Live if now < s.published_at => Phase::Announced,
            Stage::Live if now < s.application_deadline => Phase::Applications,
            Stage::Live if now < s.bidding_opens_at => Phase::Qualification,
            Stage::Live if now < s.bid_deadline => Phase::Bidding,
            Stage::Live => Phase::Closed,
        }
    }

    /// The next date of the schedule that matters at `now` (公告日,
    /// 参加申請締切 … 開札日時), with its name; none for a draft or once
    /// opened, decided or called off.
    pub fn next_date(&self, now: i64) -> Option<(&'static str, i64)> {
        if self.stage != Stage::Live {
            return None;
        }
        self.schedule.named().into_iter().find(|(_, at)| *at > now)
    }

    /// Whether the notice may still be edited as a draft (after 公告 only a
    /// 変更公告 changes it).
    pub fn check_editable(&self) -> Result<(), Invalid> {
        if self.stage == Stage::Draft {
            Ok(())
        } else {
            Err(Invalid::new(
                "公告済みの案件は編集できません。日程の変更は変更公告で行ってください。",
            ))
        }
    }

    /// Whether anything may still happen (a decision, an answer): not once a
    /// result was reached or the tender was called off.
    pub fn check_not_final(&self, now: i64) -> Result<(), Invalid> {
        if self.phase(now).is_final() {
            Err(Invalid::new("この案件は終了しています。"))
        } else {
            Ok(())
        }
    }

    /// Whether a bid (or 辞退) can be made at `now`, or why not: the one
    /// rule both the bid page (form or reason) and the store (on submit) use.
    pub fn bid_window(&self, now: i64) -> Result<(), BidShut> {
        let s = &self.schedule;
        match self.phase(now) {
            Phase::Bidding => Ok(()),
            Phase::Draft | Phase::Announced | Phase::Applications | Phase::Qualification => {
                Err(BidShut::NotYet {
                    opens_at: s.bidding_opens_at,
                })
            }
            Phase::Closed => Err(BidShut::PastDeadline {
                deadline: s.bid_deadline,
                opening_at: s.opening_at,
            }),
            Phase::Opened | Phase::Awarded | Phase::Unsuccessful => Err(BidShut::Opened),
            Phase::Cancelled => Err(BidShut::Cancelled),
        }
    }

    /// Applies `action` at `now` (the server's clock), or says why not.
    pub fn apply(&mut self, action: Action, now: i64) -> Result<(), Invalid> {
        let phase = self.phase(now);
        // Before the generic "終了" below: a second opening (a double click,
        // two staff at once) is told what happened, not that it is too early.
        if action == Action::Open
            && matches!(phase, Phase::Opened | Phase::Awarded | Phase::Unsuccessful)
        {
            return Err(refused(
                "この案件は既に開札しています。開札は一度だけです。",
            ));
        }
        if phase.is_final() {
            return Err(refused("この案件は終了しているため、操作できません。"));
        }
        match action {
            Action::Publish => {
                if phase != Phase::Draft {
                    return Err(refused("公告済みの案件です。"));
                }
                self.schedule.check()?;
                if self.schedule.bid_deadline <= now {
                    return Err(refused("入札締切が過ぎた日程では公告できません。"));
                }
                self.stage = Stage::Live;
            }
            Action::Amend(schedule) => {
                if !matches!(
                    phase,
                    Phase::Draft
                        | Phase::Announced
                        | Phase::Applications
                        | Phase::Qualification
                        | Phase::Bidding
                ) {
                    return Err(refused("入札締切の後は日程を変更できません。"));
                }
                schedule.check()?;
                if phase == Phase::Bidding {
                    self.schedule.check_extension(&schedule)?;
                }
                if phase != Phase::Draft && schedule.bid_deadline <= now {
                    return Err(refused("入札締切は、これから先の日時にしてください。"));
                }
                self.schedule = schedule;
            }
            Action::Cancel => {
                if phase == Phase::Draft {
                    return Err(refused("下書きは中止ではなく削除してください。"));
                }
                self.stage = Stage::Cancelled;
            }
            Action::Apply => {
                if phase != Phase::Applications {
                    return Err(refused("参加申請の受付期間ではありません。"));
                }
            }
            Action::Bid | Action::Decline => {
                self.bid_window(now)
                    .map_err(|shut| Invalid::new(shut.message()))?;
            }
            Action::Ask => {
                if !matches!(phase, Phase::Applications | Phase::Qualification) {
                    return Err(refused(
                        "質問の受付期間（公告日から入札書受付開始まで）ではありません。",
                    ));
                }
            }
            Action::Decide => {
                if matches!(phase, Phase::Draft | Phase::Closed | Phase::Opened) {
                    return Err(refused(if phase == Phase::Draft {
                        "公告の後に参加資格を決定してください。"
                    } else {
                        "入札締切の後は参加資格を変更できません。"
                    }));
                }
            }
            Action::Score => {
                if !matches!(
                    phase,
                    Phase::Applications | Phase::Qualification | Phase::Bidding | Phase::Closed
                ) {
                    return Err(refused("技術点は公告の後、開札の前に登録してください。"));
                }
            }
            Action::Open => {
                if phase != Phase::Closed || now < self.schedule.opening_at {
                    return Err(refused("開札日時の前は開札できません。"));
                }
                self.stage = Stage::Opened;
            }
            Action::Award | Action::DeclareUnsuccessful => {
                if phase != Phase::Opened {
                    return Err(refused("開札の後に落札者を決定してください。"));
                }
                self.stage = if action == Action::Award {
                    Stage::Awarded
                } else {
                    Stage::Unsuccessful
                };
            }
        }
        Ok(())
    }
}

/// 参加資格等級, best first.
pub const GRADES: [&str; 4] = ["A", "B", "C", "D"];

/// What a company must meet to take part (参加資格): the grades admitted,
/// where its head office is, its industry; empty means any. And which
/// documents its application must bring.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requirements {
    pub grades: Vec<String>,
    pub prefectures: Vec<i64>,
    pub industries: Vec<String>,
    pub documents: String,
}

impl Requirements {
    /// What a company with this grade, prefecture and industry does not meet,
    /// in words staff and the company read.
    pub fn unmet(&self, grade: Option<&str>, prefecture: i64, industry: &str) -> Vec<String> {
        let mut out = Vec::new();
        if !self.grades.is_empty() && !grade.is_some_and(|g| self.grades.iter().any(|x| x == g)) {
            out.push(format!(
                "参加資格等級が{}ではありません",
                self.grades.join("・")
            ));
        }
        if !self.prefectures.is_empty() && !self.prefectures.contains(&prefecture) {
            out.push("本店所在地が地域要件を満たしません".to_owned());
        }
        if !self.industries.is_empty() && !self.industries.iter().any(|i| i == industry) {
            out.push("業種が要件を満たしません".to_owned());
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.grades.is_empty() && self.prefectures.is_empty() && self.industries.is_empty()
    }

    /// The grades as the case lists them (「A・B等級」), or None for any grade.
    pub fn grade_label(&self) -> Option<String> {
        (!self.grades.is_empty()).then(|| format!("{}等級", self.grades.join("・")))
    }
}

labelled_enum!(
    /// How the winner is chosen.
    AwardMethod, "落札方式" {
        /// The lowest valid price.
        LowestPrice = ("lowest_price", "最低価格落札方式"),
        /// The highest technical score ÷ price.
        Comprehensive = ("comprehensive", "総合評価落札方式（除算方式）"),
    }
);

impl AwardMethod {
    /// How the method picks the winner, in one phrase for the form.
    pub fn rule(self) -> &'static str {
        match self {
            AwardMethod::LowestPrice => "最も安い有効な入札が落札",
            AwardMethod::Comprehensive => "技術点÷入札価格が最も高い入札が落札",
        }
    }
}

labelled_enum!(
    /// Where a company stands in a tender.
    Participation, "参加の状況" {
        Applied = ("applied", "審査待ち"),
        Approved = ("approved", "参加資格あり"),
        Rejected = ("rejected", "参加資格なし"),
        /// 指名 (designated competitive tendering).
        Nominated = ("nominated", "指名"),
    }
);

impl Participation {
    /// Whether a company in this standing may submit a bid.
    pub fn may_bid(self) -> bool {
        matches!(self, Participation::Approved | Participation::Nominated)
    }

    /// Whether staff may record review decision `self` for a company whose
    /// standing is `current` (None: it never applied) and which `has_bid`
    /// (or declined) already; a rejection needs its reason.
    pub fn check_decision(
        self,
        reason: Option<&str>,
        current: Option<Participation>,
        has_bid: bool,
    ) -> Result<(), Invalid> {
        if self == Participation::Applied {
            return Err(Invalid::new("審査の結果を選んでください。"));
        }
        if self == Participation::Rejected && reason.is_none_or(|r| r.trim().is_empty()) {
            return Err(Invalid::new("参加資格を認めない理由を入力してください。"));
        }
        if has_bid {
            return Err(Invalid::new(
                "入札（または辞退）を受け付けた企業の参加資格は変更できません。",
            ));
        }
        if self != Participation::Nominated && current.is_none() {
            return Err(Invalid::new("この企業からの参加申請はありません。"));
        }
        Ok(())
    }
}

/// Whether a company in standing `p` (None: not taking part) may bid.
pub fn check_bidder(p: Option<Participation>) -> Result<(), Invalid> {
    if p.is_some_and(Participation::may_bid) {
        Ok(())
    } else {
        Err(Invalid::new(
            "この案件に入札できるのは、参加資格を認められた企業（指名された企業）だけです。",
        ))
    }
}

/// Highest 技術点.
pub const MAX_TECHNICAL_SCORE: i64 = 1_000_000;

/// Whether 技術点 `score` may be recorded for a company in standing `p` of a
/// tender awarded by `method`.
pub fn check_technical_score(
    method: AwardMethod,
    score: i64,
    p: Option<Participation>,
) -> Result<(), Invalid> {
    if !(0..=MAX_TECHNICAL_SCORE).contains(&score) {
        return Err(Invalid::new(
            "技術点は0以上1,000,000以下の整数で入力してください。",
        ));
    }
    if method != AwardMethod::Comprehensive {
        return Err(Invalid::new(
            "技術点は総合評価落札方式の案件だけに登録します。",
        ));
    }
    if !p.is_some_and(Participation::may_bid) {
        return Err(Invalid::new(
            "技術点は参加資格を認めた企業（指名した企業）に登録します。",
        ));
    }
    Ok(())
}

/// A bid as opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenedBid {
    /// Yen.
    pub amount: i64,
    /// The bidder's 3-digit くじ number (000–999).
    pub kuji: u16,
    /// The server's receipt time (ms).
    pub received_at: i64,
    /// 技術点 for 総合評価 (ignored for the lowest price).
    pub technical_score: i64,
}

labelled_enum!(
    /// What the opening made of a bid (有効・無効・失格).
    Validity, "入札の有効性" {
        Valid = ("valid", "有効"),
        /// Over 予定価格: 無効.
        OverCeiling = ("over_ceiling", "無効（予定価格超過）"),
        /// Under 最低制限価格: 失格.
        UnderMinimum = ("under_minimum", "失格（最低制限価格未満）"),
        /// Not a positive amount, or a bid that could not be opened or read: 無効.
        Malformed = ("malformed", "無効"),
    }
);

/// The opening's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opening {
    pub validity: Vec<Validity>,
    /// The winning bid's index, if any bid is valid.
    pub winner: Option<usize>,
    /// When several bids tied for the best: their indices in receipt order,
    /// and the くじ that settled it.
    pub tie: Option<Kuji>,
}

/// 電子くじ as Japanese e-bidding systems draw it: the tied bidders are
/// numbered 0, 1, 2… in order of receipt; each contributes its 3-digit くじ
/// number plus the last three digits of the milliseconds of its receipt
/// time; the sum modulo the number of tied bidders is the winner's number.
/// Everything it uses is published, so anyone can draw it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kuji {
    /// The tied bids' indices, in receipt order (their くじ numbering).
    pub order: Vec<usize>,
    /// Each tied bidder's contribution: くじ number + receipt ms mod 1000.
    pub parts: Vec<u64>,
    pub sum: u64,
    /// sum mod the number of tied bidders: the position in `order` that wins.
    pub drawn: usize,
}

/// Draws the くじ among `tied` (indices into `bids`).
pub fn draw_kuji(bids: &[OpenedBid], tied: &[usize]) -> Kuji {
    let mut order = tied.to_vec();
    order.sort_by_key(|i| (bids[*i].received_at, *i));
    let parts: Vec<u64> = order
        .iter()
        .map(|i| u64::from(bids[*i].kuji % 1000) + bids[*i].received_at.rem_euclid(1000) as u64)
        .collect();
    let sum: u64 = parts.iter().sum();
    let drawn = (sum % order.len().max(1) as u64) as usize;
    Kuji {
        order,
        parts,
        sum,
        drawn,
    }
}

/// Opens `bids`: each checked against 予定価格 (`ceiling`) and 最低制限価格
/// (`minimum`), the best valid one wins, and a tie is settled by くじ.
pub fn open_bids(
    bids: &[OpenedBid],
    ceiling: i64,
    minimum: Option<i64>,
    method: AwardMethod,
) -> Opening {
    let validity: Vec<Validity> = bids
        .iter()
        .map(|b| {
            if b.amount <= 0 {
                Validity::Malformed
            } else if b.amount > ceiling {
                Validity::OverCeiling
            } else if minimum.is_some_and(|m| b.amount < m) {
                Validity::UnderMinimum
            } else {
                Validity::Valid
            }
        })
        .collect();
    let valid: Vec<usize> = (0..bids.len())
        .filter(|i| validity[*i] == Validity::Valid)
        .collect();
    // Scores compared exactly: technical × other price against the other way
    // round, so that no rounding decides a public contract.
    let better = |a: usize, b: usize| -> std::cmp::Ordering {
        match method {
            AwardMethod::LowestPrice => bids[b].amount.cmp(&bids[a].amount),
            AwardMethod::Comprehensive => (i128::from(bids[a].technical_score)
                * i128::from(bids[b].amount))
            .cmp(&(i128::from(bids[b].technical_score) * i128::from(bids[a].amount))),
        }
    };
    let Some(best) = valid.iter().copied().max_by(|a, b| better(*a, *b)) else {
        return Opening {
            validity,
            winner: None,
            tie: None,
        };
    };
    let tied: Vec<usize> = valid
        .iter()
        .copied()
        .filter(|i| better(*i, best) == std::cmp::Ordering::Equal)
        .collect();
    if tied.len() == 1 {
        return Opening {
            validity,
            winner: Some(best),
            tie: None,
        };
    }
    let kuji = draw_kuji(bids, &tied);
    Opening {
        validity,
        winner: Some(kuji.order[kuji.drawn]),
        tie: Some(kuji),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    fn schedule() -> Schedule {
        Schedule {
            published_at: 10 * H,
            application_deadline: 20 * H,
            qualification_notice_at: 25 * H,
            bidding_opens_at: 30 * H,
            bid_deadline: 40 * H,
            opening_at: 41 * H,
        }
    }

    #[test]
    fn the_clock_moves_a_published_tender_through_its_phases_to_the_millisecond() {
        let mut t = Tender::draft(schedule());
        t.apply(Action::Publish, 0).unwrap();
        assert_eq!(t.phase(10 * H - 1), Phase::Announced);
        assert_eq!(t.phase(10 * H), Phase::Applications);
        assert_eq!(t.phase(20 * H), Phase::Qualification);
        assert_eq!(t.phase(30 * H), Phase::Bidding);
        assert_eq!(t.phase(40 * H - 1), Phase::Bidding);
        assert_eq!(t.phase(40 * H), Phase::Closed);
        assert!(t.apply(Action::Bid, 40 * H - 1).is_ok());
        let late = t.apply(Action::Bid, 40 * H).unwrap_err();
        assert!(late.message().contains("入札の締切（"), "{late}");
        assert!(t.apply(Action::Open, 41 * H - 1).is_err());
        t.apply(Action::Open, 41 * H).unwrap();
        t.apply(Action::Award, 41 * H).unwrap();
        assert_eq!(t.phase(100 * H), Phase::Awarded);
        assert!(t.apply(Action::Cancel, 100 * H).is_err(), "final");
    }

    #[test]
    fn the_bid_window_says_why_and_when_in_each_phase_and_is_the_rule_a_bid_meets() {
        let mut t = Tender::draft(schedule());
        assert_eq!(t.bid_window(0), Err(BidShut::NotYet { opens_at: 30 * H }));
        t.apply(Action::Publish, 0).unwrap();
        for before in [5 * H, 15 * H, 30 * H - 1] {
            let shut = t.bid_window(before).unwrap_err();
            assert!(
                shut.message().starts_with("入札の受付は1970年1月2日"),
                "{}",
                shut.message()
            );
            assert!(
                shut.message().contains("15:00 から始まります"),
                "{}",
                shut.message()
            );
            let refused = t.apply(Action::Bid, before).unwrap_err();
            assert_eq!(refused.message(), shut.message());
        }
        assert_eq!(t.bid_window(30 * H), Ok(()));
        let late = t.bid_window(40 * H).unwrap_err();
        assert_eq!(
            late,
            BidShut::PastDeadline {
                deadline: 40 * H,
                opening_at: 41 * H
            }
        );
        assert!(
            late.message().contains("を過ぎました"),
            "{}",
            late.message()
        );
        t.apply(Action::Open, 41 * H).unwrap();
        assert_eq!(t.bid_window(41 * H), Err(BidShut::Opened));
        assert!(BidShut::Opened.message().starts_with("開札済みです"));
        let mut cancelled = Tender::draft(schedule());
        cancelled.apply(Action::Publish, 0).unwrap();
        cancelled.apply(Action::Cancel, 35 * H).unwrap();
        assert_eq!(cancelled.bid_window(35 * H), Err(BidShut::Cancelled));
    }

    #[test]
    fn the_next_date_is_the_first_of_the_schedule_still_ahead_while_live() {
        let mut t = Tender::draft(schedule());
        assert_eq!(t.next_date(0), None, "a draft has none");
        t.apply(Action::Publish, 0).unwrap();
        assert_eq!(t.next_date(0), Some(("公告日", 10 * H)));
        assert_eq!(t.next_date(25 * H), Some(("入札書受付開始", 30 * H)));
        assert_eq!(t.next_date(35 * H), Some(("入札締切", 40 * H)));
        assert_eq!(t.next_date(40 * H), Some(("開札日時", 41 * H)));
        t.apply(Action::Open, 41 * H).unwrap();
        assert_eq!(t.next_date(41 * H), None, "opened");
    }

    #[test]
    fn once_bidding_has_opened_an_amendment_may_extend_the_deadline_but_not_shorten_it() {
        let mut t = Tender::draft(schedule());
        t.apply(Action::Publish, 0).unwrap();
        let during = 35 * H;
        assert_eq!(t.phase(during), Phase::Bidding);
        // Five seconds from now: refused, and nothing changes.
        let mut rushed = schedule();
        rushed.bid_deadline = during + 5_000;
        rushed.opening_at = during + 10_000;
        let e = t.apply(Action::Amend(rushed), during).unwrap_err();
        assert!(
            e.message().contains("入札締切を早めることはできません"),
            "{e}"
        );
        assert_eq!(t.schedule, schedule());
        // The opening may not come earlier either, even with the deadline kept.
        let mut early = schedule();
        early.opening_at = 40 * H + 1;
        let e = t.apply(Action::Amend(early), during).unwrap_err();
        assert!(
            e.message().contains("開札日時を早めることはできません"),
            "{e}"
        );
        // Nor may the dates already passed be rewritten (which could close bidding again).
        let mut reopened = schedule();
        reopened.bidding_opens_at = 36 * H;
        let e = t.apply(Action::Amend(reopened), during).unwrap_err();
        assert!(
            e.message().contains("入札書受付開始は変更できません"),
            "{e}"
        );
        // Extending the deadline and the opening with it is a 変更公告 like any other.
        let mut extended = schedule();
        extended.bid_deadline = 50 * H;
        extended.opening_at = 51 * H;
        t.apply(Action::Amend(extended), during).unwrap();
        assert_eq!(t.schedule, extended);
        assert_eq!(t.phase(45 * H), Phase::Bidding);
    }

    #[test]
    fn before_bidding_opens_an_amendment_may_still_bring_the_dates_forward() {
        let mut t = Tender::draft(schedule());
        t.apply(Action::Publish, 0).unwrap();
        let mut sooner = schedule();
        sooner.bid_deadline = 35 * H;
        sooner.opening_at = 36 * H;
        t.apply(Action::Amend(sooner), 15 * H).unwrap();
        assert_eq!(t.schedule, sooner);
        // The usual rule still holds: the deadline in the future.
        let mut past = sooner;
        past.application_deadline = 11 * H;
        past.qualification_notice_at = 11 * H;
        past.bidding_opens_at = 12 * H;
        past.bid_deadline = 14 * H;
        past.opening_at = 14 * H;
        let e = t.apply(Action::Amend(past), 15 * H).unwrap_err();
        assert!(e.message().contains("これから先"), "{e}");
    }

    #[test]
    fn a_second_opening_is_told_the_tender_is_already_opened() {
        let mut t = Tender::draft(schedule());
        t.apply(Action::Publish, 0).unwrap();
        t.apply(Action::Open, 41 * H).unwrap();
        let again = t.apply(Action::Open, 42 * H).unwrap_err();
        assert!(again.message().contains("既に開札しています"), "{again}");
        t.apply(Action::Award, 42 * H).unwrap();
        let after_award = t.apply(Action::Open, 43 * H).unwrap_err();
        assert!(
            after_award.message().contains("既に開札しています"),
            "{after_award}"
        );
        // A cancelled tender was never opened: it says it is over.
        let mut c = Tender::draft(schedule());
        c.apply(Action::Publish, 0).unwrap();
        c.apply(Action::Cancel, 1).unwrap();
        let cancelled = c.apply(Action::Open, 41 * H).unwrap_err();
        assert!(cancelled.message().contains("終了"), "{cancelled}");
    }

    #[test]
    fn questions_decisions_and_scores_have_their_own_periods() {
        let mut t = Tender::draft(schedule());
        assert!(
            t.apply(Action::Decide, 0).is_err(),
            "not before publication"
        );
        t.apply(Action::Publish, 0).unwrap();
        assert!(t.apply(Action::Ask, 10 * H - 1).is_err(), "before 公告日");
        t.apply(Action::Ask, 10 * H).unwrap();
        t.apply(Action::Ask, 30 * H - 1).unwrap();
        assert!(t.apply(Action::Ask, 30 * H).is_err(), "bidding opened");
        t.apply(Action::Decide, 40 * H - 1).unwrap();
        assert!(t.apply(Action::Decide, 40 * H).is_err(), "bidding closed");
        t.apply(Action::Score, 40 * H).unwrap();
        t.apply(Action::Open, 41 * H).unwrap();
        assert!(t.apply(Action::Score, 41 * H).is_err(), "opened");
    }

    #[test]
    fn requirements_name_what_a_company_does_not_meet() {
        let r = Requirements {
            grades: vec!["A".into(), "B".into()],
            prefectures: vec![13],
            industries: vec!["D".into()],
            documents: String::new(),
        };
        assert!(r.unmet(Some("B"), 13, "D").is_empty());
        let unmet = r.unmet(Some("C"), 14, "E");
        assert_eq!(unmet.len(), 3, "{unmet:?}");
        assert!(unmet[0].contains("A・B"));
        assert!(Requirements::default().unmet(None, 1, "Z").is_empty());
    }

    #[test]
    fn a_schedule_out_of_order_names_the_date_to_fix() {
        let mut s = schedule();
        s.opening_at = s.bid_deadline - 1;
        assert!(
            s.check()
                .unwrap_err()
                .message()
                .contains("開札日時は入札締切より後")
        );
        let mut t = Tender::draft(s);
        assert!(t.apply(Action::Publish, 0).is_err());
    }

    #[test]
    fn kuji_follows_the_published_rule() {
        // Three tied bidders, received in the order 1, 2, 0.
        let bid = |kuji, received_at| OpenedBid {
            amount: 1000,
            kuji,
            received_at,
            technical_score: 0,
        };
        let bids = [bid(999, 5_250), bid(123, 1_001), bid(456, 3_999)];
        let k = draw_kuji(&bids, &[0, 1, 2]);
        assert_eq!(k.order, [1, 2, 0]);
        assert_eq!(k.parts, [123 + 1, 456 + 999, 999 + 250]);
        assert_eq!(k.sum, 2828);
        assert_eq!(k.drawn, 2828 % 3);
        assert_eq!(k.order[k.drawn], 0, "the third received, bid 0, wins");
    }

    #[test]
    fn opening_checks_the_ceiling_and_the_minimum_and_settles_a_tie_by_kuji() {
        let bid = |amount, kuji, received_at| OpenedBid {
            amount,
            kuji,
            received_at,
            technical_score: 100,
        };
        let bids = [
            bid(1_200_000, 1, 10),
            bid(799_999, 2, 20),
            bid(900_000, 3, 30),
            bid(900_000, 4, 41),
        ];
        let o = open_bids(&bids, 1_000_000, Some(800_000), AwardMethod::LowestPrice);
        assert_eq!(
            o.validity,
            [
                Validity::OverCeiling,
                Validity::UnderMinimum,
                Validity::Valid,
                Validity::Valid
            ]
        );
        let tie = o.tie.unwrap();
        assert_eq!(tie.order, [2, 3]);
        // (3 + 30) + (4 + 41) = 78; 78 mod 2 = 0: the first received wins.
        assert_eq!((tie.sum, tie.drawn), (78, 0));
        assert_eq!(o.winner, Some(2));
        // Nothing valid: no winner (不調).
        let o = open_bids(
            &bids[..2],
            1_000_000,
            Some(800_000),
            AwardMethod::LowestPrice,
        );
        assert_eq!(o.winner, None);
    }

    #[test]
    fn comprehensive_evaluation_divides_the_score_by_the_price_exactly() {
        let bid = |amount, technical_score| OpenedBid {
            amount,
            kuji: 0,
            received_at: 0,
            technical_score,
        };
        // 150/1,000,000 beats 100/700,000 (0.000150 > 0.000143).
        let bids = [bid(700_000, 100), bid(1_000_000, 150)];
        let o = open_bids(&bids, 1_000_000, None, AwardMethod::Comprehensive);
        assert_eq!(o.winner, Some(1));
    }
}

#[cfg(test)]
mod taking_part_tests {
    use super::*;

    #[test]
    fn a_review_decision_needs_an_application_a_reason_to_reject_and_no_bid_yet() {
        use Participation::*;
        assert!(Applied.check_decision(None, Some(Applied), false).is_err());
        assert!(Approved.check_decision(None, Some(Applied), false).is_ok());
        let no_reason = Rejected.check_decision(Some("  "), Some(Applied), false);
        assert!(no_reason.unwrap_err().message().contains("理由"));
        assert!(
            Rejected
                .check_decision(Some("等級"), Some(Applied), false)
                .is_ok()
        );
        let bid = Approved.check_decision(None, Some(Approved), true);
        assert!(bid.unwrap_err().message().contains("変更できません"));
        assert!(Approved.check_decision(None, None, false).is_err());
        assert!(Nominated.check_decision(None, None, false).is_ok());
    }

    #[test]
    fn only_admitted_or_nominated_companies_bid_and_get_a_technical_score() {
        use Participation::*;
        for p in Participation::ALL {
            assert_eq!(check_bidder(Some(*p)).is_ok(), p.may_bid(), "{p:?}");
            let scored = check_technical_score(AwardMethod::Comprehensive, 80, Some(*p));
            assert_eq!(scored.is_ok(), p.may_bid(), "{p:?}");
        }
        assert!(check_bidder(None).is_err());
        let lowest = check_technical_score(AwardMethod::LowestPrice, 80, Some(Approved));
        assert!(lowest.unwrap_err().message().contains("総合評価"));
        for bad in [-1, MAX_TECHNICAL_SCORE + 1] {
            assert!(
                check_technical_score(AwardMethod::Comprehensive, bad, Some(Approved)).is_err()
            );
        }
    }

    #[test]
    fn the_grades_read_as_one_label() {
        let r = Requirements {
            grades: vec!["A".into(), "B".into()],
            ..Requirements::default()
        };
        assert_eq!(r.grade_label().as_deref(), Some("A・B等級"));
        assert_eq!(Requirements::default().grade_label(), None);
    }
}
