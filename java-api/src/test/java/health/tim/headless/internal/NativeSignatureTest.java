package health.tim.headless.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import health.tim.headless.NativeLibraryException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Only a library that matches a manifest signed with a trusted key is accepted. */
class NativeSignatureTest {
  private static final String SHA = "ab".repeat(32);

  @Test
  void theJarsOwnLibraryIsDevelopmentSigned() {
    NativeLoader.ensureLoaded();
    assertThat(NativeLoader.signingKey()).isEqualTo(NativeSignature.DEVELOPMENT_KEY);
  }

  @Test
  void theJarsLibraryVerifiesAndTheSameLibraryWithOneByteChangedIsRefused() throws Exception {
    String folder = "/health/tim/headless/native/" + NativeLoader.platform() + "/";
    String file = System.mapLibraryName("tim_headless_jni");
    byte[] library = resource(folder + file);
    byte[] manifest = resource(folder + file + ".manifest");
    String signature = new String(resource(folder + file + ".sig"), StandardCharsets.US_ASCII);
    String version = new String(manifest, StandardCharsets.UTF_8).split("\n")[1].substring(8);
    Map<String, PublicKey> trusted = NativeSignature.trustedKeys();

    assertThat(
            NativeSignature.verify(
                manifest, signature, trusted, version, NativeLoader.platform(), file, sha(library)))
        .isEqualTo(NativeSignature.DEVELOPMENT_KEY);
    library[library.length / 2] ^= 1;
    assertThatThrownBy(
            () ->
                NativeSignature.verify(
                    manifest,
                    signature,
                    trusted,
                    version,
                    NativeLoader.platform(),
                    file,
                    sha(library)))
        .isInstanceOf(NativeLibraryException.class)
        .hasMessageContaining("SHA-256 differs");
  }

  @Test
  void aMatchingManifestSignedWithATrustedKeyIsAccepted() throws Exception {
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] manifest = manifest("release", SHA);
    String keyName =
        NativeSignature.verify(
            manifest,
            sign(pair, manifest),
            Map.of("release", pair.getPublic()),
            "1.0",
            "linux-x86_64",
            "lib.so",
            SHA);
    assertThat(keyName).isEqualTo("release");
  }

  @Test
  void aModifiedLibraryAManipulatedManifestOrAnUnknownKeyIsRefused() throws Exception {
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    KeyPair other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    Map<String, PublicKey> trusted = Map.of("release", pair.getPublic());
    byte[] manifest = manifest("release", SHA);
    String signature = sign(pair, manifest);

    // A library whose bytes differ from the signed hash
    assertRefused(manifest, signature, trusted, "cd".repeat(32), "SHA-256 differs");
    // A manifest changed after signing
    byte[] edited = manifest("release", "cd".repeat(32));
    assertRefused(edited, signature, trusted, "cd".repeat(32), "signature does not verify");
    // A manifest signed with a key the jar does not trust, or naming none it knows
    assertRefused(manifest, sign(other, manifest), trusted, SHA, "signature does not verify");
    byte[] unknownKey = manifest("someone", SHA);
    assertRefused(unknownKey, sign(pair, unknownKey), trusted, SHA, "does not trust");
    // A garbled signature or manifest
    assertRefused(manifest, "not base64!", trusted, SHA, "signature does not verify");
    byte[] garbled = "hello".getBytes(StandardCharsets.UTF_8);
    assertRefused(garbled, sign(pair, garbled), trusted, SHA, "malformed");
  }

  @Test
  void aSignedManifestOfAnotherBuildIsRefused() throws Exception {
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] manifest = manifest("release", SHA);
    assertThatThrownBy(
            () ->
                NativeSignature.verify(
                    manifest,
                    sign(pair, manifest),
                    Map.of("release", pair.getPublic()),
                    "2.0",
                    "linux-x86_64",
                    "lib.so",
                    SHA))
        .isInstanceOf(NativeLibraryException.class)
        .hasMessageContaining("another build");
  }

  private static void assertRefused(
      byte[] manifest, String signature, Map<String, PublicKey> trusted, String sha, String why) {
    assertThatThrownBy(
            () ->
                NativeSignature.verify(
                    manifest, signature, trusted, "1.0", "linux-x86_64", "lib.so", sha))
        .isInstanceOf(NativeLibraryException.class)
        .hasMessageStartingWith("the native library is refused")
        .hasMessageContaining(why);
  }

  private static byte[] resource(String name) throws java.io.IOException {
    try (java.io.InputStream in = NativeSignatureTest.class.getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }

  private static String sha(byte[] bytes) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static byte[] manifest(String key, String sha) {
    return ("tim-headless native manifest v1\nversion=1.0\nplatform=linux-x86_64\nfile=lib.so\n"
            + "sha256="
            + sha
            + "\nkey="
            + key
            + "\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static String sign(KeyPair pair, byte[] manifest) throws Exception {
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(pair.getPrivate());
    signer.update(manifest);
    return Base64.getEncoder().encodeToString(signer.sign());
  }
}
