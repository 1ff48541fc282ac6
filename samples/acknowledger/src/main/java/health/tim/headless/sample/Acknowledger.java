package health.tim.headless.sample;

import health.tim.headless.CaseReference;
import health.tim.headless.ClientEvent;
import health.tim.headless.HeadlessClient;
import health.tim.headless.InviteEvent;
import health.tim.headless.MessageEvent;
import health.tim.headless.TimException;
import health.tim.headless.spring.TimEventListener;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Joins each chat it is invited to, links it to a new case of the (imagined) hospital system, and
 * answers each message of another user with an acknowledgement that names the case.
 */
@Component
public class Acknowledger implements TimEventListener {
  /** The case numbering of the imagined hospital information system. */
  static final String CASE_SYSTEM = "urn:example:kis:fall";

  private static final Logger LOG = LoggerFactory.getLogger(Acknowledger.class);

  private final AtomicInteger nextCase = new AtomicInteger(1);

  /** Created by Spring. */
  public Acknowledger() {}

  @Override
  public void onEvent(String account, HeadlessClient client, ClientEvent event) {
    try {
      if (event instanceof InviteEvent invite) {
        client.joinRoom(invite.roomId()).join();
        CaseReference reference =
            CaseReference.of(CASE_SYSTEM, String.format("FALL-%05d", nextCase.getAndIncrement()));
        client.linkCase(invite.roomId(), reference);
        LOG.info("joined a chat and linked it to a new case");
      } else if (event instanceof MessageEvent message && !isOwn(client, message)) {
        String caseNumber =
            client.caseReferences(message.roomId()).stream()
                .filter(reference -> reference.system().equals(CASE_SYSTEM))
                .map(CaseReference::value)
                .findFirst()
                .orElse("ohne Fall");
        client.sendText(message.roomId(), "Eingang bestätigt (" + caseNumber + ")").join();
      }
    } catch (TimException | java.util.concurrent.CompletionException e) {
      // The next event is handled all the same; the code says what went wrong.
      LOG.warn("an event could not be handled: {}", e.getClass().getSimpleName());
    }
  }

  private static boolean isOwn(HeadlessClient client, MessageEvent message) {
    return client.session().map(session -> session.userId().equals(message.sender())).orElse(true);
  }
}
