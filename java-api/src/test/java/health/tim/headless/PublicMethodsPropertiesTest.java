package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every public method and constructor of the API that takes arguments, called with 10,000 argument
 * sets that jqwik generates (any UTF-16 with unpaired surrogates and NUL, oversize text, malformed
 * and well-formed identifiers, negative and huge numbers, nulls, empty and odd collections and
 * streams): each call either succeeds or fails with a {@link TimException} (thrown, or as the cause
 * of a failed future that completes), never another exception, a native panic or a crash of the
 * JVM.
 *
 * <p>Client methods run on a client of their own that is open but not logged in: inputs that pass
 * the checks meet the state checks or the test homeserver's refusal (of a generated login, say),
 * and the hundreds of refusals drive the client through the restricted mode into its controlled
 * stop, so that those states are called too. {@code close} is left out (it ends the client for the
 * other inputs; {@code BadInputTest} covers calls after it). The generated output records (events,
 * summaries) have constructors as well; they are plain carriers without checks and are called too.
 *
 * <p>A summary per method (inputs, accepted, refusals by code) is written to {@code
 * target/public-method-inputs.txt}.
 */
class PublicMethodsPropertiesTest {
  private static final int INPUTS_PER_METHOD = 10_000;
  private static final Map<String, String> SUMMARY = new TreeMap<>();

  @TempDir static Path temp;

  private static Path existingFile;

  @BeforeAll
  static void prepareFiles() throws IOException {
    existingFile = Files.writeString(temp.resolve("present.txt"), "x");
  }

  @AfterAll
  static void writeSummary() throws IOException {
    Path target = Path.of("target");
    Files.createDirectories(target);
    StringBuilder text = new StringBuilder();
    SUMMARY.forEach((method, line) -> text.append(method).append(' ').append(line).append('\n'));
    Files.writeString(target.resolve("public-method-inputs.txt"), text, StandardCharsets.UTF_8);
  }

  @TestFactory
  Stream<DynamicTest> everyPublicMethodAcceptsOrRefusesTyped() {
    return publicMembers()
        .map(member -> DynamicTest.dynamicTest(describe(member), () -> exercise(member)));
  }

  private static void exercise(Executable member) throws Exception {
    Arbitrary<List<Object>> arguments = argumentsFor(member);
    boolean onClient =
        member.getDeclaringClass() == HeadlessClient.class
            && !Modifier.isStatic(member.getModifiers());
    boolean onBuilder = member.getDeclaringClass() == HeadlessClient.Builder.class;
    Map<String, Integer> outcomes = new TreeMap<>();
    int[] tried = {0};
    HeadlessClient client = onClient ? openClient(member) : null;
    try {
      arguments
          .sampleStream()
          .limit(INPUTS_PER_METHOD)
          .forEach(
              args -> {
                Object target =
                    onClient ? client : onBuilder ? HeadlessClient.builder() : receiverFor(member);
                outcomes.merge(invoke(member, target, args.toArray()), 1, Integer::sum);
                tried[0]++;
              });
    } finally {
      if (client != null) {
        client.close();
      }
    }
    assertThat(tried[0]).isEqualTo(INPUTS_PER_METHOD);
    SUMMARY.put(describe(member), INPUTS_PER_METHOD + " inputs " + outcomes);
  }

  /** Calls the member; the outcome is "accepted" or the refusal's code. */
  private static String invoke(Executable member, Object target, Object[] args) {
    Object result;
    try {
      result =
          member instanceof Method method
              ? method.invoke(target, args)
              : ((Constructor<?>) member).newInstance(args);
    } catch (InvocationTargetException e) {
      return refusal(member, args, e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("cannot call " + describe(member), e);
    }
    if (result instanceof CompletableFuture<?> future) {
      try {
        future.get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        return refusal(member, args, e.getCause());
      } catch (TimeoutException e) {
        fail(describe(member) + ": a future did not complete within 30 s");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted");
      }
    }
    if (result instanceof AutoCloseable closeable && member.getName().equals("build")) {
      close(closeable);
    }
    return "accepted";
  }

  private static String refusal(Executable member, Object[] args, Throwable thrown) {
    if (!(thrown instanceof TimException refusal)) {
      throw new AssertionError(
          describe(member) + " threw " + thrown + " for " + Arrays.deepToString(shorten(args)),
          thrown);
    }
    assertThat(refusal.code()).as(describe(member)).isNotEqualTo(ErrorCode.NATIVE_PANIC);
    assertThat(refusal.getMessage()).as(describe(member)).isNotBlank().hasSizeLessThan(400);
    return refusal.code().name();
  }

  private static Object[] shorten(Object[] args) {
    return Arrays.stream(args)
        .map(
            arg ->
                arg instanceof String text && text.length() > 40 ? text.length() + " chars" : arg)
        .toArray();
  }

  private static void close(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      throw new AssertionError("closing failed", e);
    }
  }

