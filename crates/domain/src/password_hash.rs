//! Password hashes: argon2id with the library's recommended parameters
//! (19 MiB, 2 passes, 1 lane — the OWASP minimum), a random salt each time,
//! stored in the PHC string format.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};

use crate::Password;

/// Hashes a new password for storage.
pub fn hash(password: &Password) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.expose().as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// True when `attempt` matches `stored`; a malformed hash never matches.
pub fn verify(attempt: &str, stored: &str) -> bool {
    Argon2::default()
        .verify_password(attempt.as_bytes(), stored)
        .is_ok()
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
}
