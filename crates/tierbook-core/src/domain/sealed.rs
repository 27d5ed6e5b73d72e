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

/// An encrypted JSON export: the backup sealed with a key from the passphrase, and what is
/// needed to derive that key again. JSON itself, so it still reads as a Tierbook file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SealedFile {
    pub format: String,
    pub version: u32,
    pub kdf: String,
    pub iterations: u32,
    /// Base64.
    pub salt: String,
    /// Base64 of MAGIC, nonce, ciphertext and tag.
    pub data: String,
}

pub const SEALED_FILE_FORMAT: &str = "tierbook-sealed-backup";

impl SealedFile {
    pub fn seal(plain: &[u8], key: &[u8; 32], salt: &[u8], iterations: u32, nonce: [u8; 12]) -> SealedFile {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD;
        SealedFile {
            format: SEALED_FILE_FORMAT.into(),
            version: 1,
            kdf: "PBKDF2-SHA256".into(),
            iterations,
            salt: b64.encode(salt),
            data: b64.encode(seal(key, nonce, plain)),
        }
    }

    /// The sealed file in `text`, or None when it is not one (a plain backup, or anything else).
    pub fn parse(text: &str) -> Option<SealedFile> {
        if !text.trim_start().starts_with('{') || !text.contains(SEALED_FILE_FORMAT) {
            return None;
        }
        serde_json::from_str::<SealedFile>(text).ok().filter(|f| f.format == SEALED_FILE_FORMAT)
    }

    pub fn salt_bytes(&self) -> Vec<u8> {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.decode(&self.salt).unwrap_or_default()
    }

    /// The backup inside, with the key of the right passphrase; a wrong key or a changed file
    /// opens to an error, never to other data.
    pub fn open(&self, key: &[u8; 32]) -> Result<Vec<u8>, OpenError> {
        use base64::Engine;
        let bytes =
            base64::engine::general_purpose::STANDARD.decode(&self.data).map_err(|_| OpenError::WrongKeyOrDamaged)?;
        open(key, &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_file_opens_with_its_key_only_and_hides_the_backup() {
        let backup = r#"{"format":"tierbook-backup","customers":[{"name":"王芳"}]}"#;
        let file = SealedFile::seal(backup.as_bytes(), &[9u8; 32], &[1, 2, 3], ITERATIONS, [4u8; 12]);
        let text = serde_json::to_string(&file).unwrap();
        assert!(!text.contains("王芳") && !text.contains("tierbook-backup\""));
        let parsed = SealedFile::parse(&text).expect("a sealed file");
        assert_eq!(parsed.salt_bytes(), vec![1, 2, 3]);
        assert_eq!(parsed.iterations, 600_000);
        assert_eq!(parsed.open(&[9u8; 32]).unwrap(), backup.as_bytes());
        assert_eq!(parsed.open(&[8u8; 32]), Err(OpenError::WrongKeyOrDamaged));
        let mut tampered = parsed.clone();
        tampered.data.replace_range(20..21, if &tampered.data[20..21] == "A" { "B" } else { "A" });
        assert_eq!(tampered.open(&[9u8; 32]), Err(OpenError::WrongKeyOrDamaged));
        assert_eq!(SealedFile::parse(backup), None, "a plain backup is not a sealed file");
    }

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
