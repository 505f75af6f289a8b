package dev.orca.gateway.application;

import dev.orca.gateway.agent.AgentJson;
import dev.orca.gateway.agent.AgentViews;
import dev.orca.gateway.auth.CurrentUser;
import dev.orca.gateway.crypto.BlindIndex;
import dev.orca.gateway.kafka.KafkaPublisher;
import dev.orca.gateway.outbox.Outbox;
import dev.orca.gateway.repository.RepositoryViews;
import dev.orca.gateway.system.OrcaProperties;
import dev.orca.gateway.repository.RepositoryRules;
import dev.orca.gateway.web.ApiException;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.RemoveRequested;
import dev.orca.schemas.avro.SyncRequested;
import dev.orca.schemas.avro.SyncTrigger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * {@code /api/v1/applications}: configuration, environment variables (write-only values), manual
 * deploy, removal and deployment history.
 */
@RestController
@RequestMapping("/api/v1/applications")
class ApplicationController {

  /** How long a create waits for its first sync to leave the outbox before answering anyway. */
  private static final Duration FIRST_SYNC_WAIT = Duration.ofSeconds(5);
  /** Removal polling with {@code ?wait=true}: interval, and grace after the deadline. */
  private static final Duration REMOVAL_POLL = Duration.ofMillis(200);
  private static final Duration REMOVAL_GRACE = Duration.ofSeconds(2);
  /** How long a DELETE waits for Kafka to acknowledge its RemoveRequested before withdrawing it. */
  private static final Duration REMOVAL_PUBLISH_WAIT = Duration.ofSeconds(10);

  private final ApplicationStore store;
  private final EnvironmentSealer environments;
  private final AgentViews agents;
  private final RepositoryViews repositories;
  private final BlindIndex blindIndex;
  private final KafkaPublisher publisher;
  private final Outbox outbox;
  private final Topics topics;
  private final Duration removalTimeout;

  ApplicationController(ApplicationStore store, EnvironmentSealer environments, AgentViews agents,
      RepositoryViews repositories, BlindIndex blindIndex, KafkaPublisher publisher, Outbox outbox, Topics topics,
      OrcaProperties properties) {
    this.store = store;
    this.environments = environments;
    this.agents = agents;
    this.repositories = repositories;
    this.blindIndex = blindIndex;
    this.publisher = publisher;
    this.outbox = outbox;
    this.topics = topics;
    this.removalTimeout = Duration.ofSeconds(properties.deployTimeoutSeconds());
  }

  private static final java.util.regex.Pattern COMPOSE_FILE = java.util.regex.Pattern.compile("(?i).+\\.ya?ml");

  record ApplicationBody(String name, String repositoryId, String agentId, String branch, String path) {}

  record RemovalJson(String requestId) {}

  record DeployJson(String deploymentId) {}

  /** PUT body: every variable the application has from now on; values are never returned. */
  record EnvironmentBody(Map<String, String> variables) {}

  /** The variables' names, sorted. */
  record EnvironmentJson(List<String> names) {}

  @GetMapping
  Mono<List<ApplicationListItemJson>> list() {
    return store.all().map(row -> ApplicationListItemJson.of(row.json())).collectList();
  }

  @GetMapping("/{id}")
  Mono<ApplicationJson> get(@PathVariable String id) {
    return existing(id).map(ApplicationStore.Row::json);
  }

  @PostMapping
  @ResponseStatus(HttpStatus.CREATED)
  Mono<ApplicationJson> create(@RequestBody ApplicationBody body, @RequestAttribute(CurrentUser.ATTRIBUTE) CurrentUser me) {
    if (body == null) {
      throw ApiException.badRequest("a JSON body is required");
    }
    String name = name(body.name());
    UUID repositoryId = reference(body.repositoryId(), "repositoryId");
    String agentId = required(body.agentId(), "agentId");
    String branch = branch(body.branch());
    String path = path(body.path());
    UUID id = UUID.randomUUID();
    ApplicationStore.Config config = new ApplicationStore.Config(name, blindIndex.of(name), repositoryId, agentId, branch,
        path);
    return checkReferences(config, id)
        .then(Mono.defer(() -> store.insert(id, config, me.actor())))
        .onErrorMap(DataIntegrityViolationException.class, e -> duplicate(name))
        .flatMap(this::afterWrite);
  }

