package dev.orca.dispatch.deployment;

import static dev.orca.dispatch.state.Deployments.changed;
import static dev.orca.dispatch.state.Deployments.inFlight;

import dev.orca.dispatch.avro.ApplicationState;
import dev.orca.dispatch.avro.Deployment;
import dev.orca.dispatch.avro.PendingRemoval;
import dev.orca.dispatch.removal.RemovalRules;
import dev.orca.dispatch.state.Deployments;
import dev.orca.dispatch.state.Effects;
import dev.orca.dispatch.state.RemovedMarker;
import dev.orca.schemas.avro.ApplicationStatusChanged;
import dev.orca.schemas.avro.DeployCommand;
import dev.orca.schemas.avro.DeployReason;
import dev.orca.schemas.avro.DeployRequested;
import dev.orca.schemas.avro.DeploymentState;
import dev.orca.schemas.avro.SyncStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a DeployRequested into a deployment (or only a recorded commit, rule 5) and times out
 * deployments past their deadline (rule 8). A request naming another agent moves the application:
 * it is deployed there and removed from the old agent. Requests for a removed application are
 * ignored. Results are handled by {@link DeployResults}.
 * Works on one application's state, mutating it in place; never touches Kafka.
 */
public final class DeploymentRules {

  private static final Logger log = LoggerFactory.getLogger(DeploymentRules.class);

  private final Duration deployTimeout;

  public DeploymentRules(Duration deployTimeout) {
    this.deployTimeout = deployTimeout;
  }

  /** Returns the application's state after the request (never null). */
  public ApplicationState onRequested(ApplicationState known, DeployRequested request, Instant now, Effects effects) {
    if (RemovedMarker.isRecent(known, now)) {
      // Sent before sync-stream saw the config tombstone; deploying would bring the stack back.
      log.info("ignoring deploy request {} for application {}: it was removed at {}",
          request.getRequestId(), request.getApplicationId(), known.getRemovedAt());
      return known;
    }
    // A marker a week old belongs to no living application (ids are never reused).
    ApplicationState state = RemovedMarker.isRemoved(known) ? null : known;
    if (state != null && removing(state.getPendingRemoval())) {
      // Deploying now would bring back the stack the agent is tearing down.
      log.warn("ignoring deploy request {} for application {}: a removal is in progress",
          request.getRequestId(), request.getApplicationId());
      return state;
    }
    if (state != null && request.getDeploymentId() != null && isKnown(state, request.getDeploymentId())) {
      // A repeat (a rollback sent again after an import's retried pass): already under way or done.
      log.info("ignoring deploy request {} for application {}: deployment {} is known already",
          request.getRequestId(), request.getApplicationId(), request.getDeploymentId());
      return state;
    }
    if (state != null && state.getPinnedCommit() != null && request.getReason() != DeployReason.ROLLBACK) {
      // Pinned by a rollback: the branch's newest commit is recorded, nothing is deployed. Only a
      // PinReleased ends the pin (the gateway sends it with an unpin, a deploy or a move), so a sync
      // or a deploy asked for before the rollback and arriving after it cannot undo it.
      effects.status(status(request, now)
          .setLatestCommit(request.getCommit())
          .setLatestCommitMessage(request.getCommitMessage())
          .setCommitsBehind(request.getCommit().equals(state.getPinnedCommit()) ? Integer.valueOf(0)
              : request.getCommitsBehind())
          .build());
      return state;
    }
    if (state != null && !movesAgent(state, request) && !request.getComposeChanged() && request.getDeploymentId() == null) {
      Deployment current = state.getCurrent();
      if (inFlight(current) && current.getDigest().equals(request.getDigest())) {
        effects.status(status(request, now).setCommit(request.getCommit())
            .setCommitMessage(request.getCommitMessage()).build());
        return state;
      }
      if (!inFlight(current) && request.getDigest().equals(state.getLastFinishedDigest())
          && DeploymentState.SUCCEEDED.name().equals(state.getLastFinishedState())) {
        effects.status(status(request, now)
            .setSyncStatus(SyncStatus.SYNCED)
            .setCommit(request.getCommit())
            .setCommitMessage(request.getCommitMessage())
            .setLastSyncedAt(now)
            .setUpdateLastSyncError(true)
            .setLastSyncError(null)
            .build());
        return state;
      }
      // Otherwise the digest's last deployment failed, timed out or is unknown: deploy it again.
    }
    return deploy(state, request, now, effects);
  }

