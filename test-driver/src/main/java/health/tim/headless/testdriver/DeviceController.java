package health.tim.headless.testdriver;

import health.tim.headless.HeadlessClient;
import health.tim.headless.Membership;
import health.tim.headless.RoomSummary;
import health.tim.headless.SelfReport;
import health.tim.headless.Session;
import health.tim.headless.TimException;
import health.tim.headless.UserProfile;
import health.tim.headless.testdriver.api.AccountApi;
import health.tim.headless.testdriver.api.DevicesApi;
import health.tim.headless.testdriver.api.InfoApi;
import health.tim.headless.testdriver.api.LoginLogoutApi;
import health.tim.headless.testdriver.api.SignalTestStartApi;
import health.tim.headless.testdriver.model.Account;
import health.tim.headless.testdriver.model.ClaimDeviceRequest;
import health.tim.headless.testdriver.model.ClientSoftwareInfo;
import health.tim.headless.testdriver.model.ContactInfo;
import health.tim.headless.testdriver.model.DeviceInfo;
import health.tim.headless.testdriver.model.Devices;
import health.tim.headless.testdriver.model.InfoObject;
import health.tim.headless.testdriver.model.Login;
import health.tim.headless.testdriver.model.OperatingSystem;
import health.tim.headless.testdriver.model.OsInfo;
import health.tim.headless.testdriver.model.SoftwareInfo;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;

/**
 * The interface's meta data, clean-up, devices and their claims, login, logout and account. Device
 * operations need the caller's claim (see {@link DeviceRegistry#claimed}).
 */
