package health.tim.headless;

/**
 * The homeserver refused an invitation (HTTP 403). With TI-M this is, as a rule, the invitee's
 * permission configuration, which the invitee's Fachdienst enforces; it may also be this account's
 * missing right to invite in the room. Code {@link ErrorCode#INVITE_REFUSED}. When it comes from
 * {@link HeadlessClient#createRoom}, the new room has been left and forgotten again.
 */
public class InviteRefusedException extends HomeserverException {
  private static final long serialVersionUID = 1L;

  // Called by native code.
  InviteRefusedException(String code, String message, int status, String errcode) {
    super(code, message, status, errcode);
  }
}
