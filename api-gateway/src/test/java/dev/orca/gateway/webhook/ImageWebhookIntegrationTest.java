package dev.orca.gateway.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.gateway.GatewayTestSupport;
import dev.orca.gateway.TopicProbe;
import dev.orca.gateway.imageupdate.ImageUpdates;
import dev.orca.schemas.Topic;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.Heartbeat;
import dev.orca.schemas.avro.ImageUpdateFound;
import dev.orca.schemas.avro.SyncRequested;
import dev.orca.schemas.avro.SyncTrigger;
import dev.orca.testsupport.SharedKafka;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

/**
 * Image webhooks and the agent's image findings through the running gateway: each registry's way
 * of proving the secret and its payload, a burst answered with one deployment, pushes of images
 * the application does not run and pings ignored, and a finding turned into an image-update sync
 * only for the reporting agent's own applications that ask for checks.
 */
class ImageWebhookIntegrationTest extends GatewayTestSupport {

  private static final String SECRET = "imgsec-" + UUID.randomUUID();
  private static final String SECRET_RULE = "imageWebhookSecret must be 16 to 256 characters, each a letter, a"
      + " digit or one of - . _ ~ (they go in a URL unencoded), or empty to remove it";

  @Autowired
  Topics topics;

  private String repositoryId;
  private String agentId;

  @BeforeEach
  void entities() {
    repositoryId = (String) admin().post().uri("/api/v1/repositories")
        .bodyValue(Map.of("name", "images-" + UUID.randomUUID().toString().substring(0, 8),
            "url", "https://git.example.com/acme/apps.git"))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
    agentId = createAgent();
  }

  @Test
  void shouldAcceptTheSecretEveryWayRegistriesSendItAndAnswerABurstWithOneDeployment() {
    String id = application(Map.of("imageWebhookSecret", SECRET, "removeSupersededImages", true));
    Map<String, Object> read = admin().get().uri("/api/v1/applications/" + id).exchange().expectStatus().isOk()
        .expectBody(Map.class).returnResult().getResponseBody();
    assertThat(read).containsEntry("hasImageWebhookSecret", true).containsEntry("removeSupersededImages", true)
        .containsEntry("imagePolling", false).containsEntry("imagePollIntervalSeconds", 120)
        .doesNotContainKey("imageWebhookSecret");
    assertThat((String) read.get("imageWebhookUrl")).endsWith("/api/v1/webhooks/images/" + id);
    assertThat(single("SELECT image_webhook_secret_encrypted FROM applications WHERE id = ?", UUID.fromString(id))
        .get("image_webhook_secret_encrypted").toString()).doesNotContain(SECRET);

    String plain = deploymentId(post(id, "", Map.of("Authorization", "Bearer " + SECRET), "{\"image\":\"ghcr.io/acme/web:1\"}"));
    String harbor = deploymentId(post(id, "", Map.of("Authorization", SECRET), fixture("harbor-push")));
    String dockerHub = deploymentId(post(id, "?token=" + SECRET, Map.of(), fixture("dockerhub-push")));
    byte[] github = fixture("github-package").getBytes(StandardCharsets.UTF_8);
    String gitHub = deploymentId(post(id, "", Map.of("X-GitHub-Event", "package", "X-Hub-Signature-256",
        "sha256=" + HexFormat.of().formatHex(WebhookSignatures.hmacSha256(SECRET, github))), new String(github,
        StandardCharsets.UTF_8)));

    assertThat(List.of(harbor, dockerHub, gitHub)).as("one burst, one deployment").containsOnly(plain);
    SyncRequested request = TopicProbe.await(topics.syncRequests(),
        (key, value) -> plain.equals(value.getDeploymentId())).value();
    assertThat(request.getTrigger()).isEqualTo(SyncTrigger.IMAGE_UPDATE);
    assertThat(request.getPullImages()).isTrue();
    assertThat(request.getApplicationId()).isEqualTo(id);
    assertThat(request.getRepositoryId()).isEqualTo(repositoryId);
    assertThat(request.getActor()).isEqualTo("webhook:image:github");
    assertThat(request.getMinRevision()).isPositive();
    assertThat(query("SELECT 1 FROM image_updates WHERE application_id = ?", UUID.fromString(id))).isEmpty();

    // After the burst was sent, a new push is a new deployment.
    String next = deploymentId(post(id, "", Map.of("Authorization", "Bearer " + SECRET), ""));
    assertThat(next).isNotEqualTo(plain);
    assertThat(TopicProbe.allSoFar(topics.syncRequests(), (key, value) -> plain.equals(value.getDeploymentId())))
        .hasSize(1);
  }

