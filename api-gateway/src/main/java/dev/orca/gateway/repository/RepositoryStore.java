package dev.orca.gateway.repository;

import dev.orca.gateway.eventlog.EntityChange;
import dev.orca.gateway.eventlog.EventAppender;
import dev.orca.gateway.outbox.Outbox;
import dev.orca.gateway.system.OrcaProperties;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.RepositoryConfig;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The repositories table. Configuration writes take a new revision and queue the
 * {@code RepositoryConfig} snapshot (secrets still encrypted) or a tombstone in the same
 * transaction; status columns belong to the projector and are only read here.
 */
@Component
class RepositoryStore {

  private static final String COLUMNS = "id, name, url, provider, auth_method, username, secret_encrypted, sync_type,"
      + " polling_interval_seconds, webhook_secret_encrypted, revision, sync_status, last_synced_at, last_sync_error,"
      + " last_sync_note, last_trigger, last_trigger_actor, last_triggered_at, github_actions_enabled,"
      + " github_repository, github_allowed_branches, github_allowed_workflows, created_at, updated_at";

  private final DatabaseClient db;
  private final Outbox outbox;
  private final Topics topics;
  /** Without a trailing slash; null when none is configured. */
  private final String publicUrl;

  RepositoryStore(DatabaseClient db, Outbox outbox, Topics topics, OrcaProperties properties) {
    this.db = db;
    this.outbox = outbox;
    this.topics = topics;
    this.publicUrl = properties.publicBaseUrl();
  }

  /** The configuration a write sets; secrets as stored (encrypted). */
  record Config(String name, String url, String provider, String authMethod, String username, String secretEncrypted,
      String syncType, int pollingInterval, String webhookSecretEncrypted, RepositoryJson.GitHubActions githubActions) {}

  record Row(UUID id, Config config, long revision, String syncStatus, Instant lastSyncedAt, String lastSyncError,
      String lastSyncNote, RepositoryJson.TriggerJson lastTrigger, Instant createdAt, Instant updatedAt) {}

  /** The row as GET returns it: never a secret; the addresses a git server or a workflow calls on the public URL. */
  RepositoryJson json(Row row) {
    Config config = row.config();
    RepositoryJson.GitHubActions actions = config.githubActions();
    return new RepositoryJson(row.id(), config.name(), config.url(), config.provider(), config.authMethod(),
        config.username(), config.syncType(), config.pollingInterval(), row.syncStatus(), row.lastSyncedAt(),
        row.lastSyncError(), row.lastSyncNote(), row.lastTrigger(), config.secretEncrypted() != null,
        config.webhookSecretEncrypted() != null,
        publicUrl == null ? null : publicUrl + "/api/v1/webhooks/repositories/" + row.id(),
        new RepositoryJson.GitHubActionsJson(actions.enabled(), actions.repository(), actions.allowedBranches(),
            actions.allowedWorkflows(), publicUrl),
        row.createdAt(), row.updatedAt());
  }

  Flux<Row> all() {
    return db.sql("SELECT " + COLUMNS + " FROM repositories ORDER BY lower(name), created_at, id")
        .map(RepositoryStore::row).all();
  }

  Mono<Row> find(UUID id) {
    return db.sql("SELECT " + COLUMNS + " FROM repositories WHERE id = :id").bind("id", id)
        .map(RepositoryStore::row).one();
  }

  Mono<Row> insert(UUID id, Config config) {
    Instant now = now();
    return write(db.sql("INSERT INTO repositories (id, name, url, provider, auth_method, username, secret_encrypted,"
            + " sync_type, polling_interval_seconds, webhook_secret_encrypted, github_actions_enabled, github_repository,"
            + " github_allowed_branches, github_allowed_workflows, revision, created_at, updated_at)"
            + " VALUES (:id, :name, :url, :provider, :auth, :username, :secret, :sync, :interval, :webhook,"
            + " :ghEnabled, :ghRepository, :ghBranches, :ghWorkflows, nextval('config_revision'), :now, :now)"
            + " RETURNING revision"), id, config, now)
        .map(revision -> new Row(id, config, revision, "unknown", null, null, null, null, now, now));
  }

