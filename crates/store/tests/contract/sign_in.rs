//! Sign-in gates, known devices and sessions' absolute end.

use domain::throttle::{ACCOUNT, ADDRESS, Gate, Settle};
use store::{Passage, Store};
use testkit::fixtures::{email, mail_to, new_user, profile};

const HOUR: i64 = 3_600_000;

/// Runs `n` reservations at once, each with the gates `gates(i)`, all at `now`;
/// returns which were admitted.
async fn at_once(
    store: &Store,
    n: usize,
    gates: impl Fn(usize) -> Vec<Gate>,
    now: i64,
) -> Vec<bool> {
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let store = store.clone();
            let gates = gates(i);
            tokio::spawn(async move { store.pass_gates(&gates, now).await })
        })
        .collect();
    let mut admitted = Vec::new();
    for t in tasks {
        admitted.push(t.await.expect("task").expect("pass_gates") == Passage::Admitted);
    }
    admitted
}

on_both_engines!(
    forty_parallel_attempts_at_one_account_admit_only_the_free_five,
    |store| {
        let admitted = at_once(
            &store,
            40,
            |_| vec![Gate::account("taro@example.co.jp")],
            1_000,
        )
        .await;
        assert_eq!(admitted.iter().filter(|a| **a).count(), 5);
        assert_eq!(
            store
                .gate_attempts("account:taro@example.co.jp")
                .await
                .unwrap(),
            5
        );
    }
);

on_both_engines!(
    thirty_parallel_attempts_from_one_address_admit_twenty_and_count_nothing_for_the_rest,
    |store| {
        let gates = |i: usize| {
            vec![
                Gate::account(&format!("user{i}@example.co.jp")),
                Gate::address("198.51.100.7"),
            ]
        };
        let admitted = at_once(&store, 30, gates, 1_000).await;
        assert_eq!(admitted.iter().filter(|a| **a).count(), 20);
        assert_eq!(
            store.gate_attempts("address:198.51.100.7").await.unwrap(),
            20
        );
        // A refused attempt counts at none of its gates.
        let mut counted = 0;
        for (i, passed) in admitted.iter().enumerate() {
            let n = store
                .gate_attempts(&format!("account:user{i}@example.co.jp"))
                .await
                .unwrap();
            assert_eq!(n == 1, *passed, "user{i}");
            counted += n;
        }
        assert_eq!(counted, 20);
    }
);

on_both_engines!(
    a_closed_gate_opens_again_after_a_delay_that_doubles_up_to_a_minute,
    |store| {
        let gate = [Gate::account("taro@example.co.jp")];
        let mut now = 10_000;
        for _ in 0..5 {
            assert_eq!(
                store.pass_gates(&gate, now).await.unwrap(),
                Passage::Admitted
            );
        }
        let mut waits = Vec::new();
        for _ in 0..7 {
            let Passage::Closed { wait_ms } = store.pass_gates(&gate, now).await.unwrap() else {
                panic!("closed after five attempts");
            };
            waits.push(wait_ms);
            // Just before it opens it is still closed; then it admits one.
            assert!(matches!(
                store.pass_gates(&gate, now + wait_ms - 1).await.unwrap(),
                Passage::Closed { wait_ms: 1 }
            ));
            now += wait_ms;
            assert_eq!(
                store.pass_gates(&gate, now).await.unwrap(),
                Passage::Admitted
            );
        }
        assert_eq!(
            waits,
            [5_000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000]
        );
        // Left alone long enough, the account starts over with five free attempts.
        now += ACCOUNT.forget_after_ms;
        for _ in 0..5 {
            assert_eq!(
                store.pass_gates(&gate, now).await.unwrap(),
                Passage::Admitted
            );
        }
        assert!(matches!(
            store.pass_gates(&gate, now).await.unwrap(),
            Passage::Closed { wait_ms: 5_000 }
        ));
    }
);

on_both_engines!(
    a_right_password_reopens_the_account_and_gives_the_address_its_attempt_back,
    |store| {
        let account = Gate::account("taro@example.co.jp");
        let address = Gate::address("192.0.2.1");
        for _ in 0..5 {
            let gates = [account.clone(), address.clone()];
            assert_eq!(
                store.pass_gates(&gates, 1_000).await.unwrap(),
                Passage::Admitted
            );
        }
        store
            .settle_gates(&Settle {
                reset: vec![account.key.clone()],
                refund: vec![address.key.clone()],
            })
            .await
            .unwrap();
        assert_eq!(store.gate_attempts(&account.key).await.unwrap(), 0);
        assert_eq!(store.gate_attempts(&address.key).await.unwrap(), 4);
        assert_eq!(
            store
                .pass_gates(&[account.clone(), address], 1_000)
                .await
                .unwrap(),
            Passage::Admitted,
            "the account is open again at once"
        );
        // A closed gate says how long the longest wait is.
        let busy = Gate::address("192.0.2.99");
        for _ in 0..ADDRESS.free {
            store
                .pass_gates(std::slice::from_ref(&busy), 1_000)
                .await
                .unwrap();
        }
        assert!(matches!(
            store.pass_gates(&[account, busy], 2_000).await.unwrap(),
            Passage::Closed { wait_ms: 4_000 }
        ));
    }
);

