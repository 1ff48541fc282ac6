package health.tim.headless.testdriver;

import health.tim.headless.testdriver.api.ContactManagementApi;
import health.tim.headless.testdriver.api.KeyExchangeApi;
import health.tim.headless.testdriver.api.MediaApi;
import health.tim.headless.testdriver.api.PractitionerFhirAdministrationApi;
import health.tim.headless.testdriver.model.Contact;
import health.tim.headless.testdriver.model.Contacts;
import health.tim.headless.testdriver.model.FhirEndpoint;
import health.tim.headless.testdriver.model.FhirSearchResult;
import health.tim.headless.testdriver.model.MatrixKeyInfo;
import health.tim.headless.testdriver.model.MediaFileId;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;

/**
 * The client operations this driver answers with 501 and the interface's error object, each with
 * the reason: the public client API has no counterpart, or the operation needs a practitioner's
 * card (HBA) or an institution's card (SMC-B), which no device here has. The device must still
 * exist and be claimed, so that a wrong request is not mistaken for a gap.
 */
@RestController
class NotOfferedController
    implements KeyExchangeApi, MediaApi, ContactManagementApi, PractitionerFhirAdministrationApi {
  private static final String NO_MEDIA_STORE =
      "the client API sends attachments into a room only; it keeps no room-less media";
  private static final String NO_CONTACTS =
      "the client API has no contact list with invitation periods (TI-M 1.1)";
  private static final String NO_KEY_EXPORT =
      "the client API keeps keys in the native store; it exports none to Java";

  private final DeviceRegistry devices;

  NotOfferedController(DeviceRegistry devices) {
    this.devices = devices;
  }

  /**
   * The answer to an operation that needs a practitioner's card (HBA) or an institution's card
   * (SMC-B), which no device here has: 501 without a body, as the interface declares it for these
   * operations, unlike the others.
   */
  private <T> ResponseEntity<T> needsACard(long deviceId) {
    devices.claimed(deviceId);
    return ResponseEntity.status(HttpStatus.NOT_IMPLEMENTED).build();
  }

  private DriverException notOffered(long deviceId, String operation, String reason) {
    devices.claimed(deviceId);
    return DriverException.notImplemented(operation, reason);
  }

  @Override
  public ResponseEntity<MatrixKeyInfo> keyExport(Long deviceId, String transactionId) {
    throw notOffered(deviceId, "keyExport", NO_KEY_EXPORT);
  }

  @Override
  public ResponseEntity<Void> keyImport(
      Long deviceId, String transactionId, MatrixKeyInfo matrixKeyInfo) {
    throw notOffered(deviceId, "keyImport", NO_KEY_EXPORT);
  }

  @Override
  public ResponseEntity<MediaFileId> postMediaFile(
      Long deviceId, String contentType, Resource body, String transactionId) {
    throw notOffered(deviceId, "postMediaFile", NO_MEDIA_STORE);
  }

  @Override
  public ResponseEntity<Resource> getMediaFile(Long deviceId, String fileId, String transactionId) {
    throw notOffered(deviceId, "getMediaFile", NO_MEDIA_STORE);
  }

  @Override
  public ResponseEntity<Resource> getAuthenticatedMediaFile(
      Long deviceId, String fileId, String transactionId) {
    throw notOffered(deviceId, "getAuthenticatedMediaFile", NO_MEDIA_STORE);
  }

  @Override
  public ResponseEntity<Contacts> getContacts(Long deviceId, String transactionId) {
    throw notOffered(deviceId, "getContacts", NO_CONTACTS);
  }

  @Override
  public ResponseEntity<Contact> createContactSetting(
      Long deviceId, Contact contact, String transactionId) {
    throw notOffered(deviceId, "createContactSetting", NO_CONTACTS);
  }

  @Override
  public ResponseEntity<Void> deleteContactSetting(
      Long deviceId, String mxid, String transactionId) {
    throw notOffered(deviceId, "deleteContactSetting", NO_CONTACTS);
  }

  @Override
  public ResponseEntity<Void> authenticateOnFhirDirectory(Long deviceId, String transactionId) {
    return needsACard(deviceId);
  }

  @Override
  public ResponseEntity<FhirSearchResult> readMxidInFhirDirectory(
      Long deviceId, String transactionId) {
    return needsACard(deviceId);
  }

  @Override
  public ResponseEntity<FhirEndpoint> setMxidInFhirDirectory(Long deviceId, String transactionId) {
    return needsACard(deviceId);
  }

  @Override
  public ResponseEntity<Void> removeMxidInFhirDirectory(Long deviceId, String transactionId) {
    return needsACard(deviceId);
  }

  @Override
  public ResponseEntity<FhirEndpoint> setEndpointVisibility(Long deviceId, String transactionId) {
    return needsACard(deviceId);
  }

  @Override
  public ResponseEntity<Void> removeEndpointVisibility(Long deviceId, String transactionId) {
    return needsACard(deviceId);
  }
}
