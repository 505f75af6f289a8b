package dev.orca.gateway.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.gateway.GatewayTestSupport;
import dev.orca.gateway.TopicProbe;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.SyncRequested;
import dev.orca.schemas.avro.SyncTrigger;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

/**
 * Git webhooks through the running gateway with each provider's payloads and headers (fixtures
 * in src/test/resources/webhooks): a push becomes a SyncRequested with the pushed SHA before the
 * 202; pings, tags and deleted branches deploy nothing; wrong secrets, wrong sync types, big
 * bodies, malformed pushes, redeliveries and floods each get their answer.
 */
class WebhookIntegrationTest extends GatewayTestSupport {

  private static final String SECRET = "whsec-" + UUID.randomUUID();
  private static final String COMMIT = "8f3c2a9d41b7e6f05c1d2e3f4a5b6c7d8e9f0a1b";

  @Autowired
  Topics topics;

  @Test
  void shouldTurnEveryProvidersPushIntoASyncOfThePushedCommit() {
    Map<String, String> providers = Map.of("github", "github-push", "gitea", "gitea-push", "gitlab", "gitlab-push",
        "bitbucket", "bitbucket-push", "azure_devops", "azure-devops-push");
    for (Map.Entry<String, String> provider : providers.entrySet()) {
      String repository = repository(provider.getKey(), "webhook");
      String syncId = accepted(post(repository, WebhookFixture.of(provider.getValue(), COMMIT, SECRET)));

      SyncRequested request = TopicProbe.await(topics.syncRequests(),
          (key, value) -> value.getSyncId().equals(syncId)).value();
      assertThat(request.getRepositoryId()).as(provider.getKey()).isEqualTo(repository);
      assertThat(request.getTrigger()).isEqualTo(SyncTrigger.WEBHOOK);
      assertThat(request.getActor()).isEqualTo("webhook:" + provider.getKey());
      assertThat(request.getBranch()).isEqualTo("main");
      assertThat(request.getCommit()).isEqualTo(COMMIT);
      assertThat(request.getMinRevision()).isPositive();
    }
  }

