import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Build step: writes the signed manifest of the native library that the jar packs.
 *
 * <p>Arguments: the packed library, the version, the platform folder name, the signing key's
 * name, and the file holding the Ed25519 private key (PKCS#8, base64, lines starting with # are
 * comments). Writes {@code <library>.manifest} (version, platform, file name, SHA-256, key name)
 * and {@code <library>.sig} (base64 Ed25519 signature over the manifest's bytes) next to the
 * library. The loader checks both before it loads the library.
 */
public final class SignNative {
  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: SignNative <library> <version> <platform> <key name> <key file>");
      System.exit(2);
    }
    Path library = Path.of(args[0]);
    String manifest =
        "tim-headless native manifest v1\n"
            + "version="
            // The version the native crates carry: development builds are its SNAPSHOTs.
            + args[1].replace("-SNAPSHOT", "")
            + "\nplatform="
            + args[2]
            + "\nfile="
            + library.getFileName()
            + "\nsha256="
            + HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(library)))
            + "\nkey="
            + args[3]
            + "\n";
    byte[] manifestBytes = manifest.getBytes(StandardCharsets.UTF_8);

    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(privateKey(Path.of(args[4])));
    signer.update(manifestBytes);
    String signature = Base64.getEncoder().encodeToString(signer.sign());

    Files.write(Path.of(library + ".manifest"), manifestBytes);
    Files.writeString(Path.of(library + ".sig"), signature + "\n", StandardCharsets.US_ASCII);
  }

  private static PrivateKey privateKey(Path file) throws Exception {
    List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    String encoded =
        String.join("", lines.stream().filter(line -> !line.startsWith("#")).toList()).trim();
    return KeyFactory.getInstance("Ed25519")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(encoded)));
  }
}
