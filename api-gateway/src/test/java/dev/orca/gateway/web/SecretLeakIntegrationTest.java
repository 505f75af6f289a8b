package dev.orca.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.orca.gateway.GatewayTestSupport;
import dev.orca.testsupport.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import reactor.core.Disposable;

/**
 * Every secret Orca is given (a repository's token and webhook secret, a password for basic
 * authentication, environment values, a user's password, an agent's credentials) is searched for,
 * by value, everywhere it could leak: every API answer about the entities, the live event stream,
 * every log line, every record of every Kafka topic, and a dump of every database table.
 */
class SecretLeakIntegrationTest extends GatewayTestSupport {

  @Test
  @SuppressWarnings("unchecked")
  void shouldKeepEverySecretValueOutOfAnswersEventsLogsTopicsAndTheDatabase() throws Exception {
    String run = UUID.randomUUID().toString().replace("-", "");
    String token = "ghp_leaktoken" + run;
    String webhookSecret = "whsec-leak-" + run;
    String basicPassword = "basic-leak-" + run;
    String envValue = "env-leak-" + run;
    String userPassword = "User-Leak-Pass-" + run.substring(0, 8) + "9";
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    // An agent's broker password and environment key are shown once, in the answer that creates it; never after.
    Map<String, Object> agent = admin().post().uri("/api/v1/agents").bodyValue(Map.of("name", "leak-" + run))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
    Map<String, Object> connection = (Map<String, Object>) agent.get("connection");
    String agentPassword = (String) connection.get("password");
    String environmentKey = (String) connection.get("environmentKey");
    assertThat(agentPassword).hasSizeGreaterThan(20);
    assertThat(environmentKey).hasSizeGreaterThan(20);
    List<String> secrets = List.of(token, webhookSecret, basicPassword, envValue, userPassword, agentPassword,
        environmentKey);

    StringBuilder events = new StringBuilder();
    Disposable stream = admin().get().uri("/api/v1/events").accept(MediaType.TEXT_EVENT_STREAM).exchange()
        .returnResult(String.class).getResponseBody()
        .subscribe(data -> {
          synchronized (events) {
            events.append(data).append('\n');
          }
        }, e -> { });
    StringBuilder answers = new StringBuilder();
    try {
      Map<String, Object> repository = admin().post().uri("/api/v1/repositories")
          .bodyValue(Map.of("name", "leak-" + run, "url", "https://github.com/acme/leak.git", "provider", "github",
              "authMethod", "token", "token", token, "syncType", "webhook", "webhookSecret", webhookSecret))
          .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
      answers.append(repository);
      String repositoryId = (String) repository.get("id");
      answers.append(admin().put().uri("/api/v1/repositories/" + repositoryId)
          .bodyValue(Map.of("authMethod", "basic", "username", "deployer", "password", basicPassword))
          .exchange().expectBody(String.class).returnResult().getResponseBody());
      // A connection test that is refused must not echo the password.
      answers.append(admin().post().uri("/api/v1/repositories/test-connection")
          .bodyValue(Map.of("url", "https://127.0.0.1/x.git", "authMethod", "basic", "username", "u", "password",
              basicPassword))
          .exchange().expectBody(String.class).returnResult().getResponseBody());
      Map<String, Object> application = admin().post().uri("/api/v1/applications")
          .bodyValue(Map.of("name", "leak-app-" + run, "repositoryId", repositoryId, "agentId", agent.get("id"), "branch", "main",
              "path", "compose.yaml"))
          .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
      answers.append(application);
      String applicationId = (String) application.get("id");
      answers.append(admin().put().uri("/api/v1/applications/" + applicationId + "/environment")
          .bodyValue(Map.of("variables", Map.of("DB_PASSWORD", envValue)))
          .exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody());
      Map<String, Object> user = admin().post().uri("/api/v1/admin/users")
          .bodyValue(Map.of("email", "leak-" + run + "@example.com", "name", "Leak", "password", userPassword,
              "role", "user"))
          .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
      answers.append(user);
      // A webhook delivery with a wrong signature: the answer must not help guess the secret.
      answers.append(anonymous().post().uri("/api/v1/webhooks/repositories/" + repositoryId)
          .header("X-GitHub-Event", "push").header("X-Hub-Signature-256", "sha256=" + "0".repeat(64))
          .bodyValue("{\"ref\":\"refs/heads/main\"}").exchange().expectBody(String.class).returnResult().getResponseBody());

      for (String path : List.of("/api/v1/repositories", "/api/v1/repositories/" + repositoryId, "/api/v1/applications",
          "/api/v1/applications/" + applicationId, "/api/v1/applications/" + applicationId + "/environment",
          "/api/v1/applications/" + applicationId + "/deployments", "/api/v1/agents", "/api/v1/agents/" + agent.get("id"),
          "/api/v1/admin/users",
          "/api/v1/admin/users/" + user.get("id"), "/api/v1/admin/audit-logs?limit=500", "/api/v1/admin/system-info",
          "/api/v1/auth/profile")) {
        answers.append(admin().get().uri(path).exchange().expectStatus().isOk().expectBody(String.class).returnResult()
            .getResponseBody());
      }
      // The projection of what was just written reaches the event stream within moments.
      Instant deadline = Instant.now().plus(DEADLINE);
      while (Instant.now().isBefore(deadline)) {
        synchronized (events) {
          if (events.indexOf(applicationId) >= 0 && events.indexOf(repositoryId) >= 0) {
            break;
          }
        }
        Thread.sleep(100);
      }
    } finally {
      stream.dispose();
      root.detachAppender(logs);
    }

    String logText;
    synchronized (logs) {
      StringBuilder text = new StringBuilder();
      for (ILoggingEvent event : logs.list) {
        text.append(event.getFormattedMessage()).append('\n');
        if (event.getThrowableProxy() != null) {
          text.append(ThrowableProxyUtil.asString(event.getThrowableProxy())).append('\n');
        }
      }
      logText = text.toString();
    }
    String kafka = topics(PREFIX);
    StringBuilder database = new StringBuilder();
    for (Map<String, Object> table : query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")) {
      for (Map<String, Object> row : query("SELECT row_to_json(t)::text AS row FROM \"" + table.get("tablename") + "\" t")) {
        database.append(row.get("row")).append('\n');
      }
    }
    synchronized (events) {
      assertThat(events.toString()).as("the event stream").contains("leak-app-" + run);
    }
    assertThat(database.toString()).as("the database dump").contains("deployer");
    assertThat(logText).as("the log").isNotEmpty();
    assertThat(kafka).as("the Kafka topics").isNotEmpty();
    for (String secret : secrets) {
      assertThat(answers.toString()).as("API answers").doesNotContain(secret);
      synchronized (events) {
        assertThat(events.toString()).as("events").doesNotContain(secret);
      }
      assertThat(logText).as("log lines").doesNotContain(secret);
      assertThat(kafka).as("Kafka records").doesNotContain(secret);
      assertThat(database.toString()).as("database rows").doesNotContain(secret);
      // bytea columns (the outbox's records) show as hex in the dump; a Basic header would be base64.
      String hex = java.util.HexFormat.of().formatHex(secret.getBytes(StandardCharsets.UTF_8));
      assertThat(database.toString()).as("database rows, hex").doesNotContain(hex);
      String base64 = java.util.Base64.getEncoder().encodeToString(("deployer:" + secret).getBytes(StandardCharsets.UTF_8));
      assertThat(logText + kafka + database).as("a Basic header").doesNotContain(base64);
    }
  }

  /** Every key, value and header of every record of this run's topics, as text. */
  private static String topics(String prefix) {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "leak-search-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    StringBuilder text = new StringBuilder();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.subscribe(Pattern.compile(Pattern.quote(prefix) + ".*"));
      Instant quietSince = Instant.now();
      Instant deadline = Instant.now().plus(DEADLINE);
      while (Instant.now().isBefore(deadline) && Duration.between(quietSince, Instant.now()).toMillis() < 3000) {
        var records = consumer.poll(Duration.ofMillis(300));
        if (!records.isEmpty()) {
          quietSince = Instant.now();
        }
        for (ConsumerRecord<byte[], byte[]> record : records) {
          text.append(record.topic()).append(' ');
          if (record.key() != null) {
            text.append(new String(record.key(), StandardCharsets.ISO_8859_1));
          }
          if (record.value() != null) {
            text.append(new String(record.value(), StandardCharsets.ISO_8859_1));
          }
          record.headers().forEach(h -> text.append(new String(h.value() == null ? new byte[0] : h.value(),
              StandardCharsets.ISO_8859_1)));
          text.append('\n');
        }
      }
    }
    return text.toString();
  }
}
