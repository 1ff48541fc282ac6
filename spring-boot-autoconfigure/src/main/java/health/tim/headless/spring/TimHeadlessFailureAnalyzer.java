package health.tim.headless.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a start-up that failed on a tim-headless property: the property and the fix. */
public class TimHeadlessFailureAnalyzer
    extends AbstractFailureAnalyzer<TimHeadlessPropertyException> {
  /** Creates the analyzer; Spring Boot does, through {@code spring.factories}. */
  public TimHeadlessFailureAnalyzer() {}

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, TimHeadlessPropertyException cause) {
    return new FailureAnalysis(
        "The tim-headless property '" + cause.property() + "' is not usable: " + cause.problem(),
        cause.fix(),
        cause);
  }
}
