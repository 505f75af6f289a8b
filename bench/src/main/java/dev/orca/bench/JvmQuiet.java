package dev.orca.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * Waits for this JVM to go quiet: a hub that has just started compiles and rebalances for a while,
 * and a process started meanwhile on the same two cores measures that, not itself.
 */
final class JvmQuiet {

  /** Quiet: under a fifth of one core over a whole second. */
  private static final double QUIET_CORES = 0.2;
  private static final Duration WINDOW = Duration.ofSeconds(1);

  private JvmQuiet() {}

  /** Returns once a second passed with this JVM under {@link #QUIET_CORES}, or after {@code deadline}, saying which. */
  static void await(Duration deadline, PrintStream out) throws InterruptedException {
    long begun = System.nanoTime();
    double cores = Double.NaN;
    while (System.nanoTime() - begun < deadline.toNanos()) {
      long cpuBefore = cpuNanos();
      long before = System.nanoTime();
      Thread.sleep(WINDOW.toMillis());
      cores = (double) (cpuNanos() - cpuBefore) / (System.nanoTime() - before);
      if (cores < QUIET_CORES) {
        out.printf(Locale.ROOT, "the hub went quiet (%.2f cores) %.1f s after the agent was registered%n", cores,
            (System.nanoTime() - begun) / 1e9);
        return;
      }
    }
    out.printf(Locale.ROOT, "the hub was still busy (%.2f cores) after %d s; the agent starts anyway%n", cores,
        deadline.toSeconds());
  }

  private static long cpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO).toNanos();
  }
}
