package health.tim.headless;

import health.tim.headless.internal.JsonWriter;
import health.tim.headless.internal.NativeBridge;
import health.tim.headless.internal.NativeLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A headless TI-Messenger Pro client for one account.
 *
 * <p>The native core owns the end-to-end encryption, the encrypted store and the sync loop; this
 * class hands out immutable records and never returns a key, token or passphrase. Instances are
 * thread-safe. Many clients may live in one JVM; they share one native runtime, and each needs a
 * store directory of its own.
 *
 * <pre>{@code
 * try (HeadlessClient client = HeadlessClient.builder()
 *     .homeserverUrl("https://matrix.example.org")
 *     .storeDirectory(Path.of("/var/lib/kis/tim/alice"))
 *     .storePassphrase(passphrase)
 *     .integratingSystem("KIS Beispiel", "4.2")
 *     .build()) {
 *   if (client.session().isEmpty()) {
 *     client.login("alice", password);
 *   }
 *   client.addListener(new ClientListener() {
 *     public void onMessage(MessageEvent message) { ... }
 *   });
 *   client.startSync();
 *   String eventId = client.sendText(roomId, "Befund liegt vor").join();
 * }
 * }</pre>
 *
 * <p>Lifecycle calls ({@link #login}, {@link #logout}, {@link #startSync}, {@link #stopSync},
 * {@link #close}) block. Room and message calls return futures that complete on the client's own
 * threads. Every call checks its arguments first and throws {@link InvalidArgumentException} before
 * anything else happens; futures fail only with conditions found later (the homeserver's answer,
 * the network, a closed client).
 */
public final class HeadlessClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HeadlessClient.class);
  private static final Cleaner CLEANER = Cleaner.create();
  private static final AtomicInteger CLIENT_NUMBERS = new AtomicInteger();
  private static final int EVENT_WAIT_MILLIS = 500;
  private static final int EVENT_BATCH = 64;
  private static final int LISTENER_POLL_MILLIS = 100;
  private static final int CALL_THREADS = 8;
  private static final int TRANSFER_CHUNK_BYTES = 256 * 1024;

  /** Calls after close per store, until the next client of that store audits them. */
  private static final ConcurrentMap<Path, Long> CALLS_AFTER_CLOSE = new ConcurrentHashMap<>();

  private final NativeClient nativeClient;
  private final Cleaner.Cleanable cleanable;
  private final ExecutorService calls;
  private final List<ClientListener> listeners = new CopyOnWriteArrayList<>();
  private final int number = CLIENT_NUMBERS.incrementAndGet();
  private final Object pumpLock = new Object();
  private Thread eventPump;

  private HeadlessClient(long handle, Path store) {
    this.nativeClient = new NativeClient(handle, store);
    this.calls = newCallExecutor(number);
    // The Cleaner closes the native client if this object is collected without close(). Its
    // action must not refer to this object.
    this.cleanable = CLEANER.register(this, nativeClient);
  }

  /**
   * The identification header's name unless the builder sets another, as gematik's reference client
   * sends it.
   */
  public static final String DEFAULT_IDENTIFICATION_HEADER = "X-TIM-User-Agent";

  /**
   * The sync loop's pause between syncs unless {@link Builder#syncBatchWindow} sets another: short
   * enough to keep a message's latency well under a person's notice, long enough that a busy stream
   * of messages shares responses.
   */
  public static final Duration DEFAULT_SYNC_BATCH_WINDOW = Duration.ofMillis(50);

  /** The longest pause {@link Builder#syncBatchWindow} accepts. */
  public static final Duration MAX_SYNC_BATCH_WINDOW = Duration.ofSeconds(1);

  /**
   * Starts building a client.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The logged-in identity. A session saved in the store is restored when the client is built.
   *
   * @return the session, or empty when not logged in
   * @throws ClientClosedException if the client is closed
   */
  public Optional<Session> session() {
    return Optional.ofNullable(NativeBridge.clientSession(nativeClient.handle()));
  }

  /**
   * Logs in with user name and password and saves the session in the store, so that a later client
   * on the same store is logged in without the password. Blocks until the homeserver answered.
   *
   * <p>With a {@linkplain Builder#recoveryPassphrase recovery passphrase}, the key backup is set up
   * before this returns (see {@link #keyBackupStatus()}); a failure there does not fail the login,
   * it is logged, audited and shown as {@link KeyBackupStatus.State#FAILED}.
   *
   * @param user a full Matrix user ID ({@code @alice:example.org}) or a localpart ({@code alice})
   * @param password the password; this method does not keep or alter the array, wipe it yourself
   * @return the new session
   * @throws InvalidArgumentException if {@code user} is null or malformed or {@code password} is
   *     null or empty
   * @throws ClientStateException if the client is logged in already, or restricted for repeated
   *     login failures ({@link ErrorCode#CLIENT_RESTRICTED}, see {@link #restriction()})
   * @throws AuthenticationException if the homeserver refused the credentials
   * @throws HomeserverException if the homeserver answered with another error
   * @throws NetworkException if the homeserver could not be reached
   * @throws ClientClosedException if the client is closed
   */
  public Session login(String user, char[] password) {
    checkNotNull(user, "user");
    checkNotNull(password, "password");
    long handle = nativeClient.handle();
    return withWipedCopy(
        password, copy -> NativeBridge.clientLoginPassword(handle, user, copy, null));
  }

  /**
   * Logs in with a login token ({@code m.login.token}) and saves the session, like {@link
   * #login(String, char[])}. This is how a login with two factors works for a headless client: the
   * integrating system runs the homeserver's SSO flow once, with an operator at a browser, and
   * hands the token from its end to this method; afterwards the saved session and its refresh token
   * keep the client logged in unattended. A token works once and expires within minutes.
   *
   * @param loginToken the token; this method does not keep or alter the array, wipe it yourself
   * @return the new session
   * @throws InvalidArgumentException if {@code loginToken} is null, empty or longer than 4096
   *     characters
   * @throws ClientStateException if the client is logged in already, or restricted for repeated
   *     login failures ({@link ErrorCode#CLIENT_RESTRICTED}, see {@link #restriction()})
   * @throws AuthenticationException if the homeserver refused the token (used, expired, unknown)
   * @throws HomeserverException if the homeserver answered with another error
   * @throws NetworkException if the homeserver could not be reached
   * @throws ClientClosedException if the client is closed
   */
  public Session loginWithToken(char[] loginToken) {
    checkNotNull(loginToken, "loginToken");
    long handle = nativeClient.handle();
    return withWipedCopy(loginToken, copy -> NativeBridge.clientLoginToken(handle, copy, null));
  }

  /**
   * Signs every other device of this account out; the homeserver deletes them with their keys. For
   * example after a store was lost or copied. Audited.
   *
   * @param password the account's password, which the homeserver asks for to confirm; this method
   *     does not keep or alter the array, wipe it yourself
   * @return how many devices were signed out
   * @throws InvalidArgumentException if {@code password} is null or empty
   * @throws AuthenticationException if the homeserver refused the password
   * @throws ClientStateException if not logged in, restricted or rate-limited
   * @throws HomeserverException if the homeserver answered with another error
   * @throws NetworkException if the homeserver could not be reached
   * @throws ClientClosedException if the client is closed
   */
  public int logoutOtherDevices(char[] password) {
    checkNotNull(password, "password");
    long handle = nativeClient.handle();
    return withWipedCopy(password, copy -> NativeBridge.clientLogoutOtherDevices(handle, copy));
  }

  /**
   * Logs out: the homeserver deletes the device, and the client deletes the session and the
   * device's keys from the store. The client stays open and can log in again.
   *
   * @throws ClientStateException if the client is not logged in
   * @throws HomeserverException if the homeserver refused; then nothing was deleted
   * @throws NetworkException if the homeserver could not be reached; then nothing was deleted
   * @throws ClientClosedException if the client is closed
   */
  public void logout() {
    NativeBridge.clientLogout(nativeClient.handle());
  }

  /**
   * How the sync loop fares: whether it runs, when a sync last succeeded, and the failures since
   * (the homeserver or the network away). For health checks; the loop retries on its own.
   *
   * @return the status
   * @throws ClientClosedException if the client is closed
   */
  public SyncStatus syncStatus() {
    return WireReader.syncStatus(NativeBridge.clientSyncStatus(nativeClient.handle()));
  }

  /**
   * Starts the sync loop, which receives messages and invitations and hands them to the listeners.
   * Events that arrive while no listener is registered wait in the client (see {@link
   * #addListener}). Does nothing if the loop runs already.
   *
   * @throws ClientStateException if the client is not logged in
   * @throws ClientClosedException if the client is closed
   */
  public void startSync() {
    NativeBridge.clientStartSync(nativeClient.handle());
    startEventPump();
  }

  /** Starts the thread that hands events to the listeners, unless it runs already. */
  private void startEventPump() {
    synchronized (pumpLock) {
      if (eventPump == null && !nativeClient.isClosed()) {
        eventPump =
            new Thread(new EventPump(nativeClient, listeners), "tim-headless-events-" + number);
        eventPump.setDaemon(true);
        eventPump.start();
      }
    }
  }

  /**
   * Stops the sync loop and waits until it has ended. Does nothing if it is not running.
   *
   * @throws ClientClosedException if the client is closed
   */
  public void stopSync() {
    NativeBridge.clientStopSync(nativeClient.handle());
  }

  /**
   * Whether the sync loop is running.
   *
   * @return {@code true} while it runs
   * @throws ClientClosedException if the client is closed
   */
  public boolean isSyncing() {
    return NativeBridge.clientIsSyncing(nativeClient.handle());
  }

  /**
   * What this client reports about itself: product, product type and versions, platform, the
   * integrating system named to the builder, and when the client was opened. The Fachdienst
   * receives the same facts in the identification header of every request; no Fachdienst endpoint
   * for the report itself is known, so it is not sent elsewhere.
   *
   * @return the report
   * @throws ClientClosedException if the client is closed
   */
  public SelfReport selfReport() {
    return WireReader.selfReport(NativeBridge.clientSelfReport(nativeClient.handle()));
  }

  /**
   * The counts the next structured-data client report would carry: structured-data events (custom
   * event types such as {@code de.gematik.fhir}, not {@code m.} types) sent and handed to the
   * listeners since the last accepted report. They are kept in the store across restarts; an event
   * delivered again after a crash (see {@link ClientListener}) counts again.
   *
   * @return the counts
   * @throws ClientClosedException if the client is closed
   */
  public ClientReport clientReport() {
    return WireReader.clientReport(NativeBridge.clientReport(nativeClient.handle()));
  }

  /**
   * Posts the structured-data client report to the endpoint of {@link Builder#clientReportUrl},
   * with the access token as bearer, in the schema of {@code TIMessengerClientReport.yaml}. Once
   * the endpoint accepted it, the counts it carried are subtracted and counting starts anew; when
   * it refuses, they stay. The integrating system decides how often to report.
   *
   * @return a future of {@code true} when a report was sent, {@code false} when there was nothing
   *     to report (nothing is sent then); it fails with {@link ClientStateException} ({@link
   *     ErrorCode#NOT_CONFIGURED}) without an endpoint or when not logged in, {@link
   *     HomeserverException} with the endpoint's status when it refuses, {@link NetworkException}
   *     or {@link ClientClosedException}
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<Boolean> sendClientReport() {
    long handle = nativeClient.handle();
    return call(() -> NativeBridge.clientSendReport(handle));
  }

  /**
   * Searches the VZD-FHIR-Directory for practitioners (see {@link Builder#directoryUrl}). The
   * client asks the homeserver for a Matrix OpenID token, exchanges it at the directory's {@code
   * /tim-authenticate} for a search token, which it keeps until shortly before it expires, and
   * searches {@code PractitionerRole} with the practitioners, organisations, locations and
   * endpoints they reference. Inactive practitioners are left out, and only active endpoints'
   * Matrix IDs are reported.
   *
   * @param query what to search for
   * @return a future of the entries found; it fails with {@link ClientStateException} ({@link
   *     ErrorCode#NOT_CONFIGURED}) without a directory URL, or when not logged in or rate-limited,
   *     {@link HomeserverException} with the directory's or the homeserver's status when either
   *     refuses, {@link NetworkException} or {@link ClientClosedException}
   * @throws InvalidArgumentException if {@code query} is null, has no criterion, a malformed Matrix
   *     ID or a limit outside 1 to 100; a malformed name, city or postal code fails the future with
   *     it, before any request
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<List<DirectoryEntry>> searchPractitioners(DirectoryQuery query) {
    return searchDirectory(NativeBridge.DIRECTORY_PRACTITIONER, query);
  }

  /**
   * Searches the VZD-FHIR-Directory for healthcare services of organisations, as {@link
   * #searchPractitioners} does for practitioners; the name criterion matches the service's name.
   *
   * @param query what to search for
   * @return a future of the entries found; it fails as {@link #searchPractitioners} does
   * @throws InvalidArgumentException as {@link #searchPractitioners} does
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<List<DirectoryEntry>> searchHealthcareServices(DirectoryQuery query) {
    return searchDirectory(NativeBridge.DIRECTORY_HEALTHCARE_SERVICE, query);
  }

  private CompletableFuture<List<DirectoryEntry>> searchDirectory(int kind, DirectoryQuery query) {
    checkNotNull(query, "query");
    if (query.name() == null
        && query.city() == null
        && query.postalCode() == null
        && query.matrixId() == null) {
      throw rejected(
          new InvalidArgumentException(
              ErrorCode.INVALID_ARGUMENT,
              "invalid query: needs a name, an address or a Matrix ID"));
    }
    if (query.limit() < 1 || query.limit() > 100) {
      throw rejected(
          new InvalidArgumentException(
              ErrorCode.INVALID_ARGUMENT, "invalid limit: must be between 1 and 100"));
    }
    if (query.matrixId() != null) {
      checkValid(NativeBridge.VALIDATE_USER_ID, query.matrixId(), "matrixId");
    }
    long handle = nativeClient.handle();
    return call(
        () ->
            WireReader.directoryEntries(
                NativeBridge.clientSearchDirectory(
                    handle,
                    kind,
                    query.name(),
                    query.city(),
                    query.postalCode(),
                    query.matrixId(),
                    query.limit())));
  }

  /**
   * Whether this device backs its room keys up (see {@link Builder#recoveryPassphrase}).
   *
   * @return the status; {@link KeyBackupStatus.State#FAILED} names why the last attempt failed
   * @throws ClientStateException if not logged in
   * @throws ClientClosedException if the client is closed
   */
  public KeyBackupStatus keyBackupStatus() {
    return WireReader.keyBackupStatus(NativeBridge.clientKeyBackupState(nativeClient.handle()));
  }

  /**
   * Sets the key backup up with a recovery passphrase, as {@link #login} does with the one given to
   * the builder: for a session created without one, or to retry after a failure. Audited. The
   * caller's array is not altered; wipe it yourself.
   *
   * @param recoveryPassphrase the passphrase; for an account that has a backup already, the one it
   *     was created with
   * @return a future that completes once the backup is set up (and, on a new device, the key
   *     download has started); it fails with {@link AuthenticationException} ({@link
   *     ErrorCode#RECOVERY_PASSPHRASE_REFUSED}) when the passphrase does not open the account's
   *     backup, {@link ClientStateException} ({@link ErrorCode#KEY_BACKUP_UNAVAILABLE}) when the
   *     account has a backup that no secret storage protects, or when not logged in, restricted or
   *     rate-limited, {@link HomeserverException}, {@link NetworkException} or {@link
   *     ClientClosedException}
   * @throws InvalidArgumentException if {@code recoveryPassphrase} is null or empty
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<Void> enableKeyBackup(char[] recoveryPassphrase) {
    checkNotNull(recoveryPassphrase, "recoveryPassphrase");
    if (recoveryPassphrase.length == 0) {
      throw rejected(
          new InvalidArgumentException(
              ErrorCode.INVALID_ARGUMENT, "invalid recoveryPassphrase: must not be empty"));
    }
    char[] copy = recoveryPassphrase.clone();
    long handle = nativeClient.handle();
    return run(
        () -> {
          try {
            NativeBridge.clientEnableKeyBackup(handle, copy);
          } finally {
            Arrays.fill(copy, '\0');
          }
        });
  }

  /**
   * Creates a room with TI-M's defaults (see {@link CreateRoomOptions}).
   *
   * @param options what the room looks like
   * @return a future of the new room's ID; it fails with {@link InviteRefusedException} when the
   *     invitation was refused (as a rule by the invitee's permission settings; the room is then
   *     left and forgotten again), {@link ClientStateException} when not logged in, {@link
   *     HomeserverException} when the homeserver refused otherwise, {@link NetworkException} or
   *     {@link ClientClosedException}
   * @throws InvalidArgumentException if {@code options} is null, a private room or direct chat is
   *     not encrypted, a public room is, a direct chat has no invitee, name, topic or invitee is
   *     invalid, or the room version is neither 9 nor 10; nothing was sent
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<String> createRoom(CreateRoomOptions options) {
    checkNotNull(options, "options");
    int kind =
        switch (options.kind()) {
          case PRIVATE -> NativeBridge.ROOM_KIND_PRIVATE;
          case DIRECT -> NativeBridge.ROOM_KIND_DIRECT;
          case PUBLIC -> NativeBridge.ROOM_KIND_PUBLIC_UNENCRYPTED;
        };
    audited(
        () ->
            NativeBridge.checkRoomOptions(
                kind,
                options.encrypted(),
                options.name(),
                options.topic(),
                options.invitee(),
                options.roomVersion()));
    long handle = nativeClient.handle();
    return call(
        () ->
            NativeBridge.clientCreateRoom(
                handle,
                kind,
                options.encrypted(),
                options.name(),
                options.topic(),
                options.invitee(),
                options.roomVersion()));
  }

  /**
   * Creates a private, end-to-end encrypted room and invites one user into it; short for {@code
   * createRoom(CreateRoomOptions.privateRoom().withInvitee(invitee))}.
   *
   * @param invitee the full Matrix user ID of the user to invite
   * @return a future of the new room's ID, failing as {@link #createRoom} does
   * @throws InvalidArgumentException if {@code invitee} is null or not a valid user ID
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<String> createEncryptedRoom(String invitee) {
    checkValid(NativeBridge.VALIDATE_USER_ID, invitee, "invitee");
    return createRoom(CreateRoomOptions.privateRoom().withInvitee(invitee));
  }

  /**
   * Joins a room this account was invited to, or a public room.
   *
   * @param roomId the room ID, for example from an {@link InviteEvent}
   * @return a future that completes once joined; it fails with {@link ClientStateException}, {@link
   *     HomeserverException} (for example 403 without an invitation), {@link NetworkException} or
   *     {@link ClientClosedException}
   * @throws InvalidArgumentException if {@code roomId} is null or not a valid room ID
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<Void> joinRoom(String roomId) {
    checkValid(NativeBridge.VALIDATE_ROOM_ID, roomId, "roomId");
    long handle = nativeClient.handle();
    return run(() -> NativeBridge.clientJoinRoom(handle, roomId));
  }

  /**
   * Invites a user into a joined room.
   *
   * @param roomId the room
   * @param userId the full Matrix user ID of the user to invite
   * @return a future that completes once invited; it fails with {@link InviteRefusedException}
   *     (HTTP 403: as a rule the user's permission settings block the invitation), {@link
   *     NotFoundException} for an unknown room, {@link ClientStateException} ({@link
   *     ErrorCode#WRONG_ROOM_STATE}) when not joined, {@link HomeserverException}, {@link
   *     NetworkException} or {@link ClientClosedException}
   * @throws InvalidArgumentException if an argument is null or invalid
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<Void> inviteUser(String roomId, String userId) {
    checkValid(NativeBridge.VALIDATE_ROOM_ID, roomId, "roomId");
    checkValid(NativeBridge.VALIDATE_USER_ID, userId, "userId");
    long handle = nativeClient.handle();
    return run(() -> NativeBridge.clientInvite(handle, roomId, userId));
  }

  /**
   * Declines an invitation.
   *
   * @param roomId the room this account is invited to
   * @return a future that completes once declined; it fails with {@link NotFoundException}, {@link
   *     ClientStateException} ({@link ErrorCode#WRONG_ROOM_STATE}) without an invitation, {@link
   *     HomeserverException}, {@link NetworkException} or {@link ClientClosedException}
   * @throws InvalidArgumentException if {@code roomId} is null or invalid
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<Void> declineInvite(String roomId) {
    return changeMembership(roomId, NativeBridge.MEMBERSHIP_DECLINE);
  }

  /**
   * Leaves a joined room.
   *
   * @param roomId the room
   * @return a future that completes once left, failing as {@link #declineInvite} does
   * @throws InvalidArgumentException if {@code roomId} is null or invalid
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<Void> leaveRoom(String roomId) {
    return changeMembership(roomId, NativeBridge.MEMBERSHIP_LEAVE);
  }

  /**
   * Forgets a room this account has left, so that it no longer appears in {@link #rooms()}.
   *
   * @param roomId the room
   * @return a future that completes once forgotten, failing as {@link #declineInvite} does
   * @throws InvalidArgumentException if {@code roomId} is null or invalid
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<Void> forgetRoom(String roomId) {
    return changeMembership(roomId, NativeBridge.MEMBERSHIP_FORGET);
  }

  /**
   * Removes a member from a joined room.
   *
   * @param roomId the room
   * @param userId the member to remove
   * @param reason the reason shown to the member, or {@code null}
   * @return a future that completes once removed; it fails as {@link #inviteUser} does, with {@link
   *     HomeserverException} 403 when this account's power level is too low
   * @throws InvalidArgumentException if {@code roomId} or {@code userId} is null or invalid, or
   *     {@code reason} is longer than 4096 characters
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<Void> kick(String roomId, String userId, String reason) {
    checkValid(NativeBridge.VALIDATE_ROOM_ID, roomId, "roomId");
    checkValid(NativeBridge.VALIDATE_USER_ID, userId, "userId");
    if (reason != null) {
      NativeBridge.validate(NativeBridge.VALIDATE_REASON, reason);
    }
    long handle = nativeClient.handle();
    return run(() -> NativeBridge.clientKick(handle, roomId, userId, reason));
  }

  /**
   * Renames a joined room: sends {@code m.room.name} and TI-M's {@code de.gematik.tim.room.name}
   * with the same value.
   *
   * @param roomId the room
   * @param name the new name, at most 255 characters; empty removes the name
   * @return a future that completes once both events are sent; it fails as {@link #inviteUser}
   *     does. If it fails after the first event, the two differ until the call is repeated.
   * @throws InvalidArgumentException if an argument is null or invalid
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<Void> setRoomName(String roomId, String name) {
    checkValid(NativeBridge.VALIDATE_ROOM_ID, roomId, "roomId");
    checkValid(NativeBridge.VALIDATE_ROOM_NAME, name, "name");
    long handle = nativeClient.handle();
    return run(() -> NativeBridge.clientSetRoomText(handle, roomId, false, name));
  }

  /**
   * Sets a joined room's topic: sends {@code m.room.topic} and TI-M's {@code
   * de.gematik.tim.room.topic} with the same value.
   *
   * @param roomId the room
   * @param topic the new topic, at most 4096 characters; empty removes the topic
   * @return a future that completes once both events are sent, failing as {@link #setRoomName} does
   * @throws InvalidArgumentException if an argument is null or invalid
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<Void> setRoomTopic(String roomId, String topic) {
    checkValid(NativeBridge.VALIDATE_ROOM_ID, roomId, "roomId");
    checkValid(NativeBridge.VALIDATE_ROOM_TOPIC, topic, "topic");
    long handle = nativeClient.handle();
    return run(() -> NativeBridge.clientSetRoomText(handle, roomId, true, topic));
  }

  /**
   * The rooms this client knows: joined, invited, and left but not forgotten, ordered by room ID.
   *
   * @return a future of the summaries; it fails with {@link ClientStateException} when not logged
   *     in or {@link ClientClosedException}
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<List<RoomSummary>> rooms() {
    long handle = nativeClient.handle();
    return call(() -> WireReader.roomSummaries(NativeBridge.clientRooms(handle)));
  }

  /**
   * The summary of one room.
   *
   * @param roomId the room
   * @return a future of the summary; it fails with {@link NotFoundException} for a room this client
   *     does not know, {@link ClientStateException} or {@link ClientClosedException}
   * @throws InvalidArgumentException if {@code roomId} is null or invalid
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<RoomSummary> roomSummary(String roomId) {
    return roomInfo(roomId, NativeBridge.ROOM_INFO_SUMMARY, WireReader::roomSummary);
  }

  /**
   * The members of a room with their membership, ordered by user ID.
   *
   * @param roomId the room
   * @return a future of the members, failing as {@link #roomSummary} does, and with {@link
   *     HomeserverException} or {@link NetworkException} when they had to be fetched
   * @throws InvalidArgumentException if {@code roomId} is null or invalid
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<List<RoomMember>> roomMembers(String roomId) {
    return roomInfo(roomId, NativeBridge.ROOM_INFO_MEMBERS, WireReader::roomMembers);
  }

  /**
   * Every current state event of a joined room, as the homeserver has it.
   *
   * @param roomId the room
   * @return a future of the state events; it fails with {@link NotFoundException}, {@link
   *     ClientStateException} ({@link ErrorCode#WRONG_ROOM_STATE} when not joined), {@link
   *     HomeserverException}, {@link NetworkException} or {@link ClientClosedException}
   * @throws InvalidArgumentException if {@code roomId} is null or invalid
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<List<StateEvent>> roomState(String roomId) {
    return roomInfo(roomId, NativeBridge.ROOM_INFO_STATE, WireReader::stateEvents);
  }

  /**
   * The settings of a joined room, with the fields of the TI-M test driver's {@code Room} object.
   *
   * @param roomId the room
   * @return a future of the settings, failing as {@link #roomState} does
   * @throws InvalidArgumentException if {@code roomId} is null or invalid
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<RoomSettings> roomSettings(String roomId) {
    return roomInfo(roomId, NativeBridge.ROOM_INFO_SETTINGS, WireReader::roomSettings);
  }

  /**
   * Sends a text-like message, end-to-end encrypted in an encrypted room, through the send queue.
   *
   * <p>The message is saved in the store's send queue before this method returns, and sent in the
   * background; sends into one room go out one after another, in the order of the calls. If the
   * process ends before the homeserver has answered, the message is sent when the client is opened
   * again, and the homeserver recognises a message it had already stored by its transaction ID, so
   * it is not stored twice. Failures that may pass (no connection, HTTP 5xx, rate limits) are
   * retried with pauses of up to a minute for as long as the client is open, so the future may take
   * a while; bound it with {@link CompletableFuture#orTimeout} if needed and see {@link
   * #queuedMessages()}. A refusal by the homeserver fails the future and removes the message from
   * the queue.
   *
   * @param roomId the room to send to; the client must have joined it
   * @param message the message
   * @return a future of the event ID; it fails with {@link NotFoundException} for an unknown room,
   *     {@link ClientStateException} ({@link ErrorCode#WRONG_ROOM_STATE} when not joined, {@link
   *     ErrorCode#QUEUE_FULL} when the queue is full: then nothing was queued), {@link
   *     StoreException} when the message cannot be saved, {@link HomeserverException} when the
   *     homeserver refuses it, {@link ClientStateException} ({@link ErrorCode#SEND_DISCARDED})
   *     after {@link #discardQueued}, or {@link ClientClosedException} when the client is closed
   *     first, in which case the message stays queued for the next open
   * @throws InvalidArgumentException if an argument is null, the body is empty, longer than 32 KiB
   *     or contains NUL, a location lacks a valid {@code geo:} URI, another kind has one, the kind
   *     is not text-like, or {@code replyTo} is not an event ID
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<String> send(String roomId, OutgoingMessage message) {
    QueuedMessage queued;
    try {
      queued = queueMessage(roomId, message, true);
    } catch (InvalidArgumentException | ClientClosedException e) {
      throw e;
    } catch (TimException e) {
      return CompletableFuture.failedFuture(e);
    }
    return awaitQueued(queued);
  }

  /**
   * Saves a text-like message in the send queue and returns at once; the message is then sent as
   * {@link #send} describes, and listeners learn its outcome through {@link
   * ClientListener#onQueueUpdate}. Unlike with {@code send}, a message the homeserver refuses stays
   * in the queue as {@link QueuedMessage.State#FAILED} until it is retried or discarded.
   *
   * @param roomId the room to send to; the client must have joined it
   * @param message the message
   * @return the queued message, {@link QueuedMessage.State#WAITING}
   * @throws InvalidArgumentException for the arguments {@link #send} refuses
   * @throws NotFoundException if the room is unknown
   * @throws ClientStateException if the client has not joined the room ({@link
   *     ErrorCode#WRONG_ROOM_STATE}), is not logged in, or the queue is full ({@link
   *     ErrorCode#QUEUE_FULL})
   * @throws StoreException if the message cannot be saved
   * @throws ClientClosedException if the client is closed
   */
  public QueuedMessage enqueue(String roomId, OutgoingMessage message) {
    return queueMessage(roomId, message, false);
  }

  private QueuedMessage queueMessage(String roomId, OutgoingMessage message, boolean awaited) {
    checkValid(NativeBridge.VALIDATE_ROOM_ID, roomId, "roomId");
    checkNotNull(message, "message");
    int kind =
        switch (message.kind()) {
          case TEXT -> NativeBridge.MESSAGE_TEXT;
          case NOTICE -> NativeBridge.MESSAGE_NOTICE;
          case EMOTE -> NativeBridge.MESSAGE_EMOTE;
          case LOCATION -> NativeBridge.MESSAGE_LOCATION;
          default ->
              throw rejected(
                  new InvalidArgumentException(
                      ErrorCode.INVALID_ARGUMENT,
                      "invalid kind: only text, notice, emote and location are sent this way"));
        };
    audited(
        () ->
            NativeBridge.checkMessage(
                kind,
                message.body(),
                message.formattedBody(),
                message.geoUri(),
                message.replyTo()));
    return WireReader.queuedMessage(
        NativeBridge.clientQueueMessage(
            nativeClient.handle(),
            roomId,
            kind,
            message.body(),
            message.formattedBody(),
            message.geoUri(),
            message.replyTo(),
            awaited));
  }

  private CompletableFuture<String> awaitQueued(QueuedMessage queued) {
    long handle = nativeClient.handle();
    return call(() -> NativeBridge.clientAwaitQueued(handle, queued.transactionId()));
  }

  /**
   * The messages in the send queue, oldest first: waiting, being sent, or failed. Sent messages
   * have left it.
   *
   * @return the queued messages
   * @throws ClientClosedException if the client is closed
   */
  public List<QueuedMessage> queuedMessages() {
    return WireReader.queuedMessages(NativeBridge.clientQueuedMessages(nativeClient.handle()));
  }

  /**
   * Sends a failed queued message again, starting a fresh series of attempts. A message that has
   * not failed is left as it is.
   *
   * @param transactionId the message's {@link QueuedMessage#transactionId()}
   * @throws InvalidArgumentException if {@code transactionId} is null
   * @throws NotFoundException if no queued message has the transaction ID ({@link
   *     ErrorCode#QUEUED_MESSAGE_NOT_FOUND})
   * @throws StoreException if the change cannot be saved
   * @throws ClientClosedException if the client is closed
   */
  public void retryQueued(String transactionId) {
    checkNotNull(transactionId, "transactionId");
    NativeBridge.clientRetryQueued(nativeClient.handle(), transactionId);
  }

  /**
   * Removes a message from the send queue without sending it; a {@link #send} future waiting for it
   * fails with {@link ClientStateException} ({@link ErrorCode#SEND_DISCARDED}).
   *
   * @param transactionId the message's {@link QueuedMessage#transactionId()}
   * @throws InvalidArgumentException if {@code transactionId} is null
   * @throws NotFoundException if no queued message has the transaction ID ({@link
   *     ErrorCode#QUEUED_MESSAGE_NOT_FOUND})
   * @throws ClientStateException if an attempt to send it runs ({@link
   *     ErrorCode#QUEUED_MESSAGE_SENDING}): it may reach the homeserver, so it cannot be taken back
   * @throws StoreException if the record cannot be deleted
   * @throws ClientClosedException if the client is closed
   */
  public void discardQueued(String transactionId) {
    checkNotNull(transactionId, "transactionId");
    NativeBridge.clientDiscardQueued(nativeClient.handle(), transactionId);
  }

  /**
   * Files a room under one of the integrating system's case references, so that every event of the
   * room arrives with it ({@link RoomEvent#caseReferences()}) and {@link #roomsForCase} finds the
   * room. Linking a case the room has already (same system and value) replaces its FHIR reference.
   * The link is kept only in the encrypted local store, never sent, and audited with a keyed digest
   * of the reference. It works without a session and for rooms not joined yet.
   *
   * @param roomId the room
   * @param reference the case reference
   * @throws InvalidArgumentException if an argument is null or malformed (see {@link
   *     CaseReference}), the room has 32 references already or the client 100,000 linked rooms;
   *     nothing changed
   * @throws ClientStateException if the client is restricted ({@link ErrorCode#CLIENT_RESTRICTED})
   *     or the call exceeds the rate limit for changes
   * @throws StoreException if the links cannot be saved; they are unchanged
   * @throws ClientClosedException if the client is closed
   */
  public void linkCase(String roomId, CaseReference reference) {
    checkNotNull(reference, "reference");
    checkValid(NativeBridge.VALIDATE_ROOM_ID, roomId, "roomId");
    long handle = nativeClient.handle();
    audited(
        () ->
            NativeBridge.clientLinkCase(
                handle, roomId, reference.system(), reference.value(), reference.fhirReference()));
  }

  /**
   * Removes a room's link to a case; system and value decide, the FHIR reference is ignored.
   * Audited like {@link #linkCase}.
   *
   * @param roomId the room
   * @param reference the case reference
   * @return whether the room was linked to the case
   * @throws InvalidArgumentException if an argument is null or malformed
   * @throws ClientStateException if the client is restricted or the call exceeds the rate limit
   * @throws StoreException if the links cannot be saved; they are unchanged
   * @throws ClientClosedException if the client is closed
   */
  public boolean unlinkCase(String roomId, CaseReference reference) {
    checkNotNull(reference, "reference");
    checkValid(NativeBridge.VALIDATE_ROOM_ID, roomId, "roomId");
    long handle = nativeClient.handle();
    boolean[] unlinked = new boolean[1];
    audited(
        () ->
            unlinked[0] =
                NativeBridge.clientUnlinkCase(
                    handle, roomId, reference.system(), reference.value()));
    return unlinked[0];
  }

  /**
   * The case references a room is filed under.
   *
   * @param roomId the room
   * @return the references, in the order they were linked; empty when there are none
   * @throws InvalidArgumentException if {@code roomId} is null or malformed
   * @throws ClientClosedException if the client is closed
   */
  public List<CaseReference> caseReferences(String roomId) {
    checkValid(NativeBridge.VALIDATE_ROOM_ID, roomId, "roomId");
    return WireReader.caseReferences(
        NativeBridge.clientCaseReferences(nativeClient.handle(), roomId));
  }

  /**
   * The rooms filed under a case (system and value decide).
   *
   * @param reference the case reference
   * @return the room IDs, sorted; empty when no room is linked to the case
   * @throws InvalidArgumentException if {@code reference} is null or malformed
   * @throws ClientClosedException if the client is closed
   */
  public List<String> roomsForCase(CaseReference reference) {
    checkNotNull(reference, "reference");
    long handle = nativeClient.handle();
    byte[][] rooms = new byte[1][];
    audited(
        () ->
            rooms[0] =
                NativeBridge.clientRoomsForCase(handle, reference.system(), reference.value()));
    return WireReader.strings(rooms[0]);
  }

  /**
   * Sends a plain-text message; short for {@code send(roomId, OutgoingMessage.text(body))}.
   *
   * @param roomId the room to send to; the client must have joined it
   * @param body the message, at most 32 KiB in UTF-8, without NUL characters
   * @return a future of the event ID, failing as {@link #send} does
   * @throws InvalidArgumentException if {@code roomId} or {@code body} is null or invalid
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<String> sendText(String roomId, String body) {
    checkValid(NativeBridge.VALIDATE_ROOM_ID, roomId, "roomId");
    checkValid(NativeBridge.VALIDATE_MESSAGE_BODY, body, "body");
    return send(roomId, OutgoingMessage.text(body));
  }

  /**
   * Replaces the text of an own message ({@code m.replace}).
   *
   * @param roomId the room
   * @param targetEventId the own message to edit
   * @param newBody the new text, at most 32 KiB; empty deletes the text (see {@link
   *     #deleteByReplace})
   * @param newFormattedBody the new HTML body, or {@code null}
   * @return a future of the edit's event ID; it fails with {@link NotPermittedException} ({@link
   *     ErrorCode#NOT_OWN_EVENT}) for another user's message, {@link NotFoundException} ({@link
   *     ErrorCode#EVENT_NOT_FOUND}), or as {@link #send} does
   * @throws InvalidArgumentException if an argument other than {@code newFormattedBody} is null, or
   *     one is invalid
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<String> editMessage(
      String roomId, String targetEventId, String newBody, String newFormattedBody) {
    checkValid(NativeBridge.VALIDATE_ROOM_ID, roomId, "roomId");
    checkNotNull(targetEventId, "targetEventId");
    checkNotNull(newBody, "newBody");
    audited(() -> NativeBridge.checkEdit(targetEventId, newBody, newFormattedBody));
    long handle = nativeClient.handle();
    return call(
        () ->
            NativeBridge.clientEditMessage(
                handle, roomId, targetEventId, newBody, newFormattedBody));
  }

  /**
   * Deletes an own message's text by replacing it with an empty body, as TI-M clients do.
   *
   * @param roomId the room
   * @param targetEventId the own message
   * @return a future of the replacement's event ID, failing as {@link #editMessage} does
   * @throws InvalidArgumentException if an argument is null or invalid
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<String> deleteByReplace(String roomId, String targetEventId) {
    return editMessage(roomId, targetEventId, "", null);
  }

  /**
   * Redacts an own event sent less than 24 hours ago, and first the own edits of it, so that no
   * edit keeps its text readable.
   *
   * @param roomId the room
   * @param targetEventId the own event
   * @param reason the reason, or {@code null}
   * @return a future that completes once redacted; it fails with {@link NotPermittedException}
   *     ({@link ErrorCode#NOT_OWN_EVENT} or {@link ErrorCode#REDACTION_EXPIRED}), {@link
   *     NotFoundException}, or as {@link #send} does (an edit may then remain; repeat the call)
   * @throws InvalidArgumentException if {@code roomId} or {@code targetEventId} is null or invalid,
   *     or {@code reason} is longer than 4096 characters
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<Void> redact(String roomId, String targetEventId, String reason) {
    checkValid(NativeBridge.VALIDATE_ROOM_ID, roomId, "roomId");
    checkValid(NativeBridge.VALIDATE_EVENT_ID, targetEventId, "targetEventId");
    if (reason != null) {
      NativeBridge.validate(NativeBridge.VALIDATE_REASON, reason);
    }
    long handle = nativeClient.handle();
    return run(() -> NativeBridge.clientRedact(handle, roomId, targetEventId, reason));
  }

  /**
   * Reacts to an event.
   *
   * <p>The reaction is sent <em>unencrypted</em>, also in an encrypted room: matrix-sdk 0.18, on
   * which the native core is built, does not encrypt {@code m.reaction} events. The homeserver sees
   * the key and the event it belongs to (as it sees the relation of every encrypted event), so
   * never put content into a reaction key.
   *
   * @param roomId the room
   * @param targetEventId the event reacted to
   * @param key exactly one character as a user sees it, for example an emoji (an emoji with a skin
   *     tone counts as one)
   * @return a future of the reaction's event ID, failing as {@link #send} does
   * @throws InvalidArgumentException if an argument is null or invalid, or {@code key} is not
   *     exactly one character
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<String> react(String roomId, String targetEventId, String key) {
    checkValid(NativeBridge.VALIDATE_ROOM_ID, roomId, "roomId");
    checkValid(NativeBridge.VALIDATE_EVENT_ID, targetEventId, "targetEventId");
    checkValid(NativeBridge.VALIDATE_REACTION_KEY, key, "key");
    long handle = nativeClient.handle();
    return call(() -> NativeBridge.clientReact(handle, roomId, targetEventId, key));
  }

  /**
   * Sends a message-like event of a custom type, for example {@code de.gematik.fhir} or a status
   * event, encrypted in an encrypted room, through the send queue as {@link #send} describes.
   *
   * @param roomId the room
   * @param eventType the type: printable ASCII, outside the {@code m.} namespace
   * @param contentJson the content, a JSON object
   * @return a future of the event ID; it fails with {@link InvalidArgumentException} when the
   *     encrypted event would exceed the homeserver's 64 KiB limit (encryption adds about a third),
   *     or as {@link #send} does
   * @throws InvalidArgumentException if an argument is null, the type is invalid, the content is
   *     not a JSON object, or the plain event would exceed 64 KiB
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<String> sendCustomEvent(
      String roomId, String eventType, String contentJson) {
    checkValid(NativeBridge.VALIDATE_ROOM_ID, roomId, "roomId");
    checkNotNull(eventType, "eventType");
    checkNotNull(contentJson, "contentJson");
    audited(() -> NativeBridge.checkCustom(eventType, contentJson));
    QueuedMessage queued;
    try {
      queued = queueCustom(roomId, eventType, contentJson, true);
    } catch (ClientClosedException e) {
      throw e;
    } catch (TimException e) {
      // The encrypted size is only known once the room is: that refusal comes as the others do.
      return CompletableFuture.failedFuture(e);
    }
    return awaitQueued(queued);
  }

  /**
   * Saves a custom message-like event in the send queue and returns at once, like {@link #enqueue}.
   *
   * @param roomId the room
   * @param eventType the type: printable ASCII, outside the {@code m.} namespace
   * @param contentJson the content, a JSON object
   * @return the queued message, {@link QueuedMessage.State#WAITING}
   * @throws InvalidArgumentException if an argument is null, the type is invalid, the content is
   *     not a JSON object, or the event, encrypted where the room encrypts, would exceed 64 KiB
   * @throws NotFoundException if the room is unknown
   * @throws ClientStateException as {@link #enqueue} does
   * @throws StoreException if the event cannot be saved
   * @throws ClientClosedException if the client is closed
   */
  public QueuedMessage enqueueCustomEvent(String roomId, String eventType, String contentJson) {
    checkValid(NativeBridge.VALIDATE_ROOM_ID, roomId, "roomId");
    checkNotNull(eventType, "eventType");
    checkNotNull(contentJson, "contentJson");
    audited(() -> NativeBridge.checkCustom(eventType, contentJson));
    return queueCustom(roomId, eventType, contentJson, false);
  }

  private QueuedMessage queueCustom(
      String roomId, String eventType, String contentJson, boolean awaited) {
    return WireReader.queuedMessage(
        NativeBridge.clientQueueCustom(
            nativeClient.handle(), roomId, eventType, contentJson, awaited));
  }

  /**
   * Reads one page of a joined room's history, newest event first, decrypted where this device has
   * the keys.
   *
   * @param roomId the room
   * @param fromToken a page's {@link HistoryPage#nextToken()} to read further back, or {@code null}
   *     for the newest events
   * @param limit the most events on the page, 1 to 100
   * @return a future of the page, failing as {@link #roomState} does
   * @throws InvalidArgumentException if {@code roomId} is null or invalid, or {@code limit} is out
   *     of range
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<HistoryPage> history(String roomId, String fromToken, int limit) {
    checkValid(NativeBridge.VALIDATE_ROOM_ID, roomId, "roomId");
    if (limit < 1 || limit > 100) {
      throw rejected(
          new InvalidArgumentException(
              ErrorCode.INVALID_ARGUMENT, "invalid limit: must be between 1 and 100"));
    }
    long handle = nativeClient.handle();
    return call(
        () -> WireReader.historyPage(NativeBridge.clientHistory(handle, roomId, fromToken, limit)));
  }

  /**
   * Fetches one event of a joined room by its ID, decrypted where this device has the key.
   *
   * @param roomId the room
   * @param eventId the event
   * @return a future of the event; it fails with {@link NotFoundException} ({@link
   *     ErrorCode#EVENT_NOT_FOUND}), or as {@link #roomState} does
   * @throws InvalidArgumentException if an argument is null or invalid
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<RoomEvent> event(String roomId, String eventId) {
    checkValid(NativeBridge.VALIDATE_ROOM_ID, roomId, "roomId");
    checkValid(NativeBridge.VALIDATE_EVENT_ID, eventId, "eventId");
    long handle = nativeClient.handle();
    return call(() -> WireReader.roomEvent(NativeBridge.clientEvent(handle, roomId, eventId)));
  }

  /**
   * Sends a public read receipt: this account has read the room up to the event.
   *
   * @param roomId the room
   * @param eventId the newest event read
   * @return a future that completes once sent, failing as {@link #roomState} does
   * @throws InvalidArgumentException if an argument is null or invalid
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<Void> sendReadReceipt(String roomId, String eventId) {
    checkValid(NativeBridge.VALIDATE_ROOM_ID, roomId, "roomId");
    checkValid(NativeBridge.VALIDATE_EVENT_ID, eventId, "eventId");
    long handle = nativeClient.handle();
    return run(() -> NativeBridge.clientSendReadReceipt(handle, roomId, eventId));
  }

  /**
   * Searches the homeserver's user directory.
   *
   * @param term a part of a user ID or display name
   * @param limit the most results, 1 to 100
   * @return a future of the users found; it fails with {@link ClientStateException}, {@link
   *     HomeserverException}, {@link NetworkException} or {@link ClientClosedException}
   * @throws InvalidArgumentException if {@code term} is null, blank or longer than 128 characters,
   *     or {@code limit} is out of range
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<List<UserProfile>> searchUsers(String term, int limit) {
    checkValid(NativeBridge.VALIDATE_SEARCH_TERM, term, "term");
    if (limit < 1 || limit > 100) {
      throw rejected(
          new InvalidArgumentException(
              ErrorCode.INVALID_ARGUMENT, "invalid limit: must be between 1 and 100"));
    }
    long handle = nativeClient.handle();
    return call(() -> WireReader.userProfiles(NativeBridge.clientSearchUsers(handle, term, limit)));
  }

  /**
   * Reads a user's profile (display name, avatar).
   *
   * @param userId the full Matrix user ID
   * @return a future of the profile; it fails with {@link HomeserverException} (404 for an unknown
   *     user), {@link ClientStateException}, {@link NetworkException} or {@link
   *     ClientClosedException}
   * @throws InvalidArgumentException if {@code userId} is null or invalid
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<UserProfile> profile(String userId) {
    checkValid(NativeBridge.VALIDATE_USER_ID, userId, "userId");
    long handle = nativeClient.handle();
    return call(() -> WireReader.userProfile(NativeBridge.clientProfile(handle, userId)));
  }

  /**
   * Sends a file as an end-to-end encrypted attachment ({@code m.file}, or {@code m.image}, {@code
   * m.audio}, {@code m.video} by the MIME type's top-level type), named after the file. The file is
   * streamed: neither heap nor native memory holds it whole.
   *
   * @param roomId a joined, encrypted room (TI-M sends attachments encrypted only)
   * @param file the file to send; it must not change while it is sent
   * @param mimeType the MIME type, for example {@code application/pdf}
   * @return a future of the message's event ID; it fails with {@link UncheckedIOException} when the
   *     file cannot be read, {@link InvalidArgumentException} when the file is empty or larger than
   *     the homeserver's upload limit, {@link ClientStateException} ({@link
   *     ErrorCode#WRONG_ROOM_STATE}) for an unencrypted or not joined room, or as {@link #send}
   *     does; nothing is sent then
   * @throws InvalidArgumentException if an argument is null or invalid, or {@code file} is no
   *     readable regular file
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<String> sendFile(String roomId, Path file, String mimeType) {
    checkValid(NativeBridge.VALIDATE_ROOM_ID, roomId, "roomId");
    checkNotNull(file, "file");
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw rejected(
          new InvalidArgumentException(
              ErrorCode.INVALID_ARGUMENT, "invalid file: not a readable regular file"));
    }
    Path name = file.getFileName();
    checkValid(NativeBridge.VALIDATE_FILE_NAME, name == null ? null : name.toString(), "file");
    checkValid(NativeBridge.VALIDATE_MIME_TYPE, mimeType, "mimeType");
    long handle = nativeClient.handle();
    return call(
        () -> {
          try (InputStream in = Files.newInputStream(file)) {
            return upload(handle, roomId, in, Files.size(file), name.toString(), mimeType);
          } catch (IOException e) {
            throw new UncheckedIOException("the file could not be read", e);
          }
        });
  }

  /**
   * Sends the bytes of a stream as an end-to-end encrypted attachment, as {@link #sendFile} does.
   * Exactly {@code size} bytes are read, on one of the client's threads; the stream is not closed.
   *
   * @param roomId a joined, encrypted room
   * @param content the bytes to send
   * @param size the number of bytes to send
   * @param fileName the file name shown to the receiver
   * @param mimeType the MIME type, for example {@code application/pdf}
   * @return a future of the message's event ID; it fails with {@link UncheckedIOException} when the
   *     stream fails, {@link InvalidArgumentException} when it ends before {@code size} bytes or
   *     {@code size} exceeds the upload limit, or as {@link #sendFile} does
   * @throws InvalidArgumentException if an argument is null or invalid, or {@code size} is not
   *     positive
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<String> sendAttachment(
      String roomId, InputStream content, long size, String fileName, String mimeType) {
    checkValid(NativeBridge.VALIDATE_ROOM_ID, roomId, "roomId");
    checkNotNull(content, "content");
    if (size <= 0) {
      throw rejected(
          new InvalidArgumentException(
              ErrorCode.INVALID_ARGUMENT, "invalid size: must be at least one byte"));
    }
    checkValid(NativeBridge.VALIDATE_FILE_NAME, fileName, "fileName");
    checkValid(NativeBridge.VALIDATE_MIME_TYPE, mimeType, "mimeType");
    long handle = nativeClient.handle();
    return call(
        () -> {
          try {
            return upload(handle, roomId, content, size, fileName, mimeType);
          } catch (IOException e) {
            throw new UncheckedIOException("the content could not be read", e);
          }
        });
  }

  /**
   * Downloads the attachment of a message, checks its hash and writes it decrypted to a new file.
   * The file appears complete or not at all: it is written under a temporary name in the same
   * directory (readable by the owner only) and renamed at the end.
   *
   * @param roomId the joined room of the message
   * @param eventId the attachment message
   * @param target the file to create; it must not exist
   * @return a future of what the message says about the file; it fails with {@link
   *     IntegrityException} when the file does not match its hash, {@link NotFoundException} for an
   *     unknown event, {@link InvalidArgumentException} when the event is no encrypted attachment,
   *     {@link UncheckedIOException} when the target cannot be written, or as {@link #roomState}
   *     does; no file is left behind then
   * @throws InvalidArgumentException if an argument is null or invalid, {@code target} exists, or
   *     its directory does not
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<AttachmentInfo> downloadAttachment(
      String roomId, String eventId, Path target) {
    checkValid(NativeBridge.VALIDATE_ROOM_ID, roomId, "roomId");
    checkValid(NativeBridge.VALIDATE_EVENT_ID, eventId, "eventId");
    checkNotNull(target, "target");
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw rejected(
          new InvalidArgumentException(
              ErrorCode.INVALID_ARGUMENT, "invalid target: the file exists already"));
    }
    Path directory = target.toAbsolutePath().getParent();
    if (directory == null || !Files.isDirectory(directory)) {
      throw rejected(
          new InvalidArgumentException(
              ErrorCode.INVALID_ARGUMENT, "invalid target: its directory does not exist"));
    }
    long handle = nativeClient.handle();
    return call(
        () -> {
          Path partial = null;
          try {
            partial = Files.createTempFile(directory, ".tim-download-", ".part");
            AttachmentInfo info;
            try (OutputStream out = Files.newOutputStream(partial)) {
              info = download(handle, roomId, eventId, out);
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            partial = null;
            return info;
          } catch (IOException e) {
            throw new UncheckedIOException("the attachment could not be written", e);
          } finally {
            deleteQuietly(partial);
          }
        });
  }

  /**
   * Downloads the attachment of a message, checks its hash, and writes it decrypted to a stream.
   * Nothing is written unless the hash matches. The stream is not closed.
   *
   * @param roomId the joined room of the message
   * @param eventId the attachment message
   * @param out where the decrypted bytes go
   * @return a future of what the message says about the file, failing as the {@link Path} variant
   *     does
   * @throws InvalidArgumentException if an argument is null or invalid
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<AttachmentInfo> downloadAttachment(
      String roomId, String eventId, OutputStream out) {
    checkValid(NativeBridge.VALIDATE_ROOM_ID, roomId, "roomId");
    checkValid(NativeBridge.VALIDATE_EVENT_ID, eventId, "eventId");
    checkNotNull(out, "out");
    long handle = nativeClient.handle();
    return call(
        () -> {
          try {
            return download(handle, roomId, eventId, out);
          } catch (IOException e) {
            throw new UncheckedIOException("the attachment could not be written", e);
          }
        });
  }

  /**
   * Reads this account's permission configuration as the homeserver has it.
   *
   * @return a future of the configuration, empty when none is set or the stored one does not follow
   *     gematik's schema (the Fachdienst then treats it as unset); it fails with {@link
   *     ClientStateException}, {@link HomeserverException}, {@link NetworkException} or {@link
   *     ClientClosedException}
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<Optional<PermissionConfig>> permissionConfig() {
    long handle = nativeClient.handle();
    return call(
        () -> {
          byte[] encoded = NativeBridge.clientPermissionConfig(handle);
          return Optional.ofNullable(encoded).map(WireReader::permissionConfig);
        });
  }

  /**
   * Replaces this account's permission configuration. It is checked against gematik's schema first,
   * because the Fachdienst stores anything and resets what it cannot read later. The new
   * configuration applies from the next invitation on, also to users of other homeservers.
   *
   * @param config the new configuration
   * @return a future that completes once written; it fails with {@link ClientStateException},
   *     {@link HomeserverException}, {@link NetworkException} or {@link ClientClosedException}
   * @throws InvalidArgumentException if {@code config} is null, or an exception is no valid user ID
   *     or server name, or a list has more than 1000 entries; nothing was written
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<Void> setPermissionConfig(PermissionConfig config) {
    checkNotNull(config, "config");
    int defaultSetting =
        config.defaultSetting() == PermissionConfig.Default.BLOCK_ALL
            ? NativeBridge.PERMISSION_BLOCK_ALL
            : NativeBridge.PERMISSION_ALLOW_ALL;
    String[] users = config.userExceptions().stream().sorted().toArray(String[]::new);
    String[] servers = config.serverExceptions().stream().sorted().toArray(String[]::new);
    boolean insured = config.insuredPersonsExcepted();
    audited(() -> NativeBridge.checkPermissionConfig(defaultSetting, users, servers, insured));
    long handle = nativeClient.handle();
    return run(
        () ->
            NativeBridge.clientSetPermissionConfig(
                handle, defaultSetting, users, servers, insured));
  }

  /**
   * Asks the Fachdienst ({@code /tim-information}) whether a server is an insurer's. Answers are
   * cached for an hour.
   *
   * <p>gematik's API description names a Matrix OpenID token as the bearer; famedly's module
   * accepts the access token and refuses OpenID tokens. The client tries the access token first,
   * falls back to an OpenID token when refused with 401, and keeps using whichever worked.
   *
   * @param serverName a server name, for example {@code kasse.example.org}
   * @return a future of the answer; it fails with {@link HomeserverException} (for example 404 when
   *     the homeserver is no Fachdienst), {@link ClientStateException}, {@link NetworkException} or
   *     {@link ClientClosedException}
   * @throws InvalidArgumentException if {@code serverName} is null or no valid server name
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<Boolean> isInsurance(String serverName) {
    checkValid(NativeBridge.VALIDATE_SERVER_NAME, serverName, "serverName");
    long handle = nativeClient.handle();
    return call(() -> NativeBridge.clientIsInsurance(handle, serverName));
  }

  /**
   * Asks the Fachdienst ({@code /tim-information}) which server serves an insurer's IK number, with
   * the bearer and cache of {@link #isInsurance}.
   *
   * @param ikNumber the IK number (Institutionskennzeichen), nine digits
   * @return a future of the server name, empty when the Fachdienst knows none; it fails as {@link
   *     #isInsurance} does
   * @throws InvalidArgumentException if {@code ikNumber} is null or not nine digits
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<Optional<String>> findServerByIk(String ikNumber) {
    checkValid(NativeBridge.VALIDATE_IK_NUMBER, ikNumber, "ikNumber");
    long handle = nativeClient.handle();
    return call(() -> Optional.ofNullable(NativeBridge.clientFindByIk(handle, ikNumber)));
  }

  /**
   * Verifies this client's audit log as it is on disk: each entry's keyed hash, its place in the
   * chain, and that none is missing at the end. A log found damaged when the client was opened is
   * kept as evidence and continued, so it stays damaged: the first broken entry is reported.
   *
   * @return what the verification found
   * @throws StoreException if the log cannot be read
   * @throws ClientClosedException if the client is closed
   */
  public AuditVerification verifyAuditLog() {
    return WireReader.auditVerification(NativeBridge.clientVerifyAuditLog(nativeClient.handle()));
  }

  /**
   * Why the client is in the restricted mode, if it is. A restricted client keeps receiving (sync,
   * history, downloads, reading rooms) but sends and changes nothing: those calls fail with {@link
   * ClientStateException} ({@link ErrorCode#CLIENT_RESTRICTED}) and queued messages wait. The
   * client restricts itself, audited as {@code restricted_mode_entered}, for these reasons:
   *
   * <ul>
   *   <li>{@code AUDIT_LOG_DAMAGED}: the audit log did not verify at opening, or was changed on
   *       disk by someone else while the client ran;
   *   <li>{@code STORE_DAMAGED}: a record of the store failed its authentication at opening (it was
   *       changed outside the client); the record was moved into the store's {@code damaged/}
   *       directory, unchanged, and the client goes on without it;
   *   <li>{@code REPEATED_MISUSE}: more than a hundred calls were refused within a minute (invalid
   *       arguments, wrong state, and rate-limit refusals, of which at most one a second per kind
   *       counts);
   *   <li>{@code REPEATED_LOGIN_FAILURES}: more than ten logins were refused within ten minutes;
   *       until the restriction is lifted, logins are refused too.
   * </ul>
   *
   * <p>Refusals that cross the misuse limit again while the client is restricted end it in a
   * controlled stop (see {@link #stopReason()}).
   *
   * @return the reason code, or empty when the client is not restricted
   * @throws ClientClosedException if the client is closed
   */
  public Optional<String> restriction() {
    return Optional.ofNullable(NativeBridge.clientRestriction(nativeClient.handle()));
  }

  /**
   * Why the client ended itself in a controlled stop, if it did. After a stop every call fails with
   * {@link ClientClosedException} ({@link ErrorCode#CLIENT_STOPPED}), the sync loop has ended and
   * the store is released; listeners still receive the audit entries written up to the stop, the
   * last of them {@code controlled_stop} with the reason. Call {@link #close()} as for any client.
   * Reasons:
   *
   * <ul>
   *   <li>{@code AUDIT_LOG_UNWRITABLE}: an audit entry could not be written; the client does not
   *       act unaudited (this reason cannot be written to the log itself, and is logged instead);
   *   <li>{@code PERSISTENT_MISUSE}: refused calls crossed the misuse limit again while the client
   *       was already restricted for them.
   * </ul>
   *
   * @return the reason code, or empty while the client runs
   * @throws ClientClosedException if the client is closed
   */
  public Optional<String> stopReason() {
    return Optional.ofNullable(NativeBridge.clientStopReason(nativeClient.handle()));
  }

  /**
   * Ends the restricted mode: an operator's decision, audited with the operator's name. For a
   * damaged audit log, the log file is first moved aside as {@code audit-archived-<millis>.log} in
   * the store (kept as evidence) and the log goes on, chained, in a fresh file. Queued messages are
   * then sent.
   *
   * @param operator who decides it: 1 to 64 ASCII letters, digits or {@code _}
   * @throws InvalidArgumentException if {@code operator} is null or not such a name
   * @throws ClientStateException if the client is not restricted ({@link ErrorCode#NOT_RESTRICTED})
   * @throws StoreException if the damaged log cannot be moved aside
   * @throws ClientClosedException if the client is closed
   */
  public void liftRestriction(String operator) {
    checkNotNull(operator, "operator");
    NativeBridge.clientLiftRestriction(nativeClient.handle(), operator);
  }

  /**
   * Registers a listener for the client's events. While no listener is registered, events wait in
   * the client (and syncing pauses once a thousand wait), so that none is lost.
   *
   * @param listener the listener; registering it twice delivers every event twice
   * @throws InvalidArgumentException if {@code listener} is null
   */
  public void addListener(ClientListener listener) {
    checkNotNull(listener, "listener");
    listeners.add(listener);
    // Audit entries and queue reports flow before a sync loop runs, and after it stopped.
    startEventPump();
  }

  /**
   * Removes a listener; does nothing if it is not registered.
   *
   * @param listener the listener
   */
  public void removeListener(ClientListener listener) {
    listeners.remove(listener);
  }

  /**
   * Whether {@link #close()} has been called.
   *
   * @return {@code true} once closed
   */
  public boolean isClosed() {
    return nativeClient.isClosed();
  }

  /**
   * Stops the sync loop, releases the store and its lock, and ends the client's threads. Calls in
   * flight fail with {@link ClientClosedException}. Idempotent; never throws.
   */
  @Override
  public void close() {
    cleanable.clean();
    calls.shutdown();
    synchronized (pumpLock) {
      if (eventPump != null) {
        eventPump.interrupt();
      }
    }
  }

  private static String upload(
      long handle, String roomId, InputStream in, long size, String fileName, String mimeType)
      throws IOException {
    long uploadId = NativeBridge.clientBeginUpload(handle, roomId, fileName, mimeType, size);
    boolean handedOver = false;
    try {
      byte[] chunk = new byte[TRANSFER_CHUNK_BYTES];
      long remaining = size;
      while (remaining > 0) {
        int read = in.read(chunk, 0, (int) Math.min(chunk.length, remaining));
        if (read < 0) {
          break;
        }
        NativeBridge.clientWriteUpload(handle, uploadId, chunk, read);
        remaining -= read;
      }
      // Native code refuses the upload if the stream ended early.
      handedOver = true;
      return NativeBridge.clientFinishUpload(handle, uploadId);
    } finally {
      if (!handedOver) {
        NativeBridge.clientAbortUpload(handle, uploadId);
      }
    }
  }

  private static AttachmentInfo download(
      long handle, String roomId, String eventId, OutputStream out) throws IOException {
    WireReader.Download download =
        WireReader.download(NativeBridge.clientBeginDownload(handle, roomId, eventId));
    try {
      byte[] chunk;
      while ((chunk = NativeBridge.clientReadDownload(handle, download.id())) != null) {
        out.write(chunk);
      }
      return download.info();
    } finally {
      NativeBridge.clientCloseDownload(handle, download.id());
    }
  }

  private static void deleteQuietly(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warn("a partial download could not be deleted: {}", e.getClass().getName());
    }
  }

  private CompletableFuture<Void> changeMembership(String roomId, int change) {
    checkValid(NativeBridge.VALIDATE_ROOM_ID, roomId, "roomId");
    long handle = nativeClient.handle();
    return run(() -> NativeBridge.clientChangeMembership(handle, roomId, change));
  }

  private <T> CompletableFuture<T> roomInfo(String roomId, int what, Function<byte[], T> decode) {
    checkValid(NativeBridge.VALIDATE_ROOM_ID, roomId, "roomId");
    long handle = nativeClient.handle();
    return call(() -> decode.apply(NativeBridge.clientRoomInfo(handle, roomId, what)));
  }

  private CompletableFuture<Void> run(Runnable nativeCall) {
    return call(
        () -> {
          nativeCall.run();
          return null;
        });
  }

  /**
   * Runs a native call on the client's call threads. A refusal of its native argument checks fails
   * the future and is audited under the public method the caller called, which is named here, on
   * the caller's thread.
   */
  private <T> CompletableFuture<T> call(Supplier<T> nativeCall) {
    String operation = callingOperation();
    Supplier<T> audited =
        () -> {
          try {
            return nativeCall.get();
          } catch (InvalidArgumentException refusal) {
            throw rejected(refusal, operation);
          }
        };
    try {
      return CompletableFuture.supplyAsync(audited, calls);
    } catch (RejectedExecutionException e) {
      throw new ClientClosedException(ErrorCode.CLIENT_CLOSED, "the client is closed");
    }
  }

  /** Checks an argument; a refusal is audited. */
  private void checkNotNull(Object value, String parameter) {
    audited(() -> requireNonNull(value, parameter));
  }

  /** Checks an argument with the core's rules; a refusal is audited. */
  private void checkValid(int kind, String value, String parameter) {
    audited(() -> requireValid(kind, value, parameter));
  }

  /**
   * Runs a blocking native call on a copy of a secret, wiped afterwards, so that the caller's array
   * is neither kept nor altered; a refusal of the call's argument checks is audited.
   */
  private <T> T withWipedCopy(char[] secret, Function<char[], T> nativeCall) {
    char[] copy = secret.clone();
    try {
      AtomicReference<T> result = new AtomicReference<>();
      audited(() -> result.set(nativeCall.apply(copy)));
      return result.get();
    } finally {
      Arrays.fill(copy, '\0');
    }
  }

  /** Runs a check of arguments; a refusal is audited and rethrown. */
  private void audited(Runnable check) {
    try {
      check.run();
    } catch (InvalidArgumentException refusal) {
      throw rejected(refusal);
    }
  }

  /** Writes a refused call to the audit log and returns the refusal, for the caller to throw. */
  private <E extends TimException> E rejected(E refusal) {
    return rejected(refusal, callingOperation());
  }

  /** As {@link #rejected(TimException)}, for a refusal of the named public operation. */
  private <E extends TimException> E rejected(E refusal, String operation) {
    if (!nativeClient.isClosed()) {
      try {
        NativeBridge.clientAuditRejected(nativeClient.handle(), operation, refusal.code().name());
      } catch (ClientClosedException stoppedOrClosing) {
        // The client stopped itself or is closing: its log takes no more entries, and the stop
        // was audited and logged once.
      } catch (TimException auditFailure) {
        LOG.warn("a refused call could not be audited: {}", auditFailure.code());
      }
    }
    return refusal;
  }

  /** The public method the caller called: the outermost frame of this class. */
  private static String callingOperation() {
    return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
        .walk(
            frames ->
                frames
                    .filter(frame -> frame.getDeclaringClass() == HeadlessClient.class)
                    .map(StackWalker.StackFrame::getMethodName)
                    .filter(name -> !name.startsWith("lambda$"))
                    .reduce((inner, outer) -> outer)
                    .orElse("unknown"));
  }

  private static void requireNonNull(Object value, String parameter) {
    if (value == null) {
      throw new InvalidArgumentException(
          ErrorCode.INVALID_ARGUMENT, "invalid " + parameter + ": must not be null");
    }
  }

  private static void requireValid(int kind, String value, String parameter) {
    requireNonNull(value, parameter);
    NativeBridge.validate(kind, value);
  }

  private static ExecutorService newCallExecutor(int number) {
    AtomicInteger threads = new AtomicInteger();
    ThreadFactory factory =
        runnable -> {
          Thread thread =
              new Thread(runnable, "tim-headless-call-" + number + "-" + threads.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        };
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            CALL_THREADS, CALL_THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), factory);
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }

  /** The native side of a client; also the Cleaner's action, so it must not refer back. */
  private static final class NativeClient implements Runnable {
    private final long handle;
    private final Path store;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong callsAfterClose = new AtomicLong();

    NativeClient(long handle, Path store) {
      this.handle = handle;
      this.store = store;
    }

    /** The handle for a call of the integrating system; a call after close is misuse. */
    long handle() {
      if (closed.get()) {
        noteCallAfterClose();
        throw new ClientClosedException(ErrorCode.CLIENT_CLOSED, "the client is closed");
      }
      return handle;
    }

    /** The handle for the client's own threads, which may race with close. */
    long internalHandle() {
      if (closed.get()) {
        throw new ClientClosedException(ErrorCode.CLIENT_CLOSED, "the client is closed");
      }
      return handle;
    }

    /**
     * Counts a call after close. The closed client can no longer write its audit log, so the count
     * is kept for the next client of the same store in this process, which audits it.
     */
    private void noteCallAfterClose() {
      long count = callsAfterClose.incrementAndGet();
      CALLS_AFTER_CLOSE.merge(store, 1L, Long::sum);
      if (count == 1 || count % 1000 == 0) {
        LOG.warn(
            "a closed client was called ({} calls after close so far): the integrating system"
                + " uses a client after closing it",
            count);
      }
    }

    boolean isClosed() {
      return closed.get();
    }

    @Override
    public void run() {
      if (closed.compareAndSet(false, true)) {
        try {
          NativeBridge.clientClose(handle);
        } catch (RuntimeException e) {
          LOG.warn("closing the native client failed: {}", e.toString());
        }
      }
    }
  }

  /** Pulls events from the native queue and hands each to every listener. */
  private static final class EventPump implements Runnable {
    private final NativeClient nativeClient;
    private final List<ClientListener> listeners;

    EventPump(NativeClient nativeClient, List<ClientListener> listeners) {
      this.nativeClient = nativeClient;
      this.listeners = listeners;
    }

    @Override
    public void run() {
      while (!nativeClient.isClosed() && !Thread.currentThread().isInterrupted()) {
        if (listeners.isEmpty()) {
          // Nobody would see them: events wait in the native queue, and count as delivered only
          // once a listener has had them.
          if (!pause()) {
            return;
          }
          continue;
        }
        List<WireReader.Numbered> batch;
        try {
          batch =
              WireReader.events(
                  NativeBridge.clientNextEvents(
                      nativeClient.internalHandle(), EVENT_WAIT_MILLIS, EVENT_BATCH));
        } catch (ClientClosedException e) {
          return;
        } catch (TimException e) {
          LOG.warn("events could not be read: {}", e.toString());
          continue;
        }
        for (WireReader.Numbered numbered : batch) {
          // A listener may have closed the client; the rest of the batch comes after a restart.
          if (nativeClient.isClosed()) {
            return;
          }
          deliver(numbered.event());
          // Sequence 0 marks a report that is not recorded for delivery.
          if (numbered.sequence() != 0 && !acknowledge(numbered.sequence())) {
            return;
          }
        }
      }
    }

    private static boolean pause() {
      try {
        Thread.sleep(LISTENER_POLL_MILLIS);
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    /** Records the delivery in the store, so that a restart does not repeat it. */
    private boolean acknowledge(long sequence) {
      try {
        NativeBridge.clientAcknowledgeEvents(nativeClient.internalHandle(), sequence);
        return true;
      } catch (ClientClosedException e) {
        return false;
      } catch (TimException e) {
        LOG.warn("the delivery of an event could not be recorded: {}", e.toString());
        return true;
      }
    }

    private void deliver(ClientEvent event) {
      for (ClientListener listener : listeners) {
        try {
          listener.onEvent(event);
        } catch (RuntimeException e) {
          // The exception's message may quote the event; log its type only.
          LOG.warn(
              "listener {} threw {} for a {}",
              listener.getClass().getName(),
              e.getClass().getName(),
              event.getClass().getSimpleName());
        }
      }
    }
  }

  /**
   * Builds a {@link HeadlessClient}. Every setter checks its argument at once; {@link #build()}
   * checks that the required ones were given.
   */
  public static final class Builder {
    private String homeserverUrl;
    private String serverName;
    private String directoryUrl;
    private String clientReportUrl;
    private Path storeDirectory;
    private char[] storePassphrase;
    private char[] recoveryPassphrase;
    private String systemName;
    private String systemVersion;
    private String systemVendor;
    private RateLimits rateLimits = RateLimits.DEFAULT;
    private Duration syncBatchWindow = DEFAULT_SYNC_BATCH_WINDOW;
    private String proxyUrl;
    private String trustedCertificatesPem;
    private String identificationHeader = DEFAULT_IDENTIFICATION_HEADER;
    private IdentificationFormat identificationFormat = IdentificationFormat.TEXT;
    private boolean declineBlockedInvitations = true;

    private Builder() {}

    /**
     * The homeserver's base URL ({@code http} or {@code https}). This or {@link #serverName} is
     * required; the one set last applies.
     *
     * @param url for example {@code https://matrix.example.org}
     * @return this builder
     * @throws InvalidArgumentException if {@code url} is null or blank
     */
    public Builder homeserverUrl(String url) {
      requireNonNull(url, "homeserverUrl");
      if (url.isBlank()) {
        throw new InvalidArgumentException(
            ErrorCode.INVALID_ARGUMENT, "invalid homeserverUrl: must not be empty");
      }
      this.homeserverUrl = url;
      this.serverName = null;
      return this;
    }

    /**
     * Finds the homeserver through the server name's {@code
     * https://<serverName>/.well-known/matrix/client} instead of a configured URL; the lookup uses
     * the {@linkplain #proxy proxy} and {@linkplain #trustedCertificates extra certificates}. It
     * runs in {@link #build()} when the store has no session yet; a saved session keeps the
     * homeserver it was made with, so a moved homeserver needs a new login. This or {@link
     * #homeserverUrl} is required; the one set last applies.
     *
     * @param name the server name, the part of Matrix IDs after the colon, for example {@code
     *     klinik.example.org}
     * @return this builder
     * @throws InvalidArgumentException if {@code name} is null or blank; {@link #build()} refuses a
     *     malformed one
     */
    public Builder serverName(String name) {
      requireNonNull(name, "serverName");
      if (name.isBlank()) {
        throw new InvalidArgumentException(
            ErrorCode.INVALID_ARGUMENT, "invalid serverName: must not be empty");
      }
      this.serverName = name;
      this.homeserverUrl = null;
      return this;
    }

    /**
     * The account's store directory, created when missing. Required. One client at a time may use a
     * store directory.
     *
     * @param directory the directory
     * @return this builder
     * @throws InvalidArgumentException if {@code directory} is null
     */
    public Builder storeDirectory(Path directory) {
      requireNonNull(directory, "storeDirectory");
      this.storeDirectory = directory.toAbsolutePath();
      return this;
    }

    /**
     * The passphrase that encrypts the store. Required. The builder keeps a copy until {@link
     * #build()}, which wipes it; the caller's array is not altered, wipe it yourself.
     *
     * @param passphrase the passphrase, not empty
     * @return this builder
     * @throws InvalidArgumentException if {@code passphrase} is null or empty
     */
    public Builder storePassphrase(char[] passphrase) {
      char[] copy = nonEmptyCopy(passphrase, "storePassphrase");
      wipe(storePassphrase);
      this.storePassphrase = copy;
      return this;
    }

    /**
     * Names the integrating system (for example the hospital information system) that embeds this
     * client. Required: the client reports it to the Fachdienst.
     *
     * @param name the system's name, at most 128 printable characters
     * @param version the system's version, at most 128 printable characters
     * @return this builder
     * @throws InvalidArgumentException if either is null
     */
    public Builder integratingSystem(String name, String version) {
      requireNonNull(name, "integratingSystemName");
      requireNonNull(version, "integratingSystemVersion");
      this.systemName = name;
      this.systemVersion = version;
      this.systemVendor = null;
      return this;
    }

    /**
     * Names the integrating system and its vendor; see {@link #integratingSystem(String, String)}.
     *
     * @param name the system's name, at most 128 printable characters
     * @param version the system's version, at most 128 printable characters
     * @param vendor the system's vendor, at most 128 printable characters
     * @return this builder
     * @throws InvalidArgumentException if any is null
     */
    public Builder integratingSystem(String name, String version, String vendor) {
      integratingSystem(name, version);
      requireNonNull(vendor, "integratingSystemVendor");
      this.systemVendor = vendor;
      return this;
    }

    /**
     * An HTTP proxy for every request of this client, as hospital networks often require. Without
     * one the client connects directly; the proxy environment variables of the process are ignored,
     * so that what is configured here is all that applies. Proxy credentials are not supported.
     *
     * @param proxy an {@code http} or {@code https} URI of scheme, host and port only, for example
     *     {@code http://proxy.klinik.local:3128}
     * @return this builder
     * @throws InvalidArgumentException if {@code proxy} is null; {@link #build()} refuses another
     *     scheme, a path or credentials
     */
    public Builder proxy(URI proxy) {
      requireNonNull(proxy, "proxyUrl");
      this.proxyUrl = proxy.toString();
      return this;
    }

    /**
     * CA certificates to trust in addition to the system's, for example the CA of a proxy that
     * inspects TLS. Certificate verification itself cannot be switched off.
     *
     * @param certificates one to 64 CA certificates
     * @return this builder
     * @throws InvalidArgumentException if {@code certificates} is null, empty, has more than 64
     *     entries or a null entry, or a certificate cannot be encoded
     */
    public Builder trustedCertificates(Collection<X509Certificate> certificates) {
      requireNonNull(certificates, "trustedCertificates");
      if (certificates.isEmpty() || certificates.size() > 64) {
        throw new InvalidArgumentException(
            ErrorCode.INVALID_ARGUMENT, "invalid trustedCertificates: must hold 1 to 64 entries");
      }
      Base64.Encoder base64 = Base64.getMimeEncoder(64, new byte[] {'\n'});
      StringBuilder pem = new StringBuilder();
      for (X509Certificate certificate : certificates) {
        requireNonNull(certificate, "trustedCertificates");
        try {
          pem.append("-----BEGIN CERTIFICATE-----\n")
              .append(base64.encodeToString(certificate.getEncoded()))
              .append("\n-----END CERTIFICATE-----\n");
        } catch (CertificateEncodingException e) {
          throw new InvalidArgumentException(
              ErrorCode.INVALID_ARGUMENT, "invalid trustedCertificates: cannot be encoded");
        }
      }
      this.trustedCertificatesPem = pem.toString();
      return this;
    }

    /**
     * The name and format of the identification header that every request carries; {@value
     * #DEFAULT_IDENTIFICATION_HEADER} in {@link IdentificationFormat#TEXT} unless set. gematik has
     * not published the normative format, so the Fachdienst's operator says which it expects.
     *
     * @param headerName an HTTP header name that is none of the standard ones ({@code
     *     Authorization}, {@code User-Agent}, {@code Host} and the like)
     * @param format how the value is written
     * @return this builder
     * @throws InvalidArgumentException if either is null; {@link #build()} refuses a malformed or
     *     standard header name
     */
    public Builder identificationHeader(String headerName, IdentificationFormat format) {
      requireNonNull(headerName, "identificationHeader");
      requireNonNull(format, "identificationFormat");
      this.identificationHeader = headerName;
      this.identificationFormat = format;
      return this;
    }

    /**
     * The recovery passphrase that protects the server-side key backup; strongly recommended. With
     * it, every {@link HeadlessClient#login} sets the backup up: the account's first device creates
     * secret storage and a backup protected by the passphrase, and every later device (one whose
     * store was lost, say) opens them with it and downloads the room keys, so that it can read
     * earlier messages. No recovery key is ever shown: the passphrase is the only way back. Without
     * it, keys are not backed up and a lost store loses the history. The builder keeps a copy until
     * {@link #build()}, which wipes it; the native client keeps it, wiped on close.
     *
     * @param passphrase the passphrase, not empty
     * @return this builder
     * @throws InvalidArgumentException if {@code passphrase} is null or empty
     */
    public Builder recoveryPassphrase(char[] passphrase) {
      char[] copy = nonEmptyCopy(passphrase, "recoveryPassphrase");
      wipe(recoveryPassphrase);
      this.recoveryPassphrase = copy;
      return this;
    }

    /**
     * The endpoint that {@link HeadlessClient#sendClientReport()} posts the structured-data client
     * report to ({@code POST /report} of gematik's {@code TIMessengerClientReport} API, as the
     * provider publishes it). Without it, sending fails with {@link ErrorCode#NOT_CONFIGURED}; the
     * counts are kept either way.
     *
     * @param url the full URL of the endpoint, {@code http} or {@code https}
     * @return this builder
     * @throws InvalidArgumentException if {@code url} is null; {@link #build()} refuses a malformed
     *     one
     */
    public Builder clientReportUrl(URI url) {
      requireNonNull(url, "clientReportUrl");
      this.clientReportUrl = url.toString();
      return this;
    }

    /**
     * The base URL of the VZD-FHIR-Directory that {@link HeadlessClient#searchPractitioners} and
     * {@link HeadlessClient#searchHealthcareServices} search, for example {@code
     * https://fhir-directory.vzd.ti-dienste.de}. Without it, those searches fail with {@link
     * ErrorCode#NOT_CONFIGURED}.
     *
     * @param url an {@code http} or {@code https} URL without credentials, query or fragment
     * @return this builder
     * @throws InvalidArgumentException if {@code url} is null; {@link #build()} refuses a malformed
     *     one
     */
    public Builder directoryUrl(URI url) {
      requireNonNull(url, "directoryUrl");
      this.directoryUrl = url.toString();
      return this;
    }

    /**
     * Whether the client itself declines invitations that the account's {@linkplain
     * HeadlessClient#permissionConfig permission configuration} blocks; on unless switched off. A
     * declined invitation never reaches the listeners; the decision is audited ({@code
     * invitation_declined}). The Fachdienst refuses such invitations as well: this covers those it
     * lets through. When the configuration cannot be read, the invitation is delivered.
     *
     * @param decline whether to decline blocked invitations
     * @return this builder
     */
    public Builder declineBlockedInvitations(boolean decline) {
      this.declineBlockedInvitations = decline;
      return this;
    }

    /**
     * How often the client may be called; {@link RateLimits#DEFAULT} unless set.
     *
     * @param limits the limits
     * @return this builder
     * @throws InvalidArgumentException if {@code limits} is null
     */
    public Builder rateLimits(RateLimits limits) {
      requireNonNull(limits, "rateLimits");
      this.rateLimits = limits;
      return this;
    }

    /**
     * How long the sync loop pauses after each sync before it asks for the next one; {@link
     * #DEFAULT_SYNC_BATCH_WINDOW} unless set. A sync returns as soon as one event is there, so
     * without a pause a steady stream of messages costs one request, one response and one round of
     * decryption bookkeeping per message. With a pause, the events of that moment share a response:
     * a longer window saves CPU per event and adds up to its length to each event's latency. Zero
     * gives the lowest latency.
     *
     * @param window the pause, from zero to {@link #MAX_SYNC_BATCH_WINDOW}
     * @return this builder
     * @throws InvalidArgumentException if {@code window} is null, negative or longer than {@link
     *     #MAX_SYNC_BATCH_WINDOW}
     */
    public Builder syncBatchWindow(Duration window) {
      requireNonNull(window, "syncBatchWindow");
      if (window.isNegative() || window.compareTo(MAX_SYNC_BATCH_WINDOW) > 0) {
        throw new InvalidArgumentException(
            ErrorCode.INVALID_ARGUMENT,
            "invalid syncBatchWindow: must be between zero and "
                + MAX_SYNC_BATCH_WINDOW.toMillis()
                + " ms");
      }
      this.syncBatchWindow = window;
      return this;
    }

    /**
     * Opens the store and builds the client; a session saved in the store is restored. The
     * passphrase copy is wiped whether or not this succeeds.
     *
     * @return the client
     * @throws InvalidArgumentException if a required setting is missing or a value is malformed, or
     *     the {@linkplain #serverName server name} publishes no usable {@code .well-known}
     * @throws NetworkException if the server name's {@code .well-known} cannot be fetched, its
     *     certificate included
     * @throws StoreException if the passphrase does not open the store ({@link
     *     ErrorCode#STORE_WRONG_PASSPHRASE}), another client holds it ({@link
     *     ErrorCode#STORE_LOCKED}) or the directory cannot be used ({@link
     *     ErrorCode#STORE_UNUSABLE}); nothing in the directory was changed
     * @throws NativeLibraryException if the native library cannot be loaded
     */
    public HeadlessClient build() {
      try {
        requireSet(serverName != null ? serverName : homeserverUrl, "homeserverUrl");
        requireSet(storeDirectory, "storeDirectory");
        requireSet(storePassphrase, "storePassphrase");
        requireSet(systemName, "integratingSystem");
        NativeLoader.ensureLoaded();
        String options =
            new JsonWriter()
                .string("integratingSystemName", systemName)
                .string("integratingSystemVersion", systemVersion)
                .string("integratingSystemVendor", systemVendor)
                .number("sendsPerSecond", rateLimits.sendsPerSecond())
                .number("changesPerSecond", rateLimits.changesPerSecond())
                .number("readsPerSecond", rateLimits.readsPerSecond())
                .string("proxyUrl", proxyUrl)
                .string("trustedCertificatesPem", trustedCertificatesPem)
                .string("identificationHeader", identificationHeader)
                .string("identificationFormat", identificationFormat.name())
                .bool("declineBlockedInvitations", declineBlockedInvitations)
                .string("serverName", serverName)
                .string("directoryUrl", directoryUrl)
                .string("clientReportUrl", clientReportUrl)
                .number("syncBatchWindowMillis", syncBatchWindow.toMillis())
                .finish();
        long handle =
            NativeBridge.clientOpen(
                serverName != null ? null : homeserverUrl,
                storeDirectory.toString(),
                storePassphrase,
                recoveryPassphrase,
                options);
        Path store = storeDirectory.toAbsolutePath().normalize();
        HeadlessClient client = new HeadlessClient(handle, store);
        Long callsAfterClose = CALLS_AFTER_CLOSE.remove(store);
        if (callsAfterClose != null) {
          try {
            NativeBridge.clientAuditCallsAfterClose(handle, callsAfterClose);
          } catch (TimException e) {
            LOG.warn("calls after close could not be audited: {}", e.code());
          }
        }
        return client;
      } finally {
        wipePassphrase();
      }
    }

    private void wipePassphrase() {
      wipe(storePassphrase);
      storePassphrase = null;
      wipe(recoveryPassphrase);
      recoveryPassphrase = null;
    }

    private static char[] nonEmptyCopy(char[] secret, String setting) {
      requireNonNull(secret, setting);
      if (secret.length == 0) {
        throw new InvalidArgumentException(
            ErrorCode.INVALID_ARGUMENT, "invalid " + setting + ": must not be empty");
      }
      return secret.clone();
    }

    private static void wipe(char[] secret) {
      if (secret != null) {
        Arrays.fill(secret, '\0');
      }
    }

    private static void requireSet(Object value, String setting) {
      if (value == null) {
        throw new InvalidArgumentException(
            ErrorCode.INVALID_ARGUMENT, "invalid " + setting + ": must be set before build()");
      }
    }
  }
}
