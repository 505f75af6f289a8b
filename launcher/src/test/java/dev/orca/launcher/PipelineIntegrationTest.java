package dev.orca.launcher;

import org.apache.kafka.clients.admin.Admin;
import dev.orca.schemas.Topics;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orca.testsupport.DockerDaemon;
import dev.orca.testsupport.GitRepo;
import dev.orca.testsupport.GitServer;
import dev.orca.testsupport.SharedPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole pipeline on real parts: a git repository served over smart HTTP, the gateway's
 * REST API, Kafka, sync-stream, deploy-dispatcher, the local agent on the real Docker daemon,
 * the projector into PostgreSQL, and SSE back out. The broker is {@code ./orca up}'s own, with
 * its authorizer: every component connects as its own principal with only its ACLs, and agents
 * with their own credentials over TLS.
 */
class PipelineIntegrationTest {

  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final Duration DEPLOY_WAIT = Duration.ofSeconds(120);

  @TempDir
  static Path dataDir;

  private static GitServer git;
  private static LocalOrca orca;
  private static final HttpClient http = HttpClient.newBuilder()
      // Plain HTTP/1.1: no h2c upgrade attempts on a server that speaks only HTTP/1.1.
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private static String base;
  private static String adminBearer;

  @BeforeAll
  static void start() {
    DockerDaemon.require();
    git = GitServer.start();
    orca = LocalOrca.start(LocalSettings.external(dataDir, null, SharedPostgres.newDatabase().orcaUrl(), null,
        Map.of("ORCA_TOPIC_PREFIX", "e2e.", "ORCA_AGENT_RETIREMENT_GRACE", "PT2S")));
    base = "http://127.0.0.1:" + orca.httpPort() + "/api/v1";
  }

  @AfterAll
  static void stop() {
    if (orca != null) {
      orca.close();
    }
    if (git != null) {
      git.close();
    }
  }

