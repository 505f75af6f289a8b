package dev.orca.schemas;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Who may do what on the broker: the one catalogue of Orca's ACLs, applied by the set-up of the
 * components' principals and by the gateway when it registers an agent. Nothing is allowed that
 * is not listed here (the broker runs {@code allow.everyone.if.no.acl.found=false}).
 *
 * <p>Per agent, every grant names the agent's topics literally, and they are granted before the
 * topics are created: a pattern subscription (the projector's, the dispatcher's relay) sees only topics
 * its principal may describe, so it never meets an agent topic it could see but not read. READ,
 * WRITE and DELETE imply DESCRIBE in Kafka.
 */
public final class KafkaAccess {

  /** The components' principal names (SCRAM user names). */
  public record Principals(String gateway, String syncStream, String dispatcher) {

    public static Principals defaults() {
      return new Principals("orca-gateway", "orca-sync-stream", "orca-deploy-dispatcher");
    }
  }

  private KafkaAccess() {}

  /** The principal of an agent's {@code generation}th credential; each rotation makes a new one. */
  public static String agentPrincipal(String agentId, int generation) {
    return "orca-agent-" + agentId + "-" + generation;
  }

  /** The consumer group an agent reads its commands in. */
  public static String agentGroup(Topics topics, String agentId) {
    return topics.prefix() + "agent-" + agentId;
  }

  public static String syncStreamApplicationId(Topics topics) {
    return topics.prefix() + "sync-stream";
  }

  public static String dispatcherApplicationId(Topics topics) {
    return topics.prefix() + "deploy-dispatcher";
  }

  /** The consumer group of the dispatcher's relay from every agent's events topic to agent-reports. */
  public static String dispatcherRelayGroup(Topics topics) {
    return dispatcherApplicationId(topics) + "-relay";
  }

  /** The relay's transactional id on the dispatcher instance {@code instanceId}. */
  public static String dispatcherRelayTransactionalId(Topics topics, String instanceId) {
    return dispatcherApplicationId(topics) + "-relay-" + instanceId;
  }

  public static String projectorGroup(Topics topics) {
    return topics.prefix() + "projector";
  }

  /** What each component's principal is allowed, keyed by principal name. */
  public static Map<String, List<AclBinding>> components(Topics topics, Principals principals) {
    Map<String, List<AclBinding>> all = new LinkedHashMap<>();

    List<AclBinding> gateway = ensuresSharedTopics(topics, principals.gateway());
    for (String config : List.of(topics.configRepositories().name(), topics.configApplications().name(),
        topics.configAgents().name(), topics.syncRequests().name(), topics.deployRequests().name())) {
      gateway.add(topic(principals.gateway(), config, AclOperation.WRITE));
    }
    gateway.add(topic(principals.gateway(), topics.status().name(), AclOperation.READ));
    // The projector keeps what each deployment ran (compose, files, environment) for rollbacks.
    gateway.add(topic(principals.gateway(), topics.deployRequests().name(), AclOperation.READ));
    gateway.add(group(principals.gateway(), projectorGroup(topics), AclOperation.READ));
    // Deleting an agent's events topic waits until the dispatcher's relay has read it all.
    gateway.add(group(principals.gateway(), dispatcherRelayGroup(topics), AclOperation.DESCRIBE));
    // /api/v1/health looks at the stream processors' groups.
    gateway.add(group(principals.gateway(), syncStreamApplicationId(topics), AclOperation.DESCRIBE));
    gateway.add(group(principals.gateway(), dispatcherApplicationId(topics), AclOperation.DESCRIBE));
    // Registering agents: their topics, credentials and ACLs.
    gateway.add(binding(principals.gateway(), new ResourcePattern(ResourceType.TOPIC, topics.prefix() + "agent.",
        PatternType.PREFIXED), AclOperation.CREATE));
    gateway.add(cluster(principals.gateway(), AclOperation.ALTER));
    gateway.add(cluster(principals.gateway(), AclOperation.DESCRIBE));
    all.put(principals.gateway(), gateway);

    List<AclBinding> sync = ensuresSharedTopics(topics, principals.syncStream());
    for (String read : List.of(topics.syncRequests().name(), topics.configRepositories().name(),
        topics.configApplications().name())) {
      sync.add(topic(principals.syncStream(), read, AclOperation.READ));
    }
    for (String write : List.of(topics.deployRequests().name(), topics.status().name(), topics.deadLetters().name())) {
      sync.add(topic(principals.syncStream(), write, AclOperation.WRITE));
    }
    sync.addAll(streamsApplication(principals.syncStream(), syncStreamApplicationId(topics)));
    all.put(principals.syncStream(), sync);

    List<AclBinding> dispatcher = ensuresSharedTopics(topics, principals.dispatcher());
    dispatcher.add(topic(principals.dispatcher(), topics.deployRequests().name(), AclOperation.READ));
    dispatcher.add(topic(principals.dispatcher(), topics.status().name(), AclOperation.WRITE));
    dispatcher.add(topic(principals.dispatcher(), topics.agentReports().name(), AclOperation.READ));
    dispatcher.add(topic(principals.dispatcher(), topics.agentReports().name(), AclOperation.WRITE));
    // The relay copying agents' events into agent-reports; its transactional ids start with the
    // application id, so the Streams application's grant covers them.
    dispatcher.add(group(principals.dispatcher(), dispatcherRelayGroup(topics), AclOperation.READ));
    dispatcher.addAll(streamsApplication(principals.dispatcher(), dispatcherApplicationId(topics)));
    all.put(principals.dispatcher(), dispatcher);
    return all;
  }

