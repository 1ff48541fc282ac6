package health.tim.headless;

import java.time.Instant;
import java.util.Optional;

/**
 * What a client reports about itself (TI-M's self-report): this product with its type and versions,
 * the platform, the integrating system that embeds it, and when it was opened. The same facts go to
 * the Fachdienst in the identification header of every request.
 *
 * @param product the product's name, {@code tim-headless}
 * @param productType the gematik product type, {@code TI-M Pro Headless Client}
 * @param productTypeVersion the version of the product type's concept this client follows
 * @param productVersion this library's version
 * @param os the operating system, for example {@code linux}
 * @param osVersion the kernel release, or {@code unknown}
 * @param arch the CPU architecture, for example {@code x86_64}
 * @param integratingSystemName the integrating system's name
 * @param integratingSystemVersion the integrating system's version
 * @param integratingSystemVendor the integrating system's vendor, or {@code null}
 * @param startedAt when the client was opened
 */
public record SelfReport(
    String product,
    String productType,
    String productTypeVersion,
    String productVersion,
    String os,
    String osVersion,
    String arch,
    String integratingSystemName,
    String integratingSystemVersion,
    String integratingSystemVendor,
    Instant startedAt) {

  /**
   * Creates a report.
   *
   * @param product see the record component
   * @param productType see the record component
   * @param productTypeVersion see the record component
   * @param productVersion see the record component
   * @param os see the record component
   * @param osVersion see the record component
   * @param arch see the record component
   * @param integratingSystemName see the record component
   * @param integratingSystemVersion see the record component
   * @param integratingSystemVendor see the record component
   * @param startedAt see the record component
   * @throws InvalidArgumentException if any component but the vendor is {@code null}
   */
  public SelfReport {
    Arguments.required(product, "product");
    Arguments.required(productType, "productType");
    Arguments.required(productTypeVersion, "productTypeVersion");
    Arguments.required(productVersion, "productVersion");
    Arguments.required(os, "os");
    Arguments.required(osVersion, "osVersion");
    Arguments.required(arch, "arch");
    Arguments.required(integratingSystemName, "integratingSystemName");
    Arguments.required(integratingSystemVersion, "integratingSystemVersion");
    Arguments.required(startedAt, "startedAt");
  }

  /**
   * The integrating system's vendor.
   *
   * @return the vendor, when the integrating system named one
   */
  public Optional<String> vendor() {
    return Optional.ofNullable(integratingSystemVendor);
  }
}
