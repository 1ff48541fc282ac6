package health.tim.headless.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves native log records into SLF4J on one daemon thread. Each record goes to the logger named
 * after its Rust target ({@code matrix_sdk::sync} logs as {@code matrix_sdk.sync}), so that the
 * usual logging configuration controls native output too.
 */
final class NativeLogPump implements Runnable {
  private static final Logger PUMP_LOG = LoggerFactory.getLogger(NativeLogPump.class);
  private static final int WAIT_MILLIS = 1000;
  private static final int BATCH = 256;

  static void start() {
    Thread thread = new Thread(new NativeLogPump(), "tim-headless-native-log");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void run() {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        for (NativeLogRecord record : NativeBridge.nextLogRecords(WAIT_MILLIS, BATCH)) {
          forward(record);
        }
        long dropped = NativeBridge.droppedLogRecords();
        if (dropped > 0) {
          PUMP_LOG.warn("{} native log records were dropped because the queue was full", dropped);
        }
      } catch (RuntimeException e) {
        // Logging must never take the client down; report once and keep pumping.
        PUMP_LOG.warn("native log records could not be read: {}", e.toString());
        sleepQuietly();
      }
    }
  }

  private static void forward(NativeLogRecord record) {
    Logger logger = LoggerFactory.getLogger(record.target().replace("::", "."));
    switch (record.level()) {
      case 1 -> logger.error("{}", record.message());
      case 2 -> logger.warn("{}", record.message());
      case 3 -> logger.info("{}", record.message());
      default -> logger.debug("{}", record.message());
    }
  }

  private static void sleepQuietly() {
    try {
      Thread.sleep(WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
