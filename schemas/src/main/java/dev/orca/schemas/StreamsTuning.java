package dev.orca.schemas;

import java.util.Map;

/** Settings shared by Orca's Kafka Streams applications. */
public final class StreamsTuning {

  /** Default commit interval: output of an exactly-once task is visible only after a commit. */
  public static final int DEFAULT_COMMIT_INTERVAL_MS = 20;

  private StreamsTuning() {}

  /** {@code ORCA_STREAMS_COMMIT_INTERVAL_MS}, default {@value #DEFAULT_COMMIT_INTERVAL_MS}. */
  public static int commitIntervalMs(Map<String, String> env) {
    String value = env.get("ORCA_STREAMS_COMMIT_INTERVAL_MS");
    if (value == null || value.isBlank()) {
      return DEFAULT_COMMIT_INTERVAL_MS;
    }
    int ms = Integer.parseInt(value.trim());
    if (ms < 1) {
      throw new IllegalArgumentException("ORCA_STREAMS_COMMIT_INTERVAL_MS must be positive: " + value);
    }
    return ms;
  }
}
