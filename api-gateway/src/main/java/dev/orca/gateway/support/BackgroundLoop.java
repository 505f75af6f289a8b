package dev.orca.gateway.support;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A task the gateway runs on a daemon thread of its own, again {@code every} after each run ends,
 * from its lifecycle's start to its stop; {@link #runSoon} asks for a run now as well. For the
 * loops that carry database rows to Kafka (the outbox relay, agent retirements).
 */
public final class BackgroundLoop {

  private final String threadName;
  private final Duration every;
  private final Runnable task;
  private volatile ScheduledExecutorService executor;

  public BackgroundLoop(String threadName, Duration every, Runnable task) {
    this.threadName = threadName;
    this.every = every;
    this.task = task;
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