  @PutMapping("/{id}")
  Mono<ApplicationJson> update(@PathVariable String id, @RequestBody ApplicationBody body,
      @RequestAttribute(CurrentUser.ATTRIBUTE) CurrentUser me) {
    if (body == null) {
      throw ApiException.badRequest("a JSON body is required");
    }
    return existing(id).flatMap(row -> {
      if (row.beingRemoved(Instant.now())) {
        return Mono.error(ApiException.conflict("application is being removed"));
      }
      String name = body.name() == null ? row.name() : name(body.name());
      UUID repositoryId = body.repositoryId() == null ? row.repositoryId() : reference(body.repositoryId(), "repositoryId");
      String agentId = body.agentId() == null ? row.agentId() : required(body.agentId(), "agentId");
      String branch = body.branch() == null ? row.branch() : branch(body.branch());
      String path = body.path() == null ? row.path() : path(body.path());
      ApplicationStore.Config config = new ApplicationStore.Config(name, blindIndex.of(name), repositoryId, agentId,
          branch, path);
      boolean resync = !repositoryId.equals(row.repositoryId()) || !agentId.equals(row.agentId())
          || !Objects.equals(branch, row.branch()) || !path.equals(row.path());
      return checkReferences(config, row.id())
          .then(Mono.defer(() -> store.update(row.id(), config, resync, me.actor())))
          .onErrorMap(DataIntegrityViolationException.class, e -> duplicate(name))
          .flatMap(this::afterWrite);
    });
  }

  @DeleteMapping("/{id}")
  Mono<ResponseEntity<Object>> delete(@PathVariable String id, @RequestParam(defaultValue = "false") boolean wait,
      @RequestAttribute(CurrentUser.ATTRIBUTE) CurrentUser me) {
    return existing(id)
        .flatMap(row -> onlineAgent(row.agentId()).thenReturn(row))
        .flatMap(row -> {
          Instant now = Instant.now();
          if (row.beingRemoved(now)) {
            // Already being removed: answer for the removal in flight rather than start another.
            return Mono.just(new Removal(row.id(), row.removalRequestId(), row.removalDeadline()));
          }
          Removal removal = new Removal(row.id(), UUID.randomUUID().toString(), now.plus(removalTimeout));
          RemoveRequested request = RemoveRequested.newBuilder()
              .setRequestId(removal.requestId())
              .setApplicationId(row.id().toString())
              .setAgentId(row.agentId())
              .setDeadline(removal.deadline())
              .setActor(me.actor())
              .setAt(now)
              .build();
          // Mark and request commit together (outbox); the 202 waits for Kafka's acknowledgement
          // and a request Kafka did not take is withdrawn with its mark.
          return store.requestRemoval(row.id(), request)
              .switchIfEmpty(Mono.error(() -> ApiException.notFound("application not found")))
              .flatMap(seq -> outbox.awaitPublished(seq, REMOVAL_PUBLISH_WAIT)
                  .then(Mono.defer(() -> store.withdrawRemoval(row.id(), removal.requestId(), seq))))
              .flatMap(withdrawn -> withdrawn
                  ? Mono.error(new ApiException(HttpStatus.SERVICE_UNAVAILABLE,
                      "Kafka did not acknowledge the removal request in time; try again"))
                  : Mono.just(removal));
        })
        .flatMap(removal -> wait ? awaitRemoval(removal)
            : Mono.just(ResponseEntity.status(HttpStatus.ACCEPTED).body(new RemovalJson(removal.requestId()))));
  }

