package dev.orca.gateway.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orca.gateway.GatewayTestSupport;
import dev.orca.gateway.TopicProbe;
import dev.orca.gateway.system.EntityRenderer;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.ApplicationConfig;
import dev.orca.schemas.avro.SyncRequested;
import dev.orca.schemas.avro.SyncTrigger;
import dev.orca.schemas.crypto.EnvironmentCipher;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.WebTestClient;

/** {@code GET|PUT /applications/{id}/environment}: write-only values, sealed for the application's agent. */
class EnvironmentIntegrationTest extends GatewayTestSupport {

  @Autowired
  Topics topics;

  @Autowired
  EntityRenderer renderer;

  private String repositoryId;
  private Agent agent;
  private String secret;

  /** An agent as its creation answered: its id and environment key. */
  private record Agent(String id, byte[] key) {}

  @BeforeEach
  void entities() {
    repositoryId = (String) admin().post().uri("/api/v1/repositories")
        .bodyValue(Map.of("name", "env", "url", "https://git.example.com/acme/env.git"))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
    agent = createAgent();
    secret = "s3cret-" + UUID.randomUUID();
  }

  @Test
  void shouldReplaceTheVariablesAndAnswerOnlyTheirSortedNames() {
    String id = createApplication(agent.id());

    put(id, Map.of("GREETING", "hello", "DB_PASSWORD", secret)).expectStatus().isOk()
        .expectBody().json("{\"names\":[\"DB_PASSWORD\",\"GREETING\"]}", true);
    admin().get().uri("/api/v1/applications/" + id + "/environment").exchange().expectStatus().isOk()
        .expectBody().json("{\"names\":[\"DB_PASSWORD\",\"GREETING\"]}", true);

    put(id, Map.of("ONLY", "one")).expectStatus().isOk().expectBody().json("{\"names\":[\"ONLY\"]}", true);
    admin().get().uri("/api/v1/applications/" + id + "/environment").exchange().expectStatus().isOk()
        .expectBody().json("{\"names\":[\"ONLY\"]}", true);

    put(id, Map.of()).expectStatus().isOk().expectBody().json("{\"names\":[]}", true);
    admin().get().uri("/api/v1/applications/" + id + "/environment").exchange().expectStatus().isOk()
        .expectBody().json("{\"names\":[]}", true);
    assertThat(single("SELECT environment_sealed FROM applications WHERE id = ?", UUID.fromString(id))
        .get("environment_sealed")).isNull();
  }

  @Test
  void shouldStoreAndPublishTheValuesOnlySealedForTheAgentAndRequestADeployment() {
    String id = createApplication(agent.id());

    put(id, Map.of("GREETING", "hello", "DB_PASSWORD", secret)).expectStatus().isOk();

    byte[] stored = (byte[]) single("SELECT environment_sealed FROM applications WHERE id = ?", UUID.fromString(id))
        .get("environment_sealed");
    assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain(secret).doesNotContain("GREETING");
    assertThat(EnvironmentCipher.decrypt(agent.key(), id, stored))
        .isEqualTo("DB_PASSWORD=" + secret + "\nGREETING=hello\n");
    assertThat(query("SELECT * FROM applications WHERE id = ?", UUID.fromString(id)).toString()).doesNotContain(secret);

    TopicProbe.Message<ApplicationConfig> snapshot = TopicProbe.await(topics.configApplications(),
        (key, value) -> key.equals(id) && value != null && value.getSettings() != null);
    assertThat(new String(snapshot.rawValue(), StandardCharsets.ISO_8859_1)).doesNotContain(secret);
    assertThat(EnvironmentCipher.decrypt(agent.key(), id, bytes(snapshot.value().getSettings().getEnvironment())))
        .isEqualTo("DB_PASSWORD=" + secret + "\nGREETING=hello\n");
    assertThat(snapshot.value().getSettings().getReadinessTimeoutSeconds()).isNull();
    assertThat(snapshot.value().getSettings().getAllowedPolicyRules()).isEmpty();
    assertThat(snapshot.value().getSettings().getSelfHeal()).isFalse();
    assertThat(snapshot.value().getAgentId()).isEqualTo(agent.id());
    assertThat(snapshot.value().getPath()).isEqualTo("stack/compose.yaml");
    long revision = snapshot.value().getRevision();
    SyncRequested sync = TopicProbe.await(topics.syncRequests(), (key, value) -> id.equals(value.getApplicationId())
        && value.getTrigger() == SyncTrigger.CONFIGURATION && value.getMinRevision() == revision).value();
    assertThat(sync.getRepositoryId()).isEqualTo(repositoryId);
    assertThat(single("SELECT revision FROM applications WHERE id = ?", UUID.fromString(id)).get("revision"))
        .isEqualTo(revision);

    put(id, Map.of()).expectStatus().isOk();
    TopicProbe.await(topics.configApplications(), (key, value) -> key.equals(id) && value != null
        && value.getRevision() > revision && value.getSettings() == null);
  }

