package dev.orca.gateway.repository;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.gateway.GatewayTestSupport;
import dev.orca.gateway.TopicProbe;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.RepositoryConfig;
import dev.orca.schemas.avro.SyncRequested;
import dev.orca.schemas.avro.SyncTrigger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class RepositoryIntegrationTest extends GatewayTestSupport {

  private static final String TOKEN = "ghp_super-secret-token";
  private static final String WEBHOOK_SECRET = "whsec-super-secret";

  @Autowired
  Topics topics;

  @Test
  void shouldNeverReturnSecretsAndStoreThemEncrypted() {
    Map<String, Object> body = new HashMap<>(Map.of("name", "stack", "url", "https://github.com/acme/stack.git",
        "provider", "github", "authMethod", "token", "username", "bot", "token", TOKEN, "syncType", "webhook",
        "webhookSecret", WEBHOOK_SECRET));
    String created = admin().post().uri("/api/v1/repositories").bodyValue(body)
        .exchange().expectStatus().isCreated()
        .expectBody(String.class).returnResult().getResponseBody();
    assertThat(created).doesNotContain(TOKEN).doesNotContain(WEBHOOK_SECRET).doesNotContain("\"token\":");
    String id = created.replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");

    admin().get().uri("/api/v1/repositories/" + id).exchange().expectStatus().isOk()
        .expectBody()
        .jsonPath("$.name").isEqualTo("stack")
        .jsonPath("$.provider").isEqualTo("github")
        .jsonPath("$.authMethod").isEqualTo("token")
        .jsonPath("$.username").isEqualTo("bot")
        .jsonPath("$.syncType").isEqualTo("webhook")
        .jsonPath("$.pollingInterval").isEqualTo(60)
        .jsonPath("$.syncStatus").isEqualTo("unknown")
        .jsonPath("$.hasCredentials").isEqualTo(true)
        .jsonPath("$.hasWebhookSecret").isEqualTo(true)
        .jsonPath("$.token").doesNotExist()
        .jsonPath("$.webhookSecret").doesNotExist()
        .jsonPath("$.createdAt").isNotEmpty();
    String listed = admin().get().uri("/api/v1/repositories").exchange().expectStatus().isOk()
        .expectBody(String.class).returnResult().getResponseBody();
    assertThat(listed).contains(id).doesNotContain(TOKEN).doesNotContain(WEBHOOK_SECRET);

    Map<String, Object> row = single("SELECT secret_encrypted, webhook_secret_encrypted FROM repositories WHERE id = ?",
        UUID.fromString(id));
    assertThat((String) row.get("secret_encrypted")).doesNotContain(TOKEN);
    assertThat(secretBox().decrypt((String) row.get("secret_encrypted"))).isEqualTo(TOKEN);
    assertThat(secretBox().decrypt((String) row.get("webhook_secret_encrypted"))).isEqualTo(WEBHOOK_SECRET);
  }

  @Test
  void shouldRefuseInvalidConfigurationWithAClearMessage() {
    List<Map<String, Object>> invalid = List.of(
        Map.of("name", "x"),
        Map.of("name", "x", "url", "file:///srv/git/stack"),
        Map.of("name", "x", "url", "http://localhost:3000/stack.git"),
        Map.of("name", "x", "url", "ftp://example.com/stack.git"),
        Map.of("name", "x", "url", "https://example.com/stack.git", "provider", "svn"),
        Map.of("name", "x", "url", "https://example.com/stack.git", "authMethod", "kerberos"),
        Map.of("name", "x", "url", "https://example.com/stack.git", "syncType", "sometimes"),
        Map.of("name", "x", "url", "https://example.com/stack.git", "syncType", "polling", "pollingInterval", 10),
        Map.of("name", "x", "url", "https://example.com/stack.git", "authMethod", "token"),
        Map.of("url", "https://example.com/stack.git"));
    for (Map<String, Object> body : invalid) {
      admin().post().uri("/api/v1/repositories").bodyValue(body)
          .exchange().expectStatus().isBadRequest()
          .expectBody().jsonPath("$.error").isNotEmpty();
    }
  }

  @Test
  void shouldRefuseACredentialEmbeddedInAnyUrlAndStoreNothing() {
    String name = "embedded-" + UUID.randomUUID().toString().substring(0, 8);
    admin().post().uri("/api/v1/repositories")
        .bodyValue(Map.of("name", name, "url", "https://ghp_secret0123456789@github.com/o/r.git"))
        .exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").isEqualTo("put credentials in token/username/password, not in the URL");
    assertThat(query("SELECT id FROM repositories WHERE name = ?", name)).isEmpty();
    admin().post().uri("/api/v1/repositories")
        .bodyValue(Map.of("name", name, "url", "ssh://git:hunter2@github.com/o/r.git"))
        .exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").isEqualTo("put credentials in token/username/password, not in the URL");
    assertThat(query("SELECT id FROM repositories WHERE name = ?", name)).isEmpty();
    admin().post().uri("/api/v1/repositories")
        .bodyValue(Map.of("name", name, "url", "ssh://git@github.com/o/r.git", "authMethod", "none"))
        .exchange().expectStatus().isCreated().expectBody().jsonPath("$.url").isEqualTo("ssh://git@github.com/o/r.git");
  }

  @Test
  void shouldPublishConfigSnapshotsWithRisingRevisionsAndATombstoneOnDelete() {
    String id = createRepository("polled");
    RepositoryConfig first = TopicProbe.await(topics.configRepositories(), (key, value) -> key.equals(id)).value();
    assertThat(first.getRevision()).isPositive();
    assertThat(first.getUrl()).isEqualTo("https://git.example.com/acme/polled.git");
    assertThat(first.getSyncType()).isEqualTo("polling");
    assertThat(first.getPollingIntervalSeconds()).isEqualTo(45);
    assertThat(single("SELECT revision FROM repositories WHERE id = ?", UUID.fromString(id)).get("revision"))
        .isEqualTo(first.getRevision());

    admin().put().uri("/api/v1/repositories/" + id).bodyValue(Map.of("pollingInterval", 120))
        .exchange().expectStatus().isOk().expectBody().jsonPath("$.pollingInterval").isEqualTo(120)
        .jsonPath("$.name").isEqualTo("polled");
    var snapshots = TopicProbe.awaitAll(topics.configRepositories(), (key, value) -> key.equals(id) && value != null, 2);
    assertThat(snapshots.get(1).value().getRevision()).isGreaterThan(first.getRevision());
    assertThat(snapshots.get(1).value().getPollingIntervalSeconds()).isEqualTo(120);

    admin().delete().uri("/api/v1/repositories/" + id).exchange().expectStatus().isNoContent();
    TopicProbe.await(topics.configRepositories(), (key, value) -> key.equals(id) && value == null);
    admin().get().uri("/api/v1/repositories/" + id).exchange().expectStatus().isNotFound();
  }

  @Test
  void shouldPublishAManualSyncRequestBeforeAnswering202() {
    String id = createRepository("synced");
    long revision = (Long) single("SELECT revision FROM repositories WHERE id = ?", UUID.fromString(id)).get("revision");

    String syncId = (String) admin().post().uri("/api/v1/repositories/" + id + "/sync")
        .exchange().expectStatus().isAccepted()
        .expectBody(Map.class).returnResult().getResponseBody().get("syncId");

    SyncRequested request = TopicProbe.await(topics.syncRequests(),
        (key, value) -> value.getSyncId().equals(syncId)).value();
    assertThat(request.getRepositoryId()).isEqualTo(id);
    assertThat(request.getTrigger()).isEqualTo(SyncTrigger.MANUAL);
    assertThat(request.getApplicationId()).isNull();
    assertThat(request.getMinRevision()).isGreaterThanOrEqualTo(revision);
    assertThat(request.getActor()).isEqualTo(single("SELECT id FROM users WHERE email = ?", ADMIN_EMAIL).get("id")
        .toString());

    admin().post().uri("/api/v1/repositories/" + UUID.randomUUID() + "/sync").exchange().expectStatus().isNotFound();
  }

  @Test
  void shouldCheckWhatItBrowsesBeforeTouchingTheNetwork() {
    String id = createRepository("browsed");
    admin().get().uri("/api/v1/repositories/" + UUID.randomUUID() + "/branches").exchange()
        .expectStatus().isNotFound().expectBody().jsonPath("$.error").isEqualTo("repository not found");
    admin().get().uri("/api/v1/repositories/not-a-uuid/tree?branch=main").exchange().expectStatus().isNotFound();
    admin().get().uri("/api/v1/repositories/" + id + "/tree").exchange()
        .expectStatus().isBadRequest().expectBody().jsonPath("$.error")
        .isEqualTo("branch is required: /repositories/{id}/tree?branch=<name>");
    admin().post().uri("/api/v1/repositories/test-connection").bodyValue(Map.of("repositoryId", UUID.randomUUID()))
        .exchange().expectStatus().isNotFound();
    admin().post().uri("/api/v1/repositories/test-connection").bodyValue(Map.of("url", "http://localhost:3000/x.git"))
        .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.error").value(message ->
            assertThat((String) message).contains("loopback"));
    admin().post().uri("/api/v1/repositories/test-connection")
        .bodyValue(Map.of("url", "https://ghp_secret0123456789@github.com/o/r.git"))
        .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.error")
        .isEqualTo("put credentials in token/username/password, not in the URL");
    admin().post().uri("/api/v1/repositories/test-connection").bodyValue(Map.of("url", "https://git.example.com/r.git",
            "authMethod", "kerberos"))
        .exchange().expectStatus().isBadRequest();
    anonymous().post().uri("/api/v1/repositories/test-connection").bodyValue(Map.of("url", "https://git.example.com/r.git"))
        .exchange().expectStatus().isUnauthorized();
  }

  @Test
  void shouldFilterSearchAndPageTheRepositoriesByName() {
    String tag = "list" + UUID.randomUUID().toString().substring(0, 8);
    String polled = createRepository(tag + "-b");
    String manual = (String) admin().post().uri("/api/v1/repositories")
        .bodyValue(Map.of("name", tag + "-a", "url", "https://git.example.com/acme/" + tag + "-a.git"))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");

    admin().get().uri("/api/v1/repositories?q=" + tag).exchange().expectStatus().isOk()
        .expectHeader().valueEquals("X-Total-Count", "2")
        .expectBody().jsonPath("$[*].id").isEqualTo(java.util.List.of(manual, polled));
    admin().get().uri("/api/v1/repositories?q=acme/" + tag + "-b.git").exchange().expectStatus().isOk()
        .expectBody().jsonPath("$[*].id").isEqualTo(java.util.List.of(polled));
    admin().get().uri("/api/v1/repositories?q=" + tag + "&syncType=polling").exchange().expectStatus().isOk()
        .expectBody().jsonPath("$[*].id").isEqualTo(java.util.List.of(polled));
    admin().get().uri("/api/v1/repositories?q=" + tag + "&limit=1&offset=1").exchange().expectStatus().isOk()
        .expectHeader().doesNotExist("Link")
        .expectBody().jsonPath("$[*].id").isEqualTo(java.util.List.of(polled));
    admin().get().uri("/api/v1/repositories?provider=svn").exchange().expectStatus().isBadRequest();
    admin().get().uri("/api/v1/repositories?syncStatus=done").exchange().expectStatus().isBadRequest();
  }

  private String createRepository(String name) {
    return (String) admin().post().uri("/api/v1/repositories")
        .bodyValue(Map.of("name", name, "url", "https://git.example.com/acme/" + name + ".git", "syncType", "polling",
            "pollingInterval", 45))
        .exchange().expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody().get("id");
  }
}
