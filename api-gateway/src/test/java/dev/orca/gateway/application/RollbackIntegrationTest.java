package dev.orca.gateway.application;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.gateway.GatewayTestSupport;
import dev.orca.gateway.TopicProbe;
import dev.orca.gateway.kafka.KafkaPublisher;
import dev.orca.schemas.ComposeDigest;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.ApplicationConfig;
import dev.orca.schemas.avro.ApplicationStatusChanged;
import dev.orca.schemas.avro.DeployReason;
import dev.orca.schemas.avro.DeployRequested;
import dev.orca.schemas.avro.DeploySettings;
import dev.orca.schemas.avro.DeploymentChanged;
import dev.orca.schemas.avro.DeploymentState;
import dev.orca.schemas.avro.PinReleased;
import dev.orca.schemas.avro.SyncRequested;
import dev.orca.schemas.avro.SyncTrigger;
import dev.orca.schemas.crypto.EnvironmentCipher;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Rollback and pin through the gateway, its projector and the real broker: this test plays
 * sync-stream (DeployRequested on deploy-requests) and the dispatcher (DeploymentChanged and
 * ApplicationStatusChanged on status); the pipeline's own part is in the launcher's tests.
 */
class RollbackIntegrationTest extends GatewayTestSupport {

  private static final String COMPOSE_1 = "services:\n  web:\n    image: busybox:1\n    env_file: app.env\n";
  private static final String COMPOSE_2 = "services:\n  web:\n    image: busybox:2\n    env_file: app.env\n";

  @Autowired
  Topics topics;

  @Autowired
  KafkaPublisher publisher;

  @Autowired
  ApplicationStore store;

  private String repositoryId;

  private record Agent(String id, byte[] key) {}

  /** A deployment this test made: its id, what it ran and the digest of that. */
  private record Played(String deploymentId, String commit, String digest) {}

