package dev.orca.gateway.notification;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import dev.orca.gateway.GatewayApplication;
import dev.orca.gateway.GatewayTestSupport;
import dev.orca.testsupport.SharedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.WebTestClient;
import dev.orca.gateway.kafka.KafkaPublisher;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.DeployReason;
import dev.orca.schemas.avro.DeploymentChanged;
import dev.orca.schemas.avro.DeploymentState;
import dev.orca.schemas.avro.HealthReport;
import dev.orca.schemas.avro.HealthStatus;
import dev.orca.schemas.avro.Heartbeat;
import dev.orca.schemas.avro.RepositoryStatusChanged;
import dev.orca.schemas.avro.RepositorySyncStatus;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Notifications end to end in the gateway: channels through the API, events through the real
 * broker and the projector, messages to real receivers on loopback (an HTTP server in this JVM,
 * GreenMail's SMTP server), and what the receivers got. A gateway of its own, on a database and
 * topics of its own: it may reach loopback, and no other test gateway's notifier (which may not)
 * shares its queue.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class NotificationIntegrationTest {

  private static final Duration DEADLINE = GatewayTestSupport.DEADLINE;
  private static final SharedPostgres.Database DATABASE = SharedPostgres.newDatabase();
  private static String bearer;

  @LocalServerPort
  int port;

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static HttpServer receiver;
  private static GreenMail smtp;
  /** Requests received, by path. */
  private static final Map<String, List<Received>> RECEIVED = new ConcurrentHashMap<>();
  /** Status to answer, by path (default 200). */
  private static final Map<String, Integer> ANSWER = new ConcurrentHashMap<>();
  /** Paths whose handler waits on this latch before answering (a receiver that hangs). */
  private static final Map<String, CountDownLatch> HANG = new ConcurrentHashMap<>();

  record Received(Map<String, String> headers, byte[] body, Instant at) {
    JsonNode json() {
      return JSON.readTree(body);
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  @Autowired
  Topics topics;

  @Autowired
  KafkaPublisher publisher;

  @Autowired
  org.springframework.r2dbc.core.DatabaseClient db;

  private String repositoryId;
  private String agentId;

  @DynamicPropertySource
  static void loopbackReceivers(DynamicPropertyRegistry registry) {
    GatewayTestSupport.properties(registry, DATABASE, "notify" + UUID.randomUUID().toString().substring(0, 8) + ".");
    registry.add("orca.health.required-groups", () -> "");
    // The receivers are on loopback, which Orca reaches only when allowed.
    registry.add("orca.egress-allow", () -> "127.0.0.0/8");
    registry.add("orca.events.liveness-interval", () -> "PT1S");
  }

  @BeforeAll
  static void receivers() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.setExecutor(Executors.newCachedThreadPool());
    receiver.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      byte[] body = exchange.getRequestBody().readAllBytes();
      Map<String, String> headers = new HashMap<>();
      exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
      CountDownLatch hang = HANG.get(path);
      if (hang != null) {
        try {
          hang.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      RECEIVED.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>()).add(new Received(headers, body, Instant.now()));
      int status = ANSWER.getOrDefault(path, 200);
      byte[] answer = status == 200 ? "ok".getBytes() : "receiver is broken".getBytes();
      exchange.sendResponseHeaders(status, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    receiver.start();
    smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
    smtp.start();
  }

  @AfterAll
  static void stopReceivers() {
    HANG.values().forEach(CountDownLatch::countDown);
    receiver.stop(0);
    smtp.stop();
  }

  @BeforeEach
  void entities() {
    repositoryId = (String) admin().post().uri("/api/v1/repositories")
        .bodyValue(Map.of("name", "notify-" + UUID.randomUUID().toString().substring(0, 8),
            "url", "https://git.example.com/acme/apps.git"))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
    agentId = (String) admin().post().uri("/api/v1/agents")
        .bodyValue(Map.of("name", "notify-" + UUID.randomUUID().toString().substring(0, 8)))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldKeepChannelSecretsWriteOnlyAndRefuseWhatCannotWork() {
    String path = path();
    Map<String, Object> created = admin().post().uri("/api/v1/notifications")
        .bodyValue(Map.of("name", "ops hook", "type", "webhook", "url", url(path) + "?token=abc", "secret", "s3cret-1",
            "events", List.of("deployment_failed", "deployment_failed", "agent_offline")))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
    String id = (String) created.get("id");
    assertThat(created).containsEntry("url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/…")
        .containsEntry("hasSecret", true).containsEntry("enabled", true).doesNotContainKey("secret")
        .containsEntry("events", List.of("deployment_failed", "agent_offline"));
    String everything = admin().get().uri("/api/v1/notifications").exchange().expectStatus().isOk()
        .expectBody(String.class).returnResult().getResponseBody();
    assertThat(everything).contains(id).doesNotContain("s3cret-1").doesNotContain("token=abc").doesNotContain(path);
    assertThat(query("SELECT url_encrypted, secret_encrypted FROM notification_channels WHERE id = ?",
        UUID.fromString(id)).get(0).values()).allSatisfy(v -> assertThat((String) v).doesNotContain("s3cret-1", path));

    // PUT without url and secret keeps them; the type cannot change.
    admin().put().uri("/api/v1/notifications/" + id)
        .bodyValue(Map.of("name", "ops", "type", "webhook", "events", List.of("sync_failed"), "enabled", false))
        .exchange().expectStatus().isOk().expectBody().jsonPath("$.hasSecret").isEqualTo(true)
        .jsonPath("$.enabled").isEqualTo(false).jsonPath("$.url").isEqualTo(created.get("url"));
    bad(Map.of("name", "x", "type", "slack", "url", url(path), "events", List.of("sync_failed")), "PUT " + id,
        "type cannot change: create another channel");

    bad(Map.of("type", "webhook", "url", url(path), "events", List.of("sync_failed")), null, "name is required");
    bad(Map.of("name", "x", "type", "pager", "url", url(path), "events", List.of("sync_failed")), null,
        "type must be one of webhook, slack, discord, teams, gotify, ntfy, email");
    bad(Map.of("name", "x", "type", "webhook", "url", url(path), "events", List.of()), null,
        "events is required: at least one of deployment_succeeded, deployment_failed, health_degraded, sync_failed,"
            + " agent_offline, agent_online, image_updated");
    bad(Map.of("name", "x", "type", "webhook", "url", url(path), "events", List.of("deployed")), null,
        "unknown event deployed: use deployment_succeeded, deployment_failed, health_degraded, sync_failed,"
            + " agent_offline, agent_online, image_updated");
    bad(Map.of("name", "x", "type", "webhook", "url", "ftp://example.com/x", "events", List.of("sync_failed")), null,
        "url must start with https:// or http://");
    bad(Map.of("name", "x", "type", "webhook", "url", "https://user:pw@example.com/x", "events", List.of("sync_failed")),
        null, "put credentials in secret, not in the URL");
    bad(Map.of("name", "x", "type", "webhook", "url", "http://169.254.169.254/latest", "events", List.of("sync_failed")),
        null, null);
    bad(Map.of("name", "x", "type", "slack", "url", "https://hooks.slack.com/services/T/B/X", "secret", "s",
        "events", List.of("sync_failed")), null, "a slack channel takes no secret: its URL is its credential");
    bad(Map.of("name", "x", "type", "gotify", "url", "https://gotify.example.com", "events", List.of("sync_failed")),
        null, "a Gotify channel needs its application token as secret");
    bad(Map.of("name", "x", "type", "email", "events", List.of("sync_failed")), null,
        "email is required for an email channel: host, port, security, from, to");
    bad(Map.of("name", "x", "type", "email", "events", List.of("sync_failed"), "email",
        Map.of("host", "smtp.example.com", "from", "not an address", "to", List.of("ops@example.com"))), null,
        "email.from is not an email address: not an address");
    bad(Map.of("name", "x", "type", "webhook", "url", url(path), "events", List.of("sync_failed"),
        "applicationIds", List.of(UUID.randomUUID().toString())), null, null);
    bad(Map.of("name", "x", "type", "webhook", "url", url(path), "events", List.of("sync_failed"),
        "repositoryIds", List.of("not-an-id")), null, "repositoryIds holds not-an-id, which is not an id");
    admin().post().uri("/api/v1/notifications").exchange().expectStatus().isBadRequest();

    admin().delete().uri("/api/v1/notifications/" + id).exchange().expectStatus().isNoContent();
    admin().get().uri("/api/v1/notifications/" + id).exchange().expectStatus().isNotFound();
    admin().get().uri("/api/v1/notifications/not-an-id").exchange().expectStatus().isNotFound();
    anonymous().get().uri("/api/v1/notifications").exchange().expectStatus().isUnauthorized();
  }

  @Test
  void shouldSendATestMessageAndSayWhyAReceiverRefusedIt() throws Exception {
    String path = path();
    String id = channel("webhook", url(path), "sign-me", List.of("deployment_failed"), List.of(application()));

    admin().post().uri("/api/v1/notifications/" + id + "/test").exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.delivered").isEqualTo(true);
    Received test = one(path);
    assertThat(test.json().get("event").asString()).isEqualTo("test");
    assertThat(test.headers()).containsEntry("x-orca-event", "test")
        .containsEntry("x-orca-signature-256", "sha256=" + ChannelSender.hmac("sign-me", test.body()));
    admin().get().uri("/api/v1/notifications/" + id).exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.lastDelivery.state").isEqualTo("sent");

    ANSWER.put(path, 500);
    admin().post().uri("/api/v1/notifications/" + id + "/test").exchange().expectStatus().isEqualTo(502)
        .expectBody().jsonPath("$.delivered").isEqualTo(false)
        .jsonPath("$.error").value(error -> assertThat((String) error)
            .isEqualTo("http://127.0.0.1:" + receiver.getAddress().getPort() + "/…: the receiver answered 500: receiver is broken"));
    admin().get().uri("/api/v1/notifications/" + id).exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.lastDelivery.state").isEqualTo("failed");
  }

  @Test
  void shouldSayItTheWayEachServiceTakesIt() {
    String slack = path();
    String discord = path();
    String teams = path();
    String gotify = path();
    String ntfy = path();
    for (String[] c : List.of(new String[] {"slack", slack, null}, new String[] {"discord", discord, null},
        new String[] {"teams", teams, null}, new String[] {"gotify", gotify, "gotify-app-token"},
        new String[] {"ntfy", ntfy, "ntfy-token"})) {
      String id = channel(c[0], url(c[1]), c[2], List.of("sync_failed"), List.of(application()));
      var answer = admin().post().uri("/api/v1/notifications/" + id + "/test").exchange().expectBody(String.class)
          .returnResult();
      assertThat(answer.getStatus().value()).as(c[0] + ": " + answer.getResponseBody()).isEqualTo(200);
    }
    assertThat(one(slack).json().get("text").asString()).startsWith("*Test notification from Orca*\n");
    assertThat(one(discord).json().get("content").asString()).startsWith("**Test notification from Orca**");
    JsonNode card = one(teams).json().get("attachments").get(0);
    assertThat(card.get("contentType").asString()).isEqualTo("application/vnd.microsoft.card.adaptive");
    assertThat(card.get("content").get("type").asString()).isEqualTo("AdaptiveCard");
    Received pushed = RECEIVED.get(gotify + "/message").get(0);
    assertThat(pushed.headers()).containsEntry("x-gotify-key", "gotify-app-token");
    assertThat(pushed.json().get("title").asString()).isEqualTo("Test notification from Orca");
    Received topic = one(ntfy);
    assertThat(topic.headers()).containsEntry("title", "Test notification from Orca")
        .containsEntry("authorization", "Bearer ntfy-token");
    assertThat(topic.text()).startsWith("This channel works");
  }

  @Test
  void shouldSendEmailOverSmtpAndRefuseAServerWithoutStartTls() throws Exception {
    Map<String, Object> email = new HashMap<>(Map.of("host", "127.0.0.1", "port", smtp.getSmtp().getPort(),
        "security", "none", "from", "orca@example.com", "to", List.of("ops@example.com", "dev@example.com")));
    String id = (String) admin().post().uri("/api/v1/notifications")
        .bodyValue(Map.of("name", "mail", "type", "email", "email", email, "events", List.of("deployment_failed"),
            "applicationIds", List.of(application())))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");

    admin().post().uri("/api/v1/notifications/" + id + "/test").exchange().expectStatus().isOk();

    assertThat(smtp.waitForIncomingEmail(DEADLINE.toMillis(), 2)).isTrue();
    MimeMessage[] mails = smtp.getReceivedMessages();
    assertThat(mails).hasSize(2);
    assertThat(mails[0].getSubject()).isEqualTo("[Orca] Test notification from Orca");
    assertThat(mails[0].getFrom()[0].toString()).isEqualTo("orca@example.com");
    assertThat(((String) mails[0].getContent())).contains("This channel works");

    // STARTTLS is required unless the channel says otherwise: a server without it is refused.
    email.put("security", "starttls");
    String strict = (String) admin().post().uri("/api/v1/notifications")
        .bodyValue(Map.of("name", "strict mail", "type", "email", "email", email, "events", List.of("deployment_failed"),
            "applicationIds", List.of(application())))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
    admin().post().uri("/api/v1/notifications/" + strict + "/test").exchange().expectStatus().isEqualTo(502)
        .expectBody().jsonPath("$.error").value(error -> assertThat((String) error).contains("STARTTLS"));
    assertThat(smtp.getReceivedMessages()).hasSize(2);

    // A password never goes over an unencrypted connection.
    Map<String, Object> login = new HashMap<>(email);
    login.putAll(Map.of("security", "none", "username", "orca", "password", "mail-secret"));
    admin().post().uri("/api/v1/notifications")
        .bodyValue(Map.of("name", "plain login", "type", "email", "email", login, "events", List.of("deployment_failed")))
        .exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").value(error -> assertThat((String) error).contains("unencrypted"));
    // Nor from a channel stored before that rule (or imported): the send refuses it.
    UUID stored = UUID.randomUUID();
    update("INSERT INTO notification_channels (id, name, type, email_host, email_port, email_security, email_username,"
        + " email_password_encrypted, email_from, email_to, events, created_at, updated_at) VALUES (?, 'old login',"
        + " 'email', '127.0.0.1', ?, 'none', 'orca', ?, 'orca@example.com', '{ops@example.com}', '{deployment_failed}',"
        + " now(), now())", stored, smtp.getSmtp().getPort(), new dev.orca.schemas.crypto.SecretBox(dev.orca.schemas.crypto.Keys.fromSecret(GatewayTestSupport.APP_SECRET)).encrypt("mail-secret"));
    admin().post().uri("/api/v1/notifications/" + stored + "/test").exchange().expectStatus().isEqualTo(502)
        .expectBody().jsonPath("$.error").value(error -> assertThat((String) error).contains("unencrypted"));
    assertThat(smtp.getReceivedMessages()).hasSize(2);
  }

  @Test
  void shouldConnectToNoSmtpServerTheEgressPolicyRefusesWhateverTheSecurity() {
    // Saved before the policy changed (or resolving elsewhere now): the check at connect time holds.
    for (String security : List.of("none", "starttls", "tls")) {
      UUID id = UUID.randomUUID();
      update("INSERT INTO notification_channels (id, name, type, email_host, email_port, email_security, email_from,"
          + " email_to, events, created_at, updated_at) VALUES (?, ?, 'email', '10.255.255.1', 25, ?, 'orca@example.com',"
          + " '{ops@example.com}', '{deployment_failed}', now(), now())", id, "private-" + security, security);
      admin().post().uri("/api/v1/notifications/" + id + "/test").exchange().expectStatus().isEqualTo(502)
          .expectBody().jsonPath("$.error").value(error -> assertThat((String) error).as(security)
              .contains("10.255.255.1").contains("private"));
    }
  }

  @Test
  void shouldTellADeploymentsEndOncePerCommitAndAFailureOnceUntilItChanges() {
    String app = application();
    String other = application();
    String path = path();
    String scoped = path();
    // Scoped to this application (another test class's deployments cannot reach it).
    channel("webhook", url(path), null, List.of("deployment_succeeded", "deployment_failed", "image_updated"),
        List.of(app));
    // Scoped to another application: hears none of these.
    channel("webhook", url(scoped), null, List.of("deployment_succeeded", "deployment_failed"), List.of(other));

    deployment(app, "d1", "c1", DeploymentState.SUCCEEDED, null, DeployReason.SYNC);
    JsonNode succeeded = await(path, 1).get(0).json();
    assertThat(succeeded.get("event").asString()).isEqualTo("deployment_succeeded");
    assertThat(succeeded.get("application").get("id").asString()).isEqualTo(app);
    assertThat(succeeded.get("deployment").get("id").asString()).isEqualTo("d1-" + app);
    assertThat(succeeded.get("deployment").get("commit").asString()).isEqualTo("c1");
    assertThat(succeeded.get("agent").get("id").asString()).isEqualTo(agentId);
    assertThat(succeeded.get("repository").get("id").asString()).isEqualTo(repositoryId);
    assertThat(succeeded.get("application").has("composeFile")).isTrue();

    // The same commit again (a redeploy): not told twice. Replayed, the same event is queued once.
    deployment(app, "d2", "c1", DeploymentState.SUCCEEDED, null, DeployReason.MANUAL);
    deployment(app, "d1", "c1", DeploymentState.SUCCEEDED, null, DeployReason.SYNC);
    // The same failure twice: told once.
    deployment(app, "d3", "c2", DeploymentState.FAILED, "port 8080 in use", DeployReason.SYNC);
    deployment(app, "d4", "c3", DeploymentState.FAILED, "port 8080 in use", DeployReason.SYNC);
    // Another failure: told.
    deployment(app, "d5", "c3", DeploymentState.TIMED_OUT, "agent did not answer", DeployReason.SYNC);
    // An image update that worked: succeeded (a new commit) and image updated.
    deployment(app, "d6", "c4", DeploymentState.SUCCEEDED, null, DeployReason.IMAGE_UPDATE);
    // After a success the same failure is news again.
    deployment(app, "d7", "c5", DeploymentState.FAILED, "port 8080 in use", DeployReason.SYNC);

    List<Received> all = await(path, 6);
    assertThat(all.stream().map(r -> r.json().get("event").asString() + " " + r.json().get("deployment").get("id")
        .asString().substring(0, 2)).toList())
        // Sent each on its own: in any order.
        .containsExactlyInAnyOrder("deployment_succeeded d1", "deployment_failed d3", "deployment_failed d5",
            "deployment_succeeded d6", "image_updated d6", "deployment_failed d7");
    assertThat(all.stream().map(Received::json).filter(j -> j.get("deployment").get("id").asString().startsWith("d3"))
        .findFirst().orElseThrow().get("detail").asString()).isEqualTo("port 8080 in use");
    assertThat(RECEIVED.get(scoped)).isNull();
    // Everything projected (d7 is the last, and its messages are queued with its row): six, no more.
    await(() -> !query("SELECT 1 FROM deployments WHERE id = ?", "d7-" + app).isEmpty(), "d7 projected");
    assertThat(query("SELECT event_id FROM notification_deliveries d JOIN notification_channels c ON c.id = d.channel_id"
        + " WHERE ? = ANY(c.application_ids)", UUID.fromString(app))).hasSize(6);
  }

  @Test
  void shouldQueueOneEventOncePerChannelHoweverOftenItIsSeen() {
    String app = application();
    String channelId = channel("webhook", url(path()), null, List.of("image_updated"), List.of(app));
    NotificationQueue.Trigger trigger = new NotificationQueue.Trigger(NotificationEvent.IMAGE_UPDATED,
        "deployment:replayed:image_updated", UUID.fromString(app), null, agentId, null, null, Instant.now(),
        "application:" + app, null);

    assertThat(NotificationQueue.enqueue(db, trigger).block(DEADLINE)).isEqualTo(1);
    assertThat(NotificationQueue.enqueue(db, trigger).block(DEADLINE)).isZero();

    assertThat(query("SELECT 1 FROM notification_deliveries WHERE channel_id = ?", UUID.fromString(channelId)))
        .hasSize(1);
  }

  @Test
  void shouldTellFailedSyncsDegradedHealthAndAgentsGoingAndComing() {
    String app = application();
    String path = path();
    // Scoped to the application: its repository's syncs and its agent reach the channel through it
    // (and no other test's agent going silent does).
    channel("webhook", url(path), null, List.of("sync_failed", "health_degraded", "agent_offline", "agent_online"),
        List.of(app));

    publisher.publish(topics.status(), repositoryId, RepositoryStatusChanged.newBuilder().setRepositoryId(repositoryId)
        .setSyncId("s1").setStatus(RepositorySyncStatus.FAILED).setLastSyncError("authentication failed")
        .setAt(Instant.now()).build()).block(DEADLINE);
    JsonNode sync = await(path, 1).get(0).json();
    assertThat(sync.get("event").asString()).isEqualTo("sync_failed");
    assertThat(sync.get("repository").get("id").asString()).isEqualTo(repositoryId);
    assertThat(sync.get("detail").asString()).isEqualTo("authentication failed");

    // Unhealthy outside a deployment: told; the same again is no transition and says nothing.
    health(app, HealthStatus.HEALTHY);
    health(app, HealthStatus.UNHEALTHY);
    JsonNode degraded = await(path, 2).get(1).json();
    // Missing after unhealthy is no new degradation; healthy ends it, unhealthy again is news.
    health(app, HealthStatus.MISSING);
    assertThat(query("SELECT 1 FROM notification_deliveries WHERE event = 'health_degraded' AND application_id = ?",
        UUID.fromString(app))).hasSize(1);
    assertThat(degraded.get("event").asString()).isEqualTo("health_degraded");
    assertThat(degraded.get("detail").asString()).isEqualTo("unhealthy");
    assertThat(degraded.get("application").get("id").asString()).isEqualTo(app);

    // An agent falls silent, then comes back.
    update("UPDATE agents SET last_seen = ?, heartbeat_interval_seconds = 1 WHERE id = ?",
        Timestamp.from(Instant.now().minusSeconds(60)), agentId);
    JsonNode offline = await(path, 3).get(2).json();
    assertThat(offline.get("event").asString()).isEqualTo("agent_offline");
    assertThat(offline.get("agent").get("id").asString()).isEqualTo(agentId);
    publisher.publish(topics.agentEvents(agentId), agentId, Heartbeat.newBuilder().setAgentId(agentId)
        .setDockerAvailable(true).setAgentVersion("1").setIntervalSeconds(1).setAt(Instant.now()).build())
        .block(DEADLINE);
    JsonNode online = await(path, 4).get(3).json();
    assertThat(online.get("event").asString()).isEqualTo("agent_online");
    assertThat(RECEIVED.get(path)).hasSize(4);
  }

  @Test
  void shouldRetryAFailedDeliveryWithBackOffWhileAReceiverThatHangsDelaysNoOtherOne() {
    String app = application();
    String hanging = path();
    String broken = path();
    String fine = path();
    HANG.put(hanging, new CountDownLatch(1));
    ANSWER.put(broken, 503);
    channel("webhook", url(hanging), null, List.of("deployment_failed"), List.of());
    String brokenId = channel("webhook", url(broken), null, List.of("deployment_failed"), List.of());
    channel("webhook", url(fine), null, List.of("deployment_failed"), List.of());

    deployment(app, "d1", "c1", DeploymentState.FAILED, "boom", DeployReason.SYNC);

    // Delivered while the hanging receiver still holds its request.
    await(fine, 1);
    assertThat(RECEIVED.get(hanging)).isNull();
    await(() -> !query("SELECT 1 FROM notification_deliveries WHERE channel_id = ? AND attempts = 1 AND state ="
        + " 'pending' AND last_error IS NOT NULL", UUID.fromString(brokenId)).isEmpty(), "the broken receiver's first failure");
    Map<String, Object> retry = single("SELECT last_error, next_attempt_at > now() + interval '5 seconds' AS later"
        + " FROM notification_deliveries WHERE channel_id = ?", UUID.fromString(brokenId));
    assertThat((String) retry.get("last_error")).endsWith("the receiver answered 503: receiver is broken");
    assertThat(retry.get("later")).isEqualTo(true);
    assertThat(NotificationSender.backoff(1)).isEqualTo(Duration.ofSeconds(10));
    assertThat(NotificationSender.backoff(3)).isEqualTo(Duration.ofSeconds(40));
    assertThat(NotificationSender.backoff(30)).isEqualTo(Duration.ofMinutes(30));

    // The receiver is back; the clock reaches the retry.
    ANSWER.remove(broken);
    update("UPDATE notification_deliveries SET next_attempt_at = now() WHERE channel_id = ?", UUID.fromString(brokenId));
    await(broken, 2);
    await(() -> "sent".equals(single("SELECT state FROM notification_deliveries WHERE channel_id = ?",
        UUID.fromString(brokenId)).get("state")), "the retried delivery sent");
    admin().get().uri("/api/v1/notifications/" + brokenId + "/deliveries").exchange().expectStatus().isOk()
        .expectBody().jsonPath("$[0].state").isEqualTo("sent").jsonPath("$[0].attempts").isEqualTo(2)
        .jsonPath("$[0].event").isEqualTo("deployment_failed");
    HANG.get(hanging).countDown();
  }

  // --- helpers ---

  private WebTestClient anonymous() {
    return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(DEADLINE).build();
  }

  @SuppressWarnings("unchecked")
  private WebTestClient admin() {
    synchronized (NotificationIntegrationTest.class) {
      if (bearer == null) {
        WebTestClient client = anonymous();
        client.post().uri("/api/v1/auth/register").bodyValue(Map.of("email", "ada@example.com", "name", "Ada",
            "password", "Correct-Horse-42")).exchange().expectStatus().isCreated();
        String cookie = client.post().uri("/api/v1/auth/login")
            .bodyValue(Map.of("email", "ada@example.com", "password", "Correct-Horse-42")).exchange()
            .expectStatus().isOk().returnResult(Void.class).getResponseCookies().getFirst("orca_session").getValue();
        bearer = "Bearer " + client.post().uri("/api/v1/auth/tokens").cookie("orca_session", cookie)
            .bodyValue(Map.of("name", "tests")).exchange().expectStatus().isCreated().expectBody(Map.class)
            .returnResult().getResponseBody().get("token");
      }
    }
    return anonymous().mutate().defaultHeader(HttpHeaders.AUTHORIZATION, bearer).build();
  }

  private static List<Map<String, Object>> query(String sql, Object... parameters) {
    return GatewayTestSupport.query(DATABASE, sql, parameters);
  }

  private static Map<String, Object> single(String sql, Object... parameters) {
    List<Map<String, Object>> rows = query(sql, parameters);
    assertThat(rows).hasSize(1);
    return rows.get(0);
  }

  private static void update(String sql, Object... parameters) {
    try (Connection c = DriverManager.getConnection(DATABASE.jdbcUrl(), DATABASE.user(), DATABASE.password());
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        s.setObject(i + 1, parameters[i]);
      }
      s.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private void deployment(String app, String id, String commit, DeploymentState state, String error, DeployReason reason) {
    Instant now = Instant.now();
    publisher.publish(topics.status(), app, DeploymentChanged.newBuilder().setDeploymentId(id + "-" + app)
        .setApplicationId(app).setAgentId(agentId).setGeneration(1).setReason(reason).setActor("sync-stream")
        .setCommit(commit).setDigest("digest-" + commit).setState(state).setError(error).setStartedAt(now)
        .setEndedAt(now).setDeadline(now.plusSeconds(300)).setAt(now).build()).block(DEADLINE);
  }

  private void health(String app, HealthStatus status) {
    publisher.publish(topics.agentEvents(agentId), app, HealthReport.newBuilder().setApplicationId(app)
        .setHealth(status).setAt(Instant.now()).build()).block(DEADLINE);
    await(() -> status.name().toLowerCase().equals(single("SELECT health_status FROM applications WHERE id = ?",
        UUID.fromString(app)).get("health_status")), "health " + status);
  }

  private String application() {
    return (String) admin().post().uri("/api/v1/applications")
        .bodyValue(Map.of("name", "n-" + UUID.randomUUID().toString().substring(0, 8), "repositoryId", repositoryId,
            "agentId", agentId, "path", "stack/compose.yaml"))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
  }

  private String channel(String type, String url, String secret, List<String> events, List<String> applicationIds) {
    Map<String, Object> body = new HashMap<>(Map.of("name", type + "-" + UUID.randomUUID().toString().substring(0, 6),
        "type", type, "url", url, "events", events, "applicationIds", applicationIds));
    if (secret != null) {
      body.put("secret", secret);
    }
    return (String) admin().post().uri("/api/v1/notifications").bodyValue(body).exchange().expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody().get("id");
  }

  private void bad(Map<String, Object> body, String put, String error) {
    var spec = put == null ? admin().post().uri("/api/v1/notifications")
        : admin().put().uri("/api/v1/notifications/" + put.substring(4));
    var answer = spec.bodyValue(body).exchange().expectStatus().isBadRequest().expectBody();
    if (error != null) {
      answer.jsonPath("$.error").isEqualTo(error);
    }
  }

  private static String path() {
    return "/hook-" + UUID.randomUUID();
  }

  private static String url(String path) {
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
  }

  private static Received one(String path) {
    List<Received> got = await(path, 1);
    assertThat(got).hasSize(1);
    return got.get(0);
  }

  private static List<Received> await(String path, int count) {
    await(() -> RECEIVED.getOrDefault(path, List.of()).size() >= count, count + " messages at " + path);
    return new ArrayList<>(RECEIVED.get(path));
  }

  private static void await(BooleanSupplier condition, String what) {
    org.awaitility.Awaitility.await(what).atMost(DEADLINE).pollInterval(Duration.ofMillis(50))
        .until(condition::getAsBoolean);
  }
}
