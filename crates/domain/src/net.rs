//! Networks (CIDR blocks) and the client address behind trusted proxies.
//! An IPv4-mapped IPv6 address (::ffff:192.0.2.1) is the IPv4 address it
//! maps, everywhere, so that a rule for 192.0.2.0/24 also covers it.

use std::net::IpAddr;

use crate::Invalid;

/// The address as compared: IPv4-mapped IPv6 becomes IPv4.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// A block of addresses: "192.0.2.0/24", "2001:db8::/32", or one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    /// Reads "address" or "address/prefix". Host bits below the prefix are
    /// cleared ("10.1.2.3/8" is 10.0.0.0/8).
    pub fn parse(input: &str) -> Result<Network, Invalid> {
        let s = input.trim();
        let bad = || {
            Invalid::new(format!(
                "ネットワーク「{}」を読めません（例：192.0.2.0/24、2001:db8::/32、203.0.113.5）。",
                s.chars().take(60).collect::<String>()
            ))
        };
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let raw: IpAddr = addr.trim().parse().map_err(|_| bad())?;
        let max = if raw.is_ipv4() { 32 } else { 128 };
        let mut prefix: u8 = match prefix {
            None => max,
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(bad)?,
        };
        let mut ip = raw;
        if let IpAddr::V6(v6) = raw
            && let Some(v4) = v6.to_ipv4_mapped()
        {
            // ::ffff:0:0/96 and longer name IPv4 blocks.
            if prefix < 96 {
                return Err(bad());
            }
            ip = IpAddr::V4(v4);
            prefix -= 96;
        }
        Ok(Network {
            addr: mask(ip, prefix),
            prefix,
        })
    }

    /// Whether `ip` is in this block.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        ip.is_ipv4() == self.addr.is_ipv4() && mask(ip, self.prefix) == self.addr
    }

    /// How many leading bits are fixed: more is more specific.
    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// The loopback blocks, 127.0.0.0/8 and ::1.
    pub fn loopback() -> Vec<Network> {
        vec![
            Network {
                addr: IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 0)),
                prefix: 8,
            },
            Network {
                addr: IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
                prefix: 128,
            },
        ]
    }
}

impl std::fmt::Display for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

fn mask(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            let m = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4((bits & m).into())
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let m = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6((bits & m).into())
        }
    }
}

/// Whether `ip` is in any of `networks`.
pub fn in_any(networks: &[Network], ip: IpAddr) -> bool {
    networks.iter().any(|n| n.contains(ip))
}

/// The client's address: the socket's peer, or — when the peer is a trusted
/// proxy — the rightmost address of X-Forwarded-For that is not a trusted
/// proxy (the one the nearest untrusted hop connected from). A header from
/// anyone else is ignored, as is anything in it that is not an address.
pub fn client_address(peer: IpAddr, forwarded_for: &[&str], trusted: &[Network]) -> IpAddr {
    let peer = canonical(peer);
    if !in_any(trusted, peer) {
        return peer;
    }
    let hops = forwarded_for
        .iter()
        .flat_map(|h| h.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else {
            // A garbled entry: trust stops here, at the last proxy we know.
            return client;
        };
        client = canonical(ip);
        if !in_any(trusted, client) {
            return client;
        }
    }
    client
}

/// "192.0.2.1", "192.0.2.1:5000", "[2001:db8::1]:5000", "2001:db8::1".
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    hop.rsplit_once(':')?
        .0
        .parse::<std::net::Ipv4Addr>()
        .ok()
        .map(IpAddr::V4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn networks_contain_their_addresses_in_both_families() {
        let n = Network::parse("192.0.2.0/24").unwrap();
        assert!(n.contains(ip("192.0.2.77")));
        assert!(!n.contains(ip("192.0.3.1")));
        assert!(n.contains(ip("::ffff:192.0.2.9")), "IPv4-mapped is IPv4");
        assert_eq!(
            Network::parse("10.1.2.3/8").unwrap().to_string(),
            "10.0.0.0/8"
        );
        let v6 = Network::parse("2001:db8::/32").unwrap();
        assert!(v6.contains(ip("2001:db8:ffff::1")));
        assert!(!v6.contains(ip("2001:db9::1")));
        assert!(!v6.contains(ip("192.0.2.1")));
        let mapped = Network::parse("::ffff:203.0.113.0/120").unwrap();
        assert_eq!(mapped.to_string(), "203.0.113.0/24");
        assert!(Network::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(
            Network::parse("203.0.113.5")
                .unwrap()
                .contains(ip("203.0.113.5"))
        );
        for bad in [
            "",
            "10.0.0.0/33",
            "::/129",
            "example.jp",
            "10.0.0.0/-1",
            "::ffff:1.2.3.4/64",
        ] {
            assert!(Network::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_client_is_taken_from_forwarded_for_only_behind_a_trusted_proxy() {
        let proxies = vec![Network::parse("10.0.0.0/8").unwrap()];
        // Not a proxy: the header is anyone's to write, and ignored.
        assert_eq!(
            client_address(ip("198.51.100.7"), &["203.0.113.1"], &proxies),
            ip("198.51.100.7")
        );
        // Behind the proxy: the rightmost untrusted address.
        assert_eq!(
            client_address(
                ip("10.0.0.2"),
                &["1.1.1.1, 203.0.113.9, 10.0.0.5"],
                &proxies
            ),
            ip("203.0.113.9"),
            "the spoofed leftmost entry is not believed"
        );
        assert_eq!(
            client_address(ip("10.0.0.2"), &["203.0.113.9", "10.0.0.5"], &proxies),
            ip("203.0.113.9"),
            "several headers read as one list"
        );
        assert_eq!(
            client_address(ip("10.0.0.2"), &[], &proxies),
            ip("10.0.0.2")
        );
        assert_eq!(
            client_address(ip("10.0.0.2"), &["garbage, 203.0.113.9"], &proxies),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_address(ip("10.0.0.2"), &["203.0.113.9, garbage"], &proxies),
            ip("10.0.0.2"),
            "trust stops at a garbled hop"
        );
        assert_eq!(
            client_address(ip("::ffff:10.0.0.2"), &["[2001:db8::1]:443"], &proxies),
            ip("2001:db8::1")
        );
    }

    proptest! {
        #[test]
        fn no_text_makes_the_readers_panic(s in "\\PC{0,60}", h in "\\PC{0,80}") {
            let _ = Network::parse(&s);
            let _ = client_address(ip("10.0.0.1"), &[&h], &[Network::parse("0.0.0.0/0").unwrap()]);
        }

        #[test]
        fn every_address_is_in_its_own_blocks(a in any::<u32>(), p in 0u8..=32) {
            let v4 = IpAddr::V4(a.into());
            let n = Network::parse(&format!("{v4}/{p}")).unwrap();
            prop_assert!(n.contains(v4));
        }
    }
}
