package dev.orca.dispatch.deployment;

import static dev.orca.dispatch.state.Deployments.changed;

import dev.orca.dispatch.avro.ApplicationState;
import dev.orca.dispatch.avro.Deployment;
import dev.orca.dispatch.removal.RemovalRules;
import dev.orca.dispatch.state.Deployments;
import dev.orca.dispatch.state.Effects;
import dev.orca.dispatch.state.RemovedMarker;
import dev.orca.schemas.avro.ApplicationStatusChanged;
import dev.orca.schemas.avro.DeployResult;
import dev.orca.schemas.avro.DeploymentState;
import dev.orca.schemas.avro.FailureKind;
import dev.orca.schemas.avro.HealthStatus;
import dev.orca.schemas.avro.SyncStatus;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a deployment with the agent's DeployResult (rule 7). A result for the current deployment
 * sets the application's status, even after a timeout (rule 8); one for an older deployment only
 * corrects its history, except that a deployment superseded by a removal stays SUPERSEDED. Results
 * from an agent the application is not assigned to, or for a removed application, are ignored.
 */
public final class DeployResults {

  private static final Logger log = LoggerFactory.getLogger(DeployResults.class);

  /** Applies a result reported on {@code agentId}'s events topic. */
  public void onResult(ApplicationState state, String agentId, DeployResult result, Instant now, Effects effects) {
    if (state == null || !state.getAgentId().equals(agentId)) {
      log.warn("ignoring result of deployment {} from agent {}: application {} is not assigned to it",
          result.getDeploymentId(), agentId, result.getApplicationId());
      return;
    }
    if (RemovedMarker.isRemoved(state)) {
      log.info("ignoring result of deployment {}: application {} was removed at {}",
          result.getDeploymentId(), state.getApplicationId(), state.getRemovedAt());
      return;
    }
    DeploymentState outcome = result.getSuccess() ? DeploymentState.SUCCEEDED : DeploymentState.FAILED;
    String error = result.getSuccess() ? null : errorOf(result);
    Deployment current = state.getCurrent();
    if (current != null && current.getDeploymentId().equals(result.getDeploymentId())) {
      if (outcome.name().equals(current.getState())) {
        return;
      }
      Deployments.finish(current, outcome, error, now);
      state.setLastFinishedDigest(current.getDigest());
      state.setLastFinishedState(outcome.name());
      if (result.getSuccess()) {
        state.setLastSucceededDigest(current.getDigest());
      }
      effects.status(changed(state.getApplicationId(), current, now));
      effects.status(applicationStatus(state.getApplicationId(), current, result, error, now));
      return;
    }
    Optional<Deployment> older = Deployments.inHistory(state, result.getDeploymentId());
    if (older.isEmpty()) {
      log.warn("ignoring result of unknown deployment {} of application {}",
          result.getDeploymentId(), state.getApplicationId());
      return;
    }
    Deployment deployment = older.get();
    if (supersededByRemoval(deployment)) {
      log.info("recording nothing for result of deployment {} of application {}: a removal superseded it",
          deployment.getDeploymentId(), state.getApplicationId());
      return;
    }
    if (!outcome.name().equals(deployment.getState())) {
      Deployments.finish(deployment, outcome, error, now);
      effects.status(changed(state.getApplicationId(), deployment, now));
    }
  }

  /** The application is going away: its deployment stays SUPERSEDED whatever the agent did. */
  private static boolean supersededByRemoval(Deployment deployment) {
    return DeploymentState.SUPERSEDED.name().equals(deployment.getState())
        && RemovalRules.SUPERSEDED_BY_REMOVAL.equals(deployment.getError());
  }

  private static ApplicationStatusChanged applicationStatus(
      String applicationId, Deployment deployment, DeployResult result, String error, Instant now) {
    ApplicationStatusChanged.Builder status = ApplicationStatusChanged.newBuilder()
        .setApplicationId(applicationId)
        .setDeploymentId(deployment.getDeploymentId())
        .setUpdateLastSyncError(true)
        .setAt(now);
    if (result.getSuccess()) {
      return status.setSyncStatus(SyncStatus.SYNCED)
          .setHealthStatus(result.getHealth())
          .setHealthAt(result.getAt())
          .setLastSyncedAt(now)
          .setLastSyncError(null)
          .setCompose(deployment.getCompose())
          .setComposeDigest(deployment.getDigest())
          .build();
    }
    status.setSyncStatus(SyncStatus.OUT_OF_SYNC).setLastSyncError(error);
    // Only a compose failure says the stack is broken; a transport failure says nothing about it.
    // What is there: unhealthy while failed containers exist, missing when the stack has none.
    if (result.getFailureKind() == FailureKind.COMPOSE) {
      status.setHealthStatus(result.getHealth() == HealthStatus.MISSING ? HealthStatus.MISSING : HealthStatus.UNHEALTHY)
          .setHealthAt(result.getAt());
    }
    return status.build();
  }

  private static String errorOf(DeployResult result) {
    String error = result.getError();
    return error == null || error.isBlank() ? "deployment failed (" + result.getFailureKind() + ")" : error;
  }
}
