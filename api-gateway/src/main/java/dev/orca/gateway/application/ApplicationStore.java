package dev.orca.gateway.application;

import dev.orca.gateway.deployment.DeploymentContents;
import dev.orca.gateway.deployment.DeploymentJson;
import dev.orca.gateway.eventlog.EntityChange;
import dev.orca.gateway.eventlog.EventAppender;
import dev.orca.gateway.outbox.Outbox;
import dev.orca.gateway.web.ApiException;
import dev.orca.schemas.ComposeDigest;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.ApplicationConfig;
import dev.orca.schemas.avro.DeployReason;
import dev.orca.schemas.avro.DeployRequested;
import dev.orca.schemas.avro.DeploySettings;
import dev.orca.schemas.avro.PinReleased;
import dev.orca.schemas.avro.RemoveRequested;
import dev.orca.schemas.avro.SyncRequested;
import dev.orca.schemas.avro.SyncTrigger;
import dev.orca.schemas.crypto.SecretBox;
import io.r2dbc.spi.Readable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The applications and deployments tables. A configuration write takes a new revision and
 * queues the {@code ApplicationConfig} snapshot, plus a {@code SyncRequested} when what the
 * application deploys changed, in the same transaction: neither can be lost after the commit.
 * The environment is stored only sealed for the application's agent (the very bytes of the
 * snapshot's {@code settings.environment}); a write locks the row first, so the sealed bytes
 * always match the agent they are stored with.
 */
