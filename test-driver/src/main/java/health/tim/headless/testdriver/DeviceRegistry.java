package health.tim.headless.testdriver;

import health.tim.headless.HeadlessClient;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/**
 * The configured devices, opened at start and closed at shutdown. Every operation on a device goes
 * through {@link #use}: the device must exist (404) and be claimed by the calling client
 * certificate (403), and each use renews the claim, as the interface asks.
 */
@Component
class DeviceRegistry implements DisposableBean {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceRegistry.class);
  private static final String CERTIFICATES_ATTRIBUTE = "jakarta.servlet.request.X509Certificate";

  private final List<Device> devices = new ArrayList<>();

  DeviceRegistry(TestDriverProperties properties) {
    if (properties.devices().size() < 1) {
      throw new IllegalStateException("no device configured (tim.testdriver.devices)");
    }
    for (int index = 0; index < properties.devices().size(); index++) {
      devices.add(new Device(index, properties.devices().get(index)));
    }
    LOG.info("{} devices opened", devices.size());
  }

  List<Device> all() {
    return List.copyOf(devices);
  }

  /**
   * The device, without a claim check (for claiming itself).
   *
   * @throws DriverException 404 for an unknown device
   */
  Device find(long deviceId) {
    if (deviceId < 0 || deviceId >= devices.size()) {
      throw new DriverException(HttpStatus.NOT_FOUND, "UNKNOWN_DEVICE", "no device " + deviceId);
    }
    return devices.get((int) deviceId);
  }

  /**
   * The client of a device claimed by the caller; renews the claim.
   *
   * @throws DriverException 404 for an unknown device, 403 when the caller holds no claim on it
   */
  HeadlessClient use(long deviceId) {
    return claimed(deviceId).client();
  }

  /**
   * The device claimed by the caller; renews the claim.
   *
   * @throws DriverException 404 for an unknown device, 403 when the caller holds no claim on it
   */
  Device claimed(long deviceId) {
    Device device = find(deviceId);
    if (!device.useBy(caller())) {
      throw new DriverException(
          HttpStatus.FORBIDDEN, "NOT_CLAIMED", "device " + deviceId + " is not claimed by you");
    }
    return device;
  }

  /**
   * The common name of the current request's client certificate; empty without one (plain HTTP in
   * development), so that all such callers count as one.
   */
  static String caller() {
    RequestAttributes request = RequestContextHolder.getRequestAttributes();
    Object certificates =
        request == null
            ? null
            : request.getAttribute(CERTIFICATES_ATTRIBUTE, RequestAttributes.SCOPE_REQUEST);
    if (certificates instanceof X509Certificate[] chain && chain.length > 0) {
      return commonName(chain[0]);
    }
    return "";
  }

  private static String commonName(X509Certificate certificate) {
    String subject = certificate.getSubjectX500Principal().getName();
    try {
      for (Rdn rdn : new LdapName(subject).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return rdn.getValue().toString();
        }
      }
    } catch (InvalidNameException e) {
      // The TLS layer accepted the certificate, so its subject is well-formed; use it whole.
    }
    return subject;
  }

  @Override
  public void destroy() {
    for (Device device : devices) {
      device.close();
    }
  }
}
