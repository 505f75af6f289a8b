package dev.orca.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orca.schemas.Topic;
import dev.orca.schemas.TopicAdmin;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.ApplicationStatusChanged;
import dev.orca.schemas.avro.DeployCommand;
import dev.orca.schemas.avro.DeployReason;
import dev.orca.schemas.avro.DeployRequested;
import dev.orca.schemas.avro.DeployResult;
import dev.orca.schemas.avro.DeploymentChanged;
import dev.orca.schemas.avro.DeploymentState;
import dev.orca.schemas.avro.HealthStatus;
import dev.orca.schemas.avro.SyncStatus;
import dev.orca.testsupport.SharedKafka;
import dev.orca.testsupport.TopicReader;
import dev.orca.schemas.KafkaAccess;
import dev.orca.schemas.avro.HealthReport;
import dev.orca.schemas.avro.Heartbeat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real dispatcher on a real broker: commands reach the agent, results reach status. */
class DeployDispatcherIntegrationTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Topics TOPICS = new Topics("it-" + UUID.randomUUID() + ".", 3, (short) 1);
  private static final String AGENT = "agent-a";
  /** Its events were read by the dispatcher's Streams application, before the relay existed. */
  private static final String EARLIER_AGENT = "agent-earlier";
  private static final String AGENT_AFTER_DELETION = "agent-after";

  @TempDir
  static Path dataDir;

  private static String bootstrap;
  private static Admin admin;
  private static DeployDispatcher dispatcher;
  private static KafkaProducer<byte[], byte[]> producer;
  private static Map<TopicPartition, OffsetAndMetadata> readBefore;

  @BeforeAll
  static void start() throws Exception {
    bootstrap = SharedKafka.bootstrapServers();
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
    // An earlier version's dispatcher read this agent's events itself and committed them in its own
    // group; the relay starts there, not at the beginning.
    TopicAdmin.ensure(admin, TOPICS.agentTopics(EARLIER_AGENT), WAIT);
    send(TOPICS.agentEvents(EARLIER_AGENT), "read-before", result("read-before"));
    readBefore = new HashMap<>();
    for (int partition = 0; partition < TOPICS.partitions(); partition++) {
      TopicPartition events = new TopicPartition(TOPICS.agentEvents(EARLIER_AGENT).name(), partition);
      long end = admin.listOffsets(Map.of(events, OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS)
          .get(events).offset();
      readBefore.put(events, new OffsetAndMetadata(end));
    }
    admin.alterConsumerGroupOffsets(KafkaAccess.dispatcherApplicationId(TOPICS), readBefore).all()
        .get(30, TimeUnit.SECONDS);
    dispatcher = DeployDispatcher.start(
        new DispatcherSettings(bootstrap, TOPICS, dataDir.resolve("streams"), Duration.ofMinutes(5)));
  }

  @AfterAll
  static void stop() {
    if (producer != null) {
      producer.close();
    }
    if (dispatcher != null) {
      dispatcher.close();
    }
    if (admin != null) {
      admin.close();
    }
  }

  @Test
  void shouldDispatchCommandAndPublishTheAgentsResult() throws Exception {
    assertThat(dispatcher.isRunning()).isTrue();
    TopicAdmin.ensure(admin, TOPICS.agentTopics(AGENT), WAIT);
    String app = "app-" + UUID.randomUUID();

    deployAndSucceed(app, AGENT);
    assertThat(dispatcher.metrics().scrape())
        .contains("kafka_stream_thread_process_total{component=\"deploy-dispatcher\"")
        .containsPattern("kafka_consumer_fetch_manager_records_lag_max\\{[^}]*component=\"deploy-dispatcher\"");
  }

  @Test
  void shouldProcessResultsOfAnAgentRegisteredAfterStart() throws Exception {
    String lateAgent = "agent-" + UUID.randomUUID().toString().substring(0, 8);
    TopicAdmin.ensure(admin, TOPICS.agentTopics(lateAgent), WAIT);
    String app = "app-" + UUID.randomUUID();

    deployAndSucceed(app, lateAgent);
  }

  @Test
  void shouldRelayResultsAndHeartbeatsNamingTheirAgentAndLiveThroughItsTopicDeleted() throws Exception {
    // Where the earlier dispatcher had read becomes the relay group's own offset at once, with nothing
    // new to read there (a deleted agent's events topic waits for the relay's offsets).
    await().atMost(WAIT).untilAsserted(() -> assertThat(admin.listConsumerGroupOffsets(
            KafkaAccess.dispatcherRelayGroup(TOPICS)).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS))
        .as("the relay's offsets").containsAllEntriesOf(readBefore.entrySet().stream()
            .filter(e -> e.getValue().offset() > 0)
            .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue))));
    String agent = "agent-" + UUID.randomUUID().toString().substring(0, 8);
    TopicAdmin.ensure(admin, TOPICS.agentTopics(agent), WAIT);
    String app = "app-" + UUID.randomUUID();
    // Health is the projector's business, and unreadable bytes nobody's: neither is copied.
    send(TOPICS.agentEvents(agent), app, HealthReport.newBuilder().setApplicationId(app)
        .setHealth(HealthStatus.HEALTHY).setAt(Instant.now()).build());
    producer.send(new ProducerRecord<>(TOPICS.agentEvents(agent).name(), app.getBytes(StandardCharsets.UTF_8),
        "not avro".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
    // Written compressed, 3 MB once read: too large for the relay to copy. Skipped, and nothing after it waits.
    try (KafkaProducer<byte[], byte[]> compressing = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip",
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 << 20), new ByteArraySerializer(), new ByteArraySerializer())) {
      compressing.send(TOPICS.agentEvents(agent).record("too-big", DeployResult.newBuilder(result("too-big"))
          .setError("x".repeat(3 << 20)).build())).get(30, TimeUnit.SECONDS);
    }
    send(TOPICS.agentEvents(agent), app, result(app));
    send(TOPICS.agentEvents(agent), agent, Heartbeat.newBuilder().setAgentId("someone-else")
        .setDockerAvailable(true).setAgentVersion("1").setIntervalSeconds(15).setAt(Instant.now()).build());
    send(TOPICS.agentEvents(EARLIER_AGENT), "read-after", result("read-after"));

    java.util.function.Predicate<ConsumerRecord<byte[], byte[]>> ours = r -> List.of(app, agent, "read-after")
        .contains(key(r));
    List<ConsumerRecord<byte[], byte[]>> reports = awaitReports(ours, 3);
    assertThat(reports).filteredOn(ours).extracting(r -> key(r) + " " + type(r) + " " + agentNamed(r)).containsExactlyInAnyOrder(
        app + " DeployResult " + agent,
        agent + " Heartbeat " + agent, // the agent it came from, not the one its payload names
        "read-after DeployResult " + EARLIER_AGENT);
    assertThat(reports).noneMatch(r -> key(r).equals("too-big"));
    // What the earlier dispatcher had read is not read again (it would have been copied first).
    assertThat(reports).noneMatch(r -> key(r).equals("read-before"));

    // A deleted agent's events topic goes under the relay; the dispatcher goes on.
    TopicAdmin.ensure(admin, TOPICS.agentTopics(AGENT_AFTER_DELETION), WAIT);
    admin.deleteTopics(List.of(TOPICS.agentEvents(agent).name())).all().get(30, TimeUnit.SECONDS);
    deployAndSucceed("app-" + UUID.randomUUID(), AGENT_AFTER_DELETION);
    assertThat(dispatcher.isRunning()).isTrue();
  }

  /**
   * Every record of agent-reports from the beginning to its end once at least {@code count} of
   * them are wanted.
   */
  private static List<ConsumerRecord<byte[], byte[]>> awaitReports(
      java.util.function.Predicate<ConsumerRecord<byte[], byte[]>> wanted, int count) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (int partition = 0; partition < TOPICS.partitions(); partition++) {
        partitions.add(new TopicPartition(TOPICS.agentReports().name(), partition));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
      await().atMost(WAIT).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(all::add);
        return all.stream().filter(wanted).count() >= count;
      });
      // And everything else copied so far, in every partition.
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      await().atMost(WAIT).until(() -> {
        consumer.poll(Duration.ofMillis(50)).forEach(all::add);
        return partitions.stream().allMatch(p -> consumer.position(p) >= ends.get(p));
      });
      return all;
    }
  }

  private static String key(ConsumerRecord<byte[], byte[]> record) {
    return new String(record.key(), StandardCharsets.UTF_8);
  }

  private static String type(ConsumerRecord<byte[], byte[]> record) {
    return TOPICS.agentReports().values().deserializer().deserialize(record.topic(), record.value())
        .getClass().getSimpleName();
  }

  private static String agentNamed(ConsumerRecord<byte[], byte[]> record) {
    Header header = record.headers().lastHeader(Topics.AGENT_HEADER);
    return header == null ? "none" : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static DeployResult result(String app) {
    return DeployResult.newBuilder().setDeploymentId("d-" + app).setApplicationId(app).setGeneration(1)
        .setSuccess(true).setHealth(HealthStatus.HEALTHY).setAt(Instant.now()).build();
  }

  private void deployAndSucceed(String app, String agent) throws Exception {
    try (TopicReader<SpecificRecord> commands = new TopicReader<>(bootstrap, TOPICS.agentCommands(agent));
         TopicReader<SpecificRecord> status = new TopicReader<>(bootstrap, TOPICS.status())) {
      send(TOPICS.deployRequests(), app, DeployRequested.newBuilder()
          .setRequestId("req-1").setApplicationId(app).setAgentId(agent).setReason(DeployReason.SYNC)
          .setCommit("c1").setCompose("services: {}\n").setDigest("d1").setComposeChanged(true)
          .setActor("test").setAt(Instant.now()).build());

      DeployCommand command = commands.awaitOne(app, DeployCommand.class, WAIT);
      assertThat(command.getGeneration()).isEqualTo(1);

      send(TOPICS.agentEvents(agent), app, DeployResult.newBuilder()
          .setDeploymentId(command.getDeploymentId()).setApplicationId(app).setGeneration(1).setSuccess(true)
          .setHealth(HealthStatus.HEALTHY).setAt(Instant.now()).build());

      await().atMost(WAIT).untilAsserted(() -> {
        List<SpecificRecord> events = status.poll(app);
        assertThat(events).anySatisfy(e -> {
          assertThat(e).isInstanceOf(DeploymentChanged.class);
          assertThat(((DeploymentChanged) e).getState()).isEqualTo(DeploymentState.SUCCEEDED);
          assertThat(((DeploymentChanged) e).getDeploymentId()).isEqualTo(command.getDeploymentId());
        });
        assertThat(events).anySatisfy(e -> {
          assertThat(e).isInstanceOf(ApplicationStatusChanged.class);
          assertThat(((ApplicationStatusChanged) e).getSyncStatus()).isEqualTo(SyncStatus.SYNCED);
          assertThat(((ApplicationStatusChanged) e).getHealthStatus()).isEqualTo(HealthStatus.HEALTHY);
        });
      });
    }
  }

  private static void send(Topic<String, SpecificRecord> topic, String key, SpecificRecord value) throws Exception {
    producer.send(topic.record(key, value)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
