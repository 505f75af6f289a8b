package dev.orca.dispatch.removal;

import dev.orca.dispatch.avro.ApplicationState;
import dev.orca.dispatch.avro.PendingRemoval;
import dev.orca.dispatch.state.Deployments;
import dev.orca.dispatch.state.Effects;
import dev.orca.schemas.avro.ApplicationRemovalFinished;
import dev.orca.schemas.avro.RemoveCommand;
import dev.orca.schemas.avro.RemoveRequested;
import dev.orca.schemas.avro.RemoveResult;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends RemoveCommand to the application's agent and ends the removal with
 * ApplicationRemovalFinished. A successful removal deletes the application's state (the method
 * returns null); a late success after a timeout still does, since the stack is gone.
 */
public final class RemovalRules {

  static final String IN_PROGRESS = "IN_PROGRESS";
  static final String FAILED = "FAILED";
  static final String TIMED_OUT = "TIMED_OUT";

  private static final Logger log = LoggerFactory.getLogger(RemovalRules.class);

  public ApplicationState onRequested(ApplicationState known, RemoveRequested request, Instant now, Effects effects) {
    String applicationId = request.getApplicationId();
    ApplicationState state = known != null ? known : Deployments.newState(applicationId, request.getAgentId());
    Deployments.supersedeInFlight(state, now, effects);
    state.setAgentId(request.getAgentId());
    state.setPendingRemoval(new PendingRemoval(request.getRequestId(), request.getDeadline(), IN_PROGRESS));
    effects.command(request.getAgentId(), RemoveCommand.newBuilder()
        .setRequestId(request.getRequestId())
        .setApplicationId(applicationId)
        .setProject(Deployments.project(applicationId))
        .setDeadline(request.getDeadline())
        .setAt(now)
        .build());
    return state;
  }

  /** Returns the state after the result, or null when the application's state must be deleted. */
  public ApplicationState onResult(ApplicationState state, String agentId, RemoveResult result, Instant now, Effects effects) {
    PendingRemoval pending = state == null ? null : state.getPendingRemoval();
    if (pending == null || !pending.getRequestId().equals(result.getRequestId()) || !state.getAgentId().equals(agentId)) {
      log.warn("ignoring result of removal {} of application {} from agent {}: no such removal pending there",
          result.getRequestId(), result.getApplicationId(), agentId);
      return state;
    }
    if (result.getSuccess()) {
      effects.status(finished(state, pending, now).setRemoved(true).build());
      return null;
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

  private static ApplicationRemovalFinished.Builder finished(ApplicationState state, PendingRemoval pending, Instant now) {
    return ApplicationRemovalFinished.newBuilder()
        .setRequestId(pending.getRequestId())
        .setApplicationId(state.getApplicationId())
        .setAt(now);
  }
}
