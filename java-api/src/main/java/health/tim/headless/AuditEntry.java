package health.tim.headless;

import java.time.Instant;
import java.util.Map;

/**
 * An entry of the client's audit log, handed to listeners as it is written.
 *
 * <p>The log lives in the store directory ({@code audit.log}), one entry per line, each chained to
 * the one before it by a keyed hash: {@link HeadlessClient#verifyAuditLog()} and {@link
 * AuditLogVerifier} find an entry that was edited, deleted, inserted, moved or cut off. Entries
 * name identifiers and codes only, never message content or secrets. Nothing switches the log off.
 *
 * @param sequence the entry's position in the log, from 1
 * @param time when it was written (UTC, millisecond precision)
 * @param event what happened: {@code store_opened}, {@code audit_log_damaged}, {@code logged_in},
 *     {@code login_refused}, {@code logged_out}, {@code rejected_call}, {@code
 *     permission_config_changed} or {@code queued_message_discarded}
 * @param fields the details, such as {@code device_id}, {@code operation} or {@code code}
 */
public record AuditEntry(long sequence, Instant time, String event, Map<String, String> fields)
    implements ClientEvent {

  /**
   * Creates an audit entry.
   *
   * @param sequence see the record component
   * @param time see the record component
   * @param event see the record component
   * @param fields see the record component; copied
   * @throws InvalidArgumentException if a component is {@code null}
   * @throws InvalidArgumentException if {@code sequence} is not positive
   */
  public AuditEntry {
    Arguments.required(time, "time");
    Arguments.required(event, "event");
    fields = Arguments.mapOf(fields, "fields");
    Arguments.check(sequence >= 1, "sequence", "must be positive");
  }
}
