package dev.orca.dispatch.state;

import dev.orca.dispatch.avro.ApplicationState;
import dev.orca.dispatch.avro.PendingRemoval;
import dev.orca.schemas.avro.DeploymentState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;

/**
 * A removed application's state shrinks to a marker with the removal time instead of being
 * deleted, so a deploy request that was already on its way (sync-stream had not yet seen the
 * config tombstone) cannot bring the stack back. Application ids are UUIDs and never reused, so
 * a week-old marker is purged.
 */
public final class RemovedMarker {

  /** How long deploy requests for a removed application are ignored before its marker may go. */
  public static final Duration KEPT_FOR = Duration.ofDays(7);

  private RemovedMarker() {}

  /** Turns the state into the marker: no deployments or pending removal are kept. */
  public static void mark(ApplicationState state, Instant now) {
    state.setRemovedAt(now);
    state.setCurrent(null);
    state.setHistory(new ArrayList<>());
    state.setPendingRemoval(null);
  }

  public static boolean isRemoved(ApplicationState state) {
    return state != null && state.getRemovedAt() != null;
  }

  /** True while deploy requests for the application must still be ignored. */
  public static boolean isRecent(ApplicationState state, Instant now) {
    return isRemoved(state) && now.isBefore(state.getRemovedAt().plus(KEPT_FOR));
  }

  /** True when the marker is old enough to delete and no repeated removal is under way. */
  public static boolean isPurgeable(ApplicationState state, Instant now) {
    PendingRemoval pending = state.getPendingRemoval();
    boolean removing = pending != null && DeploymentState.IN_PROGRESS.name().equals(pending.getState());
    return isRemoved(state) && !isRecent(state, now) && !removing;
  }
}
