package health.tim.headless;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a file, image, audio or video message says about its attachment. The key that decrypts the
 * file stays in the native core.
 *
 * @param fileName the file name, if the message gives one apart from its body; may be {@code null}
 * @param mimeType the MIME type the sender declared; may be {@code null}
 * @param size the size in bytes the sender declared, or {@code -1} if it declared none
 * @param encrypted whether the file is end-to-end encrypted ({@code file} object, as TI-M requires)
 *     rather than a plain {@code url}
 */
public record AttachmentInfo(String fileName, String mimeType, long size, boolean encrypted) {
  /**
   * The declared file name.
   *
   * @return the file name, or empty
   */
  public Optional<String> optionalFileName() {
    return Optional.ofNullable(fileName);
  }

  /**
   * The declared MIME type.
   *
   * @return the MIME type, or empty
   */
  public Optional<String> optionalMimeType() {
    return Optional.ofNullable(mimeType);
  }

  /**
   * The declared size.
   *
   * @return the size in bytes, or empty
   */
  public OptionalLong optionalSize() {
    return size < 0 ? OptionalLong.empty() : OptionalLong.of(size);
  }
}
