package dev.orca.bench;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A closed-loop load: {@code concurrency} threads share {@code count} calls, each thread starting
 * its next call as soon as its last one answered. Every call is timed and labelled with its
 * outcome (for example an HTTP status); a call that throws is labelled with the exception, so one
 * failure never hides the others' figures.
 */
final class Load {

  /** One call, by its index in {@code 0..count-1}; returns its outcome's label. */
  @FunctionalInterface
  interface Call {
    String run(int index) throws Exception;
  }

  private Load() {}

  /**
   * {@code count} calls cut into {@code rounds} nearly equal parts (the first ones one larger), so
   * two loads can take turns and share the machine's drift and the JIT's late work evenly.
   */
  static int[] split(int count, int rounds) {
    int parts = Math.max(1, Math.min(rounds, count));
    int[] sizes = new int[parts];
    for (int i = 0; i < parts; i++) {
      sizes[i] = count / parts + (i < count % parts ? 1 : 0);
    }
    return sizes;
  }

  static Result run(int count, int concurrency, Call call) throws InterruptedException {
    long[] nanos = new long[count];
    String[] outcomes = new String[count];
    AtomicInteger next = new AtomicInteger();
    int threads = Math.max(1, Math.min(concurrency, count));
    ExecutorService pool = Executors.newFixedThreadPool(threads, runnable -> {
      Thread thread = new Thread(runnable, "bench-client");
      thread.setDaemon(true);
      return thread;
    });
    long started = System.nanoTime();
    try {
      Future<?>[] workers = new Future<?>[threads];
      for (int t = 0; t < threads; t++) {
        workers[t] = pool.submit(() -> {
          for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
            long begun = System.nanoTime();
            String outcome;
            try {
              outcome = call.run(i);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              outcome = "interrupted";
            } catch (Exception e) {
              outcome = "error: " + e;
            }
            nanos[i] = System.nanoTime() - begun;
            outcomes[i] = outcome;
          }
        });
      }
      for (Future<?> worker : workers) {
        try {
          worker.get();
        } catch (java.util.concurrent.ExecutionException e) {
          throw new IllegalStateException("a load thread failed", e.getCause());
        }
      }
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
    return new Result(nanos, outcomes, System.nanoTime() - started);
  }

  /** Each call's latency and outcome by index, and the wall time of the whole load. */
  record Result(long[] nanos, String[] outcomes, long wallNanos) {

    /** How many calls ended in each outcome, by label. */
    Map<String, Integer> counts() {
      Map<String, Integer> counts = new TreeMap<>();
      for (String outcome : outcomes) {
        counts.merge(outcome, 1, Integer::sum);
      }
      return counts;
    }

    int count(Predicate<String> outcome) {
      int n = 0;
      for (String o : outcomes) {
        if (outcome.test(o)) {
          n++;
        }
      }
      return n;
    }

    /** Latencies of the calls whose outcome matches. */
    Percentiles latencies(Predicate<String> outcome) {
      long[] matching = new long[count(outcome)];
      int j = 0;
      for (int i = 0; i < outcomes.length; i++) {
        if (outcome.test(outcomes[i])) {
          matching[j++] = nanos[i];
        }
      }
      return Percentiles.of(matching);
    }

    /** Calls with a matching outcome per second of the load's wall time. */
    double perSecond(Predicate<String> outcome) {
      return wallNanos <= 0 ? Double.NaN : count(outcome) / (wallNanos / 1e9);
    }

    double wallSeconds() {
      return wallNanos / 1e9;
    }

    /** This load followed by another, as one: their calls side by side and their wall times added. */
    Result plus(Result other) {
      long[] allNanos = Arrays.copyOf(nanos, nanos.length + other.nanos.length);
      System.arraycopy(other.nanos, 0, allNanos, nanos.length, other.nanos.length);
      String[] allOutcomes = Arrays.copyOf(outcomes, outcomes.length + other.outcomes.length);
      System.arraycopy(other.outcomes, 0, allOutcomes, outcomes.length, other.outcomes.length);
      return new Result(allNanos, allOutcomes, wallNanos + other.wallNanos);
    }

    static Result empty() {
      return new Result(new long[0], new String[0], 0);
    }
  }
}
