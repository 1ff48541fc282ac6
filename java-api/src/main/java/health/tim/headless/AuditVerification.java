package health.tim.headless;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a verification of the audit log found.
 *
 * @param verifiedEntries how many entries verified, counted from the first
 * @param firstBroken the sequence number of the first entry that does not verify, or of the first
 *     missing one; {@code 0} if the log is intact
 * @param reason why that entry does not verify, or {@code null} if the log is intact
 */
public record AuditVerification(long verifiedEntries, long firstBroken, String reason) {

  /**
   * Creates a verification result.
   *
   * @param verifiedEntries see the record component
   * @param firstBroken see the record component
   * @param reason see the record component
   * @throws IllegalArgumentException if a count is negative, or a broken log has no reason
   */
  public AuditVerification {
    if (verifiedEntries < 0 || firstBroken < 0) {
      throw new IllegalArgumentException("counts must not be negative");
    }
    if ((firstBroken == 0) != (reason == null)) {
      throw new IllegalArgumentException("a broken log needs a reason, an intact one none");
    }
  }

  /**
   * Whether every entry verified and none is missing.
   *
   * @return {@code true} for an intact log
   */
  public boolean intact() {
    return firstBroken == 0;
  }

  /**
   * The first entry that does not verify.
   *
   * @return its sequence number, or empty for an intact log
   */
  public OptionalLong optionalFirstBroken() {
    return intact() ? OptionalLong.empty() : OptionalLong.of(firstBroken);
  }

  /**
   * Why the log does not verify.
   *
   * @return the reason, or empty for an intact log
   */
  public Optional<String> optionalReason() {
    return Optional.ofNullable(reason);
  }
}