  /** Replaces the configuration; empty when the repository does not exist. */
  Mono<Row> update(UUID id, Config config) {
    return write(db.sql(UPDATE + " RETURNING revision"), id, config, now())
        .then(find(id));
  }

  private static final String UPDATE = "UPDATE repositories SET name = :name, url = :url, provider = :provider,"
      + " auth_method = :auth, username = :username, secret_encrypted = :secret, sync_type = :sync,"
      + " polling_interval_seconds = :interval, webhook_secret_encrypted = :webhook,"
      + " github_actions_enabled = :ghEnabled, github_repository = :ghRepository,"
      + " github_allowed_branches = :ghBranches, github_allowed_workflows = :ghWorkflows,"
      + " revision = nextval('config_revision'), updated_at = :now WHERE id = :id";

  /**
   * Runs a statement that writes the configuration and returns the new revision, and in the
   * same transaction queues its snapshot for the config topic and its live event.
   */
  private Mono<Long> write(DatabaseClient.GenericExecuteSpec statement, UUID id, Config config, Instant now) {
    return outbox.transaction(
        bindConfig(statement, config).bind("id", id).bind("now", now)
            .map(r -> r.get("revision", Long.class))
            .one()
            .flatMap(revision -> outbox.append(topics.configRepositories(), id.toString(),
                snapshot(id, revision, config, now)).thenReturn(revision))
            .flatMap(revision -> changed(id).thenReturn(revision)));
  }

