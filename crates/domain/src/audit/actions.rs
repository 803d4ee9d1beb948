//! Every action the audit log records, with the label people read. A new
//! action gets its line here: the store refuses, in debug builds (every
//! test), to record an action without one.

/// (action as stored, label), grouped by what was acted on.
pub const ACTIONS: &[(&str, &str)] = &[
    ("sign_in.succeeded", "ログイン"),
    ("sign_in.failed", "ログインの失敗"),
    ("user.create", "職員の登録（旧形式）"),
    ("user.create_staff", "職員の登録"),
    ("terms.agreed", "利用規約への同意"),
    ("staff.suspended", "職員の利用停止"),
    ("staff.reinstated", "職員の利用再開"),
    ("staff.role_changed", "職員の役割の変更"),
    ("colleague.invitation_resent", "同僚への招待の再送"),
    ("colleague.invitation_cancelled", "同僚への招待の取り消し"),
    ("colleague.removed", "同僚の削除"),
    ("colleague.admin_granted", "会社の管理者への指定"),
    ("colleague.admin_revoked", "会社の管理者の解除"),
    ("company.confirm_email", "利用申請のメールアドレス確認"),
    ("company.approve", "利用申請の承認"),
    ("company.reject", "利用申請の否認"),
    ("company.return", "利用申請の差し戻し"),
    ("company.resubmit", "利用申請の再申請"),
    ("company.suspend", "企業の利用停止"),
    ("company.reinstate", "企業の利用再開"),
    (
        "company.legal_change.approve",
        "会社名・法人番号の変更の承認",
    ),
    (
        "company.legal_change.reject",
        "会社名・法人番号の変更の否認",
    ),
    (
        "company.dealings_change.approve",
        "ご利用の目的の変更の承認",
    ),
    ("company.dealings_change.reject", "ご利用の目的の変更の否認"),
    ("case.approve", "発注案件の承認（公開）"),
    ("case.return", "発注案件の差し戻し"),
    ("master.add", "マスタの追加"),
    ("master.update", "マスタの変更"),
    (
        "master.contract_departments.update",
        "契約部署マスタの年次更新",
    ),
    ("export.companies", "企業情報の出力"),
    ("api_token.create", "APIトークンの発行"),
    ("api_token.revoke", "APIトークンの失効"),
    ("tender.edit", "電子入札案件の編集"),
    ("tender.publish", "電子入札案件の公告"),
    ("tender.amend", "電子入札案件の変更公告"),
    ("tender.cancel", "電子入札案件の中止"),
    ("tender.open", "開札"),
    ("tender.award", "落札者の決定"),
    ("tender.unsuccessful", "不調（落札者なし）の決定"),
    ("tender.action", "電子入札案件の操作"),
    ("tender.participation.applied", "競争参加資格の申請"),
    ("tender.participation.approved", "競争参加資格ありの決定"),
    ("tender.participation.rejected", "競争参加資格なしの決定"),
    ("tender.participation.nominated", "指名"),
    ("tender.bid_received", "入札書の受付"),
    ("tender.bid_declined", "辞退届の受付"),
    ("tender.technical_score", "技術点の入力"),
    ("tender.question", "質問の受付"),
    ("tender.answer", "質問への回答"),
    ("company.profile", "企業プロフィールの変更"),
    ("content.draft", "サイトコンテンツの下書き保存"),
    ("content.scheduled", "サイトコンテンツの公開予約"),
    ("content.published", "サイトコンテンツの公開"),
    ("content.private", "サイトコンテンツの非公開化"),
    ("content.delete", "サイトコンテンツの削除"),
    ("content.menu", "サイトのメニューの変更"),
    ("content.blocks", "トップページのブロックの変更"),
    (
        "content.import",
        "コンテンツのバンドルの取り込み（ステージングから本番へ）",
    ),
    (
        "content.rollback",
        "コンテンツの取り込みの取り消し（取り込み前に戻す）",
    ),
    ("media.add", "メディアの登録"),
    ("media.update", "メディアの代替テキストの変更"),
    ("media.delete", "メディアの削除"),
];

/// The label of an action, if it has one.
pub fn action_label(action: &str) -> Option<&'static str> {
    ACTIONS
        .iter()
        .find(|(code, _)| *code == action)
        .map(|(_, label)| *label)
}

#[cfg(test)]
mod tests {
    use super::ACTIONS;
    use std::collections::HashSet;

    #[test]
    fn each_action_has_one_label_and_labels_are_distinct() {
        let codes: HashSet<_> = ACTIONS.iter().map(|(c, _)| c).collect();
        let labels: HashSet<_> = ACTIONS.iter().map(|(_, l)| l).collect();
        assert_eq!(codes.len(), ACTIONS.len());
        assert_eq!(labels.len(), ACTIONS.len());
    }
}