  /**
   * An agent's grants: its principal reads its commands (in its own group) and writes its events,
   * nothing else; the dispatcher writes its commands and reads its events; the gateway reads its
   * events (the projector) and may delete both topics.
   */
  public static List<AclBinding> agent(Topics topics, Principals principals, String agentId, String agentPrincipal) {
    List<AclBinding> bindings = new ArrayList<>(agentOwn(topics, agentId, agentPrincipal));
    bindings.addAll(agentComponents(topics, principals, agentId));
    return bindings;
  }

  /**
   * The components' grants on one agent's topics. They outlive the agent's own principal: the
   * dispatcher may still send a removal handed over from a moved application to a deleted agent,
   * and a send it is not allowed would stop it.
   */
  public static List<AclBinding> agentComponents(Topics topics, Principals principals, String agentId) {
    String commands = topics.agentCommands(agentId).name();
    String events = topics.agentEvents(agentId).name();
    List<AclBinding> bindings = new ArrayList<>();
    bindings.add(topic(principals.dispatcher(), commands, AclOperation.WRITE));
    bindings.add(topic(principals.dispatcher(), events, AclOperation.READ));
    bindings.add(topic(principals.gateway(), events, AclOperation.READ));
    bindings.add(topic(principals.gateway(), events, AclOperation.DELETE));
    bindings.add(topic(principals.gateway(), commands, AclOperation.DELETE));
    return bindings;
  }

  /** Only what the agent's own principal is allowed. */
  public static List<AclBinding> agentOwn(Topics topics, String agentId, String agentPrincipal) {
    return List.of(
        topic(agentPrincipal, topics.agentCommands(agentId).name(), AclOperation.READ),
        topic(agentPrincipal, topics.agentEvents(agentId).name(), AclOperation.WRITE),
        group(agentPrincipal, agentGroup(topics, agentId), AclOperation.READ));
  }

  /** Every grant of {@code principal}, on any resource. */
  public static AclBindingFilter ofPrincipal(String principal) {
    return new AclBindingFilter(ResourcePatternFilter.ANY, new AccessControlEntryFilter(user(principal), null,
        AclOperation.ANY, AclPermissionType.ANY));
  }

  /** Every grant on the agent's two topics and its group, whoever holds it. */
  public static List<AclBindingFilter> onAgent(Topics topics, String agentId) {
    return List.of(
        onResource(ResourceType.TOPIC, topics.agentCommands(agentId).name()),
        onResource(ResourceType.TOPIC, topics.agentEvents(agentId).name()),
        onResource(ResourceType.GROUP, agentGroup(topics, agentId)));
  }

  public static String user(String principal) {
    return "User:" + principal;
  }

  /** The components create the shared topics they miss at start and check their partitions (TopicAdmin). */
  private static List<AclBinding> ensuresSharedTopics(Topics topics, String principal) {
    List<AclBinding> bindings = new ArrayList<>();
    topics.sharedTopics().forEach(topic -> {
      bindings.add(topic(principal, topic.name(), AclOperation.CREATE));
      bindings.add(topic(principal, topic.name(), AclOperation.DESCRIBE));
    });
    return bindings;
  }

  /** A Kafka Streams application: its internal topics, consumer group and transactional ids, all named by its id. */
  private static List<AclBinding> streamsApplication(String principal, String applicationId) {
    return List.of(
        binding(principal, new ResourcePattern(ResourceType.TOPIC, applicationId, PatternType.PREFIXED),
            AclOperation.ALL),
        binding(principal, new ResourcePattern(ResourceType.GROUP, applicationId, PatternType.LITERAL),
            AclOperation.READ),
        binding(principal, new ResourcePattern(ResourceType.TRANSACTIONAL_ID, applicationId, PatternType.PREFIXED),
            AclOperation.ALL));
  }

  private static AclBindingFilter onResource(ResourceType type, String name) {
    return new AclBindingFilter(new ResourcePatternFilter(type, name, PatternType.LITERAL),
        AccessControlEntryFilter.ANY);
  }

  private static AclBinding topic(String principal, String topic, AclOperation operation) {
    return binding(principal, new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL), operation);
  }

  private static AclBinding group(String principal, String group, AclOperation operation) {
    return binding(principal, new ResourcePattern(ResourceType.GROUP, group, PatternType.LITERAL), operation);
  }

  private static AclBinding cluster(String principal, AclOperation operation) {
    return binding(principal, new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL),
        operation);
  }

  private static AclBinding binding(String principal, ResourcePattern pattern, AclOperation operation) {
    return new AclBinding(pattern, new AccessControlEntry(user(principal), "*", operation, AclPermissionType.ALLOW));
  }
}
