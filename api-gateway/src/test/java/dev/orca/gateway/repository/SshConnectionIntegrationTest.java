package dev.orca.gateway.repository;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.gateway.GatewayApplication;
import dev.orca.gateway.GatewayTestSupport;
import dev.orca.testsupport.GitRepo;
import dev.orca.testsupport.SharedPostgres;
import dev.orca.testsupport.SshGitServer;
import dev.orca.testsupport.SshKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Test connection and branches of ssh remotes against a real OpenSSH server, on a gateway of its
 * own that allows loopback remotes (the server is on 127.0.0.1) and pins host keys under its data
 * directory.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SshConnectionIntegrationTest {

  private static final SharedPostgres.Database DATABASE = SharedPostgres.newDatabase();
  private static final Path DATA_DIR = tempDir();
  private static SshGitServer server;
  private static String bearer;

  @DynamicPropertySource
  static void gateway(DynamicPropertyRegistry registry) {
    GatewayTestSupport.properties(registry, DATABASE, "ssh" + UUID.randomUUID().toString().substring(0, 8) + ".");
    registry.add("orca.health.required-groups", () -> "");
    registry.add("orca.allow-local-git", () -> "true");
    registry.add("orca.data-dir", DATA_DIR::toString);
  }

  @LocalServerPort
  int port;

  @BeforeAll
  static void startServer() {
    if (SshGitServer.available()) {
      server = SshGitServer.start();
    }
  }

  /** Per test, so that each one is reported skipped (with the reason) without sshd, or fails under CI. */
  @BeforeEach
  void requireSshd() {
    SshGitServer.require();
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void shouldTestAnSshConnectionWithAKeyAndPinTheHostKeyUnderTheDataDir() throws IOException {
    GitRepo repo = server.createRepository("test-connection");
    repo.commit("compose.yaml", "services: {}\n", "compose");

    admin().post().uri("/api/v1/repositories/test-connection")
        .bodyValue(Map.of("url", repo.url(), "authMethod", "ssh", "sshPrivateKey", server.clientKey().privateKey()))
        .exchange().expectStatus().isOk().expectBody()
        .jsonPath("$.ok").isEqualTo(true)
        .jsonPath("$.branches[0]").isEqualTo("main")
        .jsonPath("$.defaultBranch").isEqualTo("main");
    assertThat(Files.readAllLines(DATA_DIR.resolve("ssh").resolve("known_hosts")))
        .containsExactly(server.knownHostsLine());

    SshKey stranger = SshKey.ed25519();
    admin().post().uri("/api/v1/repositories/test-connection")
        .bodyValue(Map.of("url", repo.url(), "authMethod", "ssh", "sshPrivateKey", stranger.privateKey()))
        .exchange().expectStatus().isOk().expectBody()
        .jsonPath("$.ok").isEqualTo(false)
        .jsonPath("$.error").value(error -> assertThat((String) error)
            .contains("refused the ssh key SHA256:")
            .doesNotContain("PRIVATE KEY")
            .doesNotContain(stranger.privateKey().lines().skip(1).findFirst().orElseThrow()));
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldListTheBranchesOfAStoredSshRepository() {
    GitRepo repo = server.createRepository("stored");
    String head = repo.commit("compose.yaml", "services: {}\n", "compose");

    Map<String, Object> created = admin().post().uri("/api/v1/repositories")
        .bodyValue(Map.of("name", "ssh-" + UUID.randomUUID(), "url", repo.url(), "authMethod", "ssh",
            "sshPrivateKey", server.clientKey().privateKey(), "syncType", "manual"))
        .exchange().expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody();
    assertThat(created).containsEntry("hasCredentials", true).doesNotContainKey("sshPrivateKey");

    Map<String, Object> branches = admin().get().uri("/api/v1/repositories/{id}/branches", created.get("id"))
        .exchange().expectStatus().isOk()
        .expectBody(Map.class).returnResult().getResponseBody();
    assertThat((List<Map<String, Object>>) branches.get("branches"))
        .containsExactly(Map.of("name", "main", "commit", head));
  }

  private WebTestClient anonymous() {
    return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
        .responseTimeout(GatewayTestSupport.DEADLINE).build();
  }

  private WebTestClient admin() {
    synchronized (SshConnectionIntegrationTest.class) {
      if (bearer == null) {
        bearer = "Bearer " + adminToken(anonymous());
      }
    }
    return anonymous().mutate().defaultHeader(HttpHeaders.AUTHORIZATION, bearer).build();
  }

  /** Registers the first user (the admin) and gives it an API token. */
  @SuppressWarnings("unchecked")
  private static String adminToken(WebTestClient client) {
    client.post().uri("/api/v1/auth/register")
        .bodyValue(Map.of("email", "ssh@example.com", "name", "Admin", "password", "Correct-Horse-42"))
        .exchange().expectStatus().isCreated();
    String cookie = client.post().uri("/api/v1/auth/login")
        .bodyValue(Map.of("email", "ssh@example.com", "password", "Correct-Horse-42"))
        .exchange().expectStatus().isOk()
        .returnResult(Void.class).getResponseCookies().getFirst("orca_session").getValue();
    Map<String, Object> token = client.post().uri("/api/v1/auth/tokens").cookie("orca_session", cookie)
        .bodyValue(Map.of("name", "tests")).exchange().expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody();
    return (String) token.get("token");
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("orca-gateway-data");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
