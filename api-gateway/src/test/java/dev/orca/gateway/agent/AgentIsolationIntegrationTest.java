package dev.orca.gateway.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.orca.broker.BrokerTls;
import dev.orca.gateway.GatewayTestSupport;
import dev.orca.schemas.EnvironmentFile;
import dev.orca.schemas.KafkaSecurity;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.AgentRetired;
import dev.orca.schemas.avro.AgentRetirementSeen;
import dev.orca.testsupport.SharedKafka;
import dev.orca.testsupport.TopicReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Agents as the broker sees them, through the connection settings the API hands out, on the
 * shared broker with its authorizer: each agent reads only its commands (in its own group) and
 * writes only its events; a rotation refuses the old password and cuts the old session; a deleted
 * agent cannot log in; an agent that trusts another CA refuses the broker. Every refusal is
 * checked next to the same client doing what it may, so none passes because nothing works.
 */
class AgentIsolationIntegrationTest extends GatewayTestSupport {

  private static final Duration REFUSAL = Duration.ofSeconds(30);

  @Autowired
  Topics topics;

  @Autowired
  org.springframework.r2dbc.core.DatabaseClient db;

  @TempDir
  Path dir;

  @SuppressWarnings("unchecked")
  private Map<String, Object> register(String name) {
    return admin().post().uri("/api/v1/agents").bodyValue(Map.of("name", name + "-" + UUID.randomUUID()
            .toString().substring(0, 8)))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> connection(Map<String, Object> agent) {
    return (Map<String, Object>) agent.get("connection");
  }

  /** A client configured exactly as the agent's settings say, from the connection's environment file. */
  private static Map<String, Object> client(Map<String, Object> connection) {
    Map<String, String> env = EnvironmentFile.parse((String) connection.get("environmentFile"));
    Map<String, Object> client = KafkaSecurity.fromEnvironment(env).with(env.get("ORCA_KAFKA_BOOTSTRAP"), Map.of());
    client.put("request.timeout.ms", 10_000);
    client.put("default.api.timeout.ms", 10_000);
    return client;
  }

  @Test
  void shouldLetAnAgentReadOnlyItsCommandsAndWriteOnlyItsEvents() throws Exception {
    assumeThat(SharedKafka.broker()).as("needs the tests' own broker").isPresent();
    Map<String, Object> a = register("iso-a");
    Map<String, Object> b = register("iso-b");
    String aId = (String) a.get("id");
    String bId = (String) b.get("id");
    Map<String, Object> aClient = client(connection(a));
    assertThat(connection(a)).containsEntry("securityProtocol", "SASL_SSL");
    superUserSend(topics.agentCommands(aId).name(), "for a");
    superUserSend(topics.agentCommands(bId).name(), "for b");

    // Its own: read its commands in its own group, write its events.
    assertThat(read(aClient, topics.agentCommands(aId).name(), groupOf(aId))).contains("for a");
    send(aClient, topics.agentEvents(aId).name(), "a's heartbeat");

    // Anything else is refused by the broker.
    assertRefused(TopicAuthorizationException.class, () -> read(aClient, topics.agentCommands(bId).name(), groupOf(aId)));
    assertRefused(TopicAuthorizationException.class, () -> send(aClient, topics.agentEvents(bId).name(), "forged"));
    assertRefused(TopicAuthorizationException.class, () -> send(aClient, topics.agentCommands(aId).name(), "self-made"));
    assertRefused(GroupAuthorizationException.class, () -> read(aClient, topics.agentCommands(aId).name(), groupOf(bId)));
    for (String shared : List.of(topics.configApplications().name(), topics.configRepositories().name(),
        topics.configAgents().name(), topics.deployRequests().name(), topics.status().name(),
        topics.syncRequests().name())) {
      assertRefused(TopicAuthorizationException.class, () -> read(aClient, shared, groupOf(aId)));
    }
    try (Admin admin = Admin.create(aClient)) {
      assertRefused(TopicAuthorizationException.class, () -> {
        try {
          admin.createTopics(List.of(new NewTopic("iso-" + UUID.randomUUID(), 1, (short) 1))).all()
              .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          throw (RuntimeException) e.getCause();
        }
        return null;
      });
      // It sees its own topics, and not even the names of other agents' or the config topics.
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
          .contains(topics.agentCommands(aId).name(), topics.agentEvents(aId).name())
          .doesNotContain(topics.agentCommands(bId).name(), topics.agentEvents(bId).name(),
              topics.configApplications().name());
    }
  }

  @Test
  void shouldRefuseTheOldPasswordAndCutTheOldSessionAfterARotation() throws Exception {
    assumeThat(SharedKafka.broker()).as("needs the tests' own broker").isPresent();
    Map<String, Object> agent = register("rot");
    String id = (String) agent.get("id");
    Map<String, Object> before = client(connection(agent));
    superUserSend(topics.agentCommands(id).name(), "first");

    try (KafkaConsumer<String, String> open = consumer(before, groupOf(id))) {
      open.subscribe(List.of(topics.agentCommands(id).name()));
      assertThat(poll(open, 1)).contains("first");

      @SuppressWarnings("unchecked") Map<String, Object> rotated = admin().post()
          .uri("/api/v1/agents/" + id + "/rotate-token").exchange().expectStatus().isOk()
          .expectBody(Map.class).returnResult().getResponseBody();
      Map<String, Object> after = client(connection(rotated));
      assertThat(connection(rotated).get("username")).isEqualTo("orca-agent-" + id + "-2");
      assertThat(connection(rotated).get("password")).isNotEqualTo(connection(agent).get("password"));
      assertThat(connection(rotated).get("environmentKey")).isEqualTo(connection(agent).get("environmentKey"));

      // The session opened with the old credential is refused from its next request on. (A fetch
      // it sent before the rotation, authorized then, ends within fetch.max.wait.ms: 500 ms.)
      Thread.sleep(1500);
      superUserSend(topics.agentCommands(id).name(), "second");
      assertRefused(TopicAuthorizationException.class, () -> poll(open, 1));
      // A new connection with the old password does not get in; with the new one it reads on.
      assertRefused(SaslAuthenticationException.class, () -> read(before, topics.agentCommands(id).name(), groupOf(id)));
      assertThat(read(after, topics.agentCommands(id).name(), groupOf(id))).contains("second");

      // Every older generation goes at each rotation, not only the last one.
      admin().post().uri("/api/v1/agents/" + id + "/rotate-token").exchange().expectStatus().isOk();
      assertRefused(SaslAuthenticationException.class, () -> read(after, topics.agentCommands(id).name(), groupOf(id)));
    }
  }

  @Test
  void shouldLetADeletedAgentNoLongerConnect() throws Exception {
    assumeThat(SharedKafka.broker()).as("needs the tests' own broker").isPresent();
    Map<String, Object> agent = register("gone");
    String id = (String) agent.get("id");
    Map<String, Object> client = client(connection(agent));
    send(client, topics.agentEvents(id).name(), "alive");

    admin().delete().uri("/api/v1/agents/" + id).exchange().expectStatus().isNoContent();

    assertRefused(SaslAuthenticationException.class, () -> send(client, topics.agentEvents(id).name(), "after"));
    // Its commands topic goes once the dispatcher sends it nothing more; its events topic once every
    // record of it was read. Nobody may write either any more.
    String commands = topics.agentCommands(id).name();
    String events = topics.agentEvents(id).name();
    try (Admin admin = Admin.create(SharedKafka.broker().orElseThrow().superUserClient());
         TopicReader<SpecificRecord> requests = new TopicReader<>(SharedKafka.bootstrapServers(),
             topics.deployRequests())) {
      // No grant of its principal is left.
      assertThat(admin.describeAcls(dev.orca.schemas.KafkaAccess.ofPrincipal("orca-agent-" + id + "-1")).values()
          .get(30, TimeUnit.SECONDS)).isEmpty();
      // Every dispatcher task is told, each on its own partition; until all of them said they send the
      // agent nothing more (no dispatcher runs here: the test says it, as the dispatcher does), its topics stay.
      List<String> keys = topics.keyPerPartition(id);
      for (String key : keys) {
        assertThat(requests.awaitOne(key, AgentRetired.class, REFUSAL).getAgentId()).isEqualTo(id);
      }
      try (KafkaProducer<String, SpecificRecord> status = new KafkaProducer<>(
          Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()),
          topics.status().keys().serializer(), topics.status().values().serializer())) {
        for (int partition = 0; partition < keys.size() - 1; partition++) {
          status.send(new ProducerRecord<>(topics.status().name(), id, seen(id, partition))).get(30, TimeUnit.SECONDS);
        }
        // Told by all but one (the projector has noted them): two sweeps later (AgentRetirements looks
        // every 2 s) the topics are still there.
        await().atMost(REFUSAL).until(() -> db.sql("SELECT count(*) AS n FROM retired_agent_partitions WHERE"
                + " agent_id = :id").bind("id", id).map(row -> row.get("n", Long.class)).one().block(),
            n -> n == keys.size() - 1);
        Thread.sleep(AgentRetirements.EVERY.multipliedBy(2).toMillis());
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains(commands, events);

        status.send(new ProducerRecord<>(topics.status().name(), id, seen(id, keys.size() - 1)))
            .get(30, TimeUnit.SECONDS);
      }
      await().atMost(REFUSAL).untilAsserted(() -> assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
          .doesNotContain(commands));
      // The projector (it runs here) has read "alive", the dispatcher's relay (it does not) has not: the
      // events topic stays, two sweeps later, while the relay's group has not committed past it.
      Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
      for (int partition = 0; partition < topics.partitions(); partition++) {
        ends.put(new TopicPartition(events, partition), OffsetSpec.latest());
      }
      Map<TopicPartition, OffsetAndMetadata> readAll = new HashMap<>();
      Map<TopicPartition, OffsetAndMetadata> readNone = new HashMap<>();
      admin.listOffsets(ends).all().get(30, TimeUnit.SECONDS).forEach((partition, end) -> {
        readAll.put(partition, new OffsetAndMetadata(end.offset()));
        readNone.put(partition, new OffsetAndMetadata(0));
      });
      String relay = dev.orca.schemas.KafkaAccess.dispatcherRelayGroup(topics);
      admin.alterConsumerGroupOffsets(relay, readNone).all().get(30, TimeUnit.SECONDS);
      Thread.sleep(AgentRetirements.EVERY.multipliedBy(2).toMillis());
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains(events);
      admin.alterConsumerGroupOffsets(relay, readAll).all().get(30, TimeUnit.SECONDS);
      await().atMost(REFUSAL).untilAsserted(() -> assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
          .doesNotContain(events));
      // The grants on them go once the groups reading agents' events no longer have it assigned (here,
      // at once or at the projector's next metadata refresh).
      await().atMost(REFUSAL).untilAsserted(() -> {
        for (var filter : dev.orca.schemas.KafkaAccess.onAgent(topics, id)) {
          assertThat(admin.describeAcls(filter).values().get(30, TimeUnit.SECONDS)).as("grants on %s", filter)
              .isEmpty();
        }
      });
      await().atMost(REFUSAL).until(() -> db.sql("SELECT count(*) AS n FROM retired_agents WHERE agent_id = :id")
          .bind("id", id).map(row -> row.get("n", Long.class)).one().block(), n -> n == 0);
    }
  }

