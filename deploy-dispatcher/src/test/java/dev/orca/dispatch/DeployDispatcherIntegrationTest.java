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
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
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

  @TempDir
  static Path dataDir;

  private static String bootstrap;
  private static Admin admin;
  private static DeployDispatcher dispatcher;
  private static KafkaProducer<byte[], byte[]> producer;

  @BeforeAll
  static void start() {
    bootstrap = SharedKafka.bootstrapServers();
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    // No agent exists yet: the events pattern matches nothing when the dispatcher starts,
    // as on a fresh installation.
    dispatcher = DeployDispatcher.start(
        new DispatcherSettings(bootstrap, TOPICS, dataDir.resolve("streams"), Duration.ofMinutes(5)));
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
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
  }

  @Test
  void shouldProcessResultsOfAnAgentRegisteredAfterStart() throws Exception {
    String lateAgent = "agent-" + UUID.randomUUID().toString().substring(0, 8);
    TopicAdmin.ensure(admin, TOPICS.agentTopics(lateAgent), WAIT);
    String app = "app-" + UUID.randomUUID();

    deployAndSucceed(app, lateAgent);
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
