//! One notification pass (`chance-navi notify run`, and every minute inside
//! `serve` on one node at a time): read the cases changed since the last
//! pass, match them against every active setting, record the matches with
//! the cursor, then mail each user whose settings are due one mail with the
//! cases grouped by setting. A match is recorded once and mailed once; the
//! mail goes through the outbox, which retries while the SMTP server is down.

use std::collections::{BTreeMap, HashMap};

use store::{Case, NotifySetting, Store, StoreError};

use crate::matcher::{CaseFacts, Matcher};
use crate::setting::{Criteria, Frequency};

/// Cases read at a time.
const BATCH: i64 = 500;
/// Most cases in one mail per setting; the rest wait for the next mail.
pub const MAX_CASES_PER_SETTING: usize = 50;

/// What a pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Settings the changed cases were matched against (0 when nothing changed).
    pub settings: usize,
    pub cases_read: usize,
    pub new_matches: u64,
    pub mails: usize,
}

/// Whether a setting's mail is due at `now`: at once, or at its hour (JST)
/// once a day — the first time at the first such hour after the setting was
/// saved (`saved_at`), never at an hour that had passed when it was saved.
pub fn due(frequency: Frequency, last_sent_at: Option<i64>, saved_at: i64, now: i64) -> bool {
    match frequency {
        Frequency::Immediate => true,
        Frequency::Paused => false,
        Frequency::Daily(hour) => {
            let (y, m, d, ..) = domain::time::jst_parts(now);
            let slot = domain::time::jst_to_ms(y, m, d, u32::from(hour), 0);
            let since = last_sent_at.map_or(saved_at, |last| last.max(saved_at));
            now >= slot && since < slot
        }
    }
}

fn facts(c: &Case) -> CaseFacts {
    let f = &c.fields;
    CaseFacts::new(
        c.id,
        f.kind,
        f.category,
        f.procedure,
        f.prefecture_code,
        &f.organization_name,
        &f.title,
        &f.description,
    )
}

/// Runs one pass at `now`. `fresh_token` makes a user's unsubscribe token
/// the first time they are mailed.
pub async fn run(
    store: &Store,
    composer: &mail::Composer,
    fresh_token: impl Fn() -> String,
    now: i64,
) -> Result<PassReport, StoreError> {
    let mut report = PassReport::default();
    // Match what changed, batch by batch, the cursor moving with the matches;
    // when nothing changed, the settings are not even read.
    let head = store.latest_case_seq().await?;
    if head > store.notify_cursor().await? {
        let settings = usable(store.active_notify_settings().await?);
        let matcher = Matcher::build(settings.iter().map(|(s, c)| (s.id, c)));
        report.settings = matcher.len();
        match_changes(store, &matcher, &mut report, now).await?;
    }
    // Mail each user whose settings are due, reading only the settings
    // that have something to mail.
    let unmailed = store.unmailed_notify_matches().await?;
    let mut with_matches: Vec<i64> = unmailed.iter().map(|(s, _)| *s).collect();
    with_matches.dedup();
    let settings = usable(store.active_notify_settings_in(&with_matches).await?);
    deliver(
        store,
        composer,
        &fresh_token,
        &settings,
        unmailed,
        &mut report,
        now,
    )
    .await?;
    Ok(report)
}

/// The settings whose criteria check (the store has set aside those it
/// could not read), each with its criteria.
fn usable(settings: Vec<NotifySetting>) -> Vec<(NotifySetting, Criteria)> {
    settings
        .into_iter()
        .filter(|s| s.criteria.check().is_ok())
        .map(|s| {
            let c = s.criteria.clone();
            (s, c)
        })
        .collect()
}

async fn match_changes(
    store: &Store,
    matcher: &Matcher,
    report: &mut PassReport,
    now: i64,
) -> Result<(), StoreError> {
    loop {
        let after = store.notify_cursor().await?;
        let batch = store.cases_changed_since(after, BATCH).await?;
        let Some(last) = batch.last().map(|c| c.change_seq) else {
            break;
        };
        report.cases_read += batch.len();
        let open: Vec<CaseFacts> = batch
            .iter()
            .filter(|c| c.fields.status == domain::CaseStatus::Open)
            .map(facts)
            .collect();
        let pairs: Vec<(i64, i64)> = matcher
            .match_all(&open)
            .into_iter()
            .map(|(case, setting)| (setting, case))
            .collect();
        report.new_matches += store.record_notify_matches(&pairs, last, now).await?;
    }
    Ok(())
}

