package dev.orca.gateway.support;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * A task the gateway runs on a daemon thread of its own, again {@code every} after each run ends,
 * from its lifecycle's start to its stop; {@link #runSoon} asks for a run now as well. For the
 * loops that carry database rows to Kafka (the outbox relay, agent retirements). A failing run is
 * retried at the next; only the first failure of a streak is a warning, and the first success
 * after it says so.
 */
public final class BackgroundLoop {

  private final String threadName;
  private final Duration every;
  private final Logger log;
  private final String what;
  private final Runnable work;
  private final Runnable task = this::runOnce;
  private volatile ScheduledExecutorService executor;
  private volatile boolean failing;

  /** {@code what} names the work in the owner's log: "the outbox relay", for example. */
  public BackgroundLoop(String threadName, Duration every, Logger log, String what, Runnable task) {
    this.threadName = threadName;
    this.every = every;
    this.log = log;
    this.what = what;
    this.work = task;
  }

  private void runOnce() {
    try {
      work.run();
      if (failing) {
        failing = false;
        log.info("{} works again", what);
      }
    } catch (RuntimeException e) {
      if (!failing) {
        failing = true;
        log.warn("{} fails, retrying every {} ms until it works: {}", what, every.toMillis(), e.getMessage());
      } else {
        log.debug("{} still fails: {}", what, e.getMessage());
      }
    }
  }

  /** Runs the task after {@code firstAfter}, then {@code every} after each run. */
  public void start(Duration firstAfter) {
    executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, threadName);
      thread.setDaemon(true);
      return thread;
    });
    executor.scheduleWithFixedDelay(task, firstAfter.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Asks for a run soon, besides the scheduled ones; ignored when stopped. */
  public void runSoon() {
    ScheduledExecutorService running = executor;
    if (running != null && !running.isShutdown()) {
      try {
        running.execute(task);
      } catch (RejectedExecutionException ignored) {
        // stopping
      }
    }
  }

  /** Lets a run in progress finish, for at most 5 s. */
  public void stop() {
    ScheduledExecutorService running = executor;
    if (running != null) {
      running.shutdown();
      try {
        running.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  public boolean isRunning() {
    ScheduledExecutorService running = executor;
    return running != null && !running.isShutdown();
  }
}