@RestController
class DeviceController
    implements InfoApi, SignalTestStartApi, DevicesApi, AccountApi, LoginLogoutApi {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceController.class);

  /** The version of gematik's interface description this driver implements. */
  static final String INTERFACE_VERSION = "2.3.0";

  /** The interface's lower bound of {@code claimFor}. */
  static final int MINIMUM_CLAIM_SECONDS = 60;

  private final DeviceRegistry devices;
  private final TestDriverProperties properties;

  DeviceController(DeviceRegistry devices, TestDriverProperties properties) {
    this.devices = devices;
    this.properties = properties;
  }

  @Override
  public ResponseEntity<InfoObject> getInfo(String transactionId) {
    SelfReport self = devices.all().get(0).client().selfReport();
    ClientSoftwareInfo client =
        new ClientSoftwareInfo(self.product(), self.productVersion())
            .description("headless TI-Messenger Pro client for Java, driven through its API")
            .osInfo(new OsInfo(operatingSystem(self.os())).version(self.osVersion()))
            .canSendMessages(true)
            .isPro(true)
            .isInsurance(false)
            .canAdministrateFhirOrganization(false)
            .canAdministrateFhirPractitioner(false)
            .isVersionThree(false)
            .isReferenceImplementation(false);
    InfoObject info =
        new InfoObject(
            "tim-headless test driver",
            "gematik's TI-Messenger test driver interface over the public tim-headless API",
            orEmpty(properties.homeserver()),
            new ContactInfo(orEmpty(properties.contactName())),
            client,
            new SoftwareInfo(
                orEmpty(properties.fachdienstName()), orEmpty(properties.fachdienstVersion())),
            INTERFACE_VERSION);
    return ResponseEntity.ok(info);
  }

  @Override
  public ResponseEntity<Void> cleanUp(String transactionId) {
    for (Device device : devices.all()) {
      leaveEveryRoom(device.client());
      logoutIfLoggedIn(device.client());
      device.reset();
    }
    LOG.info("all devices reset");
    return ResponseEntity.ok().build();
  }

  @Override
  public ResponseEntity<Devices> getDevices(String transactionId) {
    return ResponseEntity.ok(
        new Devices().devices(devices.all().stream().map(DeviceController::info).toList()));
  }

  @Override
  public ResponseEntity<DeviceInfo> claimDevice(
      Long deviceId, ClaimDeviceRequest request, String transactionId) {
    Device device = devices.find(deviceId);
    if (request == null
        || request.getClaimerName() == null
        || request.getClaimFor() == null
        || request.getClaimFor() < MINIMUM_CLAIM_SECONDS) {
      throw new DriverException(
          HttpStatus.BAD_REQUEST, "BAD_CLAIM", "claimerName and claimFor (at least 60 s) needed");
    }
    Duration duration = Duration.ofSeconds(request.getClaimFor());
    if (!device.claim(request.getClaimerName(), DeviceRegistry.caller(), duration)) {
      throw new DriverException(
          HttpStatus.BAD_REQUEST, "CLAIMED", "device " + deviceId + " is claimed by another");
    }
    return ResponseEntity.ok(info(device));
  }

  @Override
  public ResponseEntity<DeviceInfo> unclaimDevice(Long deviceId, String transactionId) {
    Device device = devices.claimed(deviceId);
    device.unclaim();
    return ResponseEntity.ok(info(device));
  }

  @Override
  public ResponseEntity<Account> login(Long deviceId, String transactionId, Login login) {
    Device device = devices.claimed(deviceId);
    String username = login == null ? null : login.getUsername();
    char[] password =
        login == null || login.getPassword() == null ? null : login.getPassword().toCharArray();
    if (username == null) {
      username = device.config().username();
      password =
          device.config().password() == null ? null : device.config().password().toCharArray();
    }
    if (username == null || password == null) {
      throw new DriverException(
          HttpStatus.BAD_REQUEST, "NO_ACCOUNT", "no login data and no preconfigured account");
    }
    try {
      HeadlessClient client = device.client();
      client.login(username, password);
      device.rememberLogin(username, password);
      client.startSync();
    } finally {
      Arrays.fill(password, '\0');
    }
    return ResponseEntity.ok(account(device));
  }

  @Override
  public ResponseEntity<Void> logout(Long deviceId, String transactionId) {
    Device device = devices.claimed(deviceId);
    device.client().stopSync();
    device.client().logout();
    device.forgetLogin();
    return ResponseEntity.ok().build();
  }

  @Override
  public ResponseEntity<Account> readAccount(Long deviceId, String transactionId) {
    return ResponseEntity.ok(account(devices.claimed(deviceId)));
  }

  private static Account account(Device device) {
    HeadlessClient client = device.client();
    Session session =
        client
            .session()
            .orElseThrow(
                () -> new DriverException(HttpStatus.UNAUTHORIZED, "NOT_LOGGED_IN", "log in"));
    UserProfile profile = Calls.await(client.profile(session.userId()));
    return new Account(
        session.userId(),
        device.loginUsername().orElse(session.userId()),
        // The interface hands the password back; a session restored from the store has none.
        device.loginPassword().orElse(""),
        profile.displayName() == null ? "" : profile.displayName());
  }

  private static DeviceInfo info(Device device) {
    return device
        .claim()
        .map(
            claim ->
                new DeviceInfo(
                        device.id(),
                        device.name(),
                        DeviceInfo.DeviceStatusEnum.CLAIMED,
                        claim.claimerName(),
                        utc(claim.until()))
                    .claimerCn(claim.claimerCn()))
        // A free device has no claimer; the interface still requires both fields, so the name is
        // empty and the time is when the device became free.
        .orElseGet(
            () ->
                new DeviceInfo(
                    device.id(),
                    device.name(),
                    DeviceInfo.DeviceStatusEnum.FREE,
                    "",
                    utc(device.freeSince())));
  }

  private static void leaveEveryRoom(HeadlessClient client) {
    if (client.session().isEmpty()) {
      return;
    }
    for (RoomSummary room : Calls.await(client.rooms())) {
      try {
        if (room.membership() == Membership.JOIN || room.membership() == Membership.INVITE) {
          Calls.await(client.leaveRoom(room.roomId()));
        }
        Calls.await(client.forgetRoom(room.roomId()));
      } catch (TimException e) {
        // The store is deleted next; a room that stays on the server is reported, not fatal.
        LOG.warn("clean-up could not leave a room: {}", e.code());
      }
    }
  }

  private static void logoutIfLoggedIn(HeadlessClient client) {
    if (client.session().isPresent()) {
      client.stopSync();
      client.logout();
    }
  }

  private static OperatingSystem operatingSystem(String os) {
    String name = os == null ? "" : os.toLowerCase(Locale.ROOT);
    if (name.contains("win")) {
      return OperatingSystem.WINDOWS;
    }
    if (name.contains("mac") || name.contains("darwin")) {
      return OperatingSystem.OSX;
    }
    return OperatingSystem.LINUX;
  }

  private static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  private static String orEmpty(String value) {
    return value == null ? "" : value;
  }
}
