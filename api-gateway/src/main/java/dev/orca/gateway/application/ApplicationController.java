package dev.orca.gateway.application;

import static dev.orca.gateway.application.ApplicationRules.branch;
import static dev.orca.gateway.application.ApplicationRules.name;
import static dev.orca.gateway.application.ApplicationRules.path;
import static dev.orca.gateway.application.ApplicationRules.reference;
import static dev.orca.gateway.application.ApplicationRules.required;

import dev.orca.gateway.agent.AgentJson;
import dev.orca.gateway.agent.AgentViews;
import dev.orca.gateway.auth.CurrentUser;
import dev.orca.gateway.crypto.BlindIndex;
import dev.orca.gateway.deployment.DeploymentContents;
import dev.orca.gateway.deployment.DeploymentDetailJson;
import dev.orca.gateway.deployment.DeploymentJson;
import dev.orca.gateway.deployment.DeploymentStore;
import dev.orca.gateway.events.EntityChanges;
import dev.orca.gateway.kafka.KafkaPublisher;
import dev.orca.gateway.outbox.Outbox;
import dev.orca.gateway.repository.RepositoryViews;
import dev.orca.gateway.system.OrcaProperties;
import dev.orca.gateway.web.ApiException;
import dev.orca.gateway.web.ListQuery;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.RemoveRequested;
import dev.orca.schemas.avro.SyncRequested;
import dev.orca.schemas.avro.SyncTrigger;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
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
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code /api/v1/applications}: configuration and deploy settings, environment variables
 * (write-only values), manual deploy, removal and deployment history. What a configuration may
 * be is {@link ApplicationRules}'.
 */
@RestController
@RequestMapping("/api/v1/applications")
class ApplicationController {

  /** How long a create waits for its first sync to leave the outbox before answering anyway. */
  private static final Duration FIRST_SYNC_WAIT = Duration.ofSeconds(5);
  /** How long {@code ?wait=true} waits past the removal's deadline for the dispatcher's verdict. */
  private static final Duration REMOVAL_GRACE = Duration.ofSeconds(2);
  /**
   * The deadline of a forced removal's command, as long as the dispatcher's for an agent an
   * application moved away from: an agent back within it still removes the stack.
   */
  private static final Duration FORCED_REMOVAL_DEADLINE = Duration.ofDays(30);
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
  private final EntityChanges changes;
  private final DeploymentStore deploymentStore;
  private final DeploymentContents contents;
  private final Duration removalTimeout;
  private final long deadlineSeconds;

  ApplicationController(ApplicationStore store, EnvironmentSealer environments, AgentViews agents,
      RepositoryViews repositories, BlindIndex blindIndex, KafkaPublisher publisher, Outbox outbox, Topics topics,
      EntityChanges changes, DeploymentStore deploymentStore, DeploymentContents contents, OrcaProperties properties) {
    this.contents = contents;
    this.store = store;
    this.environments = environments;
    this.agents = agents;
    this.repositories = repositories;
    this.blindIndex = blindIndex;
    this.publisher = publisher;
    this.outbox = outbox;
    this.topics = topics;
    this.changes = changes;
    this.deploymentStore = deploymentStore;
    this.removalTimeout = Duration.ofSeconds(properties.deployTimeoutSeconds());
    this.deadlineSeconds = properties.deployTimeoutSeconds();
  }

  /**
   * POST and PUT body. On PUT an absent field keeps its value; {@code readinessTimeoutSeconds} 0
   * clears the timeout; only an admin may change {@code allowedPolicyRules}. {@link #toString()}
   * never prints the secret: a debug log of a request must not carry it.
   */
  record ApplicationBody(String name, String repositoryId, String agentId, String branch, String path,
      Boolean selfHeal, Integer readinessTimeoutSeconds, List<String> allowedPolicyRules, Boolean imagePolling,
      Integer imagePollIntervalSeconds, Boolean removeSupersededImages, String imageWebhookSecret,
      Boolean autoRollback) {

    @Override
    public String toString() {
      return "ApplicationBody[name=" + name + ", repositoryId=" + repositoryId + ", agentId=" + agentId + ", branch="
          + branch + ", path=" + path + ", selfHeal=" + selfHeal + ", readinessTimeoutSeconds="
          + readinessTimeoutSeconds + ", allowedPolicyRules=" + allowedPolicyRules + ", imagePolling=" + imagePolling
          + ", imagePollIntervalSeconds=" + imagePollIntervalSeconds + ", removeSupersededImages="
          + removeSupersededImages + ", imageWebhookSecret=" + ApplicationStore.Config.redacted(imageWebhookSecret)
          + ", autoRollback=" + autoRollback + "]";
    }
  }

