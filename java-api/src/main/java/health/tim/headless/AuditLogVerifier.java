package health.tim.headless;

import health.tim.headless.internal.NativeBridge;
import health.tim.headless.internal.NativeLoader;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Command-line verifier of a store's audit log, for operators: {@code java -cp tim-headless.jar
 * health.tim.headless.AuditLogVerifier <store directory>}.
 *
 * <p>It reads the store passphrase from the console without echo, or as the first line of standard
 * input when there is no console, and opens only the store's key file: nothing is locked or
 * written, so it can run while a client uses the store. It prints how many entries verified and,
 * for a damaged log, the first broken entry and why. Exit status: 0 for an intact log, 1 for a
 * damaged one, 2 when the log could not be verified (wrong passphrase, no store, bad usage).
 */
public final class AuditLogVerifier {
  private AuditLogVerifier() {}

  /**
   * Runs the verifier.
   *
   * @param args the store directory
   */
  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: AuditLogVerifier <store directory>");
      System.exit(2);
    }
    System.exit(run(Path.of(args[0]), readPassphrase(), System.out, System.err));
  }

  /**
   * Verifies the log of a store and reports on the given streams.
   *
   * @param store the store directory
   * @param passphrase the store passphrase, or {@code null} if none was given; wiped afterwards
   * @param out where the result goes
   * @param err where failures go
   * @return the exit status: 0 intact, 1 damaged, 2 not verified
   */
  static int run(Path store, char[] passphrase, PrintStream out, PrintStream err) {
    if (!Files.isDirectory(store)) {
      err.println("no store directory at " + store);
      return 2;
    }
    if (passphrase == null || passphrase.length == 0) {
      err.println("no store passphrase given");
      return 2;
    }
    try {
      NativeLoader.ensureLoaded();
      AuditVerification result =
          WireReader.auditVerification(NativeBridge.verifyAuditLog(store.toString(), passphrase));
      if (result.intact()) {
        out.println("intact: " + result.verifiedEntries() + " entries verified");
        return 0;
      }
      out.println(
          "damaged: "
              + result.verifiedEntries()
              + " entries verified; entry "
              + result.firstBroken()
              + " is broken: "
              + result.reason());
      return 1;
    } catch (TimException e) {
      err.println("not verified: " + e.code() + ": " + e.getMessage());
      return 2;
    } finally {
      Arrays.fill(passphrase, '\0');
    }
  }

  private static char[] readPassphrase() {
    Console console = System.console();
    if (console != null) {
      return console.readPassword("store passphrase: ");
    }
    try {
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line = in.readLine();
      return line == null ? null : line.toCharArray();
    } catch (IOException e) {
      return null;
    }
  }
}
