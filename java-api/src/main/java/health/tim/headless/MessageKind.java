package health.tim.headless;

/** The kinds of room message ({@code msgtype}) TI-M clients send and receive. */
public enum MessageKind {
  /** {@code m.text}: a text message, possibly with an HTML body. */
  TEXT("m.text"),
  /** {@code m.notice}: an automated message, for example from a bot or a system. */
  NOTICE("m.notice"),
  /** {@code m.emote}: an action in the third person. */
  EMOTE("m.emote"),
  /** {@code m.location}: a place, as a {@code geo:} URI. */
  LOCATION("m.location"),
  /** {@code m.file}: a file attachment. */
  FILE("m.file"),
  /** {@code m.image}: an image attachment. */
  IMAGE("m.image"),
  /** {@code m.audio}: an audio attachment. */
  AUDIO("m.audio"),
  /** {@code m.video}: a video attachment. */
  VIDEO("m.video"),
  /** Any other message type; {@link MessageEvent#messageType()} names it. */
  OTHER("");

  private final String messageType;

  MessageKind(String messageType) {
    this.messageType = messageType;
  }

  /**
   * The Matrix message type of this kind.
   *
   * @return for example {@code m.text}; empty for {@link #OTHER}
   */
  public String messageType() {
    return messageType;
  }

  /**
   * The kind of a Matrix message type.
   *
   * @param messageType a message type such as {@code m.text}
   * @return its kind, or {@link #OTHER} for a type TI-M does not define
   */
  public static MessageKind of(String messageType) {
    for (MessageKind kind : values()) {
      if (kind != OTHER && kind.messageType.equals(messageType)) {
        return kind;
      }
    }
    return OTHER;
  }
}