  @Test
  void shouldDeployRedeployAndRemoveAComposeStackPushedToGit() throws Exception {
    await("every component up").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
        .until(() -> call("GET", "/health", null, null).statusCode() == 200);

    String bearer = signIn();
    assertThat(call("GET", "/applications", null, null).statusCode()).isEqualTo(401);

    List<String> sse = new CopyOnWriteArrayList<>();
    Thread reader = streamEvents(bearer, sse);

    GitRepo repo = git.createRepository("stack");
    String first = repo.commit("deploy/compose.yaml", compose("one"), "first stack");

    JsonNode agents = json(call("GET", "/agents", bearer, null));
    String agentId = orca.localAgentId();
    assertThat(agents).extracting(a -> a.get("id").asText()).contains(agentId);

    HttpResponse<String> repository = call("POST", "/repositories", bearer,
        Map.of("name", "stack", "url", repo.url(), "syncType", "manual"));
    assertThat(repository.statusCode()).as(repository.body()).isEqualTo(201);
    String repositoryId = json(repository).get("id").asText();

    // What the repository form offers before anything is deployed: the connection, the branches, the files.
    JsonNode connection = json(call("POST", "/repositories/test-connection", bearer, Map.of("url", repo.url())));
    assertThat(connection.get("ok").asBoolean()).as(connection.toString()).isTrue();
    assertThat(connection.get("branches")).extracting(JsonNode::asText).containsExactly("main");
    assertThat(json(call("POST", "/repositories/test-connection", bearer, Map.of("repositoryId", repositoryId)))
        .get("ok").asBoolean()).isTrue();
    JsonNode unreachable = json(call("POST", "/repositories/test-connection", bearer,
        Map.of("url", repo.url() + "-missing")));
    assertThat(unreachable.get("ok").asBoolean()).isFalse();
    assertThat(unreachable.get("error").asText()).startsWith("cannot list the branches of " + repo.url() + "-missing: ");
    JsonNode branches = json(call("GET", "/repositories/" + repositoryId + "/branches", bearer, null));
    assertThat(branches.get("defaultBranch").asText()).isEqualTo("main");
    assertThat(branches.get("branches").get(0).get("name").asText()).isEqualTo("main");
    assertThat(branches.get("branches").get(0).get("commit").asText()).isEqualTo(first);
    JsonNode tree = json(call("GET", "/repositories/" + repositoryId + "/tree?branch=main", bearer, null));
    assertThat(tree.get("commit").asText()).isEqualTo(first);
    assertThat(tree.get("files")).extracting(JsonNode::asText).containsExactly("README.md", "deploy/compose.yaml");
    HttpResponse<String> noBranch = call("GET", "/repositories/" + repositoryId + "/tree?branch=nope", bearer, null);
    assertThat(noBranch.statusCode()).isEqualTo(404);
    assertThat(noBranch.body()).isEqualTo("{\"error\":\"branch nope not found\"}");

    HttpResponse<String> created = call("POST", "/applications", bearer, Map.of("name", "Web Stack",
        "repositoryId", repositoryId, "agentId", agentId, "branch", "main", "path", "deploy/compose.yaml"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String applicationId = json(created).get("id").asText();

    JsonNode app = awaitApplication(bearer, applicationId, first);
    assertThat(app.get("healthStatus").asText()).isEqualTo("healthy");
    assertThat(app.get("lastSyncError").isNull()).isTrue();
    assertThat(app.get("composeFile").asText()).contains("MARKER: one");
    assertThat(containers(applicationId)).hasSize(1);
    assertThat(docker("inspect", "--format", "{{index .Config.Labels \"managed_by\"}}",
        containers(applicationId).get(0))).isEqualTo("orca-cd");

    await("an SSE application event showing the stack synced").atMost(Duration.ofSeconds(30))
        .until(() -> sse.stream().anyMatch(e -> e.startsWith("application|") && e.contains(applicationId)
            && e.contains("\"syncStatus\":\"synced\"")));

    String second = repo.commit("deploy/compose.yaml", compose("two"), "second stack");
    HttpResponse<String> sync = call("POST", "/repositories/" + repositoryId + "/sync", bearer, Map.of());
    assertThat(sync.statusCode()).as(sync.body()).isEqualTo(202);
    app = awaitApplication(bearer, applicationId, second);
    assertThat(app.get("composeFile").asText()).contains("MARKER: two");
    assertThat(app.get("previousComposeFile").asText()).contains("MARKER: one");
    await("container recreated with the new compose").atMost(DEPLOY_WAIT).until(() -> {
      List<String> ids = containers(applicationId);
      return ids.size() == 1 && docker("inspect", "--format", "{{json .Config.Env}}", ids.get(0)).contains("MARKER=two");
    });
    JsonNode deployments = json(call("GET", "/applications/" + applicationId + "/deployments", bearer, null));
    assertThat(deployments).hasSizeGreaterThanOrEqualTo(2);

    HttpResponse<String> deleted = call("DELETE", "/applications/" + applicationId + "?wait=true", bearer, null);
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
    assertThat(call("GET", "/applications/" + applicationId, bearer, null).statusCode()).isEqualTo(404);
    assertThat(containers(applicationId)).isEmpty();
    reader.interrupt();
  }

  /**
   * Two agents, each with the credential registration gave it (SCRAM over TLS on the broker's
   * agents' listener, ACLs for its own topics only) and a deployments directory of its own: each
   * deploys its own application, and neither sees the other's.
   */
  @Test
  void shouldDeployThroughTwoAgentsEachWithItsOwnCredential(@TempDir Path secondHost) throws Exception {
    await("every component up").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
        .until(() -> call("GET", "/health", null, null).statusCode() == 200);
    String bearer = signIn();
    HttpResponse<String> registered = call("POST", "/agents", bearer, Map.of("name", "second-host"));
    assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
    JsonNode connection = json(registered).get("connection");
    String secondId = json(registered).get("id").asText();
    assertThat(connection.get("securityProtocol").asText()).isEqualTo("SASL_SSL");
    Map<String, String> env =
        new java.util.HashMap<>(dev.orca.schemas.EnvironmentFile.parse(connection.get("environmentFile").asText()));
    env.put("ORCA_AGENT_DEPLOYMENTS_DIR", secondHost.resolve("deployments").toString());
    env.put("ORCA_AGENT_HEARTBEAT_SECONDS", "2");
    try (dev.orca.agent.Agent second = dev.orca.agent.Agent.start(dev.orca.agent.AgentSettings.fromEnvironment(env))) {
      await("the second agent online").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
          .until(() -> "online".equals(json(call("GET", "/agents/" + secondId, bearer, null)).path("status").asText()));

      GitRepo repo = git.createRepository("two-hosts");
      // No network of their own: Docker's default address pools hold about 30, and this test is about
      // credentials, not networks.
      repo.commit("a/compose.yaml", compose("on-local") + "    network_mode: none\n", "for the local agent");
      String commit = repo.commit("b/compose.yaml", compose("on-second") + "    network_mode: none\n",
          "for the second agent");
      String repositoryId = json(call("POST", "/repositories", bearer,
          Map.of("name", "two-hosts", "url", repo.url(), "syncType", "manual"))).get("id").asText();
      String onLocal = json(call("POST", "/applications", bearer, Map.of("name", "On local", "repositoryId",
          repositoryId, "agentId", orca.localAgentId(), "branch", "main", "path", "a/compose.yaml"))).get("id").asText();
      String onSecond = json(call("POST", "/applications", bearer, Map.of("name", "On second", "repositoryId",
          repositoryId, "agentId", secondId, "branch", "main", "path", "b/compose.yaml"))).get("id").asText();

      assertThat(awaitApplication(bearer, onLocal, commit).get("healthStatus").asText()).isEqualTo("healthy");
      assertThat(awaitApplication(bearer, onSecond, commit).get("healthStatus").asText()).isEqualTo("healthy");
      // Each stack where its own agent keeps it, and nowhere else.
      assertThat(secondHost.resolve("deployments").resolve(onSecond).resolve("docker-compose.yml")).exists();
      assertThat(secondHost.resolve("deployments").resolve(onLocal)).doesNotExist();
      assertThat(docker("inspect", "--format", "{{json .Config.Env}}", containers(onSecond).get(0)))
          .contains("MARKER=on-second");

      for (String id : List.of(onLocal, onSecond)) {
        HttpResponse<String> deleted = call("DELETE", "/applications/" + id + "?wait=true", bearer, null);
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
        assertThat(containers(id)).isEmpty();
      }

      // Deleting the second agent takes its topics and every grant on them off the broker: its commands
      // topic once the dispatcher (every one of its tasks) said it sends the agent nothing more, its events
      // topic once the dispatcher's relay and the projector read all of it.
      HttpResponse<String> agentDeleted = call("DELETE", "/agents/" + secondId, bearer, null);
      assertThat(agentDeleted.statusCode()).as(agentDeleted.body()).isEqualTo(204);
      Topics topics = Topics.fromEnvironment(Map.of("ORCA_TOPIC_PREFIX", "e2e."));
      List<String> secondTopics = List.of(topics.agentCommands(secondId).name(), topics.agentEvents(secondId).name());
      try (Admin admin = Admin.create(orca.kafkaSuperUserClient().orElseThrow())) {
        await("the deleted agent's topics gone").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
            .untilAsserted(() -> assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                .doesNotContainAnyElementsOf(secondTopics));
        await("no grant left on the deleted agent's topics").atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
              for (var filter : dev.orca.schemas.KafkaAccess.onAgent(topics, secondId)) {
                assertThat(admin.describeAcls(filter).values().get(30, TimeUnit.SECONDS)).as("grants on %s", filter)
                    .isEmpty();
              }
            });
        // The local agent's are untouched.
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
            .contains(topics.agentCommands(orca.localAgentId()).name(), topics.agentEvents(orca.localAgentId()).name());
      }
      // And the pipeline goes on: no component stopped, and the local agent still deploys.
      assertThat(orca.stoppedComponents()).isEmpty();
      String after = json(call("POST", "/applications", bearer, Map.of("name", "After the deletion", "repositoryId",
          repositoryId, "agentId", orca.localAgentId(), "branch", "main", "path", "a/compose.yaml"))).get("id").asText();
      assertThat(awaitApplication(bearer, after, commit).get("healthStatus").asText()).isEqualTo("healthy");
      HttpResponse<String> deleted = call("DELETE", "/applications/" + after + "?wait=true", bearer, null);
      assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
      assertThat(orca.stoppedComponents()).isEmpty();
    }
  }

