package health.tim.headless.spring;

/**
 * A tim-headless property that does not allow a client to start: which property, what is wrong, and
 * how to fix it. {@link TimHeadlessFailureAnalyzer} shows it at start-up. The message never
 * contains the property's value.
 */
public class TimHeadlessPropertyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String property;
  private final String problem;
  private final String fix;

  /**
   * Creates the exception.
   *
   * @param property the full property name, such as {@code tim.headless.store-directory}
   * @param problem what is wrong with it
   * @param fix what to do
   */
  public TimHeadlessPropertyException(String property, String problem, String fix) {
    super(property + ": " + problem);
    this.property = property;
    this.problem = problem;
    this.fix = fix;
  }

  /**
   * The property.
   *
   * @return its full name
   */
  public String property() {
    return property;
  }

  /**
   * What is wrong.
   *
   * @return the problem
   */
  public String problem() {
    return problem;
  }

  /**
   * What to do.
   *
   * @return the fix
   */
  public String fix() {
    return fix;
  }
}
