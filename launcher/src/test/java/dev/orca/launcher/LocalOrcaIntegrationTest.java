package dev.orca.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import dev.orca.broker.BrokerTls;
import dev.orca.broker.EmbeddedBroker;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
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
    // An external broker without authentication (its anonymous principal a super user).
    try (EmbeddedBroker broker = EmbeddedBroker.start(external.resolve("kafka"),
            BrokerTls.loadOrCreate(external.resolve("tls"), List.of()), new EmbeddedBroker.Ports(PortBook.freePort(),
                PortBook.freePort(), PortBook.freePort(), PortBook.freePort(), "127.0.0.1", PortBook.freePort()),
            Duration.ofSeconds(60));
         EmbeddedDatabase database = EmbeddedDatabase.start(external.resolve("pg"), PortBook.freePort(), "other");
         LocalOrca orca = LocalOrca.start(LocalSettings.external(dataDir, broker.plaintextBootstrap(), database.url(),
             "an-explicit-secret-of-at-least-32-characters", Map.of("ORCA_TOPIC_PREFIX", "ext.",
                 "ORCA_AGENT_KAFKA_BOOTSTRAP", broker.agentsBootstrap(),
                 "ORCA_AGENT_KAFKA_CA_CERT", broker.tls().caCertificatePem())))) {
      assertThat(orca.kafkaBootstrap()).isEqualTo(broker.plaintextBootstrap());
      assertThat(orca.databaseUrl()).isEqualTo(database.url());
      awaitHealthy(orca);
    }
    assertThat(dataDir.resolve("kafka")).doesNotExist();
    assertThat(dataDir.resolve("postgres")).doesNotExist();
    assertThat(dataDir.resolve(AppSecret.FILE_NAME)).doesNotExist();
  }

  @Test
  void shouldListenOnlyOnTheAddressItIsGiven() throws Exception {
    InetAddress other = InetAddress.getByName("127.0.0.2");
    assumeTrue(bindable(other), "127.0.0.2 is not an address of this machine (Linux routes all of 127/8 to loopback)");
    LocalSettings settings = SharedServers.settings(dataDir, "address").withHttp("127.0.0.2", 0);
    try (LocalOrca orca = LocalOrca.start(settings)) {
      assertThat(orca.url()).isEqualTo("http://127.0.0.2:" + orca.httpPort());
      awaitHealthy(orca);
      HttpRequest elsewhere = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + orca.httpPort() + "/api/v1/health"))
          .timeout(Duration.ofSeconds(5)).build();
      assertThatThrownBy(() -> HTTP.send(elsewhere, HttpResponse.BodyHandlers.discarding()))
          .isInstanceOf(ConnectException.class);
    }
  }

  @Test
  void shouldStopTheBrokerWhenTheDatabaseCannotStart() throws Exception {
    int kafkaPort = PortBook.freePort();
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      LocalSettings settings = new LocalSettings(dataDir, null, 0, null, null, null, kafkaPort, taken.getLocalPort(), Map.of());
      assertThatThrownBy(() -> LocalOrca.start(settings)).isInstanceOf(RuntimeException.class);
    }
    // Started beside the database and ready or not, the broker is stopped before start() returns.
    assertThat(PortBook.isFree(kafkaPort)).as("broker port free again").isTrue();
  }

  @Test
  void shouldStopPartsStillStartingWhenClosedDuringStartUp() throws Exception {
    int httpPort = PortBook.freePort();
    int kafkaPort = PortBook.freePort();
    int databasePort = PortBook.freePort();
    LocalOrca orca = LocalOrca.prepare();
    Thread starting = new Thread(() -> {
      try {
        orca.run(new LocalSettings(dataDir, null, httpPort, null, null, null, kafkaPort, databasePort, Map.of()));
      } catch (RuntimeException stopped) {
        // expected when close() wins the race with a part's start
      }
    }, "test-start");
    starting.start();
    // Close as the stream processors and the gateway begin to start against the new broker.
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> !PortBook.isFree(kafkaPort));
    orca.close();
    starting.join(Duration.ofSeconds(120).toMillis());

    assertThat(starting.isAlive()).as("start-up returned").isFalse();
    assertThat(PortBook.isFree(httpPort)).as("gateway port free").isTrue();
    assertThat(PortBook.isFree(kafkaPort)).as("broker port free").isTrue();
    assertThat(PortBook.isFree(databasePort)).as("database port free").isTrue();
  }

  private static boolean bindable(InetAddress address) {
    try (ServerSocket socket = new ServerSocket(0, 1, address)) {
      return true;
    } catch (IOException e) {
      return false;
    }
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