  @Test
  void shouldNeverReturnEnvironmentValues() {
    String id = createApplication(agent.id());
    put(id, Map.of("DB_PASSWORD", secret)).expectStatus().isOk();

    assertThat(body(admin().get().uri("/api/v1/applications/" + id))).doesNotContain(secret).doesNotContain("DB_PASSWORD");
    assertThat(body(admin().get().uri("/api/v1/applications"))).doesNotContain(secret);
    assertThat(body(admin().get().uri("/api/v1/applications/" + id + "/environment"))).doesNotContain(secret);
    assertThat(String.valueOf(renderer.render("application", id).block(DEADLINE))).doesNotContain(secret);
    anonymous().get().uri("/api/v1/applications/" + id + "/environment").exchange().expectStatus().isUnauthorized();
    anonymous().put().uri("/api/v1/applications/" + id + "/environment")
        .bodyValue(Map.of("variables", Map.of("X", "y"))).exchange().expectStatus().isUnauthorized();
  }

  @Test
  void shouldRefuseInvalidVariablesWithoutEchoingValues() {
    String id = createApplication(agent.id());
    put(id, Map.of("KEPT", secret)).expectStatus().isOk();

    expectBadRequest(put(id, Map.of("1ST", "x")),
        "invalid variable name '1ST': use letters, digits and '_', not starting with a digit");
    expectBadRequest(put(id, Map.of("MY-VAR", "x")),
        "invalid variable name 'MY-VAR': use letters, digits and '_', not starting with a digit");
    expectBadRequest(put(id, Map.of("CERT", "line one " + secret + "\nline two")), "the value of CERT must be a single line");
    expectBadRequest(put(id, Map.of("CERT", secret + "\r")), "the value of CERT must be a single line");
    Map<String, String> tooMany = new LinkedHashMap<>();
    for (int i = 0; i < 201; i++) {
      tooMany.put("V" + i, "x");
    }
    expectBadRequest(put(id, tooMany), "too many variables: 201 (at most 200)");
    Map<String, String> tooLarge = Map.of("A", "a".repeat(40_000), "B", "b".repeat(30_000));
    expectBadRequest(put(id, tooLarge), "the variables are too large: 70006 bytes as a .env file (at most 65536)");
    expectBadRequest(admin().put().uri("/api/v1/applications/" + id + "/environment").bodyValue(Map.of()).exchange(),
        "variables is required (an object of NAME: value; {} removes every variable)");
    Map<String, Object> nullValue = new LinkedHashMap<>();
    nullValue.put("EMPTY", null);
    expectBadRequest(admin().put().uri("/api/v1/applications/" + id + "/environment")
        .bodyValue(Map.of("variables", nullValue)).exchange(), "variable EMPTY has no value (use \"\" for an empty one)");

    Map<String, String> atTheLimits = new LinkedHashMap<>();
    for (int i = 0; i < 200; i++) {
      atTheLimits.put("V" + i, "");
    }
    put(id, atTheLimits).expectStatus().isOk().expectBody().jsonPath("$.names.length()").isEqualTo(200);
  }

  @Test
  void shouldAnswer404ForAnUnknownApplication() {
    for (String unknown : List.of(UUID.randomUUID().toString(), "not-an-id")) {
      admin().get().uri("/api/v1/applications/" + unknown + "/environment").exchange().expectStatus().isNotFound()
          .expectBody().jsonPath("$.error").isEqualTo("application not found");
      put(unknown, Map.of("A", "b")).expectStatus().isNotFound()
          .expectBody().jsonPath("$.error").isEqualTo("application not found");
    }
  }

