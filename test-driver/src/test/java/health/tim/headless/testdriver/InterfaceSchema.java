package health.tim.headless.testdriver;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Validates answers against the schema that gematik's YAML gives the operation's response for that
 * status (or its default response), with the OpenAPI 3.0 dialect of JSON Schema.
 */
final class InterfaceSchema {
  private static final Path SPEC = Path.of(System.getProperty("testdriver.openapi"));
  private static final JsonNode TREE = YAMLMapper.builder().build().readTree(SPEC.toFile());

  /** Where the registry finds the YAML: served from memory, so that nothing is fetched. */
  private static final String SPEC_IRI = "https://testdriver.invalid/TiMessengerTestTreiber.yaml";

  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDialect(
          Dialects.getOpenApi30(), builder -> builder.schemas(Map.of(SPEC_IRI, specText())));

  private InterfaceSchema() {}

  /**
   * Asserts that {@code body} is what the interface allows for this answer: valid against its JSON
   * schema, or empty where the interface declares no body.
   *
   * @param path the path as the YAML writes it, for example {@code /devices/{deviceId}/rooms}
   */
  static void assertValid(String method, String path, int status, String body) {
    String responses = "/paths/" + escape(path) + "/" + method.toLowerCase() + "/responses";
    assertThat(TREE.at(responses).isMissingNode()).as("operation %s %s", method, path).isFalse();
    String response = responses + "/" + status;
    if (TREE.at(response).isMissingNode()) {
      response = responses + "/default";
    }
    JsonNode responseNode = TREE.at(response);
    if (responseNode.has("$ref")) {
      response = responseNode.get("$ref").asString().substring(1);
    }
    if (TREE.at(response + "/content").isMissingNode()) {
      assertThat(body).as("%s %s %d declares no body", method, path, status).isNullOrEmpty();
      return;
    }
    String schemaPointer = response + "/content/application~1json/schema";
    assertThat(TREE.at(schemaPointer).isMissingNode())
        .as("JSON schema of %s %s %d", method, path, status)
        .isFalse();
    Schema schema = REGISTRY.getSchema(SchemaLocation.of(SPEC_IRI + "#" + schemaPointer));
    List<Error> errors = schema.validate(body, InputFormat.JSON);
    assertThat(errors).as("%s %s %d: %s", method, path, status, body).isEmpty();
  }

  private static String specText() {
    try {
      return Files.readString(SPEC);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String escape(String path) {
    return path.replace("~", "~0").replace("/", "~1");
  }
}
