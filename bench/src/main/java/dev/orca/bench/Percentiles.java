package dev.orca.bench;

import java.util.Arrays;

/** Latency samples in nanoseconds, summarised by nearest-rank percentiles. */
record Percentiles(long[] sortedNanos) {

  static Percentiles of(long[] nanos) {
    long[] copy = nanos.clone();
    Arrays.sort(copy);
    return new Percentiles(copy);
  }

  double percentileMillis(double p) {
    if (sortedNanos.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sortedNanos.length);
    return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, rank - 1))] / 1e6;
  }

  double meanMillis() {
    return Arrays.stream(sortedNanos).average().orElse(Double.NaN) / 1e6;
  }

  int count() {
    return sortedNanos.length;
  }
}
