//! Checks and parsers of tim-headless that need no engine: the parameter checks every call runs
//! before it does anything, the parsers of what servers answer (the permission configuration,
//! directory bundles and tokens, the `.well-known` document), and the audit log's line format.
//! They live apart from the core so that fuzz targets can exercise them without building
//! matrix-sdk.

pub mod audit_line;
pub mod directory;
pub mod discovery;
pub mod permission_config;
pub mod validate;

/// A parameter that a check refused: which one and why, never its value (it may be a message
/// or a secret).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid {parameter}: {reason}")]
pub struct Invalid {
    /// The parameter, by its API name.
    pub parameter: &'static str,
    /// Why it was refused, without echoing the value.
    pub reason: &'static str,
}

impl Invalid {
    /// A refusal of `parameter` for `reason`.
    pub fn new(parameter: &'static str, reason: &'static str) -> Self {
        Self { parameter, reason }
    }
}
