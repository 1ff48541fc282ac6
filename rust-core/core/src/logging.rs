//! Native log records, collected for the integrating system's logging.
//!
//! `tracing` events of this crate and of the engine go into a bounded in-memory queue, from which
//! the Java side pulls them on a thread of its own and hands them to SLF4J. Pulling keeps
//! runtime threads free of JNI; a full queue drops the newest records and counts them, so that
//! logging can never stall messaging.
//!
//! Verbosity stops at debug: trace output of the engine has not been reviewed for message
//! content, and no configuration can turn it on.

use std::{
    collections::VecDeque,
    fmt::Write as _,
    sync::{
        atomic::{AtomicU64, Ordering},
        Condvar, LazyLock, Mutex, OnceLock, PoisonError,
    },
    time::Duration,
};

use tracing::{field::Field, Event, Level, Subscriber};
use tracing_subscriber::{
    filter::LevelFilter, layer::Context, prelude::*, registry::Registry, Layer,
};

const QUEUE_CAPACITY: usize = 4096;

/// One log record as the Java side receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    /// Severity: 1 error, 2 warn, 3 info, 4 debug.
    pub level: u8,
    /// The `tracing` target, usually the module path (`matrix_sdk::sync`).
    pub target: String,
    /// The message followed by its fields as `key=value`.
    pub message: String,
}

struct Queue {
    records: Mutex<VecDeque<LogRecord>>,
    ready: Condvar,
    dropped: AtomicU64,
}

static QUEUE: LazyLock<Queue> = LazyLock::new(|| Queue {
    records: Mutex::new(VecDeque::with_capacity(256)),
    ready: Condvar::new(),
    dropped: AtomicU64::new(0),
});

static INSTALLED: OnceLock<LevelFilter> = OnceLock::new();

/// Installs the collector as the process's `tracing` subscriber, once.
///
/// `level` is 1 (error) to 4 (debug); higher values are treated as debug. Returns the level in
/// force, which is the first caller's when called again.
pub fn install(level: u8) -> u8 {
    let filter = *INSTALLED.get_or_init(|| {
        let filter = match level {
            0 | 1 => LevelFilter::ERROR,
            2 => LevelFilter::WARN,
            3 => LevelFilter::INFO,
            _ => LevelFilter::DEBUG,
        };
        let subscriber = Registry::default().with(QueueLayer.with_filter(filter));
        if tracing::subscriber::set_global_default(subscriber).is_err() {
            // Another subscriber was installed first (a test harness); records go there instead.
            return LevelFilter::OFF;
        }
        filter
    });
    level_number(filter)
}

/// Waits up to `timeout` for records and takes at most `max` of them.
pub fn next_records(timeout: Duration, max: usize) -> Vec<LogRecord> {
    let queue = &*QUEUE;
    let records = queue.records.lock().unwrap_or_else(PoisonError::into_inner);
    let (mut records, _) = queue
        .ready
        .wait_timeout_while(records, timeout, |records| records.is_empty())
        .unwrap_or_else(PoisonError::into_inner);
    let take = records.len().min(max);
    records.drain(..take).collect()
}

/// How many records were dropped because the queue was full, since the last call.
pub fn take_dropped_count() -> u64 {
    QUEUE.dropped.swap(0, Ordering::Relaxed)
}

fn level_number(filter: LevelFilter) -> u8 {
    match filter.into_level() {
        None => 0,
        Some(Level::ERROR) => 1,
        Some(Level::WARN) => 2,
        Some(Level::INFO) => 3,
        Some(_) => 4,
    }
}

/// The engine logs every failed HTTP request at error, including answers that are part of normal
/// operation (404 for account data not set yet, 403 for a refused invite). For an integrating
/// system an error line means "probably a bug"; a refused request is an outside failure, so it
/// is reported as a warning.
fn reported_level(metadata: &tracing::Metadata<'_>) -> u8 {
    let level = level_number(LevelFilter::from_level(*metadata.level()));
    if level == 1 && metadata.target() == "matrix_sdk::http_client" {
        2
    } else {
        level
    }
}

/// Ruma's identifier parsing logs the text it refused as a field. That text is whatever the
/// integrating system passed to a call (it may be a message or a secret), so records of ruma keep
/// their message and lose their fields.
fn fields_may_echo_input(metadata: &tracing::Metadata<'_>) -> bool {
    metadata.target().starts_with("ruma")
}

struct QueueLayer;

impl<S: Subscriber> Layer<S> for QueueLayer {
    fn on_event(&self, event: &Event<'_>, _context: Context<'_, S>) {
        let metadata = event.metadata();
        let mut message =
            MessageWriter { drop_fields: fields_may_echo_input(metadata), ..Default::default() };
        event.record(&mut message);

        let record = LogRecord {
            level: reported_level(metadata),
            target: metadata.target().to_owned(),
            message: message.finish(),
        };

        let queue = &*QUEUE;
        let mut records = queue.records.lock().unwrap_or_else(PoisonError::into_inner);
        if records.len() >= QUEUE_CAPACITY {
            queue.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        records.push_back(record);
        drop(records);
        queue.ready.notify_one();
    }
}

#[derive(Default)]
struct MessageWriter {
    message: String,
    fields: String,
    drop_fields: bool,
}

impl MessageWriter {
    fn finish(self) -> String {
        if self.fields.is_empty() {
            self.message
        } else if self.message.is_empty() {
            self.fields
        } else {
            format!("{} {}", self.message, self.fields)
        }
    }
}

impl tracing::field::Visit for MessageWriter {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else if !self.drop_fields {
            if !self.fields.is_empty() {
                self.fields.push(' ');
            }
            let _ = write!(self.fields, "{}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            self.record_debug(field, &value);
        }
    }
}
