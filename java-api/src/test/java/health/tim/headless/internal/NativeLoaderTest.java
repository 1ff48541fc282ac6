package health.tim.headless.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import health.tim.headless.ErrorCode;
import health.tim.headless.NativeLibraryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class NativeLoaderTest {
  @Test
  void platformFoldersAreNamedByOsAndArchitecture() {
    assertThat(NativeLoader.platform("Linux", "amd64")).isEqualTo("linux-x86_64");
    assertThat(NativeLoader.platform("Linux", "aarch64")).isEqualTo("linux-aarch64");
    assertThat(NativeLoader.platform("Mac OS X", "aarch64")).isEqualTo("macos-aarch64");
    assertThat(NativeLoader.platform("Mac OS X", "x86_64")).isEqualTo("macos-x86_64");
    assertThat(NativeLoader.platform("Windows 11", "amd64")).isEqualTo("windows-x86_64");
  }

  @Test
  void aLibraryOfAnotherVersionIsRefusedWithAClearMessage() {
    assertThatCode(() -> NativeLoader.checkVersion("0.1.0", "0.1.0")).doesNotThrowAnyException();
    assertThatThrownBy(() -> NativeLoader.checkVersion("0.1.0", "0.2.0"))
        .isInstanceOf(NativeLibraryException.class)
        .hasMessageContaining("reports version 0.2.0 but this jar is 0.1.0")
        .satisfies(
            e ->
                assertThat(((NativeLibraryException) e).code())
                    .isEqualTo(ErrorCode.NATIVE_LIBRARY));
  }

  @Test
  void theLibraryIsExtractedIntoTheConfiguredDirectoryAndLoadedOnce() throws IOException {
    NativeLoader.ensureLoaded();
    NativeLoader.ensureLoaded();

    // The build sets the property for the test JVM; the mapped file must come from there.
    Path configured = Path.of(System.getProperty(NativeLoader.EXTRACT_DIR_PROPERTY)).toRealPath();
    List<String> mapped =
        Files.readAllLines(Path.of("/proc/self/maps")).stream()
            .filter(line -> line.contains("libtim_headless_jni"))
            .map(line -> line.substring(line.indexOf('/')))
            .distinct()
            .toList();
    assertThat(mapped).hasSize(1);
    assertThat(Path.of(mapped.get(0)).getParent()).isEqualTo(configured);
    assertThat(NativeBridge.nativeVersion()).isEqualTo("0.1.0");
  }
}
