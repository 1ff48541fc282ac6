package health.tim.headless;

import java.util.List;
import java.util.Optional;

/**
 * One page of a room's history, newest event first.
 *
 * @param events the events, newest first, decrypted where this device has the keys
 * @param nextToken the token that {@link HeadlessClient#history} takes to read the next, older
 *     page, or {@code null} at the room's beginning
 */
public record HistoryPage(List<RoomEvent> events, String nextToken) {
  /**
   * Creates a page; the list is copied.
   *
   * @param events see the record component
   * @param nextToken see the record component
   * @throws InvalidArgumentException if {@code events} or one of them is {@code null}
   */
  public HistoryPage {
    events = Arguments.listOf(events, "events");
  }

  /**
   * The token of the next, older page.
   *
   * @return the token, or empty at the room's beginning
   */
  public Optional<String> optionalNextToken() {
    return Optional.ofNullable(nextToken);
  }
}
