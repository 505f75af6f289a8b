package dev.orca.agent.command;

import dev.orca.agent.events.PublishException;
import dev.orca.schemas.avro.DeployCommand;
import dev.orca.schemas.avro.RemoveCommand;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lane per application: its commands run strictly in arrival order, one at a time, while
 * lanes of different applications run concurrently on a bounded pool. A deploy with a newer
 * generation already queued behind it (and no removal between them) is skipped (the hub superseded it when it issued the
 * newer one). A result that cannot be written is retried with backoff until it is, or the agent
 * stops; a command cut short by {@link #stop} never reports it finished, so its offset stays
 * uncommitted and the command is redelivered.
 */
final class ApplicationLanes {

  private static final Logger log = LoggerFactory.getLogger(ApplicationLanes.class);
  private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  /**
   * A command at its position in the commands topic, or (partition null) one the agent gave
   * itself, such as a self-heal.
   */
  record Work(TopicPartition partition, long offset, String applicationId, Object command) {}

  private final CommandHandler handler;
  private final Consumer<Work> finished;
  private final ExecutorService workers;
  /** Lanes with work queued or running; guarded by {@code this}. */
  private final Map<String, Lane> lanes = new HashMap<>();
  private volatile boolean running = true;

  private static final class Lane {
    final String applicationId;
    final ArrayDeque<Work> queue = new ArrayDeque<>();

    Lane(String applicationId) {
      this.applicationId = applicationId;
    }
  }

  ApplicationLanes(CommandHandler handler, int concurrency, Consumer<Work> finished) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be at least 1");
    }
    this.handler = handler;
    this.finished = finished;
    AtomicInteger n = new AtomicInteger();
    this.workers = Executors.newFixedThreadPool(concurrency, r -> {
      Thread t = new Thread(r, "orca-agent-apply-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  void submit(Work work) {
    synchronized (this) {
      Lane lane = lanes.get(work.applicationId());
      if (lane != null) {
        lane.queue.add(work);
        // The head is the command running: a deploy still waiting for readiness is moot now.
        mootBy(lane.queue.peek(), work).ifPresent(reason -> handler.stopWaiting(work.applicationId(), reason));
        return;
      }
      lane = new Lane(work.applicationId());
      lane.queue.add(work);
      lanes.put(lane.applicationId, lane);
      Lane started = lane;
      workers.execute(() -> drain(started));
    }
  }

  /** Runs the lane's commands until its queue is empty, then retires the lane. */
  private void drain(Lane lane) {
    while (running) {
      Work work;
      boolean superseded;
      synchronized (this) {
        work = lane.queue.peek();
        if (work == null) {
          lanes.remove(lane.applicationId);
          return;
        }
        superseded = supersededInQueue(work, lane.queue);
        if (!superseded && waitsForReadiness(work)) {
          // A reason given for an earlier wait is void; one that holds for this command is given
          // again, under the lock submit() signals under, so none is lost in between.
          handler.clearStopWaiting(work.applicationId());
          for (Work later : lane.queue) {
            Optional<String> moot = mootBy(work, later);
            if (moot.isPresent()) {
              handler.stopWaiting(work.applicationId(), moot.get());
              break;
            }
          }
        }
      }
      if (superseded) {
        DeployCommand deploy = (DeployCommand) work.command();
        log.info("Skipping deployment {} of {}: a newer generation is queued behind it",
            deploy.getDeploymentId(), work.applicationId());
      } else if (!apply(work)) {
        return; // stopping: the command is redelivered
      }
      synchronized (this) {
        lane.queue.poll();
      }
      finished.accept(work);
    }
  }

  /**
   * Why {@code running}'s wait for readiness is moot once {@code queued} is behind it: a removal,
   * or a deploy of a newer generation (for a self-heal, any deploy).
   */
  private static Optional<String> mootBy(Work running, Work queued) {
    if (running == null || running == queued) {
      return Optional.empty();
    }
    if (!waitsForReadiness(running)) {
      return Optional.empty();
    }
    if (queued.command() instanceof RemoveCommand) {
      return Optional.of("the application is being removed");
    }
    if (queued.command() instanceof DeployCommand next) {
      if (running.command() instanceof DeployCommand current && next.getGeneration() <= current.getGeneration()) {
        return Optional.empty();
      }
      return Optional.of("deployment generation " + next.getGeneration() + " is queued behind it");
    }
    return Optional.empty();
  }

  private static boolean waitsForReadiness(Work work) {
    return work.command() instanceof DeployCommand || work.command() instanceof CommandHandler.Heal;
  }

  /** A deploy followed in the queue by a newer generation, with no removal between them. */
  private static boolean supersededInQueue(Work work, ArrayDeque<Work> queue) {
    if (!(work.command() instanceof DeployCommand deploy)) {
      return false;
    }
    for (Work later : queue) {
      if (later.command() instanceof DeployCommand next && next.getGeneration() > deploy.getGeneration()) {
        return true;
      }
      if (!(later.command() instanceof DeployCommand) && later != work) {
        return false;
      }
    }
    return false;
  }

  /** Whether the application has a command queued or running. */
  synchronized boolean busy(String applicationId) {
    return lanes.containsKey(applicationId);
  }

  /** Commands queued or running, over every application. */
  synchronized int queued() {
    int n = 0;
    for (Lane lane : lanes.values()) {
      n += lane.queue.size();
    }
    return n;
  }

  /** Applies the command, retrying until its result is written; false when the agent stops first. */
  private boolean apply(Work work) {
    Duration backoff = FIRST_BACKOFF;
    while (running) {
      try {
        handler.handle(work.command());
        return true;
      } catch (AgentStoppingException e) {
        return false;
      } catch (PublishException e) {
        log.error("Cannot write the result of {} at {} offset {}; retrying in {} s: {}",
            work.command().getClass().getSimpleName(), work.partition(), work.offset(), backoff.toSeconds(),
            e.getMessage());
      } catch (RuntimeException e) {
        log.error("Cannot apply {} at {} offset {}; retrying in {} s", work.command().getClass().getSimpleName(),
            work.partition(), work.offset(), backoff.toSeconds(), e);
      }
      if (!running || Thread.currentThread().isInterrupted()) {
        return false;
      }
      try {
        Thread.sleep(backoff.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
    }
    return false;
  }

  /** Stops taking work and interrupts every command in progress; waits a little for them to end. */
  void stop(Duration wait) {
    running = false;
    workers.shutdownNow();
    try {
      if (!workers.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("Commands still running {} s after the agent was asked to stop", wait.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
