package health.tim.headless.internal;

/**
 * Writes one flat JSON object of strings, numbers and nulls: just what the settings passed to the
 * native library need, so that the API module depends on no JSON library.
 */
public final class JsonWriter {
  private final StringBuilder json = new StringBuilder("{");

  /**
   * Adds a string member; {@code null} is written as JSON {@code null}.
   *
   * @param name the member's name
   * @param value its value, or {@code null}
   * @return this writer
   */
  public JsonWriter string(String name, String value) {
    key(name);
    if (value == null) {
      json.append("null");
    } else {
      quoted(value);
    }
    return this;
  }

  /**
   * Adds a number member.
   *
   * @param name the member's name
   * @param value its value
   * @return this writer
   */
  public JsonWriter number(String name, long value) {
    key(name);
    json.append(value);
    return this;
  }

  /**
   * Adds a boolean member.
   *
   * @param name the member's name
   * @param value its value
   * @return this writer
   */
  public JsonWriter bool(String name, boolean value) {
    key(name);
    json.append(value);
    return this;
  }

  /**
   * Ends the object.
   *
   * @return the JSON text
   */
  public String finish() {
    return json.append('}').toString();
  }

  private void key(String name) {
    if (json.length() > 1) {
      json.append(',');
    }
    quoted(name);
    json.append(':');
  }

  private void quoted(String value) {
    json.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        default -> {
          if (c < 0x20 || Character.isSurrogate(c)) {
            // Lone surrogates stay escaped, so that the native side reports them as invalid
            // input instead of the conversion failing silently.
            json.append(String.format("\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    json.append('"');
  }
}
