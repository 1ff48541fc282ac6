/**
 * The Java API of tim-headless, a headless TI-Messenger Pro client: {@link
 * health.tim.headless.HeadlessClient} and the records and exceptions it uses.
 *
 * <p>Every exception is a {@link health.tim.headless.TimException} with a stable {@link
 * health.tim.headless.ErrorCode}. No method returns key material, tokens or passphrases.
 */
package health.tim.headless;