  @Test
  void shouldAnswer409ForAnAgentRegisteredWithoutAnEnvironmentKey() {
    String keyless = createAgent().id();
    update("UPDATE agents SET environment_key_encrypted = NULL WHERE id = ?", keyless);
    String id = createApplication(keyless);

    put(id, Map.of("A", secret)).expectStatus().isEqualTo(409)
        .expectBody().jsonPath("$.error").value(error -> assertThat((String) error)
            .contains("has no environment key").contains("register the agent again").doesNotContain(secret));
    assertThat(single("SELECT environment_sealed FROM applications WHERE id = ?", UUID.fromString(id))
        .get("environment_sealed")).isNull();
    put(id, Map.of()).expectStatus().isOk().expectBody().json("{\"names\":[]}", true);
  }

  @Test
  void shouldSealTheEnvironmentAgainForTheAgentTheApplicationMovesTo() {
    String id = createApplication(agent.id());
    put(id, Map.of("DB_PASSWORD", secret)).expectStatus().isOk();
    Agent other = createAgent();

    admin().put().uri("/api/v1/applications/" + id).bodyValue(Map.of("agentId", other.id()))
        .exchange().expectStatus().isOk();

    ApplicationConfig moved = TopicProbe.await(topics.configApplications(),
        (key, value) -> key.equals(id) && value != null && other.id().equals(value.getAgentId())).value();
    byte[] sealed = bytes(moved.getSettings().getEnvironment());
    assertThat(EnvironmentCipher.decrypt(other.key(), id, sealed)).isEqualTo("DB_PASSWORD=" + secret + "\n");
    assertThatThrownBy(() -> EnvironmentCipher.decrypt(agent.key(), id, sealed))
        .isInstanceOf(EnvironmentCipher.DecryptionException.class);
    admin().get().uri("/api/v1/applications/" + id + "/environment").exchange().expectStatus().isOk()
        .expectBody().json("{\"names\":[\"DB_PASSWORD\"]}", true);

    // A change that keeps the agent keeps the very same sealed bytes: nothing to redeploy for.
    admin().put().uri("/api/v1/applications/" + id).bodyValue(Map.of("name", "renamed-" + UUID.randomUUID()))
        .exchange().expectStatus().isOk();
    ApplicationConfig renamed = TopicProbe.await(topics.configApplications(), (key, value) -> key.equals(id)
        && value != null && value.getRevision() > moved.getRevision()).value();
    assertThat(bytes(renamed.getSettings().getEnvironment())).isEqualTo(sealed);

    // An agent without a key cannot take it: the move is refused and nothing changes.
    String keyless = createAgent().id();
    update("UPDATE agents SET environment_key_encrypted = NULL WHERE id = ?", keyless);
    admin().put().uri("/api/v1/applications/" + id).bodyValue(Map.of("agentId", keyless))
        .exchange().expectStatus().isEqualTo(409);
    assertThat(single("SELECT agent_id, revision FROM applications WHERE id = ?", UUID.fromString(id)))
        .containsEntry("agent_id", other.id()).containsEntry("revision", renamed.getRevision());
  }

  private WebTestClient.ResponseSpec put(String id, Map<String, String> variables) {
    return admin().put().uri("/api/v1/applications/" + id + "/environment").bodyValue(Map.of("variables", variables))
        .exchange();
  }

  private void expectBadRequest(WebTestClient.ResponseSpec response, String error) {
    String body = response.expectStatus().isBadRequest().expectBody(String.class).returnResult().getResponseBody();
    assertThat(body).isEqualTo("{\"error\":" + json(error) + "}").doesNotContain(secret);
  }

  private static String json(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String body(WebTestClient.RequestHeadersSpec<?> request) {
    return request.exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] out = new byte[copy.remaining()];
    copy.get(out);
    return out;
  }

  @SuppressWarnings("unchecked")
  private Agent createAgent() {
    Map<String, Object> created = admin().post().uri("/api/v1/agents")
        .bodyValue(Map.of("name", "env-" + UUID.randomUUID().toString().substring(0, 8)))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
    String key = (String) ((Map<String, Object>) created.get("connection")).get("environmentKey");
    return new Agent((String) created.get("id"), Base64.getDecoder().decode(key));
  }

  private String createApplication(String agentId) {
    return (String) admin().post().uri("/api/v1/applications")
        .bodyValue(Map.of("name", "env-" + UUID.randomUUID().toString().substring(0, 8), "repositoryId", repositoryId,
            "agentId", agentId, "path", "stack/compose.yaml"))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
  }
}
