//! Sealed bytes for a locked workbook: AES-256-GCM (RustCrypto's `aes-gcm`) with a fresh
//! 96-bit nonce per value. The key comes from the passphrase through PBKDF2-SHA256 (done by
//! the browser's WebCrypto, see `crate::lock`); this module only seals and opens, so it is
//! tested here on the host. A wrong key, or a value changed by even one bit, opens to an
//! error — never to wrong data.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use serde::{Deserialize, Serialize};

/// What a sealed value starts with; a plain shard starts with its format byte (1–3).
pub const MAGIC: &[u8; 4] = b"TBX1";

/// PBKDF2 iterations for a new lock (OWASP's 2023 advice for PBKDF2-HMAC-SHA256).
pub const ITERATIONS: u32 = 600_000;

/// What is stored, unsealed, about the lock: enough to derive the key again and check it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LockInfo {
    pub salt: Vec<u8>,
    pub iterations: u32,
    /// `CHECK_TEXT` sealed with the key: opening it tells a right passphrase from a wrong one.
    pub check: Vec<u8>,
}

pub const CHECK_TEXT: &[u8] = b"tierbook workbook lock";

#[derive(Debug, PartialEq, Eq)]
pub enum OpenError {
    /// Not sealed bytes at all.
    NotSealed,
    /// The key is wrong, or the bytes were changed.
    WrongKeyOrDamaged,
}

pub fn is_sealed(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// MAGIC, nonce, ciphertext and tag.
pub fn seal(key: &[u8; 32], nonce: [u8; 12], plaintext: &[u8]) -> Vec<u8> {
    let cipher = Aes256Gcm::new(key.into());
    // Encrypting a byte slice in memory cannot fail.
    let sealed = cipher.encrypt(Nonce::from_slice(&nonce), plaintext).expect("AES-GCM seals");
    let mut out = Vec::with_capacity(MAGIC.len() + 12 + sealed.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    out
}

pub fn open(key: &[u8; 32], bytes: &[u8]) -> Result<Vec<u8>, OpenError> {
    let body = bytes.strip_prefix(MAGIC.as_slice()).ok_or(OpenError::NotSealed)?;
    if body.len() < 12 + 16 {
        return Err(OpenError::WrongKeyOrDamaged);
    }
    let (nonce, sealed) = body.split_at(12);
    Aes256Gcm::new(key.into()).decrypt(Nonce::from_slice(nonce), sealed).map_err(|_| OpenError::WrongKeyOrDamaged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn matches_the_published_aes_256_gcm_test_vector() {
        // McGrew & Viega, "The Galois/Counter Mode of Operation", test case 14: zero key,
        // zero nonce, one zero block.
        let sealed = seal(&[0u8; 32], [0u8; 12], &[0u8; 16]);
        assert_eq!(&sealed[..4], MAGIC);
        assert_eq!(sealed[16..].to_vec(), hex("cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919"));
    }

    #[test]
    fn opens_with_the_key_and_refuses_anything_else() {
        let key = [7u8; 32];
        let sealed = seal(&key, [1u8; 12], "王芳 13800138000".as_bytes());
        assert!(is_sealed(&sealed));
        assert!(!sealed.windows(6).any(|w| w == "王芳".as_bytes()), "nothing readable");
        assert_eq!(open(&key, &sealed).unwrap(), "王芳 13800138000".as_bytes());
        assert_eq!(open(&[8u8; 32], &sealed), Err(OpenError::WrongKeyOrDamaged));
        let mut flipped = sealed.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert_eq!(open(&key, &flipped), Err(OpenError::WrongKeyOrDamaged));
        assert_eq!(open(&key, &[3, 1, 2]), Err(OpenError::NotSealed));
        assert_eq!(open(&key, &sealed[..20]), Err(OpenError::WrongKeyOrDamaged));
    }

    #[test]
    fn the_same_text_seals_differently_with_another_nonce() {
        let key = [7u8; 32];
        assert_ne!(seal(&key, [1u8; 12], b"same"), seal(&key, [2u8; 12], b"same"));
    }
}
