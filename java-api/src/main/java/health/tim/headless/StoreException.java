package health.tim.headless;

/**
 * The store cannot be opened or used: wrong passphrase, held by another client, or not a usable
 * directory. Codes {@link ErrorCode#STORE_WRONG_PASSPHRASE}, {@link ErrorCode#STORE_LOCKED} and
 * {@link ErrorCode#STORE_UNUSABLE}.
 */
public class StoreException extends TimException {
  private static final long serialVersionUID = 1L;

  StoreException(ErrorCode code, String message) {
    super(code, message);
  }

  // Called by native code with the name of an ErrorCode.
  StoreException(String code, String message) {
    super(ErrorCode.fromName(code), message);
  }
}
