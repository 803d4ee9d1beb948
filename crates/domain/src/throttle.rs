//! Throttling password guesses and mail-sending forms with gates that delay
//! rather than lock (docs/decisions/0005-sign-in-throttling.md).
//!
//! A gate counts the attempts made through it. The first `free` pass at once;
//! after that each admitted attempt closes the gate for a delay that doubles up
//! to a cap, so guessing stays slow while nobody is shut out for longer than
//! the cap. A gate left alone for `forget_after_ms` starts over. Attempts are
//! counted when they are admitted — before any password is checked — and a
//! right password settles the gate (`Settle`).

use std::net::IpAddr;

/// How one kind of gate lets attempts through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GatePolicy {
    /// Attempts admitted one after the other without any delay.
    pub free: i64,
    /// The delay after the first attempt past `free`; it doubles with each
    /// further attempt.
    pub first_delay_ms: i64,
    /// The longest the gate ever stays closed after one attempt.
    pub max_delay_ms: i64,
    /// A gate with no admitted attempt for this long starts over.
    pub forget_after_ms: i64,
}

impl GatePolicy {
    /// How long the gate stays closed after the `n`-th attempt of a run (from 1).
    pub fn delay_after(&self, n: i64) -> i64 {
        if n < self.free {
            return 0;
        }
        let doublings = u32::try_from(n - self.free).unwrap_or(u32::MAX).min(62);
        self.first_delay_ms
            .checked_mul(1_i64 << doublings)
            .map_or(self.max_delay_ms, |d| d.min(self.max_delay_ms))
    }
}

const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;

/// Sign-in for one account: five attempts, then 5 s, 10 s, 20 s, 40 s and
/// from then on one attempt a minute. An attacker keeps a user from a new
/// browser out for at most a minute per attempt; a known browser has its own
/// gate (`DEVICE`).
pub const ACCOUNT: GatePolicy = GatePolicy {
    free: 5,
    first_delay_ms: 5 * SECOND,
    max_delay_ms: MINUTE,
    forget_after_ms: 15 * MINUTE,
};

/// Sign-in from a browser that signed in to the account before.
pub const DEVICE: GatePolicy = ACCOUNT;

/// Sign-in from one client address (an IPv6 /64), whatever the account: a
/// busy office shares one address, so successes are given back (`Settle`).
pub const ADDRESS: GatePolicy = GatePolicy {
    free: 20,
    first_delay_ms: 5 * SECOND,
    max_delay_ms: MINUTE,
    forget_after_ms: 15 * MINUTE,
};

/// Password-reset mails to one address: three, then one per 15, 30, 60 minutes.
pub const RESET_EMAIL: GatePolicy = GatePolicy {
    free: 3,
    first_delay_ms: 15 * MINUTE,
    max_delay_ms: 60 * MINUTE,
    forget_after_ms: 60 * MINUTE,
};

/// Password-reset requests from one client address, whatever the address typed.
pub const RESET_CLIENT: GatePolicy = GatePolicy {
    free: 10,
    first_delay_ms: 5 * MINUTE,
    max_delay_ms: 60 * MINUTE,
    forget_after_ms: 60 * MINUTE,
};

/// A browser stays known this long after its last successful sign-in.
pub const DEVICE_LIFETIME_MS: i64 = 180 * 24 * 60 * MINUTE;

/// One gate: its key in the database and its policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gate {
    pub key: String,
    pub policy: GatePolicy,
}

impl Gate {
    /// Sign-in attempts naming this account (registered or not).
    pub fn account(email_key: &str) -> Gate {
        Gate {
            key: format!("account:{email_key}"),
            policy: ACCOUNT,
        }
    }

    /// Sign-in attempts from a known browser (the hash of its token).
    pub fn device(token_hash: &str) -> Gate {
        Gate {
            key: format!("device:{token_hash}"),
            policy: DEVICE,
        }
    }

