package dev.orca.dispatch;

import dev.orca.schemas.KafkaSecurity;
import dev.orca.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** How the dispatcher is configured: the broker, the topic catalogue, its state directory and the deploy timeout. */
public record DispatcherSettings(String kafkaBootstrap, Topics topics, Path stateDir, Duration deployTimeout,
    KafkaSecurity kafkaSecurity) {

  public DispatcherSettings {
    if (kafkaBootstrap == null || kafkaBootstrap.isBlank()) {
      throw new IllegalArgumentException("kafka bootstrap servers are required");
    }
    if (deployTimeout == null || deployTimeout.isNegative() || deployTimeout.isZero()) {
      throw new IllegalArgumentException("deploy timeout must be positive");
    }
    if (kafkaSecurity == null) {
      kafkaSecurity = KafkaSecurity.plaintext();
    }
  }

  /** Without authentication to the broker (a broker without it, or the tests' super-user listener). */
  public DispatcherSettings(String kafkaBootstrap, Topics topics, Path stateDir, Duration deployTimeout) {
    this(kafkaBootstrap, topics, stateDir, deployTimeout, KafkaSecurity.plaintext());
  }

  /**
   * From {@code ORCA_KAFKA_BOOTSTRAP} (default {@code localhost:9092}), the {@code ORCA_TOPIC_*}
   * variables, {@code ORCA_DATA_DIR} (default {@code ./data}; state under its {@code streams})
   * and {@code ORCA_DEPLOY_TIMEOUT_SECONDS} (default 300); its credential on the broker from the
   * variables {@link KafkaSecurity#fromEnvironment} reads.
   */
  public static DispatcherSettings fromEnvironment(Map<String, String> env) {
    String timeout = env.getOrDefault("ORCA_DEPLOY_TIMEOUT_SECONDS", "300");
    long seconds;
    try {
      seconds = Long.parseLong(timeout.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("ORCA_DEPLOY_TIMEOUT_SECONDS is not a number: " + timeout, e);
    }
    return new DispatcherSettings(
        env.getOrDefault("ORCA_KAFKA_BOOTSTRAP", "localhost:9092"),
        Topics.fromEnvironment(env),
        Path.of(env.getOrDefault("ORCA_DATA_DIR", "./data")).resolve("streams"),
        Duration.ofSeconds(seconds),
        KafkaSecurity.fromEnvironment(env));
  }
}
