package dev.orca.gateway.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orca.schemas.Topic;
import dev.orca.schemas.TopicAdmin;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.ApplicationRemovalFinished;
import dev.orca.schemas.avro.ApplicationStatusChanged;
import dev.orca.schemas.avro.DeployReason;
import dev.orca.schemas.avro.DeploymentChanged;
import dev.orca.schemas.avro.DeploymentState;
import dev.orca.schemas.avro.HealthReport;
import dev.orca.schemas.avro.HealthStatus;
import dev.orca.schemas.avro.Heartbeat;
import dev.orca.schemas.avro.RepositoryStatusChanged;
import dev.orca.schemas.avro.RepositorySyncStatus;
import dev.orca.schemas.avro.SyncStatus;
import dev.orca.schemas.avro.SyncTrigger;
import dev.orca.schemas.crypto.Keys;
import dev.orca.schemas.crypto.SecretBox;
import dev.orca.testsupport.SharedKafka;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProjectorIntegrationTest {

  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final Instant RECEIVED_AT = Instant.now().truncatedTo(ChronoUnit.MILLIS);
  private static final SecretBox SECRETS =
      new SecretBox(Keys.fromSecret("projector-test-secret-0123456789-abcdefghij"));

  private static Topics topics;
  private static ProjectionDatabase db;
  private static KafkaProducer<byte[], byte[]> producer;
  private static Projector projector;

  private String agentA;
  private String agentB;
  private UUID repositoryId;
  private UUID applicationId;

  @BeforeAll
  static void startProjector() {
    String bootstrap = SharedKafka.bootstrapServers();
    topics = new Topics("it-" + UUID.randomUUID() + ".", 3, (short) 1);
    db = new ProjectionDatabase();
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      TopicAdmin.ensure(admin, topics.sharedTopics(), DEADLINE);
    }
    projector = new Projector(bootstrap, topics, db.client(), SECRETS);
    projector.start();
  }

  @AfterAll
  static void stopProjector() {
    projector.close();
    producer.close();
  }

  @BeforeEach
  void seed() {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    agentA = "agent-a-" + suffix;
    agentB = "agent-b-" + suffix;
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        SharedKafka.bootstrapServers()))) {
      List<org.apache.kafka.clients.admin.NewTopic> agentTopics = new ArrayList<>(topics.agentTopics(agentA));
      agentTopics.addAll(topics.agentTopics(agentB));
      TopicAdmin.ensure(admin, agentTopics, DEADLINE);
    }
    db.agent(agentA);
    db.agent(agentB);
    repositoryId = db.repository();
    applicationId = db.application(repositoryId, agentA);
  }

  @Test
  void shouldProjectApplicationStatusAndKeepThePreviousComposeEncrypted() {
    String id = applicationId.toString();
    Instant syncedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    publish(topics.status(), id, ApplicationStatusChanged.newBuilder().setApplicationId(id)
        .setSyncStatus(SyncStatus.SYNCING).setAt(Instant.now()).build());
    publish(topics.status(), id, ApplicationStatusChanged.newBuilder().setApplicationId(id)
        .setSyncStatus(SyncStatus.SYNCED).setHealthStatus(HealthStatus.HEALTHY)
        .setCommit("c0ffee").setCommitMessage("first").setCompose("services: {a: {}}").setComposeDigest("d1")
        .setLastSyncedAt(syncedAt).setUpdateLastSyncError(true).setLastSyncError(null)
        .setDeploymentId("dep-1").setAt(Instant.now()).build());

    await().atMost(DEADLINE).untilAsserted(() -> assertThat(application().get("compose_digest")).isEqualTo("d1"));
    Map<String, Object> first = application();
    assertThat(first.get("sync_status")).isEqualTo("synced");
    assertThat(first.get("health_status")).isEqualTo("healthy");
    assertThat(first.get("commit_sha")).isEqualTo("c0ffee");
    assertThat(first.get("commit_message")).isEqualTo("first");
    assertThat(first.get("current_deployment_id")).isEqualTo("dep-1");
    assertThat((String) first.get("compose_encrypted")).doesNotContain("services");
    assertThat(SECRETS.decrypt((String) first.get("compose_encrypted"))).isEqualTo("services: {a: {}}");
    assertThat(first.get("previous_compose_encrypted")).isNull();
    assertThat(db.count("SELECT count(*) FROM events WHERE entity = 'application' AND entity_id = ?", id))
        .isPositive();

    publish(topics.status(), id, ApplicationStatusChanged.newBuilder().setApplicationId(id)
        .setCompose("services: {b: {}}").setComposeDigest("d2").setAt(Instant.now()).build());

    await().atMost(DEADLINE).untilAsserted(() -> assertThat(application().get("compose_digest")).isEqualTo("d2"));
    Map<String, Object> second = application();
    assertThat(SECRETS.decrypt((String) second.get("compose_encrypted"))).isEqualTo("services: {b: {}}");
    assertThat(SECRETS.decrypt((String) second.get("previous_compose_encrypted"))).isEqualTo("services: {a: {}}");
    assertThat(second.get("sync_status")).isEqualTo("synced"); // null fields keep what is stored
    assertThat(second.get("commit_sha")).isEqualTo("c0ffee");
  }

  @Test
  void shouldClearTheRepositoryErrorWhenASyncSucceeds() {
    String id = repositoryId.toString();
    publish(topics.status(), id, RepositoryStatusChanged.newBuilder().setRepositoryId(id)
        .setStatus(RepositorySyncStatus.FAILED).setLastSyncError("cannot resolve main").setAt(Instant.now()).build());
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(repository().get("sync_status")).isEqualTo("failed"));
    assertThat(repository().get("last_sync_error")).isEqualTo("cannot resolve main");

    publish(topics.status(), id, RepositoryStatusChanged.newBuilder().setRepositoryId(id)
        .setStatus(RepositorySyncStatus.SUCCESS).setLastSyncedAt(Instant.now()).setAt(Instant.now()).build());
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(repository().get("sync_status")).isEqualTo("success"));
    assertThat(repository().get("last_sync_error")).isNull();
    assertThat(repository().get("last_synced_at")).isNotNull();
  }

  @Test
  void shouldRecordTheLastTriggerAndTheNoteOfTheLastOutcome() {
    String id = repositoryId.toString();
    Instant pushed = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(2);
    publish(topics.status(), id, RepositoryStatusChanged.newBuilder().setRepositoryId(id)
        .setStatus(RepositorySyncStatus.SYNCING).setTrigger(SyncTrigger.WEBHOOK).setActor("webhook:gitlab")
        .setTriggeredAt(pushed).setAt(Instant.now()).build());
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(repository().get("last_trigger")).isEqualTo("webhook"));
    assertThat(repository().get("last_trigger_actor")).isEqualTo("webhook:gitlab");
    assertThat(((Timestamp) repository().get("last_triggered_at")).toInstant()).isEqualTo(pushed);

    publish(topics.status(), id, RepositoryStatusChanged.newBuilder().setRepositoryId(id)
        .setStatus(RepositorySyncStatus.SUCCESS).setTrigger(SyncTrigger.WEBHOOK).setActor("webhook:gitlab")
        .setTriggeredAt(pushed).setNote("commit 0123456789ab is not on branch main, not deployed")
        .setLastSyncedAt(Instant.now()).setAt(Instant.now()).build());
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(repository().get("last_sync_note"))
        .isEqualTo("commit 0123456789ab is not on branch main, not deployed"));

    // A writer of version 1 carries no trigger: what is stored stays; the next outcome clears the note.
    publish(topics.status(), id, RepositoryStatusChanged.newBuilder().setRepositoryId(id)
        .setStatus(RepositorySyncStatus.SYNCING).setAt(Instant.now()).build());
    publish(topics.status(), id, RepositoryStatusChanged.newBuilder().setRepositoryId(id)
        .setStatus(RepositorySyncStatus.SUCCESS).setLastSyncedAt(Instant.now()).setAt(Instant.now()).build());
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(repository().get("last_sync_note")).isNull());
    assertThat(repository().get("last_trigger")).isEqualTo("webhook");
    assertThat(repository().get("last_trigger_actor")).isEqualTo("webhook:gitlab");
  }

  @Test
  void shouldUpsertDeploymentsById() {
    String deploymentId = "dep-" + UUID.randomUUID();
    Instant started = Instant.now();
    publish(topics.status(), applicationId.toString(), deployment(deploymentId, DeploymentState.IN_PROGRESS, started, null));
    publish(topics.status(), applicationId.toString(),
        deployment(deploymentId, DeploymentState.SUCCEEDED, started, started.plusSeconds(3)));

    await().atMost(DEADLINE).untilAsserted(() -> assertThat(deploymentRow(deploymentId))
        .isNotNull().containsEntry("state", "succeeded"));
    Map<String, Object> row = deploymentRow(deploymentId);
    assertThat(row).containsEntry("reason", "image_update").containsEntry("agent_id", agentA)
        .containsEntry("application_id", applicationId).containsEntry("generation", 4L);
    assertThat(row.get("ended_at")).isNotNull();
    assertThat(db.count("SELECT count(*) FROM deployments WHERE id = ?", deploymentId)).isEqualTo(1);
    assertThat(db.count("SELECT count(*) FROM events WHERE entity = 'deployment' AND entity_id = ?", deploymentId))
        .isPositive();
  }

  @Test
  void shouldKeepTheNewestHealthWhicheverPathDeliversItLast() {
    String id = applicationId.toString();
    // Observations of the last minutes (a time ahead of now counts as now).
    Instant t0 = Instant.now().minusSeconds(120).truncatedTo(ChronoUnit.MILLIS);
    publish(topics.agentEvents(agentA), id, health(HealthStatus.UNHEALTHY, t0.plusSeconds(10)));
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(application().get("health_status")).isEqualTo("unhealthy"));

    // A deployment's result the agent saw earlier, relayed by the dispatcher after that report.
    publish(topics.status(), id, ApplicationStatusChanged.newBuilder().setApplicationId(id)
        .setSyncStatus(SyncStatus.SYNCED).setHealthStatus(HealthStatus.HEALTHY).setHealthAt(t0.plusSeconds(5))
        .setUpdateLastSyncError(true).setLastSyncError(null).setAt(Instant.now()).build());
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(application().get("sync_status")).isEqualTo("synced"));
    assertThat(application().get("health_status")).as("a stale healthy after a newer unhealthy").isEqualTo("unhealthy");

    // A late report of the agent's own: older news too. The heartbeat after it on the same
    // partition says when it has been applied.
    send(topics.agentEvents(agentA), 0, id, health(HealthStatus.HEALTHY, t0.plusSeconds(2)));
    send(topics.agentEvents(agentA), 0, agentA, heartbeat(agentA, "31.0.0"));
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(agent(agentA).get("docker_version")).isEqualTo("31.0.0"));
    assertThat(application().get("health_status")).isEqualTo("unhealthy");

    // The same health seen again later is no event, and no write while no deployment is in flight.
    long events = db.count("SELECT count(*) FROM events WHERE entity = 'application' AND entity_id = ?", id);
    send(topics.agentEvents(agentA), 0, id, health(HealthStatus.UNHEALTHY, t0.plusSeconds(12)));
    send(topics.agentEvents(agentA), 0, agentA, heartbeat(agentA, "32.0.0"));
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(agent(agentA).get("docker_version")).isEqualTo("32.0.0"));
    assertThat(instant(application().get("health_observed_at"))).isEqualTo(t0.plusSeconds(10));
    // While one is, it is recorded as observed then: a result relayed late is judged against it.
    String deploying = "dep-" + UUID.randomUUID();
    publish(topics.status(), id, deployment(deploying, DeploymentState.IN_PROGRESS, Instant.now(), null));
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(deploymentRow(deploying)).isNotNull());
    send(topics.agentEvents(agentA), 0, id, health(HealthStatus.UNHEALTHY, t0.plusSeconds(15)));
    send(topics.agentEvents(agentA), 0, agentA, heartbeat(agentA, "33.0.0"));
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(agent(agentA).get("docker_version")).isEqualTo("33.0.0"));
    assertThat(instant(application().get("health_observed_at"))).isEqualTo(t0.plusSeconds(15));
    assertThat(db.count("SELECT count(*) FROM events WHERE entity = 'application' AND entity_id = ?", id))
        .isEqualTo(events);
    publish(topics.status(), id, deployment(deploying, DeploymentState.SUCCEEDED, Instant.now(), Instant.now()));

    // Newer observations win, from either path.
    publish(topics.agentEvents(agentA), id, health(HealthStatus.HEALTHY, t0.plusSeconds(20)));
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(application().get("health_status")).isEqualTo("healthy"));
    publish(topics.status(), id, ApplicationStatusChanged.newBuilder().setApplicationId(id)
        .setHealthStatus(HealthStatus.MISSING).setHealthAt(t0.plusSeconds(30)).setAt(Instant.now()).build());
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(application().get("health_status")).isEqualTo("missing"));
    assertThat(instant(application().get("health_observed_at"))).isEqualTo(t0.plusSeconds(30));

    // An agent whose clock ran an hour ahead is heard as of now, and again once its clock is set back.
    publish(topics.agentEvents(agentA), id, health(HealthStatus.UNHEALTHY, Instant.now().plusSeconds(3600)));
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(application().get("health_status")).isEqualTo("unhealthy"));
    assertThat(instant(application().get("health_observed_at"))).isBefore(Instant.now().plusSeconds(60));
    publish(topics.agentEvents(agentA), id, health(HealthStatus.HEALTHY, Instant.now().plusSeconds(1)));
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(application().get("health_status")).isEqualTo("healthy"));
  }

  @Test
  void shouldNotLetALateOlderChangeOfADeploymentUndoANewerOne() {
    String deploymentId = "dep-" + UUID.randomUUID();
    Instant started = Instant.now().minusSeconds(60);
    String id = applicationId.toString();
    publish(topics.status(), id, DeploymentChanged.newBuilder(
        deployment(deploymentId, DeploymentState.SUCCEEDED, started, started.plusSeconds(3)))
        .setAt(started.plusSeconds(3)).build());
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(deploymentRow(deploymentId))
        .isNotNull().containsEntry("state", "succeeded"));
    long events = db.count("SELECT count(*) FROM events WHERE entity = 'deployment' AND entity_id = ?", deploymentId);

    // Its start, replayed or delivered late, then a status change on the same partition to know both were applied.
    publish(topics.status(), id, DeploymentChanged.newBuilder(
        deployment(deploymentId, DeploymentState.IN_PROGRESS, started, null)).setAt(started).build());
    publish(topics.status(), id, ApplicationStatusChanged.newBuilder().setApplicationId(id)
        .setCommit("0ld3r").setCommitMessage("after").setAt(Instant.now()).build());
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(application().get("commit_sha")).isEqualTo("0ld3r"));

    assertThat(deploymentRow(deploymentId)).containsEntry("state", "succeeded");
    assertThat(deploymentRow(deploymentId).get("ended_at")).isNotNull();
    assertThat(db.count("SELECT count(*) FROM events WHERE entity = 'deployment' AND entity_id = ?", deploymentId))
        .isEqualTo(events);
  }

  @Test
  void shouldTakeTheAgentFromTheTopicNameAndIgnoreReportsAboutOtherAgentsApplications() {
    // The payload claims another agent: only the topic name counts.
    publish(topics.agentEvents(agentA), agentA, heartbeat("someone-else", "26.1.0"));
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(agent(agentA).get("last_seen")).isNotNull());
    assertThat(agent(agentA)).containsEntry("docker_version", "26.1.0").containsEntry("docker_available", true)
        .containsEntry("compose_command", "docker-compose").containsEntry("compose_version", "1.29.2")
        .containsEntry("heartbeat_interval_seconds", 15);
    assertThat(db.count("SELECT count(*) FROM events WHERE entity = 'agent' AND entity_id = ?", agentA)).isEqualTo(1);

    // Agent B reports on A's application, then heartbeats on the same partition: once the
    // heartbeat is projected, the report before it has been seen and must have changed nothing.
    String topicB = topics.agentEvents(agentB).name();
    send(topics.agentEvents(agentB), 0, applicationId.toString(), HealthReport.newBuilder()
        .setApplicationId(applicationId.toString()).setHealth(HealthStatus.UNHEALTHY).setAt(Instant.now()).build());
    send(topics.agentEvents(agentB), 0, agentB, heartbeat(agentB, "27.0.0"));
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(agent(agentB).get("last_seen")).isNotNull());
    assertThat(application().get("health_status")).as("report on " + topicB).isEqualTo("unknown");

    publish(topics.agentEvents(agentA), applicationId.toString(), HealthReport.newBuilder()
        .setApplicationId(applicationId.toString()).setHealth(HealthStatus.HEALTHY).setAt(Instant.now()).build());
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(application().get("health_status")).isEqualTo("healthy"));
  }

  @Test
  void shouldTurnASyncedApplicationOutOfSyncWhileItsStackDriftsAndBackWhenTheDriftEnds() {
    String id = applicationId.toString();
    publish(topics.status(), id, ApplicationStatusChanged.newBuilder().setApplicationId(id)
        .setSyncStatus(SyncStatus.SYNCED).setHealthStatus(HealthStatus.HEALTHY).setUpdateLastSyncError(true)
        .setLastSyncError(null).setAt(Instant.now()).build());
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(application().get("sync_status")).isEqualTo("synced"));

    publish(topics.agentEvents(agentA), id, HealthReport.newBuilder().setApplicationId(id)
        .setHealth(HealthStatus.MISSING).setDrift("service 'web': container removed").setAt(Instant.now()).build());

    await().atMost(DEADLINE).untilAsserted(() -> assertThat(application().get("drift")).isNotNull());
    assertThat(application()).containsEntry("sync_status", "out_of_sync").containsEntry("health_status", "missing")
        .containsEntry("last_sync_error", "drift: service 'web': container removed");

    publish(topics.agentEvents(agentA), id, HealthReport.newBuilder().setApplicationId(id)
        .setHealth(HealthStatus.HEALTHY).setAt(Instant.now()).build());

    await().atMost(DEADLINE).untilAsserted(() -> assertThat(application().get("drift")).isNull());
    assertThat(application()).containsEntry("sync_status", "synced").containsEntry("health_status", "healthy")
        .containsEntry("last_sync_error", null);
  }

  @Test
  void shouldLeaveAFailedDeploymentsErrorAloneWhenDriftIsReported() {
    String id = applicationId.toString();
    publish(topics.status(), id, ApplicationStatusChanged.newBuilder().setApplicationId(id)
        .setSyncStatus(SyncStatus.OUT_OF_SYNC).setHealthStatus(HealthStatus.UNHEALTHY).setUpdateLastSyncError(true)
        .setLastSyncError("service 'web' exited with code 3").setAt(Instant.now()).build());
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(application().get("sync_status")).isEqualTo("out_of_sync"));

    publish(topics.agentEvents(agentA), id, HealthReport.newBuilder().setApplicationId(id)
        .setHealth(HealthStatus.MISSING).setDrift("service 'web': container removed").setAt(Instant.now()).build());

    await().atMost(DEADLINE).untilAsserted(() -> assertThat(application().get("drift")).isNotNull());
    assertThat(application()).containsEntry("sync_status", "out_of_sync")
        .containsEntry("last_sync_error", "service 'web' exited with code 3");
  }

  @Test
  void shouldRecordAnAgentChangeWhenOnlyItsComposeVersionChanged() {
    publish(topics.agentEvents(agentA), agentA, heartbeat(agentA, "26.1.0"));
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(agent(agentA).get("compose_version")).isEqualTo("1.29.2"));

    publish(topics.agentEvents(agentA), agentA, Heartbeat.newBuilder(heartbeat(agentA, "26.1.0"))
        .setComposeVersion("2.27.0").build());

    await().atMost(DEADLINE).untilAsserted(() -> assertThat(agent(agentA).get("compose_version")).isEqualTo("2.27.0"));
    assertThat(db.count("SELECT count(*) FROM events WHERE entity = 'agent' AND entity_id = ?", agentA)).isEqualTo(2);

    // A heartbeat without a version (an agent that cannot tell, or one older than the field) clears it.
    publish(topics.agentEvents(agentA), agentA, Heartbeat.newBuilder(heartbeat(agentA, "26.1.0"))
        .setComposeVersion(null).build());

    await().atMost(DEADLINE).untilAsserted(() -> assertThat(agent(agentA)).containsEntry("compose_version", null));
    assertThat(db.count("SELECT count(*) FROM events WHERE entity = 'agent' AND entity_id = ?", agentA)).isEqualTo(3);
  }

  @Test
  void shouldNotWriteAHeartbeatThatSaysNothingNew() {
    publish(topics.agentEvents(agentA), agentA, heartbeat(agentA, "26.1.0"));
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(agent(agentA).get("last_seen")).isNotNull());
    // Seen 5 s ago, within its 15 s interval: a heartbeat with the same facts changes nothing.
    db.execute("UPDATE agents SET last_seen = now() - interval '5 seconds' WHERE id = ?", agentA);
    Object marked = agent(agentA).get("last_seen");
    send(topics.agentEvents(agentA), 0, agentA, heartbeat(agentA, "26.1.0"));
    // A record after it in the same partition: once it is applied, so is the heartbeat.
    String id = applicationId.toString();
    send(topics.agentEvents(agentA), 0, id, HealthReport.newBuilder().setApplicationId(id)
        .setHealth(HealthStatus.UNHEALTHY).setAt(Instant.now()).build());
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(application().get("health_status")).isEqualTo("unhealthy"));
    assertThat(agent(agentA).get("last_seen")).as("not written").isEqualTo(marked);

    // Seen 20 s ago, more than its interval but within one and a half: still not written (one heartbeat in two is).
    db.execute("UPDATE agents SET last_seen = now() - interval '20 seconds' WHERE id = ?", agentA);
    Object twenty = agent(agentA).get("last_seen");
    send(topics.agentEvents(agentA), 0, agentA, heartbeat(agentA, "26.1.0"));
    send(topics.agentEvents(agentA), 0, id, HealthReport.newBuilder().setApplicationId(id)
        .setHealth(HealthStatus.HEALTHY).setAt(Instant.now()).build());
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(application().get("health_status")).isEqualTo("healthy"));
    assertThat(agent(agentA).get("last_seen")).as("not written").isEqualTo(twenty);

    // Seen longer ago: written, so liveness never lags by more than about two intervals.
    db.execute("UPDATE agents SET last_seen = now() - interval '25 seconds' WHERE id = ?", agentA);
    Object stale = agent(agentA).get("last_seen");
    publish(topics.agentEvents(agentA), agentA, heartbeat(agentA, "26.1.0"));
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(agent(agentA).get("last_seen")).isNotEqualTo(stale));
    // And a new fact is written at once, however recent the last one.
    publish(topics.agentEvents(agentA), agentA, heartbeat(agentA, "27.0.0"));
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(agent(agentA).get("docker_version")).isEqualTo("27.0.0"));
  }

  @Test
  void shouldMeasureLivenessWhenTheHeartbeatArrivesNotByTheAgentsClock() {
    // A host whose clock is a minute behind: its heartbeat claims to be 60 s old on arrival.
    // PostgreSQL keeps microseconds: compare at that precision.
    Instant before = Instant.now().truncatedTo(ChronoUnit.MICROS);
    publish(topics.agentEvents(agentA), agentA, Heartbeat.newBuilder(heartbeat(agentA, "26.1.0"))
        .setAt(before.minusSeconds(60)).build());

    await().atMost(DEADLINE).untilAsserted(() -> assertThat(agent(agentA).get("last_seen")).isNotNull());
    // Seen when it arrived, not when the agent's clock says it was sent: so it counts as online.
    assertThat(instant(agent(agentA).get("last_seen"))).isAfterOrEqualTo(before);
    assertThat(db.count("SELECT count(*) FROM agents WHERE id = ? AND last_seen >= now()"
        + " - make_interval(secs => 3 * heartbeat_interval_seconds)", agentA)).isEqualTo(1);
  }

  @Test
  void shouldSkipAPoisonRecordAndApplyTheRecordsAfterIt() throws Exception {
    String id = repositoryId.toString();
    producer.send(new ProducerRecord<>(topics.status().name(), 0, id.getBytes(), new byte[] {1, 2, 3}))
        .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    send(topics.status(), 0, id, RepositoryStatusChanged.newBuilder().setRepositoryId(id)
        .setStatus(RepositorySyncStatus.SYNCING).setAt(Instant.now()).build());
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(repository().get("sync_status")).isEqualTo("syncing"));
  }

  @Test
  void shouldDeleteARemovedApplicationAndTombstoneItsConfig() {
    String id = applicationId.toString();
    String deploymentId = "dep-" + UUID.randomUUID();
    publish(topics.status(), id, deployment(deploymentId, DeploymentState.SUCCEEDED, Instant.now(), Instant.now()));
    publish(topics.status(), id, ApplicationRemovalFinished.newBuilder().setRequestId("rm-1").setApplicationId(id)
        .setRemoved(true).setAt(Instant.now()).build());

    await().atMost(DEADLINE).untilAsserted(() -> assertThat(application()).isNull());
    assertThat(db.row("SELECT key, value FROM outbox WHERE topic = ? AND key = ?",
        topics.configApplications().name(), id)).isNotNull().containsEntry("value", null);
    assertThat(db.row("SELECT deleted FROM events WHERE entity = 'application' AND entity_id = ? ORDER BY seq DESC",
        id)).containsEntry("deleted", true);
    assertThat(deploymentRow(deploymentId)).as("history outlives the application").isNotNull();
  }

  @Test
  void shouldRecordAFailedRemovalAndClearTheRequest() {
    String id = applicationId.toString();
    db.execute("UPDATE applications SET removal_request_id = 'rm-2', removal_deadline = now() WHERE id = ?",
        applicationId);
    publish(topics.status(), id, ApplicationRemovalFinished.newBuilder().setRequestId("rm-2").setApplicationId(id)
        .setRemoved(false).setTimedOut(true).setAt(Instant.now()).build());

    await().atMost(DEADLINE).untilAsserted(() -> assertThat(application().get("removal_request_id")).isNull());
    assertThat((String) application().get("last_sync_error")).startsWith("removal timed out: ");
    assertThat(application().get("removal_deadline")).isNull();
    assertThat(application()).containsEntry("last_removal_request_id", "rm-2")
        .containsEntry("last_removal_timed_out", true);
  }

  @Test
  void shouldRecordThatARemovalFailedWithoutTimingOut() {
    String id = applicationId.toString();
    db.execute("UPDATE applications SET removal_request_id = 'rm-3', removal_deadline = now() + interval '1 minute'"
        + " WHERE id = ?", applicationId);
    publish(topics.status(), id, ApplicationRemovalFinished.newBuilder().setRequestId("rm-3").setApplicationId(id)
        .setRemoved(false).setTimedOut(false).setError("compose down failed").setAt(Instant.now()).build());

    await().atMost(DEADLINE).untilAsserted(() -> assertThat(application().get("removal_request_id")).isNull());
    assertThat(application()).containsEntry("last_sync_error", "removal failed: compose down failed")
        .containsEntry("last_removal_request_id", "rm-3").containsEntry("last_removal_timed_out", false);
  }

  @Test
  void shouldReachTheSameStateWhenABatchIsAppliedTwice() {
    String id = applicationId.toString();
    String deploymentId = "dep-" + UUID.randomUUID();
    Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    List<Projected> batch = List.of(
        projected(null, ApplicationStatusChanged.newBuilder().setApplicationId(id).setSyncStatus(SyncStatus.SYNCED)
            .setCompose("one").setComposeDigest("d-one").setAt(at).build()),
        projected(null, ApplicationStatusChanged.newBuilder().setApplicationId(id)
            .setCompose("two").setComposeDigest("d-two").setCommit("abc").setAt(at).build()),
        projected(null, deployment(deploymentId, DeploymentState.FAILED, at, at.plusSeconds(1))),
        projected(null, RepositoryStatusChanged.newBuilder().setRepositoryId(repositoryId.toString())
            .setStatus(RepositorySyncStatus.SUCCESS).setLastSyncedAt(at).setAt(at).build()),
        projected(agentA, heartbeat(agentA, "26.1.0")),
        projected(agentA, HealthReport.newBuilder().setApplicationId(id).setHealth(HealthStatus.PROGRESSING)
            .setAt(at).build()));
    BatchProjection projection = new BatchProjection(db.client(), SECRETS, topics);

    projection.apply(batch).block(DEADLINE);
    Map<String, Object> application = stable(application());
    Map<String, Object> deployment = deploymentRow(deploymentId);
    Map<String, Object> repository = repository();
    Map<String, Object> agent = agent(agentA);
    projection.apply(batch).block(DEADLINE);

    assertThat(stable(application())).isEqualTo(application);
    assertThat(SECRETS.decrypt((String) application().get("previous_compose_encrypted"))).isEqualTo("one");
    assertThat(SECRETS.decrypt((String) application().get("compose_encrypted"))).isEqualTo("two");
    assertThat(deploymentRow(deploymentId)).isEqualTo(deployment);
    assertThat(repository()).isEqualTo(repository);
    assertThat(agent(agentA)).isEqualTo(agent);
  }

  @Test
  void shouldRetryABatchUntilTheDatabaseAcceptsIt() {
    String id = repositoryId.toString();
    try (RetryWarnings retries = RetryWarnings.about(topics)) {
      db.execute("ALTER TABLE events RENAME TO events_away");
      try {
        publish(topics.status(), id, RepositoryStatusChanged.newBuilder().setRepositoryId(id)
            .setStatus(RepositorySyncStatus.FAILED).setLastSyncError("boom").setAt(Instant.now()).build());
        // The batch fails while the table is away: wait until it was refused and retried.
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(retries.count()).isGreaterThanOrEqualTo(2));
        assertThat(repository().get("sync_status")).as("a refused batch changes nothing").isEqualTo("unknown");
      } finally {
        db.execute("ALTER TABLE events_away RENAME TO events");
      }
    }
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(repository().get("sync_status")).isEqualTo("failed"));
    assertThat(db.count("SELECT count(*) FROM events WHERE entity = 'repository' AND entity_id = ?", id)).isEqualTo(1);
  }

  private DeploymentChanged deployment(String deploymentId, DeploymentState state, Instant started, Instant ended) {
    return DeploymentChanged.newBuilder().setDeploymentId(deploymentId).setApplicationId(applicationId.toString())
        .setAgentId(agentA).setGeneration(4).setReason(DeployReason.IMAGE_UPDATE).setActor("test")
        .setCommit("c0ffee").setDigest("d1").setState(state).setStartedAt(started).setEndedAt(ended)
        .setDeadline(started.plusSeconds(300)).setAt(Instant.now()).build();
  }

  private HealthReport health(HealthStatus status, Instant observed) {
    return HealthReport.newBuilder().setApplicationId(applicationId.toString()).setHealth(status).setAt(observed).build();
  }

  private static Heartbeat heartbeat(String claimedAgentId, String dockerVersion) {
    return Heartbeat.newBuilder().setAgentId(claimedAgentId).setDockerAvailable(true).setDockerVersion(dockerVersion)
        .setComposeCommand("docker-compose").setComposeVersion("1.29.2").setAgentVersion("0.1.0").setIntervalSeconds(15)
        .setAt(Instant.now()).build();
  }

  private static Projected projected(String agentId, SpecificRecord message) {
    return new Projected("test", 0, 0, agentId, message, RECEIVED_AT);
  }

  /**
   * The row without the write time, with compose files decrypted: ciphertexts differ on every
   * encryption (random nonce), the files must not.
   */
  private static Map<String, Object> stable(Map<String, Object> row) {
    row.remove("updated_at");
    row.computeIfPresent("compose_encrypted", (column, sealed) -> SECRETS.decrypt((String) sealed));
    row.computeIfPresent("previous_compose_encrypted", (column, sealed) -> SECRETS.decrypt((String) sealed));
    return row;
  }

  private static Instant instant(Object column) {
    return column instanceof OffsetDateTime time ? time.toInstant() : ((Timestamp) column).toInstant();
  }

  private Map<String, Object> application() {
    return db.row("SELECT * FROM applications WHERE id = ?", applicationId);
  }

  private Map<String, Object> repository() {
    return db.row("SELECT * FROM repositories WHERE id = ?", repositoryId);
  }

  private Map<String, Object> agent(String id) {
    return db.row("SELECT * FROM agents WHERE id = ?", id);
  }

  private Map<String, Object> deploymentRow(String id) {
    return db.row("SELECT * FROM deployments WHERE id = ?", id);
  }

  private static <V> void publish(Topic<String, V> topic, String key, V value) {
    send(topic, null, key, value);
  }

  private static <V> void send(Topic<String, V> topic, Integer partition, String key, V value) {
    ProducerRecord<byte[], byte[]> record = topic.record(key, value);
    try {
      producer.send(new ProducerRecord<>(record.topic(), partition, record.key(), record.value()))
          .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      throw new IllegalStateException(e);
    }
  }
}
