package health.tim.headless;

import java.util.List;
import java.util.Optional;

/**
 * An entry of the VZD-FHIR-Directory: a practitioner (a {@code PractitionerRole}) or an
 * organisation's healthcare service, with the Matrix IDs under which it can be reached.
 *
 * @param kind whether a practitioner or a healthcare service
 * @param resourceId the FHIR resource ID of the {@code PractitionerRole} or {@code
 *     HealthcareService}
 * @param name the practitioner's or the service's name
 * @param organization the organisation's name, or {@code null}
 * @param telematikId the practitioner's Telematik-ID, or the organisation's for a service; or
 *     {@code null}
 * @param address the first address, or {@code null}
 * @param matrixIds the Matrix user IDs of the entry's active endpoints only
 */
public record DirectoryEntry(
    Kind kind,
    String resourceId,
    String name,
    String organization,
    String telematikId,
    Address address,
    List<String> matrixIds) {

  /** The kinds of entries. */
  public enum Kind {
    /** A practitioner. */
    PRACTITIONER,
    /** An organisation's healthcare service. */
    HEALTHCARE_SERVICE
  }

  /**
   * A postal address.
   *
   * @param lines the street lines
   * @param postalCode the postal code, or {@code null}
   * @param city the city, or {@code null}
   */
  public record Address(List<String> lines, String postalCode, String city) {
    /**
     * Creates an address.
     *
     * @param lines see the record component
     * @param postalCode see the record component
     * @param city see the record component
     * @throws InvalidArgumentException if {@code lines} is {@code null}
     */
    public Address {
      lines = Arguments.listOf(lines, "lines");
    }
  }

  /**
   * Creates an entry.
   *
   * @param kind see the record component
   * @param resourceId see the record component
   * @param name see the record component
   * @param organization see the record component
   * @param telematikId see the record component
   * @param address see the record component
   * @param matrixIds see the record component
   * @throws InvalidArgumentException if {@code kind}, {@code resourceId}, {@code name} or {@code
   *     matrixIds} is {@code null}
   */
  public DirectoryEntry {
    Arguments.required(kind, "kind");
    Arguments.required(resourceId, "resourceId");
    Arguments.required(name, "name");
    matrixIds = Arguments.listOf(matrixIds, "matrixIds");
  }

  /**
   * The address.
   *
   * @return the address, if the directory has one
   */
  public Optional<Address> postalAddress() {
    return Optional.ofNullable(address);
  }
}
