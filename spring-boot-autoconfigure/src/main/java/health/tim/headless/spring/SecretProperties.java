package health.tim.headless.spring;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;

/**
 * The secret properties, taken out of the environment: a property source that holds them as {@code
 * char[]} but shows and resolves nothing, so that neither {@code /actuator/env} nor {@code
 * /actuator/configprops} nor a placeholder can reach them, and every other property source wrapped
 * so that the secret names are gone from it. {@link #take} hands a secret over once.
 */
final class SecretProperties extends PropertySource<Object> {
  static final String NAME = "timHeadlessSecrets";

  /** {@code tim.headless.store-passphrase}, {@code tim.headless.accounts[0].password}, ... */
  private static final Pattern SECRET =
      Pattern.compile(
          "tim\\.headless\\.(?:accounts\\[(\\d+)]\\.)?"
              + "(store-passphrase|recovery-passphrase|password)");

  /** The same as environment variables: TIM_HEADLESS_STORE_PASSPHRASE, ..._ACCOUNTS_0_PASSWORD. */
  private static final Pattern SECRET_VARIABLE =
      Pattern.compile(
          "tim-headless-(?:accounts-(\\d+)-)?(store-passphrase|recovery-passphrase|password)");

  private final Map<String, char[]> secrets = new HashMap<>();

  private SecretProperties() {
    super(NAME, new Object());
  }

  /** Moves the secret properties of the environment into one instance, and adds it. */
  static void capture(ConfigurableEnvironment environment) {
    MutablePropertySources sources = environment.getPropertySources();
    if (sources.contains(NAME)) {
      return;
    }
    SecretProperties captured = new SecretProperties();
    for (PropertySource<?> source : sources) {
      if (!(source instanceof EnumerablePropertySource<?> enumerable)) {
        continue;
      }
      boolean holdsSecrets = false;
      // The first source wins, as in the environment's own resolution.
      for (String name : enumerable.getPropertyNames()) {
        String key = keyOf(name);
        if (key != null) {
          holdsSecrets = true;
          Object value = enumerable.getProperty(name);
          if (value != null && !captured.secrets.containsKey(key)) {
            captured.secrets.put(key, value.toString().toCharArray());
          }
        }
      }
      if (holdsSecrets) {
        sources.replace(source.getName(), new WithoutSecrets(enumerable));
      }
    }
    sources.addLast(captured);
  }

  /** The captured secrets of the environment, if the post-processor ran. */
  static SecretProperties of(ConfigurableEnvironment environment) {
    PropertySource<?> source = environment.getPropertySources().get(NAME);
    return source instanceof SecretProperties secrets ? secrets : null;
  }

  /**
   * Hands a secret over and forgets it: a fresh array the caller wipes, or {@code null}.
   *
   * @param accountIndex the account's index in {@code accounts}, or -1 for the top level
   */
  synchronized char[] take(int accountIndex, TimSecrets.Kind kind) {
    String key = (accountIndex < 0 ? "" : accountIndex + ".") + suffix(kind);
    char[] held = secrets.remove(key);
    if (held == null && accountIndex >= 0) {
      // An account without its own takes the top-level one, which others may need too.
      char[] shared = secrets.get(suffix(kind));
      return shared == null ? null : shared.clone();
    }
    return held;
  }

  /** Wipes whatever was not handed over. */
  synchronized void wipe() {
    secrets.values().forEach(secret -> Arrays.fill(secret, '\0'));
    secrets.clear();
  }

  @Override
  public Object getProperty(String name) {
    return null;
  }

  private static String suffix(TimSecrets.Kind kind) {
    return switch (kind) {
      case STORE_PASSPHRASE -> "store-passphrase";
      case RECOVERY_PASSPHRASE -> "recovery-passphrase";
      case PASSWORD -> "password";
    };
  }

  /** {@code "0.password"} for an account's, {@code "password"} for the top level; else null. */
  private static String keyOf(String propertyName) {
    String canonical = propertyName.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    Matcher matcher = SECRET.matcher(canonical);
    if (!matcher.matches()) {
      Matcher variable = SECRET_VARIABLE.matcher(canonical);
      if (!variable.matches()) {
        return null;
      }
      matcher = variable;
    }
    return matcher.group(1) == null ? matcher.group(2) : matcher.group(1) + "." + matcher.group(2);
  }

  /** A property source as it was, less the secret properties. */
  private static final class WithoutSecrets extends EnumerablePropertySource<Object> {
    private final EnumerablePropertySource<?> original;

    WithoutSecrets(EnumerablePropertySource<?> original) {
      super(original.getName(), original.getSource());
      this.original = original;
    }

    @Override
    public String[] getPropertyNames() {
      return Arrays.stream(original.getPropertyNames())
          .filter(name -> keyOf(name) == null)
          .toArray(String[]::new);
    }

    @Override
    public Object getProperty(String name) {
      return keyOf(name) == null ? original.getProperty(name) : null;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof WithoutSecrets that && Objects.equals(original, that.original);
    }

    @Override
    public int hashCode() {
      return original.hashCode();
    }
  }
}