@Component
class ApplicationStore {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ApplicationStore.class);

  private static final String COLUMNS = "id, name_encrypted, repository_id, agent_id, branch, path, revision,"
      + " sync_status, health_status, commit_sha, commit_message, last_synced_at, last_sync_error, compose_encrypted,"
      + " previous_compose_encrypted, removal_request_id, removal_deadline, self_heal, readiness_timeout_seconds,"
      + " allowed_policy_rules, image_polling, image_poll_interval_seconds, remove_superseded_images,"
      + " image_webhook_secret_encrypted IS NOT NULL AS has_image_webhook_secret, pinned_deployment_id, pinned_commit,"
      + " pinned_at, latest_commit_sha, latest_commit_message, commits_behind, auto_rollback, created_at, updated_at";

  /** {@link #COLUMNS} without the compose files: what a list reads. */
  private static final String LIST_COLUMNS = COLUMNS.replace("compose_encrypted, previous_compose_encrypted,",
      "NULL::text AS compose_encrypted, NULL::text AS previous_compose_encrypted,");

  static {
    if (LIST_COLUMNS.equals(COLUMNS)) {
      throw new IllegalStateException("the list's columns must leave out the compose files");
    }
  }

  /** What {@link Target#of(Readable)} reads, for RETURNING clauses. */
  private static final String TARGET_COLUMNS = "repository_id, agent_id, branch, path, self_heal,"
      + " readiness_timeout_seconds, allowed_policy_rules, image_polling, image_poll_interval_seconds,"
      + " remove_superseded_images, auto_rollback";

  private final DatabaseClient db;
  private final Outbox outbox;
  private final Topics topics;
  private final SecretBox secrets;
  private final EnvironmentSealer sealer;
  private final DeploymentContents contents;
  private final NameCache names;
  /** The public URL the image webhook's address is on; null when none is configured. */
  private final String publicUrl;

  ApplicationStore(DatabaseClient db, Outbox outbox, Topics topics, SecretBox secrets, EnvironmentSealer sealer,
      DeploymentContents contents, dev.orca.gateway.system.OrcaProperties properties) {
    this.contents = contents;
    this.names = new NameCache(secrets);
    this.db = db;
    this.publicUrl = properties.publicBaseUrl();
    this.outbox = outbox;
    this.topics = topics;
    this.secrets = secrets;
    this.sealer = sealer;
  }

  /**
   * What a configuration write sets; {@code imageWebhookSecret} null keeps the stored one, empty
   * removes it. {@link #toString()} never prints the secret.
   */
  record Config(String name, String nameHash, UUID repositoryId, String agentId, String branch, String path,
      Settings settings, String imageWebhookSecret) {

    Config(String name, String nameHash, UUID repositoryId, String agentId, String branch, String path,
        Settings settings) {
      this(name, nameHash, repositoryId, agentId, branch, path, settings, null);
    }

    @Override
    public String toString() {
      return "Config[name=" + name + ", repositoryId=" + repositoryId + ", agentId=" + agentId + ", branch=" + branch
          + ", path=" + path + ", settings=" + settings + ", imageWebhookSecret=" + redacted(imageWebhookSecret) + "]";
    }

    /** A secret field as printed: null and empty (keep and remove) as they are, any secret as {@code <redacted>}. */
    static String redacted(String secret) {
      return secret == null ? "null" : secret.isEmpty() ? "\"\"" : "<redacted>";
    }
  }

  /**
   * How the application is deployed beyond its files: opt-in self-heal, the readiness timeout
   * (null: until the deployment's deadline), the policy rules an admin allowed, in
   * {@link dev.orca.schemas.PolicyRules#ALL}'s order, whether and how often its agent checks its
   * images for updates, whether an image update removes the images it replaced, and whether a
   * failed deployment is rolled back to the last one that succeeded ({@code autoRollback}: Orca's
   * own, never the agent's: it is no part of what the agent runs nor of a deployment's digest).
   */
  record Settings(boolean selfHeal, Integer readinessTimeoutSeconds, List<String> allowedPolicyRules,
      boolean imagePolling, int imagePollIntervalSeconds, boolean removeSupersededImages, boolean autoRollback) {

    static final int DEFAULT_IMAGE_POLL_SECONDS = 120;
    static final Settings DEFAULT = new Settings(false, null, List.of());

    Settings {
      allowedPolicyRules = List.copyOf(allowedPolicyRules);
    }

    Settings(boolean selfHeal, Integer readinessTimeoutSeconds, List<String> allowedPolicyRules) {
      this(selfHeal, readinessTimeoutSeconds, allowedPolicyRules, false, DEFAULT_IMAGE_POLL_SECONDS, false, false);
    }

    Settings withAutoRollback(boolean on) {
      return new Settings(selfHeal, readinessTimeoutSeconds, allowedPolicyRules, imagePolling,
          imagePollIntervalSeconds, removeSupersededImages, on);
    }

    /** Whether the agent would run the application differently: {@code autoRollback} is not its business. */
    boolean sameForTheAgent(Settings other) {
      return withAutoRollback(false).equals(other.withAutoRollback(false));
    }

    /** The image check's interval the agent is given: null when the application does not ask for checks. */
    Integer agentImagePollSeconds() {
      return imagePolling ? imagePollIntervalSeconds : null;
    }

    /** What reaches the agent: an interval without polling is not a setting it has. */
    boolean defaultForTheAgent() {
      return !selfHeal && readinessTimeoutSeconds == null && allowedPolicyRules.isEmpty() && !imagePolling
          && !removeSupersededImages;
    }
  }

  record Row(UUID id, String name, UUID repositoryId, String agentId, String branch, String path, long revision,
      Settings settings, boolean hasImageWebhookSecret, String removalRequestId, Instant removalDeadline,
      ApplicationJson.Pin pinned, ApplicationJson json) {

    /** A removal counts only until its deadline: one whose request was lost must not block the application. */
    boolean beingRemoved(Instant now) {
      return removalRequestId != null && removalDeadline != null && removalDeadline.isAfter(now);
    }
  }

  /** The outcome of a write: the stored row and the outbox seq of the sync it queued, if any. */
  record Written(Row row, Long syncSeq) {}

  /** Where the application runs, what it deploys and how: the parts of its config snapshot. */
  private record Target(UUID repositoryId, String agentId, String branch, String path, Settings settings) {

    static Target of(Config c) {
      return new Target(c.repositoryId(), c.agentId(), c.branch(), c.path(), c.settings());
    }

    static Target of(Readable r) {
      return new Target(r.get("repository_id", UUID.class), r.get("agent_id", String.class),
          r.get("branch", String.class), r.get("path", String.class), settingsOf(r));
    }
  }

  private record Revised(long revision, Target target, String pinnedCommit) {}

  /** The application's agent and its environment sealed for it (null: no variables). */
  record Sealed(String agentId, byte[] environment) {}

  /** What the list filters on in the database; an empty set or a null filters nothing. */
  record ListFilter(Set<String> syncStatuses, Set<String> healthStatuses, String agentId, UUID repositoryId) {}

  /** What a page of the list is chosen by: the name it is sorted by and what a search looks at. */
  record Key(UUID id, String name, UUID repositoryId, String agentId, String branch, String path, String commit,
      String commitMessage) {}

  /**
   * The keys of the applications matching {@code filter}: a page is chosen among them (sorted by
   * name, which only the gateway can read), then only its rows are read whole ({@link #rows}).
   */
  Flux<Key> keys(ListFilter filter) {
    return filtered("id, name_encrypted, repository_id, agent_id, branch, path, commit_sha, commit_message", filter, "")
        .map(r -> new Key(r.get("id", UUID.class), names.decrypt(r.get("name_encrypted", String.class)),
            r.get("repository_id", UUID.class), r.get("agent_id", String.class), r.get("branch", String.class),
            r.get("path", String.class), r.get("commit_sha", String.class), r.get("commit_message", String.class)))
        .all();
  }

  /** These applications as the list shows them (no compose files), in no particular order. */
  Flux<ApplicationJson> rows(List<UUID> ids) {
    if (ids.isEmpty()) {
      return Flux.empty();
    }
    return db.sql("SELECT " + LIST_COLUMNS + " FROM applications WHERE id = ANY(:ids)")
        .bind("ids", ids.toArray(UUID[]::new))
        .map(r -> row(r).json()).all();
  }

  /**
   * The applications matching {@code filter}, light: their compose files are neither read nor
   * decrypted (the list leaves them out), and their names come from {@link #names}.
   */
  Flux<ApplicationJson> list(ListFilter filter) {
    return filtered(LIST_COLUMNS, filter, "").map(r -> row(r).json()).all();
  }

  /** {@code SELECT columns FROM applications} where the filter says, then {@code rest} (a GROUP BY). */
  private DatabaseClient.GenericExecuteSpec filtered(String columns, ListFilter filter, String rest) {
    List<String> conditions = new ArrayList<>();
    Map<String, Object> values = new LinkedHashMap<>();
    if (!filter.syncStatuses().isEmpty()) {
      conditions.add("sync_status = ANY(:sync)");
      values.put("sync", filter.syncStatuses().toArray(String[]::new));
    }
    if (!filter.healthStatuses().isEmpty()) {
      conditions.add("health_status = ANY(:health)");
      values.put("health", filter.healthStatuses().toArray(String[]::new));
    }
    if (filter.agentId() != null) {
      conditions.add("agent_id = :agent");
      values.put("agent", filter.agentId());
    }
    if (filter.repositoryId() != null) {
      conditions.add("repository_id = :repository");
      values.put("repository", filter.repositoryId());
    }
    var spec = db.sql("SELECT " + columns + " FROM applications"
        + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions)) + rest);
    for (var value : values.entrySet()) {
      spec = spec.bind(value.getKey(), value.getValue());
    }
    return spec;
  }

  /** The names a search of applications also looks at: {@code repository:<id>} and {@code agent:<id>}. */
  Mono<Map<String, String>> repositoryAndAgentNames() {
    return db.sql("SELECT 'repository:' || id AS key, name FROM repositories"
            + " UNION ALL SELECT 'agent:' || id, name FROM agents")
        .map(r -> Map.entry(r.get("key", String.class), r.get("name", String.class)))
        .all()
        .collectMap(Map.Entry::getKey, Map.Entry::getValue);
  }

  /** How many applications have each pair of statuses. */
  record Count(String syncStatus, String healthStatus, long applications) {}

  /** The counts of the applications the filter selects. */
  Mono<List<Count>> counts(ListFilter filter) {
    return filtered("sync_status, health_status, count(*) AS applications", filter, " GROUP BY 1, 2")
        .map(r -> new Count(lower(r.get("sync_status", String.class)), lower(r.get("health_status", String.class)),
            r.get("applications", Long.class)))
        .all().collectList();
  }

  Mono<Row> find(UUID id) {
    return db.sql("SELECT " + COLUMNS + " FROM applications WHERE id = :id").bind("id", id).map(this::row).one();
  }

  Mono<ApplicationViews.ImageWebhookTarget> imageWebhookTarget(UUID id) {
    return db.sql("SELECT image_webhook_secret_encrypted, compose_encrypted,"
            + " (removal_request_id IS NOT NULL AND removal_deadline > now()) AS being_removed,"
            + " pinned_deployment_id IS NOT NULL AS pinned FROM applications WHERE id = :id").bind("id", id)
        .map(r -> new ApplicationViews.ImageWebhookTarget(id, r.get("image_webhook_secret_encrypted", String.class),
            secrets.decrypt(r.get("compose_encrypted", String.class)),
            Boolean.TRUE.equals(r.get("being_removed", Boolean.class)), Boolean.TRUE.equals(r.get("pinned", Boolean.class))))
        .one();
  }

  Mono<Boolean> nameTaken(String agentId, String nameHash, UUID exceptId) {
    return db.sql("SELECT EXISTS (SELECT 1 FROM applications WHERE agent_id = :agent AND name_hash = :hash"
            + " AND id <> :id) AS taken")
        .bind("agent", agentId).bind("hash", nameHash).bind("id", exceptId)
        .map(r -> r.get("taken", Boolean.class)).one();
  }

  Mono<Written> insert(UUID id, Config c, String actor) {
    Instant now = Instant.now();
    return outbox.transaction(
        bindSettings(db.sql("INSERT INTO applications (id, name_encrypted, name_hash, repository_id, agent_id, branch,"
                + " path, self_heal, readiness_timeout_seconds, allowed_policy_rules, image_polling,"
                + " image_poll_interval_seconds, remove_superseded_images, auto_rollback, image_webhook_secret_encrypted,"
                + " revision, created_at, updated_at)"
                + " VALUES (:id, :name, :hash, :repository, :agent, :branch, :path, :selfHeal, :readiness, :rules,"
                + " :imagePolling, :imagePollSeconds, :removeSuperseded, :autoRollback,"
                + " CASE WHEN :keepSecret THEN NULL ELSE :secret END,"
                + " nextval('config_revision'), :now, :now) RETURNING revision")
            .bind("id", id).bind("name", secrets.encrypt(c.name())).bind("hash", c.nameHash())
            .bind("repository", c.repositoryId()).bind("agent", c.agentId()).bind("branch", c.branch())
            .bind("path", c.path()).bind("now", now), c.settings(), c.imageWebhookSecret())
            .map(r -> r.get("revision", Long.class)).one()
            .flatMap(revision -> queue(id, Target.of(c), null, revision, now, Sync.of(actor), null))
            .flatMap(seq -> changed(id).thenReturn(seq)))
        .flatMap(seq -> find(id).map(row -> new Written(row, seq.orElse(null))));
  }

  /**
   * Replaces the configuration; empty when the application does not exist. An application moving
   * to another agent takes its environment along, sealed again for that agent (409 when that
   * agent has no environment key); otherwise the sealed bytes stay as they are. {@code readRevision}
   * is the revision {@code c} was built from: 409 when another write came first (its change would be
   * lost, an admin's revoked policy exception among them).
   */
  Mono<Written> update(UUID id, Config c, long readRevision, boolean resync, boolean retargeted, String actor) {
    Instant now = Instant.now();
    return outbox.transaction(
        lockSealed(id)
            .flatMap(current -> current.revision() != readRevision
                ? Mono.error(ApiException.conflict("the application changed meanwhile; read it again and retry"))
                : Mono.just(current))
            .flatMap(current -> sealer.reseal(current.agentId(), c.agentId(), id, current.environment())
                .map(environment -> new Resealed(current, environment)))
            .flatMap(resealed -> {
              // A pin holds the stack it was made on: another repository, branch, path or agent ends it,
              // and the sync is then a deploy, which ends the dispatcher's pin too.
              boolean unpin = retargeted && resealed.current().pinnedCommit() != null;
              Optional<byte[]> environment = resealed.environment();
              Sync sync = unpin ? Sync.deploy(actor, UUID.randomUUID().toString()) : resync ? Sync.of(actor) : Sync.NONE;
              return bindEnvironment(bindSettings(db.sql("UPDATE applications SET name_encrypted = :name,"
                    + " name_hash = :hash, repository_id = :repository, agent_id = :agent, branch = :branch,"
                    + " path = :path, environment_sealed = :environment, self_heal = :selfHeal,"
                    + " readiness_timeout_seconds = :readiness, allowed_policy_rules = :rules,"
                    + " image_polling = :imagePolling, image_poll_interval_seconds = :imagePollSeconds,"
                    + " remove_superseded_images = :removeSuperseded, auto_rollback = :autoRollback,"
                    + " image_webhook_secret_encrypted = CASE WHEN"
                    + " :keepSecret THEN image_webhook_secret_encrypted ELSE :secret END," + (unpin ? UNPIN : "")
                    // Another agent's observations are on another clock: the first of them is not older news.
                    + " health_observed_at = CASE WHEN agent_id = :agent THEN health_observed_at END,"
                    + " revision = nextval('config_revision'), updated_at = :now WHERE id = :id RETURNING revision")
                    .bind("id", id).bind("name", secrets.encrypt(c.name())).bind("hash", c.nameHash())
                    .bind("repository", c.repositoryId()).bind("agent", c.agentId()).bind("branch", c.branch())
                    .bind("path", c.path()).bind("now", now), c.settings(),
                    c.imageWebhookSecret()), environment.orElse(null))
                .map(r -> r.get("revision", Long.class)).one()
                .flatMap(revision -> (unpin ? releasePin(id, actor, now) : Mono.<Long>empty())
                    .then(queue(id, Target.of(c), environment.orElse(null), revision, now, sync,
                        unpin ? null : resealed.current().pinnedCommit())));
            })
            .flatMap(seq -> changed(id).thenReturn(seq)))
        .flatMap(seq -> find(id).map(row -> new Written(row, seq.orElse(null))));
  }

  /** The locked row and its environment sealed for the agent the write names. */
  private record Resealed(Locked current, Optional<byte[]> environment) {}


  /** Every application's id, oldest first. */
  Flux<UUID> ids() {
    return db.sql("SELECT id FROM applications ORDER BY created_at, id").map(row -> row.get("id", UUID.class)).all();
  }

  /**
   * Publishes the application's configuration again under a new revision, with a sync of it: a
   * database restored from an export, on a broker that has not seen it. False when it is gone.
   */
  Mono<Boolean> republish(UUID id, String actor) {
    Instant now = Instant.now();
    return outbox.transaction(
        db.sql("UPDATE applications SET revision = nextval('config_revision') WHERE id = :id"
                + " RETURNING revision, environment_sealed, pinned_commit, pinned_deployment_id, " + TARGET_COLUMNS)
            .bind("id", id)
            .map(r -> new Republished(new Revised(r.get("revision", Long.class), Target.of(r),
                r.get("pinned_commit", String.class)), r.get("environment_sealed", byte[].class),
                r.get("pinned_deployment_id", String.class)))
            .one()
            .flatMap(row -> row.pinnedDeployment() == null
                ? queue(id, row.revised().target(), row.environment(), row.revised().revision(), now, Sync.of(actor),
                    null)
                // A new broker's dispatcher knows no pin: the rollback is sent again, which pins it there too,
                // under an id of its own that a second pass repeats (the dispatcher takes it once).
                : pinnedContent(id, row.pinnedDeployment())
                    .flatMap(content -> sealer.reseal(content.environmentAgentId(), row.revised().target().agentId(), id,
                            content.environment())
                        .map(environment -> new Resolved(content, environment.orElse(null))))
                    .onErrorResume(ApiException.class, e -> {
                      log.warn("application {} cannot be pinned again at {}: {}; it follows its branch", id,
                          row.pinnedDeployment(), e.getMessage());
                      return Mono.empty();
                    })
                    .flatMap(resolved -> queue(id, row.revised().target(), row.environment(), row.revised().revision(),
                            now, Sync.NONE, row.revised().pinnedCommit())
                        .then(queueRollback(id, row.revised().target(), resolved.content(), resolved.environment(),
                            UUID.nameUUIDFromBytes(("restored-pin:" + id + ":" + row.pinnedDeployment())
                                .getBytes(StandardCharsets.UTF_8)).toString(), actor, now))
                        .map(Optional::of))
                    // Nothing recorded to pin it to, or its environment cannot be opened any more: the pin
                    // ends, on this side too, and it follows its branch.
                    .switchIfEmpty(Mono.defer(() -> db.sql("UPDATE applications SET" + UNPIN + " updated_at = now()"
                            + " WHERE id = :id").bind("id", id).fetch().rowsUpdated()
                        .then(queue(id, row.revised().target(), row.environment(), row.revised().revision(), now,
                            Sync.of(actor), null)))))
            .flatMap(seq -> changed(id).thenReturn(true))
            .defaultIfEmpty(false));
  }

  private record Republished(Revised revised, byte[] environment, String pinnedDeployment) {}

  private record Resolved(DeploymentContents.Content content, byte[] environment) {}

  /** What the deployment an application is pinned to ran, at its commit; empty when it was not recorded. */
  private Mono<DeploymentContents.Content> pinnedContent(UUID id, String deploymentId) {
    return db.sql("SELECT digest, commit_sha FROM deployments WHERE id = :deployment AND application_id = :id")
        .bind("deployment", deploymentId).bind("id", id)
        .map(r -> new String[] {r.get("digest", String.class), r.get("commit_sha", String.class)}).one()
        .flatMap(found -> contents.find(id, found[0]).map(content -> content.at(found[1])));
  }

  /**
   * Pins the application to deployment {@code target} and queues, in one transaction, its snapshot
   * naming the pinned commit and a {@code DeployRequested} (reason ROLLBACK, id {@code deploymentId})
   * of exactly what that deployment ran: its commit, compose file and files, and its environment
   * (sealed again when the application has moved to another agent since), with the application's
   * current settings otherwise (an admin's policy exceptions are today's, never an earlier
   * deployment's). Returns the request's outbox seq; empty when the application is gone.
   */
  Mono<Long> rollback(UUID id, DeploymentJson target, DeploymentContents.Content recorded, String deploymentId,
      String actor) {
    Instant now = Instant.now();
    // The contents are kept per digest: the commit is the deployment's own, its message only when it is that commit's.
    DeploymentContents.Content content = recorded.at(target.commit());
    return outbox.transaction(
        lockSealed(id)
            // A rollback decides now: one queued to follow a failure (this one's own too) is not sent after it.
            .flatMap(current -> forgetAutoRollbacks(id).thenReturn(current))
            .flatMap(current -> sealer.reseal(content.environmentAgentId(), current.agentId(), id, content.environment()))
            // The branch's newest known commit is what ran until now (unless that is the pinned one).
            .flatMap(environment -> db.sql("UPDATE applications SET pinned_deployment_id = :target,"
                    + " pinned_commit = :commit, pinned_at = :now,"
                    + " latest_commit_sha = CASE WHEN commit_sha IS DISTINCT FROM :commit THEN commit_sha END,"
                    + " latest_commit_message = CASE WHEN commit_sha IS DISTINCT FROM :commit THEN commit_message END,"
                    + " commits_behind = NULL, revision = nextval('config_revision'),"
                    + " updated_at = :now WHERE id = :id RETURNING revision, environment_sealed, " + TARGET_COLUMNS)
                .bind("id", id).bind("target", target.id()).bind("commit", content.commit()).bind("now", now)
                .map(r -> new Republished(new Revised(r.get("revision", Long.class), Target.of(r), content.commit()),
                    r.get("environment_sealed", byte[].class), target.id()))
                .one()
                // Image updates waiting to be sent would only be held back now: they go.
                .flatMap(row -> db.sql("DELETE FROM image_updates WHERE application_id = :id").bind("id", id)
                    .fetch().rowsUpdated()
                    .then(queue(id, row.revised().target(), row.environment(), row.revised().revision(), now,
                        Sync.NONE, content.commit()))
                    .then(queueRollback(id, row.revised().target(), content, environment.orElse(null), deploymentId,
                        actor, now))))
            .flatMap(seq -> changed(id).thenReturn(seq)));
  }

  /**
   * Takes away the automatic rollbacks queued for the application: the user's rollback, unpin or
   * deploy decides what runs now. Returns how many were queued.
   */
  Mono<Long> forgetAutoRollbacks(UUID id) {
    return db.sql("DELETE FROM auto_rollbacks WHERE application_id = :id").bind("id", id).fetch().rowsUpdated();
  }

  /** What an unpin queued: the last outbox seq, and whether the application was pinned (then a deploy is queued too). */
  record Unpinned(long seq, boolean wasPinned) {}

  /**
   * Ends the pin: queues a {@code PinReleased} for the dispatcher in any case (so an unpin also
   * repairs a dispatcher that holds a pin this row no longer names) and, when the row was pinned,
   * clears it and queues a deploy of the branch's newest commit under {@code deploymentId}. Empty
   * when the application is gone.
   */
  Mono<Unpinned> unpin(UUID id, String deploymentId, String actor) {
    Instant now = Instant.now();
    return outbox.transaction(
        db.sql("SELECT 1 AS found FROM applications WHERE id = :id FOR UPDATE").bind("id", id)
            .map(r -> true).one()
            .flatMap(found -> forgetAutoRollbacks(id))
            .flatMap(forgotten -> releasePin(id, actor, now))
            .flatMap(released -> db.sql("UPDATE applications SET" + UNPIN
                    + " revision = nextval('config_revision'), updated_at = :now"
                    + " WHERE id = :id AND pinned_deployment_id IS NOT NULL"
                    + " RETURNING revision, environment_sealed, " + TARGET_COLUMNS)
                .bind("id", id).bind("now", now)
                .map(r -> new Republished(new Revised(r.get("revision", Long.class), Target.of(r), null),
                    r.get("environment_sealed", byte[].class), null))
                .one()
                .flatMap(row -> queue(id, row.revised().target(), row.environment(), row.revised().revision(), now,
                        Sync.deploy(actor, deploymentId), null)
                    .flatMap(seq -> changed(id).thenReturn(new Unpinned(seq.orElseThrow(), true))))
                .defaultIfEmpty(new Unpinned(released, false))));
  }

  /** Queues the dispatcher's {@code PinReleased} for the application; returns its outbox seq. */
  private Mono<Long> releasePin(UUID id, String actor, Instant now) {
    return outbox.append(topics.deployRequests(), id.toString(), PinReleased.newBuilder()
        .setRequestId(UUID.randomUUID().toString())
        .setApplicationId(id.toString())
        .setActor(actor)
        .setAt(now)
        .build());
  }

  /** Assignments that clear the pin and what it held back. */
  private static final String UNPIN = " pinned_deployment_id = NULL, pinned_commit = NULL, pinned_at = NULL,"
      + " latest_commit_sha = NULL, latest_commit_message = NULL, commits_behind = NULL,";

  /** Queues the {@code DeployRequested} of a rollback to {@code content} under the application's {@code target}. */
  private Mono<Long> queueRollback(UUID id, Target target, DeploymentContents.Content content, byte[] environment,
      String deploymentId, String actor, Instant now) {
    DeploySettings settings = settings(environment, target.settings());
    String digest = ComposeDigest.of(content.compose().getBytes(StandardCharsets.UTF_8), content.files(), settings);
    return floor(id).flatMap(floor -> outbox.append(topics.deployRequests(), id.toString(), DeployRequested.newBuilder()
        .setRequestId(UUID.randomUUID().toString())
        .setApplicationId(id.toString())
        .setAgentId(target.agentId())
        .setReason(DeployReason.ROLLBACK)
        .setDeploymentId(deploymentId)
        .setCommit(content.commit())
        .setCommitMessage(content.commitMessage())
        .setCompose(content.compose())
        .setDigest(digest)
        .setComposeChanged(true)
        .setFiles(content.filesForAvro())
        .setSettings(settings)
        .setGenerationFloor(floor)
        .setActor(actor)
        .setAt(now)
        .build()));
  }

  /** The history's highest generation: what the dispatcher numbers above (it restarts at 0 on a new broker). */
  private Mono<Long> floor(UUID id) {
    return db.sql("SELECT coalesce(max(generation), 0) AS floor FROM deployments WHERE application_id = :id")
        .bind("id", id).map(row -> row.get("floor", Long.class)).one();
  }

  /**
   * The sync a configuration write queues with its snapshot: none, a sync of the application
   * ({@code CONFIGURATION}), or a deploy of it under {@code deploymentId} (what ends a pin).
   */
  private record Sync(String actor, SyncTrigger trigger, String deploymentId) {

    static final Sync NONE = new Sync(null, null, null);

    static Sync of(String actor) {
      return new Sync(actor, SyncTrigger.CONFIGURATION, null);
    }

    static Sync deploy(String actor, String deploymentId) {
      return new Sync(actor, SyncTrigger.MANUAL, deploymentId);
    }
  }

  /** The agent and sealed environment, or empty when the application does not exist. */
  Mono<Sealed> sealed(UUID id) {
    return db.sql("SELECT agent_id, environment_sealed FROM applications WHERE id = :id").bind("id", id)
        .map(ApplicationStore::sealedOf).one();
  }

  /**
   * Replaces the environment with {@code dotEnv} (empty: no variables) sealed for the application's
   * agent, queues the snapshot and a sync of the application so the agent gets it; empty when the
   * application does not exist, 409 when its agent has no environment key.
   */
  Mono<Written> replaceEnvironment(UUID id, String dotEnv, String actor) {
    Instant now = Instant.now();
    return outbox.transaction(
        lockSealed(id)
            .flatMap(current -> sealer.seal(current.agentId(), id, dotEnv))
            .flatMap(environment -> bindEnvironment(db.sql("UPDATE applications SET environment_sealed = :environment,"
                    + " revision = nextval('config_revision'), updated_at = :now WHERE id = :id"
                    + " RETURNING revision, pinned_commit, " + TARGET_COLUMNS)
                    .bind("id", id).bind("now", now), environment.orElse(null))
                .map(r -> new Revised(r.get("revision", Long.class), Target.of(r), r.get("pinned_commit", String.class)))
                .one()
                .flatMap(updated -> queue(id, updated.target(), environment.orElse(null), updated.revision(), now,
                    Sync.of(actor), updated.pinnedCommit())))
            .flatMap(seq -> changed(id).thenReturn(seq)))
        .flatMap(seq -> find(id).map(row -> new Written(row, seq.orElse(null))));
  }

  /** Locks the row for the rest of the transaction: the agent cannot change under a sealing. */
  private Mono<Locked> lockSealed(UUID id) {
    return db.sql("SELECT agent_id, environment_sealed, revision, pinned_commit FROM applications WHERE id = :id"
            + " FOR UPDATE")
        .bind("id", id)
        .map(r -> new Locked(r.get("agent_id", String.class), r.get("environment_sealed", byte[].class),
            r.get("revision", Long.class), r.get("pinned_commit", String.class)))
        .one();
  }

  /** The locked row's agent, sealed environment, revision and the commit it is pinned to (null: none). */
  private record Locked(String agentId, byte[] environment, long revision, String pinnedCommit) {}

  private static Sealed sealedOf(Readable r) {
    return new Sealed(r.get("agent_id", String.class), r.get("environment_sealed", byte[].class));
  }

  /** Binds the settings and the image webhook secret (null keeps the stored one, empty removes it). */
  private DatabaseClient.GenericExecuteSpec bindSettings(DatabaseClient.GenericExecuteSpec spec,
      Settings settings, String imageWebhookSecret) {
    spec = spec.bind("selfHeal", settings.selfHeal()).bind("rules", settings.allowedPolicyRules().toArray(String[]::new))
        .bind("imagePolling", settings.imagePolling()).bind("imagePollSeconds", settings.imagePollIntervalSeconds())
        .bind("removeSuperseded", settings.removeSupersededImages())
        .bind("autoRollback", settings.autoRollback())
        .bind("keepSecret", imageWebhookSecret == null);
    spec = imageWebhookSecret == null || imageWebhookSecret.isEmpty() ? spec.bindNull("secret", String.class)
        : spec.bind("secret", secrets.encrypt(imageWebhookSecret));
    return settings.readinessTimeoutSeconds() == null ? spec.bindNull("readiness", Integer.class)
        : spec.bind("readiness", settings.readinessTimeoutSeconds());
  }

  private static Settings settingsOf(Readable r) {
    String[] rules = r.get("allowed_policy_rules", String[].class);
    Integer interval = r.get("image_poll_interval_seconds", Integer.class);
    return new Settings(Boolean.TRUE.equals(r.get("self_heal", Boolean.class)),
        r.get("readiness_timeout_seconds", Integer.class), rules == null ? List.of() : List.of(rules),
        Boolean.TRUE.equals(r.get("image_polling", Boolean.class)),
        interval == null ? Settings.DEFAULT_IMAGE_POLL_SECONDS : interval,
        Boolean.TRUE.equals(r.get("remove_superseded_images", Boolean.class)),
        Boolean.TRUE.equals(r.get("auto_rollback", Boolean.class)));
  }

  private static DatabaseClient.GenericExecuteSpec bindEnvironment(DatabaseClient.GenericExecuteSpec spec,
      byte[] environment) {
    return environment == null ? spec.bindNull("environment", byte[].class) : spec.bind("environment", environment);
  }

  /** The live event of a configuration write, in its transaction, so open dashboards see it. */
  private Mono<Long> changed(UUID id) {
    return EventAppender.append(db, EntityChange.changed("application", id.toString()));
  }

  /**
   * Queues the snapshot and, when asked, a sync of just this application; returns the sync's outbox
   * seq. {@code environment} is the .env sealed for {@code c.agentId()}, null for none;
   * {@code pinnedCommit} the commit a rollback pinned it to, null for none.
   */
  private Mono<Optional<Long>> queue(UUID id, Target c, byte[] environment, long revision, Instant now, Sync sync,
      String pinnedCommit) {
    Mono<Long> config = floor(id)
        .flatMap(floor -> outbox.append(topics.configApplications(), id.toString(), ApplicationConfig.newBuilder()
            .setId(id.toString())
            .setRevision(revision)
            .setRepositoryId(c.repositoryId().toString())
            .setAgentId(c.agentId())
            .setBranch(c.branch())
            .setPath(c.path())
            .setSettings(settings(environment, c.settings()))
            .setGenerationFloor(floor)
            .setPinnedCommit(pinnedCommit)
            .setUpdatedAt(now)
            .build()));
    if (sync.trigger() == null) {
      return config.thenReturn(Optional.empty());
    }
    SyncRequested request = SyncRequested.newBuilder()
        .setSyncId(UUID.randomUUID().toString())
        .setRepositoryId(c.repositoryId().toString())
        .setTrigger(sync.trigger())
        .setApplicationId(id.toString())
        .setDeploymentId(sync.deploymentId())
        .setActor(sync.actor())
        .setMinRevision(revision)
        .setAt(now)
        .build();
    return config.then(outbox.append(topics.syncRequests(), c.repositoryId().toString(), request)).map(Optional::of);
  }

  /**
   * The snapshot's deploy settings: null when every one is at its default (no variables, no
   * self-heal, no readiness timeout, no allowed rule), so such an application's deployments keep the
   * digest they had before settings existed.
   */
  private static DeploySettings settings(byte[] environment, Settings settings) {
    if (environment == null && settings.defaultForTheAgent()) {
      return null;
    }
    return DeploySettings.newBuilder()
        .setEnvironment(environment == null ? null : ByteBuffer.wrap(environment))
        .setSelfHeal(settings.selfHeal())
        .setReadinessTimeoutSeconds(settings.readinessTimeoutSeconds())
        .setAllowedPolicyRules(settings.allowedPolicyRules())
        .setImagePollIntervalSeconds(settings.agentImagePollSeconds())
        .setRemoveSupersededImages(settings.removeSupersededImages())
        .build();
  }

  /**
   * Marks the removal as requested and queues its {@code RemoveRequested} in one transaction, so
   * a crash cannot leave a mark without a request; returns the request's outbox seq, empty when
   * the application does not exist.
   */
  Mono<Long> requestRemoval(UUID id, RemoveRequested request) {
    return outbox.transaction(
        db.sql("UPDATE applications SET removal_request_id = :request, removal_deadline = :deadline WHERE id = :id")
            .bind("id", id).bind("request", request.getRequestId()).bind("deadline", request.getDeadline())
            .fetch().rowsUpdated()
            .filter(count -> count > 0)
            .flatMap(count -> outbox.append(topics.deployRequests(), id.toString(), request)));
  }

  /**
   * An admin's forced removal: deletes the application at once and queues, in the same
   * transaction, a {@code RemoveRequested} for its agent to carry out whenever it comes back, the
   * tombstone of its configuration, and the live event; false when it does not exist. Its
   * deployments stay, as after any removal.
   */
  Mono<Boolean> forceRemoval(UUID id, RemoveRequested request) {
    return outbox.transaction(
        db.sql("DELETE FROM applications WHERE id = :id").bind("id", id).fetch().rowsUpdated()
            .flatMap(count -> count == 0 ? Mono.just(false)
                : outbox.append(topics.deployRequests(), id.toString(), request)
                    .then(outbox.append(topics.configApplications(), id.toString(), null))
                    .then(EventAppender.append(db, EntityChange.deleted("application", id.toString())))
                    .thenReturn(true)));
  }

  /**
   * Takes back a removal whose request Kafka has not acknowledged: true when the request was
   * still queued and is now gone with the mark, false when the relay had already published it.
   */
  Mono<Boolean> withdrawRemoval(UUID id, String requestId, long seq) {
    return outbox.transaction(outbox.withdraw(seq)
        .flatMap(withdrawn -> withdrawn ? clearRemoval(id, requestId).thenReturn(true) : Mono.just(false)));
  }

  private Mono<Void> clearRemoval(UUID id, String requestId) {
    return db.sql("UPDATE applications SET removal_request_id = NULL, removal_deadline = NULL"
            + " WHERE id = :id AND removal_request_id = :request")
        .bind("id", id).bind("request", requestId).fetch().rowsUpdated().then();
  }

  /** Where a removal stands: empty when the row is gone. */
  Mono<RemovalState> removalState(UUID id) {
    return db.sql("SELECT removal_request_id, last_sync_error, last_removal_request_id, last_removal_timed_out"
            + " FROM applications WHERE id = :id").bind("id", id)
        .map(r -> new RemovalState(r.get("removal_request_id", String.class), r.get("last_sync_error", String.class),
            r.get("last_removal_request_id", String.class), r.get("last_removal_timed_out", Boolean.class)))
        .one();
  }

  /**
   * The pending request id, and how the last finished removal ended ({@code lastTimedOut} is
   * null when none finished without removing the application).
   */
  record RemovalState(String requestId, String lastSyncError, String lastRequestId, Boolean lastTimedOut) {}

  private Row row(Readable r) {
    UUID id = r.get("id", UUID.class);
    String name = names.decrypt(r.get("name_encrypted", String.class));
    UUID repositoryId = r.get("repository_id", UUID.class);
    String agentId = r.get("agent_id", String.class);
    String branch = r.get("branch", String.class);
    String path = r.get("path", String.class);
    Settings settings = settingsOf(r);
    boolean hasImageWebhookSecret = Boolean.TRUE.equals(r.get("has_image_webhook_secret", Boolean.class));
    String pinnedDeployment = r.get("pinned_deployment_id", String.class);
    ApplicationJson.Pin pinned = pinnedDeployment == null ? null
        : new ApplicationJson.Pin(pinnedDeployment, r.get("pinned_commit", String.class), r.get("pinned_at", Instant.class));
    ApplicationJson json = new ApplicationJson(id, name, repositoryId, agentId, branch, path,
        lower(r.get("sync_status", String.class)), lower(r.get("health_status", String.class)),
        r.get("commit_sha", String.class), r.get("commit_message", String.class), r.get("last_synced_at", Instant.class),
        r.get("last_sync_error", String.class), secrets.decrypt(r.get("compose_encrypted", String.class)),
        secrets.decrypt(r.get("previous_compose_encrypted", String.class)), settings.selfHeal(),
        settings.readinessTimeoutSeconds(), settings.allowedPolicyRules(), settings.imagePolling(),
        settings.imagePollIntervalSeconds(), settings.removeSupersededImages(), settings.autoRollback(),
        hasImageWebhookSecret,
        hasImageWebhookSecret && publicUrl != null ? publicUrl + "/api/v1/webhooks/images/" + id : null,
        pinned, pinned == null ? null : r.get("latest_commit_sha", String.class),
        pinned == null ? null : r.get("latest_commit_message", String.class),
        pinned == null ? null : r.get("commits_behind", Integer.class),
        r.get("created_at", Instant.class), r.get("updated_at", Instant.class));
    return new Row(id, name, repositoryId, agentId, branch, path, r.get("revision", Long.class), settings,
        hasImageWebhookSecret, r.get("removal_request_id", String.class), r.get("removal_deadline", Instant.class),
        pinned, json);
  }

  private static String lower(String value) {
    return value == null ? null : value.toLowerCase(Locale.ROOT);
  }
}