  @PostMapping("/{id}/deploy")
  @ResponseStatus(HttpStatus.ACCEPTED)
  Mono<DeployJson> deploy(@PathVariable String id, @RequestAttribute(CurrentUser.ATTRIBUTE) CurrentUser me) {
    return existing(id)
        .flatMap(row -> row.beingRemoved(Instant.now())
            ? Mono.error(ApiException.conflict("application is being removed"))
            : onlineAgent(row.agentId()).thenReturn(row))
        .flatMap(row -> {
          String deploymentId = UUID.randomUUID().toString();
          SyncRequested request = SyncRequested.newBuilder()
              .setSyncId(UUID.randomUUID().toString())
              .setRepositoryId(row.repositoryId().toString())
              .setTrigger(SyncTrigger.MANUAL)
              .setApplicationId(row.id().toString())
              .setDeploymentId(deploymentId)
              .setActor(me.actor())
              .setMinRevision(row.revision())
              .setAt(Instant.now())
              .build();
          return publisher.publish(topics.syncRequests(), row.repositoryId().toString(), request)
              .thenReturn(new DeployJson(deploymentId));
        });
  }

  @GetMapping("/{id}/environment")
  Mono<EnvironmentJson> environment(@PathVariable String id) {
    return existing(id)
        .flatMap(row -> store.sealed(row.id())
            .flatMap(sealed -> environments.open(sealed.agentId(), row.id(), sealed.environment())))
        .switchIfEmpty(Mono.error(() -> ApiException.notFound("application not found")))
        .map(dotEnv -> new EnvironmentJson(EnvironmentRules.names(dotEnv)));
  }

  @PutMapping("/{id}/environment")
  Mono<EnvironmentJson> replaceEnvironment(@PathVariable String id, @RequestBody EnvironmentBody body,
      @RequestAttribute(CurrentUser.ATTRIBUTE) CurrentUser me) {
    String dotEnv = EnvironmentRules.dotEnv(body == null ? null : body.variables());
    return existing(id)
        .flatMap(row -> row.beingRemoved(Instant.now())
            ? Mono.error(ApiException.conflict("application is being removed"))
            : store.replaceEnvironment(row.id(), dotEnv, me.actor()))
        .switchIfEmpty(Mono.error(() -> ApiException.notFound("application not found")))
        .flatMap(this::afterWrite)
        .thenReturn(new EnvironmentJson(EnvironmentRules.names(dotEnv)));
  }

  @GetMapping("/{id}/deployments")
  Mono<List<DeploymentJson>> deployments(@PathVariable String id) {
    return existing(id).flatMap(row -> store.deployments(row.id()).collectList());
  }

  private record Removal(UUID applicationId, String requestId, Instant deadline) {}

  /**
   * Polls the row until the projector deleted it (200), gave up on it (the removal id is
   * cleared while the row stays: 504 when it timed out, else 502 with the recorded error) or
   * the deadline passed without an answer (504).
   */
  private Mono<ResponseEntity<Object>> awaitRemoval(Removal removal) {
    Instant giveUp = removal.deadline().plus(REMOVAL_GRACE);
    return Mono.defer(() -> store.removalState(removal.applicationId())
            .map(state -> {
              if (!removal.requestId().equals(state.requestId())) {
                if (timedOut(removal, state)) {
                  return Mono.just(ResponseEntity.status(HttpStatus.GATEWAY_TIMEOUT).<Object>body(
                      Map.of("error", state.lastSyncError() == null ? "removal did not finish before its deadline"
                          : state.lastSyncError())));
                }
                String error = state.lastSyncError() == null ? "removal failed" : state.lastSyncError();
                return Mono.just(ResponseEntity.status(HttpStatus.BAD_GATEWAY).<Object>body(Map.of("error", error)));
              }
              if (Instant.now().isAfter(giveUp)) {
                return Mono.just(ResponseEntity.status(HttpStatus.GATEWAY_TIMEOUT)
                    .<Object>body(Map.of("error", "removal did not finish before its deadline")));
              }
              return Mono.<ResponseEntity<Object>>empty();
            })
            .defaultIfEmpty(Mono.just(ResponseEntity.ok(Map.of("deleted", true))))
            .flatMap(answer -> answer))
        .repeatWhenEmpty(Integer.MAX_VALUE, attempts -> attempts.delayElements(REMOVAL_POLL));
  }

