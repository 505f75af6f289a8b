package dev.orca.agent.compose;

import java.time.Duration;
import java.util.Set;

/**
 * What an application's settings and its command change about a deployment: the policy rules an
 * admin allowed for it ({@link ComposePolicy#RULES}), how long to wait for readiness after compose
 * up (null: until the deadline), whether to pull the services' images first (an image update) and
 * then remove the images the recreated containers ran before.
 */
public record DeployOptions(Set<String> allowedPolicyRules, Duration readinessTimeout, boolean pullImages,
    boolean removeSupersededImages) {

  public static final DeployOptions NONE = new DeployOptions(Set.of(), null);

  public DeployOptions(Set<String> allowedPolicyRules, Duration readinessTimeout) {
    this(allowedPolicyRules, readinessTimeout, false, false);
  }

  /** These options for an image update. */
  public DeployOptions pullingImages(boolean removeSuperseded) {
    return new DeployOptions(allowedPolicyRules, readinessTimeout, true, removeSuperseded);
  }

  public DeployOptions {
    allowedPolicyRules = Set.copyOf(allowedPolicyRules);
    if (readinessTimeout != null && (readinessTimeout.isNegative() || readinessTimeout.isZero())) {
      readinessTimeout = null;
    }
  }
}
