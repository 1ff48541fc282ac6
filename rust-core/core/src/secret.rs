//! Secrets that flow into the core and never out of it.

use std::fmt;

use zeroize::{Zeroize, Zeroizing};

/// A passphrase or password, wiped from memory when dropped.
///
/// `Debug` prints only that a secret is present, so that a secret cannot reach a log or an error
/// message by accident.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Takes ownership of the characters; the caller's buffer is wiped by the caller.
    pub fn new(value: String) -> Self {
        Self(Zeroizing::new(value))
    }

    /// Builds a secret from UTF-16 code units as Java hands them over, wiping the input.
    ///
    /// Unpaired surrogates are refused rather than replaced: a passphrase that changed on its way
    /// in would open nothing later.
    pub fn from_utf16(mut units: Vec<u16>) -> Option<Self> {
        let decoded = String::from_utf16(&units).ok();
        units.zeroize();
        decoded.map(Self::new)
    }

    /// The secret's text, for handing to the engine.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_secret() {
        let secret = Secret::new("hunter2-passphrase".to_owned());
        assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
    }

    #[test]
    fn utf16_with_an_unpaired_surrogate_is_refused() {
        assert!(Secret::from_utf16(vec![0x0061, 0xD800]).is_none());
        let secret = Secret::from_utf16("pässwörd".encode_utf16().collect()).expect("valid utf-16");
        assert_eq!(secret.expose(), "pässwörd");
    }
}
