package dev.orca.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** The API of one running Orca as the launcher's tests call it, and the Docker CLI they check with. */
final class OrcaClient {

  static final ObjectMapper JSON = JsonMapper.builder().build();
  static final String ADMIN_EMAIL = "admin@example.com";
  static final String ADMIN_PASSWORD = "Correct-Horse-42";

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  OrcaClient(int httpPort) {
    this.base = "http://127.0.0.1:" + httpPort + "/api/v1";
  }

  void awaitHealthy() {
    await("every component up").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
        .until(() -> call("GET", "/health", null, null).statusCode() == 200);
  }

  /** Registers the first admin and returns a bearer token of theirs named {@code tokenName}. */
  String signUpAdmin(String tokenName) throws IOException, InterruptedException {
    HttpResponse<String> register = call("POST", "/auth/register", null,
        Map.of("email", ADMIN_EMAIL, "name", "Admin", "password", ADMIN_PASSWORD));
    assertThat(register.statusCode()).as(register.body()).isEqualTo(201);
    HttpResponse<String> login = login(ADMIN_EMAIL, ADMIN_PASSWORD);
    assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
    String cookie = login.headers().firstValue("set-cookie").orElseThrow().split(";", 2)[0];
    HttpResponse<String> token = call("POST", "/auth/tokens", cookie, Map.of("name", tokenName));
    assertThat(token.statusCode()).as(token.body()).isEqualTo(201);
    return "Bearer " + json(token).get("token").asString();
  }

  HttpResponse<String> login(String email, String password) throws IOException, InterruptedException {
    return call("POST", "/auth/login", null, Map.of("email", email, "password", password));
  }

  /** Waits until the application is synced at {@code commit}; its last state. */
  JsonNode awaitSynced(String auth, String applicationId, String commit, Duration atMost) {
    JsonNode[] last = new JsonNode[1];
    await("application " + applicationId + " synced at " + commit).atMost(atMost).pollInterval(Duration.ofMillis(250))
        .until(() -> {
          last[0] = json(call("GET", "/applications/" + applicationId, auth, null));
          return "synced".equals(last[0].path("syncStatus").asString())
              && commit.equals(last[0].path("commit").asString());
        });
    return last[0];
  }

  /** {@code auth} is a "Bearer ..." header value or a session cookie; {@code body} goes as JSON. */
  HttpResponse<String> call(String method, String path, String auth, Object body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (auth != null) {
      b.header(auth.startsWith("Bearer ") ? "Authorization" : "Cookie", auth);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> response) {
    return JSON.readTree(response.body());
  }

  /** The Docker CLI's output lines; fails on a non-zero exit or after 30 s. */
  static List<String> docker(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("docker"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("docker " + String.join(" ", args) + ": " + out);
    }
    return out.lines().filter(line -> !line.isBlank()).toList();
  }
}
