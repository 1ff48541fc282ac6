package health.tim.headless;

/**
 * A text-like message to send with {@link HeadlessClient#send}: text, notice, emote or location,
 * optionally with an HTML body and as a reply. Instances are immutable; start from a factory
 * method.
 *
 * <p>{@link #toString()} leaves body, HTML body and location out.
 *
 * @param kind {@link MessageKind#TEXT}, {@link MessageKind#NOTICE}, {@link MessageKind#EMOTE} or
 *     {@link MessageKind#LOCATION}
 * @param body the plain-text body (for a location, its description), at most 32 KiB in UTF-8
 * @param formattedBody an HTML body sent beside the plain one, or {@code null}
 * @param geoUri the {@code geo:} URI of a location, for example {@code geo:52.52,13.40}; {@code
 *     null} for other kinds
 * @param replyTo the event this message replies to, or {@code null}
 */
public record OutgoingMessage(
    MessageKind kind, String body, String formattedBody, String geoUri, String replyTo) {

  /**
   * Creates a message; prefer the factory methods. The content is checked when it is sent.
   *
   * @param kind see the record component
   * @param body see the record component
   * @param formattedBody see the record component
   * @param geoUri see the record component
   * @param replyTo see the record component
   * @throws InvalidArgumentException if {@code kind} or {@code body} is {@code null}
   */
  public OutgoingMessage {
    Arguments.required(kind, "kind");
    Arguments.required(body, "body");
  }

  /**
   * A text message ({@code m.text}).
   *
   * @param body the text
   * @return the message
   */
  public static OutgoingMessage text(String body) {
    return new OutgoingMessage(MessageKind.TEXT, body, null, null, null);
  }

  /**
   * A text message with an HTML body beside the plain one.
   *
   * @param body the plain text, for receivers that do not show HTML
   * @param html the HTML body
   * @return the message
   */
  public static OutgoingMessage html(String body, String html) {
    return new OutgoingMessage(MessageKind.TEXT, body, html, null, null);
  }

  /**
   * A notice ({@code m.notice}), the kind for automated messages.
   *
   * @param body the text
   * @return the message
   */
  public static OutgoingMessage notice(String body) {
    return new OutgoingMessage(MessageKind.NOTICE, body, null, null, null);
  }

  /**
   * An emote ({@code m.emote}), an action in the third person.
   *
   * @param body the text
   * @return the message
   */
  public static OutgoingMessage emote(String body) {
    return new OutgoingMessage(MessageKind.EMOTE, body, null, null, null);
  }

  /**
   * A location ({@code m.location}).
   *
   * @param description what the place is
   * @param geoUri the {@code geo:} URI, for example {@code geo:52.52,13.40}
   * @return the message
   */
  public static OutgoingMessage location(String description, String geoUri) {
    return new OutgoingMessage(MessageKind.LOCATION, description, null, geoUri, null);
  }

  /**
   * This message as a reply to an event.
   *
   * @param eventId the event replied to
   * @return a new message
   */
  public OutgoingMessage inReplyTo(String eventId) {
    return new OutgoingMessage(kind, body, formattedBody, geoUri, eventId);
  }

  @Override
  public String toString() {
    return "OutgoingMessage[kind=" + kind + ", replyTo=" + replyTo + "]";
  }
}
