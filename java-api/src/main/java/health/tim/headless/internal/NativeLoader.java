package health.tim.headless.internal;

import health.tim.headless.NativeLibraryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the native library for this platform inside the jar, extracts it, checks it against its
 * signed manifest ({@link NativeSignature}), loads it once and checks that it is the version this
 * jar was built with.
 *
 * <p>The library ships as {@code health/tim/headless/native/<os>-<arch>/<file>}. It is extracted
 * into the directory named by the system property {@value #EXTRACT_DIR_PROPERTY} (servers often
 * mount {@code /tmp} without exec rights), or else into a new private temporary directory. The file
 * name carries the library's SHA-256, so that differing builds never overwrite each other in a
 * shared directory.
 */
public final class NativeLoader {
  /** System property naming the directory the native library is extracted into. */
  public static final String EXTRACT_DIR_PROPERTY = "tim.headless.native.dir";

  /** System property choosing native log verbosity: error, warn, info (default) or debug. */
  public static final String LOG_LEVEL_PROPERTY = "tim.headless.native.log.level";

  private static final String LIBRARY_NAME = "tim_headless_jni";
  private static final Object LOCK = new Object();
  private static final Logger LOG = LoggerFactory.getLogger(NativeLoader.class);
  private static boolean loaded;
  private static String signingKey;
  private static NativeLibraryException failure;

  private NativeLoader() {}

  /**
   * Loads the native library unless it is loaded already.
   *
   * @throws NativeLibraryException if there is no library for this platform, it cannot be extracted
   *     or loaded, or its version differs from the jar's; every later call throws the same failure
   *     again
   */
  public static void ensureLoaded() {
    synchronized (LOCK) {
      if (loaded) {
        return;
      }
      if (failure != null) {
        throw failure;
      }
      try {
        load();
        loaded = true;
      } catch (NativeLibraryException e) {
        failure = e;
        throw e;
      }
    }
  }

  /**
   * The name of the key the loaded native library was signed with: {@code development} for builds
   * from the repository.
   *
   * @return the key's name, or {@code null} before the library is loaded
   */
  public static String signingKey() {
    synchronized (LOCK) {
      return signingKey;
    }
  }

  private static void load() {
    String platform = platform();
    String fileName = System.mapLibraryName(LIBRARY_NAME);
    String resource = "/health/tim/headless/native/" + platform + "/" + fileName;

    Path library = extract(resource, platform, fileName);
    // The file is hashed again as it lies on disk, just before it is loaded.
    signingKey =
        NativeSignature.verify(
            resourceBytes(resource + ".manifest"),
            new String(resourceBytes(resource + ".sig"), StandardCharsets.US_ASCII),
            NativeSignature.trustedKeys(),
            jarVersion(),
            platform,
            fileName,
            sha256(library));
    if (NativeSignature.DEVELOPMENT_KEY.equals(signingKey)) {
      LOG.warn("the native library is signed with the development key: this is no release build");
    }
    try {
      System.load(library.toString());
    } catch (UnsatisfiedLinkError e) {
      throw new NativeLibraryException(
          "the native library at " + library + " could not be loaded: " + e.getMessage(), e);
    }

    checkVersion(jarVersion(), NativeBridge.nativeVersion());

    NativeBridge.nativeInit(logLevel());
    NativeLogPump.start();
  }

  /** Refuses a native library of another build than this jar's. */
  static void checkVersion(String jarVersion, String nativeVersion) {
    if (!jarVersion.equals(nativeVersion)) {
      throw new NativeLibraryException(
          "the native library reports version "
              + nativeVersion
              + " but this jar is "
              + jarVersion
              + "; use the jar and native library of one build",
          null);
    }
  }

  /** The platform folder name, such as {@code linux-x86_64}. */
  static String platform() {
    return platform(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
  }

  static String platform(String osProperty, String archProperty) {
    String os = osProperty.toLowerCase(Locale.ROOT);
    String arch = archProperty.toLowerCase(Locale.ROOT);

    String osName;
    if (os.contains("linux")) {
      osName = "linux";
    } else if (os.contains("mac") || os.contains("darwin")) {
      osName = "macos";
    } else if (os.contains("windows")) {
      osName = "windows";
    } else {
      osName = os.replaceAll("[^a-z0-9]", "");
    }

    String archName =
        switch (arch) {
          case "amd64", "x86_64" -> "x86_64";
          case "aarch64", "arm64" -> "aarch64";
          default -> arch.replaceAll("[^a-z0-9_]", "");
        };
    return osName + "-" + archName;
  }

  private static Path extract(String resource, String platform, String fileName) {
    try (InputStream in = NativeLoader.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new NativeLibraryException(
            "this jar has no native library for " + platform + "; builds exist for linux-x86_64",
            null);
      }

      Path directory = extractionDirectory();
      Path partial = Files.createTempFile(directory, fileName, ".partial");
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      try (DigestInputStream digesting = new DigestInputStream(in, sha256);
          OutputStream out = Files.newOutputStream(partial)) {
        digesting.transferTo(out);
      }

      String hash = HexFormat.of().formatHex(sha256.digest()).substring(0, 16);
      Path target = directory.resolve(hash + "-" + fileName);
      Files.move(
          partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      target.toFile().deleteOnExit();
      return target;
    } catch (AccessDeniedException e) {
      throw new NativeLibraryException(
          "the native library cannot be extracted into "
              + e.getFile()
              + "; name a writable directory with -D"
              + EXTRACT_DIR_PROPERTY,
          e);
    } catch (IOException e) {
      throw new NativeLibraryException(
          "the native library could not be extracted: " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new NativeLibraryException("this JVM offers no SHA-256", e);
    }
  }

  private static byte[] resourceBytes(String resource) {
    try (InputStream in = NativeLoader.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new NativeLibraryException(
            "the native library is refused: the jar has no signed manifest for it", null);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new NativeLibraryException("the native library's manifest cannot be read", e);
    }
  }

  private static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[64 * 1024];
      int read;
      while ((read = in.read(buffer)) >= 0) {
        digest.update(buffer, 0, read);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new NativeLibraryException("the extracted native library cannot be read", e);
    } catch (NoSuchAlgorithmException e) {
      throw new NativeLibraryException("this JVM offers no SHA-256", e);
    }
  }

  private static Path extractionDirectory() throws IOException {
    String configured = System.getProperty(EXTRACT_DIR_PROPERTY);
    if (configured == null || configured.isBlank()) {
      Path directory = Files.createTempDirectory("tim-headless-");
      directory.toFile().deleteOnExit();
      return directory;
    }
    Path directory = Paths.get(configured);
    Files.createDirectories(directory);
    return directory;
  }

  private static String jarVersion() {
    Properties properties = new Properties();
    try (InputStream in =
        NativeLoader.class.getResourceAsStream("/health/tim/headless/tim-headless.properties")) {
      if (in == null) {
        throw new NativeLibraryException("the jar lacks tim-headless.properties", null);
      }
      properties.load(in);
    } catch (IOException e) {
      throw new NativeLibraryException("tim-headless.properties cannot be read", e);
    }
    // Development builds are SNAPSHOTs of the version the native crates carry.
    return properties.getProperty("version", "unknown").replace("-SNAPSHOT", "");
  }

  private static int logLevel() {
    String level = System.getProperty(LOG_LEVEL_PROPERTY, "info").trim().toLowerCase(Locale.ROOT);
    return switch (level) {
      case "error" -> 1;
      case "warn" -> 2;
      case "debug", "trace" -> 4;
      default -> 3;
    };
  }
}
