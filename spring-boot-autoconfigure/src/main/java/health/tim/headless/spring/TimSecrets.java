package health.tim.headless.spring;

/**
 * Where the clients' secrets come from. Define a bean of this type to take them from a vault or an
 * HSM; without one, they come from the secret properties, which are taken out of the environment at
 * start-up (see {@link TimHeadlessProperties}).
 *
 * <p>Each call hands over a fresh array that the caller wipes after use; return {@code null} for a
 * secret that the account does not have (a recovery passphrase, or a password once the store holds
 * a session).
 */
@FunctionalInterface
public interface TimSecrets {
  /** The kinds of secret an account has. */
  enum Kind {
    /** Opens the account's encrypted store. Required. */
    STORE_PASSPHRASE,
    /** Protects the server-side key backup. Optional. */
    RECOVERY_PASSPHRASE,
    /** The login password, used only when the store holds no session. Optional. */
    PASSWORD
  }

  /**
   * A secret of an account.
   *
   * @param account the account's name ({@code default} for the top-level account)
   * @param kind which secret
   * @return a fresh array the caller wipes, or {@code null} when the account has none
   */
  char[] secret(String account, Kind kind);
}
