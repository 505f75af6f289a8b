package dev.orca.gateway.agent;

import dev.orca.gateway.eventlog.EntityChange;
import dev.orca.gateway.eventlog.EventAppender;
import dev.orca.gateway.outbox.Outbox;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.AgentConfig;
import dev.orca.schemas.avro.AgentRetired;
import dev.orca.schemas.crypto.SecretBox;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The agents table. Every configuration write takes a new revision and queues the agent's
 * {@code AgentConfig} snapshot (or its tombstone) in the same transaction. An agent's environment
 * key is stored base64 and encrypted with the APP_SECRET key, and read only by {@link #environmentKey}.
 */
@Component
class AgentStore {

  private static final String COLUMNS = "id, name, heartbeat_interval_seconds, last_seen, docker_available,"
      + " docker_version, compose_command, compose_version, status_message, created_at";

  private final DatabaseClient db;
  private final Outbox outbox;
  private final Topics topics;
  private final SecretBox secrets;

  AgentStore(DatabaseClient db, Outbox outbox, Topics topics, SecretBox secrets) {
    this.db = db;
    this.outbox = outbox;
    this.topics = topics;
    this.secrets = secrets;
  }

  Flux<AgentJson> all() {
    return db.sql("SELECT " + COLUMNS + " FROM agents ORDER BY lower(name), id").map(AgentStore::json).all();
  }

  Mono<AgentJson> find(String id) {
    return db.sql("SELECT " + COLUMNS + " FROM agents WHERE id = :id").bind("id", id).map(AgentStore::json).one();
  }

  Mono<Boolean> nameTaken(String name, String exceptId) {
    return db.sql("SELECT EXISTS (SELECT 1 FROM agents WHERE lower(name) = lower(:name) AND id <> :id) AS taken")
        .bind("name", name).bind("id", exceptId).map(row -> row.get("taken", Boolean.class)).one();
  }

  /** The principal of the agent's current Kafka credential (null: none yet) and its generation. */
  record Credential(String principal, int generation) {}

  /**
   * Inserts the agent with its environment key and the principal of its first credential (null
   * when the broker has no ACLs) unless its id or name exists; true when it was inserted.
   */
  Mono<Boolean> insert(String id, String name, byte[] environmentKey, String principal, int generation) {
    return outbox.transaction(
        db.sql("INSERT INTO agents (id, name, environment_key_encrypted, kafka_principal, kafka_generation, revision,"
                + " created_at, updated_at)"
                + " VALUES (:id, :name, :key, :principal, :generation, nextval('config_revision'), now(), now())"
                + " ON CONFLICT DO NOTHING RETURNING revision, heartbeat_interval_seconds")
            .bind("id", id).bind("name", name).bind("key", encryptKey(environmentKey))
            .bind("principal", Parameter.fromOrEmpty(principal, String.class)).bind("generation", generation)
            .map(row -> snapshot(id, row))
            .one()
            .flatMap(config -> outbox.append(topics.configAgents(), id, config)
                .then(EventAppender.append(db, EntityChange.changed("agent", id))).thenReturn(true))
            .defaultIfEmpty(false));
  }

  /** Every agent's id, oldest first. */
  Flux<String> ids() {
    return db.sql("SELECT id FROM agents ORDER BY created_at, id").map(row -> row.get("id", String.class)).all();
  }

  /** Publishes the agent's configuration again under a new revision (a restore); false when it does not exist. */
  Mono<Boolean> republish(String id) {
    return outbox.transaction(
        db.sql("UPDATE agents SET revision = nextval('config_revision') WHERE id = :id"
                + " RETURNING revision, heartbeat_interval_seconds")
            .bind("id", id)
            .map(row -> snapshot(id, row))
            .one()
            .flatMap(config -> outbox.append(topics.configAgents(), id, config)
                .then(EventAppender.append(db, EntityChange.changed("agent", id))).thenReturn(true))
            .defaultIfEmpty(false));
  }

  /** Renames the agent; false when it does not exist. */
  Mono<Boolean> rename(String id, String name) {
    return outbox.transaction(
        db.sql("UPDATE agents SET name = :name, revision = nextval('config_revision'), updated_at = now()"
                + " WHERE id = :id RETURNING revision, heartbeat_interval_seconds")
            .bind("id", id).bind("name", name)
            .map(row -> snapshot(id, row))
            .one()
            .flatMap(config -> outbox.append(topics.configAgents(), id, config)
                .then(EventAppender.append(db, EntityChange.changed("agent", id))).thenReturn(true))
            .defaultIfEmpty(false));
  }

  /** The agent's current credential; empty when the agent does not exist. */
  Mono<Credential> credential(String id) {
    return db.sql("SELECT kafka_principal, kafka_generation FROM agents WHERE id = :id").bind("id", id)
        .map(row -> new Credential(row.get("kafka_principal", String.class), row.get("kafka_generation", Integer.class)))
        .one();
  }

  /**
   * Takes the agent's next credential generation at once, so two rotations never make the same
   * principal; empty when the agent does not exist.
   */
  Mono<Integer> nextGeneration(String id) {
    return db.sql("UPDATE agents SET kafka_generation = kafka_generation + 1, updated_at = now() WHERE id = :id"
            + " RETURNING kafka_generation")
        .bind("id", id).map(row -> row.get("kafka_generation", Integer.class)).one();
  }

  /** Records the principal of {@code generation} unless a later generation was taken meanwhile. */
  Mono<Boolean> setCurrentCredential(String id, String principal, int generation) {
    return db.sql("UPDATE agents SET kafka_principal = :principal WHERE id = :id AND kafka_generation = :generation")
        .bind("id", id).bind("principal", Parameter.fromOrEmpty(principal, String.class)).bind("generation", generation)
        .fetch().rowsUpdated().map(count -> count > 0);
  }

  /** The agent's environment key; empty when the agent does not exist or was registered without one. */
  Mono<byte[]> environmentKey(String id) {
    return db.sql("SELECT environment_key_encrypted FROM agents WHERE id = :id").bind("id", id)
        .map(row -> Optional.ofNullable(row.get("environment_key_encrypted", String.class)))
        .one()
        .flatMap(Mono::justOrEmpty)
        .map(encrypted -> Base64.getDecoder().decode(secrets.decrypt(encrypted)));
  }

  /** Gives the agent {@code environmentKey} unless it has one, and returns the key it has either way. */
  Mono<byte[]> environmentKeyIfAbsent(String id, byte[] environmentKey) {
    return db.sql("UPDATE agents SET environment_key_encrypted = :key WHERE id = :id"
            + " AND environment_key_encrypted IS NULL")
        .bind("id", id).bind("key", encryptKey(environmentKey)).fetch().rowsUpdated()
        .then(environmentKey(id));
  }

  private String encryptKey(byte[] environmentKey) {
    return secrets.encrypt(Base64.getEncoder().encodeToString(environmentKey));
  }

  Mono<Long> applicationCount(String id) {
    return db.sql("SELECT count(*) AS n FROM applications WHERE agent_id = :id")
        .bind("id", id).map(row -> row.get("n", Long.class)).one();
  }

  /**
   * Deletes the agent and queues its tombstone, and its retirement: an AgentRetired to every
   * partition of deploy-requests, and a row that waits for every dispatcher task to say it took it
   * in ({@link AgentRetirements}); false when it does not exist.
   */
  Mono<Boolean> delete(String id) {
    Instant now = Instant.now();
    return outbox.transaction(
        db.sql("DELETE FROM agents WHERE id = :id").bind("id", id).fetch().rowsUpdated()
            .flatMap(count -> count == 0 ? Mono.just(false)
                : outbox.append(topics.configAgents(), id, null)
                    .then(db.sql("INSERT INTO retired_agents (agent_id, partitions) VALUES (:id, :partitions)"
                            + " ON CONFLICT (agent_id) DO NOTHING")
                        .bind("id", id).bind("partitions", topics.partitions()).fetch().rowsUpdated())
                    .then(queueRetired(id, now))
                    .then(EventAppender.append(db, EntityChange.deleted("agent", id))).thenReturn(true)));
  }

  /**
   * Queues AgentRetired for every partition of deploy-requests again, for a retirement some
   * dispatcher tasks have not answered (a dispatcher of an earlier version skipped it, say).
   */
  Mono<Void> announceRetirementAgain(String id) {
    return outbox.transaction(queueRetired(id, Instant.now())
        .then(db.sql("UPDATE retired_agents SET announced_at = now() WHERE agent_id = :id").bind("id", id)
            .fetch().rowsUpdated()))
        .then();
  }

  private Mono<Void> queueRetired(String id, Instant now) {
    return Flux.fromIterable(topics.keyPerPartition(id))
        .concatMap(key -> outbox.append(topics.deployRequests(), key,
            (org.apache.avro.specific.SpecificRecord) AgentRetired.newBuilder().setAgentId(id).setAt(now).build()))
        .then();
  }

  Mono<String> setting(String key) {
    return db.sql("SELECT value FROM system_settings WHERE key = :key").bind("key", key)
        .map(row -> row.get("value", String.class)).one();
  }

  /** Stores the setting unless it exists, and returns the stored value either way. */
  Mono<String> settingIfAbsent(String key, String value) {
    return db.sql("INSERT INTO system_settings (key, value) VALUES (:key, :value) ON CONFLICT (key) DO NOTHING")
        .bind("key", key).bind("value", value).fetch().rowsUpdated()
        .then(setting(key));
  }

  private static AgentConfig snapshot(String id, Readable row) {
    return AgentConfig.newBuilder()
        .setId(id)
        .setRevision(row.get("revision", Long.class))
        .setHeartbeatIntervalSeconds(row.get("heartbeat_interval_seconds", Integer.class))
        .setUpdatedAt(Instant.now())
        .build();
  }

  private static AgentJson json(Readable row) {
    Instant lastSeen = row.get("last_seen", Instant.class);
    int interval = row.get("heartbeat_interval_seconds", Integer.class);
    return new AgentJson(row.get("id", String.class), row.get("name", String.class),
        AgentStatus.of(lastSeen, interval, Instant.now()), lastSeen, row.get("docker_available", Boolean.class),
        row.get("docker_version", String.class), row.get("compose_command", String.class),
        row.get("compose_version", String.class), row.get("status_message", String.class),
        row.get("created_at", Instant.class));
  }
}
