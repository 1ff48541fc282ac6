package health.tim.headless.testdriver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The driver never ships in production: the jars of the production modules, which the reactor packs
 * before this module's tests run, hold none of its classes or its interface file.
 */
class ProductionJarsTest {
  private static final List<String> PRODUCTION_MODULES =
      List.of("java-api", "spring-boot-autoconfigure", "spring-boot-starter");

  @Test
  void noProductionJarHoldsADriverClass() throws IOException {
    List<Path> jars = new ArrayList<>();
    for (String module : PRODUCTION_MODULES) {
      Path target = Path.of("..", module, "target");
      try (Stream<Path> files = Files.list(target)) {
        List<Path> found =
            files
                .filter(file -> file.getFileName().toString().endsWith(".jar"))
                .filter(file -> !file.getFileName().toString().endsWith("-sources.jar"))
                .toList();
        assertThat(found).as("the jar the reactor packed in %s", target).isNotEmpty();
        jars.addAll(found);
      }
    }

    for (Path jar : jars) {
      try (JarFile file = new JarFile(jar.toFile())) {
        List<String> driverEntries =
            file.stream()
                .map(entry -> entry.getName())
                .filter(
                    name ->
                        name.startsWith("health/tim/headless/testdriver/")
                            || name.endsWith("TiMessengerTestTreiber.yaml"))
                .toList();
        assertThat(driverEntries).as("driver entries in %s", jar.getFileName()).isEmpty();
      }
    }
  }
}
