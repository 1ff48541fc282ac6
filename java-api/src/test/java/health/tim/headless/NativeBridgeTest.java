package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import health.tim.headless.internal.NativeBridge;
import health.tim.headless.internal.NativeLoader;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JNI edge: panics, error mapping and closed clients. Needs no homeserver. */
class NativeBridgeTest {
  @BeforeAll
  static void loadLibrary() {
    NativeLoader.ensureLoaded();
  }

  @Test
  void panicInNativeCodeArrivesAsAnExceptionWithoutItsPayload() {
    for (int i = 0; i < 100; i++) {
      assertThatThrownBy(NativeBridge::selfTestPanic)
          .isInstanceOf(InternalException.class)
          .satisfies(e -> assertThat(((TimException) e).code()).isEqualTo(ErrorCode.NATIVE_PANIC))
          .hasMessageNotContaining("hunter2")
          .hasMessageNotContaining("rs:");
    }
  }

  @Test
  void everyNativeErrorKindMapsToItsExceptionClass() {
    Map<ErrorCode, Class<? extends TimException>> expected =
        Map.ofEntries(
            Map.entry(ErrorCode.INVALID_ARGUMENT, InvalidArgumentException.class),
            Map.entry(ErrorCode.CLIENT_CLOSED, ClientClosedException.class),
            Map.entry(ErrorCode.NOT_LOGGED_IN, ClientStateException.class),
            Map.entry(ErrorCode.ALREADY_LOGGED_IN, ClientStateException.class),
            Map.entry(ErrorCode.STORE_WRONG_PASSPHRASE, StoreException.class),
            Map.entry(ErrorCode.STORE_LOCKED, StoreException.class),
            Map.entry(ErrorCode.STORE_UNUSABLE, StoreException.class),
            Map.entry(ErrorCode.AUTHENTICATION_FAILED, AuthenticationException.class),
            Map.entry(ErrorCode.RECOVERY_PASSPHRASE_REFUSED, AuthenticationException.class),
            Map.entry(ErrorCode.KEY_BACKUP_UNAVAILABLE, ClientStateException.class),
            Map.entry(ErrorCode.NOT_CONFIGURED, ClientStateException.class),
            Map.entry(ErrorCode.HOMESERVER_ERROR, HomeserverException.class),
            Map.entry(ErrorCode.INVITE_REFUSED, InviteRefusedException.class),
            Map.entry(ErrorCode.NETWORK_ERROR, NetworkException.class),
            Map.entry(ErrorCode.ROOM_NOT_FOUND, NotFoundException.class),
            Map.entry(ErrorCode.WRONG_ROOM_STATE, ClientStateException.class),
            Map.entry(ErrorCode.EVENT_NOT_FOUND, NotFoundException.class),
            Map.entry(ErrorCode.NOT_OWN_EVENT, NotPermittedException.class),
            Map.entry(ErrorCode.REDACTION_EXPIRED, NotPermittedException.class),
            Map.entry(ErrorCode.INTERNAL, InternalException.class));

    for (Map.Entry<ErrorCode, Class<? extends TimException>> entry : expected.entrySet()) {
      assertThatThrownBy(() -> NativeBridge.selfTestError(entry.getKey().name()))
          .as(entry.getKey().name())
          .isExactlyInstanceOf(entry.getValue())
          .satisfies(e -> assertThat(((TimException) e).code()).isEqualTo(entry.getKey()));
    }
  }

  @Test
  void homeserverErrorsCarryStatusAndErrcode() {
    assertThatThrownBy(() -> NativeBridge.selfTestError("HOMESERVER_ERROR"))
        .isInstanceOfSatisfying(
            HomeserverException.class,
            e -> {
              assertThat(e.status()).isEqualTo(403);
              assertThat(e.errcode()).isEqualTo("M_FORBIDDEN");
            });
  }

  @Test
  void aClosedClientRefusesEveryCallWithAClearException(@TempDir Path store) {
    HeadlessClient client =
        HeadlessClient.builder()
            .homeserverUrl("http://127.0.0.1:9")
            .storeDirectory(store)
            .storePassphrase("pw".toCharArray())
            .integratingSystem("tests", "1")
            .build();
    client.close();
    client.close();

    assertThat(client.isClosed()).isTrue();
    assertThatThrownBy(client::session).isInstanceOf(ClientClosedException.class);
    assertThatThrownBy(() -> client.login("alice", "pw".toCharArray()))
        .isInstanceOf(ClientClosedException.class);
    assertThatThrownBy(client::startSync).isInstanceOf(ClientClosedException.class);
    assertThatThrownBy(client::stopSync).isInstanceOf(ClientClosedException.class);
    assertThatThrownBy(client::logout).isInstanceOf(ClientClosedException.class);
    assertThatThrownBy(() -> client.sendText("!room:localhost", "hi"))
        .isInstanceOf(ClientClosedException.class)
        .hasMessage("the client is closed");
    assertThatThrownBy(() -> client.createEncryptedRoom("@bob:localhost"))
        .isInstanceOf(ClientClosedException.class);
    assertThatThrownBy(() -> client.joinRoom("!room:localhost"))
        .isInstanceOf(ClientClosedException.class);
  }

  @Test
  void aClientThatIsNeverClosedIsClosedByTheCleanerOnceCollected(@TempDir Path store)
      throws InterruptedException {
    openAndForget(store);

    // The forgotten client holds the store's lock until the Cleaner closes it.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      System.gc();
      try (HeadlessClient reopened = offline(store)) {
        assertThat(reopened.isClosed()).isFalse();
        return;
      } catch (StoreException e) {
        assertThat(e.code()).isEqualTo(ErrorCode.STORE_LOCKED);
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the Cleaner never released the forgotten client's store", e);
        }
        Thread.sleep(100);
      }
    }
  }

  private static void openAndForget(Path store) {
    offline(store);
  }

  private static HeadlessClient offline(Path store) {
    return HeadlessClient.builder()
        .homeserverUrl("http://127.0.0.1:9")
        .storeDirectory(store)
        .storePassphrase("pw".toCharArray())
        .integratingSystem("tests", "1")
        .build();
  }

  @Test
  void aStaleHandleIsRefusedNotDereferenced() {
    assertThatThrownBy(() -> NativeBridge.clientSession(Long.MAX_VALUE))
        .isInstanceOf(ClientClosedException.class);
    assertThatThrownBy(
            () ->
                NativeBridge.clientQueueMessage(
                    -1, "!r:localhost", NativeBridge.MESSAGE_TEXT, "x", null, null, null, true))
        .isInstanceOf(ClientClosedException.class);
    assertThatThrownBy(() -> NativeBridge.clientRooms(Long.MIN_VALUE))
        .isInstanceOf(ClientClosedException.class);
  }
}