  private AgentRetirementSeen seen(String agentId, int partition) {
    return AgentRetirementSeen.newBuilder().setAgentId(agentId).setPartition(partition)
        .setPartitions(topics.partitions()).setAt(java.time.Instant.now()).build();
  }

  @Test
  void shouldRefuseABrokerWhoseCertificateAnotherCaIssued() throws Exception {
    assumeThat(SharedKafka.broker()).as("needs the tests' own broker").isPresent();
    Map<String, Object> agent = register("ca");
    String id = (String) agent.get("id");
    Map<String, Object> client = client(connection(agent));
    send(client, topics.agentEvents(id).name(), "trusted");

    String otherCa = BrokerTls.loadOrCreate(dir.resolve("other-ca"), List.of()).caCertificatePem();
    Map<String, Object> misled = new HashMap<>(client);
    misled.put("ssl.truststore.certificates", otherCa);
    assertRefused(SslAuthenticationException.class, () -> send(misled, topics.agentEvents(id).name(), "never"));
    assertThat(Files.readString(dir.resolve("other-ca").resolve("ca.crt"), StandardCharsets.US_ASCII))
        .isNotEqualTo(connection(agent).get("caCertificate"));
  }

  private String groupOf(String agentId) {
    return topics.prefix() + "agent-" + agentId;
  }

