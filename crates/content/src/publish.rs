//! Publication: 下書き → 予約 → 公開 → 非公開, decided when the item is read.
//!
//! A scheduled item is public from its time on, whoever reads it and whether
//! or not any job has run since: the state stored is the author's intention
//! (`Scheduled` at a time), and what a visitor sees follows from it and the
//! clock. Nothing has to move an item from 予約 to 公開, so nothing can miss it.

use domain::labelled_enum;

labelled_enum!(
    /// What the author chose.
    Status, "公開状態" {
        Draft = ("draft", "下書き"),
        Scheduled = ("scheduled", "予約"),
        Published = ("published", "公開"),
        Private = ("private", "非公開"),
    }
);

/// An item's status with its time (publication time, or the time it is due).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Publication {
    pub status: Status,
    /// When it was (or will be) published, UTC milliseconds.
    pub at: Option<i64>,
}

impl Publication {
    /// Whether a visitor may see it at `now`.
    pub fn is_public(&self, now: i64) -> bool {
        match self.status {
            Status::Published => true,
            Status::Scheduled => self.at.is_some_and(|at| at <= now),
            Status::Draft | Status::Private => false,
        }
    }

    /// The status a reader sees at `now` (a scheduled item whose time has
    /// come is 公開).
    pub fn shown(&self, now: i64) -> Status {
        match self.status {
            Status::Scheduled if self.is_public(now) => Status::Published,
            s => s,
        }
    }

    /// When what a visitor sees of it changes by the clock alone, if ever.
    pub fn changes_at(&self, now: i64) -> Option<i64> {
        match (self.status, self.at) {
            (Status::Scheduled, Some(at)) if at > now => Some(at),
            _ => None,
        }
    }
}

/// Why a publication was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublishError {
    #[error("予約する日時を入力してください。")]
    NoTime,
    #[error("予約する日時は今より後にしてください。今すぐ公開するときは「公開」を選んでください。")]
    InThePast,
}

/// What an author asked for at `now`, as stored: publishing now dates the
/// item now (keeping an earlier publication date when it is published
/// again), scheduling needs a time still to come.
pub fn decide(
    wanted: Status,
    time: Option<i64>,
    before: Option<Publication>,
    now: i64,
) -> Result<Publication, PublishError> {
    let published_before = before
        .filter(|b| b.status == Status::Published || b.is_public(now))
        .and_then(|b| b.at);
    Ok(match wanted {
        Status::Scheduled => {
            let at = time.ok_or(PublishError::NoTime)?;
            if at <= now {
                return Err(PublishError::InThePast);
            }
            Publication {
                status: Status::Scheduled,
                at: Some(at),
            }
        }
        Status::Published => Publication {
            status: Status::Published,
            at: Some(published_before.unwrap_or(now)),
        },
        s => Publication {
            status: s,
            at: published_before,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: i64 = 1_800_000_000_000;

    #[test]
    fn a_scheduled_item_is_public_from_its_time_on_without_anything_running() {
        let p = decide(Status::Scheduled, Some(NOW + 60_000), None, NOW).expect("scheduled");
        assert!(!p.is_public(NOW));
        assert!(!p.is_public(NOW + 59_999));
        assert!(p.is_public(NOW + 60_000));
        assert_eq!(p.shown(NOW), Status::Scheduled);
        assert_eq!(p.shown(NOW + 60_000), Status::Published);
        assert_eq!(p.changes_at(NOW), Some(NOW + 60_000));
        assert_eq!(p.changes_at(NOW + 60_000), None);
    }

    #[test]
    fn scheduling_needs_a_time_to_come() {
        assert_eq!(
            decide(Status::Scheduled, None, None, NOW),
            Err(PublishError::NoTime)
        );
        assert_eq!(
            decide(Status::Scheduled, Some(NOW), None, NOW),
            Err(PublishError::InThePast)
        );
    }

    #[test]
    fn publishing_again_keeps_the_first_publication_date() {
        let first = decide(Status::Published, None, None, NOW).expect("published");
        assert_eq!(first.at, Some(NOW));
        let hidden = decide(Status::Private, None, Some(first), NOW + 5).expect("hidden");
        assert!(!hidden.is_public(NOW + 5));
        let again = decide(Status::Published, None, Some(first), NOW + 10).expect("again");
        assert_eq!(again.at, Some(NOW));
        let draft = decide(Status::Draft, None, None, NOW).expect("draft");
        assert!(!draft.is_public(i64::MAX));
    }

    proptest! {
        #[test]
        fn public_at_one_moment_stays_public_later_unless_changed(
            status in prop::sample::select(Status::ALL.to_vec()),
            at in prop::option::of(any::<i64>()),
            now in any::<i64>(),
            later in 0i64..1_000_000_000,
        ) {
            let p = Publication { status, at };
            if p.is_public(now) {
                prop_assert!(p.is_public(now.saturating_add(later)));
            }
            if let Some(t) = p.changes_at(now) {
                prop_assert!(t > now && !p.is_public(now) && p.is_public(t));
            }
        }
    }
}