  /** The admin's bearer token; registers the admin on the first call. */
  private static synchronized String signIn() throws IOException, InterruptedException {
    if (adminBearer == null) {
      HttpResponse<String> register = call("POST", "/auth/register", null,
          Map.of("email", "admin@example.com", "name", "Admin", "password", "Correct-Horse-42"));
      assertThat(register.statusCode()).as(register.body()).isEqualTo(201);
      HttpResponse<String> login = call("POST", "/auth/login", null,
          Map.of("email", "admin@example.com", "password", "Correct-Horse-42"));
      assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
      String cookie = login.headers().firstValue("set-cookie").orElseThrow().split(";", 2)[0];
      HttpResponse<String> token = call("POST", "/auth/tokens", cookie, Map.of("name", "e2e"));
      assertThat(token.statusCode()).as(token.body()).isEqualTo(201);
      adminBearer = "Bearer " + json(token).get("token").asText();
    }
    return adminBearer;
  }

  private static JsonNode awaitApplication(String auth, String id, String commit) {
    JsonNode[] last = new JsonNode[1];
    await("application " + id + " synced at " + commit).atMost(DEPLOY_WAIT).pollInterval(Duration.ofMillis(250))
        .until(() -> {
          last[0] = json(call("GET", "/applications/" + id, auth, null));
          return "synced".equals(last[0].path("syncStatus").asText()) && commit.equals(last[0].path("commit").asText());
        });
    return last[0];
  }

