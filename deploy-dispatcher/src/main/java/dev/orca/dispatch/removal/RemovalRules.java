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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends RemoveCommand to the application's agent and ends the removal with
 * ApplicationRemovalFinished. A removal supersedes and archives the deployment in flight. A
 * successful removal (even a late one after a timeout) leaves only a {@link RemovedMarker}; a late
 * one is finished with both {@code removed} and {@code timedOut} set, and says so in its error.
 * Results of handover removals (an application moved to another agent) are not removals of the
 * application: a failed one is sent again until the agent confirms it.
 */
public final class RemovalRules {

  static final String IN_PROGRESS = "IN_PROGRESS";
  static final String FAILED = "FAILED";
  static final String TIMED_OUT = "TIMED_OUT";
  /** Error of a deployment superseded by a removal; such a deployment stays SUPERSEDED. */
  public static final String SUPERSEDED_BY_REMOVAL = "deployment superseded by removal";
  /** How many handover removals are remembered so that their results are recognised. */
  static final int HANDOVERS_KEPT = 10;
  /** The deadline of a handover RemoveCommand: an agent back within it still removes the stack. */
  public static final Duration HANDOVER_DEADLINE = Duration.ofDays(30);
  static final Duration FIRST_RETRY = Duration.ofSeconds(30);
  static final Duration MAX_RETRY = Duration.ofHours(1);

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

  /**
   * Sends a RemoveCommand to the agent the application leaves, and remembers it as a handover
   * until the agent confirms it. Its deadline is {@link #HANDOVER_DEADLINE} ahead: the command
   * stays the latest for the application on that agent's compacted topic, so an agent offline for
   * long still removes the stack when it comes back; a failure is retried (see {@link #onClock}).
   */
  public static void handOver(ApplicationState state, String oldAgentId, String requestId, Instant now,
      Effects effects) {
    List<HandoverRemoval> handovers = new ArrayList<>(state.getHandoverRemovals());
    Instant deadline = now.plus(HANDOVER_DEADLINE);
    handovers.add(0, new HandoverRemoval(requestId, oldAgentId, deadline, 1, null));
    while (handovers.size() > HANDOVERS_KEPT) {
      HandoverRemoval dropped = handovers.remove(handovers.size() - 1);
      log.warn("application {} moved more than {} times: no longer retrying its removal from agent {}",
          state.getApplicationId(), HANDOVERS_KEPT, dropped.getAgentId());
    }
    state.setHandoverRemovals(handovers);
    effects.command(oldAgentId, removeCommand(state, requestId, deadline, now));
  }

  /**
   * The application is deployed on {@code agentId} again: a handover removal still pending there
   * must not be retried, or it would tear down the stack that now belongs there.
   */
  public static void cancelHandovers(ApplicationState state, String agentId) {
    List<HandoverRemoval> handovers = new ArrayList<>(state.getHandoverRemovals());
    if (handovers.removeIf(h -> h.getAgentId().equals(agentId))) {
      state.setHandoverRemovals(handovers);
    }
  }

  /**
   * The agent was deleted: it will never carry out what it was asked to remove. Its handover
   * removals end, and a removal of the application still in progress there ends as failed, saying
   * why; returns whether the state changed.
   */
  public boolean onAgentRetired(ApplicationState state, String agentId, Instant now, Effects effects) {
    boolean changed = false;
    List<HandoverRemoval> handovers = new ArrayList<>(state.getHandoverRemovals());
    if (handovers.removeIf(h -> h.getAgentId().equals(agentId))) {
      state.setHandoverRemovals(handovers);
      log.info("application {} had moved away from agent {}, which was deleted: what it left on that host is no"
          + " longer Orca's to remove", state.getApplicationId(), agentId);
      changed = true;
    }
    PendingRemoval pending = state.getPendingRemoval();
    if (pending != null && IN_PROGRESS.equals(pending.getState()) && agentId.equals(state.getAgentId())) {
      pending.setState(FAILED);
      effects.status(finished(state, pending, now).setRemoved(false)
          .setError("agent " + agentId + " was deleted before it removed the stack").build());
      changed = true;
    }
    return changed;
  }

