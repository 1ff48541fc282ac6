package health.tim.headless;

/**
 * Whether this device backs its room keys up on the server, protected by the recovery passphrase
 * (see {@link HeadlessClient.Builder#recoveryPassphrase}).
 *
 * @param state the state
 * @param failure why setting the backup up failed, for {@link State#FAILED}; otherwise {@code null}
 */
public record KeyBackupStatus(State state, ErrorCode failure) {
  /** The backup's states. */
  public enum State {
    /** Room keys go to the backup. */
    ENABLED,
    /** There is no backup for this device: no recovery passphrase was given. */
    DISABLED,
    /** Setting the backup up failed; see {@link KeyBackupStatus#failure()}. */
    FAILED
  }

  /**
   * Creates a status.
   *
   * @param state see the record component
   * @param failure see the record component
   * @throws InvalidArgumentException if {@code state} is {@code null}
   * @throws InvalidArgumentException if {@code failure} is given exactly when the state is not
   *     {@link State#FAILED}
   */
  public KeyBackupStatus {
    Arguments.required(state, "state");
    Arguments.check(
        (state == State.FAILED) == (failure != null),
        "failure",
        "goes with the FAILED state only, and that state needs one");
  }
}