async fn deliver(
    store: &Store,
    composer: &mail::Composer,
    fresh_token: &impl Fn() -> String,
    settings: &[(NotifySetting, Criteria)],
    unmailed: Vec<(i64, i64)>,
    report: &mut PassReport,
    now: i64,
) -> Result<(), StoreError> {
    let by_id: HashMap<i64, &NotifySetting> = settings.iter().map(|(s, _)| (s.id, s)).collect();
    let mut per_user: BTreeMap<i64, Vec<(i64, i64)>> = BTreeMap::new();
    let mut taken: HashMap<i64, usize> = HashMap::new();
    for (setting, case) in unmailed {
        let Some(s) = by_id.get(&setting) else {
            continue;
        };
        let frequency = s.frequency;
        if !due(frequency, s.last_sent_at, s.updated_at, now) {
            continue;
        }
        let n = taken.entry(setting).or_default();
        if *n < MAX_CASES_PER_SETTING {
            *n += 1;
            per_user.entry(s.user_id).or_default().push((setting, case));
        }
    }
    for (user_id, pairs) in per_user {
        let Some(user) = store.user(user_id).await? else {
            continue;
        };
        let mut ids: Vec<i64> = pairs.iter().map(|(_, c)| *c).collect();
        ids.sort_unstable();
        ids.dedup();
        let cases: HashMap<i64, Case> = store
            .cases_by_ids(&ids)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        let mut groups: Vec<mail::DigestGroup> = Vec::new();
        for (setting, case) in &pairs {
            let Some(c) = cases.get(case).filter(|c| c.fields.status.is_public()) else {
                continue;
            };
            let name = by_id
                .get(setting)
                .map_or_else(String::new, |s| s.name.clone());
            let entry = mail::DigestCase {
                title: c.fields.title.clone(),
                organization: c.fields.organization_name.clone(),
                deadline: c
                    .fields
                    .when(domain::CaseDate::SubmissionDeadline)
                    .or(c.fields.when(domain::CaseDate::ApplicationDeadline))
                    .map(domain::When::label)
                    .unwrap_or_default(),
                url: format!("{}/cases/{}", composer.site_url(), c.id),
            };
            match groups.iter_mut().find(|g| g.setting == name) {
                Some(g) => g.cases.push(entry),
                None => groups.push(mail::DigestGroup {
                    setting: name,
                    cases: vec![entry],
                }),
            }
        }
        let token = store.notify_token(user_id, &fresh_token()).await?;
        let mut mail = composer.notify_digest(&user.email, &user.name, &groups, &token);
        mail.dedupe_key = Some(format!("notify:{user_id}:{now}"));
        // Every case withdrawn meanwhile: nothing to say, the matches closed.
        let mail = (!groups.is_empty()).then_some(&mail);
        if store.deliver_notifications(&pairs, mail, now).await? && mail.is_some() {
            report.mails += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_daily_setting_is_due_once_a_day_from_its_hour() {
        // 2026-12-01 09:00 JST; the setting saved the evening before.
        let nine = domain::time::jst_to_ms(2026, 12, 1, 9, 0);
        let saved = nine - 12 * 3_600_000;
        let daily = Frequency::Daily(9);
        assert!(!due(daily, None, saved, nine - 1), "before the hour");
        assert!(due(daily, None, saved, nine));
        assert!(due(daily, Some(nine - 3_600_000), saved, nine + 60_000));
        assert!(
            !due(daily, Some(nine + 1), saved, nine + 3_600_000),
            "sent today"
        );
        assert!(due(Frequency::Immediate, Some(nine), saved, nine));
        assert!(!due(Frequency::Paused, None, saved, nine));
    }

    #[test]
    fn the_first_daily_mail_waits_for_the_next_chosen_hour_after_saving() {
        // Set to 8:00 and saved at 16:38: not at 16:41 the same day, but at
        // 8:00 the next morning.
        let eight = domain::time::jst_to_ms(2026, 12, 3, 8, 0);
        let saved = domain::time::jst_to_ms(2026, 12, 3, 16, 38);
        let daily = Frequency::Daily(8);
        assert!(!due(daily, None, saved, saved + 3 * 60_000));
        assert!(!due(daily, None, saved, eight + 86_400_000 - 1));
        assert!(due(daily, None, saved, eight + 86_400_000));
        // Changed again after a mail: the same rule from the change.
        assert!(!due(daily, Some(eight), saved, saved + 60_000));
    }
}
