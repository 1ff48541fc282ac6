/**
 * tim-headless, a headless TI-Messenger Pro client.
 *
 * <p>Only {@code health.tim.headless} is exported; the loader and the native declarations in {@code
 * health.tim.headless.internal} stay inside the module.
 */
module health.tim.headless {
  requires org.slf4j;

  exports health.tim.headless;
}