  /** The action fails, within its deadline, with {@code refusal} (or an exception caused by it). */
  private static void assertRefused(Class<? extends Throwable> refusal, java.util.concurrent.Callable<?> action) {
    Throwable thrown = null;
    try {
      action.call();
    } catch (Throwable e) {
      thrown = e;
    }
    assertThat(thrown).as("expected %s", refusal.getSimpleName()).isNotNull();
    Throwable cause = thrown;
    while (cause != null && !refusal.isInstance(cause)) {
      cause = cause.getCause();
    }
    assertThat(cause).as("%s caused by %s", thrown, refusal.getSimpleName()).isNotNull();
  }

  private static void superUserSend(String topic, String value) throws Exception {
    send(SharedKafka.broker().orElseThrow().superUserClient(), topic, value);
  }

  private static Object send(Map<String, Object> client, String topic, String value) throws Exception {
    Map<String, Object> config = new HashMap<>(client);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) REFUSAL.toMillis());
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) REFUSAL.toMillis());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
        new StringSerializer())) {
      return producer.send(new ProducerRecord<>(topic, "k", value)).get(REFUSAL.toSeconds(), TimeUnit.SECONDS);
    }
  }

  private static KafkaConsumer<String, String> consumer(Map<String, Object> client, String group) {
    Map<String, Object> config = new HashMap<>(client);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    // Static membership, as the agent's own consumer: a restarted agent takes its partitions back at
    // once, also from a session whose credential was rotated away (it cannot leave the group any more).
    config.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, group);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
  }

  /** Values read until at least {@code expected} came or the deadline passed; a refusal is thrown. */
  private static List<String> poll(KafkaConsumer<String, String> consumer, int expected) {
    List<String> values = new ArrayList<>();
    long giveUp = System.nanoTime() + REFUSAL.toNanos();
    while (values.size() < expected && System.nanoTime() < giveUp) {
      for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
        values.add(record.value());
      }
    }
    return values;
  }

  private static List<String> read(Map<String, Object> client, String topic, String group) {
    try (KafkaConsumer<String, String> consumer = consumer(client, group)) {
      consumer.subscribe(List.of(topic));
      List<String> values = poll(consumer, 1);
      if (values.isEmpty()) {
        throw new KafkaException("nothing read from " + topic + " within " + REFUSAL);
      }
      return values;
    }
  }
}