  /**
   * Sends again, with a new request id and deadline, every handover removal whose agent answered
   * a failure and whose wait is over; returns whether it sent any.
   */
  public boolean retryHandovers(ApplicationState state, Instant now, Effects effects) {
    boolean sent = false;
    List<HandoverRemoval> handovers = new ArrayList<>(state.getHandoverRemovals());
    for (int i = 0; i < handovers.size(); i++) {
      HandoverRemoval h = handovers.get(i);
      if (h.getRetryAt() == null || now.isBefore(h.getRetryAt())) {
        continue;
      }
      String requestId = UUID.randomUUID().toString();
      Instant deadline = now.plus(HANDOVER_DEADLINE);
      handovers.set(i, new HandoverRemoval(requestId, h.getAgentId(), deadline, h.getAttempts() + 1, null));
      effects.command(h.getAgentId(), removeCommand(state, requestId, deadline, now));
      log.info("retrying the removal of application {} from agent {} it moved away from (attempt {})",
          state.getApplicationId(), h.getAgentId(), h.getAttempts() + 1);
      sent = true;
    }
    if (sent) {
      state.setHandoverRemovals(handovers);
    }
    return sent;
  }

  private static RemoveCommand removeCommand(ApplicationState state, String requestId, Instant deadline, Instant now) {
    return RemoveCommand.newBuilder()
        .setRequestId(requestId)
        .setApplicationId(state.getApplicationId())
        .setProject(Deployments.project(state.getApplicationId()))
        .setDeadline(deadline)
        .setAt(now)
        .build();
  }

  /** Returns the state after the result reported on {@code agentId}'s events topic. */
  public ApplicationState onResult(ApplicationState state, String agentId, RemoveResult result, Instant now, Effects effects) {
    if (state != null && endHandover(state, agentId, result, now)) {
      return state;
    }
    PendingRemoval pending = state == null ? null : state.getPendingRemoval();
    if (pending == null || !pending.getRequestId().equals(result.getRequestId()) || !state.getAgentId().equals(agentId)) {
      log.warn("ignoring result of removal {} of application {} from agent {}: no such removal pending there",
          result.getRequestId(), result.getApplicationId(), agentId);
      return state;
    }
    if (result.getSuccess()) {
      ApplicationRemovalFinished.Builder removed = finished(state, pending, now).setRemoved(true);
      if (TIMED_OUT.equals(pending.getState())) {
        // What it was: timed out, then removed late; never a plain success.
        removed.setTimedOut(true).setError("removed after the removal had timed out at " + pending.getDeadline());
      }
      effects.status(removed.build());
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

  /**
   * Consumes the result of a handover removal; returns false when the result is not one. A
   * success ends the handover; a failure schedules the next attempt, waits doubling from
   * {@link #FIRST_RETRY} to {@link #MAX_RETRY}, unless the command's deadline had passed.
   */
  private static boolean endHandover(ApplicationState state, String agentId, RemoveResult result, Instant now) {
    List<HandoverRemoval> handovers = new ArrayList<>(state.getHandoverRemovals());
    int index = -1;
    for (int i = 0; i < handovers.size(); i++) {
      if (handovers.get(i).getRequestId().equals(result.getRequestId()) && handovers.get(i).getAgentId().equals(agentId)) {
        index = i;
      }
    }
    if (index < 0) {
      return false;
    }
    HandoverRemoval handover = handovers.get(index);
    boolean expired = handover.getDeadline() == null || !now.isBefore(handover.getDeadline());
    if (result.getSuccess() || expired) {
      handovers.remove(index);
      if (result.getSuccess()) {
        log.info("application {} left agent {}: its stack there is removed", state.getApplicationId(), agentId);
      } else {
        log.warn("application {} moved away from agent {}, but removing its stack there failed and its deadline"
            + " passed; no more retries: {}", state.getApplicationId(), agentId, result.getError());
      }
    } else {
      Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(handover.getAttempts() - 1, 16));
      Instant retryAt = now.plus(wait.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : wait);
      handover.setRetryAt(retryAt);
      log.warn("application {} moved away from agent {}, but removing its stack there failed (attempt {}), retrying at"
          + " {}: {}", state.getApplicationId(), agentId, handover.getAttempts(), retryAt, result.getError());
    }
    state.setHandoverRemovals(handovers);
    return true;
  }

  private static ApplicationRemovalFinished.Builder finished(ApplicationState state, PendingRemoval pending, Instant now) {
    return ApplicationRemovalFinished.newBuilder()
        .setRequestId(pending.getRequestId())
        .setApplicationId(state.getApplicationId())
        .setAt(now);
  }
}
