package health.tim.headless;

import health.tim.headless.internal.NativeBridge;
import health.tim.headless.internal.NativeLoader;
import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
  private static final int CALL_THREADS = 8;

  private final NativeClient nativeClient;
  private final Cleaner.Cleanable cleanable;
  private final ExecutorService calls;
  private final List<ClientListener> listeners = new CopyOnWriteArrayList<>();
  private final int number = CLIENT_NUMBERS.incrementAndGet();
  private final Object pumpLock = new Object();
  private Thread eventPump;

  private HeadlessClient(long handle) {
    this.nativeClient = new NativeClient(handle);
    this.calls = newCallExecutor(number);
    // The Cleaner closes the native client if this object is collected without close(). Its
    // action must not refer to this object.
    this.cleanable = CLEANER.register(this, nativeClient);
  }

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
   * @param user a full Matrix user ID ({@code @alice:example.org}) or a localpart ({@code alice})
   * @param password the password; this method does not keep or alter the array, wipe it yourself
   * @return the new session
   * @throws InvalidArgumentException if {@code user} is null or malformed or {@code password} is
   *     null or empty
   * @throws ClientStateException if the client is logged in already
   * @throws AuthenticationException if the homeserver refused the credentials
   * @throws HomeserverException if the homeserver answered with another error
   * @throws NetworkException if the homeserver could not be reached
   * @throws ClientClosedException if the client is closed
   */
  public Session login(String user, char[] password) {
    requireNonNull(user, "user");
    requireNonNull(password, "password");
    char[] copy = password.clone();
    try {
      return NativeBridge.clientLoginPassword(nativeClient.handle(), user, copy, null);
    } finally {
      Arrays.fill(copy, '\0');
    }
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
   * Starts the sync loop, which receives messages and invitations and hands them to the listeners.
   * Register listeners first: events that arrive while none is registered are not kept. Does
   * nothing if the loop runs already.
   *
   * @throws ClientStateException if the client is not logged in
   * @throws ClientClosedException if the client is closed
   */
  public void startSync() {
    NativeBridge.clientStartSync(nativeClient.handle());
    synchronized (pumpLock) {
      if (eventPump == null) {
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
   * Creates a private, end-to-end encrypted room and invites one user into it. The room follows
   * TI-M's conventions for a default room: room version 10, join rule {@code invite}, history
   * visibility {@code invited}, room type {@code de.gematik.tim.roomtype.default.v1} and the state
   * event {@code de.gematik.tim.room.default.v1}.
   *
   * @param invitee the full Matrix user ID of the user to invite
   * @return a future of the new room's ID; it fails with {@link ClientStateException} when not
   *     logged in, {@link HomeserverException} when the homeserver refused (for example 403 when
   *     the invitee's permission settings block the invitation), {@link NetworkException} or {@link
   *     ClientClosedException}
   * @throws InvalidArgumentException if {@code invitee} is null or not a valid user ID
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<String> createEncryptedRoom(String invitee) {
    requireValid(NativeBridge.VALIDATE_USER_ID, invitee, "invitee");
    long handle = nativeClient.handle();
    return call(() -> NativeBridge.clientCreateEncryptedRoom(handle, invitee));
  }

  /**
   * Joins a room this account was invited to.
   *
   * @param roomId the room ID, for example from an {@link InviteEvent}
   * @return a future that completes once joined; it fails with {@link ClientStateException}, {@link
   *     HomeserverException} (for example 403 without an invitation), {@link NetworkException} or
   *     {@link ClientClosedException}
   * @throws InvalidArgumentException if {@code roomId} is null or not a valid room ID
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<Void> joinRoom(String roomId) {
    requireValid(NativeBridge.VALIDATE_ROOM_ID, roomId, "roomId");
    long handle = nativeClient.handle();
    return call(
        () -> {
          NativeBridge.clientJoinRoom(handle, roomId);
          return null;
        });
  }

  /**
   * Sends a plain-text message, end-to-end encrypted in an encrypted room. Sends into one room go
   * out one after another, in the order of the calls.
   *
   * @param roomId the room to send to; the client must have joined it
   * @param body the message, at most 32 KiB in UTF-8, without NUL characters
   * @return a future of the event ID; it fails with {@link NotFoundException} when the client has
   *     not joined the room, {@link ClientStateException}, {@link HomeserverException}, {@link
   *     NetworkException} or {@link ClientClosedException}
   * @throws InvalidArgumentException if {@code roomId} or {@code body} is null or invalid
   * @throws ClientClosedException if the client is closed
   */
  public CompletableFuture<String> sendText(String roomId, String body) {
    requireValid(NativeBridge.VALIDATE_ROOM_ID, roomId, "roomId");
    requireValid(NativeBridge.VALIDATE_MESSAGE_BODY, body, "body");
    long handle = nativeClient.handle();
    return call(() -> NativeBridge.clientSendText(handle, roomId, body));
  }

  /**
   * Registers a listener for messages and invitations.
   *
   * @param listener the listener; registering it twice delivers every event twice
   * @throws InvalidArgumentException if {@code listener} is null
   */
  public void addListener(ClientListener listener) {
    requireNonNull(listener, "listener");
    listeners.add(listener);
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

  private <T> CompletableFuture<T> call(Supplier<T> nativeCall) {
    try {
      return CompletableFuture.supplyAsync(nativeCall, calls);
    } catch (RejectedExecutionException e) {
      throw new ClientClosedException(ErrorCode.CLIENT_CLOSED, "the client is closed");
    }
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
    private final AtomicBoolean closed = new AtomicBoolean();

    NativeClient(long handle) {
      this.handle = handle;
    }

    long handle() {
      if (closed.get()) {
        throw new ClientClosedException(ErrorCode.CLIENT_CLOSED, "the client is closed");
      }
      return handle;
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
        ClientEvent[] batch;
        try {
          batch =
              NativeBridge.clientNextEvents(nativeClient.handle(), EVENT_WAIT_MILLIS, EVENT_BATCH);
        } catch (ClientClosedException e) {
          return;
        } catch (TimException e) {
          LOG.warn("events could not be read: {}", e.toString());
          continue;
        }
        for (ClientEvent event : batch) {
          deliver(event);
        }
      }
    }

    private void deliver(ClientEvent event) {
      for (ClientListener listener : listeners) {
        try {
          if (event instanceof MessageEvent message) {
            listener.onMessage(message);
          } else if (event instanceof InviteEvent invite) {
            listener.onInvite(invite);
          }
        } catch (RuntimeException e) {
          // The exception's message may quote the event; log its type only.
          LOG.warn(
              "listener {} threw {} for an event in {}",
              listener.getClass().getName(),
              e.getClass().getName(),
              event.roomId());
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
    private Path storeDirectory;
    private char[] storePassphrase;
    private String systemName;
    private String systemVersion;

    private Builder() {}

    /**
     * The homeserver's base URL ({@code http} or {@code https}). Required.
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
      requireNonNull(passphrase, "storePassphrase");
      if (passphrase.length == 0) {
        throw new InvalidArgumentException(
            ErrorCode.INVALID_ARGUMENT, "invalid storePassphrase: must not be empty");
      }
      wipePassphrase();
      this.storePassphrase = passphrase.clone();
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
      return this;
    }

    /**
     * Opens the store and builds the client; a session saved in the store is restored. The
     * passphrase copy is wiped whether or not this succeeds.
     *
     * @return the client
     * @throws InvalidArgumentException if a required setting is missing or a value is malformed
     * @throws StoreException if the passphrase does not open the store ({@link
     *     ErrorCode#STORE_WRONG_PASSPHRASE}), another client holds it ({@link
     *     ErrorCode#STORE_LOCKED}) or the directory cannot be used ({@link
     *     ErrorCode#STORE_UNUSABLE}); nothing in the directory was changed
     * @throws NativeLibraryException if the native library cannot be loaded
     */
    public HeadlessClient build() {
      try {
        requireSet(homeserverUrl, "homeserverUrl");
        requireSet(storeDirectory, "storeDirectory");
        requireSet(storePassphrase, "storePassphrase");
        requireSet(systemName, "integratingSystem");
        NativeLoader.ensureLoaded();
        long handle =
            NativeBridge.clientOpen(
                homeserverUrl,
                storeDirectory.toString(),
                storePassphrase,
                systemName,
                systemVersion);
        return new HeadlessClient(handle);
      } finally {
        wipePassphrase();
      }
    }

    private void wipePassphrase() {
      if (storePassphrase != null) {
        Arrays.fill(storePassphrase, '\0');
        storePassphrase = null;
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
