package dev.orca.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.gateway.GatewayApplication;
import dev.orca.gateway.GatewayTestSupport;
import dev.orca.testsupport.SharedPostgres;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The API's limit per credential, in a gateway of its own with a small limit: 429 with Retry-After, per token. */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RateLimitIntegrationTest {

  private static final SharedPostgres.Database DATABASE = SharedPostgres.newDatabase();
  private static final int BURST = 15;

  @DynamicPropertySource
  static void gateway(DynamicPropertyRegistry registry) {
    GatewayTestSupport.properties(registry, DATABASE, "rate" + UUID.randomUUID().toString().substring(0, 8) + ".");
    registry.add("orca.rate-limit.api-burst", () -> String.valueOf(BURST));
    registry.add("orca.rate-limit.api-per-second", () -> "1");
  }

  @LocalServerPort
  int port;

  private WebTestClient client(String bearer) {
    WebTestClient client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
        .responseTimeout(GatewayTestSupport.DEADLINE).build();
    return bearer == null ? client : client.mutate().defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + bearer).build();
  }

  @SuppressWarnings("unchecked")
  private String token(String session, String name) {
    return (String) client(null).post().uri("/api/v1/auth/tokens").cookie("orca_session", session)
        .bodyValue(Map.of("name", name)).exchange().expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody().get("token");
  }

  @Test
  void shouldAnswer429WithRetryAfterOnceATokenSpentItsBurst() {
    client(null).post().uri("/api/v1/auth/register")
        .bodyValue(Map.of("email", "limits@example.com", "name", "Limits", "password", "Slow-And-Steady-12"))
        .exchange().expectStatus().isCreated();
    String session = client(null).post().uri("/api/v1/auth/login")
        .bodyValue(Map.of("email", "limits@example.com", "password", "Slow-And-Steady-12"))
        .exchange().expectStatus().isOk().returnResult(Void.class).getResponseCookies().getFirst("orca_session").getValue();
    String busy = token(session, "busy");
    String calm = token(session, "calm");

    int ok = 0;
    Integer limitedAt = null;
    for (int i = 0; i < BURST + 5 && limitedAt == null; i++) {
      var result = client(busy).get().uri("/api/v1/applications").exchange().returnResult(String.class);
      if (result.getStatus().value() == 429) {
        limitedAt = i;
        assertThat(result.getResponseHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
        assertThat(result.getResponseBody().blockFirst(GatewayTestSupport.DEADLINE))
            .contains("too many requests with this credential");
      } else {
        assertThat(result.getStatus().value()).isEqualTo(200);
        ok++;
      }
    }
    // The burst, give or take the one token a second earned meanwhile; then 429.
    assertThat(limitedAt).isNotNull();
    assertThat(ok).isBetween(BURST, BURST + 3);
    // Another token of the same user is not held back by the busy one.
    client(calm).get().uri("/api/v1/applications").exchange().expectStatus().isOk();
  }
}
