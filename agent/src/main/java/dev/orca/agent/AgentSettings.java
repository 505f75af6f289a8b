package dev.orca.agent;

import dev.orca.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** Everything an agent needs to start; {@link #fromEnvironment} reads the ORCA_* variables. */
public record AgentSettings(String kafkaBootstrap, Topics topics, String agentId, Path deploymentsDir,
    String dockerHost, Duration heartbeatInterval, Duration healthInterval, String agentVersion) {

  public static final String DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";

  public AgentSettings {
    if (agentId == null || !Topics.AGENT_ID.matcher(agentId).matches()) {
      throw new IllegalArgumentException("ORCA_AGENT_ID must be set to letters, digits, '_' or '-' (got '"
          + agentId + "')");
    }
    if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()
        || healthInterval.isNegative() || healthInterval.isZero()) {
      throw new IllegalArgumentException("heartbeat and health intervals must be positive");
    }
  }

  /**
   * ORCA_KAFKA_BOOTSTRAP (localhost:9092), ORCA_AGENT_ID (required), ORCA_AGENT_DEPLOYMENTS_DIR
   * (ORCA_DATA_DIR/deployments, ORCA_DATA_DIR ./data), ORCA_DOCKER_HOST (the local socket),
   * ORCA_AGENT_HEARTBEAT_SECONDS (15); health is observed every 5 s.
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
    return new AgentSettings(
        env.getOrDefault("ORCA_KAFKA_BOOTSTRAP", "localhost:9092"),
        Topics.fromEnvironment(env),
        env.get("ORCA_AGENT_ID"),
        deploymentsDir.toAbsolutePath().normalize(),
        env.getOrDefault("ORCA_DOCKER_HOST", DEFAULT_DOCKER_HOST),
        Duration.ofSeconds(heartbeat),
        Duration.ofSeconds(5),
        buildVersion());
  }

  private static String buildVersion() {
    String version = AgentSettings.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }
}
