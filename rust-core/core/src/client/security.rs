//! The restricted mode and the detection of misuse that leads to it.
//!
//! A client in restricted mode keeps receiving (sync, history, downloads) but sends and changes
//! nothing: every operation that would write to the homeserver fails with
//! [`CoreError::Restricted`], and queued messages wait. It is entered when the audit log is
//! found damaged (at start-up or changed on disk while the client runs), when a record of the
//! store fails its authentication, when the integrating system's calls are refused so often that
//! they look like faulty or hostile use, and when logins are refused again and again. Only an
//! operator ends it, with an audited call.
//!
//! A controlled stop goes further: the client ends itself, audited with its reason, and every
//! later call fails with [`CoreError::Stopped`]. It happens when the audit log can no longer be
//! written (the client must not act unaudited), and when refused calls cross the misuse limit
//! again while the client is already restricted for misuse.
//!
//! Rate limits bound how often each kind of operation may be called: sends, changes and reads
//! each have a bucket that refills at the configured rate and holds [`BURST_SECONDS`] worth of
//! calls. The limits can be set within bounds, never switched off. A call beyond its limit
//! fails with [`CoreError::RateLimited`]; such refusals are audited at most once a second per
//! kind, so that a flood of them cannot flood the log.

use std::{
    collections::VecDeque,
    ops::RangeInclusive,
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

/// Refused logins within [`LOGIN_FAILURE_WINDOW`] that make the client restrict itself.
pub const LOGIN_FAILURE_LIMIT: usize = 10;
/// The window in which refused logins are counted.
pub const LOGIN_FAILURE_WINDOW: Duration = Duration::from_secs(600);

/// How many seconds' worth of calls a bucket holds, for bursts.
pub const BURST_SECONDS: u32 = 2;

/// The kinds of operation that the rate limits tell apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Sending a message or event into a room.
    Send,
    /// Changing a room, a membership or the account's settings.
    Change,
    /// Reading rooms, state, history or the user directory from the homeserver.
    Read,
}

impl Operation {
    fn index(self) -> usize {
        match self {
            Self::Send => 0,
            Self::Change => 1,
            Self::Read => 2,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Self::Send => "send",
            Self::Change => "change",
            Self::Read => "read",
        }
    }
}

/// Calls per second allowed for each kind of operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Sends per second, within [`RateLimits::SENDS`].
    pub sends_per_second: u32,
    /// Changes per second, within [`RateLimits::CHANGES`].
    pub changes_per_second: u32,
    /// Reads per second, within [`RateLimits::READS`].
    pub reads_per_second: u32,
}

impl RateLimits {
    /// What a client gets unless it asks for other limits.
    pub const DEFAULT: Self =
        Self { sends_per_second: 20, changes_per_second: 5, reads_per_second: 50 };
    /// The allowed range of sends per second.
    pub const SENDS: RangeInclusive<u32> = 1..=200;
    /// The allowed range of changes per second.
    pub const CHANGES: RangeInclusive<u32> = 1..=50;
    /// The allowed range of reads per second.
    pub const READS: RangeInclusive<u32> = 1..=500;

    /// Refuses limits outside their bounds.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] naming the limit.
    pub fn validate(&self) -> CoreResult<()> {
        if !Self::SENDS.contains(&self.sends_per_second) {
            return Err(CoreError::invalid("sendsPerSecond", "must be 1 to 200"));
        }
        if !Self::CHANGES.contains(&self.changes_per_second) {
            return Err(CoreError::invalid("changesPerSecond", "must be 1 to 50"));
        }
        if !Self::READS.contains(&self.reads_per_second) {
            return Err(CoreError::invalid("readsPerSecond", "must be 1 to 500"));
        }
        Ok(())
    }

    fn per_second(&self, operation: Operation) -> u32 {
        match operation {
            Operation::Send => self.sends_per_second,
            Operation::Change => self.changes_per_second,
            Operation::Read => self.reads_per_second,
        }
    }
}

impl Default for RateLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Tokens of one kind of operation: one per call, refilled continuously.
struct Bucket {
    tokens: f64,
    capacity: f64,
    per_second: f64,
    refilled: Instant,
    last_audited: Option<Instant>,
}

