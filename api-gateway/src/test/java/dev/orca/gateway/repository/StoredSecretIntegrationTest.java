package dev.orca.gateway.repository;

import dev.orca.gateway.GatewayTestSupport;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A stored token is only ever used with the server it was given for: a new server needs it given again. */
class StoredSecretIntegrationTest extends GatewayTestSupport {

  @Test
  @SuppressWarnings("unchecked")
  void shouldNeverSendAStoredSecretToAnotherServer() {
    String id = (String) admin().post().uri("/api/v1/repositories")
        .bodyValue(Map.of("name", "stored-" + UUID.randomUUID(), "url", "https://github.com/acme/stored.git",
            "authMethod", "token", "token", "ghp_stored_secret"))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");

    // Testing the stored repository against a server of the caller's choice: the token is not taken along.
    user().post().uri("/api/v1/repositories/test-connection")
        .bodyValue(Map.of("repositoryId", id, "url", "https://attacker.example/x.git"))
        .exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").value(m -> org.assertj.core.api.Assertions.assertThat((String) m)
            .startsWith("the URL names another server than the repository's"));
    // Nor by moving the repository there.
    admin().put().uri("/api/v1/repositories/" + id).bodyValue(Map.of("url", "https://attacker.example/x.git"))
        .exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").value(m -> org.assertj.core.api.Assertions.assertThat((String) m)
            .startsWith("the URL names another server"));
    // The same server, another path: the token stays; another server with the token given again: fine.
    admin().put().uri("/api/v1/repositories/" + id).bodyValue(Map.of("url", "https://github.com/acme/moved.git"))
        .exchange().expectStatus().isOk().expectBody().jsonPath("$.hasCredentials").isEqualTo(true);
    admin().put().uri("/api/v1/repositories/" + id)
        .bodyValue(Map.of("url", "https://gitlab.example.com/acme/moved.git", "token", "glpat-given-again"))
        .exchange().expectStatus().isOk();
  }
}
