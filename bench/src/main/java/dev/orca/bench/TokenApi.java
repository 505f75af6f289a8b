package dev.orca.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The public HTTP API as a script calls it: the first user registered (the admin), then an API
 * token made for it ({@code POST /api/v1/auth/tokens}), sent as {@code Authorization: Bearer} on
 * every call after.
 */
final class TokenApi {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final HttpClient http;
  private final String base;
  private final String token;

  private TokenApi(HttpClient http, String base, String token) {
    this.http = http;
    this.base = base;
    this.token = token;
  }

  static HttpClient client() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** Registers the admin, logs in and makes an API token with the session. */
  static TokenApi admin(HttpClient http, String base) throws IOException, InterruptedException {
    WebhookIntakeBench.Api session = new WebhookIntakeBench.Api(http, base);
    String cookie = session.registerAndLogin();
    JsonNode created = JSON.readTree(WebhookIntakeBench.Api.expect(
        session.post("/api/v1/auth/tokens", "{\"name\":\"bench\"}", cookie), 201).body());
    String token = created.path("token").asString("");
    if (token.isEmpty()) {
      throw new IllegalStateException("POST /api/v1/auth/tokens returned no token: " + created);
    }
    return new TokenApi(http, base, token);
  }

  String token() {
    return token;
  }

  String base() {
    return base;
  }

  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : base + path)).timeout(TIMEOUT)
        .header("Authorization", "Bearer " + token);
  }

  <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body)
      throws IOException, InterruptedException {
    return http.send(request, body);
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode post(String path, String json, int expected) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(WebhookIntakeBench.Api.expect(response, expected).body());
  }

  /** A repository the gateway never fetches (sync type webhook, and no sync-stream runs here); its id. */
  String createRepository(String name) throws IOException, InterruptedException {
    return post("/api/v1/repositories", "{\"name\":\"" + name + "\",\"url\":\"https://github.com/acme/" + name
        + ".git\",\"provider\":\"github\",\"authMethod\":\"none\",\"syncType\":\"webhook\",\"webhookSecret\":\"whsec-"
        + WebhookIntakeBench.randomToken() + "\"}", 201).path("id").asString();
  }

  /** An agent, with its topics and Kafka credential, as {@code POST /api/v1/agents} makes them; its id. */
  String createAgent(String name) throws IOException, InterruptedException {
    return post("/api/v1/agents", "{\"name\":\"" + name + "\"}", 201).path("id").asString();
  }

  /**
   * {@code count} applications named {@code name(i)} through {@code POST /api/v1/applications}
   * from {@code concurrency} clients; their ids by index. Each queues a first sync, which nobody
   * reads here.
   */
  List<String> createApplications(int count, int concurrency, IntFunction<String> name, String repositoryId,
      String agentId) throws InterruptedException {
    return createApplications(count, concurrency, name, i -> repositoryId, i -> agentId);
  }

  /** The same, application {@code i} in {@code repositoryId(i)} on {@code agentId(i)}. */
  List<String> createApplications(int count, int concurrency, IntFunction<String> name,
      IntFunction<String> repositoryId, IntFunction<String> agentId) throws InterruptedException {
    String[] ids = new String[count];
    Load.Result created = Load.run(count, concurrency, i -> {
      ids[i] = post("/api/v1/applications", "{\"name\":\"" + name.apply(i) + "\",\"repositoryId\":\""
          + repositoryId.apply(i) + "\",\"agentId\":\"" + agentId.apply(i) + "\",\"branch\":\"main\","
          + "\"path\":\"apps/" + i + "/compose.yaml\"}", 201).path("id").asString();
      return "created";
    });
    if (created.count("created"::equals) != count) {
      throw new IllegalStateException("creating the applications failed: " + created.counts());
    }
    return new ArrayList<>(List.of(ids));
  }
}