  private static String compose(String marker) {
    return """
        services:
          web:
            image: orca-test/busybox:1
            command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
            stop_grace_period: 1s
            environment:
              MARKER: %s
        """.formatted(marker);
  }

  private static Thread streamEvents(String auth, List<String> sink) {
    Thread t = new Thread(() -> {
      try {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/events")).header("Authorization", auth)
            .header("Accept", "text/event-stream").GET().build();
        HttpResponse<java.io.InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
          String event = null;
          String line;
          while ((line = in.readLine()) != null) {
            if (line.startsWith("event:")) {
              event = line.substring(6).trim();
            } else if (line.startsWith("data:") && event != null) {
              sink.add(event + "|" + line.substring(5).trim());
            } else if (line.isEmpty()) {
              event = null;
            }
          }
        }
      } catch (IOException | InterruptedException e) {
        // the test is over
      }
    }, "sse-reader");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static HttpResponse<String> call(String method, String path, String auth, Object body)
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
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      // What the server was doing while this request waited: the one clue a hang leaves.
      Path dump = Path.of("target", "pipeline-threads-" + System.currentTimeMillis() + ".txt");
      Files.createDirectories(dump.getParent());
      Files.writeString(dump, DatabaseSessions.describe(orca.databaseUrl()) + "\n" + Arrays.stream(ManagementFactory.getThreadMXBean()
          .dumpAllThreads(true, true)).map(PipelineIntegrationTest::describe).collect(Collectors.joining("\n")));
      throw new HttpTimeoutException(e.getMessage() + " (" + method + " " + path + "; server threads in " + dump + ")");
    }
  }

  /** A thread with its whole stack (ThreadInfo.toString stops at eight frames). */
  private static String describe(ThreadInfo thread) {
    StringBuilder text = new StringBuilder("\"").append(thread.getThreadName()).append("\" ")
        .append(thread.getThreadState());
    if (thread.getLockName() != null) {
      text.append(" on ").append(thread.getLockName());
    }
    text.append('\n');
    for (StackTraceElement frame : thread.getStackTrace()) {
      text.append("    at ").append(frame).append('\n');
    }
    return text.toString();
  }

  private static JsonNode json(HttpResponse<String> response) {
    return JSON.readTree(response.body());
  }

  private static List<String> containers(String applicationId) throws IOException, InterruptedException {
    String out = docker("ps", "-aq", "--filter", "label=orca-cd.application-id=" + applicationId);
    return out.isBlank() ? List.of() : List.of(out.trim().split("\\s+"));
  }

  private static String docker(String... args) throws IOException, InterruptedException {
    String[] command = new String[args.length + 1];
    command[0] = "docker";
    System.arraycopy(args, 0, command, 1, args.length);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("docker " + String.join(" ", args) + " timed out");
    }
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
  }
}
