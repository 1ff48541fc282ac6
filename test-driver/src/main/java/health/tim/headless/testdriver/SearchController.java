package health.tim.headless.testdriver;

import health.tim.headless.HeadlessClient;
import health.tim.headless.UserProfile;
import health.tim.headless.testdriver.api.SearchInFhirDirectoryApi;
import health.tim.headless.testdriver.api.SearchOnHomeserverApi;
import health.tim.headless.testdriver.model.FhirSearchResult;
import health.tim.headless.testdriver.model.HomeserverSearchResult;
import health.tim.headless.testdriver.model.HomeserverSearchResultList;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;

/** The homeserver's user directory; the FHIR directory searches are not offered yet. */
@RestController
class SearchController implements SearchOnHomeserverApi, SearchInFhirDirectoryApi {
  /** The most users one search returns; the client API's own upper bound. */
  static final int SEARCH_LIMIT = 100;

  private final DeviceRegistry devices;

  SearchController(DeviceRegistry devices) {
    this.devices = devices;
  }

  @Override
  public ResponseEntity<HomeserverSearchResultList> searchOnHomeserver(
      Long deviceId, String transactionId, String displayName, String mxId) {
    HeadlessClient client = devices.use(deviceId);
    String term = mxId != null ? mxId : displayName;
    if (term == null || term.isBlank()) {
      throw new DriverException(HttpStatus.BAD_REQUEST, "NO_TERM", "displayName or mxId needed");
    }
    List<HomeserverSearchResult> results =
        Calls.await(client.searchUsers(term, SEARCH_LIMIT)).stream()
            .filter(user -> mxId == null || user.userId().equals(mxId))
            .map(SearchController::result)
            .toList();
    return ResponseEntity.ok(new HomeserverSearchResultList(results.size(), results));
  }

  private static HomeserverSearchResult result(UserProfile user) {
    return new HomeserverSearchResult(user.userId()).displayName(user.displayName());
  }

  @Override
  public ResponseEntity<FhirSearchResult> searchHsEndpointInFhirDirectory(
      Long deviceId, String transactionId, String mxId) {
    throw fhirSearch("searchHsEndpointInFhirDirectory");
  }

  @Override
  public ResponseEntity<FhirSearchResult> searchOrganizationInFhirDirectory(
      Long deviceId, String transactionId, String healthcareServiceName) {
    throw fhirSearch("searchOrganizationInFhirDirectory");
  }

  @Override
  public ResponseEntity<FhirSearchResult> searchPractitionerInFhirDirectory(
      Long deviceId, String transactionId, String name, String mxid) {
    throw fhirSearch("searchPractitionerInFhirDirectory");
  }

  private static DriverException fhirSearch(String operation) {
    return DriverException.notImplemented(
        operation,
        "the client API returns directory entries, not the FHIR resources this answer needs");
  }
}
