package health.tim.headless;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Starts a test's {@code main} class in a JVM of its own, for tests that kill a client process. */
final class ChildJvm {
  private ChildJvm() {}

  /**
   * Starts {@code mainClass} on the test's class path with {@code arguments}; its standard error
   * goes to {@code stderr}, its standard output is the returned process's input stream.
   */
  static Process start(Class<?> mainClass, Path stderr, String... arguments) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classPath =
        String.join(
            File.pathSeparator,
            Stream.of(
                    Path.of("target", "test-classes").toAbsolutePath().toString(),
                    System.getProperty("jdk.module.path", ""),
                    System.getProperty("java.class.path", ""))
                .filter(entry -> !entry.isBlank())
                .toList());
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-cp",
                classPath,
                "-Dtim.headless.native.dir=" + System.getProperty("tim.headless.native.dir"),
                mainClass.getName()));
    command.addAll(List.of(arguments));
    return new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
        .start();
  }
}
