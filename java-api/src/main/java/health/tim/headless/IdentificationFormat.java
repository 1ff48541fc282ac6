package health.tim.headless;

/**
 * How the client writes the identification header that every request to the Fachdienst carries
 * (product type, product version, platform and integrating system). gematik has not published a
 * normative format; both follow gematik's reference implementations.
 */
public enum IdentificationFormat {
  /**
   * One user-agent style line, as gematik's reference client sends it, for example {@code
   * tim-headless/0.1.0 (TI-M Pro Headless Client 1.0.0; linux 6.1.0; x86_64) KIS/4.2 (Vendor)};
   * characters outside visible ASCII in the integrating system's names are percent-encoded.
   */
  TEXT,
  /**
   * One JSON object with the fields {@code product}, {@code productType}, {@code
   * productTypeVersion}, {@code productVersion}, {@code platform}, {@code os}, {@code osVersion},
   * {@code arch} and {@code integratingSystem} ({@code name}, {@code version}, {@code vendor}), as
   * gematik's reference proxy reads one; non-ASCII characters are written as {@code \\u} escapes.
   */
  JSON
}
