//! The restricted mode and the detection of misuse that leads to it.
//!
//! A client in restricted mode keeps receiving (sync, history, downloads) but sends and changes
//! nothing: every operation that would write to the homeserver fails with
//! [`CoreError::Restricted`], and queued messages wait. It is entered when the audit log is
//! found damaged at start-up, or when the integrating system's calls are refused so often that
//! the calls look like faulty or hostile use. Only an operator ends it, with an audited call.

use std::{
    collections::VecDeque,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

use super::HeadlessClient;
use crate::{
    audit::AuditEvent,
    error::{CoreError, CoreResult},
    validate,
};

/// Refused calls within [`MISUSE_WINDOW`] that make the client restrict itself.
pub const MISUSE_LIMIT: usize = 100;
/// The window in which refused calls are counted.
pub const MISUSE_WINDOW: Duration = Duration::from_secs(60);

/// Why the client is restricted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restriction {
    /// The audit log did not verify when the client was opened.
    AuditLogDamaged,
    /// More than [`MISUSE_LIMIT`] calls were refused within [`MISUSE_WINDOW`].
    RepeatedMisuse,
}

impl Restriction {
    /// The stable code of the reason.
    pub fn code(self) -> &'static str {
        match self {
            Self::AuditLogDamaged => "AUDIT_LOG_DAMAGED",
            Self::RepeatedMisuse => "REPEATED_MISUSE",
        }
    }
}

/// The security state of one client.
#[derive(Default)]
pub(crate) struct Security {
    restriction: Mutex<Option<Restriction>>,
    refusals: Mutex<VecDeque<Instant>>,
}

impl Security {
    fn current(&self) -> Option<Restriction> {
        *self.restriction.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a refused call; `true` when this one crossed the limit.
    fn note_refusal(&self, now: Instant) -> bool {
        let mut refusals = self.refusals.lock().unwrap_or_else(PoisonError::into_inner);
        while refusals.front().is_some_and(|at| now.duration_since(*at) > MISUSE_WINDOW) {
            refusals.pop_front();
        }
        refusals.push_back(now);
        refusals.len() == MISUSE_LIMIT + 1
    }
}

impl HeadlessClient {
    /// The reason the client is restricted, or `None` when it is not.
    pub fn restriction(&self) -> Option<Restriction> {
        self.security.current()
    }

    /// Refuses an operation that would send or change something while the client is restricted.
    pub(crate) fn require_unrestricted(&self) -> CoreResult<()> {
        match self.security.current() {
            Some(restriction) => Err(CoreError::Restricted(restriction.code())),
            None => Ok(()),
        }
    }

    /// Enters the restricted mode, unless the client is in it already.
    pub(crate) fn restrict(&self, why: Restriction) {
        {
            let mut restriction =
                self.security.restriction.lock().unwrap_or_else(PoisonError::into_inner);
            if restriction.is_some() {
                return;
            }
            *restriction = Some(why);
        }
        tracing::error!(reason = why.code(), "the client entered the restricted mode");
        self.audit(AuditEvent::RestrictedModeEntered { reason: why.code() });
    }

    /// Counts a refused call towards the misuse limit.
    pub(crate) fn note_refused_call(&self) {
        if self.security.note_refusal(Instant::now()) {
            self.restrict(Restriction::RepeatedMisuse);
        }
    }

    /// Ends the restricted mode: an operator's decision, audited with the name given. A damaged
    /// audit log is moved aside (and kept) first, so that the log goes on intact; queued
    /// messages are sent again.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] for an operator name that is not a short identifier,
    /// [`CoreError::NotRestricted`] when the client is not restricted, and
    /// [`CoreError::StoreUnusable`] when the log cannot be archived.
    pub fn lift_restriction(self: &std::sync::Arc<Self>, operator: &str) -> CoreResult<()> {
        validate::audit_identifier("operator", operator)?;
        let Some(reason) = self.security.current() else {
            return Err(CoreError::NotRestricted);
        };
        let archived_log = match reason {
            Restriction::AuditLogDamaged => Some(self.audit.archive(&self.store)?),
            Restriction::RepeatedMisuse => None,
        };
        self.security.refusals.lock().unwrap_or_else(PoisonError::into_inner).clear();
        *self.security.restriction.lock().unwrap_or_else(PoisonError::into_inner) = None;
        tracing::warn!(reason = reason.code(), "an operator ended the restricted mode");
        self.audit(AuditEvent::RestrictedModeLifted {
            operator: operator.to_owned(),
            reason: reason.code(),
            archived_log,
        });
        self.resume_queue();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_restrict_only_beyond_the_limit_within_the_window() {
        let security = Security::default();
        let start = Instant::now();
        for index in 0..MISUSE_LIMIT {
            assert!(!security.note_refusal(start), "refusal {index} is within the limit");
        }
        assert!(security.note_refusal(start), "one more crosses it");
        assert!(!security.note_refusal(start), "it is crossed once");

        let later = Security::default();
        for _ in 0..MISUSE_LIMIT {
            later.note_refusal(start);
        }
        let after_window = start + MISUSE_WINDOW + Duration::from_secs(1);
        assert!(!later.note_refusal(after_window), "old refusals no longer count");
    }
}
