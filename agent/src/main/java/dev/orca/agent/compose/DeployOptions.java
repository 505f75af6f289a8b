package dev.orca.agent.compose;

import java.time.Duration;
import java.util.Set;

/**
 * What an application's settings change about its deployment: the policy rules an admin allowed
 * for it ({@link ComposePolicy#RULES}) and how long to wait for readiness after compose up (null:
 * until the deadline).
 */
public record DeployOptions(Set<String> allowedPolicyRules, Duration readinessTimeout) {

  public static final DeployOptions NONE = new DeployOptions(Set.of(), null);

  public DeployOptions {
    allowedPolicyRules = Set.copyOf(allowedPolicyRules);
    if (readinessTimeout != null && (readinessTimeout.isNegative() || readinessTimeout.isZero())) {
      readinessTimeout = null;
    }
  }
}