  @Test
  void shouldAcceptGitHubsFormEncodedPayloadToo() {
    String repository = repository("github", "webhook");
    WebhookFixture json = WebhookFixture.of("github-push", COMMIT, SECRET);
    byte[] form = ("payload=" + java.net.URLEncoder.encode(new String(json.body(), StandardCharsets.UTF_8),
        StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = new HashMap<>(json.headers());
    headers.put("Content-Type", "application/x-www-form-urlencoded");
    headers.put("X-Hub-Signature-256", "sha256=" + java.util.HexFormat.of()
        .formatHex(WebhookSignatures.hmacSha256(SECRET, form)));
    String syncId = accepted(post(repository, new WebhookFixture(form, headers, json.deliveryId())));
    assertThat(TopicProbe.await(topics.syncRequests(), (key, value) -> value.getSyncId().equals(syncId)).value()
        .getCommit()).isEqualTo(COMMIT);
  }

  @Test
  void shouldDeployNothingForPingsTagsAndDeletedBranchesAndSayWhy() {
    Map<String, List<String>> ignored = Map.of(
        "github", List.of("github-ping", "github-tag", "github-branch-deleted"),
        "gitlab", List.of("gitlab-tag"),
        "bitbucket", List.of("bitbucket-branch-deleted"));
    for (Map.Entry<String, List<String>> provider : ignored.entrySet()) {
      String repository = repository(provider.getKey(), "webhook");
      for (String fixture : provider.getValue()) {
        EntityExchangeResult<byte[]> result = post(repository, WebhookFixture.of(fixture, COMMIT, SECRET));
        assertThat(result.getStatus().value()).as(fixture).isEqualTo(204);
        assertThat(result.getResponseHeaders().getFirst("X-Orca-Webhook")).as(fixture).startsWith("ignored: ");
      }
    }
    String gitea = repository("gitea", "webhook");
    WebhookFixture release = WebhookFixture.of("gitea-push", COMMIT, SECRET).withHeader("X-Gitea-Event", "release")
        .withHeader("X-Forgejo-Event", null).withHeader("X-Gogs-Event", null);
    assertThat(post(gitea, release).getResponseHeaders().getFirst("X-Orca-Webhook"))
        .isEqualTo("ignored: event release is not a push");
  }

  @Test
  void shouldRefuseAMissingOrWrongSignatureWith401() {
    Map<String, String> signatureHeader = Map.of("github", "X-Hub-Signature-256", "gitea", "X-Gitea-Signature",
        "gitlab", "X-Gitlab-Token", "bitbucket", "X-Hub-Signature", "azure_devops", "Authorization");
    Map<String, String> fixtures = Map.of("github", "github-push", "gitea", "gitea-push", "gitlab", "gitlab-push",
        "bitbucket", "bitbucket-push", "azure_devops", "azure-devops-push");
    for (String provider : fixtures.keySet()) {
      String repository = repository(provider, "webhook");
      WebhookFixture signedElsewhere = WebhookFixture.of(fixtures.get(provider), COMMIT, "another-secret");
      WebhookFixture unsigned = WebhookFixture.of(fixtures.get(provider), COMMIT, SECRET)
          .withHeader(signatureHeader.get(provider), null).withHeader("X-Forgejo-Signature", null);
      for (WebhookFixture forged : List.of(signedElsewhere, unsigned)) {
        EntityExchangeResult<byte[]> result = post(repository, forged);
        assertThat(result.getStatus().value()).as(provider).isEqualTo(401);
        assertThat(new String(result.getResponseBody(), StandardCharsets.UTF_8)).as(provider)
            .contains("does not match").doesNotContain(SECRET);
      }
    }
    // A signed body that was changed on the way no longer matches.
    String repository = repository("github", "webhook");
    WebhookFixture push = WebhookFixture.of("github-push", COMMIT, SECRET);
    byte[] tampered = new String(push.body(), StandardCharsets.UTF_8).replace("refs/heads/main", "refs/heads/prod")
        .getBytes(StandardCharsets.UTF_8);
    assertThat(post(repository, new WebhookFixture(tampered, push.headers(), push.deliveryId())).getStatus().value())
        .isEqualTo(401);
  }

  @Test
  void shouldStartNoSecondSyncForARedelivery() {
    String repository = repository("github", "webhook");
    WebhookFixture push = WebhookFixture.of("github-push", COMMIT, SECRET);
    String first = accepted(post(repository, push));
    EntityExchangeResult<byte[]> again = post(repository, push);
    assertThat(accepted(again)).isEqualTo(first);
    assertThat(again.getResponseHeaders().getFirst("X-Orca-Webhook")).isEqualTo("redelivery: no second sync");

    // Another delivery of the same repository lands on the same partition after any second
    // request the redelivery could have published: once it is there, there was none.
    String next = accepted(post(repository, WebhookFixture.of("github-push", COMMIT, SECRET)));
    List<TopicProbe.Message<SyncRequested>> requests = TopicProbe.awaitAll(topics.syncRequests(),
        (key, value) -> key.equals(repository) && value.getSyncId().equals(next), 1);
    assertThat(requests).hasSize(1);
    List<TopicProbe.Message<SyncRequested>> all = TopicProbe.awaitAll(topics.syncRequests(),
        (key, value) -> key.equals(repository), 2);
    assertThat(all).extracting(message -> message.value().getSyncId()).containsExactly(first, next);
  }

  @Test
  void shouldTakeAGenericWebhookWithOrWithoutBranchAndCommit() {
    String repository = repository("generic", "webhook");
    String latest = accepted(generic(repository, "Bearer " + SECRET, ""));
    SyncRequested everyBranch = TopicProbe.await(topics.syncRequests(),
        (key, value) -> value.getSyncId().equals(latest)).value();
    assertThat(everyBranch.getBranch()).isNull();
    assertThat(everyBranch.getCommit()).isNull();
    assertThat(everyBranch.getActor()).isEqualTo("webhook:generic");

    String pinned = accepted(generic(repository, "Bearer " + SECRET,
        "{\"ref\": \"refs/heads/release\", \"commit\": \"" + COMMIT.toUpperCase() + "\"}"));
    SyncRequested release = TopicProbe.await(topics.syncRequests(),
        (key, value) -> value.getSyncId().equals(pinned)).value();
    assertThat(release.getBranch()).isEqualTo("release");
    assertThat(release.getCommit()).isEqualTo(COMMIT);

    String branchOnly = accepted(generic(repository, "Bearer " + SECRET, "{\"branch\": \"main\"}"));
    SyncRequested main = TopicProbe.await(topics.syncRequests(),
        (key, value) -> value.getSyncId().equals(branchOnly)).value();
    assertThat(main.getBranch()).isEqualTo("main");
    assertThat(main.getCommit()).isNull();

    assertThat(generic(repository, "Bearer " + SECRET, "{\"ref\": \"refs/tags/v2\"}").getStatus().value())
        .isEqualTo(204);
    assertError(generic(repository, "Bearer " + SECRET, "{\"commit\": \"abc\"}"), 400,
        "commit must be a full 40-character hexadecimal SHA");
    assertError(generic(repository, "Bearer " + SECRET, "{\"branch\": 7}"), 400, "branch must be a string");
    assertError(generic(repository, "Bearer " + SECRET, "[1, 2]"), 400,
        "the body must be a JSON object {\"branch\", \"commit\"} or empty");
    assertError(generic(repository, "Bearer " + SECRET, "{\"branch\": "), 400, "the webhook body is not valid JSON");
    assertError(generic(repository, "Bearer wrong", ""), 401, "Authorization: Bearer <webhook secret> is missing or wrong");
    assertError(generic(repository, null, ""), 401, "Authorization: Bearer <webhook secret> is missing or wrong");
  }

  @Test
  void shouldRefuseAMalformedPushOnceItsSignatureHolds() {
    String repository = repository("github", "webhook");
    byte[] body = "{\"ref\": \"refs/heads/main\", \"after\": \"not-a-sha\"}".getBytes(StandardCharsets.UTF_8);
    WebhookFixture push = WebhookFixture.of("github-push", COMMIT, SECRET);
    Map<String, String> headers = new HashMap<>(push.headers());
    headers.put("X-Hub-Signature-256", "sha256=" + java.util.HexFormat.of()
        .formatHex(WebhookSignatures.hmacSha256(SECRET, body)));
    assertError(post(repository, new WebhookFixture(body, headers, push.deliveryId())), 400,
        "the pushed commit of branch main is not a 40-character SHA");
    byte[] broken = "{\"ref\": ".getBytes(StandardCharsets.UTF_8);
    headers.put("X-Hub-Signature-256", "sha256=" + java.util.HexFormat.of()
        .formatHex(WebhookSignatures.hmacSha256(SECRET, broken)));
    assertError(post(repository, new WebhookFixture(broken, headers, push.deliveryId())), 400,
        "the webhook body is not valid JSON");
  }

  @Test
  void shouldAnswerUnknownRepositoriesAndOtherSyncTypesClearly() {
    WebhookFixture push = WebhookFixture.of("github-push", COMMIT, SECRET);
    assertError(postTo("/api/v1/webhooks/repositories/" + UUID.randomUUID(), push), 404, "repository not found");
    assertError(postTo("/api/v1/webhooks/repositories/not-a-uuid", push), 404, "repository not found");
    String polled = repository("github", "polling");
    assertError(post(polled, push), 400, "this repository does not sync by webhook (its syncType is polling)");
  }

  @Test
  void shouldRefuseABodyOver1MiBWithoutReadingIt() throws Exception {
    String repository = repository("github", "webhook");
    WebhookFixture push = WebhookFixture.of("github-push", COMMIT, SECRET);
    byte[] huge = new byte[2 * 1024 * 1024];
    java.util.Arrays.fill(huge, (byte) ' ');

    // Declared length: refused before a byte of it is read.
    assertError(post(repository, new WebhookFixture(huge, push.headers(), push.deliveryId())), 413,
        "request body is larger than 1 MiB");

    // Chunked, no length: refused once 1 MiB has arrived.
    HttpRequest.Builder chunked = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + "/api/v1/webhooks/repositories/" + repository))
        .timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(huge)));
    push.headers().forEach((name, value) -> {
      if (!name.equalsIgnoreCase("Content-Length")) {
        chunked.header(name, value);
      }
    });
    HttpResponse<String> response = HttpClient.newHttpClient().send(chunked.build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.body()).contains("larger than 1 MiB");
  }

  @Test
  void shouldLimitDeliveriesPerRepositoryWith429() {
    String flooded = repository("github", "webhook");
    String other = repository("github", "webhook");
    WebhookFixture forged = WebhookFixture.of("github-push", COMMIT, "not-the-secret");
    EntityExchangeResult<byte[]> limited = null;
    for (int i = 0; i < WebhookRateLimit.DEFAULT_CAPACITY + 20 && limited == null; i++) {
      EntityExchangeResult<byte[]> result = post(flooded, forged);
      if (result.getStatus() == HttpStatus.TOO_MANY_REQUESTS) {
        limited = result;
      }
    }
    assertThat(limited).as("429 within capacity + 20 deliveries").isNotNull();
    assertThat(limited.getResponseHeaders().getFirst("Retry-After")).isNotBlank();
    assertThat(new String(limited.getResponseBody(), StandardCharsets.UTF_8))
        .contains("too many webhook deliveries for this repository");
    // Another repository is not affected.
    accepted(post(other, WebhookFixture.of("github-push", COMMIT, SECRET)));
  }

  private EntityExchangeResult<byte[]> post(String repositoryId, WebhookFixture fixture) {
    return postTo("/api/v1/webhooks/repositories/" + repositoryId, fixture);
  }

  private EntityExchangeResult<byte[]> postTo(String path, WebhookFixture fixture) {
    return anonymous().post().uri(path)
        .headers(headers -> fixture.headers().forEach(headers::set))
        .bodyValue(fixture.body())
        .exchange()
        .expectBody().returnResult();
  }

  private EntityExchangeResult<byte[]> generic(String repositoryId, String authorization, String body) {
    return anonymous().post().uri("/api/v1/webhooks/repositories/" + repositoryId)
        .headers(headers -> {
          headers.set("Content-Type", "application/json");
          if (authorization != null) {
            headers.set("Authorization", authorization);
          }
        })
        .bodyValue(body.getBytes(StandardCharsets.UTF_8))
        .exchange()
        .expectBody().returnResult();
  }

  private static String accepted(EntityExchangeResult<byte[]> result) {
    String body = new String(result.getResponseBody() == null ? new byte[0] : result.getResponseBody(),
        StandardCharsets.UTF_8);
    assertThat(result.getStatus().value()).as(body).isEqualTo(202);
    assertThat(body).matches("\\{\"syncId\":\"[0-9a-f-]{36}\"}");
    return body.substring(11, 47);
  }

  private static void assertError(EntityExchangeResult<byte[]> result, int status, String message) {
    String body = new String(result.getResponseBody() == null ? new byte[0] : result.getResponseBody(),
        StandardCharsets.UTF_8);
    assertThat(result.getStatus().value()).as(body).isEqualTo(status);
    assertThat(body).isEqualTo("{\"error\":\"" + message.replace("\"", "\\\"") + "\"}");
  }

  @SuppressWarnings("unchecked")
  private String repository(String provider, String syncType) {
    Map<String, Object> body = new HashMap<>(Map.of("name", provider + "-" + UUID.randomUUID().toString().substring(0, 8),
        "url", "https://git.example.com/acme/stacks.git", "provider", provider, "syncType", syncType,
        "webhookSecret", SECRET));
    return (String) admin().post().uri("/api/v1/repositories").bodyValue(body)
        .exchange().expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody().get("id");
  }
}
