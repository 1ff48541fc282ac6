package health.tim.headless;

import java.time.Instant;
import java.util.List;

/**
 * The counts of the structured-data client report (gematik's {@code TIMessengerClientReport}): how
 * many structured-data events of each procedure ("Fachverfahren") the client sent and received
 * since the last report the endpoint accepted. See {@link HeadlessClient#sendClientReport()}.
 *
 * @param start when the counting began
 * @param sent the events sent, per procedure and version
 * @param received the events received, per procedure and version
 */
public record ClientReport(Instant start, List<Count> sent, List<Count> received) {
  /**
   * One procedure and version with its count.
   *
   * @param procedure the procedure: the event type of a structured-data event without its trailing
   *     {@code .v<N>}, or for a {@code de.gematik.fhir} event the URL of its {@code
   *     StructureDefinition}
   * @param version the {@code v<N>} of the event type, the {@code StructureDefinition}'s version,
   *     or empty when there is none
   * @param count the events since the last accepted report
   */
  public record Count(String procedure, String version, long count) {
    /**
     * Creates a count.
     *
     * @param procedure see the record component
     * @param version see the record component
     * @param count see the record component
     * @throws InvalidArgumentException if {@code procedure} or {@code version} is {@code null}
     */
    public Count {
      Arguments.required(procedure, "procedure");
      Arguments.required(version, "version");
    }
  }

  /**
   * Creates a report.
   *
   * @param start see the record component
   * @param sent see the record component
   * @param received see the record component
   * @throws InvalidArgumentException if a component is {@code null}
   */
  public ClientReport {
    Arguments.required(start, "start");
    sent = Arguments.listOf(sent, "sent");
    received = Arguments.listOf(received, "received");
  }
}