  private static HeadlessClient openClient(Executable member) {
    Path store = temp.resolve("store-" + describe(member).replaceAll("[^A-Za-z0-9]", "_"));
    return HeadlessClient.builder()
        .homeserverUrl(TestHomeserver.url())
        .storeDirectory(store)
        .storePassphrase(TestClients.STORE_PASSPHRASE.clone())
        .integratingSystem("tim-headless tests", "1")
        .build();
  }

  /** A receiver for an instance method of a value type: a valid instance. */
  private static Object receiverFor(Executable member) {
    if (Modifier.isStatic(member.getModifiers()) || member instanceof Constructor<?>) {
      return null;
    }
    Class<?> type = member.getDeclaringClass();
    if (type == ClientListener.class) {
      return new ClientListener() {};
    }
    List<Object> samples = validSamples(type);
    if (samples.isEmpty()) {
      throw new AssertionError("no valid instance of " + type.getSimpleName());
    }
    return samples.get(0);
  }

  /**
   * The public members with parameters of the API's public classes, in a stable order. Record
   * accessors, {@code equals} and the like take no generated input and are left out.
   */
  private static Stream<Executable> publicMembers() {
    List<Executable> members = new ArrayList<>();
    for (Class<?> type : apiClasses()) {
      for (Method method : type.getDeclaredMethods()) {
        if (Modifier.isPublic(method.getModifiers())
            && method.getParameterCount() > 0
            && !method.isSynthetic()
            && !method.getName().equals("equals")
            && !method.getName().equals("valueOf")
            && !method.getName().equals("main")
            && !(type == HeadlessClient.class && method.getName().equals("close"))) {
          members.add(method);
        }
      }
      for (Constructor<?> constructor : type.getDeclaredConstructors()) {
        if (Modifier.isPublic(constructor.getModifiers()) && constructor.getParameterCount() > 0) {
          members.add(constructor);
        }
      }
    }
    members.sort(Comparator.comparing(PublicMethodsPropertiesTest::describe));
    return members.stream();
  }

  private static List<Class<?>> apiClasses() {
    List<Class<?>> classes = new ArrayList<>();
    try (Stream<Path> files = Files.list(classesDirectory())) {
      for (Path file : files.sorted().toList()) {
        String name = file.getFileName().toString();
        if (name.endsWith(".class") && !name.contains("package-info")) {
          Class<?> type =
              Class.forName(
                  "health.tim.headless." + name.substring(0, name.length() - ".class".length()),
                  false,
                  PublicMethodsPropertiesTest.class.getClassLoader());
          if (isPublicApi(type) && !Throwable.class.isAssignableFrom(type)) {
            classes.add(type);
          }
        }
      }
    } catch (IOException | ClassNotFoundException e) {
      throw new AssertionError("cannot list the API's classes", e);
    }
    return classes;
  }

  /** Public, and every class around it public too. */
  private static boolean isPublicApi(Class<?> type) {
    for (Class<?> at = type; at != null; at = at.getEnclosingClass()) {
      if (!Modifier.isPublic(at.getModifiers()) || at.isAnonymousClass()) {
        return false;
      }
    }
    return true;
  }

