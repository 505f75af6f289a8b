package dev.orca.agent;

import dev.orca.schemas.KafkaSecurity;
import dev.orca.schemas.Topics;
import dev.orca.schemas.crypto.EnvironmentCipher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Everything an agent needs to start; {@link #fromEnvironment} reads the ORCA_* variables.
 * {@code environmentKey} (32 bytes, or null) opens the environments the gateway sealed for this
 * agent; {@link #toString()} leaves it out.
 */
public record AgentSettings(String kafkaBootstrap, Topics topics, String agentId, Path deploymentsDir,
    String dockerHost, Duration heartbeatInterval, Duration healthInterval, String agentVersion, int concurrency,
    byte[] environmentKey, KafkaSecurity kafkaSecurity) {

  public static final String DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";
  /** Applications deployed at the same time unless ORCA_AGENT_CONCURRENCY says otherwise. */
  public static final int DEFAULT_CONCURRENCY = 8;

  public AgentSettings {
    if (agentId == null || !Topics.AGENT_ID.matcher(agentId).matches()) {
      throw new IllegalArgumentException("ORCA_AGENT_ID must be set to letters, digits, '_' or '-' (got '"
          + agentId + "')");
    }
    if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()
        || healthInterval.isNegative() || healthInterval.isZero()) {
      throw new IllegalArgumentException("heartbeat and health intervals must be positive");
    }
    if (concurrency < 1 || concurrency > 256) {
      throw new IllegalArgumentException("ORCA_AGENT_CONCURRENCY must be between 1 and 256 (got " + concurrency + ")");
    }
    if (environmentKey != null && environmentKey.length != EnvironmentCipher.KEY_LENGTH) {
      throw new IllegalArgumentException("ORCA_AGENT_ENVIRONMENT_KEY must be " + EnvironmentCipher.KEY_LENGTH + " bytes");
    }
    environmentKey = environmentKey == null ? null : environmentKey.clone();
    if (kafkaSecurity == null) {
      kafkaSecurity = KafkaSecurity.plaintext();
    }
  }

  /** Without authentication to the broker (a broker without it, or the tests' super-user listener). */
  public AgentSettings(String kafkaBootstrap, Topics topics, String agentId, Path deploymentsDir, String dockerHost,
      Duration heartbeatInterval, Duration healthInterval, String agentVersion, int concurrency,
      byte[] environmentKey) {
    this(kafkaBootstrap, topics, agentId, deploymentsDir, dockerHost, heartbeatInterval, healthInterval, agentVersion,
        concurrency, environmentKey, KafkaSecurity.plaintext());
  }

  public AgentSettings(String kafkaBootstrap, Topics topics, String agentId, Path deploymentsDir, String dockerHost,
      Duration heartbeatInterval, Duration healthInterval, String agentVersion, int concurrency) {
    this(kafkaBootstrap, topics, agentId, deploymentsDir, dockerHost, heartbeatInterval, healthInterval, agentVersion,
        concurrency, null);
  }

  public AgentSettings(String kafkaBootstrap, Topics topics, String agentId, Path deploymentsDir, String dockerHost,
      Duration heartbeatInterval, Duration healthInterval, String agentVersion) {
    this(kafkaBootstrap, topics, agentId, deploymentsDir, dockerHost, heartbeatInterval, healthInterval, agentVersion,
        DEFAULT_CONCURRENCY);
  }

  /** A copy: the caller cannot change the key the agent uses. */
  @Override
  public byte[] environmentKey() {
    return environmentKey == null ? null : environmentKey.clone();
  }

  /** Never with the environment key: settings may be logged. */
  @Override
  public String toString() {
    return "AgentSettings[kafkaBootstrap=" + kafkaBootstrap + ", topics=" + topics.prefix() + ", agentId=" + agentId
        + ", deploymentsDir=" + deploymentsDir + ", dockerHost=" + dockerHost + ", heartbeatInterval="
        + heartbeatInterval + ", healthInterval=" + healthInterval + ", agentVersion=" + agentVersion
        + ", concurrency=" + concurrency + ", environmentKey=" + (environmentKey == null ? "none" : "set")
        + ", kafkaSecurity=" + kafkaSecurity + "]";
  }

  /**
   * ORCA_KAFKA_BOOTSTRAP (localhost:9092), ORCA_AGENT_ID (required), ORCA_AGENT_DEPLOYMENTS_DIR
   * (ORCA_DATA_DIR/deployments, ORCA_DATA_DIR ./data), ORCA_DOCKER_HOST (the local socket),
   * ORCA_AGENT_HEARTBEAT_SECONDS (15), ORCA_AGENT_CONCURRENCY (8 applications deployed at the
   * same time), ORCA_AGENT_ENVIRONMENT_KEY (optional: the base64 {@code environmentKey} of the
   * agent's connection settings; without it, deploying an application that has environment
   * variables fails), its credential on the broker (ORCA_KAFKA_SECURITY_PROTOCOL,
   * ORCA_KAFKA_USERNAME, ORCA_KAFKA_PASSWORD, ORCA_KAFKA_CA_CERT: see {@link
   * KafkaSecurity#fromEnvironment}); health is observed every 5 s.
   */
  public static AgentSettings fromEnvironment(Map<String, String> env) {
    String dataDir = env.getOrDefault("ORCA_DATA_DIR", "./data");
    String deployments = env.get("ORCA_AGENT_DEPLOYMENTS_DIR");
    Path deploymentsDir = deployments == null || deployments.isBlank()
        ? Path.of(dataDir, "deployments") : Path.of(deployments);
    long heartbeat;
    try {
      heartbeat = Long.parseLong(env.getOrDefault("ORCA_AGENT_HEARTBEAT_SECONDS", "15").trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("ORCA_AGENT_HEARTBEAT_SECONDS must be a number of seconds", e);
    }
    int concurrency;
    try {
      concurrency = Integer.parseInt(env.getOrDefault("ORCA_AGENT_CONCURRENCY", "" + DEFAULT_CONCURRENCY).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("ORCA_AGENT_CONCURRENCY must be a number of applications", e);
    }
    return new AgentSettings(
        env.getOrDefault("ORCA_KAFKA_BOOTSTRAP", "localhost:9092"),
        Topics.fromEnvironment(env),
        env.get("ORCA_AGENT_ID"),
        deploymentsDir.toAbsolutePath().normalize(),
        env.getOrDefault("ORCA_DOCKER_HOST", DEFAULT_DOCKER_HOST),
        Duration.ofSeconds(heartbeat),
        Duration.ofSeconds(5),
        buildVersion(),
        concurrency,
        environmentKey(env.get("ORCA_AGENT_ENVIRONMENT_KEY")),
        KafkaSecurity.fromEnvironment(env));
  }

  private static byte[] environmentKey(String base64) {
    if (base64 == null || base64.isBlank()) {
      return null;
    }
    try {
      return EnvironmentCipher.decodeKey(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("ORCA_AGENT_ENVIRONMENT_KEY must be the environmentKey of the agent's"
          + " connection settings (" + e.getMessage() + ")");
    }
  }

  private static String buildVersion() {
    String version = AgentSettings.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }
}
