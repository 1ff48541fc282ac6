package health.tim.headless;

import java.util.Optional;

/**
 * One of the integrating system's own references that a room is filed under: a patient, a case or
 * an encounter. The client treats it as opaque. Case links live only in the encrypted local store
 * and never go to the homeserver; the audit log names a keyed digest instead of the reference, and
 * {@code toString()} shows neither system nor value.
 *
 * <p>System and value identify the case; the FHIR reference only points to it, so two references
 * with the same system and value are the same case.
 *
 * @param system which kind of identifier, in the integrating system's terms, for example {@code
 *     fall} or a FHIR identifier system such as {@code urn:oid:1.2.276.0.76.4.8}; 1 to 128
 *     characters, no control characters
 * @param value the identifier; 1 to 256 characters, no control characters
 * @param fhirReference a FHIR reference such as {@code Encounter/4711} or an absolute URL, or
 *     {@code null}
 */
public record CaseReference(String system, String value, String fhirReference) {

  /**
   * Creates a reference; {@link HeadlessClient#linkCase} checks its parts.
   *
   * @param system see the record component
   * @param value see the record component
   * @param fhirReference see the record component
   * @throws InvalidArgumentException if {@code system} or {@code value} is {@code null}
   */
  public CaseReference {
    Arguments.required(system, "system");
    Arguments.required(value, "value");
  }

  /**
   * A reference without a FHIR pointer.
   *
   * @param system see the record component
   * @param value see the record component
   * @return the reference
   * @throws InvalidArgumentException if either is {@code null}
   */
  public static CaseReference of(String system, String value) {
    return new CaseReference(system, value, null);
  }

  /**
   * The FHIR reference.
   *
   * @return the FHIR reference, if there is one
   */
  public Optional<String> fhir() {
    return Optional.ofNullable(fhirReference);
  }

  /**
   * Shows that this is a case reference, never which.
   *
   * @return a text without system or value
   */
  @Override
  public String toString() {
    return "CaseReference[..]";
  }
}