  @Test
  void shouldReadGitHubsFormEncodedPackageEventSignedOverTheForm() {
    String id = application(Map.of("imageWebhookSecret", SECRET));
    byte[] form = ("payload=" + URLEncoder.encode(fixture("github-package"), StandardCharsets.UTF_8))
        .getBytes(StandardCharsets.UTF_8);

    String deploymentId = deploymentId(post(id, "", Map.of("Content-Type", "application/x-www-form-urlencoded",
        "X-GitHub-Event", "package", "X-Hub-Signature-256", signature(form)),
        new String(form, StandardCharsets.UTF_8)));

    SyncRequested request = TopicProbe.await(topics.syncRequests(),
        (key, value) -> deploymentId.equals(value.getDeploymentId())).value();
    assertThat(request.getActor()).isEqualTo("webhook:image:github");
    byte[] noPayload = "zen=hi".getBytes(StandardCharsets.UTF_8);
    assertError(post(id, "", Map.of("Content-Type", "application/x-www-form-urlencoded", "X-GitHub-Event", "package",
        "X-Hub-Signature-256", signature(noPayload)), "zen=hi"), 400, "a form-encoded webhook needs a payload field");
  }

  @Test
  void shouldAnswer409WhileTheApplicationIsBeingRemoved() {
    String id = application(Map.of("imageWebhookSecret", SECRET));
    update("UPDATE applications SET removal_request_id = 'rm-image', removal_deadline = now() + interval '1 minute'"
        + " WHERE id = ?", UUID.fromString(id));

    assertError(post(id, "", Map.of("Authorization", "Bearer " + SECRET), "{\"image\":\"ghcr.io/acme/web:1\"}"), 409,
        "application is being removed");
    assertThat(query("SELECT 1 FROM image_updates WHERE application_id = ?", UUID.fromString(id))).isEmpty();
  }

