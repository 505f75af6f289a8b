package dev.orca.gateway.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orca.gateway.GatewayTestSupport;
import dev.orca.gateway.TopicProbe;
import dev.orca.gateway.crypto.BlindIndex;
import dev.orca.gateway.kafka.KafkaPublisher;
import dev.orca.gateway.web.ApiException;
import dev.orca.gateway.system.EntityRenderer;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.ApplicationConfig;
import dev.orca.schemas.avro.ApplicationRemovalFinished;
import dev.orca.schemas.avro.RemoveRequested;
import dev.orca.schemas.avro.SyncRequested;
import dev.orca.schemas.avro.SyncTrigger;
import dev.orca.schemas.crypto.Keys;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class ApplicationIntegrationTest extends GatewayTestSupport {

  @Autowired
  ApplicationNameIndexes nameIndexes;

  @Autowired
  Topics topics;

  @Autowired
  EntityRenderer renderer;

  @Autowired
  KafkaPublisher publisher;

  @Autowired
  ApplicationStore store;

  private String repositoryId;
  private String agentId;
  private String otherAgentId;
  private String agentName;

  @BeforeEach
  void entities() {
    repositoryId = (String) admin().post().uri("/api/v1/repositories")
        .bodyValue(Map.of("name", "apps", "url", "https://git.example.com/acme/apps.git"))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
    agentName = "agent-" + UUID.randomUUID().toString().substring(0, 8);
    agentId = createAgent(agentName);
    otherAgentId = createAgent("other-" + UUID.randomUUID().toString().substring(0, 8));
  }

  @Test
  void shouldCreateAnApplicationAndQueueItsConfigAndFirstSync() {
    @SuppressWarnings("unchecked") Map<String, Object> created = createApplication("Web", agentId).expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody();
    String id = (String) created.get("id");
    assertThat(created).containsEntry("name", "Web").containsEntry("repositoryId", repositoryId)
        .containsEntry("agentId", agentId).containsEntry("branch", "main").containsEntry("path", "stack/compose.yaml")
        .containsEntry("syncStatus", "unknown").containsEntry("healthStatus", "unknown")
        .containsKeys("commit", "commitMessage", "lastSyncedAt", "lastSyncError", "composeFile", "previousComposeFile",
            "createdAt", "updatedAt");

    ApplicationConfig config = TopicProbe.await(topics.configApplications(), (key, value) -> key.equals(id)).value();
    assertThat(config.getRepositoryId()).isEqualTo(repositoryId);
    assertThat(config.getAgentId()).isEqualTo(agentId);
    assertThat(config.getBranch()).isEqualTo("main");
    assertThat(config.getPath()).isEqualTo("stack/compose.yaml");
    SyncRequested sync = TopicProbe.await(topics.syncRequests(),
        (key, value) -> id.equals(value.getApplicationId()) && value.getTrigger() == SyncTrigger.CONFIGURATION).value();
    assertThat(sync.getRepositoryId()).isEqualTo(repositoryId);
    assertThat(sync.getMinRevision()).isEqualTo(config.getRevision());
    assertThat(single("SELECT revision FROM applications WHERE id = ?", UUID.fromString(id)).get("revision"))
        .isEqualTo(config.getRevision());

    admin().get().uri("/api/v1/applications/" + id).exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.name").isEqualTo("Web");
    Object rendered = renderer.render("application", id).block(DEADLINE);
    assertThat(rendered).isInstanceOf(ApplicationJson.class);
    assertThat(((ApplicationJson) rendered).name()).isEqualTo("Web");
    assertThat(renderer.render("application", UUID.randomUUID().toString()).blockOptional(DEADLINE)).isEmpty();
    assertThat(renderer.render("repository", repositoryId).block(DEADLINE)).isNotNull();
    assertThat(renderer.render("agent", agentId).block(DEADLINE)).isNotNull();
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldLeaveComposeFilesOutOfListItemsButNotOutOfTheSingleGetOrEvents() {
    String id = (String) createApplication("Listed", agentId).expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody().get("id");
    update("UPDATE applications SET compose_encrypted = ?, previous_compose_encrypted = ? WHERE id = ?",
        secretBox().encrypt("services: {web: {image: nginx:2}}"), secretBox().encrypt("services: {web: {image: nginx:1}}"),
        UUID.fromString(id));

    List<Map<String, Object>> listed = admin().get().uri("/api/v1/applications").exchange().expectStatus().isOk()
        .expectBodyList(Map.class).returnResult().getResponseBody().stream().map(item -> (Map<String, Object>) item)
        .toList();
    Map<String, Object> item = listed.stream().filter(a -> id.equals(a.get("id"))).findFirst().orElseThrow();
    assertThat(item).doesNotContainKeys("composeFile", "previousComposeFile")
        .containsEntry("name", "Listed").containsEntry("agentId", agentId).containsEntry("path", "stack/compose.yaml")
        .containsKeys("repositoryId", "branch", "syncStatus", "healthStatus", "commit", "commitMessage", "lastSyncedAt",
            "lastSyncError", "createdAt", "updatedAt");
    assertThat(listed).allSatisfy(a -> assertThat(a).doesNotContainKeys("composeFile", "previousComposeFile"));

    admin().get().uri("/api/v1/applications/" + id).exchange().expectStatus().isOk()
        .expectBody()
        .jsonPath("$.composeFile").isEqualTo("services: {web: {image: nginx:2}}")
        .jsonPath("$.previousComposeFile").isEqualTo("services: {web: {image: nginx:1}}");
    ApplicationJson rendered = (ApplicationJson) renderer.render("application", id).block(DEADLINE);
    assertThat(rendered.composeFile()).isEqualTo("services: {web: {image: nginx:2}}");
    assertThat(rendered.previousComposeFile()).isEqualTo("services: {web: {image: nginx:1}}");
  }

  @Test
  void shouldFilterSearchAndPageTheListInNameOrder() {
    Map<String, String> ids = new java.util.LinkedHashMap<>();
    for (String name : List.of("Charlie", "alpha", "Bravo", "delta api", "Echo")) {
      ids.put(name, created(name, agentId));
    }
    String elsewhere = created("alpha elsewhere", otherAgentId);
    update("UPDATE applications SET sync_status = 'synced', health_status = 'healthy' WHERE agent_id = ?", agentId);
    update("UPDATE applications SET health_status = 'unhealthy' WHERE id = ?", UUID.fromString(ids.get("Bravo")));
    update("UPDATE applications SET health_status = 'missing' WHERE id = ?", UUID.fromString(ids.get("delta api")));
    update("UPDATE applications SET sync_status = 'out_of_sync' WHERE id = ?", UUID.fromString(ids.get("Echo")));
    String mine = "/api/v1/applications?agentId=" + agentId;

    assertThat(names(listed(mine))).containsExactly("alpha", "Bravo", "Charlie", "delta api", "Echo");
    assertThat(listed(mine).getResponseHeaders().getFirst("X-Total-Count")).isEqualTo("5");
    assertThat(listed(mine).getResponseHeaders().containsHeader("Link")).isFalse();

    // Pages of two, each naming the next, relative to this server; the last names none.
    var first = listed(mine + "&limit=2");
    assertThat(names(first)).containsExactly("alpha", "Bravo");
    assertThat(first.getResponseHeaders().getFirst("X-Total-Count")).isEqualTo("5");
    String next = nextLink(first);
    assertThat(next).isEqualTo(mine + "&limit=2&offset=2");
    var second = listed(next);
    assertThat(names(second)).containsExactly("Charlie", "delta api");
    var last = listed(nextLink(second));
    assertThat(names(last)).containsExactly("Echo");
    assertThat(last.getResponseHeaders().containsHeader("Link")).isFalse();
    assertThat(names(listed(mine + "&limit=2&after=" + ids.get("Bravo")))).containsExactly("Charlie", "delta api");
    assertThat(names(listed(mine + "&offset=10"))).isEmpty();

    assertThat(names(listed(mine + "&healthStatus=unhealthy,missing"))).containsExactly("Bravo", "delta api");
    assertThat(names(listed(mine + "&syncStatus=OUT_OF_SYNC"))).containsExactly("Echo");
    assertThat(names(listed(mine + "&q=API"))).containsExactly("delta api");
    // The search looks at the agent's and repository's names too, and across agents without one.
    assertThat(names(listed("/api/v1/applications?q=" + agentName))).hasSize(5);
    assertThat(names(listed("/api/v1/applications?q=alpha&repositoryId=" + repositoryId)))
        .containsExactly("alpha", "alpha elsewhere");
    assertThat(listed("/api/v1/applications?q=alpha&agentId=" + otherAgentId).getResponseBody())
        .singleElement().satisfies(app -> assertThat(app.get("id")).isEqualTo(elsewhere));

    admin().get().uri("/api/v1/applications/counts?agentId=" + agentId).exchange().expectStatus().isOk()
        .expectBody()
        .jsonPath("$.total").isEqualTo(5)
        .jsonPath("$.syncStatus.synced").isEqualTo(4)
        .jsonPath("$.syncStatus.out_of_sync").isEqualTo(1)
        .jsonPath("$.syncStatus.syncing").isEqualTo(0)
        .jsonPath("$.healthStatus.healthy").isEqualTo(3)
        .jsonPath("$.healthStatus.unhealthy").isEqualTo(1)
        .jsonPath("$.healthStatus.missing").isEqualTo(1);

    for (String bad : List.of("limit=0", "limit=501", "limit=ten", "offset=-1", "healthStatus=sick",
        "after=" + UUID.randomUUID(), "offset=1&after=" + ids.get("alpha"), "repositoryId=nope",
        "q=" + "x".repeat(201))) {
      admin().get().uri(mine + "&" + bad).exchange().expectStatus().isBadRequest()
          .expectBody().jsonPath("$.error").isNotEmpty();
    }
    // Parameters a strict URI builder refuses raw still page: the next page's link is encoded.
    var odd = admin().get().uri(java.net.URI.create("http://127.0.0.1:" + port + mine + "&limit=1&filter[x]=%C3%A9"))
        .exchange().expectStatus().isOk().expectBodyList(Map.class).returnResult();
    assertThat(odd.getResponseHeaders().getFirst("Link")).contains("filter%5Bx%5D=%C3%A9").contains("offset=1");
    var braces = admin().get().uri(java.net.URI.create("http://127.0.0.1:" + port + mine + "&limit=1&note=%7Bx%7D"))
        .exchange().expectStatus().isOk().expectBodyList(Map.class).returnResult();
    String link = braces.getResponseHeaders().getFirst("Link");
    assertThat(link).contains("note=%7Bx%7D");
    // A client can follow it as it is.
    assertThat(java.net.URI.create("http://127.0.0.1" + link.substring(1, link.indexOf('>')))).isNotNull();
    // An empty filter filters nothing.
    assertThat(names(listed(mine + "&syncStatus="))).hasSize(5);
  }

  private String created(String name, String agent) {
    return (String) createApplication(name, agent).expectStatus().isCreated().expectBody(Map.class).returnResult()
        .getResponseBody().get("id");
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private org.springframework.test.web.reactive.server.EntityExchangeResult<List<Map<String, Object>>> listed(
      String uri) {
    return (org.springframework.test.web.reactive.server.EntityExchangeResult) admin().get().uri(uri).exchange()
        .expectStatus().isOk().expectBodyList(Map.class).returnResult();
  }

  private static List<Object> names(
      org.springframework.test.web.reactive.server.EntityExchangeResult<List<Map<String, Object>>> result) {
    return result.getResponseBody().stream().map(app -> app.get("name")).toList();
  }

  private static String nextLink(
      org.springframework.test.web.reactive.server.EntityExchangeResult<List<Map<String, Object>>> result) {
    String link = result.getResponseHeaders().getFirst("Link");
    assertThat(link).matches("<[^>]+>; rel=\"next\"");
    return link.substring(1, link.indexOf('>'));
  }

  @Test
  void shouldCountNamesNoOneCanTellApartAsOneAndReindexThoseOfAnEarlierRule() {
    String id = (String) createApplication("Web App", agentId).expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody().get("id");
    for (String lookalike : List.of("web\u00A0app", "ｗｅｂ ａｐｐ", "WEB  app", "web\u3000app")) {
      createApplication(lookalike, agentId).expectStatus().isEqualTo(409);
    }
    // Invisible characters would let a name show as another ("\u202E" shows "ppa bew" as "web app").
    for (String disguised : List.of("web\u200B app", "\uFEFFWeb App", "\u202Eppa bew", "\u200B\u3164")) {
      createApplication(disguised, agentId).expectStatus().isBadRequest();
    }

    // An index the current rule does not compute (as an earlier rule's): the gateway re-indexes it
    // before it serves, and then the look-alike is refused again.
    String earlier = new BlindIndex(Keys.fromSecret(APP_SECRET)).of("web app");
    String lookalike = "web\u00A0app";
    update("UPDATE applications SET name_hash = ? WHERE id = ?", "stale-" + earlier, UUID.fromString(id));
    assertThat(nameIndexes.reindex()).isEqualTo(1);
    assertThat(single("SELECT name_hash FROM applications WHERE id = ?", UUID.fromString(id)).get("name_hash"))
        .isEqualTo(earlier);
    createApplication(lookalike, agentId).expectStatus().isEqualTo(409);
    assertThat(nameIndexes.reindex()).isZero();
  }

  @Test
  void shouldKeepNamesUniquePerAgentCaseInsensitivelyAndEncrypted() {
    String id = (String) createApplication("Shop", agentId).expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody().get("id");

    createApplication("  shop ", agentId).expectStatus().isEqualTo(409)
        .expectBody().jsonPath("$.error").isEqualTo("an application named shop already exists on this agent");
    createApplication("SHOP", otherAgentId).expectStatus().isCreated();

    Map<String, Object> row = single("SELECT name_encrypted, name_hash FROM applications WHERE id = ?",
        UUID.fromString(id));
    assertThat((String) row.get("name_encrypted")).doesNotContain("Shop");
    assertThat(secretBox().decrypt((String) row.get("name_encrypted"))).isEqualTo("Shop");
    assertThat(row.get("name_hash")).isEqualTo(new BlindIndex(Keys.fromSecret(APP_SECRET)).of("shop"));
  }

  @Test
  void shouldAnswer404ForUnknownReferencesAnd400ForInvalidFields() {
    admin().post().uri("/api/v1/applications").bodyValue(Map.of("name", "x", "repositoryId", UUID.randomUUID().toString(),
        "agentId", agentId, "path", "compose.yaml")).exchange().expectStatus().isNotFound();
    admin().post().uri("/api/v1/applications").bodyValue(Map.of("name", "x", "repositoryId", repositoryId,
        "agentId", "no-such-agent", "path", "compose.yaml")).exchange().expectStatus().isNotFound();
    admin().post().uri("/api/v1/applications").bodyValue(Map.of("name", " ", "repositoryId", repositoryId,
        "agentId", agentId, "path", "compose.yaml")).exchange().expectStatus().isBadRequest();
    admin().post().uri("/api/v1/applications").bodyValue(Map.of("name", "x", "repositoryId", repositoryId,
        "agentId", agentId, "path", "../etc/compose.yaml")).exchange().expectStatus().isBadRequest();
    admin().get().uri("/api/v1/applications/" + UUID.randomUUID()).exchange().expectStatus().isNotFound()
        .expectBody().jsonPath("$.error").isEqualTo("application not found");
  }

  @Test
  void shouldTakeOnlyARelativeYamlPathInsideTheRepository() {
    Map<String, String> refused = Map.of(
        "../etc/compose.yaml", "path must be a relative path inside the repository (like deploy/compose.yaml)",
        "/srv/compose.yaml", "path must be a relative path inside the repository (like deploy/compose.yaml)",
        "deploy//compose.yaml", "path must be a relative path inside the repository (like deploy/compose.yaml)",
        "deploy/./compose.yaml", "path must be a relative path inside the repository (like deploy/compose.yaml)",
        "deploy\\compose.yaml", "path must be a relative path inside the repository (like deploy/compose.yaml)",
        "deploy/", "path must be a relative path inside the repository (like deploy/compose.yaml)",
        "deploy/compose.json", "path must name a .yml or .yaml compose file",
        "Dockerfile", "path must name a .yml or .yaml compose file",
        ".yaml", "path must name a .yml or .yaml compose file");
    refused.forEach((path, message) -> admin().post().uri("/api/v1/applications").bodyValue(Map.of("name", "p",
            "repositoryId", repositoryId, "agentId", agentId, "path", path))
        .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.error").isEqualTo(message));
    for (String accepted : List.of("./deploy/docker-compose.YML", "compose.yml")) {
      String name = "path-" + UUID.randomUUID().toString().substring(0, 8);
      admin().post().uri("/api/v1/applications").bodyValue(Map.of("name", name, "repositoryId", repositoryId,
              "agentId", agentId, "path", accepted))
          .exchange().expectStatus().isCreated().expectBody().jsonPath("$.path")
          .isEqualTo(accepted.replaceFirst("^\\./", ""));
    }
  }

  @Test
  void shouldAnswer409ForDeployAndDeleteWhileTheAgentIsOffline() {
    String id = (String) createApplication("Offline", agentId).expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody().get("id");

    admin().delete().uri("/api/v1/applications/" + id).exchange().expectStatus().isEqualTo(409)
        .expectBody().jsonPath("$.error").isEqualTo("agent " + agentName + " is offline");
    admin().post().uri("/api/v1/applications/" + id + "/deploy").exchange().expectStatus().isEqualTo(409)
        .expectBody().jsonPath("$.error").isEqualTo("agent " + agentName + " is offline");
    admin().get().uri("/api/v1/applications/" + id).exchange().expectStatus().isOk();
  }

  @Test
  void shouldPublishAManualDeployWithTheDeploymentIdItAnswers() {
    String id = (String) createApplication("Deployed", agentId).expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody().get("id");
    markOnline(agentId);

    String deploymentId = (String) admin().post().uri("/api/v1/applications/" + id + "/deploy")
        .exchange().expectStatus().isAccepted()
        .expectBody(Map.class).returnResult().getResponseBody().get("deploymentId");

    SyncRequested request = TopicProbe.await(topics.syncRequests(),
        (key, value) -> deploymentId.equals(value.getDeploymentId())).value();
    assertThat(request.getApplicationId()).isEqualTo(id);
    assertThat(request.getTrigger()).isEqualTo(SyncTrigger.MANUAL);
    assertThat(request.getRepositoryId()).isEqualTo(repositoryId);
  }

  @Test
  void shouldPublishRemoveRequestedAndAnswer200WhenTheRowIsGone() throws Exception {
    String id = (String) createApplication("Removed", agentId).expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody().get("id");
    markOnline(agentId);

    // Plays the dispatcher: the agent removed the stack; this gateway's projector deletes the row.
    CompletableFuture<RemoveRequested> dispatcher = CompletableFuture.supplyAsync(() -> {
      RemoveRequested request = (RemoveRequested) TopicProbe.await(topics.deployRequests(),
          (key, value) -> value instanceof RemoveRequested r && r.getApplicationId().equals(id)).value();
      publisher.publish(topics.status(), id, ApplicationRemovalFinished.newBuilder()
          .setRequestId(request.getRequestId()).setApplicationId(id).setRemoved(true).setTimedOut(false)
          .setAt(Instant.now()).build()).block(DEADLINE);
      return request;
    });
    admin().delete().uri("/api/v1/applications/" + id + "?wait=true").exchange()
        .expectStatus().isOk().expectBody().jsonPath("$.deleted").isEqualTo(true);
    assertThat(query("SELECT id FROM applications WHERE id = ?", UUID.fromString(id))).isEmpty();

    RemoveRequested request = dispatcher.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    assertThat(request.getAgentId()).isEqualTo(agentId);
    assertThat(request.getDeadline()).isAfter(request.getAt());
    assertThat(Duration.between(request.getAt(), request.getDeadline())).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void shouldAnswer502WhenTheRemovalFailedAnd202WithoutWaiting() throws Exception {
    String id = (String) createApplication("Stuck", agentId).expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody().get("id");
    markOnline(agentId);

    // The waiting DELETE starts the removal; once its request is on Kafka it is waiting for the answer.
    CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> admin().delete()
        .uri("/api/v1/applications/" + id + "?wait=true").exchange()
        .expectStatus().isEqualTo(502).expectBody().jsonPath("$.error").isEqualTo("removal failed: compose down failed"));
    RemoveRequested request = (RemoveRequested) TopicProbe.await(topics.deployRequests(),
        (key, value) -> value instanceof RemoveRequested r && r.getApplicationId().equals(id)).value();

    // Without waiting: 202 for the removal in flight, which blocks deploys.
    String requestId = (String) admin().delete().uri("/api/v1/applications/" + id).exchange()
        .expectStatus().isAccepted().expectBody(Map.class).returnResult().getResponseBody().get("requestId");
    assertThat(requestId).isEqualTo(request.getRequestId());
    assertThat(single("SELECT removal_request_id FROM applications WHERE id = ?", UUID.fromString(id))
        .get("removal_request_id")).isEqualTo(requestId);
    admin().post().uri("/api/v1/applications/" + id + "/deploy").exchange().expectStatus().isEqualTo(409);

    // Plays the dispatcher: the agent could not remove it; this gateway's projector applies that.
    publisher.publish(topics.status(), id, ApplicationRemovalFinished.newBuilder().setRequestId(requestId)
        .setApplicationId(id).setRemoved(false).setTimedOut(false).setError("compose down failed")
        .setAt(Instant.now()).build()).block(DEADLINE);
    waiting.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void shouldAnswer504WhenTheRemovalOutlivesItsDeadline() {
    String id = (String) createApplication("Slow", agentId).expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody().get("id");
    markOnline(agentId);

    // Nobody answers the removal: the wait ends a little after the 5 s deadline of this gateway.
    admin().delete().uri("/api/v1/applications/" + id + "?wait=true").exchange()
        .expectStatus().isEqualTo(504).expectBody().jsonPath("$.error")
        .isEqualTo("removal did not finish before its deadline");
  }

  @Test
  void shouldAnswer504WhenTheDispatcherReportsTheRemovalTimedOutAtItsDeadline() throws Exception {
    String id = (String) createApplication("Late", agentId).expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody().get("id");
    markOnline(agentId);

    // Plays the dispatcher: at the deadline it reports the timeout, which this gateway's projector applies.
    CompletableFuture<Void> dispatcher = CompletableFuture.runAsync(() -> {
      RemoveRequested request = (RemoveRequested) TopicProbe.await(topics.deployRequests(),
          (key, value) -> value instanceof RemoveRequested r && r.getApplicationId().equals(id)).value();
      sleep(Math.max(0, Duration.between(Instant.now(), request.getDeadline()).toMillis()));
      publisher.publish(topics.status(), id, ApplicationRemovalFinished.newBuilder()
          .setRequestId(request.getRequestId()).setApplicationId(id).setRemoved(false).setTimedOut(true)
          .setAt(Instant.now()).build()).block(DEADLINE);
    });
    admin().delete().uri("/api/v1/applications/" + id + "?wait=true").exchange()
        .expectStatus().isEqualTo(504).expectBody().jsonPath("$.error").value(error ->
            assertThat((String) error).startsWith("removal timed out"));
    dispatcher.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void shouldNotBlockDeployOrUpdateOnARemovalWhoseDeadlinePassed() {
    String id = (String) createApplication("Orphaned", agentId).expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody().get("id");
    markOnline(agentId);
    // A removal marked but never answered (its request lost): past its deadline it blocks nothing.
    update("UPDATE applications SET removal_request_id = 'lost', removal_deadline = ? WHERE id = ?",
        Timestamp.from(Instant.now().minusSeconds(1)), UUID.fromString(id));

    admin().post().uri("/api/v1/applications/" + id + "/deploy").exchange().expectStatus().isAccepted();
    admin().put().uri("/api/v1/applications/" + id).bodyValue(Map.of("branch", "next"))
        .exchange().expectStatus().isOk().expectBody().jsonPath("$.branch").isEqualTo("next");
  }

  @Test
  void shouldQueueRemoveRequestedWithItsMarkAndAnswer202OnlyOnceKafkaHasIt() {
    String id = (String) createApplication("Queued", agentId).expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody().get("id");
    markOnline(agentId);

    String requestId = (String) admin().delete().uri("/api/v1/applications/" + id).exchange()
        .expectStatus().isAccepted().expectBody(Map.class).returnResult().getResponseBody().get("requestId");

    // Answered only after the relay published it: nothing of it is left in the outbox.
    assertThat(query("SELECT seq FROM outbox WHERE topic = ? AND key = ?", topics.deployRequests().name(), id))
        .isEmpty();
    RemoveRequested request = (RemoveRequested) TopicProbe.await(topics.deployRequests(),
        (key, value) -> value instanceof RemoveRequested r && r.getApplicationId().equals(id)).value();
    assertThat(request.getRequestId()).isEqualTo(requestId);
    assertThat(single("SELECT removal_request_id FROM applications WHERE id = ?", UUID.fromString(id))
        .get("removal_request_id")).isEqualTo(requestId);
  }

  @Test
  void shouldListDeploymentsNewestFirstAndRefuseDeletingUsedRepositoriesAndAgents() {
    String id = (String) createApplication("History", agentId).expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody().get("id");
    Instant now = Instant.now();
    for (int generation = 1; generation <= 2; generation++) {
      update("INSERT INTO deployments (id, application_id, agent_id, generation, reason, actor, commit_sha, digest, state,"
              + " started_at, deadline, updated_at) VALUES (?, ?, ?, ?, 'SYNC', 'poller', 'abc', 'sha256:1', ?, ?, ?, ?)",
          "dep-" + generation + "-" + id, UUID.fromString(id), agentId, generation,
          generation == 1 ? "SUCCEEDED" : "IN_PROGRESS", Timestamp.from(now.plusSeconds(generation)),
          Timestamp.from(now.plusSeconds(300)), Timestamp.from(now));
    }

    admin().get().uri("/api/v1/applications/" + id + "/deployments").exchange().expectStatus().isOk()
        .expectBody()
        .jsonPath("$[0].id").isEqualTo("dep-2-" + id)
        .jsonPath("$[0].state").isEqualTo("in_progress")
        .jsonPath("$[0].outcome").isEmpty()
        .jsonPath("$[1].state").isEqualTo("succeeded")
        .jsonPath("$[1].outcome").isEqualTo("succeeded")
        .jsonPath("$[1].reason").isEqualTo("sync");

    admin().delete().uri("/api/v1/repositories/" + repositoryId).exchange().expectStatus().isEqualTo(409);
    admin().delete().uri("/api/v1/agents/" + agentId).exchange().expectStatus().isEqualTo(409);
  }

  @Test
  void shouldPageTheDeploymentHistoryNewestFirst() {
    String id = (String) createApplication("Paged history", agentId).expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody().get("id");
    Instant now = Instant.now();
    for (int generation = 1; generation <= 5; generation++) {
      update("INSERT INTO deployments (id, application_id, agent_id, generation, reason, actor, commit_sha, digest, state,"
              + " started_at, ended_at, deadline, updated_at) VALUES (?, ?, ?, ?, 'sync', 'poller', 'abc', 'sha256:1',"
              + " 'failed', ?, ?, ?, ?)",
          "page-" + generation + "-" + id, UUID.fromString(id), agentId, generation, Timestamp.from(now.plusSeconds(generation)),
          Timestamp.from(now.plusSeconds(generation + 1)), Timestamp.from(now.plusSeconds(300)), Timestamp.from(now));
    }
    String uri = "/api/v1/applications/" + id + "/deployments";
    assertThat(page(uri + "?limit=2")).containsExactly("page-5-" + id, "page-4-" + id);
    assertThat(page(uri + "?limit=2&before=page-4-" + id)).containsExactly("page-3-" + id, "page-2-" + id);
    assertThat(page(uri + "?limit=2&before=page-2-" + id)).containsExactly("page-1-" + id);
    assertThat(page(uri + "?before=page-1-" + id)).isEmpty();
    assertThat(page(uri)).hasSize(5);
    // A cursor that is none of this application's deployments is refused, not taken for the end.
    admin().get().uri(uri + "?before=not-a-deployment").exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").isEqualTo("before must be the id of one of this application's deployments");
    String other = (String) createApplication("Other history", agentId).expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody().get("id");
    admin().get().uri("/api/v1/applications/" + other + "/deployments?before=page-3-" + id).exchange()
        .expectStatus().isBadRequest();
    admin().get().uri(uri + "?limit=0").exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").isEqualTo("limit must be between 1 and 500");
    admin().get().uri(uri + "?limit=501").exchange().expectStatus().isBadRequest();
    admin().get().uri(uri + "?limit=many").exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").isEqualTo("limit must be a number");
    admin().get().uri(uri + "?limit=1").exchange().expectStatus().isOk()
        .expectBody().jsonPath("$[0].outcome").isEqualTo("failed");
  }

  @SuppressWarnings("unchecked")
  private List<String> page(String uri) {
    return admin().get().uri(uri).exchange().expectStatus().isOk().expectBodyList(Map.class).returnResult()
        .getResponseBody().stream().map(deployment -> (String) ((Map<String, Object>) deployment).get("id")).toList();
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldLetAnAdminForceTheRemovalOfAnApplicationWhoseAgentNeverCameOnline() {
    String id = (String) createApplication("Stranded", agentId).expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody().get("id");
    String uri = "/api/v1/applications/" + id;
    admin().delete().uri(uri).exchange().expectStatus().isEqualTo(409);
    user().delete().uri(uri + "?force=true").exchange().expectStatus().isForbidden()
        .expectBody().jsonPath("$.error").value(error -> assertThat((String) error).contains("admin"));
    admin().get().uri(uri).exchange().expectStatus().isOk();

    Map<String, Object> answer = admin().delete().uri(uri + "?force=true").exchange().expectStatus().isOk()
        .expectBody(Map.class).returnResult().getResponseBody();
    assertThat(answer).containsEntry("deleted", true).containsKey("requestId");

    // Gone at once, with nothing left that keeps its agent or repository from being deleted.
    admin().get().uri(uri).exchange().expectStatus().isNotFound();
    assertThat(query("SELECT id FROM applications WHERE id = ?", UUID.fromString(id))).isEmpty();
    admin().delete().uri(uri + "?force=true").exchange().expectStatus().isNotFound();
    admin().delete().uri("/api/v1/agents/" + agentId).exchange().expectStatus().is2xxSuccessful();

    // The removal still goes to the agent, for whenever it comes back, and the config is forgotten.
    RemoveRequested request = (RemoveRequested) TopicProbe.await(topics.deployRequests(),
        (key, value) -> value instanceof RemoveRequested r && r.getRequestId().equals(answer.get("requestId"))).value();
    assertThat(request.getApplicationId()).isEqualTo(id);
    assertThat(request.getAgentId()).isEqualTo(agentId);
    assertThat(Duration.between(request.getAt(), request.getDeadline())).isEqualTo(Duration.ofDays(30));
    TopicProbe.await(topics.configApplications(), (key, value) -> key.equals(id) && value == null);
  }

  @Test
  void shouldPublishANewSnapshotAndResyncWhenTheBranchChanges() {
    String id = (String) createApplication("Moved", agentId).expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody().get("id");

    admin().put().uri("/api/v1/applications/" + id).bodyValue(Map.of("branch", "release"))
        .exchange().expectStatus().isOk().expectBody().jsonPath("$.branch").isEqualTo("release")
        .jsonPath("$.name").isEqualTo("Moved");

    var snapshots = TopicProbe.awaitAll(topics.configApplications(), (key, value) -> key.equals(id), 2);
    assertThat(snapshots.get(1).value().getBranch()).isEqualTo("release");
    assertThat(snapshots.get(1).value().getRevision()).isGreaterThan(snapshots.get(0).value().getRevision());
    TopicProbe.await(topics.syncRequests(), (key, value) -> id.equals(value.getApplicationId())
        && value.getMinRevision() == snapshots.get(1).value().getRevision());
  }

  @Test
  void shouldSetDeploySettingsCarryThemInTheSnapshotAndResync() {
    @SuppressWarnings("unchecked") Map<String, Object> created = createApplication("Settings", agentId)
        .expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
    assertThat(created).containsEntry("selfHeal", false).containsEntry("readinessTimeoutSeconds", null)
        .containsEntry("allowedPolicyRules", List.of());
    String id = (String) created.get("id");
    ApplicationConfig first = TopicProbe.await(topics.configApplications(), (key, value) -> key.equals(id)).value();
    assertThat(first.getSettings()).as("an application with default settings carries none").isNull();

    admin().put().uri("/api/v1/applications/" + id)
        .bodyValue(Map.of("selfHeal", true, "readinessTimeoutSeconds", 4,
            "allowedPolicyRules", List.of("host-mounts", "privileged", "host-mounts")))
        .exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.selfHeal").isEqualTo(true)
        .jsonPath("$.readinessTimeoutSeconds").isEqualTo(4)
        .jsonPath("$.allowedPolicyRules").isEqualTo(List.of("privileged", "host-mounts"))
        .jsonPath("$.name").isEqualTo("Settings");

    var snapshots = TopicProbe.awaitAll(topics.configApplications(), (key, value) -> key.equals(id), 2);
    ApplicationConfig second = snapshots.get(1).value();
    assertThat(second.getSettings().getSelfHeal()).isTrue();
    assertThat(second.getSettings().getReadinessTimeoutSeconds()).isEqualTo(4);
    assertThat(second.getSettings().getAllowedPolicyRules()).containsExactly("privileged", "host-mounts");
    assertThat(second.getSettings().getEnvironment()).isNull();
    TopicProbe.await(topics.syncRequests(), (key, value) -> id.equals(value.getApplicationId())
        && value.getMinRevision() == second.getRevision());
    admin().get().uri("/api/v1/applications").exchange().expectStatus().isOk()
        .expectBody().jsonPath("$[?(@.id == '" + id + "')].allowedPolicyRules[0]").isEqualTo("privileged");

    // An absent field keeps its value; 0 clears the readiness timeout.
    admin().put().uri("/api/v1/applications/" + id).bodyValue(Map.of("readinessTimeoutSeconds", 0))
        .exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.readinessTimeoutSeconds").isEmpty()
        .jsonPath("$.selfHeal").isEqualTo(true)
        .jsonPath("$.allowedPolicyRules.length()").isEqualTo(2);
  }

  @Test
  void shouldRefuseInvalidSettingsAndPolicyExceptionsFromOrdinaryUsers() {
    String id = (String) admin().post().uri("/api/v1/applications")
        .bodyValue(Map.of("name", "Guarded", "repositoryId", repositoryId, "agentId", agentId,
            "path", "compose.yaml", "allowedPolicyRules", List.of("docker-socket")))
        .exchange().expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody().get("id");
    String uri = "/api/v1/applications/" + id;

    admin().put().uri(uri).bodyValue(Map.of("readinessTimeoutSeconds", 6)).exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").value(error -> assertThat((String) error)
            .contains("readinessTimeoutSeconds").contains("5"));
    admin().put().uri(uri).bodyValue(Map.of("readinessTimeoutSeconds", -1)).exchange().expectStatus().isBadRequest();
    admin().put().uri(uri).bodyValue(Map.of("allowedPolicyRules", List.of("root")))
        .exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").value(error -> assertThat((String) error)
            .contains("'root'").contains("privileged"));
    admin().put().uri(uri).bodyValue(Map.of("selfHeal", "sometimes")).exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").value(error -> assertThat((String) error).contains("selfHeal"));

    // An ordinary user may change everything else, but not which rules are allowed.
    user().put().uri(uri).bodyValue(Map.of("allowedPolicyRules", List.of()))
        .exchange().expectStatus().isForbidden()
        .expectBody().jsonPath("$.error").value(error -> assertThat((String) error).contains("admin"));
    user().post().uri("/api/v1/applications")
        .bodyValue(Map.of("name", "Sneaky", "repositoryId", repositoryId, "agentId", agentId,
            "path", "compose.yaml", "allowedPolicyRules", List.of("privileged")))
        .exchange().expectStatus().isForbidden();
    user().put().uri(uri).bodyValue(Map.of("selfHeal", true, "allowedPolicyRules", List.of("docker-socket")))
        .exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.selfHeal").isEqualTo(true)
        .jsonPath("$.allowedPolicyRules[0]").isEqualTo("docker-socket");
    Map<String, Object> stored = single("SELECT allowed_policy_rules, self_heal FROM applications WHERE id = ?",
        UUID.fromString(id));
    assertThat(stored.get("self_heal")).isEqualTo(true);
    assertThat(stored.get("allowed_policy_rules").toString()).isEqualTo("{docker-socket}");

    // An exception belongs to the stack it was allowed for: only an admin may point it elsewhere.
    for (Map<String, Object> retarget : List.<Map<String, Object>>of(Map.of("path", "other/compose.yaml"),
        Map.of("branch", "next"), Map.of("agentId", otherAgentId))) {
      user().put().uri(uri).bodyValue(retarget).exchange().expectStatus().isForbidden()
          .expectBody().jsonPath("$.error").value(error -> assertThat((String) error)
              .contains("only an admin may change the repository, branch, path or agent").contains("docker-socket"));
    }
    admin().put().uri(uri).bodyValue(Map.of("path", "other/compose.yaml")).exchange().expectStatus().isOk();
    admin().put().uri(uri).bodyValue(Map.of("allowedPolicyRules", List.of())).exchange().expectStatus().isOk();
    user().put().uri(uri).bodyValue(Map.of("branch", "next")).exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.branch").isEqualTo("next");
  }

  @Test
  void shouldRefuseAWriteBuiltFromARevisionThatAnotherWriteReplaced() {
    String id = (String) createApplication("Raced", agentId).expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody().get("id");
    ApplicationStore.Row read = store.find(UUID.fromString(id)).block(DEADLINE);
    // An admin revokes in between (here: any write takes a new revision).
    admin().put().uri("/api/v1/applications/" + id).bodyValue(Map.of("selfHeal", true)).exchange().expectStatus().isOk();

    ApplicationStore.Config stale = new ApplicationStore.Config(read.name(), "hash", read.repositoryId(), read.agentId(),
        read.branch(), read.path(), read.settings());
    assertThatThrownBy(() -> store.update(read.id(), stale, read.revision(), false, false, "tests").block(DEADLINE))
        .isInstanceOf(ApiException.class).hasMessageContaining("changed meanwhile")
        .extracting(e -> ((ApiException) e).status().value()).isEqualTo(409);
    admin().get().uri("/api/v1/applications/" + id).exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.selfHeal").isEqualTo(true);
  }

  private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec createApplication(String name,
      String agent) {
    return admin().post().uri("/api/v1/applications")
        .bodyValue(Map.of("name", name, "repositoryId", repositoryId, "agentId", agent, "path", "./stack/compose.yaml"))
        .exchange();
  }

  private String createAgent(String name) {
    return (String) admin().post().uri("/api/v1/agents").bodyValue(Map.of("name", name))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
  }

  private static void markOnline(String agentId) {
    update("UPDATE agents SET last_seen = ? WHERE id = ?", Timestamp.from(Instant.now()), agentId);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
