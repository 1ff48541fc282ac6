package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad input gets a typed exception with a helpful message, and nothing is written. */
class BadInputTest {
  private static final String UNREACHABLE = "http://127.0.0.1:9";

  @TempDir Path temp;

  private HeadlessClient offlineClient() {
    return HeadlessClient.builder()
        .homeserverUrl(UNREACHABLE)
        .storeDirectory(temp.resolve("store"))
        .storePassphrase("pw".toCharArray())
        .integratingSystem("tests", "1")
        .build();
  }

  @Test
  void builderRefusesNullsAtOnce() {
    HeadlessClient.Builder builder = HeadlessClient.builder();
    assertThatThrownBy(() -> builder.homeserverUrl(null))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessage("invalid homeserverUrl: must not be null");
    assertThatThrownBy(() -> builder.storeDirectory(null))
        .isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> builder.storePassphrase(null))
        .isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> builder.storePassphrase(new char[0]))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("storePassphrase");
    assertThatThrownBy(() -> builder.integratingSystem(null, "1"))
        .isInstanceOf(InvalidArgumentException.class);
  }

  @Test
  void theSyncBatchWindowIsBoundedAndBothBoundsOpenAClient() {
    HeadlessClient.Builder builder = HeadlessClient.builder();
    assertThatThrownBy(() -> builder.syncBatchWindow(null))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessage("invalid syncBatchWindow: must not be null");
    for (Duration outside : List.of(Duration.ofMillis(-1), Duration.ofMillis(1_001))) {
      assertThatThrownBy(() -> builder.syncBatchWindow(outside))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessage("invalid syncBatchWindow: must be between zero and 1000 ms");
    }

    // The native side checks the same bound; both ends must pass it.
    for (Duration bound : List.of(Duration.ZERO, HeadlessClient.MAX_SYNC_BATCH_WINDOW)) {
      try (HeadlessClient client =
          HeadlessClient.builder()
              .homeserverUrl(UNREACHABLE)
              .storeDirectory(temp.resolve("window-" + bound.toMillis()))
              .storePassphrase("pw".toCharArray())
              .integratingSystem("tests", "1")
              .syncBatchWindow(bound)
              .build()) {
        assertThat(client.session()).isEmpty();
      }
    }
  }

  @Test
  void buildNamesTheMissingSetting() {
    assertThatThrownBy(() -> HeadlessClient.builder().homeserverUrl(UNREACHABLE).build())
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessage("invalid storeDirectory: must be set before build()");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        " ",
        "not a url",
        "ftp://example.org",
        "file:///etc/passwd",
        "https://user:secret@example.org",
        "https://example.org/?q=1",
        "https://"
      })
  void malformedHomeserverUrlsAreRefusedBeforeTheStoreIsCreated(String url) {
    Path store = temp.resolve("never-created");
    assertThatThrownBy(
            () ->
                HeadlessClient.builder()
                    .homeserverUrl(url)
                    .storeDirectory(store)
                    .storePassphrase("pw".toCharArray())
                    .integratingSystem("tests", "1")
                    .build())
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageStartingWith("invalid homeserverUrl")
        .hasMessageNotContaining("secret");
    assertThat(store).doesNotExist();
  }

  @Test
  void integratingSystemLabelsAreChecked() {
    assertThatThrownBy(
            () ->
                HeadlessClient.builder()
                    .homeserverUrl(UNREACHABLE)
                    .storeDirectory(temp.resolve("s"))
                    .storePassphrase("pw".toCharArray())
                    .integratingSystem("", "1")
                    .build())
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageStartingWith("invalid integratingSystemName");
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        "alice",
        "@alice",
        "@al ice:localhost",
        "!room:localhost",
        "@:localhost",
        "@a:b\n"
      })
  void malformedUserIdsAreRefused(String userId) {
    try (HeadlessClient client = offlineClient()) {
      assertThatThrownBy(() -> client.createEncryptedRoom(userId))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageStartingWith("invalid ");
    }
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"room", "#alias:localhost", "!", "!nocolon", "@user:localhost"})
  void malformedRoomIdsAreRefused(String roomId) {
    try (HeadlessClient client = offlineClient()) {
      assertThatThrownBy(() -> client.joinRoom(roomId))
          .isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> client.sendText(roomId, "hello"))
          .isInstanceOf(InvalidArgumentException.class);
    }
  }

  @Test
  void messageBodiesMustBePresentAndBounded() {
    try (HeadlessClient client = offlineClient()) {
      for (String body : List.of("", "a\0b", "x".repeat(32 * 1024 + 1))) {
        assertThatThrownBy(() -> client.sendText("!room:localhost", body))
            .isInstanceOf(InvalidArgumentException.class)
            .hasMessageStartingWith("invalid body");
      }
      assertThatThrownBy(() -> client.sendText("!room:localhost", null))
          .isInstanceOf(InvalidArgumentException.class);
    }
  }

  @Test
  void callsThatNeedASessionSaySo() {
    try (HeadlessClient client = offlineClient()) {
      assertThat(client.session()).isEmpty();
      assertThatThrownBy(client::startSync)
          .isInstanceOf(ClientStateException.class)
          .satisfies(e -> assertThat(((TimException) e).code()).isEqualTo(ErrorCode.NOT_LOGGED_IN));
      assertThatThrownBy(client::logout).isInstanceOf(ClientStateException.class);
      assertThatThrownBy(() -> client.sendText("!room:localhost", "hi").join())
          .hasCauseInstanceOf(ClientStateException.class);
    }
  }

  @Test
  void loginRefusesMissingCredentials() {
    try (HeadlessClient client = offlineClient()) {
      assertThatThrownBy(() -> client.login(null, "pw".toCharArray()))
          .isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> client.login("alice", null))
          .isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> client.login("alice", new char[0]))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessage("invalid password: must not be empty");
      assertThatThrownBy(() -> client.login("Not A User", "pw".toCharArray()))
          .isInstanceOf(InvalidArgumentException.class);
    }
  }

  @Test
  void loginWithAnUnreachableHomeserverIsANetworkError() {
    try (HeadlessClient client = offlineClient()) {
      assertThatThrownBy(() -> client.login("alice", "pw".toCharArray()))
          .isInstanceOf(NetworkException.class);
      assertThat(client.session()).isEmpty();
    }
  }

  @Test
  void aWrongPassphraseIsRefusedAndChangesNothing() throws IOException {
    Path store = temp.resolve("store");
    offlineClient().close();
    Map<Path, byte[]> before = StoreFiles.settledSnapshot(store);

    assertThatThrownBy(
            () ->
                HeadlessClient.builder()
                    .homeserverUrl(UNREACHABLE)
                    .storeDirectory(store)
                    .storePassphrase("not the passphrase".toCharArray())
                    .integratingSystem("tests", "1")
                    .build())
        .isInstanceOf(StoreException.class)
        .hasMessageNotContaining("not the passphrase")
        .satisfies(
            e -> assertThat(((TimException) e).code()).isEqualTo(ErrorCode.STORE_WRONG_PASSPHRASE));

    Map<Path, byte[]> after = StoreFiles.settledSnapshot(store);
    assertThat(after).containsOnlyKeys(before.keySet());
    before.forEach((file, bytes) -> assertThat(after.get(file)).as("%s", file).isEqualTo(bytes));
    offlineClient().close();
  }

  @Test
  void aStoreDirectoryThatIsAFileIsRefusedUntouched() throws IOException {
    Path file = Files.writeString(temp.resolve("a-file"), "keep me");
    assertThatThrownBy(
            () ->
                HeadlessClient.builder()
                    .homeserverUrl(UNREACHABLE)
                    .storeDirectory(file)
                    .storePassphrase("pw".toCharArray())
                    .integratingSystem("tests", "1")
                    .build())
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("not a directory")
        .satisfies(e -> assertThat(((TimException) e).code()).isEqualTo(ErrorCode.STORE_UNUSABLE));
    assertThat(Files.readString(file)).isEqualTo("keep me");
  }

  @Test
  void aStoreInUseIsRefusedToASecondClient() {
    try (HeadlessClient first = offlineClient()) {
      assertThatThrownBy(this::offlineClient)
          .isInstanceOf(StoreException.class)
          .satisfies(e -> assertThat(((TimException) e).code()).isEqualTo(ErrorCode.STORE_LOCKED));
      assertThat(first.isClosed()).isFalse();
    }
    offlineClient().close();
  }
}