  @Test
  void shouldTakeNoNewImagesForAnApplicationPinnedByARollback() throws Exception {
    String id = application(Map.of("imageWebhookSecret", SECRET, "imagePolling", true, "imagePollIntervalSeconds", 30));
    update("UPDATE applications SET pinned_deployment_id = 'rolled-back-to', pinned_commit = 'c1', pinned_at = now()"
        + " WHERE id = ?", UUID.fromString(id));

    assertIgnored(post(id, "", Map.of("Authorization", "Bearer " + SECRET), "{\"image\":\"ghcr.io/acme/web:1\"}"),
        "ignored: the application is pinned by a rollback; unpin it to take new images");
    // Nor from its agent's image check.
    String latest = deployment(id, 1, "succeeded");
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      Timestamp sent = Timestamp.from(Instant.now());
      send(producer, topics.agentEvents(agentId), id, found(id, latest));
      send(producer, topics.agentEvents(agentId), id, heartbeat(agentId));
      Awaitility.await().atMost(DEADLINE).until(() -> query(
          "SELECT 1 FROM agents WHERE id = ? AND last_seen >= ?", agentId, sent).size() == 1);
    }
    assertNoImageUpdateAsked(id);
  }

  @Test
  void shouldAnswer404WhenTheApplicationIsDeletedBetweenTheCheckAndTheUpdate() {
    String id = application(Map.of("imageWebhookSecret", SECRET));
    // Stands in for a DELETE committing between the webhook's read and its insert: the insert then
    // breaks image_updates' foreign key, as it would in that race (the failed insert takes this
    // DELETE back with it, so the application is still there afterwards).
    String trigger = "vanish_" + id.replace("-", "");
    update("CREATE OR REPLACE FUNCTION test_delete_application() RETURNS trigger LANGUAGE plpgsql AS"
        + " $$ BEGIN DELETE FROM applications WHERE id = NEW.application_id; RETURN NEW; END $$");
    update("CREATE TRIGGER " + trigger + " BEFORE INSERT ON image_updates FOR EACH ROW WHEN (NEW.application_id = '"
        + UUID.fromString(id) + "') EXECUTE FUNCTION test_delete_application()");
    try {
      assertError(post(id, "", Map.of("Authorization", "Bearer " + SECRET), ""), 404, "application not found");
    } finally {
      update("DROP TRIGGER " + trigger + " ON image_updates");
    }
    assertThat(query("SELECT 1 FROM image_updates WHERE application_id = ?", UUID.fromString(id))).isEmpty();
  }

  @Test
  void shouldRefuseWrongSecretsAndSayWhatIsMissing() {
    String id = application(Map.of("imageWebhookSecret", SECRET));
    String without = application(Map.of());

    assertError(post(id, "", Map.of("Authorization", "Bearer not-the-secret"), ""), 401, ImageWebhookController.BAD_SECRET);
    assertError(post(id, "?token=wrong", Map.of(), fixture("dockerhub-push")), 401, ImageWebhookController.BAD_SECRET);
    assertError(post(id, "", Map.of(), ""), 401, ImageWebhookController.BAD_SECRET);
    assertError(post(id, "", Map.of("X-GitHub-Event", "package", "X-Hub-Signature-256", "sha256=" + "0".repeat(64)),
        fixture("github-package")), 401, ImageWebhookController.BAD_SECRET);
    assertError(post(without, "", Map.of("Authorization", "Bearer " + SECRET), ""), 400,
        "this application has no image webhook secret; set imageWebhookSecret on it first");
    assertError(post(UUID.randomUUID().toString(), "", Map.of("Authorization", "Bearer " + SECRET), ""), 404,
        "application not found");
    assertError(post("not-an-id", "", Map.of(), ""), 404, "application not found");
    assertError(post(id, "", Map.of("Authorization", "Bearer " + SECRET), "{not json"), 400,
        "the webhook body is not valid JSON");
    byte[] huge = new byte[WebhookController.MAX_BODY_BYTES + 1];
    EntityExchangeResult<byte[]> tooBig = anonymous().post().uri("/api/v1/webhooks/images/" + id)
        .header("Authorization", "Bearer " + SECRET).bodyValue(huge).exchange().expectBody().returnResult();
    assertThat(tooBig.getStatus().value()).isEqualTo(413);

    admin().put().uri("/api/v1/applications/" + id).bodyValue(Map.of("imageWebhookSecret", "short"))
        .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.error")
        .isEqualTo(SECRET_RULE);
    admin().put().uri("/api/v1/applications/" + id).bodyValue(Map.of("imageWebhookSecret", "with a space 0123456789"))
        .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.error").isEqualTo(SECRET_RULE);
    admin().put().uri("/api/v1/applications/" + id).bodyValue(Map.of("imageWebhookSecret", ""))
        .exchange().expectStatus().isOk().expectBody().jsonPath("$.hasImageWebhookSecret").isEqualTo(false)
        .jsonPath("$.imageWebhookUrl").isEmpty();
    assertError(post(id, "", Map.of("Authorization", "Bearer " + SECRET), ""), 400,
        "this application has no image webhook secret; set imageWebhookSecret on it first");
    assertThat(query("SELECT 1 FROM image_updates WHERE application_id IN (?, ?)", UUID.fromString(id),
        UUID.fromString(without))).isEmpty();
  }

  @Test
  void shouldIgnorePingsOtherEventsAndImagesTheApplicationDoesNotRun() {
    String id = application(Map.of("imageWebhookSecret", SECRET));
    update("UPDATE applications SET compose_encrypted = ? WHERE id = ?", secretBox().encrypt("""
        services:
          web: {image: "ghcr.io/acme/web:1"}
          cache: {image: redis}
        """), UUID.fromString(id));

    assertIgnored(post(id, "", Map.of("Authorization", "Bearer " + SECRET), "{\"image\":\"ghcr.io/acme/other:1\"}"),
        "ignored: the application does not run ghcr.io/acme/other:1");
    assertIgnored(post(id, "", Map.of("Authorization", "Bearer " + SECRET), "{\"image\":\"ghcr.io/acme/web:2\"}"),
        "ignored: the application does not run ghcr.io/acme/web:2");
    assertIgnored(post(id, "?token=" + SECRET, Map.of(), fixture("dockerhub-push")),
        "ignored: the application does not run acme/web:latest");
    assertIgnored(post(id, "", Map.of("Authorization", SECRET), "{\"type\":\"DELETE_ARTIFACT\",\"event_data\":{}}"),
        "ignored: Harbor event 'DELETE_ARTIFACT' is not a push");
    byte[] ping = "{\"zen\":\"Keep it logically awesome.\"}".getBytes(StandardCharsets.UTF_8);
    assertIgnored(post(id, "", Map.of("X-GitHub-Event", "ping", "X-Hub-Signature-256",
        "sha256=" + HexFormat.of().formatHex(WebhookSignatures.hmacSha256(SECRET, ping))), new String(ping,
        StandardCharsets.UTF_8)), "ignored: ping");
    assertThat(query("SELECT 1 FROM image_updates WHERE application_id = ?", UUID.fromString(id))).isEmpty();

    // The images it runs, tag and registry read the way Docker reads them.
    deploymentId(post(id, "", Map.of("Authorization", "Bearer " + SECRET), "{\"image\":\"ghcr.io/acme/web\"}"));
    deploymentId(post(id, "", Map.of("Authorization", "Bearer " + SECRET), "{\"image\":\"docker.io/library/redis:latest\"}"));
  }

  @Test
  void shouldCountEveryPushWhenTheComposeFileIncludesOtherFiles() {
    String id = application(Map.of("imageWebhookSecret", SECRET));
    update("UPDATE applications SET compose_encrypted = ? WHERE id = ?", secretBox().encrypt("""
        include:
          - monitoring/compose.yaml
        services:
          web: {image: "ghcr.io/acme/web:1"}
        """), UUID.fromString(id));

    // The included file may run the pushed image: the gateway cannot tell, so the push counts.
    deploymentId(post(id, "", Map.of("Authorization", "Bearer " + SECRET), "{\"image\":\"ghcr.io/acme/other:1\"}"));
  }

  @Test
  void shouldTurnAnAgentsFindingIntoAnImageUpdateOnlyForItsOwnApplicationsThatAskForChecksWithNoDeploymentInFlight()
      throws Exception {
    String polled = application(Map.of("imagePolling", true, "imagePollIntervalSeconds", 30));
    String unpolled = application(Map.of());
    String otherAgent = createAgent();
    admin().put().uri("/api/v1/applications/" + polled).bodyValue(Map.of("imagePollIntervalSeconds", 29))
        .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.error")
        .isEqualTo("imagePollIntervalSeconds must be between 30 and 86400");
    String latest = deployment(polled, 1, "succeeded");
    String inFlight = deployment(polled, 2, "in_progress");
    String unpolledLatest = deployment(unpolled, 1, "succeeded");
    String notOthers = application(Map.of("imagePolling", true, "imagePollIntervalSeconds", 30));
    String notOthersLatest = deployment(notOthers, 1, "succeeded");

    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      // Each refused for one reason only: another agent's word about this application, a finding
      // for an application without checks, and one that arrives while another deployment is in flight.
      Timestamp sent = Timestamp.from(Instant.now());
      send(producer, topics.agentEvents(otherAgent), notOthers, found(notOthers, notOthersLatest));
      send(producer, topics.agentEvents(agentId), unpolled, found(unpolled, unpolledLatest));
      send(producer, topics.agentEvents(agentId), polled, found(polled, latest));
      // Projected after the findings on the same partitions: once they show, the findings were read.
      send(producer, topics.agentEvents(otherAgent), notOthers, heartbeat(otherAgent));
      send(producer, topics.agentEvents(agentId), unpolled, heartbeat(agentId));
      Awaitility.await().atMost(DEADLINE).until(() -> query(
          "SELECT 1 FROM agents WHERE id IN (?, ?) AND last_seen >= ?", otherAgent, agentId, sent).size() == 2);
      // Before the sweeper could have sent and deleted a row: none was written.
      assertNoImageUpdateAsked(polled, unpolled, notOthers);
      Thread.sleep(ImageUpdates.DEBOUNCE.toMillis() + 1_000);
      assertNoImageUpdateAsked(polled, unpolled, notOthers);
      assertThat(TopicProbe.allSoFar(topics.syncRequests(), (key, value) -> value.getTrigger() == SyncTrigger.IMAGE_UPDATE
          && List.of(polled, unpolled, notOthers).contains(value.getApplicationId()))).isEmpty();

      // The deployment in flight failed without reaching the agent: the stack is still the one
      // the finding is about, and the same finding now counts.
      update("UPDATE deployments SET state = 'failed', ended_at = now() WHERE id = ?", inFlight);
      send(producer, topics.agentEvents(agentId), polled, found(polled, latest));
    }
    SyncRequested request = TopicProbe.await(topics.syncRequests(),
        (key, value) -> polled.equals(value.getApplicationId()) && value.getTrigger() == SyncTrigger.IMAGE_UPDATE).value();
    assertThat(request.getActor()).isEqualTo("image-poll:" + agentId);
    assertThat(request.getPullImages()).isTrue();
    assertThat(request.getDeploymentId()).isNotNull().isNotEqualTo(latest);
  }

  /** No image_updates row and no image-update SyncRequested waiting in the outbox for these applications. */
  private void assertNoImageUpdateAsked(String... applicationIds) {
    for (String id : applicationIds) {
      assertThat(query("SELECT 1 FROM image_updates WHERE application_id = ?", UUID.fromString(id))).as(id).isEmpty();
    }
    List<String> ids = List.of(applicationIds);
    assertThat(query("SELECT value FROM outbox WHERE topic = ?", topics.syncRequests().name()).stream()
        .map(row -> topics.syncRequests().value((byte[]) row.get("value")))
        .filter(value -> value != null && value.getTrigger() == SyncTrigger.IMAGE_UPDATE
            && ids.contains(value.getApplicationId())))
        .isEmpty();
  }

  /** A deployments row as the projector writes it from DeploymentChanged; a later generation started later. */
  private String deployment(String applicationId, int generation, String state) {
    String id = UUID.randomUUID().toString();
    update("INSERT INTO deployments (id, application_id, agent_id, generation, reason, actor, commit_sha, digest,"
            + " state, started_at, deadline, updated_at) VALUES (?, ?, ?, ?, 'config_change', 'test', ?, 'digest',"
            + " ?, ?, now(), now())", id, UUID.fromString(applicationId), agentId, (long) generation, "a".repeat(40), state,
        Timestamp.from(Instant.now().minusSeconds(600 - 60L * generation)));
    return id;
  }

  private static ImageUpdateFound found(String applicationId, String deploymentId) {
    return ImageUpdateFound.newBuilder().setApplicationId(applicationId).setDeploymentId(deploymentId)
        .setServices(List.of("web: ghcr.io/acme/web:1 1a2b3c4d5e6f → 6f5e4d3c2b1a")).setAt(Instant.now()).build();
  }

  private static Heartbeat heartbeat(String agent) {
    return Heartbeat.newBuilder().setAgentId(agent).setAgentVersion("test").setDockerAvailable(true)
        .setIntervalSeconds(10).setAt(Instant.now()).build();
  }

  private static KafkaProducer<byte[], byte[]> producer() {
    return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()),
        new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** On partition 0, so the records of one topic are read in the order sent. */
  private static <V> void send(KafkaProducer<byte[], byte[]> producer, Topic<String, V> topic, String key, V value)
      throws Exception {
    ProducerRecord<byte[], byte[]> record = topic.record(key, value);
    producer.send(new ProducerRecord<>(record.topic(), 0, record.key(), record.value())).get(20, TimeUnit.SECONDS);
  }

  private String application(Map<String, Object> settings) {
    Map<String, Object> body = new HashMap<>(settings);
    body.putAll(Map.of("name", "img-" + UUID.randomUUID().toString().substring(0, 8), "repositoryId", repositoryId,
        "agentId", agentId, "path", "stack/compose.yaml"));
    return (String) admin().post().uri("/api/v1/applications").bodyValue(body)
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
  }

  private String createAgent() {
    String id = (String) admin().post().uri("/api/v1/agents")
        .bodyValue(Map.of("name", "agent-" + UUID.randomUUID().toString().substring(0, 8)))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
    update("UPDATE agents SET last_seen = ? WHERE id = ?", Timestamp.from(Instant.now()), id);
    return id;
  }

  private EntityExchangeResult<byte[]> post(String id, String query, Map<String, String> headers, String body) {
    return anonymous().post().uri("/api/v1/webhooks/images/" + id + query)
        .headers(h -> {
          h.set("Content-Type", "application/json");
          headers.forEach(h::set);
        })
        .bodyValue(body.getBytes(StandardCharsets.UTF_8))
        .exchange().expectBody().returnResult();
  }

  private static String signature(byte[] body) {
    return "sha256=" + HexFormat.of().formatHex(WebhookSignatures.hmacSha256(SECRET, body));
  }

  private static String fixture(String name) {
    try (var in = ImageWebhookIntegrationTest.class.getResourceAsStream("/webhooks/images/" + name + ".json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String deploymentId(EntityExchangeResult<byte[]> result) {
    String body = new String(result.getResponseBody() == null ? new byte[0] : result.getResponseBody(),
        StandardCharsets.UTF_8);
    assertThat(result.getStatus().value()).as(body).isEqualTo(202);
    assertThat(body).matches("\\{\"deploymentId\":\"[0-9a-f-]{36}\"}");
    return body.substring(17, 53);
  }

  private static void assertIgnored(EntityExchangeResult<byte[]> result, String why) {
    assertThat(result.getStatus().value()).isEqualTo(204);
    assertThat(result.getResponseHeaders().getFirst(WebhookController.RESULT_HEADER)).isEqualTo(why);
  }

  private static void assertError(EntityExchangeResult<byte[]> result, int status, String message) {
    String body = new String(result.getResponseBody() == null ? new byte[0] : result.getResponseBody(),
        StandardCharsets.UTF_8);
    assertThat(result.getStatus().value()).as(body).isEqualTo(status);
    assertThat(body).isEqualTo("{\"error\":\"" + message.replace("\"", "\\\"") + "\"}");
  }
}
