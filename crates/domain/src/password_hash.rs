//! Password hashes: argon2id with the library's recommended parameters
//! (19 MiB, 2 passes, 1 lane — the OWASP minimum), a random salt each time,
//! stored in the PHC string format.
//!
//! Each thread keeps one working memory for argon2 and reuses it. Allocating
//! 19 MiB for every hash made the allocator keep freed blocks in one arena per
//! thread that had ever hashed — a burst of sign-ins left hundreds of MiB
//! resident. With the web server's few hashing threads the memory is now
//! 19 MiB per thread, once.

use std::cell::RefCell;

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use crate::Password;

thread_local! {
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs argon2 in this thread's working memory (grown once to the size the
/// parameters need).
fn compute(argon: &Argon2<'_>, password: &[u8], salt: &[u8], out: &mut [u8]) -> Result<(), String> {
    let blocks = argon.params().block_count();
    MEMORY.with_borrow_mut(|memory| {
        if memory.len() < blocks {
            memory.resize(blocks, Block::new());
        }
        argon
            .hash_password_into_with_memory(password, salt, out, &mut memory[..blocks])
            .map_err(|e| format!("cannot hash the password: {e}"))
    })
}

/// Hashes a new password for storage.
pub fn hash(password: &Password) -> Result<String, String> {
    let params = Params::default();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let salt = argon2::password_hash::generate_salt();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    compute(&argon, password.expose().as_bytes(), &salt, &mut out)?;
    let bad = |e: argon2::password_hash::phc::Error| format!("cannot encode the hash: {e}");
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params)
            .map_err(|e| format!("cannot encode the hash: {e}"))?,
        salt: Some(Salt::new(&salt).map_err(bad)?),
        hash: Some(Output::new(&out).map_err(bad)?),
    };
    Ok(phc.to_string())
}

/// True when `attempt` matches `stored`. A malformed hash (an invited user
/// who has not set a password yet) never matches, and costs the same time
/// as a real one, so the answer time does not tell such accounts apart.
pub fn verify(attempt: &str, stored: &str) -> bool {
    match check(attempt, stored) {
        Some(matches) => matches,
        None => {
            let _ = check(attempt, decoy());
            false
        }
    }
}

/// `None` when `stored` is not an argon2 hash this code can check.
fn check(attempt: &str, stored: &str) -> Option<bool> {
    let phc = PasswordHash::new(stored).ok()?;
    let (salt, expected) = (phc.salt.as_ref()?, phc.hash.as_ref()?);
    let algorithm = Algorithm::try_from(phc.algorithm.as_str()).ok()?;
    let version = match phc.version {
        Some(v) => Version::try_from(v).ok()?,
        None => Version::default(),
    };
    let params = Params::try_from(&phc).ok()?;
    let argon = Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; expected.len()];
    compute(&argon, attempt.as_bytes(), salt, &mut out).ok()?;
    // Output compares in constant time.
    Some(Output::new(&out).ok()? == *expected)
}

/// A hash of a password nobody knows, to spend the same time on an unknown
/// address as on a wrong password (so the answer time does not tell which).
pub fn decoy() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        let p = Password::parse("decoy-password-never-used-1").expect("valid decoy");
        hash(&p).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_is_argon2id_salted_and_verifies_only_its_password() {
        let p = Password::parse("Tokyo2026navi").unwrap();
        let a = hash(&p).unwrap();
        let b = hash(&p).unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify("Tokyo2026navi", &a));
        assert!(!verify("tokyo2026navi", &a));
        assert!(!verify("Tokyo2026navi", "not a hash"));
        assert!(!verify("decoy-password-never-used-1x", decoy()));
    }

    #[test]
    fn hashes_made_before_verify_and_ours_verify_with_the_library() {
        use argon2::PasswordVerifier;
        // Made by argon2's own hash_password (as stored before this change).
        let theirs = {
            use argon2::PasswordHasher;
            Argon2::default()
                .hash_password(b"Tokyo2026navi")
                .unwrap()
                .to_string()
        };
        assert!(verify("Tokyo2026navi", &theirs));
        assert!(!verify("Tokyo2026navX", &theirs));
        let ours = hash(&Password::parse("Tokyo2026navi").unwrap()).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"Tokyo2026navi", ours.as_str())
                .is_ok()
        );
        // A hash with other parameters is checked with its own.
        let small = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8, 1, 1, None).unwrap(),
        );
        let other = {
            use argon2::PasswordHasher;
            small.hash_password(b"Tokyo2026navi").unwrap().to_string()
        };
        assert!(verify("Tokyo2026navi", &other));
        assert!(verify("Tokyo2026navi", &theirs), "and the big one after it");
    }

    #[test]
    fn a_malformed_hash_costs_as_much_time_as_a_real_one() {
        let real = hash(&Password::parse("Tokyo2026navi").unwrap()).unwrap();
        let time = |stored: &str| {
            (0..3)
                .map(|_| {
                    let t = std::time::Instant::now();
                    assert!(!verify("Wrong-2026-navi", stored));
                    t.elapsed()
                })
                .min()
                .unwrap()
        };
        let (a, b) = (time(&real), time("!invited"));
        assert!(b * 2 > a, "malformed {b:?} vs real {a:?}");
    }
}
