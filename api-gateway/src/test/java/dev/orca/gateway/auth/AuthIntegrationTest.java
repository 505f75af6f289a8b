package dev.orca.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.gateway.GatewayApplication;
import dev.orca.gateway.GatewayTestSupport;
import dev.orca.testsupport.SharedPostgres;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;

/**
 * Registration, login, cookies, API tokens and the authentication filter, on a gateway with a
 * database of its own (registration only works while no user exists).
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuthIntegrationTest {

  private static final SharedPostgres.Database DATABASE = SharedPostgres.newDatabase();
  private static final String EMAIL = "owner@example.com";
  private static final String PASSWORD = "Correct-Horse-42";

  @DynamicPropertySource
  static void gateway(DynamicPropertyRegistry registry) {
    GatewayTestSupport.properties(registry, DATABASE, "auth" + UUID.randomUUID().toString().substring(0, 8) + ".");
    registry.add("orca.health.required-groups", () -> "");
  }

  @LocalServerPort
  int port;

  /** A URI sent exactly as written, percent signs and all. */
  private URI raw(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private WebTestClient client() {
    return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(GatewayTestSupport.DEADLINE)
        .build();
  }

  @Test
  @Order(1)
  void shouldRegisterTheFirstUserAsAdminAndCloseRegistrationAfterwards() {
    client().get().uri("/api/v1/auth/setup").exchange()
        .expectStatus().isOk().expectBody().jsonPath("$.setupRequired").isEqualTo(true);

    client().post().uri("/api/v1/auth/register")
        .bodyValue(Map.of("email", EMAIL, "name", "Owner", "password", "short1A"))
        .exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").value(message -> assertThat((String) message).contains("at least 12"));

    client().post().uri("/api/v1/auth/register")
        .bodyValue(Map.of("email", EMAIL, "name", "Owner", "password", PASSWORD))
        .exchange().expectStatus().isCreated()
        .expectBody()
        .jsonPath("$.email").isEqualTo(EMAIL)
        .jsonPath("$.name").isEqualTo("Owner")
        .jsonPath("$.role").isEqualTo("admin")
        .jsonPath("$.id").isNotEmpty()
        .jsonPath("$.password").doesNotExist();

    client().post().uri("/api/v1/auth/register")
        .bodyValue(Map.of("email", "second@example.com", "name", "Second", "password", PASSWORD))
        .exchange().expectStatus().isForbidden()
        .expectBody().jsonPath("$.error").isNotEmpty();
    client().get().uri("/api/v1/auth/setup").exchange()
        .expectBody().jsonPath("$.setupRequired").isEqualTo(false);
    String stored = (String) GatewayTestSupport.query(DATABASE, "SELECT password_hash FROM users").get(0).get("password_hash");
    assertThat(stored).startsWith("$argon2id$v=19$").doesNotContain(PASSWORD);
  }

  @Test
  @Order(2)
  void shouldLogInWithAStrictHttpOnlySessionCookieAndLogOut() {
    ResponseCookie cookie = client().post().uri("/api/v1/auth/login")
        .bodyValue(Map.of("email", "OWNER@example.com", "password", PASSWORD))
        .exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.email").isEqualTo(EMAIL).jsonPath("$.role").isEqualTo("admin")
        .returnResult().getResponseCookies().getFirst("orca_session");
    assertThat(cookie).isNotNull();
    assertThat(cookie.isHttpOnly()).isTrue();
    assertThat(cookie.getSameSite()).isEqualTo("Strict");
    assertThat(cookie.getPath()).isEqualTo("/");
    assertThat(cookie.isSecure()).isFalse();
    assertThat(GatewayTestSupport.query(DATABASE, "SELECT token_hash FROM sessions").stream()
        .map(row -> HexFormat.of().formatHex((byte[]) row.get("token_hash"))))
        .contains(HexFormat.of().formatHex(Secrets.sha256(cookie.getValue())));

    client().get().uri("/api/v1/auth/profile").cookie("orca_session", cookie.getValue())
        .exchange().expectStatus().isOk().expectBody().jsonPath("$.email").isEqualTo(EMAIL);

    client().post().uri("/api/v1/auth/logout").cookie("orca_session", cookie.getValue())
        .exchange().expectStatus().isNoContent();
    client().get().uri("/api/v1/auth/profile").cookie("orca_session", cookie.getValue())
        .exchange().expectStatus().isUnauthorized();
  }

  @Test
  @Order(2)
  void shouldAnswerTheSame401ForUnknownEmailAndWrongPassword() {
    String unknown = client().post().uri("/api/v1/auth/login")
        .bodyValue(Map.of("email", "nobody@example.com", "password", PASSWORD))
        .exchange().expectStatus().isUnauthorized().expectBody(String.class).returnResult().getResponseBody();
    String wrong = client().post().uri("/api/v1/auth/login")
        .bodyValue(Map.of("email", EMAIL, "password", PASSWORD + "x"))
        .exchange().expectStatus().isUnauthorized().expectBody(String.class).returnResult().getResponseBody();

    assertThat(unknown).isEqualTo(wrong).contains("\"error\"");
  }

  @Test
  @Order(2)
  void shouldAuthenticateWithAnApiTokenShownOnceAndStoredHashed() {
    String session = login();
    Map<?, ?> created = client().post().uri("/api/v1/auth/tokens").cookie("orca_session", session)
        .bodyValue(Map.of("name", "ci"))
        .exchange().expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody();
    String token = (String) created.get("token");
    assertThat(token).startsWith("orca_");
    assertThat(GatewayTestSupport.query(DATABASE, "SELECT token_hash FROM api_tokens WHERE name = 'ci'").get(0)
        .get("token_hash")).isEqualTo(Secrets.sha256(token));

    client().get().uri("/api/v1/auth/tokens").header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
        .exchange().expectStatus().isOk()
        .expectBody().jsonPath("$[?(@.name == 'ci')].id").isNotEmpty().jsonPath("$[0].token").doesNotExist();
    // Its use is recorded, to the minute: a second call within it writes nothing.
    Object used = GatewayTestSupport.query(DATABASE, "SELECT last_used_at FROM api_tokens WHERE name = 'ci'").get(0)
        .get("last_used_at");
    assertThat(used).isNotNull();
    client().get().uri("/api/v1/auth/profile").header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
        .exchange().expectStatus().isOk();
    assertThat(GatewayTestSupport.query(DATABASE, "SELECT last_used_at FROM api_tokens WHERE name = 'ci'").get(0)
        .get("last_used_at")).isEqualTo(used);

    client().delete().uri("/api/v1/auth/tokens/" + created.get("id")).header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
        .exchange().expectStatus().isNoContent();
    client().get().uri("/api/v1/auth/profile").header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
        .exchange().expectStatus().isUnauthorized();
  }

  @Test
  @Order(2)
  void shouldRefuseCrossOriginWritesWithASessionCookie() {
    String session = login();

    client().post().uri("/api/v1/auth/tokens").cookie("orca_session", session)
        .header(HttpHeaders.ORIGIN, "https://evil.example")
        .bodyValue(Map.of("name", "stolen"))
        .exchange().expectStatus().isForbidden().expectBody().jsonPath("$.error").isNotEmpty();
    client().post().uri("/api/v1/auth/tokens").cookie("orca_session", session)
        .header(HttpHeaders.ORIGIN, "http://127.0.0.1:" + port)
        .bodyValue(Map.of("name", "same-origin"))
        .exchange().expectStatus().isCreated();
  }

  @Test
  @Order(2)
  void shouldRefuseCrossSiteWritesAndLoginsHoweverTheBrowserSaysWhereFrom() {
    String session = login();
    // Without Origin (some browsers and privacy settings drop it), the Referer tells.
    client().post().uri("/api/v1/auth/tokens").cookie("orca_session", session)
        .header(HttpHeaders.REFERER, "https://evil.example/page")
        .bodyValue(Map.of("name", "stolen")).exchange().expectStatus().isForbidden();
    client().post().uri("/api/v1/auth/tokens").cookie("orca_session", session)
        .header("Sec-Fetch-Site", "cross-site")
        .bodyValue(Map.of("name", "stolen")).exchange().expectStatus().isForbidden();
    client().post().uri("/api/v1/auth/tokens").cookie("orca_session", session)
        .header(HttpHeaders.REFERER, "http://127.0.0.1:" + port + "/settings")
        .bodyValue(Map.of("name", "from-our-page")).exchange().expectStatus().isCreated();

    // Login CSRF: a foreign page must not sign the browser into the attacker's account, even with
    // the right password; and it is not counted as a failed login.
    Map<String, String> credentials = Map.of("email", EMAIL, "password", PASSWORD);
    client().post().uri("/api/v1/auth/login").header(HttpHeaders.ORIGIN, "https://evil.example")
        .bodyValue(credentials).exchange().expectStatus().isForbidden().expectHeader().doesNotExist("Set-Cookie");
    client().post().uri("/api/v1/auth/login").header(HttpHeaders.REFERER, "https://evil.example/")
        .bodyValue(credentials).exchange().expectStatus().isForbidden()
        .expectBody().jsonPath("$.error").isEqualTo("cross-origin request refused");
    client().post().uri("/api/v1/auth/login").header("Sec-Fetch-Site", "cross-site")
        .bodyValue(credentials).exchange().expectStatus().isForbidden();
    client().post().uri("/api/v1/auth/login").header(HttpHeaders.ORIGIN, "null")
        .bodyValue(credentials).exchange().expectStatus().isForbidden();
    client().post().uri("/api/v1/auth/register").header(HttpHeaders.ORIGIN, "https://evil.example")
        .bodyValue(Map.of("email", "x@example.com", "name", "X", "password", PASSWORD))
        .exchange().expectStatus().isForbidden() // and not for being closed:
        .expectBody().jsonPath("$.error").isEqualTo("cross-origin request refused");
    client().post().uri("/api/v1/auth/login").header(HttpHeaders.ORIGIN, "http://127.0.0.1:" + port)
        .header("Sec-Fetch-Site", "same-origin").bodyValue(credentials).exchange().expectStatus().isOk();
  }

  @Test
  @Order(2)
  void shouldRefuseAPasswordNoPersonWouldTypeBeforeHashingIt() {
    String huge = "Aa1-".repeat(200_000); // 800 KB
    for (String route : List.of("/api/v1/auth/login", "/api/v1/auth/register")) {
      client().post().uri(route).bodyValue(Map.of("email", EMAIL, "name", "X", "password", huge))
          .exchange().expectStatus().isBadRequest()
          .expectBody().jsonPath("$.error").isEqualTo("password must be at most 256 characters");
    }
    client().post().uri("/api/v1/auth/change-password").cookie("orca_session", login())
        .bodyValue(Map.of("currentPassword", PASSWORD, "newPassword", "Aa1-".repeat(65)))
        .exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").isEqualTo("password must be at most 256 characters");
  }

  @Test
  @Order(2)
  void shouldAnswer401WithoutCredentialsOnProtectedRoutes() {
    List<Object[]> routes = List.of(
        new Object[] {HttpMethod.GET, "/api/v1/agents"},
        new Object[] {HttpMethod.POST, "/api/v1/agents"},
        new Object[] {HttpMethod.GET, "/api/v1/repositories"},
        new Object[] {HttpMethod.POST, "/api/v1/repositories/" + UUID.randomUUID() + "/sync"},
        new Object[] {HttpMethod.GET, "/api/v1/applications"},
        new Object[] {HttpMethod.DELETE, "/api/v1/applications/" + UUID.randomUUID()},
        new Object[] {HttpMethod.GET, "/api/v1/auth/profile"},
        new Object[] {HttpMethod.POST, "/api/v1/auth/logout"},
        new Object[] {HttpMethod.GET, "/api/v1/admin/users"});
    for (Object[] route : routes) {
      client().method((HttpMethod) route[0]).uri((String) route[1]).contentType(MediaType.APPLICATION_JSON)
          .bodyValue("{}")
          .exchange().expectStatus().isUnauthorized()
          .expectBody().jsonPath("$.error").isEqualTo("authentication required");
    }
    client().get().uri("/api/v1/agents").header(HttpHeaders.AUTHORIZATION, "Bearer orca_not-a-token")
        .exchange().expectStatus().isUnauthorized();
    client().get().uri("/api/v1/health").exchange().expectStatus().isOk();
  }

  @Test
  @Order(2)
  void shouldNotLetEncodedOrParameterisedPathsPastAuthentication() {
    for (String path : List.of("/%61pi/v1/applications", "/api;x/v1/applications", "/api/v1;x/applications",
        "/api/v1/%61pplications", "//api/v1/applications", "/api//v1/repositories", "/API/v1/agents/../agents")) {
      int status = client().get().uri(raw(path)).exchange().returnResult(String.class).getStatus().value();
      assertThat(status).as(path).isIn(401, 400, 404);
    }
    client().get().uri(raw("/%61pi/v1/applications")).exchange().expectStatus().isUnauthorized();
    client().get().uri(raw("/api;x/v1/applications")).exchange().expectStatus().isUnauthorized();
    client().get().uri(raw("/api/v1;x/applications")).exchange().expectStatus().isUnauthorized();
  }

  @Test
  @Order(2)
  void shouldKeepAdminRoutesFromOrdinaryUsers() {
    String hash = PasswordHasher.recommended().hash(PASSWORD);
    GatewayTestSupport.query(DATABASE, "INSERT INTO users (id, email, name, password_hash, role, created_at, updated_at)"
        + " VALUES (?, 'user@example.com', 'User', ?, 'user', now(), now()) RETURNING id", UUID.randomUUID(), hash);
    String session = client().post().uri("/api/v1/auth/login")
        .bodyValue(Map.of("email", "user@example.com", "password", PASSWORD))
        .exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.role").isEqualTo("user")
        .returnResult().getResponseCookies().getFirst("orca_session").getValue();

    client().get().uri("/api/v1/admin/users").cookie("orca_session", session)
        .exchange().expectStatus().isForbidden().expectBody().jsonPath("$.error").isNotEmpty();
    client().get().uri(raw("/api/v1/%61dmin/users")).cookie("orca_session", session)
        .exchange().expectStatus().isForbidden();
  }

  @Test
  @Order(2)
  void shouldChangePasswordOnlyToAStrongOneAndOnlyWithTheCurrentOne() {
    client().post().uri("/api/v1/auth/register").bodyValue(Map.of()).exchange().expectStatus().isBadRequest();
    String hash = PasswordHasher.recommended().hash(PASSWORD);
    GatewayTestSupport.query(DATABASE, "INSERT INTO users (id, email, name, password_hash, role, created_at, updated_at)"
        + " VALUES (?, 'changer@example.com', 'Changer', ?, 'user', now(), now()) RETURNING id", UUID.randomUUID(), hash);
    String session = client().post().uri("/api/v1/auth/login")
        .bodyValue(Map.of("email", "changer@example.com", "password", PASSWORD))
        .exchange().expectStatus().isOk().returnResult(Void.class).getResponseCookies().getFirst("orca_session")
        .getValue();

    client().post().uri("/api/v1/auth/change-password").cookie("orca_session", session)
        .bodyValue(Map.of("currentPassword", PASSWORD, "newPassword", "weakweakweakweak"))
        .exchange().expectStatus().isBadRequest();
    client().post().uri("/api/v1/auth/change-password").cookie("orca_session", session)
        .bodyValue(Map.of("currentPassword", "Wrong-Horse-42", "newPassword", "Battery-Staple-77"))
        .exchange().expectStatus().isBadRequest();
    client().post().uri("/api/v1/auth/change-password").cookie("orca_session", session)
        .bodyValue(Map.of("currentPassword", PASSWORD, "newPassword", "Battery-Staple-77"))
        .exchange().expectStatus().isNoContent();

    client().post().uri("/api/v1/auth/login")
        .bodyValue(Map.of("email", "changer@example.com", "password", "Battery-Staple-77"))
        .exchange().expectStatus().isOk();
  }

  @Test
  @Order(2)
  void shouldAnswer413ForBodiesOverOneMebibyte() {
    String huge = "{\"email\":\"" + "a".repeat(1024 * 1024 + 10) + "\",\"password\":\"x\"}";
    client().post().uri("/api/v1/auth/login").contentType(MediaType.APPLICATION_JSON).bodyValue(huge)
        .exchange().expectStatus().isEqualTo(413)
        .expectBody().jsonPath("$.error").isNotEmpty();
  }

  @Test
  @Order(2)
  void shouldAnswer413ForChunkedBodiesOverOneMebibyte() {
    DefaultDataBufferFactory buffers = new DefaultDataBufferFactory();
    byte[] chunk = "a".repeat(64 * 1024).getBytes(StandardCharsets.UTF_8);
    Flux<DataBuffer> body = Flux.concat(Flux.just(buffers.wrap("{\"email\":\"".getBytes(StandardCharsets.UTF_8))),
        Flux.range(0, 20).map(i -> buffers.wrap(chunk)),
        Flux.just(buffers.wrap("\",\"password\":\"x\"}".getBytes(StandardCharsets.UTF_8))));

    client().post().uri("/api/v1/auth/login").contentType(MediaType.APPLICATION_JSON).body(body, DataBuffer.class)
        .exchange().expectStatus().isEqualTo(413)
        .expectBody().jsonPath("$.error").isEqualTo("request body is larger than 1 MiB");
  }

  @Test
  @Order(2)
  void shouldSlowGuessingFromOneAddressWithoutLockingTheAccountForOthers() {
    String hash = PasswordHasher.recommended().hash(PASSWORD);
    GatewayTestSupport.query(DATABASE, "INSERT INTO users (id, email, name, password_hash, role, created_at, updated_at)"
        + " VALUES (?, 'guessed@example.com', 'Guessed', ?, 'user', now(), now()) RETURNING id", UUID.randomUUID(), hash);
    // The free failures, then one more: from then on this address waits for this account.
    for (int attempt = 0; attempt <= LoginThrottle.FREE_FAILURES; attempt++) {
      client().post().uri("/api/v1/auth/login")
          .bodyValue(Map.of("email", "guessed@example.com", "password", "Guess-Number-" + attempt))
          .exchange().expectStatus().isUnauthorized();
    }
    client().post().uri("/api/v1/auth/login")
        .bodyValue(Map.of("email", "guessed@example.com", "password", PASSWORD))
        .exchange().expectStatus().isEqualTo(429)
        .expectHeader().value(HttpHeaders.RETRY_AFTER, value -> assertThat(Long.parseLong(value)).isBetween(1L, 900L))
        .expectBody().jsonPath("$.error").value(m -> assertThat((String) m).startsWith("too many failed sign-ins"));

    // An email of any length is a 400, never a key too long for the index.
    client().post().uri("/api/v1/auth/login").bodyValue(Map.of("email", "x".repeat(9000) + "@example.com", "password", "p"))
        .exchange().expectStatus().isBadRequest();

    // Another address signs in to the same account at once: guessing cannot lock its owner out.
    WebTestClient elsewhere = WebTestClient.bindToServer(new org.springframework.http.client.reactive.ReactorClientHttpConnector(
            reactor.netty.http.client.HttpClient.create()
                .bindAddress(() -> new java.net.InetSocketAddress("127.0.0.2", 0))))
        .baseUrl("http://127.0.0.1:" + port).responseTimeout(GatewayTestSupport.DEADLINE).build();
    elsewhere.post().uri("/api/v1/auth/login")
        .bodyValue(Map.of("email", "guessed@example.com", "password", PASSWORD))
        .exchange().expectStatus().isOk();

    // Kept in the database (a restart does not forget it), and the wait grows with each failure.
    Map<String, Object> pair = GatewayTestSupport.query(DATABASE,
        "SELECT failures, extract(epoch FROM blocked_until - last_failure_at) AS wait FROM login_failures"
            + " WHERE key LIKE 'account:%|127.0.0.1' AND failures > 1").get(0);
    assertThat(((Number) pair.get("failures")).intValue()).isEqualTo(LoginThrottle.FREE_FAILURES + 1);
    assertThat(((Number) pair.get("wait")).doubleValue()).isEqualTo(1.0);

    // Once the wait is over, the right password signs in and clears the pair.
    GatewayTestSupport.query(DATABASE, "UPDATE login_failures SET blocked_until = now() - interval '1 second'"
        + " WHERE key LIKE 'account:%|127.0.0.1' RETURNING key");
    client().post().uri("/api/v1/auth/login")
        .bodyValue(Map.of("email", "guessed@example.com", "password", PASSWORD))
        .exchange().expectStatus().isOk();
    assertThat(GatewayTestSupport.query(DATABASE,
        "SELECT key FROM login_failures WHERE key LIKE 'account:%|127.0.0.1' AND failures > 0")).isEmpty();
  }

  @Test
  @Order(2)
  void shouldAnswer400ForMalformedJson() {
    client().post().uri("/api/v1/auth/login").contentType(MediaType.APPLICATION_JSON).bodyValue("{not json")
        .exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").isNotEmpty();
  }

  private String login() {
    return client().post().uri("/api/v1/auth/login")
        .bodyValue(Map.of("email", EMAIL, "password", PASSWORD))
        .exchange().expectStatus().isOk()
        .returnResult(Void.class).getResponseCookies().getFirst("orca_session").getValue();
  }
}
