package health.tim.headless.testdriver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Only a client certificate of the configured CA gets an answer. */
class MutualTlsTest {
  private static DriverUnderTest driver;

  @BeforeAll
  static void start() {
    driver = DriverUnderTest.get();
  }

  @Test
  void answersAClientCertificateOfTheConfiguredCa() throws Exception {
    assertThat(statusWith(driver.certificates.trustedClient)).isEqualTo(200);
  }

  @Test
  void refusesAClientCertificateOfAnotherCa() {
    assertThatThrownBy(() -> statusWith(driver.certificates.foreignClient))
        .isInstanceOf(IOException.class);
  }

  @Test
  void refusesAClientWithoutCertificate() {
    assertThatThrownBy(() -> statusWith(driver.certificates.withoutClientCertificate))
        .isInstanceOf(IOException.class);
  }

  private static int statusWith(SSLContext context) throws IOException, InterruptedException {
    HttpClient client = DriverUnderTest.client(context);
    HttpRequest request = HttpRequest.newBuilder(driver.base.resolve("/devices")).GET().build();
    return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
