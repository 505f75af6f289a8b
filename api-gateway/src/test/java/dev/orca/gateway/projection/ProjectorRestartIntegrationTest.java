package dev.orca.gateway.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orca.schemas.TopicAdmin;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.ApplicationStatusChanged;
import dev.orca.schemas.avro.DeployReason;
import dev.orca.schemas.avro.DeploymentChanged;
import dev.orca.schemas.avro.DeploymentState;
import dev.orca.schemas.avro.HealthStatus;
import dev.orca.schemas.avro.RepositoryStatusChanged;
import dev.orca.schemas.avro.RepositorySyncStatus;
import dev.orca.schemas.avro.SyncStatus;
import dev.orca.schemas.crypto.Keys;
import dev.orca.schemas.crypto.SecretBox;
import dev.orca.testsupport.SharedKafka;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC rule 13 for the projection: a Projector stopped, closed mid-stream or restarted while the
 * database refuses its batches loses no status event once a new Projector of the same group runs.
 * Every test has its own topics (so its own consumer group) and its own migrated database.
 */
class ProjectorRestartIntegrationTest {

  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final SecretBox SECRETS =
      new SecretBox(Keys.fromSecret("projector-restart-secret-0123456789-abcdefgh"));
  private static final SyncStatus[] SYNC = {SyncStatus.SYNCING, SyncStatus.SYNCED, SyncStatus.OUT_OF_SYNC};
  private static final HealthStatus[] HEALTH =
      {HealthStatus.PROGRESSING, HealthStatus.HEALTHY, HealthStatus.UNHEALTHY, HealthStatus.MISSING};

  private static KafkaProducer<byte[], byte[]> producer;

  private final List<Projector> projectors = new ArrayList<>();
  private Topics topics;
  private ProjectionDatabase db;
  private String agentId;
  private UUID repositoryId;

  @BeforeAll
  static void connect() {
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
  }

  @AfterAll
  static void disconnect() {
    producer.close();
  }

  @BeforeEach
  void freshTopicsAndDatabase() {
    topics = new Topics("restart-" + UUID.randomUUID() + ".", 3, (short) 1);
    try (Admin admin = admin()) {
      TopicAdmin.ensure(admin, topics.sharedTopics(), DEADLINE);
    }
    db = new ProjectionDatabase();
    agentId = "agent-" + UUID.randomUUID().toString().substring(0, 8);
    db.agent(agentId);
    repositoryId = db.repository();
  }

  @AfterEach
  void closeProjectors() {
    projectors.forEach(Projector::close);
  }

