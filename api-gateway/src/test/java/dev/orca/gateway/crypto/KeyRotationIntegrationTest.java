package dev.orca.gateway.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.gateway.GatewayApplication;
import dev.orca.gateway.GatewayTestSupport;
import dev.orca.schemas.crypto.Keys;
import dev.orca.schemas.crypto.SecretBox;
import dev.orca.testsupport.SharedPostgres;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A key rotation while the gateway serves: started with a new APP_SECRET and the old one as
 * previous, it reads what the old key sealed, re-seals every such value under the new key
 * (publishing repositories again), and the system page counts what is left.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class KeyRotationIntegrationTest {

  private static final SharedPostgres.Database DATABASE = SharedPostgres.newDatabase();
  private static final String OLD_SECRET = "the-old-app-secret-0123456789-abcdefghijkl";
  private static final String NEW_SECRET = "the-new-app-secret-9876543210-zyxwvutsrqpo";

  @DynamicPropertySource
  static void gateway(DynamicPropertyRegistry registry) {
    GatewayTestSupport.properties(registry, DATABASE, "keys" + UUID.randomUUID().toString().substring(0, 8) + ".");
    registry.add("orca.app-secret", () -> NEW_SECRET);
    registry.add("orca.app-secret-previous", () -> OLD_SECRET);
    // The test runs the passes itself: the background one would race its set-up.
    registry.add("orca.key-rotation.first-after", () -> "PT1H");
  }

  @LocalServerPort
  int port;

  @Autowired
  KeyRotation rotation;

  private WebTestClient client(String token) {
    WebTestClient client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
        .responseTimeout(GatewayTestSupport.DEADLINE).build();
    return token == null ? client : client.mutate().defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token).build();
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldReadWhatTheOldKeySealedAndReSealItUnderTheNewOne() {
    client(null).post().uri("/api/v1/auth/register")
        .bodyValue(Map.of("email", "keys@example.com", "name", "Keys", "password", "Rotate-All-The-Keys-1"))
        .exchange().expectStatus().isCreated();
    String session = client(null).post().uri("/api/v1/auth/login")
        .bodyValue(Map.of("email", "keys@example.com", "password", "Rotate-All-The-Keys-1")).exchange().expectStatus().isOk()
        .returnResult(Void.class).getResponseCookies().getFirst("orca_session").getValue();
    String token = (String) client(null).post().uri("/api/v1/auth/tokens").cookie("orca_session", session)
        .bodyValue(Map.of("name", "keys")).exchange().expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody().get("token");
    WebTestClient admin = client(token);
    String agentId = (String) admin.post().uri("/api/v1/agents").bodyValue(Map.of("name", "keys-agent"))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
    String repositoryId = (String) admin.post().uri("/api/v1/repositories")
        .bodyValue(Map.of("name", "keys-repo", "url", "https://github.com/acme/keys.git", "authMethod", "token",
            "token", "ghp_sealed_by_the_old_key", "syncType", "manual"))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
    String applicationId = (String) admin.post().uri("/api/v1/applications")
        .bodyValue(Map.of("name", "keys-app", "repositoryId", repositoryId, "agentId", agentId, "path", "compose.yaml"))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");

    // As a gateway running with the old APP_SECRET would have left them: sealed by the old key.
    SecretBox old = new SecretBox(Keys.fromSecret(OLD_SECRET));
    SecretBox fresh = new SecretBox(Keys.fromSecret(NEW_SECRET));
    GatewayTestSupport.query(DATABASE, "UPDATE repositories SET secret_encrypted = ? WHERE id = ?::uuid RETURNING id",
        old.encrypt("ghp_sealed_by_the_old_key"), repositoryId);
    GatewayTestSupport.query(DATABASE, "UPDATE applications SET name_encrypted = ? WHERE id = ?::uuid RETURNING id",
        old.encrypt("keys-app"), applicationId);
    String environmentKey = fresh.decrypt((String) GatewayTestSupport.query(DATABASE,
        "SELECT environment_key_encrypted FROM agents WHERE id = ?", agentId).get(0).get("environment_key_encrypted"));
    GatewayTestSupport.query(DATABASE, "UPDATE agents SET environment_key_encrypted = ? WHERE id = ? RETURNING id",
        old.encrypt(environmentKey), agentId);
    long revision = ((Number) GatewayTestSupport.query(DATABASE, "SELECT revision FROM repositories WHERE id = ?::uuid",
        repositoryId).get(0).get("revision")).longValue();

    // Read meanwhile with either key.
    admin.get().uri("/api/v1/applications/" + applicationId).exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.name").isEqualTo("keys-app");
    admin.get().uri("/api/v1/admin/system-info").exchange().expectStatus().isOk().expectBody()
        .jsonPath("$.keys.current").isEqualTo(Keys.fromSecret(NEW_SECRET).idText())
        .jsonPath("$.keys.previous[0]").isEqualTo(Keys.fromSecret(OLD_SECRET).idText())
        .jsonPath("$.keys.valuesUnderOtherKeys").value(n -> assertThat(((Number) n).longValue()).isGreaterThanOrEqualTo(3));

    // A value that is no sealed value at all (damaged by hand): it neither stops the pass nor the count.
    GatewayTestSupport.query(DATABASE, "INSERT INTO audit_log (actor_type, action, status, changes_encrypted)"
        + " VALUES ('cli', 'damaged', 200, 'not base64 at all!') RETURNING id");

    assertThat(rotation.pass().block(Duration.ofSeconds(30))).isGreaterThanOrEqualTo(3L);

    // What no key opens stays, and is counted.
    assertThat(rotation.pending().block(Duration.ofSeconds(30))).isEqualTo(1L);
    GatewayTestSupport.query(DATABASE, "DELETE FROM audit_log WHERE action = 'damaged' RETURNING id");
    assertThat(rotation.pending().block(Duration.ofSeconds(30))).isZero();
    admin.get().uri("/api/v1/admin/system-info").exchange().expectBody().jsonPath("$.keys.valuesUnderOtherKeys").isEqualTo(0);
    // Opened with the new key alone now, the same values.
    assertThat(fresh.decrypt((String) GatewayTestSupport.query(DATABASE,
        "SELECT secret_encrypted FROM repositories WHERE id = ?::uuid", repositoryId).get(0).get("secret_encrypted")))
        .isEqualTo("ghp_sealed_by_the_old_key");
    assertThat(fresh.decrypt((String) GatewayTestSupport.query(DATABASE,
        "SELECT name_encrypted FROM applications WHERE id = ?::uuid", applicationId).get(0).get("name_encrypted")))
        .isEqualTo("keys-app");
    assertThat(fresh.decrypt((String) GatewayTestSupport.query(DATABASE,
        "SELECT environment_key_encrypted FROM agents WHERE id = ?", agentId).get(0).get("environment_key_encrypted")))
        .isEqualTo(environmentKey);
    // The repository was written again, so its published configuration carries the new ciphertext.
    assertThat(((Number) GatewayTestSupport.query(DATABASE, "SELECT revision FROM repositories WHERE id = ?::uuid",
        repositoryId).get(0).get("revision")).longValue()).isGreaterThan(revision);
    admin.get().uri("/api/v1/repositories/" + repositoryId).exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.hasCredentials").isEqualTo(true);
    // A second pass finds nothing left.
    assertThat(rotation.pass().block(Duration.ofSeconds(30))).isZero();
  }
}
