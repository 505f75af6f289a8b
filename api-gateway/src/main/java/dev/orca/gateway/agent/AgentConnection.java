package dev.orca.gateway.agent;

import dev.orca.schemas.KafkaSecurity;
import dev.orca.schemas.Topics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Everything an agent process needs to start, shown once: at registration and at each rotation.
 * {@code environmentFile} says it all as {@code NAME=value} lines (what {@code docker run
 * --env-file} and the agent's own {@code --env-file} read); {@code command} is one paste that
 * writes that file (0600) and starts the agent jar with it and the recommended memory settings.
 * {@code environmentKey} (base64) opens the environments sealed for this agent; it stays the same
 * across rotations (a new one would make every sealed environment of the agent unreadable).
 * {@code toString} shows no secret.
 */
record AgentConnection(String kafkaBootstrap, String securityProtocol, String saslMechanism, String username,
    String password, String caCertificate, String topicPrefix, String agentId, String commandsTopic,
    String eventsTopic, String environmentKey, String environmentFile, String command) {

  /** The JVM options the agent is measured with (README, "the agent"): at most 128 MB resident. */
  static final String JVM_OPTIONS = "-XX:+UseSerialGC -Xmx40m -Xmn8m -XX:TieredStopAtLevel=1 -Xss512k"
      + " -XX:ReservedCodeCacheSize=32m -XX:MaxMetaspaceSize=96m -XX:MaxDirectMemorySize=16m";
  static final String ENV_FILE = "orca-agent.env";
  private static final String HEREDOC = "ORCA_AGENT_ENV";

  static AgentConnection of(String bootstrap, KafkaSecurity security, Topics topics, String agentId,
      String environmentKey) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("ORCA_AGENT_ID", agentId);
    env.put("ORCA_KAFKA_BOOTSTRAP", bootstrap);
    env.put("ORCA_TOPIC_PREFIX", topics.prefix());
    env.putAll(security.toEnvironment("ORCA_KAFKA_"));
    if (environmentKey != null) {
      env.put("ORCA_AGENT_ENVIRONMENT_KEY", environmentKey);
    }
    String file = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining("\n", "", "\n"));
    // The umask in a subshell (the user's shell keeps its own), and chmod for a file that existed already.
    String command = "(umask 077 && cat > " + ENV_FILE + ") <<'" + HEREDOC + "'\n" + file + HEREDOC + "\n"
        + "chmod 600 " + ENV_FILE + " && MALLOC_ARENA_MAX=2 java " + JVM_OPTIONS + " -jar orca-agent.jar --env-file "
        + ENV_FILE + "\n";
    return new AgentConnection(bootstrap, security.protocol(), security.authenticates() ? KafkaSecurity.MECHANISM : null,
        security.username(), security.password(), security.caCertificatePem(), topics.prefix(), agentId,
        topics.agentCommands(agentId).name(), topics.agentEvents(agentId).name(), environmentKey, file, command);
  }

  /** The settings as environment variables, for an agent started in this JVM. */
  Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : environmentFile.split("\n")) {
      int equals = line.indexOf('=');
      if (equals > 0) {
        env.put(line.substring(0, equals), line.substring(equals + 1));
      }
    }
    return env;
  }

  @Override
  public String toString() {
    return "AgentConnection[agentId=" + agentId + ", kafkaBootstrap=" + kafkaBootstrap + ", securityProtocol="
        + securityProtocol + ", username=" + username + "]";
  }
}
