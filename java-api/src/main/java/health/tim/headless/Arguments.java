package health.tim.headless;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The argument checks of the API's records and value types: every refusal is an {@link
 * InvalidArgumentException} that names the argument and never echoes its value, like the checks of
 * {@link HeadlessClient}'s methods.
 */
final class Arguments {
  private Arguments() {}

  /** The value, or a refusal when it is null. */
  static <T> T required(T value, String name) {
    if (value == null) {
      throw refused(name, "must not be null");
    }
    return value;
  }

  /** An unmodifiable copy, or a refusal when the list or an element is null. */
  static <T> List<T> listOf(Collection<? extends T> values, String name) {
    return List.copyOf(elementsRequired(values, name));
  }

  /** An unmodifiable copy, or a refusal when the set or an element is null. */
  static <T> Set<T> setOf(Collection<? extends T> values, String name) {
    return Set.copyOf(elementsRequired(values, name));
  }

  /** An unmodifiable copy, or a refusal when the map, a key or a value is null. */
  static <K, V> Map<K, V> mapOf(Map<? extends K, ? extends V> entries, String name) {
    required(entries, name);
    for (Map.Entry<? extends K, ? extends V> entry : entries.entrySet()) {
      if (entry.getKey() == null || entry.getValue() == null) {
        throw refused(name, "must not contain null");
      }
    }
    return Map.copyOf(entries);
  }

  /** Refuses a room event whose identity (room, event, sender, time) is incomplete. */
  static void roomEvent(String roomId, String eventId, String sender, Instant timestamp) {
    required(roomId, "roomId");
    required(eventId, "eventId");
    required(sender, "sender");
    required(timestamp, "timestamp");
  }

  /** A refusal unless the condition holds. */
  static void check(boolean holds, String name, String reason) {
    if (!holds) {
      throw refused(name, reason);
    }
  }

  static InvalidArgumentException refused(String name, String reason) {
    return new InvalidArgumentException(
        ErrorCode.INVALID_ARGUMENT, "invalid " + name + ": " + reason);
  }

  private static <T extends Collection<?>> T elementsRequired(T values, String name) {
    required(values, name);
    for (Object value : values) {
      if (value == null) {
        throw refused(name, "must not contain null");
      }
    }
    return values;
  }
}