impl Bucket {
    fn new(per_second: u32, now: Instant) -> Self {
        let capacity = f64::from(per_second * BURST_SECONDS);
        Self {
            tokens: capacity,
            capacity,
            per_second: f64::from(per_second),
            refilled: now,
            last_audited: None,
        }
    }

    /// Takes a token; `false` when none is left.
    fn take(&mut self, now: Instant) -> bool {
        let elapsed = now.duration_since(self.refilled).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.capacity);
        self.refilled = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Whether a refusal now should be audited: at most one a second.
    fn audit_due(&mut self, now: Instant) -> bool {
        let due =
            self.last_audited.is_none_or(|at| now.duration_since(at) >= Duration::from_secs(1));
        if due {
            self.last_audited = Some(now);
        }
        due
    }
}

/// Why the client is restricted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restriction {
    /// The audit log did not verify when the client was opened.
    AuditLogDamaged,
    /// More than [`MISUSE_LIMIT`] calls were refused within [`MISUSE_WINDOW`].
    RepeatedMisuse,
    /// A record of the store failed its authentication when it was read: it was changed
    /// outside the client. The record was moved aside, as evidence, into `damaged/`.
    StoreDamaged,
    /// More than [`LOGIN_FAILURE_LIMIT`] logins were refused within [`LOGIN_FAILURE_WINDOW`].
    /// Further logins are refused until an operator lifts the restriction.
    RepeatedLoginFailures,
}

impl Restriction {
    /// The stable code of the reason.
    pub fn code(self) -> &'static str {
        match self {
            Self::AuditLogDamaged => "AUDIT_LOG_DAMAGED",
            Self::RepeatedMisuse => "REPEATED_MISUSE",
            Self::StoreDamaged => "STORE_DAMAGED",
            Self::RepeatedLoginFailures => "REPEATED_LOGIN_FAILURES",
        }
    }
}

/// Why the client stopped itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// An audit entry could not be written: acting on without the audit log is not allowed.
    AuditLogUnwritable,
    /// Refused calls crossed [`MISUSE_LIMIT`] again while the client was restricted for misuse.
    PersistentMisuse,
}

impl StopReason {
    /// The stable code of the reason.
    pub fn code(self) -> &'static str {
        match self {
            Self::AuditLogUnwritable => "AUDIT_LOG_UNWRITABLE",
            Self::PersistentMisuse => "PERSISTENT_MISUSE",
        }
    }
}

/// Times of recent occurrences of one kind of failure, within a window.
struct Window {
    limit: usize,
    length: Duration,
    times: VecDeque<Instant>,
}

impl Window {
    fn new(limit: usize, length: Duration) -> Self {
        Self { limit, length, times: VecDeque::new() }
    }

    /// Counts an occurrence; `true` when this one crossed the limit.
    fn note(&mut self, now: Instant) -> bool {
        while self.times.front().is_some_and(|at| now.duration_since(*at) > self.length) {
            self.times.pop_front();
        }
        self.times.push_back(now);
        self.times.len() == self.limit + 1
    }
}

/// The security state of one client.
pub(crate) struct Security {
    restriction: Mutex<Option<Restriction>>,
    // Claimed first, published after the stop's audit entry is queued: a reader that sees the
    // reason then also finds the entry.
    stop_claimed: std::sync::atomic::AtomicBool,
    stopped: Mutex<Option<StopReason>>,
    refusals: Mutex<Window>,
    refused_logins: Mutex<Window>,
    buckets: Mutex<[Bucket; 3]>,
}

impl Security {
    pub(crate) fn new(limits: RateLimits) -> Self {
        let now = Instant::now();
        let bucket = |operation| Bucket::new(limits.per_second(operation), now);
        Self {
            restriction: Mutex::new(None),
            stop_claimed: std::sync::atomic::AtomicBool::new(false),
            stopped: Mutex::new(None),
            refusals: Mutex::new(Window::new(MISUSE_LIMIT, MISUSE_WINDOW)),
            refused_logins: Mutex::new(Window::new(LOGIN_FAILURE_LIMIT, LOGIN_FAILURE_WINDOW)),
            buckets: Mutex::new([
                bucket(Operation::Send),
                bucket(Operation::Change),
                bucket(Operation::Read),
            ]),
        }
    }

