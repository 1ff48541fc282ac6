package health.tim.headless;

/**
 * What to search for in the VZD-FHIR-Directory: every given criterion must match, and at least one
 * must be given. Start from {@link #byName}, {@link #byCity} or {@link #byMatrixId} and add
 * criteria with the {@code with...} methods; every instance is immutable. {@link
 * HeadlessClient#searchPractitioners} checks the criteria.
 *
 * @param name part of the practitioner's or the service's name (at most 256 characters), or {@code
 *     null}
 * @param city the city of the address, or {@code null}
 * @param postalCode the postal code of the address (letters and digits), or {@code null}
 * @param matrixId a full Matrix user ID one of the entry's endpoints has, or {@code null}
 * @param limit at most this many results, 1 to 100
 */
public record DirectoryQuery(
    String name, String city, String postalCode, String matrixId, int limit) {
  /** The number of results unless {@link #withLimit} says otherwise. */
  public static final int DEFAULT_LIMIT = 20;

  /**
   * Entries whose name contains {@code name}.
   *
   * @param name part of the name
   * @return the query
   */
  public static DirectoryQuery byName(String name) {
    return new DirectoryQuery(name, null, null, null, DEFAULT_LIMIT);
  }

  /**
   * Entries with an address in {@code city}.
   *
   * @param city the city
   * @return the query
   */
  public static DirectoryQuery byCity(String city) {
    return new DirectoryQuery(null, city, null, null, DEFAULT_LIMIT);
  }

  /**
   * The entries one of whose endpoints is {@code matrixId}.
   *
   * @param matrixId a full Matrix user ID
   * @return the query
   */
  public static DirectoryQuery byMatrixId(String matrixId) {
    return new DirectoryQuery(null, null, null, matrixId, DEFAULT_LIMIT);
  }

  /**
   * This query, also by city.
   *
   * @param newCity the city
   * @return a new query
   */
  public DirectoryQuery withCity(String newCity) {
    return new DirectoryQuery(name, newCity, postalCode, matrixId, limit);
  }

  /**
   * This query, also by postal code.
   *
   * @param newPostalCode the postal code
   * @return a new query
   */
  public DirectoryQuery withPostalCode(String newPostalCode) {
    return new DirectoryQuery(name, city, newPostalCode, matrixId, limit);
  }

  /**
   * This query with another result limit.
   *
   * @param newLimit 1 to 100
   * @return a new query
   */
  public DirectoryQuery withLimit(int newLimit) {
    return new DirectoryQuery(name, city, postalCode, matrixId, newLimit);
  }
}
