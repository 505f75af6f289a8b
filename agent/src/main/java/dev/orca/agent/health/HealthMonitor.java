package dev.orca.agent.health;

import dev.orca.agent.compose.ComposeRuntime;
import dev.orca.agent.compose.Container;
import dev.orca.agent.compose.Drift;
import dev.orca.agent.compose.Health;
import dev.orca.agent.events.EventPublisher;
import dev.orca.schemas.avro.HealthReport;
import dev.orca.schemas.avro.HealthStatus;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Observes the managed containers once per health interval, and {@value #DEBOUNCE_MS} ms,
 * {@value #RECHECK_MS} ms and {@value #SETTLE_MS} ms after the engine says a container changed
 * (a burst of events makes one observation each), and writes a
 * {@link HealthReport} (keyed by application id) for each application whose health or containers
 * changed, and for every application each {@value #FULL_REPORT_EVERY} intervals. Skips a round
 * when the engine cannot be reached: nothing is known then, and heartbeats already say so.
 */
public final class HealthMonitor implements Runnable {

  static final int FULL_REPORT_EVERY = 12;
  static final long DEBOUNCE_MS = 100;
  static final long RECHECK_MS = 350;
  static final long SETTLE_MS = 1_000;
  private static final Logger log = LoggerFactory.getLogger(HealthMonitor.class);

  private final ComposeRuntime runtime;
  private final EventPublisher events;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final Baselines baselines;
  private final AtomicBoolean soonPending = new AtomicBoolean();
  private final AtomicBoolean recheckPending = new AtomicBoolean();
  private final AtomicBoolean laterPending = new AtomicBoolean();
  private final Map<String, Snapshot> reported = new HashMap<>();
  private long round;

  public HealthMonitor(ComposeRuntime runtime, EventPublisher events, Clock clock,
      ScheduledExecutorService scheduler, Baselines baselines) {
    this.runtime = runtime;
    this.baselines = baselines;
    this.events = events;
    this.clock = clock;
    this.scheduler = scheduler;
  }

  /** The periodic round. */
  @Override
  public void run() {
    checkSafely(true);
  }

  /**
   * The engine said a container changed: observe soon, once for a burst of changes, and once more
   * twice more, because the engine's container list may still show the state from before the
   * event (seen: a container listed as running 70 ms after its "die" event; the bench saw one kill
   * in 20 reach the API only at the 1 s look before the look at 350 ms was added).
   */
  public void changed() {
    schedule(soonPending, DEBOUNCE_MS);
    schedule(recheckPending, RECHECK_MS);
    schedule(laterPending, SETTLE_MS);
  }

  private void schedule(AtomicBoolean pending, long delayMs) {
    if (pending.compareAndSet(false, true)) {
      try {
        scheduler.schedule(() -> {
          pending.set(false);
          checkSafely(false);
        }, delayMs, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        pending.set(false); // the agent is stopping
      }
    }
  }

  private void checkSafely(boolean periodic) {
    try {
      check(periodic);
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again.
      log.warn("Health check failed: {}", e.getMessage(), e);
    }
  }

  synchronized void check(boolean periodic) {
    Optional<Map<String, List<Container>>> observed = runtime.observe();
    if (observed.isEmpty()) {
      return;
    }
    boolean full = periodic && round++ % FULL_REPORT_EVERY == 0;
    for (Map.Entry<String, List<Container>> e : observed.get().entrySet()) {
      String drift = drift(e.getKey(), e.getValue());
      Snapshot now = new Snapshot(health(e.getKey(), e.getValue()), List.copyOf(e.getValue()), drift);
      if (full || !now.equals(reported.get(e.getKey()))) {
        events.publishLater(e.getKey(), HealthReport.newBuilder()
            .setApplicationId(e.getKey())
            .setHealth(now.health())
            .setContainers(EventPublisher.containerStates(now.containers()))
            .setDrift(drift)
            .setAt(clock.instant())
            .build());
        reported.put(e.getKey(), now);
      }
      if (drift != null) {
        try {
          baselines.drifted(e.getKey(), drift);
        } catch (RuntimeException ex) {
          log.debug("cannot act on the drift of {}: {}", e.getKey(), ex.toString());
        }
      }
    }
    reported.keySet().retainAll(observed.get().keySet());
  }

  /** As after its deployment's result: a failed deployment leaves nothing "progressing". */
  private HealthStatus health(String applicationId, List<Container> containers) {
    boolean failed;
    try {
      failed = baselines.lastDeploymentFailed(applicationId);
    } catch (RuntimeException e) {
      log.debug("cannot tell whether the last deployment of {} failed: {}", applicationId, e.toString());
      failed = false;
    }
    return failed ? Health.afterFailure(containers) : Health.of(containers);
  }

  /** What drifted from the last successful deployment, or null (none, or nothing to compare with). */
  private String drift(String applicationId, List<Container> containers) {
    try {
      return baselines.baseline(applicationId).flatMap(b -> Drift.between(b, containers)).orElse(null);
    } catch (RuntimeException e) {
      log.debug("cannot measure drift of {}: {}", applicationId, e.toString());
      return null;
    }
  }

  private record Snapshot(HealthStatus health, List<Container> containers, String drift) {}
}
