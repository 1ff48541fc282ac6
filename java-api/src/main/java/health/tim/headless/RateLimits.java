package health.tim.headless;

/**
 * How often a client may be called, per kind of operation. Each kind has a bucket that refills at
 * its rate and holds two seconds' worth of calls, for bursts; a call beyond it fails with {@link
 * ClientStateException} ({@link ErrorCode#RATE_LIMITED}) and does nothing. Such refusals are
 * audited, at most once a second per kind. The limits can be set within their bounds but never
 * switched off.
 *
 * @param sendsPerSecond sends, edits, reactions, redactions and uploads per second: 1 to 200
 * @param changesPerSecond room and account changes (create, invite, join, leave, kick, name, topic,
 *     permission configuration) per second: 1 to 50
 * @param readsPerSecond reads from the homeserver (room list, state, history, single events, user
 *     search) per second: 1 to 500
 */
public record RateLimits(int sendsPerSecond, int changesPerSecond, int readsPerSecond) {
  /** What a client gets unless its builder is given other limits: 20, 5 and 50 per second. */
  public static final RateLimits DEFAULT = new RateLimits(20, 5, 50);

  /**
   * Creates rate limits.
   *
   * @param sendsPerSecond see the record component
   * @param changesPerSecond see the record component
   * @param readsPerSecond see the record component
   * @throws InvalidArgumentException if a limit is outside its bounds
   */
  public RateLimits {
    check("sendsPerSecond", sendsPerSecond, 200);
    check("changesPerSecond", changesPerSecond, 50);
    check("readsPerSecond", readsPerSecond, 500);
  }

  private static void check(String parameter, int value, int most) {
    if (value < 1 || value > most) {
      throw new InvalidArgumentException(
          ErrorCode.INVALID_ARGUMENT, "invalid " + parameter + ": must be 1 to " + most);
    }
  }
}
