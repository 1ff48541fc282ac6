package health.tim.headless.spring;

import org.springframework.core.env.ConfigurableEnvironment;

/**
 * The secrets from the secret properties, which {@link SecretPropertiesPostProcessor} took out of
 * the environment. Each secret is handed over once; what no client needs any more is wiped.
 */
final class PropertyTimSecrets implements TimSecrets {
  private final SecretProperties captured;
  private final TimHeadlessProperties properties;

  PropertyTimSecrets(ConfigurableEnvironment environment, TimHeadlessProperties properties) {
    this.captured = SecretProperties.of(environment);
    this.properties = properties;
  }

  @Override
  public char[] secret(String account, Kind kind) {
    if (captured == null) {
      // The post-processor did not run (a context built by hand): then there are no secret
      // properties, since they would have been readable by anyone in the environment.
      return null;
    }
    return captured.take(indexOf(account), kind);
  }

  /** Wipes the passphrases that were not taken; passwords stay for logins at start. */
  void forgetAllButPasswords() {
    // Taking wipes nothing the clients hold: they received copies.
    if (captured != null) {
      for (int index = -1; index < properties.getAccounts().size(); index++) {
        TimHeadlessClients.wipe(captured.take(index, Kind.STORE_PASSPHRASE));
        TimHeadlessClients.wipe(captured.take(index, Kind.RECOVERY_PASSPHRASE));
      }
    }
  }

  private int indexOf(String account) {
    for (int index = 0; index < properties.getAccounts().size(); index++) {
      TimHeadlessProperties.Account configured = properties.getAccounts().get(index);
      String name = configured.getName() == null ? "account-" + index : configured.getName();
      if (name.equals(account)) {
        return index;
      }
    }
    return -1;
  }
}