  private ApplicationState deploy(ApplicationState known, DeployRequested request, Instant now, Effects effects) {
    String applicationId = request.getApplicationId();
    ApplicationState state = known != null ? known : Deployments.newState(applicationId, request.getAgentId());
    Deployments.supersedeInFlight(state, now, effects);
    Deployments.archiveCurrent(state);
    // Above the history's highest too: after an import onto a new broker this count starts at 0,
    // while an agent skips any generation below the one it applied last.
    long generation = Math.max(state.getGeneration(), request.getGenerationFloor()) + 1;
    String deploymentId = request.getDeploymentId() != null ? request.getDeploymentId() : UUID.randomUUID().toString();
    Instant deadline = now.plus(deployTimeout);
    if (known != null && movesAgent(known, request)) {
      // The stack must not keep running where the application no longer lives.
      log.info("application {} moves from agent {} to agent {}", applicationId, known.getAgentId(), request.getAgentId());
      RemovalRules.handOver(state, known.getAgentId(), UUID.randomUUID().toString(), now, effects);
    }
    RemovalRules.cancelHandovers(state, request.getAgentId());
    Deployment deployment = Deployment.newBuilder()
        .setDeploymentId(deploymentId)
        .setAgentId(request.getAgentId())
        .setGeneration(generation)
        .setReason(request.getReason().name())
        .setActor(request.getActor())
        .setCommit(request.getCommit())
        .setCommitMessage(request.getCommitMessage())
        .setDigest(request.getDigest())
        .setCompose(request.getCompose())
        .setStartedAt(now)
        .setDeadline(deadline)
        .setState(DeploymentState.IN_PROGRESS.name())
        .build();
    state.setAgentId(request.getAgentId());
    state.setGeneration(generation);
    if (request.getReason() == DeployReason.ROLLBACK) {
      state.setPinnedCommit(request.getCommit());
    }
    state.setCurrent(deployment);
    state.setPendingRemoval(null);

    effects.command(request.getAgentId(), DeployCommand.newBuilder()
        .setDeploymentId(deploymentId)
        .setApplicationId(applicationId)
        .setGeneration(generation)
        .setProject(Deployments.project(applicationId))
        .setCompose(request.getCompose())
        .setSettings(request.getSettings())
        // Only the command carries them: the state keeps the compose file for the status it
        // reports, and no command is ever rebuilt from the state (a move or a redeploy of a
        // failed digest is built from its request).
        .setFiles(request.getFiles())
        .setEnv(Map.of())
        .setPullImages(request.getPullImages())
        .setDeadline(deadline)
        .setAt(now)
        .build());
    effects.status(changed(applicationId, deployment, now));
    // The compose file travels with the commit it belongs to: a deployment that then fails still
    // shows what it tried, next to the file deployed before it.
    effects.status(status(request, now)
        .setSyncStatus(SyncStatus.SYNCING)
        .setCommit(request.getCommit())
        .setCommitMessage(request.getCommitMessage())
        .setCompose(request.getCompose())
        .setComposeDigest(request.getDigest())
        .setDeploymentId(deploymentId)
        .build());
    return state;
  }

  /** Times the current deployment out when its deadline has passed; returns whether it did. */
  public boolean onClock(ApplicationState state, Instant now, Effects effects) {
    Deployment current = state.getCurrent();
    if (!inFlight(current) || now.isBefore(current.getDeadline())) {
      return false;
    }
    String error = "agent did not answer by " + current.getDeadline();
    Deployments.finish(current, DeploymentState.TIMED_OUT, error, now);
    state.setLastFinishedDigest(current.getDigest());
    state.setLastFinishedState(DeploymentState.TIMED_OUT.name());
    effects.status(changed(state.getApplicationId(), current, now));
    effects.status(ApplicationStatusChanged.newBuilder()
        .setApplicationId(state.getApplicationId())
        .setSyncStatus(SyncStatus.OUT_OF_SYNC)
        .setUpdateLastSyncError(true)
        .setLastSyncError("deployment timed out: " + error)
        .setDeploymentId(current.getDeploymentId())
        .setAt(now)
        .build());
    return true;
  }

  /**
   * Fails the in-flight deployment at once as a transport failure when its agent is offline
   * (rule 7: out of sync, health untouched) instead of letting it wait out its deadline; returns
   * whether it did. The command stays on the agent's topic: an agent back before the deadline
   * applies it, and its result still wins.
   */
  public boolean onAgentOffline(ApplicationState state, String reason, Instant now, Effects effects) {
    Deployment current = state == null ? null : state.getCurrent();
    if (!inFlight(current) || !current.getAgentId().equals(state.getAgentId())) {
      return false;
    }
    Deployments.finish(current, DeploymentState.FAILED, reason, now);
    state.setLastFinishedDigest(current.getDigest());
    state.setLastFinishedState(DeploymentState.FAILED.name());
    effects.status(changed(state.getApplicationId(), current, now));
    effects.status(ApplicationStatusChanged.newBuilder()
        .setApplicationId(state.getApplicationId())
        .setSyncStatus(SyncStatus.OUT_OF_SYNC)
        .setUpdateLastSyncError(true)
        .setLastSyncError(reason)
        .setDeploymentId(current.getDeploymentId())
        .setAt(now)
        .build());
    return true;
  }

  /** Ends a rollback's pin; returns whether there was one (the state is changed in place). */
  public static boolean release(ApplicationState state) {
    if (state == null || state.getPinnedCommit() == null) {
      return false;
    }
    state.setPinnedCommit(null);
    return true;
  }

  private static boolean isKnown(ApplicationState state, String deploymentId) {
    return (state.getCurrent() != null && deploymentId.equals(state.getCurrent().getDeploymentId()))
        || Deployments.inHistory(state, deploymentId).isPresent();
  }

  private static boolean movesAgent(ApplicationState state, DeployRequested request) {
    return state.getAgentId() != null && !state.getAgentId().equals(request.getAgentId());
  }

  private static boolean removing(PendingRemoval removal) {
    return removal != null && DeploymentState.IN_PROGRESS.name().equals(removal.getState());
  }

  private static ApplicationStatusChanged.Builder status(DeployRequested request, Instant now) {
    return ApplicationStatusChanged.newBuilder().setApplicationId(request.getApplicationId()).setAt(now);
  }
}