  record RemovalJson(String requestId) {}

  record DeployJson(String deploymentId) {}

  /** PUT body: every variable the application has from now on; values are never returned. */
  record EnvironmentBody(Map<String, String> variables) {

    /** The names only: the values are secrets. */
    @Override
    public String toString() {
      return "EnvironmentBody[variables=" + (variables == null ? null : new java.util.TreeSet<>(variables.keySet()))
          + "]";
    }
  }

  /** The variables' names, sorted. */
  record EnvironmentJson(List<String> names) {}

  private static final List<String> SYNC_STATUSES = ListQuery.valuesOf(dev.orca.schemas.avro.SyncStatus.class);
  private static final List<String> HEALTH_STATUSES = ListQuery.valuesOf(dev.orca.schemas.avro.HealthStatus.class);

  /** The list's order: by name as people read it, then by id so that equal names page stably. */
  private static <T> Comparator<T> byName(java.util.function.Function<T, String> name,
      java.util.function.Function<T, UUID> id) {
    return Comparator.comparing((T item) -> name.apply(item).toLowerCase(Locale.ROOT))
        .thenComparing(item -> id.apply(item).toString());
  }

  private static final Comparator<ApplicationListItemJson> BY_NAME =
      byName(ApplicationListItemJson::name, ApplicationListItemJson::id);
  private static final Comparator<ApplicationStore.Key> KEYS_BY_NAME =
      byName(ApplicationStore.Key::name, ApplicationStore.Key::id);

  /** Whether an application is one the search asks for: by its own fields, its repository's and its agent's names. */
  private static boolean found(ListQuery query, Map<String, String> names, String name, String branch, String path,
      String commit, String commitMessage, UUID repositoryId, String agentId) {
    return query.matches(name, branch, path, commit, commitMessage, names.get("repository:" + repositoryId),
        names.get("agent:" + agentId));
  }

  /** The filters the list and the counts share; the statuses are the list's only. */
  private static ApplicationStore.ListFilter filter(java.util.Set<String> syncStatuses,
      java.util.Set<String> healthStatuses, String agentId, String repositoryId) {
    return new ApplicationStore.ListFilter(syncStatuses, healthStatuses,
        agentId == null || agentId.isBlank() ? null : agentId.strip(),
        repositoryId == null || repositoryId.isBlank() ? null : reference(repositoryId, "repositoryId"));
  }

