package health.tim.headless.testdriver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The driver translates onto the public API only: no compiled class of it names a class of {@code
 * health.tim.headless.internal} (class files name every class they use, in their constant pool, as
 * {@code health/tim/headless/internal/...}).
 */
class PublicApiOnlyTest {
  private static final byte[] INTERNAL =
      "health/tim/headless/internal".getBytes(StandardCharsets.UTF_8);

  @Test
  void referencesNoInternalClass() throws IOException {
    Path classes = Path.of("target/classes/health/tim/headless/testdriver");
    List<Path> classFiles;
    try (Stream<Path> files = Files.walk(classes)) {
      classFiles = files.filter(file -> file.toString().endsWith(".class")).toList();
    }
    assertThat(classFiles).hasSizeGreaterThan(20);
    assertThat(classFiles)
        .filteredOn(PublicApiOnlyTest::namesInternalClass)
        .as("classes that use health.tim.headless.internal")
        .isEmpty();
  }

  /** Sanity check of the search itself on a class that does name the internal package. */
  @Test
  void findsAnInternalReferenceWhereThereIsOne() throws IOException {
    byte[] sample =
        ("\u0001health/tim/headless/internal/NativeBridge").getBytes(StandardCharsets.UTF_8);
    Path file = Files.createTempFile("sample", ".class");
    Files.write(file, sample);
    assertThat(namesInternalClass(file)).isTrue();
  }

  private static boolean namesInternalClass(Path classFile) {
    try {
      byte[] content = Files.readAllBytes(classFile);
      outer:
      for (int start = 0; start <= content.length - INTERNAL.length; start++) {
        for (int offset = 0; offset < INTERNAL.length; offset++) {
          if (content[start + offset] != INTERNAL[offset]) {
            continue outer;
          }
        }
        return true;
      }
      return false;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