  /** PostgreSQL keeps microseconds: an answer must match what a later GET returns. */
  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }

  /**
   * The repository's secrets sealed again (a key rotation), published like any change so sync-stream
   * holds the new ciphertext too; empty when the row changed meanwhile (the next pass sees it again).
   */
  Mono<Long> reseal(UUID id, long revision, java.util.function.UnaryOperator<String> reseal) {
    return find(id).filter(row -> row.revision() == revision).flatMap(row -> {
      Config c = row.config();
      Config resealed = new Config(c.name(), c.url(), c.provider(), c.authMethod(), c.username(),
          reseal.apply(c.secretEncrypted()), c.syncType(), c.pollingInterval(), reseal.apply(c.webhookSecretEncrypted()),
          c.githubActions());
      return write(db.sql(UPDATE + " AND revision = :expected RETURNING revision").bind("expected", revision), id, resealed,
          now());
    });
  }

  /**
   * Publishes the repository's configuration again, as stored (secrets still sealed), under a new
   * revision: a database restored from an export, on a broker that has not seen it. Empty when it is gone.
   */
  Mono<Long> republish(UUID id) {
    // Only as it was read: an edit made meanwhile was published by its own write, and wins.
    return find(id).flatMap(row -> write(db.sql(UPDATE + " AND revision = :expected RETURNING revision")
        .bind("expected", row.revision()), id, row.config(), row.updatedAt()).defaultIfEmpty(row.revision()));
  }

  Mono<Long> applicationCount(UUID id) {
    return db.sql("SELECT count(*) AS n FROM applications WHERE repository_id = :id")
        .bind("id", id).map(row -> row.get("n", Long.class)).one();
  }

  /** Deletes the repository and queues its tombstone; false when it does not exist. */
  Mono<Boolean> delete(UUID id) {
    return outbox.transaction(
        db.sql("DELETE FROM repositories WHERE id = :id").bind("id", id).fetch().rowsUpdated()
            .flatMap(count -> count == 0 ? Mono.just(false)
                : outbox.append(topics.configRepositories(), id.toString(), null)
                    .then(EventAppender.append(db, EntityChange.deleted("repository", id.toString())))
                    .thenReturn(true)));
  }

  /** The live event of a write, in its transaction, so open dashboards see it. */
  private Mono<Long> changed(UUID id) {
    return EventAppender.append(db, EntityChange.changed("repository", id.toString()));
  }

  /** The newest configuration revision of the repository and its applications; empty when unknown. */
  Mono<Long> minRevision(UUID id) {
    return db.sql("SELECT greatest(r.revision, coalesce((SELECT max(a.revision) FROM applications a"
            + " WHERE a.repository_id = r.id), 0)) AS min_revision FROM repositories r WHERE r.id = :id")
        .bind("id", id).map(row -> row.get("min_revision", Long.class)).one();
  }

  private static DatabaseClient.GenericExecuteSpec bindConfig(DatabaseClient.GenericExecuteSpec spec, Config c) {
    spec = spec.bind("name", c.name()).bind("url", c.url()).bind("provider", c.provider()).bind("auth", c.authMethod())
        .bind("sync", c.syncType()).bind("interval", c.pollingInterval());
    spec = c.username() == null ? spec.bindNull("username", String.class) : spec.bind("username", c.username());
    spec = c.secretEncrypted() == null ? spec.bindNull("secret", String.class) : spec.bind("secret", c.secretEncrypted());
    spec = c.webhookSecretEncrypted() == null ? spec.bindNull("webhook", String.class)
        : spec.bind("webhook", c.webhookSecretEncrypted());
    RepositoryJson.GitHubActions actions = c.githubActions();
    spec = spec.bind("ghEnabled", actions.enabled())
        .bind("ghBranches", actions.allowedBranches().toArray(String[]::new))
        .bind("ghWorkflows", actions.allowedWorkflows().toArray(String[]::new));
    return actions.repository() == null ? spec.bindNull("ghRepository", String.class)
        : spec.bind("ghRepository", actions.repository());
  }

  private static RepositoryConfig snapshot(UUID id, long revision, Config c, Instant at) {
    return RepositoryConfig.newBuilder()
        .setId(id.toString())
        .setRevision(revision)
        .setUrl(c.url())
        .setProvider(c.provider())
        .setAuthMethod(c.authMethod())
        .setUsername(c.username())
        .setEncryptedSecret(c.secretEncrypted())
        .setSyncType(c.syncType())
        .setPollingIntervalSeconds(c.pollingInterval())
        .setUpdatedAt(at)
        .build();
  }

  private static Row row(Readable r) {
    Config config = new Config(r.get("name", String.class), r.get("url", String.class), r.get("provider", String.class),
        r.get("auth_method", String.class), r.get("username", String.class), r.get("secret_encrypted", String.class),
        r.get("sync_type", String.class), r.get("polling_interval_seconds", Integer.class),
        r.get("webhook_secret_encrypted", String.class), githubActions(r));
    return new Row(r.get("id", UUID.class), config, r.get("revision", Long.class), r.get("sync_status", String.class),
        r.get("last_synced_at", Instant.class), r.get("last_sync_error", String.class),
        r.get("last_sync_note", String.class), trigger(r), r.get("created_at", Instant.class),
        r.get("updated_at", Instant.class));
  }

  private static RepositoryJson.GitHubActions githubActions(Readable r) {
    return new RepositoryJson.GitHubActions(Boolean.TRUE.equals(r.get("github_actions_enabled", Boolean.class)),
        r.get("github_repository", String.class), list(r.get("github_allowed_branches", String[].class)),
        list(r.get("github_allowed_workflows", String[].class)));
  }

  private static java.util.List<String> list(String[] values) {
    return values == null ? java.util.List.of() : java.util.List.of(values);
  }

  /** The repositories that let GitHub Actions runs of {@code githubRepository} (owner/name) sync them. */
  Flux<Row> allowingGitHubActions(String githubRepository) {
    return db.sql("SELECT " + COLUMNS + " FROM repositories WHERE github_actions_enabled"
            + " AND lower(github_repository) = lower(:repository) ORDER BY created_at")
        .bind("repository", githubRepository).map(RepositoryStore::row).all();
  }

  private static RepositoryJson.TriggerJson trigger(Readable r) {
    String type = r.get("last_trigger", String.class);
    return type == null ? null : new RepositoryJson.TriggerJson(type, r.get("last_trigger_actor", String.class),
        r.get("last_triggered_at", Instant.class));
  }
}
