package health.tim.headless.testdriver;

import static health.tim.headless.testdriver.InterfaceSchema.assertValid;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The schema check that the HTTP tests rely on accepts what the YAML allows, and only that. */
class InterfaceSchemaTest {

  @Test
  void acceptsAnErrorObjectForASharedErrorResponse() {
    assertThatCode(
            () ->
                assertValid(
                    "GET",
                    "/devices/{deviceId}/rooms",
                    404,
                    "{\"errorCode\":\"M_NOT_FOUND\",\"errorMessage\":\"no such room\"}"))
        .doesNotThrowAnyException();
  }

  @Test
  void refusesAnErrorObjectWithoutItsCode() {
    assertThatThrownBy(
            () ->
                assertValid(
                    "GET", "/devices/{deviceId}/rooms", 404, "{\"errorMessage\":\"no room\"}"))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void refusesARoomWithAnUnknownMembershipState() {
    String room =
        "[{\"name\":\"x\",\"members\":[{\"mxid\":\"@a:b\",\"membershipState\":\"gone\"}]}]";
    assertThatThrownBy(() -> assertValid("GET", "/devices/{deviceId}/rooms", 200, room))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void refusesADeviceWithoutClaimedUntil() {
    String devices =
        "{\"devices\":[{\"deviceId\":0,\"deviceName\":\"d\",\"deviceStatus\":\"free\","
            + "\"claimerName\":\"\"}]}";
    assertThatThrownBy(() -> assertValid("GET", "/devices", 200, devices))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void usesTheDefaultResponseForAStatusTheOperationDoesNotList() {
    assertThatCode(
            () ->
                assertValid(
                    "GET",
                    "/devices/{deviceId}/account/key",
                    501,
                    "{\"errorCode\":\"NOT_IMPLEMENTED\",\"errorMessage\":\"not offered\"}"))
        .doesNotThrowAnyException();
  }
}