  /**
   * Whether a removal that is no longer pending timed out: the projector's marker when it is
   * about this request, otherwise whether its deadline has passed (the dispatcher gives up
   * exactly then, and a newer removal can only start after it).
   */
  private static boolean timedOut(Removal removal, ApplicationStore.RemovalState state) {
    if (removal.requestId().equals(state.lastRequestId()) && state.lastTimedOut() != null) {
      return state.lastTimedOut();
    }
    return !Instant.now().isBefore(removal.deadline());
  }

  private Mono<ApplicationJson> afterWrite(ApplicationStore.Written written) {
    Mono<Void> published = written.syncSeq() == null ? Mono.empty()
        : outbox.awaitPublished(written.syncSeq(), FIRST_SYNC_WAIT);
    return published.thenReturn(written.row().json());
  }

  /** 404 for an unknown repository or agent, 409 for a name already used on the agent. */
  private Mono<Void> checkReferences(ApplicationStore.Config config, UUID id) {
    return repositories.find(config.repositoryId())
        .switchIfEmpty(Mono.error(() -> ApiException.notFound("repository not found")))
        .then(agents.find(config.agentId()))
        .switchIfEmpty(Mono.error(() -> ApiException.notFound("agent not found")))
        .then(store.nameTaken(config.agentId(), config.nameHash(), id))
        .flatMap(taken -> taken ? Mono.error(duplicate(config.name())) : Mono.empty());
  }

  /** The agent, or 409 when it is offline: deploy and delete need it to act. */
  private Mono<AgentJson> onlineAgent(String agentId) {
    return agents.find(agentId)
        .switchIfEmpty(Mono.error(() -> ApiException.conflict("agent " + agentId + " no longer exists")))
        .flatMap(agent -> agent.online() ? Mono.just(agent)
            : Mono.error(ApiException.conflict("agent " + agent.name() + " is offline")));
  }

  private Mono<ApplicationStore.Row> existing(String id) {
    UUID uuid;
    try {
      uuid = UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return Mono.error(ApiException.notFound("application not found"));
    }
    return store.find(uuid).switchIfEmpty(Mono.error(() -> ApiException.notFound("application not found")));
  }

  private static ApiException duplicate(String name) {
    return ApiException.conflict("an application named " + name + " already exists on this agent");
  }

  private static String name(String value) {
    String name = required(value, "name");
    if (name.length() > 100) {
      throw ApiException.badRequest("name is too long (at most 100 characters)");
    }
    return name;
  }

  private static String branch(String value) {
    if (value == null) {
      return "main";
    }
    String branch = value.trim();
    if (!RepositoryRules.isBranchName(branch)) {
      throw ApiException.badRequest("branch is not a valid branch name");
    }
    return branch;
  }

  /** A compose file: a relative {@code .yml} or {@code .yaml} path inside the repository, without {@code ./}. */
  static String path(String value) {
    String path = required(value, "path");
    while (path.startsWith("./")) {
      path = path.substring(2);
    }
    List<String> segments = List.of(path.split("/", -1));
    if (path.isEmpty() || path.startsWith("/") || path.contains("\\") || segments.contains("..")
        || segments.contains(".") || segments.contains("") || path.chars().anyMatch(c -> c < 0x20)) {
      throw ApiException.badRequest("path must be a relative path inside the repository (like deploy/compose.yaml)");
    }
    if (!COMPOSE_FILE.matcher(path).matches()) {
      throw ApiException.badRequest("path must name a .yml or .yaml compose file");
    }
    return path;
  }

  private static UUID reference(String value, String field) {
    try {
      return UUID.fromString(required(value, field));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(field + " is not a valid id");
    }
  }

  private static String required(String value, String field) {
    if (value == null || value.isBlank()) {
      throw ApiException.badRequest(field + " is required");
    }
    return value.trim();
  }
}
