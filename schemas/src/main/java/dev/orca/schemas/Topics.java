package dev.orca.schemas;

import dev.orca.schemas.avro.AgentConfig;
import dev.orca.schemas.avro.AgentRetired;
import dev.orca.schemas.avro.PinReleased;
import dev.orca.schemas.avro.AgentRetirementSeen;
import dev.orca.schemas.avro.ApplicationConfig;
import dev.orca.schemas.avro.ApplicationRemovalFinished;
import dev.orca.schemas.avro.ApplicationStatusChanged;
import dev.orca.schemas.avro.DeployCommand;
import dev.orca.schemas.avro.DeployRequested;
import dev.orca.schemas.avro.DeployResult;
import dev.orca.schemas.avro.DeploymentChanged;
import dev.orca.schemas.avro.HealthReport;
import dev.orca.schemas.avro.ImageUpdateFound;
import dev.orca.schemas.avro.Heartbeat;
import dev.orca.schemas.avro.PullImagesCommand;
import dev.orca.schemas.avro.RemoveCommand;
import dev.orca.schemas.avro.RemoveRequested;
import dev.orca.schemas.avro.RemoveResult;
import dev.orca.schemas.avro.RepositoryConfig;
import dev.orca.schemas.avro.RepositoryStatusChanged;
import dev.orca.schemas.avro.SyncRequested;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The one catalogue of Orca's topics: every name, its key and value serdes, and how it is
 * created. Per-agent names come only from {@link #agentCommands} and {@link #agentEvents}.
 * Config topics have one partition so a consumer sees configuration in revision order.
 */
public final class Topics {

  /** Agent ids become part of topic names, so they are restricted to this alphabet. */
  public static final Pattern AGENT_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /**
   * The header of {@link #agentReports()} naming the agent a report came from, as the relay read
   * it from the events topic's name.
   */
  public static final String AGENT_HEADER = "orca-agent";

  private static final long SEVEN_DAYS_MS = Duration.ofDays(7).toMillis();

  private final String prefix;
  private final int partitions;
  private final short replicationFactor;
  private final Pattern agentEventsPattern;

  private final Serde<String> keys = Serdes.String();
  private final Topic<String, RepositoryConfig> configRepositories;
  private final Topic<String, ApplicationConfig> configApplications;
  private final Topic<String, AgentConfig> configAgents;
  private final Topic<String, SyncRequested> syncRequests;
  private final Topic<String, SpecificRecord> deployRequests;
  private final Topic<String, SpecificRecord> status;
  private final Topic<String, SpecificRecord> agentReports;
  private final AvroSerde<SpecificRecord> agentCommandValues =
      AvroSerde.of(DeployCommand.class, RemoveCommand.class, PullImagesCommand.class);
  private final AvroSerde<SpecificRecord> agentEventValues =
      AvroSerde.of(DeployResult.class, RemoveResult.class, HealthReport.class, Heartbeat.class,
          ImageUpdateFound.class);

  public Topics(String prefix, int partitions, short replicationFactor) {
    if (prefix == null || !prefix.matches("[A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException("topic prefix may only hold letters, digits, '.', '_' and '-'");
    }
    if (partitions < 1 || replicationFactor < 1) {
      throw new IllegalArgumentException("partitions and replication factor must be positive");
    }
    this.prefix = prefix;
    this.partitions = partitions;
    this.replicationFactor = replicationFactor;
    this.agentEventsPattern = Pattern.compile(Pattern.quote(prefix + "agent.") + "(" + AGENT_ID.pattern() + ")"
        + Pattern.quote(".events"));
    configRepositories = new Topic<>(prefix + "config.repositories", keys, AvroSerde.of(RepositoryConfig.class));
    configApplications = new Topic<>(prefix + "config.applications", keys, AvroSerde.of(ApplicationConfig.class));
    configAgents = new Topic<>(prefix + "config.agents", keys, AvroSerde.of(AgentConfig.class));
    syncRequests = new Topic<>(prefix + "sync-requests", keys, AvroSerde.of(SyncRequested.class));
    deployRequests = new Topic<>(prefix + "deploy-requests", keys,
        AvroSerde.of(DeployRequested.class, RemoveRequested.class, AgentRetired.class, PinReleased.class));
    status = new Topic<>(prefix + "status", keys, AvroSerde.of(RepositoryStatusChanged.class,
        ApplicationStatusChanged.class, DeploymentChanged.class, ApplicationRemovalFinished.class,
        AgentRetirementSeen.class));
    agentReports = new Topic<>(prefix + "agent-reports", keys, agentEventValues);
  }

  /** Defaults: prefix {@code orca.}, 3 partitions, replication factor 1. */
  public static Topics defaults() {
    return new Topics("orca.", 3, (short) 1);
  }

  /**
   * From {@code ORCA_TOPIC_PREFIX} (default {@code orca.}), {@code ORCA_TOPIC_PARTITIONS} (3) and
   * {@code ORCA_TOPIC_REPLICATION} (1).
   */
  public static Topics fromEnvironment(Map<String, String> env) {
    return new Topics(env.getOrDefault("ORCA_TOPIC_PREFIX", "orca."),
        Integer.parseInt(env.getOrDefault("ORCA_TOPIC_PARTITIONS", "3")),
        Short.parseShort(env.getOrDefault("ORCA_TOPIC_REPLICATION", "1")));
  }

  public String prefix() {
    return prefix;
  }

  public int partitions() {
    return partitions;
  }

  /** Replication factor of every topic, Kafka Streams' internal ones included. */
  public short replicationFactor() {
    return replicationFactor;
  }

  public Topic<String, RepositoryConfig> configRepositories() {
    return configRepositories;
  }

  public Topic<String, ApplicationConfig> configApplications() {
    return configApplications;
  }

  public Topic<String, AgentConfig> configAgents() {
    return configAgents;
  }

  public Topic<String, SyncRequested> syncRequests() {
    return syncRequests;
  }

  /** DeployRequested and RemoveRequested, keyed by application id; AgentRetired, once per partition. */
  public Topic<String, SpecificRecord> deployRequests() {
    return deployRequests;
  }

  /**
   * RepositoryStatusChanged, ApplicationStatusChanged, DeploymentChanged, ApplicationRemovalFinished,
   * AgentRetirementSeen.
   */
  public Topic<String, SpecificRecord> status() {
    return status;
  }

  /** DeployCommand, RemoveCommand and PullImagesCommand for one agent, keyed by application id. */
  public Topic<String, SpecificRecord> agentCommands(String agentId) {
    return new Topic<>(prefix + "agent." + checkedAgentId(agentId) + ".commands", keys, agentCommandValues);
  }

  /** DeployResult, RemoveResult, HealthReport, Heartbeat and ImageUpdateFound from one agent. */
  public Topic<String, SpecificRecord> agentEvents(String agentId) {
    return new Topic<>(prefix + "agent." + checkedAgentId(agentId) + ".events", keys, agentEventValues);
  }

  /**
   * One key per partition of a topic with {@link #partitions()} partitions, each landing on its own
   * partition by the producer's default partitioner (murmur2 of the key): {@code base/0},
   * {@code base/1}, ... as far as needed. For a record every consumer task must see.
   */
  public List<String> keyPerPartition(String base) {
    String[] keys = new String[partitions];
    int found = 0;
    for (int n = 0; found < partitions; n++) {
      String key = base + "/" + n;
      int partition = org.apache.kafka.common.utils.Utils.toPositive(
          org.apache.kafka.common.utils.Utils.murmur2(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
          % partitions;
      if (keys[partition] == null) {
        keys[partition] = key;
        found++;
      }
    }
    return List.of(keys);
  }

  /**
   * What the dispatcher needs of every agent's events (DeployResult, RemoveResult, Heartbeat),
   * copied by its relay with the agent the events topic belongs to in the header
   * {@link #AGENT_HEADER}; nobody else may write it. Its partitions line up with deploy-requests
   * (same key, same count), so a result meets its application's state in one task. The dispatcher
   * does not subscribe to the agents' topics by pattern itself: Kafka Streams does not survive
   * such a topic being deleted under it, and a deleted agent's topics are deleted.
   */
  public Topic<String, SpecificRecord> agentReports() {
    return agentReports;
  }

  /** Matches every agent's events topic, for consumers that serve all agents. */
  public Pattern agentEventsPattern() {
    return agentEventsPattern;
  }

  /** Reads and writes every agent event type; tells a message's type without decoding it. */
  public MessageCodec<SpecificRecord> agentEventCodec() {
    return agentEventValues.codec();
  }

  /** The serdes shared by every agent's events topic, for pattern subscriptions. */
  public Topic<String, SpecificRecord> anyAgentEvents() {
    return new Topic<>(agentEventsPattern.pattern(), keys, agentEventValues);
  }

  /**
   * The agent that owns an events topic, taken from the topic's name. Consumers trust this
   * and never an agent id inside a payload.
   */
  public Optional<String> agentOfEventsTopic(String topicName) {
    Matcher m = agentEventsPattern.matcher(topicName);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** The agent whose commands topic this is. */
  public Optional<String> agentOfCommandsTopic(String topicName) {
    String start = prefix + "agent.";
    String end = ".commands";
    if (!topicName.startsWith(start) || !topicName.endsWith(end) || topicName.length() <= start.length() + end.length()) {
      return Optional.empty();
    }
    String agentId = topicName.substring(start.length(), topicName.length() - end.length());
    return AGENT_ID.matcher(agentId).matches() ? Optional.of(agentId) : Optional.empty();
  }

  /**
   * Records a component could not process (unreadable bytes, or an unexpected failure): the
   * original key and value bytes, with headers saying where they came from and why
   * ({@link DeadLetterHeaders}).
   */
  public Topic<byte[], byte[]> deadLetters() {
    return new Topic<>(prefix + "dead-letters", Serdes.ByteArray(), Serdes.ByteArray());
  }

  /** Topics every deployment of Orca needs, with their retention policy. */
  public List<NewTopic> sharedTopics() {
    return List.of(
        compacted(configRepositories.name(), 1),
        compacted(configApplications.name(), 1),
        compacted(configAgents.name(), 1),
        retained(syncRequests.name()),
        retained(deployRequests.name()),
        retained(status.name()),
        retained(deadLetters().name()),
        retained(agentReports.name()));
  }

  /** The two topics created when an agent is registered. */
  public List<NewTopic> agentTopics(String agentId) {
    return List.of(
        compacted(agentCommands(agentId).name(), partitions),
        retained(agentEvents(agentId).name()));
  }

  private NewTopic compacted(String name, int count) {
    return new NewTopic(name, count, replicationFactor)
        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
  }

  private NewTopic retained(String name) {
    return new NewTopic(name, partitions, replicationFactor)
        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
            TopicConfig.RETENTION_MS_CONFIG, Long.toString(SEVEN_DAYS_MS)));
  }

  private static String checkedAgentId(String agentId) {
    if (agentId == null || !AGENT_ID.matcher(agentId).matches()) {
      throw new IllegalArgumentException("invalid agent id: " + agentId);
    }
    return agentId;
  }
}