  /**
   * The applications by name, as the list shows them (no compose files). Filters: {@code
   * syncStatus} and {@code healthStatus} (one value or several, comma-separated), {@code agentId},
   * {@code repositoryId}; {@code q} searches the name, branch, path, commit, commit message, and
   * the repository's and agent's names; {@code limit} with {@code offset} or {@code after} pages it
   * (see {@link ListQuery}).
   */
  @GetMapping
  Mono<ResponseEntity<List<ApplicationListItemJson>>> list(@RequestParam(required = false) String q,
      @RequestParam(required = false) String syncStatus, @RequestParam(required = false) String healthStatus,
      @RequestParam(required = false) String agentId, @RequestParam(required = false) String repositoryId,
      @RequestParam(required = false) String limit, @RequestParam(required = false) String offset,
      @RequestParam(required = false) String after, ServerHttpRequest request) {
    ListQuery query = ListQuery.of(q, limit, offset, after);
    ApplicationStore.ListFilter filter = filter(ListQuery.oneOf("syncStatus", syncStatus, SYNC_STATUSES),
        ListQuery.oneOf("healthStatus", healthStatus, HEALTH_STATUSES), agentId, repositoryId);
    Mono<Map<String, String>> otherNames = query.search() == null ? Mono.just(Map.of()) : store.repositoryAndAgentNames();
    if (query.limit() == null) {
      // The whole list: its rows read in one go.
      return otherNames.flatMap(names -> store.list(filter)
              .filter(app -> found(query, names, app.name(), app.branch(), app.path(), app.commit(),
                  app.commitMessage(), app.repositoryId(), app.agentId()))
              .map(ApplicationListItemJson::of)
              .collectSortedList(BY_NAME))
          .map(items -> query.answer(items, item -> item.id().toString(), request));
    }
    // A page: chosen among the keys of all that match (few columns each), then only its rows read.
    return otherNames.flatMap(names -> store.keys(filter)
            .filter(key -> found(query, names, key.name(), key.branch(), key.path(), key.commit(),
                key.commitMessage(), key.repositoryId(), key.agentId()))
            .collectSortedList(KEYS_BY_NAME))
        .flatMap(keys -> {
          ListQuery.Slice slice = query.slice(keys, key -> key.id().toString());
          List<UUID> ids = keys.subList(slice.from(), slice.to()).stream().map(ApplicationStore.Key::id).toList();
          return store.rows(ids).collectMap(ApplicationJson::id)
              // In the page's order; one deleted between the two reads is left out.
              .map(rows -> ids.stream().map(rows::get).filter(Objects::nonNull).map(ApplicationListItemJson::of).toList())
              .map(items -> query.answer(slice, items, request));
        });
  }

  /** How many applications there are by sync status and by health status (of one agent or repository). */
  record CountsJson(long total, Map<String, Long> syncStatus, Map<String, Long> healthStatus) {}

