package health.tim.headless.internal;

/**
 * One native log record, as the native log collector hands it over.
 *
 * @param level 1 error, 2 warn, 3 info, 4 debug
 * @param target the Rust module path that logged it
 * @param message the message with its fields
 */
record NativeLogRecord(int level, String target, String message) {}
