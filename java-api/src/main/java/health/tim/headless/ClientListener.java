package health.tim.headless;

/**
 * Receives a client's events on the client's delivery thread, one at a time, per room in timeline
 * order.
 *
 * <p>Override {@link #onEvent} to see every event, or the method of each kind you care about; the
 * default {@code onEvent} calls them. Implementations should return quickly and hand longer work to
 * a thread of their own: while a listener runs, no further event is delivered. An exception thrown
 * by a listener is logged (its type, not its message) and does not stop delivery to other listeners
 * or of later events.
 *
 * <p>Delivery is recorded in the store: once every listener has returned for an event, a restart of
 * the client does not deliver it again, and an event not yet handed over is delivered after a
 * restart, also when it arrived while the client was stopped. An event whose listeners were still
 * running when the process ended is delivered again. While no listener is registered, events wait
 * for the first one; the listeners registered when an event is handed over are the ones that get
 * it.
 */
public interface ClientListener {
  /**
   * Any event arrived. The default implementation calls the method of the event's kind.
   *
   * @param event the event
   */
  default void onEvent(ClientEvent event) {
    if (event instanceof MessageEvent message) {
      onMessage(message);
    } else if (event instanceof EditEvent edit) {
      onEdit(edit);
    } else if (event instanceof RedactionEvent redaction) {
      onRedaction(redaction);
    } else if (event instanceof ReactionEvent reaction) {
      onReaction(reaction);
    } else if (event instanceof CustomEvent custom) {
      onCustomEvent(custom);
    } else if (event instanceof StateEvent state) {
      onStateEvent(state);
    } else if (event instanceof UndecryptableEvent undecryptable) {
      onUndecryptable(undecryptable);
    } else if (event instanceof ReceiptEvent receipt) {
      onReceipt(receipt);
    } else if (event instanceof InviteEvent invite) {
      onInvite(invite);
    } else if (event instanceof QueuedMessage update) {
      onQueueUpdate(update);
    } else if (event instanceof AuditEntry entry) {
      onAuditEntry(entry);
    }
  }

  /**
   * A room message arrived: text, notice, emote, location or an attachment's description.
   *
   * @param message the message, decrypted
   */
  default void onMessage(MessageEvent message) {}

  /**
   * An earlier message was edited, or its text deleted by replacement.
   *
   * @param edit the edit
   */
  default void onEdit(EditEvent edit) {}

  /**
   * An earlier event was redacted.
   *
   * @param redaction the redaction
   */
  default void onRedaction(RedactionEvent redaction) {}

  /**
   * Somebody reacted to an event.
   *
   * @param reaction the reaction
   */
  default void onReaction(ReactionEvent reaction) {}

  /**
   * A message-like event of a custom type arrived, for example {@code de.gematik.fhir}.
   *
   * @param custom the event
   */
  default void onCustomEvent(CustomEvent custom) {}

  /**
   * A room's state changed: membership, name, topic, settings.
   *
   * @param state the new state event
   */
  default void onStateEvent(StateEvent state) {}

  /**
   * An encrypted event arrived whose key this device does not have yet. If the key arrives later,
   * the event is delivered again, decrypted.
   *
   * @param event the event
   */
  default void onUndecryptable(UndecryptableEvent event) {}

  /**
   * A user sent a read receipt.
   *
   * @param receipt the receipt
   */
  default void onReceipt(ReceiptEvent receipt) {}

  /**
   * This account was invited into a room.
   *
   * @param invite the invitation
   */
  default void onInvite(InviteEvent invite) {}

  /**
   * A queued message was sent ({@link QueuedMessage.State#SENT}, with its event ID) or failed for
   * good ({@link QueuedMessage.State#FAILED}). These reports are not recorded for delivery: one
   * that was not handed over before the process ended is not repeated, and {@link
   * HeadlessClient#queuedMessages()} tells what is still queued.
   *
   * @param update the message's new state
   */
  default void onQueueUpdate(QueuedMessage update) {}

  /**
   * An entry was written to the audit log. Entries are handed over as they are written but not
   * recorded for delivery: the log file is the record, and a restart does not repeat them.
   *
   * @param entry the entry
   */
  default void onAuditEntry(AuditEntry entry) {}
}
