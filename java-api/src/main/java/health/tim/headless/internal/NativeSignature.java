package health.tim.headless.internal;

import health.tim.headless.NativeLibraryException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Checks the native library against its signed manifest before it is loaded, so that only a library
 * built and signed by us runs in the client's process.
 *
 * <p>The manifest ({@code <library>.manifest} beside the library in the jar) names the version,
 * platform, file name, SHA-256 and signing key of the library; {@code <library>.sig} holds an
 * Ed25519 signature over the manifest's bytes. The public keys accepted are built into the jar
 * ({@value #TRUSTED_KEYS_RESOURCE}). Builds from the repository are signed with the key named
 * {@value #DEVELOPMENT_KEY}, which the loader reports as such.
 */
final class NativeSignature {
  /** The name of the key that development builds are signed with. */
  static final String DEVELOPMENT_KEY = "development";

  static final String TRUSTED_KEYS_RESOURCE =
      "/health/tim/headless/native/trusted-signing-keys.properties";
  private static final String HEADER = "tim-headless native manifest v1";

  private NativeSignature() {}

  /**
   * Checks a manifest and its signature against the library's expected identity.
   *
   * @param manifest the manifest's bytes
   * @param signature the signature, base64
   * @param trustedKeys the accepted public keys by name
   * @param version the version the jar expects
   * @param platform the platform folder of the library
   * @param fileName the library's file name
   * @param sha256 the SHA-256 of the library as it will be loaded, lower-case hex
   * @return the name of the key that signed it
   * @throws NativeLibraryException if the signature does not verify with a trusted key or the
   *     manifest does not describe this library
   */
  static String verify(
      byte[] manifest,
      String signature,
      Map<String, PublicKey> trustedKeys,
      String version,
      String platform,
      String fileName,
      String sha256) {
    Map<String, String> fields = parse(manifest);
    String keyName = fields.getOrDefault("key", "");
    PublicKey key = trustedKeys.get(keyName);
    if (key == null) {
      throw refused("it is signed with a key this jar does not trust");
    }
    if (!signatureValid(key, manifest, signature)) {
      throw refused("its manifest's signature does not verify");
    }
    if (!version.equals(fields.get("version"))
        || !platform.equals(fields.get("platform"))
        || !fileName.equals(fields.get("file"))) {
      throw refused("its manifest describes another build");
    }
    if (!sha256.equals(fields.get("sha256"))) {
      throw refused("it is not the library its manifest describes (SHA-256 differs)");
    }
    return keyName;
  }

  /** The public keys built into the jar, by name. */
  static Map<String, PublicKey> trustedKeys() {
    Properties properties = new Properties();
    try (InputStream in = NativeSignature.class.getResourceAsStream(TRUSTED_KEYS_RESOURCE)) {
      if (in == null) {
        throw refused("the jar lists no trusted signing keys");
      }
      properties.load(in);
      Map<String, PublicKey> keys = new HashMap<>();
      KeyFactory factory = KeyFactory.getInstance("Ed25519");
      for (String name : properties.stringPropertyNames()) {
        byte[] encoded = Base64.getDecoder().decode(properties.getProperty(name).trim());
        keys.put(name, factory.generatePublic(new X509EncodedKeySpec(encoded)));
      }
      return Map.copyOf(keys);
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      throw new NativeLibraryException("the jar's trusted signing keys cannot be read", e);
    }
  }

  private static Map<String, String> parse(byte[] manifest) {
    String[] lines = new String(manifest, StandardCharsets.UTF_8).split("\n");
    if (lines.length == 0 || !lines[0].equals(HEADER)) {
      throw refused("its manifest is malformed");
    }
    Map<String, String> fields = new HashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int equals = lines[i].indexOf('=');
      if (equals < 1
          || fields.put(lines[i].substring(0, equals), lines[i].substring(equals + 1)) != null) {
        throw refused("its manifest is malformed");
      }
    }
    return fields;
  }

  private static boolean signatureValid(PublicKey key, byte[] manifest, String signature) {
    try {
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(key);
      verifier.update(manifest);
      return verifier.verify(Base64.getDecoder().decode(signature.trim()));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  private static NativeLibraryException refused(String reason) {
    return new NativeLibraryException("the native library is refused: " + reason, null);
  }
}
