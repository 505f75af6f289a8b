package dev.orca.gateway.githubactions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.gateway.GatewayTestSupport;
import dev.orca.gateway.TopicProbe;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.SyncRequested;
import dev.orca.schemas.avro.SyncTrigger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

/**
 * GitHub Actions OIDC tokens from a local issuer with keys made for this run (GatewayTestSupport
 * points the gateway at it): a push run syncs the repositories that allow it at its SHA; every
 * way a token can be wrong, a pull request, a repository, branch or workflow not allowed, and a
 * token used twice each get their answer.
 */
class GitHubActionsIntegrationTest extends GatewayTestSupport {

  private static final String SHA = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";

  @Autowired
  Topics topics;

  @Test
  void shouldSyncTheRepositoryAtTheRunsCommitOnce() {
    String github = githubRepository();
    String id = repository(github, Map.of("enabled", true));
    String token = token(github, "refs/heads/main", Map.of());

    Map<String, Object> accepted = accepted(post(token));
    String syncId = (String) accepted.get("syncId");
    assertThat(accepted.get("syncIds")).isEqualTo(List.of(syncId));
    SyncRequested request = TopicProbe.await(topics.syncRequests(), (key, value) -> value.getSyncId().equals(syncId))
        .value();
    assertThat(request.getRepositoryId()).isEqualTo(id);
    assertThat(request.getTrigger()).isEqualTo(SyncTrigger.GITHUB_ACTIONS);
    assertThat(request.getBranch()).isEqualTo("main");
    assertThat(request.getCommit()).isEqualTo(SHA);
    assertThat(request.getActor()).isEqualTo("github-actions:" + github + " (Deploy)");

    // The same token again (a retried step) starts nothing more: a later run's request comes next.
    assertThat(accepted(post(token)).get("syncId")).isEqualTo(syncId);
    String next = (String) accepted(post(token(github, "refs/heads/main", Map.of()))).get("syncId");
    assertThat(TopicProbe.awaitAll(topics.syncRequests(), (key, value) -> key.equals(id), 2))
        .extracting(message -> message.value().getSyncId()).containsExactly(syncId, next);
  }

  @Test
  void shouldSyncTheBranchesContainingATagsCommit() {
    String github = githubRepository();
    repository(github, Map.of("enabled", true));
    String anyBranch = (String) accepted(post(token(github, "refs/tags/v1.2.0", Map.of()))).get("syncId");
    SyncRequested every = TopicProbe.await(topics.syncRequests(), (key, value) -> value.getSyncId().equals(anyBranch))
        .value();
    assertThat(every.getBranch()).as("every branch; sync-stream deploys where the branch contains it").isNull();
    assertThat(every.getCommit()).isEqualTo(SHA);

    String limited = githubRepository();
    repository(limited, Map.of("enabled", true, "allowedBranches", List.of("main", "prod")));
    @SuppressWarnings("unchecked")
    List<String> ids = (List<String>) accepted(post(token(limited, "refs/tags/v1.2.0", Map.of()))).get("syncIds");
    assertThat(ids).hasSize(2);
    assertThat(ids.stream().map(syncId -> TopicProbe.await(topics.syncRequests(),
        (key, value) -> value.getSyncId().equals(syncId)).value().getBranch())).containsExactly("main", "prod");
  }

  @Test
  void shouldRefuseTokensThatDoNotVerifyWith401() {
    String github = githubRepository();
    repository(github, Map.of("enabled", true));
    Instant now = Instant.now();
    Map<String, Object> claims = new HashMap<>(Map.of("sub", "repo:" + github + ":ref:refs/heads/main",
        "aud", PUBLIC_URL, "repository", github, "ref", "refs/heads/main", "sha", SHA, "event_name", "push"));
    Map<String, String> refused = Map.of(
        ISSUER.forgedToken(PUBLIC_URL, github, "refs/heads/main", SHA),
        "its signature does not verify with the issuer's keys",
        token(github, "refs/heads/main", Map.of("aud", "https://somebody-else.example")),
        "its audience is not this Orca's public URL " + PUBLIC_URL,
        ISSUER.sign(claims, now.minus(Duration.ofHours(2)), Duration.ofMinutes(5)), "it has expired",
        ISSUER.sign(claims, now.plus(Duration.ofHours(2)), Duration.ofMinutes(5)), "it is not valid yet",
        token(github, "refs/heads/main", java.util.Collections.singletonMap("sha", null)),
        "JWT missing required claims: [sha]",
        "not-a-jwt", "the token is not a JWT");
    refused.forEach((token, reason) -> {
      EntityExchangeResult<byte[]> result = post(token);
      assertThat(result.getStatus().value()).as(reason).isEqualTo(401);
      assertThat(body(result)).isEqualTo("{\"error\":\"the GitHub Actions token is not valid: " + reason + "\"}");
    });
    assertThat(body(anonymous().post().uri("/api/v1/github-actions").exchange().expectStatus().isUnauthorized()
        .expectBody().returnResult()))
        .isEqualTo("{\"error\":\"a GitHub Actions OIDC token is required: Authorization: Bearer <token>\"}");
  }

