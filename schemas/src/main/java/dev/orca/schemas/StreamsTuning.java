package dev.orca.schemas;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** Latency settings shared by Orca's exactly-once Kafka Streams applications (sync-stream, deploy-dispatcher). */
public final class StreamsTuning {

  /** Default commit interval: output of an exactly-once task is visible only after a commit. */
  public static final int DEFAULT_COMMIT_INTERVAL_MS = 20;

  /**
   * The producers' first retry backoff. A transaction begun right after the last one committed
   * often meets CONCURRENT_TRANSACTIONS (the coordinator is still writing the last one's markers),
   * and the producer retries after {@code retry.backoff.ms}: at the default 100 ms, a sync whose
   * SYNCING and DeployRequested commit back to back stalled 70–100 ms in one of three. The backoff
   * still grows exponentially to {@code retry.backoff.max.ms} (1 s) when a broker is really away.
   */
  public static final int PRODUCER_RETRY_BACKOFF_MS = 10;

  private StreamsTuning() {}

  /** Sets the commit interval ({@link #commitIntervalMs}) and the producers' retry backoff. */
  public static void applyLatency(Properties props, Map<String, String> env) {
    // Under exactly-once, output becomes visible to read_committed consumers only at a commit;
    // the default 100 ms interval would dominate a sync's latency.
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs(env));
    props.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), PRODUCER_RETRY_BACKOFF_MS);
  }

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