    /// Sign-in attempts from a client address.
    pub fn address(client: &str) -> Gate {
        Gate {
            key: format!("address:{}", client_key(client)),
            policy: ADDRESS,
        }
    }

    /// Password-reset requests for an address.
    pub fn reset_email(email_key: &str) -> Gate {
        Gate {
            key: format!("reset:{email_key}"),
            policy: RESET_EMAIL,
        }
    }

    /// Password-reset requests from a client address.
    pub fn reset_client(client: &str) -> Gate {
        Gate {
            key: format!("reset-from:{}", client_key(client)),
            policy: RESET_CLIENT,
        }
    }
}

/// What a successful sign-in does to the gates it passed: the account's (or
/// the device's) starts over, since the password is proven; the address's
/// only forgets this one attempt, so that signing in to one's own account
/// cannot buy guesses at others.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settle {
    pub reset: Vec<String>,
    pub refund: Vec<String>,
}

/// The client as throttled: an IPv4 address, or the /64 an IPv6 address
/// belongs to (one subscriber holds a whole /64). Anything else as it is.
pub fn client_key(client: &str) -> String {
    match client.parse::<IpAddr>().map(crate::net::canonical) {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Err(_) => client.to_owned(),
    }
}

/// A wait in whole seconds, rounded up, for the message to the user.
pub fn wait_seconds(wait_ms: i64) -> i64 {
    (wait_ms.max(0) + SECOND - 1) / SECOND
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const POLICIES: [GatePolicy; 5] = [ACCOUNT, DEVICE, ADDRESS, RESET_EMAIL, RESET_CLIENT];

    #[test]
    fn an_account_takes_five_attempts_then_waits_longer_each_time_up_to_a_minute() {
        let delays: Vec<i64> = (1..=12).map(|n| ACCOUNT.delay_after(n) / 1000).collect();
        assert_eq!(delays, [0, 0, 0, 0, 5, 10, 20, 40, 60, 60, 60, 60]);
    }

    #[test]
    fn a_gate_is_forgotten_only_after_its_longest_delay_has_passed() {
        for p in POLICIES {
            assert!(p.forget_after_ms >= p.max_delay_ms, "{p:?}");
            assert!(p.free >= 1 && p.first_delay_ms > 0, "{p:?}");
        }
    }

    #[test]
    fn guessing_at_one_account_stays_under_one_attempt_a_minute() {
        // Over a day of steady attempts the delays allow at most this many.
        let mut at = 0;
        let mut n = 0;
        while at < 24 * 60 * MINUTE {
            n += 1;
            at += ACCOUNT.delay_after(n);
        }
        assert!(n <= 24 * 60 + 10, "{n}");
    }

    #[test]
    fn ipv6_clients_are_throttled_by_their_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(
            client_key("2001:db8:1:2:aaaa::1"),
            client_key("2001:db8:1:2:bbbb::9")
        );
        assert_eq!(client_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_ne!(client_key("2001:db8:1:2::1"), client_key("2001:db8:1:3::1"));
        assert_eq!(client_key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(client_key("unknown"), "unknown");
        assert_ne!(
            Gate::address("192.0.2.7").key,
            Gate::reset_client("192.0.2.7").key
        );
    }

    #[test]
    fn waits_are_told_in_whole_seconds_rounded_up() {
        assert_eq!(wait_seconds(0), 0);
        assert_eq!(wait_seconds(1), 1);
        assert_eq!(wait_seconds(5_000), 5);
        assert_eq!(wait_seconds(5_001), 6);
        assert_eq!(wait_seconds(-3), 0);
    }

    proptest! {
        #[test]
        fn delays_never_shrink_and_never_pass_the_cap(n in 1_i64..10_000) {
            for p in POLICIES {
                let d = p.delay_after(n);
                prop_assert!(d >= p.delay_after(n - 1).max(0));
                prop_assert!(d <= p.max_delay_ms);
                prop_assert_eq!(d == 0, n < p.free);
            }
        }
    }
}
