package dev.orca.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.schemas.crypto.Keys;
import dev.orca.schemas.crypto.SecretBox;
import dev.orca.testsupport.OidcIssuer;
import dev.orca.testsupport.SharedKafka;
import dev.orca.testsupport.SharedPostgres;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * One running gateway shared by every integration test class that extends this (same
 * configuration, so Spring caches one context): a fresh database, a topic prefix of its own, the
 * local agent enabled, a health check that requires the consumer group {@link #PROBE_GROUP}, and the
 * dashboard served from the fixture {@code src/test/resources/test-dashboard/}.
 * Tests keep to their own entities (random names) so they can share it.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class GatewayTestSupport {

  public static final String APP_SECRET = "test-app-secret-0123456789abcdefghijklmnop";
  public static final Duration DEADLINE = Duration.ofSeconds(20);
  public static final String PREFIX = "gw" + UUID.randomUUID().toString().substring(0, 8) + ".";
  public static final String PROBE_GROUP = PREFIX + "health-probe";
  public static final String ADMIN_EMAIL = "admin@example.com";
  /** What Prometheus would be given to scrape {@code /metrics}. */
  public static final String METRICS_TOKEN = "scrape-" + UUID.randomUUID();
  public static final String ADMIN_PASSWORD = "Correct-Horse-42";
  private static final SharedPostgres.Database DATABASE = SharedPostgres.newDatabase();
  private static String adminBearer;
  private static String userBearer;

  /** Stands in for GitHub Actions' token issuer; the gateway trusts it. */
  public static final OidcIssuer ISSUER = OidcIssuer.start();
  /** The gateway's public URL: the audience GitHub Actions tokens must name. */
  public static final String PUBLIC_URL = "http://orca.example.test";

  @DynamicPropertySource
  static void gateway(DynamicPropertyRegistry registry) {
    properties(registry, DATABASE, PREFIX);
    registry.add("orca.public-url", () -> PUBLIC_URL);
    // A deleted agent's grants go this long after no group has its topics assigned (2 minutes by default).
    registry.add("orca.agent-retirement-grace", () -> "PT1S");
    // Short enough for SlowClientIntegrationTest to wait out; every other client sends at once.
    // (Longer than a stall of the database pool after DatabaseCancellationIntegrationTest's cancelled
    // queries, during which a request's body waits unread behind authentication.)
    registry.add("orca.http.read-timeout", () -> "PT8S");
    registry.add("orca.http.request-timeout", () -> "PT12S");
    registry.add("orca.github-actions.issuer", ISSUER::url);
    registry.add("orca.local-agent.enabled", () -> "true");
    registry.add("orca.metrics-token", () -> METRICS_TOKEN);
    registry.add("orca.health.required-groups", () -> PROBE_GROUP);
    registry.add("orca.dashboard.location", () -> "classpath:/test-dashboard/");
    // Agents are told to connect as they would to ./orca up's broker: SCRAM over TLS on the agents' listener.
    SharedKafka.broker().ifPresent(broker -> {
      registry.add("ORCA_AGENT_KAFKA_BOOTSTRAP", broker::agentsBootstrap);
      registry.add("ORCA_AGENT_KAFKA_CA_CERT", () -> broker.tls().caCertificatePem());
    });
  }

  /** The properties every test gateway needs; the launcher passes the same keys. */
  public static void properties(DynamicPropertyRegistry registry, SharedPostgres.Database database, String prefix) {
    registry.add("orca.database-url", database::orcaUrl);
    registry.add("orca.kafka-bootstrap", SharedKafka::bootstrapServers);
    registry.add("orca.topic-prefix", () -> prefix);
    registry.add("orca.topic-partitions", () -> "2");
    registry.add("orca.app-secret", () -> APP_SECRET);
    registry.add("orca.deploy-timeout-seconds", () -> "5");
    // Tests drive the API much faster than a person; RateLimitIntegrationTest checks the limit.
    registry.add("orca.rate-limit.api-burst", () -> "100000");
  }

  @LocalServerPort
  protected int port;

  /**
   * A client with connections of its own, never pooled across tests: a connection one test left
   * in a state the server ends (a cancelled stream, an early answer) is not handed to the next.
   */
  protected WebTestClient anonymous() {
    return WebTestClient.bindToServer(new org.springframework.http.client.reactive.ReactorClientHttpConnector(
            reactor.netty.http.client.HttpClient.create(reactor.netty.resources.ConnectionProvider.newConnection())))
        .baseUrl("http://127.0.0.1:" + port).responseTimeout(DEADLINE).build();
  }

  /** A client authenticated as the admin with an API token; registers the admin on first use. */
  protected WebTestClient admin() {
    synchronized (GatewayTestSupport.class) {
      if (adminBearer == null) {
        adminBearer = "Bearer " + createAdminToken(anonymous());
      }
    }
    return anonymous().mutate().defaultHeader(HttpHeaders.AUTHORIZATION, adminBearer).build();
  }

  /** The admin's {@code Authorization} header value, for requests made without WebTestClient. */
  protected String adminAuthorization() {
    admin();
    return adminBearer;
  }

  /**
   * A client authenticated as an ordinary user (role {@code user}) with an API token; the user and
   * its token are written straight into the database on first use (only an admin could create one).
   */
  protected WebTestClient user() {
    admin(); // the first user registers as admin: that must be the admin, not this user
    synchronized (GatewayTestSupport.class) {
      if (userBearer == null) {
        UUID userId = UUID.randomUUID();
        String token = "user-token-" + UUID.randomUUID();
        update("INSERT INTO users (id, email, name, password_hash, role, created_at, updated_at)"
            + " VALUES (?, ?, 'User', 'not-a-hash', 'user', now(), now())", userId, "user-" + userId + "@example.com");
        update("INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES (?, ?, 'tests', ?, now())",
            UUID.randomUUID(), userId, sha256(token));
        userBearer = "Bearer " + token;
      }
    }
    return anonymous().mutate().defaultHeader(HttpHeaders.AUTHORIZATION, userBearer).build();
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static String createAdminToken(WebTestClient client) {
    client.post().uri("/api/v1/auth/register")
        .bodyValue(Map.of("email", ADMIN_EMAIL, "name", "Admin", "password", ADMIN_PASSWORD))
        .exchange().expectStatus().isCreated();
    String cookie = client.post().uri("/api/v1/auth/login")
        .bodyValue(Map.of("email", ADMIN_EMAIL, "password", ADMIN_PASSWORD))
        .exchange().expectStatus().isOk()
        .returnResult(Void.class).getResponseCookies().getFirst("orca_session").getValue();
    Map<String, Object> token = client.post().uri("/api/v1/auth/tokens")
        .cookie("orca_session", cookie)
        .bodyValue(Map.of("name", "tests"))
        .exchange().expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody();
    return (String) token.get("token");
  }

  protected static SecretBox secretBox() {
    return new SecretBox(Keys.fromSecret(APP_SECRET));
  }

  /** Rows of a query against the test database, for checking what is stored at rest. */
  protected static List<Map<String, Object>> query(String sql, Object... parameters) {
    return query(DATABASE, sql, parameters);
  }

  protected static int update(String sql, Object... parameters) {
    try (Connection c = connect(DATABASE); PreparedStatement s = prepare(c, sql, parameters)) {
      return s.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  public static List<Map<String, Object>> query(SharedPostgres.Database database, String sql, Object... parameters) {
    try (Connection c = connect(database); PreparedStatement s = prepare(c, sql, parameters);
         ResultSet rs = s.executeQuery()) {
      List<Map<String, Object>> rows = new ArrayList<>();
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  protected static Map<String, Object> single(String sql, Object... parameters) {
    List<Map<String, Object>> rows = query(sql, parameters);
    assertThat(rows).hasSize(1);
    return rows.get(0);
  }

  /** A JDBC connection to the tests' database (a tool such as {@code orca reset-password} uses one). */
  protected static Connection connection() throws SQLException {
    return connect(DATABASE);
  }

  private static Connection connect(SharedPostgres.Database database) throws SQLException {
    return DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
  }

  private static PreparedStatement prepare(Connection c, String sql, Object... parameters) throws SQLException {
    PreparedStatement s = c.prepareStatement(sql);
    for (int i = 0; i < parameters.length; i++) {
      s.setObject(i + 1, parameters[i]);
    }
    return s;
  }
}
