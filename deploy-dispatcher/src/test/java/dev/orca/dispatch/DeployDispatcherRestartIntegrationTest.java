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
import dev.orca.testsupport.MutableClock;
import dev.orca.testsupport.SharedKafka;
import dev.orca.testsupport.TopicReader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC rule 13 for the dispatcher: a real dispatcher is stopped and a new one started on the same
 * state directory and settings; what arrived or fell due while it was down is handled exactly once.
 */
class DeployDispatcherRestartIntegrationTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  /** How long output is watched for a duplicate after the expected record arrived. */
  private static final Duration QUIET = Duration.ofSeconds(4);
  private static final Topics TOPICS = new Topics("it-restart-" + UUID.randomUUID() + ".", 3, (short) 1);
  private static final String AGENT = "agent-r";
  /**
   * Long, so only the hand-moved clock can make a deadline pass, never a slow machine. Under an
   * hour: output is stamped with the dispatcher's clock, and the broker rejects records stamped
   * more than an hour ahead (message.timestamp.after.max.ms).
   */
  private static final Duration DEPLOY_TIMEOUT = Duration.ofMinutes(10);

  private static String bootstrap;
  private static Admin admin;
  private static KafkaProducer<byte[], byte[]> producer;

  @TempDir
  Path dataDir;

  private DeployDispatcher dispatcher;

  @BeforeAll
  static void connect() {
    bootstrap = SharedKafka.bootstrapServers();
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    TopicAdmin.ensure(admin, TOPICS.sharedTopics(), WAIT);
    TopicAdmin.ensure(admin, TOPICS.agentTopics(AGENT), WAIT);
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
  }

  @AfterAll
  static void disconnect() {
    if (producer != null) {
      producer.close();
    }
    if (admin != null) {
      admin.close();
    }
  }

  @AfterEach
  void stopDispatcher() {
    if (dispatcher != null) {
      dispatcher.close();
    }
  }

  @Test
  void shouldPublishAResultThatArrivedWhileTheDispatcherWasDownExactlyOnce() throws Exception {
    DispatcherSettings settings =
        new DispatcherSettings(bootstrap, TOPICS, dataDir.resolve("streams"), DEPLOY_TIMEOUT);
    // Never moved, so the deployment cannot time out however slowly the test runs.
    MutableClock clock = new MutableClock(Instant.now());
    String app = "app-" + UUID.randomUUID();
    try (TopicReader<SpecificRecord> commands = new TopicReader<>(bootstrap, TOPICS.agentCommands(AGENT));
         TopicReader<SpecificRecord> status = new TopicReader<>(bootstrap, TOPICS.status())) {
      dispatcher = DeployDispatcher.start(settings, clock);
      send(TOPICS.deployRequests(), app, request(app));
      DeployCommand command = commands.awaitOne(app, DeployCommand.class, WAIT);

      dispatcher.close();
      dispatcher = null;
      send(TOPICS.agentEvents(AGENT), app, DeployResult.newBuilder()
          .setDeploymentId(command.getDeploymentId()).setApplicationId(app).setGeneration(command.getGeneration())
          .setSuccess(true).setHealth(HealthStatus.HEALTHY).setAt(Instant.now()).build());
      dispatcher = DeployDispatcher.start(settings, clock);

      await().atMost(WAIT).untilAsserted(() -> {
        List<SpecificRecord> events = status.poll(app);
        assertThat(finished(events, command.getDeploymentId(), DeploymentState.SUCCEEDED)).hasSize(1);
        assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(ApplicationStatusChanged.class,
            changed -> assertThat(changed.getSyncStatus()).isEqualTo(SyncStatus.SYNCED)));
      });
      await().during(QUIET).atMost(QUIET.plusSeconds(5)).untilAsserted(() -> {
        assertThat(finished(status.poll(app), command.getDeploymentId(), DeploymentState.SUCCEEDED)).hasSize(1);
        assertThat(commands.poll(app)).filteredOn(DeployCommand.class::isInstance).hasSize(1);
      });
    }
  }

  @Test
  void shouldTimeOutADeploymentWhoseDeadlinePassedWhileTheDispatcherWasDown() throws Exception {
    DispatcherSettings settings =
        new DispatcherSettings(bootstrap, TOPICS, dataDir.resolve("streams"), DEPLOY_TIMEOUT);
    String app = "app-" + UUID.randomUUID();
    try (TopicReader<SpecificRecord> commands = new TopicReader<>(bootstrap, TOPICS.agentCommands(AGENT));
         TopicReader<SpecificRecord> status = new TopicReader<>(bootstrap, TOPICS.status())) {
      // Avro keeps deadlines to the millisecond.
      MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
      dispatcher = DeployDispatcher.start(settings, clock);
      send(TOPICS.deployRequests(), app, request(app));
      DeployCommand command = commands.awaitOne(app, DeployCommand.class, WAIT);
      assertThat(command.getDeadline()).isEqualTo(clock.instant().plus(DEPLOY_TIMEOUT));

      dispatcher.close();
      dispatcher = null;
      // The clock only moves here, while no dispatcher runs, so the deadline passed during the downtime.
      clock.advance(DEPLOY_TIMEOUT.plusSeconds(1));
      dispatcher = DeployDispatcher.start(settings, clock);

      await().atMost(WAIT).untilAsserted(() -> {
        List<SpecificRecord> events = status.poll(app);
        assertThat(finished(events, command.getDeploymentId(), DeploymentState.TIMED_OUT)).hasSize(1);
        assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(ApplicationStatusChanged.class,
            changed -> assertThat(changed.getSyncStatus()).isEqualTo(SyncStatus.OUT_OF_SYNC)));
      });
      await().during(QUIET).atMost(QUIET.plusSeconds(5)).untilAsserted(() ->
          assertThat(finished(status.poll(app), command.getDeploymentId(), DeploymentState.TIMED_OUT)).hasSize(1));
    }
  }

  private static DeployRequested request(String app) {
    return DeployRequested.newBuilder()
        .setRequestId("req-" + UUID.randomUUID()).setApplicationId(app).setAgentId(AGENT)
        .setReason(DeployReason.SYNC).setCommit("c1").setCompose("services: {}\n").setDigest("d1")
        .setComposeChanged(true).setActor("test").setAt(Instant.now()).build();
  }

  private static List<DeploymentChanged> finished(List<SpecificRecord> events, String deploymentId, DeploymentState state) {
    return events.stream()
        .filter(DeploymentChanged.class::isInstance).map(DeploymentChanged.class::cast)
        .filter(e -> e.getDeploymentId().equals(deploymentId) && e.getState() == state)
        .toList();
  }

  private static void send(Topic<String, SpecificRecord> topic, String key, SpecificRecord value) throws Exception {
    producer.send(topic.record(key, value)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
