package dev.orca.dispatch.state;

import dev.orca.dispatch.avro.ApplicationState;
import dev.orca.dispatch.avro.Deployment;
import dev.orca.schemas.avro.DeployReason;
import dev.orca.schemas.avro.DeploymentChanged;
import dev.orca.schemas.avro.DeploymentState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Operations on the deployments of one {@link ApplicationState} shared by deploys and removals. */
public final class Deployments {

  /** How many finished deployments are kept so that late results can still be recorded. */
  static final int HISTORY_SIZE = 10;

  private Deployments() {}

  public static ApplicationState newState(String applicationId, String agentId) {
    return ApplicationState.newBuilder()
        .setApplicationId(applicationId)
        .setAgentId(agentId)
        .setGeneration(0)
        .setHistory(new ArrayList<>())
        .setHandoverRemovals(new ArrayList<>())
        .build();
  }

  /** The compose project of an application on its agent. */
  public static String project(String applicationId) {
    return "orca-" + applicationId.toLowerCase(Locale.ROOT);
  }

  public static boolean inFlight(Deployment deployment) {
    return deployment != null && DeploymentState.IN_PROGRESS.name().equals(deployment.getState());
  }

  public static DeploymentState stateOf(Deployment deployment) {
    return DeploymentState.valueOf(deployment.getState());
  }

  /** Marks the in-flight deployment, if any, SUPERSEDED; it stays current until {@link #archiveCurrent}. */
  public static void supersedeInFlight(ApplicationState state, Instant now, Effects effects) {
    supersedeInFlight(state, null, now, effects);
  }

  /** Like {@link #supersedeInFlight(ApplicationState, Instant, Effects)} with a reason as its error; returns it. */
  public static Optional<Deployment> supersedeInFlight(ApplicationState state, String reason, Instant now, Effects effects) {
    Deployment current = state.getCurrent();
    if (!inFlight(current)) {
      return Optional.empty();
    }
    finish(current, DeploymentState.SUPERSEDED, reason, now);
    effects.status(changed(state.getApplicationId(), current, now));
    return Optional.of(current);
  }

  /** Moves the current deployment into the bounded history, without its compose file. */
  public static void archiveCurrent(ApplicationState state) {
    Deployment current = state.getCurrent();
    if (current == null) {
      return;
    }
    current.setCompose(null);
    List<Deployment> history = new ArrayList<>(state.getHistory());
    history.add(0, current);
    while (history.size() > HISTORY_SIZE) {
      history.remove(history.size() - 1);
    }
    state.setHistory(history);
    state.setCurrent(null);
  }

  public static Optional<Deployment> inHistory(ApplicationState state, String deploymentId) {
    return state.getHistory().stream().filter(d -> d.getDeploymentId().equals(deploymentId)).findFirst();
  }

  public static void finish(Deployment deployment, DeploymentState outcome, String error, Instant now) {
    deployment.setState(outcome.name());
    deployment.setError(error);
    deployment.setEndedAt(now);
  }

  /** The full DeploymentChanged for a deployment as it is now. */
  public static DeploymentChanged changed(String applicationId, Deployment d, Instant now) {
    return DeploymentChanged.newBuilder()
        .setDeploymentId(d.getDeploymentId())
        .setApplicationId(applicationId)
        .setAgentId(d.getAgentId())
        .setGeneration(d.getGeneration())
        .setReason(DeployReason.valueOf(d.getReason()))
        .setActor(d.getActor())
        .setCommit(d.getCommit())
        .setDigest(d.getDigest())
        .setState(stateOf(d))
        .setError(d.getError())
        .setStartedAt(d.getStartedAt())
        .setEndedAt(d.getEndedAt())
        .setDeadline(d.getDeadline())
        .setAt(now)
        .build();
  }
}
