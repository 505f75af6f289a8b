package dev.orca.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalOrcaIntegrationTest {

  private static final HttpClient HTTP = HttpClient.newBuilder()
      // Plain HTTP/1.1: no h2c upgrade attempts on a server that speaks only HTTP/1.1.
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  Path dataDir;

  @Test
  void shouldServeHealthAndKeepTheLocalAgentAndSecretAcrossRestart() throws Exception {
    String agentId;
    String secret;
    try (LocalOrca orca = LocalOrca.start(LocalSettings.of(dataDir))) {
      assertThat(orca.url()).isEqualTo("http://localhost:" + orca.httpPort());
      assertThat(orca.localAgentId()).isNotBlank();
      assertThat(orca.stoppedComponents()).isEmpty();
      awaitHealthy(orca);
      agentId = orca.localAgentId();
      secret = Files.readString(dataDir.resolve(AppSecret.FILE_NAME)).trim();
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve(AppSecret.FILE_NAME))))
        .isEqualTo("rw-------");

    try (LocalOrca orca = LocalOrca.start(LocalSettings.of(dataDir))) {
      assertThat(orca.localAgentId()).isEqualTo(agentId);
      assertThat(Files.readString(dataDir.resolve(AppSecret.FILE_NAME)).trim()).isEqualTo(secret);
      awaitHealthy(orca);
    }
  }

  @Test
  void shouldUseExternalBrokerAndDatabaseWithoutStartingEmbeddedOnes(@TempDir Path external) throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start(external.resolve("kafka"), PortBook.freePort(), PortBook.freePort(),
            Duration.ofSeconds(60));
         EmbeddedDatabase database = EmbeddedDatabase.start(external.resolve("pg"), PortBook.freePort(), "other");
         LocalOrca orca = LocalOrca.start(new LocalSettings(dataDir, 0, broker.bootstrapServers(), database.url(),
             "an-explicit-secret-of-at-least-32-characters", 0, 0, Map.of("ORCA_TOPIC_PREFIX", "ext.")))) {
      assertThat(orca.kafkaBootstrap()).isEqualTo(broker.bootstrapServers());
      assertThat(orca.databaseUrl()).isEqualTo(database.url());
      awaitHealthy(orca);
    }
    assertThat(dataDir.resolve("kafka")).doesNotExist();
    assertThat(dataDir.resolve("postgres")).doesNotExist();
    assertThat(dataDir.resolve(AppSecret.FILE_NAME)).doesNotExist();
  }

  private static void awaitHealthy(LocalOrca orca) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      HttpResponse<String> response = HTTP.send(
          HttpRequest.newBuilder(URI.create(orca.url() + "/api/v1/health")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    });
  }
}
