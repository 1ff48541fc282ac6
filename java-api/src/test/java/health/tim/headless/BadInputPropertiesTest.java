package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;

import health.tim.headless.internal.NativeBridge;
import health.tim.headless.internal.NativeLoader;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Generated input for every check the Java API runs through native code before a call does
 * anything: whatever the input (any UTF-16, unpaired surrogates, NUL, oversize), a check either
 * accepts it or throws {@link InvalidArgumentException}, never another exception, a panic across
 * JNI or a crash. Each property runs 10,000 inputs.
 */
class BadInputPropertiesTest {
  private static final int TRIES = 10_000;

  @BeforeContainer
  static void loadNativeLibrary() {
    NativeLoader.ensureLoaded();
  }

  @Property(tries = TRIES)
  void everyIdentifierAndTextCheckAcceptsOrRefusesTyped(
      @ForAll("validatorKinds") int kind, @ForAll("anyText") String value) {
    assertAcceptedOrRefused(() -> NativeBridge.validate(kind, value));
  }

  @Property(tries = TRIES)
  void messageChecksAcceptOrRefuseTyped(
      @ForAll("messageKinds") int kind,
      @ForAll("anyText") String body,
      @ForAll("textOrNull") String formattedBody,
      @ForAll("textOrNull") String geoUri,
      @ForAll("textOrNull") String replyTo) {
    assertAcceptedOrRefused(
        () -> NativeBridge.checkMessage(kind, body, formattedBody, geoUri, replyTo));
  }

  @Property(tries = TRIES)
  void editChecksAcceptOrRefuseTyped(
      @ForAll("anyText") String target,
      @ForAll("anyText") String body,
      @ForAll("textOrNull") String formattedBody) {
    assertAcceptedOrRefused(() -> NativeBridge.checkEdit(target, body, formattedBody));
  }

  @Property(tries = TRIES)
  void customEventChecksAcceptOrRefuseTyped(
      @ForAll("anyText") String eventType, @ForAll("jsonish") String content) {
    assertAcceptedOrRefused(() -> NativeBridge.checkCustom(eventType, content));
  }

  @Property(tries = TRIES)
  void roomOptionChecksAcceptOrRefuseTyped(
      @ForAll("roomKinds") int kind,
      @ForAll boolean encrypted,
      @ForAll("textOrNull") String name,
      @ForAll("textOrNull") String topic,
      @ForAll("textOrNull") String invitee,
      @ForAll("textOrNull") String roomVersion) {
    assertAcceptedOrRefused(
        () -> NativeBridge.checkRoomOptions(kind, encrypted, name, topic, invitee, roomVersion));
  }

  @Property(tries = TRIES)
  void permissionConfigChecksAcceptOrRefuseTyped(
      @ForAll("permissionDefaults") int defaultSetting,
      @ForAll("textArrays") String[] users,
      @ForAll("textArrays") String[] servers,
      @ForAll boolean insuredPersons) {
    assertAcceptedOrRefused(
        () -> NativeBridge.checkPermissionConfig(defaultSetting, users, servers, insuredPersons));
  }

  private static void assertAcceptedOrRefused(Runnable check) {
    try {
      check.run();
    } catch (InvalidArgumentException refused) {
      assertThat(refused.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(refused.getMessage()).startsWith("invalid ");
    }
  }

  @Provide
  Arbitrary<Integer> validatorKinds() {
    // The known kinds, and some that are not.
    return Arbitraries.integers().between(-2, 16);
  }

  @Provide
  Arbitrary<Integer> messageKinds() {
    return Arbitraries.integers().between(-1, 8);
  }

  @Provide
  Arbitrary<Integer> roomKinds() {
    return Arbitraries.integers().between(-1, 5);
  }

  @Provide
  Arbitrary<Integer> permissionDefaults() {
    return Arbitraries.integers().between(-1, 3);
  }

  /** Short and long text from the whole of UTF-16, unpaired surrogates and NUL included. */
  @Provide
  Arbitrary<String> anyText() {
    Arbitrary<String> anyChars = Arbitraries.strings().all().ofMaxLength(300);
    Arbitrary<String> identifierLike =
        Arbitraries.strings()
            .withChars("!@$#:.-_abcXYZ019 \u0000\u00e4\ud800\u202e")
            .ofMaxLength(80);
    Arbitrary<String> oversize = Arbitraries.strings().all().ofMinLength(4000).ofMaxLength(70_000);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, anyChars),
        net.jqwik.api.Tuple.of(3, identifierLike),
        net.jqwik.api.Tuple.of(1, oversize));
  }

  @Provide
  Arbitrary<String> textOrNull() {
    return anyText().injectNull(0.3);
  }

  @Provide
  Arbitrary<String> jsonish() {
    Arbitrary<String> objects = anyText().map(text -> "{\"k\":\"" + text.replace("\"", "") + "\"}");
    return Arbitraries.oneOf(objects, anyText(), Arbitraries.just("[]"), Arbitraries.just("{"));
  }

  @Provide
  Arbitrary<String[]> textArrays() {
    return anyText().injectNull(0.05).array(String[].class).ofMaxSize(5).injectNull(0.05);
  }
}
