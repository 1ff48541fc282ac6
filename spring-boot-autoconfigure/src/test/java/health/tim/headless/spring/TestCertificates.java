package health.tim.headless.spring;

/** A throw-away self-signed CA certificate (its key was discarded), for certificate settings. */
final class TestCertificates {
  static final String CA_PEM =
      ""
          + "-----BEGIN CERTIFICATE-----\n"
          + "MIIBpDCCAUmgAwIBAgIULiUkD0sNPdRbKZ81a9gFO5YV0oswCgYIKoZIzj0EAwIw\n"
          + "JzElMCMGA1UEAwwcdGltLWhlYWRsZXNzIHN0YXJ0ZXIgdGVzdCBDQTAeFw0yNjEy\n"
          + "MDQxMDA0MDVaFw0zNjEyMDExMDA0MDVaMCcxJTAjBgNVBAMMHHRpbS1oZWFkbGVz\n"
          + "cyBzdGFydGVyIHRlc3QgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQU4rtc\n"
          + "iJADfiPZm1B3Q72QjCQdGvF26IbQYAV85aaEHo/PTNSnM8F2uTEgtyNev0z8vBgq\n"
          + "jHW01yICSA+yh36/o1MwUTAdBgNVHQ4EFgQULVx4sz+eFkgRiu3hE7NjEP7eoCIw\n"
          + "HwYDVR0jBBgwFoAULVx4sz+eFkgRiu3hE7NjEP7eoCIwDwYDVR0TAQH/BAUwAwEB\n"
          + "/zAKBggqhkjOPQQDAgNJADBGAiEA+M3NJW4fLHLM64pf+nhSxovDYn4FMv3/H8VY\n"
          + "1H5jENECIQDIo0ZdekLha3zZ7KXbXfoxCt5dRDUV4fj7THTGpWnVaw==\n"
          + "-----END CERTIFICATE-----\n";

  private TestCertificates() {}
}
