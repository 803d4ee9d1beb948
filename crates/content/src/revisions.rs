//! Which old revisions are thinned: the newest [`KEEP_RECENT`] are kept, and
//! before them the newest of each month (JST), so that a page edited daily
//! for years keeps about 50 + 12 a year instead of thousands.

/// Revisions always kept, newest first.
pub const KEEP_RECENT: usize = 50;

/// The ids to delete among `revisions` (id, saved at in UTC ms), in any order.
pub fn to_thin(revisions: &[(i64, i64)]) -> Vec<i64> {
    let mut newest_first = revisions.to_vec();
    newest_first.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
    let mut months_kept = std::collections::HashSet::new();
    let mut thinned = Vec::new();
    for (i, (id, at)) in newest_first.into_iter().enumerate() {
        if i < KEEP_RECENT {
            continue;
        }
        let (y, m, ..) = domain::time::jst_parts(at);
        if !months_kept.insert((y, m)) {
            thinned.push(id);
        }
    }
    thinned
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const DAY: i64 = 86_400_000;
    const START: i64 = 1_767_193_200_000; // 2026-01-01 00:00 JST

    #[test]
    fn a_page_saved_daily_for_two_years_keeps_fifty_and_one_per_month_before() {
        let revisions: Vec<(i64, i64)> = (0..730).map(|d| (d + 1, START + d * DAY)).collect();
        let thinned = to_thin(&revisions);
        let kept = revisions.len() - thinned.len();
        // 50 newest (about 7 weeks) and one for each month before them.
        assert!((70..=75).contains(&kept), "kept {kept}");
        for newest in 681..=730 {
            assert!(!thinned.contains(&newest), "recent revision {newest} kept");
        }
        assert!(!thinned.contains(&31), "the newest of January 2026 is kept");
        assert!(thinned.contains(&30) && thinned.contains(&1));
    }

    #[test]
    fn fifty_or_fewer_are_all_kept() {
        let revisions: Vec<(i64, i64)> = (0..50).map(|i| (i, START + i)).collect();
        assert!(to_thin(&revisions).is_empty());
    }

    proptest! {
        #[test]
        fn thinning_keeps_the_newest_and_one_per_month_and_is_stable(
            times in prop::collection::vec(0i64..4_000_000_000_000, 0..300)
        ) {
            let revisions: Vec<(i64, i64)> =
                times.iter().enumerate().map(|(i, t)| (i as i64, *t)).collect();
            let thinned = to_thin(&revisions);
            let kept: Vec<(i64, i64)> =
                revisions.iter().copied().filter(|(id, _)| !thinned.contains(id)).collect();
            prop_assert!(kept.len() >= revisions.len().min(KEEP_RECENT));
            let newest = revisions.iter().map(|r| r.1).max();
            if let Some(newest) = newest {
                prop_assert!(kept.iter().any(|r| r.1 == newest));
            }
            let months = |rs: &[(i64, i64)]| {
                rs.iter().map(|r| { let (y, m, ..) = domain::time::jst_parts(r.1); (y, m) })
                    .collect::<std::collections::BTreeSet<_>>()
            };
            prop_assert_eq!(months(&kept), months(&revisions), "every month keeps one");
            prop_assert!(to_thin(&kept).is_empty(), "thinning again removes nothing");
        }
    }
}
