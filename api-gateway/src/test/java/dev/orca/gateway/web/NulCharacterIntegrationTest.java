package dev.orca.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.gateway.GatewayTestSupport;
import dev.orca.gateway.RawHttp;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A NUL character anywhere in a JSON string, a path or a query is refused with 400 before any
 * handler runs (PostgreSQL cannot store it), on every route that takes a body, and nothing is
 * stored.
 */
class NulCharacterIntegrationTest extends GatewayTestSupport {

  private static final String ESCAPED = "\\u0000";
  private static final String RAW = "\u0000";
  /** What a body could write, without the columns heartbeats and token use change meanwhile. */
  private static final List<String> STORED = List.of(
      "SELECT id, email, name, password_hash, role, updated_at FROM users ORDER BY id",
      "SELECT id FROM sessions ORDER BY id",
      "SELECT id, name FROM api_tokens ORDER BY id",
      "SELECT id, name, revision FROM agents ORDER BY id",
      "SELECT id, name, url, revision FROM repositories ORDER BY id",
      "SELECT id, name_encrypted, branch, path, revision FROM applications ORDER BY id");

  private String agentId;
  private String repositoryId;
  private String applicationId;

  @BeforeEach
  void entities() {
    agentId = (String) admin().post().uri("/api/v1/agents").bodyValue(Map.of("name", "nul-" + UUID.randomUUID()))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
    repositoryId = (String) admin().post().uri("/api/v1/repositories")
        .bodyValue(Map.of("name", "nul", "url", "https://git.example.com/acme/nul.git"))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
    applicationId = (String) admin().post().uri("/api/v1/applications")
        .bodyValue(Map.of("name", "nul-" + UUID.randomUUID().toString().substring(0, 8), "repositoryId", repositoryId,
            "agentId", agentId, "path", "compose.yaml"))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
  }

  /** A route with a body that would be accepted but for the NUL put where {@code %s} stands. */
  private record Route(HttpMethod method, String uri, boolean authenticated, String field, String body) {
    String with(String nul) {
      return body.formatted(nul);
    }
  }

  private List<Route> routes() {
    return List.of(
        new Route(HttpMethod.POST, "/api/v1/auth/register", false, "email",
            "{\"email\":\"new%s@example.com\",\"name\":\"New\",\"password\":\"Correct-Horse-42\"}"),
        new Route(HttpMethod.POST, "/api/v1/auth/login", false, "password",
            "{\"email\":\"" + ADMIN_EMAIL + "\",\"password\":\"" + ADMIN_PASSWORD + "%s\"}"),
        new Route(HttpMethod.PUT, "/api/v1/auth/profile", true, "name", "{\"name\":\"Admin%s\"}"),
        new Route(HttpMethod.POST, "/api/v1/auth/change-password", true, "newPassword",
            "{\"currentPassword\":\"" + ADMIN_PASSWORD + "\",\"newPassword\":\"Another-Horse-43%s\"}"),
        new Route(HttpMethod.POST, "/api/v1/auth/tokens", true, "name", "{\"name\":\"token%s\"}"),
        new Route(HttpMethod.POST, "/api/v1/agents", true, "name", "{\"name\":\"agent%s\"}"),
        new Route(HttpMethod.PUT, "/api/v1/agents/" + agentId, true, "name", "{\"name\":\"renamed%s\"}"),
        new Route(HttpMethod.POST, "/api/v1/repositories", true, "url",
            "{\"name\":\"repo\",\"url\":\"https://git.example.com/acme/x%s.git\"}"),
        new Route(HttpMethod.PUT, "/api/v1/repositories/" + repositoryId, true, "name", "{\"name\":\"repo%s\"}"),
        new Route(HttpMethod.POST, "/api/v1/applications", true, "path",
            "{\"name\":\"app\",\"repositoryId\":\"" + repositoryId + "\",\"agentId\":\"" + agentId
                + "\",\"path\":\"compose%s.yaml\"}"),
        new Route(HttpMethod.PUT, "/api/v1/applications/" + applicationId, true, "branch", "{\"branch\":\"main%s\"}"));
  }