    /// Takes a call from its bucket: `Ok` if within the limit, else whether to audit the refusal.
    fn take(&self, operation: Operation, now: Instant) -> Result<(), bool> {
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let bucket = &mut buckets[operation.index()];
        if bucket.take(now) {
            Ok(())
        } else {
            Err(bucket.audit_due(now))
        }
    }

    fn current(&self) -> Option<Restriction> {
        *self.restriction.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a refused call; `true` when this one crossed the limit.
    fn note_refusal(&self, now: Instant) -> bool {
        self.refusals.lock().unwrap_or_else(PoisonError::into_inner).note(now)
    }

    /// Counts a refused login; `true` when this one crossed the limit.
    fn note_refused_login(&self, now: Instant) -> bool {
        self.refused_logins.lock().unwrap_or_else(PoisonError::into_inner).note(now)
    }

    fn clear_windows(&self) {
        self.refusals.lock().unwrap_or_else(PoisonError::into_inner).times.clear();
        self.refused_logins.lock().unwrap_or_else(PoisonError::into_inner).times.clear();
    }

    /// Claims the stop; `false` if the client is stopping already.
    fn claim_stop(&self) -> bool {
        !self.stop_claimed.swap(true, std::sync::atomic::Ordering::SeqCst)
    }

    /// Makes the stop's reason visible.
    fn publish_stop(&self, reason: StopReason) {
        *self.stopped.lock().unwrap_or_else(PoisonError::into_inner) = Some(reason);
    }

    pub(crate) fn stopped(&self) -> Option<StopReason> {
        *self.stopped.lock().unwrap_or_else(PoisonError::into_inner)
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

    /// Admits a call of an operation: refuses sends and changes of a restricted client, and any
    /// call beyond its rate limit.
    ///
    /// # Errors
    /// [`CoreError::Restricted`], [`CoreError::RateLimited`].
    pub(crate) fn admit(&self, operation: Operation, name: &'static str) -> CoreResult<()> {
        if operation != Operation::Read {
            self.require_unrestricted()?;
        }
        match self.security.take(operation, Instant::now()) {
            Ok(()) => Ok(()),
            Err(audit) => {
                // A caller that keeps hitting a limit, second after second, is misusing the
                // client; the audited refusals (one a second per kind) count towards it.
                if audit {
                    self.audit(AuditEvent::RateLimited { operation: name, kind: operation.code() });
                    self.note_refused_call();
                }
                Err(CoreError::RateLimited(operation.code()))
            }
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
        // Counting starts afresh: what crosses a limit from here on is misuse despite the
        // restriction.
        self.security.clear_windows();
        tracing::error!(reason = why.code(), "the client entered the restricted mode");
        self.audit(AuditEvent::RestrictedModeEntered { reason: why.code() });
    }

    /// Counts a refused call towards the misuse limit: crossing it restricts the client, and
    /// crossing it again while restricted stops it.
    pub(crate) fn note_refused_call(&self) {
        if !self.security.note_refusal(Instant::now()) {
            return;
        }
        if self.security.current().is_some() {
            self.stop(StopReason::PersistentMisuse);
        } else {
            self.restrict(Restriction::RepeatedMisuse);
        }
    }

    /// Counts a login that the homeserver refused towards the limit of refused logins.
    pub(crate) fn note_refused_login(&self) {
        if self.security.note_refused_login(Instant::now()) {
            self.restrict(Restriction::RepeatedLoginFailures);
        }
    }

    /// Refuses a login while the client is restricted for refused logins.
    pub(crate) fn require_login_allowed(&self) -> CoreResult<()> {
        match self.security.current() {
            Some(restriction @ Restriction::RepeatedLoginFailures) => {
                Err(CoreError::Restricted(restriction.code()))
            }
            _ => Ok(()),
        }
    }

    /// Why the client stopped itself, or `None` while it runs.
    pub fn stop_reason(&self) -> Option<StopReason> {
        self.security.stopped()
    }

    /// Ends the client in a controlled way: audited with its reason (unless the audit log is
    /// what failed), operations in flight and later calls fail with [`CoreError::Stopped`], and
    /// the engine and the store are released as by `close`.
    pub(crate) fn stop(&self, reason: StopReason) {
        if !self.security.claim_stop() {
            return;
        }
        tracing::error!(reason = reason.code(), "the client stops itself");
        if reason != StopReason::AuditLogUnwritable {
            self.audit(AuditEvent::ControlledStop { reason: reason.code() });
        }
        // Only now: `next_events` hands over what is queued once it sees the reason.
        self.security.publish_stop(reason);
        self.begin_closing();
        if let Some(client) = self.me.upgrade() {
            crate::runtime::runtime().spawn(async move { client.close().await });
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
            Restriction::RepeatedMisuse
            | Restriction::StoreDamaged
            | Restriction::RepeatedLoginFailures => None,
        };
        self.security.clear_windows();
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
    fn a_bucket_allows_a_burst_then_the_rate() {
        let limits = RateLimits { sends_per_second: 2, ..RateLimits::DEFAULT };
        let security = Security::new(limits);
        let start = Instant::now();
        for call in 0..4 {
            assert_eq!(security.take(Operation::Send, start), Ok(()), "call {call} of the burst");
        }
        assert_eq!(
            security.take(Operation::Send, start),
            Err(true),
            "the first refusal is audited"
        );
        assert_eq!(security.take(Operation::Send, start), Err(false), "the next one is not");
        assert_eq!(security.take(Operation::Read, start), Ok(()), "reads have their own bucket");
        let later = start + Duration::from_millis(500);
        assert_eq!(security.take(Operation::Send, later), Ok(()), "half a second refills one");
        assert!(security.take(Operation::Send, later).is_err());
    }

    #[test]
    fn limits_outside_their_bounds_are_refused() {
        assert!(RateLimits::DEFAULT.validate().is_ok());
        for limits in [
            RateLimits { sends_per_second: 0, ..RateLimits::DEFAULT },
            RateLimits { sends_per_second: 201, ..RateLimits::DEFAULT },
            RateLimits { changes_per_second: 51, ..RateLimits::DEFAULT },
            RateLimits { reads_per_second: 0, ..RateLimits::DEFAULT },
        ] {
            assert!(matches!(limits.validate(), Err(CoreError::InvalidArgument { .. })));
        }
    }

    #[test]
    fn refusals_restrict_only_beyond_the_limit_within_the_window() {
        let security = Security::new(RateLimits::DEFAULT);
        let start = Instant::now();
        for index in 0..MISUSE_LIMIT {
            assert!(!security.note_refusal(start), "refusal {index} is within the limit");
        }
        assert!(security.note_refusal(start), "one more crosses it");
        assert!(!security.note_refusal(start), "it is crossed once");

        let later = Security::new(RateLimits::DEFAULT);
        for _ in 0..MISUSE_LIMIT {
            later.note_refusal(start);
        }
        let after_window = start + MISUSE_WINDOW + Duration::from_secs(1);
        assert!(!later.note_refusal(after_window), "old refusals no longer count");
    }

    #[test]
    fn refused_logins_have_their_own_smaller_window() {
        let security = Security::new(RateLimits::DEFAULT);
        let start = Instant::now();
        for _ in 0..LOGIN_FAILURE_LIMIT {
            assert!(!security.note_refused_login(start));
        }
        assert!(!security.note_refusal(start), "refused calls are counted apart");
        assert!(security.note_refused_login(start + Duration::from_secs(599)));

        security.clear_windows();
        assert!(!security.note_refused_login(start), "a lifted restriction starts afresh");
    }

    #[test]
    fn a_stop_is_claimed_once_and_its_reason_shown_once_published() {
        let security = Security::new(RateLimits::DEFAULT);
        assert!(security.claim_stop());
        assert!(!security.claim_stop(), "a second stop backs off");
        assert_eq!(security.stopped(), None, "not visible before it is published");
        security.publish_stop(StopReason::PersistentMisuse);
        assert_eq!(security.stopped(), Some(StopReason::PersistentMisuse));
    }
}
