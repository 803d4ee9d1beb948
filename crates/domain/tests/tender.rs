//! Random sequences of actions at random times against the tender's state
//! machine, and random bids against the opening: the invariants a public
//! body relies on hold whatever happens.

use domain::tender::{
    Action, AwardMethod, OpenedBid, Phase, Schedule, Tender, Validity, draw_kuji, open_bids,
};
use proptest::prelude::*;

fn schedule() -> impl Strategy<Value = Schedule> {
    prop::collection::vec(0i64..1_000, 6).prop_map(|mut gaps| {
        gaps.iter_mut().for_each(|g| *g *= 60_000);
        let mut t = 0;
        let mut at = || {
            t += gaps.remove(0);
            t
        };
        Schedule {
            published_at: at(),
            application_deadline: at(),
            qualification_notice_at: at(),
            bidding_opens_at: at(),
            bid_deadline: at(),
            opening_at: at(),
        }
    })
}

fn action(s: Schedule) -> impl Strategy<Value = Action> {
    prop_oneof![
        Just(Action::Publish),
        Just(Action::Cancel),
        Just(Action::Apply),
        Just(Action::Bid),
        Just(Action::Decline),
        Just(Action::Ask),
        Just(Action::Decide),
        Just(Action::Score),
        Just(Action::Open),
        Just(Action::Award),
        Just(Action::DeclareUnsuccessful),
        (-600_000i64..600_000).prop_map(move |shift| {
            let mut moved = s;
            moved.bid_deadline += shift;
            moved.opening_at += shift;
            Action::Amend(moved)
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_action_breaks_the_rules_of_a_tender(
        (schedule, steps) in schedule().prop_flat_map(|s| {
            let horizon = s.opening_at + 3_600_000;
            (Just(s), prop::collection::vec((action(s), 0i64..horizon), 1..40))
        })
    ) {
        let mut tender = Tender::draft(schedule);
        let mut results = 0;
        let mut steps = steps;
        // The server's clock only moves forward.
        steps.sort_by_key(|(_, t)| *t);
        for (action, now) in steps {
            let before = tender;
            let phase = before.phase(now);
            let ok = tender.apply(action, now).is_ok();
            if !ok {
                prop_assert_eq!(tender, before, "a refused action changes nothing");
                continue;
            }
            prop_assert!(!phase.is_final(), "nothing happens after a result");
            match action {
                Action::Bid | Action::Decline => {
                    let s = before.schedule;
                    prop_assert!(now >= s.bidding_opens_at && now < s.bid_deadline,
                        "a bid at {} outside {}..{}", now, s.bidding_opens_at, s.bid_deadline);
                }
                Action::Open => prop_assert!(now >= before.schedule.opening_at),
                Action::Apply => prop_assert_eq!(phase, Phase::Applications),
                Action::Award | Action::DeclareUnsuccessful => {
                    prop_assert_eq!(phase, Phase::Opened);
                    results += 1;
                }
                Action::Amend(new) => {
                    prop_assert!(now < before.schedule.bid_deadline || phase == Phase::Draft);
                    if phase == Phase::Bidding {
                        let old = before.schedule;
                        prop_assert!(new.bid_deadline >= old.bid_deadline, "bidding cut short");
                        prop_assert!(new.opening_at >= old.opening_at, "the opening brought forward");
                        prop_assert_eq!(new.bidding_opens_at, old.bidding_opens_at);
                    }
                }
                Action::Ask => prop_assert!(matches!(phase, Phase::Applications | Phase::Qualification),
                    "a question in {:?}", phase),
                Action::Decide => prop_assert!(now < before.schedule.bid_deadline, "a decision after the deadline"),
                Action::Score => prop_assert!(!matches!(phase, Phase::Draft | Phase::Opened | Phase::Announced)),
                Action::Publish | Action::Cancel => {}
            }
        }
        prop_assert!(results <= 1, "one result at most");
    }

    #[test]
    fn an_opening_has_exactly_one_winner_or_none_and_the_winner_is_best(
        bids in prop::collection::vec((1i64..2_000, 0u16..1000, 0i64..1_000_000, 1i64..200), 0..12),
        ceiling in 500i64..2_000,
        minimum in prop::option::of(1i64..600),
        comprehensive in any::<bool>(),
    ) {
        let bids: Vec<OpenedBid> = bids
            .into_iter()
            .map(|(amount, kuji, received_at, technical_score)| OpenedBid { amount, kuji, received_at, technical_score })
            .collect();
        let method = if comprehensive { AwardMethod::Comprehensive } else { AwardMethod::LowestPrice };
        let o = open_bids(&bids, ceiling, minimum, method);
        let valid: Vec<usize> = (0..bids.len()).filter(|i| o.validity[*i] == Validity::Valid).collect();
        for (i, b) in bids.iter().enumerate() {
            let should = b.amount <= ceiling && minimum.is_none_or(|m| b.amount >= m);
            prop_assert_eq!(o.validity[i] == Validity::Valid, should);
        }
        match o.winner {
            None => prop_assert!(valid.is_empty()),
            Some(w) => {
                prop_assert!(valid.contains(&w));
                for v in &valid {
                    let (a, b) = (&bids[w], &bids[*v]);
                    match method {
                        AwardMethod::LowestPrice => prop_assert!(a.amount <= b.amount),
                        AwardMethod::Comprehensive => prop_assert!(
                            i128::from(a.technical_score) * i128::from(b.amount)
                                >= i128::from(b.technical_score) * i128::from(a.amount)
                        ),
                    }
                }
                if let Some(k) = &o.tie {
                    // The draw is reproducible from what is published.
                    prop_assert_eq!(&draw_kuji(&bids, &k.order), k);
                    prop_assert_eq!(k.order[k.drawn], w);
                }
            }
        }
    }
}
