package health.tim.headless;

/**
 * Something that happened in the account, delivered to {@link ClientListener}s.
 *
 * <p>Timeline events are {@link RoomEvent}s. Read receipts, invitations and the send queue's
 * reports ({@link QueuedMessage}) name their room but are not part of its timeline; audit entries
 * ({@link AuditEntry}) belong to the client as a whole.
 */
public sealed interface ClientEvent
    permits RoomEvent, ReceiptEvent, InviteEvent, QueuedMessage, AuditEntry {}