on_both_engines!(
    a_device_is_known_for_its_own_account_until_it_goes_unused,
    |store| {
        store
            .remember_device("device-1", "taro@example.co.jp", 1_000)
            .await
            .unwrap();
        assert!(
            store
                .is_known_device("device-1", "taro@example.co.jp", 2_000)
                .await
                .unwrap()
        );
        assert!(
            !store
                .is_known_device("device-1", "jiro@example.co.jp", 2_000)
                .await
                .unwrap()
        );
        assert!(
            !store
                .is_known_device("device-2", "taro@example.co.jp", 2_000)
                .await
                .unwrap()
        );
        let lifetime = domain::throttle::DEVICE_LIFETIME_MS;
        assert!(
            !store
                .is_known_device("device-1", "taro@example.co.jp", 1_000 + lifetime)
                .await
                .unwrap()
        );
        // Each sign-in refreshes it.
        store
            .remember_device("device-1", "taro@example.co.jp", 5_000)
            .await
            .unwrap();
        assert!(
            store
                .is_known_device("device-1", "taro@example.co.jp", 1_000 + lifetime)
                .await
                .unwrap()
        );
    }
);

on_both_engines!(
    purging_forgets_idle_gates_and_devices_unused_for_their_lifetime,
    |store| {
        store
            .pass_gates(&[Gate::account("old@example.jp")], 1_000)
            .await
            .unwrap();
        store
            .pass_gates(&[Gate::account("new@example.jp")], 50 * HOUR)
            .await
            .unwrap();
        store
            .remember_device("d-old", "old@example.jp", 1_000)
            .await
            .unwrap();
        let lifetime = domain::throttle::DEVICE_LIFETIME_MS;
        store
            .remember_device("d-new", "new@example.jp", lifetime)
            .await
            .unwrap();
        store
            .purge_sign_in_attempts(lifetime + 10 * HOUR)
            .await
            .unwrap();
        assert_eq!(
            store.gate_attempts("account:old@example.jp").await.unwrap(),
            0
        );
        assert_eq!(
            store.gate_attempts("account:new@example.jp").await.unwrap(),
            0
        );
        let now = lifetime + 10 * HOUR;
        assert!(
            !store
                .is_known_device("d-old", "old@example.jp", 2_000)
                .await
                .unwrap()
        );
        assert!(
            store
                .is_known_device("d-new", "new@example.jp", now)
                .await
                .unwrap()
        );
    }
);

on_both_engines!(
    a_session_ends_at_its_absolute_end_however_busy_it_is,
    |store| {
        let (_, user_id) = store
            .create_application(
                &store::NewApplication {
                    profile: &profile(1),
                    user: &new_user("taro"),
                    confirmation_token_hash: "confirm-taro",
                    token_expires_at: HOUR,
                    mail: &mail_to(&email("taro"), "確認"),
                    terms_version: "2026-12-03",
                },
                0,
            )
            .await
            .unwrap();
        let signed_in = 1_000;
        let ends = signed_in + 12 * HOUR;
        store
            .create_session("s", user_id, "c", signed_in, signed_in + 2 * HOUR, ends)
            .await
            .unwrap();
        // Used every hour, its idle expiry keeps sliding past the end...
        let mut now = signed_in;
        while now + HOUR < ends {
            now += HOUR;
            let s = store
                .session("s", now)
                .await
                .unwrap()
                .expect("alive while in use");
            assert_eq!(s.ends_at, ends);
            store.touch_session("s", now, now + 2 * HOUR).await.unwrap();
        }
        // ...but at the end it is gone, and purged.
        assert!(store.session("s", ends - 1).await.unwrap().is_some());
        assert!(store.session("s", ends).await.unwrap().is_none());
        assert_eq!(store.purge_expired_sessions(ends).await.unwrap(), 1);
    }
);

on_both_engines!(
    attempts_that_read_the_clock_in_another_order_still_get_every_free_attempt,
    |store| {
        // Requests in flight together reach the database in any order.
        let gate = [Gate::address("192.0.2.1")];
        for i in 0..ADDRESS.free {
            assert_eq!(
                store.pass_gates(&gate, 10_000 - i).await.unwrap(),
                Passage::Admitted,
                "attempt {i}"
            );
        }
        assert!(matches!(
            store.pass_gates(&gate, 10_000).await.unwrap(),
            Passage::Closed { .. }
        ));
    }
);
