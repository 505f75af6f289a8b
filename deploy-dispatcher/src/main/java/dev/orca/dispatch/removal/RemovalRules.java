package dev.orca.dispatch.removal;

import dev.orca.dispatch.avro.ApplicationState;
import dev.orca.dispatch.avro.Deployment;
import dev.orca.dispatch.avro.HandoverRemoval;
import dev.orca.dispatch.avro.PendingRemoval;
import dev.orca.dispatch.state.Deployments;
import dev.orca.dispatch.state.Effects;
import dev.orca.dispatch.state.RemovedMarker;
import dev.orca.schemas.avro.ApplicationRemovalFinished;
import dev.orca.schemas.avro.ApplicationStatusChanged;
import dev.orca.schemas.avro.RemoveCommand;
import dev.orca.schemas.avro.RemoveRequested;
import dev.orca.schemas.avro.RemoveResult;
import dev.orca.schemas.avro.SyncStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends RemoveCommand to the application's agent and ends the removal with
 * ApplicationRemovalFinished. A removal supersedes and archives the deployment in flight. A
 * successful removal (even a late one after a timeout) leaves only a {@link RemovedMarker}.
 * Results of handover removals (an application moved to another agent) are not removals of the
 * application and only get logged.
 */
public final class RemovalRules {

  static final String IN_PROGRESS = "IN_PROGRESS";
  static final String FAILED = "FAILED";
  static final String TIMED_OUT = "TIMED_OUT";
  /** Error of a deployment superseded by a removal; such a deployment stays SUPERSEDED. */
  public static final String SUPERSEDED_BY_REMOVAL = "deployment superseded by removal";
  /** How many handover removals are remembered so that their results are recognised. */
  static final int HANDOVERS_KEPT = 10;

  private static final Logger log = LoggerFactory.getLogger(RemovalRules.class);

  public ApplicationState onRequested(ApplicationState known, RemoveRequested request, Instant now, Effects effects) {
    String applicationId = request.getApplicationId();
    ApplicationState state = known != null ? known : Deployments.newState(applicationId, request.getAgentId());
    Optional<Deployment> superseded = Deployments.supersedeInFlight(state, SUPERSEDED_BY_REMOVAL, now, effects);
    superseded.ifPresent(deployment -> Deployments.archiveCurrent(state));
    state.setAgentId(request.getAgentId());
    state.setPendingRemoval(new PendingRemoval(request.getRequestId(), request.getDeadline(), IN_PROGRESS));
    effects.command(request.getAgentId(), RemoveCommand.newBuilder()
        .setRequestId(request.getRequestId())
        .setApplicationId(applicationId)
        .setProject(Deployments.project(applicationId))
        .setDeadline(request.getDeadline())
        .setAt(now)
        .build());
    // The superseded deployment will never set the status; without this the row stays syncing.
    superseded.ifPresent(deployment -> effects.status(ApplicationStatusChanged.newBuilder()
        .setApplicationId(applicationId)
        .setSyncStatus(SyncStatus.OUT_OF_SYNC)
        .setUpdateLastSyncError(true)
        .setLastSyncError(SUPERSEDED_BY_REMOVAL)
        .setDeploymentId(deployment.getDeploymentId())
        .setAt(now)
        .build()));
    return state;
  }

  /** Sends a RemoveCommand to the agent the application leaves, and remembers it as a handover. */
  public static void handOver(ApplicationState state, String oldAgentId, String requestId, Instant deadline,
      Instant now, Effects effects) {
    List<HandoverRemoval> handovers = new ArrayList<>(state.getHandoverRemovals());
    handovers.add(0, new HandoverRemoval(requestId, oldAgentId));
    while (handovers.size() > HANDOVERS_KEPT) {
      handovers.remove(handovers.size() - 1);
    }
    state.setHandoverRemovals(handovers);
    effects.command(oldAgentId, RemoveCommand.newBuilder()
        .setRequestId(requestId)
        .setApplicationId(state.getApplicationId())
        .setProject(Deployments.project(state.getApplicationId()))
        .setDeadline(deadline)
        .setAt(now)
        .build());
  }

  /** Returns the state after the result reported on {@code agentId}'s events topic. */
  public ApplicationState onResult(ApplicationState state, String agentId, RemoveResult result, Instant now, Effects effects) {
    if (state != null && endHandover(state, agentId, result)) {
      return state;
    }
    PendingRemoval pending = state == null ? null : state.getPendingRemoval();
    if (pending == null || !pending.getRequestId().equals(result.getRequestId()) || !state.getAgentId().equals(agentId)) {
      log.warn("ignoring result of removal {} of application {} from agent {}: no such removal pending there",
          result.getRequestId(), result.getApplicationId(), agentId);
      return state;
    }
    if (result.getSuccess()) {
      effects.status(finished(state, pending, now).setRemoved(true).build());
      RemovedMarker.mark(state, now);
      return state;
    }
    if (IN_PROGRESS.equals(pending.getState())) {
      pending.setState(FAILED);
      String error = result.getError() == null ? "removal failed" : result.getError();
      effects.status(finished(state, pending, now).setRemoved(false).setError(error).build());
    }
    return state;
  }

  /** Times the pending removal out when its deadline has passed; returns whether it did. */
  public boolean onClock(ApplicationState state, Instant now, Effects effects) {
    PendingRemoval pending = state.getPendingRemoval();
    if (pending == null || !IN_PROGRESS.equals(pending.getState()) || now.isBefore(pending.getDeadline())) {
      return false;
    }
    pending.setState(TIMED_OUT);
    effects.status(finished(state, pending, now).setRemoved(false).setTimedOut(true)
        .setError("agent did not answer by " + pending.getDeadline()).build());
    return true;
  }

  /** Consumes the result of a handover removal; returns false when the result is not one. */
  private static boolean endHandover(ApplicationState state, String agentId, RemoveResult result) {
    List<HandoverRemoval> handovers = new ArrayList<>(state.getHandoverRemovals());
    boolean found = handovers.removeIf(h -> h.getRequestId().equals(result.getRequestId()) && h.getAgentId().equals(agentId));
    if (!found) {
      return false;
    }
    state.setHandoverRemovals(handovers);
    if (result.getSuccess()) {
      log.info("application {} left agent {}: its stack there is removed", state.getApplicationId(), agentId);
    } else {
      log.warn("application {} moved away from agent {}, but removing its stack there failed: {}",
          state.getApplicationId(), agentId, result.getError());
    }
    return true;
  }

  private static ApplicationRemovalFinished.Builder finished(ApplicationState state, PendingRemoval pending, Instant now) {
    return ApplicationRemovalFinished.newBuilder()
        .setRequestId(pending.getRequestId())
        .setApplicationId(state.getApplicationId())
        .setAt(now);
  }
}