  @GetMapping("/counts")
  Mono<CountsJson> counts(@RequestParam(required = false) String agentId,
      @RequestParam(required = false) String repositoryId) {
    return store.counts(filter(java.util.Set.of(), java.util.Set.of(), agentId, repositoryId)).map(counts -> {
      Map<String, Long> bySync = new java.util.LinkedHashMap<>();
      Map<String, Long> byHealth = new java.util.LinkedHashMap<>();
      SYNC_STATUSES.forEach(status -> bySync.put(status, 0L));
      HEALTH_STATUSES.forEach(status -> byHealth.put(status, 0L));
      long total = 0;
      for (ApplicationStore.Count count : counts) {
        total += count.applications();
        bySync.merge(count.syncStatus(), count.applications(), Long::sum);
        byHealth.merge(count.healthStatus(), count.applications(), Long::sum);
      }
      return new CountsJson(total, bySync, byHealth);
    });
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
    ApplicationStore.Settings settings = settings(body, ApplicationStore.Settings.DEFAULT, me);
    String imageWebhookSecret = ApplicationRules.imageWebhookSecret(body.imageWebhookSecret());
    UUID id = UUID.randomUUID();
    ApplicationStore.Config config = new ApplicationStore.Config(name, blindIndex.of(name), repositoryId, agentId, branch,
        path, settings, imageWebhookSecret);
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
      ApplicationStore.Settings settings = settings(body, row.settings(), me);
      String imageWebhookSecret = ApplicationRules.imageWebhookSecret(body.imageWebhookSecret());
      boolean retargeted = !repositoryId.equals(row.repositoryId()) || !agentId.equals(row.agentId())
          || !Objects.equals(branch, row.branch()) || !path.equals(row.path());
      ApplicationRules.exceptionsStayWithTheirStack(row.settings(), retargeted, me.admin());
      ApplicationStore.Config config = new ApplicationStore.Config(name, blindIndex.of(name), repositoryId, agentId,
          branch, path, settings, imageWebhookSecret);
      // New settings reach the agent with a deployment: the digest covers them.
      // Whether to roll back after a failure is Orca's decision, nothing the agent runs: no sync for it.
      boolean resync = retargeted || !settings.sameForTheAgent(row.settings());
      return checkReferences(config, row.id())
          .then(Mono.defer(() -> store.update(row.id(), config, row.revision(), resync, retargeted, me.actor())))
          .onErrorMap(DataIntegrityViolationException.class, e -> duplicate(name))
          .flatMap(this::afterWrite);
    });
  }

  /** The settings a body asks for, what it leaves out kept from {@code current}. */
  private ApplicationStore.Settings settings(ApplicationBody body, ApplicationStore.Settings current, CurrentUser me) {
    ApplicationStore.Settings settings = ApplicationRules.imageUpdates(body.imagePolling(),
        body.imagePollIntervalSeconds(), body.removeSupersededImages(), ApplicationRules.settings(body.selfHeal(),
            body.readinessTimeoutSeconds(), body.allowedPolicyRules(), current, me.admin(), deadlineSeconds));
    return body.autoRollback() == null ? settings : settings.withAutoRollback(body.autoRollback());
  }

  @DeleteMapping("/{id}")
  Mono<ResponseEntity<Object>> delete(@PathVariable String id, @RequestParam(defaultValue = "false") boolean wait,
      @RequestParam(defaultValue = "false") boolean force, @RequestAttribute(CurrentUser.ATTRIBUTE) CurrentUser me) {
    if (force) {
      return forceRemoval(id, me);
    }
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

  /**
   * {@code DELETE ?force=true}, admins only: for an application whose agent is gone or offline
   * for good (the plain DELETE answers 409 then). The application is deleted at once (200), so its
   * agent and repository can be deleted too; the removal is still sent to the agent, with a
   * deadline {@link #FORCED_REMOVAL_DEADLINE} ahead, and carried out if the agent ever comes back.
   */
  private Mono<ResponseEntity<Object>> forceRemoval(String id, CurrentUser me) {
    if (!me.admin()) {
      return Mono.error(ApiException.forbidden("only an admin may force a removal"));
    }
    return existing(id).flatMap(row -> {
      Instant now = Instant.now();
      RemoveRequested request = RemoveRequested.newBuilder()
          .setRequestId(UUID.randomUUID().toString())
          .setApplicationId(row.id().toString())
          .setAgentId(row.agentId())
          .setDeadline(now.plus(FORCED_REMOVAL_DEADLINE))
          .setActor(me.actor())
          .setAt(now)
          .build();
      return store.forceRemoval(row.id(), request)
          .flatMap(deleted -> deleted
              ? Mono.just(ResponseEntity.ok().<Object>body(Map.of("deleted", true, "requestId", request.getRequestId())))
              : Mono.error(ApiException.notFound("application not found")));
    });
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
          if (row.pinned() != null) {
            // Deploying a commit explicitly ends a rollback's pin (the deploy is queued with its release).
            return store.unpin(row.id(), deploymentId, me.actor())
                .switchIfEmpty(Mono.error(() -> ApiException.notFound("application not found")))
                .flatMap(unpinned -> outbox.awaitPublished(unpinned.seq(), FIRST_SYNC_WAIT)
                    .then(unpinned.wasPinned() ? Mono.empty() : publishDeploy(row, deploymentId, me)))
                .thenReturn(new DeployJson(deploymentId));
          }
          // A deploy asked for by hand decides what runs: a rollback queued after a failure is not sent.
          return store.forgetAutoRollbacks(row.id())
              .then(Mono.defer(() -> publishDeploy(row, deploymentId, me)))
              .thenReturn(new DeployJson(deploymentId));
        });
  }

  private Mono<Void> publishDeploy(ApplicationStore.Row row, String deploymentId, CurrentUser me) {
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
    return publisher.publish(topics.syncRequests(), row.repositoryId().toString(), request).then();
  }


  /** POST body of a rollback: the earlier deployment that succeeded to deploy again. */
  record RollbackBody(String deploymentId) {}

  /**
   * Deploys again exactly what an earlier successful deployment ran (its commit, compose file,
   * files and environment) as a new deployment with reason {@code rollback}, and pins the
   * application there: syncs then only record the branch's newest commit until an unpin, a
   * manual deploy or a move to another repository, branch, path or agent.
   */
  @PostMapping("/{id}/rollback")
  @ResponseStatus(HttpStatus.ACCEPTED)
  Mono<DeployJson> rollback(@PathVariable String id, @RequestBody(required = false) RollbackBody body,
      @RequestAttribute(CurrentUser.ATTRIBUTE) CurrentUser me) {
    if (body == null || body.deploymentId() == null || body.deploymentId().isBlank()
        || body.deploymentId().length() > 100) {
      throw ApiException.badRequest("deploymentId is required: an earlier deployment of this application that succeeded");
    }
    return existing(id)
        .flatMap(row -> row.beingRemoved(Instant.now())
            ? Mono.error(ApiException.conflict("application is being removed"))
            : onlineAgent(row.agentId()).thenReturn(row))
        .flatMap(row -> deploymentStore.find(body.deploymentId())
            .filter(target -> row.id().equals(target.applicationId()))
            .switchIfEmpty(Mono.error(() -> ApiException.notFound("deployment not found")))
            .flatMap(target -> {
              if (!"succeeded".equals(target.state())) {
                return Mono.error(ApiException.conflict("only a deployment that succeeded can be rolled back to;"
                    + " deployment " + target.id() + " " + describe(target.state())));
              }
              String deploymentId = UUID.randomUUID().toString();
              return contents.find(row.id(), target.digest())
                  .switchIfEmpty(Mono.error(() -> ApiException.conflict("what deployment " + target.id()
                      + " ran was not recorded (it was made before Orca kept deployments' contents)")))
                  .flatMap(content -> environmentCanBeOpened(content, row).then(
                      store.rollback(row.id(), target, content, deploymentId, me.actor())))
                  .switchIfEmpty(Mono.error(() -> ApiException.notFound("application not found")))
                  .flatMap(seq -> outbox.awaitPublished(seq, FIRST_SYNC_WAIT))
                  .thenReturn(new DeployJson(deploymentId));
            }));
  }

  /** Ends a rollback's pin: the branch's newest commit is deployed (204 also when not pinned). */
  @DeleteMapping("/{id}/pin")
  Mono<ResponseEntity<Void>> unpin(@PathVariable String id, @RequestAttribute(CurrentUser.ATTRIBUTE) CurrentUser me) {
    return existing(id)
        .flatMap(row -> row.beingRemoved(Instant.now())
            ? Mono.error(ApiException.conflict("application is being removed"))
            : store.unpin(row.id(), UUID.randomUUID().toString(), me.actor())
                .flatMap(unpinned -> outbox.awaitPublished(unpinned.seq(), FIRST_SYNC_WAIT)).then(Mono.just(row)))
        .thenReturn(ResponseEntity.noContent().build());
  }

  /**
   * One deployment with what it ran: its compose file and the files it carried (paths, sizes and
   * SHA-256, never their content), null when that was not recorded. Two of them make the history's
   * compose diff.
   */
  @GetMapping("/{id}/deployments/{deploymentId}")
  Mono<DeploymentDetailJson> deployment(@PathVariable String id, @PathVariable String deploymentId) {
    return existing(id)
        .flatMap(row -> deploymentStore.find(deploymentId)
            .filter(found -> row.id().equals(found.applicationId()))
            .switchIfEmpty(Mono.error(() -> ApiException.notFound("deployment not found")))
            .flatMap(found -> contents.find(row.id(), found.digest())
                .map(content -> DeploymentDetailJson.of(found, content, blindIndex))
                .defaultIfEmpty(DeploymentDetailJson.of(found, null, blindIndex))));
  }

  private static String describe(String state) {
    return switch (state == null ? "" : state) {
      case "in_progress" -> "is still in progress";
      case "timed_out" -> "timed out";
      default -> state;
    };
  }

  /**
   * 409 unless the environment a deployment ran with can be opened to seal it for the application's
   * agent: it was sealed for the agent it ran on, and a deleted agent's key is gone.
   */
  private Mono<Void> environmentCanBeOpened(DeploymentContents.Content content, ApplicationStore.Row row) {
    if (content.environment() == null || row.agentId().equals(content.environmentAgentId())) {
      return Mono.empty();
    }
    return agents.find(content.environmentAgentId())
        .switchIfEmpty(Mono.error(() -> ApiException.conflict("the environment that deployment ran with was sealed"
            + " for agent " + content.environmentAgentId() + ", which no longer exists; it cannot be deployed again")))
        .then();
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

  /** Newest first, {@code limit} (default 50, at most 500) at a time, older than deployment {@code before}. */
  @GetMapping("/{id}/deployments")
  Mono<List<DeploymentJson>> deployments(@PathVariable String id,
      @org.springframework.web.bind.annotation.RequestParam(required = false) String limit,
      @org.springframework.web.bind.annotation.RequestParam(required = false) String before) {
    int size;
    try {
      size = limit == null ? DeploymentStore.DEFAULT_PAGE : Integer.parseInt(limit.trim());
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("limit must be a number");
    }
    if (size < 1 || size > DeploymentStore.MAX_PAGE) {
      throw ApiException.badRequest("limit must be between 1 and " + DeploymentStore.MAX_PAGE);
    }
    if (before != null && (before.isBlank() || before.length() > 100)) {
      throw ApiException.badRequest("before must be a deployment id");
    }
    return existing(id).flatMap(row -> (before == null ? Mono.just(true)
            : deploymentStore.find(before).map(found -> row.id().equals(found.applicationId())).defaultIfEmpty(false))
        .flatMap(known -> known ? deploymentStore.ofApplication(row.id(), size, before).collectList()
            // An empty page would read as "no older history": a cursor that is not one is an error.
            : Mono.error(ApiException.badRequest("before must be the id of one of this application's deployments"))));
  }

  private record Removal(UUID applicationId, String requestId, Instant deadline) {}

  /**
   * Waits for the projector's answer: checks the row now and at each of its changes on the
   * event feed, until it is gone (200), the removal was given up (the removal id is cleared while
   * the row stays: 504 when it timed out, else 502 with the recorded error), or the deadline and a
   * grace passed without an answer (504, after one last look).
   */
  private Mono<ResponseEntity<Object>> awaitRemoval(Removal removal) {
    Duration wait = Duration.between(Instant.now(), removal.deadline().plus(REMOVAL_GRACE));
    Mono<ResponseEntity<Object>> lastLook = removalAnswer(removal)
        .defaultIfEmpty(ResponseEntity.status(HttpStatus.GATEWAY_TIMEOUT)
            .body(Map.of("error", "removal did not finish before its deadline")));
    // The feed first, then the first look: a change between the two is not missed.
    return Flux.merge(changes.of("application", removal.applicationId().toString()).map(deleted -> "change"),
            Mono.just("now"))
        .concatMap(trigger -> removalAnswer(removal))
        .next()
        // The feed ends when the gateway stops: then the last look answers, never an empty 200.
        .switchIfEmpty(lastLook)
        .timeout(wait.isNegative() ? Duration.ZERO : wait, lastLook);
  }

  /** The answer when the removal ended, empty while it is still pending. */
  private Mono<ResponseEntity<Object>> removalAnswer(Removal removal) {
    return store.removalState(removal.applicationId())
        .map(state -> {
          if (removal.requestId().equals(state.requestId())) {
            return Optional.<ResponseEntity<Object>>empty();
          }
          if (timedOut(removal, state)) {
            return Optional.of(ResponseEntity.status(HttpStatus.GATEWAY_TIMEOUT).<Object>body(Map.of("error",
                state.lastSyncError() == null ? "removal did not finish before its deadline" : state.lastSyncError())));
          }
          String error = state.lastSyncError() == null ? "removal failed" : state.lastSyncError();
          return Optional.of(ResponseEntity.status(HttpStatus.BAD_GATEWAY).<Object>body(Map.of("error", error)));
        })
        .defaultIfEmpty(Optional.of(ResponseEntity.ok(Map.of("deleted", true))))
        .flatMap(Mono::justOrEmpty);
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
}