  private static Path classesDirectory() {
    try {
      return Path.of(
              HeadlessClient.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .resolve("health/tim/headless");
    } catch (java.net.URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  private static String describe(Executable member) {
    String owner = member.getDeclaringClass().getName().replace("health.tim.headless.", "");
    String name = member instanceof Constructor<?> ? "new" : member.getName();
    String parameters =
        Arrays.stream(member.getParameterTypes())
            .map(Class::getSimpleName)
            .reduce((a, b) -> a + "," + b)
            .orElse("");
    return owner.replace('$', '.') + "." + name + "(" + parameters + ")";
  }

  private static Arbitrary<List<Object>> argumentsFor(Executable member) {
    List<Arbitrary<Object>> parameters = new ArrayList<>();
    for (Parameter parameter : member.getParameters()) {
      parameters.add(arbitraryFor(parameter.getParameterizedType()));
    }
    return Combinators.combine(parameters).as(values -> new ArrayList<>(values));
  }

  @SuppressWarnings("unchecked")
  private static Arbitrary<Object> arbitraryFor(Type type) {
    if (type instanceof ParameterizedType generic) {
      Class<?> raw = (Class<?>) generic.getRawType();
      Type element = generic.getActualTypeArguments()[0];
      if (Collection.class.isAssignableFrom(raw)) {
        Arbitrary<Object> elements = arbitraryFor(element);
        Arbitrary<List<Object>> lists = elements.list().ofMaxSize(4);
        Arbitrary<Object> asCollection =
            raw.isAssignableFrom(List.class)
                ? lists.map(list -> (Object) list)
                : lists.map(list -> (Object) new java.util.HashSet<>(list));
        return asCollection.injectNull(0.05);
      }
      if (Map.class.isAssignableFrom(raw)) {
        Arbitrary<Object> keys = text();
        Arbitrary<Object> values = arbitraryFor(generic.getActualTypeArguments()[1]);
        return Arbitraries.maps(keys, values)
            .ofMaxSize(3)
            .map(map -> (Object) map)
            .injectNull(0.05);
      }
      return arbitraryFor(raw);
    }
    Class<?> raw = (Class<?>) type;
    if (raw == String.class) {
      return text();
    }
    if (raw == char[].class) {
      return Arbitraries.strings()
          .all()
          .ofMaxLength(80)
          .map(s -> (Object) s.toCharArray())
          .injectNull(0.05);
    }
    if (raw == String[].class) {
      return text()
          .list()
          .ofMaxSize(4)
          .map(list -> (Object) list.toArray(new String[0]))
          .injectNull(0.05);
    }
    if (raw == int.class || raw == Integer.class) {
      Arbitrary<Object> ints =
          Arbitraries.oneOf(
                  Arbitraries.integers(),
                  Arbitraries.integers().between(-5, 300),
                  Arbitraries.of(0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE))
              .map(i -> (Object) i);
      return raw == Integer.class ? ints.injectNull(0.1) : ints;
    }
    if (raw == long.class) {
      return Arbitraries.oneOf(
              Arbitraries.longs(),
              Arbitraries.longs().between(-5, 1_000_000),
              Arbitraries.of(0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE))
          .map(l -> (Object) l);
    }
    if (raw == boolean.class) {
      return Arbitraries.of(true, false).map(b -> (Object) b);
    }
    if (raw.isEnum()) {
      return Arbitraries.of(raw.getEnumConstants()).map(e -> (Object) e).injectNull(0.1);
    }
    if (raw == InputStream.class) {
      return Arbitraries.bytes()
          .array(byte[].class)
          .ofMaxSize(64)
          .map(bytes -> (Object) new ByteArrayInputStream(bytes))
          .injectNull(0.1);
    }
    if (raw == OutputStream.class) {
      return Arbitraries.just((Object) new ByteArrayOutputStream()).injectNull(0.2);
    }
    if (raw == Path.class) {
      return Arbitraries.of(
              existingFile,
              temp,
              temp.resolve("missing/deeper"),
              temp.resolve("fresh"),
              Path.of(""))
          .map(p -> (Object) p)
          .injectNull(0.1);
    }
    if (raw == URI.class) {
      return Arbitraries.of(
              "http://127.0.0.1:3128",
              "https://proxy.example.org:8443",
              "ftp://x",
              "http://u:p@h:1",
              "mailto:a@b",
              "http://[::1]:8080",
              "/relative")
          .map(text -> (Object) URI.create(text))
          .injectNull(0.1);
    }
    if (raw == java.time.Instant.class) {
      return Arbitraries.longs()
          .between(-100_000_000_000L, 100_000_000_000L)
          .map(seconds -> (Object) java.time.Instant.ofEpochSecond(seconds))
          .injectNull(0.1);
    }
    if (raw == java.time.Duration.class) {
      return Arbitraries.oneOf(
              Arbitraries.longs().between(-5_000, 5_000),
              Arbitraries.of(0L, 1_000L, 1_001L, Long.MAX_VALUE / 1_000_000, Long.MIN_VALUE))
          .map(millis -> (Object) java.time.Duration.ofMillis(millis))
          .injectNull(0.1);
    }
    if (raw == ClientListener.class) {
      return Arbitraries.just((Object) new ClientListener() {}).injectNull(0.3);
    }
    if (raw == Object.class || raw == Throwable.class) {
      return Arbitraries.of((Object) "x", 1, new IllegalStateException("x")).injectNull(0.2);
    }
    if (raw == java.security.cert.X509Certificate.class) {
      return Arbitraries.just(null);
    }
    List<Object> samples = validSamples(raw);
    if (!samples.isEmpty()) {
      return Arbitraries.of(samples).injectNull(0.2);
    }
    if (raw.isInterface() || raw.isRecord()) {
      // Output types (events, entries) as arguments of other records' constructors: null is the
      // one value that is always at hand; the records' own constructors are called with
      // generated fields anyway.
      return Arbitraries.just(null);
    }
    throw new AssertionError("no generator for " + raw.getName());
  }

  /** Text from everywhere: any UTF-16, identifier-like, well-formed identifiers, oversize. */
  private static Arbitrary<Object> text() {
    Arbitrary<String> anyChars = Arbitraries.strings().all().ofMaxLength(120);
    Arbitrary<String> identifierLike =
        Arbitraries.strings()
            .withChars("!@$#:.-_/+=abcXYZ019 \u0000\u00e4\ud800\u202e")
            .ofMaxLength(60);
    Arbitrary<String> wellFormed =
        Arbitraries.of(
            "@alice:localhost",
            "!room:localhost",
            "$event",
            "localhost",
            "alice",
            "m.text",
            "de.gematik.test",
            "{\"k\":1}",
            "geo:52.5,13.4",
            "application/pdf",
            "Befund.pdf",
            "https://fhir.example.org",
            "123456789",
            "10",
            "9",
            "👍");
    Arbitrary<String> oversize = Arbitraries.strings().all().ofMinLength(4_000).ofMaxLength(70_000);
    return Arbitraries.frequencyOf(
            Tuple.of(5, anyChars),
            Tuple.of(3, identifierLike),
            Tuple.of(3, wellFormed),
            Tuple.of(1, oversize))
        .map(text -> (Object) text)
        .injectNull(0.1);
  }

  /** Valid instances of the API's value types that other methods take. */
  private static List<Object> validSamples(Class<?> type) {
    if (type == OutgoingMessage.class) {
      return List.of(OutgoingMessage.text("Befund"), OutgoingMessage.html("a", "<b>a</b>"));
    }
    if (type == CreateRoomOptions.class) {
      return List.of(
          CreateRoomOptions.privateRoom(), CreateRoomOptions.directChat("@bob:localhost"));
    }
    if (type == PermissionConfig.class) {
      return List.of(PermissionConfig.allowAll(), PermissionConfig.blockAll());
    }
    if (type == CaseReference.class) {
      return List.of(CaseReference.of("urn:oid:1.2.276.0.76.4.8", "4711"));
    }
    if (type == DirectoryQuery.class) {
      return List.of(DirectoryQuery.byName("Praxis"), DirectoryQuery.byCity("Berlin"));
    }
    if (type == RateLimits.class) {
      return List.of(RateLimits.DEFAULT);
    }
    return List.of();
  }
}
