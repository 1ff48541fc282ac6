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
   * @throws InvalidArgumentException if a count is negative, or a broken log has no reason
   */
  public AuditVerification {
    Arguments.check(verifiedEntries >= 0, "verifiedEntries", "must not be negative");
    Arguments.check(firstBroken >= 0, "firstBroken", "must not be negative");
    Arguments.check(
        (firstBroken == 0) == (reason == null),
        "reason",
        "goes with a broken log only, and a broken log needs one");
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
