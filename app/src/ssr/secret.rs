//! Random bearer secrets (session cookies, API tokens). Only their SHA-256 is ever stored, so a
//! leaked database does not let anyone sign in.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A fresh secret with a readable prefix (`hrld_…` for API tokens), and the hash to store.
pub fn generate(prefix: &str) -> (String, String) {
    let mut bytes = [0u8; 32];
    // rand's thread-local generator: ChaCha12 seeded, and reseeded, from the operating system.
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!("{prefix}{}", hex::encode(bytes));
    let hash = hash(&secret);
    (secret, hash)
}

pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_secrets_differ_and_each_hashes_to_what_is_stored() {
        let (a, a_hash) = generate("hrld_");
        let (b, _) = generate("hrld_");
        assert_ne!(a, b);
        assert!(a.starts_with("hrld_"));
        assert_eq!(hash(&a), a_hash);
        assert_ne!(a_hash, a);
    }
}
