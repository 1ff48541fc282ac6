package health.tim.headless.testdriver;

import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made for one test run: the driver's CA, the driver's server certificate, a client
 * certificate of that CA, and a client certificate of a second, unrelated CA.
 */
final class TestCertificates {
  static final char[] PASSWORD = "test-run-only".toCharArray();

  final Path serverKeyStore;
  final Path trustStore;
  final SSLContext trustedClient;
  final SSLContext foreignClient;
  final SSLContext withoutClientCertificate;

  private TestCertificates(Path directory) throws Exception {
    KeyPair caKeys = keys();
    X509Certificate ca =
        certificate("CN=Test Driver CA", caKeys, "CN=Test Driver CA", caKeys, true);
    KeyPair serverKeys = keys();
    X509Certificate server =
        certificate("CN=localhost", serverKeys, "CN=Test Driver CA", caKeys, false);
    KeyPair clientKeys = keys();
    X509Certificate client =
        certificate("CN=Test Suite", clientKeys, "CN=Test Driver CA", caKeys, false);
    KeyPair foreignCaKeys = keys();
    KeyPair foreignKeys = keys();
    X509Certificate foreign =
        certificate("CN=Intruder", foreignKeys, "CN=Other CA", foreignCaKeys, false);

    serverKeyStore = directory.resolve("server.p12");
    save(keyStore(serverKeys.getPrivate(), server, ca), serverKeyStore);
    trustStore = directory.resolve("trust.p12");
    save(trustStoreOf(ca), trustStore);
    KeyStore trustCa = trustStoreOf(ca);
    trustedClient = context(keyStore(clientKeys.getPrivate(), client, ca), trustCa);
    foreignClient = context(keyStore(foreignKeys.getPrivate(), foreign, foreign), trustCa);
    withoutClientCertificate = context(null, trustCa);
  }

  static TestCertificates create(Path directory) {
    try {
      return new TestCertificates(directory);
    } catch (Exception e) {
      throw new IllegalStateException("test certificates could not be made", e);
    }
  }

  private static KeyPair keys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static X509Certificate certificate(
      String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys, boolean isCa)
      throws Exception {
    Instant now = Instant.now();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            new X500Name(issuer),
            new BigInteger(64, new SecureRandom()),
            Date.from(now.minus(Duration.ofMinutes(5))),
            Date.from(now.plus(Duration.ofDays(1))),
            new X500Name(subject),
            subjectKeys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
    if (!isCa) {
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")
              }));
    }
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
  }

  private static KeyStore keyStore(PrivateKey key, X509Certificate leaf, X509Certificate issuer)
      throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    Certificate[] chain =
        leaf.equals(issuer) ? new Certificate[] {leaf} : new Certificate[] {leaf, issuer};
    store.setKeyEntry("key", key, PASSWORD, chain);
    return store;
  }

  private static KeyStore trustStoreOf(X509Certificate ca) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry("ca", ca);
    return store;
  }

  private static void save(KeyStore store, Path file) throws Exception {
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, PASSWORD);
    }
  }

  private static SSLContext context(KeyStore keys, KeyStore trusted) throws Exception {
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    KeyManagerFactory keyManagers = null;
    if (keys != null) {
      keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keys, PASSWORD);
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(
        keyManagers == null ? null : keyManagers.getKeyManagers(), trust.getTrustManagers(), null);
    return context;
  }
}
