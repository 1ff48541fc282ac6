package health.tim.headless.spring;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when at most one account is configured: none in the list, or exactly one. */
class OnSingleAccountCondition implements Condition {
  @Override
  public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
    int accounts =
        Binder.get(context.getEnvironment())
            .bind(
                TimHeadlessProperties.PREFIX + ".accounts",
                Bindable.listOf(TimHeadlessProperties.Account.class))
            .map(java.util.List::size)
            .orElse(0);
    return accounts <= 1;
  }
}