  @Test
  void shouldRefusePullRequestsAndRunsNoRepositoryAllowsWith403() {
    String github = githubRepository();
    repository(github, Map.of("enabled", true, "allowedBranches", List.of("release"),
        "allowedWorkflows", List.of("deploy.yml")));
    for (String event : List.of("pull_request", "pull_request_target")) {
      assertError(post(token(github, "refs/heads/release", Map.of("event_name", event))), 403,
          "a " + event + " run cannot deploy: its code is not on a branch yet");
    }
    assertError(post(token(github, "refs/heads/main", Map.of())), 403, "branch main is not allowed");
    assertError(post(token(github, "refs/heads/release", Map.of(
            "workflow_ref", github + "/.github/workflows/test.yml@refs/heads/release", "workflow", "Test",
            "job_workflow_ref", github + "/.github/workflows/test.yml@refs/heads/release"))), 403,
        "workflow test.yml is not allowed");
    assertError(post(token(github, "refs/pull/7/merge", Map.of())), 403,
        "ref refs/pull/7/merge is neither a branch nor a tag");
    String stranger = githubRepository();
    assertError(post(token(stranger, "refs/heads/main", Map.of())), 403,
        "no repository allows GitHub Actions runs of " + stranger);
    String disabled = githubRepository();
    repository(disabled, Map.of("enabled", false));
    assertError(post(token(disabled, "refs/heads/main", Map.of())), 403,
        "no repository allows GitHub Actions runs of " + disabled);
    // Allowed branch and workflow: accepted.
    accepted(post(token(github, "refs/heads/release", Map.of())));
  }

  @Test
  void shouldTakeTheGitHubRepositoryFromTheUrlOrRequireIt() {
    String github = githubRepository();
    Map<String, Object> body = new HashMap<>(Map.of("name", "gha-" + UUID.randomUUID().toString().substring(0, 8),
        "url", "git@github.com:" + github + ".git", "syncType", "manual", "githubActions", Map.of("enabled", true)));
    admin().post().uri("/api/v1/repositories").bodyValue(body).exchange().expectStatus().isCreated()
        .expectBody().jsonPath("$.githubActions.enabled").isEqualTo(true)
        .jsonPath("$.githubActions.repository").isEqualTo(github)
        .jsonPath("$.githubActions.allowedBranches").isEmpty();
    body.put("url", "https://gitlab.example.com/acme/stacks.git");
    admin().post().uri("/api/v1/repositories").bodyValue(body).exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").isEqualTo("githubActions.repository is required: the GitHub repository"
            + " (owner/name) whose workflows may sync this one");
    body.put("githubActions", Map.of("enabled", true, "repository", "not a repository"));
    admin().post().uri("/api/v1/repositories").bodyValue(body).exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").isEqualTo("githubActions.repository must be owner/name");
  }

  private static String githubRepository() {
    return "acme/stacks-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static String token(String repository, String ref, Map<String, Object> overrides) {
    return ISSUER.githubActionsToken(PUBLIC_URL, repository, ref, SHA, overrides);
  }

  @SuppressWarnings("unchecked")
  private String repository(String github, Map<String, Object> githubActions) {
    Map<String, Object> actions = new HashMap<>(githubActions);
    actions.putIfAbsent("repository", github);
    return (String) admin().post().uri("/api/v1/repositories")
        .bodyValue(Map.of("name", "gha-" + UUID.randomUUID().toString().substring(0, 8),
            "url", "https://git.example.com/" + github + ".git", "syncType", "manual", "githubActions", actions))
        .exchange().expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody().get("id");
  }

  private EntityExchangeResult<byte[]> post(String token) {
    return anonymous().post().uri("/api/v1/github-actions").header("Authorization", "Bearer " + token)
        .exchange().expectBody().returnResult();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> accepted(EntityExchangeResult<byte[]> result) {
    assertThat(result.getStatus().value()).as(body(result)).isEqualTo(202);
    try {
      return new tools.jackson.databind.json.JsonMapper().readValue(result.getResponseBody(), Map.class);
    } catch (RuntimeException e) {
      throw new AssertionError("not JSON: " + body(result), e);
    }
  }

  private static void assertError(EntityExchangeResult<byte[]> result, int status, String message) {
    assertThat(result.getStatus().value()).as(body(result)).isEqualTo(status);
    assertThat(body(result)).isEqualTo("{\"error\":\"" + message + "\"}");
  }

  private static String body(EntityExchangeResult<byte[]> result) {
    return result.getResponseBody() == null ? "" : new String(result.getResponseBody(), StandardCharsets.UTF_8);
  }
}
