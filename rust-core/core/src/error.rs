//! The errors of the core: one enum, each variant named after a condition the caller can act on.
//!
//! Messages are lower-case, short and safe to show: they never contain a secret, a message body
//! or a Rust debug dump of an engine error. Engine errors are reduced to what a caller needs
//! (an HTTP status and a Matrix error code) before they become a [`CoreError`].

use matrix_sdk::{ClientBuildError, HttpError};

/// Result type of the core.
pub type CoreResult<T> = Result<T, CoreError>;

/// Everything that can go wrong in a call into the core.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// A parameter was missing, empty, too long or malformed; nothing was done.
    #[error("invalid {parameter}: {reason}")]
    InvalidArgument {
        /// Which parameter, by its API name.
        parameter: &'static str,
        /// Why it was refused, without echoing the value.
        reason: &'static str,
    },

    /// The client was closed; no further calls are possible.
    #[error("the client is closed")]
    Closed,

    /// The client stopped itself (a controlled stop); the value is the reason's code. No
    /// further calls are possible.
    #[error("the client stopped itself ({0}); see its audit log")]
    Stopped(&'static str),

    /// The call needs a logged-in session and there is none.
    #[error("the client is not logged in")]
    NotLoggedIn,

    /// The call needs a client without a session, and one is logged in already.
    #[error("the client is already logged in")]
    AlreadyLoggedIn,

    /// The store passphrase does not open this store.
    #[error("the store passphrase does not open this store")]
    WrongPassphrase,

    /// Another client (in this or another process) holds the store.
    #[error("the store is in use by another client")]
    StoreLocked,

    /// The store directory cannot be used (not a directory, not writable, damaged files).
    #[error("the store cannot be used: {0}")]
    StoreUnusable(&'static str),

    /// The homeserver refused the credentials.
    #[error("the homeserver refused the credentials")]
    AuthenticationFailed,

    /// A setting the operation needs was not configured; the value names it.
    #[error("{0} is not configured")]
    NotConfigured(&'static str),

    /// The recovery passphrase does not open the account's secret storage.
    #[error("the recovery passphrase does not open the account's key backup")]
    RecoveryPassphraseRefused,

    /// The key backup cannot be set up for the account as it is.
    #[error("the key backup cannot be set up: {0}")]
    KeyBackupUnavailable(&'static str),

    /// The homeserver answered with an error.
    #[error("the homeserver refused the request (HTTP {status}, {errcode})")]
    Homeserver {
        /// HTTP status of the answer.
        status: u16,
        /// Matrix error code such as `M_FORBIDDEN`, or `unknown`.
        errcode: String,
    },

    /// The homeserver could not be reached or the connection broke.
    #[error("the homeserver could not be reached")]
    Network,

    /// The homeserver refused an invitation (HTTP 403). With TI-M this is, as a rule, the
    /// invitee's permission configuration, enforced by the Fachdienst.
    #[error("the invitation was refused (HTTP {status}, {errcode}), usually by the invitee's permission settings")]
    InviteRefused {
        /// HTTP status of the answer.
        status: u16,
        /// Matrix error code such as `M_FORBIDDEN`.
        errcode: String,
    },

    /// The room is unknown to this client.
    #[error("the room is not known to this client")]
    RoomNotFound,

    /// The room is known, but this account's membership does not allow the call (for example
    /// leaving a room it has not joined).
    #[error("the room is not in the right state: {0}")]
    WrongRoomState(&'static str),

    /// The event is unknown to the homeserver, or not visible to this account.
    #[error("the event was not found")]
    EventNotFound,

    /// The call acts on an event that another user sent (edit, redaction).
    #[error("the event was sent by another user")]
    NotOwnEvent,

    /// The event is older than the 24 hours within which TI-M allows a redaction.
    #[error("the event is too old to be redacted")]
    RedactionExpired,

    /// A downloaded attachment does not match the hash its message gives; nothing was kept.
    #[error("the attachment does not match its message's hash")]
    AttachmentTampered,

    /// The send queue holds as many messages as it may; nothing was queued.
    #[error("the send queue is full")]
    QueueFull,

    /// No queued message has this transaction ID (it was sent or discarded, or never queued).
    #[error("no queued message has this transaction ID")]
    QueuedMessageNotFound,

    /// The queued message is being sent right now, so it cannot be discarded.
    #[error("the queued message is being sent")]
    QueuedMessageSending,

    /// The queued message was discarded before it was sent.
    #[error("the queued message was discarded")]
    SendDiscarded,

    /// The client is in the restricted mode: it receives but sends and changes nothing.
    #[error("the client is restricted ({0}); an operator must lift the restriction")]
    Restricted(&'static str),

    /// The call exceeds the rate limit of its kind of operation; nothing was done.
    #[error("too many {0} calls: the rate limit is reached, try again shortly")]
    RateLimited(&'static str),

    /// The restriction was to be lifted, but the client is not restricted.
    #[error("the client is not restricted")]
    NotRestricted,

    /// A failure inside the engine that the caller cannot fix; details are logged natively.
    #[error("internal error: {0}")]
    Internal(&'static str),
}

impl CoreError {
    /// The stable code of the condition, as the Java API names it in `ErrorCode`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidArgument { .. } => "INVALID_ARGUMENT",
            Self::Closed => "CLIENT_CLOSED",
            Self::Stopped(_) => "CLIENT_STOPPED",
            Self::NotLoggedIn => "NOT_LOGGED_IN",
            Self::AlreadyLoggedIn => "ALREADY_LOGGED_IN",
            Self::WrongPassphrase => "STORE_WRONG_PASSPHRASE",
            Self::StoreLocked => "STORE_LOCKED",
            Self::StoreUnusable(_) => "STORE_UNUSABLE",
            Self::AuthenticationFailed => "AUTHENTICATION_FAILED",
            Self::RecoveryPassphraseRefused => "RECOVERY_PASSPHRASE_REFUSED",
            Self::NotConfigured(_) => "NOT_CONFIGURED",
            Self::KeyBackupUnavailable(_) => "KEY_BACKUP_UNAVAILABLE",
            Self::Homeserver { .. } => "HOMESERVER_ERROR",
            Self::Network => "NETWORK_ERROR",
            Self::InviteRefused { .. } => "INVITE_REFUSED",
            Self::RoomNotFound => "ROOM_NOT_FOUND",
            Self::WrongRoomState(_) => "WRONG_ROOM_STATE",
            Self::EventNotFound => "EVENT_NOT_FOUND",
            Self::NotOwnEvent => "NOT_OWN_EVENT",
            Self::RedactionExpired => "REDACTION_EXPIRED",
            Self::AttachmentTampered => "ATTACHMENT_TAMPERED",
            Self::QueueFull => "QUEUE_FULL",
            Self::QueuedMessageNotFound => "QUEUED_MESSAGE_NOT_FOUND",
            Self::QueuedMessageSending => "QUEUED_MESSAGE_SENDING",
            Self::SendDiscarded => "SEND_DISCARDED",
            Self::Restricted(_) => "CLIENT_RESTRICTED",
            Self::NotRestricted => "NOT_RESTRICTED",
            Self::RateLimited(_) => "RATE_LIMITED",
            Self::Internal(_) => "INTERNAL",
        }
    }

    /// The HTTP status of a homeserver's refusal.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Self::Homeserver { status, .. } | Self::InviteRefused { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The Matrix error code (`errcode`) of a homeserver's refusal.
    pub fn matrix_errcode(&self) -> Option<&str> {
        match self {
            Self::Homeserver { errcode, .. } | Self::InviteRefused { errcode, .. } => Some(errcode),
            _ => None,
        }
    }

    /// Shorthand for [`CoreError::InvalidArgument`].
    pub fn invalid(parameter: &'static str, reason: &'static str) -> Self {
        Self::InvalidArgument { parameter, reason }
    }

    /// An invitation's refusal (HTTP 403) as [`Self::InviteRefused`]; other errors unchanged.
    pub fn as_invite_refusal(self) -> Self {
        match self {
            Self::Homeserver { status: 403, errcode } => {
                Self::InviteRefused { status: 403, errcode }
            }
            other => other,
        }
    }

    /// Reduces an engine error to the condition the caller can act on.
    ///
    /// `context` names the operation in the native log, where the engine's own text is kept at
    /// debug level for operators; the returned error carries none of it.
    pub fn from_sdk(context: &'static str, error: matrix_sdk::Error) -> Self {
        match error {
            matrix_sdk::Error::Http(http) => Self::from_http(context, *http),
            matrix_sdk::Error::AuthenticationRequired => Self::NotLoggedIn,
            other => {
                tracing::debug!(operation = context, error = %other, "engine error");
                Self::Internal(context)
            }
        }
    }

    /// Reduces an HTTP error of the engine to a homeserver or network condition.
    pub fn from_http(context: &'static str, error: HttpError) -> Self {
        if let Some(api_error) = error.as_client_api_error() {
            let errcode = api_error
                .error_kind()
                .map(|kind| kind.errcode().to_string())
                .unwrap_or_else(|| "unknown".to_owned());
            return Self::Homeserver { status: api_error.status_code.as_u16(), errcode };
        }

        match error {
            HttpError::Reqwest(_) => Self::Network,
            other => {
                tracing::debug!(operation = context, error = %other, "http error");
                Self::Internal(context)
            }
        }
    }

    /// Reduces a failure to build the engine's client.
    pub fn from_build(error: ClientBuildError) -> Self {
        match error {
            ClientBuildError::SqliteStore(store_error) => {
                tracing::warn!(error = %store_error, "the engine's store did not open");
                Self::StoreUnusable("the engine's database did not open")
            }
            ClientBuildError::Http(http) => Self::from_http("build client", http),
            ClientBuildError::Url(_) => Self::invalid("homeserverUrl", "not a valid URL"),
            other => {
                tracing::debug!(error = %other, "client build error");
                Self::Internal("build client")
            }
        }
    }
}

impl From<tim_headless_checks::Invalid> for CoreError {
    fn from(invalid: tim_headless_checks::Invalid) -> Self {
        Self::InvalidArgument { parameter: invalid.parameter, reason: invalid.reason }
    }
}