  @Test
  void shouldApplyStatusEventsPublishedWhileTheProjectorWasStoppedWhenANewOneStarts() throws Exception {
    UUID applicationId = db.application(repositoryId, agentId);
    Projector first = startProjector();
    publish(repositoryId.toString(), RepositoryStatusChanged.newBuilder().setRepositoryId(repositoryId.toString())
        .setStatus(RepositorySyncStatus.SUCCESS).setLastSyncedAt(Instant.now()).setAt(Instant.now()).build());
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(repository().get("sync_status")).isEqualTo("success"));
    // The group has committed past that record, so the next Projector resumes after it.
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(committedOnStatus()).isEqualTo(1));
    first.close();

    List<ApplicationStatusChanged> whileStopped = new ArrayList<>();
    for (int step = 0; step < 10; step++) {
      whileStopped.add(status(applicationId, step));
    }
    whileStopped.forEach(event -> publish(applicationId.toString(), event));
    // Nobody consumes while stopped: the group has no member and its committed offset did not move.
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(projectorGroupMembers()).isZero());
    assertThat(committedOnStatus()).as("committed while stopped").isEqualTo(1);

    startProjector();

    await().atMost(DEADLINE).untilAsserted(() -> assertApplicationMatches(applicationId,
        whileStopped.get(9), whileStopped.get(8).getCompose()));
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(committedOnStatus()).isEqualTo(11));
    assertThat(db.count("SELECT count(*) FROM events WHERE entity = 'repository' AND entity_id = ?",
        repositoryId.toString())).as("the new Projector resumed at the committed offset").isEqualTo(1);
  }

  @Test
  void shouldEndWithTheStateOfEveryRecordInOrderWhenClosedMidStream() throws Exception {
    List<UUID> applications = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      applications.add(db.application(repositoryId, agentId));
    }
    // 200 records, interleaved across applications; each application's records share a key,
    // hence a partition, hence their order.
    List<Keyed> stream = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      UUID applicationId = applications.get(i % applications.size());
      int step = i / applications.size();
      SpecificRecord event = step % 2 == 0 ? status(applicationId, step) : deployment(applicationId, step);
      stream.add(new Keyed(applicationId.toString(), event));
    }

    Projector first = startProjector();
    stream.subList(0, 50).forEach(record -> publish(record.key(), record.event()));
    await().atMost(DEADLINE).untilAsserted(() -> assertStateAfter(stream, 50));
    long deploymentsBefore = db.count("SELECT count(*) FROM deployments");

    CompletableFuture<Void> inFlight = CompletableFuture.runAsync(
        () -> stream.subList(50, 125).forEach(record -> publish(record.key(), record.event())));
    await().atMost(DEADLINE).until(() -> db.count("SELECT count(*) FROM deployments") > deploymentsBefore);
    first.close();
    inFlight.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    stream.subList(125, 200).forEach(record -> publish(record.key(), record.event()));

    startProjector();

    await().atMost(DEADLINE).untilAsserted(() -> assertStateAfter(stream, 200));
    for (UUID applicationId : applications) {
      assertThat(db.count("SELECT count(*) FROM deployments WHERE application_id = ?", applicationId))
          .as("one row per deployment id of %s", applicationId).isEqualTo(10);
    }
    assertThat(db.count("SELECT count(*) FROM deployments")).isEqualTo(50);
  }

  @Test
  void shouldLoseNothingWhenRestartedWhileTheDatabaseRefusesTheBatch() throws Exception {
    UUID applicationId = db.application(repositoryId, agentId);
    String repository = repositoryId.toString();
    List<ApplicationStatusChanged> statuses = List.of(status(applicationId, 0), status(applicationId, 2));
    DeploymentChanged deployment = deployment(applicationId, 3);

    Projector first = startProjector();
    try (RetryWarnings retries = RetryWarnings.about(topics)) {
      db.execute("ALTER TABLE events RENAME TO events_away");
      try {
        publish(repository, RepositoryStatusChanged.newBuilder().setRepositoryId(repository)
            .setStatus(RepositorySyncStatus.FAILED).setLastSyncError("cannot resolve main").setAt(Instant.now())
            .build());
        statuses.forEach(event -> publish(applicationId.toString(), event));
        publish(applicationId.toString(), deployment);
        // The batch fails while the table is away: wait until it was refused and retried.
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(retries.count()).isGreaterThanOrEqualTo(2));
        first.close();
        long refusedBeforeRestart = retries.count();

        // The new Projector is handed the same uncommitted batch and is refused in turn.
        startProjector();
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(retries.count()).isGreaterThan(refusedBeforeRestart));
        assertThat(repository().get("sync_status")).isEqualTo("unknown");
        assertThat(application(applicationId).get("sync_status")).isEqualTo("unknown");
        assertThat(db.count("SELECT count(*) FROM deployments")).isZero();
        assertThat(committedOnStatus()).as("nothing committed while refused").isZero();
      } finally {
        db.execute("ALTER TABLE events_away RENAME TO events");
      }
    }

    await().atMost(DEADLINE).untilAsserted(() -> {
      assertThat(repository()).containsEntry("sync_status", "failed")
          .containsEntry("last_sync_error", "cannot resolve main");
      assertApplicationMatches(applicationId, statuses.get(1), statuses.get(0).getCompose());
      assertDeploymentMatches(deployment);
    });
    assertThat(db.count("SELECT count(*) FROM events WHERE entity = 'repository' AND entity_id = ?", repository))
        .isEqualTo(1);
    assertThat(db.count("SELECT count(*) FROM events WHERE entity = 'deployment' AND entity_id = ?",
        deployment.getDeploymentId())).isEqualTo(1);
  }

  private record Keyed(String key, SpecificRecord event) {}

  private Projector startProjector() {
    Projector projector = new Projector(SharedKafka.bootstrapServers(), topics, db.client(), SECRETS);
    projectors.add(projector);
    projector.start();
    return projector;
  }

  /** The database holds what applying the first {@code count} records in order gives. */
  private void assertStateAfter(List<Keyed> stream, int count) {
    Map<String, ApplicationStatusChanged> lastStatus = new LinkedHashMap<>();
    Map<String, String> previousCompose = new LinkedHashMap<>();
    Map<String, DeploymentChanged> lastDeployment = new LinkedHashMap<>();
    for (Keyed record : stream.subList(0, count)) {
      if (record.event() instanceof ApplicationStatusChanged status) {
        ApplicationStatusChanged before = lastStatus.put(status.getApplicationId(), status);
        previousCompose.put(status.getApplicationId(), before == null ? null : before.getCompose());
      } else if (record.event() instanceof DeploymentChanged deployment) {
        lastDeployment.put(deployment.getDeploymentId(), deployment);
      }
    }
    lastStatus.forEach((id, status) ->
        assertApplicationMatches(UUID.fromString(id), status, previousCompose.get(id)));
    lastDeployment.values().forEach(this::assertDeploymentMatches);
    assertThat(db.count("SELECT count(*) FROM deployments")).isEqualTo(lastDeployment.size());
  }

  private void assertApplicationMatches(UUID applicationId, ApplicationStatusChanged last, String previousCompose) {
    Map<String, Object> row = application(applicationId);
    assertThat(row.get("compose_digest")).as("compose digest of %s", applicationId)
        .isEqualTo(last.getComposeDigest());
    assertThat(row).containsEntry("sync_status", Sql.stored(last.getSyncStatus()))
        .containsEntry("health_status", Sql.stored(last.getHealthStatus()))
        .containsEntry("commit_sha", last.getCommit())
        .containsEntry("commit_message", last.getCommitMessage())
        .containsEntry("last_sync_error", last.getLastSyncError())
        .containsEntry("current_deployment_id", last.getDeploymentId());
    assertThat(instant(row.get("last_synced_at"))).isEqualTo(last.getLastSyncedAt());
    assertThat(SECRETS.decrypt((String) row.get("compose_encrypted"))).isEqualTo(last.getCompose());
    String previous = (String) row.get("previous_compose_encrypted");
    assertThat(previous == null ? null : SECRETS.decrypt(previous)).isEqualTo(previousCompose);
  }

  private void assertDeploymentMatches(DeploymentChanged last) {
    Map<String, Object> row = db.row("SELECT * FROM deployments WHERE id = ?", last.getDeploymentId());
    assertThat(row).as("deployment %s", last.getDeploymentId()).isNotNull();
    assertThat(row).containsEntry("application_id", UUID.fromString(last.getApplicationId()))
        .containsEntry("agent_id", last.getAgentId())
        .containsEntry("generation", last.getGeneration())
        .containsEntry("reason", Sql.stored(last.getReason()))
        .containsEntry("actor", last.getActor())
        .containsEntry("commit_sha", last.getCommit())
        .containsEntry("digest", last.getDigest())
        .containsEntry("state", Sql.stored(last.getState()))
        .containsEntry("error", last.getError());
    assertThat(instant(row.get("started_at"))).isEqualTo(last.getStartedAt());
    assertThat(instant(row.get("ended_at"))).isEqualTo(last.getEndedAt());
    assertThat(instant(row.get("deadline"))).isEqualTo(last.getDeadline());
    assertThat(instant(row.get("updated_at"))).isEqualTo(last.getAt());
  }

  /** Step {@code step} of an application's life: every field set, so the last one alone decides the row. */
  private static ApplicationStatusChanged status(UUID applicationId, int step) {
    Instant base = Instant.parse("2025-01-01T00:00:00Z");
    return ApplicationStatusChanged.newBuilder().setApplicationId(applicationId.toString())
        .setSyncStatus(SYNC[step % SYNC.length]).setHealthStatus(HEALTH[step % HEALTH.length])
        .setCommit("c-" + step).setCommitMessage("message " + step)
        .setCompose("services: {s" + step + ": {image: busybox}}").setComposeDigest("digest-" + step)
        .setLastSyncedAt(base.plusSeconds(step)).setUpdateLastSyncError(true)
        .setLastSyncError(step % 4 == 0 ? null : "error at step " + step)
        .setDeploymentId(deploymentId(applicationId, step)).setAt(base.plusSeconds(step)).build();
  }

  /** Odd steps: a deployment starts (step % 4 == 1) or ends (step % 4 == 3); four steps per deployment. */
  private DeploymentChanged deployment(UUID applicationId, int step) {
    Instant started = Instant.parse("2025-01-01T00:00:00Z").plusSeconds(step / 4 * 4L);
    boolean ended = step % 4 == 3;
    boolean failed = ended && step / 4 % 2 == 1;
    return DeploymentChanged.newBuilder().setDeploymentId(deploymentId(applicationId, step))
        .setApplicationId(applicationId.toString()).setAgentId(agentId).setGeneration(step / 4 + 1)
        .setReason(DeployReason.SYNC).setActor("restart-test").setCommit("c-" + step)
        .setDigest("digest-" + step)
        .setState(!ended ? DeploymentState.IN_PROGRESS : failed ? DeploymentState.FAILED : DeploymentState.SUCCEEDED)
        .setError(failed ? "compose up failed at step " + step : null)
        .setStartedAt(started).setEndedAt(ended ? started.plusSeconds(3) : null)
        .setDeadline(started.plusSeconds(300)).setAt(started.plusMillis(step)).build();
  }

  private static String deploymentId(UUID applicationId, int step) {
    return "dep-" + applicationId + "-" + step / 4;
  }

  private long committedOnStatus() throws InterruptedException, ExecutionException {
    try (Admin admin = admin()) {
      Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(topics.prefix() + "projector")
          .partitionsToOffsetAndMetadata().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(topics.status().name()))
          .mapToLong(e -> e.getValue().offset()).sum();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(e);
    }
  }

  private long projectorGroupMembers() throws InterruptedException, ExecutionException {
    try (Admin admin = admin()) {
      String group = topics.prefix() + "projector";
      return admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
          .get(DEADLINE.toSeconds(), TimeUnit.SECONDS).members().size();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Instant instant(Object column) {
    if (column == null) {
      return null;
    }
    return column instanceof OffsetDateTime time ? time.toInstant() : ((Timestamp) column).toInstant();
  }

  private Map<String, Object> application(UUID id) {
    return db.row("SELECT * FROM applications WHERE id = ?", id);
  }

  private Map<String, Object> repository() {
    return db.row("SELECT * FROM repositories WHERE id = ?", repositoryId);
  }

  private void publish(String key, SpecificRecord event) {
    ProducerRecord<byte[], byte[]> record = topics.status().record(key, event);
    try {
      producer.send(record).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException | ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()));
  }
}
