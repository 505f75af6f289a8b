package dev.orca.gateway.agent;

import dev.orca.schemas.EnvironmentFile;
import dev.orca.schemas.KafkaSecurity;
import dev.orca.schemas.Topics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Everything an agent process needs to start, shown once: at registration and at each rotation.
 * {@code environmentFile} says it all as {@code NAME=value} lines (what {@code docker run
 * --env-file} and the agent's own {@code --env-file} read); {@code command} is one paste that
 * writes that file (0600), checks the settings with the agent jar ({@code --check}: connects,
 * reports, exits; its classes archived for Java's class data sharing on the way) and starts the
 * agent with them, that archive and the recommended memory settings.
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
  /** The archive of the classes the check loaded (Java's CDS): the agent then starts in about 60 % of the time. */
  static final String CLASS_ARCHIVE = "orca-agent.jsa";
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
    // The check stops the paste with the agent's own reason when the settings do not work; the
    // JVM's notes on classes it cannot archive are silenced (they say nothing about the agent).
    String java = "MALLOC_ARENA_MAX=2 java " + JVM_OPTIONS;
    String command = "(umask 077 && cat > " + ENV_FILE + ") <<'" + HEREDOC + "'\n" + file + HEREDOC + "\n"
        + "chmod 600 " + ENV_FILE + " \\\n"
        + "  && " + java + " -XX:ArchiveClassesAtExit=" + CLASS_ARCHIVE + " -Xlog:cds=off -Xlog:cds+dynamic=off"
        + " -jar orca-agent.jar --env-file " + ENV_FILE + " --check \\\n"
        + "  && " + java + " -XX:SharedArchiveFile=" + CLASS_ARCHIVE + " -jar orca-agent.jar --env-file " + ENV_FILE
        + "\n";
    return new AgentConnection(bootstrap, security.protocol(), security.authenticates() ? KafkaSecurity.MECHANISM : null,
        security.username(), security.password(), security.caCertificatePem(), topics.prefix(), agentId,
        topics.agentCommands(agentId).name(), topics.agentEvents(agentId).name(), environmentKey, file, command);
  }

  /** The settings as environment variables, for an agent started in this JVM. */
  Map<String, String> environment() {
    return EnvironmentFile.parse(environmentFile);
  }

  @Override
  public String toString() {
    return "AgentConnection[agentId=" + agentId + ", kafkaBootstrap=" + kafkaBootstrap + ", securityProtocol="
        + securityProtocol + ", username=" + username + "]";
  }
}
