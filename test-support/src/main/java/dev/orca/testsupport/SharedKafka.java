package dev.orca.testsupport;

import java.util.Map;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * One real Kafka broker (KRaft, in this JVM) shared by every test of the run, started on first
 * use. {@code ORCA_TEST_KAFKA_BOOTSTRAP} points the tests at an external broker instead.
 */
public final class SharedKafka {

  private static EmbeddedKafkaKraftBroker broker;
  private static String external = System.getenv("ORCA_TEST_KAFKA_BOOTSTRAP");

  private SharedKafka() {}

  public static synchronized String bootstrapServers() {
    if (external != null && !external.isBlank()) {
      return external;
    }
    if (broker == null) {
      EmbeddedKafkaKraftBroker started = new EmbeddedKafkaKraftBroker(1, 1);
      started.brokerProperties(Map.of(
          "group.initial.rebalance.delay.ms", "0",
          "transaction.state.log.replication.factor", "1",
          "transaction.state.log.min.isr", "1",
          "offsets.topic.replication.factor", "1",
          "auto.create.topics.enable", "false"));
      started.afterPropertiesSet();
      // No shutdown hook: the test kit deletes its log directories in its own hook, and a
      // broker closing concurrently only logs errors about them. The JVM's exit ends it.
      broker = started;
    }
    return broker.getBrokersAsString();
  }

  /**
   * Stops the broker this JVM started, if any. For programs that exit by themselves (the
   * benches): stopped before the exit, it does not log errors about log directories the test kit's
   * exit hook deletes under it.
   */
  public static synchronized void stop() {
    if (broker != null) {
      broker.destroy();
      broker = null;
    }
  }
}
