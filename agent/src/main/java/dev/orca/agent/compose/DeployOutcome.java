package dev.orca.agent.compose;

import dev.orca.schemas.avro.FailureKind;
import dev.orca.schemas.avro.HealthStatus;
import java.util.List;

/** How one deploy ended: success, or a COMPOSE (stack broken) or TRANSPORT (host) failure. */
public record DeployOutcome(boolean success, FailureKind failureKind, String error, HealthStatus health,
    List<Container> containers, boolean stackUnchanged) {

  /** How an image update that could pull no image and so changed nothing fails. */
  public static final String NO_IMAGE_CHANGED = "no image changed: ";

  public DeployOutcome {
    containers = List.copyOf(containers);
  }

  public DeployOutcome(boolean success, FailureKind failureKind, String error, HealthStatus health,
      List<Container> containers) {
    this(success, failureKind, error, health, containers, false);
  }

  /**
   * A failure that left the stack exactly as the last deployment did (an image update that
   * could pull nothing): what that deployment established, its drift baseline and image checks,
   * still holds.
   */
  public static DeployOutcome unchangedFailure(String error, HealthStatus health, List<Container> containers) {
    return new DeployOutcome(false, FailureKind.COMPOSE, error, health, containers, true);
  }

  public static DeployOutcome ready(List<Container> containers) {
    return new DeployOutcome(true, FailureKind.NONE, null, HealthStatus.HEALTHY, containers);
  }

  public static DeployOutcome composeFailure(String error, HealthStatus health, List<Container> containers) {
    return new DeployOutcome(false, FailureKind.COMPOSE, error, health, containers);
  }

  /** The host could not try: the containers' health is not known from this attempt. */
  public static DeployOutcome transportFailure(String error) {
    return new DeployOutcome(false, FailureKind.TRANSPORT, error, HealthStatus.UNKNOWN, List.of());
  }
}