  @Test
  void shouldAnswer400ToANulInAnyStringOfAnyBodyAndStoreNothing() {
    Map<String, Object> before = stored();
    List<String> answered = new ArrayList<>();
    for (Route route : routes()) {
      for (String nul : List.of(ESCAPED, RAW)) {
        String error = send(route, route.with(nul));
        assertThat(error).as("%s %s with %s", route.method(), route.uri(), nul.equals(RAW) ? "a raw NUL" : "\\u0000")
            .isEqualTo(route.field() + " must not contain the NUL character (\\u0000)");
        answered.add(route.uri());
      }
      String fieldName = "{\"x" + ESCAPED + "\":1," + route.with("").substring(1);
      assertThat(send(route, fieldName)).isEqualTo("field names must not contain the NUL character (\\u0000)");
    }
    assertThat(answered).hasSize(routes().size() * 2);
    assertThat(stored()).isEqualTo(before);
  }

  @Test
  void shouldNameWhereTheNulIsInNestedAndUnknownFields() {
    admin().post().uri("/api/v1/agents").contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"name\":\"fine\",\"extra\":{\"list\":[\"a\",\"b" + ESCAPED + "\"]}}")
        .exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").isEqualTo("extra.list[1] must not contain the NUL character (\\u0000)");
    admin().post().uri("/api/v1/agents").contentType(MediaType.APPLICATION_JSON).bodyValue("\"" + ESCAPED + "\"")
        .exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").isEqualTo("the request body must not contain the NUL character (\\u0000)");
  }

  @Test
  void shouldAnswer400ToANulInThePathOrQuery() {
    Map<String, Object> before = stored();
    for (String uri : List.of("/api/v1/agents/%00", "/api/v1/agents/" + agentId + "%00",
        "/api/v1/repositories?name=%00", "/api/v1/applications/" + applicationId + "?wait=%00", "/api/v1/x%00y/z",
        "/applications/%00", "/assets/%00.js")) {
      for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.PUT, HttpMethod.DELETE)) {
        admin().method(method).uri(URI.create("http://127.0.0.1:" + port + uri))
            .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"name\":\"fine\"}")
            .exchange().expectStatus().isBadRequest()
            .expectHeader().contentType(MediaType.APPLICATION_JSON)
            .expectBody().jsonPath("$.error").isEqualTo("the request URI must not contain the NUL character (%00)");
      }
    }
    anonymous().get().uri(URI.create("http://127.0.0.1:" + port + "/api/v1/health?probe=%00"))
        .exchange().expectStatus().isBadRequest();
    assertThat(stored()).isEqualTo(before);

    RawHttp.Response raw = RawHttp.send(port, "GET", "/api/v1/agents/a\u0000b");
    assertThat(raw.status()).isEqualTo(400);
    assertThat(raw.header("Content-Type")).isEqualTo("application/json");
    assertThat(raw.body()).startsWith("{\"error\":\"");
  }

  /** Answers the route with the body; the error message, after asserting 400 and a JSON error body. */
  private String send(Route route, String body) {
    WebTestClient client = route.authenticated() ? admin() : anonymous();
    return client.method(route.method()).uri(route.uri()).contentType(MediaType.APPLICATION_JSON).bodyValue(body)
        .exchange()
        .expectStatus().isBadRequest()
        .expectHeader().contentType(MediaType.APPLICATION_JSON)
        .expectBody(ErrorBody.class).returnResult().getResponseBody().error();
  }

  private Map<String, Object> stored() {
    Map<String, Object> stored = new LinkedHashMap<>();
    for (String sql : STORED) {
      stored.put(sql, query(sql));
    }
    return stored;
  }
}