  @BeforeEach
  void repository() {
    repositoryId = (String) admin().post().uri("/api/v1/repositories")
        .bodyValue(Map.of("name", "rollback-" + UUID.randomUUID().toString().substring(0, 8),
            "url", "https://git.example.com/acme/apps.git"))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldDeployAgainExactlyWhatAnEarlierDeploymentRanAndHoldTheApplicationThereUntilUnpinned() {
    Agent agent = createAgent();
    markOnline(agent.id());
    String id = createApplication(agent.id());
    putEnvironment(id, Map.of("MODE", "old"));
    Played first = playDeployment(id, agent.id(), "c1", COMPOSE_1, "MODE=old", DeploymentState.SUCCEEDED);
    putEnvironment(id, Map.of("MODE", "new", "EXTRA", "1"));
    Played second = playDeployment(id, agent.id(), "c2", COMPOSE_2, "EXTRA=1", DeploymentState.SUCCEEDED);
    // The dispatcher's record of what runs: c2.
    publisher.publish(topics.status(), id, ApplicationStatusChanged.newBuilder().setApplicationId(id).setCommit("c2")
        .setCommitMessage("message of c2").setAt(Instant.now()).build()).block(DEADLINE);
    await(() -> "c2".equals(application(id).get("commit")), "c2 recorded as running");

    String rollbackId = (String) admin().post().uri("/api/v1/applications/" + id + "/rollback")
        .bodyValue(Map.of("deploymentId", first.deploymentId())).exchange().expectStatus().isAccepted()
        .expectBody(Map.class).returnResult().getResponseBody().get("deploymentId");

    DeployRequested rollback = (DeployRequested) TopicProbe.await(topics.deployRequests(),
        (key, value) -> value instanceof DeployRequested r && rollbackId.equals(r.getDeploymentId())).value();
    assertThat(rollback.getReason()).isEqualTo(DeployReason.ROLLBACK);
    assertThat(rollback.getApplicationId()).isEqualTo(id);
    assertThat(rollback.getAgentId()).isEqualTo(agent.id());
    assertThat(rollback.getCommit()).isEqualTo("c1");
    assertThat(rollback.getCommitMessage()).isEqualTo("message of c1");
    assertThat(rollback.getCompose()).isEqualTo(COMPOSE_1);
    assertThat(text(rollback.getFiles().get("app.env"))).isEqualTo("MODE=old");
    assertThat(rollback.getComposeChanged()).isTrue();
    // The environment as that deployment had it, not the application's current one.
    assertThat(EnvironmentCipher.decrypt(agent.key(), id, bytes(rollback.getSettings().getEnvironment())))
        .contains("MODE=old").doesNotContain("EXTRA");
    // Same agent, same settings: the very bytes it ran, so the very digest.
    assertThat(rollback.getDigest()).isEqualTo(first.digest());
    assertThat(rollback.getGenerationFloor()).isEqualTo(2);
    assertThat(TopicProbe.await(topics.configApplications(),
        (key, value) -> id.equals(key) && value != null && "c1".equals(value.getPinnedCommit())).value().getAgentId())
        .isEqualTo(agent.id());
    Map<String, Object> pinned = (Map<String, Object>) application(id).get("pinned");
    assertThat(pinned).containsEntry("deploymentId", first.deploymentId()).containsEntry("commit", "c1");
    assertThat(pinned.get("at")).isNotNull();
    // Until a sync says more, the newest commit known is the one that ran until now.
    assertThat(application(id)).containsEntry("latestCommit", "c2").containsEntry("commitsBehind", null);
    assertThat(audited("application.rollback", id)).isTrue();

    // The dispatcher holds back a newer commit and says how far ahead it is.
    publisher.publish(topics.status(), id, ApplicationStatusChanged.newBuilder().setApplicationId(id)
        .setLatestCommit("c3").setLatestCommitMessage("third").setCommitsBehind(2).setAt(Instant.now()).build())
        .block(DEADLINE);
    await(() -> "c3".equals(application(id).get("latestCommit")), "the newest commit recorded");
    Map<String, Object> behind = application(id);
    assertThat(behind).containsEntry("commitsBehind", 2).containsEntry("latestCommitMessage", "third");
    // The list shows the pin too (it carries no compose files).
    Map<String, Object> item = ((List<Map<String, Object>>) admin().get().uri("/api/v1/applications").exchange()
        .expectStatus().isOk().expectBody(List.class).returnResult().getResponseBody()).stream()
        .filter(a -> id.equals(a.get("id"))).findFirst().orElseThrow();
    assertThat(item).containsEntry("commitsBehind", 2).containsKey("pinned").doesNotContainKey("composeFile");

    // What each deployment ran, for the history's diff: the compose file and the files' digests, never their content.
    Map<String, Object> detail = admin().get().uri("/api/v1/applications/" + id + "/deployments/" + second.deploymentId())
        .exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
    assertThat(detail).containsEntry("composeFile", COMPOSE_2).containsEntry("commit", "c2")
        .containsEntry("commitMessage", "message of c2").containsEntry("outcome", "succeeded");
    assertThat((List<Map<String, Object>>) detail.get("files")).singleElement().satisfies(file -> {
      // Keyed: equal for equal files, but not the plain SHA-256 anyone could check a guess against.
      assertThat(file).containsEntry("path", "app.env").containsEntry("size", 7).doesNotContainKey("content");
      assertThat((String) file.get("fingerprint")).hasSize(64).isNotEqualTo(sha256("EXTRA=1"));
    });
    Map<String, Object> firstDetail = admin().get().uri("/api/v1/applications/" + id + "/deployments/"
        + first.deploymentId()).exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
    assertThat((List<Map<String, Object>>) firstDetail.get("files")).singleElement().satisfies(file -> {
      assertThat(file.get("fingerprint")).isNotEqualTo(((List<Map<String, Object>>) detail.get("files")).get(0)
          .get("fingerprint"));
    });

    admin().delete().uri("/api/v1/applications/" + id + "/pin").exchange().expectStatus().isNoContent();

    // The dispatcher hears the release itself, whatever becomes of the deploy that follows.
    assertThat(TopicProbe.await(topics.deployRequests(), (key, value) -> id.equals(key)
        && value instanceof PinReleased).value()).isInstanceOf(PinReleased.class);
    SyncRequested deploy = TopicProbe.await(topics.syncRequests(),
        (key, value) -> id.equals(value.getApplicationId()) && value.getDeploymentId() != null).value();
    assertThat(deploy.getTrigger()).isEqualTo(SyncTrigger.MANUAL);
    assertThat(deploy.getRepositoryId()).isEqualTo(repositoryId);
    ApplicationConfig unpinned = TopicProbe.await(topics.configApplications(),
        (key, value) -> id.equals(key) && value != null && value.getRevision() >= deploy.getMinRevision()).value();
    assertThat(unpinned.getPinnedCommit()).isNull();
    Map<String, Object> free = application(id);
    assertThat(free.get("pinned")).isNull();
    assertThat(free.get("latestCommit")).isNull();
    assertThat(free.get("commitsBehind")).isNull();
    // A late "held back" record after the unpin does not bring the pin's numbers back.
    publisher.publish(topics.status(), id, ApplicationStatusChanged.newBuilder().setApplicationId(id)
        .setLatestCommit("c4").setCommitsBehind(3).setSyncStatus(dev.orca.schemas.avro.SyncStatus.SYNCED)
        .setAt(Instant.now()).build()).block(DEADLINE);
    await(() -> "synced".equals(application(id).get("syncStatus")), "the late status applied");
    assertThat(application(id).get("latestCommit")).isNull();
    // Unpinning what is not pinned releases the dispatcher's pin again (a repair) and deploys nothing.
    admin().delete().uri("/api/v1/applications/" + id + "/pin").exchange().expectStatus().isNoContent();
    assertThat(TopicProbe.awaitAll(topics.deployRequests(), (key, value) -> id.equals(key)
        && value instanceof PinReleased, 2)).hasSize(2);
    assertThat(TopicProbe.allSoFar(topics.syncRequests(),
        (key, value) -> id.equals(value.getApplicationId()) && value.getDeploymentId() != null)).hasSize(1);
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldEndThePinOnADeployAndCarryTheEnvironmentToTheAgentItMovedTo() {
    Agent agent = createAgent();
    Agent other = createAgent();
    markOnline(agent.id());
    markOnline(other.id());
    String id = createApplication(agent.id());
    putEnvironment(id, Map.of("TOKEN", "first"));
    Played first = playDeployment(id, agent.id(), "c1", COMPOSE_1, "A=1", DeploymentState.SUCCEEDED);
    playDeployment(id, agent.id(), "c2", COMPOSE_2, "A=2", DeploymentState.SUCCEEDED);

    rollback(id, first.deploymentId());
    String deploymentId = (String) admin().post().uri("/api/v1/applications/" + id + "/deploy").exchange()
        .expectStatus().isAccepted().expectBody(Map.class).returnResult().getResponseBody().get("deploymentId");
    assertThat(TopicProbe.await(topics.syncRequests(),
        (key, value) -> deploymentId.equals(value.getDeploymentId())).value().getApplicationId()).isEqualTo(id);
    assertThat(application(id).get("pinned")).isNull();
    assertThat(TopicProbe.await(topics.deployRequests(), (key, value) -> id.equals(key)
        && value instanceof PinReleased).value()).isNotNull();

    // Pinned again, then moved to another agent: the move ends the pin and deploys there.
    rollback(id, first.deploymentId());
    admin().put().uri("/api/v1/applications/" + id).bodyValue(Map.of("agentId", other.id())).exchange()
        .expectStatus().isOk().expectBody().jsonPath("$.pinned").doesNotExist();
    SyncRequested move = TopicProbe.await(topics.syncRequests(),
        (key, value) -> id.equals(value.getApplicationId()) && value.getDeploymentId() != null
            && !deploymentId.equals(value.getDeploymentId())).value();
    assertThat(move.getTrigger()).isEqualTo(SyncTrigger.MANUAL);
    assertThat(TopicProbe.awaitAll(topics.deployRequests(), (key, value) -> id.equals(key)
        && value instanceof PinReleased, 2)).hasSize(2);

    // A rollback on the new agent: the environment it ran with, sealed again for that agent.
    String rollbackId = rollback(id, first.deploymentId());
    DeployRequested rollback = (DeployRequested) TopicProbe.await(topics.deployRequests(),
        (key, value) -> value instanceof DeployRequested r && rollbackId.equals(r.getDeploymentId())).value();
    assertThat(rollback.getAgentId()).isEqualTo(other.id());
    assertThat(EnvironmentCipher.decrypt(other.key(), id, bytes(rollback.getSettings().getEnvironment())))
        .contains("TOKEN=first");
    assertThat(rollback.getDigest()).isEqualTo(ComposeDigest.of(COMPOSE_1.getBytes(StandardCharsets.UTF_8),
        files("A=1"), rollback.getSettings()));
  }

  @Test
  void shouldRefuseARollbackItCannotDoExactly() {
    Agent agent = createAgent();
    String id = createApplication(agent.id());
    Played ok = playDeployment(id, agent.id(), "c1", COMPOSE_1, "A=1", DeploymentState.SUCCEEDED);
    String uri = "/api/v1/applications/" + id + "/rollback";

    admin().post().uri(uri).bodyValue(Map.of("deploymentId", ok.deploymentId())).exchange().expectStatus()
        .isEqualTo(409).expectBody().jsonPath("$.error").value(error -> assertThat((String) error).endsWith("is offline"));
    markOnline(agent.id());
    admin().post().uri(uri).exchange().expectStatus().isBadRequest();
    admin().post().uri(uri).bodyValue(Map.of()).exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").value(error -> assertThat((String) error).startsWith("deploymentId is required"));
    admin().post().uri(uri).bodyValue(Map.of("deploymentId", "x".repeat(101))).exchange().expectStatus().isBadRequest();
    admin().post().uri(uri).bodyValue(Map.of("deploymentId", "no-such-deployment")).exchange().expectStatus()
        .isNotFound().expectBody().jsonPath("$.error").isEqualTo("deployment not found");
    String other = createApplication(agent.id());
    admin().post().uri("/api/v1/applications/" + other + "/rollback").bodyValue(Map.of("deploymentId", ok.deploymentId()))
        .exchange().expectStatus().isNotFound();
    admin().get().uri("/api/v1/applications/" + other + "/deployments/" + ok.deploymentId()).exchange()
        .expectStatus().isNotFound();
    Played failed = playDeployment(id, agent.id(), "c2", COMPOSE_2, "A=2", DeploymentState.FAILED);
    admin().post().uri(uri).bodyValue(Map.of("deploymentId", failed.deploymentId())).exchange().expectStatus()
        .isEqualTo(409).expectBody().jsonPath("$.error")
        .isEqualTo("only a deployment that succeeded can be rolled back to; deployment " + failed.deploymentId()
            + " failed");
    // A deployment whose contents were never recorded (made before Orca kept them).
    String old = "old-" + id;
    Instant now = Instant.now();
    update("INSERT INTO deployments (id, application_id, agent_id, generation, reason, actor, commit_sha, digest, state,"
            + " started_at, ended_at, deadline, updated_at) VALUES (?, ?, ?, 0, 'sync', 'poller', 'c0', 'unrecorded',"
            + " 'succeeded', ?, ?, ?, ?)", old, UUID.fromString(id), agent.id(), Timestamp.from(now.minusSeconds(60)),
        Timestamp.from(now.minusSeconds(50)), Timestamp.from(now), Timestamp.from(now));
    admin().post().uri(uri).bodyValue(Map.of("deploymentId", old)).exchange().expectStatus().isEqualTo(409)
        .expectBody().jsonPath("$.error").value(error -> assertThat((String) error).contains("was not recorded"));
    admin().get().uri("/api/v1/applications/" + id + "/deployments/" + old).exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.composeFile").doesNotExist().jsonPath("$.files").doesNotExist();
    assertThat(application(id).get("pinned")).isNull();
    assertThat(query("SELECT 1 FROM deployment_contents WHERE application_id = ?", UUID.fromString(id))).hasSize(2);
    // Contents go with their application, however it is deleted (here as an admin's forced removal does).
    update("DELETE FROM applications WHERE id = ?", UUID.fromString(id));
    assertThat(query("SELECT 1 FROM deployment_contents WHERE application_id = ?", UUID.fromString(id))).isEmpty();
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldRollBackToTheDeploymentsOwnCommitWhenItsContentsFirstRanAtAnother() {
    Agent agent = createAgent();
    markOnline(agent.id());
    String id = createApplication(agent.id());
    playDeployment(id, agent.id(), "c1", COMPOSE_1, "A=1", DeploymentState.SUCCEEDED);
    // A later commit that changed nothing the stack runs, deployed by hand: the same digest.
    Played same = playDeployment(id, agent.id(), "c3", COMPOSE_1, "A=1", DeploymentState.SUCCEEDED);
    playDeployment(id, agent.id(), "c4", COMPOSE_2, "A=2", DeploymentState.SUCCEEDED);

    String rollbackId = rollback(id, same.deploymentId());

    DeployRequested rollback = (DeployRequested) TopicProbe.await(topics.deployRequests(),
        (key, value) -> value instanceof DeployRequested r && rollbackId.equals(r.getDeploymentId())).value();
    assertThat(rollback.getCommit()).isEqualTo("c3");
    assertThat(rollback.getCommitMessage()).isNull();
    assertThat(rollback.getCompose()).isEqualTo(COMPOSE_1);
    assertThat(((Map<String, Object>) application(id).get("pinned"))).containsEntry("commit", "c3");
    admin().get().uri("/api/v1/applications/" + id + "/deployments/" + same.deploymentId()).exchange()
        .expectStatus().isOk().expectBody().jsonPath("$.commit").isEqualTo("c3")
        .jsonPath("$.commitMessage").doesNotExist();
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldPinARestoredApplicationAgainUnderAnIdARepeatKeepsAndEndThePinWhenNothingWasRecorded() {
    Agent agent = createAgent();
    markOnline(agent.id());
    String id = createApplication(agent.id());
    UUID uuid = UUID.fromString(id);
    Played first = playDeployment(id, agent.id(), "c1", COMPOSE_1, "A=1", DeploymentState.SUCCEEDED);
    playDeployment(id, agent.id(), "c2", COMPOSE_2, "A=2", DeploymentState.SUCCEEDED);
    rollback(id, first.deploymentId());

    // What an import's first start does, twice (a start that stopped half way and a second one).
    assertThat(store.republish(uuid, "import").block(DEADLINE)).isTrue();
    assertThat(store.republish(uuid, "import").block(DEADLINE)).isTrue();

    // A new broker's dispatcher is pinned again by the rollback, sent under one id both times: it takes it once.
    String restored = UUID.nameUUIDFromBytes(("restored-pin:" + id + ":" + first.deploymentId())
        .getBytes(StandardCharsets.UTF_8)).toString();
    List<TopicProbe.Message<org.apache.avro.specific.SpecificRecord>> again = TopicProbe.awaitAll(
        topics.deployRequests(), (key, value) -> value instanceof DeployRequested r && restored.equals(r.getDeploymentId()),
        2);
    assertThat(again).extracting(m -> (DeployRequested) m.value()).allSatisfy(r -> {
      assertThat(r.getReason()).isEqualTo(DeployReason.ROLLBACK);
      assertThat(r.getCommit()).isEqualTo("c1");
      assertThat(r.getDigest()).isEqualTo(first.digest());
    });
    assertThat(latestConfig(id).getPinnedCommit()).isEqualTo("c1");
    assertThat((Map<String, Object>) application(id).get("pinned")).containsEntry("deploymentId", first.deploymentId());

    // What it was pinned to is not recorded (an export of a version that did not keep it): the pin
    // ends on both sides, and the application follows its branch again.
    update("DELETE FROM deployment_contents WHERE application_id = ?", uuid);
    assertThat(store.republish(uuid, "import").block(DEADLINE)).isTrue();
    assertThat(application(id).get("pinned")).isNull();
    SyncRequested follow = TopicProbe.await(topics.syncRequests(),
        (key, value) -> id.equals(value.getApplicationId()) && "import".equals(value.getActor())).value();
    assertThat(TopicProbe.await(topics.configApplications(), (key, value) -> id.equals(key) && value != null
        && value.getRevision() >= follow.getMinRevision()).value().getPinnedCommit()).isNull();
    assertThat(TopicProbe.allSoFar(topics.deployRequests(),
        (key, value) -> value instanceof DeployRequested r && restored.equals(r.getDeploymentId()))).hasSize(2);
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldRollBackByItselfAfterAFailedDeploymentWhenTheApplicationAsksForIt() {
    Agent agent = createAgent();
    markOnline(agent.id());
    String id = createApplication(agent.id());
    admin().put().uri("/api/v1/applications/" + id).bodyValue(Map.of("autoRollback", true)).exchange()
        .expectStatus().isOk().expectBody().jsonPath("$.autoRollback").isEqualTo(true);
    // A channel that hears this application's failures (its receiver need not answer: its queue is read).
    update("INSERT INTO notification_channels (id, name, type, url_encrypted, events, application_ids, created_at,"
        + " updated_at) VALUES (?, 'failures', 'webhook', ?, '{deployment_failed}', ARRAY[?::uuid], now(), now())",
        UUID.randomUUID(), secretBox().encrypt("http://127.0.0.1:9/hook"), id);
    Played good = playDeployment(id, agent.id(), "c1", COMPOSE_1, "A=1", DeploymentState.SUCCEEDED);
    Played broken = playDeployment(id, agent.id(), "c2", COMPOSE_2, "A=2", DeploymentState.FAILED);

    // Sent once, under the id the failed deployment gives it, as a rollback by hand would be.
    String expected = AutoRollbacks.idAfter(broken.deploymentId());
    DeployRequested rollback = (DeployRequested) TopicProbe.await(topics.deployRequests(),
        (key, value) -> value instanceof DeployRequested r && expected.equals(r.getDeploymentId())).value();
    assertThat(rollback.getReason()).isEqualTo(DeployReason.ROLLBACK);
    assertThat(rollback.getActor()).isEqualTo(AutoRollbacks.ACTOR);
    assertThat(rollback.getCommit()).isEqualTo("c1");
    assertThat(rollback.getDigest()).isEqualTo(good.digest());
    await(() -> application(id).get("pinned") != null, "the application pinned");
    assertThat((Map<String, Object>) application(id).get("pinned")).containsEntry("deploymentId", good.deploymentId());
    await(() -> query("SELECT 1 FROM auto_rollbacks WHERE failed_deployment_id = ?", broken.deploymentId()).isEmpty(),
        "the queued rollback done");
    assertThat(query("SELECT actor_type, actor_id FROM audit_log WHERE action = 'application.rollback'"
        + " AND entity_id = ?", id)).singleElement()
        .satisfies(entry -> assertThat(entry).containsEntry("actor_type", "system").containsEntry("actor_id", "auto-rollback"));
    // The failure's notification says what follows.
    assertThat(query("SELECT detail FROM notification_deliveries WHERE deployment_id = ? AND event = 'deployment_failed'",
        broken.deploymentId())).singleElement().satisfies(delivery -> assertThat((String) delivery.get("detail"))
            .startsWith("failed").endsWith("(Orca rolls the application back to the last deployment that succeeded)"));

    // That rollback failing too is not rolled back again: no loop.
    Instant now = Instant.now();
    publisher.publish(topics.status(), id, DeploymentChanged.newBuilder().setDeploymentId(expected)
        .setApplicationId(id).setAgentId(agent.id()).setGeneration(3).setReason(DeployReason.ROLLBACK)
        .setActor(AutoRollbacks.ACTOR).setCommit("c1").setDigest(good.digest()).setState(DeploymentState.FAILED)
        .setError("still broken").setStartedAt(now).setEndedAt(now).setDeadline(now.plusSeconds(300)).setAt(now)
        .build()).block(DEADLINE);
    await(() -> !query("SELECT 1 FROM deployments WHERE id = ? AND state = 'failed'", expected).isEmpty(),
        "the failed rollback projected");
    assertThat(query("SELECT 1 FROM auto_rollbacks WHERE application_id = ?", UUID.fromString(id))).isEmpty();
    assertThat(TopicProbe.allSoFar(topics.deployRequests(), (key, value) -> id.equals(key)
        && value instanceof DeployRequested r && r.getReason() == DeployReason.ROLLBACK)).hasSize(1);

    // What the user does next decides: an unpin takes away a rollback still queued (leased far
    // ahead here, so that no pass sends it first).
    update("INSERT INTO auto_rollbacks (failed_deployment_id, application_id, leased_until) VALUES (?, ?,"
        + " now() + interval '1 hour')", "queued-" + id, UUID.fromString(id));
    admin().delete().uri("/api/v1/applications/" + id + "/pin").exchange().expectStatus().isNoContent();
    assertThat(query("SELECT 1 FROM auto_rollbacks WHERE application_id = ?", UUID.fromString(id))).isEmpty();
  }

  @Test
  void shouldNotRollBackByItselfWithoutBeingAskedOrWithoutAnEarlierSuccessOrAnAgent() {
    Agent agent = createAgent();
    markOnline(agent.id());
    String plain = createApplication(agent.id());
    playDeployment(plain, agent.id(), "c1", COMPOSE_1, "A=1", DeploymentState.SUCCEEDED);
    playDeployment(plain, agent.id(), "c2", COMPOSE_2, "A=2", DeploymentState.FAILED);
    assertThat(query("SELECT 1 FROM auto_rollbacks WHERE application_id = ?", UUID.fromString(plain))).isEmpty();

    String fresh = createApplication(agent.id());
    admin().put().uri("/api/v1/applications/" + fresh).bodyValue(Map.of("autoRollback", true)).exchange()
        .expectStatus().isOk();
    playDeployment(fresh, agent.id(), "c1", COMPOSE_1, "A=1", DeploymentState.FAILED);
    // Nothing before it succeeded: nothing to roll back to, and the failure's notice promises nothing.
    assertThat(query("SELECT 1 FROM auto_rollbacks WHERE application_id = ?", UUID.fromString(fresh))).isEmpty();
    assertThat(application(fresh).get("pinned")).isNull();

    // An agent that is offline says nothing about the stack: its deploy failed for want of it, and
    // the agent applies it when it returns. Rolling back would undo that push.
    Agent away = createAgent();
    markOnline(away.id());
    String pushed = createApplication(away.id());
    admin().put().uri("/api/v1/applications/" + pushed).bodyValue(Map.of("autoRollback", true)).exchange()
        .expectStatus().isOk();
    playDeployment(pushed, away.id(), "c1", COMPOSE_1, "A=1", DeploymentState.SUCCEEDED);
    update("UPDATE agents SET last_seen = ? WHERE id = ?", Timestamp.from(Instant.now().minusSeconds(3600)), away.id());
    playDeployment(pushed, away.id(), "c2", COMPOSE_2, "A=2", DeploymentState.FAILED);
    assertThat(query("SELECT 1 FROM auto_rollbacks WHERE application_id = ?", UUID.fromString(pushed))).isEmpty();
    assertThat(TopicProbe.allSoFar(topics.deployRequests(), (key, value) -> fresh.equals(key)
        && value instanceof DeployRequested r && r.getReason() == DeployReason.ROLLBACK)).isEmpty();
    // By now a rollback queued for the first applications would have been sent too.
    for (String app : List.of(plain, pushed)) {
      assertThat(TopicProbe.allSoFar(topics.deployRequests(), (key, value) -> app.equals(key)
          && value instanceof DeployRequested r && r.getReason() == DeployReason.ROLLBACK)).isEmpty();
    }
  }

  /** Plays sync-stream and the dispatcher: a DeployRequested of what ran, then its deployment's outcome. */
  private Played playDeployment(String id, String agentId, String commit, String compose, String envFile,
      DeploymentState outcome) {
    ApplicationConfig config = latestConfig(id);
    DeploySettings settings = config.getSettings();
    SortedMap<String, byte[]> files = files(envFile);
    String digest = ComposeDigest.of(compose.getBytes(StandardCharsets.UTF_8), files, settings);
    Map<String, ByteBuffer> carried = new TreeMap<>();
    files.forEach((path, content) -> carried.put(path, ByteBuffer.wrap(content)));
    publisher.publish(topics.deployRequests(), id, DeployRequested.newBuilder().setRequestId(UUID.randomUUID().toString())
        .setApplicationId(id).setAgentId(agentId).setReason(DeployReason.SYNC).setCommit(commit)
        .setCommitMessage("message of " + commit).setCompose(compose).setDigest(digest).setComposeChanged(true)
        .setFiles(carried).setSettings(settings).setActor("sync-stream").setAt(Instant.now()).build()).block(DEADLINE);
    String deploymentId = commit + "-" + id;
    long generation = commit.charAt(1) - '0';
    Instant now = Instant.now();
    publisher.publish(topics.status(), id, DeploymentChanged.newBuilder().setDeploymentId(deploymentId)
        .setApplicationId(id).setAgentId(agentId).setGeneration(generation).setReason(DeployReason.SYNC)
        .setActor("sync-stream").setCommit(commit).setDigest(digest).setState(outcome).setStartedAt(now)
        .setEndedAt(now).setDeadline(now.plusSeconds(300)).setAt(now).build()).block(DEADLINE);
    await(() -> !query("SELECT 1 FROM deployment_contents WHERE application_id = ? AND digest = ?",
        UUID.fromString(id), digest).isEmpty() && !query("SELECT 1 FROM deployments WHERE id = ?", deploymentId).isEmpty(),
        "deployment " + deploymentId + " and what it ran projected");
    return new Played(deploymentId, commit, digest);
  }

  private ApplicationConfig latestConfig(String id) {
    return TopicProbe.allSoFar(topics.configApplications(), (key, value) -> id.equals(key) && value != null).stream()
        .map(TopicProbe.Message::value).reduce((a, b) -> b.getRevision() > a.getRevision() ? b : a).orElseThrow();
  }

  private String rollback(String id, String deploymentId) {
    return (String) admin().post().uri("/api/v1/applications/" + id + "/rollback")
        .bodyValue(Map.of("deploymentId", deploymentId)).exchange().expectStatus().isAccepted()
        .expectBody(Map.class).returnResult().getResponseBody().get("deploymentId");
  }

  private static SortedMap<String, byte[]> files(String envFile) {
    SortedMap<String, byte[]> files = new TreeMap<>();
    files.put("app.env", envFile.getBytes(StandardCharsets.UTF_8));
    return files;
  }

  private void putEnvironment(String id, Map<String, String> variables) {
    admin().put().uri("/api/v1/applications/" + id + "/environment").bodyValue(Map.of("variables", variables))
        .exchange().expectStatus().isOk();
    // The snapshot carrying it is what the next sync copies.
    TopicProbe.await(topics.configApplications(), (key, value) -> id.equals(key) && value != null
        && value.getSettings() != null && value.getSettings().getEnvironment() != null
        && value.getRevision() >= currentRevision(id));
  }

  private static long currentRevision(String id) {
    return ((Number) single("SELECT revision FROM applications WHERE id = ?", UUID.fromString(id)).get("revision"))
        .longValue();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> application(String id) {
    return admin().get().uri("/api/v1/applications/" + id).exchange().expectStatus().isOk().expectBody(Map.class)
        .returnResult().getResponseBody();
  }

  private static boolean audited(String action, String entityId) {
    return !query("SELECT 1 FROM audit_log WHERE action = ? AND entity_id = ?", action, entityId).isEmpty();
  }

  @SuppressWarnings("unchecked")
  private Agent createAgent() {
    Map<String, Object> created = admin().post().uri("/api/v1/agents")
        .bodyValue(Map.of("name", "rb-" + UUID.randomUUID().toString().substring(0, 8)))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
    String key = (String) ((Map<String, Object>) created.get("connection")).get("environmentKey");
    return new Agent((String) created.get("id"), Base64.getDecoder().decode(key));
  }

  private String createApplication(String agentId) {
    return (String) admin().post().uri("/api/v1/applications")
        .bodyValue(Map.of("name", "rb-" + UUID.randomUUID().toString().substring(0, 8), "repositoryId", repositoryId,
            "agentId", agentId, "path", "stack/compose.yaml"))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
  }

  private static void markOnline(String agentId) {
    update("UPDATE agents SET last_seen = ? WHERE id = ?", Timestamp.from(Instant.now()), agentId);
  }

  private static void await(BooleanSupplier condition, String what) {
    org.awaitility.Awaitility.await(what).atMost(DEADLINE).pollInterval(Duration.ofMillis(50))
        .until(condition::getAsBoolean);
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] out = new byte[copy.remaining()];
    copy.get(out);
    return out;
  }

  private static String text(ByteBuffer buffer) {
    return new String(bytes(buffer), StandardCharsets.UTF_8);
  }

  private static String sha256(String text) {
    return ComposeDigest.sha256(text.getBytes(StandardCharsets.UTF_8));
  }

}
